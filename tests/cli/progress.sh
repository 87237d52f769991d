#!/usr/bin/env bash
# Progress lines for long work, on standard error: a pull reading many
# tables and an SQLite table rebuilt by push. Shown with --progress or
# --verbose (or on a terminal), as JSON lines with --json; never on stdout.
# "progress_interval": 0 in cairn.json says every step, so the test does
# not depend on the machine's speed. A bad interval is one error line.
. "$(dirname "$0")/lib.sh"

P="$WORK/progress"
mkdir -p "$P"
cd "$P" || exit 1
sql app.db "CREATE TABLE a (id integer PRIMARY KEY); CREATE TABLE b (id integer PRIMARY KEY);
  CREATE TABLE c (id integer PRIMARY KEY, n integer); INSERT INTO c VALUES (1, 1), (2, 2);"
printf '{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json", "progress_interval": 0 }\n' >cairn.json

# ---- pull --------------------------------------------------------------------------------
run pull --progress
expect_ok "pull --progress"
expect_err "[1/3] reading tables: a (" "the first table read"
expect_err "[3/3] reading tables: c (" "the last table read"
check "no progress line on stdout" bash -c "! grep -q 'reading tables' '$WORK/.out'"
printf '%s\n' "$OUT" >schema.json
run pull
expect_ok "pull without --progress"
check "no progress line when stderr is not a terminal" bash -c "! grep -q 'reading tables' '$WORK/.err'"
run pull --verbose
expect_err "[3/3] reading tables" "--verbose shows progress"
run --json pull --progress
expect_ok "pull --json --progress"
check "stdout is one JSON document" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/.out"
last=$(grep '^{"progress"' "$WORK/.err" | tail -n 1)
check "progress as JSON lines on stderr" test "$(python3 -c 'import json,sys; p = json.loads(sys.argv[1])["progress"]; print(p["what"], p["done"], p["total"], isinstance(p["elapsed_ms"], int))' "$last")" = "reading tables 3 3 True"

# ---- a rebuild ---------------------------------------------------------------------------
python3 - <<'PY'
import json
d = json.load(open("schema.json"))
for t in d["tables"]:
    if t["name"] == "c":
        for col in t["columns"]:
            if col["name"] == "n":
                col.update(not_null=True, default="0")
json.dump(d, open("schema.json", "w"))
PY
run push --progress
expect_ok "push that rebuilds c"
expect_err "copying rows to rebuild a table: c, done (" "the rebuild's copy says it is done"
expect_sql app.db "SELECT count(*) FROM c" 2 "the rows are kept"

# ---- bad input changes nothing -------------------------------------------------------------
before=$(state app.db schema.json)
printf '{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json", "progress_interval": "soon" }\n' >cairn.json
run pull --progress
expect_rc 3 "a progress_interval that is no number"
one_error_line "the bad interval is one error line"
expect_err '"progress_interval" must be a whole number of milliseconds' "the error names the setting"
run --progress=yes status
expect_rc 2 "--progress takes no value"
one_error_line "--progress=yes is one error line"
check "nothing changed" test "$(state app.db schema.json)" = "$before"
finish
