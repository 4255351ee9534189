/* Replays fuzz inputs without libFuzzer: each argument is a file or a
 * directory of files, each file is passed once to LLVMFuzzerTestOneInput.
 * Built with any C compiler (gcc or clang) plus -fsanitize=address,undefined
 * by `make fuzz-smoke`; prints "# replayed N inputs". */
#include "fuzz_common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    size_t r;
    while (buf != NULL && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            unsigned char *b = realloc(buf, cap *= 2);
            if (b == NULL)
                free(buf);
            buf = b;
        }
    }
    fclose(f);
    if (buf == NULL)
        return -1;
    /* an exact-size copy so ASan sees reads past the input */
    unsigned char *exact = malloc(n ? n : 1);
    if (exact == NULL) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

int main(int argc, char **argv)
{
    long count = 0;
    int bad = 0;
    for (int a = 1; a < argc; a++) {
        struct stat st;
        if (stat(argv[a], &st) != 0) {
            perror(argv[a]);
            bad = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad |= replay_file(argv[a]) != 0;
            count++;
            continue;
        }
        struct dirent **list;
        int m = scandir(argv[a], &list, NULL, alphasort);
        if (m < 0) {
            perror(argv[a]);
            bad = 1;
            continue;
        }
        for (int k = 0; k < m; k++) {
            if (list[k]->d_name[0] != '.') {
                size_t len = strlen(argv[a]) + strlen(list[k]->d_name) + 2;
                char *p = malloc(len);
                if (p != NULL) {
                    snprintf(p, len, "%s/%s", argv[a], list[k]->d_name);
                    bad |= replay_file(p) != 0;
                    count++;
                    free(p);
                }
            }
            free(list[k]);
        }
        free(list);
    }
    printf("# replayed %ld inputs\n", count);
    return bad;
}
