/*
 * The privileges of a view that the plan drops and creates again.
 *
 * Privileges are not modelled: a schema file has none, and the diff never
 * compares them. But DROP VIEW takes a view's privileges with it, so a
 * view that must be recreated (a column it reads changes type, a function
 * it calls changes result) would lose them silently. Introspection reads
 * each view's grants and owner (one query), the host carries them on the
 * live view (cairn_view.grants, .owner), and emission writes them back as
 * GRANT statements and ALTER ... OWNER TO after the CREATE VIEW. Offline
 * (generate reads no database) they are not known: the CREATE VIEW says so
 * in a comment, and a warning line too. The owner comes back only when the
 * role cairn connects as is a member of it (PostgreSQL allows nothing
 * else); otherwise the view stays the connecting role's, as before.
 */
#include <string.h>

#include "pgdrv.h"

/* Per view, "PRIVILEGES TO grantee[ WITH GRANT OPTION]" lines: the ACL as
 * the server holds it (the owner's default when none), without the
 * session's own role, which owns the view created again. A view owned by
 * another role gets that role's privileges back as a grant, then its owner
 * (the fourth column: NULL for the session's own role or a role it is not
 * a member of, whom it cannot give the view). */
static const char *const q_view_grants =
    "SELECT n.nspname, c.relname, (SELECT pg_catalog.string_agg(g.privs || ' TO ' || g.who"
    "   || CASE WHEN g.opt THEN ' WITH GRANT OPTION' ELSE '' END, E'\\n' ORDER BY g.who, g.opt)"
    "  FROM (SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC'"
    "     ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END AS who,"
    "     a.is_grantable AS opt,"
    "     pg_catalog.string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) AS privs"
    "   FROM pg_catalog.aclexplode(COALESCE(c.relacl, pg_catalog.acldefault('r', c.relowner))) a"
    "   WHERE a.grantee <> (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user)"
    "   GROUP BY 1, 2) g),"
    " CASE WHEN c.relowner <> (SELECT r.oid FROM pg_catalog.pg_roles r"
    "   WHERE r.rolname = current_user) AND pg_catalog.pg_has_role(c.relowner, 'MEMBER')"
    "  THEN pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(c.relowner)) END"
    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('v','m')";

static cairn_view *pgdrv_find_view(const cairn_schema *s, const char *ns, const char *name)
{
    for (size_t i = 0; s && i < s->nviews; i++) {
        cairn_view *v = s->views[i];
        if ((v->schema == NULL) == (ns == NULL) && (!ns || !strcmp(v->schema, ns)) &&
            !strcmp(v->name, name))
            return v;
    }
    return NULL;
}

int pgdrv_read_view_grants(cairn_dconn *c, const char *nsarr, cairn_schema *out)
{
    const cairn_host *h = c->s->host;
    /* a host older than 1.3 allocates views without the field */
    if (!out->nviews || !CAIRN_HOST_HAS(h, add_object))
        return 0;
    PGresult *r;
    int rc = pgdrv_query(c, q_view_grants, 1, &nsarr, &r);
    if (rc)
        return rc;
    for (int i = 0, rows = PQntuples(r); i < rows && !rc; i++) {
        cairn_view *v = pgdrv_find_view(out, pgdrv_ns(PQgetvalue(r, i, 0)), PQgetvalue(r, i, 1));
        if (!v)
            continue;
        if (!(v->grants = h->strdup(out, PQgetvalue(r, i, 2))) ||
            (!PQgetisnull(r, i, 3) && !(v->owner = h->strdup(out, PQgetvalue(r, i, 3)))))
            rc = h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    }
    PQclear(r);
    return rc;
}

/* The view of the old schema that `v` takes the place of: its own name, or
 * the one it `was`. */
static const cairn_view *pgdrv_old_view(const pgdrv_emitter *em, const cairn_view *v)
{
    const cairn_view *old = pgdrv_find_view(em->plan->from, v->schema, v->name);
    if (!old && v->was)
        old = pgdrv_find_view(em->plan->from, v->schema, v->was);
    return old;
}

void pgdrv_view_grants_unknown(pgdrv_emitter *em, const cairn_view *v)
{
    const cairn_host *h = em->h;
    const cairn_view *old = pgdrv_old_view(em, v);
    if (!old || old->grants)
        return;
    const char *what = v->materialized ? "materialized view" : "view";
    h->buf_printf(em->b, "-- cairn: %s ", what);
    pgdrv_qname(h, em->b, v->schema, v->name);
    h->buf_puts(em->b, " is created again and DROP took its grants and its owner; they are not"
                       " known here (no database was read): add its GRANT and ALTER ... OWNER TO"
                       " statements after this one\n");
    if (CAIRN_HOST_HAS(h, warn))
        h->warn(em->s->hc, "postgresql: %s %s%s%s is dropped and created again, and its grants "
                "and owner are not known without a database: the SQL says where to add them",
                what, v->schema ? v->schema : "", v->schema ? "." : "", v->name);
}

int pgdrv_view_regrant(pgdrv_emitter *em, const cairn_view *v)
{
    const cairn_host *h = em->h;
    const cairn_view *old = pgdrv_old_view(em, v);
    int rc = 0;
    for (const char *p = old ? old->grants : NULL; p && *p && !rc;) {
        const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        const char *to = strstr(p, " TO ");
        if (!to || to > end)
            return h->error(em->s->hc, CAIRN_EGENERIC, NULL,
                            "postgresql: unreadable grant line on view %s", v->name);
        h->buf_printf(em->b, "GRANT %.*s ON ", (int)(to - p), p);
        pgdrv_qname(h, em->b, v->schema, v->name);
        h->buf_append(em->b, to, (size_t)(end - to));
        rc = pgdrv_flush(em, 0);
        p = nl ? nl + 1 : end;
    }
    /* the role cairn connects as owns the new view: the old owner back,
     * last, so that the grants above were the new owner's to give */
    if (!rc && old && old->owner) {
        h->buf_puts(em->b, v->materialized ? "ALTER MATERIALIZED VIEW " : "ALTER VIEW ");
        pgdrv_qname(h, em->b, v->schema, v->name);
        h->buf_printf(em->b, " OWNER TO %s", old->owner);
        rc = pgdrv_flush(em, 0);
    }
    return rc;
}
