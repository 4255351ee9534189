/* Tests of the JSON pre-check (src/core/io/json_guard.c) and of the regular-
 * file reader (src/core/io/file_guard.c): depth limit, duplicate keys after
 * escape decoding (incl. surrogate pairs and NUL), paths in messages,
 * strings holding brackets/quotes/backslashes, a 200k-key object, and
 * FIFOs, devices, directories and size limits refused without waiting. */
#define _GNU_SOURCE
#include "check.h"
#include "io/file_guard.h"
#include "io/json_guard.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int has_id(const cka_error *e, const char *id)
{
    return strcmp(e->id, id) == 0;
}

static int jcheck(const char *txt, cka_error *e, cka_json_dup *dup)
{
    cka_error_clear(e);
    return cka_json_check(txt, strlen(txt), "t.json", CKA_JSON_MAX_DEPTH, dup, e);
}

static char *nested(size_t n, char open, char close)
{
    char *s = malloc(2 * n + 2);
    for (size_t k = 0; k < n; k++) {
        s[k] = open;
        s[n + 1 + k] = close;
    }
    s[n] = '1';
    s[2 * n + 1] = '\0';
    return s;
}

static void test_depth(void)
{
    cka_error e;
    char *s = nested(CKA_JSON_MAX_DEPTH, '[', ']');
    CHECK(jcheck(s, &e, NULL) == 0, "64 levels: %s", e.msg);
    free(s);
    s = nested(CKA_JSON_MAX_DEPTH + 1, '[', ']');
    CHECK(jcheck(s, &e, NULL) == -1 && has_id(&e, "cka:json:tooDeep"), "65 levels: %s", e.id);
    CHECK(strstr(e.msg, "t.json") != NULL && strstr(e.msg, "64") != NULL, "%s", e.msg);
    free(s);
    /* 100k levels of objects: refused, no recursion, no crash */
    size_t n = 100000;
    char *t = malloc(6 * n + 2), *p = t;
    for (size_t k = 0; k < n; k++) {
        memcpy(p, "{\"a\":", 5);
        p += 5;
    }
    *p++ = '1';
    memset(p, '}', n);
    p[n] = '\0';
    CHECK(jcheck(t, &e, NULL) == -1 && has_id(&e, "cka:json:tooDeep"), "100k: %s", e.id);
    free(t);
    /* brackets inside strings do not count */
    CHECK(jcheck("{\"a\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}",
                 &e, NULL) == 0, "brackets in a string: %s", e.msg);
    CHECK(cka_json_check("[[[", 3, "t", 2, NULL, &e) == -1 && has_id(&e, "cka:json:tooDeep"),
          "custom limit");
}

static void test_duplicates(void)
{
    cka_error e;
    cka_json_dup d;
    CHECK(jcheck("{\"a\": 1, \"b\": 2, \"ab\": 3}", &e, &d) == 0 && d.level == 0, "distinct");
    CHECK(jcheck("{\"a\": 1, \"a\": 2}", &e, &d) == -1 && has_id(&e, "cka:json:duplicateKey"),
          "plain duplicate");
    CHECK(d.level == 1 && strcmp(d.key, "a") == 0, "level %zu key %s", d.level, d.key);
    CHECK(strstr(e.msg, "t.json: duplicate key a ") != NULL, "%s", e.msg);
    /* equal only after decoding the escapes */
    CHECK(jcheck("{\"data_offsets\": [0, 4], \"data_offset\\u0073\": [0, 8]}", &e, &d) == -1 &&
          strcmp(d.key, "data_offsets") == 0, "\\u0073: %s", e.msg);
    CHECK(jcheck("{\"\\u00e9\": 1, \"\xc3\xa9\": 2}", &e, &d) == -1, "\\u00e9 vs raw UTF-8");
    CHECK(jcheck("{\"a/b\": 1, \"a\\/b\": 2}", &e, &d) == -1, "\\/");
    CHECK(jcheck("{\"\\n\": 1, \"\\u000A\": 2}", &e, &d) == -1, "\\n vs \\u000A");
    CHECK(jcheck("{\"\\ud83d\\ude00\": 1, \"\xf0\x9f\x98\x80\": 2}", &e, &d) == -1 &&
          strcmp(d.key, "\xf0\x9f\x98\x80") == 0, "surrogate pair vs raw");
    CHECK(jcheck("{\"\\uD83D\\uDE00\": 1, \"\\ud83d\\ude00\": 2}", &e, &d) == -1, "hex case");
    CHECK(jcheck("{\"\\ud83d\\ude00\": 1, \"\\ud83d\\ude01\": 2}", &e, &d) == 0, "two pairs");
    CHECK(jcheck("{\"\\udc00\": 1, \"\xed\xb0\x80\": 2}", &e, &d) == -1, "lone low surrogate");
    /* Octave's field names end at a NUL: "a\u0000b" and "a\u0000c" are both "a" */
    CHECK(jcheck("{\"a\\u0000b\": 1, \"a\\u0000c\": 2}", &e, &d) == -1, "NUL");
    CHECK(jcheck("{\"a\\\"\": 1, \"a\\\\\": 2, \"a\\\\\\\"\": 3}", &e, &d) == 0,
          "quotes and backslashes: %s", e.msg);
    CHECK(jcheck("{\"a\\\"\": 1, \"a\\u0022\": 2}", &e, &d) == -1, "\\\" vs \\u0022");
    /* values are not keys; equal keys in different objects are fine */
    CHECK(jcheck("{\"a\": \"a\", \"b\": [\"a\", \"a\"], \"c\": {\"a\": 1}, \"d\": {\"a\": 1}}",
                 &e, &d) == 0, "values: %s", e.msg);
    CHECK(jcheck("[{\"a\": 1}, {\"a\": 2}]", &e, &d) == 0, "array of objects: %s", e.msg);
    CHECK(jcheck("{\"k\": \"}{,\\\"x\\\":\", \"x\": 1}", &e, &d) == 0, "structure in strings: %s",
          e.msg);
    CHECK(jcheck("{\"k\": \"\\\\\", \"k2\": \"\\\\\\\\\"}", &e, &d) == 0, "escaped backslashes");
    /* nested, with the path in the message */
    CHECK(jcheck("{\"metadata\": {}, \"weight_map\": {\"a.weight\": \"x\", \"b\": \"y\", "
                 "\"a.weigh\\u0074\": \"z\"}}", &e, &d) == -1, "nested");
    CHECK(d.level == 2 && strstr(e.msg, "duplicate key weight_map.\"a.weight\"") != NULL,
          "%zu %s", d.level, e.msg);
    CHECK(jcheck("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4], "
                 "\"dtype\": \"F16\"}}", &e, &d) == -1 && d.level == 2 &&
          strstr(e.msg, "w.dtype") != NULL, "inside an entry: %s", e.msg);
    CHECK(jcheck("{\"added_tokens\": [{\"id\": 1}, {\"id\": 2, \"content\": \"x\", \"id\": 3}]}",
                 &e, &d) == -1 && strstr(e.msg, "added_tokens[1].id") != NULL, "%s", e.msg);
    CHECK(jcheck("{\"a\": {\"b\": {\"c\": 1, \"c\": 1}}}", &e, &d) == -1 &&
          d.level == 3 && strstr(e.msg, "a.b.c") != NULL, "%s", e.msg);
    /* long keys of control characters, quotes and multi-byte characters are
     * cut in the message, on a character boundary */
    {
        char t[4096], *q = t;
        for (int r = 0; r < 2; r++) {
            q += sprintf(q, r ? ", \"" : "{\"");
            for (int k = 0; k < 100; k++)
                q += sprintf(q, k % 3 == 0 ? "\\u0001" : k % 3 == 1 ? "\\\"" : "\xc3\xa9");
            q += sprintf(q, "\": %d", r);
        }
        strcpy(q, "}");
        CHECK(jcheck(t, &e, &d) == -1 && strstr(e.msg, "...") != NULL &&
              strstr(e.msg, "\\u0001\\\"") != NULL, "long key: %s", e.msg);
        q = t; /* the widest case: every byte printed as \u001f */
        for (int r = 0; r < 2; r++) {
            q += sprintf(q, r ? ", \"" : "{\"");
            for (int k = 0; k < 100; k++)
                q += sprintf(q, "\\u001f");
            q += sprintf(q, "\": %d", r);
        }
        strcpy(q, "}");
        CHECK(jcheck(t, &e, &d) == -1 && strstr(e.msg, "\\u001f...") != NULL, "%s", e.msg);
    }
    /* the first repeated key in text order is reported */
    CHECK(jcheck("{\"z\": 1, \"y\": 1, \"y\": 2, \"z\": 2}", &e, &d) == -1 &&
          strcmp(d.key, "y") == 0, "first: %s", d.key);
    /* an object closed later than its duplicates are known still counts */
    CHECK(jcheck("{\"a\": 1, \"b\": {\"c\": [1, {\"d\": 2}]}, \"a\": 3}", &e, &d) == -1 &&
          d.level == 1, "%s", e.msg);
}

static void test_not_json(void)
{
    cka_error e;
    /* garbled text is left to jsondecode, without reading outside the buffer */
    const char *bad[] = {"", "{", "}", "]]]", "{\"a", "{\"a\\", "\"\\u12", "{\"\\ud83d\\u",
                         "[1, 2}", "{\"a\": 1, \"a\": 2", "\\", "{\"a\":1}}"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        size_t n = strlen(bad[k]);
        char *copy = malloc(n ? n : 1); /* exact size: ASan sees any overread */
        memcpy(copy, bad[k], n);
        CHECK(cka_json_check(copy, n, "t", CKA_JSON_MAX_DEPTH, NULL, &e) == 0, "case %zu: %s", k,
              e.msg);
        free(copy);
    }
    CHECK(cka_json_check(NULL, 0, NULL, CKA_JSON_MAX_DEPTH, NULL, &e) == 0, "NULL");
}

static void test_big_object(void)
{
    /* a 200k-key vocabulary with a duplicate at the very end */
    size_t n = 200000;
    char *s = malloc(n * 24 + 64), *p = s;
    *p++ = '{';
    for (size_t k = 0; k < n; k++)
        p += sprintf(p, "%s\"tok%zu\": %zu", k ? ", " : "", k, k);
    strcpy(p, ", \"tok\\u0031\": 1}");
    cka_error e;
    cka_json_dup d;
    clock_t t0 = clock();
    int rc = cka_json_check(s, strlen(s), "vocab.json", CKA_JSON_MAX_DEPTH, &d, &e);
    double sec = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK(rc == -1 && strcmp(d.key, "tok1") == 0, "rc %d %s", rc, e.msg);
    CHECK(sec < 2.0, "200k keys took %.2f s", sec);
    p[0] = '}';
    p[1] = '\0';
    CHECK(cka_json_check(s, strlen(s), "vocab.json", CKA_JSON_MAX_DEPTH, &d, &e) == 0, "%s", e.msg);
    free(s);
}

static void test_files(void)
{
    char dir[] = "/tmp/cka-guard-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char reg[256], fifo[256], missing[256];
    snprintf(reg, sizeof reg, "%s/config.json", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo.json", dir);
    snprintf(missing, sizeof missing, "%s/none.json", dir);
    FILE *f = fopen(reg, "w");
    fputs("{\"a\": 1}", f);
    fclose(f);
    CHECK(mkfifo(fifo, 0600) == 0, "mkfifo");
    cka_error e;
    char *data;
    size_t len;
    uint64_t size;
    CHECK(cka_file_read(reg, 100, &data, &len, &e) == 0 && len == 8 &&
          strcmp(data, "{\"a\": 1}") == 0, "regular: %s", e.msg);
    free(data);
    /* size limit, also through the caller's buffer */
    CHECK(cka_file_read(reg, 7, &data, &len, &e) == -1 && has_id(&e, "cka:io:tooLarge") &&
          data == NULL, "limit: %s", e.id);
    CHECK(strstr(e.msg, reg) != NULL, "%s", e.msg);
    CHECK(cka_file_size(reg, 8, &size, &e) == 0 && size == 8, "size");
    char small[4];
    CHECK(cka_file_read_into(reg, small, sizeof small, &len, &e) == -1 &&
          has_id(&e, "cka:io:changed"), "more than cap: %s", e.id);
    /* a FIFO without writer, /dev/zero, a directory: refused at once */
    time_t t0 = time(NULL);
    CHECK(cka_file_read(fifo, 100, &data, &len, &e) == -1 && has_id(&e, "cka:io:notRegularFile"),
          "fifo: %s", e.id);
    CHECK(strstr(e.msg, "FIFO") != NULL, "%s", e.msg);
    /* a FIFO with a writer attached */
    int w = open(fifo, O_RDWR | O_NONBLOCK);
    CHECK(cka_file_size(fifo, 100, &size, &e) == -1 && has_id(&e, "cka:io:notRegularFile"),
          "fifo with writer: %s", e.id);
    if (w >= 0)
        close(w);
    CHECK(cka_file_read("/dev/zero", 100, &data, &len, &e) == -1 &&
          has_id(&e, "cka:io:notRegularFile") && strstr(e.msg, "device") != NULL, "/dev/zero: %s",
          e.msg);
    CHECK(cka_file_read(dir, 100, &data, &len, &e) == -1 && has_id(&e, "cka:io:notRegularFile"),
          "directory: %s", e.id);
    CHECK(cka_file_read(missing, 100, &data, &len, &e) == -1 && has_id(&e, "cka:io:notFound"),
          "missing: %s", e.id);
    CHECK(cka_file_read("", 100, &data, &len, &e) == -1 && has_id(&e, "cka:io:notFound"), "empty");
    CHECK(time(NULL) - t0 < 5, "no wait");
    /* the descriptor is a plain blocking-free regular file */
    int fd = cka_file_open_regular(reg, &size, &e);
    CHECK(fd >= 0 && size == 8 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "open_regular");
    if (fd >= 0)
        close(fd);
    unlink(reg);
    unlink(fifo);
    rmdir(dir);
}

int main(void)
{
    RUN(test_depth);
    RUN(test_duplicates);
    RUN(test_not_json);
    RUN(test_big_object);
    RUN(test_files);
    return CHECK_REPORT();
}
