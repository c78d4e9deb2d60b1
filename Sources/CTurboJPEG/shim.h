#ifndef CURATE_CTURBOJPEG_SHIM_H
#define CURATE_CTURBOJPEG_SHIM_H
#include <stddef.h>
#include <turbojpeg.h>
#endif
