#!/usr/bin/env bash
# Builds cairn and runs the quick start on SQLite: generate a migration from
# examples/quickstart/schema.json, apply it to a SQLite file, show status.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bash "$here/scripts/deps.sh" build
cmake -S "$here" -B "$here/build-quickstart" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAIRN_TESTS=OFF >/dev/null
cmake --build "$here/build-quickstart" -j"$(nproc)" >/dev/null
cairn="$here/build-quickstart/stage/bin/cairn"
work=$(mktemp -d)
cp "$here/examples/quickstart/cairn.json" "$here/examples/quickstart/schema.json" "$work/"
cd "$work"
echo "\$ cairn generate --name init"; "$cairn" generate --name init
echo "\$ cairn migrate";              "$cairn" migrate
echo "\$ cairn status";               "$cairn" status
echo
echo "quick start done in $work (database: $work/app.db)"
