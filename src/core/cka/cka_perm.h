/* Permutation test of streaming CKA: the HSIC of every pair of layers when
 * the samples of the second side are shuffled within the batch.
 *
 * Null hypothesis: the pairing of the two sides' samples carries no
 * information, i.e. within a batch, the samples of side 2 are exchangeable
 * with respect to those of side 1.  Under it, HSIC(K_i, P L_j P') for a
 * uniformly random permutation matrix P has the same distribution as the
 * observed HSIC(K_i, L_j).  The same P shuffles every layer of side 2 (a
 * permutation of the samples, not of each layer), so the test keeps the
 * dependence between layers of one model.  HSIC(L_j, L_j) does not change
 * under P, so the CKA denominators are those of the observed statistic.
 *
 * Permuting a prepared matrix is exact for both estimators: P L~ P' keeps a
 * zero diagonal and permuted row sums (unbiased), and P Lc P' is the
 * centred P L P' (biased), so the production estimator (cka_hsic_pairs)
 * runs on the permuted copies unchanged. */
#ifndef CKA_PERM_H
#define CKA_PERM_H

#include <stddef.h>
#include <stdint.h>

#include "cka/cka_accum.h"
#include "common/cka_error.h"

/* perm (n entries) = the next uniformly random permutation of 0..n-1
 * (Fisher-Yates) from generator stream (seed, stream), the p-th one for
 * p = 0, 1, ...: permutation p of a batch depends only on (seed, stream, p). */
void cka_perm_draw(uint64_t seed, uint64_t stream, size_t p, size_t n, size_t *perm);

/* B_p = the prepared set B with its samples reordered by perm: matrix
 * entries (a, b) <- (perm[a], perm[b]), row sums a <- perm[a].  B_p must
 * have B's n and m and its own memory. */
void cka_perm_apply(const cka_gram_set *B, const size_t *perm, cka_gram_set *Bp);

/* H (A.m x B.m x P, column-major) = HSIC(A_i, perm_p(B_j)) for the P
 * permutations p = 0..P-1 of stream (seed, stream).  Costs P times one
 * cka_hsic_pairs plus a copy of B; allocates one copy of B
 * (cka:memory:outOfMemory when that fails). */
int cka_hsic_permuted(const cka_gram_set *A, const cka_gram_set *B, const cka_options *o,
                      size_t P, uint64_t seed, uint64_t stream, double *H, cka_error *err);

#endif
