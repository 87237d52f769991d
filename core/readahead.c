/*
 * The newest snapshot read on a second thread while `generate` reads the
 * schema file (issue 16): the two documents are independent until the
 * diff, and each is a jansson parse, a position index and a walk into the
 * model, so on two cores the command waits for the longer of the two
 * instead of their sum.
 *
 * The read ahead is only a guess, taken before the folder is locked and on
 * a clone of the context (its settings, so messages are scrubbed the same
 * way, but no handlers: the thread logs nothing). Its result is used only
 * by cairn_folder_read_snapshot, when the sequential path reads the very
 * same file with the very same bytes; the snapshot or the error is then
 * exactly what parsing those bytes there would give. Anything else (a
 * folder with several heads, a migration written in between, a file that
 * changed) falls back to reading it there, as before. So the order of
 * errors is unchanged: a bad schema file is reported before a bad
 * snapshot, and the snapshot's error surfaces only where it did.
 *
 * jansson is thread-safe for separate documents once its hash seed is set;
 * cairn_json_threads_ready sets it before the thread starts.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct cairn_readahead cairn_readahead;
struct cairn_readahead {
    pthread_t th;
    cairn_ctx *cx; /* the thread's clone; its error is the parse's */
    char *out;     /* the migrations folder */
    char *file;    /* the snapshot read, or NULL when there was no guess */
    char *text;
    size_t len;
    int rc;
    cairn_snapshot snap;
    int joined;
};

static void *read_ahead(void *arg)
{
    cairn_readahead *ra = arg;
    cairn_graph g;
    size_t *heads = NULL, nheads = 0;
    if (cairn_graph_load(ra->cx, ra->out, &g))
        return NULL;
    if (!cairn_graph_heads(ra->cx, &g, NULL, &heads, &nheads) && nheads == 1 &&
        g.node[heads[0]].ok && (ra->file = cairn_path_join(g.list[heads[0]].dir, "snapshot.json")) &&
        cairn_read_file(ra->cx, ra->file, &ra->text, &ra->len) == 0)
        ra->rc = cairn_snapshot_from_text(ra->cx, ra->file, ra->text, ra->len, &ra->snap);
    free(heads);
    cairn_graph_free(&g);
    if (!ra->text) {
        free(ra->file);
        ra->file = NULL;
    }
    return NULL;
}

void cairn_readahead_start(cairn_ctx *cx, const char *out)
{
    if (cx->readahead || !out || !cairn_is_dir(out))
        return;
    cairn_readahead *ra = calloc(1, sizeof *ra);
    if (!ra)
        return;
    if (cairn_ctx_clone(cx, &ra->cx) || !(ra->out = strdup(out))) {
        cairn_ctx_free(ra->cx);
        free(ra);
        return;
    }
    cairn_json_threads_ready();
    if (pthread_create(&ra->th, NULL, read_ahead, ra)) {
        free(ra->out);
        cairn_ctx_free(ra->cx);
        free(ra);
        return;
    }
    cx->readahead = ra;
}

static void join(cairn_readahead *ra)
{
    if (!ra->joined)
        pthread_join(ra->th, NULL);
    ra->joined = 1;
}

int cairn_readahead_take(cairn_ctx *cx, const char *file, const char *text, size_t len,
                         cairn_snapshot *snap, int *rc)
{
    cairn_readahead *ra = cx->readahead;
    if (!ra)
        return 0;
    join(ra);
    if (!ra->file || strcmp(ra->file, file) != 0 || ra->len != len ||
        memcmp(ra->text, text, len) != 0)
        return 0;
    /* used once: a second read of the file parses it again */
    free(ra->file);
    ra->file = NULL;
    *snap = ra->snap;
    memset(&ra->snap, 0, sizeof ra->snap);
    *rc = ra->rc;
    if (ra->rc) {
        cairn_saved_err e;
        cairn_err_save(ra->cx, &e);
        cairn_err_restore(cx, &e);
    }
    return 1;
}

void cairn_readahead_stop(cairn_ctx *cx)
{
    cairn_readahead *ra = cx->readahead;
    if (!ra)
        return;
    join(ra);
    cx->readahead = NULL;
    cairn_snapshot_release(&ra->snap);
    free(ra->file);
    free(ra->text);
    free(ra->out);
    cairn_ctx_free(ra->cx);
    free(ra);
}
