#!/usr/bin/env bash
# Fleets: one migrations folder, many databases (`--targets`).
# 200 SQLite files plus one unreachable, one whose second migration fails,
# one already up to date and one drifted: `migrate --targets --parallel`
# applies each migration exactly once per target (the history tables say
# so), the summary and --json match the history tables, the exit status is
# 14 while any target failed; a canary that fails starts nothing else; by
# default a failure starts no new target, --continue-on-error goes on; a
# run killed with SIGKILL half-way is finished by running it again; status
# and drift report per target; targets come from a file, from cairn.json or
# from a control database's query; a password in a target's url is never
# printed; every bad input is one error line, its exit status, nothing
# changed.
. "$(dirname "$0")/lib.sh"

P="$WORK/fleet"
mkdir -p "$P/dbs"
cd "$P" || exit 1

cat > cairn.json <<'EOF'
{"dialect": "sqlite", "schema": "schema.json", "out": "migrations"}
EOF
schema() { # schema STEP: users; + posts; + users.email
    local posts='' email=''
    [ "$1" -ge 2 ] && posts=',{"name":"posts","columns":[{"name":"id","type":"integer","primary_key":true},{"name":"title","type":"text"}]}'
    [ "$1" -ge 3 ] && email=',{"name":"email","type":"text"}'
    printf '{"tables":[{"name":"users","columns":[{"name":"id","type":"integer","primary_key":true},{"name":"name","type":"text"}%s]}%s]}\n' "$email" "$posts" > schema.json
}
for step in 1 2 3; do
    schema $step
    run generate --name "step$step"
    expect_ok "generate step $step"
done
M3=$(ls migrations | sort | tail -1)

# targets.json: N targets tNNN, every 10th tagged "canary", all "eu"
targets() { # targets FILE N [extra JSON objects...]
    local file=$1 n=$2; shift 2
    {
        echo '{"targets": ['
        for i in $(seq 0 $((n - 1))); do
            local t; t=$(printf 't%03d' "$i")
            local tags='"eu"'
            [ $((i % 10)) -eq 0 ] && tags='"eu", "canary"'
            printf '  {"name": "%s", "url": "sqlite:%s/dbs/%s.db", "tags": [%s]},\n' "$t" "$P" "$t" "$tags"
        done
        for x in "$@"; do printf '  %s,\n' "$x"; done
        echo '  {"name": "last", "url": "sqlite:'"$P"'/dbs/last.db"}'
        echo ']}'
    } > "$file"
}

# one already up to date, one whose step 2 fails (a table in the way), one
# that drifts after the run
run migrate --url "sqlite:$P/dbs/uptodate.db"
expect_ok "pre-migrate the up-to-date target"
sql "$P/dbs/broken.db" "CREATE TABLE posts (x int); INSERT INTO posts VALUES (1);"
targets targets.json 200 \
    '{"name": "uptodate", "url": "sqlite:'"$P"'/dbs/uptodate.db"}' \
    '{"name": "broken", "url": "sqlite:'"$P"'/dbs/broken.db"}' \
    '{"name": "drifted", "url": "sqlite:'"$P"'/dbs/drifted.db"}' \
    '{"name": "gone", "url": "sqlite:/nonexistent/dir/gone.db", "tags": ["eu"]}' \
    '{"name": "secret", "url": "postgresql://app:s3cr3tpw@127.0.0.1:1/x"}'

run --json migrate --targets targets.json --parallel 4 --continue-on-error
expect_rc 14 "a fleet with failing targets exits 14"
check "the summary is JSON with every target" \
    test "$(jget 'len(d["targets"])')" = 206
check "202 targets migrated" test "$(jget 'sum(t["state"] == "migrated" for t in d["targets"])')" = 202
check "the up-to-date target" test "$(jget '[t["state"] for t in d["targets"] if t["name"] == "uptodate"][0]')" = up-to-date
check "the broken target failed" test "$(jget '[t["state"] for t in d["targets"] if t["name"] == "broken"][0]')" = failed
check "the missing file is unreachable" test "$(jget '[t["state"] for t in d["targets"] if t["name"] == "gone"][0]')" = unreachable
check "the error names the failing statement" contains "$(jget '[t["error"] for t in d["targets"] if t["name"] == "broken"][0]')" "posts"
check "no password in the output" test "$(printf '%s%s' "$OUT" "$ERR" | grep -c s3cr3tpw)" = 0
check "the url is redacted" contains "$OUT" 'postgresql://app:***@127.0.0.1:1/x'

# Each migration exactly once per target, and --json's "to" is the history's newest.
# histories DIR GLOB: "count,distinct,newest" of each database's history, one line each
histories() {
    python3 - "$1" "$2" <<'PY'
import glob, sqlite3, sys
for f in sorted(glob.glob(sys.argv[1] + "/" + sys.argv[2])):
    try:
        c = sqlite3.connect(f)
        print(",".join(str(v) for v in c.execute(
            "SELECT count(*), count(DISTINCT name), max(name) FROM __cairn_migrations").fetchone()))
    except sqlite3.Error as e:
        print("error: %s: %s" % (f, e))
PY
}
check "every target applied each migration once" \
    test "$(histories "$P/dbs" 't[0-9]*.db' | sort | uniq -c | sed 's/^ *//')" = "200 3,3,$M3"
check "json 'to' matches the history" test "$(jget '[t["to"] for t in d["targets"] if t["name"] == "t123"][0]')" = "$M3"
expect_sql "$P/dbs/broken.db" "SELECT count(*) FROM __cairn_migrations" 1 "broken: step 1 stays applied"
expect_sql "$P/dbs/broken.db" "SELECT count(*) FROM posts" 1 "broken: its rows are kept"

# Run again: everything but the three that cannot be reached or fixed is up to date.
run migrate --targets targets.json --parallel 2 --continue-on-error
expect_rc 14 "re-run still reports the broken targets"
check "re-run: 203 up to date" test "$(printf '%s\n' "$OUT" | grep -c '  up-to-date  ')" = 203
check "re-run applied nothing" test "$(sql "$P/dbs/t042.db" "SELECT count(*) FROM __cairn_migrations")" = 3

# status: the matrix; --check exits 12 while a target is behind
sql "$P/dbs/broken.db" "DROP TABLE posts"
run status --targets targets.json --tag canary
expect_ok "status of the canary targets"
check "status lists only the tagged targets" test "$(printf '%s\n' "$OUT" | grep -c '^t[0-9]')" = 20
run --json status --targets targets.json --parallel 3 --continue-on-error --check
expect_rc 14 "status --check with unreachable targets"
check "status: broken is behind by 2" test "$(jget '[t["pending"] for t in d["targets"] if t["name"] == "broken"][0]')" = 2
check "status --json: broken's two pending migrations" \
    test "$(jget '" ".join(u["state"] for t in d["targets"] if t["name"] == "broken" for u in t["unapplied"])')" = "pending pending"
check "status --json: t001 has nothing unapplied" \
    test "$(jget '[len(t["unapplied"]) for t in d["targets"] if t["name"] == "t001"][0]')" = 0
run status --targets targets.json --parallel 3 --continue-on-error
expect_rc 14 "status with unreachable targets"
# after the summary, the matrix: a column per migration not applied everywhere
matrix=$(printf '%s\n' "$OUT" | awk '/^$/ {m = 1} m' | tr -s ' ')
check "the matrix has a column for each of the two migrations broken lacks" \
    test "$(printf '%s\n' "$matrix" | grep '^target ' | wc -w)" = 3
contains "$matrix" "broken pending pending" && ok || bad "the matrix: broken is pending twice: $matrix"
contains "$matrix" "t001 applied applied" && ok || bad "the matrix: t001 has both: $matrix"
run status --targets targets.json --tag canary
check "no matrix when every target is level" test "$(printf '%s\n' "$OUT" | grep -c '^target ')" = 1

# drift: a hand change on one target
sql "$P/dbs/drifted.db" "CREATE TABLE hotfix (id int)"
cat > drift.json <<EOF
{"targets": [{"name": "t001", "url": "sqlite:$P/dbs/t001.db"},
             {"name": "drifted", "url": "sqlite:$P/dbs/drifted.db"}]}
EOF
run drift --targets drift.json
expect_rc 12 "drift across targets exits 12"
expect_out "drifted" "drift names the drifted target"

# Canary: the first K run first; one fails, nothing else starts.
mkdir -p "$P/c"
sql "$P/c/c1.db" "CREATE TABLE posts (x int)"
cat > canary.json <<EOF
{"targets": [{"name": "c0", "url": "sqlite:$P/c/c0.db"}, {"name": "c1", "url": "sqlite:$P/c/c1.db"},
             {"name": "c2", "url": "sqlite:$P/c/c2.db"}, {"name": "c3", "url": "sqlite:$P/c/c3.db"}]}
EOF
run migrate --targets canary.json --canary 2 --parallel 2 --continue-on-error
expect_rc 14 "a failing canary exits 14"
expect_err "canary" "the error says the canary failed"
check "no target after the canary started" test ! -e "$P/c/c2.db" -a ! -e "$P/c/c3.db"
# Without --continue-on-error a failure starts no new target (one at a time).
run migrate --targets canary.json
expect_rc 14 "stop after the first failure"
check "c2 was not started" test ! -e "$P/c/c2.db"
run --json migrate --targets canary.json --continue-on-error
check "--continue-on-error reaches every target" test "$(jget 'sum(t["state"] != "skipped" for t in d["targets"])')" = 4
expect_sql "$P/c/c3.db" "SELECT count(*) FROM __cairn_migrations" 3 "c3 migrated"

# A run killed with SIGKILL half-way, then run again: each migration once.
mkdir -p "$P/k"
{
    echo '{"targets": ['
    for i in $(seq 0 149); do printf '{"name": "k%d", "url": "sqlite:%s/k/k%d.db"},\n' "$i" "$P" "$i"; done
    echo '{"name": "k150", "url": "sqlite:'"$P"'/k/k150.db"}]}'
} > kill.json
"$CAIRN" migrate --targets kill.json --parallel 2 > "$WORK/kill.out" 2>&1 &
KPID=$!
BG_PIDS="$BG_PIDS $KPID"
migrated_k() { histories "$P/k" 'k*.db' | grep -c "^3,3,"; }
for _ in $(seq 1 400); do
    [ "$(find "$P/k" -name 'k*.db' | wc -l)" -ge 20 ] && break
    sleep 0.02
done
kill -9 "$KPID" 2>/dev/null
wait "$KPID" 2>/dev/null
done_before=$(migrated_k)
check "the killed run was half-way ($done_before of 151)" test "$done_before" -lt 151
run migrate --targets kill.json --parallel 2
expect_ok "the re-run finishes the fleet"
check "after SIGKILL and a re-run, each migration applied once per target" \
    test "$(histories "$P/k" 'k*.db' | sort | uniq -c | sed 's/^ *//')" = "151 3,3,$M3"

# Targets from a control database (another SQLite file).
sql "$P/control.db" "CREATE TABLE tenants (name text, url text, tags text);
    INSERT INTO tenants VALUES ('q1', 'sqlite:$P/dbs/q1.db', 'eu'), ('q2', 'sqlite:$P/dbs/q2.db', 'us');"
run migrate --targets-from-url "sqlite:$P/control.db" \
    --targets-query "SELECT name, url, tags FROM tenants ORDER BY name" --tag us
expect_ok "targets from a control database, by tag"
expect_sql "$P/dbs/q2.db" "SELECT count(*) FROM __cairn_migrations" 3 "q2 migrated"
check "q1 (other tag) untouched" test ! -e "$P/dbs/q1.db"

# Targets in cairn.json itself (--targets .)
python3 - "$P" <<'PY'
import json, sys
c = json.load(open("cairn.json"))
c["targets"] = [{"name": "j1", "url": "sqlite:" + sys.argv[1] + "/dbs/j1.db"}]
json.dump(c, open("cairn.json", "w"))
PY
run migrate --targets .
expect_ok "targets from cairn.json"
expect_sql "$P/dbs/j1.db" "SELECT count(*) FROM __cairn_migrations" 3 "j1 migrated"
run status --url "sqlite:$P/dbs/j1.db"
expect_ok "a cairn.json with targets still works for one database"

# migrate --to on a fleet: each target up to M2, the later migration left
# pending; a target already at M2 is up to date
M1=$(ls migrations | sort | sed -n 1p)
M2=$(ls migrations | sort | sed -n 2p)
printf '{"targets": [{"name": "n1", "url": "sqlite:%s/dbs/n1.db"}, {"name": "n2", "url": "sqlite:%s/dbs/n2.db"}]}\n' \
    "$P" "$P" > to.json
run migrate --url "sqlite:$P/dbs/n2.db" --to "$M1"
expect_ok "n2 at the first migration"
jrun migrate --targets to.json --to "$M2"
expect_ok "migrate --to on a fleet"
jis '" ".join("%s:%s:%s:%s" % (t["name"], t["state"], t["to"], t["pending"]) for t in d["targets"])' \
    "n1:migrated:$M2:1 n2:migrated:$M2:1" "each target stops at $M2, one migration left pending"
expect_sql "$P/dbs/n1.db" "SELECT group_concat(name, ' ') FROM __cairn_migrations" "$M1 $M2" \
    "n1's history ends at $M2"
jrun migrate --targets to.json --to "$M2"
expect_ok "migrate --to on a fleet, again"
jis '" ".join(t["state"] for t in d["targets"])' "up-to-date up-to-date" \
    "a target at $M2 is up to date for --to $M2"
run migrate --targets to.json --to "$M2" --check
expect_ok "migrate --to --check: nothing up to $M2 is pending"
jrun migrate --targets to.json --check
expect_rc 12 "migrate --check: the later migration is pending"
jis '" ".join(t["state"] for t in d["targets"])' "behind behind" \
    "migrate --check: a target with migrations to apply is behind, not failed"
run migrate --targets to.json --to "$M3" --check
expect_rc 12 "migrate --to --check with a migration pending up to it"
expect_err "2 targets behind: run 'cairn migrate --to $M3'" "--check names the command to run"

# Bad inputs: one line, the documented status, nothing changed.
# (the canary databases stand for all: every refusal comes before any target)
before=$(state "$P/c" "$P/migrations")
bad_input() { # bad_input RC "what" ARGS...
    local rc=$1 what=$2; shift 2
    run "$@"
    expect_rc "$rc" "$what"
    one_error_line "$what"
    check "$what: nothing changed" test "$(state "$P/c" "$P/migrations")" = "$before"
}
bad_input 3 "missing targets file" migrate --targets nope.json
echo '{"targets": [{"name": "a", "url": "sqlite:x.db"}, {"name": "a", "url": "sqlite:y.db"}]}' > dup.json
bad_input 3 "a target named twice" migrate --targets dup.json
echo '{"targets": [{"name": "a"}]}' > nourl.json
bad_input 3 "a target without url" migrate --targets nourl.json
echo '{"targets": [{"name": "a", "url": "sqlite:x.db", "region": "eu"}]}' > unknown.json
bad_input 3 "an unknown key" migrate --targets unknown.json
echo '{"targets": [{"name": "a", "url": "sqlite:${NOPE_NOT_SET}/x.db"}]}' > novar.json
bad_input 3 "an unset variable" migrate --targets novar.json
echo '{"targets": [' > broken.json
bad_input 3 "a targets file that is not JSON" migrate --targets broken.json
bad_input 2 "--to a migration the folder lacks" migrate --targets canary.json \
    --to 20200101000000_nosuch
bad_input 2 "--parallel 0" migrate --targets canary.json --parallel 0
bad_input 2 "--canary x" migrate --targets canary.json --canary x
bad_input 2 "a tag no target has" migrate --targets canary.json --tag nowhere
bad_input 2 "--targets-query without a url" migrate --targets-query "SELECT 1"
bad_input 2 "--targets on a command without fleets" generate --targets canary.json
bad_input 6 "a control database query that fails" migrate --targets-from-url "sqlite:$P/control.db" \
    --targets-query "SELECT name FROM nowhere"

finish
