/* Model binding, batch validation, scratch memory and the forward entry
 * points shared by the three architectures; see tfm.h. */
#include "model/tfm.h"
#include "model/hooks.h"
#include "model/ops.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tfm_config_defaults(tfm_config *cfg, tfm_arch arch)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->arch = arch;
    cfg->ln_eps = arch == TFM_ARCH_GPT2 ? 1e-5 : 1e-12;
    cfg->act = arch == TFM_ARCH_GPT2 ? TFM_ACT_GELU_NEW : TFM_ACT_GELU;
    cfg->has_pooler = arch == TFM_ARCH_BERT;
    cfg->scale_attn_weights = 1;
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
    if (cfg->arch == TFM_ARCH_BERT && (cfg->type_vocab < 1 || cfg->type_vocab > big))
        return cka_error_set(err, "cka:config:badValue",
                             "type_vocab_size must be in [1, 2^30], got %lld",
                             (long long)cfg->type_vocab);
    if (cfg->hidden % cfg->n_heads != 0)
        return cka_error_set(err, "cka:config:badValue",
                             "the hidden size (%lld) must be a multiple of the number of "
                             "attention heads (%lld)",
                             (long long)cfg->hidden, (long long)cfg->n_heads);
    if (!(cfg->ln_eps >= 0.0))
        return cka_error_set(err, "cka:config:badValue", "the LayerNorm eps must be >= 0");
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
    for (int a = TFM_ARCH_BERT; a <= TFM_ARCH_DISTILBERT; a++)
        if (strcmp(name, tfm_arch_name((tfm_arch)a)) == 0) {
            *arch = (tfm_arch)a;
            return 0;
        }
    return cka_error_set(err, "cka:config:unknownArch",
                         "unknown architecture \"%.100s\" (supported: bert, gpt2, distilbert)",
                         name);
}

const char *tfm_arch_name(tfm_arch arch)
{
    switch (arch) {
    case TFM_ARCH_GPT2:       return "gpt2";
    case TFM_ARCH_DISTILBERT: return "distilbert";
    case TFM_ARCH_BERT:
    default:                  return "bert";
    }
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
    switch (cfg->arch) {
    case TFM_ARCH_GPT2:       return gpt2_param_count(cfg);
    case TFM_ARCH_DISTILBERT: return distilbert_param_count(cfg);
    case TFM_ARCH_BERT:
    default:                  return bert_param_count(cfg);
    }
}

void tfm_param_list(tfm_model *m, tfm_param *out)
{
    switch (m->cfg.arch) {
    case TFM_ARCH_GPT2:       gpt2_param_list(m, out); break;
    case TFM_ARCH_DISTILBERT: distilbert_param_list(m, out); break;
    case TFM_ARCH_BERT:
    default:                  bert_param_list(m, out); break;
    }
}

void tfm_param_set(tfm_param *p, const float **slot, int ndim, int64_t s0, int64_t s1,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->name, sizeof p->name, fmt, ap);
    va_end(ap);
    p->ndim = ndim;
    p->shape[0] = s0;
    p->shape[1] = ndim > 1 ? s1 : 1;
    p->slot = slot;
}

tfm_param *tfm_encoder_block_params(tfm_param *p, tfm_layer *l, const char *prefix, int i,
                                    int64_t H, int64_t I, const char *const mod[8])
{
    tfm_linear *lin[] = {&l->q, &l->k, &l->v, &l->o, NULL, &l->fc1, &l->fc2, NULL};
    tfm_norm *norm[] = {NULL, NULL, NULL, NULL, &l->ln1, NULL, NULL, &l->ln2};
    const int64_t out[] = {H, H, H, H, H, I, H, H}, in[] = {H, H, H, H, 0, H, I, 0};
    for (int k = 0; k < 8; k++) {
        const float **w = lin[k] ? &lin[k]->w : &norm[k]->w;
        const float **b = lin[k] ? &lin[k]->b : &norm[k]->b;
        tfm_param_set(p++, w, lin[k] ? 2 : 1, out[k], in[k], "%s%d.%s.weight", prefix, i, mod[k]);
        tfm_param_set(p++, b, 1, out[k], 1, "%s%d.%s.bias", prefix, i, mod[k]);
    }
    return p;
}

/* ---- scratch ------------------------------------------------------------ */

/* Number of floats of the scratch, or 0 on overflow. */
static size_t scratch_floats(const tfm_config *cfg, int64_t B, int64_t T)
{
    const double N = (double)B * (double)T, H = (double)cfg->hidden;
    double total = N * H * 6.0 + N * (double)cfg->inner
                   + (double)B * (double)cfg->n_heads * (double)T * (double)T + N;
    if (B < 1 || T < 1 || total * sizeof(float) > (double)(SIZE_MAX / 2))
        return 0;
    return (size_t)total;
}

void tfm_scratch_carve(const tfm_config *cfg, int64_t B, int64_t T, float *ws, tfm_scratch *sc)
{
    const int64_t N = B * T, H = cfg->hidden;
    sc->x = ws;
    sc->t = sc->x + N * H;
    sc->qkv = sc->t + N * H;
    sc->ctx = sc->qkv + 3 * N * H;
    sc->f = sc->ctx + N * H;
    sc->s = sc->f + N * cfg->inner;
    sc->madd = sc->s + B * cfg->n_heads * T * T;
}

size_t tfm_workspace_size(const tfm_config *cfg, int64_t B, int64_t T)
{
    size_t nf = scratch_floats(cfg, B, T);
    if (nf == 0)
        return 0;
    return nf * sizeof(float) + tfm_hooks_bytes(cfg);
}

/* ---- forward ------------------------------------------------------------ */

static int check_weights(const tfm_model *m, cka_error *err)
{
    if (m->layers == NULL)
        return cka_error_set(err, "cka:input:missingWeight", "the model has no layer storage");
    int n = tfm_param_count(&m->cfg);
    tfm_param *p = malloc((size_t)n * sizeof *p);
    if (p == NULL)
        return cka_error_set(err, "cka:memory:outOfMemory", "out of memory");
    tfm_model copy = *m;
    tfm_param_list(&copy, p);
    int rc = 0;
    for (int k = 0; k < n && rc == 0; k++)
        if (*p[k].slot == NULL)
            rc = cka_error_set(err, "cka:input:missingWeight",
                               "the model has no data for weight \"%s\"", p[k].name);
    free(p);
    return rc;
}

static int check_batch(const tfm_config *cfg, const tfm_batch *bt, cka_error *err)
{
    if (bt->B < 1 || bt->T < 1 || bt->ids == NULL)
        return cka_error_set(err, "cka:input:emptyInput",
                             "input_ids must have at least one row and one column");
    if (bt->B > INT_MAX / bt->T)
        return cka_error_set(err, "cka:input:tooLarge",
                             "the batch %lld x %lld has more tokens than BLAS can index",
                             (long long)bt->B, (long long)bt->T);
    if (bt->T > cfg->max_positions)
        return cka_error_set(err, "cka:input:sequenceTooLong",
                             "the sequence length %lld exceeds the position table of the "
                             "model (%lld positions)",
                             (long long)bt->T, (long long)cfg->max_positions);
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
    int64_t ntypes;
    switch (cfg->arch) {
    case TFM_ARCH_BERT: ntypes = cfg->type_vocab; break;
    case TFM_ARCH_GPT2: ntypes = cfg->vocab_size; break;  /* looked up in wte */
    case TFM_ARCH_DISTILBERT:
    default:
        return cka_error_set(err, "cka:input:tokenTypes",
                             "DistilBERT has no token type embeddings (TokenTypeIds must be "
                             "empty)");
    }
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
    if (tfm_config_check(&m->cfg, err) || check_weights(m, err) || check_batch(&m->cfg, bt, err))
        return -1;
    if (req == NULL || req->n == 0)
        return 0;
    if (fn == NULL)
        return cka_error_set(err, "cka:input:noCallback", "hooks requested without a callback");
    size_t nf = scratch_floats(&m->cfg, bt->B, bt->T);
    if (nf == 0 || workspace == NULL)
        return cka_error_set(err, "cka:memory:tooLarge",
                             "the batch %lld x %lld is too large for this model",
                             (long long)bt->B, (long long)bt->T);
    float *ws = workspace;
    tfm_hooks hk;
    if (tfm_hooks_init(&hk, &m->cfg, req, fn, ctx, (unsigned char *)(ws + nf), err))
        return -1;
    const double t0 = ops_prof_on ? ops_now() : 0.0;
    const int blas_threads = ops_threads_begin();
    int rc;
    switch (m->cfg.arch) {
    case TFM_ARCH_GPT2:       rc = gpt2_forward(m, bt, &hk, ws); break;
    case TFM_ARCH_DISTILBERT: rc = distilbert_forward(m, bt, &hk, ws); break;
    case TFM_ARCH_BERT:
    default:                  rc = bert_forward(m, bt, &hk, ws); break;
    }
    ops_threads_end(blas_threads);
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
