/* x = __tfm_randn__(seed, stream, std, n)
 * Internal gateway of tfm_create.m: n float32 normal numbers N(0, std^2)
 * from the portable generator tfm_randn (src/core/model/tfm_random.c), keyed by
 * (seed, stream).  Returns an n x 1 single column. */
#include "mex_util.h"
#include "model/tfm.h"

#include <math.h>

static uint64_t get_u64(const mxArray *a, const char *what)
{
    double v = mexutil_get_scalar(a, what);
    if (!(v >= 0 && v == floor(v) && v < 9007199254740992.0))
        mexErrMsgIdAndTxt("cka:input:badSeed",
                          "%s must be an integer in [0, 2^53), got %g", what, v);
    return (uint64_t)v;
}

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    if (nrhs != 4)
        mexErrMsgIdAndTxt("cka:input:nargs", "__tfm_randn__: expected 4 arguments, got %d", nrhs);
    uint64_t seed = get_u64(prhs[0], "Seed");
    uint64_t stream = get_u64(prhs[1], "STREAM");
    double sd = mexutil_get_scalar(prhs[2], "STD");
    uint64_t n = get_u64(prhs[3], "N");
    mwSize dims[2] = {(mwSize)n, 1};
    plhs[0] = mexutil_new_single(2, dims);
    if (plhs[0] == NULL)
        mexErrMsgIdAndTxt("cka:memory:outOfMemory", "out of memory for %g random numbers", (double)n);
    if (n > 0)
        tfm_randn(seed, stream, (float)sd, (float *)mxGetData(plhs[0]), (size_t)n);
}
