#!/bin/sh
# Do two cairn binaries write the same files? For a change to the core that
# must not change behaviour (a faster diff, reader or writer):
#
#   bench/same_output.sh OLD_CAIRN NEW_CAIRN [N...]      (default N: 200 1000)
#
# For each dialect (postgresql, mysql, sqlite), each N and each key shape
# (the chain of bench/gen_schema.py, and keys to random tables with cycles)
# both binaries run, each in its own folder: `generate` from nothing,
# `generate` of a one-column change, `generate` of the schema with every
# table gone, and `export`. A third shape adds N views (a chain, each over a
# table and the view before it) and one more `generate` between: the middle
# table's "name" gets another type, so the views over it and every view
# after them in the chain are dropped and created again. migration.sql, down.sql and snapshot.json must be
# byte-identical once the folder timestamps are masked (and the snapshot's
# down_checksum, which covers those timestamps). Prints one line per case
# and exits 1 at the first difference, leaving both folders for a look.
set -eu
old=$(realpath "${1:?usage: $0 OLD_CAIRN NEW_CAIRN [N...]}")
new=$(realpath "${2:?usage: $0 OLD_CAIRN NEW_CAIRN [N...]}")
shift 2
[ $# -gt 0 ] || set -- 200 1000
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-same.XXXXXX")

mask() { sed -E 's/[0-9]{14}_/TS_/g; /"down_checksum"/d' "$1"; }

# run BIN DIR: the three generates and the export, in DIR
run() {
    (
        cd "$2"
        cp ../schema.json schema.json
        "$1" generate --name init >/dev/null 2>&1
        cp ../change.json schema.json
        "$1" generate --name one >/dev/null 2>&1
        if [ -f ../retype.json ]; then
            cp ../retype.json schema.json
            "$1" generate --name retype >/dev/null 2>&1
        fi
        cp ../empty.json schema.json
        "$1" generate --name gone >/dev/null 2>&1
        cp ../schema.json schema.json
        "$1" export >export.sql 2>/dev/null
    )
}

for dialect in postgresql mysql sqlite; do
    for n in "$@"; do
        for fk in chain random views; do
            case_dir=$work/$dialect-$n-$fk
            mkdir -p "$case_dir/old" "$case_dir/new"
            keys=$fk views=0
            [ "$fk" = views ] && keys=chain views=$n
            python3 "$here/gen_schema.py" "$n" json --dialect "$dialect" --fk "$keys" --views "$views" \
                -o "$case_dir/schema.json"
            python3 "$here/gen_schema.py" "$n" json --dialect "$dialect" --fk "$keys" --views "$views" \
                --change -o "$case_dir/change.json"
            if [ "$views" -gt 0 ]; then
                python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
c = s["tables"][len(s["tables"]) // 2]["columns"][1]
c["type"] = "text"
json.dump(s, open(sys.argv[2], "w"), indent=2)' "$case_dir/change.json" "$case_dir/retype.json"
            fi
            printf '{"dialect": "%s", "tables": []}\n' "$dialect" >"$case_dir/empty.json"
            for side in old new; do
                printf '{"dialect": "%s", "schema": "schema.json", "out": "migrations"}\n' "$dialect" \
                    >"$case_dir/$side/cairn.json"
            done
            run "$old" "$case_dir/old"
            run "$new" "$case_dir/new"
            files=0
            for f in $(cd "$case_dir/old" && find migrations -type f | sort) export.sql; do
                g=$(echo "$f" | sed -E 's/[0-9]{14}_/*_/')
                # shellcheck disable=SC2086 # the glob picks the new side's timestamp
                nf=$(cd "$case_dir/new" && ls -d $g)
                mask "$case_dir/old/$f" >"$case_dir/a"
                mask "$case_dir/new/$nf" >"$case_dir/b"
                if ! cmp -s "$case_dir/a" "$case_dir/b"; then
                    echo "DIFFERENT: $dialect N=$n keys=$fk: $f (folders kept in $case_dir)"
                    exit 1
                fi
                files=$((files + 1))
            done
            echo "same: $dialect N=$n keys=$fk ($files files)"
            rm -rf "$case_dir"
        done
    done
done
rm -rf "$work"
