/* Opening and reading the files a user hands us (configs, indexes,
 * tokenizer files, results, safetensors files) without waiting, without
 * unbounded memory and without a stat-then-open race.
 *
 * Only regular files are read: every open is
 * O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, so opening a FIFO or a
 * device returns at once, and the kind of file is then checked with fstat
 * on the descriptor itself (not on the name, which could be replaced in
 * between).  Errors (cka_error ids):
 *   cka:io:notFound        the file does not exist
 *   cka:io:open            it cannot be opened (permissions, ...)
 *   cka:io:notRegularFile  it is a FIFO, a device, a socket or a directory
 *   cka:io:tooLarge        it is larger than the caller's limit
 *   cka:io:changed         it grew while being read
 *   cka:io:read            a read failed
 * Messages start with the path. */
#ifndef CKA_FILE_GUARD_H
#define CKA_FILE_GUARD_H

#include "common/cka_error.h"

#include <stddef.h>
#include <stdint.h>

/* Size limits of the text files the package reads whole.  A real
 * config.json, tokenizer_config.json or special_tokens_map.json is a few
 * kB, and the largest sharded indexes (mixture-of-experts models with
 * ~100k tensors) are about 10 MB; tokenizer.json / vocab.json /
 * merges.txt of the largest vocabularies are some tens of MB; a results
 * file of 1000 x 1000 layers is about 25 MB. */
#define CKA_TEXT_MAX_CONFIG    ((uint64_t)64 << 20)   /* 64 MiB */
#define CKA_TEXT_MAX_TOKENIZER ((uint64_t)512 << 20)  /* 512 MiB */
#define CKA_TEXT_MAX_RESULTS   ((uint64_t)256 << 20)  /* 256 MiB */

/* Open path for reading if it is a regular file.  Returns the descriptor
 * (close it with close()) and its size, or -1 with err filled. */
int cka_file_open_regular(const char *path, uint64_t *size, cka_error *err);

/* The size of the regular file path, refused (cka:io:tooLarge) above
 * max_bytes.  Opens and closes the file (never waits on a FIFO). */
int cka_file_size(const char *path, uint64_t max_bytes, uint64_t *size, cka_error *err);

/* Read the whole regular file path into buf (capacity cap bytes): *len is
 * the number of bytes read.  A file with more than cap bytes is
 * cka:io:changed (the caller sized buf with cka_file_size) or
 * cka:io:tooLarge (when cap is the caller's limit).  Reads restart after
 * EINTR and continue after short reads. */
int cka_file_read_into(const char *path, char *buf, size_t cap, size_t *len, cka_error *err);

/* Convenience for C callers: the whole file in a malloc'd buffer (NUL
 * terminated, *len excludes the NUL), at most max_bytes.  Free with
 * free().  *data is NULL on failure. */
int cka_file_read(const char *path, uint64_t max_bytes, char **data, size_t *len, cka_error *err);

#endif
