/* Tokenizer cache: see tok_cache.h. */
#include "tok/tok_cache.h"

#include <stdlib.h>
#include <string.h>

static int str_eq(tok_str a, tok_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.s, b.s, a.n) == 0);
}

static int strs_eq(const tok_str *a, const tok_str *b, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!str_eq(a[k], b[k]))
            return 0;
    return 1;
}

static int spec_eq(const tok_spec *a, const tok_spec *b)
{
    if (a->is_bpe != b->is_bpe || a->is_spm != b->is_spm || a->nvocab != b->nvocab || a->nmerge != b->nmerge ||
        a->nspecial != b->nspecial || !str_eq(a->unk, b->unk))
        return 0;
    if (a->is_bpe) {
        if (a->add_prefix_space != b->add_prefix_space || a->bpe_pretok != b->bpe_pretok ||
            a->bpe_nfc != b->bpe_nfc || a->bpe_ignore_merges != b->bpe_ignore_merges)
            return 0;
    } else if (a->is_spm) {
        if (memcmp(&a->spm, &b->spm, sizeof a->spm) != 0 ||
            memcmp(a->score, b->score, a->nvocab * sizeof *a->score) != 0 ||
            memcmp(a->piece_type, b->piece_type, a->nvocab * sizeof *a->piece_type) != 0)
            return 0;
    } else {
        const wp_options *x = &a->wp, *y = &b->wp;
        if (x->lowercase != y->lowercase || x->strip_accents != y->strip_accents ||
            x->chinese != y->chinese || x->clean_text != y->clean_text || x->nfc != y->nfc ||
            x->max_chars != y->max_chars || !str_eq(x->prefix, y->prefix) ||
            !str_eq(x->unk, y->unk))
            return 0;
    }
    if (a->nspecial && memcmp(a->special_id, b->special_id, a->nspecial * sizeof(int32_t)) != 0)
        return 0;
    return strs_eq(a->special, b->special, a->nspecial) && strs_eq(a->vocab, b->vocab, a->nvocab) &&
           strs_eq(a->left, b->left, a->nmerge) && strs_eq(a->right, b->right, a->nmerge);
}

/* Copies src's strings one after the other into store at *pos. */
static void copy_strs(tok_str *dst, const tok_str *src, size_t n, char *store, size_t *pos)
{
    for (size_t k = 0; k < n; k++) {
        dst[k].s = store + *pos;
        dst[k].n = src[k].n;
        if (src[k].n)
            memcpy(store + *pos, src[k].s, src[k].n);
        *pos += src[k].n;
    }
}

static size_t strs_bytes(const tok_str *s, size_t n)
{
    size_t b = 0;
    for (size_t k = 0; k < n; k++)
        b += s[k].n;
    return b;
}

void tok_cache_free(tok_cache *c)
{
    if (c->valid) {
        if (c->model.is_bpe)
            bpe_free(&c->model.bpe);
        else if (c->model.is_spm)
            spm_free(&c->model.spm);
        else
            wp_free(&c->model.wp);
    }
    free(c->score);
    free(c->piece_type);
    free(c->store);
    free(c->strs);
    free(c->ids);
    unsigned long builds = c->builds;
    memset(c, 0, sizeof *c);
    c->builds = builds;
}

/* The cache's own copy of spec. */
static int copy_spec(tok_cache *c, const tok_spec *s, cka_error *err)
{
    size_t nstr = s->nvocab + 2 * s->nmerge + s->nspecial + 3;
    size_t bytes = strs_bytes(s->vocab, s->nvocab) + strs_bytes(s->left, s->nmerge) +
                   strs_bytes(s->right, s->nmerge) + strs_bytes(s->special, s->nspecial) +
                   s->wp.prefix.n + s->wp.unk.n + s->unk.n;
    c->store = malloc(bytes ? bytes : 1);
    c->strs = malloc(nstr * sizeof *c->strs);
    c->ids = malloc((s->nspecial ? s->nspecial : 1) * sizeof *c->ids);
    if (c->store == NULL || c->strs == NULL || c->ids == NULL)
        return cka_error_set(err, "cka:tokenizer:noMemory", "out of memory copying the tokenizer");
    c->spec = *s;
    size_t pos = 0;
    tok_str *p = c->strs;
    struct { const tok_str *src; size_t n; const tok_str **view; } lists[] = {
        {s->vocab, s->nvocab, &c->spec.vocab}, {s->left, s->nmerge, &c->spec.left},
        {s->right, s->nmerge, &c->spec.right}, {s->special, s->nspecial, &c->spec.special}};
    for (size_t k = 0; k < sizeof lists / sizeof *lists; k++) {
        copy_strs(p, lists[k].src, lists[k].n, c->store, &pos);
        *lists[k].view = p;
        p += lists[k].n;
    }
    tok_str *single[] = {&c->spec.wp.prefix, &c->spec.wp.unk, &c->spec.unk};
    for (size_t k = 0; k < sizeof single / sizeof *single; k++) {
        copy_strs(p, single[k], 1, c->store, &pos); /* still the caller's view */
        *single[k] = *p++;
    }
    if (s->nspecial)
        memcpy(c->ids, s->special_id, s->nspecial * sizeof *c->ids);
    c->spec.special_id = c->ids;
    if (s->is_spm) {
        size_t nv = s->nvocab ? s->nvocab : 1;
        c->score = malloc(nv * sizeof *c->score);
        c->piece_type = malloc(nv * sizeof *c->piece_type);
        if (c->score == NULL || c->piece_type == NULL)
            return cka_error_set(err, "cka:tokenizer:noMemory", "out of memory copying the tokenizer");
        if (s->nvocab) {
            memcpy(c->score, s->score, s->nvocab * sizeof *c->score);
            memcpy(c->piece_type, s->piece_type, s->nvocab * sizeof *c->piece_type);
        }
        c->spec.score = c->score;
        c->spec.piece_type = c->piece_type;
    }
    return 0;
}

int tok_cache_get(tok_cache *c, const tok_spec *spec, tok_model **model, cka_error *err)
{
    if (c->valid && spec_eq(&c->spec, spec)) {
        *model = &c->model;
        return 0;
    }
    tok_cache_free(c);
    if (copy_spec(c, spec, err) != 0) {
        tok_cache_free(c);
        return -1;
    }
    const tok_spec *s = &c->spec;
    tok_model *m = &c->model;
    m->is_bpe = s->is_bpe;
    m->is_spm = s->is_spm;
    int rc;
    if (s->is_bpe) {
        rc = bpe_init(&m->bpe, s->nvocab, s->vocab, s->nmerge, s->left, s->right, &s->unk,
                      s->nspecial, s->special, s->special_id, s->add_prefix_space, err);
        m->bpe.pretok = s->bpe_pretok;
        m->bpe.nfc = s->bpe_nfc;
        m->bpe.ignore_merges = s->bpe_ignore_merges;
    }
    else if (s->is_spm)
        rc = spm_init(&m->spm, &s->spm, s->nvocab, s->vocab, s->score, s->piece_type, s->nspecial,
                      s->special, s->special_id, err);
    else
        rc = wp_init(&m->wp, &s->wp, s->nvocab, s->vocab, s->nspecial, s->special, s->special_id,
                     err);
    if (rc != 0) {
        tok_cache_free(c); /* init has released its own tables */
        return -1;
    }
    c->valid = 1;
    c->builds++;
    *model = m;
    return 0;
}

int tok_model_encode(tok_model *m, const char *text, size_t n, tok_out *out, cka_error *err)
{
    if (m->is_bpe)
        return bpe_encode(&m->bpe, text, n, out, err);
    if (m->is_spm)
        return spm_encode(&m->spm, text, n, out, err);
    return wp_encode(&m->wp, text, n, out, err);
}
