/* [ids, odd] = __tok_encode__(tok, texts)
 * Internal gateway of tfm_encode.m / tfm_tokenize.m: tokenize every string
 * of the cellstr texts with the tokenizer struct tok (see tfm_tokenizer.m).
 * ids: numel(texts) x 1 cell of 1 x n double rows of 0-based vocabulary ids.
 * The token strings are tok.vocab(ids + 1) except for the "odd" tokens (BPE
 * symbols missing from the vocabulary, given the unknown token's id): odd
 * (when asked for) is a numel(texts) x 1 cell, each [] or an m x 2 cell of
 * {position (1-based), token string}.  No special tokens are added here
 * ([CLS] etc. are tfm_encode's business).
 *
 * The model (hash tables of the vocabulary and merges) is kept between calls
 * and rebuilt only when tok differs from the one it was built from
 * (tok_cache.h); tests/bench/bench_tokenizers.m reports both costs. */
#include "mex_util.h"
#include "tok_mex.h"
#include "tok/spm_file.h"
#include "tok/tok_cache.h"

#include <stdio.h>
#include <string.h>

static tok_cache cache;

static void free_cache(void)
{
    tok_cache_free(&cache);
}

static mxArray *ids_row(const tok_out *o)
{
    mxArray *a = mxCreateDoubleMatrix(1, (mwSize)o->n, mxREAL);
    double *d = mxGetPr(a);
    for (size_t k = 0; k < o->n; k++)
        d[k] = o->ids[k];
    return a;
}

static mxArray *odd_cell(const tok_out *o)
{
    if (o->n_odd == 0)
        return mxCreateDoubleMatrix(0, 0, mxREAL);
    mxArray *c = mxCreateCellMatrix((mwSize)o->n_odd, 2);
    for (size_t k = 0; k < o->n_odd; k++) {
        mwSize dims[2] = {1, (mwSize)o->odd_len[k]};
        mxArray *s = mxCreateCharArray(2, dims);
        if (o->odd_len[k])
            memcpy(mxGetChars(s), o->odd_buf.p + o->odd_off[k], o->odd_len[k]);
        mxSetCell(c, (mwIndex)k, mxCreateDoubleScalar((double)o->odd[k] + 1));
        mxSetCell(c, (mwIndex)(k + o->n_odd), s);
    }
    return c;
}

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    if (nrhs != 2)
        mexErrMsgIdAndTxt("cka:input:nargs", "__tok_encode__: expected 2 arguments, got %d", nrhs);
    const mxArray *tok = prhs[0];
    if (!mxIsStruct(tok) || mxGetNumberOfElements(tok) != 1)
        mexErrMsgIdAndTxt("cka:tokenizer:badStruct", "TOK must be a tokenizer struct (see tfm_tokenizer)");
    size_t ntext;
    tok_str *texts = tokmex_cellstr(prhs[1], "TEXTS", &ntext);
    tok_str type = tokmex_string_field(tok, "type");
    size_t nvocab;
    tok_str *vocab = tokmex_cellstr(tokmex_field(tok, "vocab"), "tok.vocab", &nvocab);
    tok_str *special;
    int32_t *special_id;
    size_t nspecial;
    tokmex_specials(tok, nvocab, &special, &special_id, &nspecial);
    tok_str unk = tokmex_string_field(tok, "unk_token");

    /* validate every text before building anything */
    for (size_t k = 0; k < ntext; k++) {
        char what[64];
        snprintf(what, sizeof what, "text %zu", k + 1);
        cka_error err;
        if (tok_utf8_validate(texts[k].s, texts[k].n, what, &err) != 0)
            mexutil_raise(&err);
    }

    tok_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.nvocab = nvocab;
    spec.vocab = vocab;
    spec.nspecial = nspecial;
    spec.special = special;
    spec.special_id = special_id;
    spec.unk = unk;
    if (type.n == 9 && memcmp(type.s, "wordpiece", 9) == 0) {
        wp_options *o = &spec.wp;
        o->lowercase = tokmex_scalar(tok, "lowercase") != 0;
        const mxArray *sa = tokmex_field(tok, "strip_accents");
        o->strip_accents = mxIsEmpty(sa) ? -1 : (tokmex_scalar(tok, "strip_accents") != 0);
        o->chinese = tokmex_scalar(tok, "tokenize_chinese_chars") != 0;
        o->clean_text = tokmex_scalar(tok, "clean_text") != 0;
        o->nfc = tokmex_scalar(tok, "nfc") != 0;
        double mc = tokmex_scalar(tok, "max_input_chars_per_word");
        if (!(mc >= 1 && mc <= 1e6))
            mexErrMsgIdAndTxt("cka:tokenizer:badStruct", "tok.max_input_chars_per_word must be in 1..1e6");
        o->max_chars = (int)mc;
        o->prefix = tokmex_string_field(tok, "continuing_subword_prefix");
        o->unk = unk;
    } else if (type.n == 3 && memcmp(type.s, "bpe", 3) == 0) {
        spec.is_bpe = 1;
        const mxArray *mg = tokmex_field(tok, "merges");
        size_t nm;
        tok_str *mm = tokmex_cellstr(mg, "tok.merges", &nm);
        if (nm > 0 && (mxGetNumberOfDimensions(mg) != 2 || mxGetN(mg) != 2))
            mexErrMsgIdAndTxt("cka:tokenizer:badStruct", "tok.merges must be an n x 2 cellstr");
        spec.nmerge = nm / 2;
        spec.left = mm;
        spec.right = mm + spec.nmerge;
        spec.add_prefix_space = tokmex_scalar(tok, "add_prefix_space") != 0;
        /* fields of tokenizer.json files; a struct made before they existed
         * (saved with an older version) means GPT-2 */
        const mxArray *pt = mxGetField(tok, 0, "pre_tokenizer");
        tok_str pts = {"gpt2", 4};
        if (pt != NULL && tokmex_str(pt, &pts) != 0)
            mexErrMsgIdAndTxt("cka:tokenizer:badStruct", "tok.pre_tokenizer must be a string");
        if (pts.n == 4 && memcmp(pts.s, "gpt2", 4) == 0)
            spec.bpe_pretok = BPE_PRETOK_GPT2;
        else if (pts.n == 5 && memcmp(pts.s, "qwen2", 5) == 0)
            spec.bpe_pretok = BPE_PRETOK_QWEN2;
        else if (pts.n == 6 && memcmp(pts.s, "llama3", 6) == 0)
            spec.bpe_pretok = BPE_PRETOK_LLAMA3;
        else
            mexErrMsgIdAndTxt("cka:tokenizer:unsupported",
                              "tok.pre_tokenizer must be \"gpt2\", \"qwen2\" or \"llama3\"");
        spec.bpe_nfc = mxGetField(tok, 0, "nfc") != NULL && tokmex_scalar(tok, "nfc") != 0;
        spec.bpe_ignore_merges = mxGetField(tok, 0, "ignore_merges") != NULL &&
                                 tokmex_scalar(tok, "ignore_merges") != 0;
    } else if (type.n == 3 && memcmp(type.s, "spm", 3) == 0) {
        spec.is_spm = 1;
        spm_options *o = &spec.spm;
        tok_str norm = tokmex_string_field(tok, "normalizer");
        static const struct { const char *name; int norm, cf; } norms[] = {
            {"identity", SPM_NORM_IDENTITY, 0}, {"nfkc", SPM_NORM_NFKC, 0},
            {"nmt_nfkc", SPM_NORM_NMT_NFKC, 0}, {"nfkc_cf", SPM_NORM_NFKC, 1},
            {"nmt_nfkc_cf", SPM_NORM_NMT_NFKC, 1}};
        o->normalizer = -1;
        for (size_t k = 0; k < sizeof norms / sizeof *norms; k++)
            if (norm.n == strlen(norms[k].name) && memcmp(norm.s, norms[k].name, norm.n) == 0) {
                o->normalizer = norms[k].norm;
                o->case_fold = norms[k].cf;
            }
        if (o->normalizer < 0)
            mexErrMsgIdAndTxt("cka:tokenizer:unsupported",
                              "tok.normalizer must be identity, nfkc, nmt_nfkc, nfkc_cf or nmt_nfkc_cf");
        o->add_dummy_prefix = tokmex_scalar(tok, "add_dummy_prefix") != 0;
        o->remove_extra_whitespaces = tokmex_scalar(tok, "remove_extra_whitespaces") != 0;
        o->escape_whitespaces = tokmex_scalar(tok, "escape_whitespaces") != 0;
        o->byte_fallback = tokmex_scalar(tok, "byte_fallback") != 0;
        o->legacy = tokmex_scalar(tok, "legacy") != 0;
        const mxArray *sc = tokmex_field(tok, "scores");
        const mxArray *ty = tokmex_field(tok, "piece_types");
        if (!mxIsDouble(sc) || mxIsComplex(sc) || mxGetNumberOfElements(sc) != nvocab)
            mexErrMsgIdAndTxt("cka:tokenizer:badStruct",
                              "tok.scores must be a real double array, one score per token");
        if (!mxIsDouble(ty) || mxIsComplex(ty) || mxGetNumberOfElements(ty) != nvocab)
            mexErrMsgIdAndTxt("cka:tokenizer:badStruct",
                              "tok.piece_types must be a real double array, one type per token");
        int32_t *pt = mxMalloc((nvocab ? nvocab : 1) * sizeof *pt);
        const double *td = mxGetPr(ty);
        for (size_t k = 0; k < nvocab; k++) {
            if (!(td[k] >= SPM_NORMAL && td[k] <= SPM_BYTE && td[k] == (int)td[k]))
                mexErrMsgIdAndTxt("cka:tokenizer:badStruct",
                                  "tok.piece_types(%zu) is not a SentencePiece piece type (1..6)", k + 1);
            pt[k] = (int32_t)td[k];
        }
        spec.score = mxGetPr(sc);
        spec.piece_type = pt;
    } else
        mexErrMsgIdAndTxt("cka:tokenizer:badStruct",
                          "tok.type must be \"wordpiece\", \"bpe\" or \"spm\"");

    cka_error err;
    cka_error_clear(&err);
    mexAtExit(free_cache);
    tok_model *model;
    if (tok_cache_get(&cache, &spec, &model, &err) != 0)
        mexutil_raise(&err);

    int want_odd = nlhs > 1;
    tok_out out;
    tok_out_init(&out, 0);
    plhs[0] = mxCreateCellMatrix((mwSize)ntext, 1);
    if (want_odd)
        plhs[1] = mxCreateCellMatrix((mwSize)ntext, 1);
    for (size_t k = 0; k < ntext; k++) {
        tok_out_reset(&out);
        if (tok_model_encode(model, texts[k].s, texts[k].n, &out, &err) != 0) {
            tok_out_free(&out);
            mexutil_raise(&err);
        }
        mxSetCell(plhs[0], (mwIndex)k, ids_row(&out));
        if (want_odd)
            mxSetCell(plhs[1], (mwIndex)k, odd_cell(&out));
    }
    tok_out_free(&out);
}
