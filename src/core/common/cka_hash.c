/* See cka_hash.h.  Constants: the 64-bit fractional parts of the golden
 * ratio and of sqrt(2), sqrt(3) (made odd). */
#include "common/cka_hash.h"

#include <string.h>

#define K_PHI  0x9E3779B97F4A7C15ULL
#define K_SQ2  0x6A09E667F3BCC909ULL
#define K_SQ3  0xBB67AE8584CAA73BULL

static inline uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t load64(const unsigned char *p)
{
    /* little-endian on every machine; compilers make this one load */
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16
           | (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40
           | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static inline uint64_t round64(uint64_t acc, uint64_t w)
{
    acc += w * K_SQ3;
    acc = rotl64(acc, 29);
    return acc * K_PHI;
}

static inline uint64_t avalanche(uint64_t x)
{
    x ^= x >> 31;
    x *= K_SQ2;
    x ^= x >> 29;
    x *= K_SQ3;
    x ^= x >> 32;
    return x;
}

void cka_hash_init(cka_hash *h)
{
    h->lane[0] = K_PHI;
    h->lane[1] = K_SQ2;
    h->lane[2] = K_SQ3;
    h->lane[3] = K_PHI ^ K_SQ3;
    h->nbuf = 0;
    h->total = 0;
}

static void stripe(cka_hash *h, const unsigned char *p)
{
    h->lane[0] = round64(h->lane[0], load64(p));
    h->lane[1] = round64(h->lane[1], load64(p + 8));
    h->lane[2] = round64(h->lane[2], load64(p + 16));
    h->lane[3] = round64(h->lane[3], load64(p + 24));
}

void cka_hash_update(cka_hash *h, const void *data, size_t len)
{
    const unsigned char *p = data;
    h->total += len;
    if (h->nbuf > 0) {
        size_t take = 32 - h->nbuf;
        if (take > len)
            take = len;
        memcpy(h->buf + h->nbuf, p, take);
        h->nbuf += take;
        p += take;
        len -= take;
        if (h->nbuf < 32)
            return;
        stripe(h, h->buf);
        h->nbuf = 0;
    }
    while (len >= 32) {
        stripe(h, p);
        p += 32;
        len -= 32;
    }
    if (len > 0) {
        memcpy(h->buf, p, len);
        h->nbuf = len;
    }
}

uint64_t cka_hash_final(const cka_hash *h)
{
    uint64_t x = rotl64(h->lane[0], 1) + rotl64(h->lane[1], 7) + rotl64(h->lane[2], 12)
                 + rotl64(h->lane[3], 18);
    x ^= h->total * K_SQ2;
    size_t k = 0;
    for (; k + 8 <= h->nbuf; k += 8)
        x = round64(x, load64(h->buf + k));
    if (k < h->nbuf) {
        unsigned char last[8] = {0};
        memcpy(last, h->buf + k, h->nbuf - k);
        x = round64(x ^ (uint64_t)(h->nbuf - k), load64(last));
    }
    return avalanche(x);
}

void cka_hash_hex(uint64_t v, char out[17])
{
    static const char digits[] = "0123456789abcdef";
    for (int k = 15; k >= 0; k--) {
        out[k] = digits[v & 15];
        v >>= 4;
    }
    out[16] = '\0';
}
