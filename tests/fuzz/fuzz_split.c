/* libFuzzer target: the migration.sql statement splitter
 * (cairn_split_statements) and its companions cairn_has_breakpoint_line
 * and cairn_sql_is_blank. The statements are trimmed and never empty, and
 * those without a breakpoint line, joined the way generate writes a
 * migration.sql, split back into themselves. */
#include "fuzz.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The splitter takes a C string, as migrate hands it the file's text:
     * a NUL byte in the input ends the text here too. */
    char *sql = fuzz_cstr(data, size);
    if (!sql)
        return 0;
    char **v = NULL, **back = NULL;
    size_t n = 0, nback = 0, kept = 0;
    FUZZ_CHECK(cairn_split_statements(sql, &v, &n) == 0, "split");
    (void)cairn_has_breakpoint_line(sql);

    cairn_buf joined;
    cairn_buf_init(&joined);
    size_t *keep = calloc(n ? n : 1, sizeof *keep);
    FUZZ_CHECK(keep != NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]);
        FUZZ_CHECK(len > 0 && !is_blank(v[i][0]) && !is_blank(v[i][len - 1]),
                   "statement %zu is not trimmed: [%s]", i, v[i]);
        (void)cairn_sql_is_blank(v[i]);
        if (cairn_has_breakpoint_line(v[i]))
            continue;
        if (kept)
            cairn_buf_puts(&joined, "\n" CAIRN_BREAKPOINT "\n");
        cairn_buf_puts(&joined, v[i]);
        keep[kept++] = i;
    }
    FUZZ_CHECK(!joined.oom, "out of memory");
    FUZZ_CHECK(cairn_split_statements(cairn_buf_cstr(&joined), &back, &nback) == 0, "split again");
    FUZZ_CHECK(nback == kept, "%zu statements joined, %zu split back", kept, nback);
    for (size_t i = 0; i < kept; i++)
        FUZZ_CHECK(strcmp(back[i], v[keep[i]]) == 0, "statement %zu: [%s] came back as [%s]", i,
                   v[keep[i]], back[i]);
    cairn_strv_free(back, nback);
    cairn_strv_free(v, n);
    cairn_buf_release(&joined);
    free(keep);
    free(sql);
    return 0;
}
