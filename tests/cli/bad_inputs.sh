#!/usr/bin/env bash
# Every kind of bad input, one at a time, on a project with one applied and
# one pending migration. For each: the documented exit status, exactly one
# line on stderr ("cairn: error: ..."), and no change at all: the database
# file, the migrations folder (names and checksums) and the schema and config
# files are byte-identical before and after.
. "$(dirname "$0")/lib.sh"

BASE="$WORK/base"
mkdir -p "$BASE"
cd "$BASE" || exit 1
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json", "out": "migrations" }
JSON
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/01_create.json" schema.json
run generate --name init
expect_ok "setup: generate"
run migrate
expect_ok "setup: migrate"
sql app.db "INSERT INTO users(id, name) VALUES (1, 'ann')"
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/02_add_column_default.json" schema.json
run generate --name add_active
expect_ok "setup: second generate (left pending)"
FIRST=$(ls migrations | head -n 1)
SECOND=$(ls migrations | tail -n 1)
check "setup: two migrations" [ "$FIRST" != "$SECOND" ]

# fresh CASE: a copy of the base project in $WORK/CASE, made the current dir.
fresh() {
    rm -rf "$WORK/$1"
    cp -a "$BASE" "$WORK/$1"
    cd "$WORK/$1" || exit 1
}

# --- schema files -----------------------------------------------------------
fresh json
printf '{\n  "dialect": "sqlite",\n  "tables": [ { "name": "t" ,, } ]\n}\n' >schema.json
refused 4 "malformed JSON schema" generate
expect_err "schema.json:3:" "malformed JSON: file:line:col"

fresh identityonsqlite
cat >schema.json <<'JSON'
{ "dialect": "sqlite",
  "tables": [ { "name": "t", "columns": [ { "name": "id", "type": "integer", "identity": "always" } ] } ] }
JSON
refused 4 "an identity column on a dialect without them" generate
expect_err "identity column 'id': dialect 'sqlite' has no SQL identity columns" "the message names the column"

fresh fkmissingtable
cat >schema.json <<'JSON'
{ "dialect": "sqlite",
  "tables": [ { "name": "t", "columns": [ { "name": "a", "type": "integer" } ],
                "foreign_keys": [ { "name": "t_a", "columns": ["a"],
                                    "references": { "table": "nosuch", "columns": ["id"] } } ] } ] }
JSON
refused 4 "a foreign key to a table the schema does not define" generate
expect_err 'table "t": foreign key "t_a" references table "nosuch"' "the message names the key and the table"

fresh fkmissingcolumn
cat >schema.json <<'JSON'
{ "dialect": "sqlite",
  "tables": [ { "name": "p", "columns": [ { "name": "id", "type": "integer" } ] },
              { "name": "t", "columns": [ { "name": "a", "type": "integer" } ],
                "foreign_keys": [ { "columns": ["a"], "references": { "table": "p", "columns": ["idd"] } } ] } ] }
JSON
refused 4 "a foreign key to a column the table does not have" generate
expect_err 'references column "idd" of table "p"' "the message names the column"

fresh jsonkey
printf '{\n  "dialect": "sqlite",\n  "tables": [ { "name": "t", "colums": [] } ]\n}\n' >schema.json
refused 4 "unknown key in the JSON schema" generate
expect_err "schema.json:3:" "unknown key: file:line:col"

# A NUL byte: refused at its position before the JSON parser reads the text
# (jansson skipped it where cairn's position index did not: a crash).
fresh jsonnul
printf '{"tables":[{"name":"t","columns":[{"name":"a","type":"int","not_null":true\0}]}],"views":[{"name":"v","definition":"select 1"}]}' >schema.json
refused 4 "NUL byte in the JSON schema (export)" export
expect_err "schema.json:1:75: invalid JSON: a NUL byte is not allowed" "NUL in the schema: file:line:col"
refused 4 "NUL byte in the JSON schema (generate)" generate

fresh sqlschema
printf 'CREATE TABLE users (id integer PRIMARY KEY);\nCREATE TABLE posts (id integer,, title text);\n' >schema.sql
refused 4 "malformed SQL schema" --schema schema.sql generate
expect_err "schema.sql" "malformed SQL schema: names the file"

fresh noschema
rm schema.json
refused 11 "schema file missing" generate

fresh otherdialect
sed 's/"sqlite"/"postgresql"/' "$CAIRN_SOURCE_DIR/tests/cli/evolve/01_create.json" >schema.json
refused 4 "schema written for another dialect" generate

# a NUL byte in a .sql schema: everything after it was ignored (tables lost)
fresh nulsql
printf 'CREATE TABLE users (id integer PRIMARY KEY);\n\0CREATE TABLE posts (id integer);\n' >schema.sql
refused 4 "a NUL byte in a .sql schema" --schema schema.sql export
expect_err "schema.sql:2:1: a NUL byte" "names the position"

# identifiers the server would cut or refuse (export needs no server): on
# PostgreSQL a 64-byte name was cut to 63, and every later push planned to
# drop the table "and all its data"
long64=$(printf 't%.0s' $(seq 1 64))
if [ -f "$CAIRN_STAGE/lib/cairn/dialects/postgresql.so" ]; then
    fresh pglong
    printf '{ "tables": [ { "name": "%s", "columns": [ { "name": "id", "type": "integer" } ] } ] }\n' \
        "$long64" >long.json
    refused 4 "a 64-byte table name on PostgreSQL" --dialect postgresql --schema long.json export
    expect_err "the name is 64 bytes, dialect 'postgresql' keeps 63" "says the limit"
    long63=$(printf 't%.0s' $(seq 1 63))
    printf '{ "tables": [ { "name": "%s", "columns": [ { "name": "id", "type": "integer" } ] } ] }\n' \
        "$long63" >ok.json
    run --dialect postgresql --schema ok.json export
    expect_ok "a 63-byte name is fine"
fi
if [ -f "$CAIRN_STAGE/lib/cairn/dialects/mysql.so" ]; then
    fresh mylong
    printf '{ "tables": [ { "name": "t", "columns": [ { "name": "%sx", "type": "int" } ] } ] }\n' \
        "$long64" >long.json
    refused 4 "a 65-character column name on MySQL" --dialect mysql --schema long.json export
    printf '{ "tables": [ { "name": "t ", "columns": [ { "name": "id", "type": "int" } ] } ] }\n' >sp.json
    refused 4 "a table name ending with a space on MySQL" --dialect mysql --schema sp.json export
    printf '{ "tables": [ { "name": "t\xf0\x9f\x98\x80", "columns": [ { "name": "id", "type": "int" } ] } ] }\n' >emoji.json
    refused 4 "a name with a character beyond U+FFFF on MySQL" --dialect mysql --schema emoji.json export
fi

# resolve without a name (an empty one crashed: the run was closed before
# it was opened)
fresh resolveempty
refused 2 "resolve with an empty name" resolve "" --applied
refused 2 "resolve --statement-done with an empty name" resolve "" --statement-done

# a URL typed where no argument belongs: the usage error hides its password
fresh urlarg
refused 2 "a URL as a stray argument" status postgresql://app:Sup3rS3cret@db/app
check "the usage error does not print the password" bash -c "! grep -q Sup3rS3cret <<<\"\$1\"" _ "$ERR"
# an empty password ("user:@host") once made the redaction loop for ever
fresh urlemptypw
refused 2 "a URL with an empty password as a stray argument" \
    status postgresql://app:@db/app
expect_err "postgresql://app:@db/app" "the URL without a password is shown as typed"

# a feature the dialect lacks is refused when the schema is read, from the
# driver's capabilities, before any SQL is written
fresh enumonsqlite
printf '{ "enums": [ { "name": "mood", "values": ["ok", "sad"] } ], "tables": [] }\n' >schema.json
refused 4 "an enum on SQLite" generate
expect_err "enum type 'mood': dialect 'sqlite' has no enum types" "names the enum and the dialect"
fresh matviewonsqlite
printf '{ "views": [ { "name": "mv", "definition": "select 1", "materialized": true } ] }\n' >schema.json
refused 4 "a materialized view on SQLite" push --force
expect_err "materialized view 'mv': dialect 'sqlite' has no materialized views" "names the view"
fresh nsonsqlite
printf '{ "tables": [ { "schema": "billing", "name": "t", "columns": [ { "name": "id", "type": "integer" } ] } ] }\n' >schema.json
refused 4 "a table in a namespace on SQLite" generate
expect_err "namespace 'billing': dialect 'sqlite' has no namespaces" "names the namespace"
fresh commentonsqlite
printf '{ "tables": [ { "name": "t", "columns": [ { "name": "id", "type": "integer", "comment": "the key" } ] } ] }\n' >schema.json
refused 4 "a column comment on SQLite" push --force
expect_err "comment on column 'id': dialect 'sqlite' has no comments" "names the column"

# --- dialects ---------------------------------------------------------------
fresh dialect
refused 5 "unknown dialect" --dialect nosuch generate
expect_err "nosuch" "unknown dialect: named"

fresh brokendrv
mkdir drivers
echo "not a shared object" >drivers/sqlite.so
refused 5 "broken driver first in the dialect path" --dialect-path "$PWD/drivers" generate
expect_err "drivers/sqlite.so" "broken driver: names the file"

# The driver loads on a thread of its own while a JSON schema file is read
# (issue 16). When both are wrong, the driver's error is still the one
# reported, alone, as when it loaded first.
fresh dialect_and_json
printf '{ "tables": [ { "name": "t" ,, } ] }\n' >schema.json
refused 5 "unknown dialect and a malformed schema" --dialect nosuch generate
expect_err "unknown dialect 'nosuch'" "unknown dialect and a malformed schema: the dialect's error"
fresh brokendrv_and_json
mkdir drivers
echo "not a shared object" >drivers/sqlite.so
printf '{ "tables": [ { "name": "t" ,, } ] }\n' >schema.json
refused 5 "broken driver and a malformed schema" --dialect-path "$PWD/drivers" generate
expect_err "drivers/sqlite.so: cannot load" "broken driver and a malformed schema: the driver's error"
refused 5 "broken driver and a malformed schema, validate" --dialect-path "$PWD/drivers" validate
expect_err "drivers/sqlite.so: cannot load" "validate: the driver's error"

fresh nodriver
# A relocated install without its dialects directory: only bin/ and lib/.
mkdir -p bare/bin bare/lib
cp "$CAIRN" bare/bin/
cp -P "$CAIRN_STAGE"/lib/libcairn.so* bare/lib/
if [ -d /usr/local/lib/cairn/dialects ] || [ -d /usr/lib/cairn/dialects ]; then
    echo "skip: a system-wide dialect directory exists"
else
    before=$(state app.db migrations schema.json cairn.json)
    # the build's binary has a RUNPATH to the build tree: point it at the copy
    LD_LIBRARY_PATH="$PWD/bare/lib" "$PWD/bare/bin/cairn" generate >"$WORK/.out" 2>"$WORK/.err" </dev/null
    RC=$?
    ERR=$(cat "$WORK/.err")
    expect_rc 5 "no dialect directory"
    one_error_line "no dialect directory"
    check "no dialect directory: nothing changed" [ "$before" = "$(state app.db migrations schema.json cairn.json)" ]
fi

# --- the migrations folder --------------------------------------------------
fresh snapshot
printf '{ "id": "broken", ' >"migrations/$SECOND/snapshot.json"
refused 7 "corrupt snapshot" generate
expect_err "snapshot.json" "corrupt snapshot: names the file"

fresh snapshotnul
python3 -c 'import sys; p = sys.argv[1]; t = open(p, "rb").read(); open(p, "wb").write(t.replace(b"\"version\": 1", b"\"version\": 1\0", 1))' \
    "migrations/$SECOND/snapshot.json"
refused 7 "NUL byte in a snapshot" generate
expect_err "snapshot.json:2:15: invalid JSON: a NUL byte is not allowed" "NUL in a snapshot: file:line:col"
before=$(state .)
run check
expect_rc 7 "check: NUL byte in a snapshot"
check "check: NUL in a snapshot: warnings, then one error line" \
    bash -c "grep -v '^warning: ' '$WORK/.err' | grep -c '' | grep -qx 1 && tail -n 1 '$WORK/.err' | grep -q '^cairn: error: '"
check "check: NUL in a snapshot: named with its position" grep -q "snapshot.json:2:15: invalid JSON: a NUL byte" "$WORK/.err"
check "check: NUL in a snapshot: nothing changed" [ "$before" = "$(state .)" ]

# generate reads the newest snapshot on a second thread while it reads the
# schema file: a bad snapshot's message, and which of two bad files is
# reported, are what reading them one after the other gives
fresh snapshotversion
sed -i 's/"version": 1/"version": 2/' "migrations/$SECOND/snapshot.json"
refused 7 "a snapshot of another version" generate
expect_err "migrations/$SECOND/snapshot.json:2:14: version: unsupported snapshot version 2 (this cairn reads version 1)" \
    "another version: the snapshot's key, line and column"

fresh bothbad
printf '{\n  "dialect": "sqlite",\n  "tables": [ { "name": "t" ,, } ]\n}\n' >schema.json
printf '{ "id": "broken", ' >"migrations/$SECOND/snapshot.json"
refused 4 "a malformed schema file and a corrupt snapshot" generate
expect_err "schema.json:3:" "both bad: the schema file is reported, as before"
check "both bad: the snapshot is not named" bash -c "! grep -q snapshot.json '$WORK/.err'"

fresh missingsql
rm "migrations/$FIRST/migration.sql"
refused 7 "applied migration.sql missing" migrate

fresh edited
printf '\n-- edited after it was applied\n' >>"migrations/$FIRST/migration.sql"
refused 7 "applied migration edited" migrate
expect_err "$FIRST" "edited migration: named"

fresh checkfolder
rm "migrations/$FIRST/snapshot.json"
before=$(state .)
run check
expect_rc 7 "check: snapshot missing"
# check lists every problem as a warning line, then fails with one error line
check "check: warnings, then one error line" \
    bash -c "grep -v '^warning: ' '$WORK/.err' | grep -c '' | grep -qx 1 && tail -n 1 '$WORK/.err' | grep -q '^cairn: error: '"
expect_err "snapshot.json" "check: names the missing file"
check "check: nothing changed" [ "$before" = "$(state .)" ]

fresh unwritable
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/03_add_index.json" schema.json
if [ "$(id -u)" -ne 0 ]; then
    chmod a-w migrations
    refused 11 "unwritable migrations folder" generate
    chmod u+w migrations
else
    echo "skip: running as root, chmod does not stop writes"
fi
# Writable or not, a file where the folder should be is an I/O error.
echo "not a folder" >notadir
refused 11 "migrations folder is a file" --out notadir/migrations generate

# --- the database -----------------------------------------------------------
fresh locked
python3 - "$PWD/app.db" "$WORK/locked.ready" <<'PY' &
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(30)
PY
holder=$!
BG_PIDS="$BG_PIDS $holder"
for _ in $(seq 100); do [ -e "$WORK/locked.ready" ] && break; sleep 0.1; done
refused 8 "database locked by another writer" --lock-timeout 200 migrate
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/03_add_index.json" schema.json
refused 8 "push to a locked database" --lock-timeout 200 push
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

fresh badurl
refused 6 "database in a folder that does not exist" --url "sqlite:$PWD/nowhere/app.db" migrate

fresh noscheme
printf '{ "schema": "schema.json" }\n' >cairn.json
refused 5 "url of a scheme no driver serves" --url "nosuchdb://admin:s3cr3t@localhost/app" migrate
check "no driver for the scheme: the password is never printed" \
    bash -c "! grep -q s3cr3t '$WORK/.err' '$WORK/.out'"

# A server that is not there, for each network driver this build has: the
# error says why, never with the password.
for scheme in postgresql mysql; do
    [ -f "$CAIRN_STAGE/lib/cairn/dialects/$scheme.so" ] || continue
    fresh "net_$scheme"
    printf '{ "schema": "schema.json" }\n' >cairn.json
    refused 6 "$scheme server not reachable" --url "$scheme://admin:s3cr3t@127.0.0.1:1/app" status
    check "$scheme: the password is never printed" bash -c "! grep -q s3cr3t '$WORK/.err' '$WORK/.out'"
done

fresh pullexists
echo '{}' >out.json
refused 2 "pull onto an existing file" pull --output out.json
expect_err "--force" "pull onto an existing file: says how"

# --- the command line and the config ----------------------------------------
fresh flag
refused 2 "unknown flag" generate --frobnicate
refused 2 "flag of another command" generate --force
refused 2 "unknown command" frobnicate
refused 2 "no command"
refused 2 "--rename without =" generate --rename users
refused 2 "lock timeout not a number" --lock-timeout soon migrate

fresh noconfig
refused 3 "missing config file" --config nope.json generate
expect_err "nope.json" "missing config: named"

fresh configkey
printf '{\n  "dialect": "sqlite",\n  "schemma": "schema.json"\n}\n' >cairn.json
refused 3 "config with an unknown key" generate
expect_err "cairn.json:3:" "unknown config key: file:line:col"

fresh configjson
printf '{ "dialect": "sqlite", }\n' >cairn.json
refused 3 "config that is not JSON" generate

fresh confignul
printf '{ "dialect": "sqlite",\0 "url": "sqlite:app.db", "schema": "schema.json" }\n' >cairn.json
refused 3 "NUL byte in the config" generate
expect_err "cairn.json:1:23: invalid JSON: a NUL byte is not allowed" "NUL in the config: file:line:col"

fresh noschemaset
printf '{ "dialect": "sqlite", "url": "sqlite:app.db" }\n' >cairn.json
refused 3 "no schema configured" generate

fresh nodialect
printf '{ "schema": "schema.json" }\n' >cairn.json
refused 3 "no dialect configured" generate

fresh nourl
printf '{ "dialect": "sqlite", "schema": "schema.json" }\n' >cairn.json
refused 3 "no database configured" migrate

fresh destructive
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/08_drop_column.json" schema.json
sql app.db "CREATE TABLE scratch (x integer)"
before=$(state .)
run push
expect_rc 9 "push of a destructive change without --force"
expect_err "cairn: error: " "destructive push: error line"
expect_err "warning: " "destructive push: the changes are listed"
check "destructive push: nothing changed" [ "$before" = "$(state .)" ]
expect_sql app.db "SELECT count(*) FROM scratch" 0 "destructive push: table still there"

finish
