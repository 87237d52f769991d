#!/usr/bin/env bash
# The quick start of the user guide, on examples/quickstart: generate the
# first migration, apply it, see it in status; a second generate and migrate
# find nothing to do.
. "$(dirname "$0")/lib.sh"

cp -r "$CAIRN_SOURCE_DIR/examples/quickstart" "$WORK/qs"
cd "$WORK/qs" || exit 1

run generate --name init
expect_ok "generate"
expect_out "migration.sql" "generate says what it wrote"
dir=$(ls -d migrations/*_init 2>/dev/null)
check "migration folder named <timestamp>_init" test -n "$dir"
check "migration.sql written" test -s "$dir/migration.sql"
check "snapshot.json written" test -s "$dir/snapshot.json"
check "folder name is a UTC timestamp" bash -c "basename '$dir' | grep -Eq '^[0-9]{14}_init$'"

run status
expect_ok "status before migrate"
expect_out "pending  ${dir#migrations/}" "status: pending"

run migrate
expect_ok "migrate"
expect_sql app.db "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__cairn%' ORDER BY name)" \
    "posts,users" "tables created"
expect_sql app.db "SELECT count(*) FROM __cairn_migrations" 1 "history recorded"
expect_sql app.db "INSERT INTO users(id, email) VALUES (1, 'a@example.com'); SELECT created_at IS NOT NULL FROM users" 1 \
    "defaults work"

run status
expect_ok "status after migrate"
check "status: applied with a time" \
    bash -c "printf '%s\n' \"\$1\" | grep -Eq '^applied  [0-9]{14}_init  [0-9]{4}-[0-9]{2}-[0-9]{2}T'" _ "$OUT"

run migrate
expect_ok "second migrate"
expect_sql app.db "SELECT count(*) FROM __cairn_migrations" 1 "second migrate applies nothing"

before=$(state migrations)
run generate
expect_ok "second generate"
expect_out "no changes" "second generate finds nothing"
check "second generate writes nothing" [ "$before" = "$(state migrations)" ]

run check
expect_ok "check"

run export
expect_ok "export"
expect_out "CREATE TABLE" "export prints the SQL"
printf '%s\n' "$OUT" | sqlite3 exported.db
check "exported SQL runs in sqlite3" test $? -eq 0
run --url sqlite:exported.db pull
expect_ok "pull to stdout"
printf '%s\n' "$OUT" >exported.json
run --schema exported.json generate
expect_out "no changes" "export creates the same schema"

# --custom with schema changes pending: written, but the user is told that
# the snapshot claims changes only their SQL can make
python3 -c '
import json
s = json.load(open("schema.json"))
s["tables"][0]["columns"].append({"name": "bio", "type": "text"})
json.dump(s, open("schema.json", "w"), indent=2)'
run generate --custom --name backfill
expect_ok "generate --custom with a pending change"
expect_err "warning: " "generate --custom warns about the pending change"
custom=$(ls -d migrations/*_backfill 2>/dev/null)
check "custom migration.sql holds only comments" \
    bash -c "! grep -v '^--' '$custom/migration.sql' | grep -q ."
finish
