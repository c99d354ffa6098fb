/*
 * libetcd: sessions, locks and elections through the gateway's /v3/lock and
 * /v3/election services.
 *
 * A session is a lease the library grants and keeps alive (a managed keep-alive). Lock
 * and campaign are long polls: etcd answers once the lock or the leadership is held,
 * so they wait outside the in-flight limit and the request timeout. Observe is a
 * stream of {"result":{"kv":...}} messages, split and reconnected as a v3 watch is.
 */
#include "v3_int.h"

#include <stdlib.h>
#include <string.h>

/* A session's ETCD_OK when its lease was granted earlier (see session_step()). */
static const etcd_response ready = {.status = ETCD_OK};

/* ---- Sessions ---------------------------------------------------------------------- */

struct etcd_v3_session {
    etcd__closer closer; /* first: the client closes sessions through it */
    etcd_client *client;
    int64_t ttl;
    int64_t lease;
    etcd_v3_session_cb cb;
    void *data;
    etcd__req *req; /* the grant in flight, or the revoke after close */
    etcd_v3_keepalive *ka;
    etcd__timer retry;
    long backoff_ms;
    int in_callback;
    int closing;
    int revoke_sent; /* the revoke was sent, or cannot be */
};

static void session_step(void *arg);

static void session_notify(etcd_v3_session *s, const etcd_response *resp)
{
    s->in_callback = 1;
    s->cb(s, resp, s->data);
    s->in_callback = 0;
}

static void session_finish(etcd_v3_session *s)
{
    etcd_client *client = s->client;
    etcd_response *resp = etcd__response_canceled("session closed");

    etcd__client_detach(client, &s->closer);
    etcd__client_callback_begin(client);
    s->cb(s, resp, s->data);
    etcd__client_callback_end(client);
    etcd_response_free(resp);
    free(s);
}

static void on_revoked(etcd__req *req, etcd_response *resp)
{
    etcd_v3_session *s = etcd__req_owner(req);

    s->req = NULL;
    etcd_response_free(resp);
    session_finish(s);
}

/* Carry on closing once nothing else runs: revoke the lease, then the last callback.
 * May free the session. */
static void session_close_continue(etcd_v3_session *s)
{
    etcd__req *req;

    if (s->in_callback || s->ka || s->req)
        return;
    if (!s->revoke_sent) {
        s->revoke_sent = 1;
        if (s->lease && !etcd__client_closing(s->client) &&
            etcd__v3_request(s->client, "/v3/lease/revoke",
                             json_pack("{s:o}", "ID", etcd__v3_int(s->lease)), 0,
                             &req) == ETCD_OK &&
            etcd__req_send_internal(req, on_revoked, s) == ETCD_OK) {
            s->req = req;
            return;
        }
    }
    session_finish(s);
}

static void session_retry(etcd_v3_session *s)
{
    etcd__timer_backoff(s->client, &s->retry, &s->backoff_ms);
}

static void on_keepalive(etcd_v3_keepalive *ka, const etcd_response *resp, void *data)
{
    etcd_v3_session *s = data;

    if (resp->status == ETCD_ECANCELED) {
        s->ka = NULL;
        if (s->closing)
            session_close_continue(s);
        return;
    }
    if (resp->status == ETCD_OK || s->closing)
        return;
    session_notify(s, resp);
    /* A lost lease stays lost: the keep-alive has stopped, let it go. */
    if (resp->status == ETCD_ENOTFOUND)
        etcd_v3_keepalive_cancel(ka);
}

static void on_granted(etcd__req *req, etcd_response *resp)
{
    etcd_v3_session *s = etcd__req_owner(req);
    etcd_response *failed = NULL;
    int rc;

    s->req = NULL;
    if (resp->status == ETCD_OK && resp->v3.id == 0)
        resp->status = ETCD_EPROTO;
    if (resp->status == ETCD_OK) {
        s->lease = resp->v3.id;
        rc = etcd_v3_keepalive_start(s->client, s->lease, resp->v3.ttl, on_keepalive, s,
                                     &s->ka);
        if (rc)
            failed = etcd__response_new_error(rc, NULL, "cannot keep the lease alive");
        if (rc && !failed)
            failed = etcd__response_oom();
    }
    if (resp->status == ETCD_OK && !failed) {
        s->backoff_ms = ETCD__BACKOFF_MIN_MS;
        session_notify(s, resp);
    } else {
        session_notify(s, failed ? failed : resp);
        if (!s->closing)
            session_retry(s);
    }
    etcd_response_free(failed);
    etcd_response_free(resp);
    if (s->closing)
        session_close_continue(s);
}

/* Ask for the session's lease. */
static int send_grant(etcd_v3_session *s)
{
    etcd__req *req;
    int rc = etcd__v3_request(s->client, "/v3/lease/grant",
                              json_pack("{s:o}", "TTL", etcd__v3_int(s->ttl)), 0, &req);

    if (!rc)
        rc = etcd__req_send_internal(req, on_granted, s);
    if (!rc)
        s->req = req;
    return rc;
}

/* Grant the lease, or keep a granted one alive; retried with backoff. */
static void session_step(void *arg)
{
    etcd_v3_session *s = arg;
    etcd_response *failed;
    int rc;

    if (s->closing || s->req || s->ka)
        return;
    if (s->lease) {
        /* granted, but its keep-alive could not start then: now it is ready */
        rc =
            etcd_v3_keepalive_start(s->client, s->lease, s->ttl, on_keepalive, s, &s->ka);
        if (!rc) {
            s->backoff_ms = ETCD__BACKOFF_MIN_MS;
            session_notify(s, &ready);
            if (s->closing)
                session_close_continue(s);
            return;
        }
    } else {
        rc = send_grant(s);
    }
    if (!rc)
        return;
    failed = etcd__response_new_error(rc, NULL, "cannot start the session's lease");
    if (failed) {
        session_notify(s, failed);
        etcd_response_free(failed);
    }
    if (s->closing) {
        session_close_continue(s);
        return;
    }
    session_retry(s);
}

static void session_closer(etcd__closer *closer)
{
    etcd_v3_session *s = (etcd_v3_session *)closer;

    if (!s->closing) {
        etcd_v3_session_close(s);
        return;
    }
    /* Closing already: the revoke cannot finish now. */
    etcd__req_drop(&s->req);
    session_finish(s);
}

int etcd_v3_session_start(etcd_client *client, int64_t ttl, etcd_v3_session_cb cb,
                          void *data, etcd_v3_session **out)
{
    etcd_v3_session *s;
    int rc;

    if (out)
        *out = NULL;
    if (!client || !cb || ttl <= 0)
        return ETCD_EINVAL;
    s = calloc(1, sizeof(*s));
    if (!s)
        return ETCD_ENOMEM;
    s->client = client;
    s->ttl = ttl;
    s->cb = cb;
    s->data = data;
    s->backoff_ms = ETCD__BACKOFF_MIN_MS;
    s->retry.fire = session_step;
    s->retry.arg = s;
    s->closer.close = session_closer;
    rc = send_grant(s);
    if (!rc) {
        rc = etcd__client_attach(client, &s->closer);
        if (rc)
            etcd__req_drop(&s->req);
    }
    if (rc) {
        free(s);
        return rc;
    }
    if (out)
        *out = s;
    return ETCD_OK;
}

int64_t etcd_v3_session_lease(const etcd_v3_session *session)
{
    return session ? session->lease : 0;
}

void etcd_v3_session_close(etcd_v3_session *s)
{
    etcd_client *client;

    if (!s || s->closing)
        return;
    client = s->client;
    s->closing = 1;
    etcd__timer_stop(client, &s->retry);
    /* A grant in flight: if etcd granted it, it expires after its TTL. */
    etcd__req_drop(&s->req);
    if (s->ka)
        etcd_v3_keepalive_cancel(s->ka); /* its last callback carries on closing */
    else
        session_close_continue(s);
    etcd__client_reap(client);
}

/* ---- Locks and elections --------------------------------------------------------------
 */

static int bad_bytes(etcd_bytes b)
{
    return !b.data && b.len && b.len != ETCD_STRLEN;
}

static int lock_call(etcd_client *client, etcd_bytes name, int64_t lease, etcd__sink sink)
{
    if (bad_bytes(name) || lease == 0)
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return etcd__v3_call(client, "/v3/lock/lock",
                         json_pack("{s:o,s:o}", "name", etcd__v3_bytes(name), "lease",
                                   etcd__v3_int(lease)),
                         ETCD__REQ_LONGPOLL, sink);
}

int etcd_v3_lock(etcd_client *client, etcd_bytes name, int64_t lease, etcd_response_cb cb,
                 void *data)
{
    return lock_call(client, name, lease, etcd__async(cb, data));
}

int etcd_v3_lock_sync(etcd_client *client, etcd_bytes name, int64_t lease,
                      etcd_response **out)
{
    return lock_call(client, name, lease, etcd__sync(out));
}

static int unlock_call(etcd_client *client, etcd_bytes key, etcd__sink sink)
{
    if (bad_bytes(key) || etcd__bytes_len(key) == 0)
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return etcd__v3_call(client, "/v3/lock/unlock",
                         json_pack("{s:o}", "key", etcd__v3_bytes(key)),
                         ETCD__REQ_IDEMPOTENT, sink);
}

int etcd_v3_unlock(etcd_client *client, etcd_bytes key, etcd_response_cb cb, void *data)
{
    return unlock_call(client, key, etcd__async(cb, data));
}

int etcd_v3_unlock_sync(etcd_client *client, etcd_bytes key, etcd_response **out)
{
    return unlock_call(client, key, etcd__sync(out));
}

static int campaign_call(etcd_client *client, etcd_bytes name, int64_t lease,
                         etcd_bytes value, etcd__sink sink)
{
    if (bad_bytes(name) || bad_bytes(value) || lease == 0)
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return etcd__v3_call(client, "/v3/election/campaign",
                         json_pack("{s:o,s:o,s:o}", "name", etcd__v3_bytes(name), "lease",
                                   etcd__v3_int(lease), "value", etcd__v3_bytes(value)),
                         ETCD__REQ_LONGPOLL, sink);
}

int etcd_v3_campaign(etcd_client *client, etcd_bytes name, int64_t lease,
                     etcd_bytes value, etcd_response_cb cb, void *data)
{
    return campaign_call(client, name, lease, value, etcd__async(cb, data));
}

int etcd_v3_campaign_sync(etcd_client *client, etcd_bytes name, int64_t lease,
                          etcd_bytes value, etcd_response **out)
{
    return campaign_call(client, name, lease, value, etcd__sync(out));
}

/* {"name":..,"key":..,"rev":..,"lease":..} */
static json_t *leader_json(const etcd_v3_leader_key *l)
{
    etcd_bytes name = {l->name, l->name_len}, key = {l->key, l->key_len};

    return json_pack("{s:o,s:o,s:o,s:o}", "name", etcd__v3_bytes(name), "key",
                     etcd__v3_bytes(key), "rev", etcd__v3_int(l->rev), "lease",
                     etcd__v3_int(l->lease));
}

static int bad_leader(const etcd_v3_leader_key *l)
{
    return !l || !l->key || l->key_len == 0 || (!l->name && l->name_len);
}

static int proclaim_call(etcd_client *client, const etcd_v3_leader_key *leader,
                         etcd_bytes value, etcd__sink sink)
{
    if (bad_leader(leader) || bad_bytes(value))
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return etcd__v3_call(client, "/v3/election/proclaim",
                         json_pack("{s:o,s:o}", "leader", leader_json(leader), "value",
                                   etcd__v3_bytes(value)),
                         ETCD__REQ_IDEMPOTENT, sink);
}

int etcd_v3_proclaim(etcd_client *client, const etcd_v3_leader_key *leader,
                     etcd_bytes value, etcd_response_cb cb, void *data)
{
    return proclaim_call(client, leader, value, etcd__async(cb, data));
}

int etcd_v3_proclaim_sync(etcd_client *client, const etcd_v3_leader_key *leader,
                          etcd_bytes value, etcd_response **out)
{
    return proclaim_call(client, leader, value, etcd__sync(out));
}

static int leader_call(etcd_client *client, etcd_bytes name, etcd__sink sink)
{
    if (bad_bytes(name))
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return etcd__v3_call(client, "/v3/election/leader",
                         json_pack("{s:o}", "name", etcd__v3_bytes(name)),
                         ETCD__REQ_IDEMPOTENT, sink);
}

int etcd_v3_election_leader(etcd_client *client, etcd_bytes name, etcd_response_cb cb,
                            void *data)
{
    return leader_call(client, name, etcd__async(cb, data));
}

int etcd_v3_election_leader_sync(etcd_client *client, etcd_bytes name,
                                 etcd_response **out)
{
    return leader_call(client, name, etcd__sync(out));
}

static int resign_call(etcd_client *client, const etcd_v3_leader_key *leader,
                       etcd__sink sink)
{
    if (bad_leader(leader))
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return etcd__v3_call(client, "/v3/election/resign",
                         json_pack("{s:o}", "leader", leader_json(leader)),
                         ETCD__REQ_IDEMPOTENT, sink);
}

int etcd_v3_resign(etcd_client *client, const etcd_v3_leader_key *leader,
                   etcd_response_cb cb, void *data)
{
    return resign_call(client, leader, etcd__async(cb, data));
}

int etcd_v3_resign_sync(etcd_client *client, const etcd_v3_leader_key *leader,
                        etcd_response **out)
{
    return resign_call(client, leader, etcd__sync(out));
}

/* ---- Observe ----------------------------------------------------------------------- */

struct etcd_v3_observe {
    etcd__closer closer; /* first */
    etcd_client *client;
    char *name;
    size_t name_len;
    etcd_v3_observe_cb cb;
    void *data;
    etcd__req *req;
    etcd__timer retry;
    long backoff_ms;
    char *last_key; /* the proclamation delivered last: a reconnection repeats it */
    size_t last_key_len;
    int64_t last_mod;
    int in_callback;
    int canceled;
};

static void observe_stream(etcd__req *req, etcd__buf *in);
static void observe_end(etcd__req *req, etcd_response *resp);

static int observe_send(etcd_v3_observe *o)
{
    etcd_bytes name = {o->name, o->name_len};

    return etcd__v3_stream_open(o->client, "/v3/election/observe",
                                json_pack("{s:o}", "name", etcd__v3_bytes(name)),
                                observe_stream, observe_end, o, &o->req);
}

static void observe_retry_later(etcd_v3_observe *o)
{
    etcd__timer_backoff(o->client, &o->retry, &o->backoff_ms);
}

static void observe_on_retry(void *arg)
{
    etcd_v3_observe *o = arg;

    if (!o->canceled && !o->req && observe_send(o))
        observe_retry_later(o);
}

static void observe_finish(etcd_v3_observe *o)
{
    etcd_client *client = o->client;
    etcd_response *resp = etcd__response_canceled("observe cancelled");

    etcd__client_detach(client, &o->closer);
    etcd__client_callback_begin(client);
    o->cb(o, resp, o->data);
    etcd__client_callback_end(client);
    etcd_response_free(resp);
    free(o->name);
    free(o->last_key);
    free(o);
}

static void observe_notify(etcd_v3_observe *o, const etcd_response *resp)
{
    o->in_callback = 1;
    o->cb(o, resp, o->data);
    o->in_callback = 0;
}

/* After a callback: finish the observe when it was cancelled there (returns 1: it is
 * gone), else reconnect later when it has no stream. */
static int observe_carry_on(etcd_v3_observe *o)
{
    if (o->canceled) {
        observe_finish(o);
        return 1;
    }
    if (!o->req && !o->retry.armed)
        observe_retry_later(o);
    return 0;
}

/* Whether `kv` was delivered last (a reconnection starts with the current leader);
 * else remember it. */
static int seen_before(etcd_v3_observe *o, const etcd_kv *kv)
{
    if (o->last_key && o->last_key_len == kv->key_len &&
        o->last_mod == kv->mod_revision && memcmp(o->last_key, kv->key, kv->key_len) == 0)
        return 1;
    free(o->last_key);
    o->last_key = malloc(kv->key_len + 1);
    if (o->last_key)
        memcpy(o->last_key, kv->key, kv->key_len + 1);
    o->last_key_len = kv->key_len;
    o->last_mod = kv->mod_revision;
    return 0;
}

static void observe_stream(etcd__req *req, etcd__buf *in)
{
    etcd_v3_observe *o = etcd__req_owner(req);

    while (!o->canceled && o->req == req) {
        etcd_response *resp = etcd__v3_next_message(req, in);

        if (!resp)
            return;
        if (resp->status == ETCD_OK && resp->v3.nkvs == 0)
            resp->status = ETCD_EPROTO; /* every message names the leader */
        if (resp->status == ETCD_OK) {
            o->backoff_ms = ETCD__BACKOFF_MIN_MS;
            if (!seen_before(o, &resp->v3.kvs[0]))
                observe_notify(o, resp);
        } else {
            etcd__req_drop(&o->req);
            observe_notify(o, resp);
        }
        etcd_response_free(resp);
        if (observe_carry_on(o))
            return;
    }
}

/* The stream ended: the connection dropped, or etcd answered with an error. */
static void observe_end(etcd__req *req, etcd_response *resp)
{
    etcd_v3_observe *o = etcd__req_owner(req);

    o->req = NULL;
    if (resp->status == ETCD_OK)
        resp->status = ETCD_ETRANSPORT; /* a stream is never supposed to end */
    if (resp->status != ETCD_ECANCELED)
        observe_notify(o, resp);
    etcd_response_free(resp);
    observe_carry_on(o);
}

static void observe_closer(etcd__closer *closer)
{
    etcd_v3_observe_cancel((etcd_v3_observe *)closer);
}

int etcd_v3_observe_start(etcd_client *client, etcd_bytes name, etcd_v3_observe_cb cb,
                          void *data, etcd_v3_observe **out)
{
    etcd_v3_observe *o;
    int rc;

    if (out)
        *out = NULL;
    if (!client || !cb || bad_bytes(name))
        return ETCD_EINVAL;
    o = calloc(1, sizeof(*o));
    if (!o)
        return ETCD_ENOMEM;
    o->name = etcd__bytes_dup(name, &o->name_len);
    if (!o->name) {
        free(o);
        return ETCD_ENOMEM;
    }
    o->client = client;
    o->cb = cb;
    o->data = data;
    o->backoff_ms = ETCD__BACKOFF_MIN_MS;
    o->retry.fire = observe_on_retry;
    o->retry.arg = o;
    o->closer.close = observe_closer;
    rc = observe_send(o);
    if (!rc) {
        rc = etcd__client_attach(client, &o->closer);
        if (rc)
            etcd__req_drop(&o->req);
    }
    if (rc) {
        free(o->name);
        free(o);
        return rc;
    }
    if (out)
        *out = o;
    return ETCD_OK;
}

void etcd_v3_observe_cancel(etcd_v3_observe *o)
{
    if (!o || o->canceled)
        return;
    o->canceled = 1;
    etcd__timer_stop(o->client, &o->retry);
    etcd__req_drop(&o->req);
    if (!o->in_callback) {
        etcd_client *client = o->client;

        observe_finish(o);
        etcd__client_reap(client);
    }
}
