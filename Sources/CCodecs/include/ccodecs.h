#ifndef CURATE_CCODECS_H
#define CURATE_CCODECS_H
#include <stddef.h>
#include <stdint.h>

/// What a decode wrote: `channels` is 1 (gray) or 3 (RGB); `pixels` is the caller's buffer once
/// every row is in it (NULL before).
typedef struct {
    uint32_t width, height, channels;
    uint8_t *pixels;
} curate_pixels;

/// Return codes shared by the decoders.
enum {
    CURATE_OK = 0,
    CURATE_CORRUPT = 1,     /* message in err */
    CURATE_TOO_MANY_PIXELS = 2,
    CURATE_NO_MEMORY = 3,
    CURATE_TRUNCATED = 4    /* the data ends before the image does */
};

/// PNG as Pillow reads it and then converts with convert("RGB") / convert("L"): samples are
/// taken as stored (gAMA, sRGB, cHRM and iCCP are not applied), 16-bit colour keeps the high
/// byte, 16-bit gray ("I;16") is clipped to 255, alpha and tRNS are dropped, palettes are
/// looked up. libpng's errors longjmp, so this lives in C. Writes into `dst`, which must hold
/// width × height × channels bytes (1 channel for gray and gray+alpha, else 3).
int curate_png_decode(const uint8_t *data, size_t size, uint64_t max_pixels, uint8_t *dst, size_t dst_size,
                      curate_pixels *out, char *err, size_t err_len);


/// Copies shown pixel (x, y) of a w×h image with c channels from src[origin + y*row_step +
/// x*step] (steps in bytes, possibly negative): every EXIF orientation is one such walk, done
/// in 32×32 tiles so a quarter turn does not read the stored image down whole columns.
void curate_orient(const uint8_t *src, long origin, long step, long row_step, int c, int w, int h, uint8_t *dst);

/// Pillow's RGB → L (ITU-R 601-2 in 16-bit fixed point, rounded) of n pixels of c ≥ 3 channels.
void curate_luma(const uint8_t *src, long n, int c, uint8_t *dst);
#endif
