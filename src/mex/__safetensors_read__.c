/* T = __safetensors_read__(file, file_size, header_len, names, dtypes, shapes, offsets, want
 *                          [, keep16])
 * Internal gateway of the safetensors readers.  names, dtypes: cellstr of
 * the header entries (jsondecode'd in the .m layer); shapes: cell of double
 * vectors; offsets: n x 2 double (data_offsets).  Every entry is validated
 * (numbers, dtypes, sizes, offsets, duplicates) before any tensor data is
 * touched.  want: 1-based indices of the tensors to decode; T is a cell of
 * single arrays in their PyTorch shapes (1-D as [n 1], 0-D as 1 x 1),
 * converted from F32/F16/BF16/F64 and transposed into Octave's layout from
 * one read-only mapping of the file.  With keep16 true, F16/BF16 matrices
 * (2-D tensors) come back as uint16 arrays of their 16-bit numbers
 * (transposed, bits unchanged) instead.  With want empty, only validates.
 * The outputs are allocated here, largest first, while worker threads
 * already decode the ones allocated (st_decode_queue.h); the mapping and
 * the workers are released by cleanup handlers on every exit path. */
#include "mex_util.h"
#include "io/safetensors.h"
#include "safetensors_mex.h"
#include "io/st_decode_queue.h"

#include <omp.h>

static char *cell_string(const mxArray *c, size_t k, const char *what)
{
    const mxArray *s = mxGetCell(c, k);
    if (s == NULL || !mxIsChar(s))
        mexErrMsgIdAndTxt("cka:safetensors:badHeader", "%s %zu is not a string", what, k + 1);
    return stmex_string(s);
}

static void abort_queue(st_decode_queue **q)
{
    st_queue_abort(*q);
    *q = NULL;
}

/* 1 if tensor x comes back as 16-bit numbers. */
static int is16(const st_entry *x, int keep16)
{
    return keep16 && x->ndim == 2 && (x->dtype == ST_F16 || x->dtype == ST_BF16);
}

/* Larger tensors first: the workers start on them while the rest are
 * allocated, and the last tasks to finish are short. */
typedef struct sized {
    uint64_t numel;
    size_t w; /* index into want */
} sized;
static int larger_first(const void *a, const void *b)
{
    uint64_t na = ((const sized *)a)->numel, nb = ((const sized *)b)->numel;
    return na < nb ? 1 : na > nb ? -1 : 0;
}

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    if (nrhs != 8 && nrhs != 9)
        mexErrMsgIdAndTxt("cka:input:nargs", "__safetensors_read__: expected 8 or 9 arguments, got %d", nrhs);
    const int keep16 = nrhs == 9 && mexutil_get_scalar(prhs[8], "KEEP16") != 0.0;
    if (!mxIsChar(prhs[0]) || !mxIsCell(prhs[3]) || !mxIsCell(prhs[4]) || !mxIsCell(prhs[5]))
        mexErrMsgIdAndTxt("cka:input:type", "__safetensors_read__: bad argument types");
    char *file = stmex_string(prhs[0]);
    double fsize_d = mexutil_get_scalar(prhs[1], "FILE_SIZE");
    double hlen_d = mexutil_get_scalar(prhs[2], "HEADER_LEN");
    size_t n = mxGetNumberOfElements(prhs[3]);
    if (mxGetNumberOfElements(prhs[4]) != n || mxGetNumberOfElements(prhs[5]) != n)
        mexErrMsgIdAndTxt("cka:input:shape", "__safetensors_read__: names, dtypes, shapes differ in length");
    const double *off = mexutil_get_doubles(prhs[6], "OFFSETS");
    if (mxGetM(prhs[6]) != n || (n > 0 && mxGetN(prhs[6]) != 2))
        mexErrMsgIdAndTxt("cka:input:shape", "__safetensors_read__: OFFSETS must be n x 2");
    const double *want = mexutil_get_doubles(prhs[7], "WANT");
    size_t nwant = mxGetNumberOfElements(prhs[7]);
    cka_error err;
    cka_error_clear(&err);
    uint64_t fsize, hlen;
    if (st_number(fsize_d, &fsize, file, "-", "file size", &err) != 0 ||
        st_number(hlen_d, &hlen, file, "-", "header length", &err) != 0)
        mexutil_raise(&err);
    if (fsize < 8 || hlen > fsize - 8)
        mexErrMsgIdAndTxt("cka:safetensors:truncated", "%s: header runs past the end of the file", file);

    st_entry *e = mxCalloc(n ? n : 1, sizeof *e);
    for (size_t k = 0; k < n; k++) {
        e[k].name = cell_string(prhs[3], k, "tensor name");
        char *dt = cell_string(prhs[4], k, "dtype of tensor");
        e[k].dtype = st_dtype_from_name(dt);
        if (e[k].dtype < 0)
            mexErrMsgIdAndTxt("cka:safetensors:unknownDtype", "%s: tensor \"%s\" has unknown dtype \"%s\"",
                              file, e[k].name, dt);
        mxFree(dt);
        const mxArray *sh = mxGetCell(prhs[5], k);
        if (sh == NULL || !mxIsDouble(sh) || mxIsComplex(sh))
            mexErrMsgIdAndTxt("cka:safetensors:badHeader", "%s: tensor \"%s\": shape is not a list of numbers",
                              file, e[k].name);
        size_t nd = mxGetNumberOfElements(sh);
        if (nd > ST_MAX_DIMS)
            mexErrMsgIdAndTxt("cka:safetensors:badHeader", "%s: tensor \"%s\" has %zu dimensions (max %d)",
                              file, e[k].name, nd, ST_MAX_DIMS);
        const double *shv = mxGetPr(sh);
        e[k].ndim = nd;
        for (size_t d = 0; d < nd; d++)
            if (st_number(shv[d], &e[k].shape[d], file, e[k].name, "shape entry", &err) != 0)
                mexutil_raise(&err);
        if (st_number(off[k], &e[k].begin, file, e[k].name, "data offset", &err) != 0 ||
            st_number(off[k + n], &e[k].end, file, e[k].name, "data offset", &err) != 0)
            mexutil_raise(&err);
    }
    if (st_validate(e, n, fsize - 8 - hlen, file, &err) != 0)
        mexutil_raise(&err);

    /* check every wanted tensor before mapping */
    size_t *idx = mxCalloc(nwant ? nwant : 1, sizeof *idx);
    sized *order = mxCalloc(nwant ? nwant : 1, sizeof *order);
    plhs[0] = mxCreateCellMatrix(nwant, 1);
    for (size_t w = 0; w < nwant; w++) {
        double v = want[w];
        if (!(v >= 1 && v <= (double)n && v == (double)(size_t)v))
            mexErrMsgIdAndTxt("cka:input:index", "__safetensors_read__: bad tensor index %g", v);
        size_t k = (size_t)v - 1;
        idx[w] = k;
        order[w].numel = st_numel(&e[k]);
        order[w].w = w;
        if (!st_dtype_is_float(e[k].dtype))
            mexErrMsgIdAndTxt("cka:safetensors:unsupportedDtype",
                              "%s: tensor \"%s\" has dtype %s; only F32, F16, BF16 and F64 can be read",
                              file, e[k].name, st_dtype_name(e[k].dtype));
    }
    uint64_t out_bytes = 0;
    for (size_t w = 0; w < nwant; w++)
        out_bytes += order[w].numel * (is16(&e[idx[w]], keep16) ? 2 : sizeof(float));
    if (st_check_memory(out_bytes, file, &err) != 0)
        mexutil_raise(&err);
    if (nwant > 0) {
        qsort(order, nwant, sizeof *order, larger_first);

        st_map m __attribute__((cleanup(st_unmap))) = {NULL, 0};
        if (st_map_file(file, fsize, &m, &err) != 0)
            mexutil_raise(&err);
        st_decode_task *task = mxCalloc(nwant, sizeof *task);
        for (size_t t = 0; t < nwant; t++) {
            task[t].entry = &e[idx[order[t].w]];
            task[t].src = m.data + 8 + hlen + task[t].entry->begin;
            task[t].keep16 = is16(task[t].entry, keep16);
        }
        int nthreads = fsize > ((uint64_t)1 << 24) ? omp_get_max_threads() : 1;
        st_decode_queue *q __attribute__((cleanup(abort_queue))) = st_queue_start(task, nwant, nthreads);
        if (q == NULL)
            mexErrMsgIdAndTxt("cka:safetensors:noMemory", "%s: out of memory", file);
        for (size_t t = 0; t < nwant; t++) {
            const st_entry *x = task[t].entry;
            mwSize dims[ST_MAX_DIMS + 1];
            mwSize nd = (mwSize)x->ndim;
            for (size_t d = 0; d < x->ndim; d++)
                dims[d] = (mwSize)x->shape[d];
            if (nd == 0)
                dims[0] = 1, dims[1] = 1, nd = 2;
            else if (nd == 1)
                dims[1] = 1, nd = 2;
            mxArray *a = mexutil_new_zeros(nd, dims, task[t].keep16 ? "uint16" : "single");
            if (a == NULL) {
                abort_queue(&q);
                mexErrMsgIdAndTxt("cka:safetensors:noMemory",
                                  "%s: cannot allocate %.1f MB for tensor \"%s\"", file,
                                  (double)st_numel(x) * (task[t].keep16 ? 2 : 4) / 1e6, x->name);
            }
            mxSetCell(plhs[0], order[t].w, a);
            st_queue_publish(q, t, mxGetData(a));
        }
        st_queue_finish(q);
        q = NULL;
        mxFree(task);
    }
    for (size_t k = 0; k < n; k++)
        mxFree((void *)e[k].name);
    mxFree(e);
    mxFree(idx);
    mxFree(order);
    mxFree(file);
}
