/*
 * The diff: two schemas in, an ordered plan of changes out.
 *
 * The work is done in two steps: first every object of the new schema is
 * paired with its counterpart in the old one (by name, or by an explicit
 * rename hint, never by guessing), then the changes are written phase by
 * phase in the order documented in <cairn/plan.h>, so the plan runs top to
 * bottom. Every collection is walked in sorted order, so the same two
 * schemas give the same plan whatever order they were built in.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#include "diff.h"

/* ---- small helpers -------------------------------------------------------- */

int diff_str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int str_cmp(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

int diff_str_eq_ci(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcasecmp(a, b) == 0);
}

static int oom(differ *d)
{
    if (!d->rc)
        d->rc = cairn_err(d->cx, CAIRN_ENOMEM, "out of memory");
    return d->rc;
}

void *diff_tmp_alloc(differ *d, size_t n, size_t size)
{
    void *p = cairn_arena_alloc(d->tmp, n * size);
    if (!p)
        oom(d);
    return p;
}

/* Append `s` in canonical form: whitespace runs become one space, dropped at
 * the ends and around ( ) and commas; quoted text is kept as written; `fold`
 * lower-cases the rest. Dialects normalise, this only absorbs layout. */
void diff_canon(cairn_buf *b, const char *s, int fold)
{
    int pending = 0;
    char last = 0;
    for (const char *p = s ? s : ""; *p;) {
        char c = *p;
        if (isspace((unsigned char)c)) {
            pending = 1;
            p++;
            continue;
        }
        int quote = c == '\'' || c == '"' || c == '`';
        if (pending && last && last != '(' && last != ',' &&
            (quote || (c != '(' && c != ')' && c != ',')))
            cairn_buf_append(b, " ", 1);
        pending = 0;
        if (quote) {
            const char *e = p + 1;
            while (*e && !(*e == c && e[1] != c))
                e += *e == c ? 2 : 1;
            if (*e)
                e++;
            cairn_buf_append(b, p, (size_t)(e - p));
            p = e;
        } else {
            char o = fold ? (char)tolower((unsigned char)c) : c;
            cairn_buf_append(b, &o, 1);
            p++;
        }
        last = c;
    }
}

/* Are two optional texts equal once canonical? Both NULL are equal. */
int diff_text_eq(differ *d, const char *a, const char *b, int fold)
{
    if (!a || !b)
        return !a && !b;
    if (strcmp(a, b) == 0) /* the same text has the same canonical form */
        return 1;
    cairn_buf_reset(&d->b1);
    cairn_buf_reset(&d->b2);
    diff_canon(&d->b1, a, fold);
    diff_canon(&d->b2, b, fold);
    if (d->b1.oom || d->b2.oom)
        oom(d);
    return strcmp(cairn_buf_cstr(&d->b1), cairn_buf_cstr(&d->b2)) == 0;
}

const char *diff_tmp_str(differ *d, cairn_buf *b)
{
    if (b->oom) {
        oom(d);
        return "";
    }
    const char *s = cairn_arena_strdup(d->tmp, cairn_buf_cstr(b));
    if (!s) {
        oom(d);
        return "";
    }
    return s;
}

/* "users" or "app"."users", for messages. */
const char *diff_qname(differ *d, const char *ns, const char *name)
{
    cairn_buf b;
    cairn_buf_init(&b);
    if (ns) {
        cairn_buf_quote(&b, ns, '"');
        cairn_buf_append(&b, ".", 1);
    }
    cairn_buf_quote(&b, name, '"');
    const char *s = diff_tmp_str(d, &b);
    cairn_buf_release(&b);
    return s;
}

/* ---- the plan --------------------------------------------------------------- */

static cairn_change *add_change(differ *d, cairn_change_kind kind, const cairn_table *tf,
                                const cairn_table *tt, const void *from, const void *to)
{
    if (d->rc)
        return NULL;
    cairn_plan *p = &d->pb->p;
    cairn_change *ch = cairn_arena_alloc(d->pb->arena, sizeof *ch);
    if (!ch || cairn_arena_push(d->pb->arena, (void ***)&p->changes, &p->nchanges, ch)) {
        oom(d);
        return NULL;
    }
    ch->kind = kind;
    ch->table_from = tf;
    ch->table_to = tt;
    ch->from.ptr = from;
    ch->to.ptr = to;
    return ch;
}

cairn_change *diff_add_change(differ *d, cairn_change_kind kind, const cairn_table *tf,
                              const cairn_table *tt, const void *from, const void *to)
{
    return add_change(d, kind, tf, tt, from, to);
}

static void destructive(differ *d, cairn_change *ch, const char *fmt, ...) CAIRN_FMT(3, 4);
static void destructive(differ *d, cairn_change *ch, const char *fmt, ...)
{
    if (!ch)
        return;
    ch->flags |= CAIRN_CHANGE_DESTRUCTIVE;
    cairn_buf b;
    cairn_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    cairn_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    ch->warning = b.oom ? NULL : cairn_arena_strdup(d->pb->arena, cairn_buf_cstr(&b));
    if (!ch->warning)
        oom(d);
    cairn_buf_release(&b);
}

/* ---- rename options ------------------------------------------------------------ */

/* Split [s, e) into names separated by unquoted '.', each bare or in
 * double quotes ("" for a quote inside): at most 2 names. Returns how many,
 * or -1 when the text is not of that form. */
static int split_qualified(differ *d, const char *s, const char *e, char **names)
{
    int n = 0;
    while (s <= e && n < 2) {
        cairn_buf b;
        cairn_buf_init(&b);
        if (s < e && *s == '"') {
            for (s++;; s++) {
                if (s >= e) {
                    cairn_buf_release(&b);
                    return -1; /* unterminated quote */
                }
                if (*s == '"' && (s + 1 >= e || s[1] != '"'))
                    break;
                if (*s == '"')
                    s++;
                cairn_buf_append(&b, s, 1);
            }
            s++;
            if (s < e && *s != '.') {
                cairn_buf_release(&b);
                return -1;
            }
        } else {
            const char *dot = memchr(s, '.', (size_t)(e - s));
            const char *stop = dot ? dot : e;
            if (memchr(s, '"', (size_t)(stop - s))) {
                cairn_buf_release(&b);
                return -1;
            }
            cairn_buf_append(&b, s, (size_t)(stop - s));
            s = stop;
        }
        names[n] = cairn_arena_strdup(d->tmp, cairn_buf_cstr(&b));
        cairn_buf_release(&b);
        if (!names[n])
            return -1;
        n++;
        if (s >= e)
            return n;
        s++; /* the dot */
    }
    return -1;
}

/* The '=' of a rename that is not inside double quotes, or NULL. */
static const char *rename_eq(const char *r)
{
    int quoted = 0;
    for (const char *p = r; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (*p == '=' && !quoted)
            return p;
    }
    return NULL;
}

static int parse_renames(differ *d, const cairn_diff_opts *opts)
{
    if (!opts || !opts->nrenames)
        return 0;
    d->renames = diff_tmp_alloc(d, opts->nrenames, sizeof *d->renames);
    if (!d->renames)
        return d->rc;
    for (size_t i = 0; i < opts->nrenames; i++) {
        const char *r = opts->renames[i] ? opts->renames[i] : "";
        const char *eq = rename_eq(r);
        const char *bad = NULL;
        rename_opt *o = &d->renames[d->nrenames];
        char *l[2] = {NULL, NULL}, *rt[2] = {NULL, NULL};
        int nl = eq ? split_qualified(d, r, eq, l) : -1;
        int nr = eq ? split_qualified(d, eq + 1, eq + 1 + strlen(eq + 1), rt) : -1;
        if (d->rc)
            return d->rc;
        if (nl < 0 || nr < 0 || nl != nr || rename_eq(eq + 1))
            bad = "expected old=new or table.old=table.new (quote a name with a dot: \"a.b\")";
        else if (nl == 1) {
            o->old_name = l[0];
            o->new_name = rt[0];
        } else {
            if (strcmp(l[0], rt[0]) != 0)
                bad = "a column rename names the same table on both sides";
            o->table = rt[0];
            o->old_name = l[1];
            o->new_name = rt[1];
        }
        if (!bad && (!*o->old_name || !*o->new_name || (o->table && !*o->table)))
            bad = "a name is empty";
        if (!bad && strcmp(o->old_name, o->new_name) == 0)
            bad = "old and new name are the same";
        if (bad)
            return d->rc = cairn_err(d->cx, CAIRN_EUSAGE, "bad rename '%s': %s", r, bad);
        d->nrenames++;
    }
    return 0;
}

/* The former name of table `t` (from --rename, else its `was`), or NULL. */
static const char *table_hint(const differ *d, const cairn_table *t)
{
    for (size_t i = 0; i < d->nrenames; i++)
        if (!d->renames[i].table && strcmp(d->renames[i].new_name, t->name) == 0)
            return d->renames[i].old_name;
    return t->was;
}

/* The former name of column `c` of the pair (from --rename, which may name
 * the table by its old or its new name, else the column's `was`), or NULL. */
static const char *column_hint(const differ *d, const tpair *p, const cairn_column *c)
{
    for (size_t i = 0; i < d->nrenames; i++) {
        const rename_opt *o = &d->renames[i];
        if (o->table && (strcmp(o->table, p->to->name) == 0 || strcmp(o->table, p->from->name) == 0) &&
            strcmp(o->new_name, c->name) == 0)
            return o->old_name;
    }
    return c->was;
}

/* A --rename must name something of the new schema; a column rename, a
 * table that is in both (tables are paired by then). */
static int check_renames(differ *d, int columns)
{
    for (size_t i = 0; i < d->nrenames && !d->rc; i++) {
        const rename_opt *o = &d->renames[i];
        if (!columns && !o->table) {
            size_t j = 0;
            while (j < d->ntt && strcmp(d->tt[j]->name, o->new_name) != 0)
                j++;
            if (j == d->ntt)
                return d->rc = cairn_err(d->cx, CAIRN_ESCHEMA,
                                         "rename %s=%s: no table \"%s\" in the new schema",
                                         o->old_name, o->new_name, o->new_name);
        }
        if (!columns || !o->table)
            continue;
        const tpair *p = NULL;
        for (size_t k = 0; k < d->npairs && !p; k++)
            if (strcmp(d->pairs[k]->to->name, o->table) == 0 ||
                strcmp(d->pairs[k]->from->name, o->table) == 0)
                p = d->pairs[k];
        if (!p)
            return d->rc = cairn_err(d->cx, CAIRN_ESCHEMA,
                                     "rename %s.%s=%s.%s: no table \"%s\" in both schemas",
                                     o->table, o->old_name, o->table, o->new_name, o->table);
        if (!cairn_table_find_column(p->to, o->new_name))
            return d->rc = cairn_err(d->cx, CAIRN_ESCHEMA,
                                     "rename %s.%s=%s.%s: table \"%s\" has no column \"%s\"",
                                     o->table, o->old_name, o->table, o->new_name, p->to->name,
                                     o->new_name);
    }
    return d->rc;
}

/* ---- sorting and dependency order ---------------------------------------------- */

static int cmp_table(const void *pa, const void *pb)
{
    const cairn_table *a = *(const cairn_table *const *)pa, *b = *(const cairn_table *const *)pb;
    int c = str_cmp(a->schema, b->schema);
    return c ? c : strcmp(a->name, b->name);
}

static int cmp_view(const void *pa, const void *pb)
{
    const cairn_view *a = *(const cairn_view *const *)pa, *b = *(const cairn_view *const *)pb;
    int c = str_cmp(a->schema, b->schema);
    return c ? c : strcmp(a->name, b->name);
}

static int cmp_enum(const void *pa, const void *pb)
{
    const cairn_enum *a = *(const cairn_enum *const *)pa, *b = *(const cairn_enum *const *)pb;
    int c = str_cmp(a->schema, b->schema);
    return c ? c : strcmp(a->name, b->name);
}

static int cmp_sequence(const void *pa, const void *pb)
{
    const cairn_sequence *a = *(const cairn_sequence *const *)pa;
    const cairn_sequence *b = *(const cairn_sequence *const *)pb;
    int c = str_cmp(a->schema, b->schema);
    return c ? c : strcmp(a->name, b->name);
}

static int cmp_fkey(const void *pa, const void *pb)
{
    const cairn_fkey *a = *(const cairn_fkey *const *)pa, *b = *(const cairn_fkey *const *)pb;
    int c = str_cmp(a->name, b->name);
    if (!c)
        c = str_cmp(a->ref_table, b->ref_table);
    for (size_t i = 0; !c && i < a->ncolumns && i < b->ncolumns; i++)
        c = strcmp(a->columns[i], b->columns[i]);
    return c;
}

static int cmp_cstr(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

int diff_cmp_dobj(const void *pa, const void *pb)
{
    const dobj *a = pa, *b = pb;
    int c = str_cmp(a->name, b->name);
    return c ? c : strcmp(a->sig, b->sig);
}

/* A sorted copy of a pointer array, in the scratch arena. */
static void *sorted(differ *d, void *const *items, size_t n, int (*cmp)(const void *, const void *))
{
    void **v = diff_tmp_alloc(d, n ? n : 1, sizeof *v);
    if (!v)
        return NULL;
    if (n)
        memcpy(v, items, n * sizeof *v);
    if (n > 1)
        qsort(v, n, sizeof *v, cmp);
    return v;
}

/* The position of the first of the n items of `v` (sorted by `cmp`) that
 * compares equal to `key`, or n: a binary search where a scan would be O(n)
 * per look-up. */
static size_t sorted_pos(void *const *v, size_t n, const void *key,
                         int (*cmp)(const void *, const void *))
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp(&v[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && cmp(&v[lo], &key) == 0 ? lo : n;
}

/* The item at sorted_pos, or NULL. */
static const void *sorted_find(void *const *v, size_t n, const void *key,
                               int (*cmp)(const void *, const void *))
{
    size_t i = sorted_pos(v, n, key, cmp);
    return i < n ? v[i] : NULL;
}

/* The dependencies among n items: item a[k] depends on item b[k]. */
typedef struct dep_edges {
    size_t *a, *b;
    size_t n, cap;
} dep_edges;

typedef void deps_fn(differ *d, void *const *items, size_t n, dep_edges *out);

static void dep_add(differ *d, dep_edges *e, size_t a, size_t b)
{
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 64;
        size_t *na = diff_tmp_alloc(d, cap, sizeof *na), *nb = diff_tmp_alloc(d, cap, sizeof *nb);
        if (!na || !nb)
            return;
        if (e->n) {
            memcpy(na, e->a, e->n * sizeof *na);
            memcpy(nb, e->b, e->n * sizeof *nb);
        }
        e->a = na;
        e->b = nb;
        e->cap = cap;
    }
    e->a[e->n] = a;
    e->b[e->n++] = b;
}

/* Take the smallest index off a binary min-heap of h[0..*n). */
static size_t heap_pop(size_t *h, size_t *n)
{
    size_t top = h[0], x = h[--*n], i = 0;
    for (size_t c; (c = 2 * i + 1) < *n; i = c) {
        if (c + 1 < *n && h[c + 1] < h[c])
            c++;
        if (x <= h[c])
            break;
        h[i] = h[c];
    }
    h[i] = x;
    return top;
}

static void heap_push(size_t *h, size_t *n, size_t x)
{
    size_t i = (*n)++;
    for (; i && h[(i - 1) / 2] > x; i = (i - 1) / 2)
        h[i] = h[(i - 1) / 2];
    h[i] = x;
}

/* Order n items (given sorted by name) so that whatever an item depends on
 * comes first: at each step the first item by name whose dependencies are
 * all placed; a cycle is broken by taking the first remaining item by name.
 * `reverse`: dependents come first instead (for drops). Kahn's algorithm
 * over the edges with a heap of the ready items: O((n + e) log n). */
static size_t *dep_order(differ *d, void *const *items, size_t n, deps_fn *deps, int reverse)
{
    size_t *order = diff_tmp_alloc(d, n ? n : 1, sizeof *order);
    char *placed = diff_tmp_alloc(d, n ? n : 1, 1);
    size_t *waits = diff_tmp_alloc(d, n ? n : 1, sizeof *waits); /* unplaced items it waits for */
    size_t *first = diff_tmp_alloc(d, n + 1, sizeof *first);      /* its waiters, in `waiter` */
    size_t *heap = diff_tmp_alloc(d, n ? n : 1, sizeof *heap);
    dep_edges e = {0};
    if (d->rc)
        return NULL;
    deps(d, items, n, &e);
    size_t *waiter = diff_tmp_alloc(d, e.n ? e.n : 1, sizeof *waiter);
    if (d->rc)
        return NULL;
    /* Edge k: item w waits for item p to be placed. */
    for (size_t k = 0; k < e.n; k++) {
        size_t w = reverse ? e.b[k] : e.a[k], p = reverse ? e.a[k] : e.b[k];
        waits[w]++;
        first[p + 1]++;
    }
    for (size_t i = 0; i < n; i++)
        first[i + 1] += first[i];
    for (size_t k = 0; k < e.n; k++) {
        size_t w = reverse ? e.b[k] : e.a[k], p = reverse ? e.a[k] : e.b[k];
        waiter[first[p]++] = w;
    }
    for (size_t i = n; i > 0; i--)
        first[i] = first[i - 1];
    first[0] = 0;
    size_t nheap = 0, next = 0;
    for (size_t i = 0; i < n; i++)
        if (!waits[i])
            heap_push(heap, &nheap, i);
    for (size_t k = 0; k < n; k++) {
        size_t pick;
        if (nheap)
            pick = heap_pop(heap, &nheap);
        else {
            while (placed[next])
                next++;
            pick = next;
        }
        placed[pick] = 1;
        order[k] = pick;
        for (size_t x = first[pick]; x < first[pick + 1]; x++)
            if (!--waits[waiter[x]] && !placed[waiter[x]])
                heap_push(heap, &nheap, waiter[x]);
    }
    return order;
}

/* ---- table pairing ----------------------------------------------------------------- */

/* The first of v (sorted by cmp_table) named (ns, name), or n: a binary search. */
size_t diff_find_sorted_table(const cairn_table *const *v, size_t n, const char *ns,
                                const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = str_cmp(v[mid]->schema, ns);
        if ((c ? c : strcmp(v[mid]->name, name)) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && diff_str_eq(v[lo]->schema, ns) && strcmp(v[lo]->name, name) == 0 ? lo : n;
}

/* The pair of the old table (ns, name), or NULL when it is dropped or absent. */
tpair *diff_pair_of_old(const differ *d, const char *ns, const char *name)
{
    size_t i = diff_find_sorted_table(d->ft, d->nft, ns, name);
    return i < d->nft ? d->pair_of_from[i] : NULL;
}

/* ---- virtual tables ------------------------------------------------------------------ */

/* A virtual table cannot be altered: it is paired only with one of the same
 * module (any case, as SQLite matches modules) and the same arguments once
 * canonical; any other change is a drop and a create. */
static int virtual_kept(differ *d, const cairn_table *a, const cairn_table *b)
{
    int va = cairn_table_is_virtual(a), vb = cairn_table_is_virtual(b);
    if (!va || !vb)
        return !va && !vb;
    const char *xa = cairn_table_option(a, "args"), *xb = cairn_table_option(b, "args");
    return strcasecmp(cairn_table_option(a, "using"), cairn_table_option(b, "using")) == 0 &&
           diff_text_eq(d, xa ? xa : "", xb ? xb : "", 0);
}

/* An FTS4/FTS5 table over an external content table (content=<table>) holds
 * only an index of that table's rows: dropped and created again, it is
 * rebuilt from them (the dialect writes the rebuild), so nothing is lost. */
static int virtual_keeps_content(const cairn_table *t)
{
    const char *m = cairn_table_option(t, "using"), *args = cairn_table_option(t, "args");
    if (!m || !args || (strcasecmp(m, "fts4") != 0 && strcasecmp(m, "fts5") != 0))
        return 0;
    for (const char *p = args; *p;) {
        while (isspace((unsigned char)*p) || *p == ',')
            p++;
        const char *arg = p;
        char q = 0;
        int depth = 0;
        for (; *p && (q || depth || *p != ','); p++) {
            if (q)
                q = *p == q ? 0 : q;
            else if (*p == '\'' || *p == '"' || *p == '`' || *p == '[')
                q = *p == '[' ? ']' : *p;
            else
                depth += (*p == '(') - (*p == ')');
        }
        if (strncasecmp(arg, "content", 7) != 0)
            continue;
        const char *v = arg + 7;
        while (isspace((unsigned char)*v))
            v++;
        if (*v++ != '=')
            continue; /* content_rowid and the like */
        while (v < p && (isspace((unsigned char)*v) || *v == '\'' || *v == '"' || *v == '['))
            v++;
        const char *e = p;
        while (e > v && (isspace((unsigned char)e[-1]) || e[-1] == '\'' || e[-1] == '"' ||
                         e[-1] == ']'))
            e--;
        return e > v; /* content='' is a contentless table: nothing to rebuild from */
    }
    return 0;
}

static int pair_tables(differ *d)
{
    d->pair_of_from = diff_tmp_alloc(d, d->nft ? d->nft : 1, sizeof *d->pair_of_from);
    d->pair_of_to = diff_tmp_alloc(d, d->ntt ? d->ntt : 1, sizeof *d->pair_of_to);
    d->pairs = diff_tmp_alloc(d, d->ntt ? d->ntt : 1, sizeof *d->pairs);
    if (d->rc)
        return d->rc;
    /* Same names first: a hint never takes a table that kept its name. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t j = 0; j < d->ntt; j++) {
            const cairn_table *t = d->tt[j];
            if (d->pair_of_to[j])
                continue;
            size_t i = diff_find_sorted_table(d->ft, d->nft, t->schema, t->name);
            if (pass == 0 && i == d->nft)
                continue;
            if (pass == 1) {
                const char *hint = d->hints ? table_hint(d, t) : NULL;
                if (!hint || strcmp(hint, t->name) == 0)
                    continue;
                i = diff_find_sorted_table(d->ft, d->nft, t->schema, hint);
                if (i == d->nft)
                    return d->rc = cairn_err(d->cx, CAIRN_ESCHEMA,
                                             "table %s was \"%s\", but neither is in the old schema",
                                             diff_qname(d, t->schema, t->name), hint);
                if (diff_find_sorted_table(d->tt, d->ntt, t->schema, hint) < d->ntt)
                    return d->rc = cairn_err(d->cx, CAIRN_ESCHEMA,
                                             "table %s was \"%s\", but \"%s\" is still in the new schema",
                                             diff_qname(d, t->schema, t->name), hint, hint);
                if (d->pair_of_from[i])
                    return d->rc = cairn_err(d->cx, CAIRN_ESCHEMA,
                                             "tables %s and %s were both \"%s\"",
                                             diff_qname(d, t->schema, d->pair_of_from[i]->to->name),
                                             diff_qname(d, t->schema, t->name), hint);
            }
            if (!virtual_kept(d, d->ft[i], t))
                continue;
            tpair *p = diff_tmp_alloc(d, 1, sizeof *p);
            if (!p)
                return d->rc;
            p->from = d->ft[i];
            p->to = t;
            d->pair_of_from[i] = d->pair_of_to[j] = p;
        }
    }
    for (size_t j = 0; j < d->ntt; j++)
        if (d->pair_of_to[j])
            d->pairs[d->npairs++] = d->pair_of_to[j];
    return 0;
}

/* ---- columns ------------------------------------------------------------------------ */

static int cmp_col_slot(const void *pa, const void *pb)
{
    cairn_column *const *a = *(cairn_column *const *const *)pa;
    cairn_column *const *b = *(cairn_column *const *const *)pb;
    return strcmp((*a)->name, (*b)->name);
}

/* The position of the old table's column `name` in the pair, or its
 * column count: a binary search over the slots sorted by name (column names
 * are unique in a table), so a wide table costs no scan per column. */
size_t diff_from_column(const tpair *p, const char *name)
{
    size_t lo = 0, hi = p->from->ncolumns;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp((*p->fcols[mid])->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < p->from->ncolumns && strcmp((*p->fcols[lo])->name, name) == 0)
        return (size_t)(p->fcols[lo] - p->from->columns);
    return p->from->ncolumns;
}

static int pair_columns(differ *d, tpair *p)
{
    const cairn_table *f = p->from, *t = p->to;
    p->col_to = diff_tmp_alloc(d, f->ncolumns ? f->ncolumns : 1, sizeof *p->col_to);
    p->col_from = diff_tmp_alloc(d, t->ncolumns ? t->ncolumns : 1, sizeof *p->col_from);
    p->fcols = diff_tmp_alloc(d, f->ncolumns ? f->ncolumns : 1, sizeof *p->fcols);
    if (d->rc)
        return d->rc;
    for (size_t i = 0; i < f->ncolumns; i++)
        p->fcols[i] = &f->columns[i];
    if (f->ncolumns > 1)
        qsort(p->fcols, f->ncolumns, sizeof *p->fcols, cmp_col_slot);
    for (size_t j = 0; j < t->ncolumns; j++) {
        size_t i = diff_from_column(p, t->columns[j]->name);
        if (i < f->ncolumns) {
            p->col_from[j] = f->columns[i];
            p->col_to[i] = t->columns[j];
        }
    }
    for (size_t j = 0; j < t->ncolumns; j++) {
        const cairn_column *c = t->columns[j];
        const char *hint = column_hint(d, p, c);
        if (p->col_from[j] || !hint || strcmp(hint, c->name) == 0)
            continue;
        size_t i = diff_from_column(p, hint);
        const char *tn = diff_qname(d, t->schema, t->name);
        if (i == f->ncolumns)
            return d->rc = cairn_err(d->cx, CAIRN_ESCHEMA,
                                     "column %s.\"%s\" was \"%s\", but neither is in the old table",
                                     tn, c->name, hint);
        if (cairn_table_find_column(t, hint))
            return d->rc = cairn_err(d->cx, CAIRN_ESCHEMA,
                                     "column %s.\"%s\" was \"%s\", but \"%s\" is still in the table",
                                     tn, c->name, hint, hint);
        if (p->col_to[i])
            return d->rc = cairn_err(d->cx, CAIRN_ESCHEMA,
                                     "columns %s.\"%s\" and \"%s\" were both \"%s\"", tn,
                                     p->col_to[i]->name, c->name, hint);
        p->col_from[j] = f->columns[i];
        p->col_to[i] = c;
    }
    p->ident = f == t;
    for (size_t i = 0; i < f->ncolumns && p->ident; i++)
        p->ident = p->col_to[i] == f->columns[i];
    return 0;
}

/* ---- views ---------------------------------------------------------------------------- */

/* The next word of SQL text at *p, as mentions() reads words: a quoted name
 * ("...", `...` or [...]) without its quotes, or a run of letters, digits,
 * '_' and '$'; string literals are skipped, and an unclosed quote ends the
 * text. Its length goes to *len; NULL at the end. */
static const char *sql_word(const char **p, size_t *len)
{
    const char *s = *p;
    while (*s) {
        char c = *s;
        if (c == '\'') {
            for (s++; *s && !(*s == '\'' && s[1] != '\''); s += *s == '\'' ? 2 : 1)
                ;
            if (*s)
                s++;
        } else if (c == '"' || c == '`' || c == '[') {
            char close = c == '[' ? ']' : c;
            const char *e = strchr(s + 1, close);
            if (!e)
                break;
            *len = (size_t)(e - s - 1);
            *p = e + 1;
            return s + 1;
        } else if (isalnum((unsigned char)c) || c == '_' || c == '$') {
            const char *e = s;
            while (isalnum((unsigned char)*e) || *e == '_' || *e == '$')
                e++;
            *len = (size_t)(e - s);
            *p = e;
            return s;
        } else {
            s++;
        }
    }
    *p = s + strlen(s);
    return NULL;
}

/* Does SQL text `sql` name `name` as an identifier (quoted or not, any case)?
 * Crude on purpose: a false positive only recreates a view. */
static int mentions(const char *sql, const char *name)
{
    size_t n = strlen(name), len;
    const char *p = sql ? sql : "", *w;
    while ((w = sql_word(&p, &len)))
        if (len == n && strncasecmp(w, name, n) == 0)
            return 1;
    return 0;
}

/* Which of n names a SQL text mentions, for many texts: each text's words
 * are read once and looked up, instead of one scan of every text for every
 * name (O(texts x names)). Names are folded to lower case as strncasecmp
 * compares them. */
typedef struct name_index {
    cairn_strmap *map; /* folded name -> 1 + its first index */
    size_t *next;      /* 1 + the next index of the same folded name, or 0 */
    size_t *hit;       /* the indexes found by name_hits */
    size_t nhit, cap;
    char *key; /* a folded word */
    size_t keycap;
} name_index;

static const char *fold_word(differ *d, name_index *x, const char *w, size_t len)
{
    if (len + 1 > x->keycap) {
        x->keycap = 2 * len + 16;
        if (!(x->key = diff_tmp_alloc(d, x->keycap, 1)))
            return NULL;
    }
    for (size_t i = 0; i < len; i++)
        x->key[i] = (char)tolower((unsigned char)w[i]);
    x->key[len] = '\0';
    return x->key;
}

static int name_index_build(differ *d, name_index *x, const char *const *names, size_t n)
{
    memset(x, 0, sizeof *x);
    x->map = cairn_strmap_new(d->tmp);
    x->next = diff_tmp_alloc(d, n ? n : 1, sizeof *x->next);
    if (!x->map || !x->next)
        return oom(d);
    /* backwards, so that each name's chain lists its indexes in order */
    for (size_t i = n; i-- > 0;) {
        const char *k = fold_word(d, x, names[i], strlen(names[i]));
        char *own = k ? cairn_arena_strndup(d->tmp, k, strlen(k)) : NULL;
        if (!own)
            return oom(d);
        x->next[i] = (size_t)(uintptr_t)cairn_strmap_get(x->map, NULL, own);
        if (cairn_strmap_put(x->map, NULL, own, (const void *)(uintptr_t)(i + 1)))
            return oom(d);
    }
    return 0;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The indexes of the names that `sql` mentions, ascending, each once, in
 * x->hit[0..x->nhit): the same as mentions(sql, names[i]) for every i. */
static int name_hits(differ *d, name_index *x, const char *sql)
{
    size_t len;
    const char *p = sql ? sql : "", *w;
    x->nhit = 0;
    while ((w = sql_word(&p, &len))) {
        const char *k = fold_word(d, x, w, len);
        if (!k)
            return d->rc;
        for (size_t i = (size_t)(uintptr_t)cairn_strmap_get(x->map, NULL, k); i;
             i = x->next[i - 1]) {
            if (x->nhit == x->cap) {
                size_t cap = x->cap ? 2 * x->cap : 16;
                size_t *h = diff_tmp_alloc(d, cap, sizeof *h);
                if (!h)
                    return d->rc;
                if (x->nhit)
                    memcpy(h, x->hit, x->nhit * sizeof *h);
                x->hit = h;
                x->cap = cap;
            }
            x->hit[x->nhit++] = i - 1;
        }
    }
    if (x->nhit > 1)
        qsort(x->hit, x->nhit, sizeof *x->hit, cmp_size);
    size_t u = 0;
    for (size_t i = 0; i < x->nhit; i++)
        if (!u || x->hit[u - 1] != x->hit[i])
            x->hit[u++] = x->hit[i];
    x->nhit = u;
    return 0;
}

/* An index of the names of n views. */
static int view_name_index(differ *d, name_index *x, void *const *views, size_t n)
{
    const char **names = diff_tmp_alloc(d, n ? n : 1, sizeof *names);
    if (!names)
        return d->rc;
    for (size_t i = 0; i < n; i++)
        names[i] = ((const cairn_view *)views[i])->name;
    return name_index_build(d, x, names, n);
}

/* Does `def` select all columns with a '*' (SQLite keeps SELECT * as
 * written)? Not count(*), nor a product: the star must follow SELECT,
 * DISTINCT, ALL, a comma or "t.". */
static int selects_star(const char *def)
{
    for (const char *p = strchr(def, '*'); p; p = strchr(p + 1, '*')) {
        const char *q = p;
        while (q > def && isspace((unsigned char)q[-1]))
            q--;
        if (q == def || q[-1] == ',' || q[-1] == '.')
            return 1;
        const char *w = q;
        while (w > def && (isalnum((unsigned char)w[-1]) || w[-1] == '_'))
            w--;
        size_t n = (size_t)(q - w);
        if ((n == 6 && strncasecmp(w, "select", 6) == 0) ||
            (n == 8 && strncasecmp(w, "distinct", 8) == 0) ||
            (n == 3 && strncasecmp(w, "all", 3) == 0))
            return 1;
    }
    return 0;
}

/* Does the view text `def` read column `name`? A select-star reads them
 * all. */
static int reads_column(const char *def, const char *name)
{
    return selects_star(def) || mentions(def, name);
}

static int generated_readded(differ *d, const tpair *p, size_t i);

/* Must a view that names the old table of pair `p` be dropped before the
 * table changes and created after? When the table is renamed, or a column
 * the view reads is dropped, renamed or gets another type, collation or
 * generation (PostgreSQL refuses those under a view), or goes before a
 * function its expression calls and comes back, or the primary key
 * changes while the view reads a column of it (a GROUP BY may lean on it).
 * A foreign key, an index, a check, an option, a comment or a column the
 * view does not read changes nothing for it; recreating it anyway would
 * silently take its grants along on PostgreSQL. */
static int table_change_reaches_view(differ *d, const tpair *p, const char *def)
{
    const cairn_table *f = p->from;
    if (strcmp(f->name, p->to->name) != 0)
        return 1;
    for (size_t i = 0; i < f->ncolumns; i++) {
        const cairn_column *old = f->columns[i], *c = p->col_to[i];
        if (!c || strcmp(old->name, c->name) != 0 || generated_readded(d, p, i) ||
            (diff_column_changes(d, old, c) &
             (CAIRN_ALTER_TYPE | CAIRN_ALTER_COLLATION | CAIRN_ALTER_GENERATED)))
            if (reads_column(def, old->name))
                return 1;
    }
    for (size_t k = 0; p->pk_changed && f->primary_key && k < f->primary_key->ncolumns; k++)
        if (reads_column(def, f->primary_key->columns[k]))
            return 1;
    return 0;
}

/* A view depends on the views its definition names. */
static void view_deps(differ *d, void *const *items, size_t n, dep_edges *out)
{
    name_index x;
    if (view_name_index(d, &x, items, n))
        return;
    for (size_t i = 0; i < n && !d->rc; i++) {
        if (name_hits(d, &x, ((const cairn_view *)items[i])->definition))
            return;
        for (size_t h = 0; h < x.nhit; h++)
            if (x.hit[h] != i)
                dep_add(d, out, i, x.hit[h]);
    }
}

typedef struct vplan {
    const cairn_view **fv, **tv;
    size_t nf, nt;
    char *drop;      /* per fv */
    char *create;    /* per tv */
    int *peer_of_to; /* per tv: index into fv, -1 */
} vplan;

static int view_eq(differ *d, const cairn_view *a, const cairn_view *b)
{
    if (a->ncolumns != b->ncolumns)
        return 0;
    for (size_t i = 0; i < a->ncolumns; i++)
        if (strcmp(a->columns[i], b->columns[i]) != 0)
            return 0;
    return !a->materialized == !b->materialized && diff_str_eq(a->comment, b->comment) &&
           diff_option_lists_equal(a->options, a->noptions, b->options, b->noptions) &&
           diff_text_eq(d, a->definition, b->definition, 0);
}

/* `v` is sorted by cmp_view. */
static size_t find_view(const cairn_view *const *v, size_t n, const char *ns, const char *name)
{
    cairn_view key;
    memset(&key, 0, sizeof key);
    key.schema = ns;
    key.name = name;
    return sorted_pos((void *const *)v, n, &key, cmp_view);
}

/* A view over a view that is dropped goes too: from each dropped view
 * along the edges "named by", once each. */
static int views_over_dropped(differ *d, vplan *vp)
{
    size_t n = vp->nf;
    dep_edges e = {0};
    view_deps(d, (void *const *)vp->fv, n, &e);
    size_t *first = diff_tmp_alloc(d, n + 1, sizeof *first);
    size_t *readers = diff_tmp_alloc(d, e.n ? e.n : 1, sizeof *readers);
    size_t *todo = diff_tmp_alloc(d, n ? n : 1, sizeof *todo);
    if (d->rc)
        return d->rc;
    /* readers[first[k] .. first[k + 1]): the views that name view k */
    for (size_t j = 0; j < e.n; j++)
        first[e.b[j] + 1]++;
    for (size_t k = 0; k < n; k++)
        first[k + 1] += first[k];
    for (size_t j = 0; j < e.n; j++)
        readers[first[e.b[j]]++] = e.a[j];
    for (size_t k = n; k > 0; k--)
        first[k] = first[k - 1];
    first[0] = 0;
    size_t ntodo = 0;
    for (size_t k = 0; k < n; k++)
        if (vp->drop[k])
            todo[ntodo++] = k;
    while (ntodo) {
        size_t k = todo[--ntodo];
        for (size_t r = first[k]; r < first[k + 1]; r++)
            if (!vp->drop[readers[r]]) {
                vp->drop[readers[r]] = 1;
                todo[ntodo++] = readers[r];
            }
    }
    return 0;
}

static int plan_views(differ *d, vplan *vp)
{
    vp->nf = d->from->nviews;
    vp->nt = d->to->nviews;
    vp->fv = sorted(d, (void *const *)d->from->views, vp->nf, cmp_view);
    vp->tv = sorted(d, (void *const *)d->to->views, vp->nt, cmp_view);
    vp->drop = diff_tmp_alloc(d, vp->nf ? vp->nf : 1, 1);
    vp->create = diff_tmp_alloc(d, vp->nt ? vp->nt : 1, 1);
    vp->peer_of_to = diff_tmp_alloc(d, vp->nt ? vp->nt : 1, sizeof *vp->peer_of_to);
    if (d->rc)
        return d->rc;
    char *kept = diff_tmp_alloc(d, vp->nf ? vp->nf : 1, 1);
    if (!kept)
        return d->rc;
    for (size_t j = 0; j < vp->nt; j++) {
        const cairn_view *v = vp->tv[j];
        size_t i = find_view(vp->fv, vp->nf, v->schema, v->name);
        if (i == vp->nf && d->hints && v->was &&
            find_view(vp->fv, vp->nf, v->schema, v->was) == vp->nf)
            return d->rc = cairn_err(d->cx, CAIRN_ESCHEMA,
                                     "view %s was \"%s\", but neither is in the old schema",
                                     diff_qname(d, v->schema, v->name), v->was);
        /* There is no rename of a view: a renamed one is dropped and created. */
        vp->peer_of_to[j] = i < vp->nf ? (int)i : -1;
        if (i < vp->nf && view_eq(d, vp->fv[i], v))
            kept[i] = 1;
        else
            vp->create[j] = 1;
    }
    const char **tnames = diff_tmp_alloc(d, d->nft ? d->nft : 1, sizeof *tnames);
    if (!tnames)
        return d->rc;
    for (size_t k = 0; k < d->nft; k++)
        tnames[k] = d->ft[k]->name;
    name_index tx;
    if (name_index_build(d, &tx, tnames, d->nft))
        return d->rc;
    for (size_t i = 0; i < vp->nf; i++) {
        const cairn_view *v = vp->fv[i];
        /* a function it calls is dropped and created again */
        if (!kept[i] || diff_objects_calls(d, DIFF_RENEWED, NULL, v->definition))
            vp->drop[i] = 1;
        if (!vp->drop[i] && name_hits(d, &tx, v->definition))
            return d->rc;
        for (size_t h = 0; h < tx.nhit && !vp->drop[i]; h++) {
            const tpair *p = d->pair_of_from[tx.hit[h]];
            if (!p || table_change_reaches_view(d, p, v->definition))
                vp->drop[i] = 1;
        }
    }
    if (views_over_dropped(d, vp))
        return d->rc;
    for (size_t j = 0; j < vp->nt; j++)
        if (vp->peer_of_to[j] >= 0 && vp->drop[vp->peer_of_to[j]])
            vp->create[j] = 1;
    return d->rc;
}

/* ---- phases ------------------------------------------------------------------------------- */

/* Drop first each key of a dropped table that references a table dropped
 * before it (only a cycle puts a parent first). */
static void drop_keys_to_dropped_first(differ *d, const cairn_table **dropped, size_t ndropped,
                                       const size_t *drop_order)
{
    cairn_strmap *pos = cairn_strmap_new(d->tmp);
    if (!pos) {
        oom(d);
        return;
    }
    for (size_t k = 0; k < ndropped; k++) {
        const cairn_table *t = dropped[drop_order[k]];
        if (cairn_strmap_put(pos, t->schema, t->name, (const void *)(uintptr_t)(k + 1))) {
            oom(d);
            return;
        }
    }
    for (size_t k = 0; k < ndropped && !d->rc; k++) {
        const cairn_table *t = dropped[drop_order[k]];
        const cairn_fkey **fks = sorted(d, (void *const *)t->fkeys, t->nfkeys, cmp_fkey);
        for (size_t i = 0; fks && i < t->nfkeys; i++) {
            const cairn_fkey *fk = fks[i];
            size_t e = fk->ref_table ? (size_t)(uintptr_t)cairn_strmap_get(
                                           pos, cairn_fkey_ref_ns(d->cx, t, fk), fk->ref_table)
                                     : 0;
            if (e && e - 1 < k)
                add_change(d, CAIRN_CHANGE_DROP_FOREIGN_KEY, t, NULL, fk, NULL);
        }
    }
}

/* A table depends on the parents that its options partition_of and inherits
 * name (a list of "name" or "namespace.name", separated by ", ";
 * dialect-neutral: any driver may write these keys), found in `at`. */
static void parent_deps(differ *d, cairn_strmap *at, const cairn_table *t, size_t i,
                        dep_edges *out)
{
    static const char *const keys[] = {"partition_of=", "inherits="};
    for (size_t o = 0; o < t->noptions; o++)
        for (size_t k = 0; k < 2; k++) {
            size_t kl = strlen(keys[k]);
            if (strncmp(t->options[o], keys[k], kl) != 0)
                continue;
            for (const char *p = t->options[o] + kl; *p && !d->rc;) {
                size_t len = strcspn(p, ",");
                const char *dot = memchr(p, '.', len);
                char *ns = dot ? cairn_arena_strndup(d->tmp, p, (size_t)(dot - p)) : NULL;
                char *name = dot ? cairn_arena_strndup(d->tmp, dot + 1, len - (size_t)(dot - p) - 1)
                                 : cairn_arena_strndup(d->tmp, p, len);
                if (!name || (dot && !ns)) {
                    oom(d);
                    return;
                }
                size_t j = (size_t)(uintptr_t)cairn_strmap_get(at, ns, name);
                if (j && j - 1 != i)
                    dep_add(d, out, i, j - 1);
                p += len;
                p += strspn(p, ", ");
            }
        }
}

/* A table depends on the tables its foreign keys reference (itself aside)
 * and on its parents (parent_deps). */
static void table_deps(differ *d, void *const *items, size_t n, dep_edges *out)
{
    cairn_strmap *at = cairn_strmap_new(d->tmp);
    if (!at) {
        oom(d);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const cairn_table *t = items[i];
        if (cairn_strmap_put(at, t->schema, t->name, (const void *)(uintptr_t)(i + 1))) {
            oom(d);
            return;
        }
    }
    for (size_t i = 0; i < n && !d->rc; i++) {
        const cairn_table *t = items[i];
        for (size_t k = 0; k < t->nfkeys; k++) {
            const cairn_fkey *fk = t->fkeys[k];
            if (!fk->ref_table)
                continue;
            size_t j = (size_t)(uintptr_t)cairn_strmap_get(
                at, cairn_fkey_ref_ns(d->cx, t, fk), fk->ref_table);
            if (j && j - 1 != i)
                dep_add(d, out, i, j - 1);
        }
        parent_deps(d, at, t, i, out);
    }
}

static void emit_set_drops(differ *d, const tpair *p, const dset *s, cairn_change_kind kind)
{
    for (size_t i = 0; i < s->nf; i++)
        if (!s->f[i].same && !s->f[i].moved)
            add_change(d, kind, p->from, p->to, s->f[i].p, NULL);
}

static void emit_set_adds(differ *d, const tpair *p, const dset *s, cairn_change_kind kind)
{
    for (size_t j = 0; j < s->nt; j++)
        if (!s->t[j].same && !s->t[j].moved)
            add_change(d, kind, p->from, p->to, NULL, s->t[j].p);
}

/* The moved ones of a set: the old dropped (early), or the new added (late). */
static void emit_set_moved(differ *d, const tpair *p, const dset *s, cairn_change_kind kind,
                           int early)
{
    for (size_t i = 0; early && i < s->nf; i++)
        if (s->f[i].moved)
            add_change(d, kind, p->from, p->to, s->f[i].p, NULL);
    for (size_t j = 0; !early && j < s->nt; j++)
        if (s->t[j].moved)
            add_change(d, kind, p->from, p->to, NULL, s->t[j].p);
}

/* Constraints and triggers kept as they are whose comment changes, or that
 * become valid: one ALTER_* change each. */
static void emit_set_alters(differ *d, const tpair *p, const dset *s, cairn_change_kind kind)
{
    for (size_t j = 0; j < s->nt; j++) {
        if (!s->t[j].same)
            continue;
        const void *old = s->f[s->t[j].peer].p;
        uint32_t alter = diff_constraint_changes(kind, old, s->t[j].p);
        cairn_change *ch = alter ? add_change(d, kind, p->from, p->to, old, s->t[j].p) : NULL;
        if (ch)
            ch->alter = alter;
    }
}

static void emit_alters(differ *d, const tpair *p)
{
    const cairn_key *fk = p->from->primary_key, *tk = p->to->primary_key;
    uint32_t alter = !p->pk_changed && fk && tk
                         ? diff_constraint_changes(CAIRN_CHANGE_ALTER_KEY, fk, tk) : 0;
    cairn_change *ch = alter ? add_change(d, CAIRN_CHANGE_ALTER_KEY, p->from, p->to, fk, tk) : NULL;
    if (ch)
        ch->alter = alter;
    emit_set_alters(d, p, &p->uniques, CAIRN_CHANGE_ALTER_KEY);
    emit_set_alters(d, p, &p->checks, CAIRN_CHANGE_ALTER_CHECK);
    emit_set_alters(d, p, &p->fkeys, CAIRN_CHANGE_ALTER_FOREIGN_KEY);
    emit_set_alters(d, p, &p->triggers, CAIRN_CHANGE_ALTER_TRIGGER);
}

/* Where the order of columns is part of the schema: the columns the old
 * and the new table share, in the new order, keep the longest run that is
 * already in order (by their old positions); every other one moves. */
static void emit_moves(differ *d, const tpair *p)
{
    const cairn_table *f = p->from, *t = p->to;
    size_t n = 0;
    size_t *pos = diff_tmp_alloc(d, t->ncolumns + 1, sizeof *pos);  /* old position */
    size_t *at = diff_tmp_alloc(d, t->ncolumns + 1, sizeof *at);    /* new index */
    size_t *len = diff_tmp_alloc(d, t->ncolumns + 1, sizeof *len);  /* longest run ending here */
    size_t *prev = diff_tmp_alloc(d, t->ncolumns + 1, sizeof *prev);
    unsigned char *keep = diff_tmp_alloc(d, t->ncolumns + 1, 1);
    if (d->rc)
        return;
    memset(keep, 0, t->ncolumns + 1);
    for (size_t j = 0; j < t->ncolumns; j++) {
        if (!p->col_from[j])
            continue;
        size_t i = 0;
        while (i < f->ncolumns && f->columns[i] != p->col_from[j])
            i++;
        pos[n] = i;
        at[n++] = j;
    }
    size_t best = 0, end = 0;
    for (size_t k = 0; k < n; k++) {
        len[k] = 1;
        prev[k] = (size_t)-1;
        for (size_t i = 0; i < k; i++)
            if (pos[i] < pos[k] && len[i] + 1 > len[k]) {
                len[k] = len[i] + 1;
                prev[k] = i;
            }
        if (len[k] >= best) {
            best = len[k];
            end = k;
        }
    }
    for (size_t k = end; n && k != (size_t)-1; k = prev[k])
        keep[k] = 1;
    for (size_t k = 0; k < n; k++) {
        if (keep[k])
            continue;
        cairn_change *ch = add_change(d, CAIRN_CHANGE_ALTER_COLUMN, f, t, p->col_from[at[k]],
                                      t->columns[at[k]]);
        if (!ch)
            return;
        ch->alter = CAIRN_ALTER_POSITION;
    }
}

/* Does the old column's generated expression call a function the plan
 * drops and creates again? PostgreSQL will not drop the function under
 * it: the column goes before the function and is added again after it
 * (a generated column's values are computed again, nothing is lost). */
static int generated_renewed(differ *d, const cairn_table *t, const cairn_column *c)
{
    return c->generated && diff_objects_calls(d, DIFF_RENEWED0, t, c->generated);
}

/* ... except a STORED one the new schema makes a plain column: it loses
 * its expression there instead (DROP EXPRESSION), keeping its values. */
static int generated_readded(differ *d, const tpair *p, size_t i)
{
    const cairn_column *c = p->from->columns[i], *n = p->col_to[i];
    return generated_renewed(d, p->from, c) && !(n && !n->generated && c->generated_stored);
}

/* The old column a new one is altered from, or NULL when the new one is
 * added: it is new, or its old one went before a function it calls. */
static const cairn_column *kept_column(differ *d, const tpair *p, size_t j)
{
    const cairn_column *old = p->col_from[j];
    /* (an identical pair's old column j is its column j) */
    return old && generated_readded(d, p, p->ident ? j : diff_from_column(p, old->name)) ? NULL
                                                                                        : old;
}

/* Does a constraint, index or trigger of signature `sig` name a column
 * that goes before a renewed function and comes back? It goes with it. */
static int names_readded(differ *d, const tpair *p, const char *sig)
{
    for (size_t i = 0; i < p->from->ncolumns; i++)
        if (generated_readded(d, p, i) && mentions(sig, p->from->columns[i]->name))
            return 1;
    return 0;
}

/* Checks, indexes and triggers of a kept table that call a function the
 * plan drops and creates again go before it and come back after it, and
 * so do those over a column that does. */
static void renew_set(differ *d, const tpair *p, dset *s)
{
    for (size_t i = 0; i < s->nf; i++)
        if (s->f[i].same && (diff_objects_calls(d, DIFF_RENEWED, p->from, s->f[i].sig) ||
                             names_readded(d, p, s->f[i].sig))) {
            s->f[i].same = 0;
            if (s->f[i].peer >= 0)
                s->t[s->f[i].peer].same = 0;
        }
}

static void renew_callers(differ *d, tpair *p)
{
    renew_set(d, p, &p->uniques);
    renew_set(d, p, &p->checks);
    renew_set(d, p, &p->fkeys);
    renew_set(d, p, &p->indexes);
    renew_set(d, p, &p->triggers);
}

/* Does a column's default call an object `which` names? An old one that
 * calls a function the plan drops and creates again goes first and comes
 * back after (DIFF_RENEWED); a new one that calls a function created after
 * the tables is set after it (DIFF_LATE_MADE). */
static int default_calls(differ *d, diff_which which, const cairn_table *t, const cairn_column *c)
{
    return c->default_expr && !c->generated && diff_objects_calls(d, which, t, c->default_expr);
}

/* Does the old column's default go before a function and, if the new
 * schema keeps it, come back after: one the plan drops and creates again,
 * or one of stage 1 or 2 dropped before the tables change? */
static int default_renewed(differ *d, const cairn_table *t, const cairn_column *c)
{
    return default_calls(d, DIFF_RENEWED, t, c) || default_calls(d, DIFF_LATE_DROP, t, c);
}

/* Do the checks, indexes and triggers call an object `which` names? */
static int check_calls(differ *d, diff_which which, const cairn_table *t, const cairn_check *c)
{
    return diff_objects_calls(d, which, t, c->expr);
}

static int index_calls(differ *d, diff_which which, const cairn_table *t, const cairn_index *ix)
{
    for (size_t i = 0; i < ix->nparts; i++)
        if (ix->parts[i]->expr && diff_objects_calls(d, which, t, ix->parts[i]->expr))
            return 1;
    return ix->where && diff_objects_calls(d, which, t, ix->where);
}

static int trigger_calls(differ *d, diff_which which, const cairn_table *t,
                         const cairn_trigger *tr)
{
    return diff_objects_calls(d, which, t, tr->sql);
}

/* The column as it is once drop_renewed_columns ran: without its default,
 * or without its generation expression. */
static const cairn_column *column_without(differ *d, const cairn_column *c, int expression)
{
    cairn_column *copy = cairn_arena_alloc(d->pb->arena, sizeof *copy);
    if (!copy) {
        oom(d);
        return c;
    }
    *copy = *c;
    if (expression) {
        copy->generated = NULL;
        copy->generated_stored = 0;
    } else
        copy->default_expr = NULL;
    return copy;
}

/* What of a kept table's columns calls a renewed function goes before it:
 * a default, a generated column (dropped, or its expression when the new
 * schema makes it plain). */
static void drop_renewed_columns(differ *d, const tpair *p)
{
    for (size_t i = 0; i < p->from->ncolumns; i++) {
        const cairn_column *c = p->from->columns[i];
        cairn_change *ch;
        if (generated_readded(d, p, i)) {
            ch = add_change(d, CAIRN_CHANGE_DROP_COLUMN, p->from, p->to, c, NULL);
            if (!p->col_to[i])
                destructive(d, ch, "drops column %s.\"%s\" and its data",
                            diff_qname(d, p->to->schema, p->to->name), c->name);
        } else if (generated_renewed(d, p->from, c)) {
            ch = add_change(d, CAIRN_CHANGE_ALTER_COLUMN, p->from, p->to, c,
                            column_without(d, c, 1));
            if (ch)
                ch->alter = CAIRN_ALTER_GENERATED;
        } else if (default_renewed(d, p->from, c) &&
                   !default_calls(d, DIFF_LATE_DROP, p->from, c)) {
            ch = add_change(d, CAIRN_CHANGE_ALTER_COLUMN, p->from, p->to, c,
                            column_without(d, c, 0));
            if (ch)
                ch->alter = CAIRN_ALTER_DEFAULT;
        }
    }
}

/* The old column a new one is altered from, as it is once the defaults
 * and generations that went before a function were taken off; NULL when
 * the new one is added. */
static const cairn_column *column_before(differ *d, const tpair *p, size_t j)
{
    const cairn_column *old = kept_column(d, p, j);
    if (old && generated_renewed(d, p->from, old))
        return column_without(d, old, 1);
    if (old && default_renewed(d, p->from, old))
        return column_without(d, old, 0);
    return old;
}

static void emit_columns(differ *d, const tpair *p)
{
    const cairn_table *f = p->from, *t = p->to;
    const char *tn = diff_qname(d, t->schema, t->name);
    for (size_t j = 0; j < t->ncolumns; j++) {
        const cairn_column *old = kept_column(d, p, j);
        if (old && strcmp(old->name, t->columns[j]->name) != 0)
            add_change(d, CAIRN_CHANGE_RENAME_COLUMN, f, t, old, t->columns[j]);
    }
    for (size_t i = 0; i < f->ncolumns; i++)
        if (!p->col_to[i] && !generated_readded(d, p, i)) {
            cairn_change *ch = add_change(d, CAIRN_CHANGE_DROP_COLUMN, f, t, f->columns[i], NULL);
            destructive(d, ch, "drops column %s.\"%s\" and its data", tn, f->columns[i]->name);
        }
    if (d->column_order)
        emit_moves(d, p);
    for (size_t j = 0; j < t->ncolumns; j++) {
        const cairn_column *c = t->columns[j];
        /* its default waits for a function created after the tables */
        if (!kept_column(d, p, j))
            add_change(d, CAIRN_CHANGE_ADD_COLUMN, f, t, NULL,
                       default_calls(d, DIFF_LATE_MADE, t, c) ? column_without(d, c, 0) : c);
    }
    for (size_t j = 0; j < t->ncolumns; j++) {
        const cairn_column *old = column_before(d, p, j), *c = t->columns[j];
        uint32_t alter = old ? diff_column_changes(d, old, c) : 0;
        if (default_calls(d, DIFF_LATE_MADE, t, c))
            alter &= ~(uint32_t)CAIRN_ALTER_DEFAULT;
        if (!alter)
            continue;
        cairn_change *ch = add_change(d, CAIRN_CHANGE_ALTER_COLUMN, f, t, old, c);
        if (!ch)
            return;
        ch->alter = alter;
        if ((alter & CAIRN_ALTER_TYPE) && !diff_is_widening(d, old->type, c->type))
            destructive(d, ch, "changes %s.\"%s\" from %s to %s: values may not convert", tn,
                        c->name, old->type ? old->type : "(no type)",
                        c->type ? c->type : "(no type)");
    }
    if (p->pk_changed)
        add_change(d, CAIRN_CHANGE_SET_PRIMARY_KEY, f, t, f->primary_key, t->primary_key);
    if (!diff_options_equal(f, t))
        add_change(d, CAIRN_CHANGE_SET_TABLE_OPTIONS, f, t, f, t);
    if (!diff_str_eq(f->comment, t->comment))
        add_change(d, CAIRN_CHANGE_SET_TABLE_COMMENT, f, t, f, t);
}

/* Every old value is still there, in the same order: the new ones can be
 * added in place (PostgreSQL ALTER TYPE ... ADD VALUE ... BEFORE/AFTER). */
static int enum_appended(const cairn_enum *a, const cairn_enum *b)
{
    size_t j = 0;
    for (size_t i = 0; i < b->nvalues && j < a->nvalues; i++)
        if (strcmp(a->values[j], b->values[i]) == 0)
            j++;
    return j == a->nvalues;
}

static int sequence_eq(const cairn_sequence *a, const cairn_sequence *b)
{
    return diff_str_eq_ci(a->type, b->type) && a->start == b->start && a->increment == b->increment &&
           !a->has_min == !b->has_min && (!a->has_min || a->min_value == b->min_value) &&
           !a->has_max == !b->has_max && (!a->has_max || a->max_value == b->max_value) &&
           a->cache == b->cache && !a->cycle == !b->cycle;
}

static int has_str(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

static void emit_enums_and_sequences(differ *d)
{
    size_t nfe = d->from->nenums, nte = d->to->nenums;
    size_t nfs = d->from->nsequences, nts = d->to->nsequences;
    const cairn_enum **fe = sorted(d, (void *const *)d->from->enums, nfe, cmp_enum);
    const cairn_enum **te = sorted(d, (void *const *)d->to->enums, nte, cmp_enum);
    const cairn_sequence **fs = sorted(d, (void *const *)d->from->sequences, nfs, cmp_sequence);
    const cairn_sequence **ts = sorted(d, (void *const *)d->to->sequences, nts, cmp_sequence);
    if (d->rc)
        return;
    /* pass 0 creates (and recreates), pass 1 alters; drops come at the end */
    for (int pass = 0; pass < 2; pass++)
        for (size_t j = 0; j < nte; j++) {
            const cairn_enum *e = te[j];
            const cairn_enum *old = sorted_find((void *const *)fe, nfe, e, cmp_enum);
            int appended = old && enum_appended(old, e);
            if (pass == 0 && old && !appended) {
                cairn_change *ch = add_change(d, CAIRN_CHANGE_DROP_ENUM, NULL, NULL, old, NULL);
                destructive(d, ch, "recreates enum %s: values were removed or reordered",
                            diff_qname(d, e->schema, e->name));
            }
            if (pass == 0 && (!old || !appended))
                add_change(d, CAIRN_CHANGE_CREATE_ENUM, NULL, NULL, NULL, e);
            /* a comment alone changes in an ALTER_ENUM of its own, so the
             * values' one keeps its meaning for drivers older than 1.5 */
            if (pass == 1 && appended && e->nvalues > old->nvalues)
                add_change(d, CAIRN_CHANGE_ALTER_ENUM, NULL, NULL, old, e);
            cairn_change *ch = pass == 1 && appended && !diff_str_eq(old->comment, e->comment)
                                   ? add_change(d, CAIRN_CHANGE_ALTER_ENUM, NULL, NULL, old, e)
                                   : NULL;
            if (ch)
                ch->alter = CAIRN_ALTER_COMMENT;
        }
    for (int pass = 0; pass < 2; pass++)
        for (size_t j = 0; j < nts; j++) {
            const cairn_sequence *q = ts[j];
            const cairn_sequence *old = sorted_find((void *const *)fs, nfs, q, cmp_sequence);
            if (pass == 0 && !old)
                add_change(d, CAIRN_CHANGE_CREATE_SEQUENCE, NULL, NULL, NULL, q);
            if (pass == 1 && old && !sequence_eq(old, q))
                add_change(d, CAIRN_CHANGE_ALTER_SEQUENCE, NULL, NULL, old, q);
        }
}

static void emit_final_drops(differ *d)
{
    size_t nfe = d->from->nenums, nfs = d->from->nsequences, nfn = d->from->nnamespaces;
    const cairn_enum **fe = sorted(d, (void *const *)d->from->enums, nfe, cmp_enum);
    const cairn_sequence **fs = sorted(d, (void *const *)d->from->sequences, nfs, cmp_sequence);
    const char **fn = sorted(d, (void *const *)d->from->namespaces, nfn, cmp_cstr);
    size_t nte = d->to->nenums, nts = d->to->nsequences;
    const cairn_enum **te = sorted(d, (void *const *)d->to->enums, nte, cmp_enum);
    const cairn_sequence **ts = sorted(d, (void *const *)d->to->sequences, nts, cmp_sequence);
    if (d->rc)
        return;
    for (size_t i = 0; i < nfs; i++) {
        if (!sorted_find((void *const *)ts, nts, fs[i], cmp_sequence)) {
            cairn_change *ch = add_change(d, CAIRN_CHANGE_DROP_SEQUENCE, NULL, NULL, fs[i], NULL);
            destructive(d, ch, "drops sequence %s and its current value",
                        diff_qname(d, fs[i]->schema, fs[i]->name));
        }
    }
    for (size_t i = 0; i < nfe; i++) {
        if (!sorted_find((void *const *)te, nte, fe[i], cmp_enum)) {
            cairn_change *ch = add_change(d, CAIRN_CHANGE_DROP_ENUM, NULL, NULL, fe[i], NULL);
            destructive(d, ch, "drops enum %s", diff_qname(d, fe[i]->schema, fe[i]->name));
        }
    }
    for (size_t i = 0; i < nfn; i++)
        if (!has_str(d->to->namespaces, d->to->nnamespaces, fn[i]))
            add_change(d, CAIRN_CHANGE_DROP_NAMESPACE, NULL, NULL, fn[i], NULL);
}

/* ---- what calls a function of stage 1 or 2 --------------------------------------------- */

/* A function that reads a table (stage 1: a LANGUAGE sql or BEGIN ATOMIC
 * body) is created after the tables and dropped before them, as pg_dump
 * orders it: a check, index, trigger or column default that calls it is
 * added after it (ADD CONSTRAINT, CREATE INDEX, CREATE TRIGGER, SET
 * DEFAULT) and dropped before it. */

/* Does the set's item (an old one, or a new one) call an object `which`
 * names? */
static int item_calls(differ *d, diff_which which, const cairn_table *t, cairn_change_kind kind,
                      const void *o)
{
    switch (kind) {
    case CAIRN_CHANGE_ADD_CHECK: return check_calls(d, which, t, o);
    case CAIRN_CHANGE_CREATE_INDEX: return index_calls(d, which, t, o);
    case CAIRN_CHANGE_CREATE_TRIGGER: return trigger_calls(d, which, t, o);
    default: return 0;
    }
}

/* An old item that calls a function dropped before the tables goes before
 * it, kept or not (a function dropped with what it reads is no renewal:
 * the item, equal on both sides, comes back after it); a new one that
 * calls a function created after the tables is added after it. */
static void mark_set_moved(differ *d, const tpair *p, dset *s, cairn_change_kind kind)
{
    for (size_t i = 0; i < s->nf; i++) {
        s->f[i].moved = item_calls(d, DIFF_LATE_DROP, p->from, kind, s->f[i].p);
        if (s->f[i].moved && s->f[i].same) {
            s->f[i].same = 0;
            s->t[s->f[i].peer].same = 0;
        }
    }
    for (size_t j = 0; j < s->nt; j++)
        s->t[j].moved = !s->t[j].same && item_calls(d, DIFF_LATE_MADE, p->to, kind, s->t[j].p);
}

static void mark_moved(differ *d)
{
    for (size_t k = 0; k < d->npairs; k++) {
        tpair *p = d->pairs[k];
        mark_set_moved(d, p, &p->checks, CAIRN_CHANGE_ADD_CHECK);
        mark_set_moved(d, p, &p->indexes, CAIRN_CHANGE_CREATE_INDEX);
        mark_set_moved(d, p, &p->triggers, CAIRN_CHANGE_CREATE_TRIGGER);
    }
}

/* What of table `t` (a whole one: dropped, or created) calls an object
 * `which` names: its triggers, checks and indexes dropped (early) or
 * added (late), and its column defaults dropped or set. */
static void whole_table_calls(differ *d, const cairn_table *t, diff_which which, int early)
{
    const cairn_table *tf = early ? t : NULL, *tt = early ? NULL : t;
    for (size_t i = 0; i < t->ncolumns; i++) {
        const cairn_column *c = t->columns[i];
        if (!default_calls(d, which, t, c))
            continue;
        cairn_change *ch = add_change(d, CAIRN_CHANGE_ALTER_COLUMN, tf, tt,
                                      early ? c : column_without(d, c, 0),
                                      early ? column_without(d, c, 0) : c);
        if (ch)
            ch->alter = CAIRN_ALTER_DEFAULT;
    }
    for (size_t i = 0; i < t->ntriggers; i++)
        if (trigger_calls(d, which, t, t->triggers[i]))
            add_change(d, early ? CAIRN_CHANGE_DROP_TRIGGER : CAIRN_CHANGE_CREATE_TRIGGER, tf, tt,
                       early ? t->triggers[i] : NULL, early ? NULL : t->triggers[i]);
    for (size_t i = 0; i < t->nchecks; i++)
        if (check_calls(d, which, t, t->checks[i]))
            add_change(d, early ? CAIRN_CHANGE_DROP_CHECK : CAIRN_CHANGE_ADD_CHECK, tf, tt,
                       early ? t->checks[i] : NULL, early ? NULL : t->checks[i]);
    for (size_t i = 0; i < t->nindexes; i++)
        if (index_calls(d, which, t, t->indexes[i]))
            add_change(d, early ? CAIRN_CHANGE_DROP_INDEX : CAIRN_CHANGE_CREATE_INDEX, tf, tt,
                       early ? t->indexes[i] : NULL, early ? NULL : t->indexes[i]);
}

/* A new table as CREATE TABLE makes it: without what whole_table_calls
 * adds after the functions it calls. The table itself when nothing waits. */
static const cairn_table *table_without_late(differ *d, const cairn_table *t)
{
    int any = 0;
    for (size_t i = 0; i < t->ncolumns && !any; i++)
        any = default_calls(d, DIFF_LATE_MADE, t, t->columns[i]);
    for (size_t i = 0; i < t->ntriggers && !any; i++)
        any = trigger_calls(d, DIFF_LATE_MADE, t, t->triggers[i]);
    for (size_t i = 0; i < t->nchecks && !any; i++)
        any = check_calls(d, DIFF_LATE_MADE, t, t->checks[i]);
    for (size_t i = 0; i < t->nindexes && !any; i++)
        any = index_calls(d, DIFF_LATE_MADE, t, t->indexes[i]);
    if (!any)
        return t;
    cairn_arena *a = d->pb->arena;
    cairn_table *copy = cairn_arena_alloc(a, sizeof *copy);
    cairn_column **cols = cairn_arena_alloc(a, (t->ncolumns + 1) * sizeof *cols);
    cairn_trigger **trs = cairn_arena_alloc(a, (t->ntriggers + 1) * sizeof *trs);
    cairn_check **cks = cairn_arena_alloc(a, (t->nchecks + 1) * sizeof *cks);
    cairn_index **ixs = cairn_arena_alloc(a, (t->nindexes + 1) * sizeof *ixs);
    if (!copy || !cols || !trs || !cks || !ixs) {
        oom(d);
        return t;
    }
    *copy = *t;
    for (size_t i = 0; i < t->ncolumns; i++)
        cols[i] = default_calls(d, DIFF_LATE_MADE, t, t->columns[i])
                      ? (cairn_column *)column_without(d, t->columns[i], 0)
                      : t->columns[i];
    copy->columns = cols;
    copy->ntriggers = copy->nchecks = copy->nindexes = 0;
    for (size_t i = 0; i < t->ntriggers; i++)
        if (!trigger_calls(d, DIFF_LATE_MADE, t, t->triggers[i]))
            trs[copy->ntriggers++] = t->triggers[i];
    for (size_t i = 0; i < t->nchecks; i++)
        if (!check_calls(d, DIFF_LATE_MADE, t, t->checks[i]))
            cks[copy->nchecks++] = t->checks[i];
    for (size_t i = 0; i < t->nindexes; i++)
        if (!index_calls(d, DIFF_LATE_MADE, t, t->indexes[i]))
            ixs[copy->nindexes++] = t->indexes[i];
    copy->triggers = trs;
    copy->checks = cks;
    copy->indexes = ixs;
    return copy;
}

/* Before the objects of stage 1 and 2 are dropped: what calls one of them. */
static void emit_early_drops(differ *d, const cairn_table *const *dropped, size_t ndropped)
{
    for (size_t k = 0; k < ndropped; k++)
        whole_table_calls(d, dropped[k], DIFF_LATE_DROP, 1);
    for (size_t k = 0; k < d->npairs; k++) {
        const tpair *p = d->pairs[k];
        emit_set_moved(d, p, &p->triggers, CAIRN_CHANGE_DROP_TRIGGER, 1);
        emit_set_moved(d, p, &p->checks, CAIRN_CHANGE_DROP_CHECK, 1);
        emit_set_moved(d, p, &p->indexes, CAIRN_CHANGE_DROP_INDEX, 1);
        for (size_t i = 0; i < p->from->ncolumns; i++) {
            const cairn_column *c = p->from->columns[i];
            if (!default_calls(d, DIFF_LATE_DROP, p->from, c))
                continue;
            cairn_change *ch = add_change(d, CAIRN_CHANGE_ALTER_COLUMN, p->from, p->to, c,
                                          column_without(d, c, 0));
            if (ch)
                ch->alter = CAIRN_ALTER_DEFAULT;
        }
    }
}

/* After the objects of stage 1 and 2 are created: what calls one of them. */
static void emit_late_adds(differ *d, const cairn_table *const *created, const size_t *order,
                           size_t ncreated)
{
    for (size_t k = 0; k < ncreated; k++)
        whole_table_calls(d, created[order[k]], DIFF_LATE_MADE, 0);
    for (size_t k = 0; k < d->npairs; k++) {
        const tpair *p = d->pairs[k];
        for (size_t j = 0; j < p->to->ncolumns; j++) {
            const cairn_column *c = p->to->columns[j], *old = column_before(d, p, j);
            if (!default_calls(d, DIFF_LATE_MADE, p->to, c) ||
                (old && !(diff_column_changes(d, old, c) & CAIRN_ALTER_DEFAULT)))
                continue;
            cairn_change *ch = add_change(d, CAIRN_CHANGE_ALTER_COLUMN, p->from, p->to,
                                          old ? old : column_without(d, c, 0), c);
            if (ch)
                ch->alter = CAIRN_ALTER_DEFAULT;
        }
        emit_set_moved(d, p, &p->checks, CAIRN_CHANGE_ADD_CHECK, 0);
        emit_set_moved(d, p, &p->indexes, CAIRN_CHANGE_CREATE_INDEX, 0);
        emit_set_moved(d, p, &p->triggers, CAIRN_CHANGE_CREATE_TRIGGER, 0);
    }
}

typedef struct gone_ctx {
    differ *d;
    const vplan *vp;
} gone_ctx;

/* Does the plan drop (or drop and recreate) this table or view of the old
 * schema? Objects over it must go first and come back after. */
static int plan_drops(void *ud, const char *kind, const char *ns, const char *name)
{
    const gone_ctx *g = ud;
    differ *d = g->d;
    if (strcmp(kind, "view") == 0) {
        size_t i = find_view(g->vp->fv, g->vp->nf, ns, name);
        return i < g->vp->nf && g->vp->drop[i];
    }
    size_t i = diff_find_sorted_table(d->ft, d->nft, ns, name);
    return i < d->nft && !d->pair_of_from[i];
}

static int run(differ *d, const cairn_diff_opts *opts)
{
    if (parse_renames(d, opts))
        return d->rc;
    d->nft = d->from->ntables;
    d->ntt = d->to->ntables;
    d->ft = sorted(d, (void *const *)d->from->tables, d->nft, cmp_table);
    d->tt = sorted(d, (void *const *)d->to->tables, d->ntt, cmp_table);
    if (d->rc || (d->hints && check_renames(d, 0)) || pair_tables(d) ||
        (d->hints && check_renames(d, 1)))
        return d->rc;
    /* every pair's columns first: foreign keys read the renames of others */
    for (size_t k = 0; k < d->npairs && !d->rc; k++)
        pair_columns(d, d->pairs[k]);
    for (size_t k = 0; k < d->npairs && !d->rc; k++)
        diff_analyse_pair(d, d->pairs[k]);
    if (!d->rc)
        diff_fkeys_follow_keys(d);
    diff_oplan *op = d->rc ? NULL : diff_objects_plan(d);
    if (d->rc)
        return d->rc;
    d->objects = op;
    for (size_t k = 0; k < d->npairs; k++)
        renew_callers(d, d->pairs[k]);
    vplan vp;
    memset(&vp, 0, sizeof vp);
    if (d->rc || plan_views(d, &vp))
        return d->rc;

    /* dropped tables, children first; created tables, parents first */
    const cairn_table **dropped = diff_tmp_alloc(d, d->nft ? d->nft : 1, sizeof *dropped);
    const cairn_table **created = diff_tmp_alloc(d, d->ntt ? d->ntt : 1, sizeof *created);
    size_t ndropped = 0, ncreated = 0;
    if (d->rc)
        return d->rc;
    for (size_t i = 0; i < d->nft; i++)
        if (!d->pair_of_from[i])
            dropped[ndropped++] = d->ft[i];
    for (size_t j = 0; j < d->ntt; j++)
        if (!d->pair_of_to[j])
            created[ncreated++] = d->tt[j];
    size_t *drop_order = dep_order(d, (void *const *)dropped, ndropped, table_deps, 1);
    size_t *create_order = dep_order(d, (void *const *)created, ncreated, table_deps, 0);
    size_t *vdrop = dep_order(d, (void *const *)vp.fv, vp.nf, view_deps, 1);
    size_t *vcreate = dep_order(d, (void *const *)vp.tv, vp.nt, view_deps, 0);
    gone_ctx gc = {d, &vp};
    if (diff_objects_settle(d, op, plan_drops, &gc))
        return d->rc;
    mark_moved(d);

    const char **tn = sorted(d, (void *const *)d->to->namespaces, d->to->nnamespaces, cmp_cstr);
    for (size_t i = 0; tn && i < d->to->nnamespaces; i++)
        if (!has_str(d->from->namespaces, d->from->nnamespaces, tn[i]))
            add_change(d, CAIRN_CHANGE_CREATE_NAMESPACE, NULL, NULL, NULL, tn[i]);

    emit_early_drops(d, dropped, ndropped);
    diff_objects_drops(d, op, 2, 0);
    for (size_t k = 0; k < vp.nf; k++)
        if (vp.drop[vdrop[k]])
            add_change(d, CAIRN_CHANGE_DROP_VIEW, NULL, NULL, vp.fv[vdrop[k]], NULL);
    diff_objects_drops(d, op, 1, 0);

    for (size_t k = 0; k < d->npairs; k++)
        emit_set_drops(d, d->pairs[k], &d->pairs[k]->triggers, CAIRN_CHANGE_DROP_TRIGGER);

    for (size_t k = 0; k < d->npairs; k++)
        emit_set_drops(d, d->pairs[k], &d->pairs[k]->fkeys, CAIRN_CHANGE_DROP_FOREIGN_KEY);
    /* Where a cycle forces a parent out before its child, the child's key
     * goes first. */
    drop_keys_to_dropped_first(d, dropped, ndropped, drop_order);

    /* before the keys and indexes of kept tables: a dropped table's foreign
     * key may need one of them */
    for (size_t k = 0; k < ndropped; k++) {
        const cairn_table *t = dropped[drop_order[k]];
        cairn_change *ch = add_change(d, CAIRN_CHANGE_DROP_TABLE, t, NULL, t, NULL);
        if (!cairn_table_is_virtual(t))
            destructive(d, ch, "drops table %s and all its data", diff_qname(d, t->schema, t->name));
        else if (!virtual_keeps_content(t))
            destructive(d, ch, "drops virtual table %s and its content (a virtual table cannot "
                        "be altered: a changed one is dropped and created empty)",
                        diff_qname(d, t->schema, t->name));
    }

    for (size_t k = 0; k < d->npairs; k++) {
        emit_set_drops(d, d->pairs[k], &d->pairs[k]->indexes, CAIRN_CHANGE_DROP_INDEX);
        emit_set_drops(d, d->pairs[k], &d->pairs[k]->uniques, CAIRN_CHANGE_DROP_UNIQUE);
        emit_set_drops(d, d->pairs[k], &d->pairs[k]->checks, CAIRN_CHANGE_DROP_CHECK);
    }

    for (size_t k = 0; k < d->npairs; k++) {
        const tpair *p = d->pairs[k];
        if (strcmp(p->from->name, p->to->name) != 0)
            add_change(d, CAIRN_CHANGE_RENAME_TABLE, p->from, p->to, p->from, p->to);
    }

    /* functions dropped to be created again, once nothing holds them */
    for (size_t k = 0; k < d->npairs; k++)
        drop_renewed_columns(d, d->pairs[k]);
    diff_objects_drops(d, op, 0, 1);

    emit_enums_and_sequences(d);
    diff_objects_creates(d, op, 0);

    for (size_t k = 0; k < ncreated; k++) {
        const cairn_table *t = created[create_order[k]];
        const cairn_table *made = table_without_late(d, t);
        add_change(d, CAIRN_CHANGE_CREATE_TABLE, NULL, made, NULL, made);
    }

    for (size_t k = 0; k < d->npairs; k++)
        emit_columns(d, d->pairs[k]);
    for (size_t k = 0; k < d->npairs; k++) {
        emit_set_adds(d, d->pairs[k], &d->pairs[k]->uniques, CAIRN_CHANGE_ADD_UNIQUE);
        emit_set_adds(d, d->pairs[k], &d->pairs[k]->checks, CAIRN_CHANGE_ADD_CHECK);
        emit_set_adds(d, d->pairs[k], &d->pairs[k]->indexes, CAIRN_CHANGE_CREATE_INDEX);
    }
    for (size_t k = 0; k < d->npairs; k++)
        emit_set_adds(d, d->pairs[k], &d->pairs[k]->fkeys, CAIRN_CHANGE_ADD_FOREIGN_KEY);
    for (size_t k = 0; k < d->npairs; k++)
        emit_set_adds(d, d->pairs[k], &d->pairs[k]->triggers, CAIRN_CHANGE_CREATE_TRIGGER);
    for (size_t k = 0; k < d->npairs; k++)
        emit_alters(d, d->pairs[k]);

    diff_objects_creates(d, op, 1);
    for (size_t k = 0; k < vp.nt; k++)
        if (vp.create[vcreate[k]])
            add_change(d, CAIRN_CHANGE_CREATE_VIEW, NULL, NULL, NULL, vp.tv[vcreate[k]]);
    diff_objects_creates(d, op, 2);
    emit_late_adds(d, created, create_order, ncreated);

    diff_objects_drops(d, op, 0, 0);
    emit_final_drops(d);
    return d->rc;
}

/* ---- public entry points ---------------------------------------------------------------- */

int cairn_diff(cairn_ctx *cx, const cairn_schema *from, const cairn_schema *to,
               const cairn_diff_opts *opts, cairn_plan **out)
{
    if (!out || !to)
        return cairn_err(cx, CAIRN_EUSAGE, "cairn_diff: no %s", out ? "target schema" : "output");
    *out = NULL;
    if (from && opts && opts->keep_drops)
        return diff_keep_drops(cx, from, to, opts, out);
    plan_box *pb = calloc(1, sizeof *pb);
    differ d;
    memset(&d, 0, sizeof d);
    if (!pb || !(pb->arena = cairn_arena_new()) || !(d.tmp = cairn_arena_new()) ||
        (!from && !(pb->empty = cairn_schema_new()))) {
        cairn_arena_free(d.tmp);
        cairn_plan_free(pb ? &pb->p : NULL);
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    pb->p.from = from ? from : pb->empty;
    pb->p.to = to;
    d.cx = cx;
    d.pb = pb;
    d.types = cairn_ctx_type_families(cx);
    if (!d.types)
        d.types = diff_sql_standard_types;
    d.column_order = (cairn_ctx_dialect_caps(cx) & CAIRN_CAP_COLUMN_ORDER) != 0;
    d.from = pb->p.from;
    d.to = to;
    /* Renaming from nothing means nothing: an export of a schema that still
     * carries old hints must not fail. */
    d.hints = from != NULL;
    cairn_buf_init(&d.b1);
    cairn_buf_init(&d.b2);
    int rc = run(&d, opts);
    cairn_buf_release(&d.b1);
    cairn_buf_release(&d.b2);
    cairn_arena_free(d.tmp);
    if (rc) {
        cairn_plan_free(&pb->p);
        return rc;
    }
    *out = &pb->p;
    return 0;
}

void cairn_plan_free(cairn_plan *p)
{
    if (!p)
        return;
    plan_box *pb = (plan_box *)p;
    cairn_arena_free(pb->arena);
    cairn_schema_free(pb->empty);
    cairn_schema_free(pb->owned);
    cairn_schema_free(pb->kept);
    cairn_plan_free(pb->first);
    free(pb);
}

void cairn_plan_own(cairn_plan *p, cairn_schema *s)
{
    plan_box *pb = (plan_box *)p;
    cairn_schema_free(pb->owned);
    pb->owned = s;
}

int cairn_schema_same(cairn_ctx *cx, const cairn_schema *a, const cairn_schema *b, int *same)
{
    cairn_plan *p;
    int rc = cairn_diff(cx, a, b, NULL, &p);
    if (rc)
        return rc;
    *same = p->nchanges == 0;
    cairn_plan_free(p);
    return 0;
}
