#!/bin/sh
# Run one test command against a throwaway MariaDB server: starts it with
# tests/harness/mariadb.sh, exports CAIRN_MYSQL_URL and CAIRN_MYSQL_SOCKET,
# runs the command, stops the server whatever happened. Exit 77 (skip) only
# when the server binaries are absent.
set -u
here=$(cd "$(dirname "$0")" && pwd)
harness="$here/../harness/mariadb.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/cairn-mariadb.XXXXXX")
trap 'sh "$harness" stop "$dir"' EXIT INT TERM
url=$(sh "$harness" start "$dir")
rc=$?
if [ $rc -ne 0 ]; then
    exit $rc
fi
CAIRN_MYSQL_URL=$url
CAIRN_MYSQL_SOCKET=$dir/mariadbd.sock
export CAIRN_MYSQL_URL CAIRN_MYSQL_SOCKET
"$@"
