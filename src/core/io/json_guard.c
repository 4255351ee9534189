/* Lexical depth and duplicate-key check of JSON text (json_guard.h). */
#include "common/cka_grow.h"
#include "io/json_guard.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)

typedef struct key_ent {
    size_t off, len;   /* decoded bytes in the arena */
    uint64_t hash;
    const char *p;     /* set when the object closes (the arena may move before) */
    size_t pos;        /* byte offset of the key in the text, for the first-seen order */
} key_ent;

typedef struct frame {
    int is_obj;
    int expect_key;    /* object: the next string is a key */
    size_t key_base;   /* first entry of this object's keys */
    size_t arena_base; /* arena length when the object opened */
    size_t cur_key;    /* object: entry of the current member's key */
    size_t index;      /* array: index of the current element */
} frame;

typedef struct scan {
    const char *txt;
    size_t len;
    frame *fr;
    size_t depth;
    key_ent *ent;
    size_t nent, cap_ent;
    char *arena;
    size_t narena, cap_arena;
} scan;

/* cka_grow with this file's first capacity */
static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    return cka_grow(p, cap, need, elem, 64);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The code unit of "\uXXXX" at s[0..6), or -1. */
static long hex4(const char *s, size_t avail)
{
    if (avail < 6 || s[0] != '\\' || s[1] != 'u')
        return -1;
    long v = 0;
    for (int k = 2; k < 6; k++) {
        int h = hexval(s[k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static size_t put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) { /* lone surrogates too, as jsondecode keeps them */
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decode the string body s[0..n) (between the quotes) into out, which
 * has room for n bytes (decoding never lengthens: "\uXXXX" is 6 bytes for
 * at most 3, a pair 12 for 4).  Returns the decoded length. */
static size_t decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t j = 0; j < n; j++) {
        if (s[j] != '\\' || j + 1 >= n) {
            out[o++] = s[j];
            continue;
        }
        char e = s[++j];
        switch (e) {
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            long hi = hex4(s + j - 1, n - (j - 1));
            if (hi < 0) {
                out[o++] = e; /* invalid escape: jsondecode will say so */
                break;
            }
            j += 4;
            unsigned long cp = (unsigned long)hi;
            if (hi >= 0xD800 && hi <= 0xDBFF) {
                long lo = hex4(s + j + 1, n - (j + 1));
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + (((unsigned long)hi - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
                    j += 6;
                }
            }
            o += put_utf8(out + o, cp);
            break;
        }
        default: out[o++] = e; break; /* \" \\ \/ and invalid ones */
        }
    }
    return o;
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t k = 0; k < n; k++) {
        h ^= (unsigned char)s[k];
        h *= 1099511628211ULL;
    }
    return h;
}

static int cmp_key(const void *a, const void *b)
{
    const key_ent *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    int c = memcmp(x->p, y->p, x->len);
    if (c != 0)
        return c;
    return x->pos < y->pos ? -1 : (x->pos > y->pos);
}

/* Append a path segment for key k (bare if an identifier, else quoted). */
static void path_key(char *buf, size_t cap, size_t *o, const char *k, size_t n, int first)
{
    int ident = n > 0 && !(k[0] >= '0' && k[0] <= '9');
    for (size_t j = 0; j < n && ident; j++)
        ident = (k[j] >= 'a' && k[j] <= 'z') || (k[j] >= 'A' && k[j] <= 'Z') ||
                (k[j] >= '0' && k[j] <= '9') || k[j] == '_';
    /* at most 64 bytes of the key, each at most 6 bytes ("\u001f"), two
     * quotes, "..." and a NUL: 390 bytes */
    char seg[2 + 64 * 6 + 3 + 1];
    size_t s = 0, m = n;
    const int cut = n > 64;
    if (cut) {
        m = 64;
        while (m > 0 && ((unsigned char)k[m] & 0xC0) == 0x80)
            m--; /* cut on a character boundary */
    }
    if (!ident)
        seg[s++] = '"';
    for (size_t j = 0; j < m; j++) {
        unsigned char c = (unsigned char)k[j];
        if (c == '"' || c == '\\')
            s += (size_t)snprintf(seg + s, sizeof seg - s, "\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            s += (size_t)snprintf(seg + s, sizeof seg - s, "\\u%04x", c);
        else
            seg[s++] = (char)c;
    }
    if (cut)
        s += (size_t)snprintf(seg + s, sizeof seg - s, "...");
    if (!ident)
        seg[s++] = '"';
    seg[s] = '\0';
    if (*o < cap)
        *o += (size_t)snprintf(buf + *o, cap - *o, "%s%s", first ? "" : ".", seg);
}

/* The path of member key (k, n) of the object at frame d, e.g. a.b[3]."c d". */
static void make_path(const scan *sc, size_t d, const char *k, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < d; j++) {
        const frame *f = &sc->fr[j];
        if (f->is_obj && f->cur_key != NONE) {
            const key_ent *e = &sc->ent[f->cur_key];
            path_key(buf, cap, &o, sc->arena + e->off, e->len, o == 0);
        } else if (!f->is_obj && o < cap) {
            o += (size_t)snprintf(buf + o, cap - o, "[%zu]", f->index);
        }
    }
    path_key(buf, cap, &o, k, n, o == 0);
}

/* Keys of the object at frame d (the innermost): any two equal? */
static int check_object(scan *sc, size_t d, const char *what, cka_json_dup *dup, cka_error *err)
{
    frame *f = &sc->fr[d];
    size_t b = f->key_base, n = sc->nent - b;
    if (n < 2)
        return 0;
    key_ent *e = sc->ent + b;
    for (size_t k = 0; k < n; k++)
        e[k].p = sc->arena + e[k].off;
    qsort(e, n, sizeof *e, cmp_key);
    const key_ent *hit = NULL;
    for (size_t k = 1; k < n; k++)
        if (e[k].hash == e[k - 1].hash && e[k].len == e[k - 1].len &&
            memcmp(e[k].p, e[k - 1].p, e[k].len) == 0 && (hit == NULL || e[k].pos < hit->pos))
            hit = &e[k]; /* the second occurrence that comes first in the text */
    if (hit == NULL)
        return 0;
    /* the path goes through the parents' current keys, which lie below b */
    char path[512];
    make_path(sc, d, hit->p, hit->len, path, sizeof path);
    if (dup != NULL) {
        dup->level = d + 1;
        size_t m = hit->len < sizeof dup->key - 1 ? hit->len : sizeof dup->key - 1;
        memcpy(dup->key, hit->p, m);
        dup->key[m] = '\0';
        snprintf(dup->path, sizeof dup->path, "%s", path);
    }
    return cka_error_set(err, "cka:json:duplicateKey",
                         "%s: duplicate key %s in a JSON object", what, path);
}

static void scan_free(scan *sc)
{
    free(sc->fr);
    free(sc->ent);
    free(sc->arena);
}

static int no_memory(scan *sc, const char *what, cka_error *err)
{
    scan_free(sc);
    return cka_error_set(err, "cka:internal:noMemory", "%s: out of memory checking the JSON text",
                         what);
}

int cka_json_check(const char *txt, size_t len, const char *what, size_t max_depth,
                   cka_json_dup *dup, cka_error *err)
{
    if (dup != NULL) {
        dup->level = 0;
        dup->key[0] = '\0';
        dup->path[0] = '\0';
    }
    if (what == NULL)
        what = "JSON text";
    if (txt == NULL)
        len = 0;
    scan sc;
    memset(&sc, 0, sizeof sc);
    sc.txt = txt;
    sc.len = len;
    sc.fr = malloc((max_depth ? max_depth : 1) * sizeof *sc.fr);
    if (sc.fr == NULL)
        return no_memory(&sc, what, err);
    size_t i = 0;
    while (i < len) {
        char c = txt[i];
        if (c == '{' || c == '[') {
            if (sc.depth >= max_depth) {
                scan_free(&sc);
                return cka_error_set(err, "cka:json:tooDeep",
                                     "%s: JSON nested more than %zu levels deep (at byte %zu)",
                                     what, max_depth, i);
            }
            frame *f = &sc.fr[sc.depth++];
            f->is_obj = c == '{';
            f->expect_key = f->is_obj;
            f->key_base = sc.nent;
            f->arena_base = sc.narena;
            f->cur_key = NONE;
            f->index = 0;
            i++;
        } else if (c == '}' || c == ']') {
            if (sc.depth == 0 || sc.fr[sc.depth - 1].is_obj != (c == '}'))
                break; /* not JSON: jsondecode reports it */
            frame *f = &sc.fr[sc.depth - 1];
            if (f->is_obj && check_object(&sc, sc.depth - 1, what, dup, err) != 0) {
                scan_free(&sc);
                return -1;
            }
            sc.nent = f->key_base;
            sc.narena = f->arena_base;
            sc.depth--;
            i++;
        } else if (c == ',') {
            if (sc.depth > 0) {
                frame *f = &sc.fr[sc.depth - 1];
                if (f->is_obj)
                    f->expect_key = 1;
                else
                    f->index++;
            }
            i++;
        } else if (c == '"') {
            size_t s = i + 1, j = s;
            while (j < len && txt[j] != '"')
                j += txt[j] == '\\' ? 2 : 1;
            if (j >= len)
                break; /* unterminated string: jsondecode reports it */
            frame *f = sc.depth > 0 ? &sc.fr[sc.depth - 1] : NULL;
            if (f != NULL && f->is_obj && f->expect_key) {
                size_t n = j - s;
                if (grow((void **)&sc.arena, &sc.cap_arena, sc.narena + n + 1, 1) != 0 ||
                    grow((void **)&sc.ent, &sc.cap_ent, sc.nent + 1, sizeof *sc.ent) != 0)
                    return no_memory(&sc, what, err);
                char *out = sc.arena + sc.narena;
                size_t m = decode(txt + s, n, out);
                void *nul = memchr(out, '\0', m);
                if (nul != NULL) /* Octave's field names end at a NUL */
                    m = (size_t)((char *)nul - out);
                key_ent *e = &sc.ent[sc.nent];
                e->off = sc.narena;
                e->len = m;
                e->hash = fnv1a(out, m);
                e->p = NULL;
                e->pos = i;
                f->cur_key = sc.nent++;
                sc.narena += m;
                f->expect_key = 0;
            }
            i = j + 1;
        } else {
            i++;
        }
    }
    scan_free(&sc);
    return 0;
}
