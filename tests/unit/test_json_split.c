/* json.c's split read: a large document's tables array parsed on two
 * threads (doc_split). Every document here is read three times, on two
 * threads, sequentially (cx->json_split_min = SIZE_MAX), and sequentially
 * with the position index built before the walk (cx->json_index_first, as
 * every read did before the index was made only for a message), and must
 * give the same model or exactly the same error, line and column; the
 * documents that jansson accepts must really have been split
 * (cx->json_splits). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"

/* just over the 256 KiB threshold: about 280 KiB laid out, 290 KiB on
 * one line (twice the tables) */
#define NTABLES 400

#define MB "\xC3\xA9\xE6\xBC\xA2\xE5\xAD\x97" /* three characters, eight bytes */

/* One table, as `cairn pull` lays it out (its braces at `ind` spaces), or
 * all on one line when `ind` < 0. */
static void gen_table(cairn_buf *b, int i, int ind)
{
    if (ind < 0) {
        cairn_buf_printf(b, "{\"name\": \"t%05d\", \"comment\": \"" MB " %d\", \"columns\": [",
                         i, i);
        for (int c = 0; c < 6; c++)
            cairn_buf_printf(b, "%s{\"name\": \"c%d\", \"type\": \"%s\", \"not_null\": true}",
                             c ? ", " : "", c, c ? "text" : "bigint");
        cairn_buf_puts(b, "]}");
        return;
    }
    cairn_buf_printf(b,
                     "%*s{\n%*s\"name\": \"t%05d\",\n%*s\"comment\": \"" MB " %d\",\n"
                     "%*s\"columns\": [\n",
                     ind, "", ind + 2, "", i, ind + 2, "", i, ind + 2, "");
    for (int c = 0; c < 6; c++)
        cairn_buf_printf(b,
                         "%*s{\n%*s\"name\": \"c%d\",\n%*s\"type\": \"%s\",\n"
                         "%*s\"not_null\": true\n%*s}%s\n",
                         ind + 4, "", ind + 6, "", c, ind + 6, "", c ? "text" : "bigint", ind + 6,
                         "", ind + 4, "", c < 5 ? "," : "");
    cairn_buf_printf(b, "%*s]\n%*s}", ind + 2, "", ind, "");
}

/* A schema document of `n` tables and a view: laid out (`base`: the
 * indentation of its members), or on one line when `base` < 0. */
static void gen_schema_obj(cairn_buf *b, int n, int base)
{
    if (base < 0)
        cairn_buf_puts(b, "{\"dialect\": \"postgresql\", \"tables\": [");
    else
        cairn_buf_printf(b, "{\n%*s\"dialect\": \"postgresql\",\n%*s\"tables\": [\n", base, "",
                         base, "");
    for (int i = 0; i < n; i++) {
        if (i)
            cairn_buf_puts(b, base < 0 ? ", " : ",\n");
        gen_table(b, i, base < 0 ? -1 : base + 2);
    }
    if (base < 0)
        cairn_buf_puts(b, "], \"views\": [{\"name\": \"v1\", \"definition\": \"SELECT 1\"}]}");
    else
        cairn_buf_printf(b,
                         "\n%*s],\n%*s\"views\": [\n"
                         "%*s{\"name\": \"v1\", \"definition\": \"SELECT 1\"}\n"
                         "%*s]\n%*s}",
                         base, "", base, "", base + 2, "", base, "", base - 2, "");
}

static char *gen_schema(int n, int compact)
{
    cairn_buf b;
    cairn_buf_init(&b);
    gen_schema_obj(&b, compact ? n * 2 : n, compact ? -1 : 2);
    cairn_buf_puts(&b, "\n");
    return cairn_buf_steal(&b);
}

static char *gen_snapshot(int n)
{
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_buf_puts(&b, "{\n  \"version\": 1,\n  \"id\": \"20260101000000_big\",\n  \"schema\": ");
    gen_schema_obj(&b, n, 4);
    cairn_buf_puts(&b, "\n}\n");
    return cairn_buf_steal(&b);
}

/* `text` with the first `from` at or after the first `anchor` made `to`. */
static char *edit(char *text, const char *anchor, const char *from, const char *to)
{
    char *a = strstr(text, anchor), *f = a ? strstr(a, from) : NULL;
    CHECK(f != NULL, "no [%s] after [%s]", from, anchor);
    if (!f)
        return text;
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_buf_append(&b, text, (size_t)(f - text));
    cairn_buf_puts(&b, to);
    cairn_buf_puts(&b, f + strlen(from));
    free(text);
    return cairn_buf_steal(&b);
}

/* Where doc_split cuts a laid out document: the comma of the first
 * element boundary past the middle of the text from the tables array on. */
static char *cut_of(char *text)
{
    char *arr = strstr(text, "\"tables\": [") + 10;
    char *mid = arr + strlen(arr) / 2;
    char *b = strstr(mid, "\n    },\n    {");
    return b ? b + 6 : NULL;
}

typedef struct result {
    int rc, line, col;
    char *message, *json;
} result;

static void read_doc(cairn_ctx *cx, const char *text, size_t len, int snapshot, result *out)
{
    memset(out, 0, sizeof *out);
    cairn_schema *s = NULL;
    cairn_snapshot snap;
    if (snapshot) {
        out->rc = cairn_json_read_snapshot(cx, text, len, "t.json", &snap);
        s = out->rc ? NULL : snap.schema;
    } else {
        out->rc = cairn_json_read_schema(cx, text, len, "t.json", &s);
    }
    if (out->rc) {
        const cairn_error *e = cairn_ctx_error(cx);
        out->message = strdup(e->message ? e->message : "");
        out->line = e->line;
        out->col = e->column;
    } else {
        CHECK(cairn_schema_to_json(cx, s, &out->json) == 0, "write");
        if (snapshot) {
            CHECK_STR(snap.id, "20260101000000_big");
            cairn_snapshot_release(&snap);
        } else {
            cairn_schema_free(s);
        }
    }
}

/* `text` read split and sequentially: the same result, `want` in the
 * error (NULL: none), and split when `split`. */
static void same(cairn_ctx *cx, int line_no, const char *text, size_t len, int snapshot,
                 const char *want, int split)
{
    result seq, par, first;
    /* as every document was read before the index was made lazily: the
     * index first, sequentially */
    cx->json_split_min = SIZE_MAX;
    cx->json_index_first = 1;
    read_doc(cx, text, len, snapshot, &first);
    cx->json_index_first = 0;
    read_doc(cx, text, len, snapshot, &seq);
    CHECK(first.rc == seq.rc && first.line == seq.line && first.col == seq.col &&
              ((!first.message && !seq.message) ||
               (first.message && seq.message && strcmp(first.message, seq.message) == 0)) &&
              ((!first.json && !seq.json) ||
               (first.json && seq.json && strcmp(first.json, seq.json) == 0)),
          "case at line %d: [%s] %d:%d with the index first, [%s] %d:%d without", line_no,
          first.message ? first.message : "(none)", first.line, first.col,
          seq.message ? seq.message : "(none)", seq.line, seq.col);
    free(first.message);
    free(first.json);
    cx->json_split_min = 0;
    unsigned before = cx->json_splits;
    read_doc(cx, text, len, snapshot, &par);
    CHECK(split ? len >= (256u << 10) && len < (320u << 10) : len < (256u << 10) || want,
          "case at line %d: %zu bytes", line_no, len);
    CHECK((cx->json_splits != before) == split, "case at line %d: split %u, want %d", line_no,
          cx->json_splits - before, split);
    CHECK(seq.rc == par.rc, "case at line %d: rc %d sequential, %d split", line_no, seq.rc,
          par.rc);
    if (want)
        CHECK(seq.rc && seq.message && strstr(seq.message, want), "case at line %d: got [%s]",
              line_no, seq.message ? seq.message : "(none)");
    else
        CHECK(seq.rc == 0, "case at line %d: [%s]", line_no, seq.message);
    CHECK((!seq.message && !par.message) ||
              (seq.message && par.message && strcmp(seq.message, par.message) == 0),
          "case at line %d: [%s] sequential, [%s] split", line_no,
          seq.message ? seq.message : "(none)", par.message ? par.message : "(none)");
    CHECK(seq.line == par.line && seq.col == par.col,
          "case at line %d: %d:%d sequential, %d:%d split", line_no, seq.line, seq.col, par.line,
          par.col);
    CHECK((!seq.json && !par.json) || (seq.json && par.json && strcmp(seq.json, par.json) == 0),
          "case at line %d: the models differ", line_no);
    free(seq.message);
    free(seq.json);
    free(par.message);
    free(par.json);
}

#define SAME(text, want, split) same(cx, __LINE__, text, strlen(text), 0, want, split)

/* A generated document (a snapshot when `doc` is 2, on one line when 1)
 * with one edit (see edit), read both ways. */
static void edited(cairn_ctx *cx, int line_no, int doc, const char *anchor, const char *from,
                   const char *to, const char *want, int split)
{
    char *t = doc == 2 ? gen_snapshot(NTABLES) : gen_schema(NTABLES, doc);
    t = edit(t, anchor, from, to);
    same(cx, line_no, t, strlen(t), doc == 2, want, split);
    free(t);
}
#define EDITED(doc, anchor, from, to, want, split) \
    edited(cx, __LINE__, doc, anchor, from, to, want, split)

static void test_good(cairn_ctx *cx)
{
    char *t = gen_schema(NTABLES, 0);
    SAME(t, NULL, 1);
    /* a byte order mark is skipped before the split, as before the parse */
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_buf_puts(&b, "\xEF\xBB\xBF");
    cairn_buf_puts(&b, t);
    char *bom = cairn_buf_steal(&b);
    SAME(bom, NULL, 1);
    free(bom);
    /* CRLF lines: not the layout looked for, so the elements are skipped */
    cairn_buf_init(&b);
    for (const char *p = t; *p; p++)
        cairn_buf_puts(&b, *p == '\n' ? "\r\n" : (char[]){*p, '\0'});
    char *crlf = cairn_buf_steal(&b);
    SAME(crlf, NULL, 1);
    free(crlf);
    free(t);
    /* all on one line: the cut is in the middle of a line, after
     * multibyte characters */
    t = gen_schema(NTABLES, 1);
    SAME(t, NULL, 1);
    free(t);
    /* below the threshold: read as before */
    t = gen_schema(NTABLES / 4, 0);
    SAME(t, NULL, 0);
    free(t);
}

static void test_syntax_errors(cairn_ctx *cx)
{
    /* in the first half, in the second half, at the cut, after the array:
     * the split is given up and the message is the sequential read's */
    EDITED(0, "\"t00010\"", "\"type\": \"bigint\"", "\"type\" \"bigint\"", "invalid JSON", 0);
    EDITED(0, "\"t00390\"", "\"type\": \"bigint\"", "\"type\": bigint", "invalid JSON", 0);
    char *t = gen_schema(NTABLES, 0);
    char *cut = cut_of(t);
    CHECK(cut && *cut == ',', "no cut");
    if (cut)
        *cut = ' '; /* the comma between the halves missing */
    SAME(t, "invalid JSON", 0);
    free(t);
    EDITED(0, "\"views\"", "\"SELECT 1\"}", "\"SELECT 1\",}", "invalid JSON", 0);
    EDITED(1, "\"t00590\"", "\"c3\"", "\"c3\" \"x\"", "invalid JSON", 0);
    /* a duplicate member name in the second half, and a second "tables" */
    EDITED(0, "\"t00300\"", "\"comment\"", "\"name\": \"x\", \"comment\"",
           "duplicate object key", 0);
    EDITED(0, "\"views\"", "\"views\"", "\"tables\": [], \"views\"", "duplicate object key", 0);
    /* a NUL byte in the second half */
    t = gen_schema(NTABLES, 0);
    size_t len = strlen(t);
    char *nul = strstr(t, "\"t00350\"");
    nul[3] = '\0';
    same(cx, __LINE__, t, len, 0, "NUL byte", 0);
    free(t);
}

/* Nesting deeper than the second thread takes: read sequentially, so
 * jansson's depth limit counts from the root as before. */
static void test_depth(cairn_ctx *cx)
{
    /* the second half is parsed one level nearer the root: around 2044
     * the sequential read is refused at jansson's limit of 2048 where the
     * second thread alone would not be */
    int depths[] = {100, 2042, 2043, 2044, 2045, 2046};
    for (int i = 0; i < 6; i++) {
        cairn_buf b;
        cairn_buf_init(&b);
        cairn_buf_puts(&b, "\"type\": \"text\", \"default\": ");
        for (int d = 0; d < depths[i]; d++)
            cairn_buf_puts(&b, "[");
        for (int d = 0; d < depths[i]; d++)
            cairn_buf_puts(&b, "]");
        char *deep = cairn_buf_steal(&b);
        EDITED(0, "\"t00300\"", "\"type\": \"text\"", deep, i ? "" : "columns[1].default", 0);
        free(deep);
    }
}

static void test_semantic_errors(cairn_ctx *cx)
{
    /* errors of the walk, on the spliced tree: the halves' positions */
    EDITED(0, "\"t00010\"", "\"not_null\": true", "\"not_null\": 1",
           "tables[10].columns[0].not_null: expected true or false", 1);
    EDITED(0, "\"t00390\"", "\"not_null\": true", "\"not_null\": 1",
           "tables[390].columns[0].not_null: expected true or false", 1);
    /* the first element after the cut */
    char *t = gen_schema(NTABLES, 0);
    char *cut = cut_of(t);
    CHECK(cut != NULL, "no cut");
    if (cut) {
        char *after = strstr(cut, "\"comment\"");
        memcpy(after, "\"commant\"", 9);
    }
    SAME(t, "unknown key (did you mean \"comment\"?)", 1);
    free(t);
    /* a name in the second half taken in the first */
    EDITED(0, "\"t00395\"", "\"t00395\"", "\"t00005\"", "tables[395].name: duplicate", 1);
    /* the member after the tables array */
    EDITED(0, "\"views\"", "\"name\": \"v1\"", "\"name\": 5",
           "views[0].name: expected a string", 1);
    /* a view named like a table of the second half (walked on its thread) */
    EDITED(0, "\"views\"", "\"name\": \"v1\"", "\"name\": \"t00395\"",
           "views[0].name: duplicate name \"t00395\": already a table", 1);
    /* on one line: after the cut, on its line, and after the array's ']'
     * on the same line, past multibyte characters on both sides of the cut */
    EDITED(1, "\"t00590\"", "\"not_null\": true", "\"not_null\": 1",
           "tables[590].columns[0].not_null: expected true or false", 1);
    EDITED(1, "\"views\"", "\"name\": \"v1\"", "\"name\": 5",
           "views[0].name: expected a string", 1);
}

static void test_snapshots(cairn_ctx *cx)
{
    char *t = gen_snapshot(NTABLES);
    same(cx, __LINE__, t, strlen(t), 1, NULL, 1);
    free(t);
    EDITED(2, "\"t00390\"", "\"not_null\": true", "\"not_null\": 1",
           "schema.tables[390].columns[0].not_null", 1);
    EDITED(2, "\"t00390\"", "\"not_null\": true", "\"not_null\" 1", "invalid JSON", 0);
}

int main(void)
{
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx))
        return 1;
    test_good(cx);
    test_syntax_errors(cx);
    test_depth(cx);
    test_semantic_errors(cx);
    test_snapshots(cx);
    cairn_ctx_free(cx);
    return check_done();
}
