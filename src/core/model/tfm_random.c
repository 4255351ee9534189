/* Portable normal random numbers for tfm_create (see tfm_randn in tfm.h).
 *
 * Generator: xoshiro256** (Blackman & Vigna, 2018) whose 256-bit state is
 * filled by four outputs of splitmix64 started at
 *     seed ^ (stream * 0x9E3779B97F4A7C15),
 * so every (seed, stream) pair -- tfm_create uses one stream per parameter
 * tensor -- gives an independent, reproducible sequence.  Uniforms are the
 * top 53 bits of an output times 2^-53; Box-Muller with u1 in (0, 1]
 * turns each pair (u1, u2) into r cos(2 pi u2), r sin(2 pi u2) with
 * r = sqrt(-2 log u1), both used, in that order.  Values are scaled by std
 * in double and rounded to float32 once. */
#include "model/tfm.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t xoshiro_next(uint64_t s[4])
{
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

void tfm_randn(uint64_t seed, uint64_t stream, float std, float *out, size_t n)
{
    uint64_t sm = seed ^ (stream * 0x9E3779B97F4A7C15ULL);
    uint64_t s[4];
    for (int k = 0; k < 4; k++)
        s[k] = splitmix64(&sm);
    const double two_pi = 6.283185307179586476925286766559;
    for (size_t i = 0; i < n; i += 2) {
        double u1 = (double)((xoshiro_next(s) >> 11) + 1) * 0x1.0p-53;   /* (0, 1] */
        double u2 = (double)(xoshiro_next(s) >> 11) * 0x1.0p-53;         /* [0, 1) */
        double r = sqrt(-2.0 * log(u1));
        out[i] = (float)(std * (r * cos(two_pi * u2)));
        if (i + 1 < n)
            out[i + 1] = (float)(std * (r * sin(two_pi * u2)));
    }
}
