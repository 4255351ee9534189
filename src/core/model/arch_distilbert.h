/* The DistilBertModel named_modules() list (X-macros, see hooks.h) and the enum
 * constants of its hook points: used by arch_distilbert.c and the C tests. */
#ifndef CKA_ARCH_DISTILBERT_H
#define CKA_ARCH_DISTILBERT_H

#include "model/hooks.h"

/* ---- DistilBertModel named_modules() ---- */
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

enum { DBERT_PRE_MODULES(TFM_HOOKS_ENUM_ENTRY) DBERT_NPRE };
enum { DBERT_BLOCK_MODULES(TFM_HOOKS_ENUM_ENTRY) DBERT_NBLOCK };

#endif
