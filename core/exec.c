/*
 * The executor: runs a list of statements for `migrate` (one migration) and
 * for `push` (one plan), the one place that decides what runs inside a
 * transaction and what is recorded when it cannot be.
 *
 * Inside a transaction (the unit's own, or the caller's for all-in-one) a
 * failure leaves nothing. Outside one (a dialect without transactional DDL,
 * a "-- cairn:no-transaction" migration, a statement that must run alone)
 * every statement commits on its own, so the unit reports progress before
 * and after each statement: a failure or a crash then leaves a record that
 * says exactly what ran and which statement's outcome is unknown.
 */
#include <string.h>

#include "internal.h"

/* Roll back after a failure, keeping the failure as the error. */
void cairn_exec_rollback_quietly(cairn_conn *c, cairn_ctx *cx)
{
    cairn_saved_err saved = {0};
    cairn_err_save(cx, &saved);
    if (cairn_conn_rollback(c))
        cairn_log(cx, CAIRN_LOG_WARN, "rollback failed: %s",
                  cx->err.message ? cx->err.message : "unknown error");
    cairn_err_restore(cx, &saved);
}

static int progress(cairn_exec_unit *u, cairn_exec_event ev, size_t i)
{
    return u->progress ? u->progress(u->ud, ev, i, u->n) : 0;
}

/* Where statement `sql` starts in the unit's file: its 1-based line (the
 * statements are trimmed pieces of the text, in order), or 0. */
static int line_of(const cairn_exec_unit *u, size_t i)
{
    if (!u->text)
        return 0;
    const char *at = u->text;
    for (size_t k = 0; k <= i && at; k++) {
        const char *found = strstr(at, u->stmts[k]);
        if (k == i && found) {
            int line = 1;
            for (const char *p = u->text; p < found; p++)
                line += *p == '\n';
            return line;
        }
        at = found ? found + strlen(u->stmts[k]) : NULL;
    }
    return 0;
}

/* The statement's first line that is not a "--" comment (the marker and
 * header lines of a migration.sql belong to its first statement). */
static const char *first_code_line(const char *sql)
{
    const char *p = sql;
    while (p[0] == '-' && p[1] == '-' && strchr(p, '\n')) {
        p = strchr(p, '\n') + 1;
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
    }
    return *p ? p : sql;
}

/* ... cut at 60 bytes. */
static int first_line_len(const char *sql)
{
    size_t n = strcspn(sql, "\n");
    return (int)(n > 60 ? 60 : n);
}

/* One statement; `outside`: it commits on its own, so its start and its
 * end are reported around it. */
static int run_one(cairn_conn *c, cairn_ctx *cx, cairn_exec_unit *u, size_t i, int outside)
{
    const char *sql = u->stmts[i];
    if (cairn_sql_is_blank(sql))
        return outside ? progress(u, CAIRN_EXEC_DONE, i) : 0;
    int rc = outside ? progress(u, CAIRN_EXEC_STARTING, i) : 0;
    if (rc)
        return rc;
    rc = cairn_conn_exec(c, sql);
    if (rc) {
        int line = line_of(u, i);
        const char *code = first_code_line(sql);
        for (const char *p = sql; line && p < code; p++)
            line += *p == '\n';
        if (line)
            rc = cairn_err_prefix(cx, rc, "%s, statement %zu of %zu failed (%s:%d: %.*s%s)",
                                  u->name, i + 1, u->n, u->file, line, first_line_len(code), code,
                                  (size_t)first_line_len(code) < strlen(code) ? " ..." : "");
        else /* no file to point into (push): the statement itself */
            rc = cairn_err_prefix(cx, rc, "%s, statement %zu of %zu failed (%.*s%s)", u->name,
                                  i + 1, u->n, first_line_len(code), code,
                                  (size_t)first_line_len(code) < strlen(code) ? " ..." : "");
        if (outside && u->progress)
            progress(u, CAIRN_EXEC_FAILED, i);
        return rc;
    }
    return outside ? progress(u, CAIRN_EXEC_DONE, i) : 0;
}

int cairn_exec_run(cairn_conn *c, cairn_ctx *cx, cairn_exec_unit *u)
{
    const cairn_dialect *d = u->dialect;
    int transactional = (d->caps & CAIRN_CAP_TRANSACTIONAL_DDL) && !u->no_transaction &&
                        u->start == 0;
    int in_txn = u->in_caller_txn, own = 0, rc = 0;
    u->ran = u->committed = u->start;
    for (size_t i = u->start; i < u->n && !rc; i++) {
        int alone = u->flags && (u->flags[i] & CAIRN_STMT_NO_TRANSACTION);
        if (alone && own) {
            /* a statement that must run alone ends the unit's transaction */
            rc = cairn_conn_commit(c);
            own = in_txn = 0;
            if (rc)
                break;
            u->committed = u->ran;
        }
        if (transactional && !alone && !in_txn) {
            if ((rc = cairn_conn_begin(c)) != 0)
                break;
            own = in_txn = 1;
        }
        rc = run_one(c, cx, u, i, !in_txn);
        if (!rc)
            u->ran = i + 1;
        if (!rc && !in_txn)
            u->committed = u->ran;
    }
    if (!rc)
        rc = progress(u, CAIRN_EXEC_FINISHED, u->n);
    if (own) {
        if (!rc && !(rc = cairn_conn_commit(c)))
            u->committed = u->ran;
        if (rc) {
            cairn_exec_rollback_quietly(c, cx);
            u->ran = u->committed;
        }
    }
    return rc;
}
