/* The driver manifest: a small text file beside a driver (<name>.dialect
 * beside <name>.so) that says which dialect the driver is and which URL
 * schemes it serves, so the loader finds a driver by scheme without loading
 * the others (and their client libraries). Format in
 * docs/writing-a-dialect.md.
 *
 * A manifest is input: anything but a well-formed one (too large, a line
 * too long, a NUL byte, a line that is not "key = value", a missing or
 * invalid name or scheme) is ignored with a debug line, and the loader
 * falls back to loading the driver and asking its table. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"
/* RFC 3986 scheme characters, lower case (cairn_url_scheme folds case). */
#define SCHEME_FIRST "abcdefghijklmnopqrstuvwxyz"
#define SCHEME_CHARS SCHEME_FIRST "0123456789+.-"
#define BLANKS " \t\r"

/* `s` is one character of `first` then characters of `rest`. */
static int token_ok(const char *s, const char *first, const char *rest)
{
    return *s && strchr(first, *s) && s[strspn(s, rest)] == '\0';
}

static char *trim(char *s)
{
    s += strspn(s, BLANKS);
    size_t n = strlen(s);
    while (n && strchr(BLANKS, s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int fail(char *why, size_t size, int line, const char *fmt, ...) CAIRN_FMT(4, 5);
static int fail(char *why, size_t size, int line, const char *fmt, ...)
{
    int at = line ? snprintf(why, size, "line %d: ", line) : 0;
    if (at < 0 || (size_t)at >= size)
        at = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + at, size - (size_t)at, fmt, ap);
    va_end(ap);
    return -1;
}

/* Cut the value of "schemes" into tokens separated by blanks or commas. */
static int parse_schemes(cairn_manifest *m, char *v, char *why, size_t size, int line)
{
    char *save = NULL;
    for (char *t = strtok_r(v, BLANKS ",", &save); t; t = strtok_r(NULL, BLANKS ",", &save)) {
        if (!token_ok(t, SCHEME_FIRST, SCHEME_CHARS))
            return fail(why, size, line, "a scheme is not [a-z][a-z0-9+.-]*");
        if (m->nschemes == CAIRN_MANIFEST_MAX_SCHEMES)
            return fail(why, size, line, "more than %d schemes", CAIRN_MANIFEST_MAX_SCHEMES);
        m->schemes[m->nschemes++] = t;
    }
    if (!m->nschemes)
        return fail(why, size, line, "'schemes' lists no scheme");
    return 0;
}

int cairn_manifest_parse(const char *text, size_t len, cairn_manifest *out, char *why,
                         size_t whysize)
{
    memset(out, 0, sizeof *out);
    if (len > CAIRN_MANIFEST_MAX_BYTES)
        return fail(why, whysize, 0, "larger than %d bytes", CAIRN_MANIFEST_MAX_BYTES);
    if (memchr(text, '\0', len))
        return fail(why, whysize, 0, "holds a NUL byte");
    memcpy(out->text, text, len);
    out->text[len] = '\0';
    int line = 0, have_schemes = 0;
    for (char *p = out->text, *next; p; p = next) {
        line++;
        char *nl = strchr(p, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        if (strlen(p) > CAIRN_MANIFEST_MAX_LINE)
            return fail(why, whysize, line, "longer than %d characters", CAIRN_MANIFEST_MAX_LINE);
        char *s = trim(p);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq)
            return fail(why, whysize, line, "not 'key = value'");
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        if (!token_ok(key, NAME_CHARS, NAME_CHARS))
            return fail(why, whysize, line, "a key is [a-z0-9_]+");
        if (strcmp(key, "name") == 0) {
            if (out->name)
                return fail(why, whysize, line, "'name' given twice");
            if (!token_ok(value, NAME_CHARS, NAME_CHARS))
                return fail(why, whysize, line, "'name' is not [a-z0-9_]+");
            out->name = value;
        } else if (strcmp(key, "schemes") == 0) {
            if (have_schemes)
                return fail(why, whysize, line, "'schemes' given twice");
            have_schemes = 1;
            if (parse_schemes(out, value, why, whysize, line))
                return -1;
        }
        /* Any other key is for a later cairn: ignored, so the format can grow. */
    }
    if (!out->name)
        return fail(why, whysize, 0, "no 'name' line");
    if (!have_schemes)
        return fail(why, whysize, 0, "no 'schemes' line");
    return 0;
}

/* Read at most `size` bytes of a regular file (never wait on a FIFO);
 * the length, or -1 with errno set. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    size_t len = fread(buf, 1, size, f);
    int e = ferror(f) ? EIO : 0;
    fclose(f);
    errno = e;
    return e ? -1 : (ssize_t)len;
}

int cairn_manifest_read(cairn_ctx *cx, const char *so, cairn_manifest *out)
{
    char path[PATH_MAX];
    size_t n = strlen(so);
    if (n < 3 || strcmp(so + n - 3, ".so") != 0 ||
        snprintf(path, sizeof path, "%.*s%s", (int)(n - 3), so, CAIRN_MANIFEST_SUFFIX) >=
            (int)sizeof path)
        return 0;
    /* One byte more than allowed, to tell a full manifest from a long one. */
    char raw[CAIRN_MANIFEST_MAX_BYTES + 1];
    ssize_t len = read_small(path, raw, sizeof raw);
    if (len < 0) {
        if (errno != ENOENT)
            cairn_log(cx, CAIRN_LOG_DEBUG, "%s: manifest ignored: %s", path,
                      errno == EINVAL ? "not a regular file" : strerror(errno));
        return 0;
    }
    char why[128];
    if (cairn_manifest_parse(raw, (size_t)len, out, why, sizeof why) != 0) {
        cairn_log(cx, CAIRN_LOG_DEBUG, "%s: manifest ignored: %s", path, why);
        return 0;
    }
    return 1;
}

int cairn_manifest_serves(const cairn_manifest *m, const char *scheme)
{
    for (size_t i = 0; i < m->nschemes; i++)
        if (strcmp(m->schemes[i], scheme) == 0)
            return 1;
    return 0;
}

/* The schemes, comma-separated, for a message. */
static void join(cairn_buf *b, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n && v[i]; i++)
        cairn_buf_printf(b, "%s%s", i ? "," : "", v[i]);
}

int cairn_manifest_check(cairn_ctx *cx, const cairn_manifest *m, const char *so,
                         const cairn_dialect *d)
{
    if (strcmp(m->name, d->name) != 0)
        return cairn_err(cx, CAIRN_EDIALECT,
                         "%s: its manifest names dialect '%s', the driver is '%s'", so, m->name,
                         d->name);
    int same = 1;
    size_t nd = 0;
    for (const char *const *s = d->schemes; s && *s; s++, nd++)
        same &= cairn_manifest_serves(m, *s);
    for (size_t i = 0; i < m->nschemes; i++)
        same &= cairn_loader_serves(d, m->schemes[i]);
    if (same)
        return 0;
    cairn_buf t, f;
    cairn_buf_init(&t);
    cairn_buf_init(&f);
    join(&t, d->schemes, nd);
    join(&f, m->schemes, m->nschemes);
    int rc = cairn_err(cx, CAIRN_EDIALECT,
                       "%s: its manifest lists schemes '%s', the driver serves '%s'", so,
                       cairn_buf_cstr(&f), cairn_buf_cstr(&t));
    cairn_buf_release(&t);
    cairn_buf_release(&f);
    return rc;
}
