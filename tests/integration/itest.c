/*
 * Helpers shared by the integration suites.
 */
#define _POSIX_C_SOURCE 200809L

#include "itest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

itest_env itest;

static const char *need(const char *name, int *missing)
{
    const char *v = getenv(name);

    if (v == NULL || *v == '\0') {
        fprintf(stderr,
                "\n  %s is not set: the integration suites need the real etcd that "
                "tests/etcd-env.sh starts (run tests/run.sh)\n",
                name);
        (*missing)++;
        return NULL;
    }
    return v;
}

int itest_suite_init(void)
{
    int missing = 0;

    itest.endpoint = need("ETCD_TEST_ENDPOINT", &missing);
    itest.tls_endpoint = need("ETCD_TEST_TLS_ENDPOINT", &missing);
    itest.ca = need("ETCD_TEST_CA", &missing);
    itest.cert = need("ETCD_TEST_CERT", &missing);
    itest.key = need("ETCD_TEST_KEY", &missing);
    itest.dead = need("ETCD_TEST_DEAD_ENDPOINT", &missing);
    return missing ? -1 : 0;
}

etcd_client *itest_client_opts(etcd_client_opts *opts)
{
    etcd_client *c = NULL;
    int rc;

    if (opts->endpoints == NULL) {
        opts->endpoints = itest.endpoint;
    }
    if (opts->request_timeout_ms == 0) {
        opts->request_timeout_ms = 10000;
    }
    rc = etcd_client_new(opts, &c);
    if (rc != ETCD_OK) {
        fprintf(stderr, "\n  etcd_client_new(%s): %s\n", opts->endpoints,
                etcd_strerror(rc));
    }
    CU_ASSERT_EQUAL_FATAL(rc, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    return c;
}

etcd_client *itest_client(const char *endpoints)
{
    etcd_client_opts o;

    etcd_client_opts_init(&o);
    o.endpoints = endpoints;
    return itest_client_opts(&o);
}

const char *itest_prefix(void)
{
    static char slots[8][64];
    static unsigned n;
    char *p = slots[n % 8];

    n++;
    snprintf(p, sizeof(slots[0]), "/itest/%ld-%ld-%u", (long)getpid(), (long)time(NULL),
             n);
    return p;
}

const char *itest_key(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return buf;
}

int64_t itest_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int itest_run_until(etcd_client *client, const int *counter, int target, long timeout_ms)
{
    int64_t deadline = itest_now_ms() + timeout_ms;

    while (*counter < target) {
        int64_t left = deadline - itest_now_ms();
        if (left <= 0) {
            fprintf(stderr, "\n  timed out after %ld ms: %d of %d done\n", timeout_ms,
                    *counter, target);
            return 0;
        }
        etcd_client_run_once(client, left < 100 ? (int)left : 100);
    }
    return 1;
}

uint64_t itest_etcd_index(etcd_client *client)
{
    etcd_response *r = NULL;
    uint64_t index = 0;
    int rc = etcd_keys_get_sync(client, "/", NULL, &r);

    ITEST_STATUS(rc, r, ETCD_OK);
    if (r != NULL) {
        index = r->info.etcd_index;
    }
    CU_ASSERT(index > 0);
    etcd_response_free(r);
    return index;
}

uint64_t itest_watchers(etcd_client *client)
{
    etcd_response *r = NULL;
    uint64_t n = 0;
    size_t i;
    int rc = etcd_stats_store_sync(client, &r);

    ITEST_STATUS(rc, r, ETCD_OK);
    if (r != NULL) {
        for (i = 0; i < r->ncounters; i++) {
            if (strcmp(r->counters[i].name, "watchers") == 0) {
                n = r->counters[i].value;
            }
        }
    }
    etcd_response_free(r);
    return n;
}

uint64_t itest_set(etcd_client *client, const char *key, const char *value)
{
    etcd_response *r = NULL;
    uint64_t index = 0;
    int rc = etcd_keys_set_sync(client, key, value, NULL, &r);

    ITEST_STATUS(rc, r, ETCD_OK);
    if (r != NULL && r->node != NULL) {
        index = r->node->modified_index;
    }
    CU_ASSERT(index > 0);
    etcd_response_free(r);
    return index;
}

void itest_dump(const char *what, const etcd_response *resp)
{
    char line[512];

    if (resp == NULL) {
        fprintf(stderr, "\n  %s: no response\n", what);
        return;
    }
    fprintf(stderr, "\n  %s: %s (HTTP %ld): %s\n", what, etcd_err_name(resp->status),
            resp->http_status, etcd_response_describe(resp, line, sizeof(line)));
}

int itest_scale(int n)
{
    const char *s = getenv("ETCD_TEST_SCALE");
    long div = 1;

    if (s != NULL && *s != '\0') {
        char *end;
        div = strtol(s, &end, 10);
        if (*end != '\0' || div < 1) {
            div = 1;
        }
    }
    return (int)(n / div > 0 ? n / div : 1);
}

void itest_v3_auth_reset(const char *endpoint, const char *root_password)
{
    etcd_client_opts o;
    etcd_client *c = NULL, *root = NULL;
    etcd_response *r = NULL;
    size_t i;

    etcd_client_opts_init(&o);
    o.endpoints = endpoint;
    o.request_timeout_ms = 10000;
    if (etcd_client_new(&o, &c) != ETCD_OK) {
        return;
    }
    if (etcd_v3_auth_status_sync(c, &r) == ETCD_OK && r->auth_enabled) {
        o.username = "root";
        o.password = root_password;
        if (etcd_client_new(&o, &root) == ETCD_OK) {
            etcd_v3_auth_disable_sync(root, NULL);
            etcd_client_free(root);
        }
    }
    etcd_response_free(r);
    r = NULL;
    if (etcd_v3_user_list_sync(c, &r) == ETCD_OK) {
        for (i = 0; i < r->nusers; i++) {
            etcd_v3_user_delete_sync(c, r->users[i].name, NULL);
        }
    }
    etcd_response_free(r);
    r = NULL;
    if (etcd_v3_role_list_sync(c, &r) == ETCD_OK) {
        for (i = 0; i < r->nroles; i++) {
            etcd_v3_role_delete_sync(c, r->roles[i].name, NULL);
        }
    }
    etcd_response_free(r);
    etcd_client_free(c);
}
