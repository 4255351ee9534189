/* Fuzz target: arbitrary text through the UTF-8 validator, the GPT-2
 * pre-tokeniser, the byte-level decoder and both encoders (small fixed
 * vocabularies).  Invariants: validation failures carry
 * cka:tokenizer:invalidUtf8; pre-tokeniser pieces are non-empty, inside the
 * text and end on character boundaries (GPT-2 and Qwen2/Llama-3 patterns);
 * the decoder's output is valid UTF-8; ids stay inside the vocabularies;
 * encoding the same text twice (BPE word cache warm) gives the same ids. */
#include "tok/bpe.h"
#include "fuzz_common.h"
#include "tok/wordpiece.h"

#include <stdlib.h>
#include <string.h>

static const char *const wp_vocab_s[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "##s", "a",
                                         "##b", "hello", ",", "!", "caf", "##e", "é", "東",
                                         "1", "##2", "'", "##ing"};
#define NWP (sizeof wp_vocab_s / sizeof wp_vocab_s[0])

static wp_model wp;
static bpe_model bpe;
static tok_str wp_vocab[NWP];
static tok_str bpe_vocab[256 + 8];
static char bpe_store[256 * 4];
static size_t nbpe;
static int ready;

static void setup(void)
{
    cka_error err;
    for (size_t k = 0; k < NWP; k++)
        wp_vocab[k] = (tok_str){wp_vocab_s[k], strlen(wp_vocab_s[k])};
    wp_options opt = {1, -1, 1, 1, 1, 100, {"##", 2}, {"[UNK]", 5}};
    static tok_str sp[2] = {{"[CLS]", 5}, {"[SEP]", 5}};
    static int32_t spid[2] = {2, 3};
    FUZZ_ASSERT(wp_init(&wp, &opt, NWP, wp_vocab, 2, sp, spid, &err) == 0);
    char *p = bpe_store;
    for (int b = 0; b < 256; b++) {
        size_t len = tok_utf8_put(bpe_byte_to_unicode((unsigned char)b), p);
        bpe_vocab[b] = (tok_str){p, len};
        p += len;
    }
    static const char *const extra[] = {"<|endoftext|>", "he", "ll", "hell", "o", "Ġt", "Ġth",
                                        "Ġthe"};
    for (size_t k = 0; k < 8; k++)
        bpe_vocab[256 + k] = (tok_str){extra[k], strlen(extra[k])};
    nbpe = 264;
    static tok_str left[5] = {{"h", 1}, {"l", 1}, {"he", 2}, {"Ġ", 2}, {"Ġt", 3}};
    static tok_str right[5] = {{"e", 1}, {"l", 1}, {"ll", 2}, {"t", 1}, {"h", 1}};
    static tok_str unk = {"<|endoftext|>", 13};
    static tok_str bsp[1] = {{"<|endoftext|>", 13}};
    static int32_t bspid[1] = {256};
    FUZZ_ASSERT(bpe_init(&bpe, nbpe, bpe_vocab, 5, left, right, &unk, 1, bsp, bspid, 0, &err) == 0);
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        setup();
    char *s = malloc(size ? size : 1);
    FUZZ_ASSERT(s != NULL);
    memcpy(s, data, size);
    cka_error err;
    cka_error_clear(&err);
    /* the decoder takes any bytes */
    tok_buf dec;
    tok_buf_init(&dec);
    if (bpe_decode_bytes(s, size, &dec) == 0) {
        cka_error e2;
        FUZZ_ASSERT(tok_utf8_validate(dec.p ? dec.p : "", dec.n, "decoded", &e2) == 0);
    }
    tok_buf_free(&dec);
    if (tok_utf8_validate(s, size, "text", &err) != 0) {
        FUZZ_CHECK_ERR(err, "cka:tokenizer:invalidUtf8");
        free(s);
        return 0;
    }
    for (size_t i = 0; i < size;) {
        size_t k = bpe_pretok_next(s + i, size - i);
        FUZZ_ASSERT(k > 0 && k <= size - i);
        i += k;
        FUZZ_ASSERT(i == size || ((unsigned char)s[i] & 0xC0) != 0x80);
    }
    /* the Qwen2 / Llama-3 scanner keeps the same invariants */
    for (int digits = 1; digits <= 3; digits += 2)
        for (size_t i = 0; i < size;) {
            size_t k = bpe_pretok_split_next(s + i, size - i, digits);
            FUZZ_ASSERT(k > 0 && k <= size - i);
            i += k;
            FUZZ_ASSERT(i == size || ((unsigned char)s[i] & 0xC0) != 0x80);
        }
    tok_out a, b;
    tok_out_init(&a, 1);
    tok_out_init(&b, 0);
    if (wp_encode(&wp, s, size, &a, &err) != 0)
        FUZZ_CHECK_ERR(err, "cka:tokenizer:");
    for (size_t q = 0; q < a.n; q++)
        FUZZ_ASSERT(a.ids[q] >= 0 && (size_t)a.ids[q] < NWP);
    tok_out_reset(&a);
    cka_error_clear(&err);
    if (bpe_encode(&bpe, s, size, &a, &err) == 0 && bpe_encode(&bpe, s, size, &b, &err) == 0) {
        FUZZ_ASSERT(a.n == b.n && (a.n == 0 || memcmp(a.ids, b.ids, a.n * sizeof *a.ids) == 0));
        for (size_t q = 0; q < a.n; q++)
            FUZZ_ASSERT(a.ids[q] >= 0 && (size_t)a.ids[q] < nbpe);
    } else {
        FUZZ_CHECK_ERR(err, "cka:tokenizer:");
    }
    tok_out_free(&a);
    tok_out_free(&b);
    free(s);
    return 0;
}
