/* Sizes that come from users and files are checked against the machine
 * before anything proportional to them is allocated: an allocation larger
 * than the physical memory can only fail (or thrash), and Octave's own
 * allocator reports such a failure without an error identifier. */
#ifndef CKA_MEM_CHECK_H
#define CKA_MEM_CHECK_H

#include "common/cka_error.h"

#include <stdint.h>

/* Bytes of physical memory, or UINT64_MAX when the system cannot tell. */
uint64_t cka_mem_physical(void);

/* 0 when count elements of size bytes (without overflow) fit in the
 * physical memory; otherwise -1 with cka:memory:tooLarge, the message
 * naming `what` (e.g. "the Gram matrices of a batch of 5000 samples"). */
int cka_mem_check(uint64_t count, uint64_t size, const char *what, cka_error *err);

#endif
