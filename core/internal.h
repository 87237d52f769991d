/*
 * libcairn internals: shared by the core's modules and its unit tests,
 * never installed. Each section names the .c file that implements it.
 */
#ifndef CAIRN_INTERNAL_H
#define CAIRN_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include <cairn/cairn.h>
#include <cairn/sys/dialect.h>

#define CAIRN_FMT(a, b) __attribute__((format(printf, a, b)))
#define CAIRN_INTERNAL __attribute__((visibility("hidden")))

/* ---- arena.c: bump allocator for schema objects ----------------------- */
typedef struct cairn_arena cairn_arena;
cairn_arena *cairn_arena_new(void);
void cairn_arena_free(cairn_arena *a);
/** Zeroed, aligned memory; NULL on out of memory. */
void *cairn_arena_alloc(cairn_arena *a, size_t size);
/* Asks that [p, p + n) be backed by huge pages (madvise; a hint, ignored
 * where the kernel has none). Call before the range is touched. */
void cairn_mem_advise_huge(void *p, size_t n);
/* malloc, except that from CAIRN_MEM_BIG up the block is rounded up to
 * whole huge pages and advised to be backed by them (cairn_mem_advise_huge):
 * for the large buffers a command fills once (a document's text and its
 * copies). Free with free(). */
#define CAIRN_MEM_BIG ((size_t)1 << 20)
void *cairn_mem_alloc(size_t n);
char *cairn_arena_strndup(cairn_arena *a, const char *s, size_t n);
char *cairn_arena_strdup(cairn_arena *a, const char *s);
/** Append `item` to a pointer array (`*items`, `*n`) that lives in the arena. */
int cairn_arena_push(cairn_arena *a, void ***items, size_t *n, void *item);

/* ---- strmap.c: (namespace, name) -> pointer, in an arena; the strings
 *      are borrowed and must outlive the map ------------------------------ */
typedef struct cairn_strmap cairn_strmap;
cairn_strmap *cairn_strmap_new(cairn_arena *a);
const void *cairn_strmap_get(const cairn_strmap *m, const char *ns, const char *name);
/** Insert or replace. */
int cairn_strmap_put(cairn_strmap *m, const char *ns, const char *name, const void *value);

/** schema.c: the arena behind a schema. */
cairn_arena *cairn_schema_arena(cairn_schema *s);
/** schema.c: index the tables by name again, after s->tables was changed
 *  by hand (tables may live in another schema's arena, which must then
 *  outlive this one). */
int cairn_schema_index_tables(cairn_schema *s);
/** schema.c: `from`'s tables appended to `s`'s, and `from` freed with `s`
 *  from now on (its other members are not looked at; the caller does not
 *  free it). A schema read in parts on two threads (json.c). */
int cairn_schema_adopt_tables(cairn_schema *s, cairn_schema *from);
/** schema.c: deep copies of one object (with everything it holds) into
 *  `d`'s arena; NULL when out of memory. */
cairn_table *cairn_schema_copy_table(cairn_schema *d, const cairn_table *src);
cairn_view *cairn_schema_copy_view(cairn_schema *d, const cairn_view *src);
cairn_enum *cairn_schema_copy_enum(cairn_schema *d, const cairn_enum *src);
cairn_sequence *cairn_schema_copy_sequence(cairn_schema *d, const cairn_sequence *src);
cairn_object *cairn_schema_copy_object(cairn_schema *d, const cairn_object *src);
/** schema.c: the order of objects (kind, namespace, table, name, signature);
 *  0 when both have one identity. */
int cairn_object_cmp(const cairn_object *a, const cairn_object *b);
/** schema.c: "function app.f(integer)", "policy p on t": an object for
 *  messages and events. */
void cairn_object_label(const cairn_object *o, char *out, size_t size);

/* ---- buf.c: growable strings, statement lists, history lists ----------- */
struct cairn_buf {
    char *data; /* always NUL-terminated when cap > 0 */
    size_t len, cap;
    int oom;    /* sticky: an append failed */
};
/** Does `s` end in `suffix`, with something before it? */
int cairn_has_suffix(const char *s, const char *suffix);
void cairn_buf_init(cairn_buf *b);
void cairn_buf_release(cairn_buf *b);
/** Room for `extra` more bytes and the NUL (CAIRN_ENOMEM, sticky, else). */
int cairn_buf_reserve(cairn_buf *b, size_t extra);
int cairn_buf_append(cairn_buf *b, const char *s, size_t len);
int cairn_buf_puts(cairn_buf *b, const char *s);
int cairn_buf_printf(cairn_buf *b, const char *fmt, ...) CAIRN_FMT(2, 3);
int cairn_buf_vprintf(cairn_buf *b, const char *fmt, va_list ap);
int cairn_buf_quote(cairn_buf *b, const char *ident, char quote);
int cairn_buf_quote_pair(cairn_buf *b, const char *ident, char open, char close);
int cairn_buf_literal(cairn_buf *b, const char *str);
const char *cairn_buf_cstr(const cairn_buf *b); /* "" when empty */
void cairn_buf_reset(cairn_buf *b);
/** Hand the text over (malloc'd, caller frees); the buffer is emptied. */
char *cairn_buf_steal(cairn_buf *b);

struct cairn_stmts {
    char **sql;
    uint32_t *flags;
    size_t n, cap;
    int err; /* sticky: the first failed add */
};
void cairn_stmts_init(cairn_stmts *s);
void cairn_stmts_release(cairn_stmts *s);
int cairn_stmts_add(cairn_stmts *s, const char *sql, uint32_t flags);

struct cairn_history {
    cairn_applied *rows;
    size_t n, cap;
    cairn_arena *arena; /* strings of rows */
    int legacy_rows;    /* filled by a driver of ABI < 1.2: rows without struct_size */
};
void cairn_history_init(cairn_history *h);
void cairn_history_release(cairn_history *h);
int cairn_history_push(cairn_history *h, const cairn_applied *row);
const cairn_applied *cairn_history_find(const cairn_history *h, const char *name);

void cairn_strv_free(char **v, size_t n);
/** Split a `sep`-separated list into trimmed, non-empty malloc'd strings
 *  (none for NULL or ""). */
int cairn_split_list(const char *s, char sep, char ***v, size_t *n);

/* ---- migfile.c: the migration file format, written and read ------------- */
/** The statement separator inside migration.sql. */
#define CAIRN_BREAKPOINT "--> statement-breakpoint"
/** First line of a migration.sql that must run outside a transaction. */
#define CAIRN_NO_TRANSACTION_MARKER "-- cairn:no-transaction"
/** Append `sql` ended so a plain SQL client runs it: ';' after its last
 *  line of code unless it has one, on a line of its own when a comment
 *  line follows; nothing for a statement of comments only. */
void cairn_migfile_end_statement(cairn_buf *b, const char *sql);
/** migration.sql from statements: the no-transaction marker when one needs
 *  it, then `header` (comment lines ending in "\n", may be NULL), then the
 *  statements between breakpoint lines (malloc'd). ESCHEMA when a
 *  statement holds a breakpoint line. */
int cairn_migfile_build(cairn_ctx *cx, const cairn_stmts *st, const char *header, char **out);
/** A plain SQL script (export, pull --output x.sql): statements ended as
 *  above, a blank line between them (malloc'd). With `client_delimiter`
 *  (CAIRN_CAP_CLIENT_DELIMITER), a statement holding a ';' of its own is
 *  written in a DELIMITER block. */
int cairn_migfile_script(cairn_ctx *cx, const cairn_stmts *st, int client_delimiter, char **out);
/** The first `delim` in `sql` outside strings, quoted names and comments. */
const char *cairn_sql_find_delimiter(const char *sql, const char *delim);
/** Does a line of `sql` start with the client directive DELIMITER? */
int cairn_sql_has_delimiter_line(const char *sql);
/** A script split as the mysql client splits it: at ';' outside strings
 *  and comments, or at the delimiter the last "DELIMITER x" line (at a
 *  statement's start) set; statements trimmed, without their delimiter,
 *  comments-only ones left out, each with its first line. */
typedef struct cairn_script {
    char **sql;
    int *line;
    size_t n, cap;
    int bad_line; /* the DELIMITER line without a delimiter, on ESCHEMA */
} cairn_script;
/** 0, CAIRN_ENOMEM, or CAIRN_ESCHEMA (bad_line set; nothing to free). */
int cairn_split_script(const char *sql, cairn_script *out);
void cairn_script_free(cairn_script *s);
/** Refuse text with a NUL byte (EINTEGRITY at its line and column). */
int cairn_migfile_check_text(cairn_ctx *cx, const char *path, const char *text, size_t len);
/** Is the first line exactly the no-transaction marker (blanks aside)? */
int cairn_migfile_no_transaction(const char *sql);
/** Split migration.sql on breakpoint lines into trimmed, non-empty
 *  statements (malloc'd array of malloc'd strings). */
int cairn_split_statements(const char *sql, char ***out, size_t *n);
/** Is `sql` only blanks, semicolons and comments? Such a statement is not
 *  sent: some servers answer it with an error ("Query was empty"). */
int cairn_sql_is_blank(const char *sql);
/** Does `sql` hold a line that would read as a breakpoint? */
int cairn_has_breakpoint_line(const char *sql);

/* ---- sha256.c ------------------------------------------------------------ */
void cairn_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- ctx.c: the context, errors, logging, settings ---------------------- */
typedef struct cairn_session cairn_session;

/** What an introspection left out, per kind (host slot left_out). */
typedef struct cairn_left_out {
    char *kind, *kinds;
    size_t n;
} cairn_left_out;
/** The value of table option `key`, or NULL when the table has none. */
const char *cairn_table_option(const cairn_table *t, const char *key);
/** A virtual table (SQLite CREATE VIRTUAL TABLE): it has the option "using". */
int cairn_table_is_virtual(const cairn_table *t);
/** "2 triggers on views, 1 ..." into `b`: what the last introspection left
 *  out. Returns 0 when it left out nothing (or on out of memory). */
int cairn_ctx_left_out_text(const cairn_ctx *cx, cairn_buf *b);
/** Forget what the last introspection left out. */
void cairn_ctx_left_out_clear(cairn_ctx *cx);

struct cairn_ctx {
    cairn_error err;
    char *err_message, *err_sqlstate, *err_file;
    cairn_log_fn *log;
    void *log_ud;
    cairn_event_fn *event;
    void *event_ud;
    /* settings: flags (cairn_ctx_set) win over the config file */
    char *set_flag[24];
    char *set_file[24];
    char *config_path;   /* the config file that was read, or NULL */
    char *config_dir;    /* its directory, for relative paths in it */
    cairn_session *session; /* the loaded dialect, lazily */
    char *url_expanded;     /* scratch for cairn_ctx_get("url") */
    char **dotenv;          /* "KEY=VALUE" from the project's .env (dotenv.c) */
    size_t ndotenv;
    char *driver_warning;   /* the last host->warn line, not repeated */
    cairn_left_out *left_out; /* of the last introspection */
    size_t nleft_out;
    /* a migrations folder read once for many targets (fleet.c): migrate
     * and its kin borrow it instead of reading the folder again */
    const struct cairn_shared_folder *shared_folder;
    /* the long work cairn_progress reports on: since when, last said when
     * (0: not yet) */
    char *progress_what;
    int64_t progress_start, progress_last;
    struct cairn_readahead *readahead; /* generate's second thread (readahead.c) */
    /* json.c: the size from which a document's tables array is parsed on
     * two threads (0: the default; SIZE_MAX: never, as in a clone, which
     * runs on a worker thread), and how many documents were (the tests) */
    size_t json_split_min;
    unsigned json_splits;
    /* json.c: build a schema's or snapshot's position index before its
     * walk, as before it was built only for a message (the tests compare
     * the two reads) */
    int json_index_first;
    /* json.c: where a schema file's parsed tree goes once read, to be
     * freed on another thread (readahead.c; NULL: freed where it is) */
    void (*json_dispose)(void *ud, void *tree);
    void *json_dispose_ud;
};
/** ctx.c: a new context with `src`'s settings, config file and .env (not
 *  its session, handlers or error), for one target of a fleet. */
int cairn_ctx_clone(const cairn_ctx *src, cairn_ctx **out);

/** Setting indexes into set_flag / set_file. */
enum {
    CAIRN_SET_DIALECT,
    CAIRN_SET_SCHEMA,
    CAIRN_SET_OUT,
    CAIRN_SET_URL,
    CAIRN_SET_DEV_URL,
    CAIRN_SET_MIGRATIONS_TABLE,
    CAIRN_SET_MIGRATIONS_SCHEMA,
    CAIRN_SET_DIALECT_PATH,
    CAIRN_SET_LOCK_TIMEOUT,
    CAIRN_SET_TABLES,
    CAIRN_SET_NAMESPACES,
    CAIRN_SET_VERBOSE,
    CAIRN_SET_CHECK,
    CAIRN_SET_LINT_IGNORE,
    CAIRN_SET_LINT_ERROR,
    CAIRN_SET_LOCK_STRATEGY,
    CAIRN_SET_LOCK_LEASE,
    CAIRN_SET_PROGRESS_INTERVAL,
    CAIRN_SET_NO_DROP,
    CAIRN_SET_COUNT_
};
_Static_assert(CAIRN_SET_COUNT_ <= 24, "set_flag and set_file hold every setting");
/** dotenv.c: read KEY=VALUE lines of `path` (a missing file is no error). */
int cairn_dotenv_load(cairn_ctx *cx, const char *path);
/** A variable: the process environment, else the project's .env. */
const char *cairn_ctx_env(const cairn_ctx *cx, const char *name);
/** Is the "check" setting on (`--check`): report pending work as
 *  CAIRN_EPENDING and change nothing? */
int cairn_ctx_checking(const cairn_ctx *cx);

/** Resolve a path from the config file against the config's directory. */
char *cairn_ctx_path(const cairn_ctx *cx, const char *path);

/* ---- error.c: the one error path; every message and log line is scrubbed
 *      of the configured URLs' passwords here ---------------------------- */
/** Set the context's error; returns `code`. The message is one line. */
int cairn_err(cairn_ctx *cx, int code, const char *fmt, ...) CAIRN_FMT(3, 4);
int cairn_verr(cairn_ctx *cx, int code, const char *sqlstate, const char *fmt, va_list ap);
/** Same, with a position in a file (line/column 1-based, 0 = unknown). */
int cairn_err_at(cairn_ctx *cx, int code, const char *file, int line, int column,
                 const char *fmt, ...) CAIRN_FMT(6, 7);
/** When `rc` failed and nothing set an error yet (a driver that returned a
 *  code without calling host->error), set this one. Returns `rc`. */
int cairn_err_default(cairn_ctx *cx, int rc, const char *fmt, ...) CAIRN_FMT(3, 4);
/** Put a prefix before the current message, keeping its SQLSTATE; the code
 *  becomes `rc`. Returns `rc`. */
int cairn_err_prefix(cairn_ctx *cx, int rc, const char *fmt, ...) CAIRN_FMT(3, 4);
void cairn_err_clear(cairn_ctx *cx);
/** An error set aside while cleanup (rollback, unlock) may report its own:
 *  the first failure is the one the user needs. */
typedef struct cairn_saved_err {
    cairn_error err;
    char *message, *sqlstate, *file;
} cairn_saved_err;
void cairn_err_save(cairn_ctx *cx, cairn_saved_err *s);
void cairn_err_restore(cairn_ctx *cx, cairn_saved_err *s);
void cairn_log(cairn_ctx *cx, cairn_log_level level, const char *fmt, ...) CAIRN_FMT(3, 4);

/* ---- event.c: the structured twin of the log (cairn_event) --------------- */
/** Hand `ev` to the event handler, if any, its text scrubbed of secrets. */
void cairn_event_emit(cairn_ctx *cx, const cairn_event *ev);
/** A CHANGE event per change of `p`. */
void cairn_event_plan(cairn_ctx *cx, const cairn_plan *p);
/* A SKIPPED event per drop the plan left out (keep_drops). */
void cairn_event_skipped(cairn_ctx *cx, const cairn_plan *p);
/** Long work under way (the host slot `progress`): a PROGRESS event once
 *  `what` has taken a second, then at most one a second, and one when it
 *  ends (`done` == `total` > 0) if any was sent. Nothing without a handler. */
void cairn_progress(cairn_ctx *cx, const char *what, const char *object, size_t done,
                    size_t total);
/** "drop column users.email": the change's kind in words and its object as
 *  --json names it (docs/json-output.md), into `out`. */
void cairn_change_label(const cairn_change *c, char *out, size_t size);
/** A STATEMENT event per statement, about `migration` (or NULL). */
void cairn_event_sql(cairn_ctx *cx, const char *migration, char *const *sql, size_t n);
/** Is anyone listening? (saves building events nobody reads) */
int cairn_event_wanted(const cairn_ctx *cx);

/* ---- url.c: schemes, printing without the password, secrets ------------ */
/** The scheme in lower case ("postgres" for POSTGRES://...); "file" for a
 *  path without one (malloc'd). */
char *cairn_url_scheme(const char *url);
/** The URL with its scheme in lower case, as drivers receive it (malloc'd). */
char *cairn_url_canonical(const char *url);
/** The URL with its password (userinfo or password=...) as "***" (malloc'd). */
char *cairn_url_redact(const char *url);
/** Strings that must never be printed. */
typedef struct cairn_secrets {
    char **v;
    size_t n;
} cairn_secrets;
/** Add a URL's password: as written, percent-decoded, and its pieces
 *  between '/', '@', '?', '#', ':', '&' (3 characters or more). */
int cairn_secrets_add_url(cairn_secrets *s, const char *url);
void cairn_secrets_release(cairn_secrets *s);
/** `text` with every secret replaced by "***" (malloc'd). */
char *cairn_secrets_scrub(const cairn_secrets *s, const char *text);
/** error.c: `text` without the passwords of the configured URLs (malloc'd;
 *  NULL on out of memory). */
char *cairn_scrub(const cairn_ctx *cx, const char *text);

/* ---- host.c: the host table given to drivers ----------------------------- */
const cairn_host *cairn_host_table(void);

/* ---- loader.c: finding, checking and loading drivers --------------------- */
typedef struct cairn_driver {
    const cairn_dialect *d;
    char *path;
} cairn_driver;

/** Directories to search, in order, for this context (malloc'd vector). */
int cairn_loader_dirs(cairn_ctx *cx, char ***dirs, size_t *n);
/** Load and check one file; on refusal the error names the file and why. */
int cairn_loader_load_file(cairn_ctx *cx, const char *path, cairn_driver *out);
/** Does the driver serve URL scheme `scheme` (lower case)? */
int cairn_loader_serves(const cairn_dialect *d, const char *scheme);
/** Find a driver by dialect name or by URL scheme (`url` may be NULL). */
int cairn_loader_find(cairn_ctx *cx, const char *name, const char *url, cairn_driver *out);
void cairn_driver_release(cairn_driver *drv);
/** Load and check one file like cairn_loader_load_file, then check its
 *  table against the manifest beside it, when it has one. */
int cairn_loader_load(cairn_ctx *cx, const char *path, cairn_driver *out);
/** Loading ahead: the file cairn_loader_find would load for the context's
 *  dialect name is dlopen'ed on a thread of its own, so that the
 *  cairn_session_get that follows finds it loaded. 0 when the thread runs
 *  (end it with cairn_loader_ahead_end, after that cairn_session_get);
 *  -1, with nothing reported, when there is nothing to do: a session
 *  already, no dialect name (a URL alone), no such file, no thread. The
 *  handle is never closed: drivers are never unloaded. */
typedef struct cairn_loader_ahead {
    pthread_t th;
    char *file;
} cairn_loader_ahead;
int cairn_loader_ahead_start(cairn_ctx *cx, cairn_loader_ahead *a);
void cairn_loader_ahead_end(cairn_loader_ahead *a);

/* ---- manifest.c: <name>.dialect beside <name>.so, the dialect's name and
 *      URL schemes, read before any driver is loaded ----------------------- */
#define CAIRN_MANIFEST_SUFFIX ".dialect"
/** Limits of a manifest: a larger one is ignored (the driver is loaded
 *  and asked instead). */
#define CAIRN_MANIFEST_MAX_BYTES 4096
#define CAIRN_MANIFEST_MAX_LINE 256
#define CAIRN_MANIFEST_MAX_SCHEMES 32
typedef struct cairn_manifest {
    char text[CAIRN_MANIFEST_MAX_BYTES + 1]; /* the file, cut into the strings below */
    const char *name;
    const char *schemes[CAIRN_MANIFEST_MAX_SCHEMES];
    size_t nschemes;
} cairn_manifest;
/** Parse a manifest's text (`len` bytes, need not end in NUL): 0, or -1
 *  with the reason in `why` ("line 3: not 'key = value'"). */
int cairn_manifest_parse(const char *text, size_t len, cairn_manifest *out, char *why,
                         size_t whysize);
/** Read the manifest beside driver file `so` (x.so -> x.dialect): 1 when
 *  there is a well-formed one; 0 when there is none, or one that is not
 *  well-formed (ignored, with a debug line saying why). */
int cairn_manifest_read(cairn_ctx *cx, const char *so, cairn_manifest *out);
/** Does the manifest list URL scheme `scheme`? */
int cairn_manifest_serves(const cairn_manifest *m, const char *scheme);
/** 0 when driver `d` (loaded from `so`) has the manifest's name and
 *  exactly its schemes; else EDIALECT with one line naming `so`. */
int cairn_manifest_check(cairn_ctx *cx, const cairn_manifest *m, const char *so,
                         const cairn_dialect *d);

/* ---- session.c: the one door to the driver: every driver slot is called
 *      there and nowhere else ---------------------------------------------- */
struct cairn_session {
    cairn_ctx *cx;
    cairn_driver drv;
    cairn_dsession *ds;
};
/** A connection to a database (or a scratch database) of the session. */
typedef struct cairn_conn cairn_conn;
/** lease.c: the lease lock (lock_strategy "lease"). */
typedef struct cairn_lease cairn_lease;
/** One attempt at the lease: 0 with *out (renewed until given back), or
 *  CAIRN_ELOCKED naming the holder. */
int cairn_lease_take(cairn_conn *c, const cairn_history_opts *h, cairn_lease **out);
int cairn_lease_give_back(cairn_conn *c, cairn_lease *l);
int64_t cairn_lease_ms(const cairn_ctx *cx);
/** The context and the dialect of a connection. */
cairn_ctx *cairn_conn_ctx(const cairn_conn *c);
const cairn_dialect *cairn_conn_dialect(const cairn_conn *c);
/** The dialect of the context (from "dialect", else the URL's scheme),
 *  loaded and opened once. */
int cairn_session_get(cairn_ctx *cx, cairn_session **out);
void cairn_session_free(cairn_session *s);
/** The driver's table: name, caps, quote (never call its slots directly). */
const cairn_dialect *cairn_session_dialect(const cairn_session *s);
/** The type families of the context's dialect when it is loaded and
 *  states them (ABI 1.2), else NULL: data, read by the diff. */
const cairn_type_family *cairn_ctx_type_families(const cairn_ctx *cx);
/** The CAIRN_CAP_* flags of the context's dialect when it is loaded, else 0. */
uint64_t cairn_ctx_dialect_caps(const cairn_ctx *cx);
/** The dialect's default namespace (default_namespace, with
 *  CAIRN_CAP_SCHEMAS), which the model calls NULL; NULL when it has none. */
const char *cairn_ctx_default_namespace(const cairn_ctx *cx);
/** The namespace foreign key `fk` of table `t` references, as the model
 *  names it: NULL for the dialect's default namespace (a ref_schema equal to
 *  its default_namespace included), else the namespace's name. */
const char *cairn_fkey_ref_ns(const cairn_ctx *cx, const cairn_table *t, const cairn_fkey *fk);
/** Does the context's dialect change object `from` into `to` only by a
 *  drop and a create (the `object_recreates` slot)? 0 without one. */
int cairn_ctx_object_recreates(const cairn_ctx *cx, const cairn_object *from,
                               const cairn_object *to);
/** Connect to the configured url (ECONFIG when none). */
int cairn_session_connect(cairn_ctx *cx, cairn_session *s, cairn_conn **out);
/** A database to fill and read back (`why` names the need in messages):
 *  the driver's scratch database, or the dev_url. */
int cairn_session_connect_scratch(cairn_ctx *cx, cairn_session *s, const char *why,
                                  cairn_conn **out);
int cairn_conn_is_scratch(const cairn_conn *c);
/** Disconnect (or drop the scratch database); NULL is a no-op. */
void cairn_conn_close(cairn_conn *c);
int cairn_conn_exec(cairn_conn *c, const char *sql);
int cairn_conn_begin(cairn_conn *c);
int cairn_conn_commit(cairn_conn *c);
int cairn_conn_rollback(cairn_conn *c);
/** Take the migration lock, waiting up to h->lock_timeout_ms (the driver
 *  tries once per call). */
int cairn_conn_lock(cairn_conn *c, const cairn_history_opts *h);
int cairn_conn_unlock(cairn_conn *c, const cairn_history_opts *h);
int cairn_conn_history_ensure(cairn_conn *c, const cairn_history_opts *h);
int cairn_conn_history_list(cairn_conn *c, const cairn_history_opts *h, cairn_history *out);
int cairn_conn_history_record(cairn_conn *c, const cairn_history_opts *h, const cairn_applied *row);
/** CAIRN_EUNSUPPORTED when the driver has no history_remove. */
int cairn_conn_history_remove(cairn_conn *c, const cairn_history_opts *h, const char *name);
/* The audit trail: who repaired the history, when, what. One row in
 * <history table>_audit (made when first needed, never introspected). */
#define CAIRN_AUDIT_SUFFIX "_audit"
/** session.c: "<schema>"."<history table><suffix>" in the dialect's quotes:
 *  the tables kept beside the history table (audit, lease). */
void cairn_side_table(cairn_buf *b, const cairn_dialect *d, const cairn_history_opts *h,
                      const char *suffix);
/** session.c: a monotonic clock in milliseconds. */
int64_t cairn_mono_ms(void);
/** ctx.c: ${VAR} of `in` from the environment or the project's .env, into
 *  a malloc'd *out; an unset variable is CAIRN_ECONFIG at file:line:column. */
int cairn_ctx_expand(cairn_ctx *cx, const char *in, char **out, const char *file, int line,
                     int column);
/** The lease lock's table beside the history table (lease.c). */
#define CAIRN_LEASE_SUFFIX "_lock"
int cairn_conn_audit(cairn_conn *c, const cairn_history_opts *h, const char *action,
                     const char *migration, const char *detail);
/* Read rows (ABI 1.3 `query`): CAIRN_EUNSUPPORTED when the driver cannot. */
int cairn_conn_query(cairn_conn *c, const char *sql, cairn_row_fn *row, void *ud);
/** Introspect with the configured filters; the history table is always
 *  excluded. */
int cairn_conn_introspect(cairn_conn *c, cairn_schema **out);
/** The same for `pull`: the driver also says what the model leaves out
 *  (CAIRN_FILTER_REPORT_LEFT_OUT). */
int cairn_conn_introspect_for_pull(cairn_conn *c, cairn_schema **out);
/** A schema from files as this server would report it (the driver's
 *  normalize_schema, ABI 1.4; nothing without it): before a diff with the
 *  live schema. */
int cairn_conn_normalize_schema(cairn_conn *c, cairn_schema *s);
/* For the drivers' own tests, which call slots on a bare driver connection:
 * connect to the configured url, and introspect such a connection. */
int cairn_session_connect_driver(cairn_ctx *cx, cairn_session *s, cairn_dconn **out);
int cairn_session_introspect(cairn_ctx *cx, cairn_session *s, cairn_dconn *dc,
                             cairn_schema **out);
/** History options from the settings. */
void cairn_session_history_opts(cairn_ctx *cx, cairn_history_opts *h);
/** Refuse (ESCHEMA, one line naming the object and `path`) a schema that
 *  uses a feature whose CAIRN_CAP_* the driver does not state. */
int cairn_session_check_caps(cairn_ctx *cx, cairn_session *s, const cairn_schema *schema,
                             const char *path);
/** Normalise types and defaults of a schema read from a file. */
int cairn_session_normalize(cairn_ctx *cx, cairn_session *s, cairn_schema *schema);
/** Emit a plan into statements. */
int cairn_session_emit(cairn_ctx *cx, cairn_session *s, const cairn_plan *p, cairn_stmts *out);
/** Flag as destructive (with a warning) the changes the driver writes in a
 *  way that deletes rows the diff cannot see (CAIRN_HAZARD_DELETES_ROWS,
 *  e.g. MySQL's DROP PARTITION). CAIRN_ENOMEM or 0. */
int cairn_session_mark_losses(cairn_ctx *cx, cairn_session *s, cairn_plan *p);

/* ---- fkorder.c: foreign keys of new tables, for a dialect that checks them
 *      when they are created (CAIRN_CAP_FKEY_NEEDS_TARGET) ---------------- */
/** `*out` = `p`, or a plan (in `*arena`, free with cairn_arena_free) where
 *  a new table's key whose target is not complete when the table is
 *  created is an ADD_FOREIGN_KEY at the end instead. */
int cairn_plan_order_fkeys(cairn_ctx *cx, const cairn_plan *p, const cairn_plan **out,
                           cairn_arena **arena);

/* ---- exec.c: the executor of migrate and push ---------------------------- */
typedef enum cairn_exec_event {
    /** Statement i is about to be sent outside a transaction. */
    CAIRN_EXEC_STARTING,
    /** Statement i ran and committed (outside a transaction). */
    CAIRN_EXEC_DONE,
    /** Statement i failed outside a transaction: the server refused it. */
    CAIRN_EXEC_FAILED,
    /** Every statement ran; inside the unit's transaction when it has one. */
    CAIRN_EXEC_FINISHED
} cairn_exec_event;

typedef struct cairn_exec_unit {
    const cairn_dialect *dialect;
    const char *name;       /* "migration 2026..._x", "push": starts messages */
    char **stmts;
    const uint32_t *flags;  /* CAIRN_STMT_* per statement, or NULL */
    size_t n;
    size_t start;           /* first statement to run (resuming) */
    const char *file;       /* the file the statements were split from, or NULL */
    const char *text;       /* its text: a failure names the statement's line */
    int no_transaction;     /* the whole unit runs outside a transaction */
    int in_caller_txn;      /* the caller holds a transaction around it */
    /** Called at each event; a failure stops the unit. */
    int (*progress)(void *ud, cairn_exec_event ev, size_t i, size_t n);
    void *ud;
    /* out */
    size_t ran;             /* statements that ran (committed or not) */
    size_t committed;       /* of those, the ones that stay applied on failure */
} cairn_exec_unit;

/** Run a unit's statements; on failure the error names the unit and the
 *  statement, and u->committed says what stays applied. */
int cairn_exec_run(cairn_conn *c, cairn_ctx *cx, cairn_exec_unit *u);
/** Roll back after a failure, keeping the failure as the error. */
void cairn_exec_rollback_quietly(cairn_conn *c, cairn_ctx *cx);

/* ---- json.c: schema files, snapshots and the config file (jansson stays
 *      inside this module) ------------------------------------------------- */
/** Parse a schema document; errors name `fname`, line and column. */
int cairn_json_read_schema(cairn_ctx *cx, const char *text, size_t len, const char *fname,
                           cairn_schema **out);
/** Deterministic JSON of a schema (sorted objects, 2-space indent, "\n" at end). */
int cairn_json_write_schema(cairn_ctx *cx, const cairn_schema *s, cairn_buf *out);

typedef struct cairn_snapshot {
    char *id;       /* the migration's folder name */
    char *parent;   /* the previous migration's id, NULL for the first */
    /* A merge migration's other parents: the heads of branches it joins
     * ("merges" in snapshot.json, absent when none). */
    char **merges;
    size_t nmerges;
    /* A squash migration's folded migrations ("replaces", absent when
     * none): a database that applied them all records it without running it. */
    char **replaces;
    size_t nreplaces;
    char *dialect;
    /** sha256 of the down.sql generate wrote beside it, NULL when it wrote
     *  none (a custom migration, or one written before down.sql existed). */
    char *down_checksum;
    cairn_schema *schema;
} cairn_snapshot;
int cairn_json_read_snapshot(cairn_ctx *cx, const char *text, size_t len, const char *fname,
                             cairn_snapshot *out);
int cairn_json_write_snapshot(cairn_ctx *cx, const cairn_snapshot *snap, cairn_buf *out);
/** One table as a document holding it at `depth` writes it (a snapshot's
 *  tables are at depth 3), from its opening to its closing brace. */
int cairn_json_write_table(cairn_ctx *cx, const cairn_table *t, int depth, cairn_buf *out);
/** Free a tree handed to cx->json_dispose. */
void cairn_json_tree_free(void *tree);
/** Before a second thread reads a document: set jansson's hash seed (once
 *  per process; a no-op when a document was read already). */
void cairn_json_threads_ready(void);
void cairn_snapshot_release(cairn_snapshot *snap);

/** Called for each top-level key of the config file: value is the string
 *  (numbers and booleans as text, arrays of strings joined by ','). A
 *  member of an object value comes as "key.member" ("lint.ignore"). */
typedef int cairn_config_cb(cairn_ctx *cx, void *ud, const char *key, const char *value,
                            int line, int column);
int cairn_json_read_config(cairn_ctx *cx, const char *text, size_t len, const char *fname,
                           cairn_config_cb *cb, void *ud);
/** Levenshtein distance of two short names (99 past 40 bytes), for "did
 *  you mean". */
size_t cairn_edit_distance(const char *a, const char *b);
/** The line and column of an object in a schema document: `path` is steps
 *  separated by '/', each a key or "key[name]" (the element of that array
 *  whose "name" is `name`): "tables[users]/columns[email]/type". Returns 1
 *  with the position of the deepest step's member name, 0 when a step is
 *  not there. */
int cairn_json_locate(const char *text, size_t len, const char *path, int *line, int *col);

/** drizzle-kit's meta/_journal.json: the members cairn import reads. */
typedef struct cairn_journal_entry {
    char *tag;     /* "0000_init": the file is <tag>.sql */
    int64_t when;  /* milliseconds since the epoch: the migrator's key */
    int line;      /* of the entry, for messages */
} cairn_journal_entry;
typedef struct cairn_journal {
    char *dialect; /* "sqlite", "postgresql", "mysql", ... or NULL */
    cairn_journal_entry *v;
    size_t n;
} cairn_journal;
/** Parse a journal; errors are ECONFIG at `fname`:line:column. */
int cairn_json_read_journal(cairn_ctx *cx, const char *text, size_t len, const char *fname,
                            cairn_journal *out);
void cairn_journal_release(cairn_journal *j);

/* ---- inflight.c: the outcome of a statement cut off while it ran -------- */
/** Can the live database tell whether `sql` ran? *ran = 1 (it did), 0 (it
 *  did not) or -1 (cannot tell); `why` gets the evidence ("table "t"
 *  exists"). Only statements that make or drop one named object are
 *  decided. Fails only when introspection does. */
int cairn_inflight_decide(cairn_conn *c, const char *sql, int *ran, char *why, size_t whylen);

/* ---- schemafile.c: the desired schema from .json, a directory, or .sql --- */
int cairn_schemafile_load(cairn_ctx *cx, const char *path, cairn_schema **out);
/** Where in the schema at `path` (a .json file or a directory of them) the
 *  first of `paths` (cairn_json_locate's steps, best first) is: 1 with the
 *  file (malloc'd), line and column; 0 when none is found (a .sql schema). */
int cairn_schemafile_locate(cairn_ctx *cx, const char *path, const char *const *paths,
                            size_t npaths, char **file, int *line, int *col);
/** An ESCHEMA error about an object of the schema at `schema_path`, at the
 *  file, line and column of the first of `paths` found there (else at the
 *  schema path alone). Returns CAIRN_ESCHEMA. */
int cairn_schemafile_err(cairn_ctx *cx, const char *schema_path, const char *const *paths,
                         size_t npaths, const char *fmt, ...) CAIRN_FMT(5, 6);

/* ---- lint.c ----------------------------------------------------------------- */
/** The static findings of a plan just written as migration `name`, logged
 *  as warnings (generate: never fails it). */
void cairn_lint_log_plan(cairn_ctx *cx, cairn_session *s, const char *name,
                         const cairn_plan *plan);

/** A database to run SQL on and read back: the dialect's scratch database,
 *  or the dev_url, which must be empty (ECONFIG otherwise) and, with
 *  transactional DDL, is filled inside a transaction rolled back on close. */
typedef struct cairn_replay {
    cairn_conn *c;
    int in_txn;
} cairn_replay;
/** `why` names the need in messages ("x.sql: a .sql schema"). */
int cairn_replay_open(cairn_ctx *cx, const char *why, cairn_replay *r);
/** Run `text` (read from `path`): split on breakpoint lines when it has
 *  any, else sent whole; a failure is ESCHEMA at `path`:line. */
int cairn_replay_exec(cairn_ctx *cx, cairn_replay *r, const char *path, const char *text);
/** Roll back and disconnect, keeping the context's error. */
void cairn_replay_close(cairn_ctx *cx, cairn_replay *r);

/* ---- diff.c --------------------------------------------------------------- */
/** Do two schemas describe the same database? (empty plan) */
int cairn_schema_same(cairn_ctx *cx, const cairn_schema *a, const cairn_schema *b, int *same);
/** The plan `p` takes `s` (a schema its changes point into, typically its
 *  `from`): cairn_plan_free frees it, after everything that reads the plan. */
void cairn_plan_own(cairn_plan *p, cairn_schema *s);

/* ---- fsutil.c -------------------------------------------------------------- */
int cairn_read_file(cairn_ctx *cx, const char *path, char **data, size_t *len);
/** Refuse text with a NUL byte: error `code` at its line and column,
 *  naming `what` (C strings would silently stop there). */
int cairn_text_check_nul(cairn_ctx *cx, int code, const char *path, const char *text, size_t len,
                         const char *what);
/** Write a file atomically (temp file in the same folder + rename). */
int cairn_write_file_atomic(cairn_ctx *cx, const char *path, const char *data, size_t len);
int cairn_is_dir(const char *path);
int cairn_file_exists(const char *path);
char *cairn_path_join(const char *a, const char *b);

/* ---- folder.c: the migrations folder --------------------------------------- */
typedef struct cairn_migration {
    char *name;       /* folder name: <YYYYMMDDHHMMSS>_<slug> */
    char *dir;        /* full path */
    int has_sql;      /* migration.sql exists */
    /* filled by cairn_folder_load_sql: */
    char *sql;        /* migration.sql, NULL if missing or not loaded */
    size_t sql_len;
    char checksum[65];
    int no_transaction; /* first line "-- cairn:no-transaction" */
} cairn_migration;
/** List migration folders sorted by name: names and paths only, nothing
 *  read (generate and drop need no more). */
int cairn_folder_list(cairn_ctx *cx, const char *out, cairn_migration **list, size_t *n);
/** The place of `name` in a list cairn_folder_list made (sorted by name,
 *  bytewise); `n` when it is not there. */
size_t cairn_folder_find(const cairn_migration *list, size_t n, const char *name);
/** Read one migration's SQL, checksum and marker (no-op when done or when
 *  it has none); a NUL byte in it is EINTEGRITY at its position. */
int cairn_folder_load_sql(cairn_ctx *cx, cairn_migration *m);
int cairn_folder_load_all(cairn_ctx *cx, cairn_migration *list, size_t n);
void cairn_folder_free(cairn_migration *list, size_t n);
/** Read the newest snapshot (empty schema when there is no migration). */
int cairn_folder_latest_snapshot(cairn_ctx *cx, const char *out, cairn_snapshot *snap);
/** Write <out>/<name>/{migration.sql,snapshot.json} and, when `down_sql`
 *  is not NULL, down.sql, atomically. */
int cairn_folder_write(cairn_ctx *cx, const char *out, const char *name, const char *sql,
                       const char *down_sql, const char *snapshot_json);
/** Read <dir>/down.sql: 0 with `*text` NULL when there is none; a NUL byte
 *  in it is EINTEGRITY at its position. `sum` gets its sha256. */
int cairn_folder_read_down(cairn_ctx *cx, const char *dir, char **text, char sum[65]);
/** Serialise writers of one migrations folder (concurrent `generate` runs
 *  would write sibling migrations with one parent): flock on the folder,
 *  or on the folder it will be made in. Release with cairn_folder_unlock. */
int cairn_folder_lock(cairn_ctx *cx, const char *out, int *fd);
void cairn_folder_unlock(int fd);
/** EUSAGE naming the first file of `m`'s folder cairn did not write
 *  ("holds X, which cairn did not write: not <verb> it"). */
int cairn_folder_only_cairn(cairn_ctx *cx, const cairn_migration *m, const char *verb);
/** Remove `m`'s folder: renamed out of the listing first, so an interrupted
 *  removal never leaves a migration without its files; then cairn's files. */
int cairn_folder_discard(cairn_ctx *cx, const char *out, const cairn_migration *m);
/** Remove a migration folder cairn wrote (its files, then the folder);
 *  best effort, for undoing a failed import. */
void cairn_folder_remove(const char *out, const char *name);
#define CAIRN_SLUG_MAX 64
/** `text` folded to a slug (lower case, every run of other characters one
 *  '_', at most CAIRN_SLUG_MAX): its length, 0 when nothing is left. */
size_t cairn_folder_slug(const char *text, char out[CAIRN_SLUG_MAX + 1]);
/** A 14-digit UTC stamp "YYYYMMDDHHMMSS" (the first 14 characters of `s`)
 *  that is a real time: its seconds since the epoch; else -1. */
int cairn_folder_parse_stamp(const char *s, int64_t *out);
/** The stamp of `t`; -1 outside the years 1..9999. */
int cairn_folder_format_stamp(int64_t t, char out[16]);
/** Which other tool's migrations `dir` holds, judged by its files:
 *  "drizzle", "prisma", "flyway", "golang-migrate", "dbmate", or NULL;
 *  `evidence` gets the file that tells ("meta/_journal.json"). */
const char *cairn_folder_foreign(const char *dir, char *evidence, size_t size);
/** For the commands that read the migrations folder: ECONFIG (one line,
 *  suggesting `cairn import`) when `out` is missing, or holds no cairn
 *  migration but another tool's; an existing folder without migrations is
 *  no migrations. */
int cairn_folder_check_readable(cairn_ctx *cx, const char *out);
/** cairn_folder_list for those commands: the same checks first. */
int cairn_folder_list_existing(cairn_ctx *cx, const char *out, cairn_migration **list,
                               size_t *n);
/* ---- graph.c: the folder as a graph of parents and merges -------------- */
typedef struct cairn_gnode {
    char **links;      /* parent names as the snapshot says: parent, then merges */
    size_t nlinks;
    size_t *parents;   /* the links found among older folders, as indexes */
    size_t nparents;
    const char *bad_link; /* a link to no older folder (one of `links`), or NULL */
    char **replaces;   /* the names a squash migration replaces */
    size_t nreplaces;
    int ok;            /* the snapshot could be read */
} cairn_gnode;
typedef struct cairn_graph {
    cairn_migration *list; /* sorted by name, as cairn_folder_list */
    size_t n;
    cairn_gnode *node;     /* one per list entry */
} cairn_graph;
/** A folder read and checked once (fleet.c), lent to every target's run. */
typedef struct cairn_shared_folder {
    const char *out;         /* the folder it was read from */
    cairn_migration *list;   /* loaded (cairn_folder_load_all) */
    size_t n;
    cairn_graph g;
} cairn_shared_folder;
/** List the folder and read every snapshot's links (cheaply: the top of
 *  each file). A damaged snapshot is a node that is not `ok`. */
int cairn_graph_load(cairn_ctx *cx, const char *out, cairn_graph *g);
void cairn_graph_free(cairn_graph *g);
/** The migrations no other is a parent of, among `only` (NULL = all). */
int cairn_graph_heads(cairn_ctx *cx, const cairn_graph *g, const unsigned char *only,
                      size_t **heads, size_t *n);
/** `*seen` (g->n bytes, free it): 1 for `i` and everything it descends from. */
int cairn_graph_ancestors(cairn_ctx *cx, const cairn_graph *g, size_t i, unsigned char **seen);
/** The schema after the migrations `only` (NULL = all): one head's
 *  snapshot, or the three-way merge of the heads against their newest
 *  common ancestor (EINTEGRITY naming the object and the migrations when
 *  both sides changed it differently); an empty schema when there is none.
 *  `out->id` is set only for one head. Free *heads. `*twice` (may be NULL)
 *  counts objects both branches changed the same way (a WARN line each:
 *  deploying both would run the change twice). */
int cairn_graph_state(cairn_ctx *cx, const cairn_graph *g, const unsigned char *only,
                      cairn_snapshot *out, size_t **heads, size_t *nheads, size_t *twice);

/** Is `name` a migration folder's name: ^[0-9]{14}_[a-z0-9_]+$ ? */
int cairn_folder_name_valid(const char *name);
/** A new migration's name: the UTC stamp of `now` (seconds since the epoch,
 *  time(NULL)) and `slug` (NULL = "migration") folded to [a-z0-9_]; the
 *  stamp is moved past the newest existing folder's so the name sorts last.
 *  `*name`: malloc'd. */
int cairn_folder_new_name(cairn_ctx *cx, const char *out, const char *slug, int64_t now,
                          char **name);
/** Read <dir>/snapshot.json; missing or corrupt: CAIRN_EINTEGRITY naming it. */
int cairn_folder_read_snapshot(cairn_ctx *cx, const char *dir, cairn_snapshot *snap);
/** A snapshot's text parsed as cairn_folder_read_snapshot does (its errors
 *  are CAIRN_EINTEGRITY at their position in `file`). */
int cairn_snapshot_from_text(cairn_ctx *cx, const char *file, const char *text, size_t len,
                             cairn_snapshot *snap);

/* ---- snapreuse.c: the newest snapshot read with the schema in hand ------ */
/* JSON text stepped over without being parsed (the text up to `e` is read
 * as jansson reads it; nothing is checked but where strings and containers
 * end). Past the white space at `p`: */
const char *cairn_json_ws(const char *p, const char *e);
/** Past the value that starts at `p`: a string or container must end before
 *  `e` (else NULL); a literal (number, true, ...) ends at the first byte
 *  that ends one, or at `e`. */
const char *cairn_json_skip_value(const char *p, const char *e);
/* A snapshot's tables that the schema being generated writes to the same
 * bytes are taken from that schema instead of parsed. */
typedef struct cairn_snapreuse cairn_snapreuse;
typedef struct cairn_reuse_span {
    const cairn_table *table;
    const char *at; /* in the snapshot's text */
    size_t len;
} cairn_reuse_span;
/** The table elements of a snapshot's text (which must outlive the result),
 *  or NULL when this scan does not follow the text. */
cairn_snapreuse *cairn_snapreuse_scan(const char *text, size_t len);
/** Match elements with `desired`'s tables (write each, compare the bytes),
 *  a batch at a time until none is left: two threads may call it at once,
 *  each with its own context, and both must return before finish. */
void cairn_snapreuse_match(cairn_snapreuse *r, cairn_ctx *cx, const cairn_schema *desired);
/** Read the snapshot as cairn_snapshot_from_text does, with the matched
 *  tables borrowed from `desired` (which must outlive it, unchanged): 0,
 *  *snap and *spans (malloc'd, sorted by table: each borrowed table and its
 *  text, which is what writing it at a snapshot's indent gives); -1 and
 *  nothing when that cannot be done: read the text in full. */
int cairn_snapreuse_finish(cairn_snapreuse *r, cairn_ctx *cx, const char *file,
                           cairn_snapshot *snap, cairn_reuse_span **spans, size_t *nspans);
void cairn_snapreuse_free(cairn_snapreuse *r);

/* ---- readahead.c: the newest snapshot parsed on a second thread ---------- */
/** Start parsing the snapshot of `out`'s single head on a thread, on a
 *  clone of `cx` (best effort: nothing happens when it cannot start). */
void cairn_readahead_start(cairn_ctx *cx, const char *out);
/** Hand the thread the schema being generated (snapreuse.c): the snapshot
 *  it reads may then borrow its tables, so `desired` must outlive what
 *  cairn_readahead_take gives and stay unchanged until then. Until this is
 *  called (or take or stop), the thread waits after reading the file. */
void cairn_readahead_desired(cairn_ctx *cx, const cairn_schema *desired);
/** 1 when the read ahead parsed `file` with exactly these bytes: `*snap`
 *  and `*rc` (and cx's error) are then what parsing them here would give.
 *  0: parse it here. Waits for the thread. */
int cairn_readahead_take(cairn_ctx *cx, const char *file, const char *text, size_t len,
                         cairn_snapshot *snap, int *rc);
/** A table of the schema handed over, unchanged since, as a snapshot's
 *  tables are written: its text in the snapshot read ahead (`*len` bytes,
 *  valid until cairn_readahead_stop), or NULL: write it. */
const char *cairn_readahead_table_text(cairn_ctx *cx, const cairn_table *t, size_t *len);
/** Wait for the thread and drop what it read (no-op without one). */
void cairn_readahead_stop(cairn_ctx *cx);

#endif
