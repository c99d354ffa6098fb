/*
 * Integration tests of watches (lib/src/watch.c) against a real etcd: one-shot watches
 * (next change, timeout, historical index, recursive, TTL expiry) and continuous ones
 * (every change in order, the 401 pause and resume, cancel from the callback).
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

/* One one-shot watch's outcome. */
typedef struct shot {
    int calls;
    int status;
    etcd_action action;
    char key[256];
    char value[64];
    int has_prev;
    char prev_value[64];
    uint64_t modified;
} shot;

static void shot_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    shot *s = data;

    (void)c;
    s->calls++;
    s->status = resp->status;
    s->action = resp->action;
    if (resp->node != NULL) {
        snprintf(s->key, sizeof(s->key), "%s", resp->node->key ? resp->node->key : "");
        snprintf(s->value, sizeof(s->value), "%s",
                 resp->node->value ? resp->node->value : "(null)");
        s->modified = resp->node->modified_index;
    }
    if (resp->prev_node != NULL) {
        s->has_prev = 1;
        snprintf(s->prev_value, sizeof(s->prev_value), "%s",
                 resp->prev_node->value ? resp->prev_node->value : "(null)");
    }
}

/* A one-shot watch (wait_index 0) returns the next change. */
static void test_next_change(void)
{
    char key[128];
    etcd_client *writer = itest_client(NULL);
    etcd_watch_opts w = {0};
    shot s;
    uint64_t watchers;
    uint64_t idx;

    memset(&s, 0, sizeof(s));
    itest_key(key, sizeof(key), "%s/k", itest_prefix());
    itest_set(writer, key, "before");
    watchers = itest_watchers(writer);
    w.timeout_ms = 20000;
    CU_ASSERT_EQUAL_FATAL(etcd_keys_watch(cl(), key, &w, shot_cb, &s), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_pending(cl()), 1);
    /* let the watch reach the server before changing the key */
    for (int i = 0; i < 500 && itest_watchers(writer) <= watchers; i++) {
        etcd_client_run_once(cl(), 10);
    }
    CU_ASSERT(itest_watchers(writer) > watchers);
    CU_ASSERT_EQUAL(s.calls, 0);
    idx = itest_set(writer, key, "after");
    CU_ASSERT_FATAL(itest_run_until(cl(), &s.calls, 1, 10000));
    CU_ASSERT_EQUAL(s.calls, 1);
    CU_ASSERT_EQUAL(s.status, ETCD_OK);
    CU_ASSERT_EQUAL(s.action, ETCD_ACTION_SET);
    CU_ASSERT_STRING_EQUAL(s.key, key);
    CU_ASSERT_STRING_EQUAL(s.value, "after");
    CU_ASSERT_EQUAL(s.modified, idx);
    CU_ASSERT(s.has_prev);
    CU_ASSERT_STRING_EQUAL(s.prev_value, "before");
    CU_ASSERT_EQUAL(etcd_client_pending(cl()), 0);
    etcd_client_free(writer);
}

/* A watch with a 1 ms timeout times out, and only once. */
static void test_timeout(void)
{
    char key[128];
    etcd_watch_opts w = {0};
    etcd_response *r = NULL;
    shot s;
    int64_t t0;
    int rc;

    itest_key(key, sizeof(key), "%s/quiet", itest_prefix());
    w.timeout_ms = 1;
    t0 = itest_now_ms();
    rc = etcd_keys_watch_sync(cl(), key, &w, &r);
    ITEST_STATUS(rc, r, ETCD_ETIMEDOUT);
    CU_ASSERT_PTR_NOT_NULL(r);
    CU_ASSERT(itest_now_ms() - t0 < 5000);
    etcd_response_free(r);
    CU_ASSERT_EQUAL(etcd_client_pending(cl()), 0);

    memset(&s, 0, sizeof(s));
    CU_ASSERT_EQUAL_FATAL(etcd_keys_watch(cl(), key, &w, shot_cb, &s), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    CU_ASSERT_EQUAL(s.calls, 1);
    CU_ASSERT_EQUAL(s.status, ETCD_ETIMEDOUT);
    CU_ASSERT_EQUAL(etcd_client_pending(cl()), 0);
}

/* A watch with an old index returns that historical event. */
static void test_old_index(void)
{
    char key[128];
    etcd_watch_opts w = {0};
    etcd_response *r = NULL;
    uint64_t first;
    int rc;

    itest_key(key, sizeof(key), "%s/hist", itest_prefix());
    first = itest_set(cl(), key, "one");
    itest_set(cl(), key, "two");
    itest_set(cl(), key, "three");
    w.wait_index = first;
    w.timeout_ms = 5000;
    rc = etcd_keys_watch_sync(cl(), key, &w, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_SET);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->key, key);
    ITEST_STR_EQ(r->node->value, "one");
    CU_ASSERT_EQUAL(r->node->modified_index, first);
    etcd_response_free(r);
    r = NULL;

    w.wait_index = first + 1;
    rc = etcd_keys_watch_sync(cl(), key, &w, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->value, "two");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->prev_node);
    ITEST_STR_EQ(r->prev_node->value, "one");
    etcd_response_free(r);
}

/* A recursive watch on a directory sees a change two levels down; a non-recursive one
 * on the same directory does not. */
static void test_recursive(void)
{
    const char *prefix = itest_prefix();
    char dir[128];
    char deep[192];
    char other[192];
    etcd_watch_opts w = {0};
    etcd_response *r = NULL;
    uint64_t start;
    uint64_t idx;
    int rc;

    itest_key(dir, sizeof(dir), "%s/tree", prefix);
    itest_key(deep, sizeof(deep), "%s/a/b", dir);
    itest_key(other, sizeof(other), "%s/elsewhere", prefix);
    start = itest_etcd_index(cl()) + 1;
    itest_set(cl(), other, "noise");
    idx = itest_set(cl(), deep, "deep");

    w.wait_index = start;
    w.recursive = 1;
    w.timeout_ms = 5000;
    rc = etcd_keys_watch_sync(cl(), dir, &w, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_SET);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->key, deep);
    ITEST_STR_EQ(r->node->value, "deep");
    CU_ASSERT_EQUAL(r->node->modified_index, idx);
    etcd_response_free(r);
    r = NULL;

    /* not recursive: the change below is not an event of the directory itself */
    w.recursive = 0;
    w.timeout_ms = 300;
    rc = etcd_keys_watch_sync(cl(), dir, &w, &r);
    ITEST_STATUS(rc, r, ETCD_ETIMEDOUT);
    etcd_response_free(r);
}

/* A key with a TTL expires, and a watcher sees action expire. */
static void test_ttl_expire(void)
{
    char key[128];
    etcd_keys_opts o = {0};
    etcd_watch_opts w = {0};
    etcd_response *r = NULL;
    uint64_t idx;
    int rc;

    itest_key(key, sizeof(key), "%s/ephemeral", itest_prefix());
    o.ttl = 1;
    rc = etcd_keys_set_sync(cl(), key, "soon gone", &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT_EQUAL(r->node->ttl, 1);
    idx = r->node->modified_index;
    etcd_response_free(r);
    r = NULL;

    w.wait_index = idx + 1;
    w.timeout_ms = 10000;
    rc = etcd_keys_watch_sync(cl(), key, &w, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_EXPIRE);
    CU_ASSERT_STRING_EQUAL(etcd_action_name(r->action), "expire");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    ITEST_STR_EQ(r->node->key, key);
    CU_ASSERT_PTR_NULL(r->node->value);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->prev_node);
    ITEST_STR_EQ(r->prev_node->value, "soon gone");
    etcd_response_free(r);
    r = NULL;

    rc = etcd_keys_get_sync(cl(), key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->error.code, 100);
    etcd_response_free(r);
}

/* A TTL refresh does not wake watchers. */
static void test_refresh_is_silent(void)
{
    char key[128];
    etcd_keys_opts o = {0};
    etcd_watch_opts w = {0};
    etcd_response *r = NULL;
    uint64_t idx;
    int rc;

    itest_key(key, sizeof(key), "%s/r", itest_prefix());
    o.ttl = 100;
    rc = etcd_keys_set_sync(cl(), key, "v", &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    idx = r->node->modified_index;
    etcd_response_free(r);
    r = NULL;
    o.ttl = 200;
    rc = etcd_keys_refresh_sync(cl(), key, &o, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    r = NULL;
    w.wait_index = idx + 1;
    w.timeout_ms = 500;
    rc = etcd_keys_watch_sync(cl(), key, &w, &r);
    ITEST_STATUS(rc, r, ETCD_ETIMEDOUT);
    etcd_response_free(r);
}

/* ---- Continuous watches ---------------------------------------------------------- */

#define MAX_EVENTS 256

typedef struct stream {
    int events;
    int cleared;
    int canceled;
    int other;
    int after_cancel;
    int cancel_at; /* cancel from inside the callback at this event count; 0: never */
    int last_other_status;
    etcd_watch *watch;
    uint64_t index[MAX_EVENTS];
    char value[MAX_EVENTS][16];
    etcd_action action[MAX_EVENTS];
    uint64_t cleared_index;
    uint64_t next_after_event;
} stream;

static void stream_cb(etcd_watch *watch, const etcd_response *resp, void *data)
{
    stream *s = data;

    if (s->canceled) {
        s->after_cancel++;
        return;
    }
    switch (resp->status) {
    case ETCD_OK:
        if (s->events < MAX_EVENTS && resp->node != NULL) {
            s->index[s->events] = resp->node->modified_index;
            snprintf(s->value[s->events], sizeof(s->value[0]), "%s",
                     resp->node->value ? resp->node->value : "(null)");
            s->action[s->events] = resp->action;
        }
        s->events++;
        s->next_after_event = etcd_watch_next_index(watch);
        if (s->cancel_at > 0 && s->events == s->cancel_at) {
            etcd_watch_cancel(watch);
        }
        break;
    case ETCD_ECLEARED:
        s->cleared++;
        s->cleared_index = resp->error.index;
        break;
    case ETCD_ECANCELED:
        s->canceled++;
        break;
    default:
        s->other++;
        s->last_other_status = resp->status;
        break;
    }
}

/* Every change, in order, none missed, even when changes come faster than the watch
 * can re-arm; etcd_watch_next_index follows modifiedIndex + 1. */
static void test_stream_in_order(void)
{
    char key[128];
    etcd_watch_opts w = {0};
    etcd_client *writer = itest_client(NULL);
    stream *s = calloc(1, sizeof(*s));
    uint64_t sets[50];
    int n = 50;
    int i;

    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    itest_key(key, sizeof(key), "%s/stream", itest_prefix());
    w.wait_index = itest_etcd_index(writer) + 1;
    CU_ASSERT_EQUAL_FATAL(etcd_watch_start(cl(), key, &w, stream_cb, s, &s->watch),
                          ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL(s->watch);
    CU_ASSERT_EQUAL(etcd_watch_next_index(s->watch), w.wait_index);
    /* the writer runs ahead of the watcher's loop: events pile up */
    for (i = 0; i < n; i++) {
        char v[16];
        snprintf(v, sizeof(v), "%d", i);
        sets[i] = itest_set(writer, key, v);
        if (i % 10 == 0) {
            etcd_client_run_once(cl(), 0);
        }
    }
    CU_ASSERT(itest_run_until(cl(), &s->events, n, 20000));
    CU_ASSERT_EQUAL(s->events, n);
    for (i = 0; i < n && i < s->events; i++) {
        char v[16];
        snprintf(v, sizeof(v), "%d", i);
        CU_ASSERT_EQUAL(s->index[i], sets[i]);
        CU_ASSERT_STRING_EQUAL(s->value[i], v);
        CU_ASSERT_EQUAL(s->action[i], ETCD_ACTION_SET);
    }
    CU_ASSERT_EQUAL(s->next_after_event, sets[n - 1] + 1);
    CU_ASSERT_EQUAL(etcd_watch_next_index(s->watch), sets[n - 1] + 1);
    CU_ASSERT_EQUAL(s->cleared, 0);
    CU_ASSERT_EQUAL(s->other, 0);
    CU_ASSERT_EQUAL(etcd_watch_resume(s->watch, 1), ETCD_EBUSY); /* not paused */

    etcd_watch_cancel(s->watch);
    CU_ASSERT(itest_run_until(cl(), &s->canceled, 1, 5000));
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    CU_ASSERT_EQUAL(s->canceled, 1);
    CU_ASSERT_EQUAL(s->after_cancel, 0);
    CU_ASSERT_EQUAL(etcd_client_pending(cl()), 0);
    free(s);
    etcd_client_free(writer);
}

typedef struct churn {
    int done;
    int failed;
} churn;

static void churn_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    churn *ch = data;

    (void)c;
    ch->done++;
    if (resp->status != ETCD_OK) {
        ch->failed++;
    }
}

/* A watcher that lags more than 1000 events behind is told ETCD_ECLEARED and paused;
 * after a re-read it resumes from the new index and sees the next change. */
static void test_stream_cleared_and_resume(void)
{
    char key[128];
    etcd_watch_opts w = {0};
    etcd_client *writer = itest_client(NULL);
    stream *s = calloc(1, sizeof(*s));
    churn ch = {0};
    etcd_response *r = NULL;
    uint64_t resume_at;
    uint64_t idx;
    int n = 1100;
    int i;
    int rc;

    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    itest_key(key, sizeof(key), "%s/lag", itest_prefix());
    w.wait_index = itest_etcd_index(writer) + 1;
    CU_ASSERT_EQUAL_FATAL(etcd_watch_start(cl(), key, &w, stream_cb, s, &s->watch),
                          ETCD_OK);
    /* the watcher's loop does not run while 1100 changes happen */
    for (i = 0; i < n; i++) {
        CU_ASSERT_EQUAL_FATAL(etcd_keys_set(writer, key, "x", NULL, churn_cb, &ch),
                              ETCD_OK);
    }
    CU_ASSERT_FATAL(itest_run_until(writer, &ch.done, n, 120000));
    CU_ASSERT_EQUAL(ch.failed, 0);

    CU_ASSERT_FATAL(itest_run_until(cl(), &s->cleared, 1, 20000));
    CU_ASSERT_EQUAL(s->cleared, 1);
    CU_ASSERT(s->events <= 1);
    CU_ASSERT(s->cleared_index >= w.wait_index + (uint64_t)n - 1);
    /* paused: nothing more arrives while nobody resumes */
    etcd_client_run_once(cl(), 200);
    CU_ASSERT_EQUAL(s->cleared, 1);
    CU_ASSERT_EQUAL(s->other, 0);

    /* re-read, resume from the read's index + 1 */
    rc = etcd_keys_get_sync(writer, key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    resume_at = r->info.etcd_index + 1;
    etcd_response_free(r);
    CU_ASSERT_EQUAL(etcd_watch_resume(s->watch, resume_at), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_watch_next_index(s->watch), resume_at);
    int before = s->events;
    idx = itest_set(writer, key, "after");
    CU_ASSERT(itest_run_until(cl(), &s->events, before + 1, 10000));
    CU_ASSERT_EQUAL(s->events, before + 1);
    if (s->events == before + 1 && before < MAX_EVENTS) {
        CU_ASSERT_EQUAL(s->index[before], idx);
        CU_ASSERT_STRING_EQUAL(s->value[before], "after");
    }
    etcd_watch_cancel(s->watch);
    CU_ASSERT(itest_run_until(cl(), &s->canceled, 1, 5000));
    CU_ASSERT_EQUAL(s->canceled, 1);
    CU_ASSERT_EQUAL(etcd_client_pending(cl()), 0);
    free(s);
    etcd_client_free(writer);
}

/* Cancel from inside the callback: the ECANCELED call comes once, no event after it. */
static void test_stream_cancel_in_callback(void)
{
    char key[128];
    etcd_watch_opts w = {0};
    stream *s = calloc(1, sizeof(*s));
    uint64_t first;
    int i;

    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    itest_key(key, sizeof(key), "%s/cancel", itest_prefix());
    first = itest_set(cl(), key, "0");
    for (i = 1; i < 5; i++) {
        itest_set(cl(), key, "more");
    }
    /* five historical events are there at once; cancel at the second */
    w.wait_index = first;
    s->cancel_at = 2;
    CU_ASSERT_EQUAL_FATAL(etcd_watch_start(cl(), key, &w, stream_cb, s, &s->watch),
                          ETCD_OK);
    CU_ASSERT(itest_run_until(cl(), &s->canceled, 1, 10000));
    CU_ASSERT_EQUAL(etcd_client_run(cl()), ETCD_OK);
    CU_ASSERT_EQUAL(s->events, 2);
    CU_ASSERT_EQUAL(s->canceled, 1);
    CU_ASSERT_EQUAL(s->after_cancel, 0);
    CU_ASSERT_EQUAL(s->index[0], first);
    CU_ASSERT_EQUAL(etcd_client_pending(cl()), 0);
    free(s);
}

/* A recursive continuous watch started at 0 sees changes below, including deletes. */
static void test_stream_recursive(void)
{
    const char *prefix = itest_prefix();
    char dir[128];
    char key[192];
    etcd_watch_opts w = {0};
    etcd_client *writer = itest_client(NULL);
    stream *s = calloc(1, sizeof(*s));
    etcd_response *r = NULL;
    uint64_t watchers;
    int rc;

    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    itest_key(dir, sizeof(dir), "%s/rec", prefix);
    itest_key(key, sizeof(key), "%s/x/y", dir);
    watchers = itest_watchers(writer);
    w.recursive = 1;
    CU_ASSERT_EQUAL_FATAL(etcd_watch_start(cl(), dir, &w, stream_cb, s, &s->watch),
                          ETCD_OK);
    for (int i = 0; i < 500 && itest_watchers(writer) <= watchers; i++) {
        etcd_client_run_once(cl(), 10);
    }
    CU_ASSERT(itest_watchers(writer) > watchers);
    itest_set(writer, key, "v");
    rc = etcd_keys_delete_sync(writer, key, NULL, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    CU_ASSERT(itest_run_until(cl(), &s->events, 2, 10000));
    CU_ASSERT_EQUAL(s->action[0], ETCD_ACTION_SET);
    CU_ASSERT_STRING_EQUAL(s->value[0], "v");
    CU_ASSERT_EQUAL(s->action[1], ETCD_ACTION_DELETE);
    CU_ASSERT(s->index[1] > s->index[0]);
    etcd_watch_cancel(s->watch);
    CU_ASSERT(itest_run_until(cl(), &s->canceled, 1, 5000));
    CU_ASSERT_EQUAL(etcd_client_pending(cl()), 0);
    free(s);
    etcd_client_free(writer);
}

/* Freeing the client ends a continuous watch with one ECANCELED call. */
static void test_stream_client_free(void)
{
    char key[128];
    etcd_watch_opts w = {0};
    etcd_client *c = itest_client(NULL);
    stream *s = calloc(1, sizeof(*s));
    shot one;

    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    memset(&one, 0, sizeof(one));
    itest_key(key, sizeof(key), "%s/free", itest_prefix());
    CU_ASSERT_EQUAL_FATAL(etcd_watch_start(c, key, &w, stream_cb, s, &s->watch), ETCD_OK);
    CU_ASSERT_EQUAL_FATAL(etcd_keys_watch(c, key, &w, shot_cb, &one), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 2);
    etcd_client_run_once(c, 100);
    etcd_client_run_once(c, 100);
    etcd_client_free(c);
    CU_ASSERT_EQUAL(s->canceled, 1);
    CU_ASSERT_EQUAL(s->events, 0);
    CU_ASSERT_EQUAL(s->after_cancel, 0);
    CU_ASSERT_EQUAL(one.calls, 1);
    CU_ASSERT_EQUAL(one.status, ETCD_ECANCELED);
    free(s);
}

int test_it_watch_add(void)
{
    CU_pSuite s = CU_add_suite("it_watch", suite_init, suite_clean);

    if (s == NULL || !CU_add_test(s, "one-shot: the next change", test_next_change) ||
        !CU_add_test(s, "one-shot: 1 ms timeout", test_timeout) ||
        !CU_add_test(s, "one-shot: old index", test_old_index) ||
        !CU_add_test(s, "one-shot: recursive, two levels down", test_recursive) ||
        !CU_add_test(s, "one-shot: TTL expiry", test_ttl_expire) ||
        !CU_add_test(s, "refresh wakes no watcher", test_refresh_is_silent) ||
        !CU_add_test(s, "stream: every change in order", test_stream_in_order) ||
        !CU_add_test(s, "stream: cleared, then resumed",
                     test_stream_cleared_and_resume) ||
        !CU_add_test(s, "stream: cancel inside the callback",
                     test_stream_cancel_in_callback) ||
        !CU_add_test(s, "stream: recursive", test_stream_recursive) ||
        !CU_add_test(s, "stream: client freed", test_stream_client_free)) {
        return -1;
    }
    return 0;
}
