#ifndef CURATE_CWEBP_SHIM_H
#define CURATE_CWEBP_SHIM_H
// libwebp's decoder and its demux/animation decoder (Pillow reads every WebP, still or
// animated, through WebPAnimDecoder; curate does the same so pixels match).
#include <webp/decode.h>
#include <webp/demux.h>
#endif
