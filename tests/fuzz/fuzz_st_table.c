/* Fuzz target: what the C core does with a parsed safetensors header.
 * jsondecode runs in Octave, so the input here is a compact binary form of
 * the table it would produce:
 *   byte 0      number of entries (mod 9)
 *   byte 1      flags: bit0 wide shapes (8-byte dims), bit1 wide offsets,
 *               bit2 data_len from 8 input bytes instead of the tail
 *   per entry   name (index into a small set, incl. "" and NULL), dtype
 *               (may be out of range), ndim (mod 36: > ST_MAX_DIMS
 *               allowed), dims, begin, end
 *   then        three doubles for st_number, then the data buffer (tail).
 * Every table st_validate accepts is decoded tensor by tensor from an
 * exact-size copy of the data buffer into an exact-size float array (ASan
 * catches any out-of-range access), and F32/F16/BF16 tensors are encoded
 * back and compared with the input bytes (bit-exact except NaN). */
#include "io/safetensors.h"
#include "fuzz_common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 8

static const char *const names[] = {"a", "b", "c", "a.weight", "", NULL, "b", "\xc3\xa9"};

static int is_nan_bits(const unsigned char *p, int dtype)
{
    switch (dtype) {
    case ST_F32: {
        float f;
        memcpy(&f, p, 4);
        return isnan(f);
    }
    case ST_F16: return isnan(st_f16_to_f32((uint16_t)(p[0] | p[1] << 8)));
    case ST_BF16: return isnan(st_bf16_to_f32((uint16_t)(p[0] | p[1] << 8)));
    default: return 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    size_t n = fuzz_u8(&in) % (MAX_ENTRIES + 1);
    unsigned flags = fuzz_u8(&in);
    st_entry e[MAX_ENTRIES];
    memset(e, 0, sizeof e);
    for (size_t k = 0; k < n; k++) {
        e[k].name = names[fuzz_u8(&in) % (sizeof names / sizeof names[0])];
        e[k].dtype = (int)(fuzz_u8(&in) % (ST_NDTYPES + 2)) - 1; /* -1 .. ST_NDTYPES */
        e[k].ndim = fuzz_u8(&in) % (ST_MAX_DIMS + 4);
        size_t nd = e[k].ndim < ST_MAX_DIMS ? e[k].ndim : ST_MAX_DIMS;
        for (size_t d = 0; d < nd; d++)
            e[k].shape[d] = fuzz_u64(&in, (flags & 1) ? 8 : 1);
        e[k].begin = fuzz_u64(&in, (flags & 2) ? 8 : 2);
        e[k].end = fuzz_u64(&in, (flags & 2) ? 8 : 2);
    }
    cka_error err;
    /* header numbers as jsondecode gives them */
    for (int q = 0; q < 3; q++) {
        uint64_t bits = fuzz_u64(&in, 8);
        double v;
        memcpy(&v, &bits, 8);
        uint64_t out = 0;
        cka_error_clear(&err);
        if (st_number(v, &out, "fuzz.safetensors", "t", "shape entry", &err) == 0)
            FUZZ_ASSERT((double)out == v && v >= 0 && v <= 9007199254740992.0);
        else
            FUZZ_CHECK_ERR(err, "cka:safetensors:");
    }
    uint64_t data_len = (flags & 4) ? fuzz_u64(&in, 8) : in.n;

    cka_error_clear(&err);
    if (st_validate(e, n, data_len, "fuzz.safetensors", &err) != 0) {
        FUZZ_CHECK_ERR(err, "cka:safetensors:");
        return 0;
    }
    /* accepted: the table must describe exactly data_len bytes */
    uint64_t total = 0;
    for (size_t k = 0; k < n; k++) {
        FUZZ_ASSERT(e[k].end >= e[k].begin && e[k].end <= data_len);
        total += e[k].end - e[k].begin;
    }
    FUZZ_ASSERT(total == data_len);
    if (data_len != in.n)
        return 0; /* a table for a buffer we do not have */

    unsigned char *buf = malloc(in.n ? in.n : 1);
    FUZZ_ASSERT(buf != NULL);
    memcpy(buf, in.p, in.n);
    for (size_t k = 0; k < n; k++) {
        if (!st_dtype_is_float(e[k].dtype))
            continue;
        uint64_t numel = st_numel(&e[k]);
        size_t es = st_dtype_bits(e[k].dtype) / 8;
        FUZZ_ASSERT(numel * es == e[k].end - e[k].begin);
        float *dst = malloc(numel ? (size_t)numel * sizeof *dst : 1);
        FUZZ_ASSERT(dst != NULL);
        st_decode(buf + e[k].begin, e[k].dtype, e[k].shape, e[k].ndim, dst);
        if (e[k].dtype != ST_F64 && numel > 0) {
            unsigned char *back = malloc((size_t)numel * es);
            FUZZ_ASSERT(back != NULL);
            st_encode(dst, e[k].shape, e[k].ndim, e[k].dtype, back);
            const unsigned char *orig = buf + e[k].begin;
            for (uint64_t i = 0; i < numel; i++)
                if (!is_nan_bits(orig + i * es, e[k].dtype))
                    FUZZ_ASSERT(memcmp(orig + i * es, back + i * es, es) == 0);
                else
                    FUZZ_ASSERT(is_nan_bits(back + i * es, e[k].dtype));
            free(back);
        }
        free(dst);
    }
    free(buf);
    return 0;
}
