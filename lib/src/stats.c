/*
 * libetcd: v2 stats (/v2/stats/self, leader, store).
 *
 * Only the leader answers /v2/stats/leader (the others say 403), so that call lists the
 * members and asks each one's client URLs in turn until one answers.
 */
#include "admin_int.h"
#include "client_int.h"

#include <stdlib.h>

static int stats_get(etcd_client *client, const char *path, etcd__decoder decoder,
                     etcd__sink sink)
{
    return etcd__admin_call(client, ETCD__GET, decoder, path, NULL, NULL, sink);
}

int etcd_stats_self(etcd_client *client, etcd_response_cb cb, void *data)
{
    return stats_get(client, "/v2/stats/self", ETCD__DECODE_STATS_SELF,
                     etcd__async(cb, data));
}

int etcd_stats_self_sync(etcd_client *client, etcd_response **out)
{
    return stats_get(client, "/v2/stats/self", ETCD__DECODE_STATS_SELF, etcd__sync(out));
}

int etcd_stats_store(etcd_client *client, etcd_response_cb cb, void *data)
{
    return stats_get(client, "/v2/stats/store", ETCD__DECODE_STATS_STORE,
                     etcd__async(cb, data));
}

int etcd_stats_store_sync(etcd_client *client, etcd_response **out)
{
    return stats_get(client, "/v2/stats/store", ETCD__DECODE_STATS_STORE,
                     etcd__sync(out));
}

/* ---- Leader stats: find the member that answers ------------------------------------ */

typedef struct leader_job {
    etcd__op op;
    etcd_response *members; /* the member list, while it is walked */
    size_t member, url;     /* the client URL being asked */
    etcd_response *last;    /* the last refusal, the answer if nobody leads */
} leader_job;

static void leader_finish(leader_job *job, etcd_response *answer)
{
    etcd_response_free(job->members);
    if (job->last != answer)
        etcd_response_free(job->last);
    etcd__op_finish(&job->op, answer);
}

static void ask_next(leader_job *job);

static void on_leader(etcd__req *req, etcd_response *resp)
{
    leader_job *job = etcd__req_owner(req);

    if (resp->status == ETCD_OK || resp->status == ETCD_ECANCELED) {
        leader_finish(job, resp);
        return;
    }
    etcd_response_free(job->last);
    job->last = resp;
    job->url++;
    ask_next(job);
}

/* Ask the next client URL of the member list; when none is left, the last refusal is
 * the answer. */
static void ask_next(leader_job *job)
{
    const etcd_response *list = job->members;
    etcd__req *req;
    int rc;

    while (job->member < list->nmembers &&
           job->url >= list->members[job->member].nclient_urls) {
        job->member++;
        job->url = 0;
    }
    if (job->member >= list->nmembers) {
        leader_finish(job, job->last);
        return;
    }
    rc = etcd__admin_request(job->op.client, ETCD__GET, ETCD__DECODE_STATS_LEADER,
                             "/v2/stats/leader", NULL, NULL, &req);
    if (!rc) {
        rc = etcd__req_set_base(req, list->members[job->member].client_urls[job->url]);
        if (rc)
            etcd__req_free(req);
    }
    if (!rc)
        rc = etcd__req_send_internal(req, on_leader, job);
    if (rc)
        leader_finish(job, etcd__response_new_error(rc, NULL, etcd_strerror(rc)));
}

static void on_members(etcd__req *req, etcd_response *resp)
{
    leader_job *job = etcd__req_owner(req);

    if (resp->status != ETCD_OK) {
        leader_finish(job, resp);
        return;
    }
    job->members = resp;
    ask_next(job);
}

static int stats_leader(etcd_client *client, etcd__sink sink)
{
    leader_job *job = client ? calloc(1, sizeof(*job)) : NULL;
    etcd__req *req = NULL;
    int rc = client ? etcd__admin_request(client, ETCD__GET, ETCD__DECODE_MEMBERS,
                                          "/v2/members", NULL, NULL, &req)
                    : ETCD_EINVAL;

    return etcd__op_start(job ? &job->op : NULL, job, client, sink, rc, req, on_members);
}

int etcd_stats_leader(etcd_client *client, etcd_response_cb cb, void *data)
{
    return stats_leader(client, etcd__async(cb, data));
}

int etcd_stats_leader_sync(etcd_client *client, etcd_response **out)
{
    return stats_leader(client, etcd__sync(out));
}
