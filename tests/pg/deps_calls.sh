#!/usr/bin/env bash
# Which function a view, check, index, trigger, default or generated column
# calls, on PostgreSQL (cairn issue 9), on a server started by
# tests/pg/run.sh (CAIRN_PG_URL):
#  - a function dropped and created again (its argument renamed) takes
#    along only what calls it: not what calls its overload f(text), nor
#    what calls other.f(integer) of another namespace (the plan names none
#    of them, their OIDs and generated values stay);
#  - a function that reads a table (a LANGUAGE sql string body, a BEGIN
#    ATOMIC body) is created after the table, and the check, index,
#    trigger and column default that call it are added after it, as
#    pg_dump orders them: pull -> push into an empty database -> pull
#    identical; generate + migrate of a hand-written schema.json (no
#    `depends`) on a new database; dropped in the reverse order; such a
#    function recreated takes its callers along, and so does one that
#    reads a view when the view is recreated;
#  - bad input: a table-reading body that names a missing column is one
#    line, and nothing is applied.
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
# shellcheck source=lib.sh
. "$here/lib.sh"
absent() { # absent TEXT what: TEXT is not in $OUT
    contains "$OUT" "$1" && bad "$2: '$1' in $OUT" || ok
}

P="$WORK/proj"
mkdir -p "$P"
cd "$P" || exit 1

# ---- dependents by signature ---------------------------------------------------------
newdb sig
cat >schema.sql <<'SQL'
CREATE SCHEMA other;
CREATE FUNCTION f(a integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT a * 2 $$;
CREATE FUNCTION f(a text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT a || a $$;
CREATE FUNCTION other.f(a integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT a * 3 $$;
CREATE TABLE t (n integer, s text,
  g_int integer GENERATED ALWAYS AS (f(n)) STORED,
  g_text text GENERATED ALWAYS AS (f(s)) STORED,
  g_other integer GENERATED ALWAYS AS (other.f(n)) STORED,
  d_text text DEFAULT f('x'::text),
  CONSTRAINT c_int CHECK (f(n) < 1000), CONSTRAINT c_text CHECK (f(s) <> 'x'),
  CONSTRAINT c_other CHECK (other.f(n) < 1000), CONSTRAINT c_lit CHECK (f('a'::text) <> 'b'));
CREATE INDEX t_int ON t ((f(n)));
CREATE INDEX t_text ON t ((f(s)));
CREATE INDEX t_other ON t ((other.f(n)));
CREATE VIEW v_int AS SELECT f(n) AS x FROM t;
CREATE VIEW v_text AS SELECT f(s) AS x FROM t;
CREATE VIEW v_other AS SELECT other.f(n) AS x FROM t;
SQL
cat >cairn.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of sig)", "schema": "schema.sql", "out": "migrations",
  "namespaces": ["public", "other"] }
JSON
run push
expect_rc 0 "signature: push"
q sig "INSERT INTO t (n, s) VALUES (1, 'q')" >/dev/null
oids() {
    q sig "SELECT string_agg(x, ' ' ORDER BY x) FROM (
        SELECT relname || '=' || oid AS x FROM pg_class
         WHERE relname IN ('v_text', 'v_other', 't_text', 't_other')
        UNION ALL SELECT conname || '=' || oid FROM pg_constraint
         WHERE conname IN ('c_text', 'c_other', 'c_lit')
        UNION ALL SELECT attname || '=' || attnum FROM pg_attribute
         WHERE attrelid = 't'::regclass AND attname IN ('g_text', 'g_other')) s"
}
kept=$(oids)
# f(integer)'s argument renamed: CREATE OR REPLACE refuses it
sed -i 's/CREATE FUNCTION f(a integer) RETURNS integer LANGUAGE sql IMMUTABLE AS \$\$ SELECT a \* 2/CREATE FUNCTION f(b integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT b * 2/' \
    schema.sql
run push --dry-run
expect_rc 0 "signature: dry run"
before 'DROP VIEW "v_int"' 'DROP FUNCTION "f"(a integer)' "signature: the view of f(integer)"
before 'DROP CONSTRAINT "c_int"' 'DROP FUNCTION "f"(a integer)' "signature: the check of f(integer)"
before 'DROP INDEX "t_int"' 'DROP FUNCTION "f"(a integer)' "signature: the index of f(integer)"
before 'DROP COLUMN "g_int"' 'DROP FUNCTION "f"(a integer)' "signature: the column of f(integer)"
before 'CREATE OR REPLACE FUNCTION public.f(b integer)' 'ADD CONSTRAINT "c_int"' \
    "signature: the check comes back after"
for o in v_text v_other t_text t_other c_text c_other c_lit g_text g_other d_text; do
    absent "\"$o\"" "signature: $o does not call f(integer)"
done
absent 'FUNCTION "f"(a text)' "signature: the overload stays"
absent '"other"."f"' "signature: other.f stays"
run push
expect_rc 0 "signature: push"
[ "$(oids)" = "$kept" ] && ok || bad "signature: a dependent of another f was recreated: $kept -> $(oids)"
expect_sql sig "SELECT n, s, g_int, g_text, g_other, d_text FROM t" "1|q|2|qq|3|xx" \
    "signature: the row and its generated values"
run push
up_to_date "signature: second push"

# ---- functions that read a table -----------------------------------------------------
newdb reads_src
newdb reads_dst
q reads_src "CREATE TABLE limits (n integer);
CREATE FUNCTION under_limit(v integer) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS \$\$ SELECT v <= (SELECT coalesce(max(n), 100) FROM limits) \$\$;
CREATE FUNCTION next_n() RETURNS integer LANGUAGE sql
    BEGIN ATOMIC SELECT coalesce(max(n), 0) + 1 FROM limits; END;
CREATE TABLE items (id integer DEFAULT next_n(), qty integer CONSTRAINT qty_ok CHECK (under_limit(qty)));
CREATE INDEX items_ul ON items ((under_limit(qty)));
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END \$\$;
CREATE TRIGGER items_t BEFORE INSERT ON items FOR EACH ROW WHEN (under_limit(NEW.qty))
    EXECUTE FUNCTION touch();" >/dev/null
cat >cairn.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of reads_src)", "schema": "pulled.json", "out": "migrations" }
JSON
run pull --output pulled.json
expect_rc 0 "reads: pull"
run push --url "$(url_of reads_dst)" --dry-run
expect_rc 0 "reads: dry run into an empty database"
before 'CREATE TABLE "limits"' 'CREATE OR REPLACE FUNCTION public.under_limit' \
    "reads: the table before the function that reads it"
before 'CREATE TABLE "limits"' 'CREATE OR REPLACE FUNCTION public.next_n' \
    "reads: the table before the BEGIN ATOMIC function"
before 'CREATE OR REPLACE FUNCTION public.under_limit' 'ADD CONSTRAINT "qty_ok"' \
    "reads: the check after the function"
before 'CREATE OR REPLACE FUNCTION public.under_limit' 'CREATE INDEX "items_ul"' \
    "reads: the index after the function"
before 'CREATE OR REPLACE FUNCTION public.under_limit' 'CREATE TRIGGER items_t' \
    "reads: the trigger after the function"
before 'CREATE OR REPLACE FUNCTION public.next_n' 'SET DEFAULT next_n()' \
    "reads: the default after the function"
run push --url "$(url_of reads_dst)"
expect_rc 0 "reads: push into an empty database"
mv pulled.json first.json
run pull --url "$(url_of reads_dst)" --output pulled.json
expect_rc 0 "reads: pull again"
cmp -s first.json pulled.json && ok || bad "reads: pull -> push -> pull differs: $(diff first.json pulled.json)"
run push --url "$(url_of reads_dst)"
up_to_date "reads: second push"
q reads_dst "INSERT INTO limits VALUES (5)" >/dev/null
expect_sql reads_dst "INSERT INTO items (qty) VALUES (3) RETURNING id, qty" "6|3" \
    "reads: the default and the check run"
got=$(q reads_dst "INSERT INTO items (qty) VALUES (50)")
contains "$got" "qty_ok" && ok || bad "reads: the check does not refuse 50: $got"

# generate + migrate of a hand-written schema.json without depends
newdb reads_gen
cat >schema.json <<'JSON'
{"dialect": "postgresql",
 "tables": [
  {"name": "limits", "columns": [{"name": "n", "type": "integer"}]},
  {"name": "items",
   "columns": [{"name": "id", "type": "integer", "default": "next_n()"}, {"name": "qty", "type": "integer"}],
   "checks": [{"name": "qty_ok", "expr": "under_limit(qty)"}]}],
 "objects": [
  {"kind": "function", "name": "under_limit", "signature": "v integer",
   "definition": "CREATE OR REPLACE FUNCTION public.under_limit(v integer)\n RETURNS boolean\n LANGUAGE sql\n IMMUTABLE\nAS $function$ SELECT v <= (SELECT coalesce(max(n), 100) FROM limits) $function$"},
  {"kind": "function", "name": "next_n",
   "definition": "CREATE OR REPLACE FUNCTION public.next_n()\n RETURNS integer\n LANGUAGE sql\nBEGIN ATOMIC\n SELECT (COALESCE(max(limits.n), 0) + 1)\n    FROM limits;\nEND"}]}
JSON
cat >cairn.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of reads_gen)", "schema": "schema.json", "out": "migrations" }
JSON
rm -rf migrations
run generate --name init
expect_rc 0 "reads: generate"
OUT=$(cat migrations/*_init/migration.sql)
before 'CREATE TABLE "limits"' 'CREATE OR REPLACE FUNCTION public.under_limit' \
    "reads: generate puts the table first"
before 'CREATE OR REPLACE FUNCTION public.under_limit' 'ADD CONSTRAINT "qty_ok"' \
    "reads: generate adds the check after the function"
run migrate
expect_rc 0 "reads: migrate on a new database"
run generate --name again
expect_rc 0 "reads: generate again"
contains "$OUT$ERR" "no changes" && ok || bad "reads: second generate not empty: $OUT $ERR"
expect_sql reads_gen "SELECT count(*) FROM pg_constraint WHERE conname = 'qty_ok'" 1 \
    "reads: the check is there"

# a function that reads a table, recreated (its argument renamed), on the
# database with rows: what calls it goes before it and comes back after
cat >cairn.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of reads_dst)", "schema": "pulled.json", "out": "migrations" }
JSON
sed -i 's/under_limit(v integer)\\n RETURNS boolean/under_limit(w integer)\\n RETURNS boolean/;
    s/SELECT v <= /SELECT w <= /; s/"signature": "v integer"/"signature": "w integer"/' pulled.json
grep -q 'under_limit(w integer)' pulled.json && ok || bad "reads: the test's edit of pulled.json"
run push --dry-run
expect_rc 0 "reads: recreate, dry run"
before 'DROP CONSTRAINT "qty_ok"' 'DROP FUNCTION "under_limit"(v integer)' \
    "reads: recreate drops the check first"
before 'DROP INDEX "items_ul"' 'DROP FUNCTION "under_limit"(v integer)' \
    "reads: recreate drops the index first"
before 'DROP TRIGGER "items_t"' 'DROP FUNCTION "under_limit"(v integer)' \
    "reads: recreate drops the trigger first"
before 'CREATE OR REPLACE FUNCTION public.under_limit(w integer)' 'ADD CONSTRAINT "qty_ok"' \
    "reads: recreate adds the check after"
absent 'next_n' "reads: recreate leaves the other function and its default"
run push
expect_rc 0 "reads: recreate, push"
expect_sql reads_dst "SELECT count(*) FROM items" 1 "reads: recreate keeps the rows"
run push
up_to_date "reads: recreate, second push"

# a function that reads a view goes and comes back with the view when the
# view is recreated: the check that calls it, the same on both sides, goes
# before it and comes back after it
newdb reads_view
cat >schema.sql <<'SQL'
CREATE TABLE caps (n integer);
CREATE VIEW cap_v AS SELECT n FROM caps;
CREATE FUNCTION cap() RETURNS integer LANGUAGE sql AS $$ SELECT coalesce(max(n), 100) FROM cap_v $$;
CREATE TABLE parts (qty integer CONSTRAINT qty_cap CHECK (qty <= cap()));
SQL
cat >cairn.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of reads_view)", "schema": "schema.sql", "out": "migrations" }
JSON
run push
expect_rc 0 "reads a view: push"
q reads_view "INSERT INTO parts VALUES (7)" >/dev/null
sed -i 's/CREATE VIEW cap_v AS SELECT n FROM caps;/CREATE VIEW cap_v AS SELECT n, n * 2 AS m FROM caps;/' schema.sql
run push --dry-run
expect_rc 0 "reads a view: the view changes, dry run"
before 'DROP CONSTRAINT "qty_cap"' 'DROP FUNCTION "cap"()' "reads a view: the check first"
before 'DROP FUNCTION "cap"()' 'DROP VIEW "cap_v"' "reads a view: the function before the view"
before 'CREATE VIEW "cap_v"' 'CREATE OR REPLACE FUNCTION public.cap()' \
    "reads a view: the function after the view"
before 'CREATE OR REPLACE FUNCTION public.cap()' 'ADD CONSTRAINT "qty_cap"' \
    "reads a view: the check after the function"
run push
expect_rc 0 "reads a view: push"
expect_sql reads_view "SELECT qty FROM parts" 7 "reads a view: the row stays"
run push
up_to_date "reads a view: second push"

cat >cairn.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of reads_dst)", "schema": "pulled.json", "out": "migrations" }
JSON
# dropped in the reverse order: what calls a function before it, the
# function before the tables it reads
echo '{"dialect": "postgresql"}' >empty.json
run push --schema empty.json --dry-run
expect_rc 0 "reads: drop all, dry run"
before 'DROP CONSTRAINT "qty_ok"' 'DROP FUNCTION "under_limit"' "reads: drop the check first"
before 'DROP TRIGGER "items_t"' 'DROP FUNCTION "under_limit"' "reads: drop the trigger first"
before 'DROP DEFAULT' 'DROP FUNCTION "next_n"' "reads: drop the default first"
before 'DROP FUNCTION "next_n"' 'DROP TABLE "limits"' "reads: the function before its table"
run push --schema empty.json --force
expect_rc 0 "reads: drop all"
expect_sql reads_dst "SELECT count(*) FROM pg_proc WHERE proname IN ('under_limit', 'next_n', 'touch')
    UNION ALL SELECT count(*) FROM pg_class WHERE relname IN ('items', 'limits')" "0
0" "reads: everything dropped"

# ---- bad input -------------------------------------------------------------------------
# a body that reads a missing column: one line, nothing applied
newdb reads_bad
cat >cairn.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of reads_bad)", "schema": "schema.json", "out": "migrations" }
JSON
sed -i 's/coalesce(max(n), 100) FROM limits/coalesce(max(nosuch), 100) FROM limits/' schema.json
grep -q nosuch schema.json && ok || bad "bad: the test's edit of schema.json"
run push
expect_rc 6 "bad: a body over a missing column (a statement failed)"
one_error_line "bad: a body over a missing column"
contains "$ERR" 'column "nosuch" does not exist' && ok || bad "bad: the server's message: $ERR"
expect_sql reads_bad "SELECT count(*) FROM pg_class WHERE relname IN ('items', 'limits')" 0 \
    "bad: nothing applied"

finish
