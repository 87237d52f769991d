/* buf.c: strings, quoting, statement splitting, history lists. */
#include <stdlib.h>

#include "check.h"
#include "internal.h"

static void test_quote(void)
{
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_buf_quote(&b, "we\"ird", '"');
    CHECK_STR(cairn_buf_cstr(&b), "\"we\"\"ird\"");
    cairn_buf_reset(&b);
    cairn_buf_quote(&b, "a`b", '`');
    CHECK_STR(cairn_buf_cstr(&b), "`a``b`");
    cairn_buf_reset(&b);
    cairn_buf_literal(&b, "it's; DROP TABLE x; --");
    CHECK_STR(cairn_buf_cstr(&b), "'it''s; DROP TABLE x; --'");
    cairn_buf_reset(&b);
    cairn_buf_quote(&b, "", '"');
    CHECK_STR(cairn_buf_cstr(&b), "\"\"");
    cairn_buf_reset(&b);
    cairn_buf_printf(&b, "%d-%s", 42, "x");
    cairn_buf_puts(&b, "!");
    CHECK_STR(cairn_buf_cstr(&b), "42-x!");
    CHECK(b.len == 5, "len %zu", b.len);
    char *s = cairn_buf_steal(&b);
    CHECK_STR(s, "42-x!");
    free(s);
    CHECK_STR(cairn_buf_cstr(&b), "");
    /* growth across many appends keeps every byte */
    for (int i = 0; i < 10000; i++)
        cairn_buf_append(&b, "abc", 3);
    CHECK(b.len == 30000 && memcmp(b.data + 29997, "abc", 3) == 0, "len %zu", b.len);
    cairn_buf_release(&b);
}

static void test_split(void)
{
    char **v;
    size_t n;
    const char *sql = "CREATE TABLE a (x int);\n--> statement-breakpoint\n"
                      "  CREATE INDEX i ON a (x);  \n"
                      "--> statement-breakpoint   \n"
                      "\n--> statement-breakpoint\n"
                      "INSERT INTO a VALUES ('--> statement-breakpoint inside a line');\n";
    CHECK(cairn_split_statements(sql, &v, &n) == 0, "split");
    CHECK(n == 3, "n = %zu", n);
    if (n == 3) {
        CHECK_STR(v[0], "CREATE TABLE a (x int);");
        CHECK_STR(v[1], "CREATE INDEX i ON a (x);");
        CHECK_STR(v[2], "INSERT INTO a VALUES ('--> statement-breakpoint inside a line');");
    }
    cairn_strv_free(v, n);
    CHECK(cairn_split_statements("", &v, &n) == 0 && n == 0, "empty text has no statement");
    cairn_strv_free(v, n);
    CHECK(cairn_split_statements("SELECT 1", &v, &n) == 0 && n == 1, "one statement, no newline");
    if (n == 1)
        CHECK_STR(v[0], "SELECT 1");
    cairn_strv_free(v, n);
}

static void test_stmts_history(void)
{
    cairn_stmts s;
    cairn_stmts_init(&s);
    for (int i = 0; i < 100; i++)
        cairn_stmts_add(&s, i % 2 ? "a" : "b", (uint32_t)i);
    CHECK(s.n == 100 && strcmp(s.sql[99], "a") == 0 && s.flags[99] == 99, "n=%zu", s.n);
    cairn_stmts_release(&s);

    cairn_history h;
    cairn_history_init(&h);
    cairn_applied row = {.name = "20260101000000_init", .checksum = "ab", .applied_at = "t",
                         .duration_ms = 5, .statements_done = 2, .statements_total = 2};
    CHECK(cairn_history_push(&h, &row) == 0, "push");
    row.name = "20260102000000_next";
    CHECK(cairn_history_push(&h, &row) == 0, "push");
    const cairn_applied *f = cairn_history_find(&h, "20260101000000_init");
    CHECK(f && f->duration_ms == 5 && strcmp(f->checksum, "ab") == 0, "found");
    CHECK(cairn_history_find(&h, "nope") == NULL, "not found");
    cairn_history_release(&h);
}

static void test_blank(void)
{
    CHECK(cairn_sql_is_blank(""), "empty");
    CHECK(cairn_sql_is_blank("  \n-- a comment\n /* block */ ;\n-- last"), "comments only");
    CHECK(!cairn_sql_is_blank("-- c\nSELECT 1"), "a statement after a comment");
    CHECK(!cairn_sql_is_blank("/* c */ DROP TABLE x"), "a statement after a block comment");
    CHECK(!cairn_sql_is_blank("/* unterminated"), "an unterminated comment goes to the server");
}

int main(void)
{
    test_blank();
    test_quote();
    test_split();
    test_stmts_history();
    return check_done();
}
