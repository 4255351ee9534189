/* Unit tests of the Qwen2 / Llama-3 pre-tokeniser (bpe_regex.c) and of the
 * byte-level BPE options of tokenizer.json files (bpe.c: pretok, nfc,
 * ignore_merges).  The expected pieces come from Python's `regex` module
 * running the patterns themselves: the hand cases below, and the random
 * strings of fixtures/tokenizers/split_cases.txt (written by
 * make_bpe_json.py).  Random valid UTF-8 checks the invariants. */
#include "check.h"
#include "tok/bpe.h"

#include <stdlib.h>
#include <string.h>

static unsigned rng_state = 16u;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (rng_state >> 8) % n;
}

/* pieces joined by '|' */
static void split(const char *s, size_t n, int digits, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    out[0] = '\0';
    while (i < n) {
        size_t l = bpe_pretok_split_next(s + i, n - i, digits);
        if (l == 0 || l > n - i || o + l + 2 >= cap) {
            snprintf(out, cap, "<BAD at %zu>", i);
            return;
        }
        if (i > 0)
            out[o++] = '|';
        memcpy(out + o, s + i, l);
        o += l;
        out[o] = '\0';
        i += l;
    }
}

static const char *const qwen2_cases[][2] = {
    {"Hello, world!", "Hello|,| world|!"},
    {"a  b", "a| | b"},
    {"I'M YOU'LL it's 'Re 'x", "I|'M| YOU|'LL| it|'s| '|Re| '|x"},
    {"12345 and 3.14", "1|2|3|4|5| and| |3|.|1|4"},
    {"punct!!!\x0a\x0a  next", "punct|!!!\x0a\x0a| | next"},
    {"\x09\x09word", "\x09|\x09word"},
    {" \x0a x", " \x0a| x"},
    {"x \x0a", "x| \x0a"},
    {"   \x0a\x0a   y", "   \x0a\x0a|  | y"},
    {"a\x0d\x0d" "b", "a|\x0d\x0d|b"},
    {"...\x0d\x0a", "...\x0d\x0a"},
    {"caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80!", "caf\xc3\xa9| \xe4\xb8\xad\xe6\x96\x87| \xf0\x9f\x98\x80!"},
    {"'\xc5\xbf", "'\xc5\xbf"},
    {"  ", "  "},
    {"a ", "a| "},
    {",word", ",word"},
    {"\xc2\xa0x", "\xc2\xa0x"},
    {"x\xe2\x80\xa8\xe2\x80\xa8y", "x|\xe2\x80\xa8|\xe2\x80\xa8y"},
    {"\xc2\xbd\xc2\xbe", "\xc2\xbd|\xc2\xbe"},
    {"e\xcc\x81", "e|\xcc\x81"},
    {"don'T we'VE", "don|'T| we|'VE"},
    {"x\xc2\x85y", "x|\xc2\x85y"},
    {"\x0a", "\x0a"},
    {"!\x0a\x0a\x0a", "!\x0a\x0a\x0a"},
};
static const char *const llama3_cases[][2] = {
    {"Hello, world!", "Hello|,| world|!"},
    {"a  b", "a| | b"},
    {"I'M YOU'LL it's 'Re 'x", "I|'M| YOU|'LL| it|'s| '|Re| '|x"},
    {"12345 and 3.14", "123|45| and| |3|.|14"},
    {"punct!!!\x0a\x0a  next", "punct|!!!\x0a\x0a| | next"},
    {"\x09\x09word", "\x09|\x09word"},
    {" \x0a x", " \x0a| x"},
    {"x \x0a", "x| \x0a"},
    {"   \x0a\x0a   y", "   \x0a\x0a|  | y"},
    {"a\x0d\x0d" "b", "a|\x0d\x0d|b"},
    {"...\x0d\x0a", "...\x0d\x0a"},
    {"caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80!", "caf\xc3\xa9| \xe4\xb8\xad\xe6\x96\x87| \xf0\x9f\x98\x80!"},
    {"'\xc5\xbf", "'\xc5\xbf"},
    {"  ", "  "},
    {"a ", "a| "},
    {",word", ",word"},
    {"\xc2\xa0x", "\xc2\xa0x"},
    {"x\xe2\x80\xa8\xe2\x80\xa8y", "x|\xe2\x80\xa8|\xe2\x80\xa8y"},
    {"\xc2\xbd\xc2\xbe", "\xc2\xbd\xc2\xbe"},
    {"e\xcc\x81", "e|\xcc\x81"},
    {"don'T we'VE", "don|'T| we|'VE"},
    {"x\xc2\x85y", "x|\xc2\x85y"},
    {"\x0a", "\x0a"},
    {"!\x0a\x0a\x0a", "!\x0a\x0a\x0a"},
};

static void test_hand_cases(void)
{
    char out[512];
    for (size_t k = 0; k < sizeof qwen2_cases / sizeof *qwen2_cases; k++) {
        split(qwen2_cases[k][0], strlen(qwen2_cases[k][0]), 1, out, sizeof out);
        CHECK(strcmp(out, qwen2_cases[k][1]) == 0, "qwen2 case %zu: got [%s] want [%s]", k, out,
              qwen2_cases[k][1]);
    }
    for (size_t k = 0; k < sizeof llama3_cases / sizeof *llama3_cases; k++) {
        split(llama3_cases[k][0], strlen(llama3_cases[k][0]), 3, out, sizeof out);
        CHECK(strcmp(out, llama3_cases[k][1]) == 0, "llama3 case %zu: got [%s] want [%s]", k, out,
              llama3_cases[k][1]);
    }
    CHECK(bpe_pretok_split_next("", 0, 1) == 0, "empty text");
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* every line of split_cases.txt: pattern, hex text, piece byte lengths */
static void test_python_cases(void)
{
    FILE *f = fopen("fixtures/tokenizers/split_cases.txt", "r");
    CHECK(f != NULL, "cannot open fixtures/tokenizers/split_cases.txt");
    if (f == NULL)
        return;
    static char line[1 << 16];
    char text[1 << 14];
    size_t ncase = 0, nbad = 0, nrandom[2] = {0, 0};
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#')
            continue;
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        CHECK(t2 != NULL, "malformed line %zu", ncase + 1);
        if (t2 == NULL)
            break;
        *t1 = *t2 = '\0';
        int digits = strcmp(line, "llama3") == 0 ? 3 : 1;
        nrandom[digits == 3]++;
        size_t n = 0;
        for (char *h = t1 + 1; h < t2; h += 2)
            text[n++] = (char)(hexval(h[0]) * 16 + hexval(h[1]));
        size_t i = 0;
        int ok = 1;
        for (char *p = t2 + 1; *p && *p != '\n';) {
            size_t want = strtoul(p, &p, 10);
            if (*p == ',')
                p++;
            size_t got = i < n ? bpe_pretok_split_next(text + i, n - i, digits) : 0;
            if (got != want) {
                ok = 0;
                break;
            }
            i += got;
        }
        if (!ok || i != n) {
            nbad++;
            if (nbad <= 5)
                CHECK(0, "%s case %zu (text %s) splits differently from Python regex", line,
                      ncase + 1, t1 + 1);
        }
        ncase++;
    }
    fclose(f);
    CHECK(nbad == 0, "%zu of %zu cases differ", nbad, ncase);
    CHECK(nrandom[0] >= 600 && nrandom[1] >= 600, "too few cases: %zu qwen2, %zu llama3",
          nrandom[0], nrandom[1]);
    printf("# split_cases.txt: %zu cases (%zu qwen2, %zu llama3), %zu differ\n", ncase, nrandom[0],
           nrandom[1], nbad);
}

/* random valid UTF-8: pieces non-empty, inside the text, on character
 * boundaries, covering it */
static void test_random_invariants(void)
{
    static const int32_t pool[] = {'a', 'Z', '\'', 's', 'L', '1', ' ', '\t', '\n', '\r', '.', 0,
                                   0xA0, 0x85, 0x2028, 0x3000, 0x17F, 0x301, 0x4E2D, 0x1F600,
                                   0x0663, 0x216B, 0xBD, 0x1C, 0x0B, 0x10FFFF, 0xE000};
    char s[256];
    for (int it = 0; it < 20000; it++) {
        size_t n = 0, k = 1 + rnd(40);
        while (k-- > 0 && n + 4 < sizeof s) {
            int32_t cp = rnd(4) == 0 ? (int32_t)rnd(0x3000) : pool[rnd(sizeof pool / sizeof *pool)];
            if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 'x';
            n += tok_utf8_put(cp, s + n);
        }
        for (int digits = 1; digits <= 3; digits += 2) {
            size_t i = 0;
            while (i < n) {
                size_t l = bpe_pretok_split_next(s + i, n - i, digits);
                if (l == 0 || l > n - i || (i + l < n && ((unsigned char)s[i + l] & 0xC0) == 0x80)) {
                    CHECK(0, "iteration %d: bad piece length %zu at %zu of %zu", it, l, i, n);
                    return;
                }
                i += l;
            }
        }
    }
}

/* a model with the options: NFC, the Qwen2 split, ignore_merges */
static void test_model_options(void)
{
    static char store[256 * 4];
    tok_str vocab[256 + 6];
    char *p = store;
    for (int b = 0; b < 256; b++) {
        size_t len = tok_utf8_put(bpe_byte_to_unicode((unsigned char)b), p);
        vocab[b] = (tok_str){p, len};
        p += len;
    }
    /* 256 "1" + "2" -> "12"; 257 "Ã" + "©" -> "Ã©" (é); 258 "Ġ" + "w" ; 259 "'S";
     * 260 "Ġplugh" (no merge makes it); 261 <|endoftext|> */
    static const char *const extra[] = {"12", "\xc3\x83\xc2\xa9", "\xc4\xa0w", "'S",
                                        "\xc4\xa0plugh", "<|endoftext|>"};
    for (int k = 0; k < 6; k++)
        vocab[256 + k] = (tok_str){extra[k], strlen(extra[k])};
    tok_str left[4] = {{"1", 1}, {"\xc3\x83", 2}, {"\xc4\xa0", 2}, {"'", 1}};
    tok_str right[4] = {{"2", 1}, {"\xc2\xa9", 2}, {"w", 1}, {"S", 1}};
    tok_str sp[1] = {{"<|endoftext|>", 13}};
    int32_t spid[1] = {261};
    bpe_model m;
    cka_error err;
    CHECK(bpe_init(&m, 262, vocab, 4, left, right, NULL, 1, sp, spid, 0, &err) == 0, "init");
    tok_out out;
    tok_out_init(&out, 0);
#define ENC(text) (tok_out_reset(&out), bpe_encode(&m, text, strlen(text), &out, &err))
    /* GPT-2 pattern: "12" is one piece and merges; "'S" are two pieces */
    CHECK(ENC("12") == 0 && out.n == 1 && out.ids[0] == 256, "gpt2 12");
    CHECK(ENC("'S") == 0 && out.n == 2, "gpt2 'S");
    m.pretok = BPE_PRETOK_QWEN2;
    CHECK(ENC("12") == 0 && out.n == 2 && out.ids[0] == '1' && out.ids[1] == '2', "qwen2 digits apart");
    CHECK(ENC("'S") == 0 && out.n == 1 && out.ids[0] == 259, "qwen2 'S");
    m.pretok = BPE_PRETOK_LLAMA3;
    CHECK(ENC("12") == 0 && out.n == 1 && out.ids[0] == 256, "llama3 12");
    /* NFC: e + U+0301 becomes é, which merges */
    CHECK(ENC("e\xcc\x81") == 0 && out.n == 3, "no NFC: three bytes");
    m.nfc = 1;
    CHECK(ENC("e\xcc\x81") == 0 && out.n == 1 && out.ids[0] == 257, "NFC: one token");
    CHECK(ENC("<|endoftext|>e\xcc\x81<|endoftext|>") == 0 && out.n == 3 && out.ids[1] == 257 &&
              out.ids[2] == 261, "NFC between special tokens");
    /* ignore_merges: " plugh" is a vocabulary entry no merge makes */
    CHECK(ENC(" plugh") == 0 && out.n == 6, "merges: six tokens, got %zu", out.n);
    m.ignore_merges = 1;
    CHECK(ENC(" plugh") == 0 && out.n == 1 && out.ids[0] == 260, "ignore_merges: one token");
    CHECK(ENC(" plughx") == 0 && out.n == 7, "ignore_merges: not an entry");
#undef ENC
    tok_out_free(&out);
    bpe_free(&m);
}

int main(void)
{
    RUN(test_hand_cases);
    RUN(test_python_cases);
    RUN(test_random_invariants);
    RUN(test_model_options);
    return CHECK_REPORT();
}
