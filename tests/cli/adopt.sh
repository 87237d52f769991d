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
finish
