/*
 * etcd_tests: the one CUnit runner of libetcd's unit and integration suites.
 *
 *   etcd_tests             run every suite
 *   etcd_tests NAME...     run the named suites (ctest runs each on its own)
 *   etcd_tests --list      print the suite names
 *
 * Exit status: 0 when every selected test ran and passed, 1 on a failure (a suite
 * whose set-up failed counts, so does a selection that ran no test), 2 on bad usage.
 * Unit suites need no network; integration suites read the ETCD_TEST_* variables that
 * tests/etcd-env.sh exports and fail when they are missing.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

/* XX(name): each test_<file>.c defines int test_<name>_add(void), which adds the
 * CUnit suite called <name> and returns 0, or -1 when CUnit could not add it. */
#define TEST_SUITES(XX)                                                                  \
    XX(unit_error)                                                                       \
    XX(unit_buf)                                                                         \
    XX(unit_response)                                                                    \
    XX(unit_headers)                                                                     \
    XX(unit_client)                                                                      \
    XX(unit_chaos)                                                                       \
    XX(unit_v3_fast)                                                                     \
    XX(it_keys)                                                                          \
    XX(it_errors)                                                                        \
    XX(it_watch)                                                                         \
    XX(it_client)                                                                        \
    XX(it_tls)                                                                           \
    XX(it_load)                                                                          \
    XX(it_cluster)                                                                       \
    XX(it_v3_cluster)                                                                    \
    XX(it_v3_concurrency)                                                                \
    XX(it_v3)

#define TEST_DECLARE(name) int test_##name##_add(void);
TEST_SUITES(TEST_DECLARE)
#undef TEST_DECLARE

static const struct {
    const char *name;
    int (*add)(void);
} suites[] = {
#define TEST_ENTRY(name) {#name, test_##name##_add},
    TEST_SUITES(TEST_ENTRY)
#undef TEST_ENTRY
};

#define NSUITES (sizeof(suites) / sizeof(suites[0]))

static int usage(const char *argv0)
{
    fprintf(stderr, "usage: %s [--list] [SUITE...]\n", argv0);
    return 2;
}

int main(int argc, char **argv)
{
    size_t i;
    int a;
    int status;

    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (i = 0; i < NSUITES; i++) {
            printf("%s\n", suites[i].name);
        }
        return 0;
    }
    for (a = 1; a < argc; a++) {
        int known = 0;
        for (i = 0; i < NSUITES; i++) {
            if (strcmp(argv[a], suites[i].name) == 0) {
                known = 1;
            }
        }
        if (!known) {
            fprintf(stderr, "etcd_tests: no suite named '%s' (see --list)\n", argv[a]);
            return usage(argv[0]);
        }
    }

    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "etcd_tests: CUnit: %s\n", CU_get_error_msg());
        return 1;
    }
    for (i = 0; i < NSUITES; i++) {
        if (suites[i].add() != 0) {
            fprintf(stderr, "etcd_tests: cannot add suite %s: %s\n", suites[i].name,
                    CU_get_error_msg());
            CU_cleanup_registry();
            return 1;
        }
    }

    CU_basic_set_mode(CU_BRM_VERBOSE);
    unsigned ran = 0;
    unsigned failures = 0;
    unsigned suites_failed = 0;
    if (argc == 1) {
        CU_basic_run_tests();
        ran = CU_get_number_of_tests_run();
        failures = CU_get_number_of_failure_records();
        suites_failed = CU_get_number_of_suites_failed();
    } else {
        for (a = 1; a < argc; a++) {
            CU_pSuite suite = CU_get_suite(argv[a]);
            if (suite == NULL) {
                fprintf(stderr, "etcd_tests: suite %s was not registered\n", argv[a]);
                suites_failed++;
                continue;
            }
            CU_basic_run_suite(suite);
            ran += CU_get_number_of_tests_run();
            failures += CU_get_number_of_failure_records();
            suites_failed += CU_get_number_of_suites_failed();
        }
    }
    printf("\n");
    status = 0;
    if (failures > 0 || suites_failed > 0) {
        fprintf(stderr, "etcd_tests: %u failure(s), %u suite(s) failed to set up\n",
                failures, suites_failed);
        status = 1;
    } else if (ran == 0) {
        fprintf(stderr, "etcd_tests: no test ran\n");
        status = 1;
    }
    CU_cleanup_registry();
    return status;
}
