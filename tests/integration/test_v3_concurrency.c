/*
 * Integration tests of sessions, locks and elections (lib/src/v3_concurrency.c)
 * against a real etcd: a session keeps its lease past its TTL and revokes it on close,
 * and reports a revoked lease; two lock holders never hold at once, and a holder whose
 * process dies hands the lock on within its lease's TTL; an election elects one leader,
 * proclaims, and elects the next after a resign or when the leader's process dies;
 * observe sees every leader and proclamation; every callback ends with ETCD_ECANCELED
 * when the client is freed.
 *
 * The killed holders are separate processes (fork): each takes the lock or the
 * leadership with a client of its own and then _exits without letting go.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "etcd/etcd.h"
#include "etcd/v3.h"
#include "etcd/v3_concurrency.h"
#include "itest.h"

#define TTL_S 3 /* seconds: the lease of the sessions that are lost on purpose */

static int suite_init(void)
{
    return itest_suite_init();
}

static etcd_bytes str(const char *s)
{
    etcd_bytes b = {s, ETCD_STRLEN};

    return b;
}

/* ---- Sessions -------------------------------------------------------------------- */

typedef struct sess_log {
    int ok;       /* ETCD_OK calls: granted */
    int lost;     /* ETCD_ENOTFOUND */
    int errors;   /* others */
    int canceled; /* ETCD_ECANCELED: must end at 1 */
    int after_cancel;
    int64_t lease_at_ok;
} sess_log;

static void sess_cb(etcd_v3_session *s, const etcd_response *resp, void *data)
{
    sess_log *log = data;

    if (log->canceled) {
        log->after_cancel++;
    }
    switch (resp->status) {
    case ETCD_OK:
        log->ok++;
        log->lease_at_ok = etcd_v3_session_lease(s);
        break;
    case ETCD_ENOTFOUND:
        log->lost++;
        break;
    case ETCD_ECANCELED:
        log->canceled++;
        break;
    default:
        log->errors++;
        itest_dump("session", resp);
        break;
    }
}

/* Start a session of ttl seconds and wait until its lease is granted. */
static etcd_v3_session *session_ready(etcd_client *c, int64_t ttl, sess_log *log)
{
    etcd_v3_session *s = NULL;

    memset(log, 0, sizeof(*log));
    CU_ASSERT_EQUAL_FATAL(etcd_v3_session_start(c, ttl, sess_cb, log, &s), ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(etcd_v3_session_lease(s), 0);
    CU_ASSERT_FATAL(itest_run_until(c, &log->ok, 1, 10000));
    CU_ASSERT(etcd_v3_session_lease(s) != 0);
    CU_ASSERT_EQUAL(log->lease_at_ok, etcd_v3_session_lease(s));
    return s;
}

/* The lease's remaining TTL in seconds (-1 when it is gone). */
static int64_t lease_ttl(etcd_client *c, int64_t lease)
{
    etcd_response *r = NULL;
    int rc = etcd_v3_lease_timetolive_sync(c, lease, 0, &r);
    int64_t ttl = -2;

    ITEST_STATUS(rc, r, ETCD_OK);
    if (r != NULL) {
        ttl = r->v3.ttl;
    }
    etcd_response_free(r);
    return ttl;
}

/* Run the loop for ms milliseconds. */
static void run_for(etcd_client *c, long ms)
{
    int64_t end = itest_now_ms() + ms;

    while (itest_now_ms() < end) {
        etcd_client_run_once(c, 50);
    }
}

/* A session's lease outlives its TTL while the session runs, and close revokes it:
 * one ETCD_OK, then exactly one ETCD_ECANCELED. */
static void test_session_keeps_and_revokes(void)
{
    etcd_client *c = itest_client(NULL);
    sess_log log;
    etcd_v3_session *s = session_ready(c, TTL_S, &log);
    int64_t lease = etcd_v3_session_lease(s);
    int64_t ttl;

    run_for(c, TTL_S * 1000 * 2 + 500);
    ttl = lease_ttl(c, lease);
    CU_ASSERT(ttl > 0);
    CU_ASSERT_EQUAL(log.lost, 0);
    CU_ASSERT_EQUAL(log.errors, 0);

    etcd_v3_session_close(s);
    CU_ASSERT_EQUAL(etcd_client_run(c), ETCD_OK);
    CU_ASSERT_EQUAL(log.ok, 1);
    CU_ASSERT_EQUAL(log.canceled, 1);
    CU_ASSERT_EQUAL(log.after_cancel, 0);
    CU_ASSERT_EQUAL(lease_ttl(c, lease), -1);
    etcd_client_free(c);
}

/* A lease revoked behind the session's back is reported as lost (ETCD_ENOTFOUND)
 * within a refresh period; closing it afterwards still ends with ETCD_ECANCELED. */
static void test_session_lost(void)
{
    etcd_client *c = itest_client(NULL);
    sess_log log;
    etcd_v3_session *s = session_ready(c, TTL_S * 2, &log);
    etcd_response *r = NULL;
    int rc;

    rc = etcd_v3_lease_revoke_sync(c, etcd_v3_session_lease(s), &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    CU_ASSERT(itest_run_until(c, &log.lost, 1, TTL_S * 2 * 1000 + 2000));
    CU_ASSERT_EQUAL(log.lost, 1);
    etcd_v3_session_close(s);
    CU_ASSERT_EQUAL(etcd_client_run(c), ETCD_OK);
    CU_ASSERT_EQUAL(log.canceled, 1);
    CU_ASSERT_EQUAL(log.after_cancel, 0);
    etcd_client_free(c);
}

/* Closing a session from inside its own ETCD_OK callback. */
static void close_on_ok(etcd_v3_session *s, const etcd_response *resp, void *data)
{
    sess_log *log = data;

    sess_cb(s, resp, data);
    if (resp->status == ETCD_OK) {
        log->lease_at_ok = etcd_v3_session_lease(s);
        etcd_v3_session_close(s);
    }
}

static void test_session_close_in_callback(void)
{
    etcd_client *c = itest_client(NULL);
    etcd_v3_session *s = NULL;
    sess_log log;

    memset(&log, 0, sizeof(log));
    CU_ASSERT_EQUAL_FATAL(etcd_v3_session_start(c, 10, close_on_ok, &log, &s), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(c), ETCD_OK);
    CU_ASSERT_EQUAL(log.ok, 1);
    CU_ASSERT_EQUAL(log.canceled, 1);
    CU_ASSERT_EQUAL(log.after_cancel, 0);
    CU_ASSERT(log.lease_at_ok != 0);
    CU_ASSERT_EQUAL(lease_ttl(c, log.lease_at_ok), -1);
    etcd_client_free(c);
}

static void test_session_bad_args(void)
{
    etcd_client *c = itest_client(NULL);
    etcd_v3_session *s = (etcd_v3_session *)&s;

    CU_ASSERT_EQUAL(etcd_v3_session_start(c, 0, sess_cb, NULL, &s), ETCD_EINVAL);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_EQUAL(etcd_v3_session_start(c, 5, NULL, NULL, &s), ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_v3_session_start(NULL, 5, sess_cb, NULL, &s), ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_v3_session_lease(NULL), 0);
    etcd_v3_session_close(NULL);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 0);
    etcd_client_free(c);
}

/* ---- Locks ------------------------------------------------------------------------- */

typedef struct lock_wait {
    int calls;
    int status;
    int64_t at_ms;
    char key[256];
    size_t key_len;
} lock_wait;

static void lock_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    lock_wait *w = data;

    (void)c;
    w->calls++;
    w->status = resp->status;
    w->at_ms = itest_now_ms();
    if (resp->status == ETCD_OK && resp->v3_key != NULL &&
        resp->v3_key_len < sizeof(w->key)) {
        memcpy(w->key, resp->v3_key, resp->v3_key_len);
        w->key[resp->v3_key_len] = '\0';
        w->key_len = resp->v3_key_len;
    } else if (resp->status != ETCD_ECANCELED) {
        itest_dump("lock", resp);
    }
}

/* The lock's key is under its name; a second holder waits until the first unlocks,
 * then gets a different key. */
static void test_lock_exclusive(void)
{
    etcd_client *c1 = itest_client(NULL), *c2 = itest_client(NULL);
    sess_log l1, l2;
    etcd_v3_session *s1 = session_ready(c1, 10, &l1), *s2 = session_ready(c2, 10, &l2);
    char name[128];
    etcd_response *r = NULL;
    lock_wait w2 = {0};
    etcd_bytes held;
    char key1[256];
    int rc;

    itest_key(name, sizeof(name), "%s/lock", itest_prefix());
    rc = etcd_v3_lock_sync(c1, str(name), etcd_v3_session_lease(s1), &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->v3_key);
    CU_ASSERT(r->v3_key_len > strlen(name));
    CU_ASSERT_EQUAL(strncmp(r->v3_key, name, strlen(name)), 0);
    CU_ASSERT_PTR_NOT_NULL(r->header);
    snprintf(key1, sizeof(key1), "%s", r->v3_key);
    etcd_response_free(r);

    /* the second holder waits: no answer while the first holds it */
    CU_ASSERT_EQUAL_FATAL(
        etcd_v3_lock(c2, str(name), etcd_v3_session_lease(s2), lock_cb, &w2), ETCD_OK);
    run_for(c2, 1500);
    CU_ASSERT_EQUAL(w2.calls, 0);

    held.data = key1;
    held.len = strlen(key1);
    r = NULL;
    rc = etcd_v3_unlock_sync(c1, held, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    CU_ASSERT(itest_run_until(c2, &w2.calls, 1, 10000));
    CU_ASSERT_EQUAL(w2.status, ETCD_OK);
    CU_ASSERT(w2.key_len > 0);
    CU_ASSERT(strcmp(w2.key, key1) != 0);
    CU_ASSERT_EQUAL(strncmp(w2.key, name, strlen(name)), 0);

    held.data = w2.key;
    held.len = w2.key_len;
    r = NULL;
    rc = etcd_v3_unlock_sync(c2, held, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    etcd_v3_session_close(s1);
    etcd_v3_session_close(s2);
    CU_ASSERT_EQUAL(etcd_client_run(c1), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(c2), ETCD_OK);
    CU_ASSERT_EQUAL(l1.canceled + l2.canceled, 2);
    etcd_client_free(c1);
    etcd_client_free(c2);
}

/* Many waiters on one lock, each holding it a while: never two at once. */
typedef struct contender {
    etcd_client *client;
    etcd_v3_session *session;
    sess_log log;
    lock_wait w;
    int released;
} contender;

static void test_lock_never_two(void)
{
    enum { N = 4 };
    contender cs[N];
    char name[128];
    int i, holders, done = 0, max_holders = 0;
    int64_t deadline;

    memset(cs, 0, sizeof(cs));
    itest_key(name, sizeof(name), "%s/mutex", itest_prefix());
    for (i = 0; i < N; i++) {
        cs[i].client = itest_client(NULL);
        cs[i].session = session_ready(cs[i].client, 10, &cs[i].log);
        CU_ASSERT_EQUAL_FATAL(etcd_v3_lock(cs[i].client, str(name),
                                           etcd_v3_session_lease(cs[i].session), lock_cb,
                                           &cs[i].w),
                              ETCD_OK);
    }
    deadline = itest_now_ms() + 30000;
    while (done < N && itest_now_ms() < deadline) {
        for (i = 0; i < N; i++) {
            etcd_client_run_once(cs[i].client, 10);
        }
        holders = 0;
        for (i = 0; i < N; i++) {
            holders += cs[i].w.calls == 1 && !cs[i].released;
        }
        max_holders = holders > max_holders ? holders : max_holders;
        for (i = 0; i < N; i++) {
            /* hold for 300 ms, then let go */
            if (cs[i].w.calls == 1 && !cs[i].released &&
                itest_now_ms() - cs[i].w.at_ms > 300) {
                etcd_bytes k = {cs[i].w.key, cs[i].w.key_len};
                etcd_response *r = NULL;
                int rc = etcd_v3_unlock_sync(cs[i].client, k, &r);

                ITEST_STATUS(rc, r, ETCD_OK);
                etcd_response_free(r);
                cs[i].released = 1;
                done++;
            }
        }
    }
    CU_ASSERT_EQUAL(done, N);
    CU_ASSERT_EQUAL(max_holders, 1);
    for (i = 0; i < N; i++) {
        CU_ASSERT_EQUAL(cs[i].w.status, ETCD_OK);
        etcd_v3_session_close(cs[i].session);
        CU_ASSERT_EQUAL(etcd_client_run(cs[i].client), ETCD_OK);
        CU_ASSERT_EQUAL(cs[i].log.canceled, 1);
        etcd_client_free(cs[i].client);
    }
}

/* In a child process: a client of its own, a session of TTL_S seconds, the lock (or
 * the leadership: campaign with value "child"), one byte on `fd`, and _exit without
 * letting go. */
static void child_hold(int fd, const char *name, int campaign)
{
    etcd_client_opts o;
    etcd_client *c = NULL;
    etcd_v3_session *s = NULL;
    etcd_response *r = NULL;
    sess_log log;
    int rc;

    memset(&log, 0, sizeof(log));
    etcd_client_opts_init(&o);
    o.endpoints = itest.endpoint;
    if (etcd_client_new(&o, &c) != ETCD_OK ||
        etcd_v3_session_start(c, TTL_S, sess_cb, &log, &s) != ETCD_OK) {
        _exit(2);
    }
    while (log.ok == 0 && log.errors == 0) {
        etcd_client_run_once(c, 100);
    }
    if (log.ok == 0) {
        _exit(3);
    }
    if (campaign) {
        rc = etcd_v3_campaign_sync(c, str(name), etcd_v3_session_lease(s), str("child"),
                                   &r);
    } else {
        rc = etcd_v3_lock_sync(c, str(name), etcd_v3_session_lease(s), &r);
    }
    if (rc != ETCD_OK || write(fd, "x", 1) != 1) {
        _exit(4);
    }
    _exit(0);
}

/* Fork a holder; returns its pid once it holds (or -1). */
static pid_t fork_holder(const char *name, int campaign)
{
    int fds[2];
    char byte;
    pid_t pid;
    ssize_t n;

    if (pipe(fds) != 0) {
        return -1;
    }
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child_hold(fds[1], name, campaign);
    }
    close(fds[1]);
    n = pid > 0 ? read(fds[0], &byte, 1) : -1;
    close(fds[0]);
    if (n != 1) {
        fprintf(stderr, "\n  the holder process did not take %s\n", name);
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        return -1;
    }
    return pid;
}

/* A holder process dies without unlocking: its lease expires within TTL_S seconds of
 * its death and the lock passes to the waiter. */
static void test_lock_holder_killed(void)
{
    etcd_client *c = itest_client(NULL);
    char name[128];
    sess_log log;
    etcd_v3_session *s;
    lock_wait w = {0};
    int64_t died, took;
    pid_t pid;
    int status = 0;

    itest_key(name, sizeof(name), "%s/killed", itest_prefix());
    s = session_ready(c, 10, &log);
    pid = fork_holder(name, 0);
    CU_ASSERT_FATAL(pid > 0);
    CU_ASSERT_EQUAL_FATAL(
        etcd_v3_lock(c, str(name), etcd_v3_session_lease(s), lock_cb, &w), ETCD_OK);
    /* still held while the child lives on (it exits right away: its lease does not) */
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    died = itest_now_ms();
    run_for(c, 300);
    CU_ASSERT_EQUAL(w.calls, 0);
    CU_ASSERT(itest_run_until(c, &w.calls, 1, TTL_S * 1000 + 3000));
    took = w.at_ms - died;
    CU_ASSERT_EQUAL(w.status, ETCD_OK);
    /* the lease was refreshed at most TTL_S seconds before the death; etcd checks
     * expiries every 500 ms */
    CU_ASSERT(took <= TTL_S * 1000 + 1500);
    if (took > TTL_S * 1000 + 1500) {
        fprintf(stderr, "\n  the lock passed on %" PRId64 " ms after the death\n", took);
    }
    etcd_v3_session_close(s);
    CU_ASSERT_EQUAL(etcd_client_run(c), ETCD_OK);
    etcd_client_free(c);
}

static void test_lock_bad_args(void)
{
    etcd_client *c = itest_client(NULL);
    etcd_response *r = (etcd_response *)&r;
    etcd_bytes bad = {NULL, 3};
    lock_wait w = {0};

    CU_ASSERT_EQUAL(etcd_v3_lock(c, str("x"), 0, lock_cb, &w), ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_v3_lock(c, bad, 1, lock_cb, &w), ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_v3_lock_sync(c, str("x"), 0, &r), ETCD_EINVAL);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(etcd_v3_unlock(c, str(""), lock_cb, &w), ETCD_EINVAL);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 0);
    CU_ASSERT_EQUAL(w.calls, 0);
    etcd_client_free(c);
}

/* ---- Elections --------------------------------------------------------------------- */

typedef struct obs_log {
    int calls;
    int values;
    char last[64];
    int canceled;
    int errors;
} obs_log;

static void obs_cb(etcd_v3_observe *o, const etcd_response *resp, void *data)
{
    obs_log *log = data;

    (void)o;
    log->calls++;
    if (resp->status == ETCD_OK) {
        CU_ASSERT_EQUAL_FATAL(resp->v3.nkvs, 1);
        log->values++;
        snprintf(log->last, sizeof(log->last), "%s", resp->v3.kvs[0].value);
    } else if (resp->status == ETCD_ECANCELED) {
        log->canceled++;
    } else {
        log->errors++;
        itest_dump("observe", resp);
    }
}

typedef struct campaign_wait {
    int calls;
    int status;
    int64_t at_ms;
    etcd_response *resp; /* kept (dup) */
} campaign_wait;

static void campaign_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    campaign_wait *w = data;

    (void)c;
    w->calls++;
    w->status = resp->status;
    w->at_ms = itest_now_ms();
    w->resp = etcd_response_dup(resp);
}

/* The current leader's value, or "" when there is none. */
static void leader_value(etcd_client *c, const char *name, char *out, size_t size)
{
    etcd_response *r = NULL;
    int rc = etcd_v3_election_leader_sync(c, str(name), &r);

    out[0] = '\0';
    if (rc == ETCD_OK && r != NULL && r->v3.nkvs == 1) {
        snprintf(out, size, "%s", r->v3.kvs[0].value);
    } else if (rc != ETCD_EETCD) {
        itest_dump("election leader", r);
    }
    etcd_response_free(r);
}

/* One leader; the second candidate waits; proclaim changes the value; resign elects the
 * second; observe sees each value in turn. */
static void test_election(void)
{
    etcd_client *c1 = itest_client(NULL), *c2 = itest_client(NULL);
    sess_log l1, l2;
    etcd_v3_session *s1 = session_ready(c1, 10, &l1), *s2 = session_ready(c2, 10, &l2);
    etcd_v3_observe *obs = NULL;
    obs_log ol = {0};
    campaign_wait w2 = {0};
    etcd_response *lead = NULL, *r = NULL;
    char name[128], value[64];
    int rc;

    itest_key(name, sizeof(name), "%s/election", itest_prefix());
    /* no leader yet: an etcd error */
    rc = etcd_v3_election_leader_sync(c1, str(name), &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    CU_ASSERT_PTR_NOT_NULL(r);
    if (r != NULL) {
        CU_ASSERT_PTR_NOT_NULL(strstr(r->error.message, "no leader"));
    }
    etcd_response_free(r);

    CU_ASSERT_EQUAL_FATAL(etcd_v3_observe_start(c2, str(name), obs_cb, &ol, &obs),
                          ETCD_OK);
    rc = etcd_v3_campaign_sync(c1, str(name), etcd_v3_session_lease(s1), str("one"),
                               &lead);
    ITEST_STATUS(rc, lead, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(lead);
    CU_ASSERT_PTR_NOT_NULL_FATAL(lead->v3_leader);
    CU_ASSERT_EQUAL(lead->v3_leader->name_len, strlen(name));
    CU_ASSERT_EQUAL(memcmp(lead->v3_leader->name, name, strlen(name)), 0);
    CU_ASSERT_EQUAL(lead->v3_leader->lease, etcd_v3_session_lease(s1));
    CU_ASSERT(lead->v3_leader->rev > 0);
    CU_ASSERT_EQUAL(strncmp(lead->v3_leader->key, name, strlen(name)), 0);
    leader_value(c1, name, value, sizeof(value));
    ITEST_STR_EQ(value, "one");
    CU_ASSERT(itest_run_until(c2, &ol.values, 1, 5000));
    ITEST_STR_EQ(ol.last, "one");

    /* the second candidate waits */
    CU_ASSERT_EQUAL_FATAL(etcd_v3_campaign(c2, str(name), etcd_v3_session_lease(s2),
                                           str("two"), campaign_cb, &w2),
                          ETCD_OK);
    run_for(c2, 1000);
    CU_ASSERT_EQUAL(w2.calls, 0);

    rc = etcd_v3_proclaim_sync(c1, lead->v3_leader, str("one-b"), &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    leader_value(c1, name, value, sizeof(value));
    ITEST_STR_EQ(value, "one-b");
    CU_ASSERT(itest_run_until(c2, &ol.values, 2, 5000));
    ITEST_STR_EQ(ol.last, "one-b");
    CU_ASSERT_EQUAL(w2.calls, 0);

    rc = etcd_v3_resign_sync(c1, lead->v3_leader, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    CU_ASSERT(itest_run_until(c2, &w2.calls, 1, 10000));
    CU_ASSERT_EQUAL(w2.status, ETCD_OK);
    CU_ASSERT(itest_run_until(c2, &ol.values, 3, 5000));
    ITEST_STR_EQ(ol.last, "two");
    leader_value(c1, name, value, sizeof(value));
    ITEST_STR_EQ(value, "two");

    /* the resigned leader cannot proclaim any more */
    r = NULL;
    rc = etcd_v3_proclaim_sync(c1, lead->v3_leader, str("stale"), &r);
    ITEST_STATUS(rc, r, ETCD_EETCD);
    etcd_response_free(r);
    etcd_response_free(lead);

    CU_ASSERT_PTR_NOT_NULL_FATAL(w2.resp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w2.resp->v3_leader);
    rc = etcd_v3_resign_sync(c2, w2.resp->v3_leader, &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    etcd_response_free(w2.resp);

    etcd_v3_observe_cancel(obs);
    CU_ASSERT_EQUAL(ol.canceled, 1);
    CU_ASSERT_EQUAL(ol.errors, 0);
    etcd_v3_session_close(s1);
    etcd_v3_session_close(s2);
    CU_ASSERT_EQUAL(etcd_client_run(c1), ETCD_OK);
    CU_ASSERT_EQUAL(etcd_client_run(c2), ETCD_OK);
    CU_ASSERT_EQUAL(ol.canceled, 1);
    etcd_client_free(c1);
    etcd_client_free(c2);
}

/* The leader's process dies: the next candidate is elected within the TTL. */
static void test_election_leader_killed(void)
{
    etcd_client *c = itest_client(NULL);
    sess_log log;
    etcd_v3_session *s = session_ready(c, 10, &log);
    etcd_v3_observe *obs = NULL;
    obs_log ol = {0};
    campaign_wait w = {0};
    char name[128], value[64];
    int64_t died;
    pid_t pid;
    int status = 0;

    itest_key(name, sizeof(name), "%s/killed-leader", itest_prefix());
    pid = fork_holder(name, 1);
    CU_ASSERT_FATAL(pid > 0);
    leader_value(c, name, value, sizeof(value));
    ITEST_STR_EQ(value, "child");
    CU_ASSERT_EQUAL_FATAL(etcd_v3_observe_start(c, str(name), obs_cb, &ol, &obs),
                          ETCD_OK);
    CU_ASSERT_EQUAL_FATAL(etcd_v3_campaign(c, str(name), etcd_v3_session_lease(s),
                                           str("next"), campaign_cb, &w),
                          ETCD_OK);
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    died = itest_now_ms();
    CU_ASSERT(itest_run_until(c, &w.calls, 1, TTL_S * 1000 + 3000));
    CU_ASSERT_EQUAL(w.status, ETCD_OK);
    CU_ASSERT(w.at_ms - died <= TTL_S * 1000 + 1500);
    leader_value(c, name, value, sizeof(value));
    ITEST_STR_EQ(value, "next");
    CU_ASSERT(itest_run_until(c, &ol.values, 2, 5000));
    ITEST_STR_EQ(ol.last, "next");
    etcd_response_free(w.resp);
    etcd_v3_observe_cancel(obs);
    etcd_v3_session_close(s); /* the revoke ends the leadership */
    CU_ASSERT_EQUAL(etcd_client_run(c), ETCD_OK);
    leader_value(c, name, value, sizeof(value));
    ITEST_STR_EQ(value, "");
    CU_ASSERT_EQUAL(ol.canceled, 1);
    etcd_client_free(c);
}

/* Cancelling an observe from inside its callback. */
static void cancel_on_value(etcd_v3_observe *o, const etcd_response *resp, void *data)
{
    obs_cb(o, resp, data);
    if (resp->status == ETCD_OK) {
        etcd_v3_observe_cancel(o);
    }
}

static void test_observe_cancel_in_callback(void)
{
    etcd_client *c = itest_client(NULL);
    sess_log log;
    etcd_v3_session *s = session_ready(c, 10, &log);
    etcd_v3_observe *obs = NULL;
    obs_log ol = {0};
    etcd_response *r = NULL;
    char name[128];
    int rc;

    itest_key(name, sizeof(name), "%s/observe", itest_prefix());
    rc = etcd_v3_campaign_sync(c, str(name), etcd_v3_session_lease(s), str("v"), &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    CU_ASSERT_EQUAL_FATAL(etcd_v3_observe_start(c, str(name), cancel_on_value, &ol, &obs),
                          ETCD_OK);
    /* the value, then the last call from inside it */
    CU_ASSERT(itest_run_until(c, &ol.calls, 2, 5000));
    etcd_v3_session_close(s);
    CU_ASSERT_EQUAL(etcd_client_run(c), ETCD_OK);
    CU_ASSERT_EQUAL(ol.values, 1);
    CU_ASSERT_EQUAL(ol.canceled, 1);
    CU_ASSERT_EQUAL(ol.calls, 2);
    etcd_client_free(c);
}

/* Freeing the client with a session, a waiting lock, a waiting campaign and an observe:
 * each callback once, with ETCD_ECANCELED. */
static void test_free_cancels_all(void)
{
    etcd_client *holder = itest_client(NULL), *c = itest_client(NULL);
    sess_log hl, log;
    etcd_v3_session *hs = session_ready(holder, 10, &hl), *s = session_ready(c, 10, &log);
    etcd_v3_observe *obs = NULL;
    obs_log ol = {0};
    lock_wait lw = {0};
    campaign_wait cw = {0};
    etcd_response *r = NULL;
    char lname[128], ename[128];
    int rc;

    itest_key(lname, sizeof(lname), "%s/lock", itest_prefix());
    itest_key(ename, sizeof(ename), "%s/election", itest_prefix());
    rc = etcd_v3_lock_sync(holder, str(lname), etcd_v3_session_lease(hs), &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);
    r = NULL;
    rc = etcd_v3_campaign_sync(holder, str(ename), etcd_v3_session_lease(hs), str("h"),
                               &r);
    ITEST_STATUS(rc, r, ETCD_OK);
    etcd_response_free(r);

    CU_ASSERT_EQUAL_FATAL(
        etcd_v3_lock(c, str(lname), etcd_v3_session_lease(s), lock_cb, &lw), ETCD_OK);
    CU_ASSERT_EQUAL_FATAL(etcd_v3_campaign(c, str(ename), etcd_v3_session_lease(s),
                                           str("c"), campaign_cb, &cw),
                          ETCD_OK);
    CU_ASSERT_EQUAL_FATAL(etcd_v3_observe_start(c, str(ename), obs_cb, &ol, &obs),
                          ETCD_OK);
    CU_ASSERT(itest_run_until(c, &ol.values, 1, 5000));
    CU_ASSERT(etcd_client_pending(c) >= 4);
    etcd_client_free(c);
    CU_ASSERT_EQUAL(lw.calls, 1);
    CU_ASSERT_EQUAL(lw.status, ETCD_ECANCELED);
    CU_ASSERT_EQUAL(cw.calls, 1);
    CU_ASSERT_EQUAL(cw.status, ETCD_ECANCELED);
    etcd_response_free(cw.resp);
    CU_ASSERT_EQUAL(ol.canceled, 1);
    CU_ASSERT_EQUAL(log.canceled, 1);
    CU_ASSERT_EQUAL(log.after_cancel, 0);
    etcd_v3_session_close(hs);
    CU_ASSERT_EQUAL(etcd_client_run(holder), ETCD_OK);
    etcd_client_free(holder);
}

int test_it_v3_concurrency_add(void)
{
    CU_pSuite s = CU_add_suite("it_v3_concurrency", suite_init, NULL);

    if (s == NULL ||
        !CU_add_test(s, "session keeps its lease, close revokes",
                     test_session_keeps_and_revokes) ||
        !CU_add_test(s, "session reports a lost lease", test_session_lost) ||
        !CU_add_test(s, "session closed in its callback",
                     test_session_close_in_callback) ||
        !CU_add_test(s, "session bad arguments", test_session_bad_args) ||
        !CU_add_test(s, "lock: second holder waits", test_lock_exclusive) ||
        !CU_add_test(s, "lock: never two holders", test_lock_never_two) ||
        !CU_add_test(s, "lock: killed holder passes it on", test_lock_holder_killed) ||
        !CU_add_test(s, "lock bad arguments", test_lock_bad_args) ||
        !CU_add_test(s, "election: campaign, proclaim, resign, observe", test_election) ||
        !CU_add_test(s, "election: killed leader elects the next",
                     test_election_leader_killed) ||
        !CU_add_test(s, "observe cancelled in its callback",
                     test_observe_cancel_in_callback) ||
        !CU_add_test(s, "client free cancels everything", test_free_cancels_all)) {
        return -1;
    }
    return 0;
}
