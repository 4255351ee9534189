/* __cka_mat_check__(file)
 * Internal gateway of cka_load: refuses, before Octave's load may read it,
 * a file that is not a regular MAT5/v7 file of at most 256 MiB or that
 * holds an element of a class whose loading runs code (function handles,
 * objects) or that cka_save never writes (src/core/io/mat5_guard.h).  Errors:
 * those of src/core/io/file_guard.h and cka:io:badFormat. */
#include "mex_util.h"
#include "io/file_guard.h"
#include "io/mat5_guard.h"
#include "safetensors_mex.h" /* stmex_string */

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    (void)plhs;
    if (nrhs != 1 || !mxIsChar(prhs[0]))
        mexErrMsgIdAndTxt("cka:input:nargs", "__cka_mat_check__: expected (file)");
    char *file = stmex_string(prhs[0]);
    cka_error err;
    cka_error_clear(&err);
    uint64_t size;
    if (cka_file_size(file, CKA_TEXT_MAX_RESULTS, &size, &err) != 0)
        mexutil_raise(&err);
    uint8_t *buf = mxMalloc((size_t)size + 1);
    size_t len;
    int rc = cka_file_read_into(file, (char *)buf, (size_t)size, &len, &err);
    if (rc == 0)
        rc = cka_mat5_check(buf, len, file, &err);
    mxFree(buf);
    mxFree(file);
    if (rc != 0)
        mexutil_raise(&err);
}
