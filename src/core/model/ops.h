/* Kernels shared by the transformer forward passes (float32).
 *
 * Activations are row-major: an [N, C] matrix is N rows of C floats (a
 * [B, T, H] tensor is N = B*T rows).  Weights are read in place in the
 * layout described in model/tfm.h (kernels include no model header; the
 * activation and profile types live here).  Every matrix product is BLAS
 * sgemm: split over the OpenMP threads while ops_threads_begin is in force
 * (see there), else one call; element-wise loops are OpenMP-parallel, and
 * the hot ones (GELU, softmax, LayerNorm) are vectorised, with an AVX2+FMA
 * clone picked at load time on x86-64. */
#ifndef CKA_OPS_H
#define CKA_OPS_H

#include <stdint.h>

/* Activation functions of transformers' ACT2FN that the forward supports. */
typedef enum tfm_act {
    TFM_ACT_GELU = 0,        /* "gelu", "gelu_python": 0.5 x (1 + erf(x/sqrt 2)) */
    TFM_ACT_GELU_NEW,        /* "gelu_new", "gelu_pytorch_tanh", "gelu_accurate":
                                0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
    TFM_ACT_GELU_FAST,       /* "gelu_fast" */
    TFM_ACT_QUICK_GELU,      /* "quick_gelu": x sigmoid(1.702 x) */
    TFM_ACT_RELU,            /* "relu" */
    TFM_ACT_RELU6,           /* "relu6" */
    TFM_ACT_SILU,            /* "silu", "swish" */
    TFM_ACT_SIGMOID,         /* "sigmoid" */
    TFM_ACT_TANH,            /* "tanh" */
    TFM_ACT_LINEAR           /* "linear" */
} tfm_act;

/* Wall-clock seconds spent in tfm_forward_ws since the last
 * tfm_profile_enable, split into the BLAS matrix products (sgemm), the hook
 * callbacks and the rest (element-wise work: embeddings, LayerNorm,
 * activations, masking + softmax, residual adds, bias preloads).  Off by
 * default; when on, each forward adds a few hundred clock_gettime calls.
 * The counters are process-global and not synchronised: enable them only
 * while one forward runs at a time (benchmarks). */
typedef struct tfm_profile {
    double total;     /* inside tfm_forward_ws */
    double gemm;      /* inside cblas_sgemm */
    double hooks;     /* inside the hook callbacks */
    double gemm_flop; /* 2*m*n*k summed over the sgemm calls */
    long forwards;
} tfm_profile;


/* Element-wise loops run as OpenMP teams only above these sizes: a team
 * costs more than a cheap loop over a small model.
 * Memory-bound loops (copies, adds, LayerNorm) use OPS_PAR_MIN elements;
 * loops with a transcendental per element (softmax, GELU) OPS_PAR_MIN_HEAVY. */
#define OPS_PAR_MIN (1 << 16)
#define OPS_PAR_MIN_HEAVY (1 << 14)
/* Matrix products of fewer flops run as one BLAS call (no team). */
#define OPS_GEMM_SPLIT_MIN 4.0e6

/* Profile counters (tfm_profile_enable): ops_prof_on is 0 unless a
 * benchmark turned them on; ops_now() is a monotonic clock in seconds. */
extern int ops_prof_on;
extern tfm_profile ops_prof;
double ops_now(void);

/* How a weight matrix sits in (column-major Octave) memory. */
typedef enum ops_wlayout {
    OPS_W_LINEAR,  /* nn.Linear, PyTorch [out, in]: memory row-major [in, out] */
    OPS_W_CONV1D   /* GPT-2 Conv1D, PyTorch [in, out]: memory row-major [out, in] */
} ops_wlayout;

/* How a weight matrix's numbers are stored: float32, or the 16-bit types of
 * bf16/f16 checkpoints, kept 2 bytes per weight and widened (exactly) to
 * float32 in panels as the products need them. */
typedef enum tfm_dtype { TFM_F32 = 0, TFM_BF16, TFM_F16 } tfm_dtype;

/* A weight matrix or embedding table: its data and storage type. */
typedef struct tfm_weight {
    const void *data;
    tfm_dtype dtype;
} tfm_weight;

/* Element i of a weight as float32. */
float ops_weight_at(tfm_weight w, int64_t i);

/* Floats in one thread's widening panel of a 16-bit weight: 16 MB, so a
 * weight of 4096 inputs goes in panels of 1024 columns and sgemm repacks
 * the activations for fewer panels (4 MB panels cost 10% more). */
#define OPS_PANEL_FLOATS (1 << 22)

/* Reserve one widening panel per OpenMP thread for weights with up to
 * max_in input rows, and hold the panels (a lock) until ops_panels_end:
 * every ops_linear with a 16-bit weight must run between the two.  The
 * panels stay allocated for the next forward.  0, or -1 (nothing held) if
 * memory ran out. */
int ops_panels_begin(int64_t max_in);
void ops_panels_end(void);

/* Bytes per stored number of a dtype. */
static inline int tfm_dtype_size(tfm_dtype dt)
{
    return dt == TFM_F32 ? 4 : 2;
}

/* y[n, :] = b + x[n, :] . W  for n < N; x rows have stride ldx (>= in),
 * y is [N, out] contiguous.  b may be NULL.  A 16-bit W is widened to
 * float32 a panel of output columns at a time (each OpenMP thread widens
 * only its own columns) and multiplied with float32 accumulation: the
 * float32 product of the widened matrix, up to sgemm's summation order. */
void ops_linear(float *y, const float *x, int64_t ldx, int64_t N, int64_t in, int64_t out,
                tfm_weight W, ops_wlayout layout, const float *b);

/* Whether float32 weight products run through oneDNN (1) or BLAS sgemm (0):
 * on = 0 or 1 sets it (1 only takes effect in a build with oneDNN,
 * ops_dnnl.h, where it is the default), on = -1 only asks.  Returns the
 * setting before the call. */
int ops_use_onednn(int on);

/* Benchmarks: the best time (seconds) of reps n x n x n products through
 * ops_linear (float32 weights, the forward's threads and backend); -1 if
 * memory ran out. */
double ops_linear_seconds(int64_t n, int reps);

/* out[n, :] = table[ids[n], :] for n < N, table PyTorch [num, dim] kept in
 * column-major memory (entry (v, j) at v + num*j). */
void ops_embed(float *out, tfm_weight table, int64_t num, int64_t dim,
               const int64_t *ids, int64_t N);
/* y[n, :] += table[ids[n], :] (same table layout). */
void ops_embed_add(float *y, tfm_weight table, int64_t num, int64_t dim,
                   const int64_t *ids, int64_t N);
/* y[b, t, :] += table[t, :] for every b < B, t < T (position rows 0..T-1). */
void ops_positions_add(float *y, tfm_weight table, int64_t num, int64_t dim,
                       int64_t B, int64_t T);
/* out[t, :] = table[t, :], t < T: the [1, T, dim] tensor a position hook sees. */
void ops_positions(float *out, tfm_weight table, int64_t num, int64_t dim, int64_t T);

/* dst (column-major, Octave's layout) = src (row-major, PyTorch's) for a
 * tensor of the given shape (ndim <= 8): dst(i0, ..., ik) =
 * src[i0][...][ik].  Tiled transposes between the first and last axis, one
 * per index of the middle axes, spread over the OpenMP threads. */
void ops_to_colmajor(float *dst, const float *src, const int64_t *shape, int ndim);

/* y += a, n elements. */
void ops_add(float *y, const float *a, int64_t n);
/* x /= s, n elements (float32 division, as PyTorch's tensor / scalar). */
void ops_div(float *x, float s, int64_t n);

/* LayerNorm over rows of length H, mean and variance accumulated in double:
 * y = (x - mean) / sqrt(var + eps) * g + b.  y may equal x. */
void ops_layernorm(float *y, const float *x, int64_t N, int64_t H, const float *g,
                   const float *b, double eps);

/* erf of a float, within 3e-10 of the exact value before the final rounding
 * (the erf of the exact GELU; vectorisable, see ops.c). */
float ops_erff(float u);

/* Activation function in place on n elements. */
void ops_activation(float *x, int64_t n, tfm_act act);

/* exp of a float through the vectorisable kernel of ops_softmax_row
 * (within 3e-13 relative before the final rounding). */
float ops_expf(float x);

/* RMSNorm over rows of length H (Llama family), mean square accumulated in
 * double: y = x / sqrt(mean(x^2) + eps) * g.  y may equal x. */
void ops_rmsnorm(float *y, const float *x, int64_t N, int64_t H, const float *g, double eps);

/* y *= a element-wise, n elements (the gate of a SwiGLU MLP). */
void ops_mul(float *y, const float *a, int64_t n);

/* Softmax of one row of length n (max subtracted; -inf entries give 0). */
void ops_softmax_row(float *s, int64_t n);

/* Where the heads sit in the Q, K, V matrices of ops_attention.  Query
 * head h is columns h*q_step .. h*q_step+d-1 of Q; it attends with key /
 * value head g = h / group (grouped-query attention: group = nH / nKV),
 * columns g*kv_step .. g*kv_step+d-1 of K and V.  Separate projections:
 * steps d; GPT-NeoX's fused per-head [q k v] layout: steps 3d. */
typedef struct ops_heads {
    int64_t n_heads, group, d, q_step, kv_step;
} ops_heads;

/* Self-attention of every (batch row b, query head h), spread over the
 * OpenMP threads: S_bh = Q_bh K_bg' (a [T, T] block of S, [B, nH, T, T]
 * row-major), then probs(arg, S_bh, b, h) turns the block into
 * probabilities in place (scaling, masks, softmax), then C_bh = S_bh V_bg
 * into columns h*d .. h*d+d-1 of C ([B*T, ldc]).  Q, K, V are [B*T, ld]
 * matrices laid out as `heads` says.  probs runs on an OpenMP thread: it
 * must not call BLAS or mx*. */
typedef void (*ops_probs_fn)(const void *arg, float *S, int64_t b, int64_t h);
void ops_attention(float *S, float *C, int64_t ldc, const float *Q, int64_t ldq,
                   const float *K, int64_t ldk, const float *V, int64_t ldv, int64_t B,
                   int64_t T, const ops_heads *heads, ops_probs_fn probs, const void *arg);

/* Threads of a forward pass.  ops_threads_begin() sets OpenBLAS to one
 * thread (when it is OpenBLAS with more than one) and makes the matrix
 * products run as one single-threaded sgemm per OpenMP thread on a share of
 * the rows, so that BLAS and the element-wise loops use ONE team of threads
 * (two pools on two cores spin against each other).  Returns what
 * ops_threads_end needs to restore the BLAS thread count. */
int ops_threads_begin(void);
void ops_threads_end(int prev);
/* Give BLAS its threads back in the middle of a forward (around a hook
 * callback); returns 1 if it did (then call ops_threads_begin after). */
int ops_threads_suspend(void);

/* The process's thread budget: the OpenMP team of the forward and
 * OpenBLAS's threads (when OpenBLAS is the BLAS), for worker processes that
 * share the cores (cka_compare "Workers").  n < 1 changes nothing.  Writes
 * the counts in force before (OpenBLAS's is 0 when it is not OpenBLAS). */
void ops_threads_set(int n, int *omp_prev, int *blas_prev);
extern int ops_split;

#endif
