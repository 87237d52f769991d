/* Scratch databases: a throwaway database on the target's server where a
 * declarative .sql schema is run and read back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pgdrv.h"

int pgdrv_scratch_connect(cairn_dsession *s, const char *target_url, cairn_dconn **out)
{
    const cairn_host *h = s->host;
    if (!target_url || !*target_url)
        return h->error(s->hc, CAIRN_ECONFIG, NULL,
                        "postgresql: a declarative .sql schema needs a server for its scratch"
                        " database: set \"dev_url\" or \"url\"");
    PGconn *admin = NULL;
    int rc = pgdrv_open_pg(s, target_url, NULL, &admin);
    if (rc)
        return rc;
    cairn_dconn *ac = NULL;
    rc = pgdrv_wrap(s, admin, &ac);
    if (rc)
        return rc;
    unsigned rnd = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(&rnd, sizeof rnd, 1, f) != 1) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        rnd = (unsigned)ts.tv_nsec ^ (unsigned)getpid();
    }
    if (f)
        fclose(f);
    char name[64], sql[128];
    snprintf(name, sizeof name, "cairn_scratch_%ld_%08x", (long)getpid(), rnd);
    snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\" TEMPLATE template0", name);
    rc = pgdrv_query(ac, sql, 0, NULL, NULL);
    PGconn *pg = NULL;
    if (!rc)
        rc = pgdrv_open_pg(s, target_url, name, &pg);
    cairn_dconn *c = NULL;
    if (!rc)
        rc = pgdrv_wrap(s, pg, &c);
    if (!rc) {
        c->scratch_name = strdup(name);
        if (!c->scratch_name)
            rc = h->error(s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    }
    if (rc) {
        if (c) {
            PQfinish(c->pg);
            free(c);
        }
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\"", name);
        PQclear(PQexec(admin, sql));
        PQfinish(admin);
        free(ac);
        return rc;
    }
    c->admin = admin;
    free(ac);
    PQsetNoticeProcessor(admin, pgdrv_notice, c);
    h->debug(s->hc, "postgresql: scratch database %s", name);
    *out = c;
    return 0;
}

void pgdrv_scratch_release(cairn_dconn *c)
{
    if (!c)
        return;
    PQfinish(c->pg);
    c->pg = NULL;
    if (c->admin && c->scratch_name) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", c->scratch_name);
        PGresult *r = PQexec(c->admin, sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            char line[512];
            pgdrv_one_line(line, sizeof line, PQresultErrorMessage(r));
            c->s->host->debug(c->s->hc, "postgresql: cannot drop scratch database %s: %s",
                              c->scratch_name, line);
        }
        PQclear(r);
    }
    PQfinish(c->admin);
    free(c->scratch_name);
    free(c);
}
