#include "cka/cka_gram.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

cka_options cka_options_default(void)
{
    cka_options o;
    o.kernel = CKA_KERNEL_LINEAR;
    o.sigma = NAN;
    o.unbiased = 1;
    o.epsilon = 1e-6;
    o.single = 0;
    return o;
}

size_t cka_min_samples(const cka_options *o)
{
    return o->unbiased ? 4 : 2;
}

/* Features converted to double per block (bounds the scratch memory). */
#define CKA_GRAM_CHUNK ((size_t)4096)

static int oom(cka_error *err, const char *what, size_t n, size_t d)
{
    return cka_error_set(err, "cka:memory:outOfMemory",
                         "out of memory computing the Gram matrix of %s (%zu samples x %zu features)",
                         what, n, d);
}

static int nonfinite(cka_error *err, const char *what)
{
    return cka_error_set(err, "cka:input:nonFinite", "the features of %s contain NaN or Inf", what);
}

/* Copy the lower triangle of an n x n column-major matrix to the upper. */
static void symmetrize_lower(double *K, size_t n)
{
    for (size_t j = 0; j < n; j++)
        for (size_t i = j + 1; i < n; i++)
            K[i * n + j] = K[j * n + i];
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int cka_rbf_from_linear(double *G, size_t n, double sigma, double eps, cka_error *err)
{
    double *sq = malloc((n ? n : 1) * sizeof *sq);
    if (sq == NULL)
        return oom(err, "an RBF kernel", n, n);
    for (size_t i = 0; i < n; i++)
        sq[i] = G[i * n + i];
    /* D in place of G: D_ij = max((sq_i + sq_j) - 2 G_ij, 0). */
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < n; i++) {
            double d = (sq[i] + sq[j]) - 2.0 * G[j * n + i];
            G[j * n + i] = d > 0.0 ? d : 0.0;
        }
    free(sq);
    double sigma2;
    if (isnan(sigma) || sigma <= 0.0) {
        /* torch.median of the strict upper triangle: the lower middle value. */
        size_t m = n * (n - 1) / 2;
        if (m == 0) {
            sigma2 = eps;
        } else {
            double *v = malloc(m * sizeof *v);
            if (v == NULL)
                return oom(err, "an RBF kernel", n, n);
            size_t k = 0;
            for (size_t j = 1; j < n; j++)
                for (size_t i = 0; i < j; i++)
                    v[k++] = G[j * n + i];
            qsort(v, m, sizeof *v, cmp_double);
            double med = v[(m - 1) / 2];
            free(v);
            sigma2 = med / 2.0;
            if (!(sigma2 > eps))
                sigma2 = eps;
        }
    } else {
        sigma2 = sigma * sigma;
    }
    double denom = 2.0 * (sigma2 + eps);
    for (size_t t = 0; t < n * n; t++) {
        double a = -G[t] / denom;
        if (a < -50.0)
            a = -50.0;
        if (a > 0.0)
            a = 0.0;
        G[t] = exp(a);
    }
    return 0;
}

int cka_gram(const cka_features *f, const cka_options *o, double *K, const char *what,
             cka_error *err)
{
    size_t n = f->n, d = f->d, nd = n * d;
    if (what == NULL)
        what = "a layer";
    if (n == 0)
        return 0;
    /* BLAS view: A is column-major with lda rows; K = A A' (NoTrans) when A
     * is n x d, K = A' A (Trans) when A is d x n (sample-major data). */
    enum CBLAS_TRANSPOSE tr = f->sample_major ? CblasTrans : CblasNoTrans;
    int lda = (int)(f->sample_major ? (d ? d : 1) : n);
    int single = o->single;
again:
    if (!single && f->type == CKA_F64) {
        const double *A = (const double *)f->data;
        for (size_t t = 0; t < nd; t++)
            if (!isfinite(A[t]))
                return nonfinite(err, what);
        cblas_dsyrk(CblasColMajor, CblasLower, tr, (int)n, (int)d, 1.0, A, lda, 0.0, K, (int)n);
    } else if (!single) {
        /* float features, double products: convert a block of at most
         * CKA_GRAM_CHUNK features of every sample at a time and accumulate
         * K += A_blk A_blk', so the scratch stays n x CKA_GRAM_CHUNK doubles
         * however large the layer is. */
        const float *src = (const float *)f->data;
        size_t chunk = d < CKA_GRAM_CHUNK ? d : CKA_GRAM_CHUNK;
        size_t cells = n * chunk > 0 ? n * chunk : 1;
        double *buf = calloc(cells, sizeof *buf);
        if (buf == NULL)
            return oom(err, what, n, d);
        if (d == 0) /* K = 0 */
            cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, (int)n, 0, 1.0, buf, (int)n,
                        0.0, K, (int)n);
        for (size_t k0 = 0; k0 < d; k0 += chunk) {
            size_t w = d - k0 < chunk ? d - k0 : chunk;
            /* Sample-major source: buf = the w x n column-major block (each
             * sample's features contiguous), K += buf' buf.  Column-major
             * source: buf = the n x w block, K += buf buf'. */
            int sm = f->sample_major;
            for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < w; k++) {
                    float v = sm ? src[i * d + k0 + k] : src[(k0 + k) * n + i];
                    if (!isfinite(v)) {
                        free(buf);
                        return nonfinite(err, what);
                    }
                    buf[sm ? i * w + k : k * n + i] = (double)v;
                }
            cblas_dsyrk(CblasColMajor, CblasLower, sm ? CblasTrans : CblasNoTrans, (int)n,
                        (int)w, 1.0, buf, (int)(sm ? w : n), k0 == 0 ? 0.0 : 1.0, K, (int)n);
        }
        free(buf);
    } else {
        const float *A = NULL;
        float *buf = NULL;
        float *Ks = malloc(n * n * sizeof *Ks);
        if (Ks == NULL)
            return oom(err, what, n, d);
        if (f->type == CKA_F32) {
            A = (const float *)f->data;
            for (size_t t = 0; t < nd; t++)
                if (!isfinite(A[t])) {
                    free(Ks);
                    return nonfinite(err, what);
                }
        } else {
            const double *src = (const double *)f->data;
            buf = malloc((nd ? nd : 1) * sizeof *buf);
            if (buf == NULL) {
                free(Ks);
                return oom(err, what, n, d);
            }
            for (size_t t = 0; t < nd; t++) {
                if (!isfinite(src[t])) {
                    free(buf);
                    free(Ks);
                    return nonfinite(err, what);
                }
                buf[t] = (float)src[t];
            }
            A = buf;
        }
        cblas_ssyrk(CblasColMajor, CblasLower, tr, (int)n, (int)d, 1.0f, A, lda, 0.0f, Ks, (int)n);
        int overflow = 0;
        for (size_t j = 0; j < n; j++)
            for (size_t i = j; i < n; i++) {
                K[j * n + i] = (double)Ks[j * n + i];
                overflow |= !isfinite(Ks[j * n + i]);
            }
        free(buf);
        free(Ks);
        if (overflow) {
            /* finite features whose single-precision products overflow
             * (|x| ~ 1e19): redo this Gram matrix in double */
            single = 0;
            goto again;
        }
    }
    /* finite features, non-finite Gram: the double products overflowed */
    for (size_t j = 0; j < n; j++)
        for (size_t i = j; i < n; i++)
            if (!isfinite(K[j * n + i]))
                return cka_error_set(err, "cka:input:overflow",
                                     "%s: the Gram matrix overflows double precision (features of "
                                     "magnitude ~1e150 or more); rescale the features", what);
    symmetrize_lower(K, n);
    if (o->kernel == CKA_KERNEL_RBF) {
        if (cka_rbf_from_linear(K, n, o->sigma, o->epsilon, err) != 0)
            return -1;
        for (size_t t = 0; t < n * n; t++)
            if (!isfinite(K[t]))
                return cka_error_set(err, "cka:input:overflow",
                                     "%s: the RBF kernel overflows double precision (squared "
                                     "distances too large); rescale the features", what);
    }
    return 0;
}
