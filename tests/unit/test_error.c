/*
 * Unit tests of lib/src/error.c: the error table behind etcd_strerror() and
 * etcd_err_name(), and etcd_action_name().
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include "etcd/etcd.h"

static const struct {
    int value;
    const char *name;
    const char *desc;
} table[] = {
#define ROW(name, value, desc) {value, #name, desc},
    ETCD_ERRNO_MAP(ROW)
#undef ROW
};

#define NROWS (sizeof(table) / sizeof(table[0]))

/* Every code has its own description and name, straight from the table. */
static void test_every_code(void)
{
    size_t i;

    CU_ASSERT_EQUAL(NROWS, 14);
    for (i = 0; i < NROWS; i++) {
        CU_ASSERT(table[i].value < 0);
        CU_ASSERT_STRING_EQUAL(etcd_strerror(table[i].value), table[i].desc);
        CU_ASSERT_STRING_EQUAL(etcd_err_name(table[i].value), table[i].name);
        CU_ASSERT_STRING_NOT_EQUAL(etcd_strerror(table[i].value), "unknown error");
    }
}

/* The values users compare against are stable (they are ABI). */
static void test_values_are_stable(void)
{
    CU_ASSERT_EQUAL(ETCD_OK, 0);
    CU_ASSERT_EQUAL(ETCD_ENOMEM, -1);
    CU_ASSERT_EQUAL(ETCD_EINVAL, -2);
    CU_ASSERT_EQUAL(ETCD_ETRANSPORT, -3);
    CU_ASSERT_EQUAL(ETCD_ETIMEDOUT, -4);
    CU_ASSERT_EQUAL(ETCD_ETLS, -5);
    CU_ASSERT_EQUAL(ETCD_EPROTO, -6);
    CU_ASSERT_EQUAL(ETCD_ETOOBIG, -7);
    CU_ASSERT_EQUAL(ETCD_EETCD, -8);
    CU_ASSERT_EQUAL(ETCD_EHTTP, -9);
    CU_ASSERT_EQUAL(ETCD_ECANCELED, -10);
    CU_ASSERT_EQUAL(ETCD_ECLEARED, -11);
    CU_ASSERT_EQUAL(ETCD_EBUSY, -12);
    CU_ASSERT_EQUAL(ETCD_ECOMPACTED, -13);
    CU_ASSERT_EQUAL(ETCD_ENOTFOUND, -14);
    CU_ASSERT_STRING_EQUAL(etcd_strerror(ETCD_EETCD), "etcd returned an error");
    CU_ASSERT_STRING_EQUAL(etcd_err_name(ETCD_ECLEARED), "ECLEARED");
    CU_ASSERT_STRING_EQUAL(etcd_err_name(ETCD_ETIMEDOUT), "ETIMEDOUT");
}

/* No two codes share a value, a name or a description. */
static void test_codes_distinct(void)
{
    size_t i;
    size_t j;

    for (i = 0; i < NROWS; i++) {
        for (j = i + 1; j < NROWS; j++) {
            CU_ASSERT_NOT_EQUAL(table[i].value, table[j].value);
            CU_ASSERT_STRING_NOT_EQUAL(table[i].name, table[j].name);
            CU_ASSERT_STRING_NOT_EQUAL(table[i].desc, table[j].desc);
        }
    }
}

static void test_ok_and_unknown(void)
{
    CU_ASSERT_STRING_EQUAL(etcd_err_name(ETCD_OK), "OK");
    CU_ASSERT_PTR_NOT_NULL(etcd_strerror(ETCD_OK));
    CU_ASSERT_STRING_NOT_EQUAL(etcd_strerror(ETCD_OK), "unknown error");
    CU_ASSERT_STRING_EQUAL(etcd_strerror(1), "unknown error");
    CU_ASSERT_STRING_EQUAL(etcd_strerror(-15), "unknown error");
    CU_ASSERT_STRING_EQUAL(etcd_strerror(-100000), "unknown error");
    CU_ASSERT_STRING_EQUAL(etcd_err_name(1), "UNKNOWN");
    CU_ASSERT_STRING_EQUAL(etcd_err_name(-15), "UNKNOWN");
    CU_ASSERT_STRING_EQUAL(etcd_err_name(-2147483647 - 1), "UNKNOWN");
}

/* etcd's own spelling of each action, as the CLI's JSON and users' logs show it. */
static void test_action_names(void)
{
    CU_ASSERT_STRING_EQUAL(etcd_action_name(ETCD_ACTION_NONE), "");
    CU_ASSERT_STRING_EQUAL(etcd_action_name(ETCD_ACTION_GET), "get");
    CU_ASSERT_STRING_EQUAL(etcd_action_name(ETCD_ACTION_SET), "set");
    CU_ASSERT_STRING_EQUAL(etcd_action_name(ETCD_ACTION_CREATE), "create");
    CU_ASSERT_STRING_EQUAL(etcd_action_name(ETCD_ACTION_UPDATE), "update");
    CU_ASSERT_STRING_EQUAL(etcd_action_name(ETCD_ACTION_DELETE), "delete");
    CU_ASSERT_STRING_EQUAL(etcd_action_name(ETCD_ACTION_EXPIRE), "expire");
    CU_ASSERT_STRING_EQUAL(etcd_action_name(ETCD_ACTION_COMPARE_AND_SWAP),
                           "compareAndSwap");
    CU_ASSERT_STRING_EQUAL(etcd_action_name(ETCD_ACTION_COMPARE_AND_DELETE),
                           "compareAndDelete");
    CU_ASSERT_STRING_EQUAL(etcd_action_name((etcd_action)999), "");
    CU_ASSERT_STRING_EQUAL(etcd_action_name((etcd_action)-1), "");
}

static void test_library_version(void)
{
    CU_ASSERT_STRING_EQUAL(etcd_library_version(), "0.1.0");
}

int test_unit_error_add(void)
{
    CU_pSuite s = CU_add_suite("unit_error", NULL, NULL);

    if (s == NULL ||
        !CU_add_test(s, "every code: name and description", test_every_code) ||
        !CU_add_test(s, "values are stable", test_values_are_stable) ||
        !CU_add_test(s, "codes are distinct", test_codes_distinct) ||
        !CU_add_test(s, "OK and unknown codes", test_ok_and_unknown) ||
        !CU_add_test(s, "action names", test_action_names) ||
        !CU_add_test(s, "library version", test_library_version)) {
        return -1;
    }
    return 0;
}
