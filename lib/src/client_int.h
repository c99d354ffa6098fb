/*
 * libetcd internals: the request engine that every API module builds on.
 *
 * A module builds an etcd__req (method, path, body, how to decode the answer), then
 * sends it with a user callback, synchronously, or with an internal completion hook.
 * The engine picks the endpoint, fails over, queues past max_connections, gathers the
 * answer and decodes it.
 */
#ifndef ETCD_CLIENT_INT_H
#define ETCD_CLIENT_INT_H

#include "buf_int.h"
#include "etcd/client.h"
#include "response_int.h"

typedef enum etcd__method { ETCD__GET, ETCD__PUT, ETCD__POST, ETCD__DELETE } etcd__method;

enum {
    /* Safe to send again to the next endpoint after it may have reached a server. */
    ETCD__REQ_IDEMPOTENT = 1 << 0,
    /* Waits on the server (a watch): its own connection, outside the in-flight limit,
     * and no request timeout but its own. */
    ETCD__REQ_LONGPOLL = 1 << 1,
    /* The body is JSON rather than a form. */
    ETCD__REQ_JSON = 1 << 2,
    /* An HTTP 5xx is this request's answer, not a reason to try another endpoint. */
    ETCD__REQ_ANY_STATUS = 1 << 3,
    /* A stream of messages (a v3 watch): while the answer is 200, its body goes to the
     * stream hook as it arrives. */
    ETCD__REQ_STREAM = 1 << 4,
    /* A v3 gateway call: no basic auth (the gateway reads Authorization as a token);
     * the client's token when auth needs one. */
    ETCD__REQ_V3 = 1 << 5,
    /* With ETCD__REQ_V3: goes without a token (the authenticate call itself). */
    ETCD__REQ_NO_TOKEN = 1 << 6,
};

typedef struct etcd__req etcd__req;

/* An internal completion hook: it owns `resp` (never NULL) and must not free `req`. */
typedef void (*etcd__done_fn)(etcd__req *req, etcd_response *resp);

/* A new request, or NULL when out of memory. Fill its path and body, then send it. */
etcd__req *etcd__req_new(etcd_client *client, etcd__method method, etcd__decoder decoder,
                         unsigned flags);

/* The path and query after the endpoint ("/v2/keys/a?recursive=true"), and the body. */
etcd__buf *etcd__req_path(etcd__req *req);
etcd__buf *etcd__req_body(etcd__req *req);

/* A timeout of its own for this request (a watch's), in milliseconds. */
void etcd__req_set_timeout(etcd__req *req, long timeout_ms);

/* Send this request to `base` ("http://10.0.0.1:2379", copied) instead of the client's
 * endpoints: no failover, and the client's current endpoint stays as it is. */
int etcd__req_set_base(etcd__req *req, const char *base);

/* Free a request that was never sent. */
void etcd__req_free(etcd__req *req);

/* Where an answer goes: a user callback, or a _sync caller's response pointer. Lets
 * one function serve both forms of a call. */
typedef struct etcd__sink {
    etcd_response_cb cb;
    void *data;
    etcd_response **out;
    int sync;
} etcd__sink;

etcd__sink etcd__async(etcd_response_cb cb, void *data);
etcd__sink etcd__sync(etcd_response **out);

/* Send `req` with the sink's callback, or for a _sync call run the client's loop until
 * the answer is in (see the _sync contract in keys.h). The request is consumed in every
 * case; on error the callback is never called. When building the request failed with
 * `rc`, req is NULL: nothing is sent, a _sync caller's *out is NULL, rc is returned. */
int etcd__req_dispatch(int rc, etcd__req *req, etcd__sink sink);

/* Send with an internal hook; `owner` is given back by etcd__req_owner(). Such a
 * request does not count in etcd_client_pending(). */
int etcd__req_send_internal(etcd__req *req, etcd__done_fn done, void *owner);
void *etcd__req_owner(const etcd__req *req);

/* The stream hook of an ETCD__REQ_STREAM request: called from the loop (never from
 * inside curl) when new bytes arrived in `in`. It consumes the complete messages from
 * the front of `in` with etcd__buf_consume() and may cancel the request. */
typedef void (*etcd__stream_fn)(etcd__req *req, etcd__buf *in);
void etcd__req_set_stream(etcd__req *req, etcd__stream_fn fn);

/* The endpoint a request is on now (borrowed). */
const char *etcd__req_endpoint(const etcd__req *req);

/* Drop a request sent with etcd__req_send_internal() without calling its hook. */
void etcd__req_abort(etcd__req *req);

/* The same for the request *req when there is one, and set *req to NULL. */
void etcd__req_drop(etcd__req **req);

/* ---- Composite operations ---------------------------------------------------------- */

/* An answer built from several requests (cluster health). Embed it in the operation's
 * state (its "job"), start it with etcd__op_start(), finish it once with the answer. */
typedef struct etcd__op {
    etcd_client *client;
    etcd__sink sink;
    void *job;             /* freed once the answer is delivered */
    etcd_response *result; /* a _sync caller's answer, once done */
    int done;
} etcd__op;

/* Start a composite operation: `job` (calloc'd, NULL when that failed) holds `op`; its
 * first request `req` was built with status `rc` (req NULL on failure) and answers to
 * `done`, with job as its owner. On any failure everything is freed, nothing is called
 * and the error returned. A _sync op runs until done and returns the answer's status. */
int etcd__op_start(etcd__op *op, void *job, etcd_client *client, etcd__sink sink, int rc,
                   etcd__req *req, etcd__done_fn done);

/* Deliver `resp` (owned; NULL means out of memory) and free the job: to the callback,
 * which runs now, or to the _sync caller. Neither op nor its job may be used after. */
void etcd__op_finish(etcd__op *op, etcd_response *resp);

/* ---- v3 tokens ------------------------------------------------------------------------
 */

/* Send the authenticate request for the client's credentials (v3_token.c); its answer
 * must reach etcd__client_token_answer(). */
int etcd__v3_fetch_token(etcd_client *client, const char *user, const char *password);
void etcd__client_token_answer(etcd_client *client, const etcd_response *resp);

/* Whether `resp` says etcd refused the client's v3 token (expired, unknown, or missing
 * because auth was enabled after the client found it off). */
int etcd__client_token_error(const etcd_client *client, const etcd_response *resp);

/* A stream's server refused the client's token (it expired while unused): forget it,
 * so that the next v3 request gets a new one first. Returns 1 when the client has
 * credentials to get one with, 0 otherwise (nothing changes). */
int etcd__client_token_refused(etcd_client *client);

/* ---- Timers (backoff) -------------------------------------------------------------- */

typedef struct etcd__timer {
    uint64_t due_ms;
    void (*fire)(void *arg);
    void *arg;
    struct etcd__timer *next;
    int armed;
} etcd__timer;

/* (Re)start `timer` to call timer->fire(timer->arg) after delay_ms from the loop. */
void etcd__timer_start(etcd_client *client, etcd__timer *timer, long delay_ms);
void etcd__timer_stop(etcd_client *client, etcd__timer *timer);

/* The pause before a watch or session tries again: ETCD__BACKOFF_MIN_MS after a success,
 * doubled after each failure up to ETCD__BACKOFF_MAX_MS. */
#define ETCD__BACKOFF_MIN_MS 100
#define ETCD__BACKOFF_MAX_MS 5000

/* Start `timer` after *backoff_ms, and double *backoff_ms (up to the maximum). */
void etcd__timer_backoff(etcd_client *client, etcd__timer *timer, long *backoff_ms);

/* ---- Long-lived operations (watches) ----------------------------------------------- */

/* Something that lives across many requests and must be closed when the client is
 * freed: a watch. close() must deliver its final callback and unlink itself. */
typedef struct etcd__closer {
    void (*close)(struct etcd__closer *closer);
    struct etcd__closer *prev;
    struct etcd__closer *next;
} etcd__closer;

/* Register/unregister a closer; a registered closer counts as one pending operation. */
int etcd__client_attach(etcd_client *client, etcd__closer *closer);
void etcd__client_detach(etcd_client *client, etcd__closer *closer);

/* Bracket every call of a user callback made outside the engine's own delivery. */
void etcd__client_callback_begin(etcd_client *client);
void etcd__client_callback_end(etcd_client *client);

/* Perform a free that a callback asked for, once no callback runs. Returns 1 when the
 * client is gone. */
int etcd__client_reap(etcd_client *client);

/* Nonzero while the client is being freed: new requests are refused. */
int etcd__client_closing(const etcd_client *client);

#endif /* ETCD_CLIENT_INT_H */
