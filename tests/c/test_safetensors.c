/* Unit tests of src/core/io/safetensors.c: prefix/header checks, structural
 * validation, dtype conversions (exhaustive for 16-bit types), transposes,
 * and a write -> map -> decode round trip. */
#include "check.h"
#include "io/safetensors.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int has_id(const cka_error *e, const char *id)
{
    return strcmp(e->id, id) == 0;
}

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int k = 0; k < 8; k++)
        p[k] = (unsigned char)(v >> (8 * k));
}

static void test_prefix(void)
{
    cka_error e;
    unsigned char p[8];
    uint64_t n = 0;
    put_le64(p, 16);
    CHECK(st_check_prefix(p, 24, &n, "f", &e) == 0 && n == 16, "ok prefix");
    CHECK(st_check_prefix(p, 4, &n, "f", &e) == -1 && has_id(&e, "cka:safetensors:truncated"), "%s", e.id);
    CHECK(st_check_prefix(p, 20, &n, "f", &e) == -1 && has_id(&e, "cka:safetensors:truncated"), "%s", e.id);
    put_le64(p, 100000001ULL);
    CHECK(st_check_prefix(p, UINT64_MAX, &n, "f", &e) == -1 && has_id(&e, "cka:safetensors:headerTooLarge"), "%s", e.id);
    put_le64(p, UINT64_MAX);
    CHECK(st_check_prefix(p, 64, &n, "f", &e) == -1 && has_id(&e, "cka:safetensors:headerTooLarge"), "%s", e.id);
    put_le64(p, UINT64_MAX - 3);
    CHECK(st_check_prefix(p, UINT64_MAX, &n, "f", &e) == -1, "overflow-safe");
}

static void test_header_bytes(void)
{
    cka_error e;
    CHECK(st_check_header_bytes("{}", 2, "f", &e) == 0, "plain");
    CHECK(st_check_header_bytes("  \n{\"\xc3\xa9\":1}  ", 13, "f", &e) == 0, "ws + utf8: %s", e.msg);
    CHECK(st_check_header_bytes("[]", 2, "f", &e) == -1 && has_id(&e, "cka:safetensors:badHeader"), "array");
    CHECK(st_check_header_bytes("{}\0\0", 4, "f", &e) == -1 && strstr(e.msg, "NUL"), "nul");
    CHECK(st_check_header_bytes("{\"\xc3\":1}", 7, "f", &e) == -1, "truncated utf8");
    CHECK(st_check_header_bytes("{\"\xc0\xaf\":1}", 8, "f", &e) == -1, "overlong utf8");
    CHECK(st_check_header_bytes("{\"\xed\xa0\x80\":1}", 9, "f", &e) == -1, "surrogate");
    CHECK(st_check_header_bytes("   ", 3, "f", &e) == -1, "blank");
}

static void test_number(void)
{
    cka_error e;
    uint64_t v;
    CHECK(st_number(12, &v, "f", "t", "x", &e) == 0 && v == 12, "12");
    CHECK(st_number(9007199254740992.0, &v, "f", "t", "x", &e) == 0, "2^53");
    CHECK(st_number(9007199254740994.0, &v, "f", "t", "x", &e) == -1, "> 2^53");
    CHECK(st_number(-1, &v, "f", "t", "x", &e) == -1 && has_id(&e, "cka:safetensors:badNumber"), "neg");
    CHECK(st_number(1.5, &v, "f", "t", "x", &e) == -1, "frac");
    CHECK(st_number(NAN, &v, "f", "t", "x", &e) == -1, "nan");
    CHECK(st_number(INFINITY, &v, "f", "t", "x", &e) == -1, "inf");
}

static st_entry ent(const char *name, int dt, size_t nd, uint64_t a, uint64_t b, uint64_t beg,
                    uint64_t end)
{
    st_entry x;
    memset(&x, 0, sizeof x);
    x.name = name;
    x.dtype = dt;
    x.ndim = nd;
    x.shape[0] = a;
    x.shape[1] = b;
    x.begin = beg;
    x.end = end;
    return x;
}

static void test_validate(void)
{
    cka_error e;
    st_entry t[4];
    t[0] = ent("b", ST_F32, 2, 2, 3, 8, 32);
    t[1] = ent("a", ST_F16, 1, 4, 0, 0, 8);
    t[2] = ent("s", ST_F32, 0, 0, 0, 32, 36);
    t[3] = ent("z", ST_U8, 1, 0, 0, 36, 36);
    CHECK(st_validate(t, 4, 36, "f", &e) == 0, "valid: %s", e.msg);
    CHECK(st_validate(t, 4, 40, "f", &e) == -1 && has_id(&e, "cka:safetensors:badOffsets") &&
              strstr(e.msg, "not fully covered"), "trailing: %s", e.msg);
    CHECK(st_validate(t, 4, 34, "f", &e) == -1 && has_id(&e, "cka:safetensors:truncated"), "cut: %s", e.msg);
    st_entry o = ent("o", ST_F32, 1, 1, 0, 100, 104);
    CHECK(st_validate(&o, 1, 8, "f", &e) == -1 && has_id(&e, "cka:safetensors:badOffsets"), "outside");
    st_entry u[4];
    memcpy(u, t, sizeof u);
    u[0].begin = 4; u[0].end = 28;
    CHECK(st_validate(u, 4, 36, "f", &e) == -1 && has_id(&e, "cka:safetensors:badOffsets") &&
              strstr(e.msg, "overlaps"), "overlap: %s", e.msg);
    memcpy(u, t, sizeof u);
    u[0].shape[1] = 4;
    CHECK(st_validate(u, 4, 36, "f", &e) == -1 && has_id(&e, "cka:safetensors:sizeMismatch") &&
              strstr(e.msg, "\"b\""), "size: %s", e.msg);
    memcpy(u, t, sizeof u);
    u[3].name = "a";
    CHECK(st_validate(u, 4, 36, "f", &e) == -1 && has_id(&e, "cka:safetensors:duplicateName"), "dup");
    memcpy(u, t, sizeof u);
    u[1].dtype = -1;
    CHECK(st_validate(u, 4, 36, "f", &e) == -1 && has_id(&e, "cka:safetensors:unknownDtype"), "dtype");
    memcpy(u, t, sizeof u);
    u[1].end = 0; u[1].begin = 8;
    CHECK(st_validate(u, 4, 36, "f", &e) == -1 && has_id(&e, "cka:safetensors:badOffsets"), "end<begin");
    memcpy(u, t, sizeof u);
    u[0].shape[0] = UINT64_MAX / 2; u[0].shape[1] = 3;
    CHECK(st_validate(u, 4, 36, "f", &e) == -1 && has_id(&e, "cka:safetensors:sizeMismatch"), "overflow");
    st_entry g[2];
    g[0] = ent("a", ST_F32, 1, 1, 0, 0, 4);
    g[1] = ent("b", ST_F32, 1, 1, 0, 8, 12);
    CHECK(st_validate(g, 2, 12, "f", &e) == -1 && strstr(e.msg, "gap"), "gap");
    st_entry f4 = ent("q", ST_F4, 1, 3, 0, 0, 2);
    CHECK(st_validate(&f4, 1, 2, "f", &e) == -1 && has_id(&e, "cka:safetensors:sizeMismatch"), "sub-byte");
    f4.shape[0] = 4;
    CHECK(st_validate(&f4, 1, 2, "f", &e) == 0, "F4 x4");
    CHECK(st_validate(NULL, 0, 0, "f", &e) == 0, "empty");
    CHECK(st_validate(NULL, 0, 8, "f", &e) == -1, "empty with data");
}


/* Random tables: st_validate must never crash, and whenever it accepts a
 * table, the entries must tile [0, data_len) exactly with consistent sizes. */
static uint32_t rng_next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void test_validate_random(void)
{
    static const char *names[] = {"a", "b", "c", "d", "e", "f"};
    uint32_t seed = 12345;
    int accepted = 0, bad = 0;
    cka_error e;
    for (int it = 0; it < 20000; it++) {
        st_entry t[6];
        size_t n = rng_next(&seed) % 7;
        uint64_t pos = 0;
        for (size_t k = 0; k < n; k++) {
            memset(&t[k], 0, sizeof t[k]);
            t[k].name = names[rng_next(&seed) % 6];
            t[k].dtype = (int)(rng_next(&seed) % (ST_NDTYPES + 1)) - (rng_next(&seed) % 8 == 0);
            t[k].ndim = rng_next(&seed) % 4;
            for (size_t d = 0; d < t[k].ndim; d++)
                t[k].shape[d] = rng_next(&seed) % 5 == 0 ? UINT64_MAX / (rng_next(&seed) % 7 + 1)
                                                           : rng_next(&seed) % 4;
            uint64_t bytes = (rng_next(&seed) % 4) * 8;
            if (t[k].dtype >= 0 && t[k].dtype < ST_NDTYPES && rng_next(&seed) % 2) {
                uint64_t m = 1;
                for (size_t d = 0; d < t[k].ndim; d++)
                    m = t[k].shape[d] < 1000 ? m * t[k].shape[d] : 0;
                bytes = m * st_dtype_bits(t[k].dtype) / 8;
            }
            t[k].begin = rng_next(&seed) % 3 == 0 ? rng_next(&seed) % 64 : pos;
            t[k].end = t[k].begin + bytes;
            pos = t[k].end;
        }
        uint64_t data_len = rng_next(&seed) % 2 ? pos : rng_next(&seed) % 128;
        if (st_validate(t, n, data_len, "f", &e) == 0) {
            accepted++;
            uint64_t total = 0;
            for (size_t k = 0; k < n; k++) {
                if (t[k].end < t[k].begin || t[k].end > data_len ||
                    (t[k].end - t[k].begin) * 8 != st_numel(&t[k]) * st_dtype_bits(t[k].dtype))
                    bad++;
                for (size_t j = 0; j < k; j++)
                    if (strcmp(t[j].name, t[k].name) == 0 ||
                        (t[j].begin < t[k].end && t[k].begin < t[j].end))
                        bad++;
                total += t[k].end - t[k].begin;
            }
            if (total != data_len)
                bad++;
        } else if (strncmp(e.id, "cka:safetensors:", 16) != 0) {
            bad++;
        }
    }
    CHECK(bad == 0, "%d accepted tables violate the invariants", bad);
    CHECK(accepted > 100, "only %d tables accepted", accepted);
}

static void test_dtype_names(void)
{
    CHECK(st_dtype_from_name("F32") == ST_F32, "F32");
    CHECK(st_dtype_from_name("BF16") == ST_BF16, "BF16");
    CHECK(st_dtype_from_name("F8_E4M3FNUZ") == ST_F8_E4M3FNUZ, "fp8");
    CHECK(st_dtype_from_name("f32") == -1, "case");
    CHECK(st_dtype_from_name("Q4") == -1, "unknown");
    CHECK(st_dtype_bits(ST_F6_E2M3) == 6 && st_dtype_bits(ST_C64) == 64, "bits");
}

static uint32_t bits_of(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static void test_half(void)
{
    /* every non-NaN half round-trips exactly; values checked against ldexp */
    int bad = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = st_f16_to_f32((uint16_t)h);
        uint32_t e = (h >> 10) & 31, m = h & 1023;
        double want;
        if (e == 31) {
            if (m ? !isnan(f) : !isinf(f))
                bad++;
            if (m == 0 && st_f32_to_f16(f) != h)
                bad++;
            continue;
        }
        want = e ? ldexp(1.0 + m / 1024.0, (int)e - 15) : ldexp((double)m, -24);
        if (h & 0x8000)
            want = -want;
        if ((double)f != want || st_f32_to_f16(f) != h)
            bad++;
    }
    CHECK(bad == 0, "%d half values wrong", bad);
    CHECK(st_f32_to_f16(NAN) == 0x7E00, "nan");
    CHECK(st_f32_to_f16(65504.0f) == 0x7BFF, "max");
    CHECK(st_f32_to_f16(65519.0f) == 0x7BFF, "below inf threshold");
    CHECK(st_f32_to_f16(65520.0f) == 0x7C00, "rounds to inf");
    CHECK(st_f32_to_f16(1e10f) == 0x7C00 && st_f32_to_f16(-1e10f) == 0xFC00, "overflow");
    /* ties to even: 1 + 2^-11 is halfway between 1 and 1+2^-10 -> 1 */
    CHECK(st_f32_to_f16(1.0f + ldexpf(1, -11)) == 0x3C00, "tie even down");
    CHECK(st_f32_to_f16(1.0f + 3 * ldexpf(1, -11)) == 0x3C02, "tie even up");
    CHECK(st_f32_to_f16(ldexpf(1, -25)) == 0, "2^-25 -> 0");
    CHECK(st_f32_to_f16(ldexpf(1.5f, -25)) == 1, "1.5*2^-25 -> 1");
    CHECK(st_f32_to_f16(ldexpf(3, -25)) == 2, "3*2^-25 tie -> 2");
    CHECK(st_f32_to_f16(ldexpf(1023.5f, -24)) == 0x400, "subnormal to normal");
    CHECK(st_f32_to_f16(ldexpf(1, -30)) == 0, "tiny");
    CHECK(st_f32_to_f16(-0.0f) == 0x8000, "-0");
}

static void test_bf16(void)
{
    int bad = 0;
    for (uint32_t b = 0; b < 65536; b++) {
        float f = st_bf16_to_f32((uint16_t)b);
        if (bits_of(f) != b << 16)
            bad++;
        if (!isnan(f) && st_f32_to_bf16(f) != b)
            bad++;
    }
    CHECK(bad == 0, "%d bf16 values wrong", bad);
    CHECK(st_f32_to_bf16(from_bits(0x3F808000u)) == 0x3F80, "tie to even down");
    CHECK(st_f32_to_bf16(from_bits(0x3F818000u)) == 0x3F82, "tie to even up");
    CHECK(st_f32_to_bf16(from_bits(0x3F808001u)) == 0x3F81, "above tie");
    CHECK(st_f32_to_bf16(NAN) == 0x7FC0, "nan");
    CHECK(st_f32_to_bf16(from_bits(0x7F7FFFFFu)) == 0x7F80, "max rounds to inf");
}

/* row-major bytes of F32 values 0..n-1 */
static void test_transpose(void)
{
    enum { R = 70, C = 131 };
    float *src = malloc(R * C * 4), *dst = malloc(R * C * 4), *back = malloc(R * C * 4);
    unsigned char *enc = malloc(R * C * 4);
    for (int k = 0; k < R * C; k++)
        src[k] = (float)k;
    uint64_t sh[2] = {R, C};
    st_decode((const unsigned char *)src, ST_F32, sh, 2, dst);
    int bad = 0;
    for (int i = 0; i < R; i++)
        for (int j = 0; j < C; j++)
            if (dst[i + R * j] != (float)(i * C + j))
                bad++;
    CHECK(bad == 0, "2-D decode: %d wrong", bad);
    st_encode(dst, sh, 2, ST_F32, enc);
    CHECK(memcmp(enc, src, R * C * 4) == 0, "2-D encode inverse");
    /* 3-D [2,3,4] with size-1 axes inserted */
    uint64_t s3[5] = {2, 1, 3, 4, 1};
    st_decode((const unsigned char *)src, ST_F32, s3, 5, dst);
    bad = 0;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 4; c++)
                if (dst[a + 2 * (b + 3 * c)] != (float)(a * 12 + b * 4 + c))
                    bad++;
    CHECK(bad == 0, "3-D decode: %d wrong", bad);
    st_encode(dst, s3, 5, ST_F32, enc);
    CHECK(memcmp(enc, src, 24 * 4) == 0, "3-D encode inverse");
    /* F16 / BF16 / F64 paths, unaligned source */
    unsigned char *raw = malloc(R * C * 8 + 1);
    for (int k = 0; k < R * C; k++) {
        uint16_t h = st_f32_to_f16((float)(k % 2048));
        raw[1 + 2 * k] = (unsigned char)(h & 0xFF);
        raw[2 + 2 * k] = (unsigned char)(h >> 8);
    }
    st_decode(raw + 1, ST_F16, sh, 2, dst);
    bad = 0;
    for (int i = 0; i < R; i++)
        for (int j = 0; j < C; j++)
            if (dst[i + R * j] != (float)((i * C + j) % 2048))
                bad++;
    CHECK(bad == 0, "F16 decode: %d wrong", bad);
    for (int k = 0; k < R * C; k++) {
        double d = k + 0.25;
        memcpy(raw + 1 + 8 * k, &d, 8);
    }
    st_decode(raw + 1, ST_F64, sh, 2, dst);
    CHECK(dst[1 + R * 2] == (float)(C + 2 + 0.25), "F64 decode");
    for (int k = 0; k < R * C; k++)
        back[k] = (float)k * 1.001f;
    st_encode(back, sh, 2, ST_BF16, enc);
    st_decode(enc, ST_BF16, sh, 2, dst);
    bad = 0;
    for (int k = 0; k < R * C; k++)
        if (fabsf(dst[k] - back[k]) > fabsf(back[k]) * (1.0f / 256))
            bad++;
    CHECK(bad == 0, "BF16 round trip: %d out of tolerance", bad);
    free(src), free(dst), free(back), free(enc), free(raw);
}

static void test_write_map(void)
{
    cka_error e;
    char path[] = "/tmp/cka_st_testXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    close(fd);
    /* O_EXCL: an existing file is refused and left alone */
    st_out_tensor t[2];
    float w[6] = {1, 2, 3, 4, 5, 6}, b[2] = {-1, 0.5f};
    memset(t, 0, sizeof t);
    t[0].data = w, t[0].ndim = 2, t[0].shape[0] = 2, t[0].shape[1] = 3;
    t[1].data = b, t[1].ndim = 1, t[1].shape[0] = 2;
    const char *hdr = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                      "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}}";
    CHECK(st_write_file(path, hdr, strlen(hdr), t, 2, ST_F32, &e) == -1 &&
              has_id(&e, "cka:safetensors:write"), "exists");
    unlink(path);
    CHECK(st_write_file(path, hdr, strlen(hdr), t, 2, ST_F32, &e) == 0, "write: %s", e.msg);
    uint64_t size = 0, hl = 0;
    CHECK(st_file_size(path, &size, &e) == 0 && size == 8 + strlen(hdr) + 32, "size");
    st_map m;
    CHECK(st_map_file(path, size, &m, &e) == 0, "map: %s", e.msg);
    CHECK(st_check_prefix(m.data, m.size, &hl, path, &e) == 0 && hl == strlen(hdr), "prefix");
    float out[6];
    uint64_t sh[2] = {2, 3};
    st_decode(m.data + 8 + hl, ST_F32, sh, 2, out);
    CHECK(memcmp(out, w, sizeof w) == 0, "round trip");
    st_unmap(&m);
    CHECK(st_map_file(path, size + 1, &m, &e) == -1 && has_id(&e, "cka:safetensors:changed"), "changed");
    char buf[4];
    CHECK(st_read_bytes(path, 8, 4, buf, 0, &e) == 0 && memcmp(buf, "{\"w\"", 4) == 0, "read");
    CHECK(st_read_bytes(path, size - 2, 4, buf, 0, &e) == -1, "read past end");
    unlink(path);
    CHECK(st_map_file(path, 0, &m, &e) == -1 && has_id(&e, "cka:safetensors:open"), "missing");
    CHECK(st_file_size("/tmp", &size, &e) == -1, "directory");
    CHECK(st_write_file("/nonexistent/dir/x", hdr, 2, t, 0, ST_F32, &e) == -1, "bad dir");
    CHECK(st_write_file(path, hdr, 2, t, 0, ST_U8, &e) == -1 &&
              has_id(&e, "cka:safetensors:unsupportedDtype"), "bad dtype");
}

int main(void)
{
    RUN(test_prefix);
    RUN(test_header_bytes);
    RUN(test_number);
    RUN(test_validate);
    RUN(test_validate_random);
    RUN(test_dtype_names);
    RUN(test_half);
    RUN(test_bf16);
    RUN(test_transpose);
    RUN(test_write_map);
    return CHECK_REPORT();
}
