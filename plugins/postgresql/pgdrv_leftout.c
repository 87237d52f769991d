/* What introspection reads past: the objects the model does not hold (named
 * to the host's left_out for `pull`, in one query), and the tables it reads
 * as plain ones although they are partitioned or inherit (a warning on
 * every read). Never silence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrv.h"

/* One row per object, kind and name, in the selected namespaces ($1) or
 * the database (extensions elsewhere, event triggers). Members of an
 * extension are the extension's, and what a type makes for itself is the
 * type's: they are not named apart. Functions, procedures, aggregates,
 * extensions in the namespaces, domains, types, policies, row security,
 * partitions and rules (pgdrv_storage.c) are modelled. */
static const char *const q_left_out =
    "SELECT kind, name FROM ("
    " SELECT 'extension', e.extname FROM pg_catalog.pg_extension e"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
    "   WHERE e.extname <> 'plpgsql' AND n.nspname <> ALL($1::text[])"
    " UNION ALL SELECT 'event trigger', evtname FROM pg_catalog.pg_event_trigger"
    " UNION ALL SELECT 'foreign table', n.nspname || '.' || c.relname"
    "   FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND c.relkind = 'f'"
    " UNION ALL SELECT 'object with grants', n.nspname || '.' || c.relname"
    "   FROM pg_catalog.pg_class c"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND c.relacl IS NOT NULL"
    "   AND c.relkind IN ('r','p','v','m','S','f') AND NOT EXISTS (SELECT 1"
    "     FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
    "     AND d.objid = c.oid AND d.deptype = 'e')"
    ") k(kind, name) ORDER BY kind, name";

/* "functions", "policies", "objects with grants": the word before " with ",
 * or the last one, takes the plural. */
static void pgdrv_plural(const cairn_host *h, cairn_buf *b, const char *kind)
{
    const char *with = strstr(kind, " with ");
    size_t end = with ? (size_t)(with - kind) : strlen(kind);
    h->buf_reset(b);
    if (end && kind[end - 1] == 'y') {
        h->buf_append(b, kind, end - 1);
        h->buf_puts(b, "ies");
    } else {
        h->buf_append(b, kind, end);
        h->buf_puts(b, "s");
    }
    h->buf_puts(b, kind + end);
}

int pgdrv_report_left_out(cairn_dconn *c, const char *nsarr)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    int rc = 0;
    /* what is left out goes to the host, which counts it for pull's line
     * (host ABI 1.2, which every host with `warn` has) */
    if (nsarr && CAIRN_HOST_HAS(h, left_out)) {
        PGresult *r = NULL;
        rc = pgdrv_query(c, q_left_out, 1, &nsarr, &r);
        for (int i = 0; !rc && i < PQntuples(r); i++) {
            pgdrv_plural(h, b, PQgetvalue(r, i, 0));
            if (!(rc = h->buf_status(b)))
                h->left_out(c->s->hc, PQgetvalue(r, i, 0), h->buf_cstr(b), PQgetvalue(r, i, 1));
        }
        PQclear(r);
        h->buf_reset(b);
    }
    if (!rc)
        rc = h->buf_status(b);
    if (!rc && h->buf_len(b)) {
        if (CAIRN_HOST_HAS(h, warn))
            h->warn(c->s->hc, "%s", h->buf_cstr(b));
        else
            h->debug(c->s->hc, "%s", h->buf_cstr(b));
    }
    h->buf_free(b);
    if (rc == CAIRN_ENOMEM)
        return h->error(c->s->hc, rc, NULL, "out of memory");
    return rc;
}

/* A .sql schema run in a scratch database: the objects it created that the
 * model has no kind for, each named as the statement that makes it, in
 * the namespaces read ($1) or the database (casts, event triggers: the
 * scratch database holds only what the file made). */
static const char *const q_unmodelled =
    "SELECT kind, stmt FROM ("
    " SELECT 'operator', 'CREATE OPERATOR ' || o.oid::pg_catalog.regoperator::text"
    "   FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
    "     WHERE d.classid = 'pg_catalog.pg_operator'::pg_catalog.regclass AND d.objid = o.oid"
    "     AND d.deptype = 'e')"
    " UNION ALL SELECT 'foreign table', 'CREATE FOREIGN TABLE ' || c.oid::pg_catalog.regclass::text"
    "   FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND c.relkind = 'f'"
    " UNION ALL SELECT 'collation', 'CREATE COLLATION '"
    "   || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(co.collname)"
    "   FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace"
    "   WHERE n.nspname = ANY($1::text[])"
    "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
    "     WHERE d.classid = 'pg_catalog.pg_collation'::pg_catalog.regclass AND d.objid = co.oid"
    "     AND d.deptype = 'e')"
    " UNION ALL SELECT 'text search configuration', 'CREATE TEXT SEARCH CONFIGURATION '"
    "   || cfg.oid::pg_catalog.regconfig::text FROM pg_catalog.pg_ts_config cfg"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = cfg.cfgnamespace"
    "   WHERE n.nspname = ANY($1::text[])"
    "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
    "     WHERE d.classid = 'pg_catalog.pg_ts_config'::pg_catalog.regclass AND d.objid = cfg.oid"
    "     AND d.deptype = 'e')"
    " UNION ALL SELECT 'cast', 'CREATE CAST (' || pg_catalog.format_type(ca.castsource, NULL)"
    "   || ' AS ' || pg_catalog.format_type(ca.casttarget, NULL) || ')'"
    "   FROM pg_catalog.pg_cast ca WHERE ca.oid >= 16384 AND NOT EXISTS (SELECT 1"
    "     FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass"
    /* nor a range type's casts to its multirange (14+): the type's own */
    "     AND d.objid = ca.oid AND d.deptype IN ('e', 'i'))"
    " UNION ALL SELECT 'event trigger', 'CREATE EVENT TRIGGER '"
    "   || pg_catalog.quote_ident(evtname) FROM pg_catalog.pg_event_trigger"
    ") k(kind, stmt) ORDER BY 2";

int pgdrv_refuse_unmodelled(cairn_dconn *c, const char *nsarr)
{
    const cairn_host *h = c->s->host;
    PGresult *r = NULL;
    int rc = pgdrv_query(c, q_unmodelled, 1, &nsarr, &r);
    if (!rc && PQntuples(r) > 0) {
        char more[64] = "";
        if (PQntuples(r) > 1)
            snprintf(more, sizeof more, " (and %d more such statements)", PQntuples(r) - 1);
        const char *kind = PQgetvalue(r, 0, 0);
        rc = h->error(c->s->hc, CAIRN_ESCHEMA, NULL,
                      "postgresql: %s: cairn does not model %s %s, no migration would create"
                      " it: take it out of the schema (generate --custom writes it by hand)%s",
                      PQgetvalue(r, 0, 1), strchr("aeiou", kind[0]) ? "an" : "a", kind, more);
    }
    PQclear(r);
    return rc;
}
