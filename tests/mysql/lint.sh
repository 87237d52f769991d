#!/usr/bin/env bash
# cairn lint on MariaDB (tests/mysql/run.sh starts the server): CA306 for
# the statements MySQL / MariaDB cannot run ALGORITHM=INPLACE or INSTANT
# (a type change, a new foreign key or check), none for a VARCHAR widened
# within its length prefix or a new index; the counted codes on the server.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
: "${CAIRN_MYSQL_URL:?run through tests/mysql/run.sh}"
. "$here/lib.sh"
newdb lintdb
newest() { ls migrations | tail -n 1; }

mkdir -p "$WORK/mylint" && cd "$WORK/mylint" || exit 1
cat >cairn.json <<JSON
{ "dialect": "mysql", "url": "$BASE/lintdb", "schema": "schema.json", "out": "migrations" }
JSON
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "columns": [
      { "name": "id", "type": "bigint", "primary_key": true },
      { "name": "name", "type": "varchar(40)" },
      { "name": "code", "type": "varchar(20)" },
      { "name": "age", "type": "int" } ] },
  { "name": "posts", "columns": [
      { "name": "id", "type": "bigint", "primary_key": true },
      { "name": "user_id", "type": "bigint" } ] } ] }
JSON
run generate --name init
expect_ok "mysql: generate init"
run migrate
expect_ok "mysql: migrate init"
q lintdb "INSERT INTO users VALUES (1, 'a', 'short', 30), (2, 'b', 'a-code-of-length-14', 5);
          INSERT INTO posts VALUES (1, 99), (2, 1)"

cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "columns": [
      { "name": "id", "type": "bigint", "primary_key": true },
      { "name": "name", "type": "varchar(50)" },
      { "name": "code", "type": "varchar(8)" },
      { "name": "age", "type": "bigint" } ],
    "indexes": [ { "name": "users_name", "columns": ["name"] } ],
    "checks": [ { "name": "adult", "expr": "age >= 18" } ] },
  { "name": "posts", "columns": [
      { "name": "id", "type": "bigint", "primary_key": true },
      { "name": "user_id", "type": "bigint" } ],
    "foreign_keys": [ { "name": "posts_user", "columns": ["user_id"],
                        "references": { "table": "users", "columns": ["id"] } } ] } ] }
JSON
run generate --name risky
expect_ok "mysql: generate never fails on findings"
M=$(newest)
before=$(q lintdb "SELECT COUNT(*), SUM(LENGTH(code)) FROM users")
run lint
expect_rc 13 "mysql: lint of the pending migration"
expect_out "CA306 warning $M: alter column users.age: cannot run ALGORITHM=INPLACE or INSTANT" \
    "mysql: CA306 a type change copies the table"
expect_out "CA306 warning $M: add foreign key to posts.posts_user: cannot run" "mysql: CA306 a foreign key"
expect_out "CA306 warning $M: add check to users.adult: cannot run" "mysql: CA306 a check"
check "mysql: a VARCHAR widened within its length prefix is in place" \
    bash -c "! grep -q 'users.name: cannot' <<<\"\$1\"" _ "$OUT"
check "mysql: a new index is built in place" bash -c "! grep -q 'users_name' <<<\"\$1\"" _ "$OUT"
check "mysql: no PostgreSQL locking code" bash -c "! grep -q 'CA30[1-5]' <<<\"\$1\"" _ "$OUT"
expect_out "CA104 error $M: narrow users.code from varchar(20) to varchar(8)" "mysql: CA104"
expect_out "CA205 error $M: narrow users.code to varchar(8): 1 row holds a longer value" "mysql: CA205"
expect_out "CA203 error $M: add check adult on users: 1 row violates" "mysql: CA203"
expect_out "CA204 error $M: add foreign key posts_user on posts to users: 1 row references no row" "mysql: CA204"
check "mysql: lint changes nothing" [ "$before" = "$(q lintdb "SELECT COUNT(*), SUM(LENGTH(code)) FROM users")" ]
run migrate --check
expect_rc 12 "mysql: the migration is still pending after lint"
finish
