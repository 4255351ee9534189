/* A lexical check of JSON text before Octave's jsondecode sees it.
 *
 * jsondecode (RapidJSON underneath) recurses once per nesting level and
 * overflows the stack a few thousand levels down (SIGSEGV), and it keeps
 * only the last of duplicated object keys, so two readers of the same file
 * could disagree about its content.  cka_json_check scans the text once,
 * without building any value, and refuses
 *   - nesting deeper than max_depth objects/arrays   (cka:json:tooDeep)
 *   - an object with the same key twice, compared after decoding the
 *     escapes (\n, \", \/, \uXXXX incl. surrogate pairs, so "a" and
 *     "\u0061" are the same key) and cut at the first NUL, as Octave's
 *     field names are                                   (cka:json:duplicateKey)
 * The message names the file and the key's path, e.g.
 *   model.safetensors.index.json: duplicate key weight_map."a.weight"
 *
 * It is not a JSON parser: text that is not JSON (unbalanced brackets,
 * bad literals, bad escapes) is left to jsondecode to report; the scan
 * only guarantees that it never reads outside the buffer and never uses
 * more than O(len) memory.  Keys of one object are sorted by hash once the
 * object closes, so a 150k-key vocabulary is checked in milliseconds. */
#ifndef CKA_JSON_GUARD_H
#define CKA_JSON_GUARD_H

#include "common/cka_error.h"

#include <stddef.h>

/* Nesting limit of every JSON file the package reads.  Real files stay far
 * below it (a tokenizer.json is about 6 levels deep, a config.json 4, a
 * safetensors header 3); Octave's jsondecode crashes at a few thousand. */
#define CKA_JSON_MAX_DEPTH 64

typedef struct cka_json_dup {
    size_t level;     /* nesting level of the object with the duplicate
                         (1 = the top-level object), 0 if none */
    char key[256];    /* the duplicated key, decoded (may be cut short) */
    char path[512];   /* its path as printed in the message, e.g. a."b c"[2].d */
} cka_json_dup;

/* Check txt[0..len) as described above; what names the file in messages.
 * dup (may be NULL) receives where a duplicate key was found.  Returns 0,
 * or -1 with err filled (cka:json:tooDeep, cka:json:duplicateKey, or
 * cka:internal:noMemory). */
int cka_json_check(const char *txt, size_t len, const char *what, size_t max_depth,
                   cka_json_dup *dup, cka_error *err);

#endif
