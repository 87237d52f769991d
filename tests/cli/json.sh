#!/usr/bin/env bash
# --json on every command: standard output is one JSON document (parsed
# here with Python's json module, as a CI script would), with the facts the
# text output gives; a failure is one line on stderr and the same document
# with an "error" object. Real SQLite files throughout.
. "$(dirname "$0")/lib.sh"

P="$WORK/json"
mkdir -p "$P"
cd "$P" || exit 1
EVOLVE="$CAIRN_SOURCE_DIR/tests/cli/evolve"

# Every document: format_version 1 and its command.
jhead() {
    jis 'd["format_version"]' 1 "$1: format_version"
    jis 'd["command"]' "$1" "$1: command"
}

# ---- init --------------------------------------------------------------------------
jrun init
expect_ok "init --json"
jhead init
jis 'd["files"]' "['cairn.json', 'schema.json']" "init names the files it wrote"
check "init --json wrote no text to stdout beside the document" [ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ]
jrun init
expect_rc 2 "init again is refused"
jis 'd["error"]["kind"]' usage "init's refusal: a usage error in the document"
jis 'd["command"]' init "the error document names its command"
one_error_line "init's refusal is still one line on stderr"

# ---- generate ------------------------------------------------------------------------
cp "$EVOLVE/01_create.json" schema.json
jrun generate --check
expect_rc 12 "generate --check --json with work to do"
jhead generate
jis 'd["migration"]' None "generate --check writes no migration"
jis '[(c["kind"], c["object"], c["destructive"]) for c in d["changes"]]' \
    "[('create_table', 'users', False), ('create_table', 'posts', False)]" \
    "generate --check: the plan's changes"
jis 'd["statements"][0].startswith("CREATE TABLE \"users\"")' True "generate --check: the SQL"
jis 'd["error"]["kind"] + " " + str(d["error"]["exit_code"])' "pending 12" "generate --check: the error"
check "generate --check --json wrote nothing (init made the folder empty)" \
    [ "$(count_dirs migrations)" = 0 ]
jrun generate --name init
expect_ok "generate --json"
INIT=$(ls migrations)
jis 'd["migration"]' "$INIT" "generate: the migration written"
jis 'd["path"]' "migrations/$INIT" "generate: its folder"
jis 'len(d["changes"])' 2 "generate: two changes"
jis '"error" in d' False "no error member on success"
jrun generate
jis 'd["migration"], d["changes"]' "(None, [])" "generate with nothing to do"

# ---- migrate -------------------------------------------------------------------------------
jrun migrate --dry-run
expect_ok "migrate --dry-run --json"
jhead migrate
jis 'd["dry_run"]' True "migrate --dry-run says so"
jis '[(m["name"], m["state"], m["statements_total"]) for m in d["migrations"]]' \
    "[('$INIT', 'pending', 2)]" "migrate --dry-run: the migration that would run"
jis 'len(d["migrations"][0]["statements"])' 2 "migrate --dry-run: its statements"
check "migrate --dry-run --json created no database" [ ! -e app.db ]
jrun migrate
expect_ok "migrate --json"
jis '[(m["name"], m["state"], m["statements_done"], m["statements_total"]) for m in d["migrations"]]' \
    "[('$INIT', 'applied', 2, 2)]" "migrate: the migration applied"
jis 'len(d["migrations"][0]["checksum"]) == 64 and d["migrations"][0]["applied_at"].endswith("Z")' \
    True "migrate: its checksum and time"
jis 'isinstance(d["migrations"][0]["duration_ms"], int)' True "migrate: its duration"
expect_err "applied $INIT" "the progress line goes to stderr"
# a migration that fails: its state and the error
cp "$EVOLVE/02_add_column_default.json" schema.json
run generate --name add_active
ADD=$(ls migrations | tail -n 1)
sql app.db "ALTER TABLE users ADD COLUMN active integer"
jrun migrate
expect_rc 6 "migrate --json onto a database that already has the column"
jis 'd["migrations"][0]["state"], d["migrations"][0]["name"]' "('failed', '$ADD')" \
    "migrate: the migration that failed"
jis 'd["error"]["kind"]' database "migrate: a database error"
one_error_line "migrate's failure is one line on stderr"
# all in one transaction: the first is rolled back with the one that fails
rm app.db
cp "migrations/$ADD/migration.sql" add.sql
printf -- '--> statement-breakpoint\nINSERT INTO nosuch VALUES (1);\n' >>"migrations/$ADD/migration.sql"
jrun migrate --all-in-one
expect_rc 6 "migrate --all-in-one --json with a failing second migration"
jis '[(m["name"], m["state"]) for m in d["migrations"]]' "[('$INIT', 'rolled-back'), ('$ADD', 'failed')]" \
    "migrate --all-in-one: the first rolled back, the second failed"
expect_sql app.db "SELECT count(*) FROM sqlite_master WHERE name = 'users'" 0 "all-in-one: nothing stays"
mv add.sql "migrations/$ADD/migration.sql"
rm -f app.db
run migrate
expect_ok "migrate once the column is gone"

# ---- status ------------------------------------------------------------------------------------
jrun status
jhead status
jis '[m["state"] for m in d["migrations"]]' "['applied', 'applied']" "status: both applied"
jis 'd["not_applied"]' 0 "status: nothing pending"

# ---- drift -----------------------------------------------------------------------------------------
jrun drift
expect_ok "drift --json"
jis 'd["drift"], d["changes"]' "(False, [])" "drift: none"
jis 'd["compared_with"]' "['$ADD']" "drift names the migration it compared the database with"
sql app.db "CREATE TABLE hotfix (id integer)"
jrun drift
expect_rc 12 "drift --json with a hand change"
jis 'd["drift"]' True "drift: found"
jis 'd["compared_with"]' "['$ADD']" "drift with drift names the migration too"
jis '[(c["kind"], c["object"], c["destructive"]) for c in d["changes"]]' \
    "[('drop_table', 'hotfix', True)]" "drift: the change that undoes it, destructive"
jis 'd["changes"][0]["warning"] is not None' True "drift: the destructive change has its warning"
jis 'd["statements"]' "['DROP TABLE \"hotfix\"']" "drift: the SQL"
jis 'd["error"]["kind"]' pending "drift: exit 12 is the pending kind"

# ---- push ------------------------------------------------------------------------------------------
before=$(state app.db migrations)
jrun push --dry-run
expect_ok "push --dry-run --json"
jhead push
jis 'd["dry_run"], d["applied"]' "(True, False)" "push --dry-run: nothing applied"
jis '[c["kind"] for c in d["changes"]]' "['drop_table']" "push --dry-run: the change"
jrun push
expect_rc 9 "push --json refuses the destructive change"
jis 'd["changes"][0]["destructive"], d["applied"]' "(True, False)" "push: the refused change"
jis 'd["error"]["kind"]' destructive "push: the destructive kind"
check "refused push changed nothing" [ "$before" = "$(state app.db migrations)" ]
jrun push --force
expect_ok "push --force --json"
jis 'd["applied"]' True "push --force: applied"

# ---- export, pull ----------------------------------------------------------------------------------
jrun export
expect_ok "export --json"
jis 'd["sql"].count("CREATE TABLE")' 2 "export: the SQL inside the document"
jrun pull
expect_ok "pull --json"
jis 'sorted(t["name"] for t in d["schema"]["tables"])' "['posts', 'users']" "pull: the schema inside the document"
jrun pull --output pulled.json
expect_ok "pull --output --json"
jis 'd["output"], d["tables"], d["views"]' "('pulled.json', 2, 0)" "pull --output: the file and its counts"
check "pull --output wrote the file" [ -s pulled.json ]

# ---- check -------------------------------------------------------------------------------------------
jrun check
expect_ok "check --json"
jis 'd["findings"]' "[]" "check: no finding"
# a second branch's migration with the same parent, merged after it
TWIN=99991231235959_twin
mkdir -p "migrations/$TWIN"
cp "migrations/$ADD/migration.sql" "migrations/$TWIN/"
sed "s/$ADD/$TWIN/" "migrations/$ADD/snapshot.json" >"migrations/$TWIN/snapshot.json"
jrun check
expect_rc 7 "check --json with two branches from one parent"
jis '[f["migration"] for f in d["findings"]]' "[None]" "check: the finding is about the folder"
jis "'branches are not joined (heads $ADD, $TWIN)' in d['findings'][0]['message']" True \
    "check: the finding names both heads"

# ---- drop ----------------------------------------------------------------------------------------------
jrun drop
expect_ok "drop --json"
jis 'd["dropped"]' "$TWIN" "drop: the migration dropped"
jrun drop
expect_rc 2 "drop --json refuses an applied migration"
jis 'd["dropped"], d["error"]["kind"]' "(None, 'usage')" "drop's refusal"

# ---- resolve, baseline ---------------------------------------------------------------------------------
echo "-- a comment" >>"migrations/$ADD/migration.sql"
jrun resolve "$ADD" --accept-edit
expect_ok "resolve --accept-edit --json"
jis '[(m["name"], m["state"]) for m in d["migrations"]]' "[('$ADD', 'accepted')]" "resolve: what was done"
jis 'len(d["migrations"][0]["checksum"])' 64 "resolve: the new checksum"
jis 'd["migrations"][0]["applied_at"] is not None' True "resolve: still applied when it was"
printf '{ "dialect": "sqlite", "url": "sqlite:other.db", "schema": "schema.json", "out": "migrations" }\n' >cairn.json
run push --force
jrun baseline
expect_ok "baseline --json"
jis '[m["state"] for m in d["migrations"]]' "['baseline', 'baseline']" "baseline: both recorded"
jis 'd["changes"]' "[]" "baseline: no difference"

# ---- dialects, and errors before any command ---------------------------------------------------------
jrun dialects
jhead dialects
jis '"sqlite" in [x["name"] for x in d["dialects"]]' True "dialects lists sqlite"
jrun --bogus status
expect_rc 2 "an unknown option with --json"
jis 'd["error"]["kind"], "command" in d' "('usage', False)" "a usage error before any command ran"
one_error_line "the usage error is one line on stderr"

# a byte that is not UTF-8 in a message: still a document (U+FFFD), UTF-8 kept
jrun --config $'nope\xff\xc3\xa9.json' status
expect_rc 3 "a config file that is not there, its name not UTF-8"
jis 'd["error"]["message"].startswith("nope\ufffd\u00e9.json")' True "the byte became U+FFFD"

# the examples of docs/json-output.md are JSON too (all but the elided one)
check "docs/json-output.md: every example parses" python3 - "$CAIRN_SOURCE_DIR/docs/json-output.md" <<'PY'
import json, re, sys
blocks = re.findall(r"```json\n(.*?)```", open(sys.argv[1]).read(), re.S)
for b in blocks:
    if "..." not in b:
        json.loads(b)
assert len(blocks) >= 14, len(blocks)
PY
finish
