/*
 * libetcd: continuous v2 watches.
 *
 * A watch is a chain of wait requests. Each event moves next_index past the event's
 * modifiedIndex, so the next wait starts exactly where the last one ended and nothing
 * in between is missed. Failures back off and retry; a cleared index pauses the watch
 * until the caller has re-read and calls etcd_watch_resume().
 */
#define _POSIX_C_SOURCE 200809L

#include "keys_int.h"

#include <stdlib.h>
#include <string.h>

struct etcd_watch {
    etcd__closer closer; /* first: the client closes watches through it */
    etcd_client *client;
    char *key;
    int recursive;
    uint64_t next_index;
    etcd_watch_cb cb;
    void *data;
    etcd__req *req;    /* the wait in flight, or NULL */
    etcd__timer retry; /* backoff before the next wait */
    long backoff_ms;
    int paused;
    int in_callback;
    int canceled;
};

static void watch_done(etcd__req *req, etcd_response *resp);

static int send_wait(etcd_watch *w)
{
    etcd__req *req;
    int rc =
        etcd__keys_watch_request(w->client, w->key, w->next_index, w->recursive, &req);

    if (!rc)
        rc = etcd__req_send_internal(req, watch_done, w);
    if (!rc)
        w->req = req;
    return rc;
}

static void retry_later(etcd_watch *w)
{
    etcd__timer_backoff(w->client, &w->retry, &w->backoff_ms);
}

static void on_retry(void *arg)
{
    etcd_watch *w = arg;

    if (w->canceled || w->paused)
        return;
    if (send_wait(w))
        retry_later(w);
}

/* The last call: ETCD_ECANCELED, then the watch is gone. */
static void finish(etcd_watch *w)
{
    etcd_client *client = w->client;
    etcd_response *resp = etcd__response_canceled("watch cancelled");

    etcd__client_detach(client, &w->closer);
    etcd__client_callback_begin(client);
    w->cb(w, resp, w->data);
    etcd__client_callback_end(client);
    etcd_response_free(resp);
    free(w->key);
    free(w);
}

static void notify(etcd_watch *w, const etcd_response *resp)
{
    w->in_callback = 1;
    w->cb(w, resp, w->data);
    w->in_callback = 0;
}

static void watch_done(etcd__req *req, etcd_response *resp)
{
    etcd_watch *w = etcd__req_owner(req);
    int ok = resp->status == ETCD_OK;

    w->req = NULL;
    if (ok && resp->node) {
        w->next_index = resp->node->modified_index + 1;
        w->backoff_ms = ETCD__BACKOFF_MIN_MS;
    } else if (ok) {
        /* An answer without an event: report it and wait again after a pause. */
        resp->status = ETCD_EPROTO;
        ok = 0;
    } else if (resp->status == ETCD_ECLEARED) {
        w->paused = 1;
    }
    notify(w, resp);
    etcd_response_free(resp);
    if (w->canceled) {
        finish(w);
        return;
    }
    /* Paused until resumed, or already resumed from inside the callback. */
    if (w->paused || w->req || w->retry.armed)
        return;
    if (ok && send_wait(w) == ETCD_OK)
        return;
    retry_later(w);
}

static void watch_close(etcd__closer *closer)
{
    etcd_watch_cancel((etcd_watch *)closer);
}

int etcd_watch_start(etcd_client *client, const char *key, const etcd_watch_opts *opts,
                     etcd_watch_cb cb, void *data, etcd_watch **out)
{
    etcd_watch *w;
    int rc;

    if (out)
        *out = NULL;
    if (!client || !key || !cb)
        return ETCD_EINVAL;
    w = calloc(1, sizeof(*w));
    if (!w)
        return ETCD_ENOMEM;
    w->key = strdup(key);
    if (!w->key) {
        free(w);
        return ETCD_ENOMEM;
    }
    w->client = client;
    w->recursive = opts ? opts->recursive : 0;
    w->next_index = opts ? opts->wait_index : 0;
    w->cb = cb;
    w->data = data;
    w->backoff_ms = ETCD__BACKOFF_MIN_MS;
    w->retry.fire = on_retry;
    w->retry.arg = w;
    w->closer.close = watch_close;
    rc = send_wait(w);
    if (!rc) {
        rc = etcd__client_attach(client, &w->closer);
        if (rc)
            etcd__req_abort(w->req);
    }
    if (rc) {
        free(w->key);
        free(w);
        return rc;
    }
    if (out)
        *out = w;
    return ETCD_OK;
}

int etcd_watch_resume(etcd_watch *w, uint64_t index)
{
    if (!w->paused || w->canceled)
        return ETCD_EBUSY;
    w->paused = 0;
    w->next_index = index;
    w->backoff_ms = ETCD__BACKOFF_MIN_MS;
    if (send_wait(w))
        retry_later(w);
    return ETCD_OK;
}

uint64_t etcd_watch_next_index(const etcd_watch *w)
{
    return w->next_index;
}

void etcd_watch_cancel(etcd_watch *w)
{
    if (!w || w->canceled)
        return;
    w->canceled = 1;
    etcd__timer_stop(w->client, &w->retry);
    etcd__req_drop(&w->req);
    if (!w->in_callback) {
        etcd_client *client = w->client;

        finish(w);
        etcd__client_reap(client);
    }
}
