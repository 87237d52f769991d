/* Shared by the fuzz targets: libFuzzer's entry point and a check that
 * aborts with a message, so that libFuzzer (or replay.c) reports the input.
 * Each target is also built without libFuzzer, linked with replay.c, and
 * run by ctest on its seed corpus: a saved crash, once committed, is a
 * regression test of every build. */
#ifndef CAIRN_FUZZ_H
#define CAIRN_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                           \
    do {                                                                \
        if (!(cond)) {                                                  \
            fprintf(stderr, "fuzz check failed: %s: ", #cond);          \
            fprintf(stderr, __VA_ARGS__);                               \
            fputc('\n', stderr);                                        \
            abort();                                                    \
        }                                                               \
    } while (0)

/* A JSON reader refused its input: with the reader's own code, and a
 * message naming the file and a line:column, as every such error must.
 * The message below is json.c's guard against its position index
 * disagreeing with jansson: never a crash, but always a bug to report. It
 * is compared whole, as key paths in other messages are the input's text. */
static inline void fuzz_refused(cairn_ctx *cx, int rc, int code, const char *fname)
{
    const cairn_error *e = cairn_ctx_error(cx);
    char pos[128], guard[256];
    snprintf(pos, sizeof pos, "%s:%d:%d: ", fname, e->line, e->column > 0 ? e->column : 1);
    snprintf(guard, sizeof guard, "%sinvalid JSON: cannot locate this value in the text", pos);
    FUZZ_CHECK(rc == code, "rc %d, want %d: %s", rc, code, e->message ? e->message : "");
    FUZZ_CHECK(e->line >= 1 && e->message && strncmp(e->message, pos, strlen(pos)) == 0,
               "no position: %s (line %d)", e->message ? e->message : "(null)", e->line);
    FUZZ_CHECK(strcmp(e->message, guard) != 0, "the position index and jansson disagree: %s",
               e->message);
}

/* The input as a C string (malloc'd): a NUL byte in it ends the text, as
 * it does for the readers that take one. NULL when out of memory. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = '\0';
    }
    return s;
}

/* Two writes of the same document must be the same bytes. */
static inline void fuzz_same_text(const cairn_buf *a, const cairn_buf *b)
{
    FUZZ_CHECK(a->len == b->len && memcmp(a->data, b->data, a->len) == 0,
               "written twice, written differently:\n%s\n----\n%s", cairn_buf_cstr(a),
               cairn_buf_cstr(b));
}
#endif
