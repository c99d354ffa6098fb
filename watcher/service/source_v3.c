/*
 * source_v3.c: keys from etcd's v3 API through the JSON gateway. The first reads of all
 * prefixes happen at one revision (the first read's), so that the first render shows
 * one consistent cut; each prefix is then watched from its read's revision + 1. Long
 * reads come in pages of PAGE keys, all at the revision of the first page. A dropped
 * watch stream is resumed by libetcd; a compacted revision makes the watcher re-read.
 */
#include "service_int.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

#define PAGE 5000

static void on_read(etcd_client *client, const etcd_response *resp, void *data);

static etcd_bytes text(const char *s)
{
    etcd_bytes b = {s, ETCD_STRLEN};

    return b;
}

/* Read a page of w->prefix: from its start, or from after the last key of the last
 * page, at `revision` (0: now). */
static int read_page(watched *w, int64_t revision)
{
    etcd_range_opts o;
    etcd_bytes key = text(w->prefix);
    char *end = NULL;
    int rc;

    memset(&o, 0, sizeof(o));
    o.limit = PAGE;
    o.revision = revision;
    o.range.prefix = 1;
    if (w->page_key) {
        /* [last key + "\0", end of the prefix) */
        size_t n = strlen(w->prefix);

        end = malloc(n + 1);
        if (!end)
            return -1;
        memcpy(end, w->prefix, n + 1);
        end[n - 1] = (char)(end[n - 1] + 1);
        o.range.prefix = 0;
        o.range.end.data = end;
        o.range.end.len = n;
        key.data = w->page_key;
        key.len = w->page_key_len;
    }
    rc = etcd_v3_range(w->svc->client, key, &o, on_read, w);
    free(end);
    if (rc) {
        ew_log(EW_LOG_ERROR, NULL, "read of %s: %s", w->prefix, etcd_strerror(rc));
        return -1;
    }
    w->reading = 1;
    return 0;
}

static int any_reading(const ew_service *svc)
{
    size_t i;

    for (i = 0; i < svc->nwatched; i++) {
        if (svc->watched[i]->reading)
            return 1;
    }
    return 0;
}

static int v3_read(watched *w)
{
    ew_service *svc = w->svc;

    free(w->page_key);
    w->page_key = NULL;
    /* Before the first render, every prefix is read at the first read's revision. */
    if (!svc->first_render_done && !svc->cut_revision && any_reading(svc)) {
        w->deferred = 1;
        return 0;
    }
    return read_page(w, svc->first_render_done ? 0 : svc->cut_revision);
}

static void start_deferred(ew_service *svc)
{
    size_t i;

    for (i = 0; i < svc->nwatched; i++) {
        watched *w = svc->watched[i];

        if (w->deferred) {
            w->deferred = 0;
            if (read_page(w, svc->cut_revision))
                ew_svc_read_failed(w, "cannot start the read");
        }
    }
}

/* Keep the next page's first key: the last key of this page, plus a NUL. */
static int next_page(watched *w, const etcd_kv *last)
{
    free(w->page_key);
    w->page_key = malloc(last->key_len + 1);
    if (!w->page_key)
        return -1;
    memcpy(w->page_key, last->key, last->key_len);
    w->page_key[last->key_len] = '\0';
    w->page_key_len = last->key_len + 1;
    return 0;
}

static void on_read(etcd_client *client, const etcd_response *resp, void *data)
{
    watched *w = data;
    ew_service *svc;
    int64_t revision;
    char why[512];
    size_t i;

    (void)client;
    w->reading = 0;
    if (ew_svc_retired(w) || resp->status == ETCD_ECANCELED)
        return;
    svc = w->svc;
    if (resp->status != ETCD_OK || !resp->header) {
        /* A cut revision compacted away meanwhile: read the newest instead. */
        svc->cut_revision = svc->first_render_done ? svc->cut_revision : 0;
        ew_svc_read_failed(w, etcd_response_describe(resp, why, sizeof(why)));
        start_deferred(svc);
        return;
    }
    revision = resp->header->revision;
    if (!w->page_key)
        ew_store_remove(&svc->store, w->prefix);
    for (i = 0; i < resp->v3.nkvs; i++) {
        const etcd_kv *kv = &resp->v3.kvs[i];

        /* The range of "/a" also holds "/ab": keep "/a" and "/a/..." only. Keys with NUL
         * bytes cannot be template keys. */
        if (strlen(kv->key) != kv->key_len || !ew_store_covers(w->prefix, kv->key))
            continue;
        if (ew_store_put(&svc->store, kv->key, kv->value, kv->value_len)) {
            ew_svc_read_failed(w, "out of memory");
            return;
        }
    }
    if (!svc->first_render_done && !svc->cut_revision)
        svc->cut_revision = revision;
    if (resp->v3.more && resp->v3.nkvs) {
        if (next_page(w, &resp->v3.kvs[resp->v3.nkvs - 1]) || read_page(w, revision))
            ew_svc_read_failed(w, "cannot read the next page");
        return;
    }
    free(w->page_key);
    w->page_key = NULL;
    start_deferred(svc);
    ew_svc_read_done(w, (uint64_t)revision);
}

static void v3_unwatch(watched *w);

static void on_watch(etcd_v3_watch *watch, const etcd_response *resp, void *data)
{
    watched *w = data;
    ew_service *svc = w->svc;
    char why[512];
    size_t i;

    if (resp->status == ETCD_ECANCELED) {
        if (w->watch == watch)
            w->watch = NULL;
        return;
    }
    if (resp->status == ETCD_ECOMPACTED) {
        /* The history moved past us: re-read, then resume this paused watch. */
        ew_svc_resync(w, 1, "the watch's revision was compacted");
        return;
    }
    if (resp->status != ETCD_OK) {
        /* A dropped stream: libetcd reconnects by itself (with backoff, across the
         * endpoints) and resumes from the revision after the last event it delivered,
         * so nothing is missed and no re-read is needed; a revision compacted away
         * meanwhile comes back as ETCD_ECOMPACTED above. */
        ew_log(EW_LOG_WARN, NULL, "watch of %s: %s; resuming from revision %lld",
               w->prefix, etcd_response_describe(resp, why, sizeof(why)),
               (long long)etcd_v3_watch_next_revision(watch));
        return;
    }
    for (i = 0; i < resp->v3.nevents; i++) {
        const etcd_event *ev = &resp->v3.events[i];
        const char *key = ev->kv.key;
        int failed = 0;

        if (strlen(key) != ev->kv.key_len || !ew_store_covers(w->prefix, key))
            continue;
        if (ev->type == ETCD_EVENT_DELETE)
            ew_store_remove_key(&svc->store, key);
        else
            failed = ew_store_put(&svc->store, key, ev->kv.value, ev->kv.value_len);
        if (failed) {
            v3_unwatch(w);
            ew_svc_resync(w, 0, "out of memory applying a change");
            return;
        }
        ew_log(EW_LOG_DEBUG, NULL, "%s %s",
               ev->type == ETCD_EVENT_DELETE ? "delete" : "put", key);
        ew_svc_changed(svc, key);
    }
}

static int v3_watch(watched *w)
{
    etcd_v3_watch_opts o;
    etcd_v3_watch *watch = NULL;
    int rc;

    if (w->watch && w->paused) {
        w->paused = 0;
        rc = etcd_v3_watch_resume(w->watch, (int64_t)w->next_index);
    } else {
        memset(&o, 0, sizeof(o));
        o.range.prefix = 1;
        o.start_revision = (int64_t)w->next_index;
        rc =
            etcd_v3_watch_start(w->svc->client, text(w->prefix), &o, on_watch, w, &watch);
        if (!rc)
            w->watch = watch;
    }
    if (rc) {
        ew_log(EW_LOG_ERROR, NULL, "watch %s: %s", w->prefix, etcd_strerror(rc));
        return -1;
    }
    return 0;
}

static void v3_unwatch(watched *w)
{
    etcd_v3_watch *watch = w->watch;

    w->watch = NULL;
    if (watch)
        etcd_v3_watch_cancel(watch);
}

const ew_source ew_source_v3 = {"v3", v3_read, v3_watch, v3_unwatch};
