/*
 * etcdwatch: the v2 administration commands (issue 3):
 *
 *   cmd_auth.c    auth enable|disable|status, user ..., role ...
 *   cmd_member.c  member list|add|update|remove, cluster-health, stats self|leader|store
 *   cmd_admin.c   what they share: aligned tables, the auth API's errors, JSON output
 *                 built with Jansson, lists given as "A,B,C", new passwords
 *
 * The option tables that fill admin_args are in commands.c.
 */
#ifndef ETCDWATCH_CMD_ADMIN_H
#define ETCDWATCH_CMD_ADMIN_H

#include <jansson.h>

#include "cli.h"

/* Every admin command's options; each command reads the ones it declares. */
typedef struct admin_args {
    const char *roles;  /* user add|grant|revoke --roles R1,R2 */
    const char *path;   /* role grant|revoke --path PATH */
    int read;           /* role grant|revoke --read */
    int write;          /* --write */
    int readwrite;      /* --readwrite */
    int password_stdin; /* user add|passwd --password-stdin */
} admin_args;

/* ---- Handlers (cmd_auth.c) ---- */
int cmd_auth_enable(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_auth_disable(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_auth_status(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_user_list(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_user_get(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_user_add(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_user_remove(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_user_passwd(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_user_grant(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_user_revoke(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_role_list(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_role_get(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_role_add(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_role_remove(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_role_grant(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_role_revoke(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);

/* ---- Handlers (cmd_member.c) ---- */
int cmd_member_list(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_member_add(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_member_update(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_member_remove(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_cluster_health(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_stats_self(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_stats_leader(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);
int cmd_stats_store(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);

/* ---- Shared helpers (cmd_admin.c) ---- */

/* cli_query() for the admin commands (member list, user list, stats ...): a failure
 * is reported with admin_report(), and under -o json the server's answer printed.
 * Returns CLI_CONTINUE with *resp the answer to print under -o simple (new: the caller
 * frees it), or an exit status with *resp NULL. */
int admin_query(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                cli_query_fn call, etcd_response **resp);

/* Report a failed call. The auth and members APIs refuse with {"message":...} and an
 * HTTP status but no errorCode: such a refusal is printed as etcd's message alone
 * ("Error:  auth: User x does not exist."), a 401 as etcd's error 110, as the keys
 * API reports it, and a 5xx with the endpoint and `hint` (may be NULL). Everything
 * else goes to cli_report() with `hint` as what was being done. Returns 1. */
int admin_report(const cli_ctx *ctx, int rc, const etcd_response *resp, const char *hint);

/* A list given as "A,B,C": `items` points into `storage`, a copy of the text. Empty
 * items are skipped. admin_list_split() returns the count (0 when none), or -1 when
 * out of memory; admin_list_free() frees both. */
typedef struct admin_list {
    char *storage;
    const char **items;
    size_t n;
} admin_list;
int admin_list_split(const char *s, admin_list *out);
void admin_list_free(admin_list *l);

/* A list that a command needs (PEER_URLS, --roles R1,R2): `text` split into *out.
 * `what` names it in messages, `item` is what it lists: a list with no item is a usage
 * error ("--roles names no role"). Returns CLI_CONTINUE (free *out then), or an exit
 * status. */
int admin_list_arg(cli_ctx *ctx, const cli_command *cmd, const char *text,
                   const char *what, const char *item, admin_list *out);

/* `n` strings joined with `sep` (a new string; "" for none), or NULL when out of
 * memory. */
char *admin_join(const char *const *items, size_t n, const char *sep);

/* An aligned table: columns separated by two spaces, no trailing blanks. Cells are
 * copied; a NULL cell prints as "". */
typedef struct admin_table {
    size_t ncols;
    size_t nrows;
    size_t cap; /* rows allocated */
    char **cells;
} admin_table;

void admin_table_init(admin_table *t, size_t ncols);
/* Add a row of t->ncols cells. Returns 0, or -1 when out of memory. */
int admin_table_add(admin_table *t, const char *const *row);
void admin_table_print(const admin_table *t);
void admin_table_free(admin_table *t);

/* Fills `t` from a successful answer. Returns 0, or -1 when out of memory. */
typedef int (*admin_table_fn)(admin_table *t, const etcd_response *resp);

/* A command that takes no argument and prints the answer of `call` as a table of
 * `ncols` columns that `fill` builds (user list, role list, stats); under -o json the
 * server's answer. Returns an exit status. */
int admin_table_cmd(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                    cli_query_fn call, admin_table_fn fill, size_t ncols);

/* Print `json` (stolen; NULL means out of memory, reported) as one line on stdout.
 * Returns an exit status. */
int admin_print_json(const cli_ctx *ctx, json_t *json);

/* The response's body parsed as JSON (a new reference), or NULL when it is empty or
 * not JSON. */
json_t *admin_body_json(const etcd_response *resp);

/* ETCD_INITIAL_CLUSTER for a member that joins as `name`: NAME=PEER_URL for every peer
 * URL of the `n` members, the new one (ID `id`) under `name`, comma-separated, as
 * etcdctl prints it. A new string, or NULL when out of memory. */
char *admin_initial_cluster(const etcd_member *members, size_t n, const char *id,
                            const char *name);

/* The help of --password-stdin (user add and passwd, v2 and v3). */
#define ADMIN_PASSWORD_STDIN_HELP                                                        \
    "read the new password from standard input (one line) instead of env "               \
    "ETCDWATCH_NEW_PASSWORD or a prompt"

/* A new password for user `name` (v2 and v3): from standard input with
 * --password-stdin (`from_stdin`; one line, a trailing newline is dropped), else env
 * ETCDWATCH_NEW_PASSWORD, else a prompt without echo on the terminal, asked twice.
 * Never from argv. On success *out is a new string to free with cli_free_secret().
 * Returns CLI_CONTINUE or an exit status after printing the error. */
int admin_new_password(const cli_ctx *ctx, int from_stdin, const char *name, char **out);

#endif /* ETCDWATCH_CMD_ADMIN_H */
