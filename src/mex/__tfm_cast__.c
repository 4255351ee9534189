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

/* A new array of class cls with the size of a (an error if memory ran out). */
static mxArray *new_like(const mxArray *a, const char *cls)
{
    mxArray *b = mexutil_new_zeros(mxGetNumberOfDimensions(a), mxGetDimensions(a), cls);
    if (b == NULL)
        mexErrMsgIdAndTxt("cka:memory:outOfMemory", "out of memory for %zu %s numbers",
                          mxGetNumberOfElements(a), cls);
    return b;
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
    const size_t n = mxGetNumberOfElements(a);
    char to[16] = "";
    if (!mxIsChar(prhs[1]) || mxGetString(prhs[1], to, sizeof to) != 0)
        mexErrMsgIdAndTxt("cka:input:badOption", "__tfm_cast__: TO must be a type name");
    if (strcmp(to, "single") == 0) {
        if (nrhs != 3 || !mxIsUint16(a))
            mexErrMsgIdAndTxt("cka:input:type",
                              "__tfm_cast__: widening takes a uint16 array and its type");
        const int bf = half_type(prhs[2], "FROM");
        const uint16_t *src = mxGetData(a);
        float *dst = mxGetData(plhs[0] = new_like(a, "single"));
        #pragma omp parallel for if (n > 65536)
        for (size_t k = 0; k < n; k++)
            dst[k] = bf ? cka_bf16_to_f32(src[k]) : cka_f16_to_f32(src[k]);
        return;
    }
    const int bf = half_type(prhs[1], "TO");
    if (!mxIsSingle(a))
        mexErrMsgIdAndTxt("cka:input:type", "__tfm_cast__: rounding takes a single array");
    const float *src = mxGetData(a);
    uint16_t *dst = mxGetData(plhs[0] = new_like(a, "uint16"));
    #pragma omp parallel for if (n > 65536)
    for (size_t k = 0; k < n; k++)
        dst[k] = bf ? st_f32_to_bf16(src[k]) : st_f32_to_f16(src[k]);
}
