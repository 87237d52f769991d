#!/bin/sh
# Side-by-side `generate`: drizzle-kit against cairn on the same generated
# schema (issue 16), no database needed.
#
#   bench/compare/generate.sh CAIRN [N...]        (default N: 1000)
#
# For each N, bench/gen_schema.py writes the same N PostgreSQL tables twice:
# as a drizzle-orm schema.ts and as cairn's schema.json. Each tool then
# generates from nothing into an empty folder, and again after a one-column
# change; the script prints wall time, CPU (user + system) and peak RSS of
# each (GNU time) and the ratio drizzle-kit / cairn.
#
# Environment:
#   DRIZZLE_KIT_VERSION  npm version (default: `npm view drizzle-kit version`)
#   DRIZZLE_TIMEOUT      seconds before a drizzle-kit run is stopped (default 600)
#   COMPARE_KEEP=1       keep the work directory
#
# drizzle-kit and drizzle-orm are installed into the temporary work directory
# (npm install --prefix); nothing is written to the repo, nothing is a
# dependency of cairn. Without npm the script says so and exits 77.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cairn=$(realpath "${1:?usage: $0 CAIRN [N...]}")
shift
[ $# -gt 0 ] || set -- 1000
timeout_s=${DRIZZLE_TIMEOUT:-600}
command -v npm >/dev/null 2>&1 || { echo "generate.sh: npm not found: skipped" >&2; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-compare-gen.XXXXXX")
cleanup() {
    if [ "${COMPARE_KEEP:-0}" = 1 ]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

dk_version=${DRIZZLE_KIT_VERSION:-$(npm view drizzle-kit version 2>/dev/null)}
[ -n "$dk_version" ] || { echo "generate.sh: npm view drizzle-kit version failed" >&2; exit 1; }
npm_dir=$work/npm
mkdir -p "$npm_dir"
echo "installing drizzle-kit@$dk_version and drizzle-orm into $npm_dir" >&2
npm install --prefix "$npm_dir" --no-audit --no-fund --loglevel=error \
    "drizzle-kit@$dk_version" drizzle-orm >"$work/npm.log" 2>&1 ||
    { tail -n 20 "$work/npm.log" >&2; exit 1; }
dk=$npm_dir/node_modules/.bin/drizzle-kit
ver() { node -p "require('$npm_dir/node_modules/$1/package.json').version"; }
echo "versions: drizzle-kit $(ver drizzle-kit), drizzle-orm $(ver drizzle-orm), node $(node --version), $("$cairn" --version)"
echo "machine: $(nproc) CPUs, load $(uptime | sed 's/.*load average: //')"

# timed DIR CMD...: runs CMD in DIR; sets t_wall (s), t_cpu (s), t_rss (MiB), t_rc
timed() {
    tdir=$1
    shift
    t0=$(date +%s.%N)
    set +e
    (cd "$tdir" && CI=true /usr/bin/time -f '%U %S %M' -o "$tdir/time.txt" \
        timeout "$timeout_s" "$@" </dev/null >"$tdir/run.log" 2>&1)
    t_rc=$?
    set -e
    t_wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
    set -- $(tail -n 1 "$tdir/time.txt")
    t_cpu=$(awk -v u="$1" -v s="$2" 'BEGIN { printf "%.3f", u + s }')
    t_rss=$(awk -v k="$3" 'BEGIN { printf "%.1f", k / 1024 }')
}

line() {
    printf '  %-34s drizzle-kit %8s s (CPU %7s s, %7s MiB)   cairn %7s s (CPU %6s s, %6s MiB)   ratio x%s wall, x%s CPU\n' \
        "$1" "$2" "$3" "$4" "$5" "$6" "$7" \
        "$(awk -v a="$2" -v b="$5" 'BEGIN { printf "%.1f", a / b }')" \
        "$(awk -v a="$3" -v b="$6" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 0.001) }')"
}

for n in "$@"; do
    d=$work/n$n
    mkdir -p "$d/drizzle" "$d/cairn"
    python3 "$here/gen_schema.py" "$n" drizzle -o "$d/drizzle/schema.ts"
    python3 "$here/gen_schema.py" "$n" json -o "$d/cairn/schema.json"
    printf '{ "dialect": "postgresql", "schema": "./schema.ts", "out": "./out" }\n' >"$d/drizzle/drizzle.config.json"
    printf '{ "dialect": "postgresql", "schema": "schema.json", "out": "migrations" }\n' >"$d/cairn/cairn.json"
    echo "N=$n tables ($(wc -c <"$d/cairn/schema.json") bytes of JSON, $(wc -c <"$d/drizzle/schema.ts") of TypeScript)"
    for step in init change; do
        if [ $step = change ]; then
            python3 "$here/gen_schema.py" "$n" drizzle --change -o "$d/drizzle/schema.ts"
            python3 "$here/gen_schema.py" "$n" json --change -o "$d/cairn/schema.json"
        fi
        timed "$d/drizzle" "$dk" generate --config=drizzle.config.json --name="$step"
        if [ $t_rc -ne 0 ]; then
            echo "  drizzle-kit generate ($step) failed or timed out (exit $t_rc):"
            tail -n 5 "$d/drizzle/run.log" | sed 's/^/    | /'
            continue
        fi
        dw=$t_wall dc=$t_cpu dr=$t_rss
        timed "$d/cairn" "$cairn" generate --name "$step"
        [ $t_rc -eq 0 ] || { echo "  cairn generate ($step) failed (exit $t_rc)"; tail -n 5 "$d/cairn/run.log"; exit 1; }
        label="generate from nothing"
        [ $step = init ] || label="generate of a one-column change"
        line "$label" "$dw" "$dc" "$dr" "$t_wall" "$t_cpu" "$t_rss"
    done
done
