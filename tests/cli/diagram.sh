#!/usr/bin/env bash
# cairn diagram: its three sources (the schema file, a migration's snapshot
# with --at, the live database with --url), the filters, the column modes,
# the format chosen by the output's name, and every bad input refused with
# one line, its documented exit status and no file written. The SVG and the
# HTML page have their own tests (diagram_svg.py, diagram_browser.py).
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p"
cd "$WORK/p" || exit 1
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json", "out": "migrations" }
JSON
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/01_create.json" schema.json
run generate --name init
expect_ok "setup: generate init"
run migrate
expect_ok "setup: migrate"
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/04_add_child_with_cascade.json" schema.json
run generate --name comments
expect_ok "setup: generate comments (left pending)"
FIRST=$(ls migrations | head -n 1)

# the schema file: every table a node, every foreign key an edge
run diagram
expect_ok "diagram of the schema file"
expect_out "digraph schema {" "DOT by default"
for t in users posts comments; do expect_out "<B>$t</B>" "DOT has table $t"; done
expect_out 'label="on delete cascade"' "the cascade is labelled"
check "two foreign keys, two edges" [ "$(grep -c -- ' -> ' "$WORK/.out")" = 2 ]
# posts(user_id) -> users(id): from the referencing column to the referenced one
expect_out 't1:c1r -> t2:c0' "the edge joins the columns (posts is t1, users t2)"

run diagram --format mermaid
expect_ok "mermaid"
expect_out "erDiagram" "a Mermaid ER diagram"
expect_out 'posts ||--o{ comments : "post_id (on delete cascade)"' "mermaid relationship"
expect_out "integer id PK" "mermaid marks the primary key"

# --at: the snapshot of the first migration has no comments table
run diagram --at "$FIRST" --format mermaid
expect_ok "--at the first migration"
if contains "$OUT" "comments"; then bad "--at draws the snapshot, not the schema file: $OUT"; else ok; fi
expect_out "users ||--o{ posts" "--at: the snapshot's foreign key"

# --url: the live database, which has only the first migration applied
run --url sqlite:app.db diagram --format mermaid
expect_ok "--url draws the live database"
if contains "$OUT" "comments"; then bad "--url draws the database, not the file: $OUT"; else ok; fi
expect_out "posts {" "--url: a table of the database"

# --tables: a cut; a table referenced from it is drawn as a name-only stub
run --tables 'comm*' diagram
expect_ok "--tables"
expect_out "<B>comments</B>" "the selected table"
expect_out 'class="stub"' "the referenced table outside the cut is a stub"
if contains "$OUT" "<B>users</B>"; then bad "--tables drew users: $OUT"; else ok; fi
run --tables 'users,posts' diagram --format mermaid
expect_ok "--tables with two globs"
if contains "$OUT" "comments"; then bad "--tables users,posts drew comments"; else ok; fi

# --columns
run diagram --columns none
expect_ok "--columns none"
if contains "$OUT" "PORT="; then bad "--columns none drew columns"; else ok; fi
run diagram --columns keys --format mermaid
expect_ok "--columns keys"
expect_out "integer user_id FK" "keys: a foreign key column"
if contains "$OUT" "text title"; then bad "--columns keys drew a plain column: $OUT"; else ok; fi

# --output: the file, written whole; the format from its name
run diagram --output er.mmd
expect_ok "--output er.mmd"
expect_out "wrote er.mmd: 3 tables, 0 views, 2 foreign keys" "--output: what was written"
if contains "$OUT" "erDiagram"; then bad "--output: the diagram went to standard output"; else ok; fi
check "the .mmd name picks Mermaid" grep -q '^erDiagram$' er.mmd
run diagram --output er.dot
check "a .dot name keeps DOT" grep -q '^digraph schema {$' er.dot
run diagram --output er.mmd --format dot
check "--format wins over the name" grep -q '^digraph schema {$' er.mmd
run diagram --output er.dot
cp er.dot er.before
run diagram --output er.dot
check "the same schema, the same bytes" cmp -s er.dot er.before

# --- bad input: one line, the documented exit status, no file written ------
rm -f er.*
refused 2 "an unknown format" diagram --format png --output out.png
expect_err "--format wants dot, mermaid, svg or html, not 'png'" "the message lists the formats"
refused 2 "an unknown columns mode" diagram --columns some --output out.dot
expect_err "--columns wants all, keys or none" "the message lists the modes"
refused 2 "--at a migration that does not exist" diagram --at 20990101000000_nope --output out.dot
expect_err "--at: no migration '20990101000000_nope' in migrations" "the message names it"
refused 2 "a --tables glob that matches nothing" --tables 'nosuch*' diagram --output out.dot
expect_err "--tables: 'nosuch*' matches no table or view" "the message names the glob"
refused 2 "one glob of two matches nothing" --tables 'users,zz*' diagram --output out.dot
expect_err "'zz*'" "the message names the glob that matched nothing"
refused 2 "a namespace that holds nothing" --namespaces billing diagram --output out.dot
expect_err "--namespaces: 'billing' holds no table or view" "the message names the namespace"
refused 2 "--at and --url together" --url sqlite:app.db diagram --at "$FIRST" --output out.dot
refused 2 "an option diagram does not take" diagram --force
mkdir ro && chmod a-w ro
if [ "$(id -u)" -ne 0 ]; then
    refused 11 "an output in a folder it cannot write" diagram --output ro/er.dot
    expect_err "ro/er.dot: cannot write" "the message names the file"
fi
refused 11 "an output in a folder that does not exist" diagram --output nosuch/er.dot
expect_err "nosuch/er.dot: cannot write" "the message names the file"
printf '{ "dialect": "sqlite", "tables": [ ,, ] }\n' >bad.json
refused 4 "a schema file that does not parse" --schema bad.json diagram --output out.dot
check "no temporary file left" [ -z "$(find ro -mindepth 1)" ]

# svg and html without the diagram module (a copy of the build without it):
# one line naming the package, exit 5, nothing written; dot still works
NOMOD="$WORK/nomod"
mkdir -p "$NOMOD"
cp -a "$CAIRN_STAGE/bin" "$CAIRN_STAGE/lib" "$NOMOD/"
rm -rf "$NOMOD"/lib/cairn/render "$NOMOD"/lib/*/cairn/render
if ls /usr/local/lib/cairn/render/graphviz.so /usr/lib/*/cairn/render/graphviz.so >/dev/null 2>&1; then
    echo "note: a diagram module is installed on this host; the missing-module case is not run"
else
    for f in svg html; do
        before=$(state . 2>/dev/null)
        LD_LIBRARY_PATH="$NOMOD/lib" "$NOMOD/bin/cairn" diagram --format $f --output "out.$f" \
            >"$WORK/.out" 2>"$WORK/.err"
        RC=$?
        ERR=$(cat "$WORK/.err")
        expect_rc 5 "$f without the diagram module"
        one_error_line "$f without the diagram module"
        expect_err "package cairn-diagram" "$f: the message names the package"
        check "$f without the module writes nothing" [ "$before" = "$(state . 2>/dev/null)" ]
    done
    check "dot works without the module" env LD_LIBRARY_PATH="$NOMOD/lib" "$NOMOD/bin/cairn" \
        diagram --output nomod.dot
fi

# a foreign key that names the default namespace ("public" on PostgreSQL)
# points at the table written without one: an edge, not a stub
mkdir -p ns && cat >ns/schema.json <<'JSON'
{ "dialect": "postgresql", "tables": [
  { "name": "users", "columns": [{ "name": "id", "type": "integer", "not_null": true }],
    "primary_key": { "columns": ["id"] } },
  { "schema": "billing", "name": "invoices",
    "columns": [{ "name": "id", "type": "integer", "not_null": true },
                { "name": "user_id", "type": "integer" }],
    "primary_key": { "columns": ["id"] },
    "foreign_keys": [{ "columns": ["user_id"],
      "references": { "schema": "public", "table": "users", "columns": ["id"] } }] } ] }
JSON
run --dialect postgresql --schema ns/schema.json diagram
expect_ok "diagram of a foreign key to public.users"
if contains "$OUT" 'class="stub"'; then bad "public.users is drawn as a stub: $OUT"; else ok; fi
expect_out 't1:c1r -> t0:c0' "the edge joins billing.invoices.user_id to users.id"

# the help and the completion scripts know the command
run diagram --help
expect_ok "diagram --help"
expect_out "--columns WHICH" "the help lists --columns"
run --help
expect_out "diagram" "cairn --help lists diagram"

finish
