/* The tokenizer built by the last call, kept for the next one.
 *
 * Building the hash tables of a tokenizer (vocabulary, merges) costs about
 * 5 ms for BERT and 45 ms for GPT-2, far more than tokenizing a sentence.  The
 * gateway describes the tokenizer it was given as a tok_spec (views over
 * Octave's strings); tok_cache_get compares it with the spec of the cached
 * model, string by string, and rebuilds only when something differs.  The
 * cached model is built from the cache's own copy of the spec, so it never
 * points into memory Octave may free. */
#ifndef CKA_TOK_CACHE_H
#define CKA_TOK_CACHE_H

#include "tok/bpe.h"
#include "tok/spm.h"
#include "tok/wordpiece.h"

typedef struct tok_spec {
    int is_bpe;
    int is_spm;              /* SentencePiece BPE (is_bpe == 0) */
    spm_options spm;         /* its options */
    const double *score;     /* nvocab piece scores (SentencePiece) */
    const int32_t *piece_type; /* nvocab piece types (SentencePiece) */
    wp_options wp;           /* WordPiece options (is_bpe == 0) */
    int add_prefix_space;    /* BPE option */
    int bpe_pretok;          /* BPE options of tokenizer.json files (bpe.h) */
    int bpe_nfc;
    int bpe_ignore_merges;
    tok_str unk;             /* BPE unknown token (WordPiece: wp.unk) */
    size_t nvocab, nmerge, nspecial;
    const tok_str *vocab;    /* nvocab */
    const tok_str *left, *right; /* nmerge (BPE) */
    const tok_str *special;  /* nspecial */
    const int32_t *special_id;
} tok_spec;

typedef struct tok_model {
    int is_bpe, is_spm;
    wp_model wp;
    bpe_model bpe;
    spm_model spm;
} tok_model;

typedef struct tok_cache {
    int valid;
    tok_spec spec;           /* views into store, strs, ids */
    char *store;             /* every byte of every string */
    tok_str *strs;           /* vocab, left, right, special, then wp.prefix/wp.unk/unk */
    int32_t *ids;
    double *score;           /* SentencePiece scores and piece types */
    int32_t *piece_type;
    tok_model model;
    unsigned long builds;    /* models built so far (for tests) */
} tok_cache;

/* The model for spec: the cached one when the cached spec equals spec,
 * else a new one (the old is freed).  On an error the cache is empty. */
int tok_cache_get(tok_cache *c, const tok_spec *spec, tok_model **model, cka_error *err);

/* Encodes text with a model from tok_cache_get. */
int tok_model_encode(tok_model *m, const char *text, size_t n, tok_out *out, cka_error *err);

void tok_cache_free(tok_cache *c);

#endif
