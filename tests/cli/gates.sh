#!/usr/bin/env bash
# Exit statuses a CI job can gate on: --check on generate, migrate, push and
# status, and the drift command, change nothing and exit 12 when there is
# work to do ("forgot to generate", "not deployed", "the database differs
# from the schema file", "changed by hand"), 0 when there is none; any other
# failure keeps its own status.
. "$(dirname "$0")/lib.sh"

P="$WORK/gates"
mkdir -p "$P"
cd "$P" || exit 1
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json", "out": "migrations" }
JSON
EVOLVE="$CAIRN_SOURCE_DIR/tests/cli/evolve"
cp "$EVOLVE/01_create.json" schema.json

# "forgot to generate": the schema changed, no migration says so
before=$(state .)
run generate --check
expect_rc 12 "generate --check with a schema no migration has"
expect_err "since the newest migration: run 'cairn generate'" "generate --check says what to do"
one_error_line "generate --check"
expect_out 'CREATE TABLE "users"' "generate --check shows the SQL the migration would hold"
check "generate --check writes nothing" [ "$before" = "$(state .)" ]

run generate --name init
expect_ok "generate"
run generate --check
expect_ok "generate --check once the migration is written"

# "not deployed": a migration the database has not seen
before=$(state .)
run status --check
expect_rc 12 "status --check with a pending migration"
expect_out "pending" "status --check still lists the migrations"
expect_err "1 migration not applied: run 'cairn migrate'" "status --check says what to do"
one_error_line "status --check"
run migrate --check
expect_rc 12 "migrate --check with a pending migration"
expect_out 'CREATE TABLE "users"' "migrate --check prints what would run"
expect_err "1 migration to apply" "migrate --check says how many"
check "status and migrate --check create nothing, not even the database" \
    [ "$before" = "$(state .)" ]

run migrate
expect_ok "migrate"
run status --check
expect_ok "status --check when everything is applied"
run migrate --check
expect_ok "migrate --check with nothing to apply"
run push --check
expect_ok "push --check when the database matches the schema"

# "drift": the database differs from the schema file
sql app.db "ALTER TABLE users ADD COLUMN hotfix text"
before=$(state .)
run push --check
expect_rc 12 "push --check on a database changed by hand"
expect_out 'DROP COLUMN "hotfix"' "push --check shows the SQL that would undo the drift"
expect_err "the database differs from the schema: 1 change to push" "push --check says so"
expect_err 'warning: drops column "users"."hotfix"' "push --check names the destructive change first"
check "push --check: the error is the last line" \
    bash -c 'printf "%s\n" "$1" | tail -n 1 | grep -q "^cairn: error: "' _ "$ERR"
check "push --check changes nothing" [ "$before" = "$(state .)" ]
expect_sql app.db "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'hotfix'" "1" \
    "the hand-made column is still there"

# drift: the database against the migrations applied to it (not the
# schema file): a hotfix made by hand shows, with the SQL that undoes it
run drift
expect_rc 12 "drift on a database changed by hand"
expect_out 'DROP COLUMN "hotfix"' "drift shows the SQL that would undo it"
expect_err "has drifted from $(ls migrations | tail -n 1): 1 change made outside the migrations" \
    "drift names the migration it compared with"
one_error_line "drift"
check "drift changes nothing" [ "$before" = "$(state .)" ]
cp schema.json schema.json.keep
cp "$EVOLVE/02_add_column_default.json" schema.json
run generate --name add_active
expect_ok "generate a second migration"
run drift
expect_rc 12 "drift compares with the newest applied migration, not the newest generated"
check "the pending migration's column is not taken for drift" bash -c "! grep -q active <<<\"\$1\"" _ "$OUT"
mv schema.json.keep schema.json
rm -rf "migrations/$(ls migrations | tail -n 1)"

# a modified migration is not "up to date" either; other failures keep
# their own status
sql app.db "ALTER TABLE users DROP COLUMN hotfix"
run drift
expect_ok "no drift once the hotfix is gone"
expect_out "no drift: the database matches" "drift says so"
echo "-- edited" >>"migrations/$(ls migrations | head -n 1)/migration.sql"
run status --check
expect_rc 12 "status --check with a MODIFIED migration"
expect_out "MODIFIED" "status shows it"
run migrate --check
expect_rc 7 "migrate --check on an edited migration: integrity, not pending"
rm -rf migrations
echo '{ "tables": [ { "name": "t" ,, } ] }' >schema.json
run generate --check
expect_rc 4 "generate --check on a broken schema file: schema error, not pending"

# --json: one JSON document on stdout, parsed here as a CI script would;
# an error is a JSON object too, beside its one line on stderr
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1" <<<"$OUT"; }
printf '{ "dialect": "sqlite", "url": "sqlite:j.db", "schema": "js.json", "out": "jm" }\n' >cairn.json
cp "$EVOLVE/01_create.json" js.json
run generate --name one
run status --json
expect_ok "status --json"
check "status --json: the format version" [ "$(json_get 'd["format_version"]')" = 1 ]
check "status --json: the migration, pending" [ "$(json_get 'd["migrations"][0]["state"]')" = pending ]
check "status --json: one not applied" [ "$(json_get 'd["not_applied"]')" = 1 ]
run status --json --check
expect_rc 12 "status --json --check gates"
check "status --json --check: one document on stdout" [ "$(json_get 'd["command"]')" = status ]
run --json completion bash
expect_rc 2 "the one command without JSON output (completion) refuses --json"
check "the refusal is a JSON error object" [ "$(json_get 'd["error"]["kind"]')" = usage ]
check "with its exit code" [ "$(json_get 'd["error"]["exit_code"]')" = 2 ]
one_error_line "the refusal is still one line on stderr"
run migrate
run status --json
check "status --json: applied, with its time" \
    [ "$(json_get 'd["migrations"][0]["state"] + " " + str(bool(d["migrations"][0]["applied_at"]))')" = "applied True" ]
run --json dialects
expect_ok "dialects --json"
check "dialects --json lists sqlite with its ABI" [ "$(json_get '[x["abi"] for x in d["dialects"] if x["name"] == "sqlite"][0]')" = 1.5 ]
echo '{ "dialect": "sqlite", "url": "sqlite:j.db", "schema": "js.json", "out": "jm", "bogus": 1 }' >cairn.json
run --json status
expect_rc 3 "a configuration error with --json"
check "is a JSON error of kind config" [ "$(json_get 'd["error"]["kind"]')" = config ]

# --check is not a setting of cairn.json, and only these commands take it
printf '{ "dialect": "sqlite", "check": true }\n' >cairn.json
run status
expect_rc 3 "check in cairn.json is refused"
run export --check
expect_rc 2 "export takes no --check"
finish
