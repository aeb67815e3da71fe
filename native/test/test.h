/* test.h — the smallest test harness that does the job: CHECK records a failure and goes on,
 * TEST_MAIN runs the listed tests and prints "N passed, N failed"; exit status 1 on any failure. */
#ifndef ZW_TEST_H
#define ZW_TEST_H
#include <stdio.h>
#include <string.h>

static int zw_test_failures;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);         \
            zw_test_failures++;                                                              \
        }                                                                                    \
    } while (0)
#define CHECK_EQ(a, b) CHECK((a) == (b))
#define CHECK_MEM(p, q, n) CHECK(memcmp((p), (q), (n)) == 0)

typedef void (*zw_test_fn)(void);
typedef struct { const char *name; zw_test_fn fn; } zw_test_case;
#define TEST_CASE(fn) { #fn, fn }

static int zw_test_run(const char *suite, const zw_test_case *cases, int n) {
    int passed = 0, failed = 0;
    for (int i = 0; i < n; i++) {
        int before = zw_test_failures;
        cases[i].fn();
        if (zw_test_failures == before) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAIL %s/%s\n", suite, cases[i].name);
        }
    }
    printf("%s: %d passed, %d failed\n", suite, passed, failed);
    return failed ? 1 : 0;
}
#define TEST_MAIN(suite, ...)                                                                \
    int main(void) {                                                                         \
        static const zw_test_case cases[] = {__VA_ARGS__};                                   \
        return zw_test_run(suite, cases, (int)(sizeof cases / sizeof cases[0]));             \
    }
#endif
