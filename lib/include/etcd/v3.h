/*
 * libetcd: etcd's v3 API through its JSON gateway (POST /v3/...), on the same client,
 * loop, TLS and failover as the v2 calls. etcd 3.6 serves only this API.
 *
 * Keys and values are byte strings: every key, range end and value is given as a
 * pointer and a length (a length of ETCD_STRLEN means "NUL-terminated"). The library
 * base64-encodes them on the wire and decodes the answers; results are NUL-terminated
 * for convenience and carry their true length.
 *
 * Conventions as in keys.h: each call has an asynchronous form and a _sync form; the
 * results are in resp->v3 (and resp->header), borrowed for the callback's duration or
 * owned with the response of a _sync call.
 */
#ifndef ETCD_V3_H
#define ETCD_V3_H

#include "etcd/client.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETCD_STRLEN ((size_t)-1)

/* A byte string: pointer and length (ETCD_STRLEN: NUL-terminated). */
typedef struct etcd_bytes {
    const char *data;
    size_t len;
} etcd_bytes;

/* ---- Key ranges --------------------------------------------------------------- */

typedef enum etcd_sort_order {
    ETCD_SORT_NONE = 0,
    ETCD_SORT_ASCEND,
    ETCD_SORT_DESCEND
} etcd_sort_order;

typedef enum etcd_sort_target {
    ETCD_SORT_KEY = 0,
    ETCD_SORT_VERSION,
    ETCD_SORT_CREATE,
    ETCD_SORT_MOD,
    ETCD_SORT_VALUE
} etcd_sort_target;

/* Which keys a range, delete or watch covers, besides its key. */
typedef struct etcd_range_end {
    int prefix;     /* every key starting with the key */
    int from_key;   /* every key >= the key */
    etcd_bytes end; /* [key, end) when end.data is set */
} etcd_range_end;

typedef struct etcd_range_opts {
    etcd_range_end range;
    int64_t limit;    /* at most this many keys; 0: no limit */
    int64_t revision; /* read at this revision; 0: the newest */
    etcd_sort_order sort_order;
    etcd_sort_target sort_target;
    int keys_only;
    int count_only;
    int serializable; /* answer from the member asked, without a quorum read */
} etcd_range_opts;

/* Range over `key`: resp->v3.kvs (nkvs), more, count. */
ETCD_EXPORT int etcd_v3_range(etcd_client *client, etcd_bytes key,
                              const etcd_range_opts *opts, etcd_response_cb cb,
                              void *data);
ETCD_EXPORT int etcd_v3_range_sync(etcd_client *client, etcd_bytes key,
                                   const etcd_range_opts *opts, etcd_response **out);

typedef struct etcd_put_opts {
    int64_t lease;    /* attach to this lease; 0: none */
    int prev_kv;      /* return the previous pair in resp->v3.prev_kvs */
    int ignore_value; /* keep the current value (update the lease only) */
    int ignore_lease; /* keep the current lease (update the value only) */
} etcd_put_opts;

ETCD_EXPORT int etcd_v3_put(etcd_client *client, etcd_bytes key, etcd_bytes value,
                            const etcd_put_opts *opts, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_put_sync(etcd_client *client, etcd_bytes key, etcd_bytes value,
                                 const etcd_put_opts *opts, etcd_response **out);

typedef struct etcd_delete_opts {
    etcd_range_end range;
    int prev_kv; /* return the deleted pairs in resp->v3.prev_kvs */
} etcd_delete_opts;

/* resp->v3.deleted, prev_kvs. */
ETCD_EXPORT int etcd_v3_delete(etcd_client *client, etcd_bytes key,
                               const etcd_delete_opts *opts, etcd_response_cb cb,
                               void *data);
ETCD_EXPORT int etcd_v3_delete_sync(etcd_client *client, etcd_bytes key,
                                    const etcd_delete_opts *opts, etcd_response **out);

/* Compact the history up to `revision` (physical: wait until it is applied). */
ETCD_EXPORT int etcd_v3_compact(etcd_client *client, int64_t revision, int physical,
                                etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_compact_sync(etcd_client *client, int64_t revision, int physical,
                                     etcd_response **out);

/* ---- Transactions ---------------------------------------------------------------- */

typedef enum etcd_compare_result {
    ETCD_CMP_EQUAL = 0,
    ETCD_CMP_GREATER,
    ETCD_CMP_LESS,
    ETCD_CMP_NOT_EQUAL
} etcd_compare_result;

typedef enum etcd_compare_target {
    ETCD_CMP_VERSION = 0,
    ETCD_CMP_CREATE,
    ETCD_CMP_MOD,
    ETCD_CMP_VALUE,
    ETCD_CMP_LEASE
} etcd_compare_target;

typedef struct etcd_compare {
    etcd_bytes key;
    etcd_range_end range;
    etcd_compare_result result;
    etcd_compare_target target;
    int64_t number;   /* version, create/mod revision or lease */
    etcd_bytes value; /* ETCD_CMP_VALUE */
} etcd_compare;

typedef enum etcd_op_type {
    ETCD_OP_RANGE = 0,
    ETCD_OP_PUT,
    ETCD_OP_DELETE,
    ETCD_OP_TXN
} etcd_op_type;

struct etcd_txn;

/* One operation of a transaction; the options of its type may be NULL. */
typedef struct etcd_op {
    etcd_op_type type;
    etcd_bytes key;
    etcd_bytes value;             /* ETCD_OP_PUT */
    const etcd_range_opts *range; /* ETCD_OP_RANGE */
    const etcd_put_opts *put;     /* ETCD_OP_PUT */
    const etcd_delete_opts *del;  /* ETCD_OP_DELETE */
    const struct etcd_txn *txn;   /* ETCD_OP_TXN */
} etcd_op;

typedef struct etcd_txn {
    const etcd_compare *compare;
    size_t ncompare;
    const etcd_op *success;
    size_t nsuccess;
    const etcd_op *failure;
    size_t nfailure;
} etcd_txn;

/* resp->v3.succeeded and resp->v3.results, one per operation of the branch taken. */
ETCD_EXPORT int etcd_v3_txn(etcd_client *client, const etcd_txn *txn, etcd_response_cb cb,
                            void *data);
ETCD_EXPORT int etcd_v3_txn_sync(etcd_client *client, const etcd_txn *txn,
                                 etcd_response **out);

/* ---- Watches ----------------------------------------------------------------------- */

typedef struct etcd_v3_watch_opts {
    etcd_range_end range;
    int64_t start_revision; /* 0: from now */
    int prev_kv;            /* events carry the pair before the change */
    int progress_notify;    /* empty progress messages carry the current revision */
    int no_put;             /* filter out puts */
    int no_delete;          /* filter out deletes */
} etcd_v3_watch_opts;

typedef enum etcd_event_type { ETCD_EVENT_PUT = 0, ETCD_EVENT_DELETE } etcd_event_type;

typedef struct etcd_event {
    etcd_event_type type;
    etcd_kv kv;
    const etcd_kv *prev_kv; /* NULL unless prev_kv was asked and there was one */
} etcd_event;

/* A v3 watch: one streamed /v3/watch request. It tracks the revision it has seen; a
 * dropped stream reconnects with backoff (moving across endpoints) and resumes from the
 * next revision.
 *
 * The callback gets:
 * - ETCD_OK: resp->v3.events (nevents, possibly 0 for a progress message) and
 *   resp->header->revision.
 * - ETCD_ECOMPACTED: the next revision was compacted away; resp->v3.compact_revision
 *   tells the oldest still there. The watch is paused: re-read, then
 *   etcd_v3_watch_resume() from the read's revision + 1, or cancel.
 * - transport and other errors: for logging; the watch reconnects by itself.
 * - ETCD_ECANCELED: the last call. */
typedef struct etcd_v3_watch etcd_v3_watch;
typedef void (*etcd_v3_watch_cb)(etcd_v3_watch *watch, const etcd_response *resp,
                                 void *data);

ETCD_EXPORT int etcd_v3_watch_start(etcd_client *client, etcd_bytes key,
                                    const etcd_v3_watch_opts *opts, etcd_v3_watch_cb cb,
                                    void *data, etcd_v3_watch **out);
ETCD_EXPORT int etcd_v3_watch_resume(etcd_v3_watch *watch, int64_t revision);
ETCD_EXPORT int64_t etcd_v3_watch_next_revision(const etcd_v3_watch *watch);
ETCD_EXPORT void etcd_v3_watch_cancel(etcd_v3_watch *watch);

/* ---- Leases ------------------------------------------------------------------------ */

/* Grant a lease of ttl seconds (id 0: etcd picks one): resp->v3.id, resp->v3.ttl. */
ETCD_EXPORT int etcd_v3_lease_grant(etcd_client *client, int64_t ttl, int64_t id,
                                    etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_lease_grant_sync(etcd_client *client, int64_t ttl, int64_t id,
                                         etcd_response **out);

/* Revoke a lease: its keys are deleted. */
ETCD_EXPORT int etcd_v3_lease_revoke(etcd_client *client, int64_t id, etcd_response_cb cb,
                                     void *data);
ETCD_EXPORT int etcd_v3_lease_revoke_sync(etcd_client *client, int64_t id,
                                          etcd_response **out);

/* resp->v3.ttl (-1 when the lease is gone), granted_ttl and, with keys, the attached
 * keys in resp->v3.kvs (key and key_len only). */
ETCD_EXPORT int etcd_v3_lease_timetolive(etcd_client *client, int64_t id, int keys,
                                         etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_lease_timetolive_sync(etcd_client *client, int64_t id, int keys,
                                              etcd_response **out);

/* Every lease: resp->v3.leases (nleases). */
ETCD_EXPORT int etcd_v3_lease_list(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_lease_list_sync(etcd_client *client, etcd_response **out);

/* Refresh a lease once: resp->v3.ttl, 0 or less when it had expired. */
ETCD_EXPORT int etcd_v3_lease_keepalive_once(etcd_client *client, int64_t id,
                                             etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_lease_keepalive_once_sync(etcd_client *client, int64_t id,
                                                  etcd_response **out);

/* A managed keep-alive: refreshes the lease a third of its TTL after each refresh (and
 * retries failures with backoff within that time).
 *
 * The callback gets ETCD_OK after each refresh (resp->v3.ttl), ETCD_ENOTFOUND once when
 * the lease is lost (expired or revoked: the keep-alive stops, a holder of a lock or an
 * election on it has lost it), other errors for logging, and ETCD_ECANCELED last. */
typedef struct etcd_v3_keepalive etcd_v3_keepalive;
typedef void (*etcd_v3_keepalive_cb)(etcd_v3_keepalive *ka, const etcd_response *resp,
                                     void *data);

ETCD_EXPORT int etcd_v3_keepalive_start(etcd_client *client, int64_t id, int64_t ttl,
                                        etcd_v3_keepalive_cb cb, void *data,
                                        etcd_v3_keepalive **out);
ETCD_EXPORT int64_t etcd_v3_keepalive_id(const etcd_v3_keepalive *ka);
ETCD_EXPORT void etcd_v3_keepalive_cancel(etcd_v3_keepalive *ka);

#ifdef __cplusplus
}
#endif

#endif /* ETCD_V3_H */
