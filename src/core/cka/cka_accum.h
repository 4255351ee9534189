/* HSIC of many pairs of Gram matrices at once: the per-batch step of
 * streaming (minibatch) CKA.
 *
 * Each n x n Gram matrix is "prepared" once, in place, into the form its
 * estimator needs (zeroed diagonal plus row sums and total for the unbiased
 * estimator; double centring for the biased one).  Then the HSIC of every
 * pair (i, j) of two sets of prepared matrices costs one matrix product
 * (the n^2-long inner products of all pairs, by dgemm) plus O(n) per pair:
 *
 *   unbiased: ( <Ki~, Lj~> + s_i t_j / ((n-1)(n-2)) - 2 r_i . q_j / (n-2) )
 *             / (n (n-3) + eps)
 *   biased:   <Kc_i, Lc_j> / (n-1)^2
 *
 * which is pytorch-cka's hsic_unbiased / hsic_biased for symmetric Gram
 * matrices.  This is the one production estimator (cka, hsic, cka_update,
 * cka_compare); the direct formulas are kept as the reference of the C
 * tests in tests/c/hsic_ref.h. */
#ifndef CKA_ACCUM_H
#define CKA_ACCUM_H

#include <stddef.h>

#include "cka/cka_gram.h"

/* One set of m prepared Gram matrices of the same n samples: gram holds
 * m consecutive n x n matrices, rowsum m consecutive n-vectors, total m
 * values (the biased estimator keeps the column means and the mean there). */
typedef struct cka_gram_set {
    size_t n, m;
    double *gram;
    double *rowsum;
    double *total;
} cka_gram_set;

/* Prepare matrix k of the set in place (its Gram matrix must be stored at
 * gram + k*n*n). */
void cka_gram_prepare(cka_gram_set *s, size_t k, int unbiased);

/* H (A.m x B.m, column-major, leading dimension A.m) = HSIC of every pair
 * (A_i, B_j).  A and B must be prepared with the same estimator and n. */
void cka_hsic_pairs(const cka_gram_set *A, const cka_gram_set *B, const cka_options *o,
                    double *H);

/* h[k] = HSIC(A_k, A_k) for every matrix of the set. */
void cka_hsic_self(const cka_gram_set *A, const cka_options *o, double *h);

/* CKA matrix from accumulated sums (pytorch-cka's final step):
 * M_ij = xy_ij / (sqrt(max(xx_i yy_j, 0)) + eps).  xy is L1 x L2. */
void cka_matrix_from_sums(const double *xy, const double *xx, const double *yy, size_t L1,
                          size_t L2, double eps, double *M);

#endif
