/*
 * Foreign keys of new tables, ordered for a dialect that checks a key when
 * it is created (CAIRN_CAP_FKEY_NEEDS_TARGET: PostgreSQL, MySQL).
 *
 * The diff creates parents before children, so a new table's key can
 * usually go in its CREATE TABLE. Not when its target is not finished at
 * that point: a table that a cycle puts later, or an existing table that
 * a later change of the plan gives the referenced column, key or index.
 * Such a key leaves the CREATE TABLE and becomes an ADD_FOREIGN_KEY at the
 * end of the plan, when every table is complete. The driver writes what it
 * is given; the plan the user reviews is unchanged (the same changes, the
 * key moved).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct {
    cairn_ctx *cx;
    cairn_arena *a;
    /* (namespace, table) -> 1 + index of the change that makes the table
     * exist under that name (CREATE_TABLE, RENAME_TABLE) */
    cairn_strmap *born;
    /* (namespace, table) -> 1 + index of the last change about the table */
    cairn_strmap *touched;
} fk_ctx;

static size_t at_of(const cairn_strmap *m, const char *ns, const char *name)
{
    return (size_t)(uintptr_t)cairn_strmap_get(m, ns, name);
}

static int index_changes(fk_ctx *f, const cairn_plan *p)
{
    for (size_t i = 0; i < p->nchanges; i++) {
        const cairn_change *c = p->changes[i];
        const void *at = (const void *)(uintptr_t)(i + 1);
        const cairn_table *t = c->table_to;
        if (!t)
            continue;
        if ((c->kind == CAIRN_CHANGE_CREATE_TABLE || c->kind == CAIRN_CHANGE_RENAME_TABLE) &&
            cairn_strmap_put(f->born, t->schema, t->name, at))
            return CAIRN_ENOMEM;
        if (cairn_strmap_put(f->touched, t->schema, t->name, at))
            return CAIRN_ENOMEM;
    }
    return 0;
}

/* Can key `fk` of table `t`, created by change `i`, be created with it? */
static int target_ready(const fk_ctx *f, const cairn_plan *p, const cairn_table *t,
                        const cairn_fkey *fk, size_t i)
{
    const char *ns = cairn_fkey_ref_ns(f->cx, t, fk);
    int same_ns = (!ns && !t->schema) || (ns && t->schema && !strcmp(ns, t->schema));
    if (same_ns && !strcmp(fk->ref_table, t->name))
        return 1; /* itself: its keys are in the same statement */
    if (!cairn_schema_find_table(p->to, ns, fk->ref_table))
        return 1; /* not the plan's: a table the schema does not manage */
    size_t born = at_of(f->born, ns, fk->ref_table);
    size_t touched = at_of(f->touched, ns, fk->ref_table);
    /* 1-based indexes: change i is at i + 1 */
    return born <= i && touched <= i;
}

/* A copy of change `c` (a CREATE_TABLE) whose table keeps only the keys
 * that are ready; the others are appended to `late`. */
static int split_create(fk_ctx *f, const cairn_plan *p, size_t i, cairn_change **out,
                        cairn_change ***late, size_t *nlate)
{
    const cairn_change *c = p->changes[i];
    const cairn_table *t = c->to.table;
    size_t nready = 0;
    for (size_t k = 0; k < t->nfkeys; k++)
        nready += target_ready(f, p, t, t->fkeys[k], i);
    *out = (cairn_change *)c;
    if (nready == t->nfkeys)
        return 0;
    cairn_table *copy = cairn_arena_alloc(f->a, sizeof *copy);
    cairn_change *cc = cairn_arena_alloc(f->a, sizeof *cc);
    cairn_fkey **keep = cairn_arena_alloc(f->a, (nready ? nready : 1) * sizeof *keep);
    if (!copy || !cc || !keep)
        return CAIRN_ENOMEM;
    *copy = *t;
    copy->fkeys = keep;
    copy->nfkeys = 0;
    for (size_t k = 0; k < t->nfkeys; k++) {
        if (target_ready(f, p, t, t->fkeys[k], i)) {
            keep[copy->nfkeys++] = t->fkeys[k];
            continue;
        }
        cairn_change *add = cairn_arena_alloc(f->a, sizeof *add);
        if (!add || cairn_arena_push(f->a, (void ***)late, nlate, add))
            return CAIRN_ENOMEM;
        add->kind = CAIRN_CHANGE_ADD_FOREIGN_KEY;
        add->table_to = t;
        add->to.fkey = t->fkeys[k];
    }
    *cc = *c;
    cc->table_to = copy;
    cc->to.table = copy;
    *out = cc;
    return 0;
}

int cairn_plan_order_fkeys(cairn_ctx *cx, const cairn_plan *p, const cairn_plan **out,
                           cairn_arena **arena)
{
    *out = p;
    *arena = NULL;
    int any = 0;
    for (size_t i = 0; i < p->nchanges && !any; i++)
        any = p->changes[i]->kind == CAIRN_CHANGE_CREATE_TABLE && p->changes[i]->to.table->nfkeys;
    if (!any)
        return 0;
    fk_ctx f = {.cx = cx, .a = cairn_arena_new()};
    cairn_plan *np = f.a ? cairn_arena_alloc(f.a, sizeof *np) : NULL;
    cairn_change **changes = np ? cairn_arena_alloc(f.a, p->nchanges * sizeof *changes) : NULL;
    cairn_change **late = NULL;
    size_t nlate = 0;
    int rc = changes ? 0 : CAIRN_ENOMEM;
    if (!rc && (!(f.born = cairn_strmap_new(f.a)) || !(f.touched = cairn_strmap_new(f.a))))
        rc = CAIRN_ENOMEM;
    if (!rc)
        rc = index_changes(&f, p);
    for (size_t i = 0; i < p->nchanges && !rc; i++) {
        changes[i] = p->changes[i];
        if (changes[i]->kind == CAIRN_CHANGE_CREATE_TABLE)
            rc = split_create(&f, p, i, &changes[i], &late, &nlate);
    }
    if (!rc && nlate) {
        cairn_change **all = cairn_arena_alloc(f.a, (p->nchanges + nlate) * sizeof *all);
        if (!all)
            rc = CAIRN_ENOMEM;
        else {
            memcpy(all, changes, p->nchanges * sizeof *all);
            memcpy(all + p->nchanges, late, nlate * sizeof *all);
            changes = all;
        }
    }
    if (rc) {
        cairn_arena_free(f.a);
        return cairn_err(cx, rc, "out of memory");
    }
    *np = *p;
    np->changes = changes;
    np->nchanges = p->nchanges + nlate;
    *out = np;
    *arena = f.a;
    return 0;
}
