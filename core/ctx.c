/* The context: settings and the config file (errors and logging: error.c). */
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
    [CAIRN_SET_CHECK] = "check",
    [CAIRN_SET_LINT_IGNORE] = "lint.ignore",
    [CAIRN_SET_LINT_ERROR] = "lint.error",
    [CAIRN_SET_LOCK_STRATEGY] = "lock_strategy",
    [CAIRN_SET_LOCK_LEASE] = "lock_lease",
    [CAIRN_SET_PROGRESS_INTERVAL] = "progress_interval",
    [CAIRN_SET_NO_DROP] = "no_drop",
};

/* "no_drop": a JSON boolean in cairn.json, "true" / "false" set by name. */
static int bool_ok(const char *v)
{
    return !strcmp(v, "true") || !strcmp(v, "false");
}

/* "lock_strategy": how migrate takes its lock. */
static int strategy_ok(const char *v)
{
    return !strcmp(v, "advisory") || !strcmp(v, "lease");
}

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

int cairn_ctx_left_out_text(const cairn_ctx *cx, cairn_buf *b)
{
    for (size_t i = 0; i < cx->nleft_out; i++) {
        const cairn_left_out *l = &cx->left_out[i];
        cairn_buf_printf(b, "%s%zu %s", i ? ", " : "", l->n, l->n == 1 ? l->kind : l->kinds);
    }
    return cx->nleft_out && !b->oom;
}

void cairn_ctx_left_out_clear(cairn_ctx *cx)
{
    for (size_t i = 0; i < cx->nleft_out; i++) {
        free(cx->left_out[i].kind);
        free(cx->left_out[i].kinds);
    }
    free(cx->left_out);
    cx->left_out = NULL;
    cx->nleft_out = 0;
}

void cairn_ctx_free(cairn_ctx *cx)
{
    if (!cx)
        return;
    cairn_readahead_stop(cx);
    cairn_ctx_left_out_clear(cx);
    cairn_session_free(cx->session);
    for (int i = 0; i < CAIRN_SET_COUNT_; i++) {
        free(cx->set_flag[i]);
        free(cx->set_file[i]);
    }
    free(cx->config_path);
    free(cx->config_dir);
    free(cx->url_expanded);
    free(cx->driver_warning);
    free(cx->progress_what);
    cairn_strv_free(cx->dotenv, cx->ndotenv);
    cairn_err_clear(cx);
    free(cx);
}

int cairn_ctx_clone(const cairn_ctx *src, cairn_ctx **out)
{
    cairn_ctx *cx = calloc(1, sizeof *cx);
    int bad = !cx;
    for (int i = 0; !bad && i < CAIRN_SET_COUNT_; i++)
        bad = (src->set_flag[i] && !(cx->set_flag[i] = strdup(src->set_flag[i]))) ||
              (src->set_file[i] && !(cx->set_file[i] = strdup(src->set_file[i])));
    if (!bad)
        bad = (src->config_path && !(cx->config_path = strdup(src->config_path))) ||
              (src->config_dir && !(cx->config_dir = strdup(src->config_dir)));
    if (!bad && src->ndotenv) {
        bad = !(cx->dotenv = calloc(src->ndotenv, sizeof *cx->dotenv));
        for (size_t i = 0; !bad && i < src->ndotenv; i++, cx->ndotenv++)
            bad = !(cx->dotenv[i] = strdup(src->dotenv[i]));
    }
    if (bad) {
        cairn_ctx_free(cx);
        return CAIRN_ENOMEM;
    }
    cx->shared_folder = src->shared_folder;
    cx->json_split_min = SIZE_MAX; /* a worker thread: the cores are taken */
    *out = cx;
    return 0;
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
    if (i == CAIRN_SET_LOCK_LEASE && value && (!is_whole_number(value) || atol(value) < 100))
        return cairn_err(cx, CAIRN_EUSAGE,
                         "lock lease '%s' is not a whole number of milliseconds from 100", value);
    if (i == CAIRN_SET_LOCK_STRATEGY && value && !strategy_ok(value))
        return cairn_err(cx, CAIRN_EUSAGE,
                         "lock strategy '%s': expected \"advisory\" or \"lease\"", value);
    if (i == CAIRN_SET_PROGRESS_INTERVAL && value && !is_whole_number(value))
        return cairn_err(cx, CAIRN_EUSAGE,
                         "progress interval '%s' is not a whole number of milliseconds", value);
    if (i == CAIRN_SET_NO_DROP && value && !bool_ok(value))
        return cairn_err(cx, CAIRN_EUSAGE, "no_drop '%s': expected true or false", value);
    return replace(&cx->set_flag[i], value);
}

int cairn_ctx_checking(const cairn_ctx *cx)
{
    const char *v = cx->set_flag[CAIRN_SET_CHECK];
    return v && *v && strcmp(v, "0") != 0;
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
        const char *env = cairn_ctx_env(cx, "DATABASE_URL");
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
int cairn_ctx_expand(cairn_ctx *cx, const char *in, char **out, const char *file, int line,
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
            const char *v = cairn_ctx_env(cx, name);
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

char *cairn_ctx_path(const cairn_ctx *cx, const char *path)
{
    return cairn_path_join(cx->config_dir, path);
}

static int config_cb(cairn_ctx *cx, void *ud, const char *key, const char *value, int line,
                     int column)
{
    const char *file = ud;
    int i = setting_index(key);
    if (i < 0 || i == CAIRN_SET_VERBOSE || i == CAIRN_SET_CHECK)
        return cairn_err_at(cx, CAIRN_ECONFIG, file, line, column, "unknown key \"%s\"", key);
    char *expanded = NULL;
    int rc = cairn_ctx_expand(cx, value, &expanded, file, line, column);
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
    if ((i == CAIRN_SET_LOCK_TIMEOUT || i == CAIRN_SET_PROGRESS_INTERVAL) &&
        !is_whole_number(expanded)) {
        free(expanded);
        return cairn_err_at(cx, CAIRN_ECONFIG, file, line, column,
                            "\"%s\" must be a whole number of milliseconds", setting_names[i]);
    }
    if (i == CAIRN_SET_NO_DROP && !bool_ok(expanded)) {
        free(expanded);
        return cairn_err_at(cx, CAIRN_ECONFIG, file, line, column,
                            "\"no_drop\" must be true or false");
    }
    if ((i == CAIRN_SET_LOCK_LEASE && (!is_whole_number(expanded) || atol(expanded) < 100)) ||
        (i == CAIRN_SET_LOCK_STRATEGY && !strategy_ok(expanded))) {
        free(expanded);
        return cairn_err_at(cx, CAIRN_ECONFIG, file, line, column,
                            i == CAIRN_SET_LOCK_LEASE
                                ? "\"lock_lease\" must be a whole number of milliseconds from 100"
                                : "\"lock_strategy\" must be \"advisory\" or \"lease\"");
    }
    free(cx->set_file[i]);
    cx->set_file[i] = expanded;
    return 0;
}

/* cairn.json in the current directory or the nearest one above it, like
 * git finds its repository: "cairn.json", "../cairn.json", ... (malloc'd),
 * or NULL when there is none up to the root. */
static char *find_config(void)
{
    cairn_buf b;
    cairn_buf_init(&b);
    char *found = NULL;
    for (int depth = 0; depth < 64 && !found && !b.oom; depth++) {
        cairn_buf_reset(&b);
        for (int i = 0; i < depth; i++)
            cairn_buf_puts(&b, "../");
        size_t dir_len = b.len;
        cairn_buf_puts(&b, "cairn.json");
        if (cairn_file_exists(cairn_buf_cstr(&b)) && !cairn_is_dir(cairn_buf_cstr(&b))) {
            found = cairn_buf_steal(&b);
            break;
        }
        /* stop at the root: its parent is itself */
        b.data[dir_len] = '\0';
        char *here = realpath(dir_len ? b.data : ".", NULL);
        int root = !here || strcmp(here, "/") == 0;
        free(here);
        if (root)
            break;
    }
    cairn_buf_release(&b);
    return found;
}

/* Read `p` (NULL: no config file was found; then only ./.env is read). */
static int load_config(cairn_ctx *cx, const char *p)
{
    if (!p)
        return cairn_dotenv_load(cx, ".env");
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
    /* the .env beside it first: the config's ${VAR} may come from there */
    char *env = cairn_ctx_path(cx, ".env");
    rc = env ? cairn_dotenv_load(cx, env) : CAIRN_ENOMEM;
    free(env);
    if (!rc)
        rc = cairn_json_read_config(cx, text, len, p, config_cb, (void *)p);
    free(text);
    if (rc)
        return rc == CAIRN_ESCHEMA ? (cx->err.code = CAIRN_ECONFIG) : rc;
    return 0;
}

int cairn_ctx_load_config(cairn_ctx *cx, const char *path)
{
    char *searched = path ? NULL : find_config();
    int rc = load_config(cx, path ? path : searched);
    free(searched);
    return rc;
}
