#!/usr/bin/env bash
# A primary key's COMMENT on MariaDB (issue 10): pulled into "primary_key":
# {"comment"}, written back by push, pull -> push into an empty database ->
# pull gives the same file, a second push finds nothing; a comment added to
# a key that had none, and a changed key with a comment (sqldef's
# CreateTableChangePrimaryKeyWithComment), converge.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"
. "$here/lib.sh"
mkdir -p "$WORK/pkc" && cd "$WORK/pkc" || exit 1
newdb pkc_a
newdb pkc_b
q pkc_a "CREATE TABLE friends (user_id bigint NOT NULL, friend_id bigint NOT NULL,
  PRIMARY KEY (user_id, friend_id) COMMENT 'who knows whom');
  CREATE TABLE plain (id int PRIMARY KEY)"
run --url "$BASE/pkc_a" pull --output a.json
expect_ok "pull"
check "pull writes the key's comment" grep -q '"comment": "who knows whom"' a.json
run --url "$BASE/pkc_b" --schema a.json push
expect_ok "push of the pulled schema into an empty database"
expect_q pkc_b "SELECT INDEX_COMMENT FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'pkc_b'
  AND TABLE_NAME = 'friends' AND INDEX_NAME = 'PRIMARY' AND SEQ_IN_INDEX = 1" "who knows whom" \
  "the copy's key has the comment"
run --url "$BASE/pkc_b" pull --output b.json
check "pull of the copy gives the same file" cmp -s a.json b.json
run --url "$BASE/pkc_b" --schema a.json push --dry-run
expect_out "database is up to date" "a second push finds nothing"

# a comment on a key that had none; a changed key with a comment
cat >s.sql <<'SQL'
CREATE TABLE friends (user_id bigint NOT NULL, friend_id bigint NOT NULL, created_at datetime,
  PRIMARY KEY (user_id, friend_id) COMMENT 'who knows whom');
CREATE TABLE plain (id int, PRIMARY KEY (id) COMMENT 'now said');
SQL
newdb pkc_c
q pkc_c "CREATE TABLE friends (user_id bigint NOT NULL PRIMARY KEY, friend_id bigint NOT NULL);
  CREATE TABLE plain (id int PRIMARY KEY)"
run --url "$BASE/pkc_c" --schema s.sql push --force
expect_ok "push of a changed key with a comment"
expect_q pkc_c "SELECT group_concat(DISTINCT INDEX_COMMENT ORDER BY TABLE_NAME) FROM
  information_schema.STATISTICS WHERE TABLE_SCHEMA = 'pkc_c' AND INDEX_NAME = 'PRIMARY'" \
  "who knows whom,now said" "both keys have their comments"
run --url "$BASE/pkc_c" --schema s.sql push --dry-run
expect_out "database is up to date" "a second push after the change finds nothing"

# bad input: a comment that is no string, nothing written
printf '{"tables": [{"name": "t", "columns": [{"name": "id", "type": "int", "not_null": true}],
  "primary_key": {"columns": ["id"], "comment": 1}}]}\n' >bad.json
run --url "$BASE/pkc_c" --schema bad.json push
expect_rc 4 "a comment that is no string"
one_error_line "a comment that is no string"
expect_err "expected a string" "a comment that is no string: the error says so"
finish
