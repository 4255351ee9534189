/* GPT-2 byte-level BPE; see bpe.h. */
#include "tok/bpe.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define OOM(err) cka_error_set(err, "cka:memory:outOfMemory", "out of memory while tokenizing")
#define PAIR_FREE UINT64_MAX
#define CACHE_MAX_BYTES 64

/* ---- byte-to-unicode map ------------------------------------------------- */
static int byte_is_printable(unsigned b)
{
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
}

int32_t bpe_byte_to_unicode(unsigned char b)
{
    if (byte_is_printable(b))
        return b;
    /* rank of b among the 68 non-printable bytes 0x00-0x20, 0x7F-0xA0, 0xAD */
    if (b <= 0x20)
        return 0x100 + b;
    if (b <= 0xA0)
        return 0x100 + 33 + (b - 0x7F);
    return 0x100 + 67;   /* 0xAD */
}

int bpe_unicode_to_byte(int32_t cp)
{
    if (cp >= 0 && cp <= 0xFF)
        return byte_is_printable((unsigned)cp) ? cp : -1;
    if (cp >= 0x100 && cp < 0x100 + 68) {
        int i = cp - 0x100;
        if (i < 33)
            return i;
        if (i < 67)
            return 0x7F + (i - 33);
        return 0xAD;
    }
    return -1;
}

/* ---- pre-tokeniser ---------------------------------------------------------- */
enum { CL_LETTER, CL_NUMBER, CL_SPACE, CL_OTHER };

static int classify(int32_t cp)
{
    if (tok_is_letter(cp))
        return CL_LETTER;
    if (tok_is_number(cp))
        return CL_NUMBER;
    if (tok_is_regex_space(cp))
        return CL_SPACE;
    return CL_OTHER;
}

/* bytes of the run of class `cl` starting at s[i] */
static size_t run_of(const char *s, size_t n, size_t i, int cl)
{
    size_t j = i;
    while (j < n) {
        int32_t cp;
        size_t l = tok_utf8_next(s + j, n - j, &cp);
        if (classify(cp) != cl)
            break;
        j += l;
    }
    return j - i;
}

size_t bpe_pretok_next(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    /* 's|'t|'re|'ve|'m|'ll|'d  (case-sensitive) */
    if (s[0] == '\'' && n >= 2) {
        char c = s[1];
        if (c == 's' || c == 't' || c == 'm' || c == 'd')
            return 2;
        if (n >= 3 && ((c == 'r' && s[2] == 'e') || (c == 'v' && s[2] == 'e')
                       || (c == 'l' && s[2] == 'l')))
            return 3;
    }
    /* ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: with the optional space
     * taken when the next character starts a run; else without it */
    int32_t cp;
    if (s[0] == ' ' && n > 1) {
        tok_utf8_next(s + 1, n - 1, &cp);
        int cl = classify(cp);
        if (cl != CL_SPACE)
            return 1 + run_of(s, n, 1, cl);
    }
    size_t l0 = tok_utf8_next(s, n, &cp);
    int cl = classify(cp);
    if (cl != CL_SPACE)
        return run_of(s, n, 0, cl);
    /* `\s+(?!\S)`: the whitespace run, less its last character when a
     * non-space follows (the lookahead then holds one character earlier);
     * a single whitespace character before a non-space falls through to
     * `\s+`, which takes just it. */
    size_t run = 0, last = 0;
    while (run < n) {
        size_t l = tok_utf8_next(s + run, n - run, &cp);
        if (!tok_is_regex_space(cp))
            break;
        last = l;
        run += l;
    }
    if (run == n)
        return run;
    if (run > last)
        return run - last;
    return l0;
}

/* ---- model -------------------------------------------------------------- */
static int32_t intern(bpe_model *m, const char *s, size_t n)
{
    if (m->nsym == m->sym_cap) {
        size_t c = m->sym_cap ? 2 * m->sym_cap : 1024;
        int32_t *p = realloc(m->sym_id, c * sizeof *p);
        if (p == NULL)
            return -1;
        m->sym_id = p;
        m->sym_cap = c;
    }
    size_t before = m->sym.count;
    int32_t e = tok_hash_put(&m->sym, s, n, (int32_t)m->nsym, 0);
    if (e < 0)
        return -1;
    /* entries are numbered in insertion order: entry index == symbol index */
    if (m->sym.count != before)
        m->sym_id[m->nsym++] = -1;
    return e;
}

static uint64_t pair_key(int32_t a, int32_t b)
{
    return ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
}

static size_t pair_hash(uint64_t k, size_t cap)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

static const bpe_pair_slot *pair_find(const bpe_model *m, int32_t a, int32_t b)
{
    uint64_t k = pair_key(a, b);
    size_t i = pair_hash(k, m->pair_cap);
    for (;;) {
        const bpe_pair_slot *p = &m->pair[i];
        if (p->key == k)
            return p;
        if (p->key == PAIR_FREE)
            return NULL;
        i = (i + 1) & (m->pair_cap - 1);
    }
}

void bpe_free(bpe_model *m)
{
    tok_arena_free(&m->arena);
    tok_hash_free(&m->sym);
    tok_hash_free(&m->cache);
    free(m->sym_id);
    free(m->pair);
    free(m->cache_sym);
    free(m->work);
    memset(m, 0, sizeof *m);
}

int bpe_init(bpe_model *m, size_t nvocab, const tok_str *vocab,
             size_t nmerges, const tok_str *left, const tok_str *right,
             const tok_str *unk, size_t nspecial, const tok_str *special,
             const int32_t *special_id, int add_prefix_space, cka_error *err)
{
    memset(m, 0, sizeof *m);
    tok_arena_init(&m->arena);
    m->unk_id = -1;
    m->add_prefix_space = add_prefix_space;
    m->max_cache_words = 1u << 20;
    if (nvocab > (size_t)INT32_MAX / 2 || nmerges > (size_t)INT32_MAX / 4)
        return cka_error_set(err, "cka:tokenizer:badConfig", "vocabulary or merge list too large");
    if (tok_hash_init(&m->sym, nvocab + nmerges + 256) != 0 || tok_hash_init(&m->cache, 1024) != 0)
        goto oom;
    for (size_t k = 0; k < nvocab; k++) {
        if (vocab[k].n == 0)
            continue;
        int32_t s = intern(m, vocab[k].s, vocab[k].n);
        if (s < 0)
            goto oom;
        m->sym_id[s] = (int32_t)k;
    }
    for (int b = 0; b < 256; b++) {
        char u[4];
        size_t l = tok_utf8_put(bpe_byte_to_unicode((unsigned char)b), u);
        int32_t e = tok_hash_find(&m->sym, u, l);
        if (e < 0) {
            char *p = tok_arena_copy(&m->arena, u, l);
            if (p == NULL || (e = intern(m, p, l)) < 0)
                goto oom;
        }
        m->byte_sym[b] = e;
    }
    m->pair_cap = 64;
    while (m->pair_cap < 2 * nmerges + 2)
        m->pair_cap *= 2;
    m->pair = malloc(m->pair_cap * sizeof *m->pair);
    if (m->pair == NULL)
        goto oom;
    for (size_t i = 0; i < m->pair_cap; i++)
        m->pair[i].key = PAIR_FREE;
    for (size_t r = 0; r < nmerges; r++) {
        int32_t a = intern(m, left[r].s, left[r].n);
        int32_t b = a < 0 ? -1 : intern(m, right[r].s, right[r].n);
        if (b < 0)
            goto oom;
        char *cat = tok_arena_concat(&m->arena, left[r].s, left[r].n, right[r].s, right[r].n);
        if (cat == NULL)
            goto oom;
        int32_t c = intern(m, cat, left[r].n + right[r].n);
        if (c < 0)
            goto oom;
        uint64_t k = pair_key(a, b);
        size_t i = pair_hash(k, m->pair_cap);
        while (m->pair[i].key != PAIR_FREE && m->pair[i].key != k)
            i = (i + 1) & (m->pair_cap - 1);
        m->pair[i].key = k;       /* a repeated pair keeps its last rank */
        m->pair[i].rank = (int32_t)r;
        m->pair[i].merged = c;
    }
    if (unk != NULL && unk->n > 0) {
        int32_t e = tok_hash_find(&m->sym, unk->s, unk->n);
        if (e < 0 || m->sym_id[e] < 0) {
            bpe_free(m);
            return cka_error_set(err, "cka:tokenizer:missingToken",
                                 "the unknown token \"%.*s\" is not in the vocabulary",
                                 (int)(unk->n > 200 ? 200 : unk->n), unk->s);
        }
        m->unk_id = m->sym_id[e];
        m->unk = *unk;
    }
    tok_specials_init(&m->specials, nspecial, special, special_id);
    return 0;
oom:
    bpe_free(m);
    return OOM(err);
}

/* ---- BPE of one pre-token -------------------------------------------------- */
typedef struct heap_ent {
    int32_t rank, pos;
} heap_ent;

static int ent_less(heap_ent x, heap_ent y)
{
    return x.rank < y.rank || (x.rank == y.rank && x.pos < y.pos);
}

static void heap_push(heap_ent *h, size_t *n, heap_ent e)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ent_less(e, h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static heap_ent heap_pop(heap_ent *h, size_t *n)
{
    heap_ent top = h[0], e = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && ent_less(h[c + 1], h[c]))
            c++;
        if (!ent_less(h[c], e))
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n > 0)
        h[i] = e;
    return top;
}

/* Rank of the pair at node i and its right neighbour, -1 when none. */
static int32_t rank_at(const bpe_model *m, const int32_t *sym, const int32_t *nxt, int32_t i)
{
    if (i < 0 || nxt[i] < 0)
        return -1;
    const bpe_pair_slot *p = pair_find(m, sym[i], sym[nxt[i]]);
    return p ? p->rank : -1;
}

/* Merge the symbols sym[0..k) in place, exactly as HF GPT2Tokenizer.bpe:
 * repeatedly take the lowest-ranked adjacent pair and merge all of its
 * non-overlapping occurrences, left to right; stop when no adjacent pair is
 * a merge or one symbol is left.
 *
 * A heap of (rank, position) holds one entry per adjacency when it appears;
 * a round pops every entry of the lowest rank r (in position order) and
 * merges those still valid.  An entry is valid iff its node is alive and the
 * pair there now has rank r: a pair of rank r is a unique symbol pair
 * (first, second), and merging never creates a new (first, second)
 * adjacency (first+second is longer than either), so the valid entries are
 * exactly the occurrences Python merges in that round.  Pairs of lower rank
 * made during a round wait for the next round, as in Python.  O(k log k). */
static int merge_word(bpe_model *m, int32_t *sym, size_t k, size_t *out_k)
{
    if (k < 2) {
        *out_k = k;
        return 0;
    }
    if (k > (size_t)INT32_MAX / 4)
        return -1;
    size_t hcap = 3 * k;   /* k - 1 initial entries + 2 per merge */
    size_t need = hcap * sizeof(heap_ent) + (hcap + 2 * k) * sizeof(int32_t);
    if (need > m->work_cap) {
        void *w = realloc(m->work, need);
        if (w == NULL)
            return -1;
        m->work = w;
        m->work_cap = need;
    }
    heap_ent *heap = m->work;
    int32_t *round = (int32_t *)(void *)(heap + hcap);
    int32_t *prv = round + hcap;
    int32_t *nxt = prv + k;
    size_t hn = 0, alive = k;
    for (size_t i = 0; i < k; i++) {
        prv[i] = (int32_t)i - 1;
        nxt[i] = i + 1 < k ? (int32_t)i + 1 : -1;
    }
    for (size_t i = 0; i + 1 < k; i++) {
        int32_t r = rank_at(m, sym, nxt, (int32_t)i);
        if (r >= 0)
            heap_push(heap, &hn, (heap_ent){r, (int32_t)i});
    }
    while (hn > 0 && alive > 1) {
        int32_t r = heap[0].rank;
        size_t rn = 0;
        while (hn > 0 && heap[0].rank == r)
            round[rn++] = heap_pop(heap, &hn).pos;   /* in position order */
        for (size_t t = 0; t < rn; t++) {
            int32_t i = round[t];
            if (prv[i] == -2 || rank_at(m, sym, nxt, i) != r)
                continue;   /* dead, or a neighbour was merged meanwhile */
            int32_t j = nxt[i];
            sym[i] = pair_find(m, sym[i], sym[j])->merged;
            nxt[i] = nxt[j];
            if (nxt[j] >= 0)
                prv[nxt[j]] = i;
            prv[j] = -2;   /* dead */
            alive--;
            int32_t q = rank_at(m, sym, nxt, prv[i]);
            if (q >= 0 && hn < hcap)
                heap_push(heap, &hn, (heap_ent){q, prv[i]});
            q = rank_at(m, sym, nxt, i);
            if (q >= 0 && hn < hcap)
                heap_push(heap, &hn, (heap_ent){q, i});
        }
    }
    size_t o = 0;
    for (int32_t i = 0; i >= 0; i = nxt[i])
        sym[o++] = sym[i];
    *out_k = o;
    return 0;
}

static int push_syms(bpe_model *m, const int32_t *sym, size_t k, tok_out *out, cka_error *err)
{
    for (size_t t = 0; t < k; t++) {
        int32_t id = m->sym_id[sym[t]];
        const tok_str *key = &m->sym.key[sym[t]];
        int rc;
        if (id >= 0)
            rc = tok_out_push(out, id, key->s, key->n);
        else if (m->unk_id >= 0)
            rc = tok_out_push_odd(out, m->unk_id, key->s, key->n);
        else
            return cka_error_set(err, "cka:tokenizer:missingToken",
                                 "the BPE symbol \"%.*s\" is not in the vocabulary and there is no unknown token",
                                 (int)(key->n > 200 ? 200 : key->n), key->s);
        if (rc != 0)
            return OOM(err);
    }
    return 0;
}

static int bpe_piece(bpe_model *m, const char *s, size_t n, tok_out *out, cka_error *err)
{
    int cacheable = n <= CACHE_MAX_BYTES;
    if (cacheable) {
        int32_t e = tok_hash_find(&m->cache, s, n);
        if (e >= 0) {
            const int32_t *c = m->cache_sym + m->cache.val[e];
            return push_syms(m, c + 1, (size_t)c[0], out, err);
        }
    }
    /* one symbol per byte, merged in place; kept at the cache's end */
    if (m->cache_n + n + 1 > m->cache_cap) {
        size_t c = m->cache_cap ? m->cache_cap : 4096;
        while (c < m->cache_n + n + 1)
            c *= 2;
        if (c > (size_t)INT32_MAX)
            return OOM(err);
        int32_t *p = realloc(m->cache_sym, c * sizeof *p);
        if (p == NULL)
            return OOM(err);
        m->cache_sym = p;
        m->cache_cap = c;
    }
    int32_t *w = m->cache_sym + m->cache_n;
    for (size_t i = 0; i < n; i++)
        w[1 + i] = m->byte_sym[(unsigned char)s[i]];
    size_t k;
    if (merge_word(m, w + 1, n, &k) != 0)
        return OOM(err);
    w[0] = (int32_t)k;
    if (cacheable && m->cache.count < m->max_cache_words) {
        char *key = tok_arena_copy(&m->arena, s, n);
        if (key == NULL || tok_hash_put(&m->cache, key, n, (int32_t)m->cache_n, 0) < 0)
            return OOM(err);
        m->cache_n += k + 1;
    }
    return push_syms(m, w + 1, k, out, err);
}

/* ignore_merges (Llama-3): a pre-token whose byte-level string is a
 * vocabulary entry is that token, whatever the merges would make of it.
 * Returns 1 when pushed, 0 when not an entry, -1 on error. */
static int whole_word(bpe_model *m, const char *s, size_t n, tok_out *out, cka_error *err)
{
    tok_buf w;
    tok_buf_init(&w);
    for (size_t i = 0; i < n; i++) {
        const tok_str *k = &m->sym.key[m->byte_sym[(unsigned char)s[i]]];
        if (tok_buf_append(&w, k->s, k->n) != 0) {
            tok_buf_free(&w);
            return OOM(err);
        }
    }
    int32_t e = tok_hash_find(&m->sym, w.p ? w.p : "", w.n);
    tok_buf_free(&w);
    if (e < 0 || m->sym_id[e] < 0)
        return 0;
    const tok_str *key = &m->sym.key[e];
    return tok_out_push(out, m->sym_id[e], key->s, key->n) != 0 ? OOM(err) : 1;
}

static int has_non_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

static int bpe_chunk(void *ctx, const char *s, size_t n, tok_out *out, cka_error *err)
{
    bpe_model *m = ctx;
    /* the fast tokenizers normalise what lies between the added tokens
     * (which are matched on the raw text), then pre-tokenise */
    utf8proc_uint8_t *nfc = NULL;
    if (m->nfc && has_non_ascii(s, n)) {
        utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &nfc,
                                            UTF8PROC_STABLE | UTF8PROC_COMPOSE);
        if (len < 0)
            return OOM(err);
        s = (const char *)nfc;
        n = (size_t)len;
    }
    int rc = 0;
    size_t i = 0;
    while (rc == 0 && i < n) {
        size_t l;
        if (m->pretok == BPE_PRETOK_QWEN2)
            l = bpe_pretok_split_next(s + i, n - i, 1);
        else if (m->pretok == BPE_PRETOK_LLAMA3)
            l = bpe_pretok_split_next(s + i, n - i, 3);
        else
            l = bpe_pretok_next(s + i, n - i);
        int whole = m->ignore_merges ? whole_word(m, s + i, l, out, err) : 0;
        if (whole < 0)
            rc = -1;
        else if (whole == 0)
            rc = bpe_piece(m, s + i, l, out, err);
        i += l;
    }
    free(nfc);
    return rc;
}

int bpe_encode(bpe_model *m, const char *text, size_t n, tok_out *out, cka_error *err)
{
    tok_buf pre;
    tok_buf_init(&pre);
    if (m->add_prefix_space) {
        if (tok_buf_append(&pre, " ", 1) != 0 || tok_buf_append(&pre, text, n) != 0) {
            tok_buf_free(&pre);
            return OOM(err);
        }
        text = pre.p;
        n = pre.n;
    }
    int rc = tok_split_specials(&m->specials, text, n, bpe_chunk, m, out, err);
    tok_buf_free(&pre);
    return rc;
}

/* ---- decoding ------------------------------------------------------------- */
/* Length of the valid UTF-8 sequence at s[0..n), or 0 with *bad set to the
 * length of its maximal ill-formed subpart (at least 1). */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned c = s[0];
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else {
        *bad = 1;
        return 0;
    }
    size_t i = 1;
    for (; i <= need; i++) {
        if (i >= n) {
            *bad = i;
            return 0;
        }
        unsigned b = s[i];
        unsigned l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
        if (b < l || b > h) {
            *bad = i;
            return 0;
        }
    }
    return need + 1;
}

int bpe_decode_bytes(const char *s, size_t n, tok_buf *dst)
{
    tok_buf raw;
    tok_buf_init(&raw);
    dst->n = 0;
    if (tok_buf_reserve(&raw, n) != 0 || tok_buf_reserve(dst, n) != 0) {
        tok_buf_free(&raw);
        return -1;
    }
    for (size_t i = 0; i < n;) {
        size_t bad;
        size_t l = utf8_seq((const unsigned char *)s + i, n - i, &bad);
        if (l == 0) {   /* not UTF-8 on input: copy the bytes as they are */
            if (tok_buf_append(&raw, s + i, bad) != 0)
                goto fail;
            i += bad;
            continue;
        }
        int32_t cp;
        tok_utf8_next(s + i, l, &cp);
        int b = bpe_unicode_to_byte(cp);
        if (b >= 0) {
            char c = (char)b;
            if (tok_buf_append(&raw, &c, 1) != 0)
                goto fail;
        } else if (tok_buf_append(&raw, s + i, l) != 0)
            goto fail;
        i += l;
    }
    for (size_t i = 0; i < raw.n;) {
        size_t bad;
        size_t l = utf8_seq((const unsigned char *)raw.p + i, raw.n - i, &bad);
        if (l > 0) {
            if (tok_buf_append(dst, raw.p + i, l) != 0)
                goto fail;
            i += l;
        } else {
            if (tok_buf_put_cp(dst, 0xFFFD) != 0)
                goto fail;
            i += bad;
        }
    }
    if (tok_buf_reserve(dst, 0) != 0)
        goto fail;
    dst->p[dst->n] = '\0';
    tok_buf_free(&raw);
    return 0;
fail:
    tok_buf_free(&raw);
    return -1;
}
