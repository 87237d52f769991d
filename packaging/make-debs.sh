#!/usr/bin/env bash
# Build the Debian packages of cairn: a fresh /usr build tree compiled with
# Debian's hardening flags (dpkg-buildflags), then `cpack -G DEB`.
#   packaging/make-debs.sh [build-dir] [output-dir]
# Needs: cmake, gcc, dpkg-dev (dpkg-buildflags, dpkg-shlibdeps), file,
# binutils, and the -dev packages of the drivers to build.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-deb}
out=${2:-$build/debs}
export DEB_BUILD_MAINT_OPTIONS=${DEB_BUILD_MAINT_OPTIONS:-hardening=+all}
cflags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
ldflags=$(dpkg-buildflags --get LDFLAGS)
# CMAKE_BUILD_TYPE=None: the flags are exactly Debian's, nothing added.
cmake -S "$src" -B "$build" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=None \
      -DCAIRN_TESTS=OFF -DCMAKE_C_FLAGS="$cflags" \
      -DCMAKE_EXE_LINKER_FLAGS="$ldflags" -DCMAKE_SHARED_LINKER_FLAGS="$ldflags" \
      -DCMAKE_MODULE_LINKER_FLAGS="$ldflags" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
mkdir -p "$out"
rm -f "$out"/*.deb
(cd "$build" && cpack -G DEB -B "$out" >/dev/null)
rm -rf "$out/_CPack_Packages"
ls "$out"/*.deb
