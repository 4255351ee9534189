/* Fuzz target: the JSON pre-check (src/core/io/json_guard.c) on arbitrary
 * bytes, as it sees every JSON file before jsondecode.  Invariants: it
 * never reads past the input (an exact-size copy under ASan), every
 * failure carries a cka:json: id and a message, and text nested deeper
 * than the limit is never accepted. */
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
        /* accepted: no run of 9 opening brackets outside strings can exist;
         * checked on inputs without quotes, where no bracket is in a string */
        if (memchr(txt, '"', size) == NULL) {
            int depth = 0, deepest = 0;
            for (size_t k = 0; k < size; k++) {
                if (txt[k] == '[' || txt[k] == '{')
                    deepest = ++depth > deepest ? depth : deepest;
                else if ((txt[k] == ']' || txt[k] == '}') && depth > 0)
                    depth--;
            }
            FUZZ_ASSERT(deepest <= 8);
        }
    }
    free(txt);
    return 0;
}
