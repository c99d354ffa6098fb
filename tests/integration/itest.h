/*
 * Helpers shared by the integration suites. They talk to the real etcd that
 * tests/etcd-env.sh started, through libetcd's public API only.
 */
#ifndef ETCD_TESTS_ITEST_H
#define ETCD_TESTS_ITEST_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "etcd/etcd.h"

/* The servers of tests/etcd-env.sh (ETCD_TEST_* variables). */
typedef struct itest_env {
    const char *endpoint;     /* plain http member */
    const char *tls_endpoint; /* https member with --client-cert-auth */
    const char *ca;
    const char *cert;
    const char *key;
    const char *dead; /* a loopback URL where nothing listens */
} itest_env;

extern itest_env itest;

/* CUnit suite set-up: reads the environment; fails (the suite counts as failed, with a
 * message) when a variable is missing. Never skips. */
int itest_suite_init(void);

/* A client on `endpoints` (NULL: the plain member) with a 10 s request timeout and
 * default options otherwise; CUnit-fatal when it cannot be made. */
etcd_client *itest_client(const char *endpoints);
etcd_client *itest_client_opts(etcd_client_opts *opts);

/* A fresh key prefix for one test ("/itest/<pid>-<n>"), so that tests and runs never
 * see each other's keys. Points into a static buffer rotated over 8 slots. */
const char *itest_prefix(void);

/* snprintf into buf and return it. */
const char *itest_key(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Run the client's own loop until *counter >= target or timeout_ms passed. Returns 1
 * when the target was reached, 0 on timeout (with a message). */
int itest_run_until(etcd_client *client, const int *counter, int target, long timeout_ms);

/* Milliseconds on a monotonic clock. */
int64_t itest_now_ms(void);

/* The server's X-Etcd-Index now (a GET of the root). */
uint64_t itest_etcd_index(etcd_client *client);

/* The number of watchers the server holds (/v2/stats/store): a test waits for it to
 * grow so that a change made next is certainly seen by a watch started at index 0. */
uint64_t itest_watchers(etcd_client *client);

/* Blocking set that must succeed; returns the new node's modifiedIndex. */
uint64_t itest_set(etcd_client *client, const char *key, const char *value);

/* Print a response (status, etcd error, reason) when a test is about to fail on it. */
void itest_dump(const char *what, const etcd_response *resp);

/* Put a member used for v3 auth tests back as the tests found it: auth off (disabled as
 * root with root_password when it is on), no users, no roles. No CUnit assertion: it
 * also runs in suites' set-up and clean-up. */
void itest_v3_auth_reset(const char *endpoint, const char *root_password);

/* The number of running tests' scale factor for heavy loads: ETCD_TEST_SCALE (a
 * divisor, default 1) lets the valgrind pass run the same tests with fewer requests. */
int itest_scale(int n);

#define ITEST_STR_EQ(actual, expected)                                                   \
    do {                                                                                 \
        const char *itest_a_ = (actual);                                                 \
        const char *itest_e_ = (expected);                                               \
        if (itest_a_ == NULL || itest_e_ == NULL) {                                      \
            CU_ASSERT_PTR_EQUAL(itest_a_, itest_e_);                                     \
        } else {                                                                         \
            CU_ASSERT_STRING_EQUAL(itest_a_, itest_e_);                                  \
        }                                                                                \
    } while (0)

/* Assert a _sync call's status, printing the response when it differs. */
#define ITEST_STATUS(rc, resp, expected)                                                 \
    do {                                                                                 \
        int itest_rc_ = (rc);                                                            \
        CU_ASSERT_EQUAL(itest_rc_, (expected));                                          \
        if (itest_rc_ != (expected)) {                                                   \
            itest_dump(#rc, (resp));                                                     \
        }                                                                                \
    } while (0)

#endif /* ETCD_TESTS_ITEST_H */
