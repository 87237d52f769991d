#!/usr/bin/env bash
# What depends on what, on PostgreSQL (cairn issue 9), on a server started
# by tests/pg/run.sh (CAIRN_PG_URL):
#  - a view is not recreated when a table it reads loses a foreign key, or
#    renames or retypes a column it does not read (nor for a count(*));
#  - a view (and a materialized view) that must be recreated keeps what was
#    granted on it and its owner: push reads them and writes them back;
#    generate, which reads no database, says so in the SQL and on stderr;
#  - a function whose result or argument names change (PostgreSQL refuses
#    CREATE OR REPLACE) is dropped and created in one push, with the view,
#    trigger, check, index, column default and function that call it
#    dropped before and created again after; a generated column that calls
#    it is dropped and added again (its values computed again), a domain
#    whose check or default calls it loses them and gets them back;
#  - aggregates round-trip (pull -> push into an empty database -> pull
#    identical, second push empty), come after their support functions, and
#    a changed one takes the view that calls it along, grants kept;
#  - bad input: an aggregate whose support function does not exist, a
#    function body that does not compile: one line, nothing applied.
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
# shellcheck source=lib.sh
. "$here/lib.sh"

P="$WORK/proj"
mkdir -p "$P"
cd "$P" || exit 1
# roles are the cluster's: made once, whatever ran before
for r in deps_reader deps_writer deps_owner; do
    q postgres "DO \$\$ BEGIN CREATE ROLE $r; EXCEPTION WHEN duplicate_object THEN END \$\$" >/dev/null
done

# ---- a view is recreated only when something it reads changes ---------------------
newdb deps
cat >schema.sql <<'SQL'
CREATE TABLE owners (id integer PRIMARY KEY);
CREATE TABLE items (id integer PRIMARY KEY, owner_id integer REFERENCES owners, x integer,
    note text, size integer);
CREATE VIEW item_x AS SELECT id, x FROM items;
CREATE VIEW item_counts AS SELECT x, count(*) AS n FROM items GROUP BY x;
CREATE MATERIALIZED VIEW item_sizes AS SELECT id, size FROM items;
SQL
cat >cairn.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of deps)", "schema": "schema.sql", "out": "migrations" }
JSON
run push
expect_rc 0 "views: push"
q deps "INSERT INTO owners VALUES (1); INSERT INTO items VALUES (1, 1, 10, 'a', 5)" >/dev/null
q deps "GRANT SELECT ON item_x, item_counts, item_sizes TO deps_reader;
    GRANT SELECT, INSERT ON item_x TO deps_writer WITH GRANT OPTION" >/dev/null
q deps "ALTER VIEW item_counts OWNER TO deps_owner;
    ALTER MATERIALIZED VIEW item_sizes OWNER TO deps_owner" >/dev/null
oids() { q deps "SELECT string_agg(oid::text, ' ' ORDER BY relname) FROM pg_class
    WHERE relname IN ('item_x', 'item_counts', 'item_sizes')"; }
kept=$(oids)
# the foreign key goes, a column no view reads is renamed and one retyped
sed -i -e 's/owner_id integer REFERENCES owners/owner_id bigint/' -e 's/note text/remark text/' \
    schema.sql
run push --dry-run --rename items.note=items.remark
expect_rc 0 "unrelated changes: dry run"
contains "$OUT" "DROP VIEW" && bad "unrelated changes drop a view: $OUT" || ok
contains "$OUT" "DROP MATERIALIZED VIEW" && bad "unrelated changes drop the materialized view: $OUT" || ok
expect_out 'DROP CONSTRAINT "items_owner_id_fkey"' "unrelated changes: the foreign key goes"
expect_out 'RENAME COLUMN "note" TO "remark"' "unrelated changes: the rename"
run push --rename items.note=items.remark
expect_rc 0 "unrelated changes: push"
[ "$(oids)" = "$kept" ] && ok || bad "unrelated changes: a view was recreated"
expect_sql deps "SELECT has_table_privilege('deps_reader', 'item_x', 'SELECT')" t \
    "unrelated changes: the grant stays"
run push
up_to_date "unrelated changes: second push"

# ---- a column the views read changes type: recreated, grants kept ---------------------
sed -i -e 's/x integer,/x bigint,/' -e 's/size integer)/size bigint)/' schema.sql
run push --dry-run
expect_rc 0 "retype: dry run"
expect_out 'DROP VIEW "item_x"' "retype: the view that reads x goes"
expect_out 'DROP MATERIALIZED VIEW "item_sizes"' "retype: the materialized view that reads size goes"
before 'CREATE VIEW "item_x"' 'GRANT SELECT ON "item_x" TO deps_reader' "retype: re-granted after CREATE"
expect_out 'GRANT INSERT, SELECT ON "item_x" TO deps_writer WITH GRANT OPTION' \
    "retype: the grant option is kept"
expect_out 'GRANT SELECT ON "item_sizes" TO deps_reader' "retype: the materialized view's grant"
contains "$OUT" "TO postgres" && bad "retype: grants the owner: $OUT" || ok
before 'GRANT SELECT ON "item_counts" TO deps_reader' 'ALTER VIEW "item_counts" OWNER TO deps_owner' \
    "retype: the owner back, after the grants"
expect_out 'ALTER MATERIALIZED VIEW "item_sizes" OWNER TO deps_owner' \
    "retype: the materialized view's owner back"
contains "$OUT" 'ALTER VIEW "item_x" OWNER' && bad "retype: a view cairn's role owns gets an owner: $OUT" || ok
run push
expect_rc 0 "retype: push"
[ "$(oids)" != "$kept" ] && ok || bad "retype: the views were not recreated"
for v in item_x item_counts item_sizes; do
    expect_sql deps "SELECT has_table_privilege('deps_reader', '$v', 'SELECT')" t \
        "retype: deps_reader still reads $v"
done
expect_sql deps "SELECT has_table_privilege('deps_writer', 'item_x', 'INSERT WITH GRANT OPTION')" t \
    "retype: deps_writer keeps INSERT with grant option"
expect_sql deps "SELECT has_table_privilege('deps_writer', 'item_counts', 'SELECT')" f \
    "retype: nothing granted that was not"
expect_sql deps "SELECT string_agg(relname || ' ' || pg_get_userbyid(relowner), ', ' ORDER BY relname)
    FROM pg_class WHERE relname IN ('item_x', 'item_counts', 'item_sizes')" \
    "item_counts deps_owner, item_sizes deps_owner, item_x postgres" "retype: the owners are back"
run push
up_to_date "retype: second push"
run pull --output pulled.json
contains "$(cat pulled.json)" "deps_reader" && bad "pull writes grants: $(cat pulled.json)" || ok
contains "$(cat pulled.json)" "deps_owner" && bad "pull writes owners: $(cat pulled.json)" || ok

# ---- generate reads no database: the SQL says the grants are not known -------------
mkdir -p "$WORK/gen"
cd "$WORK/gen" || exit 1
printf '%s\n' "CREATE TABLE t (id integer PRIMARY KEY, x integer);" \
    "CREATE VIEW tv AS SELECT id, x FROM t;" >schema.sql
cat >cairn.json <<JSON
{ "dialect": "postgresql", "dev_url": "$(url_of postgres)", "schema": "schema.sql", "out": "migrations" }
JSON
run generate --name one
expect_rc 0 "generate: first"
sed -i 's/x integer/x bigint/' schema.sql
run generate --name two
expect_rc 0 "generate: the view is recreated"
expect_err "grants and owner are not known" "generate: a warning says the grants and owner are not known"
sql_two=$(cat migrations/*_two/migration.sql)
contains "$sql_two" '-- cairn: view "tv" is created again and DROP took its grants and its owner' && ok ||
    bad "generate: migration.sql does not say where the grants go: $sql_two"
contains "$(cat migrations/*_two/down.sql)" '-- cairn: view "tv" is created again' && ok ||
    bad "generate: down.sql does not say it either"
cd "$P" || exit 1

# ---- a function that must be dropped and created, with what calls it ---------------
newdb fn
fn_schema() { # fn_schema RESULT ARGNAME
    cat <<SQL
CREATE FUNCTION dbl(a integer) RETURNS $1 LANGUAGE sql IMMUTABLE AS 'SELECT (a * 2)::$1';
CREATE FUNCTION ok($2 text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT length($2) > 0';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql
    AS \$\$ BEGIN NEW.qty := NEW.qty + 1; RETURN NEW; END \$\$;
CREATE TABLE things (id integer PRIMARY KEY, name text CHECK (ok(name)), qty integer,
    twice $1 DEFAULT dbl(21));
CREATE INDEX things_dbl ON things (dbl(qty));
CREATE TRIGGER things_touch BEFORE INSERT ON things FOR EACH ROW
    WHEN (dbl(NEW.qty) > 10) EXECUTE FUNCTION touch();
CREATE VIEW thing_dbl AS SELECT id, dbl(qty) AS d FROM things;
SQL
    if [ "$SERVER_NUM" -ge 140000 ]; then
        echo "CREATE FUNCTION quad(a integer) RETURNS $1 LANGUAGE sql IMMUTABLE BEGIN ATOMIC SELECT dbl(a) + dbl(a); END;"
    fi
}
fn_schema integer v >fn.sql
run --url "$(url_of fn)" --schema fn.sql push
expect_rc 0 "functions: push"
q fn "GRANT SELECT ON thing_dbl TO deps_reader" >/dev/null
q fn "INSERT INTO things (id, name, qty) VALUES (1, 'a', 9)" >/dev/null
fn_schema bigint w >fn.sql
run --url "$(url_of fn)" --schema fn.sql push --dry-run
expect_rc 0 "functions: dry run"
before 'DROP VIEW "thing_dbl"' 'DROP FUNCTION "dbl"(a integer)' "functions: the view goes first"
before 'DROP TRIGGER' 'DROP FUNCTION "dbl"(a integer)' "functions: the trigger goes first"
before 'DROP INDEX "things_dbl"' 'DROP FUNCTION "dbl"(a integer)' "functions: the index goes first"
before 'DROP CONSTRAINT "things_name_check"' 'DROP FUNCTION "ok"(v text)' \
    "functions: the check goes first (argument renamed)"
before 'CREATE OR REPLACE FUNCTION public.dbl' 'CREATE TRIGGER' "functions: the trigger comes back after"
run --url "$(url_of fn)" --schema fn.sql push
expect_rc 0 "functions: a result change with a view and a trigger applies in one push"
run --url "$(url_of fn)" --schema fn.sql push
up_to_date "functions: second push"
expect_sql fn "SELECT pg_typeof(dbl(1))" bigint "functions: the new result"
expect_sql fn "SELECT has_table_privilege('deps_reader', 'thing_dbl', 'SELECT')" t \
    "functions: the recreated view keeps its grant"
expect_sql fn "INSERT INTO things (id, name, qty) VALUES (2, 'b', 9) RETURNING qty || ' ' || twice" \
    "10 42" "functions: the trigger and the default work again"
# (the trigger made the first row's qty 10)
expect_sql fn "SELECT d FROM thing_dbl WHERE id = 1" 20 "functions: the view reads the rows"
[ "$(q fn "INSERT INTO things (id, name, qty) VALUES (3, '', 1)" 2>&1 | grep -c things_name_check)" = 1 ] &&
    ok || bad "functions: the check does not run again"
if [ "$SERVER_NUM" -ge 140000 ]; then
    expect_sql fn "SELECT quad(3)" 12 "functions: a BEGIN ATOMIC caller is created again"
fi

# ---- a generated column and a domain that call such a function -------------------------
newdb gcol
gcol_schema() { # gcol_schema RESULT ARGNAME COLUMN-T
    cat <<SQL
CREATE FUNCTION tripled(a integer) RETURNS $1 LANGUAGE sql IMMUTABLE AS 'SELECT (a * 3)::$1';
CREATE FUNCTION positive($2 integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $2 > 0';
CREATE DOMAIN qty AS integer DEFAULT tripled(1) NOT NULL CONSTRAINT qty_check CHECK (positive(VALUE));
CREATE TABLE stock (id integer PRIMARY KEY, n qty, $3, note text);
CREATE INDEX stock_t_idx ON stock (t);
ALTER TABLE stock ADD CONSTRAINT stock_t_check CHECK (t < 1000);
CREATE VIEW stock_t AS SELECT id, t FROM stock;
COMMENT ON COLUMN stock.t IS 'three times n';
COMMENT ON DOMAIN qty IS 'a positive quantity';
SQL
}
gcol_schema integer v "t integer GENERATED ALWAYS AS (tripled(n)) STORED" >gcol.sql
run --url "$(url_of gcol)" --schema gcol.sql push
expect_rc 0 "generated column: push"
q gcol "INSERT INTO stock (id, n, note) VALUES (1, 2, 'a'), (2, 5, 'b')" >/dev/null
gcol_schema bigint w "t bigint GENERATED ALWAYS AS (tripled(n)) STORED" >gcol.sql
run --url "$(url_of gcol)" --schema gcol.sql push --dry-run
expect_rc 0 "generated column: dry run"
before 'ALTER TABLE "stock" DROP COLUMN "t"' 'DROP FUNCTION "tripled"(a integer)' \
    "generated column: dropped before the function"
before 'CREATE OR REPLACE FUNCTION public.tripled' 'ALTER TABLE "stock" ADD COLUMN "t" bigint GENERATED' \
    "generated column: added again after it"
before 'DROP VIEW "stock_t"' 'ALTER TABLE "stock" DROP COLUMN "t"' "generated column: the view that reads it first"
expect_out 'CREATE INDEX "stock_t_idx"' "generated column: its index comes back"
before 'ALTER DOMAIN "qty" DROP CONSTRAINT qty_check' 'DROP FUNCTION "positive"(v integer)' \
    "domain: its check goes before the function"
before 'ALTER DOMAIN "qty" DROP DEFAULT' 'DROP FUNCTION "tripled"(a integer)' \
    "domain: its default goes before the function"
before 'CREATE OR REPLACE FUNCTION public.positive' 'ALTER DOMAIN "qty" ADD CONSTRAINT qty_check' \
    "domain: its check comes back after it"
contains "$OUT" "DROP DOMAIN" && bad "domain: dropped while a column uses it: $OUT" || ok
run --url "$(url_of gcol)" --schema gcol.sql push
expect_rc 0 "generated column and domain: push"
run --url "$(url_of gcol)" --schema gcol.sql push
up_to_date "generated column and domain: second push"
expect_sql gcol "SELECT string_agg(id || ':' || n || ':' || t || ':' || note, ' ' ORDER BY id) FROM stock" \
    "1:2:6:a 2:5:15:b" "generated column: the rows kept, the values computed again"
expect_sql gcol "SELECT format_type(atttypid, atttypmod) || ' ' || col_description(attrelid, attnum)
    FROM pg_attribute WHERE attrelid = 'stock'::regclass AND attname = 't'" \
    "bigint three times n" "generated column: the new type, the comment"
expect_sql gcol "SELECT count(*) FROM pg_indexes WHERE indexname = 'stock_t_idx'" 1 \
    "generated column: the index is there"
expect_sql gcol "SELECT sum(t) FROM stock_t" 21 "generated column: the view reads it"
[ "$(q gcol "INSERT INTO stock (id, n) VALUES (3, 400)" 2>&1 | grep -c stock_t_check)" = 1 ] &&
    ok || bad "generated column: its check does not run again"
[ "$(q gcol "INSERT INTO stock (id, n) VALUES (3, -1)" 2>&1 | grep -c qty_check)" = 1 ] &&
    ok || bad "domain: its check does not run again"
expect_sql gcol "INSERT INTO stock (id) VALUES (4) RETURNING n || ' ' || t" "3 9" \
    "domain: its default works again"
expect_sql gcol "SELECT obj_description('qty'::regtype, 'pg_type')" "a positive quantity" \
    "domain: the comment stays"
# a STORED column the new schema makes plain keeps its values (DROP EXPRESSION)
gcol_schema integer w "t bigint" >gcol.sql
run --url "$(url_of gcol)" --schema gcol.sql push --dry-run
before 'ALTER COLUMN "t" DROP EXPRESSION' 'DROP FUNCTION "tripled"(a integer)' \
    "generated column made plain: the expression goes before the function"
contains "$OUT" 'DROP COLUMN "t"' && bad "generated column made plain: dropped: $OUT" || ok
run --url "$(url_of gcol)" --schema gcol.sql push
expect_rc 0 "generated column made plain: push"
run --url "$(url_of gcol)" --schema gcol.sql push
up_to_date "generated column made plain: second push"
expect_sql gcol "SELECT string_agg(id || ':' || t, ' ' ORDER BY id) FROM stock" "1:6 2:15 4:9" \
    "generated column made plain: the values stay"
# refused DB RC WHAT MESSAGE SQLSTATE CAIRN-ARGS...: exit RC, one line with
# MESSAGE and SQLSTATE, and DB as it was
refused() {
    local db=$1 rc=$2 what=$3 msg=$4 state=$5 base
    shift 5
    base=$(q "$db" "$DIGEST")
    run "$@"
    expect_rc "$rc" "$what"
    one_error_line "$what"
    expect_err "$msg" "$what: the message"
    expect_err "[SQLSTATE $state]" "$what: the SQLSTATE"
    [ "$(q "$db" "$DIGEST")" = "$base" ] && ok || bad "$what: database changed"
}
# a domain check that fails on the rows it had: refused, nothing applied
gcol_schema bigint w "t bigint" | sed 's/SELECT w > 0/SELECT w > 4/' >gcol.sql
refused gcol 6 "domain: a new check the rows fail" \
    'column "n" of table "stock" contains values that violate the new constraint' 23514 \
    --url "$(url_of gcol)" --schema gcol.sql push
expect_err 'ALTER DOMAIN "qty" ADD CONSTRAINT qty_check' "domain: a new check the rows fail: the statement"
expect_sql gcol "SELECT tripled(1)" 3 "domain: a new check the rows fail: the old function stays"
# 18: a VIRTUAL generated column cannot call a function of the schema at
# all (so none is ever in the way of one): one line, nothing applied
if [ "$SERVER_NUM" -ge 180000 ]; then
    gcol_schema integer w "t bigint GENERATED ALWAYS AS (tripled(n)) VIRTUAL" >gcol.sql
    refused gcol 4 "a VIRTUAL column that calls a function" \
        "generation expression uses user-defined function (line 4: CREATE TABLE stock" 0A000 \
        --url "$(url_of gcol)" --schema gcol.sql push --force
fi

# ---- aggregates ------------------------------------------------------------------------
newdb agg
cat >agg.sql <<'SQL'
CREATE FUNCTION sq_step(s bigint, v integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT s + v * v';
CREATE FUNCTION sq_final(s bigint) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT s::numeric';
CREATE AGGREGATE sum_sq(integer) (SFUNC = sq_step, STYPE = bigint, FINALFUNC = sq_final,
    INITCOND = '0', PARALLEL = SAFE);
CREATE AGGREGATE my_count(*) (SFUNC = int8inc, STYPE = bigint, INITCOND = '0');
COMMENT ON AGGREGATE sum_sq(integer) IS 'sum of squares';
CREATE TABLE m (x integer);
CREATE VIEW m_stats AS SELECT sum_sq(x) AS ss, my_count(*) AS n FROM m;
SQL
run --url "$(url_of agg)" --schema agg.sql push --dry-run
expect_rc 0 "aggregates: dry run"
before 'FUNCTION public.sq_final' 'CREATE AGGREGATE public.sum_sq' "aggregates: after their functions"
run --url "$(url_of agg)" --schema agg.sql push
expect_rc 0 "aggregates: push"
run --url "$(url_of agg)" --schema agg.sql push
up_to_date "aggregates: second push"
q agg "INSERT INTO m VALUES (1), (2), (3)" >/dev/null
expect_sql agg "SELECT ss || ' ' || n FROM m_stats" "14 3" "aggregates: they run"
run --url "$(url_of agg)" pull --output agg.json
expect_rc 0 "aggregates: pull"
contains "$ERR" "aggregate" && bad "aggregates: pull leaves one out: $ERR" || ok
newdb agg_copy
run --url "$(url_of agg_copy)" --schema agg.json push
expect_rc 0 "aggregates: push the pulled schema into an empty database"
run --url "$(url_of agg_copy)" pull --output agg_copy.json
cmp -s agg.json agg_copy.json && ok || bad "aggregates: pull of the copy differs: $(diff agg.json agg_copy.json)"
run --url "$(url_of agg_copy)" --schema agg.json push
up_to_date "aggregates: the copy, second push"
run --url "$(url_of agg_copy)" --schema agg.sql push
up_to_date "aggregates: the copy against agg.sql"
expect_sql agg_copy "SELECT obj_description('sum_sq(integer)'::regprocedure, 'pg_proc')" \
    "sum of squares" "aggregates: the comment"
# (lib.sh's dump: pg_dump where it can read the server, else the digest)
[ "$(dump agg)" = "$(dump agg_copy)" ] && ok ||
    bad "aggregates: the dump of the copy differs: $(diff <(dump agg) <(dump agg_copy))"
# a changed aggregate is dropped and created, the view that calls it too
q agg "GRANT SELECT ON m_stats TO deps_reader" >/dev/null
sed -i "s/INITCOND = '0', PARALLEL/INITCOND = '100', PARALLEL/" agg.sql
run --url "$(url_of agg)" --schema agg.sql push --dry-run
before 'DROP VIEW "m_stats"' 'DROP AGGREGATE "sum_sq"(integer)' "aggregate change: the view goes first"
contains "$OUT" 'DROP AGGREGATE "my_count"' && bad "aggregate change: the other one goes too: $OUT" || ok
run --url "$(url_of agg)" --schema agg.sql push
expect_rc 0 "aggregate change: push"
expect_sql agg "SELECT ss FROM m_stats" 114 "aggregate change: the new aggregate runs"
expect_sql agg "SELECT has_table_privilege('deps_reader', 'm_stats', 'SELECT')" t \
    "aggregate change: the view keeps its grant"
run --url "$(url_of agg)" --schema agg.sql push
up_to_date "aggregate change: second push"

# ---- bad input -------------------------------------------------------------------------
base=$(q agg "$DIGEST")
cp agg.sql bad.sql
echo "CREATE AGGREGATE broken(integer) (SFUNC = no_such_step, STYPE = integer);" >>bad.sql
run --url "$(url_of agg)" --schema bad.sql push
expect_rc 4 "an aggregate over a missing function"
one_error_line "an aggregate over a missing function"
# (PostgreSQL gives no position for it: the missing function is named)
expect_err "no_such_step" "an aggregate over a missing function: names what is missing"
expect_err "42883" "an aggregate over a missing function: SQLSTATE"
[ "$(q agg "$DIGEST")" = "$base" ] && ok || bad "an aggregate over a missing function: database changed"

finish
