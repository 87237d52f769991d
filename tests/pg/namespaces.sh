#!/usr/bin/env bash
# Foreign keys across namespaces on PostgreSQL (server from tests/pg/run.sh):
# a table in another namespace referencing one in the default namespace
# names it ("schema": "public", as pull writes it) while the model calls
# the default namespace NULL. The reference finds its table: validate
# accepts it, push creates and drops in an order the server takes, and a
# second push finds nothing to do. A key under a foreign key that changes
# (a renamed table's new primary key) takes the foreign key with it.
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"
. "$here/lib.sh"
project nsdb
printf '{ "dialect": "postgresql", "schema": "schema.json", "out": "migrations",
  "namespaces": ["public", "app"] }\n' >cairn.json
# app.orders -> public.users across namespaces; notes -> public.users in
# its own namespace, written out.
cat >full.json <<'JSON'
{ "namespaces": ["app"], "tables": [
  { "name": "users", "columns": [ { "name": "id", "type": "integer", "not_null": true } ],
    "primary_key": { "columns": ["id"] } },
  { "schema": "app", "name": "orders",
    "columns": [ { "name": "id", "type": "integer", "not_null": true },
                 { "name": "user_id", "type": "integer" } ],
    "primary_key": { "columns": ["id"] },
    "foreign_keys": [ { "name": "orders_user_fk", "columns": ["user_id"],
      "references": { "schema": "public", "table": "users", "columns": ["id"] } } ] },
  { "name": "notes",
    "columns": [ { "name": "id", "type": "integer", "not_null": true },
                 { "name": "user_id", "type": "integer" } ],
    "foreign_keys": [ { "name": "notes_user_fk", "columns": ["user_id"],
      "references": { "schema": "public", "table": "users", "columns": ["id"] } } ] } ] }
JSON
cp full.json schema.json
run validate
expect_ok "validate: a reference to public.users finds the table \"users\""
run push
expect_ok "push creates the tables and both foreign keys"
check "the foreign keys are on the server" \
    test "$(q nsdb "SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE contype = 'f'")" = \
    "notes_user_fk,orders_user_fk"
run push
expect_out "database is up to date" "a second push finds nothing to do"
run pull
expect_ok "pull"
check "pull names the default namespace in the cross-namespace reference" \
    contains "$OUT" '"schema": "public"'

# users renamed to members with a new primary key name: both keys that
# reference it (in its namespace and from app) go before the old key and
# come back after the new one
python3 - <<'PY'
import json
d = json.load(open("full.json"))
d["tables"][0].update(name="members", was="users",
                      primary_key={"name": "members_pkey", "columns": ["id"]})
for t in d["tables"][1:]:
    t["foreign_keys"][0]["references"]["table"] = "members"
json.dump(d, open("schema.json", "w"))
PY
q nsdb "INSERT INTO users VALUES (1); INSERT INTO app.orders VALUES (1, 1); INSERT INTO notes VALUES (1, 1)" >/dev/null
run push
expect_ok "push renames users and its primary key under two foreign keys"
check "the keys reference members now" \
    test "$(q nsdb "SELECT string_agg(DISTINCT confrelid::regclass::text, ',') FROM pg_constraint WHERE contype = 'f'")" = members
check "the rows stay" test "$(q nsdb "SELECT count(*) FROM app.orders JOIN members m ON m.id = user_id")" = 1
run push
expect_out "database is up to date" "a second push after the rename finds nothing to do"

# everything goes: the keys' tables before the table they reference
printf '{ "namespaces": ["app"], "tables": [] }\n' >schema.json
run push --force
expect_ok "push drops app.orders and notes before users"
check "no table is left" test "$(q nsdb "SELECT count(*) FROM pg_tables WHERE schemaname IN ('public', 'app')")" = 0

# the same through generate and migrate on a new database
newdb nsdb2
DATABASE_URL=$(url_of nsdb2)
cp full.json schema.json
run generate --name init
expect_ok "generate the tables"
printf '{ "namespaces": ["app"], "tables": [] }\n' >schema.json
run generate --name drop_all
expect_ok "generate the drops"
drop_sql=$(cat migrations/*_drop_all/migration.sql)
check "the drop migration drops users last" \
    test "$(printf '%s\n' "$drop_sql" | grep 'DROP TABLE' | tail -n 1)" = 'DROP TABLE "users";'
run migrate
expect_ok "migrate creates, then drops, in an order the server takes"
finish
