/* libFuzzer target: a snapshot read with the schema being generated in
 * hand (snapreuse.c), against the full read of the same text. The schema
 * is fixed (below; the seeds are snapshots of it and of changes to it).
 * When the reuse reads the input, the full read must read it too, to the
 * same snapshot (written back byte for byte), and each borrowed table's
 * text must be what the table writes; when the full read refuses it, the
 * reuse must give up (the caller then reads it in full and reports that). */
#include "fuzz.h"

static const char *const schema_json =
    "{\"tables\": ["
    "{\"name\": \"a\", \"columns\": [{\"name\": \"id\", \"type\": \"integer\", \"not_null\": true},"
    " {\"name\": \"x\", \"type\": \"text\", \"was\": \"old_x\"}],"
    " \"primary_key\": {\"columns\": [\"id\"]},"
    " \"uniques\": [{\"name\": \"a_x\", \"columns\": [\"x\"]}],"
    " \"checks\": [{\"name\": \"a_c\", \"expr\": \"id > 0\"}]},"
    "{\"name\": \"b\", \"comment\": \"quote \\\" \\\\ \\u00e9\","
    " \"columns\": [{\"name\": \"id\", \"type\": \"integer\"}, {\"name\": \"a_id\", \"type\": \"integer\"}],"
    " \"foreign_keys\": [{\"name\": \"b_a\", \"columns\": [\"a_id\"],"
    " \"references\": {\"table\": \"a\", \"columns\": [\"id\"]}, \"on_delete\": \"cascade\"}],"
    " \"indexes\": [{\"name\": \"b_ix\", \"columns\": [\"a_id\"]}]},"
    "{\"name\": \"c\", \"schema\": \"other\", \"columns\": [{\"name\": \"x\", \"type\": \"text\"}]},"
    "{\"name\": \"d\", \"columns\": [{\"name\": \"v\", \"type\": \"varchar(10)\", \"default\": \"'x'\"}]}"
    "], \"namespaces\": [\"other\"],"
    " \"views\": [{\"name\": \"v\", \"definition\": \"SELECT 1\"}],"
    " \"enums\": [{\"name\": \"e\", \"values\": [\"p\", \"q\"]}]}";

static void written(cairn_ctx *cx, cairn_snapshot *snap, cairn_buf *out)
{
    int rc = cairn_json_write_snapshot(cx, snap, out);
    FUZZ_CHECK(rc == 0, "write: %s", cairn_ctx_error(cx)->message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cairn_ctx *cx;
    cairn_schema *desired = NULL;
    if (cairn_ctx_new(&cx))
        return 0;
    int rc = cairn_schema_from_json(cx, schema_json, "schema.json", &desired);
    FUZZ_CHECK(rc == 0, "the fixed schema: %s", cairn_ctx_error(cx)->message);
    cairn_schema_sort(desired);
    const char *text = (const char *)data;
    cairn_snapshot full, reused;
    int frc = cairn_snapshot_from_text(cx, "snapshot.json", text, size, &full);
    int rrc = -1;
    cairn_reuse_span *spans = NULL;
    size_t nspans = 0;
    cairn_snapreuse *r = cairn_snapreuse_scan(text, size);
    if (r) {
        cairn_snapreuse_match(r, cx, desired);
        rrc = cairn_snapreuse_finish(r, cx, "snapshot.json", &reused, &spans, &nspans);
        cairn_snapreuse_free(r);
    }
    FUZZ_CHECK(!(rrc == 0 && frc != 0), "the reuse read a snapshot the full read refuses");
    if (rrc == 0) {
        cairn_buf a, b;
        cairn_buf_init(&a);
        cairn_buf_init(&b);
        written(cx, &full, &a);
        written(cx, &reused, &b);
        fuzz_same_text(&a, &b);
        for (size_t i = 0; i < nspans; i++) {
            cairn_buf w;
            cairn_buf_init(&w);
            cairn_json_write_table(cx, spans[i].table, 3, &w);
            FUZZ_CHECK(w.len == spans[i].len && memcmp(w.data, spans[i].at, w.len) == 0,
                       "borrowed table %s: its text is not what it writes", spans[i].table->name);
            cairn_buf_release(&w);
        }
        cairn_buf_release(&a);
        cairn_buf_release(&b);
        cairn_snapshot_release(&reused);
    }
    if (frc == 0)
        cairn_snapshot_release(&full);
    free(spans);
    cairn_schema_free(desired);
    cairn_ctx_free(cx);
    return 0;
}
