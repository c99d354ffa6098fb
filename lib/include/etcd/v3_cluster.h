/*
 * libetcd: v3 administration through the JSON gateway: auth (users, roles, enable and
 * disable), cluster membership and maintenance.
 *
 * Conventions as in v3.h. Member IDs are given and returned as etcd prints them: hex
 * (an ID that is not 1 to 16 hex digits, or 0, is ETCD_EINVAL).
 */
#ifndef ETCD_V3_CLUSTER_H
#define ETCD_V3_CLUSTER_H

#include "etcd/v3.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Auth ---------------------------------------------------------------------------
 */

/* Get a token for user/password (resp->v3_token). A client created with a username and
 * password does this by itself before its first v3 request, sends the token on every
 * v3 request, and gets a new one when etcd rejects it as expired. */
ETCD_EXPORT int etcd_v3_authenticate(etcd_client *client, const char *user,
                                     const char *password, etcd_response_cb cb,
                                     void *data);
ETCD_EXPORT int etcd_v3_authenticate_sync(etcd_client *client, const char *user,
                                          const char *password, etcd_response **out);

ETCD_EXPORT int etcd_v3_auth_enable(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_auth_enable_sync(etcd_client *client, etcd_response **out);
ETCD_EXPORT int etcd_v3_auth_disable(etcd_client *client, etcd_response_cb cb,
                                     void *data);
ETCD_EXPORT int etcd_v3_auth_disable_sync(etcd_client *client, etcd_response **out);

/* resp->auth_enabled. etcd 3.4 has no /v3/auth/status, and its /v2/auth/enable tells
 * the state of v2 auth, which is separate: there the library sends an authenticate
 * request without credentials, which etcd refuses with "authentication is not enabled"
 * or "authentication failed" (etcd logs the failed attempt). ETCD_ENOTFOUND when the
 * server answers neither. */
ETCD_EXPORT int etcd_v3_auth_status(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_auth_status_sync(etcd_client *client, etcd_response **out);

/* Users. Lists and a user's roles are in resp->users / resp->users[0].roles (role names
 * only). etcd_v3_user_get()'s answer does not repeat the name: resp->users[0].name is
 * NULL, and for a user without roles etcd sends nothing (resp->nusers is 0).
 * etcd_v3_user_add() with a NULL password adds a user without one (etcd's no_password:
 * it authenticates only with a client certificate whose common name is the user's). */
ETCD_EXPORT int etcd_v3_user_add(etcd_client *client, const char *name,
                                 const char *password, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_user_add_sync(etcd_client *client, const char *name,
                                      const char *password, etcd_response **out);
ETCD_EXPORT int etcd_v3_user_get(etcd_client *client, const char *name,
                                 etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_user_get_sync(etcd_client *client, const char *name,
                                      etcd_response **out);
ETCD_EXPORT int etcd_v3_user_list(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_user_list_sync(etcd_client *client, etcd_response **out);
ETCD_EXPORT int etcd_v3_user_delete(etcd_client *client, const char *name,
                                    etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_user_delete_sync(etcd_client *client, const char *name,
                                         etcd_response **out);
ETCD_EXPORT int etcd_v3_user_passwd(etcd_client *client, const char *name,
                                    const char *password, etcd_response_cb cb,
                                    void *data);
ETCD_EXPORT int etcd_v3_user_passwd_sync(etcd_client *client, const char *name,
                                         const char *password, etcd_response **out);
ETCD_EXPORT int etcd_v3_user_grant(etcd_client *client, const char *name,
                                   const char *role, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_user_grant_sync(etcd_client *client, const char *name,
                                        const char *role, etcd_response **out);
ETCD_EXPORT int etcd_v3_user_revoke(etcd_client *client, const char *name,
                                    const char *role, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_user_revoke_sync(etcd_client *client, const char *name,
                                         const char *role, etcd_response **out);

/* Roles. The role list is in resp->roles (names only); a role's permissions are in
 * resp->v3_perms, in etcd's order (by key). */
typedef enum etcd_perm_type {
    ETCD_PERM_READ = 0,
    ETCD_PERM_WRITE,
    ETCD_PERM_READWRITE
} etcd_perm_type;

ETCD_EXPORT int etcd_v3_role_add(etcd_client *client, const char *name,
                                 etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_role_add_sync(etcd_client *client, const char *name,
                                      etcd_response **out);
ETCD_EXPORT int etcd_v3_role_get(etcd_client *client, const char *name,
                                 etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_role_get_sync(etcd_client *client, const char *name,
                                      etcd_response **out);
ETCD_EXPORT int etcd_v3_role_list(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_role_list_sync(etcd_client *client, etcd_response **out);
ETCD_EXPORT int etcd_v3_role_delete(etcd_client *client, const char *name,
                                    etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_role_delete_sync(etcd_client *client, const char *name,
                                         etcd_response **out);
/* Grant `type` on key, or on the range given (prefix, from_key or end). Revoke names
 * the same key and range as the grant did (etcd refuses anything else with "permission
 * is not granted to the role"). */
ETCD_EXPORT int etcd_v3_role_grant(etcd_client *client, const char *name,
                                   etcd_perm_type type, etcd_bytes key,
                                   const etcd_range_end *range, etcd_response_cb cb,
                                   void *data);
ETCD_EXPORT int etcd_v3_role_grant_sync(etcd_client *client, const char *name,
                                        etcd_perm_type type, etcd_bytes key,
                                        const etcd_range_end *range, etcd_response **out);
ETCD_EXPORT int etcd_v3_role_revoke(etcd_client *client, const char *name, etcd_bytes key,
                                    const etcd_range_end *range, etcd_response_cb cb,
                                    void *data);
ETCD_EXPORT int etcd_v3_role_revoke_sync(etcd_client *client, const char *name,
                                         etcd_bytes key, const etcd_range_end *range,
                                         etcd_response **out);

/* ---- Cluster ------------------------------------------------------------------------
 */

/* resp->members (is_learner set). */
ETCD_EXPORT int etcd_v3_member_list(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_member_list_sync(etcd_client *client, etcd_response **out);

/* resp->members[0] is the new member (a learner when asked; its name is "" until it
 * runs), then the whole list. etcd refuses for a few seconds after a cluster started
 * ("unhealthy cluster"), and promotes a learner only once it caught up with the leader
 * ("can only promote a learner member which is in sync with leader"). Remove, update
 * and promote answer the list in resp->members. */
ETCD_EXPORT int etcd_v3_member_add(etcd_client *client, const char *const *peer_urls,
                                   size_t npeer_urls, int learner, etcd_response_cb cb,
                                   void *data);
ETCD_EXPORT int etcd_v3_member_add_sync(etcd_client *client, const char *const *peer_urls,
                                        size_t npeer_urls, int learner,
                                        etcd_response **out);
ETCD_EXPORT int etcd_v3_member_remove(etcd_client *client, const char *id,
                                      etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_member_remove_sync(etcd_client *client, const char *id,
                                           etcd_response **out);
ETCD_EXPORT int etcd_v3_member_update(etcd_client *client, const char *id,
                                      const char *const *peer_urls, size_t npeer_urls,
                                      etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_member_update_sync(etcd_client *client, const char *id,
                                           const char *const *peer_urls,
                                           size_t npeer_urls, etcd_response **out);
ETCD_EXPORT int etcd_v3_member_promote(etcd_client *client, const char *id,
                                       etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_member_promote_sync(etcd_client *client, const char *id,
                                            etcd_response **out);

/* ---- Maintenance ----------------------------------------------------------------------
 */

/* The status of the endpoint the client uses now (resp->v3_status), or of `endpoint`
 * (a client URL, asked without failover) when not NULL. member_id is the member that
 * answered, leader the raft leader's ID. */
ETCD_EXPORT int etcd_v3_status(etcd_client *client, const char *endpoint,
                               etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_status_sync(etcd_client *client, const char *endpoint,
                                    etcd_response **out);

/* resp->v3_alarms. */
ETCD_EXPORT int etcd_v3_alarm_list(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_alarm_list_sync(etcd_client *client, etcd_response **out);
/* Disarm every alarm: the alarms are listed, then each is deactivated in turn (as
 * etcdctl does). resp->v3_alarms lists the alarms that were disarmed; on a failure the
 * answer is that refusal. */
ETCD_EXPORT int etcd_v3_alarm_disarm(etcd_client *client, etcd_response_cb cb,
                                     void *data);
ETCD_EXPORT int etcd_v3_alarm_disarm_sync(etcd_client *client, etcd_response **out);

/* Defragment the member at `endpoint` (NULL: the current one). */
ETCD_EXPORT int etcd_v3_defragment(etcd_client *client, const char *endpoint,
                                   etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_defragment_sync(etcd_client *client, const char *endpoint,
                                        etcd_response **out);

/* resp->v3_hash (hash, compact_revision) of the key space up to revision (0: all), of
 * the member at `endpoint` (NULL: the current one). etcd 3.4's gateway has no route for
 * HashKV (it maps /v3/maintenance/hash to the whole-database Hash, revision ignored):
 * there the answer is ETCD_ENOTFOUND. */
ETCD_EXPORT int etcd_v3_hashkv(etcd_client *client, const char *endpoint,
                               int64_t revision, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_v3_hashkv_sync(etcd_client *client, const char *endpoint,
                                    int64_t revision, etcd_response **out);

#ifdef __cplusplus
}
#endif

#endif /* ETCD_V3_CLUSTER_H */
