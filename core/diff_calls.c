/*
 * Which routine a SQL expression calls: its call sites (`[ns.]name(args)`)
 * and the type of each argument as far as the text and the table show it,
 * so that diff_objects.c can tell the routine called from another of the
 * same name in another namespace or with other argument types, the way the
 * server resolves the statement's own reference: an unqualified name is the
 * one of the default namespace (introspection prints with search_path set
 * to it, and qualifies every other), and an overload is picked by its
 * argument types. What the text does not show (an expression's type) is
 * left open: the call may be to any overload of that arity, so a false
 * positive only recreates a dependent, never leaves one behind.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#include "diff.h"

/* The end of a quoted run starting at s (a '...' literal or a "..." name,
 * doubled quotes inside). */
static const char *skip_quoted(const char *s)
{
    char q = *s;
    for (s++; *s; s++)
        if (*s == q) {
            if (s[1] != q)
                return s + 1;
            s++;
        }
    return s;
}

/* One name at *p (bare, folded to lower case, or quoted) into dst; 0 when
 * *p starts none. */
static int read_name(const char **p, char *dst, size_t size)
{
    const char *s = *p;
    size_t n = 0;
    if (*s == '"') {
        for (s++; *s; s++) {
            if (*s == '"' && *++s != '"')
                break;
            if (n + 1 < size)
                dst[n++] = *s;
        }
        *p = s;
    } else if (isalpha((unsigned char)*s) || *s == '_') {
        while (isalnum((unsigned char)*s) || *s == '_' || *s == '$') {
            if (n + 1 < size)
                dst[n++] = (char)tolower((unsigned char)*s);
            s++;
        }
        *p = s;
    } else {
        return 0;
    }
    dst[n] = '\0';
    return 1;
}

/* The closing parenthesis that matches the '(' at s (or the text's end). */
static const char *matching_paren(const char *s)
{
    int depth = 0;
    while (*s) {
        if (*s == '\'' || *s == '"') {
            s = skip_quoted(s);
            continue;
        }
        if (*s == '(')
            depth++;
        else if (*s == ')' && --depth == 0)
            return s;
        s++;
    }
    return s;
}

int diff_next_call(const char **pos, diff_call *c)
{
    const char *s = *pos;
    while (*s) {
        if (*s == '\'') {
            s = skip_quoted(s);
            continue;
        }
        /* a word inside another, or a column after "alias." */
        int inside = s > *pos && (isalnum((unsigned char)s[-1]) || s[-1] == '_' ||
                                  s[-1] == '$' || s[-1] == '.');
        char a[DIFF_NAME_MAX], b[DIFF_NAME_MAX];
        const char *q = s;
        if (inside || !read_name(&q, a, sizeof a)) {
            s += *s == '"' ? (size_t)(skip_quoted(s) - s) : 1;
            continue;
        }
        c->ns[0] = '\0';
        memcpy(c->name, a, sizeof a);
        /* a.b.c(: database, namespace, name */
        while (*q == '.') {
            const char *r = q + 1;
            if (!read_name(&r, b, sizeof b))
                break;
            memcpy(c->ns, c->name, sizeof c->ns);
            memcpy(c->name, b, sizeof b);
            q = r;
        }
        const char *open = q;
        while (isspace((unsigned char)*open))
            open++;
        s = q;
        if (*open != '(')
            continue;
        const char *close = matching_paren(open);
        c->args = open + 1;
        c->argslen = (size_t)(close - open - 1);
        *pos = open + 1; /* a call inside the arguments is a call too */
        return 1;
    }
    *pos = s;
    return 0;
}

/* The k-th top-level argument of `c` as [*b, *b + *n), spaces trimmed;
 * 0 past the last. A call without arguments has none. */
static int call_arg(const diff_call *c, size_t k, const char **b, size_t *n)
{
    const char *s = c->args, *end = c->args + c->argslen, *start = s;
    int depth = 0;
    size_t at = 0;
    for (;; s++) {
        if (s < end && (*s == '\'' || *s == '"')) {
            s = skip_quoted(s) - 1;
            if (s >= end)
                s = end - 1;
            continue;
        }
        if (s < end && (*s == '(' || *s == '['))
            depth++;
        else if (s < end && (*s == ')' || *s == ']'))
            depth--;
        else if (s == end || (*s == ',' && depth == 0)) {
            if (at == k) {
                const char *e = s;
                while (start < e && isspace((unsigned char)*start))
                    start++;
                while (e > start && isspace((unsigned char)e[-1]))
                    e--;
                *b = start;
                *n = (size_t)(e - start);
                return !(k == 0 && s == end && *n == 0);
            }
            if (s == end)
                return 0;
            at++;
            start = s + 1;
        }
    }
}

size_t diff_call_nargs(const diff_call *c)
{
    const char *b;
    size_t n, k = 0;
    while (call_arg(c, k, &b, &n))
        k++;
    return k;
}

/* A type name as the signature spells it: lower case, no typmod, spaces
 * single, the server's short names spelled out. */
static void canon_type(const char *s, size_t n, char *dst, size_t size)
{
    static const char *const alias[][2] = {
        {"int", "integer"}, {"int4", "integer"}, {"int8", "bigint"}, {"int2", "smallint"},
        {"float8", "double precision"}, {"float4", "real"}, {"bool", "boolean"},
        {"varchar", "character varying"}, {"bpchar", "character"}, {"char", "character"},
        {"decimal", "numeric"}, {"timestamptz", "timestamp with time zone"},
        {"timestamp", "timestamp without time zone"}, {"timetz", "time with time zone"},
        {"time", "time without time zone"}};
    size_t o = 0;
    int depth = 0, space = 0;
    for (size_t i = 0; i < n && o + 1 < size; i++) {
        char ch = s[i];
        if (ch == '(') {
            depth++;
        } else if (ch == ')') {
            depth--;
        } else if (depth > 0 || ch == '"') {
            continue;
        } else if (isspace((unsigned char)ch)) {
            space = o > 0;
        } else {
            if (space && o + 2 < size)
                dst[o++] = ' ';
            space = 0;
            dst[o++] = (char)tolower((unsigned char)ch);
        }
    }
    dst[o] = '\0';
    for (size_t k = 0; k < sizeof alias / sizeof *alias; k++)
        if (strcmp(dst, alias[k][0]) == 0) {
            snprintf(dst, size, "%s", alias[k][1]);
            break;
        }
}

/* The type of a column named [b, b + n) (quotes, "new." or "t." in front
 * allowed) of `t`, or of every table of `s` that has one when `t` is NULL
 * and they agree. */
static const char *column_type(const cairn_schema *s, const cairn_table *t, const char *b,
                               size_t n)
{
    char name[DIFF_NAME_MAX];
    const char *p = b, *end = b + n;
    for (;;) {
        if (!read_name(&p, name, sizeof name))
            return NULL;
        if (p == end)
            break;
        if (*p != '.')
            return NULL;
        p++;
    }
    const char *found = NULL;
    for (size_t i = 0; i < (t ? 1 : s->ntables); i++) {
        const cairn_table *x = t ? t : s->tables[i];
        for (size_t k = 0; k < x->ncolumns; k++) {
            const cairn_column *c = x->columns[k];
            if (strcmp(c->name, name) != 0 || !c->type)
                continue;
            if (found && strcasecmp(found, c->type) != 0)
                return NULL;
            found = c->type;
        }
    }
    return found;
}

int diff_call_arg_type(const diff_call *c, size_t k, const cairn_schema *s,
                       const cairn_table *t, char *dst, size_t size)
{
    const char *b;
    size_t n;
    dst[0] = '\0';
    if (!call_arg(c, k, &b, &n) || !n)
        return 0;
    while (n >= 2 && b[0] == '(' && matching_paren(b) == b + n - 1) {
        b++;
        n -= 2;
    }
    /* the last top-level cast says it: x::text, 'a'::character varying */
    const char *cast = NULL;
    int depth = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (b[i] == '\'' || b[i] == '"') {
            i = (size_t)(skip_quoted(b + i) - b) - 1;
            continue;
        }
        depth += (b[i] == '(') - (b[i] == ')');
        if (depth == 0 && b[i] == ':' && b[i + 1] == ':')
            cast = b + i + 2;
    }
    if (cast) {
        canon_type(cast, (size_t)(b + n - cast), dst, size);
        return dst[0] != '\0';
    }
    size_t i = b[0] == '-' ? 1 : 0, digits = 0, dots = 0;
    for (; i < n && (isdigit((unsigned char)b[i]) || b[i] == '.'); i++)
        b[i] == '.' ? dots++ : digits++;
    if (i == n && digits) {
        snprintf(dst, size, "%s", dots ? "numeric" : "integer");
        return 1;
    }
    if ((n == 4 && strncasecmp(b, "true", 4) == 0) || (n == 5 && strncasecmp(b, "false", 5) == 0)) {
        snprintf(dst, size, "boolean");
        return 1;
    }
    const char *ty = column_type(s, t, b, n);
    if (ty)
        canon_type(ty, strlen(ty), dst, size);
    return dst[0] != '\0';
}

/* The k-th item of a signature ("a integer, VARIADIC b text[]") as
 * [*b, *b + return); 0 past the last. */
static size_t sig_item(const char *sig, size_t k, const char **b)
{
    const char *p = sig;
    int depth = 0;
    for (size_t at = 0; at < k; p++) {
        if (!*p)
            return *b = NULL, 0;
        depth += (*p == '(') - (*p == ')');
        if (*p == ',' && depth == 0)
            at++;
    }
    while (isspace((unsigned char)*p))
        p++;
    const char *e = p;
    for (depth = 0; *e && !(*e == ',' && depth == 0); e++)
        depth += (*e == '(') - (*e == ')');
    *b = p;
    return (size_t)(e - p);
}

size_t diff_sig_nparams(const char *sig, int *variadic)
{
    *variadic = 0;
    if (!sig || !*sig || strcmp(sig, "*") == 0)
        return 0;
    const char *b;
    size_t n = 0, len;
    while ((len = sig_item(sig, n, &b)) || b) {
        if (len > 9 && strncasecmp(b, "variadic ", 9) == 0)
            *variadic = 1;
        n++;
    }
    return n;
}

int diff_sig_param_is(const char *sig, size_t k, const char *type)
{
    const char *b;
    size_t len = sig_item(sig, k, &b);
    char item[2 * DIFF_NAME_MAX];
    canon_type(b ? b : "", len, item, sizeof item);
    /* "a integer", "IN a integer", "integer": the type ends the item */
    size_t li = strlen(item), lt = strlen(type);
    if (li < lt || strcmp(item + li - lt, type) != 0)
        return 0;
    return li == lt || item[li - lt - 1] == ' ';
}
