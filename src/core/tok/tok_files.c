/* Readers of vocab.txt and merges.txt; see tok_files.h. */
#include "tok/tok_files.h"

#include <stdlib.h>
#include <string.h>

/* Length of the line starting at buf[i] (terminator excluded) and the
 * position of the next line. */
static size_t line_end(const char *buf, size_t n, size_t i, size_t *next)
{
    size_t j = i;
    while (j < n && buf[j] != '\n' && buf[j] != '\r')
        j++;
    if (j < n && buf[j] == '\r' && j + 1 < n && buf[j + 1] == '\n')
        *next = j + 2;
    else
        *next = j < n ? j + 1 : n;
    return j - i;
}

static size_t count_lines(const char *buf, size_t n)
{
    size_t lines = 0, i = 0, next;
    while (i < n) {
        line_end(buf, n, i, &next);
        lines++;
        i = next;
    }
    return lines;
}

int tok_read_vocab_txt(const char *buf, size_t n, const char *what,
                       tok_str **tokens, size_t *count, cka_error *err)
{
    *tokens = NULL;
    *count = 0;
    if (n == 0)
        return cka_error_set(err, "cka:tokenizer:emptyVocab", "%s is empty", what);
    if (tok_utf8_validate(buf, n, what, err) != 0)
        return -1;
    size_t lines = count_lines(buf, n);
    tok_str *t = malloc(lines * sizeof *t);
    if (t == NULL)
        return cka_error_set(err, "cka:memory:outOfMemory", "out of memory reading %s", what);
    size_t i = 0, k = 0, next;
    while (i < n && k < lines) {
        size_t len = line_end(buf, n, i, &next);
        t[k].s = buf + i;
        t[k].n = len;
        k++;
        i = next;
    }
    *tokens = t;
    *count = k;
    return 0;
}

static int is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

int tok_split_merge(const char *s, size_t n, tok_str *left, tok_str *right)
{
    /* Split on whitespace like Python's str.split(); byte-level BPE symbols
     * never contain whitespace, so ASCII blanks are the only separators that
     * can occur between the two parts. */
    tok_str part[2];
    int np = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && is_ascii_space(s[i]))
            i++;
        if (i >= n)
            break;
        size_t j = i;
        while (j < n && !is_ascii_space(s[j]))
            j++;
        if (np == 2)
            return -1;
        part[np].s = s + i;
        part[np].n = j - i;
        np++;
        i = j;
    }
    if (np != 2)
        return -1;
    *left = part[0];
    *right = part[1];
    return 0;
}

int tok_read_merges_txt(const char *buf, size_t n, const char *what,
                        tok_str **left, tok_str **right, size_t *count, cka_error *err)
{
    *left = *right = NULL;
    *count = 0;
    if (tok_utf8_validate(buf, n, what, err) != 0)
        return -1;
    size_t lines = count_lines(buf, n);
    tok_str *l = malloc((lines ? lines : 1) * sizeof *l);
    tok_str *r = malloc((lines ? lines : 1) * sizeof *r);
    if (l == NULL || r == NULL) {
        free(l);
        free(r);
        return cka_error_set(err, "cka:memory:outOfMemory", "out of memory reading %s", what);
    }
    size_t i = 0, k = 0, line = 0, next;
    while (i < n) {
        size_t len = line_end(buf, n, i, &next);
        line++;
        const char *s = buf + i;
        i = next;
        if (line == 1 && len >= 8 && memcmp(s, "#version", 8) == 0)
            continue;
        if (len == 0 && i >= n)   /* a blank last line */
            continue;
        if (tok_split_merge(s, len, &l[k], &r[k]) != 0) {
            free(l);
            free(r);
            return cka_error_set(err, "cka:tokenizer:badMerges",
                                 "%s, line %zu: a merge must be two symbols separated by a space",
                                 what, line);
        }
        k++;
    }
    *left = l;
    *right = r;
    *count = k;
    return 0;
}
