/* See fs_commit.h. */
#define _GNU_SOURCE
#include "io/fs_commit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* renameat2 through syscall(2): glibc has had a wrapper only since 2.28,
 * the kernel call since Linux 3.15. */
static int exchange_paths(const char *a, const char *b)
{
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#else
    (void)a;
    (void)b;
    errno = ENOSYS;
    return -1;
#endif
}

int fs_exchange(const char *a, const char *b, cka_error *err)
{
    if (a == NULL || b == NULL || a[0] == '\0' || b[0] == '\0')
        return cka_error_set(err, "cka:io:cannotWrite", "cannot exchange an empty path");
    if (exchange_paths(a, b) == 0)
        return 0;
    int e = errno;
    if (e == ENOSYS || e == EINVAL || e == EXDEV || e == ENOTSUP)
        return cka_error_set(err, "cka:io:noExchange",
                             "cannot swap '%s' and '%s' atomically on this file system: %s", a, b,
                             strerror(e));
    return cka_error_set(err, "cka:io:cannotWrite", "cannot swap '%s' and '%s': %s", a, b,
                         strerror(e));
}

int fs_sync(const char *path, cka_error *err)
{
    if (path == NULL || path[0] == '\0')
        return cka_error_set(err, "cka:io:cannotWrite", "cannot sync an empty path");
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return cka_error_set(err, "cka:io:cannotWrite", "cannot open '%s' to sync it: %s", path,
                             strerror(errno));
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    /* some file systems cannot fsync a directory: nothing to lose there */
    if (rc != 0 && e != EINVAL && e != EROFS)
        return cka_error_set(err, "cka:io:cannotWrite", "cannot sync '%s': %s", path, strerror(e));
    return 0;
}
