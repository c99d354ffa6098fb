/*
 * libetcd: v3 watches, one streamed POST /v3/watch each.
 *
 * The gateway reads a single create_request per stream over HTTP/1.1, so a watch owns
 * its request; cancelling closes it. Messages are split out of the stream only once
 * whole. The watch remembers the revision after the last event it delivered and every
 * reconnection asks for exactly that one, so nothing is missed or repeated.
 */
#include "v3_int.h"

#include <stdlib.h>
#include <string.h>

struct etcd_v3_watch {
    etcd__closer closer; /* first: the client closes watches through it */
    etcd_client *client;
    char *key, *end; /* copies of the key and the explicit range end */
    size_t key_len, end_len;
    etcd_v3_watch_opts opts;
    int64_t next_revision;
    etcd_v3_watch_cb cb;
    void *data;
    etcd__req *req;
    etcd__timer retry;
    long backoff_ms;
    int paused;
    int token_retried; /* reconnected once for a new token since the last creation */
    int in_callback;
    int canceled;
};

static void on_stream(etcd__req *req, etcd__buf *in);
static void on_end(etcd__req *req, etcd_response *resp);

static json_t *create_request(const etcd_v3_watch *w)
{
    etcd_bytes key = {w->key, w->key_len};
    etcd_range_end range = w->opts.range;
    json_t *create = json_object(), *filters = NULL;

    if (w->end) {
        range.end.data = w->end;
        range.end.len = w->end_len;
    }
    if (!create || etcd__v3_set_range(create, key, &range))
        goto fail;
    if (w->next_revision > 0 &&
        json_object_set_new(create, "start_revision", etcd__v3_int(w->next_revision)))
        goto fail;
    if ((w->opts.prev_kv && json_object_set_new(create, "prev_kv", json_true())) ||
        (w->opts.progress_notify &&
         json_object_set_new(create, "progress_notify", json_true())))
        goto fail;
    if (w->opts.no_put || w->opts.no_delete) {
        filters = json_array();
        if (!filters ||
            (w->opts.no_put && json_array_append_new(filters, json_string("NOPUT"))) ||
            (w->opts.no_delete &&
             json_array_append_new(filters, json_string("NODELETE"))) ||
            json_object_set_new(create, "filters", filters))
            goto fail;
    }
    return json_pack("{s:o}", "create_request", create);
fail:
    json_decref(create);
    return NULL;
}

static int send_stream(etcd_v3_watch *w)
{
    return etcd__v3_stream_open(w->client, "/v3/watch", create_request(w), on_stream,
                                on_end, w, &w->req);
}

static void retry_later(etcd_v3_watch *w)
{
    etcd__timer_backoff(w->client, &w->retry, &w->backoff_ms);
}

static void on_retry(void *arg)
{
    etcd_v3_watch *w = arg;

    if (!w->canceled && !w->paused && !w->req && send_stream(w))
        retry_later(w);
}

static void finish(etcd_v3_watch *w)
{
    etcd_client *client = w->client;
    etcd_response *resp = etcd__response_canceled("watch cancelled");

    etcd__client_detach(client, &w->closer);
    etcd__client_callback_begin(client);
    w->cb(w, resp, w->data);
    etcd__client_callback_end(client);
    etcd_response_free(resp);
    free(w->key);
    free(w->end);
    free(w);
}

static void notify(etcd_v3_watch *w, const etcd_response *resp)
{
    w->in_callback = 1;
    w->cb(w, resp, w->data);
    w->in_callback = 0;
}

/* After a callback: finish the watch when it was cancelled there (returns 1: it is
 * gone), else reconnect later when it has no stream and is not paused. */
static int carry_on(etcd_v3_watch *w)
{
    if (w->canceled) {
        finish(w);
        return 1;
    }
    if (!w->req && !w->paused && !w->retry.armed)
        retry_later(w);
    return 0;
}

/* Move next_revision past what `resp` reports, and turn a server-side end of the watch
 * into its status: ETCD_ECOMPACTED (paused), or etcd's reason (ETCD_EETCD) or a
 * transport error (reconnect). Returns 1 when the end is the client's expired token:
 * the caller reconnects at once, with a new one, and tells no one. */
static int track(etcd_v3_watch *w, etcd_response *resp)
{
    const etcd_v3_result *r = &resp->v3;
    size_t i;

    /* A watch from now starts after the revision its creation reports: a stream that
     * drops before the first event resumes from there, not from a later "now". */
    if (r->created && !r->canceled && resp->header) {
        if (w->next_revision <= 0 && resp->header->revision > 0)
            w->next_revision = resp->header->revision + 1;
        w->token_retried = 0;
    }
    for (i = 0; i < r->nevents; i++) {
        if (r->events[i].kv.mod_revision >= w->next_revision)
            w->next_revision = r->events[i].kv.mod_revision + 1;
    }
    /* A progress message (no events, not the stream's first) means everything up to
     * its header's revision has been sent. */
    if (r->nevents == 0 && resp->header && !r->canceled && !r->created &&
        resp->header->revision + 1 > w->next_revision)
        w->next_revision = resp->header->revision + 1;
    if (r->compact_revision) {
        resp->status = ETCD_ECOMPACTED;
        w->paused = 1;
    } else if (r->canceled) {
        /* etcd checks a stream's token when the watch is created, and cancels it
         * with "invalid auth token" once the token expired (or "user name is empty"
         * when auth was enabled since the client found it off). */
        if (etcd__client_token_error(w->client, resp) && !w->token_retried &&
            etcd__client_token_refused(w->client)) {
            w->token_retried = 1;
            return 1;
        }
        resp->status = resp->error.message ? ETCD_EETCD : ETCD_ETRANSPORT;
    } else {
        w->backoff_ms = ETCD__BACKOFF_MIN_MS;
    }
    return 0;
}

int etcd__v3_stream_open(etcd_client *client, const char *path, json_t *body,
                         etcd__stream_fn stream, etcd__done_fn done, void *owner,
                         etcd__req **out)
{
    etcd__req *req;
    int rc =
        etcd__v3_request(client, path, body, ETCD__REQ_LONGPOLL | ETCD__REQ_STREAM, &req);

    if (rc)
        return rc;
    etcd__req_set_stream(req, stream);
    rc = etcd__req_send_internal(req, done, owner);
    if (!rc)
        *out = req;
    return rc;
}

etcd_response *etcd__v3_next_message(etcd__req *req, etcd__buf *in)
{
    size_t start, end;
    int found = etcd__json_next_object(in->data, in->len, &start, &end);
    etcd_response *resp;

    if (found == 0)
        return NULL;
    if (found < 0) {
        etcd__buf_reset(in);
        resp = etcd__response_new_error(ETCD_EPROTO, etcd__req_endpoint(req),
                                        "stream: not a JSON message");
    } else {
        resp = etcd__response_parse(ETCD__DECODE_V3, 200, in->data + start, end - start);
        etcd__buf_consume(in, end);
        if (resp && etcd__response_set_endpoint(resp, etcd__req_endpoint(req))) {
            etcd_response_free(resp);
            resp = NULL;
        }
    }
    return resp ? resp : etcd__response_oom();
}

static void on_stream(etcd__req *req, etcd__buf *in)
{
    etcd_v3_watch *w = etcd__req_owner(req);

    while (!w->canceled && w->req == req) {
        etcd_response *resp = etcd__v3_next_message(req, in);

        if (!resp)
            return;
        if (resp->status == ETCD_OK && track(w, resp)) {
            etcd__req_drop(&w->req);
            etcd_response_free(resp);
            etcd__timer_start(w->client, &w->retry, 0);
            return;
        }
        /* Anything but events ends this stream: a paused watch waits for resume, the
         * others reconnect from next_revision. */
        if (resp->status != ETCD_OK)
            etcd__req_drop(&w->req);
        notify(w, resp);
        etcd_response_free(resp);
        if (carry_on(w))
            return;
    }
}

/* The stream ended: the connection dropped, or the server answered with an error. */
static void on_end(etcd__req *req, etcd_response *resp)
{
    etcd_v3_watch *w = etcd__req_owner(req);

    w->req = NULL;
    if (resp->status == ETCD_OK)
        resp->status = ETCD_ETRANSPORT; /* a stream is never supposed to end */
    if (resp->status != ETCD_ECANCELED)
        notify(w, resp);
    etcd_response_free(resp);
    carry_on(w);
}

static void watch_close(etcd__closer *closer)
{
    etcd_v3_watch_cancel((etcd_v3_watch *)closer);
}

int etcd_v3_watch_start(etcd_client *client, etcd_bytes key,
                        const etcd_v3_watch_opts *opts, etcd_v3_watch_cb cb, void *data,
                        etcd_v3_watch **out)
{
    etcd_v3_watch *w;
    int rc = ETCD_ENOMEM;

    if (out)
        *out = NULL;
    if (!client || !cb || (!key.data && key.len))
        return ETCD_EINVAL;
    w = calloc(1, sizeof(*w));
    if (!w)
        return ETCD_ENOMEM;
    if (opts)
        w->opts = *opts;
    w->key = etcd__bytes_dup(key, &w->key_len);
    if (w->key && w->opts.range.end.data)
        w->end = etcd__bytes_dup(w->opts.range.end, &w->end_len);
    w->opts.range.end.data = NULL;
    w->client = client;
    w->cb = cb;
    w->data = data;
    w->next_revision = w->opts.start_revision;
    w->backoff_ms = ETCD__BACKOFF_MIN_MS;
    w->retry.fire = on_retry;
    w->retry.arg = w;
    w->closer.close = watch_close;
    if (w->key && (!opts || !opts->range.end.data || w->end))
        rc = send_stream(w);
    if (!rc) {
        rc = etcd__client_attach(client, &w->closer);
        if (rc)
            etcd__req_drop(&w->req);
    }
    if (rc) {
        free(w->key);
        free(w->end);
        free(w);
        return rc;
    }
    if (out)
        *out = w;
    return ETCD_OK;
}

int etcd_v3_watch_resume(etcd_v3_watch *w, int64_t revision)
{
    if (!w->paused || w->canceled)
        return ETCD_EBUSY;
    w->paused = 0;
    w->next_revision = revision;
    w->backoff_ms = ETCD__BACKOFF_MIN_MS;
    if (send_stream(w))
        retry_later(w);
    return ETCD_OK;
}

int64_t etcd_v3_watch_next_revision(const etcd_v3_watch *w)
{
    return w->next_revision;
}

void etcd_v3_watch_cancel(etcd_v3_watch *w)
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
