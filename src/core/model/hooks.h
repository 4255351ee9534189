/* Hook points of the forward passes (internal to the C core).
 *
 * Each architecture writes its named_modules() list of the bare Hugging
 * Face model (transformers v4.31) ONCE, in its arch_*.c, as three X-macro
 * lists: the modules before the blocks, the modules of one block (names
 * relative to the block prefix), and the modules after the blocks.  The
 * same lists give the enum constants its forward uses to fire hooks and the
 * tables of its registry descriptor (tfm_modules / tfm_module_find), so
 * they cannot disagree.
 *
 * Module index (named_modules order):
 *   pre entry p            -> p
 *   block l, block entry j -> NPRE + l * NBLOCK + j
 *   post entry q           -> NPRE + L * NBLOCK + q
 * X(id, name, container): container = 1 for a ModuleList (never fires). */
#ifndef CKA_HOOKS_H
#define CKA_HOOKS_H

#include "model/tfm.h"

/* One named_modules() entry of a table. */
typedef struct tfm_module_entry {
    const char *name;
    int container;
} tfm_module_entry;

#define TFM_HOOKS_ENUM_ENTRY(id, name, container) id,
#define TFM_HOOKS_TABLE_ENTRY(id, name, container) {name, container},

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

#endif
