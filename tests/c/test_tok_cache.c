/* Tests of the tokenizer cache (src/core/tok/tok_cache.c): a second request
 * for an equal spec reuses the model, any changed input rebuilds it, the
 * cached model does not depend on the caller's strings, and a failed build
 * leaves the cache empty. */
#include "check.h"
#include "tok/spm_file.h"
#include "tok/tok_cache.h"

#include <string.h>

static tok_str S(const char *s)
{
    tok_str t = {s, strlen(s)};
    return t;
}

/* Space-joined token ids of text. */
static void encode(tok_model *m, const char *text, char *buf, size_t cap)
{
    tok_out out;
    cka_error err;
    tok_out_init(&out, 0);
    buf[0] = '\0';
    if (tok_model_encode(m, text, strlen(text), &out, &err) != 0) {
        snprintf(buf, cap, "error %s", err.id);
    } else {
        size_t p = 0;
        for (size_t k = 0; k < out.n && p < cap; k++)
            p += (size_t)snprintf(buf + p, cap - p, k ? " %d" : "%d", (int)out.ids[k]);
    }
    tok_out_free(&out);
}

static const char *words[] = {"[PAD]", "[UNK]", "[CLS]", "un", "##aff", "##able", "hello", "!"};
enum { NV = sizeof words / sizeof *words };

static tok_spec wordpiece_spec(tok_str *vocab, tok_str *sp, int32_t *spid)
{
    for (int k = 0; k < NV; k++)
        vocab[k] = S(words[k]);
    sp[0] = S("[CLS]");
    spid[0] = 2;
    tok_spec s;
    memset(&s, 0, sizeof s);
    s.wp = (wp_options){1, -1, 1, 1, 1, 100, {"##", 2}, {"[UNK]", 5}};
    s.unk = S("[UNK]");
    s.nvocab = NV;
    s.vocab = vocab;
    s.nspecial = 1;
    s.special = sp;
    s.special_id = spid;
    return s;
}

static void test_reuse_and_rebuild(void)
{
    tok_str vocab[NV], sp[1];
    int32_t spid[1];
    tok_spec s = wordpiece_spec(vocab, sp, spid);
    tok_cache c;
    memset(&c, 0, sizeof c);
    tok_model *m1, *m2;
    cka_error err;
    char got[256];
    CHECK(tok_cache_get(&c, &s, &m1, &err) == 0, "first build");
    encode(m1, "[CLS] Unaffable hello!", got, sizeof got);
    CHECK(strcmp(got, "2 3 4 5 6 7") == 0, "first encode: %s", got);
    CHECK(tok_cache_get(&c, &s, &m2, &err) == 0 && m2 == m1 && c.builds == 1, "reused");

    /* the caller's strings change place but not content: still a hit */
    char copy[NV][16];
    tok_str vocab2[NV];
    for (int k = 0; k < NV; k++) {
        strcpy(copy[k], words[k]);
        vocab2[k] = S(copy[k]);
    }
    s.vocab = vocab2;
    CHECK(tok_cache_get(&c, &s, &m2, &err) == 0 && c.builds == 1, "equal content is a hit");

    /* one changed string: rebuilt, and the old buffers may go away */
    strcpy(copy[6], "world");
    CHECK(tok_cache_get(&c, &s, &m2, &err) == 0 && c.builds == 2, "changed token rebuilds");
    memset(copy, 'z', sizeof copy);   /* the model has its own copy */
    encode(m2, "world hello", got, sizeof got);
    CHECK(strcmp(got, "6 1") == 0, "after rebuild: %s", got);

    /* an option: rebuilt */
    s.vocab = vocab;
    s.wp.lowercase = 0;
    CHECK(tok_cache_get(&c, &s, &m2, &err) == 0 && c.builds == 3, "option change rebuilds");
    encode(m2, "Hello hello", got, sizeof got);
    CHECK(strcmp(got, "1 6") == 0, "cased: %s", got);
    s.special_id = (int32_t[]){0};
    CHECK(tok_cache_get(&c, &s, &m2, &err) == 0 && c.builds == 4, "special id change rebuilds");
    tok_cache_free(&c);
}

static void test_failed_build(void)
{
    tok_str vocab[NV], sp[1];
    int32_t spid[1];
    tok_spec s = wordpiece_spec(vocab, sp, spid);
    s.wp.unk = S("[NOPE]");   /* unknown token not in the vocabulary */
    tok_cache c;
    memset(&c, 0, sizeof c);
    tok_model *m;
    cka_error err;
    CHECK(tok_cache_get(&c, &s, &m, &err) != 0 && !c.valid, "missing unk fails, cache empty");
    CHECK(strcmp(err.id, "cka:tokenizer:missingToken") == 0, "id %s", err.id);
    s.wp.unk = S("[UNK]");
    CHECK(tok_cache_get(&c, &s, &m, &err) == 0 && c.valid, "then builds");
    tok_cache_free(&c);
    tok_cache_free(&c);   /* twice is harmless */
}

static void test_bpe(void)
{
    tok_str vocab[] = {S("a"), S("b"), S("ab"), S("!")};
    tok_str l[] = {S("a")}, r[] = {S("b")};
    tok_str unk = S("!");
    tok_spec s;
    memset(&s, 0, sizeof s);
    s.is_bpe = 1;
    s.unk = unk;
    s.nvocab = 4;
    s.vocab = vocab;
    s.nmerge = 1;
    s.left = l;
    s.right = r;
    tok_cache c;
    memset(&c, 0, sizeof c);
    tok_model *m;
    cka_error err;
    char got[64];
    CHECK(tok_cache_get(&c, &s, &m, &err) == 0, "bpe build");
    encode(m, "abab", got, sizeof got);
    CHECK(strcmp(got, "2 2") == 0, "bpe: %s", got);
    s.nmerge = 0;
    CHECK(tok_cache_get(&c, &s, &m, &err) == 0 && c.builds == 2, "fewer merges rebuilds");
    encode(m, "ab", got, sizeof got);
    CHECK(strcmp(got, "0 1") == 0, "no merge: %s", got);
    /* the options of tokenizer.json files are part of the spec too */
    s.bpe_pretok = BPE_PRETOK_QWEN2;
    CHECK(tok_cache_get(&c, &s, &m, &err) == 0 && c.builds == 3 && m->bpe.pretok == BPE_PRETOK_QWEN2,
          "pre-tokenizer change rebuilds");
    s.bpe_nfc = 1;
    CHECK(tok_cache_get(&c, &s, &m, &err) == 0 && c.builds == 4 && m->bpe.nfc, "NFC change rebuilds");
    s.bpe_ignore_merges = 1;
    CHECK(tok_cache_get(&c, &s, &m, &err) == 0 && c.builds == 5 && m->bpe.ignore_merges,
          "ignore_merges change rebuilds");
    CHECK(tok_cache_get(&c, &s, &m, &err) == 0 && c.builds == 5, "equal options are a hit");
    tok_cache_free(&c);
}

/* SentencePiece: scores and piece types are part of the spec; the cache
 * keeps its own copies of them. */
static void test_spm(void)
{
    tok_str vocab[] = {S("<unk>"), S("\xe2\x96\x81"), S("a"), S("b"), S("ab"), S("ba")};
    double score[] = {0, -1, -2, -3, -4, -5};
    int32_t type[] = {2, 1, 1, 1, 1, 1};
    tok_spec s;
    memset(&s, 0, sizeof s);
    s.is_spm = 1;
    s.spm = (spm_options){SPM_NORM_IDENTITY, 0, 0, 1, 1, 0, 1};
    s.nvocab = 6;
    s.vocab = vocab;
    s.score = score;
    s.piece_type = type;
    tok_cache c;
    memset(&c, 0, sizeof c);
    tok_model *m;
    cka_error err;
    char got[64];
    CHECK(tok_cache_get(&c, &s, &m, &err) == 0, "spm build");
    encode(m, "aba", got, sizeof got);
    CHECK(strcmp(got, "4 2") == 0, "ab first: %s", got);
    score[5] = -3.5;   /* ba now beats ab */
    CHECK(tok_cache_get(&c, &s, &m, &err) == 0 && c.builds == 2, "changed score rebuilds");
    score[5] = -5;     /* the cache has its own copy */
    encode(m, "aba", got, sizeof got);
    CHECK(strcmp(got, "2 5") == 0, "ba first: %s", got);
    type[5] = 5;       /* an unused piece never merges */
    CHECK(tok_cache_get(&c, &s, &m, &err) == 0 && c.builds == 3, "changed type rebuilds");
    encode(m, "aba", got, sizeof got);
    CHECK(strcmp(got, "4 2") == 0, "unused: %s", got);
    s.spm.add_dummy_prefix = 1;
    CHECK(tok_cache_get(&c, &s, &m, &err) == 0 && c.builds == 4, "changed option rebuilds");
    encode(m, "ab", got, sizeof got);
    CHECK(strcmp(got, "1 4") == 0, "dummy prefix: %s", got);
    CHECK(tok_cache_get(&c, &s, &m, &err) == 0 && c.builds == 4, "equal spec is a hit");
    tok_cache_free(&c);
}

int main(void)
{
    RUN(test_reuse_and_rebuild);
    RUN(test_failed_build);
    RUN(test_bpe);
    RUN(test_spm);
    return CHECK_REPORT();
}
