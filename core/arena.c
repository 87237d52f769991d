/* A bump allocator: schema objects are many, small, and die together. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

/* Blocks grow from 16 KiB, by four, to a huge page (2 MiB): a small arena
 * stays small, and a large one (a schema of thousands of tables, its
 * position index) takes its memory in few blocks. A block of a huge page
 * is aligned to one and asked to be backed by one (transparent huge pages
 * in "madvise" mode, as on the machines measured here): one page fault
 * where there were 512. On this project's 2-core machine a page fault
 * costs about 8 us, and a one-column `generate` at 1,000 tables took 7,700
 * of them (issue 16, docs/benchmarks.md). */
#define BLOCK_MIN ((size_t)16384)
#define BLOCK_HUGE ((size_t)2 << 20)

typedef struct block {
    struct block *next;
    size_t used, size;
    max_align_t data[];
} block;

struct cairn_arena {
    block *head;
    size_t next; /* the size of the next standard block, 0 for BLOCK_MIN */
};

void cairn_mem_advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    (void)madvise(p, n, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

void *cairn_mem_alloc(size_t n)
{
    if (n < CAIRN_MEM_BIG)
        return malloc(n);
    size_t r = n <= SIZE_MAX - BLOCK_HUGE ? (n + BLOCK_HUGE - 1) & ~(BLOCK_HUGE - 1) : 0;
    void *p = r ? aligned_alloc(BLOCK_HUGE, r) : NULL;
    if (p)
        cairn_mem_advise_huge(p, r);
    return p;
}

cairn_arena *cairn_arena_new(void)
{
    return calloc(1, sizeof(cairn_arena));
}

void cairn_arena_free(cairn_arena *a)
{
    if (!a)
        return;
    for (block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

/* A block of `total` bytes, header included. */
static block *block_new(size_t total)
{
    block *b;
    if (total == BLOCK_HUGE) {
        if (!(b = aligned_alloc(BLOCK_HUGE, BLOCK_HUGE)))
            return NULL;
        cairn_mem_advise_huge(b, BLOCK_HUGE); /* before the first touch */
    } else if (!(b = malloc(total))) {
        return NULL;
    }
    b->used = 0;
    b->size = total - sizeof(block);
    return b;
}

void *cairn_arena_alloc(cairn_arena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    if (size == 0)
        size = align;
    block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t std = a->next ? a->next : BLOCK_MIN;
        int big = size > std - sizeof(block);
        block *nb = block_new(big ? sizeof(block) + size : std);
        if (!nb)
            return NULL;
        /* A big allocation gets its own block behind the current one, so the
         * current block's free space is not wasted. */
        if (b && big) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
            if (!big && std < BLOCK_HUGE)
                a->next = std * 4 < BLOCK_HUGE / 8 ? std * 4 : BLOCK_HUGE;
        }
        b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *cairn_arena_strndup(cairn_arena *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *p = cairn_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *cairn_arena_strdup(cairn_arena *a, const char *s)
{
    return s ? cairn_arena_strndup(a, s, strlen(s)) : NULL;
}

int cairn_arena_push(cairn_arena *a, void ***items, size_t *n, void *item)
{
    /* Capacity is implicit: powers of two from 4. */
    size_t cap = 4;
    while (cap < *n)
        cap *= 2;
    if (*n == 0 || *n == cap) {
        size_t ncap = *n == 0 ? 4 : cap * 2;
        void **nv = cairn_arena_alloc(a, ncap * sizeof(void *));
        if (!nv)
            return CAIRN_ENOMEM;
        if (*n)
            memcpy(nv, *items, *n * sizeof(void *));
        *items = nv;
    }
    (*items)[(*n)++] = item;
    return 0;
}
