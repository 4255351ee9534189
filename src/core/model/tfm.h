/* Forward passes of Hugging Face transformers (the architectures of the
 * registry, model/registry.h) with hooks.
 *
 * The C core computes, in float32 with BLAS, exactly what transformers
 * v4.31 computes in eval mode (see shared/spec/transformers.md §3-§5), and
 * hands the output of any requested module ("hook", a PyTorch
 * named_modules() name of the bare model) to a callback.
 *
 * Weights are BOUND, never copied: a tfm_model holds pointers into arrays
 * that the caller owns (in the MEX gateways: the arrays of the Octave model
 * struct).  Weight matrices and embedding tables may be float32 or stay in
 * a checkpoint's 16-bit type (bf16, f16: tfm_weight, model/ops.h), widened
 * exactly to float32 panel by panel inside the products; biases and norm
 * vectors are float32.  Each parameter keeps its
 * PyTorch shape in column-major memory, i.e. it is the row-major transpose:
 *   - nn.Linear weight, PyTorch [out, in]  -> in memory row-major [in, out]
 *   - GPT-2 Conv1D weight, PyTorch [in, out] -> in memory row-major [out, in]
 *   - nn.Embedding weight, PyTorch [num, dim] -> in memory row-major
 *     [dim, num] (the vector of token v is strided by num)
 *   - 1-D tensors (biases, LayerNorm) are plain contiguous vectors.
 * The kernels pick the BLAS transpose flags accordingly.
 *
 * Activations (what a hook receives) are row-major (C order) tensors in the
 * PyTorch shape, contiguous, e.g. [B, T, H], [B, nH, T, T] for attention
 * probabilities, [1, T, H] for position embeddings, [B, H] for the pooler.
 *
 * Threads: ONE team of OpenMP threads does everything.  For the duration of
 * a forward, OpenBLAS (found at run time) is set to one thread and every
 * large matrix product runs as one single-threaded sgemm per OpenMP thread
 * on a share of the rows (attention: of the (batch, head) pairs, with the
 * softmax fused in); two thread pools on the same cores otherwise spin
 * against each other.  OpenBLAS's thread count is restored afterwards and
 * around every hook callback, which always runs on the calling thread.
 * With another BLAS the products are single BLAS calls (its own threads).
 * The forward keeps no state of its own between calls, but the OpenBLAS
 * thread setting is process-wide: run concurrent forwards only with
 * OPENBLAS_NUM_THREADS=1 (then nothing is changed).
 *
 * Typical use:
 *     tfm_model m;
 *     tfm_model_init(&m, &cfg, layers);              // layers: cfg.n_layers slots
 *     n = tfm_param_count(&cfg);  tfm_param_list(&m, slots);
 *     for each k: tfm_param_bind(&slots[k], data of slots[k].name, its dtype)
 *     tfm_module_find(&cfg, "encoder.layer.3", &idx, &err);
 *     tfm_forward(&m, &batch, &req, my_sink, my_ctx, &err);
 */
#ifndef CKA_TFM_H
#define CKA_TFM_H

#include "common/cka_error.h"
#include "model/ops.h"   /* tfm_act, tfm_profile: the kernels' own types */

#include <stddef.h>
#include <stdint.h>

/* ---- configuration ----------------------------------------------------- */

/* An architecture is its registry descriptor (model/registry.h). */
typedef struct tfm_arch_desc tfm_arch_desc;
typedef const tfm_arch_desc *tfm_arch;


/* Hugging Face rope_scaling (shared/spec/transformers.md §8.4). */
typedef enum tfm_rope_type {
    TFM_ROPE_DEFAULT = 0,   /* null / "default" */
    TFM_ROPE_LINEAR,        /* positions / factor */
    TFM_ROPE_DYNAMIC,       /* NTK: theta grows when T > max_position_embeddings */
    TFM_ROPE_LLAMA3         /* Llama 3.1: low / high frequency bands */
} tfm_rope_type;

typedef struct tfm_rope_scaling {
    tfm_rope_type type;
    double factor;
    double low_freq_factor, high_freq_factor;   /* llama3 */
    double original_max_positions;              /* llama3 */
} tfm_rope_scaling;

/* The config values the forward needs, resolved from the HF config.json
 * (n_inner = null is resolved to 4 * hidden by the caller). */
typedef struct tfm_config {
    tfm_arch arch;
    int64_t vocab_size;     /* V */
    int64_t hidden;         /* H: hidden_size / n_embd / dim */
    int64_t n_layers;       /* L */
    int64_t n_heads;        /* nH, divides H */
    int64_t inner;          /* I: intermediate_size / n_inner / hidden_dim */
    int64_t max_positions;  /* P: max_position_embeddings / n_positions */
    int64_t type_vocab;     /* BERT type_vocab_size (0 otherwise) */
    int64_t pad_id;         /* pad_token_id (-1: null / none) */
    double ln_eps;          /* layer_norm_eps / layer_norm_epsilon / 1e-12 */
    tfm_act act;
    int has_pooler;         /* BERT: pooler.dense.* present (1) or not (0) */
    int scale_attn_weights;               /* GPT-2 flags (defaults 1, 0, 0) */
    int scale_attn_by_inverse_layer_idx;
    int reorder_and_upcast_attn;
    int sinusoidal_pos;     /* DistilBERT sinusoidal_pos_embds (init only) */

    /* Decoder LLMs (GPT-NeoX, Llama, Qwen2, Mistral); 0 elsewhere. */
    int64_t n_kv_heads;     /* nKV key/value heads (grouped-query); 0: = nH */
    int64_t head_dim;       /* d; 0: = H / nH */
    double rope_theta;      /* RoPE base (rope_theta / rotary_emb_base) */
    double rotary_pct;      /* share of d that is rotated (NeoX rotary_pct; 1 otherwise) */
    int parallel_residual;  /* NeoX use_parallel_residual */
    int attn_bias;          /* Llama attention_bias (q, k, v, o); NeoX attention_bias */
    int mlp_bias;           /* Llama mlp_bias (gate, up, down) */
    int64_t sliding_window; /* Mistral / Qwen2 window W (0: none) */
    int use_sliding_window; /* Qwen2: the window applies at all */
    int64_t max_window_layers; /* Qwen2: layers i >= this one use the window */
    tfm_rope_scaling rope_scaling;
} tfm_config;

/* Head size d, key/value head count and rotated dims of a config (the
 * defaults of the 0 members resolved). */
static inline int64_t tfm_head_dim(const tfm_config *cfg)
{
    return cfg->head_dim > 0 ? cfg->head_dim : cfg->hidden / cfg->n_heads;
}
static inline int64_t tfm_kv_heads(const tfm_config *cfg)
{
    return cfg->n_kv_heads > 0 ? cfg->n_kv_heads : cfg->n_heads;
}

/* Fill every member from the defaults of the architecture's config
 * fields (registry), then resolve derived values. */
void tfm_config_defaults(tfm_config *cfg, tfm_arch arch);

/* Check sizes (positive, heads divide hidden, ...). */
int tfm_config_check(const tfm_config *cfg, cka_error *err);

/* Map an HF activation name to tfm_act; -1 + cka:config:unknownActivation. */
int tfm_act_from_name(const char *name, tfm_act *act, cka_error *err);
/* The k-th known activation name (0-based), NULL past the end. */
const char *tfm_act_name_at(int k);

/* Package name ("bert", ...) -> arch; -1 + cka:config:unknownArch (the
 * message lists the registry's names). */
int tfm_arch_from_name(const char *name, tfm_arch *arch, cka_error *err);
const char *tfm_arch_name(tfm_arch arch);

/* ---- the model: a view over caller-owned weights ------------------------ */

/* Weight matrices and embedding tables are tfm_weight (float32 or 16-bit,
 * model/ops.h); biases and norm vectors are float32. */
typedef struct tfm_linear { tfm_weight w; const float *b; } tfm_linear;
typedef struct tfm_norm   { const float *w, *b; } tfm_norm;

/* One block.  BERT: q k v o = query key value attention.output.dense,
 * ln1 = attention.output.LayerNorm, fc1 fc2 = intermediate.dense output.dense,
 * ln2 = output.LayerNorm.  GPT-2: qkv = attn.c_attn, o = attn.c_proj,
 * ln1 ln2 = ln_1 ln_2, fc1 fc2 = mlp.c_fc mlp.c_proj.  DistilBERT:
 * q k v o = q_lin k_lin v_lin out_lin, ln1 = sa_layer_norm,
 * fc1 fc2 = ffn.lin1 ffn.lin2, ln2 = output_layer_norm.  GPT-NeoX:
 * qkv = attention.query_key_value, o = attention.dense, ln1 ln2 =
 * input_layernorm post_attention_layernorm, fc1 fc2 = mlp.dense_h_to_4h
 * mlp.dense_4h_to_h.  Llama family: q k v o = self_attn.{q,k,v,o}_proj,
 * gate fc1 fc2 = mlp.gate_proj up_proj down_proj, ln1 ln2 = the RMSNorms
 * input_layernorm post_attention_layernorm (no bias). */
typedef struct tfm_layer {
    tfm_linear q, k, v, qkv, o, gate, fc1, fc2;
    tfm_norm ln1, ln2;
} tfm_layer;

typedef struct tfm_model {
    tfm_config cfg;
    tfm_weight word_emb;    /* [V, H]  (wte) */
    tfm_weight pos_emb;     /* [P, H]  (wpe) */
    tfm_weight type_emb;    /* [type_vocab, H], BERT only */
    tfm_norm emb_ln;        /* BERT, DistilBERT embeddings.LayerNorm */
    tfm_norm final_ln;      /* GPT-2 ln_f, NeoX final_layer_norm, Llama norm */
    tfm_linear pooler;      /* BERT pooler.dense (if cfg.has_pooler) */
    tfm_layer *layers;      /* cfg.n_layers blocks, storage owned by the caller */
} tfm_model;

/* Set m->cfg = *cfg, m->layers = layers (cfg->n_layers entries), all
 * weight pointers NULL. */
void tfm_model_init(tfm_model *m, const tfm_config *cfg, tfm_layer *layers);

/* How tfm_create initialises a parameter (Hugging Face _init_weights). */
typedef enum tfm_init {
    TFM_INIT_NORMAL = 0,    /* N(0, (initializer_range / sqrt(std_div))^2) */
    TFM_INIT_ZEROS,
    TFM_INIT_ONES,
    TFM_INIT_SINUSOIDAL     /* DistilBERT's sinusoidal position table */
} tfm_init;

/* One parameter of the bare model: its state_dict name, PyTorch shape, the
 * slot of the model that must receive its data (tfm_param_bind) and its
 * init rule. */
typedef struct tfm_param {
    char name[96];
    int ndim;               /* 1 or 2 */
    int64_t shape[2];       /* PyTorch shape */
    tfm_weight *matrix;     /* 2-D: the weight that receives data and dtype */
    const float **slot;     /* 1-D (float32 only): where the data pointer goes */
    tfm_init init;
    double std_div;         /* NORMAL: std = initializer_range / sqrt(std_div) (1: none) */
    int64_t zero_row;       /* row set to 0 after init (padding_idx), -1: none */
    int optional;           /* a checkpoint may lack it (BERT pooler) */
} tfm_param;

/* Point the model at the data of parameter p, stored as dtype: matrices
 * take any dtype, 1-D tensors only TFM_F32.  0, or -1 for a 16-bit vector
 * (the caller widens those first). */
int tfm_param_bind(const tfm_param *p, const void *data, tfm_dtype dtype);

/* Number of parameters (state_dict order = the loader's tfm_param_spec). */
int tfm_param_count(const tfm_config *cfg);
/* Fill out[0 .. tfm_param_count-1]; slots point into m. */
void tfm_param_list(tfm_model *m, tfm_param *out);

/* ---- hook points (named_modules) ---------------------------------------- */

/* Number of named_modules() entries, including "" and the containers. */
int tfm_module_count(const tfm_config *cfg);
/* Name of module idx (0-based, named_modules order) into buf; returns
 * 0 or -1 if idx is out of range. */
int tfm_module_name(const tfm_config *cfg, int idx, char *buf, size_t len);
/* 1 if module idx is a container that never runs a forward (ModuleList). */
int tfm_module_is_container(const tfm_config *cfg, int idx);
/* Index of a block module (encoder.layer.i, h.i, transformer.layer.i). */
int tfm_module_block(const tfm_config *cfg, int layer);
/* The three hookable names closest to `name` ("a", "b", "c": names that
 * contain it first, then by edit distance) into sug (len bytes). */
void tfm_module_suggest(const tfm_config *cfg, const char *name, char *sug, size_t len);
/* Resolve a hook name: 0 and *idx, or -1 with cka:input:unknownHook (the
 * message suggests the closest names) or cka:input:containerHook. */
int tfm_module_find(const tfm_config *cfg, const char *name, int *idx, cka_error *err);

/* The index of module `name` (a bare name, or one copied from the head
 * model: "bert.encoder.layer.0", "model.layers.3"), containers included;
 * -1 if the model has no such module.  No error is set. */
int tfm_module_index(const tfm_config *cfg, const char *name);

/* ---- forward ------------------------------------------------------------ */

/* One batch.  All arrays are row-major [B, T] (C order). */
typedef struct tfm_batch {
    int64_t B, T;
    const int64_t *ids;       /* token ids, 0-based, in [0, vocab_size) */
    const float *mask;        /* attention mask (1 keep, 0 pad) or NULL = none given */
    const int64_t *token_types; /* BERT token types, GPT-2 (looked up in wte) or NULL */
} tfm_batch;

/* The hooks to capture: modules[r] is a module index (tfm_module_find) for
 * request r; a module may appear more than once. */
typedef struct tfm_hook_request {
    int n;
    const int *modules;
} tfm_hook_request;

/* What a hook sees: a row-major tensor in the PyTorch shape, contiguous,
 * valid only during the callback (the buffer is reused afterwards). */
typedef struct tfm_activation {
    const float *data;
    int ndim;
    int64_t shape[4];
} tfm_activation;

/* The activation in Octave's column-major layout with the same shape:
 * dst(i0, ..., ik) = act[i0][...][ik] (dst holds numel floats). */
void tfm_activation_to_colmajor(const tfm_activation *act, float *dst);

/* The sink.  Called on the calling thread (never from an OpenMP worker),
 * once per request, in the order the modules finish their forward (the
 * PyTorch hook order).  Return 0 to continue; nonzero (after filling err)
 * aborts the forward, which then returns -1 with that error. */
typedef int (*tfm_hook_fn)(void *ctx, int request_index, const tfm_activation *act,
                           cka_error *err);

/* Check a batch against the model's config: non-empty, at most INT_MAX
 * tokens, no longer than the longest sequence the model takes, ids in
 * [0, vocab_size), token types allowed and in range.  tfm_forward runs it
 * on every batch; a caller can run it on all its data before the first
 * forward.  0 or -1 with err (cka:input:emptyInput, tooLarge,
 * sequenceTooLong, tokenOutOfRange, tokenTypes, tokenTypeOutOfRange). */
int tfm_batch_check(const tfm_config *cfg, const tfm_batch *bt, cka_error *err);

/* Bytes of scratch memory tfm_forward_ws needs for this model and batch
 * shape (0 if the sizes overflow). */
size_t tfm_workspace_size(const tfm_config *cfg, int64_t B, int64_t T);

/* Run the forward pass and call fn for every request.  The pass stops right
 * after the last requested module has fired (with no request it computes
 * nothing); request the root "" (module 0) to get last_hidden_state.
 * Validates the batch (ids range, sequence length, token types) and the
 * bound weights (no NULL pointer).  Returns 0 or -1 with err filled.
 * tfm_forward allocates its scratch with malloc; tfm_forward_ws uses the
 * caller's buffer of tfm_workspace_size bytes (e.g. mxMalloc'ed, so it is
 * reclaimed if the callback raises an Octave error). */
int tfm_forward(const tfm_model *m, const tfm_batch *batch, const tfm_hook_request *req,
                tfm_hook_fn fn, void *ctx, cka_error *err);
int tfm_forward_ws(const tfm_model *m, const tfm_batch *batch, const tfm_hook_request *req,
                   tfm_hook_fn fn, void *ctx, void *workspace, cka_error *err);

/* ---- profile counters (benchmarks) ------------------------------------- */


/* The counters (tfm_profile, model/ops.h) of tfm_forward_ws.
 * Turn the counters on (nonzero) or off, and reset them. */
void tfm_profile_enable(int on);
/* The counters accumulated since the last tfm_profile_enable. */
void tfm_profile_get(tfm_profile *p);

/* ---- portable random initialisation ------------------------------------- */

/* Fill out[0..n-1] with N(0, std^2) numbers rounded to float32, from a
 * generator keyed by (seed, stream): splitmix64 seeds a xoshiro256**
 * state, Box-Muller turns pairs of 53-bit uniforms into two normals.  The
 * same (seed, stream, n) gives the same numbers on every machine (the
 * double log/sqrt/cos/sin of glibc are correctly rounded or within an ulp,
 * which the final float32 rounding absorbs). */
void tfm_randn(uint64_t seed, uint64_t stream, float std, float *out, size_t n);

#endif
