/* Error reporting of the C core.
 *
 * Core functions never print, exit or longjmp: they return 0 on success or
 * -1 on failure after filling a cka_error with an Octave-style identifier
 * ("cka:<area>:<what>") and a message naming what is wrong.  The MEX
 * gateways turn it into an Octave error once every C-side resource has
 * been released. */
#ifndef CKA_ERROR_H
#define CKA_ERROR_H

#include <stddef.h>

typedef struct cka_error {
    char id[64];    /* e.g. "cka:safetensors:truncated" */
    char msg[768];  /* human-readable, names the file/tensor/argument */
} cka_error;

/* Fill err (if not NULL) and return -1, so callers can write
 *   return cka_error_set(err, "cka:x:y", "...", ...); */
int cka_error_set(cka_error *err, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clear an error record (id and msg become empty strings). */
void cka_error_clear(cka_error *err);

#endif
