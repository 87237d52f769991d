/*
 * jansson's allocations in the command-line front end: a bump arena.
 *
 * jansson makes a malloc for every value, member and hash table it builds
 * and a free for each when a document is released: for the two 1.8 MB
 * documents of a `generate` at 1,000 tables that was a third of the
 * command. Here an allocation is a pointer bump in 1 MiB chunks and a free
 * costs a decrement; when every block is free again (a document read and
 * released) the arena starts over in the chunks it has, so a command that
 * reads many documents one after another needs no more than the largest
 * set alive at once.
 *
 * Only the CLI installs it, never libcairn (an embedder's process may use
 * jansson elsewhere, from any thread): json_set_alloc_funcs is process-wide.
 * It is safe here because main() installs it before any jansson call and
 * never changes it, and because only the thread that installed it uses the
 * arena: another thread (the workers of `migrate --targets --parallel`)
 * gets plain malloc blocks, and a block of the arena freed from another
 * thread is left to the arena (never touching its state).
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "json_arena.h"

#define CHUNK (1u << 20)
#define BIG (CHUNK / 8) /* larger blocks are malloc'd, and freed at once */
#define HDR 8           /* the block's size, low bit set for a malloc'd one */

typedef struct chunk {
    struct chunk *next;
    char *end;
    char data[];
} chunk;

static chunk *first, *cur;
static char *top;     /* next free byte of cur */
static size_t live;   /* arena blocks not yet freed */
static _Thread_local int owner; /* set in the thread that installed the arena */

static void *plain(size_t n)
{
    char *b = n <= SIZE_MAX - HDR ? malloc(n + HDR) : NULL;
    if (!b)
        return NULL;
    *(uint64_t *)b = (uint64_t)n | 1;
    return b + HDR;
}

static void *arena_malloc(size_t n)
{
    if (!owner || n > BIG)
        return plain(n);
    n = (n + 7) & ~(size_t)7;
    if (!cur || (size_t)(cur->end - top) < n + HDR) {
        chunk *c = cur ? cur->next : NULL;
        if (!c) {
            if (!(c = malloc(sizeof *c + CHUNK)))
                return NULL;
            c->next = NULL;
            c->end = c->data + CHUNK;
            if (cur)
                cur->next = c;
            else
                first = c;
        }
        cur = c;
        top = c->data;
    }
    char *b = top;
    *(uint64_t *)b = n;
    top += n + HDR;
    live++;
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
    if (!owner)
        return; /* the arena's, freed elsewhere: left to it */
    if (b + HDR + h == top)
        top = b; /* the last block: its room is reused at once */
    if (--live == 0) {
        cur = first;
        top = first->data;
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
    owner = 1;
    json_set_alloc_funcs(arena_malloc, arena_free);
}
