/* Hook points of the forward passes (internal to the C core).
 *
 * For each architecture the named_modules() list of the bare Hugging Face
 * model (transformers v4.31) is written ONCE below, as three X-macro lists:
 * the modules before the blocks, the modules of one block (names relative
 * to the block prefix), and the modules after the blocks.  The same lists
 * give the enum constants the forward uses to fire hooks and the name
 * tables of tfm_modules / tfm_module_find, so they cannot disagree.
 *
 * Module index (named_modules order):
 *   pre entry p            -> p
 *   block l, block entry j -> NPRE + l * NBLOCK + j
 *   post entry q           -> NPRE + L * NBLOCK + q
 * X(id, name, container): container = 1 for a ModuleList (never fires). */
#ifndef CKA_HOOKS_H
#define CKA_HOOKS_H

#include "model/tfm.h"

/* ---- BERT (BertModel, with pooler) ---- */
#define BERT_PRE_MODULES(X)                                           \
    X(BERT_ROOT, "", 0)                                               \
    X(BERT_EMB, "embeddings", 0)                                      \
    X(BERT_EMB_WORD, "embeddings.word_embeddings", 0)                 \
    X(BERT_EMB_POS, "embeddings.position_embeddings", 0)              \
    X(BERT_EMB_TYPE, "embeddings.token_type_embeddings", 0)           \
    X(BERT_EMB_LN, "embeddings.LayerNorm", 0)                         \
    X(BERT_EMB_DROP, "embeddings.dropout", 0)                         \
    X(BERT_ENCODER, "encoder", 0)                                     \
    X(BERT_LAYERS, "encoder.layer", 1)
#define BERT_BLOCK_PREFIX "encoder.layer."
#define BERT_BLOCK_MODULES(X)                                         \
    X(BERT_L, "", 0)                                                  \
    X(BERT_L_ATT, "attention", 0)                                     \
    X(BERT_L_SELF, "attention.self", 0)                               \
    X(BERT_L_QUERY, "attention.self.query", 0)                        \
    X(BERT_L_KEY, "attention.self.key", 0)                            \
    X(BERT_L_VALUE, "attention.self.value", 0)                        \
    X(BERT_L_PROBS, "attention.self.dropout", 0)                      \
    X(BERT_L_ATT_OUT, "attention.output", 0)                          \
    X(BERT_L_ATT_DENSE, "attention.output.dense", 0)                  \
    X(BERT_L_ATT_LN, "attention.output.LayerNorm", 0)                 \
    X(BERT_L_ATT_DROP, "attention.output.dropout", 0)                 \
    X(BERT_L_INTER, "intermediate", 0)                                \
    X(BERT_L_INTER_DENSE, "intermediate.dense", 0)                    \
    X(BERT_L_INTER_ACT, "intermediate.intermediate_act_fn", 0)        \
    X(BERT_L_OUT, "output", 0)                                        \
    X(BERT_L_OUT_DENSE, "output.dense", 0)                            \
    X(BERT_L_OUT_LN, "output.LayerNorm", 0)                           \
    X(BERT_L_OUT_DROP, "output.dropout", 0)
#define BERT_POST_MODULES(X)                                          \
    X(BERT_POOLER, "pooler", 0)                                       \
    X(BERT_POOLER_DENSE, "pooler.dense", 0)                           \
    X(BERT_POOLER_ACT, "pooler.activation", 0)

/* ---- GPT-2 (GPT2Model) ---- */
#define GPT2_PRE_MODULES(X)                                           \
    X(GPT2_ROOT, "", 0)                                               \
    X(GPT2_WTE, "wte", 0)                                             \
    X(GPT2_WPE, "wpe", 0)                                             \
    X(GPT2_DROP, "drop", 0)                                           \
    X(GPT2_H, "h", 1)
#define GPT2_BLOCK_PREFIX "h."
#define GPT2_BLOCK_MODULES(X)                                         \
    X(GPT2_L, "", 0)                                                  \
    X(GPT2_L_LN1, "ln_1", 0)                                          \
    X(GPT2_L_ATTN, "attn", 0)                                         \
    X(GPT2_L_C_ATTN, "attn.c_attn", 0)                                \
    X(GPT2_L_ATTN_PROJ, "attn.c_proj", 0)                             \
    X(GPT2_L_PROBS, "attn.attn_dropout", 0)                           \
    X(GPT2_L_RESID_DROP, "attn.resid_dropout", 0)                     \
    X(GPT2_L_LN2, "ln_2", 0)                                          \
    X(GPT2_L_MLP, "mlp", 0)                                           \
    X(GPT2_L_FC, "mlp.c_fc", 0)                                       \
    X(GPT2_L_MLP_PROJ, "mlp.c_proj", 0)                               \
    X(GPT2_L_ACT, "mlp.act", 0)                                       \
    X(GPT2_L_MLP_DROP, "mlp.dropout", 0)
#define GPT2_POST_MODULES(X)                                          \
    X(GPT2_LN_F, "ln_f", 0)

/* ---- DistilBERT (DistilBertModel) ---- */
#define DBERT_PRE_MODULES(X)                                          \
    X(DBERT_ROOT, "", 0)                                              \
    X(DBERT_EMB, "embeddings", 0)                                     \
    X(DBERT_EMB_WORD, "embeddings.word_embeddings", 0)                \
    X(DBERT_EMB_POS, "embeddings.position_embeddings", 0)             \
    X(DBERT_EMB_LN, "embeddings.LayerNorm", 0)                        \
    X(DBERT_EMB_DROP, "embeddings.dropout", 0)                        \
    X(DBERT_TRANSFORMER, "transformer", 0)                            \
    X(DBERT_LAYERS, "transformer.layer", 1)
#define DBERT_BLOCK_PREFIX "transformer.layer."
#define DBERT_BLOCK_MODULES(X)                                        \
    X(DBERT_L, "", 0)                                                 \
    X(DBERT_L_ATT, "attention", 0)                                    \
    X(DBERT_L_PROBS, "attention.dropout", 0)                          \
    X(DBERT_L_Q, "attention.q_lin", 0)                                \
    X(DBERT_L_K, "attention.k_lin", 0)                                \
    X(DBERT_L_V, "attention.v_lin", 0)                                \
    X(DBERT_L_OUT_LIN, "attention.out_lin", 0)                        \
    X(DBERT_L_SA_LN, "sa_layer_norm", 0)                              \
    X(DBERT_L_FFN, "ffn", 0)                                          \
    X(DBERT_L_FFN_DROP, "ffn.dropout", 0)                             \
    X(DBERT_L_LIN1, "ffn.lin1", 0)                                    \
    X(DBERT_L_LIN2, "ffn.lin2", 0)                                    \
    X(DBERT_L_ACT, "ffn.activation", 0)                               \
    X(DBERT_L_OUT_LN, "output_layer_norm", 0)
#define DBERT_POST_MODULES(X)

#define HOOKS_ENUM_ENTRY(id, name, container) id,
enum { BERT_PRE_MODULES(HOOKS_ENUM_ENTRY) BERT_NPRE };
enum { BERT_BLOCK_MODULES(HOOKS_ENUM_ENTRY) BERT_NBLOCK };
enum { BERT_POST_MODULES(HOOKS_ENUM_ENTRY) BERT_NPOST };
enum { GPT2_PRE_MODULES(HOOKS_ENUM_ENTRY) GPT2_NPRE };
enum { GPT2_BLOCK_MODULES(HOOKS_ENUM_ENTRY) GPT2_NBLOCK };
enum { GPT2_POST_MODULES(HOOKS_ENUM_ENTRY) GPT2_NPOST };
enum { DBERT_PRE_MODULES(HOOKS_ENUM_ENTRY) DBERT_NPRE };
enum { DBERT_BLOCK_MODULES(HOOKS_ENUM_ENTRY) DBERT_NBLOCK };
enum { DBERT_POST_MODULES(HOOKS_ENUM_ENTRY) DBERT_NPOST };
#undef HOOKS_ENUM_ENTRY

/* ---- dispatch ---------------------------------------------------------- */

/* Per-forward hook state: which modules are wanted, how many of them have
 * not fired yet (the pass stops when none is left). */
typedef struct tfm_hooks {
    const tfm_hook_request *req;
    tfm_hook_fn fn;
    void *ctx;
    cka_error *err;
    unsigned char *wanted;   /* [n_modules]: 1 = requested and not yet fired */
    int remaining;           /* distinct requested modules not yet fired */
} tfm_hooks;

/* Bytes of the `wanted` array for this config. */
size_t tfm_hooks_bytes(const tfm_config *cfg);
/* Set up the state over `wanted` (tfm_hooks_bytes bytes); -1 + err if a
 * request names a bad index or a container. */
int tfm_hooks_init(tfm_hooks *hk, const tfm_config *cfg, const tfm_hook_request *req,
                   tfm_hook_fn fn, void *ctx, unsigned char *wanted, cka_error *err);

/* 1 if module `mod` still has to be delivered (cheap test before building a
 * tensor that exists only for a hook). */
static inline int tfm_hook_wanted(const tfm_hooks *hk, int mod)
{
    return hk->wanted[mod];
}

/* Deliver the tensor of module `mod` to every request for it.
 * Returns 0 to go on, 1 when every requested module has fired (stop), -1
 * on a callback error. */
int tfm_hook_emit(tfm_hooks *hk, int mod, const float *data, int ndim, int64_t d0,
                  int64_t d1, int64_t d2, int64_t d3);

/* In a forward: fire module `mod` and leave the pass when it is over. */
#define TFM_EMIT(hk, mod, data, ndim, d0, d1, d2, d3)                       \
    do {                                                                    \
        if (tfm_hook_wanted((hk), (mod))) {                                 \
            int emit_rc_ = tfm_hook_emit((hk), (mod), (data), (ndim), (d0), \
                                         (d1), (d2), (d3));                 \
            if (emit_rc_ != 0)                                              \
                return emit_rc_ < 0 ? -1 : 0;                               \
        }                                                                   \
    } while (0)

/* Per-architecture forward passes (arch_*.c).  ws is the float scratch
 * described in tfm.c (tfm_workspace_floats). */
int bert_forward(const tfm_model *m, const tfm_batch *bt, tfm_hooks *hk, float *ws);
int gpt2_forward(const tfm_model *m, const tfm_batch *bt, tfm_hooks *hk, float *ws);
int distilbert_forward(const tfm_model *m, const tfm_batch *bt, tfm_hooks *hk, float *ws);

/* Fill one parameter entry (name from a printf format). */
void tfm_param_set(tfm_param *p, const float **slot, int ndim, int64_t s0, int64_t s1,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* The 16 parameters of a post-LN encoder block (BERT, DistilBERT) in
 * state_dict order: weight and bias of the modules mod[0..7] = query, key,
 * value, attention output, attention LayerNorm, MLP in, MLP out, output
 * LayerNorm, named "<prefix><i>.<mod[k]>.weight" / ".bias".  Returns p + 16. */
tfm_param *tfm_encoder_block_params(tfm_param *p, tfm_layer *l, const char *prefix, int i,
                                    int64_t H, int64_t I, const char *const mod[8]);

/* Per-architecture parameter lists (arch_*.c). */
int bert_param_count(const tfm_config *cfg);
void bert_param_list(tfm_model *m, tfm_param *out);
int gpt2_param_count(const tfm_config *cfg);
void gpt2_param_list(tfm_model *m, tfm_param *out);
int distilbert_param_count(const tfm_config *cfg);
void distilbert_param_list(tfm_model *m, tfm_param *out);

/* Scratch buffers of a forward, carved from one float array. */
typedef struct tfm_scratch {
    float *x;     /* [N, H] hidden state / residual stream */
    float *t;     /* [N, H] temporary (sublayer output, embeddings, pooler) */
    float *qkv;   /* [N, 3H] Q, K, V (GPT-2: packed c_attn output) */
    float *ctx;   /* [N, H] attention context / second temporary */
    float *f;     /* [N, I] MLP inner activations */
    float *s;     /* [B, nH, T, T] attention scores / probabilities */
    float *madd;  /* [B, T] additive mask */
} tfm_scratch;
void tfm_scratch_carve(const tfm_config *cfg, int64_t B, int64_t T, float *ws, tfm_scratch *sc);

#endif
