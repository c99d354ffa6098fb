/*
 * libetcd: v2 auth (/v2/auth): enable, disable, status, users and roles.
 */
#include "admin_int.h"
#include "client_int.h"

#include <stdlib.h>

int etcd__req_set_json(etcd__req *req, json_t *body)
{
    char *text;
    int rc;

    if (!body)
        return ETCD_ENOMEM;
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text)
        return ETCD_ENOMEM;
    rc = etcd__buf_puts(etcd__req_body(req), text);
    free(text);
    return rc;
}

int etcd__admin_request(etcd_client *client, etcd__method method, etcd__decoder decoder,
                        const char *path, const char *name, json_t *body, etcd__req **out)
{
    unsigned flags = ETCD__REQ_JSON | (method == ETCD__GET ? ETCD__REQ_IDEMPOTENT : 0);
    etcd__req *req;
    int rc;

    *out = NULL;
    if (!client || !path) {
        json_decref(body);
        return ETCD_EINVAL;
    }
    req = etcd__req_new(client, method, decoder, flags);
    if (!req) {
        json_decref(body);
        return ETCD_ENOMEM;
    }
    rc = etcd__buf_puts(etcd__req_path(req), path);
    if (!rc && name)
        rc = etcd__buf_puts(etcd__req_path(req), "/");
    if (!rc && name)
        rc = etcd__buf_put_escaped(etcd__req_path(req), name, 0);
    if (!rc && body)
        rc = etcd__req_set_json(req, body);
    else
        json_decref(body);
    if (rc) {
        etcd__req_free(req);
        return rc;
    }
    *out = req;
    return ETCD_OK;
}

int etcd__strings_valid(const char *const *items, size_t n)
{
    size_t i;

    if (n && !items)
        return 0;
    for (i = 0; i < n; i++) {
        if (!items[i])
            return 0;
    }
    return 1;
}

json_t *etcd__json_strings(const char *const *items, size_t n)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr && i < n; i++) {
        if (!items[i] || json_array_append_new(arr, json_string(items[i]))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

int etcd__admin_call(etcd_client *client, etcd__method method, etcd__decoder decoder,
                     const char *path, const char *name, json_t *body, etcd__sink sink)
{
    etcd__req *req;
    int rc = etcd__admin_request(client, method, decoder, path, name, body, &req);

    return etcd__req_dispatch(rc, req, sink);
}

/* ---- Enable, disable, status ------------------------------------------------------- */

#define AUTH_ENABLE "/v2/auth/enable"
#define USERS "/v2/auth/users"
#define ROLES "/v2/auth/roles"

int etcd_auth_status(etcd_client *client, etcd_response_cb cb, void *data)
{
    return etcd__admin_call(client, ETCD__GET, ETCD__DECODE_AUTH_STATUS, AUTH_ENABLE,
                            NULL, NULL, etcd__async(cb, data));
}

int etcd_auth_status_sync(etcd_client *client, etcd_response **out)
{
    return etcd__admin_call(client, ETCD__GET, ETCD__DECODE_AUTH_STATUS, AUTH_ENABLE,
                            NULL, NULL, etcd__sync(out));
}

int etcd_auth_enable(etcd_client *client, etcd_response_cb cb, void *data)
{
    return etcd__admin_call(client, ETCD__PUT, ETCD__DECODE_AUTH_TOGGLE, AUTH_ENABLE,
                            NULL, NULL, etcd__async(cb, data));
}

int etcd_auth_enable_sync(etcd_client *client, etcd_response **out)
{
    return etcd__admin_call(client, ETCD__PUT, ETCD__DECODE_AUTH_TOGGLE, AUTH_ENABLE,
                            NULL, NULL, etcd__sync(out));
}

int etcd_auth_disable(etcd_client *client, etcd_response_cb cb, void *data)
{
    return etcd__admin_call(client, ETCD__DELETE, ETCD__DECODE_AUTH_TOGGLE, AUTH_ENABLE,
                            NULL, NULL, etcd__async(cb, data));
}

int etcd_auth_disable_sync(etcd_client *client, etcd_response **out)
{
    return etcd__admin_call(client, ETCD__DELETE, ETCD__DECODE_AUTH_TOGGLE, AUTH_ENABLE,
                            NULL, NULL, etcd__sync(out));
}

/* ---- Users ------------------------------------------------------------------------- */

/* Add `field`: a list of strings when n > 0 (nothing otherwise). -1 when out of memory.
 */
static int set_strings(json_t *obj, const char *field, const char *const *items, size_t n)
{
    if (n == 0)
        return 0;
    return json_object_set_new(obj, field, etcd__json_strings(items, n));
}

/* {"user":name, "password":..., <roles_field>:[grant...], "revoke":[...]} */
static json_t *user_body(const char *name, const etcd_user_change *ch,
                         const char *roles_field)
{
    json_t *body = json_pack("{s:s}", "user", name);

    if (!body)
        return NULL;
    if ((ch->password &&
         json_object_set_new(body, "password", json_string(ch->password))) ||
        set_strings(body, roles_field, ch->grant, ch->ngrant) ||
        set_strings(body, "revoke", ch->revoke, ch->nrevoke)) {
        json_decref(body);
        return NULL;
    }
    return body;
}

static int user_change(etcd_client *client, const char *name, const etcd_user_change *ch,
                       int create, etcd__sink sink)
{
    json_t *body;

    if (!name || !ch || (create && (!ch->password || ch->nrevoke)) ||
        !etcd__strings_valid(ch->grant, ch->ngrant) ||
        !etcd__strings_valid(ch->revoke, ch->nrevoke))
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    body = user_body(name, ch, create ? "roles" : "grant");
    if (!body)
        return etcd__req_dispatch(ETCD_ENOMEM, NULL, sink);
    return etcd__admin_call(client, ETCD__PUT, ETCD__DECODE_USER, USERS, name, body,
                            sink);
}

int etcd_user_list(etcd_client *client, etcd_response_cb cb, void *data)
{
    return etcd__admin_call(client, ETCD__GET, ETCD__DECODE_USERS, USERS, NULL, NULL,
                            etcd__async(cb, data));
}

int etcd_user_list_sync(etcd_client *client, etcd_response **out)
{
    return etcd__admin_call(client, ETCD__GET, ETCD__DECODE_USERS, USERS, NULL, NULL,
                            etcd__sync(out));
}

static int user_named(etcd_client *client, etcd__method method, etcd__decoder decoder,
                      const char *name, etcd__sink sink)
{
    if (!name)
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return etcd__admin_call(client, method, decoder, USERS, name, NULL, sink);
}

int etcd_user_get(etcd_client *client, const char *name, etcd_response_cb cb, void *data)
{
    return user_named(client, ETCD__GET, ETCD__DECODE_USER, name, etcd__async(cb, data));
}

int etcd_user_get_sync(etcd_client *client, const char *name, etcd_response **out)
{
    return user_named(client, ETCD__GET, ETCD__DECODE_USER, name, etcd__sync(out));
}

int etcd_user_create(etcd_client *client, const char *name,
                     const etcd_user_change *change, etcd_response_cb cb, void *data)
{
    return user_change(client, name, change, 1, etcd__async(cb, data));
}

int etcd_user_create_sync(etcd_client *client, const char *name,
                          const etcd_user_change *change, etcd_response **out)
{
    return user_change(client, name, change, 1, etcd__sync(out));
}

int etcd_user_update(etcd_client *client, const char *name,
                     const etcd_user_change *change, etcd_response_cb cb, void *data)
{
    return user_change(client, name, change, 0, etcd__async(cb, data));
}

int etcd_user_update_sync(etcd_client *client, const char *name,
                          const etcd_user_change *change, etcd_response **out)
{
    return user_change(client, name, change, 0, etcd__sync(out));
}

int etcd_user_delete(etcd_client *client, const char *name, etcd_response_cb cb,
                     void *data)
{
    return user_named(client, ETCD__DELETE, ETCD__DECODE_RAW, name,
                      etcd__async(cb, data));
}

int etcd_user_delete_sync(etcd_client *client, const char *name, etcd_response **out)
{
    return user_named(client, ETCD__DELETE, ETCD__DECODE_RAW, name, etcd__sync(out));
}

/* ---- Roles ------------------------------------------------------------------------- */

/* Add `field` as {"kv":{"read":[...],"write":[...]}} when p is given. -1 when out of
 * memory. */
static int set_paths(json_t *obj, const char *field, const etcd_paths *p)
{
    if (!p)
        return 0;
    return json_object_set_new(obj, field,
                               json_pack("{s:{s:o,s:o}}", "kv", "read",
                                         etcd__json_strings(p->read, p->nread), "write",
                                         etcd__json_strings(p->write, p->nwrite)));
}

/* Whether p is absent, or its lists can be sent. */
static int paths_valid(const etcd_paths *p)
{
    return !p || (etcd__strings_valid(p->read, p->nread) &&
                  etcd__strings_valid(p->write, p->nwrite));
}

static int role_change(etcd_client *client, const char *name, const etcd_paths *perms,
                       const etcd_paths *grant, const etcd_paths *revoke, etcd__sink sink)
{
    json_t *body;

    if (!name || (!perms && !grant && !revoke) || !paths_valid(perms) ||
        !paths_valid(grant) || !paths_valid(revoke))
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    body = json_pack("{s:s}", "role", name);
    if (body && (set_paths(body, "permissions", perms) ||
                 set_paths(body, "grant", grant) || set_paths(body, "revoke", revoke))) {
        json_decref(body);
        body = NULL;
    }
    if (!body)
        return etcd__req_dispatch(ETCD_ENOMEM, NULL, sink);
    return etcd__admin_call(client, ETCD__PUT, ETCD__DECODE_ROLE, ROLES, name, body,
                            sink);
}

static int role_named(etcd_client *client, etcd__method method, etcd__decoder decoder,
                      const char *name, etcd__sink sink)
{
    if (!name)
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return etcd__admin_call(client, method, decoder, ROLES, name, NULL, sink);
}

int etcd_role_list(etcd_client *client, etcd_response_cb cb, void *data)
{
    return etcd__admin_call(client, ETCD__GET, ETCD__DECODE_ROLES, ROLES, NULL, NULL,
                            etcd__async(cb, data));
}

int etcd_role_list_sync(etcd_client *client, etcd_response **out)
{
    return etcd__admin_call(client, ETCD__GET, ETCD__DECODE_ROLES, ROLES, NULL, NULL,
                            etcd__sync(out));
}

int etcd_role_get(etcd_client *client, const char *name, etcd_response_cb cb, void *data)
{
    return role_named(client, ETCD__GET, ETCD__DECODE_ROLE, name, etcd__async(cb, data));
}

int etcd_role_get_sync(etcd_client *client, const char *name, etcd_response **out)
{
    return role_named(client, ETCD__GET, ETCD__DECODE_ROLE, name, etcd__sync(out));
}

int etcd_role_create(etcd_client *client, const char *name, const etcd_paths *perms,
                     etcd_response_cb cb, void *data)
{
    static const etcd_paths none;

    return role_change(client, name, perms ? perms : &none, NULL, NULL,
                       etcd__async(cb, data));
}

int etcd_role_create_sync(etcd_client *client, const char *name, const etcd_paths *perms,
                          etcd_response **out)
{
    static const etcd_paths none;

    return role_change(client, name, perms ? perms : &none, NULL, NULL, etcd__sync(out));
}

int etcd_role_update(etcd_client *client, const char *name, const etcd_paths *grant,
                     const etcd_paths *revoke, etcd_response_cb cb, void *data)
{
    return role_change(client, name, NULL, grant, revoke, etcd__async(cb, data));
}

int etcd_role_update_sync(etcd_client *client, const char *name, const etcd_paths *grant,
                          const etcd_paths *revoke, etcd_response **out)
{
    return role_change(client, name, NULL, grant, revoke, etcd__sync(out));
}

int etcd_role_delete(etcd_client *client, const char *name, etcd_response_cb cb,
                     void *data)
{
    return role_named(client, ETCD__DELETE, ETCD__DECODE_RAW, name,
                      etcd__async(cb, data));
}

int etcd_role_delete_sync(etcd_client *client, const char *name, etcd_response **out)
{
    return role_named(client, ETCD__DELETE, ETCD__DECODE_RAW, name, etcd__sync(out));
}
