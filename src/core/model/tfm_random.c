/* Portable normal random numbers for tfm_create (see tfm_randn in tfm.h).
 *
 * Generator: cka_rng (common/cka_rng.h), one stream per parameter tensor.
 * Uniforms are the top 53 bits of an output times 2^-53; Box-Muller with u1 in (0, 1]
 * turns each pair (u1, u2) into r cos(2 pi u2), r sin(2 pi u2) with
 * r = sqrt(-2 log u1), both used, in that order.  Values are scaled by std
 * in double and rounded to float32 once. */
#include "model/tfm.h"
#include "common/cka_rng.h"

#include <math.h>

void tfm_randn(uint64_t seed, uint64_t stream, float std, float *out, size_t n)
{
    cka_rng s = cka_rng_start(seed, stream);
    const double two_pi = 6.283185307179586476925286766559;
    for (size_t i = 0; i < n; i += 2) {
        double u1 = (double)((cka_rng_next(&s) >> 11) + 1) * 0x1.0p-53;   /* (0, 1] */
        double u2 = (double)(cka_rng_next(&s) >> 11) * 0x1.0p-53;         /* [0, 1) */
        double r = sqrt(-2.0 * log(u1));
        out[i] = (float)(std * (r * cos(two_pi * u2)));
        if (i + 1 < n)
            out[i + 1] = (float)(std * (r * sin(two_pi * u2)));
    }
}
