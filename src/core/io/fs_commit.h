/* File-system primitives for committing writes atomically (no Octave).
 *
 * Octave's builtins cover rename(2), link(2), unlink(2) and mkdir(2); what
 * they lack is here:
 *   fs_exchange   swap two paths in one step (renameat2 RENAME_EXCHANGE),
 *                 used to replace a whole model directory by a staged one;
 *   fs_sync       fsync a file or a directory, so that data reach the disk
 *                 before the rename that publishes them (and the rename
 *                 itself, by syncing the parent directory).
 * Both return 0 on success or -1 with err filled.  fs_exchange reports a
 * file system or kernel that cannot exchange (ENOSYS, EINVAL, EXDEV,
 * ENOTSUP) as "cka:io:noExchange", any other failure as
 * "cka:io:cannotWrite"; messages name the paths. */
#ifndef CKA_FS_COMMIT_H
#define CKA_FS_COMMIT_H

#include "common/cka_error.h"

int fs_exchange(const char *a, const char *b, cka_error *err);
int fs_sync(const char *path, cka_error *err);

#endif
