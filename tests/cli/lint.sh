#!/usr/bin/env bash
# cairn lint and cairn validate on SQLite: every static lint code a SQLite
# schema can trigger, the project's lint.ignore / lint.error, --json, the
# findings that generate prints, a hand-written migration that is not
# analysed; validate's refusals at file:line:column. Nothing is ever
# written by either command.
. "$(dirname "$0")/lib.sh"

json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1" <<<"$OUT"; }
newest() { ls migrations | tail -n 1; }
# project DIR [URL]: a fresh SQLite project in DIR (the current directory after)
project() {
    mkdir -p "$1" && cd "$1" || exit 1
    printf '{ "dialect": "sqlite", %s"schema": "schema.json", "out": "migrations" }\n' \
        "${2:+\"url\": \"$2\", }" >cairn.json
}

project "$WORK/lint"

cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "columns": [
      { "name": "id", "type": "integer", "primary_key": true },
      { "name": "email", "type": "text" },
      { "name": "nick", "type": "text" },
      { "name": "age", "type": "integer", "not_null": true, "default": "0" } ] },
  { "name": "posts", "columns": [
      { "name": "id", "type": "integer", "primary_key": true },
      { "name": "user_id", "type": "integer", "references": { "table": "users", "column": "id" } } ],
    "indexes": [ { "name": "posts_user", "columns": ["user_id"] } ] },
  { "name": "tags", "columns": [ { "name": "id", "type": "integer", "primary_key": true } ] } ] }
JSON
run generate --name init
expect_ok "generate init"
INIT=$(newest)

# ---- no findings: creating tables is safe --------------------------------------
before=$(state .)
run lint
expect_ok "lint of a migration that only creates tables"
expect_out "no findings" "lint says there is nothing"
check "lint writes nothing" [ "$before" = "$(state .)" ]

# ---- one migration with every static finding SQLite can have --------------------
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "columns": [
      { "name": "id", "type": "integer", "primary_key": true },
      { "name": "mail", "type": "text" },
      { "name": "age", "type": "smallint", "not_null": true },
      { "name": "born", "type": "integer", "not_null": true } ] },
  { "name": "posts", "columns": [
      { "name": "id", "type": "integer", "primary_key": true },
      { "name": "user_id", "type": "integer", "references": { "table": "users", "column": "id" } } ] } ] }
JSON
run --json generate --name risky
expect_ok "generate never fails on findings"
printf '%s\n' "$OUT" >"$WORK/generate.json"
RISKY=$(newest)
expect_err "warning: CA101 error $RISKY: drop table tags (destructive)" \
    "generate prints the findings of the migration it wrote as warnings"
expect_err "warning: CA401 warning $RISKY:" "generate prints the rename hint"
check "generate --json: its findings, as lint --json prints them" \
    [ "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1] + "/generate.json"))
print(sorted({f["code"] for f in d["findings"]}), [f["level"] + " " + f["category"] + " " + f["migration"] for f in d["findings"] if f["code"] == "CA101"][0])' "$WORK")" = "['CA101', 'CA102', 'CA103', 'CA104', 'CA105', 'CA201', 'CA401'] error destructive $RISKY" ]

before=$(state .)
run lint
expect_rc 13 "lint with error-level findings"
one_error_line "lint with error-level findings"
expect_err "at error level" "the error line says why"
expect_out "CA101 error $RISKY: drop table tags (destructive)" "CA101 drop table, the documented line"
expect_out "CA102 error $RISKY: drop column users.email (destructive)" "CA102 drop column"
expect_out "CA102 error $RISKY: drop column users.nick (destructive)" "CA102 for each column"
expect_out "CA103 warning $RISKY: drop index posts_user of posts" "CA103 index a foreign key uses"
expect_out "CA104 error $RISKY: narrow users.age from integer to smallint" "CA104 narrowing"
expect_out "CA105 warning $RISKY: drop the default of NOT NULL column users.age" "CA105"
expect_out "CA201 warning $RISKY: add NOT NULL column users.born without a default" \
    "CA201 without a database: a warning"
expect_out "--rename users.email=users.mail" "CA401 suggests the rename"
check "CA401 pairs one drop with one add (nick is not suggested too)" \
    [ "$(printf '%s\n' "$OUT" | grep -c CA401)" -eq 1 ]
check "lint with findings writes nothing" [ "$before" = "$(state .)" ]
check "no CA107 where DDL is transactional: a failure rolls the drops back too" \
    bash -c "! grep -q CA107 <<<\"\$1\"" _ "$OUT"

run lint --json
expect_rc 13 "lint --json with errors"
check "lint --json: the command" [ "$(json_get 'd["command"]')" = lint ]
check "lint --json: errors counted" [ "$(json_get 'd["errors"]')" = 4 ]
check "lint --json: the error's kind names exit 13" [ "$(json_get 'd["error"]["kind"]')" = lint ]
check "lint --json: a finding's fields" \
    [ "$(json_get '[f["level"] + " " + f["category"] + " " + f["migration"] for f in d["findings"] if f["code"] == "CA101"][0]')" = "error destructive $RISKY" ]

# ---- names ------------------------------------------------------------------------
run lint "$INIT"
expect_ok "lint NAME of a safe migration"
expect_out "no findings" "only the named migration is linted"
run lint "$INIT" "$RISKY"
expect_rc 13 "lint of two named migrations"
before=$(state .)
run lint 20990101000000_nosuch
expect_rc 2 "lint of a migration that is not in the folder"
one_error_line "lint NAME unknown"
expect_err "no migration named '20990101000000_nosuch'" "the error names it"
check "a refused lint writes nothing" [ "$before" = "$(state .)" ]

# ---- the project's config: ignore a code, raise one to an error ------------------
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "schema": "schema.json", "out": "migrations",
  "lint": { "ignore": ["CA101", "CA102", "CA104"] } }
JSON
run lint
expect_ok "lint with every error-level code ignored"
check "an ignored code is not printed" bash -c "! grep -q CA101 <<<\"\$1\"" _ "$OUT"
expect_out "CA103 warning" "other codes still are"
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "schema": "schema.json", "out": "migrations",
  "lint": { "ignore": ["CA101", "CA102", "CA104"], "error": ["ca401"] } }
JSON
run lint
expect_rc 13 "lint.error raises a warning to an error"
expect_out "CA401 error $RISKY:" "the raised code prints as an error"
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "schema": "schema.json", "out": "migrations",
  "lint": { "ignore": ["CA999"] } }
JSON
run lint
expect_rc 3 "an unknown code in lint.ignore"
one_error_line "unknown lint code"
expect_err "unknown lint code 'CA999'" "the error names the code"
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "schema": "schema.json", "out": "migrations",
  "lint": { "silence": ["CA101"] } }
JSON
run lint
expect_rc 3 "an unknown key in the lint section"
expect_err 'unknown key "lint.silence"' "the error names the key"
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "schema": "schema.json", "out": "migrations" }
JSON

# ---- a hand-written migration is not analysed, and says so -----------------------
run generate --custom --name backfill
expect_ok "generate --custom"
CUSTOM=$(newest)
printf 'DROP TABLE posts;\n' >>"migrations/$CUSTOM/migration.sql"
run lint
expect_ok "a custom migration is only an info finding"
expect_out "CA901 info $CUSTOM: not analysed" "CA901 says it was not analysed"

# an edited generated migration is not analysed either
run lint "$RISKY"
expect_rc 13 "the generated migration, as written, is analysed"
printf '\n--> statement-breakpoint\nUPDATE users SET age = 1;\n' >>"migrations/$RISKY/migration.sql"
run lint "$RISKY"
expect_ok "an edited migration is not analysed"
expect_out "CA901 info $RISKY" "CA901 for an edited migration"

# ---- with a database: the pending migrations, and counts of the rows that
# would make a change fail (never the rows themselves) ----------------------------
project "$WORK/data" sqlite:app.db
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "columns": [ { "name": "id", "type": "integer", "primary_key": true },
      { "name": "email", "type": "text" }, { "name": "age", "type": "integer" } ] },
  { "name": "posts", "columns": [ { "name": "id", "type": "integer", "primary_key": true },
      { "name": "user_id", "type": "integer" } ] },
  { "name": "empty", "columns": [ { "name": "id", "type": "integer", "primary_key": true } ] } ] }
JSON
run generate --name init
expect_ok "data: generate init"
run lint
expect_ok "data: the pending migration creates tables"
expect_out "no findings" "data: nothing to say about it"
run migrate
expect_ok "data: migrate init"
run lint
expect_ok "data: nothing pending"
expect_out "no findings" "data: lint of no pending migration"
sql app.db "INSERT INTO users VALUES (1,'a@x',NULL),(2,'a@x',5),(3,'b@x',20);
            INSERT INTO posts VALUES (1,99),(2,1);"
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "columns": [ { "name": "id", "type": "integer", "primary_key": true },
      { "name": "email", "type": "text", "unique": true },
      { "name": "age", "type": "integer", "not_null": true },
      { "name": "born", "type": "integer", "not_null": true } ],
    "checks": [ { "name": "adult", "expr": "age >= 18" } ] },
  { "name": "posts", "columns": [ { "name": "id", "type": "integer", "primary_key": true },
      { "name": "user_id", "type": "integer", "references": { "table": "users", "column": "id" } } ] },
  { "name": "empty", "columns": [ { "name": "id", "type": "integer", "primary_key": true },
      { "name": "n", "type": "integer", "not_null": true } ] } ] }
JSON
run generate --name data
expect_ok "data: generate"
DATA=$(newest)
before=$(state .)
run lint
expect_rc 13 "data: lint of the pending migration"
expect_out "CA201 error $DATA: add NOT NULL column users.born without a default: users has 3 rows" \
    "CA201 counted: an error"
expect_out "CA202 error $DATA: add unique key (unnamed) on users (email): 1 value occurs more than once" \
    "CA202 duplicates"
expect_out "CA203 error $DATA: add check adult on users: 1 row violates (age >= 18)" \
    "CA203 a check that rows violate (NULL passes)"
expect_out "CA204 error $DATA: add foreign key (unnamed) on posts to users: 1 row references no row" \
    "CA204 orphans"
expect_out "CA206 error $DATA: set users.age NOT NULL: 1 row holds NULL" "CA206 NULLs"
check "data: an empty table is no problem for a NOT NULL column" \
    bash -c "! grep -q 'empty.n' <<<\"\$1\"" _ "$OUT"
check "data: the rows are never printed" bash -c "! grep -q 'a@x' <<<\"\$1\"" _ "$OUT$ERR"
check "data: lint changes nothing, not the database either" [ "$before" = "$(state .)" ]
# the same migration named, without a database: static findings only
run --url "" lint "$DATA"
expect_ok "data: without a database nothing is counted"
expect_out "CA201 warning $DATA: add NOT NULL column users.born without a default: fails if users has rows" \
    "CA201 uncounted: a warning"
check "data: no counted finding without a database" bash -c "! grep -q 'CA20[2-6]' <<<\"\$1\"" _ "$OUT"
run --url "sqlite:$WORK/nosuchdir/x.db" lint
expect_rc 6 "data: a database that cannot be opened"
one_error_line "data: a database that cannot be opened"

# ---- branches: a migration that joins two heads starts from their merge -------------
project "$WORK/branches"
u() { printf '{ "tables": [ { "name": "users", "columns": [ { "name": "id", "type": "integer", "primary_key": true }%s ] } ] }\n' "$1" >schema.json; }
u ', { "name": "email", "type": "text" }'
run generate --name init
u ', { "name": "email", "type": "text" }, { "name": "phone", "type": "text" }'
run generate --name add_phone
A=$(newest)
mv "migrations/$A" "$WORK/aside"   # a teammate's branch: not here yet
u ''
run generate --name drop_email
B=$(newest)
expect_err "CA102 error $B: drop column users.email" "branches: the drop on its branch is flagged"
mv "$WORK/aside" "migrations/$A"   # both branches merged in git
u ', { "name": "phone", "type": "text" }, { "name": "nick", "type": "text" }'
run generate --name add_nick
expect_ok "branches: generate joins the heads"
run lint
expect_ok "branches: lint of the joining migration"
expect_out "no findings" "branches: the join is diffed from the merge of its parents (no drop of email again, no CA901)"

# ---- validate ----------------------------------------------------------------------
project "$WORK/validate"
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "columns": [
      { "name": "id", "type": "integer", "primary_key": true },
      { "name": "email", "type": "varchar(80)" } ],
    "checks": [ { "name": "email_len", "expr": "length(email) > 3" } ] } ] }
JSON
before=$(state .)
run validate
expect_ok "validate a valid schema"
expect_out "schema.json: valid" "validate says so"
check "validate writes nothing" [ "$before" = "$(state .)" ]

# refused (exit 4, one line, file:line:column, nothing written)
refused_at() { # refused_at "file:line:col: text" "what"
    before=$(state .)
    run validate
    expect_rc 4 "$2"
    one_error_line "$2"
    expect_err "cairn: error: $1" "$2: the position and message"
    check "$2: nothing written" [ "$before" = "$(state .)" ]
}
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "columns": [
      { "name": "id", "type": "integer", "primary_key": true },
      { "name": "email", "type": "txet" } ] } ] }
JSON
refused_at 'schema.json:4:26: column users.email: unknown type "txet" for dialect '"'"'sqlite'"'"' (did you mean "text"?)' \
    "an unknown type with the nearest known one"
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "columns": [ { "name": "id", "type": "integer", "primary_key": true } ] },
  { "name": "posts", "columns": [
      { "name": "id", "type": "integer", "primary_key": true },
      { "name": "user_id", "type": "text",
        "references": { "table": "users", "column": "id" } } ] } ] }
JSON
refused_at 'schema.json:6:9: foreign key of posts: column user_id is text but references users.id, which is integer' \
    "a foreign key whose types differ"
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "columns": [
      { "name": "id", "type": "integer", "primary_key": true },
      { "name": "email", "type": "text" } ],
    "checks": [ { "name": "email_len", "expr": "length(emial) > 3" } ] } ] }
JSON
refused_at 'schema.json:5:17: check email_len of table users names "emial", which is no column of the table (did you mean "email"?)' \
    "a check naming a missing column"
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "posts", "columns": [
      { "name": "id", "type": "integer", "primary_key": true },
      { "name": "user_id", "type": "integer" } ],
    "foreign_keys": [ { "name": "posts_user", "columns": ["user_id"],
                        "references": { "table": "user", "columns": ["id"] } } ] } ] }
JSON
refused_at 'schema.json:6:25: table "posts": foreign key "posts_user" references table "user", which the schema does not define' \
    "a foreign key to a missing table, at its position"
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "columns": [ { "name": "id", "type": "integer", "primary_key": true },
                                  { "name": "id", "type": "text" } ] } ] }
JSON
refused_at 'schema.json:3:45: tables[0].columns[1].name: duplicate column "id"' "a duplicate name"

cat >schema.json <<'JSON'
{ "enums": [ { "name": "mood", "values": ["ok", "sad"] } ],
  "tables": [] }
JSON
refused_at "schema.json:1:14: enum type 'mood': dialect 'sqlite' has no enum types" \
    "a feature the dialect lacks, from its capabilities, at its position"
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "t", "columns": [ { "name": "id", "type": "integer", "comment": "the key" } ] } ] }
JSON
refused_at "schema.json:2:66: comment on column 'id': dialect 'sqlite' has no comments" \
    "a comment on SQLite, at the comment"

# a directory of schema files: the file that holds the problem
rm schema.json
mkdir schema.json.d
sed -i 's/"schema.json"/"schema.json.d"/' cairn.json
cat >schema.json.d/a.json <<'JSON'
{ "tables": [ { "name": "a", "columns": [ { "name": "id", "type": "integer" } ] } ] }
JSON
cat >schema.json.d/b.json <<'JSON'
{ "tables": [
  { "name": "b", "columns": [ { "name": "id", "type": "bigint" },
                              { "name": "at", "type": "datetme" } ] } ] }
JSON
refused_at 'schema.json.d/b.json:3:47: column b.at: unknown type "datetme"' \
    "a directory schema: the file and position of the problem"

finish
