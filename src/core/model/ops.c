/* Kernels shared by the transformer forward passes; see ops.h. */
#include "model/ops.h"
#include "common/cka_half.h"
#include "model/ops_dnnl.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

int ops_prof_on = 0;
tfm_profile ops_prof;

double ops_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void tfm_profile_enable(int on)
{
    memset(&ops_prof, 0, sizeof ops_prof);
    ops_prof_on = on != 0;
}

void tfm_profile_get(tfm_profile *p)
{
    *p = ops_prof;
}

#define PROF_BEGIN() const double prof_t0_ = ops_prof_on ? ops_now() : 0.0
#define PROF_END(flop)                                                  \
    do {                                                                \
        if (ops_prof_on) {                                              \
            ops_prof.gemm += ops_now() - prof_t0_;                      \
            ops_prof.gemm_flop += (flop);                               \
        }                                                               \
    } while (0)

/* ---- threads ------------------------------------------------------------ */

/* OpenBLAS's thread count, looked up at run time (weak: any CBLAS links). */
extern void openblas_set_num_threads(int) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

int ops_split = 0;
static int ops_split_prev = 0;

int ops_threads_begin(void)
{
    ops_split = 0;
    if (openblas_set_num_threads == NULL || openblas_get_num_threads == NULL)
        return 0;
    int prev = openblas_get_num_threads();
    if (prev > 1 && omp_get_max_threads() > 1) {
        openblas_set_num_threads(1);
        ops_split = 1;
        ops_split_prev = prev;
        return prev;
    }
    return 0;
}

int ops_threads_suspend(void)
{
    if (!ops_split)
        return 0;
    ops_threads_end(ops_split_prev);
    return 1;
}

void ops_threads_end(int prev)
{
    if (prev > 1)
        openblas_set_num_threads(prev);
    ops_split = 0;
}

void ops_threads_set(int n, int *omp_prev, int *blas_prev)
{
    *omp_prev = omp_get_max_threads();
    *blas_prev = openblas_get_num_threads != NULL ? openblas_get_num_threads() : 0;
    if (n < 1)
        return;
    omp_set_num_threads(n);
    if (openblas_set_num_threads != NULL)
        openblas_set_num_threads(n);
}

/* Rows [*r0, *r1) of n for thread `id` of `nt`, in blocks of `blk`. */
static void share(int64_t n, int64_t blk, int id, int nt, int64_t *r0, int64_t *r1)
{
    int64_t nb = (n + blk - 1) / blk;
    int64_t b0 = nb * id / nt, b1 = nb * (id + 1) / nt;
    *r0 = b0 * blk < n ? b0 * blk : n;
    *r1 = b1 * blk < n ? b1 * blk : n;
}

float ops_weight_at(tfm_weight w, int64_t i)
{
    switch (w.dtype) {
    case TFM_BF16: return cka_bf16_to_f32(((const uint16_t *)w.data)[i]);
    case TFM_F16:  return cka_f16_to_f32(((const uint16_t *)w.data)[i]);
    case TFM_F32:  break;
    }
    return ((const float *)w.data)[i];
}

/* ---- widening panels of 16-bit weights ----------------------------------
 * One panel per OpenMP thread, kept between forwards (growing when a wider
 * model needs it): fresh pages cost more to fault in than a panel costs to
 * fill.  ops_panels_begin reserves them and holds a lock until
 * ops_panels_end, so concurrent forwards of 16-bit models take turns. */

#define OPS_MAX_PANELS 256
static float *ops_panel[OPS_MAX_PANELS];
static size_t ops_panel_cap;      /* floats in each of the first ops_panel_n panels */
static int ops_panel_n;
static pthread_mutex_t ops_panel_lock = PTHREAD_MUTEX_INITIALIZER;

/* Output columns in one panel of a weight with `in` rows: about
 * OPS_PANEL_FLOATS floats, a multiple of 16, at least 16. */
static int64_t panel_cols(int64_t in)
{
    const int64_t c = ((int64_t)OPS_PANEL_FLOATS / (in > 0 ? in : 1)) / 16 * 16;
    return c > 16 ? c : 16;
}

int ops_panels_begin(int64_t max_in)
{
    pthread_mutex_lock(&ops_panel_lock);
    int nt = omp_get_max_threads();
    if (nt > OPS_MAX_PANELS)
        nt = OPS_MAX_PANELS;
    /* panel_cols(in) * in <= max(OPS_PANEL_FLOATS, 16 * in) for every in */
    const int64_t in16 = 16 * (max_in > 0 ? max_in : 1);
    const size_t need = (size_t)(in16 > OPS_PANEL_FLOATS ? in16 : OPS_PANEL_FLOATS);
    if (need > ops_panel_cap) {
        for (int k = 0; k < ops_panel_n; k++) {
            free(ops_panel[k]);
            ops_panel[k] = NULL;
        }
        ops_panel_n = 0;
        ops_panel_cap = need;
    }
    for (; ops_panel_n < nt; ops_panel_n++) {
        void *p = NULL;
        if (posix_memalign(&p, 64, ops_panel_cap * sizeof(float)) != 0) {
            pthread_mutex_unlock(&ops_panel_lock);
            return -1;
        }
        ops_panel[ops_panel_n] = p;
    }
    return 0;
}

void ops_panels_end(void)
{
    pthread_mutex_unlock(&ops_panel_lock);
}

/* n 16-bit numbers to float32 (exact). */
static void widen(float *dst, const uint16_t *src, int64_t n, tfm_dtype dt)
{
    if (dt == TFM_BF16)
        for (int64_t k = 0; k < n; k++)
            dst[k] = cka_bf16_to_f32(src[k]);
    else
        for (int64_t k = 0; k < n; k++)
            dst[k] = cka_f16_to_f32(src[k]);
}

/* Output columns j .. j+nc-1 of the 16-bit W (`out` columns in all) as a
 * float32 panel in W's layout: LINEAR [in, nc], CONV1D [nc, in], row-major.
 * Spread over the team when called outside a parallel region (the oneDNN
 * path); inside one (a thread's own columns) each thread widens alone. */
static void widen_panel(float *panel, tfm_weight W, ops_wlayout layout, int64_t in, int64_t out,
                        int64_t j, int64_t nc)
{
    const uint16_t *w16 = W.data;
    const int team = !omp_in_parallel() && in * nc > OPS_PAR_MIN;
    if (layout == OPS_W_LINEAR) {   /* rows of in, columns j .. j+nc */
        #pragma omp parallel for if (team)
        for (int64_t i = 0; i < in; i++)
            widen(panel + i * nc, w16 + i * out + j, nc, W.dtype);
    } else {                        /* nc contiguous rows of in */
        #pragma omp parallel for if (team)
        for (int64_t r = 0; r < nc; r++)
            widen(panel + r * in, w16 + (j + r) * in, in, W.dtype);
    }
}

/* y[:, 0:nc] (row stride ldy) += x . Wf, Wf a float32 panel of nc output
 * columns: LINEAR [in, ldw] row-major, CONV1D [nc, ldw] row-major. */
static void gemm_cols(float *y, int64_t ldy, const float *x, int64_t ldx, int64_t N, int64_t in,
                      int64_t nc, const float *Wf, int64_t ldw, ops_wlayout layout, float beta)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, layout == OPS_W_LINEAR ? CblasNoTrans : CblasTrans,
                (int)N, (int)nc, (int)in, 1.0f, x, (int)ldx, Wf, (int)ldw, beta, y, (int)ldy);
}

/* Output columns [c0, c1) of y = b + x . W (y rows of stride ldy, W with
 * `out` columns in all); `panel` is the calling thread's panel (16-bit W). */
static void linear_cols(float *y, int64_t ldy, const float *x, int64_t ldx, int64_t N,
                        int64_t in, int64_t out, tfm_weight W, ops_wlayout layout, int64_t c0,
                        int64_t c1, const float *b, float *panel)
{
    /* PyTorch computes addmm(bias, x, W): preload the bias, then beta = 1. */
    float beta = 0.0f;
    if (b != NULL) {
        for (int64_t n = 0; n < N; n++)
            memcpy(y + n * ldy + c0, b + c0, (size_t)(c1 - c0) * sizeof *y);
        beta = 1.0f;
    }
    if (N == 0 || c1 <= c0)
        return;
    if (W.dtype == TFM_F32) {
        const float *w = W.data;
        if (layout == OPS_W_LINEAR)   /* W in memory: row-major [in, out] */
            gemm_cols(y + c0, ldy, x, ldx, N, in, c1 - c0, w + c0, out, layout, beta);
        else                          /* W in memory: row-major [out, in] */
            gemm_cols(y + c0, ldy, x, ldx, N, in, c1 - c0, w + c0 * in, in, layout, beta);
        return;
    }
    const int64_t step = panel_cols(in);
    for (int64_t j = c0; j < c1; j += step) {
        const int64_t nc = j + step < c1 ? step : c1 - j;
        widen_panel(panel, W, layout, in, out, j, nc);
        gemm_cols(y + j, ldy, x, ldx, N, in, nc, panel, layout == OPS_W_LINEAR ? nc : in,
                  layout, beta);
    }
}

/* A 16-bit weight through oneDNN: on the calling thread, panel after
 * panel, each widened by the whole team and multiplied by oneDNN with the
 * whole team (two threads each calling oneDNN would take turns on its
 * lock).  1 if oneDNN did every panel, 0 if it declined the first (the
 * caller runs sgemm). */
static int linear_onednn_16bit(float *y, const float *x, int64_t ldx, int64_t N, int64_t in,
                               int64_t out, tfm_weight W, ops_wlayout layout, const float *b)
{
    float *panel = ops_panel[0];
    const int64_t step = panel_cols(in);
    for (int64_t j = 0; j < out; j += step) {
        const int64_t nc = j + step < out ? step : out - j;
        widen_panel(panel, W, layout, in, out, j, nc);
        if (!ops_dnnl_linear(y + j, out, x, ldx, N, in, nc, panel, layout,
                             b != NULL ? b + j : NULL)) {
            if (j == 0)
                return 0;
            /* declined midway (an error): this panel and the rest by sgemm */
            linear_cols(y, out, x, ldx, N, in, out, W, layout, j, out, b, panel);
            return 1;
        }
    }
    return 1;
}

/* oneDNN runs the float32 weight products when built with it (-1: not
 * decided yet, then the build's default). */
static int ops_onednn = -1;

int ops_use_onednn(int on)
{
    const int prev = ops_onednn < 0 ? ops_dnnl_built() : ops_onednn;
    if (on >= 0)
        ops_onednn = on && ops_dnnl_built();
    return prev;
}

void ops_linear(float *y, const float *x, int64_t ldx, int64_t N, int64_t in, int64_t out,
                tfm_weight W, ops_wlayout layout, const float *b)
{
    const double flop = 2.0 * (double)N * (double)out * (double)in;
    const int wide = W.dtype != TFM_F32;
    PROF_BEGIN();
    if (ops_use_onednn(-1)
        && (wide ? linear_onednn_16bit(y, x, ldx, N, in, out, W, layout, b)
                 : ops_dnnl_linear(y, out, x, ldx, N, in, out, W.data, layout, b))) {
        PROF_END(flop);
        return;
    }
    if (!ops_split || flop < OPS_GEMM_SPLIT_MIN) {
        linear_cols(y, out, x, ldx, N, in, out, W, layout, 0, out, b, ops_panel[0]);
    } else {
        /* One single-threaded sgemm per thread on its share of the rows
         * or of the output columns: columns for few rows, and always for a
         * 16-bit weight (each thread then widens only its own columns). */
        #pragma omp parallel
        {
            const int id = omp_get_thread_num(), nt = omp_get_num_threads();
            int64_t a0, a1;
            if (N >= 32 * (int64_t)nt && !(wide && out >= 64 * (int64_t)nt)) {
                share(N, 16, id, nt, &a0, &a1);
                linear_cols(y + a0 * out, out, x + a0 * ldx, ldx, a1 - a0, in, out, W, layout,
                            0, out, b, ops_panel[id]);
            } else {
                share(out, 64, id, nt, &a0, &a1);
                linear_cols(y, out, x, ldx, N, in, out, W, layout, a0, a1, b, ops_panel[id]);
            }
        }
    }
    PROF_END(flop);
}

/* The embedding loops below read entry (v, j) of a [num, dim] table at
 * v + num*j through ops_weight_at (any storage type). */

void ops_embed(float *out, tfm_weight table, int64_t num, int64_t dim,
               const int64_t *ids, int64_t N)
{
    #pragma omp parallel for if (N * dim > OPS_PAR_MIN)
    for (int64_t n = 0; n < N; n++) {
        float *o = out + n * dim;
        for (int64_t j = 0; j < dim; j++)
            o[j] = ops_weight_at(table, ids[n] + j * num);
    }
}

void ops_embed_add(float *y, tfm_weight table, int64_t num, int64_t dim,
                   const int64_t *ids, int64_t N)
{
    #pragma omp parallel for if (N * dim > OPS_PAR_MIN)
    for (int64_t n = 0; n < N; n++) {
        float *o = y + n * dim;
        for (int64_t j = 0; j < dim; j++)
            o[j] += ops_weight_at(table, ids[n] + j * num);
    }
}

void ops_positions_add(float *y, tfm_weight table, int64_t num, int64_t dim,
                       int64_t B, int64_t T)
{
    #pragma omp parallel for if (B * T * dim > OPS_PAR_MIN)
    for (int64_t n = 0; n < B * T; n++) {
        float *o = y + n * dim;
        for (int64_t j = 0; j < dim; j++)
            o[j] += ops_weight_at(table, n % T + j * num);
    }
}

void ops_positions(float *out, tfm_weight table, int64_t num, int64_t dim, int64_t T)
{
    for (int64_t t = 0; t < T; t++)
        for (int64_t j = 0; j < dim; j++)
            out[t * dim + j] = ops_weight_at(table, t + j * num);
}

void ops_to_colmajor(float *dst, const float *src, const int64_t *shape, int ndim)
{
    enum { TILE = 16 };
    int64_t total = 1;
    for (int k = 0; k < ndim; k++)
        total *= shape[k];
    if (ndim <= 1 || total == 0) {
        memcpy(dst, src, (size_t)total * sizeof *dst);
        return;
    }
    /* src = [A][middle...][Z] row-major; dst(a, middle, z) column-major */
    const int64_t A = shape[0], Z = shape[ndim - 1], M = total / (A * Z);
    int64_t cm_stride[8]; /* column-major strides of the middle axes */
    cm_stride[1] = 1;
    for (int k = 2; k <= ndim - 2; k++)
        cm_stride[k] = cm_stride[k - 1] * shape[k - 1];
    #pragma omp parallel for schedule(static) if (total > OPS_PAR_MIN)
    for (int64_t m = 0; m < M; m++) {
        /* m is the row-major index of the middle coordinates; their
         * column-major index mc places the slice in dst */
        int64_t rest = m, mc = 0;
        for (int k = ndim - 2; k >= 1; k--) {
            mc += rest % shape[k] * cm_stride[k];
            rest /= shape[k];
        }
        const float *s = src + m * Z;            /* row a at s + a * M * Z */
        float *d = dst + mc * A;                 /* column z at d + z * A * M */
        const int64_t ls = M * Z, ld = A * M;
        for (int64_t a0 = 0; a0 < A; a0 += TILE) {
            const int64_t a1 = a0 + TILE < A ? a0 + TILE : A;
            for (int64_t z0 = 0; z0 < Z; z0 += TILE) {
                const int64_t z1 = z0 + TILE < Z ? z0 + TILE : Z;
                for (int64_t z = z0; z < z1; z++)
                    for (int64_t a = a0; a < a1; a++)
                        d[a + z * ld] = s[a * ls + z];
            }
        }
    }
}

void ops_add(float *y, const float *a, int64_t n)
{
    #pragma omp parallel for if (n > OPS_PAR_MIN)
    for (int64_t i = 0; i < n; i++)
        y[i] += a[i];
}

void ops_div(float *x, float s, int64_t n)
{
    #pragma omp parallel for if (n > OPS_PAR_MIN)
    for (int64_t i = 0; i < n; i++)
        x[i] /= s;
}

/* The two passes of one LayerNorm row (double accumulators, summed in
 * vector lanes: the order differs from a sequential sum by double
 * rounding only). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
static void layernorm_row(float *yr, const float *xr, int64_t H, const float *g,
                          const float *b, double eps)
{
    double mean = 0.0, var = 0.0;
    #pragma omp simd reduction(+:mean)
    for (int64_t j = 0; j < H; j++)
        mean += xr[j];
    mean /= (double)H;
    #pragma omp simd reduction(+:var)
    for (int64_t j = 0; j < H; j++) {
        double c = xr[j] - mean;
        var += c * c;
    }
    var /= (double)H;           /* biased variance, as torch.nn.LayerNorm */
    const double rstd = 1.0 / sqrt(var + eps);
    #pragma omp simd
    for (int64_t j = 0; j < H; j++)
        yr[j] = (float)((xr[j] - mean) * rstd) * g[j] + b[j];
}

void ops_layernorm(float *y, const float *x, int64_t N, int64_t H, const float *g,
                   const float *b, double eps)
{
    #pragma omp parallel for if (N * H > OPS_PAR_MIN)
    for (int64_t n = 0; n < N; n++)
        layernorm_row(y + n * H, x + n * H, H, g, b, eps);
}

/* One RMSNorm row (the mean square in double, summed in vector lanes). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
static void rmsnorm_row(float *yr, const float *xr, int64_t H, const float *g, double eps)
{
    double ms = 0.0;
    #pragma omp simd reduction(+:ms)
    for (int64_t j = 0; j < H; j++)
        ms += (double)xr[j] * (double)xr[j];
    ms /= (double)H;
    /* HF: h * rsqrt(ms + eps) in float32, then the weight */
    const float rstd = (float)(1.0 / sqrt(ms + eps));
    #pragma omp simd
    for (int64_t j = 0; j < H; j++)
        yr[j] = g[j] * (xr[j] * rstd);
}

void ops_rmsnorm(float *y, const float *x, int64_t N, int64_t H, const float *g, double eps)
{
    #pragma omp parallel for if (N * H > OPS_PAR_MIN)
    for (int64_t n = 0; n < N; n++)
        rmsnorm_row(y + n * H, x + n * H, H, g, eps);
}

void ops_mul(float *y, const float *a, int64_t n)
{
    #pragma omp parallel for if (n > OPS_PAR_MIN)
    for (int64_t i = 0; i < n; i++)
        y[i] *= a[i];
}

/* exp(x) of a float x in double: x = k ln2 + r, |r| <= ln2/2, exp(r) by
 * its Taylor polynomial to r^10 (relative error < 3e-13), times 2^k built
 * in the exponent bits; x clamped to [-200, 100] (exp(-200) rounds to 0.0f,
 * exp(100) to inf).  Branch-free: vectorisable.  NaN stays NaN. */
static inline __attribute__((always_inline)) double exp_fit(double x)
{
    x = x < -200.0 ? -200.0 : x;
    x = x > 100.0 ? 100.0 : x;
    const double shift = 0x1.8p52;                   /* round to integer */
    double kd = x * 1.4426950408889634 + shift;
    uint64_t kb;
    memcpy(&kb, &kd, sizeof kb);
    kd -= shift;
    const double r = (x - kd * 0x1.62e42fefa3800p-1) - kd * 0x1.ef35793c76730p-45;
    const double p = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24
        + r * (1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320
        + r * (1.0 / 362880 + r * (1.0 / 3628800))))))))));
    const uint64_t sb = (kb + 1023u) << 52;          /* 2^k, k in [-289, 145] */
    double scale;
    memcpy(&scale, &sb, sizeof scale);
    return p * scale;
}

/* erf(u) for float arguments, computed in double by three polynomials
 * fitted (least squares on Chebyshev nodes) to erf on [0, 1] (odd:
 * u P(u^2)), [1, 2] and [2, 4] (in u - 1.5 and u - 3); absolute error below
 * 3e-10 everywhere, so the float result is erf correctly rounded except
 * within 3e-10 of a rounding boundary (then 1 ulp).  |u| >= 4 gives +-1
 * (erf(4) = 1 - 1.5e-8 rounds to 1.0f).  Branch-free: vectorisable. */
static inline __attribute__((always_inline)) double erf_fit(double u)
{
    double a = fabs(u);
    a = a < 4.0 ? a : 4.0;                          /* NaN -> 4: x * ... stays NaN */
    const double t = a * a, h1 = a - 1.5, h2 = a - 3.0;
    const double p0 = a * (1.1283791670822847 + t * (-0.37612638590433206
        + t * (0.11283784111868594 + t * (-0.026865517446060638
        + t * (0.0052212615001384771 + t * (-0.00084872677977726463
        + t * (0.00011288175261192634 + t * -9.7284099065397811e-06)))))));
    const double p1 = 0.96610514639209388 + h1 * (0.11893028669520744
        + h1 * (-0.17839541648080506 + h1 * (0.13875220682171194
        + h1 * (-0.044599448266924024 + h1 * (-0.014870842479045656
        + h1 * (0.019333429539925621 + h1 * (-0.0047011636113585536
        + h1 * (-0.0024019302324961699 + h1 * 0.0015404115049493096))))))));
    const double p2 = 0.99997790944884346 + h2 * (0.00013925119621479415
        + h2 * (-0.00041775383908301518 + h2 * (0.00078915164799876715
        + h2 * (-0.001044483143676293 + h2 * (0.0010161499000417914
        + h2 * (-0.00073752821435394984 + h2 * (0.0003918769024595938
        + h2 * (-0.00013624808430561853 + h2 * (1.1897126976947455e-05
        + h2 * (1.7784385424375268e-05 + h2 * (-9.4671478745791242e-06
        + h2 * 1.444301412983082e-06)))))))))));
    const double r = a < 1.0 ? p0 : (a < 2.0 ? p1 : p2);
    return copysign(r, u);
}

static inline float act_one(float x, tfm_act act)
{
    switch (act) {
    case TFM_ACT_GELU:
        return 0.5f * x * (1.0f + (float)erf_fit((double)(x * 0.70710678118654752440f)));
    /* tanh forms: 0.5 (1 + tanh(u)) = 1 / (1 + exp(-2u)) exactly, which is
     * free of cancellation and much cheaper than tanhf. */
    case TFM_ACT_GELU_NEW:
        return x / (1.0f + expf(-2.0f * 0.7978845608028654f * (x + 0.044715f * x * x * x)));
    case TFM_ACT_GELU_FAST:
        return x / (1.0f + expf(-2.0f * x * 0.7978845608f * (1.0f + 0.044715f * x * x)));
    case TFM_ACT_QUICK_GELU:
        return x / (1.0f + expf(-1.702f * x));
    case TFM_ACT_RELU:
        return x > 0.0f ? x : 0.0f;
    case TFM_ACT_RELU6:
        return x > 0.0f ? (x < 6.0f ? x : 6.0f) : 0.0f;
    case TFM_ACT_SILU:
        return x / (1.0f + expf(-x));
    case TFM_ACT_SIGMOID:
        return 1.0f / (1.0f + expf(-x));
    case TFM_ACT_TANH:
        return tanhf(x);
    case TFM_ACT_LINEAR:
    default:
        return x;
    }
}

float ops_erff(float u)
{
    return (float)erf_fit((double)u);
}

/* Exact GELU 0.5 x (1 + erf(x / sqrt 2)) on n floats, the float operations
 * of PyTorch's formula with erff replaced by erf_fit.  Compiled twice (AVX2
 * + FMA = x86-64-v3, and baseline x86-64), picked at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("arch=x86-64-v3", "default"), optimize("no-trapping-math")))
#endif
static void gelu_erf(float *x, int64_t n)
{
    #pragma omp simd
    for (int64_t i = 0; i < n; i++) {
        const float xi = x[i];
        const float e = (float)erf_fit((double)(xi * 0.70710678118654752440f));
        x[i] = 0.5f * xi * (1.0f + e);
    }
}

/* gelu_new: x / (1 + exp(-2 sqrt(2/pi) (x + 0.044715 x^3))), the float
 * operations of act_one with expf replaced by exp_fit (<= 0.5 ulp). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("arch=x86-64-v3", "default"),
               optimize("no-trapping-math", "fp-contract=off")))
#endif
static void gelu_tanh(float *x, int64_t n)
{
    #pragma omp simd
    for (int64_t i = 0; i < n; i++) {
        const float xi = x[i];
        const float u = -2.0f * 0.7978845608028654f * (xi + 0.044715f * xi * xi * xi);
        x[i] = xi / (1.0f + (float)exp_fit((double)u));
    }
}

/* SiLU x / (1 + exp(-x)), with expf replaced by exp_fit (<= 0.5 ulp). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("arch=x86-64-v3", "default"), optimize("no-trapping-math")))
#endif
static void silu(float *x, int64_t n)
{
    #pragma omp simd
    for (int64_t i = 0; i < n; i++)
        x[i] = x[i] / (1.0f + (float)exp_fit(-(double)x[i]));
}

void ops_activation(float *x, int64_t n, tfm_act act)
{
    if (act == TFM_ACT_LINEAR)
        return;
    if (act == TFM_ACT_GELU_NEW || act == TFM_ACT_GELU || act == TFM_ACT_SILU) {
        /* vectorised kernels, on blocks of 4096 spread over the threads */
        void (*kernel)(float *, int64_t) = act == TFM_ACT_GELU ? gelu_erf
                                           : act == TFM_ACT_SILU ? silu : gelu_tanh;
        const int64_t blk = 4096;
        #pragma omp parallel for schedule(static) if (n > OPS_PAR_MIN_HEAVY)
        for (int64_t i0 = 0; i0 < n; i0 += blk)
            kernel(x + i0, n - i0 < blk ? n - i0 : blk);
        return;
    }
    #pragma omp parallel for if (n > OPS_PAR_MIN_HEAVY)
    for (int64_t i = 0; i < n; i++)
        x[i] = act_one(x[i], act);
}

float ops_expf(float x)
{
    return (float)exp_fit((double)x);
}

/* Softmax of one row: max, exp(s - max) (exp_fit, rounded to float) and
 * their float sum in vector lanes, division by the sum. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("arch=x86-64-v3", "default"), optimize("no-trapping-math")))
#endif
void ops_softmax_row(float *s, int64_t n)
{
    float mx = s[0];
    #pragma omp simd reduction(max:mx)
    for (int64_t j = 1; j < n; j++)
        mx = s[j] > mx ? s[j] : mx;
    float sum = 0.0f;
    #pragma omp simd reduction(+:sum)
    for (int64_t j = 0; j < n; j++) {
        s[j] = (float)exp_fit((double)(s[j] - mx));
        sum += s[j];
    }
    #pragma omp simd
    for (int64_t j = 0; j < n; j++)
        s[j] /= sum;
}

void ops_attention(float *S, float *C, int64_t ldc, const float *Q, int64_t ldq,
                   const float *K, int64_t ldk, const float *V, int64_t ldv, int64_t B,
                   int64_t T, const ops_heads *heads, ops_probs_fn probs, const void *arg)
{
    const int64_t nH = heads->n_heads, d = heads->d, group = heads->group;
    const int64_t qs = heads->q_step, kvs = heads->kv_step;
    const double flop = 4.0 * (double)(B * nH) * (double)T * (double)T * (double)d;
    const double t0 = ops_prof_on ? ops_now() : 0.0;
    double tg = 0.0, tp = 0.0;   /* sgemm and probs seconds of thread 0 */
    #pragma omp parallel for schedule(static) reduction(+:tg, tp) if (B * nH > 1 && flop > OPS_GEMM_SPLIT_MIN)
    for (int64_t bh = 0; bh < B * nH; bh++) {
        const int64_t b = bh / nH, h = bh % nH, g = h / group;
        float *Sb = S + bh * T * T;
        const int timed = ops_prof_on && omp_get_thread_num() == 0;
        double g0 = timed ? ops_now() : 0.0;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)T, (int)T, (int)d, 1.0f,
                    Q + b * T * ldq + h * qs, (int)ldq, K + b * T * ldk + g * kvs, (int)ldk,
                    0.0f, Sb, (int)T);
        double g1 = timed ? ops_now() : 0.0;
        probs(arg, Sb, b, h);
        double g2 = timed ? ops_now() : 0.0;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, (int)d, (int)T, 1.0f,
                    Sb, (int)T, V + b * T * ldv + g * kvs, (int)ldv,
                    0.0f, C + b * T * ldc + h * d, (int)ldc);
        if (timed) {
            tg += (g1 - g0) + (ops_now() - g2);
            tp += g2 - g1;
        }
    }
    if (ops_prof_on) {
        /* The wall time of the loop, apportioned by thread 0's split. */
        const double wall = ops_now() - t0;
        ops_prof.gemm += tg + tp > 0.0 ? wall * tg / (tg + tp) : 0.0;
        ops_prof.gemm_flop += flop;
    }
}

double ops_linear_seconds(int64_t n, int reps)
{
    float *x = malloc((size_t)(n * n) * sizeof *x), *w = malloc((size_t)(n * n) * sizeof *w);
    float *y = malloc((size_t)(n * n) * sizeof *y);
    double best = -1.0;
    if (x != NULL && w != NULL && y != NULL) {
        for (int64_t k = 0; k < n * n; k++) {
            x[k] = (float)(k % 7) * 0.25f - 0.75f;
            w[k] = (float)(k % 5) * 0.125f - 0.25f;
        }
        const int blas = ops_threads_begin();
        for (int r = 0; r <= reps; r++) {   /* r = 0: warm-up (oneDNN's JIT) */
            const double t0 = ops_now();
            ops_linear(y, x, n, n, n, n, (tfm_weight){w, TFM_F32}, OPS_W_LINEAR, NULL);
            const double t = ops_now() - t0;
            if (r > 0 && (best < 0.0 || t < best))
                best = t;
        }
        ops_threads_end(blas);
    }
    free(x), free(w), free(y);
    return best;
}
