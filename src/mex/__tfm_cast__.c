/* B = __tfm_cast__(A, to [, from])
 * Internal gateway of tfm_cast / tfm_create: the numbers of a weight array
 * in another storage type, same size.
 *   A single, to "bfloat16" or "float16": B uint16, each number rounded to
 *     nearest even (NaN stays NaN, overflow to Inf), as PyTorch's .to().
 *   A uint16 holding `from` ("bfloat16" or "float16"), to "single": B
 *     single, widened exactly. */
#include "mex_util.h"
#include "common/cka_half.h"
#include "io/safetensors.h"

#include <string.h>

static int half_type(const mxArray *a, const char *what)
{
    char buf[16] = "";
    if (a == NULL || !mxIsChar(a) || mxGetString(a, buf, sizeof buf) != 0
        || (strcmp(buf, "bfloat16") != 0 && strcmp(buf, "float16") != 0))
        mexErrMsgIdAndTxt("cka:input:badOption", "%s must be \"bfloat16\" or \"float16\"", what);
    return strcmp(buf, "bfloat16") == 0;
}

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    if (nrhs != 2 && nrhs != 3)
        mexErrMsgIdAndTxt("cka:input:nargs", "__tfm_cast__: expected 2 or 3 arguments, got %d",
                          nrhs);
    const mxArray *a = prhs[0];
    if (mxIsComplex(a) || mxIsSparse(a))
        mexErrMsgIdAndTxt("cka:input:type", "__tfm_cast__: A must be real and full");
    const mwSize nd = mxGetNumberOfDimensions(a);
    const mwSize *dims = mxGetDimensions(a);
    const size_t n = mxGetNumberOfElements(a);
    char to[16] = "";
    if (!mxIsChar(prhs[1]) || mxGetString(prhs[1], to, sizeof to) != 0)
        mexErrMsgIdAndTxt("cka:input:badOption", "__tfm_cast__: TO must be a type name");
    if (strcmp(to, "single") == 0) {
        if (nrhs != 3 || !mxIsUint16(a))
            mexErrMsgIdAndTxt("cka:input:type",
                              "__tfm_cast__: widening takes a uint16 array and its type");
        const int bf = half_type(prhs[2], "FROM");
        plhs[0] = mexutil_new_zeros(nd, dims, "single");
        if (plhs[0] == NULL)
            mexErrMsgIdAndTxt("cka:memory:outOfMemory", "out of memory widening %zu numbers", n);
        const uint16_t *src = mxGetData(a);
        float *dst = mxGetData(plhs[0]);
        #pragma omp parallel for if (n > 65536)
        for (size_t k = 0; k < n; k++)
            dst[k] = bf ? cka_bf16_to_f32(src[k]) : cka_f16_to_f32(src[k]);
        return;
    }
    const int bf = half_type(prhs[1], "TO");
    if (!mxIsSingle(a))
        mexErrMsgIdAndTxt("cka:input:type", "__tfm_cast__: rounding takes a single array");
    plhs[0] = mexutil_new_zeros(nd, dims, "uint16");
    if (plhs[0] == NULL)
        mexErrMsgIdAndTxt("cka:memory:outOfMemory", "out of memory rounding %zu numbers", n);
    const float *src = mxGetData(a);
    uint16_t *dst = mxGetData(plhs[0]);
    #pragma omp parallel for if (n > 65536)
    for (size_t k = 0; k < n; k++)
        dst[k] = bf ? st_f32_to_bf16(src[k]) : st_f32_to_f16(src[k]);
}
