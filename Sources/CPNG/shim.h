#ifndef CURATE_CPNG_SHIM_H
#define CURATE_CPNG_SHIM_H
// Only libpng's simplified API is used: it reports errors through
// png_image.message instead of longjmp, which Swift cannot survive.
#include <png.h>
#endif
