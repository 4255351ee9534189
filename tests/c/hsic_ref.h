/* Reference HSIC estimators for the C tests: the direct formulas of
 * pytorch-cka's hsic_unbiased / hsic_biased on two Gram matrices, one pass
 * over both (kept beside the production estimator of src/core/cka/
 * cka_accum.c, which prepares every Gram matrix once and computes all
 * pairs with one dgemm, as reference kernels are kept beside fast ones).
 *
 * K and L are n x n column-major matrices; the formulas do not assume
 * symmetry.
 *   unbiased (Song et al. 2012), K~, L~ = K, L with zeroed diagonals:
 *     ( sum(K~ .* L~) + sum(K~) sum(L~) / ((n-1)(n-2)) - 2 sum(K~ L~) / (n-2) )
 *     / (n (n-3) + eps),  n > 3
 *   biased: sum(Kc .* Lc) / (n-1)^2 with Kc = H K H, H = I - 11'/n,  n > 1 */
#ifndef CKA_TEST_HSIC_REF_H
#define CKA_TEST_HSIC_REF_H

#include <stddef.h>
#include <stdlib.h>

/* Element (i, j) of a column-major n x n matrix. */
#define REF_AT(M, i, j, n) ((M)[(size_t)(j) * (n) + (size_t)(i)])


static double hsic_unbiased(const double *K, const double *L, size_t n, double eps)
{
    /* One pass over both matrices, skipping the diagonal (K~, L~):
     *   trace_term = sum_ij K~_ij L~_ij
     *   sum(K~ L~) = sum_k colsum_k(K~) * rowsum_k(L~)                  */
    double sum_kl = 0.0, sum_k = 0.0, sum_l = 0.0, sum_prod = 0.0;
    for (size_t k = 0; k < n; k++) {
        double colsum_k = 0.0, rowsum_l = 0.0;
        for (size_t i = 0; i < n; i++) {
            if (i == k)
                continue;
            double kik = REF_AT(K, i, k, n);
            double lki = REF_AT(L, k, i, n);
            colsum_k += kik;
            rowsum_l += lki;
            sum_kl += kik * REF_AT(L, i, k, n);
        }
        sum_k += colsum_k;
        sum_l += rowsum_l;
        sum_prod += colsum_k * rowsum_l;
    }
    double nd = (double)n;
    double value = sum_kl + sum_k * sum_l / ((nd - 1.0) * (nd - 2.0))
                   - 2.0 * sum_prod / (nd - 2.0);
    return value / (nd * (nd - 3.0) + eps);
}

static int hsic_biased(const double *K, const double *L, size_t n, double *out)
{
    /* Kc_ij = K_ij - rowmean_i(K) - colmean_j(K) + mean(K), same for L.
     * Row and column means are computed once, the centred entries on the fly. */
    double nd = (double)n;
    double mean_k = 0.0, mean_l = 0.0;
    double *means = calloc(4 * (n > 0 ? n : 1), sizeof *means);
    if (means == NULL)
        return -1;
    double *row_k = means, *col_k = means + n, *row_l = means + 2 * n, *col_l = means + 3 * n;
    for (size_t i = 0; i < n; i++)
        row_k[i] = row_l[i] = 0.0;
    for (size_t j = 0; j < n; j++) {
        double ck = 0.0, cl = 0.0;
        for (size_t i = 0; i < n; i++) {
            double kij = REF_AT(K, i, j, n), lij = REF_AT(L, i, j, n);
            ck += kij;
            cl += lij;
            row_k[i] += kij;
            row_l[i] += lij;
        }
        col_k[j] = ck / nd;
        col_l[j] = cl / nd;
        mean_k += ck;
        mean_l += cl;
    }
    mean_k /= nd * nd;
    mean_l /= nd * nd;
    for (size_t i = 0; i < n; i++) {
        row_k[i] /= nd;
        row_l[i] /= nd;
    }
    double sum = 0.0;
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < n; i++) {
            double kc = REF_AT(K, i, j, n) - row_k[i] - col_k[j] + mean_k;
            double lc = REF_AT(L, i, j, n) - row_l[i] - col_l[j] + mean_l;
            sum += kc * lc;
        }
    free(means);
    *out = sum / ((nd - 1.0) * (nd - 1.0));
    return 0;
}

#endif
