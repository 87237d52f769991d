/* libFuzzer target: a schema document and a snapshot read on two threads
 * (json.c doc_split, forced at any size), sequentially, and sequentially
 * with the position index built before the walk (as every read did before
 * the index was made only for a message). All three reads must give the
 * same result: the same refusal with the same message and position, or
 * the same model (written back byte for byte). */
#include "fuzz.h"

typedef struct result {
    int rc, line, col;
    char *message;
    cairn_buf json;
} result;

static void read_doc(cairn_ctx *cx, const char *text, size_t len, int snapshot, result *out)
{
    memset(out, 0, sizeof *out);
    cairn_buf_init(&out->json);
    cairn_err_clear(cx);
    if (snapshot) {
        cairn_snapshot snap;
        out->rc = cairn_json_read_snapshot(cx, text, len, "snapshot.json", &snap);
        if (!out->rc) {
            FUZZ_CHECK(cairn_json_write_snapshot(cx, &snap, &out->json) == 0, "write");
            cairn_snapshot_release(&snap);
        }
    } else {
        cairn_schema *s = NULL;
        out->rc = cairn_json_read_schema(cx, text, len, "schema.json", &s);
        if (!out->rc) {
            FUZZ_CHECK(cairn_json_write_schema(cx, s, &out->json) == 0, "write");
            cairn_schema_free(s);
        }
    }
    const cairn_error *e = cairn_ctx_error(cx);
    if (out->rc) {
        out->line = e->line;
        out->col = e->column;
        out->message = e->message ? strdup(e->message) : NULL;
    }
}

static void both(cairn_ctx *cx, const char *text, size_t len, int snapshot)
{
    result seq, par, first;
    /* the position index built first (as every read did before it was
     * made only for a message), then without it, then split */
    cx->json_split_min = SIZE_MAX;
    cx->json_index_first = 1;
    read_doc(cx, text, len, snapshot, &first);
    cx->json_index_first = 0;
    read_doc(cx, text, len, snapshot, &seq);
    FUZZ_CHECK(first.rc == seq.rc, "rc %d with the index first, %d without", first.rc, seq.rc);
    FUZZ_CHECK((!first.message && !seq.message) ||
                   (first.message && seq.message && strcmp(first.message, seq.message) == 0),
               "[%s] with the index first, [%s] without", first.message ? first.message : "(none)",
               seq.message ? seq.message : "(none)");
    FUZZ_CHECK(first.line == seq.line && first.col == seq.col,
               "%d:%d with the index first, %d:%d without", first.line, first.col, seq.line,
               seq.col);
    if (first.rc == 0)
        fuzz_same_text(&first.json, &seq.json);
    free(first.message);
    cairn_buf_release(&first.json);
    cx->json_split_min = 1;
    read_doc(cx, text, len, snapshot, &par);
    FUZZ_CHECK(seq.rc == par.rc, "rc %d sequential, %d split", seq.rc, par.rc);
    FUZZ_CHECK((!seq.message && !par.message) ||
                   (seq.message && par.message && strcmp(seq.message, par.message) == 0),
               "[%s] sequential, [%s] split", seq.message ? seq.message : "(none)",
               par.message ? par.message : "(none)");
    FUZZ_CHECK(seq.line == par.line && seq.col == par.col, "%d:%d sequential, %d:%d split",
               seq.line, seq.col, par.line, par.col);
    if (seq.rc == 0)
        fuzz_same_text(&seq.json, &par.json);
    free(seq.message);
    free(par.message);
    cairn_buf_release(&seq.json);
    cairn_buf_release(&par.json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx))
        return 0;
    both(cx, (const char *)data, size, 0);
    both(cx, (const char *)data, size, 1);
    cairn_ctx_free(cx);
    return 0;
}
