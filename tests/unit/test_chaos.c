/*
 * Fail-the-Nth-allocation tests (Jansson's test_chaos.c, nghttp2's failmalloc): every
 * allocation libetcd makes itself (linked with -Wl,--wrap=malloc,... into etcd_tests)
 * fails in turn, the 1st, the 2nd, ... until a run completes without a failure.
 * Jansson's own allocations are left alone: Jansson 2.14 asserts when one fails while
 * it lexes a string (load.c, lex_scan_string). Each run must end cleanly: no crash, no
 * leak (ASan and valgrind watch), and the documented outcome: the decoder returns NULL or
 * a response with ETCD_ENOMEM, or the same response as without failures; a call that
 * returns an error never calls back, one that returned ETCD_OK calls back exactly once.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "etcd/etcd.h"
#include "response_int.h"
#include "utest.h"

/* ---- The failing allocator --------------------------------------------------------- */

static long chaos_countdown; /* > 0: allocations left before the failing one */
static int chaos_failed;     /* the armed failure happened */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

static int chaos_fail_now(void)
{
    if (chaos_countdown <= 0) {
        return 0;
    }
    if (--chaos_countdown == 0) {
        chaos_failed = 1;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t size)
{
    return chaos_fail_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return chaos_fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return chaos_fail_now() ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
    return chaos_fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return chaos_fail_now() ? NULL : __real_strndup(s, n);
}

/* Arm: the nth allocation from now fails (n >= 1). */
static void chaos_arm(long n)
{
    chaos_failed = 0;
    chaos_countdown = n;
}

static void chaos_disarm(void)
{
    chaos_countdown = 0;
}

static int suite_clean(void)
{
    chaos_disarm();
    return 0;
}

/* ---- The decoders ------------------------------------------------------------------ */

static const struct {
    const char *file;
    etcd__decoder decoder;
} bodies[] = {
    {"get_dir_recursive.json", ETCD__DECODE_KEYS},
    {"set_replace.json", ETCD__DECODE_KEYS},
    {"watch_expire.json", ETCD__DECODE_KEYS},
    {"create_exists.json", ETCD__DECODE_KEYS},
    {"watch_cleared.json", ETCD__DECODE_KEYS},
    {"truncated.json", ETCD__DECODE_KEYS},
    {"health.json", ETCD__DECODE_HEALTH},
    {"version.json", ETCD__DECODE_VERSION},
    /* v3: the fast decoder's answers (one past its stack scratch of 8 key-values),
     * and one it leaves to Jansson */
    {"v3/range_many.json", ETCD__DECODE_V3},
    {"v3/range_one.json", ETCD__DECODE_V3},
    {"v3/put_lease_prev_kv.json", ETCD__DECODE_V3},
    {"v3/delete_prev_kv.json", ETCD__DECODE_V3},
    {"v3/txn.json", ETCD__DECODE_V3},
};

static void test_parse_and_dup(void)
{
    size_t i;

    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        size_t len;
        char name[64];
        char *body = utest_read_file(bodies[i].file, &len);
        long http;
        etcd_response *clean;
        long n;
        int runs = 0;

        if (body == NULL) {
            continue;
        }
        snprintf(name, sizeof(name), "%.*s", (int)(strlen(bodies[i].file) - 5),
                 bodies[i].file);
        http = utest_read_status(name, 200);
        clean = etcd__response_parse(bodies[i].decoder, http, body, len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(clean);

        for (n = 1; n < 10000; n++) {
            etcd_response *r;
            etcd_response *d = NULL;
            int failed;

            chaos_arm(n);
            r = etcd__response_parse(bodies[i].decoder, http, body, len);
            if (r != NULL && r->status != ETCD_ENOMEM) {
                d = etcd_response_dup(r);
            }
            failed = chaos_failed;
            chaos_disarm();
            runs++;
            if (r == NULL || r->status == ETCD_ENOMEM) {
                CU_ASSERT(failed);
            } else {
                /* no failure, or one the decoder survived: the same outcome */
                CU_ASSERT_EQUAL(r->status, clean->status);
                if (r->status != clean->status) {
                    fprintf(stderr, "\n  %s, allocation %ld failing: %s (%s), want %s\n",
                            bodies[i].file, n, etcd_err_name(r->status),
                            r->reason ? r->reason : "", etcd_err_name(clean->status));
                }
                CU_ASSERT_EQUAL(r->action, clean->action);
                CU_ASSERT_EQUAL(r->error.code, clean->error.code);
                CU_ASSERT_EQUAL(r->node != NULL, clean->node != NULL);
                CU_ASSERT_EQUAL(r->header != NULL, clean->header != NULL);
                CU_ASSERT_EQUAL(r->v3.nkvs, clean->v3.nkvs);
                CU_ASSERT_EQUAL(r->v3.nprev_kvs, clean->v3.nprev_kvs);
                CU_ASSERT_EQUAL(r->v3.nresults, clean->v3.nresults);
                if (r->v3.nkvs > 0 && r->v3.nkvs == clean->v3.nkvs) {
                    CU_ASSERT_EQUAL(r->v3.kvs[r->v3.nkvs - 1].value_len,
                                    clean->v3.kvs[clean->v3.nkvs - 1].value_len);
                }
                if (d != NULL) {
                    CU_ASSERT_EQUAL(d->v3.nkvs, r->v3.nkvs);
                    CU_ASSERT_EQUAL(d->status, r->status);
                    CU_ASSERT_EQUAL(d->node != NULL, r->node != NULL);
                }
            }
            etcd_response_free(d);
            etcd_response_free(r);
            if (!failed) {
                break;
            }
        }
        CU_ASSERT(runs > 1); /* the decoder allocates: some run failed */
        CU_ASSERT(n < 10000);
        etcd_response_free(clean);
        free(body);
    }
}

/* ---- The client: new, queue, free ----------------------------------------------------
 */

typedef struct calls {
    int n;
    int status;
} calls;

static void calls_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    calls *k = data;

    (void)c;
    k->n++;
    k->status = resp->status;
}

static void test_client_queue_free(void)
{
    long n;
    int completed = 0;

    for (n = 1; n < 100000; n++) {
        etcd_client_opts o;
        etcd_client *c = NULL;
        calls k[3];
        int rc[3] = {ETCD_EINVAL, ETCD_EINVAL, ETCD_EINVAL};
        int new_rc;
        int failed;
        int i;
        etcd_keys_opts ko = {0};

        memset(k, 0, sizeof(k));
        etcd_client_opts_init(&o);
        o.endpoints = "http://127.0.0.1:9,http://127.0.0.1:10";
        o.ca_file = "/nonexistent/ca.pem";
        o.username = "user";
        o.password = "secret";
        chaos_arm(n);
        new_rc = etcd_client_new(&o, &c);
        if (new_rc == ETCD_OK) {
            ko.prev_value = "old value";
            ko.ttl = 5;
            rc[0] = etcd_keys_get(c, "/a key/with ?#&", NULL, calls_cb, &k[0]);
            rc[1] = etcd_keys_compare_and_swap(c, "/b", "new", &ko, calls_cb, &k[1]);
            rc[2] = etcd_health(c, calls_cb, &k[2]);
            etcd_client_free(c); /* the loop never ran: all are cancelled */
        }
        failed = chaos_failed;
        chaos_disarm();
        if (new_rc != ETCD_OK) {
            CU_ASSERT_EQUAL(new_rc, ETCD_ENOMEM);
            CU_ASSERT(failed);
            CU_ASSERT_PTR_NULL(c);
        }
        for (i = 0; i < 3; i++) {
            if (rc[i] == ETCD_OK) {
                CU_ASSERT_EQUAL(k[i].n, 1);
                CU_ASSERT(k[i].status == ETCD_ECANCELED || k[i].status == ETCD_ENOMEM);
            } else {
                CU_ASSERT_EQUAL(k[i].n, 0);
                if (new_rc == ETCD_OK) {
                    CU_ASSERT_EQUAL(rc[i], ETCD_ENOMEM);
                }
            }
        }
        if (!failed) {
            completed = 1;
            for (i = 0; i < 3; i++) {
                CU_ASSERT_EQUAL(rc[i], ETCD_OK);
                CU_ASSERT_EQUAL(k[i].status, ETCD_ECANCELED);
            }
            break;
        }
    }
    CU_ASSERT(completed);
    CU_ASSERT(n > 1);
}

int test_unit_chaos_add(void)
{
    CU_pSuite s = CU_add_suite("unit_chaos", NULL, suite_clean);

    if (s == NULL ||
        !CU_add_test(s, "decoders and dup, nth allocation failing", test_parse_and_dup) ||
        !CU_add_test(s, "client new/queue/free, nth allocation failing",
                     test_client_queue_free)) {
        return -1;
    }
    return 0;
}
