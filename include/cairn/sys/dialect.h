/*
 * cairn — the dialect driver ABI (extension API: stable per ABI major).
 *
 * A dialect driver is a shared object exporting exactly one symbol,
 * `cairn_dialect_entry`, a constant `cairn_dialect` table (data, not a
 * function), so the host checks the magic, the ABI version, the table size
 * and every required slot before any code of the driver runs. Then the host
 * calls `open` with its own versioned host table; the driver may refuse a
 * host that is too old for it by returning CAIRN_EABI from `open`.
 *
 * Versioning: CAIRN_DIALECT_ABI_MAJOR changes only when the meaning or the
 * position of an existing field changes (never, we hope); new slots are
 * appended at the end of the table and bump CAIRN_DIALECT_ABI_MINOR. The
 * host reads a slot only if the driver's struct_size covers it, so a driver
 * built against ABI 1.0 keeps working with a 1.7 host, and a 1.7 driver
 * works with a 1.0 host as long as it needs nothing newer.
 *
 * Ownership: everything the driver creates in the schema model or in SQL
 * output is allocated by the host through the host table; the driver frees
 * only what it allocated itself (its session, its connections, its client
 * library's results). Errors are reported with host->error(), which copies
 * the text at once, so client-library buffers may be freed right after.
 *
 * Threading: the host calls a session and its connections from one thread
 * at a time; different sessions may be used from different threads. A
 * driver keeps no mutable global state.
 *
 * ABI history (minor versions only ever append):
 *   1.0  the table up to `describe`; the host table up to `find_column`.
 *   1.1  normalize_expr.
 *   1.2  CAIRN_DIALECT_INIT; CAIRN_HOST_HAS; `quote_close` (bracket quoting);
 *        `type_families` (which type changes keep every value); structs
 *        passed across carry `struct_size`; the lock slot is asked to try
 *        once (the host waits and retries); sticky errors on buffers and
 *        statement lists (host buf_status / stmts_status); a PARTIAL history
 *        row may record a statement in flight (negative statements_done);
 *        the host refuses a schema that needs a capability the driver lacks;
 *        CAIRN_CAP_FKEY_NEEDS_TARGET (the host orders new tables' foreign
 *        keys, the driver writes them where the plan puts them); history
 *        state CAIRN_APPLIED_BASELINE (2), stored as is.
 *   1.3  `query` (read rows: other tools' history tables, row counts);
 *        `hazards` (what a change, as the driver writes it, does to a live
 *        table's readers and writers: read by `cairn lint`); `type_names`
 *        (read by `cairn validate`); a PARTIAL history row of a rollback has
 *        a negative statements_total, stored as is.
 *   1.4  `normalize_schema` (a schema file's schema as this server would
 *        report it: MySQL's table options equal to the server's defaults);
 *        CAIRN_CAP_CLIENT_DELIMITER, CAIRN_CAP_COLUMN_ORDER and
 *        CAIRN_ALTER_POSITION.
 *   1.5  objects carried as DDL text (cairn_schema.objects, cairn_object):
 *        CAIRN_CAP_OBJECTS and the change kinds CREATE_OBJECT, DROP_OBJECT
 *        and REPLACE_OBJECT; a driver without the bit never sees either;
 *        the hazard bit CAIRN_HAZARD_DELETES_ROWS (a bit a driver returns
 *        and an older host ignores: no slot, no size change);
 *        `default_namespace` (the namespace the model calls NULL, so a
 *        foreign key naming it finds its table); `order` (the
 *        order `emit` writes a plan's changes in: read by `cairn lint`);
 *        CAIRN_CAP_CONSTRAINT_OPTIONS and CAIRN_CAP_CONSTRAINT_COMMENTS with
 *        the fields they read (keys' deferrable and without_overlaps,
 *        foreign keys' match_full, period, not_valid, not_null_name, comments on constraints, triggers and
 *        enums), the change kinds ALTER_KEY, ALTER_CHECK, ALTER_FOREIGN_KEY
 *        and ALTER_TRIGGER, and the alter bits CAIRN_ALTER_VALIDATE and
 *        CAIRN_ALTER_NOT_NULL_NAME; a driver without the bits never sees
 *        them; `object_recreates` (a changed object that only a drop and
 *        a create can change, and what depends on it); cairn_view.grants
 *        (set by introspection, through a host of host ABI 1.3);
 *        CAIRN_CAP_PRIMARY_KEY_COMMENT; `normalize_object` (the depends
 *        of an object of a schema file that only its text tells).
 * Host table (CAIRN_HOST_ABI_MINOR, versioned apart from the dialect table):
 *   1.0  up to `find_column`; 1.1 buf_status, stmts_status, buf_quote_pair;
 *   1.2  `warn` (a line the user reads without --verbose); cairn_filter
 *        `flags` (CAIRN_FILTER_REPORT_LEFT_OUT: `pull` asks what the model
 *        leaves out); type family flag CAIRN_TYPE_AUTO_NUMBERED;
 *        `view_add_column` and `left_out`; cairn_view.columns; the
 *        capability bits CAIRN_CAP_VIRTUAL_TABLES and CAIRN_CAP_VIEW_COLUMNS,
 *        which an older host does not read.
 *   1.3  `add_object` and `object_add_depend` (cairn_schema_add_object,
 *        cairn_object_add_depend); `progress` (long work: tables read, a
 *        table rebuilt); views allocated with `grants`, which a driver sets
 *        directly (introspection only) when the host has `add_object`.
 */
#ifndef CAIRN_SYS_DIALECT_H
#define CAIRN_SYS_DIALECT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cairn/error.h>
#include <cairn/plan.h>
#include <cairn/schema.h>

#ifdef __cplusplus
extern "C" {
#endif

/** "CAIRNDLT" folded into 32 bits: first field of every dialect table. */
#define CAIRN_DIALECT_MAGIC 0xCA1D1A1Eu
#define CAIRN_DIALECT_ABI_MAJOR 1
#define CAIRN_DIALECT_ABI_MINOR 5
/** The one symbol a driver exports. */
#define CAIRN_DIALECT_ENTRY_SYMBOL "cairn_dialect_entry"

#if defined(__GNUC__)
#  define CAIRN_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#  define CAIRN_PLUGIN_EXPORT
#endif

/* ---- capability flags (cairn_dialect.caps) ------------------------------ */
/** DDL runs inside a transaction and rolls back with it. */
#define CAIRN_CAP_TRANSACTIONAL_DDL (1ull << 0)
/** Namespaces (CREATE SCHEMA). Without it the host refuses, when it reads
 *  a schema file, a schema that names a namespace. */
#define CAIRN_CAP_SCHEMAS (1ull << 1)
/** Enumerated types as objects. */
#define CAIRN_CAP_ENUMS (1ull << 2)
/** Sequences as objects. */
#define CAIRN_CAP_SEQUENCES (1ull << 3)
/** A column's type can be changed in place (ALTER COLUMN TYPE / MODIFY).
 *  Informational: listed by `cairn dialects`, not read by the core. */
#define CAIRN_CAP_ALTER_COLUMN_TYPE (1ull << 4)
/** A lock that is not tied to a transaction (advisory lock, GET_LOCK).
 *  Informational: listed by `cairn dialects`, not read by the core. */
#define CAIRN_CAP_ADVISORY_LOCK (1ull << 5)
/** Partial indexes (CREATE INDEX ... WHERE). */
#define CAIRN_CAP_PARTIAL_INDEX (1ull << 6)
/** Indexes on expressions. */
#define CAIRN_CAP_EXPRESSION_INDEX (1ull << 7)
/** Comments on tables, columns and indexes. Without it the host refuses a
 *  schema file that has one. */
#define CAIRN_CAP_COMMENTS (1ull << 8)
/** SQL standard identity columns (GENERATED ALWAYS / BY DEFAULT AS
 *  IDENTITY). Without it the host refuses a schema with identity "always"
 *  or "by_default" ("auto" is every dialect's own numbering). */
#define CAIRN_CAP_IDENTITY (1ull << 9)
/** Generated (computed) columns. */
#define CAIRN_CAP_GENERATED (1ull << 10)
/** Materialized views. */
#define CAIRN_CAP_MATERIALIZED_VIEWS (1ull << 11)
/** The driver can give a scratch database for declarative SQL schemas
 *  without a dev_url (SQLite in memory, a temporary database). */
#define CAIRN_CAP_SCRATCH (1ull << 12)
/** An identifier may not end with a space (MySQL, MariaDB): the host
 *  refuses such a name when it reads a schema. Since ABI 1.2. */
#define CAIRN_CAP_IDENT_NO_TRAILING_SPACE (1ull << 14)
/** An identifier holds only characters of Unicode's Basic Multilingual
 *  Plane (MySQL, MariaDB: no 4-byte UTF-8). Since ABI 1.2. */
#define CAIRN_CAP_IDENT_BMP_ONLY (1ull << 15)
/** A foreign key is checked when it is created: its target table, with the
 *  referenced columns and key, must exist then (PostgreSQL, MySQL; not
 *  SQLite). The core then hands `emit` a plan where a new table's key whose
 *  target is not complete when the table is created (a cycle, or a column
 *  or key a later change adds) is an ADD_FOREIGN_KEY at the end; every
 *  other key of a new table is in its CREATE_TABLE, to be written with it.
 *  Since ABI 1.2. */
#define CAIRN_CAP_FKEY_NEEDS_TARGET (1ull << 16)
/** Virtual tables: a table with the option "using" (the module) and
 *  "args" (the module's arguments as written), and nothing else; the core
 *  never alters one, any change is a drop and a create. Without it the host
 *  refuses a schema file that has one. Since host ABI 1.2. */
#define CAIRN_CAP_VIRTUAL_TABLES (1ull << 17)
/** A view may name its columns (CREATE VIEW v (a, b) AS ...), and
 *  introspection reports the list (cairn_view.columns). Without it the host
 *  refuses a schema file that has one. Since host ABI 1.2. */
#define CAIRN_CAP_VIEW_COLUMNS (1ull << 18)
/** Primary key columns are NOT NULL whatever the column says (PostgreSQL,
 *  MySQL; not SQLite, whose non-integer primary keys allow NULL): the core
 *  normalises a schema file's key columns accordingly. Since ABI 1.0. */
#define CAIRN_CAP_PK_NOT_NULL (1ull << 13)
/** The dialect's command-line client ends a statement at the first ';'
 *  outside quotes and takes `DELIMITER x` lines (mysql, mariadb): plain
 *  scripts the host writes (export, pull --output x.sql) put a statement
 *  holding a ';' of its own (a trigger's BEGIN ... END) in a DELIMITER
 *  block. The host reads DELIMITER lines in a .sql schema whatever the
 *  dialect. Since ABI 1.3 (a flag only: older hosts ignore it). */
#define CAIRN_CAP_CLIENT_DELIMITER (1ull << 19)
/** The order of a table's columns is part of the schema (MySQL, MariaDB:
 *  `AFTER` / `FIRST`): the core plans a column that moves as an
 *  ALTER_COLUMN with CAIRN_ALTER_POSITION. Since ABI 1.3. */
#define CAIRN_CAP_COLUMN_ORDER (1ull << 20)
/** The driver reads, creates, replaces and drops objects carried as DDL
 *  text (cairn_object: functions, domains, extensions, policies, events,
 *  ...). Without it the host refuses a schema file that has one, and the
 *  plan never holds an object change. Since ABI 1.5. */
#define CAIRN_CAP_OBJECTS (1ull << 21)
/** Constraint options beyond the definition: DEFERRABLE / INITIALLY
 *  DEFERRED primary keys and unique constraints, MATCH FULL foreign keys,
 *  NOT VALID checks and foreign keys (validated later by an ALTER_CHECK or
 *  ALTER_FOREIGN_KEY with CAIRN_ALTER_VALIDATE), and named NOT NULL
 *  constraints (cairn_column.not_null_name). Without it the host refuses a
 *  schema file that has one (a foreign key's DEFERRABLE, older than this
 *  bit, is not refused). Since ABI 1.5. */
#define CAIRN_CAP_CONSTRAINT_OPTIONS (1ull << 22)
/** Comments on primary keys, unique constraints, checks, foreign keys and
 *  triggers, changed alone by ALTER_KEY, ALTER_CHECK, ALTER_FOREIGN_KEY
 *  and ALTER_TRIGGER with CAIRN_ALTER_COMMENT. Without it the host refuses
 *  a schema file that has one. Since ABI 1.5. */
#define CAIRN_CAP_CONSTRAINT_COMMENTS (1ull << 23)
/** A primary key's comment alone (cairn_key.comment of primary_key), where
 *  the dialect has no comments on other constraints (MySQL, MariaDB: the
 *  PRIMARY index's COMMENT). Without it, or CAIRN_CAP_CONSTRAINT_COMMENTS,
 *  the host refuses a schema file that has one; without
 *  CAIRN_CAP_CONSTRAINT_COMMENTS a changed comment changes the primary key
 *  (dropped and added again). Since ABI 1.5. */
#define CAIRN_CAP_PRIMARY_KEY_COMMENT (1ull << 24)

/* ---- opaque handles ----------------------------------------------------- */
/** A driver's session: one per host context, created by `open`. */
typedef struct cairn_dsession cairn_dsession;
/** A driver's database connection, created by `connect`. */
typedef struct cairn_dconn cairn_dconn;
/** Host-side handles, passed back to the host table's functions. */
typedef struct cairn_hostctx cairn_hostctx;
typedef struct cairn_buf cairn_buf;
typedef struct cairn_stmts cairn_stmts;
typedef struct cairn_history cairn_history;

/* ---- values passed across ----------------------------------------------- */

/** Which part of a database introspection reads. */
typedef struct cairn_filter {
    /** Namespaces to read; none = the dialect's default namespace. */
    const char *const *namespaces;
    size_t nnamespaces;
    /** Glob patterns (fnmatch) of table names to keep; none = all tables. */
    const char *const *tables;
    size_t ntables;
    /** Tables never read (the migration history table). */
    const char *const *exclude;
    size_t nexclude;
    /* ABI 1.1 ends here. */
    /** sizeof(cairn_filter) of the host that built it (host ABI >= 1.1):
     *  read a field appended later only if struct_size covers it
     *  (CAIRN_STRUCT_HAS). */
    uint32_t struct_size;
    /* Host ABI 1.1 ends here. */
    /** CAIRN_FILTER_* bits, since host ABI 1.2. */
    uint32_t flags;
} cairn_filter;

/** cairn_filter.flags: the read is `pull`'s: say in one host->warn line what
 *  the database holds that the model leaves out (object kinds with counts:
 *  functions, extensions, partitions, grants, ...) and which tables are
 *  read as plain ones (partitioned, inheriting). Costs at most one more
 *  query. Since host ABI 1.2. */
#define CAIRN_FILTER_REPORT_LEFT_OUT 1u

/** Where the migration history lives. */
typedef struct cairn_history_opts {
    /** Namespace of the history table, NULL = the default one. */
    const char *schema;
    /** Name of the history table ("__cairn_migrations" by default). */
    const char *table;
    /** How long `lock` waits for another holder, in milliseconds;
     *  0 = try once, negative = wait for ever. */
    long lock_timeout_ms;
    /** A key that names the lock (database-wide), derived by the host
     *  from the history table's name. */
    const char *lock_name;
    /* ABI 1.1 ends here. */
    /** sizeof(cairn_history_opts) of the host that built it (host ABI >= 1.1). */
    uint32_t struct_size;
} cairn_history_opts;

/** State of one history row. */
typedef enum cairn_applied_state {
    /** Fully applied. */
    CAIRN_APPLIED_DONE = 0,
    /** Stopped part-way (non-transactional DDL): `statements_done` of
     *  `statements_total` ran. */
    CAIRN_APPLIED_PARTIAL = 1,
    /** Recorded as applied without running it (`cairn baseline`): the
     *  database already had its schema. Since ABI 1.2; a driver stores and
     *  returns the number as is (an older one reads it back as DONE, which
     *  means the same to the host). */
    CAIRN_APPLIED_BASELINE = 2
} cairn_applied_state;

/** The state stored as `n` in a history table: an unknown number reads
 *  as DONE (a newer host's state that an older one does not know). */
static inline cairn_applied_state cairn_applied_state_of(int n)
{
    return n == CAIRN_APPLIED_PARTIAL    ? CAIRN_APPLIED_PARTIAL
           : n == CAIRN_APPLIED_BASELINE ? CAIRN_APPLIED_BASELINE
                                         : CAIRN_APPLIED_DONE;
}

/** One row of the migration history. */
typedef struct cairn_applied {
    const char *name;
    /** Lower-case hex sha256 of migration.sql as it was applied. */
    const char *checksum;
    /** UTC time, ISO 8601 "YYYY-MM-DDTHH:MM:SSZ". */
    const char *applied_at;
    int64_t duration_ms;
    cairn_applied_state state;
    /** Statements that ran. Negative on a PARTIAL row: -k, statement k
     *  (1-based) was sent outside a transaction and its outcome is unknown
     *  (the client died while it ran); since ABI 1.2, stored as is. */
    int32_t statements_done;
    /** Statements of the migration. Negative on a PARTIAL row of a rollback
     *  stopped part-way (`cairn rollback`): -n, its down.sql has n
     *  statements, and statements_done counts those; since ABI 1.3,
     *  stored as is (an int column holds it: nothing to change in a
     *  driver). */
    int32_t statements_total;
    /* ABI 1.0 ends here: append only. */
    /** sizeof(cairn_applied) of whoever built the row, since ABI 1.2: the
     *  host copies a driver's row only as far as the driver's ABI says
     *  (rows of a 1.0/1.1 driver end before this field). */
    uint32_t struct_size;
} cairn_applied;

/** Does the struct `p` (with a struct_size) reach `field`? */
#define CAIRN_STRUCT_HAS(p, type, field) \
    ((p)->struct_size >= offsetof(type, field) + sizeof((p)->field))

/** statements_done for "statement index i (0-based) was sent". */
#define CAIRN_APPLIED_IN_FLIGHT(i) (-(long)(i) - 1)
/** The 1-based statement whose outcome is unknown, or 0. */
#define CAIRN_APPLIED_STATEMENT_IN_FLIGHT(row) \
    ((row)->statements_done < 0 ? -(long)(row)->statements_done : 0L)

/** Flags of an emitted statement. */
enum {
    /** The statement must run outside a transaction. */
    CAIRN_STMT_NO_TRANSACTION = 1u << 0,
    /** The statement can lose data. */
    CAIRN_STMT_DESTRUCTIVE = 1u << 1
};

/* ---- the host table: what the core gives a driver ----------------------- */

#define CAIRN_HOST_ABI_MAJOR 1
#define CAIRN_HOST_ABI_MINOR 3

typedef struct cairn_host {
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t struct_size;

    /** Report an error on the host context: `code` is a CAIRN_E* value,
     *  `sqlstate` the server's SQLSTATE or NULL. The text is copied at once.
     *  Returns `code`, so a driver can `return host->error(...)`. */
    int (*error)(cairn_hostctx *hc, int code, const char *sqlstate, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
    /** Log a line at verbose level (shown with --verbose). */
    void (*debug)(cairn_hostctx *hc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

    /* growable text buffers, owned by the host; an append that fails
     * (out of memory) makes the buffer fail for good: later appends are
     * no-ops, and buf_status (host ABI 1.1) tells at the end */
    cairn_buf *(*buf_new)(cairn_hostctx *hc);
    void (*buf_free)(cairn_buf *b);
    int (*buf_append)(cairn_buf *b, const char *s, size_t len);
    int (*buf_puts)(cairn_buf *b, const char *s);
    int (*buf_printf)(cairn_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
    /** Append `ident` quoted with `quote` ('"' or '`'), doubling it inside. */
    int (*buf_quote)(cairn_buf *b, const char *ident, char quote);
    /** Append `str` as an SQL string literal ('...', quotes doubled). */
    int (*buf_literal)(cairn_buf *b, const char *str);
    const char *(*buf_cstr)(const cairn_buf *b);
    size_t (*buf_len)(const cairn_buf *b);
    void (*buf_reset)(cairn_buf *b);

    /** Append one SQL statement (copied) with CAIRN_STMT_* flags. The list
     *  keeps its first failure (host ABI 1.1): later adds are no-ops. */
    int (*stmt_add)(cairn_stmts *out, const char *sql, uint32_t flags);
    /** Append one history row (copied) to a list being filled by history_list. */
    int (*history_add)(cairn_history *out, const cairn_applied *row);

    /* the schema model constructors of <cairn/schema.h> */
    const char *(*strdup)(cairn_schema *s, const char *str);
    const char *(*strndup)(cairn_schema *s, const char *str, size_t len);
    cairn_table *(*add_table)(cairn_schema *s, const char *ns, const char *name);
    cairn_column *(*add_column)(cairn_schema *s, cairn_table *t, const char *name);
    cairn_key *(*set_primary_key)(cairn_schema *s, cairn_table *t, const char *name);
    cairn_key *(*add_unique)(cairn_schema *s, cairn_table *t, const char *name);
    int (*key_add_column)(cairn_schema *s, cairn_key *k, const char *column);
    cairn_index *(*add_index)(cairn_schema *s, cairn_table *t, const char *name);
    cairn_index_part *(*index_add_part)(cairn_schema *s, cairn_index *ix);
    int (*index_add_include)(cairn_schema *s, cairn_index *ix, const char *column);
    cairn_fkey *(*add_fkey)(cairn_schema *s, cairn_table *t, const char *name);
    int (*fkey_add_columns)(cairn_schema *s, cairn_fkey *fk, const char *column,
                            const char *ref_column);
    cairn_check *(*add_check)(cairn_schema *s, cairn_table *t, const char *name,
                              const char *expr);
    cairn_trigger *(*add_trigger)(cairn_schema *s, cairn_table *t, const char *name,
                                  const char *sql);
    int (*set_table_option)(cairn_schema *s, cairn_table *t, const char *key, const char *value);
    cairn_view *(*add_view)(cairn_schema *s, const char *ns, const char *name,
                            const char *definition);
    cairn_enum *(*add_enum)(cairn_schema *s, const char *ns, const char *name);
    int (*enum_add_value)(cairn_schema *s, cairn_enum *e, const char *value);
    cairn_sequence *(*add_sequence)(cairn_schema *s, const char *ns, const char *name);
    int (*add_namespace)(cairn_schema *s, const char *ns);
    cairn_table *(*find_table)(const cairn_schema *s, const char *ns, const char *name);
    cairn_column *(*find_column)(const cairn_table *t, const char *name);
    /* Host ABI 1.0 ends here. */

    /** 0, or the first failure of any append to `b` (CAIRN_ENOMEM), so a
     *  driver can append without checking each call and ask once. */
    int (*buf_status)(const cairn_buf *b);
    /** 0, or the first failure of any stmt_add to `out`. The host checks it
     *  too after emit returns. */
    int (*stmts_status)(const cairn_stmts *out);
    /** Append `ident` between `open` and `close` (e.g. '[' and ']'),
     *  doubling `close` inside. */
    int (*buf_quote_pair)(cairn_buf *b, const char *ident, char open, char close);
    /* Host ABI 1.1 ends here. */

    /** Log a line the user reads without --verbose (a warning: something
     *  cairn cannot keep as it is; an object it leaves out goes to
     *  `left_out`, the one path of `pull`'s line). A line equal to the one the
     *  context logged last is not repeated (two introspections of one
     *  command). Since host ABI 1.2: test with CAIRN_HOST_HAS. */
    void (*warn)(cairn_hostctx *hc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
    /** cairn_view_add_column. A host of this ABI (1.2) or newer allocates
     *  views with `columns`: a driver reads or sets that field only when
     *  CAIRN_HOST_HAS(h, view_add_column). */
    int (*view_add_column)(cairn_schema *s, cairn_view *v, const char *column);
    /** Introspection left out an object the schema model cannot hold:
     *  `kind` and `kinds` name its kind in the singular and the plural
     *  ("trigger on a view", "triggers on views"), `name` the object. The
     *  host counts them per kind; `pull` says the counts in one line and
     *  --verbose names the objects. Call it once per object. */
    void (*left_out)(cairn_hostctx *hc, const char *kind, const char *kinds, const char *name);
    /** Add "key=value" to a view's options (cairn_view_set_option). */
    int (*set_view_option)(cairn_schema *s, cairn_view *v, const char *key, const char *value);
    /* Host ABI 1.2 ends here. */
    /** cairn_schema_add_object and cairn_object_add_depend (schema.h). A
     *  host of this ABI (1.3) or newer allocates schemas with `objects`. */
    cairn_object *(*add_object)(cairn_schema *s, const char *kind, const char *ns,
                                const char *name, const char *signature, const char *table,
                                const char *definition);
    int (*object_add_depend)(cairn_schema *s, cairn_object *o, const char *kind, const char *ns,
                             const char *name, const char *signature);

    /** Long work under way: `what` (lower case, "reading tables",
     *  "rebuilding a table"), the object at hand or NULL, `done` of `total`
     *  steps (`total` 0: unknown, the host says the time it has taken).
     *  Call it as often as is natural (per table, from an SQLite progress
     *  handler): the host says nothing for work that ends within a second
     *  and at most a line a second after that. Since host ABI 1.3: test
     *  with CAIRN_HOST_HAS. */
    void (*progress)(cairn_hostctx *hc, const char *what, const char *object, size_t done,
                     size_t total);
    /* Host ABI 1.3 ends here: append only, bump CAIRN_HOST_ABI_MINOR. */
} cairn_host;

/** The size of host ABI 1.0's table: a driver that needs nothing newer
 *  accepts any host at least this large, and tests newer slots with
 *  CAIRN_HOST_HAS instead of refusing an older host. */
#define CAIRN_HOST_1_0_SIZE offsetof(cairn_host, buf_status)

/** Does the host's table reach slot `field` (and is it set)? A driver
 *  checks this before using a host slot added after host ABI 1.0, and
 *  falls back (or refuses from `open`) when the host is older. */
#define CAIRN_HOST_HAS(h, field) \
    ((h)->struct_size >= offsetof(cairn_host, field) + sizeof((h)->field) && (h)->field != NULL)

/* ---- slot types (drivers forward-declare their functions with these, so
 *      the compiler checks every signature) ------------------------------- */

/** REQUIRED. Start a session: keep `host` and `hc` for later calls.
 *  Return CAIRN_EABI (via host->error) if the host table is too old. */
typedef int cairn_dialect_open_fn(const cairn_host *host, cairn_hostctx *hc, cairn_dsession **out);
/** REQUIRED. End a session (its connections are closed before). */
typedef void cairn_dialect_close_fn(cairn_dsession *s);

/** REQUIRED. Connect with a URL of one of the driver's schemes (or a file
 *  path where the driver accepts one). Never put the password in an error. */
typedef int cairn_dialect_connect_fn(cairn_dsession *s, const char *url, cairn_dconn **out);
/** REQUIRED. Close a connection; NULL is a no-op. */
typedef void cairn_dialect_disconnect_fn(cairn_dconn *c);
/** REQUIRED. Run one SQL statement (or, where the client allows, a script). */
typedef int cairn_dialect_exec_fn(cairn_dconn *c, const char *sql);
/** REQUIRED. Transactions. */
typedef int cairn_dialect_txn_fn(cairn_dconn *c);

/** REQUIRED. Read the live database into `out` (an empty schema), keeping
 *  what `filter` selects; canonical types and defaults, as normalize_* give. */
typedef int cairn_dialect_introspect_fn(cairn_dconn *c, const cairn_filter *filter,
                                        cairn_schema *out);

/** OPTIONAL. Canonical spelling of a type ("INT" -> "integer"); append it
 *  to `out`. Absent: types compare as written, case-folded. */
typedef int cairn_dialect_normalize_type_fn(cairn_dsession *s, const char *type, cairn_buf *out);
/** OPTIONAL. Canonical spelling of a default expression for a column of
 *  canonical type `type`; append it to `out`. Absent: compared as written. */
typedef int cairn_dialect_normalize_default_fn(cairn_dsession *s, const char *type,
                                               const char *expr, cairn_buf *out);

/** REQUIRED. Turn a plan into statements, appended to `out` in order.
 *  Every identifier quoted. No connection: `generate` works offline. */
typedef int cairn_dialect_emit_fn(cairn_dsession *s, const cairn_plan *plan, cairn_stmts *out);

/** REQUIRED. Create the history table if it does not exist. */
typedef int cairn_dialect_history_ensure_fn(cairn_dconn *c, const cairn_history_opts *h);
/** REQUIRED. Append every history row (host->history_add), any order;
 *  a missing table is an empty history, not an error. */
typedef int cairn_dialect_history_list_fn(cairn_dconn *c, const cairn_history_opts *h,
                                          cairn_history *out);
/** REQUIRED. Insert or replace (by name) one history row. Called inside
 *  the migration's transaction where the dialect has transactional DDL. */
typedef int cairn_dialect_history_record_fn(cairn_dconn *c, const cairn_history_opts *h,
                                            const cairn_applied *row);
/** OPTIONAL. Remove the row `name` (resolve --rolled-back). */
typedef int cairn_dialect_history_remove_fn(cairn_dconn *c, const cairn_history_opts *h,
                                            const char *name);
/** REQUIRED. Take the migration lock for the whole run; CAIRN_ELOCKED when
 *  another session holds it. A 1.2 host always passes lock_timeout_ms 0
 *  (try once) and does the waiting itself, retrying with a back-off until
 *  the user's timeout; a driver written for 1.2 need not wait at all. Older
 *  hosts may pass a timeout for the driver to wait. */
typedef int cairn_dialect_lock_fn(cairn_dconn *c, const cairn_history_opts *h);
/** REQUIRED. Release the lock taken by `lock`. */
typedef int cairn_dialect_unlock_fn(cairn_dconn *c, const cairn_history_opts *h);

/** OPTIONAL (with CAIRN_CAP_SCRATCH). Connect to an empty scratch database
 *  for normalising a declarative SQL schema; `target_url` may be NULL.
 *  Everything the scratch database holds is dropped by scratch_release. */
typedef int cairn_dialect_scratch_connect_fn(cairn_dsession *s, const char *target_url,
                                             cairn_dconn **out);
typedef void cairn_dialect_scratch_release_fn(cairn_dconn *c);

/** OPTIONAL, since ABI 1.1. Canonical spelling of an SQL expression (a
 *  CHECK, a generated column, an index expression or partial-index WHERE)
 *  as the dialect prints it back, so a schema file's expression and the
 *  introspected one compare equal; append it to `out`. Absent: compared as
 *  written. */
typedef int cairn_dialect_normalize_expr_fn(cairn_dsession *s, const char *expr, cairn_buf *out);

/** OPTIONAL. Describe where a connection points, without any password
 *  ("sqlite:/tmp/app.db", "postgresql://app@db:5432/app"). */
typedef int cairn_dialect_describe_fn(cairn_dconn *c, cairn_buf *out);

/** One result row of `query`: `values[i]` is column i as text, NULL for
 *  SQL NULL, valid only during the call. A non-zero return stops the query
 *  and is returned by it. */
typedef int cairn_row_fn(void *ud, size_t ncols, const char *const *values);

/** OPTIONAL, since ABI 1.3. Run one read-only statement and call `row` once
 *  per result row, in order. A statement returning no rows calls it never.
 *  Errors (a missing table included) are CAIRN_EDB through host->error. */
typedef int cairn_dialect_query_fn(cairn_dconn *c, const char *sql, cairn_row_fn *row, void *ud);

/** OPTIONAL, since ABI 1.4. Bring `s`, a schema read from files (already
 *  through the normalize_* slots), to what `introspect` on this connection
 *  would give for the same objects where that depends on the server's
 *  settings rather than on the text alone (MySQL: a table option equal to
 *  the server's default is left out, as introspection leaves it out). The
 *  host calls it on the desired schema before diffing it with the live one
 *  (push, drift); the driver changes `s` in place, allocating through the
 *  host table. A constant number of queries. */
typedef int cairn_dialect_normalize_schema_fn(cairn_dconn *c, cairn_schema *s);

/** OPTIONAL, since ABI 1.5. The order `emit` writes the changes of `plan`
 *  in, when it is not the plan's own: `order[k]` is the index in
 *  `plan->changes` of the k-th change written (plan->nchanges entries, each
 *  index once). No connection. `cairn lint` reads it to know which
 *  statement runs before which (on a dialect without transactional DDL, a
 *  drop that runs before a change that may fail is not undone). Returns 0
 *  or CAIRN_ENOMEM. Absent: `emit` follows the plan's order. */
typedef int cairn_dialect_order_fn(cairn_dsession *s, const cairn_plan *plan, size_t *order);

/** OPTIONAL, since ABI 1.5 (with CAIRN_CAP_OBJECTS). Can object `from`
 *  become `to` (one identity, definitions that differ) only by a drop and a
 *  create (PostgreSQL: a function whose result, argument names or argument
 *  defaults change, which CREATE OR REPLACE refuses)? 1: the core plans a
 *  DROP_OBJECT and a CREATE_OBJECT instead of a REPLACE_OBJECT, and drops
 *  first, then creates again after it, what uses it: the objects whose
 *  `depends` name it, and the views, triggers, checks, indexes and column
 *  defaults that call it (by namespace, name and argument types). 0:
 *  `emit` changes it in place. Absent: every change is a REPLACE_OBJECT.
 *  No connection. */
typedef int cairn_dialect_object_recreates_fn(cairn_dsession *s, const cairn_object *from,
                                              const cairn_object *to);

/** OPTIONAL, since ABI 1.5 (with CAIRN_CAP_OBJECTS). Add to `o`, an object
 *  of `schema` read from a schema file, the `depends` that only its text
 *  tells and that introspection would report (PostgreSQL: the tables and
 *  views a LANGUAGE sql body reads, which the server checks when it
 *  creates the function), through host->object_add_depend (host ABI 1.3).
 *  Called once per object after the tables and views are read; a
 *  reference already there is not added twice. Returns 0 or CAIRN_ENOMEM.
 *  No connection (generate reads no database). */
typedef int cairn_dialect_normalize_object_fn(cairn_dsession *s, cairn_schema *schema,
                                              cairn_object *o);

/** A type's family, for deciding whether a type change keeps every value
 *  (a widening) or can lose data (flagged destructive). Since ABI 1.2. */
typedef enum cairn_type_kind {
    CAIRN_TYPE_END = 0,    /* ends a cairn_type_family array */
    CAIRN_TYPE_INTEGER,    /* ranks by range; (n) is a display width only */
    CAIRN_TYPE_FLOAT,      /* ranks by precision */
    CAIRN_TYPE_STRING,     /* char(n) < varchar(n) < text; lengths compared */
    CAIRN_TYPE_DECIMAL     /* (precision, scale) compared */
} cairn_type_kind;

/** cairn_type_family.flags: written without arguments, the type is
 *  unbounded (varchar, text, numeric), not of a default size (char = char(1)). */
#define CAIRN_TYPE_BARE_UNBOUNDED 1u
/** cairn_type_family.flags: the name is shorthand for an integer type that
 *  numbers itself (PostgreSQL serial): a schema file's column of this type,
 *  with no identity, default or generation of its own, is read as identity
 *  "auto"; normalize_type gives the integer type. A flag, not a slot: a
 *  host that does not know it reads the type alone. Read by hosts of host
 *  ABI 1.2 and later. */
#define CAIRN_TYPE_AUTO_NUMBERED 2u

/** One type name (canonical, as normalize_type gives it, lower case) and
 *  its place: within a kind, a type of higher rank holds every value of a
 *  lower one; names of equal kind and rank are synonyms. */
typedef struct cairn_type_family {
    const char *name;
    cairn_type_kind kind;
    int rank;
    unsigned flags;
} cairn_type_family;

/* ---- locking hazards (the `hazards` slot, since ABI 1.3) ------------------ */
/** CREATE INDEX (or a new unique key) blocks writes to the table while the
 *  index builds (PostgreSQL without CONCURRENTLY). */
#define CAIRN_HAZARD_INDEX_BLOCKS_WRITES (1u << 0)
/** A new foreign key or check reads every row under a lock that blocks
 *  writes (PostgreSQL without NOT VALID + VALIDATE CONSTRAINT). */
#define CAIRN_HAZARD_CONSTRAINT_SCAN (1u << 1)
/** SET NOT NULL scans the whole table under an exclusive lock (PostgreSQL,
 *  unless a validated CHECK (col IS NOT NULL) proves it first). */
#define CAIRN_HAZARD_NOT_NULL_SCAN (1u << 2)
/** A new column's default is evaluated per row (volatile), so the table is
 *  rewritten under an exclusive lock. */
#define CAIRN_HAZARD_VOLATILE_DEFAULT (1u << 3)
/** The change rewrites the whole table under an exclusive lock (a type
 *  change that is not binary compatible). */
#define CAIRN_HAZARD_TABLE_REWRITE (1u << 4)
/** The statement cannot run in place or instantly (MySQL ALGORITHM=INPLACE
 *  or INSTANT): the table is copied and writes wait for the copy. */
#define CAIRN_HAZARD_TABLE_COPY (1u << 5)
/** Since 1.5. The change, as the driver writes it, deletes rows the diff
 *  cannot see (MySQL DROP PARTITION: the partition's rows go with it). The
 *  host treats the change as destructive: `push` refuses it without
 *  --force, `generate` and `lint` warn. */
#define CAIRN_HAZARD_DELETES_ROWS (1u << 6)

/** OPTIONAL, since ABI 1.3. What running change `ch` of `plan`, as `emit`
 *  writes it, does to a table that has rows and live traffic: CAIRN_HAZARD_*
 *  bits, 0 for none. Called only for changes to a table that exists before
 *  the change (`ch->table_from` set); no connection (`cairn lint` works
 *  offline). Absent: the dialect has no locking hazards to report. */
typedef uint32_t cairn_dialect_hazards_fn(cairn_dsession *s, const cairn_plan *plan,
                                          const cairn_change *ch);

/* ---- the table ------------------------------------------------------------ */

typedef struct cairn_dialect {
    uint32_t magic;       /* CAIRN_DIALECT_MAGIC */
    uint16_t abi_major;   /* CAIRN_DIALECT_ABI_MAJOR the driver was built with */
    uint16_t abi_minor;   /* CAIRN_DIALECT_ABI_MINOR the driver was built with */
    uint32_t struct_size; /* sizeof(cairn_dialect) the driver was built with */
    uint32_t reserved;    /* zero */
    const char *name;     /* "sqlite", "postgresql", ... : [a-z0-9_]+ */
    const char *version;  /* the driver's own version */
    /** URL schemes served, NULL-terminated ("postgres", "postgresql", NULL). */
    const char *const *schemes;
    uint64_t caps;        /* CAIRN_CAP_* */
    /** Identifier quote character ('"' or '`'). */
    char quote;

    cairn_dialect_open_fn *open;                          /* required */
    cairn_dialect_close_fn *close;                        /* required */
    cairn_dialect_connect_fn *connect;                    /* required */
    cairn_dialect_disconnect_fn *disconnect;              /* required */
    cairn_dialect_exec_fn *exec;                          /* required */
    cairn_dialect_txn_fn *begin;                          /* required */
    cairn_dialect_txn_fn *commit;                         /* required */
    cairn_dialect_txn_fn *rollback;                       /* required */
    cairn_dialect_introspect_fn *introspect;              /* required */
    cairn_dialect_normalize_type_fn *normalize_type;      /* optional */
    cairn_dialect_normalize_default_fn *normalize_default; /* optional */
    cairn_dialect_emit_fn *emit;                          /* required */
    cairn_dialect_history_ensure_fn *history_ensure;      /* required */
    cairn_dialect_history_list_fn *history_list;          /* required */
    cairn_dialect_history_record_fn *history_record;      /* required */
    cairn_dialect_history_remove_fn *history_remove;      /* optional */
    cairn_dialect_lock_fn *lock;                          /* required */
    cairn_dialect_unlock_fn *unlock;                      /* required */
    cairn_dialect_scratch_connect_fn *scratch_connect;    /* optional */
    cairn_dialect_scratch_release_fn *scratch_release;    /* optional */
    cairn_dialect_describe_fn *describe;                  /* optional */
    /* ABI 1.0 ends here. */
    cairn_dialect_normalize_expr_fn *normalize_expr;      /* optional, since 1.1 */
    /* ABI 1.1 ends here. */
    /** Closing identifier quote when it differs from `quote` ('[' ... ']');
     *  0 = the same as `quote`. Optional, since 1.2. */
    char quote_close;
    /** The dialect's types by family, ended by a {NULL, CAIRN_TYPE_END}
     *  entry: the core's rule for which type changes lose data reads it.
     *  Optional, since 1.2; absent: the SQL standard's type names only. */
    const cairn_type_family *type_families;
    /** The longest identifier the server keeps, in bytes (PostgreSQL: 63)
     *  and in characters (MySQL: 64); 0 = no limit. The host refuses a
     *  longer name when it reads a schema, instead of letting the server
     *  cut it (and every later push drop the object it no longer finds).
     *  Optional, since 1.2. */
    uint16_t ident_max_bytes;
    uint16_t ident_max_chars;
    /* ABI 1.2 ends here. */
    cairn_dialect_query_fn *query;                        /* optional, since 1.3 */
    cairn_dialect_hazards_fn *hazards;                    /* optional, since 1.3 */
    /** Every type name the dialect knows, lower case, NULL-terminated:
     *  base names without arguments ("varchar", "timestamp with time
     *  zone") and the words that qualify one ("unsigned"). `cairn validate`
     *  refuses a column type that is not in it (nor an enum of the schema),
     *  naming the nearest one. Optional, since 1.3; absent: any type name
     *  passes. */
    const char *const *type_names;
    /* ABI 1.3 ends here. */
    cairn_dialect_normalize_schema_fn *normalize_schema;  /* optional, since 1.4 */
    /* ABI 1.4 ends here. */
    /** The name of the namespace an unqualified name lands in (PostgreSQL:
     *  "public"), which the schema model calls NULL: introspection reports
     *  a table there with no namespace, but a foreign key from another
     *  namespace to it names it (ref_schema "public"). The core reads such
     *  a reference as one to the NULL namespace. Optional, since 1.5;
     *  absent (or with CAIRN_CAP_SCHEMAS unset): a ref_schema is a
     *  namespace's own name only. */
    const char *default_namespace;
    cairn_dialect_order_fn *order;                        /* optional, since 1.5 */
    cairn_dialect_object_recreates_fn *object_recreates;  /* optional, since 1.5 */
    cairn_dialect_normalize_object_fn *normalize_object;  /* optional, since 1.5 */
    /* ABI 1.5 ends here: append only, bump CAIRN_DIALECT_ABI_MINOR. */
} cairn_dialect;

/** The head of a driver's table, so it cannot be got wrong:
 *  `const cairn_dialect cairn_dialect_entry = { CAIRN_DIALECT_INIT, .name = ... };` */
#define CAIRN_DIALECT_INIT                                                         \
    .magic = CAIRN_DIALECT_MAGIC, .abi_major = CAIRN_DIALECT_ABI_MAJOR,            \
    .abi_minor = CAIRN_DIALECT_ABI_MINOR, .struct_size = (uint32_t)sizeof(cairn_dialect)

/** Every slot of the table in order, with whether it is required and the
 *  ABI minor that added it: X(slot, REQUIRED|OPTIONAL, minor). The loader's
 *  checks and the slot table of docs/writing-a-dialect.md come from this
 *  list; tests/stub/test_abi_layout.c freezes every slot's offset. */
#define CAIRN_DIALECT_SLOTS(X)                      \
    X(open, REQUIRED, 0)                            \
    X(close, REQUIRED, 0)                           \
    X(connect, REQUIRED, 0)                         \
    X(disconnect, REQUIRED, 0)                      \
    X(exec, REQUIRED, 0)                            \
    X(begin, REQUIRED, 0)                           \
    X(commit, REQUIRED, 0)                          \
    X(rollback, REQUIRED, 0)                        \
    X(introspect, REQUIRED, 0)                      \
    X(normalize_type, OPTIONAL, 0)                  \
    X(normalize_default, OPTIONAL, 0)               \
    X(emit, REQUIRED, 0)                            \
    X(history_ensure, REQUIRED, 0)                  \
    X(history_list, REQUIRED, 0)                    \
    X(history_record, REQUIRED, 0)                  \
    X(history_remove, OPTIONAL, 0)                  \
    X(lock, REQUIRED, 0)                            \
    X(unlock, REQUIRED, 0)                          \
    X(scratch_connect, OPTIONAL, 0)                 \
    X(scratch_release, OPTIONAL, 0)                 \
    X(describe, OPTIONAL, 0)                        \
    X(normalize_expr, OPTIONAL, 1)                  \
    X(query, OPTIONAL, 3)                           \
    X(hazards, OPTIONAL, 3)                         \
    X(normalize_schema, OPTIONAL, 4)                \
    X(order, OPTIONAL, 5)                           \
    X(object_recreates, OPTIONAL, 5)                \
    X(normalize_object, OPTIONAL, 5)

/** Does the driver's table reach slot `field`? Hosts check this (and that
 *  the pointer is non-NULL) before calling any slot added after 1.0. */
#define CAIRN_DIALECT_HAS(d, field) \
    ((d)->struct_size >= offsetof(cairn_dialect, field) + sizeof((d)->field) && (d)->field != 0)

#ifdef __cplusplus
}
#endif
#endif
