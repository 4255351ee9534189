/* The Llama family's pieces that Qwen2 and Mistral reuse (same modules,
 * parameters and forward; other defaults, biases and attention windows).
 * Internal to src/core/model. */
#ifndef CKA_ARCH_LLAMA_H
#define CKA_ARCH_LLAMA_H

#include "model/hooks.h"

/* ---- LlamaModel named_modules() (v4.31: a rotary_emb per layer) ---- */
#define LLAMA_PRE_MODULES(X)                                          \
    X(LLAMA_ROOT, "", 0)                                              \
    X(LLAMA_EMBED, "embed_tokens", 0)                                 \
    X(LLAMA_LAYERS, "layers", 1)
#define LLAMA_BLOCK_MODULES(X)                                        \
    X(LLAMA_L, "", 0)                                                 \
    X(LLAMA_L_ATTN, "self_attn", 0)                                   \
    X(LLAMA_L_Q, "self_attn.q_proj", 0)                               \
    X(LLAMA_L_K, "self_attn.k_proj", 0)                               \
    X(LLAMA_L_V, "self_attn.v_proj", 0)                               \
    X(LLAMA_L_O, "self_attn.o_proj", 0)                               \
    X(LLAMA_L_ROTARY, "self_attn.rotary_emb", 0)                      \
    X(LLAMA_L_MLP, "mlp", 0)                                          \
    X(LLAMA_L_GATE, "mlp.gate_proj", 0)                               \
    X(LLAMA_L_UP, "mlp.up_proj", 0)                                   \
    X(LLAMA_L_DOWN, "mlp.down_proj", 0)                               \
    X(LLAMA_L_ACT, "mlp.act_fn", 0)                                   \
    X(LLAMA_L_LN_IN, "input_layernorm", 0)                            \
    X(LLAMA_L_LN_POST, "post_attention_layernorm", 0)
#define LLAMA_POST_MODULES(X)                                         \
    X(LLAMA_NORM, "norm", 0)

enum { LLAMA_PRE_MODULES(TFM_HOOKS_ENUM_ENTRY) LLAMA_NPRE };
enum { LLAMA_BLOCK_MODULES(TFM_HOOKS_ENUM_ENTRY) LLAMA_NBLOCK };
enum { LLAMA_POST_MODULES(TFM_HOOKS_ENUM_ENTRY) LLAMA_NPOST };

extern const tfm_module_entry llama_pre_modules[], llama_block_modules[], llama_post_modules[];
/* The persistent inv_freq buffers of older files (skipped, recomputed). */
extern const char *const llama_buffers[];

/* Parameters with q/k/v biases (qkv_bias), an o_proj bias (o_bias) and
 * MLP biases (cfg->mlp_bias). */
int llama_family_param_count(const tfm_config *cfg, int qkv_bias, int o_bias);
void llama_family_param_list(tfm_model *m, tfm_param *p, int qkv_bias, int o_bias);

/* Checks shared by the family: an even head size (rotate_half),
 * rope_theta > 0, a window >= 1 when one is set. */
int llama_family_check(const tfm_config *cfg, cka_error *err);

size_t llama_family_scratch_floats(const tfm_config *cfg, int64_t B, int64_t T);

/* The forward; layer l attends within a window of W = cfg->sliding_window
 * keys (k > q - W) when cfg->use_sliding_window and l >=
 * cfg->max_window_layers, else to every earlier key. */
int llama_family_forward(const tfm_model *m, const tfm_batch *bt, tfm_hooks *hk, float *ws);

#endif
