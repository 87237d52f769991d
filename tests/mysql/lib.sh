# Helpers of the MariaDB end-to-end tests (cli.sh, realschemas.sh), on top of
# tests/cli/lib.sh; sourced after it. Run through tests/mysql/run.sh
# (CAIRN_MYSQL_URL, CAIRN_MYSQL_SOCKET).
: "${CAIRN_MYSQL_URL:?run through tests/mysql/run.sh}"
SOCK=$CAIRN_MYSQL_SOCKET
BASE=${CAIRN_MYSQL_URL%/*}
MYSQLC=$(command -v mariadb || command -v mysql)

# q DB SQL: rows, tab-separated, no headers, as root on the socket.
q() { "$MYSQLC" --no-defaults --default-character-set=utf8mb4 --socket="$SOCK" -uroot -N -B "$1" -e "$2"; }
expect_q() { # expect_q DB SQL EXPECTED "what"
    local got
    got=$(q "$1" "$2" 2>&1)
    if [ "$got" = "$3" ]; then ok; else bad "$4: '$2' gave '$got', expected '$3'"; fi
}
newdb() { q mysql "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\`"; }
