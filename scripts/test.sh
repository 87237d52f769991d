#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs what it needs,
# builds with -Werror, runs every test (SQLite, PostgreSQL and MariaDB
# servers are started by the tests themselves), then builds again with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs the suite again,
# then fuzzes each input reader for 20 s (skipped without clang's libFuzzer;
# docs/fuzzing.md).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bash "$here/scripts/deps.sh" test
jobs=$(nproc)
status=0

echo "== build (-Werror)"
cmake -S "$here" -B "$here/build-ci" -DCAIRN_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build-ci" -j"$jobs"
echo "== tests"
(cd "$here/build-ci" && ctest --output-on-failure -j"$jobs" --timeout 900) || status=1

echo "== build (Release -O3, -Werror: optimisation finds warnings -O2 does not)"
cmake -S "$here" -B "$here/build-release" -DCAIRN_WERROR=ON -DCMAKE_BUILD_TYPE=Release \
      -DCAIRN_TESTS=OFF >/dev/null
cmake --build "$here/build-release" -j"$jobs" || status=1

echo "== build (ASan + UBSan, -Werror)"
cmake -S "$here" -B "$here/build-asan" -DCAIRN_WERROR=ON -DCAIRN_SANITIZE=ON \
      -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$here/build-asan" -j"$jobs"
echo "== tests under sanitizers"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
# Graphviz's own caches (the diagram module) are not cairn's leaks
export LSAN_OPTIONS=suppressions=$here/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# (not the PostgreSQL runs on other majors, pg.versions.N and pg.18.*: the
# same code as pg.*, on other servers)
(cd "$here/build-asan" && ctest --output-on-failure -j"$jobs" --timeout 900 -LE 'packaging|pgversions|pg18') || status=1

echo "== fuzz (libFuzzer, 20 s per target)"
fuzz=0
JOBS=$jobs bash "$here/scripts/fuzz.sh" 20 || fuzz=$?
# 77: no clang or no libFuzzer here; fuzz.sh said so and ran nothing
if [ $fuzz -ne 0 ] && [ $fuzz -ne 77 ]; then status=1; fi
exit $status
