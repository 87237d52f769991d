/* The MySQL / MariaDB driver's private declarations, shared by its files.
 * Nothing here is exported: the module's only visible symbol is
 * cairn_dialect_entry (mysqldrv.c). */
#ifndef CAIRN_MYSQLDRV_H
#define CAIRN_MYSQLDRV_H

#include <mysql.h>

#include <cairn/sys/dialect.h>

struct cairn_dsession {
    const cairn_host *host;
    cairn_hostctx *hc;
    /* the server of the last connection, for what emit writes on it (a
     * routine replaced in one statement on MariaDB); 0 before any */
    int server_mariadb;
    unsigned long server_version;
};

/** How the DEFINER of routines, events and triggers is read and written
 *  (URL parameter `definer`). */
enum { MYSQLDRV_DEFINER_STRIP, MYSQLDRV_DEFINER_KEEP, MYSQLDRV_DEFINER_CURRENT_USER };

struct cairn_dconn {
    cairn_dsession *s;
    MYSQL *my;
    int mariadb;           /* the server is MariaDB */
    unsigned long version; /* e.g. 101119 for 10.11.19 */
    char *db;              /* database of the URL, NULL if none */
    char *desc;            /* where it points, without the password */
    char *scratch_db;      /* set on a scratch connection: dropped at release */
    int definer;           /* MYSQLDRV_DEFINER_* */
};

/** MySQL stores a UNIQUE constraint and a unique index alike; the schema
 *  model tells them apart. A unique constraint cairn creates carries this
 *  index comment, so it reads back as a constraint (and a unique index as
 *  an index): both round-trip. */
#define MYSQLDRV_UNIQUE_MARK "cairn:unique-constraint"

/* mysqldrv.c ---------------------------------------------------------------- */
/** Report the connection's last client error with `code` (a CAIRN_E*), copied
 *  at once: "mysql: ERROR 1146 (42S02): Table 'x.y' doesn't exist". Returns
 *  `code`. */
int mysqldrv_fail(cairn_dconn *c, int code);
/** Run SQL (one statement or several) and drain every result. */
cairn_dialect_exec_fn mysqldrv_exec;
/** Run a query whose rows are read one by one (mysql_use_result: rows are
 *  not all held in memory at once); mysqldrv_query_end after the last. */
int mysqldrv_query(cairn_dconn *c, const char *sql, MYSQL_RES **res);
/** After the last mysql_fetch_row: was it the end (0), or an error? Frees
 *  `res` either way. */
int mysqldrv_query_end(cairn_dconn *c, MYSQL_RES *res);
/** A one-value query into a malloc'd string (NULL value -> *out NULL). */
int mysqldrv_scalar(cairn_dconn *c, const char *sql, char **out);

/* mysqldrv_introspect.c ----------------------------------------------------- */
cairn_dialect_introspect_fn mysqldrv_introspect;
cairn_dialect_normalize_schema_fn mysqldrv_normalize_schema;
/** Does the filter keep the table, view or object `name`? */
int mysqldrv_keep(const cairn_filter *f, const char *name);

/* mysqldrv_objects.c: routines, events, DEFINER ----------------------------- */
/** MYSQLDRV_DEFINER_* for "strip", "keep", "current_user"; -1 for another. */
int mysqldrv_definer_parse(const char *value);
/** Functions, procedures and events into `out` (a constant number of
 *  queries, counted in *queries); `db_cs` / `db_coll` are the database's
 *  defaults. Nothing with a host older than 1.3. */
int mysqldrv_intro_objects(cairn_dconn *c, const cairn_filter *f, cairn_schema *out,
                           const char *db_cs, const char *db_coll, int *queries);
/** A schema file's objects and triggers with their DEFINER written as the
 *  connection's `definer` mode reads them back. */
int mysqldrv_objects_normalize(cairn_dconn *c, cairn_schema *s);
/** A view's `definer` option from `account` (user@host), in keep mode. */
int mysqldrv_view_definer_read(cairn_dconn *c, cairn_schema *out, cairn_view *v,
                               const char *account);
/** "DEFINER=... " for a trigger of `account` ("user@host"), as the mode says. */
void mysqldrv_trigger_definer(cairn_dconn *c, cairn_buf *b, const char *account);
/** After `sql` ran with notes (any of its statements): an event the server
 *  dropped or disabled as it made it (its time is in the past) is an error
 *  naming it. */
int mysqldrv_exec_warnings(cairn_dconn *c, const char *sql);
/* A statement mysqldrv_put_definition wrote ("SET @cairn_...; CREATE ...;
 * SET SESSION ...", as run by push or read back from a migration.sql) run
 * as its three parts: the CREATE's notes are read before the SET after it,
 * and the session's settings are put back even when the CREATE fails.
 * *handled 0 (and 0 returned, nothing run) when `sql` is not one; else
 * 0 or the failure, reported. */
int mysqldrv_exec_settings(cairn_dconn *c, const char *sql, int *handled);
/* The line of setting `i` (0 sql_mode, 1 time_zone) that a definition read
 * from the server starts with when `value` is not the session's (`same`:
 * the server's "0" or "1"); mysqldrv_objects.c. */
void mysqldrv_setting_put(const cairn_host *h, cairn_buf *b, size_t i, const char *value,
                          const char *same);
/** mysqldrv_fail for statement `sql` that failed: the function, procedure,
 *  event or trigger it creates, changes or drops is named in the line. */
int mysqldrv_fail_stmt(cairn_dconn *c, const char *sql);
/** The value of option `key` of table `t`, or NULL. */
const char *mysqldrv_table_option(const cairn_table *t, const char *key);

/* mysqldrv_history.c -------------------------------------------------------- */
cairn_dialect_history_ensure_fn mysqldrv_history_ensure;
cairn_dialect_history_list_fn mysqldrv_history_list;
cairn_dialect_history_record_fn mysqldrv_history_record;
cairn_dialect_history_remove_fn mysqldrv_history_remove;
cairn_dialect_lock_fn mysqldrv_lock;
cairn_dialect_unlock_fn mysqldrv_unlock;

/* mysqldrv_norm.c ----------------------------------------------------------- */
/* slots of the dialect table, declared with their slot types */
cairn_dialect_normalize_type_fn mysqldrv_normalize_type;
/* mysqldrv_hazards.c: online DDL and type names (ABI 1.3) */
cairn_dialect_hazards_fn mysqldrv_hazards;
extern const char *const mysqldrv_type_names[];
cairn_dialect_normalize_default_fn mysqldrv_normalize_default;
cairn_dialect_normalize_expr_fn mysqldrv_normalize_expr;

/** Canonical type: lower case outside quotes, display widths of integers
 *  dropped (but tinyint(1) kept), aliases folded ("integer" -> "int",
 *  "bool" -> "tinyint(1)", "numeric" -> "decimal(10,0)"). Returns
 *  CAIRN_ENOMEM when it or `out` ran out of memory (not reported). */
int mysqldrv_type_canon(const cairn_host *h, const char *type, cairn_buf *out);
/** Canonical default for a column of canonical type `type`: NULL/"NULL" is
 *  no default (nothing appended), string literals single-quoted with ''
 *  doubling, numbers unquoted for numeric types, CURRENT_TIMESTAMP(n) in
 *  upper case, other expressions as written without outer parentheses.
 *  Returns CAIRN_ENOMEM as mysqldrv_type_canon does. */
int mysqldrv_default_canon(const cairn_host *h, const char *type, const char *expr,
                           cairn_buf *out);
/** Append `value` as a MySQL string literal: '' for a quote, backslash
 *  escapes for backslash and control characters (as the server reports).
 *  Unchecked, as every append: `out` keeps its first failure. */
void mysqldrv_literal(const cairn_host *h, cairn_buf *out, const char *value);
/** Non-zero when canonical `type` holds numbers (integers, decimal, float, bit). */
int mysqldrv_type_numeric(const char *type);
/** Non-zero when `expr` is a literal that needs no parentheses after DEFAULT. */
int mysqldrv_default_is_literal(const char *expr);

/** An expression as the server prints it (CHECK, generated column), with
 *  the backticks dropped from identifiers that do not need them, so
 *  "`score` >= 0" reads back as the "score >= 0" a schema file says.
 *  Unchecked appends: ask host->buf_status(out). */
void mysqldrv_expr_canon(const cairn_host *h, const char *expr, cairn_buf *out);
/** `name` as mysqldrv_expr_canon writes an identifier: bare where it can
 *  be, else in backticks. Unchecked appends. */
void mysqldrv_ident_canon(const cairn_host *h, const char *name, cairn_buf *out);

/** Non-zero when `fk` is named the way the server names a foreign key of
 *  `table` given without a name: `<table>_ibfk_<n>`. The server names the
 *  index it makes for such a key after the key's first column, and for a
 *  named key after the key. */
int mysqldrv_fk_autonamed(const char *table, const char *fk);

/* mysqldrv_emit.c ----------------------------------------------------------- */
/* (with mysqldrv_clause.c; what those two share is in mysqldrv_emit.h) */
cairn_dialect_emit_fn mysqldrv_emit;
cairn_dialect_order_fn mysqldrv_order;

#endif
