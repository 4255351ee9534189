/* Validated reader / writer of the safetensors format (spec §10).
 *
 * The JSON header is parsed by Octave's jsondecode (never here); this file
 * does everything structural around it, so it is unit-testable and
 * fuzzable without Octave:
 *   - the 8-byte prefix and the header bytes (length bound, UTF-8, no NUL,
 *     starts with '{' after optional whitespace)            st_check_prefix
 *                                                            st_check_header_bytes
 *   - header numbers (non-negative integral doubles <= 2^53) st_number
 *   - the table of entries (known dtype, size = numel x dtype size,
 *     offsets sorted, contiguous from 0, covering the buffer, no duplicate
 *     names)                                                 st_validate
 *   - read-only mmap of the file                             st_map / st_unmap
 *   - F32/F16/BF16/F64 -> float conversion fused with the row-major ->
 *     column-major transpose                                 st_decode
 *   - float -> F32/F16/BF16 with the opposite transpose, written to a file
 *     (exclusive create, removed again on any error)         st_write_file
 * Every function returns 0 or -1 and fills a cka_error "cka:safetensors:*". */
#ifndef CKA_SAFETENSORS_H
#define CKA_SAFETENSORS_H

#include "common/cka_error.h"

#include <stddef.h>
#include <stdint.h>

#define ST_MAX_HEADER 100000000ULL /* the reference's MAX_HEADER_SIZE */
#define ST_MAX_DIMS 32

typedef enum st_dtype {
    ST_BOOL, ST_U8, ST_I8, ST_F8_E5M2, ST_F8_E4M3, ST_F8_E8M0, ST_F8_E4M3FNUZ,
    ST_F8_E5M2FNUZ, ST_I16, ST_U16, ST_F16, ST_BF16, ST_I32, ST_U32, ST_F32,
    ST_F64, ST_I64, ST_U64, ST_C64, ST_F4, ST_F6_E2M3, ST_F6_E3M2, ST_NDTYPES
} st_dtype;

/* dtype from its header spelling ("F32"), or -1 when unknown. */
int st_dtype_from_name(const char *s);
const char *st_dtype_name(int dtype);
/* Element size in bits (4 and 6 for the sub-byte types). */
unsigned st_dtype_bits(int dtype);
/* 1 for the dtypes st_decode converts to float: F32, F16, BF16, F64. */
int st_dtype_is_float(int dtype);

/* One header entry, as parsed by the caller. */
typedef struct st_entry {
    const char *name;
    int dtype;                 /* st_dtype */
    size_t ndim;
    uint64_t shape[ST_MAX_DIMS];
    uint64_t begin, end;       /* data_offsets, relative to the data buffer */
} st_entry;

/* Checks the first 8 bytes of a file of file_size bytes: file_size >= 8,
 * N <= ST_MAX_HEADER, 8 + N <= file_size.  Sets *header_len = N. */
int st_check_prefix(const unsigned char prefix[8], uint64_t file_size, uint64_t *header_len,
                    const char *file, cka_error *err);

/* Checks the header bytes before they go to a JSON parser: valid UTF-8, no
 * NUL byte, first non-whitespace byte is '{'. */
int st_check_header_bytes(const char *hdr, size_t len, const char *file, cka_error *err);

/* A header number (jsondecode gives doubles) as an exact uint64: finite,
 * integral, >= 0, <= 2^53.  what/tensor name the value in the message. */
int st_number(double v, uint64_t *out, const char *file, const char *tensor, const char *what,
              cka_error *err);

/* Structural validation of n entries of a file whose data buffer has
 * data_len bytes (= file size - 8 - N).  Does not modify entries. */
int st_validate(const st_entry *entries, size_t n, uint64_t data_len, const char *file,
                cka_error *err);

/* Number of elements of an entry (product of its shape; 1 for 0-d). */
uint64_t st_numel(const st_entry *e);

/* Read-only mapping of a whole file.  expected_size (if non-zero) must be
 * the file's size, so a file changed since its header was validated is
 * caught. */
typedef struct st_map {
    const unsigned char *data;
    uint64_t size;
} st_map;
int st_map_file(const char *path, uint64_t expected_size, st_map *m, cka_error *err);
void st_unmap(st_map *m);

/* Fails with cka:safetensors:noMemory when bytes (the single-precision
 * outputs of a read) exceed the machine's physical memory, so a header
 * claiming terabytes (a sparse file) gets a clear error up front. */
int st_check_memory(uint64_t bytes, const char *file, cka_error *err);

/* Reads len bytes at offset of a file into buf (no mapping); checks that
 * the file has expected_size bytes (if non-zero). */
int st_read_bytes(const char *path, uint64_t offset, size_t len, void *buf,
                  uint64_t expected_size, cka_error *err);
/* Size of a regular file (error for directories, missing files). */
int st_file_size(const char *path, uint64_t *size, cka_error *err);

/* Converts numel elements of a row-major tensor of the given shape and
 * float dtype (F32/F16/BF16/F64) at src (any alignment) to float, written
 * column-major with the same shape into dst (Octave's layout: element
 * (i0,...,ik) of the PyTorch tensor at i0 + d0*(i1 + d1*(...))). */
void st_decode(const unsigned char *src, int dtype, const uint64_t *shape, size_t ndim,
               float *dst);

/* The same for a 2-byte dtype (F16, BF16) kept as its 16-bit numbers:
 * row-major src -> column-major dst, bits unchanged. */
void st_transpose16(const unsigned char *src, const uint64_t *shape, size_t ndim,
                    uint16_t *dst);

/* The opposite: column-major float dst layout -> row-major bytes of dtype
 * F32, F16 or BF16 (round to nearest even; NaN -> quiet NaN). */
void st_encode(const float *src, const uint64_t *shape, size_t ndim, int dtype,
               unsigned char *dst);

/* Scalar conversions (exact up-casts, round-to-nearest-even down-casts). */
float st_f16_to_f32(uint16_t h);
float st_bf16_to_f32(uint16_t b);
uint16_t st_f32_to_f16(float f);
uint16_t st_f32_to_bf16(float f);

/* A tensor to write: column-major floats with its PyTorch shape. */
typedef struct st_out_tensor {
    const float *data;
    size_t ndim;
    uint64_t shape[ST_MAX_DIMS];
} st_out_tensor;

/* Writes a safetensors file at path (which must not exist: created with
 * O_EXCL; the caller renames it into place): 8-byte header length, the
 * header bytes as given (the caller builds and pads them), then the n
 * tensors converted to dtype (F32, F16 or BF16) in the given order.  On any
 * error the partial file is removed. */
int st_write_file(const char *path, const char *header, size_t header_len,
                  const st_out_tensor *tensors, size_t n, int dtype, cka_error *err);

#endif
