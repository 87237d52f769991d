#!/usr/bin/env bash
# cairn import on PostgreSQL (tests/pg/run.sh starts the server): each
# tool's folder converted with snapshots replayed on a scratch database (and
# once on an empty dev_url, which stays empty), migrate builds what the
# newest snapshot says, and each tool's history table, written as the tool
# writes it on PostgreSQL (drizzle's in schema "drizzle"; a failed Prisma
# migration, a Flyway success = false, a dirty golang-migrate version),
# becomes cairn's history. With CAIRN_IMPORT_TOOLS, drizzle-kit migrates
# for real first.
: "${CAIRN_PG_URL:?run through tests/pg/run.sh}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
. "$here/lib.sh"
FIX="$CAIRN_SOURCE_DIR/tests/data/import"

qf() { "$PSQL" -X -q -v ON_ERROR_STOP=1 "$(url_of "$1")" -f "$2" >/dev/null 2>&1; }
sum() { sha256sum <"$1" | cut -d' ' -f1; }

P="$WORK/import"
mkdir -p "$P"
cd "$P" || exit 1
printf '{ "dialect": "postgresql", "schema": "schema.json", "out": "migrations" }\n' >cairn.json

# converted TOOL DIR OUT: the import, then a new database migrated from it
# equals the newest snapshot (pull, generate --check finds nothing)
converted() {
    local tool=$1 dir=$2 out=$3
    # the url only says which server makes the scratch database
    run --out "$out" --url "$(url_of postgres)" import "$tool" "$dir" --no-history
    expect_ok "import $tool"
    newdb "fresh_$out"
    run --out "$out" --url "$(url_of "fresh_$out")" migrate
    expect_ok "import $tool: migrate a new database"
    run --url "$(url_of "fresh_$out")" pull --output "$out.json"
    run --out "$out" --schema "$out.json" generate --check
    expect_ok "import $tool: the newest snapshot is what migrate built"
}

D="$FIX/drizzle-postgresql"
converted drizzle "$D" m-drizzle
check "drizzle: the breakpoint at the end of a line is on a line of its own" \
    grep -qx -- '--> statement-breakpoint' m-drizzle/*_add_posts/migration.sql
check "drizzle: otherwise the file as it was" \
    [ "$(sed 's/;--> statement-breakpoint/;\n--> statement-breakpoint/' "$D/0001_add_posts.sql")" = "$(cat m-drizzle/*_add_posts/migration.sql)" ]
converted prisma "$FIX/prisma-postgresql" m-prisma
converted flyway "$FIX/flyway" m-flyway
converted golang-migrate "$FIX/golang-migrate" m-golang
converted dbmate "$FIX/dbmate" m-dbmate

# an empty dev_url is used, and left empty
newdb dev
printf '{ "dialect": "postgresql", "schema": "schema.json", "out": "m-dev", "dev_url": "%s" }\n' "$(url_of dev)" >dev.json
run --config dev.json import prisma "$FIX/prisma-postgresql"
expect_ok "import with a dev_url"
check "the dev_url database is empty afterwards" \
    [ "$(q dev "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = "0" ]
check "and the snapshots are the same as from a scratch database" \
    cmp -s m-dev/20240112154500_add_posts/snapshot.json m-prisma/20240112154500_add_posts/snapshot.json

# ---- histories, as each tool writes them on PostgreSQL -------------------------
# drizzle-kit: schema drizzle, table __drizzle_migrations; 0000 applied
newdb h_drizzle
qf h_drizzle "$D/0000_init.sql"
q h_drizzle "CREATE SCHEMA IF NOT EXISTS drizzle;
CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('$(sum "$D/0000_init.sql")', $(grep -o '"when": [0-9]*' "$D/meta/_journal.json" | head -1 | cut -d' ' -f2))" >/dev/null
run --out h-drizzle --url "$(url_of h_drizzle)" import drizzle "$D"
expect_ok "import drizzle with its history"
expect_out "1 migration recorded as applied" "drizzle: the applied one recorded"
check "drizzle: the import is in the audit trail" \
    [ "$(q h_drizzle "SELECT action FROM __cairn_migrations_audit")" = "import drizzle" ]
# drizzle with migrationsSchema "ops" and migrationsTable "applied": --history-table
newdb h_drizzle2
qf h_drizzle2 "$D/0000_init.sql"
q h_drizzle2 "CREATE SCHEMA ops;
CREATE TABLE ops.applied (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
INSERT INTO ops.applied (hash, created_at) VALUES ('$(sum "$D/0000_init.sql")', $(grep -o '"when": [0-9]*' "$D/meta/_journal.json" | head -1 | cut -d' ' -f2))" >/dev/null
run --out h-drizzle2 --url "$(url_of h_drizzle2)" import drizzle "$D"
expect_err "the database has no drizzle.__drizzle_migrations table" "drizzle: without the option the default table is looked for"
rm -rf h-drizzle2
run --out h-drizzle2 --url "$(url_of h_drizzle2)" import drizzle "$D" --history-table ops.applied
expect_ok "import drizzle --history-table ops.applied"
expect_out "1 migration recorded as applied" "drizzle: the renamed table's row recorded"
run --out h-drizzle --url "$(url_of h_drizzle)" migrate
expect_out "1 migration applied" "drizzle: migrate runs only the other"
run --out h-drizzle --url "$(url_of h_drizzle)" drift
expect_ok "drizzle: no drift (its table is in schema drizzle)"

# Prisma: init finished; add_posts failed, then rolled back by hand, then failed again
PR="$FIX/prisma-postgresql"
newdb h_prisma
qf h_prisma "$PR/20240110093000_init/migration.sql"
q h_prisma "CREATE TABLE _prisma_migrations (id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL,
  finished_at TIMESTAMPTZ, migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ,
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0);
INSERT INTO _prisma_migrations VALUES
 ('a1', '$(sum "$PR/20240110093000_init/migration.sql")', now(), '20240110093000_init', NULL, NULL, now(), 1),
 ('a2', '$(sum "$PR/20240112154500_add_posts/migration.sql")', NULL, '20240112154500_add_posts', 'error', now(), now(), 0),
 ('a3', '$(sum "$PR/20240112154500_add_posts/migration.sql")', NULL, '20240112154500_add_posts', 'error', NULL, now(), 0)" >/dev/null
run --out h-prisma --url "$(url_of h_prisma)" import prisma "$PR"
expect_ok "import prisma"
expect_out "20240110093000_init recorded as applied" "prisma: the finished one"
expect_err "Prisma recorded it as failed" "prisma: the failed one reported"
run --out h-prisma --url "$(url_of h_prisma)" status
expect_out "pending  20240112154500_add_posts" "prisma: the failed one pending"

# Flyway: success false on V2 (a boolean on PostgreSQL)
FW="$FIX/flyway"
newdb h_flyway
qf h_flyway "$FW/V1__Create_users.sql"
qf h_flyway "$FW/V1_1__Add_posts.sql"
q h_flyway "CREATE TABLE \"public\".\"flyway_schema_history\" (\"installed_rank\" INT NOT NULL, \"version\" VARCHAR(50),
  \"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) NOT NULL, \"script\" VARCHAR(1000) NOT NULL,
  \"checksum\" INTEGER, \"installed_by\" VARCHAR(100) NOT NULL, \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),
  \"execution_time\" INTEGER NOT NULL, \"success\" BOOLEAN NOT NULL);
INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES
 (1, '1', 'Create users', 'SQL', 'V1__Create_users.sql', 1, 'ci', 3, true),
 (2, '1.1', 'Add posts', 'SQL', 'V1_1__Add_posts.sql', 2, 'ci', 3, true),
 (3, '2', 'Add name', 'SQL', 'V2__Add_name.sql', 3, 'ci', 3, false)" >/dev/null
run --out h-flyway --url "$(url_of h_flyway)" import flyway "$FW"
expect_out "2 migrations recorded as applied" "flyway: V1 and V1.1"
expect_err "Flyway recorded it as failed" "flyway: V2 reported"

# golang-migrate: dirty at 2
GM="$FIX/golang-migrate"
newdb h_golang
qf h_golang "$GM/000001_create_users.up.sql"
q h_golang 'CREATE TABLE IF NOT EXISTS "schema_migrations" (version bigint not null primary key, dirty boolean not null);
INSERT INTO schema_migrations VALUES (2, true)' >/dev/null
run --out h-golang --url "$(url_of h_golang)" import golang-migrate "$GM"
expect_out "1 migration recorded as applied" "golang-migrate: version 1"
expect_err "golang-migrate recorded it as dirty" "golang-migrate: version 2 reported"
run --out h-golang --url "$(url_of h_golang)" status
expect_out "pending  19700101000002_add_posts" "golang-migrate: the dirty one pending"

# dbmate: both applied
DB="$FIX/dbmate"
newdb h_dbmate
run --out m-dbmate --url "$(url_of h_dbmate)" migrate
q h_dbmate 'DROP TABLE __cairn_migrations;
CREATE TABLE IF NOT EXISTS public.schema_migrations (version character varying(128) NOT NULL PRIMARY KEY);
INSERT INTO schema_migrations VALUES ('"'20261206091002'"'), ('"'20261206091003'"')' >/dev/null
run --out h-dbmate --url "$(url_of h_dbmate)" import dbmate "$DB"
expect_out "2 migrations recorded as applied" "dbmate: both"
run --out h-dbmate --url "$(url_of h_dbmate)" migrate
expect_out "nothing to apply" "dbmate: nothing runs twice"

# a replay failure names the file; nothing written
mkdir gm-bad && printf 'CREATE TABLE t (id integer);\n' >gm-bad/1_t.up.sql &&
    printf 'ALTER TABLE nosuch ADD COLUMN x int;\n' >gm-bad/2_broken.up.sql
before=$(state .)
run --out n1 --url "$(url_of postgres)" import golang-migrate gm-bad --no-history
expect_rc 4 "a migration that fails to replay"
one_error_line "a migration that fails to replay"
expect_err "gm-bad/2_broken.up.sql" "the file is named"
check "nothing written" [ "$before" = "$(state .)" ]

# ---- drizzle-kit for real ------------------------------------------------------------
T="${CAIRN_IMPORT_TOOLS:-}"
if [ -n "$T" ] && [ -x "$T/node_modules/.bin/drizzle-kit" ]; then
    newdb real
    mkdir real && cd real || exit 1
    cp -r "$D" drizzle
    ln -s "$T/node_modules" node_modules
    printf 'export default { dialect: "postgresql", schema: "./none.ts", out: "./drizzle", dbCredentials: { url: "%s" } };\n' \
        "$(url_of real)" >drizzle.config.ts
    check "drizzle-kit migrate on PostgreSQL" "$T/node_modules/.bin/drizzle-kit" migrate
    run --dialect postgresql --out migrations --url "$(url_of real)" import drizzle drizzle
    expect_out "2 migrations recorded as applied" "drizzle-kit's own history is read"
    run --dialect postgresql --out migrations --url "$(url_of real)" migrate
    expect_out "nothing to apply" "nothing runs twice"
    cd .. || exit 1
fi

finish
