#!/bin/sh
# Start or stop a throwaway MariaDB server on loopback for the tests. The
# same interface as tests/harness/pg.sh (tests/harness/with-server.sh runs a
# command against either):
#
#   eval "$(tests/harness/mariadb.sh start)"  # exports CAIRN_MYSQL_URL,
#                                            # CAIRN_MYSQL_SOCKET, CAIRN_MYSQL_DIR
#   tests/harness/mariadb.sh stop "$CAIRN_MYSQL_DIR"
#   tests/harness/mariadb.sh available       # exit 0 when the binaries exist, 77 if not
#   tests/harness/mariadb.sh start DIR       # in DIR; prints only the test URL
#
# Installs nothing: CI installs mariadb-server and mariadb-client. Exits 77
# (ctest's skip code) when mariadbd is absent, 1 on any other failure.
# The server runs with --no-defaults so no system configuration leaks in.
set -eu

cmd=${1:-}
dir=${2:-}
# `start` without DIR makes its own and prints exports for eval
exports=0
if [ "$cmd" = start ] && [ -z "$dir" ]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/cairn-mariadb.XXXXXX")
    exports=1
fi
if [ -z "$cmd" ] || { [ -z "$dir" ] && [ "$cmd" != available ]; }; then
    echo "usage: $0 available | start [DIR] | stop DIR" >&2
    exit 2
fi

find_bin() {
    for b in "$@"; do
        for d in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin; do
            if [ -x "$d/$b" ]; then
                echo "$d/$b"
                return 0
            fi
        done
        if command -v "$b" >/dev/null 2>&1; then
            command -v "$b"
            return 0
        fi
    done
    return 1
}

stop() {
    if [ -f "$dir/mariadbd.pid" ]; then
        pid=$(cat "$dir/mariadbd.pid")
        kill "$pid" 2>/dev/null || true
        # Wait for a clean shutdown so the data directory can be removed.
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    case "$dir" in
        /tmp/*|*/cairn-mariadb*) rm -rf "$dir" ;;
    esac
}

case "$cmd" in
    stop) stop; exit 0 ;;
    available)
        find_bin mariadbd mysqld >/dev/null && find_bin mariadb-install-db mysql_install_db >/dev/null &&
            find_bin mariadb mysql >/dev/null || exit 77
        exit 0 ;;
    start) ;;
    *) echo "unknown command: $cmd" >&2; exit 2 ;;
esac

mariadbd=$(find_bin mariadbd mysqld) || { echo "mariadbd not found: skipping" >&2; exit 77; }
installdb=$(find_bin mariadb-install-db mysql_install_db) || { echo "mariadb-install-db not found: skipping" >&2; exit 77; }
client=$(find_bin mariadb mysql) || { echo "mariadb client not found: skipping" >&2; exit 77; }

mkdir -p "$dir"
data="$dir/data"
# Its own temporary folder: servers sharing /tmp have been seen failing
# with "Error on delete of '/tmp/#sql-temptable-...'" when several run at once.
tmp="$dir/tmp"
mkdir -p "$tmp"
sock="$dir/mariadbd.sock"
log="$dir/mariadbd.log"
user_opt=
if [ "$(id -u)" = 0 ]; then
    user_opt=--user=root
fi

# A free port: ask the kernel for one through python if present, else a
# random one (a port taken meanwhile makes mariadbd exit: it is retried).
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
    else
        echo $(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
    fi
}

# mariadb-install-db has been seen failing once in a while under load: one retry.
install_ok=0
for attempt in 1 2; do
    rm -rf "$data"
    if "$installdb" --no-defaults --datadir="$data" $user_opt \
        --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1; then
        install_ok=1
        break
    fi
done
if [ $install_ok -ne 1 ]; then
    echo "mariadb-install-db failed:" >&2
    tail -n 20 "$dir/install.log" >&2
    exit 1
fi

tries=0
while :; do
    port=$(free_port)
    "$mariadbd" --no-defaults --datadir="$data" --socket="$sock" --port="$port" \
        --bind-address=127.0.0.1 --pid-file="$dir/mariadbd.pid" --tmpdir="$tmp" $user_opt \
        --skip-name-resolve --max-connections=500 --character-set-server=utf8mb4 \
        --collation-server=utf8mb4_general_ci --innodb-buffer-pool-size=64M \
        --innodb-flush-log-at-trx-commit=0 --sync-binlog=0 --skip-log-bin \
        --log-error="$log" </dev/null >/dev/null 2>&1 &
    pid=$!
    # stop needs the pid even before the server writes its pid file
    echo "$pid" >"$dir/mariadbd.pid"
    up=0
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do
        if "$client" --no-defaults --socket="$sock" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
            up=1
            break
        fi
        i=$((i + 1))
        sleep 0.1
    done
    [ $up -eq 1 ] && break
    kill "$pid" 2>/dev/null || true
    tries=$((tries + 1))
    if [ $tries -ge 5 ]; then
        echo "mariadbd did not start:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
done

"$client" --no-defaults --socket="$sock" -uroot <<'SQL'
CREATE USER 'cairn'@'127.0.0.1' IDENTIFIED BY 'cairn-test';
CREATE USER 'cairn'@'localhost' IDENTIFIED BY 'cairn-test';
GRANT ALL PRIVILEGES ON *.* TO 'cairn'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'cairn'@'localhost' WITH GRANT OPTION;
CREATE DATABASE cairn_test;
SQL

url="mysql://cairn:cairn-test@127.0.0.1:$port/cairn_test"
if [ $exports -eq 1 ]; then
    echo "CAIRN_MYSQL_URL='$url'; export CAIRN_MYSQL_URL"
    echo "CAIRN_MYSQL_SOCKET='$sock'; export CAIRN_MYSQL_SOCKET"
    echo "CAIRN_MYSQL_DIR='$dir'; export CAIRN_MYSQL_DIR"
else
    echo "$url"
fi
