#include "ccodecs.h"

void curate_orient(const uint8_t *src, long origin, long step, long row_step, int c, int w, int h, uint8_t *dst) {
    enum { T = 32 };
    for (int ty = 0; ty < h; ty += T) {
        for (int tx = 0; tx < w; tx += T) {
            int tw = w - tx < T ? w - tx : T, th = h - ty < T ? h - ty : T;
            for (int y = ty; y < ty + th; y++) {
                const uint8_t *s = src + origin + (long)y * row_step + (long)tx * step;
                uint8_t *o = dst + ((long)y * w + tx) * c;
                if (c == 3) {
                    for (int x = 0; x < tw; x++, s += step, o += 3) { o[0] = s[0]; o[1] = s[1]; o[2] = s[2]; }
                } else if (c == 1) {
                    for (int x = 0; x < tw; x++, s += step) *o++ = *s;
                } else {
                    for (int x = 0; x < tw; x++, s += step, o += c)
                        for (int k = 0; k < c; k++) o[k] = s[k];
                }
            }
        }
    }
}
