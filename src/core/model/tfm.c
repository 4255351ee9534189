/* Model binding, batch validation, scratch memory and the forward entry
 * points, reaching each architecture through its registry descriptor; see
 * tfm.h and registry.h. */
#include "model/tfm.h"
#include "model/hooks.h"
#include "model/ops.h"
#include "model/registry.h"

#include <math.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Set member mb of cfg from a number (NaN: null). */
static void set_member(tfm_config *cfg, tfm_member mb, double v)
{
    const int null = v != v;
    switch (mb) {
    case TFM_MEMBER_VOCAB:          cfg->vocab_size = (int64_t)v; break;
    case TFM_MEMBER_HIDDEN:         cfg->hidden = (int64_t)v; break;
    case TFM_MEMBER_LAYERS:         cfg->n_layers = (int64_t)v; break;
    case TFM_MEMBER_HEADS:          cfg->n_heads = (int64_t)v; break;
    case TFM_MEMBER_INNER:          cfg->inner = null ? 0 : (int64_t)v; break;
    case TFM_MEMBER_POSITIONS:      cfg->max_positions = (int64_t)v; break;
    case TFM_MEMBER_TYPE_VOCAB:     cfg->type_vocab = (int64_t)v; break;
    case TFM_MEMBER_LN_EPS:         cfg->ln_eps = v; break;
    case TFM_MEMBER_PAD:            cfg->pad_id = null ? -1 : (int64_t)v; break;
    case TFM_MEMBER_SCALE_ATTN:     cfg->scale_attn_weights = v != 0.0; break;
    case TFM_MEMBER_SCALE_INV_LAYER: cfg->scale_attn_by_inverse_layer_idx = v != 0.0; break;
    case TFM_MEMBER_REORDER_UPCAST: cfg->reorder_and_upcast_attn = v != 0.0; break;
    case TFM_MEMBER_SINUSOIDAL:     cfg->sinusoidal_pos = v != 0.0; break;
    case TFM_MEMBER_KV_HEADS:       cfg->n_kv_heads = null ? 0 : (int64_t)v; break;
    case TFM_MEMBER_HEAD_DIM:       cfg->head_dim = null ? 0 : (int64_t)v; break;
    case TFM_MEMBER_ROPE_THETA:     cfg->rope_theta = v; break;
    case TFM_MEMBER_ROTARY_PCT:     cfg->rotary_pct = v; break;
    case TFM_MEMBER_PARALLEL_RESIDUAL: cfg->parallel_residual = v != 0.0; break;
    case TFM_MEMBER_ATTN_BIAS:      cfg->attn_bias = v != 0.0; break;
    case TFM_MEMBER_MLP_BIAS:       cfg->mlp_bias = v != 0.0; break;
    case TFM_MEMBER_SLIDING_WINDOW: cfg->sliding_window = null ? 0 : (int64_t)v; break;
    case TFM_MEMBER_USE_SLIDING_WINDOW: cfg->use_sliding_window = v != 0.0; break;
    case TFM_MEMBER_MAX_WINDOW_LAYERS: cfg->max_window_layers = null ? 0 : (int64_t)v; break;
    case TFM_MEMBER_ROPE_SCALING:   /* an object: the gateways read it */
    case TFM_MEMBER_ACT:            /* a string: tfm_act_from_name */
    case TFM_MEMBER_NONE:
    case TFM_MEMBER_COUNT:          break;
    }
}

int tfm_config_set_number(tfm_config *cfg, tfm_member mb, double v)
{
    if (mb <= TFM_MEMBER_NONE || mb >= TFM_MEMBER_COUNT || mb == TFM_MEMBER_ACT
        || mb == TFM_MEMBER_ROPE_SCALING)
        return -1;
    set_member(cfg, mb, v);
    return 0;
}

double tfm_field_default_number(const tfm_field *f)
{
    if (f->def == NULL || strcmp(f->def, "null") == 0)
        return NAN;
    if (strcmp(f->def, "true") == 0)
        return 1.0;
    if (strcmp(f->def, "false") == 0)
        return 0.0;
    return strtod(f->def, NULL);
}

void tfm_config_defaults(tfm_config *cfg, tfm_arch arch)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->arch = arch;
    cfg->ln_eps = 1e-12;           /* DistilBERT has no field: HF hard-codes it */
    cfg->pad_id = -1;
    cfg->has_pooler = arch->post_optional;
    cfg->act = TFM_ACT_GELU;
    cfg->rotary_pct = 1.0;
    cfg->rope_theta = 10000.0;
    cfg->rope_scaling.type = TFM_ROPE_DEFAULT;
    cfg->rope_scaling.factor = 1.0;
    for (int k = 0; k < arch->n_fields; k++) {
        const tfm_field *f = &arch->fields[k];
        if (f->member == TFM_MEMBER_ROPE_SCALING)
            continue;                  /* every default here is null */
        if (f->member == TFM_MEMBER_ACT)
            tfm_act_from_name(f->def, &cfg->act, NULL);
        else if (f->member != TFM_MEMBER_NONE)
            set_member(cfg, f->member, tfm_field_default_number(f));
    }
    if (arch->resolve != NULL)
        arch->resolve(cfg);
}

int tfm_config_check(const tfm_config *cfg, cka_error *err)
{
    const int64_t big = (int64_t)1 << 30;
    struct { const char *what; int64_t v; } sizes[] = {
        {"vocab size", cfg->vocab_size}, {"hidden size", cfg->hidden},
        {"number of layers", cfg->n_layers}, {"number of heads", cfg->n_heads},
        {"inner (MLP) size", cfg->inner}, {"number of positions", cfg->max_positions},
    };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        if (sizes[k].v < 1 || sizes[k].v > big)
            return cka_error_set(err, "cka:config:badValue",
                                 "the %s of the model must be in [1, 2^30], got %lld",
                                 sizes[k].what, (long long)sizes[k].v);
    if (cfg->arch == NULL)
        return cka_error_set(err, "cka:config:unknownArch", "the model has no architecture");
    if (cfg->arch->token_types == TFM_TT_TABLE && (cfg->type_vocab < 1 || cfg->type_vocab > big))
        return cka_error_set(err, "cka:config:badValue",
                             "type_vocab_size must be in [1, 2^30], got %lld",
                             (long long)cfg->type_vocab);
    if (cfg->head_dim == 0 && cfg->hidden % cfg->n_heads != 0)
        return cka_error_set(err, "cka:config:badValue",
                             "the hidden size (%lld) must be a multiple of the number of "
                             "attention heads (%lld)",
                             (long long)cfg->hidden, (long long)cfg->n_heads);
    if (cfg->head_dim < 0 || cfg->head_dim > big)
        return cka_error_set(err, "cka:config:badValue",
                             "head_dim must be null or in [1, 2^30], got %lld",
                             (long long)cfg->head_dim);
    if (cfg->n_kv_heads < 0 || (cfg->n_kv_heads > 0 && cfg->n_heads % cfg->n_kv_heads != 0))
        return cka_error_set(err, "cka:config:badValue",
                             "the number of key/value heads (%lld) must divide the number of "
                             "attention heads (%lld)",
                             (long long)cfg->n_kv_heads, (long long)cfg->n_heads);
    if ((double)cfg->n_heads * (double)tfm_head_dim(cfg) > (double)big)
        return cka_error_set(err, "cka:config:badValue",
                             "num_attention_heads x head_dim = %lld x %lld exceeds 2^30",
                             (long long)cfg->n_heads, (long long)tfm_head_dim(cfg));
    if (tfm_rope_scaling_check(&cfg->rope_scaling, err))
        return -1;
    if (!(cfg->ln_eps >= 0.0))
        return cka_error_set(err, "cka:config:badValue", "the LayerNorm eps must be >= 0");
    if (cfg->arch->check != NULL)
        return cfg->arch->check(cfg, err);
    return 0;
}

int tfm_rope_scaling_check(const tfm_rope_scaling *rs, cka_error *err)
{
    if (rs->type == TFM_ROPE_DEFAULT)
        return 0;
    if (!(rs->factor >= 1.0 && rs->factor <= 1e6))
        return cka_error_set(err, "cka:config:badValue",
                             "rope_scaling.factor must be a number >= 1, got %g", rs->factor);
    if (rs->type == TFM_ROPE_LLAMA3
        && !(rs->low_freq_factor > 0.0 && rs->high_freq_factor > rs->low_freq_factor
             && rs->original_max_positions >= 1.0 && rs->original_max_positions <= 1073741824.0))
        return cka_error_set(err, "cka:config:badValue",
                             "rope_scaling of type llama3 needs 0 < low_freq_factor (%g) < "
                             "high_freq_factor (%g) and original_max_position_embeddings >= 1 "
                             "(%g)", rs->low_freq_factor, rs->high_freq_factor,
                             rs->original_max_positions);
    return 0;
}

static const struct { const char *name; tfm_act act; } act_names[] = {
    {"gelu", TFM_ACT_GELU},           {"gelu_python", TFM_ACT_GELU},
    {"gelu_new", TFM_ACT_GELU_NEW},   {"gelu_pytorch_tanh", TFM_ACT_GELU_NEW},
    {"gelu_accurate", TFM_ACT_GELU_NEW}, {"gelu_fast", TFM_ACT_GELU_FAST},
    {"quick_gelu", TFM_ACT_QUICK_GELU}, {"relu", TFM_ACT_RELU},
    {"relu6", TFM_ACT_RELU6},         {"silu", TFM_ACT_SILU},
    {"swish", TFM_ACT_SILU},          {"sigmoid", TFM_ACT_SIGMOID},
    {"tanh", TFM_ACT_TANH},           {"linear", TFM_ACT_LINEAR},
};

const char *tfm_act_name_at(int k)
{
    return k >= 0 && (size_t)k < sizeof act_names / sizeof act_names[0] ? act_names[k].name
                                                                         : NULL;
}

int tfm_act_from_name(const char *name, tfm_act *act, cka_error *err)
{
    for (size_t k = 0; k < sizeof act_names / sizeof act_names[0]; k++)
        if (strcmp(name, act_names[k].name) == 0) {
            *act = act_names[k].act;
            return 0;
        }
    return cka_error_set(err, "cka:config:unknownActivation",
                         "unknown activation function \"%.100s\"", name);
}

int tfm_arch_from_name(const char *name, tfm_arch *arch, cka_error *err)
{
    const tfm_arch_desc *d = tfm_arch_find(name, err);
    if (d == NULL)
        return -1;
    *arch = d;
    return 0;
}

const char *tfm_arch_name(tfm_arch arch)
{
    return arch != NULL ? arch->name : "(none)";
}

void tfm_model_init(tfm_model *m, const tfm_config *cfg, tfm_layer *layers)
{
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    m->layers = layers;
    if (layers != NULL)
        memset(layers, 0, (size_t)cfg->n_layers * sizeof *layers);
}

int tfm_param_count(const tfm_config *cfg)
{
    return cfg->arch->param_count(cfg);
}

int tfm_param_bind(const tfm_param *p, const void *data, tfm_dtype dtype)
{
    if (p->matrix != NULL) {
        p->matrix->data = data;
        p->matrix->dtype = dtype;
        return 0;
    }
    if (dtype != TFM_F32)
        return -1;
    *p->slot = data;
    return 0;
}

void tfm_param_list(tfm_model *m, tfm_param *out)
{
    m->cfg.arch->param_list(m, out);
}

/* ---- scratch ------------------------------------------------------------ */

size_t tfm_workspace_size(const tfm_config *cfg, int64_t B, int64_t T)
{
    size_t nf = cfg->arch->scratch_floats(cfg, B, T);
    if (nf == 0)
        return 0;
    return nf * sizeof(float) + tfm_hooks_bytes(cfg);
}

/* ---- forward ------------------------------------------------------------ */

/* Every parameter bound; *wide_dim = the largest dimension of a 16-bit
 * weight matrix (0: none), what the widening panels must hold. */
static int check_weights(const tfm_model *m, int64_t *wide_dim, cka_error *err)
{
    *wide_dim = 0;
    if (m->layers == NULL)
        return cka_error_set(err, "cka:input:missingWeight", "the model has no layer storage");
    int n = tfm_param_count(&m->cfg);
    tfm_param *p = malloc((size_t)n * sizeof *p);
    if (p == NULL)
        return cka_error_set(err, "cka:memory:outOfMemory", "out of memory");
    tfm_model copy = *m;
    tfm_param_list(&copy, p);
    int rc = 0;
    for (int k = 0; k < n && rc == 0; k++) {
        const tfm_weight *w = p[k].matrix;
        if (w != NULL ? w->data == NULL : *p[k].slot == NULL)
            rc = cka_error_set(err, "cka:input:missingWeight",
                               "the model has no data for weight \"%s\"", p[k].name);
        else if (w != NULL && w->dtype != TFM_F32)
            for (int d = 0; d < 2; d++)
                if (p[k].shape[d] > *wide_dim)
                    *wide_dim = p[k].shape[d];
    }
    free(p);
    return rc;
}

int tfm_batch_check(const tfm_config *cfg, const tfm_batch *bt, cka_error *err)
{
    if (bt->B < 1 || bt->T < 1 || bt->ids == NULL)
        return cka_error_set(err, "cka:input:emptyInput",
                             "input_ids must have at least one row and one column");
    if (bt->B > INT_MAX / bt->T)
        return cka_error_set(err, "cka:input:tooLarge",
                             "the batch %lld x %lld has more tokens than BLAS can index",
                             (long long)bt->B, (long long)bt->T);
    const int64_t max_seq = cfg->arch->max_seq(cfg);
    if (bt->T > max_seq)
        return cka_error_set(err, "cka:input:sequenceTooLong",
                             "the sequence length %lld exceeds the position table of the "
                             "model (%lld positions)",
                             (long long)bt->T, (long long)max_seq);
    const int64_t n = bt->B * bt->T;
    for (int64_t k = 0; k < n; k++)
        if (bt->ids[k] < 0 || bt->ids[k] >= cfg->vocab_size)
            return cka_error_set(err, "cka:input:tokenOutOfRange",
                                 "input id %lld (batch row %lld, position %lld, 0-based) is "
                                 "outside [0, vocab_size = %lld)",
                                 (long long)bt->ids[k], (long long)(k / bt->T),
                                 (long long)(k % bt->T), (long long)cfg->vocab_size);
    if (bt->token_types == NULL)
        return 0;
    if (cfg->arch->token_types == TFM_TT_NONE)
        return cka_error_set(err, "cka:input:tokenTypes",
                             "%s has no token type embeddings (TokenTypeIds must be empty)",
                             cfg->arch->display);
    /* GPT-2 looks token types up in wte */
    const int64_t ntypes = cfg->arch->token_types == TFM_TT_TABLE ? cfg->type_vocab
                                                                   : cfg->vocab_size;
    for (int64_t k = 0; k < n; k++)
        if (bt->token_types[k] < 0 || bt->token_types[k] >= ntypes)
            return cka_error_set(err, "cka:input:tokenTypeOutOfRange",
                                 "token type id %lld (batch row %lld, position %lld, 0-based) "
                                 "is outside [0, %lld)",
                                 (long long)bt->token_types[k], (long long)(k / bt->T),
                                 (long long)(k % bt->T), (long long)ntypes);
    return 0;
}

int tfm_forward_ws(const tfm_model *m, const tfm_batch *bt, const tfm_hook_request *req,
                   tfm_hook_fn fn, void *ctx, void *workspace, cka_error *err)
{
    int64_t wide_dim = 0;
    if (tfm_config_check(&m->cfg, err) || check_weights(m, &wide_dim, err)
        || tfm_batch_check(&m->cfg, bt, err))
        return -1;
    if (req == NULL || req->n == 0)
        return 0;
    if (fn == NULL)
        return cka_error_set(err, "cka:input:noCallback", "hooks requested without a callback");
    size_t nf = m->cfg.arch->scratch_floats(&m->cfg, bt->B, bt->T);
    if (nf == 0 || workspace == NULL)
        return cka_error_set(err, "cka:memory:tooLarge",
                             "the batch %lld x %lld is too large for this model",
                             (long long)bt->B, (long long)bt->T);
    float *ws = workspace;
    tfm_hooks hk;
    if (tfm_hooks_init(&hk, &m->cfg, req, fn, ctx, (unsigned char *)(ws + nf), err))
        return -1;
    if (wide_dim > 0 && ops_panels_begin(wide_dim) != 0)
        return cka_error_set(err, "cka:memory:outOfMemory",
                             "out of memory reserving the panels that widen 16-bit weights");
    const double t0 = ops_prof_on ? ops_now() : 0.0;
    const int blas_threads = ops_threads_begin();
    const int rc = m->cfg.arch->forward(m, bt, &hk, ws);
    ops_threads_end(blas_threads);
    if (wide_dim > 0)
        ops_panels_end();
    if (ops_prof_on) {
        ops_prof.total += ops_now() - t0;
        ops_prof.forwards++;
    }
    if (rc == 0 && hk.remaining > 0)
        return cka_error_set(err, "cka:internal:hookNotFired",
                             "%d requested hook(s) did not fire", hk.remaining);
    return rc;
}

int tfm_forward(const tfm_model *m, const tfm_batch *bt, const tfm_hook_request *req,
                tfm_hook_fn fn, void *ctx, cka_error *err)
{
    if (tfm_config_check(&m->cfg, err))
        return -1;
    size_t bytes = tfm_workspace_size(&m->cfg, bt->B, bt->T);
    if (bytes == 0)
        return cka_error_set(err, "cka:input:emptyInput",
                             "input_ids must be a non-empty [batch, seq] array of a size "
                             "that fits in memory (got %lld x %lld)",
                             (long long)bt->B, (long long)bt->T);
    void *ws = malloc(bytes);
    if (ws == NULL)
        return cka_error_set(err, "cka:memory:outOfMemory",
                             "out of memory allocating %zu bytes of forward scratch", bytes);
    int rc = tfm_forward_ws(m, bt, req, fn, ctx, ws, err);
    free(ws);
    return rc;
}

void tfm_activation_to_colmajor(const tfm_activation *act, float *dst)
{
    ops_to_colmajor(dst, act->data, act->shape, act->ndim);
}
