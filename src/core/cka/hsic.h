/* Hilbert-Schmidt Independence Criterion on Gram matrices, the estimators
 * pytorch-cka uses for (minibatch) CKA.
 *
 * K and L are n x n matrices stored contiguously (column-major; Gram
 * matrices are symmetric, but the formulas below do not assume it). */
#ifndef CKA_HSIC_H
#define CKA_HSIC_H

#include <stddef.h>

/* Unbiased estimator of Song et al. (2012), as in pytorch-cka:
 * with K~, L~ = K, L with zeroed diagonals,
 *   ( sum(K~ .* L~) + sum(K~) sum(L~) / ((n-1)(n-2)) - 2 sum(K~ L~) / (n-2) )
 *   / (n (n-3) + eps).
 * Requires n > 3 (the caller checks). */
double hsic_unbiased(const double *K, const double *L, size_t n, double eps);

/* Biased estimator: sum(Kc .* Lc) / (n-1)^2 with Kc = H K H, H = I - 11'/n.
 * Requires n > 1.  Writes *out and returns 0, or returns -1 if its O(n)
 * scratch memory cannot be allocated. */
int hsic_biased(const double *K, const double *L, size_t n, double *out);

#endif
