/*
 * source_v2.c: keys from etcd's v2 API: a recursive GET per prefix, then a continuous
 * watch from the read's X-Etcd-Index + 1.
 */
#include "service_int.h"

#include "log.h"

/* Gather the leaves of a read into a batch: merged into the store at once, not one
 * insertion into its sorted array per key. */
static int put_leaves(ew_store_batch *batch, const etcd_node *node)
{
    size_t i;

    if (!node->dir)
        return node->key
                   ? ew_store_batch_add(batch, node->key, node->value ? node->value : "",
                                        node->value_len)
                   : 0;
    for (i = 0; i < node->nnodes; i++) {
        if (put_leaves(batch, &node->nodes[i]))
            return -1;
    }
    return 0;
}

static void on_read(etcd_client *client, const etcd_response *resp, void *data)
{
    watched *w = data;
    ew_store *store;
    ew_store_batch batch;
    uint64_t index = resp->info.etcd_index;
    char why[512];

    (void)client;
    w->reading = 0;
    if (ew_svc_retired(w) || resp->status == ETCD_ECANCELED)
        return;
    store = &w->svc->store;
    if (resp->status == ETCD_EETCD && resp->error.code == 100) {
        index = index ? index : resp->error.index; /* an empty prefix */
    } else if (resp->status != ETCD_OK) {
        ew_svc_read_failed(w, etcd_response_describe(resp, why, sizeof(why)));
        return;
    }
    ew_store_batch_init(&batch);
    if (resp->status == ETCD_OK && resp->node && put_leaves(&batch, resp->node)) {
        ew_store_batch_cleanup(&batch);
        ew_svc_read_failed(w, "out of memory");
        return;
    }
    ew_store_remove(store, w->prefix);
    if (ew_store_batch_commit(store, &batch)) {
        ew_store_batch_cleanup(&batch);
        ew_svc_read_failed(w, "out of memory");
        return;
    }
    ew_svc_read_done(w, index);
}

static int v2_read(watched *w)
{
    etcd_keys_opts o = {0};
    int rc;

    o.recursive = 1;
    o.quorum = 1;
    rc = etcd_keys_get(w->svc->client, w->prefix, &o, on_read, w);
    if (rc) {
        ew_log(EW_LOG_ERROR, NULL, "read of %s: %s", w->prefix, etcd_strerror(rc));
        return -1;
    }
    w->reading = 1;
    return 0;
}

static void v2_unwatch(watched *w);

/* Apply one event to the store. Returns -1 when out of memory (the store is then short
 * of this change: the caller re-reads). */
static int apply_event(ew_service *svc, const etcd_response *resp)
{
    const etcd_node *node = resp->node;

    switch (resp->action) {
    case ETCD_ACTION_SET:
    case ETCD_ACTION_CREATE:
    case ETCD_ACTION_UPDATE:
    case ETCD_ACTION_COMPARE_AND_SWAP:
        /* A key that became a directory loses its value; a directory has no leaves yet.
         */
        ew_store_remove(&svc->store, node->key);
        if (!node->dir && ew_store_put(&svc->store, node->key,
                                       node->value ? node->value : "", node->value_len))
            return -1;
        break;
    default: /* delete, expire, compareAndDelete */
        ew_store_remove(&svc->store, node->key);
        break;
    }
    ew_log(EW_LOG_DEBUG, NULL, "%s %s", etcd_action_name(resp->action), node->key);
    ew_svc_changed(svc, node->key);
    return 0;
}

static void on_watch(etcd_watch *watch, const etcd_response *resp, void *data)
{
    watched *w = data;
    char why[512];

    if (resp->status == ETCD_ECANCELED) {
        if (w->watch == watch)
            w->watch = NULL;
        return;
    }
    if (resp->status == ETCD_OK && resp->node && resp->node->key) {
        if (apply_event(w->svc, resp)) {
            v2_unwatch(w);
            ew_svc_resync(w, 0, "out of memory applying a change");
        }
        return;
    }
    if (resp->status == ETCD_ECLEARED) {
        /* History moved past us: the watch waits paused for the re-read. */
        ew_svc_resync(w, 1, "the watch fell behind etcd's history");
        return;
    }
    /* A dropped connection or a failover: re-read and resume from a fresh index. */
    w->watch = NULL;
    etcd_watch_cancel(watch);
    ew_svc_resync(w, 0, etcd_response_describe(resp, why, sizeof(why)));
}

static int v2_watch(watched *w)
{
    etcd_watch_opts o = {w->next_index, 1, 0};
    etcd_watch *watch = NULL;
    int rc;

    if (w->watch && w->paused) {
        w->paused = 0;
        rc = etcd_watch_resume(w->watch, w->next_index);
    } else {
        rc = etcd_watch_start(w->svc->client, w->prefix, &o, on_watch, w, &watch);
        if (!rc)
            w->watch = watch;
    }
    if (rc) {
        ew_log(EW_LOG_ERROR, NULL, "watch %s: %s", w->prefix, etcd_strerror(rc));
        return -1;
    }
    return 0;
}

static void v2_unwatch(watched *w)
{
    etcd_watch *watch = w->watch;

    w->watch = NULL;
    if (watch)
        etcd_watch_cancel(watch);
}

const ew_source ew_source_v2 = {"v2", v2_read, v2_watch, v2_unwatch};
