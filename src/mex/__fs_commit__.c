/* __fs_commit__("exchange", a, b)  swap paths a and b atomically
 * __fs_commit__("sync", path)       fsync a file or directory
 * Internal gateway of the package's writers (cka_atomic_write, tfm_save);
 * the paths are made by the package.  Errors: cka:io:noExchange (the file
 * system cannot exchange), cka:io:cannotWrite. */
#include "io/fs_commit.h"
#include "mex_util.h"
#include "safetensors_mex.h"

/* A path argument as a C string; a NUL byte inside would silently cut the
 * path short, so it is an error. */
static char *path_arg(const mxArray *a)
{
    if (!mxIsChar(a) || mxGetNumberOfElements(a) == 0)
        mexErrMsgIdAndTxt("cka:input:type", "__fs_commit__: paths must be non-empty strings");
    char *s = stmex_string(a);
    if (strlen(s) != mxGetNumberOfElements(a))
        mexErrMsgIdAndTxt("cka:input:type", "__fs_commit__: path contains a NUL character");
    return s;
}

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    (void)plhs;
    if (nrhs < 2 || !mxIsChar(prhs[0]))
        mexErrMsgIdAndTxt("cka:input:nargs", "__fs_commit__: bad arguments");
    char op[16];
    if (mxGetString(prhs[0], op, sizeof op) != 0)
        mexErrMsgIdAndTxt("cka:input:nargs", "__fs_commit__: unknown operation");
    cka_error err;
    cka_error_clear(&err);
    int rc;
    if (strcmp(op, "exchange") == 0 && nrhs == 3) {
        char *a = path_arg(prhs[1]), *b = path_arg(prhs[2]);
        rc = fs_exchange(a, b, &err);
        mxFree(a);
        mxFree(b);
    } else if (strcmp(op, "sync") == 0 && nrhs == 2) {
        char *p = path_arg(prhs[1]);
        rc = fs_sync(p, &err);
        mxFree(p);
    } else {
        mexErrMsgIdAndTxt("cka:input:nargs", "__fs_commit__: unknown operation or wrong arguments");
    }
    if (rc != 0)
        mexutil_raise(&err);
}
