/* The history store (a table of applied migrations) and the migration
 * lock (GET_LOCK) for MySQL / MariaDB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>

#include "mysqldrv.h"

/* Appends here are unchecked: a buffer keeps its first failure, asked
 * once by mysqldrv_built before its text is sent. */
static void mysqldrv_history_name(cairn_dconn *c, const cairn_history_opts *ho, cairn_buf *b)
{
    const cairn_host *h = c->s->host;
    if (ho->schema && *ho->schema) {
        h->buf_quote(b, ho->schema, '`');
        h->buf_puts(b, ".");
    }
    h->buf_quote(b, ho->table && *ho->table ? ho->table : "__cairn_migrations", '`');
}

/* Append `s` as a literal escaped by the client library for the
 * connection's character set and sql_mode; CAIRN_ENOMEM when there is no
 * memory to escape it into (not reported). */
static int mysqldrv_escaped(cairn_dconn *c, cairn_buf *b, const char *s)
{
    size_t n = strlen(s);
    char *e = malloc(n * 2 + 1);
    if (!e)
        return CAIRN_ENOMEM;
    unsigned long len = mysql_real_escape_string(c->my, e, s, (unsigned long)n);
    const cairn_host *h = c->s->host;
    h->buf_puts(b, "'");
    h->buf_append(b, e, len);
    h->buf_puts(b, "'");
    free(e);
    return 0;
}

/* 0 when the statement in `b` was written whole: neither `rc` (a failure
 * while writing it) nor the buffer failed; else out of memory, reported. */
static int mysqldrv_built(cairn_dconn *c, cairn_buf *b, int rc)
{
    const cairn_host *h = c->s->host;
    if (rc || h->buf_status(b))
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return 0;
}

/* Run the statement in `b` if it was written whole, and free `b`. */
static int mysqldrv_run_buf(cairn_dconn *c, cairn_buf *b, int rc)
{
    rc = mysqldrv_built(c, b, rc);
    if (!rc)
        rc = mysqldrv_exec(c, c->s->host->buf_cstr(b));
    c->s->host->buf_free(b);
    return rc;
}

int mysqldrv_history_ensure(cairn_dconn *c, const cairn_history_opts *ho)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    h->buf_puts(b, "CREATE TABLE IF NOT EXISTS ");
    mysqldrv_history_name(c, ho, b);
    h->buf_puts(b, " (\n  `name` varchar(255) NOT NULL PRIMARY KEY,\n"
                   "  `checksum` char(64) NOT NULL,\n"
                   "  `applied_at` varchar(20) NOT NULL,\n"
                   "  `duration_ms` bigint NOT NULL DEFAULT 0,\n"
                   "  `state` int NOT NULL DEFAULT 0,\n"
                   "  `statements_done` int NOT NULL DEFAULT 0,\n"
                   "  `statements_total` int NOT NULL DEFAULT 0\n"
                   ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
    return mysqldrv_run_buf(c, b, 0);
}

int mysqldrv_history_list(cairn_dconn *c, const cairn_history_opts *ho, cairn_history *out)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    h->buf_puts(b, "SELECT `name`, `checksum`, `applied_at`, `duration_ms`, `state`, "
                   "`statements_done`, `statements_total` FROM ");
    mysqldrv_history_name(c, ho, b);
    h->buf_puts(b, " ORDER BY `name`");
    int rc = mysqldrv_built(c, b, 0);
    if (rc) {
        h->buf_free(b);
        return rc;
    }
    const char *sql = h->buf_cstr(b);
    if (mysql_real_query(c->my, sql, strlen(sql))) {
        h->buf_free(b);
        /* a missing table is an empty history */
        if (mysql_errno(c->my) == ER_NO_SUCH_TABLE)
            return 0;
        return mysqldrv_fail(c, CAIRN_EDB);
    }
    h->buf_free(b);
    MYSQL_RES *res = mysql_store_result(c->my);
    if (!res)
        return mysqldrv_fail(c, CAIRN_EDB);
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) && !rc) {
        cairn_applied a = {
            .name = row[0] ? row[0] : "",
            .checksum = row[1] ? row[1] : "",
            .applied_at = row[2] ? row[2] : "",
            .duration_ms = row[3] ? strtoll(row[3], NULL, 10) : 0,
            .state = row[4] ? cairn_applied_state_of(atoi(row[4])) : CAIRN_APPLIED_DONE,
            .statements_done = row[5] ? atoi(row[5]) : 0,
            .statements_total = row[6] ? atoi(row[6]) : 0,
        };
        if (h->history_add(out, &a))
            rc = h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    }
    mysql_free_result(res);
    return rc;
}

int mysqldrv_history_record(cairn_dconn *c, const cairn_history_opts *ho,
                                   const cairn_applied *row)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    /* an upsert: the migrator records a partial migration statement by
     * statement, then the same row as done */
    h->buf_puts(b, "INSERT INTO ");
    mysqldrv_history_name(c, ho, b);
    h->buf_puts(b, " (`name`, `checksum`, `applied_at`, `duration_ms`, `state`, "
                   "`statements_done`, `statements_total`) VALUES (");
    const char *text[] = {row->name, row->checksum, row->applied_at};
    int rc = 0;
    for (size_t i = 0; i < 3 && !rc; i++) {
        if (i)
            h->buf_puts(b, ", ");
        rc = mysqldrv_escaped(c, b, text[i] ? text[i] : "");
    }
    h->buf_printf(b, ", %lld, %d, %d, %d)", (long long)row->duration_ms, (int)row->state,
                  (int)row->statements_done, (int)row->statements_total);
    h->buf_puts(b, " ON DUPLICATE KEY UPDATE `checksum` = VALUES(`checksum`), "
                   "`applied_at` = VALUES(`applied_at`), "
                   "`duration_ms` = VALUES(`duration_ms`), `state` = VALUES(`state`), "
                   "`statements_done` = VALUES(`statements_done`), "
                   "`statements_total` = VALUES(`statements_total`)");
    return mysqldrv_run_buf(c, b, rc);
}

int mysqldrv_history_remove(cairn_dconn *c, const cairn_history_opts *ho, const char *name)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    h->buf_puts(b, "DELETE FROM ");
    mysqldrv_history_name(c, ho, b);
    h->buf_puts(b, " WHERE `name` = ");
    return mysqldrv_run_buf(c, b, mysqldrv_escaped(c, b, name));
}

/* GET_LOCK names are server-wide and at most 64 characters: the name is
 * scoped to the database, and shortened with a hash when too long.
 * Appended as a literal, as mysqldrv_escaped. */
static int mysqldrv_lock_name(cairn_dconn *c, const cairn_history_opts *ho, cairn_buf *b)
{
    const char *base = ho->lock_name && *ho->lock_name ? ho->lock_name
                       : ho->table && *ho->table ? ho->table : "__cairn_migrations";
    const char *db = ho->schema && *ho->schema ? ho->schema : c->db ? c->db : "";
    size_t need = strlen("cairn:") + strlen(db) + 1 + strlen(base);
    char name[80];
    if (need <= 64) {
        snprintf(name, sizeof name, "cairn:%s:%s", db, base);
    } else {
        uint64_t x = 1469598103934665603ull; /* FNV-1a over db ':' base */
        for (const char *p = db; *p; p++)
            x = (x ^ (unsigned char)*p) * 1099511628211ull;
        x = (x ^ ':') * 1099511628211ull;
        for (const char *p = base; *p; p++)
            x = (x ^ (unsigned char)*p) * 1099511628211ull;
        snprintf(name, sizeof name, "cairn:%.40s:%016llx", base, (unsigned long long)x);
    }
    return mysqldrv_escaped(c, b, name);
}

int mysqldrv_lock(cairn_dconn *c, const cairn_history_opts *ho)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    h->buf_puts(b, "SELECT GET_LOCK(");
    int rc = mysqldrv_lock_name(c, ho, b);
    /* whole seconds; 0 tries once; "for ever" is a year, as MariaDB's
     * GET_LOCK returns NULL for a negative timeout */
    long t = ho->lock_timeout_ms;
    long secs = t < 0 ? 365L * 24 * 3600 : (t + 999) / 1000;
    h->buf_printf(b, ", %ld)", secs);
    char *v = NULL;
    rc = mysqldrv_built(c, b, rc);
    if (!rc)
        rc = mysqldrv_scalar(c, h->buf_cstr(b), &v);
    h->buf_free(b);
    if (rc)
        return rc;
    int got = v && !strcmp(v, "1");
    int null = v == NULL;
    free(v);
    if (null)
        return h->error(c->s->hc, CAIRN_EDB, NULL, "mysql: GET_LOCK failed");
    if (!got)
        return h->error(c->s->hc, CAIRN_ELOCKED, NULL,
                        "another cairn migrate holds the lock (waited %ld s)", secs);
    return 0;
}

int mysqldrv_unlock(cairn_dconn *c, const cairn_history_opts *ho)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    h->buf_puts(b, "SELECT RELEASE_LOCK(");
    int rc = mysqldrv_lock_name(c, ho, b);
    h->buf_puts(b, ")");
    char *v = NULL;
    rc = mysqldrv_built(c, b, rc);
    if (!rc)
        rc = mysqldrv_scalar(c, h->buf_cstr(b), &v);
    h->buf_free(b);
    free(v);
    return rc;
}
