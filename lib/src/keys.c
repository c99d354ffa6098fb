/*
 * libetcd: the v2 keys API (/v2/keys).
 *
 * Each call is described once, as a key_call: its method, which of the options it
 * sends and its fixed parameters. build_request() turns that into a request; the public
 * functions are thin wrappers for the asynchronous and the blocking forms.
 */
#include "keys_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    SEND_VALUE = 1 << 0,
    SEND_TTL = 1 << 1,
    SEND_RECURSIVE = 1 << 2,
    SEND_GET_FLAGS = 1 << 3, /* sorted, quorum */
    SEND_PREV = 1 << 4,      /* prevValue, prevIndex; one of them required */
    NEED_TTL = 1 << 5,       /* ttl > 0 required */
};

typedef struct key_call {
    etcd__method method;
    unsigned send;
    unsigned flags;    /* ETCD__REQ_* */
    const char *fixed; /* "dir=true&prevExist=false", or NULL */
} key_call;

static const key_call CALL_GET = {ETCD__GET, SEND_RECURSIVE | SEND_GET_FLAGS,
                                  ETCD__REQ_IDEMPOTENT, NULL};
static const key_call CALL_SET = {ETCD__PUT, SEND_VALUE | SEND_TTL, ETCD__REQ_IDEMPOTENT,
                                  NULL};
static const key_call CALL_CREATE = {ETCD__PUT, SEND_VALUE | SEND_TTL, 0,
                                     "prevExist=false"};
static const key_call CALL_CREATE_IN_ORDER = {ETCD__POST, SEND_VALUE | SEND_TTL, 0, NULL};
static const key_call CALL_UPDATE = {ETCD__PUT, SEND_VALUE | SEND_TTL, 0,
                                     "prevExist=true"};
static const key_call CALL_CAS = {ETCD__PUT, SEND_VALUE | SEND_TTL | SEND_PREV, 0, NULL};
static const key_call CALL_CAD = {ETCD__DELETE, SEND_PREV, 0, NULL};
static const key_call CALL_DELETE = {ETCD__DELETE, SEND_RECURSIVE, 0, NULL};
static const key_call CALL_CREATE_DIR = {ETCD__PUT, SEND_TTL, 0,
                                         "dir=true&prevExist=false"};
static const key_call CALL_UPDATE_DIR = {ETCD__PUT, SEND_TTL, 0,
                                         "dir=true&prevExist=true"};
static const key_call CALL_SET_DIR = {ETCD__PUT, SEND_TTL, ETCD__REQ_IDEMPOTENT,
                                      "dir=true"};
static const key_call CALL_DELETE_DIR = {ETCD__DELETE, 0, 0, "dir=true"};
static const key_call CALL_REFRESH = {
    ETCD__PUT, SEND_TTL | NEED_TTL, ETCD__REQ_IDEMPOTENT, "refresh=true&prevExist=true"};

/* "/v2/keys" + the key, escaped, with exactly one leading slash. */
static int put_key_path(etcd__buf *path, const char *key)
{
    int rc = etcd__buf_puts(path, "/v2/keys");

    if (!rc && key[0] != '/')
        rc = etcd__buf_puts(path, "/");
    if (!rc)
        rc = etcd__buf_put_escaped(path, key, 1);
    return rc;
}

/* A query string or a form being written: the first parameter after `lead`. */
typedef struct params {
    etcd__buf *buf;
    const char *lead; /* "?" for a query, "" for a form */
    int first;
} params;

static int put_raw(params *p, const char *text)
{
    int rc = etcd__buf_puts(p->buf, p->first ? p->lead : "&");

    p->first = 0;
    return rc ? rc : etcd__buf_puts(p->buf, text);
}

/* Append "name=value", the value escaped. */
static int put_param(params *p, const char *name, const char *value)
{
    int rc = put_raw(p, name);

    if (!rc)
        rc = etcd__buf_puts(p->buf, "=");
    return rc ? rc : etcd__buf_put_escaped(p->buf, value, 0);
}

/* "value=..." for a value that may hold NUL bytes. */
static int put_value(params *p, const char *value, size_t len)
{
    int rc = put_raw(p, "value=");

    return rc ? rc : etcd__buf_put_escaped_n(p->buf, value, len, 0);
}

static int put_uint_param(params *p, const char *name, uint64_t v)
{
    char num[24];

    snprintf(num, sizeof(num), "%" PRIu64, v);
    return put_param(p, name, num);
}

static int put_params(params *p, const key_call *call, const char *value,
                      const etcd_keys_opts *o)
{
    unsigned send = call->send;
    int rc = ETCD_OK;

    if (call->fixed)
        rc = put_raw(p, call->fixed);
    if (!rc && (send & SEND_VALUE))
        rc = put_value(p, value, o->value_len ? o->value_len : strlen(value));
    if (!rc && (send & SEND_TTL) && o->ttl > 0)
        rc = put_uint_param(p, "ttl", (uint64_t)o->ttl);
    if (!rc && (send & SEND_RECURSIVE) && o->recursive)
        rc = put_raw(p, "recursive=true");
    if (!rc && (send & SEND_GET_FLAGS) && o->sorted)
        rc = put_raw(p, "sorted=true");
    if (!rc && (send & SEND_GET_FLAGS) && o->quorum)
        rc = put_raw(p, "quorum=true");
    if (!rc && (send & SEND_PREV) && o->prev_value)
        rc = put_param(p, "prevValue", o->prev_value);
    if (!rc && (send & SEND_PREV) && o->prev_index)
        rc = put_uint_param(p, "prevIndex", o->prev_index);
    return rc;
}

/* Build the request of `call`, or fail with ETCD_EINVAL before anything is sent. */
static int build_request(etcd_client *client, const key_call *call, const char *key,
                         const char *value, const etcd_keys_opts *opts, etcd__req **out)
{
    static const etcd_keys_opts none;
    const etcd_keys_opts *o = opts ? opts : &none;
    etcd__req *req;
    params p;
    int in_query, rc;

    *out = NULL;
    if (!client || !key || ((call->send & SEND_VALUE) && !value))
        return ETCD_EINVAL;
    if ((call->send & SEND_PREV) && !o->prev_value && !o->prev_index)
        return ETCD_EINVAL;
    if ((call->send & NEED_TTL) && o->ttl <= 0)
        return ETCD_EINVAL;
    req = etcd__req_new(client, call->method, ETCD__DECODE_KEYS, call->flags);
    if (!req)
        return ETCD_ENOMEM;
    in_query = call->method == ETCD__GET || call->method == ETCD__DELETE;
    p.buf = in_query ? etcd__req_path(req) : etcd__req_body(req);
    p.lead = in_query ? "?" : "";
    p.first = 1;
    rc = put_key_path(etcd__req_path(req), key);
    if (!rc)
        rc = put_params(&p, call, value, o);
    if (rc) {
        etcd__req_free(req);
        return rc;
    }
    *out = req;
    return ETCD_OK;
}

static int send_call(etcd_client *client, const key_call *call, const char *key,
                     const char *value, const etcd_keys_opts *opts, etcd__sink sink)
{
    etcd__req *req;
    int rc = build_request(client, call, key, value, opts, &req);

    return etcd__req_dispatch(rc, req, sink);
}

/* The public calls: one asynchronous and one blocking form of each. */
#define KEY_CALL_WITH_VALUE(name, call)                                                  \
    int etcd_keys_##name(etcd_client *client, const char *key, const char *value,        \
                         const etcd_keys_opts *opts, etcd_response_cb cb, void *data)    \
    {                                                                                    \
        return send_call(client, &call, key, value, opts, etcd__async(cb, data));        \
    }                                                                                    \
    int etcd_keys_##name##_sync(etcd_client *client, const char *key, const char *value, \
                                const etcd_keys_opts *opts, etcd_response **out)         \
    {                                                                                    \
        return send_call(client, &call, key, value, opts, etcd__sync(out));              \
    }

#define KEY_CALL(name, call)                                                             \
    int etcd_keys_##name(etcd_client *client, const char *key,                           \
                         const etcd_keys_opts *opts, etcd_response_cb cb, void *data)    \
    {                                                                                    \
        return send_call(client, &call, key, NULL, opts, etcd__async(cb, data));         \
    }                                                                                    \
    int etcd_keys_##name##_sync(etcd_client *client, const char *key,                    \
                                const etcd_keys_opts *opts, etcd_response **out)         \
    {                                                                                    \
        return send_call(client, &call, key, NULL, opts, etcd__sync(out));               \
    }

KEY_CALL(get, CALL_GET)
KEY_CALL_WITH_VALUE(set, CALL_SET)
KEY_CALL_WITH_VALUE(create, CALL_CREATE)
KEY_CALL_WITH_VALUE(create_in_order, CALL_CREATE_IN_ORDER)
KEY_CALL_WITH_VALUE(update, CALL_UPDATE)
KEY_CALL_WITH_VALUE(compare_and_swap, CALL_CAS)
KEY_CALL(compare_and_delete, CALL_CAD)
KEY_CALL(delete, CALL_DELETE)
KEY_CALL(create_dir, CALL_CREATE_DIR)
KEY_CALL(update_dir, CALL_UPDATE_DIR)
KEY_CALL(set_dir, CALL_SET_DIR)
KEY_CALL(delete_dir, CALL_DELETE_DIR)
KEY_CALL(refresh, CALL_REFRESH)

/* ---- One-shot watches -------------------------------------------------------------- */

/* A wait request for `key` from `index` (0: from now). */
int etcd__keys_watch_request(etcd_client *client, const char *key, uint64_t index,
                             int recursive, etcd__req **out)
{
    etcd__req *req;
    etcd__buf *path;
    int rc;

    *out = NULL;
    if (!client || !key)
        return ETCD_EINVAL;
    req = etcd__req_new(client, ETCD__GET, ETCD__DECODE_KEYS,
                        ETCD__REQ_IDEMPOTENT | ETCD__REQ_LONGPOLL);
    if (!req)
        return ETCD_ENOMEM;
    path = etcd__req_path(req);
    rc = put_key_path(path, key);
    if (!rc)
        rc = etcd__buf_puts(path, "?wait=true");
    if (!rc && recursive)
        rc = etcd__buf_puts(path, "&recursive=true");
    if (!rc && index)
        rc = etcd__buf_printf(path, "&waitIndex=%" PRIu64, index);
    if (rc) {
        etcd__req_free(req);
        return rc;
    }
    *out = req;
    return ETCD_OK;
}

static int one_shot(etcd_client *client, const char *key, const etcd_watch_opts *opts,
                    etcd__sink sink)
{
    static const etcd_watch_opts none;
    const etcd_watch_opts *o = opts ? opts : &none;
    etcd__req *req;
    int rc = etcd__keys_watch_request(client, key, o->wait_index, o->recursive, &req);

    if (!rc && o->timeout_ms > 0)
        etcd__req_set_timeout(req, o->timeout_ms);
    return etcd__req_dispatch(rc, req, sink);
}

int etcd_keys_watch(etcd_client *client, const char *key, const etcd_watch_opts *opts,
                    etcd_response_cb cb, void *data)
{
    return one_shot(client, key, opts, etcd__async(cb, data));
}

int etcd_keys_watch_sync(etcd_client *client, const char *key,
                         const etcd_watch_opts *opts, etcd_response **out)
{
    return one_shot(client, key, opts, etcd__sync(out));
}
