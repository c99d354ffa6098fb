/*
 * etcdwatch: entry point. Parses the global options, then runs the command from the
 * table in commands.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* etcdwatch help [COMMAND [SUBCOMMAND...]]: the same as COMMAND [SUBCOMMAND...] --help,
 * so that a command that prints its own help (render) is served too. */
static int run_help(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *table = NULL; /* the top level */
    char *args[CLI_MAX_ARGS + 1];
    int n = 0;

    if (argc < 2) {
        cli_print_main_help(ctx);
        return CLI_EXIT_OK;
    }
    if (argc - 1 > CLI_MAX_ARGS)
        return cli_usage_error(ctx, NULL, "help: too many arguments");
    for (int i = 1; i < argc; i++) {
        const cli_command *cmd =
            i == 1 || table != NULL ? cli_find_command(table, argv[i], ctx->api) : NULL;

        if (cmd == NULL)
            return cli_usage_error(ctx, NULL, "help: unknown command '%s'", argv[i]);
        args[n++] = argv[i];
        table = cmd->subs;
    }
    args[n++] = "--help";
    return cli_dispatch(ctx, NULL, n, args);
}

/* --version: ours, libetcd's, and the libcurl, Jansson and OpenSSL that libetcd runs
 * with (and was built with, when that differs). */
static void print_version(void)
{
    const etcd_versions *v = etcd_library_versions();

    printf("etcdwatch version: %s\nlibetcd version: %s\n", ETCDWATCH_VERSION,
           etcd_library_version());
    printf("libcurl version: %s", v->curl[0] != '\0' ? v->curl : "unknown");
    if (v->curl_built[0] != '\0' && strcmp(v->curl_built, v->curl) != 0)
        printf(" (built with %s)", v->curl_built);
    printf("\nJansson version: %s", v->jansson[0] != '\0' ? v->jansson : "unknown");
    if (v->jansson_built[0] != '\0' && strcmp(v->jansson_built, v->jansson) != 0)
        printf(" (built with %s)", v->jansson_built);
    printf("\nOpenSSL version: %s", v->openssl[0] != '\0' ? v->openssl : "none");
    if (v->curl_ssl[0] != '\0')
        printf(" (libcurl's TLS: %s)", v->curl_ssl);
    printf("\n");
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    int next;
    int rc;

    rc = cli_parse_globals(ctx, argc, argv, &next);
    if (rc != CLI_CONTINUE)
        return rc;
    if (ctx->version) {
        print_version();
        return CLI_EXIT_OK;
    }
    rc = cli_finish_globals(ctx);
    if (rc != CLI_CONTINUE)
        return rc;
    if (ctx->help) {
        cli_print_main_help(ctx); /* of the API chosen */
        return CLI_EXIT_OK;
    }
    if (next >= argc)
        return cli_usage_error(ctx, NULL, "missing COMMAND");
    if (strcmp(argv[next], "help") == 0)
        return run_help(ctx, argc - next, argv + next);
    return cli_dispatch(ctx, NULL, argc - next, argv + next);
}

int main(int argc, char **argv)
{
    cli_ctx ctx;
    int rc;

    memset(&ctx, 0, sizeof(ctx));
    rc = run(&ctx, argc, argv);
    cli_ctx_cleanup(&ctx);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "etcdwatch: error writing to standard output: %s\n",
                strerror(errno));
        if (rc == CLI_EXIT_OK)
            rc = CLI_EXIT_ERROR;
    }
    return rc;
}
