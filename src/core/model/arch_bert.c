/* BERT (BertModel, transformers v4.31, eval): parameters and the forward
 * pass with its hook points, following shared/spec/transformers.md §3.
 *
 *   E  = (word[ids] + type[tt]) + pos[0..T-1];  X = LN_emb(E)
 *   per layer:  Q, K, V = X Wq' + bq, ...;  P = softmax(Q_h K_h' / sqrt(d) + Madd)
 *               A = merge(P V_h) Wo' + bo;   X1 = LN_att(A + X)
 *               X  = LN_out(act(X1 W1' + b1) W2' + b2 + X1)
 *   pooler = tanh(X[:, 0] Wp' + bp);  last_hidden_state = X
 * Madd[b, j] = (1 - m[b, j]) * (-FLT_MAX), added to the scaled scores.
 * RoBERTa (arch_roberta.c) runs this forward with its own position ids. */
#include "model/arch_bert.h"
#include "model/hooks.h"
#include "model/ops.h"
#include "model/registry.h"

#include <float.h>
#include <math.h>

const tfm_module_entry bert_pre_modules[] = {BERT_PRE_MODULES(TFM_HOOKS_TABLE_ENTRY)};
const tfm_module_entry bert_block_modules[] = {BERT_BLOCK_MODULES(TFM_HOOKS_TABLE_ENTRY)};
const tfm_module_entry bert_post_modules[] = {BERT_POST_MODULES(TFM_HOOKS_TABLE_ENTRY)};

int bert_param_count(const tfm_config *cfg)
{
    return 5 + 16 * (int)cfg->n_layers + (cfg->has_pooler ? 2 : 0);
}

void bert_param_list(tfm_model *m, tfm_param *p)
{
    const int64_t H = m->cfg.hidden, I = m->cfg.inner;
    tfm_param_matrix(p++, &m->word_emb, m->cfg.vocab_size, H, "embeddings.word_embeddings.weight");
    if (m->cfg.pad_id >= 0 && m->cfg.pad_id < m->cfg.vocab_size)
        p[-1].zero_row = m->cfg.pad_id;            /* Embedding(padding_idx = pad) */
    tfm_param_matrix(p++, &m->pos_emb, m->cfg.max_positions, H,
                  "embeddings.position_embeddings.weight");
    tfm_param_matrix(p++, &m->type_emb, m->cfg.type_vocab, H,
                  "embeddings.token_type_embeddings.weight");
    tfm_param_vector(p++, &m->emb_ln.w, H, "embeddings.LayerNorm.weight");
    tfm_param_vector(p++, &m->emb_ln.b, H, "embeddings.LayerNorm.bias");
    static const char *const mod[8] = {
        "attention.self.query", "attention.self.key", "attention.self.value",
        "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense",
        "output.dense", "output.LayerNorm"};
    for (int i = 0; i < (int)m->cfg.n_layers; i++)
        p = tfm_encoder_block_params(p, &m->layers[i], "encoder.layer.", i, H, I, mod);
    if (m->cfg.has_pooler) {
        tfm_param_matrix(p++, &m->pooler.w, H, H, "pooler.dense.weight");
        tfm_param_vector(p++, &m->pooler.b, H, "pooler.dense.bias");
        p[-1].optional = p[-2].optional = 1;
    }
}

/* Scaled scores + additive padding mask -> probabilities, one (b, h) block. */
typedef struct bert_probs_arg {
    const float *madd;
    int64_t T;
    float sqrt_d;
} bert_probs_arg;

static void bert_probs(const void *varg, float *S, int64_t b, int64_t h)
{
    (void)h;
    const bert_probs_arg *a = varg;
    const int64_t T = a->T;
    const float *madd = a->madd + b * T, sqrt_d = a->sqrt_d;
    for (int64_t i = 0; i < T; i++) {
        float *row = S + i * T;
        for (int64_t j = 0; j < T; j++)
            row[j] = row[j] / sqrt_d + madd[j];
        ops_softmax_row(row, T);
    }
}

/* Module index of block entry j of layer l. */
static inline int layer_mod(int l, int j)
{
    return BERT_NPRE + l * BERT_NBLOCK + j;
}

static inline int post_mod(const tfm_config *cfg, int j)
{
    return BERT_NPRE + (int)cfg->n_layers * BERT_NBLOCK + j;
}

int bert_family_forward(const tfm_model *m, const tfm_batch *bt, tfm_hooks *hk, float *ws,
                        bert_positions_fn positions)
{
    const tfm_config *c = &m->cfg;
    const int64_t B = bt->B, T = bt->T, N = B * T, H = c->hidden, I = c->inner;
    const int64_t nH = c->n_heads, d = H / nH, V = c->vocab_size;
    tfm_scratch sc;
    tfm_scratch_carve(c, B, T, ws, &sc);
    float *x = sc.x, *t = sc.t, *ctx = sc.ctx, *f = sc.f, *S = sc.s;
    float *q = sc.qkv, *k = sc.qkv + N * H, *v = sc.qkv + 2 * N * H;

    /* Embeddings: (word + token type) + position, then LayerNorm. */
    ops_embed(x, m->word_emb, V, H, bt->ids, N);
    TFM_EMIT(hk, BERT_EMB_WORD, x, 3, B, T, H, 1);
    if (bt->token_types != NULL) {
        ops_embed(t, m->type_emb, c->type_vocab, H, bt->token_types, N);
    } else {                       /* default token types: all zero */
        ops_positions(t, m->type_emb, c->type_vocab, H, 1);
        for (int64_t n = 1; n < N; n++)
            for (int64_t j = 0; j < H; j++)
                t[n * H + j] = t[j];
    }
    TFM_EMIT(hk, BERT_EMB_TYPE, t, 3, B, T, H, 1);
    ops_add(x, t, N * H);
    if (positions != NULL) {
        /* per-row position ids (RoBERTa): the hook sees [B, T, H] */
        positions(c, bt, sc.pos);
        if (tfm_hook_wanted(hk, BERT_EMB_POS)) {
            ops_embed(t, m->pos_emb, c->max_positions, H, sc.pos, N);
            TFM_EMIT(hk, BERT_EMB_POS, t, 3, B, T, H, 1);
        }
        ops_embed_add(x, m->pos_emb, c->max_positions, H, sc.pos, N);
    } else {
        if (tfm_hook_wanted(hk, BERT_EMB_POS)) {
            ops_positions(t, m->pos_emb, c->max_positions, H, T);
            TFM_EMIT(hk, BERT_EMB_POS, t, 3, 1, T, H, 1);
        }
        ops_positions_add(x, m->pos_emb, c->max_positions, H, B, T);
    }
    ops_layernorm(x, x, N, H, m->emb_ln.w, m->emb_ln.b, c->ln_eps);
    TFM_EMIT(hk, BERT_EMB_LN, x, 3, B, T, H, 1);
    TFM_EMIT(hk, BERT_EMB_DROP, x, 3, B, T, H, 1);
    TFM_EMIT(hk, BERT_EMB, x, 3, B, T, H, 1);

    /* Additive padding mask (1 - m) * finfo(float32).min, in float32. */
    for (int64_t n = 0; n < N; n++)
        sc.madd[n] = bt->mask ? (1.0f - bt->mask[n]) * -FLT_MAX : 0.0f;
    const float sqrt_d = sqrtf((float)d);

    for (int l = 0; l < (int)c->n_layers; l++) {
        const tfm_layer *w = &m->layers[l];
        ops_linear(q, x, H, N, H, H, w->q.w, OPS_W_LINEAR, w->q.b);
        TFM_EMIT(hk, layer_mod(l, BERT_L_QUERY), q, 3, B, T, H, 1);
        ops_linear(k, x, H, N, H, H, w->k.w, OPS_W_LINEAR, w->k.b);
        TFM_EMIT(hk, layer_mod(l, BERT_L_KEY), k, 3, B, T, H, 1);
        ops_linear(v, x, H, N, H, H, w->v.w, OPS_W_LINEAR, w->v.b);
        TFM_EMIT(hk, layer_mod(l, BERT_L_VALUE), v, 3, B, T, H, 1);

        /* P = softmax(Q K' / sqrt(d) + Madd), context = P V, per batch row
         * and head. */
        const bert_probs_arg pa = {sc.madd, T, sqrt_d};
        const ops_heads heads = {nH, 1, d, d, d};
        ops_attention(S, ctx, H, q, H, k, H, v, H, B, T, &heads, bert_probs, &pa);
        TFM_EMIT(hk, layer_mod(l, BERT_L_PROBS), S, 4, B, nH, T, T);
        TFM_EMIT(hk, layer_mod(l, BERT_L_SELF), ctx, 3, B, T, H, 1);

        /* attention.output: X1 = LN(ctx Wo' + bo + X), into t. */
        ops_linear(t, ctx, H, N, H, H, w->o.w, OPS_W_LINEAR, w->o.b);
        TFM_EMIT(hk, layer_mod(l, BERT_L_ATT_DENSE), t, 3, B, T, H, 1);
        TFM_EMIT(hk, layer_mod(l, BERT_L_ATT_DROP), t, 3, B, T, H, 1);
        ops_add(t, x, N * H);
        ops_layernorm(t, t, N, H, w->ln1.w, w->ln1.b, c->ln_eps);
        TFM_EMIT(hk, layer_mod(l, BERT_L_ATT_LN), t, 3, B, T, H, 1);
        TFM_EMIT(hk, layer_mod(l, BERT_L_ATT_OUT), t, 3, B, T, H, 1);
        TFM_EMIT(hk, layer_mod(l, BERT_L_ATT), t, 3, B, T, H, 1);

        /* intermediate + output: X = LN(act(X1 W1' + b1) W2' + b2 + X1). */
        ops_linear(f, t, H, N, H, I, w->fc1.w, OPS_W_LINEAR, w->fc1.b);
        TFM_EMIT(hk, layer_mod(l, BERT_L_INTER_DENSE), f, 3, B, T, I, 1);
        ops_activation(f, N * I, c->act);
        TFM_EMIT(hk, layer_mod(l, BERT_L_INTER_ACT), f, 3, B, T, I, 1);
        TFM_EMIT(hk, layer_mod(l, BERT_L_INTER), f, 3, B, T, I, 1);
        ops_linear(ctx, f, I, N, I, H, w->fc2.w, OPS_W_LINEAR, w->fc2.b);
        TFM_EMIT(hk, layer_mod(l, BERT_L_OUT_DENSE), ctx, 3, B, T, H, 1);
        TFM_EMIT(hk, layer_mod(l, BERT_L_OUT_DROP), ctx, 3, B, T, H, 1);
        ops_add(ctx, t, N * H);
        ops_layernorm(x, ctx, N, H, w->ln2.w, w->ln2.b, c->ln_eps);
        TFM_EMIT(hk, layer_mod(l, BERT_L_OUT_LN), x, 3, B, T, H, 1);
        TFM_EMIT(hk, layer_mod(l, BERT_L_OUT), x, 3, B, T, H, 1);
        TFM_EMIT(hk, layer_mod(l, BERT_L), x, 3, B, T, H, 1);
    }
    TFM_EMIT(hk, BERT_ENCODER, x, 3, B, T, H, 1);

    /* Pooler on the first token of every row: only computed for its hooks. */
    if (c->has_pooler && (tfm_hook_wanted(hk, post_mod(c, BERT_POOLER))
                          || tfm_hook_wanted(hk, post_mod(c, BERT_POOLER_DENSE))
                          || tfm_hook_wanted(hk, post_mod(c, BERT_POOLER_ACT)))) {
        ops_linear(t, x, T * H, B, H, H, m->pooler.w, OPS_W_LINEAR, m->pooler.b);
        TFM_EMIT(hk, post_mod(c, BERT_POOLER_DENSE), t, 2, B, H, 1, 1);
        ops_activation(t, B * H, TFM_ACT_TANH);
        TFM_EMIT(hk, post_mod(c, BERT_POOLER_ACT), t, 2, B, H, 1, 1);
        TFM_EMIT(hk, post_mod(c, BERT_POOLER), t, 2, B, H, 1, 1);
    }
    TFM_EMIT(hk, BERT_ROOT, x, 3, B, T, H, 1);
    return 0;
}

static int bert_forward(const tfm_model *m, const tfm_batch *bt, tfm_hooks *hk, float *ws)
{
    return bert_family_forward(m, bt, hk, ws, NULL);
}

/* ---- the descriptor ------------------------------------------------------ */

static const char *const absolute_only[] = {"absolute", NULL};

/* BertConfig (transformers 4.31) fields, in the order of its __init__
 * (then PretrainedConfig's that matter here). */
static const tfm_field bert_fields[] = {
    {"vocab_size", TFM_FIELD_POS_INT, "30522", TFM_MEMBER_VOCAB, NULL, 0, NULL, NULL},
    {"hidden_size", TFM_FIELD_POS_INT, "768", TFM_MEMBER_HIDDEN, NULL, 0, NULL, NULL},
    {"num_hidden_layers", TFM_FIELD_POS_INT, "12", TFM_MEMBER_LAYERS, NULL, 0, NULL, NULL},
    {"num_attention_heads", TFM_FIELD_POS_INT, "12", TFM_MEMBER_HEADS, NULL, 0, NULL, NULL},
    {"intermediate_size", TFM_FIELD_POS_INT, "3072", TFM_MEMBER_INNER, NULL, 0, NULL, NULL},
    {"hidden_act", TFM_FIELD_ACT, "gelu", TFM_MEMBER_ACT, NULL, 0, NULL, NULL},
    {"hidden_dropout_prob", TFM_FIELD_REAL, "0.1", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"attention_probs_dropout_prob", TFM_FIELD_REAL, "0.1", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"max_position_embeddings", TFM_FIELD_POS_INT, "512", TFM_MEMBER_POSITIONS, NULL, 0, NULL,
     NULL},
    {"type_vocab_size", TFM_FIELD_POS_INT, "2", TFM_MEMBER_TYPE_VOCAB, NULL, 0, NULL, NULL},
    {"initializer_range", TFM_FIELD_NONNEG_REAL, "0.02", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"layer_norm_eps", TFM_FIELD_REAL, "1e-12", TFM_MEMBER_LN_EPS, NULL, 0, NULL, NULL},
    {"pad_token_id", TFM_FIELD_NONNEG_INT_NULL, "0", TFM_MEMBER_PAD, NULL, 0, NULL, NULL},
    {"position_embedding_type", TFM_FIELD_STRING, "absolute", TFM_MEMBER_NONE, NULL,
     TFM_CHECK_ONE_OF, absolute_only, "relative position embeddings are not implemented"},
    {"use_cache", TFM_FIELD_BOOL, "true", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"classifier_dropout", TFM_FIELD_ANY, "null", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"is_decoder", TFM_FIELD_BOOL, "false", TFM_MEMBER_NONE, NULL, TFM_CHECK_FALSE, NULL,
     "BERT decoders (is_decoder / add_cross_attention) are not supported"},
    {"add_cross_attention", TFM_FIELD_BOOL, "false", TFM_MEMBER_NONE, NULL, TFM_CHECK_FALSE,
     NULL, "BERT decoders (is_decoder / add_cross_attention) are not supported"},
    {"chunk_size_feed_forward", TFM_FIELD_ANY, "0", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"pruned_heads", TFM_FIELD_OBJECT, "{}", TFM_MEMBER_NONE, NULL, TFM_CHECK_EMPTY, NULL,
     "checkpoints with pruned_heads are not supported"},
};

static const char *const bert_model_types[] = {"bert", NULL};
static const char *const bert_classes[] = {"Bert", NULL};
static const char *const bert_prefixes[] = {"bert.", NULL};
const char *const bert_buffers[] = {"(^|\\.)embeddings\\.(position_ids|token_type_ids)$", NULL};

const tfm_arch_desc tfm_arch_bert = {
    .name = "bert",
    .display = "BERT",
    .model_types = bert_model_types,
    .hf_class = "BertModel",
    .class_prefixes = bert_classes,
    .key_prefixes = bert_prefixes,
    .buffers = bert_buffers,
    .optional_prefix = "pooler.",
    .fields = bert_fields,
    .n_fields = (int)(sizeof bert_fields / sizeof bert_fields[0]),
    .token_types = TFM_TT_TABLE,
    .param_count = bert_param_count,
    .param_list = bert_param_list,
    .resolve = NULL,
    .check = NULL,
    .max_seq = tfm_max_seq_positions,
    .pre = bert_pre_modules,
    .block = bert_block_modules,
    .post = bert_post_modules,
    .npre = BERT_NPRE,
    .nblock = BERT_NBLOCK,
    .npost = BERT_NPOST,
    .block_prefix = BERT_BLOCK_PREFIX,
    .post_optional = 1,
    .scratch_floats = tfm_scratch_floats_common,
    .forward = bert_forward,
};
