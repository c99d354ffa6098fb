/*
 * libetcd internals: what the continuous watch needs from the keys module.
 */
#ifndef ETCD_KEYS_INT_H
#define ETCD_KEYS_INT_H

#include "client_int.h"
#include "etcd/keys.h"

/* A v2 wait request for `key` from `index` (0: the next change), not yet sent. */
int etcd__keys_watch_request(etcd_client *client, const char *key, uint64_t index,
                             int recursive, etcd__req **out);

#endif /* ETCD_KEYS_INT_H */
