#!/bin/sh
# Throwaway PostgreSQL 15 server for the tests: a temporary data directory,
# a free loopback port, trust authentication on 127.0.0.1 only, run as an
# unprivileged user (PostgreSQL refuses root; CI runs as root).
#
#   eval "$(tests/harness/pg.sh start)"   # exports CAIRN_PG_URL, CAIRN_PG_DIR, CAIRN_PG_PID
#   tests/harness/pg.sh stop "$CAIRN_PG_DIR"
#   tests/harness/pg.sh available         # exit 0 when the server binaries exist, 77 if not
#
# PG_BINDIR overrides /usr/lib/postgresql/15/bin.
set -eu

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
RUN_USER=cairn-test

available() {
    for b in initdb pg_ctl postgres; do
        [ -x "$PG_BINDIR/$b" ] || return 77
    done
    return 0
}

# Run a command as the unprivileged user when we are root.
as_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$RUN_USER" -- "$@"
    else
        "$@"
    fi
}

port_in_use() {
    # bash's /dev/tcp is not in sh: ask the kernel's table instead.
    hex=$(printf '%04X' "$1")
    grep -qi ":$hex " /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

start() {
    available || { echo "pg.sh: PostgreSQL server binaries not found in $PG_BINDIR" >&2; exit 77; }
    if [ "$(id -u)" = 0 ] && ! id "$RUN_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER" 2>/dev/null ||
            id "$RUN_USER" >/dev/null 2>&1   # a concurrent harness may have created it
    fi
    dir=$(mktemp -d "${TMPDIR:-/tmp}/cairn-pg.XXXXXX")
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown "$RUN_USER" "$dir"
    as_user "$PG_BINDIR/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        --no-sync >"$dir/initdb.log" 2>&1 ||
        { echo "pg.sh: initdb failed, see $dir/initdb.log" >&2; exit 1; }
    tries=0
    while :; do
        # A random port in 20000..59999; retried if the server cannot bind it.
        port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
        if ! port_in_use "$port" &&
           as_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
               -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
               start >/dev/null 2>&1; then
            break
        fi
        tries=$((tries + 1))
        if [ $tries -ge 10 ]; then
            echo "pg.sh: server did not start, see $dir/server.log" >&2
            exit 1
        fi
    done
    pid=$(head -n 1 "$dir/data/postmaster.pid")
    echo "export CAIRN_PG_URL='postgresql://postgres@127.0.0.1:$port/postgres'"
    echo "export CAIRN_PG_DIR='$dir'"
    echo "export CAIRN_PG_PID='$pid'"
    echo "export CAIRN_PG_PORT='$port'"
}

stop() {
    dir=${1:?usage: pg.sh stop DIR}
    case $dir in */cairn-pg.*) ;; *) echo "pg.sh: refusing to remove $dir" >&2; exit 2 ;; esac
    if [ -f "$dir/data/postmaster.pid" ]; then
        pid=$(head -n 1 "$dir/data/postmaster.pid")
        # SIGINT = fast shutdown: disconnect clients, stop at once.
        kill -INT "$pid" 2>/dev/null || true
        n=0
        while kill -0 "$pid" 2>/dev/null && [ $n -lt 100 ]; do
            sleep 0.1
            n=$((n + 1))
        done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}

case ${1:-} in
start) start ;;
stop) stop "${2:-}" ;;
available) available ;;
*) echo "usage: pg.sh start | stop DIR | available" >&2; exit 2 ;;
esac
