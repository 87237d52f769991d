#!/usr/bin/env bash
# What PostgreSQL keeps beyond the portable model, end to end through
# `cairn push` on a server started by tests/pg/run.sh (CAIRN_PG_URL): for
# each case a database built from one schema.sql is pushed to another, and
# then pg_dump of it equals pg_dump of a database built directly from the
# second file (the catalog digest of lib.sh where Debian's pg_dump 15 cannot
# read the server: 16 and later), and a second push has nothing to do.
set -u
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
: "${CAIRN_STAGE:?CAIRN_STAGE must point at the stage directory of a build}"
CAIRN="$CAIRN_STAGE/bin/cairn"
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
unset CAIRN_DIALECT_PATH DATABASE_URL
export LC_ALL=C

PASSED=0
FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-pgopt.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ok() { PASSED=$((PASSED + 1)); }
bad() { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }

qf() { "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 "$(url_of "$1")" -f "$2" 2>&1; }
# pg_dump where it can read the server, else the catalog digest (lib.sh)
dump() {
    if can_dump; then
        "$PG_DUMP" --schema-only --no-owner "$(url_of "$1")" |
            grep -v -e "^--" -e "^.restrict" -e "^.unrestrict" -e '^$'
    else
        q "$1" "$DIGEST"
    fi
}

# converge NAME FROM TO [push args...]: push the database built from FROM
# to TO; it must end as a database built from TO does.
converge() {
    local name=$1 from=$2 to=$3
    shift 3
    newdb opt_live
    newdb opt_want
    printf '%s\n' "$to" >"$WORK/to.sql"
    printf '%s\n' "$from" >"$WORK/from.sql"
    # as files: one statement at a time, as a user's psql -f would
    if ! qf opt_live "$WORK/from.sql" >"$WORK/err" || ! qf opt_want "$WORK/to.sql" >"$WORK/err"
    then
        bad "$name: the case's own SQL: $(cat "$WORK/err")"
        return
    fi
    if "$CAIRN" --url "$(url_of opt_live)" --schema "$WORK/to.sql" push --force "$@" \
        >"$WORK/out" 2>&1; then ok; else bad "$name: push: $(cat "$WORK/out")"; return; fi
    if diff -u <(dump opt_want) <(dump opt_live) >"$WORK/diff"; then ok; else
        bad "$name: the schemas differ:"; cat "$WORK/diff" >&2
    fi
    "$CAIRN" --url "$(url_of opt_live)" --schema "$WORK/to.sql" push --dry-run >"$WORK/out" 2>&1
    grep -q "up to date" "$WORK/out" && ok || bad "$name: second push: $(cat "$WORK/out")"
}

# ---- index options ----
T="CREATE TABLE users (id int PRIMARY KEY, email text, name text, age int, tags text[]);"
converge "operator class on a column" "$T" \
    "$T CREATE INDEX users_email ON users (email text_pattern_ops);"
converge "operator class added to an index" \
    "$T CREATE INDEX users_email ON users (email);" \
    "$T CREATE INDEX users_email ON users (email text_pattern_ops);"
converge "operator class on an expression, with COLLATE and DESC" "$T" \
    "$T CREATE INDEX users_lower ON users (lower(email) COLLATE \"C\" text_pattern_ops DESC, (age + 1));"
converge "NULLS FIRST and NULLS LAST" "$T CREATE INDEX users_age ON users (age);" \
    "$T CREATE INDEX users_age ON users (age NULLS FIRST, name DESC NULLS LAST);"
converge "fillfactor" "$T CREATE INDEX users_age ON users (age) WITH (fillfactor = 90);" \
    "$T CREATE INDEX users_age ON users (age) WITH (fillfactor = 70);"
converge "gin with fastupdate off" "$T" \
    "$T CREATE INDEX users_tags ON users USING gin (tags) WITH (fastupdate = off);"
converge "unique index NULLS NOT DISTINCT" "$T CREATE UNIQUE INDEX users_name ON users (name);" \
    "$T CREATE UNIQUE INDEX users_name ON users (name) INCLUDE (age) NULLS NOT DISTINCT WHERE age > 0;"
converge "options dropped again" \
    "$T CREATE UNIQUE INDEX users_name ON users (name text_pattern_ops NULLS FIRST) NULLS NOT DISTINCT WITH (fillfactor = 50);" \
    "$T CREATE UNIQUE INDEX users_name ON users (name);"

# ---- constraint options ----
converge "CHECK ... NO INHERIT" "CREATE TABLE a (n int CHECK (n > 0));" \
    "CREATE TABLE a (n int CHECK (n > 0) NO INHERIT, m int CONSTRAINT m_small CHECK (m < 10 OR m IS NULL) NO INHERIT);"
converge "NO INHERIT taken away" "CREATE TABLE a (n int CONSTRAINT n_pos CHECK (n > 0) NO INHERIT);" \
    "CREATE TABLE a (n int CONSTRAINT n_pos CHECK (n > 0));"

# ---- changes that must come in the right order ----
converge "primary key dropped with its column" \
    "CREATE TABLE users (id int PRIMARY KEY, name text);" "CREATE TABLE users (name text);"
converge "primary key moved off a dropped column" \
    "CREATE TABLE users (id int, code int, name text, PRIMARY KEY (id, code));" \
    "CREATE TABLE users (code int PRIMARY KEY, name text);"
converge "renamed table with other changes" \
    "CREATE TABLE old_accounts (id int PRIMARY KEY, legacy text, name text);" \
    "CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL, email text);" \
    --rename old_accounts=accounts
converge "identity added to a nullable column" \
    "CREATE TABLE v (n int, label text); INSERT INTO v VALUES (1, 'a'), (2, 'b');" \
    "CREATE TABLE v (n int GENERATED BY DEFAULT AS IDENTITY NOT NULL, label text);"
converge "AT TIME ZONE default" "CREATE TABLE e (id int);" \
    "CREATE TABLE e (id int, at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'), ok boolean DEFAULT (1 IS NOT NULL));"
converge "column moved to another enum" \
    "CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TYPE feeling AS ENUM ('ok', 'happy');
     CREATE TABLE p (m mood); INSERT INTO p VALUES ('ok');" \
    "CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TYPE feeling AS ENUM ('ok', 'happy');
     CREATE TABLE p (m feeling);"

# ---- identity and serial sequences ----
converge "identity with sequence options" "CREATE TABLE v (name text);" \
    "CREATE TABLE v (name text, volt int GENERATED BY DEFAULT AS IDENTITY (START WITH -200 INCREMENT BY 10 MINVALUE -200 MAXVALUE 200),
     down bigint GENERATED ALWAYS AS IDENTITY (INCREMENT BY -5 MAXVALUE -10 CACHE 20 CYCLE));"
converge "identity options changed, rows kept ahead" \
    "CREATE TABLE v (volt int GENERATED BY DEFAULT AS IDENTITY (START WITH -200 INCREMENT BY 10 MINVALUE -200 MAXVALUE 200), x int);
     INSERT INTO v (x) VALUES (1), (2);" \
    "CREATE TABLE v (volt int GENERATED BY DEFAULT AS IDENTITY (START WITH -100 INCREMENT BY 5 MINVALUE -100 MAXVALUE 100), x int);"
got=$(q opt_live "INSERT INTO v (x) VALUES (3) RETURNING volt")
[ "$got" = "-100" ] && ok || bad "identity options changed: next value past the rows: got '$got'"
converge "identity options back to the defaults" \
    "CREATE TABLE v (volt int GENERATED ALWAYS AS IDENTITY (START WITH 10 CACHE 5))" \
    "CREATE TABLE v (volt int GENERATED ALWAYS AS IDENTITY)"
converge "serial to bigserial" "CREATE TABLE s (id serial PRIMARY KEY);" "CREATE TABLE s (id bigserial PRIMARY KEY);"
converge "bigserial to smallserial" "CREATE TABLE s (id bigserial);" "CREATE TABLE s (id smallserial);"

# ---- what a schema file may say that the scratch database runs differently ----
converge "CREATE INDEX CONCURRENTLY in schema.sql" "CREATE TABLE t (a int, b text);" \
    "CREATE TABLE t (a int, b text DEFAULT 'index concurrently');
     COMMENT ON TABLE t IS 'built with CREATE INDEX CONCURRENTLY';
     CREATE INDEX CONCURRENTLY t_a ON t USING btree (a) INCLUDE (b);"

# A JSON schema can say the same: the element as CREATE INDEX takes it.
newdb opt_json
cat >"$WORK/schema.json" <<'JSON'
{ "dialect": "postgresql", "tables": [{ "name": "t",
  "columns": [{ "name": "email", "type": "text" }, { "name": "n", "type": "int" }],
  "indexes": [{ "name": "t_email", "unique": true, "method": "btree NULLS NOT DISTINCT WITH (fillfactor='80')",
    "columns": [{ "expr": "email text_pattern_ops NULLS LAST", "desc": true }, { "expr": "n IS NULL" }] }] }] }
JSON
if "$CAIRN" --url "$(url_of opt_json)" --schema "$WORK/schema.json" push --force >"$WORK/out" 2>&1
then ok; else bad "json index options: push: $(cat "$WORK/out")"; fi
got=$(q opt_json "SELECT pg_get_indexdef('t_email'::regclass)")
want="CREATE UNIQUE INDEX t_email ON public.t USING btree (email text_pattern_ops DESC NULLS LAST, ((n IS NULL))) NULLS NOT DISTINCT WITH (fillfactor='80')"
[ "$got" = "$want" ] && ok || bad "json index options: got '$got'"
"$CAIRN" --url "$(url_of opt_json)" --schema "$WORK/schema.json" push --dry-run >"$WORK/out" 2>&1
grep -q "up to date" "$WORK/out" && ok || bad "json index options: second push: $(cat "$WORK/out")"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
