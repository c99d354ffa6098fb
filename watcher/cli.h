/*
 * etcdwatch: the command-line framework shared by every command family.
 *
 *   cli.c         option parser, help and usage text, error reporting, stdin, signals
 *   cli_client.c  the one place that builds an etcd_client from the global options
 *   commands.c    the command table (every command's name, summary, options, handler)
 *   cmd_keys.c    the v2 keys commands: get set mk update rm mkdir setdir updatedir
 *                 rmdir ls watch
 *   cmd_server.c  health and version
 *   cmd_admin.c   helpers of the admin commands: tables, auth API errors, passwords
 *   cmd_auth.c    auth enable|disable|status, user ..., role ... (v2 auth)
 *   cmd_member.c  member ..., cluster-health, stats self|leader|store
 *   cmd_v3.c      what the v3 commands share: keys and values, JSON with them decoded
 *   cmd_v3_kv.c   the v3 keys commands: get put del watch txn compaction
 *   cmd_v3_admin.c  v3 lease, member, endpoint, auth, user and role commands
 *   cmd_v3_lock.c lock and elect (v3 concurrency)
 *   main.c        global options and dispatch
 *
 * A command is a row of the table in commands.c: its handler parses its own options
 * with cli_parse() (which also accepts every global option, before or after the
 * positional arguments), does its work through libetcd's public API and returns the
 * process's exit status (CLI_EXIT_*). Errors are printed by cli_report() only.
 */
#ifndef ETCDWATCH_CLI_H
#define ETCDWATCH_CLI_H

#include <stddef.h>
#include <stdint.h>

#include <etcd/etcd.h>

/* Exit statuses. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_ERROR 1 /* etcd, transport or local I/O error */
#define CLI_EXIT_USAGE 2 /* bad command line */

/* cli_parse() returns this when the handler should go on. */
#define CLI_CONTINUE (-1)

/* Positional arguments kept by cli_parse(); more is a usage error. */
#define CLI_MAX_ARGS 8

typedef enum cli_output {
    CLI_OUTPUT_SIMPLE = 0, /* what etcdctl v2 prints */
    CLI_OUTPUT_JSON        /* the server's JSON, one object per line */
} cli_output;

/* The API a command speaks; a command may serve several. */
#define CLI_API_V2 1u
#define CLI_API_V3 2u

/* ---- Option specifications ------------------------------------------------------ */

typedef enum cli_opt_type {
    CLI_OPT_FLAG,    /* int, set to 1 */
    CLI_OPT_STRING,  /* const char *, borrowed from argv */
    CLI_OPT_INT64,   /* int64_t >= 0 (a TTL) */
    CLI_OPT_UINT64,  /* uint64_t (an index) */
    CLI_OPT_SECONDS, /* double > 0, fractions allowed */
    CLI_OPT_HELP     /* prints the command's help; no storage */
} cli_opt_type;

/* One option. `offset` is where the value goes in the struct handed to cli_parse().
 * A table ends with a row whose name is NULL. */
typedef struct cli_opt {
    const char *name; /* long name without "--" */
    char short_name;  /* 0 when none */
    cli_opt_type type;
    const char *arg_name; /* "N", "V", ...; NULL for flags */
    size_t offset;
    const char *help;
} cli_opt;

/* ---- Global state --------------------------------------------------------------- */

typedef struct cli_ctx {
    /* Global options as given (strings are borrowed from argv or the environment). */
    const char *endpoints;
    const char *cacert;
    const char *cert;
    const char *key;
    const char *user;     /* "NAME" or "NAME:PASS" */
    const char *output_s; /* "simple" or "json" */
    const char *api_s;    /* "v2" or "v3" (also "2", "3") */
    double timeout;       /* seconds; 0: the default */
    int help;             /* --help seen */
    int version;          /* --version seen */

    /* Derived. */
    cli_output output;
    unsigned api;
    const char *path; /* the command being run, "get" or "member add", for messages */
    int endpoints_defaulted; /* neither --endpoints nor ETCDWATCH_ENDPOINTS was given */

    /* Built on first use by cli_client(); freed by cli_ctx_cleanup(). */
    etcd_client *client;
    char *username;
    char *password; /* wiped before it is freed */
} cli_ctx;

typedef struct cli_command cli_command;

/* A command handler: argv[0] is the command's name. Returns an exit status. */
typedef int (*cli_handler)(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv);

struct cli_command {
    const char *name;
    unsigned apis;           /* CLI_API_V2 and/or CLI_API_V3 */
    const char *params;      /* positional synopsis: "KEY VALUE", "[KEY]", NULL */
    const char *summary;     /* one line, for the command list */
    const char *description; /* a paragraph for --help, or NULL */
    const cli_opt *opts;     /* the command's own options, or NULL */
    cli_handler run;         /* NULL for a group that only has subs */
    const cli_command *subs; /* subcommands ("member list"), ended by a NULL name */
};

/* The global options, shared by the top level and every command. */
extern const cli_opt cli_global_opts[];

/* The top-level commands: the tables below, in the order help lists them, ended by
 * NULL (commands.c). Each table ends with a row whose name is NULL. */
extern const cli_command *const cli_command_tables[];
extern const cli_command cli_commands[];          /* v2, and those of both APIs */
extern const cli_command cli_v3_kv_commands[];    /* cmd_v3_kv.c */
extern const cli_command cli_v3_admin_commands[]; /* cmd_v3_admin.c */
extern const cli_command cli_v3_lock_commands[];  /* cmd_v3_lock.c */

/* The command named `name` that serves `api` in `table` (NULL: the top level), or
 * NULL. */
const cli_command *cli_find_command(const cli_command *table, const char *name,
                                    unsigned api);

/* Run argv[0] from `table` (NULL: the top level), recursing into subcommands.
 * Returns an exit status. */
int cli_dispatch(cli_ctx *ctx, const cli_command *table, int argc, char **argv);

/* ---- Parsing -------------------------------------------------------------------- */

typedef struct cli_args {
    int argc;
    char *argv[CLI_MAX_ARGS];
} cli_args;

/* Parse argv[1..] of a command: its options (written into `values` at each option's
 * offset), the global options (into ctx) in any order, and positional arguments (into
 * `pos`; "--" ends the options, a lone "-" is positional). Then checks that between
 * `min_args` and `max_args` positionals were given. Returns CLI_CONTINUE, or an exit
 * status after printing help (0) or a usage error (2). */
int cli_parse(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv, void *values,
              cli_args *pos, int min_args, int max_args);

/* cli_parse(), then cli_client(): the first steps of a command that has nothing to
 * check in between. The caller initialises `values` (its defaults, usually zeros).
 * Returns CLI_CONTINUE with *client borrowed from ctx, or an exit status. */
int cli_start(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv, void *values,
              cli_args *pos, int min_args, int max_args, etcd_client **client);

/* A call that takes nothing but the client: etcd_user_list_sync(),
 * etcd_v3_alarm_list_sync(), etcd_health_sync(), ... */
typedef int (*cli_query_fn)(etcd_client *client, etcd_response **out);

/* A call on one name: etcd_user_delete_sync(), etcd_v3_role_add_sync(), ... */
typedef int (*cli_name_fn)(etcd_client *client, const char *name, etcd_response **out);

/* How a command reports a failed call: cli_report(), or admin_report() for the v2
 * auth and members APIs. */
typedef int (*cli_reporter)(const cli_ctx *ctx, int status, const etcd_response *resp,
                            const char *what);

/* A command that takes no argument and no option of its own and makes one call:
 * parse it, build the client and make `call`. A failure is reported with `report`
 * (naming the command); under -o json the answer is printed with `print_json`
 * (cli_print_json(), cli_v3_print_json(); NULL: by the caller). Returns CLI_CONTINUE
 * with *resp the answer to print (new: the caller frees it), or an exit status with
 * *resp NULL. */
int cli_query(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
              cli_query_fn call, cli_reporter report,
              void (*print_json)(const etcd_response *resp), etcd_response **resp);

/* The option of `table` (NULL: none) whose long name is the `len` bytes at `name`, or
 * NULL. */
const cli_opt *cli_find_opt(const cli_opt *table, const char *name, size_t len);

/* Does the option word `arg` ("--ttl", "-o", "-rp"; one of cmd's options or a global
 * one) take the next word as its value? No for "--name=V", "-ojson", a flag or an
 * unknown option (which cli_parse() reports). For commands whose positional
 * arguments end where a COMMAND begins (lock NAME COMMAND...). */
int cli_opt_takes_next(const cli_command *cmd, const char *arg);

/* A whole number >= 0 in decimal, as CLI_OPT_INT64 takes it. Returns 0, or -1 when `s`
 * is not one. */
int cli_parse_int64(const char *s, int64_t *out);

/* Parse the global options at the front of argv, stopping at the first positional
 * argument (the command's name). *next is its index. Returns CLI_CONTINUE or an exit
 * status, as cli_parse(). */
int cli_parse_globals(cli_ctx *ctx, int argc, char **argv, int *next);

/* Apply the environment and check the global options once they are all known.
 * Returns CLI_CONTINUE or CLI_EXIT_USAGE. */
int cli_finish_globals(cli_ctx *ctx);

/* ---- Help and errors ------------------------------------------------------------ */

/* etcdwatch --help: synopsis, global options, command list. */
void cli_print_main_help(const cli_ctx *ctx);

/* etcdwatch COMMAND --help. */
void cli_print_command_help(const cli_ctx *ctx, const cli_command *cmd);

/* A usage error for the running command (or the top level when cmd is NULL): prints
 * "etcdwatch: <path>: <message>", the usage line and a hint on stderr; returns 2. */
int cli_usage_error(const cli_ctx *ctx, const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report a failed call: one line "Error:  <description>" on stderr, and under
 * `-o json` the server's error object on stdout. `resp` may be NULL (nothing was
 * sent); then `what` and etcd_strerror(status) describe it. Returns 1. */
int cli_report(const cli_ctx *ctx, int status, const etcd_response *resp,
               const char *what);

/* A line "etcdwatch: warning: ..." on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- Output --------------------------------------------------------------------- */

/* The server's JSON body as one line on stdout. */
void cli_print_json(const etcd_response *resp);

/* `len` bytes of `s` (NULL: nothing), then a newline, on stdout. */
void cli_print_line(const char *s, size_t len);

/* ---- Values, client, signals ---------------------------------------------------- */

/* All of standard input as a VALUE, byte exact (NUL bytes included), at most 64 MiB.
 * On success *out is a new buffer to free() with a NUL after its *len bytes. Returns
 * CLI_CONTINUE or an exit status after reporting the error ("reading VALUE from
 * standard input: ..."). */
int cli_read_stdin(const cli_ctx *ctx, char **out, size_t *len);

/* A VALUE argument of the v2 commands: itself, or for "-" all of standard input
 * (cli_read_stdin()), which may not hold a NUL byte. On success *out is a new
 * NUL-terminated string to free(). Returns CLI_CONTINUE or an exit status after
 * reporting the error. */
int cli_value_arg(const cli_ctx *ctx, const char *arg, char **out);

/* The client built from the global options (on first call: TLS files checked, the
 * password read from ETCDWATCH_PASSWORD or prompted). Returns CLI_CONTINUE with
 * *out borrowed from ctx, or an exit status after reporting the error. */
int cli_client(cli_ctx *ctx, etcd_client **out);

/* Fill ctx->username and ctx->password from --user NAME[:PASS], the environment
 * (ETCDWATCH_PASSWORD) or a prompt on the terminal; nothing without --user. Done once;
 * cli_client() calls it, and so may a command that needs only the credentials.
 * Returns CLI_CONTINUE or an exit status after reporting the error. */
int cli_credentials(cli_ctx *ctx);

/* Print `prompt` on the terminal (/dev/tty) and read one line from it without echo.
 * Returns a new string to free with cli_free_secret(); NULL with *no_tty set when
 * there is no terminal (nothing printed), or NULL after SIGINT/SIGTERM (re-raised) or
 * when out of memory (reported). */
char *cli_prompt_secret(const char *prompt, int *no_tty);

/* Overwrite a secret with zeros and free it. NULL does nothing. */
void cli_free_secret(char *s);

/* Free what the context owns. */
void cli_ctx_cleanup(cli_ctx *ctx);

/* Catch SIGINT and SIGTERM from now on; cli_interrupted() then returns the signal. */
void cli_catch_signals(void);
int cli_interrupted(void);

#endif /* ETCDWATCH_CLI_H */
