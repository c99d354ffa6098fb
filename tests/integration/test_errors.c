/*
 * Integration tests of error reporting against a real etcd: etcd's errors 101, 107,
 * 108 and 401 arrive with code, message, cause and index; transport errors name the
 * endpoint and the reason; etcdctl's one-line form.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "etcd/etcd.h"
#include "itest.h"

static etcd_client *client;

static int suite_init(void)
{
    client = NULL;
    return itest_suite_init();
}

static int suite_clean(void)
{
    etcd_client_free(client);
    client = NULL;
    return 0;
}

static etcd_client *cl(void)
{
    if (client == NULL) {
        client = itest_client(NULL);
    }
    return client;
}

static void test_101_compare_failed(void)
{
    char key[128];
    char want[256];
    char line[256];
    etcd_keys_opts o = {0};
    etcd_response *r = NULL;
    int rc;

    itest_key(key, sizeof(key), "%s/k", itest_prefix());
    itest_set(cl(), key, "actual");
    o.prev_value = "expected";
    rc = etcd_keys_compare_and_swap_sync(cl(), key, "new", &o, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_EETCD);
    CU_ASSERT_EQUAL(r->http_status, 412);
    CU_ASSERT_EQUAL(r->error.code, 101);
    ITEST_STR_EQ(r->error.message, "Compare failed");
    ITEST_STR_EQ(r->error.cause, "[expected != actual]");
    CU_ASSERT(r->error.index > 0);
    CU_ASSERT_EQUAL(r->error.index, r->info.etcd_index);
    snprintf(want, sizeof(want),
             "101: Compare failed ([expected != actual]) [%" PRIu64 "]", r->error.index);
    CU_ASSERT_STRING_EQUAL(etcd_response_describe(r, line, sizeof(line)), want);
    etcd_response_free(r);
}

static void test_107_root_read_only(void)
{
    etcd_response *r = NULL;
    etcd_keys_opts o = {0};
    int rc;

    rc = etcd_keys_delete_dir_sync(cl(), "/", NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 107);
    ITEST_STR_EQ(r->error.message, "Root is read only");
    ITEST_STR_EQ(r->error.cause, "/");
    CU_ASSERT(r->error.index > 0);
    CU_ASSERT_EQUAL(r->http_status, 400);
    etcd_response_free(r);
    r = NULL;

    /* the recursive form too: the key space survives */
    o.recursive = 1;
    rc = etcd_keys_delete_sync(cl(), "/", &o, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 107);
    etcd_response_free(r);
}

static void test_108_dir_not_empty(void)
{
    char dir[128];
    char key[160];
    etcd_response *r = NULL;
    int rc;

    itest_key(dir, sizeof(dir), "%s/full", itest_prefix());
    itest_set(cl(), itest_key(key, sizeof(key), "%s/child", dir), "c");
    rc = etcd_keys_delete_dir_sync(cl(), dir, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 108);
    ITEST_STR_EQ(r->error.message, "Directory not empty");
    ITEST_STR_EQ(r->error.cause, dir);
    CU_ASSERT(r->error.index > 0);
    CU_ASSERT_EQUAL(r->http_status, 403);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_keys_get_sync(cl(), key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
}

static void test_104_not_a_directory(void)
{
    char key[128];
    char sub[160];
    etcd_response *r = NULL;
    int rc;

    itest_key(key, sizeof(key), "%s/file", itest_prefix());
    itest_set(cl(), key, "f");
    rc = etcd_keys_set_sync(cl(), itest_key(sub, sizeof(sub), "%s/child", key), "x", NULL,
                            &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 104);
    ITEST_STR_EQ(r->error.message, "Not a directory");
    ITEST_STR_EQ(r->error.cause, key);
    etcd_response_free(r);
}

static void test_100_with_describe(void)
{
    char key[128];
    char want[256];
    char line[256];
    etcd_response *r = NULL;
    int rc;

    const char *prefix = itest_prefix();
    char sibling[160];

    itest_set(cl(), itest_key(sibling, sizeof(sibling), "%s/sibling", prefix), "s");
    itest_key(key, sizeof(key), "%s/missing", prefix);
    rc = etcd_keys_get_sync(cl(), key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 100);
    CU_ASSERT_EQUAL(r->http_status, 404);
    snprintf(want, sizeof(want), "100: Key not found (%s) [%" PRIu64 "]", key,
             r->error.index);
    CU_ASSERT_STRING_EQUAL(etcd_response_describe(r, line, sizeof(line)), want);
    ITEST_STR_EQ(r->endpoint, itest.endpoint);
    etcd_response_free(r);
}

typedef struct writes {
    int done;
    int failed;
} writes;

static void write_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    writes *w = data;

    (void)c;
    w->done++;
    if (resp->status != ETCD_OK) {
        w->failed++;
    }
}

/* A watch from an index older than etcd's 1000-event history: ETCD_ECLEARED with etcd
 * error 401, its message and cause, and the current index in error.index. */
static void test_401_history_cleared(void)
{
    char key[128];
    etcd_watch_opts w = {0};
    etcd_response *r = NULL;
    writes wr = {0};
    uint64_t first;
    uint64_t now;
    int n = 1100;
    int i;
    int rc;

    itest_key(key, sizeof(key), "%s/churn", itest_prefix());
    first = itest_set(cl(), key, "0");
    for (i = 0; i < n; i++) {
        CU_ASSERT_EQUAL_FATAL(etcd_keys_set(cl(), key, "x", NULL, write_cb, &wr),
                              ETCD_OK);
    }
    CU_ASSERT_FATAL(itest_run_until(cl(), &wr.done, n, 120000));
    CU_ASSERT_EQUAL(wr.failed, 0);
    now = itest_etcd_index(cl());
    CU_ASSERT(now >= first + (uint64_t)n);

    w.wait_index = first;
    w.timeout_ms = 10000;
    rc = etcd_keys_watch_sync(cl(), key, &w, &r);
    ITEST_STATUS(rc, r, ETCD_ECLEARED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_ECLEARED);
    CU_ASSERT_EQUAL(r->error.code, 401);
    ITEST_STR_EQ(r->error.message,
                 "The event in requested index is outdated and cleared");
    CU_ASSERT_PTR_NOT_NULL(r->error.cause);
    if (r->error.cause != NULL) {
        CU_ASSERT_PTR_NOT_NULL(strstr(r->error.cause, "cleared"));
    }
    CU_ASSERT(r->error.index >= now);
    CU_ASSERT_PTR_NULL(r->node);
    etcd_response_free(r);
}

/* Nothing listens: ETCD_ETRANSPORT naming the endpoint and why. */
static void test_transport_error(void)
{
    etcd_client *c = itest_client(itest.dead);
    etcd_response *r = NULL;
    char line[512];
    int rc;

    rc = etcd_keys_get_sync(c, "/x", NULL, &r);
    ITEST_STATUS(rc, r, ETCD_ETRANSPORT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_ETRANSPORT);
    CU_ASSERT_EQUAL(r->http_status, 0);
    ITEST_STR_EQ(r->endpoint, itest.dead);
    CU_ASSERT_PTR_NOT_NULL(r->reason);
    if (r->reason != NULL) {
        CU_ASSERT(strlen(r->reason) > 0);
    }
    etcd_response_describe(r, line, sizeof(line));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, itest.dead));
    CU_ASSERT_EQUAL(r->error.code, 0);
    etcd_response_free(r);
    etcd_client_free(c);
}

/* A response over the configured size limit is ETCD_ETOOBIG; the client goes on. */
static void test_too_big(void)
{
    char key[128];
    char value[8192];
    etcd_client_opts o;
    etcd_client *c;
    etcd_response *r = NULL;
    int rc;

    memset(value, 'v', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    itest_key(key, sizeof(key), "%s/big", itest_prefix());
    itest_set(cl(), key, value);
    etcd_client_opts_init(&o);
    o.max_response_bytes = 4096;
    c = itest_client_opts(&o);
    rc = etcd_keys_get_sync(c, key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_ETOOBIG);
    CU_ASSERT_PTR_NOT_NULL(r);
    CU_ASSERT_PTR_NULL(r != NULL ? r->node : NULL);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_keys_get_sync(c, "/", NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    etcd_client_free(c);
}

int test_it_errors_add(void)
{
    CU_pSuite s = CU_add_suite("it_errors", suite_init, suite_clean);

    if (s == NULL || !CU_add_test(s, "101 compare failed", test_101_compare_failed) ||
        !CU_add_test(s, "107 root is read only", test_107_root_read_only) ||
        !CU_add_test(s, "108 directory not empty", test_108_dir_not_empty) ||
        !CU_add_test(s, "104 not a directory", test_104_not_a_directory) ||
        !CU_add_test(s, "100 and etcdctl's form", test_100_with_describe) ||
        !CU_add_test(s, "401 history cleared", test_401_history_cleared) ||
        !CU_add_test(s, "transport error names the endpoint", test_transport_error) ||
        !CU_add_test(s, "oversized response is ETOOBIG", test_too_big)) {
        return -1;
    }
    return 0;
}
