#!/usr/bin/env bash
# Table storage, rules and the indexes of materialized views on PostgreSQL
# (cairn issue 9), on a server started by tests/pg/run.sh (CAIRN_PG_URL):
#  - UNLOGGED tables, storage parameters (fillfactor, autovacuum_*, toast.*)
#    of tables and indexes, rules on tables and views, indexes of a
#    materialized view: pushed, working, converged (push twice; pull -> push
#    into an empty database -> pull identical; pg_dump of the copy equals the
#    original's, or the catalog digest where pg_dump cannot read the server);
#  - changes are ALTER TABLE SET [UN]LOGGED / SET (...) / RESET (...) on the
#    same table, CREATE OR REPLACE RULE, DROP RULE; a materialized view that
#    is recreated gets its indexes back;
#  - bad input: an unknown storage parameter, a persistence cairn does not
#    know: one line naming the table, nothing applied.
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
# shellcheck source=lib.sh
. "$here/lib.sh"
expect_sql() { # expect_sql DB QUERY EXPECTED what
    local got
    got=$(q "$1" "$2")
    if [ "$got" = "$3" ]; then ok; else bad "$4: '$2' gave '$got', expected '$3'"; fi
}
up_to_date() {
    expect_rc 0 "$1"
    contains "$OUT$ERR" "up to date" && ok || bad "$1: not up to date: $OUT $ERR"
}
# What the digest of lib.sh does not say: persistence, the TOAST tables'
# options, rules.
STORAGE="SELECT * FROM (
  SELECT 'rel ' || c.relname || ' ' || c.relpersistence::text || ' '
    || COALESCE(array_to_string(t.reloptions, ','), '')
    FROM pg_class c LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'm')
    AND c.relname NOT LIKE '__cairn%'
  UNION ALL SELECT 'rule ' || pg_get_ruledef(r.oid, true) || ' '
    || COALESCE(obj_description(r.oid, 'pg_rewrite'), '')
    FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
    WHERE c.relnamespace = 'public'::regnamespace AND r.rulename <> '_RETURN'
) AS x(line) ORDER BY 1"
state_of() { dump "$1"; q "$1" "$STORAGE"; }

P="$WORK/proj"
mkdir -p "$P"
cd "$P" || exit 1
newdb st
cat >schema.sql <<'SQL'
CREATE UNLOGGED TABLE cache (k text PRIMARY KEY, v text)
    WITH (fillfactor = 70, autovacuum_enabled = false, toast.autovacuum_enabled = false);
CREATE TABLE items (id int PRIMARY KEY, qty int, note text)
    WITH (autovacuum_vacuum_scale_factor = 0.05);
CREATE INDEX items_qty ON items (qty) WITH (fillfactor = 60);
CREATE TABLE items_log (id int, what text);
CREATE RULE items_keep AS ON DELETE TO items DO INSTEAD NOTHING;
CREATE RULE items_audit AS ON UPDATE TO items DO ALSO INSERT INTO items_log (id, what) VALUES (new.id, 'update');
COMMENT ON RULE items_audit ON items IS 'log updates';
CREATE MATERIALIZED VIEW totals AS SELECT id, sum(qty) AS qty FROM items GROUP BY id;
CREATE UNIQUE INDEX totals_id ON totals (id);
CREATE INDEX totals_qty ON totals (qty) WITH (fillfactor = 80);
COMMENT ON INDEX totals_qty IS 'by quantity';
CREATE VIEW items_v AS SELECT id, qty FROM items;
CREATE RULE items_v_add AS ON INSERT TO items_v DO INSTEAD INSERT INTO items (id, qty) VALUES (new.id, new.qty);
SQL
cat >cairn.json <<JSON
{ "dialect": "postgresql", "url": "$(url_of st)", "schema": "schema.sql", "out": "migrations" }
JSON
run push
expect_rc 0 "push"
run push
up_to_date "second push"
expect_sql st "SELECT relpersistence FROM pg_class WHERE relname = 'cache'" u "cache is unlogged"
expect_sql st "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'cache'" \
    "autovacuum_enabled=false,fillfactor=70" "cache's storage parameters"
expect_sql st "SELECT array_to_string(t.reloptions, ',') FROM pg_class c
    JOIN pg_class t ON t.oid = c.reltoastrelid WHERE c.relname = 'cache'" \
    "autovacuum_enabled=false" "cache's TOAST table's parameters"
expect_sql st "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'items_qty'" \
    "fillfactor=60" "an index's storage parameter"
expect_sql st "INSERT INTO items_v VALUES (1, 5); UPDATE items SET qty = 6; DELETE FROM items;
    REFRESH MATERIALIZED VIEW totals;
    SELECT (SELECT count(*) FROM items) || ' ' || (SELECT string_agg(what, ',') FROM items_log)
    || ' ' || (SELECT qty FROM totals)" "1 update 6" "the rules work"
expect_sql st "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes
    WHERE tablename = 'totals'" "totals_id,totals_qty" "the materialized view's indexes"

# ---- pull -> push into an empty database -> pull -------------------------------------
run pull --output pulled.json
expect_rc 0 "pull"
[ -z "$ERR" ] && ok || bad "pull leaves something out: $ERR"
python3 - pulled.json <<'PY' && ok || bad "pulled: $(cat pulled.json)"
import json, sys
d = json.load(open(sys.argv[1]))
t = {t["name"]: t for t in d["tables"]}
assert t["cache"]["options"] == {"autovacuum_enabled": "false", "fillfactor": "70",
                                 "persistence": "unlogged",
                                 "toast.autovacuum_enabled": "false"}, t["cache"]
assert t["items"]["options"] == {"autovacuum_vacuum_scale_factor": "0.05"}, t["items"]
assert "options" not in t["items_log"], t["items_log"]
objs = sorted((o["kind"], o.get("table"), o["name"]) for o in d["objects"])
assert objs == [("index", "totals", "totals_id"), ("index", "totals", "totals_qty"),
                ("rule", "items", "items_audit"), ("rule", "items", "items_keep"),
                ("rule", "items_v", "items_v_add")], objs
o = {o["name"]: o for o in d["objects"]}
assert o["items_audit"]["comment"] == "log updates", o["items_audit"]
assert o["totals_qty"]["comment"] == "by quantity", o["totals_qty"]
assert {"kind": "table", "name": "items_log"} in o["items_audit"]["depends"], o["items_audit"]
assert {"kind": "view", "name": "totals"} in o["totals_id"]["depends"], o["totals_id"]
PY
newdb st_copy
run --url "$(url_of st_copy)" --schema pulled.json push
expect_rc 0 "push the pulled schema into an empty database"
run --url "$(url_of st_copy)" pull --output copy.json
expect_rc 0 "pull the copy"
cmp -s pulled.json copy.json && ok || bad "pull of the copy differs: $(diff pulled.json copy.json)"
run --url "$(url_of st_copy)" --schema schema.sql push
up_to_date "the copy against schema.sql"
run --url "$(url_of st_copy)" --schema pulled.json push
up_to_date "the copy against its own pull"
[ "$(state_of st)" = "$(state_of st_copy)" ] && ok ||
    bad "the copy differs: $(diff <(state_of st) <(state_of st_copy))"

# ---- changes in place -----------------------------------------------------------------
oid_of() { q st "SELECT '$1'::regclass::oid"; }
cache_oid=$(oid_of cache)
items_oid=$(oid_of items)
sed -i -e 's/CREATE UNLOGGED TABLE cache/CREATE TABLE cache/' \
    -e 's/fillfactor = 70, autovacuum_enabled = false,/fillfactor = 50,/' \
    -e 's/WITH (autovacuum_vacuum_scale_factor = 0.05)/WITH (fillfactor = 90)/' schema.sql
run push --dry-run
expect_rc 0 "storage change: dry run"
expect_out 'ALTER TABLE "cache" SET LOGGED' "UNLOGGED to logged"
expect_out "ALTER TABLE \"cache\" SET (fillfactor = '50')" "a changed parameter"
expect_out 'ALTER TABLE "cache" RESET (autovacuum_enabled)' "a parameter taken away"
expect_out "ALTER TABLE \"items\" SET (fillfactor = '90')" "a new parameter"
expect_out 'ALTER TABLE "items" RESET (autovacuum_vacuum_scale_factor)' "another taken away"
contains "$OUT" "DROP" && bad "a storage change drops something: $OUT" || ok
run push
expect_rc 0 "storage change: push"
run push
up_to_date "storage change: second push"
[ "$(oid_of cache) $(oid_of items)" = "$cache_oid $items_oid" ] && ok ||
    bad "storage change: a table was recreated"
expect_sql st "SELECT relpersistence::text || ' ' || array_to_string(reloptions, ',') FROM pg_class
    WHERE relname = 'cache'" "p fillfactor=50" "cache after the change"
expect_sql st "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'items'" \
    "fillfactor=90" "items after the change"
sed -i 's/CREATE TABLE cache/CREATE UNLOGGED TABLE cache/' schema.sql
run push --dry-run
expect_out 'ALTER TABLE "cache" SET UNLOGGED' "logged to UNLOGGED"
run push
expect_rc 0 "back to UNLOGGED: push"
expect_sql st "SELECT relpersistence FROM pg_class WHERE relname = 'cache'" u "unlogged again"
run push
up_to_date "back to UNLOGGED: second push"

# ---- rules changed and dropped ----------------------------------------------------------
sed -i -e "s/VALUES (new.id, 'update')/VALUES (new.id, 'changed')/" \
    -e '/CREATE RULE items_keep/d' schema.sql
run push --dry-run
expect_rc 0 "rule change: dry run"
expect_out 'CREATE OR REPLACE RULE items_audit' "a changed rule is replaced"
expect_out 'DROP RULE "items_keep" ON "items"' "a rule taken away is dropped"
run push
expect_rc 0 "rule change: push"
expect_sql st "UPDATE items SET qty = 7; DELETE FROM items;
    SELECT (SELECT count(*) FROM items) || ' ' || (SELECT string_agg(what, ',' ORDER BY what)
    FROM items_log)" "0 changed,update" "the rules after the change"
expect_sql st "SELECT obj_description(oid, 'pg_rewrite') FROM pg_rewrite
    WHERE rulename = 'items_audit'" "log updates" "the replaced rule keeps its comment"
run push
up_to_date "rule change: second push"

# ---- a materialized view recreated gets its indexes back -----------------------------------
sed -i 's/sum(qty) AS qty FROM items/sum(qty) AS qty, count(*) AS n FROM items/' schema.sql
run push --dry-run
expect_rc 0 "view change: dry run"
expect_out 'CREATE UNIQUE INDEX totals_id ON public.totals' "the index comes back"
run push
expect_rc 0 "view change: push"
expect_sql st "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes
    WHERE tablename = 'totals'" "totals_id,totals_qty" "the recreated view's indexes"
expect_sql st "SELECT obj_description('totals_qty'::regclass, 'pg_class')" "by quantity" \
    "the index's comment"
run push
up_to_date "view change: second push"

# ---- bad input: one line naming the table, nothing applied --------------------------------
run pull --output now.json
before=$(state_of st)
python3 - now.json bad1.json bad2.json bad3.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = {t["name"]: t for t in d["tables"]}
t["items"].setdefault("options", {})["fillfactr"] = "70"
json.dump(d, open(sys.argv[2], "w"), indent=2)
del t["items"]["options"]["fillfactr"]
t["cache"]["options"]["persistence"] = "logged"
json.dump(d, open(sys.argv[3], "w"), indent=2)
t["cache"]["options"]["persistence"] = "unlogged"
t["items_log"]["options"] = {"fill factor": "70"}
json.dump(d, open(sys.argv[4], "w"), indent=2)
PY
run --schema bad1.json push --force
expect_rc 6 "an unknown storage parameter"
one_error_line "an unknown storage parameter"
expect_err 'ALTER TABLE "items" SET (fillfactr' "an unknown storage parameter: names the table"
expect_err 'unrecognized parameter "fillfactr"' "an unknown storage parameter: the server's message"
[ "$(state_of st)" = "$before" ] && ok || bad "an unknown storage parameter: something applied"
mkdir -p migrations
folder=$(state migrations)
run --schema bad2.json generate --name bad
expect_rc 4 "persistence \"logged\": generate"
one_error_line "persistence \"logged\": generate"
expect_err 'table cache: option persistence "logged": want "unlogged"' \
    "persistence \"logged\": names the table"
[ "$(state migrations)" = "$folder" ] && ok || bad "persistence \"logged\": generate wrote"
run --schema bad2.json push --force
expect_rc 4 "persistence \"logged\": push"
one_error_line "persistence \"logged\": push"
[ "$(state_of st)" = "$before" ] && ok || bad "persistence \"logged\": something applied"
run --schema bad3.json push --force
expect_rc 4 "a parameter name that is not one"
one_error_line "a parameter name that is not one"
expect_err 'table items_log: option "fill factor": not a storage parameter name' \
    "a parameter name that is not one: names the table"
[ "$(state_of st)" = "$before" ] && ok || bad "a parameter name that is not one: something applied"
sed 's/WITH (fillfactor = 90)/WITH (fillfactr = 90)/' schema.sql >bad.sql
run --schema bad.sql push --force
expect_rc 4 "an unknown storage parameter in schema.sql"
one_error_line "an unknown storage parameter in schema.sql"
expect_err 'CREATE TABLE items' "an unknown storage parameter in schema.sql: names the table"
expect_err 'unrecognized parameter "fillfactr"' \
    "an unknown storage parameter in schema.sql: the server's message"
[ "$(state_of st)" = "$before" ] && ok || bad "an unknown storage parameter in schema.sql: something applied"

finish
