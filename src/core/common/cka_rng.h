/* The package's one pseudo-random generator: xoshiro256** (Blackman &
 * Vigna, 2018) with its 256-bit state filled by four outputs of splitmix64
 * started at seed ^ (stream * 0x9E3779B97F4A7C15).  Every (seed, stream)
 * pair gives an independent, reproducible sequence on every platform:
 * tfm_create draws one stream per parameter tensor, the permutation test
 * one stream per batch. */
#ifndef CKA_RNG_H
#define CKA_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct cka_rng {
    uint64_t s[4];
} cka_rng;

static inline uint64_t cka_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline cka_rng cka_rng_start(uint64_t seed, uint64_t stream)
{
    cka_rng r;
    uint64_t sm = seed ^ (stream * 0x9E3779B97F4A7C15ULL);
    for (int k = 0; k < 4; k++)
        r.s[k] = cka_splitmix64(&sm);
    return r;
}

static inline uint64_t cka_rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t cka_rng_next(cka_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = cka_rng_rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = cka_rng_rotl(s[3], 45);
    return result;
}

/* A uniform integer in [0, k) for 0 < k < 2^32: the top bits of a 64 x 32
 * bit product (Lemire's multiply-shift); the bias, below k / 2^64, is far
 * under anything a permutation test can see. */
static inline size_t cka_rng_below(cka_rng *r, size_t k)
{
    return (size_t)(((cka_rng_next(r) >> 32) * (uint64_t)k) >> 32);
}

#endif
