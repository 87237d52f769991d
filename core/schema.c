/* The schema model: construction in one arena, lookup, deterministic order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The public struct is the first member, so a cairn_schema * is also a
 * schema_box *: the arena stays out of the ABI. */
typedef struct schema_box {
    cairn_schema s;
    cairn_arena *arena;
    /* (namespace, name) -> table, kept by cairn_schema_add_table; it stands
     * for s.tables while that array and its length are the ones it saw
     * (sorting keeps both); an array changed by hand is searched instead. */
    cairn_strmap *index;
    cairn_table **index_tables;
    size_t index_n;
    /* schemas whose tables this one took (cairn_schema_adopt_tables),
     * freed with it */
    struct schema_box *adopted;
} schema_box;

cairn_arena *cairn_schema_arena(cairn_schema *s)
{
    return ((schema_box *)s)->arena;
}

cairn_schema *cairn_schema_new(void)
{
    schema_box *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    if (!(b->arena = cairn_arena_new())) {
        free(b);
        return NULL;
    }
    return &b->s;
}

void cairn_schema_free(cairn_schema *s)
{
    for (schema_box *b = (schema_box *)s, *next; b; b = next) {
        next = b->adopted;
        cairn_arena_free(b->arena);
        free(b);
    }
}

const char *cairn_schema_strdup(cairn_schema *s, const char *str)
{
    return cairn_arena_strdup(cairn_schema_arena(s), str);
}

const char *cairn_schema_strndup(cairn_schema *s, const char *str, size_t len)
{
    return cairn_arena_strndup(cairn_schema_arena(s), str, len);
}

#define A(s) cairn_schema_arena(s)
#define PUSH(s, arr, n, item) cairn_arena_push(A(s), (void ***)&(arr), &(n), (item))

/* `t` appended to the tables, and to the index while it stands for them. */
static int push_table(cairn_schema *s, cairn_table *t)
{
    schema_box *b = (schema_box *)s;
    int indexed = b->index_tables == s->tables && b->index_n == s->ntables;
    if (PUSH(s, s->tables, s->ntables, t))
        return CAIRN_ENOMEM;
    if (indexed && !b->index && !(b->index = cairn_strmap_new(A(s))))
        indexed = 0;
    /* the first of two tables with one name is the one found, as before */
    if (indexed && b->index && (cairn_strmap_get(b->index, t->schema, t->name) ||
                                !cairn_strmap_put(b->index, t->schema, t->name, t))) {
        b->index_tables = s->tables;
        b->index_n = s->ntables;
    }
    return 0;
}

cairn_table *cairn_schema_add_table(cairn_schema *s, const char *ns, const char *name)
{
    cairn_table *t = cairn_arena_alloc(A(s), sizeof *t);
    if (!t || (ns && !(t->schema = cairn_arena_strdup(A(s), ns))) ||
        !(t->name = cairn_arena_strdup(A(s), name ? name : "")) || push_table(s, t))
        return NULL;
    return t;
}

int cairn_schema_adopt_tables(cairn_schema *s, cairn_schema *from)
{
    for (size_t i = 0; i < from->ntables; i++)
        if (push_table(s, from->tables[i]))
            return CAIRN_ENOMEM;
    schema_box *b = (schema_box *)s, *last = (schema_box *)from;
    while (last->adopted)
        last = last->adopted;
    last->adopted = b->adopted;
    b->adopted = (schema_box *)from;
    return 0;
}

int cairn_schema_index_tables(cairn_schema *s)
{
    schema_box *b = (schema_box *)s;
    cairn_strmap *index = cairn_strmap_new(A(s));
    if (!index)
        return CAIRN_ENOMEM;
    /* the first of two tables with one name is the one found, as in add_table */
    for (size_t i = 0; i < s->ntables; i++)
        if (!cairn_strmap_get(index, s->tables[i]->schema, s->tables[i]->name) &&
            cairn_strmap_put(index, s->tables[i]->schema, s->tables[i]->name, s->tables[i]))
            return CAIRN_ENOMEM;
    b->index = index;
    b->index_tables = s->tables;
    b->index_n = s->ntables;
    return 0;
}

cairn_column *cairn_table_add_column(cairn_schema *s, cairn_table *t, const char *name)
{
    cairn_column *c = cairn_arena_alloc(A(s), sizeof *c);
    if (!c || !(c->name = cairn_arena_strdup(A(s), name ? name : "")) ||
        PUSH(s, t->columns, t->ncolumns, c))
        return NULL;
    return c;
}

cairn_key *cairn_table_set_primary_key(cairn_schema *s, cairn_table *t, const char *name)
{
    cairn_key *k = cairn_arena_alloc(A(s), sizeof *k);
    if (!k || (name && !(k->name = cairn_arena_strdup(A(s), name))))
        return NULL;
    t->primary_key = k;
    return k;
}

cairn_key *cairn_table_add_unique(cairn_schema *s, cairn_table *t, const char *name)
{
    cairn_key *k = cairn_arena_alloc(A(s), sizeof *k);
    if (!k || (name && !(k->name = cairn_arena_strdup(A(s), name))) ||
        PUSH(s, t->uniques, t->nuniques, k))
        return NULL;
    return k;
}

static int push_str(cairn_schema *s, const char ***arr, size_t *n, const char *str)
{
    const char *copy = cairn_arena_strdup(A(s), str ? str : "");
    if (!copy)
        return CAIRN_ENOMEM;
    return cairn_arena_push(A(s), (void ***)arr, n, (void *)copy);
}

int cairn_key_add_column(cairn_schema *s, cairn_key *k, const char *column)
{
    return push_str(s, &k->columns, &k->ncolumns, column);
}

cairn_index *cairn_table_add_index(cairn_schema *s, cairn_table *t, const char *name)
{
    cairn_index *ix = cairn_arena_alloc(A(s), sizeof *ix);
    if (!ix || (name && !(ix->name = cairn_arena_strdup(A(s), name))) ||
        PUSH(s, t->indexes, t->nindexes, ix))
        return NULL;
    return ix;
}

cairn_index_part *cairn_index_add_part(cairn_schema *s, cairn_index *ix)
{
    cairn_index_part *p = cairn_arena_alloc(A(s), sizeof *p);
    if (!p || PUSH(s, ix->parts, ix->nparts, p))
        return NULL;
    return p;
}

int cairn_index_add_include(cairn_schema *s, cairn_index *ix, const char *column)
{
    return push_str(s, &ix->include, &ix->ninclude, column);
}

cairn_fkey *cairn_table_add_fkey(cairn_schema *s, cairn_table *t, const char *name)
{
    cairn_fkey *fk = cairn_arena_alloc(A(s), sizeof *fk);
    if (!fk || (name && !(fk->name = cairn_arena_strdup(A(s), name))) ||
        PUSH(s, t->fkeys, t->nfkeys, fk))
        return NULL;
    return fk;
}

int cairn_fkey_add_columns(cairn_schema *s, cairn_fkey *fk, const char *column,
                           const char *ref_column)
{
    int rc = 0;
    if (column)
        rc = push_str(s, &fk->columns, &fk->ncolumns, column);
    if (!rc && ref_column)
        rc = push_str(s, &fk->ref_columns, &fk->nref_columns, ref_column);
    return rc;
}

cairn_check *cairn_table_add_check(cairn_schema *s, cairn_table *t, const char *name,
                                   const char *expr)
{
    cairn_check *c = cairn_arena_alloc(A(s), sizeof *c);
    if (!c || (name && !(c->name = cairn_arena_strdup(A(s), name))) ||
        !(c->expr = cairn_arena_strdup(A(s), expr ? expr : "")) ||
        PUSH(s, t->checks, t->nchecks, c))
        return NULL;
    return c;
}

cairn_trigger *cairn_table_add_trigger(cairn_schema *s, cairn_table *t, const char *name,
                                       const char *sql)
{
    cairn_trigger *tr = cairn_arena_alloc(A(s), sizeof *tr);
    if (!tr || !(tr->name = cairn_arena_strdup(A(s), name ? name : "")) ||
        !(tr->sql = cairn_arena_strdup(A(s), sql ? sql : "")) ||
        PUSH(s, t->triggers, t->ntriggers, tr))
        return NULL;
    return tr;
}

static int set_option(cairn_schema *s, const char ***options, size_t *noptions, const char *key,
                      const char *value)
{
    size_t klen = strlen(key);
    size_t len = klen + 1 + (value ? strlen(value) : 0);
    char *kv = cairn_arena_alloc(A(s), len + 1);
    if (!kv)
        return CAIRN_ENOMEM;
    memcpy(kv, key, klen);
    kv[klen] = '=';
    if (value)
        memcpy(kv + klen + 1, value, strlen(value));
    /* Sorted by key alone ("s" before "strict"): comparing "key=value"
     * text put a key after another it is a prefix of, or before it,
     * depending on the order the options were set in. */
    size_t i = 0;
    for (; i < *noptions; i++) {
        const char *eq = strchr((*options)[i], '=');
        size_t olen = eq ? (size_t)(eq - (*options)[i]) : strlen((*options)[i]);
        int c = strncmp((*options)[i], key, olen < klen ? olen : klen);
        if (c == 0)
            c = (olen > klen) - (olen < klen);
        if (c == 0) {
            (*options)[i] = kv;
            return 0;
        }
        if (c > 0)
            break;
    }
    if (cairn_arena_push(A(s), (void ***)options, noptions, kv))
        return CAIRN_ENOMEM;
    memmove(&(*options)[i + 1], &(*options)[i], (*noptions - 1 - i) * sizeof(char *));
    (*options)[i] = kv;
    return 0;
}

static int copy_options(cairn_schema *d, const char ***options, size_t *noptions,
                        const char *const *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *kv = src[i], *eq = strchr(kv, '=');
        char *key = strndup(kv, eq ? (size_t)(eq - kv) : strlen(kv));
        int rc = key ? set_option(d, options, noptions, key, eq ? eq + 1 : "") : CAIRN_ENOMEM;
        free(key);
        if (rc)
            return rc;
    }
    return 0;
}

int cairn_table_set_option(cairn_schema *s, cairn_table *t, const char *key, const char *value)
{
    return set_option(s, &t->options, &t->noptions, key, value);
}

int cairn_view_set_option(cairn_schema *s, cairn_view *v, const char *key, const char *value)
{
    return set_option(s, &v->options, &v->noptions, key, value);
}

cairn_view *cairn_schema_add_view(cairn_schema *s, const char *ns, const char *name,
                                  const char *definition)
{
    cairn_view *v = cairn_arena_alloc(A(s), sizeof *v);
    if (!v || (ns && !(v->schema = cairn_arena_strdup(A(s), ns))) ||
        !(v->name = cairn_arena_strdup(A(s), name ? name : "")) ||
        !(v->definition = cairn_arena_strdup(A(s), definition ? definition : "")) ||
        PUSH(s, s->views, s->nviews, v))
        return NULL;
    return v;
}

const char *cairn_table_option(const cairn_table *t, const char *key)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i < t->noptions; i++)
        if (strncmp(t->options[i], key, klen) == 0 && t->options[i][klen] == '=')
            return t->options[i] + klen + 1;
    return NULL;
}

int cairn_table_is_virtual(const cairn_table *t)
{
    return cairn_table_option(t, "using") != NULL;
}

int cairn_view_add_column(cairn_schema *s, cairn_view *v, const char *column)
{
    return push_str(s, &v->columns, &v->ncolumns, column);
}

cairn_enum *cairn_schema_add_enum(cairn_schema *s, const char *ns, const char *name)
{
    cairn_enum *e = cairn_arena_alloc(A(s), sizeof *e);
    if (!e || (ns && !(e->schema = cairn_arena_strdup(A(s), ns))) ||
        !(e->name = cairn_arena_strdup(A(s), name ? name : "")) ||
        PUSH(s, s->enums, s->nenums, e))
        return NULL;
    return e;
}

int cairn_enum_add_value(cairn_schema *s, cairn_enum *e, const char *value)
{
    return push_str(s, &e->values, &e->nvalues, value);
}

cairn_sequence *cairn_schema_add_sequence(cairn_schema *s, const char *ns, const char *name)
{
    cairn_sequence *q = cairn_arena_alloc(A(s), sizeof *q);
    if (!q || (ns && !(q->schema = cairn_arena_strdup(A(s), ns))) ||
        !(q->name = cairn_arena_strdup(A(s), name ? name : "")) ||
        PUSH(s, s->sequences, s->nsequences, q))
        return NULL;
    q->start = 1;
    q->increment = 1;
    q->cache = 1;
    return q;
}

int cairn_schema_add_namespace(cairn_schema *s, const char *ns)
{
    for (size_t i = 0; i < s->nnamespaces; i++)
        if (strcmp(s->namespaces[i], ns) == 0)
            return 0;
    return push_str(s, &s->namespaces, &s->nnamespaces, ns);
}

/* Copy an optional string into `s`'s arena: 0, or CAIRN_ENOMEM. */
static int dup_opt(cairn_schema *s, const char **dst, const char *src)
{
    *dst = src ? cairn_arena_strdup(A(s), src) : NULL;
    return src && !*dst ? CAIRN_ENOMEM : 0;
}

cairn_object *cairn_schema_add_object(cairn_schema *s, const char *kind, const char *ns,
                                      const char *name, const char *signature,
                                      const char *table, const char *definition)
{
    cairn_object *o = cairn_arena_alloc(A(s), sizeof *o);
    if (!o || !(o->kind = cairn_arena_strdup(A(s), kind ? kind : "")) ||
        dup_opt(s, &o->schema, ns) || !(o->name = cairn_arena_strdup(A(s), name ? name : "")) ||
        dup_opt(s, &o->signature, signature) || dup_opt(s, &o->table, table) ||
        !(o->definition = cairn_arena_strdup(A(s), definition ? definition : "")) ||
        PUSH(s, s->objects, s->nobjects, o))
        return NULL;
    return o;
}

static int opt_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int cairn_object_add_depend(cairn_schema *s, cairn_object *o, const char *kind, const char *ns,
                            const char *name, const char *signature)
{
    for (size_t i = 0; i < o->ndepends; i++) {
        const cairn_object_ref *r = o->depends[i];
        if (strcmp(r->kind, kind) == 0 && opt_eq(r->schema, ns) && strcmp(r->name, name) == 0 &&
            opt_eq(r->signature, signature))
            return 0;
    }
    cairn_object_ref *r = cairn_arena_alloc(A(s), sizeof *r);
    if (!r || !(r->kind = cairn_arena_strdup(A(s), kind)) || dup_opt(s, &r->schema, ns) ||
        !(r->name = cairn_arena_strdup(A(s), name)) || dup_opt(s, &r->signature, signature) ||
        PUSH(s, o->depends, o->ndepends, r))
        return CAIRN_ENOMEM;
    return 0;
}

void cairn_object_label(const cairn_object *o, char *out, size_t size)
{
    snprintf(out, size, "%s %s%s%s%s%s%s%s%s", o->kind, o->schema ? o->schema : "",
             o->schema ? "." : "", o->name, o->signature ? "(" : "",
             o->signature ? o->signature : "", o->signature ? ")" : "",
             o->table ? " on " : "", o->table ? o->table : "");
}

/* ---- deep copies into another schema's arena ------------------------------- */

/* Copy an optional string into `d`'s arena. */
static int cp(cairn_schema *d, const char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return 0;
    return (*dst = cairn_schema_strdup(d, src)) ? 0 : CAIRN_ENOMEM;
}

static int copy_key(cairn_schema *d, cairn_key *k, const cairn_key *src)
{
    if (!k)
        return CAIRN_ENOMEM;
    for (size_t i = 0; i < src->ncolumns; i++)
        if (cairn_key_add_column(d, k, src->columns[i]))
            return CAIRN_ENOMEM;
    k->nulls_not_distinct = src->nulls_not_distinct;
    k->deferrable = src->deferrable;
    k->initially_deferred = src->initially_deferred;
    k->without_overlaps = src->without_overlaps;
    return cp(d, &k->comment, src->comment);
}

static int copy_index(cairn_schema *d, cairn_table *t, const cairn_index *src)
{
    cairn_index *ix = cairn_table_add_index(d, t, src->name);
    if (!ix)
        return CAIRN_ENOMEM;
    ix->unique = src->unique;
    for (size_t i = 0; i < src->nparts; i++) {
        const cairn_index_part *sp = src->parts[i];
        cairn_index_part *p = cairn_index_add_part(d, ix);
        if (!p || cp(d, &p->column, sp->column) || cp(d, &p->expr, sp->expr) ||
            cp(d, &p->collation, sp->collation))
            return CAIRN_ENOMEM;
        p->desc = sp->desc;
        p->length = sp->length;
    }
    for (size_t i = 0; i < src->ninclude; i++)
        if (cairn_index_add_include(d, ix, src->include[i]))
            return CAIRN_ENOMEM;
    if (cp(d, &ix->where, src->where) || cp(d, &ix->method, src->method) ||
        cp(d, &ix->comment, src->comment) || cp(d, &ix->was, src->was))
        return CAIRN_ENOMEM;
    return 0;
}

static int copy_fkey(cairn_schema *d, cairn_table *t, const cairn_fkey *src)
{
    cairn_fkey *fk = cairn_table_add_fkey(d, t, src->name);
    if (!fk)
        return CAIRN_ENOMEM;
    for (size_t i = 0; i < src->ncolumns; i++)
        if (cairn_fkey_add_columns(d, fk, src->columns[i], NULL))
            return CAIRN_ENOMEM;
    for (size_t i = 0; i < src->nref_columns; i++)
        if (cairn_fkey_add_columns(d, fk, NULL, src->ref_columns[i]))
            return CAIRN_ENOMEM;
    if (cp(d, &fk->ref_schema, src->ref_schema) || cp(d, &fk->ref_table, src->ref_table))
        return CAIRN_ENOMEM;
    fk->on_delete = src->on_delete;
    fk->on_update = src->on_update;
    fk->deferrable = src->deferrable;
    fk->initially_deferred = src->initially_deferred;
    fk->match_full = src->match_full;
    fk->not_valid = src->not_valid;
    fk->period = src->period;
    return cp(d, &fk->comment, src->comment);
}

static int copy_table(cairn_schema *d, cairn_table *t, const cairn_table *src)
{
    if (cp(d, &t->was, src->was) || cp(d, &t->comment, src->comment))
        return CAIRN_ENOMEM;
    for (size_t i = 0; i < src->ncolumns; i++) {
        const cairn_column *sc = src->columns[i];
        cairn_column *c = cairn_table_add_column(d, t, sc->name);
        if (!c || cp(d, &c->type, sc->type) || cp(d, &c->default_expr, sc->default_expr) ||
            cp(d, &c->generated, sc->generated) || cp(d, &c->collation, sc->collation) ||
            cp(d, &c->comment, sc->comment) || cp(d, &c->was, sc->was) ||
            cp(d, &c->extra, sc->extra) || cp(d, &c->not_null_name, sc->not_null_name))
            return CAIRN_ENOMEM;
        c->not_null = sc->not_null;
        c->identity = sc->identity;
        c->generated_stored = sc->generated_stored;
    }
    if (src->primary_key &&
        copy_key(d, cairn_table_set_primary_key(d, t, src->primary_key->name), src->primary_key))
        return CAIRN_ENOMEM;
    for (size_t i = 0; i < src->nuniques; i++)
        if (copy_key(d, cairn_table_add_unique(d, t, src->uniques[i]->name), src->uniques[i]))
            return CAIRN_ENOMEM;
    for (size_t i = 0; i < src->nindexes; i++)
        if (copy_index(d, t, src->indexes[i]))
            return CAIRN_ENOMEM;
    for (size_t i = 0; i < src->nfkeys; i++)
        if (copy_fkey(d, t, src->fkeys[i]))
            return CAIRN_ENOMEM;
    for (size_t i = 0; i < src->nchecks; i++) {
        const cairn_check *sc = src->checks[i];
        cairn_check *c = cairn_table_add_check(d, t, sc->name, sc->expr);
        if (!c || cp(d, &c->comment, sc->comment))
            return CAIRN_ENOMEM;
        c->not_valid = sc->not_valid;
    }
    for (size_t i = 0; i < src->ntriggers; i++) {
        const cairn_trigger *st = src->triggers[i];
        cairn_trigger *tr = cairn_table_add_trigger(d, t, st->name, st->sql);
        if (!tr || cp(d, &tr->comment, st->comment))
            return CAIRN_ENOMEM;
    }
    return copy_options(d, &t->options, &t->noptions, src->options, src->noptions);
}

cairn_table *cairn_schema_copy_table(cairn_schema *d, const cairn_table *src)
{
    cairn_table *t = cairn_schema_add_table(d, src->schema, src->name);
    return t && copy_table(d, t, src) == 0 ? t : NULL;
}

cairn_view *cairn_schema_copy_view(cairn_schema *d, const cairn_view *src)
{
    cairn_view *v = cairn_schema_add_view(d, src->schema, src->name, src->definition);
    if (!v || cp(d, &v->comment, src->comment) || cp(d, &v->was, src->was) ||
        cp(d, &v->grants, src->grants) || cp(d, &v->owner, src->owner) ||
        copy_options(d, &v->options, &v->noptions, src->options, src->noptions))
        return NULL;
    v->materialized = src->materialized;
    for (size_t i = 0; i < src->ncolumns; i++)
        if (cairn_view_add_column(d, v, src->columns[i]))
            return NULL;
    return v;
}

cairn_enum *cairn_schema_copy_enum(cairn_schema *d, const cairn_enum *src)
{
    cairn_enum *e = cairn_schema_add_enum(d, src->schema, src->name);
    for (size_t i = 0; e && i < src->nvalues; i++)
        if (cairn_enum_add_value(d, e, src->values[i]))
            return NULL;
    return e && cp(d, &e->comment, src->comment) == 0 ? e : NULL;
}

cairn_sequence *cairn_schema_copy_sequence(cairn_schema *d, const cairn_sequence *src)
{
    cairn_sequence *q = cairn_schema_add_sequence(d, src->schema, src->name);
    if (!q || cp(d, &q->type, src->type))
        return NULL;
    q->start = src->start;
    q->increment = src->increment;
    q->min_value = src->min_value;
    q->max_value = src->max_value;
    q->cache = src->cache;
    q->has_min = src->has_min;
    q->has_max = src->has_max;
    q->cycle = src->cycle;
    return q;
}

cairn_object *cairn_schema_copy_object(cairn_schema *d, const cairn_object *src)
{
    cairn_object *o = cairn_schema_add_object(d, src->kind, src->schema, src->name,
                                              src->signature, src->table, src->definition);
    if (!o || cp(d, &o->comment, src->comment))
        return NULL;
    for (size_t i = 0; i < src->ndepends; i++) {
        const cairn_object_ref *r = src->depends[i];
        if (cairn_object_add_depend(d, o, r->kind, r->schema, r->name, r->signature))
            return NULL;
    }
    return o;
}

static int ns_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

cairn_table *cairn_schema_find_table(const cairn_schema *s, const char *ns, const char *name)
{
    const schema_box *b = (const schema_box *)s;
    if (b->index && b->index_tables == s->tables && b->index_n == s->ntables) {
        cairn_table *t = (cairn_table *)cairn_strmap_get(b->index, ns, name);
        return t && ns_eq(t->schema, ns) && strcmp(t->name, name) == 0 ? t : NULL;
    }
    for (size_t i = 0; i < s->ntables; i++)
        if (ns_eq(s->tables[i]->schema, ns) && strcmp(s->tables[i]->name, name) == 0)
            return s->tables[i];
    return NULL;
}

cairn_column *cairn_table_find_column(const cairn_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncolumns; i++)
        if (strcmp(t->columns[i]->name, name) == 0)
            return t->columns[i];
    return NULL;
}

/* ---- deterministic order ---------------------------------------------- */

static int cmp_opt(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

#define NAMED_CMP(fn, type, nsfield)                                   \
    static int fn(const void *pa, const void *pb)                     \
    {                                                                 \
        const type *a = *(const type *const *)pa;                     \
        const type *b = *(const type *const *)pb;                     \
        int c = nsfield ? cmp_opt(a->schema, b->schema) : 0;          \
        return c ? c : cmp_opt(a->name, b->name);                     \
    }

NAMED_CMP(cmp_table, cairn_table, 1)
NAMED_CMP(cmp_view, cairn_view, 1)
NAMED_CMP(cmp_enum, cairn_enum, 1)
NAMED_CMP(cmp_sequence, cairn_sequence, 1)

#define NAME_CMP(fn, type)                                    \
    static int fn(const void *pa, const void *pb)            \
    {                                                        \
        const type *a = *(const type *const *)pa;            \
        const type *b = *(const type *const *)pb;            \
        return cmp_opt(a->name, b->name);                    \
    }
NAME_CMP(cmp_index, cairn_index)
NAME_CMP(cmp_fkey, cairn_fkey)
NAME_CMP(cmp_check, cairn_check)
NAME_CMP(cmp_trigger, cairn_trigger)

int cairn_object_cmp(const cairn_object *a, const cairn_object *b)
{
    int c = strcmp(a->kind, b->kind);
    if (!c)
        c = cmp_opt(a->schema, b->schema);
    if (!c)
        c = cmp_opt(a->table, b->table);
    if (!c)
        c = strcmp(a->name, b->name);
    return c ? c : cmp_opt(a->signature, b->signature);
}

static int cmp_object(const void *pa, const void *pb)
{
    return cairn_object_cmp(*(const cairn_object *const *)pa, *(const cairn_object *const *)pb);
}

static int cmp_ref(const void *pa, const void *pb)
{
    const cairn_object_ref *a = *(const cairn_object_ref *const *)pa;
    const cairn_object_ref *b = *(const cairn_object_ref *const *)pb;
    int c = strcmp(a->kind, b->kind);
    if (!c)
        c = cmp_opt(a->schema, b->schema);
    if (!c)
        c = strcmp(a->name, b->name);
    return c ? c : cmp_opt(a->signature, b->signature);
}

static int cmp_str(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* Unnamed keys and checks sort by their content, so order stays stable. */
static int cmp_key(const void *pa, const void *pb)
{
    const cairn_key *a = *(const cairn_key *const *)pa, *b = *(const cairn_key *const *)pb;
    int c = cmp_opt(a->name, b->name);
    for (size_t i = 0; !c && i < a->ncolumns && i < b->ncolumns; i++)
        c = strcmp(a->columns[i], b->columns[i]);
    return c ? c : (a->ncolumns > b->ncolumns) - (a->ncolumns < b->ncolumns);
}

static int cmp_check_full(const void *pa, const void *pb)
{
    int c = cmp_check(pa, pb);
    if (c)
        return c;
    const cairn_check *a = *(const cairn_check *const *)pa, *b = *(const cairn_check *const *)pb;
    return cmp_opt(a->expr, b->expr);
}

#define SORT(arr, n, cmp) \
    do { if ((n) > 1) qsort((void *)(arr), (n), sizeof *(arr), cmp); } while (0)

void cairn_schema_sort(cairn_schema *s)
{
    SORT(s->namespaces, s->nnamespaces, cmp_str);
    SORT(s->tables, s->ntables, cmp_table);
    SORT(s->views, s->nviews, cmp_view);
    SORT(s->enums, s->nenums, cmp_enum);
    SORT(s->sequences, s->nsequences, cmp_sequence);
    SORT(s->objects, s->nobjects, cmp_object);
    for (size_t i = 0; i < s->nobjects; i++)
        SORT(s->objects[i]->depends, s->objects[i]->ndepends, cmp_ref);
    for (size_t i = 0; i < s->ntables; i++) {
        cairn_table *t = s->tables[i];
        SORT(t->uniques, t->nuniques, cmp_key);
        SORT(t->indexes, t->nindexes, cmp_index);
        SORT(t->fkeys, t->nfkeys, cmp_fkey);
        SORT(t->checks, t->nchecks, cmp_check_full);
        SORT(t->triggers, t->ntriggers, cmp_trigger);
    }
}
