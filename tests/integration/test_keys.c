/*
 * Integration tests of the v2 keys API (lib/src/keys.c) against a real etcd: the
 * behaviours of the Rust etcd crate's keys test suite, and what that crate got wrong
 * (escaping, CAS/CAD without a condition, quorum).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "etcd/etcd.h"
#include "itest.h"

static etcd_client *client;

static int suite_init(void)
{
    if (itest_suite_init() != 0) {
        return -1;
    }
    client = NULL;
    return 0;
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

/* create with ttl 60: action create, ttl 60, and the cluster headers. */
static void test_create_with_ttl(void)
{
    char key[128];
    etcd_keys_opts o = {0};
    etcd_response *r = NULL;
    int rc;

    itest_key(key, sizeof(key), "%s/foo", itest_prefix());
    o.ttl = 60;
    rc = etcd_keys_create_sync(cl(), key, "bar", &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_OK);
    CU_ASSERT_EQUAL(r->http_status, 201);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_CREATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->key, key);
    ITEST_STR_EQ(r->node->value, "bar");
    CU_ASSERT_EQUAL(r->node->value_len, 3);
    CU_ASSERT_EQUAL(r->node->ttl, 60);
    CU_ASSERT_PTR_NOT_NULL(r->node->expiration);
    CU_ASSERT_EQUAL(r->node->dir, 0);
    CU_ASSERT(r->node->created_index > 0);
    CU_ASSERT_EQUAL(r->node->created_index, r->node->modified_index);
    CU_ASSERT_PTR_NULL(r->prev_node);
    /* every answer carries the cluster's position */
    CU_ASSERT_PTR_NOT_NULL(r->info.cluster_id);
    if (r->info.cluster_id != NULL) {
        /* hex, as etcd prints it: without leading zeros (15 digits one time in 16) */
        size_t n = strlen(r->info.cluster_id);

        CU_ASSERT(n >= 1 && n <= 16 &&
                  strspn(r->info.cluster_id, "0123456789abcdef") == n);
    }
    CU_ASSERT(r->info.etcd_index >= r->node->modified_index);
    CU_ASSERT(r->info.raft_index > 0);
    CU_ASSERT(r->info.raft_term > 0);
    ITEST_STR_EQ(r->endpoint, itest.endpoint);
    etcd_response_free(r);
}

/* A second create of the same key: etcd error 105 "Key already exists". */
static void test_create_twice(void)
{
    char key[128];
    etcd_response *r = NULL;
    char line[256];
    char want[256];
    int rc;

    itest_key(key, sizeof(key), "%s/foo", itest_prefix());
    rc = etcd_keys_create_sync(cl(), key, "bar", NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_keys_create_sync(cl(), key, "baz", NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_EETCD);
    CU_ASSERT_EQUAL(r->http_status, 412);
    CU_ASSERT_EQUAL(r->error.code, 105);
    ITEST_STR_EQ(r->error.message, "Key already exists");
    ITEST_STR_EQ(r->error.cause, key);
    CU_ASSERT(r->error.index > 0);
    CU_ASSERT_PTR_NULL(r->node);
    snprintf(want, sizeof(want), "105: Key already exists (%s) [%" PRIu64 "]", key,
             r->error.index);
    CU_ASSERT_STRING_EQUAL(etcd_response_describe(r, line, sizeof(line)), want);
    etcd_response_free(r);

    /* the value did not change */
    r = NULL;
    rc = etcd_keys_get_sync(cl(), key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->value, "bar");
    etcd_response_free(r);
}

typedef struct in_order {
    int done;
    int status[3];
    char key[3][160];
    char value[3][16];
    uint64_t created[3];
} in_order;

typedef struct in_order_slot {
    in_order *all;
    int i;
} in_order_slot;

static void in_order_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    in_order_slot *s = data;

    (void)c;
    s->all->status[s->i] = resp->status;
    if (resp->node != NULL && resp->node->key != NULL) {
        snprintf(s->all->key[s->i], sizeof(s->all->key[0]), "%s", resp->node->key);
        snprintf(s->all->value[s->i], sizeof(s->all->value[0]), "%s",
                 resp->node->value ? resp->node->value : "(null)");
        s->all->created[s->i] = resp->node->created_index;
    }
    if (resp->action != ETCD_ACTION_CREATE) {
        s->all->status[s->i] = -1000;
    }
    s->all->done++;
}

/* Three concurrent in-order creates: three distinct 20-digit keys, strictly increasing
 * in the order etcd created them, and a sorted listing gives them in that order. */
static void test_in_order_concurrent(void)
{
    char dir[128];
    in_order res;
    in_order_slot slots[3];
    etcd_response *r = NULL;
    const char *values[3] = {"job-a", "job-b", "job-c"};
    int i;
    int j;
    int rc;

    memset(&res, 0, sizeof(res));
    itest_key(dir, sizeof(dir), "%s/queue", itest_prefix());
    for (i = 0; i < 3; i++) {
        slots[i].all = &res;
        slots[i].i = i;
        rc =
            etcd_keys_create_in_order(cl(), dir, values[i], NULL, in_order_cb, &slots[i]);
        CU_ASSERT_EQUAL(rc, ETCD_OK);
    }
    CU_ASSERT_FATAL(itest_run_until(cl(), &res.done, 3, 10000));
    for (i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(res.status[i], ETCD_OK);
        CU_ASSERT_EQUAL(strncmp(res.key[i], dir, strlen(dir)), 0);
        CU_ASSERT_EQUAL(res.key[i][strlen(dir)], '/');
        CU_ASSERT_EQUAL(strlen(res.key[i]), strlen(dir) + 1 + 20);
        CU_ASSERT_EQUAL(strspn(res.key[i] + strlen(dir) + 1, "0123456789"), 20);
        CU_ASSERT_STRING_EQUAL(res.value[i], values[i]);
        for (j = 0; j < 3; j++) {
            if (i == j) {
                continue;
            }
            CU_ASSERT_NOT_EQUAL(res.created[i], res.created[j]);
            /* strictly increasing with the order of creation */
            if (res.created[i] < res.created[j]) {
                CU_ASSERT(strcmp(res.key[i], res.key[j]) < 0);
            }
        }
    }
    etcd_keys_opts o = {0};
    o.sorted = 1;
    rc = etcd_keys_get_sync(cl(), dir, &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT_EQUAL_FATAL(r->node->nnodes, 3);
    for (i = 0; i < 3; i++) {
        CU_ASSERT(i == 0 || strcmp(r->node->nodes[i - 1].key, r->node->nodes[i].key) < 0);
        CU_ASSERT(i == 0 ||
                  r->node->nodes[i - 1].created_index < r->node->nodes[i].created_index);
    }
    etcd_response_free(r);
}

/* In-order create under a key (not a directory): 104 "Not a directory". */
static void test_in_order_under_key(void)
{
    char key[128];
    etcd_response *r = NULL;
    int rc;

    itest_key(key, sizeof(key), "%s/plain", itest_prefix());
    itest_set(cl(), key, "x");
    rc = etcd_keys_create_in_order_sync(cl(), key, "y", NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 104);
    ITEST_STR_EQ(r->error.message, "Not a directory");
    ITEST_STR_EQ(r->error.cause, key);
    etcd_response_free(r);
}

/* compare-and-swap with value only, index only and both; and each one failing. */
static void test_compare_and_swap(void)
{
    char key[128];
    etcd_keys_opts o;
    etcd_response *r = NULL;
    uint64_t idx;
    int rc;

    itest_key(key, sizeof(key), "%s/cas", itest_prefix());
    idx = itest_set(cl(), key, "v1");

    /* value only */
    memset(&o, 0, sizeof(o));
    o.prev_value = "v1";
    rc = etcd_keys_compare_and_swap_sync(cl(), key, "v2", &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_COMPARE_AND_SWAP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->value, "v2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->prev_node);
    ITEST_STR_EQ(r->prev_node->value, "v1");
    CU_ASSERT_EQUAL(r->prev_node->modified_index, idx);
    idx = r->node->modified_index;
    etcd_response_free(r);
    r = NULL;

    /* value only, wrong: 101 with both values in the cause */
    o.prev_value = "nope";
    rc = etcd_keys_compare_and_swap_sync(cl(), key, "v3", &o, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 101);
    ITEST_STR_EQ(r->error.message, "Compare failed");
    ITEST_STR_EQ(r->error.cause, "[nope != v2]");
    CU_ASSERT_EQUAL(r->http_status, 412);
    etcd_response_free(r);
    r = NULL;

    /* index only */
    memset(&o, 0, sizeof(o));
    o.prev_index = idx;
    rc = etcd_keys_compare_and_swap_sync(cl(), key, "v3", &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_COMPARE_AND_SWAP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->value, "v3");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->prev_node);
    ITEST_STR_EQ(r->prev_node->value, "v2");
    idx = r->node->modified_index;
    etcd_response_free(r);
    r = NULL;

    /* index only, wrong */
    o.prev_index = idx - 1;
    rc = etcd_keys_compare_and_swap_sync(cl(), key, "v4", &o, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 101);
    {
        char cause[64];
        snprintf(cause, sizeof(cause), "[%" PRIu64 " != %" PRIu64 "]", idx - 1, idx);
        ITEST_STR_EQ(r->error.cause, cause);
    }
    etcd_response_free(r);
    r = NULL;

    /* both */
    o.prev_index = idx;
    o.prev_value = "v3";
    o.ttl = 120;
    rc = etcd_keys_compare_and_swap_sync(cl(), key, "v4", &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_COMPARE_AND_SWAP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->value, "v4");
    CU_ASSERT_EQUAL(r->node->ttl, 120);
    idx = r->node->modified_index;
    etcd_response_free(r);
    r = NULL;

    /* both, value right but index wrong */
    o.prev_index = idx + 1000;
    o.prev_value = "v4";
    o.ttl = 0;
    rc = etcd_keys_compare_and_swap_sync(cl(), key, "v5", &o, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 101);
    etcd_response_free(r);
    r = NULL;

    rc = etcd_keys_get_sync(cl(), key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->value, "v4");
    etcd_response_free(r);
}

static int key_missing(const char *key)
{
    etcd_response *r = NULL;
    int rc = etcd_keys_get_sync(cl(), key, NULL, &r);
    int missing = rc == ETCD_EETCD && r != NULL && r->error.code == 100;

    etcd_response_free(r);
    return missing;
}

/* compare-and-delete with value only, index only and both; and failing. */
static void test_compare_and_delete(void)
{
    const char *prefix = itest_prefix();
    char key[128];
    etcd_keys_opts o;
    etcd_response *r = NULL;
    uint64_t idx;
    int rc;

    /* value only: wrong, then right */
    itest_key(key, sizeof(key), "%s/by-value", prefix);
    itest_set(cl(), key, "v1");
    memset(&o, 0, sizeof(o));
    o.prev_value = "v0";
    rc = etcd_keys_compare_and_delete_sync(cl(), key, &o, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 101);
    ITEST_STR_EQ(r->error.message, "Compare failed");
    ITEST_STR_EQ(r->error.cause, "[v0 != v1]");
    etcd_response_free(r);
    r = NULL;
    o.prev_value = "v1";
    rc = etcd_keys_compare_and_delete_sync(cl(), key, &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_COMPARE_AND_DELETE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->prev_node);
    ITEST_STR_EQ(r->prev_node->value, "v1");
    etcd_response_free(r);
    r = NULL;
    CU_ASSERT(key_missing(key));

    /* index only */
    itest_key(key, sizeof(key), "%s/by-index", prefix);
    idx = itest_set(cl(), key, "v1");
    memset(&o, 0, sizeof(o));
    o.prev_index = idx + 1;
    rc = etcd_keys_compare_and_delete_sync(cl(), key, &o, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 101);
    etcd_response_free(r);
    r = NULL;
    o.prev_index = idx;
    rc = etcd_keys_compare_and_delete_sync(cl(), key, &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_COMPARE_AND_DELETE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->prev_node);
    CU_ASSERT_EQUAL(r->prev_node->modified_index, idx);
    etcd_response_free(r);
    r = NULL;
    CU_ASSERT(key_missing(key));

    /* both */
    itest_key(key, sizeof(key), "%s/by-both", prefix);
    idx = itest_set(cl(), key, "v1");
    memset(&o, 0, sizeof(o));
    o.prev_index = idx;
    o.prev_value = "other";
    rc = etcd_keys_compare_and_delete_sync(cl(), key, &o, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 101);
    etcd_response_free(r);
    r = NULL;
    CU_ASSERT(!key_missing(key));
    o.prev_value = "v1";
    rc = etcd_keys_compare_and_delete_sync(cl(), key, &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_COMPARE_AND_DELETE);
    etcd_response_free(r);
    CU_ASSERT(key_missing(key));
}

static void never_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    int *calls = data;

    (void)c;
    (void)resp;
    (*calls)++;
}

/* With neither prev_value nor prev_index: ETCD_EINVAL at once and nothing sent, so the
 * server's index does not move and the key is untouched. */
static void test_compare_without_condition(void)
{
    char key[128];
    etcd_keys_opts o = {0};
    etcd_response *r = (etcd_response *)&o;
    uint64_t before;
    uint64_t after;
    int calls = 0;
    int rc;

    itest_key(key, sizeof(key), "%s/k", itest_prefix());
    itest_set(cl(), key, "keep");
    before = itest_etcd_index(cl());

    o.ttl = 10;
    CU_ASSERT_EQUAL(etcd_keys_compare_and_swap(cl(), key, "new", &o, never_cb, &calls),
                    ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_client_pending(cl()), 0);
    CU_ASSERT_EQUAL(etcd_keys_compare_and_delete(cl(), key, &o, never_cb, &calls),
                    ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_client_pending(cl()), 0);
    rc = etcd_keys_compare_and_swap_sync(cl(), key, "new", NULL, &r);
    CU_ASSERT_EQUAL(rc, ETCD_EINVAL);
    CU_ASSERT_PTR_NULL(r);
    r = (etcd_response *)&o;
    rc = etcd_keys_compare_and_delete_sync(cl(), key, &o, &r);
    CU_ASSERT_EQUAL(rc, ETCD_EINVAL);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    CU_ASSERT_EQUAL(calls, 0);
    CU_ASSERT_EQUAL(etcd_client_pending(cl()), 0);

    after = itest_etcd_index(cl());
    CU_ASSERT_EQUAL(after, before);
    r = NULL;
    rc = etcd_keys_get_sync(cl(), key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->value, "keep");
    CU_ASSERT_EQUAL(r->node->ttl, 0);
    etcd_response_free(r);
}

/* get of a key; of a directory, non-recursive and sorted; recursive; and of "/". */
static void test_get(void)
{
    const char *prefix = itest_prefix();
    char key[160];
    char dir[160];
    etcd_keys_opts o;
    etcd_response *r = NULL;
    int rc;

    itest_key(dir, sizeof(dir), "%s/dir", prefix);
    itest_set(cl(), itest_key(key, sizeof(key), "%s/c", dir), "C");
    itest_set(cl(), itest_key(key, sizeof(key), "%s/a", dir), "A");
    itest_set(cl(), itest_key(key, sizeof(key), "%s/sub/deep", dir), "D");
    itest_set(cl(), itest_key(key, sizeof(key), "%s/b", dir), "B");

    /* a key */
    rc = etcd_keys_get_sync(cl(), itest_key(key, sizeof(key), "%s/a", dir), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_GET);
    CU_ASSERT_EQUAL(r->http_status, 200);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->key, key);
    ITEST_STR_EQ(r->node->value, "A");
    CU_ASSERT_EQUAL(r->node->dir, 0);
    CU_ASSERT_EQUAL(r->node->nnodes, 0);
    etcd_response_free(r);
    r = NULL;

    /* a relative key is the same key */
    rc = etcd_keys_get_sync(cl(), key + 1, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->key, key);
    etcd_response_free(r);
    r = NULL;

    /* a directory, sorted, not recursive: the sub-directory has no children listed */
    memset(&o, 0, sizeof(o));
    o.sorted = 1;
    rc = etcd_keys_get_sync(cl(), dir, &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT(r->node->dir);
    ITEST_STR_EQ(r->node->key, dir);
    CU_ASSERT_PTR_NULL(r->node->value);
    CU_ASSERT_EQUAL_FATAL(r->node->nnodes, 4);
    ITEST_STR_EQ(r->node->nodes[0].key, itest_key(key, sizeof(key), "%s/a", dir));
    ITEST_STR_EQ(r->node->nodes[0].value, "A");
    ITEST_STR_EQ(r->node->nodes[1].key, itest_key(key, sizeof(key), "%s/b", dir));
    ITEST_STR_EQ(r->node->nodes[1].value, "B");
    ITEST_STR_EQ(r->node->nodes[2].key, itest_key(key, sizeof(key), "%s/c", dir));
    ITEST_STR_EQ(r->node->nodes[2].value, "C");
    ITEST_STR_EQ(r->node->nodes[3].key, itest_key(key, sizeof(key), "%s/sub", dir));
    CU_ASSERT(r->node->nodes[3].dir);
    CU_ASSERT_EQUAL(r->node->nodes[3].nnodes, 0);
    etcd_response_free(r);
    r = NULL;

    /* recursive */
    o.recursive = 1;
    rc = etcd_keys_get_sync(cl(), dir, &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT_EQUAL_FATAL(r->node->nnodes, 4);
    CU_ASSERT_EQUAL_FATAL(r->node->nodes[3].nnodes, 1);
    ITEST_STR_EQ(r->node->nodes[3].nodes[0].key,
                 itest_key(key, sizeof(key), "%s/sub/deep", dir));
    ITEST_STR_EQ(r->node->nodes[3].nodes[0].value, "D");
    etcd_response_free(r);
    r = NULL;

    /* the root: a directory without indexes, holding our top-level "/itest" */
    rc = etcd_keys_get_sync(cl(), "/", NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT(r->node->dir);
    CU_ASSERT_EQUAL(r->node->created_index, 0);
    CU_ASSERT_EQUAL(r->node->modified_index, 0);
    CU_ASSERT(r->node->key == NULL || strcmp(r->node->key, "/") == 0);
    {
        size_t i;
        int found = 0;
        for (i = 0; i < r->node->nnodes; i++) {
            if (r->node->nodes[i].key != NULL &&
                strcmp(r->node->nodes[i].key, "/itest") == 0) {
                found = r->node->nodes[i].dir;
            }
        }
        CU_ASSERT(found);
    }
    CU_ASSERT(r->info.etcd_index > 0);
    etcd_response_free(r);
}

/* set_dir on an existing directory: 102 "Not a file". */
static void test_set_dir_existing(void)
{
    char dir[128];
    etcd_response *r = NULL;
    int rc;

    itest_key(dir, sizeof(dir), "%s/d", itest_prefix());
    rc = etcd_keys_set_dir_sync(cl(), dir, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_SET);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT(r->node->dir);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_keys_set_dir_sync(cl(), dir, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 102);
    ITEST_STR_EQ(r->error.message, "Not a file");
    ITEST_STR_EQ(r->error.cause, dir);
    CU_ASSERT_EQUAL(r->http_status, 403);
    etcd_response_free(r);
}

/* set_dir replaces a key with a directory. */
static void test_set_dir_replaces_key(void)
{
    char key[128];
    etcd_response *r = NULL;
    int rc;

    itest_key(key, sizeof(key), "%s/k", itest_prefix());
    itest_set(cl(), key, "v");
    rc = etcd_keys_set_dir_sync(cl(), key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT(r->node->dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->prev_node);
    ITEST_STR_EQ(r->prev_node->value, "v");
    etcd_response_free(r);
}

/* update of a missing key: 100 "Key not found"; of an existing one: action update. */
static void test_update(void)
{
    char key[128];
    etcd_keys_opts o = {0};
    etcd_response *r = NULL;
    int rc;

    const char *prefix = itest_prefix();
    char sibling[160];

    /* etcd names the first missing part of the path: make the parent exist */
    itest_set(cl(), itest_key(sibling, sizeof(sibling), "%s/sibling", prefix), "s");
    itest_key(key, sizeof(key), "%s/k", prefix);
    rc = etcd_keys_update_sync(cl(), key, "v", NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 100);
    ITEST_STR_EQ(r->error.message, "Key not found");
    ITEST_STR_EQ(r->error.cause, key);
    CU_ASSERT_EQUAL(r->http_status, 404);
    etcd_response_free(r);
    r = NULL;
    CU_ASSERT(key_missing(key)); /* update did not create it */

    itest_set(cl(), key, "old");
    o.ttl = 30;
    rc = etcd_keys_update_sync(cl(), key, "new", &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_UPDATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->value, "new");
    CU_ASSERT_EQUAL(r->node->ttl, 30);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->prev_node);
    ITEST_STR_EQ(r->prev_node->value, "old");
    etcd_response_free(r);
}

/* update_dir on a key (the Rust crate's update_dir_replaces_key): action update,
 * ttl 60, and the key's value is gone (etcd answers with an empty value). */
static void test_update_dir_replaces_key(void)
{
    char key[128];
    etcd_keys_opts o = {0};
    etcd_response *r = NULL;
    int rc;

    itest_key(key, sizeof(key), "%s/foo", itest_prefix());
    itest_set(cl(), key, "bar");
    o.ttl = 60;
    rc = etcd_keys_update_dir_sync(cl(), key, &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_UPDATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->key, key);
    CU_ASSERT(r->node->dir || (r->node->value != NULL && r->node->value_len == 0));
    CU_ASSERT_EQUAL(r->node->ttl, 60);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->prev_node);
    ITEST_STR_EQ(r->prev_node->value, "bar");
    etcd_response_free(r);
    r = NULL;

    /* update_dir of a missing directory: 100 */
    rc = etcd_keys_update_dir_sync(cl(), itest_key(key, sizeof(key), "%s/none", key), &o,
                                   &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 100);
    etcd_response_free(r);
}

/* update_dir on a directory sets its TTL and keeps its children. */
static void test_update_dir_ttl(void)
{
    char dir[128];
    char key[160];
    etcd_keys_opts o = {0};
    etcd_response *r = NULL;
    int rc;

    itest_key(dir, sizeof(dir), "%s/d", itest_prefix());
    itest_set(cl(), itest_key(key, sizeof(key), "%s/child", dir), "c");
    o.ttl = 300;
    rc = etcd_keys_update_dir_sync(cl(), dir, &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_UPDATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT(r->node->dir);
    CU_ASSERT_EQUAL(r->node->ttl, 300);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_keys_get_sync(cl(), key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
}

/* create_dir: action create, a directory; again: 105. */
static void test_create_dir(void)
{
    char dir[128];
    etcd_keys_opts o = {0};
    etcd_response *r = NULL;
    int rc;

    itest_key(dir, sizeof(dir), "%s/newdir", itest_prefix());
    o.ttl = 100;
    rc = etcd_keys_create_dir_sync(cl(), dir, &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_CREATE);
    CU_ASSERT_EQUAL(r->http_status, 201);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT(r->node->dir);
    ITEST_STR_EQ(r->node->key, dir);
    CU_ASSERT_PTR_NULL(r->node->value);
    CU_ASSERT_EQUAL(r->node->ttl, 100);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_keys_create_dir_sync(cl(), dir, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 105);
    etcd_response_free(r);
}

/* delete of a key, delete_dir of an empty directory, recursive delete of a tree. */
static void test_delete(void)
{
    const char *prefix = itest_prefix();
    char key[160];
    char dir[160];
    etcd_keys_opts o = {0};
    etcd_response *r = NULL;
    int rc;

    itest_key(key, sizeof(key), "%s/k", prefix);
    itest_set(cl(), key, "v");
    rc = etcd_keys_delete_sync(cl(), key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_DELETE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->key, key);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->prev_node);
    ITEST_STR_EQ(r->prev_node->value, "v");
    etcd_response_free(r);
    r = NULL;
    CU_ASSERT(key_missing(key));
    rc = etcd_keys_delete_sync(cl(), key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 100);
    etcd_response_free(r);
    r = NULL;

    /* delete_dir of an empty directory */
    itest_key(dir, sizeof(dir), "%s/empty", prefix);
    rc = etcd_keys_create_dir_sync(cl(), dir, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_keys_delete_dir_sync(cl(), dir, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_DELETE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT(r->node->dir);
    etcd_response_free(r);
    r = NULL;
    CU_ASSERT(key_missing(dir));

    /* a plain delete of a directory is refused (102); recursive takes the tree */
    itest_key(dir, sizeof(dir), "%s/tree", prefix);
    itest_set(cl(), itest_key(key, sizeof(key), "%s/x/y", dir), "deep");
    rc = etcd_keys_delete_sync(cl(), dir, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 102);
    etcd_response_free(r);
    r = NULL;
    o.recursive = 1;
    rc = etcd_keys_delete_sync(cl(), dir, &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_DELETE);
    etcd_response_free(r);
    CU_ASSERT(key_missing(key));
    CU_ASSERT(key_missing(dir));
}

/* Keys and values with spaces, ?, #, %, +, & and UTF-8 round-trip exactly, also in
 * the key names etcd returns, and a value cannot inject form fields. */
static void test_escaping(void)
{
    static const char *const names[] = {
        "with space",
        "question?mark",
        "hash#tag",
        "per%cent",
        "%41%2F",
        "plus+sign",
        "amp&ersand",
        "equals=sign;semi",
        "gr\xc3\xbc\xc3\x9f"
        "e \xe6\x97\xa5\xe6\x9c\xac",
        "all ?#%+& =/nested key",
        "tilde~dot.dash-under_",
        "quote\"back\\slash'",
    };
    static const char *const values[] = {
        "a b",
        "?x=1",
        "#frag",
        "100%",
        "%41",
        "1+1=2",
        "a&ttl=1",
        "x;y",
        "gr\xc3\xbc\xc3\x9f",
        "v&prevExist=true",
        "line1\nline2\t",
        "{\"json\":[1]}",
    };
    const char *prefix = itest_prefix();
    char dir[160];
    char key[320];
    size_t i;
    etcd_response *r = NULL;
    etcd_keys_opts o = {0};
    int rc;

    itest_key(dir, sizeof(dir), "%s/esc", prefix);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        itest_key(key, sizeof(key), "%s/%s", dir, names[i]);
        rc = etcd_keys_set_sync(cl(), key, values[i], NULL, &r);
        ITEST_STATUS(rc, r, ETCD_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
        ITEST_STR_EQ(r->node->key, key);
        ITEST_STR_EQ(r->node->value, values[i]);
        CU_ASSERT_EQUAL(r->node->ttl, 0);
        etcd_response_free(r);
        r = NULL;

        rc = etcd_keys_get_sync(cl(), key, NULL, &r);
        ITEST_STATUS(rc, r, ETCD_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
        ITEST_STR_EQ(r->node->key, key);
        ITEST_STR_EQ(r->node->value, values[i]);
        CU_ASSERT_EQUAL(r->node->value_len, strlen(values[i]));
        etcd_response_free(r);
        r = NULL;
    }
    /* the listing names every key exactly */
    o.recursive = 1;
    o.sorted = 1;
    rc = etcd_keys_get_sync(cl(), dir, &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t k;
        int found = 0;
        itest_key(key, sizeof(key), "%s/%s", dir, names[i]);
        for (k = 0; k < r->node->nnodes; k++) {
            const etcd_node *n = &r->node->nodes[k];
            if (strcmp(n->key, key) == 0 && n->value != NULL &&
                strcmp(n->value, values[i]) == 0) {
                found = 1;
            }
            if (n->dir && n->nnodes == 1 && strcmp(n->nodes[0].key, key) == 0) {
                found = 1;
            }
        }
        CU_ASSERT(found);
        if (!found) {
            fprintf(stderr, "\n  key \"%s\" missing from the listing\n", key);
        }
    }
    etcd_response_free(r);
    r = NULL;

    /* an escaped key reaches the server as that key: "%41%2F" is not "A/" */
    rc = etcd_keys_get_sync(cl(), itest_key(key, sizeof(key), "%s/A/", dir), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 100);
    etcd_response_free(r);
    r = NULL;

    /* the value "a&ttl=1" set no TTL (checked above: ttl 0); a CAS value with '&' */
    etcd_keys_opts c = {0};
    c.prev_value = "a&ttl=1";
    itest_key(key, sizeof(key), "%s/%s", dir, names[6]);
    rc = etcd_keys_compare_and_swap_sync(cl(), key, "b&c", &c, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->value, "b&c");
    etcd_response_free(r);
}

/* An empty value is a value, not a missing one. */
static void test_empty_value(void)
{
    char key[128];
    etcd_response *r = NULL;
    int rc;

    itest_key(key, sizeof(key), "%s/empty", itest_prefix());
    rc = etcd_keys_set_sync(cl(), key, "", NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_keys_get_sync(cl(), key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT_PTR_NOT_NULL(r->node->value);
    CU_ASSERT_EQUAL(r->node->value_len, 0);
    CU_ASSERT_EQUAL(r->node->dir, 0);
    etcd_response_free(r);
}

/* quorum=true is really sent: each quorum read goes through raft and moves the raft
 * index; plain reads are served locally and do not. */
static void test_quorum(void)
{
    char key[128];
    etcd_keys_opts o = {0};
    uint64_t last = 0;
    uint64_t first_plain = 0;
    uint64_t last_plain = 0;
    int i;
    int rc;

    itest_key(key, sizeof(key), "%s/q", itest_prefix());
    itest_set(cl(), key, "v");
    o.quorum = 1;
    for (i = 0; i < 5; i++) {
        etcd_response *r = NULL;
        rc = etcd_keys_get_sync(cl(), key, &o, &r);
        ITEST_STATUS(rc, r, ETCD_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
        ITEST_STR_EQ(r->node->value, "v");
        CU_ASSERT(r->info.raft_index > last);
        last = r->info.raft_index;
        etcd_response_free(r);
    }
    o.quorum = 0;
    for (i = 0; i < 5; i++) {
        etcd_response *r = NULL;
        rc = etcd_keys_get_sync(cl(), key, &o, &r);
        ITEST_STATUS(rc, r, ETCD_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        if (i == 0) {
            first_plain = r->info.raft_index;
        }
        last_plain = r->info.raft_index;
        etcd_response_free(r);
    }
    /* etcd's own TTL sync may add one raft entry meanwhile, never five */
    CU_ASSERT(last_plain - first_plain < 4);
}

/* refresh resets the TTL without changing the value. */
static void test_refresh(void)
{
    char key[128];
    etcd_keys_opts o = {0};
    etcd_response *r = NULL;
    int rc;

    itest_key(key, sizeof(key), "%s/r", itest_prefix());
    o.ttl = 5;
    rc = etcd_keys_set_sync(cl(), key, "keep", &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    r = NULL;
    o.ttl = 500;
    rc = etcd_keys_refresh_sync(cl(), key, &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_UPDATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->value, "keep");
    CU_ASSERT_EQUAL(r->node->ttl, 500);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_keys_get_sync(cl(), key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->value, "keep");
    CU_ASSERT(r->node->ttl > 400);
    etcd_response_free(r);
}

typedef struct async_result {
    int calls;
    int status;
    etcd_action action;
    char value[64];
} async_result;

static void async_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    async_result *a = data;

    (void)c;
    a->calls++;
    a->status = resp->status;
    a->action = resp->action;
    if (resp->node != NULL && resp->node->value != NULL) {
        snprintf(a->value, sizeof(a->value), "%s", resp->node->value);
    }
}

/* Every call's asynchronous form: one callback each, with the right action. */
static void test_async_forms(void)
{
    const char *prefix = itest_prefix();
    char key[160];
    char dir[160];
    etcd_keys_opts o = {0};
    async_result a[12];
    int done;
    int i;

    memset(a, 0, sizeof(a));
    itest_key(key, sizeof(key), "%s/k", prefix);
    itest_key(dir, sizeof(dir), "%s/d", prefix);
    CU_ASSERT_EQUAL(etcd_keys_set(cl(), key, "1", NULL, async_cb, &a[0]), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_keys_update(cl(), key, "2", NULL, async_cb, &a[1]), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    o.prev_value = "2";
    CU_ASSERT_EQUAL(etcd_keys_compare_and_swap(cl(), key, "3", &o, async_cb, &a[2]),
                    ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_keys_get(cl(), key, NULL, async_cb, &a[3]), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    o.prev_value = "3";
    CU_ASSERT_EQUAL(etcd_keys_compare_and_delete(cl(), key, &o, async_cb, &a[4]),
                    ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_keys_create(cl(), key, "4", NULL, async_cb, &a[5]), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_keys_delete(cl(), key, NULL, async_cb, &a[6]), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_keys_create_dir(cl(), dir, NULL, async_cb, &a[7]), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    o.prev_value = NULL;
    o.ttl = 50;
    CU_ASSERT_EQUAL(etcd_keys_update_dir(cl(), dir, &o, async_cb, &a[8]), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_keys_refresh(cl(), dir, &o, async_cb, &a[9]), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_keys_delete_dir(cl(), dir, NULL, async_cb, &a[10]), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_keys_set_dir(cl(), dir, NULL, async_cb, &a[11]), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_pending(cl()), 0);

    done = 0;
    for (i = 0; i < 12; i++) {
        CU_ASSERT_EQUAL(a[i].calls, 1);
        CU_ASSERT_EQUAL(a[i].status, ETCD_OK);
        done += a[i].calls;
    }
    CU_ASSERT_EQUAL(done, 12);
    CU_ASSERT_EQUAL(a[0].action, ETCD_ACTION_SET);
    CU_ASSERT_EQUAL(a[1].action, ETCD_ACTION_UPDATE);
    CU_ASSERT_EQUAL(a[2].action, ETCD_ACTION_COMPARE_AND_SWAP);
    CU_ASSERT_EQUAL(a[3].action, ETCD_ACTION_GET);
    CU_ASSERT_STRING_EQUAL(a[3].value, "3");
    CU_ASSERT_EQUAL(a[4].action, ETCD_ACTION_COMPARE_AND_DELETE);
    CU_ASSERT_EQUAL(a[5].action, ETCD_ACTION_CREATE);
    CU_ASSERT_EQUAL(a[6].action, ETCD_ACTION_DELETE);
    CU_ASSERT_EQUAL(a[7].action, ETCD_ACTION_CREATE);
    CU_ASSERT_EQUAL(a[8].action, ETCD_ACTION_UPDATE);
    CU_ASSERT_EQUAL(a[9].action, ETCD_ACTION_UPDATE);
    CU_ASSERT_EQUAL(a[10].action, ETCD_ACTION_DELETE);
    CU_ASSERT_EQUAL(a[11].action, ETCD_ACTION_SET);
}

int test_it_keys_add(void)
{
    CU_pSuite s = CU_add_suite("it_keys", suite_init, suite_clean);

    if (s == NULL || !CU_add_test(s, "create with ttl 60", test_create_with_ttl) ||
        !CU_add_test(s, "second create is 105", test_create_twice) ||
        !CU_add_test(s, "three concurrent in-order creates", test_in_order_concurrent) ||
        !CU_add_test(s, "in-order create under a key is 104", test_in_order_under_key) ||
        !CU_add_test(s, "compare-and-swap", test_compare_and_swap) ||
        !CU_add_test(s, "compare-and-delete", test_compare_and_delete) ||
        !CU_add_test(s, "CAS/CAD without condition send nothing",
                     test_compare_without_condition) ||
        !CU_add_test(s, "get key, dir, recursive, root", test_get) ||
        !CU_add_test(s, "set_dir on a dir is 102", test_set_dir_existing) ||
        !CU_add_test(s, "set_dir replaces a key", test_set_dir_replaces_key) ||
        !CU_add_test(s, "update", test_update) ||
        !CU_add_test(s, "update_dir replaces a key", test_update_dir_replaces_key) ||
        !CU_add_test(s, "update_dir sets a dir's ttl", test_update_dir_ttl) ||
        !CU_add_test(s, "create_dir", test_create_dir) ||
        !CU_add_test(s, "delete, delete_dir, recursive", test_delete) ||
        !CU_add_test(s, "escaping round-trips", test_escaping) ||
        !CU_add_test(s, "empty value", test_empty_value) ||
        !CU_add_test(s, "quorum reaches the server", test_quorum) ||
        !CU_add_test(s, "refresh", test_refresh) ||
        !CU_add_test(s, "async forms", test_async_forms)) {
        return -1;
    }
    return 0;
}
