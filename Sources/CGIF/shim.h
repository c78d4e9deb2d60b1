#ifndef CURATE_CGIF_SHIM_H
#define CURATE_CGIF_SHIM_H
// giflib reports errors by return code (no longjmp), so Swift calls it directly.
#include <gif_lib.h>
#endif
