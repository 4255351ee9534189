/* Minimal unit-test harness for the C core (no Octave).  Each TEST is one
 * case; a case fails if any CHECK in it fails.  main() ends with
 * CHECK_REPORT(), which prints "# passed N failed M" for tests/run_tests.sh. */
#ifndef CKA_CHECK_H
#define CKA_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_passed, check_failed, check_case_failed;

#define CHECK(cond, ...)                                                    \
    do {                                                                    \
        if (!(cond)) {                                                      \
            check_case_failed = 1;                                          \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, \
                    #cond);                                                 \
            fprintf(stderr, __VA_ARGS__);                                   \
            fputc('\n', stderr);                                            \
        }                                                                   \
    } while (0)

/* |got - want| <= tol * max(1, |want|) */
#define CHECK_CLOSE(got, want, tol)                                         \
    CHECK(fabs((double)(got) - (double)(want))                              \
              <= (tol) * fmax(1.0, fabs((double)(want))),                   \
          "got %.17g, want %.17g (tol %g)", (double)(got), (double)(want),  \
          (double)(tol))

#define RUN(test_fn)                                                        \
    do {                                                                    \
        check_case_failed = 0;                                              \
        test_fn();                                                          \
        if (check_case_failed) {                                            \
            check_failed++;                                                 \
            printf("FAIL %s\n", #test_fn);                                  \
        } else {                                                            \
            check_passed++;                                                 \
            printf("ok   %s\n", #test_fn);                                  \
        }                                                                   \
    } while (0)

#define CHECK_REPORT()                                                      \
    (printf("# passed %d failed %d\n", check_passed, check_failed),         \
     check_failed ? 1 : 0)

#endif
