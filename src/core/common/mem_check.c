#include "common/mem_check.h"

#include <unistd.h>

uint64_t cka_mem_physical(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page_size <= 0)
        return UINT64_MAX;
    return (uint64_t)pages * (uint64_t)page_size;
}

int cka_mem_check(uint64_t count, uint64_t size, const char *what, cka_error *err)
{
    const uint64_t have = cka_mem_physical();
    if (size != 0 && count > UINT64_MAX / size)
        return cka_error_set(err, "cka:memory:tooLarge", "%s: the size overflows", what);
    const uint64_t bytes = count * size;
    if (bytes > have)
        return cka_error_set(err, "cka:memory:tooLarge",
                             "%s: %.3g GB, more than the %.3g GB of memory of this machine",
                             what, (double)bytes / 1e9, (double)have / 1e9);
    return 0;
}
