/* The one table of architectures, and lookup by name / model_type.
 * See registry.h; adding an architecture adds one line here. */
#include "model/registry.h"

#include <stdio.h>
#include <string.h>

const tfm_arch_desc *const tfm_arch_table[] = {
    &tfm_arch_bert,
    &tfm_arch_gpt2,
    &tfm_arch_distilbert,
    &tfm_arch_roberta,
    &tfm_arch_gpt_neox,
    &tfm_arch_llama,
    &tfm_arch_qwen2,
    &tfm_arch_mistral,
    NULL
};

int tfm_arch_count(void)
{
    int n = 0;
    while (tfm_arch_table[n] != NULL)
        n++;
    return n;
}

/* "bert, gpt2, ..." into buf. */
static void list_names(char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; tfm_arch_table[k] != NULL && used < len; k++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", k ? ", " : "",
                                 tfm_arch_table[k]->name);
}

const tfm_arch_desc *tfm_arch_find(const char *name, cka_error *err)
{
    for (int k = 0; name != NULL && tfm_arch_table[k] != NULL; k++)
        if (strcmp(name, tfm_arch_table[k]->name) == 0)
            return tfm_arch_table[k];
    char names[256];
    list_names(names, sizeof names);
    cka_error_set(err, "cka:config:unknownArch", "unknown architecture \"%.100s\" (supported: %s)",
                  name != NULL ? name : "", names);
    return NULL;
}

const tfm_arch_desc *tfm_arch_find_model_type(const char *model_type, cka_error *err)
{
    for (int k = 0; model_type != NULL && tfm_arch_table[k] != NULL; k++)
        for (const char *const *t = tfm_arch_table[k]->model_types; *t != NULL; t++)
            if (strcmp(model_type, *t) == 0)
                return tfm_arch_table[k];
    char names[256];
    list_names(names, sizeof names);
    cka_error_set(err, "cka:config:unknownArch",
                  "unknown model_type \"%.100s\" (supported: %s)",
                  model_type != NULL ? model_type : "", names);
    return NULL;
}
