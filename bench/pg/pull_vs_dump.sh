#!/bin/sh
# `cairn pull` against `pg_dump --schema-only` of the same database, on a
# throwaway PostgreSQL (issue 9: pull stays within pg_dump's wall time with
# functions, policies and partitions in the database):
#   bench/pg/pull_vs_dump.sh BUILD_DIR [N]       (default N: 1000)
# BUILD_DIR is a built cairn tree (Release or RelWithDebInfo for figures).
# Environment:
#   BENCH_RUNS=5               runs of each side, interleaved; medians and minima printed
#   BENCH_SERVER_TMP=/dev/shm  where the server's data directory goes
#
# The database: N tables (a serial primary key, a unique, a check, a foreign key
# to the previous table, an index and a column comment each), and for every
# tenth table a plpgsql function, a trigger calling it, row-level security with
# a policy, and a range-partitioned table with two partitions and an index.
# Both sides run in a fresh process and write their output to a file; the
# lower bound is pg_dump, the tool a team would otherwise use to read the schema.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: pull_vs_dump.sh BUILD_DIR [N]}" && pwd)
n=${2:-1000}
cairn="$build/stage/bin/cairn"
[ -x "$cairn" ] || { echo "pull_vs_dump.sh: $cairn not found: build the tree first" >&2; exit 2; }
runs=${BENCH_RUNS:-5}
bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PSQL=$bindir/psql
PG_DUMP=$bindir/pg_dump
[ -x "$PSQL" ] || PSQL=psql
[ -x "$PG_DUMP" ] || PG_DUMP=pg_dump

# shellcheck source=server.sh
. "$src/bench/pg/server.sh"
echo "machine: $(nproc) CPUs, load $(uptime | sed 's/.*load average: //'), N=$n, runs=$runs"
echo "server: $("$PSQL" -X -A -t -d "$CAIRN_PG_URL" -c 'SHOW server_version')"

"$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$CAIRN_PG_URL" <<SQL
DO \$\$
BEGIN
  FOR i IN 1..$n LOOP
    EXECUTE format('CREATE TABLE t%s (id serial PRIMARY KEY, name varchar(100) NOT NULL UNIQUE,
        score integer NOT NULL DEFAULT 0 CHECK (score >= 0), created_at timestamptz NOT NULL DEFAULT now(),
        parent_id integer %s, note text)', i,
        CASE WHEN i > 1 THEN format('REFERENCES t%s (id)', i - 1) ELSE '' END);
    EXECUTE format('CREATE INDEX t%s_score ON t%s (score, created_at)', i, i);
    EXECUTE format('COMMENT ON COLUMN t%s.note IS %L', i, 'free text of table ' || i);
    IF i % 10 = 0 THEN
      EXECUTE format('CREATE FUNCTION t%s_touch() RETURNS trigger LANGUAGE plpgsql AS %L', i,
          'BEGIN NEW.score := NEW.score + 1; RETURN NEW; END');
      EXECUTE format('CREATE TRIGGER t%s_touch BEFORE UPDATE ON t%s FOR EACH ROW EXECUTE FUNCTION t%s_touch()', i, i, i);
      EXECUTE format('ALTER TABLE t%s ENABLE ROW LEVEL SECURITY', i);
      EXECUTE format('CREATE POLICY t%s_own ON t%s FOR SELECT USING (score > 0)', i, i);
      EXECUTE format('CREATE TABLE p%s (id integer NOT NULL, at date NOT NULL, v text) PARTITION BY RANGE (at)', i);
      EXECUTE format('CREATE TABLE p%s_2025 PARTITION OF p%s FOR VALUES FROM (%L) TO (%L)', i, i, '2025-01-01', '2026-01-01');
      EXECUTE format('CREATE TABLE p%s_2026 PARTITION OF p%s FOR VALUES FROM (%L) TO (%L)', i, i, '2026-01-01', '2027-01-01');
      EXECUTE format('CREATE INDEX p%s_at ON p%s (at)', i, i);
    END IF;
  END LOOP;
END
\$\$;
ANALYZE;
SQL

now() { date +%s.%N; }
pull_one() {
    rm -f "$work/pull.json"
    t0=$(now)
    /usr/bin/time -f "%U %S" -o "$work/pull.cpu" \
        "$cairn" --url "$CAIRN_PG_URL" pull --output "$work/pull.json" >/dev/null 2>"$work/pull.err"
    t1=$(now)
    echo "$t1 - $t0" | bc
    awk '{ print $1 + $2 }' "$work/pull.cpu" >>"$work/pull.c"
}
dump_one() {
    rm -f "$work/dump.sql"
    t0=$(now)
    /usr/bin/time -f "%U %S" -o "$work/dump.cpu" \
        "$PG_DUMP" --schema-only -f "$work/dump.sql" "$CAIRN_PG_URL"
    t1=$(now)
    echo "$t1 - $t0" | bc
    awk '{ print $1 + $2 }' "$work/dump.cpu" >>"$work/dump.c"
}
: >"$work/pull.t"
: >"$work/dump.t"
pull_one >/dev/null # warm the server's caches for both sides
dump_one >/dev/null
: >"$work/pull.c"
: >"$work/dump.c"
i=0
while [ "$i" -lt "$runs" ]; do
    pull_one >>"$work/pull.t"
    dump_one >>"$work/dump.t"
    i=$((i + 1))
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
minimum() { sort -n "$1" | head -n 1; }
mp=$(median "$work/pull.t")
md=$(median "$work/dump.t")
echo "cairn pull:            median $(printf '%.3f' "$mp") s, min $(printf '%.3f' "$(minimum "$work/pull.t")") s"
echo "pg_dump --schema-only: median $(printf '%.3f' "$md") s, min $(printf '%.3f' "$(minimum "$work/dump.t")") s"
echo "ratio cairn/pg_dump (medians): $(echo "scale=3; $mp / $md" | bc)"
echo "client CPU (user+sys), medians: cairn $(median "$work/pull.c") s, pg_dump $(median "$work/dump.c") s"
python3 - "$work/pull.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
kinds = {}
for o in d.get("objects", []):
    kinds[o.get("kind")] = kinds.get(o.get("kind"), 0) + 1
parts = sum(1 for t in d["tables"] if (t.get("options") or {}).get("partition_of"))
print("pulled: %d tables (%d partitions), %d triggers; objects: %s"
      % (len(d["tables"]), parts, sum(len(t.get("triggers", [])) for t in d["tables"]),
         ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))
PY
if [ -s "$work/pull.err" ]; then
    echo "cairn pull said:"
    sed 's/^/  /' "$work/pull.err"
fi
