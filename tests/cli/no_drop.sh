#!/usr/bin/env bash
# push / generate --no-drop (sqldef's enable_drop: false): every change but
# the drops is made; each drop left out is named on one line; a second run
# has nothing else to do and says the same; a rebuild keeps the kept column
# and its rows; generate's migration and snapshot leave the objects in.
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 1
sqlite3 app.db <<'SQL'
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT);
CREATE INDEX users_email ON users (email);
CREATE TABLE audit (msg TEXT);
CREATE TRIGGER users_del BEFORE DELETE ON users BEGIN INSERT INTO audit VALUES ('gone'); END;
CREATE TABLE old (x INT);
CREATE VIEW user_names AS SELECT id, name FROM users;
INSERT INTO users VALUES (1, 'ann', 'ann@example.org'), (2, 'bob', NULL);
INSERT INTO old VALUES (7);
SQL
# no name column, no index, trigger, old table or view; a new column and table
cat >schema.sql <<'SQL'
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, age INT);
CREATE TABLE audit (msg TEXT);
CREATE TABLE added (y INT);
SQL

skipped_lines() { printf '%s\n' "$OUT" | grep -c '^skipped (--no-drop): '; }

# ---- a dry run says what it leaves out and what it would do
run --url sqlite:app.db --schema schema.sql push --no-drop --dry-run
expect_ok "push --no-drop --dry-run"
for w in "drop column users.name" "drop index users.users_email" "drop table old" \
         "drop view user_names" "drop trigger users.users_del"; do
    expect_out "skipped (--no-drop): $w" "dry run names '$w'"
done
check "dry run: five skipped lines" test "$(skipped_lines)" = 5
if contains "$OUT" "DROP"; then bad "dry run plans a DROP: $OUT"; else ok; fi
expect_out 'ADD COLUMN "age"' "dry run adds users.age"

# ---- the push: no --force needed (nothing destructive is left), exit 0
run --url sqlite:app.db --schema schema.sql push --no-drop
expect_ok "push --no-drop"
check "push: five skipped lines" test "$(skipped_lines)" = 5
expect_out "pushed 2 changes" "push makes the two other changes"
expect_sql app.db "SELECT name FROM users ORDER BY id" $'ann\nbob' "users.name and its rows kept"
expect_sql app.db "SELECT x FROM old" "7" "table old and its row kept"
expect_sql app.db "SELECT count(*) FROM sqlite_master WHERE name IN ('users_email','users_del','user_names')" \
    "3" "index, trigger and view kept"
expect_sql app.db "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'age'" "1" "users.age added"
expect_sql app.db "SELECT count(*) FROM sqlite_master WHERE name = 'added'" "1" "table added created"

# ---- the second push: the same skipped lines, nothing else
run --url sqlite:app.db --schema schema.sql push --no-drop
expect_ok "second push --no-drop"
check "second push: the same five skipped lines" test "$(skipped_lines)" = 5
expect_out "database is up to date" "second push has nothing else to do"

# ---- a change that rebuilds the table keeps the kept column and its rows
sed -i 's/email TEXT, age INT/email TEXT NOT NULL DEFAULT '"''"', age INT/' schema.sql
run --url sqlite:app.db --schema schema.sql push --no-drop --force
expect_ok "push --no-drop of a rebuild"
expect_sql app.db "SELECT name FROM users ORDER BY id" $'ann\nbob' "rebuild keeps users.name's rows"
expect_sql app.db "SELECT count(*) FROM sqlite_master WHERE name IN ('users_email','users_del')" \
    "2" "rebuild keeps the index and trigger"
run --url sqlite:app.db --schema schema.sql push --no-drop --dry-run
expect_out "database is up to date" "after the rebuild: up to date"

# ---- without the option the drops are what they were: destructive, refused
run --url sqlite:app.db --schema schema.sql push
expect_rc 9 "push without --no-drop"
expect_err "drops table \"old\" and all its data" "push without --no-drop warns of the drop"
expect_sql app.db "SELECT x FROM old" "7" "a refused push keeps table old"

# ---- generate: the migration has no drop, the snapshot keeps the objects
mkdir gen && cd gen || exit 1
printf 'CREATE TABLE a (id INT, b TEXT);\nCREATE TABLE c (id INT);\nCREATE INDEX a_b ON a (b);\n' >s1.sql
printf 'CREATE TABLE a (id INT, n INT);\n' >s2.sql
run --dialect sqlite --schema s1.sql generate --name one
expect_ok "generate one"
run --dialect sqlite --schema s2.sql generate --no-drop --name two
expect_ok "generate --no-drop"
check "generate: three skipped lines" test "$(skipped_lines)" = 3
expect_out "skipped (--no-drop): drop table c" "generate names table c"
m=$(cat migrations/*_two/migration.sql)
if contains "$m" "DROP"; then bad "the migration drops: $m"; else ok; fi
if contains "$m" 'ADD COLUMN "n"'; then ok; else bad "the migration lacks a.n: $m"; fi
run --dialect sqlite --schema s2.sql generate --no-drop --name three
expect_ok "second generate --no-drop"
expect_out "no changes" "second generate writes nothing"
check "second generate: the same three skipped lines" test "$(skipped_lines)" = 3
check "no third migration" test "$(count_dirs migrations)" = 2
run --dialect sqlite --url sqlite:g.db migrate
expect_ok "migrate the --no-drop migrations"
expect_sql g.db "SELECT count(*) FROM sqlite_master WHERE name IN ('c','a_b')" "2" "c and a_b stay"

# ---- bad input: the option takes no value, and is not an option of pull
refused 2 "--no-drop=yes" --url sqlite:app.db --schema schema.sql push --no-drop=yes
refused 2 "pull --no-drop" --url sqlite:app.db pull --no-drop

# ---- --json: the drops left out under "skipped", not under "changes"
cd "$WORK" && mkdir js && cd js || exit 1
sqlite3 j.db 'CREATE TABLE a (id INT, b TEXT); CREATE TABLE c (id INT);'
printf 'CREATE TABLE a (id INT, n INT);\n' >s.sql
jrun --url sqlite:j.db --schema s.sql push --no-drop --dry-run
jis 'sorted((x["kind"], x["object"]) for x in d["skipped"])' \
    "[('drop_column', 'a.b'), ('drop_table', 'c')]" "push --json lists the skipped drops"
jis '[x["kind"] for x in d["changes"]]' "['add_column']" "push --json: the drops are no changes"
jrun --url sqlite:j.db --schema s.sql push --dry-run
jis 'd["skipped"]' "[]" "push --json without --no-drop: nothing skipped"
jrun --dialect sqlite --schema s.sql generate --no-drop --name one
jis 'len(d["skipped"])' "0" "generate --json from nothing skips nothing"

# ---- "no_drop": true in cairn.json does what --no-drop does
printf '{"url": "sqlite:j.db", "schema": "s.sql", "no_drop": true}\n' >cairn.json
run push
expect_ok "push with no_drop in cairn.json"
check "cairn.json no_drop: two skipped lines" test "$(skipped_lines)" = 2
expect_sql j.db "SELECT count(*) FROM sqlite_master WHERE name = 'c'" "1" "no_drop keeps table c"
expect_sql j.db "SELECT count(*) FROM pragma_table_info('a') WHERE name IN ('b','n')" "2" \
    "no_drop keeps a.b and adds a.n"
printf '{"url": "sqlite:j.db", "schema": "s.sql", "no_drop": false}\n' >cairn.json
run push --dry-run
expect_ok "push with no_drop false"
check "no_drop false: nothing skipped" test "$(skipped_lines)" = 0
expect_out 'DROP TABLE' "no_drop false: the drop is planned"
printf '{"url": "sqlite:j.db", "schema": "s.sql", "no_drop": "yes"}\n' >cairn.json
refused 3 "no_drop \"yes\"" push
expect_err '"no_drop" must be true or false' "no_drop yes: the message"
rm cairn.json

# ---- generate --no-drop after a rename: the kept table's hints ----------------
# A table and column renamed with hints, then the table left out of the
# schema: --no-drop keeps it, and its old hints are not renames of anything
# any more, so the snapshot keeps it without them, as it always has.
mkdir "$WORK/hints" && cd "$WORK/hints" || exit 1
gen() { run --dialect sqlite --schema schema.json --out migrations generate "$@"; }
printf '%s\n' '{"tables": [{"name": "a", "columns": [{"name": "id", "type": "integer"}, {"name": "x", "type": "text"}]},' \
    '{"name": "keep", "columns": [{"name": "id", "type": "integer"}]}]}' >schema.json
gen --name m1
expect_ok "generate m1"
printf '%s\n' '{"tables": [{"name": "b", "was": "a", "columns": [{"name": "id", "type": "integer"},' \
    '{"name": "y", "was": "x", "type": "text"}]}, {"name": "keep", "columns": [{"name": "id", "type": "integer"}]}]}' \
    >schema.json
gen --name m2
expect_ok "generate m2 (renames)"
printf '%s\n' '{"tables": [{"name": "keep", "columns": [{"name": "id", "type": "integer"},' \
    '{"name": "z", "type": "integer"}]}]}' >schema.json
gen --name m3 --no-drop
expect_ok "generate m3 --no-drop"
M3=$(ls migrations | tail -n 1)
check "m3 keeps table b" grep -q '"name": "b"' "migrations/$M3/snapshot.json"
check "m3's snapshot has no rename hints" sh -c "! grep -q '\"was\"' migrations/$M3/snapshot.json"
gen --no-drop
expect_out "no changes" "then nothing to generate with --no-drop"

finish
