#ifndef CKERNELS_H
#define CKERNELS_H

#include <stdint.h>

/// 1 when this CPU has AVX2 and FMA, so ck_conv3x3_valid may be called.
int ck_has_avx2_fma(void);

/// 1 when this CPU has AVX-512 F, BW, DQ, VL and CD (what OpenBLAS's SkylakeX kernels use).
int ck_has_avx512_skx(void);

/// Unpadded stride-1 3x3 convolution of one image src [c][h][w] into dst [o][h-2][w-2]
/// (weight [o][c][3][3]): dst = Σ weight·src + bias, the sum one FMA chain over
/// (channel, ky, kx) in that order, then PReLU with `slope` (per output channel) unless
/// slope is NULL. Only call when ck_has_avx2_fma() returns 1.
void ck_conv3x3_valid(const float *src, int c, int h, int w, const float *weight, const float *bias,
                      const float *slope, int o, float *dst);


/// Pillow's horizontal resampling pass for 1-channel rows: output pixel xx of each row is
/// clip8((2^(bits-1) + Σ src[xmin[xx] + i]·weights[xx·kpad + i]) >> bits), i < kpad; kpad
/// is a multiple of 8 and each output's weights past its window are zero.
void ck_resample_h_gray(const uint8_t *src, int rows, int width, int out_w, const int32_t *xmin,
                        const int32_t *weights, int kpad, int bits, uint8_t *dst);

/// Pillow's vertical pass over rows of row_len bytes: output row yy sums input rows
/// ymin[yy] … ymin[yy] + count[yy] - 1 with weights[yy·ksize + i], rounded as above.
void ck_resample_v(const uint8_t *src, int row_len, int out_h, const int32_t *ymin, const int32_t *count,
                   const int32_t *weights, int ksize, int bits, uint8_t *dst);

#endif
