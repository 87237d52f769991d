#!/usr/bin/env python3
"""Benchmark of `cairn diagram` (no server needed).

For N = 10, 100, 300, 1000 tables, prints the time of `cairn diagram` as
dot, svg and html, and the size of the svg and html files. The schema is
bench_generate.py's (N tables of five columns) with a more realistic web of
foreign keys than its chain: each table references one to three earlier
tables, a few "hub" tables (the first ten) more often than the rest, from a
fixed seed, so every run draws the same graph.

usage: bench_diagram.py [--cairn build/stage/bin/cairn] [--sizes 10,100,300,1000]
                        [--runs 3] [--columns auto|all|keys|none]"""
import argparse
import json
import os
import random
import statistics
import tempfile
import time

import bench_generate


def schema(n, seed=13):
    rnd = random.Random(seed)
    doc = bench_generate.schema(n)
    for i, t in enumerate(doc["tables"]):
        t.pop("foreign_keys", None)
        t["columns"] = [c for c in t["columns"] if c["name"] != "parent_id"]
        if i == 0:
            continue
        refs = sorted({rnd.randrange(min(i, 10)) if rnd.random() < 0.5 else rnd.randrange(i)
                       for _ in range(rnd.randint(1, 3))})
        fks = []
        for r in refs:
            col = "t%05d_id" % r
            t["columns"].append({"name": col, "type": "integer"})
            fks.append({"columns": [col],
                        "references": {"table": "t%05d" % r, "columns": ["id"]}})
        t["foreign_keys"] = fks
    return doc


def run(cmd, cwd):
    return bench_generate.timed(cmd, cwd)[0]


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--cairn", default=os.path.join(root, "build", "stage", "bin", "cairn"))
    ap.add_argument("--sizes", default="10,100,300,1000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--columns", default="auto")
    ap.add_argument("--keep", help="write the schemas here (to try engines by hand)")
    a = ap.parse_args()
    cairn = os.path.abspath(a.cairn)
    print("%6s  %8s  %8s  %8s  %10s  %10s" % ("tables", "dot s", "svg s", "html s", "svg bytes",
                                             "html bytes"))
    for n in [int(x) for x in a.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "schema.json"), "w") as f:
                json.dump(schema(n), f)
            if a.keep:
                os.makedirs(a.keep, exist_ok=True)
                with open(os.path.join(a.keep, "schema%d.json" % n), "w") as f:
                    json.dump(schema(n), f)
            base = [cairn, "--dialect", "sqlite", "--schema", "schema.json", "diagram"]
            if a.columns != "auto":
                base += ["--columns", a.columns]
            row = []
            for fmt in ("dot", "svg", "html"):
                out = "out." + fmt
                row.append(statistics.median(
                    run(base + ["--format", fmt, "--output", out], d) for _ in range(a.runs)))
            sizes = [os.path.getsize(os.path.join(d, "out." + x)) for x in ("svg", "html")]
            print("%6d  %8.2f  %8.2f  %8.2f  %10d  %10d" % (n, row[0], row[1], row[2], sizes[0],
                                                          sizes[1]), flush=True)


if __name__ == "__main__":
    main()
