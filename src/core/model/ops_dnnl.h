/* The forward's weight products through oneDNN's matmul, an optional
 * backend (configure --with-onednn; without it every function here is a
 * stub that declines).  BLAS sgemm stays the default build and the path
 * every test runs; with oneDNN, ops_linear hands its products to it (a
 * 16-bit weight one widened panel at a time) and falls back to sgemm for
 * anything it declines (shapes oneDNN has no kernel for, any oneDNN
 * error).
 *
 * Why: on CPUs with AVX-512, oneDNN's JIT matmul ran the forward's shapes
 * at about twice the rate of the sgemm of Debian's OpenBLAS with the kernel
 * this machine is told to use (tests/bench/bench_perf.m measures both).
 * Numbers: float32 in, float32 accumulation, float32 out; the bias is added
 * after the product (PyTorch's addmm adds it first): both round differently
 * from sgemm by a few ulp.
 *
 * Weights are read in place in their layout (no packed copy: the memory of
 * a model stays its weights); a primitive per product shape is created on
 * first use (a few ms of JIT) and cached (oneDNN uses the OpenMP team of
 * the calling thread). */
#ifndef CKA_OPS_DNNL_H
#define CKA_OPS_DNNL_H

#include "model/ops.h"

#include <stdint.h>

/* 1 when the package was built with oneDNN. */
int ops_dnnl_built(void);

/* y = b + x . W as ops_linear (float32 W of `out` columns, y rows of
 * stride ldy >= out); returns 1 if oneDNN did it, 0 if it declined (the
 * caller runs sgemm). */
int ops_dnnl_linear(float *y, int64_t ldy, const float *x, int64_t ldx, int64_t N, int64_t in,
                    int64_t out, const float *W, ops_wlayout layout, const float *b);

/* Release the cached primitives (tests; the process exit does it too). */
void ops_dnnl_release(void);

#endif
