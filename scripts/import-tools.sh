#!/usr/bin/env bash
# Installs the migration tools whose output `cairn import` is tested on
# (drizzle-kit with drizzle-orm and its SQLite / PostgreSQL clients, dbmate,
# which ships its binary) from the npm registry into DIR. Then
#   CAIRN_IMPORT_TOOLS=DIR ctest -R 'cli.import|pg.import'
# also runs them for real. Needs node and npm; not part of `deps.sh test`,
# since CI may have no registry (the stored folders in tests/data/import
# were written by these same versions).
set -euo pipefail
dir=${1:?usage: import-tools.sh DIR}
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || npm init -y >/dev/null
npm install --no-audit --no-fund drizzle-kit@0.31.11 drizzle-orm@0.45.4 dbmate@2.36.0 \
    @libsql/client pg
