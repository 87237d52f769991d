/* buf.c: strings, quoting, statement splitting, history lists. */
#include <stddef.h>
#include <stdint.h>
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

/* DELIMITER, the mysql client's directive: read in a .sql schema, written
 * by export / pull --output x.sql for a dialect whose client needs it. */
static void test_delimiter(void)
{
    const char *sql = "CREATE TABLE t (id int); -- a; comment\n"
                      "/*!50003 SET @m = @@sql_mode */ ;\n"
                      "INSERT INTO t VALUES (';'), (\"it\\\";s\"); /* ; */\n"
                      "delimiter ;;\n"
                      "CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW\nBEGIN SET @a = 1; END ;;\n"
                      "DELIMITER ;\n"
                      "CREATE TABLE delimiter (a int);\n";
    CHECK(cairn_sql_has_delimiter_line(sql), "a DELIMITER line is found");
    CHECK(!cairn_sql_has_delimiter_line("CREATE TABLE t (\n  delimiters int);"), "not a directive");
    cairn_script sc;
    CHECK(cairn_split_script(sql, &sc) == 0, "split");
    CHECK(sc.n == 5, "n = %zu", sc.n);
    if (sc.n == 5) {
        CHECK_STR(sc.sql[0], "CREATE TABLE t (id int)");
        /* a comment after a statement's end starts the next, as in the client */
        CHECK_STR(sc.sql[1], "-- a; comment\n/*!50003 SET @m = @@sql_mode */");
        CHECK_STR(sc.sql[2], "INSERT INTO t VALUES (';'), (\"it\\\";s\")");
        CHECK_STR(sc.sql[3], "CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW\nBEGIN SET @a = 1; END");
        CHECK_STR(sc.sql[4], "CREATE TABLE delimiter (a int)");
        CHECK(sc.line[0] == 1 && sc.line[3] == 5 && sc.line[4] == 8, "lines %d %d %d", sc.line[0],
              sc.line[3], sc.line[4]);
    }
    cairn_script_free(&sc);
    /* a DELIMITER line inside a statement is the statement's */
    CHECK(cairn_split_script("CREATE TABLE t (\ndelimiter int);", &sc) == 0 && sc.n == 1,
          "a column named delimiter");
    cairn_script_free(&sc);
    CHECK(cairn_split_script("SELECT 1;\n\n  DELIMITER  \nSELECT 2;", &sc) == CAIRN_ESCHEMA &&
              sc.bad_line == 3,
          "DELIMITER without one: line %d", sc.bad_line);

    cairn_stmts st;
    cairn_stmts_init(&st);
    cairn_stmts_add(&st, "CREATE TABLE t (a varchar(3) DEFAULT ';')", 0);
    /* ";;" in a string is no delimiter */
    cairn_stmts_add(&st, "CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET @a = ';;'; END", 0);
    char *out = NULL;
    CHECK(cairn_migfile_script(NULL, &st, 1, &out) == 0, "script");
    CHECK_STR(out, "CREATE TABLE t (a varchar(3) DEFAULT ';');\n\n"
                   "DELIMITER ;;\nCREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET @a = "
                   "';;'; END;;\nDELIMITER ;\n\n");
    free(out);
    CHECK(cairn_migfile_script(NULL, &st, 0, &out) == 0, "script");
    CHECK(!strstr(out, "DELIMITER"), "no DELIMITER for a dialect whose client needs none");
    free(out);
    cairn_stmts_release(&st);
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

/* Past CAIRN_MEM_BIG a buffer moves to huge pages instead of growing in
 * place: every byte must come along, appended or reserved. */
static void test_big(void)
{
    cairn_buf b;
    cairn_buf_init(&b);
    char chunk[1000];
    size_t total = (size_t)5 << 20;
    size_t n = 0;
    for (size_t i = 0; i < total; i += sizeof chunk, n += sizeof chunk) {
        for (size_t j = 0; j < sizeof chunk; j++)
            chunk[j] = (char)('a' + (i + j) % 23);
        cairn_buf_append(&b, chunk, sizeof chunk);
    }
    int same = b.len == n && !b.oom && b.data[n] == '\0';
    for (size_t i = 0; same && i < n; i++)
        same = b.data[i] == (char)('a' + i % 23);
    CHECK(same, "5 MB appended in 1,000-byte steps kept (len %zu)", b.len);
    CHECK(b.cap >= CAIRN_MEM_BIG && b.cap >= b.len + 1, "cap %zu", b.cap);
    char *s = cairn_buf_steal(&b);
    free(s); /* a huge-page block is freed with free() */
    CHECK(cairn_buf_reserve(&b, (size_t)3 << 20) == 0 && b.cap >= ((size_t)3 << 20) + 1 &&
              b.len == 0 && b.data[0] == '\0',
          "reserved at once: cap %zu", b.cap);
    cairn_buf_puts(&b, "tail");
    CHECK_STR(cairn_buf_cstr(&b), "tail");
    cairn_buf_release(&b);
}

/* Blocks grow from 16 KiB to huge pages: what is allocated is zeroed,
 * aligned, and stays put while more is allocated. */
static void test_arena(void)
{
    cairn_arena *a = cairn_arena_new();
    enum { N = 40000 };
    static unsigned char *p[N];
    size_t size[N];
    int zero = 1, aligned = 1;
    for (size_t i = 0; i < N; i++) {
        size[i] = i % 97 == 0 ? 70000 + i : 1 + i % 300; /* now and then a big one */
        if (i == N / 2)
            size[i] = (size_t)3 << 20; /* larger than a block of any size */
        p[i] = cairn_arena_alloc(a, size[i]);
        for (size_t j = 0; p[i] && j < size[i]; j++)
            zero &= p[i][j] == 0;
        aligned &= p[i] && (uintptr_t)p[i] % _Alignof(max_align_t) == 0;
        if (p[i])
            memset(p[i], (int)(i % 251) + 1, size[i]);
    }
    int kept = 1;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; p[i] && j < size[i]; j += 61)
            kept &= p[i][j] == (unsigned char)((i % 251) + 1);
    CHECK(zero && aligned && kept, "zeroed %d, aligned %d, kept %d", zero, aligned, kept);
    cairn_arena_free(a);
}

int main(void)
{
    test_blank();
    test_quote();
    test_split();
    test_delimiter();
    test_stmts_history();
    test_big();
    test_arena();
    return check_done();
}
