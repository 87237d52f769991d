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
#include <unistd.h>

#include <cairn/cairn.h>
#include <cairn/sys/dialect.h>

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
    EXIT_PENDING = 12
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
};

static int exit_status(int code)
{
    for (size_t i = 0; i < sizeof exit_map / sizeof *exit_map; i++)
        if (exit_map[i].code == code)
            return exit_map[i].status;
    return EXIT_INTERNAL;
}

/* ---- output ----------------------------------------------------------------- */

/* --json: standard output holds one JSON document and nothing else, so
 * progress lines go to standard error. */
static int json_mode;
/* the command printed its JSON document: a later failure (status --check
 * finding work) is the exit status and the error line only */
static int json_printed;

/* `s` as a JSON string, quotes included. */
static void json_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void log_line(void *ud, cairn_log_level level, const char *line)
{
    (void)ud;
    FILE *f = level == CAIRN_LOG_INFO && !json_mode ? stdout : stderr;
    if (level == CAIRN_LOG_WARN)
        fputs("warning: ", f);
    else if (level == CAIRN_LOG_DEBUG)
        fputs("debug: ", f);
    fputs(line, f);
    fputc('\n', f);
    fflush(f);
}

static const char *const exit_kinds[] = {"ok",     "internal",  "usage",   "config", "schema",
                                         "dialect", "database", "integrity", "locked", "destructive",
                                         "partial", "io",       "pending"};

/* The one error line of a failed run (and with --json, the error as the
 * document on standard output). */
static int fail_with(int code, const char *message, const char *sqlstate)
{
    int status = exit_status(code);
    const char *text = message && *message ? message : "unexpected failure";
    fflush(stdout);
    fputs("cairn: error: ", stderr);
    fputs(text, stderr);
    if (sqlstate && *sqlstate)
        fprintf(stderr, " [SQLSTATE %s]", sqlstate);
    fputc('\n', stderr);
    if (json_mode && !json_printed) {
        printf("{\"format_version\": 1, \"error\": {\"exit_code\": %d, \"kind\": ", status);
        json_str(stdout, status < 13 ? exit_kinds[status] : "internal");
        fputs(", \"message\": ", stdout);
        json_str(stdout, text);
        fputs(", \"sqlstate\": ", stdout);
        json_str(stdout, sqlstate && *sqlstate ? sqlstate : NULL);
        fputs("}}\n", stdout);
    }
    return status;
}

/* A failure found by the front end itself (status --check), not the library. */
static char front_message[128];

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

/* Options that take a value and become a setting of the context. */
static const struct {
    const char *flag;
    const char *setting;
} setting_flags[] = {
    {"--dialect", "dialect"},
    {"--url", "url"},
    {"--schema", "schema"},
    {"--out", "out"},
    {"--dialect-path", "dialect_path"},
    {"--migrations-table", "migrations_table"},
    {"--migrations-schema", "migrations_schema"},
    {"--lock-timeout", "lock_timeout"},
    {"--tables", "tables"},
    {"--namespaces", "namespaces"},
};
#define NSETTINGS (sizeof setting_flags / sizeof *setting_flags)

typedef struct cli {
    const char *config;
    const char *settings[NSETTINGS];
    int verbose, help, version;
    const struct command *cmd;
    /* command options */
    const char *name, *output;
    const char *argument;
    int custom, dry_run, all_in_one, force, resume, applied, rolled_back, stmt_done, stmt_not_done;
    int accept_edit, forget, json;
    int check;
    const char **renames;
    size_t nrenames;
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
    /* not a flag: the command changes a database or the migrations folder
     * (unless --dry-run), so its standard output is a report of work done */
    CMD_CHANGES = 1u << 30,
    /* not a flag: the command makes the project, so no cairn.json is read */
    CMD_NO_CONFIG = 1u << 29,
    /* not a flag: the command can print its result as JSON (--json) */
    CMD_JSON = 1u << 28
};

static const struct {
    const char *flag;
    unsigned bit;
    int takes_value;
} command_flags[] = {
    {"--name", OPT_NAME, 1},       {"--custom", OPT_CUSTOM, 0},   {"--rename", OPT_RENAME, 1},
    {"--dry-run", OPT_DRY_RUN, 0}, {"--all-in-one", OPT_ALL_IN_ONE, 0},
    {"--output", OPT_OUTPUT, 1},   {"--force", OPT_FORCE, 0},     {"--resume", OPT_RESUME, 0},
    {"--applied", OPT_APPLIED, 0}, {"--rolled-back", OPT_ROLLED_BACK, 0},
    {"--statement-done", OPT_STMT_DONE, 0}, {"--statement-not-done", OPT_STMT_NOT_DONE, 0},
    {"--check", OPT_CHECK, 0},      {"--accept-edit", OPT_ACCEPT_EDIT, 0},
    {"--forget", OPT_FORGET, 0},
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

static int run_generate(cairn_ctx *cx, const cli *c)
{
    cairn_generate_opts o = {.name = c->name, .custom = c->custom,
                             .diff = {.renames = c->renames, .nrenames = c->nrenames}};
    char *dir = NULL;
    int rc = cairn_generate(cx, &o, &dir);
    cairn_free(dir);
    return rc;
}

static int run_merge(cairn_ctx *cx, const cli *c)
{
    char *dir = NULL;
    int rc = cairn_merge(cx, c->name, &dir);
    cairn_free(dir);
    return rc;
}

static int run_migrate(cairn_ctx *cx, const cli *c)
{
    cairn_migrate_opts o = {.dry_run = c->dry_run, .all_in_one = c->all_in_one,
                            .resume = c->resume};
    return cairn_migrate(cx, &o);
}

static int run_resolve(cairn_ctx *cx, const cli *c)
{
    if (c->accept_edit || c->forget)
        return cairn_repair(cx, c->argument,
                            c->forget ? CAIRN_REPAIR_FORGET : CAIRN_REPAIR_ACCEPT_EDIT);
    if (c->stmt_done || c->stmt_not_done)
        return cairn_resolve_statement(cx, c->argument, c->stmt_done);
    return cairn_resolve(cx, c->argument, c->applied);
}

static int run_pull(cairn_ctx *cx, const cli *c)
{
    return cairn_pull(cx, c->output, c->force);
}

static int run_push(cairn_ctx *cx, const cli *c)
{
    cairn_push_opts o = {.dry_run = c->dry_run, .force = c->force,
                         .diff = {.renames = c->renames, .nrenames = c->nrenames}};
    return cairn_push(cx, &o);
}

static int run_export(cairn_ctx *cx, const cli *c)
{
    (void)c;
    char *sql = NULL;
    int rc = cairn_export(cx, &sql);
    if (rc == 0)
        fputs(sql, stdout);
    cairn_free(sql);
    return rc;
}

static int run_baseline(cairn_ctx *cx, const cli *c)
{
    return cairn_baseline(cx, c->argument, c->force);
}

static int run_drift(cairn_ctx *cx, const cli *c)
{
    (void)c;
    return cairn_drift(cx);
}

static int run_check(cairn_ctx *cx, const cli *c)
{
    (void)c;
    return cairn_check_migrations(cx);
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
    }
    return "?";
}

static void status_json(const cairn_status_row *rows, size_t n, size_t open)
{
    printf("{\"format_version\": 1, \"command\": \"status\", \"migrations\": [");
    for (size_t i = 0; i < n; i++) {
        printf("%s\n  {\"name\": ", i ? "," : "");
        json_str(stdout, rows[i].name);
        fputs(", \"state\": ", stdout);
        char word[16];
        snprintf(word, sizeof word, "%s", state_word(rows[i].state));
        for (char *p = word; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        json_str(stdout, word);
        fputs(", \"applied_at\": ", stdout);
        json_str(stdout, rows[i].applied_at);
        fputs("}", stdout);
    }
    printf("%s], \"not_applied\": %zu}\n", n ? "\n" : "", open);
    json_printed = 1;
}

static int run_status(cairn_ctx *cx, const cli *c)
{
    cairn_status_row *rows = NULL;
    size_t n = 0, open = 0;
    int rc = cairn_status(cx, &rows, &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        open += rows[i].state != CAIRN_MIGRATION_APPLIED &&
                rows[i].state != CAIRN_MIGRATION_BASELINE;
    if (c->json)
        status_json(rows, n, open);
    for (size_t i = 0; i < n && !c->json; i++) {
        if (rows[i].applied_at)
            printf("%-8s %s  %s\n", state_word(rows[i].state), rows[i].name, rows[i].applied_at);
        else
            printf("%-8s %s\n", state_word(rows[i].state), rows[i].name);
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

/* `s` as a JSON string's contents (quotes and backslashes escaped). */
static void json_escaped(char *out, size_t size, const char *s)
{
    size_t n = 0;
    for (; *s && n + 3 < size; s++) {
        if (*s == '"' || *s == '\\')
            out[n++] = '\\';
        out[n++] = *s;
    }
    out[n] = '\0';
}

static const char *setting_value(const cli *c, const char *flag)
{
    for (size_t k = 0; k < NSETTINGS; k++)
        if (strcmp(setting_flags[k].flag, flag) == 0)
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
    char d[128] = "", u[1024] = "", s[512], o[512], conf[4096], sch[512];
    if (dialect)
        json_escaped(d, sizeof d, dialect);
    if (url && !secret)
        json_escaped(u, sizeof u, url);
    json_escaped(s, sizeof s, schema);
    json_escaped(o, sizeof o, out);
    snprintf(conf, sizeof conf, "{\n%s%s%s%s%s%s  \"schema\": \"%s\",\n  \"out\": \"%s\"\n}\n",
             *d ? "  \"dialect\": \"" : "", d, *d ? "\",\n" : "", *u ? "  \"url\": \"" : "", u,
             *u ? "\",\n" : "", s, o);
    snprintf(sch, sizeof sch, "{\n%s%s%s  \"tables\": []\n}\n", *d ? "  \"dialect\": \"" : "", d,
             *d ? "\",\n" : "");
    int ok = write_new("cairn.json", conf) == 0;
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
    if (!ok) {
        snprintf(front_message, sizeof front_message, "cannot write the project files: %s",
                 strerror(errno));
        return CAIRN_EIO;
    }
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
    (void)c;
    char *name = NULL;
    int rc = cairn_drop(cx, &name);
    cairn_free(name);
    return rc;
}

static void dialects_json(const cairn_dialect_info *list, size_t n, char **real,
                          const char *dup)
{
    printf("{\"format_version\": 1, \"command\": \"dialects\", \"dialects\": [");
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        const cairn_dialect_info *d = &list[i];
        if (dup[i])
            continue;
        printf("%s\n  {\"name\": ", shown++ ? "," : "");
        json_str(stdout, d->name);
        fputs(", \"version\": ", stdout);
        json_str(stdout, d->version);
        char abi[32] = "";
        if (d->version)
            snprintf(abi, sizeof abi, "%u.%u", d->abi_major, d->abi_minor);
        fputs(", \"abi\": ", stdout);
        json_str(stdout, *abi ? abi : NULL);
        fputs(", \"path\": ", stdout);
        json_str(stdout, real[i] ? real[i] : d->path);
        char caps[512];
        fputs(", \"capabilities\": [", stdout);
        if (!d->problem) {
            cairn_caps_string(d->caps, caps, sizeof caps);
            char *save = NULL;
            int k = 0;
            for (char *w = strtok_r(caps, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                fputs(k++ ? ", " : "", stdout);
                json_str(stdout, w);
            }
        }
        fputs("], \"problem\": ", stdout);
        json_str(stdout, d->problem);
        fputs("}", stdout);
    }
    printf("%s]}\n", shown ? "\n" : "");
    json_printed = 1;
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
        dialects_json(list, n, real, dup);
    else
        dialects_text(list, n, real, dup);
    for (size_t i = 0; i < n; i++)
        free(real[i]);
    free(real);
    free(dup);
    cairn_dialect_list_free(list, n);
    return 0;
}

static const command commands[] = {
    {"generate", OPT_NAME | OPT_CUSTOM | OPT_RENAME | OPT_CHECK | CMD_CHANGES, run_generate,
     "write a new migration from the schema changes",
     "generate [--name NAME] [--custom] [--rename OLD=NEW]... [--check]\n\n"
     "Diff the newest snapshot in the migrations folder to the schema file and write\n"
     "<out>/<timestamp>_<name>/{migration.sql,snapshot.json}. Nothing is written when\n"
     "nothing changed.\n\n"
     "  --name NAME        the folder's slug (default: migration)\n"
     "  --custom           write an empty migration.sql to fill in by hand\n"
     "  --rename OLD=NEW   a table (old=new) or column (table.old=table.new) was renamed\n"
     "  --check            write nothing; print the SQL a migration would hold and exit 12\n"
     "                     when the schema changed since the newest migration\n"},
    {"merge", OPT_NAME | CMD_CHANGES, run_merge, "write a migration that joins merged branches",
     "merge [--name NAME]\n\n"
     "After branches that each generated migrations are merged in git, the folder has\n"
     "several heads. Write a migration that runs nothing and names them all as its\n"
     "parents, so the next generate starts from one state ('generate' also joins them\n"
     "when the schema changed). Refuses when the folder has one branch, and when\n"
     "the branches changed one object differently (the conflict is named).\n\n"
     "  --name NAME        the folder's slug (default: merge)\n"},
    {"migrate", OPT_DRY_RUN | OPT_ALL_IN_ONE | OPT_RESUME | OPT_CHECK | CMD_CHANGES, run_migrate,
     "apply the pending migrations to the database",
     "migrate [--dry-run] [--all-in-one] [--resume] [--check]\n\n"
     "Apply every pending migration of the migrations folder to the database, each in\n"
     "its own transaction, holding the migration lock for the whole run.\n\n"
     "  --dry-run          print what would run, change nothing\n"
     "  --all-in-one       apply all pending migrations in one transaction\n"
     "  --resume           continue a migration that stopped part-way (PARTIAL) from\n"
     "                     its first statement that did not run, after fixing the cause\n"
     "  --check            a dry run that exits 12 when something would be applied\n"},
    {"resolve", OPT_APPLIED | OPT_ROLLED_BACK | OPT_STMT_DONE | OPT_STMT_NOT_DONE | OPT_ACCEPT_EDIT |
                    OPT_FORGET | OPT_ARGUMENT | CMD_CHANGES,
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
     "                     nothing is run\n"
     "  --forget           MISSING: remove the history row of a migration whose folder\n"
     "                     is gone; nothing in the database changes\n"},
    {"pull", OPT_OUTPUT | OPT_FORCE, run_pull, "write the live database's schema to a file",
     "pull [--output FILE] [--force]\n\n"
     "Read the database and write its schema as JSON (or, for a FILE ending in .sql,\n"
     "as the SQL that creates it). Without --output the JSON goes to standard output.\n"
     "What cairn does not model (SQLite: triggers on views) is left out, and one line\n"
     "on standard error says what, per kind and count.\n\n"
     "  --output FILE      where to write (.json or .sql)\n"
     "  --force            overwrite FILE if it exists\n"},
    {"push", OPT_DRY_RUN | OPT_FORCE | OPT_RENAME | OPT_CHECK | CMD_CHANGES, run_push,
     "apply the schema to the database directly, without migrations",
     "push [--dry-run] [--force] [--rename OLD=NEW]... [--check]\n\n"
     "Diff the live database to the schema file and apply the difference, in one\n"
     "transaction where the database rolls back DDL; on MySQL / MariaDB a failure\n"
     "after some statements ran stops with exit 10 naming them. Records no history.\n"
     "Destructive changes are refused without --force.\n\n"
     "  --dry-run          print the SQL that would run, change nothing, take no lock\n"
     "  --force            apply destructive changes too\n"
     "  --rename OLD=NEW   a table (old=new) or column (table.old=table.new) was renamed\n"
     "  --check            a dry run that exits 12 when the database differs from the\n"
     "                     schema (drift)\n"},
    {"export", 0, run_export, "print the SQL that creates the schema from nothing",
     "export\n\nPrint the SQL that creates the schema file's schema in an empty database.\n"},
    {"check", 0, run_check, "check the migrations folder for consistency",
     "check\n\nCheck that every migration parses and that every parent a snapshot names is an\n"
     "older migration; name branches merged in git that are not joined yet, and the\n"
     "conflicts their merge would find, before anything is deployed.\n"},
    {"baseline", OPT_ARGUMENT | OPT_FORCE | CMD_CHANGES, run_baseline,
     "adopt a database that already has the schema",
     "baseline [NAME] [--force]\n\n"
     "Record the migrations of the folder up to NAME (default: all) as applied, without\n"
     "running them, once the live database is checked to equal NAME's snapshot; when\n"
     "it is not, print the differences as SQL and exit 7, recording nothing. 'status'\n"
     "shows them as baseline. To adopt cairn on an existing database: 'cairn pull\n"
     "--output schema.json', 'cairn generate --name baseline', 'cairn baseline'.\n\n"
     "  --force            record even when the database differs (the differences are\n"
     "                     printed as warnings)\n"},
    {"drift", 0, run_drift, "compare the database with the migrations applied to it",
     "drift\n\nCompare the live database with the snapshot of the newest migration its history\n"
     "says is applied. Prints the SQL that would undo what was changed by hand (a hotfix\n"
     "on production) and exits 12 when there is drift, 0 when there is none. Changes\n"
     "nothing.\n"},
    {"status", OPT_CHECK | CMD_JSON, run_status, "list migrations: applied, pending, modified, missing",
     "status [--check]\n\nOne line per migration: applied (with its time), pending, MODIFIED (applied,\n"
     "file changed since), MISSING (applied, folder gone), PARTIAL (stopped part-way).\n\n"
     "  --check            exit 12 when any migration is not applied\n"},
    {"drop", CMD_CHANGES, run_drop, "remove the newest migration folder if it is not applied",
     "drop\n\nRemove the newest migration folder. With a database url configured, an\n"
     "applied migration is never removed.\n"},
    {"init", CMD_NO_CONFIG | CMD_CHANGES, run_init, "start a project: cairn.json and an empty schema",
     "init\n\nWrite cairn.json and an empty schema file (schema.json) in the current directory,\n"
     "from the global --dialect, --url, --schema and --out (default: SQLite, app.db).\n"
     "A URL with a password goes to .env as DATABASE_URL, not to cairn.json. Refuses\n"
     "to replace an existing file.\n"},
    {"dialects", CMD_JSON, run_dialects, "list the dialect drivers found and why any was refused",
     "dialects\n\nList every dialect driver on the search path: name, version, ABI, path and\n"
     "capabilities; a refused driver shows its problem.\n"},
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static void print_usage(FILE *f)
{
    fprintf(f,
            "Usage: cairn [global options] <command> [options]\n\n"
            "Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
            "\nGlobal options (they override cairn.json):\n"
            "  --config FILE             config file (default: ./cairn.json if present)\n"
            "  --dialect NAME            sqlite, postgresql, mysql, ...\n"
            "  --url URL                 database URL (default: $DATABASE_URL)\n"
            "  --schema PATH             schema file (.json, .sql) or directory\n"
            "  --out DIR                 migrations folder (default: migrations)\n"
            "  --dialect-path DIRS       colon-separated driver directories, searched first\n"
            "  --migrations-table NAME   history table (default: __cairn_migrations)\n"
            "  --migrations-schema NAME  namespace of the history table\n"
            "  --lock-timeout MS         wait this long for the migration lock\n"
            "  --tables GLOBS            comma-separated table patterns to manage\n"
            "  --namespaces LIST         comma-separated namespaces to manage\n"
            "  -v, --verbose             show debug lines (on standard error)\n"
            "      --json                the result as one JSON document (status, dialects)\n"
            "  -h, --help                this help; 'cairn <command> --help' for a command\n"
            "  --version                 print the version\n\n"
            "Exit status: 0 ok, 1 internal, 2 usage, 3 config, 4 schema, 5 dialect,\n"
            "6 database, 7 integrity, 8 locked, 9 destructive refused, 10 partial, 11 I/O,\n"
            "12 work pending (--check, drift).\n");
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
        if (flag_is(arg, len, "--version")) {
            c->version = 1;
            continue;
        }
        if (flag_is(arg, len, "--config")) {
            if (take_value(argc, argv, &i, len, &c->config))
                return usage_error("missing value for option", arg, NULL);
            continue;
        }
        int found = 0;
        for (size_t k = 0; k < NSETTINGS && !found; k++)
            if (flag_is(arg, len, setting_flags[k].flag)) {
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
            case OPT_CHECK: c->check = c->dry_run = 1; break;
            case OPT_ACCEPT_EDIT: c->accept_edit = 1; break;
            case OPT_FORGET: c->forget = 1; break;
            case OPT_ALL_IN_ONE: c->all_in_one = 1; break;
            case OPT_OUTPUT: c->output = value; break;
            case OPT_FORCE: c->force = 1; break;
            case OPT_RESUME: c->resume = 1; break;
            case OPT_APPLIED: c->applied = 1; break;
            case OPT_ROLLED_BACK: c->rolled_back = 1; break;
            case OPT_STMT_DONE: c->stmt_done = 1; break;
            case OPT_STMT_NOT_DONE: c->stmt_not_done = 1; break;
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
    cli c;
    memset(&c, 0, sizeof c);
    int status = parse(&c, argc, argv);
    if (status) {
        free(c.renames);
        return status;
    }
    if (c.version) {
        printf("cairn %s (dialect ABI %d.%d)\n", cairn_version(), CAIRN_DIALECT_ABI_MAJOR,
               CAIRN_DIALECT_ABI_MINOR);
        free(c.renames);
        return finish(EXIT_OK, 0);
    }
    if (c.help) {
        if (c.cmd)
            print_command_usage(c.cmd);
        else
            print_usage(stdout);
        free(c.renames);
        return finish(EXIT_OK, 0);
    }
    if (!c.cmd) {
        free(c.renames);
        return fail_with(CAIRN_EUSAGE, "no command given (see 'cairn --help')", NULL);
    }
    if (c.json && !(c.cmd->opts & CMD_JSON)) {
        free(c.renames);
        char msg[160];
        snprintf(msg, sizeof msg, "--json: 'cairn %s' has no JSON output yet (status, dialects do)",
                 c.cmd->name);
        return fail_with(CAIRN_EUSAGE, msg, NULL);
    }
    if (c.cmd->run == run_resolve &&
        (!c.argument || c.applied + c.rolled_back + c.stmt_done + c.stmt_not_done +
                                 c.accept_edit + c.forget !=
                             1)) {
        free(c.renames);
        return fail_with(CAIRN_EUSAGE,
                         "resolve wants a migration's name and one of --applied, --rolled-back, "
                         "--statement-done, --statement-not-done, --accept-edit, --forget (see "
                         "'cairn resolve --help')",
                         NULL);
    }

    cairn_ctx *cx;
    if (cairn_ctx_new(&cx)) {
        free(c.renames);
        return fail_with(CAIRN_ENOMEM, "out of memory", NULL);
    }
    cairn_ctx_set_logger(cx, log_line, NULL);
    int rc = 0;
    if (c.verbose)
        rc = cairn_ctx_set(cx, "verbose", "1");
    if (c.check && !rc)
        rc = cairn_ctx_set(cx, "check", "1");
    for (size_t k = 0; k < NSETTINGS && !rc; k++)
        if (c.settings[k])
            rc = cairn_ctx_set(cx, setting_flags[k].setting, c.settings[k]);
    if (!rc && !(c.cmd->opts & CMD_NO_CONFIG))
        rc = cairn_ctx_load_config(cx, c.config);
    if (!rc)
        rc = c.cmd->run(cx, &c);
    status = rc ? fail(cx, rc) : EXIT_OK;
    cairn_ctx_free(cx);
    free(c.renames);
    return finish(status, (c.cmd->opts & CMD_CHANGES) && !c.dry_run);
}
