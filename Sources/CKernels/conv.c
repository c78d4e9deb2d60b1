// Direct 3x3 convolution for P-Net's layers (3-16 input channels over wide rows): there
// im2col plus sgemm spends about as long copying as multiplying (and sgemm handles 10 or 16
// output channels poorly); measured 1.2-3.5x faster per layer. R-Net's and O-Net's layers
// (more channels, 22-46 columns) stay with sgemm. AVX2+FMA, chosen at run time (the rest of
// the package targets x86-64 with SSE4.2).
#include "ckernels.h"
#include <immintrin.h>

int ck_has_avx2_fma(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

// The AVX-512 subset OpenBLAS's SkylakeX kernels need (see Inference/BLASCore.swift).
int ck_has_avx512_skx(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd");
#else
    return 0;
#endif
}

#if defined(__x86_64__) || defined(__i386__)
#define TARGET __attribute__((target("avx2,fma")))

// The epilogue: bias, then PReLU as max(v, 0) + a·min(v, 0) (what Ops.prelu computes).
TARGET static inline __m256 finish(__m256 acc, float bias, const float *slope, int oc) {
    __m256 v = _mm256_add_ps(acc, _mm256_set1_ps(bias));
    if (!slope) return v;
    __m256 zero = _mm256_setzero_ps();
    return _mm256_add_ps(_mm256_max_ps(v, zero), _mm256_mul_ps(_mm256_set1_ps(slope[oc]), _mm256_min_ps(v, zero)));
}

// OC output channels × NV vectors of 8 columns of one output row, from column x. With
// MASKED (NV = 1), only the lanes set in `mask` are read and written: a row's last < 8.
// Each output's sum is one FMA chain over (channel, ky, kx), in that order.
#define BLOCK(NAME, OC, NV, MASKED)                                                              \
    TARGET static void NAME(const float *src, int c, int h, int w, const float *wt, const float *bias, \
                            const float *slope, int oc0, float *dst, int oh, int ow, int y, int x,  \
                            __m256i mask) {                                                     \
        (void)mask;                                                                             \
        __m256 acc[OC][NV];                                                                     \
        for (int i = 0; i < OC; i++)                                                            \
            for (int j = 0; j < NV; j++) acc[i][j] = _mm256_setzero_ps();                       \
        const int kk = c * 9;                                                                   \
        for (int ci = 0; ci < c; ci++) {                                                        \
            for (int ky = 0; ky < 3; ky++) {                                                    \
                const float *row = src + ((long)ci * h + y + ky) * w + x;                       \
                const float *wr = wt + (long)oc0 * kk + (ci * 3 + ky) * 3;                      \
                for (int kx = 0; kx < 3; kx++) {                                                \
                    __m256 in[NV];                                                              \
                    for (int j = 0; j < NV; j++)                                                \
                        in[j] = MASKED ? _mm256_maskload_ps(row + kx, mask) : _mm256_loadu_ps(row + kx + 8 * j); \
                    for (int i = 0; i < OC; i++) {                                              \
                        __m256 wv = _mm256_broadcast_ss(wr + (long)i * kk + kx);                \
                        for (int j = 0; j < NV; j++) acc[i][j] = _mm256_fmadd_ps(wv, in[j], acc[i][j]); \
                    }                                                                           \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
        for (int i = 0; i < OC; i++) {                                                          \
            float *out = dst + ((long)(oc0 + i) * oh + y) * ow + x;                             \
            for (int j = 0; j < NV; j++) {                                                      \
                __m256 v = finish(acc[i][j], bias[oc0 + i], slope, oc0 + i);                    \
                if (MASKED) _mm256_maskstore_ps(out, mask, v); else _mm256_storeu_ps(out + 8 * j, v); \
            }                                                                                   \
        }                                                                                       \
    }

BLOCK(wide4, 4, 3, 0)
BLOCK(one4, 4, 1, 0)
BLOCK(tail4, 4, 1, 1)
BLOCK(wide2, 2, 3, 0)
BLOCK(one2, 2, 1, 0)
BLOCK(tail2, 2, 1, 1)
BLOCK(wide1, 1, 3, 0)
BLOCK(one1, 1, 1, 0)
BLOCK(tail1, 1, 1, 1)

TARGET void ck_conv3x3_valid(const float *src, int c, int h, int w, const float *weight, const float *bias,
                             const float *slope, int o, float *dst) {
    const int oh = h - 2, ow = w - 2;
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(ow % 8), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    for (int y = 0; y < oh; y++) {
        int oc = 0;
        // Output channels four at a time, then two, then one; columns 24, then 8, then the rest.
#define ROW(OC, WIDE, ONE, TAIL)                                                                \
        for (; oc + OC <= o; oc += OC) {                                                        \
            int x = 0;                                                                          \
            for (; x + 24 <= ow; x += 24) WIDE(src, c, h, w, weight, bias, slope, oc, dst, oh, ow, y, x, mask); \
            for (; x + 8 <= ow; x += 8) ONE(src, c, h, w, weight, bias, slope, oc, dst, oh, ow, y, x, mask);   \
            if (x < ow) TAIL(src, c, h, w, weight, bias, slope, oc, dst, oh, ow, y, x, mask);   \
        }
        ROW(4, wide4, one4, tail4)
        ROW(2, wide2, one2, tail2)
        ROW(1, wide1, one1, tail1)
#undef ROW
    }
}
#else
void ck_conv3x3_valid(const float *src, int c, int h, int w, const float *weight, const float *bias,
                      const float *slope, int o, float *dst) {
    (void)src; (void)c; (void)h; (void)w; (void)weight; (void)bias; (void)slope; (void)o; (void)dst;
}
#endif
