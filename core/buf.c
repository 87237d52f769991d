/* Growable strings, statement lists and history lists. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int cairn_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

void cairn_buf_init(cairn_buf *b)
{
    memset(b, 0, sizeof *b);
}

void cairn_buf_release(cairn_buf *b)
{
    free(b->data);
    cairn_buf_init(b);
}

static int buf_grow(cairn_buf *b, size_t extra)
{
    if (b->oom)
        return CAIRN_ENOMEM;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p;
    if (cap < CAIRN_MEM_BIG) {
        p = realloc(b->data, cap);
    } else if ((p = cairn_mem_alloc(cap)) && b->data) {
        /* a large buffer (a snapshot written, a schema file read) moves
         * to huge pages: copying what it holds costs less than the page
         * faults of growing it in place */
        memcpy(p, b->data, b->len + 1);
        free(b->data);
    }
    if (!p) {
        b->oom = 1;
        return CAIRN_ENOMEM;
    }
    b->data = p;
    b->cap = cap;
    b->data[b->len] = '\0';
    return 0;
}

int cairn_buf_reserve(cairn_buf *b, size_t extra)
{
    return buf_grow(b, extra);
}

int cairn_buf_append(cairn_buf *b, const char *s, size_t len)
{
    /* room left (the common case) is checked here, without a call */
    if ((b->oom || b->len + len + 1 > b->cap) && buf_grow(b, len))
        return CAIRN_ENOMEM;
    memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int cairn_buf_puts(cairn_buf *b, const char *s)
{
    return cairn_buf_append(b, s, strlen(s));
}

int cairn_buf_vprintf(cairn_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        /* an encoding error: the text is lost, so the buffer fails for
         * good like any failed append (buf_status tells) */
        b->oom = 1;
        return CAIRN_ENOMEM;
    }
    if (buf_grow(b, (size_t)n))
        return CAIRN_ENOMEM;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int cairn_buf_printf(cairn_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cairn_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

/* `s` between `open` and `q`, with every `q` inside doubled. */
static int buf_doubled_pair(cairn_buf *b, const char *s, char open, char q)
{
    if (cairn_buf_append(b, &open, 1))
        return CAIRN_ENOMEM;
    for (const char *p = s; *p; p++) {
        const char *next = strchr(p, q);
        size_t run = next ? (size_t)(next - p) : strlen(p);
        if (cairn_buf_append(b, p, run))
            return CAIRN_ENOMEM;
        p += run;
        if (!*p)
            break;
        if (cairn_buf_append(b, p, 1) || cairn_buf_append(b, p, 1))
            return CAIRN_ENOMEM;
    }
    return cairn_buf_append(b, &q, 1);
}

int cairn_buf_quote(cairn_buf *b, const char *ident, char quote)
{
    quote = quote ? quote : '"';
    return buf_doubled_pair(b, ident, quote, quote);
}

int cairn_buf_quote_pair(cairn_buf *b, const char *ident, char open, char close)
{
    return buf_doubled_pair(b, ident, open, close ? close : open);
}

int cairn_buf_literal(cairn_buf *b, const char *str)
{
    return buf_doubled_pair(b, str, '\'', '\'');
}

const char *cairn_buf_cstr(const cairn_buf *b)
{
    return b->data ? b->data : "";
}

void cairn_buf_reset(cairn_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *cairn_buf_steal(cairn_buf *b)
{
    char *p = b->data ? b->data : strdup("");
    cairn_buf_init(b);
    return p;
}

void cairn_stmts_init(cairn_stmts *s)
{
    memset(s, 0, sizeof *s);
}

void cairn_stmts_release(cairn_stmts *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->sql[i]);
    free(s->sql);
    free(s->flags);
    cairn_stmts_init(s);
}

/* The list keeps its first failure: later adds are no-ops (a driver may
 * add without checking each call, and the host asks once). */
int cairn_stmts_add(cairn_stmts *s, const char *sql, uint32_t flags)
{
    if (s->err)
        return s->err;
    if (!sql)
        return s->err = CAIRN_EGENERIC;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        char **nsql = realloc(s->sql, cap * sizeof *nsql);
        if (!nsql)
            return s->err = CAIRN_ENOMEM;
        s->sql = nsql;
        uint32_t *nflags = realloc(s->flags, cap * sizeof *nflags);
        if (!nflags)
            return s->err = CAIRN_ENOMEM;
        s->flags = nflags;
        s->cap = cap;
    }
    char *copy = strdup(sql);
    if (!copy)
        return s->err = CAIRN_ENOMEM;
    s->sql[s->n] = copy;
    s->flags[s->n] = flags;
    s->n++;
    return 0;
}

void cairn_history_init(cairn_history *h)
{
    memset(h, 0, sizeof *h);
}

void cairn_history_release(cairn_history *h)
{
    free(h->rows);
    cairn_arena_free(h->arena);
    cairn_history_init(h);
}

int cairn_history_push(cairn_history *h, const cairn_applied *in)
{
    /* A driver's row is read only as far as its ABI reaches: rows of a
     * 1.0/1.1 driver end before struct_size. */
    size_t legacy = offsetof(cairn_applied, struct_size), n = legacy;
    if (!h->legacy_rows && in->struct_size >= legacy)
        n = in->struct_size < sizeof *in ? in->struct_size : sizeof *in;
    cairn_applied copy;
    memset(&copy, 0, sizeof copy);
    memcpy(&copy, in, n);
    copy.struct_size = sizeof copy;
    const cairn_applied *row = &copy;
    if (!h->arena && !(h->arena = cairn_arena_new()))
        return CAIRN_ENOMEM;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        cairn_applied *nr = realloc(h->rows, cap * sizeof *nr);
        if (!nr)
            return CAIRN_ENOMEM;
        h->rows = nr;
        h->cap = cap;
    }
    cairn_applied *r = &h->rows[h->n];
    *r = *row;
    r->name = cairn_arena_strdup(h->arena, row->name ? row->name : "");
    r->checksum = cairn_arena_strdup(h->arena, row->checksum ? row->checksum : "");
    r->applied_at = cairn_arena_strdup(h->arena, row->applied_at ? row->applied_at : "");
    if (!r->name || !r->checksum || !r->applied_at)
        return CAIRN_ENOMEM;
    h->n++;
    return 0;
}

const cairn_applied *cairn_history_find(const cairn_history *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->rows[i].name, name) == 0)
            return &h->rows[i];
    return NULL;
}

void cairn_strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int cairn_split_list(const char *s, char sep, char ***v, size_t *n)
{
    *v = NULL;
    *n = 0;
    for (const char *p = s; p && *p;) {
        const char *end = strchr(p, sep);
        if (!end)
            end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (a < b) {
            char **nv = realloc(*v, (*n + 1) * sizeof *nv);
            char *item = nv ? strndup(a, (size_t)(b - a)) : NULL;
            if (nv)
                *v = nv;
            if (!item) {
                cairn_strv_free(*v, *n);
                *v = NULL;
                *n = 0;
                return CAIRN_ENOMEM;
            }
            (*v)[(*n)++] = item;
        }
        p = *end ? end + 1 : end;
    }
    return 0;
}
