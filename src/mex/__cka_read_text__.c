/* txt = __cka_read_text__(file, kind, json)
 * Internal gateway of cka_read_json.m and of the readers of text files:
 * the whole regular file `file` as a char row (bytes as they are, NULs
 * included), read without waiting on a FIFO or a device
 * (src/core/io/file_guard.h).  kind sets the size limit: "config" (config.json,
 * sharded indexes, tokenizer_config.json, ...), "tokenizer" (vocab.txt,
 * merges.txt, vocab.json, tokenizer.json) or "results" (cka_save JSON).
 * With json true the text is also checked for nesting depth and duplicate
 * keys (src/core/io/json_guard.h) before jsondecode may see it.  Errors:
 * cka:io:notFound, cka:io:open, cka:io:notRegularFile, cka:io:tooLarge,
 * cka:io:changed, cka:io:read, cka:json:tooDeep, cka:json:duplicateKey.
 *
 * The buffer is mxMalloc'd (freed by Octave if an mx call fails) and no
 * file descriptor is open across an mx call. */
#include "mex_util.h"
#include "io/file_guard.h"
#include "io/json_guard.h"
#include "safetensors_mex.h" /* stmex_string */

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    if (nrhs < 2 || nrhs > 3 || !mxIsChar(prhs[0]) || !mxIsChar(prhs[1]))
        mexErrMsgIdAndTxt("cka:input:nargs", "__cka_read_text__: expected (file, kind [, json])");
    char *file = stmex_string(prhs[0]);
    char *kind = stmex_string(prhs[1]);
    const bool json = nrhs > 2 && mexutil_get_bool(prhs[2], "__cka_read_text__: JSON");
    uint64_t limit;
    if (strcmp(kind, "config") == 0)
        limit = CKA_TEXT_MAX_CONFIG;
    else if (strcmp(kind, "tokenizer") == 0)
        limit = CKA_TEXT_MAX_TOKENIZER;
    else if (strcmp(kind, "results") == 0)
        limit = CKA_TEXT_MAX_RESULTS;
    else
        mexErrMsgIdAndTxt("cka:input:badOption", "__cka_read_text__: unknown kind '%s'", kind);
    cka_error err;
    cka_error_clear(&err);
    uint64_t size;
    if (cka_file_size(file, limit, &size, &err) != 0)
        mexutil_raise(&err);
    char *buf = mxMalloc((size_t)size + 1);
    size_t len;
    if (cka_file_read_into(file, buf, (size_t)size, &len, &err) != 0)
        mexutil_raise(&err);
    if (json && cka_json_check(buf, len, file, CKA_JSON_MAX_DEPTH, NULL, &err) != 0)
        mexutil_raise(&err);
    mwSize dims[2] = {1, (mwSize)len};
    plhs[0] = mxCreateCharArray(2, dims);
    if (len > 0)
        memcpy(mxGetChars(plhs[0]), buf, len);
    mxFree(buf);
    mxFree(kind);
    mxFree(file);
}
