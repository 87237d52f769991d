/*
 * The newest snapshot read with the schema being generated in hand
 * (issue 16): most of its tables are, byte for byte, what the writer makes
 * of the same tables in that schema, since a snapshot is the writer's
 * output for the schema of the migration before. Those tables are not
 * parsed: the snapshot's model points at the schema's tables instead, and
 * only the rest of the text (the other tables, views, objects, ...) goes
 * through jansson and the reader.
 *
 * This is not a guess: a table is taken only when writing the schema's
 * table at the snapshot's indent gives the very bytes of the snapshot's
 * element, and reading the writer's output gives back the table written
 * (the property every snapshot already relies on), with one difference: a
 * borrowed table has its keys, checks, indexes and triggers in the order
 * cairn_schema_sort gave them, the full read in the order they are
 * written. The writer and the diff order them themselves, so no output
 * depends on it (bench/same_output.sh). Anything unexpected (a text this
 * scan does not follow, a residue that does not read, a name met twice)
 * gives up, and the caller reads the snapshot in full: errors, their
 * messages and positions are those of the full read.
 *
 * The model borrows tables from `desired`, so `desired` must outlive it
 * and not change while both are in use (generate frees it last).
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A table element in a snapshot: the object at this depth (the root, its
 * "schema", its "tables" array, the element). */
#define TABLE_DEPTH 3

const char *cairn_json_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
        p++;
    return p;
}

/* Past the string that starts at `p` (a quote); NULL when it does not end. */
static const char *str_end(const char *p, const char *e)
{
    for (p++; p < e; p++) {
        const char *q = memchr(p, '"', (size_t)(e - p));
        if (!q)
            return NULL;
        /* a quote after an odd run of backslashes is escaped */
        size_t bs = 0;
        while (q - bs > p && q[-1 - (ptrdiff_t)bs] == '\\')
            bs++;
        if (!(bs & 1))
            return q + 1;
        p = q;
    }
    return NULL;
}

/* The bytes that end a literal, and those that matter inside a container. */
static const unsigned char ends_literal[256] = {[','] = 1, ['}'] = 1, [']'] = 1, [' '] = 1,
                                                ['\n'] = 1, ['\t'] = 1, ['\r'] = 1};
static const unsigned char in_container[256] = {['"'] = 1, ['{'] = 1, ['}'] = 1, ['['] = 1,
                                                [']'] = 1};

const char *cairn_json_skip_value(const char *p, const char *e)
{
    if (p >= e)
        return NULL;
    if (*p == '"')
        return str_end(p, e);
    if (*p != '{' && *p != '[') {
        while (p < e && !ends_literal[(unsigned char)*p])
            p++;
        return p;
    }
    size_t depth = 0;
    for (;;) {
        while (p < e && !in_container[(unsigned char)*p])
            p++;
        if (p == e)
            return NULL;
        char c = *p;
        if (c == '"') {
            if (!(p = str_end(p, e)))
                return NULL;
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (--depth == 0)
            return p + 1;
        p++;
    }
}

/* A table element in the snapshot's text, and its "name" and "schema"
 * as written (has_ns: 0 absent, 1 a plain string, -1 anything else). */
typedef struct elem {
    const char *at;
    size_t len;
    const char *name, *ns;
    size_t name_len, ns_len;
    int has_name, has_ns;
    cairn_table *table; /* the schema's table written as it is, or NULL */
} elem;

static int plain(const char *v, const char *ve, const char **s, size_t *len)
{
    if (*v != '"' || ve - v < 2 || memchr(v + 1, '\\', (size_t)(ve - v - 2)))
        return -1;
    *s = v + 1;
    *len = (size_t)(ve - v - 2);
    return 1;
}

/* The member of an object whose name's quote is at `p`: its name (*ks,
 * *klen, as written) and value (*v up to *ve); the text after it, or NULL
 * when the text is not followed. */
static const char *next_member(const char *p, const char *e, const char **ks, size_t *klen,
                               const char **v, const char **ve)
{
    const char *ke = str_end(p, e);
    if (!ke)
        return NULL;
    *ks = p + 1;
    *klen = (size_t)(ke - 1 - *ks);
    p = cairn_json_ws(ke, e);
    if (p >= e || *p != ':')
        return NULL;
    *v = cairn_json_ws(p + 1, e);
    return (*ve = cairn_json_skip_value(*v, e)) ? cairn_json_ws(*ve, e) : NULL;
}

/* Past the comma after a member or element: 1, or 0 at the end. */
static int comma(const char **p, const char *e)
{
    if (*p >= e || **p != ',')
        return 0;
    *p = cairn_json_ws(*p + 1, e);
    return 1;
}

/* The object at `p` (a brace) as an element: its end, or NULL when the
 * text is not followed. */
static const char *scan_elem(const char *p, const char *e, elem *el)
{
    memset(el, 0, sizeof *el);
    el->at = p;
    const char *ks, *v, *ve;
    size_t klen;
    for (p = cairn_json_ws(p + 1, e); p < e && *p == '"';) {
        if (!(p = next_member(p, e, &ks, &klen, &v, &ve)))
            return NULL;
        if (klen == 4 && memcmp(ks, "name", 4) == 0)
            el->has_name = plain(v, ve, &el->name, &el->name_len);
        else if (klen == 6 && memcmp(ks, "schema", 6) == 0)
            el->has_ns = plain(v, ve, &el->ns, &el->ns_len);
        if (!comma(&p, e))
            break;
    }
    if (p >= e || *p != '}')
        return NULL;
    el->len = (size_t)(p + 1 - el->at);
    return p + 1;
}

/* The value of the member `key` of the object at `p` (its first byte, and
 * its end in *vend), or NULL when it has none or the text is not followed. */
static const char *member(const char *p, const char *e, const char *key, const char **vend)
{
    const char *ks, *v;
    size_t klen;
    if (p >= e || *p != '{')
        return NULL;
    for (p = cairn_json_ws(p + 1, e); p < e && *p == '"';) {
        if (!(p = next_member(p, e, &ks, &klen, &v, vend)))
            return NULL;
        if (klen == strlen(key) && memcmp(ks, key, klen) == 0)
            return v;
        if (!comma(&p, e))
            break;
    }
    return NULL;
}

struct cairn_snapreuse {
    const char *text;
    size_t len;
    const char *open, *close; /* the brackets of "schema"."tables" */
    elem *el;
    size_t n;
    atomic_size_t next;           /* the next element to match */
    atomic_size_t tried, matched; /* so far, to give up early */
    atomic_int given_up;
};

cairn_snapreuse *cairn_snapreuse_scan(const char *text, size_t len)
{
    const char *e = text + len, *ve;
    const char *sch = member(cairn_json_ws(text, e), e, "schema", &ve);
    const char *p = sch ? member(sch, ve, "tables", &ve) : NULL;
    cairn_snapreuse *r = p && *p == '[' ? calloc(1, sizeof *r) : NULL;
    if (!r)
        return NULL;
    r->text = text;
    r->len = len;
    r->open = p;
    r->close = ve - 1;
    atomic_init(&r->next, 0);
    atomic_init(&r->tried, 0);
    atomic_init(&r->matched, 0);
    atomic_init(&r->given_up, 0);
    size_t cap = 0;
    int ok = 1;
    for (p = cairn_json_ws(p + 1, r->close); ok && p < r->close;) {
        if (r->n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            elem *nv = realloc(r->el, ncap * sizeof *nv);
            if (!(ok = nv != NULL))
                break;
            r->el = nv;
            cap = ncap;
        }
        const char *end = *p == '{' ? scan_elem(p, r->close, &r->el[r->n]) : NULL;
        if (!(ok = end != NULL))
            break;
        r->n++;
        p = cairn_json_ws(end, r->close);
        if (comma(&p, r->close))
            ok = p < r->close; /* one before the bracket: an error the residue would hide */
        else
            ok = p == r->close;
    }
    if (!ok) {
        cairn_snapreuse_free(r);
        return NULL;
    }
    return r;
}

void cairn_snapreuse_free(cairn_snapreuse *r)
{
    if (r)
        free(r->el);
    free(r);
}

/* Elements are matched in batches, so two threads can share the work.
 * When most of the first ones do not match (every table changed, or the
 * writer's layout did), matching the rest would only delay the full read:
 * after GIVE_UP_AFTER tried with less than a quarter matched, stop. */
#define BATCH 32
#define GIVE_UP_AFTER 256

void cairn_snapreuse_match(cairn_snapreuse *r, cairn_ctx *cx, const cairn_schema *desired)
{
    cairn_buf name, ns, w;
    cairn_buf_init(&name);
    cairn_buf_init(&ns);
    cairn_buf_init(&w);
    size_t i0;
    while (!atomic_load(&r->given_up) && (i0 = atomic_fetch_add(&r->next, BATCH)) < r->n) {
        size_t matched = 0, i;
        for (i = i0; i < i0 + BATCH && i < r->n; i++) {
            elem *el = &r->el[i];
            if (el->has_name != 1 || el->has_ns < 0)
                continue;
            cairn_buf_reset(&name);
            cairn_buf_reset(&ns);
            if (cairn_buf_append(&name, el->name, el->name_len) ||
                (el->has_ns && cairn_buf_append(&ns, el->ns, el->ns_len)))
                continue;
            cairn_table *t = cairn_schema_find_table(desired, el->has_ns ? cairn_buf_cstr(&ns) : NULL,
                                                     cairn_buf_cstr(&name));
            if (!t)
                continue;
            cairn_buf_reset(&w);
            if (cairn_json_write_table(cx, t, TABLE_DEPTH, &w) == 0 && w.len == el->len &&
                memcmp(w.data, el->at, w.len) == 0) {
                el->table = t;
                matched++;
            }
        }
        size_t tried = atomic_fetch_add(&r->tried, i - i0) + (i - i0);
        matched = atomic_fetch_add(&r->matched, matched) + matched;
        if (tried >= GIVE_UP_AFTER && matched * 4 < tried)
            atomic_store(&r->given_up, 1);
    }
    cairn_buf_release(&name);
    cairn_buf_release(&ns);
    cairn_buf_release(&w);
}

/* The snapshot's text without the matched elements. */
static int residue(const cairn_snapreuse *r, cairn_buf *out)
{
    cairn_buf_append(out, r->text, (size_t)(r->open + 1 - r->text));
    int first = 1;
    for (size_t i = 0; i < r->n; i++) {
        if (r->el[i].table)
            continue;
        if (!first)
            cairn_buf_append(out, ",", 1);
        cairn_buf_append(out, r->el[i].at, r->el[i].len);
        first = 0;
    }
    cairn_buf_append(out, r->close, (size_t)(r->text + r->len - r->close));
    return out->oom ? CAIRN_ENOMEM : 0;
}
/* The read residue's tables with the matched ones put back in the
 * snapshot's order; 0 when a name is met twice (the full read decides). */
static int put_back(cairn_schema *s, const elem *el, size_t n)
{
    cairn_arena *tmp = cairn_arena_new();
    cairn_strmap *seen = tmp ? cairn_strmap_new(tmp) : NULL;
    cairn_table **v = NULL;
    size_t nv = 0, k = 0;
    int ok = seen != NULL;
    for (size_t i = 0; i < s->nviews && ok; i++)
        ok = !cairn_strmap_put(seen, s->views[i]->schema, s->views[i]->name, s);
    for (size_t i = 0; i < s->nsequences && ok; i++)
        ok = !cairn_strmap_put(seen, s->sequences[i]->schema, s->sequences[i]->name, s);
    for (size_t i = 0; i < n && ok; i++) {
        cairn_table *t = el[i].table;
        if (!t) {
            if (k == s->ntables)
                ok = 0;
            else
                t = s->tables[k++];
        }
        ok = ok && !cairn_strmap_get(seen, t->schema, t->name) &&
             !cairn_strmap_put(seen, t->schema, t->name, t) &&
             !cairn_arena_push(cairn_schema_arena(s), (void ***)&v, &nv, t);
    }
    if (ok && (ok = k == s->ntables)) {
        s->tables = v;
        s->ntables = nv;
        ok = !cairn_schema_index_tables(s);
    }
    cairn_arena_free(tmp);
    return ok;
}

static int cmp_span(const void *pa, const void *pb)
{
    uintptr_t a = (uintptr_t)((const cairn_reuse_span *)pa)->table;
    uintptr_t b = (uintptr_t)((const cairn_reuse_span *)pb)->table;
    return a < b ? -1 : a > b;
}

/* The matched tables and their text, sorted by table. */
static cairn_reuse_span *spans_of(const elem *el, size_t n, size_t *nspans)
{
    cairn_reuse_span *v = malloc((n ? n : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; v && i < n; i++)
        if (el[i].table)
            v[k++] = (cairn_reuse_span){el[i].table, el[i].at, el[i].len};
    if (v)
        qsort(v, k, sizeof *v, cmp_span);
    *nspans = v ? k : 0;
    return v;
}

int cairn_snapreuse_finish(cairn_snapreuse *r, cairn_ctx *cx, const char *file,
                           cairn_snapshot *snap, cairn_reuse_span **spans, size_t *nspans)
{
    memset(snap, 0, sizeof *snap);
    *spans = NULL;
    *nspans = 0;
    size_t found = 0;
    for (size_t i = 0; i < r->n; i++)
        found += r->el[i].table != NULL;
    if (!found || atomic_load(&r->given_up))
        return -1;
    cairn_buf b;
    cairn_buf_init(&b);
    int ok = !residue(r, &b) && !cairn_snapshot_from_text(cx, file, b.data, b.len, snap) &&
             put_back(snap->schema, r->el, r->n);
    if (!ok)
        cairn_snapshot_release(snap);
    else
        *spans = spans_of(r->el, r->n, nspans);
    cairn_buf_release(&b);
    return ok ? 0 : -1;
}
