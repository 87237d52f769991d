#!/usr/bin/env bash
# Adopting cairn on a database that already has tables: pull, generate a
# baseline migration, `cairn baseline` records it as applied without running
# it, after checking the database equals its snapshot; then life goes on
# with generate + migrate. A database that does not match is refused with
# the differences and nothing recorded, unless --force.
. "$(dirname "$0")/lib.sh"

P="$WORK/adopt"
mkdir -p "$P"
cd "$P" || exit 1
sql app.db "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);
CREATE TABLE posts (id integer PRIMARY KEY, user_id integer REFERENCES users (id), title text);
INSERT INTO users VALUES (1, 'ann@example.com'); INSERT INTO posts VALUES (1, 1, 'hello');"
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json", "out": "migrations" }
JSON

run pull --output schema.json
expect_ok "pull the existing database"
run generate --name baseline
expect_ok "generate the baseline migration"
BASE=$(ls migrations | tail -n 1)

# migrate would fail on the tables that are there: baseline instead
before=$(state .)
dbbefore=$(sql app.db "SELECT count(*) FROM sqlite_master")
run baseline nosuch
expect_rc 2 "baseline of a migration that is not in the folder"
expect_err "no migration nosuch" "the message names it"
check "a refused baseline changes no file" [ "$before" = "$(state .)" ]

run baseline
expect_ok "baseline"
expect_out "$BASE recorded as applied (baseline, not run)" "baseline says what it recorded"
run status
expect_ok "status"
expect_out "baseline $BASE" "status shows the migration as baseline"
run status --check
expect_ok "a baseline migration counts as applied for status --check"
run migrate
expect_ok "migrate after baseline"
expect_out "nothing to apply" "the baseline migration is not run"
expect_sql app.db "SELECT count(*) FROM users" "1" "the rows are untouched"
expect_sql app.db "SELECT checksum = '$(sha256sum "migrations/$BASE/migration.sql" | cut -d' ' -f1)' FROM __cairn_migrations WHERE name = '$BASE'" \
    "1" "recorded with the checksum of its migration.sql"
run baseline
expect_ok "a second baseline"
expect_out "0 migrations recorded as baseline" "records nothing twice"

# life goes on: the next change is generated and migrated as usual
python3 - <<'PY'
import json
s = json.load(open("schema.json"))
for t in s["tables"]:
    if t["name"] == "users":
        t["columns"].append({"name": "name", "type": "text"})
json.dump(s, open("schema.json", "w"), indent=2)
PY
run generate --name add_name
expect_ok "generate after the baseline"
run migrate
expect_ok "migrate the new migration"
expect_sql app.db "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'name'" "1" \
    "the new column is there"

# repair: an applied migration edited afterwards (a comment fixed) blocks
# migrate until the edit is accepted; a deleted one until it is forgotten
ADD=$(ls migrations | tail -n 1)
echo "-- reviewed" >>"migrations/$ADD/migration.sql"
run migrate
expect_rc 7 "migrate refuses an edited applied migration"
expect_err "cairn resolve $ADD --accept-edit" "the refusal says how to accept the edit"
run status
expect_out "MODIFIED $ADD" "status shows it MODIFIED"
before=$(state .)
run resolve "$ADD" --forget
expect_rc 2 "--forget refuses a migration whose folder is there"
run resolve "$BASE" --accept-edit
expect_rc 2 "--accept-edit refuses a migration that was not edited"
run resolve "$BASE" --accept-checksum
expect_rc 2 "--accept-checksum is --accept-edit"
expect_err "was not edited: nothing to accept" "--accept-checksum gives --accept-edit's refusal"
check "refused repairs change nothing" [ "$before" = "$(state .)" ]
run resolve "$ADD" --accept-edit
expect_ok "resolve --accept-edit"
expect_out "nothing was run" "it says nothing ran"
run migrate
expect_ok "migrate goes on after the edit is accepted"
run status --check
expect_ok "status is clean after --accept-edit"
expect_sql app.db "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'name'" "1" \
    "the accepted migration was not run again (one column)"
mkdir -p "$WORK/gone" && mv "migrations/$ADD" "$WORK/gone/"
run migrate
expect_rc 7 "migrate refuses an applied migration whose folder is gone"
expect_err "cairn resolve $ADD --forget" "the refusal says how to forget it"
run resolve "$ADD" --accept-edit
expect_rc 2 "--accept-edit refuses a migration whose folder is gone"
run resolve "$ADD" --forget
expect_ok "resolve --forget"
run migrate
expect_ok "migrate goes on after the row is forgotten"
expect_sql app.db "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'name'" "1" \
    "forgetting changed nothing in the database"
run resolve "$ADD" --forget
expect_rc 2 "nothing left to forget"
mv "$WORK/gone/$ADD" migrations/
sql app.db "DELETE FROM __cairn_migrations WHERE name = '$ADD'"
run resolve "$ADD" --applied --forget
expect_rc 2 "resolve takes one settlement"
run --url sqlite:app.db baseline "$ADD"
expect_ok "the restored folder is baselined back"

# a second database that is not what the migrations say
sql other.db "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, legacy text);"
before=$(state .)
run --url sqlite:other.db baseline "$BASE"
expect_rc 7 "baseline of a database that differs from the snapshot"
expect_out 'CREATE TABLE "posts"' "the differences are shown as SQL"
expect_err "the database is not at $BASE" "the message says which migration"
one_error_line "baseline refused"
check "nothing recorded" bash -c "! sqlite3 other.db 'SELECT name FROM __cairn_migrations' 2>/dev/null | grep -q ."
run --url sqlite:other.db baseline "$BASE" --force
expect_ok "baseline --force records anyway"
expect_err 'warning: CREATE TABLE "posts"' "the differences are printed as warnings"
run --url sqlite:other.db status
expect_out "baseline $BASE" "the forced baseline is recorded up to the given migration"
expect_out "pending  $(ls migrations | tail -n 1)" "later migrations stay pending"

# every repair left an audit row: who, when, what, in order
AUDIT=$(sql app.db "SELECT action || '|' || migration || '|' || detail FROM __cairn_migrations_audit ORDER BY rowid")
check "the audit trail lists baseline, accept-edit, forget, baseline in order" [ "$(printf '%s\n' "$AUDIT" | cut -d'|' -f1 | tr '\n' ,)" = "baseline,resolve --accept-edit,resolve --forget,baseline," ]
check "the accept-edit row names the migration and both checksums" \
    bash -c "grep -Eq '^resolve --accept-edit\|$ADD\|checksum [0-9a-f]{12} -> [0-9a-f]{12}\$' <<<\"\$1\"" _ "$AUDIT"
expect_sql app.db "SELECT count(*) FROM __cairn_migrations_audit WHERE actor = '$(id -un)@$(hostname)' AND at LIKE '____-__-__T__:__:__Z'" 4 \
    "audit rows say who (user@host) and when (UTC)"
expect_sql other.db "SELECT action FROM __cairn_migrations_audit" "baseline --force" \
    "a forced baseline is audited as forced"
run --url sqlite:app.db pull
check "pull does not show the audit table" bash -c "! grep -q _audit <<<\"\$1\"" _ "$OUT"
finish
