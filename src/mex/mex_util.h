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
