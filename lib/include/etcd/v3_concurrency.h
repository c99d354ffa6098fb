/*
 * libetcd: locks and elections through the gateway's /v3/lock and /v3/election
 * services, on a session: a lease the library keeps alive.
 *
 * Conventions as in v3.h.
 */
#ifndef ETCD_V3_CONCURRENCY_H
#define ETCD_V3_CONCURRENCY_H

#include "etcd/v3.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Sessions ---------------------------------------------------------------------- */

/* A lease of ttl seconds, granted and kept alive by the library.
 *
 * The callback gets ETCD_OK once the lease is granted (etcd_v3_session_lease() is then
 * set), ETCD_ENOTFOUND if the lease is lost (expired while etcd could not be reached,
 * or revoked: every lock and leadership held on it is gone; the session stays lost),
 * other errors for logging (a failed grant is retried with backoff), and
 * ETCD_ECANCELED last, after etcd_v3_session_close() or when the client is freed. */
typedef struct etcd_v3_session etcd_v3_session;
typedef void (*etcd_v3_session_cb)(etcd_v3_session *session, const etcd_response *resp,
                                   void *data);

ETCD_EXPORT int etcd_v3_session_start(etcd_client *client, int64_t ttl,
                                      etcd_v3_session_cb cb, void *data,
                                      etcd_v3_session **out);

/* The session's lease ID; 0 until it is granted (after ETCD_ENOTFOUND: the lost one). */
ETCD_EXPORT int64_t etcd_v3_session_lease(const etcd_v3_session *session);

/* Stop keeping the lease alive and revoke it (releasing what was held on it); the last
 * callback comes once etcd answered the revoke. A grant still in flight is abandoned
 * (if etcd granted it, it expires after its TTL). NULL does nothing. */
ETCD_EXPORT void etcd_v3_session_close(etcd_v3_session *session);

/* ---- Locks
 * ------------------------------------------------------------------------------ */

/* Wait until the lock `name` is held on `lease` (not 0: a session's lease); the answer
 * comes when it is: resp->v3_key is the key that holds it (give it to
 * etcd_v3_unlock()). The wait has no request timeout and is not counted in
 * max_connections; only freeing the client abandons it. etcd 3.4 may still answer
 * after the lease expired during the wait: trust a lock only while its session has not
 * reported ETCD_ENOTFOUND. */
ETCD_EXPORT int etcd_v3_lock(etcd_client *client, etcd_bytes name, int64_t lease,
                             etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_lock_sync(etcd_client *client, etcd_bytes name, int64_t lease,
                                  etcd_response **out);
ETCD_EXPORT int etcd_v3_unlock(etcd_client *client, etcd_bytes key, etcd_response_cb cb,
                               void *data);
ETCD_EXPORT int etcd_v3_unlock_sync(etcd_client *client, etcd_bytes key,
                                    etcd_response **out);

/* ---- Elections
 * ------------------------------------------------------------------------- */

/* Campaign in election `name` on `lease` (not 0) with a proposal `value`; the answer
 * comes once elected (a wait like etcd_v3_lock()'s): resp->v3_leader identifies the
 * leadership (for proclaim and resign). */
ETCD_EXPORT int etcd_v3_campaign(etcd_client *client, etcd_bytes name, int64_t lease,
                                 etcd_bytes value, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_campaign_sync(etcd_client *client, etcd_bytes name, int64_t lease,
                                      etcd_bytes value, etcd_response **out);

/* Announce a new value as the leader (ETCD_EETCD "election: not leader" once the
 * leadership is gone). */
ETCD_EXPORT int etcd_v3_proclaim(etcd_client *client, const etcd_v3_leader_key *leader,
                                 etcd_bytes value, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_proclaim_sync(etcd_client *client,
                                      const etcd_v3_leader_key *leader, etcd_bytes value,
                                      etcd_response **out);

/* The current leader's proclamation: resp->v3.kvs[0] (ETCD_EETCD when there is none). */
ETCD_EXPORT int etcd_v3_election_leader(etcd_client *client, etcd_bytes name,
                                        etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_election_leader_sync(etcd_client *client, etcd_bytes name,
                                             etcd_response **out);

/* Give up leadership. */
ETCD_EXPORT int etcd_v3_resign(etcd_client *client, const etcd_v3_leader_key *leader,
                               etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_resign_sync(etcd_client *client, const etcd_v3_leader_key *leader,
                                    etcd_response **out);

/* Follow an election: the callback gets ETCD_OK with resp->v3.kvs[0] for every new
 * leader or proclamation (the current one first, once there is a leader); errors for
 * logging (it reconnects by itself with backoff, and does not repeat the proclamation
 * it delivered last); ETCD_ECANCELED last, after etcd_v3_observe_cancel() or when the
 * client is freed. */
typedef struct etcd_v3_observe etcd_v3_observe;
typedef void (*etcd_v3_observe_cb)(etcd_v3_observe *obs, const etcd_response *resp,
                                   void *data);

ETCD_EXPORT int etcd_v3_observe_start(etcd_client *client, etcd_bytes name,
                                      etcd_v3_observe_cb cb, void *data,
                                      etcd_v3_observe **out);
ETCD_EXPORT void etcd_v3_observe_cancel(etcd_v3_observe *obs);

#ifdef __cplusplus
}
#endif

#endif /* ETCD_V3_CONCURRENCY_H */
