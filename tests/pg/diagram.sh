#!/usr/bin/env bash
# cairn diagram --url on PostgreSQL (server from tests/pg/run.sh): the shop
# schema of the golden diagrams (two namespaces, an enum, views, a composite
# key) pushed, then drawn from the database: the same DOT and Mermaid as from
# the file; the namespaces read as pull reads them; a namespace the database
# lacks refused in one line.
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"
. "$here/lib.sh"
newdb diagramdb
URL=$(url_of diagramdb)

P="$WORK/diagram"
mkdir -p "$P"
cd "$P" || exit 1
cp "$CAIRN_SOURCE_DIR/tests/golden/diagram/shop/schema.json" schema.json
run --url "$URL" --schema schema.json push --force
expect_ok "push the shop schema"
for f in dot mermaid; do
    run --dialect postgresql --schema schema.json diagram --format $f
    expect_ok "$f of the file"
    want=$OUT
    run --url "$URL" --namespaces public,billing diagram --format $f
    expect_ok "$f of the database"
    check "$f: the database draws as the file does" [ "$OUT" = "$want" ]
done
run --url "$URL" diagram --format mermaid
expect_ok "the default namespaces"
expect_out "posts {" "public is read by default"
if contains "$OUT" "billing"; then bad "billing was read without --namespaces: $OUT"; else ok; fi
run --url "$URL" --namespaces public,billing --tables 'billing.*' diagram --format mermaid
expect_ok "a namespace whose tables the globs leave out"
expect_out 'billing__lines["billing.lines"]' "the billing tables"
if contains "$OUT" "posts {"; then bad "--tables billing.* drew posts"; else ok; fi
refused 2 "a namespace the database lacks" --url "$URL" --namespaces nosuch diagram --output x.dot
expect_err "--namespaces: 'nosuch' holds no table or view" "the message names it"
finish
