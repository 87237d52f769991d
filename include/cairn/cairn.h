/*
 * cairn — the embedding API.
 *
 * Everything the `cairn` command does goes through these functions, so an
 * application can do the same: typically run its pending migrations at
 * start-up (the runtime-migrate workflow):
 *
 *     cairn_ctx *cx;
 *     if (cairn_ctx_new(&cx) == 0 &&
 *         cairn_ctx_load_config(cx, "cairn.json") == 0 &&
 *         cairn_migrate(cx, NULL) == 0) { ... }
 *     else fprintf(stderr, "%s\n", cairn_ctx_error(cx)->message);
 *     cairn_ctx_free(cx);
 *
 * Conventions: functions return 0 or a negative CAIRN_E* code and put the
 * detail on the context (cairn_ctx_error); out-parameters come first; each
 * returned object has its own _free, and free of NULL is a no-op. A context
 * is used from one thread at a time. A schema file or snapshot of 256 KiB or
 * more has its tables parsed on two threads (joined before the call
 * returns): an application that sets jansson's allocation functions must
 * give thread-safe ones.
 */
#ifndef CAIRN_CAIRN_H
#define CAIRN_CAIRN_H

#include <stddef.h>
#include <stdint.h>

#include <cairn/error.h>
#include <cairn/plan.h>
#include <cairn/schema.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CAIRN_VERSION_MAJOR 0
#define CAIRN_VERSION_MINOR 1
#define CAIRN_VERSION_PATCH 0
#define CAIRN_VERSION_STRING "0.1.0"

/** The library's version at run time ("0.1.0"). */
CAIRN_API const char *cairn_version(void);

typedef struct cairn_ctx cairn_ctx;

/** The detail of the last error on a context. Borrowed: valid until the
 *  next call on the context. Fields that do not apply are NULL / 0. */
typedef struct cairn_error {
    int code;              /* CAIRN_E*, 0 when there was no error */
    const char *message;   /* one line, never a password */
    const char *sqlstate;  /* from the database, or NULL */
    const char *file;      /* file the error is about, or NULL */
    int line, column;      /* 1-based position in `file`, 0 if unknown */
} cairn_error;

/** Log levels of cairn_log_fn. */
typedef enum cairn_log_level {
    CAIRN_LOG_DEBUG = 0, /* --verbose detail */
    CAIRN_LOG_INFO = 1,  /* progress: what was written or applied */
    CAIRN_LOG_WARN = 2   /* destructive changes and other things to read */
} cairn_log_level;

typedef void cairn_log_fn(void *userdata, cairn_log_level level, const char *line);

/** Create a context with the defaults (no config read yet). */
CAIRN_API int cairn_ctx_new(cairn_ctx **out);
CAIRN_API void cairn_ctx_free(cairn_ctx *cx);
CAIRN_API const cairn_error *cairn_ctx_error(const cairn_ctx *cx);
/** Where progress lines go; default: nowhere. */
CAIRN_API void cairn_ctx_set_logger(cairn_ctx *cx, cairn_log_fn *fn, void *userdata);

/* ---- events: the facts of a run, for a program to read ---------------------- */

/** What a cairn_event is about. Kinds are only ever appended. */
typedef enum cairn_event_kind {
    /** A change of a plan: what generate writes (or --check would write),
     *  what push applies, what drift or baseline found different. */
    CAIRN_EVENT_CHANGE = 1,
    /** A statement of a plan: what push runs (or a dry run would), what
     *  generate --check would write, drift's SQL that would undo a hand
     *  change, baseline's differences; a migrate dry run's statements. */
    CAIRN_EVENT_STATEMENT = 2,
    /** Something done to one migration (see `action`). */
    CAIRN_EVENT_MIGRATION = 3,
    /** A problem `cairn_check_migrations` found in the migrations folder,
     *  or a lint finding about the migration `cairn_generate` wrote (with
     *  `code`). */
    CAIRN_EVENT_FINDING = 4,
    /** A file written (pull --output). */
    CAIRN_EVENT_FILE = 5,
    /** Long work under way (a pull reading many tables, a big table being
     *  rebuilt): sent once the work has taken a second, then at most once
     *  a second, and when it ends. `action` says what ("reading tables"),
     *  `object` the object at hand (or NULL), `step` of `steps` (`steps`
     *  0: unknown), `duration_ms` the time taken so far. */
    CAIRN_EVENT_PROGRESS = 6,
    /** A drop the plan left out (cairn_diff_opts.keep_drops, the CLI's
     *  --no-drop or the setting "no_drop"): `change` and `object` as for
     *  CHANGE. Not a change of the plan. */
    CAIRN_EVENT_SKIPPED = 7
} cairn_event_kind;

/** One fact of a run, the structured twin of a log line. Borrowed: valid
 *  during the callback only. Fields that do not apply to the kind are NULL
 *  or 0. Fields are only ever appended. */
typedef struct cairn_event {
    cairn_event_kind kind;
    /** MIGRATION, FINDING (NULL: the folder as a whole), STATEMENT of a
     *  migrate dry run: the migration's folder name. */
    const char *migration;
    /** MIGRATION: what happened to it: "applied", "pending" (a dry run
     *  would apply it), "failed" (stopped; statements_done ran and stay),
     *  "rolled-back" (all-in-one: it ran, then a later one failed),
     *  "compared" (drift: the database was compared with its snapshot),
     *  "baseline", "written" (generate, import), "dropped", "forgotten" (history row
     *  removed: resolve --rolled-back, --forget), "accepted" (resolve
     *  --accept-edit), "settled" (resolve --statement-done / -not-done).
     *  PROGRESS: what is being done ("reading tables"). */
    const char *action;
    /** MIGRATION "written": its folder; FILE: the file. */
    const char *path;
    /** MIGRATION: checksum (sha256 hex) of its migration.sql, when known. */
    const char *checksum;
    /** MIGRATION: when the history row was written (UTC, ISO 8601). */
    const char *applied_at;
    /** MIGRATION: statements run (or recorded) of its total. */
    size_t statements_done, statements_total;
    /** MIGRATION "applied": how long it took. */
    int64_t duration_ms;
    /** CHANGE, SKIPPED: the kind, lower case ("create_table", "drop_column", ...). */
    const char *change;
    /** CHANGE, SKIPPED: the object, qualified ("users", "app.users", "users.email"). */
    const char *object;
    /** CHANGE: running it can lose data. */
    int destructive;
    /** CHANGE: the warning of a destructive change; FINDING: the problem. */
    const char *message;
    /** STATEMENT: the SQL, without a trailing ';'. */
    const char *sql;
    /** FILE written by pull: how many tables and views it holds. */
    size_t tables, views;
    /** PROGRESS: steps done of the total (0: unknown). */
    size_t step, steps;
    /** FINDING of lint's catalogue (docs/lint.md): its code ("CA107"), level
     *  ("error", "warning", "info") and category; NULL for a problem of
     *  cairn_check_migrations. */
    const char *code, *level, *category;
} cairn_event;

typedef void cairn_event_fn(void *userdata, const cairn_event *event);

/** Where events go; default: nowhere. Log lines (cairn_ctx_set_logger) are
 *  written for people; events carry the same facts for programs (the
 *  `cairn --json` output is built from them). */
CAIRN_API void cairn_ctx_set_event_handler(cairn_ctx *cx, cairn_event_fn *fn, void *userdata);

/** Read a config file (cairn.json). `path` NULL: "cairn.json" in the
 *  current directory or the nearest one above it, else nothing. A ".env"
 *  beside the file (or in the current directory when there is none) adds
 *  variables for ${VAR} and DATABASE_URL; the process environment wins.
 *  Settings already made with cairn_ctx_set are kept (flags override the
 *  file). */
CAIRN_API int cairn_ctx_load_config(cairn_ctx *cx, const char *path);

/** Set one setting by name; NULL value unsets. Names:
 *  "dialect", "schema", "out", "url", "dev_url", "migrations_table",
 *  "migrations_schema", "dialect_path", "lock_timeout" (milliseconds),
 *  "tables" (comma-separated globs), "namespaces" (comma-separated),
 *  "lint.ignore", "lint.error" (comma-separated lint codes), "no_drop"
 *  ("true": generate and push leave out every drop, as keep_drops). */
CAIRN_API int cairn_ctx_set(cairn_ctx *cx, const char *key, const char *value);
/** The current value of a setting (after config, flags and DATABASE_URL),
 *  or NULL. Borrowed. */
CAIRN_API const char *cairn_ctx_get(const cairn_ctx *cx, const char *key);

/* ---- dialects ------------------------------------------------------------ */

typedef struct cairn_dialect_info {
    const char *name;
    const char *version;
    unsigned abi_major, abi_minor;
    const char *path;
    uint64_t caps;
    const char *schemes; /* comma-separated */
    /** NULL when the driver loaded; else why not (one line). */
    const char *problem;
} cairn_dialect_info;

/** Every driver found on the search path, loaded or refused. Free with
 *  cairn_dialect_list_free. */
CAIRN_API int cairn_dialects_list(cairn_ctx *cx, cairn_dialect_info **out, size_t *count);
CAIRN_API void cairn_dialect_list_free(cairn_dialect_info *list, size_t count);
/** Names of the capability bits, comma-separated, into `buf`. */
CAIRN_API const char *cairn_caps_string(uint64_t caps, char *buf, size_t size);

/* ---- schema files ---------------------------------------------------------- */

/** Load the desired schema from the configured "schema" (a .json file, a
 *  directory of them, or a .sql file), normalised by the dialect. */
CAIRN_API int cairn_schema_load(cairn_ctx *cx, cairn_schema **out);
/** Serialise a schema as JSON (deterministic, 2-space indent, trailing
 *  newline). Free the text with cairn_free. */
CAIRN_API int cairn_schema_to_json(cairn_ctx *cx, const cairn_schema *s, char **out);
/** Parse JSON text; `name` is used in error messages. */
CAIRN_API int cairn_schema_from_json(cairn_ctx *cx, const char *text, const char *name,
                                     cairn_schema **out);

/* ---- diff ---------------------------------------------------------------- */

typedef struct cairn_diff_opts {
    /** Renames stated on the command line, "old=new" for tables or
     *  "table.old=table.new" for columns. */
    const char *const *renames;
    size_t nrenames;
    /** Leave out the drops: every object of `from` that `to` no longer has
     *  (table, column, primary key, unique, check, foreign key, index,
     *  trigger, view, enum, sequence, namespace, object) is kept, and so is
     *  whatever the plan would change only to remove it. A change that drops
     *  and recreates an object `to` still has is made. The plan's `to` is
     *  then `to` with the kept objects, and its `skipped` lists the drops
     *  left out (the CLI's --no-drop; docs/user-guide.md). */
    int keep_drops;
} cairn_diff_opts;

/** Diff `from` (NULL = empty) to `to` into a plan that borrows both
 *  schemas. Free with cairn_plan_free. */
CAIRN_API int cairn_diff(cairn_ctx *cx, const cairn_schema *from, const cairn_schema *to,
                         const cairn_diff_opts *opts, cairn_plan **out);
CAIRN_API void cairn_plan_free(cairn_plan *p);
/** The SQL of a plan through the configured dialect: statements joined by
 *  "\n--> statement-breakpoint\n". Free with cairn_free. */
CAIRN_API int cairn_plan_sql(cairn_ctx *cx, const cairn_plan *p, char **out);

/* ---- commands -------------------------------------------------------------- */

typedef struct cairn_generate_opts {
    const char *name;    /* slug of the folder; NULL = "migration" */
    int custom;          /* write an empty migration.sql to fill in by hand */
    cairn_diff_opts diff;
} cairn_generate_opts;

/** Diff the newest snapshot in "out" to the desired schema and write a new
 *  migration folder. `*dir_out` gets the folder path (free with cairn_free),
 *  or NULL when there was nothing to do. The newest snapshot is read on a
 *  second thread while the schema file is read, and its tables that the
 *  schema writes to the same bytes are taken from the schema instead of
 *  parsed (joined before this returns): an application that sets jansson's
 *  allocation functions must give thread-safe ones (cairn_fleet's workers
 *  need them too). */
CAIRN_API int cairn_generate(cairn_ctx *cx, const cairn_generate_opts *opts, char **dir_out);
/** Write a migration that runs nothing and joins the folder's branches
 *  (two or more heads: migrations generated from one parent on branches
 *  merged in git). `name` is its slug (NULL = "merge"). CAIRN_EUSAGE when
 *  the folder has one branch. */
CAIRN_API int cairn_merge(cairn_ctx *cx, const char *name, char **dir_out);
/** Fold the migrations up to `to` (by name, one line) into one migration
 *  "<to's stamp>_<slug>" (`slug` NULL = "squashed") whose SQL creates
 *  `to`'s schema and whose snapshot lists the names it "replaces"; later
 *  migrations that started from `to` start from it; the folded folders are
 *  removed. A database that applied them all records it without running
 *  it. CAIRN_EUSAGE, nothing changed, when `to` is no migration, the
 *  migrations up to it branch, a folded folder holds a file cairn did not
 *  write, or the name is taken. `*dir_out`: the new folder (cairn_free). */
CAIRN_API int cairn_squash(cairn_ctx *cx, const char *to, const char *slug, char **dir_out);

typedef struct cairn_migrate_opts {
    int dry_run;          /* print what would run, change nothing */
    int all_in_one;       /* all pending migrations in one transaction */
    /** Continue a migration that stopped part-way (PARTIAL, on a dialect
     *  without transactional DDL) from its first statement that did not
     *  run, once the database has been fixed by hand. */
    int resume;
} cairn_migrate_opts;

/** Apply every pending migration of "out" to "url", each in its own
 *  transaction, holding the migration lock for the whole run. A MIGRATION
 *  event tells each one's outcome (see cairn_event). */
CAIRN_API int cairn_migrate(cairn_ctx *cx, const cairn_migrate_opts *opts);
/** cairn_migrate, stopping at migration `to` (its folder name): the
 *  pending migrations up to it, in the order cairn_migrate applies them,
 *  and none after it, which stay pending (the inverse of rollback's `to`).
 *  `to` may already be applied (then only earlier pending ones run, if
 *  any); NULL is cairn_migrate. CAIRN_EUSAGE, nothing changed, when the
 *  folder has no migration `to`. */
CAIRN_API int cairn_migrate_to(cairn_ctx *cx, const cairn_migrate_opts *opts, const char *to);

typedef struct cairn_rollback_opts {
    /** Roll back every migration applied after this one (it stays the
     *  newest applied); NULL: use `steps`. */
    const char *to;
    /** How many applied migrations to roll back, newest first; 0 (with
     *  `to` NULL) means 1. Not with `to`. */
    int steps;
    int dry_run; /* print the down scripts that would run, change nothing */
    /** Finish a rollback that stopped part-way (PARTIAL, on a dialect
     *  without transactional DDL) from its first statement that did not
     *  run; not with `to` or `steps`. */
    int resume;
} cairn_rollback_opts;

/** Undo applied migrations with their down.sql, newest first, each in its
 *  own transaction where the dialect has transactional DDL, holding the
 *  migration lock; each one's history row is removed, so the next migrate
 *  applies it again. Refused (nothing changed) when a migration to roll
 *  back has no down.sql (CAIRN_EINTEGRITY), its down.sql was edited after
 *  generate wrote it (CAIRN_EINTEGRITY, from "down_checksum" in its
 *  snapshot.json), or the options do not name applied migrations
 *  (CAIRN_EUSAGE). */
CAIRN_API int cairn_rollback(cairn_ctx *cx, const cairn_rollback_opts *opts);

typedef enum cairn_mstate {
    CAIRN_MIGRATION_APPLIED = 0,
    CAIRN_MIGRATION_PENDING = 1,
    CAIRN_MIGRATION_MODIFIED = 2, /* applied, but its file changed since */
    CAIRN_MIGRATION_MISSING = 3,  /* applied, but its folder is gone */
    CAIRN_MIGRATION_PARTIAL = 4,  /* stopped part-way, needs resolve */
    CAIRN_MIGRATION_BASELINE = 5, /* recorded as applied without running (cairn baseline) */
    CAIRN_MIGRATION_SQUASHED = 6  /* applied, its folder folded into a squash migration */
} cairn_mstate;

typedef struct cairn_status_row {
    const char *name;
    cairn_mstate state;
    const char *applied_at; /* NULL unless applied */
} cairn_status_row;

/** Settle a migration that stopped part-way (PARTIAL) after the database
 *  was fixed by hand: `applied` non-zero records it as fully applied;
 *  zero removes its history row (rolled back by hand), so the next
 *  migrate applies it from its first statement. */
CAIRN_API int cairn_resolve(cairn_ctx *cx, const char *name, int applied);
/** Settle the statement of a PARTIAL migration whose outcome is unknown
 *  (the client died while it ran outside a transaction): `ran` non-zero
 *  records that it ran, zero that it did not; `migrate --resume` then
 *  continues after it, or runs it. CAIRN_EUSAGE when no statement's outcome
 *  is unknown. */
CAIRN_API int cairn_resolve_statement(cairn_ctx *cx, const char *name, int ran);

typedef enum cairn_repair_how {
    /** An applied migration whose migration.sql was edited since (a
     *  comment fixed): record the file's new checksum, run nothing. */
    CAIRN_REPAIR_ACCEPT_EDIT = 1,
    /** An applied migration whose folder is gone: remove its history row,
     *  change nothing in the database. */
    CAIRN_REPAIR_FORGET = 2
} cairn_repair_how;

/** Repair the history of a fully applied migration (status MODIFIED or
 *  MISSING) under the migration lock. CAIRN_EUSAGE when it does not apply. */
CAIRN_API int cairn_repair(cairn_ctx *cx, const char *name, cairn_repair_how how);

CAIRN_API int cairn_status(cairn_ctx *cx, cairn_status_row **rows, size_t *count);
CAIRN_API void cairn_status_free(cairn_status_row *rows, size_t count);

/* ---- fleets: one migrations folder, many databases ----------------------- */

/** What a fleet run does on each target. */
typedef enum cairn_fleet_op {
    CAIRN_FLEET_MIGRATE = 1, /* cairn_migrate with `migrate` */
    CAIRN_FLEET_STATUS = 2,  /* read the history only */
    CAIRN_FLEET_ROLLBACK = 3,/* cairn_rollback with `rollback` */
    CAIRN_FLEET_DRIFT = 4,   /* cairn_drift */
    CAIRN_FLEET_BASELINE = 5 /* cairn_baseline(`baseline_name`, `force`) */
} cairn_fleet_op;

typedef struct cairn_fleet_opts {
    cairn_fleet_op op;
    /** A JSON file with "targets" (cairn.json itself will do), or NULL for
     *  the loaded config file's "targets". */
    const char *targets_file;
    /** Or: a control database and a query returning name, url (and
     *  optionally tags, comma-separated, and namespace) per row. */
    const char *targets_url, *targets_query;
    /** Only targets with this tag (NULL: all). */
    const char *tag;
    /** Targets run at once (0 or 1: one after the other). */
    int parallel;
    /** Run this many targets first; if any fails, start no other. */
    int canary;
    /** Keep starting targets after one failed (default: start no more). */
    int continue_on_error;
    cairn_migrate_opts migrate;
    cairn_rollback_opts rollback;
    const char *baseline_name;
    int force;
    /** Seconds a connection to a target may take (0: the client's
     *  default): added to each network url as its "connect_timeout"
     *  parameter, which the PostgreSQL and MySQL drivers read. */
    int connect_timeout;
} cairn_fleet_opts;

/** The outcome of one target. Strings are owned by the result list. */
typedef struct cairn_target_result {
    const char *name;
    const char *url;       /* password replaced by *** */
    /** "up-to-date", "migrated", "behind" (status: pending migrations),
     *  "rolled-back", "drifted", "baselined", "failed", "unreachable",
     *  "skipped" (not started: an earlier failure or a failed canary). */
    const char *state;
    const char *from, *to; /* newest applied migration before / after (NULL: none) */
    size_t applied;        /* migrations applied (or rolled back) by this run */
    size_t pending;        /* pending after the run */
    size_t statements;     /* statements run */
    int64_t duration_ms;
    int code;              /* 0 or the CAIRN_E* of its failure */
    const char *message;   /* its one-line error, or NULL */
    /** The migrations not cleanly applied on the target after the run
     *  (pending, modified, missing, partial), in cairn_status's order: what
     *  `status --targets` draws as its matrix. */
    const cairn_status_row *unapplied;
    size_t nunapplied;
} cairn_target_result;

/** Run `op` on every selected target, up to `parallel` at once, each with
 *  its own connection, lock and history exactly as the single command;
 *  the migrations folder is read and checked once. One INFO log line per
 *  target as it ends. Returns 0 when every target ended as asked (up to
 *  date, for migrate), CAIRN_EFLEET when some failed or were skipped, or
 *  the error that stopped the run before any target (targets file, the
 *  folder). Free the results with cairn_fleet_free. */
CAIRN_API int cairn_fleet(cairn_ctx *cx, const cairn_fleet_opts *opts,
                          cairn_target_result **results, size_t *count);
/** cairn_fleet of CAIRN_FLEET_MIGRATE stopping at migration `to` on every
 *  target (cairn_migrate_to): a target is "migrated" when it had pending
 *  migrations up to `to`, else "up-to-date"; `pending` in its result still
 *  counts the later ones. CAIRN_EUSAGE, before any target is touched, when
 *  the folder has no `to` or the op is another. NULL: cairn_fleet. */
CAIRN_API int cairn_fleet_to(cairn_ctx *cx, const cairn_fleet_opts *opts, const char *to,
                             cairn_target_result **results, size_t *count);
CAIRN_API void cairn_fleet_free(cairn_target_result *results, size_t count);

/** Check the migrations folder: each migration parses, snapshots chain,
 *  no two migrations share a parent. Problems are logged as WARN lines
 *  and given as FINDING events; returns CAIRN_EINTEGRITY if there was any. */
CAIRN_API int cairn_check_migrations(cairn_ctx *cx);

/** Read the live database's schema ("url", honouring "tables" and
 *  "namespaces"), as pull does. Free with cairn_schema_free. */
CAIRN_API int cairn_introspect(cairn_ctx *cx, cairn_schema **out);

/** Introspect "url" and write it to `output` (.json or .sql by extension),
 *  atomically; an existing file is refused (CAIRN_EUSAGE) unless `force`.
 *  `output` NULL writes the JSON to standard output. */
CAIRN_API int cairn_pull(cairn_ctx *cx, const char *output, int force);

typedef struct cairn_push_opts {
    int dry_run;
    int force; /* allow destructive changes */
    cairn_diff_opts diff;
} cairn_push_opts;

/** Diff the live database to the desired schema and apply it directly. */
CAIRN_API int cairn_push(cairn_ctx *cx, const cairn_push_opts *opts);

/** Adopt a database that already has the schema: record the migrations
 *  of the folder up to `name` (NULL: all) as applied (state baseline)
 *  without running them, after checking that the live database equals
 *  that migration's snapshot (CAIRN_EINTEGRITY, nothing recorded, when it
 *  does not; `force` records anyway). Holds the migration lock. */
CAIRN_API int cairn_baseline(cairn_ctx *cx, const char *name, int force);

/** Compare the live database with the snapshot of the newest migration
 *  its history says is applied (an empty schema when none is): 0 when they
 *  match; CAIRN_EPENDING when the database was changed outside the
 *  migrations (the SQL that would undo it is logged, and given as CHANGE
 *  and STATEMENT events). Changes nothing. */
CAIRN_API int cairn_drift(cairn_ctx *cx);

/* ---- lint ------------------------------------------------------------------ */

/** Severity of a lint finding. */
typedef enum cairn_lint_level {
    CAIRN_LINT_INFO = 0,    /* for the record: nothing to fix */
    CAIRN_LINT_WARNING = 1, /* read it; does not fail `cairn lint` */
    CAIRN_LINT_ERROR = 2    /* `cairn lint` fails (CAIRN_ELINT) */
} cairn_lint_level;

/** One finding about one migration; the catalogue of codes is
 *  docs/lint.md. Strings are owned by the list (cairn_lint_free). */
typedef struct cairn_lint_finding {
    const char *code;      /* stable: "CA101" */
    cairn_lint_level level;/* after the project's "lint.ignore" / "lint.error" */
    const char *category;  /* "destructive", "data", "locking", "rename", "custom" */
    const char *migration; /* the migration's folder name */
    const char *message;   /* one line: "drop column users.email" */
} cairn_lint_finding;

typedef struct cairn_lint_opts {
    /** Migrations to lint by folder name; none = the pending ones when a url
     *  is configured, else the newest migration. */
    const char *const *names;
    size_t nnames;
} cairn_lint_opts;

/** Classify the changes of migrations (each one's snapshot diffed from its
 *  parent's) into findings: destructive changes, data that would make them
 *  fail (row counts from the configured database, when there is one), the
 *  dialect's locking hazards, likely renames. A hand-written migration gets
 *  one info finding saying it was not analysed. Findings in "lint.ignore"
 *  are left out; those in "lint.error" are errors. Returns 0 with the list
 *  (free with cairn_lint_free), whatever the levels: the caller decides. */
CAIRN_API int cairn_lint(cairn_ctx *cx, const cairn_lint_opts *opts,
                         cairn_lint_finding **out, size_t *count);
CAIRN_API void cairn_lint_free(cairn_lint_finding *list, size_t count);
/** "info", "warning", "error". */
CAIRN_API const char *cairn_lint_level_name(cairn_lint_level level);

/** Read and check the configured schema without writing anything: the
 *  checks of cairn_schema_load, then types the dialect does not know (with
 *  the nearest known name), and foreign keys whose columns' types differ
 *  from the columns they reference. 0 when the schema is valid; else the
 *  first problem with its file:line:column (CAIRN_ESCHEMA). */
CAIRN_API int cairn_validate(cairn_ctx *cx);

typedef struct cairn_import_opts {
    /** The folder was imported already: only record the other tool's
     *  history of the configured database (each database the old tool
     *  migrated is imported once this way). */
    int history_only;
    /** Convert the folder only, even when a url is configured. */
    int no_history;
    /** The tool's history table when the project renamed it, "table" or
     *  "namespace.table" (drizzle's migrationsTable / migrationsSchema,
     *  Flyway's flyway.table / flyway.defaultSchema, golang-migrate's
     *  x-migrations-table, dbmate's --migrations-table); NULL: the tool's
     *  default. Letters, digits, '_' and '$' only (CAIRN_EUSAGE else);
     *  not for prisma, whose table cannot be renamed. */
    const char *history_table;
} cairn_import_opts;

/** Convert another tool's migrations folder `dir` into "out" (which must
 *  be missing or hold no cairn migration): `tool` is "drizzle", "prisma",
 *  "flyway", "golang-migrate" or "dbmate". The SQL is kept byte for byte;
 *  each snapshot is read back from the scratch database (or dev_url) after
 *  replaying the migrations up to it. With a url configured, the tool's
 *  history table there is read and the migrations it applied are recorded
 *  in cairn's history (state baseline); one it recorded as failed or dirty
 *  is reported (a WARN line), not recorded. ECONFIG when `dir` is not a
 *  migrations folder of that tool; nothing is written on any failure. */
CAIRN_API int cairn_import(cairn_ctx *cx, const char *tool, const char *dir,
                           const cairn_import_opts *opts);

/** The SQL that creates the desired schema from nothing. cairn_free it. */
CAIRN_API int cairn_export(cairn_ctx *cx, char **sql_out);

/* ---- diagrams ------------------------------------------------------------- */

/** What cairn_diagram writes. */
typedef enum cairn_diagram_format {
    CAIRN_DIAGRAM_DOT = 0,     /* Graphviz DOT text (no library needed) */
    CAIRN_DIAGRAM_MERMAID = 1, /* a Mermaid erDiagram (no library needed) */
    CAIRN_DIAGRAM_SVG = 2,     /* laid out by Graphviz: needs the diagram module */
    CAIRN_DIAGRAM_HTML = 3     /* one self-contained page: needs the diagram module */
} cairn_diagram_format;

/** Which columns a table's box shows. */
typedef enum cairn_diagram_columns {
    /** All up to 100 tables, the key columns up to 400, none beyond. */
    CAIRN_DIAGRAM_COLUMNS_AUTO = 0,
    CAIRN_DIAGRAM_COLUMNS_ALL = 1,
    /** Primary, unique and foreign key columns, and columns a foreign key
     *  references. */
    CAIRN_DIAGRAM_COLUMNS_KEYS = 2,
    CAIRN_DIAGRAM_COLUMNS_NONE = 3
} cairn_diagram_columns;

/** Where the schema drawn comes from. */
typedef enum cairn_diagram_source {
    CAIRN_DIAGRAM_SCHEMA_FILE = 0, /* the configured "schema" */
    CAIRN_DIAGRAM_SNAPSHOT = 1,    /* the snapshot of migration `at` in "out" */
    CAIRN_DIAGRAM_DATABASE = 2     /* the live database ("url") */
} cairn_diagram_source;

typedef struct cairn_diagram_opts {
    cairn_diagram_format format;
    cairn_diagram_columns columns;
    cairn_diagram_source source;
    /** CAIRN_DIAGRAM_SNAPSHOT: the migration's folder name. */
    const char *at;
    /** The file to write (atomically: never a partial file), or NULL to
     *  return the text in `*out`. */
    const char *output;
} cairn_diagram_opts;

/** Draw the schema: tables with their columns and keys, foreign keys as
 *  edges, views, enums, namespaces as clusters; only the tables and views
 *  the "tables" and "namespaces" settings select (each glob and namespace
 *  must select something: CAIRN_EUSAGE). HTML adds each table's details
 *  and, when the migrations folder exists, the migrations with their SQL
 *  (and their state, for CAIRN_DIAGRAM_DATABASE). SVG and HTML need the
 *  Graphviz module (<libdir>/cairn/render/graphviz.so): CAIRN_EUNSUPPORTED
 *  when it is not installed; Graphviz keeps global state, so two threads
 *  must not render SVG or HTML at once. `*out` (cairn_free) gets the text
 *  when opts->output is NULL, else NULL; `out` may be NULL with an output. */
CAIRN_API int cairn_diagram(cairn_ctx *cx, const cairn_diagram_opts *opts, char **out);

/** Remove the newest migration folder, if it is not applied (when a url is
 *  configured) — `*name_out` gets its name (cairn_free). */
CAIRN_API int cairn_drop(cairn_ctx *cx, char **name_out);

/** Free memory returned by cairn (strings). */
CAIRN_API void cairn_free(void *p);
/** `text` with the password of any URL in it ("scheme://user:PASSWORD@host")
 *  and any "password=..." replaced by "***", for printing text that may be
 *  a URL the user typed. Free with cairn_free; NULL on out of memory. */
CAIRN_API char *cairn_url_redacted(const char *text);

#ifdef __cplusplus
}
#endif
#endif
