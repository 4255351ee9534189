/* See cka_stream.h. */
#include "cka/cka_stream.h"

#include <stdio.h>
#include <string.h>

size_t cka_stream_plan_bytes(int L1, int L2)
{
    const size_t n = (size_t)(L1 > 0 ? L1 : 0) + (size_t)(L2 > 0 ? L2 : 0);
    return n * (2 * sizeof(int) + sizeof(cka_stream_target)) + 1;
}

void cka_stream_plan(cka_stream *st, const int *mods1, int L1, const int *mods2, int L2,
                     int one_pass, void *memory)
{
    const int *mods[2] = {mods1, mods2};
    const int L[2] = {L1, L2};
    const int total = L1 + L2;
    /* targets first: their alignment is at least int's */
    cka_stream_target *targets = memory;
    int *modules = (int *)(targets + total), *fired = modules + total;
    memset(memory, 0, cka_stream_plan_bytes(L1, L2));
    if (one_pass) {
        /* the union of both lists: a module asked by both sides is requested
         * once and feeds one slot of each; a module listed twice on the same
         * side is requested twice */
        cka_stream_pass *p = &st->passes[0];
        *p = (cka_stream_pass){0, 0, modules, targets, fired};
        for (int s = 0; s < 2; s++)
            for (int k = 0; k < L[s]; k++) {
                int r;
                for (r = 0; r < p->n_req; r++)
                    if (modules[r] == mods[s][k] && targets[r].count == 1
                        && targets[r].side[0] != s)
                        break;
                if (r == p->n_req)
                    modules[p->n_req++] = mods[s][k];
                cka_stream_target *t = &targets[r];
                t->side[t->count] = s;
                t->slot[t->count] = k;
                t->count++;
            }
        st->n_passes = 1;
        return;
    }
    for (int s = 0; s < 2; s++) {
        cka_stream_pass *p = &st->passes[s];
        *p = (cka_stream_pass){s, L[s], modules, targets, fired};
        for (int k = 0; k < L[s]; k++) {
            modules[k] = mods[s][k];
            targets[k] = (cka_stream_target){1, {s, 0}, {k, 0}};
        }
        modules += L[s];
        targets += L[s];
        fired += L[s];
    }
    st->n_passes = 2;
}

static void layer_label(char *buf, size_t len, const cka_stream *st, int side, int slot)
{
    const char *name = st->names[side] != NULL ? st->names[side][slot] : NULL;
    snprintf(buf, len, "layer '%s' of %s", name != NULL ? name : "?",
             st->model_label[side] != NULL ? st->model_label[side] : "the model");
}

int cka_stream_feed(cka_stream *st, int p, int r, const cka_tensor *act, const float *mask,
                    int64_t B, int64_t T, cka_error *err)
{
    cka_stream_pass *ps = &st->passes[p];
    const cka_stream_target *t = &ps->targets[r];
    char what[256];
    layer_label(what, sizeof what, st, t->side[0], t->slot[0]);
    cka_features f;
    if (cka_pool(act, st->pooling, mask, B, T, &st->scratch, &f, what, err))
        return -1;
    cka_gram_set *s0 = st->sets[t->side[0]];
    if (f.n == s0->n && st->features_out != NULL)
        for (int k = 0; k < t->count; k++)
            if (st->features_out(st->features_ctx, t->side[k], t->slot[k], &f, err))
                return -1;
    if (f.n != s0->n)
        return cka_error_set(err, "cka:input:sampleMismatch",
                             "%s gives %zu samples, expected %zu", what, f.n, s0->n);
    const size_t n = s0->n, nn = n * n, a0 = (size_t)t->slot[0];
    if (cka_gram(&f, &st->opts, s0->gram + a0 * nn, what, err))
        return -1;
    cka_gram_prepare(s0, a0, st->opts.unbiased);
    if (t->count > 1) {
        cka_gram_set *s1 = st->sets[t->side[1]];
        const size_t a1 = (size_t)t->slot[1];
        memcpy(s1->gram + a1 * nn, s0->gram + a0 * nn, nn * sizeof(double));
        memcpy(s1->rowsum + a1 * n, s0->rowsum + a0 * n, n * sizeof(double));
        s1->total[a1] = s0->total[a0];
    }
    ps->fired[r]++;
    return 0;
}

int cka_stream_check_fired(const cka_stream *st, int p, cka_error *err)
{
    const cka_stream_pass *ps = &st->passes[p];
    for (int r = 0; r < ps->n_req; r++)
        if (ps->fired[r] == 0) {
            char what[256];
            layer_label(what, sizeof what, st, ps->targets[r].side[0], ps->targets[r].slot[0]);
            return cka_error_set(err, "cka:internal:hookNotFired", "%s produced no output", what);
        }
    return 0;
}

void cka_stream_hsic(const cka_stream *st, double *hxy, double *hxx, double *hyy)
{
    cka_hsic_pairs(st->sets[0], st->sets[1], &st->opts, hxy);
    cka_hsic_self(st->sets[0], &st->opts, hxx);
    cka_hsic_self(st->sets[1], &st->opts, hyy);
}

void cka_stream_free(cka_stream *st)
{
    cka_pool_scratch_free(&st->scratch);
}
