/*
 * Plans that leave out the drops (cairn_diff_opts.keep_drops; the CLI's
 * --no-drop, sqldef's enable_drop: false).
 *
 * The diff is run once as usual to learn what it would remove: an object of
 * the old schema that has no object of the same identity in the new one. A
 * copy of the new schema then gets those objects back (a column where it
 * stood, a key, an index, a table, a view, ...), and the plan is the diff to
 * that copy. So whatever only exists to remove something goes too, a table
 * rebuild keeps the kept columns, and the next run finds the same removals
 * and nothing else. A change that drops and recreates an object the new
 * schema still has (a changed index or view, a SQLite rebuild, a changed
 * virtual table) is no removal: it stays in the plan.
 */
#include "diff.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct keeper {
    cairn_ctx *cx;
    cairn_arena *a;      /* the copy's arena */
    cairn_schema *m;     /* the copy of the new schema */
    const cairn_table **orig;  /* tables of the new schema copied so far */
    cairn_table **copy;        /* and their copies */
    size_t ncopies;
    int rc;
} keeper;

static int same_ns(const char *a, const char *b)
{
    return diff_str_eq(a, b);
}

static int name_eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static int push(keeper *k, void ***items, size_t *n, const void *item)
{
    if (!k->rc && cairn_arena_push(k->a, items, n, (void *)item))
        k->rc = cairn_err(k->cx, CAIRN_ENOMEM, "out of memory");
    return k->rc;
}

/* An array of the copy, its own, with the items of `v`. */
static void *dup_array(keeper *k, void *const *v, size_t n)
{
    if (!n || k->rc)
        return NULL;
    /* cairn_arena_push's implicit capacity: powers of two from 4 */
    size_t cap = 4;
    while (cap < n)
        cap *= 2;
    void **out = cairn_arena_alloc(k->a, cap * sizeof *out);
    if (!out) {
        k->rc = cairn_err(k->cx, CAIRN_ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(out, v, n * sizeof *out);
    return out;
}

/* The copy's own version of a table of the new schema, made on first use. */
static cairn_table *own_table(keeper *k, const cairn_table *t)
{
    for (size_t i = 0; i < k->ncopies; i++)
        if (k->orig[i] == t)
            return k->copy[i];
    cairn_table *c = cairn_arena_alloc(k->a, sizeof *c);
    if (!c) {
        k->rc = cairn_err(k->cx, CAIRN_ENOMEM, "out of memory");
        return NULL;
    }
    *c = *t;
    c->columns = dup_array(k, (void *const *)t->columns, t->ncolumns);
    c->uniques = dup_array(k, (void *const *)t->uniques, t->nuniques);
    c->indexes = dup_array(k, (void *const *)t->indexes, t->nindexes);
    c->fkeys = dup_array(k, (void *const *)t->fkeys, t->nfkeys);
    c->checks = dup_array(k, (void *const *)t->checks, t->nchecks);
    c->triggers = dup_array(k, (void *const *)t->triggers, t->ntriggers);
    c->options = dup_array(k, (void *const *)t->options, t->noptions);
    size_t n = k->ncopies;
    if (push(k, (void ***)&k->orig, &n, t) || push(k, (void ***)&k->copy, &k->ncopies, c))
        return NULL;
    for (size_t i = 0; i < k->m->ntables; i++)
        if (k->m->tables[i] == t)
            k->m->tables[i] = c;
    return c;
}

/* A kept column goes back after the nearest column before it in the old
 * table that the new one has, or first: its place does not move. */
static void keep_column(keeper *k, cairn_table *t, const cairn_table *old, const cairn_column *col)
{
    size_t at = 0, i = 0;
    while (i < old->ncolumns && old->columns[i] != col)
        i++;
    while (i-- > 0 && !at)
        for (size_t j = 0; j < t->ncolumns && !at; j++)
            if (strcmp(t->columns[j]->name, old->columns[i]->name) == 0)
                at = j + 1;
    if (push(k, (void ***)&t->columns, &t->ncolumns, col))
        return;
    memmove(&t->columns[at + 1], &t->columns[at], (t->ncolumns - 1 - at) * sizeof *t->columns);
    t->columns[at] = (cairn_column *)col;
}

/* The name of a member of a table (index, key, check, foreign key,
 * trigger): each of those structs starts with it. */
static const char *member_name(const void *m)
{
    return *(const char *const *)m;
}

/* A dropped member of a table, whose array in cairn_table is at `items`
 * (and its count at `count`): a removal when the new table has nothing of
 * its name, or, for an unnamed one, when no unnamed one of its kind is
 * added to the table either (a changed unnamed check is a drop and an
 * add). A removal is put back into the copy of the table. */
static int keep_member(keeper *k, const cairn_plan *p, const cairn_change *c,
                       cairn_change_kind add, size_t items, size_t count)
{
    const cairn_table *tt = c->table_to;
    const char *name = member_name(c->from.ptr);
    void *const *v = *(void *const *const *)((const char *)tt + items);
    size_t n = *(const size_t *)((const char *)tt + count);
    for (size_t i = 0; i < n; i++)
        if (name && name_eq(member_name(v[i]), name))
            return 0;
    for (size_t i = 0; !name && i < p->nchanges; i++)
        if (p->changes[i]->kind == add && p->changes[i]->table_to == tt &&
            !member_name(p->changes[i]->to.ptr))
            return 0;
    cairn_table *t = own_table(k, tt);
    if (t)
        push(k, (void ***)((char *)t + items), (size_t *)((char *)t + count), c->from.ptr);
    return 1;
}

#define MEMBER(arr) offsetof(cairn_table, arr), offsetof(cairn_table, n##arr)

static int has_table(const cairn_schema *s, const cairn_table *t)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (same_ns(s->tables[i]->schema, t->schema) && strcmp(s->tables[i]->name, t->name) == 0)
            return 1;
    return 0;
}

static int has_view(const cairn_schema *s, const cairn_view *v)
{
    for (size_t i = 0; i < s->nviews; i++)
        if (same_ns(s->views[i]->schema, v->schema) && strcmp(s->views[i]->name, v->name) == 0)
            return 1;
    return 0;
}

static int has_object(const cairn_schema *s, const cairn_object *o)
{
    for (size_t i = 0; i < s->nobjects; i++) {
        const cairn_object *x = s->objects[i];
        if (strcmp(x->kind, o->kind) == 0 && same_ns(x->schema, o->schema) &&
            diff_str_eq(x->table, o->table) && strcmp(x->name, o->name) == 0 &&
            diff_str_eq(x->signature, o->signature))
            return 1;
    }
    return 0;
}

/* A table option the new schema leaves out that goes back: the old value
 * into the copy's options (cairn_table_set_option keeps them sorted by
 * key). 1 when it did. */
static int keep_option(keeper *k, const cairn_change *c, const char *key)
{
    const char *old = cairn_table_option(c->table_from, key);
    if (!old || cairn_table_option(c->table_to, key))
        return 0;
    cairn_table *t = own_table(k, c->table_to);
    if (t && !k->rc && cairn_table_set_option(k->m, t, key, old))
        k->rc = cairn_err(k->cx, CAIRN_ENOMEM, "out of memory");
    return 1;
}

/* Does change `c` of the plan to `to` remove something? If so, put it
 * back into the copy; returns 1 when it did. */
static int keep(keeper *k, const cairn_plan *p, const cairn_change *c)
{
    const cairn_table *tt = c->table_to;
    cairn_table *t;
    switch (c->kind) {
    case CAIRN_CHANGE_DROP_TABLE:
        if (has_table(p->to, c->from.table))
            return 0;
        push(k, (void ***)&k->m->tables, &k->m->ntables, c->from.table);
        return 1;
    case CAIRN_CHANGE_DROP_VIEW:
        if (has_view(p->to, c->from.view))
            return 0;
        push(k, (void ***)&k->m->views, &k->m->nviews, c->from.view);
        return 1;
    case CAIRN_CHANGE_DROP_OBJECT:
        if (has_object(p->to, c->from.object))
            return 0;
        push(k, (void ***)&k->m->objects, &k->m->nobjects, c->from.object);
        return 1;
    case CAIRN_CHANGE_DROP_ENUM:
        push(k, (void ***)&k->m->enums, &k->m->nenums, c->from.enm);
        return 1;
    case CAIRN_CHANGE_DROP_SEQUENCE:
        push(k, (void ***)&k->m->sequences, &k->m->nsequences, c->from.sequence);
        return 1;
    case CAIRN_CHANGE_DROP_NAMESPACE:
        push(k, (void ***)&k->m->namespaces, &k->m->nnamespaces, c->from.name);
        return 1;
    case CAIRN_CHANGE_DROP_COLUMN:
        for (size_t i = 0; i < tt->ncolumns; i++)
            if (strcmp(tt->columns[i]->name, c->from.column->name) == 0)
                return 0;
        if ((t = own_table(k, tt)))
            keep_column(k, t, c->table_from, c->from.column);
        return 1;
    case CAIRN_CHANGE_SET_PRIMARY_KEY:
        if (c->to.key || !c->from.key)
            return 0;
        if ((t = own_table(k, tt)))
            t->primary_key = (cairn_key *)c->from.key;
        return 1;
    case CAIRN_CHANGE_DROP_INDEX:
        return keep_member(k, p, c, CAIRN_CHANGE_CREATE_INDEX, MEMBER(indexes));
    case CAIRN_CHANGE_DROP_UNIQUE:
        return keep_member(k, p, c, CAIRN_CHANGE_ADD_UNIQUE, MEMBER(uniques));
    case CAIRN_CHANGE_DROP_CHECK:
        return keep_member(k, p, c, CAIRN_CHANGE_ADD_CHECK, MEMBER(checks));
    case CAIRN_CHANGE_DROP_FOREIGN_KEY:
        return keep_member(k, p, c, CAIRN_CHANGE_ADD_FOREIGN_KEY, MEMBER(fkeys));
    case CAIRN_CHANGE_DROP_TRIGGER:
        return keep_member(k, p, c, CAIRN_CHANGE_CREATE_TRIGGER, MEMBER(triggers));
    case CAIRN_CHANGE_SET_TABLE_OPTIONS:
        /* Row-level security turned off (PostgreSQL): the policies kept
         * would stop applying, and every row of the table would be open
         * again. It stays on, as sqldef's enable_drop: false keeps it; a
         * change between enabled and forced is no removal. */
        return keep_option(k, c, "row_security");
    default:
        return 0;
    }
}

int diff_keep_drops(cairn_ctx *cx, const cairn_schema *from, const cairn_schema *to,
                    const cairn_diff_opts *opts, cairn_plan **out)
{
    cairn_diff_opts o = *opts;
    o.keep_drops = 0;
    cairn_plan *first = NULL, *plan = NULL;
    int rc = cairn_diff(cx, from, to, &o, &first);
    if (rc)
        return rc;
    keeper k;
    memset(&k, 0, sizeof k);
    k.cx = cx;
    if (!(k.m = cairn_schema_new())) {
        cairn_plan_free(first);
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    k.a = cairn_schema_arena(k.m);
    /* the public part only: the copy keeps its own arena */
    *k.m = *to;
    k.m->namespaces = dup_array(&k, (void *const *)to->namespaces, to->nnamespaces);
    k.m->tables = dup_array(&k, (void *const *)to->tables, to->ntables);
    k.m->views = dup_array(&k, (void *const *)to->views, to->nviews);
    k.m->enums = dup_array(&k, (void *const *)to->enums, to->nenums);
    k.m->sequences = dup_array(&k, (void *const *)to->sequences, to->nsequences);
    k.m->objects = dup_array(&k, (void *const *)to->objects, to->nobjects);
    cairn_change **skipped = NULL;
    size_t nskipped = 0;
    for (size_t i = 0; i < first->nchanges && !k.rc; i++)
        if (keep(&k, first, first->changes[i]))
            push(&k, (void ***)&skipped, &nskipped, first->changes[i]);
    rc = k.rc;
    if (!rc)
        rc = cairn_diff(cx, from, k.m, &o, &plan);
    if (rc) {
        cairn_schema_free(k.m);
        cairn_plan_free(first);
        return rc;
    }
    plan_box *pb = (plan_box *)plan;
    pb->kept = k.m;
    pb->first = first;
    plan->skipped = skipped;
    plan->nskipped = nskipped;
    *out = plan;
    return 0;
}
