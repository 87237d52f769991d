#!/usr/bin/env bash
# Crash consistency on SQLite: `cairn migrate` killed with SIGKILL at a
# seeded random moment, then settled as docs/history-store.md says (status;
# a statement in flight is decided from the database, then resolve; then
# migrate --resume). After each run the history must match the database and
# no statement may have run twice: the migration's UPDATEs each add 1 to a
# counter, so any re-run shows. CRASH_RUNS (default 12) and CRASH_SEED
# (default 1) make a longer or another run: bash tests/cli/crash.sh.
. "$(dirname "$0")/lib.sh"

RUNS=${CRASH_RUNS:-12}
RANDOM=${CRASH_SEED:-1}
UPDATES=5

P="$WORK/crash"
mkdir -p "$P"
cd "$P" || exit 1
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json", "out": "migrations" }
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
        echo "UPDATE cnt SET n = n + 1 WHERE (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 600000) SELECT count(*) FROM c) > 0;"
    done
} >"migrations/$NAME/migration.sql"
TOTAL=$((2 + UPDATES))

# Did statement K (1-based) run? Read from the database, as a person would.
statement_ran() {
    local k=$1 n
    case $k in
    1) [ "$(sql app.db "SELECT count(*) FROM sqlite_master WHERE name = 'cnt'")" = 1 ] ;;
    2) [ "$(sql app.db "SELECT count(*) FROM cnt" 2>/dev/null)" = 1 ] ;;
    *) n=$(sql app.db "SELECT n FROM cnt")
       [ "$n" -eq $((k - 2)) ] ;;
    esac
}

settled=0 killed_in_flight=0
for r in $(seq 1 "$RUNS"); do
    rm -f app.db app.db-cairn.lock app.db-journal
    delay_ms=$((RANDOM % 1500))
    "$CAIRN" migrate >"$WORK/.bg" 2>&1 </dev/null &
    pid=$!
    sleep "$(printf '0.%03d' "$delay_ms")"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    # settle, at most one step per statement
    for _ in $(seq 1 $((TOTAL + 2))); do
        run migrate --resume
        [ "$RC" -eq 0 ] && break
        if [ "$RC" -ne 10 ]; then
            bad "run $r (kill after ${delay_ms} ms): resume exit $RC: $ERR"
            break
        fi
        k=$(sql app.db "SELECT -statements_done FROM __cairn_migrations WHERE name = '$NAME' AND statements_done < 0")
        if [ -n "$k" ]; then
            killed_in_flight=$((killed_in_flight + 1))
            if statement_ran "$k"; then how=--statement-done; else how=--statement-not-done; fi
            run resolve "$NAME" "$how"
            [ "$RC" -eq 0 ] || bad "run $r: resolve $how: exit $RC: $ERR"
        fi
    done
    got=$(sql app.db "SELECT n FROM cnt" 2>&1)
    hist=$(sql app.db "SELECT state, statements_done, statements_total FROM __cairn_migrations WHERE name = '$NAME'" 2>&1)
    if [ "$got" = "$UPDATES" ] && [ "$hist" = "0|$TOTAL|$TOTAL" ]; then
        ok
        settled=$((settled + 1))
    else
        bad "run $r (kill after ${delay_ms} ms): counter '$got' (want $UPDATES), history '$hist'"
    fi
done
echo "crash: $settled of $RUNS runs settled with every statement applied exactly once ($killed_in_flight kills hit a statement in flight)"
finish
