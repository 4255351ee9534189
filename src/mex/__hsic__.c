/* h = __hsic__(K, L, unbiased, epsilon)
 * Internal gateway of hsic.m: K, L real double n x n (validated by hsic.m). */
#include "mex_util.h"
#include "cka/hsic.h"

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
    bool unbiased = mexutil_get_bool(prhs[2], "UNBIASED");
    double eps = mexutil_get_scalar(prhs[3], "EPSILON");
    if (unbiased && n < 4)
        mexErrMsgIdAndTxt("cka:input:tooFewSamples",
                          "the unbiased HSIC estimator needs n > 3 samples, got n = %zu", n);
    if (!unbiased && n < 2)
        mexErrMsgIdAndTxt("cka:input:tooFewSamples",
                          "the biased HSIC estimator needs n > 1 samples, got n = %zu", n);
    double h;
    if (unbiased)
        h = hsic_unbiased(K, L, n, eps);
    else if (hsic_biased(K, L, n, &h) != 0)
        mexErrMsgIdAndTxt("cka:memory:outOfMemory", "out of memory computing HSIC of %zu x %zu matrices", n, n);
    plhs[0] = mxCreateDoubleScalar(h);
}
