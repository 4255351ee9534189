#include "cka/cka_accum.h"

#include <cblas.h>
#include <math.h>

void cka_gram_prepare(cka_gram_set *s, size_t k, int unbiased)
{
    size_t n = s->n;
    double *K = s->gram + k * n * n;
    if (unbiased) {
        double *r = s->rowsum + k * n, tot = 0.0;
        for (size_t i = 0; i < n; i++) {
            K[i * n + i] = 0.0;
            r[i] = 0.0;
        }
        /* Column sums, equal to the row sums of a symmetric matrix; the
         * estimator pairs column sums of K~ with row sums of L~. */
        for (size_t j = 0; j < n; j++) {
            double c = 0.0;
            for (size_t i = 0; i < n; i++)
                c += K[j * n + i];
            r[j] = c;
            tot += c;
        }
        s->total[k] = tot;
    } else {
        double nd = (double)n, mean = 0.0;
        /* Kc_ij = K_ij - rowmean_i - colmean_j + mean; for the symmetric
         * Gram matrices here rowmean = colmean, computed from columns. */
        double *cm = s->rowsum + k * n;
        for (size_t j = 0; j < n; j++) {
            double c = 0.0;
            for (size_t i = 0; i < n; i++)
                c += K[j * n + i];
            cm[j] = c / nd;
            mean += c;
        }
        mean /= nd * nd;
        for (size_t j = 0; j < n; j++)
            for (size_t i = 0; i < n; i++)
                K[j * n + i] = K[j * n + i] - cm[i] - cm[j] + mean;
        s->total[k] = mean;
    }
}

static double unbiased_combine(double trace, double s, double t, double prod, size_t n, double eps)
{
    double nd = (double)n;
    double v = trace + s * t / ((nd - 1.0) * (nd - 2.0)) - 2.0 * prod / (nd - 2.0);
    return v / (nd * (nd - 3.0) + eps);
}

void cka_hsic_pairs(const cka_gram_set *A, const cka_gram_set *B, const cka_options *o,
                    double *H)
{
    size_t n = A->n, n2 = n * n, m1 = A->m, m2 = B->m;
    if (m1 == 0 || m2 == 0)
        return;
    /* H = A' B over the n^2-long vectorised matrices. */
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)m1, (int)m2, (int)n2, 1.0,
                A->gram, (int)n2, B->gram, (int)n2, 0.0, H, (int)m1);
    if (o->unbiased) {
        for (size_t j = 0; j < m2; j++)
            for (size_t i = 0; i < m1; i++) {
                double prod = cblas_ddot((int)n, A->rowsum + i * n, 1, B->rowsum + j * n, 1);
                H[j * m1 + i] = unbiased_combine(H[j * m1 + i], A->total[i], B->total[j], prod,
                                                 n, o->epsilon);
            }
    } else {
        double den = ((double)n - 1.0) * ((double)n - 1.0);
        for (size_t t = 0; t < m1 * m2; t++)
            H[t] /= den;
    }
}

void cka_hsic_self(const cka_gram_set *A, const cka_options *o, double *h)
{
    size_t n = A->n, n2 = n * n;
    for (size_t k = 0; k < A->m; k++) {
        const double *K = A->gram + k * n2;
        double tr = cblas_ddot((int)n2, K, 1, K, 1);
        if (o->unbiased) {
            const double *r = A->rowsum + k * n;
            double prod = cblas_ddot((int)n, r, 1, r, 1);
            h[k] = unbiased_combine(tr, A->total[k], A->total[k], prod, n, o->epsilon);
        } else {
            h[k] = tr / (((double)n - 1.0) * ((double)n - 1.0));
        }
    }
}

void cka_matrix_from_sums(const double *xy, const double *xx, const double *yy, size_t L1,
                          size_t L2, double eps, double *M)
{
    for (size_t j = 0; j < L2; j++)
        for (size_t i = 0; i < L1; i++) {
            /* sqrt(max(xx*yy, 0)) without forming the product, which
             * overflows for very large activations: a negative product
             * (an unbiased estimate below 0) is clamped to 0 */
            double a = xx[i], b = yy[j];
            double den = (a > 0.0 && b > 0.0) || (a < 0.0 && b < 0.0)
                             ? sqrt(fabs(a)) * sqrt(fabs(b)) : 0.0;
            M[j * L1 + i] = xy[j * L1 + i] / (den + eps);
        }
}
