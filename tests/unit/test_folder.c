/*
 * The migrations folder (core/folder.c): listing, naming, atomic writes and
 * the newest snapshot, on real folders under /tmp. No database needed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/cairn-folder-XXXXXX";
    char *d = mkdtemp(tmpl);
    if (!d) {
        perror("mkdtemp");
        exit(2);
    }
    return strdup(d);
}

static void put_file(const char *dir, const char *name, const char *text)
{
    char *p = cairn_path_join(dir, name);
    FILE *f = fopen(p, "w");
    if (!f) {
        perror(p);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
    free(p);
}

static void make_dir(const char *dir, const char *name)
{
    char *p = cairn_path_join(dir, name);
    if (mkdir(p, 0777) != 0) {
        perror(p);
        exit(2);
    }
    free(p);
}

/* Names in a folder, sorted and joined by ' ' (malloc'd). */
static char *listing(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return strdup("<no folder>");
    char *names[64];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < 64)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            names[n++] = strdup(de->d_name);
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    cairn_buf b;
    cairn_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        cairn_buf_printf(&b, "%s%s", i ? " " : "", names[i]);
        free(names[i]);
    }
    return cairn_buf_steal(&b);
}

static void rm_rf(const char *path)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "chmod -R u+w '%s' 2>/dev/null; rm -rf '%s'", path, path);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", path);
}

/* The JSON of a snapshot with an empty schema, through the JSON module. */
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

static void test_missing_folder_is_empty(cairn_ctx *cx, const char *root)
{
    char *out = cairn_path_join(root, "nothing-here");
    cairn_migration *list = (cairn_migration *)1;
    size_t n = 99;
    int rc = cairn_folder_list(cx, out, &list, &n);
    CHECK(rc == 0 && n == 0 && list == NULL, "missing folder: rc %d n %zu", rc, n);
    free(out);
}

static void test_list(cairn_ctx *cx, const char *root)
{
    char *out = cairn_path_join(root, "list");
    CHECK(cairn_folder_write(cx, out, "20260102000000_second", "CREATE TABLE b (x int);\n", NULL,
                             "{}\n") == 0,
          "write second: %s", cairn_ctx_error(cx)->message);
    CHECK(cairn_folder_write(cx, out, "20260101000000_first",
                             "-- cairn:no-transaction\nCREATE INDEX i ON a (x);\n", NULL,
                             "{}\n") == 0,
          "write first: %s", cairn_ctx_error(cx)->message);
    /* Things that are not migrations. */
    make_dir(out, "notes");
    make_dir(out, "20260103000000_Bad-Name");
    make_dir(out, "2026010300000_short");
    make_dir(out, ".tmp-20260104000000_half-a1b2c3");
    put_file(out, "20260105000000_a_file", "not a folder");
    put_file(out, "README", "hello");
    /* A migration folder whose migration.sql is missing. */
    make_dir(out, "20260106000000_nosql");

    cairn_migration *list;
    size_t n;
    int rc = cairn_folder_list(cx, out, &list, &n);
    CHECK(rc == 0 && n == 3, "list: rc %d, %zu migrations", rc, n);
    /* listing reads no file: names only, until asked */
    CHECK(rc == 0 && n == 3 && !list[0].sql && list[0].has_sql && !list[2].has_sql,
          "listing alone reads nothing");
    if (rc == 0)
        rc = cairn_folder_load_all(cx, list, n);
    if (rc == 0 && n == 3) {
        CHECK(strcmp(list[0].name, "20260101000000_first") == 0, "sorted: %s", list[0].name);
        CHECK(strcmp(list[1].name, "20260102000000_second") == 0, "sorted: %s", list[1].name);
        CHECK(strcmp(list[2].name, "20260106000000_nosql") == 0, "sorted: %s", list[2].name);
        CHECK(list[0].no_transaction == 1, "marker on the first line is seen");
        CHECK(list[1].no_transaction == 0, "no marker");
        CHECK(list[1].sql && strcmp(list[1].sql, "CREATE TABLE b (x int);\n") == 0,
              "sql read back: %s", list[1].sql ? list[1].sql : "(null)");
        char sum[65];
        cairn_sha256_hex(list[1].sql, strlen(list[1].sql), sum);
        CHECK(strcmp(sum, list[1].checksum) == 0 && strlen(list[1].checksum) == 64,
              "checksum is the sha256 of migration.sql");
        CHECK(list[2].sql == NULL, "missing migration.sql gives sql NULL");
        char *want = cairn_path_join(out, "20260101000000_first");
        CHECK(strcmp(list[0].dir, want) == 0, "dir: %s", list[0].dir);
        free(want);
    }
    cairn_folder_free(list, n);

    /* The marker only counts on the first line. */
    char *dir = cairn_path_join(out, "20260102000000_second");
    put_file(dir, "migration.sql", "CREATE TABLE b (x int);\n-- cairn:no-transaction\n");
    free(dir);
    rc = cairn_folder_list(cx, out, &list, &n);
    if (rc == 0)
        rc = cairn_folder_load_all(cx, list, n);
    CHECK(rc == 0 && n == 3 && list[1].no_transaction == 0, "marker on line 2 is ignored");
    cairn_folder_free(list, n);

    /* A NUL byte in migration.sql: nothing after it would run, so the file
     * is refused at its position, never cut short in silence. */
    dir = cairn_path_join(out, "20260102000000_second");
    char *f = cairn_path_join(dir, "migration.sql");
    FILE *fp = fopen(f, "wb");
    fwrite("CREATE TABLE a (x int);\n--> statement-breakpoint\nCREATE\0 TABLE b (y int);\n", 1,
           74, fp);
    fclose(fp);
    rc = cairn_folder_list(cx, out, &list, &n);
    if (rc == 0)
        rc = cairn_folder_load_all(cx, list, n);
    CHECK(rc == CAIRN_EINTEGRITY && cairn_ctx_error(cx)->line == 3 &&
              cairn_ctx_error(cx)->column == 7 && strstr(cairn_ctx_error(cx)->message, "NUL"),
          "NUL refused at 3:7: rc %d, %s", rc, cairn_ctx_error(cx)->message);
    cairn_folder_free(list, n);
    free(f);
    free(dir);
    free(out);
}

static void test_write(cairn_ctx *cx, const char *root)
{
    char *out = cairn_path_join(root, "deep/er/migrations");
    const char *name = "20260101000000_create_users";
    int rc = cairn_folder_write(cx, out, name, "CREATE TABLE users (id integer);\n", NULL,
                                "{\"x\":1}\n");
    CHECK(rc == 0, "write into a folder that does not exist yet: %s",
          cairn_ctx_error(cx)->message);
    char *l = listing(out);
    CHECK(strcmp(l, name) == 0, "only the migration folder remains: %s", l);
    free(l);
    char *dir = cairn_path_join(out, name);
    l = listing(dir);
    CHECK(strcmp(l, "migration.sql snapshot.json") == 0, "its files: %s", l);
    free(l);
    char *f = cairn_path_join(dir, "snapshot.json");
    char *text;
    size_t len;
    CHECK(cairn_read_file(cx, f, &text, &len) == 0 && strcmp(text, "{\"x\":1}\n") == 0,
          "snapshot.json content");
    free(text);
    free(f);
    struct stat st;
    mode_t um = umask(0);
    umask(um);
    CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == (0777 & ~um),
          "the folder is not left 0700 by mkdtemp: %o", (unsigned)(st.st_mode & 0777));

    /* Writing the same name again is refused and leaves the first alone. */
    rc = cairn_folder_write(cx, out, name, "DROP TABLE users;\n", NULL, "{}\n");
    CHECK(rc == CAIRN_EIO, "existing name: rc %d", rc);
    CHECK(strstr(cairn_ctx_error(cx)->message, name) != NULL, "error names it: %s",
          cairn_ctx_error(cx)->message);
    f = cairn_path_join(dir, "migration.sql");
    CHECK(cairn_read_file(cx, f, &text, &len) == 0 &&
              strcmp(text, "CREATE TABLE users (id integer);\n") == 0,
          "existing migration unchanged");
    free(text);
    free(f);
    l = listing(out);
    CHECK(strcmp(l, name) == 0, "no temporary folder left: %s", l);
    free(l);

    rc = cairn_folder_write(cx, out, "create_users", "x", NULL, "{}");
    CHECK(rc == CAIRN_EUSAGE, "a name without a stamp is refused: rc %d", rc);
    rc = cairn_folder_write(cx, out, "20260101000000_Upper", "x", NULL, "{}");
    CHECK(rc == CAIRN_EUSAGE, "an upper-case slug is refused: rc %d", rc);
    free(dir);
    free(out);
}

/* Can this process write into a 0555 folder (root can)? */
static int chmod_stops_writes(const char *root)
{
    char *d = cairn_path_join(root, "probe");
    mkdir(d, 0777);
    chmod(d, 0555);
    char *f = cairn_path_join(d, "x");
    int fd = open(f, O_WRONLY | O_CREAT, 0666);
    int stops = fd < 0;
    if (fd >= 0) {
        close(fd);
        unlink(f);
    }
    chmod(d, 0755);
    rmdir(d);
    free(f);
    free(d);
    return stops;
}

static void test_unwritable(cairn_ctx *cx, const char *root)
{
    if (!chmod_stops_writes(root)) {
        printf("skip: unwritable-folder test (chmod 0555 does not stop this user)\n");
        return;
    }
    char *out = cairn_path_join(root, "locked");
    mkdir(out, 0777);
    chmod(out, 0555);
    int rc = cairn_folder_write(cx, out, "20260101000000_x", "SELECT 1;\n", NULL, "{}\n");
    CHECK(rc == CAIRN_EIO, "unwritable folder: rc %d", rc);
    const cairn_error *e = cairn_ctx_error(cx);
    CHECK(e->message && strstr(e->message, out) != NULL, "the error names the folder: %s",
          e->message ? e->message : "(none)");
    char *l = listing(out);
    CHECK(strcmp(l, "") == 0, "nothing left behind: '%s'", l);
    free(l);
    chmod(out, 0755);

    /* A folder that cannot be created under a read-only parent. */
    char *parent = cairn_path_join(root, "ro");
    mkdir(parent, 0555);
    char *sub = cairn_path_join(parent, "migrations");
    rc = cairn_folder_write(cx, sub, "20260101000000_x", "SELECT 1;\n", NULL, "{}\n");
    CHECK(rc == CAIRN_EIO && strstr(cairn_ctx_error(cx)->message, sub) != NULL,
          "uncreatable folder: rc %d, %s", rc, cairn_ctx_error(cx)->message);
    l = listing(parent);
    CHECK(strcmp(l, "") == 0, "nothing left behind: '%s'", l);
    free(l);
    chmod(parent, 0755);
    free(sub);
    free(parent);
    free(out);
}

static void test_new_name(cairn_ctx *cx, const char *root)
{
    char *out = cairn_path_join(root, "names");
    /* 2026-11-21 10:20:30 UTC */
    int64_t t = 1795256430;
    char *name = NULL;
    int rc = cairn_folder_new_name(cx, out, "Add Users-Table!", t, &name);
    CHECK(rc == 0 && strcmp(name, "20261121102030_add_users_table") == 0, "slug folded: %s",
          name ? name : "(null)");
    free(name);
    rc = cairn_folder_new_name(cx, out, NULL, t, &name);
    CHECK(rc == 0 && strcmp(name, "20261121102030_migration") == 0, "default slug: %s",
          name ? name : "(null)");
    free(name);
    name = NULL;
    rc = cairn_folder_new_name(cx, out, "--!!", t, &name);
    CHECK(rc == CAIRN_EUSAGE && name == NULL, "a slug without letters is refused: rc %d", rc);

    /* Same second as the newest existing migration: one second later. */
    CHECK(cairn_folder_write(cx, out, "20261121102030_first", "SELECT 1;\n", NULL, "{}\n") == 0,
          "write: %s", cairn_ctx_error(cx)->message);
    rc = cairn_folder_new_name(cx, out, "next", t, &name);
    CHECK(rc == 0 && strcmp(name, "20261121102031_next") == 0, "bumped: %s",
          name ? name : "(null)");
    free(name);
    /* The clock is behind the newest migration (another machine's). */
    CHECK(cairn_folder_write(cx, out, "20261231235959_future", "SELECT 1;\n", NULL, "{}\n") == 0,
          "write: %s", cairn_ctx_error(cx)->message);
    rc = cairn_folder_new_name(cx, out, "next", t, &name);
    CHECK(rc == 0 && strcmp(name, "20270101000000_next") == 0, "after the newest: %s",
          name ? name : "(null)");
    free(name);
    /* The clock is ahead: its own time. */
    rc = cairn_folder_new_name(cx, out, "next", t + 86400 * 366, &name);
    CHECK(rc == 0 && strncmp(name, "20271122", 8) == 0, "clock ahead: %s", name ? name : "(null)");
    free(name);
    free(out);
}

static void test_latest_snapshot(cairn_ctx *cx, const char *root)
{
    char *out = cairn_path_join(root, "snaps");
    cairn_snapshot snap;
    int rc = cairn_folder_latest_snapshot(cx, out, &snap);
    CHECK(rc == 0 && snap.schema && snap.schema->ntables == 0 && snap.id == NULL,
          "no migrations: an empty schema (rc %d)", rc);
    if (rc == 0)
        cairn_snapshot_release(&snap);

    /* Newest folder without snapshot.json. */
    mkdir(out, 0777);
    make_dir(out, "20260101000000_a");
    rc = cairn_folder_latest_snapshot(cx, out, &snap);
    CHECK(rc == CAIRN_EINTEGRITY, "missing snapshot: rc %d", rc);
    CHECK(cairn_ctx_error(cx)->file && strstr(cairn_ctx_error(cx)->file, "snapshot.json"),
          "the error names the file: %s", cairn_ctx_error(cx)->message);

    char *first = snapshot_text(cx, "20260102000000_b", NULL);
    if (!first) {
        printf("skip: snapshot parsing (JSON module: %s)\n", cairn_ctx_error(cx)->message);
        free(out);
        return;
    }
    CHECK(cairn_folder_write(cx, out, "20260102000000_b", "SELECT 1;\n", NULL, first) == 0,
          "write: %s", cairn_ctx_error(cx)->message);
    rc = cairn_folder_latest_snapshot(cx, out, &snap);
    CHECK(rc == 0 && snap.id && strcmp(snap.id, "20260102000000_b") == 0,
          "newest snapshot read: rc %d %s", rc, rc ? cairn_ctx_error(cx)->message : "");
    if (rc == 0)
        cairn_snapshot_release(&snap);
    free(first);

    CHECK(cairn_folder_write(cx, out, "20260103000000_c", "SELECT 1;\n", NULL,
                             "{\"id\": [oops\n") == 0,
          "write corrupt: %s", cairn_ctx_error(cx)->message);
    rc = cairn_folder_latest_snapshot(cx, out, &snap);
    CHECK(rc == CAIRN_EINTEGRITY, "corrupt snapshot: rc %d", rc);
    CHECK(cairn_ctx_error(cx)->file &&
              strstr(cairn_ctx_error(cx)->file, "20260103000000_c/snapshot.json"),
          "the error names the file: %s", cairn_ctx_error(cx)->message);
    free(out);
}

/* Wait for the read ahead without taking what it read (a file it did not
 * read never matches). */
static void readahead_join(cairn_ctx *cx)
{
    cairn_snapshot snap;
    int rc;
    cairn_readahead_take(cx, "(none)", "", 0, &snap, &rc);
}

/* generate's read ahead (readahead.c): the snapshot a second thread parsed
 * is used only for the same file with the same bytes; a file changed after
 * it was read is parsed again, and an error is the one parsing gives. */
static void test_readahead(cairn_ctx *cx, const char *root)
{
    char *out = cairn_path_join(root, "ahead");
    char *good = snapshot_text(cx, "20260101000000_a", NULL);
    const char *bad = "{\"id\": [oops\n";
    if (!good) {
        printf("skip: read ahead (JSON module: %s)\n", cairn_ctx_error(cx)->message);
        free(out);
        return;
    }
    mkdir(out, 0777);
    CHECK(cairn_folder_write(cx, out, "20260101000000_a", "SELECT 1;\n", NULL, good) == 0,
          "write: %s", cairn_ctx_error(cx)->message);
    char *dir = cairn_path_join(out, "20260101000000_a");
    cairn_snapshot snap;

    /* the same bytes: what the thread read */
    cairn_readahead_start(cx, out);
    int rc = cairn_folder_read_snapshot(cx, dir, &snap);
    CHECK(rc == 0 && snap.id && strcmp(snap.id, "20260101000000_a") == 0,
          "read ahead, unchanged: rc %d", rc);
    cairn_snapshot_release(&snap);
    cairn_readahead_stop(cx);

    /* read good, then damaged before the folder is read: the damage counts */
    cairn_readahead_start(cx, out);
    readahead_join(cx);
    put_file(dir, "snapshot.json", bad);
    rc = cairn_folder_read_snapshot(cx, dir, &snap);
    CHECK(rc == CAIRN_EINTEGRITY, "read ahead, then damaged: rc %d", rc);
    char *sequential = strdup(cairn_ctx_error(cx)->message);
    cairn_readahead_stop(cx);

    /* read damaged: the same error, from the thread's context */
    cairn_readahead_start(cx, out);
    readahead_join(cx);
    cairn_err_clear(cx);
    rc = cairn_folder_read_snapshot(cx, dir, &snap);
    CHECK(rc == CAIRN_EINTEGRITY && strcmp(cairn_ctx_error(cx)->message, sequential) == 0 &&
              cairn_ctx_error(cx)->line == 1 && cairn_ctx_error(cx)->file &&
              strstr(cairn_ctx_error(cx)->file, "snapshot.json"),
          "read ahead of a damaged file: rc %d, \"%s\" against \"%s\"", rc,
          cairn_ctx_error(cx)->message, sequential);
    /* ... and mended before the folder is read: the mended file counts */
    put_file(dir, "snapshot.json", good);
    rc = cairn_folder_read_snapshot(cx, dir, &snap);
    CHECK(rc == 0 && snap.id && strcmp(snap.id, "20260101000000_a") == 0,
          "read ahead of a damaged file, then mended: rc %d", rc);
    cairn_snapshot_release(&snap);
    cairn_readahead_stop(cx);
    cairn_readahead_stop(cx); /* twice: a no-op */

    free(sequential);
    free(dir);
    free(good);
    free(out);
}

/* down.sql: written with the migration, read back with its checksum; the
 * snapshot keeps down_checksum; a folder without one reads as none. */
static void test_down(cairn_ctx *cx, const char *root)
{
    char *out = cairn_path_join(root, "down");
    const char *down = "-- undo\nDROP TABLE users;\n";
    char want[65];
    cairn_sha256_hex(down, strlen(down), want);
    cairn_snapshot s = {.id = (char *)"20260101000000_a", .dialect = (char *)"sqlite",
                        .down_checksum = want, .schema = cairn_schema_new()};
    cairn_buf b;
    cairn_buf_init(&b);
    int rc = cairn_json_write_snapshot(cx, &s, &b);
    cairn_schema_free(s.schema);
    CHECK(rc == 0, "write a snapshot with down_checksum: %s", cairn_ctx_error(cx)->message);
    CHECK(rc || strstr(cairn_buf_cstr(&b), want), "the snapshot holds down_checksum");
    rc = rc ? rc
            : cairn_folder_write(cx, out, "20260101000000_a", "CREATE TABLE users (id int);\n",
                                 down, cairn_buf_cstr(&b));
    cairn_buf_release(&b);
    CHECK(rc == 0, "write with down.sql: %s", cairn_ctx_error(cx)->message);
    char *dir = cairn_path_join(out, "20260101000000_a");
    char *text = NULL, sum[65];
    rc = cairn_folder_read_down(cx, dir, &text, sum);
    CHECK(rc == 0 && text && strcmp(text, down) == 0 && strcmp(sum, want) == 0,
          "down.sql read back with its checksum (rc %d)", rc);
    free(text);
    cairn_snapshot snap;
    rc = cairn_folder_read_snapshot(cx, dir, &snap);
    CHECK(rc == 0 && snap.down_checksum && strcmp(snap.down_checksum, want) == 0,
          "down_checksum read back (rc %d)", rc);
    if (rc == 0)
        cairn_snapshot_release(&snap);
    /* a NUL byte: refused at its position */
    char *f = cairn_path_join(dir, "down.sql");
    FILE *fp = fopen(f, "w");
    fwrite("SELECT 1;\n\0x", 1, 12, fp);
    fclose(fp);
    rc = cairn_folder_read_down(cx, dir, &text, sum);
    CHECK(rc == CAIRN_EINTEGRITY && !text && cairn_ctx_error(cx)->line == 2,
          "a NUL byte in down.sql: rc %d line %d", rc, cairn_ctx_error(cx)->line);
    unlink(f);
    rc = cairn_folder_read_down(cx, dir, &text, sum);
    CHECK(rc == 0 && !text, "no down.sql: none, no error (rc %d)", rc);
    rc = cairn_folder_write(cx, out, "20260102000000_b", "SELECT 1;\n", NULL, "{}\n");
    char *dir2 = cairn_path_join(out, "20260102000000_b");
    char *f2 = cairn_path_join(dir2, "down.sql");
    CHECK(rc == 0 && !cairn_file_exists(f2), "no down_sql: no down.sql written");
    free(f);
    free(f2);
    free(dir2);
    free(dir);
    free(out);
}

/* Slugs, stamps, another tool's folder, and the check the reading
 * commands make (cairn import's helpers). */
static void test_import_helpers(cairn_ctx *cx, const char *root)
{
    char slug[CAIRN_SLUG_MAX + 1];
    CHECK(cairn_folder_slug("Add Users-Table", slug) == 15, "slug length");
    CHECK_STR(slug, "add_users_table");
    CHECK(cairn_folder_slug("--", slug) == 0, "nothing left of '--'");
    int64_t t = 0;
    CHECK(cairn_folder_parse_stamp("20240110093000", &t) == 0 && t == 1704879000, "stamp %lld",
          (long long)t);
    CHECK(cairn_folder_parse_stamp("20241310093000", &t) != 0, "month 13 is no stamp");
    CHECK(cairn_folder_parse_stamp("2024011009300x", &t) != 0, "a letter is no stamp");
    char out[16];
    CHECK(cairn_folder_format_stamp(1, out) == 0, "format 1");
    CHECK_STR(out, "19700101000001");
    CHECK(cairn_folder_format_stamp(253402300800, out) != 0, "the year 10000 has no stamp");

    static const struct {
        const char *file, *text, *tool;
    } kinds[] = {{"meta/_journal.json", "{}", "drizzle"},
                 {"migration_lock.toml", "provider = \"sqlite\"\n", "prisma"},
                 {"1_a.up.sql", "SELECT 1;\n", "golang-migrate"},
                 {"V1_1__a.sql", "SELECT 1;\n", "flyway"},
                 {"20240101000000_a.sql", "-- migrate:up\nSELECT 1;\n", "dbmate"},
                 {"20240101000000_a.sql", "SELECT 1;\n", NULL},
                 {"V1a__a.sql", "SELECT 1;\n", NULL}};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        char name[32];
        snprintf(name, sizeof name, "foreign%zu", i);
        make_dir(root, name);
        char *dir = cairn_path_join(root, name);
        if (strchr(kinds[i].file, '/'))
            make_dir(dir, "meta");
        put_file(dir, kinds[i].file, kinds[i].text);
        char evidence[64] = "";
        const char *tool = cairn_folder_foreign(dir, evidence, sizeof evidence);
        CHECK((!tool && !kinds[i].tool) || (tool && kinds[i].tool && !strcmp(tool, kinds[i].tool)),
              "%s: got %s, want %s", kinds[i].file, tool ? tool : "none",
              kinds[i].tool ? kinds[i].tool : "none");
        CHECK(!tool || strcmp(evidence, kinds[i].file) == 0, "evidence %s", evidence);
        int rc = cairn_folder_check_readable(cx, dir);
        CHECK(kinds[i].tool ? rc == CAIRN_ECONFIG && strstr(cairn_ctx_error(cx)->message,
                                                             "cairn import")
                            : rc == 0,
              "%s: check_readable %d %s", kinds[i].file, rc, cairn_ctx_error(cx)->message);
        free(dir);
    }
    char *gone = cairn_path_join(root, "no-such-folder");
    CHECK(cairn_folder_check_readable(cx, gone) == CAIRN_ECONFIG &&
              strstr(cairn_ctx_error(cx)->message, "does not exist"),
          "missing: %s", cairn_ctx_error(cx)->message);
    free(gone);
    /* Prisma's folders have cairn's names; cairn's own have a snapshot */
    make_dir(root, "prismaish");
    char *pd = cairn_path_join(root, "prismaish");
    put_file(pd, "migration_lock.toml", "provider = \"sqlite\"\n");
    make_dir(pd, "20240101000000_init");
    put_file(pd, "20240101000000_init/migration.sql", "SELECT 1;\n");
    CHECK(cairn_folder_check_readable(cx, pd) == CAIRN_ECONFIG, "prisma's folder refused");
    put_file(pd, "20240101000000_init/snapshot.json", "{}");
    CHECK(cairn_folder_check_readable(cx, pd) == 0, "with a snapshot it is cairn's: %s",
          cairn_ctx_error(cx)->message);
    free(pd);
}

/* cairn_read_file: a regular file is read at its size in one buffer, from
 * CAIRN_MEM_BIG up in huge pages; anything else in steps. Every byte, the
 * NUL after them, and the two errors. */
static void test_read_file(cairn_ctx *cx, const char *root)
{
    size_t sizes[] = {0, 1, 65535, 65536, 65537, CAIRN_MEM_BIG - 1, CAIRN_MEM_BIG,
                      (size_t)3 << 20};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k];
        char *want = malloc(n + 1), *got = NULL, *p = cairn_path_join(root, "read.bin");
        size_t len = 12345;
        for (size_t i = 0; i < n; i++)
            want[i] = (char)('a' + (i * 7 + i / 4093) % 26);
        FILE *f = fopen(p, "wb");
        if (!f || fwrite(want, 1, n, f) != n || fclose(f)) {
            perror(p);
            exit(2);
        }
        int rc = cairn_read_file(cx, p, &got, &len);
        CHECK(rc == 0 && len == n && memcmp(got, want, n) == 0 && got[n] == '\0',
              "a file of %zu bytes read whole (rc %d, len %zu)", n, rc, len);
        free(got);
        free(want);
        free(p);
    }
    /* a pipe: no size to read at, so read in steps to its end */
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        exit(2);
    }
    size_t n = (size_t)700 << 10;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        char block[4096];
        for (size_t i = 0; i < n; i += sizeof block) {
            memset(block, (int)('a' + (i / sizeof block) % 26), sizeof block);
            if (write(fds[1], block, sizeof block) != (ssize_t)sizeof block)
                _exit(1);
        }
        _exit(0);
    }
    close(fds[1]);
    char dev[64], *got = NULL;
    size_t len = 0;
    snprintf(dev, sizeof dev, "/dev/fd/%d", fds[0]);
    int rc = cairn_read_file(cx, dev, &got, &len);
    int same = rc == 0 && len == n && got[n] == '\0';
    for (size_t i = 0; same && i < n; i++)
        same = got[i] == (char)('a' + (i / 4096) % 26);
    CHECK(same, "a pipe read to its end (rc %d, len %zu)", rc, len);
    free(got);
    close(fds[0]);
    waitpid(pid, NULL, 0);
    got = NULL;
    CHECK(cairn_read_file(cx, root, &got, &len) == CAIRN_EIO && !got, "a folder is refused");
    CHECK(strstr(cairn_ctx_error(cx)->message, "read error") != NULL, "%s",
          cairn_ctx_error(cx)->message);
    char *missing = cairn_path_join(root, "no-such-file");
    CHECK(cairn_read_file(cx, missing, &got, &len) == CAIRN_EIO && !got, "a missing file");
    CHECK(strstr(cairn_ctx_error(cx)->message, "cannot open: No such file") != NULL, "%s",
          cairn_ctx_error(cx)->message);
    free(missing);
}

int main(void)
{
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx) != 0)
        return 2;
    char *root = tmpdir();
    test_missing_folder_is_empty(cx, root);
    test_list(cx, root);
    test_write(cx, root);
    test_unwritable(cx, root);
    test_new_name(cx, root);
    test_latest_snapshot(cx, root);
    test_readahead(cx, root);
    test_down(cx, root);
    test_import_helpers(cx, root);
    test_read_file(cx, root);
    rm_rf(root);
    free(root);
    cairn_ctx_free(cx);
    return check_done();
}
