#!/usr/bin/env bash
# 64 deployers run `cairn migrate` on one database at the same time: every
# one succeeds (the lock timeout outlasts the queue), each migration is
# applied exactly once, and the data ends up as if one had run.
. "$(dirname "$0")/lib.sh"

P="$WORK/proj"
mkdir -p "$P"
cd "$P" || exit 1
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json", "out": "migrations",
  "lock_timeout": 240000 }
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
# a counter that a second run would increment again, without any error
run generate --custom --name counter
expect_ok "generate --custom counter"
printf 'CREATE TABLE counter (n integer NOT NULL);\n--> statement-breakpoint\nINSERT INTO counter VALUES (0);\n' \
    >>"$(ls -d migrations/*_counter)/migration.sql"
run generate --custom --name bump
expect_ok "generate --custom bump"
printf 'UPDATE counter SET n = n + 1;\n' >>"$(ls -d migrations/*_bump)/migration.sql"

pids=""
for i in $(seq 1 64); do
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
expect_sql app.db "SELECT count(*) FROM __cairn_migrations" 7 "each migration recorded once"
expect_sql app.db "SELECT count(*) FROM users" 1 "the data migration ran once"
expect_sql app.db "SELECT n FROM counter" 1 "the counter was incremented once"
applied=$(cat "$WORK"/m*.out | grep -cE '^(\[[0-9]+/[0-9]+\] )?applied ')
check "seven applications in all, across the deployers ($applied)" test "$applied" -eq 7
run status
check "status: all applied" test "$(printf '%s\n' "$OUT" | grep -c '^applied  ')" -eq 7
finish
