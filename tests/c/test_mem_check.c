/* Tests of src/core/common/mem_check.c: sizes from users are refused, with
 * cka:memory:tooLarge naming what they are for, when they overflow or
 * exceed the physical memory; sizes that fit pass. */
#include "check.h"
#include "common/mem_check.h"

#include <stdint.h>
#include <string.h>

static void test_fits(void)
{
    cka_error e;
    cka_error_clear(&e);
    CHECK(cka_mem_physical() > ((uint64_t)1 << 24), "physical memory %llu",
          (unsigned long long)cka_mem_physical());
    CHECK(cka_mem_check(1000, 8, "x", &e) == 0, "%s", e.msg);
    CHECK(cka_mem_check(0, 8, "x", &e) == 0, "%s", e.msg);
    CHECK(cka_mem_check(1 << 20, 0, "x", &e) == 0, "%s", e.msg);
}

static void test_refused(void)
{
    cka_error e;
    cka_error_clear(&e);
    const uint64_t have = cka_mem_physical();
    CHECK(cka_mem_check(have / 8 + 1, 8, "the Gram matrices", &e) == -1, "over memory accepted");
    CHECK(strcmp(e.id, "cka:memory:tooLarge") == 0, "%s", e.id);
    CHECK(strstr(e.msg, "the Gram matrices: ") == e.msg && strstr(e.msg, "GB of memory"), "%s",
          e.msg);
    cka_error_clear(&e);
    CHECK(cka_mem_check(UINT64_MAX / 2, 3, "an overflow", &e) == -1, "overflow accepted");
    CHECK(strstr(e.msg, "overflows") != NULL, "%s", e.msg);
}

int main(void)
{
    RUN(test_fits);
    RUN(test_refused);
    return CHECK_REPORT();
}
