/*
 * Integration tests of the client engine (lib/src/client.c, health.c) against a real
 * etcd: health and version, endpoint failover, the external-loop hooks, and the
 * callback contract when the client is freed with requests in flight.
 */
#define _POSIX_C_SOURCE 200809L

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "etcd/etcd.h"
#include "itest.h"

static int suite_init(void)
{
    return itest_suite_init();
}

static void test_health(void)
{
    etcd_client *c = itest_client(NULL);
    etcd_response *r = NULL;
    int rc = etcd_health_sync(c, &r);

    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_OK);
    CU_ASSERT_EQUAL(r->http_status, 200);
    CU_ASSERT_EQUAL(r->health, 1);
    ITEST_STR_EQ(r->endpoint, itest.endpoint);
    etcd_response_free(r);
    etcd_client_free(c);
}

static void test_version(void)
{
    etcd_client *c = itest_client(NULL);
    etcd_response *r = NULL;
    int rc = etcd_version_sync(c, &r);

    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->server_version);
    CU_ASSERT_EQUAL(strncmp(r->server_version, "3.", 2), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->cluster_version);
    CU_ASSERT_EQUAL(strncmp(r->cluster_version, "3.", 2), 0);
    etcd_response_free(r);
    etcd_client_free(c);
}

typedef struct result {
    int calls;
    int status;
    char value[64];
    char endpoint[128];
} result;

static void result_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    result *res = data;

    (void)c;
    res->calls++;
    res->status = resp->status;
    if (resp->node != NULL && resp->node->value != NULL) {
        snprintf(res->value, sizeof(res->value), "%s", resp->node->value);
    }
    snprintf(res->endpoint, sizeof(res->endpoint), "%s",
             resp->endpoint ? resp->endpoint : "");
}

/* "DEAD,LIVE": every call succeeds, and after the first failure the client sticks to
 * the live endpoint, with no delay for the later calls. */
static void test_failover(void)
{
    char endpoints[512];
    char key[128];
    etcd_client *c;
    etcd_response *r = NULL;
    int64_t t0;
    int64_t took;
    int i;
    int rc;

    snprintf(endpoints, sizeof(endpoints), "%s,%s", itest.dead, itest.endpoint);
    c = itest_client(endpoints);
    ITEST_STR_EQ(etcd_client_endpoint(c), itest.dead);
    itest_key(key, sizeof(key), "%s/k", itest_prefix());

    rc = etcd_keys_set_sync(c, key, "v", NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    ITEST_STR_EQ(r->endpoint, itest.endpoint);
    etcd_response_free(r);
    ITEST_STR_EQ(etcd_client_endpoint(c), itest.endpoint);

    t0 = itest_now_ms();
    for (i = 0; i < 50; i++) {
        r = NULL;
        rc = etcd_keys_get_sync(c, key, NULL, &r);
        ITEST_STATUS(rc, r, ETCD_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
        ITEST_STR_EQ(r->node->value, "v");
        ITEST_STR_EQ(r->endpoint, itest.endpoint);
        etcd_response_free(r);
    }
    took = itest_now_ms() - t0;
    CU_ASSERT(took < 5000);
    ITEST_STR_EQ(etcd_client_endpoint(c), itest.endpoint);

    /* an etcd error is an answer: no move to another endpoint */
    r = NULL;
    rc = etcd_keys_create_sync(c, key, "again", NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 105);
    etcd_response_free(r);
    ITEST_STR_EQ(etcd_client_endpoint(c), itest.endpoint);

    /* health and watches go the same way */
    r = NULL;
    rc = etcd_health_sync(c, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    etcd_client_free(c);
}

/* The first call of a fresh "DEAD,LIVE" client, asynchronous and many at once. */
static void test_failover_async_burst(void)
{
    char endpoints[512];
    char key[128];
    etcd_client *c;
    etcd_client *writer = itest_client(NULL);
    result res[40];
    int done = 0;
    int i;

    itest_key(key, sizeof(key), "%s/burst", itest_prefix());
    itest_set(writer, key, "live");
    etcd_client_free(writer);
    snprintf(endpoints, sizeof(endpoints), "%s,%s", itest.dead, itest.endpoint);
    c = itest_client(endpoints);
    memset(res, 0, sizeof(res));
    for (i = 0; i < 40; i++) {
        CU_ASSERT_EQUAL(etcd_keys_get(c, key, NULL, result_cb, &res[i]), ETCD_OK);
    }
    CU_ASSERT_EQUAL(etcd_client_run(c), ETCD_OK);
    for (i = 0; i < 40; i++) {
        CU_ASSERT_EQUAL(res[i].calls, 1);
        CU_ASSERT_EQUAL(res[i].status, ETCD_OK);
        CU_ASSERT_STRING_EQUAL(res[i].value, "live");
        CU_ASSERT_STRING_EQUAL(res[i].endpoint, itest.endpoint);
        done += res[i].calls;
    }
    CU_ASSERT_EQUAL(done, 40);
    ITEST_STR_EQ(etcd_client_endpoint(c), itest.endpoint);
    etcd_client_free(c);
}

/* All endpoints dead: a transport error, after trying each. */
static void test_all_dead(void)
{
    char endpoints[512];
    etcd_client *c;
    etcd_response *r = NULL;
    int rc;

    snprintf(endpoints, sizeof(endpoints), "%s,%s", itest.dead, itest.dead);
    c = itest_client(endpoints);
    rc = etcd_keys_get_sync(c, "/x", NULL, &r);
    ITEST_STATUS(rc, r, ETCD_ETRANSPORT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL(r->reason);
    ITEST_STR_EQ(r->endpoint, itest.dead);
    etcd_response_free(r);
    etcd_client_free(c);
}

/* ---- A small poll() loop driving the client through its hooks -------------------- */

#define MAX_FDS 64

typedef struct loop {
    struct pollfd fds[MAX_FDS];
    int nfds;
    long timer_ms; /* -1: none */
    int64_t timer_at;
    int timer_sets;
    int fd_sets;
    int errors;
} loop;

static int loop_watch_fd(void *data, int fd, int events)
{
    loop *l = data;
    int i;

    l->fd_sets++;
    for (i = 0; i < l->nfds; i++) {
        if (l->fds[i].fd == fd) {
            break;
        }
    }
    if (events == 0) {
        if (i < l->nfds) {
            l->fds[i] = l->fds[l->nfds - 1];
            l->nfds--;
        }
        return 0;
    }
    if (i == l->nfds) {
        if (l->nfds == MAX_FDS) {
            l->errors++;
            return -1;
        }
        l->nfds++;
    }
    l->fds[i].fd = fd;
    l->fds[i].events = (short)(((events & ETCD_POLL_IN) ? POLLIN : 0) |
                               ((events & ETCD_POLL_OUT) ? POLLOUT : 0));
    l->fds[i].revents = 0;
    return 0;
}

static int loop_set_timer(void *data, long timeout_ms)
{
    loop *l = data;

    l->timer_sets++;
    l->timer_ms = timeout_ms;
    l->timer_at = timeout_ms < 0 ? 0 : itest_now_ms() + timeout_ms;
    return 0;
}

/* Run the loop until *counter reaches target; 0 on timeout. */
static int loop_run(loop *l, etcd_client *c, const int *counter, int target,
                    long timeout_ms)
{
    int64_t deadline = itest_now_ms() + timeout_ms;

    while (*counter < target) {
        int64_t now = itest_now_ms();
        int wait = 100;
        int i;
        int n;
        struct pollfd ready[MAX_FDS];
        int nready;

        if (now > deadline) {
            fprintf(stderr, "\n  external loop: timed out, %d of %d done\n", *counter,
                    target);
            return 0;
        }
        if (l->timer_ms >= 0) {
            int64_t left = l->timer_at - now;
            wait = left < 0 ? 0 : (left < wait ? (int)left : wait);
        }
        n = poll(l->fds, (nfds_t)l->nfds, wait);
        if (n < 0) {
            l->errors++;
            return 0;
        }
        /* the hooks may change fds while we report: work on a copy */
        nready = 0;
        for (i = 0; i < l->nfds; i++) {
            if (l->fds[i].revents != 0) {
                ready[nready++] = l->fds[i];
            }
        }
        for (i = 0; i < nready; i++) {
            int ev = 0;
            if (ready[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                ev |= ETCD_POLL_IN;
            }
            if (ready[i].revents & (POLLOUT | POLLERR)) {
                ev |= ETCD_POLL_OUT;
            }
            etcd_client_on_fd(c, ready[i].fd, ev);
        }
        if (l->timer_ms >= 0 && itest_now_ms() >= l->timer_at) {
            l->timer_ms = -1;
            etcd_client_on_timer(c);
        }
    }
    return 1;
}

typedef struct tally {
    int done;
    int ok;
    int timedout;
    int wrong;
} tally;

typedef struct get_req {
    tally *t;
    char want[32];
} get_req;

static void tally_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    get_req *g = data;

    (void)c;
    g->t->done++;
    if (resp->status == ETCD_OK) {
        g->t->ok++;
        if (g->want[0] != '\0' && (resp->node == NULL || resp->node->value == NULL ||
                                   strcmp(resp->node->value, g->want) != 0)) {
            g->t->wrong++;
        }
    } else if (resp->status == ETCD_ETIMEDOUT) {
        g->t->timedout++;
    } else {
        g->t->wrong++;
    }
}

/* The client on the caller's poll() loop: writes, many concurrent reads, and a watch
 * whose timeout needs the timer hook. */
static void test_external_loop(void)
{
    etcd_client *c = itest_client(NULL);
    loop l;
    tally t = {0};
    etcd_loop_hooks hooks;
    get_req reqs[51];
    etcd_watch_opts w = {0};
    char key[128];
    int i;

    memset(&l, 0, sizeof(l));
    l.timer_ms = -1;
    hooks.watch_fd = loop_watch_fd;
    hooks.set_timer = loop_set_timer;
    hooks.data = &l;
    CU_ASSERT_EQUAL_FATAL(etcd_client_set_loop(c, &hooks), ETCD_OK);
    itest_key(key, sizeof(key), "%s/ext", itest_prefix());

    memset(reqs, 0, sizeof(reqs));
    reqs[0].t = &t;
    CU_ASSERT_EQUAL_FATAL(etcd_keys_set(c, key, "from-loop", NULL, tally_cb, &reqs[0]),
                          ETCD_OK);
    CU_ASSERT(loop_run(&l, c, &t.done, 1, 10000));
    CU_ASSERT_EQUAL(t.ok, 1);

    for (i = 1; i <= 50; i++) {
        reqs[i].t = &t;
        snprintf(reqs[i].want, sizeof(reqs[i].want), "from-loop");
        CU_ASSERT_EQUAL(etcd_keys_get(c, key, NULL, tally_cb, &reqs[i]), ETCD_OK);
    }
    CU_ASSERT(loop_run(&l, c, &t.done, 51, 20000));
    CU_ASSERT_EQUAL(t.ok, 51);
    CU_ASSERT_EQUAL(t.wrong, 0);
    CU_ASSERT(l.fd_sets > 0);
    CU_ASSERT(l.timer_sets > 0);
    CU_ASSERT_EQUAL(l.errors, 0);

    /* a one-shot watch with a 50 ms timeout: only the timer can end it */
    get_req wreq = {&t, ""};
    w.timeout_ms = 50;
    CU_ASSERT_EQUAL_FATAL(etcd_keys_watch(c, key, &w, tally_cb, &wreq), ETCD_OK);
    CU_ASSERT(loop_run(&l, c, &t.done, 52, 10000));
    CU_ASSERT_EQUAL(t.timedout, 1);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 0);
    etcd_client_free(c);
    /* every fd handed to the loop was taken back */
    CU_ASSERT_EQUAL(l.nfds, 0);
}

/* ---- Freeing the client with requests in flight ---------------------------------- */

typedef struct once {
    int calls;
    int status;
} once;

static void once_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    once *o = data;

    (void)c;
    o->calls++;
    o->status = resp->status;
}

static void once_watch_cb(etcd_watch *w, const etcd_response *resp, void *data)
{
    once *o = data;

    (void)w;
    if (resp->status == ETCD_ECANCELED) {
        o->calls++;
        o->status = resp->status;
    }
}

/* Requests on the wire, queued, and watches: freeing the client calls every callback
 * exactly once; those not done get ETCD_ECANCELED. */
static void test_free_with_pending(void)
{
    enum { N = 100 };
    etcd_client_opts o;
    etcd_client *c;
    once calls[N + 2];
    etcd_watch_opts w = {0};
    char key[128];
    int i;
    int canceled = 0;

    etcd_client_opts_init(&o);
    o.max_connections = 4; /* most of them wait in the queue */
    c = itest_client_opts(&o);
    memset(calls, 0, sizeof(calls));
    itest_key(key, sizeof(key), "%s/pending", itest_prefix());
    for (i = 0; i < N; i++) {
        CU_ASSERT_EQUAL(etcd_keys_get(c, key, NULL, once_cb, &calls[i]), ETCD_OK);
    }
    CU_ASSERT_EQUAL(etcd_keys_watch(c, key, &w, once_cb, &calls[N]), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_watch_start(c, key, &w, once_watch_cb, &calls[N + 1], NULL),
                    ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_pending(c), N + 2);
    etcd_client_run_once(c, 0);
    etcd_client_run_once(c, 1);
    etcd_client_free(c);
    for (i = 0; i < N + 2; i++) {
        CU_ASSERT_EQUAL(calls[i].calls, 1);
        if (calls[i].status == ETCD_ECANCELED) {
            canceled++;
        } else {
            /* finished before the free: the key does not exist */
            CU_ASSERT_EQUAL(calls[i].status, ETCD_EETCD);
        }
    }
    CU_ASSERT(canceled >= 2);
}

typedef struct freer {
    etcd_client *client;
    int calls;
    int ok;
    int canceled;
    int freed;
} freer;

static void freeing_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    freer *f = data;

    f->calls++;
    if (resp->status == ETCD_ECANCELED) {
        f->canceled++;
    } else {
        f->ok++;
    }
    if (!f->freed) {
        f->freed = 1;
        CU_ASSERT_PTR_EQUAL(c, f->client);
        etcd_client_free(c); /* from inside a callback */
    }
}

/* The first callback frees the client: the others are cancelled, each once. */
static void test_free_inside_callback(void)
{
    etcd_client_opts o;
    freer f = {0};
    char key[128];
    int i;

    etcd_client_opts_init(&o);
    o.max_connections = 2;
    f.client = itest_client_opts(&o);
    itest_key(key, sizeof(key), "%s/free-inside", itest_prefix());
    for (i = 0; i < 20; i++) {
        CU_ASSERT_EQUAL(etcd_keys_get(f.client, key, NULL, freeing_cb, &f), ETCD_OK);
    }
    etcd_client_run(f.client); /* returns once the client is gone */
    CU_ASSERT_EQUAL(f.freed, 1);
    CU_ASSERT_EQUAL(f.calls, 20);
    CU_ASSERT(f.ok >= 1);
    CU_ASSERT_EQUAL(f.ok + f.canceled, 20);
}

/* A callback may start new requests on the same client. */
typedef struct chain {
    etcd_client *client;
    char key[128];
    int steps;
    int failed;
} chain;

static void chain_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    chain *ch = data;

    if (resp->status != ETCD_OK) {
        ch->failed++;
        return;
    }
    ch->steps++;
    if (ch->steps < 10) {
        char v[16];
        snprintf(v, sizeof(v), "%d", ch->steps);
        if (etcd_keys_set(c, ch->key, v, NULL, chain_cb, ch) != ETCD_OK) {
            ch->failed++;
        }
    }
}

static void test_requests_from_callbacks(void)
{
    chain ch = {0};
    etcd_response *r = NULL;
    int rc;

    ch.client = itest_client(NULL);
    itest_key(ch.key, sizeof(ch.key), "%s/chain", itest_prefix());
    CU_ASSERT_EQUAL_FATAL(etcd_keys_set(ch.client, ch.key, "0", NULL, chain_cb, &ch),
                          ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(ch.client), ETCD_OK);
    CU_ASSERT_EQUAL(ch.steps, 10);
    CU_ASSERT_EQUAL(ch.failed, 0);
    rc = etcd_keys_get_sync(ch.client, ch.key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->value, "9");
    etcd_response_free(r);
    etcd_client_free(ch.client);
}

/* A response handed to a callback can be kept with etcd_response_dup(). */
static void dup_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    etcd_response **keep = data;

    (void)c;
    *keep = etcd_response_dup(resp);
}

static void test_dup_from_callback(void)
{
    etcd_client *c = itest_client(NULL);
    etcd_response *kept = NULL;
    char key[128];

    itest_key(key, sizeof(key), "%s/dup", itest_prefix());
    itest_set(c, key, "kept");
    CU_ASSERT_EQUAL_FATAL(etcd_keys_get(c, key, NULL, dup_cb, &kept), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(c), ETCD_OK);
    etcd_client_free(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(kept);
    CU_ASSERT_EQUAL(kept->status, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(kept->node);
    ITEST_STR_EQ(kept->node->key, key);
    ITEST_STR_EQ(kept->node->value, "kept");
    CU_ASSERT(kept->info.etcd_index > 0);
    ITEST_STR_EQ(kept->endpoint, itest.endpoint);
    etcd_response_free(kept);
}

int test_it_client_add(void)
{
    CU_pSuite s = CU_add_suite("it_client", suite_init, NULL);

    if (s == NULL || !CU_add_test(s, "health", test_health) ||
        !CU_add_test(s, "version", test_version) ||
        !CU_add_test(s, "failover DEAD,LIVE", test_failover) ||
        !CU_add_test(s, "failover with a burst", test_failover_async_burst) ||
        !CU_add_test(s, "all endpoints dead", test_all_dead) ||
        !CU_add_test(s, "external poll() loop", test_external_loop) ||
        !CU_add_test(s, "free with requests pending", test_free_with_pending) ||
        !CU_add_test(s, "free inside a callback", test_free_inside_callback) ||
        !CU_add_test(s, "requests from callbacks", test_requests_from_callbacks) ||
        !CU_add_test(s, "dup keeps a response", test_dup_from_callback)) {
        return -1;
    }
    return 0;
}
