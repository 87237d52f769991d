/*
 * The lease lock ("lock_strategy": "lease"): for engines that speak a
 * dialect's protocol without its session lock (CockroachDB, a connection
 * pooler in transaction mode), the migration lock is a row in a table
 * beside the history table, "<history>_lock": name, owner, expires (epoch
 * milliseconds of the clocks of the deployers; keep them in sync well
 * inside the lease).
 *
 * Taking it: delete the row if it expired, insert ours, read who holds it.
 * Two deployers that insert at once meet the primary key: one wins. While
 * the lock is held a thread with its own context and connection renews the
 * row every third of the lease, so a migration may run for hours; a holder
 * that dies (even SIGKILL) stops renewing, and after the lease anyone takes
 * the lock over. Only plain SQL that every dialect has is used.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

struct cairn_lease {
    char owner[200];
    int64_t lease_ms;
    char *table;          /* quoted, schema-qualified */
    pthread_t renewer;
    int renewing;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    cairn_ctx *rcx;       /* the renewer's own context and connection */
    cairn_conn *rc;
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cairn_lease_ms(const cairn_ctx *cx)
{
    const char *v = cairn_ctx_get(cx, "lock_lease");
    return v ? atol(v) : 30000;
}

/* "<schema>"."<history>_lock" in the dialect's quotes. */
static char *lease_table(cairn_conn *c, const cairn_history_opts *h)
{
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_side_table(&b, cairn_conn_dialect(c), h, CAIRN_LEASE_SUFFIX);
    return b.oom ? (cairn_buf_release(&b), NULL) : cairn_buf_steal(&b);
}

static int owner_row(void *ud, size_t ncols, const char *const *v)
{
    char *out = ud;
    snprintf(out, 400, "%s until %s", ncols > 0 && v[0] ? v[0] : "?",
             ncols > 1 && v[1] ? v[1] : "?");
    return 0;
}

static int exec_fmt(cairn_conn *c, const char *fmt, ...) CAIRN_FMT(2, 3);
static int exec_fmt(cairn_conn *c, const char *fmt, ...)
{
    cairn_buf b;
    cairn_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    cairn_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    int rc = b.oom ? CAIRN_ENOMEM : cairn_conn_exec(c, b.data);
    cairn_buf_release(&b);
    return rc;
}

/* One attempt: 0 and *out when taken, CAIRN_ELOCKED (with who holds it)
 * when another holder's lease runs. */
static int lease_try(cairn_conn *c, cairn_lease *l)
{
    cairn_ctx *cx = cairn_conn_ctx(c);
    int64_t now = wall_ms();
    int rc = exec_fmt(c, "CREATE TABLE IF NOT EXISTS %s (name varchar(64) NOT NULL PRIMARY KEY, "
                         "owner varchar(200) NOT NULL, expires bigint NOT NULL)", l->table);
    if (!rc)
        rc = exec_fmt(c, "DELETE FROM %s WHERE name = 'migrate' AND expires < %lld", l->table,
                      (long long)now);
    if (rc)
        return cairn_err_prefix(cx, rc, "cannot use the lease lock %s", l->table);
    /* fails on the primary key when someone holds it: who does is read next */
    exec_fmt(c, "INSERT INTO %s (name, owner, expires) VALUES ('migrate', '%s', %lld)", l->table,
             l->owner, (long long)(now + l->lease_ms));
    cairn_err_clear(cx);
    char held[400] = "";
    cairn_buf q;
    cairn_buf_init(&q);
    cairn_buf_printf(&q, "SELECT owner, expires FROM %s WHERE name = 'migrate'", l->table);
    rc = q.oom ? CAIRN_ENOMEM : cairn_conn_query(c, q.data, owner_row, held);
    cairn_buf_release(&q);
    if (rc)
        return cairn_err_prefix(cx, rc, "cannot read the lease lock %s", l->table);
    size_t n = strlen(l->owner);
    if (strncmp(held, l->owner, n) == 0 && strncmp(held + n, " until ", 7) == 0)
        return 0;
    return cairn_err(cx, CAIRN_ELOCKED, "the lease is held by %s",
                     *held ? held : "another deployer (its row went as it was read)");
}

static void *renew(void *arg)
{
    cairn_lease *l = arg;
    pthread_mutex_lock(&l->mu);
    while (!l->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int64_t ns = until.tv_nsec + (l->lease_ms / 3 % 1000) * 1000000L;
        until.tv_sec += (time_t)(l->lease_ms / 3 / 1000 + ns / 1000000000L);
        until.tv_nsec = (long)(ns % 1000000000L);
        pthread_cond_timedwait(&l->cv, &l->mu, &until);
        if (l->stop)
            break;
        pthread_mutex_unlock(&l->mu);
        exec_fmt(l->rc, "UPDATE %s SET expires = %lld WHERE name = 'migrate' AND owner = '%s'",
                 l->table, (long long)(wall_ms() + l->lease_ms), l->owner);
        pthread_mutex_lock(&l->mu);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

static void lease_free(cairn_lease *l)
{
    if (!l)
        return;
    if (l->renewing) {
        pthread_mutex_lock(&l->mu);
        l->stop = 1;
        pthread_cond_signal(&l->cv);
        pthread_mutex_unlock(&l->mu);
        pthread_join(l->renewer, NULL);
    }
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    cairn_conn_close(l->rc);
    cairn_ctx_free(l->rcx);
    free(l->table);
    free(l);
}

int cairn_lease_take(cairn_conn *c, const cairn_history_opts *h, cairn_lease **out)
{
    cairn_ctx *cx = cairn_conn_ctx(c);
    cairn_lease *l = calloc(1, sizeof *l);
    if (!l)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    for (char *p = host; *p; p++)
        if (*p == '\'' || *p == '\\' || *p < 0x20 || *p >= 0x7f)
            *p = '_';
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    snprintf(l->owner, sizeof l->owner, "%s:%ld:%lx", *host ? host : "host", (long)getpid(),
             (unsigned long)(ts.tv_nsec ^ (long)(uintptr_t)l));
    l->lease_ms = cairn_lease_ms(cx);
    if (!(l->table = lease_table(c, h))) {
        lease_free(l);
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    int rc = lease_try(c, l);
    /* the renewer: a context and a connection of its own, so it never
     * touches the caller's (errors, the driver's connection state) */
    cairn_session *s;
    if (!rc && !(rc = cairn_ctx_clone(cx, &l->rcx) ? cairn_err(cx, CAIRN_ENOMEM, "out of memory")
                                                   : 0)) {
        l->rcx->shared_folder = NULL;
        if (cairn_session_get(l->rcx, &s) || cairn_session_connect(l->rcx, s, &l->rc))
            rc = cairn_err(cx, CAIRN_EDB, "lease lock: cannot open the renewing connection: %s",
                           cairn_ctx_error(l->rcx)->message ? cairn_ctx_error(l->rcx)->message
                                                            : "failed");
        else if (pthread_create(&l->renewer, NULL, renew, l) == 0)
            l->renewing = 1;
        else
            rc = cairn_err(cx, CAIRN_EGENERIC, "lease lock: cannot start the renewing thread");
    }
    if (rc) {
        if (rc != CAIRN_ELOCKED) /* it may be ours: give it back */
            exec_fmt(c, "DELETE FROM %s WHERE name = 'migrate' AND owner = '%s'",
                     l->table ? l->table : "", l->owner);
        cairn_saved_err saved = {0};
        cairn_err_save(cx, &saved);
        lease_free(l);
        cairn_err_restore(cx, &saved);
        return rc;
    }
    cairn_log(cx, CAIRN_LOG_DEBUG, "lease lock %s taken as %s for %lld ms, renewed every %lld ms",
              l->table, l->owner, (long long)l->lease_ms, (long long)(l->lease_ms / 3));
    *out = l;
    return 0;
}

int cairn_lease_give_back(cairn_conn *c, cairn_lease *l)
{
    if (!l)
        return 0;
    char table[600], owner[200];
    snprintf(table, sizeof table, "%s", l->table);
    snprintf(owner, sizeof owner, "%s", l->owner);
    lease_free(l); /* the renewer stops first: it must not bring the row back */
    int rc = exec_fmt(c, "DELETE FROM %s WHERE name = 'migrate' AND owner = '%s'", table, owner);
    return rc ? cairn_err_prefix(cairn_conn_ctx(c), rc, "cannot release the lease lock") : 0;
}
