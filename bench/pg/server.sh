# Sourced by the bench/pg scripts (needs $src): a work directory and a
# throwaway PostgreSQL from tests/harness/pg.sh, its data on tmpfs unless
# BENCH_SERVER_TMP says otherwise ($stmp), both removed when the script
# exits however it ends. Sets $work, $stmp and the harness's CAIRN_PG_URL.
harness="$src/tests/harness/pg.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench-pg.XXXXXX")
CAIRN_PG_DIR=
cleanup() {
    [ -z "$CAIRN_PG_DIR" ] || "$harness" stop "$CAIRN_PG_DIR"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
stmp=${BENCH_SERVER_TMP:-/dev/shm}
[ -d "$stmp" ] && [ -w "$stmp" ] || stmp=${TMPDIR:-/tmp}
env=$(TMPDIR=$stmp "$harness" start)
eval "$env"
