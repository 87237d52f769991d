/* Normalisation: types and defaults in the spelling format_type() and
 * pg_get_expr() give, so a schema file and a database compare equal. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgdrv.h"

/* Type names as format_type() spells them. */
static const struct pgdrv_alias {
    const char *in, *out;
} pgdrv_aliases[] = {
    {"int", "integer"},
    {"int4", "integer"},
    {"integer", "integer"},
    {"serial", "integer"},
    {"serial4", "integer"},
    {"int2", "smallint"},
    {"smallint", "smallint"},
    {"smallserial", "smallint"},
    {"serial2", "smallint"},
    {"int8", "bigint"},
    {"bigint", "bigint"},
    {"bigserial", "bigint"},
    {"serial8", "bigint"},
    {"float4", "real"},
    {"real", "real"},
    {"float8", "double precision"},
    {"double precision", "double precision"},
    {"double", "double precision"},
    {"float", "double precision"},
    {"decimal", "numeric"},
    {"numeric", "numeric"},
    {"bool", "boolean"},
    {"boolean", "boolean"},
    {"varchar", "character varying"},
    {"character varying", "character varying"},
    {"char varying", "character varying"},
    {"char", "character"},
    {"character", "character"},
    {"bpchar", "bpchar"},
    {"varbit", "bit varying"},
    {"bit varying", "bit varying"},
    {"timestamptz", "timestamp with time zone"},
    {"timetz", "time with time zone"},
    {"text", "text"},
    {"json", "json"},
    {"jsonb", "jsonb"},
    {"uuid", "uuid"},
    {"bytea", "bytea"},
    {"date", "date"},
    {NULL, NULL},
};

/* Canonical type: the spelling format_type() gives for the same column. */
static int pgdrv_canon_type(const cairn_host *h, const char *type, cairn_buf *out)
{
    /* Fold case outside quotes, collapse blanks, none around ( , ). */
    size_t len = strlen(type);
    char *t = malloc(len + 1);
    if (!t)
        return CAIRN_ENOMEM;
    size_t j = 0;
    int blank = 0;
    for (size_t i = 0; i < len;) {
        if (type[i] == '"') {
            size_t e = pgdrv_skip_token(type, i);
            if (blank && j && t[j - 1] != '(' && t[j - 1] != ',' && t[j - 1] != '.')
                t[j++] = ' ';
            blank = 0;
            memcpy(t + j, type + i, e - i);
            j += e - i;
            i = e;
            continue;
        }
        char ch = type[i++];
        if (isspace((unsigned char)ch)) {
            blank = 1;
            continue;
        }
        if (blank && j && ch != '(' && ch != ',' && ch != ')' && ch != '[' && ch != ']' &&
            t[j - 1] != '(' && t[j - 1] != ',' && t[j - 1] != '.' && ch != '.')
            t[j++] = ' ';
        blank = 0;
        t[j++] = (char)tolower((unsigned char)ch);
    }
    t[j] = '\0';

    /* format_type writes one "[]" whatever the declared dimensions. */
    int array = 0;
    while (j >= 2 && t[j - 1] == ']') {
        char *lb = strrchr(t, '[');
        if (!lb || strchr(lb, '"'))
            break;
        array = 1;
        j = (size_t)(lb - t);
        t[j] = '\0';
    }
    /* Types visible through the default search path lose "public.". */
    char *base = t;
    if (strncmp(base, "public.", 7) == 0)
        base += 7;

    /* base [ "(" args ")" ] [ " with time zone" | " without time zone" ] */
    int tz = -1;
    const char *suffix[] = {" with time zone", " without time zone"};
    for (int k = 0; k < 2; k++) {
        size_t bl = strlen(base), sl = strlen(suffix[k]);
        if (bl > sl && strcmp(base + bl - sl, suffix[k]) == 0) {
            base[bl - sl] = '\0';
            tz = k == 0;
        }
    }
    char *args = NULL;
    char *paren = base[0] != '"' ? strchr(base, '(') : NULL;
    if (paren && base[strlen(base) - 1] == ')') {
        *paren = '\0';
        args = paren + 1;
        args[strlen(args) - 1] = '\0';
        size_t bl = strlen(base);
        while (bl && base[bl - 1] == ' ')
            base[--bl] = '\0';
    }
    const char *name = base;
    for (const struct pgdrv_alias *a = pgdrv_aliases; a->in; a++)
        if (strcmp(a->in, base) == 0) {
            name = a->out;
            break;
        }

    if (strcmp(base, "timestamp") == 0 || strcmp(base, "time") == 0 ||
        strcmp(base, "timestamptz") == 0 || strcmp(base, "timetz") == 0) {
        int with = tz == 1 || strcmp(base, "timestamptz") == 0 || strcmp(base, "timetz") == 0;
        h->buf_puts(out, base[4] == 's' ? "timestamp" : "time");
        if (args)
            h->buf_printf(out, "(%s)", args);
        h->buf_puts(out, with ? " with time zone" : " without time zone");
    } else if (strcmp(name, "double precision") == 0 && args && strcmp(base, "float") == 0) {
        /* float(p): up to 24 bits of precision is a real. */
        h->buf_puts(out, atoi(args) <= 24 ? "real" : "double precision");
    } else if (strcmp(name, "numeric") == 0 && args && !strchr(args, ',')) {
        h->buf_printf(out, "numeric(%s,0)", args);
    } else if (args && strcmp(base, "bpchar") == 0) {
        h->buf_printf(out, "character(%s)", args);
    } else if (!args && (strcmp(name, "character") == 0 || strcmp(base, "bit") == 0)) {
        h->buf_printf(out, "%s(1)", name);
    } else {
        h->buf_puts(out, name);
        if (args)
            h->buf_printf(out, "(%s)", args);
        if (tz >= 0)
            h->buf_puts(out, tz ? " with time zone" : " without time zone");
    }
    if (array)
        h->buf_puts(out, "[]");
    free(t);
    return h->buf_status(out);
}

int pgdrv_normalize_type(cairn_dsession *s, const char *type, cairn_buf *out)
{
    return pgdrv_canon_type(s->host, type, out);
}

/* text, character varying(n), character(n): a literal cast between them
 * for such a column is the column's own coercion. */
static int pgdrv_is_string_type(const char *type)
{
    static const char *const str[] = {"text", "character varying", "character", "bpchar", NULL};
    for (const char *const *n = str; *n; n++) {
        size_t l = strlen(*n);
        if (strncmp(type, *n, l) == 0 && (type[l] == '\0' || type[l] == '('))
            return 1;
    }
    return 0;
}

static int pgdrv_is_numeric_type(const char *type)
{
    static const char *const num[] = {"smallint", "integer", "bigint", "real",
                                      "double precision", "numeric", NULL};
    for (const char *const *n = num; *n; n++) {
        size_t l = strlen(*n);
        if (strncmp(type, *n, l) == 0 && (type[l] == '\0' || type[l] == '('))
            return 1;
    }
    return 0;
}

/* bigint, smallint, real, double precision: a literal of one of these is a
 * constant the deparser prints with its cast ('2'::bigint, from bigint '2'
 * or DEFAULT '2'), while a bare number (DEFAULT 2) is an integer or numeric
 * constant converted by an implicit cast it does not print. Two catalog
 * states, each printed its own way: both are kept as written. */
static int pgdrv_prints_own_cast(const char *type)
{
    static const char *const own[] = {"bigint", "smallint", "real", "double precision", NULL};
    for (const char *const *n = own; *n; n++)
        if (strcmp(type, *n) == 0)
            return 1;
    return 0;
}

/* Is `cast` (what follows "::") the column's own type, as the deparser
 * writes it? It drops the type modifier ("character varying" for
 * varchar(20)) and calls character(n) "bpchar". */
static int pgdrv_cast_is_own_type(const char *cast, const char *type)
{
    if (!type)
        return 0;
    if (strcmp(cast, type) == 0)
        return 1;
    const char *paren = strchr(type, '(');
    if (paren && type[0] != '"') {
        size_t l = (size_t)(paren - type);
        const char *close = strchr(paren, ')');
        /* timestamp(3) with time zone -> timestamp with time zone */
        if (close && strncmp(cast, type, l) == 0 && strcmp(cast + l, close + 1) == 0)
            return 1;
        if (strncmp(type, "character(", 10) == 0 && strcmp(cast, "bpchar") == 0)
            return 1;
    }
    return 0;
}

/* nextval('seq') as pg_get_expr() prints it under search_path public (see
 * pgdrv_introspect): the name cast to regclass, without "public.". Returns
 * 0, appending nothing, when `e` (n bytes) is not a nextval of a literal. */
static int pgdrv_canon_nextval(const cairn_host *h, const char *e, size_t n, cairn_buf *out)
{
    if (n < 12 || strncasecmp(e, "nextval(", 8) != 0 || e[8] != '\'')
        return 0;
    size_t lit = pgdrv_skip_token(e, 8);
    const char *rest = e + lit;
    size_t restn = n - lit;
    if (lit > n || !((restn == 1 && rest[0] == ')') ||
                     (restn == 11 && strncasecmp(rest, "::regclass)", 11) == 0)))
        return 0;
    const char *name = e + 9;
    size_t namen = lit - 10;
    if (namen > 7 && strncmp(name, "public.", 7) == 0)
        name += 7, namen -= 7;
    else if (namen > 9 && strncmp(name, "\"public\".", 9) == 0)
        name += 9, namen -= 9;
    h->buf_puts(out, "nextval('");
    h->buf_append(out, name, namen);
    h->buf_puts(out, "'::regclass)");
    return 1;
}

/* Canonical default: what pg_get_expr() prints, minus a cast of a literal
 * to the column's own type ('a'::text -> 'a'), numbers unquoted, keywords
 * in one case. Empty output = no default (DEFAULT NULL stores none). */
int pgdrv_canon_default(cairn_dsession *s, const char *type, const char *expr,
                        cairn_buf *out)
{
    const cairn_host *h = s->host;
    size_t b, n;
    pgdrv_unwrap(expr, &b, &n);
    const char *e = expr + b;
    if (n == 4 && strncasecmp(e, "null", 4) == 0)
        return 0;
    if (e[0] == '\'') {
        size_t lit = pgdrv_skip_token(e, 0);
        if (lit <= n) {
            const char *rest = e + lit;
            size_t restn = n - lit;
            char cast[256];
            int stripped = 0;
            /* bigint '2', '2'::bigint and DEFAULT '2' are all stored as
             * '2'::bigint: the literal keeps its cast to the column's type */
            int own_cast = 0;
            if (restn == 0) {
                stripped = 1;
                own_cast = type && pgdrv_prints_own_cast(type);
            } else if (restn > 2 && rest[0] == ':' && rest[1] == ':' && restn - 2 < sizeof cast) {
                memcpy(cast, rest + 2, restn - 2);
                cast[restn - 2] = '\0';
                cairn_buf *ct = h->buf_new(s->hc);
                if (!ct)
                    return CAIRN_ENOMEM;
                int rc = pgdrv_canon_type(h, cast, ct);
                const char *cc = h->buf_cstr(ct);
                if (!rc && type && pgdrv_prints_own_cast(type) && strcmp(cc, type) == 0)
                    own_cast = 1;
                /* A number cast to a number type for a numeric column
                 * ('-1'::integer for numeric(10,2)) is just the number. */
                else if (!rc && (pgdrv_cast_is_own_type(cc, type) ||
                                 (type && pgdrv_is_numeric_type(type) && pgdrv_is_numeric_type(cc)) ||
                                 (type && pgdrv_is_string_type(type) && pgdrv_is_string_type(cc))))
                    stripped = 1;
                h->buf_free(ct);
                if (rc)
                    return rc;
            }
            if (own_cast) {
                int rc = h->buf_append(out, e, lit);
                return rc ? rc : h->buf_printf(out, "::%s", type);
            }
            if (stripped) {
                /* '-1' for a number is the deparser's way to print -1. */
                if (type && pgdrv_is_numeric_type(type) && lit > 2) {
                    size_t k = 1;
                    if (e[k] == '-' || e[k] == '+')
                        k++;
                    int digits = 0, ok = 1;
                    for (; k < lit - 1; k++) {
                        if (isdigit((unsigned char)e[k]))
                            digits = 1;
                        else if (e[k] != '.')
                            ok = 0;
                    }
                    if (ok && digits)
                        return h->buf_append(out, e + 1, lit - 2);
                }
                return h->buf_append(out, e, lit);
            }
        }
    }
    static const char *const upper[] = {"current_timestamp", "current_date", "current_time",
                                        "localtimestamp", "localtime", "current_user",
                                        "session_user", "current_role", NULL};
    for (const char *const *k = upper; *k; k++)
        if (strlen(*k) == n && strncasecmp(e, *k, n) == 0) {
            for (size_t i = 0; i < n; i++) {
                char ch = (char)toupper((unsigned char)e[i]);
                h->buf_append(out, &ch, 1);
            }
            return h->buf_status(out);
        }
    if ((n == 4 && strncasecmp(e, "true", 4) == 0) || (n == 5 && strncasecmp(e, "false", 5) == 0)) {
        char low[6];
        for (size_t i = 0; i < n; i++)
            low[i] = (char)tolower((unsigned char)e[i]);
        return h->buf_append(out, low, n);
    }
    if (n == 5 && strncasecmp(e, "now()", 5) == 0)
        return h->buf_puts(out, "now()");
    if (pgdrv_canon_nextval(h, e, n, out))
        return h->buf_status(out);
    return h->buf_append(out, e, n);
}

int pgdrv_normalize_default(cairn_dsession *s, const char *type, const char *expr,
                            cairn_buf *out)
{
    return pgdrv_canon_default(s, type, expr, out);
}
