/* Readers of the line-based tokenizer files, over a byte buffer (the caller
 * reads the file).  They accept arbitrary bytes: every failure is a
 * cka:tokenizer:* error naming the file and line, never a crash.
 *
 * Lines end at "\n", "\r\n" or a lone "\r" (Python's universal newlines,
 * which the Hugging Face slow tokenizers get from open() in text mode).
 * The returned tok_str arrays point into `buf` (nothing is copied); free
 * them with free(). */
#ifndef CKA_TOK_FILES_H
#define CKA_TOK_FILES_H

#include "tok/tok_common.h"

/* vocab.txt: one token per line, id = 0-based line number.  A final line
 * terminator does not start another (empty) token.  Fails on invalid UTF-8
 * (cka:tokenizer:invalidUtf8) and on an empty file (cka:tokenizer:emptyVocab). */
int tok_read_vocab_txt(const char *buf, size_t n, const char *what,
                       tok_str **tokens, size_t *count, cka_error *err);

/* merges.txt: an optional first line "#version..." (skipped), then one merge
 * "left right" per line, rank = position among the merge lines.  Each line
 * must split on whitespace into exactly two parts (cka:tokenizer:badMerges);
 * a trailing empty line is ignored.  left[k], right[k] for k < *count. */
int tok_read_merges_txt(const char *buf, size_t n, const char *what,
                        tok_str **left, tok_str **right, size_t *count, cka_error *err);

/* One merge given as a single string "left right" (tokenizer.json before
 * tokenizers 0.20): split it on whitespace into exactly two parts. */
int tok_split_merge(const char *s, size_t n, tok_str *left, tok_str *right);

#endif
