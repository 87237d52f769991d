/*
 * cairn — the PostgreSQL dialect driver (libpq).
 *
 * A MODULE loaded by the core with dlopen: it sees the core only through
 * the cairn_host table given to `open`, and exports one constant table,
 * cairn_dialect_entry. Introspection reads pg_catalog with a fixed number of
 * queries (one per object kind, over every selected table at once) and joins
 * the rows in C, so a database of 5000 tables costs the same round trips as
 * one of 5.
 *
 * This file: the entry table, the session, connections, statements and
 * transactions, and error reports. The rest, by concern: pgdrv_text.c
 * (reading SQL text), pgdrv_norm.c, pgdrv_introspect.c, pgdrv_emit*.c,
 * pgdrv_history.c (history table, advisory lock), pgdrv_scratch.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgdrv.h"

#define PGDRV_VERSION "0.1.0"

static cairn_dialect_open_fn pgdrv_open;
static cairn_dialect_close_fn pgdrv_close;
static cairn_dialect_connect_fn pgdrv_connect;
static cairn_dialect_disconnect_fn pgdrv_disconnect;
static cairn_dialect_exec_fn pgdrv_exec;
static cairn_dialect_txn_fn pgdrv_begin;
static cairn_dialect_txn_fn pgdrv_commit;
static cairn_dialect_txn_fn pgdrv_rollback;
static cairn_dialect_describe_fn pgdrv_describe;
static cairn_dialect_query_fn pgdrv_rows;

static const char *const pgdrv_schemes[] = {"postgres", "postgresql", NULL};

/* Which type changes keep every value (names as format_type prints them,
 * and their aliases); a change between names not listed is flagged. */
static const cairn_type_family pgdrv_types[] = {
    {"smallint", CAIRN_TYPE_INTEGER, 1, 0},
    {"int2", CAIRN_TYPE_INTEGER, 1, 0},
    {"integer", CAIRN_TYPE_INTEGER, 2, 0},
    {"int", CAIRN_TYPE_INTEGER, 2, 0},
    {"int4", CAIRN_TYPE_INTEGER, 2, 0},
    {"bigint", CAIRN_TYPE_INTEGER, 3, 0},
    {"int8", CAIRN_TYPE_INTEGER, 3, 0},
    {"real", CAIRN_TYPE_FLOAT, 1, 0},
    {"float4", CAIRN_TYPE_FLOAT, 1, 0},
    {"double precision", CAIRN_TYPE_FLOAT, 2, 0},
    {"float8", CAIRN_TYPE_FLOAT, 2, 0},
    {"char", CAIRN_TYPE_STRING, 1, 0},
    {"character", CAIRN_TYPE_STRING, 1, 0},
    {"varchar", CAIRN_TYPE_STRING, 2, CAIRN_TYPE_BARE_UNBOUNDED},
    {"character varying", CAIRN_TYPE_STRING, 2, CAIRN_TYPE_BARE_UNBOUNDED},
    {"text", CAIRN_TYPE_STRING, 3, CAIRN_TYPE_BARE_UNBOUNDED},
    {"numeric", CAIRN_TYPE_DECIMAL, 1, CAIRN_TYPE_BARE_UNBOUNDED},
    {"decimal", CAIRN_TYPE_DECIMAL, 1, CAIRN_TYPE_BARE_UNBOUNDED},
    /* a schema file's serial is identity "auto" (normalize_type gives the
     * integer type) */
    {"smallserial", CAIRN_TYPE_INTEGER, 1, CAIRN_TYPE_AUTO_NUMBERED},
    {"serial2", CAIRN_TYPE_INTEGER, 1, CAIRN_TYPE_AUTO_NUMBERED},
    {"serial", CAIRN_TYPE_INTEGER, 2, CAIRN_TYPE_AUTO_NUMBERED},
    {"serial4", CAIRN_TYPE_INTEGER, 2, CAIRN_TYPE_AUTO_NUMBERED},
    {"bigserial", CAIRN_TYPE_INTEGER, 3, CAIRN_TYPE_AUTO_NUMBERED},
    {"serial8", CAIRN_TYPE_INTEGER, 3, CAIRN_TYPE_AUTO_NUMBERED},
    {NULL, CAIRN_TYPE_END, 0, 0}};

CAIRN_PLUGIN_EXPORT const cairn_dialect cairn_dialect_entry = {
    CAIRN_DIALECT_INIT,
    .name = "postgresql",
    .version = PGDRV_VERSION,
    .schemes = pgdrv_schemes,
    .caps = CAIRN_CAP_TRANSACTIONAL_DDL | CAIRN_CAP_PK_NOT_NULL | CAIRN_CAP_SCHEMAS | CAIRN_CAP_ENUMS |
            CAIRN_CAP_SEQUENCES | CAIRN_CAP_ALTER_COLUMN_TYPE | CAIRN_CAP_ADVISORY_LOCK |
            CAIRN_CAP_PARTIAL_INDEX | CAIRN_CAP_EXPRESSION_INDEX | CAIRN_CAP_COMMENTS |
            CAIRN_CAP_IDENTITY | CAIRN_CAP_GENERATED | CAIRN_CAP_MATERIALIZED_VIEWS |
            CAIRN_CAP_SCRATCH | CAIRN_CAP_FKEY_NEEDS_TARGET | CAIRN_CAP_OBJECTS |
            CAIRN_CAP_CONSTRAINT_OPTIONS | CAIRN_CAP_CONSTRAINT_COMMENTS,
    .quote = '"',
    .open = pgdrv_open,
    .close = pgdrv_close,
    .connect = pgdrv_connect,
    .disconnect = pgdrv_disconnect,
    .exec = pgdrv_exec,
    .begin = pgdrv_begin,
    .commit = pgdrv_commit,
    .rollback = pgdrv_rollback,
    .introspect = pgdrv_introspect,
    .normalize_type = pgdrv_normalize_type,
    .normalize_default = pgdrv_normalize_default,
    .emit = pgdrv_emit,
    .history_ensure = pgdrv_history_ensure,
    .history_list = pgdrv_history_list,
    .history_record = pgdrv_history_record,
    .history_remove = pgdrv_history_remove,
    .lock = pgdrv_lock,
    .unlock = pgdrv_unlock,
    .scratch_connect = pgdrv_scratch_connect,
    .scratch_release = pgdrv_scratch_release,
    .describe = pgdrv_describe,
    .type_families = pgdrv_types,
    /* NAMEDATALEN - 1: a longer name is cut by the server */
    .ident_max_bytes = 63,
    .query = pgdrv_rows,
    .hazards = pgdrv_hazards,
    .object_recreates = pgdrv_object_recreates,
    .normalize_object = pgdrv_normalize_object,
    .type_names = pgdrv_type_names,
    .normalize_schema = pgdrv_normalize_schema,
    .default_namespace = "public",
};

static int pgdrv_open(const cairn_host *host, cairn_hostctx *hc, cairn_dsession **out)
{
    /* Host ABI 1.1 at least: buffers and statement lists keep their first
     * failure (buf_status, stmts_status), so appends go unchecked and the
     * status is asked once, before a text is used. */
    if (host->abi_major != CAIRN_HOST_ABI_MAJOR || host->struct_size < CAIRN_HOST_1_0_SIZE)
        return host->error(hc, CAIRN_EABI, NULL,
                           "postgresql: host ABI %u.%u is not supported (need %d.%d)",
                           (unsigned)host->abi_major, (unsigned)host->abi_minor,
                           CAIRN_HOST_ABI_MAJOR, CAIRN_HOST_ABI_MINOR);
    if (!CAIRN_HOST_HAS(host, buf_status) || !CAIRN_HOST_HAS(host, stmts_status))
        return host->error(hc, CAIRN_EABI, NULL,
                           "postgresql: host ABI %u.%u is too old (need 1.1)",
                           (unsigned)host->abi_major, (unsigned)host->abi_minor);
    cairn_dsession *s = calloc(1, sizeof *s);
    if (!s)
        return host->error(hc, CAIRN_ENOMEM, NULL, "out of memory");
    s->host = host;
    s->hc = hc;
    *out = s;
    return 0;
}

static void pgdrv_close(cairn_dsession *s)
{
    free(s);
}

/* libpq messages end in a newline and may span lines ("DETAIL: ..."); the
 * core wants one line. Copies at most size-1 bytes. */
void pgdrv_one_line(char *dst, size_t size, const char *msg)
{
    size_t j = 0;
    int space = 0;
    for (const char *p = msg ? msg : ""; *p && j + 1 < size; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            space = 1;
            continue;
        }
        if (space && j > 0 && j + 2 < size)
            dst[j++] = ' ';
        space = 0;
        dst[j++] = *p;
    }
    while (j > 0 && dst[j - 1] == ' ')
        j--;
    dst[j] = '\0';
}

/* Replace every occurrence of `secret` in `msg` (in place) by "***". */
static void pgdrv_scrub(char *msg, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    if (n == 0)
        return;
    char *hit;
    while ((hit = strstr(msg, secret)) != NULL) {
        size_t rest = strlen(hit + n);
        memmove(hit + 3, hit + n, rest + 1);
        memcpy(hit, "***", 3);
    }
}

/* The password a connection string carries, malloc'd, or NULL. */
static char *pgdrv_url_password(const char *url)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &err);
    PQfreemem(err);
    if (!opts)
        return NULL;
    char *pw = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
            pw = strdup(o->val);
    PQconninfoFree(opts);
    return pw;
}

/* Report a failed result: SQLSTATE and the server's primary message (with
 * its detail), one line. */
/* Where the statement holding the error at `pos` (the server's 1-based
 * character position in `sql`) starts: after the last top-level ';'
 * before it, outside quotes, dollar quotes and comments. */
static size_t pgdrv_statement_start(const char *sql, const char *pos)
{
    long chars = strtol(pos, NULL, 10);
    size_t end = 0;
    for (; sql[end] && chars > 1; end++)
        if (((unsigned char)sql[end + 1] & 0xC0) != 0x80)
            chars--;
    size_t start = 0;
    for (size_t i = 0; i < end;) {
        if (sql[i] == '-' && sql[i + 1] == '-') {
            while (sql[i] && sql[i] != '\n')
                i++;
        } else if (sql[i] == '/' && sql[i + 1] == '*') {
            const char *e = strstr(sql + i + 2, "*/");
            i = e ? (size_t)(e - sql) + 2 : strlen(sql);
        } else if (sql[i] == '$' && (i == 0 || !pgdrv_is_ident_char(sql[i - 1]))) {
            size_t t = i + 1;
            while (pgdrv_is_ident_char(sql[t]) && !isdigit((unsigned char)sql[i + 1]))
                t++;
            if (sql[t] != '$') {
                i++;
                continue;
            }
            size_t tag = t - i + 1;
            const char *p = sql + t + 1, *e = NULL;
            for (; (p = strchr(p, '$')) != NULL; p++)
                if (strncmp(p, sql + i, tag) == 0) {
                    e = p;
                    break;
                }
            i = e ? (size_t)(e - sql) + tag : strlen(sql);
        } else if (sql[i] == ';') {
            start = ++i;
        } else {
            i = pgdrv_skip_token(sql, i);
        }
    }
    return start;
}

/* " (line 3: CREATE FUNCTION f() RETURNS int ...)": the statement of a
 * multi-statement text (or the one statement) that failed, named by its
 * first words, into where. */
static void pgdrv_error_statement(const char *sql, const char *pos, char *where, size_t size)
{
    where[0] = '\0';
    if (!sql || !pos)
        return;
    size_t b = pgdrv_statement_start(sql, pos);
    int line = 1;
    for (;;) {
        while (isspace((unsigned char)sql[b]))
            b++;
        if (sql[b] == '-' && sql[b + 1] == '-')
            while (sql[b] && sql[b] != '\n')
                b++;
        else
            break;
    }
    for (size_t i = 0; i < b; i++)
        line += sql[i] == '\n';
    char head[80];
    size_t n = 0;
    for (size_t i = b; sql[i] && n + 4 < sizeof head; i++)
        if (!isspace((unsigned char)sql[i]) || (n && head[n - 1] != ' '))
            head[n++] = isspace((unsigned char)sql[i]) ? ' ' : sql[i];
    int cut = sql[b + n] && n + 4 >= sizeof head;
    head[n] = '\0';
    /* a routine's body, or one statement of many (a .sql schema) */
    if (line > 1)
        snprintf(where, size, " (line %d: %s%s)", line, head, cut ? "..." : "");
    else if (strstr(head, "FUNCTION") || strstr(head, "PROCEDURE"))
        snprintf(where, size, " (%s%s)", head, cut ? "..." : "");
}

/* A position for an error the server gives none: an unknown storage
 * parameter (22023, 'unrecognized parameter "fillfactr"'), a missing table
 * (42P01, 'relation "nosuch" does not exist': a policy's, a rule's) or
 * object (42704) is found where the text first names it as a word, so a
 * .sql schema's failing statement is named too. Into buf (a 1-based
 * character position, as the server's), or NULL. */
static const char *pgdrv_guess_position(const char *sql, const char *state, const char *prim,
                                        char *buf, size_t size)
{
    int known = state && (!strcmp(state, "22023") || !strcmp(state, "42P01") ||
                          !strcmp(state, "42704"));
    const char *q = prim && known ? strchr(prim, '"') : NULL;
    const char *e = q ? strchr(q + 1, '"') : NULL;
    size_t n = e ? (size_t)(e - q - 1) : 0;
    for (size_t i = 0; n && sql && sql[i]; i++) {
        if (strncasecmp(sql + i, q + 1, n) != 0 || pgdrv_is_ident_char(sql[i + n]) ||
            (i && (pgdrv_is_ident_char(sql[i - 1]) || sql[i - 1] == '.')))
            continue;
        long chars = 1;
        for (size_t k = 0; k < i; k++)
            chars += ((unsigned char)sql[k] & 0xC0) != 0x80;
        snprintf(buf, size, "%ld", chars);
        return buf;
    }
    return NULL;
}

static int pgdrv_result_error(cairn_dconn *c, const PGresult *res, const char *what,
                              const char *sql)
{
    const cairn_host *h = c->s->host;
    char line[1024], detail[512], where[128];
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *prim = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *det = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    /* a CREATE that failed (a function body that does not compile) is
     * named: the server's message alone does not say which */
    const char *pos = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;
    char guess[32];
    if (!pos)
        pos = pgdrv_guess_position(sql, state, prim, guess, sizeof guess);
    pgdrv_error_statement(sql, pos, where, sizeof where);
    pgdrv_one_line(line, sizeof line - sizeof where, prim ? prim : PQerrorMessage(c->pg));
    strcat(line, where);
    pgdrv_one_line(detail, sizeof detail, det);
    int code = CAIRN_EDB;
    if (!res)
        code = CAIRN_ENOMEM;
    if (detail[0])
        return h->error(c->s->hc, code, state, "postgresql: %s: %s (%s)", what, line, detail);
    return h->error(c->s->hc, code, state, "postgresql: %s: %s", what, line);
}

void pgdrv_notice(void *arg, const char *message)
{
    cairn_dconn *c = arg;
    char line[1024];
    pgdrv_one_line(line, sizeof line, message);
    c->s->host->debug(c->s->hc, "postgresql: %s", line);
}

/* Connect with a libpq URL or conninfo; `dbname`, when set, replaces the
 * database the URL names (scratch databases). */
int pgdrv_open_pg(cairn_dsession *s, const char *url, const char *dbname, PGconn **out)
{
    /* Later entries override earlier ones: the URL's connect_timeout (or
     * PGCONNECT_TIMEOUT) wins over our 10 s, so a deploy never hangs on an
     * unreachable host; `dbname` wins over the URL's database. */
    const char *keys[5], *vals[5];
    int n = 0;
    if (!getenv("PGCONNECT_TIMEOUT")) {
        keys[n] = "connect_timeout";
        vals[n++] = "10";
    }
    keys[n] = "dbname";
    vals[n++] = url;
    if (dbname) {
        keys[n] = "dbname";
        vals[n++] = dbname;
    }
    keys[n] = "fallback_application_name";
    vals[n++] = "cairn";
    keys[n] = NULL;
    vals[n] = NULL;
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (!pg)
        return s->host->error(s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    if (PQstatus(pg) != CONNECTION_OK) {
        char line[1024];
        pgdrv_one_line(line, sizeof line, PQerrorMessage(pg));
        char *pw = pgdrv_url_password(url);
        pgdrv_scrub(line, pw);
        free(pw);
        PQfinish(pg);
        /* libpq does not expose the server's SQLSTATE for a refused
         * connection: 08001 is "unable to establish connection". */
        return s->host->error(s->hc, CAIRN_EDB, "08001", "postgresql: cannot connect: %s", line);
    }
    *out = pg;
    return 0;
}

int pgdrv_wrap(cairn_dsession *s, PGconn *pg, cairn_dconn **out)
{
    cairn_dconn *c = calloc(1, sizeof *c);
    if (!c) {
        PQfinish(pg);
        return s->host->error(s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    }
    c->s = s;
    c->pg = pg;
    /* libpq has it from the server's startup message: no query. */
    c->server_version = PQserverVersion(pg);
    s->server_version = c->server_version;
    /* Notices (CREATE ... IF NOT EXISTS skipping) go to the verbose log,
     * not to stderr. */
    PQsetNoticeProcessor(pg, pgdrv_notice, c);
    *out = c;
    return 0;
}

static int pgdrv_connect(cairn_dsession *s, const char *url, cairn_dconn **out)
{
    PGconn *pg = NULL;
    int rc = pgdrv_open_pg(s, url, NULL, &pg);
    if (rc)
        return rc;
    return pgdrv_wrap(s, pg, out);
}

static void pgdrv_disconnect(cairn_dconn *c)
{
    if (!c)
        return;
    if (c->scratch_name) {
        pgdrv_scratch_release(c);
        return;
    }
    PQfinish(c->pg);
    free(c);
}

/* Run one statement with text parameters; on success *res holds the result
 * (caller clears it). */
int pgdrv_query(cairn_dconn *c, const char *sql, int nparams, const char *const *params,
                PGresult **res)
{
    if (res)
        *res = NULL;
    c->nqueries++;
    PGresult *r = nparams ? PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0)
                          : PQexec(c->pg, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
        int rc = pgdrv_result_error(c, r, "statement failed", sql);
        PQclear(r);
        return rc;
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return 0;
}

int pgdrv_query_buf(cairn_dconn *c, const cairn_buf *b, int nparams, const char *const *params,
                    PGresult **res)
{
    const cairn_host *h = c->s->host;
    if (res)
        *res = NULL;
    int rc = h->buf_status(b);
    return rc ? rc : pgdrv_query(c, h->buf_cstr(b), nparams, params, res);
}

/* A CREATE INDEX CONCURRENTLY cut off while it ran (the client killed, the
 * statement cancelled) leaves its index behind INVALID, and running the
 * statement again fails on the name. Before running one, drop such a
 * leftover of the same name on the same table; a valid index is left
 * alone (the statement then fails as it should, or IF NOT EXISTS skips). */
static int drop_invalid_index(cairn_dconn *c, const char *sql)
{
    char *name, *table;
    if (!pgdrv_concurrent_index(sql, &name, &table))
        return 0;
    const char *params[2] = {name, table};
    PGresult *res = NULL;
    int rc = pgdrv_query(c,
                         "SELECT pg_catalog.format('DROP INDEX CONCURRENTLY %I.%I', n.nspname,"
                         " ic.relname) FROM pg_catalog.pg_index i"
                         " JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
                         " JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace"
                         " WHERE ic.relname = $1 AND i.indrelid = pg_catalog.to_regclass($2)"
                         " AND NOT i.indisvalid",
                         2, params, &res);
    if (!rc && PQntuples(res) == 1) {
        char *drop = strdup(PQgetvalue(res, 0, 0));
        c->s->host->debug(c->s->hc,
                          "postgresql: index %s is INVALID (a CREATE INDEX CONCURRENTLY was cut "
                          "off): dropped before it is created again",
                          name);
        rc = drop ? pgdrv_query(c, drop, 0, NULL, NULL)
                  : c->s->host->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
        free(drop);
    }
    PQclear(res);
    free(name);
    free(table);
    return rc;
}

static int pgdrv_exec(cairn_dconn *c, const char *sql)
{
    if (!c->scratch_name) {
        int rc = drop_invalid_index(c, sql);
        return rc ? rc : pgdrv_query(c, sql, 0, NULL, NULL);
    }
    /* A schema file goes to a scratch database as one script, an implicit
     * transaction, where CREATE INDEX CONCURRENTLY cannot run; in an empty
     * database it makes the same index. */
    char *plain = pgdrv_strip_concurrently(sql);
    if (!plain)
        return c->s->host->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    int rc = pgdrv_query(c, plain, 0, NULL, NULL);
    free(plain);
    return rc;
}

static int pgdrv_rows(cairn_dconn *c, const char *sql, cairn_row_fn *row, void *ud)
{
    PGresult *res = NULL;
    int rc = pgdrv_query(c, sql, 0, NULL, &res);
    int ncols = rc ? 0 : PQnfields(res);
    const char **values = calloc(ncols ? (size_t)ncols : 1, sizeof *values);
    if (!rc && !values)
        rc = c->s->host->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    for (int r = 0; !rc && r < PQntuples(res); r++) {
        for (int i = 0; i < ncols; i++)
            values[i] = PQgetisnull(res, r, i) ? NULL : PQgetvalue(res, r, i);
        rc = row(ud, (size_t)ncols, values);
    }
    free(values);
    PQclear(res);
    return rc;
}

static int pgdrv_begin(cairn_dconn *c)
{
    return pgdrv_query(c, "BEGIN", 0, NULL, NULL);
}

static int pgdrv_commit(cairn_dconn *c)
{
    return pgdrv_query(c, "COMMIT", 0, NULL, NULL);
}

static int pgdrv_rollback(cairn_dconn *c)
{
    return pgdrv_query(c, "ROLLBACK", 0, NULL, NULL);
}

static int pgdrv_describe(cairn_dconn *c, cairn_buf *out)
{
    const cairn_host *h = c->s->host;
    const char *host = PQhost(c->pg), *port = PQport(c->pg);
    h->buf_printf(out, "postgresql://%s@", PQuser(c->pg));
    if (host && host[0] != '/')
        h->buf_printf(out, "%s:%s", host, port ? port : "5432");
    h->buf_printf(out, "/%s", PQdb(c->pg));
    if (host && host[0] == '/')
        h->buf_printf(out, "?host=%s&port=%s", host, port ? port : "5432");
    return h->buf_status(out);
}
