/* SentencePiece BPE; see spm.h. */
#include "common/cka_grow.h"
#include "tok/spm.h"
#include "tok/spm_file.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define OOM(err) cka_error_set(err, "cka:memory:outOfMemory", "out of memory while tokenizing")
/* words of up to this many bytes are cached, up to this many words */
#define SPM_CACHE_MAX_BYTES 64
#define SPM_CACHE_MAX_WORDS (1u << 20)

static const char SPACE_SYMBOL[] = "\xe2\x96\x81"; /* U+2581, sentencepiece's escaped space */
#define SPACE_SYMBOL_N 3
static const char UNK_SURFACE[] = " \xe2\x81\x87 "; /* trainer_spec.unk_surface default */

/* ---- model -------------------------------------------------------------- */
void spm_free(spm_model *m)
{
    free(m->score);
    free(m->type);
    tok_hash_free(&m->pieces);
    tok_hash_free(&m->reserved);
    free(m->user);
    free(m->user_id);
    tok_buf_free(&m->norm);
    tok_buf_free(&m->work);
    tok_buf_free(&m->pre);
    tok_hash_free(&m->cache);
    tok_arena_free(&m->arena);
    free(m->seg);
    free(m->sym);
    free(m->heap);
    free(m->toks);
    memset(m, 0, sizeof *m);
}

int spm_init(spm_model *m, const spm_options *opt, size_t nvocab, const tok_str *vocab,
             const double *score, const int32_t *type, size_t nspecial, const tok_str *special,
             const int32_t *special_id, cka_error *err)
{
    memset(m, 0, sizeof *m);
    m->opt = *opt;
    m->nvocab = nvocab;
    m->vocab = vocab;
    m->unk_id = -1;
    for (int b = 0; b < 256; b++)
        m->byte_id[b] = -1;
    if (nvocab == 0 || nvocab > (size_t)INT32_MAX / 2)
        return cka_error_set(err, "cka:tokenizer:emptyVocab", "the SentencePiece vocabulary is empty");
    m->score = malloc(nvocab * sizeof *m->score);
    m->type = malloc(nvocab * sizeof *m->type);
    m->user = malloc(nvocab * sizeof *m->user);
    m->user_id = malloc(nvocab * sizeof *m->user_id);
    if (m->score == NULL || m->type == NULL || m->user == NULL || m->user_id == NULL
        || tok_hash_init(&m->pieces, nvocab) != 0 || tok_hash_init(&m->reserved, 16) != 0)
        goto oom;
    size_t nuser = 0;
    for (size_t k = 0; k < nvocab; k++) {
        int32_t t = type[k];
        if (t < SPM_NORMAL || t > SPM_BYTE) {
            spm_free(m);
            return cka_error_set(err, "cka:tokenizer:badModel",
                                 "piece %zu has the unknown type %d", k, (int)t);
        }
        m->score[k] = (float)score[k];
        m->type[k] = t;
        if (vocab[k].n == 0)
            continue;   /* a hole left by added tokens; never matched */
        int normal = t == SPM_NORMAL || t == SPM_USER_DEFINED || t == SPM_UNUSED;
        /* the first of two equal pieces wins (sentencepiece refuses such models) */
        if (tok_hash_put(normal ? &m->pieces : &m->reserved, vocab[k].s, vocab[k].n, (int32_t)k, 0) < 0)
            goto oom;
        if (t == SPM_UNKNOWN && m->unk_id < 0)
            m->unk_id = (int32_t)k;
        if (t == SPM_USER_DEFINED) {
            m->user[nuser] = vocab[k];
            m->user_id[nuser++] = (int32_t)k;
        }
        if (t == SPM_BYTE) {
            int b = spm_piece_byte(vocab[k].s, vocab[k].n);
            if (b >= 0 && m->byte_id[b] < 0)
                m->byte_id[b] = (int32_t)k;
        }
    }
    if (m->unk_id < 0) {
        spm_free(m);
        return cka_error_set(err, "cka:tokenizer:missingToken",
                             "the SentencePiece vocabulary has no unknown piece");
    }
    if (opt->byte_fallback)
        for (int b = 0; b < 256; b++)
            if (m->byte_id[b] < 0) {
                spm_free(m);
                return cka_error_set(err, "cka:tokenizer:missingToken",
                                     "byte_fallback is on but the byte piece <0x%02X> is missing", b);
            }
    tok_specials_init(&m->user_match, nuser, m->user, m->user_id);
    tok_specials_init(&m->specials, nspecial, special, special_id);
    /* words can be merged one by one when no piece has a space symbol
     * after another character (see bpe_pieces) */
    m->split_words = opt->escape_whitespaces;
    for (size_t e = 0; e < m->pieces.count && m->split_words; e++) {
        const tok_str *k = &m->pieces.key[e];
        for (size_t i = 1; i + SPACE_SYMBOL_N <= k->n; i++)
            if (memcmp(k->s + i, SPACE_SYMBOL, SPACE_SYMBOL_N) == 0
                && !(i >= SPACE_SYMBOL_N && memcmp(k->s + i - SPACE_SYMBOL_N, SPACE_SYMBOL, SPACE_SYMBOL_N) == 0)) {
                m->split_words = 0;
                break;
            }
    }
    tok_arena_init(&m->arena);
    if (tok_hash_init(&m->cache, 1024) != 0)
        goto oom;
    return 0;
oom:
    spm_free(m);
    return OOM(err);
}

/* sentencepiece's PieceToId: reserved pieces first, then the others, else unk */
static int32_t piece_to_id(const spm_model *m, const char *s, size_t n)
{
    int32_t e = tok_hash_find(&m->reserved, s, n);
    if (e >= 0)
        return m->reserved.val[e];
    e = tok_hash_find(&m->pieces, s, n);
    return e >= 0 ? m->pieces.val[e] : m->unk_id;
}

/* ---- normalisation --------------------------------------------------------- */
/* What sentencepiece's nmt_nfkc rules do on top of NFKC (measured against
 * sentencepiece 0.1.97 over every assigned code point below U+30000): tab,
 * line feed, form feed and carriage return become a space, the other C0
 * controls and DEL vanish (NUL and the C1 controls stay), the separators
 * (categories Zs, Zl, Zp) become a space, and so do the zero-width space,
 * ZWNJ, the LRM/RLM marks, the byte-order mark, U+2581 and U+FFFD. */
enum { NMT_KEEP, NMT_SPACE, NMT_DROP };

static int nmt_rule(int32_t cp)
{
    if ((cp > 0 && cp < 0x20) || cp == 0x7F)
        return cp == '\t' || cp == '\n' || cp == '\f' || cp == '\r' ? NMT_SPACE : NMT_DROP;
    if (cp == 0x200B || cp == 0x200C || cp == 0x200E || cp == 0x200F || cp == 0xFEFF
        || cp == 0x2581 || cp == 0xFFFD)
        return NMT_SPACE;
    utf8proc_category_t c = utf8proc_category(cp);
    if (c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP)
        return NMT_SPACE;
    return NMT_KEEP;
}

static int nmt_extra(tok_buf *dst, const char *s, size_t n)
{
    dst->n = 0;
    if (tok_buf_reserve(dst, n) != 0)
        return -1;
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t l = tok_utf8_next(s + i, n - i, &cp);
        int r = nmt_rule(cp);
        if (r == NMT_SPACE) {
            dst->p[dst->n++] = ' ';
        } else if (r == NMT_KEEP) {
            memcpy(dst->p + dst->n, s + i, l);
            dst->n += l;
        }
        i += l;
    }
    return 0;
}

/* Unicode normalisation of s[0..n) into m->work; out and out_n name the
 * result (s itself for the identity normalizer). */
static int unicode_normalize(spm_model *m, const char *s, size_t n, const char **out, size_t *out_n)
{
    *out = s;
    *out_n = n;
    if (m->opt.normalizer == SPM_NORM_IDENTITY || n == 0)
        return 0;
    utf8proc_uint8_t *mapped = NULL;
    int flags = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
    if (m->opt.case_fold)
        flags |= UTF8PROC_CASEFOLD;
    utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &mapped,
                                        (utf8proc_option_t)flags);
    if (len < 0)
        return -1;
    int rc = m->opt.normalizer == SPM_NORM_NMT_NFKC
                 ? nmt_extra(&m->work, (const char *)mapped, (size_t)len)
                 : (m->work.n = 0, tok_buf_append(&m->work, (const char *)mapped, (size_t)len));
    free(mapped);
    *out = m->work.p;
    *out_n = m->work.n;
    return rc;
}

/* The normalised text of s[0..n) in m->norm: Unicode normalisation, then the
 * whitespace rules of NormalizerSpec. */
static int normalize(spm_model *m, const char *s, size_t n)
{
    const char *t;
    size_t tn;
    if (unicode_normalize(m, s, n, &t, &tn) != 0)
        return -1;
    tok_buf *d = &m->norm;
    d->n = 0;
    /* room for every byte becoming a 3-byte space symbol, plus the prefix */
    if (tn > SIZE_MAX / 4 - 8 || tok_buf_reserve(d, 3 * tn + 3) != 0)
        return -1;
    const char *sp = m->opt.escape_whitespaces ? SPACE_SYMBOL : " ";
    size_t spn = m->opt.escape_whitespaces ? SPACE_SYMBOL_N : 1;
    size_t i = 0;
    if (m->opt.remove_extra_whitespaces)
        while (i < tn && t[i] == ' ')
            i++;
    if (i == tn)
        return 0;   /* nothing left: no dummy prefix either */
    if (m->opt.add_dummy_prefix) {
        memcpy(d->p, sp, spn);
        d->n = spn;
    }
    int prev_space = 0;
    for (; i < tn; i++) {
        if (t[i] == ' ') {
            if (!(prev_space && m->opt.remove_extra_whitespaces)) {
                memcpy(d->p + d->n, sp, spn);
                d->n += spn;
            }
            prev_space = 1;
        } else {
            d->p[d->n++] = t[i];
            prev_space = 0;
        }
    }
    if (m->opt.remove_extra_whitespaces)
        while (d->n >= spn && memcmp(d->p + d->n - spn, sp, spn) == 0)
            d->n -= spn;
    d->p[d->n] = '\0';
    return 0;
}

/* ---- BPE over the normalised text ----------------------------------------- */
typedef struct symbol {
    int32_t start, len;      /* bytes of m->norm; len 0 = merged away */
    int32_t prev, next;
} symbol;

typedef struct pair_ent {
    float score;
    int32_t left, right;
    int32_t size;            /* left.len + right.len when it was queued */
} pair_ent;

/* sentencepiece's agenda order: higher score first, then the leftmost */
static int ent_before(const pair_ent *x, const pair_ent *y)
{
    return x->score > y->score || (x->score == y->score && x->left < y->left);
}

static void heap_push(pair_ent *h, size_t *n, pair_ent e)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ent_before(&e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static pair_ent heap_pop(pair_ent *h, size_t *n)
{
    pair_ent top = h[0], e = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && ent_before(&h[c + 1], &h[c]))
            c++;
        if (!ent_before(&h[c], &e))
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n > 0)
        h[i] = e;
    return top;
}

/* cka_grow with this file's first capacity */
static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    return cka_grow(p, cap, need, elem, 256);
}

/* One output token of a chunk: its string (in m->norm, or the vocabulary for
 * byte pieces) and id. */
typedef struct chunk_tok {
    const char *s;
    size_t n;
    int32_t id;
} chunk_tok;

static int push_tok(spm_model *m, size_t *nt, const char *s, size_t n, int32_t id)
{
    if (grow(&m->toks, &m->toks_cap, *nt + 1, sizeof(chunk_tok)) != 0)
        return -1;
    chunk_tok *t = (chunk_tok *)m->toks + (*nt)++;
    t->s = s;
    t->n = n;
    t->id = id;
    return 0;
}

/* Queue the pair (left, right) of the symbols of text when their
 * concatenation is a usable piece. */
static void maybe_queue(const spm_model *m, const char *text, const symbol *sym, int32_t left,
                        int32_t right, pair_ent *heap, size_t *hn)
{
    if (left < 0 || right < 0)
        return;
    int32_t size = sym[left].len + sym[right].len;
    int32_t e = tok_hash_find(&m->pieces, text + sym[left].start, (size_t)size);
    if (e < 0)
        return;
    int32_t id = m->pieces.val[e];
    if (m->type[id] == SPM_UNUSED)
        return;   /* unused pieces never take part in merges */
    pair_ent ent = {m->score[id], left, right, size};
    heap_push(heap, hn, ent);
}

/* BPE of text[0..n): the byte lengths of the final symbols, appended to
 * m->seg (the cache's store) after a count. */
static int bpe_segment(spm_model *m, const char *text, size_t n)
{
    if (n > (size_t)INT32_MAX / 4)
        return -1;
    /* one symbol per character, a user-defined piece being one symbol */
    if (grow(&m->sym, &m->sym_cap, n, sizeof(symbol)) != 0)
        return -1;
    symbol *sym = m->sym;
    int32_t ns = 0;
    for (size_t i = 0; i < n;) {
        size_t l = 0;
        if (m->user_match.n > 0) {
            int k = tok_specials_match(&m->user_match, text + i, n - i);
            if (k >= 0)
                l = m->user[k].n;
        }
        if (l == 0) {
            int32_t cp;
            l = tok_utf8_next(text + i, n - i, &cp);
        }
        sym[ns].start = (int32_t)i;
        sym[ns].len = (int32_t)l;
        sym[ns].prev = ns - 1;
        sym[ns].next = i + l < n ? ns + 1 : -1;
        ns++;
        i += l;
    }
    /* every merge queues at most two pairs */
    if (grow(&m->heap, &m->heap_cap, 3 * (size_t)ns + 1, sizeof(pair_ent)) != 0)
        return -1;
    pair_ent *heap = m->heap;
    size_t hn = 0;
    for (int32_t i = 0; i + 1 < ns; i++)
        maybe_queue(m, text, sym, i, i + 1, heap, &hn);
    while (hn > 0) {
        pair_ent top = heap_pop(heap, &hn);
        symbol *l = &sym[top.left], *r = &sym[top.right];
        /* stale: one side merged away, or grown since the pair was queued */
        if (l->len == 0 || r->len == 0 || l->len + r->len != top.size)
            continue;
        l->len += r->len;
        l->next = r->next;
        if (r->next >= 0)
            sym[r->next].prev = top.left;
        r->len = 0;
        maybe_queue(m, text, sym, l->prev, top.left, heap, &hn);
        maybe_queue(m, text, sym, top.left, l->next, heap, &hn);
    }
    size_t count = 0;
    for (int32_t i = 0; i >= 0; i = sym[i].next)
        count++;
    if (grow(&m->seg, &m->seg_cap, m->seg_n + count + 1, sizeof(int32_t)) != 0)
        return -1;
    int32_t *out = (int32_t *)m->seg + m->seg_n;
    out[0] = (int32_t)count;
    size_t k = 1;
    for (int32_t i = 0; i >= 0; i = sym[i].next)
        out[k++] = sym[i].len;
    return 0;
}

/* Whether a word of the normalised text starts at text[i] (i > 0): at a
 * space symbol that follows something else. */
static int word_starts(const char *text, size_t i, size_t n)
{
    return i + SPACE_SYMBOL_N <= n && memcmp(text + i, SPACE_SYMBOL, SPACE_SYMBOL_N) == 0
           && !(i >= SPACE_SYMBOL_N && memcmp(text + i - SPACE_SYMBOL_N, SPACE_SYMBOL, SPACE_SYMBOL_N) == 0);
}

/* Symbols of the word text[0..n) as lengths: from the cache, or computed
 * (and cached when short).  *lens points into m->seg, valid until the next
 * call. */
static int word_symbols(spm_model *m, const char *text, size_t n, const int32_t **lens, size_t *count)
{
    int cacheable = m->split_words && n <= SPM_CACHE_MAX_BYTES;
    if (cacheable) {
        int32_t e = tok_hash_find(&m->cache, text, n);
        if (e >= 0) {
            const int32_t *c = (const int32_t *)m->seg + m->cache.val[e];
            *count = (size_t)c[0];
            *lens = c + 1;
            return 0;
        }
    }
    size_t at = m->seg_n;
    if (bpe_segment(m, text, n) != 0)
        return -1;
    const int32_t *c = (const int32_t *)m->seg + at;
    if (cacheable && m->cache.count < SPM_CACHE_MAX_WORDS) {
        char *key = tok_arena_copy(&m->arena, text, n);
        if (key == NULL || tok_hash_put(&m->cache, key, n, (int32_t)at, 0) < 0)
            return -1;
        m->seg_n += (size_t)c[0] + 1;   /* keep it */
    }
    *count = (size_t)c[0];
    *lens = c + 1;
    return 0;
}

/* EncodeAsPieces of the normalised text in m->norm into m->toks.  When no
 * piece holds a space symbol after another character (checked by spm_init;
 * true of every model trained with split_by_whitespace), no merge can cross
 * the start of a word, so each word is merged on its own and cached; the
 * order of the merges inside a word is the same as in the whole text. */
static int bpe_pieces(spm_model *m, size_t *ntoks)
{
    *ntoks = 0;
    const char *text = m->norm.p;
    size_t n = m->norm.n;
    if (n == 0)
        return 0;
    int prev_unk = 0;
    size_t start = 0;
    while (start < n) {
        size_t end = n;
        if (m->split_words)
            for (end = start + 1; end < n && !word_starts(text, end, n); end++)
                ;
        const int32_t *lens;
        size_t count;
        if (word_symbols(m, text + start, end - start, &lens, &count) != 0)
            return -1;
        /* symbols -> pieces; unknown ones become bytes or merge with their
         * unknown neighbours */
        size_t pos = start;
        for (size_t k = 0; k < count; k++) {
            const char *s = text + pos;
            size_t len = (size_t)lens[k];
            pos += len;
            int32_t id = piece_to_id(m, s, len);
            if (id != m->unk_id) {
                if (push_tok(m, ntoks, s, len, id) != 0)
                    return -1;
                prev_unk = 0;
            } else if (m->opt.byte_fallback) {
                for (size_t b = 0; b < len; b++) {
                    int32_t bid = m->byte_id[(unsigned char)s[b]];
                    if (push_tok(m, ntoks, m->vocab[bid].s, m->vocab[bid].n, bid) != 0)
                        return -1;
                }
            } else if (prev_unk) {
                ((chunk_tok *)m->toks)[*ntoks - 1].n += len;   /* contiguous in m->norm */
            } else {
                if (push_tok(m, ntoks, s, len, id) != 0)
                    return -1;
                prev_unk = 1;
            }
        }
        start = end;
    }
    return 0;
}

static int push_out(const spm_model *m, tok_out *out, const char *s, size_t n, int32_t id)
{
    const tok_str *v = &m->vocab[id];
    if (v->n == n && memcmp(v->s, s, n) == 0)
        return tok_out_push(out, id, s, n);
    return tok_out_push_odd(out, id, s, n);
}

/* One piece of text between special tokens (LlamaTokenizer._tokenize). */
static int spm_chunk(void *ctx, const char *s, size_t n, tok_out *out, cka_error *err)
{
    spm_model *m = ctx;
    int strip_first = 0;
    if (!m->opt.legacy) {
        int is_first = n >= SPACE_SYMBOL_N && memcmp(s, SPACE_SYMBOL, SPACE_SYMBOL_N) == 0;
        if (is_first) {
            s += SPACE_SYMBOL_N;
            n -= SPACE_SYMBOL_N;
        }
        strip_first = !is_first && !(n > 0 && s[0] == ' ');
    }
    size_t nt;
    if (normalize(m, s, n) != 0 || bpe_pieces(m, &nt) != 0)
        return OOM(err);
    const chunk_tok *t = m->toks;
    for (size_t k = 0; k < nt; k++) {
        const char *ts = t[k].s;
        size_t tn = t[k].n;
        int32_t id = t[k].id;
        if (k == 0 && strip_first && tn >= SPACE_SYMBOL_N
            && memcmp(ts, SPACE_SYMBOL, SPACE_SYMBOL_N) == 0) {
            /* the token without its U+2581 is looked up again, as
             * convert_tokens_to_ids does; nothing is left of a lone U+2581 */
            ts += SPACE_SYMBOL_N;
            tn -= SPACE_SYMBOL_N;
            if (tn == 0)
                continue;
            id = piece_to_id(m, ts, tn);
        }
        if (push_out(m, out, ts, tn, id) != 0)
            return OOM(err);
    }
    return 0;
}

int spm_encode(spm_model *m, const char *text, size_t n, tok_out *out, cka_error *err)
{
    if (!m->opt.legacy) {
        /* text = U+2581 + text.replace(U+2581, " ") */
        tok_buf *p = &m->pre;
        p->n = 0;
        if (tok_buf_append(p, SPACE_SYMBOL, SPACE_SYMBOL_N) != 0)
            return OOM(err);
        size_t i = 0, start = 0;
        while (i + SPACE_SYMBOL_N <= n) {
            if (memcmp(text + i, SPACE_SYMBOL, SPACE_SYMBOL_N) == 0) {
                if (tok_buf_append(p, text + start, i - start) != 0 || tok_buf_append(p, " ", 1) != 0)
                    return OOM(err);
                i += SPACE_SYMBOL_N;
                start = i;
            } else
                i++;
        }
        if (tok_buf_append(p, text + start, n - start) != 0)
            return OOM(err);
        /* m->pre stays untouched while the chunks are encoded (norm, work) */
        return tok_split_specials(&m->specials, p->p, p->n, spm_chunk, m, out, err);
    }
    return tok_split_specials(&m->specials, text, n, spm_chunk, m, out, err);
}

/* ---- decoding ----------------------------------------------------------------- */
/* Bytes b[0..n) as text: valid UTF-8 sequences are kept, every other byte is
 * U+FFFD (sentencepiece replaces byte by byte). */
static int put_bytes(tok_buf *dst, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        size_t left = n - i;
        utf8proc_ssize_t l = utf8proc_iterate(b + i, left > 4 ? 4 : (utf8proc_ssize_t)left, &cp);
        if (l > 0) {
            if (tok_buf_append(dst, (const char *)b + i, (size_t)l) != 0)
                return -1;
            i += (size_t)l;
        } else {
            if (tok_buf_put_cp(dst, 0xFFFD) != 0)
                return -1;
            i++;
        }
    }
    return 0;
}

int spm_decode(const tok_str *piece, const int32_t *type, size_t n, int add_dummy_prefix,
               int remove_extra_whitespaces, tok_buf *dst)
{
    dst->n = 0;
    if (tok_buf_reserve(dst, 0) != 0)
        return -1;
    int at_start = add_dummy_prefix;   /* still before the first visible text */
    unsigned char *bytes = NULL;
    size_t nb = 0, cap = 0;
    int rc = 0;
    for (size_t k = 0; k <= n && rc == 0; k++) {
        int is_byte = k < n && type[k] == SPM_BYTE && spm_piece_byte(piece[k].s, piece[k].n) >= 0;
        if (is_byte) {
            if (grow((void **)&bytes, &cap, nb + 1, 1) != 0) {
                rc = -1;
                break;
            }
            bytes[nb++] = (unsigned char)spm_piece_byte(piece[k].s, piece[k].n);
            continue;
        }
        if (nb > 0) {
            size_t before = dst->n;
            rc = put_bytes(dst, bytes, nb);
            nb = 0;
            if (dst->n > before)
                at_start = 0;
        }
        if (k == n || rc != 0)
            break;
        size_t before = dst->n;
        if (type[k] == SPM_CONTROL)
            continue;
        if (type[k] == SPM_UNKNOWN) {
            rc = tok_buf_append(dst, UNK_SURFACE, sizeof UNK_SURFACE - 1);
        } else {
            const char *s = piece[k].s;
            size_t len = piece[k].n;
            int consumed = 0;
            if (at_start && type[k] != SPM_USER_DEFINED && len >= SPACE_SYMBOL_N
                && memcmp(s, SPACE_SYMBOL, SPACE_SYMBOL_N) == 0) {
                s += SPACE_SYMBOL_N;
                len -= SPACE_SYMBOL_N;
                consumed = !remove_extra_whitespaces;
            }
            for (size_t i = 0; i < len && rc == 0;) {
                if (len - i >= SPACE_SYMBOL_N && memcmp(s + i, SPACE_SYMBOL, SPACE_SYMBOL_N) == 0) {
                    rc = tok_buf_append(dst, " ", 1);
                    i += SPACE_SYMBOL_N;
                } else {
                    rc = tok_buf_append(dst, s + i, 1);
                    i++;
                }
            }
            if (consumed)
                at_start = 0;
        }
        if (dst->n > before)
            at_start = 0;
    }
    free(bytes);
    return rc;
}
