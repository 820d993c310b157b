/* A few lines of test harness for GameGate's C suites: CHECK records a failure and goes on,
 * RUN runs one test function, and gg_test_summary prints "N passed, N failed". */
#ifndef GG_TEST_H
#define GG_TEST_H

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gg_process.h"

static int gg_test_failed_checks = 0;
static int gg_tests_passed = 0;
static int gg_tests_failed = 0;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "  CHECK FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            gg_test_failed_checks++;                                                  \
        }                                                                             \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                                   \
    do {                                                                                                     \
        long long gg_a_ = (long long)(a), gg_b_ = (long long)(b);                                            \
        if (gg_a_ != gg_b_) {                                                                                \
            fprintf(stderr, "  CHECK FAILED %s:%d: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, #a, #b, \
                    gg_a_, gg_b_);                                                                           \
            gg_test_failed_checks++;                                                                         \
        }                                                                                                    \
    } while (0)

#define CHECK_STR(a, b)                                                                                    \
    do {                                                                                                   \
        const char *gg_a_ = (a), *gg_b_ = (b);                                                             \
        if (gg_a_ == NULL || gg_b_ == NULL || strcmp(gg_a_, gg_b_) != 0) {                                 \
            fprintf(stderr, "  CHECK FAILED %s:%d: %s == %s (\"%s\" != \"%s\")\n", __FILE__, __LINE__, #a, \
                    #b, gg_a_ ? gg_a_ : "(null)", gg_b_ ? gg_b_ : "(null)");                               \
            gg_test_failed_checks++;                                                                       \
        }                                                                                                  \
    } while (0)

/* GG_TEST_FILTER=text runs only the tests whose name contains it. */
#define RUN(test)                                                   \
    do {                                                            \
        const char *gg_filter_ = getenv("GG_TEST_FILTER");          \
        if (gg_filter_ && !strstr(#test, gg_filter_)) break;        \
        int gg_before_ = gg_test_failed_checks;                     \
        fprintf(stderr, "test %s ...\n", #test);                    \
        test();                                                     \
        if (gg_test_failed_checks == gg_before_) {                  \
            gg_tests_passed++;                                      \
            fprintf(stderr, "test %s ... ok\n", #test);             \
        } else {                                                    \
            gg_tests_failed++;                                      \
            fprintf(stderr, "test %s ... FAILED\n", #test);         \
        }                                                           \
    } while (0)

static int gg_test_summary(const char *suite) {
    printf("%s: %d passed, %d failed\n", suite, gg_tests_passed, gg_tests_failed);
    return gg_tests_failed == 0 ? 0 : 1;
}

static double gg_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Poll interval while waiting for a condition (never a stand-in for synchronisation). */
static inline void gg_pause(void) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
}

#endif
