#!/usr/bin/env bash
# The `cairn` binary on MariaDB, end to end: generate + migrate over several
# schema versions with rows that survive, convergence (pull, push, and
# mysqldump --no-data of the migrated database == one built from the desired
# schema), 64 concurrent `cairn migrate`, a statement failing half-way
# (PARTIAL, resume, resolve), a push stopped part-way (exit 10, then
# finished), a migrate killed while a statement runs (resolve
# --statement-done), a declarative .sql schema through a scratch database,
# and errors that never show the password.
# Run through tests/mysql/run.sh (CAIRN_MYSQL_URL, CAIRN_MYSQL_SOCKET).
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"

# shellcheck source=lib.sh
. "$here/lib.sh"
DUMP=$(command -v mariadb-dump || command -v mysqldump)

cd "$WORK" || exit 1
mkdir app && cd app || exit 1
newdb app
export DATABASE_URL="$BASE/app"

# ---- version 1 -----------------------------------------------------------
cat >schema.json <<'EOF'
{ "dialect": "mysql",
  "tables": [
    { "name": "users",
      "columns": [
        { "name": "id", "type": "integer", "not_null": true, "identity": "auto" },
        { "name": "email", "type": "varchar(200)", "not_null": true },
        { "name": "active", "type": "bool", "not_null": true, "default": "true" }
      ],
      "primary_key": { "columns": ["id"] },
      "indexes": [ { "name": "users_email", "columns": ["email"], "unique": true } ] } ] }
EOF
run --schema schema.json generate --name init
expect_ok "generate init"
run --schema schema.json migrate
expect_ok "migrate init"
expect_q app "SELECT name FROM __cairn_migrations" "$(ls migrations)" "history row"
q app "INSERT INTO users (email) VALUES ('a@x.org'), ('b@x.org')"

# ---- version 2: a table with a foreign key, a column in the middle ----------
cat >schema.json <<'EOF'
{ "dialect": "mysql",
  "tables": [
    { "name": "users",
      "columns": [
        { "name": "id", "type": "integer", "not_null": true, "identity": "auto" },
        { "name": "name", "type": "varchar(50)", "not_null": true, "default": "'anon'" },
        { "name": "email", "type": "varchar(200)", "not_null": true },
        { "name": "active", "type": "bool", "not_null": true, "default": "true" },
        { "name": "created", "type": "datetime", "not_null": true, "default": "now()" }
      ],
      "primary_key": { "columns": ["id"] },
      "indexes": [ { "name": "users_email", "columns": ["email"], "unique": true } ] },
    { "name": "posts",
      "comment": "what users write",
      "columns": [
        { "name": "id", "type": "bigint unsigned", "not_null": true, "identity": "auto" },
        { "name": "user_id", "type": "int", "not_null": true },
        { "name": "body", "type": "text" },
        { "name": "meta", "type": "json" }
      ],
      "primary_key": { "columns": ["id"] },
      "foreign_keys": [ { "name": "posts_user", "columns": ["user_id"],
                          "references": { "table": "users", "columns": ["id"] },
                          "on_delete": "cascade" } ] } ],
  "views": [ { "name": "active_users",
               "definition": "select `users`.`id` AS `id`,`users`.`email` AS `email` from `users` where `users`.`active` = 1" } ] }
EOF
run --schema schema.json generate --name posts
expect_ok "generate posts"
run --schema schema.json migrate
expect_ok "migrate posts"
expect_q app "SELECT CONCAT(id, name, email) FROM users ORDER BY id" $'1anona@x.org\n2anonb@x.org' \
    "rows survive, default filled"
expect_q app "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='app' AND TABLE_NAME='users' ORDER BY ORDINAL_POSITION" \
    $'id\nname\nemail\nactive\ncreated' "column order as declared"
q app "INSERT INTO posts (user_id, body) VALUES (1, 'hello')"

# ---- version 3: rename a column (was), widen a type -------------------------
sed -e 's/"name": "body", "type": "text"/"name": "content", "type": "mediumtext", "was": "body"/' \
    schema.json >schema.v3 && mv schema.v3 schema.json
run --schema schema.json generate --name rename
expect_ok "generate rename"
expect_out "" "generate rename"
run --schema schema.json migrate
expect_ok "migrate rename"
expect_q app "SELECT content FROM posts" "hello" "renamed column keeps its data"
sed -e 's/, "was": "body"//' schema.json >schema.v4 && mv schema.v4 schema.json

# ---- convergence ------------------------------------------------------------
run --schema schema.json generate --name nothing
expect_ok "generate with no change"
check "no new migration" [ "$(count_dirs migrations)" = 3 ]
run --schema schema.json push --dry-run
expect_ok "push --dry-run"
expect_out "up to date" "database converged"
run pull
expect_ok "pull"
printf '%s\n' "$OUT" >pulled.json
run --schema pulled.json generate --name from_pull
expect_ok "generate from the pulled schema"
check "pull then generate is empty" [ "$(count_dirs migrations)" = 3 ]

# mysqldump --no-data: migrated == built straight from the desired schema
# (who ran it and the client's character set are not the schema: filtered)
newdb straight
run --schema schema.json export
expect_ok "export"
printf '%s\n' "$OUT" | q straight "$(cat)" || bad "export applies"
run --schema schema.json --url "$BASE/straight" push --dry-run
expect_out "up to date" "exported SQL converges"
dump() {
    "$DUMP" --no-defaults --socket="$SOCK" -uroot --no-data --skip-comments --skip-dump-date \
        --skip-add-drop-table --ignore-table="$1.__cairn_migrations" "$1" | sed -e 's/ AUTO_INCREMENT=[0-9]*//' -e "s/\`$1\`\\.//g" |
        grep -v -E '^/\*!(40[0-9]{3}|50001) SET|^/\*!50013 DEFINER|^/\*M!|^SET |^$'
}
dump app >app.dump
dump straight >straight.dump
check "the dump has the tables and the view" grep -q 'VIEW `active_users`' app.dump
check "the dump has the foreign key" grep -q 'CONSTRAINT `posts_user` FOREIGN KEY' app.dump
if diff -u straight.dump app.dump >dump.diff; then ok; else bad "mysqldump differs: $(cat dump.diff)"; fi

# ---- 64 concurrent migrate runs: each migration exactly once -----------------
# The lock timeout outlasts the queue, so every deployer succeeds; a counter
# that a second run would bump again without an error proves exactly once.
newdb race
mkdir -p custom && cd custom || exit 1
cp ../schema.json .
cp -r ../migrations .
run --schema schema.json generate --custom --name ledger
expect_ok "generate --custom"
mig=$(ls -d migrations/*_ledger)
cat >"$mig/migration.sql" <<'EOF'
CREATE TABLE ledger (id int AUTO_INCREMENT PRIMARY KEY, who varchar(20), hits int NOT NULL DEFAULT 0);
--> statement-breakpoint
INSERT INTO ledger (who) VALUES (CONNECTION_ID());
EOF
run --schema schema.json generate --custom --name bump
expect_ok "generate --custom bump"
printf 'UPDATE ledger SET hits = hits + 1;\n' >>"$(ls -d migrations/*_bump)/migration.sql"
pids=""
for i in $(seq 1 64); do
    "$CAIRN" --url "$BASE/race" --lock-timeout 500000 migrate >"../race.$i.out" 2>&1 &
    pids="$pids $!"
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
check "64 concurrent migrate runs succeed ($fails failed: $(cat ../race.*.out | grep error))" [ "$fails" = 0 ]
expect_q race "SELECT COUNT(*), SUM(hits) FROM ledger" $'1\t1' "the custom migrations ran once"
expect_q race "SELECT COUNT(*), SUM(state) FROM __cairn_migrations" $'5\t0' "five migrations, all done"
applied=$(cat ../race.*.out | grep -cE '^(\[[0-9]+/[0-9]+\] )?applied ')
check "five applications in all, across the deployers ($applied)" [ "$applied" = 5 ]
expect_q race "SELECT COUNT(*) FROM users" "0" "users created once"
cd .. || exit 1

# ---- the lock is per database: held elsewhere, migrate waits then gives up -----
q app "SELECT GET_LOCK('cairn:app:__cairn_migrations', 10), SLEEP(4)" >/dev/null &
holder=$!
sleep 1
run --lock-timeout 1000 migrate
expect_rc 8 "migrate while another session holds the lock"
expect_err "another cairn migrate holds the lock" "lock message"
run --url "$BASE/race" --out custom/migrations --lock-timeout 0 migrate
expect_ok "migrate on another database does not wait for that lock"
wait "$holder"

# ---- a statement failing half-way: PARTIAL, then resume -----------------------
run --schema schema.json generate --custom --name halfway
expect_ok "generate halfway"
mig=$(ls -d migrations/*_halfway)
cat >"$mig/migration.sql" <<'EOF'
CREATE TABLE audit (id int PRIMARY KEY);
--> statement-breakpoint
INSERT INTO audit_source_missing SELECT 1;
--> statement-breakpoint
INSERT INTO audit VALUES (1);
EOF
run migrate
check "a failing statement fails migrate (exit $RC)" [ "$RC" -ne 0 ]
expect_err "1146" "the server's error number is shown"
expect_q app "SELECT state, statements_done, statements_total FROM __cairn_migrations WHERE name LIKE '%halfway'" \
    $'1\t1\t3' "history row PARTIAL after statement 1 of 3"
run status
expect_out "PARTIAL" "status shows the partial migration"
run migrate
expect_rc 10 "migrate refuses to go on past a partial migration"
q app "CREATE TABLE audit_source_missing (x int)"
run migrate --resume
expect_ok "resume after the fix"
expect_q app "SELECT state, statements_done FROM __cairn_migrations WHERE name LIKE '%halfway'" \
    $'0\t3' "resumed migration done"
expect_q app "SELECT COUNT(*) FROM audit" "1" "the last statement ran once"

# a second partial migration, settled by hand with resolve --rolled-back
run --schema schema.json generate --custom --name undo
mig=$(ls -d migrations/*_undo)
cat >"$mig/migration.sql" <<'EOF'
CREATE TABLE undo_me (id int);
--> statement-breakpoint
SELECT * FROM no_such_table;
EOF
run migrate
expect_q app "SELECT state FROM __cairn_migrations WHERE name LIKE '%undo'" "1" "partial again"
q app "DROP TABLE undo_me"
run resolve "$(basename "$mig")" --rolled-back
expect_ok "resolve --rolled-back"
expect_q app "SELECT COUNT(*) FROM __cairn_migrations WHERE name LIKE '%undo'" "0" "row removed"
rm -r "$mig"

# ---- push stopped part-way: what ran is said, and stays -------------------------
# MariaDB commits each DDL statement on its own. A plan whose last statement
# fails on the data (a unique index over duplicates) leaves the tables before
# it created: exit 10 and one line saying which statements ran and which
# failed; a push after the data is fixed finishes from the database as it is.
mkdir -p ../pushed && cd ../pushed || exit 1
PEOPLE='{ "name": "people", "columns": [
    { "name": "id", "type": "int", "not_null": true },
    { "name": "email", "type": "varchar(50)", "not_null": true } ],
  "primary_key": { "columns": ["id"] },
  "indexes": [ { "name": "people_email", "columns": ["email"], "unique": true } ] }'
printf '{ "dialect": "mysql", "tables": [ %s,\n  %s,\n  %s ] }\n' "$PEOPLE" \
    '{ "name": "badges", "columns": [ { "name": "id", "type": "int" } ] }' \
    '{ "name": "notes", "columns": [ { "name": "id", "type": "int" } ] }' >part.json
printf '{ "dialect": "mysql", "tables": [ %s ] }\n' "$PEOPLE" >first.json
newdb pushpart
q pushpart "CREATE TABLE people (id int PRIMARY KEY, email varchar(50) NOT NULL);
            INSERT INTO people VALUES (1, 'a@x.org'), (2, 'a@x.org')"
# expect_plan DB SCHEMA HEADS: push --dry-run of SCHEMA to DB plans
# statements that start with HEADS (their first three words), in that order.
expect_plan() {
    run --url "$BASE/$1" --schema "$2" push --dry-run
    expect_ok "push --dry-run to $1"
    local heads
    heads=$(printf '%s\n' "$OUT" | grep -E '^(CREATE|ALTER|DROP) ' | cut -d' ' -f1-3 | paste -sd' ')
    check "the plan for $1 is: $3 ($OUT)" [ "$heads" = "$3" ]
}
expect_plan pushpart part.json 'CREATE TABLE `badges` CREATE TABLE `notes` CREATE UNIQUE INDEX'
run --url "$BASE/pushpart" --schema part.json push
expect_rc 10 "push that fails at its last statement: partial, not a plain database error"
one_error_line "push stopped part-way"
expect_err "push stopped part-way: statements 1 to 2 of 3 ran" "the message says what ran"
expect_err "statement 3 of 3 failed" "the message names the failing statement"
expect_err "1062" "and the server's error"
expect_q pushpart "SELECT GROUP_CONCAT(TABLE_NAME ORDER BY TABLE_NAME) FROM information_schema.TABLES
                   WHERE TABLE_SCHEMA = 'pushpart'" "badges,notes,people" "statements 1 and 2 are applied"
expect_q pushpart "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'pushpart'
                   AND INDEX_NAME = 'people_email'" "0" "statement 3 is not"
q pushpart "UPDATE people SET email = 'b@x.org' WHERE id = 2"
run --url "$BASE/pushpart" --schema part.json push
expect_ok "push after the data is fixed"
expect_out "1 change" "it runs only what is left"
expect_q pushpart "SELECT COUNT(DISTINCT INDEX_NAME) FROM information_schema.STATISTICS
                   WHERE TABLE_SCHEMA = 'pushpart' AND INDEX_NAME = 'people_email'" "1" "the index is there"
run --url "$BASE/pushpart" --schema part.json push
expect_ok "a third push"
expect_out "up to date" "nothing left to do"

# A plan whose FIRST statement fails (NOT NULL over a NULL row) applied
# nothing: a plain database error, exit 6.
newdb pushfirst
q pushfirst "CREATE TABLE people (id int PRIMARY KEY, email varchar(50));
             INSERT INTO people VALUES (1, NULL)"
expect_plan pushfirst first.json 'ALTER TABLE `people` CREATE UNIQUE INDEX'
run --url "$BASE/pushfirst" --schema first.json push
expect_rc 6 "push whose first statement fails"
one_error_line "push failing at its first statement"
expect_err "push, statement 1 of 2 failed" "the message names the statement"
check "no 'part-way' when nothing ran: $ERR" bash -c '! grep -q "part-way" <<<"$1"' _ "$ERR"
expect_q pushfirst "SELECT IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'pushfirst'
                    AND COLUMN_NAME = 'email'" "YES" "the column is unchanged"
expect_q pushfirst "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'pushfirst'
                    AND INDEX_NAME = 'people_email'" "0" "and no index was made"

# ---- a migrate killed while a statement runs ---------------------------------------
# Statement 3 sleeps on the server and the client is killed (-9) while it
# runs. MariaDB finishes the statement after its client died (and holds that
# session's GET_LOCK until then): only the database can say whether it ran.
# cairn records it as sent (-3) before it sends it and refuses to guess.
mkdir -p ../killed && cd ../killed || exit 1
newdb killed
KURL="$BASE/killed"
printf '{ "dialect": "mysql", "tables": [] }\n' >schema.json
run --url "$KURL" --schema schema.json generate --custom --name counter
expect_ok "generate --custom counter"
NAME=$(ls migrations)
cat >"migrations/$NAME/migration.sql" <<'EOF'
CREATE TABLE cnt (n int);
--> statement-breakpoint
INSERT INTO cnt VALUES (0);
--> statement-breakpoint
UPDATE cnt SET n = n + 1 WHERE SLEEP(8) = 0;
--> statement-breakpoint
SELECT 1;
EOF
"$CAIRN" --url "$KURL" migrate >"$WORK/.bg" 2>&1 </dev/null &
MPID=$!
BG_PIDS="$BG_PIDS $MPID"
await -3 q killed "SELECT statements_done FROM __cairn_migrations WHERE name = '$NAME'"
check "the history says statement 3 was sent before it was sent (got '$GOT')" [ "$GOT" = "-3" ]
await 1 q killed "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'UPDATE cnt%'"
check "statement 3 is running on the server (got '$GOT')" [ "$GOT" = 1 ]
kill -9 "$MPID" 2>/dev/null
wait "$MPID" 2>/dev/null
run --url "$KURL" status
expect_ok "status after the kill"
expect_out "PARTIAL" "status shows the migration stopped part-way"
# (this waits for the lock, which the dead client's session holds until the
# server ends the UPDATE)
run --url "$KURL" migrate --resume
expect_rc 10 "resume refuses to guess a statement's outcome"
expect_err "statement 3 of 4 was running" "the message names the statement"
expect_err "--statement-done" "the message says how to settle it"
one_error_line "resume refusal"
await 1 q killed "SELECT n FROM cnt"
check "the server ran the UPDATE to its end after the client died (n = '$GOT')" [ "$GOT" = 1 ]
run --url "$KURL" resolve "$NAME" --statement-done
expect_ok "resolve --statement-done"
run --url "$KURL" migrate --resume
expect_ok "resume runs statement 4"
expect_q killed "SELECT n FROM cnt" "1" "the counter was incremented exactly once"
expect_q killed "SELECT state, statements_done, statements_total FROM __cairn_migrations" $'0\t4\t4' \
    "the history says done, 4 of 4"

# ---- a declarative .sql schema, normalised in a scratch database ---------------
mkdir -p ../decl && cd ../decl || exit 1
newdb decl
cat >schema.sql <<'EOF'
CREATE TABLE authors (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(80) NOT NULL);
CREATE TABLE books (
  id INT AUTO_INCREMENT PRIMARY KEY,
  author_id INT NOT NULL,
  title VARCHAR(200) NOT NULL DEFAULT 'untitled',
  CONSTRAINT books_author FOREIGN KEY (author_id) REFERENCES authors (id),
  CONSTRAINT title_nonempty CHECK (title <> '')
);
CREATE VIEW titles AS SELECT title FROM books;
EOF
# no dev_url: the driver makes (and drops) a scratch database on the target server
printf '{ "dialect": "mysql", "schema": "schema.sql", "url": "%s" }\n' "$BASE/decl" >cairn.json
unset DATABASE_URL
run push
expect_ok "push a .sql schema"
expect_q decl "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='decl'" "3" \
    "tables and view created"
run push --dry-run
expect_out "up to date" ".sql schema converges"
expect_q mysql "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'cairn\\_scratch%'" \
    "0" "no scratch database left behind"

# ---- foreign keys whose target is not complete when their table is created --
# A cycle between two new tables, and a new table referencing a column and
# key a later change adds to an existing one: the core moves those keys after
# every table (CAIRN_CAP_FKEY_NEEDS_TARGET).
newdb fkorder
back=$PWD
mkdir -p ../fkorder && cd ../fkorder || exit 1
printf '{ "dialect": "mysql", "schema": "schema.sql", "url": "%s" }\n' "$BASE/fkorder" >cairn.json
echo 'CREATE TABLE users (id INT PRIMARY KEY);' >schema.sql
run push
expect_ok "fkorder: first push"
cat >schema.sql <<'EOF2'
CREATE TABLE users (id INT PRIMARY KEY, code INT, UNIQUE KEY users_code (code));
CREATE TABLE orders (id INT PRIMARY KEY, user_code INT,
  CONSTRAINT orders_user FOREIGN KEY (user_code) REFERENCES users (code));
CREATE TABLE a (id INT PRIMARY KEY, b_id INT);
CREATE TABLE b (id INT PRIMARY KEY, a_id INT, CONSTRAINT b_a FOREIGN KEY (a_id) REFERENCES a (id));
ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b (id);
EOF2
run push
expect_ok "fkorder: push of a cycle and a key on a new column"
expect_q fkorder "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA='fkorder'" \
    "3" "fkorder: the three foreign keys exist"
run push --dry-run
expect_out "up to date" "fkorder: second push finds nothing"
echo 'CREATE TABLE users (id INT PRIMARY KEY);' >schema.sql
run push --force
expect_ok "fkorder: dropping the cycle again"
expect_q fkorder "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='fkorder'" \
    "1" "fkorder: only users left"
cd "$back" || exit 1

# ---- adopting an existing database, then drift ---------------------------------
newdb adoptdb
q adoptdb "CREATE TABLE users (id int AUTO_INCREMENT PRIMARY KEY, email varchar(200) NOT NULL UNIQUE,
  st enum('a','b') DEFAULT 'a');
CREATE TABLE posts (id bigint AUTO_INCREMENT PRIMARY KEY, user_id int, title varchar(200),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE, FULLTEXT KEY ft (title));
INSERT INTO users (email) VALUES ('ann@example.com');"
back=$PWD
mkdir -p ../adopt && cd ../adopt || exit 1
run --url "$BASE/adoptdb" --dialect mysql init
expect_ok "adopt: init"
rm schema.json
run pull --output schema.json
expect_ok "adopt: pull"
run generate --name baseline
expect_ok "adopt: generate the baseline"
run baseline
expect_ok "adopt: baseline on MariaDB"
run migrate
expect_out "nothing to apply" "adopt: the baseline is not run"
run drift
expect_ok "adopt: no drift right after the baseline"
q adoptdb "ALTER TABLE users ADD COLUMN hotfix int"
run drift
expect_rc 12 "adopt: drift after a hand change"
expect_out 'DROP COLUMN `hotfix`' "adopt: drift shows the SQL to undo it"
expect_q adoptdb "SELECT COUNT(*) FROM users" "1" "adopt: the rows are untouched"
expect_q adoptdb "SELECT CONCAT(action, ' ', migration) FROM __cairn_migrations_audit" \
    "baseline $(ls migrations | tail -n 1)" "adopt: the baseline is in the audit trail"
cd "$back" || exit 1

# ---- pull says what it leaves out ----------------------------------------------
newdb leftout
q leftout "CREATE TABLE t (id int PRIMARY KEY)"
# partitioning is modelled (partition.sh), except MariaDB's by SYSTEM_TIME
q leftout "CREATE TABLE m (id int) WITH SYSTEM VERSIONING PARTITION BY SYSTEM_TIME (PARTITION p_hist HISTORY, PARTITION p_cur CURRENT)"
q leftout "CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x * 2"
q leftout "CREATE PROCEDURE nothing() BEGIN END"
q leftout "CREATE EVENT tick ON SCHEDULE EVERY 1 DAY DO DELETE FROM t WHERE id < 0"
q mysql "CREATE USER IF NOT EXISTS 'fid_reader'@'localhost'"
q mysql "GRANT SELECT ON leftout.t TO 'fid_reader'@'localhost'"
run --url "$BASE/leftout" --dialect mysql pull --output "$WORK/leftout.json"
expect_ok "pull: what cairn does not model"
# functions, procedures, events and partitions are modelled: pulled, not counted
expect_err 'warning: pull left out what cairn does not model: 1 grant (--verbose names them)' \
    "pull: the left-out line, the core's as for every dialect"
expect_err 'warning: mysql: 1 table read as plain table (SYSTEM_TIME partitioning is not modelled): `m`' \
    "pull: the SYSTEM_TIME table read as a plain one"
check "pull: the function, procedure and event are in the file" \
    test "$(grep -c '"kind": "\(function\|procedure\|event\)"' "$WORK/leftout.json")" = 3
run --url "$BASE/leftout" --dialect mysql pull --verbose
expect_err "left out grant" "pull --verbose names what it left out"
mkdir -p "$WORK/prog" && printf '{ "dialect": "mysql", "progress_interval": 0 }\n' >"$WORK/prog/cairn.json"
(cd "$WORK/prog" || exit 1
    run --url "$BASE/leftout" pull --progress --output "$WORK/progress.json"
    expect_ok "pull --progress"
    expect_err "[10/10] reading the catalog" "pull --progress: the catalog's steps"
    echo "$PASSED $FAILED" >"$WORK/.counts")
read -r PASSED FAILED <"$WORK/.counts"
run --url "$BASE/leftout" --dialect mysql --schema "$WORK/leftout.json" push
expect_ok "push of the pulled schema"
expect_err 'warning: mysql: 1 table read as plain table (SYSTEM_TIME partitioning is not modelled): `m`' \
    "push: a partitioned table managed"
contains "$ERR" "left out" && bad "push: the pull line on push: $ERR" || ok
q mysql "DROP USER 'fid_reader'@'localhost'"

# ---- errors never show the password --------------------------------------------
run --url "${BASE/cairn-test/hunter2-secret}/app" --out ../app/migrations status
expect_rc 6 "wrong password is a database error"
one_error_line "wrong password"
check "password not shown" bash -c "! grep -q hunter2 <<<\"\$1\"" _ "$ERR$OUT"
expect_err "1045 (28000)" "server's error number and SQLSTATE"

finish
