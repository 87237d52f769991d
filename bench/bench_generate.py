#!/usr/bin/env python3
"""Benchmarks of the core on SQLite (no server needed).

Prints, for N = 100, 1000, 5000 tables:
  - `cairn generate` from nothing (schema.json of N tables, empty folder),
  - `cairn generate` after a one-column change (N tables already snapshotted),
and start-up time (`cairn --version`, `cairn dialects`) against the lower
bound of starting a process that does nothing (/bin/true).
Each figure is the median of several runs; peak RSS from wait4().

usage: bench_generate.py [--cairn build/stage/bin/cairn] [--sizes 100,1000,5000] [--runs 5]"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def timed(cmd, cwd=None):
    """Wall time of one run, and its peak RSS in KiB. The RSS comes from
    GNU time (a small parent), not from wait4() here: a child forked from
    Python counts Python's own pages until it execs."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr.decode()))
    return dt, 0


def peak_rss(cmd, cwd=None):
    if not os.path.exists("/usr/bin/time"):
        return 0
    with tempfile.NamedTemporaryFile("r") as f:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name] + cmd, cwd=cwd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return int(f.read().strip().splitlines()[-1])


def schema(n, extra=False):
    tables = []
    for i in range(n):
        cols = [
            {"name": "id", "type": "integer", "not_null": True},
            {"name": "name", "type": "text", "not_null": True},
            {"name": "created_at", "type": "text", "default": "CURRENT_TIMESTAMP"},
            {"name": "score", "type": "real", "default": "0"},
        ]
        if i > 0:
            cols.append({"name": "parent_id", "type": "integer"})
        if extra and i == n // 2:
            cols.append({"name": "added", "type": "text"})
        t = {"name": "t%05d" % i, "columns": cols, "primary_key": {"columns": ["id"]},
             "indexes": [{"name": "t%05d_name" % i, "columns": ["name"]}]}
        if i > 0:
            t["foreign_keys"] = [{"columns": ["parent_id"],
                                  "references": {"table": "t%05d" % (i - 1), "columns": ["id"]},
                                  "on_delete": "cascade"}]
        tables.append(t)
    return {"dialect": "sqlite", "tables": tables}


def median_run(cmd, runs, cwd=None, before=None):
    times, rss = [], []
    for _ in range(runs):
        if before:
            before()
        dt, r = timed(cmd, cwd)
        times.append(dt)
        rss.append(r)
    return statistics.median(times), max(rss)


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--cairn", default=os.path.join(root, "build", "stage", "bin", "cairn"))
    ap.add_argument("--sizes", default="100,1000,5000")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    cairn = os.path.abspath(args.cairn)

    t_true, _ = median_run(["/bin/true"], 50)
    t_ver, _ = median_run([cairn, "--version"], 50)
    rss_ver = peak_rss([cairn, "--version"])
    print("start-up: cairn --version %.2f ms (lower bound /bin/true %.2f ms, ratio %.1fx), peak RSS %d KiB"
          % (t_ver * 1e3, t_true * 1e3, t_ver / t_true, rss_ver))
    work = tempfile.mkdtemp(prefix="cairn-bench-")
    try:
        with open(os.path.join(work, "cairn.json"), "w") as f:
            json.dump({"dialect": "sqlite", "schema": "schema.json", "out": "migrations"}, f)
        t_dia, _ = median_run([cairn, "dialects"], 20, cwd=work)
        print("start-up: cairn dialects %.2f ms (loads every driver)" % (t_dia * 1e3))
        print("%6s  %22s  %22s  %s" % ("tables", "generate from nothing", "one-column change", "peak RSS"))
        for n in [int(x) for x in args.sizes.split(",")]:
            mig = os.path.join(work, "migrations")
            sch = os.path.join(work, "schema.json")
            with open(sch, "w") as f:
                json.dump(schema(n), f)

            def clean():
                shutil.rmtree(mig, ignore_errors=True)
            t_full, _ = median_run([cairn, "generate", "--name", "init"], args.runs, work, clean)
            clean()
            rss_full = peak_rss([cairn, "generate", "--name", "init"], work)
            # baseline snapshot of N tables, then change one column
            clean()
            timed([cairn, "generate", "--name", "init"], work)
            with open(sch, "w") as f:
                json.dump(schema(n, extra=True), f)
            first = set(os.listdir(mig))

            def drop_new():
                for d in set(os.listdir(mig)) - first:
                    shutil.rmtree(os.path.join(mig, d))
            t_one, _ = median_run([cairn, "generate", "--name", "add_column"], args.runs, work, drop_new)
            drop_new()
            rss_one = peak_rss([cairn, "generate", "--name", "add_column"], work)
            print("%6d  %19.1f ms  %19.1f ms  %d KiB" % (n, t_full * 1e3, t_one * 1e3, max(rss_full, rss_one)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
