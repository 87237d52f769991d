#!/usr/bin/env python3
"""cairn diagram --format svg, read back as a program would: the SVG must
parse as XML, and every table, view and foreign key of the schema must be in
it: a node per table (its name in its first text, every column's name after
it), an edge per foreign key joining the two tables' nodes. Run on a SQLite
schema, on a PostgreSQL one with namespaces, enums and views, and on 150 and
350 generated tables (laid out by dot and by sfdp: the engine changes with
the size). Environment: CAIRN_STAGE, CAIRN_SOURCE_DIR."""
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

STAGE = os.environ["CAIRN_STAGE"]
SRC = os.environ["CAIRN_SOURCE_DIR"]
CAIRN = os.path.join(STAGE, "bin", "cairn")
SVG = "{http://www.w3.org/2000/svg}"
sys.path.insert(0, os.path.join(SRC, "bench"))
import bench_diagram  # noqa: E402  (the generator of the benchmark)

failed = 0


def fail(msg):
    global failed
    failed += 1
    print("FAIL: " + msg, file=sys.stderr)


def qualified(ns, name):
    return "%s.%s" % (ns, name) if ns else name


def expected(doc):
    """Tables (with their columns), views and foreign keys of a schema file."""
    tables = {qualified(t.get("schema"), t["name"]): [c["name"] for c in t.get("columns", [])]
              for t in doc.get("tables", [])}
    views = {qualified(v.get("schema"), v["name"]) for v in doc.get("views", [])}
    fks = []
    for t in doc.get("tables", []):
        for fk in t.get("foreign_keys", []):
            ref = fk["references"]
            fks.append((qualified(t.get("schema"), t["name"]),
                        qualified(ref.get("schema", t.get("schema")), ref["table"])))
    return tables, views, sorted(fks)


def drawn(svg_text):
    """What the SVG holds: node labels by id, with their texts, and edges."""
    root = ET.fromstring(svg_text)
    nodes, kinds, edges = {}, {}, []
    for g in root.iter(SVG + "g"):
        cls = (g.get("class") or "").split()
        if "node" in cls:
            texts = [t.text or "" for t in g.iter(SVG + "text")]
            kinds[g.get("id")] = [c for c in cls if c != "node"]
            nodes[g.get("id")] = texts
        elif "edge" in cls and "fk" in cls:
            ends = [c for c in cls if c not in ("edge", "fk")]
            edges.append(ends)
    return nodes, kinds, edges


def check(name, schema_path, dialect, doc, columns="all"):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "er.svg")
        p = subprocess.run([CAIRN, "--dialect", dialect, "--schema", schema_path, "diagram",
                            "--columns", columns, "--output", out],
                           capture_output=True, text=True)
        if p.returncode != 0:
            fail("%s: cairn diagram exited %d: %s" % (name, p.returncode, p.stderr))
            return
        with open(out, encoding="utf-8") as f:
            text = f.read()
    try:
        nodes, kinds, edges = drawn(text)
    except ET.ParseError as e:
        fail("%s: the SVG is not XML: %s" % (name, e))
        return
    tables, views, fks = expected(doc)
    label = {}
    for nid, texts in nodes.items():
        if texts:
            label[nid] = texts[0]
    by_label = {}
    for nid, kind in kinds.items():
        if "table" in kind:
            by_label[label.get(nid)] = nid
    for t, cols in tables.items():
        nid = by_label.get(t)
        if not nid:
            fail("%s: table %s has no node" % (name, t))
            continue
        if columns == "all":
            missing = [c for c in cols if c not in nodes[nid][1:]]
            if missing:
                fail("%s: table %s lacks columns %s" % (name, t, missing))
    drawn_views = {nodes[n][-1] if nodes[n] else None for n, k in kinds.items() if "view" in k}
    for v in views:
        if not any(v in " ".join(nodes[n]) for n, k in kinds.items() if "view" in k):
            fail("%s: view %s has no node (views drawn: %s)" % (name, v, drawn_views))
    got = sorted((label.get(a), label.get(b)) for a, b in edges)
    if got != fks:
        fail("%s: foreign keys drawn %s, schema has %s" % (name, got[:10], fks[:10]))
    extra = [n for n, k in kinds.items() if "table" in k and label.get(n) not in tables]
    if extra:
        fail("%s: nodes for tables the schema lacks: %s" % (name, extra))
    print("%s: %d tables, %d views, %d foreign keys found in %d bytes of SVG"
          % (name, len(tables), len(views), len(fks), len(text)))


def main():
    evolve = os.path.join(SRC, "tests", "cli", "evolve", "04_add_child_with_cascade.json")
    with open(evolve) as f:
        check("sqlite", evolve, "sqlite", json.load(f))
    shop = os.path.join(SRC, "tests", "golden", "diagram", "shop", "schema.json")
    if os.path.exists(os.path.join(STAGE, "lib", "cairn", "dialects", "postgresql.so")) or \
            any(os.path.exists(os.path.join(STAGE, l, "cairn", "dialects", "postgresql.so"))
                for l in os.listdir(STAGE)):
        with open(shop) as f:
            check("postgresql", shop, "postgresql", json.load(f))
    else:
        print("postgresql: no postgresql driver in this build; that schema is not drawn")
    for n, cols in ((150, "all"), (350, "keys")):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "schema.json")
            doc = bench_diagram.schema(n)
            with open(path, "w") as f:
                json.dump(doc, f)
            check("%d tables" % n, path, "sqlite", doc, cols)
    print("failed: %d" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
