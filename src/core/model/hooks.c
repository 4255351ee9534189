/* Hook-point names (named_modules of the bare HF models), name lookup with
 * suggestions, and dispatch of activations to the caller's sink. */
#include "model/hooks.h"
#include "model/registry.h"
#include "model/ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The module table of the architecture of cfg (its registry descriptor). */
typedef struct module_table {
    const tfm_module_entry *pre, *block, *post;
    int npre, nblock, npost;
    const char *block_prefix;
} module_table;

static module_table table_of(const tfm_config *cfg)
{
    const tfm_arch_desc *d = cfg->arch;
    module_table t = {d->pre, d->block, d->post, d->npre, d->nblock,
                      (!d->post_optional || cfg->has_pooler) ? d->npost : 0, d->block_prefix};
    return t;
}

int tfm_module_count(const tfm_config *cfg)
{
    module_table t = table_of(cfg);
    return t.npre + (int)cfg->n_layers * t.nblock + t.npost;
}

int tfm_module_block(const tfm_config *cfg, int layer)
{
    module_table t = table_of(cfg);
    return t.npre + layer * t.nblock;
}

/* Locate module idx: its table entry and, for a block entry, the layer. */
static const tfm_module_entry *locate(const tfm_config *cfg, int idx, int *layer)
{
    module_table t = table_of(cfg);
    *layer = -1;
    if (idx < 0 || idx >= tfm_module_count(cfg))
        return NULL;
    if (idx < t.npre)
        return t.pre + idx;
    idx -= t.npre;
    if (idx < (int)cfg->n_layers * t.nblock) {
        *layer = idx / t.nblock;
        return t.block + idx % t.nblock;
    }
    return t.post + (idx - (int)cfg->n_layers * t.nblock);
}

int tfm_module_name(const tfm_config *cfg, int idx, char *buf, size_t len)
{
    int layer;
    const tfm_module_entry *e = locate(cfg, idx, &layer);
    if (e == NULL)
        return -1;
    if (layer < 0)
        snprintf(buf, len, "%s", e->name);
    else
        snprintf(buf, len, "%s%d%s%s", table_of(cfg).block_prefix, layer,
                 e->name[0] ? "." : "", e->name);
    return 0;
}

int tfm_module_is_container(const tfm_config *cfg, int idx)
{
    int layer;
    const tfm_module_entry *e = locate(cfg, idx, &layer);
    return e != NULL && e->container;
}

/* Levenshtein distance, capped rows of at most 128 characters. */
static int edit_distance(const char *a, const char *b)
{
    enum { MAXLEN = 128 };
    int row[MAXLEN + 1];
    size_t la = strlen(a), lb = strlen(b);
    if (la > MAXLEN)
        la = MAXLEN;
    if (lb > MAXLEN)
        lb = MAXLEN;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* A name copied from the head model (BertForMaskedLM's "bert.encoder...",
 * GPTNeoXForCausalLM's "gpt_neox.layers.3", LlamaForCausalLM's
 * "model.layers.3"): the bare name after the architecture's key prefix. */
static const char *strip_head_prefix(const tfm_config *cfg, const char *name)
{
    for (const char *const *p = cfg->arch->key_prefixes; p != NULL && *p != NULL; p++) {
        const size_t n = strlen(*p);
        if (strncmp(name, *p, n) == 0)
            return name + n;
    }
    return name;
}

void tfm_module_suggest(const tfm_config *cfg, const char *name, char *sug, size_t len)
{
    /* The three closest hookable names: those containing `name` first
     * (shortest first: "layer.0" -> "encoder.layer.0"), then by edit
     * distance; never the root "" for a non-empty name. */
    enum { NSUG = 3 };
    int best[NSUG], bestd[NSUG];
    char buf[160];
    for (int s = 0; s < NSUG; s++) {
        best[s] = -1;
        bestd[s] = 1 << 30;
    }
    const int n = tfm_module_count(cfg);
    const int nlen = (int)strlen(name);
    for (int k = 0; k < n; k++) {
        if (tfm_module_is_container(cfg, k))
            continue;
        tfm_module_name(cfg, k, buf, sizeof buf);
        if (buf[0] == '\0' && nlen > 0)
            continue;
        const int d = nlen > 0 && strstr(buf, name) != NULL
                          ? -(1 << 20) + (int)strlen(buf)
                          : edit_distance(name, buf);
        for (int s = 0; s < NSUG; s++)
            if (d < bestd[s]) {
                for (int u = NSUG - 1; u > s; u--) {
                    best[u] = best[u - 1];
                    bestd[u] = bestd[u - 1];
                }
                best[s] = k;
                bestd[s] = d;
                break;
            }
    }
    sug[0] = '\0';
    for (int s = 0; s < NSUG && best[s] >= 0; s++) {
        tfm_module_name(cfg, best[s], buf, sizeof buf);
        size_t used = strlen(sug);
        snprintf(sug + used, len - used, "%s\"%s\"", s ? ", " : "", buf);
    }
}

int tfm_module_index(const tfm_config *cfg, const char *name)
{
    char buf[160];
    const char *bare = strip_head_prefix(cfg, name);
    const int n = tfm_module_count(cfg);
    for (int k = 0; k < n; k++) {
        tfm_module_name(cfg, k, buf, sizeof buf);
        if (strcmp(buf, bare) == 0)
            return k;
    }
    return -1;
}

int tfm_module_find(const tfm_config *cfg, const char *name, int *idx, cka_error *err)
{
    const int k = tfm_module_index(cfg, name);
    if (k >= 0 && tfm_module_is_container(cfg, k)) {
        char first[160];
        tfm_module_name(cfg, tfm_module_block(cfg, 0), first, sizeof first);
        return cka_error_set(err, "cka:input:containerHook",
                             "hook \"%s\" is a ModuleList container, which never runs a "
                             "forward and has no output; hook its blocks (\"%s\", ...) "
                             "instead", strip_head_prefix(cfg, name), first);
    }
    if (k >= 0) {
        *idx = k;
        return 0;
    }
    const char *bare = strip_head_prefix(cfg, name);     /* named as the model knows it */
    char sug[600];
    tfm_module_suggest(cfg, bare, sug, sizeof sug);
    return cka_error_set(err, "cka:input:unknownHook",
                         "unknown hook \"%.200s\" for this %s model; did you mean %s? "
                         "(tfm_modules lists every name)",
                         bare, cfg->arch->name, sug);
}

/* ---- dispatch ------------------------------------------------------------ */

size_t tfm_hooks_bytes(const tfm_config *cfg)
{
    return (size_t)tfm_module_count(cfg);
}

int tfm_hooks_init(tfm_hooks *hk, const tfm_config *cfg, const tfm_hook_request *req,
                   tfm_hook_fn fn, void *ctx, unsigned char *wanted, cka_error *err)
{
    const int n = tfm_module_count(cfg);
    hk->req = req;
    hk->fn = fn;
    hk->ctx = ctx;
    hk->err = err;
    hk->wanted = wanted;
    hk->remaining = 0;
    memset(wanted, 0, (size_t)n);
    for (int r = 0; req != NULL && r < req->n; r++) {
        int mod = req->modules[r];
        if (mod < 0 || mod >= n)
            return cka_error_set(err, "cka:input:unknownHook",
                                 "hook request %d: module index %d is out of range [0, %d)",
                                 r, mod, n);
        if (tfm_module_is_container(cfg, mod)) {
            char buf[160];
            tfm_module_name(cfg, mod, buf, sizeof buf);
            return cka_error_set(err, "cka:input:containerHook",
                                 "hook \"%s\" is a ModuleList container, which never runs "
                                 "a forward", buf);
        }
        if (!wanted[mod]) {
            wanted[mod] = 1;
            hk->remaining++;
        }
    }
    return 0;
}

int tfm_hook_emit(tfm_hooks *hk, int mod, const float *data, int ndim, int64_t d0,
                  int64_t d1, int64_t d2, int64_t d3)
{
    tfm_activation act;
    act.data = data;
    act.ndim = ndim;
    act.shape[0] = d0;
    act.shape[1] = d1;
    act.shape[2] = d2;
    act.shape[3] = d3;
    for (int k = ndim; k < 4; k++)
        act.shape[k] = 1;
    for (int r = 0; r < hk->req->n; r++) {
        if (hk->req->modules[r] != mod)
            continue;
        const double t0 = ops_prof_on ? ops_now() : 0.0;
        /* The callback gets BLAS with its own threads back (Gram matrices). */
        const int blas_threads = ops_split ? ops_threads_suspend() : 0;
        const int rc = hk->fn(hk->ctx, r, &act, hk->err);
        if (blas_threads)
            ops_threads_begin();
        if (ops_prof_on)
            ops_prof.hooks += ops_now() - t0;
        if (rc != 0) {
            if (hk->err != NULL && hk->err->id[0] == '\0')
                cka_error_set(hk->err, "cka:forward:hookFailed",
                              "the hook callback for request %d failed", r);
            return -1;
        }
    }
    hk->wanted[mod] = 0;
    return --hk->remaining == 0 ? 1 : 0;
}
