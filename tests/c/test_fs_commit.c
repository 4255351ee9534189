/* Tests of src/core/io/fs_commit.c: fs_exchange swaps two directories (and a
 * directory with a file) in one step, both keep their contents, a missing
 * path is cka:io:cannotWrite and leaves the other untouched; fs_sync syncs
 * files and directories and reports a missing path. */
#include "check.h"
#include "io/fs_commit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

static int has(const char *path, const char *text)
{
    char buf[64] = {0};
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strcmp(buf, text) == 0;
}

static void path(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", root, name);
}

static void test_exchange_dirs(void)
{
    char a[300], b[300], fa[320], fb[320], ga[320], gb[340];
    path(a, sizeof a, "a");
    path(b, sizeof b, "b");
    CHECK(mkdir(a, 0700) == 0 && mkdir(b, 0700) == 0, "mkdir");
    snprintf(fa, sizeof fa, "%s/x", a);
    snprintf(fb, sizeof fb, "%s/x", b);
    put(fa, "old");
    put(fb, "new");
    cka_error err;
    cka_error_clear(&err);
    int rc = fs_exchange(a, b, &err);
    if (rc != 0 && strcmp(err.id, "cka:io:noExchange") == 0) {
        printf("# skipped: %s\n", err.msg);
        return;
    }
    CHECK(rc == 0, "%s %s", err.id, err.msg);
    CHECK(has(fa, "new"), "a/x holds the new text");
    CHECK(has(fb, "old"), "b/x holds the old text");
    /* a directory and a file */
    snprintf(ga, sizeof ga, "%s/f", root);
    put(ga, "file");
    CHECK(fs_exchange(a, ga, &err) == 0, "%s", err.msg);
    struct stat st;
    CHECK(stat(a, &st) == 0 && S_ISREG(st.st_mode), "a is now the file");
    snprintf(gb, sizeof gb, "%s/x", ga);
    CHECK(has(gb, "new"), "f is now the directory");
    CHECK(fs_sync(ga, &err) == 0 && fs_sync(a, &err) == 0, "%s", err.msg);
    CHECK(fs_exchange(a, ga, &err) == 0, "%s", err.msg); /* back */
    unlink(fa);
    unlink(fb);
    rmdir(a);
    rmdir(b);
    unlink(ga);
}

static void test_missing(void)
{
    char a[300], b[300];
    path(a, sizeof a, "present");
    path(b, sizeof b, "absent");
    put(a, "keep");
    cka_error err;
    cka_error_clear(&err);
    CHECK(fs_exchange(a, b, &err) == -1, "exchange with a missing path fails");
    CHECK(strcmp(err.id, "cka:io:cannotWrite") == 0 || strcmp(err.id, "cka:io:noExchange") == 0,
          "%s", err.id);
    CHECK(strstr(err.msg, "absent") != NULL, "message names the path: %s", err.msg);
    CHECK(has(a, "keep"), "the other path is untouched");
    CHECK(fs_sync(b, &err) == -1 && strstr(err.msg, "absent") != NULL, "%s", err.msg);
    CHECK(fs_exchange("", a, &err) == -1 && fs_sync("", &err) == -1, "empty paths");
    CHECK(fs_exchange(NULL, a, &err) == -1 && fs_sync(NULL, &err) == -1, "NULL paths");
    unlink(a);
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/test_fs_commit.XXXXXX");
    if (mkdtemp(root) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_exchange_dirs);
    RUN(test_missing);
    rmdir(root);
    return CHECK_REPORT();
}
