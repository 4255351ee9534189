#include "common/cka_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cka_error_set(cka_error *err, const char *id, const char *fmt, ...)
{
    if (err == NULL)
        return -1;
    snprintf(err->id, sizeof err->id, "%s", id);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

void cka_error_clear(cka_error *err)
{
    if (err == NULL)
        return;
    err->id[0] = '\0';
    err->msg[0] = '\0';
}
