/* [hxy, hxx, hyy, n, hperm] = __cka_update__(feats1, feats2, opts, names1, names2, perm, batch)
 *
 * Internal gateway of cka_update.m and cka.m: one mini-batch of CKA.
 * feats1, feats2: cells of real single/double arrays whose first dimension
 * is the batch (n samples; the other dimensions are the features, in any
 * order: a Gram matrix does not depend on the order of features).  feats2
 * may be [] for "the same features as feats1" (one Gram matrix per layer).
 * opts: struct from cka_opts_internal.m.  names1/names2: cellstr used in
 * error messages (may be {}).
 * perm: [] or the permutation test's struct {permutations, seed}; batch:
 * the batch's number (1, 2, ...), the stream of its permutations.
 * Returns the per-batch HSIC values: hxy (L1 x L2), hxx (L1 x 1), hyy (L2 x 1),
 * the batch size n and hperm (L1 x L2 x P), the HSIC of every pair with the
 * samples of side 2 permuted (cka_perm.h). */
#include "cka_mex_opts.h"
#include "cka/cka_accum.h"

#include <stdio.h>

static void layer_label(char *buf, size_t len, const mxArray *names, size_t k, int side)
{
    char name[200];
    if (names && mxIsCell(names) && k < mxGetNumberOfElements(names)) {
        const mxArray *c = mxGetCell(names, k);
        if (c && mxIsChar(c) && mxGetString(c, name, sizeof name) == 0) {
            snprintf(buf, len, "layer '%s' (side %d)", name, side);
            return;
        }
    }
    snprintf(buf, len, "feature %zu of side %d", k + 1, side);
}

static size_t batch_size(const mxArray *cell, size_t k, int side, const mxArray *names)
{
    const mxArray *a = mxGetCell(cell, k);
    char label[256];
    layer_label(label, sizeof label, names, k, side);
    if (a == NULL || !(mxIsSingle(a) || mxIsDouble(a)) || mxIsComplex(a) || mxIsSparse(a))
        mexErrMsgIdAndTxt("cka:input:type", "%s must be a real single or double array", label);
    return mxGetNumberOfDimensions(a) > 0 ? mxGetDimensions(a)[0] : 0;
}

static void fill_set(cka_gram_set *s, const mxArray *cell, const mxArray *names, int side,
                     const cka_options *o)
{
    cka_error err;
    cka_error_clear(&err);
    size_t n = s->n;
    for (size_t k = 0; k < s->m; k++) {
        const mxArray *a = mxGetCell(cell, k);
        cka_features f = cka_mex_features(a, n);
        char label[256];
        layer_label(label, sizeof label, names, k, side);
        if (cka_gram(&f, o, s->gram + k * n * n, label, &err) != 0)
            mexutil_raise(&err);
        cka_gram_prepare(s, k, o->unbiased);
    }
}

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    if (nrhs < 3 || nrhs > 7)
        mexErrMsgIdAndTxt("cka:input:nargs", "__cka_update__: expected 3 to 7 arguments");
    const mxArray *c1 = prhs[0], *c2 = prhs[1];
    int same = mxIsEmpty(c2) && !mxIsCell(c2);
    if (!mxIsCell(c1) || (!same && !mxIsCell(c2)))
        mexErrMsgIdAndTxt("cka:input:type", "features must be given as cell arrays");
    cka_options o = cka_mex_options(prhs[2]);
    const mxArray *names1 = nrhs > 3 ? prhs[3] : NULL, *names2 = nrhs > 4 ? prhs[4] : NULL;
    const cka_mex_perm perm = cka_mex_perm_options(nrhs > 5 ? prhs[5] : NULL);
    const uint64_t batch = nrhs > 6 ? (uint64_t)mexutil_get_scalar(prhs[6], "batch") : 1;
    size_t L1 = mxGetNumberOfElements(c1), L2 = same ? L1 : mxGetNumberOfElements(c2);
    if (L1 == 0 || L2 == 0)
        mexErrMsgIdAndTxt("cka:input:noLayers", "no layers: the feature cells are empty");
    size_t n = batch_size(c1, 0, 1, names1);
    for (int side = 1; side <= (same ? 1 : 2); side++) {
        const mxArray *c = side == 1 ? c1 : c2;
        const mxArray *nm = side == 1 ? names1 : names2;
        for (size_t k = 0; k < (side == 1 ? L1 : L2); k++) {
            size_t nk = batch_size(c, k, side, nm);
            if (nk != n) {
                char label[256];
                layer_label(label, sizeof label, nm, k, side);
                mexErrMsgIdAndTxt("cka:input:sampleMismatch",
                                  "%s has %zu samples but the first layer of side 1 has %zu: "
                                  "every layer of a batch must have the same number of samples",
                                  label, nk, n);
            }
        }
    }
    if (n < cka_min_samples(&o))
        mexErrMsgIdAndTxt("cka:input:tooFewSamples",
                          "the %s HSIC estimator needs n > %zu samples per batch, got n = %zu",
                          o.unbiased ? "unbiased" : "biased", cka_min_samples(&o) - 1, n);
    cka_gram_set A, B;
    cka_mex_alloc_set(&A, n, L1);
    fill_set(&A, c1, names1, 1, &o);
    if (same) {
        B = A;
    } else {
        cka_mex_alloc_set(&B, n, L2);
        fill_set(&B, c2, names2, 2, &o);
    }
    mxArray *out[5];
    out[0] = mxCreateDoubleMatrix(L1, L2, mxREAL);
    out[1] = mxCreateDoubleMatrix(L1, 1, mxREAL);
    out[2] = mxCreateDoubleMatrix(L2, 1, mxREAL);
    out[3] = mxCreateDoubleScalar((double)n);
    cka_hsic_pairs(&A, &B, &o, mxGetPr(out[0]));
    cka_hsic_self(&A, &o, mxGetPr(out[1]));
    if (same)
        memcpy(mxGetPr(out[2]), mxGetPr(out[1]), L1 * sizeof(double));
    else
        cka_hsic_self(&B, &o, mxGetPr(out[2]));
    out[4] = cka_mex_permuted(&A, &B, &o, &perm, batch);
    /* plhs has room for max(nlhs, 1) outputs only. */
    for (int k = 0; k < 5; k++) {
        if (k < (nlhs > 1 ? nlhs : 1))
            plhs[k] = out[k];
        else
            mxDestroyArray(out[k]);
    }
    mxFree(A.gram);
    mxFree(A.rowsum);
    mxFree(A.total);
    if (!same) {
        mxFree(B.gram);
        mxFree(B.rowsum);
        mxFree(B.total);
    }
}
