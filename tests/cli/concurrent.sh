#!/usr/bin/env bash
# Several deployers run `cairn migrate` on one database at the same time:
# every one succeeds, each migration is applied exactly once, and the data
# ends up as if one had run.
. "$(dirname "$0")/lib.sh"

P="$WORK/proj"
mkdir -p "$P"
cd "$P" || exit 1
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json", "out": "migrations",
  "lock_timeout": 30000 }
JSON
for f in "$CAIRN_SOURCE_DIR"/tests/cli/evolve/0[1-4]_*.json; do
    cp "$f" schema.json
    run generate --name "$(basename "$f" .json | cut -d_ -f2-)"
    expect_ok "generate $(basename "$f")"
done
# a data migration that must not run twice: it would insert twice
run generate --custom --name seed
expect_ok "generate --custom"
seed=$(ls -d migrations/*_seed)
printf 'INSERT INTO users(id, name, email) VALUES (1, %s, NULL);\n' "'ann'" >>"$seed/migration.sql"

pids=""
for i in 1 2 3 4 5 6; do
    "$CAIRN" migrate >"$WORK/m$i.out" 2>"$WORK/m$i.err" </dev/null &
    pids="$pids $!"
done
i=0
for p in $pids; do
    i=$((i + 1))
    wait "$p"
    rc=$?
    check "deployer $i succeeded (exit $rc: $(cat "$WORK/m$i.err"))" test "$rc" -eq 0
done
expect_sql app.db "SELECT count(*) FROM __cairn_migrations" 5 "each migration recorded once"
expect_sql app.db "SELECT count(*) FROM users" 1 "the data migration ran once"
applied=$(cat "$WORK"/m*.out | grep -c '^applied ')
check "five applications in all, across the deployers ($applied)" test "$applied" -eq 5
run status
check "status: all applied" test "$(printf '%s\n' "$OUT" | grep -c '^applied  ')" -eq 5
finish
