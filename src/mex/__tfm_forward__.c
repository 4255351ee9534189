/* [last, acts] = __tfm_forward__(model, ids, mask, token_types, hooks, need_last)
 * Internal gateway of tfm_forward.m.
 *   ids          [B, T] numeric (any class), integer values (0-based token ids)
 *   mask         [] or [B, T] numeric/logical attention mask
 *   token_types  [] or [B, T] numeric, integer values
 *   hooks        cellstr (possibly empty) or string of module names
 *   need_last    true: run to the end and return last_hidden_state as `last`
 * acts{r} is a single array in the PyTorch shape for hooks{r}.  The C
 * forward stops after the last requested module.
 *
 * p = __tfm_forward__("profile", on)  (benchmarks, tests/bench): returns
 * the profile counters [total, gemm, hooks, gemm_flop, forwards] (seconds,
 * flop, count; see tfm_profile in tfm.h) accumulated since the last such
 * call, then resets them and turns them on (on = true) or off. */
#include "mex_model.h"

#include <math.h>

typedef struct sink_ctx {
    mxArray **out;   /* one output per request */
} sink_ctx;

/* Copy a row-major tensor into a new column-major single array of the same
 * (PyTorch) shape. */
static int sink(void *vctx, int r, const tfm_activation *a, cka_error *err)
{
    sink_ctx *ctx = vctx;
    mwSize dims[4] = {1, 1, 1, 1};
    for (int k = 0; k < a->ndim; k++)
        dims[k] = (mwSize)a->shape[k];
    mxArray *o = mexutil_new_single((mwSize)(a->ndim < 2 ? 2 : a->ndim), dims);
    if (o == NULL)
        return cka_error_set(err, "cka:memory:outOfMemory",
                             "out of memory for the output of hook %d", r + 1);
    if (mxGetNumberOfElements(o) > 0)
        tfm_activation_to_colmajor(a, (float *)mxGetData(o));
    if (ctx->out[r] != NULL)
        mxDestroyArray(ctx->out[r]);
    ctx->out[r] = o;
    return 0;
}

/* A [B, T] array of integer values as row-major int64 (mxMalloc'ed). */
static int64_t *get_ids(const mxArray *a, size_t B, size_t T, const char *what)
{
    if (!mxIsNumeric(a) || mxIsComplex(a) || mxIsSparse(a))
        mexErrMsgIdAndTxt("cka:input:type", "%s must be a real numeric array", what);
    int64_t *out = mxMalloc((size_t)(B * T) * sizeof *out);
    const double *d = mxIsDouble(a) ? mxGetPr(a) : NULL;
    const float *f = mxIsSingle(a) ? (const float *)mxGetData(a) : NULL;
    for (size_t t = 0; t < T; t++)
        for (size_t b = 0; b < B; b++) {
            const size_t k = b + t * B;
            double v;
            if (d != NULL)
                v = d[k];
            else if (f != NULL)
                v = f[k];
            else {
                switch (mxGetClassID(a)) {
                case mxINT8_CLASS:   v = ((const int8_t *)mxGetData(a))[k]; break;
                case mxUINT8_CLASS:  v = ((const uint8_t *)mxGetData(a))[k]; break;
                case mxINT16_CLASS:  v = ((const int16_t *)mxGetData(a))[k]; break;
                case mxUINT16_CLASS: v = ((const uint16_t *)mxGetData(a))[k]; break;
                case mxINT32_CLASS:  v = ((const int32_t *)mxGetData(a))[k]; break;
                case mxUINT32_CLASS: v = ((const uint32_t *)mxGetData(a))[k]; break;
                case mxINT64_CLASS:  v = (double)((const int64_t *)mxGetData(a))[k]; break;
                case mxUINT64_CLASS: v = (double)((const uint64_t *)mxGetData(a))[k]; break;
                default:
                    mexErrMsgIdAndTxt("cka:input:type", "%s has an unsupported class %s",
                                      what, mxGetClassName(a));
                    return NULL;
                }
            }
            if (!(v == floor(v)) || fabs(v) > 9.0e15)
                mexErrMsgIdAndTxt("cka:input:nonIntegerIds",
                                  "%s(%d,%d) = %g is not an integer", what, (int)b + 1,
                                  (int)t + 1, v);
            out[b * T + t] = (int64_t)v;
        }
    return out;
}

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    if (nrhs == 2 && mxIsChar(prhs[0])) {
        tfm_profile p;
        tfm_profile_get(&p);
        tfm_profile_enable(mexutil_get_bool(prhs[1], "ON"));
        plhs[0] = mxCreateDoubleMatrix(1, 5, mxREAL);
        double *o = mxGetPr(plhs[0]);
        o[0] = p.total;
        o[1] = p.gemm;
        o[2] = p.hooks;
        o[3] = p.gemm_flop;
        o[4] = (double)p.forwards;
        return;
    }
    if (nrhs != 6)
        mexErrMsgIdAndTxt("cka:input:nargs", "__tfm_forward__: expected 6 arguments, got %d", nrhs);
    cka_error err;
    cka_error_clear(&err);
    tfm_model m;
    if (mexmodel_bind(prhs[0], &m, &err))
        mexutil_raise(&err);

    const mxArray *ids = prhs[1];
    if (mxGetNumberOfDimensions(ids) != 2)
        mexErrMsgIdAndTxt("cka:input:idsShape", "input_ids must be a [batch, seq] matrix");
    const size_t B = mxGetM(ids), T = mxGetN(ids);
    if (B == 0 || T == 0)
        mexErrMsgIdAndTxt("cka:input:emptyInput", "input_ids must not be empty");
    tfm_batch bt = {(int64_t)B, (int64_t)T, NULL, NULL, NULL};
    int64_t *id64 = get_ids(ids, B, T, "input_ids");
    for (size_t k = 0; k < B * T; k++)
        if (id64[k] < 0 || id64[k] >= m.cfg.vocab_size)
            mexErrMsgIdAndTxt("cka:input:tokenOutOfRange",
                              "input_ids(%d,%d) = %lld is outside [0, vocab_size) = [0, %lld)",
                              (int)(k / T) + 1, (int)(k % T) + 1, (long long)id64[k],
                              (long long)m.cfg.vocab_size);
    bt.ids = id64;

    const mxArray *mask = prhs[2];
    if (!mxIsEmpty(mask)) {
        if (!(mxIsNumeric(mask) || mxIsLogical(mask)) || mxIsComplex(mask) || mxIsSparse(mask))
            mexErrMsgIdAndTxt("cka:input:maskType", "AttentionMask must be a real numeric or logical array");
        if (mxGetNumberOfDimensions(mask) != 2 || mxGetM(mask) != B || mxGetN(mask) != T)
            mexErrMsgIdAndTxt("cka:input:maskShape",
                              "AttentionMask must have the size of input_ids [%d %d]",
                              (int)B, (int)T);
        float *mk = mxMalloc((size_t)(B * T) * sizeof *mk);
        mxArray *dbl = NULL;
        const double *md;
        if (mxIsDouble(mask)) {
            md = mxGetPr(mask);
        } else {
            mxArray *in = (mxArray *)mask;
            mexCallMATLAB(1, &dbl, 1, &in, "double");
            md = mxGetPr(dbl);
        }
        for (size_t t = 0; t < T; t++)
            for (size_t b = 0; b < B; b++)
                mk[b * T + t] = (float)md[b + t * B];
        if (dbl != NULL)
            mxDestroyArray(dbl);
        bt.mask = mk;
    }

    const mxArray *tt = prhs[3];
    if (!mxIsEmpty(tt)) {
        if (m.cfg.arch == TFM_ARCH_DISTILBERT)
            mexErrMsgIdAndTxt("cka:input:tokenTypes",
                              "DistilBERT has no token type embeddings; TokenTypeIds must be empty");
        if (mxGetNumberOfDimensions(tt) != 2 || mxGetM(tt) != B || mxGetN(tt) != T)
            mexErrMsgIdAndTxt("cka:input:tokenTypeShape",
                              "TokenTypeIds must have the size of input_ids [%d %d]", (int)B,
                              (int)T);
        bt.token_types = get_ids(tt, B, T, "TokenTypeIds");
    }

    int *mods, nh;
    if (mexmodel_hooks(&m.cfg, prhs[4], &mods, &nh, &err))
        mexutil_raise(&err);
    const int need_last = mexutil_get_bool(prhs[5], "NEED_LAST");
    int *all = mxMalloc((size_t)(nh + 1) * sizeof *all);
    for (int r = 0; r < nh; r++)
        all[r] = mods[r];
    if (need_last)
        all[nh] = 0;                       /* the root "" = last_hidden_state */
    tfm_hook_request req = {nh + need_last, all};

    sink_ctx ctx;
    ctx.out = mxCalloc((size_t)(nh + 1), sizeof *ctx.out);
    size_t bytes = tfm_workspace_size(&m.cfg, bt.B, bt.T);
    if (bytes == 0)
        mexErrMsgIdAndTxt("cka:input:tooLarge", "the batch is too large for this model");
    void *ws = mxMalloc(bytes);
    if (tfm_forward_ws(&m, &bt, &req, sink, &ctx, ws, &err))
        mexutil_raise(&err);
    mxFree(ws);

    plhs[0] = need_last ? ctx.out[nh] : mxCreateNumericMatrix(0, 0, mxSINGLE_CLASS, mxREAL);
    if (nlhs > 1) {
        plhs[1] = mxCreateCellMatrix((mwSize)nh, 1);
        for (int r = 0; r < nh; r++)
            mxSetCell(plhs[1], (mwIndex)r, ctx.out[r]);
    } else {
        for (int r = 0; r < nh; r++)
            mxDestroyArray(ctx.out[r]);
    }
}
