/* GPT-2 (GPT2Model, transformers v4.31, eval): parameters and the forward
 * pass with its hook points, following shared/spec/transformers.md §4.
 *
 *   X = wte[ids] + wpe[0..T-1]  (+ wte[token_type_ids] if given)
 *   per block:  Z = LN1(X) Wattn + battn = [Q | K | V]          (Conv1D)
 *               S = Q_h K_h' / sqrt(d) [/ (i+1)];  S = causal ? S : -FLT_MAX;
 *               S += (1 - m) * -FLT_MAX (only if a mask is given);  P = softmax(S)
 *               X = X + merge(P V_h) Wproj + bproj
 *               X = X + act(LN2(X) Wfc + bfc) Wfc_proj + bfc_proj
 *   last_hidden_state = LN_f(X)
 * Conv1D weights are PyTorch [in, out], i.e. row-major [out, in] in memory. */
#include "model/arch_gpt2.h"
#include "model/hooks.h"
#include "model/ops.h"
#include "model/registry.h"

#include <float.h>
#include <math.h>

static const tfm_module_entry gpt2_pre[] = {GPT2_PRE_MODULES(TFM_HOOKS_TABLE_ENTRY)};
static const tfm_module_entry gpt2_block[] = {GPT2_BLOCK_MODULES(TFM_HOOKS_TABLE_ENTRY)};
static const tfm_module_entry gpt2_post[] = {GPT2_POST_MODULES(TFM_HOOKS_TABLE_ENTRY)};

static int gpt2_param_count(const tfm_config *cfg)
{
    return 2 + 12 * (int)cfg->n_layers + 2;
}

static void gpt2_param_list(tfm_model *m, tfm_param *p)
{
    const int64_t E = m->cfg.hidden, I = m->cfg.inner;
    tfm_param_matrix(p++, &m->word_emb, m->cfg.vocab_size, E, "wte.weight");
    tfm_param_matrix(p++, &m->pos_emb, m->cfg.max_positions, E, "wpe.weight");
    for (int i = 0; i < (int)m->cfg.n_layers; i++) {
        tfm_layer *l = &m->layers[i];
        tfm_param_vector(p++, &l->ln1.w, E, "h.%d.ln_1.weight", i);
        tfm_param_vector(p++, &l->ln1.b, E, "h.%d.ln_1.bias", i);
        tfm_param_matrix(p++, &l->qkv.w, E, 3 * E, "h.%d.attn.c_attn.weight", i);
        tfm_param_vector(p++, &l->qkv.b, 3 * E, "h.%d.attn.c_attn.bias", i);
        tfm_param_matrix(p++, &l->o.w, E, E, "h.%d.attn.c_proj.weight", i);
        p[-1].std_div = 2.0 * (double)m->cfg.n_layers;    /* r / sqrt(2 n_layer) */
        tfm_param_vector(p++, &l->o.b, E, "h.%d.attn.c_proj.bias", i);
        tfm_param_vector(p++, &l->ln2.w, E, "h.%d.ln_2.weight", i);
        tfm_param_vector(p++, &l->ln2.b, E, "h.%d.ln_2.bias", i);
        tfm_param_matrix(p++, &l->fc1.w, E, I, "h.%d.mlp.c_fc.weight", i);
        tfm_param_vector(p++, &l->fc1.b, I, "h.%d.mlp.c_fc.bias", i);
        tfm_param_matrix(p++, &l->fc2.w, I, E, "h.%d.mlp.c_proj.weight", i);
        p[-1].std_div = 2.0 * (double)m->cfg.n_layers;
        tfm_param_vector(p++, &l->fc2.b, E, "h.%d.mlp.c_proj.bias", i);
    }
    tfm_param_vector(p++, &m->final_ln.w, E, "ln_f.weight");
    tfm_param_vector(p++, &m->final_ln.b, E, "ln_f.bias");
}

static inline int layer_mod(int l, int j)
{
    return GPT2_NPRE + l * GPT2_NBLOCK + j;
}

static inline int post_mod(const tfm_config *cfg, int j)
{
    return GPT2_NPRE + (int)cfg->n_layers * GPT2_NBLOCK + j;
}

/* Scale, causal mask, padding mask and softmax of one (b, h) block of the
 * scores of block l. */
typedef struct gpt2_probs_arg {
    const tfm_config *c;
    const float *mask;     /* the attention mask given, or NULL */
    const float *madd;     /* [B, T] additive mask */
    int64_t T;
    int l;
} gpt2_probs_arg;

static void gpt2_probs(const void *varg, float *S, int64_t b, int64_t h)
{
    (void)h;
    const gpt2_probs_arg *a = varg;
    const tfm_config *c = a->c;
    const int64_t T = a->T, d = c->hidden / c->n_heads;
    const float sqrt_d = sqrtf((float)d), layer_div = (float)(a->l + 1);
    float alpha = 1.0f;            /* reorder_and_upcast_attn: one pre-scale factor */
    if (c->scale_attn_weights)
        alpha /= sqrt_d;
    if (c->scale_attn_by_inverse_layer_idx)
        alpha /= layer_div;
    const float *ma = a->madd + b * T;
    for (int64_t i = 0; i < T; i++) {                 /* query position */
        float *row = S + i * T;
        for (int64_t j = 0; j < T; j++) {
            float s = row[j];
            if (c->reorder_and_upcast_attn) {
                s *= alpha;
            } else {
                if (c->scale_attn_weights)
                    s /= sqrt_d;
                if (c->scale_attn_by_inverse_layer_idx)
                    s /= layer_div;
            }
            s = j <= i ? s : -FLT_MAX;                 /* causal: replacement */
            if (a->mask != NULL)
                s += ma[j];                            /* padding: addition (may give -inf) */
            row[j] = s;
        }
        ops_softmax_row(row, T);
    }
}

static int gpt2_forward(const tfm_model *m, const tfm_batch *bt, tfm_hooks *hk, float *ws)
{
    const tfm_config *c = &m->cfg;
    const int64_t B = bt->B, T = bt->T, N = B * T, E = c->hidden, I = c->inner;
    const int64_t nH = c->n_heads, d = E / nH, V = c->vocab_size;
    tfm_scratch sc;
    tfm_scratch_carve(c, B, T, ws, &sc);
    float *x = sc.x, *t = sc.t, *qkv = sc.qkv, *ctx = sc.ctx, *f = sc.f, *S = sc.s;

    /* Embeddings: wte[ids] + wpe[pos] (+ wte[token types]); hook "wte" sees
     * the lookup of the ids (its first call). */
    ops_embed(x, m->word_emb, V, E, bt->ids, N);
    TFM_EMIT(hk, GPT2_WTE, x, 3, B, T, E, 1);
    if (tfm_hook_wanted(hk, GPT2_WPE)) {
        ops_positions(t, m->pos_emb, c->max_positions, E, T);
        TFM_EMIT(hk, GPT2_WPE, t, 3, 1, T, E, 1);
    }
    ops_positions_add(x, m->pos_emb, c->max_positions, E, B, T);
    if (bt->token_types != NULL)
        ops_embed_add(x, m->word_emb, V, E, bt->token_types, N);
    TFM_EMIT(hk, GPT2_DROP, x, 3, B, T, E, 1);

    for (int64_t n = 0; n < N; n++)
        sc.madd[n] = bt->mask ? (1.0f - bt->mask[n]) * -FLT_MAX : 0.0f;

    for (int l = 0; l < (int)c->n_layers; l++) {
        const tfm_layer *w = &m->layers[l];
        ops_layernorm(t, x, N, E, w->ln1.w, w->ln1.b, c->ln_eps);
        TFM_EMIT(hk, layer_mod(l, GPT2_L_LN1), t, 3, B, T, E, 1);
        ops_linear(qkv, t, E, N, E, 3 * E, w->qkv.w, OPS_W_CONV1D, w->qkv.b);
        TFM_EMIT(hk, layer_mod(l, GPT2_L_C_ATTN), qkv, 3, B, T, 3 * E, 1);

        const gpt2_probs_arg pa = {c, bt->mask, sc.madd, T, l};
        const ops_heads heads = {nH, 1, d, d, d};
        ops_attention(S, ctx, E, qkv, 3 * E, qkv + E, 3 * E, qkv + 2 * E, 3 * E, B, T, &heads,
                      gpt2_probs, &pa);
        TFM_EMIT(hk, layer_mod(l, GPT2_L_PROBS), S, 4, B, nH, T, T);
        ops_linear(t, ctx, E, N, E, E, w->o.w, OPS_W_CONV1D, w->o.b);
        TFM_EMIT(hk, layer_mod(l, GPT2_L_ATTN_PROJ), t, 3, B, T, E, 1);
        TFM_EMIT(hk, layer_mod(l, GPT2_L_RESID_DROP), t, 3, B, T, E, 1);
        TFM_EMIT(hk, layer_mod(l, GPT2_L_ATTN), t, 3, B, T, E, 1);
        ops_add(x, t, N * E);

        ops_layernorm(t, x, N, E, w->ln2.w, w->ln2.b, c->ln_eps);
        TFM_EMIT(hk, layer_mod(l, GPT2_L_LN2), t, 3, B, T, E, 1);
        ops_linear(f, t, E, N, E, I, w->fc1.w, OPS_W_CONV1D, w->fc1.b);
        TFM_EMIT(hk, layer_mod(l, GPT2_L_FC), f, 3, B, T, I, 1);
        ops_activation(f, N * I, c->act);
        TFM_EMIT(hk, layer_mod(l, GPT2_L_ACT), f, 3, B, T, I, 1);
        ops_linear(t, f, I, N, I, E, w->fc2.w, OPS_W_CONV1D, w->fc2.b);
        TFM_EMIT(hk, layer_mod(l, GPT2_L_MLP_PROJ), t, 3, B, T, E, 1);
        TFM_EMIT(hk, layer_mod(l, GPT2_L_MLP_DROP), t, 3, B, T, E, 1);
        TFM_EMIT(hk, layer_mod(l, GPT2_L_MLP), t, 3, B, T, E, 1);
        ops_add(x, t, N * E);
        TFM_EMIT(hk, layer_mod(l, GPT2_L), x, 3, B, T, E, 1);
    }
    ops_layernorm(t, x, N, E, m->final_ln.w, m->final_ln.b, c->ln_eps);
    TFM_EMIT(hk, post_mod(c, GPT2_LN_F), t, 3, B, T, E, 1);
    TFM_EMIT(hk, GPT2_ROOT, t, 3, B, T, E, 1);
    return 0;
}

/* ---- the descriptor ------------------------------------------------------ */

/* n_inner = null: 4 * n_embd. */
static void gpt2_resolve(tfm_config *cfg)
{
    if (cfg->inner == 0)
        cfg->inner = 4 * cfg->hidden;
}

static const char *const a_hidden[] = {"hidden_size", NULL};
static const char *const a_positions[] = {"max_position_embeddings", NULL};
static const char *const a_heads[] = {"num_attention_heads", NULL};
static const char *const a_layers[] = {"num_hidden_layers", NULL};

/* GPT2Config (transformers 4.31) fields, in the order of its __init__;
 * aliases are its attribute_map. */
static const tfm_field gpt2_fields[] = {
    {"vocab_size", TFM_FIELD_POS_INT, "50257", TFM_MEMBER_VOCAB, NULL, 0, NULL, NULL},
    {"n_positions", TFM_FIELD_POS_INT, "1024", TFM_MEMBER_POSITIONS, a_positions, 0, NULL, NULL},
    {"n_embd", TFM_FIELD_POS_INT, "768", TFM_MEMBER_HIDDEN, a_hidden, 0, NULL, NULL},
    {"n_layer", TFM_FIELD_POS_INT, "12", TFM_MEMBER_LAYERS, a_layers, 0, NULL, NULL},
    {"n_head", TFM_FIELD_POS_INT, "12", TFM_MEMBER_HEADS, a_heads, 0, NULL, NULL},
    {"n_inner", TFM_FIELD_POS_INT_NULL, "null", TFM_MEMBER_INNER, NULL, 0, NULL, NULL},
    {"activation_function", TFM_FIELD_ACT, "gelu_new", TFM_MEMBER_ACT, NULL, 0, NULL, NULL},
    {"resid_pdrop", TFM_FIELD_REAL, "0.1", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"embd_pdrop", TFM_FIELD_REAL, "0.1", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"attn_pdrop", TFM_FIELD_REAL, "0.1", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"layer_norm_epsilon", TFM_FIELD_REAL, "1e-5", TFM_MEMBER_LN_EPS, NULL, 0, NULL, NULL},
    {"initializer_range", TFM_FIELD_NONNEG_REAL, "0.02", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"scale_attn_weights", TFM_FIELD_BOOL, "true", TFM_MEMBER_SCALE_ATTN, NULL, 0, NULL, NULL},
    {"scale_attn_by_inverse_layer_idx", TFM_FIELD_BOOL, "false", TFM_MEMBER_SCALE_INV_LAYER,
     NULL, 0, NULL, NULL},
    {"reorder_and_upcast_attn", TFM_FIELD_BOOL, "false", TFM_MEMBER_REORDER_UPCAST, NULL, 0,
     NULL, NULL},
    {"add_cross_attention", TFM_FIELD_BOOL, "false", TFM_MEMBER_NONE, NULL, TFM_CHECK_FALSE,
     NULL, "GPT-2 with add_cross_attention is not supported"},
    {"use_cache", TFM_FIELD_BOOL, "true", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"bos_token_id", TFM_FIELD_ANY, "50256", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"eos_token_id", TFM_FIELD_ANY, "50256", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
};

static const char *const gpt2_model_types[] = {"gpt2", NULL};
static const char *const gpt2_classes[] = {"GPT2", NULL};
static const char *const gpt2_prefixes[] = {"transformer.", NULL};
/* the old causal-mask buffers of the real gpt2 checkpoints (4.31 ignores them) */
static const char *const gpt2_buffers[] = {"^h\\.\\d+\\.attn\\.(bias|masked_bias)$", NULL};

const tfm_arch_desc tfm_arch_gpt2 = {
    .name = "gpt2",
    .display = "GPT-2",
    .model_types = gpt2_model_types,
    .hf_class = "GPT2Model",
    .class_prefixes = gpt2_classes,
    .key_prefixes = gpt2_prefixes,
    .buffers = gpt2_buffers,
    .optional_prefix = NULL,
    .fields = gpt2_fields,
    .n_fields = (int)(sizeof gpt2_fields / sizeof gpt2_fields[0]),
    .token_types = TFM_TT_WORDS,
    .param_count = gpt2_param_count,
    .param_list = gpt2_param_list,
    .resolve = gpt2_resolve,
    .check = NULL,
    .max_seq = tfm_max_seq_positions,
    .pre = gpt2_pre,
    .block = gpt2_block,
    .post = gpt2_post,
    .npre = GPT2_NPRE,
    .nblock = GPT2_NBLOCK,
    .npost = GPT2_NPOST,
    .block_prefix = GPT2_BLOCK_PREFIX,
    .post_optional = 0,
    .scratch_floats = tfm_scratch_floats_common,
    .forward = gpt2_forward,
};
