/*
 * Integration tests of TLS against a real etcd started with --client-cert-auth and
 * certificates that tests/etcd-env.sh generated with openssl.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "etcd/etcd.h"
#include "itest.h"

static int suite_init(void)
{
    return itest_suite_init();
}

static etcd_client *tls_client(const char *ca, const char *cert, const char *key,
                               int insecure)
{
    etcd_client_opts o;

    etcd_client_opts_init(&o);
    o.endpoints = itest.tls_endpoint;
    o.ca_file = ca;
    o.cert_file = cert;
    o.key_file = key;
    o.insecure = insecure;
    return itest_client_opts(&o);
}

/* With the CA and a client certificate: keys, health and a watch all work. */
static void test_with_client_cert(void)
{
    etcd_client *c = tls_client(itest.ca, itest.cert, itest.key, 0);
    etcd_response *r = NULL;
    etcd_watch_opts w = {0};
    char key[128];
    uint64_t idx;
    int rc;

    itest_key(key, sizeof(key), "%s/secure key ?&", itest_prefix());
    idx = itest_set(c, key, "over tls");
    rc = etcd_keys_get_sync(c, key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->key, key);
    ITEST_STR_EQ(r->node->value, "over tls");
    ITEST_STR_EQ(r->endpoint, itest.tls_endpoint);
    etcd_response_free(r);
    r = NULL;

    rc = etcd_health_sync(c, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->health, 1);
    etcd_response_free(r);
    r = NULL;

    /* TLS settings apply to watches as well */
    w.wait_index = idx;
    w.timeout_ms = 5000;
    rc = etcd_keys_watch_sync(c, key, &w, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->value, "over tls");
    etcd_response_free(r);
    etcd_client_free(c);
}

static void check_refused(etcd_client *c, const char *what)
{
    etcd_response *r = NULL;
    int rc = etcd_keys_get_sync(c, "/", NULL, &r);

    CU_ASSERT(rc == ETCD_ETLS || rc == ETCD_ETRANSPORT);
    if (rc != ETCD_ETLS && rc != ETCD_ETRANSPORT) {
        itest_dump(what, r);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, rc);
    CU_ASSERT_PTR_NULL(r->node);
    CU_ASSERT_PTR_NOT_NULL(r->reason);
    if (r->reason != NULL) {
        CU_ASSERT(strlen(r->reason) > 0);
    }
    ITEST_STR_EQ(r->endpoint, itest.tls_endpoint);
    etcd_response_free(r);
}

/* Without a client certificate the server refuses the handshake. */
static void test_without_client_cert(void)
{
    etcd_client *c = tls_client(itest.ca, NULL, NULL, 0);

    check_refused(c, "no client certificate");
    etcd_client_free(c);
}

/* Verification is on by default: the test CA is not in the system store. */
static void test_unknown_ca(void)
{
    etcd_client *c = tls_client(NULL, itest.cert, itest.key, 0);
    etcd_response *r = NULL;
    int rc = etcd_keys_get_sync(c, "/", NULL, &r);

    ITEST_STATUS(rc, r, ETCD_ETLS);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL(r->reason);
    etcd_response_free(r);
    etcd_client_free(c);

    /* ...and "insecure" turns it off */
    c = tls_client(NULL, itest.cert, itest.key, 1);
    r = NULL;
    rc = etcd_keys_get_sync(c, "/", NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    etcd_client_free(c);
}

/* A plain-http client on the TLS port gets an error, not a hang or a crash. */
static void test_http_to_tls_port(void)
{
    char url[256];
    etcd_client *c;
    etcd_response *r = NULL;
    int rc;

    CU_ASSERT_EQUAL_FATAL(strncmp(itest.tls_endpoint, "https://", 8), 0);
    snprintf(url, sizeof(url), "http://%s", itest.tls_endpoint + 8);
    c = itest_client(url);
    rc = etcd_keys_get_sync(c, "/", NULL, &r);
    CU_ASSERT_NOT_EQUAL(rc, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL(r);
    etcd_response_free(r);
    etcd_client_free(c);
}

int test_it_tls_add(void)
{
    CU_pSuite s = CU_add_suite("it_tls", suite_init, NULL);

    if (s == NULL ||
        !CU_add_test(s, "with a client certificate", test_with_client_cert) ||
        !CU_add_test(s, "without one: refused", test_without_client_cert) ||
        !CU_add_test(s, "unknown CA: refused; insecure: works", test_unknown_ca) ||
        !CU_add_test(s, "http to the TLS port", test_http_to_tls_port)) {
        return -1;
    }
    return 0;
}
