#!/usr/bin/env python3
"""Writes a large schema of the shape issue 16 measured, in one of four forms.

Every table tNNNNN has 9 columns (an identity primary key, two varchars, an
integer with a default, a numeric, a boolean with a default, a timestamp with
a default, a text, and parent_id), a unique constraint on email, a
two-column index on (name, created_at), and from the second table on a
foreign key parent_id -> the previous table's id, ON DELETE CASCADE. The
chain makes the foreign keys as deep as the schema is large: the worst case
for ordering tables by their keys. `--fk random` points each key at a table
drawn at random instead (seeded; itself and cycles included), to check that
an ordering gives the same plan before and after a change to it.

  gen_schema.py N json [--dialect postgresql|mysql|sqlite] [--change]
      the schema file cairn reads; for postgresql and mysql exactly what
      `cairn pull` writes from the database the sql form creates (same keys,
      same order, same indentation). --change adds one column (`added
      text`) to the table in the middle: the one-column change. --views V
      adds V views, view i over table i mod N and (from the second on) the
      view before it: the name search between views and tables.
  gen_schema.py N sql --dialect postgresql|mysql
      the DDL that creates those N tables on a server (for `cairn pull`).
  gen_schema.py N drizzle [--change]
      a drizzle-orm schema.ts of the same PostgreSQL tables, for
      drizzle-kit generate (bench/compare/generate.sh).

Writes to standard output, or to --output FILE."""
import argparse
import json
import random
import sys


def table_name(i):
    return "t%05d" % i


PARENTS = {}


def parent(i):
    """The table that table i's key references, or None."""
    return PARENTS.get(i, i - 1 if i > 0 else None)


def pg_table(i, change):
    t = table_name(i)
    cols = [
        {"name": "id", "type": "bigint", "not_null": True, "identity": "by_default"},
        {"name": "name", "type": "character varying(100)", "not_null": True},
        {"name": "email", "type": "character varying(255)", "not_null": True},
        {"name": "qty", "type": "integer", "not_null": True, "default": "0"},
        {"name": "price", "type": "numeric(10,2)"},
        {"name": "active", "type": "boolean", "not_null": True, "default": "true"},
        {"name": "created_at", "type": "timestamp with time zone", "not_null": True,
         "default": "now()"},
        {"name": "note", "type": "text"},
        {"name": "parent_id", "type": "bigint"},
    ]
    if change:
        cols.append({"name": "added", "type": "text"})
    out = {"name": t, "columns": cols,
           "primary_key": {"name": t + "_pkey", "columns": ["id"]},
           "uniques": [{"name": t + "_email_key", "columns": ["email"]}],
           "indexes": [{"name": t + "_name_created_idx", "columns": ["name", "created_at"]}]}
    if parent(i) is not None:
        out["foreign_keys"] = [{"name": t + "_parent_id_fkey", "columns": ["parent_id"],
                                "references": {"table": table_name(parent(i)), "columns": ["id"]},
                                "on_delete": "cascade"}]
    return out


def mysql_table(i, change):
    t = table_name(i)
    cols = [
        {"name": "id", "type": "bigint", "not_null": True, "identity": "auto"},
        {"name": "name", "type": "varchar(100)", "not_null": True},
        {"name": "email", "type": "varchar(255)", "not_null": True},
        {"name": "qty", "type": "int", "not_null": True, "default": "0"},
        {"name": "price", "type": "decimal(10,2)"},
        {"name": "active", "type": "tinyint(1)", "not_null": True, "default": "1"},
        {"name": "created_at", "type": "timestamp", "not_null": True,
         "default": "CURRENT_TIMESTAMP"},
        {"name": "note", "type": "text"},
        {"name": "parent_id", "type": "bigint"},
    ]
    if change:
        cols.append({"name": "added", "type": "text"})
    # MariaDB keeps a unique constraint as a unique index, and the index a
    # foreign key needs is the key's own (pull leaves it out).
    out = {"name": t, "columns": cols,
           "primary_key": {"columns": ["id"]},
           "indexes": [{"name": t + "_email_key", "unique": True, "columns": ["email"]},
                       {"name": t + "_name_created_idx", "columns": ["name", "created_at"]}]}
    if parent(i) is not None:
        out["foreign_keys"] = [{"name": t + "_parent_id_fkey", "columns": ["parent_id"],
                                "references": {"table": table_name(parent(i)), "columns": ["id"]},
                                "on_delete": "cascade", "on_update": "restrict"}]
    return out


def sqlite_table(i, change):
    t = pg_table(i, change)
    types = {"bigint": "integer", "character varying(100)": "text",
             "character varying(255)": "text", "numeric(10,2)": "numeric",
             "timestamp with time zone": "text"}
    for c in t["columns"]:
        c["type"] = types.get(c["type"], c["type"])
        c.pop("identity", None)
        if "default" in c:
            c["default"] = {"true": "1", "now()": "CURRENT_TIMESTAMP"}.get(c["default"], c["default"])
    t["primary_key"].pop("name")
    return t


def view(i, n):
    """View i reads table i % n and, from the second on, the view before it
    (a chain: the worst case for ordering views by what they read)."""
    t = table_name(i % n)
    if i == 0:
        body = "SELECT t.id, t.name FROM %s t" % t
    else:
        body = "SELECT t.id, t.name FROM %s t JOIN v%05d p ON p.id = t.parent_id" % (t, i - 1)
    return {"name": "v%05d" % i, "definition": body}


def json_schema(n, dialect, change, views=0):
    make = {"postgresql": pg_table, "mysql": mysql_table, "sqlite": sqlite_table}[dialect]
    out = {"dialect": dialect, "tables": [make(i, change and i == n // 2) for i in range(n)]}
    if views:
        out["views"] = [view(i, n) for i in range(views)]
    return out


def sql_schema(n, dialect, out):
    mysql = dialect == "mysql"
    for i in range(n):
        t = table_name(i)
        if mysql:
            cols = ("id bigint NOT NULL AUTO_INCREMENT, name varchar(100) NOT NULL, "
                    "email varchar(255) NOT NULL, qty int NOT NULL DEFAULT 0, "
                    "price decimal(10,2), active tinyint(1) NOT NULL DEFAULT 1, "
                    "created_at timestamp NOT NULL DEFAULT current_timestamp(), note text, "
                    "parent_id bigint, PRIMARY KEY (id)")
        else:
            cols = ("id bigint GENERATED BY DEFAULT AS IDENTITY, name varchar(100) NOT NULL, "
                    "email varchar(255) NOT NULL, qty integer NOT NULL DEFAULT 0, "
                    "price numeric(10,2), active boolean NOT NULL DEFAULT true, "
                    "created_at timestamptz NOT NULL DEFAULT now(), note text, "
                    "parent_id bigint, CONSTRAINT %s_pkey PRIMARY KEY (id)" % t)
        cols += ", CONSTRAINT %s_email_key UNIQUE (email)" % t
        if i > 0:  # the servers need the target first: always the chain
            cols += (", CONSTRAINT %s_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES %s (id)"
                     " ON DELETE CASCADE" % (t, table_name(i - 1)))
        out.write("CREATE TABLE %s (%s)%s;\n" % (t, cols, " ENGINE=InnoDB" if mysql else ""))
        out.write("CREATE INDEX %s_name_created_idx ON %s (name, created_at);\n" % (t, t))


def drizzle_schema(n, change, out):
    out.write('import { pgTable, bigint, varchar, integer, numeric, boolean, timestamp, text,\n'
              '  unique, index, foreignKey } from "drizzle-orm/pg-core";\n\n')
    for i in range(n):
        t = table_name(i)
        out.write('export const %s = pgTable("%s", {\n' % (t, t))
        out.write('  id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),\n'
                  '  name: varchar("name", { length: 100 }).notNull(),\n'
                  '  email: varchar("email", { length: 255 }).notNull(),\n'
                  '  qty: integer("qty").notNull().default(0),\n'
                  '  price: numeric("price", { precision: 10, scale: 2 }),\n'
                  '  active: boolean("active").notNull().default(true),\n'
                  '  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),\n'
                  '  note: text("note"),\n'
                  '  parentId: bigint("parent_id", { mode: "number" }),\n')
        if change and i == n // 2:
            out.write('  added: text("added"),\n')
        out.write('}, (t) => [\n'
                  '  unique("%s_email_key").on(t.email),\n'
                  '  index("%s_name_created_idx").on(t.name, t.createdAt),\n' % (t, t))
        if parent(i) is not None:
            out.write('  foreignKey({ name: "%s_parent_id_fkey", columns: [t.parentId],'
                      ' foreignColumns: [%s.id] }).onDelete("cascade"),\n' % (t, table_name(parent(i))))
        out.write(']);\n\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tables", type=int)
    ap.add_argument("form", choices=["json", "sql", "drizzle"])
    ap.add_argument("--dialect", choices=["postgresql", "mysql", "sqlite"], default="postgresql")
    ap.add_argument("--change", action="store_true", help="add one column to the middle table")
    ap.add_argument("--fk", choices=["chain", "random"], default="chain",
                    help="keys to the previous table, or to random tables (not for sql)")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--views", type=int, default=0,
                    help="json: add V views, each over a table and the view before it")
    ap.add_argument("--output", "-o")
    args = ap.parse_args()
    if args.fk == "random":
        if args.form == "sql":
            ap.error("--fk random: json or drizzle only")
        rng = random.Random(args.seed)
        for i in range(args.tables):
            PARENTS[i] = rng.randrange(args.tables)
    out = open(args.output, "w") if args.output else sys.stdout
    if args.form == "json":
        json.dump(json_schema(args.tables, args.dialect, args.change, args.views), out, indent=2)
        out.write("\n")
    elif args.form == "sql":
        if args.dialect == "sqlite":
            ap.error("sql: --dialect postgresql or mysql")
        sql_schema(args.tables, args.dialect, out)
    else:
        drizzle_schema(args.tables, args.change, out)
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
