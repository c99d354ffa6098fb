/*
 * libetcd: /health and /version.
 */
#include "client_int.h"

static int simple_get(etcd_client *client, const char *path, etcd__decoder decoder,
                      unsigned flags, etcd__req **out)
{
    *out = NULL;
    if (!client)
        return ETCD_EINVAL;
    *out = etcd__req_new(client, ETCD__GET, decoder, ETCD__REQ_IDEMPOTENT | flags);
    if (!*out)
        return ETCD_ENOMEM;
    if (etcd__buf_puts(etcd__req_path(*out), path)) {
        etcd__req_free(*out);
        *out = NULL;
        return ETCD_ENOMEM;
    }
    return ETCD_OK;
}

int etcd_health(etcd_client *client, etcd_response_cb cb, void *data)
{
    etcd__req *req;
    int rc =
        simple_get(client, "/health", ETCD__DECODE_HEALTH, ETCD__REQ_ANY_STATUS, &req);

    return etcd__req_send_or(rc, req, cb, data);
}

int etcd_health_sync(etcd_client *client, etcd_response **out)
{
    etcd__req *req;
    int rc =
        simple_get(client, "/health", ETCD__DECODE_HEALTH, ETCD__REQ_ANY_STATUS, &req);

    return etcd__req_send_sync_or(rc, req, out);
}

int etcd_version(etcd_client *client, etcd_response_cb cb, void *data)
{
    etcd__req *req;
    int rc = simple_get(client, "/version", ETCD__DECODE_VERSION, 0, &req);

    return etcd__req_send_or(rc, req, cb, data);
}

int etcd_version_sync(etcd_client *client, etcd_response **out)
{
    etcd__req *req;
    int rc = simple_get(client, "/version", ETCD__DECODE_VERSION, 0, &req);

    return etcd__req_send_sync_or(rc, req, out);
}
