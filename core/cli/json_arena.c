/*
 * jansson's allocations in the command-line front end: bump arenas.
 *
 * jansson makes a malloc for every value, member and hash table it builds
 * and a free for each when a document is released: for the two 1.8 MB
 * documents of a `generate` at 1,000 tables that was a third of the
 * command. Here an allocation is a pointer bump in 8 MiB chunks and a free
 * costs a decrement; when every block is free again (a document read and
 * released) the arena starts over in the chunks it has, so a command that
 * reads many documents one after another needs no more than the largest
 * set alive at once.
 *
 * Only the CLI installs it, never libcairn (an embedder's process may use
 * jansson elsewhere, with its own allocator): json_set_alloc_funcs is
 * process-wide. main() installs it before any jansson call and never
 * changes it.
 *
 * Each thread allocates from its own arena (`generate` reads the newest
 * snapshot on a second thread, `migrate --targets --parallel` runs
 * workers), made at its first allocation, so the bump itself needs no lock.
 * A chunk is aligned to its size and starts with its arena, so a free finds
 * the block's own arena from the block's address, whichever thread frees
 * it: the count of live blocks is atomic, and only the owning thread moves
 * its bump pointer. The owning thread holds one more count until it exits;
 * whoever drops the count to zero (the thread at exit, or the last free of
 * a block it left behind) releases the chunks.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <jansson.h>

#include "json_arena.h"

/* Large chunks, so few: each is an mmap, which stops the other thread's
 * page faults while it runs (with 1 MiB chunks the two threads of a
 * generate mostly took turns). Untouched pages cost no memory. */
#define CHUNK ((size_t)8 << 20)
#define BIG (CHUNK / 8) /* larger blocks are malloc'd, and freed at once */
#define HDR 8           /* the block's size, low bit set for a malloc'd one */

typedef struct arena arena;

typedef struct chunk {
    arena *owner;
    struct chunk *next;
    char *end;
    char data[];
} chunk;

struct arena {
    chunk *first, *cur; /* the owning thread's alone */
    char *top;          /* next free byte of cur */
    atomic_size_t live; /* blocks not yet freed, plus one while the thread runs */
};

static _Thread_local arena *mine;
static pthread_key_t exit_key;

static void *plain(size_t n)
{
    char *b = n <= SIZE_MAX - HDR ? malloc(n + HDR) : NULL;
    if (!b)
        return NULL;
    *(uint64_t *)b = (uint64_t)n | 1;
    return b + HDR;
}

static void arena_release(arena *a)
{
    for (chunk *c = a->first, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

/* One count less; the last one releases the arena. */
static void arena_drop(arena *a)
{
    if (atomic_fetch_sub_explicit(&a->live, 1, memory_order_acq_rel) == 1)
        arena_release(a);
}

/* The thread ends: its own count goes, the blocks it left keep the rest. */
static void thread_exit(void *p)
{
    mine = NULL; /* a later allocation in this thread's exit makes another */
    arena_drop(p);
}

static arena *thread_arena(void)
{
    if (mine)
        return mine;
    arena *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    atomic_init(&a->live, 1);
    /* the main thread never exits through here: process exit frees it */
    if (pthread_setspecific(exit_key, a)) {
        free(a);
        return NULL;
    }
    return mine = a;
}

static void *arena_malloc(size_t n)
{
    arena *a = n <= BIG ? thread_arena() : NULL;
    if (!a)
        return plain(n);
    n = (n + 7) & ~(size_t)7;
    if (!a->cur || (size_t)(a->cur->end - a->top) < n + HDR) {
        chunk *c = a->cur ? a->cur->next : NULL;
        if (!c) {
            if (!(c = aligned_alloc(CHUNK, CHUNK)))
                return plain(n);
#ifdef MADV_HUGEPAGE
            /* backed by huge pages where the kernel gives them on request
             * (THP in "madvise" mode, as here): 4 page faults for a chunk,
             * not 2,048; asked before the chunk is touched, as libcairn's
             * arena does */
            (void)madvise(c, CHUNK, MADV_HUGEPAGE);
#endif
            c->owner = a;
            c->next = NULL;
            c->end = (char *)c + CHUNK;
            if (a->cur)
                a->cur->next = c;
            else
                a->first = c;
        }
        a->cur = c;
        a->top = c->data;
    }
    char *b = a->top;
    *(uint64_t *)b = n;
    a->top += n + HDR;
    atomic_fetch_add_explicit(&a->live, 1, memory_order_relaxed);
    return b + HDR;
}

static void arena_free(void *p)
{
    if (!p)
        return;
    char *b = (char *)p - HDR;
    uint64_t h = *(uint64_t *)b;
    if (h & 1) {
        free(b);
        return;
    }
    arena *a = ((chunk *)((uintptr_t)b & ~(uintptr_t)(CHUNK - 1)))->owner;
    if (a != mine) {
        arena_drop(a); /* another thread's block: counted, left to it */
        return;
    }
    if (b + HDR + h == a->top)
        a->top = b; /* the last block: its room is reused at once */
    /* only this thread's own count left: every block is free, start over */
    if (atomic_fetch_sub_explicit(&a->live, 1, memory_order_acq_rel) == 2) {
        a->cur = a->first;
        a->top = a->first->data;
    }
}

void cli_json_arena_install(void)
{
#if defined(__SANITIZE_ADDRESS__)
    /* AddressSanitizer checks each of jansson's blocks on its own (a use
     * after free, an overflow into the next value): the sanitizer build
     * keeps malloc, so libcairn's use of jansson stays checked. */
    return;
#endif
    if (pthread_key_create(&exit_key, thread_exit))
        return;
    json_set_alloc_funcs(arena_malloc, arena_free);
}
