/* Unit tests of src/core/cka/cka_pool.c: every pooling mode on a small
 * [B, T, H] activation with and without a padding mask. */
#include "check.h"
#include "cka/cka_pool.h"

#include <string.h>

enum { B = 3, T = 4, H = 2 };

static float act[B * T * H];
/* rows: 4 valid tokens, 2 valid (right padding), 3 valid (left padding) */
static const float mask[B * T] = {1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1};

static void fill(void)
{
    for (int i = 0; i < B * T * H; i++)
        act[i] = (float)(i + 1);
}

static float at(int b, int t, int h)
{
    return act[(b * T + t) * H + h];
}

static double feat(const cka_features *f, size_t i, size_t k)
{
    size_t off = i * f->d + k;
    return f->type == CKA_F32 ? ((const float *)f->data)[off] : ((const double *)f->data)[off];
}

static void test_flatten(void)
{
    fill();
    cka_tensor a = {act, 3, {B, T, H, 1}};
    cka_pool_scratch s = {NULL, 0};
    cka_features f;
    cka_error err;
    CHECK(cka_pool(&a, CKA_POOL_FLATTEN, NULL, B, T, &s, &f, "x", &err) == 0, "%s", err.msg);
    CHECK(f.data == act && f.n == B && f.d == T * H && f.sample_major, "in place");
    CHECK(cka_pool(&a, CKA_POOL_FLATTEN, mask, B, T, &s, &f, "x", &err) == 0, "%s", err.msg);
    CHECK(feat(&f, 1, 2 * H) == 0.0 && feat(&f, 1, 1 * H + 1) == at(1, 1, 1), "pads zeroed");
    CHECK(feat(&f, 2, 0) == 0.0 && feat(&f, 2, 3 * H) == at(2, 3, 0), "left pad zeroed");
    cka_pool_scratch_free(&s);
}

static void test_mean_first_last(void)
{
    fill();
    cka_tensor a = {act, 3, {B, T, H, 1}};
    cka_pool_scratch s = {NULL, 0};
    cka_features f;
    cka_error err;
    CHECK(cka_pool(&a, CKA_POOL_MEAN, mask, B, T, &s, &f, "x", &err) == 0, "%s", err.msg);
    CHECK(f.n == B && f.d == H, "shape");
    CHECK_CLOSE(feat(&f, 1, 0), (at(1, 0, 0) + at(1, 1, 0)) / 2.0, 1e-15);
    CHECK_CLOSE(feat(&f, 2, 1), (at(2, 1, 1) + at(2, 2, 1) + at(2, 3, 1)) / 3.0, 1e-15);
    CHECK(cka_pool(&a, CKA_POOL_MEAN, NULL, B, T, &s, &f, "x", &err) == 0, "%s", err.msg);
    CHECK_CLOSE(feat(&f, 1, 0), (at(1, 0, 0) + at(1, 1, 0) + at(1, 2, 0) + at(1, 3, 0)) / 4.0, 1e-15);
    CHECK(cka_pool(&a, CKA_POOL_FIRST, mask, B, T, &s, &f, "x", &err) == 0, "%s", err.msg);
    CHECK(feat(&f, 0, 1) == at(0, 0, 1) && feat(&f, 2, 0) == at(2, 1, 0), "first");
    CHECK(cka_pool(&a, CKA_POOL_LAST, mask, B, T, &s, &f, "x", &err) == 0, "%s", err.msg);
    CHECK(feat(&f, 0, 0) == at(0, 3, 0) && feat(&f, 1, 1) == at(1, 1, 1)
              && feat(&f, 2, 0) == at(2, 3, 0), "last");
    CHECK(cka_pool(&a, CKA_POOL_LAST, NULL, B, T, &s, &f, "x", &err) == 0, "%s", err.msg);
    CHECK(feat(&f, 1, 1) == at(1, 3, 1), "last without mask");
    cka_pool_scratch_free(&s);
}

static void test_tokens(void)
{
    fill();
    cka_tensor a = {act, 3, {B, T, H, 1}};
    cka_pool_scratch s = {NULL, 0};
    cka_features f;
    cka_error err;
    CHECK(cka_pool_count(CKA_POOL_TOKENS, mask, B, T) == 9, "count");
    CHECK(cka_pool(&a, CKA_POOL_TOKENS, mask, B, T, &s, &f, "x", &err) == 0, "%s", err.msg);
    CHECK(f.n == 9 && f.d == H, "shape %zu %zu", f.n, f.d);
    CHECK(feat(&f, 4, 0) == at(1, 0, 0) && feat(&f, 6, 1) == at(2, 1, 1)
              && feat(&f, 8, 0) == at(2, 3, 0), "tokens");
    CHECK(cka_pool(&a, CKA_POOL_TOKENS, NULL, B, T, &s, &f, "x", &err) == 0, "%s", err.msg);
    CHECK(f.n == B * T, "all tokens");
    cka_pool_scratch_free(&s);
}

static void test_non_sequence_and_errors(void)
{
    fill();
    cka_pool_scratch s = {NULL, 0};
    cka_features f;
    cka_error err;
    cka_tensor pooler = {act, 2, {B, 8, 1, 1}};
    CHECK(cka_pool(&pooler, CKA_POOL_MEAN, mask, B, T, &s, &f, "pooler", &err) == 0, "%s", err.msg);
    CHECK(f.data == act && f.d == 8, "2-D output flattened");
    CHECK(cka_pool(&pooler, CKA_POOL_TOKENS, mask, B, T, &s, &f, "pooler", &err) == -1, "tokens");
    CHECK(strcmp(err.id, "cka:input:badPooling") == 0 && strstr(err.msg, "pooler"), "%s", err.id);
    /* a 4-D output whose second axis happens to equal T is not a sequence */
    cka_tensor att = {act, 4, {B, T, 1, 2}};
    CHECK(cka_pool(&att, CKA_POOL_MEAN, mask, B, T, &s, &f, "att", &err) == 0, "%s", err.msg);
    CHECK(f.data == act && f.d == T * 2, "4-D output flattened");
    CHECK(cka_pool(&att, CKA_POOL_TOKENS, mask, B, T, &s, &f, "att", &err) == -1, "tokens 4-D");
    cka_tensor pos = {act, 3, {1, T, 6, 1}};
    CHECK(cka_pool(&pos, CKA_POOL_FLATTEN, NULL, B, T, &s, &f, "pos", &err) == -1, "no batch");
    CHECK(strcmp(err.id, "cka:input:notBatched") == 0, "%s", err.id);
    float zmask[B * T] = {1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1};
    cka_tensor a = {act, 3, {B, T, H, 1}};
    CHECK(cka_pool(&a, CKA_POOL_MEAN, zmask, B, T, &s, &f, "x", &err) == -1, "empty row");
    CHECK(strcmp(err.id, "cka:input:emptySequence") == 0, "%s", err.id);
    cka_pooling p;
    CHECK(cka_pooling_from_name("tokens", &p, &err) == 0 && p == CKA_POOL_TOKENS, "name");
    CHECK(cka_pooling_from_name("max", &p, &err) == -1, "bad name");
    cka_pool_scratch_free(&s);
}

int main(void)
{
    RUN(test_flatten);
    RUN(test_mean_first_last);
    RUN(test_tokens);
    RUN(test_non_sequence_and_errors);
    return CHECK_REPORT();
}
