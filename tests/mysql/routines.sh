#!/usr/bin/env bash
# Stored functions, procedures and events on MariaDB (issue 10): pull, push
# into an empty database, pull again (the same schema), mariadb-dump of the
# copy equal to the original's, a trigger and a view that call a function,
# body changes and drops, the DEFINER options, a mysqldump `DELIMITER ;;`
# schema and an export piped into the client, the sql_mode a routine or
# event was made under and an event's time_zone, and bad input: a body that
# does not compile, an event in the past, a generated column that calls a
# stored function, an unknown definer mode.
# Run through tests/mysql/run.sh (CAIRN_MYSQL_URL, CAIRN_MYSQL_SOCKET).
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
. "$here/../cli/lib.sh"
# shellcheck source=lib.sh
. "$here/lib.sh"

# The account cairn connects as, over TCP as cairn does, so objects made
# by hand and by cairn have the same DEFINER.
hostport=${BASE#mysql://*@}
HOST=${hostport%:*}
PORT=${hostport#*:}
creds=${BASE#mysql://}
creds=${creds%%@*}
USER=${creds%%:*}
PASS=${creds#*:}
qc() { "$MYSQLC" --no-defaults --default-character-set=utf8mb4 -h "$HOST" -P "$PORT" -u "$USER" \
    -p"$PASS" -N -B "$@"; }
dump() {
    mariadb-dump --no-defaults --default-character-set=utf8mb4 -h "$HOST" -P "$PORT" -u "$USER" \
        -p"$PASS" --no-data --skip-comments --routines --triggers --events "$1" |
        sed -e 's/ AUTO_INCREMENT=[0-9]*//'
}
objects_of() { # objects_of DB: kind name per object, sorted
    q "$1" "SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME FROM information_schema.ROUTINES
      WHERE ROUTINE_SCHEMA = '$1' UNION ALL SELECT 'event', EVENT_NAME FROM information_schema.EVENTS
      WHERE EVENT_SCHEMA = '$1' ORDER BY 1, 2"
}
# push_refused STATUS "what" MESSAGE "what of the message" ARGS...: push ARGS
# exits STATUS with one error line, which holds MESSAGE
push_refused() {
    local rc=$1 what=$2 msg=$3 mwhat=$4
    shift 4
    run push "$@"
    expect_rc "$rc" "$what"
    one_error_line "$what"
    expect_err "$msg" "$mwhat"
}
mkdir -p "$WORK/rt" && cd "$WORK/rt" || exit 1

# ---- a schema with routines, a trigger and a view that call one, events ------
newdb rt
qc rt <<'EOF'
CREATE TABLE items (id int PRIMARY KEY, price decimal(10,2), net decimal(10,2));
DELIMITER ;;
CREATE FUNCTION net_of(p decimal(10,2), rate int) RETURNS decimal(10,2)
    READS SQL DATA DETERMINISTIC COMMENT 'price without tax'
BEGIN
  DECLARE r decimal(10,2);
  SET r = p * 100 / (100 + rate);
  RETURN r;
END ;;
CREATE PROCEDURE reprice(IN pct int, OUT n int)
    SQL SECURITY INVOKER
BEGIN
  UPDATE items SET price = price * (100 + pct) / 100;
  SELECT COUNT(*) INTO n FROM items;
END ;;
CREATE TRIGGER `items_bi` before insert ON `items` FOR EACH ROW BEGIN
  SET NEW.net = net_of(NEW.price, 20);
END ;;
DELIMITER ;
CREATE VIEW priced AS SELECT id, net_of(price, 20) AS net FROM items;
CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00'
  COMMENT 'recount' DO CALL reprice(0, @n);
CREATE EVENT once ON SCHEDULE AT '2035-01-01 00:00:00' ON COMPLETION PRESERVE DISABLE
  DO DELETE FROM items;
EOF
printf '{ "dialect": "mysql", "schema": "s.json", "url": "%s" }\n' "$BASE/rt" >cairn.json

run pull --output s.json
expect_ok "pull of routines and events"
check "pull: the function, with its characteristics" grep -q \
    '"definition": "CREATE FUNCTION `net_of`(p decimal(10,2), rate int) RETURNS decimal(10,2)\\n    READS SQL DATA\\n    DETERMINISTIC\\nBEGIN' s.json
check "pull: the comment apart" grep -q '"comment": "price without tax"' s.json
check "pull: the procedure" grep -q '"definition": "CREATE PROCEDURE `reprice`(IN pct int, OUT n int)\\n    SQL SECURITY INVOKER\\nBEGIN' s.json
check "pull: the recurring event" grep -q \
    '"definition": "CREATE EVENT `nightly` ON SCHEDULE EVERY 1 DAY STARTS '"'"'2030-01-01 03:00:00'"'"' DO CALL reprice(0, @n)"' s.json
check "pull: the one-time event, preserved and disabled" grep -q \
    'ON SCHEDULE AT '"'"'2035-01-01 00:00:00'"'"' ON COMPLETION PRESERVE DISABLE DO DELETE FROM items' s.json
check "pull: no DEFINER by default" bash -c '! grep -q DEFINER s.json'
if contains "$ERR" "function" || contains "$ERR" "procedure" || contains "$ERR" " event"; then
    bad "pull's left-out line still counts what is modelled: $ERR"
else ok; fi
run --verbose pull --output /dev/null --force
expect_err "1 tables, 1 views, 4 objects in" "pull: introspection reads the objects"
run push --dry-run
expect_out "database is up to date" "rt: the database and its own pull agree"

# ---- push into an empty database, pull again, dump both --------------------------
newdb rt2
run push --url "$BASE/rt2"
expect_ok "push of routines, trigger, view and events into an empty database"
run pull --url "$BASE/rt2" --output s2.json
expect_ok "pull of the copy"
check "pull -> push -> pull gives the same schema" cmp -s s.json s2.json
run push --url "$BASE/rt2" --dry-run
expect_out "database is up to date" "rt2: a second push finds nothing"
dump rt >rt.sql
dump rt2 >rt2.dump
if diff rt.sql rt2.dump >dump.diff; then ok; else bad "mariadb-dump of the copy differs: $(cat dump.diff)"; fi
# the copy works: the trigger and the view call the function
qc rt2 -e "INSERT INTO items (id, price) VALUES (1, 120)"
expect_q rt2 "SELECT net FROM items" "100.00" "the trigger calls the function"
expect_q rt2 "SELECT net FROM priced" "100.00" "the view calls the function"

# ---- a body that changes, a comment that changes, a drop --------------------------
python3 - s2.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
objs = []
for o in d["objects"]:
    if o["name"] == "net_of":
        o["definition"] = o["definition"].replace("100 + rate", "100 + rate + 0")
    if o["name"] == "nightly":
        o["comment"] = "recount, nightly"
    if o["name"] != "once":
        objs.append(o)
d["objects"] = objs
json.dump(d, open("s3.json", "w"), indent=2)
EOF
run push --url "$BASE/rt2" --schema s3.json --dry-run
expect_out "CREATE OR REPLACE FUNCTION \`net_of\`" "a changed body is replaced in one statement on MariaDB"
expect_out "ALTER EVENT \`nightly\` COMMENT 'recount, nightly'" "a changed comment is an ALTER"
expect_out "DROP EVENT \`once\`" "an event no longer declared is dropped"
run push --url "$BASE/rt2" --schema s3.json
expect_ok "push of the changes"
expect_q rt2 "SELECT ROUTINE_DEFINITION LIKE '%rate + 0%' FROM information_schema.ROUTINES
  WHERE ROUTINE_SCHEMA='rt2' AND ROUTINE_NAME='net_of'" "1" "the new body is in place"
expect_q rt2 "SELECT ROUTINE_COMMENT FROM information_schema.ROUTINES
  WHERE ROUTINE_SCHEMA='rt2' AND ROUTINE_NAME='net_of'" "price without tax" "the replace keeps the comment"
expect_q rt2 "SELECT EVENT_COMMENT FROM information_schema.EVENTS WHERE EVENT_SCHEMA='rt2'" \
    "recount, nightly" "the event's new comment"
run push --url "$BASE/rt2" --schema s3.json --dry-run
expect_out "database is up to date" "after the changes a second push finds nothing"
# offline, without a server to ask, a replace is a drop and a create
mkdir gen && cd gen || exit 1
printf '{ "dialect": "mysql", "schema": "../s2.json", "out": "migrations" }\n' >cairn.json
run init
run generate --name base
run generate --name change --schema ../s3.json
expect_ok "generate of a body change"
mig=$(ls -d migrations/*_change)/migration.sql
check "generate: drop and create, for MySQL and MariaDB alike" grep -q "DROP FUNCTION \`net_of\`" "$mig"
cd .. || exit 1

# ---- a mysqldump schema (DELIMITER ;;) and an export through the client ---------
newdb rt3
run push --url "$BASE/rt3" --schema rt.sql
expect_ok "push of mariadb-dump's own output (DELIMITER ;;)"
run pull --url "$BASE/rt3" --output s4.json
check "mysqldump -> push -> pull gives the same schema" cmp -s s.json s4.json
run export --schema s.json
expect_ok "export of routines"
printf '%s\n' "$OUT" >export.sql
check "export: the routines are in DELIMITER blocks" grep -q '^DELIMITER ;;' export.sql
newdb rt4
if q rt4 "SOURCE export.sql" 2>client.err; then ok; else bad "export piped into the client: $(cat client.err)"; fi
run pull --url "$BASE/rt4" --output s5.json
check "export -> client -> pull gives the same schema" cmp -s s.json s5.json

# ---- what a routine or event keeps: its sql_mode, an event's time_zone ----------
# `counted` compiles only under ANSI_QUOTES ("t" is a table there); `at_five`
# starts at 03:00 in +05:00, which is another moment in the server's zone.
newdb modes
qc modes <<'EOF'
CREATE TABLE t (id int);
SET SESSION sql_mode = 'ANSI_QUOTES,NO_ENGINE_SUBSTITUTION';
CREATE FUNCTION counted() RETURNS int READS SQL DATA RETURN (SELECT COUNT(*) FROM "t");
SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION';
CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.id = NEW.id + 0;
SET SESSION sql_mode = DEFAULT;
SET time_zone = '+05:00';
CREATE EVENT at_five ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00' DO DELETE FROM t;
SET time_zone = SYSTEM;
CREATE EVENT plain ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00' DO DELETE FROM t;
EOF
MODES="SELECT ROUTINE_NAME, SQL_MODE, '-' FROM information_schema.ROUTINES
  WHERE ROUTINE_SCHEMA = DATABASE() UNION ALL SELECT EVENT_NAME, SQL_MODE, TIME_ZONE
  FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() UNION ALL
  SELECT TRIGGER_NAME, SQL_MODE, '-' FROM information_schema.TRIGGERS
  WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1"
SAVED_MODES=$(q modes "$MODES")
run pull --url "$BASE/modes" --output modes.json
expect_ok "pull of a routine and an event made under other settings"
check "pull: the function's sql_mode on a line before it" grep -qF \
    '"definition": "-- cairn:sql_mode=ANSI_QUOTES,NO_ENGINE_SUBSTITUTION\nCREATE FUNCTION `counted`()' modes.json
check "pull: the event's time zone on a line before it" grep -qF \
    '"definition": "-- cairn:time_zone=+05:00\nCREATE EVENT `at_five`' modes.json
check "pull: an event made under the session's settings has no such line" grep -qF \
    '"definition": "CREATE EVENT `plain`' modes.json
check "pull: the trigger's sql_mode on a line before it" grep -qF \
    '"sql": "-- cairn:sql_mode=NO_ENGINE_SUBSTITUTION\nCREATE TRIGGER `t_bi`' modes.json
newdb modes2
run push --url "$BASE/modes2" --schema modes.json
expect_ok "push of a function that compiles only under its sql_mode, and the events"
expect_q modes2 "$MODES" "$SAVED_MODES" "the copy has the original's sql_mode and time zones"
run pull --url "$BASE/modes2" --output modes2.json
check "pull -> push -> pull keeps the settings" cmp -s modes.json modes2.json
run push --url "$BASE/modes2" --schema modes.json --dry-run
expect_out "database is up to date" "modes2: a second push finds nothing"
# made again by hand under the session's defaults: push puts its mode back
q modes2 "DROP FUNCTION counted; CREATE FUNCTION counted() RETURNS int READS SQL DATA
  RETURN (SELECT COUNT(*) FROM \`t\`)"
run push --url "$BASE/modes2" --schema modes.json --dry-run
expect_out "SET @cairn_sql_mode = @@SESSION.sql_mode, SESSION sql_mode = 'ANSI_QUOTES,NO_ENGINE_SUBSTITUTION';
CREATE OR REPLACE FUNCTION \`counted\`()" "a routine under another sql_mode is made again under its own"
expect_out "SET SESSION sql_mode = @cairn_sql_mode" "and the session's mode is put back"
run push --url "$BASE/modes2" --schema modes.json
expect_ok "push of the routine's sql_mode"
expect_q modes2 "$MODES" "$SAVED_MODES" "the routine runs under its own sql_mode again"
q modes2 "DROP TRIGGER t_bi"
run push --url "$BASE/modes2" --schema modes.json
expect_ok "push of a trigger made under another sql_mode"
expect_q modes2 "$MODES" "$SAVED_MODES" "the trigger is made under its own sql_mode"
# other spellings of the same settings: the server's, or the session's own
python3 - modes.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for o in d["objects"]:
    if o["name"] == "counted":
        o["definition"] = o["definition"].replace(
            "sql_mode=ANSI_QUOTES,NO_ENGINE_SUBSTITUTION", "sql_mode=no_engine_substitution,ansi_quotes")
    if o["name"] == "plain":
        o["definition"] = "-- cairn:time_zone=SYSTEM\n" + o["definition"]
    if o["name"] == "at_five":
        o["definition"] = o["definition"].replace("time_zone=+05:00", "time_zone=+5:00")
json.dump(d, open("spelled.json", "w"), indent=2)
EOF
run push --url "$BASE/modes2" --schema spelled.json --dry-run
expect_out "database is up to date" "settings spelled otherwise, or the session's own, are the same"
# an export piped into the client sets them too
run export --schema modes.json
printf '%s\n' "$OUT" >modes-export.sql
newdb modes3
if q modes3 "SOURCE modes-export.sql" 2>client.err; then ok; else bad "export piped into the client: $(cat client.err)"; fi
expect_q modes3 "$MODES" "$SAVED_MODES" "export -> client keeps the settings"
# a setting the server refuses: the error names the object, nothing is made
newdb modes4
cat >badmode.json <<'EOF'
{"objects": [{"kind": "function", "name": "one",
  "definition": "-- cairn:sql_mode=NO_SUCH_MODE\nCREATE FUNCTION `one`() RETURNS int RETURN 1"}]}
EOF
push_refused 6 "an sql_mode the server does not know" \
    "function \`one\`: ERROR 1231 (42000)" "the server's refusal, naming the function" \
    --url "$BASE/modes4" --schema badmode.json
expect_q modes4 "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA='modes4'" \
    "0" "the routine with a bad sql_mode is not made"
# an event in the past made under its time zone: the server's note still
# reaches push (the SET after the CREATE keeps it)
cat >pastzone.json <<'EOF'
{"objects": [{"kind": "event", "name": "old",
  "definition": "-- cairn:time_zone=+05:00\nCREATE EVENT `old` ON SCHEDULE AT '2001-01-01 00:00:00' DO SELECT 1"}]}
EOF
push_refused 6 "an event in the past, under its time zone" \
    'event `old`: ERROR 1588 (HY000)' "the note is the event's" \
    --url "$BASE/modes4" --schema pastzone.json

# a definition that ends with ';' under settings; a time zone on a function
# (the server keeps none for one: the line counts as none); settings lines
# and no statement
cat >semi.json <<'EOF'
{"objects": [{"kind": "function", "name": "semi",
  "definition": "-- cairn:sql_mode=ANSI_QUOTES\nCREATE FUNCTION `semi`() RETURNS int RETURN 1;\n"}]}
EOF
newdb modes5
run push --url "$BASE/modes5" --schema semi.json
expect_ok "a definition under settings that ends with ';'"
cat >tz.json <<'EOF'
{"objects": [{"kind": "function", "name": "tz",
  "definition": "-- cairn:sql_mode=ANSI_QUOTES\n-- cairn:time_zone=+05:00\nCREATE FUNCTION `tz`() RETURNS int(11)\nRETURN 1"}]}
EOF
newdb modes6
run push --url "$BASE/modes6" --schema tz.json
expect_ok "a function with a time zone line"
expect_q modes6 "SELECT SQL_MODE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA='modes6'" \
    "ANSI_QUOTES" "made under its sql_mode"
run push --url "$BASE/modes6" --schema tz.json --dry-run
expect_out "database is up to date" "a time zone line on a function counts as none"
cat >bare.json <<'EOF'
{"objects": [{"kind": "function", "name": "bare", "definition": "-- cairn:sql_mode=ANSI_QUOTES\n"}]}
EOF
push_refused 4 "settings lines and no statement" \
    'mysql: `bare`: its definition has settings lines and no statement' "the object is named" \
    --url "$BASE/modes6" --schema bare.json
expect_q modes6 "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA='modes6'" \
    "tz" "nothing changed"

# a CREATE that fails under its settings: one run, the object named, and
# the session's mode back (push); the same through generate + migrate,
# whose migration.sql ends each statement with ';'
cat >badbody.json <<'EOF'
{"objects": [{"kind": "function", "name": "broken_q",
  "definition": "-- cairn:sql_mode=ANSI_QUOTES\nCREATE FUNCTION `broken_q`() RETURNS int RETURN (SELECT COUNT(*) FROM \"t\" WHERE)"}]}
EOF
newdb modes7
push_refused 6 "a body that does not compile under its settings" \
    'function `broken_q`: ERROR 1064 (42000)' "the failure names the function" \
    --url "$BASE/modes7" --schema badbody.json
mkdir mig && cd mig || exit 1
printf '{ "dialect": "mysql", "schema": "../modes.json", "out": "migrations", "url": "%s" }\n' \
    "$BASE/modes8" >cairn.json
newdb modes8
run generate --name modes
expect_ok "generate of objects under settings"
check "migration.sql sets the settings around the CREATE" \
    grep -q "SET @cairn_sql_mode = @@SESSION.sql_mode, SESSION sql_mode = 'ANSI_QUOTES,NO_ENGINE_SUBSTITUTION'" \
    migrations/*_modes/migration.sql
run migrate
expect_ok "migrate of objects under settings"
expect_q modes8 "$MODES" "$SAVED_MODES" "migrate keeps the settings"
run generate --name broken --schema ../badbody.json
expect_ok "generate of a body that does not compile"
run migrate
expect_rc 6 "migrate of a body that does not compile under its settings"
expect_err 'function `broken_q`: ERROR 1064 (42000)' "migrate names the function"
cd .. || exit 1

# ---- DEFINER: strip (default), keep, current_user ---------------------------------
newdb df
q df "CREATE FUNCTION by_root() RETURNS int DETERMINISTIC RETURN 1;
  CREATE TABLE t (id int); CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.id = by_root();
  CREATE VIEW v AS SELECT by_root() AS one"
run pull --url "$BASE/df" --output d-strip.json
check "definer strip: none in the pull" bash -c '! grep -q DEFINER d-strip.json'
run pull --url "$BASE/df?definer=keep" --output d-keep.json
check "definer keep: the function's" grep -q 'CREATE DEFINER=`root`@`localhost` FUNCTION `by_root`' d-keep.json
check "definer keep: the trigger's" grep -q 'CREATE DEFINER=`root`@`localhost` TRIGGER `t_bi`' d-keep.json
check "definer keep: the view's" grep -q '"definer": "root@localhost"' d-keep.json
run push --url "$BASE/df?definer=keep" --schema d-keep.json --dry-run
expect_out "database is up to date" "definer keep: converges"
newdb df2
run push --url "$BASE/df2?definer=keep" --schema d-keep.json
expect_ok "definer keep: push"
expect_q df2 "SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA='df2'" \
    "root@localhost" "definer keep: the copy runs as the original's definer"
expect_q df2 "SELECT DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA='df2'" \
    "root@localhost" "definer keep: the view's too"
expect_q df2 "SELECT DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='df2'" \
    "root@localhost" "definer keep: the trigger's too"
# keep, and a file without DEFINER: made under cairn's account, and converges
newdb df5
run push --url "$BASE/df5?definer=keep" --schema d-strip.json
expect_ok "definer keep: push of a file without DEFINER"
run push --url "$BASE/df5?definer=keep" --schema d-strip.json --dry-run
expect_out "database is up to date" "definer keep: a file without DEFINER converges"
expect_q df5 "SELECT DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA='df5'" \
    "$USER@$HOST" "definer keep: no DEFINER is whoever pushed it"
# a file with a DEFINER pushed with the default: made under cairn's account
newdb df3
run push --url "$BASE/df3" --schema d-keep.json
expect_ok "definer strip: push of a file with DEFINER"
expect_q df3 "SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA='df3'" \
    "$USER@$HOST" "definer strip: the copy runs as whoever pushed it"
expect_q df3 "SELECT DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA='df3'" \
    "$USER@$HOST" "definer strip: the view too"
run push --url "$BASE/df3" --schema d-keep.json --dry-run
expect_out "database is up to date" "definer strip: a file with DEFINER converges"
newdb df4
run push --url "$BASE/df4?definer=current_user" --schema d-keep.json --dry-run
expect_out 'CREATE DEFINER=CURRENT_USER FUNCTION `by_root`' "definer current_user: written out"
run push --url "$BASE/df4?definer=current_user" --schema d-keep.json
expect_ok "definer current_user: push"
run push --url "$BASE/df4?definer=current_user" --schema d-keep.json --dry-run
expect_out "database is up to date" "definer current_user: converges"
# a view's definer as a JSON file may spell it
python3 - d-keep.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["views"][0]["options"]["definer"] = "'root'@'localhost'"
json.dump(d, open("d-quoted.json", "w"))
PY
run push --url "$BASE/df2?definer=keep" --schema d-quoted.json --dry-run
expect_out "database is up to date" "definer keep: a quoted account is the same account"
python3 - d-keep.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["views"][0]["options"]["definer"] = "root@@"
json.dump(d, open("d-badacct.json", "w"))
PY
before=$(dump df2)
push_refused 4 "a view definer that is not an account" \
    "option definer: 'root@@' is not an account" "the bad definer is named" \
    --url "$BASE/df2?definer=keep" --schema d-badacct.json
check "a bad view definer changes nothing" test "$before" = "$(dump df2)"
run pull --url "$BASE/df?definer=owner" --output bad.json
expect_rc 3 "an unknown definer mode"
one_error_line "an unknown definer mode"
expect_err "unknown definer 'owner'" "an unknown definer mode is named"

# ---- an account that may not read mysql.proc: information_schema -----------------
newdb lim
q mysql "CREATE USER IF NOT EXISTS 'lim'@'$HOST' IDENTIFIED BY 'pw';
  GRANT ALL ON lim.* TO 'lim'@'$HOST'"
"$MYSQLC" --no-defaults -h "$HOST" -P "$PORT" -u lim -ppw lim \
    -e "CREATE FUNCTION mine(a int, b varchar(5) charset latin1) RETURNS int DETERMINISTIC RETURN a"
run pull --url "mysql://lim:pw@$HOST:$PORT/lim" --output lim.json
expect_ok "pull by an account that may not read mysql.proc"
check "its routines are rebuilt from information_schema" grep -q \
    'CREATE FUNCTION `mine`(`a` int(11), `b` varchar(5) CHARSET latin1 COLLATE latin1_swedish_ci) RETURNS int(11)' lim.json
run push --url "mysql://lim:pw@$HOST:$PORT/lim" --schema lim.json --dry-run
expect_out "database is up to date" "the information_schema form converges"
q lim "CREATE FUNCTION theirs() RETURNS int RETURN 1"
run pull --url "mysql://lim:pw@$HOST:$PORT/lim" --output lim2.json
expect_rc 6 "a routine whose body the account cannot see"
one_error_line "a routine whose body the account cannot see"
expect_err 'function `theirs` is hidden from this account' "the hidden routine is named"

# ---- bad input: nothing applied -----------------------------------------------------
newdb bad
q bad "CREATE TABLE t (id int)"
before=$(dump bad)
cat >broken.json <<'EOF'
{"tables": [{"name": "t", "columns": [{"name": "id", "type": "int"}]}],
 "objects": [{"kind": "function", "name": "broken",
   "definition": "CREATE FUNCTION `broken`() RETURNS int\nBEGIN RETURN 1 END"}]}
EOF
push_refused 6 "a body that does not compile" \
    'function `broken`: ERROR 1064 (42000)' "the error names the routine, the server's number and SQLSTATE" \
    --url "$BASE/bad" --schema broken.json
check "a body that does not compile changes nothing" test "$before" = "$(dump bad)"

cat >past.json <<'EOF'
{"tables": [{"name": "t", "columns": [{"name": "id", "type": "int"}]}],
 "objects": [{"kind": "event", "name": "old",
   "definition": "CREATE EVENT `old` ON SCHEDULE AT '2001-01-01 00:00:00' DO DELETE FROM t"}]}
EOF
push_refused 6 "an event in the past" \
    'event `old`: ERROR 1588 (HY000)' "the event in the past is named with the server's note" \
    --url "$BASE/bad" --schema past.json
check "an event in the past leaves nothing" test "$before" = "$(dump bad)"
sed -e 's/ DO / ON COMPLETION PRESERVE DO /' past.json >past-kept.json
push_refused 6 "an event in the past, preserved" \
    'event `old`: ERROR 1544 (HY000)' "the preserved event in the past is named with the server's note" \
    --url "$BASE/bad" --schema past-kept.json
check "an event in the past, preserved, leaves nothing" test "$before" = "$(dump bad)"

cat >gen.json <<'EOF'
{"tables": [{"name": "t", "columns": [{"name": "id", "type": "int"}]},
  {"name": "g", "columns": [{"name": "a", "type": "int"},
   {"name": "b", "type": "int", "generated": {"expr": "twice(a)", "stored": true}}]}],
 "objects": [{"kind": "function", "name": "twice",
   "definition": "CREATE FUNCTION `twice`(x int) RETURNS int\n    DETERMINISTIC\nRETURN x * 2"}]}
EOF
# the function is made first (MySQL DDL is not transactional): push says so
run push --url "$BASE/bad" --schema gen.json
expect_rc 10 "a generated column that calls a stored function (MariaDB refuses it)"
one_error_line "a generated column that calls a stored function"
expect_err "statement 1 of 2 ran and is not undone" "push says what ran"
expect_err "ERROR 1901 (HY000)" "the generated column's refusal is the server's"
expect_q bad "SELECT GROUP_CONCAT(ROUTINE_NAME) FROM information_schema.ROUTINES
  WHERE ROUTINE_SCHEMA='bad'" "twice" "what ran is there, and only that"
expect_q bad "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='bad' AND TABLE_NAME='g'" \
    "0" "the table that failed is not"

finish
