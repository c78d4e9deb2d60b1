#ifndef CURATE_CPNG_SHIM_H
#define CURATE_CPNG_SHIM_H
// Swift uses only the header and link line; the low-level reader (whose errors longjmp)
// lives in the CCodecs C target.
#include <png.h>
#endif
