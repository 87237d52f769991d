#!/usr/bin/env bash
# Domains, composite and range types, enums that lose values, row-level
# security and policies, exclusion constraints (cairn issue 9), end to end
# through `cairn` on a server started by tests/pg/run.sh (CAIRN_PG_URL):
#  - each kind created, changed with the rows of the tables that use it
#    kept (ALTER DOMAIN / ALTER TYPE / ALTER POLICY, an enum rebuilt behind
#    a rename), and dropped; after each push the database equals one built
#    straight from the same schema.sql (pg_dump where Debian's can read the
#    server, and a catalog digest of these objects everywhere), and a
#    second push has nothing to do;
#  - pull -> push into an empty database -> pull gives the same file;
#  - bad input: one line, its exit status, nothing applied.
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
# shellcheck source=lib.sh
. "$here/lib.sh"

P="$WORK/proj"
mkdir -p "$P"
cd "$P" || exit 1
NS=public,app

# These objects as the catalogs hold them, independent of cairn's reader.
TYPES_DIGEST="SELECT * FROM (
  SELECT 'domain ' || n.nspname || '.' || t.typname || ' ' || format_type(t.typbasetype, t.typtypmod)
    || ' ' || t.typnotnull || ' ' || COALESCE(t.typdefault, '') || ' ' || t.typcollation::regcollation::text
    || ' ' || COALESCE((SELECT string_agg(c.conname || ':' || pg_get_constraintdef(c.oid), ','
       ORDER BY c.conname) FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), '')
    || ' ' || COALESCE(obj_description(t.oid, 'pg_type'), '')
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype = 'd' AND n.nspname IN ('public', 'app')
  UNION ALL SELECT 'attr ' || t.typname || '.' || a.attname || ' '
    || row_number() OVER (PARTITION BY t.oid ORDER BY a.attnum) || ' '
    || format_type(a.atttypid, a.atttypmod) || ' ' || COALESCE(obj_description(t.oid, 'pg_type'), '')
    FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL SELECT 'range ' || r.rngtypid::regtype::text || ' ' || r.rngsubtype::regtype::text || ' '
    || r.rngsubdiff::text || ' ' || r.rngcollation FROM pg_range r
    JOIN pg_type t ON t.oid = r.rngtypid JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname IN ('public', 'app')
  UNION ALL SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
    FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid GROUP BY t.typname
  UNION ALL SELECT 'policy ' || schemaname || '.' || tablename || '.' || policyname || ' '
    || permissive || ' ' || cmd || ' ' || roles::text || ' ' || COALESCE(qual, '') || ' '
    || COALESCE(with_check, '') FROM pg_policies
  UNION ALL SELECT 'exclusion ' || conrelid::regclass::text || '.' || conname || ' '
    || pg_get_constraintdef(oid) || ' ' || COALESCE(obj_description(oid, 'pg_constraint'), '')
    FROM pg_constraint WHERE contype = 'x'
  UNION ALL SELECT 'rls ' || relname || ' ' || relrowsecurity || ' ' || relforcerowsecurity
    FROM pg_class WHERE relrowsecurity OR relforcerowsecurity
  UNION ALL SELECT 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relkind = 'r' AND n.nspname IN ('public', 'app') AND c.relname NOT LIKE '__cairn%'
) x(line) ORDER BY 1"
dump() {
    q "$1" "$TYPES_DIGEST"
    if can_dump; then
        "$PG_DUMP" --schema-only --no-owner "$(url_of "$1")" |
            grep -v -e "^--" -e "^.restrict" -e "^.unrestrict" -e '^$'
    fi
}
qf() { "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 "$(url_of "$1")" -f "$2" 2>&1; }
# one_error "what": stderr has one error line (a warning may come before it)
one_error() {
    local n
    n=$(printf '%s\n' "$ERR" | grep -c '^cairn: error: ')
    [ "$n" -eq 1 ] && ok || bad "$1: $n error lines: $ERR"
}
up_to_date() { # up_to_date DB FILE what
    run --namespaces $NS --url "$(url_of "$1")" --schema "$2" push --dry-run
    contains "$OUT$ERR" "up to date" && ok || bad "$3: second push: $OUT $ERR"
}
# same_as_built DB FILE what: DB equals a database built from FILE by psql
same_as_built() {
    newdb want
    local err
    if ! err=$(qf want "$2"); then bad "$3: the test's own SQL: $err"; return; fi
    if diff -u <(dump want) <(dump "$1") >"$WORK/diff"; then ok; else
        bad "$3: the database differs from one built from the file:"; cat "$WORK/diff" >&2
    fi
}
unchanged() { # unchanged DB BEFORE what
    if [ "$(dump "$1")" = "$2" ]; then ok; else bad "$3: the database changed"; fi
}

# Roles are the cluster's: names of this run's own.
R1=cairn_types_r1_$$
R2=cairn_types_r2_$$
q postgres "CREATE ROLE $R1; CREATE ROLE $R2" >/dev/null

# ---- every kind created ------------------------------------------------------------
cat >v1.sql <<SQL
CREATE SCHEMA app;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'unused');
CREATE DOMAIN email AS text COLLATE "C" DEFAULT 'nobody@example.org' NOT NULL
  CHECK (VALUE ~ '@') CONSTRAINT email_short CHECK (length(VALUE) < 200);
CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
CREATE DOMAIN quantity AS app.positive DEFAULT 1;
CREATE TYPE address AS (street text, zip app.positive, tags text[]);
CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE app.textrange AS RANGE (subtype = text, collation = "C");
CREATE TABLE notes (
  id integer PRIMARY KEY,
  owner text NOT NULL,
  contact email,
  qty quantity,
  home address,
  span floatrange,
  mood mood DEFAULT 'ok',
  moods mood[],
  CONSTRAINT one_span EXCLUDE USING gist (span WITH &&)
);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON notes USING (owner = current_user);
CREATE POLICY add ON notes AS RESTRICTIVE FOR INSERT TO $R1 WITH CHECK (id > 0);
COMMENT ON DOMAIN email IS 'an address to write to';
COMMENT ON TYPE address IS 'where one lives';
COMMENT ON POLICY own ON notes IS 'one sees one''s own';
COMMENT ON CONSTRAINT one_span ON notes IS 'spans do not overlap';
SQL
newdb live
run --namespaces $NS --url "$(url_of live)" --schema v1.sql push
expect_ok "push of domains, types, enums, policies into an empty database"
same_as_built live v1.sql "created"
up_to_date live v1.sql "created"
expect_sql_pg() { # expect_sql_pg DB QUERY EXPECTED what
    local got
    got=$(q "$1" "$2")
    if [ "$got" = "$3" ]; then ok; else bad "$4: '$2' gave '$got', expected '$3'"; fi
}
q live "INSERT INTO notes VALUES
  (1, 'ann', 'ann@example.org', 3, ROW('Main St', 12345, '{a}'), '[1,2)', 'happy', '{sad,happy}'),
  (2, 'bob', 'bob@example.org', 1, NULL, NULL, 'sad', NULL)" >/dev/null

# pull: what the model now holds is not said to be left out
run --namespaces $NS --url "$(url_of live)" pull --output pulled.json
expect_ok "pull"
contains "$ERR" "domain" && bad "pull still leaves out domains: $ERR" || ok
contains "$ERR" "polic" && bad "pull still leaves out policies: $ERR" || ok
contains "$ERR" "exclusion" && bad "pull still leaves out exclusion constraints: $ERR" || ok
contains "$ERR" "function" && bad "pull counts a range type's constructors as functions: $ERR" || ok
for kind in '"kind": "domain"' '"kind": "type"' '"kind": "policy"' '"kind": "exclusion"' \
    '"row_security": "force"'; do
    grep -q "$kind" pulled.json && ok || bad "pulled.json lacks $kind"
done

# ---- pull -> push into an empty database -> pull -------------------------------------
newdb copy
run --namespaces $NS --url "$(url_of copy)" --schema pulled.json push
expect_ok "the pulled JSON pushed into an empty database"
run --namespaces $NS --url "$(url_of copy)" pull --output copy.json
expect_ok "pull of the copy"
cmp -s pulled.json copy.json && ok || bad "pull of the copy differs: $(diff pulled.json copy.json)"
if diff -u <(dump live) <(dump copy) >"$WORK/diff"; then ok; else
    bad "the copy differs from the original:"; cat "$WORK/diff" >&2
fi
up_to_date copy pulled.json "the copy"

# ---- changed in place, rows kept ------------------------------------------------------
cat >v2.sql <<SQL
CREATE SCHEMA app;
CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');
CREATE DOMAIN email AS text COLLATE "C" DEFAULT 'someone@example.org'
  CONSTRAINT email_short CHECK (length(VALUE) < 100) CONSTRAINT email_at CHECK (VALUE LIKE '%@%');
CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
CREATE DOMAIN quantity AS app.positive DEFAULT 1 NOT NULL;
CREATE DOMAIN app.code AS text CHECK (VALUE <> '');
CREATE TYPE address AS (street text, zip app.positive, city text);
CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE app.textrange AS RANGE (subtype = text, collation = "C");
CREATE TABLE notes (
  id integer PRIMARY KEY,
  owner text NOT NULL,
  contact email,
  qty quantity,
  home address,
  span floatrange,
  mood mood DEFAULT 'sad',
  moods mood[],
  CONSTRAINT one_span EXCLUDE USING gist (span WITH &&) WHERE (owner <> '')
);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON notes TO $R1, $R2 USING (owner = current_user OR owner = 'ann')
  WITH CHECK (owner IS NOT NULL);
CREATE POLICY add ON notes AS RESTRICTIVE FOR INSERT TO $R1 WITH CHECK (id > 0);
COMMENT ON DOMAIN email IS 'where to write';
COMMENT ON TYPE address IS 'where one lives';
SQL
run --namespaces $NS --url "$(url_of live)" --schema v2.sql push --dry-run
for stmt in 'ALTER DOMAIN "email" DROP NOT NULL' 'ALTER DOMAIN "email" ADD CONSTRAINT email_at' \
    'ALTER DOMAIN "quantity" SET NOT NULL' 'ALTER TYPE "address" DROP ATTRIBUTE tags, ADD ATTRIBUTE city text' \
    'ALTER POLICY own ON notes TO' 'NO FORCE ROW LEVEL SECURITY' 'ALTER TYPE "mood" RENAME TO' \
    'USING "moods"::text[]::"mood"[]'; do
    expect_out "$stmt" "the plan alters in place"
done
contains "$OUT" "DROP DOMAIN" && bad "a changed domain is dropped: $OUT" || ok
run --namespaces $NS --url "$(url_of live)" --schema v2.sql push
expect_rc 9 "an enum that loses a value wants --force"
run --namespaces $NS --url "$(url_of live)" --schema v2.sql push --force
expect_ok "push of the changes"
same_as_built live v2.sql "changed"
up_to_date live v2.sql "changed"
expect_sql_pg live "SELECT * FROM notes ORDER BY id" \
    "1|ann|ann@example.org|3|(\"Main St\",12345,)|[1,2)|happy|{sad,happy}
2|bob|bob@example.org|1|||sad|" "the rows after the changes"
expect_sql_pg live "SELECT count(*) FROM pg_type WHERE typname LIKE '%cairn_old%'" "0" \
    "the enum's old type is gone"

# ---- refused: one line, nothing applied -------------------------------------------------
before=$(dump live)
# a value still in use: the server's message, nothing applied
sed "s/('happy', 'sad', 'meh')/('sad', 'meh')/" v2.sql >bad1.sql
run --namespaces $NS --url "$(url_of live)" --schema bad1.sql push --force
expect_rc 6 "an enum value removed while rows hold it"
one_error "an enum value removed while rows hold it"
expect_err 'invalid input value for enum mood: "happy" [SQLSTATE 22P02]' "the server's message"
unchanged live "$before" "an enum value removed while rows hold it"
# an attribute's type while a column has the type
sed "s/(street text, zip/(street varchar(80), zip/" v2.sql >bad2.sql
run --namespaces $NS --url "$(url_of live)" --schema bad2.sql push --force
expect_rc 4 "a composite attribute retyped while a column uses the type"
one_error_line "a composite attribute retyped while a column uses the type"
expect_err "type address: an attribute changes its type, which ALTER TYPE cannot do while column notes.home uses it" \
    "the refusal names the type and the column"
unchanged live "$before" "a composite attribute retyped"
# a domain's base type while a column has it
sed "s/CREATE DOMAIN email AS text/CREATE DOMAIN email AS varchar(300)/" v2.sql >bad3.sql
run --namespaces $NS --url "$(url_of live)" --schema bad3.sql push --force
expect_rc 4 "a domain's base type changed while a column uses it"
one_error_line "a domain's base type changed while a column uses it"
expect_err "domain email: its base type or collation changes (text -> character varying(300))" \
    "the refusal names the domain and both types"
unchanged live "$before" "a domain's base type changed"
# a policy on a table the schema does not have: JSON (the server says it)
cp copy.json bad4.json
python3 - bad4.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["objects"].append({"kind": "policy", "name": "stray", "table": "nosuch",
                     "definition": "CREATE POLICY stray ON nosuch AS PERMISSIVE FOR ALL TO PUBLIC USING (true)"})
json.dump(d, open(sys.argv[1], "w"), indent=2)
PY
before_copy=$(dump copy)
run --namespaces $NS --url "$(url_of copy)" --schema bad4.json push --force
expect_rc 6 "a policy on a missing table (JSON)"
one_error_line "a policy on a missing table (JSON)"
expect_err '(CREATE POLICY stray ON nosuch AS PERMISSIVE' "the error names the policy"
expect_err 'relation "nosuch" does not exist [SQLSTATE 42P01]' "the server's message and SQLSTATE"
unchanged copy "$before_copy" "a policy on a missing table (JSON)"
# ... and in a schema.sql (the scratch database says it)
printf 'CREATE TABLE t (id int);\nCREATE POLICY stray ON nosuch USING (true);\n' >bad5.sql
run --url "$(url_of copy)" --schema bad5.sql push --force
expect_rc 4 "a policy on a missing table (schema.sql)"
one_error_line "a policy on a missing table (schema.sql)"
expect_err 'relation "nosuch" does not exist (line 2: CREATE POLICY stray ON nosuch' \
    "a policy on a missing table (schema.sql): the server's message, the statement"
expect_err '[SQLSTATE 42P01]' "a policy on a missing table (schema.sql): the SQLSTATE"
unchanged copy "$before_copy" "a policy on a missing table (schema.sql)"
# a row_security value the option does not have
python3 - copy.json bad6.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["tables"][0]["options"]["row_security"] = "on"
json.dump(d, open(sys.argv[2], "w"), indent=2)
PY
run --namespaces $NS --url "$(url_of copy)" --schema bad6.json push --force
expect_rc 4 "row_security \"on\""
one_error_line "row_security \"on\""
expect_err 'table notes: option row_security "on": want "enabled" or "force"' "the refusal names the table"
unchanged copy "$before_copy" "row_security \"on\""

# ---- a domain nothing uses: a new base type is a drop and a create ------------------------
sed -e "s/CREATE DOMAIN app.code AS text/CREATE DOMAIN app.code AS varchar(10)/" \
    v2.sql >v3.sql
run --namespaces $NS --url "$(url_of live)" --schema v3.sql push --force
expect_ok "a domain no column uses gets a new base type"
same_as_built live v3.sql "a domain's base type"
up_to_date live v3.sql "a domain's base type"

# ---- everything dropped -------------------------------------------------------------------
cat >v4.sql <<'SQL'
CREATE SCHEMA app;
CREATE TABLE notes (id integer PRIMARY KEY, owner text NOT NULL, contact text);
SQL
run --namespaces $NS --url "$(url_of live)" --schema v4.sql push --force
expect_ok "domains, types, enum, policies and row security dropped"
same_as_built live v4.sql "dropped"
up_to_date live v4.sql "dropped"
expect_sql_pg live "SELECT id, owner, contact FROM notes ORDER BY id" \
    "1|ann|ann@example.org
2|bob|bob@example.org" "the rows after the drops"

q postgres "DROP ROLE $R1; DROP ROLE $R2" >/dev/null 2>&1
finish
