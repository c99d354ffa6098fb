/*
 * etcdwatch: `etcdwatch run` (the watcher service) and `etcdwatch check-config`.
 *
 * Their options name configuration keys: each becomes an override of the file, applied
 * again after every SIGHUP. confd's flag names are accepted too, with one dash or two
 * (`-onetime`, `--confdir`), so that a confd command line works unchanged. The API
 * is the file's `api`, unless the global --api (or ETCDWATCH_API) or confd's
 * `-backend etcd|etcdv3` says otherwise.
 */
#define _POSIX_C_SOURCE 200809L

#include "cmd_run.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/config.h"
#include "service/run.h"

#define MAX_OVERRIDES 64

enum {
    OPT_HELP = 'h',
    OPT_CONFIG = 256,
    OPT_KEY, /* a plain configuration key: see flag_keys */
    OPT_ONETIME,
    OPT_WATCH,
    OPT_INTERVAL,
    OPT_NODE,
    OPT_BACKEND,
    OPT_BASIC_AUTH,
    OPT_PASSWORD,
};

/* Options that set one configuration key to their argument (or "true"). */
typedef struct flag_key {
    const char *flag;
    const char *section;
    const char *key;
    int takes_value;
    const char *help;
} flag_key;

static const flag_key flag_keys[] = {
    {"confdir", "watcher", "confdir", 1, "DIR with conf.d/ and templates/"},
    {"mode", "watcher", "mode", 1, "watch, interval or onetime"},
    {"prefix", "watcher", "prefix", 1, "P prefixed to every resource's keys"},
    {"noop", "watcher", "noop", 0, "print what would change as a diff; touch nothing"},
    {"sync-only", "watcher", "sync_only", 0, "no check_cmd and no reload"},
    {"keep-stage-file", "watcher", "keep_stage_file", 0, "leave stage files behind"},
    {"log-level", "watcher", "log_level", 1, "debug, info, warn or error"},
    {"log-target", "watcher", "log_target", 1, "stderr or syslog"},
    {"debounce-ms", "watcher", "debounce_ms", 1,
     "MS: render a burst at most once per MS"},
    {"check-timeout", "watcher", "check_timeout", 1, "S: default check_cmd limit"},
    {"reload-timeout", "watcher", "reload_timeout", 1, "S: default reload limit"},
    {"password-file", "etcd", "password_file", 1, "F with the password (chmod 600)"},
    /* confd's names */
    {"client-cert", "etcd", "cert", 1, "F: as --cert (confd)"},
    {"client-key", "etcd", "key", 1, "F: as --key (confd)"},
    {"client-ca-keys", "etcd", "cacert", 1, "F: as --cacert (confd)"},
    {"username", "etcd", "user", 1, "NAME: as --user (confd)"},
};

#define NFLAG_KEYS (sizeof(flag_keys) / sizeof(flag_keys[0]))

typedef struct run_state {
    ew_override overrides[MAX_OVERRIDES];
    size_t n;
    const char *config_path;
    char *nodes; /* --node URLs, comma-joined */
    const char *password;
} run_state;

static void usage(FILE *f, const char *cmd)
{
    size_t i;

    fprintf(f, "Usage: etcdwatch [global options] %s [options]\n\n", cmd);
    if (strcmp(cmd, "run") == 0)
        fputs(
            "Render every template resource of the configuration from etcd, then keep\n"
            "the files up to date (watch mode), re-render every --interval seconds, or\n"
            "stop (--onetime). SIGHUP reloads the configuration; SIGTERM stops.\n\n",
            f);
    else
        fputs(
            "Load the configuration and every resource, parse every template, and\n"
            "report each problem with its file:line. Exit status 1 if there is any.\n\n",
            f);
    fputs("Options (the configuration key they set is in etcdwatch.conf(5)):\n"
          "  --config FILE        main configuration (default " EW_DEFAULT_CONFIG ")\n"
          "  --onetime            render once and exit (mode onetime)\n"
          "  --watch              follow changes (mode watch, the default)\n"
          "  --interval N         re-read every N seconds (mode interval)\n",
          f);
    for (i = 0; i < NFLAG_KEYS; i++)
        fprintf(f, "  --%-18s %s\n", flag_keys[i].flag, flag_keys[i].help);
    fputs(
        "  --node URL           an etcd endpoint, repeatable (confd)\n"
        "  --backend B          etcd (api auto) or etcdv3 (api v3), as confd names them\n"
        "  --basic-auth         accepted for confd; --username enables basic auth\n"
        "  --password P         (confd) visible to other users: prefer --password-file\n"
        "                       or ETCDWATCH_PASSWORD\n"
        "  -h, --help           this help\n\n"
        "Global options --endpoints --cacert --cert --key --user --timeout --api apply\n"
        "too and override the configuration file (--api or ETCDWATCH_API sets [etcd]\n"
        "api). Every option also works with one dash, as confd spells them (-onetime\n"
        "-confdir DIR -node URL).\n",
        f);
}

static int add_override(run_state *st, const char *flag, const char *section,
                        const char *key, const char *value)
{
    ew_override *o;

    if (st->n == MAX_OVERRIDES) {
        fprintf(stderr, "Error:  too many options\n");
        return -1;
    }
    o = &st->overrides[st->n++];
    o->flag = flag;
    o->section = section;
    o->key = key;
    o->value = value;
    return 0;
}

static int add_node(run_state *st, const char *url)
{
    size_t old = st->nodes ? strlen(st->nodes) : 0;
    char *joined = realloc(st->nodes, old + strlen(url) + 2);

    if (!joined)
        return -1;
    if (old)
        joined[old++] = ',';
    memcpy(joined + old, url, strlen(url) + 1);
    st->nodes = joined;
    return 0;
}

/* The global options that also configure the watcher. */
static int add_globals(run_state *st, cli_ctx *ctx)
{
    static char timeout[32];
    int rc = 0;

    if (!ctx->endpoints_defaulted)
        rc |= add_override(st, "--endpoints", "etcd", "endpoints", ctx->endpoints);
    if (ctx->cacert)
        rc |= add_override(st, "--cacert", "etcd", "cacert", ctx->cacert);
    if (ctx->cert)
        rc |= add_override(st, "--cert", "etcd", "cert", ctx->cert);
    if (ctx->key)
        rc |= add_override(st, "--key", "etcd", "key", ctx->key);
    if (ctx->timeout > 0) {
        snprintf(timeout, sizeof(timeout), "%g", ctx->timeout);
        rc |= add_override(st, "--timeout", "etcd", "timeout", timeout);
    }
    /* --api or ETCDWATCH_API, when given: the dispatcher has parsed it into ctx->api */
    if (ctx->api_s || (getenv("ETCDWATCH_API") && getenv("ETCDWATCH_API")[0]))
        rc |= add_override(st, ctx->api_s ? "--api" : "ETCDWATCH_API", "etcd", "api",
                           ctx->api == CLI_API_V3 ? "v3" : "v2");
    if (ctx->user) {
        if (cli_credentials(ctx) != CLI_CONTINUE)
            return -1;
        rc |= add_override(st, "--user", "etcd", "user", ctx->username);
        st->password = ctx->password;
    }
    return rc ? -1 : 0;
}

/* Parse `run`'s or `check-config`'s options into st. Returns CLI_CONTINUE or an exit
 * status. */
static int parse(run_state *st, cli_ctx *ctx, int argc, char **argv)
{
    struct option longs[NFLAG_KEYS + 16];
    size_t i, n = 0;
    int c;

    for (i = 0; i < NFLAG_KEYS; i++) {
        longs[n].name = flag_keys[i].flag;
        longs[n].has_arg = flag_keys[i].takes_value ? required_argument : no_argument;
        longs[n].flag = NULL;
        longs[n].val = OPT_KEY + 1000 + (int)i;
        n++;
    }
#define LONG(name, arg, val) longs[n++] = (struct option){name, arg, NULL, val}
    LONG("config", required_argument, OPT_CONFIG);
    LONG("onetime", no_argument, OPT_ONETIME);
    LONG("watch", no_argument, OPT_WATCH);
    LONG("interval", required_argument, OPT_INTERVAL);
    LONG("node", required_argument, OPT_NODE);
    LONG("backend", required_argument, OPT_BACKEND);
    LONG("basic-auth", no_argument, OPT_BASIC_AUTH);
    LONG("password", required_argument, OPT_PASSWORD);
    LONG("help", no_argument, OPT_HELP);
    longs[n] = (struct option){NULL, 0, NULL, 0};
#undef LONG

    optind = 1;
    opterr = 0;
    for (;;) {
        int at = optind;

        c = getopt_long_only(argc, argv, "h", longs, NULL);
        if (c == -1)
            break;
        if (c >= OPT_KEY + 1000) {
            const flag_key *fk = &flag_keys[c - OPT_KEY - 1000];

            if (add_override(st, argv[at], fk->section, fk->key,
                             fk->takes_value ? optarg : "true"))
                return CLI_EXIT_USAGE;
            continue;
        }
        switch (c) {
        case OPT_HELP:
            usage(stdout, argv[0]);
            return CLI_EXIT_OK;
        case OPT_CONFIG:
            st->config_path = optarg;
            break;
        case OPT_ONETIME:
        case OPT_WATCH:
            if (add_override(st, argv[at], "watcher", "mode",
                             c == OPT_ONETIME ? "onetime" : "watch"))
                return CLI_EXIT_USAGE;
            break;
        case OPT_INTERVAL:
            if (add_override(st, argv[at], "watcher", "mode", "interval") ||
                add_override(st, argv[at], "watcher", "interval", optarg))
                return CLI_EXIT_USAGE;
            break;
        case OPT_NODE:
            if (add_node(st, optarg)) {
                fprintf(stderr, "Error:  out of memory\n");
                return CLI_EXIT_ERROR;
            }
            break;
        case OPT_BACKEND:
            /* confd 0.16's "etcd" is v2, its later code's is v3: auto serves both. */
            if (strcmp(optarg, "etcd") != 0 && strcmp(optarg, "etcdv3") != 0) {
                fprintf(stderr,
                        "Error:  --backend %s: only etcd and etcdv3 are supported\n",
                        optarg);
                return CLI_EXIT_USAGE;
            }
            if (add_override(st, argv[at], "etcd", "api",
                             strcmp(optarg, "etcdv3") == 0 ? "v3" : "auto"))
                return CLI_EXIT_USAGE;
            break;
        case OPT_BASIC_AUTH:
            break;
        case OPT_PASSWORD:
            fprintf(stderr, "etcdwatch: warning: --password is visible to every user of "
                            "this machine; use --password-file or ETCDWATCH_PASSWORD\n");
            st->password = optarg;
            break;
        default:
            fprintf(stderr, "Error:  %s: unknown or incomplete option\n",
                    argv[optind - 1]);
            usage(stderr, argv[0]);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "Error:  %s takes no arguments ('%s')\n", argv[0], argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if (add_globals(st, ctx))
        return CLI_EXIT_USAGE;
    if (st->nodes && add_override(st, "--node", "etcd", "endpoints", st->nodes))
        return CLI_EXIT_USAGE;
    return CLI_CONTINUE;
}

static int run_or_check(cli_ctx *ctx, int argc, char **argv, int check)
{
    run_state st;
    ew_run_args args;
    int rc;

    memset(&st, 0, sizeof(st));
    rc = parse(&st, ctx, argc, argv);
    if (rc == CLI_CONTINUE) {
        args.config_path = st.config_path;
        args.overrides = st.overrides;
        args.noverrides = st.n;
        args.password = st.password;
        rc = check ? ew_check_config(&args) : ew_run(&args);
    }
    free(st.nodes);
    return rc;
}

int cmd_run(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    (void)cmd;
    return run_or_check(ctx, argc, argv, 0);
}

int cmd_check_config(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    (void)cmd;
    return run_or_check(ctx, argc, argv, 1);
}
