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
            CHECK(p[j].slot != NULL && (p[j].ndim == 1 || p[j].ndim == 2), "%s: %s", d->name,
                  p[j].name);
            CHECK(p[j].shape[0] > 0 && p[j].shape[1] > 0, "%s: %s shape", d->name, p[j].name);
            for (int i = 0; i < j; i++) {
                CHECK(strcmp(p[i].name, p[j].name) != 0, "%s: %s twice", d->name, p[j].name);
                CHECK(p[i].slot != p[j].slot, "%s: %s shares a slot", d->name, p[j].name);
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
        CHECK(d->max_seq(&cfg) >= 1 && d->max_seq(&cfg) <= cfg.max_positions, "%s: max_seq",
              d->name);
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
    CHECK(tfm_arch_find_model_type("gpt2", &err) == TFM_ARCH_GPT2, "model_type gpt2");
    CHECK(tfm_arch_find("llama", &err) == NULL && strcmp(err.id, "cka:config:unknownArch") == 0,
          "%s", err.id);
    CHECK(strstr(err.msg, "bert, gpt2, distilbert") != NULL, "%s", err.msg);
    CHECK(tfm_arch_find("", &err) == NULL, "empty name");
    CHECK(tfm_arch_find(NULL, &err) == NULL, "NULL name");
    CHECK(tfm_arch_find("BERT", &err) == NULL, "names are case-sensitive");
    CHECK(tfm_arch_find_model_type("t5", &err) == NULL
          && strcmp(err.id, "cka:config:unknownArch") == 0, "t5");
    tfm_arch a = NULL;
    CHECK(tfm_arch_from_name("nope", &a, &err) == -1 && a == NULL, "from_name");
    CHECK(strcmp(tfm_arch_name(TFM_ARCH_GPT2), "gpt2") == 0, "name");
}

int main(void)
{
    RUN(test_entries_complete);
    RUN(test_names_unique);
    RUN(test_tables_consistent);
    RUN(test_lookup);
    return CHECK_REPORT();
}
