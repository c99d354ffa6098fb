/*
 * Unit tests of lib/src/client.c and keys.c that need no server: options, argument
 * checks that send nothing (keys, transactions, lists of names), the callback contract
 * when a client is freed before its loop ever ran, and the external-loop state rules.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "etcd/etcd.h"
#include "utest.h"

static void test_opts_init(void)
{
    etcd_client_opts o;

    memset(&o, 0xab, sizeof(o));
    etcd_client_opts_init(&o);
    CU_ASSERT_PTR_NULL(o.endpoints);
    CU_ASSERT_EQUAL(o.connect_timeout_ms, 0);
    CU_ASSERT_EQUAL(o.request_timeout_ms, 0);
    CU_ASSERT_PTR_NULL(o.username);
    CU_ASSERT_PTR_NULL(o.password);
    CU_ASSERT_PTR_NULL(o.ca_file);
    CU_ASSERT_PTR_NULL(o.cert_file);
    CU_ASSERT_PTR_NULL(o.key_file);
    CU_ASSERT_EQUAL(o.insecure, 0);
    CU_ASSERT_EQUAL(o.max_connections, 0);
    CU_ASSERT_EQUAL(o.max_response_bytes, 0);
}

static void test_new_defaults(void)
{
    etcd_client *c = NULL;

    CU_ASSERT_EQUAL_FATAL(etcd_client_new(NULL, &c), ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    UTEST_STR_EQ(etcd_client_endpoint(c), "http://127.0.0.1:2379");
    CU_ASSERT_EQUAL(etcd_client_pending(c), 0);
    etcd_client_free(c);
    etcd_client_free(NULL);
}

/* The options and their strings are copied: the caller's buffers may go away. */
static void test_new_copies_options(void)
{
    char endpoints[128];
    etcd_client_opts o;
    etcd_client *c = NULL;

    snprintf(endpoints, sizeof(endpoints), "%s", "http://127.0.0.1:1,http://127.0.0.1:2");
    etcd_client_opts_init(&o);
    o.endpoints = endpoints;
    CU_ASSERT_EQUAL_FATAL(etcd_client_new(&o, &c), ETCD_OK);
    memset(endpoints, 'x', sizeof(endpoints) - 1);
    UTEST_STR_EQ(etcd_client_endpoint(c), "http://127.0.0.1:1");
    etcd_client_free(c);
}

static void test_new_rejects_bad_endpoints(void)
{
    static const char *const bad[] = {
        "", ",", " ", "127.0.0.1:2379", "ftp://127.0.0.1:21", "http://"};
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        etcd_client_opts o;
        etcd_client *c = NULL;
        int rc;

        etcd_client_opts_init(&o);
        o.endpoints = bad[i];
        rc = etcd_client_new(&o, &c);
        CU_ASSERT_EQUAL(rc, ETCD_EINVAL);
        if (rc != ETCD_EINVAL) {
            fprintf(stderr, "\n  endpoints \"%s\" gave %s\n", bad[i], etcd_err_name(rc));
            etcd_client_free(c);
        }
    }
}

typedef struct counter {
    int calls;
    int last_status;
    int wrong_client;
    etcd_client *client;
} counter;

static void count_cb(etcd_client *client, const etcd_response *resp, void *data)
{
    counter *n = data;

    n->calls++;
    n->last_status = resp->status;
    if (client != n->client) {
        n->wrong_client++;
    }
}

/* After calls that were refused: nothing is pending, the loop has nothing to run, and
 * freeing the client calls back no one. */
static void free_unused(etcd_client *c, counter *n)
{
    CU_ASSERT_EQUAL(etcd_client_pending(c), 0);
    CU_ASSERT_EQUAL(etcd_client_run(c), ETCD_OK);
    CU_ASSERT_EQUAL(n->calls, 0);
    etcd_client_free(c);
    CU_ASSERT_EQUAL(n->calls, 0);
}

/* Compare-and-swap/delete with neither prev_value nor prev_index fail at once with
 * ETCD_EINVAL, send nothing and never call back. */
static void test_compare_needs_a_condition(void)
{
    etcd_client *c = NULL;
    etcd_response *out = (etcd_response *)1;
    etcd_keys_opts k;
    counter n = {0};

    CU_ASSERT_EQUAL_FATAL(etcd_client_new(NULL, &c), ETCD_OK);
    n.client = c;
    memset(&k, 0, sizeof(k));
    k.ttl = 5;
    CU_ASSERT_EQUAL(etcd_keys_compare_and_swap(c, "/k", "v", &k, count_cb, &n),
                    ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_keys_compare_and_swap(c, "/k", "v", NULL, count_cb, &n),
                    ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_keys_compare_and_delete(c, "/k", &k, count_cb, &n), ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_keys_compare_and_delete(c, "/k", NULL, count_cb, &n),
                    ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_keys_compare_and_swap_sync(c, "/k", "v", &k, &out), ETCD_EINVAL);
    CU_ASSERT_PTR_NULL(out);
    out = (etcd_response *)1;
    CU_ASSERT_EQUAL(etcd_keys_compare_and_delete_sync(c, "/k", NULL, &out), ETCD_EINVAL);
    CU_ASSERT_PTR_NULL(out);
    free_unused(c, &n);
}

/* refresh needs a TTL. */
static void test_refresh_needs_ttl(void)
{
    etcd_client *c = NULL;
    etcd_response *out = NULL;
    counter n = {0};

    CU_ASSERT_EQUAL_FATAL(etcd_client_new(NULL, &c), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_keys_refresh(c, "/k", NULL, count_cb, &n), ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_keys_refresh_sync(c, "/k", NULL, &out), ETCD_EINVAL);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 0);
    CU_ASSERT_EQUAL(n.calls, 0);
    etcd_client_free(c);
}

/* A transaction that cannot be sent (an unknown compare result or target, an
 * unknown operation, a count without its array, a key or value with a length but no
 * bytes, a nested one missing or too deep) is
 * ETCD_EINVAL at once, never ETCD_ENOMEM, and nothing is sent. */
static void test_txn_invalid(void)
{
    etcd_compare cmp = {.key = {"/k", ETCD_STRLEN}};
    etcd_op op = {.type = ETCD_OP_PUT, .key = {"/k", ETCD_STRLEN}};
    etcd_txn txn = {.compare = &cmp, .ncompare = 1, .success = &op, .nsuccess = 1};
    etcd_txn nested[18];
    etcd_op inner[18];
    etcd_client *c = NULL;
    etcd_response *out = (etcd_response *)1;
    counter n = {0};
    size_t i;

    CU_ASSERT_EQUAL_FATAL(etcd_client_new(NULL, &c), ETCD_OK);
    cmp.result = (etcd_compare_result)4;
    CU_ASSERT_EQUAL(etcd_v3_txn(c, &txn, count_cb, &n), ETCD_EINVAL);
    cmp.result = ETCD_CMP_EQUAL;
    cmp.target = (etcd_compare_target)5;
    CU_ASSERT_EQUAL(etcd_v3_txn_sync(c, &txn, &out), ETCD_EINVAL);
    CU_ASSERT_PTR_NULL(out);
    cmp.target = ETCD_CMP_MOD;
    op.type = (etcd_op_type)4;
    CU_ASSERT_EQUAL(etcd_v3_txn(c, &txn, count_cb, &n), ETCD_EINVAL);
    op.type = ETCD_OP_TXN; /* without its transaction */
    CU_ASSERT_EQUAL(etcd_v3_txn(c, &txn, count_cb, &n), ETCD_EINVAL);
    op.type = ETCD_OP_PUT;
    txn.compare = NULL; /* ncompare is still 1 */
    CU_ASSERT_EQUAL(etcd_v3_txn(c, &txn, count_cb, &n), ETCD_EINVAL);
    txn.compare = &cmp;
    txn.nfailure = 2; /* failure is NULL */
    CU_ASSERT_EQUAL(etcd_v3_txn(c, &txn, count_cb, &n), ETCD_EINVAL);
    txn.nfailure = 0;
    /* a length without its bytes, as etcd_v3_put refuses it */
    op.key.data = NULL;
    op.key.len = 3;
    CU_ASSERT_EQUAL(etcd_v3_txn(c, &txn, count_cb, &n), ETCD_EINVAL);
    op.key.data = "/k";
    op.value.len = 1;
    CU_ASSERT_EQUAL(etcd_v3_txn(c, &txn, count_cb, &n), ETCD_EINVAL);
    op.value.len = 0;
    cmp.target = ETCD_CMP_VALUE;
    cmp.value.len = 2;
    CU_ASSERT_EQUAL(etcd_v3_txn(c, &txn, count_cb, &n), ETCD_EINVAL);
    cmp.value.len = 0;
    cmp.target = ETCD_CMP_MOD;
    cmp.key.data = NULL;
    CU_ASSERT_EQUAL(etcd_v3_txn(c, &txn, count_cb, &n), ETCD_EINVAL);
    cmp.key.data = "/k";

    /* 17 levels below the top one: one too many */
    memset(nested, 0, sizeof(nested));
    memset(inner, 0, sizeof(inner));
    for (i = 0; i < 17; i++) {
        inner[i].type = ETCD_OP_TXN;
        inner[i].txn = &nested[i + 1];
        nested[i].success = &inner[i];
        nested[i].nsuccess = 1;
    }
    CU_ASSERT_EQUAL(etcd_v3_txn(c, &nested[0], count_cb, &n), ETCD_EINVAL);
    free_unused(c, &n);
}

/* A list of names or URLs with a NULL in it, or a count without its array, is
 * ETCD_EINVAL at once (not ETCD_ENOMEM, not a crash), and nothing is sent. */
static void test_string_lists_invalid(void)
{
    const char *const with_null[] = {"http://127.0.0.1:2380", NULL};
    etcd_user_change ch = {.password = "pw", .grant = NULL, .ngrant = 2};
    etcd_paths paths = {.read = with_null, .nread = 2};
    etcd_client *c = NULL;
    etcd_response *out = (etcd_response *)1;
    counter n = {0};

    CU_ASSERT_EQUAL_FATAL(etcd_client_new(NULL, &c), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_user_create(c, "u", &ch, count_cb, &n), ETCD_EINVAL);
    ch.grant = with_null;
    CU_ASSERT_EQUAL(etcd_user_update_sync(c, "u", &ch, &out), ETCD_EINVAL);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(etcd_role_create(c, "r", &paths, count_cb, &n), ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_role_update(c, "r", NULL, &paths, count_cb, &n), ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_member_add(c, with_null, 2, count_cb, &n), ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_member_update(c, "8e9e05c52164694d", NULL, 1, count_cb, &n),
                    ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_v3_member_add(c, with_null, 2, 0, count_cb, &n), ETCD_EINVAL);
    CU_ASSERT_EQUAL(
        etcd_v3_member_update(c, "8e9e05c52164694d", with_null, 2, count_cb, &n),
        ETCD_EINVAL);
    free_unused(c, &n);
}

/* Requests queued and never run: freeing the client calls each callback exactly once,
 * with ETCD_ECANCELED. */
static void test_free_cancels_queued(void)
{
    etcd_client_opts o;
    etcd_client *c = NULL;
    counter n[20];
    size_t i;

    etcd_client_opts_init(&o);
    o.endpoints = "http://127.0.0.1:9"; /* never contacted: the loop never runs */
    CU_ASSERT_EQUAL_FATAL(etcd_client_new(&o, &c), ETCD_OK);
    memset(n, 0, sizeof(n));
    for (i = 0; i < 20; i++) {
        n[i].client = c;
        CU_ASSERT_EQUAL(etcd_keys_get(c, "/a", NULL, count_cb, &n[i]), ETCD_OK);
    }
    CU_ASSERT_EQUAL(etcd_client_pending(c), 20);
    etcd_client_free(c);
    for (i = 0; i < 20; i++) {
        CU_ASSERT_EQUAL(n[i].calls, 1);
        CU_ASSERT_EQUAL(n[i].last_status, ETCD_ECANCELED);
        CU_ASSERT_EQUAL(n[i].wrong_client, 0);
    }
}

static int hook_fd(void *data, int fd, int events)
{
    (void)data;
    (void)fd;
    (void)events;
    return 0;
}

static int hook_timer(void *data, long timeout_ms)
{
    (void)data;
    (void)timeout_ms;
    return 0;
}

/* A client on an external loop has no blocking calls and no own loop. */
static void test_external_loop_rules(void)
{
    etcd_client *c = NULL;
    etcd_loop_hooks hooks = {hook_fd, hook_timer, NULL};
    etcd_response *out = NULL;
    counter n = {0};

    CU_ASSERT_EQUAL_FATAL(etcd_client_new(NULL, &c), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_set_loop(c, &hooks), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(c), ETCD_EBUSY);
    CU_ASSERT_EQUAL(etcd_client_run_once(c, 0), ETCD_EBUSY);
    CU_ASSERT_EQUAL(etcd_keys_get_sync(c, "/a", NULL, &out), ETCD_EBUSY);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(etcd_health_sync(c, &out), ETCD_EBUSY);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 0);
    etcd_client_free(c);

    /* set_loop after requests were queued is refused */
    CU_ASSERT_EQUAL_FATAL(etcd_client_new(NULL, &c), ETCD_OK);
    n.client = c;
    CU_ASSERT_EQUAL(etcd_keys_get(c, "/a", NULL, count_cb, &n), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_set_loop(c, &hooks), ETCD_EBUSY);
    etcd_client_free(c);
    CU_ASSERT_EQUAL(n.calls, 1);
    CU_ASSERT_EQUAL(n.last_status, ETCD_ECANCELED);
}

int test_unit_client_add(void)
{
    CU_pSuite s = CU_add_suite("unit_client", NULL, NULL);

    if (s == NULL || !CU_add_test(s, "opts_init zeroes", test_opts_init) ||
        !CU_add_test(s, "new with defaults", test_new_defaults) ||
        !CU_add_test(s, "new copies its options", test_new_copies_options) ||
        !CU_add_test(s, "new rejects bad endpoints", test_new_rejects_bad_endpoints) ||
        !CU_add_test(s, "CAS/CAD need a condition", test_compare_needs_a_condition) ||
        !CU_add_test(s, "refresh needs a TTL", test_refresh_needs_ttl) ||
        !CU_add_test(s, "an invalid txn is EINVAL", test_txn_invalid) ||
        !CU_add_test(s, "a list with a NULL is EINVAL", test_string_lists_invalid) ||
        !CU_add_test(s, "free cancels queued requests", test_free_cancels_queued) ||
        !CU_add_test(s, "external loop rules", test_external_loop_rules)) {
        return -1;
    }
    return 0;
}
