/* Binding an Octave model struct to the C core (tfm_model), for every
 * gateway that runs or inspects a model (__tfm_forward__, __tfm_modules__,
 * the CKA gateways).
 *
 * The model struct (design.md, "Data model"): fields arch (a name of the
 * registry, model/registry.h), config (HF field names, defaults filled by tfm_config),
 * names (cellstr of state_dict names), weights (cell of single arrays in
 * PyTorch shapes; 1-D tensors [n 1] or [1 n]; a matrix may instead be a
 * uint16 array of the 16-bit numbers named by model.dtype, "bfloat16" or
 * "float16").  mexmodel_bind checks that every parameter the architecture
 * needs is present, single (or such uint16), real, full and of the right
 * size, and points the tfm_model at the data in place (no copy).  Extra names (e.g. heads) are ignored.  A model without its
 * optional tensors (BERT's pooler.*) is accepted (no pooler hooks then).
 *
 * All memory comes from mxMalloc / mxArrayToString, so it is reclaimed if
 * the gateway raises an error.  Functions return 0, or -1 with err filled
 * (cka:input:* / cka:config:*); the gateway then calls mexutil_raise. */
#ifndef CKA_MEX_MODEL_H
#define CKA_MEX_MODEL_H

#include "mex_util.h"
#include "model/registry.h"
#include "model/tfm.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Field `name` of struct s (element 0) or NULL. */
static inline const mxArray *mexmodel_field(const mxArray *s, const char *name)
{
    return (s != NULL && mxIsStruct(s) && mxGetNumberOfElements(s) >= 1)
               ? mxGetField(s, 0, name) : NULL;
}

/* A string field as an mxMalloc'ed C string, or NULL + error. */
static inline char *mexmodel_string(const mxArray *s, const char *name, cka_error *err)
{
    const mxArray *f = mexmodel_field(s, name);
    if (f == NULL || !mxIsChar(f)) {
        cka_error_set(err, "cka:config:badValue", "model config field %s must be a string", name);
        return NULL;
    }
    return mxArrayToString(f);
}

/* A real numeric/logical scalar config field.  If absent/empty: *out = def
 * when has_default, else an error. */
static inline int mexmodel_number(const mxArray *cfg, const char *name, double *out,
                                  int has_default, double def, cka_error *err)
{
    const mxArray *f = mexmodel_field(cfg, name);
    if (f == NULL || mxIsEmpty(f)) {
        if (has_default) {
            *out = def;
            return 0;
        }
        return cka_error_set(err, "cka:config:missingField",
                             "the model config has no field %s", name);
    }
    if (!(mxIsNumeric(f) || mxIsLogical(f)) || mxIsComplex(f) || mxGetNumberOfElements(f) != 1)
        return cka_error_set(err, "cka:config:badValue",
                             "model config field %s must be a real scalar", name);
    *out = mxGetScalar(f);
    return 0;
}

static inline int mexmodel_int(const mxArray *cfg, const char *name, int64_t *out,
                               cka_error *err)
{
    double v = 0.0;
    if (mexmodel_number(cfg, name, &v, 0, 0.0, err))
        return -1;
    if (!(v == floor(v) && v >= 1 && v <= 1073741824.0))
        return cka_error_set(err, "cka:config:badValue",
                             "model config field %s must be a positive integer, got %g", name, v);
    *out = (int64_t)v;
    return 0;
}

/* Index (0-based) of `name` in the cellstr `names`, or -1. */
static inline mwIndex mexmodel_name_index(const mxArray *names, const char *name, int *found)
{
    const mwSize n = mxGetNumberOfElements(names);
    const size_t len = strlen(name);
    char buf[128];
    *found = 0;
    for (mwIndex k = 0; k < n; k++) {
        const mxArray *c = mxGetCell(names, k);
        if (c == NULL || !mxIsChar(c) || mxGetNumberOfElements(c) != len)
            continue;
        if (mxGetString(c, buf, sizeof buf) == 0 && strcmp(buf, name) == 0) {
            *found = 1;
            return k;
        }
    }
    return 0;
}

/* 1 if some name of the cellstr `names` starts with `prefix`. */
static inline int mexmodel_has_prefix(const mxArray *names, const char *prefix)
{
    const mwSize n = mxIsCell(names) ? mxGetNumberOfElements(names) : 0;
    const size_t len = strlen(prefix);
    char buf[128];
    for (mwIndex k = 0; k < n; k++) {
        const mxArray *c = mxGetCell(names, k);
        if (c != NULL && mxIsChar(c) && mxGetString(c, buf, sizeof buf) == 0
            && strncmp(buf, prefix, len) == 0)
            return 1;
    }
    return 0;
}

/* rope_scaling (shared/spec/transformers.md §8.4): [] (null) or a struct
 * with a "rope_type" (or legacy "type") string and its numbers.  yarn,
 * longrope and unknown types are cka:config:unsupported. */
static inline int mexmodel_rope_scaling(const mxArray *x, tfm_rope_scaling *rs, cka_error *err)
{
    memset(rs, 0, sizeof *rs);
    rs->type = TFM_ROPE_DEFAULT;
    rs->factor = 1.0;
    if (x == NULL || mxIsEmpty(x))
        return 0;
    if (!mxIsStruct(x) || mxGetNumberOfElements(x) != 1)
        return cka_error_set(err, "cka:config:badValue",
                             "config field rope_scaling must be null or an object");
    const mxArray *t = mxGetField(x, 0, "rope_type");
    if (t == NULL)
        t = mxGetField(x, 0, "type");
    char type[32] = "";
    if (t == NULL || !mxIsChar(t) || mxGetString(t, type, sizeof type) != 0)
        return cka_error_set(err, "cka:config:badValue",
                             "rope_scaling needs a \"rope_type\" (or \"type\") string");
    static const struct { const char *name; tfm_rope_type type; } types[] = {
        {"default", TFM_ROPE_DEFAULT}, {"linear", TFM_ROPE_LINEAR},
        {"dynamic", TFM_ROPE_DYNAMIC}, {"llama3", TFM_ROPE_LLAMA3}};
    size_t k = 0;
    while (k < sizeof types / sizeof types[0] && strcmp(type, types[k].name) != 0)
        k++;
    if (k == sizeof types / sizeof types[0])
        return cka_error_set(err, "cka:config:unsupported",
                             "rope_scaling type \"%s\" is not implemented (supported: default, "
                             "linear, dynamic, llama3)", type);
    rs->type = types[k].type;
    if (rs->type == TFM_ROPE_DEFAULT)
        return 0;
    struct { const char *name; double *to; int needed; } nums[] = {
        {"factor", &rs->factor, 1},
        {"low_freq_factor", &rs->low_freq_factor, rs->type == TFM_ROPE_LLAMA3},
        {"high_freq_factor", &rs->high_freq_factor, rs->type == TFM_ROPE_LLAMA3},
        {"original_max_position_embeddings", &rs->original_max_positions,
         rs->type == TFM_ROPE_LLAMA3}};
    for (size_t j = 0; j < sizeof nums / sizeof nums[0]; j++) {
        const mxArray *v = mxGetField(x, 0, nums[j].name);
        if (v == NULL || mxIsEmpty(v)) {
            if (nums[j].needed)
                return cka_error_set(err, "cka:config:badValue",
                                     "rope_scaling of type %s needs a number %s", type,
                                     nums[j].name);
            continue;
        }
        if (!(mxIsNumeric(v) || mxIsLogical(v)) || mxIsComplex(v) || mxGetNumberOfElements(v) != 1)
            return cka_error_set(err, "cka:config:badValue",
                                 "rope_scaling.%s must be a real number", nums[j].name);
        *nums[j].to = mxGetScalar(v);
    }
    return tfm_rope_scaling_check(rs, err);
}

/* Read config field f of the architecture's table into cfg (generic: the
 * field's kind says how).  Sizes and the activation are required; the
 * other fields default as in Hugging Face. */
static inline int mexmodel_field_value(const mxArray *c, const tfm_field *f, tfm_config *cfg,
                                       cka_error *err)
{
    double v = 0.0;
    int64_t n = 0;
    switch (f->kind) {
    case TFM_FIELD_POS_INT:
        if (mexmodel_int(c, f->name, &n, err))
            return -1;
        return tfm_config_set_number(cfg, f->member, (double)n);
    case TFM_FIELD_POS_INT_NULL:
    case TFM_FIELD_NONNEG_INT_NULL: {
        const mxArray *x = mexmodel_field(c, f->name);
        if (x == NULL)                                   /* absent: the default */
            return tfm_config_set_number(cfg, f->member, tfm_field_default_number(f));
        if (mxIsEmpty(x))                                /* null */
            return tfm_config_set_number(cfg, f->member, NAN);
        if (mexmodel_number(c, f->name, &v, 0, 0.0, err))
            return -1;
        const double lo = f->kind == TFM_FIELD_POS_INT_NULL ? 1.0 : 0.0;
        if (!(v == floor(v) && v >= lo && v <= 1073741824.0))
            return cka_error_set(err, "cka:config:badValue",
                                 "model config field %s must be null or an integer >= %g, got %g",
                                 f->name, lo, v);
        return tfm_config_set_number(cfg, f->member, v);
    }
    case TFM_FIELD_ACT: {
        char *act = mexmodel_string(c, f->name, err);
        if (act == NULL)
            return -1;
        int rc = tfm_act_from_name(act, &cfg->act, err);
        mxFree(act);
        return rc;
    }
    case TFM_FIELD_REAL:
    case TFM_FIELD_NONNEG_REAL:
    case TFM_FIELD_BOOL:
        if (mexmodel_number(c, f->name, &v, 1, tfm_field_default_number(f), err))
            return -1;
        return tfm_config_set_number(cfg, f->member, v);
    case TFM_FIELD_ROPE_SCALING:
        return mexmodel_rope_scaling(mexmodel_field(c, f->name), &cfg->rope_scaling, err);
    case TFM_FIELD_STRING:
    case TFM_FIELD_OBJECT:
    case TFM_FIELD_ANY:
        break;
    }
    return cka_error_set(err, "cka:internal:registry",
                         "config field %s: a %d field cannot set a model member", f->name,
                         (int)f->kind);
}

/* Fill cfg from model.arch and model.config through the architecture's
 * field table (registry.h), and whether the optional tensors (BERT's
 * pooler) are present in model.names. */
static inline int mexmodel_config(const mxArray *model, tfm_config *cfg, cka_error *err)
{
    if (!mxIsStruct(model) || mxGetNumberOfElements(model) != 1)
        return cka_error_set(err, "cka:input:badModel",
                             "the model must be a 1x1 struct (from tfm_create or tfm_load)");
    static const char *const fields[] = {"arch", "config", "names", "weights"};
    for (size_t k = 0; k < 4; k++)
        if (mexmodel_field(model, fields[k]) == NULL)
            return cka_error_set(err, "cka:input:badModel",
                                 "the model struct has no field \"%s\"", fields[k]);
    char *arch = mexmodel_string(model, "arch", err);
    if (arch == NULL)
        return -1;
    tfm_arch a;
    int rc = tfm_arch_from_name(arch, &a, err);
    mxFree(arch);
    if (rc)
        return -1;
    tfm_config_defaults(cfg, a);
    const mxArray *c = mexmodel_field(model, "config");
    if (!mxIsStruct(c))
        return cka_error_set(err, "cka:input:badModel", "model.config must be a struct");
    for (int k = 0; k < a->n_fields; k++)
        if (a->fields[k].member != TFM_MEMBER_NONE
            && mexmodel_field_value(c, &a->fields[k], cfg, err))
            return -1;
    if (a->optional_prefix != NULL)
        cfg->has_pooler = mexmodel_has_prefix(mexmodel_field(model, "names"), a->optional_prefix);
    if (a->resolve != NULL)
        a->resolve(cfg);
    return tfm_config_check(cfg, err);
}

/* How the uint16 matrices of a model store their numbers: model.dtype
 * "bfloat16" or "float16" (tfm_load, tfm_create, tfm_cast set it). */
static inline int mexmodel_half_dtype(const mxArray *model, tfm_dtype *dtype, const char *name,
                                      cka_error *err)
{
    const mxArray *f = mexmodel_field(model, "dtype");
    char buf[16] = "";
    if (f != NULL && mxIsChar(f) && mxGetString(f, buf, sizeof buf) == 0) {
        if (strcmp(buf, "bfloat16") == 0) {
            *dtype = TFM_BF16;
            return 0;
        }
        if (strcmp(buf, "float16") == 0) {
            *dtype = TFM_F16;
            return 0;
        }
    }
    return cka_error_set(err, "cka:input:badWeight",
                         "weight \"%s\" is uint16, so model.dtype must say how it stores "
                         "numbers: \"bfloat16\" or \"float16\" (got %s%s%s)",
                         name, buf[0] ? "\"" : "", buf[0] ? buf : "no dtype",
                         buf[0] ? "\"" : "");
}

/* Bind model (struct) to m: config + a pointer to every parameter's data. */
static inline int mexmodel_bind(const mxArray *model, tfm_model *m, cka_error *err)
{
    tfm_config cfg;
    if (mexmodel_config(model, &cfg, err))
        return -1;
    const mxArray *names = mexmodel_field(model, "names");
    const mxArray *weights = mexmodel_field(model, "weights");
    if (!mxIsCell(names) || !mxIsCell(weights)
        || mxGetNumberOfElements(names) != mxGetNumberOfElements(weights))
        return cka_error_set(err, "cka:input:badModel",
                             "model.names and model.weights must be cells of the same length");
    tfm_layer *layers = mxCalloc((size_t)cfg.n_layers, sizeof *layers);
    tfm_model_init(m, &cfg, layers);
    const int np = tfm_param_count(&cfg);
    tfm_param *p = mxCalloc((size_t)np, sizeof *p);
    tfm_param_list(m, p);
    tfm_dtype dtype = TFM_F32;   /* of the uint16 matrices, read at the first */
    for (int k = 0; k < np; k++) {
        int found;
        mwIndex idx = mexmodel_name_index(names, p[k].name, &found);
        if (!found)
            return cka_error_set(err, "cka:input:missingWeight",
                                 "the %s model has no weight \"%s\" in model.names",
                                 tfm_arch_name(cfg.arch), p[k].name);
        const mxArray *w = mxGetCell(weights, idx);
        const int half = w != NULL && mxIsUint16(w) && p[k].ndim == 2;
        if (w == NULL || !(mxIsSingle(w) || half) || mxIsComplex(w) || mxIsSparse(w))
            return cka_error_set(err, "cka:input:badWeight",
                                 "weight \"%s\" must be a real full single array%s (got %s)",
                                 p[k].name,
                                 p[k].ndim == 2 ? " (or uint16 holding bfloat16/float16)" : "",
                                 w ? mxGetClassName(w) : "nothing");
        if (half && dtype == TFM_F32 && mexmodel_half_dtype(model, &dtype, p[k].name, err))
            return -1;
        const mwSize nd = mxGetNumberOfDimensions(w);
        const mwSize *dims = mxGetDimensions(w);
        int ok;
        if (p[k].ndim == 1)
            ok = nd == 2 && ((dims[0] == (mwSize)p[k].shape[0] && dims[1] == 1)
                             || (dims[0] == 1 && dims[1] == (mwSize)p[k].shape[0]));
        else
            ok = nd == 2 && dims[0] == (mwSize)p[k].shape[0] && dims[1] == (mwSize)p[k].shape[1];
        if (!ok) {
            char want[64], got[64];
            if (p[k].ndim == 1)
                snprintf(want, sizeof want, "[%lld 1]", (long long)p[k].shape[0]);
            else
                snprintf(want, sizeof want, "[%lld %lld]", (long long)p[k].shape[0],
                         (long long)p[k].shape[1]);
            int used = snprintf(got, sizeof got, "[");
            for (mwSize d = 0; d < nd && used < (int)sizeof got - 24; d++)
                used += snprintf(got + used, sizeof got - used, "%s%lld", d ? " " : "",
                                 (long long)dims[d]);
            snprintf(got + used, sizeof got - used, "]");
            return cka_error_set(err, "cka:input:badWeight",
                                 "weight \"%s\" has size %s, expected %s (PyTorch shape)",
                                 p[k].name, got, want);
        }
        tfm_param_bind(&p[k], mxGetData(w), half ? dtype : TFM_F32);
    }
    mxFree(p);
    return 0;
}

/* Resolve hook names: `hooks` is a string or a cellstr (may be empty).
 * *idx (mxMalloc'ed, *n entries) receives module indices. */
static inline int mexmodel_hooks(const tfm_config *cfg, const mxArray *hooks, int **idx, int *n,
                                 cka_error *err)
{
    *idx = NULL;
    *n = 0;
    const int is_char = hooks != NULL && mxIsChar(hooks);   /* "" is the root */
    if (hooks == NULL || (!is_char && mxIsEmpty(hooks)))
        return 0;
    if (!is_char && !mxIsCell(hooks))
        return cka_error_set(err, "cka:input:badHooks",
                             "Hooks must be a string or a cell array of strings");
    const int cnt = is_char ? 1 : (int)mxGetNumberOfElements(hooks);
    *idx = mxCalloc((size_t)cnt, sizeof **idx);
    for (int r = 0; r < cnt; r++) {
        const mxArray *s = is_char ? hooks : mxGetCell(hooks, (mwIndex)r);
        if (s == NULL || !mxIsChar(s) || (mxGetM(s) > 1))
            return cka_error_set(err, "cka:input:badHooks",
                                 "Hooks{%d} must be a string (a module name)", r + 1);
        char *name = mxArrayToString(s);
        int rc = tfm_module_find(cfg, name ? name : "", &(*idx)[r], err);
        mxFree(name);
        if (rc)
            return -1;
    }
    *n = cnt;
    return 0;
}

/* ---- token inputs: ids, attention mask, token types ---------------------
 * The one reader of the [B, T] token inputs of a forward pass, used by
 * every gateway that runs a model (__tfm_forward__, __cka_compare_batch__),
 * so the same input gives the same result or the same error everywhere.
 *   ids    numeric of any class (not logical), real, full, 2-D, not empty;
 *          finite integers in [0, vocab_size)
 *   mask   [] or numeric/logical, real, full, [B T]; every value 0 or 1
 *          (NaN, Inf, 0.5 are errors: Hugging Face would turn them into
 *          NaN attention scores or scale them silently)
 *   types  [] or numeric, real, full, [B T]; finite integers (the range
 *          is the architecture's, checked by the core: tfm_forward_ws)
 * Sparse arrays are refused (cka:input:type): their data is not a [B T]
 * block, and reading it as one read out of bounds.  `what` names the
 * source in messages ("input_ids" or "data: input_ids").  Errors are
 * raised directly; the buffers are mxMalloc'ed (freed by Octave then). */

/* Element k of a real full numeric or logical array, as a double. */
static inline double mexmodel_value_at(const mxArray *a, size_t k)
{
    const void *p = mxGetData(a);
    switch (mxGetClassID(a)) {
    case mxDOUBLE_CLASS:  return ((const double *)p)[k];
    case mxSINGLE_CLASS:  return ((const float *)p)[k];
    case mxLOGICAL_CLASS: return ((const mxLogical *)p)[k] ? 1.0 : 0.0;
    case mxINT8_CLASS:    return ((const int8_t *)p)[k];
    case mxUINT8_CLASS:   return ((const uint8_t *)p)[k];
    case mxINT16_CLASS:   return ((const int16_t *)p)[k];
    case mxUINT16_CLASS:  return ((const uint16_t *)p)[k];
    case mxINT32_CLASS:   return ((const int32_t *)p)[k];
    case mxUINT32_CLASS:  return ((const uint32_t *)p)[k];
    case mxINT64_CLASS:   return (double)((const int64_t *)p)[k];
    case mxUINT64_CLASS:  return (double)((const uint64_t *)p)[k];
    default:              return NAN;
    }
}

static inline void mexmodel_check_array(const mxArray *a, int allow_logical, const char *what)
{
    if (!(mxIsNumeric(a) || (allow_logical && mxIsLogical(a))))
        mexErrMsgIdAndTxt("cka:input:type", "%s must be a numeric%s array, not %s", what,
                          allow_logical ? " or logical" : "", mxGetClassName(a));
    if (mxIsSparse(a))
        mexErrMsgIdAndTxt("cka:input:type", "%s is sparse; pass a full array (full (x))", what);
    if (mxIsComplex(a))
        mexErrMsgIdAndTxt("cka:input:type", "%s must be real", what);
}

/* A [B T] integer array as row-major int64, checked (see above). */
static inline int64_t *mexmodel_int_grid(const mxArray *a, size_t B, size_t T, const char *what)
{
    int64_t *out = mxMalloc((B * T > 0 ? B * T : 1) * sizeof *out);
    for (size_t t = 0; t < T; t++)
        for (size_t b = 0; b < B; b++) {
            const double v = mexmodel_value_at(a, b + t * B);
            if (!(v == floor(v) && fabs(v) <= 9.0e15))    /* NaN and Inf fail */
                mexErrMsgIdAndTxt("cka:input:nonIntegerIds", "%s(%zu,%zu) = %g is not an integer",
                                  what, b + 1, t + 1, v);
            out[b * T + t] = (int64_t)v;
        }
    return out;
}

/* Fill bt (B, T, ids, mask, token_types) from the three arrays; mask and
 * types may be NULL or empty.  what_ids/what_mask/what_types name them. */
static inline void mexmodel_read_tokens(const mxArray *ids, const mxArray *mask,
                                        const mxArray *types, const tfm_config *cfg,
                                        const char *what_ids, const char *what_mask,
                                        const char *what_types, tfm_batch *bt)
{
    memset(bt, 0, sizeof *bt);
    if (ids == NULL)
        mexErrMsgIdAndTxt("cka:input:emptyInput", "%s is missing", what_ids);
    mexmodel_check_array(ids, 0, what_ids);
    if (mxGetNumberOfDimensions(ids) != 2)
        mexErrMsgIdAndTxt("cka:input:idsShape", "%s must be a [batch, seq] matrix", what_ids);
    const size_t B = mxGetM(ids), T = mxGetN(ids);
    if (B == 0 || T == 0)
        mexErrMsgIdAndTxt("cka:input:emptyInput", "%s must not be empty", what_ids);
    bt->B = (int64_t)B;
    bt->T = (int64_t)T;
    int64_t *id = mexmodel_int_grid(ids, B, T, what_ids);
    for (size_t k = 0; k < B * T; k++)
        if (id[k] < 0 || id[k] >= cfg->vocab_size)
            mexErrMsgIdAndTxt("cka:input:tokenOutOfRange",
                              "%s(%d,%d) = %lld is outside [0, vocab_size) = [0, %lld)%s", what_ids,
                              (int)(k / T) + 1, (int)(k % T) + 1, (long long)id[k],
                              (long long)cfg->vocab_size,
                              id[k] == cfg->vocab_size
                                  ? "; token ids are 0-based, as the tokenizers give them"
                                  : "");
    bt->ids = id;

    if (mask != NULL && !mxIsEmpty(mask)) {
        mexmodel_check_array(mask, 1, what_mask);
        if (mxGetNumberOfDimensions(mask) != 2 || mxGetM(mask) != B || mxGetN(mask) != T)
            mexErrMsgIdAndTxt("cka:input:maskShape", "%s must have the size of %s [%zu %zu]",
                              what_mask, what_ids, B, T);
        float *mk = mxMalloc(B * T * sizeof *mk);
        for (size_t t = 0; t < T; t++)
            for (size_t b = 0; b < B; b++) {
                const double v = mexmodel_value_at(mask, b + t * B);
                if (!(v == 0.0 || v == 1.0))
                    mexErrMsgIdAndTxt("cka:input:badMask",
                                      "%s(%zu,%zu) = %g; an attention mask holds only 0 "
                                      "(padding) and 1 (token)", what_mask, b + 1, t + 1, v);
                mk[b * T + t] = (float)v;
            }
        bt->mask = mk;
    }

    if (types != NULL && !mxIsEmpty(types)) {
        if (cfg->arch->token_types == TFM_TT_NONE)
            mexErrMsgIdAndTxt("cka:input:tokenTypes",
                              "%s has no token type embeddings; %s must be empty",
                              cfg->arch->display, what_types);
        mexmodel_check_array(types, 0, what_types);
        if (mxGetNumberOfDimensions(types) != 2 || mxGetM(types) != B || mxGetN(types) != T)
            mexErrMsgIdAndTxt("cka:input:tokenTypeShape", "%s must have the size of %s [%zu %zu]",
                              what_types, what_ids, B, T);
        bt->token_types = mexmodel_int_grid(types, B, T, what_types);
    }
}

#endif
