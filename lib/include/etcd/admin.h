/*
 * libetcd: etcd's v2 administration APIs: auth (users, roles, enable/disable), members,
 * stats, and the health of every member of a cluster.
 *
 * The same conventions as keys.h: an asynchronous form with a callback, and a _sync form
 * that hands back a response the caller frees. The decoded results are in the fields of
 * etcd_response named in each call's comment; they live as long as the response.
 *
 * String lists are passed as an array and its length; the library copies what it needs
 * before the call returns.
 */
#ifndef ETCD_ADMIN_H
#define ETCD_ADMIN_H

#include "etcd/client.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Auth: enable, disable, status (/v2/auth/enable) ------------------------------- */

/* resp->auth_enabled. */
ETCD_EXPORT int etcd_auth_status(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_auth_status_sync(etcd_client *client, etcd_response **out);

/* Enable or disable auth. Both succeed when auth already was in that state (etcd answers
 * 409 then): resp->auth_changed tells which. Enabling needs a "root" user. */
ETCD_EXPORT int etcd_auth_enable(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_auth_enable_sync(etcd_client *client, etcd_response **out);
ETCD_EXPORT int etcd_auth_disable(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_auth_disable_sync(etcd_client *client, etcd_response **out);

/* ---- Users (/v2/auth/users) -------------------------------------------------------- */

/* resp->users: every user with its roles (and their permissions when etcd sends them). */
ETCD_EXPORT int etcd_user_list(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_user_list_sync(etcd_client *client, etcd_response **out);

/* resp->users[0]. */
ETCD_EXPORT int etcd_user_get(etcd_client *client, const char *name, etcd_response_cb cb,
                              void *data);
ETCD_EXPORT int etcd_user_get_sync(etcd_client *client, const char *name,
                                   etcd_response **out);

/* A change to a user: fields left NULL/0 are not sent. */
typedef struct etcd_user_change {
    const char *password;     /* a new password */
    const char *const *grant; /* roles to grant */
    size_t ngrant;
    const char *const *revoke; /* roles to revoke */
    size_t nrevoke;
} etcd_user_change;

/* Create user `name` with change->password (required) and change->grant as its first
 * roles. resp->users[0] is the new user. etcd's v2 PUT creates or replaces: for an
 * existing user this replaces the password (and etcd_user_update() with a password
 * creates a missing user). Check with etcd_user_get() first when that matters. */
ETCD_EXPORT int etcd_user_create(etcd_client *client, const char *name,
                                 const etcd_user_change *change, etcd_response_cb cb,
                                 void *data);
ETCD_EXPORT int etcd_user_create_sync(etcd_client *client, const char *name,
                                      const etcd_user_change *change,
                                      etcd_response **out);

/* Change a user's password and/or roles. resp->users[0] is the user afterwards. */
ETCD_EXPORT int etcd_user_update(etcd_client *client, const char *name,
                                 const etcd_user_change *change, etcd_response_cb cb,
                                 void *data);
ETCD_EXPORT int etcd_user_update_sync(etcd_client *client, const char *name,
                                      const etcd_user_change *change,
                                      etcd_response **out);

ETCD_EXPORT int etcd_user_delete(etcd_client *client, const char *name,
                                 etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_user_delete_sync(etcd_client *client, const char *name,
                                      etcd_response **out);

/* ---- Roles (/v2/auth/roles) -------------------------------------------------------- */

/* resp->roles. */
ETCD_EXPORT int etcd_role_list(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_role_list_sync(etcd_client *client, etcd_response **out);

/* resp->roles[0]. */
ETCD_EXPORT int etcd_role_get(etcd_client *client, const char *name, etcd_response_cb cb,
                              void *data);
ETCD_EXPORT int etcd_role_get_sync(etcd_client *client, const char *name,
                                   etcd_response **out);

/* Key-space path patterns with read and with write permission; a trailing star
 * covers everything below ("/rkt/" and a star). */
typedef struct etcd_paths {
    const char *const *read;
    size_t nread;
    const char *const *write;
    size_t nwrite;
} etcd_paths;

/* Create role `name` with `perms` (NULL: none). resp->roles[0] is the new role. */
ETCD_EXPORT int etcd_role_create(etcd_client *client, const char *name,
                                 const etcd_paths *perms, etcd_response_cb cb,
                                 void *data);
ETCD_EXPORT int etcd_role_create_sync(etcd_client *client, const char *name,
                                      const etcd_paths *perms, etcd_response **out);

/* Grant and/or revoke paths (either may be NULL). resp->roles[0] is the role afterwards.
 */
ETCD_EXPORT int etcd_role_update(etcd_client *client, const char *name,
                                 const etcd_paths *grant, const etcd_paths *revoke,
                                 etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_role_update_sync(etcd_client *client, const char *name,
                                      const etcd_paths *grant, const etcd_paths *revoke,
                                      etcd_response **out);

ETCD_EXPORT int etcd_role_delete(etcd_client *client, const char *name,
                                 etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_role_delete_sync(etcd_client *client, const char *name,
                                      etcd_response **out);

/* ---- Members (/v2/members) --------------------------------------------------------- */

/* resp->members. */
ETCD_EXPORT int etcd_member_list(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_member_list_sync(etcd_client *client, etcd_response **out);

/* Add a member with these peer URLs. resp->members[0] is the new member (its id; no
 * name or client URLs until it starts). */
ETCD_EXPORT int etcd_member_add(etcd_client *client, const char *const *peer_urls,
                                size_t npeer_urls, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_member_add_sync(etcd_client *client, const char *const *peer_urls,
                                     size_t npeer_urls, etcd_response **out);

/* Replace the peer URLs of member `id` (hex, as etcd prints it). */
ETCD_EXPORT int etcd_member_update(etcd_client *client, const char *id,
                                   const char *const *peer_urls, size_t npeer_urls,
                                   etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_member_update_sync(etcd_client *client, const char *id,
                                        const char *const *peer_urls, size_t npeer_urls,
                                        etcd_response **out);

ETCD_EXPORT int etcd_member_remove(etcd_client *client, const char *id,
                                   etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_member_remove_sync(etcd_client *client, const char *id,
                                        etcd_response **out);

/* ---- Stats (/v2/stats) ------------------------------------------------------------- */

/* resp->stats_self: this member's raft state and traffic. */
ETCD_EXPORT int etcd_stats_self(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_stats_self_sync(etcd_client *client, etcd_response **out);

/* resp->stats_leader: the followers' latency and counts. Only the leader answers; the
 * call goes to each endpoint in turn until the leader does. */
ETCD_EXPORT int etcd_stats_leader(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_stats_leader_sync(etcd_client *client, etcd_response **out);

/* resp->counters: every counter of the store, in etcd's order. */
ETCD_EXPORT int etcd_stats_store(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_stats_store_sync(etcd_client *client, etcd_response **out);

/* ---- Cluster health ---------------------------------------------------------------- */

/* List the members, then ask each member's own client URLs for /health and
 * /v2/stats/self. resp->members carries each member's health (and why not), and
 * resp->cluster_state the verdict: ETCD_CLUSTER_HEALTHY when every member is,
 * DEGRADED when some are, UNAVAILABLE when none is or the list could not be read. The
 * response's status is ETCD_OK whenever the member list was read. */
ETCD_EXPORT int etcd_cluster_health(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_cluster_health_sync(etcd_client *client, etcd_response **out);

#ifdef __cplusplus
}
#endif

#endif /* ETCD_ADMIN_H */
