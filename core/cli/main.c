/*
 * cairn — the command-line front end.
 *
 * A client of the public API only (it links the shared libcairn): parse the
 * command line, put the flags on a context, read cairn.json, run one command,
 * map its result to an exit status. Never reads standard input: cairn runs
 * unattended in CI and deploy scripts, so every decision (a rename, a
 * destructive change) is stated with a flag or in the schema file.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairn/cairn.h>
#include <cairn/sys/dialect.h>

#include "json_arena.h"

/* ---- exit statuses: the one mapping from error codes (docs/exit-codes.md) -- */

enum {
    EXIT_OK = 0,
    EXIT_INTERNAL = 1,
    EXIT_USAGE = 2,
    EXIT_CONFIG = 3,
    EXIT_SCHEMA = 4,
    EXIT_DIALECT = 5,
    EXIT_DATABASE = 6,
    EXIT_INTEGRITY = 7,
    EXIT_LOCKED = 8,
    EXIT_DESTRUCTIVE = 9,
    EXIT_PARTIAL = 10,
    EXIT_IO = 11,
    EXIT_PENDING = 12,
    EXIT_LINT = 13,
    EXIT_FLEET = 14
};

static const struct {
    int code;
    int status;
} exit_map[] = {
    {CAIRN_OK, EXIT_OK},
    {CAIRN_EGENERIC, EXIT_INTERNAL},
    {CAIRN_ENOMEM, EXIT_INTERNAL},
    {CAIRN_EUSAGE, EXIT_USAGE},
    {CAIRN_ECONFIG, EXIT_CONFIG},
    {CAIRN_ESCHEMA, EXIT_SCHEMA},
    {CAIRN_EDIALECT, EXIT_DIALECT},
    {CAIRN_EABI, EXIT_DIALECT},
    {CAIRN_EUNSUPPORTED, EXIT_DIALECT},
    {CAIRN_EDB, EXIT_DATABASE},
    {CAIRN_EINTEGRITY, EXIT_INTEGRITY},
    {CAIRN_ELOCKED, EXIT_LOCKED},
    {CAIRN_EDESTRUCTIVE, EXIT_DESTRUCTIVE},
    {CAIRN_EPARTIAL, EXIT_PARTIAL},
    {CAIRN_EIO, EXIT_IO},
    {CAIRN_EPENDING, EXIT_PENDING},
    {CAIRN_ELINT, EXIT_LINT},
    {CAIRN_EFLEET, EXIT_FLEET},
};

static int exit_status(int code)
{
    for (size_t i = 0; i < sizeof exit_map / sizeof *exit_map; i++)
        if (exit_map[i].code == code)
            return exit_map[i].status;
    return EXIT_INTERNAL;
}

/* ---- output ----------------------------------------------------------------- */

/* Colour: error and warning labels on standard error, status words on
 * standard output, each only where that stream is a terminal (--color=auto,
 * the default) and NO_COLOR is unset and TERM is not dumb. */
enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };
static int color_out, color_err;
#define RED "\033[1;31m"
#define YELLOW "\033[33m"
#define GREEN "\033[32m"
#define PLAIN "\033[0m"

static int color_on(int fd, int when)
{
    if (when != COLOR_AUTO)
        return when == COLOR_ALWAYS;
    const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
    return isatty(fd) && !(no && *no) && term && *term && strcmp(term, "dumb") != 0;
}

/* `text` in `color` on a stream that takes colour. */
static void put_colored(FILE *f, int on, const char *color, const char *text)
{
    if (on)
        fprintf(f, "%s%s%s", color, text, PLAIN);
    else
        fputs(text, f);
}

/* --json: standard output holds one JSON document and nothing else, so
 * progress lines go to standard error.
 *
 * How a command opts in: CMD_JSON in its table entry, and its run function,
 * when c->json, writes its members (", \"key\": value") to `jout` with
 * json_str() and the section printers below, which print the facts the
 * library reported as events during the run (json_changes, json_statements,
 * json_migrations, json_findings). Write them whether or not the run
 * failed: what was found before a failure (drift's changes, the migration
 * that stopped) is part of the answer. main then prints one document:
 *   {"format_version": 1, "command": NAME, <members>, "error": {...}}
 * with "error" only when the exit status is not 0. */
static int json_mode;
/* the document is printed: nothing more goes to standard output */
static int json_printed;
/* the members the command wrote, and the command (NULL before it ran) */
static FILE *jout;
static char *jbody;
static size_t jbody_len;
static const char *json_command;

/* The length of the valid UTF-8 sequence at `p` (a byte >= 0x80), or 0. */
static int utf8_len(const unsigned char *p)
{
    int n = *p >= 0xf0 && *p <= 0xf4 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 && *p < 0xe0 ? 2 : 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    /* no overlong forms, surrogates or code points past U+10FFFF */
    if ((n == 3 && ((*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] >= 0xa0))) ||
        (n == 4 && ((*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] >= 0x90))))
        return 0;
    return n;
}

/* `s` as a JSON string, quotes included: the one escaper of the front end.
 * A byte that is not UTF-8 (a file name, a server's message in another
 * encoding) becomes U+FFFD, so the document always parses. */
static void json_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int n;
        if (*p == '"' || *p == '\\') {
            fprintf(f, "\\%c", *p);
        } else if (*p == '\n') {
            fputs("\\n", f);
        } else if (*p < 0x20) {
            fprintf(f, "\\u%04x", *p);
        } else if (*p < 0x80) {
            fputc(*p, f);
        } else if ((n = utf8_len(p)) > 0) {
            fwrite(p, 1, (size_t)n, f);
            p += n - 1;
        } else {
            fputs("\\ufffd", f);
        }
    }
    fputc('"', f);
}

/* ", "key": " — a member's start. */
static void json_key(FILE *f, const char *key)
{
    fprintf(f, ", \"%s\": ", key);
}

/* The library's events of this run, copied (they are borrowed); an event
 * lost for want of memory fails the run rather than print half the facts. */
static cairn_event *events;
static size_t nevents;
static int events_lost;

static char *dup_or_null(const char *s, int *oom)
{
    char *d = s ? strdup(s) : NULL;
    *oom |= s && !d;
    return d;
}

static void free_event(cairn_event *e)
{
    free((char *)e->migration);
    free((char *)e->action);
    free((char *)e->path);
    free((char *)e->checksum);
    free((char *)e->applied_at);
    free((char *)e->change);
    free((char *)e->object);
    free((char *)e->message);
    free((char *)e->sql);
    free((char *)e->code);
    free((char *)e->level);
    free((char *)e->category);
}

/* Long work under way, on standard error at once: a line for people, or
 * with --json one JSON object a line (the document on standard output
 * stays one document).
 *   [1200/5000] reading tables: t1199 (3.2 s)
 *   copying rows to rebuild a table: users, done (5.7 s)
 *   {"progress": {"what": "reading tables", "object": "t1199", "done": 1200,
 *                 "total": 5000, "elapsed_ms": 3210}} */
static void progress_line(const cairn_event *e)
{
    if (json_mode) {
        fputs("{\"progress\": {\"what\": ", stderr);
        json_str(stderr, e->action);
        json_key(stderr, "object");
        json_str(stderr, e->object);
        fprintf(stderr, ", \"done\": %zu, \"total\": %zu, \"elapsed_ms\": %lld}}\n", e->step,
                e->steps, (long long)e->duration_ms);
    } else {
        /* work of unknown length ends as step 1 of 1 */
        int one = e->steps == 1 && e->step == 1;
        if (e->steps && !one)
            fprintf(stderr, "[%zu/%zu] ", e->step, e->steps);
        fprintf(stderr, "%s%s%s%s (%.1f s)\n", e->action ? e->action : "", e->object ? ": " : "",
                e->object ? e->object : "", one ? ", done" : "", (double)e->duration_ms / 1000.0);
    }
    fflush(stderr);
}

/* Progress lines are wanted: --progress, --verbose, or standard error is a
 * terminal. */
static int show_progress;

static void on_event(void *ud, const cairn_event *ev)
{
    (void)ud;
    if (ev->kind == CAIRN_EVENT_PROGRESS) {
        if (show_progress)
            progress_line(ev);
        return;
    }
    if (!json_mode)
        return;
    cairn_event *nv = realloc(events, (nevents + 1) * sizeof *nv);
    if (!nv) {
        events_lost = 1;
        return;
    }
    events = nv;
    cairn_event e = *ev;
    int oom = 0;
    e.migration = dup_or_null(ev->migration, &oom);
    e.action = dup_or_null(ev->action, &oom);
    e.path = dup_or_null(ev->path, &oom);
    e.checksum = dup_or_null(ev->checksum, &oom);
    e.applied_at = dup_or_null(ev->applied_at, &oom);
    e.change = dup_or_null(ev->change, &oom);
    e.object = dup_or_null(ev->object, &oom);
    e.message = dup_or_null(ev->message, &oom);
    e.code = dup_or_null(ev->code, &oom);
    e.level = dup_or_null(ev->level, &oom);
    e.category = dup_or_null(ev->category, &oom);
    e.sql = dup_or_null(ev->sql, &oom);
    events_lost |= oom;
    if (oom)
        free_event(&e);
    else
        events[nevents++] = e;
}

/* The SQL statements of `migration` (NULL: those of no migration) as a
 * JSON array, one a line, at `depth` (1: a member of the document). */
static void json_sql_list(FILE *f, const char *migration, int depth)
{
    int k = 0;
    fputc('[', f);
    for (size_t i = 0; i < nevents; i++) {
        const cairn_event *e = &events[i];
        if (e->kind != CAIRN_EVENT_STATEMENT ||
            (migration ? !e->migration || strcmp(e->migration, migration) : e->migration != NULL))
            continue;
        fprintf(f, "%s\n%*s", k++ ? "," : "", 2 * depth, "");
        json_str(f, e->sql);
    }
    if (k)
        fprintf(f, "\n%*s", 2 * depth - 2, "");
    fputc(']', f);
}

/* "statements": the SQL shown (a dry run, a --check, drift). */
static void json_statements(FILE *f)
{
    json_key(f, "statements");
    json_sql_list(f, NULL, 1);
}

typedef void json_item_fn(FILE *f, const cairn_event *e);

/* "key": an array of one object per event of `kind`, one a line. */
static void json_events(FILE *f, const char *key, cairn_event_kind kind, json_item_fn *item)
{
    json_key(f, key);
    int k = 0;
    fputc('[', f);
    for (size_t i = 0; i < nevents; i++) {
        if (events[i].kind != kind)
            continue;
        fputs(k++ ? ",\n  {" : "\n  {", f);
        item(f, &events[i]);
        fputc('}', f);
    }
    fputs(k ? "\n]" : "]", f);
}

/* A change's kind and object; all a drop --no-drop left out ("skipped") has. */
static void skipped_item(FILE *f, const cairn_event *e)
{
    fputs("\"kind\": ", f);
    json_str(f, e->change);
    json_key(f, "object");
    json_str(f, e->object);
}

static void change_item(FILE *f, const cairn_event *e)
{
    skipped_item(f, e);
    fprintf(f, ", \"destructive\": %s", e->destructive ? "true" : "false");
    json_key(f, "warning");
    json_str(f, e->message);
}

static void migration_item(FILE *f, const cairn_event *e)
{
    fputs("\"name\": ", f);
    json_str(f, e->migration);
    json_key(f, "state");
    json_str(f, e->action);
    json_key(f, "checksum");
    json_str(f, e->checksum);
    json_key(f, "applied_at");
    json_str(f, e->applied_at);
    fprintf(f, ", \"duration_ms\": %lld, \"statements_done\": %zu, \"statements_total\": %zu",
            (long long)e->duration_ms, e->statements_done, e->statements_total);
    if (e->path) {
        json_key(f, "path");
        json_str(f, e->path);
    }
    if (e->action && strcmp(e->action, "pending") == 0) {
        json_key(f, "statements");
        json_sql_list(f, e->migration, 2);
    }
}

static void finding_item(FILE *f, const cairn_event *e)
{
    if (e->code) { /* a lint finding: as `cairn lint --json` prints it */
        fputs("\"code\": ", f);
        json_str(f, e->code);
        json_key(f, "level");
        json_str(f, e->level);
        json_key(f, "category");
        json_str(f, e->category);
        fputs(", ", f);
    }
    fputs("\"migration\": ", f);
    json_str(f, e->migration);
    json_key(f, "message");
    json_str(f, e->message);
}

/* "changes": the plan's changes the run reported. */
static void json_changes(FILE *f)
{
    json_events(f, "changes", CAIRN_EVENT_CHANGE, change_item);
}

/* "migrations": what the run did to each migration, in order. */
static void json_migrations(FILE *f)
{
    json_events(f, "migrations", CAIRN_EVENT_MIGRATION, migration_item);
}

/* "skipped": the drops --no-drop left out (kind and object, as "changes"). */
static void json_skipped(FILE *f)
{
    json_events(f, "skipped", CAIRN_EVENT_SKIPPED, skipped_item);
}

/* "findings": the problems check found, or lint's about what generate wrote. */
static void json_findings(FILE *f)
{
    json_events(f, "findings", CAIRN_EVENT_FINDING, finding_item);
}

/* The first event of `kind` (NULL: none). */
static const cairn_event *first_event(cairn_event_kind kind)
{
    for (size_t i = 0; i < nevents; i++)
        if (events[i].kind == kind)
            return &events[i];
    return NULL;
}

static void log_line(void *ud, cairn_log_level level, const char *line)
{
    (void)ud;
    FILE *f = level == CAIRN_LOG_INFO && !json_mode ? stdout : stderr;
    if (level == CAIRN_LOG_WARN) {
        put_colored(f, f == stderr ? color_err : color_out, YELLOW, "warning:");
        fputc(' ', f);
    } else if (level == CAIRN_LOG_DEBUG) {
        fputs("debug: ", f);
    }
    fputs(line, f);
    fputc('\n', f);
    fflush(f);
}

static const char *const exit_kinds[] = {"ok",     "internal",  "usage",   "config", "schema",
                                         "dialect", "database", "integrity", "locked", "destructive",
                                         "partial", "io",       "pending", "lint",   "fleet"};

/* With --json, the one document on standard output: the command's members
 * (when it ran) and the error (when `status` is not 0). */
static void json_document(int status, const char *text, const char *sqlstate)
{
    if (!json_mode || json_printed)
        return;
    json_printed = 1;
    fputs("{\"format_version\": 1", stdout);
    if (json_command) {
        json_key(stdout, "command");
        json_str(stdout, json_command);
        if (jout && fflush(jout) == 0 && jbody)
            fwrite(jbody, 1, jbody_len, stdout);
    }
    if (status) {
        fprintf(stdout, ", \"error\": {\"exit_code\": %d, \"kind\": ", status);
        json_str(stdout, (size_t)status < sizeof exit_kinds / sizeof *exit_kinds
                            ? exit_kinds[status]
                            : "internal");
        json_key(stdout, "message");
        json_str(stdout, text);
        json_key(stdout, "sqlstate");
        json_str(stdout, sqlstate && *sqlstate ? sqlstate : NULL);
        fputc('}', stdout);
    }
    fputs("}\n", stdout);
}

/* The one error line of a failed run (and with --json, the document on
 * standard output, holding the error). */
static int fail_with(int code, const char *message, const char *sqlstate)
{
    int status = exit_status(code);
    const char *text = message && *message ? message : "unexpected failure";
    fflush(stdout);
    fputs("cairn: ", stderr);
    put_colored(stderr, color_err, RED, "error:");
    fputc(' ', stderr);
    fputs(text, stderr);
    if (sqlstate && *sqlstate)
        fprintf(stderr, " [SQLSTATE %s]", sqlstate);
    fputc('\n', stderr);
    json_document(status, text, sqlstate);
    return status;
}

/* A failure found by the front end itself (status --check), not the library. */
static char front_message[512];

static int fail(cairn_ctx *cx, int code)
{
    const cairn_error *e = cairn_ctx_error(cx);
    if (code == CAIRN_ENOMEM)
        return fail_with(code, "out of memory", NULL);
    if (!e->code && front_message[0])
        return fail_with(code, front_message, NULL);
    return fail_with(code, e->code ? e->message : NULL, e->code ? e->sqlstate : NULL);
}

static int usage_error(const char *what, const char *arg, const char *command)
{
    char msg[512];
    /* an argument may be a URL typed in the wrong place: no password shown */
    char *safe = cairn_url_redacted(arg);
    const char *shown = safe ? safe : "";
    if (command)
        snprintf(msg, sizeof msg, "%s '%s' (see 'cairn %s --help')", what, shown, command);
    else
        snprintf(msg, sizeof msg, "%s '%s' (see 'cairn --help')", what, shown);
    cairn_free(safe);
    return fail_with(CAIRN_EUSAGE, msg, NULL);
}

/* ---- command line ----------------------------------------------------------- */

/* What an option's value is, for the completion scripts. */
typedef enum value_kind {
    VALUE_TEXT = 0, /* anything: nothing to offer */
    VALUE_FILE,
    VALUE_DIR,
    VALUE_DIALECT, /* a driver name, from `cairn dialects` */
    VALUE_COLOR,   /* auto, always, never */
    VALUE_FORMAT,  /* diagram: dot, mermaid, svg, html */
    VALUE_COLUMNS  /* diagram: all, keys, none */
} value_kind;

/* Global options: --help and the completion scripts are made from this
 * table, and an option with a `setting` becomes that setting of the
 * context. */
static const struct {
    const char *flag;
    const char *alias;   /* a short form, or NULL */
    const char *metavar; /* its value's name; NULL: it takes no value */
    value_kind kind;
    const char *setting;
    const char *help;
} global_options[] = {
    {"--config", NULL, "FILE", VALUE_FILE, NULL, "config file (default: ./cairn.json if present)"},
    {"--dialect", NULL, "NAME", VALUE_DIALECT, "dialect", "sqlite, postgresql, mysql, ..."},
    {"--url", NULL, "URL", VALUE_TEXT, "url", "database URL (default: $DATABASE_URL)"},
    {"--schema", NULL, "PATH", VALUE_FILE, "schema", "schema file (.json, .sql) or directory"},
    {"--out", NULL, "DIR", VALUE_DIR, "out", "migrations folder (default: migrations)"},
    {"--dialect-path", NULL, "DIRS", VALUE_DIR, "dialect_path",
     "colon-separated driver directories, searched first"},
    {"--migrations-table", NULL, "NAME", VALUE_TEXT, "migrations_table",
     "history table (default: __cairn_migrations)"},
    {"--migrations-schema", NULL, "NAME", VALUE_TEXT, "migrations_schema",
     "namespace of the history table"},
    {"--lock-timeout", NULL, "MS", VALUE_TEXT, "lock_timeout",
     "wait this long for the migration lock"},
    {"--lock-strategy", NULL, "HOW", VALUE_TEXT, "lock_strategy",
     "advisory (default) or lease: a row with an expiry (docs/fleets.md)"},
    {"--lock-lease", NULL, "MS", VALUE_TEXT, "lock_lease",
     "how long a lease lasts unless renewed (default 30000)"},
    {"--tables", NULL, "GLOBS", VALUE_TEXT, "tables", "comma-separated table patterns to manage"},
    {"--namespaces", NULL, "LIST", VALUE_TEXT, "namespaces",
     "comma-separated namespaces to manage"},
    {"--verbose", "-v", NULL, VALUE_TEXT, NULL, "show debug lines (on standard error)"},
    {"--progress", NULL, NULL, VALUE_TEXT, NULL,
     "progress lines for long work on standard error (default: on a terminal, or with --verbose)"},
    {"--json", NULL, NULL, VALUE_TEXT, NULL, "the result as one JSON document on standard output"},
    {"--color", NULL, "WHEN", VALUE_COLOR, NULL,
     "colour: auto (on a terminal, unless NO_COLOR), always, never"},
    {"--help", "-h", NULL, VALUE_TEXT, NULL, "this help; 'cairn <command> --help' for a command"},
    {"--version", NULL, NULL, VALUE_TEXT, NULL, "print the version"},
};
#define NGLOBAL (sizeof global_options / sizeof *global_options)

typedef struct cli {
    const char *config;
    const char *settings[NGLOBAL];
    int verbose, help, version, progress;
    const struct command *cmd;
    /* command options */
    const char *name, *output, *to, *steps, *history_table;
    const char *format, *columns, *at; /* diagram */
    const char *argument, *argument2;
    const char **args; /* OPT_ARGUMENTS: every positional argument */
    size_t nargs;
    int custom, dry_run, all_in_one, force, resume, applied, rolled_back, stmt_done, stmt_not_done;
    int accept_edit, forget, json, history_only, no_history;
    int check, no_drop;
    const char **renames;
    size_t nrenames;
    /* fleets (--targets ...) */
    const char *targets, *targets_url, *targets_query, *tag;
    int parallel, canary, continue_on_error, connect_timeout;
} cli;

/* Command options: which command accepts which, and whether it takes a value. */
enum {
    OPT_NAME = 1u << 0,
    OPT_CUSTOM = 1u << 1,
    OPT_RENAME = 1u << 2,
    OPT_DRY_RUN = 1u << 3,
    OPT_ALL_IN_ONE = 1u << 4,
    OPT_OUTPUT = 1u << 5,
    OPT_FORCE = 1u << 6,
    OPT_RESUME = 1u << 7,
    OPT_APPLIED = 1u << 8,
    OPT_ROLLED_BACK = 1u << 9,
    /* the command takes one positional argument (a migration's name) */
    OPT_ARGUMENT = 1u << 10,
    OPT_STMT_DONE = 1u << 11,
    OPT_STMT_NOT_DONE = 1u << 12,
    /* a gate for CI: change nothing, exit 12 when there is work to do */
    OPT_CHECK = 1u << 13,
    OPT_ACCEPT_EDIT = 1u << 14,
    OPT_FORGET = 1u << 15,
    /* the command takes any number of positional arguments (names) */
    OPT_ARGUMENTS = 1u << 16,
    OPT_TO = 1u << 17,
    OPT_STEPS = 1u << 18,
    /* the command takes a second positional argument */
    OPT_ARGUMENT2 = 1u << 19,
    OPT_HISTORY_ONLY = 1u << 20,
    OPT_NO_HISTORY = 1u << 21,
    /* the fleet options (--targets, --parallel, ...): told apart by name */
    OPT_FLEET = 1u << 22,
    OPT_FORMAT = 1u << 23,
    OPT_COLUMNS = 1u << 24,
    OPT_AT = 1u << 25,
    OPT_HISTORY_TABLE = 1u << 26,
    /* not a flag: the command changes a database or the migrations folder
     * (unless --dry-run), so its standard output is a report of work done */
    CMD_CHANGES = 1u << 30,
    /* not a flag: the command makes the project, so no cairn.json is read */
    CMD_NO_CONFIG = 1u << 29,
    /* not a flag: the command can print its result as JSON (--json; see
     * "How a command opts in" above) */
    CMD_JSON = 1u << 28,
    /* not a flag: left out of --help's list (a helper for packagers) */
    CMD_HIDDEN = 1u << 27
};
/* past the enum: 1u << 31 is no int */
#define OPT_NO_DROP (1u << 31)

/* Command options; `help` (one short line) and `kind` feed the completion
 * scripts. */
static const struct {
    const char *flag;
    unsigned bit;
    int takes_value;
    const char *help;
    value_kind kind;
} command_flags[] = {
    {"--name", OPT_NAME, 1, "the migration folder's slug", VALUE_TEXT},
    {"--custom", OPT_CUSTOM, 0, "an empty migration.sql to write by hand", VALUE_TEXT},
    {"--rename", OPT_RENAME, 1, "OLD=NEW: a table or column was renamed", VALUE_TEXT},
    {"--dry-run", OPT_DRY_RUN, 0, "show what would run, change nothing", VALUE_TEXT},
    {"--no-drop", OPT_NO_DROP, 0, "leave out every drop and say what was left out", VALUE_TEXT},
    {"--all-in-one", OPT_ALL_IN_ONE, 0, "all pending migrations in one transaction", VALUE_TEXT},
    {"--output", OPT_OUTPUT, 1, "the file to write", VALUE_FILE},
    {"--force", OPT_FORCE, 0, "go ahead despite the refusal", VALUE_TEXT},
    {"--resume", OPT_RESUME, 0, "continue a migration that stopped part-way", VALUE_TEXT},
    {"--applied", OPT_APPLIED, 0, "the rest was applied by hand", VALUE_TEXT},
    {"--rolled-back", OPT_ROLLED_BACK, 0, "it was undone by hand", VALUE_TEXT},
    {"--statement-done", OPT_STMT_DONE, 0, "the statement that was running did run", VALUE_TEXT},
    {"--statement-not-done", OPT_STMT_NOT_DONE, 0, "the statement that was running did not run",
     VALUE_TEXT},
    {"--check", OPT_CHECK, 0, "change nothing; exit 12 when there is work to do", VALUE_TEXT},
    {"--accept-edit", OPT_ACCEPT_EDIT, 0, "keep an applied migration's edited file", VALUE_TEXT},
    {"--accept-checksum", OPT_ACCEPT_EDIT, 0, "the same as --accept-edit", VALUE_TEXT},
    {"--forget", OPT_FORGET, 0, "remove the history row of a migration whose folder is gone",
     VALUE_TEXT},
    {"--to", OPT_TO, 1,
     "migration NAME (migrate: apply those up to it; rollback: undo those after it; squash: "
     "fold those up to it)",
     VALUE_TEXT},
    {"--steps", OPT_STEPS, 1, "roll back this many migrations, newest first", VALUE_TEXT},
    {"--history-only", OPT_HISTORY_ONLY, 0,
     "the folder is imported already: record another database's history", VALUE_TEXT},
    {"--no-history", OPT_NO_HISTORY, 0, "convert the folder only, even with a url", VALUE_TEXT},
    {"--targets", OPT_FLEET, 1, "run on every target of FILE (cairn.json will do)", VALUE_FILE},
    {"--targets-from-url", OPT_FLEET, 1, "a control database that lists the targets", VALUE_TEXT},
    {"--targets-query", OPT_FLEET, 1, "its query: name, url[, tags, namespace] per row",
     VALUE_TEXT},
    {"--tag", OPT_FLEET, 1, "only the targets with this tag", VALUE_TEXT},
    {"--parallel", OPT_FLEET, 1, "targets at once (default 1)", VALUE_TEXT},
    {"--canary", OPT_FLEET, 1, "run K targets first; stop if any fails", VALUE_TEXT},
    {"--continue-on-error", OPT_FLEET, 0, "keep starting targets after one failed", VALUE_TEXT},
    {"--connect-timeout", OPT_FLEET, 1, "seconds a target's connection may take", VALUE_TEXT},
    {"--format", OPT_FORMAT, 1, "dot, mermaid, svg or html", VALUE_FORMAT},
    {"--columns", OPT_COLUMNS, 1, "the columns a box shows: all, keys or none", VALUE_COLUMNS},
    {"--at", OPT_AT, 1, "draw migration NAME's snapshot", VALUE_TEXT},
    {"--history-table", OPT_HISTORY_TABLE, 1,
     "[NAMESPACE.]TABLE: the tool's history table, when not its default", VALUE_TEXT},
};

typedef int command_fn(cairn_ctx *cx, const cli *c);

typedef struct command {
    const char *name;
    unsigned opts;
    command_fn *run;
    const char *summary;
    const char *usage; /* after "Usage: cairn [global options] <name>" */
} command;

/* ---- the commands ---------------------------------------------------------- */

/* generate and merge: the migration written (null when none), its changes
 * and statements */
static void written_json(const cli *c, const char *dir)
{
    if (!c->json)
        return;
    const cairn_event *w = first_event(CAIRN_EVENT_MIGRATION);
    json_key(jout, "migration");
    json_str(jout, w ? w->migration : NULL);
    json_key(jout, "path");
    json_str(jout, dir);
    fprintf(jout, ", \"custom\": %s", c->custom ? "true" : "false");
    json_changes(jout);
    json_skipped(jout);
    json_statements(jout);
    json_findings(jout); /* lint's, about the migration written */
}

static int run_generate(cairn_ctx *cx, const cli *c)
{
    cairn_generate_opts o = {.name = c->name, .custom = c->custom,
                             .diff = {.renames = c->renames, .nrenames = c->nrenames,
                                      .keep_drops = c->no_drop}};
    char *dir = NULL;
    int rc = cairn_generate(cx, &o, &dir);
    written_json(c, dir);
    cairn_free(dir);
    return rc;
}

static int run_merge(cairn_ctx *cx, const cli *c)
{
    char *dir = NULL;
    int rc = cairn_merge(cx, c->name, &dir);
    written_json(c, dir);
    cairn_free(dir);
    return rc;
}

static int run_squash(cairn_ctx *cx, const cli *c)
{
    char *dir = NULL;
    int rc = cairn_squash(cx, c->to, c->name, &dir);
    if (c->json) {
        const cairn_event *w = first_event(CAIRN_EVENT_MIGRATION);
        json_key(jout, "migration");
        json_str(jout, dir && w ? w->migration : NULL);
        json_key(jout, "path");
        json_str(jout, dir);
    }
    cairn_free(dir);
    return rc;
}

static int run_migrate(cairn_ctx *cx, const cli *c);

static int run_migrate_one(cairn_ctx *cx, const cli *c)
{
    cairn_migrate_opts o = {.dry_run = c->dry_run, .all_in_one = c->all_in_one,
                            .resume = c->resume};
    int rc = cairn_migrate_to(cx, &o, c->to);
    if (c->json) {
        fprintf(jout, ", \"dry_run\": %s", c->dry_run ? "true" : "false");
        if (c->to) {
            fputs(", \"to\": ", jout);
            json_str(jout, c->to);
        }
        json_migrations(jout);
    }
    return rc;
}

/* --steps N: a whole number from 1 (checked before anything is read). */
static int parse_steps(const char *s, int *n)
{
    long v = 0;
    if (!s || !*s)
        return -1;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || v > 1000000)
            return -1;
        v = v * 10 + (*p - '0');
    }
    if (v < 1 || v > 1000000)
        return -1;
    *n = (int)v;
    return 0;
}

/* ---- fleets ------------------------------------------------------------------ */

/* --parallel N, --canary K: a whole number from 1. */
static int whole_from_1(const char *v, int *out)
{
    int n;
    if (parse_steps(v, &n) || n > 10000)
        return -1;
    *out = n;
    return 0;
}

static int fleet_flag(cli *c, const char *flag, const char *value)
{
    if (!strcmp(flag, "--targets"))
        c->targets = value;
    else if (!strcmp(flag, "--targets-from-url"))
        c->targets_url = value;
    else if (!strcmp(flag, "--targets-query"))
        c->targets_query = value;
    else if (!strcmp(flag, "--tag"))
        c->tag = value;
    else if (!strcmp(flag, "--parallel"))
        return whole_from_1(value, &c->parallel);
    else if (!strcmp(flag, "--canary"))
        return whole_from_1(value, &c->canary);
    else if (!strcmp(flag, "--continue-on-error"))
        c->continue_on_error = 1;
    else if (!strcmp(flag, "--connect-timeout"))
        return whole_from_1(value, &c->connect_timeout);
    return 0;
}

static const char *state_word(cairn_mstate s);

static int fleet_on(const cli *c)
{
    return c->targets || c->targets_url || c->targets_query;
}

static void fleet_json(const cairn_target_result *r, size_t n)
{
    json_key(jout, "targets");
    fputc('[', jout);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", {\"name\": " : "{\"name\": ", jout);
        json_str(jout, r[i].name);
        json_key(jout, "url");
        json_str(jout, r[i].url);
        json_key(jout, "state");
        json_str(jout, r[i].state);
        json_key(jout, "from");
        json_str(jout, r[i].from);
        json_key(jout, "to");
        json_str(jout, r[i].to);
        fprintf(jout, ", \"applied\": %zu, \"pending\": %zu, \"statements\": %zu, "
                "\"duration_ms\": %lld", r[i].applied, r[i].pending, r[i].statements,
                (long long)r[i].duration_ms);
        json_key(jout, "error");
        json_str(jout, r[i].message);
        fputs(", \"unapplied\": [", jout);
        for (size_t k = 0; k < r[i].nunapplied; k++) {
            fputs(k ? ", {\"name\": " : "{\"name\": ", jout);
            json_str(jout, r[i].unapplied[k].name);
            json_key(jout, "state");
            json_str(jout, state_word(r[i].unapplied[k].state));
            fputc('}', jout);
        }
        fputs("]}", jout);
    }
    fputc(']', jout);
}

/* status --targets: who is at which migration. A column per migration not
 * applied on every target (the newest MATRIX_MAX by name, which starts
 * with its timestamp; older ones are counted), a row per target. Nothing
 * when every target is level. */
enum { MATRIX_MAX = 8 };

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void fleet_matrix(const cairn_target_result *r, size_t n)
{
    size_t all = 0, ncols = 0;
    for (size_t i = 0; i < n; i++)
        all += r[i].nunapplied;
    const char **names = all ? malloc(all * sizeof *names) : NULL;
    if (!names)
        return;
    for (size_t i = 0, k = 0; i < n; i++)
        for (size_t m = 0; m < r[i].nunapplied; m++)
            names[k++] = r[i].unapplied[m].name;
    qsort(names, all, sizeof *names, by_name);
    for (size_t k = 0; k < all; k++)
        if (!ncols || strcmp(names[ncols - 1], names[k]))
            names[ncols++] = names[k];
    size_t older = ncols > MATRIX_MAX ? ncols - MATRIX_MAX : 0;
    const char **cols = names + older;
    ncols -= older;
    int wn = 6;
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(r[i].name) > wn)
            wn = (int)strlen(r[i].name);
    printf("\n%-*s", wn, "target");
    for (size_t c = 0; c < ncols; c++)
        printf("  %s", cols[c]);
    putchar('\n');
    for (size_t i = 0; i < n; i++) {
        printf("%-*s", wn, r[i].name);
        /* a target that was not reached says nothing of its history */
        int reached = r[i].from || r[i].nunapplied || !r[i].code;
        for (size_t c = 0; c < ncols; c++) {
            const char *cell = reached ? "applied" : "?";
            for (size_t k = 0; k < r[i].nunapplied; k++)
                if (!strcmp(r[i].unapplied[k].name, cols[c]))
                    cell = state_word(r[i].unapplied[k].state);
            if (c + 1 < ncols)
                printf("  %-*s", (int)strlen(cols[c]), cell);
            else
                printf("  %s", cell); /* no white space at the end of a line */
        }
        putchar('\n');
    }
    if (older)
        printf("(and %zu older migration%s not applied everywhere: --json lists them)\n", older,
               older == 1 ? "" : "s");
    free(names);
}

/* The summary: one row per target, widths from the content. */
static void fleet_table(const cairn_target_result *r, size_t n)
{
    int wn = 6, ws = 5, wf = 4, wt = 2;
    for (size_t i = 0; i < n; i++) {
        int l;
        if ((l = (int)strlen(r[i].name)) > wn)
            wn = l;
        if (r[i].state && (l = (int)strlen(r[i].state)) > ws)
            ws = l;
        if (r[i].from && (l = (int)strlen(r[i].from)) > wf)
            wf = l;
        if (r[i].to && (l = (int)strlen(r[i].to)) > wt)
            wt = l;
    }
    printf("%-*s  %-*s  %-*s  %-*s  %7s  %10s  %7s\n", wn, "target", ws, "state", wf, "from",
           wt, "to", "pending", "statements", "ms");
    for (size_t i = 0; i < n; i++) {
        printf("%-*s  %-*s  %-*s  %-*s  %7zu  %10zu  %7lld", wn, r[i].name, ws,
               r[i].state ? r[i].state : "", wf, r[i].from ? r[i].from : "-", wt,
               r[i].to ? r[i].to : "-", r[i].pending, r[i].statements,
               (long long)r[i].duration_ms);
        if (r[i].message)
            printf("  %s", r[i].message);
        putchar('\n');
    }
}

static int run_fleet(cairn_ctx *cx, const cli *c, cairn_fleet_op op)
{
    cairn_fleet_opts o = {.op = op, .targets_file = c->targets, .targets_url = c->targets_url,
                          .targets_query = c->targets_query, .tag = c->tag,
                          .parallel = c->parallel, .canary = c->canary,
                          .continue_on_error = c->continue_on_error,
                          .migrate = {.dry_run = c->dry_run, .all_in_one = c->all_in_one,
                                      .resume = c->resume},
                          .rollback = {.to = c->to, .dry_run = c->dry_run, .resume = c->resume},
                          .baseline_name = c->argument, .force = c->force,
                          .connect_timeout = c->connect_timeout};
    if (c->steps && parse_steps(c->steps, &o.rollback.steps))
        return CAIRN_EUSAGE;
    /* "." in --targets: the config file's own list */
    if (o.targets_file && !strcmp(o.targets_file, "."))
        o.targets_file = NULL;
    cairn_target_result *r = NULL;
    size_t n = 0, behind = 0, drifted = 0;
    int rc = cairn_fleet_to(cx, &o, op == CAIRN_FLEET_MIGRATE ? c->to : NULL, &r, &n);
    /* behind: pending migrations this run would apply (with --to, those up
     * to it: `pending` still counts the later ones) */
    int upto = op == CAIRN_FLEET_MIGRATE && c->to;
    for (size_t i = 0; i < n; i++) {
        const char *st = r[i].state ? r[i].state : "";
        behind += upto ? !strcmp(st, "behind") : r[i].pending > 0;
        drifted += !strcmp(st, "drifted");
    }
    if (c->json)
        fleet_json(r, n);
    else if (n) {
        fleet_table(r, n);
        if (op == CAIRN_FLEET_STATUS)
            fleet_matrix(r, n);
    }
    cairn_fleet_free(r, n);
    if (!rc && op == CAIRN_FLEET_DRIFT && drifted) {
        snprintf(front_message, sizeof front_message, "%zu target%s drifted", drifted,
                 drifted == 1 ? "" : "s");
        return CAIRN_EPENDING;
    }
    if (!rc && c->check && behind) {
        snprintf(front_message, sizeof front_message,
                 "%zu target%s behind: run 'cairn migrate%s%s'", behind, behind == 1 ? "" : "s",
                 upto ? " --to " : "", upto ? c->to : "");
        return CAIRN_EPENDING;
    }
    return rc;
}

static int run_migrate(cairn_ctx *cx, const cli *c)
{
    return fleet_on(c) ? run_fleet(cx, c, CAIRN_FLEET_MIGRATE) : run_migrate_one(cx, c);
}

static int run_rollback(cairn_ctx *cx, const cli *c)
{
    if (fleet_on(c))
        return run_fleet(cx, c, CAIRN_FLEET_ROLLBACK);
    cairn_rollback_opts o = {.to = c->to, .dry_run = c->dry_run, .resume = c->resume};
    if (c->steps && parse_steps(c->steps, &o.steps))
        return CAIRN_EUSAGE; /* main() refused it already */
    int rc = cairn_rollback(cx, &o);
    if (c->json) {
        fprintf(jout, ", \"dry_run\": %s", c->dry_run ? "true" : "false");
        json_migrations(jout);
    }
    return rc;
}

static int run_resolve(cairn_ctx *cx, const cli *c)
{
    int rc;
    if (c->accept_edit || c->forget)
        rc = cairn_repair(cx, c->argument,
                          c->forget ? CAIRN_REPAIR_FORGET : CAIRN_REPAIR_ACCEPT_EDIT);
    else if (c->stmt_done || c->stmt_not_done)
        rc = cairn_resolve_statement(cx, c->argument, c->stmt_done);
    else
        rc = cairn_resolve(cx, c->argument, c->applied);
    if (c->json)
        json_migrations(jout);
    return rc;
}

/* pull --json without --output: the schema inside the document. */
static int pull_json(cairn_ctx *cx)
{
    cairn_schema *live = NULL;
    char *text = NULL;
    int rc = cairn_introspect(cx, &live);
    if (!rc)
        rc = cairn_schema_to_json(cx, live, &text);
    if (!rc) {
        size_t len = strlen(text);
        while (len && text[len - 1] == '\n')
            len--;
        json_key(jout, "schema");
        fwrite(text, 1, len, jout);
    }
    cairn_free(text);
    cairn_schema_free(live);
    return rc;
}

static int run_pull(cairn_ctx *cx, const cli *c)
{
    if (c->json && !c->output)
        return pull_json(cx);
    int rc = cairn_pull(cx, c->output, c->force);
    const cairn_event *f = first_event(CAIRN_EVENT_FILE);
    if (c->json && f) {
        json_key(jout, "output");
        json_str(jout, f->path);
        fprintf(jout, ", \"tables\": %zu, \"views\": %zu", f->tables, f->views);
    }
    return rc;
}

static int run_push(cairn_ctx *cx, const cli *c)
{
    cairn_push_opts o = {.dry_run = c->dry_run, .force = c->force,
                         .diff = {.renames = c->renames, .nrenames = c->nrenames,
                                  .keep_drops = c->no_drop}};
    int rc = cairn_push(cx, &o);
    if (c->json) {
        int applied = !rc && !c->dry_run && first_event(CAIRN_EVENT_CHANGE);
        fprintf(jout, ", \"dry_run\": %s, \"applied\": %s", c->dry_run ? "true" : "false",
                applied ? "true" : "false");
        json_changes(jout);
        json_skipped(jout);
        json_statements(jout);
    }
    return rc;
}

static int run_export(cairn_ctx *cx, const cli *c)
{
    char *sql = NULL;
    int rc = cairn_export(cx, &sql);
    if (rc == 0 && c->json) {
        json_key(jout, "sql");
        json_str(jout, sql);
    } else if (rc == 0) {
        fputs(sql, stdout);
    }
    cairn_free(sql);
    return rc;
}

static int run_baseline(cairn_ctx *cx, const cli *c)
{
    if (fleet_on(c))
        return run_fleet(cx, c, CAIRN_FLEET_BASELINE);
    int rc = cairn_baseline(cx, c->argument, c->force);
    if (c->json) {
        json_migrations(jout);
        json_changes(jout);
        json_statements(jout);
    }
    return rc;
}

static int run_drift(cairn_ctx *cx, const cli *c)
{
    if (fleet_on(c))
        return run_fleet(cx, c, CAIRN_FLEET_DRIFT);
    int rc = cairn_drift(cx);
    if (c->json && (!rc || rc == CAIRN_EPENDING)) {
        fprintf(jout, ", \"drift\": %s", rc ? "true" : "false");
        /* the migrations whose snapshot the database was compared with:
         * the newest applied, or the heads of merged branches; none for an
         * empty history */
        json_key(jout, "compared_with");
        fputc('[', jout);
        for (size_t i = 0, k = 0; i < nevents; i++)
            if (events[i].kind == CAIRN_EVENT_MIGRATION && events[i].action &&
                strcmp(events[i].action, "compared") == 0) {
                fputs(k++ ? ", " : "", jout);
                json_str(jout, events[i].migration);
            }
        fputc(']', jout);
        json_changes(jout);
        json_statements(jout);
    }
    return rc;
}

static int run_import(cairn_ctx *cx, const cli *c)
{
    cairn_import_opts o = {.history_only = c->history_only, .no_history = c->no_history,
                           .history_table = c->history_table};
    int rc = cairn_import(cx, c->argument, c->argument2, &o);
    if (c->json)
        json_migrations(jout);
    return rc;
}

static int run_check(cairn_ctx *cx, const cli *c)
{
    int rc = cairn_check_migrations(cx);
    if (c->json)
        json_findings(jout);
    return rc;
}

static const char *state_word(cairn_mstate s)
{
    switch (s) {
    case CAIRN_MIGRATION_APPLIED: return "applied";
    case CAIRN_MIGRATION_PENDING: return "pending";
    case CAIRN_MIGRATION_MODIFIED: return "MODIFIED";
    case CAIRN_MIGRATION_MISSING: return "MISSING";
    case CAIRN_MIGRATION_PARTIAL: return "PARTIAL";
    case CAIRN_MIGRATION_BASELINE: return "baseline";
    case CAIRN_MIGRATION_SQUASHED: return "squashed";
    }
    return "?";
}

static void status_json(FILE *f, const cairn_status_row *rows, size_t n, size_t open)
{
    fputs(", \"migrations\": [", f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
        json_str(f, rows[i].name);
        fputs(", \"state\": ", f);
        char word[16];
        snprintf(word, sizeof word, "%s", state_word(rows[i].state));
        for (char *p = word; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        json_str(f, word);
        fputs(", \"applied_at\": ", f);
        json_str(f, rows[i].applied_at);
        fputs("}", f);
    }
    fprintf(f, "%s], \"not_applied\": %zu", n ? "\n" : "", open);
}

/* A status word, padded to `width`, in its colour on a terminal. */
static void print_state(cairn_mstate s, int width)
{
    const char *word = state_word(s);
    const char *color = s == CAIRN_MIGRATION_APPLIED || s == CAIRN_MIGRATION_BASELINE ||
                                s == CAIRN_MIGRATION_SQUASHED
                            ? GREEN
                        : s == CAIRN_MIGRATION_PENDING                                ? YELLOW
                                                                                      : RED;
    put_colored(stdout, color_out, color, word);
    printf("%*s", width - (int)strlen(word), "");
}

static int run_status(cairn_ctx *cx, const cli *c)
{
    if (fleet_on(c))
        return run_fleet(cx, c, CAIRN_FLEET_STATUS);
    cairn_status_row *rows = NULL;
    size_t n = 0, open = 0;
    int rc = cairn_status(cx, &rows, &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        open += rows[i].state != CAIRN_MIGRATION_APPLIED &&
                rows[i].state != CAIRN_MIGRATION_BASELINE &&
                rows[i].state != CAIRN_MIGRATION_SQUASHED;
    if (c->json)
        status_json(jout, rows, n, open);
    for (size_t i = 0; i < n && !c->json; i++) {
        print_state(rows[i].state, 8);
        if (rows[i].applied_at)
            printf(" %s  %s\n", rows[i].name, rows[i].applied_at);
        else
            printf(" %s\n", rows[i].name);
    }
    if (n == 0 && !c->json)
        printf("no migrations\n");
    cairn_status_free(rows, n);
    if (c->check && open) {
        snprintf(front_message, sizeof front_message,
                 "%zu migration%s not applied: run 'cairn migrate'", open, open == 1 ? "" : "s");
        return CAIRN_EPENDING;
    }
    return 0;
}

/* Write `text` to a new file `path`; refuse (EEXIST) to replace one. */
static int write_new(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        return -1;
    size_t len = strlen(text);
    ssize_t n = write(fd, text, len);
    int rc = close(fd);
    if (n != (ssize_t)len || rc) {
        unlink(path);
        return -1;
    }
    return 0;
}

/* mkdir -p: 0, or -1 with errno. */
static int make_dirs(const char *path)
{
    char p[512];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1;; s++) {
        if (*s && *s != '/')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return -1;
        *s = c;
        if (!c)
            return 0;
    }
}

static const char *setting_value(const cli *c, const char *flag)
{
    for (size_t k = 0; k < NGLOBAL; k++)
        if (strcmp(global_options[k].flag, flag) == 0)
            return c->settings[k];
    return NULL;
}

/* cairn init: a cairn.json and an empty schema in the current directory.
 * A URL with a password goes to .env (DATABASE_URL), never to cairn.json,
 * which is meant to be committed. */
static int run_init(cairn_ctx *cx, const cli *c)
{
    (void)cx;
    const char *dialect = setting_value(c, "--dialect"), *url = setting_value(c, "--url");
    const char *schema = setting_value(c, "--schema"), *out = setting_value(c, "--out");
    if (!dialect && !url) {
        dialect = "sqlite";
        url = "sqlite:app.db";
    }
    if (!schema)
        schema = "schema.json";
    if (!out)
        out = "migrations";
    static const char *const made[] = {"cairn.json", ".env", NULL};
    for (int i = 0; made[i]; i++)
        if (access(made[i], F_OK) == 0 && (i == 0 || url)) {
            snprintf(front_message, sizeof front_message,
                     "%s already exists: this directory has a project (nothing written)",
                     made[i]);
            return CAIRN_EUSAGE;
        }
    if (access(schema, F_OK) == 0) {
        snprintf(front_message, sizeof front_message, "%s already exists (nothing written)",
                 schema);
        return CAIRN_EUSAGE;
    }
    char *safe = url ? cairn_url_redacted(url) : NULL;
    int secret = url && safe && strcmp(safe, url) != 0;
    cairn_free(safe);
    /* every value fits its buffer below whole, escaped, or init refuses */
    if ((dialect && strlen(dialect) > 60) || (url && strlen(url) > 500) ||
        strlen(schema) > 250 || strlen(out) > 250 || (secret && strchr(url, '\''))) {
        snprintf(front_message, sizeof front_message,
                 "init: a value is too long, or the URL has a quote: write cairn.json by hand "
                 "(nothing written)");
        return CAIRN_EUSAGE;
    }
    /* the two files' text, written with the front end's JSON escaper */
    char *conf = NULL, *sch = NULL;
    size_t conf_len, sch_len;
    FILE *cf = open_memstream(&conf, &conf_len), *sf = open_memstream(&sch, &sch_len);
    if (cf && sf) {
        fputs("{\n", cf);
        fputs("{\n", sf);
        for (FILE *f = cf; dialect && f; f = f == cf ? sf : NULL) {
            fputs("  \"dialect\": ", f);
            json_str(f, dialect);
            fputs(",\n", f);
        }
        if (url && !secret) {
            fputs("  \"url\": ", cf);
            json_str(cf, url);
            fputs(",\n", cf);
        }
        fputs("  \"schema\": ", cf);
        json_str(cf, schema);
        fputs(",\n  \"out\": ", cf);
        json_str(cf, out);
        fputs("\n}\n", cf);
        fputs("  \"tables\": []\n}\n", sf);
    }
    int ok = cf && sf;
    if (cf && fclose(cf))
        ok = 0;
    if (sf && fclose(sf))
        ok = 0;
    if (!ok) {
        free(conf);
        free(sch);
        return CAIRN_ENOMEM;
    }
    ok = write_new("cairn.json", conf) == 0;
    if (ok && write_new(schema, sch)) {
        unlink("cairn.json");
        ok = 0;
    }
    if (ok && secret) {
        char env[600];
        snprintf(env, sizeof env, "DATABASE_URL='%.500s'\n", url);
        if (write_new(".env", env)) {
            unlink("cairn.json");
            unlink(schema);
            ok = 0;
        }
    }
    /* the migrations folder too: the commands that read it refuse a
     * missing one (a mistyped --out), and a new project has none yet */
    int made_out = 0;
    if (ok && access(out, F_OK) != 0) {
        if (make_dirs(out) != 0) {
            int e = errno;
            unlink("cairn.json");
            unlink(schema);
            if (secret)
                unlink(".env");
            errno = e;
            ok = 0;
        } else {
            made_out = 1;
        }
    }
    if (!ok)
        snprintf(front_message, sizeof front_message, "cannot write the project files: %s",
                 strerror(errno));
    free(conf);
    free(sch);
    if (!ok)
        return CAIRN_EIO;
    if (c->json) {
        json_key(jout, "files");
        fputs("[\"cairn.json\", ", jout);
        json_str(jout, schema);
        fputs(secret ? ", \".env\"]" : "]", jout);
        return 0;
    }
    if (made_out)
        printf("made the migrations folder %s\n", out);
    printf("wrote cairn.json and %s%s\n", schema,
           secret ? ", and .env with DATABASE_URL (it holds a password: keep .env out of "
                    "version control)"
                  : "");
    printf("next: describe your tables in %s (docs/schema-format.md), or 'cairn pull --output "
           "%s --force' from an existing database; then 'cairn generate --name init' and "
           "'cairn migrate'\n",
           schema, schema);
    return 0;
}

static int run_drop(cairn_ctx *cx, const cli *c)
{
    char *name = NULL;
    int rc = cairn_drop(cx, &name);
    if (c->json) {
        const cairn_event *e = first_event(CAIRN_EVENT_MIGRATION);
        json_key(jout, "dropped");
        json_str(jout, name);
        json_key(jout, "path");
        json_str(jout, e ? e->path : NULL);
    }
    cairn_free(name);
    return rc;
}

static void dialects_json(FILE *f, const cairn_dialect_info *list, size_t n, char **real,
                          const char *dup)
{
    fputs(", \"dialects\": [", f);
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        const cairn_dialect_info *d = &list[i];
        if (dup[i])
            continue;
        fprintf(f, "%s\n  {\"name\": ", shown++ ? "," : "");
        json_str(f, d->name);
        fputs(", \"version\": ", f);
        json_str(f, d->version);
        char abi[32] = "";
        if (d->version)
            snprintf(abi, sizeof abi, "%u.%u", d->abi_major, d->abi_minor);
        fputs(", \"abi\": ", f);
        json_str(f, *abi ? abi : NULL);
        fputs(", \"path\": ", f);
        json_str(f, real[i] ? real[i] : d->path);
        char caps[512];
        fputs(", \"capabilities\": [", f);
        if (!d->problem) {
            cairn_caps_string(d->caps, caps, sizeof caps);
            char *save = NULL;
            int k = 0;
            for (char *w = strtok_r(caps, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                fputs(k++ ? ", " : "", f);
                json_str(f, w);
            }
        }
        fputs("], \"problem\": ", f);
        json_str(f, d->problem);
        fputs("}", f);
    }
    fprintf(f, "%s]", shown ? "\n" : "");
}

/* The table `cairn dialects` prints, each file once (real paths). */
static void dialects_text(const cairn_dialect_info *list, size_t n, char **real, const char *dup)
{
    int wname = 4, wver = 7, wpath = 4;
    for (size_t i = 0; i < n; i++) {
        const char *path = real[i] ? real[i] : list[i].path;
        int l;
        if (dup[i] || !path)
            continue;
        if (list[i].name && (l = (int)strlen(list[i].name)) > wname)
            wname = l;
        if (list[i].version && (l = (int)strlen(list[i].version)) > wver)
            wver = l;
        if ((l = (int)strlen(path)) > wpath)
            wpath = l;
    }
    printf("%-*s  %-*s  %-4s  %-*s  %s\n", wname, "NAME", wver, "VERSION", "ABI", wpath, "PATH",
           "CAPABILITIES");
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        const cairn_dialect_info *d = &list[i];
        const char *path = real[i] ? real[i] : d->path;
        if (dup[i])
            continue;
        shown++;
        char abi[32] = "-";
        if (d->version)
            snprintf(abi, sizeof abi, "%u.%u", d->abi_major, d->abi_minor);
        char caps[512];
        printf("%-*s  %-*s  %-4s  %-*s  ", wname, d->name ? d->name : "?", wver,
               d->version ? d->version : "-", abi, wpath, path);
        if (d->problem)
            printf("refused: %s\n", d->problem);
        else
            printf("%s\n", cairn_caps_string(d->caps, caps, sizeof caps));
    }
    if (shown == 0)
        printf("no dialect drivers found (see --dialect-path and CAIRN_DIALECT_PATH)\n");
}

static int run_dialects(cairn_ctx *cx, const cli *c)
{
    cairn_dialect_info *list = NULL;
    size_t n = 0;
    int rc = cairn_dialects_list(cx, &list, &n);
    if (rc)
        return rc;
    /* The search path may reach one directory twice under two spellings
     * (bin/../lib/cairn/dialects and lib/cairn/dialects): show each file
     * once, by its real path, rather than as shadowing itself. */
    char **real = calloc(n ? n : 1, sizeof *real);
    char *dup = calloc(n ? n : 1, 1);
    if (!real || !dup) {
        free(real);
        free(dup);
        cairn_dialect_list_free(list, n);
        return CAIRN_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        real[i] = list[i].path ? realpath(list[i].path, NULL) : NULL;
        for (size_t j = 0; j < i && real[i] && !dup[i]; j++)
            dup[i] = real[j] && strcmp(real[i], real[j]) == 0;
    }
    if (c->json)
        dialects_json(jout, list, n, real, dup);
    else
        dialects_text(list, n, real, dup);
    for (size_t i = 0; i < n; i++)
        free(real[i]);
    free(real);
    free(dup);
    cairn_dialect_list_free(list, n);
    return 0;
}

static command_fn run_completion;

/* lint's fields of the document: the findings and how many are errors */
static void lint_json(const cairn_lint_finding *f, size_t n, size_t errors)
{
    json_key(jout, "findings");
    fputc('[', jout);
    for (size_t i = 0; i < n; i++) {
        /* the same object as generate's findings (its FINDING events) */
        cairn_event e = {.kind = CAIRN_EVENT_FINDING, .code = f[i].code,
                         .level = cairn_lint_level_name(f[i].level), .category = f[i].category,
                         .migration = f[i].migration, .message = f[i].message};
        fputs(i ? ",\n  {" : "\n  {", jout);
        finding_item(jout, &e);
        fputc('}', jout);
    }
    fprintf(jout, "%s]", n ? "\n" : "");
    json_key(jout, "errors");
    fprintf(jout, "%zu", errors);
}

static int run_lint(cairn_ctx *cx, const cli *c)
{
    cairn_lint_opts o = {.names = c->args, .nnames = c->nargs};
    cairn_lint_finding *f = NULL;
    size_t n = 0, errors = 0;
    int rc = cairn_lint(cx, &o, &f, &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        errors += f[i].level == CAIRN_LINT_ERROR;
    if (c->json)
        lint_json(f, n, errors);
    for (size_t i = 0; i < n && !c->json; i++)
        printf("%s %s %s: %s (%s)\n", f[i].code, cairn_lint_level_name(f[i].level),
               f[i].migration, f[i].message, f[i].category);
    if (n == 0 && !c->json)
        printf("no findings\n");
    cairn_lint_free(f, n);
    if (errors) {
        snprintf(front_message, sizeof front_message,
                 "%zu lint finding%s at error level (silence a code with \"lint.ignore\" in "
                 "cairn.json)",
                 errors, errors == 1 ? "" : "s");
        return CAIRN_ELINT;
    }
    return 0;
}

static int run_validate(cairn_ctx *cx, const cli *c)
{
    int rc = cairn_validate(cx);
    if (c->json) {
        json_key(jout, "schema");
        json_str(jout, cairn_ctx_get(cx, "schema"));
        fprintf(jout, ", \"valid\": %s", rc ? "false" : "true");
    } else if (!rc) {
        printf("%s: valid\n", cairn_ctx_get(cx, "schema"));
    }
    return rc;
}

/* diagram's options from the command line; a usage error (one line) when
 * one is wrong, before anything is read. */
static int diagram_opts(const cli *c, cairn_diagram_opts *o, int report)
{
    static const char *const formats[] = {"dot", "mermaid", "svg", "html"};
    static const char *const columns[] = {"all", "keys", "none"};
    static const struct {
        const char *ext;
        cairn_diagram_format format;
    } by_ext[] = {{".svg", CAIRN_DIAGRAM_SVG},         {".html", CAIRN_DIAGRAM_HTML},
                  {".htm", CAIRN_DIAGRAM_HTML},        {".mmd", CAIRN_DIAGRAM_MERMAID},
                  {".mermaid", CAIRN_DIAGRAM_MERMAID}};
    memset(o, 0, sizeof *o);
    o->output = c->output;
    int found = !c->format;
    for (int k = 0; c->format && k < 4; k++)
        if (strcmp(c->format, formats[k]) == 0) {
            o->format = (cairn_diagram_format)k;
            found = 1;
        }
    if (!found)
        return report ? usage_error("--format wants dot, mermaid, svg or html, not", c->format,
                                    "diagram")
                      : EXIT_USAGE;
    size_t olen = c->output ? strlen(c->output) : 0;
    for (size_t k = 0; !c->format && c->output && k < sizeof by_ext / sizeof *by_ext; k++) {
        size_t el = strlen(by_ext[k].ext);
        if (olen > el && strcasecmp(c->output + olen - el, by_ext[k].ext) == 0)
            o->format = by_ext[k].format;
    }
    found = !c->columns;
    for (int k = 0; c->columns && k < 3; k++)
        if (strcmp(c->columns, columns[k]) == 0) {
            o->columns = (cairn_diagram_columns)(k + 1);
            found = 1;
        }
    if (!found)
        return report ? usage_error("--columns wants all, keys or none, not", c->columns,
                                    "diagram")
                      : EXIT_USAGE;
    if (c->at && setting_value(c, "--url"))
        return report ? fail_with(CAIRN_EUSAGE,
                                  "diagram: draw --at a migration or --url a database, not both "
                                  "(nothing written)",
                                  NULL)
                      : EXIT_USAGE;
    o->at = c->at;
    o->source = c->at                     ? CAIRN_DIAGRAM_SNAPSHOT
                : setting_value(c, "--url") ? CAIRN_DIAGRAM_DATABASE
                                            : CAIRN_DIAGRAM_SCHEMA_FILE;
    return 0;
}

static int run_diagram(cairn_ctx *cx, const cli *c)
{
    cairn_diagram_opts o;
    if (diagram_opts(c, &o, 0))
        return CAIRN_EUSAGE; /* main() refused it already */
    char *text = NULL;
    int rc = cairn_diagram(cx, &o, c->output ? NULL : &text);
    if (!rc && text)
        fputs(text, stdout);
    cairn_free(text);
    return rc;
}

static const command commands[] = {
    {"generate", OPT_NAME | OPT_CUSTOM | OPT_RENAME | OPT_CHECK | OPT_NO_DROP | CMD_CHANGES | CMD_JSON,
     run_generate,
     "write a new migration from the schema changes",
     "generate [--name NAME] [--custom] [--rename OLD=NEW]... [--no-drop] [--check]\n\n"
     "Diff the newest snapshot in the migrations folder to the schema file and write\n"
     "<out>/<timestamp>_<name>/{migration.sql,snapshot.json,down.sql} (down.sql: the\n"
     "reverse, for 'cairn rollback'; none for --custom). Nothing is written when\n"
     "nothing changed. The lint findings of what was written follow as warnings\n"
     "(see 'cairn lint --help'); they never make generate fail.\n\n"
     "  --name NAME        the folder's slug (default: migration)\n"
     "  --custom           write an empty migration.sql to fill in by hand\n"
     "  --rename OLD=NEW   a table (old=new) or column (table.old=table.new) was renamed\n"
     "  --no-drop          leave out every drop (table, column, key, index, view, ...),\n"
     "                     one line per drop left out; the snapshot keeps those objects\n"
     "  --check            write nothing; print the SQL a migration would hold and exit 12\n"
     "                     when the schema changed since the newest migration\n"},
    {"merge", OPT_NAME | CMD_CHANGES | CMD_JSON, run_merge, "write a migration that joins merged branches",
     "merge [--name NAME]\n\n"
     "After branches that each generated migrations are merged in git, the folder has\n"
     "several heads. Write a migration that runs nothing and names them all as its\n"
     "parents, so the next generate starts from one state ('generate' also joins them\n"
     "when the schema changed). Refuses when the folder has one branch, and when\n"
     "the branches changed one object differently (the conflict is named).\n\n"
     "  --name NAME        the folder's slug (default: merge)\n"},
    {"squash", OPT_TO | OPT_NAME | CMD_JSON, run_squash,
     "fold the migrations up to one into a single migration",
     "squash --to NAME [--name SLUG]\n\n"
     "Replace the migrations up to NAME (which must form one line) by one migration,\n"
     "<NAME's stamp>_<SLUG>, whose SQL creates NAME's schema from nothing and whose\n"
     "snapshot lists the names it \"replaces\". Later migrations that started from\n"
     "NAME start from it; the folded folders are removed. New databases run it; a\n"
     "database that applied all the folded migrations records it without running it\n"
     "(one that applied only some stops with exit 7: migrate it with the folder from\n"
     "before the squash first). Refuses, changing nothing, when NAME is no migration,\n"
     "the migrations up to it branch, a folded folder holds a file cairn did not\n"
     "write, or the new name is taken.\n\n"
     "  --to NAME          the last migration to fold (required)\n"
     "  --name SLUG        the new folder's slug (default: squashed)\n"},
    {"migrate", OPT_TO | OPT_DRY_RUN | OPT_ALL_IN_ONE | OPT_RESUME | OPT_CHECK | OPT_FLEET |
                    CMD_CHANGES | CMD_JSON,
     run_migrate,
     "apply the pending migrations to the database",
     "migrate [--to NAME] [--dry-run] [--all-in-one] [--resume] [--check]\n\n"
     "Apply every pending migration of the migrations folder to the database, each in\n"
     "its own transaction, holding the migration lock for the whole run.\n\n"
     "  --to NAME          stop at migration NAME: apply the pending ones up to it, in\n"
     "                     order, and leave later ones pending (a fleet: on each target)\n"
     "  --dry-run          print what would run, change nothing\n"
     "  --all-in-one       apply all pending migrations in one transaction\n"
     "  --resume           continue a migration that stopped part-way (PARTIAL) from\n"
     "                     its first statement that did not run, after fixing the cause\n"
     "  --check            a dry run that exits 12 when something would be applied\n\n"
     "Fleets (one folder, many databases; also for status, rollback, drift, baseline):\n"
     "  --targets FILE     every target of FILE's \"targets\" (--targets . : cairn.json's)\n"
     "  --targets-from-url URL --targets-query SQL\n"
     "                     targets from a control database: name, url[, tags, namespace]\n"
     "  --tag T            only the targets tagged T\n"
     "  --parallel N       N targets at once, each under its own lock and history\n"
     "  --canary K         K targets first; if any fails, no other starts\n"
     "  --continue-on-error  keep starting targets after one failed (default: stop)\n"
     "  --connect-timeout S  a target's connection may take S seconds\n"
     "A line per target as it ends, then a summary table; exit 14 when any target\n"
     "failed or was not started (docs/fleets.md).\n"},
    {"rollback", OPT_TO | OPT_STEPS | OPT_DRY_RUN | OPT_RESUME | OPT_FLEET | CMD_CHANGES | CMD_JSON,
     run_rollback,
     "undo the newest applied migrations with their down.sql",
     "rollback [--to NAME | --steps N] [--dry-run] [--resume]\n\n"
     "Run the down.sql of applied migrations, newest first, each in its own\n"
     "transaction where the database rolls back DDL, holding the migration lock, and\n"
     "remove their history rows: the next migrate applies them again. Refuses, with\n"
     "nothing changed, a migration without down.sql or whose down.sql was edited after\n"
     "generate wrote it. Without --to or --steps: the newest applied migration.\n\n"
     "  --to NAME          roll back every migration applied after NAME (NAME stays)\n"
     "  --steps N          roll back the newest N applied migrations\n"
     "  --dry-run          print the down scripts that would run, change nothing\n"
     "  --resume           finish a rollback that stopped part-way (PARTIAL, MySQL /\n"
     "                     MariaDB) from its first statement that did not run\n"},
    {"resolve", OPT_APPLIED | OPT_ROLLED_BACK | OPT_STMT_DONE | OPT_STMT_NOT_DONE | OPT_ACCEPT_EDIT |
                    OPT_FORGET | OPT_ARGUMENT | CMD_CHANGES | CMD_JSON,
     run_resolve, "settle a migration that stopped part-way",
     "resolve NAME (--applied | --rolled-back | --statement-done | --statement-not-done |\n"
     "              --accept-edit | --forget)\n\n"
     "Settle a migration that stopped part-way (PARTIAL, outside a transaction)\n"
     "once the database has been checked or fixed by hand, or repair the history of\n"
     "an applied one whose file was edited (MODIFIED) or whose folder is gone (MISSING).\n\n"
     "  --applied          the rest was applied by hand: record it as applied\n"
     "  --rolled-back      it was undone by hand: forget it, the next migrate applies\n"
     "                     it from its first statement\n"
     "  --statement-done   the statement that was running when cairn stopped did run;\n"
     "                     'migrate --resume' continues after it\n"
     "  --statement-not-done\n"
     "                     it did not run; 'migrate --resume' runs it again\n"
     "  --accept-edit      MODIFIED: keep the edited migration.sql, record its checksum;\n"
     "                     nothing is run (also spelled --accept-checksum)\n"
     "  --forget           MISSING: remove the history row of a migration whose folder\n"
     "                     is gone; nothing in the database changes\n"},
    {"pull", OPT_OUTPUT | OPT_FORCE | CMD_JSON, run_pull, "write the live database's schema to a file",
     "pull [--output FILE] [--force]\n\n"
     "Read the database and write its schema as JSON (or, for a FILE ending in .sql,\n"
     "as the SQL that creates it). Without --output the JSON goes to standard output.\n"
     "What the model does not hold (functions, extensions, partitions, grants, SQLite's\n"
     "triggers on views, ...) is named, with counts, in one warning line on standard\n"
     "error.\n\n"
     "  --output FILE      where to write (.json or .sql)\n"
     "  --force            overwrite FILE if it exists\n"},
    {"push", OPT_DRY_RUN | OPT_FORCE | OPT_RENAME | OPT_CHECK | OPT_NO_DROP | CMD_CHANGES | CMD_JSON,
     run_push,
     "apply the schema to the database directly, without migrations",
     "push [--dry-run] [--force] [--rename OLD=NEW]... [--no-drop] [--check]\n\n"
     "Diff the live database to the schema file and apply the difference, in one\n"
     "transaction where the database rolls back DDL; on MySQL / MariaDB a failure\n"
     "after some statements ran stops with exit 10 naming them. Records no history.\n"
     "Destructive changes are refused without --force.\n\n"
     "  --dry-run          print the SQL that would run, change nothing, take no lock\n"
     "  --force            apply destructive changes too\n"
     "  --rename OLD=NEW   a table (old=new) or column (table.old=table.new) was renamed\n"
     "  --no-drop          apply every change but the drops (table, column, key, index,\n"
     "                     view, ...), one line per drop left out\n"
     "  --check            a dry run that exits 12 when the database differs from the\n"
     "                     schema (drift)\n"},
    {"validate", CMD_JSON, run_validate, "check the schema file without writing anything",
     "validate\n\n"
     "Read the schema file and check it as generate would, and more: unknown keys,\n"
     "duplicate names, indexes, keys and foreign keys on missing columns or tables,\n"
     "names over the dialect's length limit, features the dialect lacks (from its\n"
     "driver's capabilities), type names the dialect does not know (with the nearest\n"
     "one it does), foreign keys whose column types differ from the referenced ones.\n"
     "Prints the first problem as file:line:column and exits 4; nothing is written and\n"
     "no database is needed.\n"},
    {"lint", OPT_ARGUMENTS | CMD_JSON, run_lint, "report risky changes in migrations, with codes",
     "lint [NAME...] [--json]\n\n"
     "Classify the changes of migrations (each one's snapshot diffed from its parent's):\n"
     "destructive changes, data the live database holds that would make a change fail\n"
     "(counts only), locking hazards the dialect's driver reports, a drop + add that\n"
     "looks like a rename. One line per finding: CODE LEVEL MIGRATION: MESSAGE\n"
     "(CATEGORY); docs/lint.md lists the codes. Default: the pending migrations when a\n"
     "url is configured, else the newest migration. Exits 13 when a finding is at error\n"
     "level; \"lint\": {\"ignore\": [...], \"error\": [...]} in cairn.json silences a code or\n"
     "makes it an error. Changes nothing.\n\n"
     "  NAME...            migrations to lint (folder names)\n"
     "  --json             the findings as one JSON document\n"},
    {"export", CMD_JSON, run_export, "print the SQL that creates the schema from nothing",
     "export\n\nPrint the SQL that creates the schema file's schema in an empty database.\n"},
    {"check", CMD_JSON, run_check, "check the migrations folder for consistency",
     "check\n\nCheck that every migration parses and that every parent a snapshot names is an\n"
     "older migration; name branches merged in git that are not joined yet, and the\n"
     "conflicts their merge would find, before anything is deployed.\n"},
    {"baseline", OPT_ARGUMENT | OPT_FORCE | OPT_FLEET | CMD_CHANGES | CMD_JSON, run_baseline,
     "adopt a database that already has the schema",
     "baseline [NAME] [--force]\n\n"
     "Record the migrations of the folder up to NAME (default: all) as applied, without\n"
     "running them, once the live database is checked to equal NAME's snapshot; when\n"
     "it is not, print the differences as SQL and exit 7, recording nothing. 'status'\n"
     "shows them as baseline. To adopt cairn on an existing database: 'cairn pull\n"
     "--output schema.json', 'cairn generate --name baseline', 'cairn baseline'.\n\n"
     "  --force            record even when the database differs (the differences are\n"
     "                     printed as warnings)\n"},
    {"drift", OPT_FLEET | CMD_JSON, run_drift, "compare the database with the migrations applied to it",
     "drift\n\nCompare the live database with the snapshot of the newest migration its history\n"
     "says is applied. Prints the SQL that would undo what was changed by hand (a hotfix\n"
     "on production) and exits 12 when there is drift, 0 when there is none. Changes\n"
     "nothing.\n"},
    {"import",
     OPT_ARGUMENT | OPT_ARGUMENT2 | OPT_HISTORY_ONLY | OPT_NO_HISTORY | OPT_HISTORY_TABLE |
         CMD_CHANGES | CMD_JSON,
     run_import, "convert another tool's migrations folder (and its history)",
     "import TOOL DIR [--no-history | --history-only] [--history-table [NS.]TABLE]\n\n"
     "Convert the migrations folder DIR of TOOL (drizzle, prisma, flyway, golang-migrate,\n"
     "dbmate) into the migrations folder (--out), which must be new or hold no cairn\n"
     "migration. The SQL is kept byte for byte (dbmate: the up part; its down part,\n"
     "golang-migrate's .down.sql and Flyway's U files become down.sql); each snapshot\n"
     "is read back after replaying the migrations on the scratch database or dev_url.\n"
     "With a database url, the tool's history table there is read and the migrations\n"
     "it applied are recorded as applied (baseline) without running them; one it\n"
     "recorded as failed or dirty is reported and left pending. Nothing is written\n"
     "when anything fails.\n\n"
     "  --no-history       convert the folder only, even with a url configured\n"
     "  --history-only     the folder is imported already: record the history of\n"
     "                     another database the old tool migrated\n"
     "  --history-table [NS.]TABLE\n"
     "                     the tool's history table when it is not the default one\n"
     "                     (drizzle migrationsTable / migrationsSchema, Flyway\n"
     "                     flyway.table / flyway.defaultSchema, golang-migrate\n"
     "                     x-migrations-table, dbmate --migrations-table)\n"
     "\nFlyway's repeatable migrations (R__*.sql) are not imported: cairn has none;\n"
     "a warning names each one.\n"},
    {"status", OPT_CHECK | OPT_FLEET | CMD_JSON, run_status, "list migrations: applied, pending, modified, missing",
     "status [--check]\n\nOne line per migration: applied (with its time), pending, MODIFIED (applied,\n"
     "file changed since), MISSING (applied, folder gone), PARTIAL (stopped part-way).\n\n"
     "  --check            exit 12 when any migration is not applied\n"},
    {"drop", CMD_CHANGES | CMD_JSON, run_drop, "remove the newest migration folder if it is not applied",
     "drop\n\nRemove the newest migration folder. With a database url configured, an\n"
     "applied migration is never removed.\n"},
    {"init", CMD_NO_CONFIG | CMD_CHANGES | CMD_JSON, run_init,
     "start a project: cairn.json and an empty schema",
     "init\n\nWrite cairn.json and an empty schema file (schema.json) in the current directory,\n"
     "and make the migrations folder (migrations) when it does not exist, from the\n"
     "global --dialect, --url, --schema and --out (default: SQLite, app.db).\n"
     "A URL with a password goes to .env as DATABASE_URL, not to cairn.json. Refuses\n"
     "to replace an existing file.\n"},
    {"diagram", OPT_FORMAT | OPT_OUTPUT | OPT_COLUMNS | OPT_AT, run_diagram,
     "draw the schema: DOT, Mermaid, SVG or an HTML report",
     "diagram [--format dot|mermaid|svg|html] [--output FILE]\n"
     "        [--columns all|keys|none] [--at NAME]\n\n"
     "Draw an entity-relationship diagram of the schema file, of migration NAME's\n"
     "snapshot (--at), or of the live database (--url on the command line): tables\n"
     "with their columns, types and PK / FK / UQ / NN markers, foreign keys as edges\n"
     "(labelled with their ON DELETE / ON UPDATE actions), views, enums, namespaces as\n"
     "clusters. --tables and --namespaces cut it down; a glob or namespace that selects\n"
     "nothing is an error. dot and mermaid are text; svg is laid out by Graphviz and\n"
     "html is one self-contained page with the SVG, a table list to filter, each\n"
     "table's details and the migrations with their SQL (both need the cairn-diagram\n"
     "package). Without --format the output's extension decides (.svg, .html, .mmd),\n"
     "else dot. Nothing is written when anything fails.\n\n"
     "  --format FORMAT    dot, mermaid, svg or html\n"
     "  --output FILE      write FILE (replaced atomically); default: standard output\n"
     "  --columns WHICH    all, keys (key columns only) or none; default: all up to\n"
     "                     100 tables, keys up to 400, none beyond\n"
     "  --at NAME          draw the snapshot of migration NAME\n"},
    {"dialects", CMD_JSON, run_dialects, "list the dialect drivers found and why any was refused",
     "dialects\n\nList every dialect driver on the search path: name, version, ABI, path and\n"
     "capabilities; a refused driver shows its problem.\n"},
    {"completion", OPT_ARGUMENT | CMD_NO_CONFIG | CMD_HIDDEN, run_completion,
     "print a shell completion script",
     "completion bash|zsh|fish\n\n"
     "Print the completion script for the shell, made from this binary's commands and\n"
     "options. Packages install it; to try it: source <(cairn completion bash).\n"},
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

/* ---- completion scripts ------------------------------------------------------ */

/* `cairn completion bash|zsh|fish` prints a completion script made from the
 * tables above (commands, their options, the global options), so a new
 * command or flag is offered the day it exists. The installed scripts
 * (packaging/completion/) are this output, checked by cli.completion. */

/* The flags a command takes, space-separated, to `f` (NULL: only count). */
static int command_flag_words(FILE *f, const command *cmd)
{
    int k = 0;
    for (size_t j = 0; j < sizeof command_flags / sizeof *command_flags; j++)
        if ((cmd->opts & command_flags[j].bit) && f)
            fprintf(f, "%s%s", k++ ? " " : "", command_flags[j].flag);
        else if (cmd->opts & command_flags[j].bit)
            k++;
    return k;
}

/* Is the command's positional argument a shell name (completion) rather
 * than a migration's name? */
static const char *argument_choices(const command *cmd)
{
    if (cmd->run == run_import)
        return "drizzle prisma flyway golang-migrate dbmate";
    return cmd->run == run_completion ? "bash zsh fish" : NULL;
}

/* The pipeline that lists the installed drivers' names. */
#define DIALECT_NAMES "dialects 2>/dev/null | awk 'NR > 1 && $1 ~ /^[a-z0-9_]+$/ { print $1 }'"

static void completion_bash(FILE *f)
{
    fputs("# bash completion for cairn                                 -*- shell-script -*-\n"
          "#\n"
          "# Generated by 'cairn completion bash' from the front end's command and option\n"
          "# tables: do not edit (cli.completion checks it equals that output).\n"
          "\n"
          "# The migrations in the folder (--out on the line, else ./migrations).\n"
          "_cairn_migrations()\n"
          "{\n"
          "    local d\n"
          "    for d in \"${1:-migrations}\"/*/; do\n"
          "        [[ -d $d ]] && d=${d%/} && printf '%s\\n' \"${d##*/}\"\n"
          "    done\n"
          "}\n"
          "\n"
          "_cairn()\n"
          "{\n"
          "    local cur prev words cword\n"
          "    _init_completion -s || return\n"
          "\n"
          "    local commands=\"",
          f);
    for (size_t i = 0, k = 0; i < NCOMMANDS; i++)
        if (!(commands[i].opts & CMD_HIDDEN))
            fprintf(f, "%s%s", k++ ? " " : "", commands[i].name);
    fputs("\"\n"
          "    local cmd=\"\" out=\"\" i\n"
          "    for ((i = 1; i < cword; i++)); do\n"
          "        case \"${words[i]}\" in\n"
          "            --out) out=${words[i + 1]}; ((i++)) ;;\n"
          "            ",
          f);
    int k = 0;
    for (size_t j = 0; j < NGLOBAL; j++)
        if (global_options[j].metavar && strcmp(global_options[j].flag, "--out") != 0)
            fprintf(f, "%s%s", k++ ? "|" : "", global_options[j].flag);
    for (size_t j = 0; j < sizeof command_flags / sizeof *command_flags; j++)
        if (command_flags[j].takes_value)
            fprintf(f, "|%s", command_flags[j].flag);
    fputs(") ((i++)) ;;\n"
          "            -*) ;;\n"
          "            *) if [[ -z $cmd ]]; then cmd=${words[i]}; fi ;;\n"
          "        esac\n"
          "    done\n"
          "\n"
          "    case \"$prev\" in\n",
          f);
    /* one branch per kind of value */
    static const char *const actions[] = {
        [VALUE_TEXT] = "return",
        [VALUE_FILE] = "_filedir; return",
        [VALUE_DIR] = "_filedir -d; return",
        [VALUE_DIALECT] = "COMPREPLY=($(compgen -W \"$(\"$1\" " DIALECT_NAMES ")\" -- \"$cur\"))"
                          "; return",
        [VALUE_COLOR] = "COMPREPLY=($(compgen -W \"auto always never\" -- \"$cur\")); return",
        [VALUE_FORMAT] =
            "COMPREPLY=($(compgen -W \"dot mermaid svg html\" -- \"$cur\")); return",
        [VALUE_COLUMNS] = "COMPREPLY=($(compgen -W \"all keys none\" -- \"$cur\")); return"};
    for (int kind = VALUE_TEXT; kind <= VALUE_COLUMNS; kind++) {
        k = 0;
        for (size_t j = 0; j < NGLOBAL; j++)
            if (global_options[j].metavar && (int)global_options[j].kind == kind)
                fprintf(f, "%s%s", k++ ? "|" : "        ", global_options[j].flag);
        for (size_t j = 0; j < sizeof command_flags / sizeof *command_flags; j++)
            if (command_flags[j].takes_value && (int)command_flags[j].kind == kind)
                fprintf(f, "%s%s", k++ ? "|" : "        ", command_flags[j].flag);
        if (k)
            fprintf(f, ")\n            %s ;;\n", actions[kind]);
    }
    fputs("    esac\n"
          "\n"
          "    local flags=\"",
          f);
    for (size_t j = 0; j < NGLOBAL; j++)
        fprintf(f, "%s%s%s%s", j ? " " : "", global_options[j].alias ? global_options[j].alias : "",
                global_options[j].alias ? " " : "", global_options[j].flag);
    fputs("\"\n"
          "    case \"$cmd\" in\n",
          f);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (!command_flag_words(NULL, &commands[i]))
            continue;
        fprintf(f, "        %s) flags+=\" ", commands[i].name);
        command_flag_words(f, &commands[i]);
        fputs("\" ;;\n", f);
    }
    fputs("    esac\n"
          "\n"
          "    if [[ \"$cur\" == -* ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n"
          "    elif [[ -z \"$cmd\" ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\"))\n"
          "    else\n"
          "        case \"$cmd\" in\n",
          f);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (!(commands[i].opts & OPT_ARGUMENT))
            continue;
        const char *choices = argument_choices(&commands[i]);
        if (choices)
            fprintf(f, "            %s) COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")) ;;\n",
                    commands[i].name, choices);
        else
            fprintf(f,
                    "            %s) COMPREPLY=($(compgen -W \"$(_cairn_migrations \"$out\")\" "
                    "-- \"$cur\")) ;;\n",
                    commands[i].name);
    }
    fputs("        esac\n"
          "    fi\n"
          "} &&\n"
          "    complete -F _cairn cairn\n"
          "\n"
          "# ex: filetype=sh\n",
          f);
}

/* `text` inside a single-quoted shell word, and for zsh's _arguments with
 * its brackets and colons escaped. */
static void quoted(FILE *f, const char *text, int zsh_spec)
{
    for (const char *p = text; *p; p++) {
        if (*p == '\'')
            fputs(zsh_spec ? "'\\''" : "\\'", f);
        else if (zsh_spec && (*p == '[' || *p == ']' || *p == ':' || *p == '\\'))
            fprintf(f, "\\%c", *p);
        else if (!zsh_spec && *p == '\\')
            fputs("\\\\", f);
        else
            fputc(*p, f);
    }
}

/* One _arguments spec of an option: '--flag=[help]:meta:action'. */
static void zsh_option(FILE *f, const char *flag, const char *help, const char *metavar,
                       value_kind kind)
{
    static const char *const actions[] = {[VALUE_TEXT] = " ",
                                          [VALUE_FILE] = "_files",
                                          [VALUE_DIR] = "_files -/",
                                          [VALUE_DIALECT] = "_cairn_dialects",
                                          [VALUE_COLOR] = "(auto always never)",
                                          [VALUE_FORMAT] = "(dot mermaid svg html)",
                                          [VALUE_COLUMNS] = "(all keys none)"};
    fprintf(f, "    '%s%s[", flag, metavar ? "=" : "");
    quoted(f, help, 1);
    fputc(']', f);
    if (metavar)
        fprintf(f, ":%s:%s", metavar, actions[kind]);
    fputs("'\n", f);
}

static void completion_zsh(FILE *f)
{
    fputs("#compdef cairn\n"
          "# zsh completion for cairn. Generated by 'cairn completion zsh' from the front\n"
          "# end's command and option tables: do not edit (cli.completion checks it).\n"
          "\n"
          "_cairn_dialects() {\n"
          "  local -a names\n"
          "  names=(${(f)\"$(_call_program dialects cairn " DIALECT_NAMES ")\"})\n"
          "  _describe -t dialects 'dialect' names\n"
          "}\n"
          "\n"
          "_cairn_migrations() {\n"
          "  local -a names\n"
          "  names=(migrations/*(N/:t))\n"
          "  _describe -t migrations 'migration' names\n"
          "}\n"
          "\n"
          "_cairn() {\n"
          "  local curcontext=$curcontext state line\n"
          "  local -a globals commands opts\n"
          "  globals=(\n",
          f);
    for (size_t j = 0; j < NGLOBAL; j++) {
        if (global_options[j].alias)
            zsh_option(f, global_options[j].alias, global_options[j].help, NULL, VALUE_TEXT);
        zsh_option(f, global_options[j].flag, global_options[j].help, global_options[j].metavar,
                   global_options[j].kind);
    }
    fputs("  )\n"
          "  commands=(\n",
          f);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (commands[i].opts & CMD_HIDDEN)
            continue;
        fprintf(f, "    '%s:", commands[i].name);
        quoted(f, commands[i].summary, 1);
        fputs("'\n", f);
    }
    fputs("  )\n"
          "  _arguments -C -s $globals '1: :->command' '*:: :->args' && return\n"
          "  case $state in\n"
          "  command)\n"
          "    _describe -t commands 'cairn command' commands\n"
          "    ;;\n"
          "  args)\n"
          "    case $words[1] in\n",
          f);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (!command_flag_words(NULL, &commands[i]) && !(commands[i].opts & OPT_ARGUMENT))
            continue;
        fprintf(f, "    %s)\n      opts=(\n", commands[i].name);
        for (size_t j = 0; j < sizeof command_flags / sizeof *command_flags; j++)
            if (commands[i].opts & command_flags[j].bit) {
                fputs("  ", f);
                zsh_option(f, command_flags[j].flag, command_flags[j].help,
                           command_flags[j].takes_value ? "value" : NULL, command_flags[j].kind);
            }
        if (commands[i].opts & OPT_ARGUMENT) {
            const char *choices = argument_choices(&commands[i]);
            if (choices)
                fprintf(f, "      '1:shell:(%s)'\n", choices);
            else
                fputs("      '1:migration:_cairn_migrations'\n", f);
        }
        fputs("      ) ;;\n", f);
    }
    fputs("    *) opts=() ;;\n"
          "    esac\n"
          "    _arguments -s $globals $opts\n"
          "    ;;\n"
          "  esac\n"
          "}\n"
          "\n"
          "_cairn \"$@\"\n",
          f);
}

/* One `complete` line of an option, for the commands in `cond` (or all). */
static void fish_option(FILE *f, const char *cond, const char *flag, const char *alias,
                        const char *help, int takes_value, value_kind kind)
{
    static const char *const actions[] = {
        [VALUE_TEXT] = " -x",
        [VALUE_FILE] = " -r -F",
        [VALUE_DIR] = " -x -a '(__fish_complete_directories)'",
        [VALUE_DIALECT] = " -x -a '(__cairn_dialects)'",
        [VALUE_COLOR] = " -x -a 'auto always never'",
        [VALUE_FORMAT] = " -x -a 'dot mermaid svg html'",
        [VALUE_COLUMNS] = " -x -a 'all keys none'"};
    fputs("complete -c cairn", f);
    if (cond)
        fprintf(f, " -n '__fish_seen_subcommand_from %s'", cond);
    if (alias)
        fprintf(f, " -s %s", alias + 1);
    fprintf(f, " -l %s%s -d '", flag + 2, takes_value ? actions[kind] : "");
    quoted(f, help, 0);
    fputs("'\n", f);
}

static void completion_fish(FILE *f)
{
    fputs("# fish completion for cairn. Generated by 'cairn completion fish' from the\n"
          "# front end's command and option tables: do not edit (cli.completion checks it).\n"
          "\n"
          "complete -c cairn -f\n"
          "function __cairn_dialects\n"
          "    cairn " DIALECT_NAMES "\n"
          "end\n",
          f);
    fputs("set -l cairn_commands", f);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!(commands[i].opts & CMD_HIDDEN))
            fprintf(f, " %s", commands[i].name);
    fputc('\n', f);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (commands[i].opts & CMD_HIDDEN)
            continue;
        fprintf(f,
                "complete -c cairn -n \"not __fish_seen_subcommand_from $cairn_commands\" -a %s "
                "-d '",
                commands[i].name);
        quoted(f, commands[i].summary, 0);
        fputs("'\n", f);
    }
    for (size_t j = 0; j < NGLOBAL; j++)
        fish_option(f, NULL, global_options[j].flag, global_options[j].alias,
                    global_options[j].help, global_options[j].metavar != NULL,
                    global_options[j].kind);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        for (size_t j = 0; j < sizeof command_flags / sizeof *command_flags; j++)
            if (commands[i].opts & command_flags[j].bit)
                fish_option(f, commands[i].name, command_flags[j].flag, NULL,
                            command_flags[j].help, command_flags[j].takes_value,
                            command_flags[j].kind);
        if (commands[i].opts & OPT_ARGUMENT) {
            const char *choices = argument_choices(&commands[i]);
            fprintf(f, "complete -c cairn -n '__fish_seen_subcommand_from %s' -x -a ",
                    commands[i].name);
            if (choices)
                fprintf(f, "'%s'\n", choices);
            else
                fputs("'(path basename migrations/*/ 2>/dev/null)'\n", f);
        }
    }
}

static int run_completion(cairn_ctx *cx, const cli *c)
{
    (void)cx;
    static const struct {
        const char *shell;
        void (*print)(FILE *f);
    } shells[] = {{"bash", completion_bash}, {"zsh", completion_zsh}, {"fish", completion_fish}};
    for (size_t i = 0; i < sizeof shells / sizeof *shells; i++)
        if (c->argument && strcmp(c->argument, shells[i].shell) == 0) {
            shells[i].print(stdout);
            return 0;
        }
    snprintf(front_message, sizeof front_message,
             "completion wants a shell: bash, zsh or fish (see 'cairn completion --help')");
    return CAIRN_EUSAGE;
}

static void print_usage(FILE *f)
{
    fprintf(f,
            "Usage: cairn [global options] <command> [options]\n\n"
            "Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!(commands[i].opts & CMD_HIDDEN))
            fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nGlobal options (they override cairn.json):\n");
    for (size_t k = 0; k < NGLOBAL; k++) {
        char shown[64];
        if (global_options[k].alias)
            snprintf(shown, sizeof shown, "%s, %s", global_options[k].alias,
                     global_options[k].flag);
        else if (!global_options[k].metavar)
            snprintf(shown, sizeof shown, "    %s", global_options[k].flag);
        else
            snprintf(shown, sizeof shown, "%s %s", global_options[k].flag,
                     global_options[k].metavar);
        fprintf(f, "  %-25s %s\n", shown, global_options[k].help);
    }
    fprintf(f,
            "\nExit status: 0 ok, 1 internal, 2 usage, 3 config, 4 schema, 5 dialect,\n"
            "6 database, 7 integrity, 8 locked, 9 destructive refused, 10 partial, 11 I/O,\n"
            "12 work pending (--check, drift), 13 lint error.\n");
}

static void print_command_usage(const command *cmd)
{
    printf("Usage: cairn [global options] %s", cmd->usage);
}

/* Split "--flag=value"; returns the flag's length. */
static size_t flag_len(const char *arg)
{
    const char *eq = strchr(arg, '=');
    return eq && arg[1] == '-' ? (size_t)(eq - arg) : strlen(arg);
}

static int flag_is(const char *arg, size_t len, const char *flag)
{
    return strlen(flag) == len && strncmp(arg, flag, len) == 0;
}

/* The value of an option: after '=' or the next argument. */
static int take_value(int argc, char **argv, int *i, size_t len, const char **value)
{
    const char *arg = argv[*i];
    if (arg[len] == '=') {
        *value = arg + len + 1;
        return 0;
    }
    if (*i + 1 >= argc)
        return -1;
    *value = argv[++*i];
    return 0;
}

static int parse(cli *c, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0') {
            if (c->cmd && (c->cmd->opts & OPT_ARGUMENT) && !c->argument) {
                c->argument = arg;
                continue;
            }
            if (c->cmd && (c->cmd->opts & OPT_ARGUMENT2) && !c->argument2) {
                c->argument2 = arg;
                continue;
            }
            if (c->cmd && (c->cmd->opts & OPT_ARGUMENTS)) {
                const char **nv = realloc(c->args, (c->nargs + 1) * sizeof *nv);
                if (!nv)
                    return fail_with(CAIRN_ENOMEM, "out of memory", NULL);
                c->args = nv;
                c->args[c->nargs++] = arg;
                continue;
            }
            if (c->cmd)
                return usage_error("unexpected argument", arg, c->cmd->name);
            for (size_t k = 0; k < NCOMMANDS; k++)
                if (strcmp(commands[k].name, arg) == 0)
                    c->cmd = &commands[k];
            if (!c->cmd)
                return usage_error("unknown command", arg, NULL);
            continue;
        }
        size_t len = flag_len(arg);
        const char *value = NULL;
        if (arg[len] == '=' && (flag_is(arg, len, "--help") || flag_is(arg, len, "--verbose") ||
                                flag_is(arg, len, "--version")))
            return usage_error("option takes no value", arg, c->cmd ? c->cmd->name : NULL);
        if (flag_is(arg, len, "-h") || flag_is(arg, len, "--help")) {
            c->help = 1;
            continue;
        }
        if (flag_is(arg, len, "-v") || flag_is(arg, len, "--verbose")) {
            c->verbose = 1;
            continue;
        }
        if (flag_is(arg, len, "--json")) {
            if (arg[len] == '=')
                return usage_error("option takes no value", arg, c->cmd ? c->cmd->name : NULL);
            c->json = json_mode = 1;
            continue;
        }
        if (flag_is(arg, len, "--progress")) {
            if (arg[len] == '=')
                return usage_error("option takes no value", arg, c->cmd ? c->cmd->name : NULL);
            c->progress = 1;
            continue;
        }
        if (flag_is(arg, len, "--version")) {
            c->version = 1;
            continue;
        }
        if (flag_is(arg, len, "--color")) {
            static const char *const whens[] = {"auto", "always", "never"};
            if (take_value(argc, argv, &i, len, &value))
                return usage_error("missing value for option", arg, NULL);
            int when = -1;
            for (int k = 0; k < 3; k++)
                if (strcmp(value, whens[k]) == 0)
                    when = k;
            if (when < 0)
                return usage_error("--color wants auto, always or never, not", value, NULL);
            color_out = color_on(STDOUT_FILENO, when);
            color_err = color_on(STDERR_FILENO, when);
            continue;
        }
        if (flag_is(arg, len, "--config")) {
            if (take_value(argc, argv, &i, len, &c->config))
                return usage_error("missing value for option", arg, NULL);
            continue;
        }
        int found = 0;
        for (size_t k = 0; k < NGLOBAL && !found; k++)
            if (global_options[k].setting && flag_is(arg, len, global_options[k].flag)) {
                if (take_value(argc, argv, &i, len, &c->settings[k]))
                    return usage_error("missing value for option", arg, NULL);
                found = 1;
            }
        for (size_t k = 0; k < sizeof command_flags / sizeof *command_flags && !found; k++) {
            if (!flag_is(arg, len, command_flags[k].flag))
                continue;
            if (!c->cmd || !(c->cmd->opts & command_flags[k].bit))
                return usage_error("unknown option", arg, c->cmd ? c->cmd->name : NULL);
            found = 1;
            if (command_flags[k].takes_value &&
                take_value(argc, argv, &i, len, &value))
                return usage_error("missing value for option", arg, c->cmd->name);
            if (!command_flags[k].takes_value && arg[len] == '=')
                return usage_error("option takes no value", arg, c->cmd->name);
            switch (command_flags[k].bit) {
            case OPT_NAME: c->name = value; break;
            case OPT_CUSTOM: c->custom = 1; break;
            case OPT_DRY_RUN: c->dry_run = 1; break;
            case OPT_NO_DROP: c->no_drop = 1; break;
            case OPT_CHECK: c->check = c->dry_run = 1; break;
            case OPT_ACCEPT_EDIT: c->accept_edit = 1; break;
            case OPT_FORGET: c->forget = 1; break;
            case OPT_HISTORY_ONLY: c->history_only = 1; break;
            case OPT_NO_HISTORY: c->no_history = 1; break;
            case OPT_HISTORY_TABLE: c->history_table = value; break;
            case OPT_ALL_IN_ONE: c->all_in_one = 1; break;
            case OPT_OUTPUT: c->output = value; break;
            case OPT_TO: c->to = value; break;
            case OPT_STEPS: c->steps = value; break;
            case OPT_FORMAT: c->format = value; break;
            case OPT_COLUMNS: c->columns = value; break;
            case OPT_AT: c->at = value; break;
            case OPT_FORCE: c->force = 1; break;
            case OPT_RESUME: c->resume = 1; break;
            case OPT_APPLIED: c->applied = 1; break;
            case OPT_ROLLED_BACK: c->rolled_back = 1; break;
            case OPT_STMT_DONE: c->stmt_done = 1; break;
            case OPT_STMT_NOT_DONE: c->stmt_not_done = 1; break;
            case OPT_FLEET:
                if (fleet_flag(c, command_flags[k].flag, value))
                    return usage_error(value ? "wants a whole number from 1, not" : "bad option",
                                       value ? value : arg, c->cmd->name);
                break;
            case OPT_RENAME: {
                const char *eq = strchr(value, '=');
                if (!eq || eq == value || !eq[1])
                    return usage_error("--rename wants OLD=NEW, not", value, c->cmd->name);
                const char **nv = realloc(c->renames, (c->nrenames + 1) * sizeof *nv);
                if (!nv)
                    return fail_with(CAIRN_ENOMEM, "out of memory", NULL);
                c->renames = nv;
                c->renames[c->nrenames++] = value;
                break;
            }
            }
        }
        if (!found)
            return usage_error("unknown option", arg, c->cmd ? c->cmd->name : NULL);
    }
    return 0;
}

/* Output that did not reach its destination (a full disk, a closed pipe)
 * is a failure when the output is what was asked for (export, pull, status,
 * a dry run). When the command changed the database or the folder, the
 * output was only a report: the exit status says what happened to them,
 * and the lost report is a warning. */
static int finish(int status, int changed)
{
    if ((fflush(stdout) != 0 || ferror(stdout)) && status == EXIT_OK) {
        if (!changed)
            return fail_with(CAIRN_EIO, "cannot write to standard output", NULL);
        fputs("cairn: warning: cannot write to standard output; the command's work is done\n",
              stderr);
    }
    return status;
}

int main(int argc, char **argv)
{
    /* A closed pipe is a failed write (EPIPE), reported by finish(), never
     * a signal that kills the process after its work is done. */
    signal(SIGPIPE, SIG_IGN);
    cli_json_arena_install();
    color_out = color_on(STDOUT_FILENO, COLOR_AUTO);
    color_err = color_on(STDERR_FILENO, COLOR_AUTO);
    cli c;
    memset(&c, 0, sizeof c);
    int status = parse(&c, argc, argv);
    if (status) {
        free(c.renames);
        free(c.args);
        return status;
    }
    if (c.version) {
        printf("cairn %s (dialect ABI %d.%d)\n", cairn_version(), CAIRN_DIALECT_ABI_MAJOR,
               CAIRN_DIALECT_ABI_MINOR);
        free(c.renames);
        free(c.args);
        return finish(EXIT_OK, 0);
    }
    if (c.help) {
        if (c.cmd)
            print_command_usage(c.cmd);
        else
            print_usage(stdout);
        free(c.renames);
        free(c.args);
        return finish(EXIT_OK, 0);
    }
    if (!c.cmd) {
        free(c.renames);
        free(c.args);
        return fail_with(CAIRN_EUSAGE, "no command given (see 'cairn --help')", NULL);
    }
    if (c.json && !(c.cmd->opts & CMD_JSON)) {
        free(c.renames);
        free(c.args);
        char msg[160];
        snprintf(msg, sizeof msg, "--json: 'cairn %s' has no JSON output", c.cmd->name);
        return fail_with(CAIRN_EUSAGE, msg, NULL);
    }
    int steps;
    if (c.cmd->run == run_rollback && c.to && c.steps) {
        free(c.renames);
        return fail_with(CAIRN_EUSAGE,
                         "rollback: give --to NAME or --steps N, not both (nothing changed)",
                         NULL);
    }
    if (c.cmd->run == run_rollback && c.steps && parse_steps(c.steps, &steps)) {
        free(c.renames);
        return usage_error("--steps wants a whole number from 1, not", c.steps, "rollback");
    }
    if (c.cmd->run == run_resolve &&
        (!c.argument || c.applied + c.rolled_back + c.stmt_done + c.stmt_not_done +
                                 c.accept_edit + c.forget !=
                             1)) {
        free(c.renames);
        free(c.args);
        return fail_with(CAIRN_EUSAGE,
                         "resolve wants a migration's name and one of --applied, --rolled-back, "
                         "--statement-done, --statement-not-done, --accept-edit, --forget (see "
                         "'cairn resolve --help')",
                         NULL);
    }

    cairn_diagram_opts dopts;
    if (c.cmd->run == run_diagram && (status = diagram_opts(&c, &dopts, 1)) != 0) {
        free(c.renames);
        return status;
    }

    if (c.cmd->run == run_import && (!c.argument2 || (c.history_only && c.no_history))) {
        free(c.renames);
        return fail_with(CAIRN_EUSAGE,
                         c.argument2 ? "import: --history-only and --no-history exclude each "
                                       "other (see 'cairn import --help')"
                                     : "import wants a tool and a folder: cairn import TOOL DIR "
                                       "(see 'cairn import --help')",
                         NULL);
    }

    cairn_ctx *cx;
    if (cairn_ctx_new(&cx)) {
        free(c.renames);
        free(c.args);
        return fail_with(CAIRN_ENOMEM, "out of memory", NULL);
    }
    cairn_ctx_set_logger(cx, log_line, NULL);
    show_progress = c.progress || c.verbose || isatty(STDERR_FILENO);
    if (c.json || show_progress)
        cairn_ctx_set_event_handler(cx, on_event, NULL);
    if (c.json) {
        json_command = c.cmd->name;
        if (!(jout = open_memstream(&jbody, &jbody_len))) {
            cairn_ctx_free(cx);
            free(c.renames);
            return fail_with(CAIRN_ENOMEM, "out of memory", NULL);
        }
    }
    int rc = 0;
    if (c.verbose)
        rc = cairn_ctx_set(cx, "verbose", "1");
    if (c.check && !rc)
        rc = cairn_ctx_set(cx, "check", "1");
    for (size_t k = 0; k < NGLOBAL && !rc; k++)
        if (c.settings[k])
            rc = cairn_ctx_set(cx, global_options[k].setting, c.settings[k]);
    if (!rc && !(c.cmd->opts & CMD_NO_CONFIG))
        rc = cairn_ctx_load_config(cx, c.config);
    if (!rc)
        rc = c.cmd->run(cx, &c);
    if (!rc && events_lost)
        rc = CAIRN_ENOMEM;
    status = rc ? fail(cx, rc) : EXIT_OK;
    json_document(status, NULL, NULL);
    cairn_ctx_free(cx);
    free(c.renames);
    if (jout)
        fclose(jout);
    free(jbody);
    for (size_t i = 0; i < nevents; i++)
        free_event(&events[i]);
    free(events);
    free(c.args);
    return finish(status, (c.cmd->opts & CMD_CHANGES) && !c.dry_run);
}
