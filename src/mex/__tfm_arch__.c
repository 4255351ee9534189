/* The one gateway through which the .m files ask the architecture
 * registry (src/core/model/registry.h) what they need to know; no .m file
 * lists architectures, fields or parameters itself.
 *
 *   names = __tfm_arch__ ("list")
 *       column cellstr of the registered architectures, table order
 *   d = __tfm_arch__ ("describe", arch)
 *       struct: name, display, hf_class, model_types, class_prefixes,
 *       key_prefixes, buffers (regexps on bare names), optional_prefix
 *       ("" if none), token_types ("none" | "table" | "words"),
 *       layers_field, hidden_field, heads_field (HF names), activations
 *       (the known activation names), and fields: an N x 1 struct array
 *       with name, kind ("pos_int" | "pos_int_null" | "nonneg_int_null" |
 *       "real" | "nonneg_real" | "bool" | "string" | "act" | "object" |
 *       "any"), default (the Octave value: double, logical, char, [] for
 *       null, struct () for {}), aliases (cellstr), check ("" | "false" |
 *       "empty" | "one_of"), allowed (cellstr), why (message)
 *   name = __tfm_arch__ ("model_type", model_type)
 *       the architecture serving a Hugging Face model_type, or ""
 *   [names, shapes, init] = __tfm_arch__ ("params", arch, cfg, with_optional)
 *       the bare model's state_dict names (column cellstr, state_dict
 *       order) and PyTorch shapes (row vectors; a 1-D tensor as a scalar)
 *       for the complete config struct cfg (tfm_config); with_optional
 *       false leaves out the optional tensors (BERT's pooler).  init is a
 *       struct of columns: kind (cellstr "normal" | "zeros" | "ones" |
 *       "sinusoidal"), std_div (std = initializer_range / sqrt(std_div)),
 *       zero_row (1-based row set to 0, 0 for none), optional (logical)
 *   n = __tfm_arch__ ("count", arch, cfg, with_optional)
 *       the number of parameters, at a cost independent of the layer count
 *   __tfm_arch__ ("check", arch, cfg)
 *       the core's checks of a complete config struct (sizes, heads divide
 *       the hidden size, the descriptor's own check, e.g. RoBERTa's
 *       pad_token_id): cka:config:badValue
 *   n = __tfm_arch__ ("max_seq", model)
 *       the longest sequence the model takes
 * An unknown architecture is cka:config:unknownArch (the message lists the
 * table); errors name the public function the user called. */
#include "mex_model.h"

#include <math.h>
#include <stdlib.h>

static mxArray *cellstr_of(const char *const *list)
{
    int n = 0;
    while (list != NULL && list[n] != NULL)
        n++;
    mxArray *c = mxCreateCellMatrix((mwSize)n, 1);
    for (int k = 0; k < n; k++)
        mxSetCell(c, (mwIndex)k, mxCreateString(list[k]));
    return c;
}

static const tfm_arch_desc *arch_arg(const mxArray *a)
{
    if (a == NULL || !mxIsChar(a))
        mexutil_error("cka:config:unknownArch", "the architecture must be a string");
    char *name = mxArrayToString(a);
    cka_error err;
    cka_error_clear(&err);
    const tfm_arch_desc *d = tfm_arch_find(name ? name : "", &err);
    mxFree(name);
    if (d == NULL)
        mexutil_raise(&err);
    return d;
}

static const char *kind_name(tfm_field_kind k)
{
    static const char *const names[] = {"pos_int", "pos_int_null", "nonneg_int_null", "real",
                                        "nonneg_real", "bool", "string", "act", "object", "any",
                                        "rope_scaling"};
    return (int)k >= 0 && (size_t)k < sizeof names / sizeof names[0] ? names[k] : "any";
}

static const char *check_name(tfm_field_check c)
{
    static const char *const names[] = {"", "false", "empty", "one_of"};
    return (int)c >= 0 && (size_t)c < sizeof names / sizeof names[0] ? names[c] : "";
}

/* The default of field f as an Octave value. */
static mxArray *default_value(const tfm_field *f)
{
    if (strcmp(f->def, "null") == 0)
        return mxCreateDoubleMatrix(0, 0, mxREAL);
    switch (f->kind) {
    case TFM_FIELD_STRING:
    case TFM_FIELD_ACT:
        return mxCreateString(f->def);
    case TFM_FIELD_BOOL:
        return mxCreateLogicalScalar(strcmp(f->def, "true") == 0);
    case TFM_FIELD_OBJECT:
        return mxCreateStructMatrix(1, 1, 0, NULL);
    case TFM_FIELD_POS_INT:
    case TFM_FIELD_POS_INT_NULL:
    case TFM_FIELD_NONNEG_INT_NULL:
    case TFM_FIELD_REAL:
    case TFM_FIELD_NONNEG_REAL:
    case TFM_FIELD_ANY:
    case TFM_FIELD_ROPE_SCALING:
        break;
    }
    return mxCreateDoubleScalar(strtod(f->def, NULL));
}

static const char *member_field(const tfm_arch_desc *d, tfm_member m)
{
    for (int k = 0; k < d->n_fields; k++)
        if (d->fields[k].member == m)
            return d->fields[k].name;
    return "";
}

static mxArray *describe(const tfm_arch_desc *d)
{
    static const char *const top[] = {
        "name", "display", "hf_class", "model_types", "class_prefixes", "key_prefixes",
        "buffers", "optional_prefix", "token_types", "layers_field", "hidden_field",
        "heads_field", "activations", "fields"};
    mxArray *s = mxCreateStructMatrix(1, 1, sizeof top / sizeof top[0], (const char **)top);
    static const char *const tt[] = {"none", "table", "words"};
    mxSetField(s, 0, "name", mxCreateString(d->name));
    mxSetField(s, 0, "display", mxCreateString(d->display));
    mxSetField(s, 0, "hf_class", mxCreateString(d->hf_class));
    mxSetField(s, 0, "model_types", cellstr_of(d->model_types));
    mxSetField(s, 0, "class_prefixes", cellstr_of(d->class_prefixes));
    mxSetField(s, 0, "key_prefixes", cellstr_of(d->key_prefixes));
    mxSetField(s, 0, "buffers", cellstr_of(d->buffers));
    mxSetField(s, 0, "optional_prefix",
               mxCreateString(d->optional_prefix ? d->optional_prefix : ""));
    mxSetField(s, 0, "token_types", mxCreateString(tt[d->token_types]));
    mxSetField(s, 0, "layers_field", mxCreateString(member_field(d, TFM_MEMBER_LAYERS)));
    mxSetField(s, 0, "hidden_field", mxCreateString(member_field(d, TFM_MEMBER_HIDDEN)));
    mxSetField(s, 0, "heads_field", mxCreateString(member_field(d, TFM_MEMBER_HEADS)));
    int na = 0;
    while (tfm_act_name_at(na) != NULL)
        na++;
    mxArray *acts = mxCreateCellMatrix((mwSize)na, 1);
    for (int k = 0; k < na; k++)
        mxSetCell(acts, (mwIndex)k, mxCreateString(tfm_act_name_at(k)));
    mxSetField(s, 0, "activations", acts);

    static const char *const ff[] = {"name", "kind", "default", "aliases", "check", "allowed",
                                     "why"};
    mxArray *f = mxCreateStructMatrix((mwSize)d->n_fields, 1, sizeof ff / sizeof ff[0],
                                      (const char **)ff);
    for (int k = 0; k < d->n_fields; k++) {
        const tfm_field *x = &d->fields[k];
        mxSetField(f, (mwIndex)k, "name", mxCreateString(x->name));
        mxSetField(f, (mwIndex)k, "kind", mxCreateString(kind_name(x->kind)));
        mxSetField(f, (mwIndex)k, "default", default_value(x));
        mxSetField(f, (mwIndex)k, "aliases", cellstr_of(x->aliases));
        mxSetField(f, (mwIndex)k, "check", mxCreateString(check_name(x->check)));
        mxSetField(f, (mwIndex)k, "allowed", cellstr_of(x->allowed));
        mxSetField(f, (mwIndex)k, "why", mxCreateString(x->why ? x->why : ""));
    }
    mxSetField(s, 0, "fields", f);
    return s;
}

/* The shape-relevant members of a complete config struct (checked by
 * tfm_config): numbers as they are, absent fields at their default, empty
 * nullable fields null.
 * No size limit here (the count of a too-large model must be computable). */
static void config_from(const tfm_arch_desc *d, const mxArray *c, tfm_config *cfg,
                        int with_optional)
{
    if (c == NULL || !mxIsStruct(c) || mxGetNumberOfElements(c) != 1)
        mexutil_error("cka:config:badValue", "the config must be a struct");
    tfm_config_defaults(cfg, d);
    for (int k = 0; k < d->n_fields; k++) {
        const tfm_field *f = &d->fields[k];
        if (f->member == TFM_MEMBER_NONE || f->member == TFM_MEMBER_ACT)
            continue;
        const mxArray *x = mxGetField(c, 0, f->name);
        if (f->kind == TFM_FIELD_ROPE_SCALING) {
            cka_error err;
            cka_error_clear(&err);
            if (mexmodel_rope_scaling(x, &cfg->rope_scaling, &err))
                mexutil_raise(&err);
            continue;
        }
        double v = tfm_field_default_number(f);
        if (x != NULL && mxIsEmpty(x) && (f->kind == TFM_FIELD_POS_INT_NULL
                                          || f->kind == TFM_FIELD_NONNEG_INT_NULL))
            v = NAN;                                     /* null */
        else if (x != NULL && !mxIsEmpty(x)) {
            if (!(mxIsNumeric(x) || mxIsLogical(x)) || mxIsComplex(x)
                || mxGetNumberOfElements(x) != 1)
                mexutil_error("cka:config:badValue", "config field %s must be a real scalar",
                              f->name);
            v = mxGetScalar(x);
        }
        if (v == v && !(fabs(v) <= 9.0e15))
            mexutil_error("cka:config:badValue", "config field %s is not finite", f->name);
        tfm_config_set_number(cfg, f->member, v);
    }
    if (d->resolve != NULL)
        d->resolve(cfg);
    cfg->has_pooler = with_optional;
}

/* Parameter list of cfg with `layers` layers (mxCalloc'ed; *n entries). */
static tfm_param *param_list(tfm_config cfg, int64_t layers, int *n)
{
    cfg.n_layers = layers;
    tfm_layer *l = mxCalloc((size_t)(layers > 0 ? layers : 1), sizeof *l);
    tfm_model m;
    tfm_model_init(&m, &cfg, l);
    *n = tfm_param_count(&cfg);
    tfm_param *p = mxCalloc((size_t)(*n > 0 ? *n : 1), sizeof *p);
    tfm_param_list(&m, p);
    return p;
}

static double param_numel(const tfm_param *p, int n)
{
    double total = 0.0;
    for (int k = 0; k < n; k++)
        total += (double)p[k].shape[0] * (double)p[k].shape[1];
    return total;
}

static void params(int nlhs, mxArray *plhs[], const tfm_arch_desc *d, const tfm_config *cfg)
{
    if (cfg->n_layers < 0 || cfg->n_layers > 65536)
        mexutil_error("cka:config:badValue", "%lld layers: too many to list",
                      (long long)cfg->n_layers);
    int n;
    tfm_param *p = param_list(*cfg, cfg->n_layers, &n);
    (void)d;
    plhs[0] = mxCreateCellMatrix((mwSize)n, 1);
    for (int k = 0; k < n; k++)
        mxSetCell(plhs[0], (mwIndex)k, mxCreateString(p[k].name));
    if (nlhs >= 2) {
        plhs[1] = mxCreateCellMatrix((mwSize)n, 1);
        for (int k = 0; k < n; k++) {
            mxArray *s = mxCreateDoubleMatrix(1, (mwSize)p[k].ndim, mxREAL);
            double *v = mxGetPr(s);
            for (int j = 0; j < p[k].ndim; j++)
                v[j] = (double)p[k].shape[j];
            mxSetCell(plhs[1], (mwIndex)k, s);
        }
    }
    if (nlhs >= 3) {
        static const char *const fi[] = {"kind", "std_div", "zero_row", "optional"};
        static const char *const kinds[] = {"normal", "zeros", "ones", "sinusoidal"};
        mxArray *s = mxCreateStructMatrix(1, 1, 4, (const char **)fi);
        mxArray *kind = mxCreateCellMatrix((mwSize)n, 1);
        mxArray *div = mxCreateDoubleMatrix((mwSize)n, 1, mxREAL);
        mxArray *row = mxCreateDoubleMatrix((mwSize)n, 1, mxREAL);
        mxArray *opt = mxCreateLogicalMatrix((mwSize)n, 1);
        for (int k = 0; k < n; k++) {
            mxSetCell(kind, (mwIndex)k, mxCreateString(kinds[p[k].init]));
            mxGetPr(div)[k] = p[k].std_div;
            mxGetPr(row)[k] = (double)(p[k].zero_row + 1);
            mxGetLogicals(opt)[k] = (mxLogical)p[k].optional;
        }
        mxSetField(s, 0, "kind", kind);
        mxSetField(s, 0, "std_div", div);
        mxSetField(s, 0, "zero_row", row);
        mxSetField(s, 0, "optional", opt);
        plhs[2] = s;
    }
    mxFree(p);
}

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    if (nrhs < 1 || !mxIsChar(prhs[0]))
        mexutil_error("cka:input:nargs", "expected an operation name");
    char op[32];
    if (mxGetString(prhs[0], op, sizeof op) != 0)
        mexutil_error("cka:input:badOption", "unknown operation");
    if (strcmp(op, "list") == 0) {
        const int n = tfm_arch_count();
        plhs[0] = mxCreateCellMatrix((mwSize)n, 1);
        for (int k = 0; k < n; k++)
            mxSetCell(plhs[0], (mwIndex)k, mxCreateString(tfm_arch_table[k]->name));
    } else if (strcmp(op, "describe") == 0 && nrhs == 2) {
        plhs[0] = describe(arch_arg(prhs[1]));
    } else if (strcmp(op, "model_type") == 0 && nrhs == 2) {
        char *mt = mxIsChar(prhs[1]) ? mxArrayToString(prhs[1]) : NULL;
        const tfm_arch_desc *d = mt ? tfm_arch_find_model_type(mt, NULL) : NULL;
        mxFree(mt);
        plhs[0] = mxCreateString(d ? d->name : "");
    } else if ((strcmp(op, "params") == 0 || strcmp(op, "count") == 0) && nrhs == 4) {
        const tfm_arch_desc *d = arch_arg(prhs[1]);
        tfm_config cfg;
        config_from(d, prhs[2], &cfg, mexutil_get_bool(prhs[3], "WITH_OPTIONAL"));
        if (op[0] == 'p') {
            params(nlhs, plhs, d, &cfg);
        } else {
            /* parameters are affine in the layer count: n(L) = n(1) + (L-1)(n(2)-n(1)) */
            int n1, n2;
            tfm_param *p1 = param_list(cfg, 1, &n1), *p2 = param_list(cfg, 2, &n2);
            const double c1 = param_numel(p1, n1), c2 = param_numel(p2, n2);
            plhs[0] = mxCreateDoubleScalar(c1 + ((double)cfg.n_layers - 1.0) * (c2 - c1));
            mxFree(p1);
            mxFree(p2);
        }
    } else if (strcmp(op, "check") == 0 && nrhs == 3) {
        const tfm_arch_desc *d = arch_arg(prhs[1]);
        tfm_config cfg;
        config_from(d, prhs[2], &cfg, 1);
        cka_error err;
        cka_error_clear(&err);
        if (tfm_config_check(&cfg, &err))
            mexutil_raise(&err);
    } else if (strcmp(op, "max_seq") == 0 && nrhs == 2) {
        cka_error err;
        cka_error_clear(&err);
        tfm_config cfg;
        if (mexmodel_config(prhs[1], &cfg, &err))
            mexutil_raise(&err);
        plhs[0] = mxCreateDoubleScalar((double)cfg.arch->max_seq(&cfg));
    } else {
        mexutil_error("cka:input:badOption", "unknown operation \"%s\" or wrong arguments", op);
    }
}
