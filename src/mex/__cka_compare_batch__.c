/* [hxy, hxx, hyy, n] = __cka_compare_batch__(model1, model2, b1, b2, layers1, layers2,
 *                                            pooling, opts)
 *
 * Internal gateway of cka_compare.m: one mini-batch of streaming CKA.
 *   model1, model2  model structs; model2 = [] means the same model
 *   b1, b2          batch structs {ids [B T] (0-based), mask [] or [B T] of 0/1,
 *                   tt [] or [B T]}, read by mexmodel_read_tokens (mex_model.h);
 *                   b2 = [] means the same batch as b1
 *   layers1/2       cellstrs of hook names (validated by cka_compare.m)
 *   pooling         "flatten" | "mean" | "first" | "last" | "tokens"
 *   opts            struct from cka_resolve_config (kernel, sigma, ...)
 * With the same model and the same batch, ONE forward pass hooks the union
 * of both layer lists.  Inside each hook the activation is pooled and turned
 * into a Gram matrix (then prepared for the estimator); the activation
 * buffer is not kept.  After the forward pass(es) the HSIC of every pair is
 * computed: peak memory = the forward's working set + (L1 + L2) n x n
 * doubles.  Returns this batch's HSIC values and its number of samples.
 *
 * t = __cka_compare_batch__()  (benchmarks, tests/bench): wall-clock seconds
 * [forward, gram, hsic, calls] spent by the batch calls since the last such
 * call (forward = the forward passes without their hooks, gram = pooling +
 * Gram matrix + centring inside the hooks, hsic = the HSIC of every pair),
 * then resets them. */
#include "mex_model.h"
#include "cka_mex_opts.h"
#include "cka/cka_accum.h"
#include "cka/cka_pool.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Where the Gram matrix of one request goes: up to two (side, slot). */
typedef struct target {
    int count;
    int side[2];
    int slot[2];
} target;

/* Time split of the batch calls (see the header comment). */
static double time_forward, time_gram, time_hsic, time_calls;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct sink_ctx {
    cka_gram_set *sets[2];
    const target *targets;
    int *fired;
    const mxArray *names[2]; /* layer names per side, for messages */
    const char *model_label[2];
    const float *mask;       /* pooling mask [B, T] row-major or NULL */
    int64_t B, T;
    cka_pooling pooling;
    cka_options opts;
    cka_pool_scratch scratch;
} sink_ctx;

static void label(char *buf, size_t len, const sink_ctx *c, int side, int slot)
{
    char name[160] = "";
    const mxArray *s = mxGetCell(c->names[side], (mwIndex)slot);
    if (s != NULL)
        mxGetString(s, name, sizeof name);
    snprintf(buf, len, "layer '%s' of %s", name, c->model_label[side]);
}

static int sink_body(void *vctx, int r, const tfm_activation *act, cka_error *err);

static int sink(void *vctx, int r, const tfm_activation *act, cka_error *err)
{
    const double t0 = now();
    int rc = sink_body(vctx, r, act, err);
    time_gram += now() - t0;
    return rc;
}

static int sink_body(void *vctx, int r, const tfm_activation *act, cka_error *err)
{
    sink_ctx *c = vctx;
    const target *t = &c->targets[r];
    char what[256];
    label(what, sizeof what, c, t->side[0], t->slot[0]);
    cka_tensor a;
    a.data = act->data;
    a.ndim = act->ndim;
    for (int k = 0; k < 4; k++)
        a.shape[k] = act->shape[k];
    cka_features f;
    if (cka_pool(&a, c->pooling, c->mask, c->B, c->T, &c->scratch, &f, what, err))
        return -1;
    cka_gram_set *s0 = c->sets[t->side[0]];
    if (f.n != s0->n)
        return cka_error_set(err, "cka:input:sampleMismatch",
                             "%s gives %zu samples, expected %zu", what, f.n, s0->n);
    size_t n = s0->n, nn = n * n;
    if (cka_gram(&f, &c->opts, s0->gram + (size_t)t->slot[0] * nn, what, err))
        return -1;
    cka_gram_prepare(s0, (size_t)t->slot[0], c->opts.unbiased);
    c->fired[r]++;
    if (t->count > 1) {
        cka_gram_set *s1 = c->sets[t->side[1]];
        size_t a0 = (size_t)t->slot[0], a1 = (size_t)t->slot[1];
        memcpy(s1->gram + a1 * nn, s0->gram + a0 * nn, nn * sizeof(double));
        memcpy(s1->rowsum + a1 * n, s0->rowsum + a0 * n, n * sizeof(double));
        s1->total[a1] = s0->total[a0];
    }
    return 0;
}

/* Batch arrays: ids (row-major int64), masks (row-major float), token types. */
typedef struct batch_in {
    tfm_batch bt;
    const float *pool_mask;
} batch_in;

/* The batch struct {ids, mask, tt} through the shared token reader. */
static void read_batch(const mxArray *s, const tfm_config *cfg, batch_in *in, const char *what)
{
    if (!mxIsStruct(s) || mxGetNumberOfElements(s) != 1)
        mexErrMsgIdAndTxt("cka:input:badData", "%s must be a batch struct", what);
    char wi[64], wm[64], wt[64];
    snprintf(wi, sizeof wi, "%s: input_ids", what);
    snprintf(wm, sizeof wm, "%s: attention_mask", what);
    snprintf(wt, sizeof wt, "%s: token_type_ids", what);
    memset(in, 0, sizeof *in);
    mexmodel_read_tokens(mxGetField(s, 0, "ids"), mxGetField(s, 0, "mask"),
                         mxGetField(s, 0, "tt"), cfg, wi, wm, wt, &in->bt);
    in->pool_mask = in->bt.mask;
}

/* Resolve the hook names of one side into module indices. */
static int *resolve(const tfm_config *cfg, const mxArray *layers, int *count)
{
    cka_error err;
    cka_error_clear(&err);
    int *idx = NULL;
    if (mexmodel_hooks(cfg, layers, &idx, count, &err)) {
        if (strcmp(err.id, "cka:input:unknownHook") == 0 || strcmp(err.id, "cka:input:containerHook") == 0)
            strcpy(err.id, "cka:input:unknownLayer");
        mexutil_raise(&err);
    }
    return idx;
}

/* Run one forward pass of m on in with the requests, then check that every
 * request fired.  On error: free the pooling scratch, raise. */
static void run(const tfm_model *m, const batch_in *in, const int *modules, int nreq,
                sink_ctx *c, const char *model_label)
{
    cka_error err;
    cka_error_clear(&err);
    tfm_hook_request req;
    req.n = nreq;
    req.modules = modules;
    size_t bytes = tfm_workspace_size(&m->cfg, in->bt.B, in->bt.T);
    if (bytes == 0) {
        cka_pool_scratch_free(&c->scratch);
        mexErrMsgIdAndTxt("cka:memory:outOfMemory", "the batch is too large for %s", model_label);
    }
    char what[160];
    snprintf(what, sizeof what, "the workspace of %s for a batch of %lld x %lld tokens",
             model_label, (long long)in->bt.B, (long long)in->bt.T);
    cka_error mem;
    cka_error_clear(&mem);
    if (cka_mem_check(bytes, 1, what, &mem) != 0) {
        cka_pool_scratch_free(&c->scratch);
        mexutil_raise(&mem);
    }
    void *ws = mxMalloc(bytes);
    c->mask = in->pool_mask;
    c->B = in->bt.B;
    c->T = in->bt.T;
    const double t0 = now(), g0 = time_gram;
    int rc = tfm_forward_ws(m, &in->bt, &req, sink, c, ws, &err);
    time_forward += (now() - t0) - (time_gram - g0);
    mxFree(ws);
    if (rc) {
        cka_pool_scratch_free(&c->scratch);
        mexutil_raise(&err);
    }
    for (int r = 0; r < nreq; r++)
        if (c->fired[r] == 0) {
            cka_pool_scratch_free(&c->scratch);
            mexErrMsgIdAndTxt("cka:internal:hookNotFired",
                              "a requested layer of %s produced no output", model_label);
        }
}

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    if (nrhs == 0) {
        plhs[0] = mxCreateDoubleMatrix(1, 4, mxREAL);
        double *o = mxGetPr(plhs[0]);
        o[0] = time_forward;
        o[1] = time_gram;
        o[2] = time_hsic;
        o[3] = time_calls;
        time_forward = time_gram = time_hsic = time_calls = 0.0;
        return;
    }
    if (nrhs != 8)
        mexErrMsgIdAndTxt("cka:input:nargs", "__cka_compare_batch__: expected 8 arguments, got %d",
                          nrhs);
    const int same_model = mxIsEmpty(prhs[1]);
    const int same_batch = mxIsEmpty(prhs[3]);
    const mxArray *layers[2] = {prhs[4], prhs[5]};
    if (!mxIsCell(layers[0]) || !mxIsCell(layers[1]))
        mexErrMsgIdAndTxt("cka:input:badOption", "layer lists must be cellstrs");
    char pool_name[16];
    if (!mxIsChar(prhs[6]) || mxGetString(prhs[6], pool_name, sizeof pool_name))
        mexErrMsgIdAndTxt("cka:input:badOption", "Pooling must be a string");
    cka_error err;
    cka_error_clear(&err);
    sink_ctx c;
    memset(&c, 0, sizeof c);
    if (cka_pooling_from_name(pool_name, &c.pooling, &err))
        mexutil_raise(&err);
    c.opts = cka_mex_options(prhs[7]);

    tfm_model m[2];
    if (mexmodel_bind(prhs[0], &m[0], &err))
        mexutil_raise(&err);
    if (same_model)
        m[1] = m[0];
    else if (mexmodel_bind(prhs[1], &m[1], &err))
        mexutil_raise(&err);

    batch_in in[2];
    read_batch(prhs[2], &m[0].cfg, &in[0], "data");
    if (same_batch)
        in[1] = in[0];
    else
        read_batch(prhs[3], &m[1].cfg, &in[1], "Data2");

    int L[2], *mods[2];
    mods[0] = resolve(&m[0].cfg, layers[0], &L[0]);
    mods[1] = resolve(&m[1].cfg, layers[1], &L[1]);
    if (L[0] == 0 || L[1] == 0)
        mexErrMsgIdAndTxt("cka:input:noLayers", "no layers to compare");

    size_t n[2];
    for (int s = 0; s < 2; s++)
        n[s] = cka_pool_count(c.pooling, in[s].pool_mask, in[s].bt.B, in[s].bt.T);
    if (n[0] != n[1])
        mexErrMsgIdAndTxt("cka:input:sampleMismatch",
                          "the two sides have %zu and %zu samples in this batch (with \"tokens\" "
                          "pooling both inputs must have the same number of non-padding tokens)",
                          n[0], n[1]);
    if (n[0] < cka_min_samples(&c.opts))
        mexErrMsgIdAndTxt("cka:input:tooFewSamples",
                          "the %s HSIC estimator needs n > %zu samples per batch, got n = %zu",
                          c.opts.unbiased ? "unbiased" : "biased", cka_min_samples(&c.opts) - 1,
                          n[0]);
    cka_gram_set sets[2];
    cka_mex_alloc_set(&sets[0], n[0], (size_t)L[0]);
    cka_mex_alloc_set(&sets[1], n[1], (size_t)L[1]);
    c.sets[0] = &sets[0];
    c.sets[1] = &sets[1];
    c.names[0] = layers[0];
    c.names[1] = layers[1];
    c.model_label[0] = "model1";
    c.model_label[1] = same_model ? "model1 (second list)" : "model2";

    if (same_model && same_batch) {
        /* One pass: the union of both lists, each module requested once. */
        int *req = mxMalloc((size_t)(L[0] + L[1]) * sizeof *req);
        target *tg = mxCalloc((size_t)(L[0] + L[1]), sizeof *tg);
        int nreq = 0;
        for (int s = 0; s < 2; s++)
            for (int k = 0; k < L[s]; k++) {
                int r;
                for (r = 0; r < nreq; r++)
                    if (req[r] == mods[s][k] && tg[r].count < 2 && tg[r].side[0] != s)
                        break;
                if (r == nreq) {
                    req[nreq] = mods[s][k];
                    tg[nreq].count = 0;
                    nreq++;
                }
                tg[r].side[tg[r].count] = s;
                tg[r].slot[tg[r].count] = k;
                tg[r].count++;
            }
        c.targets = tg;
        c.fired = mxCalloc((size_t)nreq, sizeof *c.fired);
        run(&m[0], &in[0], req, nreq, &c, "model1");
    } else {
        for (int s = 0; s < 2; s++) {
            target *tg = mxCalloc((size_t)L[s], sizeof *tg);
            for (int k = 0; k < L[s]; k++) {
                tg[k].count = 1;
                tg[k].side[0] = s;
                tg[k].slot[0] = k;
            }
            c.targets = tg;
            c.fired = mxCalloc((size_t)L[s], sizeof *c.fired);
            run(&m[s], &in[s], mods[s], L[s], &c, s == 0 ? "model1" : "model2");
        }
    }
    cka_pool_scratch_free(&c.scratch);

    mxArray *out[4];
    out[0] = mxCreateDoubleMatrix((mwSize)L[0], (mwSize)L[1], mxREAL);
    out[1] = mxCreateDoubleMatrix((mwSize)L[0], 1, mxREAL);
    out[2] = mxCreateDoubleMatrix((mwSize)L[1], 1, mxREAL);
    out[3] = mxCreateDoubleScalar((double)n[0]);
    const double t0 = now();
    cka_hsic_pairs(&sets[0], &sets[1], &c.opts, mxGetPr(out[0]));
    cka_hsic_self(&sets[0], &c.opts, mxGetPr(out[1]));
    cka_hsic_self(&sets[1], &c.opts, mxGetPr(out[2]));
    time_hsic += now() - t0;
    time_calls += 1.0;
    for (int k = 0; k < 4; k++) {
        if (k < (nlhs > 1 ? nlhs : 1))
            plhs[k] = out[k];
        else
            mxDestroyArray(out[k]);
    }
}
