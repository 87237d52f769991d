# Shared by the packaging test scripts: one "ok"/"FAIL" line per check and a
# final "N passed, N failed"; the script's exit status says whether all passed.
npass=0
nfail=0
ok()   { echo "ok   $*"; npass=$((npass + 1)); }
fail() { echo "FAIL $*"; nfail=$((nfail + 1)); }
# check "what" command...: ok when the command succeeds.
check() {
  local what=$1; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
finish() {
  echo "$npass passed, $nfail failed"
  [ "$nfail" -eq 0 ]
}
# Exit 77 (ctest: skipped) when a tool the test needs is missing.
need() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || { echo "skipped: '$t' is not installed"; exit 77; }
  done
}
