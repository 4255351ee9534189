/* h = __cka_hash__(x)
 * Internal gateway of cka_compare.m (checkpoint fingerprints): the 64-bit
 * hash (src/core/common/cka_hash.h) of the value x, as 16 lowercase hex digits;
 * several values are hashed as one cell {x1, x2, ...}.  Each value
 * contributes its class, its number of rows and of elements, and its data:
 * the raw bytes of a full numeric, logical or char array; the elements of a
 * cell array in order; the fields of a struct in sorted name order (so two
 * structs with the same fields and values hash the same whatever the order
 * they were created in).  Chaining: pass the previous hex value as the
 * first element of the cell.  Sparse and complex arrays, function handles
 * and objects are errors (cka:input:type), as is nesting deeper than 64
 * levels. */
#include "mex_util.h"
#include "common/cka_hash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void feed_u64(cka_hash *h, uint64_t v)
{
    unsigned char b[8];
    for (int k = 0; k < 8; k++)
        b[k] = (unsigned char)(v >> (8 * k));
    cka_hash_update(h, b, 8);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void feed(cka_hash *h, const mxArray *a, int depth, int arg)
{
    if (depth > 64)
        mexErrMsgIdAndTxt("cka:input:type", "argument %d is nested too deeply to fingerprint",
                          arg);
    /* The shape as rows and element count: in Octave 7, mxGetDimensions,
     * mxGetNumberOfDimensions and mxGetN on a cell element or struct field
     * of an argument (an mxArray wrapping an Octave value) allocate a
     * dimension vector that is never freed (16 bytes per call, seen with
     * valgrind); mxGetM and mxGetNumberOfElements do not. */
    const mwSize n = mxGetNumberOfElements(a);
    feed_u64(h, (uint64_t)mxGetClassID(a));
    feed_u64(h, (uint64_t)mxGetM(a));
    feed_u64(h, (uint64_t)n);
    if (mxIsCell(a)) {
        for (mwIndex k = 0; k < n; k++) {
            const mxArray *c = mxGetCell(a, k);
            if (c == NULL)
                feed_u64(h, 0);     /* an unset cell is [] */
            else
                feed(h, c, depth + 1, arg);
        }
        return;
    }
    if (mxIsStruct(a)) {
        const int nf = mxGetNumberOfFields(a);
        const char **names = mxMalloc((size_t)(nf > 0 ? nf : 1) * sizeof *names);
        for (int f = 0; f < nf; f++)
            names[f] = mxGetFieldNameByNumber(a, f);
        qsort(names, (size_t)nf, sizeof *names, cmp_names);
        feed_u64(h, (uint64_t)nf);
        for (int f = 0; f < nf; f++) {
            feed_u64(h, (uint64_t)strlen(names[f]));
            cka_hash_update(h, names[f], strlen(names[f]));
        }
        for (mwIndex k = 0; k < n; k++)
            for (int f = 0; f < nf; f++) {
                const mxArray *v = mxGetField(a, k, names[f]);
                if (v == NULL)
                    feed_u64(h, 0);
                else
                    feed(h, v, depth + 1, arg);
            }
        mxFree(names);
        return;
    }
    if (!(mxIsNumeric(a) || mxIsLogical(a) || mxIsChar(a)) || mxIsSparse(a) || mxIsComplex(a))
        mexErrMsgIdAndTxt("cka:input:type",
                          "argument %d holds a %s%s value, which cannot be fingerprinted", arg,
                          mxIsSparse(a) ? "sparse " : (mxIsComplex(a) ? "complex " : ""),
                          mxGetClassName(a));
    if (n > 0)
        cka_hash_update(h, mxGetData(a), (size_t)n * mxGetElementSize(a));
}

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    if (nrhs != 1)
        mexErrMsgIdAndTxt("cka:input:nargs", "__cka_hash__: expected 1 argument, got %d", nrhs);
    cka_hash h;
    cka_hash_init(&h);
    feed(&h, prhs[0], 0, 1);
    char hex[17];
    cka_hash_hex(cka_hash_final(&h), hex);
    plhs[0] = mxCreateString(hex);
}
