// Pillow's 8-bit resampling passes (see Imaging/Resample.swift) with AVX2, the horizontal
// one for 1-channel images: it is most of a perceptual hash (every row of the photo, 67-235
// taps per output pixel). Integer sums are exact in any order, so the output is the same
// bytes as the Swift passes'.
#include "ckernels.h"
#include <immintrin.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define TARGET __attribute__((target("avx2,fma")))

TARGET static inline int32_t hsum(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

static inline uint8_t clip8(int32_t v, int bits) {
    int32_t s = v >> bits;
    return s < 0 ? 0 : s > 255 ? 255 : (uint8_t)s;
}

// Σ over kpad taps (a multiple of 8; weights past an output's window are zero) of row[x]·k.
TARGET static inline __m256i dot8(const uint8_t *s, const int32_t *k, int kpad) {
    __m256i acc = _mm256_setzero_si256();
    for (int x = 0; x < kpad; x += 8) {
        __m256i p = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(s + x)));
        acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(p, _mm256_loadu_si256((const __m256i *)(k + x))));
    }
    return acc;
}

TARGET void ck_resample_h_gray(const uint8_t *src, int rows, int width, int out_w, const int32_t *xmin,
                               const int32_t *weights, int kpad, int bits, uint8_t *dst) {
    const int32_t half = 1 << (bits - 1);
    if (rows <= 0) return;
    // Windows read kpad bytes, up to kpad - 1 past the row's end: harmless inside the
    // image (zero weights), so only the last row is read from a padded copy.
    uint8_t last[width + kpad];
    memcpy(last, src + (long)(rows - 1) * width, width);
    memset(last + width, 0, kpad);
    for (int y = 0; y < rows; y++) {
        const uint8_t *row = y == rows - 1 ? last : src + (long)y * width;
        uint8_t *out = dst + (long)y * out_w;
        int xx = 0;
        // Four outputs at a time share one horizontal reduction.
        for (; xx + 4 <= out_w; xx += 4) {
            __m256i a = dot8(row + xmin[xx], weights + (long)xx * kpad, kpad);
            __m256i b = dot8(row + xmin[xx + 1], weights + (long)(xx + 1) * kpad, kpad);
            __m256i c = dot8(row + xmin[xx + 2], weights + (long)(xx + 2) * kpad, kpad);
            __m256i d = dot8(row + xmin[xx + 3], weights + (long)(xx + 3) * kpad, kpad);
            __m256i ab = _mm256_hadd_epi32(a, b), cd = _mm256_hadd_epi32(c, d);
            __m256i abcd = _mm256_hadd_epi32(ab, cd);   // lanes: a b c d (low half), a b c d (high)
            __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(abcd), _mm256_extracti128_si256(abcd, 1));
            int32_t v[4];
            _mm_storeu_si128((__m128i *)v, _mm_add_epi32(sum, _mm_set1_epi32(half)));
            for (int j = 0; j < 4; j++) out[xx + j] = clip8(v[j], bits);
        }
        for (; xx < out_w; xx++)
            out[xx] = clip8(half + hsum(dot8(row + xmin[xx], weights + (long)xx * kpad, kpad)), bits);
    }
}

TARGET void ck_resample_v(const uint8_t *src, int row_len, int out_h, const int32_t *ymin, const int32_t *count,
                          const int32_t *weights, int ksize, int bits, uint8_t *dst) {
    const int32_t half = 1 << (bits - 1);
    for (int yy = 0; yy < out_h; yy++) {
        const int32_t *k = weights + (long)yy * ksize;
        uint8_t *out = dst + (long)yy * row_len;
        int i = 0;
        for (; i + 8 <= row_len; i += 8) {
            __m256i acc = _mm256_set1_epi32(half);
            const uint8_t *s = src + (long)ymin[yy] * row_len + i;
            for (int y = 0; y < count[yy]; y++, s += row_len) {
                __m256i p = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)s));
                acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(p, _mm256_set1_epi32(k[y])));
            }
            int32_t v[8];
            _mm256_storeu_si256((__m256i *)v, acc);
            for (int j = 0; j < 8; j++) out[i + j] = clip8(v[j], bits);
        }
        for (; i < row_len; i++) {
            int32_t ss = half;
            const uint8_t *s = src + (long)ymin[yy] * row_len + i;
            for (int y = 0; y < count[yy]; y++, s += row_len) ss += (int32_t)*s * k[y];
            out[i] = clip8(ss, bits);
        }
    }
}
#else
void ck_resample_h_gray(const uint8_t *src, int rows, int width, int out_w, const int32_t *xmin,
                        const int32_t *weights, int kpad, int bits, uint8_t *dst) {
    (void)src; (void)rows; (void)width; (void)out_w; (void)xmin; (void)weights; (void)kpad; (void)bits; (void)dst;
}
void ck_resample_v(const uint8_t *src, int row_len, int out_h, const int32_t *ymin, const int32_t *count,
                   const int32_t *weights, int ksize, int bits, uint8_t *dst) {
    (void)src; (void)row_len; (void)out_h; (void)ymin; (void)count; (void)weights; (void)ksize; (void)bits; (void)dst;
}
#endif
