/* GPT-NeoX / Pythia (GPTNeoXModel, transformers v4.31, eval): parameters
 * and the forward pass with its hook points, following
 * shared/spec/transformers.md §7.
 *
 *   X = embed_in[ids]                          (positions only through RoPE)
 *   per layer:  Z = LN_in(X) Wqkv' + bqkv       head h owns columns h*3d .. h*3d+3d-1
 *                                               of Z, ordered [q_h k_h v_h]
 *               rotate the first r = int(d * rotary_pct) dims of q_h, k_h
 *               S = (q_h k_h') / sqrt(d);  S = causal ? S : -FLT_MAX;
 *               S += (1 - m) * -FLT_MAX (only if a mask is given);  P = softmax(S)
 *               A = merge(P v_h) Wd' + bd
 *     parallel residual:  X = (MLP(LN_post(X)) + A) + X
 *     sequential:         A = A + X;  X = MLP(LN_post(A)) + A
 *               MLP(Y) = act(Y W1' + b1) W2' + b2
 *   last_hidden_state = LN_final(X)
 * Checkpoints of GPTNeoXForCausalLM (Pythia) carry the prefix "gpt_neox."
 * and the head embed_out (ignored); the buffers attention.bias,
 * attention.masked_bias and attention.rotary_emb.inv_freq are skipped. */
#include "model/hooks.h"
#include "model/ops.h"
#include "model/registry.h"
#include "model/rope.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* ---- GPTNeoXModel named_modules() (v4.31: a rotary_emb per layer) ---- */
#define NEOX_PRE_MODULES(X)                                           \
    X(NEOX_ROOT, "", 0)                                               \
    X(NEOX_EMBED_IN, "embed_in", 0)                                   \
    X(NEOX_EMB_DROPOUT, "emb_dropout", 0)                             \
    X(NEOX_LAYERS, "layers", 1)
#define NEOX_BLOCK_MODULES(X)                                         \
    X(NEOX_L, "", 0)                                                  \
    X(NEOX_L_LN_IN, "input_layernorm", 0)                             \
    X(NEOX_L_LN_POST, "post_attention_layernorm", 0)                  \
    X(NEOX_L_ATTN_DROP, "post_attention_dropout", 0)                  \
    X(NEOX_L_MLP_DROP, "post_mlp_dropout", 0)                         \
    X(NEOX_L_ATTN, "attention", 0)                                    \
    X(NEOX_L_ROTARY, "attention.rotary_emb", 0)                       \
    X(NEOX_L_QKV, "attention.query_key_value", 0)                     \
    X(NEOX_L_DENSE, "attention.dense", 0)                             \
    X(NEOX_L_PROBS, "attention.attention_dropout", 0)                 \
    X(NEOX_L_MLP, "mlp", 0)                                           \
    X(NEOX_L_FC_IN, "mlp.dense_h_to_4h", 0)                           \
    X(NEOX_L_FC_OUT, "mlp.dense_4h_to_h", 0)                          \
    X(NEOX_L_ACT, "mlp.act", 0)
#define NEOX_POST_MODULES(X)                                          \
    X(NEOX_FINAL_LN, "final_layer_norm", 0)

enum { NEOX_PRE_MODULES(TFM_HOOKS_ENUM_ENTRY) NEOX_NPRE };
enum { NEOX_BLOCK_MODULES(TFM_HOOKS_ENUM_ENTRY) NEOX_NBLOCK };
enum { NEOX_POST_MODULES(TFM_HOOKS_ENUM_ENTRY) NEOX_NPOST };

static const tfm_module_entry neox_pre[] = {NEOX_PRE_MODULES(TFM_HOOKS_TABLE_ENTRY)};
static const tfm_module_entry neox_block[] = {NEOX_BLOCK_MODULES(TFM_HOOKS_TABLE_ENTRY)};
static const tfm_module_entry neox_post[] = {NEOX_POST_MODULES(TFM_HOOKS_TABLE_ENTRY)};

static int neox_param_count(const tfm_config *cfg)
{
    return 1 + (cfg->attn_bias ? 12 : 10) * (int)cfg->n_layers + 2;
}

static void neox_param_list(tfm_model *m, tfm_param *p)
{
    const int64_t H = m->cfg.hidden, I = m->cfg.inner;
    tfm_param_matrix(p++, &m->word_emb, m->cfg.vocab_size, H, "embed_in.weight");
    for (int i = 0; i < (int)m->cfg.n_layers; i++) {
        tfm_layer *l = &m->layers[i];
        tfm_param_vector(p++, &l->ln1.w, H, "layers.%d.input_layernorm.weight", i);
        tfm_param_vector(p++, &l->ln1.b, H, "layers.%d.input_layernorm.bias", i);
        tfm_param_vector(p++, &l->ln2.w, H, "layers.%d.post_attention_layernorm.weight", i);
        tfm_param_vector(p++, &l->ln2.b, H, "layers.%d.post_attention_layernorm.bias", i);
        tfm_param_matrix(p++, &l->qkv.w, 3 * H, H, "layers.%d.attention.query_key_value.weight", i);
        if (m->cfg.attn_bias)
            tfm_param_vector(p++, &l->qkv.b, 3 * H, "layers.%d.attention.query_key_value.bias", i);
        tfm_param_matrix(p++, &l->o.w, H, H, "layers.%d.attention.dense.weight", i);
        if (m->cfg.attn_bias)
            tfm_param_vector(p++, &l->o.b, H, "layers.%d.attention.dense.bias", i);
        tfm_param_matrix(p++, &l->fc1.w, I, H, "layers.%d.mlp.dense_h_to_4h.weight", i);
        tfm_param_vector(p++, &l->fc1.b, I, "layers.%d.mlp.dense_h_to_4h.bias", i);
        tfm_param_matrix(p++, &l->fc2.w, H, I, "layers.%d.mlp.dense_4h_to_h.weight", i);
        tfm_param_vector(p++, &l->fc2.b, H, "layers.%d.mlp.dense_4h_to_h.bias", i);
    }
    tfm_param_vector(p++, &m->final_ln.w, H, "final_layer_norm.weight");
    tfm_param_vector(p++, &m->final_ln.b, H, "final_layer_norm.bias");
}

static inline int layer_mod(int l, int j)
{
    return NEOX_NPRE + l * NEOX_NBLOCK + j;
}

/* Rows of the rotary table the v4.31 hook returns: the whole cache,
 * max(max_position_embeddings, T) positions. */
static int64_t neox_table_rows(const tfm_config *cfg, int64_t T)
{
    return cfg->max_positions > T ? cfg->max_positions : T;
}

/* Scratch: x t ctx [N, H]; qkv [N, 3H]; f [N, I]; S [B, nH, T, T];
 * madd [N]; cos sin [T, r/2]; for the rotary_emb hook: cos sin
 * [rows, r/2] and the table [rows, r]. */
static size_t neox_scratch_floats(const tfm_config *cfg, int64_t B, int64_t T)
{
    const double N = (double)B * (double)T, H = (double)cfg->hidden;
    const double r = (double)rope_dims(cfg), rows = (double)neox_table_rows(cfg, T);
    const double total = N * H * 6.0 + N * (double)cfg->inner
                         + (double)B * (double)cfg->n_heads * (double)T * (double)T + N
                         + (double)T * r + 2.0 * rows * r;
    if (B < 1 || T < 1 || total * sizeof(float) > (double)(SIZE_MAX / 2))
        return 0;
    return (size_t)total;
}

/* Scale, causal mask, padding mask and softmax of one (b, h) block. */
typedef struct neox_probs_arg {
    const float *mask;     /* the attention mask given, or NULL */
    const float *madd;     /* [B, T] additive mask */
    int64_t T;
    float alpha;           /* 1 / sqrt(d) in float32 */
} neox_probs_arg;

static void neox_probs(const void *varg, float *S, int64_t b, int64_t h)
{
    (void)h;
    const neox_probs_arg *a = varg;
    const int64_t T = a->T;
    const float *ma = a->madd + b * T;
    for (int64_t i = 0; i < T; i++) {
        float *row = S + i * T;
        for (int64_t j = 0; j < T; j++) {
            float s = j <= i ? row[j] * a->alpha : -FLT_MAX;   /* causal: replacement */
            if (a->mask != NULL)
                s += ma[j];                                    /* padding: may give -inf */
            row[j] = s;
        }
        ops_softmax_row(row, T);
    }
}

static int neox_forward(const tfm_model *m, const tfm_batch *bt, tfm_hooks *hk, float *ws)
{
    const tfm_config *c = &m->cfg;
    const int64_t B = bt->B, T = bt->T, N = B * T, H = c->hidden, I = c->inner;
    const int64_t nH = c->n_heads, d = H / nH, r = rope_dims(c);
    const int64_t rows = neox_table_rows(c, T);
    float *x = ws, *t = x + N * H, *ctx = t + N * H, *qkv = ctx + N * H;
    float *f = qkv + 3 * N * H, *S = f + N * I, *madd = S + B * nH * T * T;
    float *cos_t = madd + N, *sin_t = cos_t + T * r / 2;
    float *full_cos = sin_t + T * r / 2, *full_sin = full_cos + rows * r / 2;
    float *table = full_sin + rows * r / 2;

    ops_embed(x, m->word_emb, c->vocab_size, H, bt->ids, N);
    TFM_EMIT(hk, NEOX_EMBED_IN, x, 3, B, T, H, 1);
    TFM_EMIT(hk, NEOX_EMB_DROPOUT, x, 3, B, T, H, 1);

    for (int64_t n = 0; n < N; n++)
        madd[n] = bt->mask ? (1.0f - bt->mask[n]) * -FLT_MAX : 0.0f;
    rope_tables(c, r, T, T, cos_t, sin_t);
    /* norm_factor = sqrt(float32(d)); alpha = float32(1) / norm_factor */
    const neox_probs_arg pa = {bt->mask, madd, T, 1.0f / sqrtf((float)d)};
    const ops_heads heads = {nH, 1, d, 3 * d, 3 * d};

    for (int l = 0; l < (int)c->n_layers; l++) {
        const tfm_layer *w = &m->layers[l];
        ops_layernorm(t, x, N, H, w->ln1.w, w->ln1.b, c->ln_eps);
        TFM_EMIT(hk, layer_mod(l, NEOX_L_LN_IN), t, 3, B, T, H, 1);
        ops_linear(qkv, t, H, N, H, 3 * H, w->qkv.w, OPS_W_LINEAR, w->qkv.b);
        TFM_EMIT(hk, layer_mod(l, NEOX_L_QKV), qkv, 3, B, T, 3 * H, 1);
        if (tfm_hook_wanted(hk, layer_mod(l, NEOX_L_ROTARY))) {
            /* v4.31 returns its whole cos cache (an HF slicing quirk) */
            rope_tables(c, r, T, rows, full_cos, full_sin);
            rope_cos_hook(full_cos, r, rows, table);
            TFM_EMIT(hk, layer_mod(l, NEOX_L_ROTARY), table, 4, 1, 1, rows, r);
        }
        /* q_h and k_h of every head: columns h*3d and h*3d + d */
        rope_apply(qkv, 3 * H, B, T, nH, 3 * d, r, cos_t, sin_t);
        rope_apply(qkv + d, 3 * H, B, T, nH, 3 * d, r, cos_t, sin_t);
        ops_attention(S, ctx, H, qkv, 3 * H, qkv + d, 3 * H, qkv + 2 * d, 3 * H, B, T, &heads,
                      neox_probs, &pa);
        TFM_EMIT(hk, layer_mod(l, NEOX_L_PROBS), S, 4, B, nH, T, T);
        ops_linear(t, ctx, H, N, H, H, w->o.w, OPS_W_LINEAR, w->o.b);      /* A */
        TFM_EMIT(hk, layer_mod(l, NEOX_L_DENSE), t, 3, B, T, H, 1);
        TFM_EMIT(hk, layer_mod(l, NEOX_L_ATTN), t, 3, B, T, H, 1);
        TFM_EMIT(hk, layer_mod(l, NEOX_L_ATTN_DROP), t, 3, B, T, H, 1);

        if (!c->parallel_residual)
            ops_add(t, x, N * H);                     /* A = A + X */
        ops_layernorm(ctx, c->parallel_residual ? x : t, N, H, w->ln2.w, w->ln2.b, c->ln_eps);
        TFM_EMIT(hk, layer_mod(l, NEOX_L_LN_POST), ctx, 3, B, T, H, 1);
        ops_linear(f, ctx, H, N, H, I, w->fc1.w, OPS_W_LINEAR, w->fc1.b);
        TFM_EMIT(hk, layer_mod(l, NEOX_L_FC_IN), f, 3, B, T, I, 1);
        ops_activation(f, N * I, c->act);
        TFM_EMIT(hk, layer_mod(l, NEOX_L_ACT), f, 3, B, T, I, 1);
        ops_linear(qkv, f, I, N, I, H, w->fc2.w, OPS_W_LINEAR, w->fc2.b);  /* MLP output */
        TFM_EMIT(hk, layer_mod(l, NEOX_L_FC_OUT), qkv, 3, B, T, H, 1);
        TFM_EMIT(hk, layer_mod(l, NEOX_L_MLP), qkv, 3, B, T, H, 1);
        TFM_EMIT(hk, layer_mod(l, NEOX_L_MLP_DROP), qkv, 3, B, T, H, 1);
        if (c->parallel_residual) {
            ops_add(qkv, t, N * H);                   /* (mlp + attn) + x */
            ops_add(x, qkv, N * H);
        } else {
            ops_add(qkv, t, N * H);                   /* mlp + (attn + x) */
            memcpy(x, qkv, (size_t)(N * H) * sizeof *x);
        }
        TFM_EMIT(hk, layer_mod(l, NEOX_L), x, 3, B, T, H, 1);
    }
    ops_layernorm(t, x, N, H, m->final_ln.w, m->final_ln.b, c->ln_eps);
    TFM_EMIT(hk, NEOX_NPRE + (int)c->n_layers * NEOX_NBLOCK + NEOX_FINAL_LN, t, 3, B, T, H, 1);
    TFM_EMIT(hk, NEOX_ROOT, t, 3, B, T, H, 1);
    return 0;
}

/* ---- the descriptor ------------------------------------------------------ */

/* The rotated dims must pair up (rotate_half); rotary_pct in [0, 1]. */
static int neox_check(const tfm_config *cfg, cka_error *err)
{
    if (!(cfg->rotary_pct >= 0.0 && cfg->rotary_pct <= 1.0))
        return cka_error_set(err, "cka:config:badValue",
                             "GPT-NeoX rotary_pct must be in [0, 1], got %g", cfg->rotary_pct);
    if (rope_dims(cfg) % 2 != 0)
        return cka_error_set(err, "cka:config:badValue",
                             "GPT-NeoX rotates int(head size %lld x rotary_pct %g) = %lld dims; "
                             "rotary embeddings need an even number",
                             (long long)tfm_head_dim(cfg), cfg->rotary_pct,
                             (long long)rope_dims(cfg));
    if (!(cfg->rope_theta > 0.0))
        return cka_error_set(err, "cka:config:badValue",
                             "GPT-NeoX rotary_emb_base must be > 0, got %g", cfg->rope_theta);
    if (cfg->rope_scaling.type == TFM_ROPE_LLAMA3)
        return cka_error_set(err, "cka:config:unsupported",
                             "GPT-NeoX takes rope_scaling of type linear or dynamic, not llama3");
    return 0;
}

static const char *const a_rotary_pct[] = {"partial_rotary_factor", NULL};
static const char *const a_rotary_base[] = {"rope_theta", NULL};

/* GPTNeoXConfig (transformers 4.31) fields, in the order of its __init__,
 * plus attention_bias (added later, true = the 4.31 model); the aliases
 * are the names later releases write. */
static const tfm_field neox_fields[] = {
    {"vocab_size", TFM_FIELD_POS_INT, "50432", TFM_MEMBER_VOCAB, NULL, 0, NULL, NULL},
    {"hidden_size", TFM_FIELD_POS_INT, "6144", TFM_MEMBER_HIDDEN, NULL, 0, NULL, NULL},
    {"num_hidden_layers", TFM_FIELD_POS_INT, "44", TFM_MEMBER_LAYERS, NULL, 0, NULL, NULL},
    {"num_attention_heads", TFM_FIELD_POS_INT, "64", TFM_MEMBER_HEADS, NULL, 0, NULL, NULL},
    {"intermediate_size", TFM_FIELD_POS_INT, "24576", TFM_MEMBER_INNER, NULL, 0, NULL, NULL},
    {"hidden_act", TFM_FIELD_ACT, "gelu", TFM_MEMBER_ACT, NULL, 0, NULL, NULL},
    {"rotary_pct", TFM_FIELD_REAL, "0.25", TFM_MEMBER_ROTARY_PCT, a_rotary_pct, 0, NULL, NULL},
    {"rotary_emb_base", TFM_FIELD_REAL, "10000", TFM_MEMBER_ROPE_THETA, a_rotary_base, 0, NULL,
     NULL},
    {"attention_dropout", TFM_FIELD_REAL, "0", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"hidden_dropout", TFM_FIELD_REAL, "0", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"classifier_dropout", TFM_FIELD_ANY, "0.1", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"max_position_embeddings", TFM_FIELD_POS_INT, "2048", TFM_MEMBER_POSITIONS, NULL, 0, NULL,
     NULL},
    {"initializer_range", TFM_FIELD_NONNEG_REAL, "0.02", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"layer_norm_eps", TFM_FIELD_REAL, "1e-5", TFM_MEMBER_LN_EPS, NULL, 0, NULL, NULL},
    {"use_cache", TFM_FIELD_BOOL, "true", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"bos_token_id", TFM_FIELD_ANY, "0", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"eos_token_id", TFM_FIELD_ANY, "2", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"tie_word_embeddings", TFM_FIELD_BOOL, "false", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"use_parallel_residual", TFM_FIELD_BOOL, "true", TFM_MEMBER_PARALLEL_RESIDUAL, NULL, 0,
     NULL, NULL},
    {"rope_scaling", TFM_FIELD_ROPE_SCALING, "null", TFM_MEMBER_ROPE_SCALING, NULL, 0, NULL,
     NULL},
    {"attention_bias", TFM_FIELD_BOOL, "true", TFM_MEMBER_ATTN_BIAS, NULL, 0, NULL, NULL},
};

static const char *const neox_model_types[] = {"gpt_neox", NULL};
static const char *const neox_classes[] = {"GPTNeoX", NULL};
static const char *const neox_prefixes[] = {"gpt_neox.", NULL};
/* causal-mask buffers of older files and the persistent inv_freq of 4.31
 * (recomputed, never loaded: shared/spec/transformers.md §7.4) */
static const char *const neox_buffers[] = {
    "^layers\\.\\d+\\.attention\\.(bias|masked_bias|rotary_emb\\.inv_freq)$", NULL};

const tfm_arch_desc tfm_arch_gpt_neox = {
    .name = "gpt_neox",
    .display = "GPT-NeoX",
    .model_types = neox_model_types,
    .hf_class = "GPTNeoXModel",
    .class_prefixes = neox_classes,
    .key_prefixes = neox_prefixes,
    .buffers = neox_buffers,
    .optional_prefix = NULL,
    .fields = neox_fields,
    .n_fields = (int)(sizeof neox_fields / sizeof neox_fields[0]),
    .token_types = TFM_TT_NONE,
    .param_count = neox_param_count,
    .param_list = neox_param_list,
    .resolve = NULL,
    .check = neox_check,
    .max_seq = tfm_max_seq_rope,
    .pre = neox_pre,
    .block = neox_block,
    .post = neox_post,
    .npre = NEOX_NPRE,
    .nblock = NEOX_NBLOCK,
    .npost = NEOX_NPOST,
    .block_prefix = "layers.",
    .post_optional = 0,
    .scratch_floats = neox_scratch_floats,
    .forward = neox_forward,
};
