/* SentencePiece BPE (Llama, Mistral, stories260K) as Hugging Face's slow
 * LlamaTokenizer (transformers 4.31) runs it: special tokens split out of the
 * text, each piece between them encoded by sentencepiece's EncodeAsPieces:
 *
 *  1. normalise (NormalizerSpec): identity, or NFKC through utf8proc for the
 *     nfkc / nmt_nfkc normalizers (see doc/tokenizers.md for what differs
 *     from sentencepiece's compiled rules); remove_extra_whitespaces drops
 *     leading and trailing spaces and collapses runs; add_dummy_prefix puts
 *     one space in front; escape_whitespaces writes spaces as U+2581;
 *  2. one symbol per character (a user-defined piece is one symbol);
 *  3. BPE driven by the piece scores: repeatedly merge the adjacent pair whose
 *     concatenation is a piece of the highest score (the leftmost on a tie);
 *  4. a symbol that is not a piece is the unknown piece: with byte_fallback
 *     its UTF-8 bytes become the <0xXX> pieces, else consecutive unknown
 *     symbols make one unknown token.
 *
 * legacy = 0 is the fixed behaviour of transformers PR #24565: the text gets
 * one U+2581 in front (U+2581 inside it become spaces) and a piece after a
 * special token loses the U+2581 of its first token unless it starts with a
 * space. */
#ifndef CKA_SPM_H
#define CKA_SPM_H

#include "tok/tok_common.h"

typedef struct spm_options {
    int normalizer;          /* SPM_NORM_* (spm_file.h) */
    int case_fold;
    int add_dummy_prefix;
    int remove_extra_whitespaces;
    int escape_whitespaces;
    int byte_fallback;
    int legacy;
} spm_options;

typedef struct spm_model {
    spm_options opt;
    size_t nvocab;
    const tok_str *vocab;    /* not owned */
    float *score;            /* owned copy */
    int32_t *type;           /* owned copy */
    tok_hash pieces;         /* normal, user-defined and unused pieces -> id */
    tok_hash reserved;       /* unknown, control and byte pieces -> id */
    int32_t unk_id;
    int32_t byte_id[256];    /* id of <0xXX>, -1 without byte fallback */
    tok_str *user;           /* user-defined pieces (matched whole in the text) */
    int32_t *user_id;
    tok_specials user_match;
    tok_specials specials;   /* Hugging Face special tokens */
    /* words already merged (see bpe_pieces): word bytes -> offset in seg,
     * where its symbol count and lengths are stored */
    int split_words;
    tok_arena arena;
    tok_hash cache;
    void *seg;
    size_t seg_n, seg_cap;
    /* scratch, reused between calls */
    tok_buf norm, work, pre;
    void *sym;
    size_t sym_cap;
    void *heap;
    size_t heap_cap;
    void *toks;
    size_t toks_cap;
} spm_model;

/* vocab[k], score[k], type[k] (SPM_NORMAL ... SPM_BYTE) describe id k; the
 * strings must outlive the model.  special/special_id: the tokens split out
 * of the text first.  Errors: cka:tokenizer:missingToken (no unknown piece,
 * missing byte pieces with byte_fallback), cka:tokenizer:badModel. */
int spm_init(spm_model *m, const spm_options *opt, size_t nvocab, const tok_str *vocab,
             const double *score, const int32_t *type, size_t nspecial, const tok_str *special,
             const int32_t *special_id, cka_error *err);

/* Append the tokens of text[0..n) (valid UTF-8) to out.  Tokens whose string
 * is not their id's piece (unknown text, pieces cut by legacy = 0) are pushed
 * as "odd" tokens with their own string. */
int spm_encode(spm_model *m, const char *text, size_t n, tok_out *out, cka_error *err);

void spm_free(spm_model *m);

/* sentencepiece's DecodePieces for pieces piece[0..n) of types type[]:
 * control pieces vanish, the unknown piece is " \u2047 ", runs of byte pieces
 * become their bytes (each byte that does not start a valid UTF-8 sequence
 * is U+FFFD), U+2581 becomes a space, and with add_dummy_prefix the leading
 * U+2581 of the first visible piece is dropped (with
 * remove_extra_whitespaces: every leading one).  dst is overwritten. */
int spm_decode(const tok_str *piece, const int32_t *type, size_t n, int add_dummy_prefix,
               int remove_extra_whitespaces, tok_buf *dst);

#endif
