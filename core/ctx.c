/* The context: settings, errors and logging. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

static const char *const setting_names[CAIRN_SET_COUNT_] = {
    [CAIRN_SET_DIALECT] = "dialect",
    [CAIRN_SET_SCHEMA] = "schema",
    [CAIRN_SET_OUT] = "out",
    [CAIRN_SET_URL] = "url",
    [CAIRN_SET_DEV_URL] = "dev_url",
    [CAIRN_SET_MIGRATIONS_TABLE] = "migrations_table",
    [CAIRN_SET_MIGRATIONS_SCHEMA] = "migrations_schema",
    [CAIRN_SET_DIALECT_PATH] = "dialect_path",
    [CAIRN_SET_LOCK_TIMEOUT] = "lock_timeout",
    [CAIRN_SET_TABLES] = "tables",
    [CAIRN_SET_NAMESPACES] = "namespaces",
    [CAIRN_SET_VERBOSE] = "verbose",
};

const char *cairn_version(void)
{
    return CAIRN_VERSION_STRING;
}

void cairn_free(void *p)
{
    free(p);
}

int cairn_ctx_new(cairn_ctx **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : CAIRN_ENOMEM;
}

void cairn_ctx_free(cairn_ctx *cx)
{
    if (!cx)
        return;
    cairn_session_free(cx->session);
    for (int i = 0; i < CAIRN_SET_COUNT_; i++) {
        free(cx->set_flag[i]);
        free(cx->set_file[i]);
    }
    free(cx->config_path);
    free(cx->config_dir);
    free(cx->url_expanded);
    cairn_err_clear(cx);
    free(cx);
}

const cairn_error *cairn_ctx_error(const cairn_ctx *cx)
{
    return &cx->err;
}

void cairn_ctx_set_logger(cairn_ctx *cx, cairn_log_fn *fn, void *userdata)
{
    cx->log = fn;
    cx->log_ud = userdata;
}

void cairn_err_clear(cairn_ctx *cx)
{
    free(cx->err_message);
    free(cx->err_sqlstate);
    free(cx->err_file);
    cx->err_message = cx->err_sqlstate = cx->err_file = NULL;
    memset(&cx->err, 0, sizeof cx->err);
}

/* An error message is one line: newlines from a server become spaces and
 * trailing blanks go. */
static void one_line(char *s)
{
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        s[--n] = '\0';
}

int cairn_verr(cairn_ctx *cx, int code, const char *sqlstate, const char *fmt, va_list ap)
{
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_buf_vprintf(&b, fmt, ap);
    char *msg = cairn_buf_steal(&b);
    char *state = sqlstate ? strdup(sqlstate) : NULL;
    cairn_err_clear(cx);
    if (msg)
        one_line(msg);
    cx->err_message = msg;
    cx->err_sqlstate = state;
    cx->err.code = code;
    cx->err.message = msg ? msg : "out of memory";
    cx->err.sqlstate = state;
    return code;
}

int cairn_err(cairn_ctx *cx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cairn_verr(cx, code, NULL, fmt, ap);
    va_end(ap);
    return code;
}

int cairn_err_at(cairn_ctx *cx, int code, const char *file, int line, int column,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cairn_buf b;
    cairn_buf_init(&b);
    if (file && line > 0)
        cairn_buf_printf(&b, "%s:%d:%d: ", file, line, column > 0 ? column : 1);
    else if (file)
        cairn_buf_printf(&b, "%s: ", file);
    cairn_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    cairn_err(cx, code, "%s", cairn_buf_cstr(&b));
    cairn_buf_release(&b);
    cx->err_file = file ? strdup(file) : NULL;
    cx->err.file = cx->err_file;
    cx->err.line = line;
    cx->err.column = column;
    return code;
}

void cairn_log(cairn_ctx *cx, cairn_log_level level, const char *fmt, ...)
{
    if (!cx->log)
        return;
    if (level == CAIRN_LOG_DEBUG && !cx->set_flag[CAIRN_SET_VERBOSE] &&
        !cx->set_file[CAIRN_SET_VERBOSE])
        return;
    cairn_buf b;
    cairn_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    cairn_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    cx->log(cx->log_ud, level, cairn_buf_cstr(&b));
    cairn_buf_release(&b);
}

static int setting_index(const char *key)
{
    for (int i = 0; i < CAIRN_SET_COUNT_; i++)
        if (strcmp(setting_names[i], key) == 0)
            return i;
    return -1;
}

static int replace(char **slot, const char *value)
{
    char *copy = NULL;
    if (value && !(copy = strdup(value)))
        return CAIRN_ENOMEM;
    free(*slot);
    *slot = copy;
    return 0;
}

/* A lock timeout, from a flag or the config file: a whole number that fits
 * a long (negative waits for ever). */
static int is_whole_number(const char *s)
{
    char *end;
    errno = 0;
    (void)strtol(s, &end, 10);
    return !errno && end != s && !*end;
}

int cairn_ctx_set(cairn_ctx *cx, const char *key, const char *value)
{
    int i = setting_index(key);
    if (i < 0)
        return cairn_err(cx, CAIRN_EUSAGE, "unknown setting '%s'", key);
    if (i == CAIRN_SET_LOCK_TIMEOUT && value && !is_whole_number(value))
        return cairn_err(cx, CAIRN_EUSAGE,
                         "lock timeout '%s' is not a whole number of milliseconds", value);
    return replace(&cx->set_flag[i], value);
}

const char *cairn_ctx_get(const cairn_ctx *cx, const char *key)
{
    int i = setting_index(key);
    if (i < 0)
        return NULL;
    if (cx->set_flag[i])
        return cx->set_flag[i];
    if (cx->set_file[i])
        return cx->set_file[i];
    if (i == CAIRN_SET_URL) {
        const char *env = getenv("DATABASE_URL");
        if (env && *env)
            return env;
    }
    if (i == CAIRN_SET_MIGRATIONS_TABLE)
        return "__cairn_migrations";
    if (i == CAIRN_SET_OUT)
        return "migrations";
    return NULL;
}

/* ${VAR} expansion of a config value; an unset variable is an error. */
static int expand_vars(cairn_ctx *cx, const char *in, char **out, const char *file, int line,
                       int column)
{
    cairn_buf b;
    cairn_buf_init(&b);
    for (const char *p = in; *p;) {
        if (p[0] == '$' && p[1] == '{') {
            const char *end = strchr(p + 2, '}');
            if (!end) {
                cairn_buf_release(&b);
                return cairn_err_at(cx, CAIRN_ECONFIG, file, line, column,
                                    "unterminated ${ in value");
            }
            char name[256];
            size_t n = (size_t)(end - p - 2);
            if (n == 0 || n >= sizeof name) {
                cairn_buf_release(&b);
                return cairn_err_at(cx, CAIRN_ECONFIG, file, line, column,
                                    "bad variable name in ${...}");
            }
            memcpy(name, p + 2, n);
            name[n] = '\0';
            const char *v = getenv(name);
            if (!v) {
                cairn_buf_release(&b);
                return cairn_err_at(cx, CAIRN_ECONFIG, file, line, column,
                                    "environment variable %s is not set", name);
            }
            cairn_buf_puts(&b, v);
            p = end + 1;
        } else {
            cairn_buf_append(&b, p, 1);
            p++;
        }
    }
    if (b.oom) {
        cairn_buf_release(&b);
        return CAIRN_ENOMEM;
    }
    *out = cairn_buf_steal(&b);
    return 0;
}

char *cairn_path_join(const char *a, const char *b)
{
    if (!a || !*a || b[0] == '/')
        return strdup(b);
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 2);
    if (!p)
        return NULL;
    memcpy(p, a, la);
    size_t at = la;
    if (a[la - 1] != '/')
        p[at++] = '/';
    memcpy(p + at, b, lb + 1);
    return p;
}

char *cairn_ctx_path(const cairn_ctx *cx, const char *path)
{
    return cairn_path_join(cx->config_dir, path);
}

static int config_cb(cairn_ctx *cx, void *ud, const char *key, const char *value, int line,
                     int column)
{
    const char *file = ud;
    int i = setting_index(key);
    if (i < 0 || i == CAIRN_SET_VERBOSE)
        return cairn_err_at(cx, CAIRN_ECONFIG, file, line, column, "unknown key \"%s\"", key);
    char *expanded = NULL;
    int rc = expand_vars(cx, value, &expanded, file, line, column);
    if (rc)
        return rc;
    /* Paths in the file are relative to the file, not to where cairn runs. */
    if ((i == CAIRN_SET_SCHEMA || i == CAIRN_SET_OUT || i == CAIRN_SET_DIALECT_PATH) &&
        cx->config_dir && expanded[0] != '/') {
        char *joined = NULL;
        if (i == CAIRN_SET_DIALECT_PATH) {
            /* a colon-separated list: join each part */
            cairn_buf b;
            cairn_buf_init(&b);
            char *save = NULL;
            for (char *part = strtok_r(expanded, ":", &save); part;
                 part = strtok_r(NULL, ":", &save)) {
                char *j = cairn_ctx_path(cx, part);
                if (b.len)
                    cairn_buf_puts(&b, ":");
                cairn_buf_puts(&b, j ? j : part);
                free(j);
            }
            joined = cairn_buf_steal(&b);
        } else {
            joined = cairn_ctx_path(cx, expanded);
        }
        free(expanded);
        if (!joined)
            return CAIRN_ENOMEM;
        expanded = joined;
    }
    if (i == CAIRN_SET_LOCK_TIMEOUT) {
        if (!is_whole_number(expanded)) {
            free(expanded);
            return cairn_err_at(cx, CAIRN_ECONFIG, file, line, column,
                                "\"lock_timeout\" must be a whole number of milliseconds");
        }
    }
    free(cx->set_file[i]);
    cx->set_file[i] = expanded;
    return 0;
}

int cairn_ctx_load_config(cairn_ctx *cx, const char *path)
{
    const char *p = path ? path : "cairn.json";
    if (!path && !cairn_file_exists(p))
        return 0;
    if (cairn_is_dir(p))
        return cairn_err(cx, CAIRN_ECONFIG, "%s: is a directory, not a config file", p);
    char *text;
    size_t len;
    int rc = cairn_read_file(cx, p, &text, &len);
    if (rc)
        return rc == CAIRN_EIO ? (cx->err.code = CAIRN_ECONFIG) : rc;
    free(cx->config_path);
    free(cx->config_dir);
    cx->config_path = strdup(p);
    const char *slash = strrchr(p, '/');
    cx->config_dir = slash ? strndup(p, (size_t)(slash - p + 1)) : NULL;
    rc = cairn_json_read_config(cx, text, len, p, config_cb, (void *)p);
    free(text);
    if (rc)
        return rc == CAIRN_ESCHEMA ? (cx->err.code = CAIRN_ECONFIG) : rc;
    return 0;
}

char *cairn_url_redact(const char *url)
{
    if (!url)
        return strdup("");
    const char *scheme = strstr(url, "://");
    if (scheme) {
        const char *auth = scheme + 3;
        const char *slash = strchr(auth, '/');
        const char *at = NULL;
        for (const char *q = auth; *q && (!slash || q < slash); q++)
            if (*q == '@')
                at = q;
        if (at) {
            const char *colon = memchr(auth, ':', (size_t)(at - auth));
            if (colon) {
                cairn_buf b;
                cairn_buf_init(&b);
                cairn_buf_append(&b, url, (size_t)(colon - url));
                cairn_buf_puts(&b, ":***");
                cairn_buf_puts(&b, at);
                return cairn_buf_steal(&b);
            }
        }
    }
    /* key=value connection strings and query parameters */
    cairn_buf b;
    cairn_buf_init(&b);
    const char *p = url;
    while (*p) {
        const char *hit = NULL;
        for (const char *q = p; *q; q++)
            if (strncasecmp(q, "password=", 9) == 0 &&
                (q == url || q[-1] == ' ' || q[-1] == '?' || q[-1] == '&')) {
                hit = q;
                break;
            }
        if (!hit) {
            cairn_buf_puts(&b, p);
            break;
        }
        cairn_buf_append(&b, p, (size_t)(hit - p) + 9);
        cairn_buf_puts(&b, "***");
        p = hit + 9;
        while (*p && *p != ' ' && *p != '&')
            p++;
    }
    return cairn_buf_steal(&b);
}
