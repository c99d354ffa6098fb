/*
 * libetcd: etcd's v2 keys API (/v2/keys), one-shot and continuous watches.
 *
 * Every call comes in two forms. The asynchronous form takes a callback and returns
 * ETCD_OK once the request is queued (or an error, and then the callback is never
 * called). The _sync form runs the client's loop until the request is done; it returns
 * the response's status and, when `out` is not NULL, stores a response the caller frees
 * with etcd_response_free() (NULL when nothing was sent: ETCD_EINVAL, ETCD_ENOMEM,
 * ETCD_EBUSY).
 *
 * Keys are absolute or relative to the root ("/a/b" and "a/b" are the same key). Any
 * byte is allowed in a key; the library escapes it on the wire.
 */
#ifndef ETCD_KEYS_H
#define ETCD_KEYS_H

#include "etcd/client.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options of the keys calls. Each call reads only the fields named in its comment;
 * NULL options mean all zero. */
typedef struct etcd_keys_opts {
    int64_t ttl;            /* > 0: time to live in seconds; 0: no TTL */
    int recursive;          /* get, delete */
    int sorted;             /* get: children sorted by key */
    int quorum;             /* get: linearizable read through raft */
    const char *prev_value; /* compare_and_swap, compare_and_delete */
    uint64_t prev_index;    /* compare_and_swap, compare_and_delete; 0: unset */
    size_t value_len;       /* calls with a value: its length when it holds NUL bytes;
                               0: strlen(value) */
} etcd_keys_opts;

/* GET key. Reads recursive, sorted, quorum. */
ETCD_EXPORT int etcd_keys_get(etcd_client *client, const char *key,
                              const etcd_keys_opts *opts, etcd_response_cb cb,
                              void *data);
ETCD_EXPORT int etcd_keys_get_sync(etcd_client *client, const char *key,
                                   const etcd_keys_opts *opts, etcd_response **out);

/* Set key to value, creating or replacing it. Reads ttl. */
ETCD_EXPORT int etcd_keys_set(etcd_client *client, const char *key, const char *value,
                              const etcd_keys_opts *opts, etcd_response_cb cb,
                              void *data);
ETCD_EXPORT int etcd_keys_set_sync(etcd_client *client, const char *key,
                                   const char *value, const etcd_keys_opts *opts,
                                   etcd_response **out);

/* Create key (prevExist=false); etcd error 105 when it exists. Reads ttl. */
ETCD_EXPORT int etcd_keys_create(etcd_client *client, const char *key, const char *value,
                                 const etcd_keys_opts *opts, etcd_response_cb cb,
                                 void *data);
ETCD_EXPORT int etcd_keys_create_sync(etcd_client *client, const char *key,
                                      const char *value, const etcd_keys_opts *opts,
                                      etcd_response **out);

/* POST value into directory `key`, creating a key named by etcd
 * (20 digits, strictly increasing). Reads ttl. resp->node->key is the new key. */
ETCD_EXPORT int etcd_keys_create_in_order(etcd_client *client, const char *key,
                                          const char *value, const etcd_keys_opts *opts,
                                          etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_keys_create_in_order_sync(etcd_client *client, const char *key,
                                               const char *value,
                                               const etcd_keys_opts *opts,
                                               etcd_response **out);

/* Update an existing key (prevExist=true); etcd error 100 when missing.
 * Reads ttl. */
ETCD_EXPORT int etcd_keys_update(etcd_client *client, const char *key, const char *value,
                                 const etcd_keys_opts *opts, etcd_response_cb cb,
                                 void *data);
ETCD_EXPORT int etcd_keys_update_sync(etcd_client *client, const char *key,
                                      const char *value, const etcd_keys_opts *opts,
                                      etcd_response **out);

/* Replace key's value if it matches prev_value and/or prev_index.
 * With neither set, fails at once with ETCD_EINVAL and sends nothing. Reads ttl,
 * prev_value, prev_index. */
ETCD_EXPORT int etcd_keys_compare_and_swap(etcd_client *client, const char *key,
                                           const char *value, const etcd_keys_opts *opts,
                                           etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_keys_compare_and_swap_sync(etcd_client *client, const char *key,
                                                const char *value,
                                                const etcd_keys_opts *opts,
                                                etcd_response **out);

/* Delete key if it matches prev_value and/or prev_index; with
 * neither, ETCD_EINVAL and nothing sent. Reads prev_value, prev_index. */
ETCD_EXPORT int etcd_keys_compare_and_delete(etcd_client *client, const char *key,
                                             const etcd_keys_opts *opts,
                                             etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_keys_compare_and_delete_sync(etcd_client *client, const char *key,
                                                  const etcd_keys_opts *opts,
                                                  etcd_response **out);

/* Delete key (recursive: a directory and everything below it). Reads
 * recursive. */
ETCD_EXPORT int etcd_keys_delete(etcd_client *client, const char *key,
                                 const etcd_keys_opts *opts, etcd_response_cb cb,
                                 void *data);
ETCD_EXPORT int etcd_keys_delete_sync(etcd_client *client, const char *key,
                                      const etcd_keys_opts *opts, etcd_response **out);

/* Create directory `key`; error 105 when it exists. Reads ttl. */
ETCD_EXPORT int etcd_keys_create_dir(etcd_client *client, const char *key,
                                     const etcd_keys_opts *opts, etcd_response_cb cb,
                                     void *data);
ETCD_EXPORT int etcd_keys_create_dir_sync(etcd_client *client, const char *key,
                                          const etcd_keys_opts *opts,
                                          etcd_response **out);

/* Turn an existing key or directory into an (empty when it was a key)
 * directory with a new TTL (prevExist=true). Reads ttl. */
ETCD_EXPORT int etcd_keys_update_dir(etcd_client *client, const char *key,
                                     const etcd_keys_opts *opts, etcd_response_cb cb,
                                     void *data);
ETCD_EXPORT int etcd_keys_update_dir_sync(etcd_client *client, const char *key,
                                          const etcd_keys_opts *opts,
                                          etcd_response **out);

/* Create directory `key` or replace a key by it; error 102 when a
 * directory exists there. Reads ttl. */
ETCD_EXPORT int etcd_keys_set_dir(etcd_client *client, const char *key,
                                  const etcd_keys_opts *opts, etcd_response_cb cb,
                                  void *data);
ETCD_EXPORT int etcd_keys_set_dir_sync(etcd_client *client, const char *key,
                                       const etcd_keys_opts *opts, etcd_response **out);

/* Delete an empty directory; error 108 when it is not empty. */
ETCD_EXPORT int etcd_keys_delete_dir(etcd_client *client, const char *key,
                                     const etcd_keys_opts *opts, etcd_response_cb cb,
                                     void *data);
ETCD_EXPORT int etcd_keys_delete_dir_sync(etcd_client *client, const char *key,
                                          const etcd_keys_opts *opts,
                                          etcd_response **out);

/* Reset the TTL of an existing key or directory without changing it
 * or waking watchers (refresh=true). Reads ttl, which must be > 0. */
ETCD_EXPORT int etcd_keys_refresh(etcd_client *client, const char *key,
                                  const etcd_keys_opts *opts, etcd_response_cb cb,
                                  void *data);
ETCD_EXPORT int etcd_keys_refresh_sync(etcd_client *client, const char *key,
                                       const etcd_keys_opts *opts, etcd_response **out);

/* ---- Watches ----------------------------------------------------------------------- */

typedef struct etcd_watch_opts {
    uint64_t wait_index; /* first index to report; 0: the next change from now */
    int recursive;       /* changes anywhere below key */
    long timeout_ms;     /* one-shot only: give up with ETCD_ETIMEDOUT; 0: no limit */
} etcd_watch_opts;

/* One-shot watch: the callback gets the first change at or after wait_index (which may
 * be a historical event) with resp->action, node and prev_node. An index older than
 * etcd's history gives ETCD_ECLEARED with resp->error.index, the current index. */
ETCD_EXPORT int etcd_keys_watch(etcd_client *client, const char *key,
                                const etcd_watch_opts *opts, etcd_response_cb cb,
                                void *data);
ETCD_EXPORT int etcd_keys_watch_sync(etcd_client *client, const char *key,
                                     const etcd_watch_opts *opts, etcd_response **out);

/* A continuous watch. It follows each event's modifiedIndex + 1, so that no change
 * between two waits is missed, and survives dropped connections.
 *
 * The callback is called once per event and on every state change:
 * - ETCD_OK: resp holds one event (action, node, prev_node).
 * - ETCD_ECLEARED: the next index fell out of etcd's history (error 401) or the server
 *   cleared its watchers (error 400). The watch is paused: re-read the keys, then call
 *   etcd_watch_resume() with resp->info.etcd_index + 1 of that read, or cancel it.
 * - a transport, timeout, TLS, HTTP or other etcd error: reported for logging; the watch
 *   reconnects by itself with exponential backoff (100 ms to 5 s), moving across
 *   endpoints, and resumes from the next index.
 * - ETCD_ECANCELED: the last call, after etcd_watch_cancel() or etcd_client_free().
 *   The watch is freed when the callback returns. */
typedef struct etcd_watch etcd_watch;
typedef void (*etcd_watch_cb)(etcd_watch *watch, const etcd_response *resp, void *data);

/* Start a continuous watch. opts->timeout_ms is ignored. On success *out (may be NULL)
 * is a handle that stays valid until the ETCD_ECANCELED callback returns. */
ETCD_EXPORT int etcd_watch_start(etcd_client *client, const char *key,
                                 const etcd_watch_opts *opts, etcd_watch_cb cb,
                                 void *data, etcd_watch **out);

/* Resume a paused watch from `index`. ETCD_EBUSY when the watch is not paused. */
ETCD_EXPORT int etcd_watch_resume(etcd_watch *watch, uint64_t index);

/* The index the watch waits for next. */
ETCD_EXPORT uint64_t etcd_watch_next_index(const etcd_watch *watch);

/* Stop the watch: its callback is called once more with ETCD_ECANCELED (possibly from
 * inside this call). Safe from inside the watch's own callback. */
ETCD_EXPORT void etcd_watch_cancel(etcd_watch *watch);

#ifdef __cplusplus
}
#endif

#endif /* ETCD_KEYS_H */
