#include "cka/cka_pool.h"

#include <stdlib.h>
#include <string.h>

void cka_pool_scratch_free(cka_pool_scratch *s)
{
    free(s->buf);
    s->buf = NULL;
    s->cap = 0;
}

static void *scratch(cka_pool_scratch *s, size_t bytes)
{
    if (bytes == 0)
        bytes = 1;
    if (s->cap < bytes) {
        void *p = realloc(s->buf, bytes);
        if (p == NULL)
            return NULL;
        s->buf = p;
        s->cap = bytes;
    }
    return s->buf;
}

int cka_pooling_from_name(const char *name, cka_pooling *p, cka_error *err)
{
    static const char *names[] = {"flatten", "mean", "first", "last", "tokens"};
    for (int k = 0; k < 5; k++)
        if (strcmp(name, names[k]) == 0) {
            *p = (cka_pooling)k;
            return 0;
        }
    return cka_error_set(err, "cka:input:badOption",
                         "unknown Pooling '%s' (expected flatten, mean, first, last or tokens)",
                         name);
}

size_t cka_pool_count(cka_pooling p, const float *mask, int64_t B, int64_t T)
{
    if (p != CKA_POOL_TOKENS)
        return (size_t)B;
    if (mask == NULL)
        return (size_t)(B * T);
    size_t n = 0;
    for (int64_t t = 0; t < B * T; t++)
        n += mask[t] != 0.0f;
    return n;
}

int cka_pool(const cka_tensor *a, cka_pooling p, const float *mask, int64_t B, int64_t T,
             cka_pool_scratch *s, cka_features *out, const char *what, cka_error *err)
{
    if (a->ndim < 1 || a->shape[0] != B)
        return cka_error_set(err, "cka:input:notBatched",
                             "the output of %s has first dimension %lld, not the batch size %lld "
                             "(only outputs with a batch axis can be compared)",
                             what, a->ndim < 1 ? 0LL : (long long)a->shape[0], (long long)B);
    size_t numel = 1;
    for (int k = 0; k < a->ndim; k++)
        numel *= (size_t)a->shape[k];
    size_t d = B ? numel / (size_t)B : 0;
    int seq = a->ndim == 3 && a->shape[1] == T; /* [B, T, H]; 4-D outputs are not */
    size_t H = seq ? d / (size_t)T : 0; /* features per token */
    out->n = (size_t)B;
    out->d = d;
    out->type = CKA_F32;
    out->sample_major = 1;
    out->data = a->data;
    if (p == CKA_POOL_TOKENS && !seq)
        return cka_error_set(err, "cka:input:badPooling",
                             "Pooling \"tokens\" needs a [batch, seq, hidden] output; %s has %d "
                             "dimensions or no sequence axis of length %lld",
                             what, a->ndim, (long long)T);
    if (!seq || (p == CKA_POOL_FLATTEN && mask == NULL))
        return 0; /* per-sample block, in place */
    if (p == CKA_POOL_FLATTEN) {
        float *x = scratch(s, numel * sizeof *x);
        if (x == NULL)
            return cka_error_set(err, "cka:memory:outOfMemory", "out of memory pooling %s", what);
        for (int64_t b = 0; b < B; b++)
            for (int64_t t = 0; t < T; t++) {
                size_t off = ((size_t)b * (size_t)T + (size_t)t) * H;
                if (mask[b * T + t] != 0.0f)
                    memcpy(x + off, a->data + off, H * sizeof *x);
                else
                    memset(x + off, 0, H * sizeof *x);
            }
        out->data = x;
        return 0;
    }
    if (p == CKA_POOL_TOKENS) {
        size_t n = cka_pool_count(p, mask, B, T);
        float *x = scratch(s, n * H * sizeof *x);
        if (x == NULL)
            return cka_error_set(err, "cka:memory:outOfMemory", "out of memory pooling %s", what);
        size_t k = 0;
        for (int64_t bt = 0; bt < B * T; bt++)
            if (mask == NULL || mask[bt] != 0.0f)
                memcpy(x + (k++) * H, a->data + (size_t)bt * H, H * sizeof *x);
        out->data = x;
        out->n = n;
        out->d = H;
        return 0;
    }
    /* MEAN / FIRST / LAST: one [H] vector per sample, in double. */
    double *x = scratch(s, (size_t)B * H * sizeof *x);
    if (x == NULL)
        return cka_error_set(err, "cka:memory:outOfMemory", "out of memory pooling %s", what);
    for (int64_t b = 0; b < B; b++) {
        const float *row = a->data + (size_t)b * (size_t)T * H;
        double *xb = x + (size_t)b * H;
        int64_t first = -1, last = -1, count = 0;
        for (int64_t t = 0; t < T; t++)
            if (mask == NULL || mask[b * T + t] != 0.0f) {
                if (first < 0)
                    first = t;
                last = t;
                count++;
            }
        if (count == 0)
            return cka_error_set(err, "cka:input:emptySequence",
                                 "sample %lld of the batch has no non-padding token (attention "
                                 "mask all zero), so %s cannot be pooled",
                                 (long long)b + 1, what);
        if (p == CKA_POOL_MEAN) {
            for (size_t h = 0; h < H; h++)
                xb[h] = 0.0;
            for (int64_t t = 0; t < T; t++)
                if (mask == NULL || mask[b * T + t] != 0.0f)
                    for (size_t h = 0; h < H; h++)
                        xb[h] += (double)row[(size_t)t * H + h];
            for (size_t h = 0; h < H; h++)
                xb[h] /= (double)count;
        } else {
            int64_t t = p == CKA_POOL_FIRST ? first : last;
            for (size_t h = 0; h < H; h++)
                xb[h] = (double)row[(size_t)t * H + h];
        }
    }
    out->data = x;
    out->type = CKA_F64;
    out->d = H;
    return 0;
}
