/* The BERT family's pieces that another post-LN BERT-style architecture
 * reuses (RoBERTa: same modules, parameters and forward, other position
 * ids and defaults).  Internal to src/core/model. */
#ifndef CKA_ARCH_BERT_H
#define CKA_ARCH_BERT_H

#include "model/hooks.h"

/* ---- BertModel named_modules() (with pooler) ---- */
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

enum { BERT_PRE_MODULES(TFM_HOOKS_ENUM_ENTRY) BERT_NPRE };
enum { BERT_BLOCK_MODULES(TFM_HOOKS_ENUM_ENTRY) BERT_NBLOCK };
enum { BERT_POST_MODULES(TFM_HOOKS_ENUM_ENTRY) BERT_NPOST };

extern const tfm_module_entry bert_pre_modules[], bert_block_modules[], bert_post_modules[];
/* Checkpoint buffers a loader skips (regexps on bare names). */
extern const char *const bert_buffers[];

int bert_param_count(const tfm_config *cfg);
void bert_param_list(tfm_model *m, tfm_param *out);

/* Position ids of a BERT-style model that does not use 0..T-1 (RoBERTa):
 * fill pos[B * T] (row-major) for the batch. */
typedef void (*bert_positions_fn)(const tfm_config *cfg, const tfm_batch *bt, int64_t *pos);

/* The forward of BertModel.  positions NULL: 0..T-1 for every row, the
 * position_embeddings hook sees [1, T, H]; else the ids it fills, and the
 * hook sees [B, T, H]. */
int bert_family_forward(const tfm_model *m, const tfm_batch *bt, tfm_hooks *hk, float *ws,
                        bert_positions_fn positions);

#endif
