/* Unit tests of src/core/cka/cka_gram.c and cka_accum.c: Gram matrices in both
 * memory layouts and precisions, the RBF median heuristic, and the batched
 * all-pairs HSIC against the reference estimators of tests/c/hsic_ref.h. */
#include "check.h"
#include "cka/cka_accum.h"
#include "hsic_ref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double next_uniform(unsigned *state)
{
    *state = *state * 1664525u + 1013904223u;
    return (double)(*state >> 8) / (double)(1u << 23) - 1.0;
}

/* X column-major n x d. */
static double *random_matrix(size_t n, size_t d, unsigned seed)
{
    double *X = malloc(n * d * sizeof *X);
    unsigned s = seed;
    for (size_t i = 0; i < n * d; i++)
        X[i] = next_uniform(&s);
    return X;
}

static void naive_gram(const double *X, size_t n, size_t d, double *K)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0.0;
            for (size_t k = 0; k < d; k++)
                s += X[k * n + i] * X[k * n + j];
            K[j * n + i] = s;
        }
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* RBF with the lower median, written out directly from the definition. */
static void naive_rbf(const double *X, size_t n, size_t d, double sigma, double eps, double *K)
{
    double *D = malloc(n * n * sizeof *D), *v = malloc(n * n * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0.0;
            for (size_t k = 0; k < d; k++) {
                double t = X[k * n + i] - X[k * n + j];
                s += t * t;
            }
            D[j * n + i] = s;
            if (i < j)
                v[m++] = s;
        }
    double s2;
    if (isnan(sigma)) {
        qsort(v, m, sizeof *v, cmp);
        s2 = fmax(v[(m - 1) / 2] / 2.0, eps);
    } else {
        s2 = sigma * sigma;
    }
    for (size_t t = 0; t < n * n; t++)
        K[t] = exp(fmin(fmax(-D[t] / (2.0 * (s2 + eps)), -50.0), 0.0));
    free(D);
    free(v);
}

static double max_abs_diff(const double *a, const double *b, size_t len)
{
    double m = 0.0;
    for (size_t i = 0; i < len; i++)
        m = fmax(m, fabs(a[i] - b[i]));
    return m;
}

static void check_layouts(size_t n, size_t d)
{
    double *X = random_matrix(n, d, 11u);
    double *ref = malloc(n * n * sizeof *ref), *K = malloc(n * n * sizeof *K);
    double *Xr = malloc(n * d * sizeof *Xr);
    float *Xf = malloc(n * d * sizeof *Xf), *Xrf = malloc(n * d * sizeof *Xrf);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < d; k++) {
            Xr[i * d + k] = X[k * n + i]; /* sample-major copy */
            Xf[k * n + i] = (float)X[k * n + i];
            Xrf[i * d + k] = (float)X[k * n + i];
        }
    naive_gram(X, n, d, ref);
    cka_options o = cka_options_default();
    cka_error err;
    cka_features f = {X, CKA_F64, n, d, 0};
    CHECK(cka_gram(&f, &o, K, "X", &err) == 0, "%s", err.msg);
    CHECK(max_abs_diff(K, ref, n * n) < 1e-13 * (double)(d + 1), "column-major double");
    cka_features fr = {Xr, CKA_F64, n, d, 1};
    CHECK(cka_gram(&fr, &o, K, "X", &err) == 0, "%s", err.msg);
    CHECK(max_abs_diff(K, ref, n * n) < 1e-13 * (double)(d + 1), "sample-major double");
    /* float input: converted exactly, so equal to the double Gram of the
     * rounded values */
    double *Xfd = malloc(n * d * sizeof *Xfd), *reff = malloc(n * n * sizeof *reff);
    for (size_t i = 0; i < n * d; i++)
        Xfd[i] = (double)Xf[i];
    naive_gram(Xfd, n, d, reff);
    cka_features ff = {Xf, CKA_F32, n, d, 0}, frf = {Xrf, CKA_F32, n, d, 1};
    CHECK(cka_gram(&ff, &o, K, "X", &err) == 0, "%s", err.msg);
    CHECK(max_abs_diff(K, reff, n * n) < 1e-13 * (double)(d + 1), "column-major float");
    CHECK(cka_gram(&frf, &o, K, "X", &err) == 0, "%s", err.msg);
    CHECK(max_abs_diff(K, reff, n * n) < 1e-13 * (double)(d + 1), "sample-major float");
    /* single-precision products */
    o.single = 1;
    CHECK(cka_gram(&frf, &o, K, "X", &err) == 0, "%s", err.msg);
    CHECK(max_abs_diff(K, reff, n * n) < 1e-5 * (double)(d + 1), "single products");
    CHECK(cka_gram(&f, &o, K, "X", &err) == 0, "%s", err.msg);
    CHECK(max_abs_diff(K, ref, n * n) < 1e-5 * (double)(d + 1), "single products of double input");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            CHECK(K[j * n + i] == K[i * n + j], "symmetric");
    free(X); free(Xr); free(Xf); free(Xrf); free(Xfd);
    free(ref); free(reff); free(K);
}

static void test_linear_layouts_and_types(void)
{
    check_layouts(9, 13);
    check_layouts(5, 9000); /* more than one conversion block of 4096 */
    check_layouts(6, 0);    /* no features: K = 0 */
}

static void test_rbf(void)
{
    size_t sizes[] = {2, 5, 8, 12};
    for (size_t t = 0; t < 4; t++) {
        size_t n = sizes[t], d = 6;
        double *X = random_matrix(n, d, 21u + (unsigned)n);
        double *ref = malloc(n * n * sizeof *ref), *K = malloc(n * n * sizeof *K);
        cka_options o = cka_options_default();
        o.kernel = CKA_KERNEL_RBF;
        cka_error err;
        cka_features f = {X, CKA_F64, n, d, 0};
        naive_rbf(X, n, d, NAN, 1e-6, ref);
        CHECK(cka_gram(&f, &o, K, "X", &err) == 0, "%s", err.msg);
        CHECK(max_abs_diff(K, ref, n * n) < 1e-12, "median n=%zu", n);
        o.sigma = 0.7;
        naive_rbf(X, n, d, 0.7, 1e-6, ref);
        CHECK(cka_gram(&f, &o, K, "X", &err) == 0, "%s", err.msg);
        CHECK(max_abs_diff(K, ref, n * n) < 1e-12, "sigma n=%zu", n);
        free(X); free(ref); free(K);
    }
}

static void test_rbf_lower_median(void)
{
    /* 1-D points 0, 1, 3, 7: squared distances 1 9 49 4 36 16, sorted
     * 1 4 9 16 36 49; the lower median is 9 (not 12.5). */
    double X[4] = {0, 1, 3, 7}, K[16];
    cka_options o = cka_options_default();
    o.kernel = CKA_KERNEL_RBF;
    o.epsilon = 0.0;
    cka_error err;
    cka_features f = {X, CKA_F64, 4, 1, 0};
    CHECK(cka_gram(&f, &o, K, "X", &err) == 0, "%s", err.msg);
    /* sigma^2 = 9/2: K(0,1) = exp(-1 / 9) */
    CHECK_CLOSE(K[1 * 4 + 0], exp(-1.0 / 9.0), 1e-15);
    /* clamp at -50: K(0,3) = exp(max(-49/9, -50)) */
    CHECK_CLOSE(K[3 * 4 + 0], exp(-49.0 / 9.0), 1e-15);
    o.sigma = 0.1; /* -49/(2*0.01) = -2450 -> clamped to -50 */
    CHECK(cka_gram(&f, &o, K, "X", &err) == 0, "%s", err.msg);
    CHECK(K[3 * 4 + 0] == exp(-50.0), "clamped");
}

static void test_nonfinite(void)
{
    double X[8] = {1, 2, 3, 4, 5, 6, 7, 8}, K[16];
    float Xf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    cka_options o = cka_options_default();
    cka_error err;
    X[5] = NAN;
    Xf[2] = INFINITY;
    cka_features f = {X, CKA_F64, 4, 2, 0}, ff = {Xf, CKA_F32, 4, 2, 1};
    CHECK(cka_gram(&f, &o, K, "layer h.3", &err) == -1, "NaN accepted");
    CHECK(strcmp(err.id, "cka:input:nonFinite") == 0, "id %s", err.id);
    CHECK(strstr(err.msg, "layer h.3") != NULL, "msg %s", err.msg);
    CHECK(cka_gram(&ff, &o, K, "x", &err) == -1, "Inf accepted");
    o.single = 1;
    CHECK(cka_gram(&ff, &o, K, "x", &err) == -1, "Inf accepted (single)");
    CHECK(cka_gram(&f, &o, K, "x", &err) == -1, "NaN accepted (single)");
}

/* All-pairs HSIC equals the reference estimators pair by pair. */
static void test_pairs_match_hsic(void)
{
    size_t n = 10, m1 = 3, m2 = 2, d = 5;
    for (int unb = 0; unb <= 1; unb++) {
        cka_options o = cka_options_default();
        o.unbiased = unb;
        cka_gram_set A = {n, m1, malloc(m1 * n * n * sizeof(double)),
                          malloc(m1 * n * sizeof(double)), malloc(m1 * sizeof(double))};
        cka_gram_set B = {n, m2, malloc(m2 * n * n * sizeof(double)),
                          malloc(m2 * n * sizeof(double)), malloc(m2 * sizeof(double))};
        double *raw = malloc((m1 + m2) * n * n * sizeof *raw);
        cka_error err;
        for (size_t k = 0; k < m1 + m2; k++) {
            double *X = random_matrix(n, d + k, 100u + (unsigned)k);
            cka_features f = {X, CKA_F64, n, d + k, 0};
            CHECK(cka_gram(&f, &o, raw + k * n * n, "X", &err) == 0, "%s", err.msg);
            double *dst = k < m1 ? A.gram + k * n * n : B.gram + (k - m1) * n * n;
            memcpy(dst, raw + k * n * n, n * n * sizeof *dst);
            if (k < m1)
                cka_gram_prepare(&A, k, unb);
            else
                cka_gram_prepare(&B, k - m1, unb);
            free(X);
        }
        double H[6], hA[3], hB[2];
        cka_hsic_pairs(&A, &B, &o, H);
        cka_hsic_self(&A, &o, hA);
        cka_hsic_self(&B, &o, hB);
        for (size_t i = 0; i < m1; i++) {
            for (size_t j = 0; j < m2; j++) {
                const double *K = raw + i * n * n, *L = raw + (m1 + j) * n * n;
                double want;
                if (unb)
                    want = hsic_unbiased(K, L, n, o.epsilon);
                else
                    CHECK(hsic_biased(K, L, n, &want) == 0, "oom");
                CHECK_CLOSE(H[j * m1 + i], want, 1e-12);
            }
            double want;
            const double *K = raw + i * n * n;
            if (unb)
                want = hsic_unbiased(K, K, n, o.epsilon);
            else
                CHECK(hsic_biased(K, K, n, &want) == 0, "oom");
            CHECK_CLOSE(hA[i], want, 1e-12);
        }
        for (size_t j = 0; j < m2; j++) {
            const double *L = raw + (m1 + j) * n * n;
            double want;
            if (unb)
                want = hsic_unbiased(L, L, n, o.epsilon);
            else
                CHECK(hsic_biased(L, L, n, &want) == 0, "oom");
            CHECK_CLOSE(hB[j], want, 1e-12);
        }
        free(A.gram); free(A.rowsum); free(A.total);
        free(B.gram); free(B.rowsum); free(B.total);
        free(raw);
    }
}

static void test_matrix_from_sums(void)
{
    double xy[4] = {1, 2, 3, 4}, xx[2] = {4, -1}, yy[2] = {1, 9}, M[4];
    cka_matrix_from_sums(xy, xx, yy, 2, 2, 0.5, M);
    CHECK_CLOSE(M[0], 1.0 / 2.5, 1e-15);
    CHECK_CLOSE(M[1], 2.0 / 0.5, 1e-15); /* negative product clamped */
    CHECK_CLOSE(M[2], 3.0 / 6.5, 1e-15);
    CHECK_CLOSE(M[3], 4.0 / 0.5, 1e-15);
}

int main(void)
{
    RUN(test_linear_layouts_and_types);
    RUN(test_rbf);
    RUN(test_rbf_lower_median);
    RUN(test_nonfinite);
    RUN(test_pairs_match_hsic);
    RUN(test_matrix_from_sums);
    return CHECK_REPORT();
}
