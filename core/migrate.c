/*
 * The migrator: apply pending migrations under the migration lock, report
 * their status, check the folder's snapshot chain, drop the newest one.
 *
 * Pending means "in the folder, not in the history table" (never "newer
 * than the newest applied"), so a migration merged late from another branch
 * is still applied. Integrity is checked before anything runs: an edited or
 * vanished applied migration, or a half-applied one, stops the run with
 * nothing changed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* Checksums in messages are shortened like git's object names. */
#define SHORT_SUM 12

/* ---- a run against one database ------------------------------------------ */

typedef struct mrun {
    cairn_ctx *cx;
    const cairn_dialect *d;
    cairn_conn *c;
    cairn_history_opts h;
    cairn_history hist;
    cairn_migration *list;
    size_t n;
    cairn_graph g; /* the folder's links: which migrations squash which */
    size_t end;    /* the run's migrations are list[0 .. end) (migrate --to) */
    int locked;
    int borrowed; /* list and g are the context's shared folder's */
    char recorded_at[21]; /* applied_at of the last history row written */
} mrun;

static int cmp_applied(const void *a, const void *b)
{
    return strcmp(((const cairn_applied *)a)->name, ((const cairn_applied *)b)->name);
}

/* Connect, and read both sides: the folder and the history (sorted).
 * `load_sql`: read (and checksum) every migration.sql now; else the caller
 * reads those it needs with cairn_folder_load_sql. */
static int run_open_folder(mrun *r, cairn_ctx *cx, int load_sql)
{
    memset(r, 0, sizeof *r);
    r->cx = cx;
    cairn_history_init(&r->hist);
    cairn_session *s;
    int rc = cairn_session_get(cx, &s);
    if (rc)
        return rc;
    r->d = cairn_session_dialect(s);
    const cairn_shared_folder *sf = cx->shared_folder;
    if (sf && strcmp(sf->out, cairn_ctx_get(cx, "out")) == 0) {
        /* read once for a fleet: read only, never freed here */
        r->list = sf->list;
        r->n = sf->n;
        r->g = sf->g;
        r->borrowed = 1;
    } else {
        rc = cairn_folder_list_existing(cx, cairn_ctx_get(cx, "out"), &r->list, &r->n);
        if (!rc && load_sql)
            rc = cairn_folder_load_all(cx, r->list, r->n);
        if (!rc)
            rc = cairn_graph_load(cx, cairn_ctx_get(cx, "out"), &r->g);
    }
    if (rc)
        return rc;
    r->end = r->n;
    rc = cairn_session_connect(cx, s, &r->c);
    if (rc)
        return rc;
    cairn_session_history_opts(cx, &r->h);
    return 0;
}

static int run_open(mrun *r, cairn_ctx *cx)
{
    return run_open_folder(r, cx, 1);
}

static int run_read_history(mrun *r)
{
    int rc = cairn_conn_history_list(r->c, &r->h, &r->hist);
    if (!rc && r->hist.n)
        qsort(r->hist.rows, r->hist.n, sizeof *r->hist.rows, cmp_applied);
    return rc;
}

/* Unlock and disconnect; an earlier error (rc != 0) stays the result. */
static int run_close(mrun *r, int rc)
{
    cairn_saved_err saved = {0};
    if (rc)
        cairn_err_save(r->cx, &saved);
    int later = r->locked ? cairn_conn_unlock(r->c, &r->h) : 0;
    cairn_conn_close(r->c);
    cairn_history_release(&r->hist);
    if (!r->borrowed) {
        cairn_folder_free(r->list, r->n);
        cairn_graph_free(&r->g);
    }
    if (rc) {
        cairn_err_restore(r->cx, &saved);
        return rc;
    }
    return later;
}

static const cairn_migration *find_migration(const mrun *r, const char *name)
{
    size_t i = cairn_folder_find(r->list, r->n, name);
    return i < r->n ? &r->list[i] : NULL;
}

/* The history row of `name`: the history is sorted once read. */
static const cairn_applied *find_applied(const mrun *r, const char *name)
{
    cairn_applied key = {.name = name};
    return r->hist.n ? bsearch(&key, r->hist.rows, r->hist.n, sizeof *r->hist.rows, cmp_applied)
                     : NULL;
}

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

/* The graph node of `m` (NULL: the folder changed between the two reads). */
static const cairn_gnode *node_of(const mrun *r, const cairn_migration *m)
{
    size_t i = cairn_folder_find(r->g.list, r->g.n, m->name);
    return i < r->g.n ? &r->g.node[i] : NULL;
}

/* The present migration that squashes `name`, or NULL. */
static const char *squashed_into(const mrun *r, const char *name)
{
    for (size_t i = 0; i < r->g.n; i++)
        for (size_t k = 0; k < r->g.node[i].nreplaces; k++)
            if (strcmp(r->g.node[i].replaces[k], name) == 0)
                return r->g.list[i].name;
    return NULL;
}

/* Stopped part-way outside a transaction? */
static int is_partial(const cairn_applied *a)
{
    return a && a->state == CAIRN_APPLIED_PARTIAL;
}

/* Stopped part-way while being rolled back (its down.sql ran outside a
 * transaction)? Such a row counts the down.sql's statements, and says so
 * with a negative statements_total: any cairn reads it as PARTIAL. */
static int is_rolling_back(const cairn_applied *a)
{
    return is_partial(a) && a->statements_total < 0;
}

/* To run in this run: not in the history, or stopped part-way when resuming. */
static const cairn_applied *to_run(const mrun *r, const cairn_migration *m, int resume, int *run)
{
    const cairn_applied *a = cairn_history_find(&r->hist, m->name);
    *run = !a || (resume && is_partial(a) && !is_rolling_back(a));
    return a;
}

/* A squash migration `m` not in the history: how many of the migrations
 * it replaces this database applied (done or baseline); `*missing` the
 * first it did not. 0 with `*of` 0 for a migration that squashes nothing.
 * The folded migrations were one line, so a database that applied the
 * newest of them has all of them: through an earlier squash (listed too,
 * beside what it replaced) when not one by one. */
static size_t squash_applied(const mrun *r, const cairn_migration *m, size_t *of,
                             const char **missing)
{
    const cairn_gnode *nd = node_of(r, m);
    size_t k = 0;
    *of = nd ? nd->nreplaces : 0;
    *missing = NULL;
    for (size_t i = 0; i < *of; i++) {
        const cairn_applied *a = cairn_history_find(&r->hist, nd->replaces[i]);
        if (a && !is_partial(a))
            k++;
        else if (!*missing)
            *missing = nd->replaces[i];
    }
    const cairn_applied *last = k ? cairn_history_find(&r->hist, nd->replaces[*of - 1]) : NULL;
    if (last && !is_partial(last)) {
        *missing = NULL;
        k = *of;
    }
    return k;
}

/* What a run may find stopped part-way and carry on with. */
enum { RESUME_UP = 1, RESUME_DOWN = 2 };

/* Every applied migration still matches its file; nothing is half-applied
 * or half-rolled-back (unless resuming that: `resume` RESUME_*); every
 * migration to run has its SQL. */
static int run_check_integrity(mrun *r, unsigned resume, int settled)
{
    cairn_ctx *cx = r->cx;
    for (size_t i = 0; i < r->hist.n; i++) {
        const cairn_applied *a = &r->hist.rows[i];
        const cairn_migration *m = find_migration(r, a->name);
        /* folded into a squash migration: its folder is gone on purpose */
        if (!m && !is_partial(a) && squashed_into(r, a->name))
            continue;
        if (!m)
            return cairn_err(cx, CAIRN_EINTEGRITY,
                             "migration %s is recorded as applied but its folder is missing "
                             "(restore it, or 'cairn resolve %s --forget' if it was removed on "
                             "purpose)",
                             a->name, a->name);
        long k = CAIRN_APPLIED_STATEMENT_IN_FLIGHT(a);
        /* A PARTIAL row read before the lock may be another deployer's run
         * in progress: only a row read under the lock (or by a read-only
         * run) says a migration stopped. */
        if (is_partial(a) && !settled)
            continue;
        int down = is_rolling_back(a);
        int resuming = (resume & (down ? RESUME_DOWN : RESUME_UP)) != 0;
        int total = down ? -(int)a->statements_total : (int)a->statements_total;
        const char *of = down ? " of its down.sql" : "";
        const char *then = down ? "cairn rollback --resume" : "cairn migrate --resume";
        if (is_partial(a) && k)
            /* never guess: the statement may have finished on the server
             * after the client died, or never started */
            return cairn_err(cx, CAIRN_EPARTIAL,
                             "migration %s stopped while statement %ld of %d%s was running: its "
                             "outcome is unknown%s; check the database, then 'cairn resolve %s "
                             "--statement-done' (it ran) or '--statement-not-done' (it did "
                             "not), then '%s'",
                             a->name, k, total, of, resuming ? " (the database cannot tell)" : "",
                             a->name, then);
        if (is_partial(a) && !resuming)
            return cairn_err(cx, CAIRN_EPARTIAL,
                             "migration %s stopped part-way%s: %d of %d statements%s ran; fix the "
                             "database by hand, then '%s' or 'cairn resolve %s "
                             "--applied|--rolled-back'",
                             a->name, down ? " through its rollback" : "",
                             (int)a->statements_done, total, of, then, a->name);
        if (!m->sql)
            return cairn_err_at(cx, CAIRN_EINTEGRITY, m->dir, 0, 0,
                                "migration %s was applied, but its migration.sql is missing",
                                a->name);
        /* A migration stopped part-way may have been fixed in its file. */
        if (!is_partial(a) && strcmp(a->checksum, m->checksum) != 0)
            return cairn_err_at(cx, CAIRN_EINTEGRITY, m->dir, 0, 0,
                                "migration %s was applied with checksum %.*s, its migration.sql "
                                "now has %.*s: applied migrations must not be edited (undo the "
                                "edit, or 'cairn resolve %s --accept-edit' to keep it)",
                                a->name, SHORT_SUM, a->checksum, SHORT_SUM, m->checksum,
                                a->name);
    }
    for (size_t i = 0; i < r->end; i++)
        if (!r->list[i].sql && !cairn_history_find(&r->hist, r->list[i].name))
            return cairn_err_at(cx, CAIRN_EINTEGRITY, r->list[i].dir, 0, 0,
                                "migration %s has no migration.sql", r->list[i].name);
    /* A squash runs on a database that applied none of what it replaces
     * and is recorded on one that applied all; in between, its SQL would
     * create what is already there. */
    for (size_t i = 0; i < r->n; i++) {
        size_t of;
        const char *missing;
        size_t k = cairn_history_find(&r->hist, r->list[i].name)
                       ? 0 : squash_applied(r, &r->list[i], &of, &missing);
        if (k && k < of)
            return cairn_err_at(cx, CAIRN_EINTEGRITY, r->list[i].dir, 0, 0,
                                "migration %s squashes %zu migrations, but this database applied "
                                "only %zu of them (not %s): migrate it with the migrations folder "
                                "from before the squash first",
                                r->list[i].name, of, k, missing);
    }
    return 0;
}

static void utc_now(char out[21])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* `done` statements ran; a negative `done` is -(k) when statement k
 * (1-based) was sent and its outcome is unknown (CAIRN_APPLIED_IN_FLIGHT). */
static int record(mrun *r, const char *name, const char *checksum, cairn_applied_state state,
                  long done, long total, int64_t duration_ms)
{
    char *at = r->recorded_at;
    utc_now(at);
    cairn_applied row = {.name = name, .checksum = checksum, .applied_at = at,
                         .duration_ms = duration_ms, .state = state,
                         .statements_done = (int32_t)done, .statements_total = (int32_t)total};
    return cairn_conn_history_record(r->c, &r->h, &row);
}

/* A MIGRATION event: `action` done to migration `name`, whose history row
 * says `applied_at` (NULL: it has none). */
static void migration_event(mrun *r, const char *name, const char *action, const char *checksum,
                            const char *applied_at, size_t done, size_t total, int64_t ms)
{
    cairn_event e = {.kind = CAIRN_EVENT_MIGRATION, .migration = name, .action = action,
                     .checksum = checksum, .applied_at = applied_at, .statements_done = done,
                     .statements_total = total, .duration_ms = ms};
    cairn_event_emit(r->cx, &e);
}

/* What one migration of a run did: statements of `count` that ran (`done`),
 * how long, and its history row's time. */
typedef struct mdone {
    int ran; /* it ran to its end */
    size_t count, done;
    int64_t took;
    char at[21];
} mdone;

/* What the executor tells about one script becomes the migration's history
 * row. A down.sql (`down`) counts its statements negative, so the row of a
 * rollback stopped part-way is told from a migrate's, and at the end the
 * row is removed instead of recorded done (inside the transaction, where
 * there is one). */
typedef struct mprogress {
    mrun *r;
    const char *name;
    const char *checksum; /* of the script that runs */
    int down;
    int64_t started;
} mprogress;

static int on_progress(void *ud, cairn_exec_event ev, size_t i, size_t n)
{
    mprogress *p = ud;
    int64_t took = cairn_mono_ms() - p->started;
    long total = p->down ? -(long)n : (long)n;
    switch (ev) {
    case CAIRN_EXEC_STARTING:
        /* before the statement is sent: if this process dies now, the row
         * says that statement's outcome is unknown, never that it did not run */
        return record(p->r, p->name, p->checksum, CAIRN_APPLIED_PARTIAL,
                      CAIRN_APPLIED_IN_FLIGHT(i), total, took);
    case CAIRN_EXEC_DONE:
    case CAIRN_EXEC_FAILED:
        if (ev == CAIRN_EXEC_DONE && i + 1 == n)
            return 0; /* FINISHED records it */
        return record(p->r, p->name, p->checksum, CAIRN_APPLIED_PARTIAL,
                      (long)(ev == CAIRN_EXEC_DONE ? i + 1 : i), total, took);
    case CAIRN_EXEC_FINISHED:
        if (p->down) {
            /* a rollback is rare and done by a person: the audit trail
             * says who, with the row's removal where a transaction holds */
            char detail[120];
            snprintf(detail, sizeof detail, "down.sql %.*s: %zu statement%s", SHORT_SUM,
                     p->checksum, n, plural(n));
            int rc = cairn_conn_history_remove(p->r->c, &p->r->h, p->name);
            return rc ? rc : cairn_conn_audit(p->r->c, &p->r->h, "rollback", p->name, detail);
        }
        return record(p->r, p->name, p->checksum, CAIRN_APPLIED_DONE, total, total, took);
    }
    return 0;
}

/* One script (a migration.sql or a down.sql), from statement `start`
 * (0-based; > 0 only when resuming one that ran outside a transaction),
 * in its own transaction where it can be, or in the caller's
 * (`in_caller_txn`, all-in-one). `what` names it in messages. */
typedef struct script {
    const char *what;    /* "migration NAME", "rollback of NAME" */
    const char *name;    /* the migration's name */
    const char *dir;     /* its folder */
    const char *file;    /* "migration.sql", "down.sql" */
    const char *sql;
    int no_transaction;
    int (*progress)(void *ud, cairn_exec_event ev, size_t i, size_t n);
    void *ud;
} script;

static int run_script(mrun *r, const script *sc, size_t start, int in_caller_txn, size_t *count,
                      size_t *committed)
{
    char **stmts;
    size_t n;
    if (cairn_split_statements(sc->sql, &stmts, &n))
        return cairn_err(r->cx, CAIRN_ENOMEM, "out of memory");
    *count = n;
    if (start > n) {
        cairn_strv_free(stmts, n);
        return cairn_err_at(r->cx, CAIRN_EINTEGRITY, sc->dir, 0, 0,
                            "migration %s: %zu statements ran, but its %s now has %zu",
                            sc->name, start, sc->file, n);
    }
    char *file = cairn_path_join(sc->dir, sc->file);
    cairn_exec_unit u = {.dialect = r->d, .name = sc->what, .stmts = stmts, .n = n,
                         .start = start, .file = file, .text = file ? sc->sql : NULL,
                         .no_transaction = sc->no_transaction, .in_caller_txn = in_caller_txn,
                         .progress = sc->progress, .ud = sc->ud};
    int rc = cairn_exec_run(r->c, r->cx, &u);
    free(file);
    *committed = u.committed;
    if (rc && u.committed > 0 && u.committed < n)
        cairn_log(r->cx, CAIRN_LOG_WARN,
                  "%s ran outside a transaction: %zu of %zu statements ran "
                  "and stay applied; its history row says PARTIAL",
                  sc->what, u.committed, n);
    cairn_strv_free(stmts, n);
    return rc;
}

static int apply_one(mrun *r, const cairn_migration *m, size_t start, int in_caller_txn,
                     size_t *count, size_t *committed)
{
    char label[300];
    snprintf(label, sizeof label, "migration %s", m->name);
    mprogress p = {r, m->name, m->checksum, 0, cairn_mono_ms()};
    script sc = {.what = label, .name = m->name, .dir = m->dir, .file = "migration.sql",
                 .sql = m->sql, .no_transaction = m->no_transaction, .progress = on_progress,
                 .ud = &p};
    return run_script(r, &sc, start, in_caller_txn, count, committed);
}

/* Log SQL text line by line (the logger takes lines). */
static void log_sql(cairn_ctx *cx, const char *sql)
{
    for (const char *p = sql; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        cairn_log(cx, CAIRN_LOG_INFO, "%.*s", (int)len, p);
        p += len + (eol ? 1 : 0);
    }
}

/* The statements of a script a dry run would run, from `start`, under a
 * "-- title" line. */
static int log_script(mrun *r, const char *title, const char *name, const char *action,
                      const char *checksum, const char *sql, int no_transaction, size_t start)
{
    cairn_log(r->cx, CAIRN_LOG_INFO, "-- %s%s", title,
              start ? " (resumed)" : no_transaction ? " (outside a transaction)" : "");
    char **stmts;
    size_t n;
    if (cairn_split_statements(sql, &stmts, &n))
        return cairn_err(r->cx, CAIRN_ENOMEM, "out of memory");
    if (!start)
        log_sql(r->cx, sql);
    for (size_t i = start; start && i < n; i++) {
        if (i > start)
            cairn_log(r->cx, CAIRN_LOG_INFO, "%s", CAIRN_BREAKPOINT);
        log_sql(r->cx, stmts[i]);
    }
    migration_event(r, name, action, checksum, NULL, start, n, 0);
    cairn_event_sql(r->cx, name, stmts + start, n - start);
    cairn_strv_free(stmts, n);
    return 0;
}

/* A progress line: "[3/200] applied NAME (N statements, T ms)", the step
 * only when there is more than one. */
static void log_step(cairn_ctx *cx, const char *verb, const char *name, size_t at, size_t of,
                     size_t statements, int64_t started)
{
    char step[48] = "";
    if (of > 1)
        snprintf(step, sizeof step, "[%zu/%zu] ", at, of);
    cairn_log(cx, CAIRN_LOG_INFO, "%s%s %s (%zu statement%s, %lld ms)", step, verb, name,
              statements, plural(statements), (long long)(cairn_mono_ms() - started));
}

/* all-in-one needs every migration of the run to fit in one transaction. */
static int check_all_in_one(mrun *r, int resume)
{
    if (!(r->d->caps & CAIRN_CAP_TRANSACTIONAL_DDL))
        return cairn_err(r->cx, CAIRN_EUSAGE,
                         "dialect %s cannot roll back DDL: all-in-one needs transactional DDL",
                         r->d->name);
    for (size_t i = 0; i < r->end; i++) {
        int run;
        const cairn_applied *a = to_run(r, &r->list[i], resume, &run);
        if (run && (r->list[i].no_transaction || a))
            return cairn_err(r->cx, CAIRN_EUSAGE,
                             "migration %s runs outside a transaction%s and cannot be part of "
                             "an all-in-one run",
                             r->list[i].name,
                             a ? " (it is resumed)" : " (-- cairn:no-transaction)");
    }
    return 0;
}

/* Resuming, under the lock: a statement cut off while it ran (its outcome
 * unknown) is settled from the database where the database can tell
 * (inflight.c); otherwise the integrity check stops the run and asks.
 * `down`: the rows of a rollback (statements of down.sql), else of a
 * migrate. */
static int settle_in_flight(mrun *r, int down)
{
    int settled = 0, rc = 0;
    for (size_t i = 0; i < r->hist.n && !rc; i++) {
        const cairn_applied *a = &r->hist.rows[i];
        long k = CAIRN_APPLIED_STATEMENT_IN_FLIGHT(a);
        const cairn_migration *m = k ? find_migration(r, a->name) : NULL;
        char **stmts;
        size_t n;
        char *text = NULL, sum[65];
        if (!is_partial(a) || !m || !m->sql || is_rolling_back(a) != down)
            continue;
        if (down && (rc = cairn_folder_read_down(r->cx, m->dir, &text, sum)) != 0)
            return rc;
        if (down && !text)
            continue;
        int split = cairn_split_statements(down ? text : m->sql, &stmts, &n);
        free(text);
        if (split)
            return cairn_err(r->cx, CAIRN_ENOMEM, "out of memory");
        int ran = -1;
        char why[400];
        if ((size_t)k <= n)
            rc = cairn_inflight_decide(r->c, stmts[k - 1], &ran, why, sizeof why);
        cairn_strv_free(stmts, n);
        if (rc || ran < 0)
            continue;
        rc = record(r, a->name, a->checksum, CAIRN_APPLIED_PARTIAL, ran ? k : k - 1,
                    a->statements_total, a->duration_ms);
        if (!rc)
            cairn_log(r->cx, CAIRN_LOG_INFO,
                      "migration %s stopped while statement %ld of %d%s was running; the "
                      "database tells it %s (%s)",
                      a->name, k, down ? -(int)a->statements_total : (int)a->statements_total,
                      down ? " of its down.sql" : "", ran ? "ran" : "did not run", why);
        settled++;
    }
    if (!rc && settled) {
        cairn_history_release(&r->hist);
        rc = run_read_history(r);
    }
    return rc;
}

/* Take the lock (creating the history table when `ensure`), then read the
 * history again: another deployer may have moved it meanwhile. A resumed
 * run settles a statement in flight first; then integrity, under the lock. */
static int run_lock_and_recheck(mrun *r, int ensure, unsigned resume)
{
    int rc = cairn_conn_lock(r->c, &r->h);
    r->locked = rc == 0;
    if (!rc && ensure)
        rc = cairn_conn_history_ensure(r->c, &r->h);
    if (!rc) {
        cairn_history_release(&r->hist);
        rc = run_read_history(r);
    }
    if (!rc && resume)
        rc = settle_in_flight(r, resume == RESUME_DOWN);
    if (!rc)
        rc = run_check_integrity(r, resume, 1);
    return rc;
}

int cairn_migrate(cairn_ctx *cx, const cairn_migrate_opts *opts)
{
    return cairn_migrate_to(cx, opts, NULL);
}

int cairn_migrate_to(cairn_ctx *cx, const cairn_migrate_opts *opts, const char *to)
{
    cairn_migrate_opts none = {0}, checking;
    if (!opts)
        opts = &none;
    /* a check is a dry run that says whether there was anything to apply */
    if (cairn_ctx_checking(cx) && !opts->dry_run) {
        checking = *opts;
        checking.dry_run = 1;
        opts = &checking;
    }
    mrun r;
    int rc = run_open(&r, cx);
    /* the migrations of this run: the folder's, or those up to `to` */
    if (!rc && to && (r.end = cairn_folder_find(r.list, r.n, to) + 1) > r.n)
        rc = cairn_err(cx, CAIRN_EUSAGE, "migrate --to: no migration %s in %s; nothing changed",
                       to, cairn_ctx_get(cx, "out"));
    /* Integrity first, before anything is created or locked: a run that
     * stops here leaves no history table, lock file or database behind. */
    if (!rc)
        rc = run_read_history(&r);
    if (!rc)
        rc = run_check_integrity(&r, opts->resume ? RESUME_UP : 0, opts->dry_run);
    /* A dry run reads only. A real one takes the lock, then reads the
     * history again: another deployer may have moved it meanwhile. */
    if (!rc && !opts->dry_run) {
        rc = run_lock_and_recheck(&r, 1, opts->resume ? RESUME_UP : 0);
    }
    /* --resume goes on with the migration that stopped part-way (as the
     * history read under the lock says): one past `to` is not this run's */
    for (size_t i = r.end; !rc && opts->resume && i < r.n; i++) {
        const cairn_applied *a = cairn_history_find(&r.hist, r.list[i].name);
        if (is_partial(a) && !is_rolling_back(a))
            rc = cairn_err(cx, CAIRN_EUSAGE,
                           "migrate --to %s --resume: %s, which stopped part-way, comes after "
                           "it: resume it with --to %s or without --to; nothing changed",
                           to, r.list[i].name, r.list[i].name);
    }
    if (rc)
        return run_close(&r, rc);

    const char *newest = NULL; /* the newest applied migration */
    size_t pending = 0, later = 0;
    for (size_t i = 0; i < r.hist.n; i++)
        if (!is_partial(&r.hist.rows[i]))
            newest = r.hist.rows[i].name;
    for (size_t i = 0; i < r.n; i++) {
        int run;
        to_run(&r, &r.list[i], opts->resume, &run);
        *(i < r.end ? &pending : &later) += (size_t)run;
    }
    /* what --to leaves pending, said with the run's last line */
    char upto[64] = "";
    if (later)
        snprintf(upto, sizeof upto, "; %zu later migration%s stay%s pending", later,
                 plural(later), later == 1 ? "s" : "");
    if (!pending) {
        cairn_log(cx, CAIRN_LOG_INFO, "nothing to apply%s", upto);
        return run_close(&r, 0);
    }

    int one_txn = opts->all_in_one && !opts->dry_run;
    /* all-in-one: what each migration did, reported once the transaction
     * ends (applied, or rolled back with the one that failed) */
    mdone *done = NULL;
    if (one_txn) {
        rc = check_all_in_one(&r, opts->resume);
        if (!rc && !(done = calloc(r.n, sizeof *done)))
            rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
        if (!rc)
            rc = cairn_conn_begin(r.c);
        if (rc) {
            free(done);
            return run_close(&r, rc);
        }
    }

    size_t applied = 0, at = 0, recorded = 0;
    mdone failed = {0};
    const cairn_migration *failed_m = NULL;
    for (size_t i = 0; i < r.end && !rc; i++) {
        const cairn_migration *m = &r.list[i];
        int run;
        const cairn_applied *a = to_run(&r, m, opts->resume, &run);
        if (!run)
            continue;
        size_t of;
        const char *missing;
        if (!a && squash_applied(&r, m, &of, &missing) == of && of) {
            if (!opts->dry_run)
                rc = record(&r, m->name, m->checksum, CAIRN_APPLIED_BASELINE, 0, 0, 0);
            if (!rc) {
                cairn_log(cx, CAIRN_LOG_INFO, "%s %s as applied: it squashes %zu migration%s this "
                          "database has applied", m->name, opts->dry_run ? "would be recorded"
                          : "recorded", of, plural(of));
                if (!opts->dry_run)
                    migration_event(&r, m->name, "baseline", m->checksum, r.recorded_at, 0, 0, 0);
                recorded++;
            }
            continue;
        }
        size_t start = a ? (size_t)a->statements_done : 0;
        if (a)
            cairn_log(cx, CAIRN_LOG_INFO, "resuming %s at statement %zu of %d%s", m->name,
                      start + 1, (int)a->statements_total,
                      strcmp(a->checksum, m->checksum) ? " (its migration.sql was edited since)"
                                                       : "");
        else if (newest && strcmp(m->name, newest) < 0)
            cairn_log(cx, CAIRN_LOG_INFO,
                      "applying %s (older than the newest applied migration %s)", m->name, newest);
        if (opts->dry_run) {
            rc = log_script(&r, m->name, m->name, "pending", m->checksum, m->sql, m->no_transaction,
                            start);
            applied++;
            continue;
        }
        int64_t started = cairn_mono_ms();
        size_t count = 0, committed = 0;
        at++;
        rc = apply_one(&r, m, start, one_txn, &count, &committed);
        mdone d = {.ran = !rc, .count = count, .done = committed, .took = cairn_mono_ms() - started};
        memcpy(d.at, r.recorded_at, sizeof d.at);
        if (rc) {
            failed = d;
            failed_m = m;
        } else {
            applied++;
            log_step(cx, "applied", m->name, at, pending, count - start, started);
            if (done)
                done[i] = d;
            else
                migration_event(&r, m->name, "applied", m->checksum, d.at, count, count, d.took);
        }
    }
    if (one_txn) {
        if (!rc)
            rc = cairn_conn_commit(r.c);
        if (rc) {
            cairn_exec_rollback_quietly(r.c, cx);
            applied = 0;
        }
    }
    /* the events, the error of the run kept as it is */
    cairn_saved_err saved = {0};
    if (rc)
        cairn_err_save(cx, &saved);
    for (size_t i = 0; done && i < r.n; i++)
        if (done[i].ran)
            migration_event(&r, r.list[i].name, rc ? "rolled-back" : "applied",
                            r.list[i].checksum, rc ? NULL : done[i].at, rc ? 0 : done[i].count,
                            done[i].count, done[i].took);
    if (failed_m)
        migration_event(&r, failed_m->name, "failed", failed_m->checksum, NULL, failed.done,
                        failed.count, failed.took);
    if (rc)
        cairn_err_restore(cx, &saved);
    free(done);
    if (opts->dry_run && !rc) {
        cairn_log(cx, CAIRN_LOG_INFO, "%zu migration%s to apply%s (dry run: nothing changed)",
                  applied, plural(applied), upto);
        if ((applied || recorded) && cairn_ctx_checking(cx))
            rc = cairn_err(cx, CAIRN_EPENDING, "%zu migration%s to apply: run 'cairn migrate%s%s'",
                           applied + recorded, plural(applied + recorded), to ? " --to " : "",
                           to ? to : "");
    }
    else if (!rc || applied)
        cairn_log(cx, CAIRN_LOG_INFO, "%zu migration%s applied%s%s", applied, plural(applied),
                  recorded ? " (and the squash recorded)" : "", upto);
    return run_close(&r, rc);
}

/* ---- rollback ----------------------------------------------------------------- */

/* A migration to roll back and its down.sql, read and checked. */
typedef struct down_script {
    const cairn_migration *m;
    const cairn_applied *a;
    char *sql;
    char checksum[65];
    size_t start; /* first statement to run (resuming) */
} down_script;

static void down_release(down_script *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i].sql);
    free(v);
}

/* Read m's down.sql: refuse (EINTEGRITY) when there is none, or when it is
 * not the one generate wrote (its sha256 in snapshot.json). A down.sql
 * without a recorded checksum was written by hand (a custom migration). */
static int down_read(mrun *r, down_script *ds)
{
    cairn_ctx *cx = r->cx;
    const cairn_migration *m = ds->m;
    int rc = cairn_folder_read_down(cx, m->dir, &ds->sql, ds->checksum);
    if (rc)
        return rc;
    char *file = cairn_path_join(m->dir, "down.sql");
    if (!file)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    cairn_snapshot snap;
    memset(&snap, 0, sizeof snap);
    if (!ds->sql)
        rc = cairn_err_at(cx, CAIRN_EINTEGRITY, file, 0, 0,
                          "migration %s has no down.sql, so it cannot be rolled back (generate "
                          "writes none for a custom migration: write it by hand, or undo the "
                          "change with a new migration); nothing changed",
                          m->name);
    if (!rc)
        rc = cairn_folder_read_snapshot(cx, m->dir, &snap);
    if (!rc && snap.down_checksum && strcmp(snap.down_checksum, ds->checksum) != 0)
        rc = cairn_err_at(cx, CAIRN_EINTEGRITY, file, 0, 0,
                          "down.sql of %s was edited after generate wrote it (checksum %.*s, "
                          "now %.*s): undo the edit, or to run it as edited set "
                          "\"down_checksum\" in its snapshot.json to %s; nothing changed",
                          m->name, SHORT_SUM, snap.down_checksum, SHORT_SUM, ds->checksum,
                          ds->checksum);
    if (!rc && !snap.down_checksum)
        cairn_log(cx, CAIRN_LOG_DEBUG,
                  "%s: down.sql has no checksum in snapshot.json (written by hand): run as it is",
                  m->name);
    cairn_snapshot_release(&snap);
    free(file);
    return rc;
}

/* Which migrations the run rolls back, newest first, each with its down.sql
 * read and checked: the rollback stopped part-way (resume), those applied
 * after `to`, or the newest `steps` applied ones. *n = 0: nothing to do. */
static int rollback_targets(mrun *r, const cairn_rollback_opts *o, down_script **out, size_t *n)
{
    cairn_ctx *cx = r->cx;
    *out = NULL;
    *n = 0;
    size_t *applied = calloc(r->n + 1, sizeof *applied), na = 0, first = 0;
    down_script *v = calloc(r->n + 1, sizeof *v);
    if (!applied || !v) {
        free(applied);
        free(v);
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    int rc = 0;
    const cairn_applied *stopped = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const cairn_applied *a = cairn_history_find(&r->hist, r->list[i].name);
        if (a && !is_partial(a))
            applied[na++] = i;
        if (is_rolling_back(a))
            stopped = a;
    }
    const char *out_dir = cairn_ctx_get(cx, "out");
    if (o->resume) {
        if (!stopped)
            rc = cairn_err(cx, CAIRN_EUSAGE,
                           "rollback --resume: no rollback stopped part-way (see 'cairn "
                           "status'); nothing changed");
    } else if (o->to) {
        size_t at = cairn_folder_find(r->list, r->n, o->to);
        const cairn_applied *a = at < r->n ? cairn_history_find(&r->hist, o->to) : NULL;
        if (at == r->n)
            rc = cairn_err(cx, CAIRN_EUSAGE, "rollback --to: no migration %s in %s; nothing "
                           "changed", o->to, out_dir);
        else if (!a || is_partial(a))
            rc = cairn_err(cx, CAIRN_EUSAGE,
                           "rollback --to: %s is not applied (see 'cairn status'): --to names "
                           "the migration that stays the newest applied one; nothing changed",
                           o->to);
        while (!rc && first < na && applied[first] <= at)
            first++;
    } else {
        size_t steps = o->steps > 0 ? (size_t)o->steps : 1;
        if (na && steps > na)
            rc = cairn_err(cx, CAIRN_EUSAGE,
                           "rollback --steps %zu: only %zu migration%s %s applied; nothing "
                           "changed",
                           steps, na, plural(na), na == 1 ? "is" : "are");
        first = na > steps ? na - steps : 0;
    }
    size_t k = 0;
    if (!rc && o->resume) {
        v[k].m = find_migration(r, stopped->name);
        v[k].a = stopped;
        v[k].start = (size_t)stopped->statements_done;
        rc = down_read(r, &v[k++]);
    }
    for (size_t j = na; !rc && !o->resume && j-- > first;) {
        v[k].m = &r->list[applied[j]];
        v[k].a = cairn_history_find(&r->hist, v[k].m->name);
        rc = down_read(r, &v[k++]);
    }
    free(applied);
    if (rc) {
        down_release(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int cairn_rollback(cairn_ctx *cx, const cairn_rollback_opts *opts)
{
    cairn_rollback_opts none = {0};
    if (!opts)
        opts = &none;
    if (opts->to && opts->steps)
        return cairn_err(cx, CAIRN_EUSAGE, "rollback: give --to NAME or --steps N, not both");
    if (opts->steps < 0)
        return cairn_err(cx, CAIRN_EUSAGE, "rollback: --steps must be 1 or more, not %d",
                         opts->steps);
    if (opts->resume && (opts->to || opts->steps))
        return cairn_err(cx, CAIRN_EUSAGE,
                         "rollback --resume finishes the rollback that stopped: it takes no "
                         "--to or --steps");
    mrun r;
    down_script *todo = NULL;
    size_t n = 0;
    /* Everything is checked before the lock is taken, so a refusal leaves
     * no lock file behind; then again under the lock. */
    int rc = run_open(&r, cx);
    /* the history row goes at the end of each down script: a driver that
     * cannot remove one would leave every rollback half-recorded */
    if (!rc && !opts->dry_run && !r.d->history_remove)
        rc = cairn_err(cx, CAIRN_EUNSUPPORTED,
                       "dialect %s cannot remove a history row (its driver has no "
                       "history_remove): rollback needs it; nothing changed",
                       r.d->name);
    if (!rc)
        rc = run_read_history(&r);
    if (!rc)
        rc = run_check_integrity(&r, opts->resume ? RESUME_DOWN : 0, opts->dry_run);
    if (!rc)
        rc = rollback_targets(&r, opts, &todo, &n);
    if (!rc && !opts->dry_run && n) {
        down_release(todo, n);
        todo = NULL;
        n = 0;
        rc = run_lock_and_recheck(&r, 0, opts->resume ? RESUME_DOWN : 0);
        if (!rc)
            rc = rollback_targets(&r, opts, &todo, &n);
    }
    if (!rc && !n)
        cairn_log(cx, CAIRN_LOG_INFO, "nothing to roll back%s",
                  opts->to ? ": it is the newest applied migration" : "");
    size_t done = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        down_script *ds = &todo[i];
        const cairn_migration *m = ds->m;
        int no_txn = cairn_migfile_no_transaction(ds->sql);
        char what[300];
        snprintf(what, sizeof what, "rollback of %s", m->name);
        if (ds->start)
            cairn_log(cx, CAIRN_LOG_INFO, "resuming the rollback of %s at statement %zu of %d",
                      m->name, ds->start + 1, -(int)ds->a->statements_total);
        if (opts->dry_run) {
            char title[320];
            snprintf(title, sizeof title, "%s (%s/down.sql)", what, m->dir);
            rc = log_script(&r, title, m->name, "rollback-pending", ds->checksum, ds->sql, no_txn,
                            ds->start);
            done++;
            continue;
        }
        mprogress p = {&r, m->name, ds->checksum, 1, cairn_mono_ms()};
        script sc = {.what = what, .name = m->name, .dir = m->dir, .file = "down.sql",
                     .sql = ds->sql, .no_transaction = no_txn, .progress = on_progress,
                     .ud = &p};
        size_t count = 0, committed = 0;
        rc = run_script(&r, &sc, ds->start, 0, &count, &committed);
        if (!rc) {
            done++;
            log_step(cx, "rolled back", m->name, done, n, count - ds->start, p.started);
            migration_event(&r, m->name, "rolled-back", ds->checksum, NULL, count, count,
                            cairn_mono_ms() - p.started);
        } else {
            migration_event(&r, m->name, "rollback-failed", ds->checksum, NULL, committed, count,
                            cairn_mono_ms() - p.started);
        }
    }
    if (opts->dry_run && !rc && n)
        cairn_log(cx, CAIRN_LOG_INFO, "%zu migration%s to roll back (dry run: nothing changed)",
                  done, plural(done));
    else if (n && (!rc || done))
        cairn_log(cx, CAIRN_LOG_INFO, "%zu migration%s rolled back", done, plural(done));
    down_release(todo, n);
    return run_close(&r, rc);
}

/* ---- resolve ------------------------------------------------------------------ */

/* Open a run for resolve: locked, history read, `name` stopped part-way. */
static int resolve_open(mrun *r, cairn_ctx *cx, const char *name, const cairn_applied **a)
{
    /* run_open first: the caller closes the run whatever this returns */
    int rc = run_open(r, cx);
    if (!rc && (!name || !*name))
        rc = cairn_err(cx, CAIRN_EUSAGE, "resolve: which migration?");
    if (!rc) {
        rc = cairn_conn_lock(r->c, &r->h);
        r->locked = rc == 0;
    }
    if (!rc)
        rc = run_read_history(r);
    if (rc)
        return rc;
    *a = cairn_history_find(&r->hist, name);
    if (!*a)
        return cairn_err(cx, CAIRN_EUSAGE, "%s is not in the migration history", name);
    if (!is_partial(*a))
        return cairn_err(cx, CAIRN_EUSAGE,
                         "%s is fully applied: only a migration stopped part-way can be resolved",
                         name);
    return 0;
}

/* A person's repair of the history: the audit row (who, when, what) and
 * the change `fn` makes, together in one transaction where the dialect
 * has them. */
typedef int repair_fn(mrun *r, void *ud);
static int audited(mrun *r, const char *action, const char *name, const char *detail,
                   repair_fn *fn, void *ud)
{
    int txn = (r->d->caps & CAIRN_CAP_TRANSACTIONAL_DDL) != 0;
    int rc = txn ? cairn_conn_begin(r->c) : 0;
    if (!rc)
        rc = cairn_conn_audit(r->c, &r->h, action, name, detail);
    if (!rc)
        rc = fn(r, ud);
    if (txn && !rc)
        rc = cairn_conn_commit(r->c);
    else if (txn && rc) {
        cairn_saved_err saved;
        cairn_err_save(r->cx, &saved);
        cairn_conn_rollback(r->c);
        cairn_err_restore(r->cx, &saved);
    }
    return rc;
}

typedef struct row_change {
    const cairn_applied *row; /* to record, or NULL: remove `name` */
    const char *name;
} row_change;

static int change_row(mrun *r, void *ud)
{
    const row_change *ch = ud;
    return ch->row ? cairn_conn_history_record(r->c, &r->h, ch->row)
                   : cairn_conn_history_remove(r->c, &r->h, ch->name);
}

int cairn_resolve(cairn_ctx *cx, const char *name, int applied)
{
    mrun r;
    const cairn_applied *a = NULL;
    int rc = resolve_open(&r, cx, name, &a);
    if (rc)
        return run_close(&r, rc);
    char at[21], detail[160];
    utc_now(at);
    cairn_applied row = *a;
    row_change ch = {.row = applied ? &row : NULL, .name = name};
    if (applied) {
        /* What is in the database now is what its file says, as fixed by hand. */
        const cairn_migration *m = find_migration(&r, name);
        row.checksum = m && m->sql ? m->checksum : a->checksum;
        row.applied_at = at;
        row.state = CAIRN_APPLIED_DONE;
        row.statements_done = a->statements_total;
        if (is_rolling_back(a)) {
            /* a rollback stopped part-way, put back by hand: the row counts
             * the statements of migration.sql again */
            char **stmts;
            size_t n = 0;
            if (m && m->sql && cairn_split_statements(m->sql, &stmts, &n))
                return run_close(&r, cairn_err(cx, CAIRN_ENOMEM, "out of memory"));
            if (m && m->sql)
                cairn_strv_free(stmts, n);
            row.statements_done = row.statements_total = (int32_t)n;
        }
    }
    if (is_rolling_back(a))
        snprintf(detail, sizeof detail, "was partial: %d of %d statements of its down.sql ran",
                 (int)a->statements_done, -(int)a->statements_total);
    else
        snprintf(detail, sizeof detail, "was partial: %d of %d statements ran",
                 (int)a->statements_done, (int)a->statements_total);
    rc = audited(&r, applied ? "resolve --applied" : "resolve --rolled-back", name, detail,
                 change_row, &ch);
    if (!rc && applied) {
        cairn_log(cx, CAIRN_LOG_INFO, "%s recorded as applied", name);
        migration_event(&r, name, "applied", row.checksum, at, (size_t)a->statements_total,
                        (size_t)a->statements_total, a->duration_ms);
    } else if (!rc) {
        cairn_log(cx, CAIRN_LOG_INFO, "%s removed from the history: the next migrate applies "
                                      "it from its first statement", name);
        migration_event(&r, name, "forgotten", NULL, NULL, 0, (size_t)a->statements_total, 0);
    }
    return run_close(&r, rc);
}

int cairn_resolve_statement(cairn_ctx *cx, const char *name, int ran)
{
    mrun r;
    const cairn_applied *a = NULL;
    int rc = resolve_open(&r, cx, name, &a);
    if (rc)
        return run_close(&r, rc);
    long k = CAIRN_APPLIED_STATEMENT_IN_FLIGHT(a);
    if (!k)
        return run_close(&r, cairn_err(cx, CAIRN_EUSAGE,
                                       "%s: no statement's outcome is unknown (%d of %d ran): use "
                                       "--applied or --rolled-back",
                                       name, (int)a->statements_done, (int)a->statements_total));
    long done = ran ? k : k - 1;
    char at[21], detail[80];
    utc_now(at);
    cairn_applied row = *a;
    row.applied_at = at;
    row.state = CAIRN_APPLIED_PARTIAL;
    row.statements_done = (int32_t)done;
    row_change ch = {.row = &row, .name = name};
    snprintf(detail, sizeof detail, "statement %ld of %d%s", k,
             is_rolling_back(a) ? -(int)a->statements_total : (int)a->statements_total,
             is_rolling_back(a) ? " of its down.sql" : "");
    rc = audited(&r, ran ? "resolve --statement-done" : "resolve --statement-not-done", name,
                 detail, change_row, &ch);
    if (!rc) {
        cairn_log(cx, CAIRN_LOG_INFO,
                  "%s: statement %ld recorded as %s; 'cairn %s --resume' runs it from "
                  "statement %ld",
                  name, k, ran ? "done" : "not done", is_rolling_back(a) ? "rollback" : "migrate",
                  done + 1);
        migration_event(&r, name, "settled", a->checksum, at, (size_t)done,
                        (size_t)a->statements_total, a->duration_ms);
    }
    return run_close(&r, rc);
}

/* ---- repair: accept an edited migration, forget a deleted one ---------------- */

int cairn_repair(cairn_ctx *cx, const char *name, cairn_repair_how how)
{
    mrun r;
    int rc = run_open(&r, cx);
    if (!rc && (!name || !*name))
        rc = cairn_err(cx, CAIRN_EUSAGE, "resolve: which migration?");
    if (!rc) {
        rc = cairn_conn_lock(r.c, &r.h);
        r.locked = rc == 0;
    }
    if (!rc)
        rc = run_read_history(&r);
    if (rc)
        return run_close(&r, rc);
    const cairn_applied *a = cairn_history_find(&r.hist, name);
    const cairn_migration *m = find_migration(&r, name);
    if (!a)
        rc = cairn_err(cx, CAIRN_EUSAGE, "%s is not in the migration history", name);
    else if (is_partial(a))
        rc = cairn_err(cx, CAIRN_EUSAGE,
                       "%s stopped part-way: settle it with --applied, --rolled-back, "
                       "--statement-done or --statement-not-done",
                       name);
    else if (how == CAIRN_REPAIR_FORGET && m)
        rc = cairn_err(cx, CAIRN_EUSAGE,
                       "%s still has its folder: --forget is for a migration whose folder is "
                       "gone (to accept an edited file: --accept-edit)",
                       name);
    else if (how == CAIRN_REPAIR_ACCEPT_EDIT && (!m || !m->sql))
        rc = cairn_err(cx, CAIRN_EUSAGE,
                       "%s has no migration.sql to accept (a migration whose folder is gone: "
                       "--forget)",
                       name);
    else if (how == CAIRN_REPAIR_ACCEPT_EDIT && strcmp(a->checksum, m->checksum) == 0)
        rc = cairn_err(cx, CAIRN_EUSAGE, "%s was not edited: nothing to accept", name);
    if (rc)
        return run_close(&r, rc);
    char detail[160];
    if (how == CAIRN_REPAIR_FORGET) {
        row_change ch = {.row = NULL, .name = name};
        snprintf(detail, sizeof detail, "folder gone; recorded checksum %.*s", SHORT_SUM,
                 a->checksum);
        rc = audited(&r, "resolve --forget", name, detail, change_row, &ch);
        if (!rc) {
            cairn_log(cx, CAIRN_LOG_INFO,
                      "%s removed from the history (its folder is gone; nothing in the "
                      "database was changed)",
                      name);
            migration_event(&r, name, "forgotten", NULL, NULL, 0, (size_t)a->statements_total, 0);
        }
        return run_close(&r, rc);
    }
    /* the row as it was, with the checksum of the file as it is now */
    cairn_applied row = *a;
    row.checksum = m->checksum;
    row_change ch = {.row = &row, .name = name};
    snprintf(detail, sizeof detail, "checksum %.*s -> %.*s", SHORT_SUM, a->checksum, SHORT_SUM,
             m->checksum);
    rc = audited(&r, "resolve --accept-edit", name, detail, change_row, &ch);
    if (!rc) {
        cairn_log(cx, CAIRN_LOG_INFO,
                  "%s: the history now holds the checksum of its edited migration.sql "
                  "(%.*s, was %.*s); nothing was run",
                  name, SHORT_SUM, m->checksum, SHORT_SUM, a->checksum);
        migration_event(&r, name, "accepted", m->checksum, a->applied_at,
                        (size_t)a->statements_done, (size_t)a->statements_total, a->duration_ms);
    }
    return run_close(&r, rc);
}

/* ---- status ----------------------------------------------------------------- */

static int cmp_status(const void *a, const void *b)
{
    return strcmp(((const cairn_status_row *)a)->name, ((const cairn_status_row *)b)->name);
}

void cairn_status_free(cairn_status_row *rows, size_t count)
{
    if (!rows)
        return;
    for (size_t i = 0; i < count; i++) {
        free((char *)rows[i].name);
        free((char *)rows[i].applied_at);
    }
    free(rows);
}

static int status_add(cairn_status_row *rows, size_t *n, const char *name, cairn_mstate state,
                      const char *applied_at)
{
    cairn_status_row *row = &rows[(*n)++];
    row->name = strdup(name);
    row->state = state;
    row->applied_at = applied_at ? strdup(applied_at) : NULL;
    return !row->name || (applied_at && !row->applied_at) ? CAIRN_ENOMEM : 0;
}

int cairn_status(cairn_ctx *cx, cairn_status_row **rows, size_t *count)
{
    *rows = NULL;
    *count = 0;
    mrun r;
    /* only an applied migration's checksum matters: a pending one is not read */
    int rc = run_open_folder(&r, cx, 0);
    if (!rc)
        rc = run_read_history(&r);
    if (rc)
        return run_close(&r, rc);
    cairn_status_row *v = calloc(r.n + r.hist.n + 1, sizeof *v);
    size_t n = 0;
    if (!v)
        rc = CAIRN_ENOMEM;
    for (size_t i = 0; i < r.n && !rc; i++) {
        cairn_migration *m = &r.list[i];
        const cairn_applied *a = find_applied(&r, m->name);
        if (a && (rc = cairn_folder_load_sql(cx, m)) != 0) {
            cairn_status_free(v, n);
            return run_close(&r, rc);
        }
        cairn_mstate st = CAIRN_MIGRATION_PENDING;
        if (a && a->state == CAIRN_APPLIED_PARTIAL)
            st = CAIRN_MIGRATION_PARTIAL;
        else if (a && (!m->sql || strcmp(a->checksum, m->checksum) != 0))
            st = CAIRN_MIGRATION_MODIFIED;
        else if (a)
            st = a->state == CAIRN_APPLIED_BASELINE ? CAIRN_MIGRATION_BASELINE
                                                    : CAIRN_MIGRATION_APPLIED;
        rc = status_add(v, &n, m->name, st, a ? a->applied_at : NULL);
    }
    for (size_t i = 0; i < r.hist.n && !rc; i++) {
        const cairn_applied *a = &r.hist.rows[i];
        if (!find_migration(&r, a->name))
            rc = status_add(v, &n, a->name,
                            a->state == CAIRN_APPLIED_PARTIAL ? CAIRN_MIGRATION_PARTIAL
                            : squashed_into(&r, a->name)      ? CAIRN_MIGRATION_SQUASHED
                                                             : CAIRN_MIGRATION_MISSING,
                            a->applied_at);
    }
    if (rc) {
        cairn_status_free(v, n);
        cairn_err(cx, rc, "out of memory");
        return run_close(&r, rc);
    }
    qsort(v, n, sizeof *v, cmp_status);
    *rows = v;
    *count = n;
    return run_close(&r, 0);
}

/* ---- drift ------------------------------------------------------------------ */

/* The plan (and its SQL) that would take the live database to `want`; the
 * plan owns the live schema its changes point into. */
static int plan_live_to(mrun *r, cairn_schema *want, cairn_plan **plan, cairn_stmts *st)
{
    cairn_session *s;
    cairn_schema *live = NULL;
    *plan = NULL;
    int rc = cairn_session_get(r->cx, &s);
    if (!rc)
        rc = cairn_conn_introspect(r->c, &live);
    if (!rc && want)
        rc = cairn_conn_normalize_schema(r->c, want);
    if (!rc)
        rc = cairn_diff(r->cx, live, want, NULL, plan);
    if (rc) {
        cairn_schema_free(live);
        return rc;
    }
    cairn_plan_own(*plan, live);
    if ((*plan)->nchanges)
        rc = cairn_session_emit(r->cx, s, *plan, st);
    return rc;
}

/* A heading line, then each statement of `st`, at `level`. */
static void log_stmts(cairn_ctx *cx, cairn_log_level level, const char *head, const cairn_stmts *st)
{
    cairn_log(cx, level, "%s", head);
    for (size_t i = 0; i < st->n; i++)
        cairn_log(cx, level, "%s;", st->sql[i]);
}

/* What the database would need to be the newest applied migration's
 * snapshot again, as SQL in the log; EPENDING when anything. */
static int report_drift(mrun *r, const char *at, cairn_schema *want)
{
    cairn_ctx *cx = r->cx;
    cairn_plan *plan = NULL;
    cairn_stmts st;
    cairn_stmts_init(&st);
    int rc = plan_live_to(r, want, &plan, &st);
    const char *what = at ? at : "(no migration applied: an empty database)";
    if (!rc && !plan->nchanges)
        cairn_log(cx, CAIRN_LOG_INFO, "no drift: the database matches %s", what);
    if (!rc && plan->nchanges) {
        char head[400];
        snprintf(head, sizeof head, "-- the database differs from %s; this would undo it:", what);
        log_stmts(cx, CAIRN_LOG_INFO, head, &st);
        cairn_event_plan(cx, plan);
        cairn_event_sql(cx, NULL, st.sql, st.n);
        rc = cairn_err(cx, CAIRN_EPENDING,
                       "the database has drifted from %s: %zu change%s made outside the "
                       "migrations",
                       what, plan->nchanges, plural(plan->nchanges));
    }
    cairn_stmts_release(&st);
    cairn_plan_free(plan);
    return rc;
}

int cairn_drift(cairn_ctx *cx)
{
    mrun r;
    int rc = run_open(&r, cx);
    if (!rc)
        rc = run_read_history(&r);
    for (size_t i = 0; i < r.hist.n && !rc; i++)
        if (is_partial(&r.hist.rows[i]))
            rc = cairn_err(cx, CAIRN_EPARTIAL,
                           "migration %s stopped part-way: settle it first (cairn migrate "
                           "--resume or cairn resolve), then look for drift",
                           r.hist.rows[i].name);
    if (rc)
        return run_close(&r, rc);
    /* The state the history says the database is in: the newest applied
     * migration's snapshot, or the merge of the applied branches' heads. */
    cairn_graph g;
    rc = cairn_graph_load(cx, cairn_ctx_get(cx, "out"), &g);
    if (rc)
        return run_close(&r, rc);
    unsigned char *applied = calloc(g.n ? g.n : 1, 1);
    if (!applied)
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < g.n; i++) {
        const cairn_applied *a = cairn_history_find(&r.hist, g.list[i].name);
        applied[i] = a && !is_partial(a);
    }
    cairn_snapshot snap;
    memset(&snap, 0, sizeof snap);
    size_t *heads = NULL, nheads = 0;
    if (!rc)
        rc = cairn_graph_state(cx, &g, applied, &snap, &heads, &nheads, NULL);
    cairn_buf what;
    cairn_buf_init(&what);
    for (size_t h = 0; h < nheads; h++) {
        const char *name = g.list[heads[h]].name;
        const cairn_applied *a = cairn_history_find(&r.hist, name);
        cairn_buf_printf(&what, "%s%s", h ? " + " : "", name);
        if (!rc)
            migration_event(&r, name, "compared", a ? a->checksum : NULL,
                            a ? a->applied_at : NULL, 0, 0, 0);
    }
    if (!rc)
        rc = report_drift(&r, nheads ? cairn_buf_cstr(&what) : NULL, snap.schema);
    cairn_buf_release(&what);
    free(heads);
    free(applied);
    cairn_snapshot_release(&snap);
    cairn_graph_free(&g);
    return run_close(&r, rc);
}

/* ---- baseline ---------------------------------------------------------------- */

/* Does the live database hold migration m's snapshot? 0 yes; EINTEGRITY
 * (with the differences as SQL in the log) when not, unless `force`. */
static int baseline_matches(mrun *r, const cairn_migration *m, int force)
{
    cairn_ctx *cx = r->cx;
    cairn_snapshot snap;
    memset(&snap, 0, sizeof snap);
    cairn_plan *plan = NULL;
    cairn_stmts st;
    cairn_stmts_init(&st);
    int rc = cairn_folder_read_snapshot(cx, m->dir, &snap);
    if (!rc)
        rc = plan_live_to(r, snap.schema, &plan, &st);
    if (!rc && plan->nchanges) {
        char head[400];
        snprintf(head, sizeof head,
                 "-- the database differs from %s's snapshot; this would make it match:",
                 m->name);
        log_stmts(cx, force ? CAIRN_LOG_WARN : CAIRN_LOG_INFO, head, &st);
        cairn_event_plan(cx, plan);
        cairn_event_sql(cx, NULL, st.sql, st.n);
        if (!force)
            rc = cairn_err(cx, CAIRN_EINTEGRITY,
                           "the database is not at %s: %zu difference%s (above); nothing "
                           "recorded. Fix the database or the migrations, or record anyway "
                           "with --force",
                           m->name, plan->nchanges, plural(plan->nchanges));
    }
    cairn_stmts_release(&st);
    cairn_plan_free(plan);
    cairn_snapshot_release(&snap);
    return rc;
}

int cairn_baseline(cairn_ctx *cx, const char *name, int force)
{
    mrun r;
    int rc = run_open(&r, cx);
    if (!rc && r.n == 0)
        rc = cairn_err(cx, CAIRN_EUSAGE, "baseline: the migrations folder %s has no migration",
                       cairn_ctx_get(cx, "out"));
    size_t upto = r.n;
    for (size_t i = 0; !rc && name && i < r.n && upto == r.n; i++)
        if (strcmp(r.list[i].name, name) == 0)
            upto = i;
    if (!rc && name && upto == r.n)
        rc = cairn_err(cx, CAIRN_EUSAGE, "baseline: no migration %s in %s", name,
                       cairn_ctx_get(cx, "out"));
    if (!rc && !name)
        upto = r.n - 1;
    if (!rc) {
        rc = cairn_conn_lock(r.c, &r.h);
        r.locked = rc == 0;
    }
    if (!rc)
        rc = cairn_conn_history_ensure(r.c, &r.h);
    if (!rc)
        rc = run_read_history(&r);
    if (!rc)
        rc = run_check_integrity(&r, 0, 1);
    if (!rc)
        rc = baseline_matches(&r, &r.list[upto], force);
    size_t recorded = 0;
    for (size_t i = 0; i <= upto && !rc; i++) {
        const cairn_migration *m = &r.list[i];
        if (cairn_history_find(&r.hist, m->name))
            continue;
        char **stmts;
        size_t n;
        if (cairn_split_statements(m->sql, &stmts, &n))
            rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
        else
            cairn_strv_free(stmts, n);
        if (!rc)
            rc = record(&r, m->name, m->checksum, CAIRN_APPLIED_BASELINE, (long)n, (long)n, 0);
        if (!rc) {
            recorded++;
            cairn_log(cx, CAIRN_LOG_INFO, "%s recorded as applied (baseline, not run)", m->name);
            migration_event(&r, m->name, "baseline", m->checksum, r.recorded_at, n, n, 0);
        }
    }
    if (!rc && recorded) {
        char detail[80];
        snprintf(detail, sizeof detail, "%zu migration%s recorded without running", recorded,
                 plural(recorded));
        rc = cairn_conn_audit(r.c, &r.h, force ? "baseline --force" : "baseline",
                              r.list[upto].name, detail);
    }
    if (!rc)
        cairn_log(cx, CAIRN_LOG_INFO, "%zu migration%s recorded as baseline", recorded,
                  plural(recorded));
    return run_close(&r, rc);
}

/* ---- check ------------------------------------------------------------------- */

/* One problem of migration `name` (NULL: of the folder): a warning line
 * "name: problem", and a FINDING event. */
static void finding(cairn_ctx *cx, const char *name, const char *fmt, ...) CAIRN_FMT(3, 4);
static void finding(cairn_ctx *cx, const char *name, const char *fmt, ...)
{
    cairn_buf b;
    cairn_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    cairn_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    const char *text = b.oom ? "out of memory" : cairn_buf_cstr(&b);
    cairn_log(cx, CAIRN_LOG_WARN, "%s%s%s", name ? name : "", name ? ": " : "", text);
    cairn_event e = {.kind = CAIRN_EVENT_FINDING, .migration = name, .message = text};
    cairn_event_emit(cx, &e);
    cairn_buf_release(&b);
}

/* The graph: every link names an older folder, and the folder has one head
 * (branches merged in git are joined by the next generate or by merge);
 * until then their merge is tried, to report conflicts before a deploy. */
static int check_graph(cairn_ctx *cx, const char *out, size_t *problems)
{
    cairn_graph g;
    int rc = cairn_graph_load(cx, out, &g);
    if (rc)
        return rc;
    for (size_t i = 0; i < g.n; i++)
        if (g.node[i].bad_link) {
            finding(cx, g.list[i].name, "its snapshot's parent %s is not an older migration "
                    "of the folder", g.node[i].bad_link);
            (*problems)++;
        }
    size_t *heads = NULL, nheads = 0;
    rc = cairn_graph_heads(cx, &g, NULL, &heads, &nheads);
    if (!rc && nheads > 1) {
        cairn_buf names;
        cairn_buf_init(&names);
        for (size_t h = 0; h < nheads; h++)
            cairn_buf_printf(&names, "%s%s", h ? ", " : "", g.list[heads[h]].name);
        finding(cx, NULL,
                "%zu branches are not joined (heads %s): run 'cairn generate' after the "
                "schema change that follows them, or 'cairn merge'",
                nheads, cairn_buf_cstr(&names));
        cairn_buf_release(&names);
        (*problems)++;
        cairn_snapshot merged;
        size_t *mh = NULL, nmh = 0, twice = 0;
        int mrc = cairn_graph_state(cx, &g, NULL, &merged, &mh, &nmh, &twice);
        if (mrc == CAIRN_EINTEGRITY || mrc == CAIRN_ESCHEMA) {
            finding(cx, NULL, "%s", cx->err.message);
            cairn_err_clear(cx);
            (*problems)++;
        } else if (mrc) {
            rc = mrc;
        }
        *problems += twice;
        cairn_snapshot_release(&merged);
        free(mh);
    }
    free(heads);
    cairn_graph_free(&g);
    return rc;
}

/* down.sql is what generate wrote (the checksum its snapshot keeps), or,
 * written by hand, text: found now rather than by a rollback on the day it
 * is needed. */
static int check_down(cairn_ctx *cx, const cairn_migration *m, const char *want,
                      size_t *problems)
{
    char *text = NULL, sum[65];
    int rc = cairn_folder_read_down(cx, m->dir, &text, sum);
    if (rc == CAIRN_EINTEGRITY || rc == CAIRN_EIO) {
        cairn_log(cx, CAIRN_LOG_WARN, "%s: %s", m->name, cx->err.message);
        cairn_err_clear(cx);
        ++*problems;
        return 0;
    }
    if (!rc && want && !text) {
        cairn_log(cx, CAIRN_LOG_WARN, "%s: down.sql is missing (its snapshot.json records one)",
                  m->name);
        ++*problems;
    } else if (!rc && want && strcmp(want, sum) != 0) {
        cairn_log(cx, CAIRN_LOG_WARN,
                  "%s: down.sql was edited after generate wrote it (checksum %.*s, now %.*s): "
                  "rollback refuses it until the edit is undone or \"down_checksum\" in "
                  "snapshot.json is set to %s",
                  m->name, SHORT_SUM, want, SHORT_SUM, sum, sum);
        ++*problems;
    }
    free(text);
    return rc;
}

int cairn_check_migrations(cairn_ctx *cx)
{
    const char *out = cairn_ctx_get(cx, "out");
    cairn_migration *list;
    size_t n;
    int rc = cairn_folder_list_existing(cx, out, &list, &n);
    if (rc)
        return rc;
    size_t problems = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const cairn_migration *m = &list[i];
        if (!m->has_sql) {
            finding(cx, m->name, "migration.sql is missing");
            problems++;
        }
        cairn_snapshot snap;
        int src = cairn_folder_read_snapshot(cx, m->dir, &snap);
        if (src == CAIRN_EINTEGRITY || src == CAIRN_EIO) {
            finding(cx, m->name, "%s", cx->err.message);
            cairn_err_clear(cx);
            problems++;
            continue;
        }
        if (src) {
            rc = src;
            break;
        }
        if (!snap.id || strcmp(snap.id, m->name) != 0) {
            finding(cx, m->name, "its snapshot's id is %s%s%s, not the folder's name",
                      snap.id ? "'" : "", snap.id ? snap.id : "missing",
                      snap.id ? "'" : "");
            problems++;
        }
        /* A folder written for another dialect would be diffed against
         * the wrong types and applied to the wrong kind of database. */
        const char *dialect = cairn_ctx_get(cx, "dialect");
        if (dialect && snap.dialect && strcmp(snap.dialect, dialect) != 0) {
            finding(cx, m->name,
                    "its snapshot was written for dialect '%s', the configuration says '%s'",
                    snap.dialect, dialect);
            problems++;
        }
        if (!rc)
            rc = check_down(cx, m, snap.down_checksum, &problems);
        cairn_snapshot_release(&snap);
    }
    if (!rc)
        rc = check_graph(cx, out, &problems);
    if (!rc && problems)
        rc = cairn_err_at(cx, CAIRN_EINTEGRITY, out, 0, 0, "%zu problem%s in %zu migration%s",
                          problems, plural(problems), n, plural(n));
    else if (!rc)
        cairn_log(cx, CAIRN_LOG_INFO, "%zu migration%s, chain ok", n, plural(n));
    cairn_folder_free(list, n);
    return rc;
}

/* ---- drop -------------------------------------------------------------------- */

static const char *const cairn_files[] = {"migration.sql", "snapshot.json", "down.sql"};

static int is_cairn_file(const char *name)
{
    for (size_t i = 0; i < sizeof cairn_files / sizeof *cairn_files; i++)
        if (strcmp(name, cairn_files[i]) == 0)
            return 1;
    return 0;
}

/* Only what cairn writes is removed: anything else is the user's. */
int cairn_folder_only_cairn(cairn_ctx *cx, const cairn_migration *m, const char *verb)
{
    int rc = 0;
    DIR *dir = opendir(m->dir);
    if (!dir)
        return cairn_err_at(cx, CAIRN_EIO, m->dir, 0, 0, "cannot read: %s", strerror(errno));
    struct dirent *de;
    while (!rc && (de = readdir(dir)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && !is_cairn_file(de->d_name))
            rc = cairn_err_at(cx, CAIRN_EUSAGE, m->dir, 0, 0,
                              "holds %s, which cairn did not write: not %s it", de->d_name, verb);
    closedir(dir);
    return rc;
}

int cairn_folder_discard(cairn_ctx *cx, const char *out, const cairn_migration *m)
{
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_buf_printf(&b, ".tmp-%s-dropped", m->name);
    char *gone = b.oom ? NULL : cairn_path_join(out, cairn_buf_cstr(&b));
    cairn_buf_release(&b);
    if (!gone)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    int rc = 0;
    if (rename(m->dir, gone) != 0)
        rc = cairn_err_at(cx, CAIRN_EIO, m->dir, 0, 0, "cannot remove: %s", strerror(errno));
    for (size_t i = 0; i < sizeof cairn_files / sizeof *cairn_files && !rc; i++) {
        char *f = cairn_path_join(gone, cairn_files[i]);
        if (!f)
            rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
        else if (unlink(f) != 0 && errno != ENOENT)
            rc = cairn_err_at(cx, CAIRN_EIO, f, 0, 0, "cannot remove: %s", strerror(errno));
        free(f);
    }
    if (!rc && rmdir(gone) != 0)
        rc = cairn_err_at(cx, CAIRN_EIO, gone, 0, 0, "cannot remove: %s", strerror(errno));
    free(gone);
    return rc;
}

/* Is the migration in the configured database's history? */
static int drop_is_applied(cairn_ctx *cx, const char *name, int *applied)
{
    mrun r;
    int rc = run_open(&r, cx);
    if (!rc)
        rc = run_read_history(&r);
    if (!rc)
        *applied = cairn_history_find(&r.hist, name) != NULL;
    return run_close(&r, rc);
}

int cairn_drop(cairn_ctx *cx, char **name_out)
{
    if (name_out)
        *name_out = NULL;
    const char *out = cairn_ctx_get(cx, "out");
    cairn_migration *list;
    size_t n;
    int rc = cairn_folder_list_existing(cx, out, &list, &n);
    if (rc)
        return rc;
    if (!n)
        return cairn_err_at(cx, CAIRN_EUSAGE, out, 0, 0, "no migration to drop");
    const cairn_migration *m = &list[n - 1];
    const char *url = cairn_ctx_get(cx, "url");
    if (url && *url) {
        int applied = 0;
        rc = drop_is_applied(cx, m->name, &applied);
        if (!rc && applied)
            rc = cairn_err(cx, CAIRN_EUSAGE, "%s is applied: write a new migration instead",
                           m->name);
    }
    if (!rc)
        rc = cairn_folder_only_cairn(cx, m, "dropping");
    if (!rc)
        rc = cairn_folder_discard(cx, out, m);
    if (!rc) {
        cairn_log(cx, CAIRN_LOG_INFO, "dropped %s", m->name);
        cairn_event e = {.kind = CAIRN_EVENT_MIGRATION, .migration = m->name,
                         .action = "dropped", .path = m->dir};
        cairn_event_emit(cx, &e);
        if (name_out && !(*name_out = strdup(m->name)))
            rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    cairn_folder_free(list, n);
    return rc;
}
