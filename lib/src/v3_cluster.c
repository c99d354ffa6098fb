/*
 * libetcd: v3 cluster membership (/v3/cluster/member/...) and maintenance
 * (/v3/maintenance/...): status, alarms, defragment and hash-kv.
 *
 * etcd prints member IDs in hex; the gateway wants them as decimal strings.
 */
#include "v3_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "admin_int.h"

/* etcd__v3_request() to the member at `base` ("http://10.0.0.1:2379"), or to the
 * client's endpoints when base is NULL. */
static int request_on(etcd_client *client, const char *base, const char *path,
                      json_t *body, unsigned flags, etcd__req **out)
{
    int rc = etcd__v3_request(client, path, body, flags, out);

    if (!rc && base) {
        rc = etcd__req_set_base(*out, base);
        if (rc) {
            etcd__req_free(*out);
            *out = NULL;
        }
    }
    return rc;
}

/* A call that a maintenance request may aim at one member (`base`, or NULL). */
static int call_on(etcd_client *client, const char *base, const char *path, json_t *body,
                   unsigned flags, etcd__sink sink)
{
    etcd__req *req;
    int rc = request_on(client, base, path, body, flags, &req);

    return etcd__req_dispatch(rc, req, sink);
}

/* A hex member ID ("8e9e05c52164694d") as the decimal string the gateway wants; NULL
 * when it is not one (or out of memory: then *oom). */
static json_t *id_json(const char *hex, int *oom)
{
    char num[24];
    char *end;
    uint64_t id;
    json_t *s;

    *oom = 0;
    if (!hex || *hex == '\0' || *hex == '-' || *hex == '+')
        return NULL;
    errno = 0;
    id = (uint64_t)strtoull(hex, &end, 16);
    if (*end != '\0' || errno == ERANGE || id == 0)
        return NULL;
    snprintf(num, sizeof(num), "%" PRIu64, id);
    s = json_string(num);
    *oom = !s;
    return s;
}

/* {"ID": id} plus, when urls is not NULL, "peerURLs". Sends to path, or reports
 * EINVAL/ENOMEM through the sink's rules. */
static int member_call(etcd_client *client, const char *path, const char *id,
                       const char *const *urls, size_t nurls, etcd__sink sink)
{
    json_t *body, *jid;
    int oom;

    jid = id_json(id, &oom);
    if (!jid)
        return etcd__req_dispatch(oom ? ETCD_ENOMEM : ETCD_EINVAL, NULL, sink);
    body = json_pack("{s:o}", "ID", jid);
    if (body && urls &&
        json_object_set_new(body, "peerURLs", etcd__json_strings(urls, nurls))) {
        json_decref(body);
        body = NULL;
    }
    return etcd__v3_call(client, path, body, 0, sink);
}

/* ---- Members --------------------------------------------------------------------------
 */

int etcd_v3_member_list(etcd_client *client, etcd_response_cb cb, void *data)
{
    return etcd__v3_call(client, "/v3/cluster/member/list", json_object(),
                         ETCD__REQ_IDEMPOTENT, etcd__async(cb, data));
}

int etcd_v3_member_list_sync(etcd_client *client, etcd_response **out)
{
    return etcd__v3_call(client, "/v3/cluster/member/list", json_object(),
                         ETCD__REQ_IDEMPOTENT, etcd__sync(out));
}

static int member_add(etcd_client *client, const char *const *urls, size_t n, int learner,
                      etcd__sink sink)
{
    json_t *list, *body;

    if (n == 0 || !etcd__strings_valid(urls, n))
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    list = etcd__json_strings(urls, n);
    if (!list)
        return etcd__req_dispatch(ETCD_ENOMEM, NULL, sink);
    body = json_pack("{s:o,s:b}", "peerURLs", list, "isLearner", learner != 0);
    return etcd__v3_call(client, "/v3/cluster/member/add", body, 0, sink);
}

int etcd_v3_member_add(etcd_client *client, const char *const *peer_urls,
                       size_t npeer_urls, int learner, etcd_response_cb cb, void *data)
{
    return member_add(client, peer_urls, npeer_urls, learner, etcd__async(cb, data));
}

int etcd_v3_member_add_sync(etcd_client *client, const char *const *peer_urls,
                            size_t npeer_urls, int learner, etcd_response **out)
{
    return member_add(client, peer_urls, npeer_urls, learner, etcd__sync(out));
}

int etcd_v3_member_remove(etcd_client *client, const char *id, etcd_response_cb cb,
                          void *data)
{
    return member_call(client, "/v3/cluster/member/remove", id, NULL, 0,
                       etcd__async(cb, data));
}

int etcd_v3_member_remove_sync(etcd_client *client, const char *id, etcd_response **out)
{
    return member_call(client, "/v3/cluster/member/remove", id, NULL, 0, etcd__sync(out));
}

static int member_update(etcd_client *client, const char *id, const char *const *urls,
                         size_t n, etcd__sink sink)
{
    if (n == 0 || !etcd__strings_valid(urls, n))
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return member_call(client, "/v3/cluster/member/update", id, urls, n, sink);
}

int etcd_v3_member_update(etcd_client *client, const char *id,
                          const char *const *peer_urls, size_t npeer_urls,
                          etcd_response_cb cb, void *data)
{
    return member_update(client, id, peer_urls, npeer_urls, etcd__async(cb, data));
}

int etcd_v3_member_update_sync(etcd_client *client, const char *id,
                               const char *const *peer_urls, size_t npeer_urls,
                               etcd_response **out)
{
    return member_update(client, id, peer_urls, npeer_urls, etcd__sync(out));
}

int etcd_v3_member_promote(etcd_client *client, const char *id, etcd_response_cb cb,
                           void *data)
{
    return member_call(client, "/v3/cluster/member/promote", id, NULL, 0,
                       etcd__async(cb, data));
}

int etcd_v3_member_promote_sync(etcd_client *client, const char *id, etcd_response **out)
{
    return member_call(client, "/v3/cluster/member/promote", id, NULL, 0,
                       etcd__sync(out));
}

/* ---- Status, defragment ---------------------------------------------------------------
 */

int etcd_v3_status(etcd_client *client, const char *endpoint, etcd_response_cb cb,
                   void *data)
{
    return call_on(client, endpoint, "/v3/maintenance/status", json_object(),
                   ETCD__REQ_IDEMPOTENT, etcd__async(cb, data));
}

int etcd_v3_status_sync(etcd_client *client, const char *endpoint, etcd_response **out)
{
    return call_on(client, endpoint, "/v3/maintenance/status", json_object(),
                   ETCD__REQ_IDEMPOTENT, etcd__sync(out));
}

int etcd_v3_defragment(etcd_client *client, const char *endpoint, etcd_response_cb cb,
                       void *data)
{
    return call_on(client, endpoint, "/v3/maintenance/defragment", json_object(), 0,
                   etcd__async(cb, data));
}

int etcd_v3_defragment_sync(etcd_client *client, const char *endpoint,
                            etcd_response **out)
{
    return call_on(client, endpoint, "/v3/maintenance/defragment", json_object(), 0,
                   etcd__sync(out));
}

/* ---- Alarms ------------------------------------------------------------------------ */

static json_t *alarm_body(const char *action, const etcd_v3_alarm *alarm)
{
    json_t *body = json_pack("{s:s}", "action", action), *id;
    int oom;

    if (!body || !alarm)
        return body;
    id = id_json(alarm->member_id, &oom);
    if (!id || json_object_set_new(body, "memberID", id) ||
        json_object_set_new(body, "alarm", json_string(alarm->alarm))) {
        json_decref(body);
        return NULL;
    }
    return body;
}

int etcd_v3_alarm_list(etcd_client *client, etcd_response_cb cb, void *data)
{
    return etcd__v3_call(client, "/v3/maintenance/alarm", alarm_body("GET", NULL),
                         ETCD__REQ_IDEMPOTENT, etcd__async(cb, data));
}

int etcd_v3_alarm_list_sync(etcd_client *client, etcd_response **out)
{
    return etcd__v3_call(client, "/v3/maintenance/alarm", alarm_body("GET", NULL),
                         ETCD__REQ_IDEMPOTENT, etcd__sync(out));
}

/* Disarm: list the alarms, then deactivate each in turn (as etcdctl does). The answer
 * is the list (the alarms disarmed), or the first refusal. */
typedef struct disarm_job {
    etcd__op op;
    etcd_response *list;
    size_t next; /* the alarm to deactivate next */
} disarm_job;

static void disarm_finish(disarm_job *job, etcd_response *resp)
{
    if (resp != job->list)
        etcd_response_free(job->list);
    etcd__op_finish(&job->op, resp);
}

static void disarm_next(disarm_job *job);

static void on_deactivated(etcd__req *req, etcd_response *resp)
{
    disarm_job *job = etcd__req_owner(req);

    if (resp->status != ETCD_OK) {
        disarm_finish(job, resp);
        return;
    }
    etcd_response_free(resp);
    job->next++;
    disarm_next(job);
}

static void disarm_next(disarm_job *job)
{
    etcd__req *req;
    int rc;

    if (job->next >= job->list->nv3_alarms) {
        disarm_finish(job, job->list);
        return;
    }
    rc = etcd__v3_request(job->op.client, "/v3/maintenance/alarm",
                          alarm_body("DEACTIVATE", &job->list->v3_alarms[job->next]), 0,
                          &req);
    if (!rc)
        rc = etcd__req_send_internal(req, on_deactivated, job);
    if (rc)
        disarm_finish(job, etcd__response_new_error(rc, NULL, etcd_strerror(rc)));
}

static void on_alarms(etcd__req *req, etcd_response *resp)
{
    disarm_job *job = etcd__req_owner(req);

    if (resp->status != ETCD_OK) {
        disarm_finish(job, resp);
        return;
    }
    job->list = resp;
    disarm_next(job);
}

/* Begin `op`, send `req` (or fail with rc) with `done`; for a _sync call, wait. The
 * job is freed here on every path but an accepted asynchronous one. */
static int run_job(etcd__op *op, void *job, etcd_client *client, etcd__sink sink,
                   const char *path, json_t *body, const char *base, etcd__done_fn done)
{
    etcd__req *req;
    int rc = request_on(client, base, path, body, ETCD__REQ_IDEMPOTENT, &req);

    return etcd__op_start(op, job, client, sink, rc, req, done);
}

static int alarm_disarm(etcd_client *client, etcd__sink sink)
{
    disarm_job *job;

    if (!client)
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    job = calloc(1, sizeof(*job));
    if (!job)
        return etcd__req_dispatch(ETCD_ENOMEM, NULL, sink);
    return run_job(&job->op, job, client, sink, "/v3/maintenance/alarm",
                   alarm_body("GET", NULL), NULL, on_alarms);
}

int etcd_v3_alarm_disarm(etcd_client *client, etcd_response_cb cb, void *data)
{
    return alarm_disarm(client, etcd__async(cb, data));
}

int etcd_v3_alarm_disarm_sync(etcd_client *client, etcd_response **out)
{
    return alarm_disarm(client, etcd__sync(out));
}

/* ---- Hash-kv --------------------------------------------------------------------------
 *
 * etcd 3.5 routes /v3/maintenance/hashkv; etcd 3.4's gateway maps both Hash and HashKV
 * to /v3/maintenance/hash and serves Hash there (the whole database, revision
 * ignored), which is not this call's answer: there hash-kv is ETCD_ENOTFOUND. */

typedef struct hash_job {
    etcd__op op;
} hash_job;

static void on_hash(etcd__req *req, etcd_response *resp)
{
    hash_job *job = etcd__req_owner(req);

    if (resp->status == ETCD_EHTTP && resp->http_status == 404) {
        etcd_response *none = etcd__response_new_error(
            ETCD_ENOTFOUND, resp->endpoint,
            "this etcd's gateway has no /v3/maintenance/hashkv (etcd 3.4 serves only "
            "the whole-database hash; etcd 3.5+ has hash-kv)");

        etcd_response_free(resp);
        resp = none;
    }
    etcd__op_finish(&job->op, resp);
}

static int hashkv(etcd_client *client, const char *endpoint, int64_t revision,
                  etcd__sink sink)
{
    hash_job *job;
    json_t *body;

    if (!client || revision < 0)
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    job = calloc(1, sizeof(*job));
    if (!job)
        return etcd__req_dispatch(ETCD_ENOMEM, NULL, sink);
    body = json_pack("{s:o}", "revision", etcd__v3_int(revision));
    return run_job(&job->op, job, client, sink, "/v3/maintenance/hashkv", body, endpoint,
                   on_hash);
}

int etcd_v3_hashkv(etcd_client *client, const char *endpoint, int64_t revision,
                   etcd_response_cb cb, void *data)
{
    return hashkv(client, endpoint, revision, etcd__async(cb, data));
}

int etcd_v3_hashkv_sync(etcd_client *client, const char *endpoint, int64_t revision,
                        etcd_response **out)
{
    return hashkv(client, endpoint, revision, etcd__sync(out));
}
