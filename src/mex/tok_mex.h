/* Helpers of the tokenizer gateways: read the tokenizer struct built by
 * tfm_tokenizer.m into the C models (views over the Octave strings, no
 * copies; Octave's mxChar is char, so a char array holds UTF-8 bytes). */
#ifndef CKA_TOK_MEX_H
#define CKA_TOK_MEX_H

#include "mex_util.h"
#include "tok/tok_common.h"

/* A char row (or empty) as a byte string. */
static inline int tokmex_str(const mxArray *a, tok_str *out)
{
    out->s = "";
    out->n = 0;
    if (a == NULL || !(mxIsChar(a) || mxIsEmpty(a)))
        return -1;
    if (mxIsEmpty(a)) {
        out->s = "";
        out->n = 0;
        return 0;
    }
    if (mxGetM(a) != 1)
        return -1;
    out->s = (const char *)mxGetChars(a);
    out->n = mxGetNumberOfElements(a);
    return 0;
}

static inline const mxArray *tokmex_field(const mxArray *tok, const char *name)
{
    const mxArray *f = mxGetField(tok, 0, name);
    if (f == NULL)
        mexErrMsgIdAndTxt("cka:tokenizer:badStruct",
                          "the tokenizer struct has no field '%s' (make it with tfm_tokenizer)", name);
    return f;
}

static inline double tokmex_scalar(const mxArray *tok, const char *name)
{
    const mxArray *f = tokmex_field(tok, name);
    if (!(mxIsNumeric(f) || mxIsLogical(f)) || mxGetNumberOfElements(f) != 1)
        mexErrMsgIdAndTxt("cka:tokenizer:badStruct", "tokenizer field '%s' must be a scalar", name);
    return mxGetScalar(f);
}

static inline tok_str tokmex_string_field(const mxArray *tok, const char *name)
{
    tok_str s = {"", 0};
    if (tokmex_str(tokmex_field(tok, name), &s) != 0)
        mexErrMsgIdAndTxt("cka:tokenizer:badStruct", "tokenizer field '%s' must be a string", name);
    return s;
}

/* A cellstr as an mxMalloc'ed tok_str array. */
static inline tok_str *tokmex_cellstr(const mxArray *c, const char *what, size_t *n)
{
    if (!mxIsCell(c))
        mexErrMsgIdAndTxt("cka:tokenizer:badStruct", "%s must be a cell array of strings", what);
    *n = mxGetNumberOfElements(c);
    tok_str *s = mxMalloc((*n ? *n : 1) * sizeof *s);
    for (size_t k = 0; k < *n; k++)
        if (tokmex_str(mxGetCell(c, k), &s[k]) != 0)
            mexErrMsgIdAndTxt("cka:tokenizer:badStruct", "%s{%zu} is not a string", what, k + 1);
    return s;
}

/* Special tokens and their ids (fields special_tokens, special_ids). */
static inline void tokmex_specials(const mxArray *tok, size_t nvocab, tok_str **sp, int32_t **ids,
                                   size_t *n)
{
    *sp = tokmex_cellstr(tokmex_field(tok, "special_tokens"), "tok.special_tokens", n);
    const mxArray *f = tokmex_field(tok, "special_ids");
    if (!mxIsDouble(f) || mxGetNumberOfElements(f) != *n)
        mexErrMsgIdAndTxt("cka:tokenizer:badStruct",
                          "tok.special_ids must be a double array, one id per special token");
    const double *d = mxGetPr(f);
    *ids = mxMalloc((*n ? *n : 1) * sizeof **ids);
    for (size_t k = 0; k < *n; k++) {
        if (!(d[k] >= 0 && d[k] < (double)nvocab && d[k] == (int32_t)d[k]))
            mexErrMsgIdAndTxt("cka:tokenizer:badStruct", "tok.special_ids(%zu) is not a vocabulary id",
                              k + 1);
        (*ids)[k] = (int32_t)d[k];
    }
}

#endif
