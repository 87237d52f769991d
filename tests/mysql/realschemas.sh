#!/usr/bin/env bash
# Real schemas on MariaDB that used to go wrong (issue 10): a declared index
# shaped like a foreign key's own, triggers with ';' in their body through
# export / pull --output x.sql and the mariadb client (DELIMITER), a
# mysqldump-style `DELIMITER ;;` schema, view options, table options equal
# to the server's defaults, NO_BACKSLASH_ESCAPES, column order, and the
# server version in --verbose.
# Run through tests/mysql/run.sh (CAIRN_MYSQL_URL, CAIRN_MYSQL_SOCKET).
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"

# shellcheck source=lib.sh
. "$here/lib.sh"
# client DB < FILE: the file through the mariadb client, as a user would pipe it
client() { "$MYSQLC" --no-defaults --default-character-set=utf8mb4 --socket="$SOCK" -uroot "$1"; }
# use DB SCHEMA: cairn.json for DB and SCHEMA in a folder of its own
use() {
    mkdir -p "$WORK/$1" && cd "$WORK/$1" || exit 1
    newdb "$1"
    printf '{ "dialect": "mysql", "schema": "%s", "url": "%s" }\n' "$2" "$BASE/$1" >cairn.json
}
converged() { # converged "what": a second push has nothing to do
    run push --dry-run
    expect_out "database is up to date" "$1: a second push finds nothing"
}

# ---- a declared index with the name and column of a foreign key's index ------
use fkix schema.sql
cat >schema.sql <<'EOF'
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (id int PRIMARY KEY, pid int, INDEX pid (pid), INDEX pid_id (pid, id),
  FOREIGN KEY (pid) REFERENCES p (id));
EOF
run push
expect_ok "fkix: push"
expect_q fkix "SELECT GROUP_CONCAT(DISTINCT INDEX_NAME ORDER BY INDEX_NAME) FROM information_schema.STATISTICS
  WHERE TABLE_SCHEMA='fkix' AND TABLE_NAME='c'" "pid,pid_id,PRIMARY" "fkix: KEY pid is kept"
converged "fkix"
run pull
expect_out '"name": "pid"' "fkix: pull shows the declared index"
# the database loses the index: push puts it back
q fkix "ALTER TABLE c DROP INDEX pid"
run push --dry-run
expect_out 'INDEX `pid`' "fkix: a lost KEY pid is a change"

# ---- DELIMITER: a mysqldump-style schema, export and pull --output ------------
use trg schema.sql
cat >schema.sql <<'EOF'
CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL DEFAULT 0, note varchar(20));
/*!50003 SET @saved_sql_mode = @@sql_mode */ ;
DELIMITER ;;
CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW
BEGIN
  SET NEW.n = NEW.n + 1;
  IF NEW.note IS NULL THEN SET NEW.note = 'a;b'; END IF;
END ;;
DELIMITER ;
CREATE VIEW v AS SELECT id, n FROM t;
EOF
run push
expect_ok "trg: push of a schema with DELIMITER ;;"
expect_q trg "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='trg'" "1" \
    "trg: the trigger exists"
converged "trg"
echo 'DELIMITER' >bad.sql
run --schema bad.sql push
expect_rc 4 "trg: DELIMITER without a delimiter"
one_error_line "trg: DELIMITER without a delimiter"
expect_err "bad.sql:1" "trg: the error names the file and line"
run export
expect_ok "trg: export"
printf '%s\n' "$OUT" >export.sql
check "trg: export writes a DELIMITER block" grep -q '^DELIMITER ;;$' export.sql
newdb trg2
client trg2 <export.sql 2>client.err
check "trg: the mariadb client runs export's output ($(cat client.err))" test ! -s client.err
expect_q trg2 "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='trg2'" "1" \
    "trg: the client made the trigger"
run pull --output pulled.sql
expect_ok "trg: pull --output x.sql"
newdb trg3
client trg3 <pulled.sql 2>client.err
check "trg: the mariadb client runs pull's .sql ($(cat client.err))" test ! -s client.err
q trg2 "INSERT INTO t (id) VALUES (1)"
expect_q trg2 "SELECT CONCAT(n, ' ', note) FROM t" "1 a;b" "trg: the trigger works"
# and read back: the pulled file is a schema that converges
run --schema pulled.sql push --dry-run
expect_out "database is up to date" "trg: pull's .sql read back"

# ---- views: ALGORITHM, SQL SECURITY, DEFINER, WITH CHECK OPTION -------------------
use views schema.sql
cat >schema.sql <<'EOF'
CREATE TABLE t (id int PRIMARY KEY, n int);
CREATE ALGORITHM=MERGE DEFINER=`root`@`localhost` SQL SECURITY INVOKER VIEW inv AS
  SELECT id FROM t WHERE n > 0 WITH CASCADED CHECK OPTION;
CREATE VIEW plain AS SELECT id FROM t;
EOF
run push
expect_ok "views: push"
expect_q views "SELECT CONCAT(SECURITY_TYPE, ' ', CHECK_OPTION) FROM information_schema.VIEWS
  WHERE TABLE_SCHEMA='views' AND TABLE_NAME='inv'" "INVOKER CASCADED" "views: SQL SECURITY INVOKER and CHECK OPTION"
expect_q views "SELECT ALGORITHM FROM information_schema.VIEWS WHERE TABLE_SCHEMA='views' AND TABLE_NAME='inv'" \
    "MERGE" "views: ALGORITHM=MERGE"
converged "views"
run pull
expect_out '"security": "invoker"' "views: pull shows SQL SECURITY INVOKER"
q views "ALTER SQL SECURITY DEFINER VIEW inv AS SELECT id FROM t WHERE n > 0 WITH CASCADED CHECK OPTION"
run push --dry-run
expect_out 'SQL SECURITY INVOKER' "views: a changed SQL SECURITY is a change"
expect_q views "SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA='views' AND DEFINER LIKE 'root@%'" \
    "0" "views: the DEFINER of the file is not copied"
# the same options in a JSON schema, in any case, defaults stated
cat >views.json <<'EOF'
{ "dialect": "mysql",
  "tables": [ { "name": "t", "columns": [ { "name": "id", "type": "int", "not_null": true },
                                           { "name": "n", "type": "int" } ],
                "primary_key": { "columns": ["id"] } } ],
  "views": [ { "name": "inv", "definition": "select `t`.`id` AS `id` from `t` where `t`.`n` > 0",
               "options": { "security": "INVOKER", "algorithm": "Merge", "check_option": "local" } },
             { "name": "plain", "definition": "select `t`.`id` AS `id` from `t`",
               "options": { "security": "definer", "algorithm": "undefined" } } ] }
EOF
run --schema views.json push
expect_ok "views: push of a JSON schema with view options"
expect_q views "SELECT CONCAT(SECURITY_TYPE, ' ', CHECK_OPTION, ' ', ALGORITHM) FROM information_schema.VIEWS
  WHERE TABLE_SCHEMA='views' AND TABLE_NAME='inv'" "INVOKER LOCAL MERGE" "views: options from JSON"
run --schema views.json push --dry-run
expect_out "database is up to date" "views: JSON view options converge"
sed -i 's/"security": "INVOKER"/"owner": "me"/' views.json
run --schema views.json push
expect_rc 5 "views: an unknown view option"
one_error_line "views: an unknown view option"
expect_err "unknown view option 'owner'" "views: the message names the option"
sed -i 's/"owner": "me"/"security": "nobody"/' views.json
run --schema views.json push
expect_rc 4 "views: an invalid SQL SECURITY"
one_error_line "views: an invalid SQL SECURITY"
expect_q views "SELECT CONCAT(SECURITY_TYPE, ' ', CHECK_OPTION) FROM information_schema.VIEWS
  WHERE TABLE_SCHEMA='views' AND TABLE_NAME='inv'" "INVOKER LOCAL" "views: a refused push changed nothing"

# ---- table options equal to the server's defaults ------------------------------
use opts schema.json
cat >schema.json <<'EOF'
{ "dialect": "mysql",
  "tables": [ { "name": "t", "options": { "engine": "InnoDB", "charset": "utf8mb4" },
                "columns": [ { "name": "id", "type": "int", "not_null": true } ],
                "primary_key": { "columns": ["id"] } },
              { "name": "m", "options": { "engine": "innodb", "row_format": "dynamic" },
                "columns": [ { "name": "id", "type": "int", "not_null": true } ] } ] }
EOF
run push
expect_ok "opts: push"
converged "opts"
# a database whose collation is not its character set's default
use opts2 schema.json
q mysql "ALTER DATABASE opts2 COLLATE utf8mb4_unicode_ci"
cat >schema.json <<'EOF'
{ "dialect": "mysql",
  "tables": [ { "name": "a", "options": { "charset": "utf8mb4" },
                "columns": [ { "name": "id", "type": "int" } ] },
              { "name": "b", "options": { "collation": "utf8mb4_unicode_ci", "engine": "InnoDB" },
                "columns": [ { "name": "id", "type": "int" } ] },
              { "name": "c", "options": { "charset": "latin1", "collation": "latin1_swedish_ci" },
                "columns": [ { "name": "id", "type": "int" } ] },
              { "name": "d", "options": { "engine": "Aria" },
                "columns": [ { "name": "id", "type": "int" } ] } ] }
EOF
run push
expect_ok "opts2: push"
expect_q opts2 "SELECT GROUP_CONCAT(CONCAT(TABLE_NAME, ':', ENGINE, ':', TABLE_COLLATION) ORDER BY TABLE_NAME)
  FROM information_schema.TABLES WHERE TABLE_SCHEMA='opts2'" \
    "a:InnoDB:utf8mb4_general_ci,b:InnoDB:utf8mb4_unicode_ci,c:InnoDB:latin1_swedish_ci,d:Aria:utf8mb4_unicode_ci" \
    "opts2: the tables as stated"
converged "opts2"
run pull
expect_out '"collation": "utf8mb4_general_ci"' "opts2: pull shows the collation that differs"

# ---- column order ----------------------------------------------------------------
use cols schema.sql
echo 'CREATE TABLE t (a int, b int, c int);' >schema.sql
run push
expect_ok "cols: push"
q cols "INSERT INTO t VALUES (1, 2, 3)"
echo 'CREATE TABLE t (a int, c int, b int);' >schema.sql
run push --dry-run
expect_out 'MODIFY COLUMN `c` int AFTER `a`' "cols: swapped columns are a change"
run push
expect_ok "cols: push the swap"
expect_q cols "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS
  WHERE TABLE_SCHEMA='cols'" "a,c,b" "cols: the columns are in the new order"
expect_q cols "SELECT CONCAT(a, c, b) FROM t" "132" "cols: the values moved with their columns"
converged "cols"
echo 'CREATE TABLE t (b int, a int, c int);' >schema.sql
run push
expect_ok "cols: b moved first"
expect_q cols "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS
  WHERE TABLE_SCHEMA='cols'" "b,a,c" "cols: FIRST"
converged "cols: FIRST"
# moves with a drop, an add before a moved column and a type change
q cols "DELETE FROM t; INSERT INTO t VALUES (2, 1, 3)"
echo 'CREATE TABLE t (c bigint, n int DEFAULT 7, a int, b int, m int);' >schema.sql
run push --force
expect_ok "cols: moves, adds and a type change"
expect_q cols "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS
  WHERE TABLE_SCHEMA='cols'" "c,n,a,b,m" "cols: every column in place"
expect_q cols "SELECT CONCAT_WS(' ', c, n, a, b) FROM t" "3 7 1 2" "cols: the values followed"
converged "cols: moves and adds"

# ---- the server's flavour and version --------------------------------------------
run --verbose pull
expect_err "/cols: MariaDB 10." "verbose: names the server flavour and version"

# ---- NO_BACKSLASH_ESCAPES (last: it changes the server's default mode) ---------------
use nbe schema.json
cat >schema.json <<'EOF'
{ "dialect": "mysql",
  "tables": [ { "name": "t", "comment": "a\\b",
                "columns": [ { "name": "p", "type": "varchar(20)", "default": "'C:\\\\dir'" } ] } ] }
EOF
q mysql "SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES')"
run push
expect_ok "nbe: push under NO_BACKSLASH_ESCAPES"
q nbe "INSERT INTO t VALUES ()"
expect_q nbe "SELECT LENGTH(p) FROM t" "6" "nbe: the default is C:\\dir, one backslash"
expect_q nbe "SELECT LENGTH(TABLE_COMMENT) FROM information_schema.TABLES WHERE TABLE_SCHEMA='nbe'" "3" \
    "nbe: the comment is a\\b"
converged "nbe"
q mysql "SET GLOBAL sql_mode = REPLACE(@@GLOBAL.sql_mode, 'NO_BACKSLASH_ESCAPES', '')"

finish
