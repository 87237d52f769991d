#!/usr/bin/env bash
# Declarative partitioning and INHERITS on PostgreSQL, end to end through
# `cairn` on a server started by tests/pg/run.sh (CAIRN_PG_URL):
#  - RANGE, LIST and HASH partitioned tables, a default partition,
#    sub-partitions, a key and indexes on the parent, an INHERITS child:
#    pushed from a schema.sql into the database built from another, they end
#    as a database built straight from it (pg_dump, or the catalog digest
#    where pg_dump 15 cannot read the server), and a second push is empty;
#  - pull, push into an empty database, pull: the same schema (and pg_dump);
#  - a bound that moves (DETACH + ATTACH), a table attached, a partition
#    detached: the rows stay, each in its partition;
#  - generate + migrate of a JSON schema with partitions, then nothing left;
#  - bad input, each one line, its exit status, nothing changed: an
#    overlapping bound (schema.sql: 4; JSON, met by the server: 6, both with
#    the SQLSTATE), a new partition key (4), a partition without a bound
#    (4), a bound the rows do not fit (6).
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
# shellcheck source=lib.sh
. "$here/lib.sh"

P="$WORK/proj"
mkdir -p "$P"
cd "$P" || exit 1

qf() { "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 "$(url_of "$1")" -f "$2" 2>&1; }
expect_q() { # expect_q DB QUERY EXPECTED what
    local got
    got=$(q "$1" "$2")
    if [ "$got" = "$3" ]; then ok; else bad "$4: '$2' gave '$got', expected '$3'"; fi
}
up_to_date() { # up_to_date what: the last run was a push that found nothing to do
    expect_rc 0 "$1"
    contains "$OUT$ERR" "up to date" && ok || bad "$1: not up to date: $OUT $ERR"
}

# converge NAME FROM TO [push args...]: push the database built from FROM
# to the schema.sql TO; it must end as a database built from TO does.
converge() {
    local name=$1 from=$2 to=$3
    shift 3
    newdb part_live
    newdb part_want
    printf '%s\n' "$from" >"$WORK/from.sql"
    printf '%s\n' "$to" >to.sql
    if ! qf part_live "$WORK/from.sql" >"$WORK/err" || ! qf part_want to.sql >"$WORK/err"; then
        bad "$name: the case's own SQL: $(cat "$WORK/err")"
        return
    fi
    run --url "$(url_of part_live)" --schema to.sql push "$@"
    expect_rc 0 "$name: push"
    diff -u <(dump part_want) <(dump part_live) >"$WORK/diff" && ok ||
        { bad "$name: the schemas differ:"; cat "$WORK/diff" >&2; }
    run --url "$(url_of part_live)" --schema to.sql push --dry-run
    up_to_date "$name: second push"
}

RANGE="CREATE TABLE ev (id bigint NOT NULL, at date NOT NULL, note text DEFAULT 'none',
  PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE INDEX ev_note ON ev (note);"
converge "RANGE with a default partition, key and index on the parent" "" \
    "$RANGE
     CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
     CREATE TABLE ev_2025 PARTITION OF ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
     CREATE TABLE ev_rest PARTITION OF ev DEFAULT;
     CREATE INDEX ev_rest_id ON ev_rest (id);"
converge "LIST" "" \
    "CREATE TABLE orders (id bigint NOT NULL, region text NOT NULL) PARTITION BY LIST (region);
     CREATE TABLE orders_am PARTITION OF orders FOR VALUES IN ('US', 'CA', 'MX');
     CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('FR', 'DE');"
converge "HASH" "" \
    "CREATE TABLE sessions (id bigint NOT NULL, user_id bigint NOT NULL) PARTITION BY HASH (user_id);
     CREATE TABLE sessions_0 PARTITION OF sessions FOR VALUES WITH (modulus 2, remainder 0);
     CREATE TABLE sessions_1 PARTITION OF sessions FOR VALUES WITH (modulus 2, remainder 1);"
converge "sub-partitions" "" \
    "CREATE TABLE m (id int NOT NULL, k text NOT NULL, v int) PARTITION BY HASH (id);
     CREATE TABLE m0 PARTITION OF m FOR VALUES WITH (modulus 2, remainder 0) PARTITION BY LIST (k);
     CREATE TABLE m0_ab PARTITION OF m0 FOR VALUES IN ('a', 'b');
     CREATE TABLE m0_rest PARTITION OF m0 DEFAULT;
     CREATE TABLE m1 PARTITION OF m FOR VALUES WITH (modulus 2, remainder 1);"
converge "a partition added, one dropped, a parent's index added" \
    "$RANGE CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');" \
    "$RANGE CREATE TABLE ev_2025 PARTITION OF ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
     CREATE INDEX ev_id ON ev (id DESC);" --force
converge "a column added to the parent, a default changed on it and on one partition" \
    "$RANGE CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');" \
    "$RANGE ALTER TABLE ev ADD COLUMN tag text DEFAULT 't';
     CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
     CREATE TABLE ev_2025 PARTITION OF ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
     ALTER TABLE ev ALTER COLUMN note SET DEFAULT 'n';
     ALTER TABLE ev_2025 ALTER COLUMN tag SET DEFAULT 'later';"
converge "a table attached with its own default" \
    "$RANGE CREATE TABLE ev_old (id bigint NOT NULL, at date NOT NULL, note text, PRIMARY KEY (id, at));" \
    "$RANGE CREATE TABLE ev_old (id bigint NOT NULL, at date NOT NULL, note text, PRIMARY KEY (id, at));
     ALTER TABLE ev ATTACH PARTITION ev_old FOR VALUES FROM ('2000-01-01') TO ('2024-01-01');"
converge "a partition detached into a plain table" \
    "$RANGE CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');" \
    "$RANGE CREATE TABLE ev_2024 (id bigint NOT NULL, at date NOT NULL, note text DEFAULT 'none', CHECK (id > 0));"
converge "INHERITS, with a check and a local column" "" \
    "CREATE TABLE base (id int NOT NULL, at timestamptz DEFAULT now(), CHECK (id > 0));
     CREATE TABLE child (extra text, CONSTRAINT extra_short CHECK (length(extra) < 10)) INHERITS (base);
     CREATE TABLE other (o int);
     CREATE TABLE both_ (b int) INHERITS (base, other);"

# ---- pull, push into an empty database, pull ------------------------------------
newdb part_src
newdb part_copy
cat >"$WORK/src.sql" <<'SQL'
CREATE SCHEMA sales;
CREATE TABLE sales.ev (id bigint GENERATED BY DEFAULT AS IDENTITY, at date NOT NULL,
  note text DEFAULT 'none', PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE INDEX ev_note ON sales.ev (note);
CREATE TABLE sales.ev_2024 PARTITION OF sales.ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
  PARTITION BY RANGE (at);
CREATE TABLE sales.ev_2024_a PARTITION OF sales.ev_2024 FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE TABLE sales.ev_2024_rest PARTITION OF sales.ev_2024 DEFAULT;
CREATE TABLE sales.ev_old (id bigint NOT NULL, at date NOT NULL, note text);
ALTER TABLE sales.ev ATTACH PARTITION sales.ev_old FOR VALUES FROM ('2000-01-01') TO ('2024-01-01');
CREATE TABLE public.items (id serial PRIMARY KEY, name text);
CREATE TABLE public.lines (item int REFERENCES public.items, at date NOT NULL, qty int CHECK (qty > 0))
  PARTITION BY RANGE (at);
CREATE TABLE public.lines_2024 PARTITION OF public.lines FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
COMMENT ON TABLE public.lines_2024 IS 'this year';
CREATE TABLE public.base (id int);
CREATE TABLE public.kid (k int) INHERITS (public.base);
SQL
qf part_src "$WORK/src.sql" >"$WORK/err" && ok || bad "pull: the source's SQL: $(cat "$WORK/err")"
run --url "$(url_of part_src)" --namespaces public,sales pull --output src.json
expect_rc 0 "pull of partitioned tables"
[ -z "$ERR" ] && ok || bad "pull: partitions are modelled, nothing to say: $ERR"
jrun_opts() { python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for t in d["tables"]:
    if t["name"] == sys.argv[2]: print(json.dumps(t.get("options", {}), sort_keys=True))' "$@"; }
got=$(jrun_opts src.json ev_2024)
want='{"partition_bound": "FOR VALUES FROM ('"'"'2024-01-01'"'"') TO ('"'"'2025-01-01'"'"')", "partition_by": "RANGE (at)", "partition_of": "sales.ev"}'
[ "$got" = "$want" ] && ok || bad "pull: a sub-partition's options: $got"
[ "$(jrun_opts src.json kid)" = '{"inherits": "base"}' ] && ok || bad "pull: inherits: $(jrun_opts src.json kid)"
run --url "$(url_of part_copy)" --namespaces public,sales --schema src.json push
expect_rc 0 "push of the pulled schema into an empty database"
run --url "$(url_of part_copy)" --namespaces public,sales pull --output copy.json
expect_rc 0 "pull of the copy"
diff -u src.json copy.json && ok || bad "pull, push, pull: the schemas differ"
diff -u <(dump part_src) <(dump part_copy) >"$WORK/diff" && ok ||
    { bad "pull, push: the dumps differ:"; cat "$WORK/diff" >&2; }
run --url "$(url_of part_copy)" --namespaces public,sales --schema src.json push --dry-run
up_to_date "second push of the pulled schema"

# ---- rows across ATTACH and DETACH ------------------------------------------------
newdb part_rows
cat >rows1.sql <<SQL
$RANGE
CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE ev_2025 PARTITION OF ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE ev_2023 (id bigint NOT NULL, at date NOT NULL, note text DEFAULT 'none');
SQL
cat >rows2.sql <<SQL
$RANGE
CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE TABLE ev_2024h2 PARTITION OF ev FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
CREATE TABLE ev_2025 (id bigint NOT NULL, at date NOT NULL, note text DEFAULT 'none');
CREATE TABLE ev_2023 PARTITION OF ev FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
SQL
run --url "$(url_of part_rows)" --schema rows1.sql push
expect_rc 0 "rows: the first schema"
q part_rows "INSERT INTO ev VALUES (1, '2024-03-01'), (2, '2025-03-01'), (3, '2024-09-01');
             INSERT INTO ev_2023 VALUES (4, '2023-05-01')" >/dev/null
where="SELECT string_agg(id || ':' || tableoid::regclass, ' ' ORDER BY id) FROM ev"
before=$(dump part_rows)
# row 3 is past ev_2024's new bound: the server refuses the ATTACH, and
# nothing of the push stays (PostgreSQL's DDL is transactional)
run --url "$(url_of part_rows)" --schema rows2.sql push
expect_rc 6 "rows: a bound its rows do not fit"
one_error_line "rows: a bound its rows do not fit"
expect_err 'partition constraint of relation "ev_2024" is violated by some row [SQLSTATE 23514]' \
    "rows: the server's message"
[ "$(dump part_rows)" = "$before" ] && ok || bad "rows: the failed push changed the schema"
expect_q part_rows "$where" "1:ev_2024 2:ev_2025 3:ev_2024" "rows: the failed push moved no row"
q part_rows "DELETE FROM ev WHERE id = 3" >/dev/null
run --url "$(url_of part_rows)" --schema rows2.sql push
expect_rc 0 "rows: a bound moved, a table attached, a partition detached"
expect_q part_rows "$where" "1:ev_2024 4:ev_2023" "rows: each row in its partition"
expect_q part_rows "SELECT id || ':' || at FROM ev_2025" "2:2025-03-01" "rows: the detached table keeps its row"
run --url "$(url_of part_rows)" --schema rows2.sql push --dry-run
up_to_date "rows: second push"
q part_rows "INSERT INTO ev VALUES (5, '2024-08-01')" >/dev/null
expect_q part_rows "SELECT tableoid::regclass FROM ev WHERE id = 5" "ev_2024h2" "rows: the new partition takes its rows"

# ---- generate + migrate of a JSON schema ----------------------------------------
newdb part_mig
cat >cairn.json <<JSON
{ "dialect": "postgresql", "schema": "schema.json", "out": "migrations",
  "url": "$(url_of part_mig)" }
JSON
cat >schema.json <<'JSON'
{ "dialect": "postgresql", "tables": [
  { "name": "ev", "columns": [
      { "name": "id", "type": "bigint", "not_null": true },
      { "name": "at", "type": "date", "not_null": true } ],
    "primary_key": { "columns": ["id", "at"] },
    "options": { "partition_by": "RANGE (at)" } },
  { "name": "ev_2024", "columns": [
      { "name": "id", "type": "bigint", "not_null": true },
      { "name": "at", "type": "date", "not_null": true } ],
    "options": { "partition_of": "ev",
                 "partition_bound": "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')" } },
  { "name": "ev_rest", "columns": [
      { "name": "id", "type": "bigint", "not_null": true },
      { "name": "at", "type": "date", "not_null": true } ],
    "options": { "partition_of": "ev", "partition_bound": "DEFAULT" } } ] }
JSON
run generate --name partitions
expect_rc 0 "generate of a JSON schema with partitions"
grep -q 'CREATE TABLE "ev_2024" PARTITION OF "ev" FOR VALUES' migrations/*/migration.sql && ok ||
    bad "generate: PARTITION OF: $(cat migrations/*/migration.sql)"
run migrate
expect_rc 0 "migrate"
expect_q part_mig "SELECT string_agg(c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid), ', '
    ORDER BY c.relname) FROM pg_class c WHERE c.relispartition AND c.relkind = 'r'" \
    "ev_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01'), ev_rest DEFAULT" "migrate: the partitions"
run generate --check
expect_rc 0 "generate --check after migrate"
run push --dry-run
up_to_date "push after migrate"

# ---- bad input: one line, its status, nothing changed ----------------------------
newdb part_bad
run --url "$(url_of part_bad)" --schema rows1.sql push
expect_rc 0 "bad input: the database"
before=$(dump part_bad)
cat >overlap.sql <<SQL
$RANGE
CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE ev_mid PARTITION OF ev FOR VALUES FROM ('2024-06-01') TO ('2024-08-01');
SQL
run --url "$(url_of part_bad)" --schema overlap.sql push --force
expect_rc 4 "overlapping bound in schema.sql"
one_error_line "overlapping bound in schema.sql"
expect_err 'overlap.sql: postgresql: statement failed: partition "ev_mid" would overlap partition "ev_2024" (line 5: CREATE TABLE ev_mid PARTITION OF ev' \
    "overlapping bound in schema.sql: the message"
expect_err '[SQLSTATE 42P17]' "overlapping bound in schema.sql: the SQLSTATE"
unchanged() { [ "$(dump part_bad)" = "$before" ] && ok || bad "$1: the database changed"; }
unchanged "overlapping bound in schema.sql"
run --url "$(url_of part_bad)" --schema rows1.sql pull --output bad.json
# set_bound FILE TABLE BOUND: the partition's bound in a JSON schema (none
# when BOUND is empty)
set_bound() {
    python3 - "$@" <<'PY'
import json, sys
path, name, bound = sys.argv[1:4]
d = json.load(open(path))
o = next(t for t in d["tables"] if t["name"] == name)["options"]
if bound:
    o["partition_bound"] = bound
else:
    del o["partition_bound"]
json.dump(d, open(path, "w"))
PY
}
set_bound bad.json ev_2025 "FOR VALUES FROM ('2024-06-01') TO ('2025-06-01')"
run --url "$(url_of part_bad)" --schema bad.json push --force
expect_rc 6 "overlapping bound in a JSON schema"
one_error_line "overlapping bound in a JSON schema"
expect_err 'partition "ev_2025" would overlap partition "ev_2024" [SQLSTATE 42P17]' \
    "overlapping bound in a JSON schema: the message"
unchanged "overlapping bound in a JSON schema"
sed 's/PARTITION BY RANGE (at)/PARTITION BY LIST (at)/' rows1.sql >relist.sql
sed -i '/PARTITION OF/d' relist.sql
run --url "$(url_of part_bad)" --schema relist.sql push --force
expect_rc 4 "a new partition key"
one_error_line "a new partition key"
expect_err "cairn: error: table ev: partition_by changes from RANGE (at) to LIST (at): PostgreSQL cannot change a table's partitioning in place; create a new table and move the rows" \
    "a new partition key: the message"
unchanged "a new partition key"
set_bound bad.json ev_2025 ""
run --url "$(url_of part_bad)" --schema bad.json push --force
expect_rc 4 "a partition without a bound"
one_error_line "a partition without a bound"
expect_err 'cairn: error: table ev_2025: "partition_of" needs "partition_bound" (FOR VALUES ... or DEFAULT)' \
    "a partition without a bound: the message"
unchanged "a partition without a bound"

finish
