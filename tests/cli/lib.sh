# Shared helpers of the end-to-end tests of the `cairn` binary.
#
# A test sources this file, calls the helpers and ends with `finish`, which
# prints "N passed, N failed" and exits non-zero when anything failed.
# Environment: CAIRN_STAGE (the build's stage dir), CAIRN_SOURCE_DIR.
set -u

: "${CAIRN_STAGE:?CAIRN_STAGE must point at the stage directory of a build}"
: "${CAIRN_SOURCE_DIR:?CAIRN_SOURCE_DIR must point at the source tree}"
CAIRN="$CAIRN_STAGE/bin/cairn"
# The tests use exactly the drivers of this build, nothing from the host.
unset CAIRN_DIALECT_PATH DATABASE_URL
export LC_ALL=C
# The checks' python3 is the system's: a version manager's shim first in
# PATH (pyenv's) adds a quarter of a second to each of hundreds of calls.
if [ -x /usr/bin/python3 ]; then python3() { /usr/bin/python3 "$@"; }; fi

PASSED=0
FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-cli.XXXXXX")
BG_PIDS=""
cleanup() {
    for p in $BG_PIDS; do kill "$p" 2>/dev/null; done
    chmod -R u+w "$WORK" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

ok()   { PASSED=$((PASSED + 1)); }
bad()  { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }
check() { # check "what" command...
    local what=$1; shift
    if "$@"; then ok; else bad "$what"; fi
}

# run ARGS...: runs cairn from the current directory; sets RC, OUT, ERR.
run() {
    "$CAIRN" "$@" >"$WORK/.out" 2>"$WORK/.err" </dev/null
    RC=$?
    OUT=$(cat "$WORK/.out")
    ERR=$(cat "$WORK/.err")
}

# expect_rc N "what": the last run's exit status was N.
expect_rc() {
    if [ "$RC" -eq "$1" ]; then ok; else
        bad "$2: exit $RC, expected $1; stderr: $ERR"
    fi
}

# expect_ok "what": the last run succeeded.
expect_ok() { expect_rc 0 "$1"; }

# contains HAYSTACK NEEDLE
contains() { case "$1" in *"$2"*) return 0 ;; *) return 1 ;; esac; }

expect_out() { if contains "$OUT" "$1"; then ok; else bad "$2: stdout lacks '$1': $OUT"; fi; }
expect_err() { if contains "$ERR" "$1"; then ok; else bad "$2: stderr lacks '$1': $ERR"; fi; }

# one_error_line "what": stderr is exactly one line "cairn: error: ...".
one_error_line() {
    local n
    n=$(printf '%s\n' "$ERR" | grep -c '')
    if [ -n "$ERR" ] && [ "$n" -eq 1 ] && contains "$ERR" "cairn: error: "; then ok; else
        bad "$1: stderr is not one error line ($n lines): $ERR"
    fi
}

# sql DB QUERY: one value (or rows separated by newlines) from sqlite3.
sql() { sqlite3 -batch -noheader "$1" "$2"; }

# expect_sql DB QUERY EXPECTED "what"
expect_sql() {
    local got
    got=$(sql "$1" "$2" 2>&1)
    if [ "$got" = "$3" ]; then ok; else bad "$4: '$2' gave '$got', expected '$3'"; fi
}

# state DIR...: fingerprint of files and folders (names, sha256) and
# of the SQLite files among them, to prove a failed command changed nothing.
state() {
    local d
    for d in "$@"; do
        if [ -d "$d" ]; then
            # every name, then every regular file's hash, in one sha256sum:
            # a process per file made a folder of hundreds of files cost
            # seconds per refused command
            (cd "$d" && find . -print0 | LC_ALL=C sort -z | tr '\0' '\n' &&
                find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
        elif [ -e "$d" ]; then
            printf '%s %s\n' "$d" "$(sha256sum <"$d" | cut -d' ' -f1)"
        else
            printf '%s absent\n' "$d"
        fi
    done
}

# refused CODE "what" ARGS...: run cairn from the current directory, expect
# exit CODE, one error line, and the directory (database, migrations folder,
# schema and config files) untouched.
refused() {
    local code=$1 what=$2
    shift 2
    local before after
    before=$(state . 2>/dev/null)
    run "$@"
    after=$(state . 2>/dev/null)
    expect_rc "$code" "$what"
    one_error_line "$what"
    if [ "$before" = "$after" ]; then ok; else
        bad "$what: files changed:"
        diff <(echo "$before") <(echo "$after") >&2
    fi
}

# await VALUE CMD...: runs CMD every 0.1 s, for 15 s at most, until it
# prints VALUE; GOT is what it printed last. For what a server or a
# background cairn does in its own time (a history row, a statement ending).
await() {
    local want=$1 _
    shift
    GOT=""
    for _ in $(seq 1 150); do
        GOT=$("$@" 2>/dev/null)
        [ "$GOT" = "$want" ] && return 0
        sleep 0.1
    done
    return 1
}

# --json documents, parsed with Python's json module as a CI script would.
# jrun ARGS...: run cairn --json ARGS; the document must parse.
jrun() {
    run --json "$@"
    if python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$OUT" 2>/dev/null; then ok; else
        bad "cairn --json $*: stdout is not one JSON document: $OUT"
    fi
}
# jget EXPR: a Python expression over the document `d`, printed.
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1" <<<"$OUT" 2>&1; }
# jis EXPR VALUE "what"
jis() {
    local got
    got=$(jget "$1")
    if [ "$got" = "$2" ]; then ok; else bad "$3: $1 is '$got', expected '$2' in $OUT"; fi
}

# count_dirs DIR: number of migration folders.
count_dirs() { find "$1" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l | tr -d ' '; }

# Schema files of the tests that build migrations on branches (branches.sh,
# squash.sh): users ', { ... }' adds column lines to users(id, email);
# posts is posts(id, title).
users() {
    printf '{ "tables": [ { "name": "users", "columns": [\n'
    printf '  { "name": "id", "type": "integer", "not_null": true },\n'
    printf '  { "name": "email", "type": "text" }%s\n' "$*"
    printf '], "primary_key": { "columns": ["id"] } } ] }\n'
}
posts() {
    printf '{ "tables": [ { "name": "posts", "columns": [\n'
    printf '  { "name": "id", "type": "integer", "not_null": true },\n'
    printf '  { "name": "title", "type": "text", "not_null": true }\n'
    printf '], "primary_key": { "columns": ["id"] } } ] }\n'
}

finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    exit $?
}
