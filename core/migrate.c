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
    int locked;
} mrun;

static int cmp_applied(const void *a, const void *b)
{
    return strcmp(((const cairn_applied *)a)->name, ((const cairn_applied *)b)->name);
}

/* Connect, and read both sides: the folder and the history (sorted). */
static int run_open(mrun *r, cairn_ctx *cx)
{
    memset(r, 0, sizeof *r);
    r->cx = cx;
    cairn_history_init(&r->hist);
    cairn_session *s;
    int rc = cairn_session_get(cx, &s);
    if (rc)
        return rc;
    r->d = cairn_session_dialect(s);
    rc = cairn_folder_list(cx, cairn_ctx_get(cx, "out"), &r->list, &r->n);
    if (!rc)
        rc = cairn_folder_load_all(cx, r->list, r->n);
    if (rc)
        return rc;
    rc = cairn_session_connect(cx, s, &r->c);
    if (rc)
        return rc;
    cairn_session_history_opts(cx, &r->h);
    return 0;
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
    cairn_folder_free(r->list, r->n);
    if (rc) {
        cairn_err_restore(r->cx, &saved);
        return rc;
    }
    return later;
}

static const cairn_migration *find_migration(const mrun *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->list[i].name, name) == 0)
            return &r->list[i];
    return NULL;
}

/* Stopped part-way outside a transaction? */
static int is_partial(const cairn_applied *a)
{
    return a && a->state == CAIRN_APPLIED_PARTIAL;
}

/* To run in this run: not in the history, or stopped part-way when resuming. */
static const cairn_applied *to_run(const mrun *r, const cairn_migration *m, int resume, int *run)
{
    const cairn_applied *a = cairn_history_find(&r->hist, m->name);
    *run = !a || (resume && is_partial(a));
    return a;
}

/* Every applied migration still matches its file; nothing is half-applied
 * (unless resuming it); every migration to run has its SQL. */
static int run_check_integrity(mrun *r, int resume, int settled)
{
    cairn_ctx *cx = r->cx;
    for (size_t i = 0; i < r->hist.n; i++) {
        const cairn_applied *a = &r->hist.rows[i];
        const cairn_migration *m = find_migration(r, a->name);
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
        if (is_partial(a) && k)
            /* never guess: the statement may have finished on the server
             * after the client died, or never started */
            return cairn_err(cx, CAIRN_EPARTIAL,
                             "migration %s stopped while statement %ld of %d was running: its "
                             "outcome is unknown%s; check the database, then 'cairn resolve %s "
                             "--statement-done' (it ran) or '--statement-not-done' (it did "
                             "not), then 'cairn migrate --resume'",
                             a->name, k, (int)a->statements_total,
                             resume ? " (the database cannot tell)" : "", a->name);
        if (is_partial(a) && !resume)
            return cairn_err(cx, CAIRN_EPARTIAL,
                             "migration %s stopped part-way: %d of %d statements ran; fix the "
                             "database by hand, then 'cairn migrate --resume' or 'cairn resolve "
                             "%s --applied|--rolled-back'",
                             a->name, (int)a->statements_done, (int)a->statements_total, a->name);
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
    for (size_t i = 0; i < r->n; i++)
        if (!r->list[i].sql && !cairn_history_find(&r->hist, r->list[i].name))
            return cairn_err_at(cx, CAIRN_EINTEGRITY, r->list[i].dir, 0, 0,
                                "migration %s has no migration.sql", r->list[i].name);
    return 0;
}

static void utc_now(char out[21])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* `done` statements ran; a negative `done` is -(k) when statement k
 * (1-based) was sent and its outcome is unknown (CAIRN_APPLIED_IN_FLIGHT). */
static int record(mrun *r, const char *name, const char *checksum, cairn_applied_state state,
                  long done, size_t total, int64_t duration_ms)
{
    char at[21];
    utc_now(at);
    cairn_applied row = {.name = name, .checksum = checksum, .applied_at = at,
                         .duration_ms = duration_ms, .state = state,
                         .statements_done = (int32_t)done, .statements_total = (int32_t)total};
    return cairn_conn_history_record(r->c, &r->h, &row);
}

/* What the executor tells about one migration becomes its history row. */
typedef struct mprogress {
    mrun *r;
    const cairn_migration *m;
    int64_t started;
} mprogress;

static int on_progress(void *ud, cairn_exec_event ev, size_t i, size_t n)
{
    mprogress *p = ud;
    int64_t took = mono_ms() - p->started;
    switch (ev) {
    case CAIRN_EXEC_STARTING:
        /* before the statement is sent: if this process dies now, the row
         * says that statement's outcome is unknown, never that it did not run */
        return record(p->r, p->m->name, p->m->checksum, CAIRN_APPLIED_PARTIAL,
                      CAIRN_APPLIED_IN_FLIGHT(i), n, took);
    case CAIRN_EXEC_DONE:
    case CAIRN_EXEC_FAILED:
        if (ev == CAIRN_EXEC_DONE && i + 1 == n)
            return 0; /* FINISHED records it */
        return record(p->r, p->m->name, p->m->checksum, CAIRN_APPLIED_PARTIAL,
                      (long)(ev == CAIRN_EXEC_DONE ? i + 1 : i), n, took);
    case CAIRN_EXEC_FINISHED:
        return record(p->r, p->m->name, p->m->checksum, CAIRN_APPLIED_DONE, (long)n, n, took);
    }
    return 0;
}

/* One migration, from statement `start` (0-based; > 0 only when resuming
 * one that ran outside a transaction), in its own transaction where it can
 * be, or in the caller's (`in_caller_txn`, all-in-one). */
static int apply_one(mrun *r, const cairn_migration *m, size_t start, int in_caller_txn,
                     size_t *count)
{
    char **stmts;
    size_t n;
    if (cairn_split_statements(m->sql, &stmts, &n))
        return cairn_err(r->cx, CAIRN_ENOMEM, "out of memory");
    *count = n;
    if (start > n) {
        cairn_strv_free(stmts, n);
        return cairn_err_at(r->cx, CAIRN_EINTEGRITY, m->dir, 0, 0,
                            "migration %s: %zu statements ran, but its migration.sql now has %zu",
                            m->name, start, n);
    }
    char label[300];
    snprintf(label, sizeof label, "migration %s", m->name);
    mprogress p = {r, m, mono_ms()};
    char *file = cairn_path_join(m->dir, "migration.sql");
    cairn_exec_unit u = {.dialect = r->d, .name = label, .stmts = stmts, .n = n, .start = start,
                         .file = file, .text = file ? m->sql : NULL,
                         .no_transaction = m->no_transaction, .in_caller_txn = in_caller_txn,
                         .progress = on_progress, .ud = &p};
    int rc = cairn_exec_run(r->c, r->cx, &u);
    free(file);
    if (rc && u.committed > 0 && u.committed < n)
        cairn_log(r->cx, CAIRN_LOG_WARN,
                  "migration %s ran outside a transaction: %zu of %zu statements ran "
                  "and stay applied; its history row says PARTIAL",
                  m->name, u.committed, n);
    cairn_strv_free(stmts, n);
    return rc;
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

/* The statements a dry run would run, from `start`. */
static int log_pending(mrun *r, const cairn_migration *m, size_t start)
{
    cairn_log(r->cx, CAIRN_LOG_INFO, "-- %s%s", m->name,
              start ? " (resumed)" : m->no_transaction ? " (outside a transaction)" : "");
    if (!start) {
        log_sql(r->cx, m->sql);
        return 0;
    }
    char **stmts;
    size_t n;
    if (cairn_split_statements(m->sql, &stmts, &n))
        return cairn_err(r->cx, CAIRN_ENOMEM, "out of memory");
    for (size_t i = start; i < n; i++) {
        if (i > start)
            cairn_log(r->cx, CAIRN_LOG_INFO, "%s", CAIRN_BREAKPOINT);
        log_sql(r->cx, stmts[i]);
    }
    cairn_strv_free(stmts, n);
    return 0;
}

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

/* all-in-one needs every migration of the run to fit in one transaction. */
static int check_all_in_one(mrun *r, int resume)
{
    if (!(r->d->caps & CAIRN_CAP_TRANSACTIONAL_DDL))
        return cairn_err(r->cx, CAIRN_EUSAGE,
                         "dialect %s cannot roll back DDL: all-in-one needs transactional DDL",
                         r->d->name);
    for (size_t i = 0; i < r->n; i++) {
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
 * (inflight.c); otherwise the integrity check stops the run and asks. */
static int settle_in_flight(mrun *r)
{
    int settled = 0, rc = 0;
    for (size_t i = 0; i < r->hist.n && !rc; i++) {
        const cairn_applied *a = &r->hist.rows[i];
        long k = CAIRN_APPLIED_STATEMENT_IN_FLIGHT(a);
        const cairn_migration *m = k ? find_migration(r, a->name) : NULL;
        char **stmts;
        size_t n;
        if (!is_partial(a) || !m || !m->sql)
            continue;
        if (cairn_split_statements(m->sql, &stmts, &n))
            return cairn_err(r->cx, CAIRN_ENOMEM, "out of memory");
        int ran = -1;
        char why[400];
        if ((size_t)k <= n)
            rc = cairn_inflight_decide(r->c, stmts[k - 1], &ran, why, sizeof why);
        cairn_strv_free(stmts, n);
        if (rc || ran < 0)
            continue;
        rc = record(r, a->name, a->checksum, CAIRN_APPLIED_PARTIAL, ran ? k : k - 1,
                    (size_t)a->statements_total, a->duration_ms);
        if (!rc)
            cairn_log(r->cx, CAIRN_LOG_INFO,
                      "migration %s stopped while statement %ld of %d was running; the database "
                      "tells it %s (%s)",
                      a->name, k, (int)a->statements_total, ran ? "ran" : "did not run", why);
        settled++;
    }
    if (!rc && settled) {
        cairn_history_release(&r->hist);
        rc = run_read_history(r);
    }
    return rc;
}

int cairn_migrate(cairn_ctx *cx, const cairn_migrate_opts *opts)
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
    /* Integrity first, before anything is created or locked: a run that
     * stops here leaves no history table, lock file or database behind. */
    if (!rc)
        rc = run_read_history(&r);
    if (!rc)
        rc = run_check_integrity(&r, opts->resume, opts->dry_run);
    /* A dry run reads only. A real one takes the lock, then reads the
     * history again: another deployer may have moved it meanwhile. */
    if (!rc && !opts->dry_run) {
        rc = cairn_conn_lock(r.c, &r.h);
        r.locked = rc == 0;
        if (!rc)
            rc = cairn_conn_history_ensure(r.c, &r.h);
        if (!rc) {
            cairn_history_release(&r.hist);
            rc = run_read_history(&r);
        }
        if (!rc && opts->resume)
            rc = settle_in_flight(&r);
        if (!rc)
            rc = run_check_integrity(&r, opts->resume, 1);
    }
    if (rc)
        return run_close(&r, rc);

    const char *newest = NULL; /* the newest applied migration */
    size_t pending = 0;
    for (size_t i = 0; i < r.hist.n; i++)
        if (!is_partial(&r.hist.rows[i]))
            newest = r.hist.rows[i].name;
    for (size_t i = 0; i < r.n; i++) {
        int run;
        to_run(&r, &r.list[i], opts->resume, &run);
        pending += (size_t)run;
    }
    if (!pending) {
        cairn_log(cx, CAIRN_LOG_INFO, "nothing to apply");
        return run_close(&r, 0);
    }

    int one_txn = opts->all_in_one && !opts->dry_run;
    if (one_txn) {
        rc = check_all_in_one(&r, opts->resume);
        if (!rc)
            rc = cairn_conn_begin(r.c);
        if (rc)
            return run_close(&r, rc);
    }

    size_t applied = 0, at = 0;
    for (size_t i = 0; i < r.n && !rc; i++) {
        const cairn_migration *m = &r.list[i];
        int run;
        const cairn_applied *a = to_run(&r, m, opts->resume, &run);
        if (!run)
            continue;
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
            rc = log_pending(&r, m, start);
            applied++;
            continue;
        }
        int64_t started = mono_ms();
        size_t count = 0;
        at++;
        rc = apply_one(&r, m, start, one_txn, &count);
        if (!rc) {
            applied++;
            /* a progress line: [3/200] when there is more than one */
            char step[48] = "";
            if (pending > 1)
                snprintf(step, sizeof step, "[%zu/%zu] ", at, pending);
            cairn_log(cx, CAIRN_LOG_INFO, "%sapplied %s (%zu statement%s, %lld ms)", step,
                      m->name, count - start, plural(count - start),
                      (long long)(mono_ms() - started));
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
    if (opts->dry_run && !rc) {
        cairn_log(cx, CAIRN_LOG_INFO, "%zu migration%s to apply (dry run: nothing changed)",
                  applied, plural(applied));
        if (applied && cairn_ctx_checking(cx))
            rc = cairn_err(cx, CAIRN_EPENDING, "%zu migration%s to apply: run 'cairn migrate'",
                           applied, plural(applied));
    }
    else if (!rc || applied)
        cairn_log(cx, CAIRN_LOG_INFO, "%zu migration%s applied", applied, plural(applied));
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
    }
    snprintf(detail, sizeof detail, "was partial: %d of %d statements ran",
             (int)a->statements_done, (int)a->statements_total);
    rc = audited(&r, applied ? "resolve --applied" : "resolve --rolled-back", name, detail,
                 change_row, &ch);
    if (!rc && applied)
        cairn_log(cx, CAIRN_LOG_INFO, "%s recorded as applied", name);
    else if (!rc)
        cairn_log(cx, CAIRN_LOG_INFO, "%s removed from the history: the next migrate applies "
                                      "it from its first statement", name);
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
    snprintf(detail, sizeof detail, "statement %ld of %d", k, (int)a->statements_total);
    rc = audited(&r, ran ? "resolve --statement-done" : "resolve --statement-not-done", name,
                 detail, change_row, &ch);
    if (!rc)
        cairn_log(cx, CAIRN_LOG_INFO,
                  "%s: statement %ld recorded as %s; 'cairn migrate --resume' runs it from "
                  "statement %ld",
                  name, k, ran ? "done" : "not done", done + 1);
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
        if (!rc)
            cairn_log(cx, CAIRN_LOG_INFO,
                      "%s removed from the history (its folder is gone; nothing in the "
                      "database was changed)",
                      name);
        return run_close(&r, rc);
    }
    /* the row as it was, with the checksum of the file as it is now */
    cairn_applied row = *a;
    row.checksum = m->checksum;
    row_change ch = {.row = &row, .name = name};
    snprintf(detail, sizeof detail, "checksum %.*s -> %.*s", SHORT_SUM, a->checksum, SHORT_SUM,
             m->checksum);
    rc = audited(&r, "resolve --accept-edit", name, detail, change_row, &ch);
    if (!rc)
        cairn_log(cx, CAIRN_LOG_INFO,
                  "%s: the history now holds the checksum of its edited migration.sql "
                  "(%.*s, was %.*s); nothing was run",
                  name, SHORT_SUM, m->checksum, SHORT_SUM, a->checksum);
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
    int rc = run_open(&r, cx);
    if (!rc)
        rc = run_read_history(&r);
    if (rc)
        return run_close(&r, rc);
    cairn_status_row *v = calloc(r.n + r.hist.n + 1, sizeof *v);
    size_t n = 0;
    if (!v)
        rc = CAIRN_ENOMEM;
    for (size_t i = 0; i < r.n && !rc; i++) {
        const cairn_migration *m = &r.list[i];
        const cairn_applied *a = cairn_history_find(&r.hist, m->name);
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

/* The newest migration the history says is done whose folder is here. */
/* The plan (and its SQL) that would take the live database to `want`. */
static int plan_live_to(mrun *r, cairn_schema *want, cairn_plan **plan, cairn_stmts *st)
{
    cairn_session *s;
    cairn_schema *live = NULL;
    int rc = cairn_session_get(r->cx, &s);
    if (!rc)
        rc = cairn_conn_introspect(r->c, &live);
    if (!rc && want)
        rc = cairn_conn_normalize_schema(r->c, want);
    if (!rc)
        rc = cairn_diff(r->cx, live, want, NULL, plan);
    if (!rc && (*plan)->nchanges)
        rc = cairn_session_emit(r->cx, s, *plan, st);
    cairn_schema_free(live);
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
    for (size_t h = 0; h < nheads; h++)
        cairn_buf_printf(&what, "%s%s", h ? " + " : "", g.list[heads[h]].name);
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
            rc = record(&r, m->name, m->checksum, CAIRN_APPLIED_BASELINE, (long)n, n, 0);
        if (!rc) {
            recorded++;
            cairn_log(cx, CAIRN_LOG_INFO, "%s recorded as applied (baseline, not run)", m->name);
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
            cairn_log(cx, CAIRN_LOG_WARN, "%s: its snapshot's parent %s is not an older "
                      "migration of the folder", g.list[i].name, g.node[i].bad_link);
            (*problems)++;
        }
    size_t *heads = NULL, nheads = 0;
    rc = cairn_graph_heads(cx, &g, NULL, &heads, &nheads);
    if (!rc && nheads > 1) {
        cairn_buf names;
        cairn_buf_init(&names);
        for (size_t h = 0; h < nheads; h++)
            cairn_buf_printf(&names, "%s%s", h ? ", " : "", g.list[heads[h]].name);
        cairn_log(cx, CAIRN_LOG_WARN,
                  "%zu branches are not joined (heads %s): run 'cairn generate' after the "
                  "schema change that follows them, or 'cairn merge'",
                  nheads, cairn_buf_cstr(&names));
        cairn_buf_release(&names);
        (*problems)++;
        cairn_snapshot merged;
        size_t *mh = NULL, nmh = 0, twice = 0;
        int mrc = cairn_graph_state(cx, &g, NULL, &merged, &mh, &nmh, &twice);
        if (mrc == CAIRN_EINTEGRITY || mrc == CAIRN_ESCHEMA) {
            cairn_log(cx, CAIRN_LOG_WARN, "%s", cx->err.message);
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

int cairn_check_migrations(cairn_ctx *cx)
{
    const char *out = cairn_ctx_get(cx, "out");
    cairn_migration *list;
    size_t n;
    int rc = cairn_folder_list(cx, out, &list, &n);
    if (rc)
        return rc;
    size_t problems = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const cairn_migration *m = &list[i];
        if (!m->has_sql) {
            cairn_log(cx, CAIRN_LOG_WARN, "%s: migration.sql is missing", m->name);
            problems++;
        }
        cairn_snapshot snap;
        int src = cairn_folder_read_snapshot(cx, m->dir, &snap);
        if (src == CAIRN_EINTEGRITY || src == CAIRN_EIO) {
            cairn_log(cx, CAIRN_LOG_WARN, "%s: %s", m->name, cx->err.message);
            cairn_err_clear(cx);
            problems++;
            continue;
        }
        if (src) {
            rc = src;
            break;
        }
        if (!snap.id || strcmp(snap.id, m->name) != 0) {
            cairn_log(cx, CAIRN_LOG_WARN, "%s: its snapshot's id is %s%s%s, not the folder's name",
                      m->name, snap.id ? "'" : "", snap.id ? snap.id : "missing",
                      snap.id ? "'" : "");
            problems++;
        }
        /* A folder written for another dialect would be diffed against
         * the wrong types and applied to the wrong kind of database. */
        const char *dialect = cairn_ctx_get(cx, "dialect");
        if (dialect && snap.dialect && strcmp(snap.dialect, dialect) != 0) {
            cairn_log(cx, CAIRN_LOG_WARN,
                      "%s: its snapshot was written for dialect '%s', the configuration says '%s'",
                      m->name, snap.dialect, dialect);
            problems++;
        }
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
    int rc = cairn_folder_list(cx, out, &list, &n);
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
    /* Only what cairn writes is removed: anything else is the user's. */
    DIR *dir = rc ? NULL : opendir(m->dir);
    if (!rc && !dir)
        rc = cairn_err_at(cx, CAIRN_EIO, m->dir, 0, 0, "cannot read: %s", strerror(errno));
    if (dir) {
        struct dirent *de;
        while (!rc && (de = readdir(dir)) != NULL)
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && !is_cairn_file(de->d_name))
                rc = cairn_err_at(cx, CAIRN_EUSAGE, m->dir, 0, 0,
                                  "holds %s, which cairn did not write: not dropping it",
                                  de->d_name);
        closedir(dir);
    }
    /* Renamed out of the listing first, so an interrupted drop never leaves
     * a migration folder without its files. */
    char *gone = NULL;
    if (!rc) {
        cairn_buf b;
        cairn_buf_init(&b);
        cairn_buf_printf(&b, ".tmp-%s-dropped", m->name);
        gone = b.oom ? NULL : cairn_path_join(out, cairn_buf_cstr(&b));
        cairn_buf_release(&b);
        if (!gone)
            rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
        else if (rename(m->dir, gone) != 0)
            rc = cairn_err_at(cx, CAIRN_EIO, m->dir, 0, 0, "cannot remove: %s", strerror(errno));
    }
    if (!rc) {
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
    }
    if (!rc) {
        cairn_log(cx, CAIRN_LOG_INFO, "dropped %s", m->name);
        if (name_out && !(*name_out = strdup(m->name)))
            rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    free(gone);
    cairn_folder_free(list, n);
    return rc;
}
