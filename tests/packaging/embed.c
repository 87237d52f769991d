/* An application embedding libcairn from a relocated install: it lives
 * outside the tree, so libcairn must find the drivers next to itself. */
#include <stdio.h>
#include <string.h>

#include <cairn/cairn.h>

int main(void)
{
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx) != 0)
        return 1;
    cairn_dialect_info *list;
    size_t n;
    int found = 0;
    if (cairn_dialects_list(cx, &list, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            if (list[i].name && strcmp(list[i].name, "sqlite") == 0 && !list[i].problem) {
                printf("sqlite %s\n", list[i].path);
                found = 1;
            }
        cairn_dialect_list_free(list, n);
    }
    printf("libcairn %s\n", cairn_version());
    cairn_ctx_free(cx);
    return found ? 0 : 1;
}
