/* Canonical spellings of MySQL / MariaDB types and defaults, so that a
 * column read from a schema file compares equal to the same column read
 * back from the server (which writes "int(11)", "current_timestamp()"...),
 * and the dialect table's normalize slots that apply them. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mysqldrv.h"

/* Lower-case outside quotes, collapse blanks, no blanks around ( , ). */
static char *mysqldrv_squeeze(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    char q = 0;
    int pending_space = 0;
    for (const char *p = s; *p; p++) {
        char ch = *p;
        if (q) {
            o[k++] = ch;
            if (ch == q) {
                if (p[1] == q)
                    o[k++] = *++p;
                else
                    q = 0;
            } else if (ch == '\\' && p[1]) {
                o[k++] = *++p;
            }
            continue;
        }
        if (isspace((unsigned char)ch)) {
            pending_space = 1;
            continue;
        }
        int tight = ch == '(' || ch == ')' || ch == ',';
        if (pending_space && k > 0 && !tight && o[k - 1] != '(' && o[k - 1] != ',')
            o[k++] = ' ';
        pending_space = 0;
        if (ch == '\'' || ch == '"' || ch == '`')
            q = ch;
        o[k++] = (char)tolower((unsigned char)ch);
    }
    o[k] = 0;
    return o;
}

static const char *const mysqldrv_int_types[] = {"tinyint", "smallint", "mediumint", "int",
                                                 "bigint", NULL};

static int mysqldrv_in(const char *w, const char *const *set)
{
    for (; *set; set++)
        if (!strcmp(w, *set))
            return 1;
    return 0;
}

/* The head word of squeezed type `s` into `head` (of `size` bytes), its
 * two-word spellings and aliases folded to one name; returns what follows. */
static char *mysqldrv_type_head(char *s, char *head, size_t size)
{
    char *p = s;
    size_t hl = 0;
    while (*p && *p != '(' && *p != ' ' && hl < size - 1)
        head[hl++] = *p++;
    head[hl] = 0;
    /* two-word spellings of one type */
    static const struct { const char *a, *b, *to; } two[] = {
        {"double", "precision", "double"}, {"character", "varying", "varchar"},
        {"char", "varying", "varchar"},    {"national", "char", "char"},
        {"national", "varchar", "varchar"}, {"long", "varchar", "mediumtext"},
        {"long", "varbinary", "mediumblob"}, {NULL, NULL, NULL}};
    if (*p == ' ') {
        for (int i = 0; two[i].a; i++) {
            size_t bl = strlen(two[i].b);
            if (!strcmp(head, two[i].a) && !strncmp(p + 1, two[i].b, bl) &&
                (p[1 + bl] == 0 || p[1 + bl] == ' ' || p[1 + bl] == '(')) {
                strcpy(head, two[i].to);
                p += 1 + bl;
                break;
            }
        }
    }
    static const struct { const char *from, *to; } alias[] = {
        {"integer", "int"}, {"int4", "int"}, {"int1", "tinyint"}, {"int2", "smallint"},
        {"int3", "mediumint"}, {"middleint", "mediumint"}, {"int8", "bigint"},
        {"numeric", "decimal"}, {"dec", "decimal"}, {"fixed", "decimal"},
        {"real", "double"}, {"float8", "double"}, {"float4", "float"},
        {"character", "char"}, {"nchar", "char"}, {"nvarchar", "varchar"},
        {"long", "mediumtext"}, {NULL, NULL}};
    for (int i = 0; alias[i].from; i++)
        if (!strcmp(head, alias[i].from)) {
            strcpy(head, alias[i].to);
            break;
        }
    return p;
}

int mysqldrv_type_canon(const cairn_host *h, const char *type, cairn_buf *out)
{
    char *s = mysqldrv_squeeze(type);
    if (!s)
        return CAIRN_ENOMEM;
    /* head word(s), then "(args)", then modifiers */
    char head[64];
    char *p = mysqldrv_type_head(s, head, sizeof head);
    const char *args = NULL;
    size_t alen = 0;
    if (*p == '(') {
        /* find the matching ')' outside quotes */
        const char *a = p + 1;
        int depth = 1;
        char q = 0;
        for (p++; *p && depth; p++) {
            if (q) {
                if (*p == q) {
                    if (p[1] == q)
                        p++;
                    else
                        q = 0;
                } else if (*p == '\\' && p[1]) {
                    p++;
                }
            } else if (*p == '\'' || *p == '"') {
                q = *p;
            } else if (*p == '(') {
                depth++;
            } else if (*p == ')') {
                depth--;
            }
        }
        args = a;
        alen = (size_t)(p - a) - (depth ? 0 : 1);
    }
    const char *rest = p;
    while (*rest == ' ')
        rest++;

    if (!strcmp(head, "bool") || !strcmp(head, "boolean")) {
        h->buf_puts(out, "tinyint(1)");
    } else if (!strcmp(head, "serial")) {
        h->buf_puts(out, "bigint unsigned");
        rest = "";
    } else {
        h->buf_puts(out, head);
        if (mysqldrv_in(head, mysqldrv_int_types)) {
            if (!strcmp(head, "tinyint") && args && alen == 1 && args[0] == '1')
                h->buf_puts(out, "(1)");
        } else if (!strcmp(head, "decimal")) {
            if (!args)
                h->buf_puts(out, "(10,0)");
            else if (!memchr(args, ',', alen))
                h->buf_printf(out, "(%.*s,0)", (int)alen, args);
            else
                h->buf_printf(out, "(%.*s)", (int)alen, args);
        } else if (!strcmp(head, "datetime") || !strcmp(head, "timestamp") ||
                   !strcmp(head, "time")) {
            if (args && !(alen == 1 && args[0] == '0'))
                h->buf_printf(out, "(%.*s)", (int)alen, args);
        } else if (!strcmp(head, "year")) {
            /* year(4) is the only year left */
        } else if (!args && (!strcmp(head, "char") || !strcmp(head, "binary") ||
                             !strcmp(head, "bit"))) {
            h->buf_puts(out, "(1)");
        } else if (args) {
            h->buf_printf(out, "(%.*s)", (int)alen, args);
        }
        /* modifiers: "signed" is the default and goes, the rest stays */
        char *mods = strdup(rest);
        if (!mods) {
            free(s);
            return CAIRN_ENOMEM;
        }
        char *save = NULL;
        for (char *w = strtok_r(mods, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            if (!strcmp(w, "signed"))
                continue;
            h->buf_printf(out, " %s", w);
        }
        free(mods);
    }
    free(s);
    return h->buf_status(out);
}

void mysqldrv_literal(const cairn_host *h, cairn_buf *out, const char *value)
{
    /* The server's default sql_mode treats a backslash as an escape inside
     * a literal, so it is escaped as well as the quote. */
    h->buf_puts(out, "'");
    for (const char *p = value; *p; p++) {
        switch (*p) {
        case '\'': h->buf_puts(out, "''"); break;
        case '\\': h->buf_puts(out, "\\\\"); break;
        case '\n': h->buf_puts(out, "\\n"); break;
        case '\r': h->buf_puts(out, "\\r"); break;
        case '\t': h->buf_puts(out, "\\t"); break;
        case 26: h->buf_puts(out, "\\Z"); break;
        default: h->buf_append(out, p, 1); break;
        }
    }
    h->buf_puts(out, "'");
}

int mysqldrv_type_numeric(const char *type)
{
    static const char *const num[] = {"tinyint", "smallint", "mediumint", "int", "bigint",
                                      "decimal", "float", "double", "bit", NULL};
    for (int i = 0; num[i]; i++) {
        size_t l = strlen(num[i]);
        if (!strncmp(type, num[i], l) && (type[l] == 0 || type[l] == '(' || type[l] == ' '))
            return 1;
    }
    return 0;
}

/* A plain number: -?digits(.digits)?(e[+-]digits)? */
static int mysqldrv_is_number(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    int digits = 0;
    while (isdigit((unsigned char)*p)) {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) {
            p++;
            digits++;
        }
    }
    if (digits && (*p == 'e' || *p == 'E')) {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return digits && !*p;
}

/* Is `s` exactly one quoted string literal ('...' or "...")? */
static int mysqldrv_is_quoted(const char *s)
{
    char q = s[0];
    if (q != '\'' && q != '"')
        return 0;
    const char *p = s + 1;
    for (; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
        } else if (*p == q) {
            if (p[1] == q)
                p++;
            else
                return p[1] == 0;
        }
    }
    return 0;
}

/* The value of a quoted literal, unescaped (malloc'd). */
static char *mysqldrv_unquote(const char *s)
{
    char q = s[0];
    size_t n = strlen(s);
    char *o = malloc(n);
    if (!o)
        return NULL;
    size_t k = 0;
    for (const char *p = s + 1; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            switch (*p) {
            case 'n': o[k++] = '\n'; break;
            case 't': o[k++] = '\t'; break;
            case 'r': o[k++] = '\r'; break;
            case '0': o[k++] = '\0'; break;
            case 'Z': o[k++] = 26; break;
            default: o[k++] = *p; break;
            }
        } else if (*p == q) {
            if (p[1] == q)
                o[k++] = *++p;
            else
                break;
        } else {
            o[k++] = *p;
        }
    }
    o[k] = 0;
    return o;
}

/* Decimal scale of canonical "decimal(p,s)", -1 for other types. */
static int mysqldrv_decimal_scale(const char *type)
{
    if (strncmp(type, "decimal(", 8))
        return -1;
    const char *c = strchr(type, ',');
    return c ? atoi(c + 1) : 0;
}

/* A number written with exactly `scale` decimals, as the server reports
 * a decimal default ("1.5" in decimal(10,2) is "1.50"). */
static void mysqldrv_put_scaled(const cairn_host *h, cairn_buf *out, const char *num, int scale)
{
    if (strpbrk(num, "eE")) {
        h->buf_puts(out, num);
        return;
    }
    const char *dot = strchr(num, '.');
    size_t ilen = dot ? (size_t)(dot - num) : strlen(num);
    const char *frac = dot ? dot + 1 : "";
    h->buf_append(out, num[0] == '+' ? num + 1 : num, num[0] == '+' ? ilen - 1 : ilen);
    if (scale <= 0)
        return;
    h->buf_puts(out, ".");
    size_t fl = strlen(frac);
    for (int i = 0; i < scale; i++)
        h->buf_append(out, (size_t)i < fl ? frac + i : "0", 1);
}

int mysqldrv_default_is_literal(const char *e)
{
    if (mysqldrv_is_number(e) || mysqldrv_is_quoted(e))
        return 1;
    if (!strncmp(e, "CURRENT_TIMESTAMP", 17))
        return 1;
    if ((e[0] == 'b' || e[0] == 'x' || e[0] == 'B' || e[0] == 'X') && e[1] == '\'')
        return 1;
    return !strcmp(e, "NULL") || !strcmp(e, "TRUE") || !strcmp(e, "FALSE");
}

int mysqldrv_default_canon(const cairn_host *h, const char *type, const char *expr,
                           cairn_buf *out)
{
    /* trim, then drop parentheses around the whole expression */
    while (isspace((unsigned char)*expr))
        expr++;
    size_t n = strlen(expr);
    while (n && isspace((unsigned char)expr[n - 1]))
        n--;
    char *e = malloc(n + 1);
    if (!e)
        return CAIRN_ENOMEM;
    memcpy(e, expr, n);
    e[n] = 0;
    while (n >= 2 && e[0] == '(' && e[n - 1] == ')') {
        int depth = 0, whole = 1;
        for (size_t i = 0; i < n - 1; i++) {
            depth += e[i] == '(' ? 1 : e[i] == ')' ? -1 : 0;
            if (depth == 0) {
                whole = 0;
                break;
            }
        }
        if (!whole)
            break;
        memmove(e, e + 1, n - 2);
        n -= 2;
        e[n] = 0;
    }
    const char *t = type ? type : "";
    int numeric = mysqldrv_type_numeric(t);
    if (!strcasecmp(e, "null")) {
        /* DEFAULT NULL is what a nullable column has anyway */
    } else if (!strcasecmp(e, "true") || !strcasecmp(e, "false")) {
        const char *v = !strcasecmp(e, "true") ? "1" : "0";
        if (numeric)
            h->buf_puts(out, v);
        else
            mysqldrv_literal(h, out, v);
    } else if (mysqldrv_is_number(e)) {
        int scale = mysqldrv_decimal_scale(t);
        if (!numeric)
            mysqldrv_literal(h, out, e);
        else if (scale >= 0)
            mysqldrv_put_scaled(h, out, e, scale);
        else
            h->buf_puts(out, e[0] == '+' ? e + 1 : e);
    } else if (mysqldrv_is_quoted(e)) {
        char *v = mysqldrv_unquote(e);
        if (!v) {
            free(e);
            return CAIRN_ENOMEM;
        }
        int scale = mysqldrv_decimal_scale(t);
        if (!numeric || !mysqldrv_is_number(v))
            mysqldrv_literal(h, out, v);
        else if (scale >= 0)
            mysqldrv_put_scaled(h, out, v, scale);
        else
            h->buf_puts(out, v);
        free(v);
    } else {
        /* CURRENT_TIMESTAMP and its synonyms, with or without a precision */
        static const char *const now[] = {"current_timestamp", "now", "localtime",
                                          "localtimestamp", NULL};
        int matched = 0;
        for (int i = 0; now[i] && !matched; i++) {
            size_t l = strlen(now[i]);
            if (strncasecmp(e, now[i], l))
                continue;
            const char *p = e + l;
            if (*p == 0) {
                h->buf_puts(out, "CURRENT_TIMESTAMP");
                matched = 1;
            } else if (*p == '(') {
                int prec = atoi(p + 1);
                const char *close = strchr(p, ')');
                if (close && close[1] == 0) {
                    if (prec)
                        h->buf_printf(out, "CURRENT_TIMESTAMP(%d)", prec);
                    else
                        h->buf_puts(out, "CURRENT_TIMESTAMP");
                    matched = 1;
                }
            }
        }
        if (!matched)
            h->buf_puts(out, e);
    }
    free(e);
    return h->buf_status(out);
}

/* MySQL 8.0 / MariaDB 10.11 reserved words: an identifier spelled like one
 * keeps its backticks. Sorted, for bsearch. */
static const char *const mysqldrv_reserved[] = {
    "accessible", "add", "all", "alter", "analyze", "and", "as", "asc", "asensitive",
    "before", "between", "bigint", "binary", "blob", "both", "by", "call", "cascade", "case",
    "change", "char", "character", "check", "collate", "column", "condition", "constraint",
    "continue", "convert", "create", "cross", "cube", "cume_dist", "current_date",
    "current_role", "current_time", "current_timestamp", "current_user", "cursor", "database",
    "databases", "day_hour", "day_microsecond", "day_minute", "day_second", "dec", "decimal",
    "declare", "default", "delayed", "delete", "dense_rank", "desc", "describe",
    "deterministic", "distinct", "distinctrow", "div", "do_domain_ids", "double", "drop",
    "dual", "each", "else", "elseif", "empty", "enclosed", "escaped", "except", "exists",
    "exit", "explain", "false", "fetch", "first_value", "float", "float4", "float8", "for",
    "force", "foreign", "from", "fulltext", "function", "general", "generated", "get",
    "grant", "group", "grouping", "groups", "having", "high_priority", "hour_microsecond",
    "hour_minute", "hour_second", "if", "ignore", "ignore_domain_ids", "ignore_server_ids",
    "in", "index", "infile", "inner", "inout", "insensitive", "insert", "int", "int1",
    "int2", "int3", "int4", "int8", "integer", "intersect", "interval", "into",
    "io_after_gtids", "io_before_gtids", "is", "iterate", "join", "json_table", "key",
    "keys", "kill", "lag", "last_value", "lateral", "lead", "leading", "leave", "left",
    "like", "limit", "linear", "lines", "load", "localtime", "localtimestamp", "lock", "long",
    "longblob", "longtext", "loop", "low_priority", "master_bind",
    "master_heartbeat_period", "master_ssl_verify_server_cert", "match", "maxvalue",
    "mediumblob", "mediumint", "mediumtext", "middleint", "minute_microsecond",
    "minute_second", "mod", "modifies", "natural", "no_write_to_binlog", "not", "nth_value",
    "ntile", "null", "numeric", "of", "offset", "on", "optimize", "optimizer_costs", "option",
    "optionally", "or", "order", "out", "outer", "outfile", "over", "page_checksum",
    "parse_vcol_expr", "partition", "percent_rank", "position", "precision", "primary",
    "procedure", "purge", "range", "rank", "read", "read_write", "reads", "real", "recursive",
    "ref_system_id", "references", "regexp", "release", "rename", "repeat", "replace",
    "require", "resignal", "restrict", "return", "returning", "revoke", "right", "rlike",
    "row", "row_number", "rows", "schema", "schemas", "second_microsecond", "select",
    "sensitive", "separator", "set", "show", "signal", "slow", "smallint", "spatial",
    "specific", "sql", "sql_big_result", "sql_calc_found_rows", "sql_small_result",
    "sqlexception", "sqlstate", "sqlwarning", "ssl", "starting", "stats_auto_recalc",
    "stats_persistent", "stats_sample_pages", "stored", "straight_join", "system", "table",
    "terminated", "then", "tinyblob", "tinyint", "tinytext", "to", "trailing", "trigger",
    "true", "undo", "union", "unique", "unlock", "unsigned", "update", "usage", "use",
    "using", "utc_date", "utc_time", "utc_timestamp", "values", "varbinary", "varchar",
    "varcharacter", "varying", "virtual", "when", "where", "while", "window", "with",
    "write", "xor", "year_month", "zerofill"};

static int mysqldrv_cmp_word(const void *k, const void *e)
{
    return strcmp((const char *)k, *(const char *const *)e);
}

/* Can `w` (n bytes) be written without backticks? */
static int mysqldrv_plain_ident(const char *w, size_t n)
{
    if (n == 0 || n > 64)
        return 0;
    int digits_only = 1;
    char low[65];
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)w[i];
        if (!(isalnum(ch) || ch == '_' || ch == '$'))
            return 0;
        if (!isdigit(ch))
            digits_only = 0;
        low[i] = (char)tolower(ch);
    }
    low[n] = 0;
    /* 1e5 or 0x1f would read as numbers */
    if (digits_only || isdigit((unsigned char)w[0]))
        return 0;
    return bsearch(low, mysqldrv_reserved, sizeof mysqldrv_reserved / sizeof *mysqldrv_reserved,
                   sizeof *mysqldrv_reserved, mysqldrv_cmp_word) == NULL;
}

void mysqldrv_expr_canon(const cairn_host *h, const char *expr, cairn_buf *out)
{
    for (const char *p = expr; *p;) {
        if (*p == '\'' || *p == '"') {
            /* a string literal, copied whole */
            char q = *p;
            const char *e = p + 1;
            while (*e && *e != q)
                e += (*e == '\\' && e[1]) ? 2 : 1;
            if (*e)
                e++;
            while (*e == q) { /* '' inside a literal */
                e++;
                while (*e && *e != q)
                    e += (*e == '\\' && e[1]) ? 2 : 1;
                if (*e)
                    e++;
            }
            h->buf_append(out, p, (size_t)(e - p));
            p = e;
        } else if (*p == '`') {
            const char *e = p + 1;
            while (*e && !(*e == '`' && e[1] != '`'))
                e += *e == '`' ? 2 : 1;
            size_t n = (size_t)(e - p - 1);
            if (*e && mysqldrv_plain_ident(p + 1, n))
                h->buf_append(out, p + 1, n);
            else
                h->buf_append(out, p, (size_t)(e - p) + (*e ? 1 : 0));
            p = *e ? e + 1 : e;
        } else {
            h->buf_append(out, p, 1);
            p++;
        }
    }
}

void mysqldrv_ident_canon(const cairn_host *h, const char *name, cairn_buf *out)
{
    if (mysqldrv_plain_ident(name, strlen(name)))
        h->buf_puts(out, name);
    else
        h->buf_quote(out, name, '`');
}

int mysqldrv_fk_autonamed(const char *table, const char *fk)
{
    size_t tl = strlen(table);
    if (!fk || strncmp(fk, table, tl) || strncmp(fk + tl, "_ibfk_", 6) || !fk[tl + 6])
        return 0;
    return strspn(fk + tl + 6, "0123456789") == strlen(fk + tl + 6);
}

/* ---- the normalize slots of the dialect table ----------------------------- */

int mysqldrv_normalize_type(cairn_dsession *s, const char *type, cairn_buf *out)
{
    int rc = mysqldrv_type_canon(s->host, type, out);
    return rc ? s->host->error(s->hc, rc, NULL, "out of memory") : 0;
}

/* Expressions of a schema file spelled as the server prints them back
 * (mysqldrv_expr_canon is what introspection applies too). */
int mysqldrv_normalize_expr(cairn_dsession *s, const char *expr, cairn_buf *out)
{
    mysqldrv_expr_canon(s->host, expr, out);
    return s->host->buf_status(out);
}

int mysqldrv_normalize_default(cairn_dsession *s, const char *type, const char *expr,
                               cairn_buf *out)
{
    int rc = mysqldrv_default_canon(s->host, type, expr, out);
    return rc ? s->host->error(s->hc, rc, NULL, "out of memory") : 0;
}
