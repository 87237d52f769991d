/* json.c: schema documents (round trip, shorthands, errors with positions),
 * the deterministic writer, snapshots and the config file. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"

static char *fixture(const char *name, size_t *len)
{
    const char *src = getenv("CAIRN_TEST_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s%s", src ? src : ".",
             strchr(name, '/') ? "" : "tests/data/json/", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("cannot open fixture %s\n", path);
        return NULL;
    }
    cairn_buf b;
    cairn_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        cairn_buf_append(&b, chunk, n);
    fclose(f);
    if (len)
        *len = b.len;
    return cairn_buf_steal(&b);
}

static char *write_schema(cairn_ctx *cx, const cairn_schema *s)
{
    char *out = NULL;
    int rc = cairn_schema_to_json(cx, s, &out);
    CHECK(rc == 0, "write: %s", cairn_ctx_error(cx)->message);
    return out;
}

static cairn_schema *read_schema(cairn_ctx *cx, const char *text)
{
    cairn_schema *s = NULL;
    int rc = cairn_json_read_schema(cx, text, strlen(text), "t.json", &s);
    CHECK(rc == 0, "read: %s", cairn_ctx_error(cx)->message);
    return s;
}

/* The document must fail with `code` at line:col, with exactly `msg`. */
static void expect_error(cairn_ctx *cx, int line_no, const char *text, int code, int line, int col,
                         const char *msg)
{
    cairn_schema *s = NULL;
    int rc = cairn_json_read_schema(cx, text, strlen(text), "t.json", &s);
    const cairn_error *e = cairn_ctx_error(cx);
    char want[1024];
    snprintf(want, sizeof want, "t.json:%d:%d: %s", line, col > 0 ? col : 1, msg);
    CHECK(rc == code && s == NULL, "case at line %d: rc %d", line_no, rc);
    CHECK(e->line == line && e->column == col, "case at line %d: at %d:%d, want %d:%d", line_no,
          e->line, e->column, line, col);
    CHECK(e->message && strcmp(e->message, want) == 0, "case at line %d: got [%s], want [%s]",
          line_no, e->message ? e->message : "(null)", want);
    CHECK(e->file && strcmp(e->file, "t.json") == 0, "case at line %d: file", line_no);
    cairn_schema_free(s);
}
#define ERR(text, line, col, msg) expect_error(cx, __LINE__, text, CAIRN_ESCHEMA, line, col, msg)

/* Objects carried as SQL: written grouped by kind with their dependencies
 * sorted, read back the same; a bad kind or one object twice is refused
 * where it is. */
static void test_objects(cairn_ctx *cx)
{
    const char *in =
        "{\"objects\": [\n"
        " {\"kind\": \"policy\", \"name\": \"own\", \"table\": \"notes\",\n"
        "  \"definition\": \"CREATE POLICY own ON notes\"},\n"
        " {\"kind\": \"function\", \"schema\": \"app\", \"name\": \"f\", \"signature\": \"integer\",\n"
        "  \"definition\": \"CREATE FUNCTION app.f(integer)\", \"comment\": \"c\",\n"
        "  \"depends\": [{\"kind\": \"view\", \"name\": \"v\"},\n"
        "              {\"kind\": \"domain\", \"schema\": \"app\", \"name\": \"d\"}]}]}\n";
    cairn_schema *s = read_schema(cx, in);
    if (!s)
        return;
    CHECK(s->nobjects == 2 && s->objects[1]->ndepends == 2, "objects read");
    char *out = write_schema(cx, s);
    const char *want =
        "{\n  \"objects\": [\n    {\n      \"kind\": \"function\",\n      \"schema\": \"app\",\n"
        "      \"name\": \"f\",\n      \"signature\": \"integer\",\n"
        "      \"definition\": \"CREATE FUNCTION app.f(integer)\",\n      \"comment\": \"c\",\n"
        "      \"depends\": [\n        {\n          \"kind\": \"domain\",\n          \"schema\": \"app\",\n"
        "          \"name\": \"d\"\n        },\n        {\n          \"kind\": \"view\",\n"
        "          \"name\": \"v\"\n        }\n      ]\n    },\n    {\n      \"kind\": \"policy\",\n"
        "      \"name\": \"own\",\n      \"table\": \"notes\",\n"
        "      \"definition\": \"CREATE POLICY own ON notes\"\n    }\n  ]\n}\n";
    CHECK(out && strcmp(out, want) == 0, "objects written:\n%s", out ? out : "");
    cairn_schema *s2 = out ? read_schema(cx, out) : NULL;
    char *out2 = s2 ? write_schema(cx, s2) : NULL;
    CHECK(out2 && strcmp(out, out2) == 0, "objects: second round trip differs");
    free(out);
    free(out2);
    cairn_schema_free(s);
    cairn_schema_free(s2);
    ERR("{\"objects\": [{\"kind\": \"Function\", \"name\": \"f\", \"definition\": \"x\"}]}", 1, 23,
        "objects[0].kind: expected one lowercase word (\"function\", \"domain\", ...)");
    ERR("{\"objects\": [{\"kind\": \"domain\", \"name\": \"d\", \"definition\": \"x\"},\n"
        "             {\"kind\": \"domain\", \"name\": \"d\", \"definition\": \"y\"}]}",
        2, 41, "objects[1].name: duplicate domain d");
    ERR("{\"objects\": [{\"kind\": \"domain\", \"name\": \"d\"}]}", 1, 14,
        "objects[0]: missing \"definition\"");
}

/* Constraint options (ABI 1.5): each field read where it belongs, written
 * back in place, the same text on a second round; INITIALLY DEFERRED
 * reads as DEFERRABLE too; a key a constraint does not have is refused. */
static void test_constraint_options(cairn_ctx *cx)
{
    const char *in =
        "{\"tables\": [{\"name\": \"p\", \"columns\": [{\"name\": \"id\", \"type\": \"int\"}],\n"
        "  \"primary_key\": {\"name\": \"p_pk\", \"columns\": [\"id\"], \"comment\": \"pk\"}},\n"
        " {\"name\": \"t\", \"columns\": [{\"name\": \"a\", \"type\": \"int\", \"not_null\": true,\n"
        "   \"not_null_name\": \"a_nn\"}],\n"
        "  \"uniques\": [{\"name\": \"u\", \"columns\": [\"a\"], \"initially_deferred\": true,\n"
        "   \"comment\": \"uc\"}],\n"
        "  \"foreign_keys\": [{\"name\": \"f\", \"columns\": [\"a\"],\n"
        "   \"references\": {\"table\": \"p\", \"columns\": [\"id\"]}, \"match_full\": true,\n"
        "   \"not_valid\": true, \"comment\": \"fc\"}],\n"
        "  \"checks\": [{\"name\": \"c\", \"expr\": \"a > 0\", \"not_valid\": true, \"comment\": \"cc\"}],\n"
        "  \"triggers\": [{\"name\": \"g\", \"sql\": \"CREATE TRIGGER g\", \"comment\": \"gc\"}]}],\n"
        " \"enums\": [{\"name\": \"e\", \"values\": [\"x\"], \"comment\": \"ec\"}]}\n";
    cairn_schema *s = read_schema(cx, in);
    if (!s)
        return;
    cairn_table *p = cairn_schema_find_table(s, NULL, "p"), *t = cairn_schema_find_table(s, NULL, "t");
    CHECK(p && t && t->nuniques == 1 && t->nfkeys == 1 && t->nchecks == 1 && t->ntriggers == 1,
          "constraint options: counts");
    if (p && t && t->nuniques == 1 && t->nfkeys == 1 && t->nchecks == 1 && t->ntriggers == 1) {
        CHECK_STR(p->primary_key->comment, "pk");
        CHECK_STR(t->columns[0]->not_null_name, "a_nn");
        CHECK(t->uniques[0]->deferrable && t->uniques[0]->initially_deferred, "deferred key");
        CHECK_STR(t->uniques[0]->comment, "uc");
        CHECK(t->fkeys[0]->match_full && t->fkeys[0]->not_valid && !t->fkeys[0]->deferrable,
              "fk options");
        CHECK_STR(t->fkeys[0]->comment, "fc");
        CHECK(t->checks[0]->not_valid, "check not valid");
        CHECK_STR(t->checks[0]->comment, "cc");
        CHECK_STR(t->triggers[0]->comment, "gc");
        CHECK_STR(s->enums[0]->comment, "ec");
    }
    char *out = write_schema(cx, s);
    CHECK(out && strstr(out, "\"deferrable\": true,\n          \"initially_deferred\": true,\n"
                             "          \"comment\": \"uc\"") &&
              strstr(out, "\"match_full\": true,\n          \"not_valid\": true,\n"
                          "          \"comment\": \"fc\"") &&
              strstr(out, "\"not_null\": true,\n          \"not_null_name\": \"a_nn\""),
          "constraint options written:\n%s", out ? out : "");
    cairn_schema *s2 = out ? read_schema(cx, out) : NULL;
    char *out2 = s2 ? write_schema(cx, s2) : NULL;
    CHECK(out2 && strcmp(out, out2) == 0, "constraint options: second round trip differs");
    /* a deep copy keeps them */
    cairn_schema *s3 = cairn_schema_new();
    for (size_t i = 0; s3 && i < s->ntables; i++)
        cairn_schema_copy_table(s3, s->tables[i]);
    for (size_t i = 0; s3 && i < s->nenums; i++)
        cairn_schema_copy_enum(s3, s->enums[i]);
    char *out3 = s3 ? write_schema(cx, s3) : NULL;
    CHECK(out3 && out && strcmp(out, out3) == 0, "constraint options: a copy differs:\n%s",
          out3 ? out3 : "");
    free(out);
    free(out2);
    free(out3);
    cairn_schema_free(s);
    cairn_schema_free(s2);
    cairn_schema_free(s3);
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}],\n"
        "  \"checks\": [{\"expr\": \"a > 0\", \"deferrable\": true}]}]}",
        2, 32, "tables[0].checks[0].deferrable: unknown key");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}],\n"
        "  \"checks\": [{\"expr\": \"a > 0\", \"not_valid\": \"yes\"}]}]}",
        2, 45, "tables[0].checks[0].not_valid: expected true or false");
}

static void test_full_round_trip(cairn_ctx *cx)
{
    size_t len;
    char *text = fixture("full.json", &len);
    if (!text) {
        CHECK(0, "full.json");
        return;
    }
    cairn_schema *s = NULL;
    int rc = cairn_json_read_schema(cx, text, len, "full.json", &s);
    CHECK(rc == 0, "read full.json: %s", cairn_ctx_error(cx)->message);
    if (rc) {
        free(text);
        return;
    }
    /* the canonical file comes back byte for byte */
    char *out = write_schema(cx, s);
    CHECK(out && strcmp(out, text) == 0, "full.json is not reproduced:\n%s", out ? out : "");
    /* and again from what was written */
    cairn_schema *s2 = read_schema(cx, out ? out : "{}");
    char *out2 = s2 ? write_schema(cx, s2) : NULL;
    CHECK(out && out2 && strcmp(out, out2) == 0, "second round trip differs");

    /* every struct field landed where it belongs */
    CHECK_STR(s->dialect, "postgresql");
    CHECK(s->nnamespaces == 2 && s->ntables == 3 && s->nviews == 2 && s->nenums == 2 &&
              s->nsequences == 2,
          "counts");
    cairn_table *u = cairn_schema_find_table(s, NULL, "users");
    CHECK(u != NULL, "users");
    if (u) {
        CHECK_STR(u->was, "accounts");
        CHECK_STR(u->comment, "people who sign in");
        CHECK(u->ncolumns == 9, "columns %zu", u->ncolumns);
        cairn_column *id = u->columns[0], *email = u->columns[1], *dom = u->columns[4];
        CHECK(id->not_null && id->identity == CAIRN_IDENTITY_ALWAYS, "id");
        CHECK_STR(email->collation, "C");
        CHECK_STR(email->comment, "lower-cased");
        CHECK_STR(email->was, "mail");
        CHECK_STR(u->columns[2]->default_expr, "'active'::status");
        CHECK_STR(u->columns[3]->extra, "on update CURRENT_TIMESTAMP");
        CHECK_STR(dom->generated, "split_part(email, '@', 2)");
        CHECK(dom->generated_stored == 1, "stored");
        CHECK(u->columns[8]->type == NULL, "untyped column");
        CHECK(u->primary_key && u->primary_key->ncolumns == 1, "pk");
        if (u->primary_key)
            CHECK_STR(u->primary_key->name, "users_pkey");
        CHECK(u->nuniques == 2 && u->uniques[0]->nulls_not_distinct && !u->uniques[0]->name,
              "uniques");
        CHECK(u->nindexes == 2, "indexes");
        if (u->nindexes == 2) {
            cairn_index *a = u->indexes[0], *b = u->indexes[1];
            CHECK(a->nparts == 2 && a->parts[0]->desc && !a->parts[1]->desc, "parts");
            CHECK_STR(a->where, "status <> 'deleted'");
            CHECK_STR(a->method, "btree");
            CHECK(a->ninclude == 1, "include");
            CHECK_STR(a->comment, "recent first");
            CHECK_STR(a->was, "users_created");
            CHECK(b->unique && b->parts[0]->column == NULL, "expr part");
            CHECK_STR(b->parts[0]->expr, "lower(email)");
            CHECK_STR(b->parts[0]->collation, "C");
            CHECK(b->parts[1]->length == 10, "length");
        }
        CHECK(u->nfkeys == 2, "fkeys");
        if (u->nfkeys == 2) {
            cairn_fkey *fk = u->fkeys[1];
            CHECK(fk->ncolumns == 2 && fk->nref_columns == 2, "fk columns");
            CHECK_STR(fk->ref_schema, "billing");
            CHECK_STR(fk->ref_table, "teams");
            CHECK(fk->on_delete == CAIRN_FK_SET_NULL && fk->on_update == CAIRN_FK_CASCADE &&
                      fk->deferrable && fk->initially_deferred,
                  "fk actions");
            CHECK(u->fkeys[0]->on_delete == CAIRN_FK_NO_ACTION && !u->fkeys[0]->name, "fk 0");
        }
        CHECK(u->nchecks == 2 && u->checks[0]->name == NULL, "checks");
        CHECK(u->ntriggers == 1, "triggers");
        CHECK(u->noptions == 2, "options");
        if (u->noptions == 2)
            CHECK_STR(u->options[0], "fillfactor=90");
    }
    cairn_table *ev = cairn_schema_find_table(s, "audit", "events");
    CHECK(ev && ev->columns[0]->identity == CAIRN_IDENTITY_BY_DEFAULT &&
              ev->columns[1]->identity == CAIRN_IDENTITY_AUTO,
          "identities");
    CHECK(s->views[1]->materialized && s->views[1]->schema, "materialized view");
    CHECK_STR(s->views[0]->was, "live_users");
    CHECK(s->enums[0]->nvalues == 3 && s->enums[1]->nvalues == 0, "enum values");
    cairn_sequence *t = s->sequences[0], *inv = s->sequences[1];
    CHECK(t->start == 0 && t->increment == -1 && t->has_min && t->min_value == -100 &&
              t->has_max && t->max_value == 0 && t->cache == 1 && !t->cycle,
          "sequence ticket");
    CHECK(inv->start == 1000 && inv->cache == 20 && inv->cycle && inv->max_value == 9999999,
          "sequence invoice_no");
    CHECK_STR(inv->type, "bigint");

    free(out);
    free(out2);
    free(text);
    cairn_schema_free(s);
    cairn_schema_free(s2);
}

static void test_shorthands(cairn_ctx *cx)
{
    char *text = fixture("shorthand.json", NULL);
    char *want = fixture("shorthand.expected.json", NULL);
    cairn_schema *s = text ? read_schema(cx, text) : NULL;
    if (!s || !want) {
        CHECK(0, "shorthand fixtures");
        free(text);
        free(want);
        return;
    }
    cairn_table *p = cairn_schema_find_table(s, NULL, "posts");
    CHECK(p && p->primary_key && p->primary_key->ncolumns == 2, "column primary_key: composite");
    CHECK(p && p->nuniques == 1 && p->uniques[0]->ncolumns == 1, "column unique");
    CHECK(p && p->nfkeys == 1 && p->fkeys[0]->on_delete == CAIRN_FK_CASCADE &&
              p->fkeys[0]->on_update == CAIRN_FK_RESTRICT,
          "column references");
    if (p && p->nfkeys == 1) {
        CHECK_STR(p->fkeys[0]->ref_table, "users");
        CHECK_STR(p->fkeys[0]->ref_schema, "app");
        CHECK_STR(p->fkeys[0]->ref_columns[0], "id");
    }
    cairn_table *t = cairn_schema_find_table(s, NULL, "types");
    if (t && t->ncolumns == 4) {
        CHECK_STR(t->columns[0]->default_expr, "0");
        CHECK_STR(t->columns[1]->default_expr, "1.50");
        CHECK_STR(t->columns[2]->default_expr, "true");
        CHECK_STR(t->columns[3]->default_expr, "'abc'");
        CHECK(t->noptions == 2, "options");
        CHECK_STR(t->options[0], "strict=true");
        CHECK_STR(t->options[1], "without_rowid=1");
    } else {
        CHECK(0, "table types");
    }
    /* output is the canonical long form */
    char *out = write_schema(cx, s);
    CHECK(out && strcmp(out, want) == 0, "shorthand output:\n%s", out ? out : "");
    free(out);
    free(text);
    free(want);
    cairn_schema_free(s);
}

/* A schema built as a driver would, in two insertion orders. */
static cairn_schema *build(int reversed)
{
    cairn_schema *s = cairn_schema_new();
    const char *names[3] = {"alpha", "beta", "gamma"};
    for (int k = 0; k < 3; k++) {
        const char *n = names[reversed ? 2 - k : k];
        cairn_table *t = cairn_schema_add_table(s, k == 1 ? NULL : NULL, n);
        cairn_column *c = cairn_table_add_column(s, t, "id");
        c->type = cairn_schema_strdup(s, "integer");
        c = cairn_table_add_column(s, t, "x");
        c->type = cairn_schema_strdup(s, "text");
        /* two unnamed foreign keys and checks: ties on the name */
        for (int j = 0; j < 2; j++) {
            int jj = reversed ? 1 - j : j;
            cairn_fkey *fk = cairn_table_add_fkey(s, t, NULL);
            cairn_fkey_add_columns(s, fk, jj ? "x" : "id", "id");
            fk->ref_table = cairn_schema_strdup(s, jj ? "beta" : "alpha");
            cairn_table_add_check(s, t, NULL, jj ? "id > 0" : "x <> ''");
            cairn_index *ix = cairn_table_add_index(s, t, jj ? "ix_b" : "ix_a");
            cairn_index_add_part(s, ix)->column = cairn_schema_strdup(s, jj ? "x" : "id");
        }
    }
    cairn_schema_add_namespace(s, reversed ? "zeta" : "eta");
    cairn_schema_add_namespace(s, reversed ? "eta" : "zeta");
    cairn_schema_add_view(s, reversed ? "b" : NULL, "v", reversed ? "SELECT 2" : "SELECT 1");
    cairn_schema_add_view(s, reversed ? NULL : "b", "v", reversed ? "SELECT 1" : "SELECT 2");
    return s;
}

static void test_deterministic(cairn_ctx *cx)
{
    cairn_schema *a = build(0), *b = build(1);
    char *ja = write_schema(cx, a), *jb = write_schema(cx, b);
    CHECK(ja && jb && strcmp(ja, jb) == 0, "insertion order leaks into the output:\n%s\n%s",
          ja ? ja : "", jb ? jb : "");
    CHECK(ja && ja[strlen(ja) - 1] == '\n' && strncmp(ja, "{\n  \"namespaces\": [\n", 19) == 0,
          "2-space indent and final newline");
    /* the input was not reordered by writing it */
    CHECK(strcmp(b->tables[0]->name, "gamma") == 0, "input untouched");
    free(ja);
    free(jb);
    cairn_schema_free(a);
    cairn_schema_free(b);

    /* absent fields are omitted: an empty schema is "{}" */
    cairn_schema *e = cairn_schema_new();
    char *je = write_schema(cx, e);
    CHECK_STR(je, "{}\n");
    free(je);
    /* text the writer cannot represent is an error, not broken JSON */
    cairn_table *t = cairn_schema_add_table(e, NULL, "t");
    t->comment = cairn_schema_strdup(e, "caf\xe9");
    char *bad = NULL;
    CHECK(cairn_schema_to_json(cx, e, &bad) == CAIRN_ESCHEMA && bad == NULL, "invalid UTF-8");
    CHECK_STR(cairn_ctx_error(cx)->message,
              "cannot write table \"t\": \"comment\" is not valid UTF-8");
    t->comment = NULL;
    cairn_column *c = cairn_table_add_column(e, t, "c");
    c->default_expr = cairn_schema_strdup(e, "'caf\xe9'");
    CHECK(cairn_schema_to_json(cx, e, &bad) == CAIRN_ESCHEMA && bad == NULL, "column default");
    CHECK_STR(cairn_ctx_error(cx)->message,
              "cannot write table \"t\", column \"c\": \"default\" is not valid UTF-8");
    c->default_expr = NULL;
    cairn_table_set_option(e, t, "caf\xe9", "1");
    CHECK(cairn_schema_to_json(cx, e, &bad) == CAIRN_ESCHEMA && bad == NULL, "option name");
    CHECK_STR(cairn_ctx_error(cx)->message,
              "cannot write table \"t\": \"options\" is not valid UTF-8");
    cairn_schema_free(e);
}

static void test_errors(cairn_ctx *cx)
{
    /* syntax errors: jansson's position */
    ERR("{\"tables\": [}", 1, 13, "invalid JSON: unexpected token near '}'");
    ERR("{\n  \"tables\": [],\n  \"tables\": []\n}", 3, 10,
        "invalid JSON: duplicate object key near '\"tables\"'");
    /* duplicates are found after the parse: nested, and before a later
     * syntax error, they are still the error named, where jansson puts it */
    ERR("{\"tables\": [{\"name\": \"a\", \"name\": \"b\"}]}", 1, 32,
        "invalid JSON: duplicate object key near '\"name\"'");
    ERR("{\"tables\": [], \"tables\": [}", 1, 23,
        "invalid JSON: duplicate object key near '\"tables\"'");
    ERR("", 1, 0, "invalid JSON: '[' or '{' expected near end of file");
    ERR("[]", 1, 1, "the document must be a JSON object");
    ERR("  \n  \"x\"", 2, 5, "invalid JSON: '[' or '{' expected near '\"x\"'");

    /* unknown keys, at the key, with a suggestion for a typo */
    ERR("{\"tabels\": []}", 1, 2, "tabels: unknown key (did you mean \"tables\"?)");
    ERR("{\"tables\": [{\"name\": \"t\",\n  \"colums\": []}]}", 2, 3,
        "tables[0].colums: unknown key (did you mean \"columns\"?)");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\", \"zzzzzz\": 1}]}]}", 1,
        53, "tables[0].columns[0].zzzzzz: unknown key");

    /* wrong types, at the value */
    ERR("{\"tables\": [\n  {\"name\": \"a\"},\n  {\"name\": \"b\"},\n"
        "  {\"name\": \"c\", \"columns\": [{\"name\": \"x\", \"type\": 5}]}\n]}",
        4, 51, "tables[2].columns[0].type: expected a string");
    ERR("{\"dialect\": true}", 1, 13, "dialect: expected a string");
    ERR("{\"tables\": {}}", 1, 12, "tables: expected an array");
    ERR("{\"tables\": [7]}", 1, 13, "tables[0]: expected a table (a JSON object)");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\", \"not_null\": 1}]}]}",
        1, 65, "tables[0].columns[0].not_null: expected true or false");
    ERR("{\"sequences\": [{\"name\": \"s\", \"start\": 1.5}]}", 1, 39,
        "sequences[0].start: expected a whole number");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\", "
        "\"identity\": \"yes\"}]}]}",
        1, 65, "tables[0].columns[0].identity: expected \"auto\", \"always\" or \"by_default\"");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\", \"default\": null,"
        " \"references\": {\"table\": \"u\", \"column\": \"id\", \"on_delete\": \"drop\"}}]}]}",
        1, 128,
        "tables[0].columns[0].references.on_delete: expected \"no action\", \"restrict\", "
        "\"cascade\", \"set null\" or \"set default\"");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\", \"default\": []}]}]}",
        1, 64, "tables[0].columns[0].default: expected a string, number or boolean");

    /* missing and empty names */
    ERR("{\"tables\": [\n  {\"columns\": []}\n]}", 2, 3, "tables[0]: missing \"name\"");
    ERR("{\"tables\": [{\"name\": \"\"}]}", 1, 22, "tables[0].name: must not be empty");
    ERR("{\"tables\": [{\"name\": \"t\", \"comment\": \"\"}]}", 1, 38,
        "tables[0].comment: must not be empty (omit the key instead)");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\", \"default\": \"\"}]}]}",
        1, 64, "tables[0].columns[0].default: must not be empty (an empty SQL string is \"''\")");

    /* duplicates */
    ERR("{\"tables\": [{\"name\": \"t\"},\n {\"name\": \"t\"}]}", 2, 11,
        "tables[1].name: duplicate name \"t\": already a table");
    ERR("{\"tables\": [{\"name\": \"t\", \"schema\": \"a\"}, {\"name\": \"t\"}],"
        " \"views\": [{\"name\": \"t\", \"schema\": \"a\", \"definition\": \"SELECT 1\"}]}",
        1, 78, "views[0].name: duplicate name \"t\": already a table");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"},\n"
        "  {\"name\": \"a\"}]}]}",
        2, 12, "tables[0].columns[1].name: duplicate column \"a\" in table \"t\"");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}], \"indexes\": [\n"
        "  {\"name\": \"i\", \"columns\": [\"a\"]},\n  {\"name\": \"i\", \"columns\": [\"a\"]}]}]}",
        3, 12, "tables[0].indexes[1].name: duplicate index \"i\" in table \"t\"");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}],"
        " \"primary_key\": {\"name\": \"k\", \"columns\": [\"a\"]},"
        " \"checks\": [{\"name\": \"k\", \"expr\": \"a > 0\"}]}]}",
        1, 123, "tables[0].checks[0].name: duplicate constraint name \"k\" in table \"t\"");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}],"
        " \"primary_key\": {\"columns\": [\"a\", \"a\"]}}]}",
        1, 88, "tables[0].primary_key.columns[1]: \"a\" is listed twice");
    ERR("{\"enums\": [{\"name\": \"e\", \"values\": [\"x\"]}, {\"name\": \"e\", \"values\": []}]}",
        1, 53, "enums[1].name: duplicate enum \"e\"");

    /* columns that the table lacks, at the name that is wrong */
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}],\n"
        "  \"primary_key\": {\"columns\": [\"a\", \"b\"]}}]}",
        2, 36, "tables[0].primary_key.columns[1]: table \"t\" has no column \"b\"");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}],\n"
        "  \"uniques\": [{\"columns\": [\"c\"]}]}]}",
        2, 28, "tables[0].uniques[0].columns[0]: table \"t\" has no column \"c\"");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}],\n"
        "  \"indexes\": [{\"name\": \"i\", \"columns\": [\"a\", \"zz\"]}]}]}",
        2, 46, "tables[0].indexes[0].columns[1]: table \"t\" has no column \"zz\"");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}],\n"
        "  \"indexes\": [{\"name\": \"i\", \"columns\": [{\"column\": \"q\", \"desc\": true}]}]}]}",
        2, 52, "tables[0].indexes[0].columns[0].column: table \"t\" has no column \"q\"");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}],\n"
        "  \"indexes\": [{\"name\": \"i\", \"columns\": [\"a\"], \"include\": [\"n\"]}]}]}",
        2, 59, "tables[0].indexes[0].include[0]: table \"t\" has no column \"n\"");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}],\n"
        "  \"indexes\": [{\"name\": \"i\", \"columns\": [{\"column\": \"a\", "
        "\"expr\": \"a+1\"}]}]}]}",
        2, 41, "tables[0].indexes[0].columns[0]: needs exactly one of \"column\" and \"expr\"");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}],\n"
        "  \"indexes\": [{\"name\": \"i\", \"columns\": []}]}]}",
        2, 40, "tables[0].indexes[0].columns: must list at least one column or expression");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}],\n"
        "  \"foreign_keys\": [{\"columns\": [\"b\"], \"references\": {\"table\": \"u\", "
        "\"columns\": [\"id\"]}}]}]}",
        2, 33, "tables[0].foreign_keys[0].columns[0]: table \"t\" has no column \"b\"");
    /* foreign key column counts */
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}, {\"name\": \"b\"}],\n"
        "  \"foreign_keys\": [{\"columns\": [\"a\", \"b\"],\n"
        "    \"references\": {\"table\": \"u\", \"columns\": [\"id\"]}}]}]}",
        3, 45, "tables[0].foreign_keys[0].references.columns: the foreign key has 2 columns "
               "but references 1");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\"}],\n"
        "  \"foreign_keys\": [{\"columns\": [\"a\"]}]}]}",
        2, 20, "tables[0].foreign_keys[0]: missing \"references\"");

    /* shorthand conflicts */
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\", \"primary_key\": true}],\n"
        "  \"primary_key\": {\"columns\": [\"a\"]}}]}",
        2, 3, "tables[0].primary_key: the primary key is also declared on column \"a\"");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\", \"identity\": \"always\","
        " \"generated\": {\"expr\": \"1\"}}]}]}",
        1, 75, "tables[0].columns[0].generated: a column cannot be both generated and an identity");
    ERR("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\", \"references\": "
        "{\"table\": \"u\"}}]}]}",
        1, 67, "tables[0].columns[0].references: missing \"column\"");
    ERR("{\"tables\": [{\"name\": \"t\", \"options\": {\"a=b\": \"1\"}}]}", 1, 39,
        "tables[0].options.a=b: an option name must be non-empty without '='");
    ERR("{\"sequences\": [{\"name\": \"s\", \"increment\": 0}]}", 1, 43,
        "sequences[0].increment: must not be 0");

    /* columns count characters, not bytes: "é" and "😀" are one column each */
    ERR("{\"tables\": [{\"name\": \"\xc3\xa9\xf0\x9f\x98\x80\", \"comment\": 1}]}", 1, 39,
        "tables[0].comment: expected a string");
    /* an escaped member name is still found in the position index */
    ERR("{\"tables\": [{\"name\": \"t\", \"col\\u0075mns\": [{\"name\": 5}]}]}", 1, 53,
        "tables[0].columns[0].name: expected a string");
    /* a byte order mark is skipped and not counted as a column */
    ERR("\xEF\xBB\xBF{\"tables\": 1}", 1, 12, "tables: expected an array");
    /* tabs and CRLF line ends */
    ERR("{\r\n\t\"views\": [\r\n\t\t{\"name\": \"v\"}]}", 3, 3,
        "views[0]: missing \"definition\"");
}

static void test_snapshot(cairn_ctx *cx)
{
    size_t len;
    char *text = fixture("snapshot.json", &len);
    cairn_snapshot snap;
    int rc = text ? cairn_json_read_snapshot(cx, text, len, "snapshot.json", &snap) : -1;
    CHECK(rc == 0, "read snapshot: %s", cairn_ctx_error(cx)->message);
    if (rc) {
        free(text);
        return;
    }
    CHECK_STR(snap.id, "20261121093000_create_users");
    CHECK_STR(snap.parent, "20261120080000_init");
    CHECK_STR(snap.dialect, "sqlite");
    CHECK(snap.schema && snap.schema->ntables == 2, "snapshot schema");
    cairn_buf b;
    cairn_buf_init(&b);
    CHECK(cairn_json_write_snapshot(cx, &snap, &b) == 0, "write snapshot");
    CHECK(strcmp(cairn_buf_cstr(&b), text) == 0, "snapshot not reproduced:\n%s",
          cairn_buf_cstr(&b));
    cairn_snapshot_release(&snap);
    CHECK(snap.id == NULL && snap.schema == NULL, "release clears");
    cairn_snapshot_release(&snap); /* twice is harmless */

    /* the first migration: parent null */
    cairn_snapshot first = {.id = "20260101000000_init", .schema = cairn_schema_new()};
    cairn_buf_reset(&b);
    CHECK(cairn_json_write_snapshot(cx, &first, &b) == 0, "write first");
    CHECK_STR(cairn_buf_cstr(&b), "{\n  \"version\": 1,\n  \"id\": \"20260101000000_init\",\n"
                                  "  \"parent\": null,\n  \"schema\": {}\n}\n");
    cairn_snapshot back;
    CHECK(cairn_json_read_snapshot(cx, b.data, b.len, "s.json", &back) == 0, "read first");
    CHECK(back.parent == NULL && back.dialect == NULL && back.schema, "first snapshot fields");
    cairn_snapshot_release(&back);
    cairn_schema_free(first.schema);
    cairn_buf_release(&b);
    free(text);

    /* corrupt snapshots: CAIRN_EINTEGRITY with a position */
    static const struct {
        const char *text;
        int line, col;
        const char *msg;
    } bad[] = {
        {"{\"version\": 1, \"id\": \"x\",", 1, 25,
         "invalid JSON: string or '}' expected near end of file"},
        {"{\"version\": 2, \"id\": \"x\", \"schema\": {}}", 1, 13,
         "version: unsupported snapshot version 2 (this cairn reads version 1)"},
        {"{\"id\": \"x\", \"schema\": {}}", 1, 1, "missing \"version\""},
        {"{\"version\": 1, \"id\": \"x\"}", 1, 1, "missing \"schema\""},
        {"{\"version\": 1, \"id\": \"x\", \"parent\": 3, \"schema\": {}}", 1, 37,
         "parent: expected a string"},
        {"{\"version\": 1, \"id\": \"x\",\n \"schema\": {\"tables\": [{\"nam\": \"t\"}]}}", 2,
         25, "schema.tables[0].nam: unknown key (did you mean \"name\"?)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cairn_snapshot s;
        rc = cairn_json_read_snapshot(cx, bad[i].text, strlen(bad[i].text), "s.json", &s);
        const cairn_error *e = cairn_ctx_error(cx);
        char want[512];
        snprintf(want, sizeof want, "s.json:%d:%d: %s", bad[i].line, bad[i].col, bad[i].msg);
        CHECK(rc == CAIRN_EINTEGRITY && s.schema == NULL && s.id == NULL, "bad snapshot %zu", i);
        CHECK(e->line == bad[i].line && e->column == bad[i].col, "bad snapshot %zu at %d:%d", i,
              e->line, e->column);
        CHECK(e->message && strcmp(e->message, want) == 0, "bad snapshot %zu: [%s]", i,
              e->message);
    }
}

typedef struct seen {
    char text[1024];
} seen;

static int config_cb(cairn_ctx *cx, void *ud, const char *key, const char *value, int line,
                     int column)
{
    seen *s = ud;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%s=%s@%d:%d;", key, value, line, column);
    if (strcmp(key, "refuse") == 0)
        return cairn_err_at(cx, CAIRN_ECONFIG, "c.json", line, column, "unknown key \"%s\"", key);
    return 0;
}

static void test_config(cairn_ctx *cx)
{
    const char *text = "{\n  \"dialect\": \"sqlite\",\n  \"lock_timeout\": 5000,\n"
                       "  \"ratio\": 1.50,\n  \"verbose\": true,\n"
                       "  \"tables\": [\"users\", \"post*\"],\n  \"namespaces\": []\n}\n";
    seen s = {{0}};
    int rc = cairn_json_read_config(cx, text, strlen(text), "c.json", config_cb, &s);
    CHECK(rc == 0, "config: %s", cairn_ctx_error(cx)->message);
    CHECK_STR(s.text, "dialect=sqlite@2:3;lock_timeout=5000@3:3;ratio=1.50@4:3;verbose=true@5:3;"
                      "tables=users,post*@6:3;namespaces=@7:3;");

    /* a section's members come as "section.member", at their own names */
    seen s1 = {{0}};
    const char *t1 = "{\"lint\": {\"ignore\": [\"CA201\", \"CA301\"],\n \"error\": \"CA103\"}}";
    rc = cairn_json_read_config(cx, t1, strlen(t1), "c.json", config_cb, &s1);
    CHECK(rc == 0, "config section: %s", cairn_ctx_error(cx)->message);
    CHECK_STR(s1.text, "lint.ignore=CA201,CA301@1:11;lint.error=CA103@2:2;");

    /* the callback's error stops the read and stays as it is */
    seen s2 = {{0}};
    const char *t2 = "{\"a\": \"1\",\n \"refuse\": 2, \"b\": 3}";
    rc = cairn_json_read_config(cx, t2, strlen(t2), "c.json", config_cb, &s2);
    CHECK(rc == CAIRN_ECONFIG && cairn_ctx_error(cx)->line == 2 &&
              cairn_ctx_error(cx)->column == 2,
          "callback error at its key");
    CHECK_STR(s2.text, "a=1@1:2;refuse=2@2:2;");

    static const struct {
        const char *text;
        int line, col;
        const char *msg;
    } bad[] = {
        {"{\"url\": \"x\"", 1, 11, "invalid JSON: '}' expected near end of file"},
        {"[\"url\"]", 1, 1, "the document must be a JSON object"},
        {"{\"lint\": {\"ignore\": {\"a\": 1}}}", 1, 21,
         "lint.ignore: expected a string, number, boolean or array of strings"},
        {"{\"lint\": {\"error\": [\"CA101\", 2]}}", 1, 30, "lint.error[1]: expected a string"},
        {"{\"url\": null}", 1, 9, "url: expected a string, number, boolean or array of strings"},
        {"{\n\"tables\": [\"a\", 2]}", 2, 17, "tables[1]: expected a string"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        seen s3 = {{0}};
        rc = cairn_json_read_config(cx, bad[i].text, strlen(bad[i].text), "c.json", config_cb,
                                    &s3);
        const cairn_error *e = cairn_ctx_error(cx);
        char want[512];
        snprintf(want, sizeof want, "c.json:%d:%d: %s", bad[i].line, bad[i].col, bad[i].msg);
        CHECK(rc == CAIRN_ECONFIG, "bad config %zu: rc %d", i, rc);
        CHECK(e->message && strcmp(e->message, want) == 0, "bad config %zu: [%s]", i,
              e->message);
        CHECK(s3.text[0] == '\0', "bad config %zu: no callback", i);
    }
}

/* A NUL byte in any JSON input is one positioned syntax error: jansson and
 * the position index used to disagree on what follows it (a crash in
 * export, a corrupt snapshot that passed check). */
static void test_nul_bytes(cairn_ctx *cx)
{
    enum { SCHEMA, SNAPSHOT, CONFIG };
    static const struct {
        int reader;
        const char *text;
        size_t len; /* sizeof - 1: the NUL is part of the text */
        int line, col;
    } bad[] = {
#define T(s) s, sizeof s - 1
        /* the reported crash: jansson took "true\0}" for "true}" */
        {SCHEMA,
         T("{\"tables\":[{\"name\":\"t\",\"columns\":[{\"name\":\"a\",\"type\":\"int\","
           "\"not_null\":true\0}]}],\"views\":[{\"name\":\"v\",\"definition\":\"select 1\"}]}"),
         1, 75},
        {SCHEMA, T("{\"tables\": [{\"name\": \"t\0u\"}]}"), 1, 24},
        {SCHEMA, T("\0{}"), 1, 1},
        {SCHEMA, T("{}\0"), 1, 3},
        {SCHEMA, T("{}\n\0\0"), 2, 1},
        /* after a byte order mark, on line 2, behind a two-byte character */
        {SCHEMA, T("\xEF\xBB\xBF{\n  \"views\": \"\xc3\xa9\0\"}"), 2, 14},
        {SNAPSHOT, T("{\"version\": 1, \"id\": \"x\",\n \"schema\": {\"tables\": [1]\0}}"), 2, 26},
        {SNAPSHOT, T("{\"version\": 1, \"id\": \"x\", \"schema\": {}}\0 trailing"), 1, 40},
        {CONFIG, T("{\"dialect\": \"sqlite\"\0}"), 1, 21},
        {CONFIG, T("{\"tables\": [\"a\",\0 \"b\"]}"), 1, 17},
#undef T
    };
    static const char *const fname[] = {"t.json", "s.json", "c.json"};
    static const int code[] = {CAIRN_ESCHEMA, CAIRN_EINTEGRITY, CAIRN_ECONFIG};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int k = bad[i].reader, rc;
        cairn_schema *s = NULL;
        cairn_snapshot snap;
        seen cfg = {{0}};
        if (k == SCHEMA)
            rc = cairn_json_read_schema(cx, bad[i].text, bad[i].len, fname[k], &s);
        else if (k == SNAPSHOT)
            rc = cairn_json_read_snapshot(cx, bad[i].text, bad[i].len, fname[k], &snap);
        else
            rc = cairn_json_read_config(cx, bad[i].text, bad[i].len, fname[k], config_cb, &cfg);
        const cairn_error *e = cairn_ctx_error(cx);
        char want[256];
        snprintf(want, sizeof want, "%s:%d:%d: invalid JSON: a NUL byte is not allowed",
                 fname[k], bad[i].line, bad[i].col);
        CHECK(rc == code[k], "NUL case %zu: rc %d", i, rc);
        CHECK(e->line == bad[i].line && e->column == bad[i].col, "NUL case %zu: at %d:%d", i,
              e->line, e->column);
        CHECK(e->message && strcmp(e->message, want) == 0, "NUL case %zu: got [%s], want [%s]",
              i, e->message ? e->message : "(null)", want);
        CHECK(s == NULL && cfg.text[0] == '\0', "NUL case %zu: nothing read", i);
        if (k == SNAPSHOT)
            CHECK(snap.schema == NULL && snap.id == NULL, "NUL case %zu: no snapshot", i);
        cairn_schema_free(s);
    }
}

/* ---- a property test of positions: random documents, random layout ---- */

typedef struct gen {
    cairn_buf b;
    int line, col; /* position of the next character */
    unsigned seed;
} gen;

static unsigned gen_rand(gen *g)
{
    g->seed = g->seed * 1103515245u + 12345u;
    return (g->seed >> 16) & 0x7fff;
}

static void gen_emit(gen *g, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n') {
            g->line++;
            g->col = 1;
        } else if ((*p & 0xC0) != 0x80) {
            g->col++;
        }
    }
    cairn_buf_puts(&g->b, s);
}

static void gen_ws(gen *g)
{
    static const char *const ws[] = {"", "", " ", "  ", "\n", "\n    ", "\t", "\r\n ", " \n\t"};
    gen_emit(g, ws[gen_rand(g) % 9]);
}

/* A JSON string for `s`, each character spelled plainly or as an escape. */
static void gen_str(gen *g, const char *s)
{
    gen_emit(g, "\"");
    for (const char *p = s; *p;) {
        char piece[16];
        unsigned char c = (unsigned char)*p;
        if (c == 0xC3 && (unsigned char)p[1] >= 0x80 && gen_rand(g) % 2) {
            snprintf(piece, sizeof piece, "\\u00%02x", 0xC0 + ((unsigned char)p[1] & 0x3F));
            p += 2;
        } else if (c == '"' || c == '\\') {
            snprintf(piece, sizeof piece, gen_rand(g) % 2 ? "\\%c" : "\\u%04x", c);
            p++;
        } else if (c < 0x80 && gen_rand(g) % 4 == 0) {
            snprintf(piece, sizeof piece, "\\u%04x", c);
            p++;
        } else {
            size_t n = c < 0x80 ? 1 : 2;
            memcpy(piece, p, n);
            piece[n] = '\0';
            p += n;
        }
        gen_emit(g, piece);
    }
    gen_emit(g, "\"");
}

static void gen_key(gen *g, const char *k)
{
    gen_ws(g);
    gen_str(g, k);
    gen_ws(g);
    gen_emit(g, ":");
    gen_ws(g);
}

static void test_positions_property(cairn_ctx *cx)
{
    int wrong = 0;
    for (unsigned iter = 0; iter < 400; iter++) {
        gen g = {.line = 1, .col = 1, .seed = iter * 7919u + 1};
        cairn_buf_init(&g.b);
        unsigned ntables = 1 + gen_rand(&g) % 4;
        unsigned bad_t = gen_rand(&g) % ntables, bad_c = 0;
        int want_line = 0, want_col = 0;
        gen_emit(&g, "{");
        gen_key(&g, "tables");
        gen_emit(&g, "[");
        for (unsigned t = 0; t < ntables; t++) {
            unsigned ncols = 1 + gen_rand(&g) % 4;
            if (t == bad_t)
                bad_c = gen_rand(&g) % ncols;
            char name[32];
            snprintf(name, sizeof name, "t\xc3\xa9%u", t);
            gen_ws(&g);
            gen_emit(&g, t ? ",{" : "{");
            /* members in a random order: the reader fetches them by name */
            unsigned order = gen_rand(&g) % 3;
            for (unsigned m = 0; m < 3; m++) {
                unsigned which = (m + order) % 3;
                if (m)
                    gen_emit(&g, ",");
                if (which == 0) {
                    gen_key(&g, "name");
                    gen_str(&g, name);
                } else if (which == 1) {
                    gen_key(&g, "comment");
                    gen_str(&g, "caf\xc3\xa9 \"q\" \\ x");
                } else {
                    gen_key(&g, "columns");
                    gen_emit(&g, "[");
                    for (unsigned c = 0; c < ncols; c++) {
                        char cname[16];
                        snprintf(cname, sizeof cname, "c%u", c);
                        gen_ws(&g);
                        gen_emit(&g, c ? ",{" : "{");
                        gen_key(&g, "name");
                        gen_str(&g, cname);
                        gen_emit(&g, ",");
                        gen_key(&g, "type");
                        if (t == bad_t && c == bad_c) {
                            want_line = g.line;
                            want_col = g.col;
                            gen_emit(&g, "-12.5e3");
                        } else {
                            gen_str(&g, "integer");
                        }
                        gen_ws(&g);
                        gen_emit(&g, "}");
                    }
                    gen_ws(&g);
                    gen_emit(&g, "]");
                }
            }
            gen_ws(&g);
            gen_emit(&g, "}");
        }
        gen_ws(&g);
        gen_emit(&g, "]}");
        gen_ws(&g);

        cairn_schema *s = NULL;
        int rc = cairn_json_read_schema(cx, g.b.data, g.b.len, "p.json", &s);
        const cairn_error *e = cairn_ctx_error(cx);
        char want[256];
        snprintf(want, sizeof want, "p.json:%d:%d: tables[%u].columns[%u].type: expected a string",
                 want_line, want_col, bad_t, bad_c);
        if (rc != CAIRN_ESCHEMA || !e->message || strcmp(e->message, want) != 0) {
            if (!wrong++)
                printf("document %u:\n%s\ngot [%s]\nwant [%s]\n", iter, g.b.data,
                       e->message ? e->message : "", want);
        }
        cairn_schema_free(s);
        cairn_buf_release(&g.b);
    }
    CHECK(wrong == 0, "%d of 400 random documents put the error elsewhere", wrong);
}

/* Mutated copies of full.json: each is refused with a position, or reads,
 * and then what it writes reads back and writes the same bytes. The
 * alphabet ends with a NUL byte (sizeof counts it). */
static void test_mutations(cairn_ctx *cx)
{
    size_t len;
    char *orig = fixture("full.json", &len);
    if (!orig)
        return;
    static const char alphabet[] = "\"',:[]{}0-1.aze \n\t\\tfn\0";
    gen g = {.seed = 42};
    int refused = 0, read_ok = 0, broken = 0;
    char *m = malloc(len + 64);
    for (int iter = 0; m && iter < 3000; iter++) {
        memcpy(m, orig, len);
        size_t mlen = len;
        int edits = 1 + (int)(gen_rand(&g) % 3);
        for (int k = 0; k < edits; k++) {
            size_t at = (gen_rand(&g) * 32768u + gen_rand(&g)) % mlen;
            unsigned op = gen_rand(&g) % 3;
            if (op == 0) {
                m[at] = alphabet[gen_rand(&g) % (sizeof alphabet - 1)];
            } else if (op == 1 && mlen > 1) {
                memmove(m + at, m + at + 1, mlen - at - 1);
                mlen--;
            } else {
                memmove(m + at + 1, m + at, mlen - at);
                m[at] = alphabet[gen_rand(&g) % (sizeof alphabet - 1)];
                mlen++;
            }
        }
        cairn_schema *s = NULL;
        int rc = cairn_json_read_schema(cx, m, mlen, "m.json", &s);
        if (rc) {
            refused++;
            if (rc != CAIRN_ESCHEMA || cairn_ctx_error(cx)->line < 1)
                broken++;
            continue;
        }
        read_ok++;
        char *a = write_schema(cx, s), *b = NULL;
        cairn_schema *s2 = a ? read_schema(cx, a) : NULL;
        b = s2 ? write_schema(cx, s2) : NULL;
        if (!a || !b || strcmp(a, b) != 0)
            broken++;
        free(a);
        free(b);
        cairn_schema_free(s);
        cairn_schema_free(s2);
    }
    CHECK(broken == 0 && refused > 0 && read_ok > 0,
          "mutations: %d refused, %d read, %d broken", refused, read_ok, broken);
    free(m);
    free(orig);
}

/* The complete example of docs/schema-format.md is a valid document. */
static void test_doc_example(cairn_ctx *cx)
{
    char *md = fixture("docs/schema-format.md", NULL);
    char *start = md ? strstr(md, "```json\n") : NULL;
    char *end = start ? strstr(start + 8, "```") : NULL;
    CHECK(start && end, "the example in docs/schema-format.md");
    if (start && end) {
        *end = '\0';
        cairn_schema *s = read_schema(cx, start + 8);
        CHECK(s && s->ntables == 1 && s->tables[0]->ncolumns == 8 && s->tables[0]->nfkeys == 2,
              "the documented example reads");
        cairn_schema_free(s);
    }
    free(md);
}

/* Through the public API and the config loader of ctx.c. */
static void test_public(void)
{
    cairn_ctx *cx;
    cairn_ctx_new(&cx);
    cairn_schema *s = NULL;
    CHECK(cairn_schema_from_json(cx, "{\"tables\": [{\"name\": \"t\", \"columns\": "
                                     "[{\"name\": \"id\", \"type\": \"integer\", "
                                     "\"primary_key\": true}]}]}",
                                 "inline", &s) == 0,
          "from_json");
    char *out = NULL;
    CHECK(s && cairn_schema_to_json(cx, s, &out) == 0, "to_json");
    CHECK_STR(out, "{\n  \"tables\": [\n    {\n      \"name\": \"t\",\n      \"columns\": [\n"
                   "        {\n          \"name\": \"id\",\n          \"type\": \"integer\"\n"
                   "        }\n      ],\n      \"primary_key\": {\n        \"columns\": [\n"
                   "          \"id\"\n        ]\n      }\n    }\n  ]\n}\n");
    cairn_free(out);
    cairn_schema_free(s);
    s = NULL;
    CHECK(cairn_schema_from_json(cx, "{\"tables\": 1}", "inline", &s) == CAIRN_ESCHEMA && !s,
          "from_json error");
    CHECK_STR(cairn_ctx_error(cx)->message, "inline:1:12: tables: expected an array");

    /* a config file: unknown keys are reported at their position */
    char dir[] = "/tmp/cairn_json_cfg_XXXXXX";
    if (mkdtemp(dir)) {
        char path[256];
        snprintf(path, sizeof path, "%s/cairn.json", dir);
        FILE *f = fopen(path, "w");
        fputs("{\n  \"dialect\": \"sqlite\",\n  \"tables\": [\"a\", \"b\"],\n"
              "  \"lock_timeout\": 250\n}\n",
              f);
        fclose(f);
        CHECK(cairn_ctx_load_config(cx, path) == 0, "load config: %s",
              cairn_ctx_error(cx)->message);
        CHECK_STR(cairn_ctx_get(cx, "dialect"), "sqlite");
        CHECK_STR(cairn_ctx_get(cx, "tables"), "a,b");
        CHECK_STR(cairn_ctx_get(cx, "lock_timeout"), "250");
        f = fopen(path, "w");
        fputs("{\n  \"dialect\": \"sqlite\",\n    \"dialcet\": \"x\"\n}\n", f);
        fclose(f);
        CHECK(cairn_ctx_load_config(cx, path) == CAIRN_ECONFIG, "unknown config key");
        CHECK(cairn_ctx_error(cx)->line == 3 && cairn_ctx_error(cx)->column == 5,
              "config key position %d:%d", cairn_ctx_error(cx)->line,
              cairn_ctx_error(cx)->column);
        f = fopen(path, "w");
        fputs("{\n  \"dialect\": \"sqlite\"\n  \"url\": \"x\"\n}\n", f);
        fclose(f);
        CHECK(cairn_ctx_load_config(cx, path) == CAIRN_ECONFIG, "config syntax");
        CHECK(cairn_ctx_error(cx)->line == 3 && cairn_ctx_error(cx)->column == 7,
              "config syntax position %d:%d", cairn_ctx_error(cx)->line,
              cairn_ctx_error(cx)->column);
        remove(path);
        remove(dir);
    }
    cairn_ctx_free(cx);
}

/* Positions of schema objects by name, for errors found after reading. */
static void test_locate(void)
{
    const char *t = "{ \"tables\": [\n"
                    "  { \"name\": \"a\", \"columns\": [ { \"name\": \"id\" } ] },\n"
                    "  { \"name\": \"users\",\n"
                    "    \"columns\": [ { \"name\": \"id\" },\n"
                    "                 { \"name\": \"e.mail\", \"type\": \"txet\" } ] } ] }";
    int line = 0, col = 0;
    CHECK(cairn_json_locate(t, strlen(t), "tables[users]/columns[e.mail]/type", &line, &col) &&
              line == 5 && col == 38,
          "locate a column's type: %d:%d", line, col);
    CHECK(cairn_json_locate(t, strlen(t), "tables[users]", &line, &col) && line == 3 && col == 3,
          "locate a table (the element itself): %d:%d", line, col);
    CHECK(!cairn_json_locate(t, strlen(t), "tables[users]/checks", &line, &col),
          "a missing member is not found");
    CHECK(!cairn_json_locate(t, strlen(t), "tables[nosuch]/columns", &line, &col),
          "a missing name is not found");
    CHECK(!cairn_json_locate("[1,", 3, "tables", &line, &col), "broken text finds nothing");
}

/* drizzle-kit's meta/_journal.json: the members cairn import reads, and
 * errors at their positions. */
static void test_journal(cairn_ctx *cx)
{
    static const char good[] =
        "{\n  \"version\": \"7\",\n  \"dialect\": \"sqlite\",\n  \"entries\": [\n"
        "    { \"idx\": 0, \"version\": \"6\", \"when\": 1796547593342, \"tag\": \"0000_init\","
        " \"breakpoints\": true },\n"
        "    { \"idx\": 1, \"when\": 1796547928926, \"tag\": \"0001_add\", \"new\": 1 }\n  ]\n}\n";
    cairn_journal j;
    int rc = cairn_json_read_journal(cx, good, strlen(good), "_journal.json", &j);
    CHECK(rc == 0 && j.n == 2, "journal: %d %s", rc, cairn_ctx_error(cx)->message);
    if (rc == 0 && j.n == 2) {
        CHECK_STR(j.dialect, "sqlite");
        CHECK_STR(j.v[0].tag, "0000_init");
        CHECK(j.v[1].when == 1796547928926LL && j.v[1].line == 6, "when %lld line %d",
              (long long)j.v[1].when, j.v[1].line);
    }
    cairn_journal_release(&j);
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"{ \"entries\": [ { \"tag\": \"0000_x\" } ] }", "j:1:16: entries[0]: missing \"when\""},
        {"{ \"entries\": [ { \"when\": 1 } ] }", "j:1:16: entries[0]: missing \"tag\""},
        {"{ \"entries\": [ 3 ] }", "j:1:16: entries[0]: expected an object"},
        {"{ \"dialect\": \"sqlite\" }", "j:1:1: missing \"entries\""},
        {"{ \"entries\": [ { \"when\": \"x\", \"tag\": \"t\" } ] }", "entries[0].when: expected a whole number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rc = cairn_json_read_journal(cx, bad[i].text, strlen(bad[i].text), "j", &j);
        CHECK(rc == CAIRN_ECONFIG && strstr(cairn_ctx_error(cx)->message, bad[i].want),
              "bad journal %zu: %d %s", i, rc, cairn_ctx_error(cx)->message);
    }
}

int main(void)
{
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx))
        return 1;
    test_full_round_trip(cx);
    test_objects(cx);
    test_constraint_options(cx);
    test_shorthands(cx);
    test_deterministic(cx);
    test_errors(cx);
    test_snapshot(cx);
    test_config(cx);
    test_nul_bytes(cx);
    test_doc_example(cx);
    test_positions_property(cx);
    test_mutations(cx);
    test_public();
    test_locate();
    test_journal(cx);
    cairn_ctx_free(cx);
    return check_done();
}
