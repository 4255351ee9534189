/* Helpers shared by the __safetensors_*__ gateways. */
#ifndef CKA_SAFETENSORS_MEX_H
#define CKA_SAFETENSORS_MEX_H

#include "mex.h"

/* The bytes of a char array as a NUL-terminated string in mxMalloc'd
 * memory.  Unlike mxArrayToString (plain malloc in Octave 7, leaked when a
 * gateway raises an error before mxFree), this is released automatically
 * on an error. */
static inline char *stmex_string(const mxArray *a)
{
    size_t n = mxGetNumberOfElements(a) + 1;
    char *s = mxMalloc(n);
    if (mxGetString(a, s, n) != 0)
        s[n - 1] = '\0';
    return s;
}

#endif
