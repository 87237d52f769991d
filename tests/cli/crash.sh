#!/usr/bin/env bash
# Crash consistency: `cairn migrate` killed with SIGKILL at a seeded random
# moment, then settled as docs/reliability.md says (status; a statement in
# flight is decided from the database where it can be, else by resolve as a
# person would, from what the database shows; then migrate --resume). After
# each run the history must match the database and no statement may have
# run twice: the migration's UPDATEs each add 1 to a counter, so any re-run
# shows. On SQLite by default; on PostgreSQL (CAIRN_PG_URL) or MariaDB
# (CAIRN_MYSQL_URL) when run by tests/pg/run.sh or tests/mysql/run.sh
# (ctest pg.crash, mysql.crash). CRASH_RUNS (default 12) and CRASH_SEED
# (default 1) make a longer or another run: bash tests/cli/crash.sh.
. "$(dirname "$0")/lib.sh"

RUNS=${CRASH_RUNS:-12}
RANDOM=${CRASH_SEED:-1}
UPDATES=5

P="$WORK/crash"
mkdir -p "$P"
cd "$P" || exit 1

# Per dialect: the URL, a query (q SQL), a fresh database (reset), and an
# UPDATE that takes a fraction of a second on the server.
if [ -n "${CAIRN_PG_URL:-}" ]; then
    DIALECT=postgresql
    URL="${CAIRN_PG_URL%/*}/crash"
    PSQL=/usr/lib/postgresql/15/bin/psql
    [ -x "$PSQL" ] || PSQL=psql
    q() { "$PSQL" -X -q -A -t "$URL" -c "$1" 2>&1; }
    reset() {
        "$PSQL" -X -q "${CAIRN_PG_URL%/*}/postgres" \
            -c "DROP DATABASE IF EXISTS crash WITH (FORCE)" -c "CREATE DATABASE crash" >/dev/null
    }
    SLOW="UPDATE cnt SET n = n + 1 WHERE pg_sleep(0.25) IS NOT NULL;"
    busy() { q "SELECT count(*) FROM pg_stat_activity WHERE datname = 'crash' AND pid <> pg_backend_pid()"; }
    MAX_DELAY_MS=2500
elif [ -n "${CAIRN_MYSQL_URL:-}" ]; then
    DIALECT=mysql
    URL="${CAIRN_MYSQL_URL%/*}/crash"
    MYSQLC=$(command -v mariadb || command -v mysql)
    q() { "$MYSQLC" --no-defaults --socket="$CAIRN_MYSQL_SOCKET" -uroot -N -B crash -e "$1" 2>&1; }
    reset() {
        "$MYSQLC" --no-defaults --socket="$CAIRN_MYSQL_SOCKET" -uroot mysql \
            -e "DROP DATABASE IF EXISTS crash; CREATE DATABASE crash"
    }
    SLOW="UPDATE cnt SET n = n + 1 WHERE SLEEP(0.25) = 0;"
    busy() { q "SELECT count(*) FROM information_schema.processlist WHERE db = 'crash' AND id <> CONNECTION_ID()"; }
    MAX_DELAY_MS=2500
else
    DIALECT=sqlite
    URL="sqlite:app.db"
    q() { sql app.db "$1" 2>&1; }
    reset() { rm -f app.db app.db-cairn.lock app.db-journal; }
    busy() { echo 0; }
    SLOW="UPDATE cnt SET n = n + 1 WHERE (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 600000) SELECT count(*) FROM c) > 0;"
    MAX_DELAY_MS=1500
fi
cat >cairn.json <<JSON
{ "dialect": "$DIALECT", "url": "$URL", "schema": "schema.json", "out": "migrations" }
JSON
echo '{ "tables": [] }' >schema.json
run generate --custom --name counter
expect_ok "generate --custom"
NAME=$(ls migrations | tail -n 1)
{
    echo "-- cairn:no-transaction"
    echo "CREATE TABLE cnt (n integer);"
    echo "--> statement-breakpoint"
    echo "INSERT INTO cnt VALUES (0);"
    for _ in $(seq 1 $UPDATES); do
        echo "--> statement-breakpoint"
        echo "$SLOW"
    done
} >"migrations/$NAME/migration.sql"
TOTAL=$((2 + UPDATES))

# A server goes on with the statement of a client that died: wait until the
# killed session is gone before looking, as a person settling it must.
settle_server() {
    local i
    for i in $(seq 1 100); do
        [ "$(busy)" = 0 ] && return 0
        sleep 0.1
    done
    bad "the killed session is still on the server after 10 s"
}

# Did statement K (1-based) run? Read from the database, as a person would.
statement_ran() {
    local k=$1 n
    case $k in
    1) [[ "$(q "SELECT count(*) FROM cnt")" =~ ^[0-9]+$ ]] ;;
    2) [ "$(q "SELECT count(*) FROM cnt")" = 1 ] ;;
    *) n=$(q "SELECT n FROM cnt")
       [ "$n" -eq $((k - 2)) ] ;;
    esac
}

settled=0 killed_in_flight=0
for r in $(seq 1 "$RUNS"); do
    reset
    delay_ms=$((RANDOM % MAX_DELAY_MS))
    "$CAIRN" migrate >"$WORK/.bg" 2>&1 </dev/null &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    settle_server
    # settle, at most one step per statement
    for _ in $(seq 1 $((TOTAL + 2))); do
        run migrate --resume
        [ "$RC" -eq 0 ] && break
        if [ "$RC" -ne 10 ]; then
            bad "run $r (kill after ${delay_ms} ms): resume exit $RC: $ERR"
            break
        fi
        k=$(q "SELECT -statements_done FROM __cairn_migrations WHERE name = '$NAME' AND statements_done < 0")
        if [ -n "$k" ]; then
            killed_in_flight=$((killed_in_flight + 1))
            if statement_ran "$k"; then how=--statement-done; else how=--statement-not-done; fi
            run resolve "$NAME" "$how"
            [ "$RC" -eq 0 ] || bad "run $r: resolve $how: exit $RC: $ERR"
        fi
    done
    got=$(q "SELECT n FROM cnt")
    hist=$(q "SELECT state, statements_done, statements_total FROM __cairn_migrations WHERE name = '$NAME'" | tr '\t' '|')
    if [ "$got" = "$UPDATES" ] && [ "$hist" = "0|$TOTAL|$TOTAL" ]; then
        ok
        settled=$((settled + 1))
    else
        bad "run $r (kill after ${delay_ms} ms): counter '$got' (want $UPDATES), history '$hist'"
    fi
done
echo "crash ($DIALECT, seed ${CRASH_SEED:-1}): $settled of $RUNS runs settled with every statement applied exactly once ($killed_in_flight kills hit a statement in flight)"
finish
