/* Shared by the CKA gateways: read the option struct built by
 * inst/private/cka_opts_internal.m (fields kernel, sigma, unbiased, epsilon,
 * single; already validated there). */
#ifndef CKA_MEX_OPTS_H
#define CKA_MEX_OPTS_H

#include "mex_util.h"
#include "cka/cka_gram.h"
#include "cka/cka_accum.h"
#include "cka/cka_perm.h"

#include <math.h>

static inline double cka_mex_field_scalar(const mxArray *s, const char *name)
{
    const mxArray *f = mxGetField(s, 0, name);
    if (f == NULL)
        mexErrMsgIdAndTxt("cka:input:badOption", "internal option struct lacks field '%s'", name);
    return mexutil_get_scalar(f, name);
}

static inline cka_options cka_mex_options(const mxArray *s)
{
    if (!mxIsStruct(s) || mxGetNumberOfElements(s) != 1)
        mexErrMsgIdAndTxt("cka:input:badOption", "CKA options must be a scalar struct");
    cka_options o = cka_options_default();
    o.kernel = cka_mex_field_scalar(s, "kernel") != 0.0 ? CKA_KERNEL_RBF : CKA_KERNEL_LINEAR;
    o.sigma = cka_mex_field_scalar(s, "sigma");
    o.unbiased = cka_mex_field_scalar(s, "unbiased") != 0.0;
    o.epsilon = cka_mex_field_scalar(s, "epsilon");
    o.single = cka_mex_field_scalar(s, "single") != 0.0;
    return o;
}

/* A feature view over an Octave array whose first dimension is the n
 * samples (column-major: the other dimensions flatten into d features, in
 * an order that does not matter for a Gram matrix).  The caller has
 * checked that a is a real single or double array. */
static inline cka_features cka_mex_features(const mxArray *a, size_t n)
{
    cka_features f;
    f.data = mxGetData(a);
    f.type = mxIsSingle(a) ? CKA_F32 : CKA_F64;
    f.n = n;
    f.d = n ? mxGetNumberOfElements(a) / n : 0;
    f.sample_major = 0;
    return f;
}

/* The Gram matrices of m layers for a batch of n samples (n x n doubles
 * each, with their row sums), refused with cka:memory:tooLarge when they
 * cannot fit in memory (a BatchSize or a feature matrix too large). */
static inline void cka_mex_alloc_set(cka_gram_set *s, size_t n, size_t m)
{
    char what[128];
    snprintf(what, sizeof what, "the Gram matrices of %zu layer(s) for a batch of %zu samples",
             m, n);
    const size_t cnt = m ? m : 1, nn = n * n;
    s->n = n;
    s->m = m;
    /* n * n * 8 may overflow size_t for absurd n: then ask for SIZE_MAX,
     * which the memory check refuses */
    const int overflow = (n != 0 && nn / n != n) || nn > SIZE_MAX / sizeof(double);
    s->gram = mexutil_malloc_big(cnt, overflow ? SIZE_MAX : nn * sizeof(double), what);
    s->rowsum = mxMalloc(cnt * (n ? n : 1) * sizeof(double));
    s->total = mxMalloc(cnt * sizeof(double));
}

/* The permutation test's options, from a struct with fields permutations
 * (count P >= 0) and seed (a non-negative integer), validated by
 * cka_stats_options.m; a missing struct (NULL or []) means no test. */
typedef struct cka_mex_perm {
    size_t count;
    uint64_t seed;
} cka_mex_perm;

static inline cka_mex_perm cka_mex_perm_options(const mxArray *s)
{
    cka_mex_perm p = {0, 0};
    if (s == NULL || mxIsEmpty(s))
        return p;
    if (!mxIsStruct(s) || mxGetNumberOfElements(s) != 1)
        mexErrMsgIdAndTxt("cka:input:badOption", "permutation options must be a scalar struct");
    p.count = (size_t)cka_mex_field_scalar(s, "permutations");
    p.seed = (uint64_t)cka_mex_field_scalar(s, "seed");
    return p;
}

/* HSIC(A_i, perm_p(B_j)) of P permutations of batch `stream` as an
 * L1 x L2 x P double array (L1 x L2 x 0 without a test). */
static inline mxArray *cka_mex_permuted(const cka_gram_set *A, const cka_gram_set *B,
                                        const cka_options *o, const cka_mex_perm *p,
                                        uint64_t stream)
{
    mwSize dims[3] = {(mwSize)A->m, (mwSize)B->m, (mwSize)p->count};
    mxArray *H = mxCreateNumericArray(3, dims, mxDOUBLE_CLASS, mxREAL);
    cka_error err;
    cka_error_clear(&err);
    if (p->count > 0
        && cka_hsic_permuted(A, B, o, p->count, p->seed, stream, mxGetPr(H), &err) != 0)
        mexutil_raise(&err);
    return H;
}

#endif
