/* tf = __cka_isatty__()
 * Internal: true if the standard output of the Octave process is a
 * terminal (cka_compare's progress bar then redraws in place). */
#include "mex.h"

#include <unistd.h>

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    (void)nlhs;
    (void)nrhs;
    (void)prhs;
    plhs[0] = mxCreateLogicalScalar(isatty(STDOUT_FILENO) ? 1 : 0);
}
