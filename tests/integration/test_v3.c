/*
 * Integration tests of libetcd's v3 key-value API, transactions, compaction, watches,
 * leases and token auth (lib/src/v3.c, v3_decode.c, v3_watch.c, v3_lease.c,
 * v3_token.c) against real etcd servers of tests/etcd-env.sh:
 *
 * - ETCD_TEST_ENDPOINT, the plain member every suite shares (keys under a prefix of
 *   each test's own): ranges, puts, deletes, transactions, compaction, watches, leases.
 * - ETCD_TEST_TOKEN_ENDPOINT, a member of this suite's own whose auth tokens live 2 s
 *   and whose watches get a progress notification every second: progress messages,
 *   and v3 auth with a reader whose token expires and is renewed.
 * - ETCD_TEST_V3_VICTIM_ENDPOINTS/PIDS, three members of this suite's own: the first
 *   is killed under two watches, which must resume on another member with no event
 *   lost or repeated. The suite runs once per etcd environment.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <curl/curl.h>

#include "etcd/etcd.h"
#include "etcd/v3.h"
#include "etcd/v3_cluster.h"
#include "itest.h"

#define ROOT_PW "root-pw"
#define READER_PW "reader-pw"
#define TOKEN_TTL_S 2 /* the token member's --auth-token-ttl */

static const char *token_endpoint;
static char victim_all[512];
static char victim[3][128];
static pid_t victim_pids[3];

static void auth_reset(void);

static const char *need(const char *name, int *missing)
{
    const char *v = getenv(name);

    if (v == NULL || *v == '\0') {
        fprintf(stderr,
                "\n  %s is not set: it_v3 needs the servers that tests/etcd-env.sh "
                "starts (run tests/run.sh)\n",
                name);
        (*missing)++;
    }
    return v;
}

/* Split ETCD_TEST_V3_VICTIM_ENDPOINTS and _PIDS into three members. */
static int victims_parse(const char *e, const char *p)
{
    int i;

    snprintf(victim_all, sizeof(victim_all), "%s", e);
    for (i = 0; i < 3; i++) {
        const char *comma = strchr(e, ',');
        size_t n = comma ? (size_t)(comma - e) : strlen(e);
        char *end;
        long v;

        if (n == 0 || n >= sizeof(victim[0])) {
            return -1;
        }
        memcpy(victim[i], e, n);
        victim[i][n] = '\0';
        e = comma ? comma + 1 : e + n;
        errno = 0;
        v = strtol(p, &end, 10);
        if (errno != 0 || end == p || v <= 0) {
            return -1;
        }
        victim_pids[i] = (pid_t)v;
        p = end;
    }
    return 0;
}

static int suite_init(void)
{
    int missing = 0;
    const char *e, *p;

    if (itest_suite_init() != 0) {
        return -1;
    }
    token_endpoint = need("ETCD_TEST_TOKEN_ENDPOINT", &missing);
    e = need("ETCD_TEST_V3_VICTIM_ENDPOINTS", &missing);
    p = need("ETCD_TEST_V3_VICTIM_PIDS", &missing);
    if (missing) {
        return -1;
    }
    if (victims_parse(e, p) != 0) {
        fprintf(stderr, "\n  ETCD_TEST_V3_VICTIM_ENDPOINTS/PIDS: three URLs and three "
                        "process ids expected\n");
        return -1;
    }
    auth_reset();
    return 0;
}

static int suite_clean(void)
{
    if (token_endpoint != NULL) {
        auth_reset();
    }
    return 0;
}

static etcd_bytes str(const char *s)
{
    etcd_bytes b = {s, ETCD_STRLEN};

    return b;
}

static etcd_bytes bin(const char *s, size_t n)
{
    etcd_bytes b = {s, n};

    return b;
}

/* Whether the response's error message contains `text`. */
static int says(const etcd_response *r, const char *text)
{
    return r != NULL && r->error.message != NULL && strstr(r->error.message, text);
}

/* Whether a pair is (key, value), both NUL-terminated strings. */
static int kv_is(const etcd_kv *kv, const char *key, const char *value)
{
    return kv->key_len == strlen(key) && memcmp(kv->key, key, kv->key_len) == 0 &&
           (value == NULL || (kv->value_len == strlen(value) &&
                              memcmp(kv->value, value, kv->value_len) == 0));
}

#define OK_SYNC(call)                                                                    \
    do {                                                                                 \
        etcd_response *ok_r_ = NULL;                                                     \
        int ok_rc_ = (call);                                                             \
        ITEST_STATUS(ok_rc_, ok_r_, ETCD_OK);                                            \
        etcd_response_free(ok_r_);                                                       \
    } while (0)

/* A put that must succeed; returns the revision it made. */
static int64_t put(etcd_client *c, const char *key, const char *value)
{
    etcd_response *r = NULL;
    int64_t rev = 0;
    int rc = etcd_v3_put_sync(c, str(key), str(value), NULL, &r);

    ITEST_STATUS(rc, r, ETCD_OK);
    if (r != NULL && r->header != NULL) {
        rev = r->header->revision;
    }
    CU_ASSERT(rev > 0);
    etcd_response_free(r);
    return rev;
}

/* The current revision of the client's cluster. */
static int64_t revision_now(etcd_client *c)
{
    etcd_response *r = NULL;
    etcd_range_opts o = {0};
    int64_t rev = 0;
    int rc;

    o.count_only = 1;
    rc = etcd_v3_range_sync(c, str("/it_v3-none"), &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    if (r != NULL && r->header != NULL) {
        rev = r->header->revision;
    }
    CU_ASSERT(rev > 0);
    etcd_response_free(r);
    return rev;
}

/* The value of `key` now, into buf ("" when missing); returns the number of keys. */
static size_t value_of(etcd_client *c, const char *key, char *buf, size_t size)
{
    etcd_response *r = NULL;
    size_t n = 0;
    int rc = etcd_v3_range_sync(c, str(key), NULL, &r);

    ITEST_STATUS(rc, r, ETCD_OK);
    buf[0] = '\0';
    if (r != NULL) {
        n = r->v3.nkvs;
        if (n == 1) {
            snprintf(buf, size, "%.*s", (int)r->v3.kvs[0].value_len, r->v3.kvs[0].value);
        }
    }
    etcd_response_free(r);
    return n;
}

/* ---- Ranges ------------------------------------------------------------------------ */

/* Four keys a..d written in the order c, a, d, b, then a again. Their values make
 * every sort target give a different order. */
static void test_range(void)
{
    etcd_client *c = itest_client(NULL);
    const char *pfx = itest_prefix();
    char k[4][128], end[128], outside[128];
    etcd_range_opts o;
    etcd_response *r = NULL;
    int64_t rev_a1, rev_a2;
    int rc, i;

    for (i = 0; i < 4; i++) {
        itest_key(k[i], sizeof(k[i]), "%s/r/%c", pfx, 'a' + i);
    }
    itest_key(outside, sizeof(outside), "%s/r0", pfx);
    put(c, k[2], "4");
    rev_a1 = put(c, k[0], "3");
    put(c, k[3], "2");
    put(c, k[1], "1");
    rev_a2 = put(c, k[0], "5");
    put(c, outside, "not in the prefix");
    CU_ASSERT(rev_a2 > rev_a1);

    /* one key */
    rc = etcd_v3_range_sync(c, str(k[0]), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->header);
    CU_ASSERT(r->header->revision >= rev_a2);
    CU_ASSERT(r->header->cluster_id != 0);
    CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 1);
    CU_ASSERT(kv_is(&r->v3.kvs[0], k[0], "5"));
    CU_ASSERT_EQUAL(r->v3.kvs[0].version, 2);
    CU_ASSERT_EQUAL(r->v3.kvs[0].create_revision, rev_a1);
    CU_ASSERT_EQUAL(r->v3.kvs[0].mod_revision, rev_a2);
    CU_ASSERT_EQUAL(r->v3.kvs[0].lease, 0);
    CU_ASSERT_EQUAL(r->v3.count, 1);
    CU_ASSERT_EQUAL(r->v3.more, 0);
    etcd_response_free(r);

    /* a missing key: no pairs, no error */
    r = NULL;
    itest_key(end, sizeof(end), "%s/r/zz", pfx);
    rc = etcd_v3_range_sync(c, str(end), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->v3.nkvs, 0);
    CU_ASSERT_PTR_NULL(r->v3.kvs);
    CU_ASSERT_EQUAL(r->v3.count, 0);
    etcd_response_free(r);

    /* a prefix: sorted by key, the key outside it left out */
    memset(&o, 0, sizeof(o));
    o.range.prefix = 1;
    itest_key(end, sizeof(end), "%s/r/", pfx);
    r = NULL;
    rc = etcd_v3_range_sync(c, str(end), &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 4);
    CU_ASSERT_EQUAL(r->v3.count, 4);
    for (i = 0; i < 4; i++) {
        CU_ASSERT(kv_is(&r->v3.kvs[i], k[i], NULL));
    }
    etcd_response_free(r);

    /* [a, c) */
    memset(&o, 0, sizeof(o));
    o.range.end = str(k[2]);
    r = NULL;
    rc = etcd_v3_range_sync(c, str(k[0]), &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 2);
    CU_ASSERT(kv_is(&r->v3.kvs[0], k[0], "5"));
    CU_ASSERT(kv_is(&r->v3.kvs[1], k[1], "1"));
    etcd_response_free(r);

    /* from c on: c, d, then the key outside the prefix ("/r0" > "/r/d") */
    memset(&o, 0, sizeof(o));
    o.range.from_key = 1;
    o.limit = 3;
    r = NULL;
    rc = etcd_v3_range_sync(c, str(k[2]), &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 3);
    CU_ASSERT(kv_is(&r->v3.kvs[0], k[2], "4"));
    CU_ASSERT(kv_is(&r->v3.kvs[1], k[3], "2"));
    CU_ASSERT(kv_is(&r->v3.kvs[2], outside, "not in the prefix"));
    CU_ASSERT(r->v3.count >= 3);
    etcd_response_free(r);

    /* a limit: the first two, `more`, and the count of all */
    memset(&o, 0, sizeof(o));
    o.range.prefix = 1;
    o.limit = 2;
    r = NULL;
    rc = etcd_v3_range_sync(c, str(end), &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 2);
    CU_ASSERT(kv_is(&r->v3.kvs[0], k[0], NULL));
    CU_ASSERT(kv_is(&r->v3.kvs[1], k[1], NULL));
    CU_ASSERT_EQUAL(r->v3.more, 1);
    CU_ASSERT_EQUAL(r->v3.count, 4);
    etcd_response_free(r);

    /* an old revision: a's first value */
    memset(&o, 0, sizeof(o));
    o.revision = rev_a1;
    r = NULL;
    rc = etcd_v3_range_sync(c, str(k[0]), &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 1);
    CU_ASSERT(kv_is(&r->v3.kvs[0], k[0], "3"));
    CU_ASSERT_EQUAL(r->v3.kvs[0].version, 1);
    etcd_response_free(r);
    /* before a existed: nothing */
    o.revision = rev_a1 - 1;
    r = NULL;
    rc = etcd_v3_range_sync(c, str(k[0]), &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT(r != NULL && r->v3.nkvs == 0);
    etcd_response_free(r);

    /* sort orders and targets */
    {
        static const struct {
            etcd_sort_order order;
            etcd_sort_target target;
            const char *keys; /* expected order of a..d */
        } sorts[] = {
            {ETCD_SORT_DESCEND, ETCD_SORT_KEY, "dcba"},
            {ETCD_SORT_ASCEND, ETCD_SORT_KEY, "abcd"},
            {ETCD_SORT_ASCEND, ETCD_SORT_VALUE, "bdca"},  /* 1 2 4 5 */
            {ETCD_SORT_DESCEND, ETCD_SORT_VALUE, "acdb"}, /* 5 4 2 1 */
            {ETCD_SORT_ASCEND, ETCD_SORT_CREATE, "cadb"}, /* written c, a, d, b */
            {ETCD_SORT_ASCEND, ETCD_SORT_MOD, "cdba"},    /* a written again last */
            {ETCD_SORT_DESCEND, ETCD_SORT_MOD, "abdc"},   /* the reverse */
            {ETCD_SORT_DESCEND, ETCD_SORT_VERSION, "a"},  /* a: 2, the others 1 */
        };
        size_t s;

        for (s = 0; s < sizeof(sorts) / sizeof(sorts[0]); s++) {
            memset(&o, 0, sizeof(o));
            o.range.prefix = 1;
            o.sort_order = sorts[s].order;
            o.sort_target = sorts[s].target;
            r = NULL;
            rc = etcd_v3_range_sync(c, str(end), &o, &r);
            ITEST_STATUS(rc, r, ETCD_OK);
            CU_ASSERT_PTR_NOT_NULL_FATAL(r);
            CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 4);
            for (i = 0; sorts[s].keys[i] != '\0'; i++) {
                int want = sorts[s].keys[i] - 'a';

                if (!kv_is(&r->v3.kvs[i], k[want], NULL)) {
                    fprintf(stderr, "\n  sort %zu: key %d is %.*s, not %s\n", s, i,
                            (int)r->v3.kvs[i].key_len, r->v3.kvs[i].key, k[want]);
                    CU_FAIL("sort order");
                }
            }
            etcd_response_free(r);
        }
    }

    /* keys only: no values */
    memset(&o, 0, sizeof(o));
    o.range.prefix = 1;
    o.keys_only = 1;
    r = NULL;
    rc = etcd_v3_range_sync(c, str(end), &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 4);
    for (i = 0; i < 4; i++) {
        CU_ASSERT(kv_is(&r->v3.kvs[i], k[i], ""));
        CU_ASSERT(r->v3.kvs[i].mod_revision > 0);
    }
    etcd_response_free(r);

    /* count only: the count, no pairs */
    memset(&o, 0, sizeof(o));
    o.range.prefix = 1;
    o.count_only = 1;
    r = NULL;
    rc = etcd_v3_range_sync(c, str(end), &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->v3.nkvs, 0);
    CU_ASSERT_EQUAL(r->v3.count, 4);
    etcd_response_free(r);

    /* serializable: the member's own answer, the same data here */
    memset(&o, 0, sizeof(o));
    o.serializable = 1;
    r = NULL;
    rc = etcd_v3_range_sync(c, str(k[3]), &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 1);
    CU_ASSERT(kv_is(&r->v3.kvs[0], k[3], "2"));
    etcd_response_free(r);

    etcd_client_free(c);
}

/* Keys and values with NUL bytes (and 0xff) come back exactly, alone and in a range. */
static void test_binary(void)
{
    etcd_client *c = itest_client(NULL);
    const char *pfx = itest_prefix();
    char key[128], key2[128];
    size_t n, n2;
    static const char value[] = {'\0', 'v', '\0', '\xff', '\x01', '\0'};
    etcd_range_opts o = {0};
    etcd_response *r = NULL;
    int rc;

    n = (size_t)snprintf(key, sizeof(key), "%s/b/", pfx);
    memcpy(key + n, "k\0\xff", 3);
    n += 3;
    memcpy(key2, key, n);
    key2[n] = '\0'; /* key2: key followed by a NUL byte */
    n2 = n + 1;

    OK_SYNC(etcd_v3_put_sync(c, bin(key, n), bin(value, sizeof(value)), NULL, &ok_r_));
    OK_SYNC(etcd_v3_put_sync(c, bin(key2, n2), bin("", 0), NULL, &ok_r_));
    rc = etcd_v3_range_sync(c, bin(key, n), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 1);
    CU_ASSERT_EQUAL(r->v3.kvs[0].key_len, n);
    CU_ASSERT(memcmp(r->v3.kvs[0].key, key, n) == 0);
    CU_ASSERT_EQUAL(r->v3.kvs[0].key[n], '\0');
    CU_ASSERT_EQUAL(r->v3.kvs[0].value_len, sizeof(value));
    CU_ASSERT(memcmp(r->v3.kvs[0].value, value, sizeof(value)) == 0);
    etcd_response_free(r);

    /* the prefix of the binary key holds both, in byte order */
    o.range.prefix = 1;
    r = NULL;
    rc = etcd_v3_range_sync(c, bin(key, n), &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 2);
    CU_ASSERT_EQUAL(r->v3.kvs[0].key_len, n);
    CU_ASSERT_EQUAL(r->v3.kvs[1].key_len, n2);
    CU_ASSERT(memcmp(r->v3.kvs[1].key, key2, n2) == 0);
    CU_ASSERT_EQUAL(r->v3.kvs[1].value_len, 0);
    etcd_response_free(r);

    /* a key ending in 0xff: its prefix ends one byte earlier, +1 */
    {
        etcd_delete_opts d = {0};

        d.range.prefix = 1;
        r = NULL;
        rc = etcd_v3_delete_sync(c, bin(key, n), &d, &r);
        ITEST_STATUS(rc, r, ETCD_OK);
        CU_ASSERT(r != NULL && r->v3.deleted == 2);
        etcd_response_free(r);
    }
    etcd_client_free(c);
}

/* The asynchronous forms: many calls in flight on one client, each answered once. */
typedef struct async_log {
    int done;
    int ok;
    int64_t max_revision;
    int values_ok;
} async_log;

static void async_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    async_log *log = data;

    (void)c;
    log->done++;
    if (resp->status == ETCD_OK && resp->header != NULL) {
        log->ok++;
        if (resp->header->revision > log->max_revision) {
            log->max_revision = resp->header->revision;
        }
        if (resp->v3.nkvs == 1 && resp->v3.kvs[0].value_len == 5 &&
            memcmp(resp->v3.kvs[0].value, "async", 5) == 0) {
            log->values_ok++;
        }
    } else {
        itest_dump("async", resp);
    }
}

static void test_async(void)
{
    etcd_client *c = itest_client(NULL);
    const char *pfx = itest_prefix();
    char key[128];
    async_log puts = {0}, gets = {0};
    etcd_range_opts o = {0};
    etcd_response *r = NULL;
    int i, rc;

    for (i = 0; i < 20; i++) {
        itest_key(key, sizeof(key), "%s/as/%02d", pfx, i);
        CU_ASSERT_EQUAL(etcd_v3_put(c, str(key), str("async"), NULL, async_cb, &puts),
                        ETCD_OK);
    }
    CU_ASSERT(itest_run_until(c, &puts.done, 20, 20000));
    CU_ASSERT_EQUAL(puts.ok, 20);
    for (i = 0; i < 20; i++) {
        itest_key(key, sizeof(key), "%s/as/%02d", pfx, i);
        CU_ASSERT_EQUAL(etcd_v3_range(c, str(key), NULL, async_cb, &gets), ETCD_OK);
    }
    CU_ASSERT(itest_run_until(c, &gets.done, 20, 20000));
    CU_ASSERT_EQUAL(gets.values_ok, 20);
    CU_ASSERT(gets.max_revision >= puts.max_revision);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 0);
    itest_key(key, sizeof(key), "%s/as/", pfx);
    o.range.prefix = 1;
    o.count_only = 1;
    rc = etcd_v3_range_sync(c, str(key), &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT(r != NULL && r->v3.count == 20);
    etcd_response_free(r);
    /* a callback is required; nothing is sent without one */
    CU_ASSERT_EQUAL(etcd_v3_range(c, str(key), NULL, NULL, NULL), ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 0);
    etcd_client_free(c);
}

/* ---- Puts and deletes -------------------------------------------------------------- */

static void test_put_delete(void)
{
    etcd_client *c = itest_client(NULL);
    const char *pfx = itest_prefix();
    char key[128], missing[128], buf[64];
    etcd_put_opts po;
    etcd_delete_opts dopt;
    etcd_response *r = NULL;
    int64_t lease = 0, lease2 = 0;
    int rc;

    itest_key(key, sizeof(key), "%s/p/k", pfx);
    itest_key(missing, sizeof(missing), "%s/p/missing", pfx);
    rc = etcd_v3_lease_grant_sync(c, 60, 0, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    if (r != NULL) {
        lease = r->v3.id;
    }
    etcd_response_free(r);
    r = NULL;
    rc = etcd_v3_lease_grant_sync(c, 60, 0, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    if (r != NULL) {
        lease2 = r->v3.id;
    }
    etcd_response_free(r);
    CU_ASSERT_FATAL(lease != 0 && lease2 != 0 && lease != lease2);

    /* a put on a lease, with no previous pair to return */
    memset(&po, 0, sizeof(po));
    po.lease = lease;
    po.prev_kv = 1;
    r = NULL;
    rc = etcd_v3_put_sync(c, str(key), str("one"), &po, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->v3.nprev_kvs, 0);
    etcd_response_free(r);

    /* prev_kv: the pair before, with its lease */
    memset(&po, 0, sizeof(po));
    po.prev_kv = 1;
    po.lease = lease;
    r = NULL;
    rc = etcd_v3_put_sync(c, str(key), str("two"), &po, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL_FATAL(r->v3.nprev_kvs, 1);
    CU_ASSERT(kv_is(&r->v3.prev_kvs[0], key, "one"));
    CU_ASSERT_EQUAL(r->v3.prev_kvs[0].lease, lease);
    CU_ASSERT_EQUAL(r->v3.prev_kvs[0].version, 1);
    etcd_response_free(r);

    /* ignore_value: the lease moves, the value stays */
    memset(&po, 0, sizeof(po));
    po.ignore_value = 1;
    po.lease = lease2;
    OK_SYNC(etcd_v3_put_sync(c, str(key), bin(NULL, 0), &po, &ok_r_));
    r = NULL;
    rc = etcd_v3_range_sync(c, str(key), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_FATAL(r != NULL && r->v3.nkvs == 1);
    CU_ASSERT(kv_is(&r->v3.kvs[0], key, "two"));
    CU_ASSERT_EQUAL(r->v3.kvs[0].lease, lease2);
    etcd_response_free(r);

    /* ignore_lease: the value changes, the lease stays */
    memset(&po, 0, sizeof(po));
    po.ignore_lease = 1;
    OK_SYNC(etcd_v3_put_sync(c, str(key), str("three"), &po, &ok_r_));
    r = NULL;
    rc = etcd_v3_range_sync(c, str(key), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_FATAL(r != NULL && r->v3.nkvs == 1);
    CU_ASSERT(kv_is(&r->v3.kvs[0], key, "three"));
    CU_ASSERT_EQUAL(r->v3.kvs[0].lease, lease2);
    etcd_response_free(r);

    /* a plain put drops the lease */
    put(c, key, "four");
    r = NULL;
    rc = etcd_v3_range_sync(c, str(key), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT(r != NULL && r->v3.nkvs == 1 && r->v3.kvs[0].lease == 0);
    etcd_response_free(r);

    /* their errors: ignore_value on a missing key, a value with ignore_value, a lease
     * with ignore_lease, a lease that does not exist */
    memset(&po, 0, sizeof(po));
    po.ignore_value = 1;
    r = NULL;
    rc = etcd_v3_put_sync(c, str(missing), bin(NULL, 0), &po, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT(says(r, "key not found"));
    CU_ASSERT(r != NULL && r->error.grpc_code == 3);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_v3_put_sync(c, str(key), str("x"), &po, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT(says(r, "value is provided"));
    etcd_response_free(r);
    memset(&po, 0, sizeof(po));
    po.ignore_lease = 1;
    po.lease = lease;
    r = NULL;
    rc = etcd_v3_put_sync(c, str(key), str("x"), &po, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT(says(r, "lease is provided"));
    etcd_response_free(r);
    memset(&po, 0, sizeof(po));
    po.lease = 0x7fffffff00000001LL;
    r = NULL;
    rc = etcd_v3_put_sync(c, str(key), str("x"), &po, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT(says(r, "requested lease not found"));
    etcd_response_free(r);
    CU_ASSERT_EQUAL(value_of(c, key, buf, sizeof(buf)), 1);
    ITEST_STR_EQ(buf, "four");
    CU_ASSERT_EQUAL(value_of(c, missing, buf, sizeof(buf)), 0);

    /* deletes: one key with its previous pair, a missing key, a prefix */
    memset(&dopt, 0, sizeof(dopt));
    dopt.prev_kv = 1;
    r = NULL;
    rc = etcd_v3_delete_sync(c, str(key), &dopt, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->v3.deleted, 1);
    CU_ASSERT_EQUAL_FATAL(r->v3.nprev_kvs, 1);
    CU_ASSERT(kv_is(&r->v3.prev_kvs[0], key, "four"));
    etcd_response_free(r);
    r = NULL;
    rc = etcd_v3_delete_sync(c, str(key), &dopt, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->v3.deleted, 0);
    CU_ASSERT_EQUAL(r->v3.nprev_kvs, 0);
    etcd_response_free(r);
    {
        char k[128];
        int i;

        for (i = 0; i < 3; i++) {
            itest_key(k, sizeof(k), "%s/p/many/%d", pfx, i);
            put(c, k, i == 1 ? "one" : "other");
        }
        itest_key(k, sizeof(k), "%s/p/many/", pfx);
        memset(&dopt, 0, sizeof(dopt));
        dopt.range.prefix = 1;
        dopt.prev_kv = 1;
        r = NULL;
        rc = etcd_v3_delete_sync(c, str(k), &dopt, &r);
        ITEST_STATUS(rc, r, ETCD_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(r->v3.deleted, 3);
        CU_ASSERT_EQUAL_FATAL(r->v3.nprev_kvs, 3);
        itest_key(k, sizeof(k), "%s/p/many/1", pfx);
        CU_ASSERT(kv_is(&r->v3.prev_kvs[1], k, "one"));
        etcd_response_free(r);
        /* without prev_kv: a count only */
        itest_key(k, sizeof(k), "%s/p/many/", pfx);
        dopt.prev_kv = 0;
        r = NULL;
        rc = etcd_v3_delete_sync(c, str(k), &dopt, &r);
        ITEST_STATUS(rc, r, ETCD_OK);
        CU_ASSERT(r != NULL && r->v3.deleted == 0 && r->v3.nprev_kvs == 0);
        etcd_response_free(r);
    }
    OK_SYNC(etcd_v3_lease_revoke_sync(c, lease, &ok_r_));
    OK_SYNC(etcd_v3_lease_revoke_sync(c, lease2, &ok_r_));
    etcd_client_free(c);
}

/* ---- Transactions ------------------------------------------------------------------ */

/* Run a transaction of one compare and say which branch ran (-1: it failed). */
static int txn_branch(etcd_client *c, const etcd_compare *cmp)
{
    etcd_txn t = {0};
    etcd_response *r = NULL;
    int rc, branch = -1;

    t.compare = cmp;
    t.ncompare = 1;
    rc = etcd_v3_txn_sync(c, &t, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    if (rc == ETCD_OK && r != NULL) {
        branch = r->v3.succeeded;
        CU_ASSERT_EQUAL(r->v3.nresults, 0);
    }
    etcd_response_free(r);
    return branch;
}

static void test_txn(void)
{
    etcd_client *c = itest_client(NULL);
    const char *pfx = itest_prefix();
    char k1[128], k2[128], k3[128], k4[128], k5[128], buf[64];
    etcd_put_opts po = {0};
    etcd_delete_opts dopt = {0};
    etcd_range_opts ro = {0};
    etcd_response *r = NULL;
    int64_t rev1, lease = 0;
    int rc;

    itest_key(k1, sizeof(k1), "%s/t/k1", pfx);
    itest_key(k2, sizeof(k2), "%s/t/k2", pfx);
    itest_key(k3, sizeof(k3), "%s/t/k3", pfx);
    itest_key(k4, sizeof(k4), "%s/t/k4", pfx);
    itest_key(k5, sizeof(k5), "%s/t/k5", pfx);
    rc = etcd_v3_lease_grant_sync(c, 60, 0, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    if (r != NULL) {
        lease = r->v3.id;
    }
    etcd_response_free(r);
    CU_ASSERT_FATAL(lease != 0);
    rev1 = put(c, k1, "one");
    po.lease = lease;
    OK_SYNC(etcd_v3_put_sync(c, str(k2), str("leased"), &po, &ok_r_));

    /* each compare target, true and false */
    {
        etcd_compare cmp;

        memset(&cmp, 0, sizeof(cmp));
        cmp.key = str(k1);
        cmp.target = ETCD_CMP_VALUE;
        cmp.value = str("one");
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 1);
        cmp.value = str("two");
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 0);
        cmp.result = ETCD_CMP_NOT_EQUAL;
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 1);

        memset(&cmp, 0, sizeof(cmp));
        cmp.key = str(k1);
        cmp.target = ETCD_CMP_VERSION;
        cmp.number = 1;
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 1);
        cmp.result = ETCD_CMP_GREATER;
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 0);
        cmp.number = 0;
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 1);

        memset(&cmp, 0, sizeof(cmp));
        cmp.key = str(k1);
        cmp.target = ETCD_CMP_CREATE;
        cmp.number = rev1;
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 1);
        cmp.number = rev1 + 1;
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 0);
        cmp.result = ETCD_CMP_LESS;
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 1);

        memset(&cmp, 0, sizeof(cmp));
        cmp.key = str(k1);
        cmp.target = ETCD_CMP_MOD;
        cmp.number = rev1;
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 1);
        cmp.number = rev1 - 1;
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 0);

        memset(&cmp, 0, sizeof(cmp));
        cmp.key = str(k2);
        cmp.target = ETCD_CMP_LEASE;
        cmp.number = lease;
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 1);
        cmp.key = str(k1); /* no lease: 0 */
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 0);
        cmp.number = 0;
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 1);

        /* a compare over a range: every key in it must match */
        memset(&cmp, 0, sizeof(cmp));
        itest_key(buf, sizeof(buf), "%s/t/", pfx);
        cmp.key = str(buf);
        cmp.range.prefix = 1;
        cmp.target = ETCD_CMP_VERSION;
        cmp.number = 1;
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 1);
        cmp.number = 2;
        CU_ASSERT_EQUAL(txn_branch(c, &cmp), 0);
    }

    /* all compares hold: the success branch (put, range, delete), not the failure one */
    {
        etcd_compare cmps[5];
        etcd_op ok_ops[3], fail_ops[1];
        etcd_txn t = {0};

        memset(cmps, 0, sizeof(cmps));
        memset(ok_ops, 0, sizeof(ok_ops));
        memset(fail_ops, 0, sizeof(fail_ops));
        cmps[0].key = str(k1);
        cmps[0].target = ETCD_CMP_VALUE;
        cmps[0].value = str("one");
        cmps[1].key = str(k1);
        cmps[1].target = ETCD_CMP_VERSION;
        cmps[1].number = 1;
        cmps[2].key = str(k1);
        cmps[2].target = ETCD_CMP_CREATE;
        cmps[2].number = rev1;
        cmps[3].key = str(k1);
        cmps[3].target = ETCD_CMP_MOD;
        cmps[3].number = rev1;
        cmps[4].key = str(k2);
        cmps[4].target = ETCD_CMP_LEASE;
        cmps[4].number = lease;
        memset(&po, 0, sizeof(po));
        po.prev_kv = 1;
        ok_ops[0].type = ETCD_OP_PUT;
        ok_ops[0].key = str(k1);
        ok_ops[0].value = str("one+");
        ok_ops[0].put = &po;
        ok_ops[1].type = ETCD_OP_RANGE;
        ok_ops[1].key = str(k1);
        dopt.prev_kv = 1;
        ok_ops[2].type = ETCD_OP_DELETE;
        ok_ops[2].key = str(k2);
        ok_ops[2].del = &dopt;
        fail_ops[0].type = ETCD_OP_PUT;
        fail_ops[0].key = str(k4);
        fail_ops[0].value = str("failure branch");
        t.compare = cmps;
        t.ncompare = 5;
        t.success = ok_ops;
        t.nsuccess = 3;
        t.failure = fail_ops;
        t.nfailure = 1;
        r = NULL;
        rc = etcd_v3_txn_sync(c, &t, &r);
        ITEST_STATUS(rc, r, ETCD_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(r->v3.succeeded, 1);
        CU_ASSERT_PTR_NOT_NULL(r->header);
        CU_ASSERT_EQUAL_FATAL(r->v3.nresults, 3);
        CU_ASSERT_EQUAL(r->v3.results[0].op, ETCD_OP_PUT);
        CU_ASSERT_EQUAL_FATAL(r->v3.results[0].nprev_kvs, 1);
        CU_ASSERT(kv_is(&r->v3.results[0].prev_kvs[0], k1, "one"));
        CU_ASSERT_EQUAL(r->v3.results[1].op, ETCD_OP_RANGE);
        CU_ASSERT_EQUAL_FATAL(r->v3.results[1].nkvs, 1);
        /* the range sees the put before it, in the same revision */
        CU_ASSERT(kv_is(&r->v3.results[1].kvs[0], k1, "one+"));
        CU_ASSERT_EQUAL(r->v3.results[1].kvs[0].mod_revision, r->header->revision);
        CU_ASSERT_EQUAL(r->v3.results[1].count, 1);
        CU_ASSERT_EQUAL(r->v3.results[2].op, ETCD_OP_DELETE);
        CU_ASSERT_EQUAL(r->v3.results[2].deleted, 1);
        CU_ASSERT_EQUAL_FATAL(r->v3.results[2].nprev_kvs, 1);
        CU_ASSERT(kv_is(&r->v3.results[2].prev_kvs[0], k2, "leased"));
        CU_ASSERT_EQUAL(r->v3.results[2].prev_kvs[0].lease, lease);
        etcd_response_free(r);
        CU_ASSERT_EQUAL(value_of(c, k4, buf, sizeof(buf)), 0);
        CU_ASSERT_EQUAL(value_of(c, k2, buf, sizeof(buf)), 0);

        /* the same compares now fail (k1 changed, k2 is gone): the failure branch */
        r = NULL;
        rc = etcd_v3_txn_sync(c, &t, &r);
        ITEST_STATUS(rc, r, ETCD_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(r->v3.succeeded, 0);
        CU_ASSERT_EQUAL_FATAL(r->v3.nresults, 1);
        CU_ASSERT_EQUAL(r->v3.results[0].op, ETCD_OP_PUT);
        CU_ASSERT_EQUAL(r->v3.results[0].nprev_kvs, 0);
        etcd_response_free(r);
        CU_ASSERT_EQUAL(value_of(c, k4, buf, sizeof(buf)), 1);
        ITEST_STR_EQ(buf, "failure branch");
        CU_ASSERT_EQUAL(value_of(c, k1, buf, sizeof(buf)), 1);
        ITEST_STR_EQ(buf, "one+");
    }

    /* a nested transaction in the failure branch, after a range with options */
    {
        etcd_compare outer = {0}, inner = {0};
        etcd_op inner_ok[1], inner_fail[1], outer_fail[2];
        etcd_txn nested = {0}, t = {0};

        memset(inner_ok, 0, sizeof(inner_ok));
        memset(inner_fail, 0, sizeof(inner_fail));
        memset(outer_fail, 0, sizeof(outer_fail));
        outer.key = str(k1);
        outer.target = ETCD_CMP_VERSION;
        outer.result = ETCD_CMP_GREATER;
        outer.number = 5; /* it is 2 */
        inner.key = str(k4);
        inner.target = ETCD_CMP_VALUE;
        inner.value = str("failure branch");
        inner_ok[0].type = ETCD_OP_PUT;
        inner_ok[0].key = str(k5);
        inner_ok[0].value = str("nested");
        inner_fail[0].type = ETCD_OP_DELETE;
        inner_fail[0].key = str(k4);
        nested.compare = &inner;
        nested.ncompare = 1;
        nested.success = inner_ok;
        nested.nsuccess = 1;
        nested.failure = inner_fail;
        nested.nfailure = 1;
        itest_key(buf, sizeof(buf), "%s/t/", pfx);
        ro.range.prefix = 1;
        ro.count_only = 1;
        outer_fail[0].type = ETCD_OP_RANGE;
        outer_fail[0].key = str(buf);
        outer_fail[0].range = &ro;
        outer_fail[1].type = ETCD_OP_TXN;
        outer_fail[1].txn = &nested;
        t.compare = &outer;
        t.ncompare = 1;
        t.failure = outer_fail;
        t.nfailure = 2;
        r = NULL;
        rc = etcd_v3_txn_sync(c, &t, &r);
        ITEST_STATUS(rc, r, ETCD_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(r->v3.succeeded, 0);
        CU_ASSERT_EQUAL_FATAL(r->v3.nresults, 2);
        CU_ASSERT_EQUAL(r->v3.results[0].op, ETCD_OP_RANGE);
        CU_ASSERT_EQUAL(r->v3.results[0].count, 2); /* k1, k4 */
        CU_ASSERT_EQUAL(r->v3.results[0].nkvs, 0);
        CU_ASSERT_EQUAL(r->v3.results[1].op, ETCD_OP_TXN);
        CU_ASSERT_EQUAL(r->v3.results[1].succeeded, 1);
        CU_ASSERT_EQUAL_FATAL(r->v3.results[1].nresults, 1);
        CU_ASSERT_EQUAL(r->v3.results[1].results[0].op, ETCD_OP_PUT);
        etcd_response_free(r);
        CU_ASSERT_EQUAL(value_of(c, k5, buf, sizeof(buf)), 1);
        ITEST_STR_EQ(buf, "nested");
    }

    /* a transaction etcd refuses: the same key put twice */
    {
        etcd_op ops[2];
        etcd_txn t = {0};

        memset(ops, 0, sizeof(ops));
        ops[0].type = ETCD_OP_PUT;
        ops[0].key = str(k3);
        ops[0].value = str("a");
        ops[1] = ops[0];
        t.success = ops;
        t.nsuccess = 2;
        r = NULL;
        rc = etcd_v3_txn_sync(c, &t, &r);
        ITEST_STATUS(rc, r, ETCD_EETCD);
        CU_ASSERT(says(r, "duplicate key"));
        etcd_response_free(r);
        CU_ASSERT_EQUAL(value_of(c, k3, buf, sizeof(buf)), 0);
        r = (etcd_response *)&r;
        CU_ASSERT_EQUAL(etcd_v3_txn_sync(c, NULL, &r), ETCD_EINVAL);
        CU_ASSERT_PTR_NULL(r);
    }
    OK_SYNC(etcd_v3_lease_revoke_sync(c, lease, &ok_r_));
    etcd_client_free(c);
}

/* ---- Compaction -------------------------------------------------------------------- */

static void test_compaction(void)
{
    etcd_client *c = itest_client(NULL);
    const char *pfx = itest_prefix();
    char key[128], line[256];
    etcd_range_opts o = {0};
    etcd_response *r = NULL;
    int64_t rev1, rev2;
    int rc;

    itest_key(key, sizeof(key), "%s/c/k", pfx);
    rev1 = put(c, key, "v1");
    rev2 = put(c, key, "v2");

    rc = etcd_v3_compact_sync(c, rev2, 1, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT(r != NULL && r->header != NULL && r->header->revision >= rev2);
    etcd_response_free(r);

    /* the old revision is gone: a clear error */
    o.revision = rev1;
    r = NULL;
    rc = etcd_v3_range_sync(c, str(key), &o, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT(says(r, "required revision has been compacted"));
    CU_ASSERT_EQUAL(r->error.grpc_code, 11);
    CU_ASSERT(strstr(etcd_response_describe(r, line, sizeof(line)), "compacted") != NULL);
    CU_ASSERT_EQUAL(r->v3.nkvs, 0);
    etcd_response_free(r);
    /* the compaction revision itself is still there */
    o.revision = rev2;
    r = NULL;
    rc = etcd_v3_range_sync(c, str(key), &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT(r != NULL && r->v3.nkvs == 1 && kv_is(&r->v3.kvs[0], key, "v2"));
    etcd_response_free(r);

    /* compacting again at or before it, or past the newest revision, fails */
    r = NULL;
    rc = etcd_v3_compact_sync(c, rev1, 0, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT(says(r, "compacted"));
    etcd_response_free(r);
    r = NULL;
    rc = etcd_v3_compact_sync(c, revision_now(c) + 1000, 0, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT(says(r, "future revision"));
    etcd_response_free(r);
    etcd_client_free(c);
}

/* ---- Watches ----------------------------------------------------------------------- */

#define MAX_EVENTS 64

typedef struct wev {
    etcd_event_type type;
    char key[160];
    char value[32];
    int has_prev;
    char prev[32];
    int64_t mod_revision;
} wev;

/* What a watch's callback saw. */
typedef struct wlog {
    int created;   /* ETCD_OK messages with created set */
    int progress;  /* ETCD_OK messages without events, not created */
    int n;         /* events */
    int compacted; /* ETCD_ECOMPACTED */
    int64_t compact_revision;
    int errors; /* transport and other errors */
    int last_error;
    int canceled;     /* ETCD_ECANCELED: must end at 1 */
    int after_cancel; /* calls after ETCD_ECANCELED: must stay 0 */
    int64_t progress_revision;
    int cancel_at; /* cancel the watch from the callback at this many events */
    wev ev[MAX_EVENTS];
} wlog;

static void copy_str(char *dst, size_t size, const char *src, size_t n)
{
    snprintf(dst, size, "%.*s", (int)n, src);
}

static void wlog_cb(etcd_v3_watch *w, const etcd_response *resp, void *data)
{
    wlog *log = data;
    size_t i;

    if (log->canceled) {
        log->after_cancel++;
    }
    switch (resp->status) {
    case ETCD_OK:
        if (resp->v3.created) {
            log->created++;
        } else if (resp->v3.nevents == 0) {
            log->progress++;
            log->progress_revision = resp->header ? resp->header->revision : 0;
        }
        for (i = 0; i < resp->v3.nevents; i++) {
            const etcd_event *e = &resp->v3.events[i];

            if (log->n < MAX_EVENTS) {
                wev *d = &log->ev[log->n];

                d->type = e->type;
                copy_str(d->key, sizeof(d->key), e->kv.key, e->kv.key_len);
                copy_str(d->value, sizeof(d->value), e->kv.value, e->kv.value_len);
                d->mod_revision = e->kv.mod_revision;
                d->has_prev = e->prev_kv != NULL;
                if (e->prev_kv) {
                    copy_str(d->prev, sizeof(d->prev), e->prev_kv->value,
                             e->prev_kv->value_len);
                }
            }
            log->n++;
            if (log->cancel_at && log->n == log->cancel_at) {
                etcd_v3_watch_cancel(w);
            }
        }
        break;
    case ETCD_ECOMPACTED:
        log->compacted++;
        log->compact_revision = resp->v3.compact_revision;
        break;
    case ETCD_ECANCELED:
        log->canceled++;
        break;
    default:
        log->errors++;
        log->last_error = resp->status;
        break;
    }
}

static wlog *wlog_new(void)
{
    wlog *log = calloc(1, sizeof(*log));

    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    return log;
}

/* Start a watch that must be accepted and wait until etcd says it is created. */
static etcd_v3_watch *watch_created(etcd_client *c, const char *key,
                                    const etcd_v3_watch_opts *o, wlog *log)
{
    etcd_v3_watch *w = NULL;
    int rc = etcd_v3_watch_start(c, str(key), o, wlog_cb, log, &w);

    CU_ASSERT_EQUAL_FATAL(rc, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_FATAL(itest_run_until(c, &log->created, 1, 10000));
    return w;
}

/* Cancel from outside a callback: the last call is ETCD_ECANCELED, at once. */
static void watch_stop(etcd_v3_watch *w, wlog *log)
{
    int before = log->canceled;

    etcd_v3_watch_cancel(w);
    CU_ASSERT_EQUAL(log->canceled, before + 1);
}

/* Run the client's loop for ms milliseconds. */
static void run_for(etcd_client *c, long ms)
{
    int64_t end = itest_now_ms() + ms;

    while (itest_now_ms() < end) {
        etcd_client_run_once(c, 50);
    }
}

static int ev_is(const wev *e, etcd_event_type type, const char *key, const char *value)
{
    return e->type == type && strcmp(e->key, key) == 0 &&
           (value == NULL || strcmp(e->value, value) == 0);
}

/* A prefix watch with prev_kv sees puts and deletes in order, each with the pair
 * before it, and nothing outside its prefix. */
static void test_watch_prefix(void)
{
    etcd_client *c = itest_client(NULL);
    const char *pfx = itest_prefix();
    char dir[128], a[128], b[128], outside[128];
    etcd_v3_watch_opts o = {0};
    etcd_v3_watch *w;
    wlog *log = wlog_new();
    int64_t revs[5];
    etcd_response *r = NULL;
    int rc;

    itest_key(dir, sizeof(dir), "%s/w/", pfx);
    itest_key(a, sizeof(a), "%s/w/a", pfx);
    itest_key(b, sizeof(b), "%s/w/b", pfx);
    itest_key(outside, sizeof(outside), "%s/wx", pfx);
    o.range.prefix = 1;
    o.prev_kv = 1;
    w = watch_created(c, dir, &o, log);
    CU_ASSERT_EQUAL(log->n, 0);

    revs[0] = put(c, a, "1");
    revs[1] = put(c, a, "2");
    put(c, outside, "not watched");
    revs[2] = put(c, b, "1");
    rc = etcd_v3_delete_sync(c, str(a), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    revs[3] = r && r->header ? r->header->revision : 0;
    etcd_response_free(r);
    revs[4] = put(c, a, "3");
    CU_ASSERT_FATAL(itest_run_until(c, &log->n, 5, 10000));
    run_for(c, 200);
    CU_ASSERT_EQUAL_FATAL(log->n, 5);
    CU_ASSERT(ev_is(&log->ev[0], ETCD_EVENT_PUT, a, "1"));
    CU_ASSERT_EQUAL(log->ev[0].has_prev, 0);
    CU_ASSERT(ev_is(&log->ev[1], ETCD_EVENT_PUT, a, "2"));
    CU_ASSERT(log->ev[1].has_prev && strcmp(log->ev[1].prev, "1") == 0);
    CU_ASSERT(ev_is(&log->ev[2], ETCD_EVENT_PUT, b, "1"));
    CU_ASSERT(ev_is(&log->ev[3], ETCD_EVENT_DELETE, a, ""));
    CU_ASSERT(log->ev[3].has_prev && strcmp(log->ev[3].prev, "2") == 0);
    CU_ASSERT(ev_is(&log->ev[4], ETCD_EVENT_PUT, a, "3"));
    CU_ASSERT_EQUAL(log->ev[4].has_prev, 0);
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(log->ev[i].mod_revision, revs[i]);
    }
    CU_ASSERT_EQUAL(etcd_v3_watch_next_revision(w), revs[4] + 1);
    CU_ASSERT_EQUAL(log->errors, 0);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 1);
    watch_stop(w, log);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 0);
    CU_ASSERT_EQUAL(log->after_cancel, 0);
    free(log);
    etcd_client_free(c);
}

/* A watch from an old revision replays the history since, then goes on live. */
static void test_watch_history(void)
{
    etcd_client *c = itest_client(NULL);
    const char *pfx = itest_prefix();
    char key[128], v[16];
    etcd_v3_watch_opts o = {0};
    etcd_v3_watch *w = NULL;
    wlog *log = wlog_new();
    int64_t revs[4];
    int i;

    itest_key(key, sizeof(key), "%s/h/k", pfx);
    for (i = 0; i < 3; i++) {
        snprintf(v, sizeof(v), "v%d", i);
        revs[i] = put(c, key, v);
    }
    o.start_revision = revs[1];
    CU_ASSERT_EQUAL_FATAL(etcd_v3_watch_start(c, str(key), &o, wlog_cb, log, &w),
                          ETCD_OK);
    CU_ASSERT_FATAL(itest_run_until(c, &log->n, 2, 10000));
    revs[3] = put(c, key, "v3");
    CU_ASSERT_FATAL(itest_run_until(c, &log->n, 3, 10000));
    run_for(c, 200);
    CU_ASSERT_EQUAL_FATAL(log->n, 3);
    for (i = 0; i < 3; i++) {
        snprintf(v, sizeof(v), "v%d", i + 1);
        CU_ASSERT(ev_is(&log->ev[i], ETCD_EVENT_PUT, key, v));
        CU_ASSERT_EQUAL(log->ev[i].mod_revision, revs[i + 1]);
    }
    CU_ASSERT_EQUAL(log->created, 1);
    CU_ASSERT_EQUAL(etcd_v3_watch_next_revision(w), revs[3] + 1);
    watch_stop(w, log);
    free(log);
    etcd_client_free(c);
}

/* Several watches on one client, with filters: each sees only its own kind. */
static void test_watch_filters(void)
{
    etcd_client *c = itest_client(NULL);
    const char *pfx = itest_prefix();
    char dir[128], key[128];
    etcd_v3_watch_opts o = {0};
    etcd_v3_watch *w_puts, *w_dels, *w_all;
    wlog *puts = wlog_new(), *dels = wlog_new(), *all = wlog_new();
    int i;

    itest_key(dir, sizeof(dir), "%s/f/", pfx);
    itest_key(key, sizeof(key), "%s/f/k", pfx);
    o.range.prefix = 1;
    o.no_delete = 1;
    w_puts = watch_created(c, dir, &o, puts);
    o.no_delete = 0;
    o.no_put = 1;
    w_dels = watch_created(c, dir, &o, dels);
    w_all = watch_created(c, key, NULL, all);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 3);

    for (i = 0; i < 3; i++) {
        put(c, key, "x");
        OK_SYNC(etcd_v3_delete_sync(c, str(key), NULL, &ok_r_));
    }
    CU_ASSERT(itest_run_until(c, &all->n, 6, 10000));
    CU_ASSERT(itest_run_until(c, &puts->n, 3, 10000));
    CU_ASSERT(itest_run_until(c, &dels->n, 3, 10000));
    run_for(c, 200);
    CU_ASSERT_EQUAL(all->n, 6);
    CU_ASSERT_EQUAL(puts->n, 3);
    CU_ASSERT_EQUAL(dels->n, 3);
    for (i = 0; i < 3 && i < puts->n && i < dels->n; i++) {
        CU_ASSERT(ev_is(&puts->ev[i], ETCD_EVENT_PUT, key, "x"));
        CU_ASSERT(ev_is(&dels->ev[i], ETCD_EVENT_DELETE, key, NULL));
        CU_ASSERT_EQUAL(puts->ev[i].mod_revision, all->ev[2 * i].mod_revision);
        CU_ASSERT_EQUAL(dels->ev[i].mod_revision, all->ev[2 * i + 1].mod_revision);
    }
    /* the filters do not hold a watch back: all three are at the same revision */
    CU_ASSERT_EQUAL(etcd_v3_watch_next_revision(w_all), all->ev[5].mod_revision + 1);
    CU_ASSERT_EQUAL(etcd_v3_watch_next_revision(w_dels), all->ev[5].mod_revision + 1);
    watch_stop(w_puts, puts);
    watch_stop(w_dels, dels);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 1);
    /* the client's free cancels the last one */
    etcd_client_free(c);
    CU_ASSERT_EQUAL(all->canceled, 1);
    CU_ASSERT_EQUAL(puts->after_cancel + dels->after_cancel + all->after_cancel, 0);
    free(puts);
    free(dels);
    free(all);
}

/* Cancelling from inside the callback: no event after it, ETCD_ECANCELED once. */
static void test_watch_cancel_in_callback(void)
{
    etcd_client *c = itest_client(NULL);
    const char *pfx = itest_prefix();
    char dir[128], key[128];
    etcd_v3_watch_opts o = {0};
    wlog *log = wlog_new();
    int i;

    itest_key(dir, sizeof(dir), "%s/cc/", pfx);
    o.range.prefix = 1;
    log->cancel_at = 2;
    watch_created(c, dir, &o, log);
    /* four events, the first three likely in one read of the stream */
    for (i = 0; i < 4; i++) {
        itest_key(key, sizeof(key), "%s/cc/%d", pfx, i);
        put(c, key, "x");
    }
    CU_ASSERT(itest_run_until(c, &log->canceled, 1, 10000));
    run_for(c, 300);
    CU_ASSERT_EQUAL(log->canceled, 1);
    CU_ASSERT_EQUAL(log->after_cancel, 0);
    /* the events of the message being delivered still arrive; none after it */
    CU_ASSERT(log->n >= 2);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 0);
    free(log);
    etcd_client_free(c);
}

/* With progress_notify an idle watch gets empty messages with the current revision
 * (the token member sends them every second), and its next revision follows. */
static void test_watch_progress(void)
{
    etcd_client *c = itest_client(token_endpoint);
    const char *pfx = itest_prefix();
    char key[128];
    etcd_v3_watch_opts o = {0};
    etcd_v3_watch *w;
    wlog *log = wlog_new();
    int64_t rev;

    itest_key(key, sizeof(key), "%s/pn/k", pfx);
    o.progress_notify = 1;
    w = watch_created(c, key, &o, log);
    itest_key(key, sizeof(key), "%s/pn/other", pfx);
    rev = put(c, key, "moves the revision");
    CU_ASSERT(itest_run_until(c, &log->progress, 2, 15000));
    CU_ASSERT_EQUAL(log->n, 0);
    CU_ASSERT(log->progress_revision >= rev);
    CU_ASSERT_EQUAL(etcd_v3_watch_next_revision(w), log->progress_revision + 1);
    watch_stop(w, log);
    free(log);
    etcd_client_free(c);
}

/* A watch from a compacted revision is reported as ETCD_ECOMPACTED with the compact
 * revision and pauses; after a re-read it resumes from the read's revision + 1 and
 * sees a put made between the read and the resume. */
static void test_watch_compacted(void)
{
    etcd_client *c = itest_client(NULL);
    const char *pfx = itest_prefix();
    char dir[128], key[128], key2[128];
    etcd_v3_watch_opts o = {0};
    etcd_v3_watch *w = NULL;
    wlog *log = wlog_new();
    etcd_range_opts ro = {0};
    etcd_response *r = NULL;
    int64_t rev1, rev_c, read_rev, rev4;
    int rc;

    itest_key(dir, sizeof(dir), "%s/wc/", pfx);
    itest_key(key, sizeof(key), "%s/wc/k", pfx);
    itest_key(key2, sizeof(key2), "%s/wc/k2", pfx);
    rev1 = put(c, key, "v1");
    put(c, key, "v2");
    rev_c = put(c, key, "v3");
    OK_SYNC(etcd_v3_compact_sync(c, rev_c, 1, &ok_r_));

    o.range.prefix = 1;
    o.start_revision = rev1;
    CU_ASSERT_EQUAL_FATAL(etcd_v3_watch_start(c, str(dir), &o, wlog_cb, log, &w),
                          ETCD_OK);
    CU_ASSERT_FATAL(itest_run_until(c, &log->compacted, 1, 10000));
    CU_ASSERT_EQUAL(log->compact_revision, rev_c);
    CU_ASSERT_EQUAL(log->n, 0);
    /* paused: no reconnection, no further calls */
    run_for(c, 500);
    CU_ASSERT_EQUAL(log->compacted, 1);
    CU_ASSERT_EQUAL(log->n, 0);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 1);

    /* re-read, a change after the read, then resume from the read */
    ro.range.prefix = 1;
    rc = etcd_v3_range_sync(c, str(dir), &ro, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_FATAL(r != NULL && r->header != NULL && r->v3.nkvs == 1);
    CU_ASSERT(kv_is(&r->v3.kvs[0], key, "v3"));
    read_rev = r->header->revision;
    etcd_response_free(r);
    rev4 = put(c, key2, "after the read");
    CU_ASSERT_EQUAL(etcd_v3_watch_resume(w, read_rev + 1), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_v3_watch_resume(w, read_rev + 1), ETCD_EBUSY);
    CU_ASSERT(itest_run_until(c, &log->n, 1, 10000));
    put(c, key, "v4");
    CU_ASSERT(itest_run_until(c, &log->n, 2, 10000));
    run_for(c, 200);
    CU_ASSERT_EQUAL_FATAL(log->n, 2);
    CU_ASSERT(ev_is(&log->ev[0], ETCD_EVENT_PUT, key2, "after the read"));
    CU_ASSERT_EQUAL(log->ev[0].mod_revision, rev4);
    CU_ASSERT(ev_is(&log->ev[1], ETCD_EVENT_PUT, key, "v4"));
    CU_ASSERT_EQUAL(log->compacted, 1);
    CU_ASSERT_EQUAL(log->errors, 0);
    watch_stop(w, log);
    free(log);
    etcd_client_free(c);
}

/* Wait until the cluster takes writes again (a new leader, when the killed member
 * led), writing a key no watch covers. */
static int wait_writable(etcd_client *c, const char *pfx)
{
    char probe[128];
    int64_t deadline = itest_now_ms() + 30000;

    itest_key(probe, sizeof(probe), "%s/probe", pfx);
    while (itest_now_ms() < deadline) {
        etcd_response *r = NULL;
        int rc = etcd_v3_put_sync(c, str(probe), str("x"), NULL, &r);

        etcd_response_free(r);
        if (rc == ETCD_OK) {
            return 1;
        }
        struct timespec ts = {0, 200 * 1000 * 1000};

        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "\n  the cluster took no write for 30 s after the kill\n");
    return 0;
}

/* The usual recovery, from inside the callback: on ETCD_ECOMPACTED resume at the
 * compact revision, which is still there. */
static void resume_cb(etcd_v3_watch *w, const etcd_response *resp, void *data)
{
    wlog *log = data;

    wlog_cb(w, resp, data);
    if (resp->status == ETCD_ECOMPACTED) {
        CU_ASSERT_EQUAL(etcd_v3_watch_resume(w, log->compact_revision), ETCD_OK);
    }
}

static void test_watch_resume_in_callback(void)
{
    etcd_client *c = itest_client(NULL);
    const char *pfx = itest_prefix();
    char key[128];
    etcd_v3_watch_opts o = {0};
    etcd_v3_watch *w = NULL;
    wlog *log = wlog_new();
    int64_t rev1, rev_c, rev3;

    itest_key(key, sizeof(key), "%s/rc/k", pfx);
    rev1 = put(c, key, "v1");
    rev_c = put(c, key, "v2");
    OK_SYNC(etcd_v3_compact_sync(c, rev_c, 0, &ok_r_));
    o.start_revision = rev1;
    CU_ASSERT_EQUAL_FATAL(etcd_v3_watch_start(c, str(key), &o, resume_cb, log, &w),
                          ETCD_OK);
    CU_ASSERT(itest_run_until(c, &log->n, 1, 10000));
    rev3 = put(c, key, "v3");
    CU_ASSERT(itest_run_until(c, &log->n, 2, 10000));
    run_for(c, 200);
    CU_ASSERT_EQUAL(log->compacted, 1);
    CU_ASSERT_EQUAL(log->compact_revision, rev_c);
    CU_ASSERT_EQUAL_FATAL(log->n, 2);
    CU_ASSERT(ev_is(&log->ev[0], ETCD_EVENT_PUT, key, "v2"));
    CU_ASSERT_EQUAL(log->ev[0].mod_revision, rev_c);
    CU_ASSERT(ev_is(&log->ev[1], ETCD_EVENT_PUT, key, "v3"));
    CU_ASSERT_EQUAL(log->ev[1].mod_revision, rev3);
    CU_ASSERT_EQUAL(log->errors, 0);
    watch_stop(w, log);
    free(log);
    etcd_client_free(c);
}

/* The member two watches stream from is killed: each reconnects to another member and
 * resumes from its next revision, with every change made meanwhile delivered once, in
 * order. One watch had seen an event before; the other only its creation. */
static void test_watch_failover(void)
{
    etcd_client *watcher, *writer;
    char writer_eps[300], key[128], key2[128], v[16];
    const char *pfx = itest_prefix();
    etcd_v3_watch *w1, *w2;
    wlog *log1 = wlog_new(), *log2 = wlog_new();
    int64_t revs[4], revs2[3];
    int i;

    for (i = 0; i < 3; i++) {
        if (kill(victim_pids[i], 0) != 0) {
            fprintf(stderr,
                    "\n  member %s (pid %ld) is not running: it_v3 runs once per "
                    "etcd environment\n",
                    victim[i], (long)victim_pids[i]);
            CU_FAIL_FATAL("a member of ETCD_TEST_V3_VICTIM_ENDPOINTS is down");
        }
    }
    watcher = itest_client(victim_all);
    snprintf(writer_eps, sizeof(writer_eps), "%s,%s", victim[1], victim[2]);
    writer = itest_client(writer_eps);
    itest_key(key, sizeof(key), "%s/fo/k", pfx);
    itest_key(key2, sizeof(key2), "%s/fo/k2", pfx);
    w1 = watch_created(watcher, key, NULL, log1);
    w2 = watch_created(watcher, key2, NULL, log2);
    ITEST_STR_EQ(etcd_client_endpoint(watcher), victim[0]);
    revs[0] = put(writer, key, "v0");
    CU_ASSERT_FATAL(itest_run_until(watcher, &log1->n, 1, 10000));

    /* kill the member; the changes are made while the watcher's loop does not run, so
     * they are all in the past when the watches reconnect */
    CU_ASSERT_EQUAL_FATAL(kill(victim_pids[0], SIGKILL), 0);
    CU_ASSERT_FATAL(wait_writable(writer, pfx));
    for (i = 1; i < 4; i++) {
        snprintf(v, sizeof(v), "v%d", i);
        revs[i] = put(writer, key, v);
        revs2[i - 1] = put(writer, key2, v);
    }
    CU_ASSERT(itest_run_until(watcher, &log1->n, 4, 30000));
    CU_ASSERT(itest_run_until(watcher, &log2->n, 3, 30000));
    run_for(watcher, 500);
    CU_ASSERT_EQUAL(log1->n, 4);
    CU_ASSERT_EQUAL(log2->n, 3);
    for (i = 0; i < 4 && i < log1->n; i++) {
        snprintf(v, sizeof(v), "v%d", i);
        CU_ASSERT(ev_is(&log1->ev[i], ETCD_EVENT_PUT, key, v));
        CU_ASSERT_EQUAL(log1->ev[i].mod_revision, revs[i]);
    }
    for (i = 0; i < 3 && i < log2->n; i++) {
        snprintf(v, sizeof(v), "v%d", i + 1);
        CU_ASSERT(ev_is(&log2->ev[i], ETCD_EVENT_PUT, key2, v));
        CU_ASSERT_EQUAL(log2->ev[i].mod_revision, revs2[i]);
    }
    CU_ASSERT_EQUAL(log1->compacted + log2->compacted, 0);
    CU_ASSERT_EQUAL(etcd_v3_watch_next_revision(w1), revs[3] + 1);
    CU_ASSERT_EQUAL(etcd_v3_watch_next_revision(w2), revs2[2] + 1);
    CU_ASSERT_STRING_NOT_EQUAL(etcd_client_endpoint(watcher), victim[0]);
    /* and it goes on: a later change arrives once */
    put(writer, key, "v4");
    CU_ASSERT(itest_run_until(watcher, &log1->n, 5, 10000));
    run_for(watcher, 200);
    CU_ASSERT_EQUAL(log1->n, 5);
    watch_stop(w1, log1);
    watch_stop(w2, log2);
    CU_ASSERT_EQUAL(etcd_client_pending(watcher), 0);
    etcd_client_free(watcher);
    etcd_client_free(writer);
    free(log1);
    free(log2);
}

/* ---- Leases ------------------------------------------------------------------------ */

static int64_t grant(etcd_client *c, int64_t ttl, int64_t id, int64_t *granted_ttl)
{
    etcd_response *r = NULL;
    int64_t got = 0;
    int rc = etcd_v3_lease_grant_sync(c, ttl, id, &r);

    ITEST_STATUS(rc, r, ETCD_OK);
    if (rc == ETCD_OK && r != NULL) {
        got = r->v3.id;
        if (granted_ttl != NULL) {
            *granted_ttl = r->v3.ttl;
        }
    }
    etcd_response_free(r);
    CU_ASSERT(got != 0);
    return got;
}

static void test_lease(void)
{
    etcd_client *c = itest_client(NULL);
    const char *pfx = itest_prefix();
    char k1[128], k2[128], buf[32];
    etcd_put_opts po = {0};
    etcd_response *r = NULL;
    int64_t id, mine, ttl = 0;
    int rc, found, seen[2] = {0, 0};
    size_t i;

    id = grant(c, 30, 0, &ttl);
    CU_ASSERT_EQUAL(ttl, 30);
    /* an ID of our own: unique per run */
    mine = ((int64_t)getpid() << 24) | ((int64_t)time(NULL) & 0xffffff);
    r = NULL;
    rc = etcd_v3_lease_grant_sync(c, 30, mine, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT(r != NULL && r->v3.id == mine && r->v3.ttl == 30);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_v3_lease_grant_sync(c, 30, mine, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT(says(r, "lease already exists"));
    etcd_response_free(r);

    itest_key(k1, sizeof(k1), "%s/l/k1", pfx);
    itest_key(k2, sizeof(k2), "%s/l/k2", pfx);
    po.lease = mine;
    OK_SYNC(etcd_v3_put_sync(c, str(k1), str("a"), &po, &ok_r_));
    OK_SYNC(etcd_v3_put_sync(c, str(k2), str("b"), &po, &ok_r_));

    /* time to live, with and without the keys */
    r = NULL;
    rc = etcd_v3_lease_timetolive_sync(c, mine, 1, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->v3.id, mine);
    CU_ASSERT(r->v3.ttl > 0 && r->v3.ttl <= 30);
    CU_ASSERT_EQUAL(r->v3.granted_ttl, 30);
    CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 2);
    for (i = 0; i < 2; i++) {
        seen[0] += kv_is(&r->v3.kvs[i], k1, "");
        seen[1] += kv_is(&r->v3.kvs[i], k2, "");
    }
    CU_ASSERT(seen[0] == 1 && seen[1] == 1);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_v3_lease_timetolive_sync(c, mine, 0, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT(r != NULL && r->v3.nkvs == 0 && r->v3.granted_ttl == 30);
    etcd_response_free(r);

    /* the list holds both */
    r = NULL;
    rc = etcd_v3_lease_list_sync(c, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    found = 0;
    for (i = 0; i < r->v3.nleases; i++) {
        found += r->v3.leases[i] == id || r->v3.leases[i] == mine;
    }
    CU_ASSERT_EQUAL(found, 2);
    etcd_response_free(r);

    /* one keep-alive: the full TTL again */
    r = NULL;
    rc = etcd_v3_lease_keepalive_once_sync(c, mine, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT(r != NULL && r->v3.id == mine && r->v3.ttl == 30);
    etcd_response_free(r);

    /* revoke: the keys go with it */
    OK_SYNC(etcd_v3_lease_revoke_sync(c, mine, &ok_r_));
    CU_ASSERT_EQUAL(value_of(c, k1, buf, sizeof(buf)), 0);
    CU_ASSERT_EQUAL(value_of(c, k2, buf, sizeof(buf)), 0);
    r = NULL;
    rc = etcd_v3_lease_timetolive_sync(c, mine, 1, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT(r != NULL && r->v3.ttl == -1 && r->v3.nkvs == 0);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_v3_lease_revoke_sync(c, mine, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT(says(r, "requested lease not found"));
    etcd_response_free(r);
    r = NULL;
    rc = etcd_v3_lease_keepalive_once_sync(c, mine, &r);
    ITEST_STATUS(rc, r, ETCD_OK); /* etcd answers, with no TTL */
    CU_ASSERT(r != NULL && r->v3.id == mine && r->v3.ttl <= 0);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_v3_lease_list_sync(c, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    for (i = 0; i < r->v3.nleases; i++) {
        CU_ASSERT(r->v3.leases[i] != mine);
    }
    etcd_response_free(r);
    OK_SYNC(etcd_v3_lease_revoke_sync(c, id, &ok_r_));
    etcd_client_free(c);
}

typedef struct kalog {
    int ok;
    int lost;
    int errors;
    int canceled;
    int after_cancel;
    int64_t ttl;
} kalog;

static void ka_cb(etcd_v3_keepalive *ka, const etcd_response *resp, void *data)
{
    kalog *log = data;

    (void)ka;
    if (log->canceled) {
        log->after_cancel++;
    }
    switch (resp->status) {
    case ETCD_OK:
        log->ok++;
        log->ttl = resp->v3.ttl;
        break;
    case ETCD_ENOTFOUND:
        log->lost++;
        break;
    case ETCD_ECANCELED:
        log->canceled++;
        break;
    default:
        log->errors++;
        itest_dump("keep-alive", resp);
        break;
    }
}

/* A managed keep-alive holds a key of a short lease past three times its TTL, while
 * the same key on a lease without one expires; after a revoke the keep-alive reports
 * the loss once and the key is gone. */
static void test_keepalive(void)
{
    etcd_client *c = itest_client(NULL);
    const char *pfx = itest_prefix();
    char kept[128], left[128], buf[32];
    etcd_put_opts po = {0};
    etcd_v3_keepalive *ka = NULL;
    kalog log = {0};
    int64_t id, other, ttl = 0, other_ttl = 0;
    int rc;

    itest_key(kept, sizeof(kept), "%s/ka/kept", pfx);
    itest_key(left, sizeof(left), "%s/ka/left", pfx);
    id = grant(c, 2, 0, &ttl);
    other = grant(c, 2, 0, &other_ttl);
    CU_ASSERT_FATAL(ttl >= 2 && ttl <= 5 && other_ttl == ttl);
    po.lease = id;
    OK_SYNC(etcd_v3_put_sync(c, str(kept), str("alive"), &po, &ok_r_));
    po.lease = other;
    OK_SYNC(etcd_v3_put_sync(c, str(left), str("expires"), &po, &ok_r_));

    rc = etcd_v3_keepalive_start(c, id, ttl, ka_cb, &log, &ka);
    CU_ASSERT_EQUAL_FATAL(rc, ETCD_OK);
    CU_ASSERT_EQUAL(etcd_v3_keepalive_id(ka), id);
    run_for(c, 3 * ttl * 1000 + 1500);
    CU_ASSERT(log.ok >= 3);
    CU_ASSERT_EQUAL(log.ttl, ttl);
    CU_ASSERT_EQUAL(log.lost, 0);
    CU_ASSERT_EQUAL(value_of(c, kept, buf, sizeof(buf)), 1);
    ITEST_STR_EQ(buf, "alive");
    CU_ASSERT_EQUAL(value_of(c, left, buf, sizeof(buf)), 0);

    OK_SYNC(etcd_v3_lease_revoke_sync(c, id, &ok_r_));
    CU_ASSERT_EQUAL(value_of(c, kept, buf, sizeof(buf)), 0);
    CU_ASSERT(itest_run_until(c, &log.lost, 1, 10000));
    run_for(c, 1000);
    CU_ASSERT_EQUAL(log.lost, 1);
    CU_ASSERT_EQUAL(log.canceled, 0);
    etcd_v3_keepalive_cancel(ka);
    CU_ASSERT_EQUAL(log.canceled, 1);
    CU_ASSERT_EQUAL(log.after_cancel, 0);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 0);
    CU_ASSERT_EQUAL(value_of(c, kept, buf, sizeof(buf)), 0);
    etcd_client_free(c);
}

/* ---- Token auth -------------------------------------------------------------------- */

/* A client of the token member with credentials (or none). */
static etcd_client *token_client(const char *user, const char *password)
{
    etcd_client_opts o;

    etcd_client_opts_init(&o);
    o.endpoints = token_endpoint;
    o.username = user;
    o.password = password;
    return itest_client_opts(&o);
}

/* The auth member as the tests found it: auth off, no users or roles. */
static void auth_reset(void)
{
    itest_v3_auth_reset(token_endpoint, ROOT_PW);
}

typedef struct raw_body {
    char data[2048];
    size_t len;
} raw_body;

static size_t raw_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    raw_body *b = userdata;
    size_t n = size * nmemb;
    size_t room = sizeof(b->data) - 1 - b->len;

    memcpy(b->data + b->len, ptr, n < room ? n : room);
    b->len += n < room ? n : room;
    b->data[b->len] = '\0';
    return n;
}

/* POST a range of `key` to the token member with `token`, bypassing libetcd: the
 * answer's body, to see what etcd thinks of the token. */
static void raw_range(const char *token, const char *key_b64, raw_body *out)
{
    CURL *e = curl_easy_init();
    struct curl_slist *h = NULL;
    char url[256], auth[512], body[256];

    memset(out, 0, sizeof(*out));
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    snprintf(url, sizeof(url), "%s/v3/kv/range", token_endpoint);
    snprintf(auth, sizeof(auth), "Authorization: %s", token);
    snprintf(body, sizeof(body), "{\"key\":\"%s\"}", key_b64);
    h = curl_slist_append(h, auth);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, raw_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, out);
    CU_ASSERT_EQUAL(curl_easy_perform(e), CURLE_OK);
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
}

/* Sleep past the token TTL: etcd drops a simple token unused for its TTL, checking
 * once a second. */
static void outlive_token(void)
{
    struct timespec ts = {TOKEN_TTL_S + 2, 500 * 1000 * 1000};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Auth on the token member: a user with READ on a prefix reads it but cannot write
 * it; after its token expired the next call and a new watch still succeed (the token is
 * renewed); a wrong password is a clear error. Auth is off again at the end. */
static void test_auth_token(void)
{
    etcd_client *c = token_client(NULL, NULL);
    etcd_client *root, *reader, *wrong, *late, *late_w;
    etcd_range_end prefix = {1, 0, {NULL, 0}};
    const char *pfx = itest_prefix();
    char dir[128], key[128], line[256];
    etcd_response *r = NULL;
    etcd_v3_watch_opts wo = {0};
    etcd_v3_watch *w = NULL;
    wlog *log = wlog_new(), *late_log;
    raw_body raw;
    char *old_token = NULL;
    int rc, i;

    auth_reset();
    itest_key(dir, sizeof(dir), "%s/ro/", pfx);
    itest_key(key, sizeof(key), "%s/ro/k", pfx);
    put(c, key, "v1");
    OK_SYNC(etcd_v3_user_add_sync(c, "root", ROOT_PW, &ok_r_));
    OK_SYNC(etcd_v3_role_add_sync(c, "root", &ok_r_));
    OK_SYNC(etcd_v3_user_grant_sync(c, "root", "root", &ok_r_));
    OK_SYNC(etcd_v3_user_add_sync(c, "reader", READER_PW, &ok_r_));
    OK_SYNC(etcd_v3_role_add_sync(c, "prefix-read", &ok_r_));
    OK_SYNC(etcd_v3_role_grant_sync(c, "prefix-read", ETCD_PERM_READ, str(dir), &prefix,
                                    &ok_r_));
    OK_SYNC(etcd_v3_user_grant_sync(c, "reader", "prefix-read", &ok_r_));
    /* clients with credentials that found auth off (and so send no token)... */
    late = token_client("reader", READER_PW);
    late_w = token_client("reader", READER_PW);
    for (i = 0; i < 2; i++) {
        r = NULL;
        rc = etcd_v3_range_sync(i == 0 ? late : late_w, str(key), NULL, &r);
        ITEST_STATUS(rc, r, ETCD_OK);
        etcd_response_free(r);
    }
    OK_SYNC(etcd_v3_auth_enable_sync(c, &ok_r_));

    /* ...get a token once etcd says "user name is empty": for a call, */
    r = NULL;
    rc = etcd_v3_range_sync(late, str(key), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT(r != NULL && r->v3.nkvs == 1 && kv_is(&r->v3.kvs[0], key, "v1"));
    etcd_response_free(r);
    etcd_client_free(late);
    /* and for a watch (from revision 1: it replays the put of key) */
    late_log = wlog_new();
    wo.range.prefix = 1;
    wo.start_revision = 1;
    CU_ASSERT_EQUAL_FATAL(
        etcd_v3_watch_start(late_w, str(dir), &wo, wlog_cb, late_log, &w), ETCD_OK);
    CU_ASSERT(itest_run_until(late_w, &late_log->n, 1, 10000));
    CU_ASSERT(late_log->n >= 1 && ev_is(&late_log->ev[0], ETCD_EVENT_PUT, key, "v1"));
    watch_stop(w, late_log);
    free(late_log);
    etcd_client_free(late_w);
    memset(&wo, 0, sizeof(wo));

    /* the reader reads, and may not write */
    reader = token_client("reader", READER_PW);
    r = NULL;
    rc = etcd_v3_range_sync(reader, str(key), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT(r != NULL && r->v3.nkvs == 1 && kv_is(&r->v3.kvs[0], key, "v1"));
    etcd_response_free(r);
    r = NULL;
    rc = etcd_v3_put_sync(reader, str(key), str("v2"), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT(says(r, "permission denied"));
    CU_ASSERT_EQUAL(r->error.grpc_code, 7);
    CU_ASSERT(strstr(etcd_response_describe(r, line, sizeof(line)),
                     "permission denied") != NULL);
    etcd_response_free(r);
    /* without credentials: refused */
    r = NULL;
    rc = etcd_v3_range_sync(c, str(key), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    etcd_response_free(r);

    /* a token fetched by hand: it works now, and no longer after the TTL */
    r = NULL;
    rc = etcd_v3_authenticate_sync(c, "reader", READER_PW, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_FATAL(r != NULL && r->v3_token != NULL && r->v3_token[0] != '\0');
    old_token = strdup(r->v3_token);
    etcd_response_free(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(old_token);
    outlive_token();
    raw_range(old_token, "YQ==", &raw);
    CU_ASSERT(strstr(raw.data, "invalid auth token") != NULL);
    if (strstr(raw.data, "invalid auth token") == NULL) {
        fprintf(stderr, "\n  an old token still works: %s\n", raw.data);
    }
    free(old_token);

    /* the reader's token is just as old: renewed transparently */
    r = NULL;
    rc = etcd_v3_range_sync(reader, str(key), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT(r != NULL && r->v3.nkvs == 1 && kv_is(&r->v3.kvs[0], key, "v1"));
    etcd_response_free(r);

    /* and again, for a watch: its stream starts with the expired token */
    root = token_client("root", ROOT_PW);
    outlive_token();
    wo.range.prefix = 1;
    CU_ASSERT_EQUAL_FATAL(etcd_v3_watch_start(reader, str(dir), &wo, wlog_cb, log, &w),
                          ETCD_OK);
    CU_ASSERT(itest_run_until(reader, &log->created, 1, 10000));
    put(root, key, "v2");
    CU_ASSERT(itest_run_until(reader, &log->n, 1, 10000));
    CU_ASSERT(log->n == 1 && ev_is(&log->ev[0], ETCD_EVENT_PUT, key, "v2"));
    watch_stop(w, log);
    free(log);

    /* a wrong password */
    wrong = token_client("reader", "not-the-password");
    r = NULL;
    rc = etcd_v3_range_sync(wrong, str(key), NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT(says(r, "authentication failed, invalid user ID or password"));
    CU_ASSERT(r != NULL && r->error.grpc_code == 3);
    etcd_response_free(r);
    etcd_client_free(wrong);

    /* root turns auth off; then anyone may write */
    OK_SYNC(etcd_v3_auth_disable_sync(root, &ok_r_));
    put(c, key, "v3");
    etcd_client_free(root);
    etcd_client_free(reader);
    etcd_client_free(c);
    auth_reset();
}

int test_it_v3_add(void)
{
    CU_pSuite s = CU_add_suite("it_v3", suite_init, suite_clean);

    if (s == NULL || !CU_add_test(s, "range", test_range) ||
        !CU_add_test(s, "binary keys and values", test_binary) ||
        !CU_add_test(s, "asynchronous calls", test_async) ||
        !CU_add_test(s, "put and delete options", test_put_delete) ||
        !CU_add_test(s, "transactions", test_txn) ||
        !CU_add_test(s, "compaction", test_compaction) ||
        !CU_add_test(s, "prefix watch with prev_kv", test_watch_prefix) ||
        !CU_add_test(s, "watch replays history", test_watch_history) ||
        !CU_add_test(s, "watch filters, several watches", test_watch_filters) ||
        !CU_add_test(s, "watch cancelled in its callback",
                     test_watch_cancel_in_callback) ||
        !CU_add_test(s, "watch progress notifications", test_watch_progress) ||
        !CU_add_test(s, "watch from a compacted revision", test_watch_compacted) ||
        !CU_add_test(s, "watch resumed in its callback", test_watch_resume_in_callback) ||
        !CU_add_test(s, "leases", test_lease) ||
        !CU_add_test(s, "managed keep-alive", test_keepalive) ||
        !CU_add_test(s, "token auth", test_auth_token) ||
        !CU_add_test(s, "watch survives its member's death", test_watch_failover)) {
        return -1;
    }
    return 0;
}
