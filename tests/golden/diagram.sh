#!/usr/bin/env bash
# Golden diagrams: `cairn diagram` of SCHEMA as DOT and as Mermaid must equal
# PREFIX.dot and PREFIX.mmd byte for byte (the output is deterministic, so a
# diagram kept in git changes only where the schema did).
# usage: diagram.sh CAIRN DIALECT SCHEMA PREFIX; UPDATE_GOLDEN=1 rewrites them.
set -u
cairn=$1 dialect=$2 schema=$3 prefix=$4
unset CAIRN_DIALECT_PATH DATABASE_URL
status=0
for fmt in dot:dot mermaid:mmd; do
    got=$(cd "$(dirname "$schema")" && "$cairn" --dialect "$dialect" --schema "$(basename "$schema")" \
              diagram --format "${fmt%%:*}" 2>&1)
    rc=$?
    want="$prefix.${fmt##*:}"
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: cairn diagram --format ${fmt%%:*} exited $rc: $got" >&2
        status=1
    elif [ "${UPDATE_GOLDEN:-}" = 1 ]; then
        printf '%s\n' "$got" >"$want"
        echo "wrote $want"
    elif ! diff -u "$want" <(printf '%s\n' "$got") >&2; then
        echo "FAIL: ${fmt%%:*} differs from $want (UPDATE_GOLDEN=1 rewrites it)" >&2
        status=1
    fi
done
exit $status
