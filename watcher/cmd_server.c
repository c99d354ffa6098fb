/*
 * etcdwatch: commands about the server rather than its keys: health and version.
 */
#define _POSIX_C_SOURCE 200809L

#include "cmd_keys.h"

#include <stdio.h>

int cmd_server_health(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    cli_args pos;
    int status;
    int rc;

    rc = cli_parse(ctx, cmd, argc, argv, NULL, &pos, 0, 0);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_health_sync(client, &resp);
    if (rc != ETCD_OK) {
        status = cli_report(ctx, rc, resp, "health");
    } else if (ctx->output == CLI_OUTPUT_JSON) {
        cli_print_json(resp);
        status = resp->health ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    } else if (resp->health) {
        printf("%s is healthy\n", resp->endpoint);
        status = CLI_EXIT_OK;
    } else {
        printf("%s is unhealthy\n", resp->endpoint);
        status = CLI_EXIT_ERROR;
    }
    etcd_response_free(resp);
    return status;
}

int cmd_server_version(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    cli_args pos;
    int status = CLI_EXIT_OK;
    int rc;

    rc = cli_parse(ctx, cmd, argc, argv, NULL, &pos, 0, 0);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_version_sync(client, &resp);
    if (rc != ETCD_OK) {
        status = cli_report(ctx, rc, resp, "version");
    } else if (ctx->output == CLI_OUTPUT_JSON) {
        cli_print_json(resp);
    } else {
        printf("etcd server version: %s\n",
               resp->server_version != NULL ? resp->server_version : "unknown");
        printf("etcd cluster version: %s\n",
               resp->cluster_version != NULL ? resp->cluster_version : "unknown");
    }
    etcd_response_free(resp);
    return status;
}
