/*
 * Helpers shared by the unit suites (no network).
 */
#ifndef ETCD_TESTS_UTEST_H
#define ETCD_TESTS_UTEST_H

#include <stddef.h>

#include <CUnit/CUnit.h>

/* Read tests/unit/data/<name> into a new NUL-terminated buffer (free() it); *len gets
 * its size. NULL, with a CUnit failure naming the file, when it cannot be read. */
char *utest_read_file(const char *name, size_t *len);

/* The HTTP status captured with tests/unit/data/<name>.json (its .status file), or
 * `fallback` when there is none. */
long utest_read_status(const char *name, long fallback);

/* CU_ASSERT_STRING_EQUAL that also accepts two NULLs and fails cleanly on one NULL. */
#define UTEST_STR_EQ(actual, expected)                                                   \
    do {                                                                                 \
        const char *utest_a_ = (actual);                                                 \
        const char *utest_e_ = (expected);                                               \
        if (utest_a_ == NULL || utest_e_ == NULL) {                                      \
            CU_ASSERT_PTR_EQUAL(utest_a_, utest_e_);                                     \
        } else {                                                                         \
            CU_ASSERT_STRING_EQUAL(utest_a_, utest_e_);                                  \
        }                                                                                \
    } while (0)

#endif /* ETCD_TESTS_UTEST_H */
