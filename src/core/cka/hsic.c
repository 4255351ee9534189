#include "cka/hsic.h"

#include <stdlib.h>

/* Element (i, j) of a column-major n x n matrix. */
#define AT(M, i, j, n) ((M)[(size_t)(j) * (n) + (size_t)(i)])

double hsic_unbiased(const double *K, const double *L, size_t n, double eps)
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
            double kik = AT(K, i, k, n);
            double lki = AT(L, k, i, n);
            colsum_k += kik;
            rowsum_l += lki;
            sum_kl += kik * AT(L, i, k, n);
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

int hsic_biased(const double *K, const double *L, size_t n, double *out)
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
            double kij = AT(K, i, j, n), lij = AT(L, i, j, n);
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
            double kc = AT(K, i, j, n) - row_k[i] - col_k[j] + mean_k;
            double lc = AT(L, i, j, n) - row_l[i] - col_l[j] + mean_l;
            sum += kc * lc;
        }
    free(means);
    *out = sum / ((nd - 1.0) * (nd - 1.0));
    return 0;
}
