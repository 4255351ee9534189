/* Tests of the MAT-file check (src/core/io/mat5_guard.c) on MAT5 files built
 * here byte by byte: accepted classes, function handles and objects
 * refused at the top level, inside cells and structs and inside
 * zlib-compressed (v7) elements, byte-swapped files, truncated and
 * malformed tags, deep nesting and a compressed element that inflates
 * beyond the limit. */
#include "check.h"
#include "io/mat5_guard.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { MI_INT8 = 1, MI_INT32 = 5, MI_UINT32 = 6, MI_DOUBLE = 9, MI_MATRIX = 14,
       MI_COMPRESSED = 15 };
enum { CLS_CELL = 1, CLS_STRUCT = 2, CLS_OBJECT = 3, CLS_DOUBLE = 6, CLS_FUNCTION = 16 };

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *data, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void put_u32(buf *b, uint32_t v)
{
    put(b, &v, 4);
}

static void pad8(buf *b)
{
    static const uint8_t zeros[8] = {0};
    put(b, zeros, (8 - b->n % 8) % 8);
}

/* A normal data element: tag, data, padding. */
static void element(buf *b, uint32_t type, const void *data, uint32_t n)
{
    put_u32(b, type);
    put_u32(b, n);
    put(b, data, n);
    pad8(b);
}

/* A miMATRIX of class cls (1x1) whose body (after flags, dims and name)
 * is `body`. */
static void matrix(buf *b, unsigned cls, const buf *body)
{
    buf m = {0};
    const uint32_t flags[2] = {cls, 0};
    const int32_t dims[2] = {1, 1};
    element(&m, MI_UINT32, flags, 8);
    element(&m, MI_INT32, dims, 8);
    element(&m, MI_INT8, "R", 1);
    if (body)
        put(&m, body->p, body->n);
    put_u32(b, MI_MATRIX);
    put_u32(b, (uint32_t)m.n);
    put(b, m.p, m.n);
    free(m.p);
}

static void a_double(buf *b)
{
    buf body = {0};
    const double v = 1.5;
    element(&body, MI_DOUBLE, &v, 8);
    matrix(b, CLS_DOUBLE, &body);
    free(body.p);
}

/* A 1x1 struct with one field "f" holding `member`. */
static void a_struct(buf *b, const buf *member)
{
    buf body = {0};
    const int32_t len = 32;
    char names[32] = "f";
    element(&body, MI_INT32, &len, 4);
    element(&body, MI_INT8, names, 32);
    put(&body, member->p, member->n);
    matrix(b, CLS_STRUCT, &body);
    free(body.p);
}

static void a_cell(buf *b, const buf *member)
{
    matrix(b, CLS_CELL, member);
}

static buf file_of(const buf *elements, int big_endian_mark)
{
    buf f = {0};
    char header[128];
    memset(header, ' ', sizeof header);
    memcpy(header, "MATLAB 5.0 MAT-file, written by test_mat5_guard", 47);
    memset(header + 116, 0, 8);
    header[124] = 0;
    header[125] = 1;
    header[126] = big_endian_mark ? 'M' : 'I';
    header[127] = big_endian_mark ? 'I' : 'M';
    put(&f, header, 128);
    put(&f, elements->p, elements->n);
    return f;
}

static buf compressed(const buf *elements)
{
    uLongf n = compressBound(elements->n);
    uint8_t *z = malloc(n);
    compress2(z, &n, elements->p, elements->n, 6);
    buf b = {0};
    put_u32(&b, MI_COMPRESSED);
    put_u32(&b, (uint32_t)n);
    put(&b, z, n);
    free(z);
    return b;
}

static int check(const buf *f, cka_error *e)
{
    cka_error_clear(e);
    return cka_mat5_check(f->p, f->n, "r.mat", e);
}

static void test_accepted_classes(void)
{
    buf d = {0}, s = {0}, c = {0};
    a_double(&d);
    a_struct(&s, &d);
    a_cell(&c, &s);
    buf f = file_of(&c, 0);
    cka_error e;
    CHECK(check(&f, &e) == 0, "%s", e.msg);
    buf z = compressed(&c);
    buf fz = file_of(&z, 0);
    CHECK(check(&fz, &e) == 0, "%s", e.msg);
    free(d.p), free(s.p), free(c.p), free(f.p), free(z.p), free(fz.p);
}

static void test_code_running_classes_refused(void)
{
    cka_error e;
    const unsigned classes[] = {CLS_FUNCTION, CLS_OBJECT, 17, 5, 99};
    for (size_t k = 0; k < sizeof classes / sizeof classes[0]; k++) {
        buf bad = {0}, s = {0}, c = {0};
        matrix(&bad, classes[k], NULL);
        /* top level, inside a struct inside a cell, and compressed */
        a_struct(&s, &bad);
        a_cell(&c, &s);
        const buf *where[] = {&bad, &c};
        for (int w = 0; w < 2; w++) {
            buf f = file_of(where[w], 0);
            CHECK(check(&f, &e) == -1 && strcmp(e.id, "cka:io:badFormat") == 0,
                  "class %u accepted", classes[k]);
            char want[32];
            snprintf(want, sizeof want, "MAT class %u", classes[k]);
            CHECK(strstr(e.msg, want) != NULL && strncmp(e.msg, "r.mat: ", 7) == 0, "%s", e.msg);
            buf z = compressed(where[w]);
            buf fz = file_of(&z, 0);
            CHECK(check(&fz, &e) == -1 && strstr(e.msg, want) != NULL, "%s", e.msg);
            free(f.p), free(z.p), free(fz.p);
        }
        free(bad.p), free(s.p), free(c.p);
    }
    buf fn = {0};
    matrix(&fn, CLS_FUNCTION, NULL);
    buf f = file_of(&fn, 0);
    check(&f, &e);
    CHECK(strstr(e.msg, "function handle") != NULL, "%s", e.msg);
    free(fn.p), free(f.p);
}

static void test_byte_swapped(void)
{
    /* a file from a big-endian machine: every tag and flag word swapped */
    buf d = {0};
    a_double(&d);
    for (size_t k = 0; k + 4 <= d.n; k += 4) {
        uint8_t *p = d.p + k, t;
        t = p[0], p[0] = p[3], p[3] = t;
        t = p[1], p[1] = p[2], p[2] = t;
    }
    buf f = file_of(&d, 1);
    cka_error e;
    CHECK(check(&f, &e) == 0, "%s", e.msg);
    /* the same bytes read with the little-endian mark are garbage */
    buf g = file_of(&d, 0);
    CHECK(check(&g, &e) == -1, "swapped tags accepted as little-endian");
    free(d.p), free(f.p), free(g.p);
}

static void test_malformed(void)
{
    cka_error e;
    buf d = {0};
    a_double(&d);
    buf f = file_of(&d, 0);
    for (size_t n = 0; n < f.n; n += 7) {    /* every truncation */
        buf t = {f.p, n, n};
        CHECK(check(&t, &e) == -1 || n == 128, "truncated at %zu accepted", n);
    }
    buf h = file_of(&d, 0);
    memcpy(h.p, "MATLAB 4.0", 10);
    CHECK(check(&h, &e) == -1 && strstr(e.msg, "header"), "%s", e.msg);
    h.p[0] = 'M', memcpy(h.p, "MATLAB 5.0", 10), h.p[126] = 'X';
    CHECK(check(&h, &e) == -1 && strstr(e.msg, "endian"), "%s", e.msg);
    /* an element claiming more bytes than the file has */
    buf big = {0};
    put_u32(&big, MI_MATRIX);
    put_u32(&big, 0x7fffffff);
    buf fb = file_of(&big, 0);
    CHECK(check(&fb, &e) == -1 && strstr(e.msg, "longer than the file"), "%s", e.msg);
    /* a top-level element that is no variable */
    buf odd = {0};
    element(&odd, MI_DOUBLE, "12345678", 8);
    buf fo = file_of(&odd, 0);
    CHECK(check(&fo, &e) == -1, "a bare double element accepted");
    /* corrupt compressed data */
    buf z = compressed(&d);
    z.p[12] ^= 0xff;
    z.p[20] ^= 0xff;
    buf fz = file_of(&z, 0);
    CHECK(check(&fz, &e) == -1, "corrupt zlib data accepted");
    /* a compressed element cut short */
    buf z2 = compressed(&d);
    buf fz2 = file_of(&z2, 0);
    fz2.n -= 6;
    uint32_t len = (uint32_t)(z2.n - 8 - 6);
    memcpy(fz2.p + 128 + 4, &len, 4);
    CHECK(check(&fz2, &e) == -1, "truncated zlib data accepted");
    free(d.p), free(f.p), free(h.p), free(big.p), free(fb.p), free(odd.p), free(fo.p);
    free(z.p), free(fz.p), free(z2.p), free(fz2.p);
}

static void test_deep_nesting(void)
{
    buf inner = {0};
    a_double(&inner);
    for (int k = 0; k < 200; k++) {
        buf outer = {0};
        a_cell(&outer, &inner);
        free(inner.p);
        inner = outer;
    }
    buf f = file_of(&inner, 0);
    cka_error e;
    CHECK(check(&f, &e) == -1 && strstr(e.msg, "nested too deep"), "%s", e.msg);
    free(inner.p), free(f.p);
}

static void test_inflate_limit(void)
{
    /* a 257 MiB miMATRIX of zeros compresses to a few hundred kB */
    const size_t n = CKA_MAT5_MAX_INFLATED + ((size_t)1 << 20);
    uint8_t *zeros = calloc(n, 1);
    buf elements = {zeros, n, n};
    buf z = compressed(&elements);
    buf f = file_of(&z, 0);
    cka_error e;
    CHECK(check(&f, &e) == -1 && strstr(e.msg, "256 MiB"), "%s", e.msg);
    free(zeros), free(z.p), free(f.p);
}

int main(void)
{
    RUN(test_accepted_classes);
    RUN(test_code_running_classes_refused);
    RUN(test_byte_swapped);
    RUN(test_malformed);
    RUN(test_deep_nesting);
    RUN(test_inflate_limit);
    return CHECK_REPORT();
}
