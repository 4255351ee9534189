/* __safetensors_write__(path, header, tensors, shapes, dtype)
 * Internal gateway of safetensors_write / tfm_save.  header: the complete
 * padded JSON header (built in the .m layer with jsonencode); tensors: cell
 * of real single arrays; shapes: cell of their PyTorch shapes (double
 * vectors); dtype: "F32", "F16" or "BF16".  Creates path exclusively (the
 * caller renames it into place); a partial file is removed on error. */
#include "mex_util.h"
#include "io/safetensors.h"
#include "safetensors_mex.h"

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    (void)plhs;
    if (nrhs != 5 || !mxIsChar(prhs[0]) || !mxIsChar(prhs[1]) || !mxIsCell(prhs[2]) ||
        !mxIsCell(prhs[3]) || !mxIsChar(prhs[4]))
        mexErrMsgIdAndTxt("cka:input:nargs", "__safetensors_write__: bad arguments");
    char *path = stmex_string(prhs[0]);
    char *header = stmex_string(prhs[1]);
    char *dtname = stmex_string(prhs[4]);
    int dtype = st_dtype_from_name(dtname);
    size_t n = mxGetNumberOfElements(prhs[2]);
    if (mxGetNumberOfElements(prhs[3]) != n)
        mexErrMsgIdAndTxt("cka:input:shape", "__safetensors_write__: tensors and shapes differ in length");
    st_out_tensor *t = mxCalloc(n ? n : 1, sizeof *t);
    for (size_t k = 0; k < n; k++) {
        const mxArray *a = mxGetCell(prhs[2], k), *s = mxGetCell(prhs[3], k);
        if (a == NULL || !mxIsSingle(a) || mxIsComplex(a) || mxIsSparse(a))
            mexErrMsgIdAndTxt("cka:input:type", "__safetensors_write__: tensor %zu is not a real single array", k + 1);
        if (s == NULL || !mxIsDouble(s) || mxGetNumberOfElements(s) > ST_MAX_DIMS)
            mexErrMsgIdAndTxt("cka:input:type", "__safetensors_write__: bad shape of tensor %zu", k + 1);
        const double *sv = mxGetPr(s);
        uint64_t numel = 1;
        t[k].ndim = mxGetNumberOfElements(s);
        for (size_t d = 0; d < t[k].ndim; d++) {
            if (!(sv[d] >= 0 && sv[d] == (double)(uint64_t)sv[d]))
                mexErrMsgIdAndTxt("cka:input:shape", "__safetensors_write__: bad shape of tensor %zu", k + 1);
            t[k].shape[d] = (uint64_t)sv[d];
            numel *= t[k].shape[d];
        }
        if (numel != (uint64_t)mxGetNumberOfElements(a))
            mexErrMsgIdAndTxt("cka:input:shape", "__safetensors_write__: tensor %zu has %zu elements, its shape says %llu",
                              k + 1, (size_t)mxGetNumberOfElements(a), (unsigned long long)numel);
        t[k].data = (const float *)mxGetData(a);
    }
    cka_error err;
    cka_error_clear(&err);
    if (st_write_file(path, header, strlen(header), t, n, dtype, &err) != 0)
        mexutil_raise(&err);
    mxFree(t);
    mxFree(dtname);
    mxFree(header);
    mxFree(path);
}
