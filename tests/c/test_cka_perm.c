/* Unit tests of src/core/cka/cka_perm.c: the permutations are permutations,
 * reproducible and uniform, and the permuted HSIC of every pair equals the
 * reference estimator (tests/c/hsic_ref.h) on explicitly permuted Gram
 * matrices, for both estimators. */
#include "check.h"
#include "cka/cka_perm.h"
#include "hsic_ref.h"

#include <stdlib.h>
#include <string.h>

static double next_uniform(unsigned *state)
{
    *state = *state * 1664525u + 1013904223u;
    return (double)(*state >> 8) / (double)(1u << 23) - 1.0;
}

/* K = X X' for a random n x d X (column-major, symmetric). */
static void random_gram(size_t n, size_t d, unsigned seed, double *K)
{
    double *X = malloc(n * d * sizeof *X);
    for (size_t i = 0; i < n * d; i++)
        X[i] = next_uniform(&seed);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0.0;
            for (size_t k = 0; k < d; k++)
                s += X[k * n + i] * X[k * n + j];
            K[j * n + i] = s;
        }
    free(X);
}

static void test_draw_is_permutation(void)
{
    size_t perm[37], again[37];
    for (size_t p = 0; p < 50; p++) {
        cka_perm_draw(7, 3, p, 37, perm);
        int seen[37] = {0};
        for (size_t i = 0; i < 37; i++) {
            CHECK(perm[i] < 37, "entry %zu out of range", perm[i]);
            if (perm[i] < 37)
                seen[perm[i]]++;
        }
        for (size_t i = 0; i < 37; i++)
            CHECK(seen[i] == 1, "value %zu appears %d times", i, seen[i]);
        cka_perm_draw(7, 3, p, 37, again);
        CHECK(memcmp(perm, again, sizeof perm) == 0, "not reproducible");
    }
    cka_perm_draw(7, 3, 0, 37, perm);
    cka_perm_draw(7, 4, 0, 37, again);
    CHECK(memcmp(perm, again, sizeof perm) != 0, "streams 3 and 4 gave the same permutation");
    cka_perm_draw(8, 3, 0, 37, again);
    CHECK(memcmp(perm, again, sizeof perm) != 0, "seeds 7 and 8 gave the same permutation");
}

/* All 24 permutations of 4 elements, 48000 draws: chi-square with 23
 * degrees of freedom stays far below 60 (p ~ 4e-5) for a uniform draw. */
static void test_draw_is_uniform(void)
{
    int count[256] = {0};
    size_t perm[4];
    const int draws = 48000;
    for (int t = 0; t < draws; t++) {
        cka_perm_draw(1, (uint64_t)(t / 100), (size_t)(t % 100), 4, perm);
        count[perm[0] * 64 + perm[1] * 16 + perm[2] * 4 + perm[3]]++;
    }
    double chi2 = 0.0, expect = draws / 24.0;
    int distinct = 0;
    for (int k = 0; k < 256; k++)
        if (count[k] > 0) {
            distinct++;
            chi2 += (count[k] - expect) * (count[k] - expect) / expect;
        }
    CHECK(distinct == 24, "%d distinct permutations of 4", distinct);
    CHECK(chi2 < 60.0, "chi-square %g", chi2);
}

static void check_estimator(int unbiased)
{
    const size_t n = 9, m1 = 2, m2 = 3, P = 5, nn = n * n;
    cka_gram_set A = {n, m1, malloc(m1 * nn * sizeof(double)), malloc(m1 * n * sizeof(double)),
                      malloc(m1 * sizeof(double))};
    cka_gram_set B = {n, m2, malloc(m2 * nn * sizeof(double)), malloc(m2 * n * sizeof(double)),
                      malloc(m2 * sizeof(double))};
    double *rawA = malloc(m1 * nn * sizeof(double)), *rawB = malloc(m2 * nn * sizeof(double));
    for (size_t k = 0; k < m1; k++) {
        random_gram(n, 4 + k, 11u + (unsigned)k, rawA + k * nn);
        memcpy(A.gram + k * nn, rawA + k * nn, nn * sizeof(double));
        cka_gram_prepare(&A, k, unbiased);
    }
    for (size_t k = 0; k < m2; k++) {
        random_gram(n, 3 + k, 101u + (unsigned)k, rawB + k * nn);
        memcpy(B.gram + k * nn, rawB + k * nn, nn * sizeof(double));
        cka_gram_prepare(&B, k, unbiased);
    }
    cka_options o = cka_options_default();
    o.unbiased = unbiased;
    double *H = malloc(m1 * m2 * P * sizeof(double)), *Lp = malloc(nn * sizeof(double));
    cka_error err;
    cka_error_clear(&err);
    CHECK(cka_hsic_permuted(&A, &B, &o, P, 42, 6, H, &err) == 0, "%s", err.msg);
    size_t perm[9];
    for (size_t p = 0; p < P; p++) {
        cka_perm_draw(42, 6, p, n, perm);
        for (size_t j = 0; j < m2; j++) {
            const double *L = rawB + j * nn;
            for (size_t b = 0; b < n; b++)
                for (size_t a = 0; a < n; a++)
                    Lp[b * n + a] = L[perm[b] * n + perm[a]];
            for (size_t i = 0; i < m1; i++) {
                double want;
                if (unbiased)
                    want = hsic_unbiased(rawA + i * nn, Lp, n, o.epsilon);
                else
                    CHECK(hsic_biased(rawA + i * nn, Lp, n, &want) == 0, "reference failed");
                CHECK_CLOSE(H[p * m1 * m2 + j * m1 + i], want, 1e-12);
            }
        }
    }
    free(A.gram), free(A.rowsum), free(A.total);
    free(B.gram), free(B.rowsum), free(B.total);
    free(rawA), free(rawB), free(H), free(Lp);
}

static void test_permuted_unbiased(void)
{
    check_estimator(1);
}

static void test_permuted_biased(void)
{
    check_estimator(0);
}

int main(void)
{
    RUN(test_draw_is_permutation);
    RUN(test_draw_is_uniform);
    RUN(test_permuted_unbiased);
    RUN(test_permuted_biased);
    CHECK_REPORT();
}
