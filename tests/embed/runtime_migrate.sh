#!/usr/bin/env bash
# An app applies migrations written by `cairn generate` at start-up; a second
# start applies nothing; a broken migration stops the app with one line.
set -u
app=$1 cairn=$2 dialects=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { if [ "$1" = 0 ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $2"; fi; }
cd "$work"
cat > schema.json <<'J'
{"tables": [{"name": "notes", "columns": [
  {"name": "id", "type": "integer", "not_null": true},
  {"name": "body", "type": "text", "not_null": true}],
  "primary_key": {"columns": ["id"]}}]}
J
"$cairn" --dialect sqlite --dialect-path "$dialects" --schema schema.json --out migrations generate --name init >/dev/null
ok $? "generate"
export DATABASE_URL="sqlite:$work/app.db"
out=$("$app" migrations "$dialects" 2>&1); rc=$?
ok $rc "first start applies: $out"
echo "$out" | grep -q "starting"; ok $? "app starts after migrating"
sqlite3 app.db "INSERT INTO notes (body) VALUES ('kept')"; ok $? "table exists"
out=$("$app" migrations "$dialects" 2>&1); rc=$?
ok $rc "second start: $out"
echo "$out" | grep -qi "nothing to apply"; ok $? "second start applies nothing: $out"
[ "$(sqlite3 app.db 'SELECT count(*) FROM __cairn_migrations')" = 1 ]; ok $? "one history row"
# an edited applied migration stops the app
echo "-- edited" >> migrations/*_init/migration.sql
out=$("$app" migrations "$dialects" 2>&1); rc=$?
[ $rc -ne 0 ]; ok $? "edited migration stops the app"
[ "$(echo "$out" | grep -c 'migrations failed')" = 1 ]; ok $? "one error line: $out"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
