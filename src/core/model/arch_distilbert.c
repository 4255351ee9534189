/* DistilBERT (DistilBertModel, transformers v4.31, eval): parameters and the
 * forward pass with its hook points, following shared/spec/transformers.md §5.
 *
 *   X = LN_emb(word[ids] + pos[0..T-1])                      (eps 1e-12)
 *   per layer:  Q = (X Wq' + bq) / sqrt(d);  K, V = X Wk' + bk, ...
 *               S = Q_h K_h';  S = (m == 0) ? -FLT_MAX : S;  P = softmax(S)
 *               X1 = LN_sa(merge(P V_h) Wo' + bo + X)
 *               X  = LN_out(act(X1 W1' + b1) W2' + b2 + X1)
 *   last_hidden_state = X   (no token types, no pooler, no final norm)
 * The query is scaled BEFORE the product (BERT scales the scores). */
#include "model/arch_distilbert.h"
#include "model/hooks.h"
#include "model/ops.h"
#include "model/registry.h"

#include <float.h>
#include <math.h>

static const tfm_module_entry dbert_pre[] = {DBERT_PRE_MODULES(TFM_HOOKS_TABLE_ENTRY)};
static const tfm_module_entry dbert_block[] = {DBERT_BLOCK_MODULES(TFM_HOOKS_TABLE_ENTRY)};

static int distilbert_param_count(const tfm_config *cfg)
{
    return 4 + 16 * (int)cfg->n_layers;
}

static void distilbert_param_list(tfm_model *m, tfm_param *p)
{
    const int64_t D = m->cfg.hidden, I = m->cfg.inner;
    tfm_param_matrix(p++, &m->word_emb, m->cfg.vocab_size, D, "embeddings.word_embeddings.weight");
    if (m->cfg.pad_id >= 0 && m->cfg.pad_id < m->cfg.vocab_size)
        p[-1].zero_row = m->cfg.pad_id;            /* Embedding(padding_idx = pad) */
    tfm_param_matrix(p++, &m->pos_emb, m->cfg.max_positions, D,
                  "embeddings.position_embeddings.weight");
    if (m->cfg.sinusoidal_pos)
        p[-1].init = TFM_INIT_SINUSOIDAL;
    tfm_param_vector(p++, &m->emb_ln.w, D, "embeddings.LayerNorm.weight");
    tfm_param_vector(p++, &m->emb_ln.b, D, "embeddings.LayerNorm.bias");
    static const char *const mod[8] = {
        "attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin",
        "sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm"};
    for (int i = 0; i < (int)m->cfg.n_layers; i++)
        p = tfm_encoder_block_params(p, &m->layers[i], "transformer.layer.", i, D, I, mod);
}

static inline int layer_mod(int l, int j)
{
    return DBERT_NPRE + l * DBERT_NBLOCK + j;
}

/* Padding mask (replacement by finfo.min) + softmax, one (b, h) block. */
typedef struct dbert_probs_arg {
    const float *mask;
    int64_t T;
} dbert_probs_arg;

static void dbert_probs(const void *varg, float *S, int64_t b, int64_t h)
{
    (void)h;
    const dbert_probs_arg *a = varg;
    const int64_t T = a->T;
    for (int64_t i = 0; i < T; i++) {
        float *row = S + i * T;
        if (a->mask != NULL) {
            const float *mk = a->mask + b * T;
            for (int64_t j = 0; j < T; j++)
                row[j] = mk[j] == 0.0f ? -FLT_MAX : row[j];
        }
        ops_softmax_row(row, T);
    }
}

static int distilbert_forward(const tfm_model *m, const tfm_batch *bt, tfm_hooks *hk, float *ws)
{
    const tfm_config *c = &m->cfg;
    const int64_t B = bt->B, T = bt->T, N = B * T, D = c->hidden, I = c->inner;
    const int64_t nH = c->n_heads, d = D / nH, V = c->vocab_size;
    tfm_scratch sc;
    tfm_scratch_carve(c, B, T, ws, &sc);
    float *x = sc.x, *t = sc.t, *ctx = sc.ctx, *f = sc.f, *S = sc.s;
    float *q = sc.qkv, *k = sc.qkv + N * D, *v = sc.qkv + 2 * N * D;

    ops_embed(x, m->word_emb, V, D, bt->ids, N);
    TFM_EMIT(hk, DBERT_EMB_WORD, x, 3, B, T, D, 1);
    if (tfm_hook_wanted(hk, DBERT_EMB_POS)) {
        ops_positions(t, m->pos_emb, c->max_positions, D, T);
        TFM_EMIT(hk, DBERT_EMB_POS, t, 3, 1, T, D, 1);
    }
    ops_positions_add(x, m->pos_emb, c->max_positions, D, B, T);
    ops_layernorm(x, x, N, D, m->emb_ln.w, m->emb_ln.b, c->ln_eps);
    TFM_EMIT(hk, DBERT_EMB_LN, x, 3, B, T, D, 1);
    TFM_EMIT(hk, DBERT_EMB_DROP, x, 3, B, T, D, 1);
    TFM_EMIT(hk, DBERT_EMB, x, 3, B, T, D, 1);

    const float sqrt_d = sqrtf((float)d);
    for (int l = 0; l < (int)c->n_layers; l++) {
        const tfm_layer *w = &m->layers[l];
        ops_linear(q, x, D, N, D, D, w->q.w, OPS_W_LINEAR, w->q.b);
        TFM_EMIT(hk, layer_mod(l, DBERT_L_Q), q, 3, B, T, D, 1);
        ops_linear(k, x, D, N, D, D, w->k.w, OPS_W_LINEAR, w->k.b);
        TFM_EMIT(hk, layer_mod(l, DBERT_L_K), k, 3, B, T, D, 1);
        ops_linear(v, x, D, N, D, D, w->v.w, OPS_W_LINEAR, w->v.b);
        TFM_EMIT(hk, layer_mod(l, DBERT_L_V), v, 3, B, T, D, 1);

        ops_div(q, sqrt_d, N * D);
        const dbert_probs_arg pa = {bt->mask, T};
        const ops_heads heads = {nH, 1, d, d, d};
        ops_attention(S, ctx, D, q, D, k, D, v, D, B, T, &heads, dbert_probs, &pa);
        TFM_EMIT(hk, layer_mod(l, DBERT_L_PROBS), S, 4, B, nH, T, T);
        ops_linear(t, ctx, D, N, D, D, w->o.w, OPS_W_LINEAR, w->o.b);
        TFM_EMIT(hk, layer_mod(l, DBERT_L_OUT_LIN), t, 3, B, T, D, 1);
        TFM_EMIT(hk, layer_mod(l, DBERT_L_ATT), t, 3, B, T, D, 1);
        ops_add(t, x, N * D);
        ops_layernorm(t, t, N, D, w->ln1.w, w->ln1.b, c->ln_eps);
        TFM_EMIT(hk, layer_mod(l, DBERT_L_SA_LN), t, 3, B, T, D, 1);

        ops_linear(f, t, D, N, D, I, w->fc1.w, OPS_W_LINEAR, w->fc1.b);
        TFM_EMIT(hk, layer_mod(l, DBERT_L_LIN1), f, 3, B, T, I, 1);
        ops_activation(f, N * I, c->act);
        TFM_EMIT(hk, layer_mod(l, DBERT_L_ACT), f, 3, B, T, I, 1);
        ops_linear(ctx, f, I, N, I, D, w->fc2.w, OPS_W_LINEAR, w->fc2.b);
        TFM_EMIT(hk, layer_mod(l, DBERT_L_LIN2), ctx, 3, B, T, D, 1);
        TFM_EMIT(hk, layer_mod(l, DBERT_L_FFN_DROP), ctx, 3, B, T, D, 1);
        TFM_EMIT(hk, layer_mod(l, DBERT_L_FFN), ctx, 3, B, T, D, 1);
        ops_add(ctx, t, N * D);
        ops_layernorm(x, ctx, N, D, w->ln2.w, w->ln2.b, c->ln_eps);
        TFM_EMIT(hk, layer_mod(l, DBERT_L_OUT_LN), x, 3, B, T, D, 1);
        TFM_EMIT(hk, layer_mod(l, DBERT_L), x, 3, B, T, D, 1);
    }
    TFM_EMIT(hk, DBERT_TRANSFORMER, x, 3, B, T, D, 1);
    TFM_EMIT(hk, DBERT_ROOT, x, 3, B, T, D, 1);
    return 0;
}

/* ---- the descriptor ------------------------------------------------------ */

static const char *const a_hidden[] = {"hidden_size", NULL};
static const char *const a_heads[] = {"num_attention_heads", NULL};
static const char *const a_layers[] = {"num_hidden_layers", NULL};

/* DistilBertConfig (transformers 4.31) fields, in the order of its
 * __init__; aliases are its attribute_map.  No LayerNorm eps field: HF
 * hard-codes 1e-12 (the tfm_config default). */
static const tfm_field distilbert_fields[] = {
    {"vocab_size", TFM_FIELD_POS_INT, "30522", TFM_MEMBER_VOCAB, NULL, 0, NULL, NULL},
    {"max_position_embeddings", TFM_FIELD_POS_INT, "512", TFM_MEMBER_POSITIONS, NULL, 0, NULL,
     NULL},
    {"sinusoidal_pos_embds", TFM_FIELD_BOOL, "false", TFM_MEMBER_SINUSOIDAL, NULL, 0, NULL, NULL},
    {"n_layers", TFM_FIELD_POS_INT, "6", TFM_MEMBER_LAYERS, a_layers, 0, NULL, NULL},
    {"n_heads", TFM_FIELD_POS_INT, "12", TFM_MEMBER_HEADS, a_heads, 0, NULL, NULL},
    {"dim", TFM_FIELD_POS_INT, "768", TFM_MEMBER_HIDDEN, a_hidden, 0, NULL, NULL},
    {"hidden_dim", TFM_FIELD_POS_INT, "3072", TFM_MEMBER_INNER, NULL, 0, NULL, NULL},
    {"dropout", TFM_FIELD_REAL, "0.1", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"attention_dropout", TFM_FIELD_REAL, "0.1", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"activation", TFM_FIELD_ACT, "gelu", TFM_MEMBER_ACT, NULL, 0, NULL, NULL},
    {"initializer_range", TFM_FIELD_NONNEG_REAL, "0.02", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"qa_dropout", TFM_FIELD_REAL, "0.1", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"seq_classif_dropout", TFM_FIELD_REAL, "0.2", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"pad_token_id", TFM_FIELD_NONNEG_INT_NULL, "0", TFM_MEMBER_PAD, NULL, 0, NULL, NULL},
};

static const char *const distilbert_model_types[] = {"distilbert", NULL};
static const char *const distilbert_classes[] = {"DistilBert", NULL};
static const char *const distilbert_prefixes[] = {"distilbert.", NULL};
static const char *const distilbert_buffers[] = {"(^|\\.)embeddings\\.(position_ids|token_type_ids)$", NULL};

const tfm_arch_desc tfm_arch_distilbert = {
    .name = "distilbert",
    .display = "DistilBERT",
    .model_types = distilbert_model_types,
    .hf_class = "DistilBertModel",
    .class_prefixes = distilbert_classes,
    .key_prefixes = distilbert_prefixes,
    .buffers = distilbert_buffers,
    .optional_prefix = NULL,
    .fields = distilbert_fields,
    .n_fields = (int)(sizeof distilbert_fields / sizeof distilbert_fields[0]),
    .token_types = TFM_TT_NONE,
    .param_count = distilbert_param_count,
    .param_list = distilbert_param_list,
    .resolve = NULL,
    .check = NULL,
    .max_seq = tfm_max_seq_positions,
    .pre = dbert_pre,
    .block = dbert_block,
    .post = NULL,
    .npre = DBERT_NPRE,
    .nblock = DBERT_NBLOCK,
    .npost = 0,
    .block_prefix = DBERT_BLOCK_PREFIX,
    .post_optional = 0,
    .scratch_floats = tfm_scratch_floats_common,
    .forward = distilbert_forward,
};
