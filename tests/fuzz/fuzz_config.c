/* libFuzzer target: the config file reader (cairn_json_read_config).
 * Any input is either refused with a positioned CAIRN_ECONFIG, or each
 * top-level key reaches the callback once, in text order, with a value
 * and a position. */
#include "fuzz.h"

typedef struct seen {
    size_t calls;
    int line, column; /* of the previous key */
} seen;

static int on_setting(cairn_ctx *cx, void *ud, const char *key, const char *value, int line,
                      int column)
{
    (void)cx;
    seen *s = ud;
    FUZZ_CHECK(key && value, "a setting without a key or a value");
    FUZZ_CHECK(line > s->line || (line == s->line && column > s->column),
               "\"%s\" at %d:%d does not follow %d:%d", key, line, column, s->line, s->column);
    s->line = line;
    s->column = column;
    s->calls++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx))
        return 0;
    seen s = {0, 0, 0};
    int rc = cairn_json_read_config(cx, (const char *)data, size, "cairn.json", on_setting, &s);
    if (rc)
        fuzz_refused(cx, rc, CAIRN_ECONFIG, "cairn.json");
    cairn_ctx_free(cx);
    return 0;
}
