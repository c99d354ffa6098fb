/* failmalloc.c: fail the Nth allocation, to prove the error paths (Jansson's
 * test_chaos.c, nghttp2's failmalloc). The test binary is linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc, so the units' calls land here. */
#include "suites.h"

#include <stddef.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static long fail_at;
static long count;

void tu_fail_alloc(long n)
{
    fail_at = n;
    count = 0;
}

long tu_alloc_count(void)
{
    return count;
}

static int should_fail(void)
{
    if (fail_at <= 0)
        return 0;
    count++;
    return count == fail_at;
}

void *__wrap_malloc(size_t size)
{
    return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return should_fail() ? NULL : __real_realloc(p, size);
}
