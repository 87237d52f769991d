# Shared by the PostgreSQL shell tests (cli.sh, options.sh), sourced after
# CAIRN_PG_URL is set (tests/pg/run.sh): psql and pg_dump from Debian's
# PostgreSQL 15 client, which talk to the servers the tests start.
PG_BIN=/usr/lib/postgresql/15/bin
PSQL=$PG_BIN/psql
[ -x "$PSQL" ] || PSQL=psql
PG_DUMP=$PG_BIN/pg_dump
[ -x "$PG_DUMP" ] || PG_DUMP=pg_dump

url_of() { echo "${CAIRN_PG_URL%/*}/$1"; }
# For scripts that also source tests/cli/lib.sh (ok, bad, run, expect_rc):
# expect_sql DB QUERY EXPECTED what; up_to_date what (the last run was a
# push that found nothing to do).
expect_sql() {
    local got
    got=$(q "$1" "$2")
    if [ "$got" = "$3" ]; then ok; else bad "$4: '$2' gave '$got', expected '$3'"; fi
}
up_to_date() {
    expect_rc 0 "$1"
    contains "$OUT$ERR" "up to date" && ok || bad "$1: not up to date: $OUT $ERR"
}
q() { "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 "$(url_of "$1")" -c "$2" 2>&1; }
newdb() {
    q postgres "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null
    q postgres "CREATE DATABASE \"$1\" TEMPLATE template0" >/dev/null
}
# project DB: a new database DB as DATABASE_URL, and $WORK/DB as the
# current directory (P).
project() {
    newdb "$1"
    export DATABASE_URL
    DATABASE_URL=$(url_of "$1")
    P="$WORK/$1"
    mkdir -p "$P"
    cd "$P" || exit 1
}

# The server's major decides what a test can ask of it; pg_dump refuses a
# server of a newer major than its own.
SERVER_NUM=$(q postgres "SHOW server_version_num")
DUMP_NUM=$("$PG_DUMP" --version | sed -n 's/.* \([0-9][0-9]*\)\.[0-9].*/\1/p')
can_dump() { [ "$SERVER_NUM" -lt $(((DUMP_NUM + 1) * 10000)) ]; }

# The catalogs in one sorted text, read the same way on 13 to 18: what
# pg_dump would say of tables, columns, keys, indexes, types, sequences,
# views, triggers and comments in the user's namespaces, without the
# history tables. NOT NULL is read from attnotnull: 18's NOT NULL
# constraint rows keep the name a column had when it was made NOT NULL,
# which a rename does not change.
DIGEST="WITH r AS (SELECT c.oid, c.relkind, c.reloptions, n.nspname || '.' || c.relname AS name,
    pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname !~ '^(pg_|information_schema$)' AND c.relname NOT LIKE '__cairn_migrations%')
SELECT * FROM (
  SELECT 'rel ' || r.name || ' ' || r.relkind::text || ' ' || COALESCE(obj_description(r.oid, 'pg_class'), '')
    || ' ' || COALESCE(pg_get_viewdef(r.oid, true), '') || ' '
    || COALESCE(array_to_string(r.reloptions, ','), '') || ' '
    || COALESCE(pg_get_partkeydef(r.oid), '') || ' ' || COALESCE(r.bound, '') || ' '
    || COALESCE((SELECT string_agg(i.inhparent::regclass::text, ',' ORDER BY i.inhseqno)
       FROM pg_inherits i WHERE i.inhrelid = r.oid), '') FROM r
  UNION ALL SELECT 'col ' || r.name || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
    || ' ' || a.attnotnull || ' ' || a.attidentity::text || a.attgenerated::text || ' '
    || COALESCE(pg_get_expr(d.adbin, d.adrelid), '') || ' ' || COALESCE(co.collname, '') || ' '
    || COALESCE(col_description(r.oid, a.attnum), '')
    FROM r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100
    WHERE r.relkind IN ('r', 'p', 'v', 'm')
  UNION ALL SELECT 'con ' || r.name || ' ' || con.conname || ' ' || pg_get_constraintdef(con.oid)
    FROM r JOIN pg_constraint con ON con.conrelid = r.oid WHERE con.contype <> 'n'
  UNION ALL SELECT 'idx ' || pg_get_indexdef(i.indexrelid) || ' '
    || COALESCE(obj_description(i.indexrelid, 'pg_class'), '')
    FROM r JOIN pg_index i ON i.indrelid = r.oid
  UNION ALL SELECT 'trg ' || pg_get_triggerdef(t.oid, true)
    FROM r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
  UNION ALL SELECT 'seq ' || r.name || ' ' || format_type(s.seqtypid, NULL) || ' ' || s.seqstart
    || ' ' || s.seqincrement || ' ' || s.seqmin || ' ' || s.seqmax || ' ' || s.seqcache || ' '
    || s.seqcycle FROM r JOIN pg_sequence s ON s.seqrelid = r.oid
  UNION ALL SELECT 'enum ' || n.nspname || '.' || t.typname || ' '
    || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e
        WHERE e.enumtypid = t.oid)
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname !~ '^(pg_|information_schema$)' AND t.typtype = 'e'
) AS x(line) ORDER BY 1"

# A database's schema as text: pg_dump where it can read the server, else
# the catalog digest.
dump() {
    if can_dump; then
        "$PG_DUMP" --schema-only --no-owner "$(url_of "$1")" |
            grep -v -e "^--" -e "^.restrict" -e "^.unrestrict" -e '^$'
    else
        q "$1" "$DIGEST"
    fi
}

# After tests/cli/lib.sh: expect_sql reads the server here, not SQLite.
expect_sql() { # expect_sql DB QUERY EXPECTED what
    local got
    got=$(q "$1" "$2")
    if [ "$got" = "$3" ]; then ok; else bad "$4: '$2' gave '$got', expected '$3'"; fi
}
# up_to_date what: the last run was a push that found nothing to do
up_to_date() {
    expect_rc 0 "$1"
    contains "$OUT$ERR" "up to date" && ok || bad "$1: not up to date: $OUT $ERR"
}
# pos TEXT: the line of the last run's output where TEXT first appears
pos() { printf '%s\n' "$OUT" | grep -n -m1 -F "$1" | cut -d: -f1; }
# before A B what: A comes before B in the last run's output
before() {
    local a b
    a=$(pos "$1")
    b=$(pos "$2")
    [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] && ok || bad "$3: '$1' not before '$2': $OUT"
}
