/* Checking a MAT-file (MATLAB level 5 / v7, as Octave's save -v7 writes
 * it) before Octave's load may read it.
 *
 * Octave's MAT5 reader runs code for some element classes: a function
 * handle element (class 16) has its anonymous-function text evaluated, and
 * an object element (class 3) has its class constructor and loadobj
 * method called.  cka_save never writes either, so the check walks every
 * element (inflating the zlib-compressed ones of v7 files) and accepts
 * only the classes a result or checkpoint holds: cell, struct, char,
 * double, single and the integer classes (logicals are uint8 elements).
 * It does not validate the data itself: Octave's reader does that.
 *
 * Errors (cka_error ids, messages start with `what`):
 *   cka:io:badFormat  not a MAT5 file, truncated or malformed element
 *                     tags, nesting deeper than CKA_MAT5_MAX_DEPTH, an
 *                     element of another class, or more than
 *                     CKA_MAT5_MAX_INFLATED bytes once inflated. */
#ifndef CKA_MAT5_GUARD_H
#define CKA_MAT5_GUARD_H

#include "common/cka_error.h"

#include <stddef.h>
#include <stdint.h>

#define CKA_MAT5_MAX_DEPTH 64
#define CKA_MAT5_MAX_INFLATED ((size_t)256 << 20)   /* 256 MiB */

/* 0 when the n bytes at buf are a MAT5 file whose elements are all of
 * the accepted classes, -1 with err filled otherwise. */
int cka_mat5_check(const uint8_t *buf, size_t n, const char *what, cka_error *err);

#endif
