/* One mini-batch of streaming CKA between the layers of two models (or one
 * model with itself): the scheduling that turns layer lists into forward
 * requests, and the sink that turns each hooked activation into a prepared
 * Gram matrix of one or both sides.
 *
 *   plan:  with one model reading one batch, ONE pass requests the union of
 *          both layer lists, each module once, and its output feeds every
 *          (side, slot) that asked for it; otherwise one pass per side.
 *   feed:  activation -> pooling (cka_pool) -> Gram matrix (cka_gram) ->
 *          prepared in place (cka_gram_prepare), copied to the other side
 *          when both asked for the module; the activation is not kept.
 *   hsic:  after the passes, the HSIC of every pair and of every matrix
 *          with itself (cka_hsic_pairs / cka_hsic_self).
 *
 * The module indices are opaque here (cka/ knows nothing of the models):
 * the caller resolves layer names to indices, runs the forward passes with
 * the requests of each pass, and hands every hook output to
 * cka_stream_feed.  Memory: the caller allocates the two Gram sets (so a
 * MEX gateway can use memory that Octave reclaims on error) and the plan
 * arrays via cka_stream_plan_bytes. */
#ifndef CKA_STREAM_H
#define CKA_STREAM_H

#include "cka/cka_accum.h"
#include "cka/cka_pool.h"
#include "common/cka_error.h"

#include <stddef.h>
#include <stdint.h>

/* Where the output of one request goes: one or two (side, slot) pairs. */
typedef struct cka_stream_target {
    int count;
    int side[2];
    int slot[2];
} cka_stream_target;

/* The requests of one forward pass and their targets. */
typedef struct cka_stream_pass {
    int side;                   /* the model (and batch) this pass runs: 0 or 1 */
    int n_req;
    int *modules;               /* [n_req] module indices to request */
    cka_stream_target *targets; /* [n_req] */
    int *fired;                 /* [n_req] times each request was delivered */
} cka_stream_pass;

/* Optional: receives the pooled features of every (side, slot) before they
 * become a Gram matrix (the measures that need features, not Gram
 * matrices, e.g. exact full-data CKA and CCA).  f is valid during the call
 * only. */
typedef int (*cka_stream_features_fn)(void *ctx, int side, int slot, const cka_features *f,
                                      cka_error *err);

typedef struct cka_stream {
    cka_gram_set *sets[2];        /* side 0 (layers1) and side 1 (layers2) */
    cka_stream_features_fn features_out;  /* NULL: features are not kept */
    void *features_ctx;
    const char *const *names[2];  /* layer names per side, for messages */
    const char *model_label[2];
    cka_pooling pooling;
    cka_options opts;
    cka_pool_scratch scratch;
    int n_passes;
    cka_stream_pass passes[2];
} cka_stream;

/* Bytes of the plan arrays for L1 and L2 layers (at most: both passes). */
size_t cka_stream_plan_bytes(int L1, int L2);

/* Plan the passes: mods[s][k] is the module index of layer k of side s;
 * one_pass (same model, same batch) merges both lists into one pass.
 * `memory` holds cka_stream_plan_bytes(L1, L2) bytes, aligned for int. */
void cka_stream_plan(cka_stream *st, const int *mods1, int L1, const int *mods2, int L2,
                     int one_pass, void *memory);

/* Deliver the output of request r of pass p: pool it (batch B x T, mask
 * [B, T] row-major or NULL), make and prepare its Gram matrix in every
 * target.  Errors name the layer and model: those of cka_pool and
 * cka_gram, cka:input:sampleMismatch when the pooled sample count differs
 * from the set's n. */
int cka_stream_feed(cka_stream *st, int p, int r, const cka_tensor *act, const float *mask,
                    int64_t B, int64_t T, cka_error *err);

/* 0 when every request of pass p was delivered, else -1 with
 * cka:internal:hookNotFired naming the first missing layer. */
int cka_stream_check_fired(const cka_stream *st, int p, cka_error *err);

/* HSIC of every pair (hxy, L1 x L2 column-major) and of every matrix
 * with itself (hxx [L1], hyy [L2]). */
void cka_stream_hsic(const cka_stream *st, double *hxy, double *hxx, double *hyy);

/* Free the pooling scratch (the only memory the stream allocates). */
void cka_stream_free(cka_stream *st);

#endif
