/* Introspection cost of the postgresql dialect: a fresh database gets N
 * tables (a serial primary key, 5 more columns, a unique, a check, a foreign
 * key, an index and a column comment each), then one process introspects it
 * and prints wall time, catalog queries and peak RSS.
 *
 *   bench_pg_introspect N        (CAIRN_PG_URL, CAIRN_DIALECT_DIR set)
 *
 * bench/pg/run.sh builds it and runs it for 100, 1000 and 5000 tables on a
 * throwaway server. One N per process, so the peak RSS is that N's. */
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
    const char *p = strstr(line, " with ");
    if (strstr(line, "postgresql: introspected") && p)
        g_queries = atoi(p + 6);
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
    const char *url = getenv("CAIRN_PG_URL"), *dir = getenv("CAIRN_DIALECT_DIR");
    if (argc != 2 || !url || !dir) {
        fprintf(stderr, "usage: bench_pg_introspect N (with CAIRN_PG_URL, CAIRN_DIALECT_DIR)\n");
        return 2;
    }
    int n = atoi(argv[1]);
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx))
        return 1;
    cairn_ctx_set_logger(cx, logger, NULL);
    cairn_ctx_set(cx, "verbose", "1");
    char *path = cairn_path_join(dir, "postgresql.so");
    cairn_driver drv;
    if (cairn_loader_load_file(cx, path, &drv))
        return fail(cx, "load");
    free(path);
    const cairn_dialect *d = drv.d;
    cairn_dsession *ds;
    cairn_dconn *admin, *c;
    if (d->open(cairn_host_table(), (cairn_hostctx *)(void *)cx, &ds))
        return fail(cx, "open");
    if (d->connect(ds, url, &admin))
        return fail(cx, "connect");
    char dbname[64], q[256];
    snprintf(dbname, sizeof dbname, "bench_%d", n);
    snprintf(q, sizeof q, "DROP DATABASE IF EXISTS %s", dbname);
    if (d->exec(admin, q))
        return fail(cx, "drop database");
    snprintf(q, sizeof q, "CREATE DATABASE %s", dbname);
    if (d->exec(admin, q))
        return fail(cx, "create database");
    /* The same server, the bench database. */
    char *u = malloc(strlen(url) + 64);
    strcpy(u, url);
    strcpy(strrchr(u, '/') + 1, dbname);
    if (d->connect(ds, u, &c))
        return fail(cx, "connect bench db");
    for (int i = 0; i < n; i += 500) {
        cairn_buf b;
        cairn_buf_init(&b);
        for (int k = i; k < n && k < i + 500; k++)
            cairn_buf_printf(&b,
                             "CREATE TABLE t%d (id serial PRIMARY KEY, name varchar(100) NOT NULL"
                             " UNIQUE, score numeric(10,2) DEFAULT 0 CHECK (score >= 0),"
                             " created timestamptz NOT NULL DEFAULT now(), data jsonb,"
                             " parent int REFERENCES t%d (id));"
                             "CREATE INDEX t%d_created ON t%d (created DESC);"
                             "COMMENT ON COLUMN t%d.name IS 'name of %d';",
                             k, k ? k - 1 : 0, k, k, k, k);
        if (d->exec(c, cairn_buf_cstr(&b)))
            return fail(cx, "create tables");
        cairn_buf_release(&b);
    }
    struct rusage before;
    getrusage(RUSAGE_SELF, &before);
    cairn_schema *s = cairn_schema_new();
    cairn_filter f = {0};
    double t0 = now();
    if (d->introspect(c, &f, s))
        return fail(cx, "introspect");
    double t1 = now();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    size_t cols = 0;
    for (size_t i = 0; i < s->ntables; i++)
        cols += s->tables[i]->ncolumns;
    printf("tables=%zu columns=%zu time_ms=%.1f queries=%d peak_rss_kb=%ld\n", s->ntables, cols,
           (t1 - t0) * 1000.0, g_queries, ru.ru_maxrss);
    cairn_schema_free(s);
    d->disconnect(c);
    snprintf(q, sizeof q, "DROP DATABASE %s", dbname);
    d->exec(admin, q);
    d->disconnect(admin);
    d->close(ds);
    cairn_driver_release(&drv);
    cairn_ctx_free(cx);
    free(u);
    return 0;
}
