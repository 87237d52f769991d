#!/usr/bin/env bash
# cairn import on SQLite: the folders of drizzle-kit and dbmate (written by
# the real tools, tests/data/import/README.md), Prisma, Flyway and
# golang-migrate (written to their documented formats) become cairn
# migrations with the SQL kept byte for byte; their snapshots are what
# migrate then builds; the history tables, written as each tool writes them
# (a failed or dirty migration among them), become cairn's history. Every
# bad input is one error line, a documented exit status, nothing changed.
# With CAIRN_IMPORT_TOOLS (scripts/import-tools.sh), drizzle-kit and dbmate
# also run for real.
. "$(dirname "$0")/lib.sh"

FIX="$CAIRN_SOURCE_DIR/tests/data/import"
P="$WORK/import"
mkdir -p "$P"
cd "$P" || exit 1
printf '{ "dialect": "sqlite", "schema": "schema.json", "out": "migrations" }\n' >cairn.json
printf '{ "tables": [] }\n' >schema.json

sum() { sha256sum <"$1" | cut -d' ' -f1; }

# converted: import TOOL DIR into OUT, then the checks every tool shares:
# the names, the SQL, the chain, and snapshots equal to what migrate builds.
converted() { # converted TOOL DIR OUT "name1 name2 ..."
    local tool=$1 dir=$2 out=$3 names=$4
    run --out "$out" import "$tool" "$dir"
    expect_ok "import $tool"
    IMPORT_ERR=$ERR
    check "import $tool: the migrations are named in the tool's order ($(ls "$out" 2>/dev/null | tr '\n' ' '))" \
        [ "$(ls "$out" 2>/dev/null | tr '\n' ' ')" = "$names " ]
    run --out "$out" check
    expect_ok "import $tool: cairn check finds the chain whole"
    run --out "$out" --url "sqlite:$out.db" migrate
    expect_ok "import $tool: migrate applies the imported migrations to a new database"
    run --out "$out" --url "sqlite:$out.db" pull --output "$out.json"
    expect_ok "import $tool: pull"
    run --out "$out" --schema "$out.json" generate --check
    expect_ok "import $tool: the newest snapshot is what migrate built (generate --check finds nothing)"
}

# ---- drizzle-kit -------------------------------------------------------------
D="$FIX/drizzle-sqlite"
converted drizzle "$D" m-drizzle "20261206085953_init 20261206090528_add_posts"
check "drizzle: migration.sql is the file byte for byte" \
    cmp -s "$D/0001_add_posts.sql" m-drizzle/20261206090528_add_posts/migration.sql
check "drizzle: no down.sql (drizzle-kit has none)" test ! -e m-drizzle/20261206085953_init/down.sql
expect_sql m-drizzle.db "SELECT count(*) FROM sqlite_master WHERE name IN ('users', 'posts', 'users_email_unique')" \
    "3" "drizzle: the tables and the index are there"

# ---- dbmate: up part -> migration.sql, down part -> down.sql ----------------
converted dbmate "$FIX/dbmate" m-dbmate "20261206091002_create_users 20261206091003_add_posts"
check "dbmate: migration.sql is the up part" \
    [ "$(cat m-dbmate/20261206091002_create_users/migration.sql)" = "$(sed -n '2,/^-- migrate:down/p' "$FIX/dbmate/20261206091002_create_users.sql" | sed '$d')" ]
check "dbmate: down.sql is the down part" \
    [ "$(cat m-dbmate/20261206091002_create_users/down.sql)" = "DROP TABLE users;" ]

# ---- Prisma: its folder names are kept ----------------------------------------
converted prisma "$FIX/prisma-sqlite" m-prisma "20240110093000_init 20240112154500_add_posts"
check "prisma: migration.sql byte for byte" \
    cmp -s "$FIX/prisma-sqlite/20240112154500_add_posts/migration.sql" m-prisma/20240112154500_add_posts/migration.sql

# ---- Flyway: numeric version order; U -> down.sql; R__ not imported ----------
converted flyway "$FIX/flyway" m-flyway \
    "19700101000001_create_users 19700101000002_add_posts 19700101000003_add_name 19700101000004_add_bio"
check "flyway: the repeatable migration is named as not imported" \
    contains "$IMPORT_ERR" "warning: $FIX/flyway/R__User_emails.sql: a repeatable migration"
check "flyway: U1_1 is the down.sql of V1_1" \
    cmp -s "$FIX/flyway/U1_1__Add_posts.sql" m-flyway/19700101000002_add_posts/down.sql
check "flyway: V10 comes after V2" \
    cmp -s "$FIX/flyway/V10__Add_bio.sql" m-flyway/19700101000004_add_bio/migration.sql

# ---- golang-migrate --------------------------------------------------------------
converted golang-migrate "$FIX/golang-migrate" m-golang \
    "19700101000001_create_users 19700101000002_add_posts 19700101000003_add_name"
check "golang-migrate: .down.sql becomes down.sql" \
    cmp -s "$FIX/golang-migrate/000002_add_posts.down.sql" m-golang/19700101000002_add_posts/down.sql
check "golang-migrate: no down.sql where there is no .down.sql" \
    test ! -e m-golang/19700101000003_add_name/down.sql

# ---- the history of each tool, written as the tool writes it --------------------
# apply DB FILE...: run the tool's SQL on a database, as the tool would have
apply() { local db=$1; shift; for f in "$@"; do sed 's/--> statement-breakpoint//' "$f" | sqlite3 "$db"; done; }

# drizzle-kit: sha256 of the file and the journal's "when" (drizzle-orm's
# SQLite migrator: CREATE TABLE ... (id SERIAL PRIMARY KEY, hash text NOT
# NULL, created_at numeric)); only the first of the two applied
apply h-drizzle.db "$D/0000_init.sql"
sql h-drizzle.db "CREATE TABLE IF NOT EXISTS __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric);
INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('$(sum "$D/0000_init.sql")', 1796547593342);"
run --out h-drizzle --url sqlite:h-drizzle.db import drizzle "$D"
expect_ok "import drizzle with its history"
expect_out "20261206085953_init recorded as applied (drizzle-kit applied it; not run)" \
    "drizzle: the applied migration is recorded"
expect_out "1 migration recorded as applied" "drizzle: one recorded"
run --out h-drizzle --url sqlite:h-drizzle.db status
expect_out "baseline 20261206085953_init" "drizzle: status shows the applied one as baseline"
expect_out "pending  20261206090528_add_posts" "drizzle: the other one is pending"
expect_sql h-drizzle.db "SELECT checksum FROM __cairn_migrations WHERE name = '20261206085953_init'" \
    "$(sum "$D/0000_init.sql")" "drizzle: recorded with the checksum of migration.sql"
expect_sql h-drizzle.db "SELECT action || ' ' || migration || ': ' || detail FROM __cairn_migrations_audit" \
    "import drizzle 20261206085953_init: 1 migration recorded without running, from the drizzle-kit history" \
    "drizzle: the import is in the audit trail"
run --out h-drizzle --url sqlite:h-drizzle.db migrate
expect_ok "drizzle: migrate runs only what drizzle-kit had not"
expect_out "1 migration applied" "drizzle: one migration run"
# --history-only: another database the old tool migrated, same folder
apply h-drizzle2.db "$D/0000_init.sql" "$D/0001_add_posts.sql"
sql h-drizzle2.db "CREATE TABLE IF NOT EXISTS __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric);
INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('$(sum "$D/0000_init.sql")', 1796547593342), ('$(sum "$D/0001_add_posts.sql")', 1796547928926);"
before=$(state h-drizzle)
run --out h-drizzle --url sqlite:h-drizzle2.db import drizzle "$D" --history-only
expect_ok "import --history-only into a second database"
expect_out "2 migrations recorded as applied (0 already were)" "--history-only: both recorded"
check "--history-only writes no file" [ "$before" = "$(state h-drizzle)" ]
run --out h-drizzle --url sqlite:h-drizzle2.db import drizzle "$D" --history-only
expect_out "0 migrations recorded as applied (2 already were)" "--history-only again records nothing twice"
run --out h-drizzle --url sqlite:h-drizzle2.db migrate
expect_out "nothing to apply" "the second database needs nothing"

# --json: one document, a written and a baseline entry per migration
run --json --out h-drizzle3 --url sqlite:h-drizzle2.db import drizzle "$D"
expect_ok "import --json"
jis '[(m["name"], m["state"]) for m in d["migrations"]]' \
    "[('20261206085953_init', 'written'), ('20261206090528_add_posts', 'written')]" \
    "import --json: the folders written (the history is cairn's already)"
sql h-drizzle4.db "CREATE TABLE __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric);
INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('x', 1796547593342);"
apply h-drizzle4.db "$D/0000_init.sql"
run --json --out h-drizzle4 --url sqlite:h-drizzle4.db import drizzle "$D"
jis '[m["state"] for m in d["migrations"]]' "['written', 'written', 'baseline']" \
    "import --json: the recorded one is a baseline entry"

# Prisma: a finished row, and a failed one (finished_at and rolled_back_at null)
PR="$FIX/prisma-sqlite"
apply h-prisma.db "$PR/20240110093000_init/migration.sql"
sql h-prisma.db "CREATE TABLE \"_prisma_migrations\" (
    \"id\" TEXT PRIMARY KEY NOT NULL, \"checksum\" TEXT NOT NULL, \"finished_at\" DATETIME,
    \"migration_name\" TEXT NOT NULL, \"logs\" TEXT, \"rolled_back_at\" DATETIME,
    \"started_at\" DATETIME NOT NULL DEFAULT current_timestamp,
    \"applied_steps_count\" INTEGER UNSIGNED NOT NULL DEFAULT 0);
INSERT INTO _prisma_migrations VALUES ('a1', '$(sum "$PR/20240110093000_init/migration.sql")', 1704879000000, '20240110093000_init', NULL, NULL, 1704879000000, 1);
INSERT INTO _prisma_migrations VALUES ('a2', '$(sum "$PR/20240112154500_add_posts/migration.sql")', NULL, '20240112154500_add_posts', 'Database error: ...', NULL, 1705074300000, 0);"
run --out h-prisma --url sqlite:h-prisma.db import prisma "$PR"
expect_ok "import prisma with a failed migration in its history"
expect_out "20240110093000_init recorded as applied" "prisma: the finished one is recorded"
expect_err "20240112154500_add_posts/migration.sql: Prisma recorded it as failed" \
    "prisma: the failed one is reported"
run --out h-prisma --url sqlite:h-prisma.db status
expect_out "pending  20240112154500_add_posts" "prisma: the failed one is not imported as applied"

# Flyway: installed_rank order, success false for V2
FW="$FIX/flyway"
apply h-flyway.db "$FW/V1__Create_users.sql" "$FW/V1_1__Add_posts.sql"
sql h-flyway.db "CREATE TABLE \"flyway_schema_history\" (\"installed_rank\" INT NOT NULL PRIMARY KEY,
    \"version\" VARCHAR(50), \"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) NOT NULL,
    \"script\" VARCHAR(1000) NOT NULL, \"checksum\" INT, \"installed_by\" VARCHAR(100) NOT NULL,
    \"installed_on\" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),
    \"execution_time\" INT NOT NULL, \"success\" BOOLEAN NOT NULL);
INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES
 (1, '1', 'Create users', 'SQL', 'V1__Create_users.sql', 1234, 'ci', 5, 1),
 (2, '1.1', 'Add posts', 'SQL', 'V1_1__Add_posts.sql', 5678, 'ci', 5, 1),
 (3, NULL, 'User emails', 'SQL', 'R__User_emails.sql', 42, 'ci', 5, 1),
 (4, '2', 'Add name', 'SQL', 'V2__Add_name.sql', 91, 'ci', 5, 0);"
run --out h-flyway --url sqlite:h-flyway.db import flyway "$FW"
expect_ok "import flyway with a failed migration"
expect_out "2 migrations recorded as applied" "flyway: V1 and V1.1 recorded"
expect_err "V2__Add_name.sql: Flyway recorded it as failed (success is false)" "flyway: V2 reported"
run --out h-flyway --url sqlite:h-flyway.db status
expect_out "baseline 19700101000002_add_posts" "flyway: V1.1 applied"
expect_out "pending  19700101000003_add_name" "flyway: the failed V2 stays pending"

# Flyway baseline row: everything up to version 2 counts as applied
sql h-flyway-b.db "CREATE TABLE flyway_schema_history (installed_rank INT, version VARCHAR(50), description VARCHAR(200), type VARCHAR(20), script VARCHAR(1000), checksum INT, installed_by VARCHAR(100), installed_on TEXT, execution_time INT, success BOOLEAN);
INSERT INTO flyway_schema_history VALUES (1, '2', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'ci', '', 0, 1);"
run --out h-flyway-b --url sqlite:h-flyway-b.db import flyway "$FW"
expect_out "3 migrations recorded as applied" "flyway: a baseline row covers the versions up to it"

# golang-migrate: one row, version 10, dirty
GM="$FIX/golang-migrate"
apply h-golang.db "$GM/000001_create_users.up.sql" "$GM/000002_add_posts.up.sql"
sql h-golang.db "CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool);
CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations (version);
INSERT INTO schema_migrations (version, dirty) VALUES (10, 1);"
run --out h-golang --url sqlite:h-golang.db import golang-migrate "$GM"
expect_ok "import golang-migrate dirty at version 10"
expect_out "2 migrations recorded as applied" "golang-migrate: the versions before the dirty one"
expect_err "000010_add_name.up.sql: golang-migrate recorded it as dirty" "golang-migrate: the dirty one reported"
run --out h-golang --url sqlite:h-golang.db status
expect_out "pending  19700101000003_add_name" "golang-migrate: the dirty one stays pending"

# dbmate: a row per version (dbmate's own table)
DB="$FIX/dbmate"
sql h-dbmate.db 'CREATE TABLE IF NOT EXISTS "schema_migrations" (version varchar(128) primary key);
INSERT INTO schema_migrations (version) VALUES ('"'20261206091002'"');'
apply h-dbmate.db "$P/m-dbmate/20261206091002_create_users/migration.sql"
run --out h-dbmate --url sqlite:h-dbmate.db import dbmate "$DB"
expect_out "20261206091002_create_users recorded as applied" "dbmate: the applied version recorded"
run --out h-dbmate --url sqlite:h-dbmate.db status
expect_out "pending  20261206091003_add_posts" "dbmate: the other pending"

# a database without the tool's table: nothing recorded, said so
run --out h-none --url sqlite:h-none.db import golang-migrate "$GM"
expect_ok "import with a database the tool never ran on"
expect_err "the database has no schema_migrations table" "the missing table is said"
check "and cairn's history table was not made" bash -c "! sqlite3 h-none.db .tables | grep -q __cairn"
expect_err "(a renamed one: --history-table)" "the missing table's message points at --history-table"
# a renamed history table (golang-migrate's x-migrations-table)
sql h-renamed.db "CREATE TABLE deploy_versions (version uint64, dirty bool);
INSERT INTO deploy_versions (version, dirty) VALUES (2, 0);"
run --out h-renamed --url sqlite:h-renamed.db import golang-migrate "$GM" --history-table deploy_versions
expect_ok "import golang-migrate with --history-table"
expect_out "2 migrations recorded as applied" "--history-table: the renamed table is read"
expect_out "golang-migrate's table deploy_versions stays as it is" "--history-table: the table is named"
# --no-history: the folder only, even with a url
run --out h-nohist --url sqlite:h-golang.db import golang-migrate "$GM" --no-history
expect_ok "import --no-history"
check "--no-history: no 'recorded' line" bash -c "! grep -q recorded <<<\"\$1\"" _ "$OUT"

# ---- bad input: one line, its exit status, nothing changed -------------------------
refused() { # refused STATUS "what" ARGS...: the run fails and changes nothing
    local want=$1 what=$2 before
    shift 2
    before=$(state .)
    run "$@"
    expect_rc "$want" "$what"
    one_error_line "$what"
    check "$what: nothing changed" [ "$before" = "$(state .)" ]
}
refused 2 "an unknown tool" --out n1 import liquibase "$D"
expect_err "unknown tool 'liquibase' (one of: drizzle, prisma, flyway, golang-migrate, dbmate)" "the tools are listed"
refused 2 "import without a folder" --out n1 import drizzle
refused 2 "--history-only with --no-history" --out n1 import drizzle "$D" --history-only --no-history
refused 2 "--history-table with --no-history" --out n1 --url sqlite:h-renamed.db import golang-migrate "$GM" --history-table x --no-history
refused 2 "--history-table with a quote in it" --out n1 --url sqlite:h-renamed.db import golang-migrate "$GM" --history-table 'x"; DROP TABLE y; --'
expect_err "--history-table wants TABLE or NAMESPACE.TABLE" "the bad name is refused as such"
refused 2 "--history-table for prisma" --out n1 --url sqlite:h-renamed.db import prisma "$PR" --history-table x
refused 2 "--history-table without a value" --out n1 import golang-migrate "$GM" --history-table
refused 3 "a folder that does not exist" --out n1 import drizzle "$WORK/nowhere"
mkdir empty
refused 3 "an empty folder" --out n1 import drizzle empty
expect_err "is not a drizzle-kit migrations folder: no migration in it" "the empty folder is named"
refused 3 "another tool's folder" --out n1 import drizzle "$FIX/dbmate"
expect_err "holds dbmate migrations" "the message says what the folder holds"
expect_err "try 'cairn import dbmate" "and which import would fit"
refused 3 "a cairn folder" --out n1 import flyway m-flyway
expect_err "it holds cairn migrations" "a cairn folder is named as such"
refused 2 "an out folder that holds cairn migrations" --out m-prisma import prisma "$PR"
expect_err "already holds 2 cairn migrations" "the refusal counts them"
cp -r "$D" dz-copy
refused 2 "the out folder is the folder imported" --out dz-copy import drizzle dz-copy
refused 3 "a drizzle folder of another dialect" --out n1 import drizzle "$FIX/drizzle-postgresql"
expect_err "written for postgresql, but the dialect is 'sqlite'" "the dialects are named"
printf '{ "version": "7", "entries": [ { "idx": 0, "tag": "0000_init" } ] }\n' >dz-copy/meta/_journal.json
refused 3 "a journal entry without when" --out n1 import drizzle dz-copy
expect_err "_journal.json:1:" "the journal's position is named"
printf '{ "version": "7", "entries": [ { "idx": 0, "when": 1, "tag": "0009_gone" } ] }\n' >dz-copy/meta/_journal.json
refused 3 "a journal entry whose file is missing" --out n1 import drizzle dz-copy
expect_err "0009_gone.sql is missing" "the missing file is named"
printf '{ "version": "7", "entries": [ \n' >dz-copy/meta/_journal.json
refused 3 "a journal that is not JSON" --out n1 import drizzle dz-copy
mkdir dbm-bad && printf 'CREATE TABLE x (id int);\n' >dbm-bad/20240101000000_x.sql
refused 3 "a dbmate file without -- migrate:up" --out n1 import dbmate dbm-bad
expect_err "no \"-- migrate:up\" line" "the missing section is named"
mkdir gm-bad && printf 'CREATE TABLE t (id integer);\n' >gm-bad/1_t.up.sql &&
    printf 'CREATE TABLE t (oops;\n' >gm-bad/2_broken.up.sql
refused 4 "a migration that does not replay" --out n1 import golang-migrate gm-bad
expect_err "gm-bad/2_broken.up.sql" "the failing file is named"
check "nothing written: no out folder" test ! -e n1
refused 3 "--history-only without a url" --out h-drizzle import drizzle "$D" --history-only
refused 3 "--history-only into a folder that is not this import" --out m-prisma --url sqlite:h-drizzle2.db import drizzle "$D" --history-only
sql h-badshape.db "CREATE TABLE schema_migrations (version bigint)"
refused 6 "a history table of another shape" --out n1 --url sqlite:h-badshape.db import golang-migrate "$GM"
expect_err "reading the golang-migrate history" "the failed read is named"

# ---- commands that read the migrations folder: a wrong --out is an error -----------
for c in status migrate check drift; do
    refused 3 "$c with a missing migrations folder" --out nope --url sqlite:x.db "$c"
    expect_err "the migrations folder nope does not exist" "$c names the folder"
    refused 3 "$c on a drizzle-kit folder" --out "$D" --url sqlite:x.db "$c"
    expect_err "holds drizzle migrations (meta/_journal.json), not cairn's: convert them with 'cairn import drizzle" \
        "$c suggests the import"
done
refused 3 "status on a golang-migrate folder" --out "$GM" --url sqlite:x.db status
expect_err "holds golang-migrate migrations (0000" "golang-migrate is recognised"
refused 3 "status on a Flyway folder" --out "$FW" --url sqlite:x.db status
expect_err "holds flyway migrations" "Flyway is recognised"
refused 3 "status on a Prisma folder (cairn-like names)" --out "$PR" --url sqlite:x.db status
expect_err "holds prisma migrations (migration_lock.toml)" "Prisma is recognised"
refused 3 "generate into a drizzle-kit folder" --out dz-copy generate
mkdir emptyout
run --out emptyout --url sqlite:x.db status
expect_ok "status on an existing empty folder"
expect_out "no migrations" "an empty folder is no migrations"
rm -f x.db

# ---- the real tools, when scripts/import-tools.sh installed them -------------------
T="${CAIRN_IMPORT_TOOLS:-}"
if [ -n "$T" ] && [ -x "$T/node_modules/.bin/drizzle-kit" ]; then
    mkdir -p real && cd real || exit 1
    cat >schema.ts <<'TS'
import { sqliteTable, integer, text } from "drizzle-orm/sqlite-core";
export const users = sqliteTable("users", {
  id: integer("id").primaryKey(), email: text("email").notNull().unique(), name: text("name"),
});
TS
    printf 'export default { dialect: "sqlite", schema: "./schema.ts", out: "./drizzle", dbCredentials: { url: "file:app.db" } };\n' >drizzle.config.ts
    ln -s "$T/node_modules" node_modules
    check "drizzle-kit generate" "$T/node_modules/.bin/drizzle-kit" generate --name init
    check "drizzle-kit migrate" "$T/node_modules/.bin/drizzle-kit" migrate
    run --dialect sqlite --out migrations --url sqlite:app.db import drizzle drizzle
    expect_ok "import what drizzle-kit wrote and applied"
    expect_out "1 migration recorded as applied" "drizzle-kit's history is recorded"
    run --dialect sqlite --out migrations --url sqlite:app.db migrate
    expect_out "nothing to apply" "nothing runs twice"
    mkdir -p db/migrations
    printf -- '-- migrate:up\nCREATE TABLE t (id integer PRIMARY KEY);\n-- migrate:down\nDROP TABLE t;\n' \
        >db/migrations/20240101000000_t.sql
    check "dbmate up" env DATABASE_URL=sqlite:dbm.db "$T/node_modules/.bin/dbmate" --no-dump-schema up
    run --dialect sqlite --out m2 --url sqlite:dbm.db import dbmate db/migrations
    expect_out "20240101000000_t recorded as applied" "dbmate's history is recorded"
    cd .. || exit 1
else
    echo "note: CAIRN_IMPORT_TOOLS not set: drizzle-kit and dbmate not run (the stored folders are theirs)"
fi

finish
