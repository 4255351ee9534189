/* Fuzz target: tokenizer.model (SentencePiece ModelProto) as untrusted bytes.
 * spm_read_model, then (when it parses) spm_init with the model's own
 * settings, encodings of a fixed text (legacy and not) and of the file's
 * bytes when they are UTF-8, and a decoding of the pieces.  Invariants:
 * failures carry cka:tokenizer:* ids (or out of memory), every id is inside
 * the vocabulary. */
#include "fuzz_common.h"
#include "tok/spm.h"
#include "tok/spm_file.h"

#include <stdlib.h>
#include <string.h>

static const char text[] = "Hello, world! caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80 \t\n"
                           "  spaces  <s> </s> <unk> \xe2\x96\x81 x";

static void encode_check(spm_model *m, const char *s, size_t n, size_t nv)
{
    tok_out out;
    tok_out_init(&out, 1);
    cka_error err;
    cka_error_clear(&err);
    if (spm_encode(m, s, n, &out, &err) != 0)
        FUZZ_CHECK_ERR(err, "cka:tokenizer:");
    for (size_t q = 0; q < out.n; q++)
        FUZZ_ASSERT(out.ids[q] >= 0 && (size_t)out.ids[q] < nv);
    tok_out_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy (ASan sees any over-read) */
    uint8_t *buf = malloc(size ? size : 1);
    FUZZ_ASSERT(buf != NULL);
    if (size)
        memcpy(buf, data, size);
    spm_file f;
    cka_error err;
    cka_error_clear(&err);
    if (spm_read_model(buf, size, "tokenizer.model", &f, &err) != 0) {
        FUZZ_CHECK_ERR(err, "cka:tokenizer:");
        free(buf);
        return 0;
    }
    FUZZ_ASSERT(f.npieces > 0 && f.unk_id >= 0 && (size_t)f.unk_id < f.npieces);
    double *score = malloc(f.npieces * sizeof *score);
    FUZZ_ASSERT(score != NULL);
    for (size_t k = 0; k < f.npieces; k++)
        score[k] = f.score[k];
    tok_str special[3] = {{"<unk>", 5}, {"<s>", 3}, {"</s>", 4}};
    int32_t special_id[3] = {f.unk_id, f.unk_id, f.unk_id};
    for (int legacy = 0; legacy <= 1; legacy++) {
        spm_options o = {f.normalizer, f.case_fold, f.add_dummy_prefix, f.remove_extra_whitespaces,
                         f.escape_whitespaces, f.byte_fallback, legacy};
        spm_model m;
        cka_error_clear(&err);
        if (spm_init(&m, &o, f.npieces, f.piece, score, f.type, 3, special, special_id, &err) != 0) {
            FUZZ_CHECK_ERR(err, "cka:tokenizer:");
            continue;
        }
        encode_check(&m, text, sizeof text - 1, f.npieces);
        cka_error_clear(&err);
        if (tok_utf8_validate((const char *)buf, size, "text", &err) == 0)
            encode_check(&m, (const char *)buf, size, f.npieces);
        spm_free(&m);
    }
    tok_buf b;
    tok_buf_init(&b);
    FUZZ_ASSERT(spm_decode(f.piece, f.type, f.npieces, 1, f.remove_extra_whitespaces, &b) == 0);
    tok_buf_free(&b);
    free(score);
    spm_file_free(&f);
    free(buf);
    return 0;
}
