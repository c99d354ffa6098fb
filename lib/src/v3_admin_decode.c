/*
 * libetcd: decoding the v3 admin and concurrency answers.
 *
 * The hook sees only the answer, not the call, so each answer is recognised by its
 * fields: "users", "roles", "perm", "members" (and "member"), the status fields,
 * "alarms", "hash", "enabled", "key" (lock), "leader" (an object: campaign) and "kv"
 * (election leader and observe). Member IDs come as decimal strings and are handed out
 * in hex, as etcd prints them.
 */
#include "v3_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64_int.h"

/* The ID field `name` of obj in hex, in the arena; absent gives "0". */
static int get_hex_id(etcd__dec *d, json_t *obj, const char *name, const char **out)
{
    char hex[24];
    uint64_t id;

    if (!etcd__v3_get_uint(obj, name, &id))
        return etcd__malformed(d, "malformed member ID");
    snprintf(hex, sizeof(hex), "%" PRIx64, id);
    *out = etcd__response_strdup(d->resp, hex);
    return *out ? ETCD_OK : ETCD_ENOMEM;
}

/* {"users":[names]}: user list. */
static int decode_users(etcd__dec *d, json_t *arr)
{
    const char *const *names;
    etcd_user *users;
    size_t i, n;
    int rc = etcd__decode_strings(d, arr, &names, &n);

    if (rc || n == 0)
        return rc;
    users = etcd__response_alloc(d->resp, n * sizeof(*users));
    if (!users)
        return ETCD_ENOMEM;
    for (i = 0; i < n; i++)
        users[i].name = names[i];
    d->resp->users = users;
    d->resp->nusers = n;
    return ETCD_OK;
}

/* {"roles":[names]}: the role list, or (as_user) the roles of the user asked for, whose
 * name the answer does not repeat (NULL). */
static int decode_roles(etcd__dec *d, json_t *arr, int as_user)
{
    const char *const *names;
    etcd_role *roles;
    etcd_user *user;
    size_t i, n;
    int rc = etcd__decode_strings(d, arr, &names, &n);

    if (rc)
        return rc;
    user = etcd__response_alloc(d->resp, sizeof(*user));
    roles = n ? etcd__response_alloc(d->resp, n * sizeof(*roles)) : NULL;
    if (!user || (n && !roles))
        return ETCD_ENOMEM;
    for (i = 0; i < n; i++)
        roles[i].name = names[i];
    if (!as_user) {
        d->resp->roles = roles;
        d->resp->nroles = n;
        return ETCD_OK;
    }
    user->roles = roles;
    user->nroles = n;
    d->resp->users = user;
    d->resp->nusers = 1;
    return ETCD_OK;
}

/* {"perm":[{"permType":"READWRITE","key":..,"range_end":..}]}: role get. READ, the
 * default, is left out. */
static int decode_perms(etcd__dec *d, json_t *arr)
{
    static const char *const names[] = {"READ", "WRITE", "READWRITE"};
    etcd_v3_perm *perms;
    size_t i, k;
    int rc;

    if (!json_is_array(arr))
        return etcd__malformed(d, "expected a list of permissions");
    if (json_array_size(arr) == 0)
        return ETCD_OK;
    perms = etcd__response_alloc(d->resp, json_array_size(arr) * sizeof(*perms));
    if (!perms)
        return ETCD_ENOMEM;
    for (i = 0; i < json_array_size(arr); i++) {
        json_t *p = json_array_get(arr, i), *type = json_object_get(p, "permType");

        if (json_is_integer(type)) {
            perms[i].type = (int)json_integer_value(type);
        } else if (json_is_string(type)) {
            perms[i].type = -1;
            for (k = 0; k < 3; k++) {
                if (strcmp(json_string_value(type), names[k]) == 0)
                    perms[i].type = (int)k;
            }
            if (perms[i].type < 0)
                return etcd__malformed(d, "unknown permission type");
        } else if (type) {
            return etcd__malformed(d, "malformed permission type");
        }
        rc = etcd__v3_get_bytes(d, p, "key", &perms[i].key, &perms[i].key_len);
        if (!rc)
            rc = etcd__v3_get_bytes(d, p, "range_end", &perms[i].range_end,
                                    &perms[i].range_end_len);
        if (rc)
            return rc;
    }
    d->resp->v3_perms = perms;
    d->resp->nv3_perms = i;
    return ETCD_OK;
}

static int fill_member(etcd__dec *d, json_t *j, etcd_member *m)
{
    int rc;

    if (!json_is_object(j))
        return etcd__malformed(d, "expected a member object");
    rc = get_hex_id(d, j, "ID", &m->id);
    if (rc)
        return rc;
    m->name = json_string_value(json_object_get(j, "name"));
    if (!m->name)
        m->name = ""; /* a member added but not started has no name yet */
    rc = etcd__decode_strings(d, json_object_get(j, "peerURLs"), &m->peer_urls,
                              &m->npeer_urls);
    if (!rc)
        rc = etcd__decode_strings(d, json_object_get(j, "clientURLs"), &m->client_urls,
                                  &m->nclient_urls);
    m->is_learner = json_is_true(json_object_get(j, "isLearner"));
    return rc;
}

/* {"member":{...}, "members":[...]}: the new member first (member add), then the
 * list. */
static int decode_members(etcd__dec *d, json_t *one, json_t *list)
{
    size_t n = json_array_size(list) + (one ? 1 : 0), i = 0, k;
    etcd_member *members;
    int rc;

    if (list && !json_is_array(list))
        return etcd__malformed(d, "expected a list of members");
    if (n == 0)
        return ETCD_OK;
    members = etcd__response_alloc(d->resp, n * sizeof(*members));
    if (!members)
        return ETCD_ENOMEM;
    if (one) {
        rc = fill_member(d, one, &members[i++]);
        if (rc)
            return rc;
    }
    for (k = 0; k < json_array_size(list); k++) {
        rc = fill_member(d, json_array_get(list, k), &members[i++]);
        if (rc)
            return rc;
    }
    d->resp->members = members;
    d->resp->nmembers = n;
    return ETCD_OK;
}

/* maintenance/status. The member is the header's; the leader is its ID. */
static int decode_status(etcd__dec *d, json_t *root)
{
    etcd_v3_member_status *st = etcd__response_alloc(d->resp, sizeof(*st));
    json_t *header = json_object_get(root, "header");
    int rc;

    if (!st)
        return ETCD_ENOMEM;
    st->version = json_string_value(json_object_get(root, "version"));
    if (!etcd__v3_get_int(root, "dbSize", &st->db_size) ||
        !etcd__v3_get_int(root, "dbSizeInUse", &st->db_size_in_use) ||
        !etcd__v3_get_uint(root, "raftIndex", &st->raft_index) ||
        !etcd__v3_get_uint(root, "raftTerm", &st->raft_term) ||
        !etcd__v3_get_uint(root, "raftAppliedIndex", &st->raft_applied_index))
        return etcd__malformed(d, "malformed number in a status");
    rc = get_hex_id(d, header, "member_id", &st->member_id);
    if (!rc)
        rc = get_hex_id(d, root, "leader", &st->leader);
    if (!rc)
        rc = etcd__decode_strings(d, json_object_get(root, "errors"), &st->errors,
                                  &st->nerrors);
    if (rc)
        return rc;
    st->is_learner = json_is_true(json_object_get(root, "isLearner"));
    d->resp->v3_status = st;
    return ETCD_OK;
}

/* {"alarms":[{"memberID":..,"alarm":"NOSPACE"}]}; NONE, the default, is left out. */
static int decode_alarms(etcd__dec *d, json_t *arr)
{
    etcd_v3_alarm *alarms;
    size_t i;
    int rc;

    if (!json_is_array(arr))
        return etcd__malformed(d, "expected a list of alarms");
    if (json_array_size(arr) == 0)
        return ETCD_OK;
    alarms = etcd__response_alloc(d->resp, json_array_size(arr) * sizeof(*alarms));
    if (!alarms)
        return ETCD_ENOMEM;
    for (i = 0; i < json_array_size(arr); i++) {
        json_t *a = json_array_get(arr, i), *name = json_object_get(a, "alarm");

        rc = get_hex_id(d, a, "memberID", &alarms[i].member_id);
        if (rc)
            return rc;
        if (name && !json_is_string(name))
            return etcd__malformed(d, "malformed alarm type");
        alarms[i].alarm = name ? json_string_value(name) : "NONE";
    }
    d->resp->v3_alarms = alarms;
    d->resp->nv3_alarms = i;
    return ETCD_OK;
}

/* {"leader":{"name":..,"key":..,"rev":..,"lease":..}}: campaign. */
static int decode_leader(etcd__dec *d, json_t *j)
{
    etcd_v3_leader_key *l = etcd__response_alloc(d->resp, sizeof(*l));
    int rc;

    if (!l)
        return ETCD_ENOMEM;
    rc = etcd__v3_get_bytes(d, j, "name", &l->name, &l->name_len);
    if (!rc)
        rc = etcd__v3_get_bytes(d, j, "key", &l->key, &l->key_len);
    if (!rc && (!etcd__v3_get_int(j, "rev", &l->rev) ||
                !etcd__v3_get_int(j, "lease", &l->lease)))
        rc = etcd__malformed(d, "malformed number in a leader key");
    if (!rc)
        d->resp->v3_leader = l;
    return rc;
}

/* {"kv":{...}}: the leader's proclamation (election leader, observe). */
static int decode_kv(etcd__dec *d, json_t *j)
{
    etcd_kv *kv = etcd__response_alloc(d->resp, sizeof(*kv));
    int rc;

    if (!kv)
        return ETCD_ENOMEM;
    rc = etcd__v3_fill_kv(d, j, kv);
    if (rc)
        return rc;
    d->resp->v3.kvs = kv;
    d->resp->v3.nkvs = 1;
    return ETCD_OK;
}

static int decode_admin(etcd__dec *d, json_t *root, int as_user)
{
    json_t *v;
    int rc = ETCD_OK;

    v = json_object_get(root, "users");
    if (v)
        rc = decode_users(d, v);
    v = json_object_get(root, "roles");
    if (!rc && v)
        rc = decode_roles(d, v, as_user);
    v = json_object_get(root, "perm");
    if (!rc && v)
        rc = decode_perms(d, v);
    if (!rc && (json_object_get(root, "members") || json_object_get(root, "member")))
        rc = decode_members(d, json_object_get(root, "member"),
                            json_object_get(root, "members"));
    if (!rc && (json_is_string(json_object_get(root, "version")) ||
                json_object_get(root, "raftIndex")))
        rc = decode_status(d, root);
    v = json_object_get(root, "alarms");
    if (!rc && v)
        rc = decode_alarms(d, v);
    v = json_object_get(root, "hash");
    if (!rc && v) {
        if (!json_is_integer(v))
            return etcd__malformed(d, "malformed hash");
        d->resp->v3_hash = (uint32_t)json_integer_value(v);
        d->resp->v3_hash_compact_revision = d->resp->v3.compact_revision;
    }
    v = json_object_get(root, "enabled");
    if (!rc && json_is_boolean(v))
        d->resp->auth_enabled = json_is_true(v);
    v = json_object_get(root, "key");
    if (!rc && json_is_string(v))
        rc = etcd__v3_get_bytes(d, root, "key", &d->resp->v3_key, &d->resp->v3_key_len);
    v = json_object_get(root, "leader");
    if (!rc && json_is_object(v))
        rc = decode_leader(d, v);
    v = json_object_get(root, "kv");
    if (!rc && v)
        rc = decode_kv(d, v);
    return rc;
}

int etcd__decode_v3_admin(etcd_response *resp, etcd__decoder decoder, json_t *root,
                          const char **why)
{
    etcd__dec d = {resp, NULL};
    int rc = decode_admin(&d, root, decoder == ETCD__DECODE_V3_USER);

    if (rc == ETCD_EPROTO)
        *why = d.why;
    return rc;
}
