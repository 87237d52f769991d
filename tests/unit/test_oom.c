/*
 * Fault injection: every allocation of a typical session fails in turn.
 *
 * A project on a real SQLite file runs generate, migrate and status
 * through the public API, with the N-th allocation made by the core
 * failing, for N = 1, 2, ...
 * until the session needs fewer than N. Each run is a forked child, so a
 * crash is caught and named by its N. Whatever fails must say so (an error
 * code and a message), and leave the project so that the same session,
 * run again without faults, converges: the migration generated once,
 * applied once, and status clean. Under the sanitizer build
 * (scripts/test.sh --sanitize) every run is also checked for leaks and
 * memory errors.
 *
 * The allocation functions are wrapped at link time (-Wl,--wrap, see
 * tests/CMakeLists.txt); drivers are shared objects and allocate with the
 * C library directly, so what is tested is how the core copes. jansson's
 * allocations are not failed either: its lexer ignores a failed append
 * (load.c, lex_save) and returns a string cut short as if it were whole,
 * which no caller can tell from the real thing.
 */
#include <dirent.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"

/* ---- the failing allocator ------------------------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t m, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t m, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static long fail_at;   /* the allocation that fails, 1-based; 0 = none */
static long allocs;    /* counted while armed */
static int armed, failed;

static int should_fail(void)
{
    if (!armed)
        return 0;
    if (++allocs == fail_at) {
        failed = 1;
        if (getenv("CAIRN_OOM_BT")) {
            void *frames[32];
            backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
        }
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t m, size_t n)
{
    return should_fail() ? NULL : __real_calloc(m, n);
}

void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return should_fail() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return should_fail() ? NULL : __real_strndup(s, n);
}

/* ---- the session ------------------------------------------------------------- */

static const char schema_json[] =
    "{\n"
    "  \"dialect\": \"sqlite\",\n"
    "  \"tables\": [\n"
    "    { \"name\": \"users\",\n"
    "      \"columns\": [ { \"name\": \"id\", \"type\": \"integer\", \"not_null\": true },\n"
    "                     { \"name\": \"email\", \"type\": \"text\", \"not_null\": true },\n"
    "                     { \"name\": \"name\", \"type\": \"text\", \"default\": \"'x'\" } ],\n"
    "      \"primary_key\": { \"columns\": [\"id\"] },\n"
    "      \"uniques\": [ { \"name\": \"users_email_key\", \"columns\": [\"email\"] } ] },\n"
    "    { \"name\": \"posts\",\n"
    "      \"columns\": [ { \"name\": \"id\", \"type\": \"integer\", \"not_null\": true },\n"
    "                     { \"name\": \"user_id\", \"type\": \"integer\" },\n"
    "                     { \"name\": \"title\", \"type\": \"text\" } ],\n"
    "      \"primary_key\": { \"columns\": [\"id\"] },\n"
    "      \"indexes\": [ { \"name\": \"posts_title\", \"columns\": [\"title\"] } ],\n"
    "      \"foreign_keys\": [ { \"name\": \"posts_user\", \"columns\": [\"user_id\"],\n"
    "                            \"references\": { \"table\": \"users\", \"columns\": [\"id\"] },\n"
    "                            \"on_delete\": \"cascade\" } ] }\n"
    "  ]\n"
    "}\n";

typedef struct project {
    char root[64];
    char *schema, *db, *out, *url;
} project;

static void project_free(project *p)
{
    free(p->schema);
    free(p->db);
    free(p->out);
    free(p->url);
}

/* A new context for the project; NULL when the context itself could not be
 * made (out of memory: the only way cairn_ctx_new fails). */
static cairn_ctx *open_ctx(const project *p, int *rc)
{
    cairn_ctx *cx = NULL;
    if ((*rc = cairn_ctx_new(&cx)) != 0)
        return NULL;
    const char *kv[][2] = {{"dialect", "sqlite"},
                           {"dialect_path", getenv("CAIRN_DIALECT_DIR")},
                           {"schema", p->schema},
                           {"out", p->out},
                           {"url", p->url}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0] && !*rc; i++)
        *rc = cairn_ctx_set(cx, kv[i][0], kv[i][1]);
    return cx;
}

/* generate, migrate, status: 0, or the first failure (its message in
 * *msg, malloc'd with the real allocator). */
static int session(const project *p, int *pending, char **msg)
{
    int rc;
    *msg = NULL;
    *pending = -1;
    cairn_ctx *cx = open_ctx(p, &rc);
    if (!cx)
        return rc;
    char *dir = NULL;
    cairn_generate_opts g = {.name = "init"};
    cairn_migrate_opts m = {0};
    cairn_status_row *rows = NULL;
    size_t n = 0;
    if (!rc)
        rc = cairn_generate(cx, &g, &dir);
    cairn_free(dir);
    if (!rc)
        rc = cairn_migrate(cx, &m);
    if (!rc)
        rc = cairn_status(cx, &rows, &n);
    if (!rc) {
        *pending = 0;
        for (size_t i = 0; i < n; i++)
            *pending += rows[i].state != CAIRN_MIGRATION_APPLIED;
        *pending += n != 1;
        cairn_status_free(rows, n);
    }
    const cairn_error *e = cairn_ctx_error(cx);
    if (rc && e->message)
        *msg = __real_strdup(e->message);
    cairn_ctx_free(cx);
    return rc;
}

static int count_migrations(const char *out)
{
    DIR *d = opendir(out);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int make_project(project *p)
{
    strcpy(p->root, "/tmp/cairn-oom-XXXXXX");
    if (!mkdtemp(p->root))
        return -1;
    p->schema = cairn_path_join(p->root, "schema.json");
    p->db = cairn_path_join(p->root, "app.db");
    p->out = cairn_path_join(p->root, "migrations");
    size_t len = strlen(p->db) + 8;
    p->url = malloc(len);
    if (!p->schema || !p->db || !p->out || !p->url)
        return -1;
    snprintf(p->url, len, "sqlite:%s", p->db);
    FILE *f = fopen(p->schema, "w");
    if (!f)
        return -1;
    fputs(schema_json, f);
    return fclose(f);
}

static void remove_project(const project *p)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", p->root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", p->root);
}

/* The child for one N. Exit: 0 = the fault was met and handled; 3 = the
 * session needed fewer than N allocations; 1 = a promise was broken
 * (printed). */
static int child(long n)
{
    project p = {0};
    if (make_project(&p)) {
        printf("N=%ld: cannot set up the project\n", n);
        return 1;
    }
    int pending;
    char *msg;
    fail_at = n;
    allocs = 0;
    armed = 1;
    int rc = session(&p, &pending, &msg);
    armed = 0;
    int bad = 0;
    if (!failed) {
        bad = rc != 0 || pending != 0;
        if (bad)
            printf("N=%ld: no fault met, yet rc %d, %d not applied: %s\n", n, rc, pending,
                   msg ? msg : "");
    } else if (rc && !msg && rc != CAIRN_ENOMEM) {
        /* a context that could not be made has nowhere to put a message */
        printf("N=%ld: failed (%d) without a message\n", n, rc);
        bad = 1;
    }
    free(msg);
    if (failed && !bad) {
        /* the same session without faults converges from what was left */
        rc = session(&p, &pending, &msg);
        int nmig = count_migrations(p.out);
        if (rc || pending != 0 || nmig != 1) {
            printf("N=%ld: after the fault, a clean run gives rc %d, %d not applied, "
                   "%d migrations: %s\n",
                   n, rc, pending, nmig, msg ? msg : "");
            bad = 1;
        }
        free(msg);
    }
    int met = failed;
    if (getenv("CAIRN_OOM_KEEP"))
        printf("kept %s\n", p.root);
    else
        remove_project(&p);
    project_free(&p);
    fflush(stdout);
    return bad ? 1 : met ? 0 : 3;
}

int main(void)
{
    /* CAIRN_OOM_N=N runs that one case here, to debug it */
    const char *one = getenv("CAIRN_OOM_N");
    if (one)
        return child(atol(one));
    long n;
    int broken = 0;
    for (n = 1;; n++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0)
            exit(child(n)); /* exit, not _exit: LeakSanitizer checks at exit */
        int st = 0;
        waitpid(pid, &st, 0);
        if (WIFSIGNALED(st)) {
            printf("N=%ld: the child died of signal %d\n", n, WTERMSIG(st));
            broken++;
            continue;
        }
        int code = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
        if (code == 3)
            break;
        if (code != 0 && code != 1)
            printf("N=%ld: the child exited %d (a sanitizer's report is above)\n", n, code);
        if (code != 0)
            broken++;
        if (broken > 20)
            break;
    }
    CHECK(n > 100, "the session allocates (%ld allocations seen)", n - 1);
    CHECK(broken == 0, "%d of %ld failing allocations broke a promise (lines above)", broken,
          n - 1);
    printf("%ld allocations, each failed in turn\n", n - 1);
    return check_done();
}
