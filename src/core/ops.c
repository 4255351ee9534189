/* Kernels shared by the transformer forward passes; see ops.h. */
#include "ops.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

void ops_linear(float *y, const float *x, int64_t ldx, int64_t N, int64_t in, int64_t out,
                const float *W, ops_wlayout layout, const float *b)
{
    /* PyTorch computes addmm(bias, x, W): preload the bias, then beta = 1. */
    float beta = 0.0f;
    if (b != NULL) {
        #pragma omp parallel for if (N * out > OPS_PAR_MIN)
        for (int64_t n = 0; n < N; n++)
            memcpy(y + n * out, b, (size_t)out * sizeof *y);
        beta = 1.0f;
    }
    if (layout == OPS_W_LINEAR)   /* W in memory: row-major [in, out] */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)N, (int)out, (int)in,
                    1.0f, x, (int)ldx, W, (int)out, beta, y, (int)out);
    else                          /* W in memory: row-major [out, in] */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)N, (int)out, (int)in,
                    1.0f, x, (int)ldx, W, (int)in, beta, y, (int)out);
}

void ops_embed(float *out, const float *table, int64_t num, int64_t dim,
               const int64_t *ids, int64_t N)
{
    #pragma omp parallel for if (N * dim > OPS_PAR_MIN)
    for (int64_t n = 0; n < N; n++) {
        const float *col = table + ids[n];
        float *o = out + n * dim;
        for (int64_t j = 0; j < dim; j++)
            o[j] = col[j * num];
    }
}

void ops_embed_add(float *y, const float *table, int64_t num, int64_t dim,
                   const int64_t *ids, int64_t N)
{
    #pragma omp parallel for if (N * dim > OPS_PAR_MIN)
    for (int64_t n = 0; n < N; n++) {
        const float *col = table + ids[n];
        float *o = y + n * dim;
        for (int64_t j = 0; j < dim; j++)
            o[j] += col[j * num];
    }
}

void ops_positions_add(float *y, const float *table, int64_t num, int64_t dim,
                       int64_t B, int64_t T)
{
    #pragma omp parallel for if (B * T * dim > OPS_PAR_MIN)
    for (int64_t n = 0; n < B * T; n++) {
        const float *col = table + n % T;
        float *o = y + n * dim;
        for (int64_t j = 0; j < dim; j++)
            o[j] += col[j * num];
    }
}

void ops_positions(float *out, const float *table, int64_t num, int64_t dim, int64_t T)
{
    for (int64_t t = 0; t < T; t++)
        for (int64_t j = 0; j < dim; j++)
            out[t * dim + j] = table[t + j * num];
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

void ops_layernorm(float *y, const float *x, int64_t N, int64_t H, const float *g,
                   const float *b, double eps)
{
    #pragma omp parallel for if (N * H > OPS_PAR_MIN)
    for (int64_t n = 0; n < N; n++) {
        const float *xr = x + n * H;
        float *yr = y + n * H;
        double mean = 0.0, var = 0.0;
        for (int64_t j = 0; j < H; j++)
            mean += xr[j];
        mean /= (double)H;
        for (int64_t j = 0; j < H; j++) {
            double c = xr[j] - mean;
            var += c * c;
        }
        var /= (double)H;           /* biased variance, as torch.nn.LayerNorm */
        const double rstd = 1.0 / sqrt(var + eps);
        for (int64_t j = 0; j < H; j++)
            yr[j] = (float)((xr[j] - mean) * rstd) * g[j] + b[j];
    }
}

static inline float act_one(float x, tfm_act act)
{
    switch (act) {
    case TFM_ACT_GELU:
        return 0.5f * x * (1.0f + erff(x * 0.70710678118654752440f));
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

void ops_activation(float *x, int64_t n, tfm_act act)
{
    if (act == TFM_ACT_LINEAR)
        return;
    #pragma omp parallel for if (n > OPS_PAR_MIN_HEAVY)
    for (int64_t i = 0; i < n; i++)
        x[i] = act_one(x[i], act);
}

void ops_softmax_row(float *s, int64_t n)
{
    float mx = s[0];
    for (int64_t j = 1; j < n; j++)
        mx = s[j] > mx ? s[j] : mx;
    float sum = 0.0f;
    for (int64_t j = 0; j < n; j++) {
        s[j] = expf(s[j] - mx);
        sum += s[j];
    }
    for (int64_t j = 0; j < n; j++)
        s[j] /= sum;
}

void ops_attn_scores(float *S, const float *Q, int64_t ldq, const float *K, int64_t ldk,
                     int64_t B, int64_t T, int64_t nH, int64_t d)
{
    for (int64_t b = 0; b < B; b++)
        for (int64_t h = 0; h < nH; h++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)T, (int)T, (int)d, 1.0f,
                        Q + b * T * ldq + h * d, (int)ldq, K + b * T * ldk + h * d, (int)ldk,
                        0.0f, S + (b * nH + h) * T * T, (int)T);
}

void ops_attn_context(float *C, int64_t ldc, const float *P, const float *V, int64_t ldv,
                      int64_t B, int64_t T, int64_t nH, int64_t d)
{
    for (int64_t b = 0; b < B; b++)
        for (int64_t h = 0; h < nH; h++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, (int)d, (int)T, 1.0f,
                        P + (b * nH + h) * T * T, (int)T, V + b * T * ldv + h * d, (int)ldv,
                        0.0f, C + b * T * ldc + h * d, (int)ldc);
}
