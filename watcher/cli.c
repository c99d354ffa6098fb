/*
 * etcdwatch: option parser, help text, error reporting, output, stdin values and
 * signals. See cli.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A value read from standard input is at most this large; etcd's own request limit
 * is 1.5 MiB by default. */
#define CLI_STDIN_MAX ((size_t)64 * 1024 * 1024)

/* Where the option names and the command names end in help text. */
#define CLI_HELP_COLUMN 30
#define CLI_CMD_COLUMN 18

#define CLI_OPT_AT(base, opt, type) ((type *)(void *)((char *)(base) + (opt)->offset))

const cli_opt cli_global_opts[] = {
    {"endpoints", 0, CLI_OPT_STRING, "URL[,URL...]", offsetof(cli_ctx, endpoints),
     "etcd client URLs, tried in order (env ETCDWATCH_ENDPOINTS; default "
     "http://127.0.0.1:2379)"},
    {"cacert", 0, CLI_OPT_STRING, "FILE", offsetof(cli_ctx, cacert),
     "PEM CA bundle that signed the server's certificate"},
    {"cert", 0, CLI_OPT_STRING, "FILE", offsetof(cli_ctx, cert),
     "PEM client certificate"},
    {"key", 0, CLI_OPT_STRING, "FILE", offsetof(cli_ctx, key),
     "PEM private key of --cert"},
    {"user", 0, CLI_OPT_STRING, "NAME", offsetof(cli_ctx, user),
     "authenticate as NAME; the password comes from env ETCDWATCH_PASSWORD or a "
     "prompt (NAME:PASS works but exposes it)"},
    {"timeout", 0, CLI_OPT_SECONDS, "SECONDS", offsetof(cli_ctx, timeout),
     "limit for each request, fractions allowed (default 5; not for watch waits)"},
    {"output", 'o', CLI_OPT_STRING, "simple|json", offsetof(cli_ctx, output_s),
     "simple: as etcdctl (v2, or v3 with --api v3); json: the server's JSON, one "
     "object per line"},
    {"api", 0, CLI_OPT_STRING, "v2|v3", offsetof(cli_ctx, api_s),
     "etcd API to speak (env ETCDWATCH_API; default v2): the commands differ, see "
     "'etcdwatch --api v3 --help'"},
    {"help", 'h', CLI_OPT_HELP, NULL, 0, "show help and exit"},
    {"version", 0, CLI_OPT_FLAG, NULL, offsetof(cli_ctx, version),
     "print the versions of etcdwatch, libetcd, libcurl, Jansson and OpenSSL"},
    {0},
};

/* ---- Command lookup and dispatch ------------------------------------------------ */

const cli_command *cli_find_command(const cli_command *table, const char *name,
                                    unsigned api)
{
    if (table == NULL) {
        for (size_t i = 0; cli_command_tables[i] != NULL; i++) {
            const cli_command *c = cli_find_command(cli_command_tables[i], name, api);

            if (c != NULL)
                return c;
        }
        return NULL;
    }
    for (const cli_command *c = table; c->name != NULL; c++) {
        if ((c->apis & api) != 0 && strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

static int is_help_arg(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* Run argv[0] from `table`, the subcommands of `group` (NULL at the top level). */
static int dispatch_in(cli_ctx *ctx, const cli_command *group, const cli_command *table,
                       int argc, char **argv)
{
    const char *parent = ctx->path;
    const cli_command *cmd = cli_find_command(table, argv[0], ctx->api);
    char path[128];
    int rc;

    if (cmd == NULL) {
        unsigned other = ctx->api == CLI_API_V3 ? CLI_API_V2 : CLI_API_V3;

        if (group == NULL && cli_find_command(NULL, argv[0], other) != NULL)
            return cli_usage_error(ctx, NULL,
                                   "'%s' is a %s command: etcdwatch --api %s %s", argv[0],
                                   other == CLI_API_V3 ? "v3" : "v2",
                                   other == CLI_API_V3 ? "v3" : "v2", argv[0]);
        if (group == NULL)
            return cli_usage_error(ctx, NULL, "unknown command '%s'", argv[0]);
        return cli_usage_error(ctx, group, "unknown subcommand '%s'", argv[0]);
    }
    if (parent != NULL)
        snprintf(path, sizeof(path), "%s %s", parent, cmd->name);
    else
        snprintf(path, sizeof(path), "%s", cmd->name);
    ctx->path = path;

    if (cmd->subs != NULL && cmd->run == NULL) {
        if (argc < 2)
            rc = cli_usage_error(ctx, cmd, "missing subcommand");
        else if (is_help_arg(argv[1])) {
            cli_print_command_help(ctx, cmd);
            rc = CLI_EXIT_OK;
        } else
            rc = dispatch_in(ctx, cmd, cmd->subs, argc - 1, argv + 1);
    } else {
        rc = cmd->run(ctx, cmd, argc, argv);
    }
    ctx->path = parent;
    return rc;
}

int cli_dispatch(cli_ctx *ctx, const cli_command *table, int argc, char **argv)
{
    return dispatch_in(ctx, NULL, table, argc, argv);
}

/* ---- Option parsing ------------------------------------------------------------- */

static int opt_is_end(const cli_opt *o)
{
    return o->name == NULL && o->short_name == 0;
}

const cli_opt *cli_find_opt(const cli_opt *table, const char *name, size_t len)
{
    if (table == NULL)
        return NULL;
    for (const cli_opt *o = table; !opt_is_end(o); o++) {
        if (o->name != NULL && strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    }
    return NULL;
}

static const cli_opt *find_short(const cli_opt *table, char c)
{
    if (table == NULL)
        return NULL;
    for (const cli_opt *o = table; !opt_is_end(o); o++) {
        if (o->short_name == c)
            return o;
    }
    return NULL;
}

/* "--ttl" or "-p", for messages. */
static const char *opt_label(const cli_opt *o, char *buf, size_t size)
{
    if (o->name != NULL)
        snprintf(buf, size, "--%s", o->name);
    else
        snprintf(buf, size, "-%c", o->short_name);
    return buf;
}

int cli_parse_int64(const char *s, int64_t *out)
{
    char *end;
    long long v;

    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 0)
        return -1;
    *out = (int64_t)v;
    return 0;
}

static int parse_uint64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static int parse_seconds(const char *s, double *out)
{
    char *end;
    double v;

    if ((s[0] < '0' || s[0] > '9') && s[0] != '.')
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v) || v <= 0 || v > 1e6)
        return -1;
    *out = v;
    return 0;
}

/* Store `val` for option `o` into `base`. Returns CLI_CONTINUE or 2. */
static int store_opt(cli_ctx *ctx, const cli_command *cmd, const cli_opt *o, void *base,
                     const char *val)
{
    char label[64];

    opt_label(o, label, sizeof(label));
    switch (o->type) {
    case CLI_OPT_FLAG:
        *CLI_OPT_AT(base, o, int) = 1;
        break;
    case CLI_OPT_HELP:
        ctx->help = 1;
        break;
    case CLI_OPT_STRING:
        *CLI_OPT_AT(base, o, const char *) = val;
        if (base == (void *)ctx && o->offset == offsetof(cli_ctx, endpoints))
            ctx->endpoints_defaulted = 0; /* given after the command */
        break;
    case CLI_OPT_INT64:
        if (cli_parse_int64(val, CLI_OPT_AT(base, o, int64_t)) != 0)
            return cli_usage_error(
                ctx, cmd, "invalid %s '%s': expected a whole number >= 0", label, val);
        break;
    case CLI_OPT_UINT64:
        if (parse_uint64(val, CLI_OPT_AT(base, o, uint64_t)) != 0)
            return cli_usage_error(
                ctx, cmd, "invalid %s '%s': expected a whole number >= 0", label, val);
        break;
    case CLI_OPT_SECONDS:
        if (parse_seconds(val, CLI_OPT_AT(base, o, double)) != 0)
            return cli_usage_error(
                ctx, cmd, "invalid %s '%s': expected seconds > 0 (e.g. 2.5)", label, val);
        break;
    }
    return CLI_CONTINUE;
}

static int takes_value(const cli_opt *o)
{
    return o->type != CLI_OPT_FLAG && o->type != CLI_OPT_HELP;
}

/* Parse one option at argv[*i] (which starts with '-' and is not "-" or "--").
 * Advances *i past what it consumed. */
static int parse_one(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv, int *i,
                     void *values)
{
    const cli_opt *cmd_opts = cmd != NULL ? cmd->opts : NULL;
    const char *arg = argv[*i];
    const cli_opt *o;
    void *base;
    char label[64];
    int rc;

    if (arg[1] == '-') {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);

        o = cli_find_opt(cmd_opts, name, len);
        base = values;
        if (o == NULL) {
            o = cli_find_opt(cli_global_opts, name, len);
            base = ctx;
        }
        if (o == NULL)
            return cli_usage_error(ctx, cmd, "unknown option '%.*s'", (int)len + 2, arg);
        opt_label(o, label, sizeof(label));
        (*i)++;
        if (!takes_value(o)) {
            if (eq != NULL)
                return cli_usage_error(ctx, cmd, "option %s takes no value", label);
            return store_opt(ctx, cmd, o, base, NULL);
        }
        if (eq != NULL)
            return store_opt(ctx, cmd, o, base, eq + 1);
        if (*i >= argc)
            return cli_usage_error(ctx, cmd, "option %s needs a value (%s)", label,
                                   o->arg_name);
        (*i)++;
        return store_opt(ctx, cmd, o, base, argv[*i - 1]);
    }

    /* One or more short options: "-p", "-rp", "-ojson", "-o json". */
    (*i)++;
    for (const char *p = arg + 1; *p != '\0'; p++) {
        o = find_short(cmd_opts, *p);
        base = values;
        if (o == NULL) {
            o = find_short(cli_global_opts, *p);
            base = ctx;
        }
        if (o == NULL)
            return cli_usage_error(ctx, cmd, "unknown option '-%c'%s", *p,
                                   p == arg + 1 && *p >= '0' && *p <= '9'
                                       ? " (put '--' before a value that starts with '-')"
                                       : "");
        if (!takes_value(o)) {
            rc = store_opt(ctx, cmd, o, base, NULL);
            if (rc != CLI_CONTINUE)
                return rc;
            continue;
        }
        if (p[1] != '\0')
            return store_opt(ctx, cmd, o, base, p + 1);
        if (*i >= argc)
            return cli_usage_error(ctx, cmd, "option -%c needs a value (%s)", *p,
                                   o->arg_name);
        (*i)++;
        return store_opt(ctx, cmd, o, base, argv[*i - 1]);
    }
    return CLI_CONTINUE;
}

int cli_opt_takes_next(const cli_command *cmd, const char *arg)
{
    const cli_opt *cmd_opts = cmd != NULL ? cmd->opts : NULL;
    const cli_opt *o;

    if (arg[1] == '-') {
        const char *name = arg + 2;

        if (strchr(name, '=') != NULL)
            return 0;
        o = cli_find_opt(cmd_opts, name, strlen(name));
        if (o == NULL)
            o = cli_find_opt(cli_global_opts, name, strlen(name));
        return o != NULL && takes_value(o);
    }
    for (const char *p = arg + 1; *p != '\0'; p++) {
        o = find_short(cmd_opts, *p);
        if (o == NULL)
            o = find_short(cli_global_opts, *p);
        if (o == NULL)
            return 0;
        if (takes_value(o))
            return p[1] == '\0'; /* "-o json", not "-ojson" */
    }
    return 0;
}

static int is_option(const char *arg)
{
    return arg[0] == '-' && arg[1] != '\0';
}

int cli_parse_globals(cli_ctx *ctx, int argc, char **argv, int *next)
{
    int i = 1;
    int rc;

    while (i < argc && is_option(argv[i])) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        rc = parse_one(ctx, NULL, argc, argv, &i, NULL);
        if (rc != CLI_CONTINUE)
            return rc;
    }
    *next = i;
    return CLI_CONTINUE;
}

/* The n-th (0-based) word of a params synopsis, brackets and dots stripped:
 * "KEY VALUE" -> "VALUE". */
static void param_name(const char *params, int n, char *buf, size_t size)
{
    const char *p = params != NULL ? params : "";
    size_t len = 0;

    for (int w = 0; w <= n; w++) {
        p += strspn(p, " ");
        len = strcspn(p, " ");
        if (w < n)
            p += len;
    }
    while (len > 0 && (*p == '[' || *p == '<')) {
        p++;
        len--;
    }
    while (len > 0 && (p[len - 1] == ']' || p[len - 1] == '>' || p[len - 1] == '.'))
        len--;
    if (len == 0)
        snprintf(buf, size, "argument");
    else
        snprintf(buf, size, "%.*s", (int)len, p);
}

int cli_parse(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv, void *values,
              cli_args *pos, int min_args, int max_args)
{
    unsigned api = ctx->api; /* the API whose command this is */
    int only_args = 0;
    int i = 1;
    int rc;
    char name[64];

    pos->argc = 0;
    while (i < argc) {
        if (!only_args && strcmp(argv[i], "--") == 0) {
            only_args = 1;
            i++;
            continue;
        }
        if (!only_args && is_option(argv[i])) {
            rc = parse_one(ctx, cmd, argc, argv, &i, values);
            if (rc != CLI_CONTINUE)
                return rc;
            continue;
        }
        if (pos->argc >= CLI_MAX_ARGS || pos->argc >= max_args)
            return cli_usage_error(ctx, cmd, "unexpected argument '%s'", argv[i]);
        pos->argv[pos->argc++] = argv[i++];
    }
    if (ctx->help) {
        cli_print_command_help(ctx, cmd);
        return CLI_EXIT_OK;
    }
    if (ctx->version) {
        printf("etcdwatch version: %s\nlibetcd version: %s\n", ETCDWATCH_VERSION,
               etcd_library_version());
        return CLI_EXIT_OK;
    }
    rc = cli_finish_globals(ctx);
    if (rc != CLI_CONTINUE)
        return rc;
    if (ctx->api != api)
        return cli_usage_error(ctx, cmd,
                               "--api picks the command: give it before the command "
                               "(etcdwatch --api %s %s ...)",
                               ctx->api == CLI_API_V3 ? "v3" : "v2", ctx->path);
    if (pos->argc < min_args) {
        param_name(cmd->params, pos->argc, name, sizeof(name));
        return cli_usage_error(ctx, cmd, "missing %s", name);
    }
    return CLI_CONTINUE;
}

int cli_start(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv, void *values,
              cli_args *pos, int min_args, int max_args, etcd_client **client)
{
    int rc = cli_parse(ctx, cmd, argc, argv, values, pos, min_args, max_args);

    if (rc != CLI_CONTINUE)
        return rc;
    return cli_client(ctx, client);
}

int cli_query(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
              cli_query_fn call, cli_reporter report,
              void (*print_json)(const etcd_response *resp), etcd_response **resp)
{
    etcd_client *client;
    cli_args pos;
    int rc;

    *resp = NULL;
    rc = cli_start(ctx, cmd, argc, argv, NULL, &pos, 0, 0, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = call(client, resp);
    if (rc != ETCD_OK) {
        rc = report(ctx, rc, *resp, ctx->path);
    } else if (ctx->output == CLI_OUTPUT_JSON && print_json != NULL) {
        print_json(*resp);
        rc = CLI_EXIT_OK;
    } else {
        return CLI_CONTINUE;
    }
    etcd_response_free(*resp);
    *resp = NULL;
    return rc;
}

int cli_finish_globals(cli_ctx *ctx)
{
    const char *api = ctx->api_s;

    if (ctx->output_s == NULL || strcmp(ctx->output_s, "simple") == 0)
        ctx->output = CLI_OUTPUT_SIMPLE;
    else if (strcmp(ctx->output_s, "json") == 0)
        ctx->output = CLI_OUTPUT_JSON;
    else
        return cli_usage_error(ctx, NULL, "invalid -o '%s': expected simple or json",
                               ctx->output_s);

    if (api == NULL)
        api = getenv("ETCDWATCH_API");
    if (api == NULL || api[0] == '\0' || strcasecmp(api, "v2") == 0 ||
        strcmp(api, "2") == 0)
        ctx->api = CLI_API_V2;
    else if (strcasecmp(api, "v3") == 0 || strcmp(api, "3") == 0)
        ctx->api = CLI_API_V3;
    else
        return cli_usage_error(ctx, NULL, "invalid --api '%s': expected v2 or v3", api);

    if (ctx->endpoints == NULL)
        ctx->endpoints = getenv("ETCDWATCH_ENDPOINTS");
    if (ctx->endpoints == NULL || ctx->endpoints[0] == '\0') {
        ctx->endpoints = "http://127.0.0.1:2379";
        ctx->endpoints_defaulted = 1;
    }
    return CLI_CONTINUE;
}

/* ---- Help ----------------------------------------------------------------------- */

static void print_opt_synopsis(FILE *f, const cli_opt *opts)
{
    char label[64];

    if (opts == NULL)
        return;
    for (const cli_opt *o = opts; !opt_is_end(o); o++) {
        opt_label(o, label, sizeof(label));
        if (o->arg_name != NULL)
            fprintf(f, " [%s %s]", label, o->arg_name);
        else
            fprintf(f, " [%s]", label);
    }
}

static void print_usage_line(FILE *f, const cli_ctx *ctx, const cli_command *cmd)
{
    if (cmd == NULL) {
        fprintf(f, "Usage: etcdwatch [global options] COMMAND [options] [args]\n");
        return;
    }
    fprintf(f, "Usage: etcdwatch %s", ctx->path != NULL ? ctx->path : cmd->name);
    if (cmd->subs != NULL && cmd->run == NULL)
        fprintf(f, " COMMAND [options] [args]");
    if (cmd->params != NULL && cmd->params[0] != '\0')
        fprintf(f, " %s", cmd->params);
    print_opt_synopsis(f, cmd->opts);
    fputc('\n', f);
}

/* Print `text` wrapped at 90 columns, every line but the first indented by `indent`;
 * `col` is the column the first line starts in. */
static void print_wrapped(FILE *f, const char *text, int col, int indent)
{
    const char *p = text;

    while (*p != '\0') {
        size_t word = strcspn(p, " \n");

        if (col > indent && col + 1 + (int)word > 90) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', f);
            col++;
        }
        fprintf(f, "%.*s", (int)word, p);
        col += (int)word;
        p += word;
        if (*p == '\n') {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
            p++;
        }
        p += strspn(p, " ");
    }
    fputc('\n', f);
}

static void print_opts(FILE *f, const cli_opt *opts)
{
    char label[96];
    int n;

    for (const cli_opt *o = opts; !opt_is_end(o); o++) {
        if (o->short_name != 0 && o->name != NULL)
            n = snprintf(label, sizeof(label), "-%c, --%s", o->short_name, o->name);
        else
            n = (int)strlen(opt_label(o, label, sizeof(label)));
        if (o->arg_name != NULL && n > 0 && (size_t)n < sizeof(label))
            snprintf(label + n, sizeof(label) - (size_t)n, " %s", o->arg_name);
        n = fprintf(f, "  %s", label);
        if (n >= CLI_HELP_COLUMN - 1) {
            fprintf(f, "\n%*s", CLI_HELP_COLUMN, "");
        } else {
            fprintf(f, "%*s", CLI_HELP_COLUMN - n, "");
        }
        print_wrapped(f, o->help, CLI_HELP_COLUMN, CLI_HELP_COLUMN);
    }
}

/* The commands of `table` that serve `api`; NULL: every top-level table. */
static void print_command_list(FILE *f, const cli_command *table, unsigned api)
{
    if (table == NULL) {
        for (size_t i = 0; cli_command_tables[i] != NULL; i++)
            print_command_list(f, cli_command_tables[i], api);
        return;
    }
    for (const cli_command *c = table; c->name != NULL; c++) {
        int n;

        if ((c->apis & api) == 0)
            continue;
        n = fprintf(f, "  %s", c->name);
        if (n >= CLI_CMD_COLUMN - 1) {
            fprintf(f, "\n%*s", CLI_CMD_COLUMN, "");
        } else {
            fprintf(f, "%*s", CLI_CMD_COLUMN - n, "");
        }
        print_wrapped(f, c->summary, CLI_CMD_COLUMN, CLI_CMD_COLUMN);
    }
}

void cli_print_main_help(const cli_ctx *ctx)
{
    unsigned api = ctx->api != 0 ? ctx->api : CLI_API_V2;

    printf("etcdwatch %s: an etcd command-line client and template watcher built on "
           "libetcd.\n\n",
           ETCDWATCH_VERSION);
    print_usage_line(stdout, ctx, NULL);
    printf("\nCommands:\n");
    print_command_list(stdout, NULL, api);
    printf("  %-*sshow help for a command: etcdwatch help COMMAND\n", CLI_CMD_COLUMN - 2,
           "help");
    printf(
        "\nThese are the %s commands; 'etcdwatch --api %s --help' lists the %s ones.\n",
        api == CLI_API_V3 ? "v3" : "v2", api == CLI_API_V3 ? "v2" : "v3",
        api == CLI_API_V3 ? "v2" : "v3");
    printf("\nGlobal options (also accepted after the command, except --api):\n");
    print_opts(stdout, cli_global_opts);
    printf("\nExit status: 0 success, 1 etcd or transport error, 2 usage error.\n"
           "Run 'etcdwatch COMMAND --help' for a command's options.\n");
}

void cli_print_command_help(const cli_ctx *ctx, const cli_command *cmd)
{
    print_usage_line(stdout, ctx, cmd);
    printf("\n");
    print_wrapped(stdout, cmd->description != NULL ? cmd->description : cmd->summary, 0,
                  0);
    if (cmd->subs != NULL) {
        printf("\nCommands:\n");
        print_command_list(stdout, cmd->subs, ctx->api != 0 ? ctx->api : CLI_API_V2);
    }
    if (cmd->opts != NULL && !opt_is_end(cmd->opts)) {
        printf("\nOptions:\n");
        print_opts(stdout, cmd->opts);
    }
    printf("\nGlobal options (see 'etcdwatch --help') may come before or after the "
           "command.\n");
}

/* ---- Errors --------------------------------------------------------------------- */

int cli_usage_error(const cli_ctx *ctx, const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    if (cmd != NULL && ctx->path != NULL)
        fprintf(stderr, "etcdwatch: %s: ", ctx->path);
    else
        fprintf(stderr, "etcdwatch: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    print_usage_line(stderr, ctx, cmd);
    if (cmd != NULL)
        fprintf(stderr, "Run 'etcdwatch %s --help' for details.\n",
                ctx->path != NULL ? ctx->path : cmd->name);
    else
        fprintf(stderr, "Run 'etcdwatch --help' for details.\n");
    return CLI_EXIT_USAGE;
}

/* What to check after a failure that is not etcd's own error, or NULL. */
static const char *report_hint(int status)
{
    switch (status) {
    case ETCD_ETRANSPORT:
        return "is etcd running there? check --endpoints";
    case ETCD_ETLS:
        return "TLS: check --cacert (the CA that signed etcd's certificate), --cert "
               "and --key";
    case ETCD_ETIMEDOUT:
        return "raise --timeout if the cluster is slow";
    default:
        return NULL;
    }
}

/* A refusal of the TLS session that the library reports as a transport error: with
 * TLS 1.3 a server that rejects the client certificate sends its alert after the
 * handshake (OpenSSL's "alert bad certificate" on read), or simply hangs up. */
static int is_tls_refusal(int status, const etcd_response *resp)
{
    const char *r = resp != NULL ? resp->reason : NULL;

    if (status != ETCD_ETRANSPORT || r == NULL || resp->endpoint == NULL ||
        strncmp(resp->endpoint, "https://", 8) != 0)
        return 0;
    return strstr(r, "SSL") != NULL || strstr(r, "certificate") != NULL ||
           strstr(r, "alert") != NULL || strstr(r, "getpeername") != NULL;
}

int cli_report(const cli_ctx *ctx, int status, const etcd_response *resp,
               const char *what)
{
    const char *hint = is_tls_refusal(status, resp)
                           ? "the server refused the TLS session: check --cert and --key "
                             "(a client certificate signed by a CA that etcd trusts) and "
                             "--cacert"
                           : report_hint(status);
    char desc[1024];

    fflush(stdout);
    if (resp != NULL) {
        if (ctx->output == CLI_OUTPUT_JSON && resp->body != NULL && resp->body_len > 0 &&
            resp->body[0] == '{') {
            cli_print_json(resp);
            fflush(stdout);
        }
        if (status == ETCD_EETCD && resp->error.grpc_code != 0 && resp->error.message &&
            resp->error.message[0] != '\0')
            snprintf(desc, sizeof(desc), "%s", resp->error.message); /* etcdctl v3's */
        else
            etcd_response_describe(resp, desc, sizeof(desc));
        if (desc[0] == '\0')
            snprintf(desc, sizeof(desc), "%s", etcd_strerror(status));
        if (status == ETCD_EETCD || status == ETCD_ECLEARED)
            fprintf(stderr, "Error:  %s\n", desc); /* exactly etcdctl's line */
        else if (what != NULL && hint != NULL)
            fprintf(stderr, "Error:  %s (%s; %s)\n", desc, what, hint);
        else if (what != NULL)
            fprintf(stderr, "Error:  %s (%s)\n", desc, what);
        else
            fprintf(stderr, "Error:  %s\n", desc);
    } else if (what != NULL) {
        fprintf(stderr, "Error:  %s: %s\n", what, etcd_strerror(status));
    } else {
        fprintf(stderr, "Error:  %s\n", etcd_strerror(status));
    }
    return CLI_EXIT_ERROR;
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fprintf(stderr, "etcdwatch: warning: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- Output --------------------------------------------------------------------- */

void cli_print_json(const etcd_response *resp)
{
    size_t len = resp->body != NULL ? resp->body_len : 0;

    while (len > 0 && (resp->body[len - 1] == '\n' || resp->body[len - 1] == '\r' ||
                       resp->body[len - 1] == ' '))
        len--;
    if (len == 0)
        return;
    fwrite(resp->body, 1, len, stdout);
    fputc('\n', stdout);
}

void cli_print_line(const char *s, size_t len)
{
    if (s != NULL && len > 0)
        fwrite(s, 1, len, stdout);
    fputc('\n', stdout);
}

/* ---- Values from standard input ------------------------------------------------- */

int cli_read_stdin(const cli_ctx *ctx, char **out, size_t *len)
{
    static const char what[] = "reading VALUE from standard input";
    size_t cap = 4096;
    size_t n = 0;
    char *buf = malloc(cap);

    *out = NULL;
    *len = 0;
    if (buf == NULL)
        return cli_report(ctx, ETCD_ENOMEM, NULL, what);
    for (;;) {
        size_t got;

        if (cap - n < 2) {
            char *bigger;

            if (cap >= CLI_STDIN_MAX) {
                free(buf);
                fflush(stdout);
                fprintf(stderr, "Error:  %s: larger than %zu MiB\n", what,
                        CLI_STDIN_MAX >> 20);
                return CLI_EXIT_ERROR;
            }
            bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                return cli_report(ctx, ETCD_ENOMEM, NULL, what);
            }
            buf = bigger;
            cap *= 2;
        }
        got = fread(buf + n, 1, cap - n - 1, stdin);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(stdin)) {
        fflush(stdout);
        fprintf(stderr, "Error:  %s: %s\n", what, strerror(errno));
        free(buf);
        return CLI_EXIT_ERROR;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return CLI_CONTINUE;
}

int cli_value_arg(const cli_ctx *ctx, const char *arg, char **out)
{
    size_t len;
    int rc;

    if (strcmp(arg, "-") != 0) {
        *out = strdup(arg);
        if (*out == NULL)
            return cli_report(ctx, ETCD_ENOMEM, NULL, "copying VALUE");
        return CLI_CONTINUE;
    }
    rc = cli_read_stdin(ctx, out, &len);
    if (rc == CLI_CONTINUE && memchr(*out, '\0', len) != NULL) {
        fprintf(stderr, "Error:  VALUE from standard input contains a NUL byte, which "
                        "libetcd cannot send yet\n");
        free(*out);
        *out = NULL;
        rc = CLI_EXIT_ERROR;
    }
    return rc;
}

/* ---- Signals -------------------------------------------------------------------- */

static volatile sig_atomic_t caught_signal;

static void on_signal(int signo)
{
    caught_signal = signo;
}

void cli_catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocking poll returns at once */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupted(void)
{
    return (int)caught_signal;
}
