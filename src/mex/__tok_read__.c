/* list = __tok_read__(kind, bytes, what)
 * Internal gateway of tfm_tokenizer.m: parse the bytes of a tokenizer file.
 * kind "vocab" (vocab.txt): a column cellstr, one token per id; kind
 * "merges" (merges.txt): an n x 2 cellstr of merges in rank order; kind
 * "spm" (tokenizer.model, uint8 bytes): a struct with the pieces (column
 * cellstr), their scores and types (doubles, SentencePiece's numbering) and
 * the trainer/normalizer settings the tokenizer uses.  what names the file
 * in error messages. */
#include "mex_util.h"
#include "tok/spm_file.h"
#include "tok/tok_files.h"
#include "tok_mex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mxArray *str_array(tok_str s)
{
    mwSize dims[2] = {1, (mwSize)s.n};
    mxArray *a = mxCreateCharArray(2, dims);
    if (s.n)
        memcpy(mxGetChars(a), s.s, s.n);
    return a;
}

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    if (nrhs != 3)
        mexErrMsgIdAndTxt("cka:input:nargs", "__tok_read__: expected 3 arguments, got %d", nrhs);
    char *kind = mxArrayToString(prhs[0]);
    char *what = mxArrayToString(prhs[2]);
    if (kind == NULL || what == NULL)
        mexErrMsgIdAndTxt("cka:input:type", "__tok_read__: KIND and WHAT must be strings");
    const char *buf = "";
    size_t n = mxGetNumberOfElements(prhs[1]);
    if (mxIsChar(prhs[1]))
        buf = (const char *)mxGetChars(prhs[1]);
    else if (mxIsUint8(prhs[1]) || mxIsInt8(prhs[1]))
        buf = (const char *)mxGetData(prhs[1]);
    else if (strcmp(kind, "split_merges") != 0 && strcmp(kind, "check") != 0)
        mexErrMsgIdAndTxt("cka:input:type", "__tok_read__: BYTES must be a char or uint8 array");
    if (n == 0)
        buf = "";
    cka_error err;
    cka_error_clear(&err);
    if (strcmp(kind, "vocab") == 0) {
        tok_str *t;
        size_t cnt;
        if (tok_read_vocab_txt(buf, n, what, &t, &cnt, &err) != 0)
            mexutil_raise(&err);
        plhs[0] = mxCreateCellMatrix((mwSize)cnt, 1);
        for (size_t k = 0; k < cnt; k++)
            mxSetCell(plhs[0], (mwIndex)k, str_array(t[k]));
        free(t);
    } else if (strcmp(kind, "spm") == 0) {
        spm_file f;
        if (spm_read_model((const uint8_t *)buf, n, what, &f, &err) != 0)
            mexutil_raise(&err);
        static const char *fields[] = {"pieces", "scores", "types", "byte_fallback", "unk_id",
                                       "bos_id", "eos_id", "pad_id", "normalizer",
                                       "add_dummy_prefix", "remove_extra_whitespaces",
                                       "escape_whitespaces"};
        plhs[0] = mxCreateStructMatrix(1, 1, sizeof fields / sizeof *fields, fields);
        mxArray *pieces = mxCreateCellMatrix((mwSize)f.npieces, 1);
        mxArray *scores = mxCreateDoubleMatrix((mwSize)f.npieces, 1, mxREAL);
        mxArray *types = mxCreateDoubleMatrix((mwSize)f.npieces, 1, mxREAL);
        for (size_t k = 0; k < f.npieces; k++) {
            mxSetCell(pieces, (mwIndex)k, str_array(f.piece[k]));
            mxGetPr(scores)[k] = f.score[k];
            mxGetPr(types)[k] = f.type[k];
        }
        mxSetField(plhs[0], 0, "pieces", pieces);
        mxSetField(plhs[0], 0, "scores", scores);
        mxSetField(plhs[0], 0, "types", types);
        mxSetField(plhs[0], 0, "byte_fallback", mxCreateLogicalScalar(f.byte_fallback != 0));
        mxSetField(plhs[0], 0, "unk_id", mxCreateDoubleScalar(f.unk_id));
        mxSetField(plhs[0], 0, "bos_id", mxCreateDoubleScalar(f.bos_id));
        mxSetField(plhs[0], 0, "eos_id", mxCreateDoubleScalar(f.eos_id));
        mxSetField(plhs[0], 0, "pad_id", mxCreateDoubleScalar(f.pad_id));
        char name[48];
        snprintf(name, sizeof name, "%s", f.normalizer_name[0] ? f.normalizer_name : "identity");
        mxSetField(plhs[0], 0, "normalizer", mxCreateString(name));
        mxSetField(plhs[0], 0, "add_dummy_prefix", mxCreateLogicalScalar(f.add_dummy_prefix != 0));
        mxSetField(plhs[0], 0, "remove_extra_whitespaces",
                   mxCreateLogicalScalar(f.remove_extra_whitespaces != 0));
        mxSetField(plhs[0], 0, "escape_whitespaces", mxCreateLogicalScalar(f.escape_whitespaces != 0));
        spm_file_free(&f);
    } else if (strcmp(kind, "merges") == 0) {
        tok_str *l, *r;
        size_t cnt;
        if (tok_read_merges_txt(buf, n, what, &l, &r, &cnt, &err) != 0)
            mexutil_raise(&err);
        plhs[0] = mxCreateCellMatrix((mwSize)cnt, 2);
        for (size_t k = 0; k < cnt; k++) {
            mxSetCell(plhs[0], (mwIndex)k, str_array(l[k]));
            mxSetCell(plhs[0], (mwIndex)(k + cnt), str_array(r[k]));
        }
        free(l);
        free(r);
    } else if (strcmp(kind, "split_merges") == 0) {
        /* a cellstr of "left right" strings (tokenizer.json < 0.20) */
        if (!mxIsCell(prhs[1]))
            mexErrMsgIdAndTxt("cka:input:type", "__tok_read__: split_merges needs a cellstr");
        size_t cnt = mxGetNumberOfElements(prhs[1]);
        plhs[0] = mxCreateCellMatrix((mwSize)cnt, 2);
        for (size_t k = 0; k < cnt; k++) {
            tok_str s, l, r;
            if (tokmex_str(mxGetCell(prhs[1], (mwIndex)k), &s) != 0 || tok_split_merge(s.s, s.n, &l, &r) != 0)
                mexErrMsgIdAndTxt("cka:tokenizer:badMerges",
                                  "%s: merge %zu must be two symbols separated by a space", what, k + 1);
            mxSetCell(plhs[0], (mwIndex)k, str_array(l));
            mxSetCell(plhs[0], (mwIndex)(k + cnt), str_array(r));
        }
    } else if (strcmp(kind, "check") == 0) {
        if (!mxIsCell(prhs[1]))
            mexErrMsgIdAndTxt("cka:input:type", "__tok_read__: check needs a cellstr");
        size_t cnt = mxGetNumberOfElements(prhs[1]);
        for (size_t k = 0; k < cnt; k++) {
            tok_str s;
            char where[600];
            snprintf(where, sizeof where, "%s: entry %zu", what, k + 1);
            if (tokmex_str(mxGetCell(prhs[1], (mwIndex)k), &s) != 0)
                mexErrMsgIdAndTxt("cka:tokenizer:badVocab", "%s is not a string", where);
            if (tok_utf8_validate(s.s, s.n, where, &err) != 0)
                mexutil_raise(&err);
        }
        plhs[0] = mxCreateDoubleMatrix(0, 0, mxREAL);
    } else
        mexErrMsgIdAndTxt("cka:input:badOption", "__tok_read__: unknown kind '%s'", kind);
    mxFree(kind);
    mxFree(what);
}
