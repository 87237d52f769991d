#!/usr/bin/env bash
# Partitioned tables on MariaDB (issue 10): every kind read, written and
# converged (pull -> push into an empty database -> pull, and the same
# mariadb-dump --no-data); partitions added, dropped, reorganised and
# coalesced with the rows where they belong; a re-partition and its hazard;
# a partition function the keys do not allow; and push's honesty where DDL
# commits statement by statement (what ran, what did not, drops last).
# Run through tests/mysql/run.sh (CAIRN_MYSQL_URL, CAIRN_MYSQL_SOCKET).
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"

# shellcheck source=lib.sh
. "$here/lib.sh"
DUMP=$(command -v mariadb-dump || command -v mysqldump)
# use DB: cairn.json for DB and schema.sql in a folder of its own
use() {
    mkdir -p "$WORK/$1" && cd "$WORK/$1" || exit 1
    newdb "$1"
    printf '{ "dialect": "mysql", "schema": "schema.sql", "url": "%s" }\n' "$BASE/$1" >cairn.json
}
converged() { # converged "what": a second push has nothing to do
    run push --dry-run
    expect_out "database is up to date" "$1: a second push finds nothing"
}
# dump DB: the schema as the server dumps it, without what differs by run
dump() {
    "$DUMP" --no-defaults --socket="$SOCK" -uroot --no-data --skip-dump-date --skip-comments "$1" |
        sed 's/ AUTO_INCREMENT=[0-9]*//'
}
# rows DB TABLE: "partition:count" of each partition that holds rows
rows() {
    q "$1" "SELECT GROUP_CONCAT(CONCAT(PARTITION_NAME, ':', TABLE_ROWS) ORDER BY
      PARTITION_ORDINAL_POSITION SEPARATOR ' ') FROM information_schema.PARTITIONS
      WHERE TABLE_SCHEMA='$1' AND TABLE_NAME='$2'"
}
# parts DB TABLE: the partition names, in order
parts() {
    q "$1" "SELECT GROUP_CONCAT(DISTINCT PARTITION_NAME ORDER BY PARTITION_ORDINAL_POSITION)
      FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA='$1' AND TABLE_NAME='$2'"
}
# plan: the statements of push --dry-run, one per line
plan() { run push --dry-run; PLAN=$(printf '%s\n' "$OUT" | grep -E '^(CREATE|ALTER|DROP) '); }
# expect_plan "what" STATEMENTS: push --dry-run plans exactly these
expect_plan() { plan; check "$1 ($PLAN)" [ "$PLAN" = "$2" ]; }
# pushed "what" [ARGS]: push succeeds, and a second one finds nothing to do
pushed() {
    local what=$1; shift
    run push "$@"
    expect_ok "$what: push"
    converged "$what"
}

# ---- every kind: pull -> push into an empty database -> pull ------------------
use kinds
cat >schema.sql <<'EOF'
CREATE TABLE r (id int NOT NULL, d date NOT NULL, PRIMARY KEY (id, d))
  PARTITION BY RANGE (year(d)) (PARTITION p0 VALUES LESS THAN (2000),
  PARTITION `p 1` VALUES LESS THAN MAXVALUE);
CREATE TABLE rc (id int, d date, r varchar(10), PRIMARY KEY (id, d, r))
  PARTITION BY RANGE COLUMNS (d, r) (PARTITION a VALUES LESS THAN ('2024-01-01', 'm'),
  PARTITION b VALUES LESS THAN (MAXVALUE, MAXVALUE));
CREATE TABLE l (id int, c int, PRIMARY KEY (id, c))
  PARTITION BY LIST (c) (PARTITION n VALUES IN (1, 2, 3), PARTITION s VALUES IN (4, NULL));
CREATE TABLE lc (id int, c varchar(5), PRIMARY KEY (id, c))
  PARTITION BY LIST COLUMNS (c) (PARTITION n VALUES IN ('US', 'C''A'), PARTITION s VALUES IN ('DE'));
CREATE TABLE lc2 (id int, c varchar(5), PRIMARY KEY (id, c))
  PARTITION BY LIST COLUMNS (id, c) (PARTITION n VALUES IN ((1, 'US'), (2, 'x')));
CREATE TABLE h (id int PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 4;
CREATE TABLE lh (id int PRIMARY KEY) PARTITION BY LINEAR HASH (id);
CREATE TABLE k (id int, b int, PRIMARY KEY (id, b)) PARTITION BY KEY (id, b) PARTITIONS 3;
CREATE TABLE k0 (id int PRIMARY KEY) PARTITION BY LINEAR KEY () PARTITIONS 2;
CREATE TABLE kn (id int PRIMARY KEY) PARTITION BY KEY (id) (PARTITION x, PARTITION y);
CREATE TABLE sp (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (year(d))
  SUBPARTITION BY HASH (to_days(d)) SUBPARTITIONS 2
  (PARTITION p0 VALUES LESS THAN (1990), PARTITION p1 VALUES LESS THAN MAXVALUE);
CREATE TABLE sp2 (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (year(d))
  SUBPARTITION BY KEY (id)
  (PARTITION p0 VALUES LESS THAN (1990) (SUBPARTITION s0, SUBPARTITION s1),
   PARTITION p1 VALUES LESS THAN MAXVALUE (SUBPARTITION s2, SUBPARTITION s3));
CREATE TABLE plain (id int PRIMARY KEY);
EOF
pushed "kinds: push"
run pull
expect_ok "kinds: pull"
expect_out '"partition": "PARTITION BY RANGE (year(d)) (PARTITION p0 VALUES LESS THAN (2000), PARTITION `p 1` VALUES LESS THAN MAXVALUE)"' \
    "kinds: RANGE in canonical text"
expect_out '"partition": "PARTITION BY HASH (id) PARTITIONS 4"' "kinds: HASH with PARTITIONS n"
expect_out '"partition": "PARTITION BY LINEAR HASH (id)"' "kinds: one partition is not stated"
expect_out 'SUBPARTITION BY HASH (to_days(d)) SUBPARTITIONS 2 (PARTITION p0' "kinds: subpartitions"
expect_out '(SUBPARTITION s0, SUBPARTITION s1)' "kinds: named subpartitions"
expect_out "VALUES IN ('US','C''A')" "kinds: LIST COLUMNS values"
check "kinds: no warning that partitions are left out: $ERR" \
    bash -c '! grep -qi "partition" <<<"$1"' _ "$ERR"
printf '%s\n' "$OUT" >pulled.json
# the pulled JSON pushed into an empty database
newdb kinds2
run --url "$BASE/kinds2" --schema pulled.json push
expect_ok "kinds: the pulled JSON into an empty database"
run --url "$BASE/kinds2" --schema pulled.json push --dry-run
expect_out "database is up to date" "kinds: the copy converges"
run --url "$BASE/kinds2" pull
check "kinds: pull of the copy equals pull of the original" [ "$OUT" = "$(cat pulled.json)" ]
check "kinds: mariadb-dump --no-data of the copy equals the original's" \
    [ "$(dump kinds)" = "$(dump kinds2)" ]
if [ "$(dump kinds)" != "$(dump kinds2)" ]; then
    diff <(dump kinds) <(dump kinds2) >&2
fi
expect_q kinds "SELECT COUNT(DISTINCT TABLE_NAME) FROM information_schema.PARTITIONS
  WHERE TABLE_SCHEMA='kinds2' AND PARTITION_NAME IS NOT NULL" "12" "kinds: 12 tables partitioned"

# ---- RANGE: add, drop, reorganise with the rows where they belong -------------
use ranged
cat >schema.sql <<'EOF'
CREATE TABLE sales (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y))
  PARTITION BY RANGE (y) (PARTITION p2022 VALUES LESS THAN (2023),
  PARTITION p2023 VALUES LESS THAN (2024));
EOF
run push
expect_ok "ranged: push"
q ranged "INSERT INTO sales VALUES (1, 2021), (2, 2022), (3, 2023); ANALYZE TABLE sales" >/dev/null
sed -i 's/(2024));/(2024),\n  PARTITION p2024 VALUES LESS THAN (2025));/' schema.sql
expect_plan "ranged: a new last partition is ADD PARTITION" \
    'ALTER TABLE `sales` ADD PARTITION (PARTITION p2024 VALUES LESS THAN (2025));'
pushed "ranged: add partition"
q ranged "INSERT INTO sales VALUES (4, 2024); ANALYZE TABLE sales" >/dev/null
expect_q ranged "SELECT COUNT(*) FROM sales" "4" "ranged: rows kept"
check "ranged: each row in its partition ($(rows ranged sales))" \
    [ "$(rows ranged sales)" = "p2022:2 p2023:1 p2024:1" ]
# split p2022 in two: REORGANIZE, the rows follow their ranges
sed -i 's/PARTITION p2022 VALUES LESS THAN (2023)/PARTITION p2021 VALUES LESS THAN (2022), PARTITION p2022 VALUES LESS THAN (2023)/' schema.sql
expect_plan "ranged: a split is REORGANIZE PARTITION" \
    'ALTER TABLE `sales` REORGANIZE PARTITION `p2022` INTO (PARTITION p2021 VALUES LESS THAN (2022), PARTITION p2022 VALUES LESS THAN (2023));'
pushed "ranged: reorganise"
q ranged "ANALYZE TABLE sales" >/dev/null
check "ranged: rows moved to the new partition ($(rows ranged sales))" \
    [ "$(rows ranged sales)" = "p2021:1 p2022:1 p2023:1 p2024:1" ]
# drop p2021: destructive, refused without --force, its rows go
sed -i 's/PARTITION p2021 VALUES LESS THAN (2022), //' schema.sql
expect_plan "ranged: a dropped partition is DROP PARTITION" \
    'ALTER TABLE `sales` DROP PARTITION `p2021`;'
run push
expect_rc 9 "ranged: DROP PARTITION refused without --force"
expect_err "deletes rows" "ranged: the warning says rows go"
check "ranged: refused: nothing dropped" [ "$(parts ranged sales)" = "p2021,p2022,p2023,p2024" ]
pushed "ranged: push --force drops the partition" --force
expect_q ranged "SELECT GROUP_CONCAT(id ORDER BY id) FROM sales" "2,3,4" \
    "ranged: the dropped partition's row is gone, the others stay"
# a rolling window: drop the oldest, add a newer one, in place
cat >schema.sql <<'EOF'
CREATE TABLE sales (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y))
  PARTITION BY RANGE (y) (PARTITION p2023 VALUES LESS THAN (2024),
  PARTITION p2024 VALUES LESS THAN (2025), PARTITION p2025 VALUES LESS THAN (2026));
EOF
expect_plan "ranged: a rolling window is DROP then ADD" \
    'ALTER TABLE `sales` DROP PARTITION `p2022`;
ALTER TABLE `sales` ADD PARTITION (PARTITION p2025 VALUES LESS THAN (2026));'
pushed "ranged: rolling window" --force
# a catch-all MAXVALUE partition: a new range splits it (ADD PARTITION
# cannot go after MAXVALUE)
sed -i 's/(2026));/(2026), PARTITION pmax VALUES LESS THAN MAXVALUE);/' schema.sql
pushed "ranged: a MAXVALUE partition added"
q ranged "INSERT INTO sales VALUES (5, 2030)"
sed -i 's/PARTITION pmax/PARTITION p2026 VALUES LESS THAN (2027), PARTITION pmax/' schema.sql
expect_plan "ranged: a range before MAXVALUE splits it" \
    'ALTER TABLE `sales` REORGANIZE PARTITION `pmax` INTO (PARTITION p2026 VALUES LESS THAN (2027), PARTITION pmax VALUES LESS THAN MAXVALUE);'
pushed "ranged: split MAXVALUE"
expect_q ranged "SELECT GROUP_CONCAT(id ORDER BY id) FROM sales PARTITION (pmax)" "5" \
    "ranged: the row past the ranges stays in pmax"
expect_q ranged "SELECT GROUP_CONCAT(id ORDER BY id) FROM sales" "3,4,5" "ranged: no row lost"

# ---- LIST: add, drop, a value moved ---------------------------------------------
use listed
cat >schema.sql <<'EOF'
CREATE TABLE reg (id int NOT NULL, c int NOT NULL, PRIMARY KEY (id, c))
  PARTITION BY LIST (c) (PARTITION n VALUES IN (1, 2), PARTITION s VALUES IN (3, 4));
EOF
run push
expect_ok "listed: push"
q listed "INSERT INTO reg VALUES (1, 1), (2, 2), (3, 3), (4, 4)"
sed -i 's/(3, 4));/(3, 4), PARTITION e VALUES IN (5));/' schema.sql
pushed "listed: add a LIST partition"
# value 4 moves from s to e, its neighbour: REORGANIZE keeps the row
sed -i 's/VALUES IN (3, 4)/VALUES IN (3)/; s/VALUES IN (5)/VALUES IN (4,5)/' schema.sql
expect_plan "listed: a moved value is REORGANIZE PARTITION" \
    'ALTER TABLE `reg` REORGANIZE PARTITION `s`, `e` INTO (PARTITION s VALUES IN (3), PARTITION e VALUES IN (4,5));'
pushed "listed: reorganise"
expect_q listed "SELECT GROUP_CONCAT(id ORDER BY id) FROM reg PARTITION (e)" "4" \
    "listed: the row of the moved value is in its new partition"
expect_q listed "SELECT COUNT(*) FROM reg" "4" "listed: no row lost"

# ---- HASH: more and fewer partitions; re-partition; remove --------------------
use hashed
echo 'CREATE TABLE s (id int PRIMARY KEY, v int) PARTITION BY HASH (id) PARTITIONS 2;' >schema.sql
run push
expect_ok "hashed: push"
q hashed "INSERT INTO s VALUES (1, 1), (2, 2), (3, 3), (4, 4), (5, 5)"
sed -i 's/PARTITIONS 2/PARTITIONS 4/' schema.sql
expect_plan "hashed: more partitions" 'ALTER TABLE `s` ADD PARTITION PARTITIONS 2;'
pushed "hashed: 4 partitions"
sed -i 's/PARTITIONS 4/PARTITIONS 3/' schema.sql
expect_plan "hashed: fewer partitions" 'ALTER TABLE `s` COALESCE PARTITION 1;'
pushed "hashed: 3 partitions"
expect_q hashed "SELECT COUNT(*) FROM s" "5" "hashed: rows kept"
# another method: a re-partition, which copies the table (lint says so)
echo 'CREATE TABLE s (id int PRIMARY KEY, v int) PARTITION BY KEY (id) PARTITIONS 2;' >schema.sql
expect_plan "hashed: another method is a re-partition" \
    'ALTER TABLE `s` PARTITION BY KEY (id) PARTITIONS 2;'
pushed "hashed: re-partition"
echo 'CREATE TABLE s (id int PRIMARY KEY, v int);' >schema.sql
expect_plan "hashed: no partitioning is REMOVE PARTITIONING" \
    'ALTER TABLE `s` REMOVE PARTITIONING;'
pushed "hashed: remove partitioning"
expect_q hashed "SELECT COUNT(*) FROM s" "5" "hashed: rows kept through it all"
# and a plain table partitioned: ALTER TABLE ... PARTITION BY
echo 'CREATE TABLE s (id int PRIMARY KEY, v int) PARTITION BY HASH (id) PARTITIONS 2;' >schema.sql
pushed "hashed: a plain table partitioned"

# ---- lint: a re-partition copies the table, a dropped partition loses rows ----
mkdir -p "$WORK/plint" && cd "$WORK/plint" || exit 1
newdb plint
printf '{ "dialect": "mysql", "schema": "schema.sql", "url": "%s", "out": "migrations" }\n' \
    "$BASE/plint" >cairn.json
cat >schema.sql <<'EOF'
CREATE TABLE s (id int PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 2;
CREATE TABLE w (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y)) PARTITION BY RANGE (y)
  (PARTITION p1 VALUES LESS THAN (2000), PARTITION p2 VALUES LESS THAN (3000));
EOF
run generate --name init
expect_ok "plint: generate"
run migrate
expect_ok "plint: migrate"
q plint "INSERT INTO s VALUES (1), (2); INSERT INTO w VALUES (1, 1999), (2, 2999)"
cat >schema.sql <<'EOF'
CREATE TABLE s (id int PRIMARY KEY) PARTITION BY KEY (id) PARTITIONS 2;
CREATE TABLE w (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y)) PARTITION BY RANGE (y)
  (PARTITION p2 VALUES LESS THAN (3000));
EOF
run generate --name repart
expect_ok "plint: generate the re-partition"
expect_err "deletes rows" "plint: generate warns that the dropped partition's rows go"
run lint
expect_out "CA306" "plint: lint says the re-partition copies the table"
expect_out "change s: cannot run ALGORITHM=INPLACE or INSTANT: the table is copied" \
    "plint: in words, for the table re-partitioned"
expect_out "CA106" "plint: lint says a dropped partition deletes rows"
expect_out "change w: deletes rows" "plint: for that table"
check "plint: an in-place DROP PARTITION is no table copy: $OUT" \
    bash -c '! grep -q "CA306.*change w" <<<"$1"' _ "$OUT"

# ---- subpartitions: a partition added with its subpartitions -----------------
use subs
cat >schema.sql <<'EOF'
CREATE TABLE t (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (year(d))
  SUBPARTITION BY HASH (to_days(d)) SUBPARTITIONS 2
  (PARTITION p0 VALUES LESS THAN (1990), PARTITION p1 VALUES LESS THAN (2000));
EOF
run push
expect_ok "subs: push"
q subs "INSERT INTO t VALUES (1, '1980-01-01'), (2, '1995-01-01')"
sed -i 's/(2000));/(2000), PARTITION p2 VALUES LESS THAN MAXVALUE);/' schema.sql
pushed "subs: a partition added to a subpartitioned table"
expect_q subs "SELECT COUNT(*) FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA='subs'
  AND TABLE_NAME='t' AND SUBPARTITION_NAME IS NOT NULL" "6" "subs: 3 partitions of 2"
expect_q subs "SELECT COUNT(*) FROM t" "2" "subs: rows kept"

# ---- bad input: a partition function on a column not in every unique key ------
use badkey
echo 'CREATE TABLE keep (id int PRIMARY KEY);' >schema.sql
run push
expect_ok "badkey: a first table"
cat >>schema.sql <<'EOF'
CREATE TABLE ev (id int PRIMARY KEY, d date NOT NULL) PARTITION BY RANGE (year(d))
  (PARTITION p0 VALUES LESS THAN MAXVALUE);
EOF
run push
expect_rc 4 "badkey: a .sql schema the server refuses (its scratch database)"
one_error_line "badkey: .sql"
expect_err "schema.sql: mysql: ERROR 1503 (HY000)" "badkey: the file, the server's error number and SQLSTATE"
expect_err "PRIMARY KEY must include all columns" "badkey: and its message"
expect_q badkey "SHOW TABLES" "keep" "badkey: .sql: nothing applied"
# the same as JSON, after a table that would be created first: refused
# before anything runs, offline too (generate)
printf '{ "dialect": "mysql", "tables": [ { "name": "aaa", "columns": [
  { "name": "id", "type": "int" } ] },
  { "name": "ev", "columns": [
  { "name": "id", "type": "int", "not_null": true }, { "name": "d", "type": "date", "not_null": true } ],
  "primary_key": { "columns": ["id"] },
  "options": { "partition": "PARTITION BY HASH (year(d)) PARTITIONS 2" } },
  { "name": "keep", "columns": [ { "name": "id", "type": "int", "not_null": true } ],
  "primary_key": { "columns": ["id"] } } ] }\n' >bad.json
run --schema bad.json push
expect_rc 4 "badkey: JSON: partitioning on a column the primary key lacks"
one_error_line "badkey: JSON"
expect_err "table ev: the partitioning uses column d, which key PRIMARY does not include" \
    "badkey: JSON: the table, the column and the key are named"
expect_err "ERROR 1503 (HY000): A PRIMARY KEY must include all columns" \
    "badkey: JSON: with the server's error"
expect_q badkey "SHOW TABLES" "keep" "badkey: JSON: nothing applied (not even the table before it)"
run --schema bad.json --out "$WORK/badkey/migs" generate
expect_rc 4 "badkey: generate refuses it too"
check "badkey: no migration written" [ ! -d "$WORK/badkey/migs" ] || [ "$(count_dirs "$WORK/badkey/migs")" = 0 ]
# with d in the primary key the server takes it
sed 's/"columns": \["id"\] },$/"columns": ["id", "d"] },/' bad.json >good.json
run --schema good.json push
expect_ok "badkey: with d in the primary key the table is made"
# a unique index the partitioning column is not in, on the partitioned table
sed 's/"options": {/"indexes": [ { "name": "ev_id", "columns": ["id"], "unique": true } ], "options": {/' \
    good.json >uniq.json
run --schema uniq.json push
expect_rc 4 "badkey: a unique index without the partitioning column"
one_error_line "badkey: unique index"
expect_err "table ev: the partitioning uses column d, which key ev_id does not include" \
    "badkey: the index is named"
expect_err "A UNIQUE INDEX must include all columns" "badkey: with the server's error for it"
expect_q badkey "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA='badkey'
  AND INDEX_NAME='ev_id'" "0" "badkey: no index made"

# ---- push on MySQL: what ran, what did not, drops last ------------------------
use honest
cat >schema.sql <<'EOF'
CREATE TABLE u (id int PRIMARY KEY, email varchar(40), old int, tmp int);
EOF
run push
expect_ok "honest: push"
q honest "INSERT INTO u VALUES (1, 'a@x', 1, 1), (2, 'a@x', 2, 2)"
# a new table, a unique key the rows break, and a dropped column: the drop
# is planned after the key that may fail
cat >schema.sql <<'EOF'
CREATE TABLE u (id int PRIMARY KEY, email varchar(40), tmp int, UNIQUE KEY u_email (email));
CREATE TABLE a (id int PRIMARY KEY);
EOF
plan
check "honest: the drop comes last ($PLAN)" \
    [ "$(printf '%s\n' "$PLAN" | tail -1)" = 'ALTER TABLE `u` DROP COLUMN `old`;' ]
run push --force
expect_rc 10 "honest: a push whose 2nd statement fails on data: partial"
check "honest: one error line (and the drop's warning): $ERR" \
    [ "$(printf '%s\n' "$ERR" | grep -c '^cairn: error:')" = 1 ]
expect_err "push stopped part-way: statement 1 of 3 ran and is not undone" \
    "honest: the message says what ran"
expect_err "statement 3 did not run" "honest: and what did not"
expect_err 'statement 2 of 3 failed (CREATE UNIQUE INDEX `u_email` ON `u`' \
    "honest: and the statement that failed"
expect_err "ERROR 1062 (23000)" "honest: with the server's error"
expect_q honest "SELECT GROUP_CONCAT(old ORDER BY id) FROM u" "1,2" \
    "honest: the column to drop is still there, with its data"
expect_q honest "SHOW TABLES LIKE 'a'" "a" "honest: statement 1 ran"
q honest "UPDATE u SET email = 'b@x' WHERE id = 2"
pushed "honest: push again after the data is fixed" --force
# a drop stays before the change that takes the name it frees (MySQL's
# column names ignore case: `Note` and `note` are one name)
q honest "ALTER TABLE u ADD COLUMN Note int"
echo 'CREATE TABLE u (id int PRIMARY KEY, email varchar(40), tmp int, note varchar(10),
  UNIQUE KEY u_email (email));
CREATE TABLE a (id int PRIMARY KEY);' >schema.sql
expect_plan "honest: DROP COLUMN Note before ADD COLUMN note" \
    'ALTER TABLE `u` DROP COLUMN `Note`;
ALTER TABLE `u` ADD COLUMN `note` varchar(10) AFTER `tmp`;'
pushed "honest: a column dropped and one added under the same name" --force

finish
