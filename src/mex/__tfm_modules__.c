/* [names, hookable, blocks] = __tfm_modules__(model)
 * Internal gateway of tfm_modules.m: the named_modules() list of the bare
 * Hugging Face model (column cellstr, registration order, "" first),
 * whether each entry can be hooked (false for ModuleList containers), and
 * the block names (encoder.layer.i, h.i, transformer.layer.i).
 * s = __tfm_modules__(model, name): the closest hookable names to `name`,
 * quoted and comma-separated, as tfm_forward suggests them (cka_compare's
 * messages).
 * idx = __tfm_modules__(model, names): for a cellstr of names, the 1-based
 * index of each in the names list (0: no such module), resolved as the
 * forward resolves hooks (head-model prefixes too): cka_compare's layers. */
#include "mex_model.h"

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    if (nrhs == 2) {
        cka_error err;
        cka_error_clear(&err);
        tfm_config cfg;
        if (mexmodel_config(prhs[0], &cfg, &err))
            mexutil_raise(&err);
        if (mxIsCell(prhs[1])) {
            const size_t m = mxGetNumberOfElements(prhs[1]);
            plhs[0] = mxCreateDoubleMatrix((mwSize)m, 1, mxREAL);
            double *idx = mxGetPr(plhs[0]);
            for (size_t i = 0; i < m; i++) {
                const mxArray *c = mxGetCell(prhs[1], (mwIndex)i);
                if (c == NULL || !mxIsChar(c))
                    mexErrMsgIdAndTxt("cka:input:badOption",
                                      "__tfm_modules__: NAMES must be a cellstr");
                char *name = mxArrayToString(c);
                idx[i] = name != NULL ? tfm_module_index(&cfg, name) + 1 : 0;
                mxFree(name);
            }
            return;
        }
        if (!mxIsChar(prhs[1]))
            mexErrMsgIdAndTxt("cka:input:badOption", "__tfm_modules__: NAME must be a string");
        char *name = mxArrayToString(prhs[1]);
        char sug[600];
        tfm_module_suggest(&cfg, name ? name : "", sug, sizeof sug);
        mxFree(name);
        plhs[0] = mxCreateString(sug);
        return;
    }
    if (nrhs != 1)
        mexErrMsgIdAndTxt("cka:input:nargs", "__tfm_modules__: expected 1 argument, got %d", nrhs);
    /* plhs has room for max(nlhs, 1) outputs only: fill just those. */
    if (nlhs > 3)
        mexErrMsgIdAndTxt("cka:input:nargs", "__tfm_modules__: at most 3 outputs, %d requested", nlhs);
    cka_error err;
    cka_error_clear(&err);
    tfm_config cfg;
    if (mexmodel_config(prhs[0], &cfg, &err))
        mexutil_raise(&err);
    const int n = tfm_module_count(&cfg);
    char buf[160];
    plhs[0] = mxCreateCellMatrix((mwSize)n, 1);
    for (int k = 0; k < n; k++) {
        tfm_module_name(&cfg, k, buf, sizeof buf);
        mxSetCell(plhs[0], (mwIndex)k, mxCreateString(buf));
    }
    if (nlhs >= 2) {
        plhs[1] = mxCreateLogicalMatrix((mwSize)n, 1);
        mxLogical *hookable = mxGetLogicals(plhs[1]);
        for (int k = 0; k < n; k++)
            hookable[k] = !tfm_module_is_container(&cfg, k);
    }
    if (nlhs < 3)
        return;
    plhs[2] = mxCreateCellMatrix((mwSize)cfg.n_layers, 1);
    for (int l = 0; l < (int)cfg.n_layers; l++) {
        tfm_module_name(&cfg, tfm_module_block(&cfg, l), buf, sizeof buf);
        mxSetCell(plhs[2], (mwIndex)l, mxCreateString(buf));
    }
}
