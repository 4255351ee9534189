/* Small helpers shared by the MEX gateways.  Gateways are thin: the public
 * .m wrapper validates user input; these checks are the defensive second
 * line that keeps a bad call from reaching the C core. */
#ifndef CKA_MEX_UTIL_H
#define CKA_MEX_UTIL_H

#include "mex.h"
#include "common/cka_error.h"
#include "common/mem_check.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The public function the user called, for error messages: the innermost
 * function on Octave's call stack that is not internal (a __name__
 * gateway, an anonymous function or a private/ helper; a subfunction
 * counts as its file's main function).  Without one (a gateway called
 * directly), the gateway's name without its underscores. */
static inline void mexutil_public_name(char *buf, size_t len)
{
    const char *self = mexFunctionName();
    size_t n = strlen(self);
    if (n > 4 && strncmp(self, "__", 2) == 0 && strcmp(self + n - 2, "__") == 0)
        snprintf(buf, len, "%.*s", (int)(n - 4), self + 2);
    else
        snprintf(buf, len, "%s", self);
    mxArray *st = NULL;
    mxArray *failed = mexCallMATLABWithTrap(1, &st, 0, NULL, "dbstack");
    if (failed != NULL || st == NULL || !mxIsStruct(st))
        return;
    for (size_t k = 0; k < mxGetNumberOfElements(st); k++) {
        const mxArray *name = mxGetField(st, k, "name"), *file = mxGetField(st, k, "file");
        char fn[256], fl[4096];
        if (name == NULL || !mxIsChar(name) || mxGetString(name, fn, sizeof fn) != 0)
            continue;
        if (file == NULL || !mxIsChar(file) || mxGetString(file, fl, sizeof fl) != 0)
            fl[0] = '\0';
        if (strncmp(fn, "__", 2) == 0 || fn[0] == '@' || strstr(fl, "/private/") != NULL)
            continue; /* gateways, anonymous functions, private helpers */
        char *sub = strchr(fn, '>');
        if (sub != NULL)
            *sub = '\0';
        /* Octave 7 names a subfunction without its file ("read_config",
         * not "tfm_load>read_config"): the file's name is the function */
        const char *base = strrchr(fl, '/');
        base = base != NULL ? base + 1 : fl;
        size_t bn = strlen(base);
        if (bn > 2 && strcmp(base + bn - 2, ".m") == 0)
            snprintf(buf, len, "%.*s", (int)(bn - 2), base);
        else
            snprintf(buf, len, "%s", fn);
        break;
    }
    mxDestroyArray(st);
}

/* Raises an Octave error with identifier id, its message prefixed with the
 * public function's name.  mexErrMsgIdAndTxt itself would prefix the name
 * of the MEX file ("__tfm_forward__: ..."), which users never call, so the
 * error goes through Octave's error() with a message struct instead (used
 * verbatim: no format processing).  Every gateway error comes here, through
 * the macro below. */
__attribute__((noreturn, format(printf, 2, 3)))
static inline void mexutil_error(const char *id, const char *fmt, ...)
{
    char msg[4096], who[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mexutil_public_name(who, sizeof who);
    size_t wn = strlen(who);
    /* messages of internal checks already name their gateway */
    const int named = strncmp(msg, "__", 2) == 0 ||
                      (strncmp(msg, who, wn) == 0 && msg[wn] == ':');
    char full[4096 + 300];
    if (named)
        snprintf(full, sizeof full, "%s", msg);
    else
        snprintf(full, sizeof full, "%s: %s", who, msg);
    const char *fields[2] = {"message", "identifier"};
    mxArray *err = mxCreateStructMatrix(1, 1, 2, fields);
    mxSetField(err, 0, "message", mxCreateString(full[0] ? full : "error"));
    mxSetField(err, 0, "identifier", mxCreateString(id != NULL ? id : ""));
    mexCallMATLAB(0, NULL, 1, &err, "error");
    /* not reached: error() always raises */
    mexErrMsgIdAndTxt(id, "%s", full);
    __builtin_unreachable();
}
#define mexErrMsgIdAndTxt mexutil_error

/* Raise a core error as an Octave error with its identifier. */
__attribute__((noreturn))
static inline void mexutil_raise(const cka_error *err)
{
    mexErrMsgIdAndTxt(err->id[0] ? err->id : "cka:internal:error", "%s",
                      err->msg[0] ? err->msg : "unknown error");
}

/* mxMalloc of count elements of size bytes whose size comes from the user
 * (batch size, samples, layers): refused with cka:memory:tooLarge, naming
 * `what`, when it overflows or exceeds the machine's memory.  Octave's
 * mxMalloc reports its own failure without an error identifier. */
static inline void *mexutil_malloc_big(size_t count, size_t size, const char *what)
{
    cka_error err;
    cka_error_clear(&err);
    if (cka_mem_check(count, size, what, &err) != 0)
        mexutil_raise(&err);
    return mxMalloc(count * size > 0 ? count * size : 1);
}

/* A new array of nd dims and class cls ("single", "uint16"), owned by
 * Octave, created by zeros(): the
 * C MEX API of Octave 7 copies an mxCreate*Array result element by element
 * when it is returned (a second pass over freshly faulted memory, which
 * doubled the time of loading checkpoints and of returning activations),
 * while the data of an Octave value from mexCallMATLAB is returned as it
 * is.  The array is new and unshared, so writing into it is safe.  NULL
 * when zeros fails: the call is trapped, so no error unwinds through the
 * caller (running threads, a forward pass in progress). */
static inline mxArray *mexutil_new_zeros(mwSize nd, const mwSize *dims, const char *cls)
{
    mxArray *in[2], *out[1] = {NULL};
    in[0] = mxCreateDoubleMatrix(1, nd, mxREAL);
    double *d = mxGetPr(in[0]);
    for (mwSize k = 0; k < nd; k++)
        d[k] = (double)dims[k];
    in[1] = mxCreateString(cls);
    mxArray *failed = mexCallMATLABWithTrap(1, out, 2, in, "zeros");
    mxDestroyArray(in[0]);
    mxDestroyArray(in[1]);
    if (failed != NULL || out[0] == NULL || strcmp(mxGetClassName(out[0]), cls) != 0 ||
        (mxGetNumberOfElements(out[0]) > 0 && mxGetData(out[0]) == NULL))
        return NULL;
    return out[0];
}

static inline mxArray *mexutil_new_single(mwSize nd, const mwSize *dims)
{
    return mexutil_new_zeros(nd, dims, "single");
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
