/* Unit tests of the architecture registry (src/core/model/registry.c and
 * the descriptors of arch_*.c): every table entry complete, names and
 * model_types unique, module and parameter tables consistent with each
 * other and with the config, unknown names refused. */
#include "check.h"
#include "model/registry.h"
#include "model/tfm.h"

#include <stdlib.h>
#include <string.h>

static void test_entries_complete(void)
{
    CHECK(tfm_arch_count() >= 3, "%d architectures", tfm_arch_count());
    for (int k = 0; tfm_arch_table[k] != NULL; k++) {
        const tfm_arch_desc *d = tfm_arch_table[k];
        CHECK(d->name && d->name[0] && d->display && d->hf_class, "entry %d names", k);
        CHECK(d->model_types && d->model_types[0], "%s: model_types", d->name);
        CHECK(d->class_prefixes && d->class_prefixes[0], "%s: class prefixes", d->name);
        CHECK(d->key_prefixes && d->key_prefixes[0], "%s: key prefixes", d->name);
        CHECK(d->buffers != NULL, "%s: buffers", d->name);
        CHECK(d->fields && d->n_fields > 0, "%s: fields", d->name);
        CHECK(d->param_count && d->param_list && d->max_seq && d->scratch_floats && d->forward,
              "%s: functions", d->name);
        CHECK(d->pre && d->block && d->npre > 0 && d->nblock > 0 && d->block_prefix,
              "%s: module table", d->name);
        CHECK(d->npost == 0 || d->post != NULL, "%s: post table", d->name);
        CHECK(strcmp(d->pre[0].name, "") == 0, "%s: root first", d->name);
        CHECK(strcmp(d->block[0].name, "") == 0, "%s: block entry first", d->name);
        /* exactly one container: the block ModuleList, listed last before
         * the blocks, named like the block prefix without its dot */
        int containers = 0;
        for (int j = 0; j < d->npre; j++)
            containers += d->pre[j].container;
        for (int j = 0; j < d->nblock; j++)
            CHECK(!d->block[j].container, "%s: block container", d->name);
        for (int j = 0; j < d->npost; j++)
            CHECK(!d->post[j].container, "%s: post container", d->name);
        CHECK(containers == 1 && d->pre[d->npre - 1].container, "%s: containers", d->name);
        size_t bl = strlen(d->block_prefix);
        CHECK(bl > 1 && d->block_prefix[bl - 1] == '.'
              && strncmp(d->pre[d->npre - 1].name, d->block_prefix, bl - 1) == 0
              && strlen(d->pre[d->npre - 1].name) == bl - 1, "%s: block prefix", d->name);
        /* every size member the forward needs has a field (or a default) */
        int members[TFM_MEMBER_COUNT] = {0};
        for (int j = 0; j < d->n_fields; j++) {
            const tfm_field *f = &d->fields[j];
            CHECK(f->name && f->name[0] && f->def, "%s: field %d", d->name, j);
            CHECK(f->check != TFM_CHECK_ONE_OF || f->allowed, "%s.%s: allowed", d->name, f->name);
            CHECK(f->check == TFM_CHECK_NONE || f->why, "%s.%s: why", d->name, f->name);
            if (f->member != TFM_MEMBER_NONE) {
                CHECK(members[f->member] == 0, "%s: member %d twice", d->name, f->member);
                members[f->member]++;
            }
            for (int i = 0; i < j; i++)
                CHECK(strcmp(f->name, d->fields[i].name) != 0, "%s.%s twice", d->name, f->name);
        }
        const tfm_member need[] = {TFM_MEMBER_VOCAB, TFM_MEMBER_HIDDEN, TFM_MEMBER_LAYERS,
                                   TFM_MEMBER_HEADS, TFM_MEMBER_INNER, TFM_MEMBER_POSITIONS,
                                   TFM_MEMBER_ACT};
        for (size_t j = 0; j < sizeof need / sizeof need[0]; j++)
            CHECK(members[need[j]] == 1, "%s: member %d has no field", d->name, need[j]);
        CHECK((d->token_types == TFM_TT_TABLE) == (members[TFM_MEMBER_TYPE_VOCAB] == 1),
              "%s: type_vocab field iff a token type table", d->name);
    }
}

static void test_names_unique(void)
{
    for (int a = 0; tfm_arch_table[a] != NULL; a++)
        for (int b = 0; b < a; b++) {
            CHECK(strcmp(tfm_arch_table[a]->name, tfm_arch_table[b]->name) != 0, "name %s twice",
                  tfm_arch_table[a]->name);
            for (const char *const *s = tfm_arch_table[a]->model_types; *s; s++)
                for (const char *const *t = tfm_arch_table[b]->model_types; *t; t++)
                    CHECK(strcmp(*s, *t) != 0, "model_type %s twice", *s);
        }
}

/* The defaults of every architecture give a valid config whose parameter
 * list matches its count, has unique names that all start with a module of
 * the hook table, and whose block parameters name their layer's block. */
static void test_tables_consistent(void)
{
    for (int k = 0; tfm_arch_table[k] != NULL; k++) {
        const tfm_arch_desc *d = tfm_arch_table[k];
        tfm_config cfg;
        tfm_config_defaults(&cfg, d);
        cfg.n_layers = 3;
        cka_error err;
        cka_error_clear(&err);
        CHECK(tfm_config_check(&cfg, &err) == 0, "%s defaults: %s", d->name, err.msg);
        CHECK(cfg.arch == d, "%s arch", d->name);
        tfm_layer layers[3];
        tfm_model m;
        tfm_model_init(&m, &cfg, layers);
        const int n = tfm_param_count(&cfg);
        CHECK(n > 0 && n < 1000, "%s: %d parameters", d->name, n);
        tfm_param *p = calloc((size_t)n + 1, sizeof *p);
        p[n].name[0] = 'X';                       /* the list must not write past n */
        tfm_param_list(&m, p);
        CHECK(p[n].name[0] == 'X' && p[n].name[1] == '\0', "%s: wrote past the count", d->name);
        const int nmod = tfm_module_count(&cfg);
        char buf[160];
        for (int j = 0; j < n; j++) {
            CHECK((p[j].ndim == 1 ? p[j].slot != NULL && p[j].matrix == NULL
                              : p[j].ndim == 2 && p[j].matrix != NULL && p[j].slot == NULL), "%s: %s", d->name,
                  p[j].name);
            CHECK(p[j].shape[0] > 0 && p[j].shape[1] > 0, "%s: %s shape", d->name, p[j].name);
            for (int i = 0; i < j; i++) {
                CHECK(strcmp(p[i].name, p[j].name) != 0, "%s: %s twice", d->name, p[j].name);
                CHECK(p[j].slot == NULL ? p[i].matrix != p[j].matrix : p[i].slot != p[j].slot, "%s: %s shares a slot", d->name, p[j].name);
            }
            /* the owner module: the name without ".weight" / ".bias" */
            char owner[96];
            snprintf(owner, sizeof owner, "%s", p[j].name);
            char *dot = strrchr(owner, '.');
            CHECK(dot != NULL, "%s: %s", d->name, p[j].name);
            if (dot)
                *dot = '\0';
            int found = 0;
            for (int i = 0; i < nmod && !found; i++) {
                tfm_module_name(&cfg, i, buf, sizeof buf);
                found = strcmp(buf, owner) == 0;
            }
            CHECK(found, "%s: parameter %s has no module %s", d->name, p[j].name, owner);
        }
        /* every block of the table exists and is named prefix + layer */
        for (int l = 0; l < 3; l++) {
            tfm_module_name(&cfg, tfm_module_block(&cfg, l), buf, sizeof buf);
            char want[64];
            snprintf(want, sizeof want, "%s%d", d->block_prefix, l);
            CHECK(strcmp(buf, want) == 0, "%s: block %d is %s", d->name, l, buf);
        }
        CHECK(nmod == d->npre + 3 * d->nblock + (!d->post_optional || cfg.has_pooler ? d->npost : 0),
              "%s: module count", d->name);
        /* a position table bounds the sequence; rotary positions do not */
        CHECK(d->max_seq(&cfg) >= 1
                  && (d->max_seq(&cfg) <= cfg.max_positions
                      || d->max_seq == tfm_max_seq_rope),
              "%s: max_seq", d->name);
        CHECK(tfm_workspace_size(&cfg, 2, 5) > 0, "%s: workspace", d->name);
        free(p);
    }
}

static void test_lookup(void)
{
    cka_error err;
    cka_error_clear(&err);
    CHECK(tfm_arch_find("bert", &err) == TFM_ARCH_BERT, "bert");
    CHECK(tfm_arch_find("gpt2", &err) == TFM_ARCH_GPT2, "gpt2");
    CHECK(tfm_arch_find("distilbert", &err) == TFM_ARCH_DISTILBERT, "distilbert");
    CHECK(tfm_arch_find("roberta", &err) == TFM_ARCH_ROBERTA, "roberta");
    CHECK(tfm_arch_find_model_type("roberta", &err) == TFM_ARCH_ROBERTA, "model_type roberta");
    CHECK(tfm_arch_find_model_type("gpt2", &err) == TFM_ARCH_GPT2, "model_type gpt2");
    CHECK(tfm_arch_find("llama", &err) == TFM_ARCH_LLAMA, "llama");
    CHECK(tfm_arch_find_model_type("gpt_neox", &err) == TFM_ARCH_GPT_NEOX, "model_type gpt_neox");
    CHECK(tfm_arch_find_model_type("qwen2", &err) == TFM_ARCH_QWEN2, "model_type qwen2");
    CHECK(tfm_arch_find_model_type("mistral", &err) == TFM_ARCH_MISTRAL, "model_type mistral");
    CHECK(tfm_arch_find("t5", &err) == NULL && strcmp(err.id, "cka:config:unknownArch") == 0,
          "%s", err.id);
    CHECK(strstr(err.msg, "bert, gpt2, distilbert, roberta, gpt_neox, llama, qwen2, mistral")
              != NULL, "%s", err.msg);
    CHECK(tfm_arch_find("", &err) == NULL, "empty name");
    CHECK(tfm_arch_find(NULL, &err) == NULL, "NULL name");
    CHECK(tfm_arch_find("BERT", &err) == NULL, "names are case-sensitive");
    CHECK(tfm_arch_find_model_type("t5", &err) == NULL
          && strcmp(err.id, "cka:config:unknownArch") == 0, "t5");
    tfm_arch a = NULL;
    CHECK(tfm_arch_from_name("nope", &a, &err) == -1 && a == NULL, "from_name");
    CHECK(strcmp(tfm_arch_name(TFM_ARCH_GPT2), "gpt2") == 0, "name");
}

/* RoBERTa: the position ids derived from the ids (pad from the config),
 * seen by the embeddings.position_embeddings hook as [B, T, H] rows of the
 * position table. */
typedef struct pos_capture {
    float data[2 * 4 * 4];
    int64_t shape[4];
    int ndim;
} pos_capture;

static int pos_sink(void *ctx, int r, const tfm_activation *a, cka_error *err)
{
    (void)r;
    (void)err;
    pos_capture *c = ctx;
    c->ndim = a->ndim;
    for (int k = 0; k < 4; k++)
        c->shape[k] = a->shape[k];
    memcpy(c->data, a->data, sizeof c->data);
    return 0;
}

static void test_roberta_positions(void)
{
    enum { HH = 4, PP = 8, VV = 10 };
    tfm_config cfg;
    tfm_config_defaults(&cfg, TFM_ARCH_ROBERTA);
    CHECK(cfg.pad_id == 1 && cfg.vocab_size == 50265, "RobertaConfig defaults");
    cfg.vocab_size = VV;
    cfg.hidden = HH;
    cfg.n_layers = 1;
    cfg.n_heads = 2;
    cfg.inner = 6;
    cfg.max_positions = PP;
    cfg.type_vocab = 1;
    cka_error err;
    cka_error_clear(&err);
    CHECK(tfm_config_check(&cfg, &err) == 0, "%s", err.msg);
    CHECK(TFM_ARCH_ROBERTA->max_seq(&cfg) == PP - 2, "max_seq");
    tfm_layer layers[1];
    tfm_model m;
    tfm_model_init(&m, &cfg, layers);
    const int n = tfm_param_count(&cfg);
    tfm_param p[40];
    CHECK(n <= 40, "%d params", n);
    tfm_param_list(&m, p);
    CHECK(p[0].zero_row == 1 && p[1].zero_row == 1, "padding rows of both tables");
    float *data[40];
    for (int k = 0; k < n; k++) {
        size_t len = (size_t)(p[k].shape[0] * p[k].shape[1]);
        data[k] = malloc(len * sizeof(float));
        tfm_randn(9, (uint64_t)k, 1.0f, data[k], len);
        tfm_param_bind(&p[k], data[k], TFM_F32);
    }
    const int64_t ids[8] = {5, 1, 7, 9, 1, 1, 4, 6};
    const int64_t want[8] = {2, 1, 3, 4, 1, 1, 2, 3};
    tfm_batch bt = {2, 4, ids, NULL, NULL};
    int mod;
    CHECK(tfm_module_find(&cfg, "embeddings.position_embeddings", &mod, &err) == 0, "%s",
          err.msg);
    tfm_hook_request req = {1, &mod};
    pos_capture cap;
    memset(&cap, 0, sizeof cap);
    CHECK(tfm_forward(&m, &bt, &req, pos_sink, &cap, &err) == 0, "%s", err.msg);
    CHECK(cap.ndim == 3 && cap.shape[0] == 2 && cap.shape[1] == 4 && cap.shape[2] == HH,
          "shape [%lld %lld %lld]", (long long)cap.shape[0], (long long)cap.shape[1],
          (long long)cap.shape[2]);
    /* the table is [P, H] in PyTorch: column-major, row r strided by P */
    for (int t = 0; t < 8; t++)
        for (int j = 0; j < HH; j++)
            CHECK(cap.data[t * HH + j] == ops_weight_at(m.pos_emb, want[t] + j * PP), "token %d dim %d", t, j);
    /* too long: T > P - pad - 1 */
    int64_t long_ids[PP - 1];
    for (int k = 0; k < PP - 1; k++)
        long_ids[k] = 3;
    tfm_batch lb = {1, PP - 1, long_ids, NULL, NULL};
    CHECK(tfm_forward(&m, &lb, &req, pos_sink, &cap, &err) == -1
          && strcmp(err.id, "cka:input:sequenceTooLong") == 0, "%s", err.id);
    /* no pad id: refused */
    m.cfg.pad_id = -1;
    CHECK(tfm_forward(&m, &bt, &req, pos_sink, &cap, &err) == -1
          && strcmp(err.id, "cka:config:badValue") == 0, "%s", err.id);
    for (int k = 0; k < n; k++)
        free(data[k]);
}

int main(void)
{
    RUN(test_entries_complete);
    RUN(test_names_unique);
    RUN(test_tables_consistent);
    RUN(test_lookup);
    RUN(test_roberta_positions);
    return CHECK_REPORT();
}
