/*
 * JSON io: writing schema documents and migration snapshots, deterministic
 * (sorted objects, 2-space indent, a final newline) so they diff cleanly.
 * The layout is jansson's (the reader, json.c, parses with it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* ---- the writer ------------------------------------------------------------ */

/* A document is built as a small tree in an arena (no hashing, no
 * allocation per value: a snapshot of 10,000 tables has a million values),
 * then written out in jansson's own layout, which the files on disk have
 * always had: JSON_INDENT(2) | JSON_PRESERVE_ORDER for the document,
 * JSON_COMPACT | JSON_SORT_KEYS for the text that breaks ties in sorting. */
/* JV_RAW: text written before (`str`, `num` bytes), copied as it is: a
 * table a snapshot holds at the indent it was written for (snapreuse.c). */
typedef enum { JV_OBJECT, JV_ARRAY, JV_STRING, JV_INTEGER, JV_TRUE, JV_NULL, JV_RAW } jv_kind;

typedef struct jv {
    jv_kind kind;
    const char *key;        /* as a member of an object */
    const char *str;        /* JV_STRING: valid UTF-8 */
    long long num;          /* JV_INTEGER */
    struct jv *first, *last; /* members or elements, in order */
    struct jv *next;
    size_t n;
} jv;

typedef struct wr {
    cairn_ctx *cx;
    cairn_arena *a;
    int rc;          /* sticky: the first failure */
    /* the object being written, for messages: what_kind "name", column "column"
     * (put into words by w_what only when a message needs them) */
    const char *what_kind, *what_name, *what_column;
    char what[256];
    int snapshot;    /* tables may be copied from the newest snapshot's text */
} wr;

static void w_at(wr *w, const char *kind, const char *name, const char *column)
{
    w->what_kind = kind;
    w->what_name = name;
    w->what_column = column;
}

static const char *w_what(wr *w)
{
    if (!w->what_name)
        snprintf(w->what, sizeof w->what, "%s", w->what_kind ? w->what_kind : "");
    else if (w->what_column)
        snprintf(w->what, sizeof w->what, "%s \"%s\", column \"%s\"", w->what_kind,
                 w->what_name, w->what_column);
    else
        snprintf(w->what, sizeof w->what, "%s \"%s\"", w->what_kind, w->what_name);
    return w->what;
}

static void w_oom(wr *w)
{
    if (!w->rc)
        w->rc = cairn_err(w->cx, CAIRN_ENOMEM, "out of memory");
}

static jv *jv_new(wr *w, jv_kind kind)
{
    jv *v = cairn_arena_alloc(w->a, sizeof *v);
    if (!v)
        w_oom(w);
    else
        v->kind = kind;
    return v;
}

static jv *jv_object(wr *w)
{
    return jv_new(w, JV_OBJECT);
}

static jv *jv_array(wr *w)
{
    return jv_new(w, JV_ARRAY);
}

static jv *jv_integer(wr *w, long long n)
{
    jv *v = jv_new(w, JV_INTEGER);
    if (v)
        v->num = n;
    return v;
}

/* jansson's rule for the strings it takes (utf8_check_string): no
 * overlong form, no surrogate, nothing past U+10FFFF. */
static int utf8_valid(const unsigned char *p)
{
    while (*p) {
        unsigned c = *p, n, cp;
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c < 0xC2 || c > 0xF4)
            return 0;
        n = c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
        cp = c & (0x3Fu >> n);
        for (unsigned i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3Fu);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || (n == 2 && cp < 0x800) ||
            (n == 3 && cp < 0x10000))
            return 0;
        p += n + 1;
    }
    return 1;
}

/* Append v to array a. */
static void jv_append(jv *a, jv *v)
{
    if (a->last)
        a->last->next = v;
    else
        a->first = v;
    a->last = v;
    a->n++;
}

/* Set o[key] = v; a key set twice keeps its place and takes the new value,
 * as a jansson object does. */
static void w_set(wr *w, jv *o, const char *key, jv *v)
{
    if (w->rc || !o)
        return;
    if (!v) {
        w_oom(w);
        return;
    }
    for (jv *m = o->first; m; m = m->next)
        if (strcmp(m->key, key) == 0) {
            jv *next = m->next;
            const char *k = m->key;
            *m = *v;
            m->key = k;
            m->next = next;
            return;
        }
    if (!(v->key = cairn_arena_strdup(w->a, key))) {
        w_oom(w);
        return;
    }
    jv_append(o, v);
}

static jv *w_string(wr *w, const char *key, const char *v)
{
    if (!utf8_valid((const unsigned char *)v)) {
        /* as jansson refused it: say which value it was */
        if (!w->rc)
            w->rc = cairn_err(w->cx, CAIRN_ESCHEMA, "cannot write %s: \"%s\" is not valid UTF-8",
                              w_what(w), key);
        return NULL;
    }
    jv *j = jv_new(w, JV_STRING);
    if (j)
        j->str = v;
    return j;
}

static void w_str(wr *w, jv *o, const char *key, const char *v)
{
    if (v && !w->rc)
        w_set(w, o, key, w_string(w, key, v));
}

static void w_bool(wr *w, jv *o, const char *key, int v)
{
    if (v)
        w_set(w, o, key, jv_new(w, JV_TRUE));
}

static jv *w_strarr(wr *w, const char *key, const char *const *v, size_t n)
{
    jv *a = jv_array(w);
    for (size_t i = 0; a && i < n && !w->rc; i++) {
        jv *s = w_string(w, key, v[i]);
        if (s)
            jv_append(a, s);
    }
    return a;
}

static void w_strs(wr *w, jv *o, const char *key, const char *const *v, size_t n)
{
    if (n && !w->rc)
        w_set(w, o, key, w_strarr(w, key, v, n));
}

/* ---- jansson's layout ------------------------------------------------------- */

static void dump_string(cairn_buf *b, const char *s)
{
    cairn_buf_append(b, "\"", 1);
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        cairn_buf_append(b, run, (size_t)(p - run));
        run = p + 1;
        switch (c) {
        case '"': cairn_buf_append(b, "\\\"", 2); break;
        case '\\': cairn_buf_append(b, "\\\\", 2); break;
        case '\b': cairn_buf_append(b, "\\b", 2); break;
        case '\f': cairn_buf_append(b, "\\f", 2); break;
        case '\n': cairn_buf_append(b, "\\n", 2); break;
        case '\r': cairn_buf_append(b, "\\r", 2); break;
        case '\t': cairn_buf_append(b, "\\t", 2); break;
        default: cairn_buf_printf(b, "\\u%04X", c); break;
        }
    }
    cairn_buf_append(b, run, strlen(run));
    cairn_buf_append(b, "\"", 1);
}

static void dump_indent(cairn_buf *b, int depth)
{
    static const char spaces[] = "                                                                ";
    cairn_buf_append(b, "\n", 1);
    for (size_t n = (size_t)depth * 2; n;) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        cairn_buf_append(b, spaces, k);
        n -= k;
    }
}

static int cmp_member(const void *pa, const void *pb)
{
    return strcmp((*(const jv *const *)pa)->key, (*(const jv *const *)pb)->key);
}

/* depth < 0: JSON_COMPACT | JSON_SORT_KEYS; else JSON_INDENT(2) at `depth`. */
static void dump(wr *w, cairn_buf *b, const jv *v, int depth)
{
    switch (v->kind) {
    case JV_STRING: dump_string(b, v->str); return;
    case JV_INTEGER: cairn_buf_printf(b, "%lld", v->num); return;
    case JV_TRUE: cairn_buf_append(b, "true", 4); return;
    case JV_NULL: cairn_buf_append(b, "null", 4); return;
    case JV_RAW: cairn_buf_append(b, v->str, (size_t)v->num); return;
    case JV_OBJECT:
    case JV_ARRAY: break;
    }
    int obj = v->kind == JV_OBJECT;
    if (!v->n) {
        cairn_buf_append(b, obj ? "{}" : "[]", 2);
        return;
    }
    const jv **kids = NULL;
    if (obj && depth < 0 && v->n > 1) {
        if (!(kids = malloc(v->n * sizeof *kids))) {
            w_oom(w);
            return;
        }
        size_t i = 0;
        for (const jv *m = v->first; m; m = m->next)
            kids[i++] = m;
        qsort(kids, v->n, sizeof *kids, cmp_member);
    }
    cairn_buf_append(b, obj ? "{" : "[", 1);
    size_t i = 0;
    for (const jv *m = v->first; m; m = m->next, i++) {
        const jv *k = kids ? kids[i] : m;
        if (i)
            cairn_buf_append(b, ",", 1);
        if (depth >= 0)
            dump_indent(b, depth + 1);
        if (obj) {
            dump_string(b, k->key);
            cairn_buf_append(b, ": ", depth >= 0 ? 2 : 1);
        }
        dump(w, b, k, depth >= 0 ? depth + 1 : depth);
    }
    free(kids);
    if (depth >= 0)
        dump_indent(b, depth);
    cairn_buf_append(b, obj ? "}" : "]", 1);
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
    jv *j;
    size_t at;  /* input position: makes the first sort total */
    char *dump; /* the object's text, made only for a tie */
} item;

static int cmp_item_name(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    int c = cmp_opt(a->ns, b->ns);
    return c ? c : cmp_opt(a->name, b->name);
}

static int cmp_item_at(const void *pa, const void *pb)
{
    int c = cmp_item_name(pa, pb);
    const item *a = pa, *b = pb;
    return c ? c : (a->at > b->at) - (a->at < b->at);
}

static int cmp_item_dump(const void *pa, const void *pb)
{
    return strcmp(((const item *)pa)->dump, ((const item *)pb)->dump);
}

/* Set o[key] to the items as a sorted array. */
static void w_sorted(wr *w, jv *o, const char *key, item *it, size_t n)
{
    for (size_t i = 0; i < n && !w->rc; i++) {
        it[i].at = i;
        if (!it[i].j)
            w_oom(w);
    }
    if (!w->rc)
        qsort(it, n, sizeof *it, cmp_item_at);
    for (size_t i = 0, e; i < n && !w->rc; i = e) {
        for (e = i + 1; e < n && !cmp_item_name(&it[i], &it[e]);)
            e++;
        for (size_t k = i; e - i > 1 && k < e && !w->rc; k++) {
            cairn_buf b;
            cairn_buf_init(&b);
            dump(w, &b, it[k].j, -1);
            if (b.oom || !(it[k].dump = cairn_arena_strdup(w->a, cairn_buf_cstr(&b))))
                w_oom(w);
            cairn_buf_release(&b);
        }
        if (e - i > 1 && !w->rc)
            qsort(it + i, e - i, sizeof *it, cmp_item_dump);
    }
    jv *a = w->rc ? NULL : jv_array(w);
    for (size_t i = 0; a && i < n; i++)
        jv_append(a, it[i].j);
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

static jv *w_column(wr *w, const cairn_column *c)
{
    jv *o = jv_object(w);
    w_str(w, o, "name", c->name);
    w_str(w, o, "type", c->type);
    w_bool(w, o, "not_null", c->not_null);
    w_str(w, o, "not_null_name", c->not_null_name);
    w_str(w, o, "default", c->default_expr);
    if (c->identity != CAIRN_IDENTITY_NONE) {
        if ((unsigned)c->identity > CAIRN_IDENTITY_BY_DEFAULT && !w->rc)
            w->rc = cairn_err(w->cx, CAIRN_EGENERIC, "cannot write %s: identity %d", w_what(w),
                              (int)c->identity);
        else
            w_str(w, o, "identity", json_identity_names[c->identity]);
    }
    if (c->generated) {
        jv *g = jv_object(w);
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

static jv *w_key(wr *w, const cairn_key *k, int primary)
{
    jv *o = jv_object(w);
    w_str(w, o, "name", k->name);
    if (!w->rc)
        w_set(w, o, "columns", w_strarr(w, "columns", k->columns, k->ncolumns));
    if (!primary)
        w_bool(w, o, "nulls_not_distinct", k->nulls_not_distinct);
    w_bool(w, o, "deferrable", k->deferrable);
    w_bool(w, o, "initially_deferred", k->initially_deferred);
    w_bool(w, o, "without_overlaps", k->without_overlaps);
    w_str(w, o, "comment", k->comment);
    return o;
}

static jv *w_part(wr *w, const cairn_index_part *p)
{
    if (p->column && !p->expr && !p->desc && !p->collation && !p->length)
        return w_string(w, "columns", p->column);
    jv *o = jv_object(w);
    w_str(w, o, "column", p->column);
    w_str(w, o, "expr", p->expr);
    w_bool(w, o, "desc", p->desc);
    w_str(w, o, "collation", p->collation);
    if (p->length)
        w_set(w, o, "length", jv_integer(w, p->length));
    return o;
}

static jv *w_index(wr *w, const cairn_index *ix)
{
    jv *o = jv_object(w), *parts = jv_array(w);
    w_str(w, o, "name", ix->name);
    w_bool(w, o, "unique", ix->unique);
    for (size_t i = 0; i < ix->nparts && !w->rc; i++) {
        jv *p = w_part(w, ix->parts[i]);
        if (p && parts)
            jv_append(parts, p);
    }
    w_set(w, o, "columns", parts);
    w_str(w, o, "where", ix->where);
    w_str(w, o, "method", ix->method);
    w_strs(w, o, "include", ix->include, ix->ninclude);
    w_str(w, o, "comment", ix->comment);
    w_str(w, o, "was", ix->was);
    return o;
}

static void w_action(wr *w, jv *o, const char *key, cairn_fk_action a)
{
    if (a == CAIRN_FK_NO_ACTION)
        return;
    if ((unsigned)a > CAIRN_FK_SET_DEFAULT) {
        if (!w->rc)
            w->rc = cairn_err(w->cx, CAIRN_EGENERIC, "cannot write %s: foreign key action %d",
                              w_what(w), (int)a);
        return;
    }
    w_str(w, o, key, json_fk_action_names[a]);
}

static jv *w_fkey(wr *w, const cairn_fkey *fk)
{
    jv *o = jv_object(w), *ref = jv_object(w);
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
    w_bool(w, o, "match_full", fk->match_full);
    w_bool(w, o, "not_valid", fk->not_valid);
    w_bool(w, o, "period", fk->period);
    w_str(w, o, "comment", fk->comment);
    return o;
}

/* "options": {"key": "value"} from "key=value" strings (a table's, a view's). */
static void w_options(wr *w, jv *o, const char *const *options, size_t n)
{
    if (!n)
        return;
    /* "key=value" strings; sorted by key by construction, sorted again
     * here because a driver may have filled the array itself. */
    const char **opts = calloc(n, sizeof *opts);
    jv *oo = jv_object(w);
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
        jv *probe = key ? w_string(w, "options", key) : NULL; /* a name is UTF-8 too */
        if (!key)
            w_oom(w);
        else if (probe)
            w_set(w, oo, key, w_string(w, "options", eq ? eq + 1 : ""));
        free(key);
    }
    free(opts);
    w_set(w, o, "options", oo);
}

static jv *w_table(wr *w, const cairn_table *t)
{
    w_at(w, "table", t->name ? t->name : "", NULL);
    jv *o = jv_object(w);
    w_str(w, o, "name", t->name);
    w_str(w, o, "schema", t->schema);
    w_str(w, o, "was", t->was);
    w_str(w, o, "comment", t->comment);
    if (t->ncolumns) {
        jv *cols = jv_array(w);
        for (size_t i = 0; i < t->ncolumns && !w->rc; i++) {
            w_at(w, "table", t->name ? t->name : "",
                 t->columns[i]->name ? t->columns[i]->name : "");
            jv *c = w_column(w, t->columns[i]);
            if (c && cols)
                jv_append(cols, c);
        }
        w_set(w, o, "columns", cols);
        w_at(w, "table", t->name ? t->name : "", NULL);
    }
    if (t->primary_key)
        w_set(w, o, "primary_key", w_key(w, t->primary_key, 1));
    item *it;
    if (t->nuniques && (it = w_items(w, t->nuniques))) {
        for (size_t i = 0; i < t->nuniques; i++)
            it[i] = (item){NULL, t->uniques[i]->name, w_key(w, t->uniques[i], 0), 0, NULL};
        w_sorted(w, o, "uniques", it, t->nuniques);
    }
    if (t->nindexes && (it = w_items(w, t->nindexes))) {
        for (size_t i = 0; i < t->nindexes; i++)
            it[i] = (item){NULL, t->indexes[i]->name, w_index(w, t->indexes[i]), 0, NULL};
        w_sorted(w, o, "indexes", it, t->nindexes);
    }
    if (t->nfkeys && (it = w_items(w, t->nfkeys))) {
        for (size_t i = 0; i < t->nfkeys; i++)
            it[i] = (item){NULL, t->fkeys[i]->name, w_fkey(w, t->fkeys[i]), 0, NULL};
        w_sorted(w, o, "foreign_keys", it, t->nfkeys);
    }
    if (t->nchecks && (it = w_items(w, t->nchecks))) {
        for (size_t i = 0; i < t->nchecks; i++) {
            jv *c = jv_object(w);
            w_str(w, c, "name", t->checks[i]->name);
            w_str(w, c, "expr", t->checks[i]->expr);
            w_bool(w, c, "not_valid", t->checks[i]->not_valid);
            w_str(w, c, "comment", t->checks[i]->comment);
            it[i] = (item){NULL, t->checks[i]->name, c, 0, NULL};
        }
        w_sorted(w, o, "checks", it, t->nchecks);
    }
    if (t->ntriggers && (it = w_items(w, t->ntriggers))) {
        for (size_t i = 0; i < t->ntriggers; i++) {
            jv *c = jv_object(w);
            w_str(w, c, "name", t->triggers[i]->name);
            w_str(w, c, "sql", t->triggers[i]->sql);
            w_str(w, c, "comment", t->triggers[i]->comment);
            it[i] = (item){NULL, t->triggers[i]->name, c, 0, NULL};
        }
        w_sorted(w, o, "triggers", it, t->ntriggers);
    }
    w_options(w, o, t->options, t->noptions);
    return o;
}

/* A table of a snapshot: the text the newest snapshot has for it when that
 * is what writing it gives (its tables are at the same indent). */
static jv *w_snapshot_table(wr *w, const cairn_table *t)
{
    size_t len;
    const char *text = w->snapshot ? cairn_readahead_table_text(w->cx, t, &len) : NULL;
    if (!text)
        return w_table(w, t);
    jv *o = jv_new(w, JV_RAW);
    if (o) {
        o->str = text;
        o->num = (long long)len;
    }
    return o;
}

static jv *w_schema(wr *w, const cairn_schema *s)
{
    jv *o = jv_object(w);
    item *it;
    w_at(w, "the schema", NULL, NULL);
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
            it[i] = (item){s->tables[i]->schema, s->tables[i]->name,
                           w_snapshot_table(w, s->tables[i]), 0, NULL};
        w_sorted(w, o, "tables", it, s->ntables);
    }
    if (s->nviews && (it = w_items(w, s->nviews))) {
        for (size_t i = 0; i < s->nviews; i++) {
            const cairn_view *v = s->views[i];
            jv *j = jv_object(w);
            w_at(w, "view", v->name ? v->name : "", NULL);
            w_str(w, j, "name", v->name);
            w_str(w, j, "schema", v->schema);
            w_strs(w, j, "columns", v->columns, v->ncolumns);
            w_str(w, j, "definition", v->definition);
            w_bool(w, j, "materialized", v->materialized);
            w_str(w, j, "comment", v->comment);
            w_str(w, j, "was", v->was);
            w_options(w, j, v->options, v->noptions);
            it[i] = (item){v->schema, v->name, j, 0, NULL};
        }
        w_sorted(w, o, "views", it, s->nviews);
    }
    if (s->nenums && (it = w_items(w, s->nenums))) {
        for (size_t i = 0; i < s->nenums; i++) {
            const cairn_enum *e = s->enums[i];
            jv *j = jv_object(w);
            w_at(w, "enum", e->name ? e->name : "", NULL);
            w_str(w, j, "name", e->name);
            w_str(w, j, "schema", e->schema);
            if (!w->rc) /* always written: an enum without values is still an enum */
                w_set(w, j, "values", w_strarr(w, "values", e->values, e->nvalues));
            w_str(w, j, "comment", e->comment);
            it[i] = (item){e->schema, e->name, j, 0, NULL};
        }
        w_sorted(w, o, "enums", it, s->nenums);
    }
    if (s->nsequences && (it = w_items(w, s->nsequences))) {
        for (size_t i = 0; i < s->nsequences; i++) {
            const cairn_sequence *q = s->sequences[i];
            jv *j = jv_object(w);
            w_at(w, "sequence", q->name ? q->name : "", NULL);
            w_str(w, j, "name", q->name);
            w_str(w, j, "schema", q->schema);
            w_str(w, j, "type", q->type);
            /* 1 is what cairn_schema_add_sequence starts with, so it is omitted */
            if (q->start != 1)
                w_set(w, j, "start", jv_integer(w, q->start));
            if (q->increment != 1)
                w_set(w, j, "increment", jv_integer(w, q->increment));
            if (q->has_min)
                w_set(w, j, "min", jv_integer(w, q->min_value));
            if (q->has_max)
                w_set(w, j, "max", jv_integer(w, q->max_value));
            if (q->cache != 1)
                w_set(w, j, "cache", jv_integer(w, q->cache));
            w_bool(w, j, "cycle", q->cycle);
            it[i] = (item){q->schema, q->name, j, 0, NULL};
        }
        w_sorted(w, o, "sequences", it, s->nsequences);
    }
    if (s->nobjects && (it = w_items(w, s->nobjects))) {
        for (size_t i = 0; i < s->nobjects; i++) {
            const cairn_object *ob = s->objects[i];
            jv *j = jv_object(w);
            w_at(w, ob->kind ? ob->kind : "", ob->name ? ob->name : "", NULL);
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
                jv *d = jv_object(w);
                w_str(w, d, "kind", r->kind);
                w_str(w, d, "schema", r->schema);
                w_str(w, d, "name", r->name);
                w_str(w, d, "signature", r->signature);
                dt[k] = (item){r->kind, r->name, d, 0, NULL};
            }
            if (dt)
                w_sorted(w, j, "depends", dt, ob->ndepends);
            /* grouped by kind: a snapshot reads functions, then policies, ... */
            it[i] = (item){ob->kind, ob->name, j, 0, NULL};
        }
        w_sorted(w, o, "objects", it, s->nobjects);
    }
    return o;
}

/* Write `root` with a 2-space indent and a final newline. */
static int w_finish(wr *w, jv *root, cairn_buf *out)
{
    if (!root)
        w_oom(w);
    if (!w->rc) {
        dump(w, out, root, 0);
        if (cairn_buf_append(out, "\n", 1) || out->oom)
            w_oom(w);
    }
    cairn_arena_free(w->a);
    return w->rc;
}

static int w_init(wr *w, cairn_ctx *cx)
{
    memset(w, 0, sizeof *w);
    w->cx = cx;
    if (!(w->a = cairn_arena_new()))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    return 0;
}

int cairn_json_write_schema(cairn_ctx *cx, const cairn_schema *s, cairn_buf *out)
{
    wr w;
    int rc = w_init(&w, cx);
    return rc ? rc : w_finish(&w, w_schema(&w, s), out);
}

int cairn_json_write_table(cairn_ctx *cx, const cairn_table *t, int depth, cairn_buf *out)
{
    wr w;
    int rc = w_init(&w, cx);
    if (rc)
        return rc;
    jv *o = w_table(&w, t);
    if (!o)
        w_oom(&w);
    if (!w.rc) {
        dump(&w, out, o, depth);
        if (out->oom)
            w_oom(&w);
    }
    cairn_arena_free(w.a);
    return w.rc;
}

int cairn_json_write_snapshot(cairn_ctx *cx, const cairn_snapshot *snap, cairn_buf *out)
{
    if (!snap->id || !snap->schema)
        return cairn_err(cx, CAIRN_EUSAGE, "a snapshot needs an id and a schema");
    wr w;
    int rc = w_init(&w, cx);
    if (rc)
        return rc;
    w_at(&w, "the snapshot", NULL, NULL);
    w.snapshot = 1;
    jv *o = jv_object(&w);
    w_set(&w, o, "version", jv_integer(&w, CAIRN_SNAPSHOT_VERSION));
    w_str(&w, o, "id", snap->id);
    w_set(&w, o, "parent", snap->parent ? w_string(&w, "parent", snap->parent) : jv_new(&w, JV_NULL));
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
