/* The SQLite dialect driver: the entry table, connections, transactions,
 * the migration history and the migration lock. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sqlitedrv.h"

#define SQLITEDRV_BUSY_TIMEOUT_MS 5000
#define SQLITEDRV_HISTORY_TABLE "__cairn_migrations"

static cairn_dialect_open_fn sqlitedrv_open;
static cairn_dialect_close_fn sqlitedrv_close;
static cairn_dialect_connect_fn sqlitedrv_connect;
static cairn_dialect_disconnect_fn sqlitedrv_disconnect;
static cairn_dialect_exec_fn sqlitedrv_exec;
static cairn_dialect_txn_fn sqlitedrv_begin;
static cairn_dialect_txn_fn sqlitedrv_commit;
static cairn_dialect_txn_fn sqlitedrv_rollback;
static cairn_dialect_history_ensure_fn sqlitedrv_history_ensure;
static cairn_dialect_history_list_fn sqlitedrv_history_list;
static cairn_dialect_history_record_fn sqlitedrv_history_record;
static cairn_dialect_history_remove_fn sqlitedrv_history_remove;
static cairn_dialect_lock_fn sqlitedrv_lock;
static cairn_dialect_unlock_fn sqlitedrv_unlock;
static cairn_dialect_scratch_connect_fn sqlitedrv_scratch_connect;
static cairn_dialect_scratch_release_fn sqlitedrv_scratch_release;
static cairn_dialect_describe_fn sqlitedrv_describe;
static cairn_dialect_query_fn sqlitedrv_query;

static const char *const sqlitedrv_schemes[] = {"sqlite", "file", NULL};

/* The type names a schema may use and which changes keep every value (a
 * rebuild copies rows through the new column's affinity). */
static const cairn_type_family sqlitedrv_types[] = {
    {"tinyint", CAIRN_TYPE_INTEGER, 1, 0},
    {"smallint", CAIRN_TYPE_INTEGER, 2, 0},
    {"int2", CAIRN_TYPE_INTEGER, 2, 0},
    {"integer", CAIRN_TYPE_INTEGER, 3, 0},
    {"int", CAIRN_TYPE_INTEGER, 3, 0},
    {"int4", CAIRN_TYPE_INTEGER, 3, 0},
    {"bigint", CAIRN_TYPE_INTEGER, 4, 0},
    {"int8", CAIRN_TYPE_INTEGER, 4, 0},
    {"real", CAIRN_TYPE_FLOAT, 1, 0},
    {"float", CAIRN_TYPE_FLOAT, 1, 0},
    {"float4", CAIRN_TYPE_FLOAT, 1, 0},
    {"double", CAIRN_TYPE_FLOAT, 2, 0},
    {"double precision", CAIRN_TYPE_FLOAT, 2, 0},
    {"float8", CAIRN_TYPE_FLOAT, 2, 0},
    {"char", CAIRN_TYPE_STRING, 1, 0},
    {"character", CAIRN_TYPE_STRING, 1, 0},
    {"varchar", CAIRN_TYPE_STRING, 2, CAIRN_TYPE_BARE_UNBOUNDED},
    {"character varying", CAIRN_TYPE_STRING, 2, CAIRN_TYPE_BARE_UNBOUNDED},
    {"text", CAIRN_TYPE_STRING, 3, CAIRN_TYPE_BARE_UNBOUNDED},
    {"numeric", CAIRN_TYPE_DECIMAL, 1, CAIRN_TYPE_BARE_UNBOUNDED},
    {"decimal", CAIRN_TYPE_DECIMAL, 1, CAIRN_TYPE_BARE_UNBOUNDED},
    {NULL, CAIRN_TYPE_END, 0, 0}};

/* The names SQLite's affinity rules and the SQL world use, with the words
 * that qualify them ("unsigned big int"): SQLite takes any name, so a typo
 * ("intger") silently gets NUMERIC affinity; `cairn validate` refuses it. */
static const char *const sqlitedrv_type_names[] = {
    "integer", "int", "tinyint", "smallint", "mediumint", "bigint", "int2", "int4", "int8",
    "unsigned", "big", "text", "char", "character", "varchar", "varying", "nchar", "native",
    "nvarchar", "clob", "blob", "real", "double", "double precision", "float", "float4",
    "float8", "numeric", "decimal", "boolean", "bool", "date", "datetime", "timestamp", "time",
    "any", "json", "jsonb", "uuid", NULL};

CAIRN_PLUGIN_EXPORT const cairn_dialect cairn_dialect_entry = {
    CAIRN_DIALECT_INIT,
    .name = "sqlite",
    .version = "0.1.0",
    .schemes = sqlitedrv_schemes,
    .caps = CAIRN_CAP_TRANSACTIONAL_DDL | CAIRN_CAP_PARTIAL_INDEX | CAIRN_CAP_EXPRESSION_INDEX |
            CAIRN_CAP_VIRTUAL_TABLES | CAIRN_CAP_VIEW_COLUMNS |
            CAIRN_CAP_GENERATED | CAIRN_CAP_SCRATCH,
    .quote = '"',
    .open = sqlitedrv_open,
    .close = sqlitedrv_close,
    .connect = sqlitedrv_connect,
    .disconnect = sqlitedrv_disconnect,
    .exec = sqlitedrv_exec,
    .begin = sqlitedrv_begin,
    .commit = sqlitedrv_commit,
    .rollback = sqlitedrv_rollback,
    .introspect = sqlitedrv_introspect,       /* sqlitedrv_introspect.c */
    .normalize_type = sqlitedrv_normalize_type, /* sqlitedrv_normalize.c */
    .normalize_default = sqlitedrv_normalize_default,
    .emit = sqlitedrv_emit,                   /* sqlitedrv_emit.c */
    .history_ensure = sqlitedrv_history_ensure,
    .history_list = sqlitedrv_history_list,
    .history_record = sqlitedrv_history_record,
    .history_remove = sqlitedrv_history_remove,
    .lock = sqlitedrv_lock,
    .unlock = sqlitedrv_unlock,
    .scratch_connect = sqlitedrv_scratch_connect,
    .scratch_release = sqlitedrv_scratch_release,
    .describe = sqlitedrv_describe,
    .type_families = sqlitedrv_types,
    .query = sqlitedrv_query,
    .type_names = sqlitedrv_type_names,
};

/* ---- session ------------------------------------------------------------ */

static int sqlitedrv_open(const cairn_host *host, cairn_hostctx *hc, cairn_dsession **out)
{
    if (!host || host->abi_major != CAIRN_HOST_ABI_MAJOR)
        return CAIRN_EABI; /* host->error itself may not be where we expect it */
    /* SQL is written with unchecked appends: the buffer and the statement
     * list are asked once (host ABI 1.1), so a 1.0 host is refused */
    if (!CAIRN_HOST_HAS(host, buf_status) || !CAIRN_HOST_HAS(host, stmts_status))
        return host->error(hc, CAIRN_EABI, NULL, "sqlite: host ABI %u.%u is too old (need 1.1)",
                           (unsigned)host->abi_major, (unsigned)host->abi_minor);
    cairn_dsession *s = calloc(1, sizeof *s);
    if (!s)
        return host->error(hc, CAIRN_ENOMEM, NULL, "sqlite: out of memory");
    s->host = host;
    s->hc = hc;
    *out = s;
    return 0;
}

static void sqlitedrv_close(cairn_dsession *s)
{
    free(s);
}

/* ---- errors ------------------------------------------------------------- */

int sqlitedrv_dberr(cairn_dconn *c, const char *what)
{
    int code = sqlite3_extended_errcode(c->db) & 0xff;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return c->s->host->error(c->s->hc, CAIRN_ELOCKED, NULL,
                                 "sqlite: %s: database is locked by another process (%s)",
                                 c->path, what);
    return c->s->host->error(c->s->hc, CAIRN_EDB, NULL, "sqlite: %s: %s", what,
                             sqlite3_errmsg(c->db));
}

/* ---- connections ----------------------------------------------------------- */

/* The file name (or file: URI) that sqlite3_open_v2 understands, from the
 * URL forms we accept: sqlite:path, sqlite://path, sqlite:///abs/path,
 * file: URIs, a bare path and :memory:. */
static const char *sqlitedrv_url_path(const char *url)
{
    if (strncmp(url, "sqlite://", 9) == 0)
        return url + 9;
    if (strncmp(url, "sqlite:", 7) == 0)
        return url + 7;
    return url;
}

/* Open `path` as the connection's database: busy timeout, foreign keys on,
 * the schema read once (so "not a database" fails here), and the name of
 * the lock file beside a real file. */
static int sqlitedrv_open_db(cairn_dconn *c, const char *path)
{
    const cairn_host *h = c->s->host;
    int rc = sqlite3_open_v2(path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, NULL);
    if (rc != SQLITE_OK)
        return h->error(c->s->hc, CAIRN_EDB, NULL, "sqlite: cannot open %s: %s", c->path,
                        c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
    sqlite3_busy_timeout(c->db, SQLITEDRV_BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(c->db, 1);
    if (sqlite3_exec(c->db, "PRAGMA foreign_keys = ON; SELECT count(*) FROM sqlite_schema", NULL,
                     NULL, NULL) != SQLITE_OK)
        return sqlitedrv_dberr(c, "cannot open");
    const char *file = sqlite3_db_filename(c->db, "main");
    if (file && *file) {
        size_t n = strlen(file);
        free(c->lock_path);
        if (!(c->lock_path = malloc(n + sizeof "-cairn.lock")))
            return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "sqlite: out of memory");
        memcpy(c->lock_path, file, n);
        memcpy(c->lock_path + n, "-cairn.lock", sizeof "-cairn.lock");
    }
    return 0;
}

/* Does the folder that would hold `path` exist? A database in a missing
 * folder could never be created: that fails at connect, not later. */
static int sqlitedrv_dir_exists(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return 1;
    if (slash == path)
        return 1;
    char *dir = strndup(path, (size_t)(slash - path));
    if (!dir)
        return 0;
    struct stat st;
    int ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
    free(dir);
    return ok;
}

/* Create the pending database file before the first write. */
static int sqlitedrv_ensure_file(cairn_dconn *c)
{
    if (!c->pending)
        return 0;
    sqlite3_close_v2(c->db);
    c->db = NULL;
    int rc = sqlitedrv_open_db(c, c->pending);
    free(c->pending);
    c->pending = NULL;
    return rc;
}

static int sqlitedrv_conn_open(cairn_dsession *s, const char *url, const char *path,
                               cairn_dconn **out)
{
    const cairn_host *h = s->host;
    cairn_dconn *c = calloc(1, sizeof *c);
    if (!c)
        return h->error(s->hc, CAIRN_ENOMEM, NULL, "sqlite: out of memory");
    c->s = s;
    c->lock_fd = -1;
    c->fk_before = -1;
    if (!(c->path = strdup(url))) {
        free(c);
        return h->error(s->hc, CAIRN_ENOMEM, NULL, "sqlite: out of memory");
    }
    int lazy = strcmp(path, ":memory:") != 0 && strncmp(path, "file:", 5) != 0 &&
               access(path, F_OK) != 0 && errno == ENOENT && sqlitedrv_dir_exists(path);
    if (lazy && !(c->pending = strdup(path))) {
        sqlitedrv_disconnect(c);
        return h->error(s->hc, CAIRN_ENOMEM, NULL, "sqlite: out of memory");
    }
    int rc = sqlitedrv_open_db(c, lazy ? ":memory:" : path);
    if (rc) {
        sqlitedrv_disconnect(c);
        return rc;
    }
    *out = c;
    return 0;
}

static int sqlitedrv_connect(cairn_dsession *s, const char *url, cairn_dconn **out)
{
    const char *path = sqlitedrv_url_path(url);
    if (!*path)
        return s->host->error(s->hc, CAIRN_ECONFIG, NULL, "sqlite: no database file in '%s'", url);
    return sqlitedrv_conn_open(s, path, path, out);
}

static void sqlitedrv_disconnect(cairn_dconn *c)
{
    if (!c)
        return;
    if (c->lock_fd >= 0)
        close(c->lock_fd); /* the sidecar file: never the database's own descriptors */
    sqlite3_close_v2(c->db);
    free(c->pending);
    free(c->lock_path);
    free(c->path);
    free(c);
}

/* A statement that runs long: the host says so (it decides when). The copy
 * of a rebuild names its table. */
typedef struct exec_progress {
    cairn_dconn *c;
    const char *what;
    char table[256];
} exec_progress;

static int exec_progress_tick(void *ud)
{
    exec_progress *p = ud;
    p->c->s->host->progress(p->c->s->hc, p->what, p->table[0] ? p->table : NULL, 0, 0);
    return 0;
}

static void exec_progress_start(cairn_dconn *c, const char *sql, exec_progress *p)
{
    static const char copy[] = "INSERT INTO \"" SQLITEDRV_TMP_PREFIX;
    p->c = c;
    p->what = "running a statement";
    p->table[0] = 0;
    if (strncmp(sql, copy, sizeof copy - 1) == 0) {
        const char *name = sql + sizeof copy - 1, *end = strchr(name, '"');
        size_t len = end ? (size_t)(end - name) : 0;
        if (len && len < sizeof p->table) {
            memcpy(p->table, name, len);
            p->table[len] = 0;
            p->what = "copying rows to rebuild a table";
        }
    }
    sqlite3_progress_handler(c->db, 100000, exec_progress_tick, p);
}

static void exec_progress_end(exec_progress *p)
{
    sqlite3_progress_handler(p->c->db, 0, NULL, NULL);
    p->c->s->host->progress(p->c->s->hc, p->what, p->table[0] ? p->table : NULL, 1, 1);
}

static int sqlitedrv_exec(cairn_dconn *c, const char *sql)
{
    int erc = sqlitedrv_ensure_file(c);
    if (erc)
        return erc;
    char *msg = NULL;
    exec_progress p;
    int tick = CAIRN_HOST_HAS(c->s->host, progress);
    if (tick)
        exec_progress_start(c, sql, &p);
    int src = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
    if (tick)
        exec_progress_end(&p);
    if (src == SQLITE_OK)
        return 0;
    int code = sqlite3_extended_errcode(c->db) & 0xff;
    int rc;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        rc = sqlitedrv_dberr(c, "executing a statement");
    else
        rc = c->s->host->error(c->s->hc, CAIRN_EDB, NULL, "sqlite: %s",
                               msg ? msg : sqlite3_errmsg(c->db));
    sqlite3_free(msg);
    return rc;
}

/* Read-only: a database file not created yet stays uncreated (the
 * connection is then an empty in-memory one). */
static int sqlitedrv_query(cairn_dconn *c, const char *sql, cairn_row_fn *row, void *ud)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return c->s->host->error(c->s->hc, CAIRN_EDB, NULL, "sqlite: %s", sqlite3_errmsg(c->db));
    int n = st ? sqlite3_column_count(st) : 0;
    const char **values = calloc(n ? (size_t)n : 1, sizeof *values);
    int rc = values ? 0 : c->s->host->error(c->s->hc, CAIRN_ENOMEM, NULL, "sqlite: out of memory");
    int step = SQLITE_DONE;
    while (!rc && st && (step = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < n; i++)
            values[i] = (const char *)sqlite3_column_text(st, i);
        rc = row(ud, (size_t)n, values);
    }
    if (!rc && step != SQLITE_DONE)
        rc = sqlitedrv_dberr(c, "reading rows");
    free(values);
    sqlite3_finalize(st);
    return rc;
}

static int sqlitedrv_describe(cairn_dconn *c, cairn_buf *out)
{
    return c->s->host->buf_printf(out, "sqlite:%s", c->path);
}

static int sqlitedrv_scratch_connect(cairn_dsession *s, const char *target_url, cairn_dconn **out)
{
    (void)target_url;
    return sqlitedrv_conn_open(s, ":memory:", ":memory:", out);
}

static void sqlitedrv_scratch_release(cairn_dconn *c)
{
    sqlitedrv_disconnect(c); /* an in-memory database vanishes with its connection */
}

/* ---- transactions ---------------------------------------------------------------
 * PRAGMA foreign_keys does nothing inside a transaction, and a table
 * rebuild must not cascade the old table's DROP into child rows: so the
 * transaction itself switches foreign keys off, checks them before COMMIT,
 * and puts the setting back. */

static int sqlitedrv_fk_restore(cairn_dconn *c)
{
    if (c->fk_before < 0)
        return 0;
    int rc = sqlite3_exec(c->db, c->fk_before ? "PRAGMA foreign_keys = ON"
                                              : "PRAGMA foreign_keys = OFF",
                          NULL, NULL, NULL);
    c->fk_before = -1;
    return rc == SQLITE_OK ? 0 : sqlitedrv_dberr(c, "restoring PRAGMA foreign_keys");
}

static int sqlitedrv_begin(cairn_dconn *c)
{
    int erc = sqlitedrv_ensure_file(c);
    if (erc)
        return erc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "PRAGMA foreign_keys", -1, &st, NULL) != SQLITE_OK)
        return sqlitedrv_dberr(c, "begin");
    c->fk_before = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (sqlite3_exec(c->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        int rc = sqlitedrv_dberr(c, "begin");
        sqlitedrv_fk_restore(c);
        return rc;
    }
    return 0;
}

static int sqlitedrv_rollback(cairn_dconn *c)
{
    int rc = 0;
    if (!sqlite3_get_autocommit(c->db) &&
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
        rc = sqlitedrv_dberr(c, "rollback");
    int rc2 = sqlitedrv_fk_restore(c);
    return rc ? rc : rc2;
}

static int sqlitedrv_commit(cairn_dconn *c)
{
    const cairn_host *h = c->s->host;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK) {
        int rc = sqlitedrv_dberr(c, "commit");
        sqlitedrv_rollback(c);
        return rc;
    }
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        char *table = strdup((const char *)sqlite3_column_text(st, 0));
        char *parent = strdup((const char *)sqlite3_column_text(st, 2));
        sqlite3_finalize(st);
        sqlitedrv_rollback(c);
        int rc = h->error(c->s->hc, CAIRN_EDB, NULL,
                          "sqlite: foreign key violation in table %s (references %s) after "
                          "migration; rolled back", table ? table : "?", parent ? parent : "?");
        free(table);
        free(parent);
        return rc;
    }
    sqlite3_finalize(st);
    if (src != SQLITE_DONE) {
        int rc = sqlitedrv_dberr(c, "commit");
        sqlitedrv_rollback(c);
        return rc;
    }
    if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        int rc = sqlitedrv_dberr(c, "commit");
        sqlitedrv_rollback(c);
        return rc;
    }
    return sqlitedrv_fk_restore(c);
}

/* ---- history -------------------------------------------------------------------- */

/* "schema". of the history, if it names one, into `b`. */
static void sqlitedrv_history_schema(cairn_dconn *c, const cairn_history_opts *h, cairn_buf *b)
{
    if (h->schema && *h->schema) {
        c->s->host->buf_quote(b, h->schema, '"');
        c->s->host->buf_puts(b, ".");
    }
}

/* `head` + "schema"."table" of the history + `tail` into a new buffer
 * `*out`, which the caller frees (host buf_free) whatever this returns. */
static int sqlitedrv_history_sql(cairn_dconn *c, const cairn_history_opts *h, const char *head,
                                 const char *tail, cairn_buf **out)
{
    const cairn_host *host = c->s->host;
    cairn_buf *b = *out = host->buf_new(c->s->hc);
    if (!b)
        return CAIRN_ENOMEM;
    host->buf_puts(b, head);
    sqlitedrv_history_schema(c, h, b);
    host->buf_quote(b, h->table && *h->table ? h->table : SQLITEDRV_HISTORY_TABLE, '"');
    host->buf_puts(b, tail);
    return host->buf_status(b);
}

/* Run `head` + history table + `tail`, binding nothing. */
static int sqlitedrv_history_exec(cairn_dconn *c, const cairn_history_opts *h, const char *head,
                                  const char *tail)
{
    const cairn_host *host = c->s->host;
    cairn_buf *b;
    int rc = sqlitedrv_history_sql(c, h, head, tail, &b);
    if (!rc)
        rc = sqlitedrv_exec(c, host->buf_cstr(b));
    host->buf_free(b);
    return rc;
}

static int sqlitedrv_history_ensure(cairn_dconn *c, const cairn_history_opts *h)
{
    return sqlitedrv_history_exec(c, h, "CREATE TABLE IF NOT EXISTS ",
                                  " (\n"
                                  "  name TEXT PRIMARY KEY,\n"
                                  "  checksum TEXT NOT NULL,\n"
                                  "  applied_at TEXT NOT NULL,\n"
                                  "  duration_ms INTEGER NOT NULL,\n"
                                  "  state INTEGER NOT NULL DEFAULT 0,\n"
                                  "  statements_done INTEGER NOT NULL DEFAULT 0,\n"
                                  "  statements_total INTEGER NOT NULL DEFAULT 0\n"
                                  ")");
}

/* Prepare `head` + history table + `tail`. */
static int sqlitedrv_history_prepare(cairn_dconn *c, const cairn_history_opts *h,
                                     const char *head, const char *tail, sqlite3_stmt **st)
{
    const cairn_host *host = c->s->host;
    cairn_buf *b;
    int rc = sqlitedrv_history_sql(c, h, head, tail, &b);
    if (!rc && sqlite3_prepare_v2(c->db, host->buf_cstr(b), -1, st, NULL) != SQLITE_OK)
        rc = sqlitedrv_dberr(c, "migration history");
    host->buf_free(b);
    return rc;
}

static int sqlitedrv_history_exists(cairn_dconn *c, const cairn_history_opts *h, int *exists)
{
    const cairn_host *host = c->s->host;
    cairn_buf *b = host->buf_new(c->s->hc);
    if (!b)
        return CAIRN_ENOMEM;
    host->buf_puts(b, "SELECT 1 FROM ");
    sqlitedrv_history_schema(c, h, b);
    host->buf_puts(b, "sqlite_schema WHERE type = 'table' AND name = ?");
    sqlite3_stmt *st = NULL;
    int rc = host->buf_status(b);
    if (!rc && sqlite3_prepare_v2(c->db, host->buf_cstr(b), -1, &st, NULL) != SQLITE_OK)
        rc = sqlitedrv_dberr(c, "migration history");
    host->buf_free(b);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, h->table && *h->table ? h->table : SQLITEDRV_HISTORY_TABLE, -1,
                      SQLITE_TRANSIENT);
    int src = sqlite3_step(st);
    sqlite3_finalize(st);
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return sqlitedrv_dberr(c, "migration history");
    *exists = src == SQLITE_ROW;
    return 0;
}

static int sqlitedrv_history_list(cairn_dconn *c, const cairn_history_opts *h, cairn_history *out)
{
    int exists = 0;
    int rc = sqlitedrv_history_exists(c, h, &exists);
    if (rc || !exists)
        return rc;
    sqlite3_stmt *st;
    rc = sqlitedrv_history_prepare(c, h,
                                   "SELECT name, checksum, applied_at, duration_ms, state, "
                                   "statements_done, statements_total FROM ",
                                   " ORDER BY name", &st);
    if (rc)
        return rc;
    int src;
    while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
        cairn_applied row = {
            .name = (const char *)sqlite3_column_text(st, 0),
            .checksum = (const char *)sqlite3_column_text(st, 1),
            .applied_at = (const char *)sqlite3_column_text(st, 2),
            .duration_ms = sqlite3_column_int64(st, 3),
            .state = cairn_applied_state_of(sqlite3_column_int(st, 4)),
            .statements_done = sqlite3_column_int(st, 5),
            .statements_total = sqlite3_column_int(st, 6),
        };
        rc = c->s->host->history_add(out, &row);
    }
    sqlite3_finalize(st);
    if (!rc && src != SQLITE_DONE)
        rc = sqlitedrv_dberr(c, "migration history");
    return rc;
}

static int sqlitedrv_history_record(cairn_dconn *c, const cairn_history_opts *h,
                                    const cairn_applied *row)
{
    sqlite3_stmt *st;
    int rc = sqlitedrv_ensure_file(c);
    if (rc)
        return rc;
    rc = sqlitedrv_history_prepare(c, h, "INSERT OR REPLACE INTO ",
                                       " (name, checksum, applied_at, duration_ms, state, "
                                       "statements_done, statements_total) "
                                       "VALUES (?, ?, ?, ?, ?, ?, ?)", &st);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, row->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, row->checksum ? row->checksum : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, row->applied_at ? row->applied_at : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, row->duration_ms);
    sqlite3_bind_int(st, 5, (int)row->state);
    sqlite3_bind_int(st, 6, row->statements_done);
    sqlite3_bind_int(st, 7, row->statements_total);
    int src = sqlite3_step(st);
    sqlite3_finalize(st);
    return src == SQLITE_DONE ? 0 : sqlitedrv_dberr(c, "recording a migration");
}

static int sqlitedrv_history_remove(cairn_dconn *c, const cairn_history_opts *h, const char *name)
{
    sqlite3_stmt *st;
    int rc = sqlitedrv_ensure_file(c);
    if (rc)
        return rc;
    rc = sqlitedrv_history_prepare(c, h, "DELETE FROM ", " WHERE name = ?", &st);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int src = sqlite3_step(st);
    sqlite3_finalize(st);
    return src == SQLITE_DONE ? 0 : sqlitedrv_dberr(c, "removing a migration");
}

/* ---- the migration lock ---------------------------------------------------------------
 * An flock(2) on "<database>-cairn.lock", held for the whole run. Not on
 * the database file: SQLite holds POSIX locks on it, and closing any other
 * descriptor of that file would silently drop them. */

static int sqlitedrv_lock(cairn_dconn *c, const cairn_history_opts *h)
{
    (void)h; /* one lock file per database, whatever the history's name */
    const cairn_host *host = c->s->host;
    /* a run that locks is about to write: the file and its lock path exist now */
    int erc = sqlitedrv_ensure_file(c);
    if (erc)
        return erc;
    if (!c->lock_path || c->lock_fd >= 0)
        return 0; /* :memory: is private to this connection; or already held */
    int fd = open(c->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return host->error(c->s->hc, CAIRN_EIO, NULL, "sqlite: cannot open the lock file %s: %s",
                           c->lock_path, strerror(errno));
    /* tried once: the host waits and asks again (ABI 1.2) */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        close(fd);
        if (err == EWOULDBLOCK || err == EINTR)
            return host->error(c->s->hc, CAIRN_ELOCKED, NULL,
                               "sqlite: another cairn migrate holds the lock on %s", c->path);
        return host->error(c->s->hc, CAIRN_EIO, NULL, "sqlite: cannot lock %s: %s",
                           c->lock_path, strerror(err));
    }
    c->lock_fd = fd;
    return 0;
}

static int sqlitedrv_unlock(cairn_dconn *c, const cairn_history_opts *h)
{
    (void)h;
    if (c->lock_fd < 0)
        return 0;
    /* the file stays: removing it would let a waiter lock an unlinked inode */
    flock(c->lock_fd, LOCK_UN);
    close(c->lock_fd);
    c->lock_fd = -1;
    return 0;
}
