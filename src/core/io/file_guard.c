/* Reading user files without waiting or unbounded memory (file_guard.h). */
#define _GNU_SOURCE
#include "io/file_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ID "cka:io:"

static const char *kind_name(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO (named pipe)";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

int cka_file_open_regular(const char *path, uint64_t *size, cka_error *err)
{
    if (path == NULL || path[0] == '\0')
        return cka_error_set(err, ID "notFound", "(empty file name): no such file");
    int fd;
    do
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR)
            return cka_error_set(err, ID "notFound", "%s: cannot open: %s", path, strerror(e));
        if (e == ENXIO) /* a FIFO without writer, a socket */
            return cka_error_set(err, ID "notRegularFile", "%s: not a regular file", path);
        return cka_error_set(err, ID "open", "%s: cannot open: %s", path, strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return cka_error_set(err, ID "open", "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return cka_error_set(err, ID "notRegularFile", "%s: is %s, not a regular file", path,
                             kind_name(st.st_mode));
    }
    *size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    return fd;
}

static int too_large(const char *path, uint64_t size, uint64_t max, cka_error *err)
{
    return cka_error_set(err, ID "tooLarge",
                         "%s: %llu bytes, more than the %llu bytes a file of this kind may have",
                         path, (unsigned long long)size, (unsigned long long)max);
}

int cka_file_size(const char *path, uint64_t max_bytes, uint64_t *size, cka_error *err)
{
    int fd = cka_file_open_regular(path, size, err);
    if (fd < 0)
        return -1;
    close(fd);
    if (*size > max_bytes)
        return too_large(path, *size, max_bytes, err);
    return 0;
}

/* read() until len bytes or end of file; EINTR restarts, short reads go on. */
static int read_full(int fd, char *buf, size_t len, size_t *got)
{
    size_t done = 0;
    while (done < len) {
        ssize_t r = read(fd, buf + done, len - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            *got = done;
            return -1;
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    *got = done;
    return 0;
}

int cka_file_read_into(const char *path, char *buf, size_t cap, size_t *len, cka_error *err)
{
    uint64_t size;
    *len = 0;
    int fd = cka_file_open_regular(path, &size, err);
    if (fd < 0)
        return -1;
    size_t got;
    if (read_full(fd, buf, cap, &got) != 0) {
        int e = errno;
        close(fd);
        return cka_error_set(err, ID "read", "%s: read failed: %s", path, strerror(e));
    }
    if (got == cap) {
        /* anything beyond cap? */
        char probe;
        size_t more = 0;
        if (read_full(fd, &probe, 1, &more) != 0)
            more = 0;
        if (more != 0) {
            close(fd);
            return cka_error_set(err, ID "changed",
                                 "%s: the file has more than the %zu bytes expected (it grew "
                                 "while being read)", path, cap);
        }
    }
    close(fd);
    *len = got;
    return 0;
}

int cka_file_read(const char *path, uint64_t max_bytes, char **data, size_t *len, cka_error *err)
{
    uint64_t size;
    *data = NULL;
    *len = 0;
    if (cka_file_size(path, max_bytes, &size, err) != 0)
        return -1;
    if (size >= (uint64_t)SIZE_MAX)
        return too_large(path, size, max_bytes, err);
    char *buf = malloc((size_t)size + 1);
    if (buf == NULL)
        return cka_error_set(err, "cka:internal:noMemory", "%s: out of memory reading %llu bytes",
                             path, (unsigned long long)size);
    size_t got;
    if (cka_file_read_into(path, buf, (size_t)size, &got, err) != 0) {
        free(buf);
        return -1;
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return 0;
}
