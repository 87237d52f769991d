#!/usr/bin/env bash
# push --no-drop on MariaDB (server from tests/mysql/run.sh): a desired
# schema without a table, a column, an index, a foreign key and a view
# keeps them (with their rows) and makes the other changes, one line per
# drop left out, exit 0; the second push says the same and nothing else.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"
. "$here/lib.sh"
mkdir -p "$WORK/nodrop" && cd "$WORK/nodrop" || exit 1
newdb nodrop
q nodrop "CREATE TABLE users (id int PRIMARY KEY, name varchar(50), email varchar(50), INDEX users_email (email));
  CREATE TABLE orders (id int PRIMARY KEY, user_id int, CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id));
  CREATE TABLE old (x int);
  CREATE VIEW user_names AS SELECT id, name FROM users;
  INSERT INTO users VALUES (1, 'ann', 'a@x'); INSERT INTO old VALUES (7);"
cat >schema.sql <<'SQL'
CREATE TABLE users (id int PRIMARY KEY, email varchar(50), age int);
CREATE TABLE orders (id int PRIMARY KEY, user_id int);
SQL
skipped_lines() { printf '%s\n' "$OUT" | grep -c '^skipped (--no-drop): '; }
run --url "$BASE/nodrop" --schema schema.sql push --no-drop
expect_ok "mariadb push --no-drop"
for w in "drop column users.name" "drop index users.users_email" "drop table old" \
         "drop view user_names" "drop foreign key orders.orders_user_fk"; do
    expect_out "skipped (--no-drop): $w" "mariadb push names '$w'"
done
check "mariadb push: five skipped lines" test "$(skipped_lines)" = 5
expect_out "pushed 1 change" "mariadb push adds users.age"
expect_q nodrop "SELECT name FROM users" ann "mariadb: users.name and its row kept"
expect_q nodrop "SELECT x FROM old" 7 "mariadb: old and its row kept"
expect_q nodrop "SELECT (SELECT count(*) FROM information_schema.statistics WHERE table_schema = 'nodrop'
    AND index_name = 'users_email') + (SELECT count(*) FROM information_schema.views WHERE table_schema = 'nodrop')
    + (SELECT count(*) FROM information_schema.referential_constraints WHERE constraint_schema = 'nodrop')" 3 \
    "mariadb: index, view and foreign key kept"
expect_q nodrop "SELECT group_concat(column_name ORDER BY ordinal_position) FROM information_schema.columns
    WHERE table_schema = 'nodrop' AND table_name = 'users'" "id,name,email,age" "mariadb: age added, name in its place"
run --url "$BASE/nodrop" --schema schema.sql push --no-drop
expect_ok "mariadb second push --no-drop"
expect_out "database is up to date" "mariadb second push has nothing else to do"
check "mariadb second push: the same five skipped lines" test "$(skipped_lines)" = 5
finish
