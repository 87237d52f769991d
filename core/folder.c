/*
 * The migrations folder: <out>/<YYYYMMDDHHMMSS>_<slug>/ holding migration.sql,
 * snapshot.json and optionally down.sql. Listing, reading the newest
 * snapshot, naming and writing a new migration (atomically: a half-written
 * migration never looks like a migration).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define STAMP_LEN 14

int cairn_folder_name_valid(const char *name)
{
    size_t i = 0;
    for (; i < STAMP_LEN; i++)
        if (name[i] < '0' || name[i] > '9')
            return 0;
    if (name[i++] != '_' || !name[i])
        return 0;
    for (; name[i]; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

static int parse_stamp(const char *s, time_t *t);
static void format_stamp(time_t t, char out[STAMP_LEN + 2]);

size_t cairn_folder_slug(const char *text, char out[CAIRN_SLUG_MAX + 1])
{
    /* lower case, every run of other characters one '_' */
    size_t len = 0;
    for (const char *p = text; *p && len < CAIRN_SLUG_MAX; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[len++] = c;
        else if (len && out[len - 1] != '_')
            out[len++] = '_';
    }
    while (len && out[len - 1] == '_')
        len--;
    out[len] = '\0';
    return len;
}

static int cmp_migration(const void *a, const void *b)
{
    return strcmp(((const cairn_migration *)a)->name, ((const cairn_migration *)b)->name);
}

size_t cairn_folder_find(const cairn_migration *list, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(list[mid].name, name);
        if (!c)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return n;
}

void cairn_folder_free(cairn_migration *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++) {
        free(list[i].name);
        free(list[i].dir);
        free(list[i].sql);
    }
    free(list);
}

/* Fill one entry from its folder's name; its files are read on demand. */
static int read_migration(cairn_ctx *cx, const char *out, const char *name, cairn_migration *m)
{
    memset(m, 0, sizeof *m);
    m->name = strdup(name);
    m->dir = cairn_path_join(out, name);
    char *file = m->dir ? cairn_path_join(m->dir, "migration.sql") : NULL;
    if (!m->name || !file) {
        free(file);
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    m->has_sql = cairn_file_exists(file);
    free(file);
    return 0;
}

int cairn_folder_load_sql(cairn_ctx *cx, cairn_migration *m)
{
    if (m->sql || !m->has_sql)
        return 0;
    char *file = cairn_path_join(m->dir, "migration.sql");
    if (!file)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    int rc = cairn_read_file(cx, file, &m->sql, &m->sql_len);
    if (!rc && (rc = cairn_migfile_check_text(cx, file, m->sql, m->sql_len)) != 0) {
        free(m->sql);
        m->sql = NULL;
    }
    if (!rc) {
        cairn_sha256_hex(m->sql, m->sql_len, m->checksum);
        m->no_transaction = cairn_migfile_no_transaction(m->sql);
    }
    free(file);
    return rc;
}

int cairn_folder_load_all(cairn_ctx *cx, cairn_migration *list, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = cairn_folder_load_sql(cx, &list[i]);
    return rc;
}

int cairn_folder_list(cairn_ctx *cx, const char *out, cairn_migration **list, size_t *n)
{
    *list = NULL;
    *n = 0;
    DIR *dir = opendir(out);
    if (!dir) {
        if (errno == ENOENT)
            return 0;
        return cairn_err_at(cx, CAIRN_EIO, out, 0, 0, "cannot read the migrations folder: %s",
                            strerror(errno));
    }
    cairn_migration *v = NULL;
    size_t cnt = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while (!rc && (de = readdir(dir)) != NULL) {
        /* .tmp-* folders (a write in progress or interrupted) and anything
         * else that is not a migration's name are not migrations. */
        if (!cairn_folder_name_valid(de->d_name))
            continue;
        char *path = cairn_path_join(out, de->d_name);
        int is_dir = path && cairn_is_dir(path);
        free(path);
        if (!is_dir)
            continue;
        if (cnt == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            cairn_migration *nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
                break;
            }
            v = nv;
            cap = ncap;
        }
        rc = read_migration(cx, out, de->d_name, &v[cnt]);
        cnt++;
    }
    closedir(dir);
    if (rc) {
        cairn_folder_free(v, cnt);
        return rc;
    }
    if (cnt)
        qsort(v, cnt, sizeof *v, cmp_migration);
    *list = v;
    *n = cnt;
    return 0;
}

int cairn_folder_read_snapshot(cairn_ctx *cx, const char *dir, cairn_snapshot *snap)
{
    memset(snap, 0, sizeof *snap);
    char *file = cairn_path_join(dir, "snapshot.json");
    if (!file)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    int rc;
    if (!cairn_file_exists(file)) {
        rc = cairn_err_at(cx, CAIRN_EINTEGRITY, file, 0, 0, "snapshot.json is missing");
        free(file);
        return rc;
    }
    char *text;
    size_t len;
    rc = cairn_read_file(cx, file, &text, &len);
    if (!rc) {
        /* generate may have parsed these very bytes already (readahead.c) */
        if (!cairn_readahead_take(cx, file, text, len, snap, &rc))
            rc = cairn_snapshot_from_text(cx, file, text, len, snap);
        free(text);
    }
    free(file);
    return rc;
}

int cairn_snapshot_from_text(cairn_ctx *cx, const char *file, const char *text, size_t len,
                             cairn_snapshot *snap)
{
    int rc = cairn_json_read_snapshot(cx, text, len, file, snap);
    /* A snapshot that does not parse is a damaged migrations folder,
     * not a schema the user is writing: keep the position, say so. */
    if (rc == CAIRN_ESCHEMA)
        rc = cx->err.code = CAIRN_EINTEGRITY;
    if (rc)
        cairn_snapshot_release(snap);
    return rc;
}

int cairn_folder_latest_snapshot(cairn_ctx *cx, const char *out, cairn_snapshot *snap)
{
    memset(snap, 0, sizeof *snap);
    cairn_migration *list;
    size_t n;
    int rc = cairn_folder_list(cx, out, &list, &n);
    if (rc)
        return rc;
    if (n == 0) {
        snap->schema = cairn_schema_new();
        return snap->schema ? 0 : cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    rc = cairn_folder_read_snapshot(cx, list[n - 1].dir, snap);
    cairn_folder_free(list, n);
    return rc;
}

int cairn_folder_read_down(cairn_ctx *cx, const char *dir, char **text, char sum[65])
{
    *text = NULL;
    sum[0] = '\0';
    char *file = cairn_path_join(dir, "down.sql");
    if (!file)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    size_t len = 0;
    int rc = 0;
    if (cairn_file_exists(file))
        rc = cairn_read_file(cx, file, text, &len);
    if (!rc && *text)
        rc = cairn_text_check_nul(cx, CAIRN_EINTEGRITY, file, *text, len, "down.sql");
    if (!rc && *text)
        cairn_sha256_hex(*text, len, sum);
    if (rc) {
        free(*text);
        *text = NULL;
    }
    free(file);
    return rc;
}

/* "YYYYMMDDHHMMSS" of a UTC time up to the year 9999. */
static void format_stamp(time_t t, char out[STAMP_LEN + 2])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, STAMP_LEN + 2, "%Y%m%d%H%M%S", &tm);
}

int cairn_folder_parse_stamp(const char *s, int64_t *out)
{
    time_t t;
    if (parse_stamp(s, &t))
        return -1;
    /* a stamp that is not a real time (month 13) would not come back the same */
    char again[STAMP_LEN + 2];
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 1)
        return -1;
    format_stamp(t, again);
    if (strncmp(again, s, STAMP_LEN) != 0)
        return -1;
    *out = (int64_t)t;
    return 0;
}

int cairn_folder_format_stamp(int64_t t, char out[16])
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 1)
        return -1;
    format_stamp(tt, out);
    return 0;
}

static int parse_stamp(const char *s, time_t *t)
{
    int f[6];
    static const int width[6] = {4, 2, 2, 2, 2, 2};
    for (int i = 0, at = 0; i < 6; at += width[i++]) {
        f[i] = 0;
        for (int j = 0; j < width[i]; j++) {
            if (s[at + j] < '0' || s[at + j] > '9')
                return -1;
            f[i] = f[i] * 10 + (s[at + j] - '0');
        }
    }
    struct tm tm = {.tm_year = f[0] - 1900, .tm_mon = f[1] - 1, .tm_mday = f[2],
                    .tm_hour = f[3], .tm_min = f[4], .tm_sec = f[5]};
    *t = timegm(&tm);
    return 0;
}

int cairn_folder_new_name(cairn_ctx *cx, const char *out, const char *slug, int64_t now,
                          char **name)
{
    *name = NULL;
    char clean[CAIRN_SLUG_MAX + 1];
    if (!cairn_folder_slug(slug ? slug : "migration", clean))
        return cairn_err(cx, CAIRN_EUSAGE,
                         "migration name '%s' has no letters or digits", slug ? slug : "");

    /* Names must sort after every existing migration, even when the clock
     * is behind the newest one or two run in the same second. */
    cairn_migration *list;
    size_t n;
    int rc = cairn_folder_list(cx, out, &list, &n);
    if (rc)
        return rc;
    time_t t = (time_t)now, newest;
    if (n && parse_stamp(list[n - 1].name, &newest) == 0 && newest >= t)
        t = newest + 1;
    /* A stamp past the year 9999 has 15 digits and would not sort, nor be
     * a migration's name: say which folder blocks the way. */
    char stamp[STAMP_LEN + 2];
    struct tm tm;
    int fits = gmtime_r(&t, &tm) && tm.tm_year + 1900 <= 9999;
    if (fits)
        format_stamp(t, stamp);
    if (!fits || (n && strncmp(stamp, list[n - 1].name, STAMP_LEN) <= 0)) {
        rc = cairn_err_at(cx, CAIRN_EINTEGRITY, list[n - 1].dir, 0, 0,
                          "no migration name sorts after this one (<YYYYMMDDHHMMSS> ends in the "
                          "year 9999): give it an earlier stamp");
        cairn_folder_free(list, n);
        return rc;
    }
    cairn_folder_free(list, n);

    cairn_buf b;
    cairn_buf_init(&b);
    cairn_buf_printf(&b, "%s_%s", stamp, clean);
    if (b.oom)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    *name = cairn_buf_steal(&b);
    return 0;
}

int cairn_folder_lock(cairn_ctx *cx, const char *out, int *fd)
{
    /* The folder itself when it exists, else the folder it will be made in:
     * a lock file would be one more file in the user's folder. */
    char *target = strdup(out && *out ? out : ".");
    while (target && !cairn_is_dir(target)) {
        char *slash = strrchr(target, '/');
        if (!slash) {
            free(target);
            target = strdup(".");
            break;
        }
        slash[slash == target ? 1 : 0] = '\0';
    }
    if (!target)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    *fd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;
    if (*fd < 0)
        rc = cairn_err_at(cx, CAIRN_EIO, target, 0, 0, "cannot open: %s", strerror(errno));
    else if (flock(*fd, LOCK_EX) != 0) {
        rc = cairn_err_at(cx, CAIRN_EIO, target, 0, 0, "cannot lock: %s", strerror(errno));
        close(*fd);
        *fd = -1;
    }
    free(target);
    return rc;
}

void cairn_folder_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* closing the descriptor releases the flock */
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    if (!*path)
        return ENOENT;
    char *p = strdup(path);
    if (!p)
        return ENOMEM;
    int err = 0;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s)
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            err = errno;
            break;
        }
        *s = c;
        if (!c)
            break;
    }
    free(p);
    if (!err && !cairn_is_dir(path))
        err = ENOTDIR;
    return err;
}

/* Write, fsync and close one new file; errno value on failure. */
static int write_synced(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0)
        return errno;
    size_t len = strlen(data), off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int e = errno;
            close(fd);
            return e;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0) {
        int e = errno;
        close(fd);
        return e;
    }
    return close(fd) != 0 ? errno : 0;
}

/* fsync a folder so a rename inside it survives a crash; best effort where
 * the file system cannot sync folders. */
static void sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Remove the temporary folder and what this module may have put in it. */
static void remove_tmp(const char *tmp)
{
    static const char *const files[] = {"migration.sql", "snapshot.json", "down.sql"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *f = cairn_path_join(tmp, files[i]);
        if (f)
            unlink(f);
        free(f);
    }
    rmdir(tmp);
}

int cairn_folder_write(cairn_ctx *cx, const char *out, const char *name, const char *sql,
                       const char *down_sql, const char *snapshot_json)
{
    if (!name || !cairn_folder_name_valid(name))
        return cairn_err(cx, CAIRN_EUSAGE,
                         "'%s' is not a migration name (<YYYYMMDDHHMMSS>_<a-z0-9_>)",
                         name ? name : "");
    if (!sql || !snapshot_json)
        return cairn_err(cx, CAIRN_EUSAGE, "a migration needs migration.sql and snapshot.json");
    int e = make_dirs(out);
    if (e)
        return cairn_err_at(cx, CAIRN_EIO, out, 0, 0, "cannot create the migrations folder: %s",
                            strerror(e));
    char *final = cairn_path_join(out, name);
    if (!final)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    if (cairn_file_exists(final)) {
        int rc = cairn_err_at(cx, CAIRN_EIO, final, 0, 0, "a migration with this name exists");
        free(final);
        return rc;
    }
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_buf_printf(&b, ".tmp-%s-XXXXXX", name);
    char *tmp = b.oom ? NULL : cairn_path_join(out, cairn_buf_cstr(&b));
    cairn_buf_release(&b);
    if (!tmp) {
        free(final);
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    if (!mkdtemp(tmp)) {
        int rc = cairn_err_at(cx, CAIRN_EIO, out, 0, 0, "cannot create a folder in it: %s",
                              strerror(errno));
        free(tmp);
        free(final);
        return rc;
    }
    /* mkdtemp makes 0700; a migration folder is an ordinary folder. */
    mode_t um = umask(0);
    umask(um);
    chmod(tmp, 0777 & ~um);

    const char *fail_file = NULL;
    char *fsql = cairn_path_join(tmp, "migration.sql");
    char *fsnap = cairn_path_join(tmp, "snapshot.json");
    char *fdown = down_sql ? cairn_path_join(tmp, "down.sql") : NULL;
    if (!fsql || !fsnap || (down_sql && !fdown))
        e = ENOMEM;
    if (!e && (e = write_synced(fsql, sql)) != 0)
        fail_file = "migration.sql";
    if (!e && down_sql && (e = write_synced(fdown, down_sql)) != 0)
        fail_file = "down.sql";
    if (!e && (e = write_synced(fsnap, snapshot_json)) != 0)
        fail_file = "snapshot.json";
    if (!e) {
        sync_dir(tmp);
        if (rename(tmp, final) != 0)
            e = errno;
        else
            sync_dir(out);
    }
    int rc = 0;
    if (e) {
        remove_tmp(tmp);
        if (fail_file)
            rc = cairn_err_at(cx, CAIRN_EIO, final, 0, 0, "cannot write %s: %s", fail_file,
                              strerror(e));
        else
            rc = cairn_err_at(cx, CAIRN_EIO, final, 0, 0, "cannot write the migration: %s",
                              strerror(e));
    }
    free(fsql);
    free(fsnap);
    free(fdown);
    free(tmp);
    free(final);
    return rc;
}

void cairn_folder_remove(const char *out, const char *name)
{
    char *dir = cairn_path_join(out, name);
    if (dir)
        remove_tmp(dir);
    free(dir);
}

/* ---- another tool's migrations, where cairn's were expected ----------------- */

/* Flyway's versioned file: V<digits, '.', '_'>__<description>.sql */
static int is_flyway_name(const char *s)
{
    if (s[0] != 'V' || s[1] < '0' || s[1] > '9')
        return 0;
    const char *p = s + 1;
    while ((*p >= '0' && *p <= '9') || *p == '.' || (*p == '_' && p[1] != '_'))
        p++;
    return p[0] == '_' && p[1] == '_' && cairn_has_suffix(s, ".sql");
}

/* Does the file have a line starting "-- migrate:up" (dbmate)? */
static int has_dbmate_marker(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[256];
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        found = strncmp(line, "-- migrate:up", 13) == 0;
    fclose(f);
    return found;
}

const char *cairn_folder_foreign(const char *dir, char *evidence, size_t size)
{
    static const struct {
        const char *file, *tool;
    } marks[] = {{"meta/_journal.json", "drizzle"}, {"migration_lock.toml", "prisma"}};
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++) {
        char *p = cairn_path_join(dir, marks[i].file);
        int there = p && cairn_file_exists(p);
        free(p);
        if (there) {
            snprintf(evidence, size, "%s", marks[i].file);
            return marks[i].tool;
        }
    }
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    const char *tool = NULL;
    struct dirent *de;
    while (!tool && (de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        if (cairn_has_suffix(n, ".up.sql") && n[0] >= '0' && n[0] <= '9')
            tool = "golang-migrate";
        else if (is_flyway_name(n))
            tool = "flyway";
        else if (n[0] >= '0' && n[0] <= '9' && cairn_has_suffix(n, ".sql")) {
            char *p = cairn_path_join(dir, n);
            if (p && has_dbmate_marker(p))
                tool = "dbmate";
            free(p);
        }
        if (tool)
            snprintf(evidence, size, "%s", n);
    }
    closedir(d);
    return tool;
}

int cairn_folder_list_existing(cairn_ctx *cx, const char *out, cairn_migration **list,
                               size_t *n)
{
    *list = NULL;
    *n = 0;
    if (!out || !*out)
        return cairn_err(cx, CAIRN_ECONFIG, "no migrations folder: set \"out\" or pass --out");
    if (!cairn_is_dir(out))
        return cairn_err(cx, CAIRN_ECONFIG,
                         "the migrations folder %s %s (check --out / \"out\"; 'cairn generate' "
                         "starts one, 'cairn import TOOL DIR' converts another tool's)",
                         out, cairn_file_exists(out) ? "is not a folder" : "does not exist");
    int rc = cairn_folder_list(cx, out, list, n);
    if (rc)
        return rc;
    /* Prisma's folders have cairn's names: they are prisma's when the
     * first has no snapshot.json (cairn writes one in every folder). */
    int cairn_made = 0;
    if (*n) {
        char *snap = cairn_path_join((*list)[0].dir, "snapshot.json");
        cairn_made = snap && cairn_file_exists(snap);
        free(snap);
    }
    char evidence[256];
    const char *tool = cairn_made ? NULL : cairn_folder_foreign(out, evidence, sizeof evidence);
    if (!tool)
        return 0;
    cairn_folder_free(*list, *n);
    *list = NULL;
    *n = 0;
    return cairn_err(cx, CAIRN_ECONFIG,
                     "the migrations folder %s holds %s migrations (%s), not cairn's: "
                     "convert them with 'cairn import %s %s'",
                     out, tool, evidence, tool, out);
}

int cairn_folder_check_readable(cairn_ctx *cx, const char *out)
{
    cairn_migration *list;
    size_t n;
    int rc = cairn_folder_list_existing(cx, out, &list, &n);
    cairn_folder_free(list, n);
    return rc;
}
