/*
 * probe.c: `api = auto`: which API the watcher reads its keys with, found once per
 * client before the first read (at start, and after a SIGHUP that changes how etcd is
 * reached), never on a reconnect: a watcher that switched keyspaces mid-run would
 * render another keyspace's data.
 *
 * etcd 3.4 and 3.5 serve both APIs but keep two separate keyspaces, so the rule is:
 * - the server has no v3 gateway (etcd 2: 404 on /v3/kv/range): v2;
 * - some key under a watched prefix in v3: v3;
 * - no such key in v3, but some in v2: v2 (reading v3 would render empty files);
 * - no key in either (a new deployment), or no v2 API (etcd 3.6, or 3.4 without
 *   --enable-v2): v3.
 * The counts are count-only ranges (v3) and one-level GETs (v2): cheap on any store.
 */
#include "service_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static void stage_end(ew_service *svc);

/* An answer that says the API is not there at all: a plain 404, no etcd error. */
static int api_missing(const etcd_response *resp)
{
    return resp->http_status == 404 && resp->status != ETCD_EETCD;
}

/* A refusal from etcd that retrying will not change (auth, permissions). */
static int refused(const etcd_response *resp)
{
    return resp->status == ETCD_EETCD && resp->http_status >= 400 &&
           resp->http_status < 500;
}

static void note_failure(ew_probe *p, const etcd_response *resp)
{
    if (!p->why[0])
        etcd_response_describe(resp, p->why, sizeof(p->why));
}

static void on_v3_count(etcd_client *client, const etcd_response *resp, void *data)
{
    ew_service *svc = data;
    ew_probe *p = &svc->probe;

    (void)client;
    if (resp->status == ETCD_ECANCELED)
        return; /* the client is being freed: this round is over */
    p->pending--;
    if (resp->status == ETCD_OK)
        p->v3_keys += resp->v3.count;
    else if (api_missing(resp))
        p->no_v3 = 1;
    else if (refused(resp) && !p->v3_refused[0])
        etcd_response_describe(resp, p->v3_refused, sizeof(p->v3_refused));
    else if (!refused(resp))
        note_failure(p, resp);
    if (!p->pending)
        stage_end(svc);
}

static int count_v3(ew_service *svc, const char *key, int prefix)
{
    etcd_range_opts o;
    etcd_bytes k = {key, ETCD_STRLEN};
    int rc;

    memset(&o, 0, sizeof(o));
    o.count_only = 1;
    o.range.prefix = prefix;
    rc = etcd_v3_range(svc->client, k, &o, on_v3_count, svc);
    if (rc) {
        snprintf(svc->probe.why, sizeof(svc->probe.why), "range of %s: %s", key,
                 etcd_strerror(rc));
        return -1;
    }
    svc->probe.pending++;
    return 0;
}

/* Count the keys under w->prefix in v3: the key itself and those below "prefix/"
 * (the range of "/a" alone would also count "/ab"). */
static int count_prefix_v3(ew_service *svc, const char *prefix)
{
    size_t n = strlen(prefix);
    char *below;
    int rc;

    if (n == 1 && prefix[0] == '/')
        return count_v3(svc, prefix, 1);
    if (count_v3(svc, prefix, 0))
        return -1;
    below = malloc(n + 2);
    if (!below) {
        snprintf(svc->probe.why, sizeof(svc->probe.why), "out of memory");
        return -1;
    }
    memcpy(below, prefix, n);
    below[n] = '/';
    below[n + 1] = '\0';
    rc = count_v3(svc, below, 1);
    free(below);
    return rc;
}

static void on_v2_get(etcd_client *client, const etcd_response *resp, void *data)
{
    ew_service *svc = data;
    ew_probe *p = &svc->probe;

    (void)client;
    if (resp->status == ETCD_ECANCELED)
        return;
    p->pending--;
    if (resp->status == ETCD_OK) {
        /* A leaf, or a directory with something in it (the root always exists). */
        if (resp->node && (!resp->node->dir || resp->node->nnodes))
            p->v2_keys++;
    } else if (api_missing(resp)) {
        p->no_v2 = 1;
    } else if (!(resp->status == ETCD_EETCD && resp->error.code == 100)) {
        note_failure(p, resp);
    }
    if (!p->pending)
        stage_end(svc);
}

static void look_in_v2(ew_service *svc)
{
    ew_probe *p = &svc->probe;
    etcd_keys_opts o = {0};
    size_t i;
    int rc;

    p->stage = 2;
    for (i = 0; i < svc->nwatched; i++) {
        rc = etcd_keys_get(svc->client, svc->watched[i]->prefix, &o, on_v2_get, svc);
        if (rc) {
            snprintf(p->why, sizeof(p->why), "get of %s: %s", svc->watched[i]->prefix,
                     etcd_strerror(rc));
            break;
        }
        p->pending++;
    }
    if (!p->pending)
        stage_end(svc);
}

static void choose(ew_service *svc, const ew_source *source, const char *why)
{
    svc->probe.active = 0;
    svc->probe.tries = 0;
    svc->probe.backoff_ms = 0;
    ew_svc_api_chosen(svc, source, why);
}

static void stage_end(ew_service *svc)
{
    ew_probe *p = &svc->probe;
    char why[512];

    if (p->stage == 3) {
        if (p->no_v3) {
            choose(svc, &ew_source_v2, "the server has no v3 API (404 on /v3/kv/range)");
        } else if (p->why[0]) {
            p->active = 0;
            ew_svc_probe_failed(svc, p->why);
        } else if (p->v3_keys > 0) {
            snprintf(why, sizeof(why), "%lld keys under the watched prefixes in v3",
                     (long long)p->v3_keys);
            choose(svc, &ew_source_v3, why);
        } else {
            look_in_v2(svc);
        }
        return;
    }
    if (p->v2_keys) {
        snprintf(why, sizeof(why),
                 "no key under the watched prefixes in v3%s%s%s, but %zu of them hold "
                 "keys in v2",
                 p->v3_refused[0] ? " (" : "", p->v3_refused, p->v3_refused[0] ? ")" : "",
                 p->v2_keys);
        choose(svc, &ew_source_v2, why);
    } else if (p->no_v2) {
        choose(svc, &ew_source_v3,
               "no key under the watched prefixes yet, and the server has no v2 API");
    } else if (p->why[0]) {
        p->active = 0;
        ew_svc_probe_failed(svc, p->why);
    } else {
        choose(svc, &ew_source_v3,
               "no key under the watched prefixes in either API yet: v3, the API of "
               "current etcd");
    }
}

void ew_probe_start(ew_service *svc)
{
    ew_probe *p = &svc->probe;
    size_t i;

    p->active = 1;
    p->stage = 3;
    p->pending = 0;
    p->v3_keys = 0;
    p->v2_keys = 0;
    p->no_v3 = 0;
    p->no_v2 = 0;
    p->v3_refused[0] = '\0';
    p->why[0] = '\0';
    for (i = 0; i < svc->nwatched; i++) {
        if (count_prefix_v3(svc, svc->watched[i]->prefix))
            break;
    }
    if (!p->pending)
        stage_end(svc);
}
