/*
 * libetcd: /health and /version.
 */
#include "client_int.h"

static int simple_get(etcd_client *client, const char *path, etcd__decoder decoder,
                      unsigned flags, etcd__sink sink)
{
    etcd__req *req;

    if (!client)
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    req = etcd__req_new(client, ETCD__GET, decoder, ETCD__REQ_IDEMPOTENT | flags);
    if (!req)
        return etcd__req_dispatch(ETCD_ENOMEM, NULL, sink);
    if (etcd__buf_puts(etcd__req_path(req), path)) {
        etcd__req_free(req);
        return etcd__req_dispatch(ETCD_ENOMEM, NULL, sink);
    }
    return etcd__req_dispatch(ETCD_OK, req, sink);
}

int etcd_health(etcd_client *client, etcd_response_cb cb, void *data)
{
    return simple_get(client, "/health", ETCD__DECODE_HEALTH, ETCD__REQ_ANY_STATUS,
                      etcd__async(cb, data));
}

int etcd_health_sync(etcd_client *client, etcd_response **out)
{
    return simple_get(client, "/health", ETCD__DECODE_HEALTH, ETCD__REQ_ANY_STATUS,
                      etcd__sync(out));
}

int etcd_version(etcd_client *client, etcd_response_cb cb, void *data)
{
    return simple_get(client, "/version", ETCD__DECODE_VERSION, 0, etcd__async(cb, data));
}

int etcd_version_sync(etcd_client *client, etcd_response **out)
{
    return simple_get(client, "/version", ETCD__DECODE_VERSION, 0, etcd__sync(out));
}
