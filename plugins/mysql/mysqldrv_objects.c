/*
 * Objects carried as SQL (CAIRN_CAP_OBJECTS) on MySQL / MariaDB: stored
 * functions and procedures (kinds "function", "procedure") and scheduled
 * events ("event"), and the DEFINER of every object that records one.
 *
 * Each kind is read in one query (routines from mysql.proc on MariaDB, as
 * written; else from information_schema with their parameters in one
 * join), into one canonical CREATE statement, so a routine read from a
 * database and the same routine read from a schema file (made in a scratch
 * database) compare equal. The comment is the object's `comment`, set
 * apart from the text.
 *
 * DEFINER (the account a routine, event, trigger or view runs as) is the
 * URL parameter `definer`: strip (the default: no DEFINER clause, so a
 * dump from production replays under whoever runs cairn), keep (as the
 * server records it), current_user (DEFINER=CURRENT_USER written out).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mysqldrv_emit.h"

/* ---- DEFINER ---------------------------------------------------------------- */

int mysqldrv_definer_parse(const char *value)
{
    if (!strcasecmp(value, "strip"))
        return MYSQLDRV_DEFINER_STRIP;
    if (!strcasecmp(value, "keep"))
        return MYSQLDRV_DEFINER_KEEP;
    if (!strcasecmp(value, "current_user") || !strcasecmp(value, "current-user"))
        return MYSQLDRV_DEFINER_CURRENT_USER;
    return -1;
}

/* "DEFINER=`user`@`host` " for `account` ("user@host", as information_schema
 * spells it: the host follows the last '@'), or the clause `mode` says. */
static void mysqldrv_definer_put(const cairn_host *h, cairn_buf *b, int mode, const char *account)
{
    if (mode == MYSQLDRV_DEFINER_CURRENT_USER) {
        h->buf_puts(b, "DEFINER=CURRENT_USER ");
        return;
    }
    if (mode != MYSQLDRV_DEFINER_KEEP || !account || !*account)
        return;
    const char *at = strrchr(account, '@');
    size_t ul = at ? (size_t)(at - account) : strlen(account);
    h->buf_puts(b, "DEFINER=`");
    for (size_t i = 0; i < ul; i++)
        h->buf_append(b, account[i] == '`' ? "``" : &account[i], account[i] == '`' ? 2 : 1);
    h->buf_puts(b, "`");
    if (at) {
        h->buf_puts(b, "@");
        h->buf_quote(b, at + 1, '`');
    }
    h->buf_puts(b, " ");
}

static const char *mysqldrv_skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* The word at `p` is `w` (case-insensitive, then not an identifier char)? */
static int mysqldrv_word(const char *p, const char *w)
{
    size_t n = strlen(w);
    return !strncasecmp(p, w, n) && !isalnum((unsigned char)p[n]) && p[n] != '_';
}

/* One account name part: `x`, 'x', "x" or a bare word; the text (quotes
 * undone) into `out`. Returns the end, or NULL. */
static const char *mysqldrv_account_part(const cairn_host *h, const char *p, cairn_buf *out)
{
    if (*p == '`' || *p == '\'' || *p == '"') {
        char q = *p++;
        for (; *p; p++) {
            if (*p == q && p[1] == q) {
                h->buf_append(out, p, 1);
                p++;
            } else if (*p == q) {
                return p + 1;
            } else {
                h->buf_append(out, p, 1);
            }
        }
        return NULL;
    }
    const char *s = p;
    while (*p && (isalnum((unsigned char)*p) || strchr("_.%$-", *p)))
        p++;
    h->buf_append(out, s, (size_t)(p - s));
    return p > s ? p : NULL;
}

/* ---- the session settings a routine, event or trigger keeps --------------------
 *
 * The server keeps with each routine, event and trigger the sql_mode it was
 * made under (it runs under that mode, and its body was parsed under it:
 * with ANSI_QUOTES "x" is a name), and with each event its time_zone (its
 * STARTS, ENDS and AT are times there). A definition that differs from the
 * session cairn reads it in (the server's own mode, less
 * NO_BACKSLASH_ESCAPES, and its time zone) starts with a line for each:
 *   -- cairn:sql_mode=NO_ENGINE_SUBSTITUTION
 *   -- cairn:time_zone=+05:00
 * and is made again under them: SET before its CREATE, the session's own
 * values back after it, in one statement (the server runs the three in
 * turn), so a migration resumed there sets them again. */
static const char *const mysqldrv_settings[] = {"sql_mode", "time_zone"};
#define MYSQLDRV_NSETTINGS (sizeof mysqldrv_settings / sizeof *mysqldrv_settings)
#define MYSQLDRV_SETTING_MARK "-- cairn:"

void mysqldrv_setting_put(const cairn_host *h, cairn_buf *b, size_t i, const char *value,
                          const char *same)
{
    if (value && same && strcmp(same, "1"))
        h->buf_printf(b, MYSQLDRV_SETTING_MARK "%s=%s\n", mysqldrv_settings[i], value);
}

/* The settings lines a definition starts with: each value (not
 * NUL-terminated, NULL when absent) and its length; returns where the
 * statement itself starts. */
static const char *mysqldrv_settings_read(const char *def, const char *val[], size_t len[])
{
    const size_t mark = sizeof MYSQLDRV_SETTING_MARK - 1;
    const char *p = mysqldrv_skip_space(def);
    for (size_t i = 0; i < MYSQLDRV_NSETTINGS; i++)
        val[i] = NULL;
    for (int hit = 1; hit;) {
        hit = 0;
        for (size_t i = 0; i < MYSQLDRV_NSETTINGS && !hit; i++) {
            size_t k = strlen(mysqldrv_settings[i]);
            if (strncmp(p, MYSQLDRV_SETTING_MARK, mark) ||
                strncmp(p + mark, mysqldrv_settings[i], k) || p[mark + k] != '=')
                continue;
            val[i] = p + mark + k + 1;
            len[i] = strcspn(val[i], "\r\n");
            while (len[i] && (val[i][len[i] - 1] == ' ' || val[i][len[i] - 1] == '\t'))
                len[i]--;
            p = mysqldrv_skip_space(val[i] + strcspn(val[i], "\r\n"));
            hit = 1;
        }
    }
    return p;
}

/* The ';' that ends the SET of settings at `p` (its values are literals:
 * quotes doubled, backslashes escaped); NULL when it does not end. */
static const char *mysqldrv_set_end(const char *p)
{
    for (char q = 0; *p && (q || *p != ';'); p++) {
        if (q && *p == '\\' && p[1])
            p++;
        else if (*p == '\'')
            q = q ? 0 : '\'';
    }
    return *p == ';' ? p : NULL;
}

/* `sql` with its DEFINER clause ("CREATE [OR REPLACE] [DEFINER=...] ...",
 * after the lines of its settings) written the way `mode` says, into
 * `out`; in keep mode, none or CURRENT_USER is `self`, the connection's
 * account (user@host), as the server records it. 0 when `sql` is not such a statement or needs no
 * change (out untouched), 1 when rewritten. */
static int mysqldrv_definer_rewrite(const cairn_host *h, const char *sql, int mode,
                                    const char *self, cairn_buf *out, cairn_buf *tmp)
{
    const char *val[MYSQLDRV_NSETTINGS];
    size_t len[MYSQLDRV_NSETTINGS];
    const char *p = mysqldrv_settings_read(sql, val, len);
    if (!mysqldrv_word(p, "CREATE"))
        return 0;
    p = mysqldrv_skip_space(p + 6);
    if (mysqldrv_word(p, "OR")) {
        const char *r = mysqldrv_skip_space(p + 2);
        if (!mysqldrv_word(r, "REPLACE"))
            return 0;
        p = mysqldrv_skip_space(r + 7);
    }
    const char *head_end = p, *rest = p;
    h->buf_reset(tmp);
    int had = 0, was_current = 0;
    if (mysqldrv_word(p, "DEFINER")) {
        const char *q = mysqldrv_skip_space(p + 7);
        if (*q != '=')
            return 0;
        q = mysqldrv_skip_space(q + 1);
        if (mysqldrv_word(q, "CURRENT_USER")) {
            q += 12;
            const char *r = mysqldrv_skip_space(q);
            if (*r == '(' && *mysqldrv_skip_space(r + 1) == ')')
                q = mysqldrv_skip_space(r + 1) + 1;
            was_current = 1;
        } else {
            q = mysqldrv_account_part(h, q, tmp);
            if (!q)
                return 0;
            q = mysqldrv_skip_space(q);
            if (*q == '@') {
                h->buf_puts(tmp, "@");
                q = mysqldrv_account_part(h, mysqldrv_skip_space(q + 1), tmp);
                if (!q)
                    return 0;
            }
        }
        had = 1;
        rest = mysqldrv_skip_space(q);
    }
    if (!had && mode == MYSQLDRV_DEFINER_STRIP)
        return 0;
    const char *account = h->buf_cstr(tmp);
    if (mode == MYSQLDRV_DEFINER_KEEP && (!had || was_current)) {
        if (!self)
            return 0;
        account = self;
    }
    h->buf_append(out, sql, (size_t)(head_end - sql));
    mysqldrv_definer_put(h, out, mode, account);
    h->buf_puts(out, rest);
    return 1;
}

/* The "definer=" option of a view, or NULL. */
static const char *mysqldrv_view_definer_kv(const cairn_view *v, size_t *at)
{
    for (size_t i = 0; i < v->noptions; i++)
        if (!strncmp(v->options[i], "definer=", 8)) {
            *at = i;
            return v->options[i] + 8;
        }
    return NULL;
}

/* A view's `definer` option as introspection on this connection has it:
 * in keep mode the account as information_schema spells it (user@host,
 * whatever quotes the file used; none: `self`, the connection's), else
 * none. */
static int mysqldrv_view_definer_fix(const cairn_host *h, cairn_dconn *c, cairn_schema *s,
                                     cairn_view *v, const char *self, cairn_buf *b)
{
    size_t at;
    const char *val = mysqldrv_view_definer_kv(v, &at);
    if (!val)
        return c->definer == MYSQLDRV_DEFINER_KEEP && self
                   ? h->set_view_option(s, v, "definer", self) : 0;
    if (c->definer != MYSQLDRV_DEFINER_KEEP) {
        memmove(&v->options[at], &v->options[at + 1], (v->noptions - at - 1) * sizeof *v->options);
        v->noptions--;
        return 0;
    }
    h->buf_reset(b);
    const char *p = mysqldrv_account_part(h, mysqldrv_skip_space(val), b);
    if (p && *(p = mysqldrv_skip_space(p)) == '@') {
        h->buf_puts(b, "@");
        p = mysqldrv_account_part(h, mysqldrv_skip_space(p + 1), b);
    }
    if (!p || *mysqldrv_skip_space(p))
        return h->error(c->s->hc, CAIRN_ESCHEMA, NULL,
                        "mysql: view %s: option definer: '%s' is not an account (user@host)",
                        v->name, val);
    if (h->buf_status(b))
        return CAIRN_ENOMEM;
    return strcmp(val, h->buf_cstr(b)) ? h->set_view_option(s, v, "definer", h->buf_cstr(b)) : 0;
}

/* Rewrite *sql (arena text of `s`) in place when its DEFINER is not
 * written the way `mode` says. */
static int mysqldrv_definer_fix(const cairn_host *h, cairn_schema *s, const char **sql, int mode,
                                const char *self, cairn_buf *b, cairn_buf *tmp)
{
    h->buf_reset(b);
    if (!mysqldrv_definer_rewrite(h, *sql, mode, self, b, tmp))
        return 0;
    const char *fixed = h->buf_status(b) ? NULL : h->strdup(s, h->buf_cstr(b));
    if (!fixed)
        return CAIRN_ENOMEM;
    *sql = fixed;
    return 0;
}

/* The session's own settings, read when a definition first has a line. */
typedef struct mysqldrv_own {
    char *v[MYSQLDRV_NSETTINGS];
    int read;
} mysqldrv_own;

/* Setting `i` given as `value`, as the server spells it (upper case, its
 * order, "+05:00"): set in this session, read back, then the session's own
 * put back. *out NULL (and 0) when the server refuses the value: the
 * statement that sets it fails then, naming its object. */
static int mysqldrv_setting_canon(cairn_dconn *c, cairn_buf *q, size_t i, const char *value,
                                  const char *own, char **out)
{
    const cairn_host *h = c->s->host;
    const char *n = mysqldrv_settings[i];
    *out = NULL;
    h->buf_reset(q);
    h->buf_printf(q, "SET SESSION %s = ", n);
    mysqldrv_literal(h, q, value);
    if (h->buf_status(q))
        return CAIRN_ENOMEM;
    if (mysql_real_query(c->my, h->buf_cstr(q), strlen(h->buf_cstr(q))))
        return 0;
    h->buf_reset(q);
    h->buf_printf(q, "SELECT @@SESSION.%s", n);
    int rc = h->buf_status(q) ? CAIRN_ENOMEM : mysqldrv_scalar(c, h->buf_cstr(q), out);
    h->buf_reset(q);
    h->buf_printf(q, "SET SESSION %s = ", n);
    mysqldrv_literal(h, q, own ? own : "");
    if (h->buf_status(q))
        rc = rc ? rc : CAIRN_ENOMEM;
    else if (mysql_real_query(c->my, h->buf_cstr(q), strlen(h->buf_cstr(q))) && !rc)
        rc = mysqldrv_fail(c, CAIRN_EDB);
    return rc;
}

/* Rewrite *sql (arena text of `s`) when the settings lines it starts with
 * are not written as pull writes them: each value as the server spells
 * it, none that is the session's own, and a time zone only for an event
 * (`event`: the server keeps none for a routine or a trigger). */
static int mysqldrv_settings_fix(cairn_dconn *c, cairn_schema *s, const char **sql, int event,
                                 mysqldrv_own *own, cairn_buf *b, cairn_buf *q)
{
    const cairn_host *h = c->s->host;
    const char *val[MYSQLDRV_NSETTINGS];
    size_t len[MYSQLDRV_NSETTINGS];
    const char *p = mysqldrv_settings_read(*sql, val, len);
    if (p == mysqldrv_skip_space(*sql) || !*p) /* none; or no statement: refused when emitted */
        return 0;
    int rc = 0;
    for (size_t i = 0; !rc && !own->read && i < MYSQLDRV_NSETTINGS; i++) {
        h->buf_reset(q);
        h->buf_printf(q, "SELECT @@SESSION.%s", mysqldrv_settings[i]);
        rc = h->buf_status(q) ? CAIRN_ENOMEM : mysqldrv_scalar(c, h->buf_cstr(q), &own->v[i]);
    }
    own->read = 1;
    h->buf_reset(b);
    for (size_t i = 0; !rc && i < MYSQLDRV_NSETTINGS; i++) {
        if (!val[i] || (!event && !strcmp(mysqldrv_settings[i], "time_zone")))
            continue;
        char *v = malloc(len[i] + 1), *canon = NULL;
        if (!v)
            return CAIRN_ENOMEM;
        memcpy(v, val[i], len[i]);
        v[len[i]] = 0;
        rc = mysqldrv_setting_canon(c, q, i, v, own->v[i], &canon);
        const char *w = canon ? canon : v;
        if (!rc && (!own->v[i] || strcmp(w, own->v[i])))
            mysqldrv_setting_put(h, b, i, w, "0");
        free(v);
        free(canon);
    }
    if (rc)
        return rc;
    h->buf_puts(b, p);
    if (h->buf_status(b))
        return CAIRN_ENOMEM;
    if (!strcmp(h->buf_cstr(b), *sql))
        return 0;
    const char *fixed = h->strdup(s, h->buf_cstr(b));
    if (!fixed)
        return CAIRN_ENOMEM;
    *sql = fixed;
    return 0;
}

/* A schema file's objects and triggers with their settings lines and their
 * DEFINER as introspection on this connection writes them. */
int mysqldrv_objects_normalize(cairn_dconn *c, cairn_schema *s)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc), *tmp = h->buf_new(c->s->hc);
    int rc = b && tmp ? 0 : CAIRN_ENOMEM;
    /* keep: what a file says no DEFINER for is made under this account */
    char *self = NULL;
    if (!rc && c->definer == MYSQLDRV_DEFINER_KEEP)
        rc = mysqldrv_scalar(c, "SELECT CURRENT_USER()", &self);
    if (rc && rc != CAIRN_ENOMEM) {
        h->buf_free(b);
        h->buf_free(tmp);
        return rc;
    }
    /* a host older than 1.3 has schemas without objects */
    size_t nobjects = CAIRN_HOST_HAS(h, add_object) ? s->nobjects : 0;
    mysqldrv_own own = {0};
    for (size_t i = 0; !rc && i < nobjects; i++) {
        const char **def = &s->objects[i]->definition;
        rc = mysqldrv_settings_fix(c, s, def, !strcmp(s->objects[i]->kind, "event"), &own, b,
                                   tmp);
        if (!rc)
            rc = mysqldrv_definer_fix(h, s, def, c->definer, self, b, tmp);
    }
    for (size_t i = 0; !rc && i < s->ntables; i++)
        for (size_t k = 0; !rc && k < s->tables[i]->ntriggers; k++) {
            const char **sql = &s->tables[i]->triggers[k]->sql;
            rc = mysqldrv_settings_fix(c, s, sql, 0, &own, b, tmp);
            if (!rc)
                rc = mysqldrv_definer_fix(h, s, sql, c->definer, self, b, tmp);
        }
    for (size_t i = 0; i < MYSQLDRV_NSETTINGS; i++)
        free(own.v[i]);
    /* a host older than 1.2 has views without options */
    for (size_t i = 0; !rc && CAIRN_HOST_HAS(h, set_view_option) && i < s->nviews; i++)
        rc = mysqldrv_view_definer_fix(h, c, s, s->views[i], self, b);
    free(self);
    h->buf_free(b);
    h->buf_free(tmp);
    return rc == CAIRN_ENOMEM ? h->error(c->s->hc, rc, NULL, "out of memory") : rc;
}

int mysqldrv_view_definer_read(cairn_dconn *c, cairn_schema *out, cairn_view *v,
                               const char *account)
{
    if (c->definer != MYSQLDRV_DEFINER_KEEP || !account || !*account ||
        !CAIRN_HOST_HAS(c->s->host, set_view_option))
        return 0;
    return c->s->host->set_view_option(out, v, "definer", account);
}

void mysqldrv_view_definer_put(mysqldrv_em *e, const cairn_view *v)
{
    size_t at;
    const char *val = mysqldrv_view_definer_kv(v, &at);
    if (val)
        mysqldrv_definer_put(e->h, e->b, MYSQLDRV_DEFINER_KEEP, val);
}

void mysqldrv_trigger_definer(cairn_dconn *c, cairn_buf *b, const char *account)
{
    mysqldrv_definer_put(c->s->host, b, c->definer, account);
}

/* ---- introspection ------------------------------------------------------------ */

/* " CHARSET x COLLATE y" where a string parameter or return type is not in
 * the database's defaults (information_schema's DTD_IDENTIFIER leaves the
 * character set out). */
static void mysqldrv_type_charset(const cairn_host *h, cairn_buf *b, const char *cs,
                                  const char *coll, const char *db_cs, const char *db_coll)
{
    if (!cs || !*cs)
        return;
    if (!db_cs || strcmp(cs, db_cs)) {
        h->buf_printf(b, " CHARSET %s", cs);
        if (coll && *coll)
            h->buf_printf(b, " COLLATE %s", coll);
    } else if (coll && *coll && (!db_coll || strcmp(coll, db_coll))) {
        h->buf_printf(b, " COLLATE %s", coll);
    }
}

/* What every reader needs: the connection, where to put objects, the
 * database's default character set and collation, the query count. */
typedef struct mysqldrv_ox {
    cairn_dconn *c;
    const cairn_host *h;
    const cairn_filter *f;
    cairn_schema *out;
    const char *db_cs, *db_coll;
    cairn_buf *b, *tail;
    int *queries;
} mysqldrv_ox;

static int mysqldrv_ox_add(mysqldrv_ox *x, const char *kind, const char *name,
                           const char *comment)
{
    const cairn_host *h = x->h;
    if (h->buf_status(x->b))
        return CAIRN_ENOMEM;
    cairn_object *o = h->add_object(x->out, kind, NULL, name, NULL, NULL, h->buf_cstr(x->b));
    if (!o)
        return CAIRN_ENOMEM;
    if (comment && *comment && !(o->comment = h->strdup(x->out, comment)))
        return CAIRN_ENOMEM;
    return 0;
}

/* One routine is done: its parameters are in x->b, the rest in x->tail. */
static int mysqldrv_routine_end(mysqldrv_ox *x, char **kind, char **name, char **comment)
{
    int rc = 0;
    if (*name) {
        x->h->buf_puts(x->b, x->h->buf_cstr(x->tail));
        rc = mysqldrv_ox_add(x, *kind, *name, *comment);
    }
    free(*kind);
    free(*name);
    free(*comment);
    *kind = *name = *comment = NULL;
    return rc;
}

/* "CREATE [DEFINER=...] FUNCTION `f`(" into x->b, after the line of its
 * sql_mode when that is not the session's. */
static void mysqldrv_routine_head(mysqldrv_ox *x, int func, const char *name, const char *definer,
                                  const char *sql_mode, const char *same_mode)
{
    const cairn_host *h = x->h;
    h->buf_reset(x->b);
    h->buf_reset(x->tail);
    mysqldrv_setting_put(h, x->b, 0, sql_mode, same_mode);
    h->buf_puts(x->b, "CREATE ");
    mysqldrv_definer_put(h, x->b, x->c->definer, definer);
    h->buf_puts(x->b, func ? "FUNCTION " : "PROCEDURE ");
    h->buf_quote(x->b, name, '`');
    h->buf_puts(x->b, "(");
}

/* The characteristics that are not at their default, one a line, then the
 * body, into x->tail, as SHOW CREATE writes them: `access` is the SQL data
 * access ("READS SQL DATA" or "READS_SQL_DATA"). */
static void mysqldrv_routine_chars(mysqldrv_ox *x, const char *access, const char *deterministic,
                                   const char *security, const char *body)
{
    const cairn_host *h = x->h;
    h->buf_puts(x->tail, "\n");
    if (access && *access && strcmp(access, "CONTAINS SQL") && strcmp(access, "CONTAINS_SQL")) {
        h->buf_puts(x->tail, "    ");
        for (const char *p = access; *p; p++)
            h->buf_append(x->tail, *p == '_' ? " " : p, 1);
        h->buf_puts(x->tail, "\n");
    }
    if (deterministic && !strcmp(deterministic, "YES"))
        h->buf_puts(x->tail, "    DETERMINISTIC\n");
    if (security && !strcmp(security, "INVOKER"))
        h->buf_puts(x->tail, "    SQL SECURITY INVOKER\n");
    h->buf_puts(x->tail, body);
}

static int mysqldrv_routine_hidden(mysqldrv_ox *x, int func, const char *name)
{
    return x->h->error(x->c->s->hc, CAIRN_EDB, NULL,
                       "mysql: the body of %s `%s` is hidden from this account (it is not its "
                       "definer): grant it SHOW ROUTINE (MariaDB), SHOW_ROUTINE (MySQL) or "
                       "SELECT on mysql.proc", func ? "function" : "procedure", name);
}

/* MariaDB keeps each routine as it was written in mysql.proc: its parameter
 * list and return type as stated, so a routine made again from what this
 * reads is the same one for SHOW CREATE and mariadb-dump, in one query.
 * Returns 1 (nothing read, nothing reported) when the account may not read
 * mysql.proc: information_schema then. */
static int mysqldrv_read_proc(mysqldrv_ox *x)
{
    const cairn_host *h = x->h;
    static const char sql[] =
        "SELECT type, name, param_list, returns, body, sql_data_access, is_deterministic, "
        "security_type, comment, definer, sql_mode, "
        "CAST(sql_mode AS CHAR) = @@SESSION.sql_mode FROM mysql.proc "
        "WHERE db = DATABASE() AND type IN ('FUNCTION', 'PROCEDURE') AND aggregate = 'NONE' "
        "ORDER BY type, name";
    (*x->queries)++;
    if (mysql_real_query(x->c->my, sql, sizeof sql - 1)) {
        unsigned e = mysql_errno(x->c->my);
        if (e == 1142 || e == 1044 || e == 1146) { /* denied; no such table */
            h->debug(x->c->s->hc, "mysql: mysql.proc is not readable (%s): routines from "
                     "information_schema", mysql_error(x->c->my));
            return 1;
        }
        return mysqldrv_fail(x->c, CAIRN_EDB);
    }
    MYSQL_RES *res = mysql_use_result(x->c->my);
    if (!res)
        return mysqldrv_fail(x->c, CAIRN_EDB);
    int rc = 0;
    MYSQL_ROW row;
    while (!rc && (row = mysql_fetch_row(res))) {
        if (!row[0] || !row[1] || !mysqldrv_keep(x->f, row[1]))
            continue;
        int func = !strcmp(row[0], "FUNCTION");
        mysqldrv_routine_head(x, func, row[1], row[9], row[10], row[11]);
        h->buf_puts(x->b, row[2] ? row[2] : "");
        h->buf_puts(x->tail, ")");
        if (func)
            h->buf_printf(x->tail, " RETURNS %s", row[3] ? row[3] : "");
        mysqldrv_routine_chars(x, row[5], row[6], row[7], row[4] ? row[4] : "");
        h->buf_puts(x->b, h->buf_cstr(x->tail));
        rc = mysqldrv_ox_add(x, func ? "function" : "procedure", row[1], row[8]);
    }
    int rc2 = mysqldrv_query_end(x->c, res);
    if (rc)
        return h->error(x->c->s->hc, rc, NULL, "out of memory");
    return rc2;
}

/* Functions and procedures from information_schema (MySQL, which has no
 * mysql.proc: written to the MySQL manual, not run here; or a MariaDB
 * account that may not read it), with their parameters, in one query:
 *   CREATE [DEFINER=...] FUNCTION `f`(`a` int(11)) RETURNS int(11)
 *       READS SQL DATA
 *       DETERMINISTIC
 *   <body as the server keeps it>
 * The parameters are rebuilt from PARAMETERS (procedures' say IN / OUT /
 * INOUT), with the character set where it is not the database's. Other
 * routine types (MariaDB's packages) are left out. */
static int mysqldrv_read_routines(mysqldrv_ox *x)
{
    const cairn_host *h = x->h;
    if (x->c->mariadb) {
        int rc = mysqldrv_read_proc(x);
        if (rc <= 0)
            return rc;
    }
    MYSQL_RES *res;
    (*x->queries)++;
    int rc = mysqldrv_query(x->c,
        "SELECT r.ROUTINE_TYPE, r.ROUTINE_NAME, r.DTD_IDENTIFIER, r.CHARACTER_SET_NAME, "
        "r.COLLATION_NAME, r.ROUTINE_DEFINITION, r.IS_DETERMINISTIC, r.SQL_DATA_ACCESS, "
        "r.SECURITY_TYPE, r.ROUTINE_COMMENT, r.DEFINER, p.PARAMETER_MODE, p.PARAMETER_NAME, "
        "p.DTD_IDENTIFIER, p.CHARACTER_SET_NAME, p.COLLATION_NAME, r.SQL_MODE, "
        "r.SQL_MODE = @@SESSION.sql_mode "
        "FROM information_schema.ROUTINES r LEFT JOIN information_schema.PARAMETERS p "
        "ON p.SPECIFIC_SCHEMA = r.ROUTINE_SCHEMA AND p.SPECIFIC_NAME = r.SPECIFIC_NAME "
        "AND p.ROUTINE_TYPE = r.ROUTINE_TYPE AND p.ORDINAL_POSITION > 0 "
        "WHERE r.ROUTINE_SCHEMA = DATABASE() AND r.ROUTINE_TYPE IN ('FUNCTION', 'PROCEDURE') "
        "ORDER BY r.ROUTINE_TYPE, r.ROUTINE_NAME, p.ORDINAL_POSITION", &res);
    if (rc)
        return rc;
    char *kind = NULL, *name = NULL, *comment = NULL;
    int nparams = 0, denied = 0;
    MYSQL_ROW row;
    while (!rc && (row = mysql_fetch_row(res))) {
        if (!row[0] || !row[1] || !mysqldrv_keep(x->f, row[1]))
            continue;
        int func = !strcmp(row[0], "FUNCTION");
        if (!name || strcmp(name, row[1]) || strcmp(kind, func ? "function" : "procedure")) {
            rc = mysqldrv_routine_end(x, &kind, &name, &comment);
            if (rc)
                break;
            if (!row[5]) { /* the body is hidden from whoever is not its definer */
                rc = mysqldrv_routine_hidden(x, func, row[1]);
                denied = 1;
                break;
            }
            kind = strdup(func ? "function" : "procedure");
            name = strdup(row[1]);
            comment = row[9] ? strdup(row[9]) : NULL;
            if (!kind || !name || (row[9] && !comment)) {
                rc = CAIRN_ENOMEM;
                break;
            }
            nparams = 0;
            mysqldrv_routine_head(x, func, row[1], row[10], row[16], row[17]);
            h->buf_puts(x->tail, ")");
            if (func && row[2]) {
                h->buf_printf(x->tail, " RETURNS %s", row[2]);
                mysqldrv_type_charset(h, x->tail, row[3], row[4], x->db_cs, x->db_coll);
            }
            mysqldrv_routine_chars(x, row[7], row[6], row[8], row[5]);
        }
        if (row[12]) { /* a parameter */
            h->buf_puts(x->b, nparams++ ? ", " : "");
            if (!func && row[11])
                h->buf_printf(x->b, "%s ", row[11]);
            h->buf_quote(x->b, row[12], '`');
            h->buf_printf(x->b, " %s", row[13] ? row[13] : "");
            mysqldrv_type_charset(h, x->b, row[14], row[15], x->db_cs, x->db_coll);
        }
    }
    if (!rc) {
        rc = mysqldrv_routine_end(x, &kind, &name, &comment);
    } else {
        free(kind);
        free(name);
        free(comment);
    }
    int rc2 = mysqldrv_query_end(x->c, res);
    if (denied)
        return rc;
    if (rc)
        return h->error(x->c->s->hc, rc, NULL, "out of memory");
    return rc2;
}

/* The status and completion words of an event, from information_schema. */
static const struct {
    const char *is, *sql;
} mysqldrv_event_status[] = {
    {"ENABLED", NULL},
    {"DISABLED", "DISABLE"},
    {"SLAVESIDE_DISABLED", "DISABLE ON SLAVE"},
};

/* Events, in one query (after the lines of their settings):
 *   CREATE [DEFINER=...] EVENT `e` ON SCHEDULE EVERY 1 DAY [STARTS '...']
 *   [ENDS '...'] [ON COMPLETION PRESERVE] [DISABLE [ON SLAVE]] DO <body>
 * or ON SCHEDULE AT '...'. A recurring event made without STARTS starts
 * when it is made: a STARTS equal to its creation (or last change) is not
 * written, so the same event made again later reads back the same. */
static int mysqldrv_read_events(mysqldrv_ox *x)
{
    const cairn_host *h = x->h;
    MYSQL_RES *res;
    (*x->queries)++;
    int rc = mysqldrv_query(x->c,
        "SELECT EVENT_NAME, DEFINER, EVENT_DEFINITION, EVENT_TYPE, EXECUTE_AT, "
        "INTERVAL_VALUE, INTERVAL_FIELD, STARTS, ENDS, STATUS, ON_COMPLETION, EVENT_COMMENT, "
        "CREATED, LAST_ALTERED, SQL_MODE, SQL_MODE = @@SESSION.sql_mode, TIME_ZONE, "
        "TIME_ZONE = @@SESSION.time_zone FROM information_schema.EVENTS "
        "WHERE EVENT_SCHEMA = DATABASE() ORDER BY EVENT_NAME", &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    while (!rc && (row = mysql_fetch_row(res))) {
        if (!row[0] || !row[2] || !row[3] || !mysqldrv_keep(x->f, row[0]))
            continue;
        h->buf_reset(x->b);
        mysqldrv_setting_put(h, x->b, 0, row[14], row[15]);
        mysqldrv_setting_put(h, x->b, 1, row[16], row[17]);
        h->buf_puts(x->b, "CREATE ");
        mysqldrv_definer_put(h, x->b, x->c->definer, row[1]);
        h->buf_puts(x->b, "EVENT ");
        h->buf_quote(x->b, row[0], '`');
        h->buf_puts(x->b, " ON SCHEDULE ");
        if (!strcmp(row[3], "ONE TIME")) {
            h->buf_puts(x->b, "AT ");
            mysqldrv_literal(h, x->b, row[4] ? row[4] : "");
        } else {
            const char *v = row[5] ? row[5] : "";
            h->buf_puts(x->b, "EVERY ");
            if (*v && strspn(v, "0123456789") == strlen(v))
                h->buf_puts(x->b, v);
            else
                mysqldrv_literal(h, x->b, v);
            h->buf_printf(x->b, " %s", row[6] ? row[6] : "");
            if (row[7] && !(row[12] && !strcmp(row[7], row[12])) &&
                !(row[13] && !strcmp(row[7], row[13]))) {
                h->buf_puts(x->b, " STARTS ");
                mysqldrv_literal(h, x->b, row[7]);
            }
            if (row[8]) {
                h->buf_puts(x->b, " ENDS ");
                mysqldrv_literal(h, x->b, row[8]);
            }
        }
        if (row[10] && !strcmp(row[10], "PRESERVE"))
            h->buf_puts(x->b, " ON COMPLETION PRESERVE");
        for (size_t i = 0; i < sizeof mysqldrv_event_status / sizeof *mysqldrv_event_status; i++)
            if (row[9] && !strcmp(row[9], mysqldrv_event_status[i].is) &&
                mysqldrv_event_status[i].sql)
                h->buf_printf(x->b, " %s", mysqldrv_event_status[i].sql);
        h->buf_printf(x->b, " DO %s", row[2]);
        rc = mysqldrv_ox_add(x, "event", row[0], row[11]);
    }
    int rc2 = mysqldrv_query_end(x->c, res);
    if (rc)
        return h->error(x->c->s->hc, rc, NULL, "out of memory");
    return rc2;
}

int mysqldrv_intro_objects(cairn_dconn *c, const cairn_filter *f, cairn_schema *out,
                           const char *db_cs, const char *db_coll, int *queries)
{
    const cairn_host *h = c->s->host;
    if (!CAIRN_HOST_HAS(h, add_object))
        return 0; /* an older host has no objects to put them in */
    mysqldrv_ox x = {.c = c, .h = h, .f = f, .out = out, .db_cs = db_cs, .db_coll = db_coll,
                     .queries = queries};
    x.b = h->buf_new(c->s->hc);
    x.tail = h->buf_new(c->s->hc);
    int rc = x.b && x.tail ? 0 : h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    if (!rc)
        rc = mysqldrv_read_routines(&x);
    if (!rc)
        rc = mysqldrv_read_events(&x);
    h->buf_free(x.b);
    h->buf_free(x.tail);
    return rc;
}

/* ---- emission ------------------------------------------------------------------ */

/* How one kind is written: the word after DROP / ALTER, and the first
 * MariaDB version with CREATE OR REPLACE for it (0: none; MySQL has it for
 * none of these), which replaces one in a single statement. */
typedef struct mysqldrv_kind {
    const char *kind;
    const char *word;
    unsigned long mariadb_or_replace;
} mysqldrv_kind;

static const mysqldrv_kind mysqldrv_kinds[] = {
    {"function", "FUNCTION", 100103},
    {"procedure", "PROCEDURE", 100103},
    {"event", "EVENT", 100104},
};

static const mysqldrv_kind *mysqldrv_kind_of(const cairn_object *o)
{
    for (size_t i = 0; i < sizeof mysqldrv_kinds / sizeof *mysqldrv_kinds; i++)
        if (!strcmp(mysqldrv_kinds[i].kind, o->kind))
            return &mysqldrv_kinds[i];
    return NULL;
}

/* ALTER <kind> `name` COMMENT '...' ('' takes a comment away). */
static int mysqldrv_object_comment(mysqldrv_em *e, const mysqldrv_kind *k, const cairn_object *o)
{
    e->h->buf_printf(e->b, "ALTER %s ", k->word);
    Q(e, o->name);
    P(e, " COMMENT ");
    mysqldrv_literal(e->h, e->b, o->comment ? o->comment : "");
    return mysqldrv_flush(e, 0);
}

/* "SET @cairn_sql_mode = @@SESSION.sql_mode, SESSION sql_mode = '...'"
 * for the settings given (`back`: "SET SESSION sql_mode = @cairn_sql_mode"). */
static int mysqldrv_settings_set(mysqldrv_em *e, const char *const val[], const size_t len[],
                                 int back)
{
    const char *sep = "SET ";
    for (size_t i = 0; i < MYSQLDRV_NSETTINGS; i++) {
        if (!val[i])
            continue;
        const char *n = mysqldrv_settings[i];
        if (back) {
            e->h->buf_printf(e->b, "%sSESSION %s = @cairn_%s", sep, n, n);
        } else {
            char *v = malloc(len[i] + 1);
            if (!v)
                return CAIRN_ENOMEM;
            memcpy(v, val[i], len[i]);
            v[len[i]] = 0;
            e->h->buf_printf(e->b, "%s@cairn_%s = @@SESSION.%s, SESSION %s = ", sep, n, n, n);
            mysqldrv_literal(e->h, e->b, v);
            free(v);
        }
        sep = ", ";
    }
    return 0;
}

int mysqldrv_put_definition(mysqldrv_em *e, const char *name, const char *def, int or_replace)
{
    const char *val[MYSQLDRV_NSETTINGS];
    size_t len[MYSQLDRV_NSETTINGS];
    const char *p = mysqldrv_settings_read(def, val, len);
    int settings = p != mysqldrv_skip_space(def);
    /* the statement, without a ';' that ends it (one comes after it) */
    size_t n = strlen(p);
    while (settings && n && (isspace((unsigned char)p[n - 1]) || p[n - 1] == ';'))
        n--;
    if (settings && !n)
        return e->h->error(e->hc, CAIRN_ESCHEMA, NULL,
                           "mysql: `%s`: its definition has settings lines and no statement after "
                           "them", name);
    if (settings) {
        if (mysqldrv_settings_set(e, val, len, 0))
            return e->h->error(e->hc, CAIRN_ENOMEM, NULL, "out of memory");
        P(e, ";\n");
    }
    if (or_replace && mysqldrv_word(p, "CREATE") &&
        !mysqldrv_word(mysqldrv_skip_space(p + 6), "OR")) {
        e->h->buf_append(e->b, p, 6);
        P(e, " OR REPLACE");
        e->h->buf_append(e->b, p + 6, n - 6);
    } else {
        e->h->buf_append(e->b, p, n);
    }
    if (settings) {
        P(e, ";\n");
        mysqldrv_settings_set(e, val, len, 1);
    }
    return mysqldrv_flush(e, 0);
}

/* A part of a statement run alone, its results read: 0, or 1 with the
 * server's error on the connection. */
static int mysqldrv_run_part(cairn_dconn *c, const char *p, size_t n, unsigned *warnings)
{
    if (mysql_real_query(c->my, p, n))
        return 1;
    for (;;) {
        *warnings += mysql_warning_count(c->my);
        MYSQL_RES *r = mysql_store_result(c->my);
        if (r)
            mysql_free_result(r);
        int more = mysql_next_result(c->my);
        if (more)
            return more > 0;
    }
}

int mysqldrv_exec_settings(cairn_dconn *c, const char *sql, int *handled)
{
    static const char head[] = "SET @cairn_", back_head[] = "SET SESSION ";
    *handled = 0;
    /* past blanks and comment lines (a migration's first statement has its
     * header before it) */
    for (sql = mysqldrv_skip_space(sql); sql[0] == '-' && sql[1] == '-';)
        sql = mysqldrv_skip_space(sql + strcspn(sql, "\n"));
    if (strncmp(sql, head, sizeof head - 1))
        return 0;
    const char *p = mysqldrv_set_end(sql);
    if (!p)
        return 0;
    /* the SET back: the last "SET SESSION " after a ';' (and blanks), to
     * the end less a ';' that ends the statement in a migration.sql */
    const char *create = mysqldrv_skip_space(p + 1), *back = NULL, *create_end = NULL;
    for (const char *x = strstr(create, back_head); x; x = strstr(x + 1, back_head)) {
        const char *y = x;
        while (y > create && isspace((unsigned char)y[-1]))
            y--;
        if (y > create && y[-1] == ';') {
            back = x;
            create_end = y - 1;
        }
    }
    if (!back)
        return 0;
    size_t n = strlen(back);
    while (n && (isspace((unsigned char)back[n - 1]) || back[n - 1] == ';'))
        n--;
    if (strspn(back, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_@=, ") != n ||
        create_end <= create)
        return 0; /* not what mysqldrv_put_definition writes */
    *handled = 1;
    unsigned warnings = 0;
    if (mysqldrv_run_part(c, sql, (size_t)(p - sql), &warnings))
        return mysqldrv_fail_stmt(c, sql);
    int rc = 0;
    warnings = 0;
    if (mysqldrv_run_part(c, create, (size_t)(create_end - create), &warnings))
        rc = mysqldrv_fail_stmt(c, create);
    else if (warnings) /* before the SET after it: MySQL 5.7+ clears them there */
        rc = mysqldrv_exec_warnings(c, create);
    /* the session's own settings back, whatever happened */
    if (mysqldrv_run_part(c, back, n, &warnings) && !rc)
        rc = mysqldrv_fail(c, CAIRN_EDB);
    return rc;
}

/* The definition, with OR REPLACE after its CREATE when `or_replace`, then
 * its comment. */
static int mysqldrv_create_object(mysqldrv_em *e, const mysqldrv_kind *k, const cairn_object *o,
                                  int or_replace)
{
    int rc = mysqldrv_put_definition(e, o->name, o->definition, or_replace);
    if (!rc && o->comment && *o->comment)
        rc = mysqldrv_object_comment(e, k, o);
    return rc;
}

static int mysqldrv_drop_object(mysqldrv_em *e, const mysqldrv_kind *k, const cairn_object *o)
{
    e->h->buf_printf(e->b, "DROP %s ", k->word);
    Q(e, o->name);
    return mysqldrv_flush(e, 0);
}

int mysqldrv_emit_object(mysqldrv_em *e, const cairn_change *ch)
{
    const cairn_object *o = ch->to.object ? ch->to.object : ch->from.object;
    const mysqldrv_kind *k = mysqldrv_kind_of(o);
    if (!k)
        return e->h->error(e->hc, CAIRN_EUNSUPPORTED, NULL,
                           "mysql: objects of kind \"%s\" are not supported (%s); the kinds "
                           "are function, procedure and event", o->kind, o->name);
    if (ch->kind == CAIRN_CHANGE_CREATE_OBJECT)
        return mysqldrv_create_object(e, k, o, 0);
    if (ch->kind == CAIRN_CHANGE_DROP_OBJECT)
        return mysqldrv_drop_object(e, k, o);
    const cairn_object *from = ch->from.object, *to = ch->to.object;
    if (!strcmp(from->definition, to->definition)) /* the comment alone */
        return mysqldrv_object_comment(e, k, to);
    /* the server this session talks to, when it has connected: offline
     * (generate) the portable drop and create */
    const cairn_dsession *s = e->s;
    if (s->server_mariadb && k->mariadb_or_replace && s->server_version >= k->mariadb_or_replace)
        return mysqldrv_create_object(e, k, to, 1);
    int rc = mysqldrv_drop_object(e, k, from);
    return rc ? rc : mysqldrv_create_object(e, k, to, 0);
}

/* ---- errors that name the object ---------------------------------------------- */

/* The kind ("function", "procedure", "event", "trigger") and name of the
 * object a CREATE / ALTER / DROP statement is about, the name into `name`;
 * NULL when `sql` is not one. */
static const char *mysqldrv_stmt_object(const cairn_host *h, const char *sql, cairn_buf *name)
{
    static const char *const kinds[] = {"FUNCTION", "PROCEDURE", "EVENT", "TRIGGER"};
    static const char *const skip[] = {"IF", "NOT", "EXISTS"};
    const char *p = mysqldrv_skip_space(sql);
    if (mysqldrv_word(p, "SET")) { /* the settings before a CREATE: past them */
        if (!(p = mysqldrv_set_end(p)))
            return NULL;
        p = mysqldrv_skip_space(p + 1);
    }
    int create = mysqldrv_word(p, "CREATE");
    if (!create && !mysqldrv_word(p, "ALTER") && !mysqldrv_word(p, "DROP"))
        return NULL;
    p = mysqldrv_skip_space(p + (create ? 6 : mysqldrv_word(p, "DROP") ? 4 : 5));
    if (create && mysqldrv_word(p, "OR"))
        p = mysqldrv_skip_space(mysqldrv_skip_space(p + 2) + 7);
    if (create && mysqldrv_word(p, "DEFINER")) { /* DEFINER = account, up to the next word */
        p = mysqldrv_skip_space(mysqldrv_skip_space(p + 7) + 1);
        while (*p && !isspace((unsigned char)*p))
            p += *p == '`' || *p == '\'' ? 1 + strcspn(p + 1, *p == '`' ? "`" : "'") + 1 : 1;
        p = mysqldrv_skip_space(p);
    }
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        if (!mysqldrv_word(p, kinds[i]))
            continue;
        p = mysqldrv_skip_space(p + strlen(kinds[i]));
        for (size_t k = 0; k < sizeof skip / sizeof *skip; k++)
            if (mysqldrv_word(p, skip[k]))
                p = mysqldrv_skip_space(p + strlen(skip[k]));
        h->buf_reset(name);
        if (!mysqldrv_account_part(h, p, name))
            return NULL;
        static const char *const low[] = {"function", "procedure", "event", "trigger"};
        return low[i];
    }
    return NULL;
}

int mysqldrv_fail_stmt(cairn_dconn *c, const char *sql)
{
    const cairn_host *h = c->s->host;
    cairn_buf *name = h->buf_new(c->s->hc);
    const char *kind = name ? mysqldrv_stmt_object(h, sql, name) : NULL;
    int rc;
    if (kind && !h->buf_status(name)) {
        const char *st = mysql_sqlstate(c->my);
        rc = h->error(c->s->hc, CAIRN_EDB, st, "mysql: %s `%s`: ERROR %u (%s): %s", kind,
                      h->buf_cstr(name), mysql_errno(c->my), st, mysql_error(c->my));
    } else {
        rc = mysqldrv_fail(c, CAIRN_EDB);
    }
    h->buf_free(name);
    return rc;
}

/* ---- an event the server drops or disables as it makes it ---------------------- */

/* After a statement that ran with notes: a CREATE / ALTER EVENT whose time
 * is in the past gets a note, not an error (1588: dropped at once; 1544:
 * kept disabled, then dropped here), and the event would never match the
 * schema: an error naming it. */
int mysqldrv_exec_warnings(cairn_dconn *c, const char *sql)
{
    const cairn_host *h = c->s->host;
    cairn_buf *name = h->buf_new(c->s->hc), *msg = h->buf_new(c->s->hc);
    const char *kind = name && msg ? mysqldrv_stmt_object(h, sql, name) : NULL;
    if (!kind || strcmp(kind, "event")) {
        h->buf_free(name);
        h->buf_free(msg);
        return 0;
    }
    MYSQL_RES *res = NULL;
    int rc = 0;
    if (mysql_query(c->my, "SHOW WARNINGS") || !(res = mysql_store_result(c->my)))
        rc = mysqldrv_fail(c, CAIRN_EDB);
    MYSQL_ROW row;
    unsigned long code = 0;
    while (!code && res && (row = mysql_fetch_row(res))) {
        code = row[1] ? strtoul(row[1], NULL, 10) : 0;
        if (code == 1588 || code == 1544)
            h->buf_printf(msg, "%s", row[2] ? row[2] : "");
        else
            code = 0;
    }
    if (res)
        mysql_free_result(res);
    /* 1544 leaves the event there, disabled: take it away, so the
     * statement changed nothing, as 1588 does */
    if (!rc && code == 1544) {
        cairn_buf *drop = h->buf_new(c->s->hc);
        if (drop) {
            h->buf_puts(drop, "DROP EVENT IF EXISTS ");
            h->buf_quote(drop, h->buf_cstr(name), '`');
            if (!h->buf_status(drop) && mysql_query(c->my, h->buf_cstr(drop)))
                h->debug(c->s->hc, "mysql: %s: %s", h->buf_cstr(drop), mysql_error(c->my));
        }
        h->buf_free(drop);
    }
    if (!rc && code)
        rc = h->error(c->s->hc, CAIRN_EDB, "HY000", "mysql: event `%s`: ERROR %lu (HY000): %s%s",
                      h->buf_cstr(name), code, h->buf_cstr(msg),
                      code == 1544 ? "; cairn dropped it again" : "");
    h->buf_free(msg);
    h->buf_free(name);
    return rc;
}
