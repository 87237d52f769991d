/* A tiny assertion helper shared by the unit tests: each CHECK prints one
 * line, and the program ends with "N passed, N failed". */
#ifndef CAIRN_TEST_CHECK_H
#define CAIRN_TEST_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                              \
    do {                                                              \
        if (cond) {                                                   \
            check_passed++;                                           \
        } else {                                                      \
            check_failed++;                                           \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);    \
            printf(__VA_ARGS__);                                      \
            printf("\n");                                             \
        }                                                             \
    } while (0)

#define CHECK_STR(got, want)                                                         \
    do {                                                                             \
        const char *g_ = (got), *w_ = (want);                                        \
        CHECK(g_ && w_ && strcmp(g_, w_) == 0, "got [%s], want [%s]", g_ ? g_ : "(null)", w_); \
    } while (0)

static inline int check_done(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}
#endif
