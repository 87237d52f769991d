/* The PostgreSQL dialect driver: declarations shared by its source files.
 * Nothing here is exported: the module's only visible symbol is
 * cairn_dialect_entry (pgdrv.c). */
#ifndef CAIRN_PGDRV_H
#define CAIRN_PGDRV_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include <cairn/sys/dialect.h>

struct cairn_dsession {
    const cairn_host *host;
    cairn_hostctx *hc;
    /* server_version_num of the last connection; 0 before any (`generate`
     * emits offline, for whatever server the migration will meet). */
    int server_version;
};

struct cairn_dconn {
    cairn_dsession *s;
    PGconn *pg;
    /* server_version_num (180004), read once at connect: every catalog
     * query and DDL form that differs between majors is chosen from it. */
    int server_version;
    /* Queries sent since connect: introspection logs how many it used. */
    int nqueries;
    /* Scratch databases: the server connection that created it, and its name. */
    PGconn *admin;
    char *scratch_name;
};

/* ---- pgdrv.c: session, connections, statements ---------------------------- */
/** Copy a libpq message as one line (newlines, tabs folded to one space,
 *  trailing blanks dropped), at most size-1 bytes. */
void pgdrv_one_line(char *dst, size_t size, const char *msg);
/** libpq notice processor (`arg` is the cairn_dconn): to the verbose log. */
void pgdrv_notice(void *arg, const char *message);
/** Connect with a libpq URL or conninfo; `dbname`, when set, replaces the
 *  database the URL names. Reports a failure (password scrubbed). */
int pgdrv_open_pg(cairn_dsession *s, const char *url, const char *dbname, PGconn **out);
/** A connection handle around `pg`, which it owns (finished on failure). */
int pgdrv_wrap(cairn_dsession *s, PGconn *pg, cairn_dconn **out);
/** Run one statement with text parameters; on success *res (if res) holds
 *  the result, which the caller clears. Reports a failure. */
int pgdrv_query(cairn_dconn *c, const char *sql, int nparams, const char *const *params,
                PGresult **res);
/** pgdrv_query with the text of `b`, unless an append to `b` failed. */
int pgdrv_query_buf(cairn_dconn *c, const cairn_buf *b, int nparams, const char *const *params,
                    PGresult **res);

/* ---- pgdrv_text.c: reading SQL text ---------------------------------------- */
/** Index just past the literal or quoted identifier at p, or p+1. */
size_t pgdrv_skip_token(const char *s, size_t p);
/** Position of the parenthesis closing the one at `open`, or 0. */
size_t pgdrv_match_paren(const char *s, size_t open);
/** The expression without whole-covering outer parentheses, trimmed, as
 *  [*start, *start + *len). */
void pgdrv_unwrap(const char *s, size_t *start, size_t *len);
int pgdrv_is_ident_char(char c);
size_t pgdrv_skip_space(const char *s, size_t p);
/** Whether the bare word [b, e) of s is `word`, case-insensitively. */
int pgdrv_word_is(const char *s, size_t b, size_t e, const char *word);
/** Split an index part's element-form `expr` (see pgdrv_text.c) into key,
 *  operator class and NULLS ordering; 0 when it is a plain expression. */
int pgdrv_split_element(const char *s, size_t *key_end, size_t *opc_b, size_t *opc_e,
                        size_t *nulls_b);
/** A malloc'd copy of sql without CONCURRENTLY after INDEX, or NULL. */
char *pgdrv_strip_concurrently(const char *sql);
/** For "CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON [ONLY]
 *  table ...": the index name as the catalog has it (a bare name folded to
 *  lower case, a quoted one unquoted) and the table as written, both
 *  malloc'd; 0 when the statement is something else (or NULL on OOM). */
int pgdrv_concurrent_index(const char *sql, char **name, char **table);
/** What key element `elem` adds to its key besides COLLATE and DESC, into
 *  b; the collation, unquoted and malloc'd, to *coll. Fails when b does. */
int pgdrv_element_decor(const cairn_host *h, const char *elem, size_t len, const char *key,
                        cairn_buf *b, char **coll);
/** Split pg_get_indexdef() text into its key elements and index options. */
void pgdrv_split_indexdef(const char *def, size_t max, size_t *elems, size_t *lens,
                          size_t *nelems, size_t *tail_b, size_t *tail_e);
/** "schema"."name", or "name" in the default namespace. */
void pgdrv_qname(const cairn_host *h, cairn_buf *b, const char *schema, const char *name);

/* ---- pgdrv_hazards.c: locking hazards and type names (ABI 1.3) ------------- */
cairn_dialect_hazards_fn pgdrv_hazards;
extern const char *const pgdrv_type_names[];

/* ---- pgdrv_norm.c: normalisation -------------------------------------------- */
cairn_dialect_normalize_type_fn pgdrv_normalize_type;
cairn_dialect_normalize_default_fn pgdrv_normalize_default;
/** A default as pg_get_expr() prints it for a column of `type`, canonical;
 *  nothing appended for no default. */
int pgdrv_canon_default(cairn_dsession *s, const char *type, const char *expr, cairn_buf *out);

/* ---- pgdrv_introspect.c ------------------------------------------------------ */
cairn_dialect_introspect_fn pgdrv_introspect;
/** A schema file's schema as this server reports it (not_null_name only
 *  from PostgreSQL 18). */
cairn_dialect_normalize_schema_fn pgdrv_normalize_schema;
/** Parse PostgreSQL's text form of a one-dimensional array ({a,"b c",NULL})
 *  into malloc'd strings (NULL elements stay NULL); free with
 *  pgdrv_free_strv. */
int pgdrv_parse_array(const char *s, char ***out, size_t *n);
void pgdrv_free_strv(char **v, size_t n);
/** A namespace as the model names it: NULL for public. */
const char *pgdrv_ns(const char *nspname);

/* ---- pgdrv_objects.c: objects carried as SQL (CAIRN_CAP_OBJECTS) ----------- */
/** Reads one kind (or family) of objects in the namespaces of `nsarr` (a
 *  text[] literal) into `out`, in one query. */
typedef int pgdrv_object_reader(cairn_dconn *c, const char *nsarr, cairn_schema *out);
/** What the namespaces of `nsarr` hold, a bit a kind (pgdrv_census): a
 *  kind whose bit is clear has nothing to read, and its query (whose
 *  planning alone is milliseconds) is not sent. Each bit is set for a
 *  superset of the rows its reader reads. */
enum {
    PGDRV_HAS_EXTENSIONS = 1u << 0,
    PGDRV_HAS_FUNCTIONS = 1u << 1,
    PGDRV_HAS_AGGREGATES = 1u << 2,
    PGDRV_HAS_DOMAINS = 1u << 3,
    PGDRV_HAS_TYPES = 1u << 4,
    PGDRV_HAS_POLICIES = 1u << 5,
    PGDRV_HAS_EXCLUSIONS = 1u << 6,
    PGDRV_HAS_ROW_SECURITY = 1u << 7,
    PGDRV_HAS_RULES = 1u << 8,
    PGDRV_HAS_VIEW_INDEXES = 1u << 9,
    PGDRV_HAS_ENUMS = 1u << 10,
    PGDRV_HAS_SEQUENCES = 1u << 11,
    PGDRV_HAS_VIEWS = 1u << 12,
};
/** One query: the PGDRV_HAS_ bits of what the namespaces hold. */
int pgdrv_census(cairn_dconn *c, const char *nsarr, unsigned *has);
/** Every reader whose kind the census found, in introspection's snapshot. */
int pgdrv_intro_objects(cairn_dconn *c, const char *nsarr, unsigned has, cairn_schema *out);
/* pgdrv_types.c: the readers of domains, composite and range types ("type"),
 * policies, exclusion constraints, and the row_security option of the
 * tables already read */
pgdrv_object_reader pgdrv_read_domains, pgdrv_read_types, pgdrv_read_policies,
    pgdrv_read_exclusions, pgdrv_read_row_security;
/** The triples of the text[] `arr` as depends of o: {kind, namespace, name}, or
 *  with `function` {namespace, name, signature} of functions. */
int pgdrv_add_depends(cairn_dconn *c, cairn_schema *out, cairn_object *o, const char *arr,
                      int function);

/* ---- pgdrv_storage.c: persistence and storage parameters (table options),
 * rules and the indexes of materialized views (objects) ---------------------- */
/** The options of table t (or else view `view`) from pg_class's
 *  relpersistence, reloptions and the TOAST table's reloptions (text[]
 *  literals, NULL for none); CAIRN_ENOMEM. */
int pgdrv_read_storage(const cairn_host *h, cairn_schema *out, cairn_table *t, cairn_view *view,
                       char persistence, const char *opts, const char *toast);
pgdrv_object_reader pgdrv_read_rules, pgdrv_read_view_indexes;
/** A column's STORAGE (a pg_attribute.attstorage other than its type's),
 *  COMPRESSION (attcompression) and STATISTICS (attstattarget, "-1" for the
 *  default) appended to its `extra`; NULL for none. CAIRN_ENOMEM. */
int pgdrv_read_column_storage(const cairn_host *h, cairn_schema *out, cairn_column *col,
                              const char *storage, const char *compression, const char *stats);
/** The length of the sequence options at the head of a column's `extra`,
 *  before its STORAGE, COMPRESSION and STATISTICS words. */
size_t pgdrv_extra_seq_len(const char *extra);

/* ---- pgdrv_functions.c: functions, procedures and extensions ---------------- */
pgdrv_object_reader pgdrv_read_functions;
pgdrv_object_reader pgdrv_read_aggregates;
pgdrv_object_reader pgdrv_read_extensions;
/** The namespace as the model names it: NULL for public. */
const char *pgdrv_ns(const char *nspname);

/* ---- pgdrv_leftout.c: what introspection reads past --------------------------- */
/** One warning line for `pull`: the kinds the model does not hold in the
 *  namespaces `nsarr` (a text[] literal) and their counts, in one query. */
int pgdrv_report_left_out(cairn_dconn *c, const char *nsarr);
/** For a scratch database (a .sql schema): fail with CAIRN_ESCHEMA naming
 *  the first statement that made an object of a kind the model has not. */
int pgdrv_refuse_unmodelled(cairn_dconn *c, const char *nsarr);

/* ---- pgdrv_emit*.c: DDL emission ----------------------------------------------- */
typedef struct pgdrv_emitter {
    cairn_dsession *s;
    const cairn_plan *plan;
    const cairn_host *h;
    cairn_stmts *out;
    cairn_buf *b;
} pgdrv_emitter;

/* pgdrv_emit.c: the slot, the pieces every statement is made of, and the
 * schema-level changes (namespaces, enums, sequences, views). Appends to
 * em->b go unchecked: the buffer and the statement list keep their first
 * failure (host ABI 1.1), which pgdrv_flush reports. */
cairn_dialect_emit_fn pgdrv_emit;
/** Hand the statement in em->b over to the host and start a new one; fails
 *  (adding nothing) when an append to em->b failed. */
int pgdrv_flush(pgdrv_emitter *em, uint32_t flags);
void pgdrv_quote(pgdrv_emitter *em, const char *ident);
void pgdrv_table_name(pgdrv_emitter *em, const cairn_table *t);
/** ("a", "b") */
void pgdrv_ident_list(pgdrv_emitter *em, const char *const *v, size_t n);
/** "ALTER TABLE <t> " */
void pgdrv_alter_table(pgdrv_emitter *em, const cairn_table *t);
/** "ALTER TABLE <t> DROP COLUMN <name>" or DROP CONSTRAINT (`drop` says
 *  which), flushed as one statement. */
int pgdrv_alter_table_drop(pgdrv_emitter *em, const cairn_table *t, const char *drop,
                           const char *name, uint32_t flags);
/** " IS '<comment>'" (or NULL) after the COMMENT ON ... in em->b, flushed. */
int pgdrv_comment_is(pgdrv_emitter *em, const char *comment);
/** COMMENT ON <what> ... IS ..., flushed as one statement. */
int pgdrv_comment(pgdrv_emitter *em, const char *what, const char *schema, const char *name,
                  const char *column, const char *comment);
/** The table a change works on as the change leaves it (after a rename:
 *  the new one), and as it finds it. */
const cairn_table *pgdrv_table_after(const cairn_change *ch);
const cairn_table *pgdrv_table_before(const cairn_change *ch);
/** CAIRN_STMT_DESTRUCTIVE for a change the core marked destructive, else 0. */
uint32_t pgdrv_stmt_flags(const cairn_change *ch);

/* pgdrv_emit_partition.c: partition_by, partition_of + partition_bound and
 * inherits (table options) */
/** The value of table option `key`, or NULL (also for a NULL table). */
const char *pgdrv_table_option(const cairn_table *t, const char *key);
/** Before any statement: refusals, then every DETACH PARTITION and NO
 *  INHERIT of the plan. */
int pgdrv_partition_unlink(pgdrv_emitter *em);
/** SET_TABLE_OPTIONS: ATTACH PARTITION and INHERIT. */
int pgdrv_emit_table_options(pgdrv_emitter *em, const cairn_change *ch);
/** "CREATE [UNLOGGED] TABLE " (pgdrv_storage.c); refuses a persistence or
 *  storage parameter it cannot write. */
int pgdrv_create_table_head(pgdrv_emitter *em, const cairn_table *t);
/** CREATE TABLE's " WITH (storage parameters)", after everything else. */
int pgdrv_create_table_with(pgdrv_emitter *em, const cairn_table *t);
/** CREATE [MATERIALIZED] VIEW's " WITH (options)", after the name; refuses
 *  an option name that is not one. */
int pgdrv_create_view_with(pgdrv_emitter *em, const cairn_view *v);
/** SET_TABLE_OPTIONS: SET LOGGED / UNLOGGED, SET (...) and RESET (...). */
int pgdrv_storage_change(pgdrv_emitter *em, const cairn_table *from, const cairn_table *to);
/** SET STORAGE / COMPRESSION / STATISTICS of column `to` where `from`
 *  (NULL: a new column) has another. */
int pgdrv_column_storage(pgdrv_emitter *em, const cairn_table *t, const cairn_column *from,
                         const cairn_column *to);
/** A changed rule: CREATE OR REPLACE RULE. */
int pgdrv_replace_rule(pgdrv_emitter *em, const cairn_object *from, const cairn_object *to);
/** CREATE TABLE's " PARTITION OF <parent>", after the name. */
int pgdrv_create_table_of(pgdrv_emitter *em, const cairn_table *t);
/** CREATE TABLE's bound, INHERITS and PARTITION BY, after the columns. */
int pgdrv_create_table_tail(pgdrv_emitter *em, const cairn_table *t);
/** At the end of the plan: the defaults of the partitions it creates or
 *  adds columns to, where they are not their parent's. */
int pgdrv_partition_defaults(pgdrv_emitter *em);
/** A column change of a partition: 1 when handled here (result in *rc). */
int pgdrv_partition_column(pgdrv_emitter *em, const cairn_change *ch, int *rc);

/* pgdrv_emit_table.c: tables, keys, checks, foreign keys, indexes, triggers;
 * one function per change kind (DROP_TABLE, ...) */
/** CREATE TABLE with its indexes, comments, triggers and foreign keys (the
 *  host keeps back those whose target is not there yet). */
int pgdrv_emit_create_table(pgdrv_emitter *em, const cairn_table *t);
int pgdrv_emit_drop_table(pgdrv_emitter *em, const cairn_change *ch);
int pgdrv_emit_rename_table(pgdrv_emitter *em, const cairn_change *ch);
int pgdrv_emit_set_primary_key(pgdrv_emitter *em, const cairn_change *ch);
/** The two halves of a SET_PRIMARY_KEY change, also emitted apart. */
int pgdrv_drop_primary_key(pgdrv_emitter *em, const cairn_change *ch);
int pgdrv_add_primary_key(pgdrv_emitter *em, const cairn_change *ch);
/** ADD_UNIQUE, ADD_CHECK */
int pgdrv_emit_add_constraint(pgdrv_emitter *em, const cairn_change *ch);
int pgdrv_emit_add_foreign_key(pgdrv_emitter *em, const cairn_change *ch);
/** DROP_UNIQUE, DROP_CHECK, DROP_FOREIGN_KEY */
int pgdrv_emit_drop_constraint(pgdrv_emitter *em, const cairn_change *ch);
int pgdrv_emit_create_index(pgdrv_emitter *em, const cairn_change *ch);
int pgdrv_emit_drop_index(pgdrv_emitter *em, const cairn_change *ch);
int pgdrv_emit_drop_trigger(pgdrv_emitter *em, const cairn_change *ch);
/** CREATE TRIGGER, then its comment. */
int pgdrv_create_trigger(pgdrv_emitter *em, const cairn_table *t, const cairn_trigger *tr);
/** ALTER_KEY, ALTER_CHECK, ALTER_FOREIGN_KEY, ALTER_TRIGGER: VALIDATE
 *  CONSTRAINT, then COMMENT ON CONSTRAINT / TRIGGER. */
int pgdrv_emit_alter_constraint(pgdrv_emitter *em, const cairn_change *ch);
/* pgdrv_grants.c: a recreated view's privileges (cairn_view.grants) */
/** One query: the grants of every view of `out` in the namespaces asked for. */
int pgdrv_read_view_grants(cairn_dconn *c, const char *nsarr, cairn_schema *out);
/** Before CREATE VIEW, into em->b: a comment line when the view replaces
 *  one whose grants are not known (a plan from files), and a warning. */
void pgdrv_view_grants_unknown(pgdrv_emitter *em, const cairn_view *v);
/** After CREATE VIEW: GRANT for what the view it replaces granted. */
int pgdrv_view_regrant(pgdrv_emitter *em, const cairn_view *v);
/* pgdrv_objects.c: CREATE_OBJECT, DROP_OBJECT, REPLACE_OBJECT */
int pgdrv_emit_object(pgdrv_emitter *em, const cairn_change *ch);
/** CREATE_ENUM (pgdrv_emit.c). */
int pgdrv_emit_create_enum(pgdrv_emitter *em, const cairn_change *ch);

/* pgdrv_types_emit.c: a changed domain, composite type ("type") or policy
 * in place (pgdrv_kind.replace: 1 = drop and create instead); enums that
 * lose or reorder values; the row_security table option */
int pgdrv_replace_domain(pgdrv_emitter *em, const cairn_object *from, const cairn_object *to);
/** A domain the plan drops and creates while a column uses it: emptied
 *  (DROP_OBJECT) and filled again (CREATE_OBJECT) with ALTER DOMAIN; 1
 *  (nothing written) where a DROP and a CREATE must do. */
int pgdrv_renew_domain(pgdrv_emitter *em, const cairn_change *ch);
int pgdrv_replace_type(pgdrv_emitter *em, const cairn_object *from, const cairn_object *to);
int pgdrv_replace_policy(pgdrv_emitter *em, const cairn_object *from, const cairn_object *to);
/** Is change i a DROP_ENUM that the next change, a CREATE_ENUM of the same
 *  type, recreates (values removed or reordered)? */
int pgdrv_is_enum_rebuild(const cairn_plan *plan, size_t i);
/** That pair as a rebuild that keeps the columns and their rows. */
int pgdrv_emit_enum_rebuild(pgdrv_emitter *em, const cairn_change *drop,
                            const cairn_change *create);
/** ENABLE / FORCE ROW LEVEL SECURITY and back, from `from` (NULL: a new
 *  table) to `to`; an unknown value of the option is refused. */
int pgdrv_row_security(pgdrv_emitter *em, const cairn_table *from, const cairn_table *to);
/** CREATE TABLE, then its row_security. */
int pgdrv_emit_new_table(pgdrv_emitter *em, const cairn_table *t);
/** DROP of an object of a known kind, flushed; and its definition with its
 *  comment. */
int pgdrv_drop_named(pgdrv_emitter *em, const cairn_object *o);
int pgdrv_create_named(pgdrv_emitter *em, const cairn_object *o);
/** COMMENT ON the object (IS NULL without a comment). */
int pgdrv_comment_named(pgdrv_emitter *em, const cairn_object *o);
/* pgdrv_functions.c: the `replace` of functions and procedures (CREATE OR
 * REPLACE, or a drop and a create), and of extensions (ALTER EXTENSION) */
int pgdrv_replace_routine(pgdrv_emitter *em, const cairn_object *from, const cairn_object *to);
/** Can CREATE OR REPLACE make routine `from` into `to`? */
int pgdrv_routine_replaceable(const cairn_object *from, const cairn_object *to);
/** The object_recreates slot (pgdrv_objects.c): a routine that CREATE OR
 *  REPLACE cannot change, or a kind with no replace (an aggregate). */
cairn_dialect_object_recreates_fn pgdrv_object_recreates;
/** The normalize_object slot (pgdrv_functions.c): the tables and views a
 *  LANGUAGE sql routine of a schema file reads. */
cairn_dialect_normalize_object_fn pgdrv_normalize_object;
int pgdrv_replace_extension(pgdrv_emitter *em, const cairn_object *from, const cairn_object *to);

/* pgdrv_emit_column.c: column definitions, ADD / RENAME COLUMN, and
 * ALTER COLUMN one aspect at a time */
void pgdrv_column_def(pgdrv_emitter *em, const cairn_column *c);
/** A serial column whose sequence has options other than serial's own
 *  (they ride in `extra`, as an identity's). */
int pgdrv_is_serial_with_options(const cairn_column *c);
/** ALTER SEQUENCE with a serial column's options, on the sequence it owns
 *  (looked up at run time); `restart` 1: from its start (a new table), 2:
 *  then past the rows there are (a column added to a table with rows). */
int pgdrv_serial_options(pgdrv_emitter *em, const cairn_table *t, const cairn_column *c,
                         int restart);
/** ADD COLUMN with its comment. */
int pgdrv_add_column(pgdrv_emitter *em, const cairn_table *t, const cairn_column *c);
int pgdrv_emit_rename_column(pgdrv_emitter *em, const cairn_change *ch);
int pgdrv_emit_alter_column(pgdrv_emitter *em, const cairn_change *ch);
/** The table's quoted name as an SQL string literal, appended to b. */
int pgdrv_table_literal(pgdrv_emitter *em, cairn_buf *b, const cairn_table *t);
/** ALTER COLUMN SET / DROP DEFAULT (ONLY on a partitioned table). */
int pgdrv_alter_default(pgdrv_emitter *em, const cairn_table *t, const cairn_column *to);

/* ---- pgdrv_history.c: history table and advisory lock ------------------------- */
cairn_dialect_history_ensure_fn pgdrv_history_ensure;
cairn_dialect_history_list_fn pgdrv_history_list;
cairn_dialect_history_record_fn pgdrv_history_record;
cairn_dialect_history_remove_fn pgdrv_history_remove;
cairn_dialect_lock_fn pgdrv_lock;
cairn_dialect_unlock_fn pgdrv_unlock;

/* ---- pgdrv_scratch.c: scratch databases ---------------------------------------- */
cairn_dialect_scratch_connect_fn pgdrv_scratch_connect;
cairn_dialect_scratch_release_fn pgdrv_scratch_release;

#endif
