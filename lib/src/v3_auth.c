/*
 * libetcd: v3 auth administration through the gateway: enable, disable, status, users
 * and roles (/v3/auth/...).
 *
 * etcd 3.4 has no /v3/auth/status (3.5 has): the status call asks it first and, when
 * the gateway does not know the path, probes /v3/auth/authenticate.
 */
#include "v3_int.h"

#include <stdlib.h>
#include <string.h>

/* A call with no argument but a name: {"<field>": name}. */
static int named_call(etcd_client *client, const char *path, const char *field,
                      const char *name, unsigned flags, etcd__sink sink)
{
    if (!name)
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return etcd__v3_call(client, path, json_pack("{s:s}", field, name), flags, sink);
}

/* User get: its answer's "roles" are the user's. */
static int user_get(etcd_client *client, const char *name, etcd__sink sink)
{
    etcd__req *req;
    int rc;

    if (!name)
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    rc =
        etcd__v3_request_as(client, "/v3/auth/user/get", json_pack("{s:s}", "name", name),
                            ETCD__REQ_IDEMPOTENT, ETCD__DECODE_V3_USER, &req);
    return etcd__req_dispatch(rc, req, sink);
}

/* A call with two strings: {"<f1>": v1, "<f2>": v2}. */
static int pair_call(etcd_client *client, const char *path, const char *f1,
                     const char *v1, const char *f2, const char *v2, etcd__sink sink)
{
    if (!v1 || !v2)
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return etcd__v3_call(client, path, json_pack("{s:s,s:s}", f1, v1, f2, v2), 0, sink);
}

/* ---- Enable, disable ------------------------------------------------------------------
 */

int etcd_v3_auth_enable(etcd_client *client, etcd_response_cb cb, void *data)
{
    return etcd__v3_call(client, "/v3/auth/enable", json_object(), 0,
                         etcd__async(cb, data));
}

int etcd_v3_auth_enable_sync(etcd_client *client, etcd_response **out)
{
    return etcd__v3_call(client, "/v3/auth/enable", json_object(), 0, etcd__sync(out));
}

int etcd_v3_auth_disable(etcd_client *client, etcd_response_cb cb, void *data)
{
    return etcd__v3_call(client, "/v3/auth/disable", json_object(), 0,
                         etcd__async(cb, data));
}

int etcd_v3_auth_disable_sync(etcd_client *client, etcd_response **out)
{
    return etcd__v3_call(client, "/v3/auth/disable", json_object(), 0, etcd__sync(out));
}

/* ---- Status: /v3/auth/status, else an authenticate probe ----------------------------
 *
 * etcd 3.4 has no /v3/auth/status, and its /v2/auth/enable tells the state of v2 auth,
 * which is separate. There, an authenticate request without credentials tells: "not
 * enabled" when auth is off, "authentication failed" when it is on. */

typedef struct status_job {
    etcd__op op;
} status_job;

static int not_routed(const etcd_response *resp)
{
    return resp->status == ETCD_EHTTP && resp->http_status == 404;
}

/* The answer etcd 3.5 would give, {"enabled":...}, from the probe's endpoint. NULL
 * when out of memory. */
static etcd_response *status_answer(const etcd_response *probe, int enabled)
{
    const char *body = enabled ? "{\"enabled\":true}" : "{\"enabled\":false}";
    etcd_response *resp = etcd__response_parse(ETCD__DECODE_V3, 200, body, strlen(body));

    if (resp && etcd__response_set_endpoint(resp, probe->endpoint)) {
        etcd_response_free(resp);
        resp = NULL;
    }
    return resp;
}

static void on_probe(etcd__req *req, etcd_response *resp)
{
    status_job *job = etcd__req_owner(req);
    const char *msg = resp->error.message ? resp->error.message : "";
    etcd_response *answer = resp;

    if (resp->status == ETCD_EETCD && strstr(msg, "authentication is not enabled"))
        answer = status_answer(resp, 0);
    else if (resp->status == ETCD_EETCD && strstr(msg, "authentication failed"))
        answer = status_answer(resp, 1);
    else if (not_routed(resp))
        answer = etcd__response_new_error(ETCD_ENOTFOUND, resp->endpoint,
                                          "this etcd answers neither /v3/auth/status "
                                          "nor /v3/auth/authenticate");
    if (answer != resp)
        etcd_response_free(resp);
    etcd__op_finish(&job->op, answer);
}

static void on_status(etcd__req *req, etcd_response *resp)
{
    status_job *job = etcd__req_owner(req);
    etcd__req *next;
    int rc;

    if (!not_routed(resp)) {
        etcd__op_finish(&job->op, resp);
        return;
    }
    etcd_response_free(resp);
    rc = etcd__v3_request(job->op.client, "/v3/auth/authenticate",
                          json_pack("{s:s,s:s}", "name", "", "password", ""),
                          ETCD__REQ_IDEMPOTENT | ETCD__REQ_NO_TOKEN, &next);
    if (!rc)
        rc = etcd__req_send_internal(next, on_probe, job);
    if (rc)
        etcd__op_finish(&job->op, etcd__response_new_error(rc, NULL, etcd_strerror(rc)));
}

static int auth_status(etcd_client *client, etcd__sink sink)
{
    status_job *job = client ? calloc(1, sizeof(*job)) : NULL;
    etcd__req *req;
    int rc = etcd__v3_request(client, "/v3/auth/status", json_object(),
                              ETCD__REQ_IDEMPOTENT, &req);

    return etcd__op_start(job ? &job->op : NULL, job, client, sink, rc, req, on_status);
}

int etcd_v3_auth_status(etcd_client *client, etcd_response_cb cb, void *data)
{
    return auth_status(client, etcd__async(cb, data));
}

int etcd_v3_auth_status_sync(etcd_client *client, etcd_response **out)
{
    return auth_status(client, etcd__sync(out));
}

/* ---- Users ----------------------------------------------------------------------------
 */

/* A user with a password, or without one (NULL: etcd's no_password option; such a user
 * authenticates only with a client certificate). */
static int user_add(etcd_client *client, const char *name, const char *password,
                    etcd__sink sink)
{
    if (!name)
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    if (password)
        return pair_call(client, "/v3/auth/user/add", "name", name, "password", password,
                         sink);
    return etcd__v3_call(
        client, "/v3/auth/user/add",
        json_pack("{s:s,s:{s:b}}", "name", name, "options", "no_password", 1), 0, sink);
}

int etcd_v3_user_add(etcd_client *client, const char *name, const char *password,
                     etcd_response_cb cb, void *data)
{
    return user_add(client, name, password, etcd__async(cb, data));
}

int etcd_v3_user_add_sync(etcd_client *client, const char *name, const char *password,
                          etcd_response **out)
{
    return user_add(client, name, password, etcd__sync(out));
}

int etcd_v3_user_get(etcd_client *client, const char *name, etcd_response_cb cb,
                     void *data)
{
    return user_get(client, name, etcd__async(cb, data));
}

int etcd_v3_user_get_sync(etcd_client *client, const char *name, etcd_response **out)
{
    return user_get(client, name, etcd__sync(out));
}

int etcd_v3_user_list(etcd_client *client, etcd_response_cb cb, void *data)
{
    return etcd__v3_call(client, "/v3/auth/user/list", json_object(),
                         ETCD__REQ_IDEMPOTENT, etcd__async(cb, data));
}

int etcd_v3_user_list_sync(etcd_client *client, etcd_response **out)
{
    return etcd__v3_call(client, "/v3/auth/user/list", json_object(),
                         ETCD__REQ_IDEMPOTENT, etcd__sync(out));
}

int etcd_v3_user_delete(etcd_client *client, const char *name, etcd_response_cb cb,
                        void *data)
{
    return named_call(client, "/v3/auth/user/delete", "name", name, 0,
                      etcd__async(cb, data));
}

int etcd_v3_user_delete_sync(etcd_client *client, const char *name, etcd_response **out)
{
    return named_call(client, "/v3/auth/user/delete", "name", name, 0, etcd__sync(out));
}

int etcd_v3_user_passwd(etcd_client *client, const char *name, const char *password,
                        etcd_response_cb cb, void *data)
{
    return pair_call(client, "/v3/auth/user/changepw", "name", name, "password", password,
                     etcd__async(cb, data));
}

int etcd_v3_user_passwd_sync(etcd_client *client, const char *name, const char *password,
                             etcd_response **out)
{
    return pair_call(client, "/v3/auth/user/changepw", "name", name, "password", password,
                     etcd__sync(out));
}

/* Grant names the user "user", revoke names it "name" (etcd's protobuf fields). */
int etcd_v3_user_grant(etcd_client *client, const char *name, const char *role,
                       etcd_response_cb cb, void *data)
{
    return pair_call(client, "/v3/auth/user/grant", "user", name, "role", role,
                     etcd__async(cb, data));
}

int etcd_v3_user_grant_sync(etcd_client *client, const char *name, const char *role,
                            etcd_response **out)
{
    return pair_call(client, "/v3/auth/user/grant", "user", name, "role", role,
                     etcd__sync(out));
}

int etcd_v3_user_revoke(etcd_client *client, const char *name, const char *role,
                        etcd_response_cb cb, void *data)
{
    return pair_call(client, "/v3/auth/user/revoke", "name", name, "role", role,
                     etcd__async(cb, data));
}

int etcd_v3_user_revoke_sync(etcd_client *client, const char *name, const char *role,
                             etcd_response **out)
{
    return pair_call(client, "/v3/auth/user/revoke", "name", name, "role", role,
                     etcd__sync(out));
}

/* ---- Roles ----------------------------------------------------------------------------
 */

int etcd_v3_role_add(etcd_client *client, const char *name, etcd_response_cb cb,
                     void *data)
{
    return named_call(client, "/v3/auth/role/add", "name", name, 0,
                      etcd__async(cb, data));
}

int etcd_v3_role_add_sync(etcd_client *client, const char *name, etcd_response **out)
{
    return named_call(client, "/v3/auth/role/add", "name", name, 0, etcd__sync(out));
}

int etcd_v3_role_get(etcd_client *client, const char *name, etcd_response_cb cb,
                     void *data)
{
    return named_call(client, "/v3/auth/role/get", "role", name, ETCD__REQ_IDEMPOTENT,
                      etcd__async(cb, data));
}

int etcd_v3_role_get_sync(etcd_client *client, const char *name, etcd_response **out)
{
    return named_call(client, "/v3/auth/role/get", "role", name, ETCD__REQ_IDEMPOTENT,
                      etcd__sync(out));
}

int etcd_v3_role_list(etcd_client *client, etcd_response_cb cb, void *data)
{
    return etcd__v3_call(client, "/v3/auth/role/list", json_object(),
                         ETCD__REQ_IDEMPOTENT, etcd__async(cb, data));
}

int etcd_v3_role_list_sync(etcd_client *client, etcd_response **out)
{
    return etcd__v3_call(client, "/v3/auth/role/list", json_object(),
                         ETCD__REQ_IDEMPOTENT, etcd__sync(out));
}

int etcd_v3_role_delete(etcd_client *client, const char *name, etcd_response_cb cb,
                        void *data)
{
    return named_call(client, "/v3/auth/role/delete", "role", name, 0,
                      etcd__async(cb, data));
}

int etcd_v3_role_delete_sync(etcd_client *client, const char *name, etcd_response **out)
{
    return named_call(client, "/v3/auth/role/delete", "role", name, 0, etcd__sync(out));
}

/* {"name": role, "perm": {"permType": .., "key": .., "range_end": ..}} */
static json_t *grant_body(const char *name, etcd_perm_type type, etcd_bytes key,
                          const etcd_range_end *range)
{
    static const char *const types[] = {"READ", "WRITE", "READWRITE"};
    json_t *perm = json_pack("{s:s}", "permType", types[type]);

    if (!perm || etcd__v3_set_range(perm, key, range)) {
        json_decref(perm);
        return NULL;
    }
    return json_pack("{s:s,s:o}", "name", name, "perm", perm);
}

static int role_grant(etcd_client *client, const char *name, etcd_perm_type type,
                      etcd_bytes key, const etcd_range_end *range, etcd__sink sink)
{
    if (!name || (unsigned)type > ETCD_PERM_READWRITE || (!key.data && key.len))
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return etcd__v3_call(client, "/v3/auth/role/grant",
                         grant_body(name, type, key, range), 0, sink);
}

int etcd_v3_role_grant(etcd_client *client, const char *name, etcd_perm_type type,
                       etcd_bytes key, const etcd_range_end *range, etcd_response_cb cb,
                       void *data)
{
    return role_grant(client, name, type, key, range, etcd__async(cb, data));
}

int etcd_v3_role_grant_sync(etcd_client *client, const char *name, etcd_perm_type type,
                            etcd_bytes key, const etcd_range_end *range,
                            etcd_response **out)
{
    return role_grant(client, name, type, key, range, etcd__sync(out));
}

/* {"role": name, "key": .., "range_end": ..}, both base64 since etcd 3.4. */
static json_t *revoke_body(const char *name, etcd_bytes key, const etcd_range_end *range)
{
    json_t *body = json_pack("{s:s}", "role", name);

    if (!body || etcd__v3_set_range(body, key, range)) {
        json_decref(body);
        return NULL;
    }
    return body;
}

static int role_revoke(etcd_client *client, const char *name, etcd_bytes key,
                       const etcd_range_end *range, etcd__sink sink)
{
    if (!name || (!key.data && key.len))
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return etcd__v3_call(client, "/v3/auth/role/revoke", revoke_body(name, key, range), 0,
                         sink);
}

int etcd_v3_role_revoke(etcd_client *client, const char *name, etcd_bytes key,
                        const etcd_range_end *range, etcd_response_cb cb, void *data)
{
    return role_revoke(client, name, key, range, etcd__async(cb, data));
}

int etcd_v3_role_revoke_sync(etcd_client *client, const char *name, etcd_bytes key,
                             const etcd_range_end *range, etcd_response **out)
{
    return role_revoke(client, name, key, range, etcd__sync(out));
}
