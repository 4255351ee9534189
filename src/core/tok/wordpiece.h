/* BERT / DistilBERT tokenizer: Hugging Face BertTokenizer (transformers 4.31,
 * slow) = special-token split, BasicTokenizer, then greedy longest-match
 * WordPiece.  See doc of wp_encode for the exact steps. */
#ifndef CKA_WORDPIECE_H
#define CKA_WORDPIECE_H

#include "tok/tok_common.h"

typedef struct wp_options {
    int lowercase;       /* do_lower_case */
    int strip_accents;   /* -1: follow lowercase (HF null), 0: never, 1: always */
    int chinese;         /* tokenize_chinese_chars: spaces around CJK ideographs */
    int clean_text;      /* drop NUL/U+FFFD/controls, map whitespace to ' ' (slow: always) */
    int nfc;             /* NFC before the whitespace split (slow 4.31: yes; Rust BertNormalizer: no) */
    int max_chars;       /* max_input_chars_per_word (100): longer words become unk */
    tok_str prefix;      /* continuing_subword_prefix, "##" */
    tok_str unk;         /* unk_token, "[UNK]" */
} wp_options;

typedef struct wp_model {
    wp_options opt;
    tok_hash vocab;      /* token -> id (the last of duplicate lines wins, as in HF) */
    int32_t unk_id;
    size_t max_token_bytes;
    tok_specials specials;
    tok_buf scratch[4];
    /* the character classes below for ASCII, computed once from utf8proc */
    unsigned char ascii_cls[128];
    char ascii_lower[128];
} wp_model;

/* vocab[k] is the token of id k (strings must outlive the model); special
 * tokens (split out of the text first, never split further) with their ids.
 * Errors: cka:tokenizer:missingToken when opt->unk is not in the vocab. */
int wp_init(wp_model *m, const wp_options *opt, size_t nvocab, const tok_str *vocab,
            size_t nspecial, const tok_str *special, const int32_t *special_id,
            cka_error *err);

/* Append the tokens of text[0..n) (valid UTF-8, see tok_utf8_validate) to out:
 *  0. (lowercase only) lower-case every character outside special tokens, one
 *     character at a time (what PreTrainedTokenizer.tokenize does, so there
 *     is no final-sigma rule);
 *  1. split out special tokens;
 *  2. clean: drop U+0000, U+FFFD and category C* except \t \n \r; Python
 *     whitespace (' ', \t, \n, \r, Zs) becomes ' ';
 *  3. spaces around CJK ideographs; NFC; split on Python whitespace;
 *  4. per word: lower-case (full mapping) and/or strip accents (NFD, then
 *     drop category Mn); split off every punctuation character (ASCII
 *     33-47, 58-64, 91-96, 123-126 and category P*);
 *  5. WordPiece: a word of more than max_chars code points is unk; else
 *     greedy longest match, "##"-prefixed after the first piece; if some
 *     position matches nothing the whole word is unk. */
int wp_encode(wp_model *m, const char *text, size_t n, tok_out *out, cka_error *err);

void wp_free(wp_model *m);

#endif
