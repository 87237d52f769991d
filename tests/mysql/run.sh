#!/bin/sh
# A MariaDB test command against a throwaway server (tests/harness).
exec "$(dirname "$0")/../harness/with-server.sh" mariadb "$@"
