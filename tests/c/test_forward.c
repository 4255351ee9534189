/* Unit tests of the C forward passes (src/core/model/tfm.c, arch_*.c, ops.c,
 * hooks.c) against a naive double-precision reference written from
 * shared/spec/transformers.md with explicit index formulas for the weight
 * layouts (no BLAS), on small random models with padding.  Also: module
 * names, name lookup, early stop, callback errors, input validation and
 * the portable random generator. */
#include "check.h"
#include "model/arch_bert.h"
#include "model/arch_distilbert.h"
#include "model/arch_gpt2.h"
#include "model/hooks.h"
#include "model/registry.h"
#include "model/tfm.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { B = 2, T = 5, H = 8, NH = 2, I = 12, V = 20, P = 7, L = 2, TV = 3 };
enum { N = B * T, D = H / NH };

/* ---- a random model: one buffer per parameter --------------------------- */

typedef struct test_model {
    tfm_model m;
    tfm_layer layers[L];
    int np;
    tfm_param params[64];
    float *data[64];
} test_model;

static void make_model(test_model *tm, tfm_arch arch, uint64_t seed)
{
    tfm_config cfg;
    tfm_config_defaults(&cfg, arch);
    cfg.vocab_size = V;
    cfg.hidden = H;
    cfg.n_layers = L;
    cfg.n_heads = NH;
    cfg.inner = I;
    cfg.max_positions = P;
    cfg.type_vocab = arch == TFM_ARCH_BERT ? TV : 0;
    tfm_model_init(&tm->m, &cfg, tm->layers);
    tm->np = tfm_param_count(&cfg);
    tfm_param_list(&tm->m, tm->params);
    for (int k = 0; k < tm->np; k++) {
        size_t n = (size_t)(tm->params[k].shape[0] * tm->params[k].shape[1]);
        tm->data[k] = malloc(n * sizeof(float));
        tfm_randn(seed, (uint64_t)k, 0.5f, tm->data[k], n);
        if (tm->params[k].ndim == 1 && strstr(tm->params[k].name, ".weight"))
            for (size_t j = 0; j < n; j++)
                tm->data[k][j] += 1.0f;          /* LayerNorm gains around 1 */
        tfm_param_bind(&tm->params[k], tm->data[k], TFM_F32);
    }
}

static void free_model(test_model *tm)
{
    for (int k = 0; k < tm->np; k++)
        free(tm->data[k]);
}

/* ---- reference forward in double ---------------------------------------- */

/* Stored reference outputs, one per module index. */
typedef struct ref_store {
    double *val[256];
    int64_t size[256];
} ref_store;

static void ref_put(ref_store *rs, int mod, const double *x, int64_t n)
{
    free(rs->val[mod]);
    rs->val[mod] = malloc((size_t)n * sizeof(double));
    memcpy(rs->val[mod], x, (size_t)n * sizeof(double));
    rs->size[mod] = n;
}

static void ref_free(ref_store *rs)
{
    for (int k = 0; k < 256; k++)
        free(rs->val[k]);
}

/* Linear: PyTorch W [out, in], element (o, i) at W[o + out*i]. */
static void ref_linear(double *y, const double *x, int n, int in, int out, tfm_weight Wt,
                       const float *b)
{
    const float *W = Wt.data;   /* the test models are float32 */
    for (int r = 0; r < n; r++)
        for (int o = 0; o < out; o++) {
            double s = b[o];
            for (int i = 0; i < in; i++)
                s += x[r * in + i] * W[o + out * i];
            y[r * out + o] = s;
        }
}

/* Conv1D: PyTorch W [in, out], element (i, o) at W[i + in*o]. */
static void ref_conv1d(double *y, const double *x, int n, int in, int out, tfm_weight Wt,
                       const float *b)
{
    const float *W = Wt.data;
    for (int r = 0; r < n; r++)
        for (int o = 0; o < out; o++) {
            double s = b[o];
            for (int i = 0; i < in; i++)
                s += x[r * in + i] * W[i + in * o];
            y[r * out + o] = s;
        }
}

/* Embedding row v of a [num, dim] table: element (v, j) at E[v + num*j]. */
static double ref_emb(tfm_weight E, int num, int v, int j)
{
    return ((const float *)E.data)[v + num * j];
}

static void ref_layernorm(double *y, const double *x, int n, int h, const float *g,
                          const float *b, double eps)
{
    for (int r = 0; r < n; r++) {
        double mu = 0, var = 0;
        for (int j = 0; j < h; j++)
            mu += x[r * h + j];
        mu /= h;
        for (int j = 0; j < h; j++)
            var += (x[r * h + j] - mu) * (x[r * h + j] - mu);
        var /= h;
        for (int j = 0; j < h; j++)
            y[r * h + j] = (x[r * h + j] - mu) / sqrt(var + eps) * g[j] + b[j];
    }
}

static double ref_act(double x, tfm_act act)
{
    if (act == TFM_ACT_GELU)
        return 0.5 * x * (1 + erf(x / sqrt(2.0)));
    return 0.5 * x * (1 + tanh(sqrt(2 / 3.14159265358979323846) * (x + 0.044715 * x * x * x)));  /* gelu_new */
}

/* Attention of all heads.  mode 0 BERT (scores / sqrt d + additive mask),
 * 1 GPT-2 (scores / sqrt d, causal replacement, additive mask), 2 DistilBERT
 * (q / sqrt d, replacement mask).  q, k, v rows have stride ld. The masking
 * step is done in float32 like PyTorch, so fully masked rows come out
 * uniform exactly as there. */
static void ref_attention(double *probs, double *ctx, const double *q, const double *k,
                          const double *v, int ld, const float *mask, int mode, double div)
{
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++)
            for (int i = 0; i < T; i++) {
                double s[T], mx = -INFINITY, sum = 0;
                for (int j = 0; j < T; j++) {
                    double dot = 0;
                    for (int e = 0; e < D; e++) {
                        double qe = q[(b * T + i) * ld + h * D + e];
                        if (mode == 2)
                            qe = qe / sqrt((double)D);
                        dot += qe * k[(b * T + j) * ld + h * D + e];
                    }
                    float m = mask ? mask[b * T + j] : 1.0f;
                    float sf = (float)(mode == 2 ? dot : dot / div);
                    if (mode == 1 && j > i)
                        sf = -FLT_MAX;
                    if (mode == 2) {
                        if (m == 0.0f)
                            sf = -FLT_MAX;
                    } else if (mask != NULL) {
                        sf = sf + (1.0f - m) * -FLT_MAX;
                    }
                    s[j] = sf;
                    mx = s[j] > mx ? s[j] : mx;
                }
                for (int j = 0; j < T; j++)
                    sum += (s[j] = exp(s[j] - mx));
                for (int j = 0; j < T; j++)
                    probs[((b * NH + h) * T + i) * T + j] = s[j] / sum;
                for (int e = 0; e < D; e++) {
                    double c = 0;
                    for (int j = 0; j < T; j++)
                        c += probs[((b * NH + h) * T + i) * T + j] * v[(b * T + j) * ld + h * D + e];
                    ctx[(b * T + i) * H + h * D + e] = c;
                }
            }
}

static void add(double *y, const double *a, int n)
{
    for (int k = 0; k < n; k++)
        y[k] += a[k];
}

static void ref_bert(const tfm_model *m, const int64_t *ids, const float *mask,
                     const int64_t *tt, ref_store *rs)
{
    static double x[N * H], t[N * H], q[N * H], k[N * H], v[N * H], ctx[N * H], a[N * H];
    static double f[N * I], probs[B * NH * T * T], pos[T * H];
    for (int n = 0; n < N; n++)
        for (int j = 0; j < H; j++) {
            double w = ref_emb(m->word_emb, V, (int)ids[n], j);
            double ty = ref_emb(m->type_emb, TV, tt ? (int)tt[n] : 0, j);
            x[n * H + j] = w;
            t[n * H + j] = ty;
        }
    ref_put(rs, BERT_EMB_WORD, x, N * H);
    ref_put(rs, BERT_EMB_TYPE, t, N * H);
    for (int i = 0; i < T; i++)
        for (int j = 0; j < H; j++)
            pos[i * H + j] = ref_emb(m->pos_emb, P, i, j);
    ref_put(rs, BERT_EMB_POS, pos, T * H);
    for (int n = 0; n < N; n++)
        for (int j = 0; j < H; j++)
            x[n * H + j] = (x[n * H + j] + t[n * H + j]) + pos[(n % T) * H + j];
    ref_layernorm(x, x, N, H, m->emb_ln.w, m->emb_ln.b, m->cfg.ln_eps);
    ref_put(rs, BERT_EMB_LN, x, N * H);
    ref_put(rs, BERT_EMB_DROP, x, N * H);
    ref_put(rs, BERT_EMB, x, N * H);
    for (int l = 0; l < L; l++) {
        const tfm_layer *w = &m->layers[l];
        int base = BERT_NPRE + l * BERT_NBLOCK;
        ref_linear(q, x, N, H, H, w->q.w, w->q.b);
        ref_linear(k, x, N, H, H, w->k.w, w->k.b);
        ref_linear(v, x, N, H, H, w->v.w, w->v.b);
        ref_put(rs, base + BERT_L_QUERY, q, N * H);
        ref_put(rs, base + BERT_L_KEY, k, N * H);
        ref_put(rs, base + BERT_L_VALUE, v, N * H);
        ref_attention(probs, ctx, q, k, v, H, mask, 0, sqrt((double)D));
        ref_put(rs, base + BERT_L_PROBS, probs, B * NH * T * T);
        ref_put(rs, base + BERT_L_SELF, ctx, N * H);
        ref_linear(a, ctx, N, H, H, w->o.w, w->o.b);
        ref_put(rs, base + BERT_L_ATT_DENSE, a, N * H);
        ref_put(rs, base + BERT_L_ATT_DROP, a, N * H);
        add(a, x, N * H);
        ref_layernorm(a, a, N, H, w->ln1.w, w->ln1.b, m->cfg.ln_eps);
        ref_put(rs, base + BERT_L_ATT_LN, a, N * H);
        ref_put(rs, base + BERT_L_ATT_OUT, a, N * H);
        ref_put(rs, base + BERT_L_ATT, a, N * H);
        ref_linear(f, a, N, H, I, w->fc1.w, w->fc1.b);
        ref_put(rs, base + BERT_L_INTER_DENSE, f, N * I);
        for (int e = 0; e < N * I; e++)
            f[e] = ref_act(f[e], TFM_ACT_GELU);
        ref_put(rs, base + BERT_L_INTER_ACT, f, N * I);
        ref_put(rs, base + BERT_L_INTER, f, N * I);
        ref_linear(t, f, N, I, H, w->fc2.w, w->fc2.b);
        ref_put(rs, base + BERT_L_OUT_DENSE, t, N * H);
        ref_put(rs, base + BERT_L_OUT_DROP, t, N * H);
        add(t, a, N * H);
        ref_layernorm(x, t, N, H, w->ln2.w, w->ln2.b, m->cfg.ln_eps);
        ref_put(rs, base + BERT_L_OUT_LN, x, N * H);
        ref_put(rs, base + BERT_L_OUT, x, N * H);
        ref_put(rs, base + BERT_L, x, N * H);
    }
    ref_put(rs, BERT_ENCODER, x, N * H);
    ref_put(rs, BERT_ROOT, x, N * H);
    double first[B * H], pooled[B * H];
    for (int b = 0; b < B; b++)
        memcpy(first + b * H, x + b * T * H, H * sizeof(double));
    ref_linear(pooled, first, B, H, H, m->pooler.w, m->pooler.b);
    int post = BERT_NPRE + L * BERT_NBLOCK;
    ref_put(rs, post + BERT_POOLER_DENSE, pooled, B * H);
    for (int e = 0; e < B * H; e++)
        pooled[e] = tanh(pooled[e]);
    ref_put(rs, post + BERT_POOLER_ACT, pooled, B * H);
    ref_put(rs, post + BERT_POOLER, pooled, B * H);
}

static void ref_gpt2(const tfm_model *m, const int64_t *ids, const float *mask, ref_store *rs)
{
    static double x[N * H], t[N * H], qkv[N * 3 * H], ctx[N * H], f[N * I];
    static double probs[B * NH * T * T], pos[T * H];
    for (int n = 0; n < N; n++)
        for (int j = 0; j < H; j++)
            x[n * H + j] = ref_emb(m->word_emb, V, (int)ids[n], j);
    ref_put(rs, GPT2_WTE, x, N * H);
    for (int i = 0; i < T; i++)
        for (int j = 0; j < H; j++)
            pos[i * H + j] = ref_emb(m->pos_emb, P, i, j);
    ref_put(rs, GPT2_WPE, pos, T * H);
    for (int n = 0; n < N; n++)
        for (int j = 0; j < H; j++)
            x[n * H + j] += pos[(n % T) * H + j];
    ref_put(rs, GPT2_DROP, x, N * H);
    for (int l = 0; l < L; l++) {
        const tfm_layer *w = &m->layers[l];
        int base = GPT2_NPRE + l * GPT2_NBLOCK;
        ref_layernorm(t, x, N, H, w->ln1.w, w->ln1.b, m->cfg.ln_eps);
        ref_put(rs, base + GPT2_L_LN1, t, N * H);
        ref_conv1d(qkv, t, N, H, 3 * H, w->qkv.w, w->qkv.b);
        ref_put(rs, base + GPT2_L_C_ATTN, qkv, N * 3 * H);
        double div = (m->cfg.scale_attn_weights ? sqrt((double)D) : 1.0)
                     * (m->cfg.scale_attn_by_inverse_layer_idx ? l + 1.0 : 1.0);
        ref_attention(probs, ctx, qkv, qkv + H, qkv + 2 * H, 3 * H, mask, 1, div);
        ref_put(rs, base + GPT2_L_PROBS, probs, B * NH * T * T);
        ref_conv1d(t, ctx, N, H, H, w->o.w, w->o.b);
        ref_put(rs, base + GPT2_L_ATTN_PROJ, t, N * H);
        ref_put(rs, base + GPT2_L_RESID_DROP, t, N * H);
        ref_put(rs, base + GPT2_L_ATTN, t, N * H);
        add(x, t, N * H);
        ref_layernorm(t, x, N, H, w->ln2.w, w->ln2.b, m->cfg.ln_eps);
        ref_put(rs, base + GPT2_L_LN2, t, N * H);
        ref_conv1d(f, t, N, H, I, w->fc1.w, w->fc1.b);
        ref_put(rs, base + GPT2_L_FC, f, N * I);
        for (int e = 0; e < N * I; e++)
            f[e] = ref_act(f[e], TFM_ACT_GELU_NEW);
        ref_put(rs, base + GPT2_L_ACT, f, N * I);
        ref_conv1d(t, f, N, I, H, w->fc2.w, w->fc2.b);
        ref_put(rs, base + GPT2_L_MLP_PROJ, t, N * H);
        ref_put(rs, base + GPT2_L_MLP_DROP, t, N * H);
        ref_put(rs, base + GPT2_L_MLP, t, N * H);
        add(x, t, N * H);
        ref_put(rs, base + GPT2_L, x, N * H);
    }
    ref_layernorm(t, x, N, H, m->final_ln.w, m->final_ln.b, m->cfg.ln_eps);
    ref_put(rs, GPT2_NPRE + L * GPT2_NBLOCK + GPT2_LN_F, t, N * H);
    ref_put(rs, GPT2_ROOT, t, N * H);
}

static void ref_distilbert(const tfm_model *m, const int64_t *ids, const float *mask,
                           ref_store *rs)
{
    static double x[N * H], t[N * H], q[N * H], k[N * H], v[N * H], ctx[N * H], a[N * H];
    static double f[N * I], probs[B * NH * T * T], pos[T * H];
    for (int n = 0; n < N; n++)
        for (int j = 0; j < H; j++)
            x[n * H + j] = ref_emb(m->word_emb, V, (int)ids[n], j);
    ref_put(rs, DBERT_EMB_WORD, x, N * H);
    for (int i = 0; i < T; i++)
        for (int j = 0; j < H; j++)
            pos[i * H + j] = ref_emb(m->pos_emb, P, i, j);
    ref_put(rs, DBERT_EMB_POS, pos, T * H);
    for (int n = 0; n < N; n++)
        for (int j = 0; j < H; j++)
            x[n * H + j] += pos[(n % T) * H + j];
    ref_layernorm(x, x, N, H, m->emb_ln.w, m->emb_ln.b, 1e-12);
    ref_put(rs, DBERT_EMB_LN, x, N * H);
    ref_put(rs, DBERT_EMB_DROP, x, N * H);
    ref_put(rs, DBERT_EMB, x, N * H);
    for (int l = 0; l < L; l++) {
        const tfm_layer *w = &m->layers[l];
        int base = DBERT_NPRE + l * DBERT_NBLOCK;
        ref_linear(q, x, N, H, H, w->q.w, w->q.b);
        ref_linear(k, x, N, H, H, w->k.w, w->k.b);
        ref_linear(v, x, N, H, H, w->v.w, w->v.b);
        ref_put(rs, base + DBERT_L_Q, q, N * H);
        ref_put(rs, base + DBERT_L_K, k, N * H);
        ref_put(rs, base + DBERT_L_V, v, N * H);
        ref_attention(probs, ctx, q, k, v, H, mask, 2, 1.0);
        ref_put(rs, base + DBERT_L_PROBS, probs, B * NH * T * T);
        ref_linear(a, ctx, N, H, H, w->o.w, w->o.b);
        ref_put(rs, base + DBERT_L_OUT_LIN, a, N * H);
        ref_put(rs, base + DBERT_L_ATT, a, N * H);
        add(a, x, N * H);
        ref_layernorm(a, a, N, H, w->ln1.w, w->ln1.b, 1e-12);
        ref_put(rs, base + DBERT_L_SA_LN, a, N * H);
        ref_linear(f, a, N, H, I, w->fc1.w, w->fc1.b);
        ref_put(rs, base + DBERT_L_LIN1, f, N * I);
        for (int e = 0; e < N * I; e++)
            f[e] = ref_act(f[e], TFM_ACT_GELU);
        ref_put(rs, base + DBERT_L_ACT, f, N * I);
        ref_linear(t, f, N, I, H, w->fc2.w, w->fc2.b);
        ref_put(rs, base + DBERT_L_LIN2, t, N * H);
        ref_put(rs, base + DBERT_L_FFN_DROP, t, N * H);
        ref_put(rs, base + DBERT_L_FFN, t, N * H);
        add(t, a, N * H);
        ref_layernorm(x, t, N, H, w->ln2.w, w->ln2.b, 1e-12);
        ref_put(rs, base + DBERT_L_OUT_LN, x, N * H);
        ref_put(rs, base + DBERT_L, x, N * H);
    }
    ref_put(rs, DBERT_TRANSFORMER, x, N * H);
    ref_put(rs, DBERT_ROOT, x, N * H);
}

/* ---- the sink used by the tests ----------------------------------------- */

typedef struct compare_ctx {
    const ref_store *rs;
    const int *modules;
    int calls;
    int last_request;
    double worst;            /* max error / max(1, max|ref|) */
    int fail_at;             /* call number that returns an error, or -1 */
} compare_ctx;

static int compare_sink(void *vctx, int r, const tfm_activation *a, cka_error *err)
{
    compare_ctx *c = vctx;
    c->calls++;
    c->last_request = r;
    if (c->calls == c->fail_at)
        return cka_error_set(err, "cka:test:stop", "stop requested by the test");
    int mod = c->modules[r];
    int64_t n = 1;
    for (int k = 0; k < a->ndim; k++)
        n *= a->shape[k];
    const double *ref = c->rs->val[mod];
    CHECK(ref != NULL && c->rs->size[mod] == n, "module %d: size %lld vs reference %lld", mod,
          (long long)n, (long long)c->rs->size[mod]);
    if (ref == NULL || c->rs->size[mod] != n)
        return 0;
    double mx = 1, e = 0;
    for (int64_t k = 0; k < n; k++) {
        mx = fmax(mx, fabs(ref[k]));
        e = fmax(e, fabs(a->data[k] - ref[k]));
    }
    CHECK(e / mx < 1e-5, "module %d: error %g", mod, e / mx);
    c->worst = fmax(c->worst, e / mx);
    return 0;
}

static const int64_t test_ids[N] = {3, 7, 1, 19, 0, 5, 0, 12, 8, 2};
static const float test_mask[N] = {1, 1, 1, 1, 1, 0, 1, 1, 1, 0};
static const int64_t test_tt[N] = {0, 0, 1, 1, 2, 0, 1, 1, 1, 0};

/* Run every hookable module of arch against the reference. */
static void check_arch_flags(tfm_arch arch, const float *mask, const int64_t *tt, int gpt2_flags)
{
    test_model tm;
    make_model(&tm, arch, 11 + (uint64_t)arch);
    if (gpt2_flags) {               /* scale_attn_weights off/on, by layer, reorder */
        tm.m.cfg.scale_attn_weights = gpt2_flags != 1;
        tm.m.cfg.scale_attn_by_inverse_layer_idx = 1;
        tm.m.cfg.reorder_and_upcast_attn = gpt2_flags == 3;
    }
    ref_store rs;
    memset(&rs, 0, sizeof rs);
    if (arch == TFM_ARCH_BERT)
        ref_bert(&tm.m, test_ids, mask, tt, &rs);
    else if (arch == TFM_ARCH_GPT2)
        ref_gpt2(&tm.m, test_ids, mask, &rs);
    else
        ref_distilbert(&tm.m, test_ids, mask, &rs);

    const int nm = tfm_module_count(&tm.m.cfg);
    int mods[256], nreq = 0;
    for (int k = 0; k < nm; k++)
        if (!tfm_module_is_container(&tm.m.cfg, k))
            mods[nreq++] = k;
    tfm_batch bt = {B, T, test_ids, mask, tt};
    tfm_hook_request req = {nreq, mods};
    compare_ctx c = {&rs, mods, 0, -1, 0, -1};
    cka_error err;
    cka_error_clear(&err);
    int rc = tfm_forward(&tm.m, &bt, &req, compare_sink, &c, &err);
    CHECK(rc == 0, "%s", err.msg);
    CHECK(c.calls == nreq, "%d calls for %d requests", c.calls, nreq);
    printf("  %s%s: %d hooks, worst relative error %.2e\n", tfm_arch_name(arch),
           mask ? " (padded)" : "", nreq, c.worst);
    ref_free(&rs);
    free_model(&tm);
}

static void check_arch(tfm_arch arch, const float *mask, const int64_t *tt)
{
    check_arch_flags(arch, mask, tt, 0);
}

static void test_bert_matches_reference(void)
{
    check_arch(TFM_ARCH_BERT, NULL, NULL);
    check_arch(TFM_ARCH_BERT, test_mask, test_tt);
}

static void test_gpt2_matches_reference(void)
{
    check_arch(TFM_ARCH_GPT2, NULL, NULL);
    check_arch(TFM_ARCH_GPT2, test_mask, NULL);
    for (int flags = 1; flags <= 3; flags++)
        check_arch_flags(TFM_ARCH_GPT2, test_mask, NULL, flags);
}

static void test_distilbert_matches_reference(void)
{
    check_arch(TFM_ARCH_DISTILBERT, NULL, NULL);
    check_arch(TFM_ARCH_DISTILBERT, test_mask, NULL);
}

/* GPT-2, left-padded row: query 0 sees uniform weights over the keys that
 * are not both future and padded (spec §2.6). */
static void test_gpt2_fully_masked_row(void)
{
    test_model tm;
    make_model(&tm, TFM_ARCH_GPT2, 5);
    const float mask[N] = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
    int mod = GPT2_NPRE + GPT2_L_PROBS;
    tfm_batch bt = {B, T, test_ids, mask, NULL};
    tfm_hook_request req = {1, &mod};
    ref_store rs;
    memset(&rs, 0, sizeof rs);
    ref_gpt2(&tm.m, test_ids, mask, &rs);
    compare_ctx c = {&rs, &mod, 0, -1, 0, -1};
    cka_error err;
    CHECK(tfm_forward(&tm.m, &bt, &req, compare_sink, &c, &err) == 0, "%s", err.msg);
    const double *p = rs.val[mod];
    /* batch 0, head 0, m = [0 0 1 1 1]: query 0 -> [1/4 0 1/4 1/4 1/4] (key 1 is
     * future AND padded: NEG + NEG = -inf), query 1 -> uniform 1/5 */
    CHECK(p[0] == 0.25 && p[1] == 0.0 && p[2] == 0.25 && p[4] == 0.25, "query 0: %g %g %g",
          p[0], p[1], p[4]);
    CHECK(fabs(p[T] - 0.2) < 1e-15 && fabs(p[T + 4] - 0.2) < 1e-15, "query 1: %g", p[T]);
    ref_free(&rs);
    free_model(&tm);
}

/* The pass stops after the last requested module: the embeddings hook is
 * delivered and nothing else is computed (no call after it). */
static void test_early_stop_and_errors(void)
{
    test_model tm;
    make_model(&tm, TFM_ARCH_BERT, 3);
    ref_store rs;
    memset(&rs, 0, sizeof rs);
    ref_bert(&tm.m, test_ids, NULL, NULL, &rs);
    int mods[3] = {BERT_EMB, BERT_EMB_WORD, BERT_EMB};
    tfm_batch bt = {B, T, test_ids, NULL, NULL};
    tfm_hook_request req = {3, mods};
    compare_ctx c = {&rs, mods, 0, -1, 0, -1};
    cka_error err;
    CHECK(tfm_forward(&tm.m, &bt, &req, compare_sink, &c, &err) == 0, "%s", err.msg);
    CHECK(c.calls == 3, "calls %d", c.calls);
    CHECK(c.last_request == 2, "last request %d", c.last_request);

    /* a callback error aborts with that error */
    compare_ctx c2 = {&rs, mods, 0, -1, 0, 2};
    cka_error_clear(&err);
    CHECK(tfm_forward(&tm.m, &bt, &req, compare_sink, &c2, &err) == -1, "no error");
    CHECK(strcmp(err.id, "cka:test:stop") == 0, "id %s", err.id);
    CHECK(c2.calls == 2, "calls %d", c2.calls);

    /* no request: nothing computed, no call */
    tfm_hook_request none = {0, NULL};
    compare_ctx c3 = {&rs, mods, 0, -1, 0, -1};
    CHECK(tfm_forward(&tm.m, &bt, &none, compare_sink, &c3, &err) == 0 && c3.calls == 0, "none");

    /* bad input */
    int64_t bad_ids[N];
    memcpy(bad_ids, test_ids, sizeof bad_ids);
    bad_ids[7] = V;
    tfm_batch bb = {B, T, bad_ids, NULL, NULL};
    CHECK(tfm_forward(&tm.m, &bb, &req, compare_sink, &c, &err) == -1
          && strcmp(err.id, "cka:input:tokenOutOfRange") == 0, "id %s", err.id);
    bad_ids[7] = -1;
    CHECK(tfm_forward(&tm.m, &bb, &req, compare_sink, &c, &err) == -1
          && strcmp(err.id, "cka:input:tokenOutOfRange") == 0, "id %s", err.id);
    int64_t long_ids[8 * 1] = {1, 2, 3, 4, 5, 6, 7, 8};
    tfm_batch bl = {1, 8, long_ids, NULL, NULL};
    CHECK(tfm_forward(&tm.m, &bl, &req, compare_sink, &c, &err) == -1
          && strcmp(err.id, "cka:input:sequenceTooLong") == 0, "id %s", err.id);
    int64_t tt[N] = {0};
    tt[3] = TV;
    tfm_batch btt = {B, T, test_ids, NULL, tt};
    CHECK(tfm_forward(&tm.m, &btt, &req, compare_sink, &c, &err) == -1
          && strcmp(err.id, "cka:input:tokenTypeOutOfRange") == 0, "id %s", err.id);
    int bad_mod = BERT_LAYERS;
    tfm_hook_request rq_bad = {1, &bad_mod};
    CHECK(tfm_forward(&tm.m, &bt, &rq_bad, compare_sink, &c, &err) == -1
          && strcmp(err.id, "cka:input:containerHook") == 0, "id %s", err.id);
    const tfm_weight saved = tm.m.layers[1].fc2.w;
    tm.m.layers[1].fc2.w.data = NULL;
    CHECK(tfm_forward(&tm.m, &bt, &req, compare_sink, &c, &err) == -1
          && strcmp(err.id, "cka:input:missingWeight") == 0
          && strstr(err.msg, "encoder.layer.1.output.dense.weight") != NULL, "%s", err.msg);
    tm.m.layers[1].fc2.w = saved;
    ref_free(&rs);
    free_model(&tm);
}

static void test_module_names(void)
{
    tfm_config cfg;
    char buf[160];
    int idx;
    cka_error err;
    tfm_config_defaults(&cfg, TFM_ARCH_BERT);
    cfg.n_layers = 12;
    CHECK(tfm_module_count(&cfg) == 228, "bert-base has 228 modules, got %d",
          tfm_module_count(&cfg));
    tfm_module_name(&cfg, 10, buf, sizeof buf);
    CHECK(strcmp(buf, "encoder.layer.0.attention") == 0, "%s", buf);
    CHECK(tfm_module_find(&cfg, "encoder.layer.11.output.LayerNorm", &idx, &err) == 0, "%s",
          err.msg);
    tfm_module_name(&cfg, idx, buf, sizeof buf);
    CHECK(strcmp(buf, "encoder.layer.11.output.LayerNorm") == 0, "%s", buf);
    CHECK(tfm_module_find(&cfg, "encoder.layer.1.attention.sefl", &idx, &err) == -1
          && strcmp(err.id, "cka:input:unknownHook") == 0
          && strstr(err.msg, "\"encoder.layer.1.attention.self\"") != NULL, "%s", err.msg);
    CHECK(tfm_module_find(&cfg, "encoder.layer", &idx, &err) == -1
          && strcmp(err.id, "cka:input:containerHook") == 0, "%s", err.id);
    CHECK(tfm_module_find(&cfg, "", &idx, &err) == 0 && idx == 0, "root");
    /* names of the head model (BertForMaskedLM) resolve to the bare ones;
     * containers have an index (the caller says they never run) */
    const int l3 = tfm_module_index(&cfg, "encoder.layer.3");
    CHECK(l3 > 0 && tfm_module_index(&cfg, "bert.encoder.layer.3") == l3, "bert. prefix");
    CHECK(tfm_module_index(&cfg, "bert.encoder.layr.3") == -1
          && tfm_module_index(&cfg, "encoder.layer.12") == -1, "unknown names");
    CHECK(tfm_module_is_container(&cfg, tfm_module_index(&cfg, "encoder.layer")), "container");
    CHECK(tfm_module_find(&cfg, "bert.encoder.layer.3", &idx, &err) == 0 && idx == l3,
          "find with prefix");
    cfg.has_pooler = 0;
    CHECK(tfm_module_count(&cfg) == 225, "no pooler");

    tfm_config_defaults(&cfg, TFM_ARCH_GPT2);
    cfg.n_layers = 12;
    CHECK(tfm_module_count(&cfg) == 162, "gpt2 has 162 modules");
    tfm_module_name(&cfg, tfm_module_block(&cfg, 11), buf, sizeof buf);
    CHECK(strcmp(buf, "h.11") == 0, "%s", buf);
    tfm_module_name(&cfg, 161, buf, sizeof buf);
    CHECK(strcmp(buf, "ln_f") == 0, "%s", buf);
    CHECK(tfm_module_find(&cfg, "h.12", &idx, &err) == -1, "h.12 does not exist");

    tfm_config_defaults(&cfg, TFM_ARCH_DISTILBERT);
    cfg.n_layers = 6;
    CHECK(tfm_module_count(&cfg) == 92, "distilbert has 92 modules");
    CHECK(tfm_module_name(&cfg, 92, buf, sizeof buf) == -1, "out of range");
}

static void test_param_lists(void)
{
    static const struct { tfm_arch a; int64_t h, l, i, v, p, tv; int n; double total; } c[] = {
        {TFM_ARCH_BERT, 768, 12, 3072, 30522, 512, 2, 199, 109482240.0},
        {TFM_ARCH_GPT2, 768, 12, 3072, 50257, 1024, 0, 148, 124439808.0},
        {TFM_ARCH_DISTILBERT, 768, 6, 3072, 30522, 512, 0, 100, 66362880.0},
    };
    for (size_t k = 0; k < 3; k++) {
        tfm_config cfg;
        tfm_config_defaults(&cfg, c[k].a);
        cfg.hidden = c[k].h;
        cfg.n_layers = c[k].l;
        cfg.inner = c[k].i;
        cfg.vocab_size = c[k].v;
        cfg.max_positions = c[k].p;
        cfg.type_vocab = c[k].tv;
        cfg.n_heads = 12;
        tfm_layer *layers = calloc((size_t)cfg.n_layers, sizeof *layers);
        tfm_model m;
        tfm_model_init(&m, &cfg, layers);
        int n = tfm_param_count(&cfg);
        CHECK(n == c[k].n, "%s: %d parameters", tfm_arch_name(c[k].a), n);
        tfm_param *p = calloc((size_t)n, sizeof *p);
        tfm_param_list(&m, p);
        double total = 0;
        for (int j = 0; j < n; j++)
            total += (double)p[j].shape[0] * (double)p[j].shape[1];
        CHECK(total == c[k].total, "%s: %.0f parameters", tfm_arch_name(c[k].a), total);
        free(p);
        free(layers);
    }
}

static void test_randn(void)
{
    enum { M = 200001 };
    float *a = malloc(M * sizeof *a), *b = malloc(M * sizeof *b);
    tfm_randn(42, 3, 1.0f, a, M);
    tfm_randn(42, 3, 1.0f, b, M);
    CHECK(memcmp(a, b, M * sizeof *a) == 0, "not reproducible");
    double s1 = 0, s2 = 0, s4 = 0;
    for (int k = 0; k < M; k++) {
        s1 += a[k];
        s2 += (double)a[k] * a[k];
        s4 += (double)a[k] * a[k] * a[k] * a[k];
    }
    CHECK(fabs(s1 / M) < 5 / sqrt((double)M), "mean %g", s1 / M);
    CHECK(fabs(s2 / M - 1) < 5 * sqrt(2.0 / M), "variance %g", s2 / M);
    CHECK(fabs(s4 / M - 3) < 0.05, "kurtosis %g", s4 / M);
    tfm_randn(42, 4, 1.0f, b, M);
    CHECK(memcmp(a, b, 64 * sizeof *a) != 0, "streams must differ");
    /* a prefix of a longer draw is the shorter draw */
    tfm_randn(42, 3, 1.0f, b, 7);
    CHECK(memcmp(a, b, 7 * sizeof *a) == 0, "prefix");
    /* golden values: the generator must never change silently */
    float g[4];
    tfm_randn(0, 0, 1.0f, g, 4);
    printf("  randn(seed 0, stream 0) = %.9g %.9g %.9g %.9g\n", g[0], g[1], g[2], g[3]);
    CHECK(g[0] == -0.0141067971f && g[1] == -1.00858653f && g[2] == -1.84589505f
          && g[3] == 1.06692827f, "the generator's output changed");
    free(a);
    free(b);
}

int main(void)
{
    RUN(test_bert_matches_reference);
    RUN(test_gpt2_matches_reference);
    RUN(test_distilbert_matches_reference);
    RUN(test_gpt2_fully_masked_row);
    RUN(test_early_stop_and_errors);
    RUN(test_module_names);
    RUN(test_param_lists);
    RUN(test_randn);
    return CHECK_REPORT();
}
