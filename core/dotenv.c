/*
 * The project's .env file: KEY=VALUE lines read next to cairn.json, for
 * ${VAR} in the config and for DATABASE_URL. The process environment wins
 * over the file (a deploy sets the real value; the file holds a developer's
 * default), as the dotenv tools do. Values are never printed: a URL read
 * from here is scrubbed like any other (error.c).
 *
 * Format: blank lines and lines starting with '#' are skipped; an optional
 * "export " prefix; KEY is [A-Za-z_][A-Za-z0-9_]*; the value is '...'
 * (taken as is), "..." (with \n, \", \\ escapes) or bare (trimmed, a " #"
 * starts a comment).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int key_char(char c, int first)
{
    return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

/* The value starting at `p` (the rest of the line is [p, end)), into `b`. */
static int read_value(const char *p, const char *end, cairn_buf *b, const char **why)
{
    if (*p == '\'' || *p == '"') {
        char q = *p++;
        for (; p < end && *p != q; p++) {
            if (q == '"' && *p == '\\' && p + 1 < end) {
                p++;
                cairn_buf_puts(b, *p == 'n' ? "\n" : *p == 't' ? "\t" : (char[]){*p, 0});
                continue;
            }
            cairn_buf_append(b, p, 1);
        }
        if (p >= end) {
            *why = "unterminated quoted value";
            return -1;
        }
        for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
            ;
        if (p < end && *p != '#') {
            *why = "text after the quoted value";
            return -1;
        }
        return 0;
    }
    const char *stop = end;
    for (const char *c = p; c < end; c++)
        if (*c == '#' && (c == p || c[-1] == ' ' || c[-1] == '\t')) {
            stop = c;
            break;
        }
    while (stop > p && (stop[-1] == ' ' || stop[-1] == '\t' || stop[-1] == '\r'))
        stop--;
    cairn_buf_append(b, p, (size_t)(stop - p));
    return 0;
}

/* One line: 0 and *entry ("KEY=VALUE", malloc'd; NULL for a blank or
 * comment line), or -1 with *why. */
static int read_line(const char *p, const char *end, char **entry, const char **why)
{
    *entry = NULL;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end || *p == '#' || *p == '\r')
        return 0;
    if (end - p > 7 && strncmp(p, "export ", 7) == 0)
        for (p += 7; p < end && *p == ' '; p++)
            ;
    const char *k = p;
    while (p < end && key_char(*p, p == k))
        p++;
    if (p == k) {
        *why = "expected KEY=VALUE";
        return -1;
    }
    size_t klen = (size_t)(p - k);
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end || *p != '=') {
        *why = "expected '=' after the name";
        return -1;
    }
    for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
        ;
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_buf_append(&b, k, klen);
    cairn_buf_puts(&b, "=");
    if (read_value(p, end, &b, why)) {
        cairn_buf_release(&b);
        return -1;
    }
    if (b.oom) {
        cairn_buf_release(&b);
        *why = NULL;
        return -1;
    }
    *entry = cairn_buf_steal(&b);
    return 0;
}

/* Keep `entry` (taken, also on failure). */
static int push(cairn_ctx *cx, char *entry)
{
    char **v = realloc(cx->dotenv, (cx->ndotenv + 1) * sizeof *v);
    if (!v) {
        free(entry);
        return CAIRN_ENOMEM;
    }
    cx->dotenv = v;
    cx->dotenv[cx->ndotenv++] = entry;
    return 0;
}

int cairn_dotenv_load(cairn_ctx *cx, const char *path)
{
    if (!cairn_file_exists(path) || cairn_is_dir(path))
        return 0;
    char *text;
    size_t len;
    int rc = cairn_read_file(cx, path, &text, &len);
    if (rc)
        return rc == CAIRN_EIO ? (cx->err.code = CAIRN_ECONFIG) : rc;
    int line = 1;
    for (const char *p = text, *end; !rc && p < text + len; p = end + 1, line++) {
        end = memchr(p, '\n', (size_t)(text + len - p));
        if (!end)
            end = text + len;
        char *entry;
        const char *why = NULL;
        if (read_line(p, end, &entry, &why))
            rc = why ? cairn_err_at(cx, CAIRN_ECONFIG, path, line, 0, "%s", why)
                     : cairn_err(cx, CAIRN_ENOMEM, "out of memory");
        else if (entry && push(cx, entry))
            rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    free(text);
    return rc;
}

const char *cairn_ctx_env(const cairn_ctx *cx, const char *name)
{
    const char *v = getenv(name);
    if (v)
        return v;
    size_t n = strlen(name);
    /* the last definition in the file wins */
    for (size_t i = cx->ndotenv; i-- > 0;)
        if (strncmp(cx->dotenv[i], name, n) == 0 && cx->dotenv[i][n] == '=')
            return cx->dotenv[i] + n + 1;
    return NULL;
}
