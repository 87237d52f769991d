/* A stub dialect driver that exists only to test the host's loader. It is
 * built in variants, each breaking one rule the loader must catch:
 *   STUB_WRONG_MAGIC   the table does not start with CAIRN_DIALECT_MAGIC
 *   STUB_NEW_MAJOR     built for a newer ABI major than the host speaks
 *   STUB_MISSING_SLOT  a required slot (emit) is NULL
 *   STUB_NO_ENTRY      the entry symbol is not exported
 *   STUB_SHORT_TABLE   struct_size smaller than ABI 1.0's table
 *   STUB_ABI_1_0       a driver built before ABI 1.1: its table ends where
 *                      1.0 ended, so the host must never read normalize_expr
 *                      (which here would abort)
 *   STUB_ABI_1_1       a driver built for ABI 1.1: its table ends after
 *                      normalize_expr, so the host must never read the 1.2
 *                      fields (set here to poison)
 * Without any of them it is a valid driver whose slots answer "unsupported"
 * (it must load and be listed, never be used for real work). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cairn/sys/dialect.h>

typedef struct stub_session {
    const cairn_host *host;
    cairn_hostctx *hc;
} stub_session;


static cairn_dialect_open_fn stub_open;
static cairn_dialect_close_fn stub_close;
static cairn_dialect_connect_fn stub_connect;
static cairn_dialect_disconnect_fn stub_disconnect;
static cairn_dialect_exec_fn stub_exec;
static cairn_dialect_txn_fn stub_txn;
static cairn_dialect_introspect_fn stub_introspect;
static cairn_dialect_emit_fn stub_emit;
static cairn_dialect_history_ensure_fn stub_history_ensure;
static cairn_dialect_history_list_fn stub_history_list;
static cairn_dialect_history_record_fn stub_history_record;
static cairn_dialect_lock_fn stub_lock;

static int stub_open(const cairn_host *host, cairn_hostctx *hc, cairn_dsession **out)
{
    stub_session *s = malloc(sizeof *s);
    if (!s)
        return CAIRN_ENOMEM;
    s->host = host;
    s->hc = hc;
    *out = (cairn_dsession *)s;
    return 0;
}
static void stub_close(cairn_dsession *s) { free(s); }

/* ABI 1.1: "norm:" + the expression, so a test sees that it was called. */
static cairn_dialect_normalize_expr_fn stub_normalize_expr;
static int stub_normalize_expr(cairn_dsession *ds, const char *expr, cairn_buf *out)
{
#ifdef STUB_ABI_1_0
    (void)ds;
    (void)expr;
    (void)out;
    abort(); /* beyond the table this driver declared: never called */
#else
    const stub_session *s = (const stub_session *)ds;
    return s->host->buf_printf(out, "norm:%s", expr);
#endif
}
static int stub_connect(cairn_dsession *s, const char *url, cairn_dconn **out)
{
    (void)s;
    (void)url;
    (void)out;
    return CAIRN_EUNSUPPORTED;
}
static void stub_disconnect(cairn_dconn *c) { (void)c; }
static int stub_exec(cairn_dconn *c, const char *sql)
{
    (void)c;
    (void)sql;
    return CAIRN_EUNSUPPORTED;
}
static int stub_txn(cairn_dconn *c)
{
    (void)c;
    return CAIRN_EUNSUPPORTED;
}
static int stub_introspect(cairn_dconn *c, const cairn_filter *f, cairn_schema *out)
{
    (void)c;
    (void)f;
    (void)out;
    return CAIRN_EUNSUPPORTED;
}
static int stub_emit(cairn_dsession *s, const cairn_plan *p, cairn_stmts *out)
{
    (void)s;
    (void)p;
    (void)out;
    return CAIRN_EUNSUPPORTED;
}
static int stub_history_ensure(cairn_dconn *c, const cairn_history_opts *h)
{
    (void)c;
    (void)h;
    return CAIRN_EUNSUPPORTED;
}
static int stub_history_list(cairn_dconn *c, const cairn_history_opts *h, cairn_history *out)
{
    (void)c;
    (void)h;
    (void)out;
    return CAIRN_EUNSUPPORTED;
}
static int stub_history_record(cairn_dconn *c, const cairn_history_opts *h, const cairn_applied *r)
{
    (void)c;
    (void)h;
    (void)r;
    return CAIRN_EUNSUPPORTED;
}
static int stub_lock(cairn_dconn *c, const cairn_history_opts *h)
{
    (void)c;
    (void)h;
    return CAIRN_EUNSUPPORTED;
}

static const char *const stub_schemes[] = {"stub", NULL};

#ifdef STUB_ABI_1_1
static const cairn_type_family stub_poison_types[] = {
    {"text", CAIRN_TYPE_INTEGER, 99, 0}, {NULL, CAIRN_TYPE_END, 0, 0}};
#endif

#ifdef STUB_NO_ENTRY
#  define STUB_EXPORT static
#  define STUB_TABLE_NAME stub_table_hidden
#else
#  define STUB_EXPORT CAIRN_PLUGIN_EXPORT
#  define STUB_TABLE_NAME cairn_dialect_entry
#endif

STUB_EXPORT const cairn_dialect STUB_TABLE_NAME = {
#ifdef STUB_WRONG_MAGIC
    .magic = 0x7f454c46u,
#else
    .magic = CAIRN_DIALECT_MAGIC,
#endif
#ifdef STUB_NEW_MAJOR
    .abi_major = CAIRN_DIALECT_ABI_MAJOR + 1,
#else
    .abi_major = CAIRN_DIALECT_ABI_MAJOR,
#endif
#ifdef STUB_ABI_1_0
    .abi_minor = 0,
#elif defined(STUB_ABI_1_1)
    .abi_minor = 1,
#else
    .abi_minor = CAIRN_DIALECT_ABI_MINOR,
#endif
#if defined(STUB_SHORT_TABLE)
    .struct_size = offsetof(cairn_dialect, open),
#elif defined(STUB_ABI_1_0)
    .struct_size = offsetof(cairn_dialect, normalize_expr),
#elif defined(STUB_ABI_1_1)
    .struct_size = offsetof(cairn_dialect, quote_close),
#else
    .struct_size = sizeof(cairn_dialect),
#endif
    .name = "stub",
    .version = "0.0.1",
    .schemes = stub_schemes,
    .caps = CAIRN_CAP_TRANSACTIONAL_DDL,
    .quote = '"',
    .open = stub_open,
    .close = stub_close,
    .connect = stub_connect,
    .disconnect = stub_disconnect,
    .exec = stub_exec,
    .begin = stub_txn,
    .commit = stub_txn,
    .rollback = stub_txn,
    .introspect = stub_introspect,
#ifndef STUB_MISSING_SLOT
    .emit = stub_emit,
#endif
    .history_ensure = stub_history_ensure,
    .history_list = stub_history_list,
    .history_record = stub_history_record,
    .lock = stub_lock,
    .unlock = stub_lock,
    .normalize_expr = stub_normalize_expr,
#ifdef STUB_ABI_1_1
    /* beyond the 1.1 table: a host that read them would misquote and
     * misjudge types */
    .quote_close = '!',
    .type_families = stub_poison_types,
#endif
};

#if defined(STUB_NO_ENTRY) || defined(STUB_MISSING_SLOT)
/* Keep the otherwise unused table and emit function referenced. */
CAIRN_PLUGIN_EXPORT int cairn_stub_keep(void);
CAIRN_PLUGIN_EXPORT int cairn_stub_keep(void)
{
    return STUB_TABLE_NAME.emit == stub_emit;
}
#endif
