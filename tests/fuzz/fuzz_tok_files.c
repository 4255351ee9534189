/* Fuzz target: the line-based tokenizer files as untrusted bytes.
 *   byte 0 bit0: the rest is a vocab.txt (else a merges.txt)
 *          bit1: lower-case (WordPiece) / add_prefix_space (BPE)
 * vocab.txt: tok_read_vocab_txt, then (when "[UNK]" is in it) wp_init and
 * WordPiece encodings of a fixed text and of the file itself.
 * merges.txt: tok_read_merges_txt, then bpe_init with a vocabulary of the
 * 256 byte symbols, "<|endoftext|>" and every merge's concatenation, and BPE
 * encodings.  Invariants: failures carry cka:tokenizer:* ids (or out of
 * memory), every id is inside the vocabulary. */
#include "tok/bpe.h"
#include "fuzz_common.h"
#include "tok/tok_files.h"
#include "tok/wordpiece.h"

#include <stdlib.h>
#include <string.h>

static const char text[] = "Hello, world! The café's naïve ünïcödé 東京 text\t\r\nwith  spaces [UNK] "
                           "<|endoftext|> 123 4.5e6 ##ing don't";

#define CHECK_IDS(out, nv)                                                  \
    for (size_t q = 0; q < (out).n; q++)                                    \
        FUZZ_ASSERT((out).ids[q] >= 0 && (size_t)(out).ids[q] < (nv))

static void run_vocab(const char *buf, size_t n, int lower)
{
    cka_error err;
    cka_error_clear(&err);
    tok_str *vocab = NULL;
    size_t nv = 0;
    if (tok_read_vocab_txt(buf, n, "vocab.txt", &vocab, &nv, &err) != 0) {
        FUZZ_CHECK_ERR(err, "cka:tokenizer:");
        return;
    }
    FUZZ_ASSERT(nv > 0);
    for (size_t k = 0; k < nv; k++)
        FUZZ_ASSERT(vocab[k].s >= buf && vocab[k].s + vocab[k].n <= buf + n);
    wp_options opt = {lower, -1, 1, 1, 1, 100, {"##", 2}, {"[UNK]", 5}};
    tok_str special[2] = {{"[CLS]", 5}, {"[SEP]", 5}};
    int32_t special_id[2] = {0, (int32_t)(nv - 1)};
    wp_model m;
    cka_error_clear(&err);
    if (wp_init(&m, &opt, nv, vocab, 2, special, special_id, &err) != 0) {
        FUZZ_CHECK_ERR(err, "cka:tokenizer:");
        free(vocab);
        return;
    }
    tok_out out;
    tok_out_init(&out, 1);
    cka_error_clear(&err);
    if (wp_encode(&m, text, sizeof text - 1, &out, &err) != 0)
        FUZZ_CHECK_ERR(err, "cka:tokenizer:");
    CHECK_IDS(out, nv);
    tok_out_reset(&out);
    cka_error_clear(&err);
    if (tok_utf8_validate(buf, n, "text", &err) == 0) {
        if (wp_encode(&m, buf, n, &out, &err) != 0)
            FUZZ_CHECK_ERR(err, "cka:tokenizer:");
        CHECK_IDS(out, nv);
    }
    tok_out_free(&out);
    wp_free(&m);
    free(vocab);
}

static void run_merges(const char *buf, size_t n, int prefix_space)
{
    cka_error err;
    cka_error_clear(&err);
    tok_str *left = NULL, *right = NULL;
    size_t nm = 0;
    if (tok_read_merges_txt(buf, n, "merges.txt", &left, &right, &nm, &err) != 0) {
        FUZZ_CHECK_ERR(err, "cka:tokenizer:");
        return;
    }
    for (size_t k = 0; k < nm; k++) {
        FUZZ_ASSERT(left[k].s >= buf && left[k].s + left[k].n <= buf + n);
        FUZZ_ASSERT(right[k].s >= buf && right[k].s + right[k].n <= buf + n);
    }
    /* vocabulary: byte symbols, <|endoftext|>, merged strings */
    size_t nv = 257 + nm;
    tok_str *vocab = calloc(nv, sizeof *vocab);
    char *store = malloc(256 * 4 + (n + 1) * 2 + 16);
    FUZZ_ASSERT(vocab != NULL && store != NULL);
    char *p = store;
    for (int b = 0; b < 256; b++) {
        size_t len = tok_utf8_put(bpe_byte_to_unicode((unsigned char)b), p);
        vocab[b].s = p;
        vocab[b].n = len;
        p += len;
    }
    vocab[256].s = "<|endoftext|>";
    vocab[256].n = 13;
    for (size_t k = 0; k < nm; k++) {
        memcpy(p, left[k].s, left[k].n);
        memcpy(p + left[k].n, right[k].s, right[k].n);
        vocab[257 + k].s = p;
        vocab[257 + k].n = left[k].n + right[k].n;
        p += vocab[257 + k].n;
    }
    FUZZ_ASSERT((size_t)(p - store) <= 256 * 4 + (n + 1) * 2 + 16);
    tok_str unk = {"<|endoftext|>", 13};
    tok_str special[1] = {{"<|endoftext|>", 13}};
    int32_t special_id[1] = {256};
    bpe_model m;
    cka_error_clear(&err);
    if (bpe_init(&m, nv, vocab, nm, left, right, &unk, 1, special, special_id, prefix_space,
                 &err) == 0) {
        tok_out out;
        tok_out_init(&out, 1);
        cka_error_clear(&err);
        if (bpe_encode(&m, text, sizeof text - 1, &out, &err) != 0)
            FUZZ_CHECK_ERR(err, "cka:tokenizer:");
        CHECK_IDS(out, nv);
        tok_out_reset(&out);
        cka_error_clear(&err);
        if (tok_utf8_validate(buf, n, "text", &err) == 0) {
            if (bpe_encode(&m, buf, n, &out, &err) != 0)
                FUZZ_CHECK_ERR(err, "cka:tokenizer:");
            CHECK_IDS(out, nv);
        }
        tok_out_free(&out);
        bpe_free(&m);
    } else {
        FUZZ_CHECK_ERR(err, "cka:tokenizer:");
    }
    free(store);
    free(vocab);
    free(left);
    free(right);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    /* an exact-size copy of the file bytes (ASan sees any over-read) */
    size_t n = size - 1;
    char *buf = malloc(n ? n : 1);
    FUZZ_ASSERT(buf != NULL);
    memcpy(buf, data + 1, n);
    if (data[0] & 1)
        run_vocab(buf, n, (data[0] >> 1) & 1);
    else
        run_merges(buf, n, (data[0] >> 1) & 1);
    free(buf);
    return 0;
}
