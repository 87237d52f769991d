/* A tokenizer and small parsers for the DDL SQLite keeps in sqlite_schema.
 *
 * The pragmas give names, types, nullability, defaults and key columns, but
 * not constraint names, CHECK expressions, AUTOINCREMENT, collations,
 * generation expressions or DEFERRABLE: those exist only in the CREATE text,
 * which SQLite stores as the user wrote it (comments and odd quoting
 * included), hence a real tokenizer rather than string searches. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlitedrv.h"

/* ---- pool ---------------------------------------------------------------- */

void *sqlitedrv_pool_alloc(sqlitedrv_pool *p, size_t size)
{
    if (p->oom)
        return NULL;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        void **nv = realloc(p->items, cap * sizeof *nv);
        if (!nv) {
            p->oom = 1;
            return NULL;
        }
        p->items = nv;
        p->cap = cap;
    }
    void *m = calloc(1, size ? size : 1);
    if (!m) {
        p->oom = 1;
        return NULL;
    }
    p->items[p->n++] = m;
    return m;
}

char *sqlitedrv_pool_strndup(sqlitedrv_pool *p, const char *s, size_t n)
{
    char *d = sqlitedrv_pool_alloc(p, n + 1);
    if (d)
        memcpy(d, s, n);
    return d;
}

void sqlitedrv_pool_free(sqlitedrv_pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->items[i]);
    free(p->items);
    memset(p, 0, sizeof *p);
}

/* Grow a pool-owned array by one element; returns the new element. */
static void *pool_push(sqlitedrv_pool *p, void **arr, size_t *n, size_t elsize)
{
    char *nv = sqlitedrv_pool_alloc(p, (*n + 1) * elsize);
    if (!nv)
        return NULL;
    if (*n)
        memcpy(nv, *arr, *n * elsize);
    *arr = nv; /* the old array stays in the pool until the end: parsers are short-lived */
    return nv + (*n)++ * elsize;
}

/* ---- tokenizer ------------------------------------------------------------ */

static int ident_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c >= 0x80;
}

static int ident_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Length of a quoted run starting at `p` with quote `q` (closing `e`),
 * where `e` doubled stands for itself; 0 if unterminated. */
static size_t quoted_len(const char *p, char e, int doubling)
{
    size_t i = 1;
    for (;;) {
        if (!p[i])
            return 0;
        if (p[i] == e) {
            if (doubling && p[i + 1] == e) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i++;
    }
}

static size_t number_len(const char *p)
{
    size_t i = 0;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        i = 2;
        while (isxdigit((unsigned char)p[i]))
            i++;
        return i;
    }
    while (isdigit((unsigned char)p[i]) || p[i] == '.')
        i++;
    if ((p[i] == 'e' || p[i] == 'E') &&
        (isdigit((unsigned char)p[i + 1]) ||
         ((p[i + 1] == '+' || p[i + 1] == '-') && isdigit((unsigned char)p[i + 2])))) {
        i += 2;
        while (isdigit((unsigned char)p[i]))
            i++;
    }
    return i;
}

int sqlitedrv_lex(const char *sql, sqlitedrv_toks *out)
{
    memset(out, 0, sizeof *out);
    out->src = sql;
    size_t cap = 0;
    const char *p = sql;
    while (*p) {
        unsigned char c = (unsigned char)*p;
        if (isspace(c)) {
            p++;
            continue;
        }
        if (c == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (c == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p); /* SQLite accepts a comment left open at the end */
            continue;
        }
        sqlitedrv_tok t = {SQLITEDRV_TK_OP, p, 1};
        if (c == '"' || c == '`' || c == '[') {
            t.kind = SQLITEDRV_TK_QUOTED;
            t.n = quoted_len(p, c == '[' ? ']' : (char)c, c != '[');
        } else if (c == '\'') {
            t.kind = SQLITEDRV_TK_STRING;
            t.n = quoted_len(p, '\'', 1);
        } else if ((c == 'x' || c == 'X') && p[1] == '\'') {
            t.kind = SQLITEDRV_TK_BLOB;
            size_t q = quoted_len(p + 1, '\'', 0);
            t.n = q ? q + 1 : 0;
        } else if (isdigit(c) || (c == '.' && isdigit((unsigned char)p[1]))) {
            t.kind = SQLITEDRV_TK_NUMBER;
            t.n = number_len(p);
        } else if (ident_start(c)) {
            t.kind = SQLITEDRV_TK_WORD;
            while (ident_char((unsigned char)p[t.n]))
                t.n++;
        } else if (c == '(' || c == ')' || c == ',' || c == ';' || c == '.') {
            t.kind = SQLITEDRV_TK_PUNCT;
        } else if (c == '?' || c == ':' || c == '@' || c == '$') {
            while (ident_char((unsigned char)p[t.n]))
                t.n++;
        }
        if (t.n == 0) {
            sqlitedrv_toks_free(out);
            return CAIRN_ESCHEMA;
        }
        if (out->n == cap) {
            cap = cap ? cap * 2 : 64;
            sqlitedrv_tok *nv = realloc(out->v, cap * sizeof *nv);
            if (!nv) {
                sqlitedrv_toks_free(out);
                return CAIRN_ENOMEM;
            }
            out->v = nv;
        }
        out->v[out->n++] = t;
        p += t.n;
    }
    return 0;
}

void sqlitedrv_toks_free(sqlitedrv_toks *t)
{
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

int sqlitedrv_tok_is(const sqlitedrv_tok *t, const char *kw)
{
    if (t->kind == SQLITEDRV_TK_WORD)
        return strlen(kw) == t->n && strncasecmp(t->s, kw, t->n) == 0;
    if (t->kind == SQLITEDRV_TK_PUNCT || t->kind == SQLITEDRV_TK_OP)
        return strlen(kw) == t->n && strncmp(t->s, kw, t->n) == 0;
    return 0;
}

/* Is the token at `i` (bounded by `n`) the keyword `kw`? */
static int at(const sqlitedrv_toks *t, size_t i, size_t n, const char *kw)
{
    return i < n && sqlitedrv_tok_is(&t->v[i], kw);
}

int sqlitedrv_join(const cairn_host *h, const sqlitedrv_toks *t, size_t from, size_t to,
                   cairn_buf *out)
{
    for (size_t i = from; i < to; i++) {
        if (i > from && t->v[i].s > t->v[i - 1].s + t->v[i - 1].n && h->buf_puts(out, " "))
            return CAIRN_ENOMEM;
        if (h->buf_append(out, t->v[i].s, t->v[i].n))
            return CAIRN_ENOMEM;
    }
    return 0;
}

char *sqlitedrv_join_pool(sqlitedrv_pool *p, const sqlitedrv_toks *t, size_t from, size_t to)
{
    size_t len = 0;
    for (size_t i = from; i < to; i++)
        len += t->v[i].n + 1;
    char *d = sqlitedrv_pool_alloc(p, len + 1), *w = d;
    if (!d)
        return NULL;
    for (size_t i = from; i < to; i++) {
        if (i > from && t->v[i].s > t->v[i - 1].s + t->v[i - 1].n)
            *w++ = ' ';
        memcpy(w, t->v[i].s, t->v[i].n);
        w += t->v[i].n;
    }
    *w = '\0';
    return d;
}

/* Unquote a token into `d` (room for t->n + 1); returns the length. */
static size_t unquote(const sqlitedrv_tok *t, char *d)
{
    if (t->kind != SQLITEDRV_TK_QUOTED && t->kind != SQLITEDRV_TK_STRING) {
        memcpy(d, t->s, t->n);
        d[t->n] = '\0';
        return t->n;
    }
    char q = t->s[0];
    size_t w = 0;
    for (size_t i = 1; i + 1 < t->n; i++) {
        d[w++] = t->s[i];
        if (q != '[' && t->s[i] == q)
            i++; /* a doubled quote */
    }
    d[w] = '\0';
    return w;
}

char *sqlitedrv_ident(sqlitedrv_pool *p, const sqlitedrv_tok *t)
{
    char *d = sqlitedrv_pool_alloc(p, t->n + 1);
    if (d)
        unquote(t, d);
    return d;
}

size_t sqlitedrv_match_paren(const sqlitedrv_toks *t, size_t open)
{
    int depth = 0;
    for (size_t i = open; i < t->n; i++) {
        if (sqlitedrv_tok_is(&t->v[i], "("))
            depth++;
        else if (sqlitedrv_tok_is(&t->v[i], ")") && --depth == 0)
            return i;
    }
    return t->n;
}

int sqlitedrv_mentions(const char *text, const char *ident)
{
    sqlitedrv_toks t;
    if (!text || sqlitedrv_lex(text, &t))
        return text != NULL; /* unreadable text: assume it does */
    int found = 0;
    size_t len = strlen(ident);
    char *d = malloc(strlen(text) + 1);
    for (size_t i = 0; d && i < t.n && !found; i++) {
        const sqlitedrv_tok *k = &t.v[i];
        if (k->kind != SQLITEDRV_TK_WORD && k->kind != SQLITEDRV_TK_QUOTED &&
            k->kind != SQLITEDRV_TK_STRING)
            continue;
        found = unquote(k, d) == len && strcasecmp(d, ident) == 0;
    }
    if (!d)
        found = 1;
    free(d);
    sqlitedrv_toks_free(&t);
    return found;
}

/* ---- CREATE TABLE ----------------------------------------------------------- */

/* Words that end a column's type and start one of its constraints. */
static int column_constraint_start(const sqlitedrv_toks *t, size_t i, size_t n)
{
    static const char *const kws[] = {"CONSTRAINT", "PRIMARY", "NULL",     "UNIQUE", "CHECK",
                                      "DEFAULT",    "COLLATE", "REFERENCES", "GENERATED", "AS"};
    if (at(t, i, n, "NOT"))
        return at(t, i + 1, n, "NULL");
    for (size_t k = 0; k < sizeof kws / sizeof *kws; k++)
        if (at(t, i, n, kws[k]))
            return 1;
    return 0;
}

/* Split the tokens (open, close) on top-level commas, calling `fn` on each. */
typedef int element_fn(sqlitedrv_pool *p, const sqlitedrv_toks *t, size_t a, size_t b, void *ud);

static int each_element(sqlitedrv_pool *p, const sqlitedrv_toks *t, size_t open, size_t close,
                        element_fn *fn, void *ud)
{
    size_t a = open + 1;
    int depth = 0;
    for (size_t i = open + 1; i <= close; i++) {
        if (i < close && sqlitedrv_tok_is(&t->v[i], "("))
            depth++;
        else if (i < close && sqlitedrv_tok_is(&t->v[i], ")"))
            depth--;
        else if (i == close || (depth == 0 && sqlitedrv_tok_is(&t->v[i], ","))) {
            if (i > a) {
                int rc = fn(p, t, a, i, ud);
                if (rc)
                    return rc;
            }
            a = i + 1;
        }
    }
    return 0;
}

typedef struct name_list {
    char ***names;
    size_t *n;
} name_list;

/* An indexed column "name [COLLATE x] [ASC|DESC]": keep the name. */
static int add_name(sqlitedrv_pool *p, const sqlitedrv_toks *t, size_t a, size_t b, void *ud)
{
    (void)b;
    name_list *l = ud;
    char **slot = pool_push(p, (void **)l->names, l->n, sizeof(char *));
    if (!slot || !(*slot = sqlitedrv_ident(p, &t->v[a])))
        return CAIRN_ENOMEM;
    return 0;
}

/* "( a, b )" at `i`: the names into cols; returns the index after ')'. */
static size_t name_list_at(sqlitedrv_pool *p, const sqlitedrv_toks *t, size_t i, size_t n,
                           char ***cols, size_t *ncols, int *rc)
{
    if (!at(t, i, n, "("))
        return i;
    size_t close = sqlitedrv_match_paren(t, i);
    if (close >= n)
        close = n;
    name_list l = {cols, ncols};
    *rc = each_element(p, t, i, close, add_name, &l);
    return close + 1;
}

static sqlitedrv_pcons *add_cons(sqlitedrv_pool *p, sqlitedrv_ptable *pt, int kind, char *name)
{
    sqlitedrv_pcons *c = pool_push(p, (void **)&pt->cons, &pt->ncons, sizeof *c);
    if (c) {
        memset(c, 0, sizeof *c);
        c->kind = kind;
        c->name = name;
    }
    return c;
}

static int add_col_name(sqlitedrv_pool *p, sqlitedrv_pcons *c, const char *col)
{
    char **slot = pool_push(p, (void **)&c->cols, &c->ncols, sizeof(char *));
    if (!slot || !(*slot = sqlitedrv_pool_strndup(p, col, strlen(col))))
        return CAIRN_ENOMEM;
    return 0;
}

/* The foreign-key clause after REFERENCES at `i`; returns the next index. */
static size_t fk_clause(sqlitedrv_pool *p, const sqlitedrv_toks *t, size_t i, size_t n,
                        sqlitedrv_pcons *c, int *rc)
{
    if (i >= n)
        return i;
    c->ref_table = sqlitedrv_ident(p, &t->v[i++]);
    i = name_list_at(p, t, i, n, &c->ref_cols, &c->nref_cols, rc);
    while (i < n && !*rc) {
        if (at(t, i, n, "ON")) {
            i += 2; /* ON DELETE|UPDATE */
            if (at(t, i, n, "SET") || at(t, i, n, "NO"))
                i++;
            i++;
        } else if (at(t, i, n, "MATCH")) {
            i += 2;
        } else if (at(t, i, n, "NOT") && at(t, i + 1, n, "DEFERRABLE")) {
            i += 2;
            if (at(t, i, n, "INITIALLY"))
                i += 2;
        } else if (at(t, i, n, "DEFERRABLE")) {
            c->deferrable = 1;
            i++;
            if (at(t, i, n, "INITIALLY")) {
                c->initially_deferred = at(t, i + 1, n, "DEFERRED");
                i += 2;
            }
        } else {
            break;
        }
    }
    return i;
}

static int table_constraint(sqlitedrv_pool *p, const sqlitedrv_toks *t, size_t a, size_t b,
                            sqlitedrv_ptable *pt)
{
    char *name = NULL;
    int rc = 0;
    if (at(t, a, b, "CONSTRAINT")) {
        if (a + 1 < b)
            name = sqlitedrv_ident(p, &t->v[a + 1]);
        a += 2;
    }
    sqlitedrv_pcons *c = NULL;
    if (at(t, a, b, "PRIMARY") || at(t, a, b, "UNIQUE")) {
        int pk = at(t, a, b, "PRIMARY");
        c = add_cons(p, pt, pk ? SQLITEDRV_PK : SQLITEDRV_UNIQUE, name);
        if (!c)
            return CAIRN_ENOMEM;
        name_list_at(p, t, a + (pk ? 2 : 1), b, &c->cols, &c->ncols, &rc);
    } else if (at(t, a, b, "CHECK") && at(t, a + 1, b, "(")) {
        size_t close = sqlitedrv_match_paren(t, a + 1);
        c = add_cons(p, pt, SQLITEDRV_CHECK, name);
        if (!c || !(c->expr = sqlitedrv_join_pool(p, t, a + 2, close < b ? close : b)))
            return CAIRN_ENOMEM;
    } else if (at(t, a, b, "FOREIGN")) {
        c = add_cons(p, pt, SQLITEDRV_FK, name);
        if (!c)
            return CAIRN_ENOMEM;
        size_t i = name_list_at(p, t, a + 2, b, &c->cols, &c->ncols, &rc);
        if (!rc && at(t, i, b, "REFERENCES"))
            fk_clause(p, t, i + 1, b, c, &rc);
    }
    return rc;
}

static int column_def(sqlitedrv_pool *p, const sqlitedrv_toks *t, size_t a, size_t b,
                      sqlitedrv_ptable *pt)
{
    sqlitedrv_pcol *col = pool_push(p, (void **)&pt->cols, &pt->ncols, sizeof *col);
    if (!col)
        return CAIRN_ENOMEM;
    memset(col, 0, sizeof *col);
    if (!(col->name = sqlitedrv_ident(p, &t->v[a])))
        return CAIRN_ENOMEM;
    size_t i = a + 1;
    while (i < b && !column_constraint_start(t, i, b))
        i = at(t, i, b, "(") ? sqlitedrv_match_paren(t, i) + 1 : i + 1;
    char *name = NULL;
    int rc = 0;
    while (i < b && !rc) {
        sqlitedrv_pcons *c = NULL;
        if (at(t, i, b, "CONSTRAINT")) {
            name = i + 1 < b ? sqlitedrv_ident(p, &t->v[i + 1]) : NULL;
            i += 2;
            continue;
        }
        if (at(t, i, b, "PRIMARY")) {
            if (!(c = add_cons(p, pt, SQLITEDRV_PK, name)))
                return CAIRN_ENOMEM;
            i += 2;
            while (i < b && !column_constraint_start(t, i, b)) {
                if (at(t, i, b, "AUTOINCREMENT"))
                    col->autoincrement = 1;
                i++;
            }
        } else if (at(t, i, b, "UNIQUE")) {
            if (!(c = add_cons(p, pt, SQLITEDRV_UNIQUE, name)))
                return CAIRN_ENOMEM;
            i++;
        } else if (at(t, i, b, "CHECK") && at(t, i + 1, b, "(")) {
            size_t close = sqlitedrv_match_paren(t, i + 1);
            if (close > b)
                close = b;
            if (!(c = add_cons(p, pt, SQLITEDRV_CHECK, name)) ||
                !(c->expr = sqlitedrv_join_pool(p, t, i + 2, close)))
                return CAIRN_ENOMEM;
            i = close + 1;
        } else if (at(t, i, b, "REFERENCES")) {
            if (!(c = add_cons(p, pt, SQLITEDRV_FK, name)))
                return CAIRN_ENOMEM;
            i = fk_clause(p, t, i + 1, b, c, &rc);
        } else if (at(t, i, b, "COLLATE")) {
            if (i + 1 < b && !(col->collation = sqlitedrv_ident(p, &t->v[i + 1])))
                return CAIRN_ENOMEM;
            i += 2;
        } else if (at(t, i, b, "DEFAULT")) {
            i++;
            if (at(t, i, b, "("))
                i = sqlitedrv_match_paren(t, i) + 1;
            else {
                if (at(t, i, b, "-") || at(t, i, b, "+"))
                    i++;
                i++;
            }
        } else if (at(t, i, b, "GENERATED") || at(t, i, b, "AS")) {
            while (i < b && !at(t, i, b, "("))
                i++;
            size_t close = sqlitedrv_match_paren(t, i);
            if (close > b)
                close = b;
            if (i < b && !(col->generated = sqlitedrv_join_pool(p, t, i + 1, close)))
                return CAIRN_ENOMEM;
            i = close + 1;
            if (at(t, i, b, "STORED")) {
                col->generated_stored = 1;
                i++;
            } else if (at(t, i, b, "VIRTUAL")) {
                i++;
            }
        } else {
            i++; /* NOT NULL, NULL, ON CONFLICT ...: the pragmas report these */
        }
        if (c)
            rc = add_col_name(p, c, col->name);
        name = NULL;
    }
    return rc;
}

static int table_element(sqlitedrv_pool *p, const sqlitedrv_toks *t, size_t a, size_t b, void *ud)
{
    sqlitedrv_ptable *pt = ud;
    const sqlitedrv_tok *k = &t->v[a];
    if (sqlitedrv_tok_is(k, "CONSTRAINT") || sqlitedrv_tok_is(k, "PRIMARY") ||
        sqlitedrv_tok_is(k, "UNIQUE") || sqlitedrv_tok_is(k, "CHECK") ||
        sqlitedrv_tok_is(k, "FOREIGN"))
        return table_constraint(p, t, a, b, pt);
    return column_def(p, t, a, b, pt);
}

int sqlitedrv_parse_table(sqlitedrv_pool *p, const char *sql, sqlitedrv_ptable *out)
{
    memset(out, 0, sizeof *out);
    sqlitedrv_toks t;
    int rc = sqlitedrv_lex(sql, &t);
    if (rc)
        return rc;
    size_t open = 0;
    while (open < t.n && !sqlitedrv_tok_is(&t.v[open], "(") && !sqlitedrv_tok_is(&t.v[open], "AS"))
        open++;
    /* CREATE TABLE ... AS SELECT has no constraints to read */
    if (open < t.n && sqlitedrv_tok_is(&t.v[open], "(")) {
        size_t close = sqlitedrv_match_paren(&t, open);
        rc = each_element(p, &t, open, close < t.n ? close : t.n, table_element, out);
        for (size_t i = close + 1; !rc && i < t.n; i++) {
            if (sqlitedrv_tok_is(&t.v[i], "STRICT"))
                out->strict = 1;
            else if (sqlitedrv_tok_is(&t.v[i], "WITHOUT"))
                out->without_rowid = 1;
        }
    }
    if (!rc && p->oom)
        rc = CAIRN_ENOMEM;
    sqlitedrv_toks_free(&t);
    return rc;
}

const sqlitedrv_pcol *sqlitedrv_ptable_col(const sqlitedrv_ptable *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcasecmp(t->cols[i].name, name) == 0)
            return &t->cols[i];
    return NULL;
}

/* ---- CREATE INDEX / CREATE VIEW ---------------------------------------------- */

static int index_part(sqlitedrv_pool *p, const sqlitedrv_toks *t, size_t a, size_t b, void *ud)
{
    sqlitedrv_pindex *ix = ud;
    sqlitedrv_ppart *part = pool_push(p, (void **)&ix->parts, &ix->nparts, sizeof *part);
    if (!part)
        return CAIRN_ENOMEM;
    memset(part, 0, sizeof *part);
    if (b > a && (at(t, b - 1, b, "DESC") || at(t, b - 1, b, "ASC"))) {
        part->desc = at(t, b - 1, b, "DESC");
        b--;
    }
    if (b >= a + 2 && at(t, b - 2, b, "COLLATE")) {
        if (!(part->collation = sqlitedrv_ident(p, &t->v[b - 1])))
            return CAIRN_ENOMEM;
        b -= 2;
    }
    if (b == a + 1 && (t->v[a].kind == SQLITEDRV_TK_WORD || t->v[a].kind == SQLITEDRV_TK_QUOTED))
        return (part->column = sqlitedrv_ident(p, &t->v[a])) ? 0 : CAIRN_ENOMEM;
    if (sqlitedrv_tok_is(&t->v[a], "(") && sqlitedrv_match_paren(t, a) == b - 1) {
        a++;
        b--;
    }
    return (part->expr = sqlitedrv_join_pool(p, t, a, b)) ? 0 : CAIRN_ENOMEM;
}

int sqlitedrv_parse_index(sqlitedrv_pool *p, const char *sql, sqlitedrv_pindex *out)
{
    memset(out, 0, sizeof *out);
    sqlitedrv_toks t;
    int rc = sqlitedrv_lex(sql, &t);
    if (rc)
        return rc;
    size_t n = t.n;
    if (n && sqlitedrv_tok_is(&t.v[n - 1], ";"))
        n--;
    out->unique = at(&t, 1, n, "UNIQUE");
    size_t open = 0;
    while (open < n && !sqlitedrv_tok_is(&t.v[open], "("))
        open++;
    if (open < n) {
        size_t close = sqlitedrv_match_paren(&t, open);
        if (close > n)
            close = n;
        rc = each_element(p, &t, open, close, index_part, out);
        if (!rc && at(&t, close + 1, n, "WHERE") &&
            !(out->where = sqlitedrv_join_pool(p, &t, close + 2, n)))
            rc = CAIRN_ENOMEM;
    }
    sqlitedrv_toks_free(&t);
    return rc;
}

char *sqlitedrv_view_body(sqlitedrv_pool *p, const char *sql, char ***cols, size_t *ncols)
{
    *cols = NULL;
    *ncols = 0;
    sqlitedrv_toks t;
    if (sqlitedrv_lex(sql, &t))
        return NULL;
    char *body = NULL;
    int rc = 0;
    for (size_t i = 0; i < t.n && !rc; i++) {
        if (sqlitedrv_tok_is(&t.v[i], "(")) { /* the view's column list */
            i = name_list_at(p, &t, i, t.n, cols, ncols, &rc) - 1;
            continue;
        }
        if (sqlitedrv_tok_is(&t.v[i], "AS") && i + 1 < t.n) {
            const char *s = t.v[i + 1].s;
            size_t len = strlen(s);
            while (len && (isspace((unsigned char)s[len - 1]) || s[len - 1] == ';'))
                len--;
            body = sqlitedrv_pool_strndup(p, s, len);
            break;
        }
    }
    sqlitedrv_toks_free(&t);
    return rc ? NULL : body;
}

/* ---- CREATE VIRTUAL TABLE -------------------------------------------------- */

int sqlitedrv_parse_virtual(sqlitedrv_pool *p, const char *sql, char **module, char **args)
{
    *module = *args = NULL;
    sqlitedrv_toks t;
    int rc = sqlitedrv_lex(sql, &t);
    if (rc)
        return rc;
    size_t i = 0;
    while (i < t.n && !sqlitedrv_tok_is(&t.v[i], "USING"))
        i++;
    rc = CAIRN_ESCHEMA;
    if (i + 1 < t.n && (t.v[i + 1].kind == SQLITEDRV_TK_WORD || t.v[i + 1].kind == SQLITEDRV_TK_QUOTED)) {
        *module = sqlitedrv_ident(p, &t.v[i + 1]);
        size_t open = i + 2, close = open < t.n ? sqlitedrv_match_paren(&t, open) : t.n;
        /* a module may take no arguments at all: USING m, or USING m() */
        if (open >= t.n || !sqlitedrv_tok_is(&t.v[open], "("))
            *args = sqlitedrv_pool_strndup(p, "", 0);
        else if (close < t.n)
            *args = sqlitedrv_join_pool(p, &t, open + 1, close);
        rc = *args ? 0 : CAIRN_ESCHEMA;
    }
    if (p->oom)
        rc = CAIRN_ENOMEM;
    sqlitedrv_toks_free(&t);
    return rc;
}
