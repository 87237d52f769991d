/*
 * Reading domains, composite and range types, row-level security policies,
 * exclusion constraints and the row_security table option (objects carried as SQL, see
 * pgdrv_objects.c). Each definition is built by the query from the
 * catalogue, always in the same canonical form, so that a database and the
 * scratch database of a schema file compare equal; pgdrv_types_emit.c
 * reads that form back to write an ALTER. Names in the default namespace
 * are unqualified, others qualified, every name as quote_ident writes it:
 *   CREATE DOMAIN name AS base [COLLATE c] [DEFAULT e] [NOT NULL]
 *       [CONSTRAINT n CHECK (...) [NOT VALID]]...      (checks by name)
 *   CREATE TYPE name AS (attr type [COLLATE c], ...)
 *   CREATE TYPE name AS RANGE (SUBTYPE = t[, SUBTYPE_OPCLASS = o]
 *       [, COLLATION = c][, CANONICAL = f][, SUBTYPE_DIFF = f]
 *       [, MULTIRANGE_TYPE_NAME = m])                  (only what is not the default)
 *   CREATE POLICY name ON table AS PERMISSIVE|RESTRICTIVE FOR cmd
 *       TO role, ... [USING (...)] [WITH CHECK (...)]  (PUBLIC first, then by name)
 *   ALTER TABLE table ADD CONSTRAINT name EXCLUDE USING ... (an exclusion
 *       constraint, kind "exclusion", as pg_get_constraintdef prints it)
 */
#include <stdlib.h>
#include <string.h>

#include "pgdrv.h"

/* A name as the definitions write it: unqualified in public. */
#define PGDRV_QN(NSP, NAME) \
    " CASE WHEN " NSP " = 'public' THEN '' ELSE pg_catalog.quote_ident(" NSP ") || '.' END" \
    " || pg_catalog.quote_ident(" NAME ")"

/* A collation's name by oid, qualified outside pg_catalog and public. */
#define PGDRV_COLL(OID) \
    " (SELECT CASE WHEN cn.nspname IN ('pg_catalog', 'public') THEN ''" \
    "   ELSE pg_catalog.quote_ident(cn.nspname) || '.' END || pg_catalog.quote_ident(co.collname)" \
    "   FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn" \
    "   ON cn.oid = co.collnamespace WHERE co.oid = " OID ")"

/* Not a member of an extension: the extension brings it. */
#define PGDRV_NOT_EXT(CLASS, OID) \
    " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x" \
    "   WHERE x.classid = '" CLASS "'::pg_catalog.regclass AND x.objid = " OID \
    "   AND x.deptype = 'e')"

/* What a type needs first, as a flat text[] of {kind, namespace, name}
 * triples: the domains, composite and range types of the selected
 * namespaces among the types (or their array elements) `OIDS` selects; a
 * table's row type names the table. Enums are not objects: they are
 * always created before every object. */
#define PGDRV_TYPE_DEPS(OIDS) \
    " ARRAY(SELECT u.x FROM (SELECT DISTINCT CASE WHEN dt.typtype = 'd' THEN 'domain'" \
    "   WHEN dt.typtype = 'c' AND dc.relkind <> 'c' THEN 'table' ELSE 'type' END AS k," \
    "   dn.nspname AS ns, COALESCE(CASE WHEN dc.relkind <> 'c' THEN dc.relname END," \
    "   dt.typname) AS nm" \
    "   FROM pg_catalog.pg_type d0 JOIN pg_catalog.pg_type dt" \
    "   ON dt.oid = CASE WHEN d0.typcategory = 'A' THEN d0.typelem ELSE d0.oid END" \
    "   JOIN pg_catalog.pg_namespace dn ON dn.oid = dt.typnamespace" \
    "   LEFT JOIN pg_catalog.pg_class dc ON dc.oid = dt.typrelid" \
    "   WHERE d0.oid IN (" OIDS ") AND dt.typtype IN ('d', 'c', 'r')" \
    "   AND dn.nspname = ANY($1::text[])) dep," \
    "   LATERAL pg_catalog.unnest(ARRAY[dep.k, dep.ns, dep.nm]::text[]) WITH ORDINALITY u(x, o)" \
    "   ORDER BY dep.ns, dep.nm, dep.k, u.o)"

static const char *const q_domains =
    "SELECT n.nspname, t.typname, 'CREATE DOMAIN ' || " PGDRV_QN("n.nspname", "t.typname")
    " || ' AS ' || pg_catalog.format_type(t.typbasetype, t.typtypmod)"
    " || COALESCE(CASE WHEN t.typcollation <> bt.typcollation THEN ' COLLATE ' ||"
    PGDRV_COLL("t.typcollation") " END, '')"
    " || COALESCE(' DEFAULT ' || COALESCE(pg_catalog.pg_get_expr(t.typdefaultbin, 0),"
    "   t.typdefault), '')"
    " || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END"
    /* 17 keeps a domain's NOT NULL in pg_constraint too ('n'): typnotnull says it */
    " || COALESCE((SELECT pg_catalog.string_agg(' CONSTRAINT ' ||"
    "   pg_catalog.quote_ident(c.conname) || ' ' || pg_catalog.pg_get_constraintdef(c.oid), ''"
    "   ORDER BY c.conname) FROM pg_catalog.pg_constraint c"
    "   WHERE c.contypid = t.oid AND c.contype = 'c'), ''),"
    " pg_catalog.obj_description(t.oid, 'pg_type'),"
    PGDRV_TYPE_DEPS("t.typbasetype") ","
    /* the functions its checks and default call, as {namespace, name,
     * signature} triples (pgdrv_add_function_depends) */
    " ARRAY(SELECT u.x FROM (SELECT DISTINCT pn.nspname, p.proname,"
    "   pg_catalog.pg_get_function_identity_arguments(p.oid) AS sig"
    "   FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_proc p ON p.oid = d.refobjid"
    "   JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace"
    "   WHERE d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass"
    "   AND pn.nspname = ANY($1::text[]) AND ((d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass"
    "   AND d.objid = t.oid) OR (d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass"
    "   AND d.objid IN (SELECT c.oid FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid))))"
    "   f, LATERAL pg_catalog.unnest(ARRAY[f.nspname, f.proname, f.sig]::text[])"
    "   WITH ORDINALITY u(x, o) ORDER BY f.nspname, f.proname, f.sig, u.o)"
    " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
    " JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype"
    " WHERE t.typtype = 'd' AND n.nspname = ANY($1::text[])"
    PGDRV_NOT_EXT("pg_catalog.pg_type", "t.oid")
    " ORDER BY 1, 2";

/* MR: the range's MULTIRANGE_TYPE_NAME where it is not the one PostgreSQL
 * 14+ derives (the first "range" of the name made "multirange", else
 * "_multirange" appended); nothing before 14. */
#define PGDRV_Q_TYPES(MR, MRJOIN) \
    "SELECT n.nspname, t.typname, CASE WHEN t.typtype = 'c' THEN" \
    " 'CREATE TYPE ' || " PGDRV_QN("n.nspname", "t.typname") " || ' AS (' ||" \
    " COALESCE((SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname) || ' ' ||" \
    "   pg_catalog.format_type(a.atttypid, a.atttypmod) || COALESCE(CASE" \
    "   WHEN a.attcollation <> at.typcollation THEN ' COLLATE ' ||" \
    PGDRV_COLL("a.attcollation") " END, ''), ', ' ORDER BY a.attnum)" \
    "   FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type at ON at.oid = a.atttypid" \
    "   WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')'" \
    " ELSE 'CREATE TYPE ' || " PGDRV_QN("n.nspname", "t.typname") \
    " || ' AS RANGE (SUBTYPE = ' || pg_catalog.format_type(r.rngsubtype, NULL)" \
    " || CASE WHEN NOT opc.opcdefault THEN ', SUBTYPE_OPCLASS = ' ||" \
    "   pg_catalog.quote_ident(opc.opcname) ELSE '' END" \
    " || COALESCE(CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation" \
    "   THEN ', COLLATION = ' ||" PGDRV_COLL("r.rngcollation") " END, '')" \
    " || CASE WHEN r.rngcanonical <> 0 THEN ', CANONICAL = ' ||" \
    "   r.rngcanonical::pg_catalog.regproc::text ELSE '' END" \
    " || CASE WHEN r.rngsubdiff <> 0 THEN ', SUBTYPE_DIFF = ' ||" \
    "   r.rngsubdiff::pg_catalog.regproc::text ELSE '' END" MR " || ')' END," \
    " pg_catalog.obj_description(t.oid, 'pg_type')," \
    PGDRV_TYPE_DEPS("SELECT a.atttypid FROM pg_catalog.pg_attribute a" \
                    " WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped" \
                    " UNION ALL SELECT r.rngsubtype") \
    " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace" \
    " LEFT JOIN pg_catalog.pg_class tc ON tc.oid = t.typrelid" \
    " LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid" \
    " LEFT JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype" \
    " LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = r.rngsubopc" MRJOIN \
    " WHERE n.nspname = ANY($1::text[]) AND (t.typtype = 'r' OR (t.typtype = 'c'" \
    " AND tc.relkind = 'c'))" PGDRV_NOT_EXT("pg_catalog.pg_type", "t.oid") \
    " ORDER BY 1, 2"
static const char *const q_types_14 = PGDRV_Q_TYPES(
    " || CASE WHEN mt.typname::text <> CASE WHEN pg_catalog.strpos(t.typname, 'range') > 0"
    "   THEN pg_catalog.regexp_replace(t.typname, 'range', 'multirange')"
    "   ELSE t.typname || '_multirange' END"
    "   THEN ', MULTIRANGE_TYPE_NAME = ' ||" PGDRV_QN("mn.nspname", "mt.typname") " ELSE '' END",
    " LEFT JOIN pg_catalog.pg_type mt ON mt.oid = r.rngmultitypid"
    " LEFT JOIN pg_catalog.pg_namespace mn ON mn.oid = mt.typnamespace");
static const char *const q_types_old = PGDRV_Q_TYPES("", "");

static const char *const q_policies =
    "SELECT n.nspname, c.relname, p.polname, 'CREATE POLICY ' ||"
    " pg_catalog.quote_ident(p.polname) || ' ON ' || " PGDRV_QN("n.nspname", "c.relname")
    " || CASE WHEN p.polpermissive THEN ' AS PERMISSIVE' ELSE ' AS RESTRICTIVE' END"
    " || ' FOR ' || CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'"
    "   WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END"
    " || ' TO ' || (SELECT pg_catalog.string_agg(CASE WHEN u.r = 0 THEN 'PUBLIC'"
    "   ELSE pg_catalog.quote_ident(ro.rolname) END, ', ' ORDER BY u.r <> 0, ro.rolname)"
    "   FROM pg_catalog.unnest(p.polroles) u(r)"
    "   LEFT JOIN pg_catalog.pg_roles ro ON ro.oid = u.r)"
    " || COALESCE(' USING (' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')', '')"
    " || COALESCE(' WITH CHECK (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)"
    "   || ')', ''),"
    " pg_catalog.obj_description(p.oid, 'pg_policy')"
    " FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = ANY($1::text[]) ORDER BY 1, 2, 3";

/* A table's own exclusion constraints (not a partition's copy of its
 * parent's), as the ALTER TABLE that adds one. */
static const char *const q_exclusions =
    "SELECT n.nspname, c.relname, con.conname, 'ALTER TABLE ' || " PGDRV_QN("n.nspname", "c.relname")
    " || ' ADD CONSTRAINT ' || pg_catalog.quote_ident(con.conname) || ' ' ||"
    " pg_catalog.pg_get_constraintdef(con.oid),"
    " pg_catalog.obj_description(con.oid, 'pg_constraint')"
    " FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = ANY($1::text[]) AND con.contype = 'x' AND con.conislocal"
    " AND con.conparentid = 0 ORDER BY 1, 2, 3";

/* FORCE without ENABLE does nothing and is not read. */
static const char *const q_row_security =
    "SELECT n.nspname, c.relname, c.relforcerowsecurity FROM pg_catalog.pg_class c"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND c.relrowsecurity"
    " ORDER BY 1, 2";

/* The triples of the text[] `arr` as depends of o: {kind, namespace, name}
 * when `function` is 0, else {namespace, name, signature} of functions (a
 * signature of no arguments is NULL, as the function objects have it). */
int pgdrv_add_depends(cairn_dconn *c, cairn_schema *out, cairn_object *o, const char *arr,
                      int function)
{
    const cairn_host *h = c->s->host;
    char **v = NULL;
    size_t n = 0;
    int rc = pgdrv_parse_array(arr, &v, &n);
    for (size_t i = 0; i + 2 < n && !rc; i += 3)
        rc = function ? h->object_add_depend(out, o, "function", pgdrv_ns(v[i]), v[i + 1],
                                             v[i + 2] && *v[i + 2] ? v[i + 2] : NULL)
                      : h->object_add_depend(out, o, v[i], pgdrv_ns(v[i + 1]), v[i + 2], NULL);
    pgdrv_free_strv(v, n);
    return rc;
}

/* Rows of (namespace, name, definition, comment, depends) as objects of
 * `kind`; with `of_table`, rows of (namespace, table, name, definition,
 * comment) as objects of their table, only for the tables introspection
 * selected (a table the filter left out keeps them out too). */
static int pgdrv_read_objects(cairn_dconn *c, const char *nsarr, cairn_schema *out,
                              const char *kind, const char *sql, int of_table)
{
    const cairn_host *h = c->s->host;
    PGresult *r;
    int rc = pgdrv_query(c, sql, 1, &nsarr, &r);
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        const char *ns = pgdrv_ns(PQgetvalue(r, i, 0));
        const char *table = of_table ? PQgetvalue(r, i, 1) : NULL;
        if (table && !h->find_table(out, ns, table))
            continue;
        cairn_object *o = h->add_object(out, kind, ns, PQgetvalue(r, i, 1 + of_table), NULL,
                                        table, PQgetvalue(r, i, 2 + of_table));
        int ci = 3 + of_table;
        if (!o || (!PQgetisnull(r, i, ci) && !(o->comment = h->strdup(out, PQgetvalue(r, i, ci)))))
            rc = CAIRN_ENOMEM;
        else if (table)
            rc = h->object_add_depend(out, o, "table", ns, table, NULL);
        else
            rc = pgdrv_add_depends(c, out, o, PQgetvalue(r, i, 4), 0);
        if (!rc && !table && PQnfields(r) > 5)
            rc = pgdrv_add_depends(c, out, o, PQgetvalue(r, i, 5), 1);
    }
    PQclear(r);
    if (rc == CAIRN_ENOMEM)
        return h->error(c->s->hc, rc, NULL, "out of memory");
    return rc;
}

int pgdrv_read_domains(cairn_dconn *c, const char *nsarr, cairn_schema *out)
{
    return pgdrv_read_objects(c, nsarr, out, "domain", q_domains, 0);
}

int pgdrv_read_types(cairn_dconn *c, const char *nsarr, cairn_schema *out)
{
    return pgdrv_read_objects(c, nsarr, out, "type",
                              c->server_version >= 140000 ? q_types_14 : q_types_old, 0);
}

int pgdrv_read_policies(cairn_dconn *c, const char *nsarr, cairn_schema *out)
{
    return pgdrv_read_objects(c, nsarr, out, "policy", q_policies, 1);
}

int pgdrv_read_exclusions(cairn_dconn *c, const char *nsarr, cairn_schema *out)
{
    return pgdrv_read_objects(c, nsarr, out, "exclusion", q_exclusions, 1);
}

/* The table option row_security: "enabled" (ENABLE ROW LEVEL SECURITY) or
 * "force" (ENABLE and FORCE: the owner too is bound by the policies). */
int pgdrv_read_row_security(cairn_dconn *c, const char *nsarr, cairn_schema *out)
{
    const cairn_host *h = c->s->host;
    PGresult *r;
    int rc = pgdrv_query(c, q_row_security, 1, &nsarr, &r);
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        cairn_table *t = h->find_table(out, pgdrv_ns(PQgetvalue(r, i, 0)),
                                       PQgetvalue(r, i, 1));
        if (t && h->set_table_option(out, t, "row_security",
                                     PQgetvalue(r, i, 2)[0] == 't' ? "force" : "enabled"))
            rc = h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    }
    PQclear(r);
    return rc;
}
