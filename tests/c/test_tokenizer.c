/* Unit tests of the tokenizer core: tok_common.c (hash, UTF-8), tok_files.c
 * (vocab.txt / merges.txt readers on arbitrary bytes), bpe.c (byte map,
 * pre-tokeniser, merges against a naive reference of HF's bpe()) and
 * wordpiece.c (BasicTokenizer + WordPiece on a toy vocabulary). */
#include "check.h"
#include "tok/bpe.h"
#include "tok/tok_files.h"
#include "tok/wordpiece.h"

#include <stdlib.h>
#include <string.h>

static unsigned rng_state = 12345u;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (rng_state >> 8) % n;
}

static tok_str S(const char *s)
{
    tok_str t = {s, strlen(s)};
    return t;
}

/* ---- hash ---------------------------------------------------------------- */
static void test_hash(void)
{
    tok_hash h;
    CHECK(tok_hash_init(&h, 4) == 0, "init");
    char keys[2000][8];
    for (int k = 0; k < 2000; k++) {
        snprintf(keys[k], sizeof keys[k], "k%d", k);
        CHECK(tok_hash_put(&h, keys[k], strlen(keys[k]), k, 1) == k, "put %d", k);
    }
    CHECK(h.count == 2000, "count %zu", h.count);
    for (int k = 0; k < 2000; k++) {
        int32_t e = tok_hash_find(&h, keys[k], strlen(keys[k]));
        CHECK(e >= 0 && h.val[e] == k, "find %d", k);
    }
    CHECK(tok_hash_find(&h, "k2000", 5) < 0, "absent key");
    CHECK(tok_hash_find(&h, "k1", 1) < 0, "prefix is not a key");
    tok_hash_put(&h, "k7", 2, 70, 0);
    CHECK(h.val[tok_hash_find(&h, "k7", 2)] == 7, "no overwrite");
    tok_hash_put(&h, "k7", 2, 70, 1);
    CHECK(h.val[tok_hash_find(&h, "k7", 2)] == 70, "overwrite");
    CHECK(tok_hash_put(&h, "", 0, -5, 1) >= 0 && h.val[tok_hash_find(&h, "", 0)] == -5, "empty key");
    tok_hash_free(&h);
}

/* ---- UTF-8 ---------------------------------------------------------------- */
static void test_utf8(void)
{
    cka_error err;
    const char *good[] = {"", "ascii", "caf\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"};
    for (size_t k = 0; k < sizeof good / sizeof *good; k++)
        CHECK(tok_utf8_validate(good[k], strlen(good[k]), "t", &err) == 0, "valid %zu", k);
    const char *bad[] = {"\x80", "\xc3", "\xc0\x80", "\xe0\x80\x80", "\xed\xa0\x80",
                         "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "ab\xff", "\xe4\xb8"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        cka_error_clear(&err);
        CHECK(tok_utf8_validate(bad[k], strlen(bad[k]), "t", &err) != 0
                  && strcmp(err.id, "cka:tokenizer:invalidUtf8") == 0, "invalid %zu", k);
    }
    /* embedded NUL is valid UTF-8 */
    CHECK(tok_utf8_validate("a\0b", 3, "t", &err) == 0, "NUL");
    char out[4];
    CHECK(tok_utf8_put(0x120, out) == 2 && memcmp(out, "\xc4\xa0", 2) == 0, "encode U+0120");
}

/* ---- vocab.txt / merges.txt --------------------------------------------------- */
static void test_vocab_txt(void)
{
    cka_error err;
    tok_str *t;
    size_t n;
    const char buf[] = "[PAD]\r\n[UNK]\rhello\n\nlast";
    CHECK(tok_read_vocab_txt(buf, sizeof buf - 1, "v", &t, &n, &err) == 0, "read");
    CHECK(n == 5, "5 tokens, got %zu", n);
    if (n == 5) {
        CHECK(t[0].n == 5 && memcmp(t[0].s, "[PAD]", 5) == 0, "crlf");
        CHECK(t[1].n == 5 && memcmp(t[1].s, "[UNK]", 5) == 0, "lone cr");
        CHECK(t[3].n == 0, "empty line is an (empty) token");
        CHECK(t[4].n == 4 && memcmp(t[4].s, "last", 4) == 0, "no final newline");
    }
    free(t);
    CHECK(tok_read_vocab_txt("a\nb\n", 4, "v", &t, &n, &err) == 0 && n == 2, "final newline");
    free(t);
    CHECK(tok_read_vocab_txt("", 0, "v", &t, &n, &err) != 0
              && strcmp(err.id, "cka:tokenizer:emptyVocab") == 0, "empty");
    CHECK(tok_read_vocab_txt("a\n\xc3\n", 4, "v", &t, &n, &err) != 0
              && strcmp(err.id, "cka:tokenizer:invalidUtf8") == 0, "bad utf-8");
}

static void test_merges_txt(void)
{
    cka_error err;
    tok_str *l, *r;
    size_t n;
    const char buf[] = "#version: 0.2\nĠ t\na  b\r\nx\ty\n";
    CHECK(tok_read_merges_txt(buf, sizeof buf - 1, "m", &l, &r, &n, &err) == 0, "read");
    CHECK(n == 3, "3 merges, got %zu", n);
    if (n == 3) {
        CHECK(l[0].n == 2 && memcmp(l[0].s, "Ġ", 2) == 0 && r[0].n == 1 && r[0].s[0] == 't', "m0");
        CHECK(l[1].n == 1 && r[1].n == 1 && r[1].s[0] == 'b', "double space");
        CHECK(l[2].s[0] == 'x' && r[2].s[0] == 'y', "tab");
    }
    free(l);
    free(r);
    CHECK(tok_read_merges_txt("a b", 3, "m", &l, &r, &n, &err) == 0 && n == 1, "no header, no newline");
    free(l);
    free(r);
    CHECK(tok_read_merges_txt("", 0, "m", &l, &r, &n, &err) == 0 && n == 0, "empty");
    free(l);
    free(r);
    const char *bad[] = {"#version\na b c\n", "a\n", "a b\n\nc d\n", "#version: 0.2\n \n"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        cka_error_clear(&err);
        CHECK(tok_read_merges_txt(bad[k], strlen(bad[k]), "m", &l, &r, &n, &err) != 0
                  && strcmp(err.id, "cka:tokenizer:badMerges") == 0, "bad merges %zu", k);
    }
    CHECK(tok_read_merges_txt("a \xff\n", 4, "m", &l, &r, &n, &err) != 0
              && strcmp(err.id, "cka:tokenizer:invalidUtf8") == 0, "bad utf-8");
}

/* Random bytes: the readers either succeed or fail cleanly (ASan checks). */
static void test_readers_random_bytes(void)
{
    char buf[300];
    for (int it = 0; it < 3000; it++) {
        size_t n = rnd(sizeof buf);
        for (size_t i = 0; i < n; i++) {
            unsigned c = rnd(6);
            buf[i] = c == 0 ? '\n' : c == 1 ? ' ' : c == 2 ? '\r' : (char)rnd(256);
        }
        cka_error err;
        tok_str *t, *l, *r;
        size_t cnt;
        if (tok_read_vocab_txt(buf, n, "v", &t, &cnt, &err) == 0) {
            size_t tot = 0;
            for (size_t k = 0; k < cnt; k++)
                tot += t[k].n;
            CHECK(tot <= n, "tokens within the buffer");
            free(t);
        }
        if (tok_read_merges_txt(buf, n, "m", &l, &r, &cnt, &err) == 0) {
            for (size_t k = 0; k < cnt; k++)
                CHECK(l[k].n > 0 && r[k].n > 0, "non-empty parts");
            free(l);
            free(r);
        }
    }
}

/* ---- byte-level map and pre-tokeniser ------------------------------------------ */
static void test_byte_map(void)
{
    int seen[0x200] = {0};
    int ok = 1;
    for (int b = 0; b < 256; b++) {
        int32_t u = bpe_byte_to_unicode((unsigned char)b);
        if (u < 0 || u >= 0x200 || seen[u]++ || bpe_unicode_to_byte(u) != b)
            ok = 0;
    }
    CHECK(ok, "a bijection with its inverse");
    CHECK(bpe_byte_to_unicode(' ') == 0x120, "space -> U+0120");
    CHECK(bpe_byte_to_unicode('\n') == 0x10A, "newline -> U+010A");
    CHECK(bpe_byte_to_unicode(0xAD) == 0x143, "0xAD is the last");
    CHECK(bpe_byte_to_unicode('A') == 'A' && bpe_byte_to_unicode(0xE9) == 0xE9, "printables");
    CHECK(bpe_unicode_to_byte(0x144) == -1 && bpe_unicode_to_byte(0x20) == -1, "not in the map");
}

/* pieces of s joined by '|' */
static void pretok(const char *s, char *out)
{
    size_t n = strlen(s), i = 0;
    out[0] = '\0';
    while (i < n) {
        size_t l = bpe_pretok_next(s + i, n - i);
        if (l == 0 || l > n - i) {
            strcat(out, "<BAD>");
            return;
        }
        if (i > 0)
            strcat(out, "|");
        strncat(out, s + i, l);
        i += l;
    }
}

static void test_pretokenizer(void)
{
    /* expected pieces of the pattern (Python `regex` semantics) */
    const char *cases[][2] = {
        {"Hello, world!", "Hello|,| world|!"},
        {"a  b", "a| | b"},
        {"  leading and trailing spaces  ", " | leading| and| trailing| spaces|  "},
        {"Tabs\tand\nnewlines\r\n", "Tabs|\t|and|\n|newlines|\r\n"},
        {"Don't you think it's 5 o'clock?", "Don|'t| you| think| it|'s| 5| o|'|clock|?"},
        {"we'll've 'S 'd", "we|'ll|'ve| '|S| '|d"},
        {"x 're", "x| '|re"},
        {"numbers 1234567890 and 3.14159", "numbers| 1234567890| and| 3|.|14159"},
        {"abc123def", "abc|123|def"},
        {"$100,000.00 (USD)", "$|100|,|000|.|00| (|USD|)"},
        {"punctuation!!!???...", "punctuation|!!!???..."},
        {"C++ & Python's __init__", "C|++| &| Python|'s| __|init|__"},
        {"na\xc3\xafve caf\xc3\xa9", "na\xc3\xafve| caf\xc3\xa9"},
        {"\xc2\xa0non\xc2\xa0space", "\xc2\xa0|non|\xc2\xa0|space"},
        {"a \xc2\xa0 b", "a| \xc2\xa0| b"},
        {"\xe4\xb8\xad\xe6\x96\x87 x", "\xe4\xb8\xad\xe6\x96\x87| x"},
        {"emoji \xf0\x9f\x98\x80\xf0\x9f\x8e\x89 test", "emoji| \xf0\x9f\x98\x80\xf0\x9f\x8e\x89| test"},
        {"x\x01y", "x|\x01|y"},
        {" ", " "},
        {"   ", "   "},
        {"a ", "a| "},
        {"'", "'"},
        {"''s", "''|s"},
        {"\n\nx", "\n|\n|x"},
    };
    char out[512];
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        pretok(cases[k][0], out);
        CHECK(strcmp(out, cases[k][1]) == 0, "case %zu: got [%s] want [%s]", k, out, cases[k][1]);
    }
}

/* ---- BPE against a naive reference of HF's GPT2Tokenizer.bpe ------------------- */
#define NSYM_MAX 512
static char *syms[NSYM_MAX];
static size_t nsyms;

static int sym_index(const char *s)
{
    for (size_t k = 0; k < nsyms; k++)
        if (strcmp(syms[k], s) == 0)
            return (int)k;
    return -1;
}

/* word: array of strings; merge exactly as the Python code does */
static size_t naive_bpe(char **word, size_t n, char **ml, char **mr, size_t nm, char *arena)
{
    size_t used = 0;
    while (n > 1) {
        long best = -1;
        for (size_t i = 0; i + 1 < n; i++)
            for (size_t r = 0; r < nm; r++)   /* rank of a pair: its LAST position */
                if (strcmp(word[i], ml[r]) == 0 && strcmp(word[i + 1], mr[r]) == 0
                    && (best < 0 || (long)r < best)) {
                    long last = (long)r;
                    for (size_t r2 = r + 1; r2 < nm; r2++)
                        if (strcmp(ml[r2], ml[r]) == 0 && strcmp(mr[r2], mr[r]) == 0)
                            last = (long)r2;
                    if (best < 0 || last < best)
                        best = last;
                }
        if (best < 0)
            break;
        const char *first = ml[best], *second = mr[best];
        size_t o = 0;
        for (size_t i = 0; i < n;) {
            if (i + 1 < n && strcmp(word[i], first) == 0 && strcmp(word[i + 1], second) == 0) {
                char *c = arena + used;
                strcpy(c, first);
                strcat(c, second);
                used += strlen(c) + 1;
                word[o++] = c;
                i += 2;
            } else
                word[o++] = word[i++];
        }
        n = o;
    }
    return n;
}

static void test_bpe_vs_naive(void)
{
    for (int trial = 0; trial < 40; trial++) {
        /* symbols: the letters a-e, then random merges of existing symbols */
        nsyms = 0;
        static char store[NSYM_MAX][64];
        for (int c = 0; c < 5; c++) {
            store[nsyms][0] = (char)('a' + c);
            store[nsyms][1] = '\0';
            syms[nsyms] = store[nsyms];
            nsyms++;
        }
        char *ml[200], *mr[200];
        size_t nm = 10 + rnd(60);
        for (size_t r = 0; r < nm; r++) {
            char *a = syms[rnd((unsigned)nsyms)], *b = syms[rnd((unsigned)nsyms)];
            ml[r] = a;
            mr[r] = b;
            if (strlen(a) + strlen(b) < 63 && nsyms < NSYM_MAX) {
                char cat[64];
                snprintf(cat, sizeof cat, "%s%s", a, b);
                if (sym_index(cat) < 0) {
                    strcpy(store[nsyms], cat);
                    syms[nsyms] = store[nsyms];
                    nsyms++;
                }
            }
        }
        tok_str vocab[NSYM_MAX], l[200], rr[200];
        for (size_t k = 0; k < nsyms; k++)
            vocab[k] = S(syms[k]);
        for (size_t r = 0; r < nm; r++) {
            l[r] = S(ml[r]);
            rr[r] = S(mr[r]);
        }
        bpe_model m;
        cka_error err;
        tok_str unk = S("a");
        if (bpe_init(&m, nsyms, vocab, nm, l, rr, &unk, 0, NULL, NULL, 0, &err) != 0) {
            CHECK(0, "bpe_init: %s", err.msg);
            continue;
        }
        tok_out out;
        tok_out_init(&out, 1);
        for (int w = 0; w < 30; w++) {
            char text[80];
            size_t n = 1 + rnd(70);
            for (size_t i = 0; i < n; i++)
                text[i] = (char)('a' + rnd(rnd(2) ? 2 : 5));   /* many repeats */
            text[n] = '\0';
            tok_out_reset(&out);
            for (int rep = 0; rep < 2; rep++) {   /* second time from the cache */
                tok_out_reset(&out);
                CHECK(bpe_encode(&m, text, n, &out, &err) == 0, "encode");
            }
            char *word[80];
            static char arena[80 * 80 * 8];
            for (size_t i = 0; i < n; i++)
                word[i] = syms[text[i] - 'a'];
            size_t k = naive_bpe(word, n, ml, mr, nm, arena);
            int same = k == out.n;
            for (size_t i = 0; same && i < k; i++)
                same = strcmp(word[i], out.buf + out.tok_off[i]) == 0
                       && out.ids[i] == sym_index(word[i]);
            CHECK(same, "trial %d word %s: %zu tokens, naive %zu", trial, text, out.n, k);
        }
        tok_out_free(&out);
        bpe_free(&m);
    }
}

static void test_bpe_specials_and_unk(void)
{
    /* byte symbols for ' ' (U+0120) are missing: they become unk */
    tok_str vocab[] = {S("h"), S("i"), S("hi"), S("<|endoftext|>")};
    tok_str l[] = {S("h")}, r[] = {S("i")};
    tok_str sp[] = {S("<|endoftext|>")};
    int32_t spid[] = {3};
    bpe_model m;
    cka_error err;
    tok_str unk = S("<|endoftext|>");
    CHECK(bpe_init(&m, 4, vocab, 1, l, r, &unk, 1, sp, spid, 0, &err) == 0, "init");
    tok_out out;
    tok_out_init(&out, 1);
    const char *t = "hi<|endoftext|>hi h";
    CHECK(bpe_encode(&m, t, strlen(t), &out, &err) == 0, "encode");
    int32_t want[] = {2, 3, 2, 3, 0};
    CHECK(out.n == 5, "5 tokens, got %zu", out.n);
    for (size_t k = 0; k < out.n && k < 5; k++)
        CHECK(out.ids[k] == want[k], "id %zu: %d", k, out.ids[k]);
    /* the substituted symbol is reported with its own string */
    CHECK(out.n_odd == 1 && out.odd[0] == 3 && out.odd_len[0] == 2
              && memcmp(out.odd_buf.p + out.odd_off[0], "\xc4\xa0", 2) == 0, "odd token");
    tok_out_free(&out);
    bpe_free(&m);
    /* without an unknown token, a missing symbol is an error */
    CHECK(bpe_init(&m, 4, vocab, 1, l, r, NULL, 0, NULL, NULL, 0, &err) == 0, "init 2");
    tok_out_init(&out, 0);
    cka_error_clear(&err);
    CHECK(bpe_encode(&m, "h i", 3, &out, &err) != 0 && strcmp(err.id, "cka:tokenizer:missingToken") == 0,
          "missing symbol");
    tok_out_free(&out);
    bpe_free(&m);
    CHECK(bpe_init(&m, 3, vocab, 1, l, r, &unk, 0, NULL, NULL, 0, &err) != 0
              && strcmp(err.id, "cka:tokenizer:missingToken") == 0, "unk not in vocab");
}

static void test_bpe_long_word(void)
{
    /* a 200,000-byte single piece: linearithmic merge, no hang */
    tok_str vocab[] = {S("a"), S("aa"), S("aaaa")};
    tok_str l[] = {S("a"), S("aa")}, r[] = {S("a"), S("aa")};
    bpe_model m;
    cka_error err;
    CHECK(bpe_init(&m, 3, vocab, 2, l, r, NULL, 0, NULL, NULL, 0, &err) == 0, "init");
    size_t n = 200001;
    char *t = malloc(n);
    memset(t, 'a', n);
    tok_out out;
    tok_out_init(&out, 0);
    CHECK(bpe_encode(&m, t, n, &out, &err) == 0, "encode");
    CHECK(out.n == 50001, "tokens %zu", out.n);
    CHECK(out.n > 0 && out.ids[0] == 2 && out.ids[out.n - 1] == 0, "aaaa ... a");
    tok_out_free(&out);
    free(t);
    bpe_free(&m);
}

static void test_decode_bytes(void)
{
    tok_buf b;
    tok_buf_init(&b);
    /* "Ġworld" -> " world"; "Ã©" -> "é" */
    CHECK(bpe_decode_bytes("\xc4\xa0world", 7, &b) == 0 && strcmp(b.p, " world") == 0, "space");
    CHECK(bpe_decode_bytes("\xc3\x83\xc2\xa9", 4, &b) == 0 && strcmp(b.p, "\xc3\xa9") == 0, "e acute");
    /* ðŁĺ = F0 9F 98: one maximal subpart -> one U+FFFD */
    CHECK(bpe_decode_bytes("\xc3\xb0\xc5\x81\xc4\xba", 6, &b) == 0 && strcmp(b.p, "\xef\xbf\xbd") == 0,
          "truncated 4-byte sequence: [%s]", b.p);
    /* C3 then '(' -> U+FFFD '(' ; E0 80 -> two U+FFFD */
    CHECK(bpe_decode_bytes("\xc3\x83(", 3, &b) == 0 && strcmp(b.p, "\xef\xbf\xbd(") == 0, "C3 (");
    CHECK(bpe_decode_bytes("\xc3\xa0\xc4\xa2", 4, &b) == 0
              && strcmp(b.p, "\xef\xbf\xbd\xef\xbf\xbd") == 0, "E0 80");
    /* characters outside the map pass through */
    CHECK(bpe_decode_bytes("\xe4\xb8\xad", 3, &b) == 0 && strcmp(b.p, "\xe4\xb8\xad") == 0, "CJK");
    tok_buf_free(&b);
}

/* ---- WordPiece ------------------------------------------------------------------ */
static void wp_case(wp_model *m, const char *text, const char *want)
{
    tok_out out;
    tok_out_init(&out, 1);
    cka_error err;
    char got[1024] = "";
    if (wp_encode(m, text, strlen(text), &out, &err) != 0)
        snprintf(got, sizeof got, "<error %s>", err.id);
    for (size_t k = 0; k < out.n; k++) {
        if (k)
            strcat(got, " ");
        strcat(got, out.buf + out.tok_off[k]);
    }
    CHECK(strcmp(got, want) == 0, "[%s]: got [%s] want [%s]", text, got, want);
    tok_out_free(&out);
}

static void test_wordpiece(void)
{
    const char *words[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able",
                           "hello", ",", "!", "cafe", "\xe4\xb8\xad", "i", "##\xcc\x87", "a", "##a",
                           "\xcf\x83", "ab", "##c", "-", "x"};
    size_t nv = sizeof words / sizeof *words;
    tok_str vocab[32];
    for (size_t k = 0; k < nv; k++)
        vocab[k] = S(words[k]);
    tok_str sp[] = {S("[CLS]"), S("[SEP]"), S("[MASK]"), S("[UNK]"), S("[PAD]")};
    int32_t spid[] = {2, 3, 4, 1, 0};
    wp_options o = {1, -1, 1, 1, 1, 100, {"##", 2}, {"[UNK]", 5}};
    wp_model m;
    cka_error err;
    CHECK(wp_init(&m, &o, nv, vocab, 5, sp, spid, &err) == 0, "init");
    wp_case(&m, "unaffable", "un ##aff ##able");
    wp_case(&m, "Hello, HELLO!", "hello , hello !");
    wp_case(&m, "  \t\n", "");
    wp_case(&m, "", "");
    wp_case(&m, "Caf\xc3\xa9 CAFE\xcc\x81", "cafe cafe");          /* accents, NFD */
    wp_case(&m, "x\xe4\xb8\xadx", "x \xe4\xb8\xad x");               /* CJK split */
    wp_case(&m, "x\x01x\xe2\x80\x8bx", "[UNK]");                     /* controls/Cf dropped: xxx */
    wp_case(&m, "a\xc2\xa0" "a", "a a");                             /* NBSP is whitespace */
    wp_case(&m, "a\xe2\x80\xa8" "a", "a a");                         /* U+2028 splits (str.split) */
    wp_case(&m, "[MASK]x[CLS]", "[MASK] x [CLS]");
    wp_case(&m, "[mask]", "[UNK] [UNK] [UNK]");                      /* [ mask ] */
    wp_case(&m, "\xc4\xb0", "i");                                    /* İ -> i + U+0307 -> i */
    wp_case(&m, "\xce\xa3", "\xcf\x83");                             /* Σ -> σ, no final sigma */
    wp_case(&m, "abc abd", "ab ##c [UNK]");
    wp_case(&m, "x-x", "x - x");
    wp_case(&m, "\xef\xbf\xbd" "x\x00", "x");                        /* U+FFFD, NUL dropped */
    char longw[202];
    memset(longw, 'a', 100);
    longw[100] = '\0';
    char want[400] = "a";
    for (int k = 1; k < 100; k++)
        strcat(want, " ##a");
    wp_case(&m, longw, want);                                        /* 100 chars: pieces */
    longw[100] = 'a';
    longw[101] = '\0';
    wp_case(&m, longw, "[UNK]");                                     /* 101 chars: unk */
    wp_free(&m);

    /* no lower-casing, explicit strip_accents */
    wp_options o2 = {0, 1, 1, 1, 1, 100, {"##", 2}, {"[UNK]", 5}};
    CHECK(wp_init(&m, &o2, nv, vocab, 5, sp, spid, &err) == 0, "init 2");
    wp_case(&m, "cafe\xcc\x81 Cafe", "cafe [UNK]");
    wp_free(&m);
    wp_options o3 = {1, 0, 0, 1, 1, 100, {"##", 2}, {"[UNK]", 5}};
    CHECK(wp_init(&m, &o3, nv, vocab, 5, sp, spid, &err) == 0, "init 3");
    wp_case(&m, "\xc4\xb0", "i ##\xcc\x87");                         /* accents kept */
    wp_case(&m, "x\xe4\xb8\xadx", "[UNK]");                          /* no CJK split */
    wp_free(&m);
    wp_options bad = {1, -1, 1, 1, 1, 100, {"##", 2}, {"<unk>", 5}};
    CHECK(wp_init(&m, &bad, nv, vocab, 0, NULL, NULL, &err) != 0
              && strcmp(err.id, "cka:tokenizer:missingToken") == 0, "unk missing");
}

int main(void)
{
    RUN(test_hash);
    RUN(test_utf8);
    RUN(test_vocab_txt);
    RUN(test_merges_txt);
    RUN(test_readers_random_bytes);
    RUN(test_byte_map);
    RUN(test_pretokenizer);
    RUN(test_bpe_vs_naive);
    RUN(test_bpe_specials_and_unk);
    RUN(test_bpe_long_word);
    RUN(test_decode_bytes);
    RUN(test_wordpiece);
    return CHECK_REPORT();
}
