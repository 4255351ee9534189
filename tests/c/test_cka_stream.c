/* Tests of the per-batch CKA stream (src/core/cka/cka_stream.c): the plan
 * of forward requests (one pass over the union of both layer lists for one
 * model and one batch, each shared module requested once; otherwise one
 * pass per side), the routing of each output to its Gram matrices, the
 * HSIC of every pair against the reference estimator (hsic_ref.h) on
 * Gram matrices built naively, and the errors of a request that never
 * fired. */
#include "check.h"
#include "hsic_ref.h"
#include "cka/cka_stream.h"

#include <stdlib.h>
#include <string.h>

enum { B = 9, D = 5 };

static float feature(int module, int b, int j)
{
    unsigned s = (unsigned)(module * 7919 + b * 131 + j * 17 + 1);
    s = s * 1664525u + 1013904223u;
    return (float)((double)(s >> 8) / (double)(1u << 23) - 1.0) + (float)(module % 3) * (float)j;
}

/* The activation of a module: [B, D] row-major. */
static void activation(int module, float *a)
{
    for (int b = 0; b < B; b++)
        for (int j = 0; j < D; j++)
            a[b * D + j] = feature(module, b, j);
}

/* Naive linear Gram matrix of a module (column-major n x n). */
static void naive_gram(int module, double *K)
{
    for (int i = 0; i < B; i++)
        for (int k = 0; k < B; k++) {
            double s = 0.0;
            for (int j = 0; j < D; j++)
                s += (double)feature(module, i, j) * (double)feature(module, k, j);
            K[k * B + i] = s;
        }
}

typedef struct setup {
    cka_stream st;
    cka_gram_set sets[2];
    void *plan;
} setup;

static void setup_init(setup *s, const int *m1, int L1, const int *m2, int L2, int one_pass,
                       int unbiased)
{
    memset(s, 0, sizeof *s);
    const int L[2] = {L1, L2};
    for (int k = 0; k < 2; k++) {
        s->sets[k] = (cka_gram_set){B, (size_t)L[k], calloc((size_t)(L[k] * B * B), sizeof(double)),
                                    calloc((size_t)(L[k] * B), sizeof(double)),
                                    calloc((size_t)L[k], sizeof(double))};
        s->st.sets[k] = &s->sets[k];
    }
    s->st.pooling = CKA_POOL_FLATTEN;
    s->st.opts = cka_options_default();
    s->st.opts.unbiased = unbiased;
    s->st.model_label[0] = "model1";
    s->st.model_label[1] = "model2";
    s->plan = malloc(cka_stream_plan_bytes(L1, L2));
    cka_stream_plan(&s->st, m1, L1, m2, L2, one_pass, s->plan);
}

static void setup_free(setup *s)
{
    cka_stream_free(&s->st);
    for (int k = 0; k < 2; k++) {
        free(s->sets[k].gram);
        free(s->sets[k].rowsum);
        free(s->sets[k].total);
    }
    free(s->plan);
}

/* Run every pass: each request gets its module's activation. */
static int run_all(setup *s, int skip_pass, int skip_req, cka_error *err)
{
    float a[B * D];
    for (int p = 0; p < s->st.n_passes; p++) {
        const cka_stream_pass *ps = &s->st.passes[p];
        for (int r = 0; r < ps->n_req; r++) {
            if (p == skip_pass && r == skip_req)
                continue;
            activation(ps->modules[r], a);
            cka_tensor t = {a, 2, {B, D, 1, 1}};
            if (cka_stream_feed(&s->st, p, r, &t, NULL, B, 1, err))
                return -1;
        }
        if (cka_stream_check_fired(&s->st, p, err))
            return -1;
    }
    return 0;
}

static void test_plan_one_pass(void)
{
    const int m1[] = {3, 5, 7}, m2[] = {5, 9, 3, 3};
    setup s;
    setup_init(&s, m1, 3, m2, 4, 1, 1);
    CHECK(s.st.n_passes == 1, "%d passes", s.st.n_passes);
    const cka_stream_pass *p = &s.st.passes[0];
    /* 3 (both sides), 5 (both), 7, 9, and 3 again (side 1 lists it twice) */
    const int want[] = {3, 5, 7, 9, 3};
    CHECK(p->n_req == 5, "%d requests", p->n_req);
    for (int r = 0; r < 5 && r < p->n_req; r++)
        CHECK(p->modules[r] == want[r], "request %d is module %d", r, p->modules[r]);
    CHECK(p->targets[0].count == 2 && p->targets[0].side[1] == 1 && p->targets[0].slot[1] == 2,
          "module 3 feeds side 1 slot 2");
    CHECK(p->targets[1].count == 2 && p->targets[1].slot[1] == 0, "module 5 feeds side 1 slot 0");
    CHECK(p->targets[4].count == 1 && p->targets[4].side[0] == 1 && p->targets[4].slot[0] == 3,
          "the second 3 of side 1 is its own request");
    setup_free(&s);
}

static void test_plan_two_passes(void)
{
    const int m1[] = {1, 2}, m2[] = {2, 4, 6};
    setup s;
    setup_init(&s, m1, 2, m2, 3, 0, 1);
    CHECK(s.st.n_passes == 2, "%d passes", s.st.n_passes);
    CHECK(s.st.passes[0].side == 0 && s.st.passes[0].n_req == 2, "pass 0");
    CHECK(s.st.passes[1].side == 1 && s.st.passes[1].n_req == 3, "pass 1");
    CHECK(s.st.passes[1].modules[2] == 6 && s.st.passes[1].targets[2].slot[0] == 2, "routing");
    setup_free(&s);
}

/* HSIC of every pair = the reference estimator on naive Gram matrices. */
static void check_hsic(int one_pass, int unbiased)
{
    const int m1[] = {3, 5, 7}, m2[] = {5, 9, 3, 3};
    setup s;
    setup_init(&s, m1, 3, m2, 4, one_pass, unbiased);
    cka_error err;
    cka_error_clear(&err);
    CHECK(run_all(&s, -1, -1, &err) == 0, "%s", err.msg);
    double hxy[12], hxx[3], hyy[4], K[B * B], Lm[B * B];
    cka_stream_hsic(&s.st, hxy, hxx, hyy);
    const double eps = s.st.opts.epsilon;
    for (int i = 0; i < 3; i++) {
        naive_gram(m1[i], K);
        double want;
        if (unbiased)
            want = hsic_unbiased(K, K, B, eps);
        else
            hsic_biased(K, K, B, &want);
        CHECK_CLOSE(hxx[i], want, 1e-9);
        for (int j = 0; j < 4; j++) {
            naive_gram(m2[j], Lm);
            if (unbiased)
                want = hsic_unbiased(K, Lm, B, eps);
            else
                hsic_biased(K, Lm, B, &want);
            CHECK_CLOSE(hxy[j * 3 + i], want, 1e-9);
        }
    }
    for (int j = 0; j < 4; j++) {
        naive_gram(m2[j], Lm);
        double want;
        if (unbiased)
            want = hsic_unbiased(Lm, Lm, B, eps);
        else
            hsic_biased(Lm, Lm, B, &want);
        CHECK_CLOSE(hyy[j], want, 1e-9);
    }
    setup_free(&s);
}

static void test_hsic_matches_reference(void)
{
    for (int one_pass = 0; one_pass < 2; one_pass++)
        for (int unbiased = 0; unbiased < 2; unbiased++)
            check_hsic(one_pass, unbiased);
}

static void test_request_not_fired(void)
{
    const int m1[] = {3, 5}, m2[] = {5};
    const char *n1[] = {"encoder.layer.0", "encoder.layer.1"}, *n2[] = {"h.0"};
    setup s;
    setup_init(&s, m1, 2, m2, 1, 0, 1);
    s.st.names[0] = n1;
    s.st.names[1] = n2;
    cka_error err;
    cka_error_clear(&err);
    CHECK(run_all(&s, 0, 1, &err) == -1, "a missing request passed");
    CHECK(strcmp(err.id, "cka:internal:hookNotFired") == 0, "%s", err.id);
    CHECK(strstr(err.msg, "'encoder.layer.1' of model1") != NULL, "%s", err.msg);
    setup_free(&s);
}

int main(void)
{
    RUN(test_plan_one_pass);
    RUN(test_plan_two_passes);
    RUN(test_hsic_matches_reference);
    RUN(test_request_not_fired);
    return CHECK_REPORT();
}
