#ifndef CKERNELS_H
#define CKERNELS_H

/// 1 when this CPU has AVX2 and FMA, so ck_conv3x3_valid may be called.
int ck_has_avx2_fma(void);

/// Unpadded stride-1 3x3 convolution of one image src [c][h][w] into dst [o][h-2][w-2]
/// (weight [o][c][3][3]): dst = Σ weight·src + bias, the sum one FMA chain over
/// (channel, ky, kx) in that order, then PReLU with `slope` (per output channel) unless
/// slope is NULL. Only call when ck_has_avx2_fma() returns 1.
void ck_conv3x3_valid(const float *src, int c, int h, int w, const float *weight, const float *bias,
                      const float *slope, int o, float *dst);

#endif
