/*
 * Functions, procedures and extensions as objects carried as SQL.
 *
 * A function or procedure is what pg_get_functiondef() prints (CREATE OR
 * REPLACE ..., in any language), told apart from its overloads by
 * pg_get_function_identity_arguments(). What it needs first comes from
 * pg_depend (types, domains, the tables of a row type, other functions, and
 * for a BEGIN ATOMIC body the tables it reads) and, for a LANGUAGE sql body
 * kept as a string, which PostgreSQL checks at CREATE time against tables
 * it does not record, from the names of tables and views the body holds.
 * An extension is CREATE EXTENSION IF NOT EXISTS with its schema and
 * version; what belongs to one (functions, types, tables) is never read on
 * its own: the extension brings it.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgdrv.h"

/* The object a pg_depend row points at is a member of an extension. */
#define PGDRV_EXT_MEMBER(CLASS, OID) \
    "EXISTS (SELECT 1 FROM pg_catalog.pg_depend de WHERE de.classid = " CLASS \
    " AND de.objid = " OID " AND de.deptype = 'e')"
#define PGDRV_PROC "'pg_catalog.pg_proc'::pg_catalog.regclass"
#define PGDRV_TYPE "'pg_catalog.pg_type'::pg_catalog.regclass"
/* dependencies "kind\x1fnamespace\x1fname\x1fsignature" of function p */
#define PGDRV_PROC_DEPS \
    " ARRAY(" \
    /* types: an array by its element; a table's row type is the table */ \
    "SELECT pg_catalog.concat_ws(E'\\x1f', CASE WHEN " PGDRV_EXT_MEMBER(PGDRV_TYPE, "t.oid") \
    "   THEN 'extension' WHEN t.typtype = 'd' THEN 'domain' WHEN t.typtype = 'e' THEN 'enum'" \
    "   WHEN rc.relkind IN ('r','p','f') THEN 'table' WHEN rc.relkind IN ('v','m') THEN 'view'" \
    "   ELSE 'type' END," \
    "   CASE WHEN " PGDRV_EXT_MEMBER(PGDRV_TYPE, "t.oid") " THEN '' ELSE tn.nspname END," \
    "   CASE WHEN " PGDRV_EXT_MEMBER(PGDRV_TYPE, "t.oid") " THEN (SELECT e.extname" \
    "     FROM pg_catalog.pg_depend de JOIN pg_catalog.pg_extension e ON e.oid = de.refobjid" \
    "     WHERE de.classid = " PGDRV_TYPE " AND de.objid = t.oid AND de.deptype = 'e')" \
    "   ELSE t.typname END, '')" \
    "  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_type t0 ON t0.oid = d.refobjid" \
    "  JOIN pg_catalog.pg_type t ON t.oid = COALESCE((SELECT e.oid FROM pg_catalog.pg_type e" \
    "    WHERE e.typarray = t0.oid), t0.oid)" \
    "  JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace" \
    "  LEFT JOIN pg_catalog.pg_class rc ON rc.oid = t.typrelid" \
    "  WHERE d.classid = " PGDRV_PROC " AND d.objid = p.oid AND d.deptype = 'n'" \
    "  AND d.refclassid = " PGDRV_TYPE \
    "  AND tn.nspname NOT IN ('pg_catalog', 'information_schema')" \
    /* tables and views (a BEGIN ATOMIC body) */ \
    " UNION SELECT pg_catalog.concat_ws(E'\\x1f', CASE WHEN c.relkind IN ('v','m') THEN 'view'" \
    "   ELSE 'table' END, cn.nspname, c.relname, '')" \
    "  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class c ON c.oid = d.refobjid" \
    "  JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace" \
    "  WHERE d.classid = " PGDRV_PROC " AND d.objid = p.oid AND d.deptype = 'n'" \
    "  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass" \
    "  AND c.relkind IN ('r','p','f','v','m')" \
    /* other functions of the schema */ \
    " UNION SELECT pg_catalog.concat_ws(E'\\x1f', CASE f.prokind WHEN 'p' THEN 'procedure'" \
    "   WHEN 'a' THEN 'aggregate' ELSE 'function' END, fn.nspname, f.proname," \
    "   CASE WHEN f.prokind = 'a' AND f.pronargs = 0 THEN '*'" \
    "   ELSE pg_catalog.pg_get_function_identity_arguments(f.oid) END)" \
    "  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_proc f ON f.oid = d.refobjid" \
    "  JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace" \
    "  WHERE d.classid = " PGDRV_PROC " AND d.objid = p.oid AND d.deptype = 'n'" \
    "  AND d.refclassid = " PGDRV_PROC " AND NOT " PGDRV_EXT_MEMBER(PGDRV_PROC, "f.oid") \
    "  AND fn.nspname NOT IN ('pg_catalog', 'information_schema')" \
    /* the extension of a function or a language it uses (plperl, ...) */ \
    " UNION SELECT pg_catalog.concat_ws(E'\\x1f', 'extension', '', e.extname, '')" \
    "  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_depend de ON de.classid = d.refclassid" \
    "    AND de.objid = d.refobjid AND de.deptype = 'e'" \
    "  JOIN pg_catalog.pg_extension e ON e.oid = de.refobjid" \
    "  WHERE d.classid = " PGDRV_PROC " AND d.objid = p.oid AND d.deptype = 'n'" \
    "  AND d.refclassid IN (" PGDRV_PROC ", 'pg_catalog.pg_language'::pg_catalog.regclass)" \
    "  AND e.extname <> 'plpgsql'" \
    " ORDER BY 1)"

/* SCAN: whether the body is SQL text PostgreSQL checks against tables it
 * does not record (a LANGUAGE sql string; 14 and later keep a BEGIN ATOMIC
 * body parsed, in prosqlbody, and record its tables). Window functions are
 * functions; aggregates have their own reader (pgdrv_read_aggregates). */
#define PGDRV_Q_FUNCTIONS(SCAN) \
    "SELECT n.nspname, p.proname, p.prokind," \
    " NULLIF(pg_catalog.pg_get_function_identity_arguments(p.oid), '')," \
    " pg_catalog.pg_get_functiondef(p.oid), pg_catalog.obj_description(p.oid, 'pg_proc')," \
    " " SCAN ", p.prosrc,"
static const char *const q_functions_14 =
    PGDRV_Q_FUNCTIONS("l.lanname = 'sql' AND p.prosqlbody IS NULL");
static const char *const q_functions_old = PGDRV_Q_FUNCTIONS("l.lanname = 'sql'");
/* (the dependencies apart: one literal would pass C's 4095 characters) */
static const char *const q_proc_deps = PGDRV_PROC_DEPS;
static const char *const q_functions_from =
    " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
    " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
    " WHERE n.nspname = ANY($1::text[]) AND p.prokind IN ('f','p','w')"
    " AND NOT " PGDRV_EXT_MEMBER(PGDRV_PROC, "p.oid")
    /* nor what a type makes for itself (a range's constructors): the type's */
    " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend di WHERE di.classid = " PGDRV_PROC
    "   AND di.objid = p.oid AND di.deptype = 'i') ORDER BY 1, 2, 4";

/* Run head || q_proc_deps || tail with the namespaces ($1). */
static int pgdrv_query_deps(cairn_dconn *c, const char *head, const char *tail,
                            const char *nsarr, PGresult **r)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    h->buf_puts(b, head);
    h->buf_puts(b, q_proc_deps);
    h->buf_puts(b, tail);
    int rc = pgdrv_query_buf(c, b, 1, &nsarr, r);
    h->buf_free(b);
    return rc;
}

/* Add `dep` ("kind\x1fnamespace\x1fname\x1fsignature") to o's depends. */
static int pgdrv_add_dep(const cairn_host *h, cairn_schema *out, cairn_object *o, char *dep)
{
    char *f[4] = {dep, NULL, NULL, NULL};
    for (int k = 1; k < 4 && f[k - 1]; k++) {
        char *sep = strchr(f[k - 1], '\x1f');
        if (sep) {
            *sep = '\0';
            f[k] = sep + 1;
        }
    }
    if (!f[2])
        return 0;
    const char *ns = f[1] && *f[1] ? pgdrv_ns(f[1]) : NULL;
    const char *sig = f[3] && *f[3] ? f[3] : NULL;
    /* the function's own row type (RETURNS SETOF itself) is no need */
    if (!strcmp(f[0], o->kind) && !strcmp(f[2], o->name) && (ns == NULL) == (o->schema == NULL) &&
        (!ns || !strcmp(ns, o->schema)))
        return 0;
    return h->object_add_depend(out, o, f[0], ns, f[2], sig) ? CAIRN_ENOMEM : 0;
}

/* The comment in column `ccol` of row `i` and the needs (pgdrv_add_dep)
 * in the text[] of column `dcol`, onto o. */
static int pgdrv_object_tail(const cairn_host *h, cairn_schema *out, cairn_object *o,
                             const PGresult *r, int i, int ccol, int dcol)
{
    if (!PQgetisnull(r, i, ccol))
        o->comment = h->strdup(out, PQgetvalue(r, i, ccol));
    char **deps = NULL;
    size_t ndeps = 0;
    int rc = pgdrv_parse_array(PQgetvalue(r, i, dcol), &deps, &ndeps);
    for (size_t k = 0; k < ndeps && !rc; k++)
        rc = deps[k] ? pgdrv_add_dep(h, out, o, deps[k]) : 0;
    pgdrv_free_strv(deps, ndeps);
    return rc;
}

/* The views of a schema by namespace and name, for the words of function
 * bodies (a scan of every view per word was O(words x views)): open
 * addressing, built once per schema read or object normalised. */
typedef struct pgdrv_viewset {
    const cairn_view **slot;
    size_t mask; /* slots - 1 (a power of two); no slots when there are no views */
} pgdrv_viewset;

static size_t pgdrv_view_hash(const char *ns, const char *name)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a; no namespace hashes apart from "" */
    h = (h ^ (ns ? 2u : 1u)) * 1099511628211u;
    for (const char *p = ns ? ns : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    h = (h ^ 0u) * 1099511628211u;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    return (size_t)(h ^ (h >> 29));
}

static int pgdrv_view_is(const cairn_view *v, const char *ns, const char *name)
{
    return (v->schema == NULL) == (ns == NULL) && (!ns || !strcmp(v->schema, ns)) &&
           !strcmp(v->name, name);
}

/* 0, or CAIRN_ENOMEM. */
static int pgdrv_viewset_build(pgdrv_viewset *vs, const cairn_schema *s)
{
    vs->slot = NULL;
    vs->mask = 0;
    if (!s->nviews)
        return 0;
    size_t n = 16;
    while (n < s->nviews * 2)
        n *= 2;
    if (!(vs->slot = calloc(n, sizeof *vs->slot)))
        return CAIRN_ENOMEM;
    vs->mask = n - 1;
    for (size_t i = 0; i < s->nviews; i++) {
        const cairn_view *v = s->views[i];
        size_t k = pgdrv_view_hash(v->schema, v->name) & vs->mask;
        while (vs->slot[k])
            k = (k + 1) & vs->mask;
        vs->slot[k] = v;
    }
    return 0;
}

static int pgdrv_viewset_has(const pgdrv_viewset *vs, const char *ns, const char *name)
{
    if (!vs->slot)
        return 0;
    for (size_t k = pgdrv_view_hash(ns, name) & vs->mask; vs->slot[k]; k = (k + 1) & vs->mask)
        if (pgdrv_view_is(vs->slot[k], ns, name))
            return 1;
    return 0;
}

/* One name of the body at s[*p] (bare, folded to lower case, or quoted),
 * into dst (size bytes); 0 when s[*p] starts none. */
static int pgdrv_body_ident(const char *s, size_t *p, char *dst, size_t size)
{
    size_t i = *p, n = 0;
    if (s[i] == '"') {
        size_t end = pgdrv_skip_token(s, i);
        for (i++; i + 1 < end && n + 1 < size; i++) {
            if (s[i] == '"')
                i++;
            dst[n++] = s[i];
        }
        *p = end;
    } else if (isalpha((unsigned char)s[i]) || s[i] == '_') {
        while (pgdrv_is_ident_char(s[i]) || s[i] == '$') {
            if (n + 1 < size)
                dst[n++] = (char)tolower((unsigned char)s[i]);
            i++;
        }
        *p = i;
    } else {
        return 0;
    }
    dst[n] = '\0';
    return 1;
}

/* A LANGUAGE sql body names tables PostgreSQL checks when the function is
 * created: each table or view of `out` the body names (qualified, or in
 * the function's namespace, or in public) is a need. */
static int pgdrv_scan_body(const cairn_host *h, cairn_schema *out, const pgdrv_viewset *views,
                           cairn_object *o, const char *body)
{
    char a[128], b[128];
    int rc = 0;
    for (size_t p = 0; body[p] && !rc;) {
        if (body[p] == '-' && body[p + 1] == '-') {
            while (body[p] && body[p] != '\n')
                p++;
            continue;
        }
        if (body[p] == '\'' || (!pgdrv_is_ident_char(body[p]) && body[p] != '"')) {
            p = pgdrv_skip_token(body, p);
            continue;
        }
        if (p && (pgdrv_is_ident_char(body[p - 1]) || body[p - 1] == '.')) {
            p++; /* inside a word, or a column after "alias." */
            continue;
        }
        if (!pgdrv_body_ident(body, &p, a, sizeof a)) {
            p++;
            continue;
        }
        const char *ns = NULL, *name = a;
        int qualified = 0;
        size_t q = p + 1;
        if (body[p] == '.' && pgdrv_body_ident(body, &q, b, sizeof b)) {
            qualified = 1;
            p = q;
            ns = pgdrv_ns(a);
            name = b;
        }
        for (int pass = 0; pass < (qualified ? 1 : 2); pass++) {
            const char *look = qualified ? ns : pass == 0 ? o->schema : NULL;
            if (pass == 1 && !o->schema)
                break;
            const char *kind = h->find_table(out, look, name)   ? "table"
                               : pgdrv_viewset_has(views, look, name) ? "view"
                                                                : NULL;
            if (kind) {
                rc = h->object_add_depend(out, o, kind, look, name, NULL) ? CAIRN_ENOMEM : 0;
                break;
            }
        }
    }
    return rc;
}

/* Does a routine's definition say LANGUAGE sql (or 'sql')? */
static int pgdrv_is_sql_routine(const char *def)
{
    for (size_t p = 0; def[p]; p++) {
        if (strncasecmp(def + p, "language", 8) != 0 ||
            (p && (pgdrv_is_ident_char(def[p - 1]) || def[p - 1] == '$')))
            continue;
        size_t q = p + 8;
        while (isspace((unsigned char)def[q]))
            q++;
        q += def[q] == '\'';
        return strncasecmp(def + q, "sql", 3) == 0 && !pgdrv_is_ident_char(def[q + 3]);
    }
    return 0;
}

/* The normalize_object slot: a function or procedure of a schema file in
 * LANGUAGE sql (a $$ string or a BEGIN ATOMIC body) needs the tables and
 * views its text names, as introspection reports them (pgdrv_scan_body,
 * pg_depend), so the host creates it after them. plpgsql is not checked
 * when it is created: nothing to add. */
int pgdrv_normalize_object(cairn_dsession *s, cairn_schema *schema, cairn_object *o)
{
    const cairn_host *h = s->host;
    if (!CAIRN_HOST_HAS(h, object_add_depend) || !o->definition ||
        (strcmp(o->kind, "function") != 0 && strcmp(o->kind, "procedure") != 0) ||
        !pgdrv_is_sql_routine(o->definition))
        return 0;
    pgdrv_viewset views;
    int rc = pgdrv_viewset_build(&views, schema);
    if (!rc)
        rc = pgdrv_scan_body(h, schema, &views, o, o->definition);
    free(views.slot);
    return rc == CAIRN_ENOMEM ? h->error(s->hc, rc, NULL, "out of memory") : rc;
}

int pgdrv_read_functions(cairn_dconn *c, const char *nsarr, cairn_schema *out)
{
    const cairn_host *h = c->s->host;
    PGresult *r;
    const char *q = c->server_version >= 140000 ? q_functions_14 : q_functions_old;
    int rc = pgdrv_query_deps(c, q, q_functions_from, nsarr, &r);
    if (rc)
        return rc;
    /* the views are read by now; the functions add none */
    pgdrv_viewset views;
    if (pgdrv_viewset_build(&views, out)) {
        PQclear(r);
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    }
    for (int i = 0, rows = PQntuples(r); i < rows && !rc; i++) {
        const char *ns = pgdrv_ns(PQgetvalue(r, i, 0));
        const char *kind = PQgetvalue(r, i, 2)[0] == 'p' ? "procedure" : "function";
        const char *sig = PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3);
        /* pg_get_functiondef ends its text with a newline */
        const char *def = PQgetvalue(r, i, 4);
        size_t n = strlen(def);
        while (n && isspace((unsigned char)def[n - 1]))
            n--;
        char *trimmed = strndup(def, n);
        cairn_object *o = trimmed ? h->add_object(out, kind, ns, PQgetvalue(r, i, 1), sig, NULL,
                                                  trimmed)
                                  : NULL;
        free(trimmed);
        if (!o) {
            rc = CAIRN_ENOMEM;
            break;
        }
        rc = pgdrv_object_tail(h, out, o, r, i, 5, 8);
        if (!rc && PQgetvalue(r, i, 6)[0] == 't')
            rc = pgdrv_scan_body(h, out, &views, o, PQgetvalue(r, i, 7));
    }
    free(views.slot);
    PQclear(r);
    if (rc == CAIRN_ENOMEM)
        return h->error(c->s->hc, rc, NULL, "out of memory");
    return rc;
}

/* Aggregates as CREATE AGGREGATE, written from pg_aggregate (PostgreSQL
 * has no pg_get_functiondef for them): every option the catalogue holds
 * that is set, so a replay makes the same row. One without arguments is
 * name(*), its signature "*" (DROP AGGREGATE name(*)). What it needs (its
 * support functions, its types) comes from pg_depend as for a function. */
static const char *const q_aggregates =
    "SELECT n.nspname, p.proname,"
    " CASE WHEN p.pronargs = 0 THEN '*'"
    "   ELSE pg_catalog.pg_get_function_identity_arguments(p.oid) END,"
    " 'CREATE AGGREGATE ' || pg_catalog.quote_ident(n.nspname) || '.'"
    " || pg_catalog.quote_ident(p.proname) || '(' || CASE WHEN p.pronargs = 0 THEN '*'"
    "   ELSE pg_catalog.pg_get_function_arguments(p.oid) END || ') ('"
    " || pg_catalog.concat_ws(', ', 'SFUNC = ' || a.aggtransfn::pg_catalog.regproc,"
    "  'STYPE = ' || pg_catalog.format_type(a.aggtranstype, NULL),"
    "  'SSPACE = ' || NULLIF(a.aggtransspace, 0),"
    "  'FINALFUNC = ' || NULLIF(a.aggfinalfn, 0)::pg_catalog.regproc,"
    "  CASE WHEN a.aggfinalextra THEN 'FINALFUNC_EXTRA' END,"
    "  CASE WHEN a.aggfinalfn <> 0 THEN 'FINALFUNC_MODIFY = ' || CASE a.aggfinalmodify"
    "    WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END,"
    "  'COMBINEFUNC = ' || NULLIF(a.aggcombinefn, 0)::pg_catalog.regproc,"
    "  'SERIALFUNC = ' || NULLIF(a.aggserialfn, 0)::pg_catalog.regproc,"
    "  'DESERIALFUNC = ' || NULLIF(a.aggdeserialfn, 0)::pg_catalog.regproc,"
    "  'INITCOND = ' || pg_catalog.quote_literal(a.agginitval),"
    "  'MSFUNC = ' || NULLIF(a.aggmtransfn, 0)::pg_catalog.regproc,"
    "  'MINVFUNC = ' || NULLIF(a.aggminvtransfn, 0)::pg_catalog.regproc,"
    "  'MSTYPE = ' || pg_catalog.format_type(NULLIF(a.aggmtranstype, 0), NULL),"
    "  'MSSPACE = ' || NULLIF(a.aggmtransspace, 0),"
    "  'MFINALFUNC = ' || NULLIF(a.aggmfinalfn, 0)::pg_catalog.regproc,"
    "  CASE WHEN a.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END,"
    "  CASE WHEN a.aggmfinalfn <> 0 THEN 'MFINALFUNC_MODIFY = ' || CASE a.aggmfinalmodify"
    "    WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END,"
    "  'MINITCOND = ' || pg_catalog.quote_literal(a.aggminitval),"
    "  'SORTOP = ' || NULLIF(a.aggsortop, 0)::pg_catalog.regoperator::text,"
    "  CASE p.proparallel WHEN 's' THEN 'PARALLEL = SAFE' WHEN 'r' THEN 'PARALLEL = RESTRICTED'"
    "  END, CASE WHEN a.aggkind = 'h' THEN 'HYPOTHETICAL' END) || ')',"
    " pg_catalog.obj_description(p.oid, 'pg_proc'),";
static const char *const q_aggregates_from =
    " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
    " JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid"
    " WHERE n.nspname = ANY($1::text[]) AND p.prokind = 'a'"
    " AND NOT " PGDRV_EXT_MEMBER(PGDRV_PROC, "p.oid") " ORDER BY 1, 2, 3";

int pgdrv_read_aggregates(cairn_dconn *c, const char *nsarr, cairn_schema *out)
{
    const cairn_host *h = c->s->host;
    PGresult *r;
    int rc = pgdrv_query_deps(c, q_aggregates, q_aggregates_from, nsarr, &r);
    if (rc)
        return rc;
    for (int i = 0, rows = PQntuples(r); i < rows && !rc; i++) {
        cairn_object *o = h->add_object(out, "aggregate", pgdrv_ns(PQgetvalue(r, i, 0)),
                                        PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), NULL,
                                        PQgetvalue(r, i, 3));
        rc = o ? pgdrv_object_tail(h, out, o, r, i, 4, 5) : CAIRN_ENOMEM;
    }
    PQclear(r);
    if (rc == CAIRN_ENOMEM)
        return h->error(c->s->hc, rc, NULL, "out of memory");
    return rc;
}

/* Extensions installed in the namespaces asked for (plpgsql comes with
 * every database), with the version they run and what they require. */
static const char *const q_extensions =
    "SELECT e.extname, pg_catalog.format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I"
    " VERSION %L', e.extname, n.nspname, e.extversion),"
    " pg_catalog.obj_description(e.oid, 'pg_extension'),"
    " ARRAY(SELECT pg_catalog.concat_ws(E'\\x1f', 'extension', '', r.extname, '')"
    "   FROM pg_catalog.pg_depend d"
    "   JOIN pg_catalog.pg_extension r ON r.oid = d.refobjid"
    "   WHERE d.classid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.objid = e.oid"
    "   AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass ORDER BY 1)"
    " FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
    " WHERE n.nspname = ANY($1::text[]) AND e.extname <> 'plpgsql' ORDER BY 1";

int pgdrv_read_extensions(cairn_dconn *c, const char *nsarr, cairn_schema *out)
{
    const cairn_host *h = c->s->host;
    PGresult *r;
    int rc = pgdrv_query(c, q_extensions, 1, &nsarr, &r);
    if (rc)
        return rc;
    for (int i = 0, rows = PQntuples(r); i < rows && !rc; i++) {
        /* an extension has a schema, but its name is the database's */
        cairn_object *o = h->add_object(out, "extension", NULL, PQgetvalue(r, i, 0), NULL, NULL,
                                        PQgetvalue(r, i, 1));
        if (!o) {
            rc = CAIRN_ENOMEM;
            break;
        }
        rc = pgdrv_object_tail(h, out, o, r, i, 2, 3);
    }
    PQclear(r);
    if (rc == CAIRN_ENOMEM)
        return h->error(c->s->hc, rc, NULL, "out of memory");
    return rc;
}

/* ---- replace ------------------------------------------------------------------ */

/* The line of `def` that starts with `head` (the first line when head is
 * NULL) as [*b, *b + return); 0 when there is none. */
static size_t pgdrv_def_line(const char *def, const char *head, const char **b)
{
    const char *p = def;
    if (head) {
        p = strstr(def, head);
        if (!p)
            return *b = NULL, 0;
        p += *head == '\n';
    }
    *b = p;
    const char *nl = strchr(p, '\n');
    return nl ? (size_t)(nl - p) : strlen(p);
}

static int pgdrv_same_line(const char *x, const char *y, const char *head)
{
    const char *bx, *by;
    size_t nx = pgdrv_def_line(x, head, &bx), ny = pgdrv_def_line(y, head, &by);
    return nx == ny && (!nx || memcmp(bx, by, nx) == 0);
}

/* Can CREATE OR REPLACE change routine `from` into `to`? Not when the
 * result (RETURNS) or the argument line (names, defaults) changes. */
int pgdrv_routine_replaceable(const cairn_object *from, const cairn_object *to)
{
    return pgdrv_same_line(from->definition, to->definition, NULL) &&
           pgdrv_same_line(from->definition, to->definition, "\n RETURNS ");
}

/* CREATE OR REPLACE; a routine that cannot be replaced is dropped and
 * created (1): the host then plans it so (object_recreates), with what
 * calls it dropped before and created again after. */
int pgdrv_replace_routine(pgdrv_emitter *em, const cairn_object *from, const cairn_object *to)
{
    if (!pgdrv_routine_replaceable(from, to))
        return 1;
    return em->h->stmt_add(em->out, to->definition, 0);
}

/* The text after `key` in an extension's definition, up to the next " "
 * outside quotes, as [*b, *b + return); 0 without `key`. */
static size_t pgdrv_ext_part(const char *def, const char *key, const char **b)
{
    const char *p = strstr(def, key);
    if (!p)
        return *b = NULL, 0;
    p += strlen(key);
    size_t e = 0;
    while (p[e] && p[e] != ' ')
        e = pgdrv_skip_token(p, e);
    *b = p;
    return e;
}

/* An extension moves with ALTER EXTENSION SET SCHEMA and changes version
 * with UPDATE TO: its objects, and the columns of its types, stay. */
int pgdrv_replace_extension(pgdrv_emitter *em, const cairn_object *from, const cairn_object *to)
{
    const cairn_host *h = em->h;
    const char *fs, *ts, *fv, *tv;
    size_t nfs = pgdrv_ext_part(from->definition, " WITH SCHEMA ", &fs);
    size_t nts = pgdrv_ext_part(to->definition, " WITH SCHEMA ", &ts);
    size_t nfv = pgdrv_ext_part(from->definition, " VERSION ", &fv);
    size_t ntv = pgdrv_ext_part(to->definition, " VERSION ", &tv);
    int rc = 0;
    if (nts && (nfs != nts || memcmp(fs, ts, nts) != 0)) {
        h->buf_puts(em->b, "ALTER EXTENSION ");
        pgdrv_quote(em, to->name);
        h->buf_printf(em->b, " SET SCHEMA %.*s", (int)nts, ts);
        rc = pgdrv_flush(em, 0);
    }
    if (!rc && (nfv != ntv || (ntv && memcmp(fv, tv, ntv) != 0) || !ntv)) {
        h->buf_puts(em->b, "ALTER EXTENSION ");
        pgdrv_quote(em, to->name);
        h->buf_puts(em->b, " UPDATE");
        if (ntv)
            h->buf_printf(em->b, " TO %.*s", (int)ntv, tv);
        rc = pgdrv_flush(em, 0);
    }
    return rc;
}
