/* [txt, header_len, file_size] = __safetensors_header__(file)
 * Internal gateway of the safetensors readers: reads and checks the 8-byte
 * prefix and the header bytes (length bound, inside the file, UTF-8, no
 * NUL, starts with '{'), then the JSON text: nesting depth and duplicate
 * keys (src/core/io/json_guard.h; a duplicate top-level key is a duplicate
 * tensor name, cka:safetensors:duplicateName, a duplicate inside an entry
 * cka:json:duplicateKey).  The JSON itself is decoded by jsondecode in the
 * .m layer.  No C resource is held across an mx* call. */
#include "mex_util.h"
#include "io/json_guard.h"
#include "io/safetensors.h"
#include "safetensors_mex.h"

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    if (nrhs != 1 || !mxIsChar(prhs[0]))
        mexErrMsgIdAndTxt("cka:input:nargs", "__safetensors_header__: expected one file name");
    char *file = stmex_string(prhs[0]);
    cka_error err;
    cka_error_clear(&err);
    uint64_t fsize = 0, hlen = 0;
    unsigned char prefix[8];
    if (st_file_size(file, &fsize, &err) != 0)
        mexutil_raise(&err);
    if (fsize < 8)
        memset(prefix, 0, sizeof prefix);
    else if (st_read_bytes(file, 0, 8, prefix, fsize, &err) != 0)
        mexutil_raise(&err);
    if (st_check_prefix(prefix, fsize, &hlen, file, &err) != 0)
        mexutil_raise(&err);
    char *buf = mxMalloc((size_t)hlen + 1);
    if (st_read_bytes(file, 8, (size_t)hlen, buf, fsize, &err) != 0)
        mexutil_raise(&err);
    buf[hlen] = '\0';
    if (st_check_header_bytes(buf, (size_t)hlen, file, &err) != 0)
        mexutil_raise(&err);
    cka_json_dup dup;
    if (cka_json_check(buf, (size_t)hlen, file, CKA_JSON_MAX_DEPTH, &dup, &err) != 0) {
        if (dup.level == 1 && strcmp(dup.key, "__metadata__") != 0)
            mexErrMsgIdAndTxt("cka:safetensors:duplicateName",
                              "%s: duplicate tensor name %s in the header", file, dup.path);
        mexutil_raise(&err);
    }
    plhs[0] = mxCreateString(buf);
    plhs[1] = mxCreateDoubleScalar((double)hlen);
    plhs[2] = mxCreateDoubleScalar((double)fsize);
    mxFree(buf);
    mxFree(file);
}
