/* SentencePiece model reader; see spm_file.h. */
#include "tok/spm_file.h"

#include "spm_model.pb-c.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAD(err, ...) cka_error_set(err, "cka:tokenizer:badModel", __VA_ARGS__)

int spm_piece_byte(const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    if (n != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>')
        return -1;
    const char *hi = memchr(hex, s[3], 16), *lo = memchr(hex, s[4], 16);
    if (hi == NULL || lo == NULL || s[3] == '\0' || s[4] == '\0')
        return -1;
    return (int)((hi - hex) * 16 + (lo - hex));
}

void spm_file_free(spm_file *f)
{
    free(f->piece);
    free(f->score);
    free(f->type);
    free(f->store);
    memset(f, 0, sizeof *f);
}

/* NormalizerSpec.name -> SPM_NORM_*; -1 when not implemented here. */
static int normalizer_of(const char *name, int has_charsmap, int *case_fold)
{
    static const struct { const char *name; int norm, cf; } known[] = {
        {"identity", SPM_NORM_IDENTITY, 0}, {"nfkc", SPM_NORM_NFKC, 0},
        {"nmt_nfkc", SPM_NORM_NMT_NFKC, 0}, {"nfkc_cf", SPM_NORM_NFKC, 1},
        {"nmt_nfkc_cf", SPM_NORM_NMT_NFKC, 1}};
    *case_fold = 0;
    /* no name and no rules: sentencepiece then leaves the text as it is */
    if (name[0] == '\0')
        return has_charsmap ? -1 : SPM_NORM_IDENTITY;
    for (size_t k = 0; k < sizeof known / sizeof *known; k++)
        if (strcmp(name, known[k].name) == 0) {
            *case_fold = known[k].cf;
            return known[k].norm;
        }
    return -1;
}

static int check_pieces(const CkaSpm__ModelProto *mp, const char *what, spm_file *f,
                        cka_error *err)
{
    size_t np = mp->n_pieces;
    size_t bytes = 0;
    for (size_t k = 0; k < np; k++) {
        const CkaSpm__ModelProto__SentencePiece *p = mp->pieces[k];
        if (!p->has_piece || p->piece.len == 0)
            return BAD(err, "%s: piece %zu is empty", what, k);
        char where[96];
        snprintf(where, sizeof where, "piece %zu", k);
        cka_error sub;
        if (tok_utf8_validate((const char *)p->piece.data, p->piece.len, where, &sub) != 0)
            return cka_error_set(err, "cka:tokenizer:invalidUtf8", "%s: %s", what, sub.msg);
        if ((int)p->type < SPM_NORMAL || (int)p->type > SPM_BYTE)
            return BAD(err, "%s: piece %zu has the unknown type %d", what, k, (int)p->type);
        if (!isfinite(p->score))
            return BAD(err, "%s: piece %zu has a score that is not a finite number", what, k);
        if (p->piece.len > SPM_MAX_FILE_BYTES - bytes)
            return BAD(err, "%s: the pieces are larger than the file", what);
        bytes += p->piece.len;
    }
    f->store = malloc(bytes ? bytes : 1);
    f->piece = malloc(np * sizeof *f->piece);
    f->score = malloc(np * sizeof *f->score);
    f->type = malloc(np * sizeof *f->type);
    if (f->store == NULL || f->piece == NULL || f->score == NULL || f->type == NULL)
        return cka_error_set(err, "cka:memory:outOfMemory", "out of memory reading %s", what);
    size_t pos = 0;
    for (size_t k = 0; k < np; k++) {
        const CkaSpm__ModelProto__SentencePiece *p = mp->pieces[k];
        memcpy(f->store + pos, p->piece.data, p->piece.len);
        f->piece[k].s = f->store + pos;
        f->piece[k].n = p->piece.len;
        f->score[k] = p->score;
        f->type[k] = p->type;
        pos += p->piece.len;
    }
    f->npieces = np;

    /* every piece once, one unknown piece, byte pieces as byte_fallback says */
    tok_hash seen;
    if (tok_hash_init(&seen, np) != 0)
        return cka_error_set(err, "cka:memory:outOfMemory", "out of memory reading %s", what);
    int nunk = 0, rc = 0;
    int byte_seen[256] = {0};
    for (size_t k = 0; k < np && rc == 0; k++) {
        const tok_str *s = &f->piece[k];
        size_t before = seen.count;
        if (tok_hash_put(&seen, s->s, s->n, (int32_t)k, 0) < 0) {
            rc = cka_error_set(err, "cka:memory:outOfMemory", "out of memory reading %s", what);
            break;
        }
        if (seen.count == before)
            rc = BAD(err, "%s: piece %zu (\"%.*s\") is listed twice", what, k,
                     (int)(s->n > 100 ? 100 : s->n), s->s);
        else if (f->type[k] == SPM_UNKNOWN) {
            f->unk_id = (int32_t)k;
            nunk++;
        } else if (f->type[k] == SPM_BYTE) {
            int b = spm_piece_byte(s->s, s->n);
            if (b < 0)
                rc = BAD(err, "%s: byte piece %zu is not spelled <0xXX>", what, k);
            else if (!f->byte_fallback)
                rc = BAD(err, "%s: piece %zu is a byte piece but byte_fallback is off", what, k);
            else
                byte_seen[b] = 1;
        }
    }
    tok_hash_free(&seen);
    if (rc != 0)
        return rc;
    if (nunk != 1)
        return cka_error_set(err, "cka:tokenizer:missingToken",
                             "%s: a SentencePiece model needs exactly one unknown piece, it has %d",
                             what, nunk);
    if (f->byte_fallback)
        for (int b = 0; b < 256; b++)
            if (!byte_seen[b])
                return BAD(err, "%s: byte_fallback is on but the byte piece <0x%02X> is missing",
                           what, b);
    return 0;
}

int spm_read_model(const uint8_t *buf, size_t n, const char *what, spm_file *f, cka_error *err)
{
    memset(f, 0, sizeof *f);
    if (n == 0)
        return BAD(err, "%s: the file is empty", what);
    if (n > SPM_MAX_FILE_BYTES)
        return cka_error_set(err, "cka:tokenizer:tooLarge",
                             "%s: %zu bytes, more than the %zu MB a tokenizer.model may have", what,
                             n, SPM_MAX_FILE_BYTES >> 20);
    /* protobuf-c checks every length against the buffer and allocates in
     * proportion to it, so a truncated or crafted file fails here */
    CkaSpm__ModelProto *mp = cka_spm__model_proto__unpack(NULL, n, buf);
    if (mp == NULL)
        return BAD(err, "%s: not a SentencePiece model (the protobuf data is truncated or malformed)",
                   what);
    int rc = 0;
    const CkaSpm__TrainerSpec *ts = mp->trainer_spec;
    const CkaSpm__NormalizerSpec *ns = mp->normalizer_spec;
    /* a message left out entirely reads as its defaults, as in sentencepiece */
    f->model_type = ts && ts->has_model_type ? (int)ts->model_type : 1;
    f->byte_fallback = ts ? ts->byte_fallback : 0;
    f->unk_id = ts ? ts->unk_id : 0;
    f->bos_id = ts ? ts->bos_id : 1;
    f->eos_id = ts ? ts->eos_id : 2;
    f->pad_id = ts ? ts->pad_id : -1;
    f->add_dummy_prefix = ns ? ns->add_dummy_prefix : 1;
    f->remove_extra_whitespaces = ns ? ns->remove_extra_whitespaces : 1;
    f->escape_whitespaces = ns ? ns->escape_whitespaces : 1;
    size_t name_n = ns && ns->has_name ? ns->name.len : 0;
    if (name_n >= sizeof f->normalizer_name || (name_n && memchr(ns->name.data, 0, name_n))) {
        rc = cka_error_set(err, "cka:tokenizer:unsupported",
                           "%s: the normalizer name is not one this package implements", what);
        goto done;
    }
    if (name_n)
        memcpy(f->normalizer_name, ns->name.data, name_n);
    f->normalizer_name[name_n] = '\0';
    int has_charsmap = ns && ns->has_precompiled_charsmap && ns->precompiled_charsmap.len > 0;
    f->normalizer = normalizer_of(f->normalizer_name, has_charsmap, &f->case_fold);
    if (mp->n_pieces == 0) {
        rc = cka_error_set(err, "cka:tokenizer:emptyVocab", "%s: the model has no pieces", what);
        goto done;
    }
    if (f->model_type != 2) {
        static const char *names[] = {"", "Unigram", "BPE", "Word", "Char"};
        rc = cka_error_set(err, "cka:tokenizer:unsupported",
                           "%s: a %s SentencePiece model; only BPE models (Llama, Mistral) are supported",
                           what, f->model_type >= 1 && f->model_type <= 4 ? names[f->model_type] : "unknown-type");
        goto done;
    }
    if (ts && ts->treat_whitespace_as_suffix) {
        rc = cka_error_set(err, "cka:tokenizer:unsupported",
                           "%s: treat_whitespace_as_suffix is not supported", what);
        goto done;
    }
    if (f->normalizer < 0) {
        rc = cka_error_set(err, "cka:tokenizer:unsupported",
                           "%s: the normalizer \"%s\" is not supported (identity, nfkc, nmt_nfkc and their _cf forms are)",
                           what, f->normalizer_name);
        goto done;
    }
    rc = check_pieces(mp, what, f, err);
done:
    cka_spm__model_proto__free_unpacked(mp, NULL);
    if (rc != 0)
        spm_file_free(f);
    return rc;
}
