/*
 * libetcd: the client and its request engine on one libcurl multi handle.
 *
 * Requests live in one list from send to delivery. At most max_inflight ordinary
 * requests are handed to curl at once; the rest wait in a FIFO. Watches (long polls)
 * bypass the limit. A request that fails to connect, or gets a 5xx, moves to the next
 * endpoint (when it is safe to send it again) and the client sticks to the endpoint
 * that answers.
 */
#define _POSIX_C_SOURCE 200809L

#include "client_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#define DEFAULT_ENDPOINT "http://127.0.0.1:2379"
#define DEFAULT_CONNECT_TIMEOUT_MS 5000L
#define DEFAULT_MAX_INFLIGHT 16U
#define DEFAULT_MAX_RESPONSE ((size_t)256 << 20)
#define POLL_SLICE_MS 1000

/* NEW: not with curl; QUEUED: waits for a slot; ACTIVE: with curl; AUTH: waits for a
 * v3 token. */
typedef enum req_state { REQ_NEW, REQ_QUEUED, REQ_ACTIVE, REQ_AUTH } req_state;

/* The client's v3 token: none yet, being fetched, in hand, or not needed (auth off). */
typedef enum token_state {
    TOKEN_NONE,
    TOKEN_FETCHING,
    TOKEN_VALID,
    TOKEN_UNUSED
} token_state;

struct etcd__req {
    etcd_client *client;
    etcd__req *prev, *next; /* client->reqs */
    etcd__req *qnext;       /* client->queue */
    req_state state;
    etcd__method method;
    etcd__decoder decoder;
    unsigned flags;
    long timeout_ms;
    etcd__buf path;
    etcd__buf body;
    etcd__buf url;
    char *base;      /* a fixed server instead of the endpoints, or NULL */
    size_t endpoint; /* index into client->endpoints */
    size_t tries;
    CURL *easy;
    etcd__buf in;
    int in_error; /* why the body was refused (ETCD_ETOOBIG, ETCD_ENOMEM) */
    etcd__headers headers;
    char errbuf[CURL_ERROR_SIZE];
    int counted; /* counts in client->pending */
    etcd__stream_fn stream;
    int stream_ready;                /* stream bytes wait for the hook */
    struct curl_slist *auth_headers; /* with the v3 token */
    int auth_retried;                /* sent again once with a new token */
    etcd__done_fn done;
    etcd_response_cb cb;
    void *data; /* cb's data, or the owner of an internal request */
};

struct etcd_client {
    CURLM *multi;
    char **endpoints;
    size_t nendpoints;
    size_t current;
    long connect_timeout_ms;
    long request_timeout_ms;
    char *username, *password;
    char *ca_file, *cert_file, *key_file;
    int insecure;
    unsigned max_inflight;
    size_t max_response;
    struct curl_slist *form_headers;
    struct curl_slist *json_headers;

    etcd__req *reqs;               /* every request sent and not yet delivered */
    etcd__req *queue, *queue_tail; /* waiting for a slot */
    unsigned inflight;             /* ordinary requests handed to curl */
    size_t pending;                /* for etcd_client_pending() */
    etcd__closer *closers;         /* watches */
    etcd__timer *timers;           /* sorted by due time */

    CURL **pool; /* idle easy handles */
    size_t npool, pool_cap;

    int external;
    etcd_loop_hooks hooks;
    uint64_t curl_due_ms; /* external loop: when curl wants its timeout; 0: never */

    int in_callback;
    int free_requested;
    int closing;
    int streams_ready; /* some stream request has bytes for its hook */

    char *token; /* v3 auth */
    token_state token_state;
    etcd__req *auth_wait; /* requests waiting for the token, through qnext */
};

/* ---- Process-wide set-up ----------------------------------------------------------- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- Options and construction ------------------------------------------------------ */

void etcd_client_opts_init(etcd_client_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
}

static char *copy_opt(const char *s, int *failed)
{
    char *copy;

    if (!s)
        return NULL;
    copy = strdup(s);
    if (!copy)
        *failed = 1;
    return copy;
}

/* Split "a, b,c/" into trimmed URLs without trailing slashes. */
static int parse_endpoints(etcd_client *c, const char *list)
{
    const char *p = list;

    while (*p) {
        const char *start, *end;
        char **grown;
        char *url;

        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        start = p;
        while (*p && *p != ',')
            p++;
        end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '/'))
            end--;
        if (!((end - start > 7 && strncmp(start, "http://", 7) == 0) ||
              (end - start > 8 && strncmp(start, "https://", 8) == 0)))
            return ETCD_EINVAL;
        url = strndup(start, (size_t)(end - start));
        grown = realloc(c->endpoints, (c->nendpoints + 1) * sizeof(*grown));
        if (!url || !grown) {
            free(url);
            if (grown)
                c->endpoints = grown;
            return ETCD_ENOMEM;
        }
        c->endpoints = grown;
        c->endpoints[c->nendpoints++] = url;
    }
    return c->nendpoints ? ETCD_OK : ETCD_EINVAL;
}

static int setup_multi(etcd_client *c)
{
    c->multi = curl_multi_init();
    if (!c->multi)
        return ETCD_ENOMEM;
    /* Keep every connection we may use open: in-flight requests plus some watches. */
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)c->max_inflight + 8);
    c->form_headers = curl_slist_append(NULL, "Expect:");
    c->json_headers = curl_slist_append(NULL, "Expect:");
    if (c->json_headers)
        c->json_headers =
            curl_slist_append(c->json_headers, "Content-Type: application/json");
    if (!c->form_headers || !c->json_headers)
        return ETCD_ENOMEM;
    return ETCD_OK;
}

int etcd_client_new(const etcd_client_opts *opts, etcd_client **out)
{
    etcd_client_opts defaults;
    etcd_client *c;
    int failed = 0, rc;

    *out = NULL;
    if (!opts) {
        etcd_client_opts_init(&defaults);
        opts = &defaults;
    }
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return ETCD_ENOMEM;
    c = calloc(1, sizeof(*c));
    if (!c)
        return ETCD_ENOMEM;
    c->connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms
                                                         : DEFAULT_CONNECT_TIMEOUT_MS;
    c->request_timeout_ms = opts->request_timeout_ms > 0 ? opts->request_timeout_ms : 0;
    c->max_inflight =
        opts->max_connections ? opts->max_connections : DEFAULT_MAX_INFLIGHT;
    c->max_response =
        opts->max_response_bytes ? opts->max_response_bytes : DEFAULT_MAX_RESPONSE;
    c->insecure = opts->insecure;
    c->username = copy_opt(opts->username, &failed);
    c->password = copy_opt(opts->password, &failed);
    c->ca_file = copy_opt(opts->ca_file, &failed);
    c->cert_file = copy_opt(opts->cert_file, &failed);
    c->key_file = copy_opt(opts->key_file, &failed);
    c->pool_cap = c->max_inflight + 4;
    c->pool = calloc(c->pool_cap, sizeof(*c->pool));
    rc = failed || !c->pool
             ? ETCD_ENOMEM
             : parse_endpoints(c, opts->endpoints ? opts->endpoints : DEFAULT_ENDPOINT);
    if (rc == ETCD_OK)
        rc = setup_multi(c);
    if (rc) {
        etcd_client_free(c);
        return rc;
    }
    *out = c;
    return ETCD_OK;
}

const char *etcd_client_endpoint(const etcd_client *c)
{
    return c->endpoints[c->current];
}

size_t etcd_client_pending(const etcd_client *c)
{
    return c->pending;
}

/* ---- Easy handles ------------------------------------------------------------------ */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    etcd__req *req = userdata;
    size_t n = size * nmemb;
    int rc = etcd__buf_append(&req->in, ptr, n, req->client->max_response);

    if (rc) {
        req->in_error = rc;
        return 0;
    }
    /* Hooks run later, from the loop: curl's callbacks must not call back into curl. */
    if (req->stream && req->headers.status == 200) {
        req->stream_ready = 1;
        req->client->streams_ready = 1;
    }
    return n;
}

static size_t on_header(char *buffer, size_t size, size_t nitems, void *userdata)
{
    etcd__req *req = userdata;

    etcd__headers_feed(&req->headers, buffer, size * nitems);
    return size * nitems;
}

/* The settings every request shares, watches included: set once per easy handle. */
static void apply_common(etcd_client *c, CURL *e)
{
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    /* etcd is reached directly: no proxy from the environment (and no getenv of
     * http_proxy and friends on every transfer). */
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 10L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    if (c->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
    if (c->cert_file) {
        curl_easy_setopt(e, CURLOPT_SSLCERT, c->cert_file);
        curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (c->key_file) {
        curl_easy_setopt(e, CURLOPT_SSLKEY, c->key_file);
        curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (c->insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

static CURL *easy_get(etcd_client *c)
{
    CURL *e;

    if (c->npool)
        return c->pool[--c->npool];
    e = curl_easy_init();
    if (e)
        apply_common(c, e);
    return e;
}

static void easy_put(etcd_client *c, CURL *e)
{
    if (c->npool < c->pool_cap)
        c->pool[c->npool++] = e;
    else
        curl_easy_cleanup(e);
}

/* The server a request goes to now. */
static const char *req_server(const etcd__req *req)
{
    return req->base ? req->base : req->client->endpoints[req->endpoint];
}

/* The header list of a request: a v3 request carries the client's token. */
static struct curl_slist *request_headers(etcd__req *req)
{
    etcd_client *c = req->client;
    struct curl_slist *list = NULL;
    char *line;
    size_t n;

    if (!(req->flags & ETCD__REQ_V3) || (req->flags & ETCD__REQ_NO_TOKEN) ||
        c->token_state != TOKEN_VALID)
        return req->flags & ETCD__REQ_JSON ? c->json_headers : c->form_headers;
    curl_slist_free_all(req->auth_headers);
    req->auth_headers = NULL;
    n = strlen(c->token) + sizeof("Authorization: ");
    line = malloc(n);
    if (line) {
        snprintf(line, n, "Authorization: %s", c->token);
        list = curl_slist_append(NULL, "Expect:");
        if (list)
            list = curl_slist_append(list, "Content-Type: application/json");
        if (list)
            list = curl_slist_append(list, line);
        free(line);
    }
    req->auth_headers = list;
    return list ? list : c->json_headers; /* out of memory: etcd will refuse it */
}

/* The per-request settings, for the request's current endpoint. */
static int easy_prepare(etcd__req *req)
{
    etcd_client *c = req->client;
    CURL *e = req->easy;
    long timeout = req->timeout_ms;

    etcd__buf_reset(&req->url);
    if (etcd__buf_puts(&req->url, req_server(req)) ||
        etcd__buf_append(&req->url, req->path.data, req->path.len, ETCD__BUF_NOLIMIT))
        return ETCD_ENOMEM;
    if (!timeout && !(req->flags & ETCD__REQ_LONGPOLL))
        timeout = c->request_timeout_ms;

    curl_easy_setopt(e, CURLOPT_URL, req->url.data);
    curl_easy_setopt(e, CURLOPT_PRIVATE, req);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, req);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, req);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, req->errbuf);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
    /* A watch mostly waits: a small receive buffer keeps many of them cheap. */
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE,
                     req->flags & ETCD__REQ_LONGPOLL ? 4096L : (long)CURL_MAX_WRITE_SIZE);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, request_headers(req));
    /* v2 takes basic auth; the v3 gateway would read it as a token. */
    if (c->username && !(req->flags & ETCD__REQ_V3)) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(e, CURLOPT_USERNAME, c->username);
        curl_easy_setopt(e, CURLOPT_PASSWORD, c->password ? c->password : "");
    } else {
        curl_easy_setopt(e, CURLOPT_USERNAME, NULL);
        curl_easy_setopt(e, CURLOPT_PASSWORD, NULL);
    }
    if (req->method == ETCD__GET || (req->method == ETCD__DELETE && !req->body.len)) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)req->body.len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body.data ? req->body.data : "");
    }
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST,
                     req->method == ETCD__PUT      ? "PUT"
                     : req->method == ETCD__DELETE ? "DELETE"
                                                   : NULL);
    req->errbuf[0] = '\0';
    req->in_error = 0;
    etcd__buf_reset(&req->in);
    memset(&req->headers, 0, sizeof(req->headers));
    return ETCD_OK;
}

/* ---- Requests ---------------------------------------------------------------------- */

etcd__req *etcd__req_new(etcd_client *c, etcd__method method, etcd__decoder decoder,
                         unsigned flags)
{
    etcd__req *req = calloc(1, sizeof(*req));

    if (!req)
        return NULL;
    req->client = c;
    req->method = method;
    req->decoder = decoder;
    req->flags = flags;
    return req;
}

etcd__buf *etcd__req_path(etcd__req *req)
{
    return &req->path;
}

etcd__buf *etcd__req_body(etcd__req *req)
{
    return &req->body;
}

void etcd__req_set_timeout(etcd__req *req, long timeout_ms)
{
    req->timeout_ms = timeout_ms;
}

void etcd__req_set_stream(etcd__req *req, etcd__stream_fn fn)
{
    req->stream = fn;
}

const char *etcd__req_endpoint(const etcd__req *req)
{
    return req_server(req);
}

void *etcd__req_owner(const etcd__req *req)
{
    return req->data;
}

int etcd__req_set_base(etcd__req *req, const char *base)
{
    free(req->base);
    req->base = strdup(base);
    return req->base ? ETCD_OK : ETCD_ENOMEM;
}

void etcd__req_free(etcd__req *req)
{
    if (!req)
        return;
    free(req->base);
    curl_slist_free_all(req->auth_headers);
    if (req->easy)
        curl_easy_cleanup(req->easy);
    etcd__buf_free(&req->path);
    etcd__buf_free(&req->body);
    etcd__buf_free(&req->url);
    etcd__buf_free(&req->in);
    free(req);
}

static void list_unlink(etcd__req *req)
{
    etcd_client *c = req->client;

    if (req->prev)
        req->prev->next = req->next;
    else
        c->reqs = req->next;
    if (req->next)
        req->next->prev = req->prev;
    req->prev = req->next = NULL;
}

static void queue_remove(etcd__req *req)
{
    etcd_client *c = req->client;
    etcd__req **pp = &c->queue;

    c->queue_tail = NULL;
    while (*pp) {
        if (*pp == req)
            *pp = req->qnext;
        else
            c->queue_tail = *pp;
        if (*pp)
            pp = &(*pp)->qnext;
    }
    req->qnext = NULL;
}

static int counts_inflight(const etcd__req *req)
{
    return !(req->flags & ETCD__REQ_LONGPOLL);
}

/* Hand a request to curl on its current endpoint. */
static int transfer_start(etcd__req *req)
{
    etcd_client *c = req->client;
    int rc;

    if (!req->easy) {
        req->easy = easy_get(c);
        if (!req->easy)
            return ETCD_ENOMEM;
    }
    rc = easy_prepare(req);
    if (rc)
        return rc;
    if (curl_multi_add_handle(c->multi, req->easy) != CURLM_OK)
        return ETCD_ENOMEM;
    if (req->state != REQ_ACTIVE && counts_inflight(req))
        c->inflight++;
    req->state = REQ_ACTIVE;
    return ETCD_OK;
}

/* Take `req` out of curl and the queue; give its easy handle back. */
static void transfer_stop(etcd__req *req)
{
    etcd_client *c = req->client;

    if (req->state == REQ_ACTIVE) {
        curl_multi_remove_handle(c->multi, req->easy);
        if (counts_inflight(req))
            c->inflight--;
    } else if (req->state == REQ_QUEUED) {
        queue_remove(req);
    } else if (req->state == REQ_AUTH) {
        etcd__req **pp = &c->auth_wait;

        while (*pp && *pp != req)
            pp = &(*pp)->qnext;
        if (*pp)
            *pp = req->qnext;
        req->qnext = NULL;
    }
    if (req->easy) {
        easy_put(c, req->easy);
        req->easy = NULL;
    }
    req->state = REQ_NEW;
}

static void deliver(etcd__req *req, etcd_response *resp);

/* Start queued requests while slots are free. */
static void queue_drain(etcd_client *c)
{
    while (c->queue && c->inflight < c->max_inflight && !c->closing) {
        etcd__req *req = c->queue;
        int rc;

        c->queue = req->qnext;
        if (!c->queue)
            c->queue_tail = NULL;
        req->qnext = NULL;
        req->state = REQ_NEW;
        rc = transfer_start(req);
        if (rc) {
            transfer_stop(req);
            deliver(req,
                    etcd__response_new_error(rc, req_server(req), etcd_strerror(rc)));
        }
    }
}

/* Whether a request must wait for a v3 token first. */
static int needs_token(const etcd__req *req)
{
    const etcd_client *c = req->client;

    return (req->flags & ETCD__REQ_V3) && !(req->flags & ETCD__REQ_NO_TOKEN) &&
           c->username && c->password &&
           (c->token_state == TOKEN_NONE || c->token_state == TOKEN_FETCHING);
}

static void fetch_token(etcd_client *c);

/* Hand a new (or re-authenticated) request to curl, or queue it for a slot or a token. */
static int start_or_queue(etcd__req *req)
{
    etcd_client *c = req->client;

    if (needs_token(req)) {
        req->state = REQ_AUTH;
        req->qnext = c->auth_wait;
        c->auth_wait = req;
        if (c->token_state == TOKEN_NONE)
            fetch_token(c);
        return ETCD_OK;
    }
    if (counts_inflight(req) && c->inflight >= c->max_inflight) {
        req->state = REQ_QUEUED;
        if (c->queue_tail)
            c->queue_tail->qnext = req;
        else
            c->queue = req;
        c->queue_tail = req;
        return ETCD_OK;
    }
    return transfer_start(req);
}

static int submit(etcd__req *req, etcd__done_fn done, etcd_response_cb cb, void *data,
                  int counted)
{
    etcd_client *c = req->client;
    int rc;

    if (c->closing) {
        etcd__req_free(req);
        return ETCD_ECANCELED;
    }
    if (!req->path.data && etcd__buf_puts(&req->path, "/")) {
        etcd__req_free(req);
        return ETCD_ENOMEM;
    }
    req->done = done;
    req->cb = cb;
    req->data = data;
    req->endpoint = c->current;
    req->tries = 1;
    rc = start_or_queue(req);
    if (rc) {
        transfer_stop(req);
        etcd__req_free(req);
        return rc;
    }
    req->next = c->reqs;
    if (c->reqs)
        c->reqs->prev = req;
    c->reqs = req;
    req->counted = counted;
    if (counted)
        c->pending++;
    return ETCD_OK;
}

static void user_done(etcd__req *req, etcd_response *resp)
{
    req->cb(req->client, resp, req->data);
    etcd_response_free(resp);
}

/* Send with a user callback. */
static int req_send(etcd__req *req, etcd_response_cb cb, void *data)
{
    if (!cb) {
        etcd__req_free(req);
        return ETCD_EINVAL;
    }
    return submit(req, user_done, cb, data, 1);
}

int etcd__req_send_internal(etcd__req *req, etcd__done_fn done, void *owner)
{
    return submit(req, done, NULL, owner, 0);
}

void etcd__req_abort(etcd__req *req)
{
    etcd_client *c = req->client;

    transfer_stop(req);
    list_unlink(req);
    etcd__req_free(req);
    queue_drain(c);
}

void etcd__req_drop(etcd__req **req)
{
    if (*req) {
        etcd__req_abort(*req);
        *req = NULL;
    }
}

/* Hand the response to the request's hook and free the request. */
static void deliver(etcd__req *req, etcd_response *resp)
{
    etcd_client *c = req->client;

    if (!resp)
        resp = etcd__response_oom();
    list_unlink(req);
    if (req->counted)
        c->pending--;
    c->in_callback++;
    req->done(req, resp);
    c->in_callback--;
    etcd__req_free(req);
}

/* ---- Completion, failover ---------------------------------------------------------- */

static int curl_status(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return ETCD_ETIMEDOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
        return ETCD_ETLS;
    case CURLE_OUT_OF_MEMORY:
        return ETCD_ENOMEM;
    default:
        return ETCD_ETRANSPORT;
    }
}

/* Whether the request may have reached a server. */
static int maybe_sent(etcd__req *req, CURLcode rc)
{
    long sent = 0;

    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
        return 0;
    if (curl_easy_getinfo(req->easy, CURLINFO_REQUEST_SIZE, &sent) != CURLE_OK)
        return 1;
    return sent > 0;
}

static int may_fail_over(const etcd__req *req, int sent)
{
    const etcd_client *c = req->client;

    if (c->closing || req->base || req->tries >= c->nendpoints)
        return 0;
    return !sent || (req->flags & ETCD__REQ_IDEMPOTENT);
}

/* Move `req` to the next endpoint; the client follows unless another request moved it
 * already. Returns ETCD_OK when the request is on its way again. */
static int fail_over(etcd__req *req)
{
    etcd_client *c = req->client;
    size_t next = (req->endpoint + 1) % c->nendpoints;

    if (c->current == req->endpoint)
        c->current = next;
    req->endpoint = next;
    req->tries++;
    if (easy_prepare(req) || curl_multi_add_handle(c->multi, req->easy) != CURLM_OK)
        return ETCD_ENOMEM;
    return ETCD_OK;
}

/* Whether a 5xx answer means "this member cannot serve you now" (try the next one),
 * rather than the call's own outcome. The v3 gateway answers many logical errors with a
 * 500 ("election: no leader"): only gRPC's Unavailable (14) moves on. */
static int server_unavailable(const etcd__req *req)
{
    if (req->flags & ETCD__REQ_ANY_STATUS)
        return 0;
    if (!(req->flags & ETCD__REQ_V3))
        return 1;
    return req->in.data && (strstr(req->in.data, "\"code\":14,") ||
                            strstr(req->in.data, "\"code\":14}") ||
                            strstr(req->in.data, "\"grpc_code\":14"));
}

static etcd_response *answer(etcd__req *req, long http)
{
    etcd_response *resp;
    size_t len = req->in.len;

    /* The response takes the received body as it is, without a copy. */
    if (req->in.data)
        resp = etcd__response_parse_stolen(req->decoder, http, etcd__buf_steal(&req->in),
                                           len);
    else
        resp = etcd__response_parse(req->decoder, http, "", 0);
    if (resp && (etcd__response_set_headers(resp, &req->headers) ||
                 etcd__response_set_endpoint(resp, req_server(req)))) {
        etcd_response_free(resp);
        resp = NULL;
    }
    return resp;
}

/* With TLS 1.3 a server that refuses our certificate says so with an alert after the
 * handshake, so curl reports a receive error: recognise it by OpenSSL's words. */
static int tls_refusal(const etcd__req *req, const char *reason)
{
    return strncmp(req_server(req), "https://", 8) == 0 &&
           (strstr(reason, "SSL") || strstr(reason, "alert") ||
            strstr(reason, "certificate"));
}

static etcd_response *failure(etcd__req *req, CURLcode rc)
{
    etcd_client *c = req->client;
    char reason[CURL_ERROR_SIZE + 64];
    int status;

    if (rc == CURLE_WRITE_ERROR && req->in_error) {
        status = req->in_error; /* the body was refused: too big, or out of memory */
        if (status == ETCD_ETOOBIG)
            snprintf(reason, sizeof(reason), "response larger than %zu bytes",
                     c->max_response);
        else
            snprintf(reason, sizeof(reason), "out of memory for the response");
    } else {
        status = curl_status(rc);
        snprintf(reason, sizeof(reason), "%s",
                 req->errbuf[0] ? req->errbuf : curl_easy_strerror(rc));
        if (status == ETCD_ETRANSPORT && tls_refusal(req, reason))
            status = ETCD_ETLS;
    }
    return etcd__response_new_error(status, req_server(req), reason);
}

/* Whether etcd refused a v3 request for its token: an expired or unknown one (gRPC 16),
 * or none at all because auth was off when the client asked and has been enabled since
 * ("user name is empty", gRPC 3). */
int etcd__client_token_error(const etcd_client *c, const etcd_response *resp)
{
    const etcd_error_info *e = &resp->error;

    return e->grpc_code == 16 || (e->grpc_code == 3 && c->token_state == TOKEN_UNUSED &&
                                  e->message && strstr(e->message, "user name is empty"));
}

/* Whether a new token and one more try may help this request. */
static int token_rejected(const etcd__req *req, const etcd_response *resp)
{
    const etcd_client *c = req->client;

    return resp && (req->flags & ETCD__REQ_V3) && c->username && c->password &&
           !req->auth_retried && !c->closing && etcd__client_token_error(c, resp);
}

/* ---- v3 tokens -----------------------------------------------------------------------
 */

/* Called with the answer to the client's authenticate request (NULL: it could not be
 * sent). Releases the requests that waited, with the token, without one (auth is off),
 * or failed with the answer's error. */
void etcd__client_token_answer(etcd_client *c, const etcd_response *resp)
{
    etcd__req *waiting = c->auth_wait, *req;
    int status = resp ? resp->status : ETCD_ENOMEM;

    c->auth_wait = NULL;
    if (status == ETCD_OK && resp->v3_token) {
        free(c->token);
        c->token = strdup(resp->v3_token);
        c->token_state = c->token ? TOKEN_VALID : TOKEN_NONE;
    } else if (status == ETCD_EETCD && resp->error.message &&
               strstr(resp->error.message, "authentication is not enabled")) {
        c->token_state = TOKEN_UNUSED;
    } else {
        c->token_state = TOKEN_NONE;
    }
    while (waiting) {
        req = waiting;
        waiting = req->qnext;
        req->qnext = NULL;
        req->state = REQ_NEW;
        if (c->token_state == TOKEN_NONE) {
            /* The credentials were refused, or etcd could not be reached: say so. */
            etcd_response *copy = resp ? etcd_response_dup(resp) : NULL;

            deliver(req, copy ? copy : etcd__response_oom());
            continue;
        }
        if (start_or_queue(req)) {
            transfer_stop(req);
            deliver(req, etcd__response_new_error(ETCD_ENOMEM, NULL, "out of memory"));
        }
    }
}

/* Forget a token etcd refused (or "auth is off", which it no longer is): the next v3
 * request fetches a new one first. A fetch under way stays as it is. */
static void forget_token(etcd_client *c)
{
    if (c->token_state == TOKEN_VALID || c->token_state == TOKEN_UNUSED) {
        free(c->token);
        c->token = NULL;
        c->token_state = TOKEN_NONE;
    }
}

int etcd__client_token_refused(etcd_client *c)
{
    if (!c->username || !c->password)
        return 0;
    forget_token(c);
    return 1;
}

static void fetch_token(etcd_client *c)
{
    c->token_state = TOKEN_FETCHING;
    if (etcd__v3_fetch_token(c, c->username, c->password) != ETCD_OK)
        etcd__client_token_answer(c, NULL);
}

static void finish(etcd__req *req, CURLcode rc)
{
    etcd_client *c = req->client;
    etcd_response *resp;
    long http = 0;
    int sent;

    curl_multi_remove_handle(c->multi, req->easy);
    curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &http);

    if (rc == CURLE_OK && http >= 500 && server_unavailable(req) &&
        may_fail_over(req, 1) && fail_over(req) == ETCD_OK)
        return;
    if (rc != CURLE_OK && !req->in_error &&
        !(rc == CURLE_OPERATION_TIMEDOUT && req->timeout_ms)) {
        sent = maybe_sent(req, rc);
        if (may_fail_over(req, sent) && fail_over(req) == ETCD_OK)
            return;
    }

    if (rc == CURLE_OK && http < 500 && !req->base)
        c->current = req->endpoint;
    resp = rc == CURLE_OK ? answer(req, http) : failure(req, rc);
    req->state = REQ_NEW;
    if (counts_inflight(req))
        c->inflight--;
    easy_put(c, req->easy);
    req->easy = NULL;
    if (token_rejected(req, resp)) {
        /* The token expired: get a new one and send this request again, once. */
        etcd_response_free(resp);
        req->auth_retried = 1;
        forget_token(c);
        if (start_or_queue(req) == ETCD_OK) {
            queue_drain(c);
            return;
        }
        resp = etcd__response_new_error(ETCD_ENOMEM, req_server(req), "out of memory");
    }
    queue_drain(c);
    deliver(req, resp);
}

/* Hand new stream bytes to their hooks. A hook may cancel any request, so the list is
 * searched afresh after each call. */
static void run_streams(etcd_client *c)
{
    while (c->streams_ready && !c->free_requested) {
        etcd__req *req = c->reqs;

        while (req && !req->stream_ready)
            req = req->next;
        if (!req) {
            c->streams_ready = 0;
            break;
        }
        req->stream_ready = 0;
        c->in_callback++;
        req->stream(req, &req->in);
        c->in_callback--;
    }
}

static size_t process_messages(etcd_client *c)
{
    size_t finished = 0;
    CURLMsg *msg;
    int left;

    while (!c->free_requested) {
        etcd__req *req = NULL;

        msg = curl_multi_info_read(c->multi, &left);
        if (!msg)
            break;
        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&req);
        finish(req, msg->data.result);
        finished++;
    }
    return finished;
}

/* ---- Timers ------------------------------------------------------------------------ */

static void external_rearm(etcd_client *c);

void etcd__timer_stop(etcd_client *c, etcd__timer *timer)
{
    etcd__timer **pp = &c->timers;

    if (!timer->armed)
        return;
    while (*pp && *pp != timer)
        pp = &(*pp)->next;
    if (*pp)
        *pp = timer->next;
    timer->next = NULL;
    timer->armed = 0;
}

void etcd__timer_start(etcd_client *c, etcd__timer *timer, long delay_ms)
{
    etcd__timer **pp = &c->timers;

    etcd__timer_stop(c, timer);
    timer->due_ms = now_ms() + (uint64_t)(delay_ms > 0 ? delay_ms : 0);
    while (*pp && (*pp)->due_ms <= timer->due_ms)
        pp = &(*pp)->next;
    timer->next = *pp;
    *pp = timer;
    timer->armed = 1;
    external_rearm(c);
}

void etcd__timer_backoff(etcd_client *c, etcd__timer *timer, long *backoff_ms)
{
    etcd__timer_start(c, timer, *backoff_ms);
    *backoff_ms *= 2;
    if (*backoff_ms > ETCD__BACKOFF_MAX_MS)
        *backoff_ms = ETCD__BACKOFF_MAX_MS;
}

static void fire_timers(etcd_client *c)
{
    uint64_t now = now_ms();

    while (c->timers && c->timers->due_ms <= now && !c->free_requested) {
        etcd__timer *t = c->timers;

        c->timers = t->next;
        t->next = NULL;
        t->armed = 0;
        c->in_callback++;
        t->fire(t->arg);
        c->in_callback--;
    }
}

/* Milliseconds until the first timer is due, capped at `cap` (-1: no cap). */
static long timers_wait(const etcd_client *c, long cap)
{
    uint64_t now;
    long wait;

    if (!c->timers)
        return cap;
    now = now_ms();
    wait = c->timers->due_ms > now ? (long)(c->timers->due_ms - now) : 0;
    return cap >= 0 && cap < wait ? cap : wait;
}

/* ---- Callbacks, closers, freeing --------------------------------------------------- */

void etcd__client_callback_begin(etcd_client *c)
{
    c->in_callback++;
}

void etcd__client_callback_end(etcd_client *c)
{
    c->in_callback--;
}

int etcd__client_closing(const etcd_client *c)
{
    return c->closing;
}

int etcd__client_attach(etcd_client *c, etcd__closer *closer)
{
    if (c->closing)
        return ETCD_ECANCELED;
    closer->prev = NULL;
    closer->next = c->closers;
    if (c->closers)
        c->closers->prev = closer;
    c->closers = closer;
    c->pending++;
    return ETCD_OK;
}

void etcd__client_detach(etcd_client *c, etcd__closer *closer)
{
    if (closer->prev)
        closer->prev->next = closer->next;
    else
        c->closers = closer->next;
    if (closer->next)
        closer->next->prev = closer->prev;
    closer->prev = closer->next = NULL;
    c->pending--;
}

static void client_destroy(etcd_client *c)
{
    size_t i;

    c->closing = 1;
    c->in_callback++;
    while (c->closers)
        c->closers->close(c->closers);
    while (c->reqs) {
        etcd__req *req = c->reqs;

        transfer_stop(req);
        deliver(req, etcd__response_new_error(ETCD_ECANCELED, NULL, "client freed"));
    }
    c->in_callback--;
    for (i = 0; i < c->npool; i++)
        curl_easy_cleanup(c->pool[i]);
    free(c->pool);
    if (c->multi)
        curl_multi_cleanup(c->multi);
    curl_slist_free_all(c->form_headers);
    curl_slist_free_all(c->json_headers);
    for (i = 0; i < c->nendpoints; i++)
        free(c->endpoints[i]);
    free(c->endpoints);
    free(c->username);
    if (c->password) {
        memset(c->password, 0, strlen(c->password));
        free(c->password);
    }
    free(c->token);
    free(c->ca_file);
    free(c->cert_file);
    free(c->key_file);
    free(c);
}

void etcd_client_free(etcd_client *c)
{
    if (!c || c->closing)
        return;
    if (c->in_callback) {
        c->free_requested = 1;
        return;
    }
    client_destroy(c);
}

int etcd__client_reap(etcd_client *c)
{
    if (!c->free_requested || c->in_callback || c->closing)
        return 0;
    client_destroy(c);
    return 1;
}

/* ---- The library's own loop -------------------------------------------------------- */

/* Let curl work, then deliver what it has. Returns how many requests finished. */
static size_t drive(etcd_client *c)
{
    int running;

    curl_multi_perform(c->multi, &running);
    run_streams(c);
    return process_messages(c);
}

/* One turn: let curl work, wait for activity when there was none, deliver what is done,
 * fire timers. Returns 1 when a callback freed the client. */
static int loop_step(etcd_client *c, long timeout_ms)
{
    /* Work first: a new request goes out at once, and an answer already read needs no
     * wait. Poll only when that finished nothing. */
    if (drive(c) == 0 && !c->free_requested) {
        long wait = timers_wait(c, timeout_ms < 0 ? POLL_SLICE_MS : timeout_ms);

        curl_multi_poll(c->multi, NULL, 0, (int)wait, NULL);
        drive(c);
    }
    fire_timers(c);
    return etcd__client_reap(c);
}

int etcd_client_run_once(etcd_client *c, int timeout_ms)
{
    if (c->external || c->in_callback)
        return ETCD_EBUSY;
    loop_step(c, timeout_ms);
    return ETCD_OK;
}

int etcd_client_run(etcd_client *c)
{
    if (c->external || c->in_callback)
        return ETCD_EBUSY;
    while (c->pending || c->timers) {
        if (loop_step(c, -1))
            break;
    }
    return ETCD_OK;
}

typedef struct sync_state {
    etcd_response *resp;
    int done;
} sync_state;

static void sync_done(etcd__req *req, etcd_response *resp)
{
    sync_state *st = req->data;

    st->resp = resp;
    st->done = 1;
}

/* Send and run the client's loop until the answer is in. */
static int req_send_sync(etcd__req *req, etcd_response **out)
{
    etcd_client *c = req->client;
    sync_state st = {NULL, 0};
    int rc, status;

    if (out)
        *out = NULL;
    if (c->external || c->in_callback) {
        etcd__req_free(req);
        return ETCD_EBUSY;
    }
    rc = submit(req, sync_done, NULL, &st, 1);
    if (rc)
        return rc;
    while (!st.done)
        loop_step(c, -1);
    status = st.resp->status;
    if (out)
        *out = st.resp;
    else
        etcd_response_free(st.resp);
    return status;
}

etcd__sink etcd__async(etcd_response_cb cb, void *data)
{
    etcd__sink sink = {cb, data, NULL, 0};

    return sink;
}

etcd__sink etcd__sync(etcd_response **out)
{
    etcd__sink sink = {NULL, NULL, out, 1};

    return sink;
}

int etcd__req_dispatch(int rc, etcd__req *req, etcd__sink sink)
{
    if (rc) {
        if (sink.sync && sink.out)
            *sink.out = NULL;
        return rc;
    }
    if (sink.sync)
        return req_send_sync(req, sink.out);
    return req_send(req, sink.cb, sink.data);
}

/* ---- Composite operations ---------------------------------------------------------- */

/* ETCD_EBUSY for a _sync op on a client that cannot run its own loop now. */
static int op_begin(etcd__op *op, void *job, etcd_client *c, etcd__sink sink)
{
    if (sink.sync ? c->external || c->in_callback : !sink.cb)
        return sink.sync ? ETCD_EBUSY : ETCD_EINVAL;
    if (c->closing)
        return ETCD_ECANCELED;
    op->client = c;
    op->sink = sink;
    op->job = job;
    op->result = NULL;
    op->done = 0;
    c->pending++;
    return ETCD_OK;
}

void etcd__op_finish(etcd__op *op, etcd_response *resp)
{
    etcd_client *c = op->client;

    if (!resp)
        resp = etcd__response_oom();
    c->pending--;
    op->done = 1;
    if (op->sink.sync) {
        op->result = resp; /* the job is freed by etcd__op_start() */
        return;
    }
    c->in_callback++;
    op->sink.cb(c, resp, op->sink.data);
    c->in_callback--;
    etcd_response_free(resp);
    free(op->job);
}

int etcd__op_start(etcd__op *op, void *job, etcd_client *client, etcd__sink sink, int rc,
                   etcd__req *req, etcd__done_fn done)
{
    int status;

    if (sink.sync && sink.out)
        *sink.out = NULL;
    if (!rc && !job)
        rc = ETCD_ENOMEM;
    if (!rc)
        rc = op_begin(op, job, client, sink);
    if (rc) {
        etcd__req_free(req);
        free(job);
        return rc;
    }
    rc = etcd__req_send_internal(req, done, job);
    if (rc) {
        client->pending--;
        free(job);
        return rc;
    }
    if (!sink.sync)
        return ETCD_OK;
    while (!op->done)
        loop_step(client, -1);
    status = op->result->status;
    if (sink.out)
        *sink.out = op->result;
    else
        etcd_response_free(op->result);
    free(job);
    return status;
}

/* ---- The caller's loop ------------------------------------------------------------- */

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    etcd_client *c = userp;
    int events = 0;

    (void)easy;
    (void)socketp;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        events |= ETCD_POLL_IN;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        events |= ETCD_POLL_OUT;
    return c->hooks.watch_fd(c->hooks.data, (int)fd, events) == 0 ? 0 : -1;
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    etcd_client *c = userp;

    (void)multi;
    c->curl_due_ms = timeout_ms < 0 ? 0 : now_ms() + (uint64_t)timeout_ms;
    external_rearm(c);
    return 0;
}

/* Give the caller's loop one timer: the earlier of curl's and ours. */
static void external_rearm(etcd_client *c)
{
    uint64_t due = c->curl_due_ms, now;

    if (!c->external)
        return;
    if (c->timers && (!due || c->timers->due_ms < due))
        due = c->timers->due_ms;
    if (!due) {
        c->hooks.set_timer(c->hooks.data, -1);
        return;
    }
    now = now_ms();
    c->hooks.set_timer(c->hooks.data, due > now ? (long)(due - now) : 0);
}

int etcd_client_set_loop(etcd_client *c, const etcd_loop_hooks *hooks)
{
    if (!hooks || !hooks->watch_fd || !hooks->set_timer)
        return ETCD_EINVAL;
    if (c->reqs || c->closers)
        return ETCD_EBUSY;
    c->hooks = *hooks;
    c->external = 1;
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    return ETCD_OK;
}

static int external_after(etcd_client *c)
{
    run_streams(c);
    process_messages(c);
    fire_timers(c);
    if (etcd__client_reap(c))
        return ETCD_OK;
    external_rearm(c);
    return ETCD_OK;
}

int etcd_client_on_fd(etcd_client *c, int fd, int events)
{
    int running, mask = 0;

    if (!c->external)
        return ETCD_EBUSY;
    if (events & ETCD_POLL_IN)
        mask |= CURL_CSELECT_IN;
    if (events & ETCD_POLL_OUT)
        mask |= CURL_CSELECT_OUT;
    curl_multi_socket_action(c->multi, fd, mask, &running);
    return external_after(c);
}

int etcd_client_on_timer(etcd_client *c)
{
    int running;

    if (!c->external)
        return ETCD_EBUSY;
    if (c->curl_due_ms && c->curl_due_ms <= now_ms()) {
        c->curl_due_ms = 0;
        curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    return external_after(c);
}
