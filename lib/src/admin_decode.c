/*
 * libetcd: decoders for the v2 admin answers (auth, users, roles, members, stats).
 *
 * Every string points into the parsed JSON that the response keeps; every array comes
 * from the response's arena. A field of the wrong type makes the answer malformed.
 */
#include "admin_int.h"

#include <string.h>

static const char *get_string(json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

static uint64_t get_uint(json_t *obj, const char *name)
{
    json_int_t v = json_integer_value(json_object_get(obj, name));

    return v > 0 ? (uint64_t)v : 0;
}

static double get_double(json_t *obj, const char *name)
{
    return json_number_value(json_object_get(obj, name));
}

/* Field `name` of obj: a list of strings (null or absent: empty) as an arena array. */
static int string_field(etcd__dec *d, json_t *obj, const char *name,
                        const char *const **out, size_t *n)
{
    json_t *arr = json_object_get(obj, name);

    return etcd__decode_strings(d, json_is_null(arr) ? NULL : arr, out, n);
}

/* The name of a user or role: j itself when the answer gives only names, else its
 * field `field`. */
static const char *name_of(json_t *j, const char *field)
{
    return json_is_string(j) ? json_string_value(j) : get_string(j, field);
}

/* A role: {"role":..., "permissions":{"kv":{"read":[...],"write":[...]}}}, or just its
 * name (a user's roles, in some answers). */
static int fill_role(etcd__dec *d, json_t *j, void *out)
{
    etcd_role *role = out;
    json_t *kv;
    int rc;

    role->name = name_of(j, "role");
    if (!role->name)
        return etcd__malformed(d, "role without a name");
    if (json_is_string(j))
        return ETCD_OK;
    kv = json_object_get(json_object_get(j, "permissions"), "kv");
    rc = string_field(d, kv, "read", &role->read, &role->nread);
    if (!rc)
        rc = string_field(d, kv, "write", &role->write, &role->nwrite);
    return rc;
}

/* Fill one element (an etcd_role, etcd_user or etcd_member) from its JSON. */
typedef int (*fill_fn)(etcd__dec *d, json_t *j, void *out);

/* A list of objects (or null/absent: empty), each filled by `fill` into an arena array
 * of `size`-byte elements; `what` is the complaint when arr is no list. */
static int object_array(etcd__dec *d, json_t *arr, const char *what, size_t size,
                        fill_fn fill, void **out, size_t *n)
{
    char *items;
    size_t i;
    int rc;

    *out = NULL;
    *n = 0;
    if (!arr || json_is_null(arr) || (json_is_array(arr) && json_array_size(arr) == 0))
        return ETCD_OK;
    if (!json_is_array(arr))
        return etcd__malformed(d, what);
    items = etcd__response_alloc(d->resp, json_array_size(arr) * size);
    if (!items)
        return ETCD_ENOMEM;
    for (i = 0; i < json_array_size(arr); i++) {
        rc = fill(d, json_array_get(arr, i), items + i * size);
        if (rc)
            return rc;
    }
    *out = items;
    *n = i;
    return ETCD_OK;
}

static int fill_user(etcd__dec *d, json_t *j, void *out)
{
    etcd_user *user = out;
    void *roles;
    int rc;

    user->name = name_of(j, "user");
    if (!user->name)
        return etcd__malformed(d, "user without a name");
    if (json_is_string(j))
        return ETCD_OK;
    rc = object_array(d, json_object_get(j, "roles"), "expected a list of roles",
                      sizeof(etcd_role), fill_role, &roles, &user->nroles);
    user->roles = roles;
    return rc;
}

static int fill_member(etcd__dec *d, json_t *j, void *out)
{
    etcd_member *m = out;
    int rc;

    m->id = get_string(j, "id");
    if (!m->id)
        return etcd__malformed(d, "member without an id");
    m->name = get_string(j, "name");
    rc = string_field(d, j, "peerURLs", &m->peer_urls, &m->npeer_urls);
    if (!rc)
        rc = string_field(d, j, "clientURLs", &m->client_urls, &m->nclient_urls);
    return rc;
}

/* One object as a one-element array of `size` bytes. */
static int single(etcd__dec *d, json_t *root, size_t size, fill_fn fill, void **out,
                  size_t *n)
{
    void *item = etcd__response_alloc(d->resp, size);
    int rc;

    if (!item)
        return ETCD_ENOMEM;
    rc = fill(d, root, item);
    if (rc)
        return rc;
    *out = item;
    *n = 1;
    return ETCD_OK;
}

static int decode_stats_self(etcd__dec *d, json_t *root)
{
    etcd_self_stats *s = etcd__response_alloc(d->resp, sizeof(*s));
    json_t *leader = json_object_get(root, "leaderInfo");

    if (!s)
        return ETCD_ENOMEM;
    s->name = get_string(root, "name");
    s->id = get_string(root, "id");
    s->state = get_string(root, "state");
    s->start_time = get_string(root, "startTime");
    s->leader_id = get_string(leader, "leader");
    s->leader_uptime = get_string(leader, "uptime");
    s->leader_start_time = get_string(leader, "startTime");
    s->recv_append_request_cnt = get_uint(root, "recvAppendRequestCnt");
    s->send_append_request_cnt = get_uint(root, "sendAppendRequestCnt");
    s->recv_pkg_rate = get_double(root, "recvPkgRate");
    s->recv_bandwidth_rate = get_double(root, "recvBandwidthRate");
    s->send_pkg_rate = get_double(root, "sendPkgRate");
    s->send_bandwidth_rate = get_double(root, "sendBandwidthRate");
    if (!s->id)
        return etcd__malformed(d, "self stats without an id");
    d->resp->stats_self = s;
    return ETCD_OK;
}

static int decode_stats_leader(etcd__dec *d, json_t *root)
{
    etcd_leader_stats *s = etcd__response_alloc(d->resp, sizeof(*s));
    json_t *followers = json_object_get(root, "followers"), *f;
    etcd_follower_stats *out;
    const char *id;
    size_t i = 0;

    if (!s)
        return ETCD_ENOMEM;
    s->leader = get_string(root, "leader");
    if (!s->leader || (followers && !json_is_object(followers)))
        return etcd__malformed(d, "leader stats without a leader");
    d->resp->stats_leader = s;
    if (!followers || json_object_size(followers) == 0)
        return ETCD_OK;
    out = etcd__response_alloc(d->resp, json_object_size(followers) * sizeof(*out));
    if (!out)
        return ETCD_ENOMEM;
    json_object_foreach(followers, id, f)
    {
        json_t *latency = json_object_get(f, "latency");
        json_t *counts = json_object_get(f, "counts");

        out[i].id = id;
        out[i].latency_current = get_double(latency, "current");
        out[i].latency_average = get_double(latency, "average");
        out[i].latency_stddev = get_double(latency, "standardDeviation");
        out[i].latency_min = get_double(latency, "minimum");
        out[i].latency_max = get_double(latency, "maximum");
        out[i].fail = get_uint(counts, "fail");
        out[i].success = get_uint(counts, "success");
        i++;
    }
    s->followers = out;
    s->nfollowers = i;
    return ETCD_OK;
}

static int decode_stats_store(etcd__dec *d, json_t *root)
{
    etcd_counter *out;
    const char *name;
    json_t *v;
    size_t i = 0;

    if (json_object_size(root) == 0)
        return ETCD_OK;
    out = etcd__response_alloc(d->resp, json_object_size(root) * sizeof(*out));
    if (!out)
        return ETCD_ENOMEM;
    json_object_foreach(root, name, v)
    {
        if (!json_is_integer(v))
            continue;
        out[i].name = name;
        out[i].value = get_uint(root, name);
        i++;
    }
    d->resp->counters = out;
    d->resp->ncounters = i;
    return ETCD_OK;
}

static int decode_auth_status(etcd__dec *d, json_t *root)
{
    json_t *enabled = json_object_get(root, "enabled");

    if (!json_is_boolean(enabled))
        return etcd__malformed(d, "auth status without enabled");
    d->resp->auth_enabled = json_is_true(enabled);
    return ETCD_OK;
}

int etcd__decode_admin(etcd_response *resp, etcd__decoder decoder, json_t *root,
                       const char **why)
{
    etcd__dec d = {resp, NULL};
    void *items = NULL;
    size_t n = 0;
    int rc = ETCD_OK;

    switch (decoder) {
    case ETCD__DECODE_AUTH_STATUS:
        rc = decode_auth_status(&d, root);
        break;
    case ETCD__DECODE_USERS:
    case ETCD__DECODE_USER:
        rc = decoder == ETCD__DECODE_USER
                 ? single(&d, root, sizeof(etcd_user), fill_user, &items, &n)
                 : object_array(&d, json_object_get(root, "users"),
                                "expected a list of users", sizeof(etcd_user), fill_user,
                                &items, &n);
        resp->users = items;
        resp->nusers = n;
        break;
    case ETCD__DECODE_ROLES:
    case ETCD__DECODE_ROLE:
        rc = decoder == ETCD__DECODE_ROLE
                 ? single(&d, root, sizeof(etcd_role), fill_role, &items, &n)
                 : object_array(&d, json_object_get(root, "roles"),
                                "expected a list of roles", sizeof(etcd_role), fill_role,
                                &items, &n);
        resp->roles = items;
        resp->nroles = n;
        break;
    case ETCD__DECODE_MEMBERS:
    case ETCD__DECODE_MEMBER:
        rc = decoder == ETCD__DECODE_MEMBER
                 ? single(&d, root, sizeof(etcd_member), fill_member, &items, &n)
                 : object_array(&d, json_object_get(root, "members"),
                                "expected a list of members", sizeof(etcd_member),
                                fill_member, &items, &n);
        resp->members = items;
        resp->nmembers = n;
        break;
    case ETCD__DECODE_STATS_SELF:
        rc = decode_stats_self(&d, root);
        break;
    case ETCD__DECODE_STATS_LEADER:
        rc = decode_stats_leader(&d, root);
        break;
    case ETCD__DECODE_STATS_STORE:
        rc = decode_stats_store(&d, root);
        break;
    default:
        break;
    }
    *why = d.why;
    return rc;
}
