/*
 * etcdwatch: `etcdwatch render`, the template engine's one-shot command
 * (template/render_cmd.h) with keys read from etcd through libetcd.
 */
#ifndef ETCDWATCH_CMD_RENDER_H
#define ETCDWATCH_CMD_RENDER_H

#include "cli.h"

int cmd_render(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);

#endif /* ETCDWATCH_CMD_RENDER_H */
