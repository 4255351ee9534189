/* The architecture registry: everything the package knows about one
 * architecture, in one descriptor, and the one table that lists them.
 *
 * A descriptor (tfm_arch_desc) holds
 *   - its name ("bert"), its display name ("BERT"), the Hugging Face
 *     model_type values it serves, the bare class written to config.json
 *     (architectures), the class-name prefixes recognised in a config that
 *     has no model_type, and the checkpoint key prefixes of head models;
 *   - its config fields (tfm_field): Hugging Face names, kinds, defaults,
 *     alias names, the tfm_config member each one sets, and checks;
 *   - its parameter list (state_dict names, shapes as functions of the
 *     config, initialisation rules of Hugging Face's _init_weights), the
 *     optional tensors, and the checkpoint buffers a loader skips;
 *   - its hook table: the named_modules() list of the bare model in three
 *     parts (before the blocks, one block, after the blocks);
 *   - its scratch sizing and its forward function.
 *
 * Adding an architecture = one arch_<name>.c exporting its descriptor +
 * one line in the table of registry.c (+ tests and docs).  Nothing else in
 * the core, the gateways or the .m files lists architectures.
 *
 * Include / call structure (no circle): ops.h <- tfm.h <- hooks.h <-
 * registry.h; arch_*.c define descriptors and call hooks.c, ops.c and
 * arch_common.c; registry.c only refers to the descriptors (data); tfm.c
 * and hooks.c reach an architecture only through its descriptor. */
#ifndef CKA_REGISTRY_H
#define CKA_REGISTRY_H

#include "model/hooks.h"
#include "model/tfm.h"

#include <stddef.h>
#include <stdint.h>

/* ---- config fields ---------------------------------------------------- */

/* How a config field is read and checked.  The default is written as text
 * and read according to the kind ("null" = empty / JSON null). */
typedef enum tfm_field_kind {
    TFM_FIELD_POS_INT = 0,  /* integer in [1, 2^31) (sizes); required in a model */
    TFM_FIELD_POS_INT_NULL, /* positive integer or null (GPT-2 n_inner) */
    TFM_FIELD_NONNEG_INT_NULL, /* integer >= 0 or null (pad_token_id) */
    TFM_FIELD_REAL,         /* real number (eps, dropout) */
    TFM_FIELD_NONNEG_REAL,  /* finite real >= 0 (initializer_range) */
    TFM_FIELD_BOOL,         /* true / false */
    TFM_FIELD_STRING,       /* a string */
    TFM_FIELD_ACT,          /* an activation name (tfm_act_from_name) */
    TFM_FIELD_OBJECT,       /* a JSON object (pruned_heads) */
    TFM_FIELD_ANY,          /* anything (classifier_dropout, token ids) */
    TFM_FIELD_ROPE_SCALING  /* null or a rope_scaling object (tfm_rope_scaling) */
} tfm_field_kind;

/* The tfm_config member a field sets (TFM_MEMBER_NONE: kept in the
 * Octave config only). */
typedef enum tfm_member {
    TFM_MEMBER_NONE = 0,
    TFM_MEMBER_VOCAB, TFM_MEMBER_HIDDEN, TFM_MEMBER_LAYERS, TFM_MEMBER_HEADS,
    TFM_MEMBER_INNER, TFM_MEMBER_POSITIONS, TFM_MEMBER_TYPE_VOCAB, TFM_MEMBER_LN_EPS,
    TFM_MEMBER_ACT, TFM_MEMBER_PAD, TFM_MEMBER_SCALE_ATTN,
    TFM_MEMBER_SCALE_INV_LAYER, TFM_MEMBER_REORDER_UPCAST, TFM_MEMBER_SINUSOIDAL,
    TFM_MEMBER_KV_HEADS, TFM_MEMBER_HEAD_DIM, TFM_MEMBER_ROPE_THETA, TFM_MEMBER_ROTARY_PCT,
    TFM_MEMBER_PARALLEL_RESIDUAL, TFM_MEMBER_ATTN_BIAS, TFM_MEMBER_MLP_BIAS,
    TFM_MEMBER_SLIDING_WINDOW, TFM_MEMBER_USE_SLIDING_WINDOW, TFM_MEMBER_MAX_WINDOW_LAYERS,
    TFM_MEMBER_ROPE_SCALING,
    TFM_MEMBER_COUNT
} tfm_member;

/* What a value must be for this package to support it (Hugging Face may
 * accept more): a violation is cka:config:unsupported. */
typedef enum tfm_field_check {
    TFM_CHECK_NONE = 0,
    TFM_CHECK_FALSE,        /* must be false (is_decoder, add_cross_attention) */
    TFM_CHECK_EMPTY,        /* must be empty ({} or null: pruned_heads) */
    TFM_CHECK_ONE_OF        /* must be one of `allowed` (position_embedding_type) */
} tfm_field_check;

typedef struct tfm_field {
    const char *name;          /* Hugging Face name (config.json key) */
    tfm_field_kind kind;
    const char *def;           /* default, as text ("768", "1e-12", "true", "gelu", "null", "{}") */
    tfm_member member;
    const char *const *aliases; /* NULL-terminated attribute_map names, or NULL */
    tfm_field_check check;
    const char *const *allowed; /* NULL-terminated, for TFM_CHECK_ONE_OF */
    const char *why;           /* the message of a failed check */
} tfm_field;

/* ---- token types -------------------------------------------------------- */

typedef enum tfm_token_types {
    TFM_TT_NONE = 0,      /* no token types (cka:input:tokenTypes if given) */
    TFM_TT_TABLE,         /* own table, ids in [0, type_vocab) */
    TFM_TT_WORDS          /* looked up in the word embeddings (GPT-2) */
} tfm_token_types;

/* ---- the descriptor ------------------------------------------------------ */

struct tfm_arch_desc {
    const char *name;                 /* "bert": model.arch, tfm_create's ARCH */
    const char *display;              /* "BERT", for messages */
    const char *const *model_types;   /* NULL-terminated HF model_type values */
    const char *hf_class;             /* bare class for config.json: "BertModel" */
    const char *const *class_prefixes; /* architectures[0] prefixes: "Bert" */
    const char *const *key_prefixes;  /* head checkpoints' base prefix: "bert." */
    const char *const *buffers;       /* regexps of checkpoint buffers to skip (bare names) */
    const char *optional_prefix;      /* tensors the checkpoint may lack ("pooler."), or NULL */

    const tfm_field *fields;
    int n_fields;

    tfm_token_types token_types;

    /* Parameters: count and list (state_dict order) for cfg; list fills
     * slots pointing into m and the init rules. */
    int (*param_count)(const tfm_config *cfg);
    void (*param_list)(tfm_model *m, tfm_param *out);

    /* Resolve derived config values after the fields are read (GPT-2:
     * n_inner = null -> 4 * n_embd); may be NULL. */
    void (*resolve)(tfm_config *cfg);
    /* Architecture checks of a resolved config beyond the generic ones;
     * may be NULL.  0 or -1 + err. */
    int (*check)(const tfm_config *cfg, cka_error *err);
    /* Longest sequence the model takes (RoBERTa: P - pad - 1). */
    int64_t (*max_seq)(const tfm_config *cfg);

    /* Hook table: named_modules() = pre, then block entries for every
     * layer (names relative to block_prefix + layer index), then post;
     * the post entries exist only if (post_optional == 0 || has_pooler). */
    const tfm_module_entry *pre, *block, *post;
    int npre, nblock, npost;
    const char *block_prefix;
    int post_optional;

    /* Scratch floats of a forward on a B x T batch (0 on overflow) and the
     * forward itself (ws: that many floats). */
    size_t (*scratch_floats)(const tfm_config *cfg, int64_t B, int64_t T);
    int (*forward)(const tfm_model *m, const tfm_batch *bt, tfm_hooks *hk, float *ws);
};

/* The table, in a fixed order; NULL-terminated. */
extern const tfm_arch_desc *const tfm_arch_table[];
int tfm_arch_count(void);

/* Descriptor by package name ("bert") or by Hugging Face model_type; NULL +
 * cka:config:unknownArch listing the names of the table. */
const tfm_arch_desc *tfm_arch_find(const char *name, cka_error *err);
const tfm_arch_desc *tfm_arch_find_model_type(const char *model_type, cka_error *err);

/* The descriptors (arch_*.c). */
extern const tfm_arch_desc tfm_arch_bert, tfm_arch_gpt2, tfm_arch_distilbert, tfm_arch_roberta,
    tfm_arch_gpt_neox, tfm_arch_llama, tfm_arch_qwen2, tfm_arch_mistral;

#define TFM_ARCH_BERT (&tfm_arch_bert)
#define TFM_ARCH_GPT2 (&tfm_arch_gpt2)
#define TFM_ARCH_DISTILBERT (&tfm_arch_distilbert)
#define TFM_ARCH_ROBERTA (&tfm_arch_roberta)
#define TFM_ARCH_GPT_NEOX (&tfm_arch_gpt_neox)
#define TFM_ARCH_LLAMA (&tfm_arch_llama)
#define TFM_ARCH_QWEN2 (&tfm_arch_qwen2)
#define TFM_ARCH_MISTRAL (&tfm_arch_mistral)

/* Check a rope_scaling read from a config (type known, factor >= 1, the
 * llama3 bands ordered): 0 or -1 + cka:config:badValue. (tfm.c) */
int tfm_rope_scaling_check(const tfm_rope_scaling *rs, cka_error *err);

/* Set a numeric tfm_config member (NaN: null); -1 for NONE/ACT/ROPE_SCALING. (tfm.c) */
int tfm_config_set_number(tfm_config *cfg, tfm_member mb, double v);
/* The default of a non-string field as a number (NaN: null). (tfm.c) */
double tfm_field_default_number(const tfm_field *f);

/* ---- helpers shared by the architecture files (arch_common.c) ---------- */

/* Fill one parameter entry (name from a printf format): a weight matrix
 * (init NORMAL) or a 1-D tensor (init ONES for a ".weight", else ZEROS). */
void tfm_param_matrix(tfm_param *p, tfm_weight *w, int64_t s0, int64_t s1, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void tfm_param_vector(tfm_param *p, const float **slot, int64_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The 16 parameters of a post-LN encoder block (BERT, DistilBERT) in
 * state_dict order: weight and bias of the modules mod[0..7] = query, key,
 * value, attention output, attention LayerNorm, MLP in, MLP out, output
 * LayerNorm, named "<prefix><i>.<mod[k]>.weight" / ".bias".  Returns p + 16. */
tfm_param *tfm_encoder_block_params(tfm_param *p, tfm_layer *l, const char *prefix, int i,
                                    int64_t H, int64_t I, const char *const mod[8]);

/* Scratch buffers of a forward, carved from one float array. */
typedef struct tfm_scratch {
    int64_t *pos; /* [N] position ids (RoBERTa) */
    float *x;     /* [N, H] hidden state / residual stream */
    float *t;     /* [N, H] temporary (sublayer output, embeddings, pooler) */
    float *qkv;   /* [N, 3H] Q, K, V (GPT-2: packed c_attn output) */
    float *ctx;   /* [N, H] attention context / second temporary */
    float *f;     /* [N, I] MLP inner activations */
    float *s;     /* [B, nH, T, T] attention scores / probabilities */
    float *madd;  /* [B, T] additive mask */
} tfm_scratch;
/* The scratch every architecture here uses (floats, 0 on overflow). */
size_t tfm_scratch_floats_common(const tfm_config *cfg, int64_t B, int64_t T);
void tfm_scratch_carve(const tfm_config *cfg, int64_t B, int64_t T, float *ws, tfm_scratch *sc);
/* The position table length as the longest sequence (BERT, GPT-2, ...). */
int64_t tfm_max_seq_positions(const tfm_config *cfg);
/* Rotary positions have no table: the limit is memory (the forward's
 * scratch is checked against it), not max_position_embeddings, which
 * dynamic rope_scaling exists to exceed (GPT-NeoX, the Llama family). */
int64_t tfm_max_seq_rope(const tfm_config *cfg);

#endif
