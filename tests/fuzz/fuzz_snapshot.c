/* libFuzzer target: the snapshot reader (cairn_json_read_snapshot).
 * Any input is either refused with a positioned CAIRN_EINTEGRITY, or read;
 * a snapshot that reads is written, read back and written again to the
 * same bytes. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx))
        return 0;
    cairn_snapshot snap, back;
    int rc = cairn_json_read_snapshot(cx, (const char *)data, size, "snapshot.json", &snap);
    if (rc) {
        fuzz_refused(cx, rc, CAIRN_EINTEGRITY, "snapshot.json");
        FUZZ_CHECK(!snap.id && !snap.schema, "a refused snapshot must be empty");
        cairn_ctx_free(cx);
        return 0;
    }
    FUZZ_CHECK(snap.id && snap.schema, "a snapshot has an id and a schema");
    cairn_buf a, b;
    cairn_buf_init(&a);
    cairn_buf_init(&b);
    rc = cairn_json_write_snapshot(cx, &snap, &a);
    FUZZ_CHECK(rc == 0, "write: %s", cairn_ctx_error(cx)->message);
    rc = cairn_json_read_snapshot(cx, a.data, a.len, "written.json", &back);
    FUZZ_CHECK(rc == 0, "read back: %s\n%s", cairn_ctx_error(cx)->message, cairn_buf_cstr(&a));
    rc = cairn_json_write_snapshot(cx, &back, &b);
    FUZZ_CHECK(rc == 0, "write again: %s", cairn_ctx_error(cx)->message);
    fuzz_same_text(&a, &b);
    cairn_buf_release(&a);
    cairn_buf_release(&b);
    cairn_snapshot_release(&snap);
    cairn_snapshot_release(&back);
    cairn_ctx_free(cx);
    return 0;
}
