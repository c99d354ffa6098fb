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
    {"health", CLI_API_V2, NULL, "check the health of the endpoint",
     "Ask the endpoint for /health and print '<endpoint> is healthy'; exit status 1 "
     "when it is not.",
     NULL, cmd_server_health, NULL},
    {"version", CLI_API_V2, NULL, "print the server's and the cluster's versions",
     "Ask the endpoint for /version. For etcdwatch's own version use --version.", NULL,
     cmd_server_version, NULL},
    /* The watcher service parses its own options, confd's spellings included. */
    {"run", CLI_API_V2, NULL,
     "run the watcher: render templates from etcd, keep them current", NULL, NULL,
     cmd_run, NULL},
    {"check-config", CLI_API_V2, NULL, "check the configuration, resources and templates",
     NULL, NULL, cmd_check_config, NULL},
#if defined(ETCDWATCH_HAVE_RENDER)
    /* The template engine parses render's options itself: see its --help. */
    {"render", CLI_API_V2, "TEMPLATE",
     "render one template with keys from etcd or a file", NULL, NULL, cmd_render, NULL},
#endif
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
