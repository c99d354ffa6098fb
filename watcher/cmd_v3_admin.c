/*
 * etcdwatch: the v3 admin commands' table, member ..., endpoint status|health, alarm
 * list|disarm, defrag, and what the v3 admin commands share. See cmd_v3_admin.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "cmd_v3_admin.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmd_admin.h"

/* ---- Shared helpers --------------------------------------------------------------- */

int v3adm_query(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                cli_query_fn call, etcd_response **resp)
{
    return cli_query(ctx, cmd, argc, argv, call, cli_report, cli_v3_print_json, resp);
}

int v3adm_finish(cli_ctx *ctx, int rc, etcd_response *resp, const char *line)
{
    int status = CLI_EXIT_OK;

    if (rc != ETCD_OK)
        status = cli_report(ctx, rc, resp, ctx->path);
    else if (ctx->output == CLI_OUTPUT_JSON)
        cli_v3_print_json(resp);
    else
        printf("%s\n", line);
    etcd_response_free(resp);
    return status;
}

int v3adm_parse_hex(const char *s, uint64_t *out)
{
    size_t n = strlen(s);
    char *end;

    if (n == 0 || n > 16 || strspn(s, "0123456789abcdefABCDEF") != n)
        return -1;
    *out = strtoull(s, &end, 16);
    return *end == '\0' ? 0 : -1;
}

/* The cluster ID of an answer, 0 when it has no header. */
static uint64_t cluster_id(const etcd_response *resp)
{
    return resp->header != NULL ? resp->header->cluster_id : 0;
}

/* ---- member --------------------------------------------------------------------- */

/* A member ID argument: hex, printed back as etcdctl prints it. */
static int member_id_arg(cli_ctx *ctx, const cli_command *cmd, const char *arg,
                         uint64_t *id)
{
    if (v3adm_parse_hex(arg, id) != 0 || *id == 0)
        return cli_usage_error(ctx, cmd, "bad member ID arg (%s), expecting ID in Hex",
                               arg);
    return CLI_CONTINUE;
}

/* --peer-urls U1,U2 (required) into *urls. */
static int peer_urls_opt(cli_ctx *ctx, const cli_command *cmd, const v3adm_args *a,
                         admin_list *urls)
{
    if (a->peer_urls == NULL)
        return cli_usage_error(ctx, cmd, "member peer urls not provided (--peer-urls)");
    return admin_list_arg(ctx, cmd, a->peer_urls, "--peer-urls", "URL", urls);
}

static int v3_member_list(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp;
    int rc;

    rc = v3adm_query(ctx, cmd, argc, argv, etcd_v3_member_list_sync, &resp);
    if (rc != CLI_CONTINUE)
        return rc;
    for (size_t i = 0; i < resp->nmembers; i++) {
        const etcd_member *m = &resp->members[i];
        char *peers = admin_join(m->peer_urls, m->npeer_urls, ",");
        char *clients = admin_join(m->client_urls, m->nclient_urls, ",");

        if (peers == NULL || clients == NULL) {
            free(peers);
            free(clients);
            etcd_response_free(resp);
            return cli_report(ctx, ETCD_ENOMEM, NULL, "printing the members");
        }
        /* a member added but not started has no name yet */
        printf("%s, %s, %s, %s, %s, %s\n", m->id,
               m->name[0] != '\0' ? "started" : "unstarted", m->name, peers, clients,
               m->is_learner ? "true" : "false");
        free(peers);
        free(clients);
    }
    etcd_response_free(resp);
    return CLI_EXIT_OK;
}

static int v3_member_add(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    const etcd_member *m;
    admin_list urls;
    uint64_t id = 0;
    char *cluster;
    char *peers;
    v3adm_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_parse(ctx, cmd, argc, argv, &a, &pos, 1, 1);
    if (rc == CLI_CONTINUE)
        rc = peer_urls_opt(ctx, cmd, &a, &urls);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = cli_client(ctx, &client);
    if (rc == CLI_CONTINUE) {
        rc = etcd_v3_member_add_sync(client, urls.items, urls.n, a.learner, &resp);
        if (rc != ETCD_OK || ctx->output == CLI_OUTPUT_JSON || resp->nmembers == 0)
            rc = v3adm_finish(ctx, rc, resp, "");
        else
            rc = CLI_CONTINUE;
    }
    if (rc != CLI_CONTINUE) {
        admin_list_free(&urls);
        return rc;
    }
    m = &resp->members[0];
    (void)v3adm_parse_hex(m->id, &id);
    printf("Member %16" PRIx64 " added%sto cluster %16" PRIx64 "\n", id,
           m->is_learner ? " as learner " : " ", cluster_id(resp));
    /* the answer lists the new member first, then every member with it */
    cluster =
        admin_initial_cluster(resp->members + 1, resp->nmembers - 1, m->id, pos.argv[0]);
    peers = admin_join(urls.items, urls.n, ",");
    if (cluster != NULL && peers != NULL) {
        printf("\nETCD_NAME=\"%s\"\nETCD_INITIAL_CLUSTER=\"%s\"\n"
               "ETCD_INITIAL_ADVERTISE_PEER_URLS=\"%s\"\n"
               "ETCD_INITIAL_CLUSTER_STATE=\"existing\"\n",
               pos.argv[0], cluster, peers);
        rc = CLI_EXIT_OK;
    } else {
        rc = cli_report(ctx, ETCD_ENOMEM, NULL, "printing the new member's settings");
    }
    free(cluster);
    free(peers);
    admin_list_free(&urls);
    etcd_response_free(resp);
    return rc;
}

/* member remove|promote ID, and update ID --peer-urls. */
typedef enum member_change { MEMBER_REMOVE, MEMBER_UPDATE, MEMBER_PROMOTE } member_change;

static int member_change_cmd(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                             member_change what)
{
    static const char *const done[] = {"removed from", "updated in", "promoted in"};
    etcd_response *resp = NULL;
    etcd_client *client;
    admin_list urls = {0};
    uint64_t id = 0;
    v3adm_args a = {0};
    cli_args pos;
    char line[128];
    int rc;

    rc = cli_parse(ctx, cmd, argc, argv, &a, &pos, 1, 1);
    if (rc == CLI_CONTINUE)
        rc = member_id_arg(ctx, cmd, pos.argv[0], &id);
    if (rc == CLI_CONTINUE && what == MEMBER_UPDATE)
        rc = peer_urls_opt(ctx, cmd, &a, &urls);
    if (rc == CLI_CONTINUE)
        rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE) {
        admin_list_free(&urls);
        return rc;
    }
    if (what == MEMBER_REMOVE)
        rc = etcd_v3_member_remove_sync(client, pos.argv[0], &resp);
    else if (what == MEMBER_UPDATE)
        rc = etcd_v3_member_update_sync(client, pos.argv[0], urls.items, urls.n, &resp);
    else
        rc = etcd_v3_member_promote_sync(client, pos.argv[0], &resp);
    admin_list_free(&urls);
    snprintf(line, sizeof(line), "Member %16" PRIx64 " %s cluster %16" PRIx64, id,
             done[what], resp != NULL ? cluster_id(resp) : 0);
    return v3adm_finish(ctx, rc, resp, line);
}

static int v3_member_remove(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return member_change_cmd(ctx, cmd, argc, argv, MEMBER_REMOVE);
}

static int v3_member_update(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return member_change_cmd(ctx, cmd, argc, argv, MEMBER_UPDATE);
}

static int v3_member_promote(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return member_change_cmd(ctx, cmd, argc, argv, MEMBER_PROMOTE);
}

/* ---- endpoint status, health ---------------------------------------------------- */

/* The endpoints to ask: --endpoints, or with --cluster every client URL of every
 * member. Returns CLI_CONTINUE with *eps filled, or an exit status. */
static int endpoint_list(cli_ctx *ctx, etcd_client *client, const v3adm_args *a,
                         admin_list *eps)
{
    etcd_response *resp = NULL;
    size_t n = 0;
    int rc;

    memset(eps, 0, sizeof(*eps));
    if (!a->cluster) {
        if (admin_list_split(ctx->endpoints, eps) < 0)
            return cli_report(ctx, ETCD_ENOMEM, NULL, "reading --endpoints");
        return CLI_CONTINUE;
    }
    rc = etcd_v3_member_list_sync(client, &resp);
    if (rc != ETCD_OK) {
        rc = cli_report(ctx, rc, resp, "listing the members for --cluster");
        etcd_response_free(resp);
        return rc;
    }
    for (size_t i = 0; i < resp->nmembers; i++)
        n += resp->members[i].nclient_urls;
    {
        const char **all = calloc(n + 1, sizeof(*all));
        char *joined = NULL;
        size_t k = 0;

        if (all != NULL) {
            for (size_t i = 0; i < resp->nmembers; i++)
                for (size_t u = 0; u < resp->members[i].nclient_urls; u++)
                    all[k++] = resp->members[i].client_urls[u];
            joined = admin_join(all, k, ",");
        }
        free(all);
        rc = joined != NULL ? admin_list_split(joined, eps) : -1;
        free(joined);
    }
    etcd_response_free(resp);
    if (rc < 0)
        return cli_report(ctx, ETCD_ENOMEM, NULL, "listing the endpoints");
    return CLI_CONTINUE;
}

/* go-humanize's Bytes(), as etcdctl prints a database size: "37 kB", "1.2 MB". */
static void human_bytes(int64_t size, char *buf, size_t len)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    double v = (double)(size > 0 ? size : 0);
    size_t e = 0;
    double val;

    if (size < 10) {
        snprintf(buf, len, "%" PRId64 " B", size);
        return;
    }
    while (v >= 1000.0 && e + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1000.0;
        e++;
    }
    val = (double)(int64_t)(v * 10.0 + 0.5) / 10.0;
    snprintf(buf, len, val < 10.0 ? "%.1f %s" : "%.0f %s", val, units[e]);
}

/* One endpoint's status as etcdctl's comma line. */
static int print_status_line(const char *ep, const etcd_v3_member_status *st)
{
    char size[32];
    char *errors = admin_join(st->errors, st->nerrors, ", ");

    if (errors == NULL)
        return -1;
    human_bytes(st->db_size, size, sizeof(size));
    printf("%s, %s, %s, %s, %s, %s, %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %s\n", ep,
           st->member_id, st->version != NULL ? st->version : "", size,
           strcmp(st->leader, st->member_id) == 0 ? "true" : "false",
           st->is_learner ? "true" : "false", st->raft_term, st->raft_index,
           st->raft_applied_index, errors);
    free(errors);
    return 0;
}

/* {"Endpoint": ep, <key>: the answer's JSON} as one line, as etcdctl's -w json
 * elements. */
static int print_endpoint_json(const cli_ctx *ctx, const char *ep, const char *key,
                               json_t *value)
{
    return admin_print_json(ctx, json_pack("{s:s,s:o*}", "Endpoint", ep, key, value));
}

/* Why a request to one endpoint failed, without the endpoint (the line names it). */
static const char *failure_reason(int rc, const etcd_response *resp)
{
    if (resp != NULL && resp->error.message != NULL && resp->error.message[0] != '\0')
        return resp->error.message;
    if (resp != NULL && resp->reason != NULL && resp->reason[0] != '\0')
        return resp->reason;
    return etcd_strerror(rc);
}

/* endpoint status: etcdctl's line (or JSON element) for one endpoint. */
static int status_of(cli_ctx *ctx, etcd_client *client, const char *ep, int *failed)
{
    etcd_response *resp = NULL;
    int rc = etcd_v3_status_sync(client, ep, &resp);

    if (rc != ETCD_OK || resp->v3_status == NULL) {
        fflush(stdout);
        fprintf(stderr, "Error:  failed to get the status of endpoint %s (%s)\n", ep,
                failure_reason(rc != ETCD_OK ? rc : ETCD_EPROTO, resp));
        *failed = 1;
    } else if (ctx->output == CLI_OUTPUT_JSON) {
        if (print_endpoint_json(ctx, ep, "Status", admin_body_json(resp)))
            *failed = 1;
    } else if (print_status_line(ep, resp->v3_status) != 0) {
        cli_report(ctx, ETCD_ENOMEM, NULL, "printing the status");
        *failed = 1;
    }
    etcd_response_free(resp);
    return CLI_CONTINUE;
}

/* A duration as Go prints it (time.Duration.String()): "3.104234ms", "1.5s". */
static void go_duration(int64_t ns, char *buf, size_t len)
{
    const char *unit = "s";
    double v = (double)ns / 1e9;
    char *p;

    if (ns < 1000) {
        snprintf(buf, len, "%" PRId64 "ns", ns);
        return;
    }
    if (ns < 1000000) {
        v = (double)ns / 1e3;
        unit = "µs";
    } else if (ns < 1000000000) {
        v = (double)ns / 1e6;
        unit = "ms";
    }
    snprintf(buf, len, "%.9f", v);
    /* Go prints the exact digits, trailing zeros dropped */
    p = buf + strlen(buf);
    while (p > buf && p[-1] == '0')
        *--p = '\0';
    if (p > buf && p[-1] == '.')
        *--p = '\0';
    snprintf(p, len - (size_t)(p - buf), "%s", unit);
}

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A client of its own for endpoint `ep`, built from the global options as the main
 * one (credentials included). Returns CLI_CONTINUE or an exit status. */
static int endpoint_client(cli_ctx *ctx, const char *ep, etcd_client **out)
{
    etcd_client *main_client = ctx->client;
    const char *endpoints = ctx->endpoints;
    int rc;

    ctx->client = NULL;
    ctx->endpoints = ep;
    rc = cli_client(ctx, out);
    ctx->client = main_client;
    ctx->endpoints = endpoints;
    return rc;
}

/* Check one endpoint as etcdctl does: a linearizable read of the key "health" (a
 * permission refusal counts as healthy: it went through consensus), then no alarm
 * raised. *error is "" when healthy. */
static int check_health(cli_ctx *ctx, const char *ep, char *error, size_t len,
                        int64_t *took)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    int64_t start;
    int rc;

    error[0] = '\0';
    rc = endpoint_client(ctx, ep, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    start = now_ns();
    rc = etcd_v3_range_sync(client, cli_v3_bytes("health"), NULL, &resp);
    *took = now_ns() - start;
    if (rc != ETCD_OK &&
        !(rc == ETCD_EETCD && resp != NULL && resp->error.grpc_code == 7))
        snprintf(error, len, "%s", failure_reason(rc, resp));
    etcd_response_free(resp);
    resp = NULL;
    if (error[0] == '\0') {
        rc = etcd_v3_alarm_list_sync(client, &resp);
        if (rc != ETCD_OK) {
            snprintf(error, len, "Unable to fetch the alarm list");
        } else if (resp->nv3_alarms > 0) {
            size_t used = (size_t)snprintf(error, len, "Active Alarm(s): ");

            for (size_t i = 0; i < resp->nv3_alarms && used < len; i++)
                used += (size_t)snprintf(error + used, len - used, "%s ",
                                         resp->v3_alarms[i].alarm);
        }
        etcd_response_free(resp);
    }
    etcd_client_free(client);
    return CLI_CONTINUE;
}

/* endpoint health: one endpoint's line, on stdout when healthy, else on stderr. */
static int health_of(cli_ctx *ctx, etcd_client *client, const char *ep, int *failed)
{
    char error[512];
    char took[64];
    int64_t ns = 0;
    int rc;

    (void)client; /* each endpoint gets a client of its own */
    rc = check_health(ctx, ep, error, sizeof(error), &ns);
    if (rc != CLI_CONTINUE)
        return rc;
    go_duration(ns, took, sizeof(took));
    *failed |= error[0] != '\0';
    if (ctx->output == CLI_OUTPUT_JSON) {
        json_t *j = json_pack("{s:s,s:b,s:s}", "endpoint", ep, "health", error[0] == '\0',
                              "took", took);

        if (j != NULL && error[0] != '\0' &&
            json_object_set_new(j, "error", json_string(error)) != 0) {
            json_decref(j);
            j = NULL;
        }
        if (admin_print_json(ctx, j) != CLI_EXIT_OK)
            *failed = 1;
    } else if (error[0] == '\0') {
        printf("%s is healthy: successfully committed proposal: took = %s\n", ep, took);
    } else {
        fflush(stdout);
        fprintf(stderr, "%s is unhealthy: failed to commit proposal: %s\n", ep, error);
    }
    return CLI_CONTINUE;
}

/* ---- alarm, defrag ------------------------------------------------------------- */

/* The alarms of an answer as etcdctl prints them: "memberID:DECIMAL alarm:NOSPACE". */
static void print_alarms(const etcd_response *resp)
{
    for (size_t i = 0; i < resp->nv3_alarms; i++)
        printf("memberID:%llu alarm:%s \n",
               strtoull(resp->v3_alarms[i].member_id, NULL, 16),
               resp->v3_alarms[i].alarm);
}

/* alarm list and alarm disarm: the alarms raised, or those disarmed. */
static int alarm_cmd(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                     int disarm)
{
    etcd_response *resp;
    int rc;

    rc = v3adm_query(ctx, cmd, argc, argv,
                     disarm ? etcd_v3_alarm_disarm_sync : etcd_v3_alarm_list_sync, &resp);
    if (rc != CLI_CONTINUE)
        return rc;
    print_alarms(resp);
    etcd_response_free(resp);
    return CLI_EXIT_OK;
}

static int v3_alarm_list(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return alarm_cmd(ctx, cmd, argc, argv, 0);
}

static int v3_alarm_disarm(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return alarm_cmd(ctx, cmd, argc, argv, 1);
}

/* defrag: one endpoint's outcome, a failure on stderr. */
static int defrag_of(cli_ctx *ctx, etcd_client *client, const char *ep, int *failed)
{
    etcd_response *resp = NULL;
    int rc = etcd_v3_defragment_sync(client, ep, &resp);

    if (rc != ETCD_OK) {
        fflush(stdout);
        fprintf(stderr, "Failed to defragment etcd member[%s] (%s)\n", ep,
                failure_reason(rc, resp));
        *failed = 1;
    } else if (ctx->output == CLI_OUTPUT_JSON) {
        if (print_endpoint_json(ctx, ep, "Defrag", admin_body_json(resp)))
            *failed = 1;
    } else {
        printf("Finished defragmenting etcd member[%s]\n", ep);
    }
    etcd_response_free(resp);
    return CLI_CONTINUE;
}

/* ---- endpoint status|health, defrag: each endpoint on its own ------------------- */

/* What endpoint status, endpoint health and defrag do with one endpoint: ask it and
 * print the outcome, a failure on stderr (and set *failed). Returns CLI_CONTINUE, or
 * an exit status that ends the command at once. */
typedef int (*endpoint_fn)(cli_ctx *ctx, etcd_client *client, const char *ep,
                           int *failed);

/* Ask each endpoint on its own, as etcdctl does: those of --endpoints, or with
 * --cluster every member's client URLs. Returns an exit status: 1 when an endpoint
 * failed, after a line "Error:  `summary`" when `summary` is not NULL. */
static int each_endpoint(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                         endpoint_fn ask, const char *summary)
{
    etcd_client *client;
    admin_list eps;
    v3adm_args a = {0};
    cli_args pos;
    int failed = 0;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 0, 0, &client);
    if (rc == CLI_CONTINUE)
        rc = endpoint_list(ctx, client, &a, &eps);
    if (rc != CLI_CONTINUE)
        return rc;
    for (size_t i = 0; i < eps.n && rc == CLI_CONTINUE; i++) {
        rc = ask(ctx, client, eps.items[i], &failed);
        fflush(stdout);
    }
    admin_list_free(&eps);
    if (rc != CLI_CONTINUE)
        return rc;
    if (failed && summary != NULL)
        fprintf(stderr, "Error:  %s\n", summary);
    return failed ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

static int v3_endpoint_status(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return each_endpoint(ctx, cmd, argc, argv, status_of, NULL);
}

static int v3_endpoint_health(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return each_endpoint(ctx, cmd, argc, argv, health_of, "unhealthy cluster");
}

static int v3_defrag(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return each_endpoint(ctx, cmd, argc, argv, defrag_of, NULL);
}

/* ---- The table ------------------------------------------------------------------ */

static const cli_opt member_add_opts[] = {
    V3ADM_OPT("peer-urls", CLI_OPT_STRING, "URL[,URL...]", peer_urls,
              "the new member's peer URLs, comma-separated (required)"),
    V3ADM_OPT("learner", CLI_OPT_FLAG, NULL, learner,
              "add it as a learner: a non-voting member, promoted once it caught up"),
    {0},
};

static const cli_opt member_update_opts[] = {
    V3ADM_OPT("peer-urls", CLI_OPT_STRING, "URL[,URL...]", peer_urls,
              "the member's new peer URLs, comma-separated (required)"),
    {0},
};

static const cli_opt endpoint_opts[] = {
    V3ADM_OPT("cluster", CLI_OPT_FLAG, NULL, cluster,
              "ask every member's client URLs (from the member list) instead of "
              "--endpoints"),
    {0},
};

static const cli_command member_cmds[] = {
    {"list", CLI_API_V3, NULL, "list the cluster's members",
     "List every member as etcdctl v3 does, one line each: 'ID, STATUS, NAME, "
     "PEER_URLS, CLIENT_URLS, IS_LEARNER' (STATUS is unstarted for a member added but "
     "not yet started). -o json: the gateway's answer.",
     NULL, v3_member_list, NULL},
    {"add", CLI_API_V3, "NAME", "add a member (or a learner) to the cluster",
     "Add a member called NAME with the peer URLs of --peer-urls, as a non-voting "
     "learner with --learner. Prints 'Member ID added to cluster CLUSTER_ID' (or "
     "'added as learner'), then the ETCD_NAME, ETCD_INITIAL_CLUSTER, "
     "ETCD_INITIAL_ADVERTISE_PEER_URLS and ETCD_INITIAL_CLUSTER_STATE settings to start "
     "it with (etcd --initial-cluster-state existing). etcd refuses an add for a few "
     "seconds after the cluster started, and while a member is down or unstarted when "
     "the change could cost the quorum.",
     member_add_opts, v3_member_add, NULL},
    {"remove", CLI_API_V3, "ID", "remove a member from the cluster",
     "Remove member ID (hex, as member list prints it). Prints 'Member ID removed from "
     "cluster CLUSTER_ID'.",
     NULL, v3_member_remove, NULL},
    {"update", CLI_API_V3, "ID", "change a member's peer URLs",
     "Replace the peer URLs of member ID (hex) with those of --peer-urls. Prints "
     "'Member ID updated in cluster CLUSTER_ID'.",
     member_update_opts, v3_member_update, NULL},
    {"promote", CLI_API_V3, "ID", "promote a learner to a voting member",
     "Promote the learner ID (hex) to a voting member. etcd refuses until the learner "
     "has caught up with the leader ('can only promote a learner member which is in "
     "sync with leader'): try again a moment later. Prints 'Member ID promoted in "
     "cluster CLUSTER_ID'.",
     NULL, v3_member_promote, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_command endpoint_cmds[] = {
    {"status", CLI_API_V3, NULL, "show each endpoint's status",
     "Ask each endpoint on its own (--endpoints, or every member with --cluster) for "
     "its status and print etcdctl's line for it: 'endpoint, ID, version, db size, is "
     "leader, is learner, raft term, raft index, raft applied index, errors'. An "
     "endpoint that does not answer gets an Error line on stderr and exit status 1; "
     "the others are still printed. -o json: one {\"Endpoint\":...,\"Status\":{...}} "
     "line per endpoint with the gateway's answer.",
     endpoint_opts, v3_endpoint_status, NULL},
    {"health", CLI_API_V3, NULL, "check that each endpoint commits a proposal",
     "Check each endpoint on its own (--endpoints, or every member with --cluster) as "
     "etcdctl does: a linearizable read through consensus and no alarm raised. Prints "
     "'URL is healthy: successfully committed proposal: took = 1.2ms' on stdout, or "
     "'URL is unhealthy: failed to commit proposal: REASON' on stderr followed at the "
     "end by 'Error:  unhealthy cluster' and exit status 1. -o json: one "
     "{\"endpoint\",\"health\",\"took\"[,\"error\"]} line per endpoint.",
     endpoint_opts, v3_endpoint_health, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_command alarm_cmds[] = {
    {"list", CLI_API_V3, NULL, "list the alarms raised",
     "Print each alarm raised in the cluster as etcdctl does: 'memberID:ID "
     "alarm:NOSPACE' (ID in decimal). Nothing when there is none.",
     NULL, v3_alarm_list, NULL},
    {"disarm", CLI_API_V3, NULL, "disarm every alarm",
     "Disarm every alarm raised (after freeing space: compaction, defrag) and print "
     "those disarmed, as alarm list does. A NOSPACE alarm refuses every write until "
     "it is disarmed.",
     NULL, v3_alarm_disarm, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

const cli_command cli_v3_admin_commands[] = {
    {"lease", CLI_API_V3, NULL, "grant, revoke, inspect and keep alive leases",
     "Manage v3 leases. Lease IDs are hex, as etcdctl prints them.", NULL, NULL,
     v3adm_lease_cmds},
    {"member", CLI_API_V3, NULL, "list, add, remove, update and promote members",
     "Manage the cluster's members through /v3/cluster/member/*. Member IDs are hex.",
     NULL, NULL, member_cmds},
    {"endpoint", CLI_API_V3, NULL, "status and health of each endpoint",
     "Ask each endpoint (or each member with --cluster) for its status or health.", NULL,
     NULL, endpoint_cmds},
    {"alarm", CLI_API_V3, NULL, "list or disarm the cluster's alarms",
     "List or disarm the alarms etcd raises (NOSPACE when the backend reached its "
     "quota, CORRUPT).",
     NULL, NULL, alarm_cmds},
    {"defrag", CLI_API_V3, NULL, "defragment each endpoint's backend",
     "Defragment the backend database of each endpoint on its own (--endpoints, or "
     "every member with --cluster), giving back the space compaction freed. Prints "
     "'Finished defragmenting etcd member[URL]' for each, or 'Failed to defragment "
     "etcd member[URL] (REASON)' on stderr and exit status 1. A member blocks while "
     "it is defragmented: do one at a time on a busy cluster. -o json: one "
     "{\"Endpoint\":...,\"Defrag\":{...}} line per endpoint.",
     endpoint_opts, v3_defrag, NULL},
    {"auth", CLI_API_V3, NULL, "enable, disable or show v3 authentication",
     "Turn etcd's v3 auth on or off. Once it is on, every request needs --user "
     "(the password from ETCDWATCH_PASSWORD or a prompt); the auth, user and role "
     "commands need a user with the root role.",
     NULL, NULL, v3adm_auth_cmds},
    {"user", CLI_API_V3, NULL, "add, list, change and delete v3 users",
     "Manage v3 auth users. Passwords are never taken from the command line.", NULL, NULL,
     v3adm_user_cmds},
    {"role", CLI_API_V3, NULL, "add, list, change and delete v3 roles",
     "Manage v3 auth roles and the keys and ranges they may read and write.", NULL, NULL,
     v3adm_role_cmds},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
