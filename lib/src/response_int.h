/*
 * libetcd internals: response bodies and their decoding.
 */
#ifndef ETCD_RESPONSE_INT_H
#define ETCD_RESPONSE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf_int.h"
#include "etcd/client.h"

/* What a request's body means. */
typedef enum etcd__decoder {
    ETCD__DECODE_KEYS,        /* v2 keys: action, node, prevNode, or an etcd error */
    ETCD__DECODE_HEALTH,      /* /health */
    ETCD__DECODE_VERSION,     /* /version */
    ETCD__DECODE_RAW,         /* keep the body; errors from HTTP status and etcd's JSON */
    ETCD__DECODE_AUTH_STATUS, /* {"enabled":bool} */
    ETCD__DECODE_AUTH_TOGGLE, /* enable/disable: 409 means "already" */
    ETCD__DECODE_USERS,       /* {"users":[...]} */
    ETCD__DECODE_USER,        /* one user object */
    ETCD__DECODE_ROLES,       /* {"roles":[...]} */
    ETCD__DECODE_ROLE,        /* one role object */
    ETCD__DECODE_MEMBERS,     /* {"members":[...]} */
    ETCD__DECODE_MEMBER,      /* one member object */
    ETCD__DECODE_STATS_SELF,  /* /v2/stats/self */
    ETCD__DECODE_STATS_LEADER, /* /v2/stats/leader */
    ETCD__DECODE_STATS_STORE,  /* /v2/stats/store */
    ETCD__DECODE_V3,           /* any /v3 answer: header, kvs, txn results, ... */
    ETCD__DECODE_V3_USER       /* /v3/auth/user/get: its "roles" are the user's */
} etcd__decoder;

/* Decode `body` (len bytes, need not be NUL-terminated) received with `http_status`
 * into a new response the caller owns (free with etcd_response_free()). The response
 * copies the body. resp->status tells the outcome: ETCD_OK, ETCD_EETCD (resp->error
 * filled), ETCD_ECLEARED (etcd errors 400 and 401), ETCD_EHTTP, ETCD_EPROTO (with
 * resp->reason naming the JSON error and its position). NULL only when out of memory. */
etcd_response *etcd__response_parse(etcd__decoder decoder, long http_status,
                                    const char *body, size_t len);

/* The same for a body the response takes over: `body` was malloc'd and is
 * NUL-terminated at len (an etcd__buf's data); it is freed with the response, or at
 * once when NULL is returned. */
etcd_response *etcd__response_parse_stolen(etcd__decoder decoder, long http_status,
                                           char *body, size_t len);

/* The same with the full decoders only (no fast path): for tests that compare them. */
etcd_response *etcd__response_parse_full(etcd__decoder decoder, long http_status,
                                         const char *body, size_t len);

/* A response for a request that got no usable answer: status, the endpoint it failed
 * on and why (both copied; either may be NULL). NULL only when out of memory. */
etcd_response *etcd__response_new_error(int status, const char *endpoint,
                                        const char *reason);

/* A new ETCD_ECANCELED response saying `why`: the last one of a watch, a keep-alive or
 * a session. Never NULL: when out of memory, a static one without a reason, which
 * etcd_response_free() ignores. */
etcd_response *etcd__response_canceled(const char *why);

/* A static response with status ETCD_ENOMEM, for when a response cannot be allocated;
 * etcd_response_free() ignores it. */
etcd_response *etcd__response_oom(void);

/* Zeroed memory that lives as long as `resp`; NULL when out of memory. */
void *etcd__response_alloc(etcd_response *resp, size_t size);

/* A copy of s that lives as long as `resp` (NULL for NULL, or when out of memory). */
char *etcd__response_strdup(etcd_response *resp, const char *s);

/* Set resp->endpoint (copied). ETCD_ENOMEM. */
int etcd__response_set_endpoint(etcd_response *resp, const char *endpoint);

/* The X-Etcd-* and X-Raft-* headers of one answer, gathered while it arrives. */
typedef struct etcd__headers {
    long status; /* from the status line */
    char cluster_id[40];
    uint64_t etcd_index;
    uint64_t raft_index;
    uint64_t raft_term;
} etcd__headers;

/* Feed one received header line ("X-Etcd-Index: 12\r\n", no NUL needed). A status line
 * ("HTTP/1.1 200 OK") starts a new answer and clears `h`. Other headers are ignored. */
void etcd__headers_feed(etcd__headers *h, const char *line, size_t len);

/* Copy the gathered headers into resp->info. ETCD_ENOMEM. */
int etcd__response_set_headers(etcd_response *resp, const etcd__headers *h);

/* etcd's action name ("compareAndSwap") as an etcd_action; ETCD_ACTION_NONE if unknown.
 */
etcd_action etcd__action_from_name(const char *name);

/* The state of a decoder of a JSON tree (v2 admin, v3): the response it fills and, on
 * ETCD_EPROTO, what was wrong. */
typedef struct etcd__dec {
    etcd_response *resp;
    const char *why;
} etcd__dec;

/* Record `why` and return ETCD_EPROTO. */
int etcd__malformed(etcd__dec *d, const char *why);

/* A JSON array of strings as an array in the response's arena, of pointers into the
 * tree; absent (NULL) or empty gives NULL, 0. ETCD_ENOMEM, or ETCD_EPROTO when arr is
 * not a list of strings. */
int etcd__decode_strings(etcd__dec *d, json_t *arr, const char *const **out, size_t *n);

/* Decode a flat v2 keys answer (action, node, prevNode; no child nodes) straight into
 * resp, without a JSON tree. Returns 1 when done, 0 when the body is of another shape:
 * then the caller resets resp's keys fields and runs the full decoder. */
int etcd__decode_keys_fast(etcd_response *resp, const char *body, size_t len);

/* Find the first complete JSON object in buf[0, len), skipping white space before it.
 * Returns 1 with [*start, *end) its bytes, 0 when it is not complete yet, -1 when the
 * bytes cannot start an object. Strings and their escapes are honoured; nothing is
 * parsed until the object is whole. */
int etcd__json_next_object(const char *buf, size_t len, size_t *start, size_t *end);

#endif /* ETCD_RESPONSE_INT_H */
