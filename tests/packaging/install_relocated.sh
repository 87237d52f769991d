#!/usr/bin/env bash
# The install tree is relocatable: install the build to a prefix, move the
# whole tree elsewhere, and everything still finds everything — the front
# end its library and drivers, an embedding application the drivers next to
# libcairn, pkg-config and find_package(cairn) the moved headers.
# Env: CAIRN_BUILD_DIR, CAIRN_SOURCE_DIR, CAIRN_LIBDIR, CAIRN_WORK.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need cmake pkg-config readelf nm cc

work="$CAIRN_WORK/relocated"
rm -rf "$work"
mkdir -p "$work"
libdir=$CAIRN_LIBDIR
unset CAIRN_DIALECT_PATH DATABASE_URL

if cmake --install "$CAIRN_BUILD_DIR" --prefix "$work/first" >"$work/install.log" 2>&1; then
  ok "cmake --install --prefix $work/first"
else
  fail "cmake --install --prefix: $(tail -1 "$work/install.log")"
  finish; exit
fi
mv "$work/first" "$work/moved"
p="$work/moved"

# ---- layout -----------------------------------------------------------------
check "bin/cairn installed" test -x "$p/bin/cairn"
check "bin/cairn-dialect-check installed" test -x "$p/bin/cairn-dialect-check"
check "public headers under include/cairn/" \
  test -f "$p/include/cairn/cairn.h" -a -f "$p/include/cairn/sys/dialect.h"
soname=$(readelf -d "$p/$libdir/libcairn.so" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
check "libcairn has SONAME libcairn.so.N (found '$soname')" \
  bash -c "[[ '$soname' =~ ^libcairn\.so\.[0-9]+$ ]] && test -f '$p/$libdir/$soname'"
stray=$(nm -D --defined-only "$p/$libdir/libcairn.so" | awk '$2 != "A" && $3 !~ /^cairn_/ { print $3 }')
check "libcairn exports only cairn_* symbols${stray:+ (also: $(echo $stray))}" test -z "$stray"
drivers=$(ls "$p/$libdir/cairn/dialects/"*.so 2>/dev/null)
check "drivers installed in $libdir/cairn/dialects" test -n "$drivers"
for so in $drivers; do
  check "$(basename "$so" .so).dialect, its manifest, installed beside it" test -f "${so%.so}.dialect"
  syms=$(nm -D --defined-only "$so" | awk '{ print $3 }' | tr '\n' ' ')
  check "$(basename "$so") exports only cairn_dialect_entry (found: $syms)" \
    test "$syms" = "cairn_dialect_entry "
done
check "bash completion installed and parses" bash -n "$p/share/bash-completion/completions/cairn"
check "zsh completion installed" test -s "$p/share/zsh/vendor-completions/_cairn"
check "fish completion installed" test -s "$p/share/fish/vendor_completions.d/cairn.fish"
# The completion's own logic, with bash-completion's two helpers stubbed.
complete_words() {
  PATH="$p/bin:$PATH" bash -c '
    _init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]};
                         words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
    _filedir() { COMPREPLY=(); }
    . "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cairn cairn; echo "${COMPREPLY[*]}"' \
    "$p/share/bash-completion/completions/cairn" "$@"
}
check "completion: 'cairn gen<TAB>' gives generate" test "$(complete_words cairn gen)" = generate
check "completion: 'cairn migrate --dr<TAB>' gives --dry-run" \
  test "$(complete_words cairn migrate --dr)" = --dry-run
check "completion: 'cairn import dr<TAB>' gives drizzle" test "$(complete_words cairn import dr)" = drizzle
check "completion: 'cairn --dialect <TAB>' offers the installed drivers" \
  bash -c "grep -qw sqlite <<<'$(complete_words cairn --dialect '')'"
for page in "$CAIRN_SOURCE_DIR"/docs/man/*.1; do
  [ -e "$page" ] || continue
  check "man page $(basename "$page") installed" test -f "$p/share/man/man1/$(basename "$page").gz"
done

# ---- the moved front end finds its library and drivers ------------------------
check "moved cairn runs (--version)" "$p/bin/cairn" --version
out=$("$p/bin/cairn" dialects 2>&1)
echo "$out" | sed 's/^/     /'
for so in $drivers; do
  name=$(basename "$so" .so)
  line=$(echo "$out" | grep -F "$p/" | grep -E "^$name " | head -1)
  check "cairn dialects lists $name from the moved tree, not refused" \
    bash -c "[ -n '$line' ] && ! grep -q refused <<<'$line'"
done
# bin/../lib/... and lib/... are one directory: each driver shows once
check "cairn dialects shows no driver twice" bash -c "! grep -q shadowed <<<'$out'"

# ---- pkg-config from the moved tree --------------------------------------------
export PKG_CONFIG_PATH="$p/$libdir/pkgconfig"
inc=$(pkg-config --cflags-only-I cairn | sed 's/^-I//; s/ *$//')
check "pkg-config cairn: includedir is the moved one ($inc)" test -f "$inc/cairn/cairn.h"
dinc=$(pkg-config --cflags-only-I cairn-dialect | sed 's/^-I//; s/ *$//')
check "pkg-config cairn-dialect: cflags reach <cairn/sys/dialect.h>" \
  test -f "$dinc/cairn/sys/dialect.h"
check "pkg-config cairn-dialect: no libraries (a driver links nothing of the core)" \
  test -z "$(pkg-config --libs cairn-dialect | tr -d ' ')"
ddir=$(pkg-config --variable=dialectdir cairn-dialect)
check "pkg-config cairn-dialect: dialectdir is the moved dialect directory" \
  test "$(cd "$ddir" 2>/dev/null && pwd -P)" = "$(cd "$p/$libdir/cairn/dialects" && pwd -P)"
hmajor=$(sed -n 's/^#define CAIRN_DIALECT_ABI_MAJOR \([0-9]*\)/\1/p' "$p/include/cairn/sys/dialect.h")
hminor=$(sed -n 's/^#define CAIRN_DIALECT_ABI_MINOR \([0-9]*\)/\1/p' "$p/include/cairn/sys/dialect.h")
check "pkg-config cairn-dialect: abi is the header's $hmajor.$hminor" \
  test "$(pkg-config --variable=abi cairn-dialect)" = "$hmajor.$hminor"

# An application outside the tree: libcairn finds the drivers next to itself.
# shellcheck disable=SC2046
if cc -std=c11 -o "$work/embed" "$here/embed.c" $(pkg-config --cflags --libs cairn) \
     -Wl,-rpath,"$p/$libdir" 2>"$work/cc.log"; then
  ok "an application builds with pkg-config cairn"
  check "the application finds the sqlite driver through libcairn's own directory" \
    "$work/embed"
else
  fail "an application builds with pkg-config cairn: $(head -1 "$work/cc.log")"
fi

# ---- find_package(cairn) ---------------------------------------------------------
if cmake -S "$here/findpkg" -B "$work/findpkg" -DCMAKE_PREFIX_PATH="$p" \
     -DEMBED_SOURCE="$here/embed.c" >"$work/findpkg.log" 2>&1 &&
   cmake --build "$work/findpkg" >>"$work/findpkg.log" 2>&1; then
  ok "find_package(cairn) gives cairn::cairn, and an application builds with it"
  check "that application runs and finds the drivers" "$work/findpkg/embed"
else
  fail "find_package(cairn): $(grep -m1 -i error "$work/findpkg.log")"
fi

finish
