/* A main() for the fuzz targets without libFuzzer: runs the target once on
 * each file named, or on each file of each directory named (the seed
 * corpus), so any build replays the committed inputs as a test. */
#include <dirent.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(cairn_ctx *cx, const char *path)
{
    char *text;
    size_t size;
    if (cairn_read_file(cx, path, &text, &size)) {
        fprintf(stderr, "%s\n", cairn_ctx_error(cx)->message);
        return 1;
    }
    /* A copy of exactly the file's size, so ASan sees any read past it. */
    uint8_t *data = malloc(size ? size : 1);
    if (data && size)
        memcpy(data, text, size);
    free(text);
    if (!data) {
        fprintf(stderr, "%s: out of memory\n", path);
        return 1;
    }
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx))
        return 1;
    int failed = 0;
    size_t inputs = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        struct dirent **list;
        int n;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s: not found\n", argv[i]);
            failed = 1;
        } else if (!S_ISDIR(st.st_mode)) {
            failed |= run_file(cx, argv[i]);
            inputs++;
        } else if ((n = scandir(argv[i], &list, NULL, alphasort)) < 0) {
            fprintf(stderr, "%s: cannot list\n", argv[i]);
            failed = 1;
        } else {
            for (int k = 0; k < n; k++) {
                char *path = list[k]->d_name[0] == '.' ? NULL
                                                       : cairn_path_join(argv[i], list[k]->d_name);
                if (path) {
                    failed |= run_file(cx, path);
                    inputs++;
                }
                free(path);
                free(list[k]);
            }
            free(list);
        }
    }
    cairn_ctx_free(cx);
    printf("%zu inputs replayed\n", inputs);
    return failed;
}
