/* What introspection reads past: the objects the model does not hold (named
 * to the host's left_out for `pull`, in one query), and the tables it reads
 * as plain ones although they are partitioned or inherit (a warning on
 * every read). Never silence. */
#include <stdlib.h>
#include <string.h>

#include "pgdrv.h"

/* One row per object, kind and name, in the selected namespaces ($1) or
 * the database (extensions, event triggers). Members of an extension are
 * the extension's: they are not named apart. */
static const char *const q_left_out =
    "SELECT kind, name FROM ("
    " SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'"
    "   WHEN 'w' THEN 'window function' ELSE 'function' END, n.nspname || '.' || p.proname"
    "   FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
    "     WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid"
    "     AND d.deptype = 'e')"
    " UNION ALL SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range type'"
    "   ELSE 'composite type' END, n.nspname || '.' || t.typname"
    "   FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND t.typtype IN ('d','r','c')"
    "   AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c"
    "     WHERE c.oid = t.typrelid) = 'c')"
    "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
    "     WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = t.oid"
    "     AND d.deptype = 'e')"
    " UNION ALL SELECT 'extension', e.extname FROM pg_catalog.pg_extension e"
    "   WHERE e.extname <> 'plpgsql'"
    " UNION ALL SELECT 'event trigger', evtname FROM pg_catalog.pg_event_trigger"
    " UNION ALL SELECT CASE c.relkind WHEN 'f' THEN 'foreign table' ELSE 'partition' END,"
    "   n.nspname || '.' || c.relname"
    "   FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[])"
    "   AND (c.relkind = 'f' OR (c.relispartition AND c.relkind IN ('r','p')))"
    " UNION ALL SELECT 'policy', n.nspname || '.' || c.relname || '.' || pol.polname"
    "   FROM pg_catalog.pg_policy pol"
    "   JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[])"
    " UNION ALL SELECT 'table with row level security', n.nspname || '.' || c.relname"
    "   FROM pg_catalog.pg_class c"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND c.relrowsecurity"
    " UNION ALL SELECT 'rule', n.nspname || '.' || c.relname || '.' || r.rulename"
    "   FROM pg_catalog.pg_rewrite r"
    "   JOIN pg_catalog.pg_class c ON c.oid = r.ev_class"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND r.rulename <> '_RETURN'"
    " UNION ALL SELECT 'exclusion constraint', n.nspname || '.' || con.conname"
    "   FROM pg_catalog.pg_constraint con"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = con.connamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND con.contype = 'x'"
    " UNION ALL SELECT 'object with grants', n.nspname || '.' || c.relname"
    "   FROM pg_catalog.pg_class c"
    "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = ANY($1::text[]) AND c.relacl IS NOT NULL"
    "   AND c.relkind IN ('r','p','v','m','S','f')"
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

int pgdrv_report_left_out(cairn_dconn *c, const char *nsarr, const cairn_buf *flat, size_t nflat)
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
    if (!rc && nflat)
        h->buf_printf(b, "postgresql: %zu table%s read as plain table%s (partitioning and"
                         " inheritance are not modelled): %s%s",
                      nflat, nflat == 1 ? "" : "s", nflat == 1 ? "" : "s", h->buf_cstr(flat),
                      nflat > 5 ? ", ..." : "");
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
