#!/usr/bin/env bash
# The Debian packages, used the way a user would: built from a fresh /usr
# tree, installed with dpkg -x into a throwaway root (no system change), and
# run from that root alone.
#   debs.sh build      build the packages, unpack them into the root
#   debs.sh depends    each package's Depends / Provides / contents
#   debs.sh lintian    lintian finds no error and no warning
#   debs.sh root       `cairn dialects` and the SQLite quick start from the root
#   debs.sh template   the SDK template built out of tree against the root
#   debs.sh abi        a driver built for a newer ABI major is refused in one line
# Env: CAIRN_SOURCE_DIR, CAIRN_WORK.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
W="$CAIRN_WORK/debs"
R="$W/root"
unset CAIRN_DIALECT_PATH DATABASE_URL

# Where the packages put the libraries (multiarch on Debian).
root_libdir() {
  local pc
  pc=$(ls -d "$R"/usr/lib/*/pkgconfig "$R"/usr/lib/pkgconfig 2>/dev/null | head -1)
  dirname "$pc"
}

case "${1:-}" in
build)
  need dpkg-deb dpkg-shlibdeps dpkg-buildflags file readelf cmake
  rm -rf "$W"
  mkdir -p "$W"
  if bash "$CAIRN_SOURCE_DIR/packaging/make-debs.sh" "$W/build" "$W/out" >"$W/build.log" 2>&1; then
    ok "packages built: $(cd "$W/out" && echo *.deb)"
  else
    tail -20 "$W/build.log"
    fail "packaging/make-debs.sh"
    finish; exit
  fi
  mkdir -p "$R"
  for deb in "$W"/out/*.deb; do
    check "dpkg -x $(basename "$deb")" dpkg -x "$deb" "$R"
  done
  ;;

depends)
  need dpkg-deb
  clients='libsqlite3|libpq|libmariadb|libmysqlclient'
  declare -A own=([sqlite]='libsqlite3' [postgresql]='libpq' [mysql]='libmariadb|libmysqlclient')
  version=$(dpkg-deb -f "$W"/out/cairn_*.deb Version)
  # every driver the build produced has its own package
  for so in "$W"/build/stage/lib/*/cairn/dialects/*.so "$W"/build/stage/lib/cairn/dialects/*.so; do
    [ -e "$so" ] || continue
    name=$(basename "$so" .so)
    check "driver $name has a package cairn-dialect-$name" \
      bash -c "ls '$W'/out/cairn-dialect-${name}_*.deb >/dev/null 2>&1"
  done
  for deb in "$W"/out/*.deb; do
    pkg=$(dpkg-deb -f "$deb" Package)
    deps=$(dpkg-deb -f "$deb" Depends)
    files=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
    echo "     $pkg: Depends: $deps"
    case "$pkg" in
    cairn)
      check "cairn depends on no database client library" \
        bash -c "! grep -qE '$clients' <<<'$deps'"
      check "cairn depends on no Graphviz library (cairn-diagram brings them)" \
        bash -c "! grep -qE 'libgvc|libcgraph|graphviz' <<<'$deps'"
      check "cairn Provides cairn-dialect-abi-1" \
        bash -c "dpkg-deb -f '$deb' Provides | grep -q 'cairn-dialect-abi-1'"
      check "cairn ships no driver and no manifest" \
        bash -c "! grep -qE 'cairn/dialects/.*\.(so|dialect)' <<<'$files'"
      check "cairn ships the front end and libcairn.so.N" \
        bash -c "grep -q '/usr/bin/cairn\$' <<<'$files' && grep -qE 'libcairn\.so\.[0-9.]+\$' <<<'$files'"
      ;;
    libcairn-dev)
      check "libcairn-dev depends on cairn (= $version)" \
        bash -c "grep -qF 'cairn (= $version)' <<<'$deps'"
      check "libcairn-dev depends on no database client library" \
        bash -c "! grep -qE '$clients' <<<'$deps'"
      check "libcairn-dev ships headers, pkg-config, CMake package, SDK kit and template" \
        bash -c "grep -q 'include/cairn/sys/dialect.h' <<<'$files' &&
                 grep -q 'pkgconfig/cairn-dialect.pc' <<<'$files' &&
                 grep -q 'pkgconfig/cairn.pc' <<<'$files' &&
                 grep -q 'cmake/cairn/cairnConfig.cmake' <<<'$files' &&
                 grep -q 'bin/cairn-dialect-check' <<<'$files' &&
                 grep -q 'sdk/template/Makefile' <<<'$files'"
      ;;
    cairn-diagram)
      check "cairn-diagram depends on cairn (= $version)" \
        bash -c "grep -qF 'cairn (= $version)' <<<'$deps'"
      check "cairn-diagram depends on Graphviz's libgvc" bash -c "grep -q 'libgvc' <<<'$deps'"
      check "cairn-diagram pulls no database client library" \
        bash -c "! grep -qE '$clients' <<<'$deps'"
      check "cairn-diagram ships the module and no driver" \
        bash -c "grep -q 'cairn/render/graphviz.so\$' <<<'$files' && ! grep -q 'cairn/dialects/' <<<'$files'"
      ;;
    cairn-dialect-*)
      name=${pkg#cairn-dialect-}
      mine=${own[$name]:-}
      others=$(tr '|' '\n' <<<"$clients" | grep -vE "^(${mine:-none})\$" | paste -sd'|')
      check "$pkg depends on the virtual cairn-dialect-abi-1" \
        bash -c "grep -q 'cairn-dialect-abi-1' <<<'$deps'"
      check "$pkg depends on no build of libcairn (only on the ABI)" \
        bash -c "! grep -qE '(^|, )cairn( |,|\$)' <<<'$deps'"
      [ -n "$mine" ] && check "$pkg depends on its client library ($mine)" \
        bash -c "grep -qE '$mine' <<<'$deps'"
      check "$pkg pulls no other driver's client library ($others)" \
        bash -c "! grep -qE '$others' <<<'$deps'"
      # the driver and its manifest (<name>.dialect), nothing of another driver
      for ext in so dialect; do
        check "$pkg ships exactly cairn/dialects/$name.$ext" \
          bash -c "[ \"\$(grep '\.$ext\$' <<<'$files')\" = \"\$(grep 'cairn/dialects/$name.$ext\$' <<<'$files')\" ] &&
                   grep -q 'cairn/dialects/$name.$ext\$' <<<'$files'"
      done
      ;;
    *) fail "unexpected package $pkg" ;;
    esac
  done
  ;;

lintian)
  need lintian
  # The packages carry their own overrides, each with its reason.
  lintian --fail-on error,warning "$W"/out/*.deb >"$W/lintian.log" 2>&1
  status=$?
  grep -v 'running with root privileges' "$W/lintian.log" | sed 's/^/     /'
  check "lintian: no error, no warning" test $status -eq 0
  ;;

root)
  out=$("$R/usr/bin/cairn" dialects 2>&1)
  echo "$out" | sed 's/^/     /'
  for so in "$(root_libdir)"/cairn/dialects/*.so; do
    name=$(basename "$so" .so)
    line=$(grep -E "^$name " <<<"$out" | grep -F "$R/" | head -1)
    check "cairn dialects (from the root) lists $name from the root, not refused" \
      bash -c "[ -n '$line' ] && ! grep -q refused <<<'$line'"
  done
  # bin/../lib/... and lib/... are one directory: each driver shows once
  check "cairn dialects shows no driver twice" bash -c "! grep -q shadowed <<<'$out'"
  qs="$W/quickstart"
  rm -rf "$qs"
  mkdir -p "$qs"
  if [ -f "$CAIRN_SOURCE_DIR/examples/quickstart/cairn.json" ]; then
    cp "$CAIRN_SOURCE_DIR"/examples/quickstart/* "$qs/"
  else
    printf '{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json", "out": "migrations" }\n' >"$qs/cairn.json"
    printf '{ "tables": [ { "name": "users", "columns": [ { "name": "id", "type": "integer", "not_null": true } ], "primary_key": { "columns": ["id"] } } ] }\n' >"$qs/schema.json"
  fi
  cd "$qs" || exit 1
  check "quick start: cairn generate --name init" "$R/usr/bin/cairn" generate --name init
  check "quick start: one migration written" test "$(ls -d migrations/*/ 2>/dev/null | wc -l)" -eq 1
  check "quick start: cairn migrate" "$R/usr/bin/cairn" migrate
  check "quick start: app.db created" test -s app.db
  st=$("$R/usr/bin/cairn" status 2>&1)
  echo "$st" | sed 's/^/     /'
  check "quick start: cairn status shows it applied" bash -c "grep -q applied <<<'$st'"
  check "quick start: a second generate writes nothing" \
    bash -c "'$R/usr/bin/cairn' generate >/dev/null 2>&1 && [ \$(ls -d migrations/*/ | wc -l) -eq 1 ]"
  check "quick start: cairn diagram (dot, no module needed)" \
    bash -c "'$R/usr/bin/cairn' diagram | grep -q '^digraph schema {'"
  if ls "$W"/out/cairn-diagram_*.deb >/dev/null 2>&1; then
    check "quick start: cairn diagram --format html finds the packaged module" \
      bash -c "'$R/usr/bin/cairn' diagram --output er.html && grep -q '<svg' er.html"
  fi
  ;;

template)
  need make pkg-config cc
  libdir=$(root_libdir)
  export PKG_CONFIG_PATH="$libdir/pkgconfig"
  t="$W/template"
  rm -rf "$t" "$W/private" "$W/textdir-db" "$W/check.db"
  cp -r "$R/usr/share/cairn/sdk/template" "$t"
  if make -C "$t" CFLAGS="-O2 -Wall -Wextra -Werror" >"$W/template.log" 2>&1 &&
     make -C "$t" install DIALECTDIR="$W/private" >>"$W/template.log" 2>&1; then
    ok "the packaged template builds with pkg-config --cflags cairn-dialect alone"
  else
    sed 's/^/     /' "$W/template.log"
    fail "the packaged template builds"
    finish; exit
  fi
  check "the template links nothing of cairn" \
    bash -c "! readelf -d '$W/private/textdir.so' | grep NEEDED | grep -q cairn"
  line=$(CAIRN_DIALECT_PATH="$W/private" "$R/usr/bin/cairn" dialects 2>&1 | grep -E '^textdir ')
  echo "     $line"
  check "cairn dialects lists textdir from CAIRN_DIALECT_PATH, not refused" \
    bash -c "grep -qF '$W/private/textdir.so' <<<'$line' && ! grep -q refused <<<'$line'"
  "$R/usr/bin/cairn-dialect-check" "$W/private/textdir.so" "textdir:$W/textdir-db" >"$W/kit-textdir.log" 2>&1
  status=$?
  grep -v '^ok' "$W/kit-textdir.log" | sed 's/^/     /'
  check "packaged cairn-dialect-check passes the template" test $status -eq 0
  if [ -f "$libdir/cairn/dialects/sqlite.so" ]; then
    "$R/usr/bin/cairn-dialect-check" "$libdir/cairn/dialects/sqlite.so" "sqlite:$W/check.db" \
      >"$W/kit-sqlite.log" 2>&1
    status=$?
    grep -v '^ok' "$W/kit-sqlite.log" | sed 's/^/     /'
    check "packaged cairn-dialect-check passes the packaged SQLite driver" test $status -eq 0
  fi
  ;;

abi)
  need pkg-config cc
  libdir=$(root_libdir)
  export PKG_CONFIG_PATH="$libdir/pkgconfig"
  f="$W/future"
  rm -rf "$f"
  mkdir -p "$f"
  # shellcheck disable=SC2046
  check "a driver for ABI major 2 builds against the packaged SDK" \
    cc -std=c11 -fPIC -shared -fvisibility=hidden $(pkg-config --cflags cairn-dialect) \
       -o "$f/future.so" "$here/future_driver.c"
  out=$(CAIRN_DIALECT_PATH="$f" "$R/usr/bin/cairn" dialects 2>&1)
  line=$(grep -F "$f/future.so" <<<"$out")
  echo "     $line"
  check "cairn dialects shows it once, refused, naming ABI 2.0 and 1.x" \
    bash -c "[ \$(grep -c . <<<'$line') -eq 1 ] && grep -q refused <<<'$line' &&
             grep -q 'ABI 2\.0' <<<'$line' && grep -qE 'ABI 1\.[0-9]+' <<<'$line'"
  cd "$f" || exit 1
  "$R/usr/bin/cairn" --dialect-path "$f" --dialect future --url future:x status >"$f/out" 2>"$f/err"
  status=$?
  echo "     exit $status: $(cat "$f/err")"
  check "using it fails with exit 5 (dialect)" test $status -eq 5
  check "with exactly one line on stderr naming both ABIs" \
    bash -c "[ \$(wc -l <'$f/err') -eq 1 ] && grep -q 'ABI 2\.0' '$f/err' && grep -qE 'ABI 1\.[0-9]+' '$f/err'"
  "$R/usr/bin/cairn-dialect-check" "$f/future.so" "future:x" >"$f/kit.log" 2>&1
  status=$?
  grep -v '^ok' "$f/kit.log" | sed 's/^/     /'
  check "cairn-dialect-check fails it on the ABI major" \
    bash -c "[ $status -eq 1 ] && grep -q '^FAIL ABI major' '$f/kit.log'"
  ;;

*)
  echo "usage: debs.sh build|depends|lintian|root|template|abi" >&2
  exit 2
  ;;
esac
finish
