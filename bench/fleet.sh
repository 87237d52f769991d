#!/usr/bin/env bash
# Fleets: N SQLite tenant databases x 5 pending migrations.
#   1. cairn migrate --targets --parallel P (one process, the folder read once)
#   2. a shell loop of single `cairn migrate --url` calls (what teams do today)
#   3. the lower bound: the same SQL applied with the sqlite3 shell, one
#      process per database, no history table
# Prints wall times and the ratios. Usage:
#   bench/fleet.sh [--cairn build-rel/stage/bin/cairn] [--tenants 1000] [--parallel 2]
#                  [--dialect sqlite|postgresql|mysql]
# With postgresql or mysql, N databases on a throwaway local server (the test
# harness starts and stops it) and the lower bound is psql / mariadb -f.
set -eu
CAIRN=build-rel/stage/bin/cairn N=1000 PAR=2 DIALECT=sqlite
while [ $# -gt 0 ]; do
    case $1 in
    --cairn) CAIRN=$2; shift 2 ;;
    --tenants) N=$2; shift 2 ;;
    --parallel) PAR=$2; shift 2 ;;
    --dialect) DIALECT=$2; shift 2 ;;
    --inner) shift ;;
    *) echo "usage: $0 [--cairn PATH] [--tenants N] [--parallel P] [--dialect D]" >&2; exit 2 ;;
    esac
done
CAIRN=$(realpath "$CAIRN")
here=$(cd "$(dirname "$0")/.." && pwd)
if [ "$DIALECT" != sqlite ] && [ -z "${CAIRN_PG_URL:-}${CAIRN_MYSQL_URL:-}" ]; then
    kind=pg
    [ "$DIALECT" = mysql ] && kind=mariadb
    exec "$here/tests/harness/with-server.sh" "$kind" bash "$0" --cairn "$CAIRN" --tenants "$N" \
        --parallel "$PAR" --dialect "$DIALECT" --inner
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/cairn-fleet-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
echo '{"dialect": "'"$DIALECT"'", "schema": "schema.json", "out": "migrations"}' > cairn.json
case $DIALECT in
postgresql)
    BASE=${CAIRN_PG_URL%/*}
    PSQL=/usr/lib/postgresql/15/bin/psql
    [ -x "$PSQL" ] || PSQL=psql
    mkdb() { "$PSQL" -X -q "$BASE/postgres" -c "CREATE DATABASE $1" >/dev/null; }
    url() { echo "$BASE/$1"; }
    apply() { "$PSQL" -X -q -v ON_ERROR_STOP=1 "$BASE/$1" -f all.sql >/dev/null; } ;;
mysql)
    BASE=${CAIRN_MYSQL_URL%/*}
    MYSQLC=$(command -v mariadb || command -v mysql)
    mkdb() { "$MYSQLC" --no-defaults --socket="$CAIRN_MYSQL_SOCKET" -uroot -e "CREATE DATABASE $1"; }
    url() { echo "$BASE/$1"; }
    apply() { "$MYSQLC" --no-defaults --socket="$CAIRN_MYSQL_SOCKET" -uroot "$1" < all.sql; } ;;
*)
    mkdb() { :; }
    url() { echo "sqlite:$W/$1.db"; }
    apply() { sqlite3 "$W/$1.db" < all.sql; } ;;
esac
cols=''
for step in 1 2 3 4 5; do
    cols="$cols,{\"name\":\"c$step\",\"type\":\"text\"}"
    printf '{"tables":[{"name":"t","columns":[{"name":"id","type":"integer","primary_key":true}%s]}]}\n' \
        "$cols" > schema.json
    "$CAIRN" generate --name "step$step" > /dev/null
done
for i in $(seq 1 "$N"); do mkdb "a$i"; mkdb "b$i"; mkdb "c$i"; done
{
    echo '{"targets": ['
    for i in $(seq 1 "$N"); do
        printf '{"name": "t%d", "url": "%s"}%s\n' "$i" "$(url "a$i")" "$([ "$i" -lt "$N" ] && echo ,)"
    done
    echo ']}'
} > targets.json
cat migrations/*/migration.sql | sed 's/^--> statement-breakpoint$//' > all.sql

now() { date +%s.%N; }
t0=$(now)
"$CAIRN" migrate --targets targets.json --parallel "$PAR" > /dev/null
t1=$(now)
for i in $(seq 1 "$N"); do "$CAIRN" migrate --url "$(url "b$i")" > /dev/null; done
t2=$(now)
for i in $(seq 1 "$N"); do apply "c$i"; done
t3=$(now)
fleet=$(echo "$t1 - $t0" | bc) loop=$(echo "$t2 - $t1" | bc) floor=$(echo "$t3 - $t2" | bc)
printf '%s: tenants %d x 5 migrations, load %s\n' "$DIALECT" "$N" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  cairn migrate --targets --parallel %d  %8.2f s\n' "$PAR" "$fleet"
printf '  shell loop of cairn migrate          %8.2f s  (%.1fx the fleet run)\n' "$loop" "$(echo "$loop / $fleet" | bc -l)"
printf '  the client shell, same SQL (lower bound) %8.2f s  (fleet run = %.2fx of it)\n' "$floor" "$(echo "$fleet / $floor" | bc -l)"
