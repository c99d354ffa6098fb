/*
 * etcdwatch: the v3 administration commands (issue 6), as etcdctl v3 names them:
 *
 *   cmd_v3_admin.c  the table, member ..., endpoint status|health, shared helpers
 *   cmd_v3_lease.c  lease grant|revoke|timetolive|list|keep-alive
 *   cmd_v3_auth.c   auth enable|disable|status, user ..., role ...
 *
 * Under -o simple each prints what etcdctl v3 (3.4) prints under -w simple; under
 * -o json the gateway's answer with keys and values decoded (cli_v3_print_json()).
 */
#ifndef ETCDWATCH_CMD_V3_ADMIN_H
#define ETCDWATCH_CMD_V3_ADMIN_H

#include <stddef.h>

#include <etcd/v3_cluster.h>

#include "cmd_v3.h"

/* Every v3 admin command's options; each command reads the ones it declares. */
typedef struct v3adm_args {
    int keys;              /* lease timetolive --keys */
    int once;              /* lease keep-alive --once */
    const char *peer_urls; /* member add|update --peer-urls */
    int learner;           /* member add --learner */
    int cluster;           /* endpoint status|health, defrag --cluster */
    int password_stdin;    /* user add|passwd --password-stdin */
    int no_password;       /* user add --no-password */
    int detail;            /* user get --detail */
    int prefix;            /* role grant-permission|revoke-permission --prefix */
    int from_key;          /* --from-key */
} v3adm_args;

/* A row of an option table that fills v3adm_args. */
/* clang-format off */
#define V3ADM_OPT(name, type, arg, field, help)                                          \
    {name, 0, type, arg, offsetof(v3adm_args, field), help}
/* clang-format on */

/* The subcommand tables of the groups (cmd_v3_lease.c, cmd_v3_auth.c). */
extern const cli_command v3adm_lease_cmds[];
extern const cli_command v3adm_auth_cmds[];
extern const cli_command v3adm_user_cmds[];
extern const cli_command v3adm_role_cmds[];

/* cli_query() for the v3 commands: under -o json the gateway's answer is printed
 * (cli_v3_print_json()). Returns CLI_CONTINUE with *resp the answer to print under -o
 * simple (new: the caller frees it), or an exit status with *resp NULL. */
int v3adm_query(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                cli_query_fn call, etcd_response **resp);

/* The outcome of a call that prints `line` under -o simple and the gateway's answer
 * under -o json: reports a failure, prints, frees resp. Returns an exit status. */
int v3adm_finish(cli_ctx *ctx, int rc, etcd_response *resp, const char *line);

/* An ID given in hex as etcdctl takes it: 1 to 16 hex digits, no "0x". Returns 0, or
 * -1 when `s` is not one. */
int v3adm_parse_hex(const char *s, uint64_t *out);

#endif /* ETCDWATCH_CMD_V3_ADMIN_H */
