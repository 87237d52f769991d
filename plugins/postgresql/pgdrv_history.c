/* The history table (which migrations ran) and the advisory lock that
 * keeps two deployers apart. */
#include <stdio.h>
#include <stdlib.h>

#include "pgdrv.h"

#define PGDRV_DEFAULT_HISTORY "__cairn_migrations"

static void pgdrv_history_name(const cairn_host *h, cairn_buf *b, const cairn_history_opts *o)
{
    pgdrv_qname(h, b, o->schema, o->table ? o->table : PGDRV_DEFAULT_HISTORY);
}

static const char *pgdrv_lock_key(const cairn_history_opts *o)
{
    return o->lock_name ? o->lock_name : o->table ? o->table : PGDRV_DEFAULT_HISTORY;
}

int pgdrv_history_ensure(cairn_dconn *c, const cairn_history_opts *o)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    /* Concurrent deployers race on CREATE ... IF NOT EXISTS (a unique
     * violation in the catalogue): a transaction-level advisory lock
     * serialises them. */
    int own_txn = PQtransactionStatus(c->pg) == PQTRANS_IDLE;
    int rc = own_txn ? pgdrv_query(c, "BEGIN", 0, NULL, NULL) : 0;
    const char *key = pgdrv_lock_key(o);
    if (!rc)
        rc = pgdrv_query(c, "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext($1 || ':ensure'))",
                         1, &key, NULL);
    if (!rc && o->schema) {
        h->buf_puts(b, "CREATE SCHEMA IF NOT EXISTS ");
        h->buf_quote(b, o->schema, '"');
        rc = pgdrv_query_buf(c, b, 0, NULL, NULL);
        h->buf_reset(b);
    }
    if (!rc) {
        h->buf_puts(b, "CREATE TABLE IF NOT EXISTS ");
        pgdrv_history_name(h, b, o);
        h->buf_puts(b, " (name text PRIMARY KEY, checksum text NOT NULL,"
                       " applied_at timestamptz NOT NULL DEFAULT now(),"
                       " duration_ms bigint NOT NULL DEFAULT 0,"
                       " state int NOT NULL DEFAULT 0,"
                       " statements_done int NOT NULL DEFAULT 0,"
                       " statements_total int NOT NULL DEFAULT 0)");
        rc = pgdrv_query_buf(c, b, 0, NULL, NULL);
    }
    if (own_txn)
        rc = rc ? (pgdrv_query(c, "ROLLBACK", 0, NULL, NULL), rc)
                : pgdrv_query(c, "COMMIT", 0, NULL, NULL);
    h->buf_free(b);
    return rc;
}

int pgdrv_history_list(cairn_dconn *c, const cairn_history_opts *o, cairn_history *out)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    pgdrv_history_name(h, b, o);
    int rc = h->buf_status(b);
    PGresult *r = NULL;
    const char *name = h->buf_cstr(b);
    if (!rc)
        rc = pgdrv_query(c, "SELECT pg_catalog.to_regclass($1) IS NOT NULL", 1, &name, &r);
    int exists = !rc && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    r = NULL;
    if (!rc && exists) {
        cairn_buf *q = h->buf_new(c->s->hc);
        if (q)
            h->buf_printf(q,
                          "SELECT name, checksum, to_char(applied_at AT TIME ZONE 'UTC',"
                          " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), duration_ms, state,"
                          " statements_done, statements_total FROM %s ORDER BY name",
                          name);
        rc = q ? pgdrv_query_buf(c, q, 0, NULL, &r) : CAIRN_ENOMEM;
        h->buf_free(q);
        for (int i = 0; !rc && i < PQntuples(r); i++) {
            cairn_applied row = {
                .name = PQgetvalue(r, i, 0),
                .checksum = PQgetvalue(r, i, 1),
                .applied_at = PQgetvalue(r, i, 2),
                .duration_ms = strtoll(PQgetvalue(r, i, 3), NULL, 10),
                .state = cairn_applied_state_of(atoi(PQgetvalue(r, i, 4))),
                .statements_done = atoi(PQgetvalue(r, i, 5)),
                .statements_total = atoi(PQgetvalue(r, i, 6)),
            };
            rc = h->history_add(out, &row);
        }
        PQclear(r);
    }
    h->buf_free(b);
    if (rc == CAIRN_ENOMEM)
        return h->error(c->s->hc, rc, NULL, "out of memory");
    return rc;
}

/* head, the history table's name, tail: one statement, run with its
 * parameters. */
static int pgdrv_history_exec(cairn_dconn *c, const cairn_history_opts *o, const char *head,
                              const char *tail, int nparams, const char *const *params)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    h->buf_puts(b, head);
    pgdrv_history_name(h, b, o);
    h->buf_puts(b, tail);
    int rc = pgdrv_query_buf(c, b, nparams, params, NULL);
    h->buf_free(b);
    return rc;
}

int pgdrv_history_record(cairn_dconn *c, const cairn_history_opts *o,
                         const cairn_applied *row)
{
    char dur[32], state[16], done[16], total[16];
    snprintf(dur, sizeof dur, "%lld", (long long)row->duration_ms);
    snprintf(state, sizeof state, "%d", (int)row->state);
    snprintf(done, sizeof done, "%d", (int)row->statements_done);
    snprintf(total, sizeof total, "%d", (int)row->statements_total);
    const char *params[7] = {row->name, row->checksum ? row->checksum : "", row->applied_at,
                             dur, state, done, total};
    return pgdrv_history_exec(c, o, "INSERT INTO ",
                              " (name, checksum, applied_at, duration_ms, state, statements_done,"
                              " statements_total) VALUES ($1, $2, COALESCE($3::timestamptz, now()),"
                              " $4, $5, $6, $7) ON CONFLICT (name) DO UPDATE SET"
                              " checksum = EXCLUDED.checksum, applied_at = EXCLUDED.applied_at,"
                              " duration_ms = EXCLUDED.duration_ms, state = EXCLUDED.state,"
                              " statements_done = EXCLUDED.statements_done,"
                              " statements_total = EXCLUDED.statements_total",
                              7, params);
}

int pgdrv_history_remove(cairn_dconn *c, const cairn_history_opts *o, const char *name)
{
    return pgdrv_history_exec(c, o, "DELETE FROM ", " WHERE name = $1", 1, &name);
}

/* A session-level advisory lock: it outlives the migrations' transactions
 * and goes away with the connection if the process dies. Tried once: the
 * host waits and asks again (ABI 1.2). */
int pgdrv_lock(cairn_dconn *c, const cairn_history_opts *o)
{
    const char *key = pgdrv_lock_key(o);
    PGresult *r;
    int rc = pgdrv_query(c, "SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext($1))", 1,
                         &key, &r);
    if (rc)
        return rc;
    int got = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return got ? 0
               : c->s->host->error(c->s->hc, CAIRN_ELOCKED, "55P03",
                                   "another cairn migrate holds the advisory lock");
}

int pgdrv_unlock(cairn_dconn *c, const cairn_history_opts *o)
{
    const char *key = pgdrv_lock_key(o);
    return pgdrv_query(c, "SELECT pg_catalog.pg_advisory_unlock(pg_catalog.hashtext($1))", 1,
                       &key, NULL);
}
