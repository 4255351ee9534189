/* __tfm_tokens__(model, ids, mask, token_types, what)
 * Internal gateway of cka_compare.m: the token inputs of a data stream
 * checked against a model before the first forward pass, by the same
 * reader (mexmodel_read_tokens) and the same batch check (tfm_batch_check)
 * that every forward runs, so a bad id in the last rows fails at once, not
 * after every earlier batch.  `what` names the data in messages.  Nothing
 * is computed; only the model's config is read. */
#include "mex_model.h"

#include <stdio.h>

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    (void)plhs;
    if (nrhs != 5 || !mxIsChar(prhs[4]))
        mexErrMsgIdAndTxt("cka:input:nargs",
                          "__tfm_tokens__: expected (model, ids, mask, token_types, what)");
    cka_error err;
    cka_error_clear(&err);
    tfm_config cfg;
    if (mexmodel_config(prhs[0], &cfg, &err))
        mexutil_raise(&err);
    char what[128], wi[160], wm[160], wt[160];
    if (mxGetString(prhs[4], what, sizeof what) != 0)
        what[sizeof what - 1] = '\0';
    snprintf(wi, sizeof wi, "%s: input_ids", what);
    snprintf(wm, sizeof wm, "%s: attention_mask", what);
    snprintf(wt, sizeof wt, "%s: token_type_ids", what);
    tfm_batch bt;
    mexmodel_read_tokens(prhs[1], prhs[2], prhs[3], &cfg, wi, wm, wt, &bt);
    if (tfm_batch_check(&cfg, &bt, &err))
        mexutil_raise(&err);
}
