/* The MySQL / MariaDB emitter's declarations, shared by mysqldrv_emit.c
 * (a plan's changes, in order, into statements) and mysqldrv_clause.c (the
 * clauses those statements are made of). Nothing here is exported. */
#ifndef CAIRN_MYSQLDRV_EMIT_H
#define CAIRN_MYSQLDRV_EMIT_H

#include "mysqldrv.h"

typedef struct mysqldrv_em {
    const cairn_dsession *s;
    const cairn_host *h;
    cairn_hostctx *hc;
    const cairn_plan *plan;
    size_t at; /* index of the change being emitted */
    cairn_buf *b;
    cairn_stmts *out;
} mysqldrv_em;

/* append an identifier, backtick-quoted; append text. Unchecked: the
 * buffer keeps its first failure, and mysqldrv_flush asks once */
#define Q(e, name) ((void)(e)->h->buf_quote((e)->b, (name), '`'))
#define P(e, s) ((void)(e)->h->buf_puts((e)->b, (s)))

/* ---- statements and column lists ------------------------------------------ */
/** End the statement in the buffer: add it to the output with `flags`
 *  (CAIRN_STMT_*), and empty the buffer. Returns the buffer's or the
 *  output's first failure (CAIRN_ENOMEM), 0 if none. */
int mysqldrv_flush(mysqldrv_em *e, uint32_t flags);
/** "(`a`, `b`, ...)": a list of columns. */
void mysqldrv_cols(mysqldrv_em *e, const char *const *cols, size_t n);
/** "PRIMARY KEY (`a`, ...)", with " COMMENT '...'" where it has one. */
void mysqldrv_pk(mysqldrv_em *e, const cairn_key *k);
/** "CONSTRAINT `name` " where the constraint has a name. */
void mysqldrv_constraint(mysqldrv_em *e, const char *name);

/** A view's options, checked: ALGORITHM, SQL SECURITY and CHECK OPTION
 *  keywords (upper case) or NULL where the option is not stated.
 *  CAIRN_EUNSUPPORTED for another key, CAIRN_ESCHEMA for another value. */
int mysqldrv_view_options(mysqldrv_em *e, const cairn_view *v, const char **algorithm,
                          const char **security, const char **check);

/* ---- columns -------------------------------------------------------------- */
/** The definition of column `c` of table `t` (its state after the plan),
 *  with its column check; AUTO_INCREMENT only with `ai` (see
 *  mysqldrv_ai_later). */
void mysqldrv_column_spec(mysqldrv_em *e, const cairn_table *t, const cairn_column *c,
                          int ai);
/** The same with AUTO_INCREMENT where the column has it. */
void mysqldrv_column_def(mysqldrv_em *e, const cairn_table *t, const cairn_column *c);

/* ---- foreign keys --------------------------------------------------------- */
/** Is `name` an index or unique constraint of the table? */
int mysqldrv_index_named(const cairn_table *t, const char *name);
/** Do the key's columns lead `cols`? Then that index serves the key. */
int mysqldrv_fk_led(const cairn_fkey *fk, const char *const *cols, size_t n);
/** A key named the way the server names one given without a name
 *  (`<table>_ibfk_<n>`) gets the index the server would make for it then,
 *  named after its first column, where no index of the table serves it:
 *  given a name, the server names the index after the constraint instead.
 *  Writes "KEY `col` (...)" between `pre` ("ADD " in an ALTER) and `post`. */
void mysqldrv_fk_autoindex(mysqldrv_em *e, const cairn_table *t, const cairn_fkey *fk,
                           const char *pre, const char *post);
/** "CONSTRAINT `n` FOREIGN KEY (...) REFERENCES `t` (...) ON DELETE ... ON UPDATE ..."
 *  Both actions are always written: a server reports an unstated action as
 *  RESTRICT, a stated NO ACTION as NO ACTION, so stating it converges. */
void mysqldrv_fkey_def(mysqldrv_em *e, const cairn_fkey *fk);

/* ---- indexes -------------------------------------------------------------- */
/** "(`col`(len) DESC, (expr), ...)": the parts of an index. */
void mysqldrv_index_parts(mysqldrv_em *e, const cairn_index *ix);
/** The keyword before INDEX/KEY for an index's method. */
const char *mysqldrv_index_kind(const cairn_index *ix);
/** " USING HASH", " COMMENT '...'": what follows an index's parts. */
void mysqldrv_index_tail(mysqldrv_em *e, const cairn_index *ix);
/** Report an index MySQL cannot have (partial, INCLUDE columns) and return
 *  CAIRN_EUNSUPPORTED; 0 for any other. */
int mysqldrv_check_index(mysqldrv_em *e, const cairn_index *ix);

/* ---- objects (mysqldrv_objects.c) ------------------------------------------ */
/** CREATE_OBJECT, DROP_OBJECT, REPLACE_OBJECT: functions, procedures, events. */
int mysqldrv_emit_object(mysqldrv_em *e, const cairn_change *ch);
/** A routine's, event's or trigger's definition (of object `name`) as a
 *  statement: the settings lines it starts with ("-- cairn:sql_mode=...")
 *  made SETs around it, OR REPLACE after its CREATE when `or_replace`;
 *  flushed. mysqldrv_exec runs such a statement in its three parts. */
int mysqldrv_put_definition(mysqldrv_em *e, const char *name, const char *def, int or_replace);
/** "DEFINER=`user`@`host` " when the view has the option `definer`. */
void mysqldrv_view_definer_put(mysqldrv_em *e, const cairn_view *v);

/* ---- table options -------------------------------------------------------- */
/** ENGINE=... DEFAULT CHARSET=... COLLATE=... from "key=value" options;
 *  an unknown option or a bad value is reported (CAIRN_EUNSUPPORTED,
 *  CAIRN_ESCHEMA). */
int mysqldrv_table_options(mysqldrv_em *e, const cairn_table *t, int *wrote);
/** Options in `from` but not in `to`, back to the defaults: InnoDB (every
 *  supported server's default engine), the database's character set
 *  (MariaDB's DEFAULT CHARACTER SET = DEFAULT), the default row format. */
void mysqldrv_options_reset(mysqldrv_em *e, const cairn_table *from, const cairn_table *to,
                            int *wrote);

#endif
