/* strmap.c: (namespace, name) lookups over many entries, NULL namespace
 * distinct from "", replacement, growth. */
#include <stdio.h>

#include "check.h"
#include "internal.h"

int main(void)
{
    cairn_arena *a = cairn_arena_new();
    cairn_strmap *m = cairn_strmap_new(a);
    CHECK(cairn_strmap_get(m, NULL, "x") == NULL, "empty map");
    static char names[20000][16];
    for (int i = 0; i < 20000; i++) {
        snprintf(names[i], sizeof names[i], "t%05d", i);
        CHECK(cairn_strmap_put(m, i % 2 ? "audit" : NULL, names[i], names[i]) == 0, "put %d", i);
    }
    int found = 0, misses = 0;
    for (int i = 0; i < 20000; i++) {
        found += cairn_strmap_get(m, i % 2 ? "audit" : NULL, names[i]) == names[i];
        misses += cairn_strmap_get(m, i % 2 ? NULL : "audit", names[i]) == NULL;
    }
    CHECK(found == 20000, "found %d of 20000", found);
    CHECK(misses == 20000, "the other namespace does not match: %d", misses);
    CHECK(cairn_strmap_put(m, NULL, "k", "one") == 0 && cairn_strmap_put(m, "", "k", "two") == 0,
          "put");
    CHECK(strcmp(cairn_strmap_get(m, NULL, "k"), "one") == 0, "NULL namespace");
    CHECK(strcmp(cairn_strmap_get(m, "", "k"), "two") == 0, "empty namespace is another one");
    CHECK(cairn_strmap_put(m, NULL, "k", "three") == 0 &&
              strcmp(cairn_strmap_get(m, NULL, "k"), "three") == 0,
          "replace");
    cairn_arena_free(a);
    return check_done();
}
