/* text = __tok_decode__(symbols)
 * text = __tok_decode__(pieces, types, add_dummy_prefix, remove_extra_whitespaces)
 * Internal gateway of tfm_decode.m.  One argument: turn a concatenation of
 * GPT-2 byte-level symbols back into UTF-8 text (invalid byte sequences
 * become U+FFFD, as Python's bytes.decode("utf-8", "replace")).  Four
 * arguments: sentencepiece's DecodePieces of the cellstr pieces with their
 * piece types (spm_decode in src/core/tok/spm.h). */
#include "mex_util.h"
#include "tok_mex.h"
#include "tok/bpe.h"
#include "tok/spm.h"

#include <string.h>

static mxArray *text_row(const tok_buf *b)
{
    mwSize dims[2] = {1, (mwSize)b->n};
    mxArray *a = mxCreateCharArray(2, dims);
    if (b->n)
        memcpy(mxGetChars(a), b->p, b->n);
    return a;
}

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    if (nrhs != 1 && nrhs != 4)
        mexErrMsgIdAndTxt("cka:input:nargs", "__tok_decode__: expected 1 or 4 arguments, got %d", nrhs);
    tok_buf b;
    tok_buf_init(&b);
    if (nrhs == 4) {
        size_t n;
        tok_str *pieces = tokmex_cellstr(prhs[0], "PIECES", &n);
        if (!mxIsDouble(prhs[1]) || mxIsComplex(prhs[1]) || mxGetNumberOfElements(prhs[1]) != n)
            mexErrMsgIdAndTxt("cka:input:type", "__tok_decode__: TYPES must be one double per piece");
        int32_t *types = mxMalloc((n ? n : 1) * sizeof *types);
        const double *t = mxGetPr(prhs[1]);
        for (size_t k = 0; k < n; k++)
            types[k] = (int32_t)(t[k] >= 0 && t[k] <= 16 ? t[k] : 0);
        int rc = spm_decode(pieces, types, n, mxGetScalar(prhs[2]) != 0, mxGetScalar(prhs[3]) != 0, &b);
        if (rc != 0) {
            tok_buf_free(&b);
            mexErrMsgIdAndTxt("cka:memory:outOfMemory", "out of memory decoding tokens");
        }
        plhs[0] = text_row(&b);
        tok_buf_free(&b);
        return;
    }
    tok_str s = {"", 0};
    if (tokmex_str(prhs[0], &s) != 0)
        mexErrMsgIdAndTxt("cka:input:type", "__tok_decode__: SYMBOLS must be a string");
    if (bpe_decode_bytes(s.s, s.n, &b) != 0) {
        tok_buf_free(&b);
        mexErrMsgIdAndTxt("cka:memory:outOfMemory", "out of memory decoding tokens");
    }
    plhs[0] = text_row(&b);
    tok_buf_free(&b);
}
