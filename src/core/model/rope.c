/* Rotary position embeddings; see rope.h. */
#include "model/rope.h"

#include <math.h>

int64_t rope_dims(const tfm_config *cfg)
{
    /* HF: int(head_size * rotary_pct), a float product truncated */
    return (int64_t)((double)tfm_head_dim(cfg) * cfg->rotary_pct);
}

/* theta, raised by dynamic (NTK) scaling for a sequence longer than
 * max_position_embeddings. */
static double rope_base(const tfm_config *cfg, int64_t n, int64_t T)
{
    const tfm_rope_scaling *rs = &cfg->rope_scaling;
    double theta = cfg->rope_theta;
    if (rs->type == TFM_ROPE_DYNAMIC && T > cfg->max_positions && n > 2)
        theta *= pow(rs->factor * (double)T / (double)cfg->max_positions - (rs->factor - 1.0),
                     (double)n / (double)(n - 2));
    return theta;
}

/* inv_freq[k] as Hugging Face computes it in float32. */
static float inv_freq(const tfm_config *cfg, double theta, int64_t n, int64_t k)
{
    const tfm_rope_scaling *rs = &cfg->rope_scaling;
    float f = 1.0f / powf((float)theta, (float)(2 * k) / (float)n);
    if (rs->type != TFM_ROPE_LLAMA3)
        return f;
    /* Llama 3.1: long wavelengths slowed by the factor, short ones kept,
     * a smooth blend in between (modeling_rope_utils, float32). */
    const float factor = (float)rs->factor, lo = (float)rs->low_freq_factor;
    const float hi = (float)rs->high_freq_factor, old_len = (float)rs->original_max_positions;
    const float wavelen = (float)(2.0 * M_PI) / f;
    if (wavelen > old_len / lo)
        return f / factor;
    if (wavelen < old_len / hi)
        return f;
    const float s = (old_len / wavelen - lo) / (hi - lo);
    return (1.0f - s) * f / factor + s * f;
}

void rope_tables(const tfm_config *cfg, int64_t n, int64_t T, int64_t rows, float *cos_t,
                 float *sin_t)
{
    const int64_t half = n / 2;
    const double theta = rope_base(cfg, n, T);
    const int linear = cfg->rope_scaling.type == TFM_ROPE_LINEAR;
    const float factor = (float)cfg->rope_scaling.factor;
    #pragma omp parallel for if (rows * half > (1 << 14))
    for (int64_t k = 0; k < half; k++) {
        const float f = inv_freq(cfg, theta, n, k);
        for (int64_t p = 0; p < rows; p++) {
            /* transformers 4.31 linear scaling: t = t / factor, in float32 */
            const float pos = linear ? (float)p / factor : (float)p;
            const float angle = pos * f;
            cos_t[p * half + k] = cosf(angle);
            sin_t[p * half + k] = sinf(angle);
        }
    }
}

void rope_cos_hook(const float *cos_t, int64_t n, int64_t rows, float *out)
{
    const int64_t half = n / 2;
    for (int64_t p = 0; p < rows; p++)
        for (int64_t k = 0; k < half; k++)
            out[p * n + k] = out[p * n + half + k] = cos_t[p * half + k];
}

/* fp-contract off: HF rounds each product before the sum. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("fp-contract=off")))
#endif
void rope_apply(float *x, int64_t ld, int64_t B, int64_t T, int64_t nheads, int64_t step,
                int64_t n, const float *cos_t, const float *sin_t)
{
    const int64_t half = n / 2, N = B * T;
    #pragma omp parallel for if (N * nheads * n > (1 << 16))
    for (int64_t r = 0; r < N; r++) {
        const float *c = cos_t + (r % T) * half, *s = sin_t + (r % T) * half;
        for (int64_t h = 0; h < nheads; h++) {
            float *v = x + r * ld + h * step;
            for (int64_t k = 0; k < half; k++) {
                const float a = v[k], b = v[k + half];
                v[k] = a * c[k] - b * s[k];
                v[k + half] = b * c[k] + a * s[k];
            }
        }
    }
}
