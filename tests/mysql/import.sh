#!/usr/bin/env bash
# cairn import on MariaDB (tests/mysql/run.sh starts the server): drizzle-kit
# (its MySQL folder), Flyway, golang-migrate and dbmate folders converted with
# snapshots replayed on a scratch database, migrate builds what the newest
# snapshot says, and each tool's history table, written as the tool writes
# it on MySQL (a Flyway success = 0, a dirty golang-migrate version), becomes
# cairn's history.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
: "${CAIRN_MYSQL_URL:?run through tests/mysql/run.sh}"
. "$here/lib.sh"
FIX="$CAIRN_SOURCE_DIR/tests/data/import"

qf() { sed 's/--> statement-breakpoint//' "$2" | "$MYSQLC" --no-defaults --socket="$SOCK" -uroot "$1"; }
sum() { sha256sum <"$1" | cut -d' ' -f1; }

P="$WORK/import"
mkdir -p "$P"
cd "$P" || exit 1
printf '{ "dialect": "mysql", "schema": "schema.json", "out": "migrations" }\n' >cairn.json
newdb scratchsrv

converted() { # converted TOOL DIR OUT
    local tool=$1 dir=$2 out=$3
    # the url only says which server makes the scratch database
    run --out "$out" --url "$BASE/scratchsrv" import "$tool" "$dir" --no-history
    expect_ok "import $tool"
    newdb "fresh_$out"
    run --out "$out" --url "$BASE/fresh_$out" migrate
    expect_ok "import $tool: migrate a new database"
    run --url "$BASE/fresh_$out" pull --output "$out.json"
    run --out "$out" --schema "$out.json" generate --check
    expect_ok "import $tool: the newest snapshot is what migrate built"
}

D="$FIX/drizzle-mysql"
converted drizzle "$D" m_drizzle
check "drizzle: the end-of-line breakpoint is on a line of its own (MySQL reads '-->' as no comment)" \
    grep -qx -- '--> statement-breakpoint' m_drizzle/*_add_posts/migration.sql
converted flyway "$FIX/flyway" m_flyway
converted golang-migrate "$FIX/golang-migrate" m_golang
converted dbmate "$FIX/dbmate" m_dbmate

# drizzle-kit: __drizzle_migrations in the database; 0000 applied
newdb h_drizzle
qf h_drizzle "$D/0000_init.sql"
q h_drizzle "create table if not exists __drizzle_migrations (id serial primary key, hash text not null, created_at bigint);
insert into __drizzle_migrations (hash, created_at) values ('$(sum "$D/0000_init.sql")', $(grep -o '"when": [0-9]*' "$D/meta/_journal.json" | head -1 | cut -d' ' -f2))"
run --out h_drizzle --url "$BASE/h_drizzle" import drizzle "$D"
expect_ok "import drizzle with its history"
expect_out "1 migration recorded as applied" "drizzle: the applied one"
check "drizzle: the import is in the audit trail" \
    [ "$(q h_drizzle "SELECT action FROM __cairn_migrations_audit")" = "import drizzle" ]
run --out h_drizzle --url "$BASE/h_drizzle" migrate
expect_out "1 migration applied" "drizzle: migrate runs only the other"

# Flyway: success = 0 for V2 (BOOL is tinyint(1) on MySQL)
FW="$FIX/flyway"
newdb h_flyway
qf h_flyway "$FW/V1__Create_users.sql"
q h_flyway "CREATE TABLE \`flyway_schema_history\` (\`installed_rank\` INT NOT NULL, \`version\` VARCHAR(50),
  \`description\` VARCHAR(200) NOT NULL, \`type\` VARCHAR(20) NOT NULL, \`script\` VARCHAR(1000) NOT NULL,
  \`checksum\` INT, \`installed_by\` VARCHAR(100) NOT NULL, \`installed_on\` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  \`execution_time\` INT NOT NULL, \`success\` BOOL NOT NULL, CONSTRAINT \`flyway_schema_history_pk\` PRIMARY KEY (\`installed_rank\`));
INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES
 (1, '1', 'Create users', 'SQL', 'V1__Create_users.sql', 1, 'ci', 3, 1),
 (2, '1.1', 'Add posts', 'SQL', 'V1_1__Add_posts.sql', 2, 'ci', 3, 0)"
run --out h_flyway --url "$BASE/h_flyway" import flyway "$FW"
expect_out "1 migration recorded as applied" "flyway: V1"
expect_err "V1_1__Add_posts.sql: Flyway recorded it as failed (success is false)" "flyway: V1.1 reported"
run --out h_flyway --url "$BASE/h_flyway" status
expect_out "pending  19700101000002_add_posts" "flyway: the failed one pending"

# golang-migrate: clean at 2
GM="$FIX/golang-migrate"
newdb h_golang
qf h_golang "$GM/000001_create_users.up.sql"
qf h_golang "$GM/000002_add_posts.up.sql"
q h_golang "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null);
INSERT INTO schema_migrations VALUES (2, 0)"
run --out h_golang --url "$BASE/h_golang" import golang-migrate "$GM"
expect_out "2 migrations recorded as applied" "golang-migrate: versions 1 and 2"
run --out h_golang --url "$BASE/h_golang" migrate
expect_out "1 migration applied" "golang-migrate: version 10 runs"
# dirty at 10
newdb h_golang2
qf h_golang2 "$GM/000001_create_users.up.sql"
q h_golang2 "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null);
INSERT INTO schema_migrations VALUES (10, 1)"
run --out h_golang --url "$BASE/h_golang2" import golang-migrate "$GM" --history-only
expect_out "2 migrations recorded as applied" "golang-migrate: the versions before the dirty one"
expect_err "000010_add_name.up.sql: golang-migrate recorded it as dirty" "golang-migrate: the dirty one reported"

# dbmate
DB="$FIX/dbmate"
newdb h_dbmate
qf h_dbmate m_dbmate/20261206091002_create_users/migration.sql
q h_dbmate "create table if not exists schema_migrations (version varchar(128) primary key);
insert into schema_migrations values ('20261206091002')"
run --out h_dbmate --url "$BASE/h_dbmate" import dbmate "$DB"
expect_out "20261206091002_create_users recorded as applied" "dbmate: the applied version"
run --out h_dbmate --url "$BASE/h_dbmate" status
expect_out "pending  20261206091003_add_posts" "dbmate: the other pending"

finish
