#!/usr/bin/env bash
# cairn lint on PostgreSQL (tests/pg/run.sh starts the server): the locking
# hazards the driver reports (CA301-CA305, the squawk / strong_migrations
# catalogue), none on a table that is empty now, none for a binary-coercible
# type change; the data-dependent codes counted on the server, CA205 among
# them; CA106 for a dropped enum. Lint changes nothing.
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
. "$here/lib.sh"
newdb lintdb
newest() { ls migrations | tail -n 1; }
dbsig() { q lintdb "SELECT string_agg(table_name || '.' || column_name || ':' || data_type || ':' || is_nullable, ',' ORDER BY table_name, column_name) FROM information_schema.columns WHERE table_schema = 'public'"; }

mkdir -p "$WORK/pglint" && cd "$WORK/pglint" || exit 1
cat >cairn.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of lintdb)", "schema": "schema.json", "out": "migrations" }
JSON
cat >schema.json <<'JSON'
{ "enums": [ { "name": "mood", "values": ["ok", "sad"] } ],
  "tables": [
  { "name": "users", "columns": [
      { "name": "id", "type": "bigint", "primary_key": true },
      { "name": "email", "type": "varchar(80)" },
      { "name": "code", "type": "varchar(20)" },
      { "name": "age", "type": "integer" } ] },
  { "name": "posts", "columns": [
      { "name": "id", "type": "bigint", "primary_key": true },
      { "name": "user_id", "type": "bigint" } ] },
  { "name": "logs", "columns": [ { "name": "id", "type": "bigint", "primary_key": true },
      { "name": "at", "type": "integer" } ] } ] }
JSON
run generate --name init
expect_ok "pg: generate init"
run migrate
expect_ok "pg: migrate init"
q lintdb "INSERT INTO users VALUES (1, 'a@x', 'short', NULL), (2, 'a@x', 'a-code-of-length-14', 5);
          INSERT INTO posts VALUES (1, 99), (2, 1)" >/dev/null

cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "columns": [
      { "name": "id", "type": "bigint", "primary_key": true },
      { "name": "email", "type": "text" },
      { "name": "code", "type": "varchar(8)" },
      { "name": "age", "type": "bigint", "not_null": true },
      { "name": "token", "type": "uuid", "default": "gen_random_uuid()" },
      { "name": "seen", "type": "timestamp with time zone", "default": "now()" } ],
    "indexes": [ { "name": "users_email", "columns": ["email"] } ],
    "checks": [ { "name": "adult", "expr": "age >= 18" } ] },
  { "name": "posts", "columns": [
      { "name": "id", "type": "bigint", "primary_key": true },
      { "name": "user_id", "type": "bigint" } ],
    "foreign_keys": [ { "name": "posts_user", "columns": ["user_id"],
                        "references": { "table": "users", "columns": ["id"] } } ] },
  { "name": "logs", "columns": [ { "name": "id", "type": "bigint", "primary_key": true },
      { "name": "at", "type": "integer" } ],
    "indexes": [ { "name": "logs_at", "columns": ["at"] } ] } ] }
JSON
run generate --name risky
expect_ok "pg: generate never fails on findings"
M=$(newest)
expect_err "warning: CA301 warning $M: create index on users.users_email" \
    "pg: generate warns of the locking hazards of what it wrote"
before=$(dbsig)
run lint
expect_rc 13 "pg: lint of the pending migration"
expect_out "CA301 warning $M: create index on users.users_email: blocks writes" "pg: CA301"
expect_out "CA302 warning $M: add foreign key to posts.posts_user: reads every row" "pg: CA302 foreign key"
expect_out "CA302 warning $M: add check to users.adult: reads every row" "pg: CA302 check"
expect_out "CA303 warning $M: alter column users.age: scans the table" "pg: CA303 SET NOT NULL"
expect_out "CA304 warning $M: add column users.token: rewrites the table" "pg: CA304 volatile default"
expect_out "CA305 warning $M: alter column users.age: rewrites the table" "pg: CA305 integer to bigint"
expect_out "CA305 warning $M: alter column users.code: rewrites the table" "pg: CA305 a narrowing"
expect_out "CA104 error $M: narrow users.code from character varying(20) to character varying(8)" "pg: CA104"
expect_out "CA205 error $M: narrow users.code to character varying(8): 1 row holds a longer value" \
    "pg: CA205 counted with CHAR_LENGTH"
expect_out "CA106 warning $M: drops enum" "pg: CA106 a dropped enum"
expect_out "CA203 error $M: add check adult on users: 1 row violates" "pg: CA203"
expect_out "CA204 error $M: add foreign key posts_user on posts to users: 1 row references no row" "pg: CA204"
expect_out "CA206 error $M: set users.age NOT NULL: 1 row holds NULL" "pg: CA206"
check "pg: now() is no volatile default" bash -c "! grep -q 'users.seen' <<<\"\$1\"" _ "$OUT"
check "pg: varchar to text rewrites nothing" bash -c "! grep -q 'users.email: rewrites' <<<\"\$1\"" _ "$OUT"
check "pg: an index on a table that is empty now is no hazard" bash -c "! grep -q 'logs' <<<\"\$1\"" _ "$OUT"
check "pg: lint changes nothing in the database" [ "$before" = "$(dbsig)" ]
expect_sql_count=$(q lintdb "SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email'")
check "pg: lint creates no index" [ "$expect_sql_count" = 0 ]

# without a database: the hazards of every existing table, nothing counted
run --url "" lint "$M"
expect_rc 13 "pg: lint NAME without a database (CA104 is still an error)"
expect_out "CA301 warning $M: create index on logs.logs_at" "pg: without a database every table may have rows"
check "pg: nothing counted without a database" bash -c "! grep -q 'CA20[2-6]' <<<\"\$1\"" _ "$OUT"

# the locking codes silenced by the project
cat >cairn.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of lintdb)", "schema": "schema.json", "out": "migrations",
  "lint": { "ignore": ["CA301", "CA302", "CA303", "CA304", "CA305"] } }
JSON
run lint
check "pg: lint.ignore silences the locking codes" bash -c "! grep -q 'CA30' <<<\"\$1\"" _ "$OUT"
finish
