/*
 * etcdwatch: the command table. Every command is one row: its name, the APIs it
 * serves, its positional arguments, its help text, its options and its handler. The
 * usage lines, the help pages and the option parser are all generated from here.
 *
 * To add a command family: write cmd_<family>.c with its handlers (and a header with
 * its options struct), add its option tables and rows here, and its file to
 * CMakeLists.txt.
 */
#include "cmd_keys.h"

#include <stddef.h>

#include "cmd_admin.h"

#include "cmd_run.h"

#if defined(ETCDWATCH_HAVE_RENDER)
#include "cmd_render.h"
#endif

/* clang-format off */
#define KEYS_OPT(name, short_name, type, arg, field, help)                               \
    {name, short_name, type, arg, offsetof(keys_args, field), help}
/* clang-format on */

#define OPT_TTL(help) KEYS_OPT("ttl", 0, CLI_OPT_INT64, "N", ttl, help)

static const cli_opt get_opts[] = {
    KEYS_OPT("quorum", 'q', CLI_OPT_FLAG, NULL, quorum,
             "linearizable read through the cluster's leader"),
    {0},
};

static const cli_opt set_opts[] = {
    OPT_TTL("time to live in seconds (0: none)"),
    KEYS_OPT("swap-with-value", 0, CLI_OPT_STRING, "V", swap_value,
             "set only if the current value is V (compare-and-swap)"),
    KEYS_OPT("swap-with-index", 0, CLI_OPT_UINT64, "N", swap_index,
             "set only if the key's modifiedIndex is N (compare-and-swap)"),
    {0},
};

static const cli_opt mk_opts[] = {
    OPT_TTL("time to live in seconds (0: none)"),
    KEYS_OPT("in-order", 0, CLI_OPT_FLAG, NULL, in_order,
             "create a key with an increasing name inside directory KEY"),
    {0},
};

static const cli_opt ttl_opts[] = {
    OPT_TTL("time to live in seconds (0: none)"),
    {0},
};

static const cli_opt updatedir_opts[] = {
    OPT_TTL("new time to live in seconds (0 or absent: none)"),
    {0},
};

static const cli_opt rm_opts[] = {
    KEYS_OPT("recursive", 'r', CLI_OPT_FLAG, NULL, recursive,
             "remove a directory and everything below it"),
    KEYS_OPT("dir", 0, CLI_OPT_FLAG, NULL, dir,
             "remove KEY if it is an empty directory or a key"),
    KEYS_OPT("with-value", 0, CLI_OPT_STRING, "V", with_value,
             "remove only if the current value is V (compare-and-delete)"),
    KEYS_OPT("with-index", 0, CLI_OPT_UINT64, "N", with_index,
             "remove only if the key's modifiedIndex is N (compare-and-delete)"),
    {0},
};

static const cli_opt ls_opts[] = {
    KEYS_OPT("recursive", 'r', CLI_OPT_FLAG, NULL, recursive,
             "list every key below KEY, depth first"),
    KEYS_OPT("sort", 0, CLI_OPT_FLAG, NULL, sort, "sort each directory's keys"),
    KEYS_OPT(NULL, 'p', CLI_OPT_FLAG, NULL, slash, "append / to directories"),
    {0},
};

static const cli_opt watch_opts[] = {
    KEYS_OPT("recursive", 'r', CLI_OPT_FLAG, NULL, recursive,
             "watch every key below KEY; simple output prefixes each event with "
             "[action] key"),
    KEYS_OPT("forever", 'f', CLI_OPT_FLAG, NULL, forever,
             "keep watching (across errors, reconnecting) until interrupted"),
    KEYS_OPT("after-index", 0, CLI_OPT_UINT64, "N", after_index,
             "start with the first change after index N (may be history)"),
    {0},
};

/* ---- Admin commands (cmd_auth.c, cmd_member.c) ---- */

/* clang-format off */
#define ADMIN_OPT(name, short_name, type, arg, field, help)                              \
    {name, short_name, type, arg, offsetof(admin_args, field), help}
/* clang-format on */

#define OPT_PASSWORD_STDIN                                                               \
    ADMIN_OPT("password-stdin", 0, CLI_OPT_FLAG, NULL, password_stdin,                   \
              ADMIN_PASSWORD_STDIN_HELP)

static const cli_opt user_add_opts[] = {
    ADMIN_OPT("roles", 0, CLI_OPT_STRING, "R1,R2", roles,
              "roles to grant the new user (each must exist)"),
    OPT_PASSWORD_STDIN,
    {0},
};

static const cli_opt user_passwd_opts[] = {
    OPT_PASSWORD_STDIN,
    {0},
};

static const cli_opt user_grant_opts[] = {
    ADMIN_OPT("roles", 0, CLI_OPT_STRING, "R1,R2", roles,
              "roles to grant (required; each must exist)"),
    {0},
};

static const cli_opt user_revoke_opts[] = {
    ADMIN_OPT("roles", 0, CLI_OPT_STRING, "R1,R2", roles, "roles to revoke (required)"),
    {0},
};

static const cli_opt role_path_opts[] = {
    ADMIN_OPT("read", 0, CLI_OPT_FLAG, NULL, read, "read permission only"),
    ADMIN_OPT("write", 0, CLI_OPT_FLAG, NULL, write, "write permission only"),
    ADMIN_OPT("readwrite", 0, CLI_OPT_FLAG, NULL, readwrite,
              "read and write permission (the default)"),
    ADMIN_OPT("path", 0, CLI_OPT_STRING, "PATH", path,
              "key path (required); a trailing * covers everything below, as /app/*"),
    {0},
};

static const cli_command auth_cmds[] = {
    {"enable", CLI_API_V2, NULL, "enable auth (needs a root user)",
     "Enable authentication. etcd wants a user named root first (user add root). "
     "Prints 'Authentication Enabled', or 'Authentication already enabled' (exit "
     "status 0 as well) when it was. -o json: {\"enabled\":true,\"changed\":...}.",
     NULL, cmd_auth_enable, NULL},
    {"disable", CLI_API_V2, NULL, "disable auth",
     "Disable authentication (as root: give --user root). Prints 'Authentication "
     "Disabled', or 'Authentication already disabled' when it was.",
     NULL, cmd_auth_disable, NULL},
    {"status", CLI_API_V2, NULL, "tell whether auth is enabled",
     "Print 'Authentication is enabled' or 'Authentication is disabled'. -o json: "
     "{\"enabled\":true|false}.",
     NULL, cmd_auth_status, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_command user_cmds[] = {
    {"list", CLI_API_V2, NULL, "list the users and their roles", NULL, NULL,
     cmd_user_list, NULL},
    {"get", CLI_API_V2, "NAME", "show a user, its roles and their paths", NULL, NULL,
     cmd_user_get, NULL},
    {"add", CLI_API_V2, "NAME", "add a user",
     "Add user NAME, with the roles of --roles. The password comes from standard "
     "input with --password-stdin, else from env ETCDWATCH_NEW_PASSWORD, else from a "
     "prompt without echo on the terminal (asked twice); never from the command "
     "line. Fails when NAME exists (etcd itself would silently reset its password) or "
     "when a role does not exist.",
     user_add_opts, cmd_user_add, NULL},
    {"remove", CLI_API_V2, "NAME", "remove a user", NULL, NULL, cmd_user_remove, NULL},
    {"passwd", CLI_API_V2, "NAME", "change a user's password",
     "Change the password of user NAME (which must exist). The new password comes "
     "as for user add: --password-stdin, env ETCDWATCH_NEW_PASSWORD or a prompt.",
     user_passwd_opts, cmd_user_passwd, NULL},
    {"grant", CLI_API_V2, "NAME", "grant roles to a user",
     "Grant the roles of --roles to user NAME. Every role must exist (etcd would "
     "grant a missing one without a word).",
     user_grant_opts, cmd_user_grant, NULL},
    {"revoke", CLI_API_V2, "NAME", "revoke roles from a user", NULL, user_revoke_opts,
     cmd_user_revoke, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_command role_cmds[] = {
    {"list", CLI_API_V2, NULL, "list the roles and their paths", NULL, NULL,
     cmd_role_list, NULL},
    {"get", CLI_API_V2, "NAME", "show a role's read and write paths", NULL, NULL,
     cmd_role_get, NULL},
    {"add", CLI_API_V2, "NAME", "add a role with no permissions", NULL, NULL,
     cmd_role_add, NULL},
    {"remove", CLI_API_V2, "NAME", "remove a role", NULL, NULL, cmd_role_remove, NULL},
    {"grant", CLI_API_V2, "NAME", "grant a role read and/or write on a path",
     "Grant role NAME permission on --path: --read, --write or --readwrite (the "
     "default when none is given).",
     role_path_opts, cmd_role_grant, NULL},
    {"revoke", CLI_API_V2, "NAME", "revoke a role's read and/or write on a path",
     "Revoke role NAME's permission on --path: --read, --write or --readwrite (the "
     "default when none is given). etcd refuses to revoke what was not granted.",
     role_path_opts, cmd_role_revoke, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_command member_cmds[] = {
    {"list", CLI_API_V2, NULL, "list the cluster's members",
     "List every member: ID, STATUS (unstarted: added but not yet started), NAME, "
     "PEER URLS, CLIENT URLS and LEADER (true for the leader the endpoint knows; the "
     "column is left out when the endpoint cannot tell).",
     NULL, cmd_member_list, NULL},
    {"add", CLI_API_V2, "NAME PEER_URLS", "add a member to the cluster",
     "Add a member with the peer URLs PEER_URLS (comma-separated) and print the "
     "ETCD_NAME, ETCD_INITIAL_CLUSTER and ETCD_INITIAL_CLUSTER_STATE settings to "
     "start it with (etcd --initial-cluster-state existing). etcd refuses an add for "
     "a few seconds after the cluster starts.",
     NULL, cmd_member_add, NULL},
    {"update", CLI_API_V2, "ID PEER_URLS", "change a member's peer URLs",
     "Replace the peer URLs of member ID (hex, as member list prints it) with "
     "PEER_URLS (comma-separated).",
     NULL, cmd_member_update, NULL},
    {"remove", CLI_API_V2, "ID", "remove a member from the cluster", NULL, NULL,
     cmd_member_remove, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_command stats_cmds[] = {
    {"self", CLI_API_V2, NULL, "this member's raft state and traffic",
     "Print /v2/stats/self of the endpoint: one 'field value' line each, in etcd's "
     "names.",
     NULL, cmd_stats_self, NULL},
    {"leader", CLI_API_V2, NULL, "the followers' latency and counts",
     "Print /v2/stats/leader: the leader, then a row per follower with its latency "
     "in milliseconds and its successful and failed appends. Only the leader "
     "answers: every member of the cluster is asked in turn.",
     NULL, cmd_stats_leader, NULL},
    {"store", CLI_API_V2, NULL, "the store's operation counters",
     "Print /v2/stats/store: one 'counter value' line each.", NULL, cmd_stats_store,
     NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

const cli_command cli_commands[] = {
    {"get", CLI_API_V2, "KEY", "print the value of a key",
     "Print the value of KEY. A directory is an error under -o simple (use ls); "
     "-o json prints the server's answer for it.",
     get_opts, cmd_keys_get, NULL},
    {"set", CLI_API_V2, "KEY VALUE", "set the value of a key",
     "Set KEY to VALUE, creating or replacing it, and print the value. VALUE '-' "
     "reads the value from standard input, byte exact (no newline is stripped).",
     set_opts, cmd_keys_set, NULL},
    {"mk", CLI_API_V2, "KEY VALUE", "make a new key with a value",
     "Create KEY with VALUE; fails with etcd error 105 when it exists. With "
     "--in-order, KEY is a directory and etcd names the new key. VALUE '-' reads "
     "standard input.",
     mk_opts, cmd_keys_mk, NULL},
    {"update", CLI_API_V2, "KEY VALUE", "update an existing key",
     "Update the existing KEY to VALUE; fails with etcd error 100 when it is "
     "missing. VALUE '-' reads standard input.",
     ttl_opts, cmd_keys_update, NULL},
    {"rm", CLI_API_V2, "KEY", "remove a key or a directory",
     "Remove KEY and print its previous value ('PrevNode.Value: ...'), as etcdctl. "
     "Directories need --dir (empty) or --recursive.",
     rm_opts, cmd_keys_rm, NULL},
    {"mkdir", CLI_API_V2, "KEY", "make a new directory",
     "Create directory KEY; fails with etcd error 105 when KEY exists.", ttl_opts,
     cmd_keys_mkdir, NULL},
    {"setdir", CLI_API_V2, "KEY", "create a directory or turn a key into one",
     "Create directory KEY, or replace the key KEY by an empty directory; fails "
     "with etcd error 102 when a directory exists there.",
     ttl_opts, cmd_keys_setdir, NULL},
    {"updatedir", CLI_API_V2, "KEY", "update an existing directory's TTL",
     "Update the existing directory KEY with a new TTL (a key becomes an empty "
     "directory).",
     updatedir_opts, cmd_keys_updatedir, NULL},
    {"rmdir", CLI_API_V2, "KEY", "remove an empty directory (or a key)",
     "Remove KEY if it is an empty directory or a key; fails with etcd error 108 "
     "when the directory is not empty.",
     NULL, cmd_keys_rmdir, NULL},
    {"ls", CLI_API_V2, "[KEY]", "list a directory",
     "List the keys in directory KEY (default /), one per line.", ls_opts, cmd_keys_ls,
     NULL},
    {"watch", CLI_API_V2, "KEY", "watch a key for changes",
     "Wait for the next change of KEY and print it (the new value, or "
     "'PrevNode.Value: ...' for a delete). With --forever print every change until "
     "SIGINT or SIGTERM, reconnecting after errors; when etcd's history has moved "
     "past the next index (error 401) warn and carry on from the current index. "
     "Directory events are skipped under -o simple, as etcdctl does.",
     watch_opts, cmd_keys_watch, NULL},
    {"health", CLI_API_V2 | CLI_API_V3, NULL, "check the health of the endpoint",
     "Ask the endpoint for /health and print '<endpoint> is healthy'; exit status 1 "
     "when it is not.",
     NULL, cmd_server_health, NULL},
    {"version", CLI_API_V2 | CLI_API_V3, NULL,
     "print the server's and the cluster's versions",
     "Ask the endpoint for /version. For etcdwatch's own version use --version.", NULL,
     cmd_server_version, NULL},
    {"member", CLI_API_V2, NULL, "list, add, update and remove cluster members",
     "Manage the cluster's members through /v2/members.", NULL, NULL, member_cmds},
    {"cluster-health", CLI_API_V2, NULL, "check the health of every member",
     "List the members, ask each one's own client URLs for /health and print etcdctl "
     "v2's lines: 'member ID is healthy: got healthy result from URL' (or unhealthy, "
     "or unreachable), then 'cluster is healthy', 'degraded' or 'unavailable'. Exit "
     "status 0 only when the cluster is healthy. -o json: {\"members\":[...], "
     "\"cluster\":\"healthy\"}, each member with healthy, leader, url and reason.",
     NULL, cmd_cluster_health, NULL},
    {"stats", CLI_API_V2, NULL,
     "show the statistics of a member, the leader or the store",
     "Read /v2/stats/self, /v2/stats/leader or /v2/stats/store.", NULL, NULL, stats_cmds},
    {"auth", CLI_API_V2, NULL, "enable, disable or show v2 authentication",
     "Turn etcd's v2 auth on or off (/v2/auth/enable). Once it is on, the auth "
     "commands need --user root.",
     NULL, NULL, auth_cmds},
    {"user", CLI_API_V2, NULL, "list, add, remove and change users",
     "Manage v2 auth users (/v2/auth/users). Passwords are never taken from the "
     "command line.",
     NULL, NULL, user_cmds},
    {"role", CLI_API_V2, NULL, "list, add, remove and change roles",
     "Manage v2 auth roles (/v2/auth/roles) and the key paths they may read and "
     "write.",
     NULL, NULL, role_cmds},
    /* The watcher service parses its own options, confd's spellings included. */
    {"run", CLI_API_V2 | CLI_API_V3, NULL,
     "run the watcher: render templates from etcd, keep them current", NULL, NULL,
     cmd_run, NULL},
    {"check-config", CLI_API_V2 | CLI_API_V3, NULL,
     "check the configuration, resources and templates", NULL, NULL, cmd_check_config,
     NULL},
#if defined(ETCDWATCH_HAVE_RENDER)
    /* The template engine parses render's options itself: see its --help. */
    {"render", CLI_API_V2 | CLI_API_V3, "TEMPLATE",
     "render one template with keys from etcd or a file", NULL, NULL, cmd_render, NULL},
#endif
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

const cli_command *const cli_command_tables[] = {
    cli_v3_kv_commands, cli_v3_admin_commands, cli_v3_lock_commands, cli_commands, NULL,
};
