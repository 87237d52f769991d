/*
 * The migrations folder as a graph.
 *
 * Each snapshot names its parent, and a merge migration the other heads it
 * joins ("merges"). Two branches generated from one state and merged in git
 * leave two heads: migrations that are nobody's parent. The state the next
 * migration starts from is then not the newest snapshot (it lacks the other
 * branch's changes) but the three-way merge of the heads against their
 * newest common ancestor: a change made on one side only is taken, the same
 * object changed differently on both sides is a conflict.
 *
 * The merge works on the snapshots' JSON, which the writer makes canonical
 * (objects sorted by name), so it needs no knowledge of each kind of object
 * beyond which level holds named objects: the schema holds tables, views,
 * enums and sequences; a table holds columns, keys, indexes, foreign keys,
 * checks, triggers and options. A table changed on both sides is merged
 * object by object; any other object changed on both sides, differently, is
 * a conflict.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

/* ---- reading the links ------------------------------------------------------- */

/* The top of a snapshot written by cairn holds version, id, parent, merges,
 * and dialect before "schema", each top-level key on its own line after a
 * two-space indent. Reading only that part keeps a folder of big snapshots
 * cheap to walk; a file laid out otherwise is read whole. */
static const char head_end[] = "\n  \"schema\":";

static const char *find_head_end(const char *text, size_t len, size_t from)
{
    for (const char *p = text + from; p + sizeof head_end - 1 <= text + len; p++)
        if (*p == '\n' && memcmp(p, head_end, sizeof head_end - 1) == 0)
            return p;
    return NULL;
}

static json_t *read_head(const char *text, size_t len)
{
    const char *end = find_head_end(text, len, 0);
    if (!end)
        return NULL;
    size_t n = (size_t)(end - text);
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\n' || text[n - 1] == ','))
        n--;
    char *head = malloc(n + 3);
    if (!head)
        return NULL;
    memcpy(head, text, n);
    memcpy(head + n, "\n}", 3);
    json_t *j = json_loads(head, 0, NULL);
    free(head);
    return j;
}

/* The start of `file` up to the end of its head, read 4 KiB at a time (a
 * snapshot of 10,000 tables is 18 MB, its head a few hundred bytes); NULL
 * when it cannot be read or has no head: the full reader says why. */
static char *read_head_text(const char *file, size_t *len)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return NULL;
    cairn_buf b;
    cairn_buf_init(&b);
    char chunk[4096];
    size_t n;
    int found = 0;
    while (!found && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        size_t from = b.len >= sizeof head_end ? b.len - sizeof head_end : 0;
        if (cairn_buf_append(&b, chunk, n))
            break;
        found = find_head_end(b.data, b.len, from) != NULL;
    }
    fclose(f);
    if (!found) {
        cairn_buf_release(&b);
        return NULL;
    }
    *len = b.len;
    return cairn_buf_steal(&b);
}

static int set_links(cairn_ctx *cx, json_t *head, cairn_gnode *g)
{
    json_t *p = json_object_get(head, "parent");
    json_t *m = json_object_get(head, "merges");
    json_t *rp = json_object_get(head, "replaces");
    if ((p && !json_is_string(p) && !json_is_null(p)) || (m && !json_is_array(m)) ||
        (rp && !json_is_array(rp)))
        return 1; /* not as written: the full reader says what is wrong */
    size_t nm = m ? json_array_size(m) : 0, nr = rp ? json_array_size(rp) : 0;
    for (size_t i = 0; i < nm; i++)
        if (!json_is_string(json_array_get(m, i)))
            return 1;
    for (size_t i = 0; i < nr; i++)
        if (!json_is_string(json_array_get(rp, i)))
            return 1;
    if (nr && !(g->replaces = calloc(nr, sizeof *g->replaces)))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    for (size_t i = 0; i < nr; i++)
        if (!(g->replaces[g->nreplaces++] = strdup(json_string_value(json_array_get(rp, i)))))
            return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    g->nlinks = (p && json_is_string(p) ? 1 : 0) + nm;
    if (g->nlinks && !(g->links = calloc(g->nlinks, sizeof *g->links)))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    size_t k = 0;
    if (p && json_is_string(p) && !(g->links[k++] = strdup(json_string_value(p))))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    for (size_t i = 0; i < nm; i++)
        if (!(g->links[k++] = strdup(json_string_value(json_array_get(m, i)))))
            return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    return 0;
}

static void free_links(cairn_gnode *g)
{
    for (size_t i = 0; i < g->nlinks; i++)
        free(g->links[i]);
    free(g->links);
    for (size_t i = 0; i < g->nreplaces; i++)
        free(g->replaces[i]);
    free(g->replaces);
    g->links = g->replaces = NULL;
    g->nlinks = g->nreplaces = 0;
}

/* A migration's parent names; an unreadable snapshot leaves the node
 * without links and not `ok` (check reports it, generate refuses). */
static int read_links(cairn_ctx *cx, const cairn_migration *m, cairn_gnode *g)
{
    char *file = cairn_path_join(m->dir, "snapshot.json");
    if (!file)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    size_t len = 0;
    char *text = read_head_text(file, &len);
    free(file);
    json_t *head = text ? read_head(text, len) : NULL;
    free(text);
    int rc;
    if (head) {
        rc = set_links(cx, head, g);
        json_decref(head);
        if (rc <= 0) {
            g->ok = rc == 0;
            return rc;
        }
        free_links(g);
    }
    cairn_snapshot snap;
    rc = cairn_folder_read_snapshot(cx, m->dir, &snap);
    if (rc == CAIRN_EINTEGRITY || rc == CAIRN_EIO) {
        cairn_err_clear(cx);
        return 0;
    }
    if (rc)
        return rc;
    g->nlinks = (snap.parent ? 1 : 0) + snap.nmerges;
    if (g->nlinks && !(g->links = calloc(g->nlinks, sizeof *g->links)))
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    size_t k = 0;
    if (!rc && snap.parent) {
        g->links[k++] = snap.parent;
        snap.parent = NULL;
    }
    for (size_t i = 0; !rc && i < snap.nmerges; i++) {
        g->links[k++] = snap.merges[i];
        snap.merges[i] = NULL;
    }
    if (!rc) {
        g->replaces = snap.replaces;
        g->nreplaces = snap.nreplaces;
        snap.replaces = NULL;
        snap.nreplaces = 0;
    }
    g->ok = !rc;
    cairn_snapshot_release(&snap);
    return rc;
}

int cairn_graph_load(cairn_ctx *cx, const char *out, cairn_graph *g)
{
    memset(g, 0, sizeof *g);
    int rc = cairn_folder_list(cx, out, &g->list, &g->n);
    if (rc)
        return rc;
    if (g->n && !(g->node = calloc(g->n, sizeof *g->node)))
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < g->n; i++)
        rc = read_links(cx, &g->list[i], &g->node[i]);
    for (size_t i = 0; !rc && i < g->n; i++) {
        cairn_gnode *nd = &g->node[i];
        if (nd->nlinks && !(nd->parents = calloc(nd->nlinks, sizeof *nd->parents)))
            rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
        for (size_t k = 0; !rc && k < nd->nlinks; k++) {
            /* a parent must be an older folder (one not found is at g->n):
             * a link forward or to itself would make a cycle */
            size_t at = cairn_folder_find(g->list, g->n, nd->links[k]);
            if (at >= i)
                nd->bad_link = nd->bad_link ? nd->bad_link : nd->links[k];
            else
                nd->parents[nd->nparents++] = at;
        }
    }
    if (rc)
        cairn_graph_free(g);
    return rc;
}

void cairn_graph_free(cairn_graph *g)
{
    for (size_t i = 0; g->node && i < g->n; i++) {
        free_links(&g->node[i]);
        free(g->node[i].parents);
    }
    free(g->node);
    cairn_folder_free(g->list, g->n);
    memset(g, 0, sizeof *g);
}

int cairn_graph_heads(cairn_ctx *cx, const cairn_graph *g, const unsigned char *only,
                      size_t **heads, size_t *n)
{
    *heads = NULL;
    *n = 0;
    unsigned char *parent = calloc(g->n ? g->n : 1, 1);
    size_t *v = calloc(g->n ? g->n : 1, sizeof *v);
    if (!parent || !v) {
        free(parent);
        free(v);
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < g->n; i++)
        if (!only || only[i])
            for (size_t k = 0; k < g->node[i].nparents; k++)
                parent[g->node[i].parents[k]] = 1;
    for (size_t i = 0; i < g->n; i++)
        if ((!only || only[i]) && !parent[i])
            v[(*n)++] = i;
    free(parent);
    *heads = v;
    return 0;
}

/* Mark `i` and every migration it descends from. */
static void mark_ancestors(const cairn_graph *g, size_t i, unsigned char *seen, size_t *stack)
{
    size_t top = 0;
    stack[top++] = i;
    seen[i] = 1;
    while (top) {
        const cairn_gnode *nd = &g->node[stack[--top]];
        for (size_t k = 0; k < nd->nparents; k++)
            if (!seen[nd->parents[k]]) {
                seen[nd->parents[k]] = 1;
                stack[top++] = nd->parents[k];
            }
    }
}

int cairn_graph_ancestors(cairn_ctx *cx, const cairn_graph *g, size_t i, unsigned char **seen)
{
    size_t *stack = malloc((g->n ? g->n : 1) * sizeof *stack);
    *seen = calloc(g->n ? g->n : 1, 1);
    if (!stack || !*seen) {
        free(stack);
        free(*seen);
        *seen = NULL;
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    mark_ancestors(g, i, *seen, stack);
    free(stack);
    return 0;
}

/* The newest migration every head descends from; -1 when none is (two
 * branches that each started from an empty folder). */
static int common_ancestor(cairn_ctx *cx, const cairn_graph *g, const size_t *heads, size_t nh,
                           long *base)
{
    *base = -1;
    unsigned char *all = malloc(g->n), *one = malloc(g->n);
    size_t *stack = malloc(g->n * sizeof *stack);
    if (!all || !one || !stack) {
        free(all);
        free(one);
        free(stack);
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    memset(all, 1, g->n);
    for (size_t h = 0; h < nh; h++) {
        memset(one, 0, g->n);
        mark_ancestors(g, heads[h], one, stack);
        for (size_t i = 0; i < g->n; i++)
            all[i] &= one[i];
    }
    for (size_t i = g->n; i-- > 0;)
        if (all[i]) {
            *base = (long)i;
            break;
        }
    free(all);
    free(one);
    free(stack);
    return 0;
}

/* ---- the three-way merge ----------------------------------------------------- */

typedef struct merger {
    cairn_ctx *cx;
    const char *left, *right; /* the migrations (or "A, B") of each side */
    size_t conflicts, twice;
    char first[512];         /* the first conflict, for the error line */
    int oom;
} merger;

static int same(json_t *a, json_t *b)
{
    if (!a || json_is_null(a))
        return !b || json_is_null(b);
    return b && json_equal(a, b);
}

static void conflict(merger *m, const char *what, const char *how)
{
    char line[512];
    snprintf(line, sizeof line, "%s: %s on %s and on %s", what, how, m->left, m->right);
    if (m->conflicts++ == 0)
        snprintf(m->first, sizeof m->first, "%s", line);
    else
        cairn_log(m->cx, CAIRN_LOG_WARN, "conflict: %s", line);
}

/* A value nothing inside of is merged: taken from the side that changed
 * it; changed on both sides, the same way, it is kept once but counted
 * (both migrations would run the change); differently, a conflict.
 * Returns a new reference (NULL: absent). */
static json_t *merge_leaf(merger *m, json_t *b, json_t *l, json_t *r, const char *what)
{
    int lchg = !same(b, l), rchg = !same(b, r);
    if (lchg && rchg && same(l, r)) {
        m->twice++;
        cairn_log(m->cx, CAIRN_LOG_WARN,
                  "%s: changed the same way on %s and on %s: deploying both runs the change "
                  "twice; remove it from the one not applied anywhere yet",
                  what, m->left, m->right);
    } else if (lchg && rchg) {
        conflict(m, what, !l || !r ? "dropped on one branch and changed on the other"
                                   : "changed differently");
    } else if (rchg) {
        return r ? json_incref(r) : NULL;
    }
    return l ? json_incref(l) : NULL;
}

typedef enum { LEVEL_SCHEMA, LEVEL_TABLE, LEVEL_LEAF } level;

static json_t *merge_value(merger *m, json_t *b, json_t *l, json_t *r, level lv,
                           const char *what);

/* The identity of an object in a named array: "schema.name" or "name";
 * an object carried as SQL adds its kind, table and signature. */
static void item_key(json_t *o, char *out, size_t size)
{
    const char *ns = json_string_value(json_object_get(o, "schema"));
    const char *name = json_string_value(json_object_get(o, "name"));
    const char *kind = json_string_value(json_object_get(o, "kind"));
    const char *table = json_string_value(json_object_get(o, "table"));
    const char *sig = json_string_value(json_object_get(o, "signature"));
    snprintf(out, size, "%s%s%s\x1f%s\x1f%s\x1f%s", ns ? ns : "", ns ? "\x1f" : "",
             name ? name : "", kind ? kind : "", table ? table : "", sig ? sig : "");
}

/* Each item_key of array `a` -> the first element with it: merge_named
 * looks every item up in the other side and the base, and a scan per
 * look-up made a merge of two n-table heads O(n^2). NULL when out of
 * memory. */
static json_t *item_index(json_t *a)
{
    json_t *ix = json_object();
    size_t i;
    json_t *e;
    char k[512];
    json_array_foreach(a, i, e) {
        if (!ix)
            break;
        item_key(e, k, sizeof k);
        /* nocheck: a key cut at its buffer's end may end inside a character */
        if (!json_object_get(ix, k) && json_object_set_nocheck(ix, k, e)) {
            json_decref(ix);
            ix = NULL;
        }
    }
    return ix;
}

/* Arrays of named objects, matched by name; the left side's order, then
 * what only the right side added. */
static json_t *merge_named(merger *m, json_t *b, json_t *l, json_t *r, level inner,
                           const char *kind, const char *owner)
{
    json_t *out = json_array();
    if (!out) {
        m->oom = 1;
        return NULL;
    }
    char key[512], what[512];
    size_t i;
    json_t *e;
    json_t *ixb = item_index(b), *ixl = item_index(l), *ixr = item_index(r);
    if (!ixb || !ixl || !ixr)
        m->oom = 1;
    for (int side = 0; side < 2; side++) {
        json_t *mine = side ? r : l;
        json_array_foreach(mine, i, e) {
            item_key(e, key, sizeof key);
            json_t *o = json_object_get(side ? ixl : ixr, key);
            if (side && o)
                continue; /* merged on the left pass */
            json_t *be = json_object_get(ixb, key);
            const char *name = json_string_value(json_object_get(e, "name"));
            snprintf(what, sizeof what, "%s%s%s \"%s\"", owner ? owner : "", owner ? ", " : "",
                     kind, name ? name : "");
            json_t *v = side ? merge_value(m, be, o, e, inner, what)
                             : merge_value(m, be, e, o, inner, what);
            if (v && json_array_append_new(out, v))
                m->oom = 1;
        }
    }
    json_decref(ixb);
    json_decref(ixl);
    json_decref(ixr);
    return out;
}

/* The strings of array `a` as the keys of an object, or NULL when one of
 * its elements is not a string without a NUL byte (or out of memory). */
static json_t *string_set(json_t *a)
{
    json_t *set = json_object(), *e;
    size_t i;
    json_array_foreach(a, i, e) {
        const char *k = json_string_value(e);
        if (!set || !k || strlen(k) != json_string_length(e) ||
            json_object_set(set, k, json_true())) {
            json_decref(set);
            return NULL;
        }
    }
    return set;
}

/* Is `e` in array `a` (whose strings are the keys of `set`, when not NULL)? */
static int in_set(json_t *a, json_t *set, json_t *e)
{
    if (set)
        return json_object_get(set, json_string_value(e)) != NULL;
    size_t j;
    json_t *x;
    json_array_foreach(a, j, x) if (json_equal(x, e)) return 1;
    return 0;
}

/* The namespaces of two heads over their base: what either side kept or
 * added, less what either side removed. Strings (all there are in
 * practice) are looked up in objects, not by a scan of each side for each
 * element. */
static json_t *merge_set(merger *m, json_t *b, json_t *l, json_t *r)
{
    json_t *out = json_array();
    json_t *sb = string_set(b), *sl = string_set(l), *sr = string_set(r);
    json_t *sout = sb && sl && sr ? json_object() : NULL;
    if (!out) {
        m->oom = 1;
        return NULL;
    }
    size_t i;
    json_t *e;
    for (int side = 0; side < 2; side++)
        json_array_foreach(side ? r : l, i, e) {
            json_t *other = side ? l : r;
            int in_b = in_set(b, sout ? sb : NULL, e),
                in_o = in_set(other, sout ? (side ? sl : sr) : NULL, e),
                in_out = in_set(out, sout, e);
            if (!in_out && (in_o || !in_b)) {
                if (json_array_append(out, e) ||
                    (sout && json_object_set(sout, json_string_value(e), json_true())))
                    m->oom = 1;
            }
        }
    json_decref(sb);
    json_decref(sl);
    json_decref(sr);
    json_decref(sout);
    return out;
}

static level member_level(level lv, const char *key, const char **kind)
{
    static const struct {
        level at;
        const char *key, *kind;
        level inner;
    } named[] = {
        {LEVEL_SCHEMA, "tables", "table", LEVEL_TABLE},
        {LEVEL_SCHEMA, "views", "view", LEVEL_LEAF},
        {LEVEL_SCHEMA, "enums", "enum", LEVEL_LEAF},
        {LEVEL_SCHEMA, "sequences", "sequence", LEVEL_LEAF},
        {LEVEL_SCHEMA, "objects", "object", LEVEL_LEAF},
        {LEVEL_TABLE, "columns", "column", LEVEL_LEAF},
        {LEVEL_TABLE, "uniques", "unique key", LEVEL_LEAF},
        {LEVEL_TABLE, "indexes", "index", LEVEL_LEAF},
        {LEVEL_TABLE, "foreign_keys", "foreign key", LEVEL_LEAF},
        {LEVEL_TABLE, "checks", "check", LEVEL_LEAF},
        {LEVEL_TABLE, "triggers", "trigger", LEVEL_LEAF},
    };
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (named[i].at == lv && strcmp(named[i].key, key) == 0) {
            *kind = named[i].kind;
            return named[i].inner;
        }
    *kind = NULL;
    return LEVEL_LEAF;
}

/* Objects key by key: a table's own properties, the schema's lists. */
static json_t *merge_object(merger *m, json_t *b, json_t *l, json_t *r, level lv,
                            const char *what)
{
    json_t *out = json_object();
    if (!out) {
        m->oom = 1;
        return NULL;
    }
    const char *key;
    json_t *v;
    char sub[512];
    for (int side = 0; side < 2; side++)
        json_object_foreach(side ? r : l, key, v) {
            if (side && json_object_get(l, key))
                continue;
            json_t *bv = json_object_get(b, key), *lval = json_object_get(l, key),
                   *rv = json_object_get(r, key);
            const char *kind;
            level inner = member_level(lv, key, &kind);
            json_t *mv;
            if (kind)
                mv = same(bv, lval)  ? json_incref(rv)
                     : same(bv, rv) ? json_incref(lval)
                                    : merge_named(m, bv, lval, rv, inner, kind,
                                                  lv == LEVEL_TABLE ? what : NULL);
            else if (lv == LEVEL_SCHEMA && strcmp(key, "namespaces") == 0)
                mv = merge_set(m, bv, lval, rv);
            else {
                snprintf(sub, sizeof sub, "%s%s%s", what ? what : "the schema",
                         strcmp(key, "options") == 0 ? ", option " : ", ",
                         key);
                if (lv == LEVEL_TABLE && strcmp(key, "options") == 0)
                    mv = merge_object(m, bv, lval, rv, LEVEL_LEAF, sub);
                else
                    mv = merge_leaf(m, bv, lval, rv, sub);
            }
            if (mv && json_object_set_new(out, key, mv))
                m->oom = 1;
        }
    return out;
}

static json_t *merge_value(merger *m, json_t *b, json_t *l, json_t *r, level lv,
                           const char *what)
{
    if (lv == LEVEL_LEAF)
        return merge_leaf(m, b, l, r, what);
    /* a table on one side only, or dropped on one side */
    if (!l || !r) {
        json_t *v = merge_leaf(m, b, l, r, what);
        return v;
    }
    return merge_object(m, b, l, r, lv, what);
}

/* ---- the state the next migration starts from -------------------------------- */

static int schema_tree(cairn_ctx *cx, const cairn_schema *s, json_t **out)
{
    cairn_buf b;
    cairn_buf_init(&b);
    int rc = cairn_json_write_schema(cx, s, &b);
    if (!rc && !(*out = json_loads(cairn_buf_cstr(&b), 0, NULL)))
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    cairn_buf_release(&b);
    return rc;
}

static int read_tree(cairn_ctx *cx, const cairn_graph *g, long i, json_t **out, char **dialect)
{
    if (i < 0) {
        *out = json_object();
        return *out ? 0 : cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    cairn_snapshot snap;
    int rc = cairn_folder_read_snapshot(cx, g->list[i].dir, &snap);
    if (rc)
        return cairn_err_prefix(cx, rc, "%s", g->list[i].name);
    rc = schema_tree(cx, snap.schema, out);
    if (!rc && dialect && !*dialect && snap.dialect && !(*dialect = strdup(snap.dialect)))
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    cairn_snapshot_release(&snap);
    return rc;
}

static int dump_to_buf(const char *text, size_t len, void *buf)
{
    return cairn_buf_append(buf, text, len) ? -1 : 0;
}

static int merge_heads(cairn_ctx *cx, const cairn_graph *g, const size_t *heads, size_t nh,
                       cairn_snapshot *out, size_t *twice)
{
    long base;
    int rc = common_ancestor(cx, g, heads, nh, &base);
    json_t *bt = NULL, *acc = NULL;
    if (!rc)
        rc = read_tree(cx, g, base, &bt, &out->dialect);
    if (!rc)
        rc = read_tree(cx, g, (long)heads[0], &acc, &out->dialect);
    cairn_buf left;
    cairn_buf_init(&left);
    cairn_buf_puts(&left, g->list[heads[0]].name);
    merger m = {.cx = cx};
    for (size_t h = 1; !rc && h < nh; h++) {
        json_t *ht = NULL;
        rc = read_tree(cx, g, (long)heads[h], &ht, &out->dialect);
        if (rc)
            break;
        m.left = cairn_buf_cstr(&left);
        m.right = g->list[heads[h]].name;
        json_t *next = merge_object(&m, bt, acc, ht, LEVEL_SCHEMA, NULL);
        json_decref(ht);
        json_decref(acc);
        acc = next;
        if (m.oom || !acc || left.oom)
            rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
        cairn_buf_printf(&left, ", %s", m.right);
    }
    if (twice)
        *twice = m.twice;
    if (!rc && m.conflicts)
        rc = cairn_err(cx, CAIRN_EINTEGRITY,
                       "the branches conflict: %s%s: delete the folder of the one not "
                       "applied anywhere yet, then run 'cairn generate' again",
                       m.first, m.conflicts > 1 ? " (and more above)" : "");
    /* Dumped into a buffer of ours, not by json_dumps, whose result is
     * jansson's allocator's to free (the CLI installs its own). */
    cairn_buf text;
    cairn_buf_init(&text);
    if (!rc && (json_dump_callback(acc, dump_to_buf, &text, JSON_COMPACT) || text.oom))
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    if (!rc)
        rc = cairn_json_read_schema(cx, cairn_buf_cstr(&text), text.len, "the merged branches",
                                    &out->schema);
    cairn_buf_release(&text);
    json_decref(bt);
    json_decref(acc);
    cairn_buf_release(&left);
    return rc;
}

int cairn_graph_state(cairn_ctx *cx, const cairn_graph *g, const unsigned char *only,
                      cairn_snapshot *out, size_t **heads, size_t *nheads, size_t *twice)
{
    memset(out, 0, sizeof *out);
    if (twice)
        *twice = 0;
    int rc = cairn_graph_heads(cx, g, only, heads, nheads);
    if (rc)
        return rc;
    /* a damaged head: reading it whole says what is wrong, and where */
    for (size_t h = 0; !rc && h < *nheads; h++)
        if (!g->node[(*heads)[h]].ok) {
            rc = cairn_folder_read_snapshot(cx, g->list[(*heads)[h]].dir, out);
            cairn_snapshot_release(out);
        }
    if (!rc && *nheads == 0)
        rc = (out->schema = cairn_schema_new()) ? 0 : cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    else if (!rc && *nheads == 1)
        rc = cairn_folder_read_snapshot(cx, g->list[(*heads)[0]].dir, out);
    else if (!rc)
        rc = merge_heads(cx, g, *heads, *nheads, out, twice);
    if (rc) {
        cairn_snapshot_release(out);
        free(*heads);
        *heads = NULL;
        *nheads = 0;
    }
    return rc;
}
