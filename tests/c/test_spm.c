/* Unit tests of the SentencePiece core: spm_file.c (tokenizer.model reader
 * on the real stories260K model, crafted and truncated protobuf bytes) and
 * spm.c (normalisation, score-ordered BPE, byte fallback, unknown runs,
 * legacy / non-legacy special tokens, decoding). */
#include "check.h"
#include "tok/spm.h"
#include "tok/spm_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SP "\xe2\x96\x81"   /* U+2581 */

static unsigned char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(len > 0 ? (size_t)len : 1);
    *n = b && fread(b, 1, (size_t)len, f) == (size_t)len ? (size_t)len : 0;
    fclose(f);
    return b;
}

/* ---- a tiny protobuf writer for crafted models --------------------------- */
typedef struct pbuf {
    unsigned char b[4096];
    size_t n;
} pbuf;

static void put_varint(pbuf *p, unsigned long long v)
{
    do {
        unsigned char c = v & 0x7F;
        v >>= 7;
        p->b[p->n++] = c | (v ? 0x80 : 0);
    } while (v);
}

static void put_bytes_field(pbuf *p, int field, const void *data, size_t n)
{
    put_varint(p, (unsigned)field << 3 | 2);
    put_varint(p, n);
    memcpy(p->b + p->n, data, n);
    p->n += n;
}

static void put_piece(pbuf *p, const char *s, size_t n, float score, int type)
{
    pbuf m = {{0}, 0};
    put_bytes_field(&m, 1, s, n);
    put_varint(&m, 2 << 3 | 5);
    memcpy(m.b + m.n, &score, 4);
    m.n += 4;
    put_varint(&m, 3 << 3 | 0);
    put_varint(&m, (unsigned)type);
    put_bytes_field(p, 1, m.b, m.n);
}

/* trainer_spec with model_type and byte_fallback; normalizer_spec name */
static void put_specs(pbuf *p, int model_type, int byte_fallback, const char *norm)
{
    pbuf t = {{0}, 0};
    put_varint(&t, 3 << 3 | 0);
    put_varint(&t, (unsigned)model_type);
    put_varint(&t, 35 << 3 | 0);
    put_varint(&t, (unsigned)byte_fallback);
    put_bytes_field(p, 2, t.b, t.n);
    pbuf ns = {{0}, 0};
    put_bytes_field(&ns, 1, norm, strlen(norm));
    put_bytes_field(p, 3, ns.b, ns.n);
}

/* <unk> <s> </s> then the given normal pieces (scores -1, -2, ...) */
static void toy_model(pbuf *p, const char **pieces, int n, int model_type, const char *norm)
{
    p->n = 0;
    put_piece(p, "<unk>", 5, 0, SPM_UNKNOWN);
    put_piece(p, "<s>", 3, 0, SPM_CONTROL);
    put_piece(p, "</s>", 4, 0, SPM_CONTROL);
    for (int k = 0; k < n; k++)
        put_piece(p, pieces[k], strlen(pieces[k]), (float)-(k + 1), SPM_NORMAL);
    put_specs(p, model_type, 0, norm);
}

static int read_err(const pbuf *p, const char *want_id)
{
    spm_file f;
    cka_error err;
    cka_error_clear(&err);
    int rc = spm_read_model(p->b, p->n, "m", &f, &err);
    if (rc == 0) {
        spm_file_free(&f);
        return strcmp(want_id, "") == 0;
    }
    if (strcmp(err.id, want_id) != 0)
        fprintf(stderr, "  got %s: %s\n", err.id, err.msg);
    return strcmp(err.id, want_id) == 0;
}

static void test_read_crafted(void)
{
    const char *pieces[] = {SP, "a", "b", "ab"};
    pbuf p;
    toy_model(&p, pieces, 4, 2, "identity");
    CHECK(read_err(&p, ""), "a good toy model");
    /* every truncation fails cleanly (protobuf-c or our checks) */
    for (size_t n = 0; n < p.n; n++) {
        pbuf q = p;
        q.n = n;
        spm_file f;
        cka_error err;
        cka_error_clear(&err);
        if (spm_read_model(q.b, q.n, "m", &f, &err) == 0)
            spm_file_free(&f);   /* a cut between messages can be a valid shorter model */
        else
            CHECK(strncmp(err.id, "cka:tokenizer:", 14) == 0, "truncated at %zu: %s", n, err.id);
    }
    toy_model(&p, pieces, 4, 1, "identity");
    CHECK(read_err(&p, "cka:tokenizer:unsupported"), "unigram");
    toy_model(&p, pieces, 4, 2, "my_rules");
    CHECK(read_err(&p, "cka:tokenizer:unsupported"), "unknown normalizer");
    const char *dup[] = {"a", "a"};
    toy_model(&p, dup, 2, 2, "identity");
    CHECK(read_err(&p, "cka:tokenizer:badModel"), "duplicate piece");
    const char *bad_utf8[] = {"a\xff"};
    toy_model(&p, bad_utf8, 1, 2, "identity");
    CHECK(read_err(&p, "cka:tokenizer:invalidUtf8"), "invalid UTF-8 piece");
    const char *empty[] = {""};
    toy_model(&p, empty, 1, 2, "identity");
    CHECK(read_err(&p, "cka:tokenizer:badModel"), "empty piece");
    /* no unknown piece */
    p.n = 0;
    put_piece(&p, "a", 1, 0, SPM_NORMAL);
    put_specs(&p, 2, 0, "identity");
    CHECK(read_err(&p, "cka:tokenizer:missingToken"), "no unk");
    /* a byte piece without byte_fallback, byte_fallback without the bytes */
    p.n = 0;
    put_piece(&p, "<unk>", 5, 0, SPM_UNKNOWN);
    put_piece(&p, "<0x41>", 6, 0, SPM_BYTE);
    put_specs(&p, 2, 0, "identity");
    CHECK(read_err(&p, "cka:tokenizer:badModel"), "byte piece, no fallback");
    p.n = 0;
    put_piece(&p, "<unk>", 5, 0, SPM_UNKNOWN);
    put_piece(&p, "<0x41>", 6, 0, SPM_BYTE);
    put_specs(&p, 2, 1, "identity");
    CHECK(read_err(&p, "cka:tokenizer:badModel"), "255 byte pieces missing");
    /* a type outside 1..6, a NaN score */
    p.n = 0;
    put_piece(&p, "<unk>", 5, 0, SPM_UNKNOWN);
    put_piece(&p, "a", 1, 0, 9);
    put_specs(&p, 2, 0, "identity");
    CHECK(read_err(&p, "cka:tokenizer:badModel"), "type 9");
    p.n = 0;
    put_piece(&p, "<unk>", 5, 0, SPM_UNKNOWN);
    put_piece(&p, "a", 1, NAN, SPM_NORMAL);
    put_specs(&p, 2, 0, "identity");
    CHECK(read_err(&p, "cka:tokenizer:badModel"), "NaN score");
    /* a length far beyond the buffer; garbage; nothing */
    p.n = 0;
    put_varint(&p, 1 << 3 | 2);
    put_varint(&p, 1ULL << 60);
    CHECK(read_err(&p, "cka:tokenizer:badModel"), "huge length");
    p.n = 0;
    for (int k = 0; k < 200; k++)
        p.b[p.n++] = (unsigned char)(k * 37 + 11);
    CHECK(read_err(&p, "cka:tokenizer:badModel"), "garbage");
    p.n = 0;
    CHECK(read_err(&p, "cka:tokenizer:badModel"), "empty file");
    /* no pieces at all */
    put_specs(&p, 2, 0, "identity");
    CHECK(read_err(&p, "cka:tokenizer:emptyVocab"), "no pieces");
    CHECK(spm_piece_byte("<0x0A>", 6) == 10 && spm_piece_byte("<0x0a>", 6) == -1
              && spm_piece_byte("<0x0A", 5) == -1, "byte piece spelling");
}

/* ---- the real model ----------------------------------------------------------- */
static spm_file real;
static int have_real;

static void test_read_real(void)
{
    size_t n = 0;
    unsigned char *b = read_file("../inst/data/stories260K/tokenizer.model", &n);
    CHECK(b != NULL && n == 7522, "read the fixture (%zu bytes)", n);
    cka_error err;
    cka_error_clear(&err);
    have_real = b != NULL && spm_read_model(b, n, "tokenizer.model", &real, &err) == 0;
    CHECK(have_real, "parse: %s", err.msg);
    free(b);   /* the result owns copies */
    if (!have_real)
        return;
    CHECK(real.npieces == 512, "pieces %zu", real.npieces);
    CHECK(real.byte_fallback == 1 && real.model_type == 2, "BPE with byte fallback");
    CHECK(real.normalizer == SPM_NORM_IDENTITY && strcmp(real.normalizer_name, "identity") == 0,
          "identity normalizer");
    CHECK(real.add_dummy_prefix && real.remove_extra_whitespaces && real.escape_whitespaces, "flags");
    CHECK(real.unk_id == 0 && real.bos_id == 1 && real.eos_id == 2, "ids");
    CHECK(real.type[0] == SPM_UNKNOWN && real.type[1] == SPM_CONTROL && real.type[3] == SPM_BYTE
              && real.type[259] == SPM_NORMAL, "types");
    CHECK(real.piece[259].n == 4 && memcmp(real.piece[259].s, SP "t", 4) == 0, "piece 259 is ▁t");
    CHECK(real.score[260] == -1.0f, "score of 260");
}

static int encode(spm_model *m, const char *text, int32_t *ids, size_t max, tok_out *out)
{
    cka_error err;
    tok_out_reset(out);
    if (spm_encode(m, text, strlen(text), out, &err) != 0) {
        fprintf(stderr, "  encode: %s\n", err.msg);
        return -1;
    }
    for (size_t k = 0; k < out->n && k < max; k++)
        ids[k] = out->ids[k];
    return (int)out->n;
}

static int init_real(spm_model *m, int legacy)
{
    double *score = malloc(real.npieces * sizeof *score);
    for (size_t k = 0; k < real.npieces; k++)
        score[k] = real.score[k];
    spm_options o = {real.normalizer, 0, 1, 1, 1, 1, legacy};
    static const tok_str special[3] = {{"<unk>", 5}, {"<s>", 3}, {"</s>", 4}};
    static const int32_t special_id[3] = {0, 1, 2};
    cka_error err;
    int rc = spm_init(m, &o, real.npieces, real.piece, score, real.type, 3, special, special_id, &err);
    free(score);   /* spm_init copies the scores */
    return rc;
}

static void test_encode_real(void)
{
    if (!have_real)
        return;
    spm_model m;
    CHECK(init_real(&m, 1) == 0, "init");
    tok_out out;
    tok_out_init(&out, 1);
    int32_t ids[64];
    /* reference_outputs.json of stories260K (without the <s> that tfm_encode adds) */
    static const int32_t want[] = {403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315,
                                   421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408,
                                   419, 292, 411, 322, 265, 282, 295, 433, 426};
    int n = encode(&m, "Once upon a time, there was a little girl named Lily. "
                       "She loved to play outside in the park.", ids, 64, &out);
    CHECK(n == 31 && memcmp(ids, want, sizeof want) == 0, "reference sentence (%d tokens)", n);
    /* byte fallback: ü is <0xC3> <0xBC>; special tokens split out, legacy */
    n = encode(&m, "\xc3\xbc<s>a", ids, 64, &out);
    CHECK(n == 5 && ids[0] == 410 && ids[1] == 3 + 0xC3 && ids[2] == 3 + 0xBC && ids[3] == 1
              && ids[4] == 261, "byte fallback + <s> (%d)", n);
    /* whitespace only, empty */
    CHECK(encode(&m, "   ", ids, 64, &out) == 0 && encode(&m, "", ids, 64, &out) == 0, "blank");
    spm_free(&m);
    /* non-legacy: "a" after <s> loses its U+2581 (then looked up again) */
    CHECK(init_real(&m, 0) == 0, "init non-legacy");
    n = encode(&m, "<s>a", ids, 64, &out);
    CHECK(n == 2 && ids[0] == 1 && ids[1] != 261, "non-legacy (%d)", n);
    spm_free(&m);
    tok_out_free(&out);
}

/* Merging word by word (with the cache) gives what merging the whole text
 * gives, on random texts of letters, spaces, U+2581, bytes and CJK. */
static unsigned rng = 2024u;
static unsigned rnd(unsigned n)
{
    rng = rng * 1664525u + 1013904223u;
    return (rng >> 8) % n;
}

static void test_words_equal_whole(void)
{
    if (!have_real)
        return;
    static const char *atoms[] = {"a", "b", "e", "h", "l", "o", "s", "t", "w", "the", " ", "  ",
                                  SP, "\xc3\xbc", "\xe6\x97\xa5", ".", ",", "\t", "\n", "Lily"};
    spm_model words, whole;
    CHECK(init_real(&words, 1) == 0 && init_real(&whole, 1) == 0, "init");
    CHECK(words.split_words == 1, "stories260K allows merging word by word");
    whole.split_words = 0;
    tok_out a, b;
    tok_out_init(&a, 1);
    tok_out_init(&b, 1);
    int same = 0, total = 3000;
    for (int t = 0; t < total; t++) {
        char text[512];
        size_t n = 0;
        int len = (int)rnd(40);
        for (int k = 0; k < len; k++) {
            const char *x = atoms[rnd(sizeof atoms / sizeof *atoms)];
            size_t l = strlen(x);
            memcpy(text + n, x, l);
            n += l;
        }
        text[n] = '\0';
        int32_t ia[600], ib[600];
        int na = encode(&words, text, ia, 600, &a), nb = encode(&whole, text, ib, 600, &b);
        same += na == nb && na >= 0 && memcmp(ia, ib, (size_t)na * sizeof *ia) == 0;
    }
    CHECK(same == total, "%d of %d texts agree", same, total);
    tok_out_free(&a);
    tok_out_free(&b);
    spm_free(&words);
    spm_free(&whole);
}

/* ---- a toy model: merge order by score, unknown runs ------------------------- */
static void test_toy(void)
{
    tok_str vocab[] = {{"<unk>", 5}, {"<s>", 3}, {"</s>", 4}, {SP, 3}, {"a", 1}, {"b", 1},
                       {"ab", 2}, {"ba", 2}, {SP "ab", 5}};
    double score[] = {0, 0, 0, -1, -2, -3, -5, -4, -6};
    int32_t type[] = {2, 3, 3, 1, 1, 1, 1, 1, 1};
    spm_options o = {SPM_NORM_IDENTITY, 0, 1, 1, 1, 0, 1};
    spm_model m;
    cka_error err;
    CHECK(spm_init(&m, &o, 9, vocab, score, type, 0, NULL, NULL, &err) == 0, "init");
    tok_out out;
    tok_out_init(&out, 1);
    int32_t ids[16];
    /* "aba": ba (-4) beats ab (-5), so ▁ a ba */
    int n = encode(&m, "aba", ids, 16, &out);
    CHECK(n == 3 && ids[0] == 3 && ids[1] == 4 && ids[2] == 7, "score order (%d)", n);
    /* unknown characters in a row make one unknown token with their text */
    n = encode(&m, "ab xyz", ids, 16, &out);
    CHECK(n == 3 && ids[0] == 8 && ids[1] == 3 && ids[2] == 0 && out.n_odd == 1
              && out.odd_len[0] == 3 && memcmp(out.odd_buf.p, "xyz", 3) == 0, "unknown run (%d)", n);
    spm_free(&m);
    tok_out_free(&out);
    type[0] = 1;
    CHECK(spm_init(&m, &o, 9, vocab, score, type, 0, NULL, NULL, &err) != 0
              && strcmp(err.id, "cka:tokenizer:missingToken") == 0, "no unk");
}

static void test_decode(void)
{
    tok_buf b;
    tok_buf_init(&b);
    tok_str p1[] = {{SP "a", 4}, {"<0xC3>", 6}, {"<0xBC>", 6}, {SP "b", 4}, {"</s>", 4}};
    int32_t t1[] = {1, 6, 6, 1, 3};
    CHECK(spm_decode(p1, t1, 5, 1, 1, &b) == 0 && strcmp(b.p, "a\xc3\xbc b") == 0, "decode: %s", b.p);
    tok_str p2[] = {{"<0xE6>", 6}, {"<0x97>", 6}, {SP, 3}, {SP "a", 4}};
    int32_t t2[] = {6, 6, 1, 1};
    CHECK(spm_decode(p2, t2, 4, 1, 1, &b) == 0
              && strcmp(b.p, "\xef\xbf\xbd\xef\xbf\xbd  a") == 0, "bad bytes: %s", b.p);
    tok_str p3[] = {{SP, 3}, {SP "a", 4}};
    int32_t t3[] = {1, 1};
    CHECK(spm_decode(p3, t3, 2, 1, 1, &b) == 0 && strcmp(b.p, "a") == 0, "leading spaces: %s", b.p);
    CHECK(spm_decode(p3, t3, 2, 1, 0, &b) == 0 && strcmp(b.p, " a") == 0, "keep spaces: %s", b.p);
    CHECK(spm_decode(p3, t3, 2, 0, 1, &b) == 0 && strcmp(b.p, "  a") == 0, "no dummy prefix: %s", b.p);
    tok_str p4[] = {{"<unk>", 5}};
    int32_t t4[] = {2};
    CHECK(spm_decode(p4, t4, 1, 1, 1, &b) == 0 && strcmp(b.p, " \xe2\x81\x87 ") == 0, "unk surface");
    tok_buf_free(&b);
}

int main(void)
{
    RUN(test_read_crafted);
    RUN(test_read_real);
    RUN(test_encode_real);
    RUN(test_words_equal_whole);
    RUN(test_toy);
    RUN(test_decode);
    spm_file_free(&real);
    return CHECK_REPORT();
}
