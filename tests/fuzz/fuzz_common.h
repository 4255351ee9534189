/* Shared by the fuzz targets: invariant checks that abort (so libFuzzer and
 * the replay driver report them as crashes). */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ASSERT(c)                                                               \
    do {                                                                             \
        if (!(c)) {                                                                  \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                 \
        }                                                                            \
    } while (0)

/* An error record must carry an id with the expected prefix and a message. */
#define FUZZ_CHECK_ERR(e, prefix)                                                    \
    do {                                                                             \
        FUZZ_ASSERT(memchr((e).id, 0, sizeof (e).id) != NULL);                       \
        FUZZ_ASSERT(memchr((e).msg, 0, sizeof (e).msg) != NULL);                     \
        FUZZ_ASSERT(strncmp((e).id, (prefix), strlen(prefix)) == 0 ||                \
                    strcmp((e).id, "cka:memory:outOfMemory") == 0);                  \
        FUZZ_ASSERT((e).msg[0] != '\0');                                             \
    } while (0)

/* A little reader over the fuzz input. */
typedef struct fuzz_in {
    const uint8_t *p;
    size_t n;
} fuzz_in;

static inline uint8_t fuzz_u8(fuzz_in *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static inline uint64_t fuzz_u64(fuzz_in *in, unsigned nbytes)
{
    uint64_t v = 0;
    for (unsigned k = 0; k < nbytes; k++)
        v |= (uint64_t)fuzz_u8(in) << (8 * k);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
