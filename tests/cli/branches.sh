#!/usr/bin/env bash
# A team's branches, with real git: two developers generate migrations from
# the same parent on two branches, both are merged. migrate applies both;
# the next generate starts from the merge of the two branches (it does not
# write the teammate's change again) and joins them; `cairn merge` joins
# them without a schema change; check is red until they are joined, and
# names a conflict (one object changed differently on each side) or a
# change both sides made (deploying both would run it twice) before anything
# is deployed.
. "$(dirname "$0")/lib.sh"

P="$WORK/branches"
mkdir -p "$P/schema"
cd "$P" || exit 1
g() { git -c user.name=dev -c user.email=dev@example.com "$@" >/dev/null 2>&1; }
g init -q -b main .
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema", "out": "migrations" }
JSON
echo "app.db*" >.gitignore
users >schema/users.json
run generate --name init
expect_ok "generate on main"
run migrate
expect_ok "migrate on main"
g add -A && g commit -qm init

# two branches from the same parent
g checkout -q -b phone
users ', { "name": "phone", "type": "text" }' >schema/users.json
run generate --name add_phone
expect_ok "generate on branch phone"
g add -A && g commit -qm phone
g checkout -q main
g checkout -q -b posts
posts >schema/posts.json
run generate --name add_posts
expect_ok "generate on branch posts"
g add -A && g commit -qm posts
g checkout -q main
g merge -q --no-edit phone
g merge -q --no-edit posts
check "git merged both branches without a conflict" [ "$(count_dirs migrations)" = 3 ]
PHONE=$(ls migrations | grep add_phone)
POSTS=$(ls migrations | grep add_posts)

# check: red, names the heads and what to run
before=$(state .)
run check
expect_rc 7 "check with two unjoined branches"
expect_err "2 branches are not joined (heads $PHONE, $POSTS)" "check names the heads"
expect_err "'cairn merge'" "check says what to run"
check "check changes nothing" [ "$before" = "$(state .)" ]

# migrate applies both branches' migrations
run migrate
expect_ok "migrate after the merge"
expect_sql app.db "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'phone'" 1 \
    "the phone branch is applied"
expect_sql app.db "SELECT count(*) FROM sqlite_master WHERE name = 'posts'" 1 \
    "the posts branch is applied"
run drift
expect_ok "no drift: the database is what both applied branches make"
expect_out "no drift: the database matches $PHONE + $POSTS" "drift names both heads"

# nothing changed since: generate writes nothing, and says how to join
before=$(state .)
run generate
expect_ok "generate with no change after the merge"
expect_err "the branches $PHONE and $POSTS are not joined: run 'cairn merge'" \
    "generate says the branches are not joined"
check "generate with no change writes nothing" [ "$before" = "$(state .)" ]
run generate --check
expect_ok "generate --check: the schema is what the merged branches make"

# the next change: only it is written, and the migration joins the branches
users ', { "name": "phone", "type": "text" }, { "name": "bio", "type": "text" }' \
    >schema/users.json
run generate --name add_bio
expect_ok "generate after the merge"
BIO=$(ls migrations | grep add_bio)
SQL=$(cat "migrations/$BIO/migration.sql")
STMTS=$(grep -v '^--' "migrations/$BIO/migration.sql")
check "the new migration adds bio" contains "$STMTS" '"bio"'
check "the new migration does not add phone again" bash -c "! grep -q phone <<<\"\$1\"" _ "$STMTS"
check "the new migration does not create posts again" bash -c "! grep -qi posts <<<\"\$1\"" _ "$STMTS"
check "the new migration says which branches it joins" contains "$SQL" \
    "-- Joins the branches $PHONE and $POSTS."
check "its snapshot names both heads as parents" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if sorted([s["parent"]] + s["merges"]) == sorted(sys.argv[2:]) else 1)' \
    "migrations/$BIO/snapshot.json" "$PHONE" "$POSTS"
run check
expect_ok "check once the branches are joined"
expect_out "4 migrations, chain ok" "check is green"
run migrate
expect_ok "migrate the joining migration"
expect_sql app.db "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'bio'" 1 \
    "bio is added"
g add -A && g commit -qm bio

# cairn merge: join without a schema change
run merge
expect_rc 2 "merge with one branch"
expect_err "nothing to merge: the migrations form one branch ending at $BIO" \
    "merge says there is one branch"
one_error_line "merge with one branch"
# table_branch NAME: a branch from main that adds table NAME and its migration
table_branch() {
    g checkout -q main
    g checkout -q -b "$1"
    printf '{ "tables": [ { "name": "%s", "columns": [ { "name": "id", "type": "integer" } ] } ] }\n' \
        "$1" >"schema/$1.json"
    run generate --name "add_$1"
    expect_ok "generate on branch $1"
    g add -A && g commit -qm "$1"
    g checkout -q main
}
table_branch tags
table_branch likes
g merge -q --no-edit tags
g merge -q --no-edit likes
jrun merge --name join_tags_likes
expect_ok "merge with two branches"
JOIN=$(ls migrations | grep join_tags_likes)
check "merge wrote one folder" [ -n "$JOIN" ]
jis '" ".join([d["migration"], str(d["changes"]), str(d["findings"])])' "$JOIN [] []" \
    "merge --json: the migration written, as generate's document (no change, no finding)"
run check
expect_ok "check after merge"
run generate --check
expect_ok "the merge migration's snapshot holds both branches"
run migrate
expect_ok "migrate runs the branches and the merge migration"
expect_sql app.db "SELECT count(*) FROM sqlite_master WHERE name IN ('tags', 'likes')" 2 \
    "both branches' tables exist"
expect_sql app.db "SELECT count(*) FROM __cairn_migrations WHERE name = '$JOIN'" 1 \
    "the merge migration is recorded"
g add -A && g commit -qm join

# a conflict: both branches give users a column "nick", of different types
g checkout -q -b nick_text
cp schema/users.json "$WORK/users.base"
sed 's/"bio", "type": "text" }/"bio", "type": "text" }, { "name": "nick", "type": "text" }/' \
    "$WORK/users.base" >schema/users.json
run generate --name nick_text
g add -A && g commit -qm nick_text
g checkout -q main
g checkout -q -b nick_int
sed 's/"bio", "type": "text" }/"bio", "type": "text" }, { "name": "nick", "type": "integer" }/' \
    "$WORK/users.base" >schema/users.json
run generate --name nick_int
g add -A && g commit -qm nick_int
g checkout -q main
g merge -q --no-edit nick_text
g merge -q --no-edit -X ours nick_int # the schema file keeps text; the folder has both
NT=$(ls migrations | grep nick_text)
NI=$(ls migrations | grep nick_int)
before=$(state .)
run generate
expect_rc 7 "generate with a conflict between branches"
one_error_line "generate with a conflict"
# the older folder first: nick_int sorts first when both were written in one second
FIRST=$(printf '%s\n' "$NT" "$NI" | LC_ALL=C sort | head -n 1)
SECOND=$(printf '%s\n' "$NT" "$NI" | LC_ALL=C sort | tail -n 1)
expect_err "table \"users\", column \"nick\": changed differently on $FIRST and on $SECOND" \
    "the conflict names the column and both migrations"
check "generate with a conflict writes nothing" [ "$before" = "$(state .)" ]
run merge
expect_rc 7 "merge with a conflict"
run check
expect_rc 7 "check reports the conflict"
expect_err "column \"nick\": changed differently" "check names the conflicting column"

# the same change on both sides: kept once, but deploying both runs it twice
rm -rf "migrations/$NT" "migrations/$NI"
cp "$WORK/users.base" schema/users.json
run check
expect_ok "check after dropping the conflicting branches"
for b in age_a age_b; do
    mkdir -p "migrations.$b"
    sed 's/"bio", "type": "text" }/"bio", "type": "text" }, { "name": "age", "type": "integer" }/' \
        "$WORK/users.base" >schema/users.json
    run generate --name "$b"
    expect_ok "generate $b"
    mv migrations/*_"$b" "migrations.$b/"
done
mv migrations.age_a/* migrations.age_b/* migrations/
rmdir migrations.age_a migrations.age_b
run check
expect_rc 7 "check with the same change on both branches"
expect_err "column \"age\": changed the same way on" "check names the change made twice"
expect_err "runs the change twice" "check says why it matters"

# Namespaces (PostgreSQL; generate needs no server): one branch adds "x",
# the other adds "y" and removes "old"; the merge keeps what either side
# added and drops what either side removed.
N="$WORK/namespaces"
mkdir -p "$N/a"
cd "$N/a" || exit 1
echo '{ "dialect": "postgresql", "schema": "schema.json", "out": "migrations" }' >cairn.json
ns() {
    printf '{ "dialect": "postgresql", "namespaces": [%s], "tables": [{ "name": "t", "columns": [{ "name": "id", "type": "integer" }] }] }\n' "$1" >schema.json
}
ns '"app", "old"'
run generate --name init
expect_ok "generate with namespaces"
cp -a "$N/a" "$N/b"
ns '"app", "old", "x"'
run generate --name add_x
expect_ok "generate on the branch that adds x"
cd "$N/b" || exit 1
ns '"app", "y"'
run generate --name add_y
expect_ok "generate on the branch that adds y and removes old"
mv migrations/*_add_y "$N/a/migrations/"
cd "$N/a" || exit 1
run merge
expect_ok "merge of the namespace branches"
check "the merge keeps x and y and drops old" python3 -c '
import glob, json, sys
snap = json.load(open(glob.glob("migrations/*_merge/snapshot.json")[0]))
sys.exit(snap["schema"].get("namespaces") != ["app", "x", "y"])'

finish
