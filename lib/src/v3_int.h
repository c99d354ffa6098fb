/*
 * libetcd internals: the v3 gateway's JSON, both ways.
 */
#ifndef ETCD_V3_INT_H
#define ETCD_V3_INT_H

#include <jansson.h>

#include "client_int.h"
#include "etcd/v3.h"
#include "etcd/v3_cluster.h"
#include "etcd/v3_concurrency.h"
#include "response_int.h"

/* Fill resp->header and resp->v3 from a successful answer (`root`). Strings and arrays
 * live in the response's arena or point into root. ETCD_OK, ETCD_ENOMEM, or ETCD_EPROTO
 * with *why. */
int etcd__decode_v3(etcd_response *resp, etcd__decoder decoder, json_t *root,
                    const char **why);

/* The answers of the admin and concurrency calls (users, roles, members, status,
 * alarms, hashes, locks, elections): called by etcd__decode_v3() after the common
 * fields, on the unwrapped message. Same contract. (v3_admin_decode.c) */
int etcd__decode_v3_admin(etcd_response *resp, etcd__decoder decoder, json_t *root,
                          const char **why);

/* A gateway error ({"error":..., "code":N, "message":...}, or a stream's
 * {"error":{"grpc_code":N,"message":...}}): fills resp->error and returns 1, or 0 when
 * root is not one. */
int etcd__decode_v3_error(etcd_response *resp, json_t *root);

/* JSON request pieces. Each returns a new reference, or NULL when out of memory. */
json_t *etcd__v3_bytes(etcd_bytes b);
json_t *etcd__v3_int(int64_t v);
/* Set "range_end" on obj for the key and range; 0, or -1 when out of memory. */
int etcd__v3_set_range(json_t *obj, etcd_bytes key, const etcd_range_end *range);

/* A POST of `body` (stolen) to `path` ("/v3/kv/range"), decoded with ETCD__DECODE_V3
 * (or `decoder`, with the _as form). */
int etcd__v3_request(etcd_client *client, const char *path, json_t *body, unsigned flags,
                     etcd__req **out);
int etcd__v3_request_as(etcd_client *client, const char *path, json_t *body,
                        unsigned flags, etcd__decoder decoder, etcd__req **out);

#endif /* ETCD_V3_INT_H */
