/* ctx.c: settings precedence, environment, errors (error.c), paths (fsutil.c). */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"

static void test_settings(void)
{
    cairn_ctx *cx;
    cairn_ctx_new(&cx);
    unsetenv("DATABASE_URL");
    CHECK_STR(cairn_ctx_get(cx, "migrations_table"), "__cairn_migrations");
    CHECK_STR(cairn_ctx_get(cx, "out"), "migrations");
    CHECK(cairn_ctx_get(cx, "url") == NULL, "no url");
    setenv("DATABASE_URL", "sqlite:/tmp/env.db", 1);
    CHECK_STR(cairn_ctx_get(cx, "url"), "sqlite:/tmp/env.db");
    CHECK(cairn_ctx_set(cx, "url", "sqlite:/tmp/flag.db") == 0, "set");
    CHECK_STR(cairn_ctx_get(cx, "url"), "sqlite:/tmp/flag.db");
    CHECK(cairn_ctx_set(cx, "nonsense", "x") == CAIRN_EUSAGE, "unknown key");
    CHECK(strstr(cairn_ctx_error(cx)->message, "nonsense") != NULL, "message names key");
    CHECK(cairn_ctx_set(cx, "lock_timeout", "soon") == CAIRN_EUSAGE, "bad timeout");
    CHECK(cairn_ctx_set(cx, "lock_timeout", "1500") == 0, "timeout");
    unsetenv("DATABASE_URL");
    cairn_ctx_free(cx);
}

static void test_errors(void)
{
    cairn_ctx *cx;
    cairn_ctx_new(&cx);
    CHECK(cairn_err(cx, CAIRN_EDB, "server said:\nline two\n") == CAIRN_EDB, "returns code");
    CHECK_STR(cairn_ctx_error(cx)->message, "server said: line two");
    cairn_err_at(cx, CAIRN_ESCHEMA, "schema.json", 3, 7, "expected a string");
    const cairn_error *e = cairn_ctx_error(cx);
    CHECK_STR(e->message, "schema.json:3:7: expected a string");
    CHECK(e->line == 3 && e->column == 7 && strcmp(e->file, "schema.json") == 0, "position");
    cairn_err_clear(cx);
    CHECK(cairn_ctx_error(cx)->code == 0, "cleared");
    cairn_ctx_free(cx);
}

static void test_paths(void)
{
    char *p = cairn_path_join("/a/b", "c");
    CHECK_STR(p, "/a/b/c");
    free(p);
    p = cairn_path_join("/a/b/", "/abs");
    CHECK_STR(p, "/abs");
    free(p);
    p = cairn_path_join(NULL, "rel");
    CHECK_STR(p, "rel");
    free(p);
}

int main(void)
{
    test_settings();
    test_errors();
    test_paths();
    return check_done();
}
