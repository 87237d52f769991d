/* Finding, checking and loading dialect drivers.
 *
 * Every check runs on the driver's constant table before any of its
 * functions is called; a refused driver gives one line naming the file and
 * the problem. Drivers are never unloaded: a driver's code may be on the
 * stack of an error path, and a second load would cost start-up time. */
#define _GNU_SOURCE /* dladdr */
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Size of the table as ABI 1.0 defined it: a driver's table may be larger
 * (newer minor), never smaller. */
#define ABI_1_0_SIZE (offsetof(cairn_dialect, describe) + sizeof(((cairn_dialect *)0)->describe))

static int add_dir(char ***dirs, size_t *n, const char *dir)
{
    if (!dir || !*dir)
        return 0;
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*dirs)[i], dir) == 0)
            return 0;
    char **nv = realloc(*dirs, (*n + 1) * sizeof *nv);
    if (!nv)
        return CAIRN_ENOMEM;
    *dirs = nv;
    if (!(nv[*n] = strdup(dir)))
        return CAIRN_ENOMEM;
    (*n)++;
    return 0;
}

static int add_path_list(char ***dirs, size_t *n, const char *list)
{
    if (!list)
        return 0;
    char *copy = strdup(list), *save = NULL;
    if (!copy)
        return CAIRN_ENOMEM;
    int rc = 0;
    for (char *p = strtok_r(copy, ":", &save); p && !rc; p = strtok_r(NULL, ":", &save))
        rc = add_dir(dirs, n, p);
    free(copy);
    return rc;
}

/* <dir of file>/../<libdir>/cairn/dialects, or <dir of file>/cairn/dialects. */
static int add_relative(char ***dirs, size_t *n, const char *file, const char *rel)
{
    char *real = realpath(file, NULL);
    if (!real)
        return 0;
    char *slash = strrchr(real, '/');
    if (slash)
        *slash = '\0';
    char *dir = cairn_path_join(real, rel);
    free(real);
    if (!dir)
        return CAIRN_ENOMEM;
    char *canon = realpath(dir, NULL); /* one directory, listed once */
    if (canon) {
        free(dir);
        dir = canon;
    }
    int rc = add_dir(dirs, n, dir);
    free(dir);
    return rc;
}

int cairn_loader_dirs(cairn_ctx *cx, char ***dirs, size_t *n)
{
    *dirs = NULL;
    *n = 0;
    int rc = add_path_list(dirs, n, cx->set_flag[CAIRN_SET_DIALECT_PATH]);
    if (!rc)
        rc = add_path_list(dirs, n, getenv("CAIRN_DIALECT_PATH"));
    if (!rc)
        rc = add_path_list(dirs, n, cx->set_file[CAIRN_SET_DIALECT_PATH]);
    /* Relative to the running program and to libcairn itself, so a build
     * tree, a relocated install and an embedding application all work. */
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (!rc && len > 0) {
        exe[len] = '\0';
        rc = add_relative(dirs, n, exe, "../" CAIRN_DIALECT_SUBDIR);
    }
    Dl_info info;
    static const char here = 0; /* an object inside libcairn, for dladdr */
    if (!rc && dladdr(&here, &info) && info.dli_fname)
        rc = add_relative(dirs, n, info.dli_fname, "cairn/dialects");
    if (!rc)
        rc = add_dir(dirs, n, CAIRN_INSTALL_DIALECTDIR);
    if (rc) {
        cairn_strv_free(*dirs, *n);
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    return 0;
}

/* The first required slot the table lacks, from the one slot list of the
 * header (CAIRN_DIALECT_SLOTS), or NULL. Every required slot is in ABI 1.0,
 * which the size check above guarantees the table reaches. */
static const char *missing_required_slot(const cairn_dialect *d)
{
#define CAIRN_CHECK_SLOT(slot, need, minor)                                    \
    if (CAIRN_##need == CAIRN_REQUIRED && d->slot == NULL)                     \
        return #slot;
    enum { CAIRN_OPTIONAL, CAIRN_REQUIRED };
    CAIRN_DIALECT_SLOTS(CAIRN_CHECK_SLOT)
#undef CAIRN_CHECK_SLOT
    return NULL;
}

static int valid_name(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

int cairn_loader_load_file(cairn_ctx *cx, const char *path, cairn_driver *out)
{
    memset(out, 0, sizeof *out);
    if (!cairn_file_exists(path))
        return cairn_err(cx, CAIRN_EDIALECT, "%s: no such file", path);
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        /* dlerror() often repeats the path: say it once. */
        size_t pl = strlen(path);
        if (why && strncmp(why, path, pl) == 0 && why[pl] == ':')
            why += pl + (why[pl + 1] == ' ' ? 2 : 1);
        return cairn_err(cx, CAIRN_EDIALECT, "%s: cannot load: %s", path,
                         why ? why : "unknown dlopen error");
    }
    const cairn_dialect *d = dlsym(h, CAIRN_DIALECT_ENTRY_SYMBOL);
    if (!d)
        return cairn_err(cx, CAIRN_EDIALECT,
                         "%s: not a cairn dialect driver: no '%s' symbol", path,
                         CAIRN_DIALECT_ENTRY_SYMBOL);
    if (d->magic != CAIRN_DIALECT_MAGIC)
        return cairn_err(cx, CAIRN_EDIALECT,
                         "%s: not a cairn dialect driver: magic is 0x%08x, expected 0x%08x", path,
                         (unsigned)d->magic, (unsigned)CAIRN_DIALECT_MAGIC);
    if (d->abi_major != CAIRN_DIALECT_ABI_MAJOR)
        return cairn_err(cx, CAIRN_EABI,
                         "%s: built for dialect ABI %u.%u, this cairn speaks ABI %u.%u "
                         "(abi_major %u != %u)",
                         path, d->abi_major, d->abi_minor, CAIRN_DIALECT_ABI_MAJOR,
                         CAIRN_DIALECT_ABI_MINOR, d->abi_major, CAIRN_DIALECT_ABI_MAJOR);
    if (d->struct_size < ABI_1_0_SIZE)
        return cairn_err(cx, CAIRN_EABI,
                         "%s: dialect table is %u bytes, smaller than ABI %u.0's %zu", path,
                         (unsigned)d->struct_size, CAIRN_DIALECT_ABI_MAJOR, ABI_1_0_SIZE);
    if (!valid_name(d->name))
        return cairn_err(cx, CAIRN_EDIALECT, "%s: dialect name must be [a-z0-9_]+", path);
    const char *missing = missing_required_slot(d);
    if (missing)
        return cairn_err(cx, CAIRN_EDIALECT, "%s: dialect '%s' lacks required slot '%s'", path,
                         d->name, missing);
    out->d = d;
    out->path = strdup(path);
    return out->path ? 0 : CAIRN_ENOMEM;
}

void cairn_driver_release(cairn_driver *drv)
{
    free(drv->path);
    memset(drv, 0, sizeof *drv);
}

int cairn_loader_serves(const cairn_dialect *d, const char *scheme)
{
    for (const char *const *s = d->schemes; s && *s; s++)
        if (strcmp(*s, scheme) == 0)
            return 1;
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_driver_file(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".so") == 0 && name[0] != '.';
}

/* The driver files (<name>.so) of one directory, sorted by name; non-zero
 * when the directory cannot be read. */
static int driver_files(const char *dir, char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    DIR *dh = opendir(dir);
    if (!dh)
        return -1;
    struct dirent *de;
    while ((de = readdir(dh)))
        if (is_driver_file(de->d_name)) {
            char *copy = strdup(de->d_name);
            char **nv = copy ? realloc(*names, (*n + 1) * sizeof *nv) : NULL;
            if (!nv) {
                free(copy);
                break;
            }
            *names = nv;
            (*names)[(*n)++] = copy;
        }
    closedir(dh);
    if (*n)
        qsort(*names, *n, sizeof **names, cmp_name);
    return 0;
}

/* ---- the manifest step: <name>.dialect says what <name>.so serves ---------- */

/* cairn_loader_load_file, then the table against manifest `m` (NULL: none). */
static int load_with_manifest(cairn_ctx *cx, const char *path, const cairn_manifest *m,
                              cairn_driver *out)
{
    int rc = cairn_loader_load_file(cx, path, out);
    if (rc || !m)
        return rc;
    rc = cairn_manifest_check(cx, m, path, out->d);
    if (rc)
        cairn_driver_release(out);
    return rc;
}

int cairn_loader_load(cairn_ctx *cx, const char *path, cairn_driver *out)
{
    cairn_manifest m;
    return load_with_manifest(cx, path, cairn_manifest_read(cx, path, &m) ? &m : NULL, out);
}

/* Does driver file `file` serve `scheme`? Its manifest answers without
 * loading it; a driver without one (or with one that is not well-formed) is
 * loaded and asked. 1: loaded into *out; 0: not this one, or refused before
 * anything said it serves the scheme; negative: the driver its manifest
 * named was refused (the error is on cx). */
static int try_scheme(cairn_ctx *cx, const char *file, const char *scheme, cairn_driver *out)
{
    cairn_manifest m;
    if (cairn_manifest_read(cx, file, &m)) {
        if (!cairn_manifest_serves(&m, scheme))
            return 0;
        cairn_log(cx, CAIRN_LOG_DEBUG, "%s: its manifest lists scheme '%s'", file, scheme);
        int rc = load_with_manifest(cx, file, &m, out);
        return rc ? rc : 1;
    }
    if (cairn_loader_load_file(cx, file, out) != 0)
        return 0;
    if (cairn_loader_serves(out->d, scheme))
        return 1;
    cairn_driver_release(out);
    return 0;
}

/* The first driver in search order that serves `scheme`. A refused driver
 * must not stop the search (it shows in 'cairn dialects'); but when nothing
 * else serves the scheme, the refusal of a driver whose manifest claimed it
 * says more than "no driver". */
static int find_by_scheme(cairn_ctx *cx, char **dirs, size_t ndirs, const char *scheme,
                          cairn_driver *out)
{
    cairn_saved_err refusal = {0};
    int rc = 0;
    for (size_t i = 0; i < ndirs && rc != 1; i++) {
        char **names;
        size_t nn;
        if (driver_files(dirs[i], &names, &nn))
            continue;
        for (size_t j = 0; j < nn && rc != 1; j++) {
            char file[PATH_MAX];
            snprintf(file, sizeof file, "%s/%s", dirs[i], names[j]);
            rc = try_scheme(cx, file, scheme, out);
            if (rc < 0)
                cairn_log(cx, CAIRN_LOG_DEBUG, "%s", cx->err.message);
            if (rc < 0 && !refusal.err.code)
                cairn_err_save(cx, &refusal);
        }
        cairn_strv_free(names, nn);
    }
    if (rc == 1) {
        cairn_err_restore(cx, &refusal);
        cairn_err_clear(cx);
        return 0;
    }
    if (refusal.err.code) {
        cairn_err_restore(cx, &refusal);
        return cx->err.code;
    }
    return cairn_err(cx, CAIRN_EDIALECT,
                     "no dialect driver serves URL scheme '%s' (see 'cairn dialects')", scheme);
}

/* The file a dialect named `name` is loaded from: the first <dir>/<name>.so
 * in search order, in `file`; 0 when there is none. */
static int named_file(char **dirs, size_t ndirs, const char *name, char file[PATH_MAX])
{
    for (size_t i = 0; i < ndirs; i++) {
        snprintf(file, PATH_MAX, "%s/%s.so", dirs[i], name);
        if (cairn_file_exists(file))
            return 1;
    }
    return 0;
}

int cairn_loader_find(cairn_ctx *cx, const char *name, const char *url, cairn_driver *out)
{
    char **dirs;
    size_t ndirs;
    int rc = cairn_loader_dirs(cx, &dirs, &ndirs);
    if (rc)
        return rc;
    if (name) {
        if (!valid_name(name)) {
            cairn_strv_free(dirs, ndirs);
            return cairn_err(cx, CAIRN_EDIALECT, "unknown dialect '%s'", name);
        }
        char file[PATH_MAX];
        if (named_file(dirs, ndirs, name, file)) {
            rc = cairn_loader_load(cx, file, out);
            if (!rc && strcmp(out->d->name, name) != 0) {
                rc = cairn_err(cx, CAIRN_EDIALECT, "%s: file is named '%s' but serves '%s'",
                               file, name, out->d->name);
                cairn_driver_release(out);
            }
            cairn_strv_free(dirs, ndirs);
            return rc;
        }
        cairn_strv_free(dirs, ndirs);
        return cairn_err(cx, CAIRN_EDIALECT,
                         "unknown dialect '%s': no %s.so in the dialect path (see 'cairn dialects')",
                         name, name);
    }
    char *scheme = cairn_url_scheme(url);
    if (!scheme) {
        cairn_strv_free(dirs, ndirs);
        return CAIRN_ENOMEM;
    }
    rc = find_by_scheme(cx, dirs, ndirs, scheme, out);
    cairn_strv_free(dirs, ndirs);
    free(scheme);
    return rc;
}

/* ---- loading ahead ----------------------------------------------------------- */

/* A driver's libraries take long to load: postgresql.so brings libpq,
 * OpenSSL, Kerberos, LDAP and GnuTLS, whose relocations and constructors
 * took 10 to 30 ms here (issue 16). The dynamic loader is thread-safe, and a
 * second dlopen of a loaded file only counts it again. */
static void *ahead_run(void *arg)
{
    cairn_loader_ahead *a = arg;
    if (!dlopen(a->file, RTLD_NOW | RTLD_LOCAL))
        (void)dlerror(); /* cairn_session_get loads it again and says why */
    return NULL;
}

int cairn_loader_ahead_start(cairn_ctx *cx, cairn_loader_ahead *a)
{
    const char *name = cairn_ctx_get(cx, "dialect");
    char **dirs;
    size_t ndirs;
    memset(a, 0, sizeof *a);
    if (cx->session || !valid_name(name) || cairn_loader_dirs(cx, &dirs, &ndirs))
        return -1;
    char file[PATH_MAX];
    if (named_file(dirs, ndirs, name, file))
        a->file = strdup(file);
    cairn_strv_free(dirs, ndirs);
    if (a->file && pthread_create(&a->th, NULL, ahead_run, a) == 0)
        return 0;
    free(a->file);
    a->file = NULL;
    return -1;
}

void cairn_loader_ahead_end(cairn_loader_ahead *a)
{
    if (!a->file)
        return;
    pthread_join(a->th, NULL);
    free(a->file);
    a->file = NULL;
}

/* ---- cairn dialects -------------------------------------------------------- */

static const char *const cap_names[] = {
    "transactional-ddl", "schemas",          "enums",       "sequences",
    "alter-column-type", "advisory-lock",    "partial-index", "expression-index",
    "comments",          "identity",         "generated",   "materialized-views",
    "scratch",           "pk-not-null",      "ident-no-trailing-space",
    "ident-bmp-only",    "fkey-needs-target", "virtual-tables",    "view-columns",
    "client-delimiter",  "column-order",      "objects",   "constraint-options",
    "constraint-comments", "primary-key-comment",
};

const char *cairn_caps_string(uint64_t caps, char *buf, size_t size)
{
    size_t at = 0;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < sizeof cap_names / sizeof *cap_names; i++)
        if (caps & (1ull << i)) {
            int n = snprintf(buf + at, size > at ? size - at : 0, "%s%s", at ? "," : "",
                             cap_names[i]);
            if (n > 0)
                at += (size_t)n;
        }
    return buf;
}

int cairn_dialects_list(cairn_ctx *cx, cairn_dialect_info **out, size_t *count)
{
    char **dirs;
    size_t ndirs;
    int rc = cairn_loader_dirs(cx, &dirs, &ndirs);
    if (rc)
        return rc;
    cairn_dialect_info *list = NULL;
    size_t n = 0;
    for (size_t i = 0; i < ndirs; i++) {
        char **names;
        size_t nn;
        if (driver_files(dirs[i], &names, &nn))
            continue;
        for (size_t j = 0; j < nn; j++) {
            cairn_dialect_info *nl = realloc(list, (n + 1) * sizeof *nl);
            if (!nl)
                break;
            list = nl;
            cairn_dialect_info *di = &list[n++];
            memset(di, 0, sizeof *di);
            char file[PATH_MAX];
            snprintf(file, sizeof file, "%s/%s", dirs[i], names[j]);
            di->path = strdup(file);
            cairn_driver drv;
            if (cairn_loader_load(cx, file, &drv) == 0) {
                cairn_buf sch;
                cairn_buf_init(&sch);
                for (const char *const *s = drv.d->schemes; s && *s; s++)
                    cairn_buf_printf(&sch, "%s%s", sch.len ? "," : "", *s);
                di->name = strdup(drv.d->name);
                di->version = strdup(drv.d->version ? drv.d->version : "?");
                di->abi_major = drv.d->abi_major;
                di->abi_minor = drv.d->abi_minor;
                di->caps = drv.d->caps;
                di->schemes = cairn_buf_steal(&sch);
                for (size_t k = 0; k + 1 < n; k++)
                    if (list[k].name && strcmp(list[k].name, di->name) == 0 && !list[k].problem) {
                        cairn_buf why;
                        cairn_buf_init(&why);
                        cairn_buf_printf(&why, "shadowed by %s", list[k].path);
                        di->problem = cairn_buf_steal(&why);
                        break;
                    }
                cairn_driver_release(&drv);
            } else {
                di->problem = strdup(cx->err.message);
                size_t base = strlen(names[j]) - 3;
                di->name = strndup(names[j], base);
            }
        }
        cairn_strv_free(names, nn);
    }
    cairn_strv_free(dirs, ndirs);
    cairn_err_clear(cx);
    *out = list;
    *count = n;
    return 0;
}

void cairn_dialect_list_free(cairn_dialect_info *list, size_t count)
{
    if (!list)
        return;
    for (size_t i = 0; i < count; i++) {
        free((char *)list[i].name);
        free((char *)list[i].version);
        free((char *)list[i].path);
        free((char *)list[i].schemes);
        free((char *)list[i].problem);
    }
    free(list);
}
