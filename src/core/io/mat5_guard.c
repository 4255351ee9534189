/* See mat5_guard.h.  Layout (MATLAB "MAT-File Format", level 5): a
 * 128-byte header ending in the version and the endian mark "IM", then
 * data elements, each an 8-byte tag (type, byte count) or a 4-byte "small"
 * tag with up to 4 bytes of data.  A variable is a miMATRIX element whose
 * first subelement (array flags) holds its class; cells and structs hold
 * their members as nested miMATRIX elements.  v7 files wrap each variable
 * in a zlib-compressed miCOMPRESSED element. */
#include "io/mat5_guard.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { MI_UINT32 = 6, MI_MATRIX = 14, MI_COMPRESSED = 15 };
enum { HEADER_BYTES = 128 };

typedef struct walk {
    const char *what;
    int swap;            /* file written with the other byte order ("MI") */
    cka_error *err;
} walk;

static uint32_t read_u32(const uint8_t *p, int swap)
{
    uint32_t v;
    memcpy(&v, p, 4);
    if (swap)
        v = (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
    return v;
}

static int bad(const walk *w, const char *why)
{
    return cka_error_set(w->err, "cka:io:badFormat", "%s: not a MAT-file written by cka_save (%s)",
                         w->what, why);
}

/* The element at buf[*pos]: its type, data and size; *pos moves past it
 * (8-byte padding after a normal element, none after a compressed one). */
static int next_element(const walk *w, const uint8_t *buf, size_t n, size_t *pos,
                        uint32_t *type, const uint8_t **data, size_t *len)
{
    if (n - *pos < 8)
        return bad(w, "truncated element tag");
    const uint32_t first = read_u32(buf + *pos, w->swap);
    if (first >> 16) {    /* small data element: 2-byte count, 2-byte type */
        *type = first & 0xffffu;
        *len = first >> 16;
        if (*len > 4)
            return bad(w, "malformed small data element");
        *data = buf + *pos + 4;
        *pos += 8;
        return 0;
    }
    *type = first;
    *len = read_u32(buf + *pos + 4, w->swap);
    *data = buf + *pos + 8;
    if (*len > n - *pos - 8)
        return bad(w, "element longer than the file");
    size_t step = 8 + *len;
    if (*type != MI_COMPRESSED)
        step = (step + 7) & ~(size_t)7;
    *pos = step > n - *pos ? n : *pos + step;
    return 0;
}

static const char *class_name(unsigned cls)
{
    switch (cls) {
    case 3: return "an object (its class constructor would run)";
    case 5: return "a sparse matrix";
    case 16: return "a function handle (its text would be evaluated)";
    case 17: return "an opaque object";
    default: return "an unknown class";
    }
}

static int check_elements(const walk *w, const uint8_t *buf, size_t n, int depth, int top);

/* A miMATRIX: its class must be accepted; members of cells and structs
 * are checked in turn. */
static int check_matrix(const walk *w, const uint8_t *data, size_t len, int depth)
{
    if (len == 0)
        return 0;    /* an empty placeholder (e.g. an unset struct field) */
    if (depth > CKA_MAT5_MAX_DEPTH)
        return bad(w, "cells or structs nested too deep");
    size_t pos = 0;
    uint32_t type;
    const uint8_t *flags;
    size_t flen;
    if (next_element(w, data, len, &pos, &type, &flags, &flen) != 0)
        return -1;
    if (type != MI_UINT32 || flen != 8)
        return bad(w, "malformed array flags");
    const unsigned cls = read_u32(flags, w->swap) & 0xffu;
    const int container = cls == 1 || cls == 2;
    const int plain = cls == 4 || (cls >= 6 && cls <= 15);
    if (!container && !plain)
        return cka_error_set(w->err, "cka:io:badFormat",
                             "%s: holds %s (MAT class %u), which cka_save never writes; "
                             "refused before loading", w->what, class_name(cls), cls);
    if (!container)
        return 0;
    return check_elements(w, data + pos, len - pos, depth + 1, 0);
}

/* Inflate a miCOMPRESSED element (at most CKA_MAT5_MAX_INFLATED bytes)
 * and check the elements inside. */
static int check_compressed(const walk *w, const uint8_t *data, size_t len, int depth)
{
    size_t cap = len * 4 + 4096, used = 0;
    if (cap > CKA_MAT5_MAX_INFLATED)
        cap = CKA_MAT5_MAX_INFLATED;
    uint8_t *out = malloc(cap);
    if (!out)
        return cka_error_set(w->err, "cka:io:badFormat", "%s: out of memory", w->what);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK) {
        free(out);
        return bad(w, "zlib initialisation failed");
    }
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
    int rc = Z_OK, too_big = 0;
    for (;;) {
        if (used == cap) {
            if (cap == CKA_MAT5_MAX_INFLATED) {
                too_big = 1;
                break;
            }
            const size_t grown = cap > CKA_MAT5_MAX_INFLATED / 2 ? CKA_MAT5_MAX_INFLATED : cap * 2;
            uint8_t *bigger = realloc(out, grown);
            if (!bigger)
                break;
            out = bigger;
            cap = grown;
        }
        zs.next_out = out + used;
        zs.avail_out = (uInt)(cap - used > UINT32_MAX ? UINT32_MAX : cap - used);
        rc = inflate(&zs, Z_NO_FLUSH);
        used = (size_t)(zs.next_out - out);
        if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR))
            break;
        if (zs.avail_out > 0)
            break;    /* the input ended before the stream did */
    }
    inflateEnd(&zs);
    int status;
    if (rc != Z_STREAM_END)
        status = bad(w, too_big ? "compressed element inflates beyond 256 MiB"
                                : "corrupt or truncated compressed element");
    else
        status = check_elements(w, out, used, depth, 0);
    free(out);
    return status;
}

/* A sequence of elements: miMATRIX everywhere, miCOMPRESSED only at the
 * top level of the file; other types are data of a cell or struct
 * (field-name lengths and names) and are skipped, or at the top level an
 * error. */
static int check_elements(const walk *w, const uint8_t *buf, size_t n, int depth, int top)
{
    size_t pos = 0;
    while (pos < n) {
        uint32_t type;
        const uint8_t *data;
        size_t len;
        if (next_element(w, buf, n, &pos, &type, &data, &len) != 0)
            return -1;
        if (type == MI_MATRIX) {
            if (check_matrix(w, data, len, depth) != 0)
                return -1;
        } else if (type == MI_COMPRESSED && top) {
            if (check_compressed(w, data, len, depth) != 0)
                return -1;
        } else if (top || type == MI_COMPRESSED) {
            return bad(w, "unexpected element type");
        }
    }
    return 0;
}

int cka_mat5_check(const uint8_t *buf, size_t n, const char *what, cka_error *err)
{
    walk w = {what, 0, err};
    if (n < HEADER_BYTES || memcmp(buf, "MATLAB 5.0 MAT-file", 19) != 0)
        return bad(&w, "no MATLAB 5.0 MAT-file header");
    if (buf[126] == 'I' && buf[127] == 'M')
        w.swap = 0;
    else if (buf[126] == 'M' && buf[127] == 'I')
        w.swap = 1;
    else
        return bad(&w, "no endian mark in the header");
    return check_elements(&w, buf + HEADER_BYTES, n - HEADER_BYTES, 0, 1);
}
