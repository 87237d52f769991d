/*
 * Errors and logging: the one error path of the core.
 *
 * An error is one line on the context that failed: code, message, SQLSTATE,
 * file and position. Every message and every log line passes through here,
 * and here the passwords of the configured URLs are scrubbed out of it, in
 * whatever form a client library quoted them (url.c), so no other module
 * has to remember to. SQL text is never rewritten otherwise: what a dry run
 * shows is what would run.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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

/* The secrets of the configured URLs, read afresh: settings and
 * DATABASE_URL can change between two calls. */
static void ctx_secrets(const cairn_ctx *cx, cairn_secrets *s)
{
    memset(s, 0, sizeof *s);
    cairn_secrets_add_url(s, cairn_ctx_get(cx, "url"));
    cairn_secrets_add_url(s, cairn_ctx_get(cx, "dev_url"));
    cairn_secrets_add_url(s, cairn_ctx_env(cx, "DATABASE_URL"));
}

/* `text` with every secret replaced by "***" (malloc'd; NULL on OOM). */
char *cairn_scrub(const cairn_ctx *cx, const char *text)
{
    cairn_secrets s;
    ctx_secrets(cx, &s);
    char *out = s.n ? cairn_secrets_scrub(&s, text) : strdup(text);
    cairn_secrets_release(&s);
    return out;
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
    char *msg = b.oom ? NULL : cairn_scrub(cx, cairn_buf_cstr(&b));
    cairn_buf_release(&b);
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

int cairn_err_default(cairn_ctx *cx, int rc, const char *fmt, ...)
{
    if (!rc || cx->err.code)
        return rc;
    va_list ap;
    va_start(ap, fmt);
    cairn_verr(cx, rc, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

void cairn_err_save(cairn_ctx *cx, cairn_saved_err *s)
{
    s->err = cx->err;
    s->message = cx->err_message;
    s->sqlstate = cx->err_sqlstate;
    s->file = cx->err_file;
    cx->err_message = cx->err_sqlstate = cx->err_file = NULL;
    memset(&cx->err, 0, sizeof cx->err);
}

void cairn_err_restore(cairn_ctx *cx, cairn_saved_err *s)
{
    cairn_err_clear(cx);
    cx->err = s->err;
    cx->err_message = s->message;
    cx->err_sqlstate = s->sqlstate;
    cx->err_file = s->file;
    memset(s, 0, sizeof *s);
}

int cairn_err_prefix(cairn_ctx *cx, int rc, const char *fmt, ...)
{
    cairn_buf b;
    cairn_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    cairn_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    const char *detail = cx->err.code && cx->err.message ? cx->err.message : "unknown error";
    cairn_buf_printf(&b, ": %s", detail);
    char *state = cx->err.sqlstate ? strdup(cx->err.sqlstate) : NULL;
    cairn_err_clear(cx);
    if (state) {
        cx->err_sqlstate = state;
        cx->err.sqlstate = state;
    }
    char *msg = cairn_buf_steal(&b);
    cx->err_message = msg;
    cx->err.message = msg ? msg : "out of memory";
    cx->err.code = rc;
    return rc;
}

void cairn_log(cairn_ctx *cx, cairn_log_level level, const char *fmt, ...)
{
    if (!cx->log)
        return;
    if (level == CAIRN_LOG_DEBUG && !cairn_ctx_get(cx, "verbose"))
        return;
    cairn_buf b;
    cairn_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    cairn_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *line = b.oom ? NULL : cairn_scrub(cx, cairn_buf_cstr(&b));
    cx->log(cx->log_ud, level, line ? line : "out of memory");
    free(line);
    cairn_buf_release(&b);
}
