/* What introspection reads past: the object kinds the model does not hold,
 * counted for `pull` in one query. One warning line, never silence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrv.h"

/* One row per kind and count, in the selected namespaces ($1) or the
 * database (extensions elsewhere, event triggers). Members of an extension
 * are the extension's: they are not counted apart. Functions, procedures,
 * aggregates and extensions in the namespaces are modelled
 * (pgdrv_functions.c). */
static const char *const q_left_out =
    "SELECT kind, count(*) FROM ("
    /* extensions outside the namespaces read (those inside are modelled) */
    " SELECT 'extension' FROM pg_catalog.pg_extension e"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
    "   WHERE e.extname <> 'plpgsql' AND n.nspname <> ALL($1::text[])"
    " UNION ALL SELECT 'event trigger' FROM pg_catalog.pg_event_trigger"
    " UNION ALL SELECT 'foreign table'"
    "   FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND c.relkind = 'f'"
    " UNION ALL SELECT 'rule' FROM pg_catalog.pg_rewrite r"
    "   JOIN pg_catalog.pg_class c ON c.oid = r.ev_class"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND r.rulename <> '_RETURN'"
    "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
    "     WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid"
    "     AND d.deptype = 'e')"
    " UNION ALL SELECT 'object with grants' FROM pg_catalog.pg_class c"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND c.relacl IS NOT NULL"
    "   AND c.relkind IN ('r','p','v','m','S','f') AND NOT EXISTS (SELECT 1"
    "     FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
    "     AND d.objid = c.oid AND d.deptype = 'e')"
    ") k(kind) GROUP BY kind ORDER BY kind";

/* "3 functions", "1 policy", "2 objects with grants": the word before
 * " with ", or the last one, takes the plural. */
static void pgdrv_count_of(const cairn_host *h, cairn_buf *b, const char *kind, long n)
{
    const char *with = strstr(kind, " with ");
    size_t end = with ? (size_t)(with - kind) : strlen(kind);
    h->buf_printf(b, "%ld ", n);
    if (n != 1 && end && kind[end - 1] == 'y') {
        h->buf_append(b, kind, end - 1);
        h->buf_puts(b, "ies");
    } else {
        h->buf_append(b, kind, end);
        if (n != 1)
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
    PGresult *r = NULL;
    int rc = pgdrv_query(c, q_left_out, 1, &nsarr, &r);
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        h->buf_puts(b, i ? ", " : "postgresql: pull leaves out what cairn does not model: ");
        pgdrv_count_of(h, b, PQgetvalue(r, i, 0), strtol(PQgetvalue(r, i, 1), NULL, 10));
    }
    PQclear(r);
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
    " UNION ALL SELECT 'rule', 'CREATE RULE ' || pg_catalog.quote_ident(r.rulename) || ' ON '"
    "   || r.ev_class::pg_catalog.regclass::text"
    "   FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND r.rulename <> '_RETURN'"
    "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
    "     WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid"
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
