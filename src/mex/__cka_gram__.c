/* K = __cka_gram__(X, opts)
 * Internal: the Gram (kernel) matrix of the rows of X (real single/double,
 * first dimension = samples) with the kernel options of cka_config; used by
 * the tests and by users who want to look at the kernel matrices. */
#include "cka_mex_opts.h"

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    if (nrhs != 2)
        mexErrMsgIdAndTxt("cka:input:nargs", "__cka_gram__: expected 2 arguments");
    const mxArray *a = prhs[0];
    if (!(mxIsSingle(a) || mxIsDouble(a)) || mxIsComplex(a) || mxIsSparse(a))
        mexErrMsgIdAndTxt("cka:input:type", "X must be a real single or double array");
    cka_options o = cka_mex_options(prhs[1]);
    size_t n = mxGetM(a);
    cka_features f = cka_mex_features(a, n);
    plhs[0] = mxCreateDoubleMatrix(n, n, mxREAL);
    cka_error err;
    cka_error_clear(&err);
    if (cka_gram(&f, &o, mxGetPr(plhs[0]), "X", &err) != 0)
        mexutil_raise(&err);
}
