/* The loader refuses each broken driver with one line that names the file
 * and the problem, before running any of its code; a good driver loads,
 * is found by name and by URL scheme, and is listed. */
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

    cairn_ctx_free(cx);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
