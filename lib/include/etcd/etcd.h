/*
 * libetcd: an asynchronous etcd client on libcurl's multi interface.
 *
 * Include this header to get the whole public API:
 *   etcd/error.h   error codes and etcd_strerror()
 *   etcd/client.h  the client, its loop, responses, health and version
 *   etcd/keys.h    the v2 keys API and watches
 *   etcd/admin.h   v2 auth, users, roles, members, stats and cluster health
 *   etcd/v3.h      the v3 API through the JSON gateway: kv, txn, watch, leases
 *   etcd/v3_cluster.h      v3 auth, users, roles, members and maintenance
 *   etcd/v3_concurrency.h  v3 sessions, locks and elections
 */
#ifndef ETCD_ETCD_H
#define ETCD_ETCD_H

#include "etcd/error.h"
#include "etcd/client.h"
#include "etcd/keys.h"
#include "etcd/admin.h"
#include "etcd/v3.h"
#include "etcd/v3_cluster.h"
#include "etcd/v3_concurrency.h"

#endif /* ETCD_ETCD_H */
