/* Declarative partitioning and INHERITS, carried as table options:
 * partition_by ("RANGE (at)"), partition_of (the parent) with
 * partition_bound ("FOR VALUES ...", "DEFAULT"), and inherits (the parents,
 * ", " between them). Parents are named as the core reads them
 * (cairn_table.options): "name" in the default namespace, else
 * "namespace.name". A partition's columns are its parent's: changes to them
 * are the parent's, which PostgreSQL carries down; only its defaults are
 * its own (ATTACH keeps a table's, PARTITION OF copies the parent's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrv.h"

const char *pgdrv_table_option(const cairn_table *t, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; t && i < t->noptions; i++)
        if (strncmp(t->options[i], key, kl) == 0 && t->options[i][kl] == '=')
            return t->options[i] + kl + 1;
    return NULL;
}

static int pgdrv_opt_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The table of `s` that the parent reference [name, name + len) names. */
static const cairn_table *pgdrv_find_parent(const cairn_schema *s, const char *name, size_t len)
{
    for (size_t i = 0; s && i < s->ntables; i++) {
        const cairn_table *t = s->tables[i];
        size_t ns = t->schema ? strlen(t->schema) : 0, nn = strlen(t->name);
        if (ns ? len == ns + 1 + nn && strncmp(name, t->schema, ns) == 0 && name[ns] == '.' &&
                     strncmp(name + ns + 1, t->name, nn) == 0
               : len == nn && strncmp(name, t->name, nn) == 0)
            return t;
    }
    return NULL;
}

/* The parent [name, name + len) quoted: as the table of `s` it names, or,
 * when `s` does not hold it, split at its first dot. */
static int pgdrv_parent_name(pgdrv_emitter *em, const cairn_schema *s, const char *name,
                             size_t len)
{
    const cairn_table *p = pgdrv_find_parent(s, name, len);
    if (p) {
        pgdrv_table_name(em, p);
        return 0;
    }
    const char *dot = memchr(name, '.', len);
    char *ns = dot ? strndup(name, (size_t)(dot - name)) : NULL;
    char *rel = dot ? strndup(dot + 1, len - (size_t)(dot - name) - 1) : strndup(name, len);
    if ((dot && !ns) || !rel) {
        free(ns);
        free(rel);
        return CAIRN_ENOMEM;
    }
    pgdrv_qname(em->h, em->b, ns, rel);
    free(ns);
    free(rel);
    return 0;
}

/* ALTER TABLE <each parent of `list` absent from `other`> <verb> ..., or
 * ALTER TABLE <t> NO INHERIT / INHERIT <parent>, one statement each. */
static int pgdrv_each_parent(pgdrv_emitter *em, const cairn_schema *s, const cairn_table *t,
                             const char *list, const char *other, const char *verb)
{
    int rc = 0;
    for (const char *p = list; p && *p && !rc;) {
        size_t len = strcspn(p, ",");
        int kept = 0;
        for (const char *q = other; q && *q && !kept;) {
            size_t ql = strcspn(q, ",");
            kept = ql == len && strncmp(p, q, len) == 0;
            q += ql;
            q += strspn(q, ", ");
        }
        if (!kept) {
            pgdrv_alter_table(em, t);
            em->h->buf_printf(em->b, "%s ", verb);
            rc = pgdrv_parent_name(em, s, p, len);
            if (!rc)
                rc = pgdrv_flush(em, 0);
        }
        p += len;
        p += strspn(p, ", ");
    }
    return rc;
}

static int pgdrv_table_refusal(pgdrv_emitter *em, const cairn_table *t, const char *what)
{
    return em->h->error(em->s->hc, CAIRN_ESCHEMA, NULL, "table %s%s%s: %s",
                        t->schema ? t->schema : "", t->schema ? "." : "", t->name, what);
}

/* ALTER TABLE <parent> DETACH PARTITION <t>, without the flush. */
static int pgdrv_detach_words(pgdrv_emitter *em, const cairn_table *t, const char *of)
{
    em->h->buf_puts(em->b, "ALTER TABLE ");
    int rc = pgdrv_parent_name(em, em->plan->from, of, strlen(of));
    em->h->buf_puts(em->b, " DETACH PARTITION ");
    pgdrv_table_name(em, t);
    return rc;
}

static int pgdrv_detach(pgdrv_emitter *em, const cairn_table *t, const char *of)
{
    int rc = pgdrv_detach_words(em, t, of);
    return rc ? rc : pgdrv_flush(em, 0);
}

/* A partition that becomes a plain table: DETACH keeps its copies of the
 * parent's keys, foreign keys, checks and indexes as its own, which the
 * model of the partition did not hold; they go, and the plan adds what the
 * new table declares. Their names are the server's: found at run time. */
static int pgdrv_detach_for_good(pgdrv_emitter *em, const cairn_table *t, const char *of)
{
    const cairn_host *h = em->h;
    h->buf_puts(em->b, "DO $cairn$DECLARE n text; cs text[]; ix text[]; BEGIN"
                       " SELECT pg_catalog.array_agg(conname) INTO cs"
                       " FROM pg_catalog.pg_constraint WHERE conrelid = ");
    int rc = pgdrv_table_literal(em, em->b, t);
    /* not a NOT NULL (PostgreSQL 18 keeps them as constraints): the model's
     * columns say those, and the plan changes them as it needs */
    h->buf_puts(em->b, "::regclass AND contype <> 'n' AND (conparentid <> 0 OR NOT conislocal);"
                       " SELECT pg_catalog.array_agg(x.indexrelid::regclass::text) INTO ix"
                       " FROM pg_catalog.pg_index x JOIN pg_catalog.pg_inherits i"
                       " ON i.inhrelid = x.indexrelid WHERE x.indrelid = ");
    if (!rc)
        rc = pgdrv_table_literal(em, em->b, t);
    h->buf_puts(em->b, "::regclass AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k"
                       " WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid); ");
    if (!rc)
        rc = pgdrv_detach_words(em, t, of);
    h->buf_puts(em->b, "; FOREACH n IN ARRAY COALESCE(cs, '{}') LOOP"
                       " EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', ");
    if (!rc)
        rc = pgdrv_table_literal(em, em->b, t);
    h->buf_puts(em->b, ", n); END LOOP; FOREACH n IN ARRAY COALESCE(ix, '{}') LOOP"
                       " EXECUTE 'DROP INDEX ' || n; END LOOP; END$cairn$");
    return rc ? rc : pgdrv_flush(em, 0);
}

/* Before the first statement: what the driver refuses (a partition without
 * a bound; a new partition key, which PostgreSQL cannot give a table in
 * place), then every DETACH PARTITION and NO INHERIT of the plan, so a
 * bound that moves cannot overlap one created ahead of it, and a parent
 * dropped by the plan has no partition or child left. */
int pgdrv_partition_unlink(pgdrv_emitter *em)
{
    const cairn_plan *plan = em->plan;
    int rc = 0;
    for (size_t i = 0; i < plan->nchanges && !rc; i++) {
        const cairn_change *ch = plan->changes[i];
        const cairn_table *to = ch->kind == CAIRN_CHANGE_CREATE_TABLE ? ch->to.table : NULL;
        if (ch->kind == CAIRN_CHANGE_SET_TABLE_OPTIONS)
            to = ch->table_to;
        if (to && pgdrv_table_option(to, "partition_of") &&
            !pgdrv_table_option(to, "partition_bound"))
            rc = pgdrv_table_refusal(em, to, "\"partition_of\" needs \"partition_bound\" (FOR "
                                             "VALUES ... or DEFAULT)");
        if (rc || ch->kind != CAIRN_CHANGE_SET_TABLE_OPTIONS)
            continue;
        const char *by_f = pgdrv_table_option(ch->table_from, "partition_by");
        const char *by_t = pgdrv_table_option(to, "partition_by");
        if (!pgdrv_opt_eq(by_f, by_t)) {
            char msg[1024];
            snprintf(msg, sizeof msg,
                     "partition_by changes from %s to %s: PostgreSQL cannot change a table's "
                     "partitioning in place; create a new table and move the rows",
                     by_f ? by_f : "none", by_t ? by_t : "none");
            rc = pgdrv_table_refusal(em, to, msg);
        }
    }
    for (size_t i = 0; i < plan->nchanges && !rc; i++) {
        const cairn_change *ch = plan->changes[i];
        if (ch->kind != CAIRN_CHANGE_SET_TABLE_OPTIONS)
            continue;
        const cairn_table *f = ch->table_from, *t = ch->table_to;
        const char *of_f = pgdrv_table_option(f, "partition_of");
        if (of_f && !pgdrv_table_option(t, "partition_of"))
            rc = pgdrv_detach_for_good(em, f, of_f);
        else if (of_f && (!pgdrv_opt_eq(of_f, pgdrv_table_option(t, "partition_of")) ||
                          !pgdrv_opt_eq(pgdrv_table_option(f, "partition_bound"),
                                        pgdrv_table_option(t, "partition_bound"))))
            rc = pgdrv_detach(em, f, of_f);
        if (!rc)
            rc = pgdrv_each_parent(em, plan->from, f, pgdrv_table_option(f, "inherits"),
                                   pgdrv_table_option(t, "inherits"), "NO INHERIT");
    }
    return rc;
}

/* SET_TABLE_OPTIONS: the ATTACH PARTITION and INHERIT that
 * pgdrv_partition_unlink's DETACH and NO INHERIT leave to do. Other
 * options are not PostgreSQL's: nothing to write for them. */
int pgdrv_emit_table_options(pgdrv_emitter *em, const cairn_change *ch)
{
    const cairn_table *f = ch->table_from, *t = ch->table_to;
    const char *of_t = pgdrv_table_option(t, "partition_of");
    const char *bound = pgdrv_table_option(t, "partition_bound");
    int rc = 0;
    if (of_t && (!pgdrv_opt_eq(pgdrv_table_option(f, "partition_of"), of_t) ||
                 !pgdrv_opt_eq(pgdrv_table_option(f, "partition_bound"), bound))) {
        em->h->buf_puts(em->b, "ALTER TABLE ");
        rc = pgdrv_parent_name(em, em->plan->to, of_t, strlen(of_t));
        em->h->buf_puts(em->b, " ATTACH PARTITION ");
        pgdrv_table_name(em, t);
        em->h->buf_printf(em->b, " %s", bound);
        if (!rc)
            rc = pgdrv_flush(em, 0);
    }
    if (!rc)
        rc = pgdrv_each_parent(em, em->plan->to, t, pgdrv_table_option(t, "inherits"),
                               pgdrv_table_option(f, "inherits"), "INHERIT");
    return rc;
}

/* CREATE TABLE's words after the name: " PARTITION OF <parent>" for a
 * partition (which then lists no columns). */
int pgdrv_create_table_of(pgdrv_emitter *em, const cairn_table *t)
{
    const char *of = pgdrv_table_option(t, "partition_of");
    if (!of)
        return 0;
    em->h->buf_puts(em->b, " PARTITION OF ");
    return pgdrv_parent_name(em, em->plan->to, of, strlen(of));
}

/* CREATE TABLE's words after the column list: the bound, INHERITS, and
 * PARTITION BY. */
int pgdrv_create_table_tail(pgdrv_emitter *em, const cairn_table *t)
{
    const char *bound = pgdrv_table_option(t, "partition_bound");
    const char *inherits = pgdrv_table_option(t, "inherits");
    const char *by = pgdrv_table_option(t, "partition_by");
    int rc = 0;
    if (bound && pgdrv_table_option(t, "partition_of"))
        em->h->buf_printf(em->b, " %s", bound);
    if (inherits) {
        em->h->buf_puts(em->b, " INHERITS (");
        for (const char *p = inherits; *p && !rc;) {
            size_t len = strcspn(p, ",");
            if (p != inherits)
                em->h->buf_puts(em->b, ", ");
            rc = pgdrv_parent_name(em, em->plan->to, p, len);
            p += len;
            p += strspn(p, ", ");
        }
        em->h->buf_puts(em->b, ")");
    }
    if (by)
        em->h->buf_printf(em->b, " PARTITION BY %s", by);
    return rc;
}

/* The default a column of the parent gives a partition: a serial's
 * nextval() is in no model field, so any nextval() is taken for it. */
static int pgdrv_same_default(const cairn_column *pc, const cairn_column *c)
{
    if (pc && pc->identity == CAIRN_IDENTITY_AUTO)
        return c->default_expr && strncmp(c->default_expr, "nextval(", 8) == 0;
    const char *pd = pc && !pc->generated ? pc->default_expr : NULL;
    return pgdrv_opt_eq(pd, c->default_expr);
}

/* The parent table that partition `t` names, in `s`. */
static const cairn_table *pgdrv_parent_in(const cairn_schema *s, const cairn_table *t)
{
    const char *of = pgdrv_table_option(t, "partition_of");
    return of ? pgdrv_find_parent(s, of, strlen(of)) : NULL;
}

/* At the end of the plan, when every parent has its new columns: the
 * partitions' own defaults. A partition the plan creates has its parent's
 * defaults of the moment it was created (PARTITION OF copies them, and the
 * plan creates tables before it alters kept ones); a column the parent
 * gains comes with the parent's new default. Where that is not the
 * partition's: SET or DROP DEFAULT. */
int pgdrv_partition_defaults(pgdrv_emitter *em)
{
    const cairn_plan *plan = em->plan;
    const cairn_host *h = em->h;
    int rc = 0;
    for (size_t i = 0; i < plan->nchanges && !rc; i++) {
        const cairn_change *ch = plan->changes[i];
        const cairn_table *t = ch->table_to;
        int created = ch->kind == CAIRN_CHANGE_CREATE_TABLE;
        if (!created && (ch->kind != CAIRN_CHANGE_ADD_COLUMN ||
                         !pgdrv_table_option(ch->table_from, "partition_of")))
            continue;
        const cairn_table *pt = pgdrv_parent_in(plan->to, t);
        const cairn_table *pf = created ? pgdrv_parent_in(plan->from, t) : NULL;
        for (size_t j = 0; pt && j < t->ncolumns && !rc; j++) {
            const cairn_column *c = t->columns[j];
            if ((!created && c != ch->to.column) || c->generated ||
                c->identity != CAIRN_IDENTITY_NONE)
                continue;
            const cairn_column *base = pf ? h->find_column(pf, c->name) : NULL;
            if (!base)
                base = h->find_column(pt, c->name);
            if (!pgdrv_same_default(base, c))
                rc = pgdrv_alter_default(em, t, c);
        }
    }
    return rc;
}

/* A column change of a table that is a partition before and after: the
 * parent's ADD, DROP, RENAME and ALTER reach it; its default and comment
 * are its own. 1 when the change was taken care of here (*rc set). */
int pgdrv_partition_column(pgdrv_emitter *em, const cairn_change *ch, int *rc)
{
    if ((ch->kind != CAIRN_CHANGE_ADD_COLUMN && ch->kind != CAIRN_CHANGE_DROP_COLUMN &&
         ch->kind != CAIRN_CHANGE_RENAME_COLUMN && ch->kind != CAIRN_CHANGE_ALTER_COLUMN) ||
        !pgdrv_table_option(ch->table_from, "partition_of") ||
        !pgdrv_table_option(ch->table_to, "partition_of"))
        return 0;
    const cairn_table *t = ch->table_to;
    *rc = 0;
    if (ch->kind == CAIRN_CHANGE_ALTER_COLUMN && (ch->alter & CAIRN_ALTER_DEFAULT) &&
        !ch->to.column->generated && ch->to.column->identity == CAIRN_IDENTITY_NONE)
        *rc = pgdrv_alter_default(em, t, ch->to.column);
    if (!*rc && ch->kind == CAIRN_CHANGE_ALTER_COLUMN && (ch->alter & CAIRN_ALTER_COMMENT))
        *rc = pgdrv_comment(em, "COLUMN", t->schema, t->name, ch->to.column->name,
                            ch->to.column->comment);
    return 1;
}
