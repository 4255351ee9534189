/* oneDNN matmul for the forward's weight products; see ops_dnnl.h. */
#include "model/ops_dnnl.h"

#ifndef CKA_WITH_ONEDNN

int ops_dnnl_built(void)
{
    return 0;
}

int ops_dnnl_linear(float *y, int64_t ldy, const float *x, int64_t ldx, int64_t N, int64_t in,
                    int64_t out, const float *W, ops_wlayout layout, const float *b)
{
    (void)y, (void)ldy, (void)x, (void)ldx, (void)N, (void)in, (void)out, (void)W, (void)layout;
    (void)b;
    return 0;
}

void ops_dnnl_release(void)
{
}

#else

#include <dnnl.h>
#include <pthread.h>
#include <string.h>

/* One cached product shape: its primitive (NULL: oneDNN declined it) and
 * the memory descriptors its arguments are wrapped in. */
typedef struct plan {
    int64_t N, ldx, ldy, in, out;
    int layout, bias;
    dnnl_primitive_t prim;
    dnnl_memory_desc_t src, wei, bia, dst;
} plan;

enum { MAX_PLANS = 64 };
static plan plans[MAX_PLANS];
static int n_plans, next_evict;
static dnnl_engine_t engine;
static dnnl_stream_t stream;
static int unusable;            /* the engine could not be created */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int ops_dnnl_built(void)
{
    return 1;
}

/* A 2-D float32 descriptor of `rows` x `cols` with row stride rs and
 * column stride cs (elements). */
static int desc(dnnl_memory_desc_t *md, int64_t rows, int64_t cols, int64_t rs, int64_t cs)
{
    dnnl_dims_t dims = {rows, cols}, strides = {rs, cs};
    return dnnl_memory_desc_init_by_strides(md, 2, dims, dnnl_f32, strides) == dnnl_success;
}

/* Build the primitive of p's shape (p->prim stays NULL if oneDNN declines). */
static void plan_build(plan *p)
{
    p->prim = NULL;
    /* W is [in, out] in the product: LINEAR memory is row-major [in, out],
     * CONV1D row-major [out, in] (i.e. column-major [in, out]). */
    const int64_t wrs = p->layout == OPS_W_LINEAR ? p->out : 1;
    const int64_t wcs = p->layout == OPS_W_LINEAR ? 1 : p->in;
    if (!desc(&p->src, p->N, p->in, p->ldx, 1) || !desc(&p->wei, p->in, p->out, wrs, wcs)
        || !desc(&p->dst, p->N, p->out, p->ldy, 1) || !desc(&p->bia, 1, p->out, p->out, 1))
        return;
    dnnl_matmul_desc_t md;
    if (dnnl_matmul_desc_init(&md, &p->src, &p->wei, p->bias ? &p->bia : NULL, &p->dst)
        != dnnl_success)
        return;
    dnnl_primitive_desc_t pd;
    if (dnnl_primitive_desc_create(&pd, &md, NULL, engine, NULL) != dnnl_success)
        return;
    if (dnnl_primitive_create(&p->prim, pd) != dnnl_success)
        p->prim = NULL;
    dnnl_primitive_desc_destroy(pd);
}

static plan *plan_find(int64_t N, int64_t ldx, int64_t ldy, int64_t in, int64_t out,
                       int layout, int bias)
{
    for (int k = 0; k < n_plans; k++) {
        plan *p = &plans[k];
        if (p->N == N && p->ldx == ldx && p->ldy == ldy && p->in == in && p->out == out
            && p->layout == layout && p->bias == bias)
            return p;
    }
    plan *p;
    if (n_plans < MAX_PLANS) {
        p = &plans[n_plans++];
    } else {                      /* round robin: batches of a run share shapes */
        p = &plans[next_evict];
        next_evict = (next_evict + 1) % MAX_PLANS;
        if (p->prim != NULL)
            dnnl_primitive_destroy(p->prim);
    }
    *p = (plan){.N = N, .ldx = ldx, .ldy = ldy, .in = in, .out = out, .layout = layout,
                .bias = bias};
    plan_build(p);
    return p;
}

/* Wrap data in a memory object of descriptor md (no copy). */
static dnnl_memory_t wrap(const dnnl_memory_desc_t *md, const void *data)
{
    dnnl_memory_t m = NULL;
    if (dnnl_memory_create(&m, md, engine, (void *)data) != dnnl_success)
        return NULL;
    return m;
}

static int run(const plan *p, float *y, const float *x, const float *W, const float *b)
{
    dnnl_memory_t ms = wrap(&p->src, x), mw = wrap(&p->wei, W), md = wrap(&p->dst, y);
    dnnl_memory_t mb = p->bias ? wrap(&p->bia, b) : NULL;
    int ok = ms != NULL && mw != NULL && md != NULL && (!p->bias || mb != NULL);
    if (ok) {
        dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, ms}, {DNNL_ARG_WEIGHTS, mw},
                                   {DNNL_ARG_DST, md}, {DNNL_ARG_BIAS, mb}};
        ok = dnnl_primitive_execute(p->prim, stream, p->bias ? 4 : 3, args) == dnnl_success
             && dnnl_stream_wait(stream) == dnnl_success;
    }
    dnnl_memory_t all[4] = {ms, mw, md, mb};
    for (int k = 0; k < 4; k++)
        if (all[k] != NULL)
            dnnl_memory_destroy(all[k]);
    return ok;
}

int ops_dnnl_linear(float *y, int64_t ldy, const float *x, int64_t ldx, int64_t N, int64_t in,
                    int64_t out, const float *W, ops_wlayout layout, const float *b)
{
    if (N < 1 || in < 1 || out < 1 || ldy < out)
        return 0;
    pthread_mutex_lock(&lock);
    int done = 0;
    if (!unusable && engine == NULL) {
        if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success
            || dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) != dnnl_success)
            unusable = 1;
    }
    if (!unusable) {
        const plan *p = plan_find(N, ldx, ldy, in, out, (int)layout, b != NULL);
        done = p->prim != NULL && run(p, y, x, W, b);
    }
    pthread_mutex_unlock(&lock);
    return done;
}

void ops_dnnl_release(void)
{
    pthread_mutex_lock(&lock);
    for (int k = 0; k < n_plans; k++)
        if (plans[k].prim != NULL)
            dnnl_primitive_destroy(plans[k].prim);
    n_plans = next_evict = 0;
    if (stream != NULL)
        dnnl_stream_destroy(stream);
    if (engine != NULL)
        dnnl_engine_destroy(engine);
    stream = NULL;
    engine = NULL;
    pthread_mutex_unlock(&lock);
}

#endif
