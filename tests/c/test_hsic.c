/* Unit tests of the reference estimators (tests/c/hsic_ref.h) against naive
 * implementations that build the zero-diagonal / centred matrices
 * explicitly. */
#include "check.h"
#include "hsic_ref.h"

#include <stdlib.h>

#define AT(M, i, j, n) ((M)[(size_t)(j) * (n) + (size_t)(i)])

/* Deterministic pseudo-random numbers in [-1, 1). */
static double next_uniform(unsigned *state)
{
    *state = *state * 1664525u + 1013904223u;
    return (double)(*state >> 8) / (double)(1u << 23) - 1.0;
}

/* Linear Gram matrix K = X X' of an n x d column-major X. */
static void gram(const double *X, size_t n, size_t d, double *K)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0.0;
            for (size_t k = 0; k < d; k++)
                s += AT(X, i, k, n) * AT(X, j, k, n);
            AT(K, i, j, n) = s;
        }
}

static double naive_unbiased(const double *K, const double *L, size_t n, double eps)
{
    double *Kt = malloc(n * n * sizeof *Kt), *Lt = malloc(n * n * sizeof *Lt);
    for (size_t i = 0; i < n * n; i++) {
        Kt[i] = K[i];
        Lt[i] = L[i];
    }
    for (size_t i = 0; i < n; i++)
        AT(Kt, i, i, n) = AT(Lt, i, i, n) = 0.0;
    double trace = 0.0, sk = 0.0, sl = 0.0, sprod = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            trace += AT(Kt, i, j, n) * AT(Lt, i, j, n);
            sk += AT(Kt, i, j, n);
            sl += AT(Lt, i, j, n);
            double p = 0.0; /* (Kt Lt)_ij */
            for (size_t k = 0; k < n; k++)
                p += AT(Kt, i, k, n) * AT(Lt, k, j, n);
            sprod += p;
        }
    free(Kt);
    free(Lt);
    double nd = (double)n;
    return (trace + sk * sl / ((nd - 1) * (nd - 2)) - 2 * sprod / (nd - 2)) / (nd * (nd - 3) + eps);
}

static double naive_biased(const double *K, const double *L, size_t n)
{
    /* H K H with H = I - 11'/n, built explicitly. */
    double *H = malloc(n * n * sizeof *H), *T = malloc(n * n * sizeof *T);
    double *Kc = malloc(n * n * sizeof *Kc), *Lc = malloc(n * n * sizeof *Lc);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            AT(H, i, j, n) = (i == j) - 1.0 / (double)n;
    const double *src[2] = {K, L};
    double *dst[2] = {Kc, Lc};
    for (int m = 0; m < 2; m++) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                double s = 0.0;
                for (size_t k = 0; k < n; k++)
                    s += AT(H, i, k, n) * AT(src[m], k, j, n);
                AT(T, i, j, n) = s;
            }
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                double s = 0.0;
                for (size_t k = 0; k < n; k++)
                    s += AT(T, i, k, n) * AT(H, k, j, n);
                AT(dst[m], i, j, n) = s;
            }
    }
    double s = 0.0;
    for (size_t i = 0; i < n * n; i++)
        s += Kc[i] * Lc[i];
    free(H);
    free(T);
    free(Kc);
    free(Lc);
    return s / ((double)(n - 1) * (double)(n - 1));
}

static void make_grams(size_t n, size_t d1, size_t d2, unsigned seed, double *K, double *L)
{
    double *X = malloc(n * d1 * sizeof *X), *Y = malloc(n * d2 * sizeof *Y);
    unsigned s = seed;
    for (size_t i = 0; i < n * d1; i++)
        X[i] = next_uniform(&s);
    for (size_t i = 0; i < n * d2; i++)
        Y[i] = next_uniform(&s) + (i < n * d1 ? 0.5 * X[i] : 0.0);
    gram(X, n, d1, K);
    gram(Y, n, d2, L);
    free(X);
    free(Y);
}

static void test_unbiased_matches_naive(void)
{
    size_t sizes[] = {4, 5, 8, 17, 32};
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        size_t n = sizes[t];
        double *K = malloc(n * n * sizeof *K), *L = malloc(n * n * sizeof *L);
        make_grams(n, 7, 5, 42u + (unsigned)n, K, L);
        CHECK_CLOSE(hsic_unbiased(K, L, n, 1e-6), naive_unbiased(K, L, n, 1e-6), 1e-12);
        CHECK_CLOSE(hsic_unbiased(K, L, n, 0.0), naive_unbiased(K, L, n, 0.0), 1e-12);
        free(K);
        free(L);
    }
}

static void test_biased_matches_naive(void)
{
    size_t sizes[] = {2, 3, 8, 19, 40};
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        size_t n = sizes[t];
        double *K = malloc(n * n * sizeof *K), *L = malloc(n * n * sizeof *L);
        make_grams(n, 3, 9, 7u + (unsigned)n, K, L);
        double h = -1.0;
        CHECK(hsic_biased(K, L, n, &h) == 0, "allocation failed for n = %zu", n);
        CHECK_CLOSE(h, naive_biased(K, L, n), 1e-12);
        free(K);
        free(L);
    }
}

static void test_nonsymmetric_inputs(void)
{
    /* The estimators are defined for any square matrices; check the general
     * (row sum vs column sum) bookkeeping with non-symmetric ones. */
    size_t n = 9;
    double K[81], L[81];
    unsigned s = 99u;
    for (size_t i = 0; i < n * n; i++) {
        K[i] = next_uniform(&s);
        L[i] = next_uniform(&s);
    }
    CHECK_CLOSE(hsic_unbiased(K, L, n, 1e-6), naive_unbiased(K, L, n, 1e-6), 1e-12);
    double h;
    CHECK(hsic_biased(K, L, n, &h) == 0, "allocation failed");
    CHECK_CLOSE(h, naive_biased(K, L, n), 1e-12);
}

static void test_constant_kernel_gives_zero(void)
{
    /* A constant Gram matrix carries no information: both estimators are 0. */
    size_t n = 6;
    double K[36], L[36];
    make_grams(n, 4, 4, 5u, K, L);
    for (size_t i = 0; i < n * n; i++)
        K[i] = 3.0;
    double h;
    CHECK(hsic_biased(K, L, n, &h) == 0, "allocation failed");
    CHECK_CLOSE(h, 0.0, 1e-12);
    CHECK_CLOSE(hsic_unbiased(K, L, n, 0.0), 0.0, 1e-12);
}

int main(void)
{
    RUN(test_unbiased_matches_naive);
    RUN(test_biased_matches_naive);
    RUN(test_nonsymmetric_inputs);
    RUN(test_constant_kernel_gives_zero);
    return CHECK_REPORT();
}
