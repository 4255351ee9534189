/* Internal gateway of cka_compare.m: mini-batches of streaming CKA.
 *
 *   id = __cka_compare_batch__("open", model1, model2, layers1, layers2, pooling, opts
 *                              [, stats])
 *   [hxy, hxx, hyy, n, hperm, feats1, feats2] = __cka_compare_batch__("batch", id, b1, b2
 *                                                                     [, k])
 *   __cka_compare_batch__("close", id)
 *
 * "open" binds each model (a pointer to every weight, read in place) and
 * resolves both layer lists ONCE for a whole cka_compare call; every batch
 * then only reads its tokens.  The weights stay valid while the session is
 * open because cka_compare keeps model1 and model2 unchanged until it
 * closes the session (unwind_protect: also on an error or Ctrl-C).
 *   model1, model2  model structs; model2 = [] means the same model
 *   b1, b2          batch structs {ids [B T] (0-based), mask [] or [B T] of 0/1,
 *                   tt [] or [B T]}, read by mexmodel_read_tokens (mex_model.h);
 *                   b2 = [] means the same batch as b1
 *   layers1/2       cellstrs of hook names (validated by cka_compare.m)
 *   pooling         "flatten" | "mean" | "first" | "last" | "tokens"
 *   opts            struct from cka_resolve_config (kernel, sigma, ...)
 *   stats           [] or struct {permutations, seed, features} (cka_stats_options.m):
 *                   the permutation test's count and seed, and whether the
 *                   batch calls return the pooled features
 *   k               the batch's number in the run (1, 2, ...): the stream of
 *                   its permutations, so that shards and resumed runs draw
 *                   the same ones
 * The one-call form __cka_compare_batch__(model1, model2, b1, b2, layers1,
 * layers2, pooling, opts) opens, runs one batch and closes.
 *
 * The scheduling lives in src/core/cka/cka_stream.c: with the same model and
 * the same batch, ONE forward pass hooks the union of both layer lists;
 * inside each hook the activation is pooled and turned into a prepared Gram
 * matrix, the activation buffer is not kept; then the HSIC of every pair.
 * Peak memory = the forward's working set + (L1 + L2) n x n doubles.
 * Returns this batch's HSIC values, its number of samples, the HSIC of
 * every pair for each permutation of side 2's samples (L1 x L2 x P,
 * cka_perm.h) and, with stats.features, cells of the pooled features of
 * each layer (n x d single) of both sides.
 *
 * t = __cka_compare_batch__()  (benchmarks, tests/bench): wall-clock seconds
 * [forward, gram, hsic, calls] spent by the batch calls since the last such
 * call (forward = the forward passes without their hooks, gram = pooling +
 * Gram matrix + centring inside the hooks, hsic = the HSIC of every pair),
 * then resets them. */
#include "mex_model.h"
#include "cka_mex_opts.h"
#include "cka/cka_stream.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Time split of the batch calls (see the header comment). */
static double time_forward, time_gram, time_hsic, time_calls;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The forward's hook sink: hands every output to the stream. */
typedef struct sink_ctx {
    cka_stream *st;
    int pass;
    const float *mask;       /* pooling mask [B, T] row-major or NULL */
    int64_t B, T;
} sink_ctx;

static int sink(void *vctx, int r, const tfm_activation *act, cka_error *err)
{
    const double t0 = now();
    const sink_ctx *c = vctx;
    cka_tensor a = {act->data, act->ndim, {act->shape[0], act->shape[1], act->shape[2],
                                           act->shape[3]}};
    int rc = cka_stream_feed(c->st, c->pass, r, &a, c->mask, c->B, c->T, err);
    time_gram += now() - t0;
    return rc;
}

/* The pooled features of every layer, copied out as n x d single arrays. */
typedef struct features_ctx {
    mxArray *cells[2];
} features_ctx;

static int keep_features(void *vctx, int side, int slot, const cka_features *f, cka_error *err)
{
    (void)err;
    features_ctx *c = vctx;
    if (mxGetCell(c->cells[side], (mwIndex)slot) != NULL)
        return 0;
    mxArray *a = mxCreateNumericMatrix((mwSize)f->n, (mwSize)f->d, mxSINGLE_CLASS, mxREAL);
    float *out = (float *)mxGetData(a);
    const size_t n = f->n, d = f->d;
    for (size_t k = 0; k < d; k++)
        for (size_t i = 0; i < n; i++) {
            const size_t at = f->sample_major ? i * d + k : k * n + i;
            out[k * n + i] = f->type == CKA_F32 ? ((const float *)f->data)[at]
                                                : (float)((const double *)f->data)[at];
        }
    mxSetCell(c->cells[side], (mwIndex)slot, a);
    return 0;
}

/* The batch struct {ids, mask, tt} through the shared token reader. */
static void read_batch(const mxArray *s, const tfm_config *cfg, tfm_batch *bt, const char *what)
{
    if (!mxIsStruct(s) || mxGetNumberOfElements(s) != 1)
        mexErrMsgIdAndTxt("cka:input:badData", "%s must be a batch struct", what);
    char wi[64], wm[64], wt[64];
    snprintf(wi, sizeof wi, "%s: input_ids", what);
    snprintf(wm, sizeof wm, "%s: attention_mask", what);
    snprintf(wt, sizeof wt, "%s: token_type_ids", what);
    memset(bt, 0, sizeof *bt);
    mexmodel_read_tokens(mxGetField(s, 0, "ids"), mxGetField(s, 0, "mask"),
                         mxGetField(s, 0, "tt"), cfg, wi, wm, wt, bt);
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

/* The layer names of a cellstr as C strings (mxMalloc'ed), for messages. */
static const char *const *layer_names(const mxArray *cell)
{
    const size_t n = mxGetNumberOfElements(cell);
    char **names = mxCalloc(n ? n : 1, sizeof *names);
    for (size_t k = 0; k < n; k++) {
        const mxArray *c = mxGetCell(cell, (mwIndex)k);
        if (c == NULL || !mxIsChar(c))
            continue;
        /* mxMalloc'ed (mxArrayToString's memory is not reclaimed on error) */
        const size_t len = mxGetNumberOfElements(c) + 1;
        names[k] = mxMalloc(len);
        if (mxGetString(c, names[k], len) != 0)
            names[k][0] = '\0';
    }
    return (const char *const *)names;
}

/* Run pass p of the stream: one forward of m over bt with the pass's
 * requests, then check that every request fired.  On error: free the
 * stream's scratch, raise. */
static void run(cka_stream *st, int p, const tfm_model *m, const tfm_batch *bt)
{
    cka_error err;
    cka_error_clear(&err);
    const cka_stream_pass *ps = &st->passes[p];
    const char *label = st->model_label[ps->side];
    tfm_hook_request req = {ps->n_req, ps->modules};
    size_t bytes = tfm_workspace_size(&m->cfg, bt->B, bt->T);
    char what[160];
    snprintf(what, sizeof what, "the workspace of %s for a batch of %lld x %lld tokens", label,
             (long long)bt->B, (long long)bt->T);
    if (bytes == 0)
        cka_error_set(&err, "cka:memory:tooLarge", "%s: the size overflows", what);
    if (bytes == 0 || cka_mem_check(bytes, 1, what, &err) != 0) {
        cka_stream_free(st);
        mexutil_raise(&err);
    }
    void *ws = mxMalloc(bytes);
    sink_ctx c = {st, p, bt->mask, bt->B, bt->T};
    const double t0 = now(), g0 = time_gram;
    int rc = tfm_forward_ws(m, bt, &req, sink, &c, ws, &err);
    time_forward += (now() - t0) - (time_gram - g0);
    mxFree(ws);
    if (rc == 0)
        rc = cka_stream_check_fired(st, p, &err);
    if (rc) {
        cka_stream_free(st);
        mexutil_raise(&err);
    }
}

/* One comparison: the bound models, the resolved layers, the options. */
typedef struct session {
    double id;               /* 0: free slot */
    int same_model;
    tfm_model m[2];
    int L[2];
    int *mods[2];
    const char *const *names[2];
    cka_pooling pooling;
    cka_options opts;
    cka_mex_perm perm;
    int features;
} session;

/* Open sessions (a Callback may run a cka_compare of its own: nesting). */
enum { MAX_SESSIONS = 16 };
static session sessions[MAX_SESSIONS];
static double next_id = 1.0;

/* Fill s from (model1, model2, layers1, layers2, pooling, opts, stats);
 * stats may be NULL; its memory is mx memory of this call (persistent only
 * once stored). */
static void session_init(session *s, const mxArray *const in[7])
{
    memset(s, 0, sizeof *s);
    s->same_model = mxIsEmpty(in[1]);
    const mxArray *layers[2] = {in[2], in[3]};
    if (!mxIsCell(layers[0]) || !mxIsCell(layers[1]))
        mexErrMsgIdAndTxt("cka:input:badOption", "layer lists must be cellstrs");
    char pool_name[16];
    if (!mxIsChar(in[4]) || mxGetString(in[4], pool_name, sizeof pool_name))
        mexErrMsgIdAndTxt("cka:input:badOption", "Pooling must be a string");
    cka_error err;
    cka_error_clear(&err);
    if (cka_pooling_from_name(pool_name, &s->pooling, &err))
        mexutil_raise(&err);
    s->opts = cka_mex_options(in[5]);
    s->perm = cka_mex_perm_options(in[6]);
    s->features = in[6] != NULL && !mxIsEmpty(in[6])
                  && cka_mex_field_scalar(in[6], "features") != 0.0;
    if (mexmodel_bind(in[0], &s->m[0], &err))
        mexutil_raise(&err);
    if (s->same_model)
        s->m[1] = s->m[0];
    else if (mexmodel_bind(in[1], &s->m[1], &err))
        mexutil_raise(&err);
    for (int k = 0; k < 2; k++) {
        s->mods[k] = resolve(&s->m[k].cfg, layers[k], &s->L[k]);
        s->names[k] = layer_names(layers[k]);
    }
    if (s->L[0] == 0 || s->L[1] == 0)
        mexErrMsgIdAndTxt("cka:input:noLayers", "no layers to compare");
}

/* The mx memory of a session, made persistent (stored) or freed (closed). */
static void session_memory(session *s, int keep)
{
    void (*op)(void *) = keep ? mexMakeMemoryPersistent : mxFree;
    for (int k = 0; k < 2; k++) {
        if (k == 0 || !s->same_model)
            op(s->m[k].layers);
        op(s->mods[k]);
        for (int j = 0; j < s->L[k]; j++)
            if (s->names[k][j] != NULL)
                op((void *)s->names[k][j]);
        op((void *)s->names[k]);
    }
}

static void close_all(void)
{
    for (int k = 0; k < MAX_SESSIONS; k++)
        if (sessions[k].id != 0.0) {
            session_memory(&sessions[k], 0);
            sessions[k].id = 0.0;
        }
}

static session *session_find(const mxArray *id_arg)
{
    const double id = mexutil_get_scalar(id_arg, "session");
    for (int k = 0; k < MAX_SESSIONS; k++)
        if (id != 0.0 && sessions[k].id == id)
            return &sessions[k];
    mexErrMsgIdAndTxt("cka:internal:noSession", "no open comparison session %g", id);
}

/* Batch k of session s: b2 NULL or [] = the same batch as b1. */
static void run_batch(const session *s, const mxArray *b1, const mxArray *b2, uint64_t k_batch,
                      int nlhs, mxArray *plhs[])
{
    const int same_batch = b2 == NULL || mxIsEmpty(b2);
    cka_stream st;
    memset(&st, 0, sizeof st);
    st.pooling = s->pooling;
    st.opts = s->opts;
    tfm_batch bt[2];
    read_batch(b1, &s->m[0].cfg, &bt[0], "data");
    if (same_batch)
        bt[1] = bt[0];
    else
        read_batch(b2, &s->m[1].cfg, &bt[1], "Data2");
    const int *L = s->L;
    size_t n[2];
    for (int k = 0; k < 2; k++)
        n[k] = cka_pool_count(st.pooling, bt[k].mask, bt[k].B, bt[k].T);
    if (n[0] != n[1])
        mexErrMsgIdAndTxt("cka:input:sampleMismatch",
                          "the two sides have %zu and %zu samples in this batch (with \"tokens\" "
                          "pooling both inputs must have the same number of non-padding tokens)",
                          n[0], n[1]);
    if (n[0] < cka_min_samples(&st.opts))
        mexErrMsgIdAndTxt("cka:input:tooFewSamples",
                          "the %s HSIC estimator needs n > %zu samples per batch, got n = %zu",
                          st.opts.unbiased ? "unbiased" : "biased", cka_min_samples(&st.opts) - 1,
                          n[0]);
    cka_gram_set sets[2];
    cka_mex_alloc_set(&sets[0], n[0], (size_t)L[0]);
    cka_mex_alloc_set(&sets[1], n[1], (size_t)L[1]);
    st.sets[0] = &sets[0];
    st.sets[1] = &sets[1];
    st.names[0] = s->names[0];
    st.names[1] = s->names[1];
    st.model_label[0] = "model1";
    st.model_label[1] = s->same_model ? "model1 (second list)" : "model2";
    cka_stream_plan(&st, s->mods[0], L[0], s->mods[1], L[1], s->same_model && same_batch,
                    mxMalloc(cka_stream_plan_bytes(L[0], L[1])));
    features_ctx fc = {{NULL, NULL}};
    if (s->features) {
        fc.cells[0] = mxCreateCellMatrix((mwSize)L[0], 1);
        fc.cells[1] = mxCreateCellMatrix((mwSize)L[1], 1);
        st.features_out = keep_features;
        st.features_ctx = &fc;
    }
    for (int p = 0; p < st.n_passes; p++)
        run(&st, p, &s->m[st.passes[p].side], &bt[st.passes[p].side]);
    cka_stream_free(&st);

    mxArray *out[7];
    out[0] = mxCreateDoubleMatrix((mwSize)L[0], (mwSize)L[1], mxREAL);
    out[1] = mxCreateDoubleMatrix((mwSize)L[0], 1, mxREAL);
    out[2] = mxCreateDoubleMatrix((mwSize)L[1], 1, mxREAL);
    out[3] = mxCreateDoubleScalar((double)n[0]);
    const double t0 = now();
    cka_stream_hsic(&st, mxGetPr(out[0]), mxGetPr(out[1]), mxGetPr(out[2]));
    out[4] = cka_mex_permuted(&sets[0], &sets[1], &st.opts, &s->perm, k_batch);
    time_hsic += now() - t0;
    time_calls += 1.0;
    out[5] = fc.cells[0] != NULL ? fc.cells[0] : mxCreateCellMatrix(0, 0);
    out[6] = fc.cells[1] != NULL ? fc.cells[1] : mxCreateCellMatrix(0, 0);
    for (int k = 0; k < 7; k++) {
        if (k < (nlhs > 1 ? nlhs : 1))
            plhs[k] = out[k];
        else
            mxDestroyArray(out[k]);
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
    char verb[8] = "";
    if (mxIsChar(prhs[0]))
        mxGetString(prhs[0], verb, sizeof verb);
    if (strcmp(verb, "open") == 0 && (nrhs == 7 || nrhs == 8)) {
        int k = 0;
        while (k < MAX_SESSIONS && sessions[k].id != 0.0)
            k++;
        if (k == MAX_SESSIONS)
            mexErrMsgIdAndTxt("cka:internal:tooManySessions",
                              "more than %d comparisons open at once", MAX_SESSIONS);
        session s;
        const mxArray *in[7] = {prhs[1], prhs[2], prhs[3], prhs[4], prhs[5], prhs[6],
                                nrhs == 8 ? prhs[7] : NULL};
        session_init(&s, in);
        session_memory(&s, 1);
        s.id = next_id++;
        sessions[k] = s;
        mexAtExit(close_all);
        plhs[0] = mxCreateDoubleScalar(s.id);
    } else if (strcmp(verb, "batch") == 0 && (nrhs == 4 || nrhs == 5)) {
        const uint64_t k = nrhs == 5 ? (uint64_t)mexutil_get_scalar(prhs[4], "batch") : 1;
        run_batch(session_find(prhs[1]), prhs[2], prhs[3], k, nlhs, plhs);
    } else if (strcmp(verb, "close") == 0 && nrhs == 2) {
        session *s = session_find(prhs[1]);
        session_memory(s, 0);
        s->id = 0.0;
    } else if (nrhs == 8) {
        const mxArray *in[7] = {prhs[0], prhs[1], prhs[4], prhs[5], prhs[6], prhs[7], NULL};
        session s;
        session_init(&s, in);
        run_batch(&s, prhs[2], prhs[3], 1, nlhs, plhs);
    } else {
        mexErrMsgIdAndTxt("cka:input:nargs",
                          "__cka_compare_batch__: expected (\"open\", model1, model2, layers1, "
                          "layers2, pooling, opts[, stats]), (\"batch\", id, b1, b2[, k]), "
                          "(\"close\", id) "
                          "or the 8-argument one-call form");
    }
}
