/*
 * etcdwatch: the one place that turns the global options into an etcd_client:
 * endpoints, TLS files, timeouts and credentials (never taken from argv unless the
 * user insisted with --user NAME:PASS, and then wiped from it).
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Default limit for one request, as etcdctl's --total-timeout. */
#define CLI_DEFAULT_TIMEOUT_MS 5000L
/* A connection attempt gives up after this, so that failover stays quick. */
#define CLI_CONNECT_TIMEOUT_MS 2000L
#define CLI_PASSWORD_MAX 1024

static void wipe(char *s)
{
    volatile char *p = s;

    if (s == NULL)
        return;
    while (*p != '\0')
        *p++ = '\0';
}

static int check_file(const char *opt, const char *path)
{
    FILE *f;

    if (path == NULL)
        return CLI_CONTINUE;
    f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "Error:  cannot read %s file '%s': %s\n", opt, path,
                strerror(errno));
        return CLI_EXIT_ERROR;
    }
    fclose(f);
    return CLI_CONTINUE;
}

static volatile sig_atomic_t prompt_interrupted;

static void on_prompt_signal(int signo)
{
    prompt_interrupted = signo;
}

char *cli_prompt_secret(const char *prompt, int *no_tty)
{
    char buf[CLI_PASSWORD_MAX];
    struct termios old, noecho;
    struct sigaction sa, old_int, old_term;
    size_t len = 0;
    char *pw = NULL;
    int fd;
    int restore;

    *no_tty = 0;
    fd = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (fd < 0) {
        *no_tty = 1;
        return NULL;
    }
    prompt_interrupted = 0;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_prompt_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    restore = tcgetattr(fd, &old) == 0;
    if (restore) {
        noecho = old;
        noecho.c_lflag &= ~(tcflag_t)ECHO;
        noecho.c_lflag |= ECHONL;
        tcsetattr(fd, TCSAFLUSH, &noecho);
    }
    dprintf(fd, "%s", prompt);
    while (len < sizeof(buf) - 1) {
        char c;
        ssize_t n = read(fd, &c, 1);

        if (n < 0 && errno == EINTR && !prompt_interrupted)
            continue;
        if (n <= 0 || c == '\n' || c == '\r')
            break;
        buf[len++] = c;
    }
    buf[len] = '\0';
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &old);
    close(fd);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    if (prompt_interrupted) {
        fprintf(stderr, "\n");
        wipe(buf);
        raise(prompt_interrupted);
        return NULL;
    }
    pw = strdup(buf);
    wipe(buf);
    if (pw == NULL)
        fprintf(stderr, "Error:  out of memory\n");
    return pw;
}

void cli_free_secret(char *s)
{
    wipe(s);
    free(s);
}

/* Read --user's password from the terminal without echo. Returns a new string, or NULL
 * with a message printed. */
static char *prompt_password(const char *user)
{
    char prompt[256];
    char *pw;
    int no_tty;

    snprintf(prompt, sizeof(prompt), "Password for %s: ", user);
    pw = cli_prompt_secret(prompt, &no_tty);
    if (pw == NULL && no_tty)
        fprintf(stderr,
                "Error:  --user %s needs a password: set ETCDWATCH_PASSWORD "
                "(no terminal to prompt on)\n",
                user);
    return pw;
}

int cli_credentials(cli_ctx *ctx)
{
    char *colon;
    const char *env;

    if (ctx->user == NULL || ctx->username != NULL)
        return CLI_CONTINUE;
    colon = strchr(ctx->user, ':');

    if (colon != NULL) {
        cli_warn("a password given with --user NAME:PASS is visible to other users "
                 "while etcdwatch starts; prefer ETCDWATCH_PASSWORD or the prompt");
        ctx->username = strndup(ctx->user, (size_t)(colon - ctx->user));
        ctx->password = strdup(colon + 1);
        /* Hide it from ps and /proc from now on: ctx->user points into argv. */
        wipe(colon + 1);
    } else {
        ctx->username = strdup(ctx->user);
        env = getenv("ETCDWATCH_PASSWORD");
        if (env != NULL)
            ctx->password = strdup(env);
        else if (ctx->username != NULL)
            ctx->password = prompt_password(ctx->username);
        if (ctx->password == NULL && env == NULL)
            return CLI_EXIT_ERROR;
    }
    if (ctx->username == NULL || ctx->password == NULL) {
        fprintf(stderr, "Error:  out of memory\n");
        return CLI_EXIT_ERROR;
    }
    if (ctx->username[0] == '\0') {
        fprintf(stderr, "Error:  --user needs a user name\n");
        return CLI_EXIT_USAGE;
    }
    return CLI_CONTINUE;
}

int cli_client(cli_ctx *ctx, etcd_client **out)
{
    etcd_client_opts opts;
    long timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
    int rc;

    *out = NULL;
    if (ctx->client != NULL) {
        *out = ctx->client;
        return CLI_CONTINUE;
    }
    rc = check_file("--cacert", ctx->cacert);
    if (rc == CLI_CONTINUE)
        rc = check_file("--cert", ctx->cert);
    if (rc == CLI_CONTINUE)
        rc = check_file("--key", ctx->key);
    if (rc != CLI_CONTINUE)
        return rc;
    if (ctx->key != NULL && ctx->cert == NULL) {
        fprintf(stderr, "Error:  --key %s needs --cert\n", ctx->key);
        return CLI_EXIT_USAGE;
    }
    rc = cli_credentials(ctx);
    if (rc != CLI_CONTINUE)
        return rc;

    if (ctx->timeout > 0)
        timeout_ms = (long)(ctx->timeout * 1000.0 + 0.5);
    if (timeout_ms < 1)
        timeout_ms = 1;

    etcd_client_opts_init(&opts);
    opts.endpoints = ctx->endpoints;
    opts.request_timeout_ms = timeout_ms;
    opts.connect_timeout_ms =
        timeout_ms < CLI_CONNECT_TIMEOUT_MS ? timeout_ms : CLI_CONNECT_TIMEOUT_MS;
    /* A --timeout above the default also allows a slower connection and TLS handshake
     * (a loaded machine, valgrind): half of it. */
    if (timeout_ms > CLI_DEFAULT_TIMEOUT_MS && timeout_ms / 2 > CLI_CONNECT_TIMEOUT_MS)
        opts.connect_timeout_ms = timeout_ms / 2;
    opts.username = ctx->username;
    opts.password = ctx->password;
    opts.ca_file = ctx->cacert;
    opts.cert_file = ctx->cert;
    opts.key_file = ctx->key;
    /* The CLI does one request at a time; a watch holds its own connection. */
    opts.max_connections = 2;

    rc = etcd_client_new(&opts, &ctx->client);
    if (rc != ETCD_OK) {
        ctx->client = NULL;
        if (rc == ETCD_EINVAL) {
            fprintf(stderr,
                    "Error:  invalid --endpoints '%s': expected "
                    "http(s)://HOST:PORT[,...]\n",
                    ctx->endpoints);
            return CLI_EXIT_USAGE;
        }
        return cli_report(ctx, rc, NULL, "creating the etcd client");
    }
    *out = ctx->client;
    return CLI_CONTINUE;
}

void cli_ctx_cleanup(cli_ctx *ctx)
{
    etcd_client_free(ctx->client);
    ctx->client = NULL;
    free(ctx->username);
    ctx->username = NULL;
    wipe(ctx->password);
    free(ctx->password);
    ctx->password = NULL;
}
