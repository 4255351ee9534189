/* Pooling of one hooked activation into per-sample features, the first
 * step of the CKA sink that cka_compare runs inside the forward hooks.
 *
 * An activation is a row-major (C order) float tensor in its PyTorch shape,
 * whose first dimension must be the batch.  For a 3-D [batch, seq, hidden]
 * output whose second dimension is the sequence length of the batch
 * ("sequence output"), the pooling modes are:
 *   FLATTEN  every position, flattened per sample in row-major order
 *            (pytorch-cka); with a mask, the features of padding positions
 *            are set to 0, so that the content of pads does not count;
 *   MEAN     mean over the non-padding tokens;
 *   FIRST    the first non-padding token (position 0 with right padding);
 *   LAST     the last non-padding token;
 *   TOKENS   every non-padding token is a sample (n = number of tokens).
 * Without a mask every token is valid.  Outputs that are not sequence
 * outputs ([batch, hidden] like BERT's pooler, [batch, heads, seq, seq]
 * attention probabilities) are flattened per sample for every mode except
 * TOKENS, which rejects them. */
#ifndef CKA_POOL_H
#define CKA_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "common/cka_error.h"
#include "cka/cka_gram.h"

typedef enum {
    CKA_POOL_FLATTEN = 0,
    CKA_POOL_MEAN = 1,
    CKA_POOL_FIRST = 2,
    CKA_POOL_LAST = 3,
    CKA_POOL_TOKENS = 4
} cka_pooling;

/* Same layout as tfm_activation (tfm.h). */
typedef struct cka_tensor {
    const float *data;
    int ndim;
    int64_t shape[4];
} cka_tensor;

/* Reusable scratch of the pooling step (grown on demand; free with
 * cka_pool_scratch_free). */
typedef struct cka_pool_scratch {
    void *buf;
    size_t cap; /* bytes */
} cka_pool_scratch;

void cka_pool_scratch_free(cka_pool_scratch *s);

/* "flatten" | "mean" | "first" | "last" | "tokens" -> mode; -1 with
 * cka:input:badOption otherwise. */
int cka_pooling_from_name(const char *name, cka_pooling *p, cka_error *err);

/* Number of samples the pooling gives for a batch: B, or for TOKENS the
 * number of nonzero mask entries (B*T without mask). */
size_t cka_pool_count(cka_pooling p, const float *mask, int64_t B, int64_t T);

/* Pool activation a (batch B, sequence length T, mask [B, T] row-major or
 * NULL) into the feature view *out (which may point into a or into s).
 * what names the layer in error messages: cka:input:notBatched when the
 * first dimension is not B, cka:input:badPooling for TOKENS on a
 * non-sequence output, cka:input:emptySequence for a row without valid
 * token (MEAN, FIRST, LAST), cka:memory:outOfMemory. */
int cka_pool(const cka_tensor *a, cka_pooling p, const float *mask, int64_t B, int64_t T,
             cka_pool_scratch *s, cka_features *out, const char *what, cka_error *err);

#endif
