#ifndef CURATE_COPENBLAS_SHIM_H
#define CURATE_COPENBLAS_SHIM_H
#include <cblas.h>
// OpenBLAS' own thread control: stages parallelise across images, so BLAS stays serial.
void openblas_set_num_threads(int num_threads);
// The kernel family OpenBLAS chose when it loaded ("Prescott", "Haswell", "SkylakeX", ...).
char* openblas_get_corename(void);
#endif
