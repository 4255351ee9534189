/* Fuzz target: the MAT-file check (src/core/io/mat5_guard.c) on arbitrary
 * bytes (the first byte picks the endian mark; the rest follows a valid
 * 128-byte header), as cka_load runs it before Octave's load.  Invariants:
 * no read past the input (an exact-size copy under ASan), no leak, every
 * failure carries cka:io:badFormat and a message. */
#include "io/mat5_guard.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const size_t n = 128 + size - 1;
    uint8_t *file = malloc(n);
    FUZZ_ASSERT(file != NULL);
    memset(file, ' ', 128);
    memcpy(file, "MATLAB 5.0 MAT-file", 19);
    file[124] = 0;
    file[125] = 1;
    file[126] = (data[0] & 1) ? 'M' : 'I';
    file[127] = (data[0] & 1) ? 'I' : 'M';
    memcpy(file + 128, data + 1, size - 1);
    cka_error err;
    cka_error_clear(&err);
    if (cka_mat5_check(file, n, "fuzz.mat", &err) != 0)
        FUZZ_CHECK_ERR(err, "cka:io:badFormat");
    free(file);
    return 0;
}
