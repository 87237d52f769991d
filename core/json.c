/*
 * JSON io: reading schema documents, migration snapshots and the config
 * file (writing them: json_write.c).
 *
 * jansson parses and writes; nothing outside this file sees a json_t.
 * jansson keeps no positions for the values it returns, so a document is
 * also scanned by a small structural scanner (the "position index") that
 * mirrors the tree with the line and column of every value and every
 * member name. The scanner only runs on text jansson has accepted, so it
 * never has to diagnose anything; it counts columns in characters, as
 * jansson does, so syntax and semantic errors agree on what a column is.
 * It still never reads past the end of the text nor nests without bound,
 * and doc_index checks that the index mirrors jansson's tree before the
 * reader walks the two side by side: a blind spot of the scanner must give
 * a syntax error, never a read out of bounds. A schema or a snapshot (the
 * large documents) is walked first without the index, which then costs
 * nothing when the document is right; a problem found makes the index and
 * walks again, so every message has its path and position (rd_run).
 *
 * A large document's tables array is parsed in two halves on two threads
 * (doc_split, issue 16), and the second thread walks its half's tables
 * too while this one walks the first (rd_split_tables). The cut is found
 * before jansson has seen the text, so nothing is trusted from that
 * search: the halves are checked to be the document's own, and anything
 * unusual reads the document sequentially, so no message or position
 * depends on the split.
 */
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json.h"

/* ---- a parsed document ---------------------------------------------------- */

struct half;

typedef struct doc {
    json_t *root;
    jnode *pos; /* the position index: NULL until doc_index builds it */
    cairn_arena *arena; /* the position index and scratch lists */
    const char *text;   /* what was parsed (no BOM), for doc_index */
    size_t len;
    /* read in two halves (doc_split): the second one while it is still
     * parsed (and walked) on its thread, until doc_split_end; the array
     * the halves share and its elements before the cut; the second half's
     * tables when its thread walked them; and `failed` when the halves
     * turned out not to be the document's (it is then read again, in
     * order) */
    struct half *pending;
    json_t *split_arr;
    size_t split_at;
    cairn_schema *half_tables;
    int failed;
} doc;

static void doc_split_drop(doc *d);

static void doc_release(doc *d)
{
    doc_split_drop(d);
    cairn_schema_free(d->half_tables);
    json_decref(d->root);
    cairn_arena_free(d->arena);
    memset(d, 0, sizeof *d);
}

/* 0 when jansson accepts `text` with duplicate names refused, else its
 * error reported as `code` at its position. */
static int doc_strict(cairn_ctx *cx, const char *text, size_t len, const char *fname, int code)
{
    json_error_t e;
    json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
    if (v) {
        json_decref(v);
        return 0;
    }
    return cairn_err_at(cx, code, fname, e.line, e.column, "invalid JSON: %s", e.text);
}

/* The position index of `d`, checked against its tree. Built before the
 * walk where positions are data (the config file, a journal) and, for a
 * schema or a snapshot, only when a message needs one: their walk runs
 * first without it and, when anything is wrong, again with it. */
static int doc_index(cairn_ctx *cx, doc *d, const char *fname, int code)
{
    scanner s = {.p = d->text, .end = d->text + d->len, .line = 1, .col = 0, .a = d->arena};
    cairn_buf_init(&s.tmp);
    jnode *pos = json_sc_value(&s);
    cairn_buf_release(&s.tmp);
    if (s.oom || !pos)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    const jnode *off = json_jn_differs(pos, d->root);
    if (off) {
        int rc = doc_strict(cx, d->text, d->len, fname, code);
        return rc ? rc
                  : cairn_err_at(cx, code, fname, off->line, off->col,
                                 "invalid JSON: cannot locate this value in the text");
    }
    d->pos = pos;
    return 0;
}

/* Up to three pieces of text handed to jansson as one
 * (json_load_callback), so a document read without a part of it is not
 * copied first. */
typedef struct feed {
    const char *p[3];
    size_t n[3];
    int i;
} feed;

static size_t feed_get(void *buf, size_t buflen, void *data)
{
    feed *f = data;
    size_t got = 0;
    while (got < buflen && f->i < 3) {
        size_t k = f->n[f->i] < buflen - got ? f->n[f->i] : buflen - got;
        if (k) { /* (an unused piece has no text at all) */
            memcpy((char *)buf + got, f->p[f->i], k);
            got += k;
            f->p[f->i] += k;
            f->n[f->i] -= k;
        }
        if (!f->n[f->i])
            f->i++;
    }
    return got;
}

/* Do the elements of an array, from just past its '[', end at `cut` (a
 * comma that jansson has accepted the text before)? Each is stepped over
 * whole, so a comma inside one of them is not taken for the cut. */
static int elements_end_at(const char *p, const char *cut)
{
    for (;;) {
        p = cairn_json_ws(p, cut);
        if (p >= cut || !(p = cairn_json_skip_value(p, cut)))
            return 0;
        p = cairn_json_ws(p, cut);
        if (p == cut)
            return 1;
        if (*p != ',')
            return 0;
        p++;
    }
}

/* Does `v` nest containers more than `limit` deep (`v` itself counts)? */
static int deeper_than(json_t *v, int limit)
{
    if (json_is_array(v)) {
        if (limit <= 0)
            return 1;
        for (size_t i = 0; i < json_array_size(v); i++)
            if (deeper_than(json_array_get(v, i), limit - 1))
                return 1;
    } else if (json_is_object(v)) {
        if (limit <= 0)
            return 1;
        for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it))
            if (deeper_than(json_object_iter_value(it), limit - 1))
                return 1;
    }
    return 0;
}

/* ---- a large document: its tables array read on two threads ------------- */

/* From 256 KiB (about 140 tables as `cairn pull` writes them) the tables
 * array is parsed in two halves at once. jansson reads about 30 MB/s
 * here, so half of 256 KiB is about 4 ms off the wall time with a core
 * free, against about 1 ms more CPU for the thread and its fresh pages
 * (measured at 274 KB); below that the gain shrinks towards what it
 * costs. */
#define SPLIT_MIN ((size_t)256 << 10)
#define SPLIT_MIN_ELEMENTS 4 /* before the cut */
/* The second half is parsed as an array of its own, nearer the root than
 * it is in the document: nesting deeper than this is left to the
 * sequential parse, so jansson's depth limit counts as it always did. */
#define SPLIT_MAX_DEPTH 64

static const char *const k_split_schema[] = {"tables", NULL};
static const char *const k_split_snapshot[] = {"schema", "tables", NULL};

/* The second half of the tables array: from the comma before its first
 * element, read as if it were a '[', to the array's ']'. */
typedef struct half {
    const char *from; /* the comma, in the caller's text */
    size_t len;       /* from it to the end of the text */
    const char *close; /* the array's ']', as this side found it */
    pthread_t th;
    json_t *arr;
    size_t used; /* bytes jansson read: to the array's ']' */
    int ok;
    cairn_schema *tables; /* what the walk made, NULL when it found anything amiss */
} half;

static cairn_schema *rd_half_tables(json_t *arr);

static void *half_parse(void *arg)
{
    half *h = arg;
    json_error_t e;
    feed f = {{"[", h->from + 1}, {1, h->len - 1}, 0};
    /* jansson stops at the array's ']' and says how far it read */
    h->arr = json_load_callback(feed_get, &f, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &e);
    if (!h->arr || e.position <= 1)
        return NULL;
    h->used = (size_t)e.position;
    h->ok = json_is_array(h->arr) && json_array_size(h->arr) &&
            !deeper_than(h->arr, SPLIT_MAX_DEPTH);
    if (h->ok) /* its elements are tables (of a schema or a snapshot) */
        h->tables = rd_half_tables(h->arr);
    return NULL;
}

/* A joined half and what it still holds. */
static void half_free(half *h)
{
    json_decref(h->arr);
    cairn_schema_free(h->tables);
    free(h);
}

/* The second half's thread joined and its work dropped. */
static void doc_split_drop(doc *d)
{
    half *h = d->pending;
    if (!h)
        return;
    pthread_join(h->th, NULL);
    half_free(h);
    d->pending = NULL;
}

/* The second half, once its thread is done, spliced into the tree: 0, or
 * -1 with `failed` set when it is not the document's (the caller reads
 * the text again, in order). */
static int doc_split_end(cairn_ctx *cx, doc *d)
{
    half *h = d->pending;
    if (!h)
        return d->failed ? -1 : 0;
    pthread_join(h->th, NULL);
    d->pending = NULL;
    if (!h->ok || h->used != (size_t)(h->close - h->from) + 1 ||
        json_array_extend(d->split_arr, h->arr)) {
        d->failed = 1;
    } else {
        d->half_tables = h->tables;
        h->tables = NULL;
        cx->json_splits++;
    }
    half_free(h);
    return d->failed ? -1 : 0;
}

/* The first `needle` (which starts with a newline) in [p, end). */
static const char *split_find(const char *p, const char *end, const char *needle, size_t n)
{
    for (; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        if ((size_t)(end - p) >= n && memcmp(p, needle, n) == 0)
            return p;
    return NULL;
}

/* The cut in a tables array laid out as `cairn pull` and most editors lay
 * it out, an element's braces on lines of their own at one indentation:
 * the comma of the first "\n    },\n    {" past `mid`, found without
 * reading what comes before it (a raw newline is never inside a string,
 * so the match is structure); NULL when the array is not laid out so. */
static const char *split_cut_laid_out(const char *arr, const char *mid, const char *end,
                                      size_t *ind)
{
    char needle[2 * 64 + 8];
    size_t n = 0;
    const char *p = arr + 1, *hit;
    if (p < end && *p == '\n')
        p++;
    while (p < end && *p == ' ' && n < 64)
        p++, n++;
    if (p >= end || *p != '{' || n == 64 || *(p - n - 1) != '\n' || mid >= end)
        return NULL;
    needle[0] = '\n';
    memset(needle + 1, ' ', n);
    memcpy(needle + 1 + n, "},\n", 3);
    memset(needle + 4 + n, ' ', n);
    needle[4 + 2 * n] = '{';
    if (!(hit = split_find(mid, end, needle, 5 + 2 * n)))
        return NULL;
    *ind = n;
    return hit + 2 + n;
}

/* The ']' of that array: after its last element's "\n    }\n", blanks. */
static const char *split_close_laid_out(const char *cut, const char *end, size_t ind)
{
    char needle[64 + 3];
    const char *hit;
    needle[0] = '\n';
    memset(needle + 1, ' ', ind);
    memcpy(needle + 1 + ind, "}\n", 2);
    if (!(hit = split_find(cut, end, needle, ind + 3)))
        return NULL;
    for (hit += ind + 3; hit < end && *hit == ' '; hit++)
        ;
    return hit < end && *hit == ']' ? hit : NULL;
}

/* `text` (no NUL byte, no BOM) read as doc_parse reads it, with the array
 * the member names `tables` lead to cut in two at an element boundary past
 * its middle: a second thread parses the second half (and walks its
 * elements as tables) while this one parses the rest (the text
 * before the cut, a ']', the text after the array), both fed to jansson
 * from the text itself. 0 with `d` filled and the second half pending:
 * doc_split_end waits for it and splices it, or finds that it does not
 * fit. -1 with nothing reported when the document is small or anything is
 * unusual (a parse fails, no clean cut, a duplicate name, no memory): the
 * caller then reads it sequentially, so every message and position is
 * that read's. No position index is built: doc_index builds it from the
 * whole text when a message needs one. */
static int doc_split(cairn_ctx *cx, const char *const *tables, doc *d)
{
    size_t min = cx->json_split_min ? cx->json_split_min : SPLIT_MIN;
    const char *text = d->text;
    size_t len = d->len;
    if (len < min || len > INT_MAX) /* jansson's position is an int */
        return -1;
    scanner s = {.p = text, .end = text + len, .line = 1, .col = 0};
    half *h = NULL;
    int rc = -1;
    size_t count = 0, ind = 0;
    const char *open, *cut, *close = NULL, *mid;
    json_error_t e;
    json_t *root = NULL, *arr;
    cairn_buf_init(&s.tmp);
    if (json_sc_path(&s, tables) || s.p >= s.end || *s.p != '[')
        goto out;
    open = s.p;
    /* the cut: the first comma between elements past the middle of the
     * text left, which the array nearly always is */
    mid = s.p + (s.end - s.p) / 2;
    if ((cut = split_cut_laid_out(s.p, mid, s.end, &ind))) {
        s.p = cut; /* no position is needed from here on */
        close = split_close_laid_out(cut, s.end, ind);
    } else {
        /* any other layout: the elements skipped one by one */
        json_sc_next(&s);
        for (;;) {
            json_sc_ws(&s);
            if (s.p >= s.end || *s.p == ']')
                goto out;
            json_sc_skip(&s);
            count++;
            json_sc_ws(&s);
            if (s.p >= s.end || *s.p != ',')
                goto out;
            if (s.p >= mid && count >= SPLIT_MIN_ELEMENTS)
                break;
            json_sc_next(&s);
        }
        cut = s.p;
    }
    if (!(h = calloc(1, sizeof *h)))
        goto out;
    h->from = cut;
    h->len = (size_t)(s.end - cut);
    cairn_json_threads_ready();
    if (pthread_create(&h->th, NULL, half_parse, h)) {
        free(h);
        h = NULL;
        goto out;
    }
    d->pending = h; /* joined by doc_split_end, or by doc_release */
    /* meanwhile: the array's end, and the document without the second half */
    if (!close) {
        do {
            json_sc_next(&s);
            json_sc_skip(&s);
            json_sc_ws(&s);
        } while (s.p < s.end && *s.p == ',');
        if (s.p >= s.end || *s.p != ']')
            goto out;
        close = s.p;
    }
    h->close = close;
    feed f = {{text, "]", close + 1}, {(size_t)(cut - text), 1, (size_t)(s.end - close - 1)}, 0};
    if (!(root = json_load_callback(feed_get, &f, JSON_REJECT_DUPLICATES, &e)) ||
        !json_is_object(root))
        goto out;
    /* The halves are the document's own when the cut is between two
     * elements of that very array: the text from its '[' to the cut (which
     * jansson has just accepted) is whole elements and the commas between
     * them, this side's array has an element before the cut, and the other
     * side's elements end at the ']' this side's array ended at
     * (doc_split_end). */
    arr = root;
    for (const char *const *k = tables; *k && arr; k++)
        arr = json_object_get(arr, *k);
    if (!json_is_array(arr) || !json_array_size(arr) ||
        (count && json_array_size(arr) != count) || !elements_end_at(open + 1, cut))
        goto out;
    d->root = root;
    d->split_arr = arr;
    d->split_at = json_array_size(arr);
    root = NULL;
    rc = 0;
out:
    if (rc)
        doc_split_drop(d);
    cairn_buf_release(&s.tmp);
    json_decref(root);
    return rc;
}

/* Parse `text` as one JSON object; a syntax error is `code` at jansson's
 * position. Duplicate member names are refused, so every key path names
 * exactly one value. `lazy`: no position index yet (doc_index). */
static int doc_parse(cairn_ctx *cx, const char *text, size_t len, const char *fname, int code,
                     const char *const *tables, int lazy, doc *d)
{
    memset(d, 0, sizeof *d);
    if (!text)
        return cairn_err(cx, CAIRN_EUSAGE, "%s: no text", fname);
    /* A UTF-8 byte order mark (some editors write one) is not JSON; skip it
     * as editors do, so columns on the first line match what they show. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    /* JSON has no place for a raw NUL byte, and jansson and the scanner
     * would not agree on one (jansson skips it after a literal and stops at
     * it elsewhere; the scanner ends a literal there): refuse it before
     * either reads the text. */
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        scanner at = {.p = text, .end = nul, .line = 1, .col = 0};
        while (at.p < at.end)
            json_sc_next(&at);
        return cairn_err_at(cx, code, fname, at.line, at.col + 1,
                            "invalid JSON: a NUL byte is not allowed");
    }
    d->text = text;
    d->len = len;
    if (!(d->arena = cairn_arena_new()))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    json_error_t e;
    if (lazy) {
        /* `tables`: the member names that lead to the array worth splitting;
         * its elements are tables, which the second thread walks too */
        if (tables && doc_split(cx, tables, d) == 0)
            return 0;
        if ((d->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e)) &&
            json_is_object(d->root))
            return 0;
        json_decref(d->root);
        d->root = NULL;
        /* refused: read as below, for the message and its position */
    }
    /* Duplicate member names are found by comparing the index with the
     * tree (jansson keeps one of the two, the index both). Text refused
     * either way is parsed again with JSON_REJECT_DUPLICATES, so the
     * message and position are the ones jansson gives with the flag (a
     * duplicate before a later syntax error is the error named). */
    d->root = json_loadb(text, len, 0, &e);
    if (!d->root) {
        int rc = doc_strict(cx, text, len, fname, code);
        doc_release(d);
        return rc ? rc : cairn_err_at(cx, code, fname, e.line, e.column, "invalid JSON: %s", e.text);
    }
    int rc = doc_index(cx, d, fname, code);
    if (!rc && !json_is_object(d->root))
        rc = cairn_err_at(cx, code, fname, d->pos->line, d->pos->col,
                          "the document must be a JSON object");
    if (rc)
        doc_release(d);
    return rc;
}

void cairn_json_tree_free(void *tree)
{
    json_decref(tree);
}

void cairn_json_threads_ready(void)
{
    /* jansson seeds its hashes on the first object it makes; a seed set
     * here, on the thread about to start another, is never raced for. */
    json_object_seed(0);
}

/* ---- the reader: values with their key paths ----------------------------- */

#define RD_SEEN 4
#define RD_SEEN_KEYS 16

typedef struct rd {
    cairn_ctx *cx;
    const char *fname;
    int code;        /* CAIRN_ESCHEMA, CAIRN_EINTEGRITY or CAIRN_ECONFIG */
    cairn_buf path;  /* key path of the value being read: tables[2].columns[0] */
    cairn_schema *s; /* where strings are copied to */
    cairn_arena *tmp;
    cairn_strmap *relations; /* names of tables, views and sequences read */
    /* no position index (doc_index): a problem only sets `retry`, and the
     * walk is run again with the index for its message */
    int lazy, retry;
    doc *d; /* the document walked (NULL: the second half's, on its thread) */
    /* the members rd_object found in the last few objects, by their place
     * in its list of allowed names, so that rd_member finds one (or knows
     * it absent) without hashing its name: a walk looks up about twice as
     * many names as a document has members */
    struct rd_seen {
        json_t *obj;
        const char *const *allowed;
        json_t *v[RD_SEEN_KEYS];
    } seen[RD_SEEN];
    unsigned seen_next;
} rd;

static size_t rd_key(rd *r, const char *key)
{
    size_t old = r->path.len;
    if (r->lazy)
        return old;
    if (old)
        cairn_buf_puts(&r->path, ".");
    cairn_buf_puts(&r->path, key);
    return old;
}

static size_t rd_idx(rd *r, size_t i)
{
    size_t old = r->path.len;
    char d[24], *p = d + sizeof d;
    if (r->lazy)
        return old;
    *--p = ']';
    do
        *--p = (char)('0' + i % 10);
    while (i /= 10);
    *--p = '[';
    cairn_buf_append(&r->path, p, (size_t)(d + sizeof d - p));
    return old;
}

static void rd_pop(rd *r, size_t old)
{
    if (r->path.data && old <= r->path.len) {
        r->path.len = old;
        r->path.data[old] = '\0';
    }
}

static int rd_vfail(rd *r, int line, int col, const char *fmt, va_list ap)
{
    cairn_buf msg;
    cairn_buf_init(&msg);
    cairn_buf_vprintf(&msg, fmt, ap);
    if (r->path.len)
        cairn_err_at(r->cx, r->code, r->fname, line, col, "%s: %s", cairn_buf_cstr(&r->path),
                     cairn_buf_cstr(&msg));
    else
        cairn_err_at(r->cx, r->code, r->fname, line, col, "%s", cairn_buf_cstr(&msg));
    cairn_buf_release(&msg);
    return r->code;
}

/* A problem found without the position index: the walk is run again
 * with it (rd_run), which reports it. */
static int rd_later(rd *r)
{
    r->retry = 1;
    return r->code;
}

/* An error at the value of node `n`, whose path is the current one. */
static int rd_fail(rd *r, const jnode *n, const char *fmt, ...) CAIRN_FMT(3, 4);
static int rd_fail(rd *r, const jnode *n, const char *fmt, ...)
{
    if (r->lazy)
        return rd_later(r);
    va_list ap;
    va_start(ap, fmt);
    int rc = rd_vfail(r, n->line, n->col, fmt, ap);
    va_end(ap);
    return rc;
}

/* An error about member `key` (and element `idx` of it when >= 0), at the
 * member's value, or at its name when `at_key`. */
static int rd_fail_in(rd *r, const jnode *obj, const char *key, long idx, int at_key,
                      const char *fmt, ...) CAIRN_FMT(6, 7);
static int rd_fail_in(rd *r, const jnode *obj, const char *key, long idx, int at_key,
                      const char *fmt, ...)
{
    if (r->lazy)
        return rd_later(r);
    size_t old = r->path.len;
    const jnode *n = obj;
    if (key) {
        rd_key(r, key);
        n = json_jn_get(obj, key);
    }
    if (idx >= 0) {
        rd_idx(r, (size_t)idx);
        n = json_jn_at(n, (size_t)idx);
    }
    va_list ap;
    va_start(ap, fmt);
    int rc = rd_vfail(r, at_key ? n->kline : n->line, at_key ? n->kcol : n->col, fmt, ap);
    va_end(ap);
    rd_pop(r, old);
    return rc;
}

static int rd_oom(rd *r)
{
    if (!r->cx) /* the second half's walk: the walk in order will say it */
        return rd_later(r);
    return cairn_err(r->cx, CAIRN_ENOMEM, "out of memory");
}

size_t cairn_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    size_t row[41];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* `v` must be an object whose keys are all in `allowed` (typos must not
 * pass silently); the first stranger in text order is reported. */
static int rd_object(rd *r, json_t *v, const jnode *n, const char *what,
                     const char *const *allowed)
{
    if (!json_is_object(v))
        return rd_fail(r, n, "expected %s (a JSON object)", what);
    if (r->lazy) {
        size_t nallowed = 0;
        while (allowed[nallowed])
            nallowed++;
        struct rd_seen *seen = NULL;
        if (nallowed <= RD_SEEN_KEYS) {
            seen = &r->seen[r->seen_next++ % RD_SEEN];
            seen->obj = NULL;
            memset(seen->v, 0, sizeof seen->v);
        }
        /* jansson keeps the members in text order, without duplicates */
        for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
            const char *key = json_object_iter_key(it);
            size_t k = 0;
            while (k < nallowed && strcmp(allowed[k], key) != 0)
                k++;
            if (k == nallowed)
                return rd_later(r);
            if (seen)
                seen->v[k] = json_object_iter_value(it);
        }
        if (seen) {
            seen->obj = v;
            seen->allowed = allowed;
        }
        return 0;
    }
    for (size_t i = 0; i < n->nkids; i++) {
        const char *key = n->kids[i]->key;
        int known = 0;
        for (const char *const *k = allowed; *k && !known; k++)
            known = strcmp(*k, key) == 0;
        if (known)
            continue;
        const char *near = NULL;
        size_t best = 3;
        for (const char *const *k = allowed; *k; k++) {
            size_t dist = cairn_edit_distance(*k, key);
            if (dist < best) {
                best = dist;
                near = *k;
            }
        }
        if (near)
            return rd_fail_in(r, n, key, -1, 1, "unknown key (did you mean \"%s\"?)", near);
        return rd_fail_in(r, n, key, -1, 1, "unknown key");
    }
    return 0;
}

enum { OPT = 0, REQ = 1 };

/* A member, NULL when absent; JSON null counts as absent for an optional
 * member. A required one that is missing is reported at the object. */
static int rd_member(rd *r, json_t *obj, const jnode *n, const char *key, int req, json_t **out)
{
    json_t *m = NULL;
    int known = 0;
    /* `key` is one of the literals of the allowed lists (the compiler
     * makes equal literals one), else it is looked up */
    for (size_t i = 0; i < RD_SEEN && !known; i++)
        if (r->seen[i].obj == obj)
            for (size_t k = 0; !known && r->seen[i].allowed[k]; k++)
                if (r->seen[i].allowed[k] == key) {
                    m = r->seen[i].v[k];
                    known = 1;
                }
    if (!known)
        m = json_object_get(obj, key);
    *out = NULL;
    if (!m) {
        if (req)
            return rd_fail(r, n, "missing \"%s\"", key);
        return 0;
    }
    if (json_is_null(m) && !req)
        return 0;
    *out = m;
    return 0;
}

/* A non-empty string member, copied into the schema (NULL means absent:
 * an empty string would be a second spelling of "absent"). */
static int rd_str(rd *r, json_t *obj, const jnode *n, const char *key, int req, const char **out)
{
    json_t *m;
    int rc = rd_member(r, obj, n, key, req, &m);
    *out = NULL;
    if (rc || !m)
        return rc;
    if (!json_is_string(m))
        return rd_fail_in(r, n, key, -1, 0, "expected a string");
    if (json_string_length(m) == 0)
        return rd_fail_in(r, n, key, -1, 0,
                          req ? "must not be empty" : "must not be empty (omit the key instead)");
    if (!(*out = cairn_schema_strndup(r->s, json_string_value(m), json_string_length(m))))
        return rd_oom(r);
    return 0;
}

static int rd_bool(rd *r, json_t *obj, const jnode *n, const char *key, int *out)
{
    json_t *m;
    int rc = rd_member(r, obj, n, key, OPT, &m);
    *out = 0;
    if (rc || !m)
        return rc;
    if (!json_is_boolean(m))
        return rd_fail_in(r, n, key, -1, 0, "expected true or false");
    *out = json_is_true(m);
    return 0;
}

static int rd_int(rd *r, json_t *obj, const jnode *n, const char *key, int64_t *out, int *present)
{
    json_t *m;
    int rc = rd_member(r, obj, n, key, OPT, &m);
    *present = 0;
    if (rc || !m)
        return rc;
    if (!json_is_integer(m))
        return rd_fail_in(r, n, key, -1, 0, "expected a whole number");
    *out = (int64_t)json_integer_value(m);
    *present = 1;
    return 0;
}

/* SQL text given as a string, or as a number or boolean (kept as written:
 * 1.50 stays "1.50"). `allow_empty` for option values. */
static int rd_sqltext(rd *r, json_t *obj, const jnode *n, const char *key, int allow_empty,
                      const char **out)
{
    json_t *m;
    int rc = rd_member(r, obj, n, key, OPT, &m);
    *out = NULL;
    if (rc || !m)
        return rc;
    const jnode *vn = json_jn_get(n, key);
    if (json_is_string(m)) {
        if (!allow_empty && json_string_length(m) == 0)
            return rd_fail_in(r, n, key, -1, 0,
                              "must not be empty (an empty SQL string is \"''\")");
        *out = cairn_schema_strndup(r->s, json_string_value(m), json_string_length(m));
    } else if (json_is_number(m)) {
        if (r->lazy) /* kept as written: the index has the spelling */
            return rd_later(r);
        *out = cairn_schema_strndup(r->s, vn->text, vn->textlen);
    } else if (json_is_boolean(m)) {
        *out = cairn_schema_strdup(r->s, json_is_true(m) ? "true" : "false");
    } else {
        return rd_fail_in(r, n, key, -1, 0, "expected a string, number or boolean");
    }
    return *out ? 0 : rd_oom(r);
}

/* An array member; NULL when absent (an error when required). */
static int rd_array(rd *r, json_t *obj, const jnode *n, const char *key, int req, json_t **out,
                    const jnode **an)
{
    int rc = rd_member(r, obj, n, key, req, out);
    *an = json_jn_get(n, key);
    if (rc || !*out)
        return rc;
    if (!json_is_array(*out))
        return rd_fail_in(r, n, key, -1, 0, "expected an array");
    return 0;
}

/* An array of non-empty strings, borrowed from jansson (valid while the
 * document is). `nonempty`: at least one; duplicates are refused. */
typedef struct strlist {
    const char **v;
    size_t n;
    const jnode *at; /* the array; element i is json_jn_at(at, i) */
} strlist;

static int rd_strlist(rd *r, json_t *obj, const jnode *n, const char *key, int req,
                      int nonempty, strlist *out)
{
    json_t *a;
    memset(out, 0, sizeof *out);
    int rc = rd_array(r, obj, n, key, req, &a, &out->at);
    if (rc || !a)
        return rc;
    if (nonempty && json_array_size(a) == 0)
        return rd_fail_in(r, n, key, -1, 0, "must list at least one name");
    size_t cnt = json_array_size(a);
    if (cnt && !(out->v = cairn_arena_alloc(r->tmp, cnt * sizeof *out->v)))
        return rd_oom(r);
    for (size_t i = 0; i < cnt; i++) {
        json_t *e = json_array_get(a, i);
        if (!json_is_string(e))
            return rd_fail_in(r, n, key, (long)i, 0, "expected a string");
        if (json_string_length(e) == 0)
            return rd_fail_in(r, n, key, (long)i, 0, "must not be empty");
        for (size_t j = 0; j < i; j++)
            if (strcmp(out->v[j], json_string_value(e)) == 0)
                return rd_fail_in(r, n, key, (long)i, 0, "\"%s\" is listed twice",
                                  json_string_value(e));
        out->v[out->n++] = json_string_value(e);
    }
    return 0;
}

/* Every name of `l` must be a column of `t`. */
static int rd_columns_exist(rd *r, const cairn_table *t, const jnode *obj, const char *key,
                            const strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (!cairn_table_find_column(t, l->v[i]))
            return rd_fail_in(r, obj, key, (long)i, 0, "table \"%s\" has no column \"%s\"",
                              t->name, l->v[i]);
    return 0;
}

/* ---- enumerations -------------------------------------------------------- */

const char *const json_fk_action_names[5] = {"no action", "restrict", "cascade", "set null",
                                             "set default"};
const char *const json_identity_names[4] = {NULL, "auto", "always", "by_default"};

static int rd_choice(rd *r, json_t *obj, const jnode *n, const char *key,
                     const char *const *names, size_t count, const char *expect, int *out)
{
    const char *v;
    int rc = rd_str(r, obj, n, key, OPT, &v);
    if (rc || !v)
        return rc;
    for (size_t i = 0; i < count; i++)
        if (names[i] && strcmp(names[i], v) == 0) {
            *out = (int)i;
            return 0;
        }
    return rd_fail_in(r, n, key, -1, 0, "expected %s", expect);
}

#define FK_EXPECT "\"no action\", \"restrict\", \"cascade\", \"set null\" or \"set default\""

static int rd_fk_action(rd *r, json_t *obj, const jnode *n, const char *key, cairn_fk_action *out)
{
    int v = CAIRN_FK_NO_ACTION;
    int rc = rd_choice(r, obj, n, key, json_fk_action_names, 5, FK_EXPECT, &v);
    *out = (cairn_fk_action)v;
    return rc;
}

/* ---- schema documents ------------------------------------------------------ */

static const char *const k_doc[] = {"dialect", "namespaces", "tables", "views", "enums",
                                    "sequences", "objects", NULL};
static const char *const k_table[] = {"name", "schema", "was", "comment", "columns",
                                      "primary_key", "uniques", "indexes", "foreign_keys",
                                      "checks", "triggers", "options", NULL};
static const char *const k_column[] = {"name",      "type",        "not_null", "not_null_name",
                                       "default",   "identity",    "generated", "collation",
                                       "comment",   "was",         "extra",    "primary_key",
                                       "unique",    "references",  NULL};
static const char *const k_generated[] = {"expr", "stored", NULL};
static const char *const k_col_ref[] = {"schema", "table", "column", "on_delete", "on_update",
                                        NULL};
static const char *const k_pkey[] = {"name", "columns", "deferrable", "initially_deferred",
                                     "comment", "without_overlaps", NULL};
static const char *const k_unique[] = {"name",       "columns",            "nulls_not_distinct",
                                       "deferrable", "initially_deferred", "comment",
                                       "without_overlaps", NULL};
static const char *const k_index[] = {"name", "unique", "columns", "where", "method",
                                      "include", "comment", "was", NULL};
static const char *const k_part[] = {"column", "expr", "desc", "collation", "length", NULL};
static const char *const k_fkey[] = {"name", "columns", "references", "on_delete", "on_update",
                                     "deferrable", "initially_deferred", "match_full",
                                     "not_valid", "comment", "period", NULL};
static const char *const k_fk_ref[] = {"schema", "table", "columns", NULL};
static const char *const k_check[] = {"name", "expr", "not_valid", "comment", NULL};
static const char *const k_trigger[] = {"name", "sql", "comment", NULL};
static const char *const k_view[] = {"name",    "schema", "columns", "definition", "materialized",
                                     "comment", "was",    "options", NULL};
static const char *const k_enum[] = {"name", "schema", "values", "comment", NULL};
static const char *const k_object[] = {"kind",    "schema",     "name",    "signature", "table",
                                       "definition", "comment", "depends",   NULL};
static const char *const k_ref[] = {"kind", "schema", "name", "signature", NULL};
static const char *const k_sequence[] = {"name", "schema", "type", "start", "increment", "min",
                                         "max", "cache", "cycle", NULL};

static int same_ns(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Tables, views and sequences share one name space per namespace in every
 * database that has them all; the kind of the holder, or NULL. A map, not a
 * scan: schemas of thousands of tables are read on every generate. */
static const char *relation_taken(rd *r, const char *ns, const char *name)
{
    return cairn_strmap_get(r->relations, ns, name);
}

static int relation_add(rd *r, const char *ns, const char *name, const char *kind)
{
    if (!r->relations && !(r->relations = cairn_strmap_new(r->tmp)))
        return CAIRN_ENOMEM;
    return cairn_strmap_put(r->relations, ns, name, kind);
}

/* Constraint names (primary key, uniques, foreign keys, checks) are unique
 * within a table; `self` is the one being added. */
static int constraint_taken(const cairn_table *t, const char *name, const void *self)
{
    if (!name)
        return 0;
    if (t->primary_key && t->primary_key != self && t->primary_key->name &&
        strcmp(t->primary_key->name, name) == 0)
        return 1;
    for (size_t i = 0; i < t->nuniques; i++)
        if (t->uniques[i] != self && t->uniques[i]->name && strcmp(t->uniques[i]->name, name) == 0)
            return 1;
    for (size_t i = 0; i < t->nfkeys; i++)
        if (t->fkeys[i] != self && t->fkeys[i]->name && strcmp(t->fkeys[i]->name, name) == 0)
            return 1;
    for (size_t i = 0; i < t->nchecks; i++)
        if (t->checks[i] != self && t->checks[i]->name && strcmp(t->checks[i]->name, name) == 0)
            return 1;
    return 0;
}

static int rd_column(rd *r, cairn_table *t, json_t *o, const jnode *n)
{
    int rc = rd_object(r, o, n, "a column", k_column);
    const char *name = NULL;
    if (!rc)
        rc = rd_str(r, o, n, "name", REQ, &name);
    if (rc)
        return rc;
    if (cairn_table_find_column(t, name))
        return rd_fail_in(r, n, "name", -1, 0, "duplicate column \"%s\" in table \"%s\"", name,
                          t->name);
    cairn_column *c = cairn_table_add_column(r->s, t, name);
    if (!c)
        return rd_oom(r);
    int ident = CAIRN_IDENTITY_NONE;
    if ((rc = rd_str(r, o, n, "type", OPT, &c->type)) ||
        (rc = rd_bool(r, o, n, "not_null", &c->not_null)) ||
        (rc = rd_str(r, o, n, "not_null_name", OPT, &c->not_null_name)) ||
        (rc = rd_sqltext(r, o, n, "default", 0, &c->default_expr)) ||
        (rc = rd_choice(r, o, n, "identity", json_identity_names, 4,
                        "\"auto\", \"always\" or \"by_default\"", &ident)) ||
        (rc = rd_str(r, o, n, "collation", OPT, &c->collation)) ||
        (rc = rd_str(r, o, n, "comment", OPT, &c->comment)) ||
        (rc = rd_str(r, o, n, "was", OPT, &c->was)) ||
        (rc = rd_str(r, o, n, "extra", OPT, &c->extra)))
        return rc;
    c->identity = (cairn_identity)ident;

    json_t *g;
    if ((rc = rd_member(r, o, n, "generated", OPT, &g)))
        return rc;
    if (g) {
        const jnode *gn = json_jn_get(n, "generated");
        size_t old = rd_key(r, "generated");
        if (!(rc = rd_object(r, g, gn, "{\"expr\", \"stored\"}", k_generated)) &&
            !(rc = rd_str(r, g, gn, "expr", REQ, &c->generated)))
            rc = rd_bool(r, g, gn, "stored", &c->generated_stored);
        rd_pop(r, old);
        if (rc)
            return rc;
        if (c->identity != CAIRN_IDENTITY_NONE)
            return rd_fail_in(r, n, "generated", -1, 1,
                              "a column cannot be both generated and an identity");
    }

    /* Authoring shorthands: expanded into the table-level objects. */
    int flag;
    if ((rc = rd_bool(r, o, n, "primary_key", &flag)))
        return rc;
    if (flag) {
        cairn_key *pk = t->primary_key;
        if (!pk && !(pk = cairn_table_set_primary_key(r->s, t, NULL)))
            return rd_oom(r);
        if (cairn_key_add_column(r->s, pk, name))
            return rd_oom(r);
    }
    if ((rc = rd_bool(r, o, n, "unique", &flag)))
        return rc;
    if (flag) {
        cairn_key *u = cairn_table_add_unique(r->s, t, NULL);
        if (!u || cairn_key_add_column(r->s, u, name))
            return rd_oom(r);
    }
    json_t *ref;
    if ((rc = rd_member(r, o, n, "references", OPT, &ref)))
        return rc;
    if (ref) {
        const jnode *rn = json_jn_get(n, "references");
        size_t old = rd_key(r, "references");
        const char *rschema = NULL, *rtable = NULL, *rcol = NULL;
        cairn_fk_action del = CAIRN_FK_NO_ACTION, upd = CAIRN_FK_NO_ACTION;
        if (!(rc = rd_object(r, ref, rn, "{\"table\", \"column\", ...}", k_col_ref)) &&
            !(rc = rd_str(r, ref, rn, "schema", OPT, &rschema)) &&
            !(rc = rd_str(r, ref, rn, "table", REQ, &rtable)) &&
            !(rc = rd_str(r, ref, rn, "column", REQ, &rcol)) &&
            !(rc = rd_fk_action(r, ref, rn, "on_delete", &del)))
            rc = rd_fk_action(r, ref, rn, "on_update", &upd);
        rd_pop(r, old);
        if (rc)
            return rc;
        cairn_fkey *fk = cairn_table_add_fkey(r->s, t, NULL);
        if (!fk || cairn_fkey_add_columns(r->s, fk, name, rcol))
            return rd_oom(r);
        fk->ref_schema = rschema;
        fk->ref_table = rtable;
        fk->on_delete = del;
        fk->on_update = upd;
    }
    return 0;
}

static int rd_key_object(rd *r, cairn_table *t, json_t *o, const jnode *n, int primary)
{
    int rc = rd_object(r, o, n, primary ? "a primary key" : "a unique constraint",
                       primary ? k_pkey : k_unique);
    const char *name = NULL;
    strlist cols;
    if (rc || (rc = rd_str(r, o, n, "name", OPT, &name)) ||
        (rc = rd_strlist(r, o, n, "columns", REQ, 1, &cols)) ||
        (rc = rd_columns_exist(r, t, n, "columns", &cols)))
        return rc;
    cairn_key *k = primary ? cairn_table_set_primary_key(r->s, t, name)
                           : cairn_table_add_unique(r->s, t, name);
    if (!k)
        return rd_oom(r);
    if (constraint_taken(t, name, k))
        return rd_fail_in(r, n, "name", -1, 0, "duplicate constraint name \"%s\" in table \"%s\"",
                          name, t->name);
    for (size_t i = 0; i < cols.n; i++)
        if (cairn_key_add_column(r->s, k, cols.v[i]))
            return rd_oom(r);
    if (!primary)
        rc = rd_bool(r, o, n, "nulls_not_distinct", &k->nulls_not_distinct);
    if (!rc && !(rc = rd_bool(r, o, n, "deferrable", &k->deferrable)) &&
        !(rc = rd_bool(r, o, n, "initially_deferred", &k->initially_deferred)) &&
        !(rc = rd_bool(r, o, n, "without_overlaps", &k->without_overlaps)))
        rc = rd_str(r, o, n, "comment", OPT, &k->comment);
    /* INITIALLY DEFERRED says DEFERRABLE too (the server reports both) */
    k->deferrable |= k->initially_deferred;
    return rc;
}

static int rd_index_part(rd *r, cairn_table *t, cairn_index *ix, json_t *e, const jnode *en)
{
    cairn_index_part *p = cairn_index_add_part(r->s, ix);
    if (!p)
        return rd_oom(r);
    if (json_is_string(e)) {
        if (json_string_length(e) == 0)
            return rd_fail(r, en, "must not be empty");
        if (!cairn_table_find_column(t, json_string_value(e)))
            return rd_fail(r, en, "table \"%s\" has no column \"%s\"", t->name,
                           json_string_value(e));
        p->column = cairn_schema_strdup(r->s, json_string_value(e));
        return p->column ? 0 : rd_oom(r);
    }
    if (!json_is_object(e))
        return rd_fail(r, en, "expected a column name or an object {\"column\"} or {\"expr\"}");
    int64_t len = 0;
    int has_len, rc;
    if ((rc = rd_object(r, e, en, "an index part", k_part)) ||
        (rc = rd_str(r, e, en, "column", OPT, &p->column)) ||
        (rc = rd_str(r, e, en, "expr", OPT, &p->expr)) ||
        (rc = rd_bool(r, e, en, "desc", &p->desc)) ||
        (rc = rd_str(r, e, en, "collation", OPT, &p->collation)) ||
        (rc = rd_int(r, e, en, "length", &len, &has_len)))
        return rc;
    if (!p->column == !p->expr)
        return rd_fail(r, en, "needs exactly one of \"column\" and \"expr\"");
    if (p->column && !cairn_table_find_column(t, p->column))
        return rd_fail_in(r, en, "column", -1, 0, "table \"%s\" has no column \"%s\"", t->name,
                          p->column);
    if (has_len && (len < 0 || len > INT_MAX))
        return rd_fail_in(r, en, "length", -1, 0, "must be between 0 and %d", INT_MAX);
    p->length = (int)len;
    return 0;
}

static int rd_index(rd *r, cairn_table *t, json_t *o, const jnode *n)
{
    const char *name;
    int rc = rd_object(r, o, n, "an index", k_index);
    if (rc || (rc = rd_str(r, o, n, "name", REQ, &name)))
        return rc;
    for (size_t i = 0; i < t->nindexes; i++)
        if (strcmp(t->indexes[i]->name, name) == 0)
            return rd_fail_in(r, n, "name", -1, 0, "duplicate index \"%s\" in table \"%s\"", name,
                              t->name);
    cairn_index *ix = cairn_table_add_index(r->s, t, name);
    if (!ix)
        return rd_oom(r);
    json_t *parts;
    const jnode *pn;
    strlist inc;
    if ((rc = rd_bool(r, o, n, "unique", &ix->unique)) ||
        (rc = rd_array(r, o, n, "columns", REQ, &parts, &pn)))
        return rc;
    if (json_array_size(parts) == 0)
        return rd_fail_in(r, n, "columns", -1, 0, "must list at least one column or expression");
    size_t old = rd_key(r, "columns");
    for (size_t i = 0; i < json_array_size(parts) && !rc; i++) {
        size_t o2 = rd_idx(r, i);
        rc = rd_index_part(r, t, ix, json_array_get(parts, i), json_jn_at(pn, i));
        rd_pop(r, o2);
    }
    rd_pop(r, old);
    if (rc || (rc = rd_str(r, o, n, "where", OPT, &ix->where)) ||
        (rc = rd_str(r, o, n, "method", OPT, &ix->method)) ||
        (rc = rd_strlist(r, o, n, "include", OPT, 0, &inc)) ||
        (rc = rd_columns_exist(r, t, n, "include", &inc)) ||
        (rc = rd_str(r, o, n, "comment", OPT, &ix->comment)) ||
        (rc = rd_str(r, o, n, "was", OPT, &ix->was)))
        return rc;
    for (size_t i = 0; i < inc.n; i++)
        if (cairn_index_add_include(r->s, ix, inc.v[i]))
            return rd_oom(r);
    return 0;
}

static int rd_fkey(rd *r, cairn_table *t, json_t *o, const jnode *n)
{
    const char *name;
    strlist cols, rcols;
    json_t *ref;
    int rc = rd_object(r, o, n, "a foreign key", k_fkey);
    if (rc || (rc = rd_str(r, o, n, "name", OPT, &name)) ||
        (rc = rd_strlist(r, o, n, "columns", REQ, 1, &cols)) ||
        (rc = rd_columns_exist(r, t, n, "columns", &cols)) ||
        (rc = rd_member(r, o, n, "references", REQ, &ref)))
        return rc;
    cairn_fkey *fk = cairn_table_add_fkey(r->s, t, name);
    if (!fk)
        return rd_oom(r);
    if (constraint_taken(t, name, fk))
        return rd_fail_in(r, n, "name", -1, 0, "duplicate constraint name \"%s\" in table \"%s\"",
                          name, t->name);
    const jnode *rn = json_jn_get(n, "references");
    size_t old = rd_key(r, "references");
    if (!(rc = rd_object(r, ref, rn, "{\"schema\", \"table\", \"columns\"}", k_fk_ref)) &&
        !(rc = rd_str(r, ref, rn, "schema", OPT, &fk->ref_schema)) &&
        !(rc = rd_str(r, ref, rn, "table", REQ, &fk->ref_table)) &&
        !(rc = rd_strlist(r, ref, rn, "columns", REQ, 1, &rcols)) && rcols.n != cols.n)
        rc = rd_fail_in(r, rn, "columns", -1, 0,
                        "the foreign key has %zu column%s but references %zu", cols.n,
                        cols.n == 1 ? "" : "s", rcols.n);
    rd_pop(r, old);
    if (rc)
        return rc;
    for (size_t i = 0; i < cols.n; i++)
        if (cairn_fkey_add_columns(r->s, fk, cols.v[i], rcols.v[i]))
            return rd_oom(r);
    if ((rc = rd_fk_action(r, o, n, "on_delete", &fk->on_delete)) ||
        (rc = rd_fk_action(r, o, n, "on_update", &fk->on_update)) ||
        (rc = rd_bool(r, o, n, "deferrable", &fk->deferrable)) ||
        (rc = rd_bool(r, o, n, "initially_deferred", &fk->initially_deferred)) ||
        (rc = rd_bool(r, o, n, "match_full", &fk->match_full)) ||
        (rc = rd_bool(r, o, n, "not_valid", &fk->not_valid)) ||
        (rc = rd_bool(r, o, n, "period", &fk->period)))
        return rc;
    fk->deferrable |= fk->initially_deferred;
    return rd_str(r, o, n, "comment", OPT, &fk->comment);
}

static int rd_check(rd *r, cairn_table *t, json_t *o, const jnode *n)
{
    const char *name, *expr;
    int rc = rd_object(r, o, n, "a check constraint", k_check);
    if (rc || (rc = rd_str(r, o, n, "name", OPT, &name)) ||
        (rc = rd_str(r, o, n, "expr", REQ, &expr)))
        return rc;
    cairn_check *c = cairn_table_add_check(r->s, t, name, expr);
    if (!c)
        return rd_oom(r);
    if (constraint_taken(t, name, c))
        return rd_fail_in(r, n, "name", -1, 0, "duplicate constraint name \"%s\" in table \"%s\"",
                          name, t->name);
    if ((rc = rd_bool(r, o, n, "not_valid", &c->not_valid)))
        return rc;
    return rd_str(r, o, n, "comment", OPT, &c->comment);
}

static int rd_trigger(rd *r, cairn_table *t, json_t *o, const jnode *n)
{
    const char *name, *sql;
    int rc = rd_object(r, o, n, "a trigger", k_trigger);
    if (rc || (rc = rd_str(r, o, n, "name", REQ, &name)) ||
        (rc = rd_str(r, o, n, "sql", REQ, &sql)))
        return rc;
    for (size_t i = 0; i < t->ntriggers; i++)
        if (strcmp(t->triggers[i]->name, name) == 0)
            return rd_fail_in(r, n, "name", -1, 0, "duplicate trigger \"%s\" in table \"%s\"",
                              name, t->name);
    cairn_trigger *tr = cairn_table_add_trigger(r->s, t, name, sql);
    return tr ? rd_str(r, o, n, "comment", OPT, &tr->comment) : rd_oom(r);
}

typedef int rd_item_fn(rd *r, cairn_table *t, json_t *o, const jnode *n);

/* Read each element of the array member `key` with `fn`. */
static int rd_each(rd *r, cairn_table *t, json_t *obj, const jnode *n, const char *key,
                   rd_item_fn *fn)
{
    json_t *a;
    const jnode *an;
    int rc = rd_array(r, obj, n, key, OPT, &a, &an);
    if (rc || !a)
        return rc;
    size_t old = rd_key(r, key);
    for (size_t i = 0; i < json_array_size(a) && !rc; i++) {
        size_t o2 = rd_idx(r, i);
        rc = fn(r, t, json_array_get(a, i), json_jn_at(an, i));
        rd_pop(r, o2);
    }
    rd_pop(r, old);
    return rc;
}

static int rd_pkey_member(rd *r, cairn_table *t, json_t *o, const jnode *n)
{
    json_t *pk;
    int rc = rd_member(r, o, n, "primary_key", OPT, &pk);
    if (rc || !pk)
        return rc;
    if (t->primary_key)
        return rd_fail_in(r, n, "primary_key", -1, 1,
                          "the primary key is also declared on column \"%s\"",
                          t->primary_key->columns[0]);
    size_t old = rd_key(r, "primary_key");
    rc = rd_key_object(r, t, pk, json_jn_get(n, "primary_key"), 1);
    rd_pop(r, old);
    return rc;
}

static int rd_unique_item(rd *r, cairn_table *t, json_t *o, const jnode *n)
{
    return rd_key_object(r, t, o, n, 0);
}

/* "options" of a table, or of a view when `v` is set. */
static int rd_options(rd *r, cairn_table *t, cairn_view *v, json_t *o, const jnode *n)
{
    json_t *opts;
    int rc = rd_member(r, o, n, "options", OPT, &opts);
    if (rc || !opts)
        return rc;
    const jnode *on = json_jn_get(n, "options");
    size_t old = rd_key(r, "options");
    if (!json_is_object(opts))
        rc = rd_fail(r, on, "expected an object of \"key\": \"value\"");
    /* in text order: the index's, or jansson's when there is none */
    size_t count = r->lazy ? json_object_size(opts) : on->nkids;
    void *it = json_object_iter(opts);
    for (size_t i = 0; i < count && !rc; i++, it = json_object_iter_next(opts, it)) {
        const char *key = r->lazy ? json_object_iter_key(it) : on->kids[i]->key, *value;
        if (!*key || strchr(key, '='))
            rc = rd_fail_in(r, on, key, -1, 1, "an option name must be non-empty without '='");
        else if (!(rc = rd_sqltext(r, opts, on, key, 1, &value)) &&
                 (v ? cairn_view_set_option(r->s, v, key, value ? value : "")
                    : cairn_table_set_option(r->s, t, key, value ? value : "")))
            rc = rd_oom(r);
    }
    rd_pop(r, old);
    return rc;
}

static int rd_table(rd *r, cairn_table *unused, json_t *o, const jnode *n)
{
    (void)unused;
    const char *name, *ns, *taken;
    int rc = rd_object(r, o, n, "a table", k_table);
    if (rc || (rc = rd_str(r, o, n, "name", REQ, &name)) ||
        (rc = rd_str(r, o, n, "schema", OPT, &ns)))
        return rc;
    if ((taken = relation_taken(r, ns, name)))
        return rd_fail_in(r, n, "name", -1, 0, "duplicate name \"%s\": already a %s", name, taken);
    cairn_table *t = cairn_schema_add_table(r->s, ns, name);
    if (!t || relation_add(r, t->schema, t->name, "table"))
        return rd_oom(r);
    json_t *cols;
    const jnode *cn;
    if ((rc = rd_str(r, o, n, "was", OPT, &t->was)) ||
        (rc = rd_str(r, o, n, "comment", OPT, &t->comment)) ||
        (rc = rd_array(r, o, n, "columns", OPT, &cols, &cn)))
        return rc;
    size_t old = rd_key(r, "columns");
    for (size_t i = 0; cols && i < json_array_size(cols) && !rc; i++) {
        size_t o2 = rd_idx(r, i);
        rc = rd_column(r, t, json_array_get(cols, i), json_jn_at(cn, i));
        rd_pop(r, o2);
    }
    rd_pop(r, old);
    if (rc || (rc = rd_pkey_member(r, t, o, n)) ||
        (rc = rd_each(r, t, o, n, "uniques", rd_unique_item)) ||
        (rc = rd_each(r, t, o, n, "indexes", rd_index)) ||
        (rc = rd_each(r, t, o, n, "foreign_keys", rd_fkey)) ||
        (rc = rd_each(r, t, o, n, "checks", rd_check)) ||
        (rc = rd_each(r, t, o, n, "triggers", rd_trigger)))
        return rc;
    return rd_options(r, t, NULL, o, n);
}

static int rd_view(rd *r, cairn_table *unused, json_t *o, const jnode *n)
{
    (void)unused;
    const char *name, *ns, *def, *taken;
    strlist cols;
    int rc = rd_object(r, o, n, "a view", k_view);
    if (rc || (rc = rd_str(r, o, n, "name", REQ, &name)) ||
        (rc = rd_str(r, o, n, "schema", OPT, &ns)) ||
        (rc = rd_strlist(r, o, n, "columns", OPT, 0, &cols)) ||
        (rc = rd_str(r, o, n, "definition", REQ, &def)))
        return rc;
    if ((taken = relation_taken(r, ns, name)))
        return rd_fail_in(r, n, "name", -1, 0, "duplicate name \"%s\": already a %s", name, taken);
    cairn_view *v = cairn_schema_add_view(r->s, ns, name, def);
    if (!v || relation_add(r, v->schema, v->name, "view"))
        return rd_oom(r);
    for (size_t i = 0; i < cols.n; i++)
        if (cairn_view_add_column(r->s, v, cols.v[i]))
            return rd_oom(r);
    if ((rc = rd_bool(r, o, n, "materialized", &v->materialized)) ||
        (rc = rd_str(r, o, n, "comment", OPT, &v->comment)) ||
        (rc = rd_str(r, o, n, "was", OPT, &v->was)))
        return rc;
    return rd_options(r, NULL, v, o, n);
}

static int rd_enum(rd *r, cairn_table *unused, json_t *o, const jnode *n)
{
    (void)unused;
    const char *name, *ns;
    strlist vals;
    int rc = rd_object(r, o, n, "an enum", k_enum);
    if (rc || (rc = rd_str(r, o, n, "name", REQ, &name)) ||
        (rc = rd_str(r, o, n, "schema", OPT, &ns)) ||
        (rc = rd_strlist(r, o, n, "values", REQ, 0, &vals)))
        return rc;
    for (size_t i = 0; i < r->s->nenums; i++)
        if (same_ns(r->s->enums[i]->schema, ns) && strcmp(r->s->enums[i]->name, name) == 0)
            return rd_fail_in(r, n, "name", -1, 0, "duplicate enum \"%s\"", name);
    cairn_enum *e = cairn_schema_add_enum(r->s, ns, name);
    if (!e)
        return rd_oom(r);
    for (size_t i = 0; i < vals.n; i++)
        if (cairn_enum_add_value(r->s, e, vals.v[i]))
            return rd_oom(r);
    return rd_str(r, o, n, "comment", OPT, &e->comment);
}

static int rd_sequence(rd *r, cairn_table *unused, json_t *o, const jnode *n)
{
    (void)unused;
    const char *name, *ns, *taken;
    int rc = rd_object(r, o, n, "a sequence", k_sequence);
    if (rc || (rc = rd_str(r, o, n, "name", REQ, &name)) ||
        (rc = rd_str(r, o, n, "schema", OPT, &ns)))
        return rc;
    if ((taken = relation_taken(r, ns, name)))
        return rd_fail_in(r, n, "name", -1, 0, "duplicate name \"%s\": already a %s", name, taken);
    cairn_sequence *q = cairn_schema_add_sequence(r->s, ns, name);
    if (!q || relation_add(r, q->schema, q->name, "sequence"))
        return rd_oom(r);
    int has;
    if ((rc = rd_str(r, o, n, "type", OPT, &q->type)) ||
        (rc = rd_int(r, o, n, "start", &q->start, &has)) ||
        (rc = rd_int(r, o, n, "increment", &q->increment, &has)))
        return rc;
    if (q->increment == 0)
        return rd_fail_in(r, n, "increment", -1, 0, "must not be 0");
    if ((rc = rd_int(r, o, n, "min", &q->min_value, &q->has_min)) ||
        (rc = rd_int(r, o, n, "max", &q->max_value, &q->has_max)) ||
        (rc = rd_int(r, o, n, "cache", &q->cache, &has)))
        return rc;
    return rd_bool(r, o, n, "cycle", &q->cycle);
}

/* A kind is one lowercase word ("function", "policy", "range_type"): it
 * is printed in messages and keys the driver's emission. */
static int rd_kind(rd *r, json_t *o, const jnode *n, const char **kind)
{
    int rc = rd_str(r, o, n, "kind", REQ, kind);
    if (rc)
        return rc;
    const char *k = *kind;
    int ok = *k >= 'a' && *k <= 'z';
    for (const char *p = k; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
    return ok ? 0 : rd_fail_in(r, n, "kind", -1, 0,
                               "expected one lowercase word (\"function\", \"domain\", ...)");
}

static int rd_ref(rd *r, cairn_table *unused, json_t *o, const jnode *n)
{
    (void)unused;
    const char *kind, *ns, *name, *sig;
    cairn_object *obj = r->s->objects[r->s->nobjects - 1];
    int rc = rd_object(r, o, n, "a dependency", k_ref);
    if (rc || (rc = rd_kind(r, o, n, &kind)) || (rc = rd_str(r, o, n, "schema", OPT, &ns)) ||
        (rc = rd_str(r, o, n, "name", REQ, &name)) ||
        (rc = rd_str(r, o, n, "signature", OPT, &sig)))
        return rc;
    return cairn_object_add_depend(r->s, obj, kind, ns, name, sig) ? rd_oom(r) : 0;
}

static int rd_obj(rd *r, cairn_table *unused, json_t *o, const jnode *n)
{
    (void)unused;
    const char *kind, *ns, *name, *sig, *table, *def;
    int rc = rd_object(r, o, n, "an object", k_object);
    if (rc || (rc = rd_kind(r, o, n, &kind)) || (rc = rd_str(r, o, n, "schema", OPT, &ns)) ||
        (rc = rd_str(r, o, n, "name", REQ, &name)) ||
        (rc = rd_str(r, o, n, "signature", OPT, &sig)) ||
        (rc = rd_str(r, o, n, "table", OPT, &table)) ||
        (rc = rd_str(r, o, n, "definition", REQ, &def)))
        return rc;
    cairn_object *obj = cairn_schema_add_object(r->s, kind, ns, name, sig, table, def);
    if (!obj)
        return rd_oom(r);
    for (size_t i = 0; i + 1 < r->s->nobjects; i++)
        if (cairn_object_cmp(r->s->objects[i], obj) == 0) {
            char label[600];
            cairn_object_label(obj, label, sizeof label);
            return rd_fail_in(r, n, "name", -1, 0, "duplicate %s", label);
        }
    if ((rc = rd_str(r, o, n, "comment", OPT, &obj->comment)))
        return rc;
    return rd_each(r, NULL, o, n, "depends", rd_ref);
}

/* The second half of a split tables array, walked on its thread: a
 * schema of those tables, or NULL when anything is amiss (the walk in
 * order then finds it, and says where). */
static cairn_schema *rd_half_tables(json_t *arr)
{
    rd r = {.code = CAIRN_ESCHEMA, .lazy = 1};
    int rc = 0;
    cairn_buf_init(&r.path);
    if (!(r.s = cairn_schema_new()) || !(r.tmp = cairn_arena_new()))
        rc = CAIRN_ENOMEM;
    for (size_t i = 0; !rc && i < json_array_size(arr); i++)
        rc = rd_table(&r, NULL, json_array_get(arr, i), NULL);
    cairn_arena_free(r.tmp);
    cairn_buf_release(&r.path);
    if (rc) {
        cairn_schema_free(r.s);
        return NULL;
    }
    return r.s;
}

/* A split tables array, walked without its position index: this side's
 * elements here, the other side's tables taken from its thread. Any
 * problem is left to the walk in order (rd_later), as is a name the two
 * halves both hold; halves that turn out not to be the document's make
 * it read again, in order (doc->failed). */
static int rd_split_tables(rd *r)
{
    doc *d = r->d;
    int rc = 0;
    for (size_t i = 0; i < d->split_at && !rc; i++)
        rc = rd_table(r, NULL, json_array_get(d->split_arr, i), NULL);
    if (rc)
        return rc;
    if (doc_split_end(r->cx, d))
        return r->code;
    cairn_schema *other = d->half_tables;
    if (!other)
        return rd_later(r);
    for (size_t i = 0; i < other->ntables; i++) {
        const cairn_table *t = other->tables[i];
        if (relation_taken(r, t->schema, t->name))
            return rd_later(r);
        if (relation_add(r, t->schema, t->name, "table"))
            return rd_oom(r);
    }
    if (cairn_schema_adopt_tables(r->s, other))
        return rd_oom(r);
    d->half_tables = NULL;
    return 0;
}

static int rd_schema(rd *r, json_t *o, const jnode *n)
{
    strlist nss;
    int rc = rd_object(r, o, n, "a schema document", k_doc);
    if (rc || (rc = rd_str(r, o, n, "dialect", OPT, &r->s->dialect)) ||
        (rc = rd_strlist(r, o, n, "namespaces", OPT, 0, &nss)))
        return rc;
    for (size_t i = 0; i < nss.n; i++)
        if (cairn_schema_add_namespace(r->s, nss.v[i]))
            return rd_oom(r);
    /* Tables before views and sequences, so a clash names the table first. */
    if ((rc = r->d && r->d->pending && json_object_get(o, "tables") == r->d->split_arr
                  ? rd_split_tables(r)
                  : rd_each(r, NULL, o, n, "tables", rd_table)) ||
        (rc = rd_each(r, NULL, o, n, "views", rd_view)) ||
        (rc = rd_each(r, NULL, o, n, "enums", rd_enum)))
        return rc;
    if ((rc = rd_each(r, NULL, o, n, "sequences", rd_sequence)))
        return rc;
    return rd_each(r, NULL, o, n, "objects", rd_obj);
}

static void rd_init(rd *r, cairn_ctx *cx, const char *fname, int code, doc *d)
{
    memset(r, 0, sizeof *r);
    r->cx = cx;
    r->fname = fname;
    r->code = code;
    cairn_buf_init(&r->path);
    r->tmp = d->arena;
    r->lazy = !d->pos;
    r->d = d;
}

typedef int rd_walk_fn(rd *r, doc *d, void *ud);

/* `walk` over `d` into a new schema (r->s, the caller's to free); when it
 * ran without the position index and found a problem, the index is built
 * and the walk run again, which reports it with its path and position.
 * The walk does the same checks in the same order either way (jansson's
 * members are in text order), so it stops at the same problem. */
static int rd_run(rd *r, cairn_ctx *cx, const char *fname, int code, doc *d, rd_walk_fn *walk,
                  void *ud)
{
    rd_init(r, cx, fname, code, d);
    if (!(r->s = cairn_schema_new()))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    int rc = walk(r, d, ud);
    if (!rc || !r->retry)
        return rc;
    cairn_schema_free(r->s);
    r->s = NULL;
    cairn_buf_release(&r->path);
    /* the whole tree, for the walk in order */
    if (doc_split_end(cx, d))
        return code;
    rc = doc_index(cx, d, fname, code);
    rd_init(r, cx, fname, code, d);
    if (rc)
        return rc;
    if (!(r->s = cairn_schema_new()))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    return walk(r, d, ud);
}

/* A schema or a snapshot: parsed (in two halves when large) and walked
 * (rd_run); halves that turn out not to be the document's make it read
 * again, in order, so nothing said depends on the split. */
static int rd_read(cairn_ctx *cx, const char *text, size_t len, const char *fname, int code,
                   const char *const *tables, rd *r, doc *d, rd_walk_fn *walk, void *ud)
{
    int rc = doc_parse(cx, text, len, fname, code, tables, !cx->json_index_first, d);
    if (rc) {
        memset(r, 0, sizeof *r);
        return rc;
    }
    rc = rd_run(r, cx, fname, code, d, walk, ud);
    if (!rc && d->pending) /* (a walk that never reached the array) */
        d->failed = 1;
    if (!d->failed)
        return rc;
    cairn_schema_free(r->s);
    cairn_buf_release(&r->path);
    doc_release(d);
    if ((rc = doc_parse(cx, text, len, fname, code, NULL, !cx->json_index_first, d))) {
        memset(r, 0, sizeof *r);
        return rc;
    }
    return rd_run(r, cx, fname, code, d, walk, ud);
}

static int rd_schema_doc(rd *r, doc *d, void *ud)
{
    (void)ud;
    return rd_schema(r, d->root, d->pos);
}

int cairn_json_read_schema(cairn_ctx *cx, const char *text, size_t len, const char *fname,
                           cairn_schema **out)
{
    doc d;
    rd r;
    int rc = rd_read(cx, text, len, fname, CAIRN_ESCHEMA, k_split_schema, &r, &d, rd_schema_doc,
                     NULL);
    cairn_buf_release(&r.path);
    if (cx->json_dispose && d.root) {
        /* (thousands of objects: another thread frees them meanwhile) */
        cx->json_dispose(cx->json_dispose_ud, d.root);
        d.root = NULL;
    }
    doc_release(&d);
    if (rc) {
        cairn_schema_free(r.s);
        return rc;
    }
    *out = r.s;
    return 0;
}

/* ---- snapshots --------------------------------------------------------------- */


static const char *const k_snapshot[] = {"version", "id", "parent", "merges", "replaces",
                                         "dialect", "down_checksum", "schema", NULL};

void cairn_snapshot_release(cairn_snapshot *snap)
{
    if (!snap)
        return;
    free(snap->id);
    free(snap->parent);
    cairn_strv_free(snap->merges, snap->nmerges);
    cairn_strv_free(snap->replaces, snap->nreplaces);
    free(snap->dialect);
    free(snap->down_checksum);
    cairn_schema_free(snap->schema);
    memset(snap, 0, sizeof *snap);
}

static int dup_opt(const char *s, char **out)
{
    *out = NULL;
    return s && !(*out = strdup(s)) ? CAIRN_ENOMEM : 0;
}

/* A borrowed list copied into malloc'd strings (*n counts what was made). */
static int dup_list(const strlist *l, char ***out, size_t *n)
{
    if (l->n && !(*out = calloc(l->n, sizeof **out)))
        return CAIRN_ENOMEM;
    for (size_t i = 0; i < l->n; i++)
        if (dup_opt(l->v[i], &(*out)[(*n)++]))
            return CAIRN_ENOMEM;
    return 0;
}

/* What a snapshot's walk reads besides its schema (borrowed from jansson). */
typedef struct snap_head {
    const char *id, *parent, *dialect, *down;
    strlist merges, replaces;
} snap_head;

static int rd_snapshot_doc(rd *r, doc *d, void *ud)
{
    snap_head *h = ud;
    int64_t version = 0;
    int has_version = 0, rc;
    json_t *sj = NULL;
    memset(h, 0, sizeof *h);
    if (!(rc = rd_object(r, d->root, d->pos, "a snapshot", k_snapshot)) &&
        !(rc = rd_int(r, d->root, d->pos, "version", &version, &has_version))) {
        if (!has_version)
            rc = rd_fail(r, d->pos, "missing \"version\"");
        else if (version != CAIRN_SNAPSHOT_VERSION)
            rc = rd_fail_in(r, d->pos, "version", -1, 0,
                            "unsupported snapshot version %lld (this cairn reads version %d)",
                            (long long)version, CAIRN_SNAPSHOT_VERSION);
    }
    if (!rc && !(rc = rd_str(r, d->root, d->pos, "id", REQ, &h->id)) &&
        !(rc = rd_str(r, d->root, d->pos, "parent", OPT, &h->parent)) &&
        !(rc = rd_strlist(r, d->root, d->pos, "merges", OPT, 1, &h->merges)) &&
        !(rc = rd_strlist(r, d->root, d->pos, "replaces", OPT, 1, &h->replaces)) &&
        !(rc = rd_str(r, d->root, d->pos, "dialect", OPT, &h->dialect)) &&
        !(rc = rd_str(r, d->root, d->pos, "down_checksum", OPT, &h->down)) &&
        !(rc = rd_member(r, d->root, d->pos, "schema", REQ, &sj))) {
        size_t old = rd_key(r, "schema");
        rc = rd_schema(r, sj, json_jn_get(d->pos, "schema"));
        rd_pop(r, old);
    }
    if (!rc && h->merges.n && !h->parent)
        rc = rd_fail_in(r, d->pos, "merges", -1, 1, "a merge needs a \"parent\" too");
    return rc;
}

int cairn_json_read_snapshot(cairn_ctx *cx, const char *text, size_t len, const char *fname,
                             cairn_snapshot *out)
{
    memset(out, 0, sizeof *out);
    doc d;
    rd r;
    snap_head h;
    int rc = rd_read(cx, text, len, fname, CAIRN_EINTEGRITY, k_split_snapshot, &r, &d,
                     rd_snapshot_doc, &h);
    if (!rc && (dup_list(&h.merges, &out->merges, &out->nmerges) ||
                dup_list(&h.replaces, &out->replaces, &out->nreplaces) ||
                dup_opt(h.id, &out->id) || dup_opt(h.parent, &out->parent) ||
                dup_opt(h.dialect, &out->dialect) || dup_opt(h.down, &out->down_checksum)))
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    cairn_buf_release(&r.path);
    doc_release(&d);
    if (rc) {
        cairn_schema_free(r.s);
        cairn_snapshot_release(out);
        return rc;
    }
    out->schema = r.s;
    return 0;
}

/* ---- the config file ------------------------------------------------------------ */

/* One config value as text into `value`: strings as is, numbers as written,
 * booleans as true/false, arrays of strings joined by ','. */
static int config_value(rd *r, const jnode *obj, const jnode *kn, json_t *v, cairn_buf *value)
{
    int rc = 0;
    cairn_buf_reset(value);
    if (json_is_string(v)) {
        cairn_buf_append(value, json_string_value(v), json_string_length(v));
    } else if (json_is_number(v)) {
        cairn_buf_append(value, kn->text, kn->textlen);
    } else if (json_is_boolean(v)) {
        cairn_buf_puts(value, json_is_true(v) ? "true" : "false");
    } else if (json_is_array(v)) {
        for (size_t j = 0; j < json_array_size(v) && !rc; j++) {
            json_t *e = json_array_get(v, j);
            if (!json_is_string(e))
                rc = rd_fail_in(r, obj, kn->key, (long)j, 0, "expected a string");
            else if (j)
                cairn_buf_puts(value, ",");
            if (!rc)
                cairn_buf_append(value, json_string_value(e), json_string_length(e));
        }
    } else {
        rc = rd_fail_in(r, obj, kn->key, -1, 0,
                        "expected a string, number, boolean or array of strings");
    }
    if (!rc && value->oom)
        rc = cairn_err(r->cx, CAIRN_ENOMEM, "out of memory");
    return rc;
}

int cairn_json_read_config(cairn_ctx *cx, const char *text, size_t len, const char *fname,
                           cairn_config_cb *cb, void *ud)
{
    doc d;
    int rc = doc_parse(cx, text, len, fname, CAIRN_ECONFIG, NULL, 0, &d);
    if (rc)
        return rc;
    rd r;
    rd_init(&r, cx, fname, CAIRN_ECONFIG, &d);
    cairn_buf value, key;
    cairn_buf_init(&value);
    cairn_buf_init(&key);
    /* In text order, so the first problem in the file is the one reported. */
    for (size_t i = 0; i < d.pos->nkids && !rc; i++) {
        const jnode *kn = d.pos->kids[i];
        json_t *v = json_object_get(d.root, kn->key);
        if (strcmp(kn->key, "targets") == 0)
            continue; /* a fleet's list: read by fleet.c when asked for */
        if (!json_is_object(v)) {
            rc = config_value(&r, d.pos, kn, v, &value);
            if (!rc)
                rc = cb(cx, ud, kn->key, cairn_buf_cstr(&value), kn->kline, kn->kcol);
            continue;
        }
        /* a section ("lint": {"ignore": [...]}): its members as "lint.ignore" */
        size_t old = rd_key(&r, kn->key);
        for (size_t j = 0; j < kn->nkids && !rc; j++) {
            const jnode *mn = kn->kids[j];
            rc = config_value(&r, kn, mn, json_object_get(v, mn->key), &value);
            cairn_buf_reset(&key);
            cairn_buf_printf(&key, "%s.%s", kn->key, mn->key);
            if (!rc && key.oom)
                rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
            if (!rc)
                rc = cb(cx, ud, cairn_buf_cstr(&key), cairn_buf_cstr(&value), mn->kline,
                        mn->kcol);
        }
        rd_pop(&r, old);
    }
    cairn_buf_release(&value);
    cairn_buf_release(&key);
    cairn_buf_release(&r.path);
    doc_release(&d);
    return rc;
}

/* ---- positions of schema objects ----------------------------------------------- */

/* Does node `n`, an object, have a member "name" whose string is `name`?
 * Compared as written (a name with escapes in the file does not match,
 * and the caller falls back to a coarser position). */
static int jn_named(const jnode *n, const char *name)
{
    const jnode *v = json_jn_get(n, "name");
    size_t len = strlen(name);
    return v != n && v->textlen == len + 2 && v->text[0] == '"' &&
           memcmp(v->text + 1, name, len) == 0;
}

int cairn_json_locate(const char *text, size_t len, const char *path, int *line, int *col)
{
    cairn_arena *a = cairn_arena_new();
    if (!a)
        return 0;
    scanner sc = {.p = text, .end = text + len, .line = 1, .a = a};
    cairn_buf_init(&sc.tmp);
    const jnode *n = json_sc_value(&sc);
    int found = n && !sc.oom;
    /* steps: "key" or "key[name]", separated by '/' (names may hold '.') */
    for (const char *p = path; found && *p;) {
        const char *end = strchr(p, '/');
        size_t sl = end ? (size_t)(end - p) : strlen(p);
        const char *br = memchr(p, '[', sl);
        char key[128], name[512];
        size_t kl = br ? (size_t)(br - p) : sl;
        if (kl >= sizeof key || (br && (size_t)(p + sl - br - 2) >= sizeof name)) {
            found = 0;
            break;
        }
        memcpy(key, p, kl);
        key[kl] = '\0';
        const jnode *m = json_jn_get(n, key);
        found = m != n;
        if (found && br) {
            size_t nl = (size_t)(p + sl - br - 2);
            memcpy(name, br + 1, nl);
            name[nl] = '\0';
            const jnode *hit = NULL;
            for (size_t i = 0; i < m->nkids && !hit; i++)
                if (jn_named(m->kids[i], name))
                    hit = m->kids[i];
            found = hit != NULL;
            m = hit;
        }
        if (found)
            n = m;
        p += sl + (end ? 1 : 0);
    }
    if (found) {
        *line = n->key ? n->kline : n->line;
        *col = n->key ? n->kcol : n->col;
    }
    cairn_buf_release(&sc.tmp);
    cairn_arena_free(a);
    return found;
}

/* ---- the public API ------------------------------------------------------------ */

int cairn_schema_to_json(cairn_ctx *cx, const cairn_schema *s, char **out)
{
    if (!s || !out)
        return cairn_err(cx, CAIRN_EUSAGE, "cairn_schema_to_json: no schema or no output");
    cairn_buf b;
    cairn_buf_init(&b);
    int rc = cairn_json_write_schema(cx, s, &b);
    if (rc) {
        cairn_buf_release(&b);
        return rc;
    }
    *out = cairn_buf_steal(&b);
    return *out ? 0 : cairn_err(cx, CAIRN_ENOMEM, "out of memory");
}

int cairn_schema_from_json(cairn_ctx *cx, const char *text, const char *name, cairn_schema **out)
{
    if (!text || !out)
        return cairn_err(cx, CAIRN_EUSAGE, "cairn_schema_from_json: no text or no output");
    return cairn_json_read_schema(cx, text, strlen(text), name ? name : "<json>", out);
}

/* ---- drizzle-kit's meta/_journal.json (cairn import) ---------------------------- */

void cairn_journal_release(cairn_journal *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->n; i++)
        free(j->v[i].tag);
    free(j->v);
    free(j->dialect);
    memset(j, 0, sizeof *j);
}

/* Only the members the migrator reads are checked: drizzle-kit may add others. */
int cairn_json_read_journal(cairn_ctx *cx, const char *text, size_t len, const char *fname,
                            cairn_journal *out)
{
    memset(out, 0, sizeof *out);
    doc d;
    int rc = doc_parse(cx, text, len, fname, CAIRN_ECONFIG, NULL, 0, &d);
    if (rc)
        return rc;
    rd r;
    rd_init(&r, cx, fname, CAIRN_ECONFIG, &d);
    json_t *a = NULL;
    const jnode *an = NULL;
    const char *dialect = NULL;
    if (!(r.s = cairn_schema_new()))
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    if (!rc && !(rc = rd_str(&r, d.root, d.pos, "dialect", OPT, &dialect)) &&
        !(rc = rd_array(&r, d.root, d.pos, "entries", REQ, &a, &an)) && dialect &&
        !(out->dialect = strdup(dialect)))
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    size_t n = rc ? 0 : json_array_size(a);
    if (n && !(out->v = calloc(n, sizeof *out->v)))
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    size_t old = r.path.len;
    if (!rc)
        old = rd_key(&r, "entries");
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *e = json_array_get(a, i);
        const jnode *en = json_jn_at(an, i);
        size_t o2 = rd_idx(&r, i);
        const char *tag = NULL;
        int present = 0;
        if (!json_is_object(e))
            rc = rd_fail(&r, en, "expected an object");
        if (!rc && !(rc = rd_str(&r, e, en, "tag", REQ, &tag)) &&
            !(rc = rd_int(&r, e, en, "when", &out->v[i].when, &present)) && !present)
            rc = rd_fail(&r, en, "missing \"when\"");
        if (!rc && !(out->v[i].tag = strdup(tag)))
            rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
        if (!rc) {
            out->v[i].line = en->line;
            out->n++;
        }
        rd_pop(&r, o2);
    }
    rd_pop(&r, old);
    cairn_buf_release(&r.path);
    cairn_schema_free(r.s);
    doc_release(&d);
    if (rc)
        cairn_journal_release(out);
    return rc;
}
