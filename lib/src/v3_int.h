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

/* A 64-bit number written as a decimal string or a JSON integer; absent is 0. Returns
 * 0 when it is there but not such a number (a negative one, for the unsigned form). */
int etcd__v3_get_int(json_t *obj, const char *name, int64_t *out);
int etcd__v3_get_uint(json_t *obj, const char *name, uint64_t *out);

/* Base64 field `name` decoded into the arena (absent is ""), NUL-terminated. */
int etcd__v3_get_bytes(etcd__dec *d, json_t *obj, const char *name, const char **out,
                       size_t *len);

/* A key-value object (mvccpb.KeyValue). */
int etcd__v3_fill_kv(etcd__dec *d, json_t *j, etcd_kv *kv);

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

/* The fast path of the commonest answers and requests (v3_fast.c). */

/* Decode a 2xx answer of range, put or delete (header, kvs, count, more, prev_kv(s),
 * deleted) straight into resp, exactly as etcd__decode_v3() would. Returns 1 when done,
 * 0 when the body is of another shape (resp's v3 fields are left as they were: run the
 * full decoder), -1 when out of memory. */
int etcd__decode_v3_fast(etcd_response *resp, const char *body, size_t len);

/* Append the JSON body of a range, put or delete to `out`: byte for byte
 * json_dumps(JSON_COMPACT) of etcd__v3_range_json() and its kin. ETCD_OK or
 * ETCD_ENOMEM. */
int etcd__v3_write_range(etcd__buf *out, etcd_bytes key, const etcd_range_opts *o);
int etcd__v3_write_put(etcd__buf *out, etcd_bytes key, etcd_bytes value,
                       const etcd_put_opts *o);
int etcd__v3_write_delete(etcd__buf *out, etcd_bytes key, const etcd_delete_opts *o);

/* The same bodies as JSON objects (new references; NULL when out of memory), as
 * transaction operations carry them. */
json_t *etcd__v3_range_json(etcd_bytes key, const etcd_range_opts *o);
json_t *etcd__v3_put_json(etcd_bytes key, etcd_bytes value, const etcd_put_opts *o);
json_t *etcd__v3_delete_json(etcd_bytes key, const etcd_delete_opts *o);

/* The length of b: strlen(b.data) for ETCD_STRLEN, 0 when b.data is NULL. */
size_t etcd__bytes_len(etcd_bytes b);

/* A NUL-terminated copy of b (malloc'd), its length in *len; NULL when out of memory. */
char *etcd__bytes_dup(etcd_bytes b, size_t *len);

/* JSON request pieces. Each returns a new reference, or NULL when out of memory. */
json_t *etcd__v3_bytes(etcd_bytes b);
json_t *etcd__v3_int(int64_t v);
/* Set "key" on obj and, for a range (not NULL), "range_end"; 0, or -1 when out of
 * memory. */
int etcd__v3_set_range(json_t *obj, etcd_bytes key, const etcd_range_end *range);

/* Open a stream (a watch, an observe): a long-poll POST of `body` (stolen; NULL means
 * out of memory) to `path`, whose messages go to `stream` and whose end goes to `done`,
 * with `owner`. *out is set only once it is sent. (v3_watch.c) */
int etcd__v3_stream_open(etcd_client *client, const char *path, json_t *body,
                         etcd__stream_fn stream, etcd__done_fn done, void *owner,
                         etcd__req **out);

/* The next whole message of a streamed answer (a watch, an observe), consumed from the
 * front of `in` and decoded; NULL when none is complete yet. A malformed stream gives an
 * ETCD_EPROTO response and is dropped. (v3_watch.c) */
etcd_response *etcd__v3_next_message(etcd__req *req, etcd__buf *in);

/* A POST of `body` (stolen; NULL means out of memory) to `path` ("/v3/kv/range"),
 * decoded with ETCD__DECODE_V3 (or `decoder`, with the _as form). ETCD_EINVAL without
 * a client, ETCD_ENOMEM; *out is NULL on failure. */
int etcd__v3_request(etcd_client *client, const char *path, json_t *body, unsigned flags,
                     etcd__req **out);
int etcd__v3_request_as(etcd_client *client, const char *path, json_t *body,
                        unsigned flags, etcd__decoder decoder, etcd__req **out);

/* The same request, sent to `sink`: the whole of most v3 calls. */
int etcd__v3_call(etcd_client *client, const char *path, json_t *body, unsigned flags,
                  etcd__sink sink);

/* The same request with an empty body, for the caller to write into
 * (etcd__req_body()). ETCD_EINVAL without a client, ETCD_ENOMEM. */
int etcd__v3_request_new(etcd_client *client, const char *path, unsigned flags,
                         etcd__decoder decoder, etcd__req **out);

#endif /* ETCD_V3_INT_H */
