/* textdir: the template dialect driver of the cairn SDK.
 *
 * A real, small driver to copy when writing a new dialect: it answers every
 * required slot honestly and shows the optional ones. Its "database" is a
 * directory holding one text file per table (`<table>.table`, one
 * tab-separated line per column, key, index, foreign key or check), the
 * migration history (`.history.<table>`) and a lock file. Statements are
 * whole-table rewrites:
 *
 *     put "users"              followed by the table's lines
 *     drop "users"
 *
 * which is how a database without ALTER TABLE (SQLite) migrates, too.
 *
 * URL: textdir:/path/to/dir (textdir:///path/to/dir also works); the
 * directory is created on first connect.
 *
 * Build it with nothing but the SDK:
 *     cc -std=c11 -fPIC -shared -fvisibility=hidden \
 *        $(pkg-config --cflags cairn-dialect) -o textdir.so textdir.c
 *
 * Copy-me notes: rename textdir_ to your prefix, keep the forward
 * declarations with the slot typedefs (the compiler then checks every
 * signature against <cairn/sys/dialect.h>), and report every error through
 * host->error() so the message reaches the user in one line. */
#define _DEFAULT_SOURCE /* flock, strdup, usleep */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairn/sys/dialect.h>

#define TEXTDIR_VERSION "0.1.0"
#define TEXTDIR_SUFFIX ".table"

/* A session keeps what `open` was given; no global state. */
struct cairn_dsession {
    const cairn_host *host;
    cairn_hostctx *hc;
};

struct cairn_dconn {
    cairn_dsession *s;
    char *dir;
    int lock_fd; /* -1 when the migration lock is not held */
};

/* Every slot, declared with its typedef so the compiler checks it. */
static cairn_dialect_open_fn textdir_open;
static cairn_dialect_close_fn textdir_close;
static cairn_dialect_connect_fn textdir_connect;
static cairn_dialect_disconnect_fn textdir_disconnect;
static cairn_dialect_exec_fn textdir_exec;
static cairn_dialect_txn_fn textdir_txn;
static cairn_dialect_introspect_fn textdir_introspect;
static cairn_dialect_normalize_type_fn textdir_normalize_type;
static cairn_dialect_emit_fn textdir_emit;
static cairn_dialect_history_ensure_fn textdir_history_ensure;
static cairn_dialect_history_list_fn textdir_history_list;
static cairn_dialect_history_record_fn textdir_history_record;
static cairn_dialect_history_remove_fn textdir_history_remove;
static cairn_dialect_lock_fn textdir_lock;
static cairn_dialect_unlock_fn textdir_unlock;
static cairn_dialect_describe_fn textdir_describe;

static const char *const textdir_schemes[] = {"textdir", NULL};

/* The one exported symbol: a constant table, checked by the host before
 * any code here runs. */
CAIRN_PLUGIN_EXPORT const cairn_dialect cairn_dialect_entry = {
    CAIRN_DIALECT_INIT, /* magic, ABI version and table size: never by hand */
    .name = "textdir",
    .version = TEXTDIR_VERSION,
    .schemes = textdir_schemes,
    /* Each statement is atomic on its own (a file rename), but a failed
     * migration does not roll back: no CAIRN_CAP_TRANSACTIONAL_DDL, so the
     * host records how far a migration got. */
    .caps = 0,
    .quote = '"',
    .open = textdir_open,
    .close = textdir_close,
    .connect = textdir_connect,
    .disconnect = textdir_disconnect,
    .exec = textdir_exec,
    .begin = textdir_txn,
    .commit = textdir_txn,
    .rollback = textdir_txn,
    .introspect = textdir_introspect,
    .normalize_type = textdir_normalize_type,
    .emit = textdir_emit,
    .history_ensure = textdir_history_ensure,
    .history_list = textdir_history_list,
    .history_record = textdir_history_record,
    .history_remove = textdir_history_remove,
    .lock = textdir_lock,
    .unlock = textdir_unlock,
    .describe = textdir_describe,
};

#define ERR(s, code, ...) ((s)->host->error((s)->hc, (code), NULL, __VA_ARGS__))

/* ---- session and connection ------------------------------------------------ */

static int textdir_open(const cairn_host *host, cairn_hostctx *hc, cairn_dsession **out)
{
    /* Refuse a host older than the table this driver calls into. */
    if (host->abi_major != CAIRN_HOST_ABI_MAJOR || host->struct_size < CAIRN_HOST_1_0_SIZE)
        return host->error(hc, CAIRN_EABI, NULL,
                           "textdir needs host ABI %d.%d, the host offers %u.%u",
                           CAIRN_HOST_ABI_MAJOR, CAIRN_HOST_ABI_MINOR,
                           (unsigned)host->abi_major, (unsigned)host->abi_minor);
    cairn_dsession *s = calloc(1, sizeof *s);
    if (!s)
        return host->error(hc, CAIRN_ENOMEM, NULL, "out of memory");
    s->host = host;
    s->hc = hc;
    *out = s;
    return 0;
}

static void textdir_close(cairn_dsession *s)
{
    free(s);
}

static int textdir_connect(cairn_dsession *s, const char *url, cairn_dconn **out)
{
    const char *path = url;
    if (strncmp(path, "textdir:", 8) == 0)
        path += 8;
    if (strncmp(path, "//", 2) == 0)
        path += 2;
    if (!*path)
        return ERR(s, CAIRN_ECONFIG, "textdir URL '%s' names no directory", url);
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return ERR(s, CAIRN_EDB, "textdir: cannot create %s: %s", path, strerror(errno));
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return ERR(s, CAIRN_EDB, "textdir: %s is not a directory", path);
    cairn_dconn *c = calloc(1, sizeof *c);
    if (!c || !(c->dir = strdup(path))) {
        free(c);
        return ERR(s, CAIRN_ENOMEM, "out of memory");
    }
    c->s = s;
    c->lock_fd = -1;
    *out = c;
    return 0;
}

static void textdir_disconnect(cairn_dconn *c)
{
    if (!c)
        return;
    if (c->lock_fd >= 0)
        close(c->lock_fd);
    free(c->dir);
    free(c);
}

static int textdir_describe(cairn_dconn *c, cairn_buf *out)
{
    return c->s->host->buf_printf(out, "textdir:%s", c->dir);
}

/* Every statement is durable when exec returns; there is nothing to begin,
 * commit or roll back (see .caps). */
static int textdir_txn(cairn_dconn *c)
{
    (void)c;
    return 0;
}

/* ---- files ----------------------------------------------------------------- */

static char *textdir_path(cairn_dconn *c, const char *name, const char *suffix)
{
    size_t n = strlen(c->dir) + strlen(name) + strlen(suffix) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s%s", c->dir, name, suffix);
    return p;
}

/* Replace `path` with `text` atomically: a reader sees the old or the new. */
static int textdir_write(cairn_dconn *c, const char *path, const char *text, size_t len)
{
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp)
        return ERR(c->s, CAIRN_ENOMEM, "out of memory");
    snprintf(tmp, n, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int ok = f && fwrite(text, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return ERR(c->s, CAIRN_EDB, "textdir: cannot write %s: %s", path, strerror(e));
    }
    free(tmp);
    return 0;
}

/* The whole file, NUL-terminated; *text = NULL when it does not exist. */
static int textdir_read(cairn_dconn *c, const char *path, char **text)
{
    *text = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : ERR(c->s, CAIRN_EDB, "textdir: cannot read %s: %s", path,
                                         strerror(errno));
    size_t cap = 1024, len = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len < 2) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (!buf)
        return ERR(c->s, CAIRN_ENOMEM, "out of memory");
    buf[len] = '\0';
    *text = buf;
    return 0;
}

/* Split a line on tabs in place; returns the number of fields. */
static size_t textdir_fields(char *line, char **f, size_t max)
{
    size_t n = 0;
    while (n < max) {
        f[n++] = line;
        char *tab = strchr(line, '\t');
        if (!tab)
            break;
        *tab = '\0';
        line = tab + 1;
    }
    return n;
}

/* ---- emit: a plan becomes whole-table rewrites ------------------------------ */

/* What this format cannot hold is refused up front rather than lost: a
 * feature not stored would make the database differ from the schema. */
static int textdir_check_table(cairn_dsession *s, const cairn_table *t)
{
    if (t->schema)
        return ERR(s, CAIRN_EUNSUPPORTED, "textdir has no namespaces (table %s.%s)", t->schema,
                   t->name);
    if (!t->name[0] || t->name[0] == '.' || strchr(t->name, '/'))
        return ERR(s, CAIRN_EUNSUPPORTED, "textdir cannot name a file after table '%s'",
                   t->name);
    if (t->comment || t->noptions || t->ntriggers)
        return ERR(s, CAIRN_EUNSUPPORTED,
                   "textdir does not support table comments, options or triggers (table %s)",
                   t->name);
    for (size_t i = 0; i < t->ncolumns; i++) {
        const cairn_column *col = t->columns[i];
        if (col->identity || col->generated || col->collation || col->comment || col->extra)
            return ERR(s, CAIRN_EUNSUPPORTED,
                       "textdir does not support identity, generated, collation, comment or "
                       "extra on column %s.%s",
                       t->name, col->name);
    }
    for (size_t i = 0; i < t->nindexes; i++) {
        const cairn_index *ix = t->indexes[i];
        if (ix->where || ix->method || ix->ninclude || ix->comment)
            return ERR(s, CAIRN_EUNSUPPORTED,
                       "textdir does not support partial, method, INCLUDE or comment on index %s",
                       ix->name);
        for (size_t j = 0; j < ix->nparts; j++)
            if (!ix->parts[j]->column || ix->parts[j]->desc || ix->parts[j]->collation ||
                ix->parts[j]->length)
                return ERR(s, CAIRN_EUNSUPPORTED,
                           "textdir indexes are on plain columns only (index %s)", ix->name);
    }
    for (size_t i = 0; i < t->nfkeys; i++)
        if (t->fkeys[i]->ref_schema || t->fkeys[i]->deferrable)
            return ERR(s, CAIRN_EUNSUPPORTED,
                       "textdir foreign keys have no namespace and are not deferrable (%s)",
                       t->fkeys[i]->name ? t->fkeys[i]->name : t->name);
    return 0;
}

/* One tab-separated field; a tab or a line break inside would split the
 * line, so it marks the table unstorable instead (*bad). NULL is "". */
static void textdir_field(const cairn_host *h, cairn_buf *b, const char *v, int *bad)
{
    if (v && strpbrk(v, "\t\n\r"))
        *bad = 1;
    h->buf_printf(b, "\t%s", v ? v : "");
}

static void textdir_fields_of(const cairn_host *h, cairn_buf *b, const char *const *v, size_t n,
                              int *bad)
{
    for (size_t i = 0; i < n; i++)
        textdir_field(h, b, v[i], bad);
}

/* The lines of a table file, in the model's order. */
static int textdir_put_table(cairn_dsession *s, cairn_buf *b, const cairn_table *t)
{
    const cairn_host *h = s->host;
    int bad = 0;
    for (size_t i = 0; i < t->ncolumns; i++) {
        const cairn_column *col = t->columns[i];
        h->buf_puts(b, "\ncolumn");
        textdir_field(h, b, col->name, &bad);
        textdir_field(h, b, col->type, &bad);
        h->buf_printf(b, "\t%d", col->not_null ? 1 : 0);
        if (col->default_expr)
            textdir_field(h, b, col->default_expr, &bad);
    }
    if (t->primary_key) {
        h->buf_puts(b, "\nprimary");
        textdir_field(h, b, t->primary_key->name, &bad);
        textdir_fields_of(h, b, t->primary_key->columns, t->primary_key->ncolumns, &bad);
    }
    for (size_t i = 0; i < t->nuniques; i++) {
        h->buf_puts(b, "\nunique");
        textdir_field(h, b, t->uniques[i]->name, &bad);
        textdir_fields_of(h, b, t->uniques[i]->columns, t->uniques[i]->ncolumns, &bad);
    }
    for (size_t i = 0; i < t->nindexes; i++) {
        const cairn_index *ix = t->indexes[i];
        h->buf_puts(b, "\nindex");
        textdir_field(h, b, ix->name, &bad);
        h->buf_printf(b, "\t%d", ix->unique ? 1 : 0);
        for (size_t j = 0; j < ix->nparts; j++)
            textdir_field(h, b, ix->parts[j]->column, &bad);
    }
    for (size_t i = 0; i < t->nfkeys; i++) {
        const cairn_fkey *fk = t->fkeys[i];
        h->buf_puts(b, "\nfkey");
        textdir_field(h, b, fk->name, &bad);
        textdir_field(h, b, fk->ref_table, &bad);
        h->buf_printf(b, "\t%d\t%d\t%zu", (int)fk->on_delete, (int)fk->on_update, fk->ncolumns);
        textdir_fields_of(h, b, fk->columns, fk->ncolumns, &bad);
        textdir_fields_of(h, b, fk->ref_columns, fk->nref_columns, &bad);
    }
    for (size_t i = 0; i < t->nchecks; i++) {
        h->buf_puts(b, "\ncheck");
        textdir_field(h, b, t->checks[i]->name, &bad);
        textdir_field(h, b, t->checks[i]->expr, &bad);
    }
    return bad ? ERR(s, CAIRN_EUNSUPPORTED,
                     "textdir cannot store a tab or a line break in a name, type, default or "
                     "expression of table %s", t->name)
               : 0;
}

static int textdir_stmt(cairn_dsession *s, cairn_buf *b, cairn_stmts *out, uint32_t flags)
{
    int rc = s->host->stmt_add(out, s->host->buf_cstr(b), flags);
    s->host->buf_reset(b);
    return rc ? ERR(s, CAIRN_ENOMEM, "out of memory") : 0;
}

static int textdir_emit(cairn_dsession *s, const cairn_plan *plan, cairn_stmts *out)
{
    const cairn_host *h = s->host;
    cairn_buf *b = h->buf_new(s->hc);
    /* Tables already rewritten: each is written once, whole, at its first
     * change, which keeps the plan's order between tables. */
    const cairn_table **done = calloc(plan->nchanges + 1, sizeof *done);
    if (!b || !done) {
        h->buf_free(b);
        free(done);
        return ERR(s, CAIRN_ENOMEM, "out of memory");
    }
    size_t ndone = 0;
    int rc = 0;
    for (size_t i = 0; i < plan->nchanges && !rc; i++) {
        const cairn_change *ch = plan->changes[i];
        switch (ch->kind) {
        case CAIRN_CHANGE_DROP_TABLE:
            h->buf_puts(b, "drop ");
            h->buf_quote(b, ch->from.table->name, '"');
            rc = textdir_stmt(s, b, out, CAIRN_STMT_DESTRUCTIVE);
            break;
        case CAIRN_CHANGE_RENAME_TABLE:
            h->buf_puts(b, "drop ");
            h->buf_quote(b, ch->from.table->name, '"');
            rc = textdir_stmt(s, b, out, 0);
            /* the table under its new name is written below */
            /* fall through */
        case CAIRN_CHANGE_CREATE_TABLE:
        case CAIRN_CHANGE_ADD_COLUMN:
        case CAIRN_CHANGE_DROP_COLUMN:
        case CAIRN_CHANGE_RENAME_COLUMN:
        case CAIRN_CHANGE_ALTER_COLUMN:
        case CAIRN_CHANGE_SET_PRIMARY_KEY:
        case CAIRN_CHANGE_ADD_UNIQUE:
        case CAIRN_CHANGE_DROP_UNIQUE:
        case CAIRN_CHANGE_ADD_CHECK:
        case CAIRN_CHANGE_DROP_CHECK:
        case CAIRN_CHANGE_ADD_FOREIGN_KEY:
        case CAIRN_CHANGE_DROP_FOREIGN_KEY:
        case CAIRN_CHANGE_CREATE_INDEX:
        case CAIRN_CHANGE_DROP_INDEX:
        case CAIRN_CHANGE_CREATE_TRIGGER:
        case CAIRN_CHANGE_DROP_TRIGGER:
        case CAIRN_CHANGE_SET_TABLE_COMMENT:
        case CAIRN_CHANGE_SET_TABLE_OPTIONS: {
            const cairn_table *t = ch->table_to;
            if (rc || !t)
                break;
            size_t j = 0;
            while (j < ndone && done[j] != t)
                j++;
            if (j < ndone)
                break;
            done[ndone++] = t;
            rc = textdir_check_table(s, t);
            if (rc)
                break;
            h->buf_puts(b, "put ");
            h->buf_quote(b, t->name, '"');
            rc = textdir_put_table(s, b, t);
            if (rc)
                break;
            rc = textdir_stmt(s, b, out, (ch->flags & CAIRN_CHANGE_DESTRUCTIVE)
                                             ? CAIRN_STMT_DESTRUCTIVE : 0);
            break;
        }
        default:
            /* plan.h: a kind this driver does not know or cannot hold is an
             * error naming it, never skipped */
            rc = ERR(s, CAIRN_EUNSUPPORTED,
                     "textdir supports tables only: change kind %d (namespaces, enums, "
                     "sequences, views) is not supported",
                     (int)ch->kind);
        }
    }
    free(done);
    h->buf_free(b);
    return rc;
}

/* ---- exec: run one statement that emit wrote -------------------------------- */

/* Read a "quoted" identifier at *p (quotes doubled inside) into a malloc'd
 * string and move *p past it. */
static char *textdir_ident(const char **p)
{
    const char *q = *p;
    if (*q != '"')
        return NULL;
    size_t cap = strlen(q), n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (q++; *q; q++) {
        if (*q == '"') {
            if (q[1] != '"')
                break;
            q++;
        }
        out[n++] = *q;
    }
    if (*q != '"') {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    *p = q + 1;
    return out;
}

static int textdir_exec(cairn_dconn *c, const char *sql)
{
    /* migration.sql may carry "--" comment lines before a statement */
    for (;;) {
        while (*sql == ' ' || *sql == '\n' || *sql == '\t')
            sql++;
        if (strncmp(sql, "--", 2) != 0)
            break;
        const char *nl = strchr(sql, '\n');
        sql = nl ? nl + 1 : sql + strlen(sql);
    }
    int put = strncmp(sql, "put ", 4) == 0, drop = strncmp(sql, "drop ", 5) == 0;
    if (!put && !drop)
        return ERR(c->s, CAIRN_EDB, "textdir: unknown statement '%.40s'", sql);
    const char *p = sql + (put ? 4 : 5);
    char *name = textdir_ident(&p);
    if (!name || !*name || name[0] == '.' || strchr(name, '/')) {
        free(name);
        return ERR(c->s, CAIRN_EDB, "textdir: bad table name in '%.40s'", sql);
    }
    char *path = textdir_path(c, name, TEXTDIR_SUFFIX);
    int rc = 0;
    if (!path) {
        rc = ERR(c->s, CAIRN_ENOMEM, "out of memory");
    } else if (put) {
        /* the table's lines follow the name; the file holds them one per line */
        if (*p == '\n')
            p++;
        /* migration.sql ends each statement with ";", as SQL does */
        size_t len = strlen(p);
        while (len && (p[len - 1] == '\n' || p[len - 1] == ' '))
            len--;
        if (len && p[len - 1] == ';')
            len--;
        char *text = malloc(len + 2);
        if (!text) {
            rc = ERR(c->s, CAIRN_ENOMEM, "out of memory");
        } else {
            memcpy(text, p, len);
            if (len && text[len - 1] != '\n')
                text[len++] = '\n';
            rc = textdir_write(c, path, text, len);
            free(text);
        }
    } else if (unlink(path) != 0) {
        rc = ERR(c->s, CAIRN_EDB, "textdir: cannot drop table %s: %s", name,
                 errno == ENOENT ? "no such table" : strerror(errno));
    }
    free(path);
    free(name);
    return rc;
}

/* ---- introspect --------------------------------------------------------------- */

static int textdir_wanted(const cairn_filter *f, const char *name)
{
    for (size_t i = 0; f && i < f->nexclude; i++)
        if (strcmp(f->exclude[i], name) == 0)
            return 0;
    if (!f || f->ntables == 0)
        return 1;
    for (size_t i = 0; i < f->ntables; i++)
        if (fnmatch(f->tables[i], name, 0) == 0)
            return 1;
    return 0;
}

/* One line of a table file into the model. */
static int textdir_load_line(cairn_dconn *c, cairn_schema *out, cairn_table *t, char *line,
                             const char *file, int lineno)
{
    const cairn_host *h = c->s->host;
    char *f[256];
    size_t n = textdir_fields(line, f, 256);
    const char *kname = n > 1 && *f[1] ? f[1] : NULL;
    if (strcmp(f[0], "column") == 0 && (n == 4 || n == 5)) {
        cairn_column *col = h->add_column(out, t, f[1]);
        if (!col)
            return ERR(c->s, CAIRN_ENOMEM, "out of memory");
        col->type = *f[2] ? h->strdup(out, f[2]) : NULL;
        col->not_null = strcmp(f[3], "1") == 0;
        col->default_expr = n == 5 ? h->strdup(out, f[4]) : NULL;
        return 0;
    }
    if ((strcmp(f[0], "primary") == 0 || strcmp(f[0], "unique") == 0) && n >= 3) {
        cairn_key *k = f[0][0] == 'p' ? h->set_primary_key(out, t, kname)
                                      : h->add_unique(out, t, kname);
        for (size_t i = 2; k && i < n; i++)
            if (h->key_add_column(out, k, f[i]))
                k = NULL;
        return k ? 0 : ERR(c->s, CAIRN_ENOMEM, "out of memory");
    }
    if (strcmp(f[0], "index") == 0 && n >= 4) {
        cairn_index *ix = h->add_index(out, t, kname);
        if (ix)
            ix->unique = strcmp(f[2], "1") == 0;
        for (size_t i = 3; ix && i < n; i++) {
            cairn_index_part *part = h->index_add_part(out, ix);
            if (!part)
                ix = NULL;
            else
                part->column = h->strdup(out, f[i]);
        }
        return ix ? 0 : ERR(c->s, CAIRN_ENOMEM, "out of memory");
    }
    if (strcmp(f[0], "fkey") == 0 && n >= 6) {
        size_t ncols = strtoul(f[5], NULL, 10);
        if (ncols == 0 || n != 6 + 2 * ncols)
            return ERR(c->s, CAIRN_EDB, "%s:%d: foreign key with %zu fields", file, lineno, n);
        cairn_fkey *fk = h->add_fkey(out, t, kname);
        if (!fk)
            return ERR(c->s, CAIRN_ENOMEM, "out of memory");
        fk->ref_table = h->strdup(out, f[2]);
        fk->on_delete = (cairn_fk_action)atoi(f[3]);
        fk->on_update = (cairn_fk_action)atoi(f[4]);
        for (size_t i = 0; i < ncols; i++)
            if (h->fkey_add_columns(out, fk, f[6 + i], f[6 + ncols + i]))
                return ERR(c->s, CAIRN_ENOMEM, "out of memory");
        return 0;
    }
    if (strcmp(f[0], "check") == 0 && n == 3)
        return h->add_check(out, t, kname, f[2]) ? 0 : ERR(c->s, CAIRN_ENOMEM, "out of memory");
    return ERR(c->s, CAIRN_EDB, "%s:%d: unknown line '%s' with %zu fields", file, lineno, f[0], n);
}

static int textdir_load_table(cairn_dconn *c, const char *name, cairn_schema *out)
{
    char *path = textdir_path(c, name, TEXTDIR_SUFFIX), *text = NULL;
    if (!path)
        return ERR(c->s, CAIRN_ENOMEM, "out of memory");
    int rc = textdir_read(c, path, &text);
    cairn_table *t = rc || !text ? NULL : c->s->host->add_table(out, NULL, name);
    if (!rc && text && !t)
        rc = ERR(c->s, CAIRN_ENOMEM, "out of memory");
    int lineno = 0;
    for (char *line = text, *next; !rc && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        if (*line)
            rc = textdir_load_line(c, out, t, line, path, lineno);
    }
    free(text);
    free(path);
    return rc;
}

static int textdir_introspect(cairn_dconn *c, const cairn_filter *filter, cairn_schema *out)
{
    DIR *d = opendir(c->dir);
    if (!d)
        return ERR(c->s, CAIRN_EDB, "textdir: cannot read %s: %s", c->dir, strerror(errno));
    int rc = 0;
    struct dirent *de;
    size_t sl = strlen(TEXTDIR_SUFFIX);
    while (!rc && (de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (de->d_name[0] == '.' || n <= sl || strcmp(de->d_name + n - sl, TEXTDIR_SUFFIX) != 0)
            continue;
        char name[NAME_MAX + 1];
        snprintf(name, sizeof name, "%.*s", (int)(n - sl), de->d_name);
        if (textdir_wanted(filter, name))
            rc = textdir_load_table(c, name, out);
    }
    closedir(d);
    return rc;
}

/* Canonical type: lower case, no surrounding blanks. Optional slot: without
 * it the host would compare types as written, case-folded. */
static int textdir_normalize_type(cairn_dsession *s, const char *type, cairn_buf *out)
{
    while (*type == ' ')
        type++;
    size_t n = strlen(type);
    while (n && type[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < n; i++) {
        char ch = type[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (s->host->buf_append(out, &ch, 1))
            return ERR(s, CAIRN_ENOMEM, "out of memory");
    }
    return 0;
}

/* ---- history and lock --------------------------------------------------------- */

static char *textdir_history_path(cairn_dconn *c, const cairn_history_opts *h)
{
    char name[NAME_MAX];
    snprintf(name, sizeof name, ".history.%s", h->table ? h->table : "__cairn_migrations");
    return textdir_path(c, name, "");
}

static int textdir_history_ensure(cairn_dconn *c, const cairn_history_opts *h)
{
    char *path = textdir_history_path(c, h);
    if (!path)
        return ERR(c->s, CAIRN_ENOMEM, "out of memory");
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0666);
    int rc = fd < 0 ? ERR(c->s, CAIRN_EDB, "textdir: cannot create %s: %s", path,
                          strerror(errno))
                    : 0;
    if (fd >= 0)
        close(fd);
    free(path);
    return rc;
}

/* Rows are lines: name, checksum, applied_at, duration_ms, state, done, total. */
static int textdir_history_rows(cairn_dconn *c, const cairn_history_opts *h, const char *skip,
                                cairn_history *list, cairn_buf *keep)
{
    char *path = textdir_history_path(c, h), *text = NULL;
    if (!path)
        return ERR(c->s, CAIRN_ENOMEM, "out of memory");
    int rc = textdir_read(c, path, &text);
    for (char *line = text, *next; !rc && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        /* fields are split in a copy: `keep` wants the line as it was */
        char *copy = strdup(line), *f[7];
        if (!copy) {
            rc = ERR(c->s, CAIRN_ENOMEM, "out of memory");
            break;
        }
        if (textdir_fields(copy, f, 7) != 7) {
            rc = ERR(c->s, CAIRN_EINTEGRITY, "textdir: %s: malformed history line", path);
        } else if (skip && strcmp(f[0], skip) == 0) {
            /* the row being replaced or removed */
        } else if (keep) {
            c->s->host->buf_printf(keep, "%s\n", line);
        } else {
            cairn_applied row = {
                .name = f[0], .checksum = f[1], .applied_at = f[2],
                .duration_ms = strtoll(f[3], NULL, 10),
                .state = atoi(f[4]) ? CAIRN_APPLIED_PARTIAL : CAIRN_APPLIED_DONE,
                .statements_done = atoi(f[5]), .statements_total = atoi(f[6]),
            };
            if (c->s->host->history_add(list, &row))
                rc = ERR(c->s, CAIRN_ENOMEM, "out of memory");
        }
        free(copy);
    }
    free(text);
    free(path);
    return rc;
}

static int textdir_history_list(cairn_dconn *c, const cairn_history_opts *h, cairn_history *out)
{
    return textdir_history_rows(c, h, NULL, out, NULL);
}

/* Rewrite the history without `name`, then with `row` (if any) at the end. */
static int textdir_history_replace(cairn_dconn *c, const cairn_history_opts *h,
                                   const char *name, const cairn_applied *row)
{
    const cairn_host *host = c->s->host;
    cairn_buf *b = host->buf_new(c->s->hc);
    char *path = textdir_history_path(c, h);
    if (!b || !path) {
        host->buf_free(b);
        free(path);
        return ERR(c->s, CAIRN_ENOMEM, "out of memory");
    }
    int rc = textdir_history_rows(c, h, name, NULL, b);
    if (!rc && row)
        host->buf_printf(b, "%s\t%s\t%s\t%lld\t%d\t%d\t%d\n", row->name, row->checksum,
                         row->applied_at, (long long)row->duration_ms,
                         row->state == CAIRN_APPLIED_PARTIAL, (int)row->statements_done,
                         (int)row->statements_total);
    if (!rc)
        rc = textdir_write(c, path, host->buf_cstr(b), host->buf_len(b));
    free(path);
    host->buf_free(b);
    return rc;
}

static int textdir_history_record(cairn_dconn *c, const cairn_history_opts *h,
                                  const cairn_applied *row)
{
    return textdir_history_replace(c, h, row->name, row);
}

static int textdir_history_remove(cairn_dconn *c, const cairn_history_opts *h, const char *name)
{
    return textdir_history_replace(c, h, name, NULL);
}

/* flock on a file of the directory: held until unlock or disconnect, and
 * released by the kernel if the process dies. */
static int textdir_lock(cairn_dconn *c, const cairn_history_opts *h)
{
    if (c->lock_fd >= 0)
        return 0;
    char name[NAME_MAX];
    snprintf(name, sizeof name, ".lock.%s", h->lock_name ? h->lock_name : "cairn");
    char *path = textdir_path(c, name, "");
    if (!path)
        return ERR(c->s, CAIRN_ENOMEM, "out of memory");
    int fd = open(path, O_RDWR | O_CREAT, 0666);
    free(path);
    if (fd < 0)
        return ERR(c->s, CAIRN_EDB, "textdir: cannot open the lock file: %s", strerror(errno));
    for (long waited = 0;; waited += 50) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            break;
        if (errno != EWOULDBLOCK || (h->lock_timeout_ms >= 0 && waited >= h->lock_timeout_ms)) {
            close(fd);
            return ERR(c->s, CAIRN_ELOCKED, "textdir: the migration lock of %s is held", c->dir);
        }
        usleep(50 * 1000);
    }
    c->lock_fd = fd;
    return 0;
}

static int textdir_unlock(cairn_dconn *c, const cairn_history_opts *h)
{
    (void)h;
    if (c->lock_fd >= 0) {
        close(c->lock_fd); /* closing the descriptor releases the flock */
        c->lock_fd = -1;
    }
    return 0;
}
