/* libFuzzer target: the schema JSON reader (cairn_json_read_schema).
 * Any input is either refused with a positioned CAIRN_ESCHEMA, or read;
 * a schema that reads is written, read back and written again to the same
 * bytes (what generate relies on to diff against a snapshot). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx))
        return 0;
    cairn_schema *s = NULL, *back = NULL;
    int rc = cairn_json_read_schema(cx, (const char *)data, size, "f.json", &s);
    if (rc) {
        fuzz_refused(cx, rc, CAIRN_ESCHEMA, "f.json");
        cairn_ctx_free(cx);
        return 0;
    }
    cairn_buf a, b;
    cairn_buf_init(&a);
    cairn_buf_init(&b);
    rc = cairn_json_write_schema(cx, s, &a);
    FUZZ_CHECK(rc == 0, "write: %s", cairn_ctx_error(cx)->message);
    rc = cairn_json_read_schema(cx, a.data, a.len, "written.json", &back);
    FUZZ_CHECK(rc == 0, "read back: %s\n%s", cairn_ctx_error(cx)->message, cairn_buf_cstr(&a));
    rc = cairn_json_write_schema(cx, back, &b);
    FUZZ_CHECK(rc == 0, "write again: %s", cairn_ctx_error(cx)->message);
    fuzz_same_text(&a, &b);
    cairn_buf_release(&a);
    cairn_buf_release(&b);
    cairn_schema_free(s);
    cairn_schema_free(back);
    cairn_ctx_free(cx);
    return 0;
}
