/*
 * Unit tests of lib/src/buf.c: the bounded growable buffer every response body, watch
 * frame and URL goes through.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "buf_int.h"
#include "etcd/error.h"

static void test_append_grows_and_terminates(void)
{
    etcd__buf b = {0};
    char big[5000];
    size_t i;

    CU_ASSERT_EQUAL(etcd__buf_append(&b, "abc", 3, 100), ETCD_OK);
    CU_ASSERT_EQUAL(b.len, 3);
    CU_ASSERT_STRING_EQUAL(b.data, "abc");
    for (i = 0; i < sizeof(big); i++) {
        big[i] = (char)('a' + i % 26);
    }
    CU_ASSERT_EQUAL(etcd__buf_append(&b, big, sizeof(big), ETCD__BUF_NOLIMIT), ETCD_OK);
    CU_ASSERT_EQUAL(b.len, 3 + sizeof(big));
    CU_ASSERT(b.cap > b.len);
    CU_ASSERT_EQUAL(b.data[b.len], '\0');
    CU_ASSERT(memcmp(b.data + 3, big, sizeof(big)) == 0);
    etcd__buf_free(&b);
}

/* Binary data (NUL bytes) is kept byte for byte. */
static void test_append_binary(void)
{
    etcd__buf b = {0};
    static const char bytes[] = {'a', '\0', 'b', '\xff', '\0'};

    CU_ASSERT_EQUAL(etcd__buf_append(&b, bytes, sizeof(bytes), 64), ETCD_OK);
    CU_ASSERT_EQUAL(b.len, sizeof(bytes));
    CU_ASSERT(memcmp(b.data, bytes, sizeof(bytes)) == 0);
    etcd__buf_free(&b);
}

/* Exactly the limit fits; one byte more is ETCD_ETOOBIG and appends nothing. */
static void test_limit_is_hard(void)
{
    etcd__buf b = {0};

    CU_ASSERT_EQUAL(etcd__buf_append(&b, "0123456789", 10, 16), ETCD_OK);
    CU_ASSERT_EQUAL(etcd__buf_append(&b, "abcdef", 6, 16), ETCD_OK);
    CU_ASSERT_EQUAL(b.len, 16);
    CU_ASSERT_EQUAL(etcd__buf_append(&b, "X", 1, 16), ETCD_ETOOBIG);
    CU_ASSERT_EQUAL(b.len, 16);
    CU_ASSERT_STRING_EQUAL(b.data, "0123456789abcdef");
    /* a single chunk larger than the limit, and a size that would overflow */
    etcd__buf_reset(&b);
    CU_ASSERT_EQUAL(b.len, 0);
    CU_ASSERT_EQUAL(etcd__buf_append(&b, "0123456789", 10, 9), ETCD_ETOOBIG);
    CU_ASSERT_EQUAL(b.len, 0);
    CU_ASSERT_EQUAL(etcd__buf_append(&b, "ab", 2, 9), ETCD_OK);
    CU_ASSERT_EQUAL(etcd__buf_append(&b, "ab", (size_t)-1, 9), ETCD_ETOOBIG);
    CU_ASSERT_EQUAL(etcd__buf_append(&b, "ab", (size_t)-1, ETCD__BUF_NOLIMIT),
                    ETCD_ETOOBIG);
    CU_ASSERT_EQUAL(b.len, 2);
    etcd__buf_free(&b);
}

/* Byte-by-byte accumulation gives the same bytes as one append. */
static void test_byte_by_byte(void)
{
    etcd__buf b = {0};
    const char *s = "{\"action\":\"get\",\"node\":{\"key\":\"/a\",\"value\":\"b\"}}";
    size_t n = strlen(s);
    size_t i;

    for (i = 0; i < n; i++) {
        CU_ASSERT_EQUAL_FATAL(etcd__buf_append(&b, s + i, 1, n), ETCD_OK);
        CU_ASSERT_EQUAL(b.data[b.len], '\0');
    }
    CU_ASSERT_EQUAL(b.len, n);
    CU_ASSERT_STRING_EQUAL(b.data, s);
    CU_ASSERT_EQUAL(etcd__buf_append(&b, "}", 1, n), ETCD_ETOOBIG);
    etcd__buf_free(&b);
}

static void test_reset_steal_free(void)
{
    etcd__buf b = {0};
    char *s;

    CU_ASSERT_PTR_NULL(etcd__buf_steal(&b));
    CU_ASSERT_EQUAL(etcd__buf_puts(&b, "hello"), ETCD_OK);
    etcd__buf_reset(&b);
    CU_ASSERT_EQUAL(b.len, 0);
    CU_ASSERT_STRING_EQUAL(b.data, "");
    CU_ASSERT_EQUAL(etcd__buf_puts(&b, "again"), ETCD_OK);
    s = etcd__buf_steal(&b);
    CU_ASSERT_STRING_EQUAL(s, "again");
    CU_ASSERT_PTR_NULL(b.data);
    CU_ASSERT_EQUAL(b.len, 0);
    free(s);
    etcd__buf_free(&b); /* empty: nothing to free */
    etcd__buf_free(&b); /* twice is harmless */
}

static void test_printf(void)
{
    etcd__buf b = {0};
    char longer[300];

    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    CU_ASSERT_EQUAL(etcd__buf_printf(&b, "%s=%d;", "n", 42), ETCD_OK);
    CU_ASSERT_EQUAL(etcd__buf_printf(&b, "[%s]", longer), ETCD_OK);
    CU_ASSERT_EQUAL(b.len, 5 + 2 + sizeof(longer) - 1);
    CU_ASSERT(strncmp(b.data, "n=42;[xxx", 9) == 0);
    CU_ASSERT_EQUAL(b.data[b.len - 1], ']');
    CU_ASSERT_EQUAL(b.data[b.len], '\0');
    etcd__buf_free(&b);
}

/* Keys with spaces, ?, #, %, +, & and UTF-8 are escaped so that etcd sees them as they
 * are; '/' stays a path separator only when asked. */
static void test_escape(void)
{
    etcd__buf b = {0};

    CU_ASSERT_EQUAL(etcd__buf_put_escaped(&b, "/a b/?#%+&/gr\xc3\xbc\xc3\x9f~-._", 1),
                    ETCD_OK);
    CU_ASSERT_STRING_EQUAL(b.data, "/a%20b/%3F%23%25%2B%26/gr%C3%BC%C3%9F~-._");
    etcd__buf_reset(&b);
    CU_ASSERT_EQUAL(etcd__buf_put_escaped(&b, "a/b=c;d", 0), ETCD_OK);
    CU_ASSERT_STRING_EQUAL(b.data, "a%2Fb%3Dc%3Bd");
    etcd__buf_reset(&b);
    CU_ASSERT_EQUAL(etcd__buf_put_escaped(&b, "\x01\x7f\xff", 0), ETCD_OK);
    CU_ASSERT_STRING_EQUAL(b.data, "%01%7F%FF");
    etcd__buf_reset(&b);
    CU_ASSERT_EQUAL(etcd__buf_put_escaped(&b, "", 0), ETCD_OK);
    CU_ASSERT_EQUAL(b.len, 0);
    etcd__buf_free(&b);
}

int test_unit_buf_add(void)
{
    CU_pSuite s = CU_add_suite("unit_buf", NULL, NULL);

    if (s == NULL ||
        !CU_add_test(s, "append grows and terminates",
                     test_append_grows_and_terminates) ||
        !CU_add_test(s, "append keeps binary data", test_append_binary) ||
        !CU_add_test(s, "the limit is hard", test_limit_is_hard) ||
        !CU_add_test(s, "byte-by-byte accumulation", test_byte_by_byte) ||
        !CU_add_test(s, "reset, steal, free", test_reset_steal_free) ||
        !CU_add_test(s, "printf", test_printf) ||
        !CU_add_test(s, "escaping of keys and values", test_escape)) {
        return -1;
    }
    return 0;
}
