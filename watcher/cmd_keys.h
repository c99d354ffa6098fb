/*
 * etcdwatch: the v2 keys commands (cmd_keys.c) and the server commands (cmd_server.c).
 * The option tables that fill these structs are in commands.c.
 */
#ifndef ETCDWATCH_CMD_KEYS_H
#define ETCDWATCH_CMD_KEYS_H

#include "cli.h"

/* Every keys command's options; each command reads the ones it declares. */
typedef struct keys_args {
    int64_t ttl;
    int quorum;
    int recursive;
    int dir;
    int sort;
    int slash; /* ls -p */
    int in_order;
    int forever;
    const char *swap_value; /* set --swap-with-value */
    uint64_t swap_index;    /* set --swap-with-index; 0: unset */
    const char *with_value; /* rm --with-value */
    uint64_t with_index;    /* rm --with-index; 0: unset */
    uint64_t after_index;   /* watch --after-index; 0: from now */
} keys_args;

int cmd_keys_get(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_keys_set(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_keys_mk(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_keys_update(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_keys_rm(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_keys_mkdir(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_keys_setdir(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_keys_updatedir(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_keys_rmdir(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_keys_ls(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_keys_watch(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);

int cmd_server_health(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_server_version(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);

#endif /* ETCDWATCH_CMD_KEYS_H */
