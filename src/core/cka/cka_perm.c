/* See cka_perm.h. */
#include "cka/cka_perm.h"
#include "common/cka_rng.h"

#include <stdlib.h>

void cka_perm_draw(uint64_t seed, uint64_t stream, size_t p, size_t n, size_t *perm)
{
    /* one generator per (stream, p): permutation p does not depend on how
     * many permutations came before it, so P = 100 is a prefix of P = 1000 */
    cka_rng r = cka_rng_start(seed ^ cka_rng_rotl(stream, 32), stream + p * 0x632BE59BD9B4E019ULL);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = cka_rng_below(&r, i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

void cka_perm_apply(const cka_gram_set *B, const size_t *perm, cka_gram_set *Bp)
{
    const size_t n = B->n, nn = n * n;
    for (size_t k = 0; k < B->m; k++) {
        const double *L = B->gram + k * nn, *r = B->rowsum + k * n;
        double *Lp = Bp->gram + k * nn, *rp = Bp->rowsum + k * n;
        for (size_t b = 0; b < n; b++) {
            const double *col = L + perm[b] * n;
            for (size_t a = 0; a < n; a++)
                Lp[b * n + a] = col[perm[a]];
            rp[b] = r[perm[b]];
        }
        Bp->total[k] = B->total[k];
    }
}

int cka_hsic_permuted(const cka_gram_set *A, const cka_gram_set *B, const cka_options *o,
                      size_t P, uint64_t seed, uint64_t stream, double *H, cka_error *err)
{
    const size_t n = B->n, m = B->m;
    cka_gram_set Bp = {n, m, malloc(m * n * n * sizeof(double)),
                       malloc(m * n * sizeof(double)), malloc(m * sizeof(double))};
    size_t *perm = malloc(n * sizeof *perm);
    int rc = 0;
    if (Bp.gram == NULL || Bp.rowsum == NULL || Bp.total == NULL || perm == NULL) {
        rc = cka_error_set(err, "cka:memory:outOfMemory",
                           "the permutation test needs a copy of %zu Gram matrices of %zu x %zu",
                           m, n, n);
    } else {
        for (size_t p = 0; p < P; p++) {
            cka_perm_draw(seed, stream, p, n, perm);
            cka_perm_apply(B, perm, &Bp);
            cka_hsic_pairs(A, &Bp, o, H + p * A->m * m);
        }
    }
    free(perm);
    free(Bp.gram);
    free(Bp.rowsum);
    free(Bp.total);
    return rc;
}
