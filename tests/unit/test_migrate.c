/*
 * The migrator (core/migrate.c) on real SQLite files through the real
 * SQLite driver and the public API: migrate, status, check, drop.
 * Migration folders are written by hand with cairn_folder_write.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"

#define M1 "20260101000000_create_a"
#define M2 "20260102000000_create_b"
#define M3 "20260103000000_create_c"

/* One scenario: a fresh folder with app.db and migrations/, a context
 * pointing at them, and the log lines it printed. */
typedef struct fixture {
    char *root, *db, *out;
    cairn_ctx *cx;
    cairn_buf log;
} fixture;

static void collect(void *ud, cairn_log_level level, const char *line)
{
    cairn_buf *b = ud;
    cairn_buf_printf(b, "%s %s\n", level == CAIRN_LOG_WARN ? "WARN" : "INFO", line);
}

static void fx_open(fixture *f, int with_url)
{
    char tmpl[] = "/tmp/cairn-migrate-XXXXXX";
    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        exit(2);
    }
    f->root = strdup(tmpl);
    f->db = cairn_path_join(f->root, "app.db");
    f->out = cairn_path_join(f->root, "migrations");
    cairn_buf_init(&f->log);
    if (cairn_ctx_new(&f->cx))
        exit(2);
    cairn_ctx_set_logger(f->cx, collect, &f->log);
    cairn_ctx_set(f->cx, "dialect", "sqlite");
    cairn_ctx_set(f->cx, "dialect_path", getenv("CAIRN_DIALECT_DIR"));
    cairn_ctx_set(f->cx, "out", f->out);
    if (with_url) {
        cairn_buf u;
        cairn_buf_init(&u);
        cairn_buf_printf(&u, "sqlite:%s", f->db);
        cairn_ctx_set(f->cx, "url", cairn_buf_cstr(&u));
        cairn_buf_release(&u);
    }
}

static void fx_close(fixture *f)
{
    cairn_ctx_free(f->cx);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", f->root);
    cairn_buf_release(&f->log);
    free(f->root);
    free(f->db);
    free(f->out);
}

static const char *fx_log(const fixture *f)
{
    return cairn_buf_cstr(&f->log);
}

static const char *errmsg(const fixture *f)
{
    const char *m = cairn_ctx_error(f->cx)->message;
    return m ? m : "(no message)";
}

static void add(fixture *f, const char *name, const char *sql)
{
    if (cairn_folder_write(f->cx, f->out, name, sql, NULL, "{}\n") != 0) {
        fprintf(stderr, "cannot write %s: %s\n", name, errmsg(f));
        exit(2);
    }
}

static void overwrite(fixture *f, const char *name, const char *file, const char *text)
{
    char *dir = cairn_path_join(f->out, name);
    char *p = cairn_path_join(dir, file);
    FILE *fp = fopen(p, "w");
    if (!fp) {
        perror(p);
        exit(2);
    }
    fputs(text, fp);
    fclose(fp);
    free(p);
    free(dir);
}

static int migrate(fixture *f, int dry_run, int all_in_one)
{
    cairn_migrate_opts o = {.dry_run = dry_run, .all_in_one = all_in_one};
    cairn_buf_reset(&f->log);
    return cairn_migrate(f->cx, &o);
}

/* Does a table exist? Asked through the driver, as migrate sees it. */
static int has_table(fixture *f, const char *table)
{
    cairn_session *s;
    cairn_dconn *c;
    if (cairn_session_get(f->cx, &s) || cairn_session_connect_driver(f->cx, s, &c))
        return -1;
    cairn_buf q;
    cairn_buf_init(&q);
    cairn_buf_puts(&q, "SELECT 1 FROM ");
    cairn_buf_quote(&q, table, '"');
    cairn_buf_puts(&q, " LIMIT 0");
    int rc = s->drv.d->exec(c, cairn_buf_cstr(&q));
    cairn_buf_release(&q);
    s->drv.d->disconnect(c);
    cairn_err_clear(f->cx);
    return rc == 0;
}

/* The history rows, as the driver lists them (-1: cannot read). */
static long history_rows(fixture *f, cairn_history *h)
{
    cairn_session *s;
    cairn_dconn *c;
    cairn_history_init(h);
    if (cairn_session_get(f->cx, &s) || cairn_session_connect_driver(f->cx, s, &c))
        return -1;
    cairn_history_opts ho;
    cairn_session_history_opts(f->cx, &ho);
    int rc = s->drv.d->history_list(c, &ho, h);
    s->drv.d->disconnect(c);
    return rc ? -1 : (long)h->n;
}

static long count_history(fixture *f)
{
    cairn_history h;
    long n = history_rows(f, &h);
    cairn_history_release(&h);
    return n;
}

static char *file_bytes(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        *len = 0;
        return NULL;
    }
    cairn_buf b;
    cairn_buf_init(&b);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        cairn_buf_append(&b, chunk, n);
    fclose(fp);
    *len = b.len;
    return cairn_buf_steal(&b);
}

static int same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    if (!a || !b)
        return a == b;
    return alen == blen && memcmp(a, b, alen) == 0;
}

/* cairn_status as "name=STATE name=STATE" */
static char *status_line(fixture *f)
{
    static const char *const names[] = {"APPLIED", "PENDING", "MODIFIED", "MISSING", "PARTIAL"};
    cairn_status_row *rows;
    size_t n;
    int rc = cairn_status(f->cx, &rows, &n);
    if (rc) {
        cairn_buf e;
        cairn_buf_init(&e);
        cairn_buf_printf(&e, "error %d: %s", rc, errmsg(f));
        return cairn_buf_steal(&e);
    }
    cairn_buf b;
    cairn_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        cairn_buf_printf(&b, "%s%s=%s", i ? " " : "", rows[i].name, names[rows[i].state]);
        int applied_at_ok = rows[i].state == CAIRN_MIGRATION_PENDING
                                ? rows[i].applied_at == NULL
                                : rows[i].applied_at && strlen(rows[i].applied_at) == 20;
        if (!applied_at_ok)
            cairn_buf_puts(&b, "(bad applied_at)");
    }
    cairn_status_free(rows, n);
    return cairn_buf_steal(&b);
}

#define CHECK_STATUS(f, want)                                                   \
    do {                                                                        \
        char *got_ = status_line(f);                                            \
        CHECK(strcmp(got_, want) == 0, "status: got '%s', want '%s'", got_, want); \
        free(got_);                                                             \
    } while (0)

/* ---- migrate ---------------------------------------------------------------- */

static void test_apply_all_then_nothing(void)
{
    fixture f;
    fx_open(&f, 1);
    add(&f, M1, "CREATE TABLE a (id integer PRIMARY KEY, name text);\n");
    add(&f, M2, "CREATE TABLE b (id integer);\n--> statement-breakpoint\n"
                "INSERT INTO b VALUES (1);\n");
    add(&f, M3, "CREATE TABLE c (id integer);\n");
    int rc = migrate(&f, 0, 0);
    CHECK(rc == 0, "migrate: %d %s", rc, errmsg(&f));
    CHECK(strstr(fx_log(&f), "INFO [2/3] applied " M2 " (2 statements, ") != NULL, "log: %s", fx_log(&f));
    CHECK(strstr(fx_log(&f), "INFO 3 migrations applied\n") != NULL, "log: %s", fx_log(&f));
    CHECK(has_table(&f, "a") == 1 && has_table(&f, "b") == 1 && has_table(&f, "c") == 1,
          "tables a, b, c exist");
    CHECK_STATUS(&f, M1 "=APPLIED " M2 "=APPLIED " M3 "=APPLIED");

    cairn_history h;
    CHECK(history_rows(&f, &h) == 3, "3 history rows");
    const cairn_applied *a = cairn_history_find(&h, M2);
    char *dir = cairn_path_join(f.out, M2);
    char *sqlf = cairn_path_join(dir, "migration.sql");
    char *sql;
    size_t len;
    char sum[65] = "";
    if (cairn_read_file(f.cx, sqlf, &sql, &len) == 0) {
        cairn_sha256_hex(sql, len, sum);
        free(sql);
    }
    CHECK(a && strcmp(a->checksum, sum) == 0, "recorded checksum is migration.sql's sha256");
    CHECK(a && a->state == CAIRN_APPLIED_DONE && a->statements_done == 2 &&
              a->statements_total == 2 && a->duration_ms >= 0,
          "row: done, 2 of 2 statements");
    CHECK(a && strlen(a->applied_at) == 20 && a->applied_at[10] == 'T' && a->applied_at[19] == 'Z',
          "applied_at is UTC ISO 8601: %s", a ? a->applied_at : "(none)");
    cairn_history_release(&h);
    free(sqlf);
    free(dir);

    rc = migrate(&f, 0, 0);
    CHECK(rc == 0 && strstr(fx_log(&f), "INFO nothing to apply\n") != NULL,
          "second run: %d, log: %s", rc, fx_log(&f));
    CHECK(count_history(&f) == 3, "still 3 history rows");
    fx_close(&f);
}

static void test_older_migration_merged_late(void)
{
    fixture f;
    fx_open(&f, 1);
    add(&f, M1, "CREATE TABLE a (id integer);\n");
    add(&f, M3, "CREATE TABLE c (id integer);\n");
    CHECK(migrate(&f, 0, 0) == 0, "first run: %s", errmsg(&f));
    /* A branch merged later brings a migration stamped before M3. */
    add(&f, M2, "CREATE TABLE b (id integer);\n");
    CHECK_STATUS(&f, M1 "=APPLIED " M2 "=PENDING " M3 "=APPLIED");
    int rc = migrate(&f, 0, 0);
    CHECK(rc == 0, "migrate: %d %s", rc, errmsg(&f));
    CHECK(strstr(fx_log(&f),
                 "INFO applying " M2 " (older than the newest applied migration " M3 ")\n") != NULL,
          "reported: %s", fx_log(&f));
    CHECK(strstr(fx_log(&f), "INFO 1 migration applied\n") != NULL, "log: %s", fx_log(&f));
    CHECK(has_table(&f, "b") == 1, "b created");
    CHECK_STATUS(&f, M1 "=APPLIED " M2 "=APPLIED " M3 "=APPLIED");
    fx_close(&f);
}

static void test_edited_applied_migration(void)
{
    fixture f;
    fx_open(&f, 1);
    add(&f, M1, "CREATE TABLE a (id integer);\n");
    add(&f, M2, "CREATE TABLE b (id integer);\n");
    CHECK(migrate(&f, 0, 0) == 0, "first run: %s", errmsg(&f));
    overwrite(&f, M1, "migration.sql", "CREATE TABLE a (id integer, extra text);\n");
    add(&f, M3, "CREATE TABLE c (id integer);\n");
    size_t blen, alen;
    char *before = file_bytes(f.db, &blen);
    int rc = migrate(&f, 0, 0);
    char *after = file_bytes(f.db, &alen);
    CHECK(rc == CAIRN_EINTEGRITY, "edited: rc %d", rc);
    CHECK(strstr(errmsg(&f), "migration " M1 " was applied with checksum ") &&
              strstr(errmsg(&f), "applied migrations must not be edited"),
          "message: %s", errmsg(&f));
    CHECK(same_bytes(before, blen, after, alen), "database file unchanged");
    CHECK(has_table(&f, "c") == 0, "the pending migration was not applied");
    CHECK_STATUS(&f, M1 "=MODIFIED " M2 "=APPLIED " M3 "=PENDING");
    free(before);
    free(after);
    fx_close(&f);
}

static void test_deleted_applied_folder(void)
{
    fixture f;
    fx_open(&f, 1);
    add(&f, M1, "CREATE TABLE a (id integer);\n");
    add(&f, M2, "CREATE TABLE b (id integer);\n");
    CHECK(migrate(&f, 0, 0) == 0, "first run: %s", errmsg(&f));
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rm -r '%s/%s'", f.out, M2);
    CHECK(system(cmd) == 0, "removed %s", M2);
    add(&f, M3, "CREATE TABLE c (id integer);\n");
    int rc = migrate(&f, 0, 0);
    CHECK(rc == CAIRN_EINTEGRITY, "missing folder: rc %d", rc);
    CHECK(strstr(errmsg(&f), "migration " M2 " is recorded as applied but its folder is missing"),
          "message: %s", errmsg(&f));
    CHECK(has_table(&f, "c") == 0, "the pending migration was not applied");
    CHECK_STATUS(&f, M1 "=APPLIED " M2 "=MISSING " M3 "=PENDING");
    fx_close(&f);
}

static void test_failing_statement(void)
{
    fixture f;
    fx_open(&f, 1);
    add(&f, M1, "CREATE TABLE a (id integer);\n");
    add(&f, M2, "CREATE TABLE b (id integer);\n--> statement-breakpoint\n"
                "INSERT INTO b VALUES (1);\n--> statement-breakpoint\n"
                "INSERT INTO no_such_table VALUES (1);\n");
    add(&f, M3, "CREATE TABLE c (id integer);\n");
    int rc = migrate(&f, 0, 0);
    const cairn_error *e = cairn_ctx_error(f.cx);
    CHECK(rc == CAIRN_EDB && e->code == CAIRN_EDB, "the driver's code is kept: rc %d", rc);
    /* the statement named by its number, its file and line, and its text */
    CHECK(strncmp(errmsg(&f), "migration " M2 ", statement 3 of 3 failed (",
                  strlen("migration " M2 ", statement 3 of 3 failed (")) == 0 &&
              strstr(errmsg(&f), "/" M2 "/migration.sql:5: INSERT INTO no_such_table VALUES (1);): ") &&
              strstr(errmsg(&f), "no such table: no_such_table"),
          "message: %s", errmsg(&f));
    CHECK(has_table(&f, "a") == 1, "the first migration stays applied");
    CHECK(has_table(&f, "b") == 0, "nothing of the failed migration remains");
    CHECK(has_table(&f, "c") == 0, "the third migration was not applied");
    cairn_history h;
    CHECK(history_rows(&f, &h) == 1 && strcmp(h.rows[0].name, M1) == 0,
          "the history holds exactly the first migration (%zu rows)", h.n);
    cairn_history_release(&h);
    CHECK_STATUS(&f, M1 "=APPLIED " M2 "=PENDING " M3 "=PENDING");
    fx_close(&f);
}

static void test_all_in_one(void)
{
    fixture f;
    fx_open(&f, 1);
    add(&f, M1, "CREATE TABLE a (id integer);\n");
    add(&f, M2, "CREATE TABLE b (id integer);\n--> statement-breakpoint\nNOT SQL AT ALL;\n");
    int rc = migrate(&f, 0, 1);
    CHECK(rc == CAIRN_EDB, "all-in-one failure: rc %d %s", rc, errmsg(&f));
    CHECK(has_table(&f, "a") == 0 && has_table(&f, "b") == 0, "nothing applied");
    CHECK(count_history(&f) == 0, "no history row");
    overwrite(&f, M2, "migration.sql", "CREATE TABLE b (id integer);\n");
    rc = migrate(&f, 0, 1);
    CHECK(rc == 0 && strstr(fx_log(&f), "INFO 2 migrations applied\n"), "all-in-one: %d %s", rc,
          errmsg(&f));
    CHECK(has_table(&f, "a") == 1 && has_table(&f, "b") == 1, "both applied");
    fx_close(&f);
}

/* migrate --to: the pending migrations up to one, in order, none after it;
 * a later migration the run does not reach cannot stop it. */
static void test_migrate_to(void)
{
    fixture f;
    fx_open(&f, 1);
    add(&f, M1, "CREATE TABLE a (id integer);\n");
    add(&f, M2, "CREATE TABLE b (id integer);\n");
    add(&f, M3, "-- cairn:no-transaction\nCREATE TABLE c (id integer);\n");
    cairn_migrate_opts one_txn = {.all_in_one = 1};
    cairn_buf_reset(&f.log);
    int rc = cairn_migrate_to(f.cx, &one_txn, "20260102000000_nosuch");
    CHECK(rc == CAIRN_EUSAGE &&
              strstr(errmsg(&f), "migrate --to: no migration 20260102000000_nosuch in "),
          "an unknown name: rc %d: %s", rc, errmsg(&f));
    CHECK(count_history(&f) == 0 && has_table(&f, "a") == 0, "an unknown name applies nothing");
    /* all in one transaction: M3 (outside one) is not part of the run */
    cairn_buf_reset(&f.log);
    rc = cairn_migrate_to(f.cx, &one_txn, M2);
    CHECK(rc == 0, "migrate --to M2 --all-in-one: rc %d: %s", rc, errmsg(&f));
    CHECK(strstr(fx_log(&f), "INFO 2 migrations applied; 1 later migration stays pending\n"),
          "log: %s", fx_log(&f));
    CHECK_STATUS(&f, M1 "=APPLIED " M2 "=APPLIED " M3 "=PENDING");
    CHECK(has_table(&f, "b") == 1 && has_table(&f, "c") == 0, "b applied, c not");
    cairn_buf_reset(&f.log);
    rc = cairn_migrate_to(f.cx, NULL, M1);
    CHECK(rc == 0 && strstr(fx_log(&f), "INFO nothing to apply; 1 later migration stays pending\n"),
          "--to an applied migration: rc %d, log: %s", rc, fx_log(&f));
    cairn_buf_reset(&f.log);
    rc = cairn_migrate_to(f.cx, NULL, NULL);
    CHECK(rc == 0 && strstr(fx_log(&f), "INFO 1 migration applied\n"),
          "no --to: the rest: rc %d, log: %s", rc, fx_log(&f));
    CHECK_STATUS(&f, M1 "=APPLIED " M2 "=APPLIED " M3 "=APPLIED");
    fx_close(&f);
}

/* migrate --to and what lies past it: a later folder without its SQL does
 * not stop the run; a later migration stopped part-way is not resumed. */
static void test_migrate_to_later(void)
{
    fixture f;
    fx_open(&f, 1);
    add(&f, M1, "CREATE TABLE a (id integer);\n");
    add(&f, M2, "-- cairn:no-transaction\nCREATE TABLE b (id integer);\n"
                "--> statement-breakpoint\nINSERT INTO missing VALUES (1);\n");
    add(&f, M3, "CREATE TABLE c (id integer);\n");
    char *dir = cairn_path_join(f.out, M3), *sqlf = cairn_path_join(dir, "migration.sql");
    CHECK(sqlf && unlink(sqlf) == 0, "remove %s", sqlf ? sqlf : "(oom)");
    int rc = migrate(&f, 0, 0);
    CHECK(rc == CAIRN_EINTEGRITY && strstr(errmsg(&f), "has no migration.sql"),
          "without --to a folder without its SQL stops the run: rc %d: %s", rc, errmsg(&f));
    cairn_buf_reset(&f.log);
    rc = cairn_migrate_to(f.cx, NULL, M1);
    CHECK(rc == 0 && has_table(&f, "a") == 1, "--to M1 runs despite it: rc %d: %s", rc,
          errmsg(&f));
    rc = cairn_migrate_to(f.cx, NULL, M2);
    CHECK(rc == CAIRN_EDB, "M2 stops part-way outside a transaction: rc %d", rc);
    CHECK_STATUS(&f, M1 "=APPLIED " M2 "=PARTIAL " M3 "=PENDING");
    cairn_migrate_opts resume = {.resume = 1};
    cairn_buf_reset(&f.log);
    rc = cairn_migrate_to(f.cx, &resume, M1);
    CHECK(rc == CAIRN_EUSAGE && strstr(errmsg(&f), "migrate --to " M1 " --resume: " M2
                                                   ", which stopped part-way, comes after it"),
          "--resume with --to before the stopped one: rc %d: %s", rc, errmsg(&f));
    CHECK_STATUS(&f, M1 "=APPLIED " M2 "=PARTIAL " M3 "=PENDING");
    free(sqlf);
    free(dir);
    fx_close(&f);
}

static void test_no_transaction_partial(void)
{
    fixture f;
    fx_open(&f, 1);
    add(&f, M1, "-- cairn:no-transaction\nCREATE TABLE a (id integer);\n"
                "--> statement-breakpoint\nINSERT INTO missing VALUES (1);\n");
    add(&f, M2, "CREATE TABLE b (id integer);\n");
    int rc = migrate(&f, 0, 0);
    CHECK(rc == CAIRN_EDB && strstr(errmsg(&f), "migration " M1 ", statement 2 of 2 failed (") &&
              strstr(errmsg(&f), "/migration.sql:4: INSERT INTO missing VALUES (1);): "),
          "rc %d: %s", rc, errmsg(&f));
    CHECK(strstr(fx_log(&f), "WARN migration " M1 " ran outside a transaction: 1 of 2"),
          "warned: %s", fx_log(&f));
    CHECK(has_table(&f, "a") == 1, "the first statement ran and stays");
    cairn_history h;
    CHECK(history_rows(&f, &h) == 1 && h.rows[0].state == CAIRN_APPLIED_PARTIAL &&
              h.rows[0].statements_done == 1 && h.rows[0].statements_total == 2,
          "an honest PARTIAL row");
    cairn_history_release(&h);
    CHECK_STATUS(&f, M1 "=PARTIAL " M2 "=PENDING");
    rc = migrate(&f, 0, 0);
    CHECK(rc == CAIRN_EPARTIAL && strstr(errmsg(&f), M1) && strstr(errmsg(&f), "1 of 2 statements"),
          "next run stops: rc %d %s", rc, errmsg(&f));
    CHECK(has_table(&f, "b") == 0, "nothing else applied");

    /* Fixed in the file, resumed: statement 1 does not run again (it would
     * fail: a exists), statement 2 does, then the rest. */
    overwrite(&f, M1, "migration.sql", "-- cairn:no-transaction\nCREATE TABLE a (id integer);\n"
                                       "--> statement-breakpoint\nINSERT INTO a VALUES (1);\n");
    cairn_migrate_opts o = {.resume = 1};
    cairn_buf_reset(&f.log);
    rc = cairn_migrate(f.cx, &o);
    CHECK(rc == 0, "resume: %d %s", rc, errmsg(&f));
    CHECK(strstr(fx_log(&f), "INFO resuming " M1 " at statement 2 of 2 (its migration.sql was "
                             "edited since)\n"),
          "log: %s", fx_log(&f));
    CHECK(strstr(fx_log(&f), "INFO 2 migrations applied\n"), "log: %s", fx_log(&f));
    CHECK(has_table(&f, "b") == 1, "the rest applied");
    CHECK_STATUS(&f, M1 "=APPLIED " M2 "=APPLIED");
    CHECK(cairn_resolve(f.cx, M1, 1) == CAIRN_EUSAGE, "a fully applied migration is not resolved");
    fx_close(&f);
}

static void test_resolve(void)
{
    fixture f;
    fx_open(&f, 1);
    add(&f, M1, "-- cairn:no-transaction\nCREATE TABLE a (id integer);\n"
                "--> statement-breakpoint\nINSERT INTO missing VALUES (1);\n");
    CHECK(migrate(&f, 0, 0) == CAIRN_EDB, "stops part-way");
    CHECK_STATUS(&f, M1 "=PARTIAL");
    /* Finished by hand: recorded as applied. */
    int rc = cairn_resolve(f.cx, M1, 1);
    CHECK(rc == 0, "resolve applied: %d %s", rc, errmsg(&f));
    CHECK_STATUS(&f, M1 "=APPLIED");
    CHECK(migrate(&f, 0, 0) == 0 && strstr(fx_log(&f), "nothing to apply"), "then nothing to do");
    fx_close(&f);

    fx_open(&f, 1);
    add(&f, M1, "-- cairn:no-transaction\nCREATE TABLE a (id integer);\n"
                "--> statement-breakpoint\nINSERT INTO missing VALUES (1);\n");
    CHECK(migrate(&f, 0, 0) == CAIRN_EDB, "stops part-way");
    /* Undone by hand: forgotten, applied again from the start next time. */
    rc = cairn_resolve(f.cx, M1, 0);
    CHECK(rc == 0, "resolve rolled back: %d %s", rc, errmsg(&f));
    CHECK_STATUS(&f, M1 "=PENDING");
    CHECK(cairn_resolve(f.cx, M2, 1) == CAIRN_EUSAGE && strstr(errmsg(&f), "not in the"),
          "unknown migration: %s", errmsg(&f));
    fx_close(&f);
}

static void test_dry_run(void)
{
    fixture f;
    fx_open(&f, 1);
    add(&f, M1, "CREATE TABLE a (id integer);\n");
    /* On a database that never saw cairn: not even the history table. */
    int rc = migrate(&f, 1, 0);
    CHECK(rc == 0, "dry run: %d %s", rc, errmsg(&f));
    CHECK(has_table(&f, "__cairn_migrations") == 0 && has_table(&f, "a") == 0,
          "no history table, no a");

    CHECK(migrate(&f, 0, 0) == 0, "apply: %s", errmsg(&f));
    add(&f, M2, "CREATE TABLE b (id integer);\n--> statement-breakpoint\nCREATE INDEX bi ON b (id);\n");
    add(&f, M3, "CREATE TABLE c (id integer);\n");
    size_t blen, alen;
    char *before = file_bytes(f.db, &blen);
    rc = migrate(&f, 1, 0);
    char *after = file_bytes(f.db, &alen);
    CHECK(rc == 0, "dry run: %d %s", rc, errmsg(&f));
    CHECK(before && same_bytes(before, blen, after, alen), "database file bytes identical");
    CHECK(strstr(fx_log(&f), "INFO CREATE TABLE b (id integer);\n") &&
              strstr(fx_log(&f), "INFO CREATE INDEX bi ON b (id);\n") &&
              strstr(fx_log(&f), "INFO CREATE TABLE c (id integer);\n"),
          "the pending SQL is printed: %s", fx_log(&f));
    CHECK(strstr(fx_log(&f), "CREATE TABLE a") == NULL, "applied SQL is not: %s", fx_log(&f));
    CHECK(strstr(fx_log(&f), "INFO 2 migrations to apply (dry run: nothing changed)\n"), "log: %s",
          fx_log(&f));
    CHECK_STATUS(&f, M1 "=APPLIED " M2 "=PENDING " M3 "=PENDING");
    free(before);
    free(after);
    fx_close(&f);
}

static void test_status_never_creates_history(void)
{
    fixture f;
    fx_open(&f, 1);
    add(&f, M1, "CREATE TABLE a (id integer);\n");
    CHECK_STATUS(&f, M1 "=PENDING");
    CHECK(has_table(&f, "__cairn_migrations") == 0, "status created no history table");
    fx_close(&f);
}

/* Another deployer holds the lock: migrate waits lock_timeout, then gives up
 * having changed nothing. */
static void test_locked(void)
{
    fixture f;
    fx_open(&f, 1);
    add(&f, M1, "CREATE TABLE a (id integer);\n");
    cairn_ctx *other;
    cairn_session *s;
    cairn_dconn *c = NULL;
    cairn_history_opts ho;
    cairn_ctx_new(&other);
    cairn_ctx_set(other, "dialect", "sqlite");
    cairn_ctx_set(other, "dialect_path", getenv("CAIRN_DIALECT_DIR"));
    cairn_ctx_set(other, "url", cairn_ctx_get(f.cx, "url"));
    cairn_session_history_opts(other, &ho);
    int rc = cairn_session_get(other, &s);
    if (!rc)
        rc = cairn_session_connect_driver(other, s, &c);
    if (!rc)
        rc = s->drv.d->lock(c, &ho);
    CHECK(rc == 0, "the other deployer takes the lock: %s", cairn_ctx_error(other)->message);
    cairn_ctx_set(f.cx, "lock_timeout", "200");
    rc = migrate(&f, 0, 0);
    CHECK(rc == CAIRN_ELOCKED, "locked: rc %d %s", rc, errmsg(&f));
    CHECK(has_table(&f, "a") == 0 && has_table(&f, "__cairn_migrations") == 0, "nothing changed");
    if (c) {
        s->drv.d->unlock(c, &ho);
        s->drv.d->disconnect(c);
    }
    cairn_ctx_free(other);
    rc = migrate(&f, 0, 0);
    CHECK(rc == 0 && has_table(&f, "a") == 1, "once released: rc %d %s", rc, errmsg(&f));
    fx_close(&f);
}

/* Deployers started at once: each migration runs exactly once (CREATE
 * TABLE without IF NOT EXISTS would fail the second time). */
static void test_concurrent_deployers(void)
{
    fixture f;
    fx_open(&f, 1);
    add(&f, M1, "CREATE TABLE a (id integer);\n");
    add(&f, M2, "CREATE TABLE b (id integer);\n--> statement-breakpoint\nINSERT INTO b VALUES (1);\n");
    add(&f, M3, "CREATE TABLE c (id integer);\n");
    enum { DEPLOYERS = 4 };
    pid_t pids[DEPLOYERS];
    fflush(NULL);
    for (int i = 0; i < DEPLOYERS; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            cairn_ctx *cx;
            cairn_ctx_new(&cx);
            cairn_ctx_set(cx, "dialect", "sqlite");
            cairn_ctx_set(cx, "dialect_path", getenv("CAIRN_DIALECT_DIR"));
            cairn_ctx_set(cx, "url", cairn_ctx_get(f.cx, "url"));
            cairn_ctx_set(cx, "out", f.out);
            cairn_ctx_set(cx, "lock_timeout", "20000");
            int rc = cairn_migrate(cx, NULL);
            if (rc)
                fprintf(stderr, "deployer %d: %s\n", i, cairn_ctx_error(cx)->message);
            cairn_ctx_free(cx);
            _exit(rc ? 1 : 0);
        }
    }
    int ok = 0;
    for (int i = 0; i < DEPLOYERS; i++) {
        int st;
        if (pids[i] > 0 && waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st) &&
            WEXITSTATUS(st) == 0)
            ok++;
    }
    CHECK(ok == DEPLOYERS, "%d of %d deployers succeeded", ok, DEPLOYERS);
    CHECK(count_history(&f) == 3, "3 history rows");
    CHECK_STATUS(&f, M1 "=APPLIED " M2 "=APPLIED " M3 "=APPLIED");
    fx_close(&f);
}

/* ---- check ----------------------------------------------------------------- */

static char *snapshot_text(cairn_ctx *cx, const char *id, const char *parent)
{
    cairn_snapshot s = {.id = (char *)id, .parent = (char *)parent, .dialect = (char *)"sqlite",
                        .schema = cairn_schema_new()};
    cairn_buf b;
    cairn_buf_init(&b);
    int rc = cairn_json_write_snapshot(cx, &s, &b);
    cairn_schema_free(s.schema);
    if (rc) {
        cairn_buf_release(&b);
        return NULL;
    }
    return cairn_buf_steal(&b);
}

/* Write a migration whose snapshot has `id` and `parent`. */
static int add_snap(fixture *f, const char *name, const char *id, const char *parent)
{
    char *snap = snapshot_text(f->cx, id, parent);
    if (!snap)
        return -1;
    int rc = cairn_folder_write(f->cx, f->out, name, "SELECT 1;\n", NULL, snap);
    free(snap);
    return rc;
}

static int check(fixture *f)
{
    cairn_buf_reset(&f->log);
    return cairn_check_migrations(f->cx);
}

static void test_check(void)
{
    fixture f;
    fx_open(&f, 0);
    if (add_snap(&f, M1, M1, NULL) != 0) {
        printf("skip: check tests (cannot write a snapshot: %s)\n", errmsg(&f));
        fx_close(&f);
        return;
    }
    add_snap(&f, M2, M2, M1);
    add_snap(&f, M3, M3, M2);
    int rc = check(&f);
    CHECK(rc == 0 && strstr(fx_log(&f), "INFO 3 migrations, chain ok\n"), "good chain: %d %s %s",
          rc, errmsg(&f), fx_log(&f));
    fx_close(&f);

    /* Two branches generated from M1, both merged. */
    fx_open(&f, 0);
    add_snap(&f, M1, M1, NULL);
    add_snap(&f, M2, M2, M1);
    add_snap(&f, M3, M3, M1);
    rc = check(&f);
    CHECK(rc == CAIRN_EINTEGRITY, "fork: rc %d", rc);
    CHECK(strstr(fx_log(&f), "WARN 2 branches are not joined (heads " M2 ", " M3 ")"),
          "fork named: %s", fx_log(&f));
    fx_close(&f);

    /* A snapshot.json missing, another corrupt, an id that does not match. */
    fx_open(&f, 0);
    add_snap(&f, M1, M1, NULL);
    add_snap(&f, M2, M2, M1);
    add_snap(&f, M3, "20260103000000_other", M2);
    char *dir = cairn_path_join(f.out, M1);
    char *snapf = cairn_path_join(dir, "snapshot.json");
    unlink(snapf);
    overwrite(&f, M2, "snapshot.json", "{\"id\": [broken\n");
    rc = check(&f);
    CHECK(rc == CAIRN_EINTEGRITY, "problems: rc %d", rc);
    CHECK(strstr(fx_log(&f), "WARN " M1 ": ") && strstr(fx_log(&f), "snapshot.json is missing"),
          "missing snapshot named: %s", fx_log(&f));
    CHECK(strstr(fx_log(&f), "WARN " M2 ": "), "corrupt snapshot named: %s", fx_log(&f));
    CHECK(strstr(fx_log(&f), "WARN " M3 ": its snapshot's id is '20260103000000_other'"),
          "wrong id named: %s", fx_log(&f));
    free(snapf);
    free(dir);
    fx_close(&f);

    /* A parent that is not the previous folder. */
    fx_open(&f, 0);
    add_snap(&f, M1, M1, NULL);
    add_snap(&f, M2, M2, M1);
    add_snap(&f, M3, M3, "20251231000000_elsewhere");
    rc = check(&f);
    CHECK(rc == CAIRN_EINTEGRITY &&
              strstr(fx_log(&f), "WARN " M3 ": its snapshot's parent 20251231000000_elsewhere "
                                 "is not an older migration of the folder"),
          "broken chain: %d %s", rc, fx_log(&f));
    fx_close(&f);
}

/* ---- drop ------------------------------------------------------------------ */

static int exists_in(const fixture *f, const char *name)
{
    char *p = cairn_path_join(f->out, name);
    int e = cairn_file_exists(p);
    free(p);
    return e;
}

static void test_drop(void)
{
    fixture f;
    fx_open(&f, 0);
    char *name = NULL;
    int rc = cairn_drop(f.cx, &name);
    CHECK(rc == CAIRN_ECONFIG && strstr(errmsg(&f), "does not exist"), "no folder: %d %s", rc,
          errmsg(&f));
    CHECK(mkdir(f.out, 0777) == 0, "mkdir %s", f.out);
    rc = cairn_drop(f.cx, &name);
    CHECK(rc == CAIRN_EUSAGE && strstr(errmsg(&f), "no migration to drop"), "empty: %d %s", rc,
          errmsg(&f));
    add(&f, M1, "SELECT 1;\n");
    add(&f, M2, "SELECT 2;\n");
    rc = cairn_drop(f.cx, &name);
    CHECK(rc == 0 && name && strcmp(name, M2) == 0, "dropped without a url: %d %s", rc,
          name ? name : errmsg(&f));
    cairn_free(name);
    CHECK(!exists_in(&f, M2) && exists_in(&f, M1), "only the newest is gone");
    DIR *d = opendir(f.out);
    int entries = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            entries++;
        else if (strncmp(de->d_name, ".tmp", 4) == 0)
            entries += 100;
    if (d)
        closedir(d);
    CHECK(entries == 1, "nothing left behind (%d)", entries);

    /* Files cairn did not write are the user's. */
    overwrite(&f, M1, "notes.txt", "mine\n");
    rc = cairn_drop(f.cx, NULL);
    CHECK(rc == CAIRN_EUSAGE && strstr(errmsg(&f), "notes.txt"), "refused: %d %s", rc, errmsg(&f));
    CHECK(exists_in(&f, M1), "kept");
    fx_close(&f);

    /* With a database: applied migrations stay. */
    fx_open(&f, 1);
    add(&f, M1, "CREATE TABLE a (id integer);\n");
    CHECK(migrate(&f, 0, 0) == 0, "apply: %s", errmsg(&f));
    add(&f, M2, "CREATE TABLE b (id integer);\n");
    rc = cairn_drop(f.cx, &name);
    CHECK(rc == 0 && name && strcmp(name, M2) == 0, "unapplied dropped: %d %s", rc, errmsg(&f));
    cairn_free(name);
    name = NULL;
    rc = cairn_drop(f.cx, &name);
    CHECK(rc == CAIRN_EUSAGE &&
              strcmp(errmsg(&f), M1 " is applied: write a new migration instead") == 0 && !name,
          "applied refused: %d %s", rc, errmsg(&f));
    CHECK(exists_in(&f, M1), "applied migration kept");
    fx_close(&f);
}

/* Is the SQLite driver there to test against? */
static int have_sqlite(void)
{
    fixture f;
    fx_open(&f, 1);
    cairn_session *s;
    int rc = cairn_session_get(f.cx, &s);
    if (rc)
        fprintf(stderr, "the sqlite driver does not load: %s\n", errmsg(&f));
    fx_close(&f);
    return rc == 0;
}

int main(void)
{
    test_check();
    if (have_sqlite()) {
        test_apply_all_then_nothing();
        test_older_migration_merged_late();
        test_edited_applied_migration();
        test_deleted_applied_folder();
        test_failing_statement();
        test_all_in_one();
        test_migrate_to();
        test_migrate_to_later();
        test_no_transaction_partial();
        test_resolve();
        test_locked();
        test_concurrent_deployers();
        test_dry_run();
        test_status_never_creates_history();
        test_drop();
    } else {
        check_failed++;
    }
    return check_done();
}
