/*
 * libetcd: v3 leases, and keep-alives that the library manages.
 */
#include "v3_int.h"

#include <stdlib.h>

static json_t *id_body(int64_t id)
{
    return json_pack("{s:o}", "ID", etcd__v3_int(id));
}

static json_t *grant_body(int64_t ttl, int64_t id)
{
    return json_pack("{s:o,s:o}", "TTL", etcd__v3_int(ttl), "ID", etcd__v3_int(id));
}

int etcd_v3_lease_grant(etcd_client *client, int64_t ttl, int64_t id, etcd_response_cb cb,
                        void *data)
{
    return etcd__v3_call(client, "/v3/lease/grant", grant_body(ttl, id), 0,
                         etcd__async(cb, data));
}

int etcd_v3_lease_grant_sync(etcd_client *client, int64_t ttl, int64_t id,
                             etcd_response **out)
{
    return etcd__v3_call(client, "/v3/lease/grant", grant_body(ttl, id), 0,
                         etcd__sync(out));
}

int etcd_v3_lease_revoke(etcd_client *client, int64_t id, etcd_response_cb cb, void *data)
{
    return etcd__v3_call(client, "/v3/lease/revoke", id_body(id), 0,
                         etcd__async(cb, data));
}

int etcd_v3_lease_revoke_sync(etcd_client *client, int64_t id, etcd_response **out)
{
    return etcd__v3_call(client, "/v3/lease/revoke", id_body(id), 0, etcd__sync(out));
}

static json_t *ttl_body(int64_t id, int keys)
{
    return json_pack("{s:o,s:b}", "ID", etcd__v3_int(id), "keys", keys != 0);
}

int etcd_v3_lease_timetolive(etcd_client *client, int64_t id, int keys,
                             etcd_response_cb cb, void *data)
{
    return etcd__v3_call(client, "/v3/lease/timetolive", ttl_body(id, keys),
                         ETCD__REQ_IDEMPOTENT, etcd__async(cb, data));
}

int etcd_v3_lease_timetolive_sync(etcd_client *client, int64_t id, int keys,
                                  etcd_response **out)
{
    return etcd__v3_call(client, "/v3/lease/timetolive", ttl_body(id, keys),
                         ETCD__REQ_IDEMPOTENT, etcd__sync(out));
}

int etcd_v3_lease_list(etcd_client *client, etcd_response_cb cb, void *data)
{
    return etcd__v3_call(client, "/v3/lease/leases", json_object(), ETCD__REQ_IDEMPOTENT,
                         etcd__async(cb, data));
}

int etcd_v3_lease_list_sync(etcd_client *client, etcd_response **out)
{
    return etcd__v3_call(client, "/v3/lease/leases", json_object(), ETCD__REQ_IDEMPOTENT,
                         etcd__sync(out));
}

/* The gateway answers one keep-alive request with one message, then ends the stream. */
int etcd_v3_lease_keepalive_once(etcd_client *client, int64_t id, etcd_response_cb cb,
                                 void *data)
{
    return etcd__v3_call(client, "/v3/lease/keepalive", id_body(id), ETCD__REQ_IDEMPOTENT,
                         etcd__async(cb, data));
}

int etcd_v3_lease_keepalive_once_sync(etcd_client *client, int64_t id,
                                      etcd_response **out)
{
    return etcd__v3_call(client, "/v3/lease/keepalive", id_body(id), ETCD__REQ_IDEMPOTENT,
                         etcd__sync(out));
}

/* ---- Managed keep-alives ----------------------------------------------------------- */

struct etcd_v3_keepalive {
    etcd__closer closer; /* first */
    etcd_client *client;
    int64_t id;
    int64_t ttl;
    etcd_v3_keepalive_cb cb;
    void *data;
    etcd__req *req;
    etcd__timer timer;
    long backoff_ms;
    int lost;
    int in_callback;
    int canceled;
};

static void ka_done(etcd__req *req, etcd_response *resp);

static void ka_finish(etcd_v3_keepalive *ka)
{
    etcd_client *client = ka->client;
    etcd_response *resp = etcd__response_canceled("keep-alive stopped");

    etcd__client_detach(client, &ka->closer);
    etcd__client_callback_begin(client);
    ka->cb(ka, resp, ka->data);
    etcd__client_callback_end(client);
    etcd_response_free(resp);
    free(ka);
}

/* A third of the TTL, when the next refresh is due. */
static long refresh_delay(const etcd_v3_keepalive *ka)
{
    long ms = (long)(ka->ttl * 1000 / 3);

    return ms > 0 ? ms : 500;
}

static void ka_send(void *arg)
{
    etcd_v3_keepalive *ka = arg;
    etcd__req *req;
    int rc = etcd__v3_request(ka->client, "/v3/lease/keepalive", id_body(ka->id),
                              ETCD__REQ_IDEMPOTENT, &req);

    if (!rc)
        rc = etcd__req_send_internal(req, ka_done, ka);
    if (!rc) {
        ka->req = req;
        return;
    }
    etcd__timer_start(ka->client, &ka->timer, ka->backoff_ms);
}

static void ka_done(etcd__req *req, etcd_response *resp)
{
    etcd_v3_keepalive *ka = etcd__req_owner(req);
    long delay;
    int ok;

    ka->req = NULL;
    if (resp->status == ETCD_OK && resp->v3.ttl <= 0) {
        resp->status = ETCD_ENOTFOUND; /* expired or revoked */
        ka->lost = 1;
    } else if (resp->status == ETCD_OK) {
        ka->ttl = resp->v3.ttl;
        ka->backoff_ms = ETCD__BACKOFF_MIN_MS;
    }
    ok = resp->status == ETCD_OK;
    ka->in_callback = 1;
    ka->cb(ka, resp, ka->data);
    ka->in_callback = 0;
    etcd_response_free(resp);
    if (ka->canceled) {
        ka_finish(ka);
        return;
    }
    if (ka->lost)
        return;
    if (ok) {
        delay = refresh_delay(ka);
    } else {
        /* Retry soon, but never later than the next refresh would be (and so the
         * backoff stops growing there). */
        delay = ka->backoff_ms < refresh_delay(ka) ? ka->backoff_ms : refresh_delay(ka);
        ka->backoff_ms = delay * 2;
    }
    etcd__timer_start(ka->client, &ka->timer, delay);
}

static void ka_close(etcd__closer *closer)
{
    etcd_v3_keepalive_cancel((etcd_v3_keepalive *)closer);
}

int etcd_v3_keepalive_start(etcd_client *client, int64_t id, int64_t ttl,
                            etcd_v3_keepalive_cb cb, void *data, etcd_v3_keepalive **out)
{
    etcd_v3_keepalive *ka;
    int rc;

    if (out)
        *out = NULL;
    if (!client || !cb || id == 0)
        return ETCD_EINVAL;
    ka = calloc(1, sizeof(*ka));
    if (!ka)
        return ETCD_ENOMEM;
    ka->client = client;
    ka->id = id;
    ka->ttl = ttl;
    ka->cb = cb;
    ka->data = data;
    ka->backoff_ms = ETCD__BACKOFF_MIN_MS;
    ka->timer.fire = ka_send;
    ka->timer.arg = ka;
    ka->closer.close = ka_close;
    rc = etcd__client_attach(client, &ka->closer);
    if (rc) {
        free(ka);
        return rc;
    }
    /* Refresh at once when the TTL is unknown, else a third of the way in. */
    etcd__timer_start(client, &ka->timer, ttl > 0 ? refresh_delay(ka) : 0);
    if (out)
        *out = ka;
    return ETCD_OK;
}

int64_t etcd_v3_keepalive_id(const etcd_v3_keepalive *ka)
{
    return ka->id;
}

void etcd_v3_keepalive_cancel(etcd_v3_keepalive *ka)
{
    if (!ka || ka->canceled)
        return;
    ka->canceled = 1;
    etcd__timer_stop(ka->client, &ka->timer);
    etcd__req_drop(&ka->req);
    if (!ka->in_callback) {
        etcd_client *client = ka->client;

        ka_finish(ka);
        etcd__client_reap(client);
    }
}
