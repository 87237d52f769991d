/*
 * One golden case: tests/golden/<case>/ holds from.json (absent: the empty
 * schema), to.json, an optional `renames` file (one "old=new" per line, as
 * --rename takes them), and either expected.plan and expected.sql or
 * `error` (the one-line message it must stop with). expected.plan is the
 * core's plan, one change per line, with no dialect's SQL in it: what the
 * case states about the diff. expected.sql is the SQLite migration written
 * from that plan (the SQLite driver is the one these cases run with).
 *
 *     run_golden <case-dir> <dialect-dir>
 *
 * Where the dialect gives a scratch database, the case also checks that the
 * SQL converges: `from` built there, the SQL applied, the database read
 * back equals `to`.
 *
 * With UPDATE_GOLDEN=1 in the environment, the expected file is rewritten
 * from what the code gives (read the result before committing it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "plan_text.h"

static int passed, failed;

static char *slurp(cairn_ctx *cx, const char *dir, const char *name, int required)
{
    char *path = cairn_path_join(dir, name), *data = NULL;
    size_t len;
    if (path && (required || cairn_file_exists(path)) && cairn_read_file(cx, path, &data, &len))
        data = NULL;
    free(path);
    return data;
}

static int load(cairn_ctx *cx, cairn_session *s, const char *dir, const char *name,
                cairn_schema **out)
{
    *out = NULL;
    char *text = slurp(cx, dir, name, 1);
    if (!text)
        return cairn_ctx_error(cx)->code;
    int rc = cairn_schema_from_json(cx, text, name, out);
    free(text);
    if (!rc)
        rc = cairn_session_normalize(cx, s, *out);
    return rc;
}

/* Run migration text on a connection the way `migrate` does: one
 * transaction, statement by statement. */
static int apply(cairn_ctx *cx, const cairn_dialect *d, cairn_dconn *c, const char *sql)
{
    char **stmts;
    size_t n;
    if (cairn_split_statements(sql, &stmts, &n))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    int rc = d->begin(c);
    for (size_t i = 0; !rc && i < n; i++)
        rc = d->exec(c, stmts[i]);
    rc = rc ? (d->rollback(c), rc) : d->commit(c);
    cairn_strv_free(stmts, n);
    return rc;
}

/* The SQL must do what it says: build `from` in a scratch database, run the
 * migration, read the database back, and find nothing left to change. */
static int converge(cairn_ctx *cx, cairn_session *s, const cairn_schema *from,
                    const cairn_schema *to, const char *sql, int *same)
{
    const cairn_dialect *d = s->drv.d;
    cairn_dconn *c = NULL;
    cairn_plan *create = NULL;
    char *create_sql = NULL;
    cairn_schema *live = NULL;
    int rc = d->scratch_connect(s->ds, NULL, &c);
    if (!rc && from)
        rc = cairn_diff(cx, NULL, from, NULL, &create);
    if (!rc && from)
        rc = cairn_plan_sql(cx, create, &create_sql);
    if (!rc && from)
        rc = apply(cx, d, c, create_sql);
    if (!rc)
        rc = apply(cx, d, c, sql);
    if (!rc)
        rc = cairn_session_introspect(cx, s, c, &live);
    if (!rc)
        rc = cairn_schema_same(cx, live, to, same);
    if (c)
        d->scratch_release(c);
    cairn_schema_free(live);
    free(create_sql);
    cairn_plan_free(create);
    return rc;
}

/* The case's result: the SQL, or "error: <message>" text for `error`. */
static int run_case(cairn_ctx *cx, const char *dir, cairn_buf *plan_txt, char **sql,
                    const char **err,
                    const char **diverged)
{
    cairn_session *s;
    cairn_schema *from = NULL, *to = NULL;
    cairn_plan *plan = NULL;
    char *renames = slurp(cx, dir, "renames", 0);
    const char *list[64];
    cairn_diff_opts opts = {.renames = list};
    for (char *line = renames, *next; line && *line && opts.nrenames < 64; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        else
            next = line + strlen(line);
        if (*line)
            list[opts.nrenames++] = line;
    }
    char *from_path = cairn_path_join(dir, "from.json");
    int rc = cairn_session_get(cx, &s);
    if (!rc && from_path && cairn_file_exists(from_path))
        rc = load(cx, s, dir, "from.json", &from);
    if (!rc)
        rc = load(cx, s, dir, "to.json", &to);
    if (!rc)
        rc = cairn_diff(cx, from, to, &opts, &plan);
    if (!rc)
        plan_text(plan, plan_txt);
    if (!rc)
        rc = cairn_plan_sql(cx, plan, sql);
    if (rc) {
        *err = cairn_ctx_error(cx)->message;
    } else if (CAIRN_DIALECT_HAS(s->drv.d, scratch_connect)) {
        int same = 0;
        if (converge(cx, s, from, to, *sql, &same))
            *diverged = cairn_ctx_error(cx)->message;
        else if (!same)
            *diverged = "the database after the migration still differs from to.json";
    }
    cairn_plan_free(plan);
    cairn_schema_free(from);
    cairn_schema_free(to);
    free(from_path);
    free(renames);
    return rc;
}

/* Compare `got` with <dir>/<name>, or rewrite it when updating. */
static void expect_file(const char *dir, const char *name, const char *got, int update)
{
    cairn_ctx *quiet;
    cairn_ctx_new(&quiet);
    if (update) {
        char *path = cairn_path_join(dir, name);
        if (!path || cairn_write_file_atomic(quiet, path, got, strlen(got))) {
            printf("FAIL %s: cannot write %s\n", dir, name);
            failed++;
        } else {
            printf("updated %s\n", path);
            passed++;
        }
        free(path);
    } else {
        char *expected = slurp(quiet, dir, name, 1);
        if (!expected) {
            printf("FAIL %s: no %s (run with UPDATE_GOLDEN=1 to write it)\n", dir, name);
            failed++;
        } else if (strcmp(expected, got) != 0) {
            printf("FAIL %s: %s differs\n--- expected\n%s--- got\n%s", dir, name, expected, got);
            failed++;
        } else {
            passed++;
        }
        free(expected);
    }
    cairn_ctx_free(quiet);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: run_golden <case-dir> <dialect-dir>\n");
        return 2;
    }
    const char *dir = argv[1];
    int update = getenv("UPDATE_GOLDEN") && strcmp(getenv("UPDATE_GOLDEN"), "1") == 0;
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx) || cairn_ctx_set(cx, "dialect", "sqlite") ||
        cairn_ctx_set(cx, "dialect_path", argv[2]))
        return 2;

    char *err_path = cairn_path_join(dir, "error");
    int want_error = err_path && cairn_file_exists(err_path);
    char *sql = NULL;
    const char *err = NULL, *diverged = NULL;
    cairn_buf plan;
    cairn_buf_init(&plan);
    int rc = run_case(cx, dir, &plan, &sql, &err, &diverged);

    if (diverged) {
        printf("FAIL %s: applying the SQL to a scratch database: %s\n", dir, diverged);
        failed++;
    }
    if (rc && !want_error) {
        printf("FAIL %s: the diff stopped: %s\n", dir, err ? err : "(no message)");
        failed++;
    } else if (!rc && want_error) {
        printf("FAIL %s: expected an error, got SQL:\n%s", dir, sql);
        failed++;
    } else if (want_error) {
        cairn_buf got;
        cairn_buf_init(&got);
        cairn_buf_printf(&got, "%s\n", err ? err : "(no message)");
        expect_file(dir, "error", cairn_buf_cstr(&got), update);
        cairn_buf_release(&got);
    } else {
        expect_file(dir, "expected.plan", cairn_buf_cstr(&plan), update);
        expect_file(dir, "expected.sql", sql ? sql : "", update);
    }
    cairn_buf_release(&plan);
    free(sql);
    free(err_path);
    cairn_ctx_free(cx);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
