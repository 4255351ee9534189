/* Shared pieces of the tokenizers; see tok_common.h. */
#include "tok/tok_common.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- arena --------------------------------------------------------------- */
struct tok_arena_block {
    tok_arena_block *next;
    size_t used, size;
    char data[];
};

#define TOK_ARENA_BLOCK 65536

void tok_arena_init(tok_arena *a)
{
    a->head = NULL;
}

static char *arena_alloc(tok_arena *a, size_t n)
{
    tok_arena_block *b = a->head;
    if (b == NULL || b->size - b->used < n) {
        size_t size = n > TOK_ARENA_BLOCK ? n : TOK_ARENA_BLOCK;
        b = malloc(sizeof *b + size);
        if (b == NULL)
            return NULL;
        b->size = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    char *p = b->data + b->used;
    b->used += n;
    return p;
}

char *tok_arena_copy(tok_arena *a, const char *s, size_t n)
{
    return tok_arena_concat(a, s, n, NULL, 0);
}

char *tok_arena_concat(tok_arena *a, const char *s1, size_t n1, const char *s2, size_t n2)
{
    if (n1 > SIZE_MAX / 2 || n2 > SIZE_MAX / 2 - 1)
        return NULL;
    char *p = arena_alloc(a, n1 + n2 + 1);
    if (p == NULL)
        return NULL;
    if (n1)
        memcpy(p, s1, n1);
    if (n2)
        memcpy(p + n1, s2, n2);
    p[n1 + n2] = '\0';
    return p;
}

void tok_arena_free(tok_arena *a)
{
    tok_arena_block *b = a->head;
    while (b != NULL) {
        tok_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

/* ---- byte buffer ------------------------------------------------------------ */
void tok_buf_init(tok_buf *b)
{
    b->p = NULL;
    b->n = b->cap = 0;
}

int tok_buf_reserve(tok_buf *b, size_t extra)
{
    if (extra > SIZE_MAX / 4 || b->n > SIZE_MAX / 4)
        return -1;
    if (b->n + extra + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->n + extra + 1)
            c *= 2;
        char *p = realloc(b->p, c);
        if (p == NULL)
            return -1;
        b->p = p;
        b->cap = c;
    }
    return 0;
}

int tok_buf_append(tok_buf *b, const char *s, size_t n)
{
    if (tok_buf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

int tok_buf_put_cp(tok_buf *b, int32_t cp)
{
    if (tok_buf_reserve(b, 4) != 0)
        return -1;
    b->n += tok_utf8_put(cp, b->p + b->n);
    b->p[b->n] = '\0';
    return 0;
}

void tok_buf_free(tok_buf *b)
{
    free(b->p);
    tok_buf_init(b);
}

/* ---- hash table -------------------------------------------------------- */
uint32_t tok_hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static int hash_rehash(tok_hash *h, size_t cap)
{
    tok_hash_slot *slot = malloc(cap * sizeof *slot);
    if (slot == NULL)
        return -1;
    for (size_t i = 0; i < cap; i++)
        slot[i].e = -1;
    for (size_t e = 0; e < h->count; e++) {
        size_t i = h->hash[e] & (cap - 1);
        while (slot[i].e >= 0)
            i = (i + 1) & (cap - 1);
        slot[i].hash = h->hash[e];
        slot[i].e = (int32_t)e;
    }
    free(h->slot);
    h->slot = slot;
    h->cap = cap;
    return 0;
}

static int hash_reserve(tok_hash *h, size_t entries)
{
    if (entries > (size_t)INT32_MAX)
        return -1;
    if (entries > h->entries_cap) {
        size_t c = h->entries_cap ? h->entries_cap : 16;
        while (c < entries)
            c *= 2;
        tok_str *k = realloc(h->key, c * sizeof *k);
        if (k == NULL)
            return -1;
        h->key = k;
        int32_t *v = realloc(h->val, c * sizeof *v);
        if (v == NULL)
            return -1;
        h->val = v;
        uint32_t *hs = realloc(h->hash, c * sizeof *hs);
        if (hs == NULL)
            return -1;
        h->hash = hs;
        h->entries_cap = c;
    }
    /* load factor <= 1/2 */
    if (entries * 2 > h->cap) {
        size_t cap = h->cap ? h->cap : 32;
        while (entries * 2 > cap)
            cap *= 2;
        if (hash_rehash(h, cap) != 0)
            return -1;
    }
    return 0;
}

int tok_hash_init(tok_hash *h, size_t expected)
{
    memset(h, 0, sizeof *h);
    return hash_reserve(h, expected ? expected : 1);
}

int32_t tok_hash_find(const tok_hash *h, const char *s, size_t n)
{
    if (h->cap == 0)
        return -1;
    uint32_t hv = tok_hash_bytes(s, n);
    size_t i = hv & (h->cap - 1);
    for (;;) {
        const tok_hash_slot *sl = &h->slot[i];
        if (sl->e < 0)
            return -1;
        if (sl->hash == hv) {
            const tok_str *k = &h->key[sl->e];
            if (k->n == n && (n == 0 || memcmp(k->s, s, n) == 0))
                return sl->e;
        }
        i = (i + 1) & (h->cap - 1);
    }
}

int32_t tok_hash_put(tok_hash *h, const char *s, size_t n, int32_t val, int overwrite)
{
    if (hash_reserve(h, h->count + 1) != 0)
        return -1;
    uint32_t hv = tok_hash_bytes(s, n);
    size_t i = hv & (h->cap - 1);
    for (;;) {
        tok_hash_slot *sl = &h->slot[i];
        if (sl->e < 0)
            break;
        if (sl->hash == hv && h->key[sl->e].n == n
            && (n == 0 || memcmp(h->key[sl->e].s, s, n) == 0)) {
            if (overwrite)
                h->val[sl->e] = val;
            return sl->e;
        }
        i = (i + 1) & (h->cap - 1);
    }
    int32_t e = (int32_t)h->count++;
    h->key[e].s = s;
    h->key[e].n = n;
    h->val[e] = val;
    h->hash[e] = hv;
    h->slot[i].hash = hv;
    h->slot[i].e = e;
    return e;
}

void tok_hash_free(tok_hash *h)
{
    free(h->slot);
    free(h->key);
    free(h->val);
    free(h->hash);
    memset(h, 0, sizeof *h);
}

/* ---- output ---------------------------------------------------------------- */
void tok_out_init(tok_out *o, int want_tokens)
{
    memset(o, 0, sizeof *o);
    o->want_tokens = want_tokens;
}

void tok_out_reset(tok_out *o)
{
    o->n = 0;
    o->buf_n = 0;
    o->n_odd = 0;
    o->odd_buf.n = 0;
}

int tok_out_push_odd(tok_out *o, int32_t id, const char *tok, size_t tok_n)
{
    if (o->n_odd == o->odd_cap) {
        size_t c = o->odd_cap ? 2 * o->odd_cap : 16;
        size_t *a = realloc(o->odd, c * sizeof *a);
        if (a == NULL)
            return -1;
        o->odd = a;
        a = realloc(o->odd_off, c * sizeof *a);
        if (a == NULL)
            return -1;
        o->odd_off = a;
        a = realloc(o->odd_len, c * sizeof *a);
        if (a == NULL)
            return -1;
        o->odd_len = a;
        o->odd_cap = c;
    }
    size_t off = o->odd_buf.n;
    if (tok_buf_append(&o->odd_buf, tok, tok_n) != 0 || tok_out_push(o, id, tok, tok_n) != 0)
        return -1;
    o->odd[o->n_odd] = o->n - 1;
    o->odd_off[o->n_odd] = off;
    o->odd_len[o->n_odd] = tok_n;
    o->n_odd++;
    return 0;
}

int tok_out_push(tok_out *o, int32_t id, const char *tok, size_t tok_n)
{
    if (o->n == o->cap) {
        size_t c = o->cap ? 2 * o->cap : 64;
        int32_t *ids = realloc(o->ids, c * sizeof *ids);
        if (ids == NULL)
            return -1;
        o->ids = ids;
        if (o->want_tokens) {
            size_t *off = realloc(o->tok_off, c * sizeof *off);
            if (off == NULL)
                return -1;
            o->tok_off = off;
            size_t *len = realloc(o->tok_len, c * sizeof *len);
            if (len == NULL)
                return -1;
            o->tok_len = len;
        }
        o->cap = c;
    }
    if (o->want_tokens) {
        if (tok_n + 1 > o->buf_cap - o->buf_n) {
            size_t c = o->buf_cap ? o->buf_cap : 1024;
            while (tok_n + 1 > c - o->buf_n) {
                if (c > SIZE_MAX / 2)
                    return -1;
                c *= 2;
            }
            char *b = realloc(o->buf, c);
            if (b == NULL)
                return -1;
            o->buf = b;
            o->buf_cap = c;
        }
        if (tok_n)
            memcpy(o->buf + o->buf_n, tok, tok_n);
        o->buf[o->buf_n + tok_n] = '\0';
        o->tok_off[o->n] = o->buf_n;
        o->tok_len[o->n] = tok_n;
        o->buf_n += tok_n + 1;
    }
    o->ids[o->n++] = id;
    return 0;
}

void tok_out_free(tok_out *o)
{
    free(o->ids);
    free(o->tok_off);
    free(o->tok_len);
    free(o->buf);
    free(o->odd);
    free(o->odd_off);
    free(o->odd_len);
    tok_buf_free(&o->odd_buf);
    memset(o, 0, sizeof *o);
}

/* ---- UTF-8 ----------------------------------------------------------------- */
int tok_utf8_validate(const char *s, size_t n, const char *what, cka_error *err)
{
    size_t i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        size_t left = n - i;
        utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                                left > 4 ? 4 : (utf8proc_ssize_t)left, &cp);
        if (len <= 0)
            return cka_error_set(err, "cka:tokenizer:invalidUtf8",
                                 "%s is not valid UTF-8 (bad byte 0x%02X at byte %zu)",
                                 what, (unsigned char)s[i], i + 1);
        i += (size_t)len;
    }
    return 0;
}

size_t tok_utf8_next_slow(const char *s, size_t n, int32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0) {
        *cp = 0;
        return 0;
    }
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    utf8proc_int32_t c;
    utf8proc_ssize_t len = utf8proc_iterate(u, n > 4 ? 4 : (utf8proc_ssize_t)n, &c);
    if (len <= 0) {  /* not reached for validated input; never loop forever */
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return (size_t)len;
}

size_t tok_utf8_put(int32_t cp, char *out)
{
    utf8proc_ssize_t len = utf8proc_encode_char(cp, (utf8proc_uint8_t *)out);
    return len > 0 ? (size_t)len : 0;
}

/* ---- character classes ------------------------------------------------------ */
int tok_is_py_space(int32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
    const utf8proc_property_t *p = utf8proc_get_property(cp);
    return p->bidi_class == UTF8PROC_BIDI_CLASS_WS || p->bidi_class == UTF8PROC_BIDI_CLASS_B
           || p->bidi_class == UTF8PROC_BIDI_CLASS_S || p->category == UTF8PROC_CATEGORY_ZS;
}

int tok_is_regex_space(int32_t cp)
{
    if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x85)
        return 1;
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

int tok_is_letter(int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

int tok_is_number(int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO;
}

/* ---- special tokens --------------------------------------------------------- */
void tok_specials_init(tok_specials *sp, size_t n, const tok_str *tok, const int32_t *id)
{
    sp->n = n;
    sp->tok = tok;
    sp->id = id;
    memset(sp->first, 0, sizeof sp->first);
    for (size_t k = 0; k < n; k++)
        if (tok[k].n > 0)
            sp->first[(unsigned char)tok[k].s[0]] = 1;
}

int tok_specials_match(const tok_specials *sp, const char *s, size_t n)
{
    if (n == 0 || !sp->first[(unsigned char)s[0]])
        return -1;
    int best = -1;
    size_t best_n = 0;
    for (size_t k = 0; k < sp->n; k++) {
        size_t m = sp->tok[k].n;
        if (m > best_n && m <= n && memcmp(sp->tok[k].s, s, m) == 0) {
            best = (int)k;
            best_n = m;
        }
    }
    return best;
}

int tok_split_specials(const tok_specials *sp, const char *text, size_t n, tok_chunk_fn chunk,
                       void *ctx, tok_out *out, cka_error *err)
{
    size_t i = 0, start = 0;
    while (i < n) {
        unsigned char c = (unsigned char)text[i];
        if (!sp->first[c]) {   /* no special token starts with this byte */
            int32_t cp;
            i += tok_utf8_next(text + i, n - i, &cp);
            continue;
        }
        int k = tok_specials_match(sp, text + i, n - i);
        if (k < 0) {
            int32_t cp;
            i += tok_utf8_next(text + i, n - i, &cp);
            continue;
        }
        if (i > start && chunk(ctx, text + start, i - start, out, err) != 0)
            return -1;
        if (tok_out_push(out, sp->id[k], sp->tok[k].s, sp->tok[k].n) != 0)
            return cka_error_set(err, "cka:memory:outOfMemory", "out of memory while tokenizing");
        i += sp->tok[k].n;
        start = i;
    }
    if (n > start && chunk(ctx, text + start, n - start, out, err) != 0)
        return -1;
    return 0;
}
