#include "ccodecs.h"

// In C, with the 3-channel case on its own so the compiler vectorises it: in Swift the same
// loop was a fifth of a pHash.
static inline uint8_t luma(const uint8_t *p) {
    return (uint8_t)((p[0] * 19595u + p[1] * 38470u + p[2] * 7471u + 0x8000u) >> 16);
}

void curate_luma(const uint8_t *src, long n, int c, uint8_t *dst) {
    if (c == 3) {
        for (long i = 0; i < n; i++) dst[i] = luma(src + 3 * i);
    } else {
        for (long i = 0; i < n; i++) dst[i] = luma(src + (long)c * i);
    }
}
