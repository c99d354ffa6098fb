/*
 * etcdwatch: the watcher service's commands, `run` and `check-config`.
 */
#ifndef ETCDWATCH_CMD_RUN_H
#define ETCDWATCH_CMD_RUN_H

#include "cli.h"

int cmd_run(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_check_config(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);

#endif /* ETCDWATCH_CMD_RUN_H */
