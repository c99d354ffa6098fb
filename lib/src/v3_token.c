/*
 * libetcd: v3 authentication: a token for a user, and the client's own token, fetched
 * before its first v3 request and again when etcd rejects it.
 */
#include "v3_int.h"

/* The authenticate request goes without a token, of course. */
static int token_request(etcd_client *client, const char *user, const char *password,
                         etcd__req **out)
{
    *out = NULL;
    if (!client || !user || !password)
        return ETCD_EINVAL;
    return etcd__v3_request(client, "/v3/auth/authenticate",
                            json_pack("{s:s,s:s}", "name", user, "password", password),
                            ETCD__REQ_NO_TOKEN, out);
}

static void on_token(etcd__req *req, etcd_response *resp)
{
    etcd__client_token_answer(etcd__req_owner(req), resp);
    etcd_response_free(resp);
}

int etcd__v3_fetch_token(etcd_client *client, const char *user, const char *password)
{
    etcd__req *req;
    int rc = token_request(client, user, password, &req);

    return rc ? rc : etcd__req_send_internal(req, on_token, client);
}

int etcd_v3_authenticate(etcd_client *client, const char *user, const char *password,
                         etcd_response_cb cb, void *data)
{
    etcd__req *req;
    int rc = token_request(client, user, password, &req);

    return etcd__req_dispatch(rc, req, etcd__async(cb, data));
}

int etcd_v3_authenticate_sync(etcd_client *client, const char *user, const char *password,
                              etcd_response **out)
{
    etcd__req *req;
    int rc = token_request(client, user, password, &req);

    return etcd__req_dispatch(rc, req, etcd__sync(out));
}
