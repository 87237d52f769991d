/*
 * JSON io: writing schema documents and migration snapshots, deterministic
 * (sorted objects, 2-space indent, a final newline) so they diff cleanly.
 * jansson is used here and in json.c only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json.h"

/* ---- the writer ------------------------------------------------------------ */

typedef struct wr {
    cairn_ctx *cx;
    int rc;          /* sticky: the first failure */
    char what[256];  /* the object being written, for messages */
} wr;

static void w_oom(wr *w)
{
    if (!w->rc)
        w->rc = cairn_err(w->cx, CAIRN_ENOMEM, "out of memory");
}

/* Set o[key] = v, taking v (also on failure). */
static void w_set(wr *w, json_t *o, const char *key, json_t *v)
{
    if (w->rc || !o) {
        json_decref(v);
        return;
    }
    if (!v || json_object_set_new(o, key, v))
        w_oom(w);
}

static json_t *w_string(wr *w, const char *key, const char *v)
{
    json_t *j = json_string(v);
    /* json_string refuses invalid UTF-8: say which value it was. */
    if (!j && !w->rc)
        w->rc = cairn_err(w->cx, CAIRN_ESCHEMA, "cannot write %s: \"%s\" is not valid UTF-8",
                          w->what, key);
    return j;
}

static void w_str(wr *w, json_t *o, const char *key, const char *v)
{
    if (v && !w->rc)
        w_set(w, o, key, w_string(w, key, v));
}

static void w_bool(wr *w, json_t *o, const char *key, int v)
{
    if (v)
        w_set(w, o, key, json_true());
}

static json_t *w_strarr(wr *w, const char *key, const char *const *v, size_t n)
{
    json_t *a = json_array();
    if (!a) {
        w_oom(w);
        return NULL;
    }
    for (size_t i = 0; i < n && !w->rc; i++) {
        json_t *s = w_string(w, key, v[i]);
        if (s && json_array_append_new(a, s))
            w_oom(w);
    }
    return a;
}

static void w_strs(wr *w, json_t *o, const char *key, const char *const *v, size_t n)
{
    if (n && !w->rc)
        w_set(w, o, key, w_strarr(w, key, v, n));
}

static int cmp_opt(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int cmp_strp(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* Options compare by key only ("a=1" before "a_b=2"). */
static int cmp_optkey(const void *pa, const void *pb)
{
    const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
    size_t la = strcspn(a, "="), lb = strcspn(b, "=");
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/* Collections are written sorted by namespace and name (absent first), ties
 * broken by the whole object's text: the output never depends on the input
 * order, and the input is not touched. */
typedef struct item {
    const char *ns, *name;
    json_t *j;
    char *dump;
} item;

static int cmp_item(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    int c = cmp_opt(a->ns, b->ns);
    if (!c)
        c = cmp_opt(a->name, b->name);
    return c ? c : strcmp(a->dump, b->dump);
}

/* Set o[key] to the items as a sorted array; takes every item's json. */
static void w_sorted(wr *w, json_t *o, const char *key, item *it, size_t n)
{
    for (size_t i = 0; i < n && !w->rc; i++)
        if (!it[i].j || !(it[i].dump = json_dumps(it[i].j, JSON_COMPACT | JSON_SORT_KEYS)))
            w_oom(w);
    json_t *a = NULL;
    if (!w->rc) {
        qsort(it, n, sizeof *it, cmp_item);
        if (!(a = json_array()))
            w_oom(w);
    }
    for (size_t i = 0; i < n; i++) {
        if (!w->rc && json_array_append(a, it[i].j))
            w_oom(w);
        json_decref(it[i].j);
        free(it[i].dump);
    }
    free(it);
    w_set(w, o, key, a);
}

static item *w_items(wr *w, size_t n)
{
    item *it = calloc(n ? n : 1, sizeof *it);
    if (!it)
        w_oom(w);
    return it;
}

static json_t *w_column(wr *w, const cairn_column *c)
{
    json_t *o = json_object();
    w_str(w, o, "name", c->name);
    w_str(w, o, "type", c->type);
    w_bool(w, o, "not_null", c->not_null);
    w_str(w, o, "default", c->default_expr);
    if (c->identity != CAIRN_IDENTITY_NONE) {
        if ((unsigned)c->identity > CAIRN_IDENTITY_BY_DEFAULT && !w->rc)
            w->rc = cairn_err(w->cx, CAIRN_EGENERIC, "cannot write %s: identity %d", w->what,
                              (int)c->identity);
        else
            w_str(w, o, "identity", json_identity_names[c->identity]);
    }
    if (c->generated) {
        json_t *g = json_object();
        w_str(w, g, "expr", c->generated);
        w_bool(w, g, "stored", c->generated_stored);
        w_set(w, o, "generated", g);
    }
    w_str(w, o, "collation", c->collation);
    w_str(w, o, "comment", c->comment);
    w_str(w, o, "was", c->was);
    w_str(w, o, "extra", c->extra);
    return o;
}

static json_t *w_key(wr *w, const cairn_key *k, int primary)
{
    json_t *o = json_object();
    w_str(w, o, "name", k->name);
    if (!w->rc)
        w_set(w, o, "columns", w_strarr(w, "columns", k->columns, k->ncolumns));
    if (!primary)
        w_bool(w, o, "nulls_not_distinct", k->nulls_not_distinct);
    return o;
}

static json_t *w_part(wr *w, const cairn_index_part *p)
{
    if (p->column && !p->expr && !p->desc && !p->collation && !p->length)
        return w_string(w, "columns", p->column);
    json_t *o = json_object();
    w_str(w, o, "column", p->column);
    w_str(w, o, "expr", p->expr);
    w_bool(w, o, "desc", p->desc);
    w_str(w, o, "collation", p->collation);
    if (p->length)
        w_set(w, o, "length", json_integer(p->length));
    return o;
}

static json_t *w_index(wr *w, const cairn_index *ix)
{
    json_t *o = json_object(), *parts = json_array();
    w_str(w, o, "name", ix->name);
    w_bool(w, o, "unique", ix->unique);
    for (size_t i = 0; i < ix->nparts && !w->rc; i++) {
        json_t *p = w_part(w, ix->parts[i]);
        if (!p || !parts || json_array_append_new(parts, p))
            w_oom(w);
    }
    w_set(w, o, "columns", parts);
    w_str(w, o, "where", ix->where);
    w_str(w, o, "method", ix->method);
    w_strs(w, o, "include", ix->include, ix->ninclude);
    w_str(w, o, "comment", ix->comment);
    w_str(w, o, "was", ix->was);
    return o;
}

static void w_action(wr *w, json_t *o, const char *key, cairn_fk_action a)
{
    if (a == CAIRN_FK_NO_ACTION)
        return;
    if ((unsigned)a > CAIRN_FK_SET_DEFAULT) {
        if (!w->rc)
            w->rc = cairn_err(w->cx, CAIRN_EGENERIC, "cannot write %s: foreign key action %d",
                              w->what, (int)a);
        return;
    }
    w_str(w, o, key, json_fk_action_names[a]);
}

static json_t *w_fkey(wr *w, const cairn_fkey *fk)
{
    json_t *o = json_object(), *ref = json_object();
    w_str(w, o, "name", fk->name);
    if (!w->rc)
        w_set(w, o, "columns", w_strarr(w, "columns", fk->columns, fk->ncolumns));
    w_str(w, ref, "schema", fk->ref_schema);
    w_str(w, ref, "table", fk->ref_table);
    if (!w->rc)
        w_set(w, ref, "columns", w_strarr(w, "columns", fk->ref_columns, fk->nref_columns));
    w_set(w, o, "references", ref);
    w_action(w, o, "on_delete", fk->on_delete);
    w_action(w, o, "on_update", fk->on_update);
    w_bool(w, o, "deferrable", fk->deferrable);
    w_bool(w, o, "initially_deferred", fk->initially_deferred);
    return o;
}

/* "options": {"key": "value"} from "key=value" strings (a table's, a view's). */
static void w_options(wr *w, json_t *o, const char *const *options, size_t n)
{
    if (!n)
        return;
    /* "key=value" strings; sorted by key by construction, sorted again
     * here because a driver may have filled the array itself. */
    const char **opts = calloc(n, sizeof *opts);
    json_t *oo = json_object();
    if (!opts || !oo)
        w_oom(w);
    for (size_t i = 0; opts && i < n; i++)
        opts[i] = options[i];
    if (opts)
        qsort(opts, n, sizeof *opts, cmp_optkey);
    for (size_t i = 0; opts && i < n && !w->rc; i++) {
        const char *eq = strchr(opts[i], '=');
        size_t klen = eq ? (size_t)(eq - opts[i]) : strlen(opts[i]);
        char *key = strndup(opts[i], klen);
        json_t *probe = key ? w_string(w, "options", key) : NULL; /* a name is UTF-8 too */
        if (!key)
            w_oom(w);
        else if (probe)
            w_set(w, oo, key, w_string(w, "options", eq ? eq + 1 : ""));
        json_decref(probe);
        free(key);
    }
    free(opts);
    w_set(w, o, "options", oo);
}

static json_t *w_table(wr *w, const cairn_table *t)
{
    snprintf(w->what, sizeof w->what, "table \"%s\"", t->name ? t->name : "");
    json_t *o = json_object();
    w_str(w, o, "name", t->name);
    w_str(w, o, "schema", t->schema);
    w_str(w, o, "was", t->was);
    w_str(w, o, "comment", t->comment);
    if (t->ncolumns) {
        json_t *cols = json_array();
        for (size_t i = 0; i < t->ncolumns && !w->rc; i++) {
            snprintf(w->what, sizeof w->what, "table \"%s\", column \"%s\"",
                     t->name ? t->name : "", t->columns[i]->name ? t->columns[i]->name : "");
            json_t *c = w_column(w, t->columns[i]);
            if (!c || !cols || json_array_append_new(cols, c))
                w_oom(w);
        }
        w_set(w, o, "columns", cols);
        snprintf(w->what, sizeof w->what, "table \"%s\"", t->name ? t->name : "");
    }
    if (t->primary_key)
        w_set(w, o, "primary_key", w_key(w, t->primary_key, 1));
    item *it;
    if (t->nuniques && (it = w_items(w, t->nuniques))) {
        for (size_t i = 0; i < t->nuniques; i++)
            it[i] = (item){NULL, t->uniques[i]->name, w_key(w, t->uniques[i], 0), NULL};
        w_sorted(w, o, "uniques", it, t->nuniques);
    }
    if (t->nindexes && (it = w_items(w, t->nindexes))) {
        for (size_t i = 0; i < t->nindexes; i++)
            it[i] = (item){NULL, t->indexes[i]->name, w_index(w, t->indexes[i]), NULL};
        w_sorted(w, o, "indexes", it, t->nindexes);
    }
    if (t->nfkeys && (it = w_items(w, t->nfkeys))) {
        for (size_t i = 0; i < t->nfkeys; i++)
            it[i] = (item){NULL, t->fkeys[i]->name, w_fkey(w, t->fkeys[i]), NULL};
        w_sorted(w, o, "foreign_keys", it, t->nfkeys);
    }
    if (t->nchecks && (it = w_items(w, t->nchecks))) {
        for (size_t i = 0; i < t->nchecks; i++) {
            json_t *c = json_object();
            w_str(w, c, "name", t->checks[i]->name);
            w_str(w, c, "expr", t->checks[i]->expr);
            it[i] = (item){NULL, t->checks[i]->name, c, NULL};
        }
        w_sorted(w, o, "checks", it, t->nchecks);
    }
    if (t->ntriggers && (it = w_items(w, t->ntriggers))) {
        for (size_t i = 0; i < t->ntriggers; i++) {
            json_t *c = json_object();
            w_str(w, c, "name", t->triggers[i]->name);
            w_str(w, c, "sql", t->triggers[i]->sql);
            it[i] = (item){NULL, t->triggers[i]->name, c, NULL};
        }
        w_sorted(w, o, "triggers", it, t->ntriggers);
    }
    w_options(w, o, t->options, t->noptions);
    return o;
}

static json_t *w_schema(wr *w, const cairn_schema *s)
{
    json_t *o = json_object();
    item *it;
    snprintf(w->what, sizeof w->what, "the schema");
    w_str(w, o, "dialect", s->dialect);
    if (s->nnamespaces) {
        const char **nss = calloc(s->nnamespaces, sizeof *nss);
        if (!nss) {
            w_oom(w);
        } else {
            memcpy(nss, s->namespaces, s->nnamespaces * sizeof *nss);
            qsort(nss, s->nnamespaces, sizeof *nss, cmp_strp);
            w_strs(w, o, "namespaces", nss, s->nnamespaces);
            free(nss);
        }
    }
    if (s->ntables && (it = w_items(w, s->ntables))) {
        for (size_t i = 0; i < s->ntables; i++)
            it[i] = (item){s->tables[i]->schema, s->tables[i]->name, w_table(w, s->tables[i]),
                           NULL};
        w_sorted(w, o, "tables", it, s->ntables);
    }
    if (s->nviews && (it = w_items(w, s->nviews))) {
        for (size_t i = 0; i < s->nviews; i++) {
            const cairn_view *v = s->views[i];
            json_t *j = json_object();
            snprintf(w->what, sizeof w->what, "view \"%s\"", v->name ? v->name : "");
            w_str(w, j, "name", v->name);
            w_str(w, j, "schema", v->schema);
            w_strs(w, j, "columns", v->columns, v->ncolumns);
            w_str(w, j, "definition", v->definition);
            w_bool(w, j, "materialized", v->materialized);
            w_str(w, j, "comment", v->comment);
            w_str(w, j, "was", v->was);
            w_options(w, j, v->options, v->noptions);
            it[i] = (item){v->schema, v->name, j, NULL};
        }
        w_sorted(w, o, "views", it, s->nviews);
    }
    if (s->nenums && (it = w_items(w, s->nenums))) {
        for (size_t i = 0; i < s->nenums; i++) {
            const cairn_enum *e = s->enums[i];
            json_t *j = json_object();
            snprintf(w->what, sizeof w->what, "enum \"%s\"", e->name ? e->name : "");
            w_str(w, j, "name", e->name);
            w_str(w, j, "schema", e->schema);
            if (!w->rc) /* always written: an enum without values is still an enum */
                w_set(w, j, "values", w_strarr(w, "values", e->values, e->nvalues));
            it[i] = (item){e->schema, e->name, j, NULL};
        }
        w_sorted(w, o, "enums", it, s->nenums);
    }
    if (s->nsequences && (it = w_items(w, s->nsequences))) {
        for (size_t i = 0; i < s->nsequences; i++) {
            const cairn_sequence *q = s->sequences[i];
            json_t *j = json_object();
            snprintf(w->what, sizeof w->what, "sequence \"%s\"", q->name ? q->name : "");
            w_str(w, j, "name", q->name);
            w_str(w, j, "schema", q->schema);
            w_str(w, j, "type", q->type);
            /* 1 is what cairn_schema_add_sequence starts with, so it is omitted */
            if (q->start != 1)
                w_set(w, j, "start", json_integer(q->start));
            if (q->increment != 1)
                w_set(w, j, "increment", json_integer(q->increment));
            if (q->has_min)
                w_set(w, j, "min", json_integer(q->min_value));
            if (q->has_max)
                w_set(w, j, "max", json_integer(q->max_value));
            if (q->cache != 1)
                w_set(w, j, "cache", json_integer(q->cache));
            w_bool(w, j, "cycle", q->cycle);
            it[i] = (item){q->schema, q->name, j, NULL};
        }
        w_sorted(w, o, "sequences", it, s->nsequences);
    }
    if (s->nobjects && (it = w_items(w, s->nobjects))) {
        for (size_t i = 0; i < s->nobjects; i++) {
            const cairn_object *ob = s->objects[i];
            json_t *j = json_object();
            snprintf(w->what, sizeof w->what, "%s \"%s\"", ob->kind, ob->name);
            w_str(w, j, "kind", ob->kind);
            w_str(w, j, "schema", ob->schema);
            w_str(w, j, "name", ob->name);
            w_str(w, j, "signature", ob->signature);
            w_str(w, j, "table", ob->table);
            w_str(w, j, "definition", ob->definition);
            w_str(w, j, "comment", ob->comment);
            item *dt = ob->ndepends ? w_items(w, ob->ndepends) : NULL;
            for (size_t k = 0; dt && k < ob->ndepends; k++) {
                const cairn_object_ref *r = ob->depends[k];
                json_t *d = json_object();
                w_str(w, d, "kind", r->kind);
                w_str(w, d, "schema", r->schema);
                w_str(w, d, "name", r->name);
                w_str(w, d, "signature", r->signature);
                dt[k] = (item){r->kind, r->name, d, NULL};
            }
            if (dt)
                w_sorted(w, j, "depends", dt, ob->ndepends);
            /* grouped by kind: a snapshot reads functions, then policies, ... */
            it[i] = (item){ob->kind, ob->name, j, NULL};
        }
        w_sorted(w, o, "objects", it, s->nobjects);
    }
    return o;
}

/* Dump `root` (taken) with a 2-space indent and a final newline. */
static int w_finish(wr *w, json_t *root, cairn_buf *out)
{
    if (!root)
        w_oom(w);
    if (w->rc) {
        json_decref(root);
        return w->rc;
    }
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text || cairn_buf_puts(out, text) || cairn_buf_puts(out, "\n")) {
        free(text);
        return cairn_err(w->cx, CAIRN_ENOMEM, "out of memory");
    }
    free(text);
    return 0;
}

int cairn_json_write_schema(cairn_ctx *cx, const cairn_schema *s, cairn_buf *out)
{
    wr w = {.cx = cx};
    return w_finish(&w, w_schema(&w, s), out);
}


int cairn_json_write_snapshot(cairn_ctx *cx, const cairn_snapshot *snap, cairn_buf *out)
{
    wr w = {.cx = cx};
    snprintf(w.what, sizeof w.what, "the snapshot");
    if (!snap->id || !snap->schema)
        return cairn_err(cx, CAIRN_EUSAGE, "a snapshot needs an id and a schema");
    json_t *o = json_object();
    w_set(&w, o, "version", json_integer(CAIRN_SNAPSHOT_VERSION));
    w_str(&w, o, "id", snap->id);
    w_set(&w, o, "parent", snap->parent ? w_string(&w, "parent", snap->parent) : json_null());
    if (snap->nmerges)
        w_strs(&w, o, "merges", (const char *const *)snap->merges, snap->nmerges);
    if (snap->nreplaces)
        w_strs(&w, o, "replaces", (const char *const *)snap->replaces, snap->nreplaces);
    w_str(&w, o, "dialect", snap->dialect);
    w_str(&w, o, "down_checksum", snap->down_checksum);
    if (!w.rc)
        w_set(&w, o, "schema", w_schema(&w, snap->schema));
    return w_finish(&w, o, out);
}
