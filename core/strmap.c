/* A map from (namespace, name) to a pointer, in an arena: name lookups in
 * schemas of thousands of tables must not be linear scans. */
#include <string.h>

#include "internal.h"

typedef struct entry {
    uint64_t hash;
    const char *ns, *name;
    const void *value;
} entry;

struct cairn_strmap {
    cairn_arena *arena;
    entry *slots;
    size_t cap, n; /* cap is a power of two, or 0 */
};

static uint64_t hash_pair(const char *ns, const char *name)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)(ns ? ns : ""); *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    h = (h ^ (ns ? 0xffu : 0xfeu)) * 1099511628211ull; /* NULL and "" differ */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return h;
}

static int same(const entry *e, uint64_t h, const char *ns, const char *name)
{
    if (e->hash != h || strcmp(e->name, name) != 0)
        return 0;
    return (!e->ns && !ns) || (e->ns && ns && strcmp(e->ns, ns) == 0);
}

cairn_strmap *cairn_strmap_new(cairn_arena *a)
{
    cairn_strmap *m = cairn_arena_alloc(a, sizeof *m);
    if (m)
        m->arena = a;
    return m;
}

const void *cairn_strmap_get(const cairn_strmap *m, const char *ns, const char *name)
{
    if (!m || !m->cap)
        return NULL;
    uint64_t h = hash_pair(ns, name);
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        const entry *e = &m->slots[i];
        if (!e->name)
            return NULL;
        if (same(e, h, ns, name))
            return e->value;
    }
}

static void insert(entry *slots, size_t cap, const entry *e)
{
    size_t i = e->hash & (cap - 1);
    while (slots[i].name)
        i = (i + 1) & (cap - 1);
    slots[i] = *e;
}

int cairn_strmap_put(cairn_strmap *m, const char *ns, const char *name, const void *value)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        entry *slots = cairn_arena_alloc(m->arena, cap * sizeof *slots);
        if (!slots)
            return CAIRN_ENOMEM;
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].name)
                insert(slots, cap, &m->slots[i]);
        m->slots = slots;
        m->cap = cap;
    }
    uint64_t h = hash_pair(ns, name);
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        entry *e = &m->slots[i];
        if (!e->name) {
            *e = (entry){h, ns, name, value};
            m->n++;
            return 0;
        }
        if (same(e, h, ns, name)) {
            e->value = value;
            return 0;
        }
    }
}
