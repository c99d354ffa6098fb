/*
 * etcdwatch: commands about the server rather than its keys: health and version.
 */
#define _POSIX_C_SOURCE 200809L

#include "cmd_keys.h"

#include <stdio.h>

int cmd_server_health(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp;
    int status;
    int rc;

    /* -o json: the answer, and still the exit status of the health it tells */
    rc = cli_query(ctx, cmd, argc, argv, etcd_health_sync, cli_report, NULL, &resp);
    if (rc != CLI_CONTINUE)
        return rc;
    if (ctx->output == CLI_OUTPUT_JSON)
        cli_print_json(resp);
    else
        printf("%s is %s\n", resp->endpoint, resp->health ? "healthy" : "unhealthy");
    status = resp->health ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    etcd_response_free(resp);
    return status;
}

int cmd_server_version(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp;
    int rc;

    rc = cli_query(ctx, cmd, argc, argv, etcd_version_sync, cli_report, cli_print_json,
                   &resp);
    if (rc != CLI_CONTINUE)
        return rc;
    printf("etcd server version: %s\n",
           resp->server_version != NULL ? resp->server_version : "unknown");
    printf("etcd cluster version: %s\n",
           resp->cluster_version != NULL ? resp->cluster_version : "unknown");
    etcd_response_free(resp);
    return CLI_EXIT_OK;
}
