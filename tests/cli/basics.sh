#!/usr/bin/env bash
# The command line itself: version, help, dialects, where output goes,
# flags over cairn.json over nothing, DATABASE_URL, pull/push options.
. "$(dirname "$0")/lib.sh"

run --version
expect_ok "--version"
check "--version text" [ "$OUT" = "cairn 0.1.0 (dialect ABI 1.5)" ]

run --help
expect_ok "--help"
for c in generate migrate pull push export check status drop dialects resolve init drift baseline; do
    expect_out "  $c " "--help lists $c"
    run "$c" --help
    expect_ok "$c --help"
    expect_out "Usage: cairn [global options] $c" "$c --help shows its usage"
    check "$c --help writes nothing to stderr" [ -z "$ERR" ]
    run --help
done

run dialects
expect_ok "dialects"
expect_out "NAME" "dialects has a header"
check "dialects lists sqlite with version, ABI 1.5 and capabilities" \
    bash -c "printf '%s\n' \"\$1\" | grep -Eq '^sqlite +[^ ]+ +1\.5 +/.*/sqlite\.so +[a-z-]+'" _ "$OUT"

check "dialects shows each driver file once" \
    test "$(printf '%s\n' "$OUT" | grep -c '^sqlite ')" -eq 1
mkdir "$WORK/drivers"
echo "not a shared object" >"$WORK/drivers/sqlite.so"
run --dialect-path "$WORK/drivers" dialects
expect_ok "dialects with a broken driver"
check "the broken driver is listed with its problem" \
    bash -c "printf '%s\n' \"\$1\" | grep -q '$WORK/drivers/sqlite.so.*refused: '" _ "$OUT"
check "the good driver is still listed" \
    bash -c "printf '%s\n' \"\$1\" | grep -q '/lib/cairn/dialects/sqlite.so'" _ "$OUT"

# A project used from another directory: paths in cairn.json are relative
# to the file, flags given anywhere on the line override it.
P="$WORK/proj"
mkdir -p "$P"
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/01_create.json" "$P/schema.json"
cat >"$P/cairn.json" <<JSON
{ "dialect": "sqlite", "schema": "schema.json", "out": "db/migrations", "url": "sqlite:$P/app.db" }
JSON
cd "$WORK" || exit 1
run --config proj/cairn.json generate --name init
expect_ok "generate with --config from elsewhere"
check "out is relative to the config file" test "$(count_dirs proj/db/migrations)" -eq 1
run generate --config proj/cairn.json
expect_ok "global option after the command"
expect_out "no changes" "global option after the command"
run --config proj/cairn.json --out "$WORK/other" generate
expect_ok "--out overrides the config"
check "--out used" test "$(count_dirs "$WORK/other")" -eq 1

# DATABASE_URL is the fallback url; --url wins over it.
printf '{ "dialect": "sqlite", "schema": "proj/schema.json", "out": "proj/db/migrations" }\n' >cairn.json
DATABASE_URL="sqlite:$WORK/env.db" run migrate
expect_ok "migrate to DATABASE_URL"
expect_sql "$WORK/env.db" "SELECT count(*) FROM __cairn_migrations" 1 "DATABASE_URL used"
DATABASE_URL="sqlite:$WORK/env.db" run --url "sqlite:$WORK/flag.db" migrate
expect_ok "migrate with --url and DATABASE_URL"
check "--url wins over DATABASE_URL" test -f "$WORK/flag.db"

# cairn.json is found from a subdirectory, walking up like git; paths in it
# stay relative to it
mkdir -p "$WORK/proj/src/deep"
cd "$WORK/proj/src/deep" || exit 1
run status
expect_ok "status from two directories below cairn.json"
expect_out "init" "the project's migrations are found from below"
run generate
expect_ok "generate from below"
expect_out "no changes" "generate from below reads the project's schema"
check "nothing written where cairn ran" test -z "$(ls -A "$WORK/proj/src/deep")"

# .env beside cairn.json: ${VAR} in the config and DATABASE_URL come from
# it; the process environment wins; its values are never printed
cd "$WORK/proj" || exit 1
cp cairn.json cairn.json.orig
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "schema": "${SCHEMA_FILE}", "out": "db/migrations" }
JSON
cat >.env <<ENV
# the developer's defaults
export SCHEMA_FILE=schema.json
DATABASE_URL="sqlite:$WORK/dotenv.db"
ENV
cd "$WORK/proj/src" || exit 1
run migrate
expect_ok "migrate with the schema and url from .env"
expect_sql "$WORK/dotenv.db" "SELECT count(*) FROM __cairn_migrations" 1 "DATABASE_URL from .env used"
DATABASE_URL="sqlite:$WORK/dotenv2.db" run migrate
expect_ok "the environment wins over .env"
check "DATABASE_URL from the environment used" test -f "$WORK/dotenv2.db"
printf 'DATABASE_URL=postgresql://app:Dot3nvS3cret@127.0.0.1:1/app\n' >"$WORK/proj/.env"
printf '{ "dialect": "sqlite", "schema": "schema.json", "out": "db/migrations" }\n' >"$WORK/proj/cairn.json"
run status
check "a .env URL of the wrong scheme fails" [ "$RC" -ne 0 ]
check "and its password is never printed" bash -c "! grep -q Dot3nvS3cret '$WORK/.err' '$WORK/.out'"
printf 'NOT A LINE\n' >"$WORK/proj/.env"
run status
expect_rc 3 "a broken .env is a configuration error"
expect_err ".env:1:" "the message names the line"
rm "$WORK/proj/.env"
mv "$WORK/proj/cairn.json.orig" "$WORK/proj/cairn.json"
cd "$WORK" || exit 1

# init: a project from nothing, in the current directory
mkdir -p "$WORK/fresh" && cd "$WORK/fresh" || exit 1
run init
expect_ok "init"
expect_out "next: " "init says what to do next"
check "init writes cairn.json and schema.json" test -f cairn.json -a -f schema.json
run generate --name init
expect_ok "generate in the new project"
run migrate
expect_ok "migrate in the new project"
check "the default database is SQLite app.db" test -f app.db
before=$(state .)
run init
expect_rc 2 "init refuses a directory that has a project"
expect_err "cairn.json already exists" "init names the file"
check "a refused init changes nothing" [ "$before" = "$(state .)" ]
mkdir -p "$WORK/fresh2" && cd "$WORK/fresh2" || exit 1
run --url 'postgresql://app:In1tS3cret@db.example/app' --schema db/schema.json init
expect_rc 11 "init with a schema path in a directory that does not exist"
check "a failed init leaves nothing behind" test -z "$(ls -A)"
mkdir -p db
run --url 'postgresql://app:In1tS3cret@db.example/app' --schema db/schema.json init
expect_ok "init with a password in the URL"
check "the password is not in cairn.json" bash -c "! grep -q In1tS3cret cairn.json"
check "it is in .env as DATABASE_URL" grep -q "^DATABASE_URL='postgresql://app:In1tS3cret@db.example/app'" .env
check "and never printed" bash -c "! grep -q In1tS3cret '$WORK/.out' '$WORK/.err'"
check "the schema file is where --schema said" test -f db/schema.json
mkdir -p "$WORK/fresh3" && cd "$WORK/fresh3" || exit 1
run --url "sqlite:$(printf 'x%.0s' $(seq 1 600)).db" init
expect_rc 2 "init with a URL too long to write whole"
one_error_line "init with a URL too long"
check "a refused init writes nothing" test -z "$(ls -A)"
cd "$WORK" || exit 1

# verbose: debug lines on stderr only with -v
run --url "sqlite:$WORK/flag.db" status
check "no debug lines without -v" bash -c "! grep -q '^debug: ' '$WORK/.err'"
run -v --url "sqlite:$WORK/flag.db" migrate
expect_ok "migrate -v"

# pull: to stdout, to a file, never over a file without --force
run --url "sqlite:$WORK/env.db" pull
expect_ok "pull to stdout"
expect_out '"users"' "pull to stdout prints JSON"
check "pull leaves out the history table" bash -c "! grep -q __cairn '$WORK/.out'"
run --url "sqlite:$WORK/env.db" pull --output pulled.json
expect_ok "pull --output"
check "pull wrote the file" test -s pulled.json
echo "keep me" >keep.json
run --url "sqlite:$WORK/env.db" pull --output keep.json
expect_rc 2 "pull over an existing file"
check "existing file untouched" [ "$(cat keep.json)" = "keep me" ]
run --url "sqlite:$WORK/env.db" pull --output keep.json --force
expect_ok "pull --force"
check "pull --force replaced it" cmp -s keep.json pulled.json
run --url "sqlite:$WORK/env.db" pull --output pulled.sql
expect_ok "pull as SQL"
sqlite3 "$WORK/fromsql.db" <pulled.sql
run --url "sqlite:$WORK/fromsql.db" pull --output again.json
check "pulled SQL recreates the same schema" cmp -s again.json pulled.json

# push: dry run changes nothing, then applies, then is up to date
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/02_add_column_default.json" proj/schema.json
before=$(state "$WORK/env.db")
run --url "sqlite:$WORK/env.db" push --dry-run
expect_ok "push --dry-run"
expect_out "ALTER TABLE" "push --dry-run prints the SQL"
check "push --dry-run changes nothing" [ "$before" = "$(state "$WORK/env.db")" ]
run --url "sqlite:$WORK/env.db" push
expect_ok "push"
expect_sql "$WORK/env.db" "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'active'" 1 "push applied"
expect_sql "$WORK/env.db" "SELECT count(*) FROM __cairn_migrations" 1 "push records no history"
run --url "sqlite:$WORK/env.db" push
expect_out "up to date" "second push"

# drop: the newest folder, if not applied
run --url "sqlite:$WORK/env.db" generate --name second
expect_ok "generate second"
n=$(count_dirs proj/db/migrations)
run --url "sqlite:$WORK/flag.db" drop
expect_ok "drop the unapplied newest migration"
expect_out "second" "drop names what it removed"
check "drop removed one folder" test "$(count_dirs proj/db/migrations)" -eq $((n - 1))
run --url "sqlite:$WORK/flag.db" drop
check "drop refuses an applied migration" test "$RC" -ne 0
check "the applied migration is kept" test "$(count_dirs proj/db/migrations)" -eq $((n - 1))

# --tables: only the matching tables are read, so only they are managed
sql "$WORK/env.db" "CREATE TABLE legacy_stuff (x integer)"
run --url "sqlite:$WORK/env.db" --tables 'us*,posts' pull
expect_ok "pull --tables"
expect_out '"users"' "pull --tables keeps a matching table"
check "pull --tables leaves out the others" bash -c "! grep -q legacy_stuff '$WORK/.out'"
run --url "sqlite:$WORK/env.db" --tables 'us*,posts' push
expect_ok "push --tables"
expect_out "up to date" "push --tables does not see the unmanaged table"
expect_sql "$WORK/env.db" "SELECT count(*) FROM legacy_stuff" 0 "the unmanaged table is kept"

# --migrations-table: the history lives where it is told
run --url "sqlite:$WORK/hist.db" --migrations-table deploy_log migrate
expect_ok "migrate --migrations-table"
expect_sql "$WORK/hist.db" "SELECT count(*) FROM deploy_log" 1 "history in the named table"
expect_sql "$WORK/hist.db" "SELECT count(*) FROM sqlite_master WHERE name = '__cairn_migrations'" 0 \
    "no default history table"
run --url "sqlite:$WORK/hist.db" --migrations-table deploy_log status
check "status reads the named table" bash -c "printf '%s\n' \"\$1\" | grep -q '^applied  '" _ "$OUT"
run --url "sqlite:$WORK/hist.db" --migrations-table deploy_log pull
check "pull leaves out the named history table" bash -c "! grep -q deploy_log '$WORK/.out'"

# Never a prompt: a column that disappears while another appears is a drop
# and an add (flagged), decided without reading standard input, even when
# standard input stays open.
sed 's/"email"/"mail"/' proj/schema.json >proj/renamed.json
start=$(date +%s)
mkfifo "$WORK/stdin"
sleep 20 >"$WORK/stdin" &
holder=$!
BG_PIDS="$BG_PIDS $holder"
"$CAIRN" --schema proj/renamed.json generate --name maybe_rename >"$WORK/.out" 2>"$WORK/.err" \
    <"$WORK/stdin"
RC=$?
kill "$holder" 2>/dev/null
ERR=$(cat "$WORK/.err")
expect_ok "generate with an unhinted rename and an open stdin"
check "no waiting for input" test $(($(date +%s) - start)) -lt 15
expect_err "warning: " "the unhinted rename is a flagged drop"
run --schema proj/renamed.json generate --name again
expect_out "no changes" "the drop-and-add migration was written"

# Output that cannot be written is an I/O error, not a silent success.
if [ -w /dev/full ]; then
    "$CAIRN" --version >/dev/full 2>"$WORK/.err"
    RC=$?
    ERR=$(cat "$WORK/.err")
    expect_rc 11 "--version to a full disk"
    one_error_line "--version to a full disk"
    "$CAIRN" --url "sqlite:$WORK/env.db" pull >/dev/full 2>"$WORK/.err"
    RC=$?
    ERR=$(cat "$WORK/.err")
    expect_rc 11 "pull to a full disk"
    one_error_line "pull to a full disk"
fi

# resolve: only for a migration stopped part-way, named, with one choice
run resolve --applied
expect_rc 2 "resolve without a name"
run resolve x --applied --rolled-back
expect_rc 2 "resolve with both choices"
run resolve a b --applied
expect_rc 2 "resolve with two names"
run --url "sqlite:$WORK/flag.db" resolve nosuch --applied
expect_rc 2 "resolve a migration that is not in the history"
expect_err "nosuch" "resolve: names the migration"
# Reading commands never create a database that is not there yet: status,
# pull and a dry run see an empty database; migrate creates it.
N="$WORK/nodb"
mkdir -p "$N"
cd "$N"
printf '{"tables":[{"name":"t","columns":[{"name":"x","type":"integer"}]}]}\n' >schema.json
run --dialect sqlite --schema schema.json --out m generate
expect_ok "generate for a new database"
for c in status "migrate --dry-run" "pull"; do
    run --dialect sqlite --url "sqlite:$N/new.db" --schema schema.json --out m $c
    expect_ok "$c on a database that does not exist yet"
    check "$c does not create the database file" [ ! -e "$N/new.db" ]
done
run --dialect sqlite --url "sqlite:$N/new.db" --schema schema.json --out m status
expect_out "pending" "status of a missing database lists the migration as pending"
run --dialect sqlite --url "sqlite:$N/new.db" --schema schema.json --out m migrate
expect_ok "migrate creates the database"
check "the database file exists after migrate" [ -s "$N/new.db" ]
cd "$WORK"
# check: a folder written for another dialect than the configured one
cd "$N"
run --dialect postgresql --out m check
expect_rc 7 "check of a sqlite folder configured as postgresql"
expect_err "written for dialect 'sqlite', the configuration says 'postgresql'" \
    "check names both dialects"
run --dialect sqlite --out m check
expect_ok "check with the folder's own dialect"
cd "$WORK"

# outside any project: say where cairn looked, change nothing
NOWHERE=$(mktemp -d "${TMPDIR:-/tmp}/cairn-nowhere.XXXXXX")
mkdir -p "$NOWHERE/deep"
cd "$NOWHERE/deep" || exit 1
before=$(state "$NOWHERE")
run status
expect_rc 3 "status outside any project"
expect_err "no cairn.json found (searched from $(pwd -P) up)" "the error says where it looked"
one_error_line "status outside any project"
check "nothing written outside a project" [ "$before" = "$(state "$NOWHERE")" ]
cd "$WORK"
rm -rf "$NOWHERE"
finish
