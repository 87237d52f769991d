/* cairn-dialect-check: the conformance kit of dialect drivers.
 *
 *     cairn-dialect-check [--keep] <driver.so> <test-database-url>
 *
 * First the driver's constant table is checked against the ABI of
 * <cairn/sys/dialect.h> (what the host would refuse, and what it would
 * accept but should not), then a fixed series of schema changes is driven
 * through libcairn's public API exactly as an application would: generate,
 * migrate, pull, diff against the desired schema, generate again; then
 * concurrent deployers race to apply one migration. One
 * "ok" / "FAIL" / "skip" line per check, then "N passed, N failed".
 *
 * The database needs no preparation; the kit touches only tables named
 * cairn_check_* and its own history table, and drops its tables at the end
 * (the history table stays: the kit has no way to run SQL of its own). */
#define _GNU_SOURCE /* mkdtemp, realpath */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cairn/cairn.h>
#include <cairn/sys/dialect.h>

static int npass, nfail, nskip;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(ok ? "ok   " : "FAIL ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    if (ok)
        npass++;
    else
        nfail++;
}

static void skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("skip ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    nskip++;
}

static int finish(void)
{
    if (nskip)
        printf("%d skipped (unsupported by the dialect)\n", nskip);
    printf("%d passed, %d failed\n", npass, nfail);
    fflush(stdout);
    return nfail ? 1 : 0;
}

/* ---- the ABI table --------------------------------------------------------- */

/* Size of the table as ABI 1.0 defined it (the loader's minimum). */
#define ABI_1_0_SIZE (offsetof(cairn_dialect, describe) + sizeof(((cairn_dialect *)0)->describe))
/* Capability bits this header knows. */
#define KNOWN_CAPS ((CAIRN_CAP_PRIMARY_KEY_COMMENT << 1) - 1)

static int valid_name(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* RFC 3986 scheme, lower case (the host folds the URL's scheme to lower case). */
static int valid_scheme(const char *s)
{
    if (!s || !(*s >= 'a' && *s <= 'z'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '+' || *s == '-' ||
              *s == '.'))
            return 0;
    return 1;
}

/* Names of the symbols a shared object defines and exports (64-bit ELF),
 * space-separated into `out`; -1 when the file cannot be read as ELF. */
static int exported_symbols(const char *path, char *out, size_t size, int *count)
{
    *count = 0;
    out[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    int rc = -1;
    char *img = NULL;
    if (fseek(f, 0, SEEK_END) != 0)
        goto done;
    long len = ftell(f);
    if (len < (long)sizeof(Elf64_Ehdr) || fseek(f, 0, SEEK_SET) != 0)
        goto done;
    img = malloc((size_t)len);
    if (!img || fread(img, 1, (size_t)len, f) != (size_t)len)
        goto done;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_shoff == 0 || eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > (size_t)len)
        goto done;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
    for (size_t i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum)
            continue;
        const Elf64_Shdr *strs = &sh[sh[i].sh_link];
        if (sh[i].sh_offset + sh[i].sh_size > (size_t)len ||
            strs->sh_offset + strs->sh_size > (size_t)len)
            goto done;
        const Elf64_Sym *sym = (const Elf64_Sym *)(img + sh[i].sh_offset);
        size_t nsym = sh[i].sh_size / sizeof *sym;
        size_t at = 0;
        for (size_t j = 0; j < nsym; j++) {
            int bind = ELF64_ST_BIND(sym[j].st_info);
            int vis = ELF64_ST_VISIBILITY(sym[j].st_other);
            if (sym[j].st_shndx == SHN_UNDEF || (bind != STB_GLOBAL && bind != STB_WEAK) ||
                (vis != STV_DEFAULT && vis != STV_PROTECTED) || sym[j].st_name >= strs->sh_size)
                continue;
            const char *name = img + strs->sh_offset + sym[j].st_name;
            /* the linker's own markers of the sections, and AddressSanitizer's
             * ODR indicators (a sanitizer build), are not the driver's API */
            if (!strcmp(name, "_init") || !strcmp(name, "_fini") || !strcmp(name, "_edata") ||
                !strcmp(name, "_end") || !strcmp(name, "__bss_start") ||
                !strncmp(name, "__odr_asan", 10))
                continue;
            int n = snprintf(out + at, size > at ? size - at : 0, "%s%s", at ? " " : "", name);
            if (n > 0)
                at += (size_t)n;
            (*count)++;
        }
        rc = 0;
    }
done:
    free(img);
    fclose(f);
    return rc;
}

/* The checks of the driver's table; returns the table, or NULL when the
 * driver cannot be used at all (the round trip is then not attempted). */
static const cairn_dialect *check_table(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    const char *why = h ? NULL : dlerror();
    check(h != NULL, "dlopen(RTLD_NOW | RTLD_LOCAL)%s%s", why ? ": " : "", why ? why : "");
    if (!h)
        return NULL;
    const cairn_dialect *d = dlsym(h, CAIRN_DIALECT_ENTRY_SYMBOL);
    check(d != NULL, "exports the table '%s'", CAIRN_DIALECT_ENTRY_SYMBOL);
    if (!d)
        return NULL;

    char syms[1024];
    int nsyms;
    if (exported_symbols(path, syms, sizeof syms, &nsyms) == 0)
        check(nsyms == 1, "exports exactly one symbol (exports %d: %s)", nsyms, syms);
    else
        skip("exports exactly one symbol: not a 64-bit ELF file");

    int magic_ok = d->magic == CAIRN_DIALECT_MAGIC;
    check(magic_ok, "magic is 0x%08x (found 0x%08x)", (unsigned)CAIRN_DIALECT_MAGIC,
          (unsigned)d->magic);
    if (!magic_ok)
        return NULL;
    int major_ok = d->abi_major == CAIRN_DIALECT_ABI_MAJOR;
    check(major_ok, "ABI major is %d (driver says %u.%u)", CAIRN_DIALECT_ABI_MAJOR,
          (unsigned)d->abi_major, (unsigned)d->abi_minor);
    if (!major_ok)
        return NULL;
    if (d->abi_minor == CAIRN_DIALECT_ABI_MINOR)
        check(d->struct_size == sizeof(cairn_dialect),
              "struct_size is sizeof(cairn_dialect) of ABI %d.%d: %zu (found %u)",
              CAIRN_DIALECT_ABI_MAJOR, CAIRN_DIALECT_ABI_MINOR, sizeof(cairn_dialect),
              (unsigned)d->struct_size);
    else
        check(d->struct_size >= ABI_1_0_SIZE, "struct_size %u covers ABI %d.0 (%zu)",
              (unsigned)d->struct_size, CAIRN_DIALECT_ABI_MAJOR, ABI_1_0_SIZE);
    if (d->struct_size < ABI_1_0_SIZE)
        return NULL;
    check(d->reserved == 0, "reserved is zero (found %u)", (unsigned)d->reserved);

    int name_ok = valid_name(d->name);
    check(name_ok, "name is [a-z0-9_]+ (found '%s')", d->name ? d->name : "(null)");
    if (!name_ok)
        return NULL;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char want[256];
    snprintf(want, sizeof want, "%s.so", d->name);
    check(strcmp(base, want) == 0, "file is named %s, as the loader looks it up (found %s)", want,
          base);
    check(d->version && *d->version, "version is set (found '%s')",
          d->version ? d->version : "(null)");

    size_t nschemes = 0;
    int schemes_ok = d->schemes != NULL;
    for (const char *const *s = d->schemes; s && *s; s++, nschemes++)
        if (!valid_scheme(*s)) {
            schemes_ok = 0;
            check(0, "URL scheme '%s' is lower-case [a-z][a-z0-9+.-]*", *s);
        }
    check(schemes_ok && nschemes > 0, "serves at least one URL scheme (%zu)", nschemes);
    check(d->quote == '"' || d->quote == '`', "identifier quote is '\"' or '`' (found 0x%02x)",
          (unsigned char)d->quote);
    check((d->caps & ~(uint64_t)KNOWN_CAPS) == 0, "capability flags are known bits (0x%llx)",
          (unsigned long long)d->caps);
    int has_scratch = d->scratch_connect && d->scratch_release;
    check(!(d->caps & CAIRN_CAP_SCRATCH) == !has_scratch,
          "CAIRN_CAP_SCRATCH is set exactly when scratch_connect and scratch_release are");
    check(!d->scratch_connect == !d->scratch_release,
          "scratch_connect and scratch_release come together");

#define REQUIRED(f) check(d->f != NULL, "required slot '" #f "' is set")
    REQUIRED(open); REQUIRED(close); REQUIRED(connect); REQUIRED(disconnect); REQUIRED(exec);
    REQUIRED(begin); REQUIRED(commit); REQUIRED(rollback); REQUIRED(introspect); REQUIRED(emit);
    REQUIRED(history_ensure); REQUIRED(history_list); REQUIRED(history_record); REQUIRED(lock);
    REQUIRED(unlock);
#undef REQUIRED
    return d;
}

/* The host's own verdict: what `cairn dialects` says of the file. */
static int check_host_accepts(const char *dir, const char *path, const char *name)
{
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx) != 0) {
        check(0, "libcairn creates a context");
        return -1;
    }
    cairn_ctx_set(cx, "dialect_path", dir);
    cairn_dialect_info *list = NULL;
    size_t n = 0;
    int rc = cairn_dialects_list(cx, &list, &n);
    const cairn_dialect_info *mine = NULL;
    for (size_t i = 0; !rc && i < n && !mine; i++)
        if (strcmp(list[i].path, path) == 0)
            mine = &list[i];
    int ok = mine && !mine->problem && mine->name && strcmp(mine->name, name) == 0;
    check(ok, "libcairn %s loads it from %s%s%s", cairn_version(), dir,
          mine && mine->problem ? ": " : (mine ? "" : ": not listed"),
          mine && mine->problem ? mine->problem : "");
    cairn_dialect_list_free(list, n);
    cairn_ctx_free(cx);
    return ok ? 0 : -1;
}

/* ---- the round trip ------------------------------------------------------- */

/* One desired schema of the series. A dialect may refuse a step's changes
 * with CAIRN_EUNSUPPORTED at generate time: that step is reported skipped. */
typedef struct step {
    const char *what;
    void (*build)(cairn_schema *s);
} step;

static cairn_column *col(cairn_schema *s, cairn_table *t, const char *name, const char *type,
                         int not_null)
{
    cairn_column *c = cairn_table_add_column(s, t, name);
    c->type = cairn_schema_strdup(s, type);
    c->not_null = not_null;
    return c;
}

static cairn_table *parent_table(cairn_schema *s, int with_note)
{
    cairn_table *t = cairn_schema_add_table(s, NULL, "cairn_check_parent");
    col(s, t, "id", "integer", 1);
    col(s, t, "name", "varchar(100)", 1);
    if (with_note)
        col(s, t, "note", "varchar(200)", 0);
    cairn_key_add_column(s, cairn_table_set_primary_key(s, t, NULL), "id");
    return t;
}

static cairn_table *child_table(cairn_schema *s)
{
    cairn_table *t = cairn_schema_add_table(s, NULL, "cairn_check_child");
    col(s, t, "id", "integer", 1);
    col(s, t, "parent_id", "integer", 1);
    col(s, t, "qty", "integer", 1)->default_expr = cairn_schema_strdup(s, "0");
    cairn_key_add_column(s, cairn_table_set_primary_key(s, t, NULL), "id");
    return t;
}

static void build_create(cairn_schema *s)
{
    parent_table(s, 0);
    child_table(s);
}

static void build_add_column(cairn_schema *s)
{
    parent_table(s, 1);
    child_table(s);
}

static void build_nullability(cairn_schema *s)
{
    cairn_table *p = parent_table(s, 1);
    cairn_table_find_column(p, "note")->not_null = 0;
    cairn_table_find_column(p, "name")->not_null = 0;
    child_table(s);
}

static void build_index(cairn_schema *s)
{
    build_nullability(s);
    cairn_table *c = cairn_schema_find_table(s, NULL, "cairn_check_child");
    cairn_index *ix = cairn_table_add_index(s, c, "cairn_check_child_parent_ix");
    cairn_index_add_part(s, ix)->column = cairn_schema_strdup(s, "parent_id");
    cairn_table *p = cairn_schema_find_table(s, NULL, "cairn_check_parent");
    cairn_key_add_column(s, cairn_table_add_unique(s, p, "cairn_check_parent_name_uq"), "name");
}

static void build_fkey(cairn_schema *s)
{
    build_index(s);
    cairn_table *c = cairn_schema_find_table(s, NULL, "cairn_check_child");
    cairn_fkey *fk = cairn_table_add_fkey(s, c, "cairn_check_child_parent_fk");
    cairn_fkey_add_columns(s, fk, "parent_id", "id");
    fk->ref_table = cairn_schema_strdup(s, "cairn_check_parent");
    fk->on_delete = CAIRN_FK_CASCADE;
}

static void build_drop_column(cairn_schema *s)
{
    cairn_table *p = parent_table(s, 0);
    cairn_table_find_column(p, "name")->not_null = 0;
    child_table(s);
}

static void build_drop_table(cairn_schema *s)
{
    cairn_table *p = parent_table(s, 0);
    cairn_table_find_column(p, "name")->not_null = 0;
}

static void build_empty(cairn_schema *s)
{
    (void)s;
}

static const step steps[] = {
    {"create two tables (primary keys, NOT NULL, a default)", build_create},
    {"add a nullable column", build_add_column},
    {"drop NOT NULL from a column", build_nullability},
    {"add an index and a unique constraint", build_index},
    {"add a foreign key", build_fkey},
    {"drop a column, an index, a unique constraint, a foreign key", build_drop_column},
    {"drop a table", build_drop_table},
    {"drop every table", build_empty},
};

typedef struct kit {
    cairn_ctx *cx;
    const char *name, *url, *dialect_dir;
    char out[PATH_MAX + 32];
    char dir[PATH_MAX];
    char schema_path[PATH_MAX + 32];
    char pulled_path[PATH_MAX + 32];
} kit;

static const char *errmsg(kit *k)
{
    const cairn_error *e = cairn_ctx_error(k->cx);
    return e && e->message ? e->message : "(no message)";
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int rc = fputs(text, f) < 0 ? -1 : 0;
    return fclose(f) != 0 ? -1 : rc;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* Write the desired schema `build` makes as the kit's schema file. */
static int write_schema(kit *k, void (*build)(cairn_schema *))
{
    cairn_schema *want = cairn_schema_new();
    if (!want)
        return CAIRN_ENOMEM;
    build(want);
    cairn_schema_sort(want);
    char *json = NULL;
    int rc = cairn_schema_to_json(k->cx, want, &json);
    cairn_schema_free(want);
    if (!rc && write_text(k->schema_path, json) != 0)
        rc = CAIRN_EIO;
    cairn_free(json);
    return rc;
}

/* The first statement of the plan from `a` to `b`, to say why they differ. */
static void explain_difference(kit *k, const cairn_plan *p)
{
    char *sql = NULL;
    if (cairn_plan_sql(k->cx, p, &sql) == 0 && sql) {
        char *nl = strchr(sql, '\n');
        if (nl)
            *nl = '\0';
        printf("     first change: %s\n", sql);
    }
    cairn_free(sql);
}

/* Generate, migrate, pull, compare, generate again: one step of the series. */
static void run_step(kit *k, size_t i)
{
    const step *st = &steps[i];
    char label[160];
    snprintf(label, sizeof label, "step %zu (%s)", i + 1, st->what);

    int rc = write_schema(k, st->build);
    if (rc) {
        check(0, "%s: write the schema file: %s", label,
              rc == CAIRN_EIO ? strerror(errno) : errmsg(k));
        return;
    }
    cairn_ctx_set(k->cx, "schema", k->schema_path);

    char *dir = NULL;
    rc = cairn_generate(k->cx, NULL, &dir);
    if (rc == CAIRN_EUNSUPPORTED) {
        skip("%s: %s", label, errmsg(k));
        /* the next steps start from what the database really holds */
        return;
    }
    check(rc == 0 && dir != NULL, "%s: generate writes a migration%s%s", label,
          rc ? ": " : (dir ? "" : ": it found nothing to do"), rc ? errmsg(k) : "");
    cairn_free(dir);
    if (rc)
        return;

    rc = cairn_migrate(k->cx, NULL);
    check(rc == 0, "%s: migrate applies it%s%s", label, rc ? ": " : "", rc ? errmsg(k) : "");
    if (rc)
        return;

    unlink(k->pulled_path);
    rc = cairn_pull(k->cx, k->pulled_path, 1);
    check(rc == 0, "%s: pull introspects the database%s%s", label, rc ? ": " : "",
          rc ? errmsg(k) : "");
    if (rc)
        return;

    cairn_schema *desired = NULL, *live = NULL;
    char *text = read_text(k->pulled_path);
    rc = cairn_schema_load(k->cx, &desired);
    if (!rc)
        rc = text ? cairn_schema_from_json(k->cx, text, k->pulled_path, &live) : CAIRN_EIO;
    free(text);
    cairn_plan *plan = NULL;
    if (!rc)
        rc = cairn_diff(k->cx, live, desired, NULL, &plan);
    check(rc == 0 && plan->nchanges == 0,
          "%s: the database introspects equal to the schema%s%s", label,
          rc ? ": " : (plan->nchanges ? ": it differs" : ""), rc ? errmsg(k) : "");
    if (plan && plan->nchanges)
        explain_difference(k, plan);
    cairn_plan_free(plan);
    cairn_schema_free(desired);
    cairn_schema_free(live);

    dir = NULL;
    rc = cairn_generate(k->cx, NULL, &dir);
    check(rc == 0 && dir == NULL, "%s: a second generate finds nothing to do%s%s%s", label,
          rc ? ": " : "", rc ? errmsg(k) : "", dir ? ": it wrote a migration" : "");
    cairn_free(dir);

    /* pull then generate is empty: the introspected schema is a valid input */
    cairn_ctx_set(k->cx, "schema", k->pulled_path);
    rc = cairn_generate(k->cx, NULL, &dir);
    check(rc == 0 && dir == NULL, "%s: generate from the pulled schema finds nothing to do%s%s%s",
          label, rc ? ": " : "", rc ? errmsg(k) : "", dir ? ": it wrote a migration" : "");
    cairn_free(dir);
    cairn_ctx_set(k->cx, "schema", k->schema_path);
}

/* Every context of the kit has the same settings. */
static void kit_settings(const kit *k, cairn_ctx *cx)
{
    /* --dialect-path first, so this driver wins over any installed one */
    cairn_ctx_set(cx, "dialect_path", k->dialect_dir);
    cairn_ctx_set(cx, "dialect", k->name);
    cairn_ctx_set(cx, "url", k->url);
    cairn_ctx_set(cx, "out", k->out);
    cairn_ctx_set(cx, "schema", k->schema_path);
    cairn_ctx_set(cx, "tables", "cairn_check_*");
    cairn_ctx_set(cx, "migrations_table", "__cairn_check_migrations");
}

static void check_status(kit *k)
{
    cairn_status_row *rows = NULL;
    size_t n = 0, applied = 0;
    int rc = cairn_status(k->cx, &rows, &n);
    for (size_t i = 0; !rc && i < n; i++)
        if (rows[i].state == CAIRN_MIGRATION_APPLIED)
            applied++;
    check(rc == 0 && n > 0 && applied == n, "status: every migration is applied (%zu of %zu)%s%s",
          applied, n, rc ? ": " : "", rc ? errmsg(k) : "");
    cairn_status_free(rows, n);
    rc = cairn_migrate(k->cx, NULL);
    check(rc == 0, "migrate again applies nothing and succeeds%s%s", rc ? ": " : "",
          rc ? errmsg(k) : "");
}

/* A previous run's tables or history would make every step fail for a
 * reason that is not the driver's: say so once and stop instead. */
static int check_fresh(kit *k)
{
    cairn_status_row *rows = NULL;
    size_t n = 0, ntables = 0;
    int rc = cairn_status(k->cx, &rows, &n);
    cairn_status_free(rows, n);
    if (!rc) {
        unlink(k->pulled_path);
        rc = cairn_pull(k->cx, k->pulled_path, 1);
    }
    char *text = rc ? NULL : read_text(k->pulled_path);
    cairn_schema *live = NULL;
    if (!rc)
        rc = text ? cairn_schema_from_json(k->cx, text, k->pulled_path, &live) : CAIRN_EIO;
    free(text);
    if (live)
        ntables = live->ntables;
    cairn_schema_free(live);
    int ok = rc == 0 && n == 0 && ntables == 0;
    check(ok, "the test database is fresh (no cairn_check_* table: %zu, no history rows in "
          "__cairn_check_migrations: %zu)%s%s", ntables, n, rc ? ": " : "", rc ? errmsg(k) : "");
    return ok ? 0 : -1;
}

/* Concurrent deployers: several processes run migrate on one pending
 * migration at once; the lock must let exactly one apply it and the others
 * find nothing to do (a second CREATE TABLE would fail). */
#define DEPLOYERS 4

static void build_lock_table(cairn_schema *s)
{
    cairn_table *t = cairn_schema_add_table(s, NULL, "cairn_check_lock");
    col(s, t, "id", "integer", 1);
    cairn_key_add_column(s, cairn_table_set_primary_key(s, t, NULL), "id");
}

static void check_concurrent(kit *k)
{
    char *dir = NULL;
    int rc = write_schema(k, build_lock_table);
    if (!rc)
        rc = cairn_generate(k->cx, NULL, &dir);
    cairn_free(dir);
    if (rc) {
        check(0, "concurrent migrate: generate a migration: %s", errmsg(k));
        return;
    }
    fflush(stdout);
    pid_t pids[DEPLOYERS];
    int started = 0, failed = 0;
    for (int i = 0; i < DEPLOYERS; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            cairn_ctx *cx;
            if (cairn_ctx_new(&cx) != 0)
                _exit(1);
            kit_settings(k, cx);
            cairn_ctx_set(cx, "lock_timeout", "60000");
            int crc = cairn_migrate(cx, NULL);
            if (crc)
                printf("     deployer %d: %s\n", i + 1, cairn_ctx_error(cx)->message);
            fflush(stdout);
            _exit(crc ? 1 : 0);
        }
        if (pids[i] > 0)
            started++;
    }
    for (int i = 0; i < DEPLOYERS; i++) {
        int st;
        if (pids[i] > 0 && (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) ||
                            WEXITSTATUS(st) != 0))
            failed++;
    }
    check(started == DEPLOYERS && failed == 0,
          "concurrent migrate: %d processes at once all succeed (%d failed)", DEPLOYERS, failed);

    cairn_status_row *rows = NULL;
    size_t n = 0, applied = 0;
    rc = cairn_status(k->cx, &rows, &n);
    for (size_t i = 0; !rc && i < n; i++)
        if (rows[i].state == CAIRN_MIGRATION_APPLIED)
            applied++;
    cairn_status_free(rows, n);
    check(rc == 0 && applied == n && n > 0,
          "concurrent migrate: the migration is recorded applied, once (%zu of %zu)%s%s",
          applied, n, rc ? ": " : "", rc ? errmsg(k) : "");

    /* leave the database as it was found */
    rc = write_schema(k, build_empty);
    if (!rc)
        rc = cairn_generate(k->cx, NULL, &dir);
    cairn_free(dir);
    if (!rc)
        rc = cairn_migrate(k->cx, NULL);
    check(rc == 0, "drop the kit's tables%s%s", rc ? ": " : "", rc ? errmsg(k) : "");
}

static void remove_tree(const char *dir)
{
    char cmd[PATH_MAX + 32];
    /* the directory is our own mkdtemp result: no quoting surprise */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cairn-dialect-check: could not remove %s\n", dir);
}

static int usage(void)
{
    fprintf(stderr, "usage: cairn-dialect-check [--keep] <driver.so> <test-database-url>\n");
    return 2;
}

int main(int argc, char **argv)
{
    int keep = 0, a = 1;
    if (a < argc && strcmp(argv[a], "--keep") == 0) {
        keep = 1;
        a++;
    }
    if (argc - a != 2)
        return usage();
    char path[PATH_MAX];
    if (!realpath(argv[a], path)) {
        fprintf(stderr, "cairn-dialect-check: %s: %s\n", argv[a], strerror(errno));
        return 2;
    }
    const char *url = argv[a + 1];
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("# %s against %s, libcairn %s, dialect ABI %d.%d\n", path, url, cairn_version(),
           CAIRN_DIALECT_ABI_MAJOR, CAIRN_DIALECT_ABI_MINOR);

    const cairn_dialect *d = check_table(path);
    if (!d)
        return finish();
    char dirbuf[PATH_MAX];
    snprintf(dirbuf, sizeof dirbuf, "%s", path);
    *strrchr(dirbuf, '/') = '\0';
    if (check_host_accepts(dirbuf, path, d->name) != 0)
        return finish();

    kit k;
    memset(&k, 0, sizeof k);
    const char *tmp = getenv("TMPDIR");
    snprintf(k.dir, sizeof k.dir, "%s/cairn-dialect-check.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(k.dir) || cairn_ctx_new(&k.cx) != 0) {
        check(0, "set up a work directory: %s", strerror(errno));
        return finish();
    }
    snprintf(k.schema_path, sizeof k.schema_path, "%s/schema.json", k.dir);
    snprintf(k.pulled_path, sizeof k.pulled_path, "%s/pulled.json", k.dir);
    snprintf(k.out, sizeof k.out, "%s/migrations", k.dir);
    /* status and migrate refuse a missing migrations folder (a mistyped out) */
    if (mkdir(k.out, 0777) != 0) {
        check(0, "make %s: %s", k.out, strerror(errno));
        return finish();
    }
    k.name = d->name;
    k.url = url;
    k.dialect_dir = dirbuf;
    kit_settings(&k, k.cx);

    if (check_fresh(&k) == 0) {
        for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
            run_step(&k, i);
        check_status(&k);
        check_concurrent(&k);
    }

    cairn_ctx_free(k.cx);
    if (keep)
        printf("# work directory kept: %s\n", k.dir);
    else
        remove_tree(k.dir);
    return finish();
}
