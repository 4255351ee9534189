/* h = __hsic__(K, L, unbiased, epsilon)
 * Internal gateway of hsic.m: K, L real double n x n symmetric (validated
 * by hsic.m).  The same estimator as every other CKA path: each matrix is
 * prepared once (src/core/cka/cka_accum.h) and their HSIC is one pair. */
#include "mex_util.h"
#include "cka/cka_accum.h"

#include <string.h>

/* A one-matrix Gram set holding a prepared copy of K (mxMalloc'ed). */
static cka_gram_set prepared(const double *K, size_t n, int unbiased)
{
    cka_gram_set s = {n, 1, mxMalloc(n * n * sizeof(double)), mxMalloc(n * sizeof(double)),
                      mxMalloc(sizeof(double))};
    memcpy(s.gram, K, n * n * sizeof(double));
    cka_gram_prepare(&s, 0, unbiased);
    return s;
}

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    if (nrhs != 4)
        mexErrMsgIdAndTxt("cka:input:nargs", "__hsic__: expected 4 arguments, got %d", nrhs);
    const double *K = mexutil_get_doubles(prhs[0], "K");
    const double *L = mexutil_get_doubles(prhs[1], "L");
    size_t n = mxGetM(prhs[0]);
    if (mxGetN(prhs[0]) != n || mxGetM(prhs[1]) != n || mxGetN(prhs[1]) != n)
        mexErrMsgIdAndTxt("cka:input:shape", "K and L must be square matrices of the same size");
    cka_options o = cka_options_default();
    o.unbiased = mexutil_get_bool(prhs[2], "UNBIASED");
    o.epsilon = mexutil_get_scalar(prhs[3], "EPSILON");
    if (n < cka_min_samples(&o))
        mexErrMsgIdAndTxt("cka:input:tooFewSamples",
                          "the %s HSIC estimator needs n > %zu samples, got n = %zu",
                          o.unbiased ? "unbiased" : "biased", cka_min_samples(&o) - 1, n);
    cka_gram_set A = prepared(K, n, o.unbiased), B = prepared(L, n, o.unbiased);
    double h;
    cka_hsic_pairs(&A, &B, &o, &h);
    plhs[0] = mxCreateDoubleScalar(h);
}
