#!/usr/bin/env bash
# push --no-drop on PostgreSQL (server from tests/pg/run.sh): a desired
# schema without a table, a column, an index, a check, a foreign key and a
# view keeps them (with their rows) and makes the other changes, one line
# per drop left out, exit 0; the second push says the same and nothing else.
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"
. "$here/lib.sh"
project nodropdb
q nodropdb "CREATE TABLE users (id int PRIMARY KEY, name text, email text CHECK (email <> ''));
  CREATE INDEX users_email ON users (email);
  CREATE TABLE orders (id int PRIMARY KEY, user_id int CONSTRAINT orders_user_fk REFERENCES users (id));
  CREATE TABLE old (x int);
  CREATE VIEW user_names AS SELECT id, name FROM users;
  INSERT INTO users VALUES (1, 'ann', 'a@x'); INSERT INTO old VALUES (7);" >/dev/null
cat >schema.sql <<'SQL'
CREATE TABLE users (id int PRIMARY KEY, email text, age int);
CREATE TABLE orders (id int PRIMARY KEY, user_id int);
SQL
skipped_lines() { printf '%s\n' "$OUT" | grep -c '^skipped (--no-drop): '; }
run --schema schema.sql push --no-drop
expect_ok "pg push --no-drop"
for w in "drop column users.name" "drop index users.users_email" "drop table old" \
         "drop view user_names" "drop foreign key orders.orders_user_fk" "drop check users.users_email_check"; do
    expect_out "skipped (--no-drop): $w" "pg push names '$w'"
done
check "pg push: six skipped lines" test "$(skipped_lines)" = 6
expect_out "pushed 1 change" "pg push adds users.age"
check "pg: users.name and its row kept" test "$(q nodropdb "SELECT name FROM users")" = ann
check "pg: old and its row kept" test "$(q nodropdb "SELECT x FROM old")" = 7
check "pg: index, view, check and foreign key kept" test "$(q nodropdb \
    "SELECT (SELECT count(*) FROM pg_class WHERE relname IN ('users_email', 'user_names'))
          + (SELECT count(*) FROM pg_constraint WHERE conname IN ('orders_user_fk', 'users_email_check'))")" = 4
check "pg: users.age added" test "$(q nodropdb "SELECT count(*) FROM information_schema.columns
    WHERE table_name = 'users' AND column_name = 'age'")" = 1
run --schema schema.sql push --no-drop
expect_ok "pg second push --no-drop"
expect_out "database is up to date" "pg second push has nothing else to do"
check "pg second push: the same six skipped lines" test "$(skipped_lines)" = 6

# Row-level security turned off is a drop too (sqldef's enable_drop: false
# agrees): the policies --no-drop keeps would stop applying. Turning it on,
# or from forced to enabled, is applied as written.
q nodropdb "CREATE TABLE docs (id int, owner text); ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
  CREATE POLICY own ON docs USING (owner = current_user);
  CREATE TABLE notes (id int); ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
  ALTER TABLE notes FORCE ROW LEVEL SECURITY; CREATE TABLE memos (id int);" >/dev/null
rls() { q nodropdb "SELECT relname || ':' || relrowsecurity || relforcerowsecurity FROM pg_class
    WHERE relname IN ('docs', 'notes', 'memos') ORDER BY 1" | tr '\n' ' '; }
cat >>schema.sql <<'SQL'
CREATE TABLE docs (id int, owner text);
CREATE TABLE notes (id int);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE TABLE memos (id int);
ALTER TABLE memos ENABLE ROW LEVEL SECURITY;
SQL
run --schema schema.sql push --no-drop --json
expect_ok "pg push --no-drop with row-level security"
check "pg: docs keeps row-level security, notes loses FORCE, memos gets it" \
    test "$(rls)" = "docs:truefalse memos:truefalse notes:truefalse "
check "pg: docs' policy kept" test "$(q nodropdb "SELECT count(*) FROM pg_policy WHERE polname = 'own'")" = 1
check "pg --json: row-level security of docs listed as skipped" \
    sh -c 'printf "%s" "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); s=[x for x in d[\"skipped\"] if \"docs\" in x[\"object\"]]; sys.exit(0 if len(s) == 2 else 1)"' _ "$OUT"
run --schema schema.sql push --no-drop
expect_out "skipped (--no-drop): set table options docs" "pg push --no-drop names docs' row-level security"
expect_out "database is up to date" "pg push --no-drop with row-level security converges"
check "pg: row-level security unchanged by the second push" \
    test "$(rls)" = "docs:truefalse memos:truefalse notes:truefalse "
run --schema schema.sql push --force
expect_ok "pg push --force without --no-drop"
check "pg: without --no-drop docs' row-level security is turned off" \
    test "$(rls)" = "docs:falsefalse memos:truefalse notes:truefalse "
finish
