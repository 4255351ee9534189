/* RoBERTa (RobertaModel, transformers v4.31, eval), following
 * shared/spec/transformers.md §6: BERT's modules, parameters, attention,
 * MLP and pooler (arch_bert.c), with two differences:
 *
 *   position ids from the input ids, not 0..T-1 (pad = pad_token_id):
 *       keep[b, t] = ids[b, t] != pad
 *       pos[b, t]  = keep[b, t] * (sum_{u <= t} keep[b, u]) + pad
 *     (real tokens get pad+1, pad+2, ...; padding tokens get pad; the
 *     attention mask is not consulted), so the longest sequence is
 *     max_position_embeddings - pad - 1 and the position_embeddings hook
 *     sees [B, T, H];
 *   RobertaConfig's defaults (vocab 50265, pad 1, bos 0, eos 2), and the
 *   padding_idx row of the position table too (init only).
 * Checkpoints of head models (RobertaForMaskedLM) carry the prefix
 * "roberta." and often no pooler (loaded without one, never invented). */
#include "model/arch_bert.h"
#include "model/registry.h"

static int roberta_param_count(const tfm_config *cfg)
{
    return bert_param_count(cfg);
}

static void roberta_param_list(tfm_model *m, tfm_param *p)
{
    bert_param_list(m, p);
    /* position_embeddings = Embedding(P, H, padding_idx = pad) */
    if (m->cfg.pad_id >= 0 && m->cfg.pad_id < m->cfg.max_positions)
        p[1].zero_row = m->cfg.pad_id;
}

/* create_position_ids_from_input_ids: pad + cumsum(id != pad) for real
 * tokens, pad for padding tokens (the attention mask is not consulted). */
static void roberta_positions(const tfm_config *cfg, const tfm_batch *bt, int64_t *pos)
{
    const int64_t pad = cfg->pad_id;
    for (int64_t b = 0; b < bt->B; b++) {
        int64_t run = 0;
        for (int64_t t = 0; t < bt->T; t++) {
            const int keep = bt->ids[b * bt->T + t] != pad;
            run += keep;
            pos[b * bt->T + t] = keep ? pad + run : pad;
        }
    }
}

static int roberta_forward(const tfm_model *m, const tfm_batch *bt, tfm_hooks *hk, float *ws)
{
    return bert_family_forward(m, bt, hk, ws, roberta_positions);
}

/* Positions start after the padding id: T <= P - pad - 1. */
static int64_t roberta_max_seq(const tfm_config *cfg)
{
    const int64_t n = cfg->max_positions - cfg->pad_id - 1;
    return n > 0 ? n : 0;
}

static int roberta_check(const tfm_config *cfg, cka_error *err)
{
    if (cfg->pad_id < 0 || cfg->pad_id >= cfg->vocab_size)
        return cka_error_set(err, "cka:config:badValue",
                             "RoBERTa needs a pad_token_id in [0, vocab_size = %lld) to derive "
                             "its position ids, got %lld",
                             (long long)cfg->vocab_size, (long long)cfg->pad_id);
    if (cfg->max_positions < cfg->pad_id + 2)
        return cka_error_set(err, "cka:config:badValue",
                             "RoBERTa's max_position_embeddings (%lld) must exceed "
                             "pad_token_id + 1 (%lld): positions start at pad_token_id + 1",
                             (long long)cfg->max_positions, (long long)cfg->pad_id + 1);
    return 0;
}

static const char *const absolute_only[] = {"absolute", NULL};

/* RobertaConfig (transformers 4.31) fields, in the order of its __init__
 * (then PretrainedConfig's that matter here). */
static const tfm_field roberta_fields[] = {
    {"vocab_size", TFM_FIELD_POS_INT, "50265", TFM_MEMBER_VOCAB, NULL, 0, NULL, NULL},
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
    {"pad_token_id", TFM_FIELD_NONNEG_INT_NULL, "1", TFM_MEMBER_PAD, NULL, 0, NULL, NULL},
    {"bos_token_id", TFM_FIELD_ANY, "0", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"eos_token_id", TFM_FIELD_ANY, "2", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"position_embedding_type", TFM_FIELD_STRING, "absolute", TFM_MEMBER_NONE, NULL,
     TFM_CHECK_ONE_OF, absolute_only, "relative position embeddings are not implemented"},
    {"use_cache", TFM_FIELD_BOOL, "true", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"classifier_dropout", TFM_FIELD_ANY, "null", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"is_decoder", TFM_FIELD_BOOL, "false", TFM_MEMBER_NONE, NULL, TFM_CHECK_FALSE, NULL,
     "RoBERTa decoders (is_decoder / add_cross_attention) are not supported"},
    {"add_cross_attention", TFM_FIELD_BOOL, "false", TFM_MEMBER_NONE, NULL, TFM_CHECK_FALSE,
     NULL, "RoBERTa decoders (is_decoder / add_cross_attention) are not supported"},
    {"chunk_size_feed_forward", TFM_FIELD_ANY, "0", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"pruned_heads", TFM_FIELD_OBJECT, "{}", TFM_MEMBER_NONE, NULL, TFM_CHECK_EMPTY, NULL,
     "checkpoints with pruned_heads are not supported"},
};

static const char *const roberta_model_types[] = {"roberta", NULL};
static const char *const roberta_classes[] = {"Roberta", NULL};
static const char *const roberta_prefixes[] = {"roberta.", NULL};

const tfm_arch_desc tfm_arch_roberta = {
    .name = "roberta",
    .display = "RoBERTa",
    .model_types = roberta_model_types,
    .hf_class = "RobertaModel",
    .class_prefixes = roberta_classes,
    .key_prefixes = roberta_prefixes,
    .buffers = bert_buffers,
    .optional_prefix = "pooler.",
    .fields = roberta_fields,
    .n_fields = (int)(sizeof roberta_fields / sizeof roberta_fields[0]),
    .token_types = TFM_TT_TABLE,
    .param_count = roberta_param_count,
    .param_list = roberta_param_list,
    .resolve = NULL,
    .check = roberta_check,
    .max_seq = roberta_max_seq,
    .pre = bert_pre_modules,
    .block = bert_block_modules,
    .post = bert_post_modules,
    .npre = BERT_NPRE,
    .nblock = BERT_NBLOCK,
    .npost = BERT_NPOST,
    .block_prefix = BERT_BLOCK_PREFIX,
    .post_optional = 1,
    .scratch_floats = tfm_scratch_floats_common,
    .forward = roberta_forward,
};
