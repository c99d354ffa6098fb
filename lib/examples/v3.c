/*
 * v3.c: libetcd's v3 API (etcd's JSON gateway, /v3/...), which every etcd from 3.4 to
 * 3.6 speaks: a key put on a lease the library keeps alive, a prefix read at one
 * revision, then a watch from the revision after it, which is how a program follows a
 * prefix without missing a change. It stops after three events.
 *
 *   cc v3.c $(pkg-config --cflags --libs libetcd) -o v3 && ./v3 [ENDPOINTS]
 */
#include <etcd/etcd.h>
#include <inttypes.h>
#include <stdio.h>

#define PREFIX "/example/v3/"

/* put a = 1, put b = 2, delete a */
static const char *const changes[3][2] = {
    {PREFIX "a", "1"}, {PREFIX "b", "2"}, {PREFIX "a", NULL}};

typedef struct follower {
    etcd_client *client;
    int seen;
} follower;

static etcd_bytes bytes(const char *s)
{
    etcd_bytes b = {s, ETCD_STRLEN};

    return b;
}

static void on_event(etcd_v3_watch *watch, const etcd_response *resp, void *data)
{
    follower *f = data;

    if (resp->status == ETCD_ECOMPACTED) {
        /* history moved past us: a real program re-reads the prefix here, then
         * resumes from the read's revision + 1 */
        etcd_v3_watch_resume(watch, resp->v3.compact_revision);
        return;
    }
    if (resp->status != ETCD_OK) /* the watch reconnects by itself */
        return;
    for (size_t i = 0; i < resp->v3.nevents; i++) {
        const etcd_event *ev = &resp->v3.events[i];

        printf("%s %.*s = %.*s (revision %" PRId64 ")\n",
               ev->type == ETCD_EVENT_PUT ? "PUT" : "DELETE", (int)ev->kv.key_len,
               ev->kv.key, (int)ev->kv.value_len, ev->kv.value, ev->kv.mod_revision);
        if (++f->seen == 3)
            etcd_v3_watch_cancel(watch);
    }
}

static void on_keepalive(etcd_v3_keepalive *ka, const etcd_response *resp, void *data)
{
    (void)data;
    if (resp->status == ETCD_ENOTFOUND) /* expired or revoked: its keys are gone */
        fprintf(stderr, "lease %" PRIx64 " lost\n", (uint64_t)etcd_v3_keepalive_id(ka));
}

int main(int argc, char **argv)
{
    etcd_client_opts opts;
    etcd_response *resp = NULL;
    etcd_v3_keepalive *keepalive = NULL;
    etcd_v3_watch *watch = NULL;
    follower f = {NULL, 0};
    etcd_range_opts prefix = {.range.prefix = 1};
    etcd_v3_watch_opts wopts = {.range.prefix = 1};
    char line[256];
    int rc;

    etcd_client_opts_init(&opts);
    opts.endpoints = argc > 1 ? argv[1] : "http://127.0.0.1:2379";
    if (etcd_client_new(&opts, &f.client) != ETCD_OK)
        return 1;

    /* A 10-second lease, refreshed by the library before it expires. */
    rc = etcd_v3_lease_grant_sync(f.client, 10, 0, &resp);
    if (rc == ETCD_OK) {
        etcd_put_opts popts = {.lease = resp->v3.id};

        etcd_v3_keepalive_start(f.client, resp->v3.id, 10, on_keepalive, NULL,
                                &keepalive);
        etcd_response_free(resp);
        rc = etcd_v3_put_sync(f.client, bytes(PREFIX "alive"), bytes("yes"), &popts,
                              &resp);
    }
    if (rc != ETCD_OK)
        goto failed;
    etcd_response_free(resp);

    /* Read the prefix at one revision... */
    rc = etcd_v3_range_sync(f.client, bytes(PREFIX), &prefix, &resp);
    if (rc != ETCD_OK)
        goto failed;
    for (size_t i = 0; i < resp->v3.nkvs; i++)
        printf("%s = %s\n", resp->v3.kvs[i].key, resp->v3.kvs[i].value);

    /* ...then watch it from the next one: nothing is missed in between. */
    wopts.start_revision = resp->header != NULL ? resp->header->revision + 1 : 0;
    etcd_response_free(resp);
    resp = NULL;
    etcd_v3_watch_start(f.client, bytes(PREFIX), &wopts, on_event, &f, &watch);
    /* Three changes, one after the other (requests in flight together may be applied
     * in any order); the watch sees them while the _sync calls run the loop. */
    for (size_t i = 0; i < 3; i++) {
        if (changes[i][1] != NULL)
            rc = etcd_v3_put_sync(f.client, bytes(changes[i][0]), bytes(changes[i][1]),
                                  NULL, &resp);
        else
            rc = etcd_v3_delete_sync(f.client, bytes(changes[i][0]), NULL, &resp);
        if (rc != ETCD_OK)
            goto failed;
        etcd_response_free(resp);
        resp = NULL;
    }
    while (f.seen < 3 && etcd_client_run_once(f.client, 1000) == ETCD_OK)
        ;
    etcd_v3_keepalive_cancel(keepalive);
    etcd_client_free(f.client); /* also ends what is still running */
    return 0;

failed:
    fprintf(stderr, "%s\n",
            resp != NULL ? etcd_response_describe(resp, line, sizeof(line))
                         : etcd_strerror(rc));
    etcd_response_free(resp);
    etcd_client_free(f.client);
    return 1;
}
