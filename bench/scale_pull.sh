#!/bin/sh
# `cairn pull` of a large schema on throwaway PostgreSQL and MariaDB servers
# (issue 16: 10,000 tables of the bench/gen_schema.py shape).
#
#   bench/scale_pull.sh CAIRN [CAIRN2] [N]      (default N: 10000)
#
# Starts each server with tests/harness/with-server.sh (data on tmpfs unless
# BENCH_SERVER_TMP says otherwise), creates the N tables, then times
# `cairn pull --output` of each binary given (two: before and after a
# change), BENCH_RUNS times each (default 3), and prints the median wall
# time, the peak RSS (GNU time) and whether the JSON written is the one
# bench/gen_schema.py writes for that dialect. BENCH_DIALECTS picks
# "postgresql mysql" (default) or one of them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
a=$(realpath "${1:?usage: $0 CAIRN [CAIRN2] [N]}")
b=
n=10000
if [ $# -ge 2 ]; then
    case $2 in *[!0-9]*) b=$(realpath "$2"); n=${3:-10000} ;; *) n=$2 ;; esac
fi
runs=${BENCH_RUNS:-3}
TMPDIR=${BENCH_SERVER_TMP:-/dev/shm}
[ -d "$TMPDIR" ] && [ -w "$TMPDIR" ] || TMPDIR=/tmp
export TMPDIR
work=$(mktemp -d "$TMPDIR/cairn-scale-pull.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) CPUs, load $(uptime | sed 's/.*load average: //'), N=$n, runs=$runs"

# Inside with-server.sh: create the tables, then time each binary.
cat >"$work/inside.sh" <<'EOF'
set -eu
kind=$1 n=$2 runs=$3 work=$4 here=$5
shift 5
dialect=postgresql
[ "$kind" = mariadb ] && dialect=mysql
python3 "$here/gen_schema.py" "$n" sql --dialect "$dialect" -o "$work/$kind.sql"
python3 "$here/gen_schema.py" "$n" json --dialect "$dialect" -o "$work/$kind.expected.json"
t0=$(date +%s.%N)
if [ "$kind" = pg ]; then
    url=$CAIRN_PG_URL
    psql -X -q -v ON_ERROR_STOP=1 -f "$work/$kind.sql" "$url" >/dev/null
else
    url=$CAIRN_MYSQL_URL
    db=${url##*/}
    db=${db%%\?*}
    mariadb --socket="$CAIRN_MYSQL_SOCKET" -u root "$db" <"$work/$kind.sql"
fi
echo "$kind: created $n tables in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
for bin in "$@"; do
    times=
    for r in $(seq "$runs"); do
        rm -f "$work/out.json"
        t0=$(date +%s.%N)
        "$bin" --url "$url" pull --output "$work/out.json" >/dev/null 2>&1
        times="$times $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')"
    done
    med=$(echo $times | tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    rm -f "$work/out.json"
    rss=$(/usr/bin/time -f %M "$bin" --url "$url" pull --output "$work/out.json" 2>&1 >/dev/null | tail -n 1)
    same=differs
    cmp -s "$work/out.json" "$work/$kind.expected.json" && same="is gen_schema.py's"
    echo "$kind: $bin: pull median $med s (runs:$times), peak RSS $rss KiB, output $same"
done
EOF

for d in ${BENCH_DIALECTS:-postgresql mysql}; do
    kind=pg
    [ "$d" = mysql ] && kind=mariadb
    "$src/tests/harness/with-server.sh" "$kind" sh "$work/inside.sh" "$kind" "$n" "$runs" "$work" \
        "$here" "$a" $b
done
