#!/usr/bin/env bash
# The template driver, built from its Makefile against the source headers,
# is listed by `cairn dialects` from a private directory and passes the
# conformance kit. Usage: sdk_template.sh <cairn-dialect-check>
# Env: CAIRN_SOURCE_DIR, CAIRN_BUILD_DIR, CAIRN_WORK.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need make
kit=$1
work="$CAIRN_WORK/sdk-template"
rm -rf "$work"
mkdir -p "$work"
cp "$CAIRN_SOURCE_DIR"/sdk/template/* "$work/"
unset CAIRN_DIALECT_PATH DATABASE_URL

if make -C "$work" SDK_CFLAGS="-I$CAIRN_SOURCE_DIR/include" \
     CFLAGS="-O2 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror" \
     >"$work/make.log" 2>&1 &&
   make -C "$work" install DIALECTDIR="$work/private" >>"$work/make.log" 2>&1; then
  ok "the template builds warning-free and installs into a private directory"
else
  fail "the template builds: $(grep -m1 -E 'error|Error' "$work/make.log")"
  finish; exit
fi
line=$(CAIRN_DIALECT_PATH="$work/private" "$CAIRN_BUILD_DIR/stage/bin/cairn" dialects 2>&1 |
       grep -E '^textdir ')
check "cairn dialects lists textdir from CAIRN_DIALECT_PATH ($line)" \
  bash -c "grep -q '$work/private/textdir.so' <<<'$line' && ! grep -q refused <<<'$line'"
"$kit" "$work/private/textdir.so" "textdir:$work/db" >"$work/kit.log" 2>&1
status=$?
sed 's/^/     /' "$work/kit.log" | grep -v '^     ok'
check "cairn-dialect-check passes on the template ($(tail -1 "$work/kit.log"))" test $status -eq 0

# With a manifest written as docs/writing-a-dialect.md shows, the driver is
# found by scheme through it; with a wrong one, it is refused.
cairn() { CAIRN_DIALECT_PATH="$work/private" "$CAIRN_BUILD_DIR/stage/bin/cairn" "$@"; }
printf 'name = textdir\nschemes = textdir\n' >"$work/private/textdir.dialect"
line=$(cairn dialects 2>&1 | grep -E '^textdir ')
check "with a manifest, cairn dialects lists textdir, not refused ($line)" \
  bash -c "[ -n '$line' ] && ! grep -q refused <<<'$line'"
err=$(cd "$work" && cairn --verbose --url "textdir:$work/db" status 2>&1 >/dev/null)
check "with a manifest, textdir: is found through it ($err)" \
  grep -q "textdir.so: its manifest lists scheme 'textdir'" <<<"$err"
printf 'name = textdir\nschemes = textdir other\n' >"$work/private/textdir.dialect"
line=$(cairn dialects 2>&1 | grep -E '^textdir ')
check "with a manifest that disagrees, cairn dialects shows textdir refused ($line)" \
  bash -c "grep -q refused <<<'$line' && grep -q 'its manifest lists schemes' <<<'$line'"
finish
