#!/usr/bin/env bash
# Functions, procedures, trigger functions and extensions on PostgreSQL
# (cairn issue 9), on a server started by tests/pg/run.sh (CAIRN_PG_URL):
#  - a schema.sql with plpgsql and sql functions, overloads, a procedure, a
#    trigger function and its trigger, functions used by a column default
#    and a check, and extensions (citext, pg_trgm, btree_gist) is pushed,
#    works, and converges (push twice; pull -> push into an empty database
#    -> pull identical; pg_dump of the copy equals the original's);
#  - a body change is CREATE OR REPLACE (the function, its trigger and the
#    table that uses it stay the same objects); a result type change is a
#    drop and a create, with the default that calls it dropped first and
#    set again after; a function taken out is dropped;
#  - an extension's version is kept and updated with ALTER EXTENSION;
#  - PostGIS (skipped with a reason where it is not installed): a geometry
#    column survives pull -> push -> pull;
#  - bad input: a body that does not compile, an object kind cairn does not
#    model (a rule, an operator; aggregates are modelled: tests/pg/deps.sh):
#    one line, nothing applied.
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
# shellcheck source=lib.sh
. "$here/lib.sh"
has_ext() { [ "$(q postgres "SELECT count(*) FROM pg_available_extensions WHERE name = '$1'")" = 1 ]; }

P="$WORK/proj"
mkdir -p "$P"
cd "$P" || exit 1
for e in citext pg_trgm btree_gist; do
    has_ext "$e" || { echo "the server has no $e extension (contrib): skipped"; exit 77; }
done

newdb fn
cat >schema.sql <<'SQL'
CREATE EXTENSION citext;
CREATE EXTENSION pg_trgm;
CREATE EXTENSION btree_gist;
CREATE FUNCTION generate_item_id() RETURNS text LANGUAGE plpgsql
    AS $$ BEGIN RETURN 'it_' || nextval('item_seq'); END $$;
CREATE SEQUENCE item_seq;
CREATE FUNCTION is_good(v citext) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT length(v) > 0';
CREATE TABLE items (
    id text PRIMARY KEY DEFAULT generate_item_id(),
    name citext NOT NULL CHECK (is_good(name)),
    qty integer,
    during tsrange
);
CREATE INDEX items_name_trgm ON items USING gist (name gist_trgm_ops);
CREATE INDEX items_qty_during ON items USING gist (qty, during);
CREATE FUNCTION add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
CREATE FUNCTION add(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT a || b';
CREATE FUNCTION total_qty() RETURNS bigint LANGUAGE sql AS 'SELECT sum(qty) FROM items';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN NEW.qty := coalesce(NEW.qty, 0); RETURN NEW; END $$;
COMMENT ON FUNCTION touch() IS 'fills qty';
CREATE TRIGGER items_touch BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION touch();
CREATE PROCEDURE reset_qty(to_value integer) LANGUAGE sql AS 'UPDATE items SET qty = to_value';
SQL
cat >cairn.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of fn)", "schema": "schema.sql", "out": "migrations" }
JSON
run push --dry-run
expect_rc 0 "dry run"
# functions a table uses come before it, a sql function reading it after
[ "$(pos 'FUNCTION public.generate_item_id')" -lt "$(pos 'CREATE TABLE "items"')" ] && ok ||
    bad "the default's function is not created before the table: $OUT"
[ "$(pos 'FUNCTION public.total_qty')" -gt "$(pos 'CREATE TABLE "items"')" ] && ok ||
    bad "a sql function reading the table is not created after it: $OUT"
[ "$(pos 'CREATE EXTENSION IF NOT EXISTS citext')" -lt "$(pos 'FUNCTION public.is_good')" ] && ok ||
    bad "citext is not created before the function of its type: $OUT"
run push
expect_rc 0 "push functions, trigger, extensions"
run push
up_to_date "second push"
expect_sql fn "INSERT INTO items (name) VALUES ('Ann') RETURNING id || ' ' || qty" "it_1 0" \
    "default function and trigger run"
expect_sql fn "SELECT add(1, 2) || add('a', 'b')" "3ab" "both overloads"
expect_sql fn "CALL reset_qty(5); SELECT total_qty()" "5" "procedure and sql function"
expect_sql fn "SELECT count(*) FROM items WHERE name = 'ANN'" 1 "citext column compares without case"
expect_sql fn "SELECT obj_description('touch'::regproc, 'pg_proc')" "fills qty" "function comment"
q fn "INSERT INTO items (name) VALUES ('')" | grep -q items_name_check && ok ||
    bad "the check's function does not run"

# ---- pull -> push into an empty database -> pull ----------------------------------
run pull --output pulled.json
expect_rc 0 "pull"
[ -z "$ERR" ] && ok || bad "pull leaves something out: $ERR"
newdb fn_copy
run --url "$(url_of fn_copy)" --schema pulled.json push
expect_rc 0 "push the pulled schema into an empty database"
run --url "$(url_of fn_copy)" pull --output copy.json
cmp -s pulled.json copy.json && ok || bad "pull of the copy differs: $(diff pulled.json copy.json)"
run --url "$(url_of fn_copy)" --schema schema.sql push
up_to_date "the copy against schema.sql"
if can_dump; then
    dump() { "$PG_DUMP" --schema-only --no-owner "$(url_of "$1")" | grep -v -e '^--' -e '^$' -e '__cairn' \
        -e '^\\restrict' -e '^\\unrestrict'; }
    [ "$(dump fn)" = "$(dump fn_copy)" ] && ok ||
        bad "pg_dump of the copy differs: $(diff <(dump fn) <(dump fn_copy))"
fi
python3 - pulled.json <<'PY' && ok || bad "pulled objects: $(cat pulled.json)"
import json, sys
d = json.load(open(sys.argv[1]))
# a procedure's arguments say IN from PostgreSQL 14 on
got = sorted((o["kind"], o["name"], (o.get("signature") or "").replace("IN ", "") or None)
             for o in d["objects"])
want = sorted([("extension", "btree_gist", None), ("extension", "citext", None),
               ("extension", "pg_trgm", None), ("function", "add", "a integer, b integer"),
               ("function", "add", "a text, b text"), ("function", "generate_item_id", None),
               ("function", "is_good", "v citext"), ("function", "total_qty", None),
               ("function", "touch", None), ("procedure", "reset_qty", "to_value integer")])
assert got == want, got
# no object of an extension, no table of one
assert not any(o["name"] in ("similarity", "gbt_int4_consistent") for o in d["objects"])
deps = {o["name"]: o.get("depends", []) for o in d["objects"]}
assert {"kind": "table", "name": "items"} in deps["total_qty"], deps
assert {"kind": "extension", "name": "citext"} in deps["is_good"], deps
PY

# ---- a body change: CREATE OR REPLACE, the dependents stay ------------------------
oids() { q fn "SELECT 'touch'::regproc::oid || ' ' || 'generate_item_id'::regproc::oid || ' ' ||
    (SELECT oid FROM pg_trigger WHERE tgname = 'items_touch') || ' ' || 'items'::regclass::oid"; }
before=$(oids)
sed -i -e 's/coalesce(NEW.qty, 0)/coalesce(NEW.qty, 1)/' -e "s/'it_' ||/'item_' ||/" schema.sql
run push --dry-run
expect_rc 0 "body change: dry run"
contains "$OUT" "DROP" && bad "a body change drops something: $OUT" || ok
contains "$OUT" "CREATE OR REPLACE FUNCTION public.touch()" && ok || bad "body change: $OUT"
run push
expect_rc 0 "body change: push"
[ "$(oids)" = "$before" ] && ok || bad "body change: functions, trigger or table recreated"
expect_sql fn "INSERT INTO items (name) VALUES ('Bo') RETURNING id || ' ' || qty" "item_3 1" \
    "the new bodies run"
run push
up_to_date "body change: second push"

# ---- the result type changes: a drop and a create ---------------------------------
sed -i "s/total_qty() RETURNS bigint/total_qty() RETURNS numeric/" schema.sql
run push --dry-run
expect_rc 0 "result change: dry run"
contains "$OUT" "DROP FUNCTION \"total_qty\"()" && ok || bad "result change: no drop: $OUT"
run push
expect_rc 0 "result change: push"
expect_sql fn "SELECT pg_typeof(total_qty())" numeric "result change applied"
run push
up_to_date "result change: second push"
# ... of a function a column default uses: the default goes first and
# comes back (tests/pg/deps.sh has views, triggers, checks and indexes)
cp schema.sql good.sql
sed -i "s/generate_item_id() RETURNS text/generate_item_id() RETURNS varchar/" schema.sql
run push --dry-run
pos_default=$(pos 'ALTER TABLE "items" ALTER COLUMN "id" DROP DEFAULT')
[ -n "$pos_default" ] && [ "$pos_default" -lt "$(pos 'DROP FUNCTION "generate_item_id"()')" ] && ok ||
    bad "result change of a used function: the default is not dropped first: $OUT"
run push
expect_rc 0 "result change of a function a default uses: push"
expect_sql fn "SELECT pg_typeof(generate_item_id())" "character varying" "result change applied"
expect_sql fn "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'items'::regclass" \
    "generate_item_id()" "the default is back"
run push
up_to_date "result change of a used function: second push"
cp good.sql schema.sql
run push
expect_rc 0 "result change of a used function: back"

# ---- a function taken out is dropped ------------------------------------------------
sed -i '/FUNCTION add(a text/d' schema.sql
run push
expect_rc 0 "drop one overload"
expect_sql fn "SELECT count(*) FROM pg_proc WHERE proname = 'add'" 1 "one overload left"
run push
up_to_date "drop: second push"

# ---- an extension's version is kept, and updated ------------------------------------
newdb ext
q ext "CREATE EXTENSION citext VERSION '1.4'" >/dev/null
q ext "CREATE TABLE names (n citext)" >/dev/null
q ext "INSERT INTO names VALUES ('Ann')" >/dev/null
run --url "$(url_of ext)" pull --output ext.json
expect_rc 0 "pull an old extension version"
contains "$(cat ext.json)" "VERSION '1.4'" && ok || bad "pull: version not kept: $(cat ext.json)"
newdb ext_copy
run --url "$(url_of ext_copy)" --schema ext.json push
expect_rc 0 "push an old extension version"
expect_sql ext_copy "SELECT extversion FROM pg_extension WHERE extname = 'citext'" 1.4 \
    "the copy runs the same version"
printf 'CREATE EXTENSION citext;\nCREATE TABLE names (n citext);\n' >ext.sql
run --url "$(url_of ext)" --schema ext.sql push --dry-run
expect_out "ALTER EXTENSION \"citext\" UPDATE TO" "extension update: dry run"
contains "$OUT" "DROP" && bad "extension update drops: $OUT" || ok
run --url "$(url_of ext)" --schema ext.sql push
expect_rc 0 "extension update: push"
expect_sql ext "SELECT e.extversion = a.default_version FROM pg_extension e
    JOIN pg_available_extensions a ON a.name = e.extname WHERE e.extname = 'citext'" t \
    "extension updated"
expect_sql ext "SELECT n FROM names WHERE n = 'ANN'" Ann "the column and its rows stay"
run --url "$(url_of ext)" --schema ext.sql push
up_to_date "extension update: second push"

# ---- PostGIS ---------------------------------------------------------------------------
if has_ext postgis; then
    newdb gis
    printf '%s\n' "CREATE EXTENSION postgis;" \
        "CREATE TABLE places (id integer PRIMARY KEY, at geometry(Point, 4326), area geography);" \
        "CREATE INDEX places_at ON places USING gist (at);" >gis.sql
    run --url "$(url_of gis)" --schema gis.sql push
    expect_rc 0 "PostGIS: push"
    q gis "INSERT INTO places VALUES (1, 'SRID=4326;POINT(1 2)', 'POINT(1 2)')" >/dev/null
    run --url "$(url_of gis)" --schema gis.sql push
    up_to_date "PostGIS: second push (spatial_ref_sys is the extension's)"
    run --url "$(url_of gis)" pull --output gis.json
    expect_rc 0 "PostGIS: pull"
    contains "$(cat gis.json)" "spatial_ref_sys" && bad "PostGIS: its table was pulled" || ok
    newdb gis_copy
    run --url "$(url_of gis_copy)" --schema gis.json push
    expect_rc 0 "PostGIS: push the pulled schema"
    run --url "$(url_of gis_copy)" pull --output gis2.json
    cmp -s gis.json gis2.json && ok || bad "PostGIS: pull of the copy differs: $(diff gis.json gis2.json)"
    expect_sql gis_copy "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
        WHERE attrelid = 'places'::regclass AND attname = 'at'" "geometry(Point,4326)" \
        "PostGIS: the geometry column's type"
else
    echo "PostGIS is not installed for this server (Debian's postgresql-15-postgis-3, scripts/deps.sh test): its cases skipped"
fi

# ---- bad input -------------------------------------------------------------------------
state_of() { q fn "$DIGEST"; q fn "SELECT string_agg(md5(pg_get_functiondef(oid)), ',' ORDER BY oid)
    FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND prokind IN ('f','p')
    AND NOT EXISTS (SELECT 1 FROM pg_depend WHERE objid = pg_proc.oid AND deptype = 'e')"; }
base=$(state_of)
cp schema.sql broken.sql
echo 'CREATE FUNCTION broken() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1 END $$;' >>broken.sql
run --schema broken.sql push
expect_rc 4 "a body that does not compile (schema.sql)"
one_error_line "a body that does not compile (schema.sql)"
expect_err "CREATE FUNCTION broken()" "a body that does not compile: names the statement"
expect_err "syntax error at end of input" "a body that does not compile: the server's message"
expect_err "SQLSTATE 42601" "a body that does not compile: SQLSTATE"
[ "$(state_of)" = "$base" ] && ok || bad "a body that does not compile: database changed"
python3 - pulled.json bad.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["objects"].append({"kind": "function", "name": "broken",
    "definition": "CREATE FUNCTION broken() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1 END $$"})
json.dump(d, open(sys.argv[2], "w"))
PY
run --schema bad.json push --force
expect_rc 6 "a body that does not compile (JSON)"
one_error_line "a body that does not compile (JSON)"
expect_err "CREATE FUNCTION broken()" "a body that does not compile (JSON): names the statement"
expect_err "SQLSTATE 42601" "a body that does not compile (JSON): SQLSTATE"
[ "$(state_of)" = "$base" ] && ok || bad "a body that does not compile (JSON): database changed"
for stmt in "CREATE COLLATION mycoll (locale = 'C')|collation" \
    "CREATE OPERATOR === (LEFTARG = integer, RIGHTARG = integer, FUNCTION = int4eq)|operator"; do
    kind=${stmt#*|}
    cp schema.sql unknown.sql
    echo "${stmt%|*};" >>unknown.sql
    mkdir -p migrations
    folder=$(state migrations)
    run --schema unknown.sql push
    expect_rc 4 "a $kind in schema.sql"
    one_error_line "a $kind in schema.sql"
    expect_err "unknown.sql: postgresql: CREATE $(echo "$stmt" | cut -d' ' -f2) " \
        "a $kind in schema.sql: names the statement"
    expect_err "cairn does not model a" "a $kind in schema.sql: says the kind"
    expect_err "$kind" "a $kind in schema.sql: the kind"
    [ "$(state_of)" = "$base" ] && ok || bad "a $kind in schema.sql: database changed"
    run --schema unknown.sql generate --name unknown
    expect_rc 4 "a $kind in schema.sql: generate"
    [ "$(state migrations)" = "$folder" ] && ok || bad "a $kind in schema.sql: generate wrote"
done

finish
