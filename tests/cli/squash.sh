#!/usr/bin/env bash
# `cairn squash --to NAME`: three migrations, the first two folded into one.
# A database that applied them records the squash without running it; a
# new one runs it, then the third, and ends in the same schema; one that
# applied only the first stops (exit 7) with nothing changed. Every refusal
# is one error line, exit 2, and changes nothing.
# On SQLite by default; on PostgreSQL (CAIRN_PG_URL) when run by
# tests/pg/run.sh (ctest pg.squash).
. "$(dirname "$0")/lib.sh"

P="$WORK/squash"
mkdir -p "$P/schema"
cd "$P" || exit 1
# Per dialect: the URL of database A, B or C (urlof X) and a query (q X SQL).
if [ -n "${CAIRN_PG_URL:-}" ]; then
    DIALECT=postgresql
    PSQL=/usr/lib/postgresql/15/bin/psql
    [ -x "$PSQL" ] || PSQL=psql
    urlof() { echo "${CAIRN_PG_URL%/*}/squash_$1"; }
    q() { "$PSQL" -X -q -A -t "$(urlof "$1")" -c "$2" 2>&1; }
    for x in a b c; do
        "$PSQL" -X -q "${CAIRN_PG_URL%/*}/postgres" -c "DROP DATABASE IF EXISTS squash_$x WITH (FORCE)" \
            -c "CREATE DATABASE squash_$x" >/dev/null 2>&1
    done
else
    DIALECT=sqlite
    urlof() { echo "sqlite:$1.db"; }
    q() { sql "$1.db" "$2" 2>&1; }
fi
cat >cairn.json <<JSON
{ "dialect": "$DIALECT", "url": "$(urlof a)", "schema": "schema", "out": "migrations" }
JSON
users >schema/users.json
run generate --name init
expect_ok "generate init"
run --url "$(urlof c)" migrate
expect_ok "db C applies only the first migration"
users ', { "name": "phone", "type": "text" }' >schema/users.json
run generate --name add_phone
expect_ok "generate add_phone"
posts >schema/posts.json
run generate --name add_posts
expect_ok "generate add_posts"
run migrate
expect_ok "db A applies all three"
M1=$(ls migrations | grep _init)
M2=$(ls migrations | grep _add_phone)
M3=$(ls migrations | grep _add_posts)
S="${M2:0:14}_squashed"

# refusals: one line, exit 2, nothing changed
refused() { # refused "what" ARGS...
    local what=$1 before
    shift
    before=$(state . )
    run "$@"
    expect_rc 2 "$what"
    one_error_line "$what"
    check "$what: nothing changed" [ "$before" = "$(state .)" ]
}
refused "unknown NAME" squash --to 20200101000000_nope
expect_err "no migration 20200101000000_nope" "unknown NAME named"
refused "no --to" squash
refused "a name equal to NAME" squash --to "$M2" --name add_phone
expect_err "pass --name" "equal name: says what to do"
echo notes >"migrations/$M1/notes.txt"
refused "a file cairn did not write" squash --to "$M2"
expect_err "notes.txt" "foreign file named"
rm "migrations/$M1/notes.txt"
# a second root before NAME: the migrations up to it are not one line
cp -r migrations branched
python3 - "branched/$M2/snapshot.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["parent"] = None
open(p, "w").write(json.dumps(d, indent=2) + "\n")
PY
refused "branches before NAME" --out branched squash --to "$M2"
expect_err "not one line" "branches named"
refused "a later migration starting before NAME" squash --to "$M2" --name x --out branched
rm -rf branched
cp -r migrations later
python3 - "later/$M3/snapshot.json" "$M1" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["parent"] = sys.argv[2]
open(p, "w").write(json.dumps(d, indent=2) + "\n")
PY
refused "a later migration starting before NAME" --out later squash --to "$M2"
expect_err "starts from $M1" "the early parent named"
rm -rf later

# the squash
jrun squash --to "$M2"
expect_ok "squash --to the second"
jis "d['migration']" "$S" "--json names the squash migration"
check "the folder holds the squash and the third" \
    [ "$(ls migrations | tr '\n' ' ')" = "$S $M3 " ]
check "the squash has no down.sql" [ ! -e "migrations/$S/down.sql" ]
check "the third starts from the squash" \
    [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["parent"])' \
        "migrations/$M3/snapshot.json")" = "$S" ]
check "the squash replaces the first two" \
    [ "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["parent"], d["replaces"])' \
        "migrations/$S/snapshot.json")" = "None ['$M1', '$M2']" ]
check "migration.sql says what it squashes" \
    grep -q "^-- Squashes 2 migrations: $M1 ... $M2. A database that applied them all" \
    "migrations/$S/migration.sql"
run check
expect_ok "check is green after the squash"

# A: the squash recorded, not run
before=$(state .)
run migrate --check
expect_rc 12 "migrate --check on A: the squash is still to record"
expect_out "$S would be recorded as applied" "migrate --check says what it would record"
check "migrate --check changed nothing" [ "$before" = "$(state .)" ]
run migrate
expect_ok "migrate A"
expect_out "$S recorded as applied: it squashes 2 migrations this database has applied" \
    "migrate A records the squash"
check "migrate A does not say it applies the squash" eval '! contains "$OUT" "applying $S"'
check "A has the squash in its history" \
    [ "$(q a "select count(*) from __cairn_migrations where name = '$S'")" = 1 ]
run migrate
expect_ok "migrate A again"
expect_out "nothing to apply" "nothing left for A"
run status
expect_ok "status of A"
expect_out "squashed $M1" "status shows the first as squashed"
check "status of A has nothing MISSING" eval '! contains "$OUT" MISSING'

# B: a new database runs the squash, then the third
run --url "$(urlof b)" migrate
expect_ok "migrate B"
expect_out "2 migrations applied" "B ran the squash and the third"
run pull
A_SCHEMA=$OUT
run --url "$(urlof b)" pull
check "A and B end in the same schema" [ "$A_SCHEMA" = "$OUT" ]
check "the same schema is not empty" contains "$OUT" '"posts"'

# C applied only the first: stop before anything runs
c_state() {
    state migrations
    "$CAIRN" --url "$(urlof c)" pull 2>&1
    q c "select name, state from __cairn_migrations order by name"
}
before=$(c_state)
run --url "$(urlof c)" migrate
expect_rc 7 "migrate C"
one_error_line "migrate C"
expect_err "before the squash" "migrate C says what to do"
check "migrate C changed nothing" [ "$before" = "$(c_state)" ]

# A second squash folds the first: its "replaces" lists the first's names
# too. A (which applied the originals) and B (which ran the first squash)
# both record it.
S2="${M3:0:14}_squashed"
run squash --to "$M3"
expect_ok "squash again, up to the third"
check "the second squash replaces the first one's names too" \
    [ "$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["replaces"]))' \
        "migrations/$S2/snapshot.json")" = "$M1 $M2 $S $M3" ]
run migrate
expect_ok "migrate A after the second squash"
expect_out "$S2 recorded as applied" "A records the second squash"
run --url "$(urlof b)" migrate
expect_ok "migrate B after the second squash"
expect_out "$S2 recorded as applied" "B records the second squash"
run --url "$(urlof b)" status
expect_out "squashed $S " "status of B shows the first squash as squashed"

finish
