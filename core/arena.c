/* A bump allocator: schema objects are many, small, and die together. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CAIRN_ARENA_BLOCK 16384

typedef struct block {
    struct block *next;
    size_t used, size;
    max_align_t data[];
} block;

struct cairn_arena {
    block *head;
};

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

void *cairn_arena_alloc(cairn_arena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    if (size == 0)
        size = align;
    block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t cap = size > CAIRN_ARENA_BLOCK ? size : CAIRN_ARENA_BLOCK;
        block *nb = malloc(sizeof(block) + cap);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->size = cap;
        /* A big allocation gets its own block behind the current one, so the
         * current block's free space is not wasted. */
        if (b && size > CAIRN_ARENA_BLOCK) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
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
