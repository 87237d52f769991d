#!/usr/bin/env bash
# Fuzz the input readers with libFuzzer: scripts/fuzz.sh [SECONDS [TARGET...]]
#
# Builds the targets of tests/fuzz with clang in build-fuzz/ (-DCAIRN_FUZZ=ON:
# ASan + UBSan + libFuzzer) and runs each for SECONDS (default 30), one after
# the other, on build-fuzz/corpus/<target>/: the committed seeds of
# tests/fuzz/corpus/<target>/ plus whatever earlier runs found there. TARGET
# names (fuzz_schema, ...) pick some; default all.
#
# Inputs are capped at 4096 bytes (the long seeds are cut there; ctest
# replays them whole): about 8 times the executions per second of an
# uncapped run. FUZZ_FLAGS adds libFuzzer flags after ours, e.g.
# FUZZ_FLAGS="-max_len=65536". JOBS sets the build's parallelism.
#
# Exit: 0 when no target crashed, 1 when one did (its input is saved under
# build-fuzz/crashes/<target>/ and its log printed), 77 when clang or
# libFuzzer is missing (nothing was run).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-30}
shift $(($# > 0 ? 1 : 0))
case $seconds in '' | *[!0-9]*) echo "usage: $0 [SECONDS [TARGET...]]" >&2; exit 2 ;; esac
build="$here/build-fuzz"
clang=${CLANG:-clang}

skip() { echo "== fuzz: skipped: $*"; exit 77; }
command -v "$clang" >/dev/null 2>&1 || skip "no clang on PATH (set CLANG=...)"
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return d && n ? 0 : 0; }\n' >"$probe/p.c"
"$clang" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >/dev/null 2>&1 ||
    skip "$clang cannot link -fsanitize=fuzzer,address,undefined (libFuzzer or the sanitizer runtimes missing)"

if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for src in "$here"/tests/fuzz/fuzz_*.c; do targets+=("$(basename "$src" .c)"); done
fi

echo "== fuzz: build ($build)"
# Without -Werror: clang warns where gcc does not (the gcc builds of
# scripts/test.sh hold the warnings line). Only the targets are built: the
# shared library and the drivers do not link with clang's static ASan.
cmake -S "$here" -B "$build" -DCMAKE_C_COMPILER="$clang" -DCAIRN_FUZZ=ON -DCAIRN_WERROR=OFF \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
cmake --build "$build" -j"${JOBS:-$(nproc)}" --target "${targets[@]}" >"$build/fuzz-build.log" 2>&1 || {
    tail -n 40 "$build/fuzz-build.log"
    exit 1
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
    corpus="$build/corpus/$t" crashes="$build/crashes/$t" log="$build/logs/$t.log"
    mkdir -p "$corpus" "$crashes" "$build/logs"
    cp -n "$here/tests/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null
    dict="$here/tests/fuzz/$t.dict"
    [ -f "$dict" ] || dict="$here/tests/fuzz/json.dict"
    echo "== fuzz: $t for ${seconds}s"
    # -timeout: one input running 10 s is a hang, reported like a crash
    # shellcheck disable=SC2086 # FUZZ_FLAGS is a list of flags
    "$build/tests/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
        -dict="$dict" -artifact_prefix="$crashes/" -print_final_stats=1 ${FUZZ_FLAGS:-} \
        "$corpus" >"$log" 2>&1
    rc=$?
    grep -E '^Done [0-9]+ runs' "$log"
    if [ $rc -ne 0 ]; then
        status=1
        echo "FAIL: $t exited $rc; the input is in $crashes/, the log in $log:" >&2
        grep -E 'ERROR|fuzz check failed|SUMMARY|Test unit written|^    #[0-9]+ ' "$log" |
            grep -Ev ' in (fuzzer::|__sanitizer_|__libc_|_start |abort |raise )|libc\.so' |
            head -n 40 >&2
        echo "  replay: $build/tests/$t <file>; once fixed, add the file to tests/fuzz/corpus/$t/" >&2
    fi
done
exit $status
