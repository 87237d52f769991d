/*
 * cairn import: the other tool's history table, read through the driver's
 * query slot, and the migrations it applied recorded in cairn's history.
 * Each tool's rule for "applied" is its own: drizzle's migrator compares
 * times, golang-migrate keeps one version, Flyway a ranked log.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "import.h"

/* ---- the other tool's history table ------------------------------------------- */

/* Rows of a query, every value as text (NULL kept). */
typedef struct qrows {
    char **cells; /* n * ncols */
    size_t ncols, n;
    int oom;
} qrows;

static int qrow(void *ud, size_t ncols, const char *const *values)
{
    qrows *q = ud;
    char **nc = realloc(q->cells, (q->n + 1) * ncols * sizeof *nc);
    if (!nc)
        return q->oom = 1;
    q->cells = nc;
    q->ncols = ncols;
    for (size_t i = 0; i < ncols; i++) {
        char **cell = &q->cells[q->n * ncols + i];
        *cell = values[i] ? strdup(values[i]) : NULL;
        if (values[i] && !*cell)
            q->oom = 1;
    }
    q->n++;
    return q->oom;
}

static void qrows_release(qrows *q)
{
    for (size_t i = 0; i < q->n * q->ncols; i++)
        free(q->cells[i]);
    free(q->cells);
    memset(q, 0, sizeof *q);
}

static const char *cell(const qrows *q, size_t row, size_t col)
{
    return col < q->ncols ? q->cells[row * q->ncols + col] : NULL;
}

static int query(cairn_ctx *cx, cairn_conn *c, const char *sql, qrows *q)
{
    memset(q, 0, sizeof *q);
    int rc = cairn_conn_query(c, sql, qrow, q);
    if (q->oom)
        rc = cairn_import_oom(cx);
    if (rc)
        qrows_release(q);
    return rc;
}

/* Is there a table `name` (in namespace `ns`, NULL: the connection's
 * default)? Catalogs are the one thing the query slot cannot hide, so this
 * asks each in-tree dialect in its own words; another dialect is asked
 * for the table itself. */
static int table_exists(cairn_ctx *cx, cairn_conn *c, const char *dialect, const char *ns,
                        const char *name, int *exists)
{
    cairn_buf b;
    cairn_buf_init(&b);
    if (strcmp(dialect, "sqlite") == 0)
        cairn_buf_printf(&b, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '%s'",
                         name);
    else if (strcmp(dialect, "postgresql") == 0)
        cairn_buf_printf(&b,
                         "SELECT 1 FROM information_schema.tables WHERE table_schema = %s%s%s "
                         "AND table_name = '%s'",
                         ns ? "'" : "", ns ? ns : "current_schema()", ns ? "'" : "", name);
    else if (strcmp(dialect, "mysql") == 0)
        cairn_buf_printf(&b,
                         "SELECT 1 FROM information_schema.tables WHERE table_schema = "
                         "DATABASE() AND table_name = '%s'",
                         name);
    else {
        *exists = 1;
        cairn_buf_release(&b);
        return 0;
    }
    qrows q;
    int rc = b.oom ? cairn_import_oom(cx) : query(cx, c, cairn_buf_cstr(&b), &q);
    cairn_buf_release(&b);
    if (!rc) {
        *exists = q.n > 0;
        qrows_release(&q);
    }
    return rc;
}

static int truthy(const char *v)
{
    return v && (strcmp(v, "1") == 0 || strcmp(v, "t") == 0 || strcmp(v, "true") == 0 ||
                 strcmp(v, "TRUE") == 0);
}

typedef struct hist {
    cairn_ctx *cx;
    ilist *l;
    qrows q;
} hist;

/* A history row whose migration is not in the folder. */
static void unmatched(hist *h, const char *what)
{
    cairn_log(h->cx, CAIRN_LOG_WARN,
              "the %s history has %s, which %s has no file for: not imported", h->l->tool->label,
              what, h->l->dir);
}

/* A migration applied with other text than its file's: cairn records the
 * file as it is (its checksum is what the next migrate checks). */
static void hash_differs(hist *h, const imig *m)
{
    cairn_log(h->cx, CAIRN_LOG_WARN,
              "%s: %s applied it with other text (its recorded hash is not the file's): "
              "recorded with the checksum of the file as it is",
              m->file, h->l->tool->label);
}

static void mark_failed(hist *h, imig *m, const char *why)
{
    m->state = IM_FAILED;
    cairn_log(h->cx, CAIRN_LOG_WARN,
              "%s: %s recorded it as %s: not recorded as applied, so it stays pending (check "
              "the database; 'cairn baseline %s' once it holds the migration, or 'cairn "
              "migrate' to run it)",
              m->file, h->l->tool->label, why, m->name);
}

/* drizzle: applied is every entry up to the newest created_at (the
 * migrator's own rule), whatever the hashes say. */
static void hist_drizzle(hist *h)
{
    long long newest = -1;
    for (size_t i = 0; i < h->q.n; i++) {
        const char *v = cell(&h->q, i, 1);
        long long t = v ? (long long)strtod(v, NULL) : -1;
        if (t > newest)
            newest = t;
    }
    for (size_t i = 0; i < h->l->n; i++) {
        imig *m = &h->l->v[i];
        if (strtoll(m->key, NULL, 10) > newest)
            continue;
        m->state = IM_APPLIED;
        int seen = 0;
        for (size_t r = 0; r < h->q.n && !seen; r++)
            seen = cell(&h->q, r, 0) && strcmp(cell(&h->q, r, 0), m->file_sum) == 0;
        if (!seen)
            hash_differs(h, m);
    }
}

/* Prisma: applied when a row finished and was not rolled back; a row
 * neither finished nor rolled back is a failed (or running) migration. */
static void hist_prisma(hist *h)
{
    for (size_t r = 0; r < h->q.n; r++) {
        const char *name = cell(&h->q, r, 0);
        imig *m = name ? cairn_import_find(h->l, name, strcmp) : NULL;
        int done = cell(&h->q, r, 1) && !cell(&h->q, r, 2);
        int failed = !cell(&h->q, r, 1) && !cell(&h->q, r, 2);
        if (!m && (done || failed)) {
            char what[300];
            snprintf(what, sizeof what, "migration %s", name ? name : "(null)");
            unmatched(h, what);
        }
        if (m && done) {
            m->state = IM_APPLIED;
            if (!cell(&h->q, r, 3) || strcmp(cell(&h->q, r, 3), m->file_sum) != 0)
                hash_differs(h, m);
        }
    }
    for (size_t r = 0; r < h->q.n; r++) {
        const char *name = cell(&h->q, r, 0);
        imig *m = name ? cairn_import_find(h->l, name, strcmp) : NULL;
        if (m && m->state != IM_APPLIED && !cell(&h->q, r, 1) && !cell(&h->q, r, 2))
            mark_failed(h, m, "failed (finished_at and rolled_back_at are null)");
    }
}

/* Flyway: rows in installed_rank order; a baseline row covers every
 * version up to it; an undo or a deletion takes a version back. */
static void hist_flyway(hist *h)
{
    for (size_t r = 0; r < h->q.n; r++) {
        const char *version = cell(&h->q, r, 0), *type = cell(&h->q, r, 1);
        int ok = truthy(cell(&h->q, r, 2));
        if (!version || !type)
            continue; /* a repeatable migration */
        if (strstr(type, "BASELINE") && strcmp(type, "SQL_BASELINE") != 0) {
            for (size_t i = 0; ok && i < h->l->n; i++)
                if (cairn_import_flyway_cmp(h->l->v[i].key, version) <= 0)
                    h->l->v[i].state = IM_APPLIED;
            continue;
        }
        imig *m = cairn_import_find(h->l, version, cairn_import_flyway_cmp);
        if (!m) {
            char what[300];
            snprintf(what, sizeof what, "version %s", version);
            unmatched(h, what);
            continue;
        }
        if (strncmp(type, "UNDO", 4) == 0 || strcmp(type, "DELETE") == 0)
            m->state = ok ? IM_NOT_APPLIED : m->state;
        else
            m->state = ok ? IM_APPLIED : IM_FAILED;
    }
    for (size_t i = 0; i < h->l->n; i++)
        if (h->l->v[i].state == IM_FAILED)
            mark_failed(h, &h->l->v[i], "failed (success is false)");
}

/* golang-migrate: one row, the current version; dirty means it stopped
 * part-way through that one. */
static void hist_golang(hist *h)
{
    for (size_t r = 0; r < h->q.n; r++) {
        const char *version = cell(&h->q, r, 0);
        if (!version || version[0] == '-')
            continue; /* -1: everything migrated down */
        int dirty = truthy(cell(&h->q, r, 1));
        if (!cairn_import_find(h->l, version, cairn_import_num_cmp)) {
            char what[300];
            snprintf(what, sizeof what, "version %s", version);
            unmatched(h, what);
        }
        for (size_t i = 0; i < h->l->n; i++) {
            int c = cairn_import_num_cmp(h->l->v[i].key, version);
            if (c < 0 || (c == 0 && !dirty))
                h->l->v[i].state = IM_APPLIED;
            else if (c == 0)
                mark_failed(h, &h->l->v[i], "dirty (it stopped part-way)");
        }
    }
}

/* dbmate: a row per applied version. */
static void hist_dbmate(hist *h)
{
    for (size_t r = 0; r < h->q.n; r++) {
        const char *version = cell(&h->q, r, 0);
        imig *m = version ? cairn_import_find(h->l, version, cairn_import_num_cmp) : NULL;
        if (m)
            m->state = IM_APPLIED;
        else if (version) {
            char what[300];
            snprintf(what, sizeof what, "version %s", version);
            unmatched(h, what);
        }
    }
}

typedef struct hsource {
    const char *tool;
    const char *ns_if_schemas; /* drizzle's own namespace where there are namespaces */
    const char *table;
    const char *columns;
    void (*apply)(hist *h);
} hsource;

static const hsource hsources[] = {
    {"drizzle", "drizzle", "__drizzle_migrations", "hash, created_at", hist_drizzle},
    {"prisma", NULL, "_prisma_migrations", "migration_name, finished_at, rolled_back_at, checksum",
     hist_prisma},
    {"flyway", NULL, "flyway_schema_history", "version, type, success", hist_flyway},
    {"golang-migrate", NULL, "schema_migrations", "version, dirty", hist_golang},
    {"dbmate", NULL, "schema_migrations", "version", hist_dbmate},
};

/* Read the tool's history on `c` into the migrations' states; *found = 0
 * when the database has no such table. */
int cairn_import_read_history(cairn_ctx *cx, cairn_conn *c, const cairn_dialect *d, ilist *l,
                        int *found)
{
    const hsource *src = NULL;
    for (size_t i = 0; i < sizeof hsources / sizeof *hsources; i++)
        if (strcmp(hsources[i].tool, l->tool->name) == 0)
            src = &hsources[i];
    const char *ns = src->ns_if_schemas && (d->caps & CAIRN_CAP_SCHEMAS) ? src->ns_if_schemas
                                                                         : NULL;
    const char *table = src->table;
    /* --history-table [NS.]TABLE (checked by cairn_import) */
    char given[300] = "";
    if (l->history_table && strlen(l->history_table) < sizeof given) {
        strcpy(given, l->history_table);
        char *dot = strchr(given, '.');
        table = dot ? dot + 1 : given;
        if (dot) {
            *dot = 0;
            ns = given;
        }
    }
    int rc = table_exists(cx, c, d->name, ns, table, found);
    if (rc == CAIRN_EUNSUPPORTED || rc == CAIRN_EDB)
        cairn_err_prefix(cx, rc, "reading the %s history", l->tool->label);
    if (rc || !*found) {
        if (!rc)
            cairn_log(cx, CAIRN_LOG_WARN, "the database has no %s%s%s table: no %s history to "
                      "import%s", ns ? ns : "", ns ? "." : "", table, l->tool->label,
                      l->history_table ? "" : " (a renamed one: --history-table)");
        return rc;
    }
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_buf_printf(&b, "SELECT %s FROM ", src->columns);
    if (ns) {
        cairn_buf_quote(&b, ns, d->quote);
        cairn_buf_puts(&b, ".");
    }
    cairn_buf_quote(&b, table, d->quote);
    if (strcmp(src->tool, "flyway") == 0)
        cairn_buf_puts(&b, " ORDER BY installed_rank");
    hist h = {.cx = cx, .l = l};
    rc = b.oom ? cairn_import_oom(cx) : query(cx, c, cairn_buf_cstr(&b), &h.q);
    cairn_buf_release(&b);
    if (rc == CAIRN_EUNSUPPORTED || rc == CAIRN_EDB)
        cairn_err_prefix(cx, rc, "reading the %s history", l->tool->label);
    if (rc)
        return rc;
    src->apply(&h);
    qrows_release(&h.q);
    cairn_log(cx, CAIRN_LOG_INFO,
              "%s's table %s%s%s stays as it is: drop it once %s no longer runs there (until "
              "then 'cairn drift' shows it)",
              l->tool->label, ns ? ns : "", ns ? "." : "", table, l->tool->label);
    return 0;
}

static int count_statements(cairn_ctx *cx, const char *sql, size_t *n)
{
    char **stmts;
    if (cairn_split_statements(sql, &stmts, n))
        return cairn_import_oom(cx);
    cairn_strv_free(stmts, *n);
    return 0;
}

/* Record the applied ones in cairn's history (state baseline), under the
 * migration lock; ones already there are left as they are. */
int cairn_import_record_history(cairn_ctx *cx, cairn_conn *c, const cairn_dialect *d,
                                const ilist *l)
{
    cairn_history_opts h;
    cairn_session_history_opts(cx, &h);
    size_t want = 0, recorded = 0, failed = 0;
    for (size_t i = 0; i < l->n; i++) {
        want += l->v[i].state == IM_APPLIED;
        failed += l->v[i].state == IM_FAILED;
    }
    if (!want) {
        cairn_log(cx, CAIRN_LOG_INFO, "no migration recorded as applied: %s applied none of them",
                  l->tool->label);
        return 0;
    }
    int rc = cairn_conn_lock(c, &h);
    if (rc)
        return rc;
    cairn_history done;
    cairn_history_init(&done);
    rc = cairn_conn_history_ensure(c, &h);
    if (!rc)
        rc = cairn_conn_history_list(c, &h, &done);
    /* what will be recorded, for the audit row: the newest, and how many */
    const char *newest = NULL;
    size_t todo = 0;
    for (size_t i = 0; !rc && i < l->n; i++)
        if (l->v[i].state == IM_APPLIED && !cairn_history_find(&done, l->v[i].name)) {
            newest = l->v[i].name;
            todo++;
        }
    /* All rows or none (a failure removes the imported folder again), with
     * their audit row where DDL is transactional; elsewhere the audit
     * table's CREATE would commit, so the audit row is written first. */
    int ddl_txn = (d->caps & CAIRN_CAP_TRANSACTIONAL_DDL) != 0;
    int in_txn = 0;
    if (!rc && todo && ddl_txn && !(rc = cairn_conn_begin(c)))
        in_txn = 1;
    if (!rc && todo) {
        char action[64], detail[160];
        snprintf(action, sizeof action, "import %s", l->tool->name);
        snprintf(detail, sizeof detail, "%zu migration%s recorded without running, from the %s "
                 "history", todo, todo == 1 ? "" : "s", l->tool->label);
        rc = cairn_conn_audit(c, &h, action, newest, detail);
    }
    if (!rc && todo && !in_txn && !(rc = cairn_conn_begin(c)))
        in_txn = 1;
    char at[21];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    for (size_t i = 0; i < l->n && !rc; i++) {
        const imig *m = &l->v[i];
        if (m->state != IM_APPLIED || cairn_history_find(&done, m->name))
            continue;
        size_t n;
        rc = count_statements(cx, m->sql, &n);
        cairn_applied row = {.name = m->name, .checksum = m->checksum, .applied_at = at,
                             .state = CAIRN_APPLIED_BASELINE, .statements_done = (int32_t)n,
                             .statements_total = (int32_t)n};
        if (!rc)
            rc = cairn_conn_history_record(c, &h, &row);
        if (!rc) {
            recorded++;
            cairn_log(cx, CAIRN_LOG_INFO, "%s recorded as applied (%s applied it; not run)",
                      m->name, l->tool->label);
            cairn_event e = {.kind = CAIRN_EVENT_MIGRATION, .migration = m->name,
                             .action = "baseline", .checksum = m->checksum, .applied_at = at,
                             .statements_done = n, .statements_total = n};
            cairn_event_emit(cx, &e);
        }
    }
    cairn_history_release(&done);
    if (!rc && in_txn)
        rc = cairn_conn_commit(c);
    if (rc && in_txn)
        cairn_exec_rollback_quietly(c, cx);
    cairn_saved_err saved = {0};
    if (rc)
        cairn_err_save(cx, &saved);
    int urc = cairn_conn_unlock(c, &h);
    if (rc)
        cairn_err_restore(cx, &saved);
    else
        rc = urc;
    if (!rc)
        cairn_log(cx, CAIRN_LOG_INFO, "%zu migration%s recorded as applied (%zu already were)%s",
                  recorded, recorded == 1 ? "" : "s", want - recorded,
                  failed ? "; failed ones left pending (see the warnings)" : "");
    return rc;
}

