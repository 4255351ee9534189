/* Unit tests of the decoder LLM forwards (arch_gpt_neox.c, arch_llama.c,
 * arch_qwen2.c, arch_mistral.c, rope.c) on small random models, run under
 * AddressSanitizer by `make check-asan`: every hook of every variant fires
 * once with a finite tensor of the right size (the scratch carving of each
 * variant is exercised: GQA, head_dim != H / nH, biases, windows,
 * rope_scaling, parallel and sequential residuals); a Qwen2 with zero
 * biases is the Llama bit for bit; a window >= T is no window; rotary
 * embeddings rotate (norms kept, position 0 the identity).  The numerics
 * against Hugging Face are tested in Octave (tests/test_decoder_llms.m,
 * the 4.31 fixtures and an independent double-precision reference). */
#include "check.h"
#include "model/hooks.h"
#include "model/registry.h"
#include "model/rope.h"
#include "model/tfm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { B = 2, T = 9, V = 23 };

typedef struct dec_model {
    tfm_model m;
    tfm_layer layers[3];
    int np;
    tfm_param params[128];
    float *data[128];
} dec_model;

/* cfg: the defaults of arch with a small size; then the caller's changes. */
static tfm_config small_config(tfm_arch arch)
{
    tfm_config c;
    tfm_config_defaults(&c, arch);
    c.vocab_size = V;
    c.hidden = 16;
    c.n_layers = 3;
    c.n_heads = 4;
    c.n_kv_heads = 2;
    c.inner = 24;
    c.max_positions = 32;
    c.ln_eps = 1e-5;
    return c;
}

static void make(dec_model *dm, const tfm_config *cfg, uint64_t seed)
{
    tfm_model_init(&dm->m, cfg, dm->layers);
    dm->np = tfm_param_count(cfg);
    CHECK(dm->np <= 128, "too many parameters");
    tfm_param_list(&dm->m, dm->params);
    for (int k = 0; k < dm->np; k++) {
        const size_t n = (size_t)(dm->params[k].shape[0] * dm->params[k].shape[1]);
        dm->data[k] = malloc(n * sizeof(float));
        tfm_randn(seed, (uint64_t)k, 0.3f, dm->data[k], n);
        if (dm->params[k].ndim == 1 && strstr(dm->params[k].name, ".weight"))
            for (size_t j = 0; j < n; j++)
                dm->data[k][j] += 1.0f;
        tfm_param_bind(&dm->params[k], dm->data[k], TFM_F32);
    }
}

static void release(dec_model *dm)
{
    for (int k = 0; k < dm->np; k++)
        free(dm->data[k]);
}

static const int64_t ids[B * T] = {1, 5, 9, 22, 0, 3, 3, 17, 8, 2, 11, 4, 6, 19, 7, 0, 21, 13};
static const float mask[B * T] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0};

/* Counts the calls of each request and checks the tensor. */
typedef struct fire_ctx {
    int calls[512];
    int bad;
} fire_ctx;

static int fire_sink(void *vctx, int r, const tfm_activation *a, cka_error *err)
{
    (void)err;
    fire_ctx *c = vctx;
    c->calls[r]++;
    int64_t n = 1;
    for (int d = 0; d < a->ndim; d++)
        n *= a->shape[d];
    for (int64_t k = 0; k < n; k++)
        if (!isfinite(a->data[k]))
            c->bad++;
    return 0;
}

/* Every hookable module fires once, finite. */
static void check_all_hooks(const tfm_config *cfg, const char *what)
{
    dec_model dm;
    make(&dm, cfg, 7);
    const int nmod = tfm_module_count(cfg);
    int *mods = malloc((size_t)nmod * sizeof *mods), n = 0;
    for (int k = 0; k < nmod; k++)
        if (!tfm_module_is_container(cfg, k))
            mods[n++] = k;
    const tfm_hook_request req = {n, mods};
    const tfm_batch bt = {B, T, ids, mask, NULL};
    fire_ctx fc;
    memset(&fc, 0, sizeof fc);
    cka_error err;
    cka_error_clear(&err);
    CHECK(tfm_forward(&dm.m, &bt, &req, fire_sink, &fc, &err) == 0, "%s: %s", what, err.msg);
    for (int r = 0; r < n; r++)
        CHECK(fc.calls[r] == 1, "%s: module %d fired %d times", what, mods[r], fc.calls[r]);
    /* padded keys give -inf scores in v4.31, but no output is NaN or inf */
    CHECK(fc.bad == 0, "%s: %d non-finite values", what, fc.bad);
    free(mods);
    release(&dm);
}

static void test_every_variant(void)
{
    tfm_config c = small_config(TFM_ARCH_LLAMA);
    check_all_hooks(&c, "llama GQA");
    c.n_kv_heads = 1;
    c.head_dim = 6;                       /* nH * d = 24 != H */
    c.attn_bias = c.mlp_bias = 1;
    c.rope_scaling.type = TFM_ROPE_LLAMA3;
    c.rope_scaling.factor = 8;
    c.rope_scaling.low_freq_factor = 1;
    c.rope_scaling.high_freq_factor = 4;
    c.rope_scaling.original_max_positions = 16;
    check_all_hooks(&c, "llama MQA head_dim biases llama3");
    c = small_config(TFM_ARCH_LLAMA);
    c.max_positions = 4;                  /* T > P: dynamic NTK applies */
    c.rope_scaling.type = TFM_ROPE_DYNAMIC;
    c.rope_scaling.factor = 2;
    check_all_hooks(&c, "llama dynamic");
    c = small_config(TFM_ARCH_QWEN2);
    c.use_sliding_window = 1;
    c.sliding_window = 3;
    c.max_window_layers = 1;
    check_all_hooks(&c, "qwen2 window");
    c = small_config(TFM_ARCH_MISTRAL);
    c.sliding_window = 2;
    check_all_hooks(&c, "mistral window");
    c = small_config(TFM_ARCH_GPT_NEOX);
    c.n_kv_heads = 0;
    c.rotary_pct = 0.5;                   /* 2 of the 4 dims of a head */
    check_all_hooks(&c, "neox parallel");
    c.parallel_residual = 0;
    c.attn_bias = 0;
    c.rotary_pct = 1.0;
    c.rope_scaling.type = TFM_ROPE_LINEAR;
    c.rope_scaling.factor = 2;
    check_all_hooks(&c, "neox sequential, no bias, full rotary");
    c.max_positions = 4;                  /* the cos cache grows to T rows */
    check_all_hooks(&c, "neox T > P");
}

/* Copies the [B, T, H] tensor it is given to *ctx. */
static int copy_sink(void *ctx, int r, const tfm_activation *a, cka_error *e)
{
    (void)r;
    (void)e;
    float *out = *(float **)ctx;
    memcpy(out, a->data, (size_t)(a->shape[0] * a->shape[1] * a->shape[2]) * sizeof *out);
    return 0;
}

/* The last hidden state of a model, malloc'ed [B*T*H]. */
static float *last_state(const dec_model *dm)
{
    const int root = 0;
    const tfm_hook_request req = {1, &root};
    const tfm_batch bt = {B, T, ids, mask, NULL};
    float *out = malloc((size_t)(B * T * dm->m.cfg.hidden) * sizeof *out);
    cka_error err;
    cka_error_clear(&err);
    CHECK(tfm_forward(&dm->m, &bt, &req, copy_sink, &out, &err) == 0, "%s", err.msg);
    return out;
}

static void test_family_identities(void)
{
    /* Qwen2 with zero q/k/v biases = Llama, bit for bit */
    tfm_config cq = small_config(TFM_ARCH_QWEN2), cl = small_config(TFM_ARCH_LLAMA);
    dec_model q, l;
    make(&q, &cq, 3);
    make(&l, &cl, 3);
    for (int k = 0; k < q.np; k++)
        if (strstr(q.params[k].name, "_proj.bias"))
            memset(q.data[k], 0, (size_t)q.params[k].shape[0] * sizeof(float));
    release(&l);                                   /* l takes q's weights by name */
    for (int j = 0; j < l.np; j++)
        for (int k = 0; k < q.np; k++)
            if (strcmp(l.params[j].name, q.params[k].name) == 0)
                tfm_param_bind(&l.params[j], q.data[k], TFM_F32);
    float *hq = last_state(&q), *hl = last_state(&l);
    CHECK(memcmp(hq, hl, (size_t)(B * T * 16) * sizeof(float)) == 0, "qwen2 zero bias = llama");
    /* Mistral: a window of T keys or more is no window; a short one is not */
    tfm_config cm = small_config(TFM_ARCH_MISTRAL);
    cm.sliding_window = T;
    dec_model m;
    make(&m, &cm, 3);
    float *hw = last_state(&m);
    m.m.cfg.sliding_window = 0;
    float *hn = last_state(&m);
    m.m.cfg.sliding_window = 2;
    float *hs = last_state(&m);
    CHECK(memcmp(hw, hn, (size_t)(B * T * 16) * sizeof(float)) == 0, "window >= T = no window");
    CHECK(memcmp(hs, hn, (size_t)(B * T * 16) * sizeof(float)) != 0, "a short window matters");
    /* the first two positions see at most 2 keys either way */
    CHECK(memcmp(hs, hn, (size_t)(2 * 16) * sizeof(float)) == 0, "positions 0, 1 unchanged");
    free(hq), free(hl), free(hw), free(hn), free(hs);
    release(&q);
    release(&m);
}

static void test_rope(void)
{
    tfm_config c = small_config(TFM_ARCH_LLAMA);
    const int64_t n = 8, rows = 6;
    float cs[6 * 4], sn[6 * 4];
    rope_tables(&c, n, rows, rows, cs, sn);
    for (int k = 0; k < 4; k++)
        CHECK(cs[k] == 1.0f && sn[k] == 0.0f, "position 0 is the identity");
    float x[6 * 8], y[6 * 8];
    tfm_randn(1, 0, 1.0f, x, 6 * 8);
    memcpy(y, x, sizeof x);
    rope_apply(y, 8, 1, rows, 1, 8, n, cs, sn);
    for (int r = 0; r < rows; r++)
        for (int k = 0; k < 4; k++) {
            const double a = hypot(x[r * 8 + k], x[r * 8 + k + 4]);
            const double b = hypot(y[r * 8 + k], y[r * 8 + k + 4]);
            CHECK(fabs(a - b) <= 1e-6 * (1 + a), "rotation keeps the pair norm");
        }
    /* frequency k = 0 turns by exactly p radians at theta^0 = 1 */
    CHECK(fabsf(cs[3 * 4] - cosf(3.0f)) < 1e-7f, "angle of position 3, frequency 0");
    float hook[6 * 8];
    rope_cos_hook(cs, n, rows, hook);
    CHECK(hook[2 * 8 + 1] == cs[2 * 4 + 1] && hook[2 * 8 + 5] == cs[2 * 4 + 1], "cat(cos, cos)");
    /* NeoX: int(d * rotary_pct) rotated dims */
    tfm_config x2 = small_config(TFM_ARCH_GPT_NEOX);
    x2.n_kv_heads = 0;
    x2.rotary_pct = 0.25;
    CHECK(rope_dims(&x2) == 1, "int(4 * 0.25)");
    cka_error err;
    cka_error_clear(&err);
    CHECK(tfm_config_check(&x2, &err) != 0 && strcmp(err.id, "cka:config:badValue") == 0,
          "odd rotary dims refused");
}

int main(void)
{
    RUN(test_every_variant);
    RUN(test_family_identities);
    RUN(test_rope);
    return CHECK_REPORT();
}
