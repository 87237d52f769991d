#!/usr/bin/env bash
# What cairn promises when things go wrong (docs/reliability.md), on SQLite:
# a statement whose outcome is unknown is never run twice nor guessed, a
# report that cannot be printed does not contradict work done, the SQL a dry
# run shows is the SQL that would run, and URL schemes in any case.
. "$(dirname "$0")/lib.sh"

P="$WORK/p"
mkdir -p "$P"
cd "$P" || exit 1
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json", "out": "migrations" }
JSON
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/01_create.json" schema.json
mkdir migrations

# ---- a URL's scheme is case-insensitive (RFC 3986) ------------------------
run --url "SQLITE://$P/upper.db" status
expect_ok "status with an upper-case scheme"
run --url "SQLite://$P/upper.db" migrate
expect_ok "migrate with a mixed-case scheme"

# kill_migrate_at K NAME: start a migrate, kill -9 it once the history says
# statement K of migration NAME is in flight (-K); GOT is what was seen.
kill_migrate_at() {
    "$CAIRN" migrate >"$WORK/.bg" 2>&1 </dev/null &
    MPID=$!
    BG_PIDS="$BG_PIDS $MPID"
    await "$1" sql app.db "SELECT statements_done FROM __cairn_migrations WHERE name = '$2'"
    kill -9 "$MPID" 2>/dev/null
    wait "$MPID" 2>/dev/null
}

# ---- a statement killed while it ran outside a transaction -----------------
# Statement 3 runs for seconds; the migrate is killed while it runs. The
# history must say that statement 3's outcome is unknown, --resume must
# refuse to guess, and after resolve the counter is incremented exactly once.
run generate --name init
expect_ok "generate init"
run migrate
expect_ok "migrate init"
run generate --custom --name counter
expect_ok "generate --custom"
NAME=$(ls migrations | tail -n 1)
cat >"migrations/$NAME/migration.sql" <<'SQL'
-- cairn:no-transaction
CREATE TABLE cnt (n integer);
--> statement-breakpoint
INSERT INTO cnt VALUES (0);
--> statement-breakpoint
UPDATE cnt SET n = n + 1 WHERE (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400000000) SELECT count(*) FROM c) > 0;
--> statement-breakpoint
SELECT 1;
SQL
kill_migrate_at -3 "$NAME"
check "the history says statement 3 was sent before it was sent (got '$GOT')" [ "$GOT" = "-3" ]
run status
expect_ok "status after the kill"
expect_out "PARTIAL" "status shows the migration stopped part-way"
run migrate --resume
expect_rc 10 "resume refuses to guess a statement's outcome"
expect_err "statement 3 of 4 was running" "the message names the statement"
expect_err "--statement-done" "the message says how to settle it"
one_error_line "resume refusal"
run migrate
expect_rc 10 "plain migrate refuses too"
run resolve "$NAME" --statement-done --applied
expect_rc 2 "resolve takes one settlement"
# SQLite rolled the killed statement back (its journal): it did not run.
expect_sql app.db "SELECT n FROM cnt" "0" "the killed UPDATE left nothing"
run resolve "$NAME" --statement-not-done
expect_ok "resolve --statement-not-done"
run resolve "$NAME" --statement-not-done
expect_rc 2 "nothing left to settle"
sed -i 's/x < 400000000/x < 10/' "migrations/$NAME/migration.sql"
run migrate --resume
expect_ok "resume runs statement 3 again, then 4"
expect_sql app.db "SELECT n FROM cnt" "1" "the counter was incremented exactly once"
expect_sql app.db "SELECT state, statements_done FROM __cairn_migrations WHERE name = '$NAME'" "0|4" \
    "the history says done"

# ---- a statement cut off while it ran, that the database can settle --------
# Statement 1 makes one table, slowly; the migrate is killed while it runs.
# SQLite rolls it back, so the table is not there: --resume sees that,
# records statement 1 as not run, and runs it again, with no resolve.
run generate --custom --name slowtable
expect_ok "generate --custom slowtable"
NAME=$(ls migrations | tail -n 1)
cat >"migrations/$NAME/migration.sql" <<'SQL'
-- cairn:no-transaction
CREATE TABLE "slow" AS SELECT (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400000000) SELECT count(*) FROM c) AS n;
--> statement-breakpoint
ALTER TABLE slow ADD COLUMN note text;
--> statement-breakpoint
CREATE INDEX slow_n ON slow (n);
SQL
kill_migrate_at -1 "$NAME"
check "the killed CREATE TABLE is in flight (got '$GOT')" [ "$GOT" = "-1" ]
run migrate
expect_rc 10 "plain migrate still refuses a statement in flight"
sed -i 's/x < 400000000/x < 10/' "migrations/$NAME/migration.sql"
run migrate --resume
expect_ok "resume settles the CREATE TABLE from the database"
check "it says why: the table is not there" contains "$OUT$ERR" 'did not run (table "slow" does not exist)'
expect_sql app.db "SELECT n, note IS NULL FROM slow" "10|1" "the table made once, then the column"
expect_sql app.db "SELECT state, statements_done FROM __cairn_migrations WHERE name = '$NAME'" "0|3" \
    "slowtable: the history says done"
# The other outcome, as a server that ran the statement after its client
# died leaves it (MariaDB, PostgreSQL): statement 2 in flight, its column
# there. Resume records it as run and goes on at statement 3.
sql app.db "DROP INDEX slow_n; UPDATE __cairn_migrations SET state = 1, statements_done = -2 WHERE name = '$NAME'"
run migrate --resume
expect_ok "resume settles the ADD COLUMN from the database"
check "it says why: the column is there" contains "$OUT$ERR" 'ran (column "note" exists)'
expect_sql app.db "SELECT count(*) FROM pragma_table_info('slow') WHERE name = 'note'" "1" \
    "the column was not added twice"
expect_sql app.db "SELECT count(*) FROM sqlite_schema WHERE name = 'slow_n'" "1" "statement 3 ran"
# What no object's presence can tell stays the user's call.
sql app.db "UPDATE __cairn_migrations SET state = 1, statements_done = -2 WHERE name = '$NAME'"
sed -i 's/ALTER TABLE slow ADD COLUMN note text;/UPDATE slow SET note = note || 1;/' "migrations/$NAME/migration.sql"
run migrate --resume
expect_rc 10 "an UPDATE in flight is never guessed"
expect_err "the database cannot tell" "the refusal says why"
run resolve "$NAME" --statement-done
expect_ok "resolve the UPDATE by hand"
run resolve "$NAME" --applied
expect_ok "and settle the migration"

# ---- a report that cannot be written --------------------------------------
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/02_add_column_default.json" schema.json
run generate --name add_active
expect_ok "generate"
"$CAIRN" migrate >/dev/full 2>"$WORK/.err" </dev/null
RC=$?; ERR=$(cat "$WORK/.err")
expect_ok "migrate > /dev/full: the exit status says the migration was applied"
expect_err "cannot write to standard output" "the lost report is a warning"
expect_sql app.db "SELECT count(*) FROM __cairn_migrations WHERE state = 0" "4" "applied and recorded"
expect_sql app.db "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'active'" "1" \
    "the column is there"
# A pipe whose reader went away (`cairn migrate | head -n 0`), with SIGPIPE
# ignored as a supervisor may leave it: the write fails (EPIPE) and that is a
# warning too. (With SIGPIPE at its default the signal ends cairn, status
# 141, whatever it had done: docs/reliability.md.)
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/03_add_index.json" schema.json
run generate --name add_index
expect_ok "generate"
trap '' PIPE
exec 5> >(:)
wait $!
"$CAIRN" migrate >&5 2>"$WORK/.err" </dev/null
RC=$?; ERR=$(cat "$WORK/.err")
exec 5>&-
trap - PIPE
expect_ok "migrate into a closed pipe: the exit status says the migration was applied"
expect_err "cannot write to standard output" "the lost report is a warning"
expect_sql app.db "SELECT count(*) FROM __cairn_migrations WHERE state = 0" "5" "applied and recorded"
"$CAIRN" export >/dev/full 2>"$WORK/.err" </dev/null
RC=$?; ERR=$(cat "$WORK/.err")
expect_rc 11 "export > /dev/full: the output was the point"

# ---- a dry run shows the SQL that would run --------------------------------
cat >schema.json <<'JSON'
{ "tables": [ { "name": "notes", "columns": [
  { "name": "id", "type": "integer", "not_null": true },
  { "name": "body", "type": "text", "default": "'password=x'" },
  { "name": "link", "type": "text", "default": "'postgres://u:p@h/db'" } ],
  "primary_key": { "columns": ["id"] } } ] }
JSON
run push --dry-run --force
expect_ok "push --dry-run"
expect_out "'password=x'" "a literal that looks like a credential is shown as is"
expect_out "'postgres://u:p@h/db'" "a URL inside SQL is shown as is"

# ---- concurrent generate runs write one migration, not siblings -------------
G="$WORK/gen"
mkdir -p "$G"
cd "$G" || exit 1
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json", "out": "migrations" }
JSON
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/01_create.json" schema.json
run generate --name init
expect_ok "generate init"
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/02_add_column_default.json" schema.json
pids=""
for i in 1 2 3 4 5 6 7 8; do
    "$CAIRN" generate --name "same_$i" >"$WORK/gen.$i" 2>&1 </dev/null &
    pids="$pids $!"
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
check "8 concurrent generate runs all exit 0 ($fails failed)" [ "$fails" -eq 0 ]
check "they wrote one migration between them, not siblings" [ "$(count_dirs migrations)" -eq 2 ]
run check
expect_ok "the chain holds after concurrent generate runs"

# ---- a stamp in the year 9999 ----------------------------------------------
LAST=$(ls migrations | tail -n 1)
cp -a "migrations/$LAST" migrations/99991231235959_last
python3 -c '
import json, sys
p = sys.argv[1] + "/snapshot.json"
s = json.load(open(p))
s["id"], s["parent"] = "99991231235959_last", sys.argv[2]
json.dump(s, open(p, "w"), indent=2)' migrations/99991231235959_last "$LAST"
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/03_add_index.json" schema.json
before=$(state migrations)
run generate --name after_9999
expect_rc 7 "no name sorts after a migration stamped in the year 9999"
one_error_line "year 9999"
expect_err "99991231235959_last" "the message names the folder in the way"
check "nothing written" [ "$before" = "$(state migrations)" ]

# ---- --output onto something that is not a regular file -------------------
# Written in place, never renamed over: a FIFO stays a FIFO (and a device
# such as /dev/null stays one), a symbolic link stays a link to the file it
# names, a directory is refused.
O="$WORK/outputs"
mkdir -p "$O"
sql "$O/live.db" "CREATE TABLE t (id integer PRIMARY KEY)"
mkfifo "$O/pipe"
cat "$O/pipe" > "$O/from_pipe" &
READER=$!
run --url "sqlite:$O/live.db" pull --output "$O/pipe" --force
expect_ok "pull --output onto a FIFO"
wait $READER
check "the FIFO is still a FIFO" test -p "$O/pipe"
check "the reader got the schema" grep -q '"name": "t"' "$O/from_pipe"
echo '{}' > "$O/real.json"
ln -s real.json "$O/link.json"
run --url "sqlite:$O/live.db" pull --output "$O/link.json" --force
expect_ok "pull --output onto a symbolic link"
check "the link is still a link" test -L "$O/link.json"
check "the file it names got the schema" grep -q '"name": "t"' "$O/real.json"
mkdir "$O/adir"
run --url "sqlite:$O/live.db" pull --output "$O/adir" --force
expect_rc 2 "pull --output onto a directory"
one_error_line "--output onto a directory"
check "the directory is still one" test -d "$O/adir"

finish
