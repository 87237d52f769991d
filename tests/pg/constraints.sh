#!/usr/bin/env bash
# Constraint options and comments (cairn issue 9), end to end through
# `cairn` on a server started by tests/pg/run.sh (CAIRN_PG_URL):
#  - DEFERRABLE / INITIALLY DEFERRED primary keys and unique constraints,
#    MATCH FULL, NOT VALID foreign keys and checks, comments on
#    constraints, triggers and enums: pushed into a database that has rows
#    which the NOT VALID constraints do not hold, equal to a database built
#    straight from the same schema.sql, a second push with nothing to do;
#  - pull -> push into an empty database -> pull gives the same file, and
#    the two databases dump the same;
#  - NOT VALID to valid is VALIDATE CONSTRAINT (rows kept), valid to NOT
#    VALID is nothing; a comment changes alone, DEFERRABLE is a drop and
#    an add;
#  - named NOT NULL constraints on PostgreSQL 18 (ignored before);
#  - temporal keys on 18: WITHOUT OVERLAPS keys, PERIOD foreign keys;
#  - bad input: one line, exit 4, nothing applied.
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
# shellcheck source=lib.sh
. "$here/lib.sh"

P="$WORK/proj"
mkdir -p "$P"
cd "$P" || exit 1

# What this test is about, as the catalogs hold it, on every version.
CONS_DIGEST="SELECT * FROM (
  SELECT 'con ' || c.conrelid::regclass::text || '.' || c.conname || ' ' || pg_get_constraintdef(c.oid)
    || ' valid=' || c.convalidated || ' ' || COALESCE(obj_description(c.oid, 'pg_constraint'), '')
    FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
    JOIN pg_namespace n ON n.oid = r.relnamespace
    WHERE n.nspname = 'public' AND r.relname NOT LIKE '__cairn%'
      AND (c.contype <> 'n' OR c.conname <> r.relname || '_' || (SELECT a.attname FROM pg_attribute a
           WHERE a.attrelid = r.oid AND a.attnum = c.conkey[1]) || '_not_null')
  UNION ALL SELECT 'trg ' || t.tgname || ' ' || COALESCE(obj_description(t.oid, 'pg_trigger'), '')
    FROM pg_trigger t WHERE NOT t.tgisinternal
  UNION ALL SELECT 'type ' || t.typname || ' ' || COALESCE(obj_description(t.oid, 'pg_type'), '')
    FROM pg_type t WHERE t.typtype = 'e'
) x(line) ORDER BY 1"
dump() {
    q "$1" "$CONS_DIGEST"
    if can_dump; then
        "$PG_DUMP" --schema-only --no-owner "$(url_of "$1")" |
            grep -v -e "^--" -e "^.restrict" -e "^.unrestrict" -e '^$'
    fi
}
qf() { "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 "$(url_of "$1")" -f "$2" 2>&1; }
up_to_date() { # up_to_date DB FILE what
    run --url "$(url_of "$1")" --schema "$2" push --dry-run
    contains "$OUT$ERR" "up to date" && ok || bad "$3: second push: $OUT $ERR"
}
same_as_built() { # same_as_built DB FILE what: DB equals one built from FILE by psql
    newdb want
    local err
    if ! err=$(qf want "$2"); then bad "$3: the test's own SQL: $err"; return; fi
    if diff -u <(dump want) <(dump "$1") >"$WORK/diff"; then ok; else
        bad "$3: the database differs from one built from the file:"; cat "$WORK/diff" >&2
    fi
}
expect_sql_pg() { # expect_sql_pg DB QUERY EXPECTED what
    local got
    got=$(q "$1" "$2")
    if [ "$got" = "$3" ]; then ok; else bad "$4: '$2' gave '$got', expected '$3'"; fi
}
ROWS="SELECT id, parent_id, qty FROM child ORDER BY id"

# ---- before: rows the NOT VALID constraints will not hold -----------------------------
cat >v0.sql <<'SQL'
CREATE TYPE status AS ENUM ('new', 'done');
CREATE TABLE parent (
  id integer PRIMARY KEY,
  tenant integer NOT NULL,
  code text,
  CONSTRAINT parent_code_key UNIQUE (code) DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT parent_id_tenant_key UNIQUE (id, tenant)
);
CREATE TABLE slot (n integer, CONSTRAINT slot_pkey PRIMARY KEY (n) DEFERRABLE);
CREATE TABLE child (
  id integer PRIMARY KEY,
  parent_id integer,
  ref_id integer,
  ref_tenant integer,
  qty integer,
  st status,
  CONSTRAINT child_ref_fkey FOREIGN KEY (ref_id, ref_tenant) REFERENCES parent (id, tenant)
    MATCH FULL ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT qty_positive CHECK (qty > 0)
);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER child_touch BEFORE UPDATE ON child FOR EACH ROW EXECUTE FUNCTION touch();
SQL
newdb live
run --url "$(url_of live)" --schema v0.sql push
expect_ok "push of DEFERRABLE keys and a MATCH FULL foreign key"
same_as_built live v0.sql "DEFERRABLE, MATCH FULL"
up_to_date live v0.sql "DEFERRABLE, MATCH FULL"
q live "INSERT INTO parent VALUES (1, 10, 'a');
  INSERT INTO child VALUES (1, 1, 1, 10, 5, 'new'), (2, 99, NULL, NULL, 5000, 'done')" >/dev/null
expect_sql_pg live "SELECT count(*) FROM child" "2" "the rows"

# ---- NOT VALID over rows that break it, comments ---------------------------------------
{ cat v0.sql; cat <<'SQL'; } >v1.sql
ALTER TABLE child ADD CONSTRAINT child_qty_small CHECK (qty < 1000) NOT VALID;
ALTER TABLE child ADD CONSTRAINT child_parent_fkey FOREIGN KEY (parent_id) REFERENCES parent (id)
  NOT VALID;
COMMENT ON CONSTRAINT parent_code_key ON parent IS 'one code each';
COMMENT ON CONSTRAINT slot_pkey ON slot IS 'the slot';
COMMENT ON CONSTRAINT child_ref_fkey ON child IS 'who it is for';
COMMENT ON CONSTRAINT qty_positive ON child IS 'no empty lines';
COMMENT ON CONSTRAINT child_qty_small ON child IS 'not yet';
COMMENT ON TRIGGER child_touch ON child IS 'keeps it fresh';
COMMENT ON TYPE status IS 'where it is';
SQL
run --url "$(url_of live)" --schema v1.sql push --dry-run
expect_out 'CHECK (qty < 1000) NOT VALID' "a NOT VALID check is added NOT VALID"
expect_out 'REFERENCES "parent" ("id") NOT VALID' "a NOT VALID foreign key is added NOT VALID"
expect_out 'COMMENT ON CONSTRAINT "slot_pkey" ON "slot" IS' "a comment on a primary key"
expect_out 'COMMENT ON TRIGGER "child_touch" ON "child" IS' "a comment on a trigger"
expect_out 'COMMENT ON TYPE "status" IS' "a comment on an enum"
contains "$OUT" "DROP CONSTRAINT" && bad "a comment drops a constraint: $OUT" || ok
run --url "$(url_of live)" --schema v1.sql push
expect_ok "NOT VALID constraints over rows that break them, and comments"
expect_sql_pg live "$ROWS" "1|1|5
2|99|5000" "the rows the NOT VALID constraints do not hold are kept"
same_as_built live v1.sql "NOT VALID, comments"
up_to_date live v1.sql "NOT VALID, comments"

# ---- pull -> push into an empty database -> pull -----------------------------------------
run --url "$(url_of live)" pull --output pulled.json
expect_ok "pull"
for want in '"not_valid": true' '"match_full": true' '"initially_deferred": true' \
    '"comment": "keeps it fresh"' '"comment": "where it is"' '"comment": "the slot"'; do
    grep -q "$want" pulled.json && ok || bad "pulled.json lacks $want"
done
got=$(python3 -c '
import json
d = json.load(open("pulled.json"))
fk = [f for t in d["tables"] for f in t.get("foreign_keys", []) if f["name"] == "child_ref_fkey"][0]
print(fk.get("deferrable"), fk.get("initially_deferred"), fk.get("match_full"), fk.get("on_delete"))')
[ "$got" = "True True True cascade" ] && ok || bad "child_ref_fkey pulled as $got"
newdb copy
run --url "$(url_of copy)" --schema pulled.json push
expect_ok "the pulled JSON pushed into an empty database"
run --url "$(url_of copy)" pull --output copy.json
expect_ok "pull of the copy"
cmp -s pulled.json copy.json && ok || bad "pull of the copy differs: $(diff pulled.json copy.json)"
if diff -u <(dump live) <(dump copy) >"$WORK/diff"; then ok; else
    bad "the copy differs from the original:"; cat "$WORK/diff" >&2
fi
up_to_date copy pulled.json "the copy"

# ---- NOT VALID to valid: VALIDATE CONSTRAINT, rows kept; comments changed alone ---------
q live "UPDATE child SET parent_id = 1, qty = 50 WHERE id = 2" >/dev/null
sed -e 's/ NOT VALID;/;/' -e '/^  NOT VALID;$/d' \
    -e 's/REFERENCES parent (id)$/REFERENCES parent (id);/' \
    -e "s/IS 'not yet'/IS 'checked'/" -e '/ON slot IS/d' v1.sql >v2.sql
run --url "$(url_of live)" --schema v2.sql push --dry-run
expect_out 'ALTER TABLE "child" VALIDATE CONSTRAINT "child_qty_small"' "a check validated"
expect_out 'ALTER TABLE "child" VALIDATE CONSTRAINT "child_parent_fkey"' "a foreign key validated"
expect_out "COMMENT ON CONSTRAINT \"child_qty_small\" ON \"child\" IS 'checked'" "a comment changed"
expect_out 'COMMENT ON CONSTRAINT "slot_pkey" ON "slot" IS NULL' "a comment removed"
contains "$OUT" "DROP CONSTRAINT" && bad "validating drops a constraint: $OUT" || ok
run --url "$(url_of live)" --schema v2.sql push
expect_ok "validate"
expect_sql_pg live "$ROWS" "1|1|5
2|1|50" "the rows after VALIDATE CONSTRAINT"
same_as_built live v2.sql "validated"
up_to_date live v2.sql "validated"
# valid to NOT VALID: a valid constraint already holds for every row
sed -e 's/CHECK (qty < 1000);/CHECK (qty < 1000) NOT VALID;/' \
    -e 's/REFERENCES parent (id);/REFERENCES parent (id) NOT VALID;/' v2.sql >v2nv.sql
grep -c "NOT VALID" v2nv.sql | grep -qx 2 && ok || bad "the test's v2nv.sql"
up_to_date live v2nv.sql "a schema that says NOT VALID of a valid constraint"

# ---- DEFERRABLE changed: a drop and an add ------------------------------------------------
sed -e 's/UNIQUE (code) DEFERRABLE INITIALLY DEFERRED/UNIQUE (code) DEFERRABLE/' \
    -e 's/PRIMARY KEY (n) DEFERRABLE/PRIMARY KEY (n)/' v2.sql >v3.sql
run --url "$(url_of live)" --schema v3.sql push
expect_ok "DEFERRABLE changed"
same_as_built live v3.sql "DEFERRABLE changed"
up_to_date live v3.sql "DEFERRABLE changed"

# ---- named NOT NULL constraints (PostgreSQL 18 keeps them) ------------------------------
cat >nn.sql <<'SQL'
CREATE TABLE nn (a integer CONSTRAINT nn_a_required NOT NULL, b integer NOT NULL, c integer);
SQL
newdb nn
run --url "$(url_of nn)" --schema nn.sql push
expect_ok "push of a named NOT NULL"
run --url "$(url_of nn)" pull --output nn.json
expect_ok "pull of a named NOT NULL"
grep -q '"checks"' nn.json && bad "NOT NULL constraints pulled as checks: $(cat nn.json)" || ok
if [ "$SERVER_NUM" -ge 180000 ]; then
    grep -c '"not_null_name"' nn.json | grep -qx 1 && grep -q '"not_null_name": "nn_a_required"' nn.json &&
        ok || bad "the user's NOT NULL name is pulled, the server's is not: $(cat nn.json)"
    same_as_built nn nn.sql "named NOT NULL"
    newdb nncopy
    run --url "$(url_of nncopy)" --schema nn.json push
    expect_ok "a named NOT NULL pushed into an empty database"
    expect_sql_pg nncopy "SELECT conname FROM pg_constraint WHERE contype = 'n' AND conrelid = 'nn'::regclass ORDER BY 1" \
        "nn_a_required
nn_b_not_null" "the copy's NOT NULL names"
    # renamed, and named where it was the server's
    sed -e 's/nn_a_required/nn_a_needed/' -e 's/b integer NOT NULL/b integer CONSTRAINT nn_b_set NOT NULL/' \
        -e 's/c integer)/c integer CONSTRAINT nn_c_set NOT NULL)/' nn.sql >nn2.sql
    run --url "$(url_of nn)" --schema nn2.sql push --dry-run
    expect_out 'RENAME CONSTRAINT "nn_a_required" TO "nn_a_needed"' "a NOT NULL renamed"
    expect_out 'ADD CONSTRAINT "nn_c_set" NOT NULL "c"' "a named NOT NULL added"
    run --url "$(url_of nn)" --schema nn2.sql push
    expect_ok "NOT NULL names changed"
    same_as_built nn nn2.sql "NOT NULL names changed"
    up_to_date nn nn2.sql "NOT NULL names changed"
else
    grep -q '"not_null_name"' nn.json && bad "a NOT NULL name pulled before 18: $(cat nn.json)" || ok
    # a schema that names one: nothing the server would keep
    python3 - <<'PY'
import json
d = json.load(open("nn.json"))
d["tables"][0]["columns"][0]["not_null_name"] = "nn_a_required"
json.dump(d, open("nn_named.json", "w"), indent=2)
PY
    up_to_date nn nn_named.json "a NOT NULL name before 18"
fi

# ---- temporal keys (PostgreSQL 18): WITHOUT OVERLAPS, PERIOD ------------------------------
if [ "$SERVER_NUM" -ge 180000 ]; then
    cat >tk1.sql <<'SQL'
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE rooms (
  id integer NOT NULL,
  during daterange NOT NULL,
  CONSTRAINT rooms_pk PRIMARY KEY (id, during)
);
SQL
    cat >tk2.sql <<'SQL'
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE rooms (
  id integer NOT NULL,
  code text NOT NULL,
  during daterange NOT NULL,
  CONSTRAINT rooms_pk PRIMARY KEY (id, during WITHOUT OVERLAPS),
  CONSTRAINT rooms_code UNIQUE (code, during WITHOUT OVERLAPS)
);
CREATE TABLE stays (
  room_id integer NOT NULL,
  during daterange NOT NULL,
  CONSTRAINT stays_room FOREIGN KEY (room_id, PERIOD during) REFERENCES rooms (id, PERIOD during)
);
SQL
    newdb temporal
    run --url "$(url_of temporal)" --schema tk1.sql push
    expect_ok "a key without WITHOUT OVERLAPS"
    run --url "$(url_of temporal)" --schema tk2.sql push --dry-run
    expect_out 'PRIMARY KEY ("id", "during" WITHOUT OVERLAPS)' "WITHOUT OVERLAPS added: the key again"
    expect_out 'FOREIGN KEY ("room_id", PERIOD "during") REFERENCES "rooms" ("id", PERIOD "during")' \
        "a foreign key with PERIOD"
    run --url "$(url_of temporal)" --schema tk2.sql push
    expect_ok "temporal keys"
    same_as_built temporal tk2.sql "temporal keys"
    up_to_date temporal tk2.sql "temporal keys"
    run --url "$(url_of temporal)" pull --output temporal.json
    expect_ok "pull of temporal keys"
    [ "$(grep -c '"without_overlaps": true' temporal.json)" = 2 ] && grep -q '"period": true' temporal.json &&
        ok || bad "temporal keys pulled: $(cat temporal.json)"
    newdb temporal_copy
    q temporal_copy "CREATE EXTENSION btree_gist" >/dev/null
    run --url "$(url_of temporal_copy)" --schema temporal.json push
    expect_ok "temporal keys pushed from the pulled file"
    same_as_built temporal_copy tk2.sql "temporal keys from the pulled file"
fi

# ---- bad input: one line, exit 4, nothing applied ---------------------------------------
before=$(dump live)
python3 - <<'PY'
import json
d = json.load(open("pulled.json"))
child = [t for t in d["tables"] if t["name"] == "child"][0]
child["checks"][0]["deferrable"] = True
json.dump(d, open("bad1.json", "w"), indent=2)
child["checks"][0].pop("deferrable")
child["checks"].append({"expr": "qty <> 7", "comment": "no name to comment on"})
json.dump(d, open("bad2.json", "w"), indent=2)
child["checks"].pop()
child["foreign_keys"][0]["not_valid"] = "yes"
json.dump(d, open("bad3.json", "w"), indent=2)
PY
run --url "$(url_of live)" --schema bad1.json push --force
expect_rc 4 "a deferrable check"
one_error_line "a deferrable check"
expect_err "deferrable: unknown key" "the refusal names the key"
run --url "$(url_of live)" --schema bad2.json push --force
expect_rc 4 "a comment on an unnamed check"
one_error_line "a comment on an unnamed check"
expect_err "unnamed constraint" "the refusal says why"
run --url "$(url_of live)" --schema bad3.json push --force
expect_rc 4 "not_valid is not a boolean"
one_error_line "not_valid is not a boolean"
if [ "$(dump live)" = "$before" ]; then ok; else bad "bad input changed the database"; fi
# a dialect that has none of it refuses it at load
cat >sq.json <<'JSON'
{"tables": [{"name": "t", "columns": [{"name": "a", "type": "integer"}],
  "checks": [{"name": "t_a", "expr": "a > 0", "not_valid": true}]}]}
JSON
run --url "sqlite:$WORK/x.db" --schema sq.json push --dry-run
expect_rc 4 "constraint options on SQLite"
one_error_line "constraint options on SQLite"
expect_err "sq.json:2:" "the refusal is at the key's line"
expect_err "dialect 'sqlite' has no constraint options" "the refusal says what is missing"
[ ! -e "$WORK/x.db" ] && ok || bad "SQLite: a database file was created"

finish
