/*
 * libetcd internals: decoding the v2 admin APIs' answers.
 */
#ifndef ETCD_ADMIN_INT_H
#define ETCD_ADMIN_INT_H

#include <jansson.h>

#include "etcd/admin.h"
#include "client_int.h"
#include "response_int.h"

/* Fill resp's admin fields from `root` (a JSON object) according to `decoder`.
 * Strings point into root, which must live as long as resp; arrays come from the
 * response's arena. Returns ETCD_OK, ETCD_ENOMEM, or ETCD_EPROTO with *why set. */
int etcd__decode_admin(etcd_response *resp, etcd__decoder decoder, json_t *root,
                       const char **why);

/* Make `body` (stolen; NULL means out of memory) the request's JSON body. */
int etcd__req_set_json(etcd__req *req, json_t *body);

/* A JSON request to `path`, or `path`/<name escaped> when name is not NULL, with
 * `body` (stolen, may be NULL). GETs are idempotent. */
int etcd__admin_request(etcd_client *client, etcd__method method, etcd__decoder decoder,
                        const char *path, const char *name, json_t *body,
                        etcd__req **out);

/* The same request, sent to `sink`: the whole of most v2 admin calls. */
int etcd__admin_call(etcd_client *client, etcd__method method, etcd__decoder decoder,
                     const char *path, const char *name, json_t *body, etcd__sink sink);

/* Whether items[0, n) can be sent: an array of n strings (none NULL), or n == 0. */
int etcd__strings_valid(const char *const *items, size_t n);

/* A JSON array of n strings, or NULL when out of memory or an item is NULL. */
json_t *etcd__json_strings(const char *const *items, size_t n);

#endif /* ETCD_ADMIN_INT_H */
