#!/usr/bin/env bash
# The lease lock (lock_strategy "lease"): a row with an expiry beside the
# history table instead of the dialect's session lock, for engines without
# one. On PostgreSQL (CAIRN_PG_URL, ctest pg.lease) and MariaDB
# (CAIRN_MYSQL_URL, mysql.lease):
#  - two deployers at once, with a migration that runs longer than the
#    lease: the holder renews it, the other waits, each migration runs once;
#  - a holder killed with SIGKILL: its row stays until the lease ends, then
#    the next deployer takes the lock over (and finds the killed run's
#    migration not applied on PostgreSQL, or PARTIAL on MariaDB, exit 10);
#  - a held lease and a short --lock-timeout: exit 8 naming the holder;
#  - bad lock settings: one line, exit 2 or 3, nothing changed;
#  - the lock table is never pulled as part of the schema.
. "$(dirname "$0")/lib.sh"

P="$WORK/lease"
mkdir -p "$P"
cd "$P" || exit 1
if [ -n "${CAIRN_PG_URL:-}" ]; then
    DIALECT=postgresql URL="${CAIRN_PG_URL%/*}/lease"
    PSQL=/usr/lib/postgresql/15/bin/psql
    [ -x "$PSQL" ] || PSQL=psql
    "$PSQL" -X -q "${CAIRN_PG_URL%/*}/postgres" -c "DROP DATABASE IF EXISTS lease WITH (FORCE)" \
        -c "CREATE DATABASE lease" >/dev/null 2>&1
    q() { "$PSQL" -X -q -A -t "$URL" -c "$1" 2>&1; }
    SLEEP="SELECT pg_sleep(%s)"
elif [ -n "${CAIRN_MYSQL_URL:-}" ]; then
    DIALECT=mysql URL="${CAIRN_MYSQL_URL%/*}/lease"
    MYSQLC=$(command -v mariadb || command -v mysql)
    "$MYSQLC" --no-defaults --socket="$CAIRN_MYSQL_SOCKET" -uroot \
        -e "DROP DATABASE IF EXISTS lease; CREATE DATABASE lease"
    q() { "$MYSQLC" --no-defaults --socket="$CAIRN_MYSQL_SOCKET" -uroot -N -B lease -e "$1" 2>&1; }
    SLEEP="SELECT SLEEP(%s)"
else
    echo "lease.sh needs CAIRN_PG_URL or CAIRN_MYSQL_URL (ctest pg.lease / mysql.lease)"
    exit 77
fi
cat > cairn.json <<JSON
{"dialect": "$DIALECT", "url": "$URL", "schema": "schema.json", "out": "migrations",
 "lock_strategy": "lease", "lock_lease": "1500"}
JSON
echo '{"tables":[{"name":"a","columns":[{"name":"id","type":"integer","primary_key":true}]}]}' > schema.json
run generate --name a
expect_ok "generate a"
# a custom migration that runs for 4 s (longer than the 1.5 s lease)
run generate --custom --name slow
expect_ok "generate a custom migration"
SLOWDIR=$(ls -d migrations/*_slow)
printf "$SLEEP;\n--> statement-breakpoint\nCREATE TABLE slow_done (id integer);\n" 4 > "$SLOWDIR/migration.sql"

# Two deployers at once: the second waits for the first (renewed past its lease).
"$CAIRN" migrate > "$WORK/a.out" 2>&1 &
A=$!
sleep 0.5
run migrate --lock-timeout 30000
B_RC=$RC
wait $A
A_RC=$?
check "both deployers succeed ($A_RC, $B_RC)" test "$A_RC" = 0 -a "$B_RC" = 0
check "each migration ran once" test "$(q "SELECT count(*) FROM __cairn_migrations"),$(q "SELECT count(DISTINCT name) FROM __cairn_migrations")" = "2,2"
check "the lease row is gone after the run" test "$(q "SELECT count(*) FROM __cairn_migrations_lock")" = 0
run pull
check "the lock table is not part of the schema" test "$(printf '%s' "$OUT" | grep -c __cairn_migrations_lock)" = 0

# A holder killed with SIGKILL: the next one takes over once the lease ends.
run generate --custom --name slow2
S2=$(ls -d migrations/*_slow2)
printf "$SLEEP;\n--> statement-breakpoint\nCREATE TABLE slow2_done (id integer);\n" 20 > "$S2/migration.sql"
"$CAIRN" migrate > "$WORK/k.out" 2>&1 &
K=$!
for _ in $(seq 1 100); do
    [ "$(q "SELECT count(*) FROM __cairn_migrations_lock" 2>/dev/null)" = 1 ] && break
    sleep 0.05
done
sleep 0.3
kill -9 $K
wait $K 2>/dev/null
check "the killed holder left its row" test "$(q "SELECT count(*) FROM __cairn_migrations_lock")" = 1
# a short wait fails, naming the holder
run migrate --lock-timeout 200
expect_rc 8 "a held lease and a short lock timeout"
one_error_line "a held lease"
expect_err "the lease is held by" "the error names the holder"
# a longer wait takes the lock over once the lease ran out
start=$(date +%s%N)
run migrate --lock-timeout 20000
took=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$DIALECT" = postgresql ]; then
    expect_ok "the lock is taken over after the lease"
    check "slow2 ran once" test "$(q "SELECT count(*) FROM __cairn_migrations WHERE name LIKE '%_slow2'")" = 1
else
    # the killed run left slow2 PARTIAL: the takeover reports it, as migrate does
    expect_rc 10 "the lock is taken over and the killed run's migration is PARTIAL"
fi
check "the takeover waited for the lease to end (${took} ms)" test "$took" -ge 300

# Bad settings: one line, the status, nothing changed.
before=$(q "SELECT count(*) FROM __cairn_migrations")
run migrate --lock-strategy sometimes
expect_rc 2 "--lock-strategy sometimes"
one_error_line "--lock-strategy sometimes"
run migrate --lock-lease 5
expect_rc 2 "--lock-lease 5"
sed -i 's/"lock_lease": "1500"/"lock_lease": "soon"/' cairn.json
run migrate
expect_rc 3 "lock_lease in cairn.json not a number"
one_error_line "lock_lease not a number"
check "nothing changed" test "$(q "SELECT count(*) FROM __cairn_migrations")" = "$before"
finish
