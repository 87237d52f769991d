/*
 * The position index of a JSON document: jansson keeps no positions, so a
 * small structural scanner mirrors its tree with the line and column of
 * every value and member name (see json.c for how the two are checked
 * against each other before they are walked side by side).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json.h"

/* ---- the position index ------------------------------------------------- */



/* Deeper than jansson's own limit (2048), so text jansson accepted is never
 * cut short; a deeper structure is left unindexed and then refused. */
#define SC_MAX_DEPTH 4096

void json_sc_next(scanner *s)
{
    unsigned char c = (unsigned char)*s->p++;
    if (c == '\n') {
        s->line++;
        s->col = 0;
    } else if ((c & 0xC0) != 0x80) {
        s->col++; /* a UTF-8 continuation byte is not a new character */
    }
}

/* The loops below keep the position and the end in locals: a char read
 * may alias `*s`, so through `s` they would be stored and loaded again at
 * every byte. */
static void sc_ws(scanner *s)
{
    const char *p = s->p, *end = s->end;
    int line = s->line, col = s->col;
    while (p < end) {
        /* the indentation of a written document: runs of spaces */
        const char *q = p;
        while (q < end && *q == ' ')
            q++;
        col += (int)(q - p);
        if ((p = q) == end)
            break;
        if (*p == '\t' || *p == '\r') {
            col++; /* a blank on the line: one character */
        } else if (*p == '\n') {
            line++;
            col = 0;
        } else {
            break;
        }
        p++;
    }
    s->p = p;
    s->line = line;
    s->col = col;
}

/* Counts the byte `c` as json_sc_next does. */
#define SC_COUNT(c, line, col)                                                                  \
    do {                                                                                        \
        if ((c) == '\n') {                                                                      \
            (line)++;                                                                           \
            (col) = 0;                                                                          \
        } else if (((unsigned char)(c) & 0xC0) != 0x80) {                                       \
            (col)++;                                                                            \
        }                                                                                       \
    } while (0)

/* Past the plain characters of a string: up to a quote or a backslash. */
static void sc_plain(scanner *s)
{
    const char *p = s->p, *end = s->end;
    int line = s->line, col = s->col;
    for (; p < end && *p != '"' && *p != '\\'; p++)
        SC_COUNT(*p, line, col);
    s->p = p;
    s->line = line;
    s->col = col;
}

/* Past a literal: up to a delimiter, a blank or a NUL byte (the end of the
 * text for a caller that did not refuse one). */
static void sc_literal(scanner *s)
{
    const char *p = s->p, *end = s->end;
    int line = s->line, col = s->col;
    for (; p < end; p++) {
        char c = *p;
        if (c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\r' ||
            c == '\n' || c == '\0')
            break;
        SC_COUNT(c, line, col);
    }
    s->p = p;
    s->line = line;
    s->col = col;
}

static unsigned sc_hex4(scanner *s)
{
    unsigned v = 0;
    for (int i = 0; i < 4 && s->p < s->end; i++) {
        char c = *s->p;
        v = v * 16 + (unsigned)(c >= '0' && c <= '9'   ? c - '0'
                                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                       : 0);
        json_sc_next(s);
    }
    return v;
}

static void sc_utf8(cairn_buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    cairn_buf_append(b, u, n);
}

/* A string token at s->p, decoded into s->tmp when `keep` (member names
 * are compared with the names jansson decoded; values only skipped). */
static void sc_string(scanner *s, int keep)
{
    cairn_buf_reset(&s->tmp);
    json_sc_next(s); /* opening quote */
    while (s->p < s->end && *s->p != '"') {
        if (*s->p != '\\') {
            /* a run of plain characters, appended at once */
            const char *run = s->p;
            sc_plain(s);
            if (keep)
                cairn_buf_append(&s->tmp, run, (size_t)(s->p - run));
            continue;
        }
        json_sc_next(s);
        if (s->p >= s->end)
            break;
        char e = *s->p;
        json_sc_next(s);
        if (!keep) {
            if (e == 'u')
                sc_hex4(s);
            continue;
        }
        if (e == 'u') {
            unsigned cp = sc_hex4(s);
            if (cp >= 0xD800 && cp <= 0xDBFF && s->end - s->p >= 6 && s->p[0] == '\\' &&
                s->p[1] == 'u') {
                json_sc_next(s);
                json_sc_next(s);
                unsigned lo = sc_hex4(s);
                if (lo >= 0xDC00 && lo <= 0xDFFF)
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            sc_utf8(&s->tmp, cp);
        } else {
            char c = e == 'b' ? '\b' : e == 'f' ? '\f' : e == 'n' ? '\n' : e == 'r' ? '\r'
                   : e == 't' ? '\t' : e;
            cairn_buf_append(&s->tmp, &c, 1);
        }
    }
    if (s->p < s->end)
        json_sc_next(s); /* closing quote */
}

/* A member name at s->p, copied into the arena. A name without escapes
 * (nearly all) is copied straight from the text; else it is decoded. */
static const char *sc_key(scanner *s)
{
    scanner at = *s;
    json_sc_next(s); /* opening quote */
    const char *run = s->p;
    sc_plain(s);
    if (s->p < s->end && *s->p == '"') {
        const char *key = cairn_arena_strndup(s->a, run, (size_t)(s->p - run));
        json_sc_next(s);
        return key;
    }
    s->p = at.p;
    s->line = at.line;
    s->col = at.col;
    sc_string(s, 1);
    return cairn_arena_strndup(s->a, cairn_buf_cstr(&s->tmp), s->tmp.len);
}

jnode *json_sc_value(scanner *s)
{
    sc_ws(s);
    jnode *n = cairn_arena_alloc(s->a, sizeof *n);
    if (!n) {
        s->oom = 1;
        return NULL;
    }
    n->line = n->kline = s->line;
    n->col = n->kcol = s->col + 1;
    n->text = s->p;
    if (s->p >= s->end)
        return n;
    char open = *s->p;
    if ((open == '{' || open == '[') && s->depth < SC_MAX_DEPTH) {
        char close = open == '{' ? '}' : ']';
        if (++s->depth > s->deepest)
            s->deepest = s->depth;
        json_sc_next(s);
        sc_ws(s);
        while (s->p < s->end && *s->p != close) {
            int kl = s->line, kc = s->col + 1;
            const char *key = NULL;
            if (open == '{') {
                key = sc_key(s);
                sc_ws(s);
                if (s->p < s->end && *s->p == ':')
                    json_sc_next(s);
            }
            jnode *kid = json_sc_value(s);
            if (!kid || (open == '{' && !key) ||
                cairn_arena_push(s->a, (void ***)&n->kids, &n->nkids, kid)) {
                s->oom = 1;
                return NULL;
            }
            if (key) {
                kid->key = key;
                kid->kline = kl;
                kid->kcol = kc;
            }
            sc_ws(s);
            if (s->p < s->end && *s->p == ',') {
                json_sc_next(s);
                sc_ws(s);
            } else {
                break;
            }
        }
        if (s->p < s->end)
            json_sc_next(s);
        s->depth--;
    } else if (open == '"') {
        sc_string(s, 0);
    } else {
        sc_literal(s);
    }
    n->textlen = (size_t)(s->p - n->text);
    return n;
}

/* Past the value at s->p, building nothing: json.c finds the elements of
 * a large document's tables array with it (the same skipping as
 * json_sc_value, so the position reached is the one it would reach).
 * Nesting is counted, not recursed into. */
void json_sc_skip(scanner *s)
{
    int depth = 0;
    do {
        sc_ws(s);
        if (s->p >= s->end)
            return;
        const char *at = s->p;
        char c = *s->p;
        if (c == '"') {
            sc_string(s, 0);
        } else if (c == '{' || c == '[') {
            depth++;
            json_sc_next(s);
        } else if (c == '}' || c == ']') {
            depth--;
            json_sc_next(s);
        } else if (depth > 0 && (c == ',' || c == ':')) {
            json_sc_next(s);
        } else {
            sc_literal(s);
            if (s->p == at)
                json_sc_next(s); /* a stray delimiter or a NUL byte: one character */
        }
    } while (depth > 0);
}

/* The scanner moved on to `to` without reading structure: lines and
 * characters counted as json_sc_next counts them, a line at a time. */
void json_sc_move(scanner *s, const char *to)
{
    const char *p = s->p, *nl;
    while ((nl = memchr(p, '\n', (size_t)(to - p)))) {
        s->line++;
        s->col = 0;
        p = nl + 1;
    }
    for (; p < to; p++)
        s->col += ((unsigned char)*p & 0xC0) != 0x80;
    s->p = to;
}

void json_sc_ws(scanner *s)
{
    sc_ws(s);
}

/* Leaves the scanner at the value that the member names `path` lead to
 * from the object at s->p, blanks skipped; -1 when a step is missing or
 * its name is spelled with escapes (the caller then does without). */
int json_sc_path(scanner *s, const char *const *path)
{
    for (; *path; path++) {
        size_t n = strlen(*path);
        sc_ws(s);
        if (s->p >= s->end || *s->p != '{')
            return -1;
        json_sc_next(s);
        for (;;) {
            sc_ws(s);
            if (s->p >= s->end || *s->p != '"')
                return -1;
            const char *name = s->p + 1;
            sc_string(s, 0);
            int hit = (size_t)(s->p - name) == n + 1 && memcmp(name, *path, n) == 0;
            sc_ws(s);
            if (s->p >= s->end || *s->p != ':')
                return -1;
            json_sc_next(s);
            if (hit)
                break;
            json_sc_skip(s);
            sc_ws(s);
            if (s->p >= s->end || *s->p != ',')
                return -1;
            json_sc_next(s);
        }
    }
    sc_ws(s);
    return 0;
}

/* The member `key` of an object node, or the object itself when the index
 * does not have it (it always has: doc_parse checked it against jansson). */
const jnode *json_jn_get(const jnode *n, const char *key)
{
    if (!n) /* no index (a walk without positions) */
        return NULL;
    for (size_t i = 0; i < n->nkids; i++)
        if (n->kids[i]->key && strcmp(n->kids[i]->key, key) == 0)
            return n->kids[i];
    return n;
}

const jnode *json_jn_at(const jnode *n, size_t i)
{
    if (!n)
        return NULL;
    return i < n->nkids ? n->kids[i] : n;
}

/* The first node where the index does not mirror jansson's value `v`
 * (kind, member names, element count, a number's spelling), or NULL. The
 * recursion follows jansson's tree, whose depth jansson bounds. */
const jnode *json_jn_differs(const jnode *n, json_t *v)
{
    char c = n->textlen ? n->text[0] : '\0';
    size_t count = json_is_object(v) ? json_object_size(v)
                   : json_is_array(v) ? json_array_size(v)
                                      : 0;
    if ((c == '{') != json_is_object(v) || (c == '[') != json_is_array(v) || n->nkids != count ||
        (json_is_number(v) && c != '-' && !(c >= '0' && c <= '9')))
        return n;
    /* jansson keeps an object's members in the order they were read, so
     * its iterator walks them in step with the index; a hashed look-up is
     * needed only where the two orders part. */
    void *it = json_is_object(v) ? json_object_iter(v) : NULL;
    for (size_t i = 0; i < n->nkids; i++) {
        const jnode *k = n->kids[i];
        json_t *kv = NULL;
        if (!json_is_object(v)) {
            kv = json_array_get(v, i);
        } else if (k->key) {
            if (it && strcmp(json_object_iter_key(it), k->key) == 0)
                kv = json_object_iter_value(it);
            else
                kv = json_object_get(v, k->key);
            it = it ? json_object_iter_next(v, it) : NULL;
        }
        const jnode *d = kv ? json_jn_differs(k, kv) : k;
        if (d)
            return d;
    }
    return NULL;
}
