#!/usr/bin/env bash
# down.sql and `cairn rollback`: generate writes each migration's down.sql
# (and its checksum in snapshot.json, none for --custom or --check); three
# migrations are applied, rows inserted, then rolled back one step and to a
# named migration, and migrated forward to a named one (migrate --to); each
# time `cairn drift` must find the database exactly at the snapshot of the
# newest migration applied, with the rows kept
# (a renamed column keeps its values, a dropped one comes back empty).
# Migrating again ends in the schema of before (cairn pull, compared). Every
# refusal has its exit status, one error line, and changes nothing (files,
# schema, rows, history). A down statement that fails: on a dialect with
# transactional DDL nothing changed; on MariaDB the rollback stops PARTIAL
# (per-statement progress), migrate refuses it, and rollback --resume
# finishes it after the database is fixed by hand.
# On SQLite by default; on PostgreSQL (CAIRN_PG_URL) or MariaDB
# (CAIRN_MYSQL_URL) when run by tests/pg/run.sh or tests/mysql/run.sh
# (ctest pg.rollback, mysql.rollback).
. "$(dirname "$0")/lib.sh"

P="$WORK/rollback"
mkdir -p "$P"
cd "$P" || exit 1

# Per dialect: the URL, a query (q SQL: one value or rows), the columns of
# a table (cols TABLE: "a,b,c"), the tables (tables: "a,b").
if [ -n "${CAIRN_PG_URL:-}" ]; then
    DIALECT=postgresql
    URL="${CAIRN_PG_URL%/*}/rollback"
    PSQL=/usr/lib/postgresql/15/bin/psql
    [ -x "$PSQL" ] || PSQL=psql
    q() { "$PSQL" -X -q -A -t -F '|' "$URL" -c "$1" 2>&1; }
    "$PSQL" -X -q "${CAIRN_PG_URL%/*}/postgres" \
        -c "DROP DATABASE IF EXISTS rollback WITH (FORCE)" -c "CREATE DATABASE rollback" >/dev/null 2>&1
    cols() { q "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '$1'"; }
    tables() { q "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE '%cairn%'"; }
elif [ -n "${CAIRN_MYSQL_URL:-}" ]; then
    DIALECT=mysql
    URL="${CAIRN_MYSQL_URL%/*}/rollback"
    MYSQLC=$(command -v mariadb || command -v mysql)
    q() { "$MYSQLC" --no-defaults --socket="$CAIRN_MYSQL_SOCKET" -uroot -N -B rollback -e "$1" 2>&1 | tr '\t' '|'; }
    "$MYSQLC" --no-defaults --socket="$CAIRN_MYSQL_SOCKET" -uroot mysql \
        -e "DROP DATABASE IF EXISTS rollback; CREATE DATABASE rollback"
    cols() { q "SELECT group_concat(column_name ORDER BY column_name) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '$1'"; }
    tables() { q "SELECT group_concat(table_name ORDER BY table_name) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name NOT LIKE '%cairn%'"; }
else
    DIALECT=sqlite
    URL="sqlite:app.db"
    q() { sql app.db "$1" 2>&1; }
    cols() { q "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('$1') ORDER BY name)"; }
    tables() { q "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%cairn%' ORDER BY name)"; }
fi
expect_q() { # expect_q QUERY EXPECTED what
    local got
    got=$(q "$1")
    if [ "$got" = "$2" ]; then ok; else bad "$3: '$1' gave '$got', expected '$2'"; fi
}
expect_eq() { if [ "$1" = "$2" ]; then ok; else bad "$3: '$1', expected '$2'"; fi; }
cat >cairn.json <<JSON
{ "dialect": "$DIALECT", "url": "$URL", "schema": "schema.json", "out": "migrations" }
JSON
HIST="SELECT name, state, statements_done, statements_total FROM __cairn_migrations ORDER BY name"
# Everything a refused rollback must leave as it was: the folder, the live
# schema, the rows and the history.
everything() {
    state migrations
    "$CAIRN" pull 2>&1
    q "SELECT id, email FROM users ORDER BY id"
    q "$HIST"
}
# refused_by COMMAND STATUS MESSAGE what ARGS...: COMMAND ARGS exits STATUS
# with one error line holding MESSAGE and changes nothing; refused: the
# same for rollback.
refused_by() {
    local cmd=$1 status=$2 msg=$3 what=$4 before
    shift 4
    before=$(everything)
    run "$cmd" "$@"
    expect_rc "$status" "$what"
    one_error_line "$what"
    expect_err "$msg" "$what: the message"
    check "$what: nothing changed" [ "$before" = "$(everything)" ]
}
refused() { refused_by rollback "$@"; }
sha() { sha256sum <"$1" | cut -d' ' -f1; }
snapshot_down() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("down_checksum", "none"))' "$1"; }

# ---- three migrations, each with its down.sql ------------------------------
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "primary_key": {"columns": ["id"]},
    "columns": [{"name": "id", "type": "integer", "not_null": true},
                {"name": "email", "type": "varchar(100)", "not_null": true}] } ] }
JSON
run generate --name init
expect_ok "generate init"
M1=$(ls migrations | tail -n 1)
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "primary_key": {"columns": ["id"]},
    "columns": [{"name": "id", "type": "integer", "not_null": true},
                {"name": "email", "type": "varchar(100)", "not_null": true},
                {"name": "name", "type": "varchar(100)"}] },
  { "name": "posts", "primary_key": {"columns": ["id"]},
    "columns": [{"name": "id", "type": "integer", "not_null": true},
                {"name": "user_id", "type": "integer",
                 "references": {"table": "users", "column": "id"}},
                {"name": "title", "type": "varchar(200)"}] } ] }
JSON
run generate --name posts
expect_ok "generate posts"
M2=$(ls migrations | tail -n 1)
# the next change, first as --check: it writes nothing, down.sql neither
cat >schema.json <<'JSON'
{ "tables": [
  { "name": "users", "primary_key": {"columns": ["id"]},
    "columns": [{"name": "id", "type": "integer", "not_null": true},
                {"name": "email", "type": "varchar(100)", "not_null": true},
                {"name": "full_name", "was": "name", "type": "varchar(100)"}] },
  { "name": "posts", "primary_key": {"columns": ["id"]},
    "columns": [{"name": "id", "type": "integer", "not_null": true},
                {"name": "user_id", "type": "integer",
                 "references": {"table": "users", "column": "id"}}] },
  { "name": "tags", "primary_key": {"columns": ["id"]},
    "columns": [{"name": "id", "type": "integer", "not_null": true}] } ] }
JSON
before=$(state migrations)
run generate --check
expect_rc 12 "generate --check with a change"
check "generate --check writes no migration and no down.sql" [ "$before" = "$(state migrations)" ]
run generate --name reshape
expect_ok "generate reshape"
M3=$(ls migrations | tail -n 1)
expect_out "wrote migrations/$M3/down.sql" "generate says it wrote down.sql"
for m in "$M1" "$M2" "$M3"; do
    check "$m has a down.sql" [ -f "migrations/$m/down.sql" ]
    expect_eq "$(snapshot_down "migrations/$m/snapshot.json")" "$(sha "migrations/$m/down.sql")" \
        "$m: snapshot.json keeps down.sql's checksum"
done
check "down.sql of init drops the table it created" grep -q 'DROP TABLE' "migrations/$M1/down.sql"
check "down.sql says what it cannot bring back" \
    grep -q 'NOT RESTORED: the migration drops column' "migrations/$M3/down.sql"
check "down.sql warns of the data it drops" grep -q 'WARNING: drops table' "migrations/$M3/down.sql"
check "down.sql renames the column back" grep -q 'full_name' "migrations/$M3/down.sql"

run migrate
expect_ok "migrate the three"
q "INSERT INTO users (id, email, full_name) VALUES (1, 'ann@example.com', 'Ann'), (2, 'bob@example.com', NULL)" >/dev/null
q "INSERT INTO posts (id, user_id) VALUES (10, 1)" >/dev/null
q "INSERT INTO tags (id) VALUES (5)" >/dev/null
run pull
expect_ok "pull the full schema"
FULL=$OUT

# ---- refusals: each one exits as documented and changes nothing ------------
refused 2 "--steps wants a whole number from 1, not '0'" "--steps 0" --steps 0
refused 2 "--steps wants a whole number from 1, not '-1'" "--steps -1" --steps -1
refused 2 "--steps wants a whole number from 1, not 'two'" "--steps two" --steps two
refused 2 "--steps wants a whole number from 1, not ''" "--steps ''" --steps ''
refused 2 "give --to NAME or --steps N, not both" "--to and --steps" --to "$M1" --steps 1
refused 2 "no migration 20200101000000_nosuch in migrations" "--to an unknown migration" \
    --to 20200101000000_nosuch
refused 2 "only 3 migrations are applied" "--steps more than applied" --steps 4
refused 2 "no rollback stopped part-way" "--resume with nothing stopped" --resume
refused 2 "unknown option '--force'" "an option rollback does not take" --force
mv "migrations/$M3/down.sql" "$WORK/down.sql.kept"
refused 7 "migration $M3 has no down.sql" "no down.sql"
mv "$WORK/down.sql.kept" "migrations/$M3/down.sql"
# an edit after generate (after migrate): refused until undone or accepted
cp "migrations/$M2/down.sql" "$WORK/down2.sql"
echo "-- reviewed" >>"migrations/$M2/down.sql"
refused 7 "down.sql of $M2 was edited after generate wrote it" "an edited down.sql" --steps 2
refused 7 "down.sql of $M2 was edited" "an edited down.sql, reached by --to" --to "$M1"
cp "$WORK/down2.sql" "migrations/$M2/down.sql"

# ---- dry run: the header and the SQL, nothing changed ----------------------
before=$(everything)
run rollback --dry-run --steps 2
expect_ok "rollback --dry-run"
expect_out "-- rollback of $M3" "the dry run names the newest first"
expect_out "-- rollback of $M2" "and the one before"
expect_out "NOT RESTORED" "the dry run prints the header"
expect_out "2 migrations to roll back (dry run: nothing changed)" "the dry run's summary"
check "a dry run changes nothing" [ "$before" = "$(everything)" ]

# ---- a down statement that fails -------------------------------------------
# A column "name" made by hand makes down.sql's rename of full_name fail.
q "ALTER TABLE users ADD COLUMN name varchar(10)" >/dev/null
run rollback
expect_rc 6 "a failing down statement"
if [ "$DIALECT" = mysql ]; then
    # no transactional DDL: the statements before it stay done, the row
    # says how far the rollback went
    expect_err "rollback of $M3, statement" "the failure names the rollback and the statement"
    expect_q "SELECT state, statements_total < 0 FROM __cairn_migrations WHERE name = '$M3'" \
        "1|1" "the row says: stopped part-way through a rollback"
    run status
    expect_out "PARTIAL  $M3" "status shows it PARTIAL"
    run migrate
    expect_rc 10 "migrate refuses a rollback stopped part-way"
    expect_err "cairn rollback --resume" "and says how to finish it"
    run migrate --resume
    expect_rc 10 "migrate --resume does not run a rollback's statements"
    run rollback --steps 1
    expect_rc 10 "a new rollback refuses the one stopped part-way"
    # the driver writes the drops last (DROP TABLE tags is statement 3), so
    # the rename that fails is statement 2; as if the client had died while
    # statement 1 of 3 (ADD COLUMN title) ran: its outcome unknown until the
    # database tells
    expect_q "SELECT statements_done, statements_total FROM __cairn_migrations WHERE name = '$M3'" \
        "1|-3" "one of down.sql's three statements ran"
    expect_eq "$(tables)" "posts,tags,users" "the drop after the failing statement did not run"
    q "UPDATE __cairn_migrations SET statements_done = -1 WHERE name = '$M3'" >/dev/null
    run migrate
    expect_rc 10 "migrate refuses a rollback stopped in flight"
    expect_err "statement 1 of 3 of its down.sql was running" "and names the statement"
    q "ALTER TABLE users DROP COLUMN name" >/dev/null
    run rollback --resume
    expect_ok "rollback --resume once the database is fixed"
    expect_out "the database tells it ran" "the statement in flight is settled from the database"
    expect_out "resuming the rollback of $M3 at statement 2 of 3" "it resumes where it stopped"
else
    expect_err "rollback of $M3, statement" "the failure names the rollback and the statement"
    expect_q "SELECT state, statements_done FROM __cairn_migrations WHERE name = '$M3'" "0|$(q "SELECT statements_total FROM __cairn_migrations WHERE name = '$M3'")" \
        "in a transaction: the history row is as before"
    expect_eq "$(tables)" "posts,tags,users" "in a transaction: nothing was dropped"
    q "ALTER TABLE users DROP COLUMN name" >/dev/null
    run rollback --steps 1
    expect_ok "rollback once the database is fixed"
fi

# ---- rollback one step: the database is at M2's snapshot -------------------
run status
expect_out "pending  $M3" "$M3 is pending again"
run drift
expect_ok "after the rollback the database is exactly at $M2 (drift)"
expect_eq "$(tables)" "posts,users" "tags is dropped"
expect_eq "$(cols users)" "email,id,name" "full_name is name again"
expect_q "SELECT id, coalesce(name, '-') FROM users ORDER BY id" "1|Ann
2|-" "the renamed column kept its values"
expect_q "SELECT id, user_id, CASE WHEN title IS NULL THEN 'empty' ELSE title END FROM posts" \
    "10|1|empty" \
    "the post survives; the dropped title comes back empty"

# ---- rollback --to M1 -------------------------------------------------------
run rollback --to "$M1"
expect_ok "rollback --to $M1"
expect_out "rolled back $M2" "it rolls back $M2"
run drift
expect_ok "the database is exactly at $M1 (drift)"
expect_eq "$(tables)" "users" "posts is dropped"
expect_q "SELECT id, email FROM users ORDER BY id" "1|ann@example.com
2|bob@example.com" "the kept rows survive"
expect_q "$HIST" "$M1|0|1|1" "only $M1 is in the history"
expect_q "SELECT action, migration FROM __cairn_migrations_audit ORDER BY at, migration DESC" \
    "rollback|$M3
rollback|$M2" "the audit trail has a row per migration rolled back"
run rollback --to "$M1"
expect_ok "rollback --to the newest applied migration"
expect_out "nothing to roll back" "has nothing to do"
refused 2 "$M2 is not applied" "--to a migration that is not applied" --to "$M2"

# ---- migrate --to M2: the pending migrations up to M2, and no further -------
refused_by migrate 2 "migrate --to: no migration 20200101000000_nosuch in migrations; nothing \
changed" "migrate --to an unknown migration" --to 20200101000000_nosuch
refused_by migrate 12 "1 migration to apply: run 'cairn migrate --to $M2'" \
    "migrate --to --check with $M2 pending" --to "$M2" --check
before=$(everything)
run migrate --to "$M2" --dry-run
expect_ok "migrate --to --dry-run"
expect_out "-- $M2" "the dry run prints $M2"
if contains "$OUT" "-- $M3"; then bad "the dry run goes past $M2: $OUT"; else ok; fi
expect_out "1 migration to apply; 1 later migration stays pending (dry run: nothing changed)" \
    "the dry run's summary"
check "a dry run changes nothing" [ "$before" = "$(everything)" ]
jrun migrate --to "$M2"
expect_ok "migrate --to $M2"
expect_err "1 migration applied; 1 later migration stays pending" "the summary says what is left"
jis '" ".join([d["to"]] + [m["name"] + ":" + m["state"] for m in d["migrations"]])' \
    "$M2 $M2:applied" "--json names --to and what it applied"
expect_q "SELECT name FROM __cairn_migrations ORDER BY name" "$M1
$M2" "the history ends at $M2"
run drift
expect_ok "the database is exactly at $M2 (drift)"
run status
expect_out "pending  $M3" "$M3 stays pending"
run migrate --to "$M1"
expect_ok "migrate --to an applied migration"
expect_out "nothing to apply; 1 later migration stays pending" "has nothing to do"

# ---- migrate again: the same schema as before -------------------------------
run migrate
expect_ok "migrate again"
run pull
expect_eq "$OUT" "$FULL" "rolling back and migrating again ends in the same schema"
expect_q "SELECT id, email FROM users ORDER BY id" "1|ann@example.com
2|bob@example.com" "the rows survive the round trip"

# ---- a custom migration: no down.sql unless written by hand ----------------
run generate --custom --name touch
expect_ok "generate --custom"
M4=$(ls migrations | tail -n 1)
check "a custom migration gets no down.sql" [ ! -e "migrations/$M4/down.sql" ]
expect_eq "$(snapshot_down "migrations/$M4/snapshot.json")" "none" \
    "and no down_checksum in its snapshot"
printf 'UPDATE users SET email = email;\n' >"migrations/$M4/migration.sql"
refused 2 "$M4 is not applied" "--to a pending migration" --to "$M4"
run migrate
expect_ok "migrate the custom migration"
refused 7 "migration $M4 has no down.sql" "a custom migration without down.sql"
# a hand-written down.sql whose second statement fails
printf 'UPDATE users SET email = email;\n--> statement-breakpoint\nSELECT nosuch FROM users;\n' \
    >"migrations/$M4/down.sql"
run rollback
expect_rc 6 "a failing hand-written down.sql"
if [ "$DIALECT" = mysql ]; then
    expect_q "SELECT state, statements_done, statements_total FROM __cairn_migrations WHERE name = '$M4'" \
        "1|1|-2" "stopped after 1 of its 2 down statements"
    run resolve "$M4" --applied
    expect_ok "resolve --applied settles a rollback stopped part-way"
    expect_q "SELECT state, statements_done, statements_total, checksum FROM __cairn_migrations WHERE name = '$M4'" \
        "0|1|1|$(sha "migrations/$M4/migration.sql")" \
        "the row is the applied migration's again (its migration.sql's statements and checksum)"
else
    expect_q "SELECT state, statements_done, statements_total FROM __cairn_migrations WHERE name = '$M4'" \
        "0|1|1" "in a transaction: the row is as before"
fi
printf 'UPDATE users SET email = email;\n' >"migrations/$M4/down.sql"
run rollback
expect_ok "a down.sql written by hand runs as it is"
expect_out "rolled back $M4" "the custom migration is rolled back"
run status
expect_out "pending  $M4" "$M4 is pending again"
expect_out "applied  $M3" "$M3 stays applied"

# ---- a rename hint left in the schema: the next migration ------------------
# The snapshot's users table is the schema's own (snapreuse.c): the way back
# must not take its hint for a rename, nor lose it from the next snapshot.
mkdir -p "$P/hints"
cp -r cairn.json schema.json migrations "$P/hints/"
cd "$P/hints" || exit 1
# the schema of reshape (users.full_name "was" name), and a column for tags
sed -i 's/"not_null": true}] } ] }$/"not_null": true},\n                {"name": "label", "type": "text"}] } ] }/' schema.json
check "the schema still has the hint" grep -q '"was": "name"' schema.json
check "the schema has the new column" grep -q '"label"' schema.json
run generate --name label
expect_ok "generate with the hint still in the schema"
M5=$(ls migrations | tail -n 1)
check "the migration adds the column" grep -q 'label' "migrations/$M5/migration.sql"
check "its down.sql drops it" grep -q 'label' "migrations/$M5/down.sql"
check "its down.sql renames nothing" sh -c "! grep -qi 'rename' migrations/$M5/down.sql"
check "its snapshot keeps the hint" grep -q '"was": "name"' "migrations/$M5/snapshot.json"
run generate
expect_out "no changes" "the next generate finds nothing to do"
cd "$P" || exit 1

# ---- cairn check: a down.sql edited after generate --------------------------
run check
expect_ok "check with every down.sql as written"
echo "-- edited" >>"migrations/$M1/down.sql"
run check
expect_rc 7 "check finds an edited down.sql"
expect_err "down.sql" "check names it"
finish
