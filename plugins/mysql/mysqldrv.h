/* The MySQL / MariaDB driver's private declarations, shared by its files.
 * Nothing here is exported: the module's only visible symbol is the entry. */
#ifndef CAIRN_MYSQLDRV_H
#define CAIRN_MYSQLDRV_H

#include <cairn/sys/dialect.h>

struct cairn_dsession {
    const cairn_host *host;
    cairn_hostctx *hc;
};

/** MySQL stores a UNIQUE constraint and a unique index alike; the schema
 *  model tells them apart. A unique constraint cairn creates carries this
 *  index comment, so it reads back as a constraint (and a unique index as
 *  an index): both round-trip. */
#define MYSQLDRV_UNIQUE_MARK "cairn:unique-constraint"

/* mysqldrv_norm.c ----------------------------------------------------------- */

/** Canonical type: lower case outside quotes, display widths of integers
 *  dropped (but tinyint(1) kept), aliases folded ("integer" -> "int",
 *  "bool" -> "tinyint(1)", "numeric" -> "decimal(10,0)"). */
int mysqldrv_type_canon(const cairn_host *h, const char *type, cairn_buf *out);
/** Canonical default for a column of canonical type `type`: NULL/"NULL" is
 *  no default (nothing appended), string literals single-quoted with ''
 *  doubling, numbers unquoted for numeric types, CURRENT_TIMESTAMP(n) in
 *  upper case, other expressions as written without outer parentheses. */
int mysqldrv_default_canon(const cairn_host *h, const char *type, const char *expr,
                           cairn_buf *out);
/** Append `value` as a MySQL string literal: '' for a quote, backslash
 *  escapes for backslash and control characters (as the server reports). */
int mysqldrv_literal(const cairn_host *h, cairn_buf *out, const char *value);
/** Non-zero when canonical `type` holds numbers (integers, decimal, float, bit). */
int mysqldrv_type_numeric(const char *type);
/** Non-zero when `expr` is a literal that needs no parentheses after DEFAULT. */
int mysqldrv_default_is_literal(const char *expr);

/** An expression as the server prints it (CHECK, generated column), with
 *  the backticks dropped from identifiers that do not need them, so
 *  "`score` >= 0" reads back as the "score >= 0" a schema file says. */
int mysqldrv_expr_canon(const cairn_host *h, const char *expr, cairn_buf *out);

/** Non-zero when `fk` is named the way the server names a foreign key of
 *  `table` given without a name: `<table>_ibfk_<n>`. The server names the
 *  index it makes for such a key after the key's first column, and for a
 *  named key after the key. */
int mysqldrv_fk_autonamed(const char *table, const char *fk);

/* mysqldrv_emit.c ----------------------------------------------------------- */
cairn_dialect_emit_fn mysqldrv_emit;

#endif
