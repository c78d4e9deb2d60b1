#ifndef CURATE_COPENBLAS_SHIM_H
#define CURATE_COPENBLAS_SHIM_H
#include <cblas.h>
// OpenBLAS' own thread control: stages parallelise across images, so BLAS stays serial.
void openblas_set_num_threads(int num_threads);
#endif
