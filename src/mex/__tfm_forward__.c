/* [last, acts] = __tfm_forward__(model, ids, mask, token_types, hooks, need_last)
 * Internal gateway of tfm_forward.m.
 *   ids          [B, T] numeric (any class), integer values (0-based token ids)
 *   mask         [] or [B, T] numeric/logical attention mask of 0 and 1
 *   token_types  [] or [B, T] numeric, integer values
 * (read and checked by mexmodel_read_tokens, mex_model.h)
 *   hooks        cellstr (possibly empty) or string of module names
 *   need_last    true: run to the end and return last_hidden_state as `last`
 * acts{r} is a single array in the PyTorch shape for hooks{r}.  The C
 * forward stops after the last requested module.
 *
 * p = __tfm_forward__("profile", on)  (benchmarks, tests/bench): returns
 * the profile counters [total, gemm, hooks, gemm_flop, forwards] (seconds,
 * flop, count; see tfm_profile in tfm.h) accumulated since the last such
 * call, then resets them and turns them on (on = true) or off.
 *
 * name = __tfm_forward__("backend" [, name]): the library of the float32
 * weight products, "onednn" (a build configured --with-onednn, its
 * default) or "blas"; with a name, sets it (benchmarks compare the two in
 * one process) and returns the previous one.
 *
 * s = __tfm_forward__("matmul", n, reps) (benchmarks): the best time of
 * reps float32 n x n x n products through the forward's product kernel. */
#include "mex_model.h"
#include "model/ops_dnnl.h"

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

/* 1 if a is the string w. */
static int is_word(const mxArray *a, const char *w)
{
    char buf[16];
    return mxIsChar(a) && mxGetString(a, buf, sizeof buf) == 0 && strcmp(buf, w) == 0;
}

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    if (nrhs == 3 && is_word(prhs[0], "matmul")) {
        const double n = mexutil_get_scalar(prhs[1], "N"), reps = mexutil_get_scalar(prhs[2], "REPS");
        if (!(n >= 1 && n <= 16384 && n == floor(n) && reps >= 1 && reps <= 1000))
            mexErrMsgIdAndTxt("cka:input:badOption", "matmul: N in [1, 16384], REPS in [1, 1000]");
        plhs[0] = mxCreateDoubleScalar(ops_linear_seconds((int64_t)n, (int)reps));
        return;
    }
    if (nrhs >= 1 && is_word(prhs[0], "backend")) {
        int want = -1;
        if (nrhs == 2) {
            if (is_word(prhs[1], "blas"))
                want = 0;
            else if (is_word(prhs[1], "onednn") && ops_dnnl_built())
                want = 1;
            else
                mexErrMsgIdAndTxt("cka:input:badOption",
                                  "backend must be \"blas\"%s", ops_dnnl_built()
                                  ? " or \"onednn\"" : " (this build has no oneDNN: configure "
                                  "--with-onednn)");
        }
        plhs[0] = mxCreateString(ops_use_onednn(want) ? "onednn" : "blas");
        return;
    }
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

    tfm_batch bt;
    mexmodel_read_tokens(prhs[1], prhs[2], prhs[3], &m.cfg, "input_ids", "AttentionMask",
                         "TokenTypeIds", &bt);

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
    char what[96];
    snprintf(what, sizeof what, "the workspace of a forward pass of %lld x %lld tokens",
             (long long)bt.B, (long long)bt.T);
    void *ws = mexutil_malloc_big(bytes, 1, what);
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
