#include "ccodecs.h"
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size, pos;
    int truncated;
    char *err;
    size_t err_len;
} reader;

static void read_fn(png_structp png, png_bytep out, size_t n) {
    reader *r = (reader *)png_get_io_ptr(png);
    if (n > r->size - r->pos) { r->truncated = 1; png_error(png, "data ends before the image does"); }
    memcpy(out, r->data + r->pos, n);
    r->pos += n;
}

static void error_fn(png_structp png, png_const_charp msg) {
    reader *r = (reader *)png_get_error_ptr(png);
    snprintf(r->err, r->err_len, "%s", msg);
    png_longjmp(png, 1);
}

/* Warnings (bad ancillary CRCs, palette indexes past the palette) are what decoders tolerate. */
static void warning_fn(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

int curate_png_decode(const uint8_t *data, size_t size, uint64_t max_pixels, uint8_t *dst, size_t dst_size,
                      curate_pixels *out, char *err, size_t err_len) {
    reader r = {data, size, 0, 0, err, err_len};
    /* volatile: these are read after a longjmp. */
    uint8_t *volatile raw = NULL;
    png_bytep *volatile rows = NULL;
    volatile int rc = CURATE_CORRUPT;
    memset(out, 0, sizeof(*out));
    if (err_len) err[0] = 0;

    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &r, error_fn, warning_fn);
    if (!png) return CURATE_NO_MEMORY;
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_read_struct(&png, NULL, NULL); return CURATE_NO_MEMORY; }

    if (setjmp(png_jmpbuf(png))) {
        free(raw); free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        /* A fault after the last row (a chunk cut short past IDAT) keeps the pixels. */
        if (out->pixels) return CURATE_OK;
        return r.truncated ? CURATE_TRUNCATED : rc;
    }
    png_set_read_fn(png, &r, read_fn);
    png_set_benign_errors(png, 1);
    /* Text and profile chunks are ignored anyway: do not inflate them (zTXt bombs). */
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
    png_set_chunk_malloc_max(png, 8u << 20);
    png_read_info(png, info);

    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int depth = png_get_bit_depth(png, info), type = png_get_color_type(png, info);
    if ((uint64_t)w * h > max_pixels) {
        rc = CURATE_TOO_MANY_PIXELS;
        snprintf(err, err_len, "%ux%u", w, h);
        png_longjmp(png, 1);
    }

    /* Pillow's unpackers: 16-bit colour keeps the high byte (png_set_strip_16 does the
       same); gray 1/2/4-bit scale to 0..255 (so does libpng's expansion); alpha is dropped
       without compositing; palette indexes stay indexes and are looked up below. */
    int gray16 = (type == PNG_COLOR_TYPE_GRAY && depth == 16);
    if (depth == 16 && !gray16) png_set_strip_16(png);
    if (type == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (type == PNG_COLOR_TYPE_PALETTE && depth < 8) png_set_packing(png);
    if (type & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    size_t rowbytes = png_get_rowbytes(png, info);
    int channels = (type == PNG_COLOR_TYPE_RGB || type == PNG_COLOR_TYPE_RGB_ALPHA || type == PNG_COLOR_TYPE_PALETTE) ? 3 : 1;
    if (dst_size != (size_t)w * h * channels) {
        snprintf(err, err_len, "header changed between reads");
        png_longjmp(png, 1);
    }
    /* Rows go straight into the caller's buffer, except palette indexes and 16-bit gray, which
       are read whole first and converted into it. */
    int direct = type != PNG_COLOR_TYPE_PALETTE && !gray16;
    uint8_t *target = dst;
    if (!direct) {
        rc = CURATE_NO_MEMORY;
        raw = malloc(rowbytes * h ? rowbytes * h : 1);
        if (!raw) png_longjmp(png, 1);
        target = raw;
    }
    rc = CURATE_NO_MEMORY;
    rows = malloc(sizeof(png_bytep) * (h ? h : 1));
    if (!rows) png_longjmp(png, 1);
    for (png_uint_32 y = 0; y < h; y++) rows[y] = target + rowbytes * y;
    rc = CURATE_CORRUPT;
    png_read_image(png, rows);

    if (type == PNG_COLOR_TYPE_PALETTE) {
        png_colorp pal = NULL;
        int npal = 0;
        png_get_PLTE(png, info, &pal, &npal);
        for (size_t i = 0; i < (size_t)w * h; i++) {
            int idx = raw[i];
            /* An index past the palette reads as black (libpng warns; Pillow pads with zeros). */
            if (idx < npal) {
                dst[3 * i] = pal[idx].red; dst[3 * i + 1] = pal[idx].green; dst[3 * i + 2] = pal[idx].blue;
            } else {
                dst[3 * i] = dst[3 * i + 1] = dst[3 * i + 2] = 0;
            }
        }
    } else if (gray16) {
        /* Pillow opens 16-bit gray as "I;16"; convert("L") and convert("RGB") clip to 255. */
        for (size_t i = 0; i < (size_t)w * h; i++) {
            uint8_t hi = raw[2 * i], lo = raw[2 * i + 1];
            dst[i] = hi ? 255 : lo;
        }
    }
    free(raw); raw = NULL;
    out->width = w; out->height = h; out->channels = channels; out->pixels = dst;
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    return CURATE_OK;
}
