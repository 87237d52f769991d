/* Files: read whole, write atomically. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int cairn_read_file(cairn_ctx *cx, const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cairn_err(cx, CAIRN_EIO, "%s: cannot open: %s", path, strerror(errno));
    cairn_buf b;
    cairn_buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (cairn_buf_append(&b, chunk, n)) {
            fclose(f);
            cairn_buf_release(&b);
            return cairn_err(cx, CAIRN_ENOMEM, "%s: out of memory", path);
        }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        cairn_buf_release(&b);
        return cairn_err(cx, CAIRN_EIO, "%s: read error", path);
    }
    *len = b.len;
    *data = cairn_buf_steal(&b);
    return 0;
}

int cairn_write_file_atomic(cairn_ctx *cx, const char *path, const char *data, size_t len)
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
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            free(tmp);
            return cairn_err(cx, CAIRN_EIO, "%s: cannot write: %s", path, strerror(e));
        }
        off += (size_t)w;
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
