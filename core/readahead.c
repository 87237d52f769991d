/*
 * The newest snapshot read on a second thread while `generate` reads the
 * schema file (issue 16). The thread finds the snapshot's file, reads it
 * and scans its table elements (snapreuse.c) while the main thread parses
 * the schema file; once the schema is handed over (cairn_readahead_desired)
 * both threads match the elements against the schema's tables, and take
 * reads the rest of the text. A text the scan does not follow, or no
 * schema handed over, is parsed whole on the thread as before.
 *
 * The read ahead is only a guess, taken before the folder is locked and on
 * a clone of the context (its settings, so messages are scrubbed the same
 * way, but no handlers: the thread logs nothing). Its result is used only
 * by cairn_folder_read_snapshot, when the sequential path reads the very
 * same file with the very same bytes; the snapshot or the error is then
 * what parsing those bytes there would give (the same model, borrowing
 * tables that write to the same bytes; the same error, position
 * included). Anything else (a folder with several heads, a migration
 * written in between, a file that changed) falls back to reading it
 * there, as before. So the order of errors is unchanged: a bad schema
 * file is reported before a bad snapshot, and the snapshot's error
 * surfaces only where it did.
 *
 * jansson is thread-safe for separate documents once its hash seed is set;
 * cairn_json_threads_ready sets it before the thread starts.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct cairn_readahead cairn_readahead;
struct cairn_readahead {
    pthread_t th;
    cairn_ctx *cx;  /* the thread's clone; its error is the parse's */
    cairn_ctx *hcx; /* another, for the main thread: its share of the matching, the rest */
    char *out;      /* the migrations folder */
    char *file;     /* the snapshot read, or NULL when there was no guess */
    char *text;
    size_t len;
    int rc;
    cairn_snapshot snap;
    int joined;
    /* Under `mu`: the schema being generated, handed over by the main
     * thread (given: 1 with it, -1 when none will come), and how far the
     * thread is (phase: 0 reading, 1 matching tables with `desired`, 2 done). */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int given, phase;
    const cairn_schema *desired;
    void *trash; /* a parsed tree the main thread is done with: freed here */
    /* the snapshot's tables being matched (snapreuse.c), until take ends it */
    cairn_snapreuse *reuse;
    cairn_reuse_span *spans; /* after take: the tables written as `text` has them */
    size_t nspans;
};

/* The schema being generated, once the main thread has it (NULL: none);
 * meanwhile, the trees it is done with are freed here. */
static const cairn_schema *wait_desired(cairn_readahead *ra)
{
    pthread_mutex_lock(&ra->mu);
    while (!ra->given) {
        void *t = ra->trash;
        if (t) {
            ra->trash = NULL;
            pthread_mutex_unlock(&ra->mu);
            cairn_json_tree_free(t);
            pthread_mutex_lock(&ra->mu);
        } else {
            pthread_cond_wait(&ra->cv, &ra->mu);
        }
    }
    const cairn_schema *d = ra->desired;
    pthread_mutex_unlock(&ra->mu);
    return d;
}

/* cx->json_dispose: the tree goes to the thread while it waits for the
 * schema; else it is freed here. */
static void dispose(void *ud, void *tree)
{
    cairn_readahead *ra = ud;
    pthread_mutex_lock(&ra->mu);
    int taken = !ra->given && ra->phase == 0 && !ra->trash;
    if (taken) {
        ra->trash = tree;
        pthread_cond_broadcast(&ra->cv);
    }
    pthread_mutex_unlock(&ra->mu);
    if (!taken)
        cairn_json_tree_free(tree);
}

static void give(cairn_readahead *ra, const cairn_schema *desired)
{
    pthread_mutex_lock(&ra->mu);
    if (!ra->given) {
        ra->desired = desired;
        ra->given = desired ? 1 : -1;
    }
    pthread_cond_broadcast(&ra->cv);
    pthread_mutex_unlock(&ra->mu);
}

static void set_phase(cairn_readahead *ra, int phase)
{
    pthread_mutex_lock(&ra->mu);
    ra->phase = phase;
    pthread_cond_broadcast(&ra->cv);
    pthread_mutex_unlock(&ra->mu);
}

/* The snapshot's text read; its tables matched when the schema comes,
 * else the whole text parsed. */
static void read_snapshot(cairn_readahead *ra)
{
    const cairn_schema *desired;
    if ((ra->reuse = cairn_snapreuse_scan(ra->text, ra->len)) && (desired = wait_desired(ra))) {
        set_phase(ra, 1);
        cairn_snapreuse_match(ra->reuse, ra->cx, desired);
        return; /* take reads the rest */
    }
    cairn_snapreuse_free(ra->reuse);
    ra->reuse = NULL;
    ra->rc = cairn_snapshot_from_text(ra->cx, ra->file, ra->text, ra->len, &ra->snap);
}

static void *read_ahead(void *arg)
{
    cairn_readahead *ra = arg;
    cairn_graph g;
    size_t *heads = NULL, nheads = 0;
    if (!cairn_graph_load(ra->cx, ra->out, &g)) {
        if (!cairn_graph_heads(ra->cx, &g, NULL, &heads, &nheads) && nheads == 1 &&
            g.node[heads[0]].ok &&
            (ra->file = cairn_path_join(g.list[heads[0]].dir, "snapshot.json")) &&
            cairn_read_file(ra->cx, ra->file, &ra->text, &ra->len) == 0)
            read_snapshot(ra);
        free(heads);
        cairn_graph_free(&g);
    }
    if (!ra->text) {
        free(ra->file);
        ra->file = NULL;
    }
    pthread_mutex_lock(&ra->mu);
    void *t = ra->trash;
    ra->trash = NULL;
    ra->phase = 2;
    pthread_cond_broadcast(&ra->cv);
    pthread_mutex_unlock(&ra->mu);
    cairn_json_tree_free(t); /* (one handed over after the wait: NULL is a no-op) */
    return NULL;
}

void cairn_readahead_start(cairn_ctx *cx, const char *out)
{
    if (cx->readahead || !out || !cairn_is_dir(out))
        return;
    cairn_readahead *ra = calloc(1, sizeof *ra);
    if (!ra)
        return;
    if (cairn_ctx_clone(cx, &ra->cx) || cairn_ctx_clone(cx, &ra->hcx) ||
        !(ra->out = strdup(out))) {
        cairn_ctx_free(ra->cx);
        cairn_ctx_free(ra->hcx);
        free(ra);
        return;
    }
    ra->hcx->json_split_min = cx->json_split_min; /* (it runs on the main thread) */
    cairn_json_threads_ready();
    pthread_mutex_init(&ra->mu, NULL);
    pthread_cond_init(&ra->cv, NULL);
    if (pthread_create(&ra->th, NULL, read_ahead, ra)) {
        pthread_mutex_destroy(&ra->mu);
        pthread_cond_destroy(&ra->cv);
        free(ra->out);
        cairn_ctx_free(ra->cx);
        cairn_ctx_free(ra->hcx);
        free(ra);
        return;
    }
    cx->readahead = ra;
    cx->json_dispose = dispose;
    cx->json_dispose_ud = ra;
}

void cairn_readahead_desired(cairn_ctx *cx, const cairn_schema *desired)
{
    if (cx->readahead)
        give(cx->readahead, desired);
}

static void join(cairn_readahead *ra)
{
    if (!ra->joined) {
        give(ra, NULL); /* none will come now */
        pthread_join(ra->th, NULL);
    }
    ra->joined = 1;
}

/* The main thread matches tables too while the thread does (snapreuse.c
 * shares them out), instead of only waiting for it. */
static void help(cairn_readahead *ra)
{
    if (ra->joined)
        return;
    give(ra, NULL); /* (a no-op when the schema was handed over) */
    pthread_mutex_lock(&ra->mu);
    while (ra->phase == 0)
        pthread_cond_wait(&ra->cv, &ra->mu);
    int matching = ra->phase == 1;
    const cairn_schema *desired = ra->desired;
    pthread_mutex_unlock(&ra->mu);
    if (matching)
        cairn_snapreuse_match(ra->reuse, ra->hcx, desired);
}

int cairn_readahead_take(cairn_ctx *cx, const char *file, const char *text, size_t len,
                         cairn_snapshot *snap, int *rc)
{
    cairn_readahead *ra = cx->readahead;
    if (!ra)
        return 0;
    help(ra);
    join(ra);
    if (!ra->file || strcmp(ra->file, file) != 0 || ra->len != len ||
        memcmp(ra->text, text, len) != 0)
        return 0;
    cairn_ctx *ecx = ra->cx; /* where the read's error is */
    if (ra->reuse) {
        /* Read here, on the main thread's clone, with both cores free: a
         * large residue (few tables matched) may be split (json.c). */
        ecx = ra->hcx;
        if (cairn_snapreuse_finish(ra->reuse, ecx, ra->file, &ra->snap, &ra->spans,
                                   &ra->nspans))
            ra->rc = cairn_snapshot_from_text(ecx, ra->file, ra->text, ra->len, &ra->snap);
        cairn_snapreuse_free(ra->reuse);
        ra->reuse = NULL;
    }
    /* used once: a second read of the file parses it again */
    free(ra->file);
    ra->file = NULL;
    *snap = ra->snap;
    memset(&ra->snap, 0, sizeof ra->snap);
    *rc = ra->rc;
    if (ra->rc) {
        cairn_saved_err e;
        cairn_err_save(ecx, &e);
        cairn_err_restore(cx, &e);
    }
    return 1;
}

const char *cairn_readahead_table_text(cairn_ctx *cx, const cairn_table *t, size_t *len)
{
    cairn_readahead *ra = cx->readahead;
    if (!ra || !ra->joined || !ra->nspans)
        return NULL;
    size_t lo = 0, hi = ra->nspans;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ra->spans[mid].table == t) {
            *len = ra->spans[mid].len;
            return ra->spans[mid].at;
        }
        if ((uintptr_t)ra->spans[mid].table < (uintptr_t)t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void cairn_readahead_stop(cairn_ctx *cx)
{
    cairn_readahead *ra = cx->readahead;
    if (!ra)
        return;
    join(ra);
    cx->readahead = NULL;
    cx->json_dispose = NULL;
    cx->json_dispose_ud = NULL;
    pthread_mutex_destroy(&ra->mu);
    pthread_cond_destroy(&ra->cv);
    cairn_snapshot_release(&ra->snap);
    cairn_snapreuse_free(ra->reuse);
    free(ra->spans);
    free(ra->file);
    free(ra->text);
    free(ra->out);
    cairn_ctx_free(ra->cx);
    cairn_ctx_free(ra->hcx);
    free(ra);
}
