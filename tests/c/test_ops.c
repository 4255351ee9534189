/* Kernels of ops.c: the vectorised erf of the exact GELU against erf in
 * double, the GELU activation against PyTorch's float formula, and products
 * with 16-bit weights against the float32 product of the widened weights. */
#include "check.h"
#include "model/ops.h"
#include "model/ops_dnnl.h"
#include "common/cka_half.h"
#include "io/safetensors.h"

#include <omp.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ulp of the float nearest to v */
static double ulp_of(double v)
{
    float f = (float)fabs(v);
    return (double)nextafterf(f, INFINITY) - (double)f;
}

/* Every float in [2^-30, 6] (and their negatives) with a stride of 7 bit
 * patterns: at most 1 ulp from erf(u) rounded, and as often correctly
 * rounded as erff. */
static void test_erf_every_float(void)
{
    uint32_t lo, hi;
    float flo = 0x1p-30f, fhi = 6.0f;
    memcpy(&lo, &flo, 4);
    memcpy(&hi, &fhi, 4);
    double worst = 0.0;
    long off = 0, n = 0;
    for (uint32_t b = lo; b <= hi; b += 7) {
        float u;
        memcpy(&u, &b, 4);
        for (int s = 0; s < 2; s++, u = -u) {
            double want = erf((double)u);
            float got = ops_erff(u);
            double e = fabs((double)got - want) / ulp_of(want);
            if (e > worst)
                worst = e;
            off += got != (float)want;
            n++;
        }
    }
    CHECK(worst <= 1.0, "max error %.3f ulp", worst);
    CHECK(off < n / 1000, "%ld of %ld not correctly rounded", off, n);
    printf("# erf: %ld floats, max %.3f ulp, %ld not correctly rounded\n", n, worst, off);
    CHECK(ops_erff(0.0f) == 0.0f && ops_erff(10.0f) == 1.0f && ops_erff(-10.0f) == -1.0f,
          "erf(0), erf(+-10)");
    CHECK(ops_erff(INFINITY) == 1.0f && ops_erff(-INFINITY) == -1.0f, "erf(+-inf)");
    CHECK(ops_erff(1e-40f) == 1e-40f * (float)M_2_SQRTPI || ops_erff(1e-40f) > 0.0f,
          "subnormal argument");
}

/* GELU (vectorised path) against 0.5 x (1 + erff(x / sqrt 2)) in float and
 * against the exact value in double. */
static void test_gelu_matches_reference(void)
{
    const int64_t n = 200001;
    float *x = malloc((size_t)n * sizeof *x);
    for (int64_t i = 0; i < n; i++)
        x[i] = -12.0f + 24.0f * (float)i / (float)(n - 1);
    float *y = malloc((size_t)n * sizeof *y);
    memcpy(y, x, (size_t)n * sizeof *y);
    ops_activation(y, n, TFM_ACT_GELU);
    double worst_ref = 0.0, worst_exact_ours = 0.0, worst_exact_ref = 0.0;
    for (int64_t i = 0; i < n; i++) {
        float ref = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678118654752440f));
        double exact = 0.5 * (double)x[i] * (1.0 + erf((double)x[i] / sqrt(2.0)));
        /* in ulps of 0.5 x: the formula rounds at that scale (1 + erf
         * cancels for negative x, in PyTorch's float formula as here) */
        double scale = fmax(ulp_of(0.5 * (double)x[i]), 1e-30);
        double er = fabs((double)y[i] - (double)ref) / scale;
        worst_ref = er > worst_ref ? er : worst_ref;
        double eo = fabs((double)y[i] - exact) / scale, ef = fabs((double)ref - exact) / scale;
        {
            worst_exact_ours = eo > worst_exact_ours ? eo : worst_exact_ours;
            worst_exact_ref = ef > worst_exact_ref ? ef : worst_exact_ref;
        }
    }
    printf("# gelu (ulps of x/2): max %.2f from the erff formula; from exact: ours %.2f, "
           "erff %.2f\n",
           worst_ref, worst_exact_ours, worst_exact_ref);
    CHECK(worst_ref <= 2.0, "%.2f ulp from the erff formula", worst_ref);
    CHECK(worst_exact_ours <= worst_exact_ref + 0.5, "ours %.2f ulp, erff formula %.2f ulp",
          worst_exact_ours, worst_exact_ref);
    /* NaN propagates, -inf gives NaN as the float formula does. */
    float sp[3] = {NAN, INFINITY, 0.0f};
    ops_activation(sp, 3, TFM_ACT_GELU);
    CHECK(isnan(sp[0]) && sp[1] == INFINITY && sp[2] == 0.0f, "special values");
    free(x);
    free(y);
}

/* The exp of the softmax: floats in [-104, 89] against exp in double. */
static void test_exp_floats(void)
{
    double worst = 0.0;
    long off = 0, n = 0;
    for (float x = -104.0f; x < 89.0f; x += 0.000731f) {
        double want = exp((double)x);
        float got = ops_expf(x);
        if (want < FLT_MIN) {              /* subnormal results: absolute */
            CHECK(fabs((double)got - want) <= 0x1p-149, "exp(%g)", (double)x);
            continue;
        }
        double e = fabs((double)got - want) / ulp_of(want);
        worst = e > worst ? e : worst;
        off += got != (float)want;
        n++;
    }
    printf("# exp: %ld floats, max %.3f ulp, %ld not correctly rounded\n", n, worst, off);
    CHECK(worst <= 0.51, "max error %.3f ulp", worst);
    CHECK(ops_expf(0.0f) == 1.0f && ops_expf(-INFINITY) == 0.0f && ops_expf(-300.0f) == 0.0f,
          "exp(0), exp(-inf)");
    CHECK(ops_expf(100.0f) == INFINITY && isnan(ops_expf(NAN)), "exp(100), exp(NaN)");
}

/* Softmax rows against the same computation in double. */
static void test_softmax_rows(void)
{
    enum { T = 131 };
    float row[T];
    for (int rep = 0; rep < 20; rep++) {
        double ref[T], mx = -INFINITY, sum = 0.0;
        for (int j = 0; j < T; j++) {
            row[j] = (float)(sin(0.37 * j + rep) * (1 + rep));
            if (j % 7 == 3)
                row[j] = -FLT_MAX;       /* masked */
            mx = row[j] > mx ? row[j] : mx;
        }
        for (int j = 0; j < T; j++)
            sum += ref[j] = exp((double)(row[j] - (float)mx));  /* float difference, as the kernel */
        ops_softmax_row(row, T);
        for (int j = 0; j < T; j++)
            CHECK(fabs(row[j] - ref[j] / sum) <= 2e-6 * (ref[j] / sum) + 1e-30, /* float sum of T terms */
                  "row %d entry %d: %g vs %g", rep, j, (double)row[j], ref[j] / sum);
    }
}

/* gelu_new (vectorised) against its float formula with expf. */
static void test_gelu_new_matches_formula(void)
{
    const int64_t n = 400001;
    float *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    for (int64_t i = 0; i < n; i++)
        x[i] = y[i] = -15.0f + 30.0f * (float)i / (float)(n - 1);
    ops_activation(y, n, TFM_ACT_GELU_NEW);
    long diff = 0;
    double worst = 0.0;
    for (int64_t i = 0; i < n; i++) {
        const float xi = x[i];
        float ref = xi / (1.0f + expf(-2.0f * 0.7978845608028654f * (xi + 0.044715f * xi * xi * xi)));
        if (y[i] != ref) {
            /* which is nearer the formula evaluated with an exact exp? */
            const float u = -2.0f * 0.7978845608028654f * (xi + 0.044715f * xi * xi * xi);
            const float den = 1.0f + (float)exp((double)u);
            const double exact = (double)xi / (double)den;
            const double eo = fabs((double)y[i] - exact), er = fabs((double)ref - exact);
            diff++;
            double e = (eo - er) / fmax(ulp_of(ref), 1e-38);
            worst = e > worst ? e : worst;
        }
    }
    printf("# gelu_new: %ld of %ld differ from the expf formula; at worst %.2f ulp farther "
           "from the formula with exact exp\n", diff, (long)n, worst);
    CHECK(worst <= 0.0 && diff < n / 1000, "%ld differ, %.2f ulp", diff, worst);
    free(x);
    free(y);
}

/* ops_to_colmajor against the index formula, on shapes with and without
 * whole tiles, singleton axes, and sizes above the threading threshold. */
static void test_to_colmajor(void)
{
    static const int64_t shapes[][5] = {
        {1, 7}, {2, 3, 5}, {2, 17, 33}, {1, 9, 40}, {16, 128, 96}, {3, 1, 2, 5},
        {2, 3, 4, 5}, {4, 6, 19, 19}, {1, 1, 1, 1}, {3, 0, 2}, {5, 2, 3, 1},
    };
    static const int ndims[] = {2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 4};
    /* 1-D: a plain copy */
    float a[5] = {1, 2, 3, 4, 5}, b[5] = {0};
    int64_t n5 = 5;
    ops_to_colmajor(b, a, &n5, 1);
    CHECK(memcmp(a, b, sizeof a) == 0, "1-D copy");
    for (size_t c = 0; c < sizeof ndims / sizeof *ndims; c++) {
        const int64_t *sh = shapes[c];
        int nd = ndims[c];
        int64_t total = 1;
        for (int k = 0; k < nd; k++)
            total *= sh[k];
        float *src = malloc((size_t)(total ? total : 1) * sizeof *src);
        float *dst = malloc((size_t)(total ? total : 1) * sizeof *dst);
        for (int64_t i = 0; i < total; i++)
            src[i] = (float)i;
        ops_to_colmajor(dst, src, sh, nd);
        int bad = 0;
        for (int64_t i = 0; i < total && !bad; i++) {
            /* row-major index i -> coordinates -> column-major index */
            int64_t rest = i, j = 0, stride = 1, coord[4];
            for (int k = nd - 1; k >= 0; k--) {
                coord[k] = rest % sh[k];
                rest /= sh[k];
            }
            for (int k = 0; k < nd; k++) {
                j += coord[k] * stride;
                stride *= sh[k];
            }
            bad = dst[j] != src[i];
        }
        CHECK(!bad, "shape case %zu", c);
        free(src);
        free(dst);
    }
}

/* A worker's thread budget: set, reported, restored; n < 1 only reports. */
static void test_threads_set(void)
{
    int omp0, blas0, omp1, blas1, omp2, blas2;
    ops_threads_set(0, &omp0, &blas0);
    CHECK(omp0 >= 1 && blas0 >= 0, "counts %d %d", omp0, blas0);
    ops_threads_set(1, &omp1, &blas1);
    CHECK(omp1 == omp0 && blas1 == blas0, "n = 0 changed nothing");
    ops_threads_set(0, &omp2, &blas2);
    CHECK(omp2 == 1 && (blas2 == 1 || blas2 == 0), "set to 1: %d %d", omp2, blas2);
    ops_threads_set(omp0, &omp2, &blas2);
    ops_threads_set(0, &omp2, &blas2);
    CHECK(omp2 == omp0, "restored %d", omp2);
}

/* ops_linear with a bf16/f16 W gives the float32 product of the widened
 * W (up to sgemm's summation order), for both layouts, with and without the threads' split (by rows and by
 * columns), with a bias or not, and with output widths that leave a partial
 * panel (in = 70000: panels of 48 columns, the last one 4 wide). */
static void test_linear_16bit(void)
{
    const struct { int64_t N, in, out; } shapes[] = {
        {3, 40, 24}, {300, 96, 200}, {8, 512, 700}, {130, 70000, 100}};
    const tfm_dtype types[] = {TFM_BF16, TFM_F16};
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        const int64_t N = shapes[si].N, in = shapes[si].in, out = shapes[si].out;
        float *x = malloc((size_t)(N * in) * sizeof *x);
        float *b = malloc((size_t)out * sizeof *b);
        float *wf = malloc((size_t)(in * out) * sizeof *wf);
        uint16_t *wh = malloc((size_t)(in * out) * sizeof *wh);
        float *y16 = malloc((size_t)(N * out) * sizeof *y16);
        float *y32 = malloc((size_t)(N * out) * sizeof *y32);
        for (int64_t k = 0; k < N * in; k++)
            x[k] = (float)sin(0.37 * (double)k) * 2.0f;
        for (int64_t k = 0; k < out; k++)
            b[k] = (float)cos(0.11 * (double)k);
        for (size_t ti = 0; ti < 2; ti++)
            for (int layout = 0; layout < 2; layout++)
                for (int split = 0; split < 2; split++) {
                    for (int64_t k = 0; k < in * out; k++) {
                        const float v = (float)sin(1.3 * (double)k + (double)si) * 0.05f;
                        wh[k] = types[ti] == TFM_BF16 ? st_f32_to_bf16(v) : st_f32_to_f16(v);
                        wf[k] = types[ti] == TFM_BF16 ? cka_bf16_to_f32(wh[k])
                                                      : cka_f16_to_f32(wh[k]);
                    }
                    const int blas = split ? ops_threads_begin() : 0;
                    /* reserved for a wider model (a 32000-row embedding
                     * table), used by this product: the panel must fit */
                    CHECK(ops_panels_begin(in > 32000 ? in : 32000) == 0, "panels");
                    const float *bias = split ? b : NULL;
                    ops_linear(y16, x, in, N, in, out, (tfm_weight){wh, types[ti]},
                               (ops_wlayout)layout, bias);
                    ops_linear(y32, x, in, N, in, out, (tfm_weight){wf, TFM_F32},
                               (ops_wlayout)layout, bias);
                    ops_panels_end();
                    if (split)
                        ops_threads_end(blas);
                    double worst = 0.0, scale = 1.0;
                    for (int64_t k = 0; k < N * out; k++) {
                        if (fabs(y32[k]) > scale)
                            scale = fabs(y32[k]);
                        if (fabs(y16[k] - y32[k]) > worst)
                            worst = fabs(y16[k] - y32[k]);
                    }
                    /* sgemm may sum a column in another order for another
                     * panel width (edge kernels): float32 rounding that
                     * grows like sqrt(in). */
                    const double tol = 1e-6 * scale * (in > 512 ? sqrt((double)in / 512.0) : 1.0);
                    CHECK(worst <= tol, "N %lld in %lld out %lld type %d layout %d "
                          "split %d: off by %g (scale %g)", (long long)N, (long long)in,
                          (long long)out, (int)types[ti], layout, split, worst, scale);
                }
        free(x), free(b), free(wf), free(wh), free(y16), free(y32);
    }
}

/* The oneDNN backend (a build configured --with-onednn) computes the
 * products sgemm computes, in both layouts, with and without a bias, with
 * strided rows; a build without it declines every product. */
static void test_linear_onednn(void)
{
    const int64_t N = 37, in = 300, out = 129, ldx = 310;
    float *x = malloc((size_t)(N * ldx) * sizeof *x), *w = malloc((size_t)(in * out) * sizeof *w);
    float *b = malloc((size_t)out * sizeof *b);
    float *yb = malloc((size_t)(N * out) * sizeof *yb), *yd = malloc((size_t)(N * out) * sizeof *yd);
    for (int64_t k = 0; k < N * ldx; k++)
        x[k] = (float)sin(0.7 * (double)k);
    for (int64_t k = 0; k < in * out; k++)
        w[k] = (float)cos(0.3 * (double)k) * 0.1f;
    for (int64_t k = 0; k < out; k++)
        b[k] = (float)k * 0.01f;
    if (!ops_dnnl_built()) {
        CHECK(ops_dnnl_linear(yd, out, x, ldx, N, in, out, w, OPS_W_LINEAR, b) == 0, "stub declines");
        ops_use_onednn(1);
        CHECK(ops_use_onednn(-1) == 0, "cannot be turned on without oneDNN");
    } else {
        for (int layout = 0; layout < 2; layout++)
            for (int bias = 0; bias < 2; bias++) {
                const float *bb = bias ? b : NULL;
                ops_use_onednn(0);
                ops_linear(yb, x, ldx, N, in, out, (tfm_weight){w, TFM_F32}, (ops_wlayout)layout, bb);
                ops_use_onednn(1);
                CHECK(ops_dnnl_linear(yd, out, x, ldx, N, in, out, w, (ops_wlayout)layout, bb) == 1,
                      "oneDNN ran");
                double worst = 0.0, scale = 1.0;
                for (int64_t k = 0; k < N * out; k++) {
                    scale = fmax(scale, fabs(yb[k]));
                    worst = fmax(worst, fabs(yd[k] - yb[k]));
                }
                CHECK(worst <= 1e-6 * scale, "layout %d bias %d: off by %g", layout, bias, worst);
            }
        ops_dnnl_release();
    }
    CHECK(ops_linear_seconds(64, 2) > 0.0, "timing");
    free(x), free(w), free(b), free(yb), free(yd);
}

/* Embedding lookups read 16-bit tables exactly. */
static void test_embed_16bit(void)
{
    enum { NUM = 7, DIM = 5 };
    uint16_t th[NUM * DIM];
    float tf[NUM * DIM];
    for (int k = 0; k < NUM * DIM; k++) {
        th[k] = st_f32_to_f16((float)k * 0.25f - 3.0f);
        tf[k] = cka_f16_to_f32(th[k]);
    }
    const int64_t ids[3] = {6, 0, 3};
    float a[3 * DIM], c[3 * DIM];
    ops_embed(a, (tfm_weight){th, TFM_F16}, NUM, DIM, ids, 3);
    ops_embed(c, (tfm_weight){tf, TFM_F32}, NUM, DIM, ids, 3);
    CHECK(memcmp(a, c, sizeof a) == 0, "embed f16");
    ops_positions_add(a, (tfm_weight){th, TFM_F16}, NUM, DIM, 1, 3);
    ops_positions_add(c, (tfm_weight){tf, TFM_F32}, NUM, DIM, 1, 3);
    CHECK(memcmp(a, c, sizeof a) == 0, "positions f16");
    CHECK(ops_weight_at((tfm_weight){th, TFM_F16}, 9) == tf[9], "weight_at");
}

int main(void)
{
    RUN(test_threads_set);
    RUN(test_linear_16bit);
    RUN(test_embed_16bit);
    RUN(test_linear_onednn);
    RUN(test_to_colmajor);
    RUN(test_gelu_new_matches_formula);
    RUN(test_exp_floats);
    RUN(test_softmax_rows);
    RUN(test_erf_every_float);
    RUN(test_gelu_matches_reference);
    return CHECK_REPORT();
}
