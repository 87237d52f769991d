#!/bin/sh
# `cairn migrate` and `cairn push` on a throwaway PostgreSQL, against lower bounds:
#   bench/pg/migrate.sh BUILD_DIR
# BUILD_DIR is a built cairn tree (Release for figures). Environment:
#   BENCH_RUNS=3           runs of each measure, on a fresh database each; prints medians and minima
#   BENCH_MIGRATIONS=200   migrations written by `cairn generate` (odd ones add a table and its
#                          index, even ones add a column to that table)
#   BENCH_PUSH_TABLES=1000 tables pushed into an empty database (6 columns, a primary key, two
#                          indexes and a foreign key to the previous table each)
#   BENCH_SERVER_TMP=/dev/shm  where the server's data directory goes (tmpfs by default, so
#                          the disk's noise does not hide cairn's own overhead)
#
# The bound of `cairn migrate` is the same statements through one psql session,
# one transaction per migration (`psql -X -q -v ON_ERROR_STOP=1 -f all.sql`); the
# target is cairn/bound <= 1.2. A third run sends the bound's script plus the row
# cairn writes in its history table per migration, inside the migration's
# transaction: what is left between it and cairn is cairn's own cost. The bound of
# the first push is `cairn export` through psql in one transaction (`psql -1`).
# Then one more run of each with log_statement=all counts the statements each
# side sends.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: migrate.sh BUILD_DIR}" && pwd)
cairn="$build/stage/bin/cairn"
[ -x "$cairn" ] || { echo "migrate.sh: $cairn not found: build the tree first" >&2; exit 2; }
runs=${BENCH_RUNS:-3}
nmig=${BENCH_MIGRATIONS:-200}
npush=${BENCH_PUSH_TABLES:-1000}
PSQL=${PG_BINDIR:-/usr/lib/postgresql/15/bin}/psql
[ -x "$PSQL" ] || PSQL=psql

# shellcheck source=server.sh
. "$src/bench/pg/server.sh"
base=${CAIRN_PG_URL%/*}

# The schema after `steps` steps of the migrate series; with fk=1, every table
# also points at the previous one (the push schema).
schema_json() {
    awk -v k="$1" -v fk="$2" 'BEGIN {
        nt = int((k + 1) / 2)
        printf "{\"dialect\": \"postgresql\", \"tables\": [\n"
        for (t = 1; t <= nt; t++) {
            printf "%s{\"name\": \"t%04d\", \"columns\": [", (t > 1 ? ",\n" : ""), t
            printf "{\"name\": \"id\", \"type\": \"bigint\", \"not_null\": true}, "
            printf "{\"name\": \"name\", \"type\": \"varchar(100)\", \"not_null\": true}, "
            printf "{\"name\": \"score\", \"type\": \"integer\", \"not_null\": true, \"default\": \"0\"}, "
            printf "{\"name\": \"created_at\", \"type\": \"timestamp with time zone\", \"not_null\": true, \"default\": \"now()\"}"
            if (fk && t > 1)
                printf ", {\"name\": \"parent_id\", \"type\": \"bigint\"}"
            if (2 * t <= k)
                printf ", {\"name\": \"note\", \"type\": \"text\"}"
            printf "], \"primary_key\": {\"columns\": [\"id\"]}, "
            printf "\"indexes\": [{\"name\": \"t%04d_name\", \"columns\": [\"name\"]}", t
            if (fk && t > 1)
                printf ", {\"name\": \"t%04d_parent\", \"columns\": [\"parent_id\"]}", t
            printf "]"
            if (fk && t > 1)
                printf ", \"foreign_keys\": [{\"name\": \"t%04d_parent_fk\", \"columns\": [\"parent_id\"], \"references\": {\"table\": \"t%04d\", \"columns\": [\"id\"]}, \"on_delete\": \"cascade\"}]", t, t - 1
            printf "}"
        }
        printf "\n]}\n"
    }'
}

now_us() {
    echo $(($(date +%s%N) / 1000))
}

# Run a command with its output in $work/out.log; its wall time in T (microseconds).
timed() {
    t0=$(now_us)
    "$@" >"$work/out.log" 2>&1 || { echo "migrate.sh: failed: $*" >&2; cat "$work/out.log" >&2; exit 1; }
    T=$(($(now_us) - t0))
}

median() {
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

ms() {
    awk -v us="$1" 'BEGIN { printf "%.1f ms", us / 1000 }'
}

minimum() {
    printf '%s\n' "$@" | sort -n | head -n 1
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

admin() {
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$CAIRN_PG_URL" -c "$1" >/dev/null
}

fresh_db() {
    admin "CREATE DATABASE $1"
}

user_tables() {
    "$PSQL" -X -A -t -d "$base/$1" -c \
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> '__cairn_migrations'"
}

# Statements the server logged from line $1 of its log on.
logged_since() {
    tail -n +"$1" "$CAIRN_PG_DIR/server.log" | grep -cE 'LOG:  (statement|execute [^:]*):' || true
}

log_lines() {
    wc -l <"$CAIRN_PG_DIR/server.log"
}

echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1);" \
    "$("$PSQL" -X -A -t -d "$CAIRN_PG_URL" -c 'SHOW server_version') on loopback;" \
    "data in $stmp; $runs runs; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- the migrations folder --------------------------------------------------
mig="$work/mig"
mkdir -p "$mig"
printf '{"dialect": "postgresql", "schema": "schema.json", "out": "migrations"}\n' >"$mig/cairn.json"
t0=$(now_us)
s=1
while [ "$s" -le "$nmig" ]; do
    schema_json "$s" 0 >"$mig/schema.json"
    (cd "$mig" && "$cairn" generate --name "step_$s" >/dev/null)
    s=$((s + 1))
done
gen=$(($(now_us) - t0))
(cd "$mig" && "$cairn" check >/dev/null)
nfolders=$(find "$mig/migrations" -mindepth 1 -maxdepth 1 -type d | wc -l)
[ "$nfolders" -eq "$nmig" ] || { echo "migrate.sh: $nfolders folders, expected $nmig" >&2; exit 1; }

# The bound's script: each migration's statements (pieces between breakpoint
# lines) in a transaction of its own; allh.sql adds cairn's history table and
# the row cairn writes per migration.
statements() {
    awk '
        function flush() {
            sub(/^[ \t\n]+/, "", piece); sub(/[ \t\n]+$/, "", piece)
            if (piece != "") print (piece ~ /;$/ ? piece : piece ";")
            piece = ""
        }
        /^[ \t]*--> statement-breakpoint[ \t]*$/ { flush(); next }
        { piece = piece $0 "\n" }
        END { flush() }' "$1"
}
: >"$work/all.sql"
cat >"$work/allh.sql" <<'EOF'
CREATE TABLE "__cairn_migrations" (name text PRIMARY KEY, checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(), duration_ms bigint NOT NULL DEFAULT 0,
  state int NOT NULL DEFAULT 0, statements_done int NOT NULL DEFAULT 0,
  statements_total int NOT NULL DEFAULT 0);
EOF
for d in "$mig"/migrations/*/; do
    name=$(basename "$d")
    sum=$(sha256sum "$d/migration.sql" | cut -c1-64)
    { echo "BEGIN;"; statements "$d/migration.sql"; } | tee -a "$work/allh.sql" >>"$work/all.sql"
    echo "INSERT INTO \"__cairn_migrations\" (name, checksum, applied_at, duration_ms, state," \
        "statements_done, statements_total) VALUES ('$name', '$sum', now(), 1, 1, 1, 1)" \
        "ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum;" >>"$work/allh.sql"
    echo "COMMIT;" | tee -a "$work/allh.sql" >>"$work/all.sql"
done
nstmt=$(grep -c '^CREATE\|^ALTER' "$work/all.sql")
echo "migrate: $nmig migrations ($nstmt statements) written by $nmig cairn generate in $(ms "$gen") (with the schema files)"

cairn_times=
bound_times=
hist_times=
i=1
while [ "$i" -le "$runs" ]; do
    fresh_db "mc_$i"
    timed "$cairn" --config "$mig/cairn.json" --url "$base/mc_$i" migrate
    grep -q "^$nmig migrations applied" "$work/out.log" ||
        { echo "migrate.sh: cairn migrate did not apply $nmig migrations" >&2; cat "$work/out.log" >&2; exit 1; }
    cairn_times="$cairn_times $T"
    fresh_db "mb_$i"
    timed "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$base/mb_$i" -f "$work/all.sql"
    bound_times="$bound_times $T"
    fresh_db "mh_$i"
    timed "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$base/mh_$i" -f "$work/allh.sql"
    hist_times="$hist_times $T"
    a=$(user_tables "mc_$i")
    b=$(user_tables "mb_$i")
    [ "$a" = "$b" ] || { echo "migrate.sh: cairn made $a tables, psql $b" >&2; exit 1; }
    i=$((i + 1))
done
# shellcheck disable=SC2086
mc=$(median $cairn_times) mcmin=$(minimum $cairn_times)
# shellcheck disable=SC2086
mb=$(median $bound_times) mbmin=$(minimum $bound_times)
# shellcheck disable=SC2086
mh=$(median $hist_times) mhmin=$(minimum $hist_times)
echo "migrate: cairn migrate $(ms "$mc"), psql bound $(ms "$mb"): ratio $(ratio "$mc" "$mb") (target <= 1.20);" \
    "minima $(ms "$mcmin") and $(ms "$mbmin"): ratio $(ratio "$mcmin" "$mbmin")"
echo "migrate: psql with cairn's history rows $(ms "$mh") (min $(ms "$mhmin")):" \
    "cairn/that $(ratio "$mc" "$mh") (minima $(ratio "$mcmin" "$mhmin"))"

# Statements sent, counted by the server.
admin "ALTER SYSTEM SET log_statement = 'all'"
admin "SELECT pg_reload_conf()"
sleep 0.5
fresh_db mc_log
fresh_db mb_log
l0=$(log_lines)
"$cairn" --config "$mig/cairn.json" --url "$base/mc_log" migrate >/dev/null
cq=$(logged_since $((l0 + 1)))
l0=$(log_lines)
"$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$base/mb_log" -f "$work/all.sql"
bq=$(logged_since $((l0 + 1)))
admin "ALTER SYSTEM RESET log_statement"
admin "SELECT pg_reload_conf()"
echo "migrate: statements sent: cairn $cq, psql $bq" \
    "($(awk -v a="$cq" -v b="$bq" -v n="$nmig" 'BEGIN { printf "%.1f and %.1f", a / n, b / n }') per migration)"

# ---- push -------------------------------------------------------------------
push="$work/push"
mkdir -p "$push"
printf '{"dialect": "postgresql", "schema": "schema.json"}\n' >"$push/cairn.json"
schema_json $((2 * npush)) 1 >"$push/schema.json"
"$cairn" --config "$push/cairn.json" export >"$work/push.sql"
first=
second=
bound=
i=1
while [ "$i" -le "$runs" ]; do
    fresh_db "pc_$i"
    timed "$cairn" --config "$push/cairn.json" --url "$base/pc_$i" push
    first="$first $T"
    timed "$cairn" --config "$push/cairn.json" --url "$base/pc_$i" push
    grep -q 'database is up to date' "$work/out.log" ||
        { echo "migrate.sh: the second push found something to do:" >&2; head -n 20 "$work/out.log" >&2; exit 1; }
    second="$second $T"
    fresh_db "pb_$i"
    timed "$PSQL" -X -q -1 -v ON_ERROR_STOP=1 -d "$base/pb_$i" -f "$work/push.sql"
    bound="$bound $T"
    a=$(user_tables "pc_$i")
    [ "$a" -eq "$npush" ] || { echo "migrate.sh: push made $a tables, expected $npush" >&2; exit 1; }
    i=$((i + 1))
done
# shellcheck disable=SC2086
p1=$(median $first) p1min=$(minimum $first)
# shellcheck disable=SC2086
p2=$(median $second) p2min=$(minimum $second)
# shellcheck disable=SC2086
pb=$(median $bound) pbmin=$(minimum $bound)
echo "push: $npush tables into an empty database $(ms "$p1") (min $(ms "$p1min")); psql -1 of cairn export $(ms "$pb")" \
    "(min $(ms "$pbmin")): ratio $(ratio "$p1" "$pb")"
echo "push: second push, nothing to do, $(ms "$p2") (min $(ms "$p2min"))"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
