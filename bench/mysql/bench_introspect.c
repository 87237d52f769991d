/* Introspection cost of the mysql dialect: creates N tables (6 columns, a
 * primary key, a secondary index, a unique index, a check and a foreign key
 * each) in a fresh database, then introspects it and prints the wall time,
 * the number of queries the driver ran and the process's peak RSS.
 *
 *   bench_mysql_introspect N        (CAIRN_MYSQL_URL, CAIRN_DIALECT_DIR set)
 *
 * bench/mysql/run.sh runs it for 100, 1000 and 5000 tables on a throwaway
 * MariaDB server. One N per process, so the peak RSS is that N's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "internal.h"

static int g_queries = -1;

static void logger(void *ud, cairn_log_level level, const char *line)
{
    (void)ud;
    (void)level;
    const char *p = strstr(line, " in ");
    if (strstr(line, "mysql: introspected") && p)
        g_queries = atoi(p + 4);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(cairn_ctx *cx, const char *what)
{
    fprintf(stderr, "bench: %s: %s\n", what, cairn_ctx_error(cx)->message);
    return 1;
}

int main(int argc, char **argv)
{
    const char *url = getenv("CAIRN_MYSQL_URL");
    const char *dir = getenv("CAIRN_DIALECT_DIR");
    int n = argc > 1 ? atoi(argv[1]) : 0;
    if (!url || !dir || n <= 0) {
        fprintf(stderr, "usage: CAIRN_MYSQL_URL=... CAIRN_DIALECT_DIR=... %s N\n", argv[0]);
        return 2;
    }
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx))
        return 1;
    cairn_ctx_set(cx, "dialect", "mysql");
    cairn_ctx_set(cx, "dialect_path", dir);
    cairn_ctx_set(cx, "verbose", "1");
    cairn_ctx_set(cx, "url", url);
    cairn_ctx_set_logger(cx, logger, NULL);
    cairn_session *s;
    cairn_dconn *c;
    if (cairn_session_get(cx, &s) || cairn_session_connect_driver(cx, s, &c))
        return fail(cx, "connect");
    const cairn_dialect *d = s->drv.d;
    char db[64], sql[256];
    snprintf(db, sizeof db, "bench_%d", n);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS `%s`; CREATE DATABASE `%s`; USE `%s`", db,
             db, db);
    if (d->exec(c, sql))
        return fail(cx, "create database");
    double t0 = now();
    cairn_buf b;
    cairn_buf_init(&b);
    for (int i = 0; i < n; i++) {
        cairn_buf_printf(&b,
                         "CREATE TABLE t%05d (id int NOT NULL AUTO_INCREMENT, "
                         "name varchar(64) NOT NULL DEFAULT '', email varchar(120) NOT NULL, "
                         "created datetime NOT NULL DEFAULT CURRENT_TIMESTAMP, "
                         "amount decimal(10,2) NOT NULL DEFAULT 0.00, parent int, "
                         "PRIMARY KEY (id), KEY t%05d_name (name), UNIQUE KEY t%05d_email (email), "
                         "CONSTRAINT t%05d_amount CHECK (amount >= 0)%s",
                         i, i, i, i, i ? "" : ");");
        if (i)
            cairn_buf_printf(&b, ", CONSTRAINT t%05d_parent FOREIGN KEY (parent) "
                                 "REFERENCES t%05d (id));", i, i - 1);
        if ((i + 1) % 200 == 0 || i + 1 == n) {
            if (d->exec(c, cairn_buf_cstr(&b)))
                return fail(cx, "create tables");
            cairn_buf_reset(&b);
        }
    }
    cairn_buf_release(&b);
    double t1 = now();
    cairn_schema *out = NULL;
    cairn_dconn *c2;
    /* a connection on the bench database, as the CLI would have */
    const char *slash = strrchr(url, '/');
    char url2[1024];
    snprintf(url2, sizeof url2, "%.*s/%s", (int)(slash - url), url, db);
    if (d->connect(s->ds, url2, &c2))
        return fail(cx, "connect to the bench database");
    double t2 = now();
    if (cairn_session_introspect(cx, s, c2, &out))
        return fail(cx, "introspect");
    double t3 = now();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    size_t ncols = 0, nix = 0, nfk = 0;
    for (size_t i = 0; i < out->ntables; i++) {
        ncols += out->tables[i]->ncolumns;
        nix += out->tables[i]->nindexes;
        nfk += out->tables[i]->nfkeys;
    }
    printf("tables=%zu columns=%zu indexes=%zu fkeys=%zu create_s=%.2f introspect_s=%.3f "
           "queries=%d peak_rss_kb=%ld\n",
           out->ntables, ncols, nix, nfk, t1 - t0, t3 - t2, g_queries, ru.ru_maxrss);
    cairn_schema_free(out);
    snprintf(sql, sizeof sql, "DROP DATABASE `%s`", db);
    d->disconnect(c2);
    d->exec(c, sql);
    d->disconnect(c);
    cairn_ctx_free(cx);
    return 0;
}
