#!/usr/bin/env bash
# A schema evolving through twelve steps (tests/cli/evolve/NN_*.json), on
# SQLite: each step is generated, migrated and checked. Rows inserted at the
# start must survive every step that does not drop them (values checked
# after each migrate), and after each step the database converges: pulling
# it and generating from the pulled schema finds nothing to do. A second
# database follows the same steps with `push` and must end up identical.
# Then every step is rolled back with its down.sql, one at a time, each
# leaving the database exactly at the step before, and migrated again.
. "$(dirname "$0")/lib.sh"

P="$WORK/proj"
mkdir -p "$P"
cd "$P" || exit 1
cat >cairn.json <<'JSON'
{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json", "out": "migrations" }
JSON

# The data every step must keep; checked on the migrated and the pushed db.
check_data() { # check_data DB STEP
    local db=$1 step=$2 posts=posts name=name
    [ "$step" -ge 5 ] && name=full_name
    [ "$step" -ge 10 ] && posts=articles
    expect_sql "$db" "SELECT count(*) FROM users" 2 "step $step ($db): users kept"
    expect_sql "$db" "SELECT group_concat($name, ',') FROM (SELECT $name FROM users ORDER BY id)" \
        "ann,bob" "step $step ($db): user names kept"
    expect_sql "$db" "SELECT group_concat(title, ',') FROM (SELECT title FROM $posts ORDER BY id)" \
        "hello,world" "step $step ($db): titles kept"
    expect_sql "$db" "SELECT group_concat(user_id, ',') FROM (SELECT user_id FROM $posts ORDER BY id)" \
        "1,2" "step $step ($db): post owners kept"
    if [ "$step" -ge 2 ]; then
        expect_sql "$db" "SELECT group_concat(active, ',') FROM users" "1,1" \
            "step $step ($db): default filled in existing rows"
    fi
    if [ "$step" -ge 2 ] && [ "$step" -lt 8 ]; then
        expect_sql "$db" "SELECT group_concat(email, ',') FROM (SELECT email FROM users ORDER BY id)" \
            "ann@example.com,bob@example.com" "step $step ($db): emails kept"
    fi
    if [ "$step" -ge 4 ]; then
        expect_sql "$db" "SELECT group_concat(body, ',') FROM (SELECT body FROM comments ORDER BY id)" \
            "first,second" "step $step ($db): comments kept"
    fi
    if [ "$step" -ge 11 ]; then
        expect_sql "$db" "SELECT group_concat(status, ',') FROM articles" "draft,draft" \
            "step $step ($db): string default filled in"
    fi
}

# Step-specific checks of what the step changed.
check_step() { # check_step DB STEP
    local db=$1 step=$2
    case $step in
    1) expect_sql "$db" "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('users','posts')" 2 \
           "step 1 ($db): tables created" ;;
    3) expect_sql "$db" "SELECT \"unique\" FROM pragma_index_list('users') WHERE name='users_email'" 1 \
           "step 3 ($db): unique index created"
       check "step 3 ($db): unique index enforced" \
           bash -c "! sqlite3 '$db' \"INSERT INTO users(id, name, email) VALUES (9, 'x', 'ann@example.com')\" 2>/dev/null" ;;
    4) expect_sql "$db" "SELECT on_delete FROM pragma_foreign_key_list('comments')" CASCADE \
           "step 4 ($db): ON DELETE CASCADE"
       expect_sql "$db" "PRAGMA foreign_keys=ON; INSERT INTO posts(id, user_id, title) VALUES (99, 1, 'tmp');
                  INSERT INTO comments(id, post_id, body) VALUES (99, 99, 'tmp'); DELETE FROM posts WHERE id = 99;
                  SELECT count(*) FROM comments WHERE id = 99" 0 "step 4 ($db): cascade deletes children" ;;
    5) expect_sql "$db" "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'name'" 0 \
           "step 5 ($db): old column name gone" ;;
    6) expect_sql "$db" "SELECT type FROM pragma_table_info('posts') WHERE name = 'title'" "varchar(200)" \
           "step 6 ($db): type changed" ;;
    7) check "step 7 ($db): check constraint enforced" \
           bash -c "! sqlite3 '$db' \"UPDATE users SET active = 5 WHERE id = 1\" 2>/dev/null"
       expect_sql "$db" "SELECT active FROM users WHERE id = 1" 1 "step 7 ($db): rejected update left the row" ;;
    8) expect_sql "$db" "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'email'" 0 \
           "step 8 ($db): column dropped" ;;
    9) expect_sql "$db" "SELECT group_concat(full_name, ',') FROM active_users" "ann,bob" \
           "step 9 ($db): view works" ;;
    10) expect_sql "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'posts'" 0 \
           "step 10 ($db): old table name gone"
        expect_sql "$db" "SELECT \"table\" FROM pragma_foreign_key_list('comments')" articles \
           "step 10 ($db): child's foreign key follows the rename" ;;
    12) expect_sql "$db" "SELECT count(*) FROM pragma_index_info('articles_user_status')" 2 \
           "step 12 ($db): composite index" ;;
    esac
}

step=0
for f in "$CAIRN_SOURCE_DIR"/tests/cli/evolve/*.json; do
    step=$((step + 1))
    slug=$(basename "$f" .json)
    slug=${slug#*_}
    cp "$f" schema.json
    n=$(count_dirs migrations)

    run generate --name "$slug"
    expect_ok "step $step: generate"
    check "step $step: one new migration folder" [ "$(count_dirs migrations)" -eq $((n + 1)) ]
    case $step in
    5|10) check "step $step: a rename is not data loss" [ -z "$ERR" ] ;;
    8) expect_err "warning: " "step 8: dropping a column is flagged" ;;
    esac
    run migrate
    expect_ok "step $step: migrate"

    if [ $step -eq 1 ]; then
        for db in app.db push.db; do
            [ $db = push.db ] && { run --url sqlite:push.db push; expect_ok "step 1: push"; }
            sql $db "INSERT INTO users(id, name, email) VALUES (1, 'ann', 'ann@example.com'), (2, 'bob', 'bob@example.com');
                     INSERT INTO posts(id, user_id, title) VALUES (1, 1, 'hello'), (2, 2, 'world')"
        done
    else
        run --url sqlite:push.db push --force
        expect_ok "step $step: push"
    fi
    if [ $step -eq 4 ]; then
        for db in app.db push.db; do
            sql $db "INSERT INTO comments(id, post_id, body) VALUES (1, 1, 'first'), (2, 2, 'second')"
        done
    fi
    for db in app.db push.db; do
        check_data $db $step
        check_step $db $step
    done

    run status
    expect_ok "step $step: status"
    check "step $step: every migration applied" \
        [ "$(printf '%s\n' "$OUT" | grep -c '^applied  ')" -eq "$step" ]

    # convergence: nothing left to generate or push
    before=$(state migrations)
    run generate
    expect_ok "step $step: second generate"
    expect_out "no changes" "step $step: second generate"
    run --url sqlite:push.db push
    expect_ok "step $step: second push"
    expect_out "up to date" "step $step: second push"
    run pull --output pulled.json --force
    expect_ok "step $step: pull"
    run --schema pulled.json generate
    expect_ok "step $step: generate from the pulled schema"
    expect_out "no changes" "step $step: the database converged to the schema"
    check "step $step: nothing written by empty generates" [ "$(state migrations)" = "$before" ]
    run --url sqlite:push.db pull --output pushed.json --force
    expect_ok "step $step: pull the pushed db"
    check "step $step: migrate and push reach the same schema" cmp -s pulled.json pushed.json
done

check "twelve steps ran" [ $step -ge 12 ]
run check
expect_ok "check after the evolution"

# Every step's down.sql, newest first, one rollback at a time: the database
# is then exactly at the step before (drift finds nothing), with the users'
# names and the posts kept through the renames of steps 10 and 5. Migrating
# again reaches the same schema.
run pull
FULL=$OUT
for back in $(seq "$step" -1 2); do
    run rollback
    expect_ok "rollback of step $back"
    run drift
    expect_ok "after the rollback of step $back the database is at step $((back - 1))"
    posts=posts name=name
    [ "$back" -gt 5 ] && name=full_name
    [ "$back" -gt 10 ] && posts=articles
    expect_sql app.db "SELECT group_concat($name, ',') FROM (SELECT $name FROM users ORDER BY id)" \
        "ann,bob" "rollback of step $back: user names kept"
    expect_sql app.db "SELECT group_concat(title, ',') FROM (SELECT title FROM $posts ORDER BY id)" \
        "hello,world" "rollback of step $back: titles kept"
done
run migrate
expect_ok "migrate again after the rollbacks"
run pull
check "rolling back and migrating again reaches the same schema" [ "$OUT" = "$FULL" ]
run generate --custom --name backfill
expect_ok "generate --custom"
dir=$(ls -d migrations/*_backfill 2>/dev/null)
check "custom migration written" test -f "$dir/migration.sql" -a -f "$dir/snapshot.json"
run status
expect_out "pending  ${dir#migrations/}" "custom migration is pending"
finish
