/*
 * Objects carried as SQL (CAIRN_CAP_OBJECTS): functions, procedures,
 * domains, types, extensions, policies, ... One entry per kind says how
 * the kind is dropped, commented on and replaced; one reader per kind (or
 * per family of kinds) fills the schema from the catalogue, each in one
 * query for every namespace asked for.
 */
#include <string.h>

#include "pgdrv.h"

/* How one kind is written. `word` follows DROP and COMMENT ON; a kind with
 * `signature` names its argument types there; `on_table` objects are named
 * "name ON table". `replace` writes a changed definition in place, or
 * returns 1 (writing nothing) when it cannot; without one, or then, a
 * change is a drop and a create. */
typedef struct pgdrv_kind {
    const char *kind;
    const char *word;
    int on_table;
    int (*replace)(pgdrv_emitter *em, const cairn_object *from, const cairn_object *to);
} pgdrv_kind;

static const pgdrv_kind kinds[] = {
    {"function", "FUNCTION", 0, pgdrv_replace_routine},
    {"procedure", "PROCEDURE", 0, pgdrv_replace_routine},
    {"aggregate", "AGGREGATE", 0, NULL},
    {"domain", "DOMAIN", 0, pgdrv_replace_domain},
    {"type", "TYPE", 0, pgdrv_replace_type},
    {"extension", "EXTENSION", 0, pgdrv_replace_extension},
    {"policy", "POLICY", 1, pgdrv_replace_policy},
    /* dropped with ALTER TABLE (pgdrv_drop_object) */
    {"exclusion", "CONSTRAINT", 1, NULL},
    {"rule", "RULE", 1, pgdrv_replace_rule},
    /* an index of a materialized view (a table's are the model's) */
    {"index", "INDEX", 0, NULL},
};

static const pgdrv_kind *pgdrv_kind_of(const cairn_object *o)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(kinds[i].kind, o->kind) == 0)
            return &kinds[i];
    return NULL;
}

/* "<word> name(sig)" or "<word> name ON table", into em->b. */
static void pgdrv_object_name(pgdrv_emitter *em, const pgdrv_kind *k, const cairn_object *o)
{
    const cairn_host *h = em->h;
    h->buf_printf(em->b, "%s ", k->word);
    if (k->on_table) {
        pgdrv_quote(em, o->name);
        h->buf_puts(em->b, " ON ");
        pgdrv_qname(h, em->b, o->schema, o->table);
        return;
    }
    pgdrv_qname(h, em->b, o->schema, o->name);
    if (o->signature || !strcmp(o->kind, "function") || !strcmp(o->kind, "procedure"))
        h->buf_printf(em->b, "(%s)", o->signature ? o->signature : "");
}

static int pgdrv_unknown_kind(pgdrv_emitter *em, const cairn_object *o)
{
    return em->h->error(em->s->hc, CAIRN_EUNSUPPORTED, NULL,
                        "postgresql: objects of kind \"%s\" are not supported (%s)", o->kind,
                        o->name);
}

static int pgdrv_object_comment(pgdrv_emitter *em, const pgdrv_kind *k, const cairn_object *o)
{
    em->h->buf_puts(em->b, "COMMENT ON ");
    pgdrv_object_name(em, k, o);
    em->h->buf_puts(em->b, " IS ");
    if (o->comment)
        em->h->buf_literal(em->b, o->comment);
    else
        em->h->buf_puts(em->b, "NULL");
    return pgdrv_flush(em, 0);
}

static int pgdrv_create_object(pgdrv_emitter *em, const pgdrv_kind *k, const cairn_object *o)
{
    int rc = em->h->stmt_add(em->out, o->definition, 0);
    if (!rc && o->comment)
        rc = pgdrv_object_comment(em, k, o);
    return rc;
}

static int pgdrv_drop_object(pgdrv_emitter *em, const pgdrv_kind *k, const cairn_object *o)
{
    if (strcmp(k->word, "CONSTRAINT") == 0) {
        em->h->buf_puts(em->b, "ALTER TABLE ");
        pgdrv_qname(em->h, em->b, o->schema, o->table);
        em->h->buf_puts(em->b, " DROP CONSTRAINT ");
        pgdrv_quote(em, o->name);
        return pgdrv_flush(em, 0);
    }
    em->h->buf_puts(em->b, "DROP ");
    pgdrv_object_name(em, k, o);
    return pgdrv_flush(em, 0);
}

int pgdrv_drop_named(pgdrv_emitter *em, const cairn_object *o)
{
    const pgdrv_kind *k = pgdrv_kind_of(o);
    return k ? pgdrv_drop_object(em, k, o) : pgdrv_unknown_kind(em, o);
}

int pgdrv_comment_named(pgdrv_emitter *em, const cairn_object *o)
{
    const pgdrv_kind *k = pgdrv_kind_of(o);
    return k ? pgdrv_object_comment(em, k, o) : pgdrv_unknown_kind(em, o);
}

int pgdrv_create_named(pgdrv_emitter *em, const cairn_object *o)
{
    const pgdrv_kind *k = pgdrv_kind_of(o);
    return k ? pgdrv_create_object(em, k, o) : pgdrv_unknown_kind(em, o);
}

int pgdrv_emit_object(pgdrv_emitter *em, const cairn_change *ch)
{
    const cairn_object *o = ch->to.object ? ch->to.object : ch->from.object;
    const pgdrv_kind *k = pgdrv_kind_of(o);
    if (!k)
        return pgdrv_unknown_kind(em, o);
    int rc;
    switch (ch->kind) {
    case CAIRN_CHANGE_CREATE_OBJECT:
        if (strcmp(o->kind, "domain") == 0 && (rc = pgdrv_renew_domain(em, ch)) != 1)
            return rc;
        return pgdrv_create_object(em, k, o);
    case CAIRN_CHANGE_DROP_OBJECT:
        if (strcmp(o->kind, "domain") == 0 && (rc = pgdrv_renew_domain(em, ch)) != 1)
            return rc;
        return pgdrv_drop_object(em, k, o);
    default:
        break;
    }
    const cairn_object *from = ch->from.object, *to = ch->to.object;
    int same_def = strcmp(from->definition, to->definition) == 0;
    if (same_def) /* the comment alone */
        return pgdrv_object_comment(em, k, to);
    rc = k->replace ? k->replace(em, from, to) : 1;
    if (rc != 1) {
        if (!rc && !(from->comment && to->comment && !strcmp(from->comment, to->comment)) &&
            (from->comment || to->comment))
            rc = pgdrv_object_comment(em, k, to);
        return rc;
    }
    rc = pgdrv_drop_object(em, k, from);
    return rc ? rc : pgdrv_create_object(em, k, to);
}

int pgdrv_object_recreates(cairn_dsession *s, const cairn_object *from, const cairn_object *to)
{
    (void)s;
    const pgdrv_kind *k = pgdrv_kind_of(from);
    if (!k || strcmp(from->kind, to->kind) != 0)
        return 0;
    if (!k->replace)
        return 1;
    return k->replace == pgdrv_replace_routine && !pgdrv_routine_replaceable(from, to);
}

/* ---- introspection ------------------------------------------------------------ */

/* A kind's rows in the namespaces ($1): FROM (alias with its namespace
 * column NSCOL) ... the condition that follows. */
#define PGDRV_IN_NS(NSCOL) \
    " JOIN pg_catalog.pg_namespace n ON n.oid = " NSCOL " WHERE n.nspname = ANY($1::text[])"
#define PGDRV_REL_IN_NS(FROM, RELCOL) \
    " EXISTS (SELECT 1 FROM " FROM " JOIN pg_catalog.pg_class c ON c.oid = " RELCOL \
    PGDRV_IN_NS("c.relnamespace")

/* One column a PGDRV_HAS_ bit, in the bits' order; each is true for at
 * least every row its reader would read (extension members and a type's
 * own functions included: a false true costs only the reader's query). */
static const char *const q_census =
    "SELECT"
    " EXISTS (SELECT 1 FROM pg_catalog.pg_extension e" PGDRV_IN_NS("e.extnamespace")
    "  AND e.extname <> 'plpgsql'),"
    " EXISTS (SELECT 1 FROM pg_catalog.pg_proc p" PGDRV_IN_NS("p.pronamespace")
    "  AND p.prokind <> 'a'),"
    " EXISTS (SELECT 1 FROM pg_catalog.pg_proc p" PGDRV_IN_NS("p.pronamespace")
    "  AND p.prokind = 'a'),"
    " EXISTS (SELECT 1 FROM pg_catalog.pg_type t" PGDRV_IN_NS("t.typnamespace")
    "  AND t.typtype = 'd'),"
    " EXISTS (SELECT 1 FROM pg_catalog.pg_type t" PGDRV_IN_NS("t.typnamespace")
    "  AND t.typtype = 'r') OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
    PGDRV_IN_NS("c.relnamespace") " AND c.relkind = 'c'),"
    PGDRV_REL_IN_NS("pg_catalog.pg_policy p", "p.polrelid") "),"
    PGDRV_REL_IN_NS("pg_catalog.pg_constraint x", "x.conrelid") " AND x.contype = 'x'),"
    " EXISTS (SELECT 1 FROM pg_catalog.pg_class c" PGDRV_IN_NS("c.relnamespace")
    "  AND c.relrowsecurity),"
    PGDRV_REL_IN_NS("pg_catalog.pg_rewrite r", "r.ev_class") " AND r.rulename <> '_RETURN'),"
    PGDRV_REL_IN_NS("pg_catalog.pg_index i", "i.indrelid") " AND c.relkind = 'm'),"
    " EXISTS (SELECT 1 FROM pg_catalog.pg_type t" PGDRV_IN_NS("t.typnamespace")
    "  AND t.typtype = 'e'),"
    " EXISTS (SELECT 1 FROM pg_catalog.pg_class c" PGDRV_IN_NS("c.relnamespace")
    "  AND c.relkind = 'S'),"
    " EXISTS (SELECT 1 FROM pg_catalog.pg_class c" PGDRV_IN_NS("c.relnamespace")
    "  AND c.relkind IN ('v', 'm'))";

int pgdrv_census(cairn_dconn *c, const char *nsarr, unsigned *has)
{
    PGresult *r;
    int rc = pgdrv_query(c, q_census, 1, &nsarr, &r);
    if (rc)
        return rc;
    *has = 0;
    for (int k = 0; k < PQnfields(r); k++)
        if (PQgetvalue(r, 0, k)[0] == 't')
            *has |= 1u << k;
    PQclear(r);
    return 0;
}

/* The readers, each one query for every namespace of `nsarr` (a text[]
 * literal), with the census bit that says there is something to read. An
 * object that belongs to an extension is never read: the extension brings
 * it. */
static const struct {
    pgdrv_object_reader *read;
    unsigned has;
} readers[] = {
    {pgdrv_read_extensions, PGDRV_HAS_EXTENSIONS},
    {pgdrv_read_functions, PGDRV_HAS_FUNCTIONS},
    {pgdrv_read_aggregates, PGDRV_HAS_AGGREGATES},
    {pgdrv_read_domains, PGDRV_HAS_DOMAINS},
    {pgdrv_read_types, PGDRV_HAS_TYPES},
    {pgdrv_read_policies, PGDRV_HAS_POLICIES},
    {pgdrv_read_exclusions, PGDRV_HAS_EXCLUSIONS},
    {pgdrv_read_row_security, PGDRV_HAS_ROW_SECURITY},
    {pgdrv_read_rules, PGDRV_HAS_RULES},
    {pgdrv_read_view_indexes, PGDRV_HAS_VIEW_INDEXES},
};

int pgdrv_intro_objects(cairn_dconn *c, const char *nsarr, unsigned has, cairn_schema *out)
{
    if (!CAIRN_HOST_HAS(c->s->host, add_object))
        return 0; /* an older host has no objects to put them in */
    int rc = 0;
    for (size_t i = 0; i < sizeof readers / sizeof readers[0] && !rc; i++)
        if (has & readers[i].has)
            rc = readers[i].read(c, nsarr, out);
    return rc;
}
