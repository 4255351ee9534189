/* BERT WordPiece tokenizer; see wordpiece.h for the steps. */
#include "tok/wordpiece.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define OOM(err) cka_error_set(err, "cka:memory:outOfMemory", "out of memory while tokenizing")

/* Python's str.lower() of one character: the simple mapping of
 * UnicodeData.txt, except U+0130, the one character with an unconditional
 * multi-character lower-case mapping in SpecialCasing.txt. */
static int put_lower(tok_buf *b, int32_t cp)
{
    if (cp == 0x130)
        return tok_buf_put_cp(b, 'i') || tok_buf_put_cp(b, 0x307);
    return tok_buf_put_cp(b, utf8proc_tolower(cp));
}

/* BasicTokenizer._is_control: category C* except \t \n \r. */
static int is_control(int32_t cp)
{
    if (cp == '\t' || cp == '\n' || cp == '\r')
        return 0;
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_CN || c >= UTF8PROC_CATEGORY_CC;
}

/* BasicTokenizer._is_whitespace: ' ', \t, \n, \r or category Zs. */
static int is_bert_space(int32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r'
           || utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

/* BasicTokenizer._is_chinese_char: the CJK Unified Ideographs blocks (this
 * is BERT's definition, not a Unicode property). */
static int is_cjk(int32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
           || (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F)
           || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
           || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

/* BasicTokenizer._is_punctuation: the ASCII non-alphanumeric printables,
 * and category P*. */
static int is_punct(int32_t cp)
{
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96)
        || (cp >= 123 && cp <= 126))
        return 1;
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

enum { A_DROP = 1, A_BSPACE = 2, A_PYSPACE = 4, A_PUNCT = 8 };

/* ASCII fast path: the same classes as the functions above, tabulated. */
static void ascii_tables(wp_model *m)
{
    for (int32_t c = 0; c < 128; c++) {
        m->ascii_cls[c] = (unsigned char)(((c == 0 || is_control(c)) ? A_DROP : 0)
                                          | (is_bert_space(c) ? A_BSPACE : 0)
                                          | (tok_is_py_space(c) ? A_PYSPACE : 0)
                                          | (is_punct(c) ? A_PUNCT : 0));
        int32_t l = utf8proc_tolower(c);
        m->ascii_lower[c] = (char)(l < 128 ? l : c);
    }
}

static int has_non_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

int wp_init(wp_model *m, const wp_options *opt, size_t nvocab, const tok_str *vocab,
            size_t nspecial, const tok_str *special, const int32_t *special_id,
            cka_error *err)
{
    memset(m, 0, sizeof *m);
    m->opt = *opt;
    for (int k = 0; k < 4; k++)
        tok_buf_init(&m->scratch[k]);
    if (opt->max_chars < 1)
        return cka_error_set(err, "cka:tokenizer:badConfig",
                             "max_input_chars_per_word must be positive (got %d)", opt->max_chars);
    if (nvocab > (size_t)INT32_MAX)
        return cka_error_set(err, "cka:tokenizer:badConfig", "vocabulary too large");
    if (tok_hash_init(&m->vocab, nvocab) != 0)
        return OOM(err);
    for (size_t k = 0; k < nvocab; k++) {
        if (vocab[k].n == 0)
            continue;
        if (tok_hash_put(&m->vocab, vocab[k].s, vocab[k].n, (int32_t)k, 1) < 0) {
            wp_free(m);
            return OOM(err);
        }
        if (vocab[k].n > m->max_token_bytes)
            m->max_token_bytes = vocab[k].n;
    }
    int32_t e = tok_hash_find(&m->vocab, opt->unk.s, opt->unk.n);
    if (e < 0) {
        wp_free(m);
        return cka_error_set(err, "cka:tokenizer:missingToken",
                             "the unknown token \"%.*s\" is not in the vocabulary",
                             (int)(opt->unk.n > 200 ? 200 : opt->unk.n), opt->unk.s);
    }
    m->unk_id = m->vocab.val[e];
    tok_specials_init(&m->specials, nspecial, special, special_id);
    ascii_tables(m);
    return 0;
}

void wp_free(wp_model *m)
{
    tok_hash_free(&m->vocab);
    for (int k = 0; k < 4; k++)
        tok_buf_free(&m->scratch[k]);
}

/* Greedy longest-match-first WordPiece of one word. */
static int wordpiece(wp_model *m, const char *w, size_t n, tok_out *out, cka_error *err)
{
    const wp_options *o = &m->opt;
    /* code point boundaries, at most max_chars + 1 of them */
    size_t nc = 0;
    for (size_t i = 0; i < n; nc++) {
        int32_t cp;
        i += tok_utf8_next(w + i, n - i, &cp);
        if (nc >= (size_t)o->max_chars) {
            nc = (size_t)o->max_chars + 1;
            break;
        }
    }
    if (nc > (size_t)o->max_chars)
        return tok_out_push(out, m->unk_id, o->unk.s, o->unk.n) ? OOM(err) : 0;
    tok_buf *bb = &m->scratch[3];
    bb->n = 0;
    if (tok_buf_reserve(bb, (nc + 1) * sizeof(size_t) + o->prefix.n + n + 16) != 0)
        return OOM(err);
    size_t *bound = (size_t *)(void *)bb->p;   /* malloc'd: suitably aligned */
    char *key = bb->p + (nc + 1) * sizeof(size_t);
    size_t c = 0;
    for (size_t i = 0; i < n; c++) {
        int32_t cp;
        bound[c] = i;
        i += tok_utf8_next(w + i, n - i, &cp);
    }
    bound[nc] = n;

    size_t n0 = out->n, buf0 = out->buf_n;
    size_t start = 0;
    memcpy(key, o->prefix.s, o->prefix.n);
    while (start < nc) {
        size_t pre = start > 0 ? o->prefix.n : 0;
        size_t end = nc;
        int32_t found = -1;
        for (; end > start; end--) {
            size_t len = bound[end] - bound[start];
            if (pre + len > m->max_token_bytes)
                continue;
            memcpy(key + o->prefix.n, w + bound[start], len);
            const char *k = pre ? key : key + o->prefix.n;
            found = tok_hash_find(&m->vocab, k, pre + len);
            if (found >= 0)
                break;
        }
        if (found < 0) {
            out->n = n0;           /* the whole word becomes unk */
            out->buf_n = buf0;
            return tok_out_push(out, m->unk_id, o->unk.s, o->unk.n) ? OOM(err) : 0;
        }
        if (tok_out_push(out, m->vocab.val[found], m->vocab.key[found].s, m->vocab.key[found].n))
            return OOM(err);
        start = end;
    }
    return 0;
}

/* NFD, then drop category Mn (BasicTokenizer._run_strip_accents). */
static int strip_accents(const char *s, size_t n, tok_buf *dst)
{
    dst->n = 0;
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &mapped,
                                        UTF8PROC_STABLE | UTF8PROC_DECOMPOSE);
    if (len < 0)
        return -1;
    const char *p = (const char *)mapped;
    int rc = tok_buf_reserve(dst, (size_t)len);
    for (size_t i = 0; rc == 0 && i < (size_t)len;) {
        int32_t cp;
        size_t l = tok_utf8_next(p + i, (size_t)len - i, &cp);
        if (utf8proc_category(cp) != UTF8PROC_CATEGORY_MN)
            rc = tok_buf_append(dst, p + i, l);
        i += l;
    }
    free(mapped);
    return rc;
}

/* Step 4 and 5 for one whitespace-separated word. */
static int do_word(wp_model *m, const char *w, size_t n, tok_out *out, cka_error *err)
{
    const wp_options *o = &m->opt;
    if (o->lowercase) {
        tok_buf *b = &m->scratch[1];
        b->n = 0;
        if (tok_buf_reserve(b, n) != 0)
            return OOM(err);
        for (size_t i = 0; i < n;) {
            unsigned char c = (unsigned char)w[i];
            if (c < 0x80 && b->n + 1 < b->cap) {
                b->p[b->n++] = m->ascii_lower[c];
                i++;
                continue;
            }
            int32_t cp;
            i += tok_utf8_next(w + i, n - i, &cp);
            if (put_lower(b, cp) != 0)
                return OOM(err);
        }
        w = b->p;
        n = b->n;
    }
    if ((o->lowercase && o->strip_accents != 0) || o->strip_accents == 1) {
        if (has_non_ascii(w, n)) {
            if (strip_accents(w, n, &m->scratch[2]) != 0)
                return OOM(err);
            w = m->scratch[2].p;
            n = m->scratch[2].n;
        }
    }
    /* punctuation split; pieces are split on whitespace once more
     * (whitespace_tokenize(" ".join(split_tokens))) */
    size_t i = 0, piece = 0;
    while (i < n) {
        int32_t cp;
        size_t l = tok_utf8_next(w + i, n - i, &cp);
        int p, sp;
        if (cp < 128) {
            p = m->ascii_cls[cp] & A_PUNCT;
            sp = m->ascii_cls[cp] & A_PYSPACE;
        } else {
            p = is_punct(cp);
            sp = tok_is_py_space(cp);
        }
        if (p || sp) {
            if (i > piece && wordpiece(m, w + piece, i - piece, out, err) != 0)
                return -1;
            if (p && wordpiece(m, w + i, l, out, err) != 0)
                return -1;
            piece = i + l;
        }
        i += l;
    }
    if (n > piece && wordpiece(m, w + piece, n - piece, out, err) != 0)
        return -1;
    return 0;
}

/* Steps 2-5 on a piece of text without special tokens. */
static int do_chunk(void *ctx, const char *s, size_t n, tok_out *out, cka_error *err)
{
    wp_model *m = ctx;
    const wp_options *o = &m->opt;
    tok_buf *b = &m->scratch[0];
    b->n = 0;
    if (tok_buf_reserve(b, n) != 0)
        return OOM(err);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80 && b->n + 1 < b->cap) {
            unsigned cls = o->clean_text ? m->ascii_cls[c] : 0;
            if (!(cls & A_DROP))
                b->p[b->n++] = (cls & A_BSPACE) ? ' ' : (char)c;
            i++;
            continue;
        }
        int32_t cp;
        size_t l = tok_utf8_next(s + i, n - i, &cp);
        int rc = 0;
        if (o->clean_text && (cp == 0 || cp == 0xFFFD || is_control(cp)))
            rc = 0;
        else if (o->clean_text && is_bert_space(cp))
            rc = tok_buf_append(b, " ", 1);
        else if (o->chinese && is_cjk(cp))
            rc = tok_buf_append(b, " ", 1) || tok_buf_append(b, s + i, l) || tok_buf_append(b, " ", 1);
        else
            rc = tok_buf_append(b, s + i, l);
        if (rc != 0)
            return OOM(err);
        i += l;
    }
    const char *t = b->p ? b->p : "";
    size_t tn = b->n;
    utf8proc_uint8_t *nfc = NULL;
    if (o->nfc && has_non_ascii(t, tn)) {
        utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)t, (utf8proc_ssize_t)tn, &nfc,
                                            UTF8PROC_STABLE | UTF8PROC_COMPOSE);
        if (len < 0)
            return OOM(err);
        t = (const char *)nfc;
        tn = (size_t)len;
    }
    int rc = 0;
    size_t i = 0, word = 0;
    while (rc == 0 && i < tn) {
        int32_t cp;
        size_t l = tok_utf8_next(t + i, tn - i, &cp);
        if (cp < 128 ? (m->ascii_cls[cp] & A_PYSPACE) : tok_is_py_space(cp)) {
            if (i > word)
                rc = do_word(m, t + word, i - word, out, err);
            word = i + l;
        }
        i += l;
    }
    if (rc == 0 && tn > word)
        rc = do_word(m, t + word, tn - word, out, err);
    free(nfc);
    return rc;
}

int wp_encode(wp_model *m, const char *text, size_t n, tok_out *out, cka_error *err)
{
    tok_buf lowered;
    tok_buf_init(&lowered);
    if (m->opt.lowercase) {
        /* PreTrainedTokenizer.tokenize: lower-case outside special tokens,
         * character by character */
        if (tok_buf_reserve(&lowered, n) != 0)
            return OOM(err);
        for (size_t i = 0; i < n;) {
            unsigned char c = (unsigned char)text[i];
            if (c < 0x80 && !m->specials.first[c] && lowered.n + 1 < lowered.cap) {
                lowered.p[lowered.n++] = m->ascii_lower[c];
                i++;
                continue;
            }
            int k = tok_specials_match(&m->specials, text + i, n - i);
            int rc;
            if (k >= 0) {
                rc = tok_buf_append(&lowered, text + i, m->specials.tok[k].n);
                i += m->specials.tok[k].n;
            } else {
                int32_t cp;
                i += tok_utf8_next(text + i, n - i, &cp);
                rc = put_lower(&lowered, cp);
            }
            if (rc != 0) {
                tok_buf_free(&lowered);
                return OOM(err);
            }
        }
        text = lowered.p ? lowered.p : "";
        n = lowered.n;
    }
    int rc = tok_split_specials(&m->specials, text, n, do_chunk, m, out, err);
    tok_buf_free(&lowered);
    return rc;
}
