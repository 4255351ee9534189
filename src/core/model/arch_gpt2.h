/* The GPT2Model named_modules() list (X-macros, see hooks.h) and the enum
 * constants of its hook points: used by arch_gpt2.c and the C tests. */
#ifndef CKA_ARCH_GPT2_H
#define CKA_ARCH_GPT2_H

#include "model/hooks.h"

/* ---- GPT2Model named_modules() ---- */
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

enum { GPT2_PRE_MODULES(TFM_HOOKS_ENUM_ENTRY) GPT2_NPRE };
enum { GPT2_BLOCK_MODULES(TFM_HOOKS_ENUM_ENTRY) GPT2_NBLOCK };
enum { GPT2_POST_MODULES(TFM_HOOKS_ENUM_ENTRY) GPT2_NPOST };

#endif
