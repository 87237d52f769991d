#!/usr/bin/env python3
"""Runs sqldef's test cases through cairn and prints how many pass.

For each case: build a database from `current`, `cairn push --force` it to
`desired` (a .sql schema), then check that cairn's introspection of the
migrated database equals that of a database built straight from `desired`,
and that a second push has nothing to do. On PostgreSQL and MariaDB the
server's own dump (pg_dump / mariadb-dump --no-data) of the two databases
must be equal too, so a case about objects cairn does not read (functions,
domains, policies, ...) cannot pass just because cairn sees nothing
(on a PostgreSQL newer than pg_dump, a digest of the catalogs instead).

A case with `enable_drop: false` pushes with --no-drop, and the database
it must end equal to is `current` with the case's `up` run on it (sqldef
writes the drops it skipped there as comments).

Cases that test sqldef options cairn does not have (config, ...), expected errors, another flavor or server version, and cases
whose SQL the server rejects are counted as skipped, with the reason. So
are PostgreSQL cases whose own `up` cannot give `desired`'s column order:
it adds a column last (as PostgreSQL does) that `desired` puts before
others, and the introspections compare columns in order.

A `-- @renamed from=` hint becomes `--rename`, and the push plan must then
rename that table or column (a drop and a create would end in the same
empty schema, so the comparisons alone cannot tell).

usage: run_sqldef.py --cairn BIN --dialect-path DIR --cases DIR
                     --dialect sqlite|postgresql|mysql [--url URL]
                     [--jobs N] [--floor N | --floor-file F | --sample N]
                     [--only NAME[,NAME...]] [--verbose [--detail]]
--url is a server URL (its database is used only to create and drop the
per-case databases); default $CAIRN_PG_URL / $CAIRN_MYSQL_URL, as exported
by tests/pg/run.sh and tests/mysql/run.sh.
Exit 0 when at least --floor cases pass (the floor only ever goes up),
77 when the cases, python3-yaml or the server are absent. --sample N runs
one case in N (the first, then every Nth, in file and case order) and
exits 0 only when none of them fails: the sanitizer build's run, which
looks for what the sanitizers report, at a quarter of the cost."""
import argparse
import collections
import concurrent.futures
import difflib
import glob
import itertools
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

try:
    import yaml
except ImportError:
    print("conformance: python3-yaml is not installed; skipped")
    sys.exit(77)

# Options of sqldef that cairn has no equivalent for, with the value that
# cairn's behaviour matches (a case setting another value is skipped):
# cairn always keeps identifiers' quoting and case. (enable_drop: false is
# push --no-drop: see run_case.)
OPTION_MATCH = {"legacy_ignore_quotes": False}
UNSUPPORTED_KEYS = {"config", "user", "offline", "managed_roles", "manage", "error"}
RENAMED = re.compile(r"@renamed\s+from=(\"[^\"]+\"(?:\.\"[^\"]+\")?|`[^`]+`|\S+?)(?=\s|\*/|,|$)")
IDENT = r'("[^"]+"|`[^`]+`|\[[^\]]+\]|[A-Za-z_][A-Za-z0-9_$]*)'
QUALIFIED = IDENT + r"(?:\s*\.\s*" + IDENT + r")?"
# Lines of a CREATE TABLE body that are not columns.
NOT_COLUMN = re.compile(r"\s*(CONSTRAINT|PRIMARY|UNIQUE|INDEX|KEY|FOREIGN|CHECK|EXCLUDE|"
                        r"FULLTEXT|SPATIAL|LIKE|PERIOD)\b", re.I)
SERVER_REJECTS = "server rejects the case's SQL"
TIMEOUT = 60
# With dev databases (PostgreSQL), one case in this many still lets cairn
# make its own scratch database, so that path stays run.
SCRATCH_EVERY = 10


class Rejected(Exception):
    """The server refused the case's own SQL."""


def unquote(name, fold):
    """An identifier as the server stores it: quotes removed, an unquoted
    name lower-cased where the server folds (PostgreSQL)."""
    if len(name) > 1 and name[0] in "\"`[":
        return name[1:-1]
    return name.lower() if fold else name


def last_part(name, fold):
    """`schema.table` -> table: cairn's --rename names tables without their
    namespace (a table is paired by name)."""
    parts = re.findall(r'"[^"]+"|`[^`]+`|[^.]+', name)
    return unquote(parts[-1].strip(), fold) if parts else name


def qn(name):
    """A name as cairn's --rename reads it: in double quotes when it holds a
    dot, an equals sign or a quote."""
    if any(ch in name for ch in '.="'):
        return '"%s"' % name.replace('"', '""')
    return name


def rename_hints(sql, fold=False):
    """sqldef's `-- @renamed from=X` comments as cairn --rename arguments:
    on a CREATE TABLE line a table rename, on a column line a column rename.
    (Index renames need no hint: cairn drops and creates the index. Enum
    value and type renames have no cairn equivalent.)"""
    hints, table = [], None
    for line in sql.splitlines():
        m = re.match(r"\s*CREATE\s+(?:UNLOGGED\s+|TEMP(?:ORARY)?\s+)?TABLE\s+"
                     r"(?:IF\s+NOT\s+EXISTS\s+)?" + QUALIFIED, line, re.I)
        if m:
            table = unquote(m.group(2) or m.group(1), fold)
        elif re.match(r"\s*(CREATE|ALTER|COMMENT)\s", line, re.I):
            table = None
        r = RENAMED.search(line)
        if not r:
            continue
        old = last_part(r.group(1), fold)
        if m:
            if old != table:
                hints.append("%s=%s" % (qn(old), qn(table)))
        elif table and not NOT_COLUMN.match(line):
            c = re.match(r"\s*" + IDENT + r"\s", line)
            if c:
                hints.append("%s.%s=%s.%s" % (qn(table), qn(old), qn(table),
                                              qn(unquote(c.group(1), fold))))
    return hints


# --profile: seconds spent per kind of step, summed over every case; with
# --jobs 1 also the server's CPU seconds per kind of step (PROFILE_SERVER).
PROFILE = collections.Counter()
PROFILE_CPU = collections.Counter()
PROFILE_LOCK = threading.Lock()
PROFILE_SERVER = None


def step_kind(cmd, stdin=None):
    """'cairn push', 'psql CREATE DATABASE', 'pg_dump', ...: what a command
    is, for --profile."""
    tool = os.path.basename(cmd[0])
    if tool == "cairn":
        verbs = [x for x in cmd if x in ("push", "pull", "--dry-run")]
        return "cairn " + " ".join(verbs)
    if tool in ("psql", "mariadb"):
        sql = [cmd[i + 1] for i, x in enumerate(cmd[:-1]) if x == "-c"] + [stdin or ""]
        if "-f" in cmd or (stdin and not re.match(r"(CREATE|DROP) DATABASE", stdin)):
            return tool + " case SQL"
        if sql[0] == CATALOG_DIGEST:
            return tool + " catalog digest"
        words = sql[0].split()[:2] if sql else ["?"]
        return tool + " " + " ".join(words)
    return tool


def run(cmd, timeout=TIMEOUT, **kw):
    t0 = time.monotonic()
    c0 = cpu_seconds(PROFILE_SERVER) if PROFILE_SERVER else None
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    finally:
        with PROFILE_LOCK:
            kind = step_kind(cmd, kw.get("input"))
            PROFILE[kind] += time.monotonic() - t0
            if c0 is not None:
                PROFILE_CPU[kind] += cpu_seconds(PROFILE_SERVER) - c0


def cpu_seconds(pid):
    """CPU seconds of a process, its reaped children and its live ones (a
    PostgreSQL server: the postmaster reaps every backend), or None."""
    def fields(p):
        with open("/proc/%s/stat" % p) as fh:
            return fh.read().rsplit(")", 1)[1].split()
    try:
        f = fields(pid)
        ticks = sum(int(x) for x in f[11:15])
        for p in os.listdir("/proc"):
            if p.isdigit():
                try:
                    c = fields(p)
                    if c[1] == str(pid):
                        ticks += sum(int(x) for x in c[11:13])
                except OSError:
                    pass
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def version_tuple(s):
    """(15, 18) of "15.18 (Debian ...)", (10, 11, 19) of "10.11.19-MariaDB"."""
    return tuple(int(x) for x in re.findall(r"\d+", (s.strip().split() or ["0"])[0].split("-")[0])[:3])


def error_line(s, prefix="cairn: error"):
    """The error line of a message (cairn's warnings, the client's echo of
    the statement come first)."""
    lines = [x for x in (s or "").splitlines() if x.strip()]
    for x in lines:
        if x.startswith(prefix):
            return x
    return lines[-1] if lines else "?"


def first_line(s):
    s = (s or "").strip()
    return s.splitlines()[0] if s else "?"


class FreshDatabases:
    """Two new databases per case, dropped after it."""
    def acquire(self, n):
        names = ["cairnconf_%d_%d_m" % (os.getpid(), n), "cairnconf_%d_%d_d" % (os.getpid(), n)]
        self.make(names)
        return names

    def release(self, names):
        self.drop(names)

    def finish(self):
        return ""


class SqliteTarget(FreshDatabases):
    """A fresh SQLite file per database."""
    dialect = "sqlite"
    flavor = "sqlite"
    version = ()

    def __init__(self, workdir):
        self.workdir = workdir

    def make(self, names):
        pass

    def create(self, name, sql, path):
        import sqlite3
        path = self.url(name)
        con = sqlite3.connect(path)
        try:
            if sql:
                con.executescript(sql)
            con.commit()
        except sqlite3.Error as e:
            raise Rejected(str(e))
        finally:
            con.close()

    def url(self, name):
        return os.path.join(self.workdir, name + ".sqlite")

    def drop(self, names):
        for name in names:
            try:
                os.unlink(self.url(name))
            except OSError:
                pass

    def cairn_args(self, names):
        return []

    def dump(self, name):
        return None


NAMESPACES = ("SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' "
              "AND nspname <> 'information_schema'")


class PgTarget:
    """One PostgreSQL server; two databases per worker, made from template0
    and emptied after each case (or made again when emptying them left
    something)."""
    dialect = "postgresql"
    flavor = "postgresql"

    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.base = u
        v = self.psql(u.path.lstrip("/") or "postgres", "SHOW server_version")
        if v.returncode:
            raise RuntimeError("cannot reach PostgreSQL: " + first_line(v.stderr))
        self.version = version_tuple(v.stdout)
        self.admin_db = u.path.lstrip("/") or "postgres"
        ext = self.psql(self.admin_db, "SELECT name FROM pg_available_extensions WHERE name = 'vector'")
        self.flavors = {"pgvector"} if ext.stdout.strip() == "vector" else set()
        self.spaces = {}
        # FILE_COPY (15 and later) copies template0's files instead of
        # writing every page through the WAL: the runner's two databases per
        # case cost a third of the server's time otherwise.
        self.strategy = " STRATEGY FILE_COPY" if self.version >= (15,) else ""
        # pg_dump refuses a server of a newer major than its own (18 here,
        # with Debian 12's pg_dump 15): the catalogs are compared instead.
        d = run(["pg_dump", "--version"])
        m = re.search(r"(\d+)\.\d+", d.stdout)
        self.use_pg_dump = bool(m) and self.version[:1] <= (int(m.group(1)),)
        # What a database must show to count as empty again (see empty).
        cats = self.psql(self.admin_db, CATALOGS)
        if cats.returncode:
            raise RuntimeError("catalogs: " + first_line(cats.stderr))
        parts = []
        for line in cats.stdout.splitlines():
            rel, _, acls = line.partition(" ")
            acl = ("concat_ws(';', %s)" % ", ".join("%s::text" % a for a in acls.split(","))
                   if acls else "''")
            parts.append("SELECT '%s ' || count(*) FILTER (WHERE oid >= %d) || ' ' || "
                         "COALESCE(md5(string_agg(%s, ',' ORDER BY oid)), '') FROM pg_catalog.%s"
                         % (rel, FIRST_USER_OID, acl, rel))
        parts.append("SELECT 'public ' || nspowner::regrole::text || ' ' || "
                     "COALESCE(obj_description(oid, 'pg_namespace'), '') "
                     "FROM pg_namespace WHERE nspname = 'public'")
        parts.append("SELECT 'comments ' || count(*) || ' ' || md5(string_agg(objoid || ' ' || classoid "
                     "|| ' ' || objsubid || ' ' || description, ',' ORDER BY objoid, classoid, objsubid)) "
                     "FROM pg_description")
        parts.append("SELECT 'database ' || COALESCE(array_to_string(d.datacl, ','), '') || ' ' "
                     "|| d.datconnlimit || ' ' || COALESCE(shobj_description(d.oid, 'pg_database'), '') "
                     "|| ' ' || COALESCE((SELECT string_agg(s.setrole || ':' || array_to_string(s.setconfig, ','), "
                     "' ' ORDER BY s.setrole) FROM pg_db_role_setting s WHERE s.setdatabase = d.oid), '') "
                     "FROM pg_database d WHERE d.datname = current_database()")
        self.state_sql = " UNION ALL ".join("(%s)" % x for x in parts)
        self.fresh_state = None
        self.free = queue.Queue()
        self.pairs = []
        self.reused = self.remade = 0
        self.used = set()  # databases a case used, to empty before the next
        self.lock = threading.Lock()
        self.reuse = True

    def url(self, name):
        return urllib.parse.urlunsplit(self.base._replace(path="/" + name))

    def psql(self, db, *sql, path=None, args=None):
        """One psql process for the statements (each -c its own transaction),
        after the file at `path`; or for `args` (-c and -f), in their order."""
        if args is None:
            args = (["-f", path] if path else []) + [x for q in sql for x in ("-c", q)]
        cmd = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.url(db)] + args
        return run(cmd, env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"))

    def make(self, names):
        r = self.psql(self.admin_db, *['CREATE DATABASE "%s" TEMPLATE template0%s' % (n, self.strategy)
                                       for n in names])
        if r.returncode:
            raise RuntimeError("CREATE DATABASE: " + first_line(r.stderr))

    def prepare(self):
        """The state of a database fresh from template0."""
        name = "cairnconf_%d_fresh" % os.getpid()
        self.make([name])
        try:
            r = self.psql(name, self.state_sql)
            if r.returncode:
                raise RuntimeError("database state: " + first_line(r.stderr))
            self.fresh_state = r.stdout
        finally:
            self.drop([name])

    def acquire(self, n):
        """A worker's two databases: a pair an earlier case used (create
        empties them first), or two new ones."""
        try:
            names = self.free.get_nowait()
            self.reused += 1
            return names
        except queue.Empty:
            pass
        names = ["cairnconf_%d_%d_m" % (os.getpid(), n), "cairnconf_%d_%d_d" % (os.getpid(), n)]
        self.make(names)
        with self.lock:
            self.pairs.append(names)
        return names

    def release(self, names):
        for n in names:
            self.spaces.pop(n, None)
        if self.reuse and self.fresh_state is not None:
            with self.lock:
                self.used.update(names)
            self.free.put(names)
            return
        with self.lock:
            self.pairs.remove(names)
        self.drop(names)

    def finish(self):
        """Drops the pairs; says how often they were used again."""
        with self.lock:
            pairs, self.pairs = self.pairs, []
        self.drop([n for p in pairs for n in p])
        if not self.reuse:
            return ""
        return ("databases: a pair emptied and used again %d times; a database made again "
                "%d times (emptying it left something)" % (self.reused, self.remade))

    def create(self, name, sql, path):
        """Applies the case's SQL and notes the namespaces it made. A
        database an earlier case used is emptied first, in the same psql
        (a process and a connection fewer), and proven as empty as template0
        made it: no row with a user's OID in any of its catalogs (tables,
        types, functions, casts, languages, event triggers, publications,
        default privileges, ...), the built-in objects' privileges and
        comments, the public schema's owner, and the database's
        privileges, comment and settings as they were. When anything
        differs (or emptying fails) the database is made again and the
        case's SQL run there."""
        with open(path, "w") as fh:
            fh.write(sql)
        with self.lock:
            reset = name in self.used
            self.used.discard(name)
        mark = ["-c", "SELECT '%s'" % MARK]
        args = ["-c", RESET, "-c", self.state_sql] + mark if reset else []
        r = self.psql(name, args=args + ["-f", path] + mark + ["-c", NAMESPACES])
        out = r.stdout
        if reset:
            state, sep, out = out.partition(MARK + "\n")
            if not sep or state != self.fresh_state:
                self.drop([name])
                self.make([name])
                with self.lock:
                    self.remade += 1
                return self.create(name, sql, path)
        if r.returncode:
            errors = [x for x in r.stderr.splitlines() if "ERROR:" in x] or [first_line(r.stderr)]
            raise Rejected(re.sub(r"^psql:[^:]*:(\d+): ", r"line \1: ", errors[0]))
        self.spaces[name] = set(x for x in out.partition(MARK + "\n")[2].split("\n") if x)

    def drop(self, names):
        for n in names:
            self.spaces.pop(n, None)
        self.psql(self.admin_db, *['DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % n for n in names])

    def make_dev(self, n, workdir):
        """n empty databases for cairn's `dev_url`, each named in a config
        file of its own (`--config`): cairn then applies a .sql schema there
        in a transaction it rolls back, instead of creating and dropping a
        scratch database per call (two per case). Returns the config files
        and the databases' names."""
        names = ["cairnconf_%d_dev%d" % (os.getpid(), i) for i in range(n)]
        self.make(names)
        configs = []
        for name in names:
            path = os.path.join(workdir, name + ".json")
            with open(path, "w") as fh:
                json.dump({"dev_url": self.url(name)}, fh)
            configs.append(path)
        return configs, names

    def digest(self, name):
        r = self.psql(name, CATALOG_DIGEST)
        if r.returncode:
            raise RuntimeError("catalog digest: " + first_line(r.stderr))
        return r.stdout.splitlines()

    def cairn_args(self, names):
        """The namespaces the case uses: a user lists those they manage."""
        spaces = {"public"}.union(*(self.spaces.pop(n, set()) for n in names))
        if any("," in x for x in spaces):
            return []
        return ["--namespaces", ",".join(sorted(spaces))]

    def dump(self, name):
        if not self.use_pg_dump:
            return self.digest(name)
        r = run(["pg_dump", "--schema-only", "-d", self.url(name)])
        if r.returncode:
            raise RuntimeError("pg_dump: " + first_line(r.stderr))
        keep = []
        for line in r.stdout.splitlines():
            if (not line.strip() or line.startswith("--") or line.startswith("SET ")
                    or line.startswith("\\restrict") or line.startswith("\\unrestrict")
                    or line.startswith("SELECT pg_catalog.set_config")):
                continue
            keep.append(line)
        return keep


# Where pg_dump cannot read the server: the catalogs in one sorted text, one
# line per object as the server prints it (tests/pg/lib.sh's digest, with
# the objects the corpus is about: functions, domains, composite and range
# types, policies, extensions, schemas, privileges). NOT NULL is read from
# attnotnull (18 keeps the name a NOT NULL constraint was made with).
CATALOG_DIGEST = """WITH ns AS (SELECT oid, nspname FROM pg_namespace
    WHERE nspname !~ '^(pg_|information_schema$)'),
r AS (SELECT c.oid, c.relkind, c.reloptions, c.relpersistence, c.relrowsecurity,
    c.relforcerowsecurity, c.relacl, ns.nspname || '.' || c.relname AS name,
    pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
    WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e'))
SELECT * FROM (
  SELECT 'schema ' || ns.nspname || ' ' || COALESCE(obj_description(ns.oid, 'pg_namespace'), '')
    || ' ' || COALESCE(array_to_string(n.nspacl, ','), '')
    FROM ns JOIN pg_namespace n ON n.oid = ns.oid
  UNION ALL SELECT 'ext ' || e.extname || ' ' || e.extversion || ' ' || n.nspname
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql'
  UNION ALL SELECT 'rel ' || r.name || ' ' || r.relkind::text || r.relpersistence::text || ' '
    || r.relrowsecurity || r.relforcerowsecurity || ' ' || COALESCE(obj_description(r.oid, 'pg_class'), '')
    || ' ' || COALESCE(pg_get_viewdef(r.oid, true), '') || ' '
    || COALESCE(array_to_string(r.reloptions, ','), '') || ' '
    || COALESCE(pg_get_partkeydef(r.oid), '') || ' ' || COALESCE(r.bound, '') || ' '
    || COALESCE((SELECT string_agg(i.inhparent::regclass::text, ',' ORDER BY i.inhseqno)
       FROM pg_inherits i WHERE i.inhrelid = r.oid), '') || ' '
    || COALESCE(array_to_string(r.relacl, ','), '') FROM r
  UNION ALL SELECT 'col ' || r.name || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
    || ' ' || a.attnotnull || ' ' || a.attidentity::text || a.attgenerated::text || ' '
    || COALESCE(pg_get_expr(d.adbin, d.adrelid), '') || ' ' || COALESCE(co.collname, '') || ' '
    || COALESCE(col_description(r.oid, a.attnum), '') || ' ' || COALESCE(a.attstattarget::text, '') || ' '
    || COALESCE(array_to_string(a.attoptions, ','), '') || ' ' || COALESCE(array_to_string(a.attacl, ','), '')
    FROM r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100
    WHERE r.relkind IN ('r', 'p', 'v', 'm', 'f')
  UNION ALL SELECT 'con ' || r.name || ' ' || con.conname || ' ' || pg_get_constraintdef(con.oid)
    || ' ' || COALESCE(obj_description(con.oid, 'pg_constraint'), '')
    FROM r JOIN pg_constraint con ON con.conrelid = r.oid WHERE con.contype <> 'n'
  UNION ALL SELECT 'idx ' || pg_get_indexdef(i.indexrelid) || ' '
    || COALESCE(obj_description(i.indexrelid, 'pg_class'), '')
    FROM r JOIN pg_index i ON i.indrelid = r.oid
  UNION ALL SELECT 'trg ' || pg_get_triggerdef(t.oid, true) || ' '
    || COALESCE(obj_description(t.oid, 'pg_trigger'), '') || ' ' || t.tgenabled::text
    FROM r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
  UNION ALL SELECT 'rule ' || r.name || ' ' || pg_get_ruledef(ru.oid, true)
    FROM r JOIN pg_rewrite ru ON ru.ev_class = r.oid AND ru.rulename <> '_RETURN'
  UNION ALL SELECT 'pol ' || r.name || ' ' || p.polname || ' ' || p.polcmd::text || ' '
    || p.polpermissive || ' ' || p.polroles::text || ' ' || COALESCE(pg_get_expr(p.polqual, p.polrelid), '')
    || ' ' || COALESCE(pg_get_expr(p.polwithcheck, p.polrelid), '')
    FROM r JOIN pg_policy p ON p.polrelid = r.oid
  UNION ALL SELECT 'seq ' || r.name || ' ' || format_type(s.seqtypid, NULL) || ' ' || s.seqstart
    || ' ' || s.seqincrement || ' ' || s.seqmin || ' ' || s.seqmax || ' ' || s.seqcache || ' '
    || s.seqcycle || ' ' || COALESCE((SELECT dr.refobjid::regclass::text || '.' || a.attname
       FROM pg_depend dr JOIN pg_attribute a ON a.attrelid = dr.refobjid AND a.attnum = dr.refobjsubid
       WHERE dr.classid = 'pg_class'::regclass AND dr.objid = r.oid AND dr.deptype IN ('a', 'i')), '')
    FROM r JOIN pg_sequence s ON s.seqrelid = r.oid
  UNION ALL SELECT 'type ' || ns.nspname || '.' || t.typname || ' ' || t.typtype::text || ' '
    || CASE t.typtype
       WHEN 'e' THEN (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e
                      WHERE e.enumtypid = t.oid)
       WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod) || ' ' || t.typnotnull || ' '
                     || COALESCE(t.typdefault, '') || ' ' || COALESCE((SELECT collname FROM pg_collation
                        WHERE oid = t.typcollation AND t.typcollation <> 100), '') || ' '
                     || COALESCE((SELECT string_agg(c.conname || ' ' || pg_get_constraintdef(c.oid), ','
                        ORDER BY c.conname) FROM pg_constraint c WHERE c.contypid = t.oid), '')
       WHEN 'c' THEN (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ','
                      ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = t.typrelid
                      AND a.attnum > 0 AND NOT a.attisdropped)
       WHEN 'r' THEN (SELECT format_type(rg.rngsubtype, NULL) FROM pg_range rg WHERE rg.rngtypid = t.oid)
       ELSE '' END || ' ' || COALESCE(obj_description(t.oid, 'pg_type'), '')
    FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
    WHERE t.typtype IN ('e', 'd', 'c', 'r')
      AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                      AND d.objid = t.oid AND d.deptype = 'e')
  UNION ALL SELECT 'fn ' || pg_get_functiondef(p.oid) || ' ' || COALESCE(obj_description(p.oid, 'pg_proc'), '')
    || ' ' || COALESCE(array_to_string(p.proacl, ','), '')
    FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
    WHERE p.prokind IN ('f', 'p')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'e')
) AS x(line) ORDER BY 1"""


# Empties a database the runner made, for the next case: CREATE DATABASE
# costs the server two checkpoints (FILE_COPY) or a WAL record per page
# (about a sixth of its time per case), and the psql that makes it a
# process and a connection. Every schema but
# public goes (with what is in it, extensions included); public stays, as
# template0 made it, and what is in it is dropped one object at a time,
# until a round drops nothing (an object another one owns goes with that
# one). What this leaves behind, PgTarget.create finds.
RESET = r"""DO $reset$
DECLARE o record; dropped int;
BEGIN
  FOR o IN SELECT evtname FROM pg_event_trigger LOOP
    EXECUTE format('DROP EVENT TRIGGER %I', o.evtname);
  END LOOP;
  FOR o IN SELECT nspname FROM pg_namespace
           WHERE nspname !~ '^pg_' AND nspname NOT IN ('information_schema', 'public') LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', o.nspname);
  END LOOP;
  LOOP
    dropped := 0;
    FOR o IN SELECT i.type, i.identity FROM pg_depend d, pg_identify_object(d.classid, d.objid, 0) i
             WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = 'public'::regnamespace
               AND d.deptype = 'n' LOOP
      BEGIN
        EXECUTE format('DROP %s IF EXISTS %s CASCADE', o.type, o.identity);
        dropped := dropped + 1;
      EXCEPTION WHEN others THEN NULL;
      END;
    END LOOP;
    EXIT WHEN dropped = 0;
  END LOOP;
END $reset$"""

# The catalogs of a database (not the cluster's shared ones) that give
# their rows an OID, with their privilege columns: read once per server.
CATALOGS = """SELECT c.relname || ' ' || COALESCE((SELECT string_agg(x.attname, ',' ORDER BY x.attnum)
    FROM pg_attribute x WHERE x.attrelid = c.oid AND x.atttypid = 'aclitem[]'::regtype
    AND NOT x.attisdropped), '')
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'oid' AND a.attnum > 0
  WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r' AND NOT c.relisshared
  ORDER BY 1"""

# What psql prints between the reset's output, the case's and the
# namespaces' (PgTarget.create).
MARK = "-- cairnconf: end of part --"

# The first OID a user's object gets (FirstNormalObjectId): template0 has
# none at or past it.
FIRST_USER_OID = 16384

class MariaTarget(FreshDatabases):
    """One MariaDB server; a database per case."""
    dialect = "mysql"
    flavor = "mariadb"

    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.base = u
        self.env = dict(os.environ, MYSQL_PWD=urllib.parse.unquote(u.password or ""))
        v = self.client("", "SELECT VERSION()")
        if v.returncode:
            raise RuntimeError("cannot reach MariaDB: " + first_line(v.stderr))
        self.version = version_tuple(v.stdout)
        self.flavor = "mariadb" if "mariadb" in v.stdout.lower() else "mysql"
        self.flavors = set()

    def conn(self):
        return ["--no-defaults", "--protocol=tcp", "-h", self.base.hostname,
                "-P", str(self.base.port or 3306), "-u", urllib.parse.unquote(self.base.username or "")]

    def url(self, name):
        # sqldef keeps a DEFINER as the schema states it: cairn's definer=keep
        q = "&".join(x for x in (self.base.query, "definer=keep") if x)
        return urllib.parse.urlunsplit(self.base._replace(path="/" + name, query=q))

    def client(self, db, sql):
        cmd = ["mariadb"] + self.conn() + ["-N", "-B"] + ([db] if db else [])
        return run(cmd, input=sql, env=self.env)

    def make(self, names):
        r = self.client("", "".join("CREATE DATABASE `%s`;" % n for n in names))
        if r.returncode:
            raise RuntimeError("CREATE DATABASE: " + first_line(r.stderr))

    def create(self, name, sql, path):
        if sql.strip():
            r = self.client(name, sql)
            if r.returncode:
                raise Rejected(error_line(r.stderr, "ERROR"))

    def drop(self, names):
        self.client("", "".join("DROP DATABASE IF EXISTS `%s`;" % n for n in names))

    def cairn_args(self, names):
        return []

    def dump(self, name):
        r = run(["mariadb-dump"] + self.conn() + [
            "--no-data", "--skip-comments", "--routines", "--triggers", "--events",
            "--skip-add-drop-table", "--skip-add-locks", "--skip-disable-keys",
            "--skip-set-charset", "--skip-tz-utc", name], env=self.env)
        if r.returncode:
            raise RuntimeError("mariadb-dump: " + first_line(r.stderr))
        keep = []
        for line in r.stdout.splitlines():
            if not line.strip() or re.match(r"/\*!\d+ SET ", line):
                continue
            line = re.sub(r" AUTO_INCREMENT=\d+", "", line)
            # A recurring event made without STARTS starts when it is made:
            # a STARTS within minutes of now is when the case ran, which no
            # tool can make two databases agree on.
            line = STARTS.sub(lambda m: " STARTS '<when made>'" if recent(m.group(1)) else m.group(0),
                              line)
            # InnoDB's keys are B-trees whether USING BTREE is written or not.
            if re.match(r"\s+(PRIMARY |UNIQUE )?KEY ", line):
                line = line.replace(" USING BTREE", "")
            keep.append(line)
        return sort_key_runs(keep)


STARTS = re.compile(r" STARTS '(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)'")


def recent(ts):
    """Is the server time `ts` within ten minutes of this machine's now?"""
    import datetime
    try:
        t = datetime.datetime.strptime(ts, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return False
    return abs((t - datetime.datetime.now()).total_seconds()) < 600


def sort_key_runs(lines):
    """SHOW CREATE TABLE lists keys and constraints in the order they were
    made, which a migration cannot always keep and which means nothing:
    each run of key or constraint lines is compared as a set (trailing
    commas dropped, since the last line of a run has none)."""
    out, run_ = [], []
    for line in lines + [""]:
        if re.match(r"\s+((UNIQUE |FULLTEXT |SPATIAL )?KEY|CONSTRAINT) ", line):
            run_.append(line.rstrip(","))
            continue
        out += sorted(run_)
        run_ = []
        out.append(line)
    return out[:-1]


def case_sql(case, key, target):
    """The case's SQL for this target. mysqldef's cases run in a database named
    mysqldef_test and some name it; here each case has its own databases (and
    cairn a scratch one), so that qualifier is removed: unqualified names mean
    the same table, and the server stores views with its own qualifier anyway."""
    sql = case.get(key) or ""
    if target.dialect == "mysql":
        sql = re.sub(r"`mysqldef_test`\.|\bmysqldef_test\.", "", sql)
    return sql


def split_top(body):
    """A CREATE TABLE body's elements: split at the commas outside
    parentheses and quotes."""
    parts, cur, depth, quote = [], [], 0, None
    for ch in body:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "()":
            depth += 1 if ch == "(" else -1
        elif ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    return parts + ["".join(cur)]


def table_columns(sql, fold):
    """{table: [column, ...]} of the CREATE TABLE statements in `sql`."""
    out = {}
    for m in re.finditer(r"CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
                         + QUALIFIED + r"\s*\(", sql, re.I):
        end, depth = m.end(), 1
        while end < len(sql) and depth:
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            end += 1
        cols = []
        for part in split_top(sql[m.end():end - 1]):
            part = re.sub(r"--[^\n]*", "", part).strip()
            c = re.match(IDENT, part)
            if c and not NOT_COLUMN.match(part):
                cols.append(unquote(c.group(1), fold))
        out[unquote(m.group(2) or m.group(1), fold)] = cols
    return out


ADD_COLUMN = re.compile(r"ALTER\s+TABLE\s+(?:ONLY\s+)?" + QUALIFIED +
                        r"\s+ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?" + IDENT, re.I)


def appended_out_of_place(case):
    """PostgreSQL adds a column last, and so does psqldef's `up`: a column
    it adds that `desired` places before a column the table already had
    ends elsewhere than `desired` says (only a rebuild of the table could
    place it, which psqldef does not do either). Returns table.column."""
    added = collections.defaultdict(set)
    for m in ADD_COLUMN.finditer(case.get("up") or ""):
        if not NOT_COLUMN.match(m.group(3)):
            added[unquote(m.group(2) or m.group(1), True)].add(unquote(m.group(3), True))
    desired = table_columns(case.get("desired") or "", True)
    for table, cols in added.items():
        want = desired.get(table, [])
        for k, col in enumerate(want):
            if col in cols and any(c not in cols for c in want[k + 1:]):
                return "%s.%s" % (table, col)
    return None


def skip_reason(case, target):
    """Why a case cannot run on this target, or None."""
    bad = sorted(k for k in case if k in UNSUPPORTED_KEYS and case[k] is not None)
    if "config" in bad:
        bad[bad.index("config")] = "config: " + ",".join(sorted(case["config"] or {}))
    bad += sorted("%s: %s" % (k, str(case[k]).lower())
                  for k, v in OPTION_MATCH.items() if k in case and case[k] != v)
    flavor = case.get("flavor")
    if flavor:
        mine = {target.flavor} | getattr(target, "flavors", set())
        if flavor.startswith("!") and flavor[1:] in mine:
            bad.append("flavor " + flavor)
        elif not flavor.startswith("!") and flavor not in mine:
            bad.append("flavor " + flavor)
    if target.dialect == "sqlite" and (case.get("min_version") or case.get("max_version")):
        bad.append("version")
    else:
        lo, hi = case.get("min_version"), case.get("max_version")
        if lo and target.version < version_tuple(str(lo)):
            bad.append("min_version %s" % lo)
        if hi and target.version[:len(version_tuple(str(hi)))] > version_tuple(str(hi)):
            bad.append("max_version %s" % hi)
    moved = target.dialect == "postgresql" and appended_out_of_place(case)
    if moved:
        bad.append("psqldef's own up cannot reach desired's column order (it adds %s last)" % moved)
    return ", ".join(bad) or None


# ---- comparing two introspections ------------------------------------------

def canon(doc):
    """A pull document with named objects in name order: the order of tables,
    indexes or constraints is not part of a schema (columns' order is)."""
    if isinstance(doc, dict):
        return {k: canon_list(k, v) for k, v in doc.items()}
    return doc


def canon_list(key, v):
    if isinstance(v, dict):
        return canon(v)
    if not isinstance(v, list):
        return v
    items = [canon(x) for x in v]
    if key == "namespaces":
        return sorted(items, key=str)
    if key != "columns" and items and all(isinstance(x, dict) and "name" in x for x in items):
        return sorted(items, key=lambda x: (str(x.get("schema") or ""), str(x["name"])))
    return items


def label_of(x, i):
    """An item's name; with its signature when it has one: overloaded
    functions share a name, and each must be compared with its own."""
    if isinstance(x, dict) and "name" in x:
        return "%s%s%s" % (x["schema"] + "." if x.get("schema") else "", x["name"],
                           "(%s)" % x["signature"] if "signature" in x else "")
    return str(i)


def first_diff(want, got, path=""):
    """(path, want, got) of the first difference, or None."""
    if isinstance(want, dict) and isinstance(got, dict):
        for k in list(want) + [k for k in got if k not in want]:
            if k not in got:
                return path + "." + k, want[k], "absent"
            if k not in want:
                return path + "." + k, "absent", got[k]
            d = first_diff(want[k], got[k], path + "." + k)
            if d:
                return d
        return None
    if isinstance(want, list) and isinstance(got, list):
        wl = [label_of(x, i) for i, x in enumerate(want)]
        gl = [label_of(x, i) for i, x in enumerate(got)]
        if wl != gl and path.endswith("columns"):
            return path, "[%s]" % ", ".join(wl), "[%s]" % ", ".join(gl)
        for w in wl:
            if w not in gl:
                return "%s[%s]" % (path, w), "present", "absent"
        for g in gl:
            if g not in wl:
                return "%s[%s]" % (path, g), "absent", "present"
        for i, w in enumerate(wl):
            d = first_diff(want[i], got[gl.index(w)], "%s[%s]" % (path, w))
            if d:
                return d
        return None
    return None if want == got else (path, want, got)


def statement_of(lines, i):
    """The dump statement that line i belongs to, as 'CREATE TABLE public.t'."""
    def routine(line):  # mariadb-dump writes views, triggers, events in /*! */
        m = re.match(r"/\*!\d+ .*?\b(VIEW|TRIGGER|EVENT|PROCEDURE|FUNCTION) (?:IF (?:NOT )?EXISTS )?([^\s*;]+)", line)
        return m and "CREATE %s %s" % (m.group(1), m.group(2))

    if i + 1 < len(lines) and lines[i].startswith("DELIMITER") and routine(lines[i + 1]):
        return routine(lines[i + 1])
    while i > 0 and not routine(lines[i]) and (lines[i][:1].isspace() or lines[i][:1] in ")(" or
                                               not re.match(r"[A-Z]", lines[i])):
        i -= 1
    if lines and routine(lines[i]):
        return routine(lines[i])
    words = lines[i].split() if lines else []
    head = list(itertools.takewhile(lambda w: w.isupper() and w.isalpha(), words))
    return " ".join(head + words[len(head):len(head) + 1]).rstrip("(;")


def dump_diff(want, got):
    """A reason for two different dumps: the statement of the first change,
    the first line missing and the first line extra, then the whole diff."""
    sm = difflib.SequenceMatcher(a=want, b=got, autojunk=False)
    op = next(o for o in sm.get_opcodes() if o[0] != "equal")
    if op[0] == "insert":
        where, kind = statement_of(got, op[3]), "extra"
    else:
        where, kind = statement_of(want, op[1]), "missing" if op[0] == "delete" else "changed"
    minus, plus = informative(want[op[1]:op[2]]), informative(got[op[3]:op[4]])
    diff = [x for x in difflib.unified_diff(want, got, lineterm="", n=0)
            if x[:1] in "+-" and not x.startswith(("+++", "---"))]
    return "server dump differs, %s in %s (%s): want %r, got %r\n%s" % (
        kind, where, line_part(minus or plus), minus[:100], plus[:100], "\n".join(diff))


def informative(lines):
    """The first line of a changed range that says something (not a bare
    parenthesis or the `ALTER TABLE ONLY t` head of a constraint)."""
    for x in lines:
        t = x.strip()
        if t not in ("(", ")", ");") and not re.fullmatch(r"ALTER TABLE (ONLY )?\S+", t):
            return t
    return lines[0].strip() if lines else ""


def line_part(line):
    """What a line of a dump is about: 'column', 'table options', 'KEY', ..."""
    if line.startswith(")"):
        return "table options" if len(line) > 2 else "end"
    if line[:1] in "`\"" or re.match(r"[a-z_][a-z0-9_]* ", line):
        return "column"
    m = re.match(r"(?:/\*!\d+ )?((?:[A-Z]+ )?[A-Z]+)\b", line)
    return m.group(1) if m else "other"


def short(v):
    s = v if isinstance(v, str) else json.dumps(v, sort_keys=True)
    return s if len(s) <= 120 else s[:117] + "..."


# ---- one case -----------------------------------------------------------------

def run_case(args, target, case, n, config=None):
    """One case; `config` is a cairn.json naming a dev_url, or None for the
    driver's scratch database."""
    work = tempfile.mkdtemp(prefix="cairn-conf-")
    made = None
    # enable_drop: false -> --no-drop, and the end state is current + up
    nodrop = ["--no-drop"] if case.get("enable_drop") is False else []
    want = "desired"
    if nodrop:
        want = "current+up"
        case = dict(case, **{want: (case.get("current") or "") + "\n" + (case.get("up") or "")})
    try:
        made = target.acquire(n)
        db_m, db_d = made
        try:
            for db, key in ((db_m, "current"), (db_d, want)):
                target.create(db, case_sql(case, key, target), os.path.join(work, key + ".in.sql"))
        except Rejected as e:
            return "skip", "%s (%s: %s)" % (SERVER_REJECTS, key, e)
        desired = os.path.join(work, "desired.sql")
        with open(desired, "w") as fh:
            fh.write(case_sql(case, "desired", target))
        base = [args.cairn, "--dialect", args.dialect, "--dialect-path", args.dialect_path,
                "--schema", desired] + target.cairn_args([db_m, db_d])
        if config:
            base[1:1] = ["--config", config]
        hints = rename_hints(case.get("desired") or "", fold=target.dialect == "postgresql")
        renames = [x for h in hints for x in ("--rename", h)]
        try:
            if hints:
                why = renames_missing(base, target.url(db_m), hints, renames, work)
                if why:
                    return "fail", why
            r = run(base + ["--url", target.url(db_m), "push", "--force"] + nodrop + renames)
            if r.returncode != 0:
                return "fail", "push: " + error_line(r.stderr or r.stdout)
            got = os.path.join(work, "got.json")
            want = os.path.join(work, "want.json")
            r1 = run(base + ["--url", target.url(db_m), "pull", "--output", got])
            r2 = run(base + ["--url", target.url(db_d), "pull", "--output", want])
            if r1.returncode or r2.returncode:
                return "fail", "pull: " + error_line(r1.stderr + r2.stderr)
            with open(got) as a, open(want) as b:
                text_got, text_want = a.read(), b.read()
            for db in (db_m, db_d):  # a view's text may name its own database
                text_got = text_got.replace(db, "DB")
                text_want = text_want.replace(db, "DB")
            d = first_diff(canon(json.loads(text_want)), canon(json.loads(text_got)))
            if d:
                return "fail", "introspection differs at %s: want %s, got %s" % (
                    d[0].lstrip("."), short(d[1]), short(d[2]))
            r = run(base + ["--url", target.url(db_m), "push", "--dry-run"] + nodrop)
            if r.returncode != 0:
                return "fail", "second push: " + error_line(r.stderr)
            if "up to date" not in r.stdout:
                return "fail", "second push is not empty: " + first_line(
                    "\n".join(x for x in r.stdout.splitlines() if not x.startswith("--")))
            dm, dd = target.dump(db_m), target.dump(db_d)
            if dm is not None:
                dm = [x.replace(db_m, "DB") for x in dm]
                dd = [x.replace(db_d, "DB") for x in dd]
                if dm != dd:
                    return "fail", dump_diff(dd, dm)
        except subprocess.TimeoutExpired as e:
            return "fail", "timeout after %ds: %s" % (TIMEOUT, " ".join(e.cmd[-3:]))
        return "pass", ""
    finally:
        if made:
            target.release(made)
        shutil.rmtree(work, ignore_errors=True)


def renames_missing(base, url, hints, renames, work):
    """A rename drops and creates when cairn ignores the hint, which ends in
    the same empty schema: so the plan must rename (or, for a rebuilt
    SQLite table, copy from the old name) each hinted table or column that
    exists before the push."""
    before = os.path.join(work, "before.json")
    r = run(base + ["--url", url, "pull", "--output", before])
    if r.returncode:
        return "pull: " + error_line(r.stderr)
    with open(before) as fh:
        tables = {t["name"]: [c["name"] for c in t.get("columns", [])]
                  for t in json.load(fh).get("tables", [])}
    r = run(base + ["--url", url, "push", "--dry-run"] + renames)
    if r.returncode:
        return "push --dry-run: " + error_line(r.stderr)
    plan = r.stdout.splitlines()
    for h in hints:
        old, new = h.split("=", 1)
        if "." in old:
            t, old = old.split(".", 1)
            new = new.split(".", 1)[1]
            exists = old in tables.get(t, [])
        else:
            exists = old in tables
        # RENAME, or a rebuilt table's copy reading the old name into the new
        if exists and not any(new in x and (re.search(r"\bRENAME\b", x, re.I) or
                                            (old in x and re.search(r"\bSELECT\b", x, re.I)))
                              for x in plan):
            return "--rename %s is not a rename in the plan" % h
    return None


def failure_class(why):
    """A failure reason with names and literals blanked, to count classes."""
    m = re.match(r"server dump differs, (\w+) in ([A-Z ]+).*? \(([^()]*)\): want", why)
    if m:
        where, part = m.group(2).strip(), m.group(3)
        if where.startswith(part):
            return "server dump differs: %s %s" % (where, m.group(1))
        return "server dump differs: %s, %s %s" % (where, part, m.group(1))
    s = re.sub(r"/tmp/\S+: ", "", why)
    s = re.sub(r"(function|type|cast type|to|relation|constraint|column|schema|index) "
               r"[\w.\"]+(\([^)]*\))?", r"\1 *", s)
    s = re.sub(r"\[[^\]]*\]", "[*]", s)
    s = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", "'*'", s)
    s = re.sub(r"\b\d+\b", "N", s)
    s = re.sub(r": want .*", "", s)
    s = re.sub(r"\(want -, got \+\): ([+-]\s*\S+(?:\s+\S+)?).*", r": \1", s)
    return s[:110]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cairn", required=True)
    ap.add_argument("--dialect-path", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--dialect", default="sqlite", choices=["sqlite", "postgresql", "mysql"])
    ap.add_argument("--url")
    ap.add_argument("--jobs", type=int, default=max(4, 2 * (os.cpu_count() or 2)),
                    help="cases at a time (default twice the cores, at least 4: a case waits on "
                         "the server as much as it computes)")
    ap.add_argument("--floor", type=int, default=0)
    ap.add_argument("--floor-file", help="read the floor from this file (at run time)")
    ap.add_argument("--sample", type=int, default=1,
                    help="run one case in N, and pass only when none fails (no floor)")
    ap.add_argument("--only", help="run the cases whose name contains one of these "
                                   "(comma-separated; file.yml for a file, file.yml:Name for one case)")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--detail", action="store_true", help="with --verbose: whole reasons")
    ap.add_argument("--scratch", dest="dev_databases", action="store_false",
                    help="PostgreSQL: every case on cairn's scratch database, no dev_url "
                         "(by default one case in %d)" % SCRATCH_EVERY)
    ap.add_argument("--fresh", action="store_true",
                    help="PostgreSQL: two new databases per case, instead of emptying a worker's "
                         "two after each case")
    ap.add_argument("--profile", action="store_true",
                    help="print the time spent per kind of step (summed over the cases)")
    args = ap.parse_args()
    if args.floor_file:
        with open(args.floor_file) as fh:
            args.floor = int(fh.read().strip())

    if not os.path.isdir(args.cases):
        print("conformance: %s is absent; skipped" % args.cases)
        return 77
    workdir = args.workdir = tempfile.mkdtemp(prefix="cairn-conf-dbs-")
    try:
        if args.dialect == "sqlite":
            target = SqliteTarget(workdir)
        else:
            env = "CAIRN_PG_URL" if args.dialect == "postgresql" else "CAIRN_MYSQL_URL"
            tools = ["psql", "pg_dump"] if args.dialect == "postgresql" else ["mariadb", "mariadb-dump"]
            missing = [t for t in tools if not shutil.which(t)]
            if missing:
                print("conformance: %s not found; skipped" % ", ".join(missing))
                return 77
            url = args.url or os.environ.get(env)
            if not url:
                print("conformance: no server (--url or $%s); skipped" % env)
                return 77
            try:
                target = (PgTarget if args.dialect == "postgresql" else MariaTarget)(url)
            except (RuntimeError, OSError) as e:
                print("conformance: %s" % e)
                return 1
        return run_all(args, target)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_all(args, target):
    jobs = []
    only = args.only.split(",") if args.only else []
    for f in sorted(glob.glob(os.path.join(args.cases, "*.yml"))):
        with open(f) as fh:
            cases = yaml.safe_load(fh) or {}
        for name, case in cases.items():
            label = "%s:%s" % (os.path.basename(f), name)
            if isinstance(case, dict) and (not only or any(o in (label, label.split(":")[0]) or o in name for o in only)):
                jobs.append((label, case))
    if args.sample > 1:
        jobs = jobs[::args.sample]
    results = [None] * len(jobs)
    counter = itertools.count()
    lock = threading.Lock()
    started = time.monotonic()
    server_pid = os.environ.get("CAIRN_PG_PID") if target.dialect == "postgresql" else None
    server_cpu = cpu_seconds(server_pid) if server_pid else None
    if args.profile and args.jobs == 1 and server_cpu is not None:
        global PROFILE_SERVER
        PROFILE_SERVER = server_pid
    own_cpu = os.times()
    # A dev database per worker (PostgreSQL): cairn's scratch database per
    # call was half of the databases the corpus created. Every
    # SCRATCH_EVERY-th case still goes through the scratch database.
    if hasattr(target, "prepare"):
        target.reuse = not args.fresh
        target.prepare()
    devs, dev_names, dev_before = None, [], None
    if args.dev_databases and hasattr(target, "make_dev"):
        configs, dev_names = target.make_dev(max(1, args.jobs), args.workdir)
        dev_before = target.digest(dev_names[0])
        devs = queue.Queue()
        for c in configs:
            devs.put(c)

    def one(i):
        label, case = jobs[i]
        why = skip_reason(case, target)
        if why:
            res = ("skip", why)
        else:
            # CREATE INDEX CONCURRENTLY cannot run in the dev database's
            # transaction (docs/dialect-postgresql.md); the scratch
            # database leaves the word out
            config = (devs.get() if devs and i % SCRATCH_EVERY and
                      not re.search(r"\bCONCURRENTLY\b", case.get("desired") or "", re.I)
                      else None)
            try:
                res = run_case(args, target, case, next(counter), config)
            except (RuntimeError, OSError, subprocess.SubprocessError) as e:
                res = ("fail", "runner: %s" % e)
            finally:
                if config:
                    devs.put(config)
        results[i] = res
        if args.verbose:
            with lock:
                why = res[1] if args.detail else first_line(res[1])
                print("%-4s %s%s" % ({"pass": "ok", "fail": "FAIL", "skip": "skip"}[res[0]],
                                     label, ": " + why if res[1] else ""), flush=True)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        list(ex.map(one, range(len(jobs))))
    # cairn rolls back what it applied to a dev database: a case that left
    # anything there would have changed what the next one saw.
    dirty = [n for n in dev_names if target.digest(n) != dev_before]
    if dev_names:
        target.drop(dev_names)
    reuse = target.finish()
    if dirty:
        print("conformance: the dev database(s) %s are not empty after the run" % ", ".join(dirty))
        return 1

    count = collections.Counter(r[0] for r in results)
    fails = collections.Counter(failure_class(first_line(r[1])) for r in results if r[0] == "fail")
    skips = collections.Counter(re.sub(r" \(.*", "", r[1]) for r in results if r[0] == "skip")
    print("failure classes:")
    for k, v in fails.most_common():
        print("  %4d  %s" % (v, k))
    print("skip reasons:")
    for k, v in skips.most_common():
        print("  %4d  %s" % (v, k))
    print("conformance %s on %s %s: %d passed, %d failed, %d skipped (%s)"
          % (os.path.basename(args.cases.rstrip("/")), target.flavor,
             ".".join(map(str, target.version)) or "-", count["pass"], count["fail"],
             count["skip"], "one case in %d: none may fail" % args.sample if args.sample > 1
             else "floor %d" % args.floor))
    dump_only = sum(1 for r in results if r[0] == "fail" and r[1].startswith("server dump"))
    if dump_only:
        print("(%d of the failures pass cairn's own checks, pull equal and a second push empty: "
              "only the server's dump differs)" % dump_only)
    print("wall time %.0f s, %d cases at a time" % (time.monotonic() - started, max(1, args.jobs)))
    if reuse:
        print(reuse)
    # CPU, which the load of a shared machine does not stretch as it does wall time
    t = os.times()
    cpu = "cpu: commands %.0f s, runner %.0f s" % (t.children_user + t.children_system
                                                 - own_cpu.children_user - own_cpu.children_system,
                                                 t.user + t.system - own_cpu.user - own_cpu.system)
    if server_cpu is not None and cpu_seconds(server_pid) is not None:
        cpu += ", server %.0f s" % (cpu_seconds(server_pid) - server_cpu)
    print(cpu + "; load average %s" % " ".join("%.1f" % x for x in os.getloadavg()))
    if args.profile:
        print("time per step, summed over the cases (s)%s:"
              % (", server CPU" if PROFILE_SERVER else ""))
        for k, v in PROFILE.most_common():
            print("  %8.1f  %s" % (v, k) + ("  %8.1f" % PROFILE_CPU[k] if PROFILE_SERVER else ""))
    print("%d passed, %d failed" % (count["pass"], count["fail"]))
    if args.sample > 1:
        return 0 if count["fail"] == 0 else 1
    return 0 if count["pass"] >= args.floor else 1


if __name__ == "__main__":
    sys.exit(main())
