/* 16-bit floating-point numbers as stored in checkpoints: bfloat16 (the
 * upper half of a float32) and IEEE binary16 ("half", f16).  Both widen to
 * float32 exactly; these are the package's one copy of the up-casts (the
 * safetensors decoder and the forward's weight panels use them). */
#ifndef CKA_HALF_H
#define CKA_HALF_H

#include <stdint.h>
#include <string.h>

static inline float cka_bits_to_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline float cka_bf16_to_f32(uint16_t b)
{
    return cka_bits_to_f32((uint32_t)b << 16);
}

static inline float cka_f16_to_f32(uint16_t h)
{
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t e = (h >> 10) & 0x1Fu, m = h & 0x3FFu;
    if (e == 0) {
        /* zero or subnormal: m * 2^-24, exact in float32 */
        const float v = (float)m * 5.9604644775390625e-08f;
        return sign ? -v : v;
    }
    if (e == 31)
        return cka_bits_to_f32(sign | 0x7F800000u | (m << 13));
    return cka_bits_to_f32(sign | ((e + 112u) << 23) | (m << 13));
}

#endif
