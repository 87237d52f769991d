/*
 * cairn dialect driver for MySQL and MariaDB (MariaDB Connector/C): the
 * entry table, sessions, connections, statements, transactions, errors and
 * scratch databases. Introspection: mysqldrv_introspect.c; history store
 * and migration lock: mysqldrv_history.c; types and defaults:
 * mysqldrv_norm.c; DDL: mysqldrv_emit.c and mysqldrv_clause.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "mysqldrv.h"

static cairn_dialect_open_fn mysqldrv_open;
static cairn_dialect_close_fn mysqldrv_close;
static cairn_dialect_connect_fn mysqldrv_connect;
static cairn_dialect_disconnect_fn mysqldrv_disconnect;
static cairn_dialect_txn_fn mysqldrv_begin;
static cairn_dialect_txn_fn mysqldrv_commit;
static cairn_dialect_txn_fn mysqldrv_rollback;
static cairn_dialect_scratch_connect_fn mysqldrv_scratch_connect;
static cairn_dialect_scratch_release_fn mysqldrv_scratch_release;
static cairn_dialect_describe_fn mysqldrv_describe;
static cairn_dialect_query_fn mysqldrv_rows;

static const char *const mysqldrv_schemes[] = {"mysql", "mariadb", NULL};

/* Which type changes keep every value (canonical names, as normalize_type
 * writes them); a change between names not listed is flagged as lossy. */
static const cairn_type_family mysqldrv_types[] = {
    {"tinyint", CAIRN_TYPE_INTEGER, 1, 0},
    {"smallint", CAIRN_TYPE_INTEGER, 2, 0},
    {"mediumint", CAIRN_TYPE_INTEGER, 3, 0},
    {"int", CAIRN_TYPE_INTEGER, 4, 0},
    {"integer", CAIRN_TYPE_INTEGER, 4, 0},
    {"bigint", CAIRN_TYPE_INTEGER, 5, 0},
    {"float", CAIRN_TYPE_FLOAT, 1, 0},
    {"real", CAIRN_TYPE_FLOAT, 1, 0},
    {"double", CAIRN_TYPE_FLOAT, 2, 0},
    {"double precision", CAIRN_TYPE_FLOAT, 2, 0},
    {"char", CAIRN_TYPE_STRING, 1, 0},
    {"varchar", CAIRN_TYPE_STRING, 2, CAIRN_TYPE_BARE_UNBOUNDED},
    {"text", CAIRN_TYPE_STRING, 3, CAIRN_TYPE_BARE_UNBOUNDED},
    {"mediumtext", CAIRN_TYPE_STRING, 4, CAIRN_TYPE_BARE_UNBOUNDED},
    {"longtext", CAIRN_TYPE_STRING, 5, CAIRN_TYPE_BARE_UNBOUNDED},
    {"decimal", CAIRN_TYPE_DECIMAL, 1, CAIRN_TYPE_BARE_UNBOUNDED},
    {"numeric", CAIRN_TYPE_DECIMAL, 1, CAIRN_TYPE_BARE_UNBOUNDED},
    {NULL, CAIRN_TYPE_END, 0, 0}};

CAIRN_PLUGIN_EXPORT const cairn_dialect cairn_dialect_entry = {
    CAIRN_DIALECT_INIT,
    .name = "mysql",
    .version = "0.1.0",
    .schemes = mysqldrv_schemes,
    .caps = CAIRN_CAP_PK_NOT_NULL | CAIRN_CAP_ALTER_COLUMN_TYPE | CAIRN_CAP_ADVISORY_LOCK | CAIRN_CAP_EXPRESSION_INDEX |
            CAIRN_CAP_COMMENTS | CAIRN_CAP_GENERATED | CAIRN_CAP_SCRATCH |
            CAIRN_CAP_IDENT_NO_TRAILING_SPACE | CAIRN_CAP_IDENT_BMP_ONLY |
            CAIRN_CAP_FKEY_NEEDS_TARGET | CAIRN_CAP_CLIENT_DELIMITER |
            CAIRN_CAP_COLUMN_ORDER | CAIRN_CAP_OBJECTS | CAIRN_CAP_PRIMARY_KEY_COMMENT,
    .quote = '`',
    .open = mysqldrv_open,
    .close = mysqldrv_close,
    .connect = mysqldrv_connect,
    .disconnect = mysqldrv_disconnect,
    .exec = mysqldrv_exec,
    .begin = mysqldrv_begin,
    .commit = mysqldrv_commit,
    .rollback = mysqldrv_rollback,
    .introspect = mysqldrv_introspect,
    .normalize_type = mysqldrv_normalize_type,
    .normalize_default = mysqldrv_normalize_default,
    .emit = mysqldrv_emit,
    .history_ensure = mysqldrv_history_ensure,
    .history_list = mysqldrv_history_list,
    .history_record = mysqldrv_history_record,
    .history_remove = mysqldrv_history_remove,
    .lock = mysqldrv_lock,
    .unlock = mysqldrv_unlock,
    .scratch_connect = mysqldrv_scratch_connect,
    .scratch_release = mysqldrv_scratch_release,
    .normalize_schema = mysqldrv_normalize_schema,
    .describe = mysqldrv_describe,
    .normalize_expr = mysqldrv_normalize_expr,
    .type_families = mysqldrv_types,
    .ident_max_chars = 64,
    .query = mysqldrv_rows,
    .hazards = mysqldrv_hazards,
    .type_names = mysqldrv_type_names,
    .order = mysqldrv_order,
};

/* ---- session -------------------------------------------------------------- */

static int mysqldrv_open(const cairn_host *host, cairn_hostctx *hc, cairn_dsession **out)
{
    if (host->abi_major != CAIRN_HOST_ABI_MAJOR || host->struct_size < CAIRN_HOST_1_0_SIZE)
        return host->error(hc, CAIRN_EABI, NULL,
                           "mysql: host table %u.%u (%u bytes) is too old for this driver",
                           (unsigned)host->abi_major, (unsigned)host->abi_minor,
                           (unsigned)host->struct_size);
    /* SQL is written with unchecked appends and the first failure asked
     * once (buf_status, stmts_status): a 1.0 host's buffer could drop one
     * append and take the next, leaving a statement with a hole in it */
    if (!CAIRN_HOST_HAS(host, buf_status) || !CAIRN_HOST_HAS(host, stmts_status))
        return host->error(hc, CAIRN_EABI, NULL, "mysql: host ABI %u.%u is too old (need 1.1)",
                           (unsigned)host->abi_major, (unsigned)host->abi_minor);
    /* process-wide and idempotent: later calls return at once */
    if (mysql_library_init(0, NULL, NULL))
        return host->error(hc, CAIRN_EDIALECT, NULL, "mysql: the client library failed to start");
    cairn_dsession *s = calloc(1, sizeof *s);
    if (!s)
        return host->error(hc, CAIRN_ENOMEM, NULL, "out of memory");
    s->host = host;
    s->hc = hc;
    *out = s;
    return 0;
}

static void mysqldrv_close(cairn_dsession *s)
{
    free(s);
}

/* ---- errors ---------------------------------------------------------------- */

int mysqldrv_fail(cairn_dconn *c, int code)
{
    const char *st = mysql_sqlstate(c->my);
    return c->s->host->error(c->s->hc, code, st, "mysql: ERROR %u (%s): %s", mysql_errno(c->my),
                             st, mysql_error(c->my));
}

/* ---- URL ------------------------------------------------------------------- */

typedef struct mysqldrv_url {
    char *user, *password, *host, *db, *socket;
    unsigned port;
    char *ssl_mode, *ssl_ca, *ssl_capath, *ssl_cert, *ssl_key, *charset, *definer;
    unsigned connect_timeout;
} mysqldrv_url;

static void mysqldrv_url_free(mysqldrv_url *u)
{
    free(u->user);
    free(u->password);
    free(u->host);
    free(u->db);
    free(u->socket);
    free(u->ssl_mode);
    free(u->ssl_ca);
    free(u->ssl_capath);
    free(u->ssl_cert);
    free(u->ssl_key);
    free(u->charset);
    free(u->definer);
    memset(u, 0, sizeof *u);
}

static int mysqldrv_hex(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = tolower(ch);
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Percent-decode s[0..n) (malloc'd); NULL on a bad escape or no memory. */
static char *mysqldrv_decode(const char *s, size_t n)
{
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int a = i + 2 < n ? mysqldrv_hex((unsigned char)s[i + 1]) : -1;
            int b = a >= 0 ? mysqldrv_hex((unsigned char)s[i + 2]) : -1;
            if (a < 0 || b < 0) {
                free(o);
                return NULL;
            }
            o[k++] = (char)(a * 16 + b);
            i += 2;
        } else {
            o[k++] = s[i];
        }
    }
    o[k] = 0;
    return o;
}

/* The URL's parameters, after its '?': "socket=...&ssl-mode=...". The URL
 * is freed on an error. */
static int mysqldrv_url_params(cairn_dsession *s, const char *p, mysqldrv_url *u)
{
    const cairn_host *h = s->host;
    while (*p) {
        size_t n = strcspn(p, "&");
        const char *eq = memchr(p, '=', n);
        size_t kl = eq ? (size_t)(eq - p) : n;
        char *v = eq ? mysqldrv_decode(eq + 1, n - kl - 1) : strdup("");
        if (!v) {
            mysqldrv_url_free(u);
            return h->error(s->hc, CAIRN_ECONFIG, NULL,
                            "mysql: bad percent-encoding in the URL");
        }
        char **slot = NULL;
#define KEY(k) (kl == strlen(k) && !strncmp(p, k, kl))
        if (KEY("socket"))
            slot = &u->socket;
        else if (KEY("ssl-mode") || KEY("sslmode") || KEY("ssl_mode"))
            slot = &u->ssl_mode;
        else if (KEY("ssl-ca") || KEY("sslca") || KEY("ssl_ca"))
            slot = &u->ssl_ca;
        else if (KEY("ssl-capath") || KEY("ssl_capath"))
            slot = &u->ssl_capath;
        else if (KEY("ssl-cert") || KEY("sslcert") || KEY("ssl_cert"))
            slot = &u->ssl_cert;
        else if (KEY("ssl-key") || KEY("sslkey") || KEY("ssl_key"))
            slot = &u->ssl_key;
        else if (KEY("charset"))
            slot = &u->charset;
        else if (KEY("definer"))
            slot = &u->definer;
        else if (KEY("connect-timeout") || KEY("connect_timeout")) {
            u->connect_timeout = (unsigned)strtoul(v, NULL, 10);
            free(v);
            v = NULL;
        }
#undef KEY
        else {
            free(v);
            int rc = h->error(s->hc, CAIRN_ECONFIG, NULL,
                              "mysql: unknown URL parameter '%.*s' (socket, ssl-mode, "
                              "ssl-ca, ssl-capath, ssl-cert, ssl-key, charset, "
                              "connect-timeout, definer)", (int)kl, p);
            mysqldrv_url_free(u);
            return rc;
        }
        if (slot) {
            free(*slot);
            *slot = v;
        }
        p += n;
        if (*p == '&')
            p++;
    }
    return 0;
}

/* mysql://user:password@host:port/database?socket=...&ssl-mode=... */
static int mysqldrv_parse_url(cairn_dsession *s, const char *url, mysqldrv_url *u)
{
    const cairn_host *h = s->host;
    memset(u, 0, sizeof *u);
    const char *p = strstr(url, "://");
    if (!p || !((p - url == 5 && !strncasecmp(url, "mysql", 5)) ||
                (p - url == 7 && !strncasecmp(url, "mariadb", 7))))
        return h->error(s->hc, CAIRN_ECONFIG, NULL,
                        "mysql: the URL must start with mysql:// or mariadb://");
    p += 3;
    const char *end = p + strcspn(p, "/?");
    const char *at = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '@')
            at = q; /* the last '@': a password may hold one, encoded or not */
    int bad = 0;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        u->user = mysqldrv_decode(p, (size_t)((colon ? colon : at) - p));
        bad |= !u->user;
        if (colon) {
            u->password = mysqldrv_decode(colon + 1, (size_t)(at - colon - 1));
            bad |= !u->password;
        }
        p = at + 1;
    }
    const char *hend = end;
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(end - p));
        if (!rb) {
            mysqldrv_url_free(u);
            return h->error(s->hc, CAIRN_ECONFIG, NULL, "mysql: bad IPv6 host in the URL");
        }
        u->host = mysqldrv_decode(p + 1, (size_t)(rb - p - 1));
        bad |= !u->host;
        p = rb + 1;
    } else {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        hend = colon ? colon : end;
        if (hend > p) {
            u->host = mysqldrv_decode(p, (size_t)(hend - p));
            bad |= !u->host;
        }
        p = hend;
    }
    if (*p == ':' && p < end) {
        char *e = NULL;
        unsigned long port = strtoul(p + 1, &e, 10);
        if (e != end || port == 0 || port > 65535) {
            mysqldrv_url_free(u);
            return h->error(s->hc, CAIRN_ECONFIG, NULL, "mysql: bad port in the URL");
        }
        u->port = (unsigned)port;
    }
    p = end;
    if (*p == '/') {
        p++;
        size_t n = strcspn(p, "?");
        if (n) {
            u->db = mysqldrv_decode(p, n);
            bad |= !u->db;
        }
        p += n;
    }
    if (bad) {
        mysqldrv_url_free(u);
        return h->error(s->hc, CAIRN_ECONFIG, NULL, "mysql: bad percent-encoding in the URL");
    }
    return *p == '?' ? mysqldrv_url_params(s, p + 1, u) : 0;
}

static char *mysqldrv_describe_url(const mysqldrv_url *u)
{
    size_t n = 64 + (u->user ? strlen(u->user) : 0) + (u->host ? strlen(u->host) : 0) +
               (u->db ? strlen(u->db) : 0) + (u->socket ? strlen(u->socket) : 0);
    char *d = malloc(n);
    if (!d)
        return NULL;
    int k = snprintf(d, n, "mysql://%s%s%s", u->user ? u->user : "", u->user ? "@" : "",
                     u->host ? u->host : "");
    if (u->port)
        k += snprintf(d + k, n - (size_t)k, ":%u", u->port);
    k += snprintf(d + k, n - (size_t)k, "/%s", u->db ? u->db : "");
    if (u->socket)
        snprintf(d + k, n - (size_t)k, "?socket=%s", u->socket);
    return d;
}

/* ---- connections ----------------------------------------------------------- */

/* TLS modes, set the way the client library in use understands them:
 * MariaDB Connector/C has ENFORCE + VERIFY_SERVER_CERT, Oracle's
 * libmysqlclient 8 has MYSQL_OPT_SSL_MODE. */
enum { MYSQLDRV_TLS_OFF, MYSQLDRV_TLS_PREFER, MYSQLDRV_TLS_REQUIRE, MYSQLDRV_TLS_VERIFY };

static void mysqldrv_tls_mode(MYSQL *my, int mode)
{
#ifdef MARIADB_PACKAGE_VERSION
    my_bool enforce = mode >= MYSQLDRV_TLS_REQUIRE, verify = mode == MYSQLDRV_TLS_VERIFY;
    mysql_options(my, MYSQL_OPT_SSL_ENFORCE, &enforce);
    mysql_options(my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
#else
    unsigned int m = mode == MYSQLDRV_TLS_OFF       ? SSL_MODE_DISABLED
                     : mode == MYSQLDRV_TLS_PREFER  ? SSL_MODE_PREFERRED
                     : mode == MYSQLDRV_TLS_REQUIRE ? SSL_MODE_REQUIRED
                                                    : SSL_MODE_VERIFY_IDENTITY;
    mysql_options(my, MYSQL_OPT_SSL_MODE, &m);
#endif
}

/* Sets *required when the URL demands an encrypted connection. */
static int mysqldrv_tls(cairn_dsession *s, MYSQL *my, const mysqldrv_url *u, int *required)
{
    *required = 0;
    if (u->ssl_ca)
        mysql_options(my, MYSQL_OPT_SSL_CA, u->ssl_ca);
    if (u->ssl_capath)
        mysql_options(my, MYSQL_OPT_SSL_CAPATH, u->ssl_capath);
    if (u->ssl_cert)
        mysql_options(my, MYSQL_OPT_SSL_CERT, u->ssl_cert);
    if (u->ssl_key)
        mysql_options(my, MYSQL_OPT_SSL_KEY, u->ssl_key);
    if (!u->ssl_mode)
        return 0;
    const char *m = u->ssl_mode;
    if (!strcasecmp(m, "disabled") || !strcasecmp(m, "disable")) {
        mysqldrv_tls_mode(my, MYSQLDRV_TLS_OFF);
    } else if (!strcasecmp(m, "preferred") || !strcasecmp(m, "prefer")) {
        mysqldrv_tls_mode(my, MYSQLDRV_TLS_PREFER);
    } else if (!strcasecmp(m, "required") || !strcasecmp(m, "require")) {
        mysqldrv_tls_mode(my, MYSQLDRV_TLS_REQUIRE);
        *required = 1;
    } else if (!strcasecmp(m, "verify_ca") || !strcasecmp(m, "verify-ca") ||
               !strcasecmp(m, "verify_identity") || !strcasecmp(m, "verify-full") ||
               !strcasecmp(m, "verify-identity")) {
        mysqldrv_tls_mode(my, MYSQLDRV_TLS_VERIFY);
        *required = 1;
    } else {
        return s->host->error(s->hc, CAIRN_ECONFIG, NULL,
                              "mysql: unknown ssl-mode '%s' (disabled, preferred, required, "
                              "verify_ca, verify_identity)", m);
    }
    return 0;
}

static int mysqldrv_connect(cairn_dsession *s, const char *url, cairn_dconn **out)
{
    const cairn_host *h = s->host;
    mysqldrv_url u;
    int rc = mysqldrv_parse_url(s, url, &u);
    if (rc)
        return rc;
    cairn_dconn *c = calloc(1, sizeof *c);
    if (!c) {
        mysqldrv_url_free(&u);
        return h->error(s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    }
    c->s = s;
    c->definer = u.definer ? mysqldrv_definer_parse(u.definer) : MYSQLDRV_DEFINER_STRIP;
    if (c->definer < 0) {
        rc = h->error(s->hc, CAIRN_ECONFIG, NULL,
                      "mysql: unknown definer '%s' in the URL (strip, keep, current_user)",
                      u.definer);
        free(c);
        mysqldrv_url_free(&u);
        return rc;
    }
    c->my = mysql_init(NULL);
    if (!c->my) {
        free(c);
        mysqldrv_url_free(&u);
        return h->error(s->hc, CAIRN_ENOMEM, NULL, "mysql: out of memory");
    }
    mysql_options(c->my, MYSQL_SET_CHARSET_NAME, u.charset ? u.charset : "utf8mb4");
    /* Every literal cairn writes or reads (defaults, comments, a .sql
     * schema) is escaped as SHOW CREATE TABLE and mysqldump write it, with
     * backslashes: a server whose sql_mode has NO_BACKSLASH_ESCAPES would
     * store one backslash too many. The rest of its mode stays. */
    mysql_options(c->my, MYSQL_INIT_COMMAND,
                  "SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '')");
    unsigned timeout = u.connect_timeout ? u.connect_timeout : 30;
    mysql_options(c->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    int tls_required = 0;
    rc = mysqldrv_tls(s, c->my, &u, &tls_required);
    if (!rc) {
        /* multi-statements: exec runs a declarative schema.sql as one script */
        if (!mysql_real_connect(c->my, u.host, u.user, u.password, u.db, u.port, u.socket,
                                CLIENT_MULTI_STATEMENTS))
            rc = mysqldrv_fail(c, CAIRN_EDB);
        /* some client versions fall back to plain text when the server has
         * no TLS: a required TLS is checked, not assumed */
        else if (tls_required && !mysql_get_ssl_cipher(c->my))
            rc = h->error(s->hc, CAIRN_EDB, "08000",
                          "mysql: ssl-mode=%s but the server did not encrypt the connection",
                          u.ssl_mode);
    }
    if (!rc) {
        const char *info = mysql_get_server_info(c->my);
        c->mariadb = info && strstr(info, "MariaDB") != NULL;
        c->version = mysql_get_server_version(c->my);
        s->server_mariadb = c->mariadb;
        s->server_version = c->version;
        c->db = u.db ? strdup(u.db) : NULL;
        c->desc = mysqldrv_describe_url(&u);
        if ((u.db && !c->db) || !c->desc)
            rc = h->error(s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    }
    mysqldrv_url_free(&u);
    if (rc) {
        mysql_close(c->my);
        free(c->db);
        free(c->desc);
        free(c);
        return rc;
    }
    /* the flavour and version every server-dependent choice is made on */
    h->debug(s->hc, "mysql: connected to %s: %s %lu.%lu.%lu (server says %s)", c->desc,
             c->mariadb ? "MariaDB" : "MySQL", c->version / 10000, c->version / 100 % 100,
             c->version % 100, mysql_get_server_info(c->my));
    *out = c;
    return 0;
}

static void mysqldrv_disconnect(cairn_dconn *c)
{
    if (!c)
        return;
    mysql_close(c->my);
    free(c->db);
    free(c->desc);
    free(c->scratch_db);
    free(c);
}

int mysqldrv_exec(cairn_dconn *c, const char *sql)
{
    int handled, rc = mysqldrv_exec_settings(c, sql, &handled);
    if (handled)
        return rc;
    if (mysql_real_query(c->my, sql, strlen(sql)))
        return mysqldrv_fail_stmt(c, sql);
    /* a script of several statements: the notes of any of them */
    unsigned warned = 0;
    for (;;) {
        warned += mysql_warning_count(c->my);
        MYSQL_RES *r = mysql_store_result(c->my);
        if (r)
            mysql_free_result(r);
        else if (mysql_field_count(c->my))
            return mysqldrv_fail(c, CAIRN_EDB);
        int more = mysql_next_result(c->my);
        if (more > 0)
            return mysqldrv_fail(c, CAIRN_EDB);
        if (more < 0)
            return warned ? mysqldrv_exec_warnings(c, sql) : 0;
    }
}

/* The first result set's rows; any further results are read and dropped so
 * the connection is ready for the next statement. */
static int mysqldrv_rows(cairn_dconn *c, const char *sql, cairn_row_fn *row, void *ud)
{
    if (mysql_real_query(c->my, sql, strlen(sql)))
        return mysqldrv_fail(c, CAIRN_EDB);
    MYSQL_RES *r = mysql_store_result(c->my);
    if (!r && mysql_field_count(c->my))
        return mysqldrv_fail(c, CAIRN_EDB);
    int rc = 0;
    if (r) {
        size_t n = mysql_num_fields(r);
        MYSQL_ROW values;
        while (!rc && (values = mysql_fetch_row(r)))
            rc = row(ud, n, (const char *const *)values);
        mysql_free_result(r);
    }
    int more;
    while ((more = mysql_next_result(c->my)) == 0) {
        r = mysql_store_result(c->my);
        if (r)
            mysql_free_result(r);
    }
    return rc ? rc : more > 0 ? mysqldrv_fail(c, CAIRN_EDB) : 0;
}

static int mysqldrv_begin(cairn_dconn *c)
{
    return mysqldrv_exec(c, "START TRANSACTION");
}

static int mysqldrv_commit(cairn_dconn *c)
{
    return mysqldrv_exec(c, "COMMIT");
}

static int mysqldrv_rollback(cairn_dconn *c)
{
    return mysqldrv_exec(c, "ROLLBACK");
}

static int mysqldrv_describe(cairn_dconn *c, cairn_buf *out)
{
    return c->s->host->buf_puts(out, c->desc) ? CAIRN_ENOMEM : 0;
}

/* ---- queries ------------------------------------------------------------- */

int mysqldrv_query(cairn_dconn *c, const char *sql, MYSQL_RES **res)
{
    if (mysql_real_query(c->my, sql, strlen(sql)))
        return mysqldrv_fail(c, CAIRN_EDB);
    *res = mysql_use_result(c->my);
    if (!*res)
        return mysqldrv_fail(c, CAIRN_EDB);
    return 0;
}

int mysqldrv_query_end(cairn_dconn *c, MYSQL_RES *res)
{
    int rc = mysql_errno(c->my) ? mysqldrv_fail(c, CAIRN_EDB) : 0;
    mysql_free_result(res);
    return rc;
}

int mysqldrv_scalar(cairn_dconn *c, const char *sql, char **out)
{
    MYSQL_RES *res;
    *out = NULL;
    int rc = mysqldrv_query(c, sql, &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)))
        if (!*out && row[0])
            *out = strdup(row[0]);
    return mysqldrv_query_end(c, res);
}

/* ---- scratch database ------------------------------------------------------------ */

static int mysqldrv_scratch_connect(cairn_dsession *s, const char *target_url, cairn_dconn **out)
{
    const cairn_host *h = s->host;
    if (!target_url || !*target_url)
        return h->error(s->hc, CAIRN_ECONFIG, NULL,
                        "mysql: a .sql schema needs a server to normalise it: set dev_url "
                        "(or url) to a MySQL/MariaDB server");
    cairn_dconn *c = NULL;
    int rc = mysqldrv_connect(s, target_url, &c);
    if (rc)
        return rc;
    /* the scratch database takes the target database's defaults, so
     * options introspect the same way in both */
    char *cs = NULL, *coll = NULL;
    rc = mysqldrv_scalar(c, "SELECT @@character_set_database", &cs);
    if (!rc)
        rc = mysqldrv_scalar(c, "SELECT @@collation_database", &coll);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long rnd = (unsigned long)ts.tv_nsec ^ ((unsigned long)(uintptr_t)c >> 4);
    char name[64];
    snprintf(name, sizeof name, "cairn_scratch_%ld_%06lx", (long)getpid(), rnd & 0xffffff);
    cairn_buf *b = rc ? NULL : h->buf_new(s->hc);
    if (!rc && !b)
        rc = h->error(s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    if (!rc) {
        h->buf_puts(b, "CREATE DATABASE ");
        h->buf_quote(b, name, '`');
        if (cs && coll)
            h->buf_printf(b, " CHARACTER SET %s COLLATE %s", cs, coll);
        rc = h->buf_status(b) ? h->error(s->hc, CAIRN_ENOMEM, NULL, "out of memory")
                              : mysqldrv_exec(c, h->buf_cstr(b));
        h->buf_free(b);
    }
    free(cs);
    free(coll);
    if (!rc) {
        c->scratch_db = strdup(name);
        free(c->db);
        c->db = strdup(name);
        if (!c->scratch_db || !c->db)
            rc = h->error(s->hc, CAIRN_ENOMEM, NULL, "out of memory");
        else if (mysql_select_db(c->my, name))
            rc = mysqldrv_fail(c, CAIRN_EDB);
    }
    if (rc) {
        mysqldrv_scratch_release(c);
        return rc;
    }
    h->debug(s->hc, "mysql: scratch database %s", name);
    *out = c;
    return 0;
}

static void mysqldrv_scratch_release(cairn_dconn *c)
{
    if (!c)
        return;
    if (c->scratch_db) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS `%s`", c->scratch_db);
        if (mysql_query(c->my, sql))
            c->s->host->debug(c->s->hc, "mysql: could not drop scratch database %s: %s",
                              c->scratch_db, mysql_error(c->my));
    }
    mysqldrv_disconnect(c);
}
