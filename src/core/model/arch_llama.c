/* Llama (LlamaModel, transformers v4.31, eval): parameters and the forward
 * pass with its hook points, following shared/spec/transformers.md §8.
 * Qwen2 (arch_qwen2.c) and Mistral (arch_mistral.c) run this forward.
 *
 *   X = embed_tokens[ids]
 *   per layer:  Y = RMS_in(X)
 *               Q = Y Wq' (+bq)  [N, nH d];  K = Y Wk' (+bk), V = Y Wv' (+bv)  [N, nKV d]
 *               rotate Q and K over the whole head size d (rotate_half)
 *               query head h attends with key/value head h / (nH / nKV):
 *               S = Q_h K_g' / sqrt(d) + M;  P = softmax(S);  C = merge(P V_g)
 *               M[q, k] = 0 if k <= q, m[k] = 1 and (no window or k > q - W),
 *                         else -FLT_MAX (both causal and padding: -inf)
 *               X = X + C Wo' (+bo)
 *               Z = RMS_post(X);  X = X + (silu(Z Wg') * (Z Wu')) Wd'
 *   last_hidden_state = RMS_final(X)
 * RMS(x) = x / sqrt(mean(x^2) + eps) * g.  Checkpoints of LlamaForCausalLM
 * carry the prefix "model." and the head lm_head (ignored, tied or not). */
#include "model/arch_llama.h"
#include "model/hooks.h"
#include "model/ops.h"
#include "model/registry.h"
#include "model/rope.h"

#include <float.h>
#include <math.h>

const tfm_module_entry llama_pre_modules[] = {LLAMA_PRE_MODULES(TFM_HOOKS_TABLE_ENTRY)};
const tfm_module_entry llama_block_modules[] = {LLAMA_BLOCK_MODULES(TFM_HOOKS_TABLE_ENTRY)};
const tfm_module_entry llama_post_modules[] = {LLAMA_POST_MODULES(TFM_HOOKS_TABLE_ENTRY)};

int llama_family_param_count(const tfm_config *cfg, int qkv_bias, int o_bias)
{
    const int per_layer = 9 + (qkv_bias ? 3 : 0) + (o_bias ? 1 : 0) + (cfg->mlp_bias ? 3 : 0);
    return 1 + per_layer * (int)cfg->n_layers + 1;
}

void llama_family_param_list(tfm_model *m, tfm_param *p, int qkv_bias, int o_bias)
{
    const tfm_config *c = &m->cfg;
    const int64_t H = c->hidden, I = c->inner, d = tfm_head_dim(c);
    const int64_t nq = c->n_heads * d, nkv = tfm_kv_heads(c) * d;
    tfm_param_matrix(p++, &m->word_emb, c->vocab_size, H, "embed_tokens.weight");
    if (c->pad_id >= 0 && c->pad_id < c->vocab_size)
        p[-1].zero_row = c->pad_id;               /* Embedding(padding_idx = pad) */
    for (int i = 0; i < (int)c->n_layers; i++) {
        tfm_layer *l = &m->layers[i];
        tfm_linear *proj[] = {&l->q, &l->k, &l->v, &l->o};
        static const char *const pname[] = {"q", "k", "v", "o"};
        const int64_t out[] = {nq, nkv, nkv, H}, in[] = {H, H, H, nq};
        for (int j = 0; j < 4; j++) {
            tfm_param_matrix(p++, &proj[j]->w, out[j], in[j], "layers.%d.self_attn.%s_proj.weight",
                          i, pname[j]);
            if (j < 3 ? qkv_bias : o_bias)
                tfm_param_vector(p++, &proj[j]->b, out[j], "layers.%d.self_attn.%s_proj.bias",
                              i, pname[j]);
        }
        tfm_linear *mlp[] = {&l->gate, &l->fc1, &l->fc2};
        static const char *const mname[] = {"gate", "up", "down"};
        const int64_t mout[] = {I, I, H}, min[] = {H, H, I};
        for (int j = 0; j < 3; j++) {
            tfm_param_matrix(p++, &mlp[j]->w, mout[j], min[j], "layers.%d.mlp.%s_proj.weight", i,
                          mname[j]);
            if (c->mlp_bias)
                tfm_param_vector(p++, &mlp[j]->b, mout[j], "layers.%d.mlp.%s_proj.bias", i,
                              mname[j]);
        }
        tfm_param_vector(p++, &l->ln1.w, H, "layers.%d.input_layernorm.weight", i);
        tfm_param_vector(p++, &l->ln2.w, H, "layers.%d.post_attention_layernorm.weight", i);
    }
    tfm_param_vector(p++, &m->final_ln.w, H, "norm.weight");
}

int llama_family_check(const tfm_config *cfg, cka_error *err)
{
    if (tfm_head_dim(cfg) % 2 != 0)
        return cka_error_set(err, "cka:config:badValue",
                             "%s: the head size %lld must be even for rotary embeddings",
                             cfg->arch->display, (long long)tfm_head_dim(cfg));
    if (!(cfg->rope_theta > 0.0))
        return cka_error_set(err, "cka:config:badValue", "%s: rope_theta must be > 0, got %g",
                             cfg->arch->display, cfg->rope_theta);
    if (!(cfg->ln_eps >= 0.0))
        return cka_error_set(err, "cka:config:badValue", "%s: rms_norm_eps must be >= 0",
                             cfg->arch->display);
    return 0;
}

/* Scratch: x t [N, H]; q ctx [N, nH d]; k v [N, nKV d]; gate up [N, I];
 * S [B, nH, T, T]; pad [N]; cos sin [T, d/2]. */
size_t llama_family_scratch_floats(const tfm_config *cfg, int64_t B, int64_t T)
{
    const double N = (double)B * (double)T, d = (double)tfm_head_dim(cfg);
    const double nq = (double)cfg->n_heads * d, nkv = (double)tfm_kv_heads(cfg) * d;
    const double total = N * (2.0 * (double)cfg->hidden + 2.0 * nq + 2.0 * nkv
                              + 2.0 * (double)cfg->inner + 1.0)
                         + (double)B * (double)cfg->n_heads * (double)T * (double)T
                         + (double)T * d;
    if (B < 1 || T < 1 || total * sizeof(float) > (double)(SIZE_MAX / 2))
        return 0;
    return (size_t)total;
}

/* Scale, mask (causal, padding, window) and softmax of one (b, h) block. */
typedef struct llama_probs_arg {
    const float *pad;      /* [B, T]: 0 for a token, -FLT_MAX for padding */
    int64_t T;
    int64_t window;        /* W, or 0 for none */
    float sqrt_d;
} llama_probs_arg;

static void llama_probs(const void *varg, float *S, int64_t b, int64_t h)
{
    (void)h;
    const llama_probs_arg *a = varg;
    const int64_t T = a->T, W = a->window;
    const float *pad = a->pad + b * T;
    for (int64_t i = 0; i < T; i++) {
        float *row = S + i * T;
        for (int64_t j = 0; j < T; j++) {
            /* v4.31 adds the causal and the padding matrices, then the sum */
            const int allowed = j <= i && (W == 0 || j > i - W);
            const float mask = (allowed ? 0.0f : -FLT_MAX) + pad[j];
            row[j] = row[j] / a->sqrt_d + mask;
        }
        ops_softmax_row(row, T);
    }
}

static inline int layer_mod(int l, int j)
{
    return LLAMA_NPRE + l * LLAMA_NBLOCK + j;
}

int llama_family_forward(const tfm_model *m, const tfm_batch *bt, tfm_hooks *hk, float *ws)
{
    const tfm_config *c = &m->cfg;
    const int64_t B = bt->B, T = bt->T, N = B * T, H = c->hidden, I = c->inner;
    const int64_t nH = c->n_heads, nKV = tfm_kv_heads(c), d = tfm_head_dim(c);
    const int64_t nq = nH * d, nkv = nKV * d;
    float *x = ws, *t = x + N * H, *q = t + N * H, *ctx = q + N * nq, *k = ctx + N * nq;
    float *v = k + N * nkv, *gate = v + N * nkv, *up = gate + N * I, *S = up + N * I;
    float *pad = S + B * nH * T * T, *cos_t = pad + N, *sin_t = cos_t + T * d / 2;

    ops_embed(x, m->word_emb, c->vocab_size, H, bt->ids, N);
    TFM_EMIT(hk, LLAMA_EMBED, x, 3, B, T, H, 1);

    for (int64_t n = 0; n < N; n++)
        pad[n] = bt->mask != NULL && bt->mask[n] == 0.0f ? -FLT_MAX : 0.0f;
    rope_tables(c, d, T, T, cos_t, sin_t);
    const ops_heads heads = {nH, nH / nKV, d, d, d};

    for (int l = 0; l < (int)c->n_layers; l++) {
        const tfm_layer *w = &m->layers[l];
        ops_rmsnorm(t, x, N, H, w->ln1.w, c->ln_eps);
        TFM_EMIT(hk, layer_mod(l, LLAMA_L_LN_IN), t, 3, B, T, H, 1);
        ops_linear(q, t, H, N, H, nq, w->q.w, OPS_W_LINEAR, w->q.b);
        TFM_EMIT(hk, layer_mod(l, LLAMA_L_Q), q, 3, B, T, nq, 1);
        ops_linear(k, t, H, N, H, nkv, w->k.w, OPS_W_LINEAR, w->k.b);
        TFM_EMIT(hk, layer_mod(l, LLAMA_L_K), k, 3, B, T, nkv, 1);
        ops_linear(v, t, H, N, H, nkv, w->v.w, OPS_W_LINEAR, w->v.b);
        TFM_EMIT(hk, layer_mod(l, LLAMA_L_V), v, 3, B, T, nkv, 1);
        if (tfm_hook_wanted(hk, layer_mod(l, LLAMA_L_ROTARY))) {
            rope_cos_hook(cos_t, d, T, ctx);        /* v4.31: cos [1, 1, T, d] */
            TFM_EMIT(hk, layer_mod(l, LLAMA_L_ROTARY), ctx, 4, 1, 1, T, d);
        }
        rope_apply(q, nq, B, T, nH, d, d, cos_t, sin_t);
        rope_apply(k, nkv, B, T, nKV, d, d, cos_t, sin_t);
        const int windowed = c->use_sliding_window && c->sliding_window > 0
                             && l >= c->max_window_layers;
        const llama_probs_arg pa = {pad, T, windowed ? c->sliding_window : 0, sqrtf((float)d)};
        ops_attention(S, ctx, nq, q, nq, k, nkv, v, nkv, B, T, &heads, llama_probs, &pa);
        ops_linear(t, ctx, nq, N, nq, H, w->o.w, OPS_W_LINEAR, w->o.b);
        TFM_EMIT(hk, layer_mod(l, LLAMA_L_O), t, 3, B, T, H, 1);
        TFM_EMIT(hk, layer_mod(l, LLAMA_L_ATTN), t, 3, B, T, H, 1);
        ops_add(x, t, N * H);

        ops_rmsnorm(t, x, N, H, w->ln2.w, c->ln_eps);
        TFM_EMIT(hk, layer_mod(l, LLAMA_L_LN_POST), t, 3, B, T, H, 1);
        ops_linear(gate, t, H, N, H, I, w->gate.w, OPS_W_LINEAR, w->gate.b);
        TFM_EMIT(hk, layer_mod(l, LLAMA_L_GATE), gate, 3, B, T, I, 1);
        ops_activation(gate, N * I, c->act);
        TFM_EMIT(hk, layer_mod(l, LLAMA_L_ACT), gate, 3, B, T, I, 1);
        ops_linear(up, t, H, N, H, I, w->fc1.w, OPS_W_LINEAR, w->fc1.b);
        TFM_EMIT(hk, layer_mod(l, LLAMA_L_UP), up, 3, B, T, I, 1);
        ops_mul(gate, up, N * I);
        ops_linear(t, gate, I, N, I, H, w->fc2.w, OPS_W_LINEAR, w->fc2.b);
        TFM_EMIT(hk, layer_mod(l, LLAMA_L_DOWN), t, 3, B, T, H, 1);
        TFM_EMIT(hk, layer_mod(l, LLAMA_L_MLP), t, 3, B, T, H, 1);
        ops_add(x, t, N * H);
        TFM_EMIT(hk, layer_mod(l, LLAMA_L), x, 3, B, T, H, 1);
    }
    ops_rmsnorm(t, x, N, H, m->final_ln.w, c->ln_eps);
    TFM_EMIT(hk, LLAMA_NPRE + (int)c->n_layers * LLAMA_NBLOCK + LLAMA_NORM, t, 3, B, T, H, 1);
    TFM_EMIT(hk, LLAMA_ROOT, t, 3, B, T, H, 1);
    return 0;
}

/* ---- the descriptor ------------------------------------------------------ */

static int llama_param_count(const tfm_config *cfg)
{
    return llama_family_param_count(cfg, cfg->attn_bias, cfg->attn_bias);
}

static void llama_param_list(tfm_model *m, tfm_param *p)
{
    llama_family_param_list(m, p, m->cfg.attn_bias, m->cfg.attn_bias);
}


/* LlamaConfig fields (transformers 4.31 __init__ order, then the ones
 * later releases added: rope_theta, attention_bias, attention_dropout,
 * mlp_bias, head_dim). */
static const tfm_field llama_fields[] = {
    {"vocab_size", TFM_FIELD_POS_INT, "32000", TFM_MEMBER_VOCAB, NULL, 0, NULL, NULL},
    {"hidden_size", TFM_FIELD_POS_INT, "4096", TFM_MEMBER_HIDDEN, NULL, 0, NULL, NULL},
    {"intermediate_size", TFM_FIELD_POS_INT, "11008", TFM_MEMBER_INNER, NULL, 0, NULL, NULL},
    {"num_hidden_layers", TFM_FIELD_POS_INT, "32", TFM_MEMBER_LAYERS, NULL, 0, NULL, NULL},
    {"num_attention_heads", TFM_FIELD_POS_INT, "32", TFM_MEMBER_HEADS, NULL, 0, NULL, NULL},
    {"num_key_value_heads", TFM_FIELD_POS_INT_NULL, "null", TFM_MEMBER_KV_HEADS, NULL, 0, NULL,
     NULL},
    {"hidden_act", TFM_FIELD_ACT, "silu", TFM_MEMBER_ACT, NULL, 0, NULL, NULL},
    {"max_position_embeddings", TFM_FIELD_POS_INT, "2048", TFM_MEMBER_POSITIONS, NULL, 0, NULL,
     NULL},
    {"initializer_range", TFM_FIELD_NONNEG_REAL, "0.02", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"rms_norm_eps", TFM_FIELD_REAL, "1e-6", TFM_MEMBER_LN_EPS, NULL, 0, NULL, NULL},
    {"use_cache", TFM_FIELD_BOOL, "true", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"pad_token_id", TFM_FIELD_NONNEG_INT_NULL, "null", TFM_MEMBER_PAD, NULL, 0, NULL, NULL},
    {"bos_token_id", TFM_FIELD_ANY, "1", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"eos_token_id", TFM_FIELD_ANY, "2", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"pretraining_tp", TFM_FIELD_ANY, "1", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"tie_word_embeddings", TFM_FIELD_BOOL, "false", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"rope_scaling", TFM_FIELD_ROPE_SCALING, "null", TFM_MEMBER_ROPE_SCALING, NULL, 0, NULL,
     NULL},
    {"rope_theta", TFM_FIELD_REAL, "10000", TFM_MEMBER_ROPE_THETA, NULL, 0, NULL, NULL},
    {"attention_bias", TFM_FIELD_BOOL, "false", TFM_MEMBER_ATTN_BIAS, NULL, 0, NULL, NULL},
    {"attention_dropout", TFM_FIELD_REAL, "0", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"mlp_bias", TFM_FIELD_BOOL, "false", TFM_MEMBER_MLP_BIAS, NULL, 0, NULL, NULL},
    {"head_dim", TFM_FIELD_POS_INT_NULL, "null", TFM_MEMBER_HEAD_DIM, NULL, 0, NULL, NULL},
};

static const char *const llama_model_types[] = {"llama", NULL};
static const char *const llama_classes[] = {"Llama", NULL};
static const char *const llama_prefixes[] = {"model.", NULL};
/* the persistent inv_freq of Llama-2-era files (recomputed, never loaded) */
const char *const llama_buffers[] = {"^layers\\.\\d+\\.self_attn\\.rotary_emb\\.inv_freq$", NULL};

const tfm_arch_desc tfm_arch_llama = {
    .name = "llama",
    .display = "Llama",
    .model_types = llama_model_types,
    .hf_class = "LlamaModel",
    .class_prefixes = llama_classes,
    .key_prefixes = llama_prefixes,
    .buffers = llama_buffers,
    .optional_prefix = NULL,
    .fields = llama_fields,
    .n_fields = (int)(sizeof llama_fields / sizeof llama_fields[0]),
    .token_types = TFM_TT_NONE,
    .param_count = llama_param_count,
    .param_list = llama_param_list,
    .resolve = NULL,
    .check = llama_family_check,
    .max_seq = tfm_max_seq_rope,
    .pre = llama_pre_modules,
    .block = llama_block_modules,
    .post = llama_post_modules,
    .npre = LLAMA_NPRE,
    .nblock = LLAMA_NBLOCK,
    .npost = LLAMA_NPOST,
    .block_prefix = "layers.",
    .post_optional = 0,
    .scratch_floats = llama_family_scratch_floats,
    .forward = llama_family_forward,
};
