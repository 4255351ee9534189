/* Shared pieces of the tokenizers (wordpiece.c, bpe.c): a string -> int32
 * hash table, a string arena, the growable output of an encoding, UTF-8
 * validation/decoding and the Unicode character classes the Hugging Face
 * tokenizers use, all taken from utf8proc (no hand-made Unicode tables).
 *
 * Everything here accepts arbitrary bytes safely: lengths are explicit (no
 * NUL termination needed), invalid UTF-8 is reported, never read past. */
#ifndef CKA_TOK_COMMON_H
#define CKA_TOK_COMMON_H

#include "common/cka_error.h"

#include <stddef.h>
#include <stdint.h>

/* A byte string that is not owned (points into someone else's memory). */
typedef struct tok_str {
    const char *s;
    size_t n;
} tok_str;

/* ---- arena: stable storage for strings built at run time --------------- */
typedef struct tok_arena_block tok_arena_block;
typedef struct tok_arena {
    tok_arena_block *head;
} tok_arena;

void tok_arena_init(tok_arena *a);
/* Copy n bytes (plus a NUL) into the arena; NULL when out of memory. */
char *tok_arena_copy(tok_arena *a, const char *s, size_t n);
/* Copy the concatenation s1 s2; NULL when out of memory. */
char *tok_arena_concat(tok_arena *a, const char *s1, size_t n1, const char *s2, size_t n2);
void tok_arena_free(tok_arena *a);

/* ---- growable byte buffer ------------------------------------------------ */
typedef struct tok_buf {
    char *p;
    size_t n, cap;
} tok_buf;

void tok_buf_init(tok_buf *b);
int tok_buf_reserve(tok_buf *b, size_t extra);   /* room for n + extra + 1 bytes */
int tok_buf_append(tok_buf *b, const char *s, size_t n);
int tok_buf_put_cp(tok_buf *b, int32_t cp);      /* UTF-8 encoded */
void tok_buf_free(tok_buf *b);

/* ---- hash table: byte string -> int32 ---------------------------------- */
/* Open addressing (linear probing), FNV-1a hashes, keys are NOT copied: they
 * must outlive the table (vocab strings in the caller's memory, or strings
 * in a tok_arena). */
typedef struct tok_hash_slot {
    uint32_t hash;    /* of the entry's key (probing compares it first) */
    int32_t e;        /* entry index, -1 = free */
} tok_hash_slot;

typedef struct tok_hash {
    size_t cap;       /* slots, a power of two (0 = empty table) */
    size_t count;     /* entries */
    tok_hash_slot *slot;
    tok_str *key;     /* count entries */
    int32_t *val;
    uint32_t *hash;
    size_t entries_cap;
} tok_hash;

uint32_t tok_hash_bytes(const char *s, size_t n);
int tok_hash_init(tok_hash *h, size_t expected);
/* Insert key -> val.  If the key exists: overwrite its value when
 * `overwrite`, else keep it.  Returns the entry index, -1 when out of memory. */
int32_t tok_hash_put(tok_hash *h, const char *s, size_t n, int32_t val, int overwrite);
/* Entry index of the key, -1 when absent. */
int32_t tok_hash_find(const tok_hash *h, const char *s, size_t n);
void tok_hash_free(tok_hash *h);

/* ---- output of an encoding --------------------------------------------- */
/* ids, and (when want_tokens) the token strings, NUL-separated in buf.
 * "Odd" tokens are those whose string is not the vocabulary entry of their
 * id (a BPE symbol missing from the vocabulary, given the unknown token's
 * id): their indices and strings are always recorded, so that a caller can
 * take every other token string from the vocabulary. */
typedef struct tok_out {
    int32_t *ids;
    size_t n, cap;
    int want_tokens;
    size_t *tok_off;  /* n offsets into buf */
    size_t *tok_len;
    char *buf;
    size_t buf_n, buf_cap;
    size_t *odd;      /* n_odd indices into ids */
    size_t *odd_off;  /* their strings in odd_buf */
    size_t *odd_len;
    size_t n_odd, odd_cap;
    tok_buf odd_buf;
} tok_out;

void tok_out_init(tok_out *o, int want_tokens);
void tok_out_reset(tok_out *o);   /* n = 0, keeps the memory */
int tok_out_push(tok_out *o, int32_t id, const char *tok, size_t tok_n);
int tok_out_push_odd(tok_out *o, int32_t id, const char *tok, size_t tok_n);
void tok_out_free(tok_out *o);

/* ---- UTF-8 --------------------------------------------------------------- */
/* 0 when s[0..n) is valid UTF-8 (no surrogates, no overlong forms, nothing
 * above U+10FFFF), else -1 with cka:tokenizer:invalidUtf8 naming the byte
 * offset and `what`. */
int tok_utf8_validate(const char *s, size_t n, const char *what, cka_error *err);
/* Decode the code point at s[0..n) of VALID UTF-8 (n > 0); returns its byte
 * length (1 for ASCII without a library call). */
size_t tok_utf8_next_slow(const char *s, size_t n, int32_t *cp);
static inline size_t tok_utf8_next(const char *s, size_t n, int32_t *cp)
{
    if (n > 0 && (unsigned char)s[0] < 0x80) {
        *cp = (unsigned char)s[0];
        return 1;
    }
    return tok_utf8_next_slow(s, n, cp);
}
/* Encode a code point; returns its byte length (1..4), out needs 4 bytes. */
size_t tok_utf8_put(int32_t cp, char *out);

/* ---- character classes (Unicode data from utf8proc) -------------------- */
/* Python's str.isspace(): bidirectional class WS, B or S, or category Zs
 * (CPython's definition in Tools/unicode/makeunicodedata.py). */
int tok_is_py_space(int32_t cp);
/* Python `regex` \s (Unicode White_Space property): categories Zs, Zl, Zp
 * plus U+0009..U+000D and U+0085 (PropList.txt lists exactly these). */
int tok_is_regex_space(int32_t cp);
int tok_is_letter(int32_t cp);   /* \p{L}: Lu Ll Lt Lm Lo */
int tok_is_number(int32_t cp);   /* \p{N}: Nd Nl No */

/* ---- special tokens ------------------------------------------------------ */
/* Special (added) tokens are split out of the text before anything else.  At
 * each position the longest special token that starts there wins; scanning
 * is left to right. */
typedef struct tok_specials {
    size_t n;
    const tok_str *tok;     /* not owned */
    const int32_t *id;      /* not owned */
    unsigned char first[256];
} tok_specials;

void tok_specials_init(tok_specials *sp, size_t n, const tok_str *tok, const int32_t *id);
/* Index of the longest special token at s[0..n), or -1. */
int tok_specials_match(const tok_specials *sp, const char *s, size_t n);

/* Split text[0..n) (valid UTF-8) on the special tokens: every piece between
 * them goes to chunk(ctx, piece, len, out, err), every special token is
 * pushed to out with its id.  Returns 0, or -1 with err set. */
typedef int (*tok_chunk_fn)(void *ctx, const char *s, size_t n, tok_out *out, cka_error *err);
int tok_split_specials(const tok_specials *sp, const char *text, size_t n, tok_chunk_fn chunk,
                       void *ctx, tok_out *out, cka_error *err);

#endif
