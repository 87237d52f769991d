/* Reading the SQL text PostgreSQL prints (pg_get_indexdef, pg_get_expr, ...)
 * and writing names: tokens, parentheses, index key elements. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgdrv.h"

/* Index just past the SQL token (string literal, quoted identifier) at p,
 * or p+1 for anything else. */
size_t pgdrv_skip_token(const char *s, size_t p)
{
    char q = s[p];
    if (q != '\'' && q != '"')
        return p + 1;
    for (size_t i = p + 1; s[i]; i++)
        if (s[i] == q) {
            if (s[i + 1] == q) {
                i++;
                continue;
            }
            return i + 1;
        }
    return strlen(s);
}

/* Position of the parenthesis closing the one at `open`, or 0. */
size_t pgdrv_match_paren(const char *s, size_t open)
{
    int depth = 0;
    for (size_t i = open; s[i];) {
        if (s[i] == '(')
            depth++;
        else if (s[i] == ')' && --depth == 0)
            return i;
        i = pgdrv_skip_token(s, i);
    }
    return 0;
}

/* The expression without outer parentheses that wrap all of it, trimmed,
 * as [*start, *start + *len). PostgreSQL's deparser adds them where users
 * usually write none ("(price > 0)"). */
void pgdrv_unwrap(const char *s, size_t *start, size_t *len)
{
    size_t b = 0, e = strlen(s);
    for (;;) {
        while (b < e && isspace((unsigned char)s[b]))
            b++;
        while (e > b && isspace((unsigned char)s[e - 1]))
            e--;
        if (e - b >= 2 && s[b] == '(' && s[e - 1] == ')' && pgdrv_match_paren(s, b) == e - 1) {
            b++;
            e--;
            continue;
        }
        break;
    }
    *start = b;
    *len = e - b;
}

/* ---- index key elements ----------------------------------------------------------
 * The model has no operator class or NULLS FIRST/LAST per key part, nor
 * storage parameters or NULLS NOT DISTINCT per index. They ride in text the
 * driver owns and the core compares as is:
 *  - a part with an operator class or a NULLS ordering has no `column`; its
 *    `expr` is the key element as CREATE INDEX takes it, without COLLATE and
 *    DESC (which stay in their fields): `"name" text_pattern_ops`,
 *    `lower(name) NULLS FIRST`, `(a + b) int4_ops`;
 *  - an index's `method` is the access method followed by what PostgreSQL
 *    writes after the key and INCLUDE lists, before WHERE:
 *    `btree NULLS NOT DISTINCT WITH (fillfactor='70')`. */

int pgdrv_is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

size_t pgdrv_skip_space(const char *s, size_t p)
{
    while (s[p] && isspace((unsigned char)s[p]))
        p++;
    return p;
}

/* End of the possibly qualified, possibly quoted name at p (p if none). */
static size_t pgdrv_skip_name(const char *s, size_t p)
{
    size_t q = p;
    for (;;) {
        size_t e = q;
        if (s[e] == '"')
            e = pgdrv_skip_token(s, e);
        else
            while (pgdrv_is_ident_char(s[e]))
                e++;
        if (e == q)
            return q == p ? p : q - 1; /* a trailing dot is not part of it */
        if (s[e] != '.')
            return e;
        q = e + 1;
    }
}

/* Whether the bare word [b, e) is `word`, case-insensitively. */
int pgdrv_word_is(const char *s, size_t b, size_t e, const char *word)
{
    return strlen(word) == e - b && strncasecmp(s + b, word, e - b) == 0;
}

/* Splits an element-form part `expr` (see above) into its key, [0, *key_end),
 * its operator class with parameters, [*opc_b, *opc_e), empty when none, and
 * its NULLS ordering, [*nulls_b, strlen), empty when none. Returns 0 when
 * `expr` is a plain expression. Words that continue an expression (`a IS
 * NULL`, `a IN (1, 2)`) are not taken for an operator class. */
int pgdrv_split_element(const char *s, size_t *key_end, size_t *opc_b, size_t *opc_e,
                        size_t *nulls_b)
{
    static const char *const not_opclass[] = {"and", "or", "is", "in", "not", "like", "ilike",
                                              "similar", "between", "collate", "asc", "desc",
                                              "nulls", "isnull", "notnull", "at", "overlaps"};
    size_t p = 0, n = strlen(s);
    if (s[0] == '(') {
        p = pgdrv_match_paren(s, 0);
        if (!p)
            return 0;
        p++;
    } else {
        p = pgdrv_skip_name(s, 0);
        if (!p)
            return 0;
        if (s[p] == '(') {
            size_t close = pgdrv_match_paren(s, p);
            if (!close)
                return 0;
            p = close + 1;
        }
    }
    *key_end = p;
    if (!isspace((unsigned char)s[p]))
        return 0;
    p = pgdrv_skip_space(s, p);
    *opc_b = *opc_e = p;
    size_t w = pgdrv_skip_name(s, p);
    int nulls = w > p && pgdrv_word_is(s, p, w, "nulls");
    if (w > p && !nulls) {
        for (size_t i = 0; i < sizeof not_opclass / sizeof *not_opclass; i++)
            if (pgdrv_word_is(s, p, w, not_opclass[i]))
                return 0;
        p = pgdrv_skip_space(s, w);
        if (s[p] == '(') {
            size_t close = pgdrv_match_paren(s, p);
            /* operator class parameters are name=value pairs */
            if (!close || !memchr(s + p, '=', close - p))
                return 0;
            w = close + 1;
        }
        *opc_e = w;
        p = pgdrv_skip_space(s, w);
        w = pgdrv_skip_name(s, p);
        nulls = w > p && pgdrv_word_is(s, p, w, "nulls");
    }
    *nulls_b = n;
    if (nulls) {
        *nulls_b = p;
        p = pgdrv_skip_space(s, w);
        w = pgdrv_skip_name(s, p);
        if (!pgdrv_word_is(s, p, w, "first") && !pgdrv_word_is(s, p, w, "last"))
            return 0;
        p = w;
    }
    return p == n && (*opc_e > *opc_b || *nulls_b < n);
}

/* A copy of sql without the word CONCURRENTLY where it follows INDEX
 * (CREATE / DROP INDEX CONCURRENTLY), outside literals, quoted names,
 * comments and dollar-quoted bodies. */
char *pgdrv_strip_concurrently(const char *sql)
{
    size_t n = strlen(sql), o = 0, prev_b = 0, prev_e = 0;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    for (size_t p = 0; p < n;) {
        size_t e;
        if (sql[p] == '-' && sql[p + 1] == '-') {
            e = p + strcspn(sql + p, "\n");
        } else if (sql[p] == '/' && sql[p + 1] == '*') {
            const char *end = strstr(sql + p + 2, "*/");
            e = end ? (size_t)(end - sql) + 2 : n;
        } else if (sql[p] == '$' && (p == 0 || !pgdrv_is_ident_char(sql[p - 1]))) {
            /* $tag$ ... $tag$ */
            size_t t = p + 1;
            while (t < n && (isalnum((unsigned char)sql[t]) || sql[t] == '_'))
                t++;
            e = p + 1;
            if (t < n && sql[t] == '$') {
                size_t tl = t + 1 - p;
                const char *end = sql + t + 1;
                while ((end = strchr(end, '$')) && strncmp(end, sql + p, tl) != 0)
                    end++;
                e = end ? (size_t)(end - sql) + tl : n;
            }
        } else if (pgdrv_is_ident_char(sql[p])) {
            e = p;
            while (e < n && pgdrv_is_ident_char(sql[e]))
                e++;
            if (pgdrv_word_is(sql, p, e, "concurrently") && prev_e > prev_b &&
                pgdrv_word_is(sql, prev_b, prev_e, "index")) {
                p = e;
                continue;
            }
            prev_b = p;
            prev_e = e;
        } else {
            e = pgdrv_skip_token(sql, p);
            if (!isspace((unsigned char)sql[p]))
                prev_b = prev_e = 0;
        }
        memcpy(out + o, sql + p, e - p);
        o += e - p;
        p = e;
    }
    out[o] = '\0';
    return out;
}

/* End of the word or parenthesised group at p (p at the end of s). */
static size_t pgdrv_skip_word(const char *s, size_t p)
{
    size_t w = pgdrv_skip_name(s, p);
    if (w > p)
        return w;
    if (s[p] == '(') {
        size_t close = pgdrv_match_paren(s, p);
        return close ? close + 1 : strlen(s);
    }
    return s[p] ? pgdrv_skip_token(s, p) : p;
}

/* A name as PostgreSQL prints it ("C", "my ""x""", en_US), unquoted, malloc'd. */
static char *pgdrv_unquote(const char *s, size_t len)
{
    char *out = malloc(len + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '"')
            *o++ = s[i];
        else if (i + 1 < len && s[i + 1] == '"' && i > 0)
            *o++ = s[++i];
    }
    *o = '\0';
    return out;
}

/* What key element `elem` of pg_get_indexdef() adds to its key `key` besides
 * COLLATE and DESC (the model's own fields): operator class and NULLS
 * ordering, words joined by one space, into b (empty when none). The
 * collation's name, unquoted, goes to *coll (malloc'd) when there is one.
 * Fails when an append to b did (its text is then not to be used). */
int pgdrv_element_decor(const cairn_host *h, const char *elem, size_t len, const char *key,
                        cairn_buf *b, char **coll)
{
    h->buf_reset(b);
    *coll = NULL;
    size_t klen = strlen(key);
    if (len < klen || strncmp(elem, key, klen) != 0)
        return 0;
    char *s = strndup(elem + klen, len - klen);
    if (!s)
        return CAIRN_ENOMEM;
    int rc = 0;
    for (size_t p = pgdrv_skip_space(s, 0); s[p] && !rc; p = pgdrv_skip_space(s, p)) {
        size_t w = pgdrv_skip_word(s, p);
        if (pgdrv_word_is(s, p, w, "collate")) {
            size_t cb = pgdrv_skip_space(s, w);
            p = pgdrv_skip_name(s, cb);
            free(*coll);
            *coll = pgdrv_unquote(s + cb, p - cb);
            if (!*coll)
                rc = CAIRN_ENOMEM;
            continue;
        }
        if (!pgdrv_word_is(s, p, w, "desc") && !pgdrv_word_is(s, p, w, "asc")) {
            if (h->buf_len(b))
                h->buf_puts(b, " ");
            h->buf_append(b, s + p, w - p);
        }
        p = w;
    }
    free(s);
    return rc ? rc : h->buf_status(b);
}

/* Splits pg_get_indexdef() text ("CREATE INDEX i ON t USING am (k1, k2)
 * INCLUDE (c) NULLS NOT DISTINCT WITH (...) WHERE ...") into its key
 * elements, [elems[k], elems[k] + lens[k]) for k < *nelems (at most max),
 * and the index options after the key and INCLUDE lists, [*tail_b, *tail_e). */
void pgdrv_split_indexdef(const char *def, size_t max, size_t *elems, size_t *lens,
                          size_t *nelems, size_t *tail_b, size_t *tail_e)
{
    *nelems = 0;
    *tail_b = *tail_e = 0;
    const char *u = strstr(def, " USING ");
    if (!u)
        return;
    size_t p = pgdrv_skip_space(def, pgdrv_skip_name(def, (size_t)(u - def) + 7));
    size_t close = def[p] == '(' ? pgdrv_match_paren(def, p) : 0;
    if (!close)
        return;
    size_t start = p + 1;
    int depth = 0;
    for (size_t i = start; i <= close;) {
        if ((def[i] == ',' && depth == 0) || i == close) {
            size_t b = pgdrv_skip_space(def, start);
            if (*nelems < max) {
                elems[*nelems] = b;
                lens[*nelems] = i > b ? i - b : 0;
                (*nelems)++;
            }
            start = i + 1;
            i++;
            continue;
        }
        if (def[i] == '(')
            depth++;
        else if (def[i] == ')')
            depth--;
        i = pgdrv_skip_token(def, i);
    }
    p = pgdrv_skip_space(def, close + 1);
    size_t w = pgdrv_skip_word(def, p);
    if (pgdrv_word_is(def, p, w, "include"))
        p = pgdrv_skip_space(def, pgdrv_skip_word(def, pgdrv_skip_space(def, w)));
    *tail_b = *tail_e = p;
    while (def[p]) {
        w = pgdrv_skip_word(def, p);
        if (pgdrv_word_is(def, p, w, "where"))
            break;
        *tail_e = w;
        p = pgdrv_skip_space(def, w);
    }
}

/* "schema"."name", or "name" in the default namespace. */
void pgdrv_qname(const cairn_host *h, cairn_buf *b, const char *schema, const char *name)
{
    if (schema && *schema) {
        h->buf_quote(b, schema, '"');
        h->buf_puts(b, ".");
    }
    h->buf_quote(b, name, '"');
}

/* The identifier at `p` (quoted or bare) as the catalog stores it, into
 * `out` (malloc'd); returns the index past it, or 0 when there is none. */
static size_t catalog_ident(const char *s, size_t p, char **out)
{
    size_t n = strlen(s), e = p, o = 0;
    char *id = malloc(n - p + 1);
    if (!id)
        return 0;
    if (s[p] == '"') {
        for (e = p + 1; e < n; e++) {
            if (s[e] == '"' && s[e + 1] == '"')
                id[o++] = s[e++];
            else if (s[e] == '"')
                break;
            else
                id[o++] = s[e];
        }
        if (e >= n) {
            free(id);
            return 0;
        }
        e++;
    } else {
        for (; e < n && pgdrv_is_ident_char(s[e]); e++)
            id[o++] = (char)tolower((unsigned char)s[e]);
    }
    id[o] = '\0';
    if (!o) {
        free(id);
        return 0;
    }
    *out = id;
    return e;
}

/* The bare word at `p` is `w`: the index past it, else 0. */
static size_t word_at(const char *s, size_t p, const char *w)
{
    size_t e = p;
    while (pgdrv_is_ident_char(s[e]))
        e++;
    return e > p && pgdrv_word_is(s, p, e, w) ? pgdrv_skip_space(s, e) : 0;
}

/* Past blanks and comments at `p`. */
static size_t skip_comments(const char *s, size_t p)
{
    for (;;) {
        p = pgdrv_skip_space(s, p);
        if (s[p] == '-' && s[p + 1] == '-')
            p += strcspn(s + p, "\n");
        else if (s[p] == '/' && s[p + 1] == '*') {
            const char *end = strstr(s + p + 2, "*/");
            p = end ? (size_t)(end - s) + 2 : strlen(s);
        } else
            return p;
    }
}

int pgdrv_concurrent_index(const char *sql, char **name, char **table)
{
    *name = *table = NULL;
    size_t p = skip_comments(sql, 0), q;
    if (!(p = word_at(sql, p, "create")))
        return 0;
    if ((q = word_at(sql, p, "unique")))
        p = q;
    if (!(p = word_at(sql, p, "index")) || !(p = word_at(sql, p, "concurrently")))
        return 0;
    if ((q = word_at(sql, p, "if"))) {
        if (!(q = word_at(sql, q, "not")) || !(p = word_at(sql, q, "exists")))
            return 0;
    }
    if (word_at(sql, p, "on") || !(p = catalog_ident(sql, p, name)))
        return 0;
    p = pgdrv_skip_space(sql, p);
    if (!(p = word_at(sql, p, "on"))) {
        free(*name);
        *name = NULL;
        return 0;
    }
    if ((q = word_at(sql, p, "only")))
        p = q;
    /* the table as written, up to a blank or '(' outside quotes */
    size_t e = p;
    while (sql[e] && sql[e] != '(' && !isspace((unsigned char)sql[e]))
        e = sql[e] == '"' ? pgdrv_skip_token(sql, e) : e + 1;
    *table = e > p ? strndup(sql + p, e - p) : NULL;
    if (!*table) {
        free(*name);
        *name = NULL;
        return 0;
    }
    return 1;
}
