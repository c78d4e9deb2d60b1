#ifndef CURATE_CAVIF_SHIM_H
#define CURATE_CAVIF_SHIM_H
#include <avif/avif.h>
#endif
