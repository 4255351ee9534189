/* Mistral (MistralModel), following shared/spec/transformers.md §8: the
 * Llama forward (arch_llama.c) with no biases and a sliding attention
 * window in every layer: query q sees the keys k with q - W < k <= q
 * (W = sliding_window; null: no window), the rule of current transformers
 * (masking_utils.sliding_window_overlay; 4.34-4.3x let one more key in).
 * Mistral postdates transformers 4.31: its hook names are Llama's of 4.31
 * (a rotary_emb per layer, as the first Mistral release had). */
#include "model/arch_llama.h"
#include "model/registry.h"

static int mistral_param_count(const tfm_config *cfg)
{
    return llama_family_param_count(cfg, 0, 0);
}

static void mistral_param_list(tfm_model *m, tfm_param *p)
{
    llama_family_param_list(m, p, 0, 0);
}

/* The window applies to every layer. */
static void mistral_resolve(tfm_config *cfg)
{
    cfg->use_sliding_window = 1;
    cfg->max_window_layers = 0;
}


/* MistralConfig fields, in the order of its __init__. */
static const tfm_field mistral_fields[] = {
    {"vocab_size", TFM_FIELD_POS_INT, "32000", TFM_MEMBER_VOCAB, NULL, 0, NULL, NULL},
    {"hidden_size", TFM_FIELD_POS_INT, "4096", TFM_MEMBER_HIDDEN, NULL, 0, NULL, NULL},
    {"intermediate_size", TFM_FIELD_POS_INT, "14336", TFM_MEMBER_INNER, NULL, 0, NULL, NULL},
    {"num_hidden_layers", TFM_FIELD_POS_INT, "32", TFM_MEMBER_LAYERS, NULL, 0, NULL, NULL},
    {"num_attention_heads", TFM_FIELD_POS_INT, "32", TFM_MEMBER_HEADS, NULL, 0, NULL, NULL},
    {"num_key_value_heads", TFM_FIELD_POS_INT_NULL, "8", TFM_MEMBER_KV_HEADS, NULL, 0, NULL,
     NULL},
    {"head_dim", TFM_FIELD_POS_INT_NULL, "null", TFM_MEMBER_HEAD_DIM, NULL, 0, NULL, NULL},
    {"hidden_act", TFM_FIELD_ACT, "silu", TFM_MEMBER_ACT, NULL, 0, NULL, NULL},
    {"max_position_embeddings", TFM_FIELD_POS_INT, "131072", TFM_MEMBER_POSITIONS, NULL, 0, NULL,
     NULL},
    {"initializer_range", TFM_FIELD_NONNEG_REAL, "0.02", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"rms_norm_eps", TFM_FIELD_REAL, "1e-6", TFM_MEMBER_LN_EPS, NULL, 0, NULL, NULL},
    {"use_cache", TFM_FIELD_BOOL, "true", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"pad_token_id", TFM_FIELD_NONNEG_INT_NULL, "null", TFM_MEMBER_PAD, NULL, 0, NULL, NULL},
    {"bos_token_id", TFM_FIELD_ANY, "1", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"eos_token_id", TFM_FIELD_ANY, "2", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"tie_word_embeddings", TFM_FIELD_BOOL, "false", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"rope_theta", TFM_FIELD_REAL, "10000", TFM_MEMBER_ROPE_THETA, NULL, 0, NULL, NULL},
    {"sliding_window", TFM_FIELD_POS_INT_NULL, "4096", TFM_MEMBER_SLIDING_WINDOW, NULL, 0, NULL,
     NULL},
    {"attention_dropout", TFM_FIELD_REAL, "0", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
};

static const char *const mistral_model_types[] = {"mistral", NULL};
static const char *const mistral_classes[] = {"Mistral", NULL};
static const char *const mistral_prefixes[] = {"model.", NULL};

const tfm_arch_desc tfm_arch_mistral = {
    .name = "mistral",
    .display = "Mistral",
    .model_types = mistral_model_types,
    .hf_class = "MistralModel",
    .class_prefixes = mistral_classes,
    .key_prefixes = mistral_prefixes,
    .buffers = llama_buffers,
    .optional_prefix = NULL,
    .fields = mistral_fields,
    .n_fields = (int)(sizeof mistral_fields / sizeof mistral_fields[0]),
    .token_types = TFM_TT_NONE,
    .param_count = mistral_param_count,
    .param_list = mistral_param_list,
    .resolve = mistral_resolve,
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
