/*
 * cairn dialect driver for MySQL and MariaDB (MariaDB Connector/C).
 *
 * Connections, introspection from information_schema (a constant number of
 * queries whatever the number of tables), the history store and the
 * migration lock (GET_LOCK). Types and defaults: mysqldrv_norm.c; DDL:
 * mysqldrv_emit.c.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>
#include <mysqld_error.h>

#include "mysqldrv.h"

struct cairn_dconn {
    cairn_dsession *s;
    MYSQL *my;
    int mariadb;           /* the server is MariaDB */
    unsigned long version; /* e.g. 101119 for 10.11.19 */
    char *db;              /* database of the URL, NULL if none */
    char *desc;            /* where it points, without the password */
    char *scratch_db;      /* set on a scratch connection: dropped at release */
};

static cairn_dialect_open_fn mysqldrv_open;
static cairn_dialect_close_fn mysqldrv_close;
static cairn_dialect_connect_fn mysqldrv_connect;
static cairn_dialect_disconnect_fn mysqldrv_disconnect;
static cairn_dialect_exec_fn mysqldrv_exec;
static cairn_dialect_txn_fn mysqldrv_begin;
static cairn_dialect_txn_fn mysqldrv_commit;
static cairn_dialect_txn_fn mysqldrv_rollback;
static cairn_dialect_introspect_fn mysqldrv_introspect;
static cairn_dialect_normalize_type_fn mysqldrv_normalize_type;
static cairn_dialect_normalize_default_fn mysqldrv_normalize_default;
static cairn_dialect_normalize_expr_fn mysqldrv_normalize_expr;
static cairn_dialect_history_ensure_fn mysqldrv_history_ensure;
static cairn_dialect_history_list_fn mysqldrv_history_list;
static cairn_dialect_history_record_fn mysqldrv_history_record;
static cairn_dialect_history_remove_fn mysqldrv_history_remove;
static cairn_dialect_lock_fn mysqldrv_lock;
static cairn_dialect_unlock_fn mysqldrv_unlock;
static cairn_dialect_scratch_connect_fn mysqldrv_scratch_connect;
static cairn_dialect_scratch_release_fn mysqldrv_scratch_release;
static cairn_dialect_describe_fn mysqldrv_describe;

static const char *const mysqldrv_schemes[] = {"mysql", "mariadb", NULL};

CAIRN_PLUGIN_EXPORT const cairn_dialect cairn_dialect_entry = {
    .magic = CAIRN_DIALECT_MAGIC,
    .abi_major = CAIRN_DIALECT_ABI_MAJOR,
    .abi_minor = CAIRN_DIALECT_ABI_MINOR,
    .struct_size = sizeof(cairn_dialect),
    .name = "mysql",
    .version = "0.1.0",
    .schemes = mysqldrv_schemes,
    .caps = CAIRN_CAP_PK_NOT_NULL | CAIRN_CAP_ALTER_COLUMN_TYPE | CAIRN_CAP_ADVISORY_LOCK | CAIRN_CAP_EXPRESSION_INDEX |
            CAIRN_CAP_COMMENTS | CAIRN_CAP_GENERATED | CAIRN_CAP_SCRATCH,
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
    .describe = mysqldrv_describe,
    .normalize_expr = mysqldrv_normalize_expr,
};

/* ---- session -------------------------------------------------------------- */

static int mysqldrv_open(const cairn_host *host, cairn_hostctx *hc, cairn_dsession **out)
{
    if (host->abi_major != CAIRN_HOST_ABI_MAJOR || host->struct_size < sizeof(cairn_host))
        return host->error(hc, CAIRN_EABI, NULL,
                           "mysql: host table %u.%u (%u bytes) is too old for this driver",
                           (unsigned)host->abi_major, (unsigned)host->abi_minor,
                           (unsigned)host->struct_size);
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

/* "mysql: ERROR 1146 (42S02): Table 'x.y' doesn't exist", copied at once. */
static int mysqldrv_fail(cairn_dconn *c, int code)
{
    const char *st = mysql_sqlstate(c->my);
    return c->s->host->error(c->s->hc, code, st, "mysql: ERROR %u (%s): %s", mysql_errno(c->my),
                             st, mysql_error(c->my));
}

/* ---- URL ------------------------------------------------------------------- */

typedef struct mysqldrv_url {
    char *user, *password, *host, *db, *socket;
    unsigned port;
    char *ssl_mode, *ssl_ca, *ssl_capath, *ssl_cert, *ssl_key, *charset;
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
    if (*p == '?') {
        p++;
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
                                  "connect-timeout)", (int)kl, p);
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
    }
    return 0;
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
    c->my = mysql_init(NULL);
    if (!c->my) {
        free(c);
        mysqldrv_url_free(&u);
        return h->error(s->hc, CAIRN_ENOMEM, NULL, "mysql: out of memory");
    }
    mysql_options(c->my, MYSQL_SET_CHARSET_NAME, u.charset ? u.charset : "utf8mb4");
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
    h->debug(s->hc, "mysql: connected to %s (%s %s)", c->desc, c->mariadb ? "MariaDB" : "MySQL",
             mysql_get_server_info(c->my));
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

/* Run SQL (one statement or several) and drain every result. */
static int mysqldrv_exec(cairn_dconn *c, const char *sql)
{
    if (mysql_real_query(c->my, sql, strlen(sql)))
        return mysqldrv_fail(c, CAIRN_EDB);
    for (;;) {
        MYSQL_RES *r = mysql_store_result(c->my);
        if (r)
            mysql_free_result(r);
        else if (mysql_field_count(c->my))
            return mysqldrv_fail(c, CAIRN_EDB);
        int more = mysql_next_result(c->my);
        if (more > 0)
            return mysqldrv_fail(c, CAIRN_EDB);
        if (more < 0)
            return 0;
    }
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

/* Run a query whose rows are read one by one (mysql_use_result: rows are
 * not all held in memory at once). */
static int mysqldrv_query(cairn_dconn *c, const char *sql, MYSQL_RES **res)
{
    if (mysql_real_query(c->my, sql, strlen(sql)))
        return mysqldrv_fail(c, CAIRN_EDB);
    *res = mysql_use_result(c->my);
    if (!*res)
        return mysqldrv_fail(c, CAIRN_EDB);
    return 0;
}

/* After the last mysql_fetch_row: was it the end, or an error? */
static int mysqldrv_query_end(cairn_dconn *c, MYSQL_RES *res)
{
    int rc = mysql_errno(c->my) ? mysqldrv_fail(c, CAIRN_EDB) : 0;
    mysql_free_result(res);
    return rc;
}

/* A one-value query into a malloc'd string (NULL value -> *out NULL). */
static int mysqldrv_scalar(cairn_dconn *c, const char *sql, char **out)
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

/* Case-insensitive substring search (strcasestr is a GNU extension). */
static const char *mysqldrv_has(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (!strncasecmp(p, needle, n))
            return p;
    return NULL;
}

/* ---- introspection ---------------------------------------------------------- */

typedef struct mysqldrv_tab {
    const char *name; /* arena-owned */
    cairn_table *t;
    const char *collation; /* the table's collation (arena) */
} mysqldrv_tab;

typedef struct mysqldrv_is {
    cairn_dconn *c;
    const cairn_host *h;
    cairn_schema *out;
    const cairn_filter *f;
    mysqldrv_tab *tabs;
    size_t ntabs, cap;
    int queries;
    char *db_charset, *db_collation, *default_engine;
    cairn_buf *b;
} mysqldrv_is;

static int mysqldrv_tab_cmp(const void *a, const void *b)
{
    return strcmp(((const mysqldrv_tab *)a)->name, ((const mysqldrv_tab *)b)->name);
}

static mysqldrv_tab *mysqldrv_find(mysqldrv_is *is, const char *name)
{
    mysqldrv_tab key = {.name = name};
    if (!is->ntabs)
        return NULL;
    return bsearch(&key, is->tabs, is->ntabs, sizeof key, mysqldrv_tab_cmp);
}

static int mysqldrv_keep(const cairn_filter *f, const char *name)
{
    for (size_t i = 0; f && i < f->nexclude; i++)
        if (f->exclude[i] && !strcmp(f->exclude[i], name))
            return 0;
    if (!f || !f->ntables)
        return 1;
    for (size_t i = 0; i < f->ntables; i++)
        if (!fnmatch(f->tables[i], name, 0))
            return 1;
    return 0;
}

static int mysqldrv_run(mysqldrv_is *is, const char *sql, MYSQL_RES **res)
{
    is->queries++;
    return mysqldrv_query(is->c, sql, res);
}

static int mysqldrv_is_settings(mysqldrv_is *is)
{
    MYSQL_RES *res;
    int rc = mysqldrv_run(is, "SELECT @@character_set_database, @@collation_database, "
                              "@@default_storage_engine, DATABASE()", &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    int have_db = 0;
    while ((row = mysql_fetch_row(res))) {
        is->db_charset = strdup(row[0] ? row[0] : "");
        is->db_collation = strdup(row[1] ? row[1] : "");
        is->default_engine = strdup(row[2] ? row[2] : "");
        have_db = row[3] != NULL;
    }
    rc = mysqldrv_query_end(is->c, res);
    if (!rc && !have_db)
        rc = is->h->error(is->c->s->hc, CAIRN_ECONFIG, NULL,
                          "mysql: no database selected: put one in the URL (mysql://host/db)");
    if (!rc && (!is->db_charset || !is->db_collation || !is->default_engine))
        rc = is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return rc;
}

/* The options a CREATE TABLE stated, from CREATE_OPTIONS
 * ("row_format=DYNAMIC key_block_size=8 ..."): only those the model
 * carries; the others (partitioned, ...) are not table options here. */
static int mysqldrv_create_options(mysqldrv_is *is, cairn_table *t, const char *opts)
{
    static const char *const keys[] = {"row_format", "key_block_size"};
    int rc = 0;
    for (const char *p = opts; *p && !rc;) {
        size_t n = strcspn(p, " ");
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            size_t kl = strlen(keys[k]);
            if (n > kl + 1 && !strncasecmp(p, keys[k], kl) && p[kl] == '=') {
                char v[64];
                snprintf(v, sizeof v, "%.*s", (int)(n - kl - 1), p + kl + 1);
                rc |= is->h->set_table_option(is->out, t, keys[k], v);
            }
        }
        p += n;
        p += strspn(p, " ");
    }
    return rc;
}

static int mysqldrv_is_tables(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res;
    int rc = mysqldrv_run(is,
        "SELECT t.TABLE_NAME, t.ENGINE, t.TABLE_COLLATION, t.TABLE_COMMENT, "
        "c.CHARACTER_SET_NAME, c.IS_DEFAULT, t.CREATE_OPTIONS "
        "FROM information_schema.TABLES t "
        "LEFT JOIN information_schema.COLLATIONS c ON c.COLLATION_NAME = t.TABLE_COLLATION "
        "WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')",
        &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) && !rc) {
        if (!row[0] || !mysqldrv_keep(is->f, row[0]))
            continue;
        cairn_table *t = h->add_table(is->out, NULL, row[0]);
        if (!t) {
            rc = CAIRN_ENOMEM;
            break;
        }
        if (is->ntabs == is->cap) {
            size_t ncap = is->cap ? is->cap * 2 : 64;
            mysqldrv_tab *n = realloc(is->tabs, ncap * sizeof *n);
            if (!n) {
                rc = CAIRN_ENOMEM;
                break;
            }
            is->tabs = n;
            is->cap = ncap;
        }
        mysqldrv_tab *e = &is->tabs[is->ntabs++];
        e->name = t->name;
        e->t = t;
        e->collation = row[2] ? h->strdup(is->out, row[2]) : NULL;
        /* options only where they differ from what the database would give */
        if (row[1] && strcasecmp(row[1], is->default_engine))
            rc |= h->set_table_option(is->out, t, "engine", row[1]);
        const char *cs = row[4];
        int is_default = row[5] && !strcasecmp(row[5], "Yes");
        if (cs && strcmp(cs, is->db_charset)) {
            rc |= h->set_table_option(is->out, t, "charset", cs);
            if (!is_default && row[2])
                rc |= h->set_table_option(is->out, t, "collation", row[2]);
        } else if (row[2] && strcmp(row[2], is->db_collation)) {
            rc |= h->set_table_option(is->out, t, "collation", row[2]);
        }
        if (row[3] && *row[3])
            t->comment = h->strdup(is->out, row[3]);
        if (row[6])
            rc |= mysqldrv_create_options(is, t, row[6]);
    }
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    if (rc2)
        return rc2;
    if (is->ntabs)
        qsort(is->tabs, is->ntabs, sizeof *is->tabs, mysqldrv_tab_cmp);
    return 0;
}

/* An expression of the server's, canonical (see mysqldrv_expr_canon), in
 * the schema's arena; NULL on out of memory. */
static const char *mysqldrv_is_expr(mysqldrv_is *is, const char *expr)
{
    is->h->buf_reset(is->b);
    if (mysqldrv_expr_canon(is->h, expr, is->b))
        return NULL;
    return is->h->strdup(is->out, is->h->buf_cstr(is->b));
}

/* The default as the server reports it, into canonical form. MariaDB 10.2.7+
 * quotes literals and leaves expressions bare; MySQL (and older MariaDB)
 * reports literals bare and flags expressions with DEFAULT_GENERATED. */
static int mysqldrv_is_default(mysqldrv_is *is, cairn_column *col, const char *def,
                               const char *extra)
{
    const cairn_host *h = is->h;
    if (!def)
        return 0;
    h->buf_reset(is->b);
    int rc;
    if (is->c->mariadb && is->c->version >= 100207) {
        if (!strcmp(def, "NULL"))
            return 0;
        rc = mysqldrv_default_canon(h, col->type, def, is->b);
    } else {
        int expr = extra && strstr(extra, "DEFAULT_GENERATED") != NULL;
        int ts = !strncmp(col->type, "timestamp", 9) || !strncmp(col->type, "datetime", 8);
        if (!expr && ts && !strncasecmp(def, "CURRENT_TIMESTAMP", 17))
            expr = 1;
        if (expr) {
            rc = mysqldrv_default_canon(h, col->type, def, is->b);
        } else if (mysqldrv_type_numeric(col->type)) {
            rc = mysqldrv_default_canon(h, col->type, def, is->b);
        } else {
            rc = mysqldrv_literal(h, is->b, def);
        }
    }
    if (rc)
        return rc;
    if (h->buf_len(is->b))
        col->default_expr = h->strdup(is->out, h->buf_cstr(is->b));
    return 0;
}

/* "on update current_timestamp(3)" -> "on update CURRENT_TIMESTAMP(3)" */
static int mysqldrv_is_extra(mysqldrv_is *is, cairn_column *col, const char *extra)
{
    const char *p = extra ? mysqldrv_has(extra, "on update ") : NULL;
    if (!p)
        return 0;
    p += 10;
    is->h->buf_reset(is->b);
    int rc = is->h->buf_puts(is->b, "on update ");
    rc |= mysqldrv_default_canon(is->h, col->type, p, is->b);
    if (rc)
        return CAIRN_ENOMEM;
    col->extra = is->h->strdup(is->out, is->h->buf_cstr(is->b));
    return 0;
}

static int mysqldrv_is_columns(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res;
    int rc = mysqldrv_run(is,
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, IS_NULLABLE, COLUMN_TYPE, "
        "COLLATION_NAME, EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION "
        "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
        "ORDER BY TABLE_NAME, ORDINAL_POSITION", &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) && !rc) {
        mysqldrv_tab *tab = row[0] ? mysqldrv_find(is, row[0]) : NULL;
        if (!tab || !row[1])
            continue;
        cairn_column *col = h->add_column(is->out, tab->t, row[1]);
        if (!col) {
            rc = CAIRN_ENOMEM;
            break;
        }
        h->buf_reset(is->b);
        rc = mysqldrv_type_canon(h, row[4] ? row[4] : "text", is->b);
        if (rc)
            break;
        col->type = h->strdup(is->out, h->buf_cstr(is->b));
        col->not_null = row[3] && !strcmp(row[3], "NO");
        const char *extra = row[6] ? row[6] : "";
        if (mysqldrv_has(extra, "auto_increment"))
            col->identity = CAIRN_IDENTITY_AUTO;
        if (row[8] && *row[8] && mysqldrv_has(extra, "GENERATED")) {
            col->generated = mysqldrv_is_expr(is, row[8]);
            col->generated_stored =
                mysqldrv_has(extra, "STORED") != NULL || mysqldrv_has(extra, "PERSISTENT") != NULL;
        } else {
            rc = mysqldrv_is_default(is, col, row[2], extra);
        }
        if (!rc)
            rc = mysqldrv_is_extra(is, col, extra);
        if (row[5] && tab->collation && strcmp(row[5], tab->collation))
            col->collation = h->strdup(is->out, row[5]);
        if (row[7] && *row[7])
            col->comment = h->strdup(is->out, row[7]);
    }
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return rc2;
}

static cairn_fk_action mysqldrv_rule(const char *r)
{
    if (!r)
        return CAIRN_FK_NO_ACTION;
    if (!strcmp(r, "RESTRICT"))
        return CAIRN_FK_RESTRICT;
    if (!strcmp(r, "CASCADE"))
        return CAIRN_FK_CASCADE;
    if (!strcmp(r, "SET NULL"))
        return CAIRN_FK_SET_NULL;
    if (!strcmp(r, "SET DEFAULT"))
        return CAIRN_FK_SET_DEFAULT;
    return CAIRN_FK_NO_ACTION;
}

static int mysqldrv_is_fkeys(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res;
    /* two queries joined here: the server joins these two views without an
     * index, which costs seconds at a few thousand tables */
    int rc = mysqldrv_run(is,
        "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, "
        "REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME "
        "FROM information_schema.KEY_COLUMN_USAGE "
        "WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL "
        "ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION", &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    cairn_fkey *fk = NULL;
    mysqldrv_tab *cur = NULL;
    while ((row = mysql_fetch_row(res)) && !rc) {
        mysqldrv_tab *tab = row[0] ? mysqldrv_find(is, row[0]) : NULL;
        if (!tab || !row[1] || !row[2] || !row[4] || !row[5])
            continue;
        if (!fk || cur != tab || strcmp(fk->name, row[1])) {
            fk = h->add_fkey(is->out, tab->t, row[1]);
            cur = tab;
            if (!fk) {
                rc = CAIRN_ENOMEM;
                break;
            }
            if (row[3] && strcmp(row[3], is->c->db ? is->c->db : ""))
                fk->ref_schema = h->strdup(is->out, row[3]);
            fk->ref_table = h->strdup(is->out, row[4]);
        }
        rc = h->fkey_add_columns(is->out, fk, row[2], row[5]);
    }
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    if (rc2)
        return rc2;
    rc = mysqldrv_run(is,
        "SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE "
        "FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()",
        &res);
    if (rc)
        return rc;
    while ((row = mysql_fetch_row(res))) {
        mysqldrv_tab *tab = row[0] ? mysqldrv_find(is, row[0]) : NULL;
        for (size_t i = 0; tab && row[1] && i < tab->t->nfkeys; i++) {
            cairn_fkey *f = tab->t->fkeys[i];
            if (!strcmp(f->name, row[1])) {
                f->on_update = mysqldrv_rule(row[2]);
                f->on_delete = mysqldrv_rule(row[3]);
            }
        }
    }
    return mysqldrv_query_end(is->c, res);
}

/* The index the server creates by itself for a foreign key: not unique,
 * exactly the key's columns, named after the constraint or its first
 * column. It is not part of the schema the user wrote, except where a
 * key named like one given without a name has it named after the key: the
 * schema named the key, and the index stays so the same name comes back
 * (see mysqldrv_fk_autonamed). */
static int mysqldrv_fk_index(const cairn_table *t, const cairn_index *ix)
{
    if (ix->unique || ix->method)
        return 0;
    for (size_t i = 0; i < t->nfkeys; i++) {
        const cairn_fkey *fk = t->fkeys[i];
        if (fk->ncolumns != ix->nparts || fk->ncolumns == 0)
            continue;
        if (strcmp(ix->name, fk->name) && strcmp(ix->name, fk->columns[0]))
            continue;
        if (!strcmp(ix->name, fk->name) && mysqldrv_fk_autonamed(t->name, fk->name))
            continue;
        size_t k = 0;
        while (k < fk->ncolumns && ix->parts[k]->column && !ix->parts[k]->length &&
               !ix->parts[k]->desc && !strcmp(ix->parts[k]->column, fk->columns[k]))
            k++;
        if (k == fk->ncolumns)
            return 1;
    }
    return 0;
}

static int mysqldrv_is_indexes(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res;
    int expr = !is->c->mariadb && is->c->version >= 80013;
    int rc = mysqldrv_run(is, expr ?
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, COLLATION, "
        "INDEX_TYPE, INDEX_COMMENT, EXPRESSION FROM information_schema.STATISTICS "
        "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX" :
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, COLLATION, "
        "INDEX_TYPE, INDEX_COMMENT, NULL FROM information_schema.STATISTICS "
        "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX", &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    cairn_index *ix = NULL;
    cairn_key *pk = NULL;
    mysqldrv_tab *cur = NULL;
    const char *curname = NULL;
    while ((row = mysql_fetch_row(res)) && !rc) {
        mysqldrv_tab *tab = row[0] ? mysqldrv_find(is, row[0]) : NULL;
        if (!tab || !row[1])
            continue;
        int same = cur == tab && curname && !strcmp(curname, row[1]);
        if (!strcmp(row[1], "PRIMARY")) {
            if (!same) {
                pk = h->set_primary_key(is->out, tab->t, NULL);
                ix = NULL;
                cur = tab;
                curname = "PRIMARY";
                if (!pk) {
                    rc = CAIRN_ENOMEM;
                    break;
                }
            }
            if (row[3])
                rc = h->key_add_column(is->out, pk, row[3]);
            continue;
        }
        if (!same) {
            ix = h->add_index(is->out, tab->t, row[1]);
            if (!ix) {
                rc = CAIRN_ENOMEM;
                break;
            }
            cur = tab;
            curname = ix->name;
            ix->unique = row[2] && !strcmp(row[2], "0");
            if (row[6] && !strcmp(row[6], "FULLTEXT"))
                ix->method = "fulltext";
            else if (row[6] && !strcmp(row[6], "SPATIAL"))
                ix->method = "spatial";
            else if (row[6] && !strcmp(row[6], "HASH"))
                ix->method = "hash";
            if (row[7] && *row[7])
                ix->comment = h->strdup(is->out, row[7]);
        }
        cairn_index_part *part = h->index_add_part(is->out, ix);
        if (!part) {
            rc = CAIRN_ENOMEM;
            break;
        }
        if (row[3])
            part->column = h->strdup(is->out, row[3]);
        else if (row[8])
            part->expr = mysqldrv_is_expr(is, row[8]);
        /* a SPATIAL key reports SUB_PART 32 (the MBR's size), which
         * cannot be written back (error 1089) */
        part->length = row[4] && !(row[6] && !strcmp(row[6], "SPATIAL")) ? atoi(row[4]) : 0;
        part->desc = row[5] && !strcmp(row[5], "D");
    }
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc || rc2)
        return rc ? is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory") : rc2;
    /* A unique index with cairn's mark is a unique constraint (see
     * MYSQLDRV_UNIQUE_MARK); the indexes the server made by itself for
     * foreign keys go. The arena-owned pointer arrays are compacted in place. */
    for (size_t i = 0; i < is->ntabs && !rc; i++) {
        cairn_table *t = is->tabs[i].t;
        size_t keep = 0;
        for (size_t j = 0; j < t->nindexes && !rc; j++) {
            cairn_index *x = t->indexes[j];
            int plain = x->unique && !x->method && x->comment &&
                        !strcmp(x->comment, MYSQLDRV_UNIQUE_MARK);
            for (size_t k = 0; plain && k < x->nparts; k++)
                plain = x->parts[k]->column && !x->parts[k]->length && !x->parts[k]->desc;
            if (plain) {
                cairn_key *u = h->add_unique(is->out, t, x->name);
                for (size_t k = 0; u && !rc && k < x->nparts; k++)
                    rc = h->key_add_column(is->out, u, x->parts[k]->column);
                if (!u)
                    rc = CAIRN_ENOMEM;
            } else if (!mysqldrv_fk_index(t, x)) {
                t->indexes[keep++] = x;
            }
        }
        t->nindexes = keep;
    }
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return 0;
}

static int mysqldrv_is_checks(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res;
    int rc;
    if (is->c->mariadb) {
        /* MariaDB names checks per table and gives the table (10.2+) */
        rc = mysqldrv_run(is,
            "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM "
            "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() "
            "ORDER BY TABLE_NAME, CONSTRAINT_NAME", &res);
    } else if (is->c->version >= 80016) {
        rc = mysqldrv_run(is,
            "SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE FROM "
            "information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.CHECK_CONSTRAINTS cc "
            "ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = "
            "tc.CONSTRAINT_NAME WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = "
            "'CHECK' ORDER BY tc.TABLE_NAME, cc.CONSTRAINT_NAME", &res);
    } else {
        return 0; /* no CHECK constraints before MySQL 8.0.16 */
    }
    if (rc)
        return rc;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) && !rc) {
        mysqldrv_tab *tab = row[0] ? mysqldrv_find(is, row[0]) : NULL;
        if (!tab || !row[1] || !row[2])
            continue;
        /* MariaDB's json is longtext with CHECK (json_valid(`col`)) named
         * after the column: that is the type json, not a check */
        cairn_column *col = h->find_column(tab->t, row[1]);
        if (is->c->mariadb && col && !strcmp(col->type, "longtext")) {
            h->buf_reset(is->b);
            rc = h->buf_puts(is->b, "json_valid(");
            rc |= h->buf_quote(is->b, row[1], '`');
            rc |= h->buf_puts(is->b, ")");
            if (!rc && !strcmp(h->buf_cstr(is->b), row[2])) {
                col->type = "json";
                if (col->collation && !strcmp(col->collation, "utf8mb4_bin"))
                    col->collation = NULL;
                continue;
            }
        }
        if (!rc && !h->add_check(is->out, tab->t, row[1], mysqldrv_is_expr(is, row[2])))
            rc = CAIRN_ENOMEM;
    }
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return rc2;
}

/* Triggers, all tables in one query, each as the CREATE TRIGGER that makes
 * it again: no DEFINER (the connecting user's) and the body as the server
 * keeps it, so a schema file's trigger and the database's compare equal.
 * Several triggers on one event come in their firing order, the order the
 * table lists (and creates) them in. */
static int mysqldrv_is_triggers(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res;
    int rc = mysqldrv_run(is,
        "SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, "
        "ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() "
        "ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER", &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) && !rc) {
        mysqldrv_tab *tab = row[0] ? mysqldrv_find(is, row[0]) : NULL;
        if (!tab || !row[1] || !row[2] || !row[3] || !row[4])
            continue;
        h->buf_reset(is->b);
        rc = h->buf_puts(is->b, "CREATE TRIGGER ");
        rc |= h->buf_quote(is->b, row[1], '`');
        /* lower case, as mysqldef writes them: the server keeps a
         * trigger's statement as sent, and a dump shows it */
        char when[16], what[16];
        snprintf(when, sizeof when, "%s", row[2]);
        snprintf(what, sizeof what, "%s", row[3]);
        for (char *p = when; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        for (char *p = what; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        rc |= h->buf_printf(is->b, " %s %s ON ", when, what);
        rc |= h->buf_quote(is->b, row[0], '`');
        rc |= h->buf_puts(is->b, " FOR EACH ROW ");
        rc |= h->buf_puts(is->b, row[4]);
        if (!rc && !h->add_trigger(is->out, tab->t, row[1], h->buf_cstr(is->b)))
            rc = CAIRN_ENOMEM;
    }
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return rc2;
}

/* Drop every "`db`." qualifier the server adds to a view's text, so the
 * same view reads the same in any database (scratch or target). */
static char *mysqldrv_unqualify(const char *def, const char *db)
{
    size_t dl = strlen(db);
    char *pat = malloc(dl * 2 + 4);
    char *o = strdup(def);
    if (!pat || !o) {
        free(pat);
        free(o);
        return NULL;
    }
    size_t k = 0;
    pat[k++] = '`';
    for (const char *p = db; *p; p++) {
        pat[k++] = *p;
        if (*p == '`')
            pat[k++] = '`';
    }
    pat[k++] = '`';
    pat[k++] = '.';
    pat[k] = 0;
    char *w = o;
    const char *r = def;
    char q = 0;
    while (*r) {
        if (!q && *r == '\'') {
            q = '\'';
        } else if (q && *r == q) {
            q = 0;
        } else if (!q && !strncmp(r, pat, k)) {
            r += k;
            continue;
        } else if (!q && *r == '`') {
            /* copy a whole quoted identifier: a qualifier only starts one */
            const char *e = r + 1;
            while (*e && !(*e == '`' && e[1] != '`'))
                e += *e == '`' ? 2 : 1;
            if (*e)
                e++;
            memcpy(w, r, (size_t)(e - r));
            w += e - r;
            r = e;
            continue;
        }
        *w++ = *r++;
    }
    *w = 0;
    free(pat);
    return o;
}

static int mysqldrv_is_views(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res;
    int rc = mysqldrv_run(is,
        "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS "
        "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME", &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) && !rc) {
        if (!row[0] || !row[1] || !mysqldrv_keep(is->f, row[0]))
            continue;
        char *def = mysqldrv_unqualify(row[1], is->c->db ? is->c->db : "");
        if (!def || !h->add_view(is->out, NULL, row[0], def))
            rc = CAIRN_ENOMEM;
        free(def);
    }
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return rc2;
}

static int mysqldrv_introspect(cairn_dconn *c, const cairn_filter *filter, cairn_schema *out)
{
    const cairn_host *h = c->s->host;
    mysqldrv_is is = {.c = c, .h = h, .out = out, .f = filter};
    if (filter && filter->nnamespaces)
        return h->error(c->s->hc, CAIRN_EUNSUPPORTED, NULL,
                        "mysql: namespaces are databases: put the database in the URL");
    is.b = h->buf_new(c->s->hc);
    if (!is.b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    int rc = mysqldrv_is_settings(&is);
    if (!rc)
        rc = mysqldrv_is_tables(&is);
    if (!rc)
        rc = mysqldrv_is_columns(&is);
    if (!rc)
        rc = mysqldrv_is_fkeys(&is);
    if (!rc)
        rc = mysqldrv_is_indexes(&is);
    if (!rc)
        rc = mysqldrv_is_checks(&is);
    if (!rc)
        rc = mysqldrv_is_triggers(&is);
    if (!rc)
        rc = mysqldrv_is_views(&is);
    if (!rc)
        h->debug(c->s->hc, "mysql: introspected %zu tables, %zu views in %d queries", is.ntabs,
                 out->nviews, is.queries);
    h->buf_free(is.b);
    free(is.tabs);
    free(is.db_charset);
    free(is.db_collation);
    free(is.default_engine);
    return rc;
}

/* ---- normalisation ------------------------------------------------------------ */

static int mysqldrv_normalize_type(cairn_dsession *s, const char *type, cairn_buf *out)
{
    int rc = mysqldrv_type_canon(s->host, type, out);
    return rc ? s->host->error(s->hc, rc, NULL, "out of memory") : 0;
}

/* Expressions of a schema file spelled as the server prints them back
 * (mysqldrv_expr_canon is what introspection applies too). */
static int mysqldrv_normalize_expr(cairn_dsession *s, const char *expr, cairn_buf *out)
{
    return mysqldrv_expr_canon(s->host, expr, out);
}

static int mysqldrv_normalize_default(cairn_dsession *s, const char *type, const char *expr,
                                      cairn_buf *out)
{
    int rc = mysqldrv_default_canon(s->host, type, expr, out);
    return rc ? s->host->error(s->hc, rc, NULL, "out of memory") : 0;
}

/* ---- history store ------------------------------------------------------------ */

static int mysqldrv_history_name(cairn_dconn *c, const cairn_history_opts *ho, cairn_buf *b)
{
    const cairn_host *h = c->s->host;
    int rc = 0;
    if (ho->schema && *ho->schema) {
        rc |= h->buf_quote(b, ho->schema, '`');
        rc |= h->buf_puts(b, ".");
    }
    rc |= h->buf_quote(b, ho->table && *ho->table ? ho->table : "__cairn_migrations", '`');
    return rc;
}

/* Append `s` as a literal escaped by the client library for the
 * connection's character set and sql_mode. */
static int mysqldrv_escaped(cairn_dconn *c, cairn_buf *b, const char *s)
{
    size_t n = strlen(s);
    char *e = malloc(n * 2 + 1);
    if (!e)
        return CAIRN_ENOMEM;
    unsigned long len = mysql_real_escape_string(c->my, e, s, (unsigned long)n);
    const cairn_host *h = c->s->host;
    int rc = h->buf_puts(b, "'");
    rc |= h->buf_append(b, e, len);
    rc |= h->buf_puts(b, "'");
    free(e);
    return rc;
}

static int mysqldrv_run_buf(cairn_dconn *c, cairn_buf *b, int rc)
{
    const cairn_host *h = c->s->host;
    if (rc)
        rc = h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    else
        rc = mysqldrv_exec(c, h->buf_cstr(b));
    h->buf_free(b);
    return rc;
}

static int mysqldrv_history_ensure(cairn_dconn *c, const cairn_history_opts *ho)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    int rc = h->buf_puts(b, "CREATE TABLE IF NOT EXISTS ");
    rc |= mysqldrv_history_name(c, ho, b);
    rc |= h->buf_puts(b, " (\n  `name` varchar(255) NOT NULL PRIMARY KEY,\n"
                         "  `checksum` char(64) NOT NULL,\n"
                         "  `applied_at` varchar(20) NOT NULL,\n"
                         "  `duration_ms` bigint NOT NULL DEFAULT 0,\n"
                         "  `state` int NOT NULL DEFAULT 0,\n"
                         "  `statements_done` int NOT NULL DEFAULT 0,\n"
                         "  `statements_total` int NOT NULL DEFAULT 0\n"
                         ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
    return mysqldrv_run_buf(c, b, rc);
}

static int mysqldrv_history_list(cairn_dconn *c, const cairn_history_opts *ho, cairn_history *out)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    int rc = h->buf_puts(b, "SELECT `name`, `checksum`, `applied_at`, `duration_ms`, `state`, "
                            "`statements_done`, `statements_total` FROM ");
    rc |= mysqldrv_history_name(c, ho, b);
    rc |= h->buf_puts(b, " ORDER BY `name`");
    if (rc) {
        h->buf_free(b);
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    }
    const char *sql = h->buf_cstr(b);
    if (mysql_real_query(c->my, sql, strlen(sql))) {
        h->buf_free(b);
        /* a missing table is an empty history */
        if (mysql_errno(c->my) == ER_NO_SUCH_TABLE)
            return 0;
        return mysqldrv_fail(c, CAIRN_EDB);
    }
    h->buf_free(b);
    MYSQL_RES *res = mysql_store_result(c->my);
    if (!res)
        return mysqldrv_fail(c, CAIRN_EDB);
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) && !rc) {
        cairn_applied a = {
            .name = row[0] ? row[0] : "",
            .checksum = row[1] ? row[1] : "",
            .applied_at = row[2] ? row[2] : "",
            .duration_ms = row[3] ? strtoll(row[3], NULL, 10) : 0,
            .state = row[4] && atoi(row[4]) == 1 ? CAIRN_APPLIED_PARTIAL : CAIRN_APPLIED_DONE,
            .statements_done = row[5] ? atoi(row[5]) : 0,
            .statements_total = row[6] ? atoi(row[6]) : 0,
        };
        if (h->history_add(out, &a))
            rc = h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    }
    mysql_free_result(res);
    return rc;
}

static int mysqldrv_history_record(cairn_dconn *c, const cairn_history_opts *ho,
                                   const cairn_applied *row)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    /* an upsert: the migrator records a partial migration statement by
     * statement, then the same row as done */
    int rc = h->buf_puts(b, "INSERT INTO ");
    rc |= mysqldrv_history_name(c, ho, b);
    rc |= h->buf_puts(b, " (`name`, `checksum`, `applied_at`, `duration_ms`, `state`, "
                         "`statements_done`, `statements_total`) VALUES (");
    rc |= mysqldrv_escaped(c, b, row->name ? row->name : "");
    rc |= h->buf_puts(b, ", ");
    rc |= mysqldrv_escaped(c, b, row->checksum ? row->checksum : "");
    rc |= h->buf_puts(b, ", ");
    rc |= mysqldrv_escaped(c, b, row->applied_at ? row->applied_at : "");
    rc |= h->buf_printf(b, ", %lld, %d, %d, %d)", (long long)row->duration_ms, (int)row->state,
                        (int)row->statements_done, (int)row->statements_total);
    rc |= h->buf_puts(b, " ON DUPLICATE KEY UPDATE `checksum` = VALUES(`checksum`), "
                         "`applied_at` = VALUES(`applied_at`), "
                         "`duration_ms` = VALUES(`duration_ms`), `state` = VALUES(`state`), "
                         "`statements_done` = VALUES(`statements_done`), "
                         "`statements_total` = VALUES(`statements_total`)");
    return mysqldrv_run_buf(c, b, rc);
}

static int mysqldrv_history_remove(cairn_dconn *c, const cairn_history_opts *ho, const char *name)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    int rc = h->buf_puts(b, "DELETE FROM ");
    rc |= mysqldrv_history_name(c, ho, b);
    rc |= h->buf_puts(b, " WHERE `name` = ");
    rc |= mysqldrv_escaped(c, b, name);
    return mysqldrv_run_buf(c, b, rc);
}

/* GET_LOCK names are server-wide and at most 64 characters: the name is
 * scoped to the database, and shortened with a hash when too long. */
static int mysqldrv_lock_name(cairn_dconn *c, const cairn_history_opts *ho, cairn_buf *b)
{
    const cairn_host *h = c->s->host;
    const char *base = ho->lock_name && *ho->lock_name ? ho->lock_name
                       : ho->table && *ho->table ? ho->table : "__cairn_migrations";
    const char *db = ho->schema && *ho->schema ? ho->schema : c->db ? c->db : "";
    size_t need = strlen("cairn:") + strlen(db) + 1 + strlen(base);
    char name[80];
    if (need <= 64) {
        snprintf(name, sizeof name, "cairn:%s:%s", db, base);
    } else {
        uint64_t x = 1469598103934665603ull; /* FNV-1a over db ':' base */
        for (const char *p = db; *p; p++)
            x = (x ^ (unsigned char)*p) * 1099511628211ull;
        x = (x ^ ':') * 1099511628211ull;
        for (const char *p = base; *p; p++)
            x = (x ^ (unsigned char)*p) * 1099511628211ull;
        snprintf(name, sizeof name, "cairn:%.40s:%016llx", base, (unsigned long long)x);
    }
    return mysqldrv_escaped(c, b, name) ? h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory")
                                        : 0;
}

static int mysqldrv_lock(cairn_dconn *c, const cairn_history_opts *ho)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    int rc = h->buf_puts(b, "SELECT GET_LOCK(");
    if (!rc)
        rc = mysqldrv_lock_name(c, ho, b);
    /* whole seconds; 0 tries once; "for ever" is a year, as MariaDB's
     * GET_LOCK returns NULL for a negative timeout */
    long t = ho->lock_timeout_ms;
    long secs = t < 0 ? 365L * 24 * 3600 : (t + 999) / 1000;
    if (!rc)
        rc = h->buf_printf(b, ", %ld)", secs);
    char *v = NULL;
    if (!rc)
        rc = mysqldrv_scalar(c, h->buf_cstr(b), &v);
    h->buf_free(b);
    if (rc)
        return rc;
    int got = v && !strcmp(v, "1");
    int null = v == NULL;
    free(v);
    if (null)
        return h->error(c->s->hc, CAIRN_EDB, NULL, "mysql: GET_LOCK failed");
    if (!got)
        return h->error(c->s->hc, CAIRN_ELOCKED, NULL,
                        "another cairn migrate holds the lock (waited %ld s)", secs);
    return 0;
}

static int mysqldrv_unlock(cairn_dconn *c, const cairn_history_opts *ho)
{
    const cairn_host *h = c->s->host;
    cairn_buf *b = h->buf_new(c->s->hc);
    if (!b)
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    int rc = h->buf_puts(b, "SELECT RELEASE_LOCK(");
    if (!rc)
        rc = mysqldrv_lock_name(c, ho, b);
    if (!rc)
        rc = h->buf_puts(b, ")");
    char *v = NULL;
    if (!rc)
        rc = mysqldrv_scalar(c, h->buf_cstr(b), &v);
    h->buf_free(b);
    free(v);
    return rc;
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
        int r = h->buf_puts(b, "CREATE DATABASE ");
        r |= h->buf_quote(b, name, '`');
        if (cs && coll)
            r |= h->buf_printf(b, " CHARACTER SET %s COLLATE %s", cs, coll);
        rc = r ? h->error(s->hc, CAIRN_ENOMEM, NULL, "out of memory")
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
