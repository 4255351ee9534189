/* Rotary position embeddings (RoPE) of GPT-NeoX and the Llama family, in
 * Hugging Face's "rotate_half" layout (shared/spec/transformers.md §8.3,
 * §8.4).  For rotated dims n (even) and position p:
 *
 *   inv_freq[k] = 1 / theta^(2k/n),  k < n/2        (float32, as HF)
 *   angle[p, k] = p * inv_freq[k]                   (one float32 product)
 *   y[k]       = x[k] cos - x[k + n/2] sin
 *   y[k + n/2] = x[k + n/2] cos + x[k] sin
 *
 * with the rope_scaling variants folded into inv_freq and the positions:
 * linear divides the positions by the factor (transformers 4.31), dynamic
 * (NTK) raises theta when the sequence is longer than
 * max_position_embeddings, llama3 rescales the frequency bands.
 * Positions are 0..T-1 for every batch row (HF's default position_ids). */
#ifndef CKA_ROPE_H
#define CKA_ROPE_H

#include "model/tfm.h"

#include <stdint.h>

/* Rotated dims of one head (NeoX: int(d * rotary_pct); else d). */
int64_t rope_dims(const tfm_config *cfg);

/* cos and sin of angle[p, k] for p < rows, k < n/2, into cos_t, sin_t
 * ([rows, n/2] each), for a forward on sequences of length T (dynamic
 * scaling depends on it). */
void rope_tables(const tfm_config *cfg, int64_t n, int64_t T, int64_t rows, float *cos_t,
                 float *sin_t);

/* What the rotary_emb hook of transformers 4.31 returns: cat(cos, cos)
 * along the last axis, [rows, n], from the cos table ([rows, n/2]). */
void rope_cos_hook(const float *cos_t, int64_t n, int64_t rows, float *out);

/* Rotate the first n dims of every head of x in place: x is [B*T, ld],
 * head h starts at column h * step (nheads heads); row r has position
 * r % T.  cos_t, sin_t: [T, n/2] tables from rope_tables. */
void rope_apply(float *x, int64_t ld, int64_t B, int64_t T, int64_t nheads, int64_t step,
                int64_t n, const float *cos_t, const float *sin_t);

#endif
