/* What introspection reads past: the object kinds the model does not hold
 * (counted for `pull` in one query), and the tables it reads as plain ones
 * although they are partitioned or inherit (said on every read). One
 * warning line, never silence. */
#include <stdlib.h>
#include <string.h>

#include "pgdrv.h"

/* One row per kind and count, in the selected namespaces ($1) or the
 * database (extensions elsewhere, event triggers). Members of an extension
 * are the extension's: they are not counted apart. Functions, procedures
 * and extensions in the namespaces are modelled (pgdrv_functions.c). */
static const char *const q_left_out =
    "SELECT kind, count(*) FROM ("
    " SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'window function' END"
    "   FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND p.prokind IN ('a','w')"
    "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
    "     WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid"
    "     AND d.deptype = 'e')"
    " UNION ALL SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range type'"
    "   ELSE 'composite type' END"
    "   FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND t.typtype IN ('d','r','c')"
    "   AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c"
    "     WHERE c.oid = t.typrelid) = 'c')"
    "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
    "     WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = t.oid"
    "     AND d.deptype = 'e')"
    /* extensions outside the namespaces read (those inside are modelled) */
    " UNION ALL SELECT 'extension' FROM pg_catalog.pg_extension e"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
    "   WHERE e.extname <> 'plpgsql' AND n.nspname <> ALL($1::text[])"
    " UNION ALL SELECT 'event trigger' FROM pg_catalog.pg_event_trigger"
    " UNION ALL SELECT CASE c.relkind WHEN 'f' THEN 'foreign table' ELSE 'partition' END"
    "   FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[])"
    "   AND (c.relkind = 'f' OR (c.relispartition AND c.relkind IN ('r','p')))"
    " UNION ALL SELECT 'policy' FROM pg_catalog.pg_policy pol"
    "   JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[])"
    " UNION ALL SELECT 'table with row level security' FROM pg_catalog.pg_class c"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND c.relrowsecurity"
    " UNION ALL SELECT 'rule' FROM pg_catalog.pg_rewrite r"
    "   JOIN pg_catalog.pg_class c ON c.oid = r.ev_class"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND r.rulename <> '_RETURN'"
    " UNION ALL SELECT 'exclusion constraint' FROM pg_catalog.pg_constraint con"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = con.connamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND con.contype = 'x'"
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

int pgdrv_report_left_out(cairn_dconn *c, const char *nsarr, const cairn_buf *flat, size_t nflat)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    int rc = 0, nkinds = 0;
    if (nsarr) {
        PGresult *r = NULL;
        rc = pgdrv_query(c, q_left_out, 1, &nsarr, &r);
        for (int i = 0; !rc && i < PQntuples(r); i++, nkinds++) {
            h->buf_puts(b, i ? ", " : "postgresql: pull leaves out what cairn does not model: ");
            pgdrv_count_of(h, b, PQgetvalue(r, i, 0), strtol(PQgetvalue(r, i, 1), NULL, 10));
        }
        PQclear(r);
    }
    if (!rc && nflat) {
        h->buf_printf(b, "%s%zu table%s read as plain table%s (partitioning and inheritance are"
                         " not modelled): %s%s",
                      nkinds ? "; " : "postgresql: ", nflat, nflat == 1 ? "" : "s",
                      nflat == 1 ? "" : "s", h->buf_cstr(flat), nflat > 5 ? ", ..." : "");
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
