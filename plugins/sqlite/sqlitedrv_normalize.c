/* Canonical spellings of types and defaults, shared by introspection and
 * by the core's normalisation of schema files, so both compare equal. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "sqlitedrv.h"

/* SQLite keeps a declared type as written and gives it an affinity from
 * substrings ("INT" anywhere = integer affinity), so mapping "INT" to
 * "integer" would change nothing SQLite does but would change what users
 * read: the declared type is kept, lower-cased, spaces collapsed, and none
 * next to parentheses and commas ("VARCHAR ( 10 )" -> "varchar(10)"). */
int sqlitedrv_normalize_type(cairn_dsession *s, const char *type, cairn_buf *out)
{
    const cairn_host *h = s->host;
    sqlitedrv_toks t;
    int rc = sqlitedrv_lex(type, &t);
    if (rc)
        return h->error(s->hc, rc, NULL, "sqlite: cannot read the type '%s'", type);
    for (size_t i = 0; i < t.n; i++) {
        const sqlitedrv_tok *k = &t.v[i];
        int tight = i == 0 || k->kind == SQLITEDRV_TK_PUNCT ||
                    t.v[i - 1].kind == SQLITEDRV_TK_PUNCT;
        if (!tight && k->s > t.v[i - 1].s + t.v[i - 1].n)
            h->buf_puts(out, " ");
        for (size_t j = 0; j < k->n; j++) {
            char c = k->s[j];
            if (k->kind == SQLITEDRV_TK_WORD)
                c = (char)tolower((unsigned char)c);
            h->buf_append(out, &c, 1);
        }
    }
    sqlitedrv_toks_free(&t);
    return h->buf_status(out);
}

static const char *const upper_keywords[] = {"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME",
                                             "NULL", "TRUE", "FALSE"};

/* A default is kept as written but for: redundant outer parentheses
 * ("(0)" -> "0", which is how PRAGMA table_info reports it anyway),
 * keywords in upper case, whitespace collapsed; DEFAULT NULL is the same
 * as no default, so it normalises to nothing. */
int sqlitedrv_normalize_default(cairn_dsession *s, const char *type, const char *expr,
                                cairn_buf *out)
{
    (void)type;
    const cairn_host *h = s->host;
    sqlitedrv_toks t;
    int rc = sqlitedrv_lex(expr, &t);
    if (rc)
        return h->error(s->hc, rc, NULL, "sqlite: cannot read the default '%s'", expr);
    size_t a = 0, b = t.n;
    while (b - a >= 2 && sqlitedrv_tok_is(&t.v[a], "(") && sqlitedrv_match_paren(&t, a) == b - 1) {
        a++;
        b--;
    }
    if (b - a == 1 && sqlitedrv_tok_is(&t.v[a], "NULL")) {
        sqlitedrv_toks_free(&t);
        return 0;
    }
    for (size_t i = a; i < b; i++) {
        const sqlitedrv_tok *k = &t.v[i];
        if (i > a && k->s > t.v[i - 1].s + t.v[i - 1].n)
            h->buf_puts(out, " ");
        int upper = 0;
        for (size_t j = 0; j < sizeof upper_keywords / sizeof *upper_keywords; j++)
            upper |= sqlitedrv_tok_is(k, upper_keywords[j]);
        for (size_t j = 0; j < k->n; j++) {
            char c = upper ? (char)toupper((unsigned char)k->s[j]) : k->s[j];
            h->buf_append(out, &c, 1);
        }
    }
    sqlitedrv_toks_free(&t);
    return h->buf_status(out);
}

/* A DEFAULT that SQLite accepts without parentheses: a literal, a signed
 * number, or one of the keywords. */
int sqlitedrv_default_is_literal(const char *expr)
{
    sqlitedrv_toks t;
    if (sqlitedrv_lex(expr, &t))
        return 0;
    int ok = 0;
    if (t.n == 1) {
        int kind = t.v[0].kind;
        ok = kind == SQLITEDRV_TK_NUMBER || kind == SQLITEDRV_TK_STRING ||
             kind == SQLITEDRV_TK_BLOB;
        for (size_t j = 0; j < sizeof upper_keywords / sizeof *upper_keywords; j++)
            ok |= sqlitedrv_tok_is(&t.v[0], upper_keywords[j]);
    } else if (t.n == 2) {
        ok = (sqlitedrv_tok_is(&t.v[0], "-") || sqlitedrv_tok_is(&t.v[0], "+")) &&
             t.v[1].kind == SQLITEDRV_TK_NUMBER;
    } else if (t.n >= 2 && sqlitedrv_tok_is(&t.v[0], "(") &&
               sqlitedrv_match_paren(&t, 0) == t.n - 1) {
        ok = 1; /* already in parentheses */
    }
    sqlitedrv_toks_free(&t);
    return ok;
}

/* ALTER TABLE ADD COLUMN refuses CURRENT_* and any expression default. */
int sqlitedrv_default_is_constant(const char *expr)
{
    if (!sqlitedrv_default_is_literal(expr))
        return 0;
    return strncasecmp(expr, "CURRENT_", 8) != 0 && expr[0] != '(';
}
