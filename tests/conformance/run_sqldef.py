#!/usr/bin/env python3
"""Runs sqldef's test cases through cairn and prints how many pass.

For each case: build a database from `current`, `cairn push --force` it to
`desired` (a .sql schema), then check that cairn's introspection of the
migrated database equals that of a database built straight from `desired`,
and that a second push has nothing to do. Cases that test sqldef options
cairn does not have (enable_drop: false, config, ...) or expected errors
are counted as skipped, with the reason.

usage: run_sqldef.py --cairn BIN --dialect-path DIR --cases DIR --dialect sqlite
                     [--url-factory sqlite] [--floor N] [--verbose]
Exit 0 when at least --floor cases pass (the floor only ever goes up)."""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    print("conformance: python3-yaml is not installed; skipped")
    sys.exit(77)

# Options of sqldef that cairn has no equivalent for, with the value that
# cairn's behaviour matches (a case setting another value is skipped):
# cairn always keeps identifiers' quoting and case, and always drops.
OPTION_MATCH = {"enable_drop": True, "legacy_ignore_quotes": False}
UNSUPPORTED_KEYS = {"config", "user", "offline", "managed_roles", "error"}
RENAMED = re.compile(r"@renamed\s+from=(\"[^\"]+\"|`[^`]+`|\S+?)(?=\s|\*/|$)")
IDENT = r'("[^"]+"|`[^`]+`|\[[^\]]+\]|[A-Za-z_][A-Za-z0-9_$]*)'


def unquote(name):
    if len(name) > 1 and name[0] in "\"`[":
        return name[1:-1]
    return name


def rename_hints(sql):
    """sqldef's `-- @renamed from=X` comments as cairn --rename arguments:
    on a CREATE TABLE line a table rename, on a column line a column rename.
    (Index renames need no hint: cairn drops and creates the index.)"""
    hints, table = [], None
    for line in sql.splitlines():
        m = re.match(r"\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?" + IDENT, line, re.I)
        if m:
            table = unquote(m.group(1))
        r = RENAMED.search(line)
        if not r:
            continue
        old = unquote(r.group(1))
        if m:
            hints.append("%s=%s" % (old, table))
        elif table and not re.match(r"\s*CREATE\s", line, re.I):
            c = re.match(r"\s*" + IDENT, line)
            if c:
                hints.append("%s.%s=%s.%s" % (table, old, table, unquote(c.group(1))))
    return hints


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


class SqliteTarget:
    """A fresh SQLite file per database."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.n = 0

    def fresh(self, sql):
        import sqlite3
        self.n += 1
        path = os.path.join(self.workdir, "db%d.sqlite" % self.n)
        con = sqlite3.connect(path)
        try:
            if sql:
                con.executescript(sql)
            con.commit()
        finally:
            con.close()
        return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cairn", required=True)
    ap.add_argument("--dialect-path", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--dialect", default="sqlite")
    ap.add_argument("--floor", type=int, default=0)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    if not os.path.isdir(args.cases):
        print("conformance: %s is absent; skipped" % args.cases)
        return 77
    files = sorted(glob.glob(os.path.join(args.cases, "*.yml")))
    passed = failed = skipped = 0
    failures = []
    for f in files:
        with open(f) as fh:
            cases = yaml.safe_load(fh) or {}
        for name, case in cases.items():
            if not isinstance(case, dict):
                continue
            label = "%s:%s" % (os.path.basename(f), name)
            bad = sorted(k for k in case if k in UNSUPPORTED_KEYS and case[k] is not None)
            bad += sorted(k for k, v in OPTION_MATCH.items() if k in case and case[k] != v)
            if case.get("flavor") or case.get("min_version") or case.get("max_version"):
                bad.append("version/flavor")
            if bad:
                skipped += 1
                if args.verbose:
                    print("skip %s (%s)" % (label, ", ".join(bad)))
                continue
            ok, why = run_case(args, case)
            if ok:
                passed += 1
                if args.verbose:
                    print("ok   %s" % label)
            else:
                failed += 1
                failures.append((label, why))
                if args.verbose:
                    print("FAIL %s: %s" % (label, why))
    for label, why in failures:
        print("FAIL %s: %s" % (label, why.strip().splitlines()[0] if why.strip() else "?"))
    print("conformance %s: %d passed, %d failed, %d skipped (floor %d)"
          % (os.path.basename(args.cases.rstrip("/")), passed, failed, skipped, args.floor))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if passed >= args.floor else 1


def run_case(args, case):
    work = tempfile.mkdtemp(prefix="cairn-conf-")
    try:
        target = SqliteTarget(work)
        try:
            db = target.fresh(case.get("current") or "")
            want_db = target.fresh(case.get("desired") or "")
        except Exception as e:  # the case's SQL is not valid for this SQLite
            return False, "building databases: %s" % e
        desired = os.path.join(work, "desired.sql")
        with open(desired, "w") as fh:
            fh.write(case.get("desired") or "")
        base = [args.cairn, "--dialect", args.dialect, "--dialect-path", args.dialect_path,
                "--schema", desired]
        renames = []
        for h in rename_hints(case.get("desired") or ""):
            renames += ["--rename", h]
        r = run(base + ["--url", db, "push", "--force"] + renames)
        if r.returncode != 0:
            return False, "push: " + (r.stderr or r.stdout)
        got = os.path.join(work, "got.json")
        want = os.path.join(work, "want.json")
        r1 = run(base + ["--url", db, "pull", "--output", got])
        r2 = run(base + ["--url", want_db, "pull", "--output", want])
        if r1.returncode or r2.returncode:
            return False, "pull: " + r1.stderr + r2.stderr
        with open(got) as a, open(want) as b:
            if a.read() != b.read():
                d = run(["diff", "-u", want, got]).stdout
                return False, "introspection differs from desired:\n" + d
        r = run(base + ["--url", db, "push", "--dry-run"])
        if r.returncode != 0:
            return False, "second push: " + r.stderr
        if "up to date" not in r.stdout:
            return False, "second push is not empty: " + r.stdout
        return True, ""
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
