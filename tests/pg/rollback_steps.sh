#!/usr/bin/env bash
# down.sql across the 16 steps of tests/pg/steps on PostgreSQL (enums,
# sequences, namespaces, views, indexes, checks, triggers, a column and a
# table renamed): after generate + migrate of every step, `cairn rollback`
# one migration at a time back to step 4, and after each `cairn drift` finds
# the database exactly at the snapshot of the newest migration left applied,
# with the rows kept through the renames. Migrating again gives the same
# pg_dump as before. Step 4 is not rolled back: its down.sql takes values
# out of an enum a column uses, which the planner does by DROP TYPE +
# CREATE TYPE, refused by PostgreSQL (a limitation of the planner's enum
# recreation, forward as well as backward).
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
STEPS="$CAIRN_SOURCE_DIR/tests/pg/steps"
. "$here/lib.sh"
dump() { "$PG_DUMP" --schema-only --no-owner -T '__cairn_migrations*' "$(url_of "$1")" |
    grep -v -e "^--" -e "^.restrict" -e "^.unrestrict"; }

P="$WORK/steps"
mkdir -p "$P"
cd "$P" || exit 1
q postgres "DROP DATABASE IF EXISTS steps WITH (FORCE)" >/dev/null 2>&1
q postgres "CREATE DATABASE steps TEMPLATE template0" >/dev/null
cat >cairn.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of steps)",
  "schema": "schema.sql", "out": "migrations", "namespaces": "public,billing" }
JSON

# the table and column that hold the rows, after step N
where() {
    table=users name=name
    [ "$1" -ge 12 ] && name=full_name
    [ "$1" -ge 13 ] && table=members
}
for n in $(seq 1 16); do
    step=$(printf '%02d' "$n")
    cp "$STEPS/$step.sql" schema.sql
    renames=()
    [ "$n" -eq 12 ] && renames=(--rename users.name=users.full_name)
    [ "$n" -eq 13 ] && renames=(--rename users=members)
    run generate --name "step$step" "${renames[@]}"
    expect_ok "step $n: generate"
    check "step $n: down.sql written" [ -f "migrations/$(ls migrations | tail -n 1)/down.sql" ]
    run migrate
    expect_ok "step $n: migrate"
    [ "$n" -eq 1 ] && q steps "INSERT INTO users (email, name) VALUES ('a@x.org', 'Ann'), ('b@y.org', 'Bob')" >/dev/null
done
dump steps >"$WORK/before.sql"

for n in $(seq 16 -1 5); do
    run rollback
    expect_ok "rollback of step $n"
    expect_out "rolled back $(ls migrations | sed -n "${n}p")" "step $n is the one rolled back"
    run drift
    expect_ok "after the rollback of step $n the database is at step $((n - 1)) (drift: $OUT)"
    where $((n - 1))
    got=$(q steps "SELECT string_agg($name || '<' || email, ',' ORDER BY id) FROM $table")
    [ "$got" = "Ann<a@x.org,Bob<b@y.org" ] && ok || bad "step $((n - 1)): rows kept: $got"
done

run migrate
expect_ok "migrate again"
dump steps >"$WORK/after.sql"
diff -u "$WORK/before.sql" "$WORK/after.sql" && ok || bad "pg_dump after rollback + migrate differs"
finish
