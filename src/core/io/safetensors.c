/* Validated safetensors reader / writer (see safetensors.h and spec §10). */
#define _GNU_SOURCE
#include "io/safetensors.h"
#include "common/cka_half.h"
#include "common/mem_check.h"
#include "io/file_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define ID "cka:safetensors:"

static const struct {
    const char *name;
    unsigned bits;
} dtypes[ST_NDTYPES] = {
    [ST_BOOL] = {"BOOL", 8},           [ST_U8] = {"U8", 8},
    [ST_I8] = {"I8", 8},               [ST_F8_E5M2] = {"F8_E5M2", 8},
    [ST_F8_E4M3] = {"F8_E4M3", 8},     [ST_F8_E8M0] = {"F8_E8M0", 8},
    [ST_F8_E4M3FNUZ] = {"F8_E4M3FNUZ", 8}, [ST_F8_E5M2FNUZ] = {"F8_E5M2FNUZ", 8},
    [ST_I16] = {"I16", 16},            [ST_U16] = {"U16", 16},
    [ST_F16] = {"F16", 16},            [ST_BF16] = {"BF16", 16},
    [ST_I32] = {"I32", 32},            [ST_U32] = {"U32", 32},
    [ST_F32] = {"F32", 32},            [ST_F64] = {"F64", 64},
    [ST_I64] = {"I64", 64},            [ST_U64] = {"U64", 64},
    [ST_C64] = {"C64", 64},            [ST_F4] = {"F4", 4},
    [ST_F6_E2M3] = {"F6_E2M3", 6},     [ST_F6_E3M2] = {"F6_E3M2", 6},
};

int st_dtype_from_name(const char *s)
{
    if (s == NULL)
        return -1;
    for (int k = 0; k < ST_NDTYPES; k++)
        if (strcmp(s, dtypes[k].name) == 0)
            return k;
    return -1;
}

const char *st_dtype_name(int dtype)
{
    return dtype >= 0 && dtype < ST_NDTYPES ? dtypes[dtype].name : "?";
}

unsigned st_dtype_bits(int dtype)
{
    return dtype >= 0 && dtype < ST_NDTYPES ? dtypes[dtype].bits : 0;
}

int st_dtype_is_float(int dtype)
{
    return dtype == ST_F32 || dtype == ST_F16 || dtype == ST_BF16 || dtype == ST_F64;
}

static uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--)
        v = (v << 8) | p[k];
    return v;
}

int st_check_prefix(const unsigned char prefix[8], uint64_t file_size, uint64_t *header_len,
                    const char *file, cka_error *err)
{
    if (file_size < 8)
        return cka_error_set(err, ID "truncated",
                             "%s: file too small for a safetensors header (%llu bytes, need >= 8)",
                             file, (unsigned long long)file_size);
    uint64_t n = le64(prefix);
    if (n > ST_MAX_HEADER)
        return cka_error_set(err, ID "headerTooLarge",
                             "%s: header length %llu exceeds the limit of %llu bytes", file,
                             (unsigned long long)n, (unsigned long long)ST_MAX_HEADER);
    if (n > file_size - 8)
        return cka_error_set(err, ID "truncated",
                             "%s: header length %llu runs past the end of the file (%llu bytes)",
                             file, (unsigned long long)n, (unsigned long long)file_size);
    if (n < 2)
        return cka_error_set(err, ID "badHeader", "%s: header of %llu bytes cannot be a JSON object",
                             file, (unsigned long long)n);
    *header_len = n;
    return 0;
}

int st_check_header_bytes(const char *hdr, size_t len, const char *file, cka_error *err)
{
    const unsigned char *s = (const unsigned char *)hdr;
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    if (i == len || s[i] != '{')
        return cka_error_set(err, ID "badHeader", "%s: header does not start with '{'", file);
    for (i = 0; i < len;) {
        unsigned c = s[i];
        size_t extra;
        uint32_t cp, min;
        if (c == 0)
            return cka_error_set(err, ID "badHeader", "%s: NUL byte in the header at offset %zu",
                                 file, i);
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3, cp = c & 0x07, min = 0x10000;
        } else {
            goto bad;
        }
        if (len - i <= extra)
            goto bad;
        for (size_t k = 1; k <= extra; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += extra + 1;
        continue;
    bad:
        return cka_error_set(err, ID "badHeader", "%s: header is not valid UTF-8 (offset %zu)",
                             file, i);
    }
    return 0;
}

int st_number(double v, uint64_t *out, const char *file, const char *tensor, const char *what,
              cka_error *err)
{
    if (!isfinite(v) || v < 0 || v != floor(v) || v > 9007199254740992.0)
        return cka_error_set(err, ID "badNumber",
                             "%s: tensor \"%s\": %s %.17g is not a non-negative integer <= 2^53",
                             file, tensor, what, v);
    *out = (uint64_t)v;
    return 0;
}

uint64_t st_numel(const st_entry *e)
{
    uint64_t n = 1;
    for (size_t k = 0; k < e->ndim; k++)
        n *= e->shape[k];
    return n;
}

static int cmp_name(const void *a, const void *b)
{
    const st_entry *x = *(const st_entry *const *)a, *y = *(const st_entry *const *)b;
    return strcmp(x->name, y->name);
}

static int cmp_offset(const void *a, const void *b)
{
    const st_entry *x = *(const st_entry *const *)a, *y = *(const st_entry *const *)b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

int st_validate(const st_entry *entries, size_t n, uint64_t data_len, const char *file,
                cka_error *err)
{
    for (size_t k = 0; k < n; k++) {
        const st_entry *e = &entries[k];
        const char *name = e->name ? e->name : "?";
        if (e->name == NULL || e->name[0] == '\0')
            return cka_error_set(err, ID "badHeader", "%s: tensor %zu has an empty name", file, k);
        if (e->dtype < 0 || e->dtype >= ST_NDTYPES)
            return cka_error_set(err, ID "unknownDtype", "%s: tensor \"%s\" has an unknown dtype",
                                 file, name);
        if (e->ndim > ST_MAX_DIMS)
            return cka_error_set(err, ID "badHeader", "%s: tensor \"%s\" has %zu dimensions (max %d)",
                                 file, name, e->ndim, ST_MAX_DIMS);
        /* numel * bits with overflow checks */
        uint64_t numel = 1;
        int zero = 0;
        for (size_t d = 0; d < e->ndim; d++)
            if (e->shape[d] == 0)
                zero = 1;
        if (!zero)
            for (size_t d = 0; d < e->ndim; d++) {
                if (numel > UINT64_MAX / e->shape[d])
                    return cka_error_set(err, ID "sizeMismatch",
                                         "%s: tensor \"%s\": the shape's element count overflows",
                                         file, name);
                numel *= e->shape[d];
            }
        else
            numel = 0;
        unsigned bits = dtypes[e->dtype].bits;
        if (numel > UINT64_MAX / bits)
            return cka_error_set(err, ID "sizeMismatch",
                                 "%s: tensor \"%s\": the byte size overflows", file, name);
        uint64_t tbits = numel * bits;
        if (tbits % 8 != 0)
            return cka_error_set(err, ID "sizeMismatch",
                                 "%s: tensor \"%s\": %llu elements of %s are not a whole number "
                                 "of bytes", file, name, (unsigned long long)numel,
                                 dtypes[e->dtype].name);
        if (e->end < e->begin)
            return cka_error_set(err, ID "badOffsets",
                                 "%s: tensor \"%s\": data_offsets [%llu, %llu] end before they begin",
                                 file, name, (unsigned long long)e->begin,
                                 (unsigned long long)e->end);
        if (e->end - e->begin != tbits / 8)
            return cka_error_set(err, ID "sizeMismatch",
                                 "%s: tensor \"%s\": shape and dtype %s need %llu bytes but "
                                 "data_offsets [%llu, %llu] span %llu", file, name,
                                 dtypes[e->dtype].name, (unsigned long long)(tbits / 8),
                                 (unsigned long long)e->begin, (unsigned long long)e->end,
                                 (unsigned long long)(e->end - e->begin));
    }
    if (n == 0) {
        if (data_len != 0)
            return cka_error_set(err, ID "badOffsets",
                                 "%s: %llu data bytes but no tensor in the header", file,
                                 (unsigned long long)data_len);
        return 0;
    }
    const st_entry **p = malloc(n * sizeof *p);
    if (p == NULL)
        return cka_error_set(err, "cka:memory:outOfMemory", "%s: out of memory validating %zu tensors",
                             file, n);
    for (size_t k = 0; k < n; k++)
        p[k] = &entries[k];
    int rc = 0;
    qsort(p, n, sizeof *p, cmp_name);
    for (size_t k = 1; k < n; k++)
        if (strcmp(p[k - 1]->name, p[k]->name) == 0) {
            rc = cka_error_set(err, ID "duplicateName", "%s: tensor name \"%s\" appears twice",
                               file, p[k]->name);
            goto done;
        }
    qsort(p, n, sizeof *p, cmp_offset);
    uint64_t pos = 0;
    for (size_t k = 0; k < n; k++) {
        if (p[k]->begin != pos) {
            if (p[k]->begin < pos)
                rc = cka_error_set(err, ID "badOffsets",
                                   "%s: tensor \"%s\" (data_offsets [%llu, %llu]) overlaps tensor "
                                   "\"%s\"", file, p[k]->name, (unsigned long long)p[k]->begin,
                                   (unsigned long long)p[k]->end, p[k - 1]->name);
            else
                rc = cka_error_set(err, ID "badOffsets",
                                   "%s: gap of %llu bytes before tensor \"%s\" (data_offsets "
                                   "[%llu, %llu])", file, (unsigned long long)(p[k]->begin - pos),
                                   p[k]->name, (unsigned long long)p[k]->begin,
                                   (unsigned long long)p[k]->end);
            goto done;
        }
        pos = p[k]->end;
    }
    if (pos > data_len) {
        /* a consistent layout that runs past the end: the file was cut */
        const st_entry *last = p[n - 1];
        rc = cka_error_set(err, ID "truncated",
                           "%s: tensor \"%s\" (data_offsets [%llu, %llu]) runs past the end of "
                           "the %llu-byte data buffer: the file is truncated", file, last->name,
                           (unsigned long long)last->begin, (unsigned long long)last->end,
                           (unsigned long long)data_len);
    } else if (pos != data_len)
        rc = cka_error_set(err, ID "badOffsets",
                           "%s: tensors cover %llu of the %llu data bytes (file not fully covered)",
                           file, (unsigned long long)pos, (unsigned long long)data_len);
done:
    free(p);
    return rc;
}

/* ---- files ------------------------------------------------------------ */

/* Every open goes through cka_file_open_regular (O_NONBLOCK, then fstat on
 * the descriptor): a FIFO or a device is refused at once, never waited on.
 * Its cka:io:* ids become cka:safetensors:open here, the one id of a
 * safetensors file that cannot be opened as a regular file. */
static int open_regular(const char *path, uint64_t *size, cka_error *err)
{
    int fd = cka_file_open_regular(path, size, err);
    if (fd < 0 && err != NULL)
        snprintf(err->id, sizeof err->id, "%s", ID "open");
    return fd;
}

int st_file_size(const char *path, uint64_t *size, cka_error *err)
{
    int fd = open_regular(path, size, err);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int open_checked(const char *path, uint64_t expected_size, uint64_t *size, cka_error *err)
{
    int fd = open_regular(path, size, err);
    if (fd < 0)
        return -1;
    if (expected_size != 0 && *size != expected_size) {
        close(fd);
        return cka_error_set(err, ID "changed",
                             "%s: file size changed from %llu to %llu bytes while reading", path,
                             (unsigned long long)expected_size, (unsigned long long)*size);
    }
    return fd;
}

int st_read_bytes(const char *path, uint64_t offset, size_t len, void *buf,
                  uint64_t expected_size, cka_error *err)
{
    uint64_t size;
    int fd = open_checked(path, expected_size, &size, err);
    if (fd < 0)
        return -1;
    if (offset > size || len > size - offset) {
        close(fd);
        return cka_error_set(err, ID "truncated", "%s: %zu bytes at offset %llu lie past the end "
                             "of the file (%llu bytes)", path, len, (unsigned long long)offset,
                             (unsigned long long)size);
    }
    size_t done = 0;
    while (done < len) {
        ssize_t r = pread(fd, (char *)buf + done, len - done, (off_t)(offset + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = errno;
            close(fd);
            return cka_error_set(err, ID "truncated", "%s: read failed: %s", path,
                                 r < 0 ? strerror(e) : "unexpected end of file");
        }
        done += (size_t)r;
    }
    close(fd);
    return 0;
}

int st_map_file(const char *path, uint64_t expected_size, st_map *m, cka_error *err)
{
    m->data = NULL;
    m->size = 0;
    uint64_t size;
    int fd = open_checked(path, expected_size, &size, err);
    if (fd < 0)
        return -1;
    if (size == 0) {
        close(fd);
        return cka_error_set(err, ID "truncated", "%s: empty file", path);
    }
    if (size > (uint64_t)SIZE_MAX) {
        close(fd);
        return cka_error_set(err, ID "open", "%s: too large to map", path);
    }
    void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd); /* the mapping keeps the file alive */
    if (p == MAP_FAILED)
        return cka_error_set(err, ID "open", "%s: mmap failed: %s", path, strerror(e));
    m->data = p;
    m->size = size;
    return 0;
}

int st_check_memory(uint64_t bytes, const char *file, cka_error *err)
{
    const uint64_t have = cka_mem_physical();
    if (bytes > have)
        return cka_error_set(err, ID "noMemory",
                             "%s: reading it needs %.1f GB as single, more than the %.1f GB of "
                             "memory of this machine", file, (double)bytes / 1e9, (double)have / 1e9);
    return 0;
}

void st_unmap(st_map *m)
{
    if (m->data != NULL)
        munmap((void *)m->data, (size_t)m->size);
    m->data = NULL;
    m->size = 0;
}

/* ---- scalar conversions ------------------------------------------------ */

static inline uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

float st_bf16_to_f32(uint16_t b)
{
    return cka_bf16_to_f32(b);
}

float st_f16_to_f32(uint16_t h)
{
    return cka_f16_to_f32(h);
}

uint16_t st_f32_to_bf16(float f)
{
    uint32_t u = f2u(f);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u)
        return 0x7FC0; /* NaN, as PyTorch */
    return (uint16_t)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

uint16_t st_f32_to_f16(float f)
{
    uint32_t u = f2u(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t x = u & 0x7FFFFFFFu;
    if (x > 0x7F800000u)
        return sign | 0x7E00; /* NaN */
    if (x >= 0x477FF000u)
        return sign | 0x7C00; /* rounds to (or is) infinity */
    if (x >= 0x38800000u) { /* normal half */
        uint32_t r = ((((x >> 23) - 112) << 10) | ((x & 0x7FFFFFu) >> 13));
        uint32_t rem = x & 0x1FFFu;
        if (rem > 0x1000u || (rem == 0x1000u && (r & 1u)))
            r++;
        return sign | (uint16_t)r;
    }
    /* subnormal half (or zero): value / 2^-24, rounded to nearest even */
    uint32_t e = x >> 23;
    if (e < 102)
        return sign; /* < 2^-25: rounds to zero */
    uint32_t mant = (x & 0x7FFFFFu) | 0x800000u;
    uint32_t shift = 126 - e; /* 14 .. 24 */
    uint32_t r = mant >> shift, rem = mant & ((1u << shift) - 1u), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (r & 1u)))
        r++;
    return sign | (uint16_t)r;
}

/* ---- decode / encode with transpose ------------------------------------- */

static inline float load_f32(const unsigned char *p)
{
    float f;
    memcpy(&f, p, 4);
    return f;
}
static inline float load_f16(const unsigned char *p)
{
    return st_f16_to_f32((uint16_t)(p[0] | (p[1] << 8)));
}
static inline float load_bf16(const unsigned char *p)
{
    return st_bf16_to_f32((uint16_t)(p[0] | (p[1] << 8)));
}
static inline float load_f64(const unsigned char *p)
{
    double d;
    memcpy(&d, p, 8);
    return (float)d;
}


/* 4 x 4 register transposes: SSE on x86-64, plain arrays elsewhere. */
#if defined(__SSE2__)
#include <immintrin.h>
typedef __m128 V4;
#define TRANSPOSE4(a, b, c, d) _MM_TRANSPOSE4_PS(a, b, c, d)
#define STOREU4(p, v) _mm_storeu_ps((p), (v))
#define LOADU4(p) _mm_loadu_ps(p)
#define LOAD4_F32(p) _mm_loadu_ps((const float *)(const void *)(p))
#define SET4(a, b, c, d) _mm_setr_ps(a, b, c, d)
static inline void to_array4(V4 v, float out[4])
{
    _mm_storeu_ps(out, v);
}
#else
typedef struct {
    float v[4];
} V4;
static inline V4 set4(float a, float b, float c, float d)
{
    V4 r = {{a, b, c, d}};
    return r;
}
#define SET4(a, b, c, d) set4(a, b, c, d)
#define TRANSPOSE4(a, b, c, d)                                                              \
    do {                                                                                    \
        V4 t0_ = SET4(a.v[0], b.v[0], c.v[0], d.v[0]), t1_ = SET4(a.v[1], b.v[1], c.v[1], d.v[1]); \
        V4 t2_ = SET4(a.v[2], b.v[2], c.v[2], d.v[2]), t3_ = SET4(a.v[3], b.v[3], c.v[3], d.v[3]); \
        a = t0_, b = t1_, c = t2_, d = t3_;                                                 \
    } while (0)
#define STOREU4(p, x) memcpy((p), (x).v, 16)
static inline V4 loadu4(const float *p)
{
    V4 r;
    memcpy(r.v, p, 16);
    return r;
}
#define LOADU4(p) loadu4(p)
#define LOAD4_F32(p) SET4(load_f32(p), load_f32((p) + 4), load_f32((p) + 8), load_f32((p) + 12))
static inline void to_array4(V4 v, float out[4])
{
    memcpy(out, v.v, 16);
}
#endif
#define LOAD4_f16(p) SET4(load_f16(p), load_f16((p) + 2), load_f16((p) + 4), load_f16((p) + 6))
#define LOAD4_bf16(p) SET4(load_bf16(p), load_bf16((p) + 2), load_bf16((p) + 4), load_bf16((p) + 6))
#define LOAD4_f64(p) SET4(load_f64(p), load_f64((p) + 8), load_f64((p) + 16), load_f64((p) + 24))

/* General N-d layout change: the k-th element in row-major order of a
 * tensor of shape sh sits at *off in column-major order.  Start with
 * nd_begin, advance with nd_next. */
typedef struct nd_walk {
    uint64_t idx[ST_MAX_DIMS], stride[ST_MAX_DIMS], n, off;
} nd_walk;

static void nd_begin(nd_walk *w, const uint64_t *sh, size_t nd)
{
    w->n = 1;
    w->off = 0;
    for (size_t d = 0; d < nd; d++) {
        w->idx[d] = 0;
        w->stride[d] = w->n;
        w->n *= sh[d];
    }
}

static inline void nd_next(nd_walk *w, const uint64_t *sh, size_t nd)
{
    for (size_t d = nd; d-- > 0;) {
        if (++w->idx[d] < sh[d]) {
            w->off += w->stride[d];
            return;
        }
        w->off -= w->stride[d] * (sh[d] - 1);
        w->idx[d] = 0;
    }
}

#define BLK 64

/* Squeeze size-1 axes (they change neither layout) into out; returns the
 * number of axes left, or -1 for an empty tensor (nothing to convert). */
static int squeeze(const uint64_t *shape, size_t ndim, uint64_t *out)
{
    int k = 0;
    for (size_t d = 0; d < ndim; d++) {
        if (shape[d] == 0)
            return -1;
        if (shape[d] != 1)
            out[k++] = shape[d];
    }
    return k;
}

/* Row-major src (element size ES, loader LOAD) -> column-major dst. */
#define DEFINE_DECODE(SUFFIX, ES, LOAD, LOAD4)                                                    \
    static void decode_##SUFFIX(const unsigned char *src, const uint64_t *sh, size_t nd,   \
                                float *dst)                                                \
    {                                                                                      \
        if (nd <= 1) {                                                                     \
            uint64_t n = nd ? sh[0] : 1;                                                   \
            for (uint64_t i = 0; i < n; i++)                                               \
                dst[i] = LOAD(src + i * (ES));                                             \
            return;                                                                        \
        }                                                                                  \
        if (nd == 2) {                                                                     \
            const uint64_t R = sh[0], C = sh[1];                                           \
            const int64_t nb = (int64_t)((R + BLK - 1) / BLK);                             \
            for (int64_t b = 0; b < nb; b++) {                                             \
                uint64_t i0 = (uint64_t)b * BLK, i1 = i0 + BLK < R ? i0 + BLK : R;         \
                for (uint64_t j0 = 0; j0 < C; j0 += BLK) {                                 \
                    uint64_t j1 = j0 + BLK < C ? j0 + BLK : C;                             \
                    uint64_t i = i0;                                                       \
                    for (; i + 4 <= i1; i += 4) {                                          \
                        const unsigned char *s = src + (i * C + j0) * (ES);                \
                        uint64_t j = j0;                                                   \
                        for (; j + 4 <= j1; j += 4, s += 4 * (ES)) {                       \
                            V4 r0 = LOAD4(s), r1 = LOAD4(s + C * (ES));                    \
                            V4 r2 = LOAD4(s + 2 * C * (ES)), r3 = LOAD4(s + 3 * C * (ES)); \
                            TRANSPOSE4(r0, r1, r2, r3);                                    \
                            STOREU4(dst + i + R * j, r0);                                  \
                            STOREU4(dst + i + R * (j + 1), r1);                            \
                            STOREU4(dst + i + R * (j + 2), r2);                            \
                            STOREU4(dst + i + R * (j + 3), r3);                            \
                        }                                                                  \
                        for (; j < j1; j++)                                                \
                            for (uint64_t q = 0; q < 4; q++)                               \
                                dst[i + q + R * j] = LOAD(src + ((i + q) * C + j) * (ES)); \
                    }                                                                      \
                    for (; i < i1; i++)                                                    \
                        for (uint64_t j = j0; j < j1; j++)                                 \
                            dst[i + R * j] = LOAD(src + (i * C + j) * (ES));               \
                }                                                                          \
            }                                                                              \
            return;                                                                        \
        }                                                                                  \
        /* general N-d: walk the source in order */                                        \
        nd_walk w;                                                                         \
        nd_begin(&w, sh, nd);                                                              \
        for (uint64_t k = 0; k < w.n; k++, nd_next(&w, sh, nd))                            \
            dst[w.off] = LOAD(src + k * (ES));                                             \
    }

DEFINE_DECODE(f32, 4, load_f32, LOAD4_F32)
DEFINE_DECODE(f16, 2, load_f16, LOAD4_f16)
DEFINE_DECODE(bf16, 2, load_bf16, LOAD4_bf16)
DEFINE_DECODE(f64, 8, load_f64, LOAD4_f64)

static inline uint16_t load_u16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

void st_transpose16(const unsigned char *src, const uint64_t *shape, size_t ndim,
                    uint16_t *dst)
{
    uint64_t sh[ST_MAX_DIMS];
    const int k = squeeze(shape, ndim, sh);
    if (k < 0)
        return;
    const size_t nd = (size_t)k;
    if (nd == 2) {   /* blocks of BLK x BLK, so both sides stay in cache */
        const uint64_t R = sh[0], C = sh[1];
        for (uint64_t i0 = 0; i0 < R; i0 += BLK)
            for (uint64_t j0 = 0; j0 < C; j0 += BLK) {
                const uint64_t i1 = i0 + BLK < R ? i0 + BLK : R, j1 = j0 + BLK < C ? j0 + BLK : C;
                for (uint64_t i = i0; i < i1; i++)
                    for (uint64_t j = j0; j < j1; j++)
                        dst[i + R * j] = load_u16(src + 2 * (i * C + j));
            }
        return;
    }
    nd_walk w;
    nd_begin(&w, sh, nd);
    for (uint64_t q = 0; q < w.n; q++, nd_next(&w, sh, nd))
        dst[w.off] = load_u16(src + 2 * q);
}

void st_decode(const unsigned char *src, int dtype, const uint64_t *shape, size_t ndim,
               float *dst)
{
    uint64_t sh[ST_MAX_DIMS];
    int k = squeeze(shape, ndim, sh);
    if (k < 0)
        return;
    size_t nd = (size_t)k;
    switch (dtype) {
    case ST_F32: decode_f32(src, sh, nd, dst); break;
    case ST_F16: decode_f16(src, sh, nd, dst); break;
    case ST_BF16: decode_bf16(src, sh, nd, dst); break;
    case ST_F64: decode_f64(src, sh, nd, dst); break;
    default: break;
    }
}

static inline void store_f32(unsigned char *p, float f)
{
    memcpy(p, &f, 4);
}
static inline void store_f16(unsigned char *p, float f)
{
    uint16_t h = st_f32_to_f16(f);
    p[0] = (unsigned char)(h & 0xFF);
    p[1] = (unsigned char)(h >> 8);
}
static inline void store_bf16(unsigned char *p, float f)
{
    uint16_t h = st_f32_to_bf16(f);
    p[0] = (unsigned char)(h & 0xFF);
    p[1] = (unsigned char)(h >> 8);
}

/* Column-major src -> row-major dst bytes. */
#define DEFINE_ENCODE(SUFFIX, ES, STORE, STORE4)                                                   \
    static void encode_##SUFFIX(const float *src, const uint64_t *sh, size_t nd,           \
                                unsigned char *dst)                                        \
    {                                                                                      \
        if (nd <= 1) {                                                                     \
            uint64_t n = nd ? sh[0] : 1;                                                   \
            for (uint64_t i = 0; i < n; i++)                                               \
                STORE(dst + i * (ES), src[i]);                                             \
            return;                                                                        \
        }                                                                                  \
        if (nd == 2) {                                                                     \
            const uint64_t R = sh[0], C = sh[1];                                           \
            for (uint64_t i0 = 0; i0 < R; i0 += BLK) {                                     \
                uint64_t i1 = i0 + BLK < R ? i0 + BLK : R;                                 \
                for (uint64_t j0 = 0; j0 < C; j0 += BLK) {                                 \
                    uint64_t j1 = j0 + BLK < C ? j0 + BLK : C;                             \
                    uint64_t i = i0;                                                       \
                    for (; i + 4 <= i1; i += 4) {                                          \
                        uint64_t j = j0;                                                   \
                        for (; j + 4 <= j1; j += 4) {                                      \
                            V4 c0 = LOADU4(src + i + R * j), c1 = LOADU4(src + i + R * (j + 1)); \
                            V4 c2 = LOADU4(src + i + R * (j + 2));                         \
                            V4 c3 = LOADU4(src + i + R * (j + 3));                         \
                            TRANSPOSE4(c0, c1, c2, c3);                                    \
                            STORE4(dst + (i * C + j) * (ES), c0);                          \
                            STORE4(dst + ((i + 1) * C + j) * (ES), c1);                    \
                            STORE4(dst + ((i + 2) * C + j) * (ES), c2);                    \
                            STORE4(dst + ((i + 3) * C + j) * (ES), c3);                    \
                        }                                                                  \
                        for (; j < j1; j++)                                                \
                            for (uint64_t q = 0; q < 4; q++)                               \
                                STORE(dst + ((i + q) * C + j) * (ES), src[i + q + R * j]); \
                    }                                                                      \
                    for (; i < i1; i++)                                                    \
                        for (uint64_t j = j0; j < j1; j++)                                 \
                            STORE(dst + (i * C + j) * (ES), src[i + R * j]);               \
                }                                                                          \
            }                                                                              \
            return;                                                                        \
        }                                                                                  \
        nd_walk w;                                                                         \
        nd_begin(&w, sh, nd);                                                              \
        for (uint64_t k = 0; k < w.n; k++, nd_next(&w, sh, nd))                            \
            STORE(dst + k * (ES), src[w.off]);                                             \
    }

static inline void store4_any(unsigned char *p, V4 v, size_t es, void (*st)(unsigned char *, float))
{
    float t[4];
    to_array4(v, t);
    for (int q = 0; q < 4; q++)
        st(p + q * es, t[q]);
}
#define STORE4_f32(p, v) store4_any((p), (v), 4, store_f32)
#define STORE4_f16(p, v) store4_any((p), (v), 2, store_f16)
#define STORE4_bf16(p, v) store4_any((p), (v), 2, store_bf16)

DEFINE_ENCODE(f32, 4, store_f32, STORE4_f32)
DEFINE_ENCODE(f16, 2, store_f16, STORE4_f16)
DEFINE_ENCODE(bf16, 2, store_bf16, STORE4_bf16)

void st_encode(const float *src, const uint64_t *shape, size_t ndim, int dtype,
               unsigned char *dst)
{
    uint64_t sh[ST_MAX_DIMS];
    int k = squeeze(shape, ndim, sh);
    if (k < 0)
        return;
    size_t nd = (size_t)k;
    switch (dtype) {
    case ST_F32: encode_f32(src, sh, nd, dst); break;
    case ST_F16: encode_f16(src, sh, nd, dst); break;
    case ST_BF16: encode_bf16(src, sh, nd, dst); break;
    default: break;
    }
}

/* ---- writer ------------------------------------------------------------- */

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int st_write_file(const char *path, const char *header, size_t header_len,
                  const st_out_tensor *tensors, size_t n, int dtype, cka_error *err)
{
    if (dtype != ST_F32 && dtype != ST_F16 && dtype != ST_BF16)
        return cka_error_set(err, ID "unsupportedDtype", "%s: cannot write dtype %s", path,
                             st_dtype_name(dtype));
    size_t es = st_dtype_bits(dtype) / 8;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
        return cka_error_set(err, ID "write", "%s: cannot create: %s", path, strerror(errno));
    unsigned char len8[8];
    for (int k = 0; k < 8; k++)
        len8[k] = (unsigned char)(((uint64_t)header_len >> (8 * k)) & 0xFF);
    unsigned char *buf = NULL;
    int rc = 0;
    if (write_all(fd, len8, 8) != 0 || write_all(fd, header, header_len) != 0)
        goto io_error;
    for (size_t t = 0; t < n; t++) {
        uint64_t numel = 1;
        for (size_t d = 0; d < tensors[t].ndim; d++)
            numel *= tensors[t].shape[d];
        if (numel == 0)
            continue;
        if (numel > SIZE_MAX / es) {
            rc = cka_error_set(err, ID "write", "%s: tensor %zu too large", path, t);
            goto fail;
        }
        buf = malloc((size_t)numel * es);
        if (buf == NULL) {
            rc = cka_error_set(err, "cka:memory:outOfMemory", "%s: out of memory writing tensor %zu",
                               path, t);
            goto fail;
        }
        st_encode(tensors[t].data, tensors[t].shape, tensors[t].ndim, dtype, buf);
        if (write_all(fd, buf, (size_t)numel * es) != 0)
            goto io_error;
        free(buf);
        buf = NULL;
    }
    if (fsync(fd) != 0)
        goto io_error;
    if (close(fd) != 0) {
        fd = -1;
        goto io_error;
    }
    return 0;
io_error:
    rc = cka_error_set(err, ID "write", "%s: write failed: %s", path, strerror(errno));
fail:
    free(buf);
    if (fd >= 0)
        close(fd);
    unlink(path);
    return rc;
}
