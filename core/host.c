/* The host table: everything a driver may call in the core. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A driver sees the context only as cairn_hostctx. */
#define CX(hc) ((cairn_ctx *)(void *)(hc))

static int host_error(cairn_hostctx *hc, int code, const char *sqlstate, const char *fmt, ...)
    CAIRN_FMT(4, 5);
static int host_error(cairn_hostctx *hc, int code, const char *sqlstate, const char *fmt, ...)
{
    if (code >= 0 || code < CAIRN_EABI)
        code = CAIRN_EGENERIC;
    va_list ap;
    va_start(ap, fmt);
    cairn_verr(CX(hc), code, sqlstate, fmt, ap);
    va_end(ap);
    return code;
}

/* A driver's log line at `level`; with `once`, a line equal to the last one
 * said this way (the scratch database and the target read by one command)
 * is said once. */
static void host_vlog(cairn_hostctx *hc, cairn_log_level level, int once, const char *fmt,
                      va_list ap)
{
    cairn_ctx *cx = CX(hc);
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_buf_vprintf(&b, fmt, ap);
    const char *line = cairn_buf_cstr(&b);
    if (!once) {
        cairn_log(cx, level, "%s", line);
    } else if (!b.oom && !(cx->driver_warning && strcmp(cx->driver_warning, line) == 0)) {
        cairn_log(cx, level, "%s", line);
        free(cx->driver_warning);
        cx->driver_warning = strdup(line);
    }
    cairn_buf_release(&b);
}

static void host_debug(cairn_hostctx *hc, const char *fmt, ...) CAIRN_FMT(2, 3);
static void host_debug(cairn_hostctx *hc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    host_vlog(hc, CAIRN_LOG_DEBUG, 0, fmt, ap);
    va_end(ap);
}

static void host_warn(cairn_hostctx *hc, const char *fmt, ...) CAIRN_FMT(2, 3);
static void host_warn(cairn_hostctx *hc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    host_vlog(hc, CAIRN_LOG_WARN, 1, fmt, ap);
    va_end(ap);
}

static void host_left_out(cairn_hostctx *hc, const char *kind, const char *kinds,
                          const char *name)
{
    cairn_ctx *cx = CX(hc);
    cairn_log(cx, CAIRN_LOG_DEBUG, "left out %s %s: cairn does not model it", kind,
              name ? name : "");
    size_t i = 0;
    while (i < cx->nleft_out && strcmp(cx->left_out[i].kind, kind) != 0)
        i++;
    if (i == cx->nleft_out) {
        cairn_left_out *nv = realloc(cx->left_out, (i + 1) * sizeof *nv);
        if (!nv)
            return; /* only a report is lost */
        cx->left_out = nv;
        nv[i].kind = strdup(kind);
        nv[i].kinds = strdup(kinds ? kinds : kind);
        nv[i].n = 0;
        if (!nv[i].kind || !nv[i].kinds) {
            free(nv[i].kind);
            free(nv[i].kinds);
            return;
        }
        cx->nleft_out++;
    }
    cx->left_out[i].n++;
}

static void host_progress(cairn_hostctx *hc, const char *what, const char *object, size_t done,
                          size_t total)
{
    cairn_progress(CX(hc), what, object, done, total);
}

static cairn_buf *host_buf_new(cairn_hostctx *hc)
{
    (void)hc;
    cairn_buf *b = malloc(sizeof *b);
    if (b)
        cairn_buf_init(b);
    return b;
}

static void host_buf_free(cairn_buf *b)
{
    if (b) {
        cairn_buf_release(b);
        free(b);
    }
}

static int host_buf_printf(cairn_buf *b, const char *fmt, ...) CAIRN_FMT(2, 3);
static int host_buf_printf(cairn_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cairn_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

static size_t host_buf_len(const cairn_buf *b)
{
    return b->len;
}

static int host_history_add(cairn_history *out, const cairn_applied *row)
{
    return cairn_history_push(out, row);
}

static int host_buf_status(const cairn_buf *b)
{
    return b->oom ? CAIRN_ENOMEM : 0;
}

static int host_stmts_status(const cairn_stmts *s)
{
    return s->err;
}

static const cairn_host host_table = {
    .abi_major = CAIRN_HOST_ABI_MAJOR,
    .abi_minor = CAIRN_HOST_ABI_MINOR,
    .struct_size = sizeof(cairn_host),
    .error = host_error,
    .debug = host_debug,
    .warn = host_warn,
    .buf_new = host_buf_new,
    .buf_free = host_buf_free,
    .buf_append = cairn_buf_append,
    .buf_puts = cairn_buf_puts,
    .buf_printf = host_buf_printf,
    .buf_quote = cairn_buf_quote,
    .buf_quote_pair = cairn_buf_quote_pair,
    .set_view_option = cairn_view_set_option,
    .add_object = cairn_schema_add_object,
    .object_add_depend = cairn_object_add_depend,
    .buf_status = host_buf_status,
    .stmts_status = host_stmts_status,
    .buf_literal = cairn_buf_literal,
    .buf_cstr = cairn_buf_cstr,
    .buf_len = host_buf_len,
    .buf_reset = cairn_buf_reset,
    .stmt_add = cairn_stmts_add,
    .history_add = host_history_add,
    .strdup = cairn_schema_strdup,
    .strndup = cairn_schema_strndup,
    .add_table = cairn_schema_add_table,
    .add_column = cairn_table_add_column,
    .set_primary_key = cairn_table_set_primary_key,
    .add_unique = cairn_table_add_unique,
    .key_add_column = cairn_key_add_column,
    .add_index = cairn_table_add_index,
    .index_add_part = cairn_index_add_part,
    .index_add_include = cairn_index_add_include,
    .add_fkey = cairn_table_add_fkey,
    .fkey_add_columns = cairn_fkey_add_columns,
    .add_check = cairn_table_add_check,
    .add_trigger = cairn_table_add_trigger,
    .set_table_option = cairn_table_set_option,
    .add_view = cairn_schema_add_view,
    .add_enum = cairn_schema_add_enum,
    .enum_add_value = cairn_enum_add_value,
    .add_sequence = cairn_schema_add_sequence,
    .add_namespace = cairn_schema_add_namespace,
    .find_table = cairn_schema_find_table,
    .find_column = cairn_table_find_column,
    .view_add_column = cairn_view_add_column,
    .left_out = host_left_out,
    .progress = host_progress,
};

const cairn_host *cairn_host_table(void)
{
    return &host_table;
}
