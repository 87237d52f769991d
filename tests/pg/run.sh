#!/bin/sh
# Run one PostgreSQL test command against a throwaway server, stopped at the
# end whatever happens. Exit 77 (skip) when the server binaries are absent.
harness=$(dirname "$0")/../harness/pg.sh
"$harness" available || { echo "PostgreSQL server binaries not found: skipped"; exit 77; }
env=$("$harness" start) || exit 1
eval "$env"
trap '"$harness" stop "$CAIRN_PG_DIR"' EXIT INT TERM
"$@"
