/* Helpers shared by the architecture files: parameter entries, the post-LN
 * encoder block's parameter list, and the scratch every forward here uses.
 * Called by arch_*.c only; calls nothing of theirs. */
#include "model/registry.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Name, shape and init rule of p; the caller sets its slot. */
static void param_fill(tfm_param *p, int ndim, int64_t s0, int64_t s1, const char *fmt,
                       va_list ap)
{
    memset(p, 0, sizeof *p);
    vsnprintf(p->name, sizeof p->name, fmt, ap);
    p->ndim = ndim;
    p->shape[0] = s0;
    p->shape[1] = ndim > 1 ? s1 : 1;
    /* Hugging Face _init_weights: Linear / Conv1D / Embedding weights
     * normal, biases zero, LayerNorm weight one and bias zero. */
    const size_t n = strlen(p->name);
    const int is_weight = n >= 7 && strcmp(p->name + n - 7, ".weight") == 0;
    p->init = ndim > 1 ? TFM_INIT_NORMAL : is_weight ? TFM_INIT_ONES : TFM_INIT_ZEROS;
    p->std_div = 1.0;
    p->zero_row = -1;
    p->optional = 0;
}

void tfm_param_matrix(tfm_param *p, tfm_weight *w, int64_t s0, int64_t s1, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    param_fill(p, 2, s0, s1, fmt, ap);
    va_end(ap);
    p->matrix = w;
}

void tfm_param_vector(tfm_param *p, const float **slot, int64_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    param_fill(p, 1, n, 1, fmt, ap);
    va_end(ap);
    p->slot = slot;
}

tfm_param *tfm_encoder_block_params(tfm_param *p, tfm_layer *l, const char *prefix, int i,
                                    int64_t H, int64_t I, const char *const mod[8])
{
    tfm_linear *lin[] = {&l->q, &l->k, &l->v, &l->o, NULL, &l->fc1, &l->fc2, NULL};
    tfm_norm *norm[] = {NULL, NULL, NULL, NULL, &l->ln1, NULL, NULL, &l->ln2};
    const int64_t out[] = {H, H, H, H, H, I, H, H}, in[] = {H, H, H, H, 0, H, I, 0};
    for (int k = 0; k < 8; k++) {
        if (lin[k] != NULL)
            tfm_param_matrix(p++, &lin[k]->w, out[k], in[k], "%s%d.%s.weight", prefix, i, mod[k]);
        else
            tfm_param_vector(p++, &norm[k]->w, out[k], "%s%d.%s.weight", prefix, i, mod[k]);
        tfm_param_vector(p++, lin[k] != NULL ? &lin[k]->b : &norm[k]->b, out[k], "%s%d.%s.bias",
                         prefix, i, mod[k]);
    }
    return p;
}

/* [N] int64 position ids, then floats: x, t [N, H]; qkv [N, 3H]; ctx [N, H];
 * f [N, I]; s [B, nH, T, T]; madd [N]. */
size_t tfm_scratch_floats_common(const tfm_config *cfg, int64_t B, int64_t T)
{
    const double N = (double)B * (double)T, H = (double)cfg->hidden;
    double total = 2.0 * N + N * H * 6.0 + N * (double)cfg->inner
                   + (double)B * (double)cfg->n_heads * (double)T * (double)T + N;
    if (B < 1 || T < 1 || total * sizeof(float) > (double)(SIZE_MAX / 2))
        return 0;
    return (size_t)total;
}

void tfm_scratch_carve(const tfm_config *cfg, int64_t B, int64_t T, float *ws, tfm_scratch *sc)
{
    const int64_t N = B * T, H = cfg->hidden;
    sc->pos = (int64_t *)(void *)ws;
    sc->x = ws + 2 * N;
    sc->t = sc->x + N * H;
    sc->qkv = sc->t + N * H;
    sc->ctx = sc->qkv + 3 * N * H;
    sc->f = sc->ctx + N * H;
    sc->s = sc->f + N * cfg->inner;
    sc->madd = sc->s + B * cfg->n_heads * T * T;
}

int64_t tfm_max_seq_positions(const tfm_config *cfg)
{
    return cfg->max_positions;
}

int64_t tfm_max_seq_rope(const tfm_config *cfg)
{
    (void)cfg;
    return (int64_t)1 << 24;
}
