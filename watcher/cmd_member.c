/*
 * etcdwatch: the cluster commands: member list|add|update|remove, cluster-health and
 * stats self|leader|store.
 *
 * Under -o simple: aligned tables, and etcdctl v2's lines for member add, update and
 * remove and for cluster-health. Under -o json: the server's answer, or an object built
 * here for composite answers (member add with the settings of the new member,
 * cluster-health) and for answers without a body (member update and remove).
 */
#define _POSIX_C_SOURCE 200809L

#include "cmd_admin.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Why etcd may answer a membership change with a 500. */
#define MEMBER_HINT                                                                      \
    "etcd refuses a membership change that could cost the quorum (a member added but "   \
    "not started, or one down) and for a few seconds after it starts; its log says why"

static json_t *json_strings(const char *const *items, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < n; i++) {
        if (json_array_append_new(arr, json_string(items[i] != NULL ? items[i] : "")) !=
            0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* ---- member list ---------------------------------------------------------------- */

/* The leader's ID as the endpoint sees it (/v2/stats/self), or NULL: the LEADER
 * column, as etcdctl's isLeader=, is left out then. A new string. */
static char *leader_id(etcd_client *client)
{
    etcd_response *resp = NULL;
    char *id = NULL;

    if (etcd_stats_self_sync(client, &resp) == ETCD_OK && resp->stats_self != NULL &&
        resp->stats_self->leader_id != NULL && resp->stats_self->leader_id[0] != '\0')
        id = strdup(resp->stats_self->leader_id);
    etcd_response_free(resp);
    return id;
}

int cmd_member_list(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    static const char *const header[6] = {"ID",        "STATUS",      "NAME",
                                          "PEER URLS", "CLIENT URLS", "LEADER"};
    etcd_response *resp;
    char *leader;
    admin_table t;
    int failed = 0;
    int rc;

    rc = admin_query(ctx, cmd, argc, argv, etcd_member_list_sync, &resp);
    if (rc != CLI_CONTINUE)
        return rc;
    leader = leader_id(ctx->client); /* the client admin_query() built */
    admin_table_init(&t, leader != NULL ? 6 : 5);
    failed |= admin_table_add(&t, header);
    for (size_t i = 0; i < resp->nmembers && !failed; i++) {
        const etcd_member *m = &resp->members[i];
        char *peers = admin_join(m->peer_urls, m->npeer_urls, ",");
        char *clients = admin_join(m->client_urls, m->nclient_urls, ",");
        /* a member that was added but has not started has no name yet */
        int started = m->name != NULL && m->name[0] != '\0';
        int leads = leader != NULL && m->id != NULL && strcmp(m->id, leader) == 0;
        const char *row[6] = {m->id,   started ? "started" : "unstarted", m->name, peers,
                              clients, leads ? "true" : "false"};

        failed |= peers == NULL || clients == NULL || admin_table_add(&t, row) != 0;
        free(peers);
        free(clients);
    }
    if (failed) {
        rc = cli_report(ctx, ETCD_ENOMEM, NULL, "building the table");
    } else {
        admin_table_print(&t);
        rc = CLI_EXIT_OK;
    }
    free(leader);
    admin_table_free(&t);
    etcd_response_free(resp);
    return rc;
}

/* ---- member add ----------------------------------------------------------------- */

/* member add NAME PEER_URLS, member update ID PEER_URLS: parse, split PEER_URLS
 * "u1,u2" into *urls (free it then) and get the client. Returns CLI_CONTINUE or an exit
 * status. */
static int start_urls(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                      cli_args *pos, admin_list *urls, etcd_client **client)
{
    admin_args a = {0};
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, pos, 2, 2, client);
    if (rc != CLI_CONTINUE)
        return rc;
    return admin_list_arg(ctx, cmd, pos->argv[1], "PEER_URLS", "URL", urls);
}

int cmd_member_add(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_response *list = NULL;
    etcd_client *client;
    const char *name;
    const char *id;
    char *cluster = NULL;
    admin_list urls;
    cli_args pos;
    int status = CLI_EXIT_OK;
    int rc;

    rc = start_urls(ctx, cmd, argc, argv, &pos, &urls, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    name = pos.argv[0];
    rc = etcd_member_add_sync(client, urls.items, urls.n, &resp);
    admin_list_free(&urls);
    if (rc != ETCD_OK) {
        status = admin_report(ctx, rc, resp, MEMBER_HINT);
        etcd_response_free(resp);
        return status;
    }
    id = resp->nmembers > 0 && resp->members[0].id != NULL ? resp->members[0].id : "";

    /* The settings the new member starts with: the cluster as it is now. */
    rc = etcd_member_list_sync(client, &list);
    if (rc == ETCD_OK) {
        cluster = admin_initial_cluster(list->members, list->nmembers, id, name);
        if (cluster == NULL)
            rc = ETCD_ENOMEM;
    }

    if (ctx->output == CLI_OUTPUT_JSON) {
        json_t *out =
            json_pack("{s:o*,s:s}", "member", admin_body_json(resp), "name", name);

        if (out != NULL && cluster != NULL &&
            (json_object_set_new(out, "initialCluster", json_string(cluster)) != 0 ||
             json_object_set_new(out, "initialClusterState", json_string("existing")) !=
                 0)) {
            json_decref(out);
            out = NULL;
        }
        status = admin_print_json(ctx, out);
    } else {
        printf("Added member named %s with ID %s to cluster\n", name, id);
        if (cluster != NULL)
            printf("\nETCD_NAME=\"%s\"\nETCD_INITIAL_CLUSTER=\"%s\"\n"
                   "ETCD_INITIAL_CLUSTER_STATE=\"existing\"\n",
                   name, cluster);
    }
    if (rc != ETCD_OK) {
        char desc[512];

        if (list != NULL)
            etcd_response_describe(list, desc, sizeof(desc));
        else
            snprintf(desc, sizeof(desc), "%s", etcd_strerror(rc));
        cli_warn("member %s was added, but listing the members for its "
                 "ETCD_INITIAL_CLUSTER failed: %s",
                 id, desc);
    }
    free(cluster);
    etcd_response_free(list);
    etcd_response_free(resp);
    return status;
}

/* ---- member update, remove ------------------------------------------------------ */

int cmd_member_update(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    admin_list urls;
    cli_args pos;
    int status = CLI_EXIT_OK;
    int rc;

    rc = start_urls(ctx, cmd, argc, argv, &pos, &urls, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_member_update_sync(client, pos.argv[0], urls.items, urls.n, &resp);
    if (rc != ETCD_OK)
        status = admin_report(ctx, rc, resp, MEMBER_HINT);
    else if (ctx->output == CLI_OUTPUT_JSON)
        status =
            admin_print_json(ctx, json_pack("{s:s,s:o*}", "id", pos.argv[0], "peerURLs",
                                            json_strings(urls.items, urls.n)));
    else
        printf("Updated member with ID %s in cluster\n", pos.argv[0]);
    admin_list_free(&urls);
    etcd_response_free(resp);
    return status;
}

int cmd_member_remove(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    admin_args a = {0};
    cli_args pos;
    int status = CLI_EXIT_OK;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_member_remove_sync(client, pos.argv[0], &resp);
    if (rc != ETCD_OK)
        status = admin_report(ctx, rc, resp, MEMBER_HINT);
    else if (ctx->output == CLI_OUTPUT_JSON)
        status = admin_print_json(
            ctx, json_pack("{s:s,s:b}", "id", pos.argv[0], "removed", 1));
    else
        printf("Removed member %s from cluster\n", pos.argv[0]);
    etcd_response_free(resp);
    return status;
}

/* ---- cluster-health ------------------------------------------------------------- */

static const char *cluster_word(etcd_cluster_state state)
{
    switch (state) {
    case ETCD_CLUSTER_HEALTHY:
        return "healthy";
    case ETCD_CLUSTER_DEGRADED:
        return "degraded";
    default:
        return "unavailable";
    }
}

/* The library's reason when a member answered but not with {"health":"true"}. */
#define UNHEALTHY_REASON "got unhealthy result from "

/* etcdctl v2's lines for one member. */
static void print_member_health(const etcd_member *m)
{
    const char *id = m->id != NULL ? m->id : "";
    const char *url = m->health_url != NULL ? m->health_url : "";
    const char *why = m->health_reason != NULL ? m->health_reason : "";

    if (m->healthy) {
        printf("member %s is healthy: got healthy result from %s\n", id, url);
    } else if (m->nclient_urls == 0) {
        printf("member %s is unreachable: no available published client urls\n", id);
    } else if (strncmp(why, UNHEALTHY_REASON, strlen(UNHEALTHY_REASON)) == 0) {
        printf("member %s is unhealthy: %s\n", id, why);
    } else {
        printf("failed to check the health of member %s on %s: %s\n", id, url, why);
        printf("member %s is unreachable: [", id);
        for (size_t u = 0; u < m->nclient_urls; u++)
            printf("%s%s", u > 0 ? " " : "", m->client_urls[u]);
        printf("] are all unreachable\n");
    }
}

static json_t *member_health_json(const etcd_member *m)
{
    return json_pack("{s:s?,s:s?,s:o*,s:o*,s:b,s:b,s:s?,s:s?}", "id", m->id, "name",
                     m->name, "peerURLs", json_strings(m->peer_urls, m->npeer_urls),
                     "clientURLs", json_strings(m->client_urls, m->nclient_urls),
                     "healthy", m->healthy != 0, "leader", m->is_leader != 0, "url",
                     m->health_url, "reason", m->health_reason);
}

int cmd_cluster_health(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    admin_args a = {0};
    cli_args pos;
    int status;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 0, 0, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_cluster_health_sync(client, &resp);
    if (rc != ETCD_OK) {
        if (ctx->output == CLI_OUTPUT_SIMPLE)
            printf("cluster may be unhealthy: failed to list members\n");
        status = admin_report(ctx, rc, resp, "listing the members");
        etcd_response_free(resp);
        return status;
    }
    if (ctx->output == CLI_OUTPUT_JSON) {
        json_t *members = json_array();
        json_t *out;

        for (size_t i = 0; members != NULL && i < resp->nmembers; i++) {
            if (json_array_append_new(members, member_health_json(&resp->members[i])) !=
                0) {
                json_decref(members);
                members = NULL;
            }
        }
        out = json_pack("{s:o*,s:s}", "members", members, "cluster",
                        cluster_word(resp->cluster_state));
        if (out != NULL && members == NULL) {
            json_decref(out);
            out = NULL;
        }
        status = admin_print_json(ctx, out);
    } else {
        for (size_t i = 0; i < resp->nmembers; i++)
            print_member_health(&resp->members[i]);
        printf("cluster is %s\n", cluster_word(resp->cluster_state));
        status = CLI_EXIT_OK;
    }
    if (status == CLI_EXIT_OK && resp->cluster_state != ETCD_CLUSTER_HEALTHY)
        status = CLI_EXIT_ERROR;
    etcd_response_free(resp);
    return status;
}

/* ---- stats ---------------------------------------------------------------------- */

static int add_pair(admin_table *t, const char *name, const char *value)
{
    const char *row[2] = {name, value != NULL ? value : ""};

    return admin_table_add(t, row);
}

static int add_u64(admin_table *t, const char *name, uint64_t v)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%" PRIu64, v);
    return add_pair(t, name, buf);
}

static int add_double(admin_table *t, const char *name, double v)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "%g", v);
    return add_pair(t, name, buf);
}

/* /v2/stats/self: one "name value" line per field, in etcd's names. */
static int fill_self(admin_table *t, const etcd_response *resp)
{
    const etcd_self_stats *s = resp->stats_self;
    int failed = 0;

    if (s == NULL)
        return 0;
    failed |= add_pair(t, "name", s->name);
    failed |= add_pair(t, "id", s->id);
    failed |= add_pair(t, "state", s->state);
    failed |= add_pair(t, "startTime", s->start_time);
    failed |= add_pair(t, "leader", s->leader_id);
    failed |= add_pair(t, "leaderUptime", s->leader_uptime);
    failed |= add_pair(t, "leaderStartTime", s->leader_start_time);
    failed |= add_u64(t, "recvAppendRequestCnt", s->recv_append_request_cnt);
    failed |= add_double(t, "recvPkgRate", s->recv_pkg_rate);
    failed |= add_double(t, "recvBandwidthRate", s->recv_bandwidth_rate);
    failed |= add_u64(t, "sendAppendRequestCnt", s->send_append_request_cnt);
    failed |= add_double(t, "sendPkgRate", s->send_pkg_rate);
    failed |= add_double(t, "sendBandwidthRate", s->send_bandwidth_rate);
    return failed;
}

/* /v2/stats/leader: a header line naming the leader, then a row per follower with its
 * latency in milliseconds and its append counts. */
static int fill_leader(admin_table *t, const etcd_response *resp)
{
    const etcd_leader_stats *s = resp->stats_leader;
    int failed = 0;

    if (s == NULL)
        return 0;
    printf("Leader: %s\n", s->leader != NULL ? s->leader : "");
    failed |=
        admin_table_add(t, (const char *[]){"FOLLOWER", "LATENCY(ms)", "AVERAGE",
                                            "STDDEV", "MIN", "MAX", "SUCCESS", "FAIL"});
    for (size_t i = 0; i < s->nfollowers && !failed; i++) {
        const etcd_follower_stats *f = &s->followers[i];
        char cell[7][32];
        const char *row[8];

        snprintf(cell[0], sizeof(cell[0]), "%.6f", f->latency_current);
        snprintf(cell[1], sizeof(cell[1]), "%.6f", f->latency_average);
        snprintf(cell[2], sizeof(cell[2]), "%.6f", f->latency_stddev);
        snprintf(cell[3], sizeof(cell[3]), "%.6f", f->latency_min);
        snprintf(cell[4], sizeof(cell[4]), "%.6f", f->latency_max);
        snprintf(cell[5], sizeof(cell[5]), "%" PRIu64, f->success);
        snprintf(cell[6], sizeof(cell[6]), "%" PRIu64, f->fail);
        row[0] = f->id;
        for (int c = 0; c < 7; c++)
            row[c + 1] = cell[c];
        failed |= admin_table_add(t, row);
    }
    return failed;
}

/* /v2/stats/store: one "counter value" line each, in etcd's order. */
static int fill_store(admin_table *t, const etcd_response *resp)
{
    int failed = 0;

    for (size_t i = 0; i < resp->ncounters && !failed; i++)
        failed |= add_u64(t, resp->counters[i].name, resp->counters[i].value);
    return failed;
}

int cmd_stats_self(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return admin_table_cmd(ctx, cmd, argc, argv, etcd_stats_self_sync, fill_self, 2);
}

int cmd_stats_leader(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return admin_table_cmd(ctx, cmd, argc, argv, etcd_stats_leader_sync, fill_leader, 8);
}

int cmd_stats_store(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return admin_table_cmd(ctx, cmd, argc, argv, etcd_stats_store_sync, fill_store, 2);
}
