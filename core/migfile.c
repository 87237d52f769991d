/*
 * The migration file format, written and read in one place
 * (docs/migrations-format.md):
 *
 *   -- cairn:no-transaction            first line, only when a statement
 *                                      must run outside a transaction
 *   -- <name>: written by cairn ...    header comments
 *   CREATE TABLE ...;                  each statement ends with ';' so the
 *   --> statement-breakpoint           file also runs through a plain client
 *   ALTER TABLE ...;
 *
 * Lines end with "\n"; a reader also takes "\r\n" and a lone "\r". The
 * same ';' rule makes the plain scripts of export and pull --output x.sql.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* ---- lines ---------------------------------------------------------------- */

/* The end of the line starting at `p` (at its '\r', '\n' or NUL). */
static const char *line_end(const char *p)
{
    while (*p && *p != '\n' && *p != '\r')
        p++;
    return p;
}

/* The start of the next line after the end `e` of a line. */
static const char *next_line(const char *e)
{
    if (*e == '\r' && e[1] == '\n')
        return e + 2;
    return *e ? e + 1 : e;
}

static int is_blank_char(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Is the line [p, end) a breakpoint marker (leading/trailing blanks allowed)? */
static int is_breakpoint(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    size_t n = strlen(CAIRN_BREAKPOINT);
    if ((size_t)(end - p) < n || memcmp(p, CAIRN_BREAKPOINT, n) != 0)
        return 0;
    for (p += n; p < end; p++)
        if (*p != ' ' && *p != '\t')
            return 0;
    return 1;
}

/* Is [p, end) only blanks, or a "--" comment? */
static int comment_or_blank(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    return p == end || (end - p >= 2 && p[0] == '-' && p[1] == '-');
}

/* ---- writing ---------------------------------------------------------------- */

/* Hand the buffer's text over ("" for none); ENOMEM when an append failed. */
static int take_text(cairn_ctx *cx, cairn_buf *b, char **out)
{
    if (b->oom) {
        cairn_buf_release(b);
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    *out = cairn_buf_steal(b);
    if (!*out && !(*out = calloc(1, 1)))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    return 0;
}

void cairn_migfile_end_statement(cairn_buf *b, const char *sql)
{
    size_t n = strlen(sql);
    while (n && is_blank_char(sql[n - 1]))
        n--;
    cairn_buf_append(b, sql, n);
    /* The last line that is not a comment decides: none (all comments)
     * needs no ';'; one that ends with ';' already has it. */
    const char *code_end = NULL;
    int last_is_comment = 0;
    for (const char *line = sql; line < sql + n;) {
        const char *e = line_end(line);
        if (e > sql + n)
            e = sql + n;
        last_is_comment = comment_or_blank(line, e);
        if (!last_is_comment)
            code_end = e;
        line = next_line(e);
    }
    if (!code_end)
        return;
    while (code_end > sql && is_blank_char(code_end[-1]))
        code_end--;
    if (code_end[-1] == ';')
        return;
    /* after a comment line, on a line of its own so the comment cannot
     * swallow it */
    cairn_buf_puts(b, last_is_comment ? "\n;" : ";");
}

int cairn_migfile_build(cairn_ctx *cx, const cairn_stmts *st, const char *header, char **out)
{
    *out = NULL;
    /* A string or identifier holding a breakpoint line would split into
     * statements of its own when the file is read back: refuse to write it. */
    for (size_t i = 0; i < st->n; i++)
        if (cairn_has_breakpoint_line(st->sql[i]))
            return cairn_err(cx, CAIRN_ESCHEMA,
                             "a statement holds a line \"%s\" (in a string or a name): it cannot "
                             "be written to migration.sql safely",
                             CAIRN_BREAKPOINT);
    cairn_buf b;
    cairn_buf_init(&b);
    /* A statement that must run outside a transaction makes the whole
     * migration run without one: the marker is the file's first line. */
    for (size_t i = 0; i < st->n; i++)
        if (st->flags[i] & CAIRN_STMT_NO_TRANSACTION) {
            cairn_buf_puts(&b, CAIRN_NO_TRANSACTION_MARKER "\n");
            break;
        }
    if (header)
        cairn_buf_puts(&b, header);
    for (size_t i = 0; i < st->n; i++) {
        if (i)
            cairn_buf_puts(&b, "\n" CAIRN_BREAKPOINT "\n");
        cairn_migfile_end_statement(&b, st->sql[i]);
        if (i + 1 == st->n)
            cairn_buf_puts(&b, "\n");
    }
    return take_text(cx, &b, out);
}

/* A statement holding a ';' of its own, for a client that ends statements
 * at the first ';': in a DELIMITER block, with a delimiter it does not
 * hold ("END;;", as mysqldump writes it). 0 when it needs none. */
static int script_delimited(cairn_buf *b, const char *s, size_t n)
{
    static const char *const delims[] = {";;", "$$", "//"};
    char *body = strndup(s, n);
    if (!body) {
        b->oom = 1;
        return 1;
    }
    int done = 0;
    if (cairn_sql_find_delimiter(body, ";")) {
        for (size_t k = 0; k < sizeof delims / sizeof *delims && !done; k++) {
            if (cairn_sql_find_delimiter(body, delims[k]))
                continue;
            /* a last line of comment would swallow the delimiter */
            const char *last = strrchr(body, '\n');
            int comment = comment_or_blank(last ? last + 1 : body, body + n);
            cairn_buf_printf(b, "DELIMITER %s\n%s%s%s\nDELIMITER ;\n\n", delims[k], body,
                             comment ? "\n" : "", delims[k]);
            done = 1;
        }
    }
    free(body);
    return done;
}

int cairn_migfile_script(cairn_ctx *cx, const cairn_stmts *st, int client_delimiter, char **out)
{
    *out = NULL;
    cairn_buf b;
    cairn_buf_init(&b);
    for (size_t i = 0; i < st->n; i++) {
        const char *s = st->sql[i];
        size_t n = strlen(s);
        while (n && (is_blank_char(s[n - 1]) || s[n - 1] == ';'))
            n--;
        if (!n)
            continue;
        if (client_delimiter && script_delimited(&b, s, n))
            continue;
        cairn_migfile_end_statement(&b, s);
        cairn_buf_puts(&b, "\n\n");
    }
    return take_text(cx, &b, out);
}

int cairn_plan_sql(cairn_ctx *cx, const cairn_plan *p, char **out)
{
    if (!p || !out)
        return cairn_err(cx, CAIRN_EUSAGE, "cairn_plan_sql: no %s", p ? "output" : "plan");
    *out = NULL;
    cairn_session *s;
    int rc = cairn_session_get(cx, &s);
    if (rc)
        return rc;
    cairn_stmts st;
    cairn_stmts_init(&st);
    rc = cairn_session_emit(cx, s, p, &st);
    if (!rc)
        rc = cairn_migfile_build(cx, &st, NULL, out);
    cairn_stmts_release(&st);
    return rc;
}

/* ---- reading ------------------------------------------------------------------ */

int cairn_migfile_check_text(cairn_ctx *cx, const char *path, const char *text, size_t len)
{
    return cairn_text_check_nul(cx, CAIRN_EINTEGRITY, path, text, len, "migration.sql");
}

int cairn_migfile_no_transaction(const char *sql)
{
    size_t n = strlen(CAIRN_NO_TRANSACTION_MARKER);
    if (strncmp(sql, CAIRN_NO_TRANSACTION_MARKER, n) != 0)
        return 0;
    for (const char *p = sql + n; *p && *p != '\n' && *p != '\r'; p++)
        if (*p != ' ' && *p != '\t')
            return 0;
    return 1;
}

int cairn_sql_is_blank(const char *sql)
{
    for (const char *p = sql; *p;) {
        if (is_blank_char(*p) || *p == ';') {
            p++;
        } else if (p[0] == '-' && p[1] == '-') {
            p = line_end(p);
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            if (!end)
                return 0; /* an unterminated comment is the server's to report */
            p = end + 2;
        } else {
            return 0;
        }
    }
    return 1;
}

int cairn_has_breakpoint_line(const char *sql)
{
    for (const char *line = sql; *line;) {
        const char *e = line_end(line);
        if (is_breakpoint(line, e))
            return 1;
        line = next_line(e);
    }
    return 0;
}

static int push_stmt(char ***v, size_t *n, size_t *cap, const char *s, const char *e)
{
    while (s < e && is_blank_char(*s))
        s++;
    while (e > s && is_blank_char(e[-1]))
        e--;
    if (s == e)
        return 0;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        char **nv = realloc(*v, *cap * sizeof *nv);
        if (!nv)
            return CAIRN_ENOMEM;
        *v = nv;
    }
    char *copy = strndup(s, (size_t)(e - s));
    if (!copy)
        return CAIRN_ENOMEM;
    (*v)[(*n)++] = copy;
    return 0;
}

int cairn_split_statements(const char *sql, char ***out, size_t *n)
{
    char **v = NULL;
    size_t cnt = 0, cap = 0;
    const char *start = sql, *line = sql;
    while (*line) {
        const char *e = line_end(line);
        if (is_breakpoint(line, e)) {
            if (push_stmt(&v, &cnt, &cap, start, line)) {
                cairn_strv_free(v, cnt);
                return CAIRN_ENOMEM;
            }
            start = next_line(e);
        }
        line = next_line(e);
    }
    if (push_stmt(&v, &cnt, &cap, start, line)) {
        cairn_strv_free(v, cnt);
        return CAIRN_ENOMEM;
    }
    *out = v;
    *n = cnt;
    return 0;
}

/* ---- DELIMITER, the mysql client's directive ------------------------------------ */

/* Past the string, quoted identifier or comment that starts at `p`, or `p`
 * itself when none starts there. Backslash escapes as MySQL reads them by
 * default; "--" starts a comment only before a blank, as in MySQL. */
static const char *skip_quoted(const char *p)
{
    if (*p == '\'' || *p == '"' || *p == '`') {
        char q = *p++;
        while (*p) {
            if (*p == '\\' && q != '`' && p[1]) {
                p += 2;
            } else if (*p == q) {
                if (p[1] != q)
                    return p + 1;
                p += 2;
            } else {
                p++;
            }
        }
        return p;
    }
    if (p[0] == '-' && p[1] == '-' && (!p[2] || is_blank_char(p[2])))
        return line_end(p);
    if (p[0] == '/' && p[1] == '*') {
        const char *e = strstr(p + 2, "*/");
        return e ? e + 2 : p + strlen(p);
    }
    return p;
}

const char *cairn_sql_find_delimiter(const char *sql, const char *delim)
{
    size_t dl = strlen(delim);
    for (const char *p = sql; *p;) {
        const char *e = skip_quoted(p);
        if (e != p)
            p = e;
        else if (!strncmp(p, delim, dl))
            return p;
        else
            p++;
    }
    return NULL;
}

/* Is [p, e) only blanks and comments? A versioned comment (slash, star,
 * "!50003 SET ...", as mysqldump writes them) is code: the server runs it. */
static int range_blank(const char *p, const char *e)
{
    while (p < e) {
        const char *q = skip_quoted(p);
        if (is_blank_char(*p))
            p++;
        else if (q != p && p[0] != '\'' && p[0] != '"' && p[0] != '`' &&
                 !(p[0] == '/' && p[1] == '*' && p[2] == '!'))
            p = q;
        else
            return 0;
    }
    return 1;
}

/* A "DELIMITER x" line starting at `p` (blanks before allowed): 1 with the
 * delimiter in [*d, *d + *dl), -1 for DELIMITER without one, 0 when the
 * line is something else. */
static int delimiter_line(const char *p, const char **d, size_t *dl)
{
    while (*p == ' ' || *p == '\t')
        p++;
    if (strncasecmp(p, "delimiter", 9) || (p[9] && !is_blank_char(p[9])))
        return 0;
    p += 9;
    while (*p == ' ' || *p == '\t')
        p++;
    *d = p;
    while (*p && !is_blank_char(*p))
        p++;
    *dl = (size_t)(p - *d);
    return *dl ? 1 : -1;
}

int cairn_sql_has_delimiter_line(const char *sql)
{
    for (const char *line = sql; *line;) {
        const char *d, *e = line_end(line);
        size_t dl;
        if (delimiter_line(line, &d, &dl))
            return 1;
        line = next_line(e);
    }
    return 0;
}

static int push_script_stmt(cairn_script *out, const char *s, const char *e, int line)
{
    for (; s < e && is_blank_char(*s); s++)
        line += *s == '\n';
    if (range_blank(s, e))
        return 0;
    size_t at = out->n;
    if (push_stmt(&out->sql, &out->n, &out->cap, s, e))
        return CAIRN_ENOMEM;
    int *nl = realloc(out->line, out->cap * sizeof *nl);
    if (!nl)
        return CAIRN_ENOMEM;
    out->line = nl;
    out->line[at] = line;
    return 0;
}

int cairn_split_script(const char *sql, cairn_script *out)
{
    *out = (cairn_script){0};
    char delim[64] = ";";
    size_t dl = 1;
    const char *p = sql, *start = sql;
    int line = 1, start_line = 1, rc = 0;
    while (*p && !rc) {
        const char *d;
        size_t n;
        int dir = (p == sql || p[-1] == '\n' || p[-1] == '\r') && range_blank(start, p)
                      ? delimiter_line(p, &d, &n)
                      : 0;
        if (dir < 0 || (dir > 0 && n >= sizeof delim)) {
            out->bad_line = line;
            rc = CAIRN_ESCHEMA;
        } else if (dir > 0) {
            memcpy(delim, d, n);
            delim[n] = '\0';
            dl = n;
            p = next_line(line_end(p));
            start = p;
            start_line = ++line;
        } else if (!strncmp(p, delim, dl)) {
            rc = push_script_stmt(out, start, p, start_line);
            p += dl;
            start = p;
            start_line = line;
        } else {
            const char *e = skip_quoted(p);
            if (e == p)
                e = p + 1;
            for (; p < e; p++)
                line += *p == '\n';
        }
    }
    if (!rc)
        rc = push_script_stmt(out, start, p, start_line);
    if (rc)
        cairn_script_free(out);
    return rc;
}

void cairn_script_free(cairn_script *s)
{
    cairn_strv_free(s->sql, s->n);
    free(s->line);
    int bad = s->bad_line;
    *s = (cairn_script){0};
    s->bad_line = bad;
}
