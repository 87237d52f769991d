#!/bin/sh
# Introspection benchmark of the mysql dialect on a throwaway MariaDB:
#   bench/mysql/run.sh BUILD_DIR [N...]     (default N: 100 1000 5000)
# Prints one line per N: tables, columns, indexes, foreign keys, the time to
# create them, the introspection time, the driver's query count, peak RSS.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: $0 BUILD_DIR [N...]}
shift
[ $# -gt 0 ] || set -- 100 1000 5000
bench=$(find "$build" -name bench_mysql_introspect -type f -perm -u+x | head -n 1)
[ -n "$bench" ] || { echo "build bench_mysql_introspect first (cmake --build $build)" >&2; exit 2; }
CAIRN_DIALECT_DIR="$build/stage/lib/cairn/dialects"
export CAIRN_DIALECT_DIR
for n in "$@"; do
    sh "$here/../../tests/mysql/run.sh" sh -c "\"$bench\" $n"
done
