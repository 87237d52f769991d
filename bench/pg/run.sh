#!/bin/sh
# Introspection benchmark of the postgresql dialect on a throwaway server:
#   bench/pg/run.sh BUILD_DIR [N...]      (default N: 100 1000 5000)
# BUILD_DIR is a configured and built cairn build tree.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILD_DIR [N...]}" && pwd)
shift
[ $# -gt 0 ] || set -- 100 1000 5000
bin="$build/bench_pg_introspect"
cc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$src/include" -I"$src/core" \
    "$src/bench/pg/bench_introspect.c" "$build/core/libcairn_static.a" \
    $(pkg-config --libs jansson) -ldl -o "$bin"
env=$("$src/tests/harness/pg.sh" start)
eval "$env"
trap '"$src/tests/harness/pg.sh" stop "$CAIRN_PG_DIR"' EXIT INT TERM
export CAIRN_DIALECT_DIR="$build/stage/lib/cairn/dialects"
for n in "$@"; do
    "$bin" "$n"
done
