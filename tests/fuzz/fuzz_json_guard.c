/* Fuzz target: the JSON pre-check (src/core/io/json_guard.c) on arbitrary
 * bytes, as it sees every JSON file before jsondecode.  Invariants: it
 * never reads past the input (an exact-size copy under ASan), every
 * failure carries a cka:json: id and a message, and text nested deeper
 * than the limit is never accepted (up to the first bracket that closes
 * nothing, where jsondecode itself stops with a syntax error). */
#include "io/json_guard.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *txt = malloc(size ? size : 1);
    FUZZ_ASSERT(txt != NULL);
    memcpy(txt, data, size);
    cka_error err;
    cka_error_clear(&err);
    if (cka_json_check(txt, size, "fuzz.json", 8, NULL, &err) != 0) {
        FUZZ_CHECK_ERR(err, "cka:json:");
    } else {
        /* accepted: up to the first bracket that does not close the open
         * one (where jsondecode stops with a syntax error, parsing nothing
         * after it), nothing is nested deeper than the limit; checked on
         * inputs without quotes, where no bracket is inside a string */
        if (memchr(txt, '"', size) == NULL) {
            char open[16];
            int depth = 0, deepest = 0;
            for (size_t k = 0; k < size; k++) {
                const char c = txt[k];
                if (c == '[' || c == '{') {
                    FUZZ_ASSERT(depth < 8);
                    open[depth++] = c;
                    deepest = depth > deepest ? depth : deepest;
                } else if (c == ']' || c == '}') {
                    if (depth == 0 || open[depth - 1] != (c == ']' ? '[' : '{'))
                        break;
                    depth--;
                }
            }
            FUZZ_ASSERT(deepest <= 8);
        }
    }
    free(txt);
    return 0;
}
