/*
 * libetcd: the client, its event loop and the response every call produces.
 *
 * One etcd_client owns one libcurl multi handle. Requests are asynchronous: each call
 * takes a callback and user data, queues the request and returns at once. Callbacks run
 * from etcd_client_run(), etcd_client_run_once() or, when the client is driven by the
 * caller's event loop, from etcd_client_on_fd() and etcd_client_on_timer(). The library
 * never starts a thread.
 *
 * The callback contract (as libuv's): when a call that takes a callback returns an
 * error, the callback is never called. Once a call returned ETCD_OK, its callback is
 * called exactly once, with ETCD_ECANCELED if the client is freed first. Callbacks may
 * start new requests, cancel watches and free the client.
 *
 * Blocking ("_sync") variants of every call run the client's own loop until their
 * request is done, and hand back a response that the caller owns. They are not
 * available on a client driven by an external loop (they return ETCD_EBUSY).
 */
#ifndef ETCD_CLIENT_H
#define ETCD_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "etcd/error.h"
#include "etcd/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct etcd_client etcd_client;

/* ---- Options ----------------------------------------------------------------------- */

typedef struct etcd_client_opts {
    /* Comma-separated base URLs, tried in order: "http://127.0.0.1:2379,http://...".
     * On a connection failure or an HTTP 5xx the request moves to the next endpoint,
     * and the client sticks to the one that answered. etcd's logical errors (100, 105,
     * ...) are never retried. NULL means "http://127.0.0.1:2379". */
    const char *endpoints;
    long connect_timeout_ms; /* per connection attempt; 0 means 5000 */
    long request_timeout_ms; /* whole request; 0 means none. Not applied to the long
                                wait of a watch, which has its own timeout. */
    const char *username;    /* v2: HTTP basic auth; v3: traded for a token. Or NULL */
    const char *password;
    const char *ca_file;       /* PEM CA bundle to verify the server, or NULL (system) */
    const char *cert_file;     /* PEM client certificate, or NULL */
    const char *key_file;      /* PEM private key of cert_file, or NULL */
    int insecure;              /* nonzero: do not verify the server's certificate */
    unsigned max_connections;  /* requests in flight at once, and so connections;
                                  0 means 16. More wait in a queue, in order. Each
                                  watch waiting on the server holds one connection
                                  of its own beyond these. */
    size_t max_response_bytes; /* larger responses fail with ETCD_ETOOBIG; 0: 256 MiB */
} etcd_client_opts;

/* Fill `opts` with the defaults (all zero/NULL). */
ETCD_EXPORT void etcd_client_opts_init(etcd_client_opts *opts);

/* Create a client. The options and every string in them are copied. On success *out
 * is a new client to be freed with etcd_client_free(). Returns ETCD_EINVAL for an empty
 * or malformed endpoint list, ETCD_ENOMEM. */
ETCD_EXPORT int etcd_client_new(const etcd_client_opts *opts, etcd_client **out);

/* Cancel every pending request and watch (their callbacks get ETCD_ECANCELED) and free
 * the client. Safe from inside a callback: the free happens when the callback returns.
 * NULL does nothing. */
ETCD_EXPORT void etcd_client_free(etcd_client *client);

/* The endpoint the client currently sends new requests to (borrowed). */
ETCD_EXPORT const char *etcd_client_endpoint(const etcd_client *client);

/* Number of requests and watches not yet completed. */
ETCD_EXPORT size_t etcd_client_pending(const etcd_client *client);

/* ---- The library's own loop -------------------------------------------------------- */

/* Run until no request or watch is pending. Returns ETCD_OK, or ETCD_EBUSY when the
 * client is driven by an external loop. */
ETCD_EXPORT int etcd_client_run(etcd_client *client);

/* Wait at most timeout_ms (-1: until something happens, or a second at most) for
 * network activity, then run every callback that is due. Returns ETCD_OK or
 * ETCD_EBUSY. */
ETCD_EXPORT int etcd_client_run_once(etcd_client *client, int timeout_ms);

/* ---- The caller's event loop (curl's multi-socket pattern) ------------------------- */

#define ETCD_POLL_IN 1
#define ETCD_POLL_OUT 2

typedef struct etcd_loop_hooks {
    /* Watch `fd` for `events` (ETCD_POLL_IN|ETCD_POLL_OUT); events == 0: stop watching
     * it. Return 0, or -1 on failure. */
    int (*watch_fd)(void *data, int fd, int events);
    /* Call etcd_client_on_timer() after timeout_ms; -1: cancel the timer. A new call
     * replaces the previous timer. Return 0, or -1 on failure. */
    int (*set_timer)(void *data, long timeout_ms);
    void *data;
} etcd_loop_hooks;

/* Hand the client to an external loop. Must be called before the first request.
 * The hooks are copied. Returns ETCD_EBUSY when requests are already pending. */
ETCD_EXPORT int etcd_client_set_loop(etcd_client *client, const etcd_loop_hooks *hooks);

/* Tell the client that `fd` is ready for `events`; runs the callbacks that are due. */
ETCD_EXPORT int etcd_client_on_fd(etcd_client *client, int fd, int events);

/* Tell the client its timer expired; runs the callbacks that are due. */
ETCD_EXPORT int etcd_client_on_timer(etcd_client *client);

/* ---- Responses --------------------------------------------------------------------- */

/* The cluster's position, from the X-Etcd-Cluster-Id, X-Etcd-Index, X-Raft-Index and
 * X-Raft-Term headers. Fields are 0/NULL when the server did not send them. */
typedef struct etcd_cluster_info {
    const char *cluster_id;
    uint64_t etcd_index;
    uint64_t raft_index;
    uint64_t raft_term;
} etcd_cluster_info;

/* etcd's own error object: {"errorCode":100,"message":"Key not found",...}. The auth
 * API answers some refusals with a message only: then code is 0. The v3 gateway's
 * errors ({"error":...,"code":N,"message":...}) have code 0 and grpc_code N. */
typedef struct etcd_error_info {
    int code;
    const char *message;
    const char *cause;
    uint64_t index;
    int grpc_code; /* a v3 gateway error: gRPC's status code (5: not found, ...) */
} etcd_error_info;

typedef enum etcd_action {
    ETCD_ACTION_NONE = 0,
    ETCD_ACTION_GET,
    ETCD_ACTION_SET,
    ETCD_ACTION_CREATE,
    ETCD_ACTION_UPDATE,
    ETCD_ACTION_DELETE,
    ETCD_ACTION_EXPIRE,
    ETCD_ACTION_COMPARE_AND_SWAP,
    ETCD_ACTION_COMPARE_AND_DELETE
} etcd_action;

/* etcd's name of an action ("compareAndSwap"), or "" for ETCD_ACTION_NONE. */
ETCD_EXPORT const char *etcd_action_name(etcd_action action);

/* A v2 key or directory. Strings are NUL-terminated; value may contain NUL bytes when
 * the server stored them, so value_len is its true length. */
typedef struct etcd_node {
    const char *key;   /* NULL for the root "/" in some answers */
    const char *value; /* NULL for a directory */
    size_t value_len;
    int dir;                       /* nonzero for a directory */
    int64_t ttl;                   /* seconds left; 0 when the node has no TTL */
    const char *expiration;        /* RFC 3339 time, or NULL */
    uint64_t created_index;        /* 0 for the root */
    uint64_t modified_index;       /* 0 for the root */
    const struct etcd_node *nodes; /* children (directories); NULL when none */
    size_t nnodes;
} etcd_node;

/* A v2 role and the key-space paths it may read and write. */
typedef struct etcd_role {
    const char *name;
    const char *const *read;
    size_t nread;
    const char *const *write;
    size_t nwrite;
} etcd_role;

/* A v2 user and its roles (with their paths when etcd sends them). */
typedef struct etcd_user {
    const char *name;
    const etcd_role *roles;
    size_t nroles;
} etcd_user;

/* A cluster member. The health fields are filled by etcd_cluster_health() only. */
typedef struct etcd_member {
    const char *id; /* hex, as etcd prints it */
    const char *name;
    const char *const *peer_urls;
    size_t npeer_urls;
    const char *const *client_urls;
    size_t nclient_urls;
    int healthy;
    int reachable; /* some client URL answered /health, healthy or not */
    int is_leader;
    const char *health_url;    /* the client URL that answered, or was tried last */
    const char *health_reason; /* why the member is not healthy, or NULL */
    int is_learner;            /* v3: a learner, not yet voting */
} etcd_member;

/* /v2/stats/self. */
typedef struct etcd_self_stats {
    const char *name;
    const char *id;
    const char *state; /* "StateLeader", "StateFollower", ... */
    const char *start_time;
    const char *leader_id;
    const char *leader_uptime;
    const char *leader_start_time;
    uint64_t recv_append_request_cnt;
    uint64_t send_append_request_cnt;
    double recv_pkg_rate;
    double recv_bandwidth_rate;
    double send_pkg_rate;
    double send_bandwidth_rate;
} etcd_self_stats;

/* One follower in /v2/stats/leader; latencies in milliseconds. */
typedef struct etcd_follower_stats {
    const char *id;
    double latency_current;
    double latency_average;
    double latency_stddev;
    double latency_min;
    double latency_max;
    uint64_t fail;
    uint64_t success;
} etcd_follower_stats;

/* /v2/stats/leader. */
typedef struct etcd_leader_stats {
    const char *leader;
    const etcd_follower_stats *followers;
    size_t nfollowers;
} etcd_leader_stats;

/* One counter of /v2/stats/store ("getsSuccess"). */
typedef struct etcd_counter {
    const char *name;
    uint64_t value;
} etcd_counter;

typedef enum etcd_cluster_state {
    ETCD_CLUSTER_UNAVAILABLE = 0,
    ETCD_CLUSTER_DEGRADED,
    ETCD_CLUSTER_HEALTHY
} etcd_cluster_state;

/* ---- v3 results (etcd/v3.h) ---- */

/* A v3 key-value pair (mvccpb.KeyValue). key and value are NUL-terminated and may hold
 * NUL bytes: their lengths are exact. */
typedef struct etcd_kv {
    const char *key;
    size_t key_len;
    const char *value;
    size_t value_len;
    int64_t create_revision;
    int64_t mod_revision;
    int64_t version;
    int64_t lease;
} etcd_kv;

/* The header of every v3 answer. */
typedef struct etcd_v3_header {
    uint64_t cluster_id;
    uint64_t member_id;
    int64_t revision;
    uint64_t raft_term;
} etcd_v3_header;

struct etcd_event;

/* The result of a v3 call, or of one operation inside a transaction. */
typedef struct etcd_v3_result {
    int op;             /* a transaction operation's etcd_op_type */
    const etcd_kv *kvs; /* range */
    size_t nkvs;
    int more;
    int64_t count;
    const etcd_kv *prev_kvs; /* put, delete with prev_kv */
    size_t nprev_kvs;
    int64_t deleted; /* delete */
    int succeeded;   /* txn: which branch ran */
    const struct etcd_v3_result *results;
    size_t nresults;
    const struct etcd_event *events; /* watch */
    size_t nevents;
    int64_t compact_revision; /* watch: ETCD_ECOMPACTED */
    int created;              /* watch: the first message of a stream */
    int canceled;             /* watch: the server ended the watch */
    int64_t id;               /* lease: its ID */
    int64_t ttl;              /* lease: seconds left (-1: expired or unknown) */
    int64_t granted_ttl;      /* lease: the TTL it was granted with */
    const int64_t *leases;    /* lease list */
    size_t nleases;
} etcd_v3_result;

/* A role's permission in v3: READ, WRITE or READWRITE (etcd_perm_type) on a key or
 * [key, range_end). */
typedef struct etcd_v3_perm {
    int type;
    const char *key;
    size_t key_len;
    const char *range_end; /* "" for a single key */
    size_t range_end_len;
} etcd_v3_perm;

/* A member's status (maintenance). IDs in hex. */
typedef struct etcd_v3_member_status {
    const char *version;
    int64_t db_size;
    int64_t db_size_in_use;
    const char *member_id;
    const char *leader;
    uint64_t raft_index;
    uint64_t raft_term;
    uint64_t raft_applied_index;
    int is_learner;
    const char *const *errors;
    size_t nerrors;
} etcd_v3_member_status;

typedef struct etcd_v3_alarm {
    const char *member_id; /* hex */
    const char *alarm;     /* "NOSPACE", "CORRUPT" */
} etcd_v3_alarm;

/* An election leadership, as campaign returns it. */
typedef struct etcd_v3_leader_key {
    const char *name;
    size_t name_len;
    const char *key;
    size_t key_len;
    int64_t rev;
    int64_t lease;
} etcd_v3_leader_key;

/* Everything a request produced. A response handed to a callback is borrowed and lives
 * until the callback returns (keep it with etcd_response_dup()). A response returned by
 * a _sync call is owned by the caller: free it with etcd_response_free(). */
typedef struct etcd_response {
    int status;           /* ETCD_OK or the call's error; the same as the callback's */
    long http_status;     /* 0 when no HTTP answer was received */
    const char *endpoint; /* the endpoint that answered, or that failed last */
    const char *reason;   /* for transport, TLS and protocol errors: what failed */
    etcd_cluster_info info;
    etcd_error_info error; /* set when status is ETCD_EETCD or ETCD_ECLEARED */

    /* The raw response body (NUL-terminated; body_len excludes the NUL). */
    const char *body;
    size_t body_len;

    /* v2 keys and watch results. */
    etcd_action action;
    const etcd_node *node;      /* NULL when absent */
    const etcd_node *prev_node; /* NULL when absent */

    /* etcd_health(): nonzero when the member reported {"health":"true"}. */
    int health;
    /* etcd_version(): the server's and the cluster's versions, or NULL. */
    const char *server_version;
    const char *cluster_version;

    /* admin.h results: see each call. */
    int auth_enabled;
    int auth_changed;
    const etcd_user *users;
    size_t nusers;
    const etcd_role *roles;
    size_t nroles;
    const etcd_member *members;
    size_t nmembers;
    const etcd_self_stats *stats_self;
    const etcd_leader_stats *stats_leader;
    const etcd_counter *counters;
    size_t ncounters;
    etcd_cluster_state cluster_state;

    /* v3.h results. */
    const etcd_v3_header *header; /* NULL when the answer had none */
    etcd_v3_result v3;
    const char *v3_token;         /* etcd_v3_authenticate() */
    const etcd_v3_perm *v3_perms; /* etcd_v3_role_get() */
    size_t nv3_perms;
    const etcd_v3_member_status *v3_status; /* etcd_v3_status() */
    const etcd_v3_alarm *v3_alarms;         /* etcd_v3_alarm_list() */
    size_t nv3_alarms;
    uint32_t v3_hash; /* etcd_v3_hashkv() */
    int64_t v3_hash_compact_revision;
    const char *v3_key; /* etcd_v3_lock(): the key that holds the lock */
    size_t v3_key_len;
    const etcd_v3_leader_key *v3_leader; /* etcd_v3_campaign() */
} etcd_response;

/* A deep copy of `resp` that the caller owns, or NULL when out of memory. */
ETCD_EXPORT etcd_response *etcd_response_dup(const etcd_response *resp);

/* Free a response owned by the caller. NULL does nothing. */
ETCD_EXPORT void etcd_response_free(etcd_response *resp);

/* Write a one-line description of a failed response into buf, in etcdctl's form
 * ("100: Key not found (/foo) [12]" for an etcd error, "http://127.0.0.1:2379: Connection
 * refused" for a transport error). Returns buf. */
ETCD_EXPORT const char *etcd_response_describe(const etcd_response *resp, char *buf,
                                               size_t size);

/* The callback of every asynchronous call. `resp` is never NULL; it is borrowed. */
typedef void (*etcd_response_cb)(etcd_client *client, const etcd_response *resp,
                                 void *data);

/* ---- Health and version ------------------------------------------------------------ */

/* GET /health of the current endpoint: resp->health. */
ETCD_EXPORT int etcd_health(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_health_sync(etcd_client *client, etcd_response **out);

/* GET /version: resp->server_version and resp->cluster_version. */
ETCD_EXPORT int etcd_version(etcd_client *client, etcd_response_cb cb, void *data);
ETCD_EXPORT int etcd_version_sync(etcd_client *client, etcd_response **out);

/* The libetcd version, "0.1.0". */
ETCD_EXPORT const char *etcd_library_version(void);

/* The versions of the libraries libetcd was built with and runs with. Every field is a
 * static string (borrowed, valid for the program's life), never NULL: "" when unknown. */
typedef struct etcd_versions {
    const char *libetcd;       /* as etcd_library_version() */
    const char *curl;          /* the running libcurl */
    const char *curl_built;    /* the libcurl headers libetcd was built with */
    const char *curl_ssl;      /* libcurl's TLS backend, "OpenSSL/3.0.11" */
    const char *jansson;       /* the running Jansson */
    const char *jansson_built; /* the Jansson headers libetcd was built with */
    const char *openssl;       /* the OpenSSL libcurl runs with, "" if another backend */
} etcd_versions;

#define ETCD_HAVE_VERSIONS 1

ETCD_EXPORT const etcd_versions *etcd_library_versions(void);

#ifdef __cplusplus
}
#endif

#endif /* ETCD_CLIENT_H */
