#!/usr/bin/env bash
# Fleets: N SQLite tenant databases x 5 pending migrations.
#   1. cairn migrate --targets --parallel P (one process, the folder read once)
#   2. a shell loop of single `cairn migrate --url` calls (what teams do today)
#   3. the lower bound: the same SQL applied with the sqlite3 shell, one
#      process per database, no history table
# Prints wall times and the ratios. Usage:
#   bench/fleet.sh [--cairn build-rel/stage/bin/cairn] [--tenants 1000] [--parallel 2]
set -eu
CAIRN=build-rel/stage/bin/cairn N=1000 PAR=2
while [ $# -gt 0 ]; do
    case $1 in
    --cairn) CAIRN=$2; shift 2 ;;
    --tenants) N=$2; shift 2 ;;
    --parallel) PAR=$2; shift 2 ;;
    *) echo "usage: $0 [--cairn PATH] [--tenants N] [--parallel P]" >&2; exit 2 ;;
    esac
done
CAIRN=$(realpath "$CAIRN")
W=$(mktemp -d "${TMPDIR:-/tmp}/cairn-fleet-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
echo '{"dialect": "sqlite", "schema": "schema.json", "out": "migrations"}' > cairn.json
cols=''
for step in 1 2 3 4 5; do
    cols="$cols,{\"name\":\"c$step\",\"type\":\"text\"}"
    printf '{"tables":[{"name":"t","columns":[{"name":"id","type":"integer","primary_key":true}%s]}]}\n' \
        "$cols" > schema.json
    "$CAIRN" generate --name "step$step" > /dev/null
done
mkdir a b c
{
    echo '{"targets": ['
    for i in $(seq 1 "$N"); do
        printf '{"name": "t%d", "url": "sqlite:%s/a/t%d.db"}%s\n' "$i" "$W" "$i" "$([ "$i" -lt "$N" ] && echo ,)"
    done
    echo ']}'
} > targets.json
cat migrations/*/migration.sql | sed 's/^--> statement-breakpoint$//' > all.sql

now() { date +%s.%N; }
t0=$(now)
"$CAIRN" migrate --targets targets.json --parallel "$PAR" > /dev/null
t1=$(now)
for i in $(seq 1 "$N"); do "$CAIRN" migrate --url "sqlite:$W/b/t$i.db" > /dev/null; done
t2=$(now)
for i in $(seq 1 "$N"); do sqlite3 "$W/c/t$i.db" < all.sql; done
t3=$(now)
fleet=$(echo "$t1 - $t0" | bc) loop=$(echo "$t2 - $t1" | bc) floor=$(echo "$t3 - $t2" | bc)
printf 'tenants %d x 5 migrations, load %s\n' "$N" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  cairn migrate --targets --parallel %d  %8.2f s\n' "$PAR" "$fleet"
printf '  shell loop of cairn migrate          %8.2f s  (%.1fx the fleet run)\n' "$loop" "$(echo "$loop / $fleet" | bc -l)"
printf '  sqlite3 shell, same SQL (lower bound) %8.2f s  (fleet run = %.2fx of it)\n' "$floor" "$(echo "$fleet / $floor" | bc -l)"
