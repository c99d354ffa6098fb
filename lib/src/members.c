/*
 * libetcd: v2 members (/v2/members) and the health of every member of a cluster.
 */
#include "admin_int.h"
#include "client_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMBERS "/v2/members"

static int send_members(etcd_client *client, etcd__method method, etcd__decoder decoder,
                        const char *id, json_t *body, etcd__sink sink)
{
    return etcd__admin_call(client, method, decoder, MEMBERS, id, body, sink);
}

/* {"peerURLs":[...]}, sent as JSON (a form content type gets 415). */
static int peer_urls_call(etcd_client *client, etcd__method method, etcd__decoder decoder,
                          const char *id, const char *const *urls, size_t n,
                          etcd__sink sink)
{
    json_t *list;

    if (n == 0 || !etcd__strings_valid(urls, n) || (method == ETCD__PUT && !id))
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    list = etcd__json_strings(urls, n);
    if (!list)
        return etcd__req_dispatch(ETCD_ENOMEM, NULL, sink);
    return send_members(client, method, decoder, id, json_pack("{s:o}", "peerURLs", list),
                        sink);
}

int etcd_member_list(etcd_client *client, etcd_response_cb cb, void *data)
{
    return send_members(client, ETCD__GET, ETCD__DECODE_MEMBERS, NULL, NULL,
                        etcd__async(cb, data));
}

int etcd_member_list_sync(etcd_client *client, etcd_response **out)
{
    return send_members(client, ETCD__GET, ETCD__DECODE_MEMBERS, NULL, NULL,
                        etcd__sync(out));
}

int etcd_member_add(etcd_client *client, const char *const *peer_urls, size_t npeer_urls,
                    etcd_response_cb cb, void *data)
{
    return peer_urls_call(client, ETCD__POST, ETCD__DECODE_MEMBER, NULL, peer_urls,
                          npeer_urls, etcd__async(cb, data));
}

int etcd_member_add_sync(etcd_client *client, const char *const *peer_urls,
                         size_t npeer_urls, etcd_response **out)
{
    return peer_urls_call(client, ETCD__POST, ETCD__DECODE_MEMBER, NULL, peer_urls,
                          npeer_urls, etcd__sync(out));
}

int etcd_member_update(etcd_client *client, const char *id, const char *const *peer_urls,
                       size_t npeer_urls, etcd_response_cb cb, void *data)
{
    return peer_urls_call(client, ETCD__PUT, ETCD__DECODE_RAW, id, peer_urls, npeer_urls,
                          etcd__async(cb, data));
}

int etcd_member_update_sync(etcd_client *client, const char *id,
                            const char *const *peer_urls, size_t npeer_urls,
                            etcd_response **out)
{
    return peer_urls_call(client, ETCD__PUT, ETCD__DECODE_RAW, id, peer_urls, npeer_urls,
                          etcd__sync(out));
}

static int member_remove(etcd_client *client, const char *id, etcd__sink sink)
{
    if (!id)
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return send_members(client, ETCD__DELETE, ETCD__DECODE_RAW, id, NULL, sink);
}

int etcd_member_remove(etcd_client *client, const char *id, etcd_response_cb cb,
                       void *data)
{
    return member_remove(client, id, etcd__async(cb, data));
}

int etcd_member_remove_sync(etcd_client *client, const char *id, etcd_response **out)
{
    return member_remove(client, id, etcd__sync(out));
}

/* ---- Cluster health
 * ---------------------------------------------------------------------
 *
 * One probe per member walks its client URLs: GET /health, and on a healthy answer GET
 * /v2/stats/self to learn whether it leads. The member list's own response becomes the
 * answer, its members annotated. */

typedef struct health_job health_job;

typedef struct probe {
    health_job *job;
    etcd_member *member;
    size_t url; /* which client URL is being asked */
} probe;

struct health_job {
    etcd__op op;
    etcd_response *list; /* the member list: the answer */
    probe *probes;
    size_t outstanding;
};

static void job_done(health_job *job)
{
    etcd_response *list = job->list;
    size_t i, healthy = 0;

    for (i = 0; i < list->nmembers; i++)
        healthy += list->members[i].healthy != 0;
    if (healthy == 0)
        list->cluster_state = ETCD_CLUSTER_UNAVAILABLE;
    else if (healthy < list->nmembers)
        list->cluster_state = ETCD_CLUSTER_DEGRADED;
    else
        list->cluster_state = ETCD_CLUSTER_HEALTHY;
    free(job->probes);
    etcd__op_finish(&job->op, list);
}

static void probe_step(probe *p);

static void probe_finished(probe *p, const char *reason)
{
    health_job *job = p->job;

    p->member->health_reason = etcd__response_strdup(job->list, reason);
    if (--job->outstanding == 0)
        job_done(job);
}

static void on_self(etcd__req *req, etcd_response *resp)
{
    probe *p = etcd__req_owner(req);

    if (resp->status == ETCD_OK && resp->stats_self && resp->stats_self->state)
        p->member->is_leader = strcmp(resp->stats_self->state, "StateLeader") == 0;
    etcd_response_free(resp);
    probe_finished(p, NULL);
}

static int probe_send(probe *p, const char *path, etcd__decoder decoder,
                      etcd__done_fn done)
{
    etcd__req *req =
        etcd__req_new(p->job->op.client, ETCD__GET, decoder, ETCD__REQ_ANY_STATUS);
    int rc;

    if (!req)
        return ETCD_ENOMEM;
    rc = etcd__req_set_base(req, p->member->health_url);
    if (!rc)
        rc = etcd__buf_puts(etcd__req_path(req), path);
    if (rc) {
        etcd__req_free(req);
        return rc;
    }
    return etcd__req_send_internal(req, done, p);
}

static void on_health(etcd__req *req, etcd_response *resp)
{
    probe *p = etcd__req_owner(req);
    char why[512];

    if (resp->status == ETCD_OK)
        p->member->reachable = 1;
    if (resp->status == ETCD_OK && resp->health) {
        p->member->healthy = 1;
        etcd_response_free(resp);
        if (probe_send(p, "/v2/stats/self", ETCD__DECODE_STATS_SELF, on_self))
            probe_finished(p, NULL);
        return;
    }
    if (resp->status == ETCD_OK || resp->status == ETCD_ECANCELED ||
        p->url + 1 >= p->member->nclient_urls) {
        etcd_response_describe(resp, why, sizeof(why));
        if (resp->status == ETCD_OK)
            snprintf(why, sizeof(why), "got unhealthy result from %s",
                     p->member->health_url);
        etcd_response_free(resp);
        probe_finished(p, why);
        return;
    }
    etcd_response_free(resp);
    p->url++;
    probe_step(p);
}

/* Ask the probe's current client URL. */
static void probe_step(probe *p)
{
    int rc;

    if (p->member->nclient_urls == 0) {
        probe_finished(p, "no client URLs published (the member has not started)");
        return;
    }
    p->member->health_url =
        etcd__response_strdup(p->job->list, p->member->client_urls[p->url]);
    rc = p->member->health_url ? probe_send(p, "/health", ETCD__DECODE_HEALTH, on_health)
                               : ETCD_ENOMEM;
    if (rc)
        probe_finished(p, etcd_strerror(rc));
}

static void on_member_list(etcd__req *req, etcd_response *resp)
{
    health_job *job = etcd__req_owner(req);
    size_t i, n = resp->nmembers;

    job->list = resp;
    if (resp->status != ETCD_OK || n == 0) {
        job_done(job);
        return;
    }
    job->probes = calloc(n, sizeof(*job->probes));
    if (!job->probes) {
        etcd_response_free(resp);
        etcd__op_finish(&job->op, NULL);
        return;
    }
    job->outstanding = n;
    for (i = 0; i < n; i++) {
        job->probes[i].job = job;
        /* The members array is the response's own arena memory: annotate it. */
        job->probes[i].member = (etcd_member *)&resp->members[i];
    }
    for (i = 0; i < n; i++)
        probe_step(&job->probes[i]);
}

static int cluster_health(etcd_client *client, etcd__sink sink)
{
    health_job *job = client ? calloc(1, sizeof(*job)) : NULL;
    etcd__req *req = NULL;
    int rc = client ? etcd__admin_request(client, ETCD__GET, ETCD__DECODE_MEMBERS,
                                          MEMBERS, NULL, NULL, &req)
                    : ETCD_EINVAL;

    return etcd__op_start(job ? &job->op : NULL, job, client, sink, rc, req,
                          on_member_list);
}

int etcd_cluster_health(etcd_client *client, etcd_response_cb cb, void *data)
{
    return cluster_health(client, etcd__async(cb, data));
}

int etcd_cluster_health_sync(etcd_client *client, etcd_response **out)
{
    return cluster_health(client, etcd__sync(out));
}
