/* Gram matrices (kernels) of per-sample feature matrices, and the CKA
 * options they share with the HSIC accumulators (cka_accum.h).
 *
 * Conventions follow pytorch-cka (commit 9265c6c~1, CKAConfig):
 *  - linear kernel K = X X' (raw, not pre-centred);
 *  - RBF kernel: D = max(diag(G) + diag(G)' - 2 G, 0) with G = X X';
 *    sigma^2 = sigma * sigma when a bandwidth is given, otherwise the median
 *    heuristic max(median(D_ij, i < j) / 2, eps) where the median is the
 *    LOWER middle value (torch.median); then
 *    K = exp(clamp(-D / (2 (sigma^2 + eps)), -50, 0)).
 * Features are converted to double before the product (the default), or
 * multiplied in single precision (ssyrk) when opts->single is set; the
 * kernel step and everything after it run in double either way. */
#ifndef CKA_GRAM_H
#define CKA_GRAM_H

#include <stddef.h>

#include "common/cka_error.h"

typedef enum { CKA_KERNEL_LINEAR = 0, CKA_KERNEL_RBF = 1 } cka_kernel;

typedef struct cka_options {
    cka_kernel kernel;
    double sigma;   /* RBF bandwidth; NaN or <= 0 selects the median heuristic */
    int unbiased;   /* 1: Song et al. unbiased HSIC (n > 3), 0: biased (n > 1) */
    double epsilon; /* pytorch-cka's CKAConfig.epsilon (1e-6) */
    int single;     /* 1: feature products in single precision */
} cka_options;

typedef enum { CKA_F32 = 0, CKA_F64 = 1 } cka_dtype;

/* A view of n samples of d features each.
 *   sample_major = 1: sample i is data[i*d .. i*d + d - 1] (a row-major
 *                     [n x d] matrix, the layout of a PyTorch activation
 *                     [batch, ...] flattened per sample);
 *   sample_major = 0: column-major [n x d] (an Octave matrix), element
 *                     (i, k) at data[k*n + i]. */
typedef struct cka_features {
    const void *data;
    cka_dtype type;
    size_t n, d;
    int sample_major;
} cka_features;

/* Default options: linear, unbiased, epsilon 1e-6, double. */
cka_options cka_options_default(void);

/* Minimum batch size for the estimator: 4 (unbiased) or 2 (biased). */
size_t cka_min_samples(const cka_options *o);

/* K (n x n, column-major, fully symmetric) = kernel of the samples in f.
 * Fails with cka:input:nonFinite if a feature is NaN/Inf (what names the
 * layer in the message), cka:memory:outOfMemory on allocation failure. */
int cka_gram(const cka_features *f, const cka_options *o, double *K, const char *what,
             cka_error *err);

/* Apply the RBF kernel in place to a linear Gram matrix G (n x n). */
int cka_rbf_from_linear(double *G, size_t n, double sigma, double eps, cka_error *err);

#endif
