/* text = __tok_decode__(symbols)
 * Internal gateway of tfm_decode.m: turn a concatenation of GPT-2
 * byte-level symbols back into UTF-8 text (invalid byte sequences become
 * U+FFFD, as Python's bytes.decode("utf-8", "replace")). */
#include "mex_util.h"
#include "tok_mex.h"
#include "tok/bpe.h"

#include <string.h>

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    if (nrhs != 1)
        mexErrMsgIdAndTxt("cka:input:nargs", "__tok_decode__: expected 1 argument, got %d", nrhs);
    tok_str s = {"", 0};
    if (tokmex_str(prhs[0], &s) != 0)
        mexErrMsgIdAndTxt("cka:input:type", "__tok_decode__: SYMBOLS must be a string");
    tok_buf b;
    tok_buf_init(&b);
    if (bpe_decode_bytes(s.s, s.n, &b) != 0) {
        tok_buf_free(&b);
        mexErrMsgIdAndTxt("cka:memory:outOfMemory", "out of memory decoding tokens");
    }
    mwSize dims[2] = {1, (mwSize)b.n};
    plhs[0] = mxCreateCharArray(2, dims);
    if (b.n)
        memcpy(mxGetChars(plhs[0]), b.p, b.n);
    tok_buf_free(&b);
}
