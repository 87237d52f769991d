#!/usr/bin/env bash
# The `cairn` binary on PostgreSQL, end to end, on a server started by
# tests/pg/run.sh (CAIRN_PG_URL): a declarative schema.sql evolving through
# the 16 steps of tests/pg/steps (generate + migrate, rows kept, a second
# generate finds nothing), pull then generate is empty, push reaches the same
# database, the migrated, pushed and directly built databases are equal (as
# cairn pulls them, as a digest of the catalogs, and as pg_dump where the
# client can read the server), 64 concurrent `cairn migrate` apply each
# migration once, a failing migration leaves no trace, a migrate killed
# while a statement runs outside a transaction is settled by resolve either
# way, and no password is ever printed.
#
#   cli.sh              everything
#   cli.sh evolution    the evolution and convergence part only (the
#                       pg.versions.N tests, on each PostgreSQL major)
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
MODE=${1:-all}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
# shellcheck source=lib.sh
. "$here/lib.sh"
STEPS="$CAIRN_SOURCE_DIR/tests/pg/steps"
# (asks the server, where lib.sh's expect_sql asks a SQLite file)
expect_sql() { # expect_sql DB QUERY EXPECTED what
    local got
    got=$(q "$1" "$2")
    if [ "$got" = "$3" ]; then ok; else bad "$4: '$2' gave '$got', expected '$3'"; fi
}
dump() { "$PG_DUMP" --schema-only --no-owner -T __cairn_migrations "$(url_of "$1")" |
    grep -v -e "^--" -e "^.restrict" -e "^.unrestrict"; }
# same_schema DB1 DB2 WHAT: equal as cairn pulls them, by the digest, and by
# pg_dump where it can read the server.
same_schema() {
    local f
    for db in "$1" "$2"; do
        run --url "$(url_of "$db")" pull --force --output "$WORK/$db.pull.json"
        expect_rc 0 "$3: pull $db"
        q "$db" "$DIGEST" >"$WORK/$db.digest"
        ! can_dump || dump "$db" >"$WORK/$db.dump"
    done
    for f in pull.json digest dump; do
        [ "$f" = dump ] && ! can_dump && continue
        diff -u "$WORK/$1.$f" "$WORK/$2.$f" && ok || bad "$3: $f differs"
    done
    grep -q '^col ' "$WORK/$1.digest" && grep -q '^con ' "$WORK/$1.digest" && ok ||
        bad "$3: the digest read the catalogs: $(head -n 3 "$WORK/$1.digest")"
}

P="$WORK/proj"
mkdir -p "$P"
cd "$P" || exit 1
newdb app
newdb pushed
# No dev_url: schema.sql is normalised in a scratch database the driver
# creates on the server of "url" and drops afterwards.
cat >cairn.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of app)",
  "schema": "schema.sql", "out": "migrations", "namespaces": "public,billing" }
JSON
# With a dev_url, that (empty) database is used instead.
newdb dev
cat >dev.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of app)", "dev_url": "$(url_of dev)",
  "schema": "schema.sql", "out": "migrations", "namespaces": "public,billing" }
JSON
# touch(), which step 10's trigger calls, is in the steps from there on: a
# function of the schema like its tables.

for n in $(seq 1 16); do
    step=$(printf '%02d' "$n")
    # UNIQUE NULLS NOT DISTINCT (steps 12 to 14) came with PostgreSQL 15
    if [ "$SERVER_NUM" -ge 150000 ]; then cp "$STEPS/$step.sql" schema.sql
    else sed 's/ NULLS NOT DISTINCT//' "$STEPS/$step.sql" >schema.sql; fi
    renames=()
    [ "$n" -eq 12 ] && renames=(--rename users.name=users.full_name)
    [ "$n" -eq 13 ] && renames=(--rename users=members)
    before=$(count_dirs migrations)
    run generate --name "step$step" "${renames[@]}"
    expect_rc 0 "step $n: generate"
    [ "$(count_dirs migrations)" -eq $((before + 1)) ] && ok || bad "step $n: one new migration"
    run migrate
    expect_rc 0 "step $n: migrate"
    run generate
    expect_rc 0 "step $n: second generate"
    [ "$(count_dirs migrations)" -eq $((before + 1)) ] && ok ||
        bad "step $n: second generate wrote a migration: $OUT"
    # push follows the same steps on a second database
    run --url "$(url_of pushed)" push --force "${renames[@]}"
    expect_rc 0 "step $n: push"
    run --url "$(url_of pushed)" push
    expect_rc 0 "step $n: second push"
    contains "$OUT$ERR" "up to date" && ok || bad "step $n: second push did something: $OUT"
    if [ "$n" -eq 1 ]; then
        q app "INSERT INTO users (email, name) VALUES ('a@x.org', 'Ann'), ('b@y.org', 'Bob')" >/dev/null
        q pushed "INSERT INTO users (email, name) VALUES ('a@x.org', 'Ann'), ('b@y.org', 'Bob')" >/dev/null
    fi
    table=users name=name
    [ "$n" -ge 12 ] && name=full_name
    [ "$n" -ge 13 ] && table=members
    for db in app pushed; do
        expect_sql $db "SELECT string_agg($name || '<' || email, ',' ORDER BY id) FROM $table" \
            "Ann<a@x.org,Bob<b@y.org" "step $n ($db): rows kept"
    done
done

expect_sql postgres "SELECT count(*) FROM pg_database WHERE datname LIKE 'cairn_scratch%'" 0 \
    "scratch databases dropped"
before=$(count_dirs migrations)
run --config dev.json generate
expect_rc 0 "generate through dev_url"
[ "$(count_dirs migrations)" -eq "$before" ] && ok || bad "dev_url: nothing to do: $OUT"
expect_sql dev "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public'" 0 "dev_url database left empty"

run migrate
expect_rc 0 "migrate with nothing pending"
run status
expect_rc 0 "status"
[ "$(printf '%s\n' "$OUT" | grep -c '^applied')" -eq 16 ] && ok || bad "16 applied: $OUT"

# pull, then generate from the pulled schema: nothing to do
run pull --output pulled.json
expect_rc 0 "pull"
before=$(count_dirs migrations)
run --schema pulled.json generate
expect_rc 0 "generate from pulled"
[ "$(count_dirs migrations)" -eq "$before" ] && ok || bad "pull then generate is empty: $OUT"

# The same schema three ways: migrated, pushed, built directly.
newdb direct
q direct "$(cat "$STEPS/16.sql")" >/dev/null
same_schema direct app "migrated = direct"
same_schema direct pushed "pushed = direct"

# VIRTUAL generated columns (PostgreSQL 18): pulled as generated, not as a
# DEFAULT, pushed to another database, pulled again the same; a switch to
# STORED converges. Before 18 a schema asking for one is refused at push,
# one line, and nothing changes.
V="$WORK/virtual"
mkdir -p "$V"
newdb virt_src
newdb virt_dst
# generated_of FILE COLUMN: "expr|stored" of COLUMN in a pulled schema
generated_of() {
    python3 -c 'import json, sys
for t in json.load(open(sys.argv[1]))["tables"]:
    for c in t["columns"]:
        if c["name"] == sys.argv[2]:
            g = c.get("generated") or {}
            print("%s|%s|%s" % (g.get("expr"), g.get("stored", False), c.get("default")))' "$1" "$2"
}
# refused SCHEMA TABLE WHAT MESSAGE: push of SCHEMA to a server too old for
# it is exit 4, one line saying MESSAGE, and TABLE is not created.
refused() {
    run --url "$(url_of virt_dst)" --schema "$1" push
    expect_rc 4 "$3: refused"
    one_error_line "$3"
    contains "$ERR" "$4" && ok || bad "$3: the refusal names the object and the version: $ERR"
    expect_sql virt_dst "SELECT count(*) FROM pg_class WHERE relname = '$2'" 0 "$3: nothing created"
}
if [ "$SERVER_NUM" -ge 180000 ]; then
    q virt_src "CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL,
        email_len int GENERATED ALWAYS AS (length(email)) VIRTUAL,
        domain text GENERATED ALWAYS AS (split_part(email, '@', 2)) STORED)" >/dev/null
    run --url "$(url_of virt_src)" pull --output "$V/pulled.json"
    expect_rc 0 "virtual: pull"
    [ "$(generated_of "$V/pulled.json" email_len)" = "length(email)|False|None" ] && ok ||
        bad "virtual: pulled as a virtual generated column: $(generated_of "$V/pulled.json" email_len)"
    [ "$(generated_of "$V/pulled.json" domain)" = "split_part(email, '@'::text, 2)|True|None" ] && ok ||
        bad "virtual: the stored one beside it: $(generated_of "$V/pulled.json" domain)"
    run --url "$(url_of virt_dst)" --schema "$V/pulled.json" push
    expect_rc 0 "virtual: push"
    expect_sql virt_dst "SELECT attgenerated FROM pg_attribute
        WHERE attrelid = 'accounts'::regclass AND attname IN ('email_len', 'domain') ORDER BY attname" \
        "s
v" "virtual: created VIRTUAL and STORED"
    q virt_dst "INSERT INTO accounts (id, email) VALUES (1, 'ann@example.org')" >/dev/null
    expect_sql virt_dst "SELECT email_len || ' ' || domain FROM accounts" "15 example.org" \
        "virtual: computed"
    run --url "$(url_of virt_dst)" pull --output "$V/again.json"
    expect_rc 0 "virtual: pull again"
    diff -u "$V/pulled.json" "$V/again.json" && ok || bad "virtual: pull -> push -> pull differs"
    run --url "$(url_of virt_dst)" --schema "$V/pulled.json" push
    contains "$OUT$ERR" "up to date" && ok || bad "virtual: second push: $OUT$ERR"
    sed 's/"expr": "length(email)"/"expr": "length(email)", "stored": true/' "$V/pulled.json" >"$V/stored.json"
    run --url "$(url_of virt_dst)" --schema "$V/stored.json" push
    expect_rc 0 "virtual: to STORED"
    expect_sql virt_dst "SELECT attgenerated::text || ' ' || (SELECT email_len FROM accounts) FROM pg_attribute
        WHERE attrelid = 'accounts'::regclass AND attname = 'email_len'" "s 15" "virtual: now STORED, computed"
    run --url "$(url_of virt_dst)" --schema "$V/stored.json" push
    contains "$OUT$ERR" "up to date" && ok || bad "virtual: STORED converged: $OUT$ERR"
else
    cat >"$V/schema.json" <<'JSON'
{ "dialect": "postgresql", "tables": [{ "name": "accounts", "columns": [
  { "name": "id", "type": "integer", "primary_key": true },
  { "name": "email", "type": "text", "not_null": true },
  { "name": "email_len", "type": "integer", "generated": { "expr": "length(email)" } } ] }] }
JSON
    refused "$V/schema.json" accounts "virtual before 18" \
        "table accounts, VIRTUAL generated column email_len: needs PostgreSQL 18"
fi
# UNIQUE NULLS NOT DISTINCT before PostgreSQL 15: the same refusal.
if [ "$SERVER_NUM" -lt 150000 ]; then
    cat >"$V/nnd.json" <<'JSON'
{ "dialect": "postgresql", "tables": [{ "name": "teams", "columns": [
  { "name": "org", "type": "integer" }, { "name": "code", "type": "text" } ],
  "uniques": [{ "name": "teams_code", "columns": ["org", "code"], "nulls_not_distinct": true }] }] }
JSON
    refused "$V/nnd.json" teams "nulls not distinct before 15" \
        "table teams, UNIQUE NULLS NOT DISTINCT teams_code: needs PostgreSQL 15"
fi
[ "$MODE" = evolution ] && finish

# 64 concurrent deployers on a fresh database: every one exits 0 (the lock
# timeout outlasts the queue), each migration runs once: a second run of
# step 1 would fail (the table exists), a second run of "bump" would count
# twice without failing. The two custom migrations are in a copy of the folder.
newdb race
RACE="$WORK/race-migrations"
cp -r migrations "$RACE"
run --out "$RACE" generate --custom --name counter
expect_rc 0 "race: generate --custom counter"
printf 'CREATE TABLE race_counter (n int NOT NULL);\n--> statement-breakpoint\nINSERT INTO race_counter VALUES (0);\n' \
    >>"$(ls -d "$RACE"/*_counter)/migration.sql"
run --out "$RACE" generate --custom --name bump
expect_rc 0 "race: generate --custom bump"
printf 'UPDATE race_counter SET n = n + 1;\n' >>"$(ls -d "$RACE"/*_bump)/migration.sql"
pids=()
for i in $(seq 1 64); do
    "$CAIRN" --url "$(url_of race)" --out "$RACE" --lock-timeout 600000 migrate >"$WORK/race$i.out" 2>&1 &
    pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
[ "$fails" -eq 0 ] && ok || { bad "concurrent migrate: $fails failed"; cat "$WORK"/race*.out >&2; }
expect_sql race "SELECT count(*) FROM __cairn_migrations" 18 "18 history rows"
expect_sql race "SELECT count(DISTINCT name) FROM __cairn_migrations" 18 "each once"
expect_sql race "SELECT n FROM race_counter" 1 "the counter was bumped once"
applied=$(cat "$WORK"/race*.out | grep -cE '^(\[[0-9]+/[0-9]+\] )?applied ')
[ "$applied" -eq 18 ] && ok || bad "18 applications across the deployers, not $applied"
q race "DROP TABLE race_counter" >/dev/null
same_schema direct race "race = direct"

# A lock held elsewhere: migrate waits --lock-timeout, then exit 8, one line.
"$PSQL" -X -q "$(url_of race)" -c "SELECT pg_advisory_lock(hashtext('__cairn_migrations'))" \
    -c "SELECT pg_sleep(5)" >/dev/null 2>&1 &
holder=$!
sleep 1
run --url "$(url_of race)" --out "$RACE" --lock-timeout 300 migrate
expect_rc 8 "lock held: exit 8"
contains "$ERR" "another cairn migrate holds the lock" && ok || bad "lock message: $ERR"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# A failing migration leaves no trace.
run generate --custom --name bad
expect_rc 0 "custom migration"
bad_dir=$(ls -d migrations/*_bad)
printf 'CREATE TABLE half (id int);\n--> statement-breakpoint\nALTER TABLE half ADD COLUMN x no_such_type;\n' \
    >"$bad_dir/migration.sql"
run migrate
expect_rc 6 "failing migration: database error"
[ "$(printf '%s\n' "$ERR" | grep -c .)" -eq 1 ] && contains "$ERR" "no_such_type" && ok ||
    bad "one error line naming the problem: $ERR"
expect_sql app "SELECT count(*) FROM pg_class WHERE relname = 'half'" 0 "no table left behind"
expect_sql app "SELECT count(*) FROM __cairn_migrations" 16 "not recorded"
run drop
expect_rc 0 "drop the bad migration"

# A migrate killed while statement 3 of a "-- cairn:no-transaction" migration
# sleeps on the server. Whether the server then finishes the statement
# depends on whether it notices its client left (client_connection_check_interval,
# off by default): on one server both happen, so cairn records the statement
# as sent (-3) before it sends it and refuses to guess. Each case is settled
# as its data says, and the counter ends incremented exactly once.
K="$WORK/killed"
mkdir -p "$K"
(
    cd "$K" || exit 1
    printf '{ "dialect": "postgresql", "tables": [] }\n' >schema.json
    run --dialect postgresql --schema schema.json generate --custom --name counter
    expect_rc 0 "killed: generate --custom"
    NAME=$(ls migrations)
    cat >"migrations/$NAME/migration.sql" <<'SQL'
-- cairn:no-transaction
CREATE TABLE cnt (n int);
--> statement-breakpoint
INSERT INTO cnt VALUES (0);
--> statement-breakpoint
UPDATE cnt SET n = n + 1 FROM (SELECT pg_sleep(10)) AS s;
--> statement-breakpoint
SELECT 1;
SQL
    running="SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'UPDATE cnt%'"
    # killed DB N SETTLE: migrate DB, killed while statement 3 runs; once the
    # server is done with the statement the counter is N; resolve SETTLE.
    killed() {
        local db=$1 n=$2 settle=$3 url pid
        url=$(url_of "$db")
        "$CAIRN" --url "$url" migrate >/dev/null 2>&1 </dev/null &
        pid=$!
        await -3 q "$db" "SELECT statements_done FROM __cairn_migrations WHERE name = '$NAME'"
        [ "$GOT" = -3 ] && ok || bad "$db: the history says statement 3 was sent before it was sent ($GOT)"
        await 1 q "$db" "$running AND state = 'active'"
        [ "$GOT" = 1 ] && ok || bad "$db: statement 3 runs on the server ($GOT)"
        kill -9 "$pid"
        wait "$pid" 2>/dev/null
        run --url "$url" status
        expect_rc 0 "$db: status after the kill"
        contains "$OUT" "PARTIAL" && ok || bad "$db: status shows PARTIAL: $OUT"
        run --url "$url" migrate --resume
        expect_rc 10 "$db: resume refuses to guess"
        [ "$(printf '%s\n' "$ERR" | grep -c .)" -eq 1 ] && contains "$ERR" "statement 3 of 4 was running" &&
            contains "$ERR" "--statement-done" && ok ||
            bad "$db: one line naming the statement and how to settle it: $ERR"
        await 0 q "$db" "$running"
        expect_sql "$db" "SELECT n FROM cnt" "$n" "$db: the server is done with statement 3"
        run --url "$url" resolve "$NAME" "$settle"
        expect_rc 0 "$db: resolve $settle"
        run --url "$url" migrate --resume
        expect_rc 0 "$db: resume"
        expect_sql "$db" "SELECT n FROM cnt" 1 "$db: the counter was incremented exactly once"
        expect_sql "$db" "SELECT state, statements_done, statements_total FROM __cairn_migrations" \
            "0|4|4" "$db: the history says done, 4 of 4"
    }
    # The server checks its client every 100 ms: the UPDATE is cancelled and
    # rolled back when the connection drops (client_connection_check_interval
    # came with PostgreSQL 14).
    if [ "$SERVER_NUM" -ge 140000 ]; then
        newdb killed_checked
        q postgres "ALTER DATABASE killed_checked SET client_connection_check_interval = '100ms'" >/dev/null
        killed killed_checked 0 --statement-not-done
    fi
    # The default: the UPDATE runs to its end and commits after the client died.
    newdb killed_default
    killed killed_default 1 --statement-done
    echo "$PASSED $FAILED" >"$WORK/.counts"
)
read -r PASSED FAILED <"$WORK/.counts"

# A CREATE INDEX CONCURRENTLY cut off by a kill: the server (checking its
# client every 100 ms) cancels it and leaves the index INVALID. cairn cannot
# tell from the database whether such a statement ran (an index is there
# either way), so resume asks; settled as not done, resume drops the
# INVALID leftover and builds the index again. (PostgreSQL 14 and later:
# before, nothing cancels the build when its client dies.)
if [ "$SERVER_NUM" -ge 140000 ]; then
    C="$WORK/cic"
    mkdir -p "$C"
    newdb cic
    q postgres "ALTER DATABASE cic SET client_connection_check_interval = '100ms'" >/dev/null
    q cic "CREATE TABLE big (id int, v text); INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 3000000) g" >/dev/null
    (
        cd "$C" || exit 1
        printf '{ "dialect": "postgresql", "tables": [] }\n' >schema.json
        run --dialect postgresql --schema schema.json generate --custom --name cic
        NAME=$(ls migrations)
        printf -- '-- cairn:no-transaction\nCREATE INDEX CONCURRENTLY big_v ON big (v, id);\n' \
            >"migrations/$NAME/migration.sql"
        url=$(url_of cic)
        "$CAIRN" --url "$url" migrate >/dev/null 2>&1 </dev/null &
        pid=$!
        # the build of big_v itself (cairn's own history table builds an index
        # first, which the view shows too), past its first transaction, so that
        # the INVALID index is in the catalog
        await 1 q cic "SELECT count(*) FROM pg_stat_progress_create_index p JOIN pg_class c ON c.oid = p.index_relid WHERE c.relname = 'big_v' AND p.phase LIKE 'building%'"
        [ "$GOT" = 1 ] && ok || bad "cic: the index build runs on the server ($GOT)"
        kill -9 "$pid"
        wait "$pid" 2>/dev/null
        await 0 q cic "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX%' AND pid <> pg_backend_pid()"
        expect_sql cic "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_v'::regclass" "f" \
            "cic: the cut-off build left the index INVALID"
        run --url "$url" migrate --resume
        expect_rc 10 "cic: resume cannot tell whether a CREATE INDEX CONCURRENTLY ran"
        contains "$ERR" "the database cannot tell" && ok || bad "cic: the refusal says why: $ERR"
        run --url "$url" resolve "$NAME" --statement-not-done
        expect_rc 0 "cic: resolve --statement-not-done"
        run -v --url "$url" migrate --resume
        expect_rc 0 "cic: resume builds the index again"
        contains "$ERR" "big_v is INVALID" && ok || bad "cic: it says it dropped the INVALID index: $ERR"
        expect_sql cic "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_v'::regclass" "t" \
            "cic: the index is valid now"
        expect_sql cic "SELECT count(*) FROM pg_indexes WHERE tablename = 'big'" "1" "cic: one index, not two"
        echo "$PASSED $FAILED" >"$WORK/.counts"
    )
    read -r PASSED FAILED <"$WORK/.counts"
fi

# A JSON schema spelled the way people write it (aliases, casts, keyword
# case, a primary key column not marked not_null) converges with what the
# database reports: migrate, then nothing to do.
J="$WORK/json"
mkdir -p "$J"
newdb jsondb
cat >"$J/cairn.json" <<JSON
{ "dialect": "postgresql", "url": "$(url_of jsondb)", "schema": "schema.json", "out": "migrations" }
JSON
cat >"$J/schema.json" <<'JSON'
{
  "dialect": "postgresql",
  "enums": [{ "name": "mood", "values": ["sad", "ok"] }],
  "sequences": [{ "name": "ticket", "start": 100, "increment": 2 }],
  "tables": [{
    "name": "items",
    "comment": "things",
    "columns": [
      { "name": "id", "type": "INT", "identity": "auto", "primary_key": true },
      { "name": "code", "type": "varchar(20)", "not_null": true, "unique": true },
      { "name": "label", "type": "character varying(20)", "default": "'x'::text" },
      { "name": "note", "type": "TEXT", "default": "'n/a'::text", "comment": "free text" },
      { "name": "price", "type": "decimal(10,2)", "default": "0" },
      { "name": "qty", "type": "int4", "default": "'5'" },
      { "name": "delta", "type": "bigint", "default": "-1" },
      { "name": "active", "type": "bool", "default": "TRUE" },
      { "name": "at", "type": "timestamp with time zone", "default": "current_timestamp" },
      { "name": "ts", "type": "timestamptz(3)" },
      { "name": "day", "type": "timestamp" },
      { "name": "feeling", "type": "mood", "default": "'ok'::mood" },
      { "name": "tags", "type": "text[]" },
      { "name": "doc", "type": "jsonb", "default": "'{}'::jsonb" },
      { "name": "uid", "type": "uuid", "default": "gen_random_uuid()" },
      { "name": "big", "type": "int8", "identity": "always", "not_null": true },
      { "name": "ratio", "type": "float8" },
      { "name": "code_upper", "type": "text", "generated": { "expr": "upper((code)::text)", "stored": true } }
    ],
    "checks": [{ "name": "price_positive", "expr": "price >= (0)::numeric" }],
    "indexes": [
      { "name": "items_label", "columns": [{ "column": "label", "desc": true }], "where": "label IS NOT NULL" },
      { "name": "items_tags", "columns": ["tags"], "method": "gin" }
    ]
  }]
}
JSON
(
    cd "$J" || exit 1
    run generate --name init
    expect_rc 0 "json: generate"
    run migrate
    expect_rc 0 "json: migrate"
    run generate
    expect_rc 0 "json: second generate"
    [ "$(count_dirs migrations)" -eq 1 ] && ok || bad "json: aliases converge: $OUT"
    run push --dry-run
    expect_rc 0 "json: push"
    contains "$OUT$ERR" "up to date" && ok || bad "json: push finds nothing: $OUT"
    echo "$PASSED $FAILED" >"$WORK/.counts"
)
read -r PASSED FAILED <"$WORK/.counts"

# Hostile identifiers through the whole tool: quotes, semicolons, comment
# markers, spaces, mixed case, unicode, reserved words.
H="$WORK/hostile"
mkdir -p "$H"
newdb hostile
cat >"$H/cairn.json" <<JSON
{ "dialect": "postgresql", "url": "$(url_of hostile)", "schema": "schema.sql",
  "out": "migrations", "namespaces": "public,Odd; Schema" }
JSON
cat >"$H/schema.sql" <<'SQL'
CREATE TABLE canary (id int);
CREATE SCHEMA "Odd; Schema";
CREATE TYPE "Odd; Schema"."it's" AS ENUM ('a''b', 'c"d', 'é');
CREATE TABLE "we""ird; DROP TABLE canary; --" ("select" int PRIMARY KEY,
  "Mixed Case" text DEFAULT 'x''; DROP TABLE canary; --', "naïve_ünïcode_列" int,
  "a,b" text CONSTRAINT "chk ""q""" CHECK ("a,b" <> ';'));
CREATE INDEX "idx; --" ON "we""ird; DROP TABLE canary; --" ("Mixed Case");
CREATE TABLE "Odd; Schema"."T" ("from" int REFERENCES "we""ird; DROP TABLE canary; --" ("select"),
  e "Odd; Schema"."it's");
COMMENT ON TABLE "Odd; Schema"."T" IS 'it''s; DROP TABLE canary
second line';
SQL
(
    cd "$H" || exit 1
    run generate --name hostile
    expect_rc 0 "hostile: generate"
    run migrate
    expect_rc 0 "hostile: migrate"
    q hostile "INSERT INTO canary VALUES (42)" >/dev/null
    run generate
    expect_rc 0 "hostile: second generate"
    [ "$(count_dirs migrations)" -eq 1 ] && ok || bad "hostile: converged: $OUT"
    run push
    expect_rc 0 "hostile: push"
    contains "$OUT$ERR" "up to date" && ok || bad "hostile: push finds nothing: $OUT"
    expect_sql hostile "SELECT id FROM canary" 42 "hostile: canary intact"
    expect_sql hostile "SELECT count(*) FROM pg_class WHERE relname = 'we\"ird; DROP TABLE canary; --'" 1 \
        "hostile: table name kept"
    echo "$PASSED $FAILED" >"$WORK/.counts"
)
read -r PASSED FAILED <"$WORK/.counts"

# Foreign keys of new tables whose target is not complete when the table
# is created: a cycle between two new tables, and a new table referencing
# a column and key that a later change adds to an existing table. The core
# moves those keys after every table (CAIRN_CAP_FKEY_NEEDS_TARGET).
F="$WORK/fkorder"
mkdir -p "$F"
newdb fkorder
cat >"$F/cairn.json" <<JSON
{ "dialect": "postgresql", "url": "$(url_of fkorder)", "schema": "schema.sql", "out": "migrations" }
JSON
(
    cd "$F" || exit 1
    echo 'CREATE TABLE users (id int PRIMARY KEY);' >schema.sql
    run push
    expect_rc 0 "fkorder: first push"
    cat >schema.sql <<'SQL'
CREATE TABLE users (id int PRIMARY KEY, code int UNIQUE);
CREATE TABLE orders (id int PRIMARY KEY, user_code int REFERENCES users (code));
CREATE TABLE a (id int PRIMARY KEY, b_id int);
CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));
ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES b (id);
SQL
    run push
    expect_rc 0 "fkorder: push of a cycle and a key on a new column"
    expect_sql fkorder "SELECT count(*) FROM pg_constraint WHERE contype = 'f'" 3 \
        "fkorder: the three foreign keys exist"
    run push
    contains "$OUT$ERR" "up to date" && ok || bad "fkorder: second push finds nothing: $OUT$ERR"
    echo 'CREATE TABLE users (id int PRIMARY KEY);' >schema.sql
    run push --force
    expect_rc 0 "fkorder: dropping the cycle again"
    expect_sql fkorder "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'" 1 "fkorder: only users left"
    echo "$PASSED $FAILED" >"$WORK/.counts"
)
read -r PASSED FAILED <"$WORK/.counts"

# Adopting an existing database (pull, generate, baseline), then drift once
# it is changed by hand: the team workflow on a server.
newdb adoptdb
q adoptdb "CREATE TYPE mood AS ENUM ('a', 'b');
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, m mood DEFAULT 'a');
CREATE TABLE posts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    user_id int REFERENCES users (id) ON DELETE CASCADE, title varchar(200));
CREATE INDEX posts_title ON posts (lower(title));
INSERT INTO users (email) VALUES ('ann@example.com')" >/dev/null
mkdir -p "$WORK/adopt"
(
    cd "$WORK/adopt" || exit 1
    run --url "$(url_of adoptdb)" --dialect postgresql init
    expect_rc 0 "adopt: init"
    rm schema.json
    run pull --output schema.json
    expect_rc 0 "adopt: pull"
    run generate --name baseline
    expect_rc 0 "adopt: generate the baseline"
    run migrate --check
    expect_rc 12 "adopt: the baseline is pending before it is recorded"
    run baseline
    expect_rc 0 "adopt: baseline on PostgreSQL"
    run migrate
    expect_rc 0 "adopt: migrate after the baseline"
    contains "$OUT" "nothing to apply" && ok || bad "adopt: the baseline is not run: $OUT"
    run drift
    expect_rc 0 "adopt: no drift right after the baseline"
    q adoptdb "ALTER TABLE users ADD COLUMN hotfix int" >/dev/null
    run drift
    expect_rc 12 "adopt: drift after a hand change"
    contains "$OUT" 'DROP COLUMN "hotfix"' && ok || bad "adopt: drift shows the SQL to undo it: $OUT"
    expect_sql adoptdb "SELECT count(*) FROM users" 1 "adopt: the rows are untouched"
    expect_sql adoptdb "SELECT action || ' ' || migration FROM __cairn_migrations_audit" \
        "baseline $(ls migrations | tail -n 1)" "adopt: the baseline is in the audit trail"
    echo "$PASSED $FAILED" >"$WORK/.counts"
)
read -r PASSED FAILED <"$WORK/.counts"

# Credentials never appear.
run --url "postgresql://postgres:s3cretpw@127.0.0.1:1/app" status
[ "$RC" -ne 0 ] && ok || bad "unreachable server fails"
contains "$OUT$ERR" "s3cretpw" && bad "password printed: $ERR" || ok

finish
