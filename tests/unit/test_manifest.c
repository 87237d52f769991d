/* manifest.c: the <name>.dialect file beside a driver. A well-formed one is
 * read; anything else (garbage, over-long lines, missing keys, a FIFO) is
 * ignored with a debug line, never a crash; a driver's table is checked
 * against its manifest; and every staged in-tree driver agrees with the
 * manifest the build wrote for it. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"

static int parses(const char *text, cairn_manifest *m, char *why, size_t size)
{
    return cairn_manifest_parse(text, strlen(text), m, why, size) == 0;
}

static void test_well_formed(void)
{
    static cairn_manifest m;
    char why[128] = "";
    CHECK(parses("name = sqlite\nschemes = sqlite file\n", &m, why, sizeof why), "%s", why);
    CHECK_STR(m.name, "sqlite");
    CHECK(m.nschemes == 2, "%zu schemes", m.nschemes);
    CHECK_STR(m.schemes[0], "sqlite");
    CHECK_STR(m.schemes[1], "file");
    CHECK(cairn_manifest_serves(&m, "file") && !cairn_manifest_serves(&m, "fil"), "serves");

    /* comments, blank lines, CRLF, no blanks around '=', commas, tabs, no
     * final newline, a key of a later cairn */
    const char *text = "# a comment\r\n\r\n   # indented comment\n"
                       "name=my_db2\r\n"
                       "abi = 1.7\n"
                       "schemes =\tmydb,  mydb+tls , x-y.z\t";
    CHECK(parses(text, &m, why, sizeof why), "%s", why);
    CHECK_STR(m.name, "my_db2");
    CHECK(m.nschemes == 3, "%zu schemes", m.nschemes);
    CHECK_STR(m.schemes[1], "mydb+tls");
    CHECK_STR(m.schemes[2], "x-y.z");

    /* a line of exactly the limit is fine */
    char line[CAIRN_MANIFEST_MAX_LINE + 64];
    int n = snprintf(line, sizeof line, "name = a\nschemes = b\n#");
    memset(line + n, 'x', CAIRN_MANIFEST_MAX_LINE - 1);
    line[n + CAIRN_MANIFEST_MAX_LINE - 1] = '\0';
    CHECK(parses(line, &m, why, sizeof why), "a %d-character line: %s", CAIRN_MANIFEST_MAX_LINE,
          why);
}

static void test_ignored(void)
{
    static cairn_manifest m;
    static char big[CAIRN_MANIFEST_MAX_BYTES + 2];
    memset(big, '#', sizeof big - 1);
    char longline[CAIRN_MANIFEST_MAX_LINE + 32];
    int n = snprintf(longline, sizeof longline, "name = a\nschemes = b\n#");
    memset(longline + n, 'x', CAIRN_MANIFEST_MAX_LINE);
    longline[n + CAIRN_MANIFEST_MAX_LINE] = '\0';
    char many[512] = "name = a\nschemes =";
    for (int i = 0; i <= CAIRN_MANIFEST_MAX_SCHEMES; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), " s%d", i);
    struct { const char *text, *why; } cases[] = {
        {"", "no 'name' line"},
        {"# nothing but a comment\n", "no 'name' line"},
        {"schemes = a\n", "no 'name' line"},
        {"name = a\n", "no 'schemes' line"},
        {"name = a\nschemes =\n", "line 2: 'schemes' lists no scheme"},
        {"name = a\nschemes = , ,\n", "line 2: 'schemes' lists no scheme"},
        {"name: a\nschemes: b\n", "line 1: not 'key = value'"},
        {"name = a\nschemes = b\ngarbage\n", "line 3: not 'key = value'"},
        {"Name = a\nschemes = b\n", "line 1: a key is [a-z0-9_]+"},
        {"= a\nschemes = b\n", "line 1: a key is [a-z0-9_]+"},
        {"name = MyDb\nschemes = b\n", "line 1: 'name' is not [a-z0-9_]+"},
        {"name = a b\nschemes = b\n", "line 1: 'name' is not [a-z0-9_]+"},
        {"name = ../etc\nschemes = b\n", "line 1: 'name' is not [a-z0-9_]+"},
        {"name =\nschemes = b\n", "line 1: 'name' is not [a-z0-9_]+"},
        {"name = a\nname = b\nschemes = b\n", "line 2: 'name' given twice"},
        {"name = a\nschemes = b\nschemes = c\n", "line 3: 'schemes' given twice"},
        {"name = a\nschemes = Pg\n", "line 2: a scheme is not [a-z][a-z0-9+.-]*"},
        {"name = a\nschemes = 9p\n", "line 2: a scheme is not [a-z][a-z0-9+.-]*"},
        {"name = a\nschemes = pg://\n", "line 2: a scheme is not [a-z][a-z0-9+.-]*"},
        {"name = a\nschemes = b # trailing comment\n", "line 2: a scheme is not"},
        {"name = a\nschemes = p\xc3\xa9\n", "line 2: a scheme is not"},
        {"\x7f" "ELF\x02\x01\x01\n", "line 1: not 'key = value'"},
        {longline, "line 3: longer than 256 characters"},
        {many, "line 2: more than 32 schemes"},
        {big, "larger than 4096 bytes"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char why[128] = "";
        int rc = cairn_manifest_parse(cases[i].text, strlen(cases[i].text), &m, why, sizeof why);
        CHECK(rc == -1 && strstr(why, cases[i].why), "case %zu: rc %d, why [%s], want [%s]", i,
              rc, why, cases[i].why);
    }
    /* a NUL byte inside */
    char why[128] = "";
    const char nul[] = "name = a\0b\nschemes = c\n";
    CHECK(cairn_manifest_parse(nul, sizeof nul - 1, &m, why, sizeof why) == -1 &&
              strstr(why, "NUL byte"),
          "%s", why);
    /* a reason buffer too small for the message is cut, not overrun */
    char tiny[8];
    CHECK(!parses("name = a\nschemes = b\nschemes = c\n", &m, tiny, sizeof tiny) &&
              strlen(tiny) < sizeof tiny,
          "[%s]", tiny);
}

/* Random bytes, and manifests assembled from plausible lines with random
 * bytes flipped: parse or refuse, never crash (run under CAIRN_SANITIZE for
 * the memory errors). */
static unsigned next_rand(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

static void test_random(void)
{
    static cairn_manifest m;
    static const char *const lines[] = {"name = sqlite\n", "schemes = sqlite, file\n",
                                        "# comment\n",     "\r\n",
                                        "abi=1.1\n",       "name=x\r\n",
                                        "schemes=a b c\n", "schemes = \n"};
    unsigned seed = 12345;
    int parsed = 0;
    for (int round = 0; round < 20000; round++) {
        char text[600];
        size_t len = 0, want = next_rand(&seed) % sizeof text;
        while (len < want) {
            if (round % 2) {
                text[len++] = (char)next_rand(&seed);
                continue;
            }
            const char *l = lines[next_rand(&seed) % (sizeof lines / sizeof *lines)];
            size_t ll = strlen(l);
            if (len + ll > want)
                break;
            memcpy(text + len, l, ll);
            len += ll;
        }
        for (int flips = round % 4 == 0 ? 1 : 0; flips && len; flips--)
            text[next_rand(&seed) % len] = (char)next_rand(&seed);
        char why[128];
        if (cairn_manifest_parse(text, len, &m, why, sizeof why) == 0) {
            parsed++;
            CHECK(m.name && m.nschemes > 0 && m.nschemes <= CAIRN_MANIFEST_MAX_SCHEMES,
                  "round %d", round);
        }
    }
    CHECK(parsed > 0 && parsed < 20000, "random: %d of 20000 parsed", parsed);
    printf("     random: %d of 20000 parsed\n", parsed);
}

typedef struct logged {
    char lines[8][512];
    int n;
} logged;

static void logger(void *ud, cairn_log_level level, const char *line)
{
    logged *l = ud;
    if (level == CAIRN_LOG_DEBUG && l->n < 8)
        snprintf(l->lines[l->n++], sizeof l->lines[0], "%s", line);
}

static void write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(text, 1, len, f);
        fclose(f);
    }
}

/* Beside a driver file: none, garbage, a directory, a FIFO, too large. */
static void test_read(cairn_ctx *cx)
{
    static cairn_manifest m;
    char dir[] = "/tmp/cairn-manifest.XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp: %s", strerror(errno));
        return;
    }
    logged log = {0};
    cairn_ctx_set_logger(cx, logger, &log);
    cairn_ctx_set(cx, "verbose", "1");
    char so[256], mf[256];
    snprintf(so, sizeof so, "%s/x.so", dir);
    snprintf(mf, sizeof mf, "%s/x.dialect", dir);

    CHECK(cairn_manifest_read(cx, so, &m) == 0 && log.n == 0, "no manifest: 0, no debug line");
    write_text(mf, "name = x\nschemes = x\n", 21);
    CHECK(cairn_manifest_read(cx, so, &m) == 1 && strcmp(m.name, "x") == 0, "a manifest is read");
    CHECK(cairn_manifest_read(cx, dir, &m) == 0, "a path not ending in .so has none");

    write_text(mf, "name = x\nschemes\n", 17);
    CHECK(cairn_manifest_read(cx, so, &m) == 0, "garbage is ignored");
    CHECK(log.n == 1 && strstr(log.lines[0], mf) && strstr(log.lines[0], "manifest ignored") &&
              strstr(log.lines[0], "line 2"),
          "with a debug line naming the file and the line: [%s]", log.lines[0]);

    static char big[CAIRN_MANIFEST_MAX_BYTES * 4];
    memset(big, '#', sizeof big);
    write_text(mf, big, sizeof big);
    CHECK(cairn_manifest_read(cx, so, &m) == 0 && log.n == 2 &&
              strstr(log.lines[1], "larger than"),
          "a large file is ignored: [%s]", log.lines[1]);

    unlink(mf);
    mkdir(mf, 0700);
    CHECK(cairn_manifest_read(cx, so, &m) == 0 && log.n == 3 &&
              strstr(log.lines[2], "not a regular file"),
          "a directory is ignored: [%s]", log.lines[2]);
    rmdir(mf);
    /* nobody writes to this FIFO: reading it must not block */
    CHECK(mkfifo(mf, 0600) == 0, "mkfifo");
    CHECK(cairn_manifest_read(cx, so, &m) == 0 && log.n == 4, "a FIFO is ignored, not waited on");
    unlink(mf);

    cairn_ctx_set(cx, "verbose", NULL);
    write_text(mf, "garbage", 7);
    CHECK(cairn_manifest_read(cx, so, &m) == 0 && log.n == 4, "no debug line without verbose");
    unlink(mf);
    rmdir(dir);
    cairn_ctx_set_logger(cx, NULL, NULL);
}

static void test_check(cairn_ctx *cx)
{
    static cairn_manifest m;
    char why[128];
    static const char *const schemes[] = {"pg", "postgresql", NULL};
    cairn_dialect d = {.name = "pg", .schemes = schemes};
    CHECK(parses("name = pg\nschemes = postgresql pg\n", &m, why, sizeof why), "%s", why);
    CHECK(cairn_manifest_check(cx, &m, "/d/pg.so", &d) == 0, "same schemes in another order");

    CHECK(parses("name = pq\nschemes = pg postgresql\n", &m, why, sizeof why), "%s", why);
    CHECK(cairn_manifest_check(cx, &m, "/d/pg.so", &d) == CAIRN_EDIALECT &&
              strstr(cx->err.message, "/d/pg.so: ") && strstr(cx->err.message, "'pq'") &&
              strstr(cx->err.message, "'pg'"),
          "another name: [%s]", cx->err.message);

    CHECK(parses("name = pg\nschemes = pg postgresql extra\n", &m, why, sizeof why), "%s", why);
    CHECK(cairn_manifest_check(cx, &m, "/d/pg.so", &d) == CAIRN_EDIALECT &&
              strstr(cx->err.message, "/d/pg.so: its manifest lists schemes "
                                      "'pg,postgresql,extra', the driver serves 'pg,postgresql'"),
          "a scheme the driver lacks: [%s]", cx->err.message);

    CHECK(parses("name = pg\nschemes = pg\n", &m, why, sizeof why), "%s", why);
    CHECK(cairn_manifest_check(cx, &m, "/d/pg.so", &d) == CAIRN_EDIALECT &&
              !strchr(cx->err.message, '\n'),
          "a scheme the manifest lacks: [%s]", cx->err.message);
}

/* The build wrote each in-tree driver's manifest from cairn_add_dialect's
 * SCHEMES: each must exist and agree with the driver's own table. */
static void test_staged(cairn_ctx *cx)
{
    static cairn_manifest m;
    const char *dir = getenv("CAIRN_DIALECT_DIR");
    DIR *dh = dir ? opendir(dir) : NULL;
    CHECK(dh, "CAIRN_DIALECT_DIR (%s) is the staged dialect directory", dir ? dir : "unset");
    if (!dh)
        return;
    int drivers = 0;
    struct dirent *de;
    while ((de = readdir(dh))) {
        size_t n = strlen(de->d_name);
        if (n < 4 || strcmp(de->d_name + n - 3, ".so") != 0)
            continue;
        drivers++;
        char so[4096];
        snprintf(so, sizeof so, "%s/%s", dir, de->d_name);
        int have = cairn_manifest_read(cx, so, &m);
        CHECK(have == 1, "%s has a well-formed manifest", so);
        cairn_driver drv;
        int rc = cairn_loader_load_file(cx, so, &drv);
        CHECK(rc == 0, "%s loads: %s", so, cx->err.message);
        if (rc)
            continue;
        if (have)
            CHECK(cairn_manifest_check(cx, &m, so, drv.d) == 0, "%s", cx->err.message);
        cairn_driver_release(&drv);
        rc = cairn_loader_load(cx, so, &drv); /* what a lookup does */
        CHECK(rc == 0, "%s", cx->err.message);
        if (rc == 0)
            cairn_driver_release(&drv);
        printf("     %s %s\n", so, have && rc == 0 ? "agrees with its manifest" : "FAILED");
    }
    closedir(dh);
    CHECK(drivers > 0, "no driver in %s", dir);
}

int main(void)
{
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx))
        return 1;
    test_well_formed();
    test_ignored();
    test_random();
    test_read(cx);
    test_check(cx);
    test_staged(cx);
    cairn_ctx_free(cx);
    return check_done();
}
