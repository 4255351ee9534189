/* The Qwen2 / Llama-3 pre-tokeniser (a Split pre-tokenizer of tokenizer.json
 * with behaviour Isolated); see bpe.h.
 *
 * Hugging Face tokenizers runs the pattern with a backtracking regex engine
 * (Oniguruma), which at each position returns the first alternative that
 * matches.  The scanner below tries the alternatives in the same order and,
 * for each, works out by hand where the backtracking engine would stop, so
 * no regex library is needed.  Character classes come from utf8proc through
 * tok_common.c: \p{L} = Lu Ll Lt Lm Lo, \p{N} = Nd Nl No, \s = the Unicode
 * White_Space property (the definition of both Oniguruma and Python's
 * `regex`, used to generate the test cases). */
#include "tok/bpe.h"

enum { C_LETTER, C_NUMBER, C_SPACE, C_OTHER };

static int cls(int32_t cp)
{
    if (tok_is_letter(cp))
        return C_LETTER;
    if (tok_is_number(cp))
        return C_NUMBER;
    if (tok_is_regex_space(cp))
        return C_SPACE;
    return C_OTHER;
}

static int is_crlf(int32_t cp)
{
    return cp == '\r' || cp == '\n';
}

/* bytes of the run of class c starting at s[i] (at most max characters) */
static size_t run_cls(const char *s, size_t n, size_t i, int c, size_t max)
{
    size_t j = i, k = 0;
    while (j < n && k < max) {
        int32_t cp;
        size_t l = tok_utf8_next(s + j, n - j, &cp);
        if (cls(cp) != c)
            break;
        j += l;
        k++;
    }
    return j - i;
}

static size_t run_crlf(const char *s, size_t n, size_t i)
{
    size_t j = i;
    while (j < n && (s[j] == '\r' || s[j] == '\n'))
        j++;
    return j - i;
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d): bytes of the contraction at s (0: none).
 * Case-insensitive matching uses simple case folding, under which U+017F
 * LATIN SMALL LETTER LONG S is an 's' too (Oniguruma and Python `regex`
 * agree; no other character folds to one of these letters). */
static size_t contraction(const char *s, size_t n)
{
    if (n < 2 || s[0] != '\'')
        return 0;
    int32_t c1;
    size_t l1 = tok_utf8_next(s + 1, n - 1, &c1);
    if (c1 == 0x17F)
        return 1 + l1;
    if (c1 >= 'A' && c1 <= 'Z')
        c1 += 'a' - 'A';
    if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd')
        return 2;
    if (n < 3 || !(c1 == 'r' || c1 == 'v' || c1 == 'l'))
        return 0;
    int c2 = s[2] >= 'A' && s[2] <= 'Z' ? s[2] + ('a' - 'A') : s[2];
    if ((c1 == 'l' && c2 == 'l') || (c1 != 'l' && c2 == 'e'))
        return 3;
    return 0;
}

size_t bpe_pretok_split_next(const char *s, size_t n, int max_digits)
{
    if (n == 0)
        return 0;
    size_t m = contraction(s, n);
    if (m > 0)
        return m;
    int32_t c0;
    size_t l0 = tok_utf8_next(s, n, &c0);
    int k0 = cls(c0);
    /* [^\r\n\p{L}\p{N}]?\p{L}+ : the optional character is taken when a
     * letter follows it; without it, the run must start here */
    if ((k0 == C_SPACE || k0 == C_OTHER) && !is_crlf(c0) && l0 < n) {
        int32_t c1;
        tok_utf8_next(s + l0, n - l0, &c1);
        if (cls(c1) == C_LETTER)
            return l0 + run_cls(s, n, l0, C_LETTER, SIZE_MAX);
    }
    if (k0 == C_LETTER)
        return run_cls(s, n, 0, C_LETTER, SIZE_MAX);
    /* \p{N} (Qwen2) or \p{N}{1,3} (Llama-3) */
    if (k0 == C_NUMBER)
        return run_cls(s, n, 0, C_NUMBER, (size_t)(max_digits > 0 ? max_digits : 1));
    /*  ?[^\s\p{L}\p{N}]+[\r\n]* */
    if (c0 == ' ' && n > 1) {
        int32_t c1;
        tok_utf8_next(s + 1, n - 1, &c1);
        if (cls(c1) == C_OTHER) {
            size_t j = 1 + run_cls(s, n, 1, C_OTHER, SIZE_MAX);
            return j + run_crlf(s, n, j);
        }
    }
    if (k0 == C_OTHER) {
        size_t j = run_cls(s, n, 0, C_OTHER, SIZE_MAX);
        return j + run_crlf(s, n, j);
    }
    /* c0 is whitespace.  \s*[\r\n]+ : \s* first takes the whole run, then
     * gives characters back until [\r\n]+ can start; that happens at the
     * run's last CR/LF, and [\r\n]+ ends right after it (the next character
     * is no CR/LF, or the run would have continued). */
    size_t run = 0, last = 0, crlf_end = 0;
    while (run < n) {
        int32_t cp;
        size_t l = tok_utf8_next(s + run, n - run, &cp);
        if (!tok_is_regex_space(cp))
            break;
        last = l;
        run += l;
        if (is_crlf(cp))
            crlf_end = run;
    }
    if (crlf_end > 0)
        return crlf_end;
    /* \s+(?!\S) then \s+, as in the GPT-2 pattern (bpe_pretok_next) */
    if (run == n)
        return run;
    if (run > last)
        return run - last;
    return l0;
}
