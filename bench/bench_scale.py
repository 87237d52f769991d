#!/usr/bin/env python3
"""The core at scale (issue 16): schemas of 1,000 / 10,000 / 50,000 tables of
the bench/gen_schema.py shape (9 columns, a unique constraint, a two-column
index and a foreign key each; 1.8 MB of JSON per 1,000 tables), no server.

For each size N and each binary given it measures:
  read      `cairn generate` with nothing changed: reads the schema file
            and the snapshot (two N-table documents), diffs, writes nothing
  init      `cairn generate` from nothing (writes migration.sql, down.sql
            and the N-table snapshot)
  one       `cairn generate` of a one-column change on top of the N-table
            snapshot
  check     `cairn check` of that folder (two migrations)
  export    `cairn export` (the SQL that creates the schema)
  diagram   `cairn diagram --format dot` (the diagram as text; a layout is
            Graphviz's work, measured by bench/bench_diagram.py)
and once, at any N: `status` of a folder of 1,000 migrations against an
SQLite database where none is applied. Prints for each: the median wall
time of --runs runs, the median CPU time (user + system, from wait4), the
peak RSS (from GNU time when present), and the growth from the previous
size (10x the size should cost about 10x, never more). With two binaries
(--cairn OLD --cairn NEW) it prints both and the speed-up.

usage: bench_scale.py --cairn build-rel/stage/bin/cairn [--cairn OTHER]
                      [--sizes 1000,10000,50000] [--runs 3] [--timeout 600]
                      [--dialect postgresql] [--no-status]"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_generate import peak_rss  # noqa: E402  (GNU time's figure)
GEN = os.path.join(HERE, "gen_schema.py")


class Timeout(Exception):
    pass


def run_once(cmd, cwd, timeout):
    """Wall seconds and CPU seconds (user + system, from wait4) of one run."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode == -signal.SIGKILL:
            raise Timeout()
        if p.returncode != 0:
            err.seek(0)
            raise SystemExit("%s failed (%d): %s" % (" ".join(cmd), p.returncode,
                                                     err.read().decode()[-2000:]))
    return dt, ru.ru_utime + ru.ru_stime


def measure(cmd, cwd, runs, timeout, before=None):
    """(median wall s, median CPU s, peak RSS KiB) or None on timeout."""
    walls, cpus = [], []
    for _ in range(runs):
        if before:
            before()
        try:
            wall, cpu = run_once(cmd, cwd, timeout)
        except Timeout:
            return None
        walls.append(wall)
        cpus.append(cpu)
    if before:
        before()
    rss = peak_rss(cmd, cwd)
    return statistics.median(walls), statistics.median(cpus), rss


def gen(n, path, dialect, change=False):
    args = [sys.executable, GEN, str(n), "json", "--dialect", dialect, "-o", path]
    if change:
        args.append("--change")
    subprocess.run(args, check=True)


def write_config(d, dialect, url=None):
    cfg = {"dialect": dialect, "schema": "schema.json", "out": "migrations"}
    if url:
        cfg["url"] = url
    with open(os.path.join(d, "cairn.json"), "w") as f:
        json.dump(cfg, f)


def bench_size(cairn, n, work, args):
    """Figures of one binary at one size: {op: (wall, cpu, rss) or None}."""
    d = tempfile.mkdtemp(dir=work)
    write_config(d, args.dialect)
    shutil.copy(os.path.join(work, "s%d.json" % n), os.path.join(d, "schema.json"))
    mig = os.path.join(d, "migrations")
    out = {}

    def clean():
        shutil.rmtree(mig, ignore_errors=True)
    out["init"] = measure([cairn, "generate", "--name", "init"], d, args.runs, args.timeout, clean)
    out["export"] = measure([cairn, "export"], d, args.runs, args.timeout)
    out["diagram"] = measure([cairn, "diagram", "--format", "dot"], d, args.runs, args.timeout)
    if out["init"] is None:
        shutil.rmtree(d)
        return out
    clean()
    subprocess.run([cairn, "generate", "--name", "init"], cwd=d, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = set(os.listdir(mig))
    # the schema file equal to the snapshot: generate reads both, writes nothing
    out["read"] = measure([cairn, "generate", "--name", "nothing"], d, args.runs, args.timeout)
    shutil.copy(os.path.join(work, "s%dc.json" % n), os.path.join(d, "schema.json"))

    def drop_new():
        for x in set(os.listdir(mig)) - first:
            shutil.rmtree(os.path.join(mig, x))
    out["one"] = measure([cairn, "generate", "--name", "add_column"], d, args.runs, args.timeout,
                         drop_new)
    subprocess.run([cairn, "generate", "--name", "add_column"], cwd=d, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out["check"] = measure([cairn, "check"], d, args.runs, args.timeout)
    shutil.rmtree(d)
    return out


def status_folder(cairn, work, count):
    """A folder of `count` migrations (each adds a small table) and an empty
    SQLite database; built with `cairn` once and reused."""
    d = os.path.join(work, "status")
    if os.path.isdir(d):
        return d
    os.makedirs(d)
    write_config(d, "sqlite", "sqlite:" + os.path.join(d, "db.sqlite"))
    tables = []
    for i in range(count):
        tables.append({"name": "m%04d" % i, "columns": [
            {"name": "id", "type": "integer", "not_null": True},
            {"name": "v", "type": "text"}], "primary_key": {"columns": ["id"]}})
        with open(os.path.join(d, "schema.json"), "w") as f:
            json.dump({"dialect": "sqlite", "tables": tables}, f)
        subprocess.run([cairn, "generate", "--name", "m%04d" % i], cwd=d, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return d


OPS = [("read", "generate, nothing changed (reads both documents)"),
       ("init", "generate from nothing"),
       ("one", "generate of a one-column change"),
       ("check", "check"),
       ("export", "export"),
       ("diagram", "diagram --format dot")]


def fmt(f):
    if f is None:
        return "timeout"
    return "%9.1f ms %9.1f ms %8.1f MiB" % (f[0] * 1e3, f[1] * 1e3, f[2] / 1024.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cairn", action="append", required=True)
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--dialect", default="postgresql", choices=["postgresql", "mysql", "sqlite"])
    ap.add_argument("--no-status", action="store_true")
    ap.add_argument("--status-migrations", type=int, default=1000)
    args = ap.parse_args()
    bins = [os.path.abspath(b) for b in args.cairn]
    sizes = [int(x) for x in args.sizes.split(",")]
    print("machine: %d CPUs, load average %s" % (os.cpu_count(),
          " ".join("%.2f" % x for x in os.getloadavg())))
    work = tempfile.mkdtemp(prefix="cairn-scale-")
    try:
        for n in sizes:
            gen(n, os.path.join(work, "s%d.json" % n), args.dialect)
            gen(n, os.path.join(work, "s%dc.json" % n), args.dialect, change=True)
        startup = {b: measure([b, "--version"], work, 50, 10) for b in bins}
        for b in bins:
            print("start-up %s: cairn --version %.2f ms wall, %.2f ms CPU" %
                  (b, startup[b][0] * 1e3, startup[b][1] * 1e3))
        print("%-8s %-7s %-44s %12s %12s %12s  %s" % ("tables", "op", "binary", "wall",
              "CPU", "peak RSS", "growth (wall, CPU, RSS)"))
        prev = {}
        for n in sizes:
            figs = {b: bench_size(b, n, work, args) for b in bins}
            cols = 9 * n
            for op, _ in OPS:
                for b in bins:
                    f = figs[b].get(op)
                    p = prev.get((b, op))
                    growth = ""
                    if f and p:
                        growth = "x%.1f x%.1f x%.1f" % (f[0] / p[0], f[1] / max(p[1], 1e-9),
                                                        f[2] / max(p[2], 1))
                    extra = ""
                    if f and op == "one":
                        extra = "  %.2f KiB/column" % (f[2] / cols)
                    if len(bins) == 2 and b == bins[1] and f and figs[bins[0]].get(op):
                        o = figs[bins[0]][op]
                        extra += "  speed-up x%.1f wall, x%.1f CPU" % (o[0] / f[0], o[1] / max(f[1], 1e-9))
                    print("%-8d %-7s %-44s %s  %s%s" % (n, op, b[-44:], fmt(f), growth, extra))
                    prev[(b, op)] = f
            sys.stdout.flush()
        if not args.no_status:
            d = status_folder(bins[-1], work, args.status_migrations)
            for b in bins:
                f = measure([b, "status"], d, max(args.runs, 5), args.timeout)
                print("status of %d migrations, none applied, %s: %s" % (args.status_migrations, b, fmt(f)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
