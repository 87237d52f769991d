#!/usr/bin/env bash
# Fleets on a server: 20 PostgreSQL databases (CAIRN_PG_URL, ctest
# pg.fleet) or 10 MariaDB databases (CAIRN_MYSQL_URL, mysql.fleet) on the
# test harness's throwaway server, plus one on a port nothing listens on
# and one whose second migration fails on a table in its way. `migrate
# --targets --parallel 4 --continue-on-error` applies each migration once
# per database (the history tables say so, and match --json), the
# unreachable one is reported with its password hidden, the exit is 14; a
# second run applies nothing; status --targets shows every database at the
# newest migration.
. "$(dirname "$0")/lib.sh"

P="$WORK/fleet"
mkdir -p "$P"
cd "$P" || exit 1

if [ -n "${CAIRN_PG_URL:-}" ]; then
    DIALECT=postgresql N=20 BASE="${CAIRN_PG_URL%/*}"
    PSQL=/usr/lib/postgresql/15/bin/psql
    [ -x "$PSQL" ] || PSQL=psql
    admin() { "$PSQL" -X -q -A -t "$BASE/postgres" -c "$1" 2>&1; }
    q() { "$PSQL" -X -q -A -t "$BASE/$1" -c "$2" 2>&1; }
    mkdb() { admin "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null; admin "CREATE DATABASE $1" >/dev/null; }
    DEAD="postgresql://app:s3cr3tpw@127.0.0.1:1/nowhere?connect_timeout=3"
elif [ -n "${CAIRN_MYSQL_URL:-}" ]; then
    DIALECT=mysql N=10 BASE="${CAIRN_MYSQL_URL%/*}"
    MYSQLC=$(command -v mariadb || command -v mysql)
    admin() { "$MYSQLC" --no-defaults --socket="$CAIRN_MYSQL_SOCKET" -uroot -N -B -e "$1" 2>&1; }
    q() { "$MYSQLC" --no-defaults --socket="$CAIRN_MYSQL_SOCKET" -uroot -N -B "$1" -e "$2" 2>&1; }
    mkdb() { admin "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1"; }
    DEAD="mysql://app:s3cr3tpw@127.0.0.1:1/nowhere"
else
    echo "fleet_server.sh needs CAIRN_PG_URL or CAIRN_MYSQL_URL (run by ctest pg.fleet / mysql.fleet)"
    exit 77
fi

cat > cairn.json <<JSON
{"dialect": "$DIALECT", "schema": "schema.json", "out": "migrations"}
JSON
for step in 1 2 3; do
    posts='' email=''
    [ $step -ge 2 ] && posts=',{"name":"posts","columns":[{"name":"id","type":"integer","primary_key":true},{"name":"title","type":"text"}]}'
    [ $step -ge 3 ] && email=',{"name":"email","type":"text"}'
    printf '{"tables":[{"name":"users","columns":[{"name":"id","type":"integer","primary_key":true},{"name":"name","type":"text"}%s]}%s]}\n' "$email" "$posts" > schema.json
    run generate --name "step$step"
    expect_ok "generate step $step"
done
M3=$(ls migrations | sort | tail -1)

{
    echo '{"targets": ['
    for i in $(seq 1 $N); do
        mkdb "fleet_$i"
        printf '{"name": "db%d", "url": "%s/fleet_%d"},\n' "$i" "$BASE" "$i"
    done
    mkdb fleet_broken
    q fleet_broken "CREATE TABLE posts (x int); INSERT INTO posts VALUES (1)" >/dev/null
    printf '{"name": "broken", "url": "%s/fleet_broken"},\n' "$BASE"
    printf '{"name": "dead", "url": "%s"}\n' "$DEAD"
    echo ']}'
} > targets.json

run --json migrate --targets targets.json --parallel 4 --continue-on-error
expect_rc 14 "a fleet with a dead and a broken target exits 14"
check "every database migrated" test "$(jget 'sum(t["state"] == "migrated" for t in d["targets"])')" = "$N"
check "the dead one is unreachable" test "$(jget '[t["state"] for t in d["targets"] if t["name"] == "dead"][0]')" = unreachable
check "the broken one failed" test "$(jget '[t["state"] for t in d["targets"] if t["name"] == "broken"][0]')" = failed
check "no password in the output" test "$(printf '%s%s' "$OUT" "$ERR" | grep -c s3cr3tpw)" = 0
all=1
for i in $(seq 1 $N); do
    got=$(q "fleet_$i" "SELECT count(*), count(DISTINCT name), max(name) FROM __cairn_migrations" | tr '\t|' ',,')
    [ "$got" = "3,3,$M3" ] || { all=0; echo "fleet_$i: $got" >&2; }
    to=$(jget "[t['to'] for t in d['targets'] if t['name'] == 'db$i'][0]")
    [ "$to" = "$M3" ] || all=0
done
check "each migration applied once per database, as --json says" test "$all" = 1
expect_eq() { if [ "$1" = "$2" ]; then ok; else bad "$3: '$1', expected '$2'"; fi; }
expect_eq "$(q fleet_broken "SELECT count(*) FROM posts")" 1 "the broken database keeps its rows"

run migrate --targets targets.json --parallel 4 --continue-on-error
expect_rc 14 "the second run still reports the two"
check "the second run applied nothing" test "$(printf '%s\n' "$OUT" | grep -c '  up-to-date  ')" = "$N"
run --json status --targets targets.json --parallel 4 --continue-on-error
check "status: every database at the newest migration" \
    test "$(jget 'sum(t["to"] == "'"$M3"'" and t["pending"] == 0 for t in d["targets"])')" = "$N"
finish
