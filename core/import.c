/*
 * cairn import: another tool's migrations folder (drizzle-kit, Prisma,
 * Flyway, golang-migrate, dbmate) converted into cairn's layout, and, given
 * a database, that tool's history recorded as cairn's.
 *
 * The SQL is kept byte for byte (dbmate's file is cut in its up and down
 * parts); each snapshot is the scratch database read back after replaying
 * migrations 1..k on it. Everything is read and replayed before the first
 * folder is written, and a failure after that removes what was written, so
 * a refused import leaves the out folder as it was.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import.h"

static void ilist_release(ilist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        imig *m = &l->v[i];
        free(m->name);
        free(m->slug);
        free(m->file);
        free(m->sql);
        free(m->down);
        free(m->key);
        free(m->snapshot);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static imig *ilist_add(cairn_ctx *cx, ilist *l)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        imig *nv = realloc(l->v, ncap * sizeof *nv);
        if (!nv) {
            cairn_err(cx, CAIRN_ENOMEM, "out of memory");
            return NULL;
        }
        l->v = nv;
        l->cap = ncap;
    }
    imig *m = &l->v[l->n++];
    memset(m, 0, sizeof *m);
    m->stamp = -1;
    return m;
}

int cairn_import_oom(cairn_ctx *cx)
{
    return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
}

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A SQL file of the other tool, whole. */
static int read_sql(cairn_ctx *cx, const char *path, char **text)
{
    size_t len;
    int rc = cairn_read_file(cx, path, text, &len);
    if (!rc && (rc = cairn_text_check_nul(cx, CAIRN_ECONFIG, path, *text, len, "a migration"))) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

/* The names in `dir`, sorted (the order never depends on the file system). */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_names(cairn_ctx *cx, const char *dir, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return cairn_err_at(cx, CAIRN_EIO, dir, 0, 0, "cannot read the folder");
    char **v = NULL;
    size_t cnt = 0;
    int rc = 0;
    for (struct dirent *de; !rc && (de = readdir(d)) != NULL;) {
        if (de->d_name[0] == '.')
            continue;
        char **nv = realloc(v, (cnt + 1) * sizeof *nv);
        if (!nv || !(nv[cnt] = strdup(de->d_name))) {
            v = nv ? nv : v;
            rc = cairn_import_oom(cx);
            break;
        }
        v = nv;
        cnt++;
    }
    closedir(d);
    if (rc) {
        cairn_strv_free(v, cnt);
        return rc;
    }
    if (cnt)
        qsort(v, cnt, sizeof *v, cmp_str);
    *out = v;
    *n = cnt;
    return 0;
}

/* The dialect the other tool says its migrations are for, when it says. */
static int check_dialect(cairn_ctx *cx, const char *file, const char *theirs)
{
    static const struct {
        const char *theirs, *ours;
    } map[] = {{"postgresql", "postgresql"}, {"postgres", "postgresql"},
               {"mysql", "mysql"},           {"sqlite", "sqlite"},
               {"turso", "sqlite"}};
    const char *want = NULL;
    for (size_t i = 0; theirs && i < sizeof map / sizeof *map; i++)
        if (strcmp(map[i].theirs, theirs) == 0)
            want = map[i].ours;
    cairn_session *s;
    int rc = cairn_session_get(cx, &s);
    if (rc || !want)
        return rc;
    const char *ours = cairn_session_dialect(s)->name;
    if (strcmp(want, ours) != 0)
        return cairn_err_at(cx, CAIRN_ECONFIG, file, 0, 0,
                            "the migrations are written for %s, but the dialect is '%s' (set "
                            "--dialect or \"dialect\")",
                            theirs, ours);
    return 0;
}

/* ---- drizzle-kit: NNNN_name.sql listed in meta/_journal.json ------------ */

/* drizzle-kit splits on the marker wherever it is and writes some at the
 * end of a statement's line ("...;--> statement-breakpoint"); cairn splits
 * on lines holding only the marker. Each such marker gets a line of its
 * own (the pieces stay the same); the rest of the text is kept. Returns
 * how many were moved, -1 when out of memory. */
static int breakpoints_on_own_lines(char **sql)
{
    static const char mark[] = CAIRN_BREAKPOINT;
    size_t ml = sizeof mark - 1;
    cairn_buf b;
    cairn_buf_init(&b);
    int moved = 0;
    const char *p = *sql;
    for (const char *at; (at = strstr(p, mark)) != NULL; p = at + ml) {
        const char *ls = at;
        while (ls > *sql && (ls[-1] == ' ' || ls[-1] == '\t'))
            ls--;
        int starts = ls == *sql || ls[-1] == '\n';
        const char *after = at + ml;
        while (*after == ' ' || *after == '\t' || *after == '\r')
            after++;
        int ends = !*after || *after == '\n';
        cairn_buf_append(&b, p, (size_t)(at - p));
        if (!starts)
            cairn_buf_puts(&b, "\n");
        cairn_buf_append(&b, mark, ml);
        if (!ends)
            cairn_buf_puts(&b, "\n");
        moved += !starts || !ends;
    }
    cairn_buf_puts(&b, p);
    if (b.oom) {
        cairn_buf_release(&b);
        return -1;
    }
    if (moved) {
        free(*sql);
        *sql = cairn_buf_steal(&b);
    }
    cairn_buf_release(&b);
    return moved;
}

static int read_drizzle(cairn_ctx *cx, ilist *l)
{
    char *jpath = cairn_path_join(l->dir, "meta/_journal.json");
    if (!jpath)
        return cairn_import_oom(cx);
    if (!cairn_file_exists(jpath)) {
        free(jpath);
        return 0; /* no migrations: read_source says what the folder is */
    }
    char *text = NULL;
    size_t len;
    cairn_journal j;
    memset(&j, 0, sizeof j);
    int rc = cairn_read_file(cx, jpath, &text, &len);
    if (!rc)
        rc = cairn_json_read_journal(cx, text, len, jpath, &j);
    if (!rc)
        rc = check_dialect(cx, jpath, j.dialect);
    for (size_t i = 0; i < j.n && !rc; i++) {
        const cairn_journal_entry *e = &j.v[i];
        imig *m = ilist_add(cx, l);
        if (!m) {
            rc = CAIRN_ENOMEM;
            break;
        }
        /* "0000_init": the name is what follows drizzle's own counter */
        const char *slug = e->tag;
        while (is_digit(*slug))
            slug++;
        if (*slug == '_' && slug != e->tag)
            slug++;
        cairn_buf b;
        cairn_buf_init(&b);
        cairn_buf_printf(&b, "%s.sql", e->tag);
        m->file = b.oom ? NULL : cairn_path_join(l->dir, cairn_buf_cstr(&b));
        cairn_buf_reset(&b);
        cairn_buf_printf(&b, "%lld", (long long)e->when);
        m->key = b.oom ? NULL : cairn_buf_steal(&b);
        cairn_buf_release(&b);
        m->slug = strdup(slug);
        if (!m->file || !m->key || !m->slug) {
            rc = cairn_import_oom(cx);
            break;
        }
        m->stamp = e->when >= 0 ? e->when / 1000 : -1;
        if (!cairn_file_exists(m->file))
            rc = cairn_err_at(cx, CAIRN_ECONFIG, jpath, e->line, 0,
                              "entry \"%s\": its file %s is missing", e->tag, m->file);
        else
            rc = read_sql(cx, m->file, &m->sql);
        if (rc)
            break;
        cairn_sha256_hex(m->sql, strlen(m->sql), m->file_sum);
        int moved = breakpoints_on_own_lines(&m->sql);
        if (moved < 0)
            rc = cairn_import_oom(cx);
        else if (moved)
            cairn_log(cx, CAIRN_LOG_INFO,
                      "%s: %d \"%s\" marker%s put on a line of %s own in migration.sql "
                      "(cairn splits statements on such lines)",
                      m->file, moved, CAIRN_BREAKPOINT, moved == 1 ? "" : "s",
                      moved == 1 ? "its" : "their");
    }
    cairn_journal_release(&j);
    free(text);
    free(jpath);
    return rc;
}

/* ---- Prisma: <14 digits>_<name>/migration.sql + migration_lock.toml ----- */

static int read_prisma(cairn_ctx *cx, ilist *l)
{
    char *lock = cairn_path_join(l->dir, "migration_lock.toml");
    if (!lock)
        return cairn_import_oom(cx);
    int rc = 0;
    if (cairn_file_exists(lock)) {
        /* provider = "postgresql" */
        char *text = NULL;
        size_t len;
        rc = cairn_read_file(cx, lock, &text, &len);
        const char *p = rc ? NULL : strstr(text, "provider");
        const char *q1 = p ? strchr(p, '"') : NULL;
        const char *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
        char *provider = q2 ? dupn(q1 + 1, (size_t)(q2 - q1 - 1)) : NULL;
        if (!rc && q2 && !provider)
            rc = cairn_import_oom(cx);
        if (!rc)
            rc = check_dialect(cx, lock, provider);
        free(provider);
        free(text);
    }
    free(lock);
    char **names = NULL;
    size_t n = 0;
    if (!rc)
        rc = list_names(cx, l->dir, &names, &n);
    for (size_t i = 0; i < n && !rc; i++) {
        const char *nm = names[i];
        size_t k = 0;
        while (k < 14 && is_digit(nm[k]))
            k++;
        char *sub = cairn_path_join(l->dir, nm);
        if (!sub) {
            rc = cairn_import_oom(cx);
            break;
        }
        if (k < 14 || nm[14] != '_' || !cairn_is_dir(sub)) {
            free(sub); /* migration_lock.toml, a README: not migrations */
            continue;
        }
        imig *m = ilist_add(cx, l);
        if (!m || !(m->file = cairn_path_join(sub, "migration.sql")) || !(m->key = strdup(nm)) ||
            !(m->slug = strdup(nm + 15))) {
            free(sub);
            rc = cairn_import_oom(cx);
            break;
        }
        free(sub);
        if (cairn_folder_parse_stamp(nm, &m->stamp))
            m->stamp = -1;
        if (!cairn_file_exists(m->file))
            rc = cairn_err_at(cx, CAIRN_ECONFIG, m->file, 0, 0,
                              "missing: every Prisma migration folder has one");
        else
            rc = read_sql(cx, m->file, &m->sql);
        if (!rc)
            cairn_sha256_hex(m->sql, strlen(m->sql), m->file_sum);
    }
    cairn_strv_free(names, n);
    return rc;
}

/* ---- Flyway: V<version>__<description>.sql (U: undo, R: repeatable) ----- */

imig *cairn_import_find(ilist *l, const char *key, int (*cmp)(const char *, const char *))
{
    for (size_t i = 0; i < l->n; i++)
        if (cmp(l->v[i].key, key) == 0)
            return &l->v[i];
    return NULL;
}

/* One file of a tool whose migrations have an up and a down file: a new
 * migration (`down` 0; its version must be new) or the down part of one.
 * Takes `file`, `version` and `slug` (NULL for a down file). */
static int add_versioned(cairn_ctx *cx, ilist *l, int down, char *file, char *version, char *slug,
                         int (*cmp)(const char *, const char *))
{
    imig *same = cairn_import_find(l, version, cmp);
    int rc = 0;
    if (!down && same)
        rc = cairn_err_at(cx, CAIRN_ECONFIG, file, 0, 0,
                          "version %s is also %s: %s refuses two migrations of one version",
                          version, same->file, l->tool->label);
    else if (down && !same)
        cairn_log(cx, CAIRN_LOG_WARN,
                  "%s: a down (undo) migration of version %s, which has no migration: ignored",
                  file, version);
    else if (down && !same->down)
        rc = read_sql(cx, file, &same->down);
    else if (!down) {
        imig *m = ilist_add(cx, l);
        if (!m) {
            rc = CAIRN_ENOMEM;
        } else {
            m->file = file;
            m->key = version;
            m->slug = slug;
            file = version = slug = NULL;
            rc = read_sql(cx, m->file, &m->sql);
        }
    }
    free(file);
    free(version);
    free(slug);
    return rc;
}


/* Compare two Flyway versions part by part as numbers ("1.10" after
 * "1.9"; "1.0" equals "1"), '.' and '_' both separating parts. */
int cairn_import_flyway_cmp(const char *a, const char *b)
{
    for (;;) {
        while (*a == '0' && is_digit(a[1]))
            a++;
        while (*b == '0' && is_digit(b[1]))
            b++;
        size_t la = 0, lb = 0;
        while (is_digit(a[la]))
            la++;
        while (is_digit(b[lb]))
            lb++;
        int za = la == 1 && *a == '0', zb = lb == 1 && *b == '0';
        if (!la && !lb)
            return 0;
        /* a missing part is 0: trailing zero parts do not count */
        if (!la && !zb)
            return -1;
        if (!lb && !za)
            return 1;
        if (la && lb) {
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = strncmp(a, b, la);
            if (c)
                return c < 0 ? -1 : 1;
        }
        a += la;
        b += lb;
        if (*a == '.' || *a == '_')
            a++;
        if (*b == '.' || *b == '_')
            b++;
    }
}

/* "V1_2__Add_users.sql" -> version "1.2", description "Add users". */
static int flyway_parse(const char *name, char prefix, char **version, char **desc)
{
    *version = *desc = NULL;
    if (name[0] != prefix || !cairn_has_suffix(name, ".sql"))
        return 0;
    const char *p = name + 1;
    if (prefix != 'R' && !is_digit(*p))
        return 0;
    while (is_digit(*p) || *p == '.' || (*p == '_' && p[1] != '_'))
        p++;
    if (p[0] != '_' || p[1] != '_')
        return 0;
    *version = dupn(name + 1, (size_t)(p - name - 1));
    *desc = dupn(p + 2, strlen(p + 2) - 4);
    if (!*version || !*desc) {
        free(*version);
        free(*desc);
        *version = *desc = NULL;
        return -1;
    }
    for (char *q = *version; *q; q++)
        if (*q == '_')
            *q = '.';
    for (char *q = *desc; *q; q++)
        if (*q == '_')
            *q = ' ';
    return 1;
}

static int cmp_flyway(const void *a, const void *b)
{
    return cairn_import_flyway_cmp(((const imig *)a)->key, ((const imig *)b)->key);
}

static int read_flyway(cairn_ctx *cx, ilist *l)
{
    char **names = NULL;
    size_t n = 0;
    int rc = list_names(cx, l->dir, &names, &n);
    /* versioned migrations first, undo files then find theirs */
    for (int pass = 0; pass < 2 && !rc; pass++)
        for (size_t i = 0; i < n && !rc; i++) {
            char *version, *desc;
            int got = flyway_parse(names[i], pass ? 'U' : 'V', &version, &desc);
            if (got < 0)
                rc = cairn_import_oom(cx);
            if (!pass && !got && !rc && flyway_parse(names[i], 'R', &version, &desc) == 1) {
                cairn_log(cx, CAIRN_LOG_WARN,
                          "%s/%s: a repeatable migration; cairn has none, so it is not "
                          "imported (put what it makes in the schema, or in a migration)",
                          l->dir, names[i]);
                free(version);
                free(desc);
                continue;
            }
            if (got <= 0)
                continue;
            char *file = cairn_path_join(l->dir, names[i]);
            if (!file) {
                free(version);
                free(desc);
                rc = cairn_import_oom(cx);
                break;
            }
            if (pass) {
                free(desc);
                desc = NULL;
            }
            rc = add_versioned(cx, l, pass, file, version, desc, cairn_import_flyway_cmp);
        }
    cairn_strv_free(names, n);
    if (!rc && l->n)
        qsort(l->v, l->n, sizeof *l->v, cmp_flyway);
    /* versions that are stamps (V20240101120000__x) keep their time */
    for (size_t i = 0; i < l->n && !rc; i++)
        if (strlen(l->v[i].key) != 14 || cairn_folder_parse_stamp(l->v[i].key, &l->v[i].stamp))
            l->v[i].stamp = -1;
    return rc;
}

/* ---- numbered files: golang-migrate and dbmate ----------------------------- */

/* The stamp of a numeric version: a 14-digit UTC time as it is; 10 digits
 * are seconds since the epoch (`migrate create -format unix`); else none. */
static int64_t version_stamp(const char *v, size_t len)
{
    int64_t t;
    if (len == 14 && cairn_folder_parse_stamp(v, &t) == 0)
        return t;
    if (len == 10 && v[0] != '0')
        return strtoll(v, NULL, 10);
    return -1;
}

/* Compare numeric versions as numbers (leading zeros aside). */
int cairn_import_num_cmp(const char *a, const char *b)
{
    while (*a == '0' && a[1])
        a++;
    while (*b == '0' && b[1])
        b++;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return la < lb ? -1 : 1;
    int c = strcmp(a, b);
    return c < 0 ? -1 : c > 0;
}

static int cmp_num(const void *a, const void *b)
{
    return cairn_import_num_cmp(((const imig *)a)->key, ((const imig *)b)->key);
}

/* golang-migrate: <version>_<title>.up.sql and .down.sql */
static int read_golang(cairn_ctx *cx, ilist *l)
{
    char **names = NULL;
    size_t n = 0;
    int rc = list_names(cx, l->dir, &names, &n);
    for (int pass = 0; pass < 2 && !rc; pass++)
        for (size_t i = 0; i < n && !rc; i++) {
            const char *nm = names[i];
            size_t k = 0;
            while (is_digit(nm[k]))
                k++;
            const char *suffix = pass ? ".down.sql" : ".up.sql";
            if (!k || nm[k] != '_' || !cairn_has_suffix(nm, suffix) ||
                strlen(nm) < k + 1 + strlen(suffix))
                continue;
            char *version = dupn(nm, k);
            char *file = cairn_path_join(l->dir, nm);
            char *slug = pass ? NULL : dupn(nm + k + 1, strlen(nm) - k - 1 - strlen(suffix));
            if (!version || !file || (!pass && !slug)) {
                free(version);
                free(file);
                free(slug);
                rc = cairn_import_oom(cx);
                break;
            }
            rc = add_versioned(cx, l, pass, file, version, slug, cairn_import_num_cmp);
        }
    cairn_strv_free(names, n);
    if (!rc && l->n)
        qsort(l->v, l->n, sizeof *l->v, cmp_num);
    for (size_t i = 0; i < l->n; i++)
        l->v[i].stamp = version_stamp(l->v[i].key, strlen(l->v[i].key));
    return rc;
}

/* dbmate's section line: "-- migrate:up" at the start of a line (dbmate
 * allows blanks after "--"); the text after it on the line (options) in
 * `opts`, the start of the next line in `next`. */
static const char *dbmate_section(const char *text, const char *which, const char **opts,
                                  const char **next)
{
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (p[0] != '-' || p[1] != '-')
            continue;
        const char *q = p + 2;
        while (*q == ' ' || *q == '\t')
            q++;
        size_t wl = strlen(which);
        if (strncmp(q, which, wl) != 0)
            continue;
        *opts = q + wl;
        const char *eol = strchr(q, '\n');
        *next = eol ? eol + 1 : q + strlen(q);
        return p;
    }
    return NULL;
}

/* dbmate: <version>_<name>.sql holding "-- migrate:up" and "-- migrate:down" */
static int read_dbmate(cairn_ctx *cx, ilist *l)
{
    char **names = NULL;
    size_t n = 0;
    int rc = list_names(cx, l->dir, &names, &n);
    for (size_t i = 0; i < n && !rc; i++) {
        const char *nm = names[i];
        size_t k = 0;
        while (is_digit(nm[k]))
            k++;
        if (!k || !cairn_has_suffix(nm, ".sql"))
            continue;
        imig *m = ilist_add(cx, l);
        if (!m || !(m->file = cairn_path_join(l->dir, nm)) || !(m->key = dupn(nm, k))) {
            rc = cairn_import_oom(cx);
            break;
        }
        const char *rest = nm + k + (nm[k] == '_');
        m->stamp = version_stamp(m->key, k);
        imig *same = cairn_import_find(l, m->key, cairn_import_num_cmp);
        if (same != m) {
            rc = cairn_err_at(cx, CAIRN_ECONFIG, m->file, 0, 0,
                              "version %s is also %s: dbmate refuses two migrations of one "
                              "version",
                              m->key, same->file);
            break;
        }
        char *text = NULL;
        if ((rc = read_sql(cx, m->file, &text)))
            break;
        const char *uopts, *ubody, *dopts, *dbody;
        const char *up = dbmate_section(text, "migrate:up", &uopts, &ubody);
        const char *down = dbmate_section(text, "migrate:down", &dopts, &dbody);
        if (!up)
            rc = cairn_err_at(cx, CAIRN_ECONFIG, m->file, 0, 0,
                              "no \"-- migrate:up\" line: not a dbmate migration");
        else if (down && down < up)
            rc = cairn_err_at(cx, CAIRN_ECONFIG, m->file, 0, 0,
                              "\"-- migrate:down\" comes before \"-- migrate:up\"");
        if (!rc) {
            /* "-- migrate:up transaction:false" is cairn's no-transaction marker */
            const char *eol = strchr(uopts, '\n');
            size_t olen = eol ? (size_t)(eol - uopts) : strlen(uopts);
            char *o = dupn(uopts, olen);
            int no_txn = o && strstr(o, "transaction:false");
            free(o);
            cairn_buf b;
            cairn_buf_init(&b);
            if (no_txn)
                cairn_buf_puts(&b, CAIRN_NO_TRANSACTION_MARKER "\n");
            cairn_buf_append(&b, ubody, (size_t)((down ? down : ubody + strlen(ubody)) - ubody));
            m->sql = b.oom ? NULL : cairn_buf_steal(&b);
            cairn_buf_release(&b);
            m->slug = strdup(cairn_has_suffix(rest, ".sql") ? rest : "migration");
            if (m->slug)
                m->slug[strlen(m->slug) - (cairn_has_suffix(rest, ".sql") ? 4 : 0)] = '\0';
            if (down && !(m->down = strdup(dbody)))
                rc = cairn_import_oom(cx);
            if (!rc && (!m->sql || !m->slug))
                rc = cairn_import_oom(cx);
        }
        free(text);
    }
    cairn_strv_free(names, n);
    if (!rc && l->n)
        qsort(l->v, l->n, sizeof *l->v, cmp_num);
    return rc;
}

/* ---- the tools ---------------------------------------------------------------- */

static const tool tools[] = {
    {"drizzle", "drizzle-kit", read_drizzle},
    {"prisma", "Prisma", read_prisma},
    {"flyway", "Flyway", read_flyway},
    {"golang-migrate", "golang-migrate", read_golang},
    {"dbmate", "dbmate", read_dbmate},
};
#define NTOOLS (sizeof tools / sizeof *tools)

static const tool *find_tool(const char *name)
{
    for (size_t i = 0; name && i < NTOOLS; i++)
        if (strcmp(tools[i].name, name) == 0)
            return &tools[i];
    return NULL;
}

/* Read the folder; nothing of the tool's kind in it is an error that says
 * what the folder looks like instead. */
static int read_source(cairn_ctx *cx, ilist *l)
{
    if (!cairn_is_dir(l->dir))
        return cairn_err(cx, CAIRN_ECONFIG, "%s: %s", l->dir,
                         cairn_file_exists(l->dir) ? "not a folder" : "no such folder");
    int rc = l->tool->read(cx, l);
    if (rc || l->n)
        return rc;
    char evidence[256];
    const char *other = cairn_folder_foreign(l->dir, evidence, sizeof evidence);
    cairn_migration *mine = NULL;
    size_t nmine = 0;
    if (!other && cairn_folder_list(cx, l->dir, &mine, &nmine) == 0 && nmine)
        other = "cairn";
    cairn_folder_free(mine, nmine);
    if (other && strcmp(other, l->tool->name) != 0)
        return cairn_err(cx, CAIRN_ECONFIG,
                         "%s is not a %s migrations folder: it holds %s migrations%s%s%s%s",
                         l->dir, l->tool->label, other, strcmp(other, "cairn") ? " (" : "",
                         strcmp(other, "cairn") ? evidence : "",
                         strcmp(other, "cairn") ? "): try 'cairn import " : "",
                         strcmp(other, "cairn") ? other : "");
    return cairn_err(cx, CAIRN_ECONFIG, "%s is not a %s migrations folder: no migration in it",
                     l->dir, l->tool->label);
}

/* Names: <stamp>_<slug>, in the tool's order. The tool's own times are
 * kept where every migration has one; a stamp that does not sort after
 * the previous one becomes the previous one plus a second. Without times
 * (sequence numbers, Flyway versions) the stamps count seconds from
 * 1970-01-01 00:00:01 UTC in the tool's order. */
static int assign_names(cairn_ctx *cx, ilist *l)
{
    int all = 1;
    for (size_t i = 0; i < l->n; i++)
        all = all && l->v[i].stamp >= 0;
    int64_t prev = 0;
    for (size_t i = 0; i < l->n; i++) {
        imig *m = &l->v[i];
        int64_t t = all ? m->stamp : (int64_t)i + 1;
        if (i && t <= prev)
            t = prev + 1;
        prev = t;
        char stamp[16], slug[CAIRN_SLUG_MAX + 1];
        if (cairn_folder_format_stamp(t, stamp))
            return cairn_err_at(cx, CAIRN_ECONFIG, m->file, 0, 0,
                                "its time is past the year 9999: no cairn name for it");
        if (!cairn_folder_slug(m->slug, slug))
            strcpy(slug, "migration");
        cairn_buf b;
        cairn_buf_init(&b);
        cairn_buf_printf(&b, "%s_%s", stamp, slug);
        if (b.oom)
            return cairn_import_oom(cx);
        m->name = cairn_buf_steal(&b);
        cairn_sha256_hex(m->sql, strlen(m->sql), m->checksum);
    }
    return 0;
}

/* Replay migrations 1..k on one scratch database, reading it back after
 * each: snapshot k. */
static int build_snapshots(cairn_ctx *cx, ilist *l)
{
    cairn_session *s;
    int rc = cairn_session_get(cx, &s);
    if (rc)
        return rc;
    cairn_replay r;
    if ((rc = cairn_replay_open(cx, "cairn import", &r)))
        return cairn_err_prefix(cx, rc, "import replays the migrations on a scratch database");
    const char *dialect = cairn_session_dialect(s)->name;
    for (size_t i = 0; i < l->n && !rc; i++) {
        imig *m = &l->v[i];
        cairn_schema *got = NULL;
        rc = cairn_replay_exec(cx, &r, m->file, m->sql);
        if (!rc)
            rc = cairn_conn_introspect(r.c, &got);
        if (!rc) {
            cairn_schema_sort(got);
            cairn_snapshot snap = {.id = m->name, .parent = i ? l->v[i - 1].name : NULL,
                                   .dialect = (char *)dialect, .schema = got};
            cairn_buf json;
            cairn_buf_init(&json);
            rc = cairn_json_write_snapshot(cx, &snap, &json);
            if (!rc && json.oom)
                rc = cairn_import_oom(cx);
            if (!rc)
                m->snapshot = cairn_buf_steal(&json);
            cairn_buf_release(&json);
        }
        cairn_schema_free(got);
    }
    cairn_replay_close(cx, &r);
    return rc;
}

/* The out folder takes the import: missing, or without cairn migrations,
 * and not the folder being imported. */
static int check_out(cairn_ctx *cx, const char *out, const char *dir)
{
    if (!out || !*out)
        return cairn_err(cx, CAIRN_ECONFIG, "no migrations folder: set \"out\" or pass --out");
    char *ro = realpath(out, NULL), *rd = realpath(dir, NULL);
    int same = ro && rd && strcmp(ro, rd) == 0;
    free(ro);
    free(rd);
    if (same)
        return cairn_err(cx, CAIRN_EUSAGE,
                         "the migrations folder %s is the folder being imported: write cairn's "
                         "migrations to another one (--out)",
                         out);
    if (cairn_file_exists(out) && !cairn_is_dir(out))
        return cairn_err(cx, CAIRN_EUSAGE, "the migrations folder %s is not a folder", out);
    cairn_migration *list;
    size_t n;
    int rc = cairn_folder_list(cx, out, &list, &n);
    if (!rc && n)
        rc = cairn_err(cx, CAIRN_EUSAGE,
                       "the migrations folder %s already holds %zu cairn migration%s: import "
                       "into a new or empty folder (--out)",
                       out, n, n == 1 ? "" : "s");
    cairn_folder_free(list, n);
    return rc;
}

static int write_all(cairn_ctx *cx, const ilist *l, const char *out)
{
    int made = !cairn_is_dir(out), rc = 0;
    size_t i = 0;
    for (; i < l->n && !rc; i++)
        rc = cairn_folder_write(cx, out, l->v[i].name, l->v[i].sql, l->v[i].down,
                                l->v[i].snapshot);
    if (!rc)
        return 0;
    /* undo: the failed one removed its own temporary folder */
    for (size_t k = 0; k + 1 < i; k++)
        cairn_folder_remove(out, l->v[k].name);
    if (made)
        rmdir(out);
    return rc;
}

/* --history-only: the out folder must hold this very import. */
static int check_imported(cairn_ctx *cx, const ilist *l, const char *out)
{
    cairn_migration *list;
    size_t n;
    int rc = cairn_folder_list_existing(cx, out, &list, &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < l->n && !rc; i++) {
        cairn_migration *m = NULL;
        for (size_t k = 0; k < n && !m; k++)
            if (strcmp(list[k].name, l->v[i].name) == 0)
                m = &list[k];
        if (m)
            rc = cairn_folder_load_sql(cx, m);
        if (!rc && (!m || !m->sql || strcmp(m->checksum, l->v[i].checksum) != 0))
            rc = cairn_err(cx, CAIRN_ECONFIG,
                           "--history-only: %s %s %s, the import of %s: import the folder "
                           "first (without --history-only)",
                           out, m ? "has another" : "lacks", l->v[i].name, l->v[i].file);
    }
    cairn_folder_free(list, n);
    return rc;
}

/* --history-table: a name the SQL can hold as it is, for a tool whose
 * table can be renamed, and a history to read. */
static int check_history_table(cairn_ctx *cx, const tool *t, const cairn_import_opts *opts)
{
    const char *s = opts->history_table, *dot = strchr(s, '.');
    if (strcmp(t->name, "prisma") == 0)
        return cairn_err(cx, CAIRN_EUSAGE, "import: Prisma's history table is always "
                                           "_prisma_migrations: --history-table does not apply");
    if (opts->no_history)
        return cairn_err(cx, CAIRN_EUSAGE,
                         "import: --history-table names a history to read, --no-history reads "
                         "none");
    int ok = *s && *s != '.' && (!dot || (dot[1] && !strchr(dot + 1, '.')));
    for (const char *p = s; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || *p == '_' || *p == '$' || *p == '.';
    if (!ok)
        return cairn_err(cx, CAIRN_EUSAGE,
                         "import: --history-table wants TABLE or NAMESPACE.TABLE (letters, digits, "
                         "'_', '$'), not '%s'", s);
    return 0;
}

int cairn_import(cairn_ctx *cx, const char *tool_name, const char *dir,
                 const cairn_import_opts *opts)
{
    static const cairn_import_opts defaults = {0};
    if (!opts)
        opts = &defaults;
    const tool *t = find_tool(tool_name);
    if (!t) {
        cairn_buf names;
        cairn_buf_init(&names);
        for (size_t i = 0; i < NTOOLS; i++)
            cairn_buf_printf(&names, "%s%s", i ? ", " : "", tools[i].name);
        int rc = cairn_err(cx, CAIRN_EUSAGE, "import: unknown tool '%s' (one of: %s)",
                           tool_name ? tool_name : "", cairn_buf_cstr(&names));
        cairn_buf_release(&names);
        return rc;
    }
    if (!dir || !*dir)
        return cairn_err(cx, CAIRN_EUSAGE, "import: which folder?");
    const char *out = cairn_ctx_get(cx, "out");
    const char *url = cairn_ctx_get(cx, "url");
    int with_history = opts->history_only || (!opts->no_history && url && *url);
    ilist l = {.tool = t, .dir = dir, .history_table = opts->history_table};
    cairn_session *s;
    cairn_conn *c = NULL;
    int rc = cairn_session_get(cx, &s);
    int lock_fd = -1, found = 0, written = 0;
    if (!rc && opts->history_only && opts->no_history)
        rc = cairn_err(cx, CAIRN_EUSAGE, "import: --history-only and --no-history exclude each "
                                         "other");
    if (!rc && opts->history_table)
        rc = check_history_table(cx, t, opts);
    if (!rc && opts->history_only && (!url || !*url))
        rc = cairn_err(cx, CAIRN_ECONFIG,
                       "import --history-only: no database url (set \"url\", DATABASE_URL or "
                       "pass --url)");
    if (!rc && !opts->history_only)
        rc = check_out(cx, out, dir);
    if (!rc)
        rc = read_source(cx, &l);
    if (!rc)
        rc = assign_names(cx, &l);
    if (!rc && opts->history_only)
        rc = check_imported(cx, &l, out);
    /* the old tool's history is read before anything is written */
    if (!rc && with_history)
        rc = cairn_session_connect(cx, s, &c);
    if (!rc && with_history)
        rc = cairn_import_read_history(cx, c, cairn_session_dialect(s), &l, &found);
    if (!rc && !opts->history_only) {
        rc = build_snapshots(cx, &l);
        /* no other writer between the check and the last folder written */
        if (!rc)
            rc = cairn_folder_lock(cx, out, &lock_fd);
        if (!rc)
            rc = check_out(cx, out, dir);
        int made = !cairn_is_dir(out);
        if (!rc)
            rc = write_all(cx, &l, out);
        written = !rc;
        if (!rc) {
            for (size_t i = 0; i < l.n; i++) {
                cairn_log(cx, CAIRN_LOG_INFO, "%s -> %s/%s%s", l.v[i].file, out, l.v[i].name,
                          l.v[i].down ? " (with down.sql)" : "");
                char *path = cairn_path_join(out, l.v[i].name);
                cairn_event e = {.kind = CAIRN_EVENT_MIGRATION, .migration = l.v[i].name,
                                 .action = "written", .path = path,
                                 .checksum = l.v[i].checksum};
                cairn_event_emit(cx, &e);
                free(path);
            }
            cairn_log(cx, CAIRN_LOG_INFO, "imported %zu %s migration%s into %s", l.n, t->label,
                      l.n == 1 ? "" : "s", out);
        }
        if (!rc && with_history && found)
            rc = cairn_import_record_history(cx, c, cairn_session_dialect(s), &l);
        /* the history could not be recorded: the folder goes too */
        if (rc && written) {
            for (size_t i = 0; i < l.n; i++)
                cairn_folder_remove(out, l.v[i].name);
            if (made)
                rmdir(out);
        }
        cairn_folder_unlock(lock_fd);
    } else if (!rc && found) {
        rc = cairn_import_record_history(cx, c, cairn_session_dialect(s), &l);
    }
    cairn_conn_close(c);
    ilist_release(&l);
    return rc;
}
