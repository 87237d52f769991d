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
finish
