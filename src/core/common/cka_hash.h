/* A fast, deterministic, non-cryptographic 64-bit hash for fingerprints
 * (checkpoints of cka_compare record a fingerprint of each model's weights
 * and of the data consumed, and a resume recomputes them).
 *
 * Four independent 64-bit lanes each take one 8-byte word per 32-byte
 * stripe (multiply, rotate, multiply), so the loop runs at about memory
 * speed; the tail, the total length and the lanes are folded together and
 * avalanched at the end.  The value depends only on the byte sequence fed
 * (any split into updates gives the same value) and is the same on every
 * little-endian machine.  It detects accidental differences (another model,
 * other data, an edited file), not deliberate forgeries. */
#ifndef CKA_HASH_H
#define CKA_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct cka_hash {
    uint64_t lane[4];
    unsigned char buf[32];  /* bytes of an incomplete stripe */
    size_t nbuf;
    uint64_t total;         /* bytes fed so far */
} cka_hash;

void cka_hash_init(cka_hash *h);
void cka_hash_update(cka_hash *h, const void *data, size_t len);
/* The hash of everything fed so far (h is not changed). */
uint64_t cka_hash_final(const cka_hash *h);
/* v as 16 lowercase hex digits and a NUL. */
void cka_hash_hex(uint64_t v, char out[17]);

#endif
