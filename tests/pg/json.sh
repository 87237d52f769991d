#!/usr/bin/env bash
# --json on PostgreSQL (server from tests/pg/run.sh, CAIRN_PG_URL): the
# documents of generate, migrate, status, drift, push and a database error
# (with its SQLSTATE) parse and hold what the server did; no password in
# them.
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"
. "$here/lib.sh"
project jsondb
printf '{ "dialect": "postgresql", "schema": "schema.json", "out": "migrations" }\n' >cairn.json
cat >schema.json <<'JSON'
{ "tables": [ { "name": "users",
    "columns": [ { "name": "id", "type": "integer", "not_null": true },
                 { "name": "email", "type": "text" } ],
    "primary_key": { "columns": ["id"] } } ] }
JSON
jrun generate --name init
expect_ok "generate --json on PostgreSQL"
jis '[(c["kind"], c["object"]) for c in d["changes"]]' "[('create_table', 'users')]" \
    "generate: the change and its table"
jrun migrate
expect_ok "migrate --json on PostgreSQL"
jis '[(m["state"], m["statements_done"]) for m in d["migrations"]]' "[('applied', 1)]" \
    "migrate: applied, one statement"
jis 'd["migrations"][0]["applied_at"] is not None' True "migrate: the history row's time"
jrun status
jis '[m["state"] for m in d["migrations"]]' "['applied']" "status on PostgreSQL"
q jsondb "ALTER TABLE users ADD COLUMN hotfix int" >/dev/null
jrun drift
expect_rc 12 "drift --json after a hand change"
jis 'd["compared_with"] == [m for m in __import__("os").listdir("migrations")]' True \
    "drift names the migration it compared with"
jis '[(c["kind"], c["object"], c["destructive"]) for c in d["changes"]]' \
    "[('drop_column', 'users.hotfix', True)]" "drift: the column to drop"
jrun push --dry-run
jis 'd["statements"]' "['ALTER TABLE \"users\" DROP COLUMN \"hotfix\"']" \
    "push --dry-run: the SQL"
# a migration the server refuses: the error carries its SQLSTATE
mkdir -p migrations/29991231000000_bad
printf 'ALTER TABLE nosuch ADD COLUMN x int;\n' >migrations/29991231000000_bad/migration.sql
cp "migrations/$(ls migrations | head -n 1)/snapshot.json" migrations/29991231000000_bad/
jrun migrate
expect_rc 6 "migrate --json with a failing statement"
jis 'd["error"]["kind"], d["error"]["sqlstate"]' "('database', '42P01')" "the error's SQLSTATE"
jis 'd["migrations"][0]["state"]' failed "the migration that failed"
pw=$(sed -n 's|^[a-z]*://[^:]*:\([^@]*\)@.*|\1|p' <<<"$DATABASE_URL")
if [ -n "$pw" ]; then
    check "no password in the document" bash -c "! grep -qF -- '$pw' <<<'$OUT'"
fi
finish
