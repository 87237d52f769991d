#!/usr/bin/env python3
"""docs/schema.schema.json, the JSON Schema editors use for schema files:
it is a valid 2020-12 schema, every schema file in the tests and examples
passes it, and the mistakes cairn refuses by structure fail it."""
import glob, json, os, sys

import jsonschema

src = os.environ["CAIRN_SOURCE_DIR"]
schema = json.load(open(os.path.join(src, "docs/schema.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
failed = passed = 0

def check(ok, what):
    global failed, passed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, file=sys.stderr)

files = [f for pat in ("tests/cli/evolve/*.json", "tests/golden/**/*.json", "examples/**/schema*.json")
         for f in glob.glob(os.path.join(src, pat), recursive=True)]
for f in files:
    try:
        doc = json.load(open(f))
    except ValueError:
        continue  # golden cases of broken JSON
    if not isinstance(doc, dict) or "version" in doc or os.path.basename(f) == "cairn.json":
        continue
    if os.path.exists(os.path.join(os.path.dirname(f), "error")):
        continue  # a golden case that cairn refuses
    errs = list(v.iter_errors(doc))
    check(not errs, "%s: %s" % (f, errs[0].message if errs else ""))
check(len(files) > 10, "found the schema files to check")

# the complete example of docs/schema-format.md (its first json block)
text = open(os.path.join(src, "docs/schema-format.md")).read()
block = text.split("```json\n", 1)[1].split("```", 1)[0]
errs = list(v.iter_errors(json.loads(block)))
check(not errs, "docs/schema-format.md's example: %s" % (errs[0].message if errs else ""))

bad = [
    {"tables": [{"name": "t", "colums": []}]},
    {"tables": [{"name": "t", "columns": [{"name": "id", "identity": "sometimes"}]}]},
    {"tables": [{"columns": []}]},
    {"tables": [{"name": "t", "indexes": [{"name": "i", "columns": []}]}]},
    {"tables": [{"name": "t", "foreign_keys": [{"columns": ["a"], "references": {"table": "u"}}]}]},
    {"sequences": [{"name": "s", "increment": 0}]},
    {"enums": [{"name": "e"}]},
]
for doc in bad:
    check(not v.is_valid(doc), "refused: %s" % json.dumps(doc))
check(v.is_valid({"dialect": "postgresql", "tables": [{"name": "t", "columns": [
    {"name": "id", "type": "bigint", "identity": "always", "primary_key": True},
    {"name": "n", "type": "numeric(10,2)", "default": 1.50}]}]}), "a valid document")

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
