/* The loader refuses each broken driver with one line that names the file
 * and the problem, before running any of its code; a good driver loads,
 * is found by name and by URL scheme, and is listed. With a manifest beside
 * it, a driver is found by scheme without loading the others, and still
 * passes every check. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int passed, failed;

static void check(int ok, const char *what, const char *detail)
{
    if (ok) {
        passed++;
        printf("ok   %s\n", what);
    } else {
        failed++;
        printf("FAIL %s: %s\n", what, detail ? detail : "");
    }
}

/* Load <dir>/<variant>/stub.so and expect code + every needle in the message. */
static void refused(cairn_ctx *cx, const char *dir, const char *variant, int code,
                    const char *needle1, const char *needle2)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/stub.so", dir, variant);
    cairn_driver drv;
    int rc = cairn_loader_load_file(cx, path, &drv);
    const char *msg = cx->err.message ? cx->err.message : "";
    char what[256];
    snprintf(what, sizeof what, "%s is refused with code %d", variant, code);
    check(rc == code, what, msg);
    snprintf(what, sizeof what, "%s: message names the file and the problem", variant);
    check(strstr(msg, path) && strstr(msg, needle1) && (!needle2 || strstr(msg, needle2)) &&
              !strchr(msg, '\n'),
          what, msg);
    printf("     message: %s\n", msg);
    if (rc == 0)
        cairn_driver_release(&drv);
}

/* Has this process mapped <dir>/<variant>/stub.so? */
static int mapped(const char *dir, const char *variant)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/stub.so", dir, variant);
    void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (h)
        dlclose(h);
    return h != NULL;
}

/* Set the dialect path to <dir>/<variant>[:<dir>/<variant2>]. */
static void path_of(cairn_ctx *cx, const char *dir, const char *variant, const char *variant2)
{
    char p[8192];
    int n = snprintf(p, sizeof p, "%s/%s", dir, variant);
    if (variant2)
        snprintf(p + n, sizeof p - (size_t)n, ":%s/%s", dir, variant2);
    cairn_ctx_set(cx, "dialect_path", p);
}

static char debug_line[1024];
static void keep_debug(void *ud, cairn_log_level level, const char *line)
{
    (void)ud;
    if (level == CAIRN_LOG_DEBUG && strstr(line, "manifest ignored"))
        snprintf(debug_line, sizeof debug_line, "%s", line);
}

/* Look a URL up; expect `code` and, when given, `needle` in the message or
 * the path of the driver found. */
static void find_url(cairn_ctx *cx, const char *url, int code, const char *needle,
                     const char *what)
{
    cairn_driver drv;
    int rc = cairn_loader_find(cx, NULL, url, &drv);
    const char *got = rc ? cx->err.message : drv.path;
    check(rc == code && (!needle || strstr(got, needle)) && !strchr(got, '\n'), what, got);
    if (rc == 0)
        cairn_driver_release(&drv);
}

static void test_manifests(cairn_ctx *cx, const char *dir)
{
    unsetenv("CAIRN_DIALECT_PATH");
    path_of(cx, dir, "manifest", NULL);
    find_url(cx, "nosuch://x", CAIRN_EDIALECT, "no dialect driver serves URL scheme 'nosuch'",
             "a scheme no manifest lists: no driver");
    check(!mapped(dir, "manifest"), "... and the driver whose manifest does not list it is not loaded",
          NULL);
    find_url(cx, "stub://x", 0, "/manifest/stub.so", "found by the scheme its manifest lists");
    check(mapped(dir, "manifest"), "... and loaded then", NULL);
    cairn_driver drv;
    int rc = cairn_loader_find(cx, "stub", NULL, &drv);
    check(rc == 0, "a driver with a manifest is found by name", cx->err.message);
    if (rc == 0)
        cairn_driver_release(&drv);

    /* search order is unchanged: the first driver that serves, with or
     * without a manifest */
    path_of(cx, dir, "good", "manifest");
    find_url(cx, "stub://x", 0, "/good/stub.so", "a driver without manifest first on the path wins");
    path_of(cx, dir, "manifest", "good");
    find_url(cx, "stub://x", 0, "/manifest/stub.so", "a driver with manifest first on the path wins");

    /* a table that disagrees with its manifest is refused in one line */
    path_of(cx, dir, "manifest_lies", NULL);
    find_url(cx, "lies://x", CAIRN_EDIALECT,
             "manifest_lies/stub.so: its manifest lists schemes 'stub,lies', the driver serves 'stub'",
             "a manifest that lies is refused, naming the file");
    find_url(cx, "stub://x", CAIRN_EDIALECT, "manifest_lies/stub.so: its manifest lists",
             "... also for a scheme both list");
    rc = cairn_loader_find(cx, "stub", NULL, &drv);
    check(rc == CAIRN_EDIALECT && strstr(cx->err.message, "its manifest lists"),
          "... and by name", cx->err.message);
    cairn_dialect_info *list;
    size_t n;
    rc = cairn_dialects_list(cx, &list, &n);
    check(rc == 0 && n >= 1 && list[0].problem && strstr(list[0].problem, "its manifest lists"),
          "... and cairn_dialects_list shows the refusal",
          rc == 0 && n ? list[0].problem : cx->err.message);
    if (rc == 0)
        cairn_dialect_list_free(list, n);
    path_of(cx, dir, "manifest_lies", "good");
    find_url(cx, "stub://x", 0, "/good/stub.so", "a refused driver does not stop the search");

    /* the manifest spares no check: an ABI 2 driver is refused as before */
    path_of(cx, dir, "manifest_new_major", NULL);
    find_url(cx, "stub://x", CAIRN_EABI, "manifest_new_major/stub.so: built for dialect ABI 2.",
             "a manifest does not skip the ABI checks; the refusal is the error");

    /* a manifest that is not one is ignored (a debug line), the driver
     * loaded and asked */
    cairn_ctx_set_logger(cx, keep_debug, NULL);
    cairn_ctx_set(cx, "verbose", "1");
    path_of(cx, dir, "manifest_garbage", NULL);
    find_url(cx, "stub://x", 0, "/manifest_garbage/stub.so",
             "a driver beside a garbage manifest is loaded and asked");
    check(strstr(debug_line, "manifest_garbage/stub.dialect: manifest ignored: line 1") != NULL,
          "... with a debug line naming the manifest", debug_line);
    cairn_ctx_set(cx, "verbose", NULL);
    cairn_ctx_set_logger(cx, NULL, NULL);
    cairn_ctx_set(cx, "dialect_path", NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_loader <stub build dir>\n");
        return 2;
    }
    const char *dir = argv[1];
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx))
        return 1;

    refused(cx, dir, "wrong_magic", CAIRN_EDIALECT, "magic is 0x7f454c46", "expected 0xca1d1a1e");
    refused(cx, dir, "new_major", CAIRN_EABI, "built for dialect ABI 2.", "abi_major 2 != 1");
    refused(cx, dir, "missing_slot", CAIRN_EDIALECT, "lacks required slot 'emit'", NULL);
    refused(cx, dir, "no_entry", CAIRN_EDIALECT, "no 'cairn_dialect_entry' symbol", NULL);
    refused(cx, dir, "short_table", CAIRN_EABI, "smaller than ABI 1.0", NULL);
    refused(cx, dir, "not_elf", CAIRN_EDIALECT, "cannot load", NULL);
    refused(cx, dir, "does_not_exist", CAIRN_EDIALECT, "no such file", NULL);

    /* ABI growth: a 1.1 slot is called on a 1.1 driver, never on a driver
     * whose table ends at 1.0 (its slot would abort) */
    int rc;
    const char *variants[] = {"good", "abi_1_0"};
    for (int v = 0; v < 2; v++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s/stub.so", dir, variants[v]);
        cairn_session sess;
        memset(&sess, 0, sizeof sess);
        rc = cairn_loader_load_file(cx, p, &sess.drv);
        check(rc == 0, v ? "a driver built for ABI 1.0 loads" : "the 1.1 stub loads", cx->err.message);
        if (rc)
            continue;
        check(CAIRN_DIALECT_HAS(sess.drv.d, normalize_expr) == !v,
              v ? "the host sees no 1.1 slot in a 1.0 table" : "the host sees the 1.1 slot", NULL);
        sess.drv.d->open(cairn_host_table(), (cairn_hostctx *)(void *)cx, &sess.ds);
        cairn_schema *sc = cairn_schema_new();
        cairn_table *t = cairn_schema_add_table(sc, NULL, "t");
        cairn_table_add_check(sc, t, NULL, "x > 0");
        rc = cairn_session_normalize(cx, &sess, sc);
        check(rc == 0 && strcmp(t->checks[0]->expr, v ? "x > 0" : "norm:x > 0") == 0,
              v ? "a 1.0 driver's expressions stay as written" : "normalize_expr is applied",
              t->checks[0]->expr);
        cairn_schema_free(sc);
        sess.drv.d->close(sess.ds);
        cairn_driver_release(&sess.drv);
    }

    /* ABI 1.2 growth: a 1.1 driver loads, its 1.1 slot is seen, and the
     * 1.2 fields its table does not reach (set to poison) are never read */
    {
        char p[4096];
        snprintf(p, sizeof p, "%s/abi_1_1/stub.so", dir);
        cairn_session sess;
        memset(&sess, 0, sizeof sess);
        sess.cx = cx;
        rc = cairn_loader_load_file(cx, p, &sess.drv);
        check(rc == 0, "a driver built for ABI 1.1 loads", cx->err.message);
        if (rc == 0) {
            check(CAIRN_DIALECT_HAS(sess.drv.d, normalize_expr) &&
                      !CAIRN_DIALECT_HAS(sess.drv.d, type_families) &&
                      !CAIRN_DIALECT_HAS(sess.drv.d, quote_close),
                  "the host sees the 1.1 slot and no 1.2 field in a 1.1 table", NULL);
            cx->session = &sess;
            check(cairn_ctx_type_families(cx) == NULL,
                  "a 1.1 driver's type families are the standard ones", NULL);
            cx->session = NULL;
            cairn_driver_release(&sess.drv);
        }
    }

    /* the good stub loads, by file, by name and by URL scheme */
    char good[4096];
    snprintf(good, sizeof good, "%s/good/stub.so", dir);
    cairn_driver drv;
    rc = cairn_loader_load_file(cx, good, &drv);
    check(rc == 0 && drv.d && strcmp(drv.d->name, "stub") == 0, "good stub loads",
          cx->err.message);
    if (rc == 0)
        cairn_driver_release(&drv);

    char gooddir[4096];
    snprintf(gooddir, sizeof gooddir, "%s/good", dir);
    cairn_ctx_set(cx, "dialect_path", gooddir);
    rc = cairn_loader_find(cx, "stub", NULL, &drv);
    check(rc == 0 && strcmp(drv.path, good) == 0, "found by name on --dialect-path",
          cx->err.message);
    if (rc == 0)
        cairn_driver_release(&drv);
    rc = cairn_loader_find(cx, NULL, "stub://somewhere", &drv);
    check(rc == 0 && strcmp(drv.d->name, "stub") == 0, "found by URL scheme", cx->err.message);
    if (rc == 0)
        cairn_driver_release(&drv);
    rc = cairn_loader_find(cx, "nosuch", NULL, &drv);
    check(rc == CAIRN_EDIALECT && strstr(cx->err.message, "unknown dialect 'nosuch'"),
          "unknown dialect name is one clear line", cx->err.message);
    rc = cairn_loader_find(cx, "../etc", NULL, &drv);
    check(rc == CAIRN_EDIALECT, "a dialect name with a path is refused", cx->err.message);
    rc = cairn_loader_find(cx, NULL, "nosuch://x", &drv);
    check(rc == CAIRN_EDIALECT && strstr(cx->err.message, "scheme 'nosuch'"),
          "unknown URL scheme is one clear line", cx->err.message);

    /* search order: --dialect-path before CAIRN_DIALECT_PATH; the broken
     * variant first on the path shadows the good one and is reported */
    char both[8192];
    snprintf(both, sizeof both, "%s/wrong_magic:%s/good", dir, dir);
    cairn_ctx_set(cx, "dialect_path", both);
    rc = cairn_loader_find(cx, "stub", NULL, &drv);
    check(rc == CAIRN_EDIALECT && strstr(cx->err.message, "wrong_magic/stub.so"),
          "first stub.so on the path is the one used (and refused)", cx->err.message);
    setenv("CAIRN_DIALECT_PATH", gooddir, 1);
    cairn_ctx_set(cx, "dialect_path", NULL);
    char **dirs;
    size_t ndirs;
    rc = cairn_loader_dirs(cx, &dirs, &ndirs);
    check(rc == 0 && ndirs >= 2 && strcmp(dirs[0], gooddir) == 0,
          "CAIRN_DIALECT_PATH is searched first without --dialect-path", NULL);
    if (rc == 0)
        cairn_strv_free(dirs, ndirs);
    char envdir[4096];
    snprintf(envdir, sizeof envdir, "%s/new_major", dir);
    setenv("CAIRN_DIALECT_PATH", envdir, 1);
    cairn_ctx_set(cx, "dialect_path", both);
    rc = cairn_loader_dirs(cx, &dirs, &ndirs);
    check(rc == 0 && ndirs >= 3 && strstr(dirs[0], "wrong_magic") &&
              strcmp(dirs[1], gooddir) == 0 && strcmp(dirs[2], envdir) == 0,
          "--dialect-path comes before CAIRN_DIALECT_PATH", NULL);
    if (rc == 0)
        cairn_strv_free(dirs, ndirs);

    /* the listing shows good and refused drivers, each with its problem */
    cairn_dialect_info *list;
    size_t n;
    rc = cairn_dialects_list(cx, &list, &n);
    int saw_refused = 0, saw_good = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (strstr(list[i].path, "wrong_magic") && list[i].problem)
            saw_refused = 1;
        if (strstr(list[i].path, "/good/") && list[i].version && !list[i].problem)
            saw_good = 1;
    }
    check(saw_refused && saw_good, "cairn_dialects_list shows loaded and refused drivers", NULL);
    if (rc == 0)
        cairn_dialect_list_free(list, n);

    test_manifests(cx, dir);

    cairn_ctx_free(cx);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
