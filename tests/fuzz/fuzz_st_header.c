/* Fuzz target: the bytes of a whole safetensors file as the C core sees
 * them before jsondecode: the 8-byte prefix against the file size, then the
 * header bytes (UTF-8, no NUL, starts with '{').  Invariants checked: on
 * success the header lies inside the input; every failure fills an id in
 * the cka:safetensors: namespace and a NUL-terminated message. */
#include "io/safetensors.h"
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cka_error err;
    cka_error_clear(&err);
    unsigned char prefix[8] = {0};
    memcpy(prefix, data, size < 8 ? size : 8);
    uint64_t n = 0;
    if (st_check_prefix(prefix, size, &n, "fuzz.safetensors", &err) != 0) {
        FUZZ_CHECK_ERR(err, "cka:safetensors:");
        return 0;
    }
    FUZZ_ASSERT(n >= 2 && n <= size - 8);
    /* an exact-size copy, so ASan catches any read past the header */
    char *hdr = malloc((size_t)n);
    FUZZ_ASSERT(hdr != NULL);
    memcpy(hdr, data + 8, (size_t)n);
    cka_error_clear(&err);
    if (st_check_header_bytes(hdr, (size_t)n, "fuzz.safetensors", &err) != 0)
        FUZZ_CHECK_ERR(err, "cka:safetensors:");
    else
        FUZZ_ASSERT(memchr(hdr, 0, (size_t)n) == NULL);
    free(hdr);
    return 0;
}
