#!/bin/sh
# Run one test command against a throwaway server, stopped at the end
# whatever happens:
#
#   tests/harness/with-server.sh pg|mariadb COMMAND [ARG...]
#
# Both harnesses have one interface (available / start / stop DIR): `start`
# prints the exports the command reads (CAIRN_PG_URL, or CAIRN_MYSQL_URL and
# CAIRN_MYSQL_SOCKET). Exit 77 (ctest's skip) only when the server's
# binaries are absent; 1 when the server does not start.
set -u
kind=${1:?usage: with-server.sh pg|mariadb COMMAND [ARG...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
case $kind in
    pg) harness=$here/pg.sh; dirvar=CAIRN_PG_DIR ;;
    mariadb) harness=$here/mariadb.sh; dirvar=CAIRN_MYSQL_DIR ;;
    *) echo "with-server.sh: unknown server '$kind'" >&2; exit 2 ;;
esac
sh "$harness" available || {
    echo "$kind server binaries not found${CAIRN_PG_VERSION:+ for PostgreSQL $CAIRN_PG_VERSION (scripts/deps.sh test fetches 13 to 18)}: skipped"
    exit 77
}
env=$(sh "$harness" start) || exit 1
eval "$env"
eval "dir=\${$dirvar}"
trap 'sh "$harness" stop "$dir"' EXIT INT TERM
"$@"
