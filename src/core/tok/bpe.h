/* GPT-2 byte-level BPE: Hugging Face GPT2Tokenizer (transformers 4.31, slow):
 * special-token split, the GPT-2 pre-tokenisation pattern, the byte-to-unicode
 * map, then rank-ordered BPE merges (with a cache of words already seen).
 * The same model serves the byte-level tokenizer.json files of GPT-NeoX /
 * Pythia (NFC normaliser) and Qwen2 / Llama-3 (NFC, the Split pattern of
 * bpe_regex.c, ignore_merges), as the fast tokenizers run them. */
#ifndef CKA_BPE_H
#define CKA_BPE_H

#include "tok/tok_common.h"

typedef struct bpe_pair_slot {
    uint64_t key;       /* (left symbol << 32) | right symbol; UINT64_MAX = free */
    int32_t rank;
    int32_t merged;     /* symbol of left+right */
} bpe_pair_slot;

/* The pre-tokenisation patterns. */
enum {
    BPE_PRETOK_GPT2 = 0,   /* bpe_pretok_next */
    BPE_PRETOK_QWEN2 = 1,  /* bpe_pretok_split_next(.., 1) */
    BPE_PRETOK_LLAMA3 = 2  /* bpe_pretok_split_next(.., 3) */
};

typedef struct bpe_model {
    tok_arena arena;       /* owned strings: merged symbols, cached words */
    tok_hash sym;          /* symbol string -> symbol index (val = index) */
    int32_t *sym_id;       /* vocab id of each symbol, -1 when not in the vocab */
    size_t nsym, sym_cap;
    int32_t byte_sym[256]; /* symbol of each byte's byte-to-unicode character */
    bpe_pair_slot *pair;   /* open addressing */
    size_t pair_cap;
    int32_t unk_id;        /* id for symbols missing from the vocab (-1: error) */
    tok_str unk;
    tok_specials specials;
    int add_prefix_space;
    /* options of tokenizer.json files, set after bpe_init (0 = GPT-2) */
    int pretok;            /* BPE_PRETOK_* */
    int nfc;               /* NFC-normalise the text between special tokens */
    int ignore_merges;     /* a pre-token that is a vocabulary entry is one token */
    /* cache: word bytes -> list of symbols in cache_sym */
    tok_hash cache;
    int32_t *cache_sym;
    size_t cache_n, cache_cap;
    size_t max_cache_words;
    /* scratch of the merge loop */
    void *work;
    size_t work_cap;
} bpe_model;

/* vocab[k] is the token of id k, merges (left[r], right[r]) have rank r (a
 * pair listed twice keeps its last rank, as Python's dict does).  Strings
 * must outlive the model.  unk: the token used for a symbol missing from the
 * vocab (GPT-2: "<|endoftext|>"); NULL/empty = none (then a missing symbol
 * is a cka:tokenizer:missingToken error at encode time). */
int bpe_init(bpe_model *m, size_t nvocab, const tok_str *vocab,
             size_t nmerges, const tok_str *left, const tok_str *right,
             const tok_str *unk, size_t nspecial, const tok_str *special,
             const int32_t *special_id, int add_prefix_space, cka_error *err);

/* Append the tokens of text[0..n) (valid UTF-8) to out. */
int bpe_encode(bpe_model *m, const char *text, size_t n, tok_out *out, cka_error *err);

void bpe_free(bpe_model *m);

/* GPT-2's byte-to-unicode map: bytes 0x21-0x7E, 0xA1-0xAC, 0xAE-0xFF map to
 * themselves, the other 68 bytes in increasing order to U+0100, U+0101, ... */
int32_t bpe_byte_to_unicode(unsigned char b);
/* Inverse: the byte of a code point, or -1 when it is not in the map. */
int bpe_unicode_to_byte(int32_t cp);

/* The pre-tokeniser: length of the piece starting at s[0..n) (n > 0, valid
 * UTF-8), for the pattern
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * with the alternatives tried in order at this position. */
size_t bpe_pretok_next(const char *s, size_t n);

/* The Qwen2 pre-tokeniser (bpe_regex.c): length of the piece starting at
 * s[0..n) (n > 0, valid UTF-8) for the pattern
 *   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|
 *    ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * with \p{N}{1,max_digits} in place of \p{N} (Llama-3: max_digits 3). */
size_t bpe_pretok_split_next(const char *s, size_t n, int max_digits);

/* Decode a concatenation of byte-level symbols (UTF-8) back to text: every
 * character of the map becomes its byte, others are copied as UTF-8; the
 * bytes are then decoded as UTF-8 with each maximal ill-formed subpart
 * replaced by U+FFFD (Python's bytes.decode("utf-8", "replace")). */
int bpe_decode_bytes(const char *s, size_t n, tok_buf *dst);

#endif
