#!/bin/sh
# Side-by-side pull benchmark: drizzle-kit against cairn on the same throwaway
# PostgreSQL 15 and MariaDB servers (tests/harness/*.sh).
#
#   bench/compare/pull.sh [N...]          (default N: 100 1000)
#
# For each N it creates N tables (a few columns, a primary key, an index, a
# foreign key to the previous table), runs `drizzle-kit pull` and
# `cairn pull --output x.json` against them, counts the statements each tool
# sent from the server's own log (PostgreSQL: log_statement=all; MariaDB: the
# general log) and checks how many primary keys each tool's output kept.
#
# Environment:
#   CAIRN_BIN            cairn binary (default: build-compare/stage/bin/cairn,
#                        built in Release when absent; drivers are found next to it)
#   DRIZZLE_KIT_VERSION  npm version to install (default: `npm view drizzle-kit version`)
#   DRIZZLE_TIMEOUT      seconds before a drizzle-kit run is stopped (default 600)
#   COMPARE_DIALECTS     "postgresql mariadb" (default) or one of them
#   COMPARE_KEEP=1       keep the work directory (outputs, server logs)
#
# drizzle-kit and its drivers (pg, mysql2) are installed into the temporary
# work directory with `npm install --prefix`; nothing is written to the repo.
# This is a benchmark, not a test: it is not registered with ctest.
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -gt 0 ] || set -- 100 1000
timeout_s=${DRIZZLE_TIMEOUT:-600}
dialects=${COMPARE_DIALECTS:-postgresql mariadb}

cairn=${CAIRN_BIN:-$src/build-compare/stage/bin/cairn}
if [ ! -x "$cairn" ]; then
    echo "building cairn (Release) in $src/build-compare" >&2
    cmake -S "$src" -B "$src/build-compare" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$src/build-compare" -j"$(nproc)" >/dev/null
    cairn=$src/build-compare/stage/bin/cairn
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-compare.XXXXXX")
pg_dir=
my_dir=
cleanup() {
    [ -n "$pg_dir" ] && "$src/tests/harness/pg.sh" stop "$pg_dir" || true
    [ -n "$my_dir" ] && sh "$src/tests/harness/mariadb.sh" stop "$my_dir" || true
    if [ "${COMPARE_KEEP:-0}" = 1 ]; then
        echo "work directory kept: $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- drizzle-kit, installed for this run only --------------------------------
dk_version=${DRIZZLE_KIT_VERSION:-$(npm view drizzle-kit version 2>/dev/null)}
[ -n "$dk_version" ] || { echo "pull.sh: npm view drizzle-kit version failed" >&2; exit 1; }
npm_dir=$work/npm
mkdir -p "$npm_dir"
echo "installing drizzle-kit@$dk_version, drizzle-orm, pg, mysql2 into $npm_dir" >&2
npm install --prefix "$npm_dir" --no-audit --no-fund --loglevel=error \
    "drizzle-kit@$dk_version" drizzle-orm pg mysql2 >"$work/npm.log" 2>&1 ||
    { tail -n 20 "$work/npm.log" >&2; exit 1; }
dk=$npm_dir/node_modules/.bin/drizzle-kit
npm_ver() { node -p "require('$npm_dir/node_modules/$1/package.json').version"; }
versions="drizzle-kit $(npm_ver drizzle-kit), drizzle-orm $(npm_ver drizzle-orm), pg $(npm_ver pg), mysql2 $(npm_ver mysql2), node $(node --version), $("$cairn" --version)"
echo "versions: $versions"
echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1)"
# Node and drizzle-kit's own start-up, a fixed part of every drizzle-kit run.
t0=$(date +%s.%N)
"$dk" --version >/dev/null 2>&1 </dev/null
echo "drizzle-kit --version (start-up alone): $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"

# --- helpers -----------------------------------------------------------------
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# Log lines appended to file $1 after line $2 that match extended regex $3.
# The lines are also kept in file $4 for a look at what was sent.
count_since() { tail -n +"$(($2 + 1))" "$1" >"$4" 2>/dev/null || true; grep -cE "$3" "$4" || true; }

# Tables and primary keys in a drizzle schema.ts: a table starts at
# pgTable("...") / mysqlTable("..."); it kept its key when primaryKey( appears
# before the next table.
drizzle_pks() {
    awk '/(pgTable|mysqlTable)\("/ { t++; seen = 0 }
         /primaryKey\(/ && t && !seen { k++; seen = 1 }
         END { printf "%d %d\n", k, t }' "$1"
}
# Tables and primary keys in cairn's JSON.
cairn_pks() {
    jq -r '"\([.tables[] | select(.primary_key != null)] | length) \(.tables | length)"' "$1"
}

# SQL for N chained tables; $1 = dialect, $2 = N.
gen_sql() {
    awk -v d="$1" -v n="$2" 'BEGIN {
        for (i = 1; i <= n; i++) {
            t = sprintf("t%05d", i); p = sprintf("t%05d", i - 1)
            printf "CREATE TABLE %s (id integer NOT NULL, name varchar(100) NOT NULL, ", t
            printf "qty integer NOT NULL DEFAULT 0, created_at timestamp NULL, prev_id integer, "
            printf "CONSTRAINT %s_pkey PRIMARY KEY (id)", t
            if (i > 1)
                printf ", CONSTRAINT %s_prev_fk FOREIGN KEY (prev_id) REFERENCES %s (id)", t, p
            printf ")%s;\n", d == "mariadb" ? " ENGINE=InnoDB" : ""
            printf "CREATE INDEX %s_name_idx ON %s (name);\n", t, t
        }
    }'
}

results=$work/results.txt
: >"$results"
report() { echo "$*" | tee -a "$results"; }

# Seconds the server spent on the statements of log slice $1: PostgreSQL's
# log_duration lines, MariaDB's slow log (long_query_time=0) Query_time lines.
server_secs() {
    if [ "$timing_kind" = postgresql ]; then
        grep -oE 'LOG:  duration: [0-9.]+ ms' "$1" | awk '{ s += $3 } END { printf "%.2f", s / 1000 }'
    else
        grep -oE '^# Query_time: [0-9.]+' "$1" | awk '{ s += $3 } END { printf "%.2f", s }'
    fi
}

# measure DIR CMD...: runs CMD in DIR (stdin closed, output in DIR/pull.log,
# stopped after $timeout_s) and sets m_rc, m_wall (s), m_cpu (client user+sys
# s, children included), m_q (statements in the server log), m_srv (server s).
measure() {
    mdir=$1
    shift
    q_before=$(lines "$log")
    s_before=$(lines "$timing_log")
    t0=$(now)
    set +e
    (cd "$mdir" && CI=true /usr/bin/time -f '%U %S' -o "$mdir/cpu.txt" \
        timeout "$timeout_s" "$@" </dev/null >"$mdir/pull.log" 2>&1)
    m_rc=$?
    set -e
    t1=$(now)
    m_wall=$(elapsed "$t0" "$t1")
    # time writes "Command exited with non-zero status N" first when N != 0.
    m_cpu=$(tail -n 1 "$mdir/cpu.txt" | awk '{ printf "%.2f", $1 + $2 }')
    m_q=$(count_since "$log" "$q_before" "$re" "$mdir/server.log")
    tail -n +"$((s_before + 1))" "$timing_log" >"$mdir/timing.log" 2>/dev/null || true
    m_srv=$(server_secs "$mdir/timing.log")
}

# One result line: TOOL N.
result_line() {
    printf '  %-12s wall %8s s  client CPU %7s s  server %7s s  queries %6s (%s/table)  %s\n' \
        "$1" "$m_wall" "$m_cpu" "$m_srv" "$m_q" \
        "$(awk -v q="$m_q" -v n="$2" 'BEGIN { printf "%.2f", q / n }')" "$m_status"
}

# run_pair DIALECT N URL: uses $log, $re, $timing_log, $timing_kind.
run_pair() {
    d=$1 n=$2 url=$3
    out=$work/$d-$n
    mkdir -p "$out/drizzle" "$out/cairn"
    if [ "$d" = postgresql ]; then dkd=postgresql; else dkd=mysql; fi
    printf '{\n  "dialect": "%s",\n  "out": "%s",\n  "dbCredentials": { "url": "%s" }\n}\n' \
        "$dkd" "$out/drizzle/out" "$url" >"$out/drizzle/drizzle.config.json"

    measure "$out/drizzle" "$dk" pull --config="$out/drizzle/drizzle.config.json"
    m_status=ok
    if [ $m_rc -eq 124 ]; then
        m_status="TIMEOUT after ${timeout_s}s"
    elif [ $m_rc -ne 0 ] || [ ! -f "$out/drizzle/out/schema.ts" ]; then
        m_status="FAILED (exit $m_rc)"
    fi
    dk_status=$m_status dk_t=$m_wall dk_q=$m_q
    dk_line=$(result_line drizzle-kit "$n")

    measure "$out/cairn" "$cairn" --url "$url" pull --output "$out/cairn/x.json"
    m_status=ok
    [ $m_rc -eq 0 ] && [ -f "$out/cairn/x.json" ] || m_status="FAILED (exit $m_rc)"
    ca_status=$m_status ca_t=$m_wall ca_q=$m_q

    report "$d N=$n"
    report "$dk_line"
    report "$(result_line cairn "$n")"
    [ "$dk_status" = ok ] && [ "$ca_status" = ok ] ||
        report "  ratio drizzle-kit/cairn: n/a (a run did not finish)"
    [ "$dk_status" != ok ] || [ "$ca_status" != ok ] ||
        report "  ratio drizzle-kit/cairn: wall time $(awk -v a="$dk_t" -v b="$ca_t" 'BEGIN{ if (b > 0) printf "%.1fx", a/b; else print "n/a" }'), queries $(awk -v a="$dk_q" -v b="$ca_q" 'BEGIN{ if (b > 0) printf "%.1fx", a/b; else print "n/a" }')"
    if [ "$dk_status" != ok ]; then
        report "  drizzle-kit output (last lines):"
        tail -n 5 "$out/drizzle/pull.log" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g; s/^/    | /' | tee -a "$results"
    fi
    [ "$ca_status" = ok ] || tail -n 5 "$out/cairn/pull.log" | sed 's/^/    | /' | tee -a "$results"

    if [ -f "$out/drizzle/out/schema.ts" ]; then
        set -- $(drizzle_pks "$out/drizzle/out/schema.ts")
        report "  primary keys kept: drizzle-kit $1 of $n (tables in schema.ts: $2)"
        # MariaDB reports "no default" as the string 'NULL' in COLUMN_DEFAULT.
        [ "$d" != mariadb ] || report "  nullable columns given the string default 'NULL': drizzle-kit $(grep -c "default('NULL')" "$out/drizzle/out/schema.ts" || true) of $((2 * n))"
    else
        report "  primary keys kept: drizzle-kit - (no schema.ts)"
    fi
    if [ "$ca_status" = ok ]; then
        set -- $(cairn_pks "$out/cairn/x.json")
        report "  primary keys kept: cairn $1 of $n (tables in JSON: $2)"
        [ "$d" != mariadb ] || report "  nullable columns given the string default 'NULL': cairn $(jq '[.tables[].columns[] | select(.default == "NULL" or .default == "'"'NULL'"'")] | length' "$out/cairn/x.json") of $((2 * n))"
    fi
}

# --- PostgreSQL --------------------------------------------------------------
case " $dialects " in *" postgresql "*)
    "$src/tests/harness/pg.sh" available ||
        { echo "pull.sh: PostgreSQL 15 server binaries not found" >&2; exit 1; }
    eval "$("$src/tests/harness/pg.sh" start)"
    pg_dir=$CAIRN_PG_DIR
    log=$pg_dir/server.log timing_log=$pg_dir/server.log timing_kind=postgresql
    # simple-protocol statements log as "statement:", extended ones as "execute".
    re='LOG:  (statement|execute [^:]*):'
    psql -X -q -v ON_ERROR_STOP=1 -d "$CAIRN_PG_URL" \
        -c "ALTER SYSTEM SET log_statement = 'all'" -c "ALTER SYSTEM SET log_duration = on" \
        -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
    echo "server: $(psql -X -At -d "$CAIRN_PG_URL" -c 'SELECT version()' | cut -d, -f1)" | tee -a "$results"
    for n in "$@"; do
        db=bench_$n
        psql -X -q -v ON_ERROR_STOP=1 -d "$CAIRN_PG_URL" -c "CREATE DATABASE $db" >/dev/null
        url=$(echo "$CAIRN_PG_URL" | sed "s|/postgres\$|/$db|")
        gen_sql postgresql "$n" | psql -X -q -1 -v ON_ERROR_STOP=1 -d "$url" >/dev/null
        run_pair postgresql "$n" "$url"
    done
    "$src/tests/harness/pg.sh" stop "$pg_dir"
    pg_dir=
    ;;
esac

# --- MariaDB -----------------------------------------------------------------
case " $dialects " in *" mariadb "*)
    my_dir=$work/cairn-mariadb
    base_url=$(sh "$src/tests/harness/mariadb.sh" start "$my_dir")
    my_sock=$my_dir/mariadbd.sock
    log=$my_dir/general.log timing_log=$my_dir/slow.log timing_kind=mariadb
    # general log lines: [time] TAB [TAB] thread-id command TAB text
    tab=$(printf '\t')
    re="^[^$tab]*$tab+ *[0-9]+ (Query|Execute)$tab"
    mysql_root() { mariadb --no-defaults --socket="$my_sock" -uroot "$@"; }
    echo "server: $(mysql_root -N -e 'SELECT VERSION()')" | tee -a "$results"
    mysql_root -e "SET GLOBAL log_output = 'FILE'; SET GLOBAL general_log_file = '$log';
        SET GLOBAL general_log = 1; SET GLOBAL slow_query_log_file = '$timing_log';
        SET GLOBAL long_query_time = 0; SET GLOBAL slow_query_log = 1"
    for n in "$@"; do
        db=bench_$n
        mysql_root -e "CREATE DATABASE $db"
        gen_sql mariadb "$n" | mysql_root "$db"
        url=$(echo "$base_url" | sed "s|/cairn_test\$|/$db|")
        run_pair mariadb "$n" "$url"
    done
    sh "$src/tests/harness/mariadb.sh" stop "$my_dir"
    my_dir=
    ;;
esac

echo
echo "summary ($versions):"
cat "$results"
