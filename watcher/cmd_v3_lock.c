/*
 * etcdwatch: lock and elect, etcd v3's concurrency from the command line (etcdctl v3's
 * commands of the same names).
 *
 * Both hold a session: a lease that libetcd keeps alive for as long as the lock or the
 * leadership is held. The lock and the campaign are long waits on the client's loop;
 * the loop also watches for SIGINT/SIGTERM (cli_catch_signals()) and, for lock with a
 * COMMAND, for the command's end. On the way out the session is closed (its lease
 * revoked, which releases whatever was still held on it) and the client freed here, so
 * that a wait still in flight is abandoned while its state is alive.
 *
 * A holder whose session lost its lease no longer holds anything: that is reported on
 * stderr, a COMMAND still running is stopped (SIGTERM to its process group, SIGKILL
 * after LOST_GRACE_MS) and the exit status is 1.
 */
#define _POSIX_C_SOURCE 200809L

#include "cmd_v3.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <etcd/v3_concurrency.h>

/* How often the loops look at signals and the command, at most. */
#define TICK_MS 100
/* The session's lease TTL without --ttl, as etcdctl 3.4's: its lock command's 10
 * seconds, and for elect the session's default. */
#define LOCK_DEFAULT_TTL 10
#define ELECT_DEFAULT_TTL 60
/* A command whose lock was lost gets SIGTERM, then SIGKILL after this. */
#define LOST_GRACE_MS 10000
/* Descriptors below this that were open when the command started are passed on to a
 * COMMAND; those opened since (the client's sockets) are closed in it. */
#define FD_SCAN_MAX 1024

extern char **environ;

typedef struct lock_args {
    int64_t ttl;
} lock_args;

typedef struct elect_args {
    int64_t ttl;
    int listen;
} elect_args;

/* ---- Sessions and long waits --------------------------------------------------------
 */

typedef struct hold {
    cli_ctx *ctx;
    etcd_client *client;
    char what[512]; /* "lock NAME", for messages */
    etcd_v3_session *session;
    int64_t lease;
    int granted;
    int lost;
    int closed;           /* the session's last callback (ETCD_ECANCELED) came */
    int failed;           /* an error before the lease was granted */
    etcd_response *error; /* its response (a copy), or NULL */
    int error_status;
    int answered; /* the lock or campaign answered */
    int answer_status;
    etcd_response *answer; /* a copy */
} hold;

static void on_session(etcd_v3_session *s, const etcd_response *resp, void *data)
{
    hold *h = data;
    char desc[1024];

    (void)s;
    switch (resp->status) {
    case ETCD_OK:
        h->granted = 1;
        break;
    case ETCD_ENOTFOUND:
        h->lost = 1;
        break;
    case ETCD_ECANCELED:
        h->closed = 1;
        break;
    default:
        if (!h->granted) {
            if (!h->failed) {
                h->failed = 1;
                h->error_status = resp->status;
                h->error = etcd_response_dup(resp);
            }
            break;
        }
        /* keep-alive trouble: the library retries until the lease expires */
        etcd_response_describe(resp, desc, sizeof(desc));
        cli_warn("%s: keeping the session's lease %016" PRIx64 " alive: %s; retrying",
                 h->what, h->lease, desc[0] != '\0' ? desc : etcd_strerror(resp->status));
        break;
    }
}

static void on_answer(etcd_client *client, const etcd_response *resp, void *data)
{
    hold *h = data;

    (void)client;
    h->answered = 1;
    h->answer_status = resp->status;
    h->answer = etcd_response_dup(resp);
}

static int report_lost(hold *h, const char *held)
{
    fflush(stdout);
    fprintf(stderr,
            "Error:  %s: the session's lease %016" PRIx64
            " was lost (expired or revoked): %s\n",
            h->what, h->lease, held);
    return CLI_EXIT_ERROR;
}

enum { WAIT_DONE, WAIT_SIGNAL, WAIT_LOST, WAIT_FAILED };

/* Run the client's loop until *done, a signal, a lost lease or a failed grant. */
static int hold_wait(hold *h, const int *done)
{
    for (;;) {
        if (h->lost)
            return WAIT_LOST;
        if (h->failed)
            return WAIT_FAILED;
        if (*done)
            return WAIT_DONE;
        if (cli_interrupted() != 0)
            return WAIT_SIGNAL;
        etcd_client_run_once(h->client, TICK_MS);
    }
}

/* Start the session and wait until its lease is granted. Returns CLI_CONTINUE or an
 * exit status (after reporting the error). */
static int hold_start(hold *h, int64_t ttl)
{
    int rc;

    rc = etcd_v3_session_start(h->client, ttl, on_session, h, &h->session);
    if (rc != ETCD_OK) {
        h->session = NULL;
        return cli_report(h->ctx, rc, NULL, h->what);
    }
    switch (hold_wait(h, &h->granted)) {
    case WAIT_DONE:
        h->lease = etcd_v3_session_lease(h->session);
        return CLI_CONTINUE;
    case WAIT_SIGNAL:
        return 128 + cli_interrupted();
    case WAIT_FAILED:
        if (h->error != NULL)
            return cli_report(h->ctx, h->error_status, h->error, h->what);
        return cli_report(h->ctx, h->error_status, NULL, h->what);
    default:
        return report_lost(h, "nothing was held yet");
    }
}

/* Close the session (revoking its lease: what was held on it is released), wait for
 * its last callback (the revoke is an ordinary request, bounded by --timeout), then
 * free the client: a lock or campaign still waiting is abandoned. */
static void hold_end(hold *h)
{
    if (h->session != NULL) {
        etcd_v3_session_close(h->session);
        while (!h->closed)
            etcd_client_run_once(h->client, TICK_MS);
        h->session = NULL;
    }
    if (h->client != NULL) {
        etcd_client_free(h->client);
        h->ctx->client = NULL;
        h->client = NULL;
    }
    etcd_response_free(h->answer);
    h->answer = NULL;
    etcd_response_free(h->error);
    h->error = NULL;
}

/* Wait for the answer of the lock or campaign request just sent (`rc`, its status).
 * Returns CLI_CONTINUE when it succeeded (h->answer), or an exit status after a
 * signal, a lost session lease (reported with `not_held`) or a failure. */
static int hold_await(hold *h, int rc, const char *not_held)
{
    if (rc != ETCD_OK)
        return cli_report(h->ctx, rc, NULL, h->what);
    switch (hold_wait(h, &h->answered)) {
    case WAIT_SIGNAL:
        return 128 + cli_interrupted();
    case WAIT_LOST:
        return report_lost(h, not_held);
    default:
        break;
    }
    if (h->answer_status != ETCD_OK || h->answer == NULL)
        return cli_report(h->ctx, h->answer != NULL ? h->answer_status : ETCD_ENOMEM,
                          h->answer, h->what);
    return CLI_CONTINUE;
}

/* Read `key` back: it must exist on our lease (etcd 3.4 may answer a wait after the
 * lease expired). Prints it as etcdctl's GET does. Returns CLI_CONTINUE or an exit
 * status. */
static int check_and_print(hold *h, etcd_bytes key, int print, const char *held)
{
    etcd_response *r = NULL;
    int rc;

    rc = etcd_v3_range_sync(h->client, key, NULL, &r);
    if (rc != ETCD_OK) {
        rc = cli_report(h->ctx, rc, r, h->what);
        etcd_response_free(r);
        return rc;
    }
    if (h->lost || r->v3.nkvs == 0 || r->v3.kvs[0].lease != h->lease) {
        etcd_response_free(r);
        return report_lost(h, held);
    }
    if (print) {
        if (h->ctx->output == CLI_OUTPUT_JSON)
            cli_v3_print_json(r);
        else
            cli_v3_print_kv(&r->v3.kvs[0], 0);
        fflush(stdout);
    }
    etcd_response_free(r);
    return CLI_CONTINUE;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int check_ttl(cli_ctx *ctx, const cli_command *cmd, int64_t ttl)
{
    if (ttl < 1)
        return cli_usage_error(ctx, cmd, "--ttl must be at least 1 (seconds)");
    return CLI_CONTINUE;
}

/* ---- lock: the COMMAND ----------------------------------------------------------- */

static void on_child(int signo)
{
    (void)signo; /* only wakes the loop's poll */
}

/* The index in argv of COMMAND: the first positional word after NAME (or argc). What
 * comes from there on is the command's, options included. */
static int command_start(const cli_command *cmd, int argc, char **argv)
{
    int have_name = 0;
    int only_args = 0;
    int i = 1;

    while (i < argc) {
        const char *a = argv[i];

        if (!only_args && strcmp(a, "--") == 0) {
            only_args = 1;
            i++;
        } else if (!only_args && a[0] == '-' && a[1] != '\0') {
            i += 1 + cli_opt_takes_next(cmd, a);
        } else if (!have_name) {
            have_name = 1;
            i++;
        } else {
            return i;
        }
    }
    return argc;
}

/* The environment of COMMAND: ETCD_LOCK_KEY and ETCD_LOCK_REV first (as etcdctl sets
 * them), then ours without any of the two. NULL when out of memory. */
static char **command_env(const char *key, int64_t rev)
{
    size_t n = 0, k = 2;
    char **env;
    size_t len;

    while (environ != NULL && environ[n] != NULL)
        n++;
    env = calloc(n + 3, sizeof(*env));
    if (env == NULL)
        return NULL;
    len = strlen(key) + sizeof("ETCD_LOCK_KEY=");
    env[0] = malloc(len);
    env[1] = malloc(sizeof("ETCD_LOCK_REV=") + 24);
    if (env[0] == NULL || env[1] == NULL) {
        free(env[0]);
        free(env[1]);
        free(env);
        return NULL;
    }
    snprintf(env[0], len, "ETCD_LOCK_KEY=%s", key);
    snprintf(env[1], sizeof("ETCD_LOCK_REV=") + 24, "ETCD_LOCK_REV=%" PRId64, rev);
    for (size_t i = 0; i < n; i++) {
        if (strncmp(environ[i], "ETCD_LOCK_KEY=", 14) != 0 &&
            strncmp(environ[i], "ETCD_LOCK_REV=", 14) != 0)
            env[k++] = environ[i];
    }
    env[k] = NULL;
    return env;
}

static void free_command_env(char **env)
{
    if (env == NULL)
        return;
    free(env[0]);
    free(env[1]);
    free(env);
}

/* Is the terminal on standard input ours, in the foreground? Then COMMAND gets it. */
static int own_foreground_tty(void)
{
    pid_t fg;

    if (!isatty(STDIN_FILENO))
        return 0;
    fg = tcgetpgrp(STDIN_FILENO);
    return fg != -1 && fg == getpgrp();
}

/* Hand the terminal to process group `pgrp` (SIGTTOU held: we may be in the
 * background by then). */
static void give_tty(pid_t pgrp)
{
    sigset_t block, old;

    sigemptyset(&block);
    sigaddset(&block, SIGTTOU);
    sigprocmask(SIG_BLOCK, &block, &old);
    (void)tcsetpgrp(STDIN_FILENO, pgrp);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* In the child: its own process group (with the terminal, when we had it), no
 * descriptor of the client, then COMMAND. Writes errno on `errfd` when exec fails. */
static void exec_child(char **argv, char **env, const unsigned char *fds_at_start,
                       int errfd, int tty)
{
    int err;

    setpgid(0, 0);
    if (tty)
        give_tty(getpid());
    for (int fd = 3; fd < FD_SCAN_MAX; fd++) {
        if (!fds_at_start[fd] && fd != errfd)
            close(fd);
    }
    environ = env;
    execvp(argv[0], argv);
    err = errno;
    if (write(errfd, &err, sizeof(err)) < 0) {
        /* nothing left to tell it with */
    }
    _exit(err == ENOENT ? 127 : 126);
}

/* Run COMMAND while holding the lock. Returns its exit status (128 + N when killed by
 * signal N; 126/127 when it could not be run), or 1 when the lock was lost. */
static int run_command(hold *h, char **argv, const char *key, int64_t rev,
                       const unsigned char *fds_at_start)
{
    struct sigaction sa, old_chld;
    char **env = command_env(key, rev);
    int tty = own_foreground_tty();
    int errpipe[2];
    int exec_err = 0;
    int status = 0;
    int forwarded = 0; /* the last signal passed on */
    int64_t killed_at = 0;
    int sigkilled = 0;
    pid_t pid;
    ssize_t n;

    if (env == NULL)
        return cli_report(h->ctx, ETCD_ENOMEM, NULL, h->what);
    if (pipe(errpipe) != 0 || fcntl(errpipe[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(errpipe[1], F_SETFD, FD_CLOEXEC) != 0) {
        fprintf(stderr, "Error:  %s: cannot run '%s': %s\n", h->what, argv[0],
                strerror(errno));
        free_command_env(env);
        return CLI_EXIT_ERROR;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_child;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NOCLDSTOP; /* no SA_RESTART: the loop's poll returns at once */
    sigaction(SIGCHLD, &sa, &old_chld);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        close(errpipe[0]);
        exec_child(argv, env, fds_at_start, errpipe[1], tty);
    }
    close(errpipe[1]);
    free_command_env(env);
    if (pid < 0) {
        fprintf(stderr, "Error:  %s: cannot run '%s': %s\n", h->what, argv[0],
                strerror(errno));
        close(errpipe[0]);
        sigaction(SIGCHLD, &old_chld, NULL);
        return CLI_EXIT_ERROR;
    }
    (void)setpgid(pid, pid); /* also here: no race with the signals below */
    if (tty)
        give_tty(pid);
    /* the pipe closes when exec succeeds */
    do {
        n = read(errpipe[0], &exec_err, sizeof(exec_err));
    } while (n < 0 && errno == EINTR);
    close(errpipe[0]);

    for (;;) {
        int sig = cli_interrupted();
        pid_t w = waitpid(pid, &status, WNOHANG | (tty ? WUNTRACED : 0));

        if (w == pid && WIFSTOPPED(status)) {
            /* stopped from the terminal: a lock holder does not stop */
            kill(-pid, SIGCONT);
            continue;
        }
        if (w == pid || (w < 0 && errno != EINTR))
            break;
        if (h->lost && killed_at == 0) {
            report_lost(h, "stopping the command");
            kill(-pid, SIGTERM);
            killed_at = now_ms();
        } else if (killed_at != 0 && !sigkilled && now_ms() - killed_at > LOST_GRACE_MS) {
            kill(-pid, SIGKILL);
            sigkilled = 1;
        }
        if (sig != 0 && sig != forwarded) {
            kill(-pid, sig);
            forwarded = sig;
        }
        etcd_client_run_once(h->client, TICK_MS);
    }
    if (tty)
        give_tty(getpgrp());
    sigaction(SIGCHLD, &old_chld, NULL);
    if (n == (ssize_t)sizeof(exec_err)) {
        fprintf(stderr, "Error:  %s: cannot run '%s': %s\n", h->what, argv[0],
                strerror(exec_err));
        return exec_err == ENOENT ? 127 : 126;
    }
    if (h->lost) {
        if (killed_at == 0)
            report_lost(h, "the command had ended");
        return CLI_EXIT_ERROR;
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : CLI_EXIT_ERROR;
}

/* ---- lock ------------------------------------------------------------------------ */

static int cmd_lock(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    unsigned char fds_at_start[FD_SCAN_MAX];
    lock_args a = {LOCK_DEFAULT_TTL};
    hold h;
    cli_args pos;
    int at = command_start(cmd, argc, argv);
    etcd_bytes name;
    etcd_bytes key;
    char *key_s = NULL;
    int status;
    int rc;

    rc = cli_parse(ctx, cmd, at, argv, &a, &pos, 1, 1);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = check_ttl(ctx, cmd, a.ttl);
    if (rc != CLI_CONTINUE)
        return rc;
    for (int fd = 0; fd < FD_SCAN_MAX; fd++)
        fds_at_start[fd] = fcntl(fd, F_GETFD) != -1;

    memset(&h, 0, sizeof(h));
    h.ctx = ctx;
    snprintf(h.what, sizeof(h.what), "lock %s", pos.argv[0]);
    name = cli_v3_bytes(pos.argv[0]);
    rc = cli_client(ctx, &h.client);
    if (rc != CLI_CONTINUE)
        return rc;
    cli_catch_signals();

    status = hold_start(&h, a.ttl);
    if (status != CLI_CONTINUE)
        goto out;
    rc = etcd_v3_lock(h.client, name, h.lease, on_answer, &h);
    status = hold_await(&h, rc, "the lock was not taken");
    if (status == CLI_CONTINUE && h.answer->v3_key == NULL)
        status = cli_report(ctx, h.answer_status, h.answer, h.what);
    if (status != CLI_CONTINUE)
        goto out;
    key.data = h.answer->v3_key;
    key.len = h.answer->v3_key_len;
    key_s = strndup(key.data, key.len);
    if (key_s == NULL) {
        status = cli_report(ctx, ETCD_ENOMEM, NULL, h.what);
        goto out;
    }
    status = check_and_print(&h, key, at >= argc, "the lock is not held");
    if (status != CLI_CONTINUE)
        goto out;

    if (at < argc) {
        status = run_command(&h, argv + at, key_s,
                             h.answer->header != NULL ? h.answer->header->revision : 0,
                             fds_at_start);
    } else {
        int dummy = 0;

        if (hold_wait(&h, &dummy) == WAIT_LOST) {
            status = report_lost(&h, "the lock is no longer held");
            goto out;
        }
        status = CLI_EXIT_OK;
    }
    if (!h.lost) {
        etcd_response *r = NULL;

        rc = etcd_v3_unlock_sync(h.client, key, &r);
        if (rc != ETCD_OK) {
            char what[600];

            snprintf(what, sizeof(what), "%s: unlock %s", h.what, key_s);
            rc = cli_report(ctx, rc, r, what);
            if (status == CLI_EXIT_OK)
                status = rc;
        }
        etcd_response_free(r);
    }
out:
    free(key_s);
    hold_end(&h);
    return status;
}

/* ---- elect ----------------------------------------------------------------------- */

typedef struct listen_state {
    cli_ctx *ctx;
    const char *name;
    int done;
} listen_state;

static void on_observe(etcd_v3_observe *obs, const etcd_response *resp, void *data)
{
    listen_state *st = data;
    char desc[1024];

    (void)obs;
    if (resp->status == ETCD_ECANCELED) {
        st->done = 1;
        return;
    }
    if (resp->status != ETCD_OK) {
        etcd_response_describe(resp, desc, sizeof(desc));
        cli_warn("elect %s: %s; reconnecting", st->name,
                 desc[0] != '\0' ? desc : etcd_strerror(resp->status));
        return;
    }
    if (st->ctx->output == CLI_OUTPUT_JSON)
        cli_v3_print_json(resp);
    else if (resp->v3.nkvs > 0)
        cli_v3_print_kv(&resp->v3.kvs[0], 0);
    fflush(stdout);
}

/* elect --listen: every new leader's proclamation until SIGINT/SIGTERM. */
static int elect_listen(cli_ctx *ctx, etcd_client *client, const char *name)
{
    listen_state st = {ctx, name, 0};
    etcd_v3_observe *obs = NULL;
    etcd_response *r = NULL;
    char what[512];
    int rc;

    snprintf(what, sizeof(what), "elect %s", name);
    /* one ordinary request first: a wrong endpoint or credentials fail at once
     * ("no leader" is fine: the observer waits for one) */
    rc = etcd_v3_election_leader_sync(client, cli_v3_bytes(name), &r);
    if (rc != ETCD_OK && rc != ETCD_EETCD) {
        rc = cli_report(ctx, rc, r, what);
        etcd_response_free(r);
        return rc;
    }
    etcd_response_free(r);
    cli_catch_signals();
    rc = etcd_v3_observe_start(client, cli_v3_bytes(name), on_observe, &st, &obs);
    if (rc != ETCD_OK)
        return cli_report(ctx, rc, NULL, what);
    while (cli_interrupted() == 0)
        etcd_client_run_once(client, TICK_MS);
    etcd_v3_observe_cancel(obs);
    while (!st.done)
        etcd_client_run_once(client, TICK_MS);
    return CLI_EXIT_OK;
}

static int elect_campaign(cli_ctx *ctx, etcd_client *client, const char *name,
                          const char *proposal, int64_t ttl)
{
    const etcd_v3_leader_key *leader;
    etcd_bytes key;
    hold h;
    int status;
    int rc;
    int dummy = 0;

    memset(&h, 0, sizeof(h));
    h.ctx = ctx;
    h.client = client;
    snprintf(h.what, sizeof(h.what), "elect %s", name);
    cli_catch_signals();
    status = hold_start(&h, ttl);
    if (status != CLI_CONTINUE)
        goto out;
    rc = etcd_v3_campaign(client, cli_v3_bytes(name), h.lease, cli_v3_bytes(proposal),
                          on_answer, &h);
    status = hold_await(&h, rc, "not elected");
    if (status == CLI_CONTINUE && h.answer->v3_leader == NULL)
        status = cli_report(ctx, h.answer_status, h.answer, h.what);
    if (status != CLI_CONTINUE)
        goto out;
    leader = h.answer->v3_leader;
    key.data = leader->key;
    key.len = leader->key_len;
    status = check_and_print(&h, key, 1, "not the leader");
    if (status != CLI_CONTINUE)
        goto out;
    if (hold_wait(&h, &dummy) == WAIT_LOST) {
        status = report_lost(&h, "no longer the leader");
        goto out;
    }
    status = CLI_EXIT_OK;
    {
        etcd_response *r = NULL;

        rc = etcd_v3_resign_sync(client, leader, &r);
        if (rc != ETCD_OK) {
            char what[600];

            snprintf(what, sizeof(what), "%s: resign", h.what);
            status = cli_report(ctx, rc, r, what);
        }
        etcd_response_free(r);
    }
out:
    hold_end(&h);
    return status;
}

static int cmd_elect(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    elect_args a = {ELECT_DEFAULT_TTL, 0};
    etcd_client *client;
    cli_args pos;
    int rc;

    rc = cli_parse(ctx, cmd, argc, argv, &a, &pos, 1, 2);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = check_ttl(ctx, cmd, a.ttl);
    if (rc != CLI_CONTINUE)
        return rc;
    if (a.listen && pos.argc == 2)
        return cli_usage_error(ctx, cmd,
                               "a PROPOSAL campaigns; --listen only observes: "
                               "give one or the other");
    if (!a.listen && pos.argc == 1)
        return cli_usage_error(ctx, cmd, "missing PROPOSAL (or --listen to observe)");
    rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    if (a.listen)
        return elect_listen(ctx, client, pos.argv[0]);
    return elect_campaign(ctx, client, pos.argv[0], pos.argv[1], a.ttl);
}

/* ---- The table ------------------------------------------------------------------- */

static const cli_opt lock_opts[] = {
    {"ttl", 0, CLI_OPT_INT64, "SECONDS", offsetof(lock_args, ttl),
     "TTL of the session's lease (default 10, as etcdctl's): a holder that dies without "
     "letting go keeps the lock at most this long"},
    {0},
};

static const cli_opt elect_opts[] = {
    {"listen", 'l', CLI_OPT_FLAG, NULL, offsetof(elect_args, listen),
     "observe the election: print each new leader's key and proposal"},
    {"ttl", 0, CLI_OPT_INT64, "SECONDS", offsetof(elect_args, ttl),
     "TTL of the session's lease (default 60, as etcdctl's): a leader that dies "
     "without resigning stays the leader at most this long"},
    {0},
};

const cli_command cli_v3_lock_commands[] = {
    {"lock", CLI_API_V3, "NAME [COMMAND [ARGS...]]", "acquire a named lock",
     "Acquire the distributed lock NAME on a session (a lease of --ttl seconds that "
     "etcdwatch keeps alive), waiting as long as another holder has it; --timeout "
     "bounds each request, not that wait. Without COMMAND: print the lock's key "
     "(NAME/LEASE-ID) and an empty line, as etcdctl's GET of it, and hold the lock "
     "until SIGINT or SIGTERM, then unlock and exit 0. With COMMAND (the first word "
     "after NAME; everything from there on is its own): run it, not through a shell, in "
     "a process group of its own, with ETCD_LOCK_KEY (the lock's key) and ETCD_LOCK_REV "
     "(the revision it was taken at) in its environment, then unlock and exit with its "
     "status (128+N when killed by signal N, 127 when not found, 126 when it cannot be "
     "run); SIGINT and SIGTERM are passed on to it. If the session's lease is lost "
     "(etcd unreachable for longer than the TTL, or the lease revoked), the lock is "
     "gone: etcdwatch says so on stderr, sends SIGTERM to COMMAND's process group "
     "(SIGKILL 10 s later) and exits 1. SIGINT or SIGTERM while waiting: exit 130 or "
     "143, nothing held.",
     lock_opts, cmd_lock, NULL},
    {"elect", CLI_API_V3, "NAME [PROPOSAL]", "campaign in, or observe, a named election",
     "With PROPOSAL: campaign in election NAME on a session (a lease of --ttl seconds "
     "that etcdwatch keeps alive), waiting until elected (--timeout bounds each request, "
     "not that wait); then print the leader's key (NAME/LEASE-ID) and PROPOSAL on two "
     "lines and stay the leader until SIGINT or SIGTERM, then resign and exit 0. A lost "
     "session lease (etcd unreachable for longer than the TTL, or the lease revoked) "
     "ends the leadership: reported on stderr, exit 1. SIGINT or SIGTERM while waiting: "
     "exit 130 or 143. With --listen: print the current leader's key and proposal, and "
     "each new leader's or proclamation's after it, until SIGINT or SIGTERM (exit 0).",
     elect_opts, cmd_elect, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
