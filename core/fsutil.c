/* Files: read whole, write atomically. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int cairn_read_file(cairn_ctx *cx, const char *path, char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cairn_err(cx, CAIRN_EIO, "%s: cannot open: %s", path, strerror(errno));
    /* A regular file is read straight into a buffer of its size: grown by
     * doubling from 64 KiB reads, a 1.8 MB schema file was copied eight
     * times over, into fresh pages each time. Whatever else it is (a pipe,
     * a file that grows while read) goes on in 64 KiB steps. */
    struct stat st;
    size_t step = 65536, want = step;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uintmax_t)st.st_size < SIZE_MAX / 2)
        want = (size_t)st.st_size + 1; /* and a byte for the read that finds the end */
    cairn_buf b;
    cairn_buf_init(&b);
    for (;;) {
        if (b.cap - b.len < 2 && cairn_buf_reserve(&b, b.cap ? step : want)) {
            close(fd);
            cairn_buf_release(&b);
            return cairn_err(cx, CAIRN_ENOMEM, "%s: out of memory", path);
        }
        ssize_t n = read(fd, b.data + b.len, b.cap - b.len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            cairn_buf_release(&b);
            return cairn_err(cx, CAIRN_EIO, "%s: read error", path);
        }
        if (n == 0)
            break;
        b.len += (size_t)n;
    }
    close(fd);
    b.data[b.len] = '\0';
    *len = b.len;
    *data = cairn_buf_steal(&b);
    return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

/* What is not a regular file is written in place, never renamed over: a
 * device or a pipe (`--output /dev/null`, /dev/stdout, a FIFO) would be
 * replaced by a file, for every program on the machine. */
static int write_in_place(cairn_ctx *cx, const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write_all(fd, data, len) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return cairn_err(cx, CAIRN_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    return close(fd) == 0 ? 0 : cairn_err(cx, CAIRN_EIO, "%s: cannot write: %s", path,
                                          strerror(errno));
}

static int write_atomic(cairn_ctx *cx, const char *path, const char *data, size_t len);

int cairn_write_file_atomic(cairn_ctx *cx, const char *path, const char *data, size_t len)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* a symbolic link stays one: the file it points to is replaced */
        char *real = realpath(path, NULL);
        if (!real)
            return cairn_err(cx, CAIRN_EIO, "%s: cannot follow the link: %s", path,
                             strerror(errno));
        int rc = cairn_write_file_atomic(cx, real, data, len);
        free(real);
        return rc;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return cairn_err(cx, CAIRN_EIO, "%s: is a directory", path);
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return write_in_place(cx, path, data, len);
    return write_atomic(cx, path, data, len);
}

static int write_atomic(cairn_ctx *cx, const char *path, const char *data, size_t len)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp)
        return CAIRN_ENOMEM;
    memcpy(tmp, path, pl);
    memcpy(tmp + pl, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return cairn_err(cx, CAIRN_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    if (write_all(fd, data, len) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        return cairn_err(cx, CAIRN_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    /* mkstemp creates 0600; a schema or migration file is an ordinary file. */
    mode_t um = umask(0);
    umask(um);
    fchmod(fd, 0666 & ~um);
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return cairn_err(cx, CAIRN_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    free(tmp);
    return 0;
}

int cairn_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cairn_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *cairn_path_join(const char *a, const char *b)
{
    if (!a || !*a || b[0] == '/')
        return strdup(b);
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 2);
    if (!p)
        return NULL;
    memcpy(p, a, la);
    size_t at = la;
    if (a[la - 1] != '/')
        p[at++] = '/';
    memcpy(p + at, b, lb + 1);
    return p;
}

int cairn_text_check_nul(cairn_ctx *cx, int code, const char *path, const char *text, size_t len,
                         const char *what)
{
    const char *nul = memchr(text, '\0', len);
    if (!nul)
        return 0;
    int line = 1, col = 1;
    for (const char *p = text; p < nul; p++) {
        if (*p == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    return cairn_err_at(cx, code, path, line, col,
                        "a NUL byte: %s must be text (nothing after it would be read)", what);
}
