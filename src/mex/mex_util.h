/* Small helpers shared by the MEX gateways.  Gateways are thin: the public
 * .m wrapper validates user input; these checks are the defensive second
 * line that keeps a bad call from reaching the C core. */
#ifndef CKA_MEX_UTIL_H
#define CKA_MEX_UTIL_H

#include "mex.h"
#include "cka_error.h"

#include <stdbool.h>
#include <string.h>

/* Raise a core error as an Octave error with its identifier. */
static inline void mexutil_raise(const cka_error *err)
{
    mexErrMsgIdAndTxt(err->id[0] ? err->id : "cka:internal:error", "%s",
                      err->msg[0] ? err->msg : "unknown error");
}

/* A new single array of nd dims, owned by Octave, created by zeros(): the
 * C MEX API of Octave 7 copies an mxCreate*Array result element by element
 * when it is returned (a second pass over freshly faulted memory, which
 * doubled the time of loading checkpoints and of returning activations),
 * while the data of an Octave value from mexCallMATLAB is returned as it
 * is.  The array is new and unshared, so writing into it is safe.  NULL
 * when zeros fails: the call is trapped, so no error unwinds through the
 * caller (running threads, a forward pass in progress). */
static inline mxArray *mexutil_new_single(mwSize nd, const mwSize *dims)
{
    mxArray *in[2], *out[1] = {NULL};
    in[0] = mxCreateDoubleMatrix(1, nd, mxREAL);
    double *d = mxGetPr(in[0]);
    for (mwSize k = 0; k < nd; k++)
        d[k] = (double)dims[k];
    in[1] = mxCreateString("single");
    mxArray *failed = mexCallMATLABWithTrap(1, out, 2, in, "zeros");
    mxDestroyArray(in[0]);
    mxDestroyArray(in[1]);
    if (failed != NULL || out[0] == NULL || !mxIsSingle(out[0]) ||
        (mxGetNumberOfElements(out[0]) > 0 && mxGetData(out[0]) == NULL))
        return NULL;
    return out[0];
}

/* A real, non-sparse double array, else an error naming the argument. */
static inline const double *mexutil_get_doubles(const mxArray *a, const char *what)
{
    if (!mxIsDouble(a) || mxIsComplex(a) || mxIsSparse(a))
        mexErrMsgIdAndTxt("cka:input:type", "%s must be a real full double array", what);
    return (const double *)mxGetData(a);
}

/* A real scalar of any numeric or logical class, as a double. */
static inline double mexutil_get_scalar(const mxArray *a, const char *what)
{
    if (!(mxIsNumeric(a) || mxIsLogical(a)) || mxIsComplex(a) || mxGetNumberOfElements(a) != 1)
        mexErrMsgIdAndTxt("cka:input:type", "%s must be a real scalar", what);
    return mxGetScalar(a);
}

static inline bool mexutil_get_bool(const mxArray *a, const char *what)
{
    return mexutil_get_scalar(a, what) != 0.0;
}

#endif
