/* Growing a malloc'ed array by doubling, overflow-checked: the one helper
 * the readers and tokenizers of the core share. */
#ifndef CKA_GROW_H
#define CKA_GROW_H

#include <stdint.h>
#include <stdlib.h>

/* Make *p hold at least `need` elements of `elem` bytes (capacity *cap,
 * starting at `first` and doubling).  0, or -1 on overflow or out of memory
 * (then *p and *cap are unchanged). */
static inline int cka_grow(void **p, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : first;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elem)
            return -1;
        c *= 2;
    }
    void *q = realloc(*p, c * elem);
    if (q == NULL)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

#endif
