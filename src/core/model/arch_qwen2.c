/* Qwen2 (Qwen2Model), following shared/spec/transformers.md §8: the Llama
 * forward (arch_llama.c) with
 *   - biases on q_proj, k_proj, v_proj always (none on o_proj or the MLP);
 *   - a sliding attention window of sliding_window keys in the layers
 *     i >= max_window_layers, only when use_sliding_window is true;
 *   - Qwen2Config's defaults (vocab 151936, 32 key/value heads, ...).
 * Qwen2 postdates transformers 4.31: its hook names are Llama's of 4.31
 * (a rotary_emb per layer, as the first Qwen2 releases had). */
#include "model/arch_llama.h"
#include "model/registry.h"

static int qwen2_param_count(const tfm_config *cfg)
{
    return llama_family_param_count(cfg, 1, 0);
}

static void qwen2_param_list(tfm_model *m, tfm_param *p)
{
    llama_family_param_list(m, p, 1, 0);
}


/* Qwen2Config fields, in the order of its __init__ (+ pad/bos/eos of
 * PretrainedConfig, which Qwen2 checkpoints write). */
static const tfm_field qwen2_fields[] = {
    {"vocab_size", TFM_FIELD_POS_INT, "151936", TFM_MEMBER_VOCAB, NULL, 0, NULL, NULL},
    {"hidden_size", TFM_FIELD_POS_INT, "4096", TFM_MEMBER_HIDDEN, NULL, 0, NULL, NULL},
    {"intermediate_size", TFM_FIELD_POS_INT, "22016", TFM_MEMBER_INNER, NULL, 0, NULL, NULL},
    {"num_hidden_layers", TFM_FIELD_POS_INT, "32", TFM_MEMBER_LAYERS, NULL, 0, NULL, NULL},
    {"num_attention_heads", TFM_FIELD_POS_INT, "32", TFM_MEMBER_HEADS, NULL, 0, NULL, NULL},
    {"num_key_value_heads", TFM_FIELD_POS_INT_NULL, "32", TFM_MEMBER_KV_HEADS, NULL, 0, NULL,
     NULL},
    {"hidden_act", TFM_FIELD_ACT, "silu", TFM_MEMBER_ACT, NULL, 0, NULL, NULL},
    {"max_position_embeddings", TFM_FIELD_POS_INT, "32768", TFM_MEMBER_POSITIONS, NULL, 0, NULL,
     NULL},
    {"initializer_range", TFM_FIELD_NONNEG_REAL, "0.02", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"rms_norm_eps", TFM_FIELD_REAL, "1e-6", TFM_MEMBER_LN_EPS, NULL, 0, NULL, NULL},
    {"use_cache", TFM_FIELD_BOOL, "true", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"tie_word_embeddings", TFM_FIELD_BOOL, "false", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"rope_theta", TFM_FIELD_REAL, "10000", TFM_MEMBER_ROPE_THETA, NULL, 0, NULL, NULL},
    {"rope_scaling", TFM_FIELD_ROPE_SCALING, "null", TFM_MEMBER_ROPE_SCALING, NULL, 0, NULL,
     NULL},
    {"use_sliding_window", TFM_FIELD_BOOL, "false", TFM_MEMBER_USE_SLIDING_WINDOW, NULL, 0, NULL,
     NULL},
    {"sliding_window", TFM_FIELD_POS_INT_NULL, "4096", TFM_MEMBER_SLIDING_WINDOW, NULL, 0, NULL,
     NULL},
    {"max_window_layers", TFM_FIELD_NONNEG_INT_NULL, "28", TFM_MEMBER_MAX_WINDOW_LAYERS, NULL, 0,
     NULL, NULL},
    {"attention_dropout", TFM_FIELD_REAL, "0", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"pad_token_id", TFM_FIELD_NONNEG_INT_NULL, "null", TFM_MEMBER_PAD, NULL, 0, NULL, NULL},
    {"bos_token_id", TFM_FIELD_ANY, "null", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
    {"eos_token_id", TFM_FIELD_ANY, "null", TFM_MEMBER_NONE, NULL, 0, NULL, NULL},
};

static const char *const qwen2_model_types[] = {"qwen2", NULL};
static const char *const qwen2_classes[] = {"Qwen2", NULL};
static const char *const qwen2_prefixes[] = {"model.", NULL};

const tfm_arch_desc tfm_arch_qwen2 = {
    .name = "qwen2",
    .display = "Qwen2",
    .model_types = qwen2_model_types,
    .hf_class = "Qwen2Model",
    .class_prefixes = qwen2_classes,
    .key_prefixes = qwen2_prefixes,
    .buffers = llama_buffers,
    .optional_prefix = NULL,
    .fields = qwen2_fields,
    .n_fields = (int)(sizeof qwen2_fields / sizeof qwen2_fields[0]),
    .token_types = TFM_TT_NONE,
    .param_count = qwen2_param_count,
    .param_list = qwen2_param_list,
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
