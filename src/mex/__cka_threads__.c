/* prev = __cka_threads__(n)
 * Internal: sets the process's OpenMP team and OpenBLAS threads to n (a
 * shard worker of cka_compare "Workers"/"Cluster" takes its share of the
 * cores); returns [omp, openblas] in force before (openblas 0 when the BLAS
 * is not OpenBLAS).  __cka_threads__() only reports them. */
#include "mex.h"

#include "model/ops.h"

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    int n = 0;
    if (nrhs > 1)
        mexErrMsgIdAndTxt("cka:input:nargin", "__cka_threads__: at most one argument");
    if (nrhs == 1) {
        const mxArray *a = prhs[0];
        if (!mxIsNumeric(a) || mxIsComplex(a) || mxGetNumberOfElements(a) != 1)
            mexErrMsgIdAndTxt("cka:input:badOption",
                              "__cka_threads__: the thread count must be a number");
        double v = mxGetScalar(a);
        if (!(v >= 1 && v <= 1024 && v == (double)(int)v))
            mexErrMsgIdAndTxt("cka:input:badOption",
                              "__cka_threads__: the thread count must be an integer from 1 to 1024");
        n = (int)v;
    }
    int omp_prev, blas_prev;
    ops_threads_set(n, &omp_prev, &blas_prev);
    plhs[0] = mxCreateDoubleMatrix(1, 2, mxREAL);
    mxGetPr(plhs[0])[0] = omp_prev;
    mxGetPr(plhs[0])[1] = blas_prev;
}
