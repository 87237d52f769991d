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
newest() { ls migrations | tail -n 1; }
# project DB: a fresh database DB and a project folder for it (the current
# directory after)
project() {
    newdb "$1"
    mkdir -p "$WORK/$1" && cd "$WORK/$1" || exit 1
    printf '{ "dialect": "mysql", "url": "%s/%s", "schema": "schema.json", "out": "migrations" }\n' \
        "$BASE" "$1" >cairn.json
}

project lintdb
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
# ---- CA107: a drop that runs before a change that may fail on the rows -------
# MySQL commits each statement. The driver writes drops last, so a plain
# drop + unique key never warns; a drop kept in place (a later column takes
# the name it frees) runs before the unique index: generate and lint name
# both, and migrate shows why (the drop is done when the index fails).
project undone
tables() { # tables COLUMNS INDEXES: the tables n (with rows) and e (empty), alike
    local t out=""
    for t in n e; do
        out="$out${out:+,}
  { \"name\": \"$t\", \"columns\": [ { \"name\": \"id\", \"type\": \"int\", \"primary_key\": true },
      { \"name\": \"email\", \"type\": \"varchar(40)\" }$1 ], \"indexes\": [ ${2//@/$t} ] }"
    done
    printf '{ "tables": [%s ] }\n' "$out" >schema.json
}
tables ', { "name": "old", "type": "int" }, { "name": "Note", "type": "int" }' ''
run generate --name init
expect_ok "undone: generate init"
run migrate
expect_ok "undone: migrate init"
q undone "INSERT INTO n VALUES (1, 'a@x', 1, 1), (2, 'a@x', 2, 2)"

# a plain drop and a unique index: the drop is written last, no CA107
tables ', { "name": "Note", "type": "int" }' '{ "name": "@_email", "columns": ["email"], "unique": true }'
run generate --name droplast
expect_ok "undone: generate a drop and a unique index"
M=$(newest)
check "undone: the drop is the last statement" \
    [ "$(grep -v '^--' "migrations/$M/migration.sql" | grep . | tail -n 1)" = 'ALTER TABLE `n` DROP COLUMN `old`;' ]
check "undone: no CA107 at generate when the drop runs last: $ERR" \
    bash -c "! grep -q CA107 <<<\"\$1\"" _ "$ERR"
run lint
check "undone: no CA107 from lint when the drop runs last" bash -c "! grep -q CA107 <<<\"\$1\"" _ "$OUT"
rm -rf "migrations/$M"

# Note dropped and note added: the drop of Note stays before the add (one
# name on MySQL), and the drops before it stay in place too
tables ', { "name": "note", "type": "varchar(10)" }' '{ "name": "@_email", "columns": ["email"], "unique": true }'
run --json generate --name kept
expect_ok "undone: generate never fails on CA107"
M=$(newest)
check "undone: generate --json lists CA107 among its findings" \
    [ "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(f["code"]=="CA107" and f["level"]=="warning" for f in d["findings"]))' <<<"$OUT")" = 4 ]
# generate counts no rows: the first unique index after the drops (e's) is
# the first that may fail, and the empty table's drops are named too
expect_err "warning: CA107 warning $M: drop column n.Note runs before create index e.e_email (fails on duplicate values, and more changes after it may fail): DDL is not transactional on this dialect, so if that fails on existing rows, the drop is done and not undone (move it to a later migration) (destructive)" \
    "undone: generate names the drop and the first change after it that may fail"
expect_err "warning: CA107 warning $M: drop column n.old runs before create index e.e_email" \
    "undone: and each drop kept before it"
expect_err "warning: CA107 warning $M: drop column e.Note runs before create index e.e_email" \
    "undone: and the table that is empty now"
before=$(q undone "SELECT COUNT(*), SUM(old), SUM(Note) FROM n")
run lint
expect_rc 13 "undone: lint (CA102 drops are errors)"
expect_out "CA107 warning $M: drop column n.Note runs before create index n.n_email (fails on duplicate values): DDL" \
    "undone: lint counts rows: the index on the empty table cannot fail"
expect_out "CA107 warning $M: drop column n.old runs before create index n.n_email" \
    "undone: lint, the other drop"
check "undone: lint leaves out the drops of the table that is empty now" \
    bash -c "! grep -q 'CA107.*column e\.' <<<\"\$1\"" _ "$OUT"
check "undone: lint changes nothing" [ "$before" = "$(q undone "SELECT COUNT(*), SUM(old), SUM(Note) FROM n")" ]
run lint --json
check "undone: lint --json carries CA107 as a destructive warning" \
    [ "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(sorted({f["level"]+"/"+f["category"] for f in d["findings"] if f["code"]=="CA107"})), sum(f["code"]=="CA107" for f in d["findings"]))' <<<"$OUT")" = "warning/destructive 2" ]
cp cairn.json cairn.json.keep
sed -i 's/"out": "migrations"/"out": "migrations", "lint": { "ignore": ["CA107"] }/' cairn.json
run lint
check "undone: lint.ignore silences CA107" bash -c "! grep -q CA107 <<<\"\$1\"" _ "$OUT"
mv cairn.json.keep cairn.json
# a dropped table stays before a change to the table its foreign key
# references (the key's index must go first): named as well
project undone_t
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "p", "columns": [ { "name": "id", "type": "int", "primary_key": true },
                              { "name": "email", "type": "varchar(40)" } ] },
  { "name": "c", "columns": [ { "name": "id", "type": "int", "primary_key": true },
                              { "name": "pid", "type": "int", "references": { "table": "p", "column": "id" } } ] } ] }
JSON
run generate --name init
expect_ok "undone_t: generate init"
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "p", "columns": [ { "name": "id", "type": "int", "primary_key": true },
                              { "name": "email", "type": "varchar(40)" } ],
    "indexes": [ { "name": "p_email", "columns": ["email"], "unique": true } ] } ] }
JSON
run generate --name dropc
expect_ok "undone_t: generate"
M=$(newest)
expect_err "warning: CA107 warning $M: drop table c runs before create index p.p_email (fails on duplicate values)" \
    "undone_t: a dropped table kept before a unique index on the table it references"
cd "$WORK/undone" || exit 1

# what the warning is about: the index fails on the duplicates after the drops ran
run migrate
expect_rc 6 "undone: migrate fails on the duplicates"
expect_err "7 of 8 statements ran and stay applied" "undone: with the drops run"
expect_err "CREATE UNIQUE INDEX \`n_email\` ON \`n\` (\`email\`);): mysql: ERROR 1062" \
    "undone: the unique index failed"
expect_q undone "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='undone'
  AND TABLE_NAME='n' AND BINARY COLUMN_NAME IN ('old', 'Note')" "0" "undone: the dropped columns are gone for good"

finish
