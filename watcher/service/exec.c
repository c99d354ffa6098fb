/*
 * exec.c: check and reload commands with timeouts, and signals by pidfile.
 *
 * A command runs as `/bin/sh -c command` in a process group of its own, so a timeout
 * can end everything it started. It is followed on the caller's loop (ew_loop): the
 * output pipe and, where the kernel has it, a pidfd (otherwise a timer re-checks every
 * few milliseconds), so a command that exits is noticed at once even when a background
 * child it left behind still holds the output pipe open; the timeout and the kill grace
 * are timers. ew_exec_run() waits for one command on a loop of its own.
 */
#define _GNU_SOURCE /* pipe2(): the descriptors are close-on-exec from the start */

#include "exec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUTPUT_MAX (64 * 1024)
#define OUTPUT_MARK "[...]"
#define KILL_GRACE_MS 2000
#define RECHECK_MS 10
#define PIDFILE_MAX 4096
#define MAX_TIMEOUT_MS 2147483647L /* about 24 days */
#define DRAIN_READS 256            /* after the exit: at most 1 MiB more from the pipe */

extern char **environ;

/* ---------------------------------------------------------------------------------- */
/* Time and small helpers                                                              */

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *str_printf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

static char *str_printf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static int set_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);

    if (flags < 0)
        return -1;
    return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* Move a close-on-exec descriptor above 2, so that setting up the child's stdin,
 * stdout and stderr cannot clobber it (the caller may run with 0-2 closed). */
static int lift_fd(int fd)
{
    int nfd;

    if (fd < 0 || fd > 2)
        return fd;
    nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return nfd;
}

static int make_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    fds[0] = lift_fd(fds[0]);
    fds[1] = lift_fd(fds[1]);
    if (fds[0] < 0 || fds[1] < 0) {
        if (fds[0] >= 0)
            close(fds[0]);
        if (fds[1] >= 0)
            close(fds[1]);
        fds[0] = -1;
        fds[1] = -1;
        return -1;
    }
    return 0;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* ---------------------------------------------------------------------------------- */
/* Output capture                                                                      */

typedef struct capture {
    char *data;
    size_t len;
    int truncated;
} capture;

/* Read what the pipe holds now: 1 when something came, 0 when nothing is there yet
 * (the pipe is non-blocking), -1 at its end (EOF or an error). */
static int capture_read(capture *c, int fd)
{
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);

    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (n == 0)
        return -1;
    if (c->len < OUTPUT_MAX) {
        size_t take = (size_t)n < OUTPUT_MAX - c->len ? (size_t)n : OUTPUT_MAX - c->len;
        memcpy(c->data + c->len, buf, take);
        c->len += take;
        if (take < (size_t)n)
            c->truncated = 1;
    } else {
        c->truncated = 1;
    }
    return 1;
}

/* ---------------------------------------------------------------------------------- */
/* The child                                                                           */

/* Close every descriptor from 4 up (3 is the close-on-exec error pipe). */
static void close_other_fds(void)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 4U, ~0U, 0U) == 0)
        return;
#endif
    {
        long max = sysconf(_SC_OPEN_MAX);
        long fd;
        if (max < 0 || max > 65536)
            max = 65536;
        for (fd = 4; fd < max; fd++)
            close((int)fd);
    }
}

/* Only async-signal-safe calls from here on: the caller may have threads. */
static void run_child(const char *command, int devnull, int out, int errpipe)
{
    char *argv[4];
    struct sigaction sa;
    sigset_t none;
    int sig;
    int e;

    setpgid(0, 0);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &sa, NULL);
    }
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    if (dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
        goto fail;
    /* The error pipe moves to 3, close-on-exec, so that close_other_fds() spares it
     * and a failed execve() can still report its errno. */
    if (errpipe != 3) {
        if (dup2(errpipe, 3) < 0)
            goto fail;
        set_cloexec(3);
    }
    close_other_fds();
    errpipe = 3;
    argv[0] = "sh";
    argv[1] = "-c";
    argv[2] = (char *)command;
    argv[3] = NULL;
    execve("/bin/sh", argv, environ);
fail:
    e = errno;
    if (write(errpipe, &e, sizeof e) < 0)
        _exit(127);
    _exit(127);
}

/* ---------------------------------------------------------------------------------- */
/* The parent                                                                          */

struct ew_exec {
    ew_loop *loop;
    ew_exec_cb cb;
    void *data;
    pid_t pid;
    int out;       /* the output pipe (non-blocking), -1 once at its end */
    int pidfd;     /* readable once the shell has ended; -1: none, `recheck` polls */
    int killed;    /* 0, 1: SIGTERM sent to the group, 2: SIGKILL sent */
    int timed_out; /* the timeout sent that SIGTERM */
    int reaped;    /* the shell has been waited for (or was reaped elsewhere: lost) */
    int lost;      /* reaped by someone else (SIGCHLD ignored, or a waitpid(-1)) */
    int wstatus;
    capture cap;
    ew_timer deadline; /* the timeout, then the end of the kill grace */
    ew_timer recheck;  /* without a pidfd; and for a killed group outliving its shell */
    double started;
};

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    long fd = syscall(SYS_pidfd_open, pid, 0); /* close-on-exec by design */
    if (fd >= 0)
        return (int)fd;
#else
    (void)pid;
#endif
    return -1;
}

/* Whether process `name` (a /proc entry) is in group pgid and not a zombie. */
static int proc_in_group(const char *name, pid_t pgid)
{
    char path[64];
    char stat[512];
    char state;
    long long pgrp;
    const char *p;
    ssize_t n;
    int fd;

    snprintf(path, sizeof path, "/proc/%.32s/stat", name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    n = read(fd, stat, sizeof stat - 1);
    close(fd);
    if (n <= 0)
        return 0;
    stat[n] = '\0';
    /* "pid (comm) state ppid pgrp ...": comm may hold anything, so from the last ')'. */
    p = strrchr(stat, ')');
    if (!p || sscanf(p + 1, " %c %*d %lld", &state, &pgrp) != 2)
        return 0;
    return pgrp == (long long)pgid && state != 'Z' && state != 'X';
}

/* Whether a live process is left in group pgid. Zombies do not count: an orphan's
 * zombie waits for its reaper, which in a container may never come. */
static int group_alive(pid_t pgid)
{
    DIR *d;
    struct dirent *e;
    int alive = 0;

    if (kill(-pgid, 0) < 0 && errno == ESRCH)
        return 0;
    d = opendir("/proc");
    if (!d)
        return 1;
    for (e = readdir(d); e && !alive; e = readdir(d)) {
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
            alive = proc_in_group(e->d_name, pgid);
    }
    closedir(d);
    return alive;
}

static void finish_output(ew_exec_result *res, capture *c)
{
    if (c->truncated) {
        memcpy(c->data + c->len, OUTPUT_MARK, sizeof OUTPUT_MARK);
        c->len += sizeof OUTPUT_MARK - 1;
    } else {
        c->data[c->len] = '\0';
    }
    res->output = c->data;
    c->data = NULL;
}

static void unwatch_fd(ew_exec *x, int *fd)
{
    if (*fd >= 0) {
        ew_loop_watch(x->loop, *fd, 0, NULL, NULL);
        close_fd(fd);
    }
}

/* The shell has been reaped (or cancelled): hand the result to the callback, free x. */
static void exec_end(ew_exec *x, int cancelled)
{
    ew_exec_result res;
    int drained;

    memset(&res, 0, sizeof res);
    res.exit_code = -1;
    res.status = -1;
    res.timed_out = x->timed_out;
    res.cancelled = cancelled;
    ew_timer_stop(x->loop, &x->deadline);
    ew_timer_stop(x->loop, &x->recheck);
    unwatch_fd(x, &x->pidfd);
    /* What the command wrote before it ended is in the pipe: take it, but do not wait
     * for background processes it left holding the pipe. */
    for (drained = 0; x->out >= 0 && drained < DRAIN_READS; drained++) {
        if (capture_read(&x->cap, x->out) <= 0)
            break;
    }
    unwatch_fd(x, &x->out);
    res.seconds = now_seconds() - x->started;
    if (!x->lost && WIFEXITED(x->wstatus)) {
        res.exit_code = WEXITSTATUS(x->wstatus);
        res.status = res.exit_code == 0 && !res.timed_out && !cancelled ? 0 : -1;
    } else if (!x->lost && WIFSIGNALED(x->wstatus)) {
        res.signal = WTERMSIG(x->wstatus);
    }
    finish_output(&res, &x->cap);
    if (x->lost) {
        char *o = str_printf("%sexit status unknown: the process was reaped elsewhere "
                             "(SIGCHLD ignored?)",
                             res.output);
        if (o) {
            free(res.output);
            res.output = o;
        }
    }
    x->cb(&res, x->data);
    ew_exec_result_cleanup(&res);
    free(x);
}

/* Whether the shell has ended; reaps it. */
static int try_reap(ew_exec *x)
{
    pid_t w;

    do {
        w = waitpid(x->pid, &x->wstatus, WNOHANG);
    } while (w < 0 && errno == EINTR);
    if (w == 0)
        return 0;
    x->lost = w != x->pid;
    x->reaped = 1;
    return 1;
}

/* The shell has ended. After a timeout nothing of the group may survive: the rest of
 * the group gets what is left of the grace period (re-checked every few ms), then
 * SIGKILL. */
static void exec_reaped(ew_exec *x)
{
    unwatch_fd(x, &x->pidfd);
    if (x->killed == 1 && group_alive(x->pid)) {
        ew_timer_start(x->loop, &x->recheck, RECHECK_MS);
        return;
    }
    exec_end(x, 0);
}

static void on_pidfd(int fd, int events, void *data)
{
    ew_exec *x = data;

    (void)fd;
    (void)events;
    if (try_reap(x))
        exec_reaped(x);
}

static void on_recheck(void *arg)
{
    ew_exec *x = arg;

    if (x->reaped) { /* a killed group outliving its shell */
        if (group_alive(x->pid))
            ew_timer_start(x->loop, &x->recheck, RECHECK_MS);
        else
            exec_end(x, 0);
        return;
    }
    if (try_reap(x))
        exec_reaped(x);
    else
        ew_timer_start(x->loop, &x->recheck, RECHECK_MS);
}

static void on_output(int fd, int events, void *data)
{
    ew_exec *x = data;

    (void)events;
    if (capture_read(&x->cap, fd) < 0)
        unwatch_fd(x, &x->out);
}

static void on_deadline(void *arg)
{
    ew_exec *x = arg;

    if (x->killed == 0) {
        /* An exit that came just before the timeout is an exit. */
        if (try_reap(x)) {
            exec_reaped(x);
            return;
        }
        kill(-x->pid, SIGTERM);
        x->killed = 1;
        x->timed_out = 1;
        ew_timer_start(x->loop, &x->deadline, KILL_GRACE_MS);
        return;
    }
    /* The grace is over. Until the shell is reaped, its group id cannot be reused. */
    if (!x->reaped || group_alive(x->pid))
        kill(-x->pid, SIGKILL);
    x->killed = 2;
    if (x->reaped)
        exec_end(x, 0);
}

ew_exec *ew_exec_start(ew_loop *loop, const char *command, long timeout_ms, ew_exec_cb cb,
                       void *data, char **why)
{
    ew_exec *x = calloc(1, sizeof *x);
    int out[2] = {-1, -1};
    int errp[2] = {-1, -1};
    int devnull = -1;
    int child_errno = 0;
    pid_t pid;

    *why = NULL;
    if (!x)
        return NULL;
    x->cap.data = malloc(OUTPUT_MAX + sizeof OUTPUT_MARK);
    if (!x->cap.data) {
        free(x);
        return NULL;
    }
    x->loop = loop;
    x->cb = cb;
    x->data = data;
    x->out = -1;
    x->pidfd = -1;
    x->started = now_seconds();
    x->deadline.fire = on_deadline;
    x->deadline.arg = x;
    x->recheck.fire = on_recheck;
    x->recheck.arg = x;

    devnull = lift_fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (devnull < 0 || make_pipe(out) < 0 || make_pipe(errp) < 0 ||
        fcntl(out[0], F_SETFL, O_NONBLOCK) < 0) {
        *why = str_printf("could not start: %s", strerror(errno));
        goto fail;
    }
    if (ew_loop_watch(loop, out[0], EW_IN, on_output, x) < 0)
        goto fail; /* out of memory */
    pid = fork();
    if (pid < 0) {
        *why = str_printf("could not start: fork: %s", strerror(errno));
        ew_loop_watch(loop, out[0], 0, NULL, NULL);
        goto fail;
    }
    if (pid == 0)
        run_child(command, devnull, out[1], errp[1]);

    /* Both sides set the group, so it exists whichever runs first. */
    setpgid(pid, pid);
    close_fd(&devnull);
    close_fd(&out[1]);
    close_fd(&errp[1]);
    {
        ssize_t n;
        do {
            n = read(errp[0], &child_errno, sizeof child_errno);
        } while (n < 0 && errno == EINTR);
        if (n != (ssize_t)sizeof child_errno)
            child_errno = 0;
    }
    if (child_errno) {
        /* The child ends at once, without having run anything. */
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            continue;
        *why = str_printf("could not start: /bin/sh: %s", strerror(child_errno));
        ew_loop_watch(loop, out[0], 0, NULL, NULL);
        goto fail;
    }
    close_fd(&errp[0]);
    x->pid = pid;
    x->out = out[0];
    x->pidfd = open_pidfd(pid);
    if (x->pidfd >= 0 && ew_loop_watch(loop, x->pidfd, EW_IN, on_pidfd, x) < 0)
        close_fd(&x->pidfd);
    if (x->pidfd < 0)
        ew_timer_start(loop, &x->recheck, RECHECK_MS);
    if (timeout_ms > 0)
        ew_timer_start(loop, &x->deadline,
                       timeout_ms < MAX_TIMEOUT_MS ? timeout_ms : MAX_TIMEOUT_MS);
    return x;

fail:
    close_fd(&devnull);
    close_fd(&out[0]);
    close_fd(&out[1]);
    close_fd(&errp[0]);
    close_fd(&errp[1]);
    free(x->cap.data);
    free(x);
    return NULL;
}

void ew_exec_cancel(ew_exec *x)
{
    if (!x->reaped || group_alive(x->pid))
        kill(-x->pid, SIGKILL);
    if (!x->reaped) {
        pid_t w;

        do {
            w = waitpid(x->pid, &x->wstatus, 0);
        } while (w < 0 && errno == EINTR);
        x->lost = w != x->pid;
        x->reaped = 1;
    }
    exec_end(x, 1);
}

/* ew_exec_run(): the callback keeps the result for the caller. */
typedef struct run_wait {
    ew_exec_result *res;
    int done;
} run_wait;

static void on_run_done(ew_exec_result *res, void *data)
{
    run_wait *w = data;

    *w->res = *res;
    res->output = NULL; /* now the caller's */
    w->done = 1;
}

int ew_exec_run(const char *command, long timeout_ms, ew_exec_result *res)
{
    double started = now_seconds();
    run_wait w = {res, 0};
    ew_loop loop;
    char *why;

    memset(res, 0, sizeof *res);
    res->exit_code = -1;
    res->status = -1;
    ew_loop_init(&loop);
    if (ew_exec_start(&loop, command, timeout_ms, on_run_done, &w, &why)) {
        while (!w.done)
            ew_loop_run_once(&loop, -1);
    } else {
        res->output = why;
        res->seconds = now_seconds() - started;
    }
    ew_loop_cleanup(&loop);
    return res->status;
}

void ew_exec_result_cleanup(ew_exec_result *res)
{
    if (!res)
        return;
    free(res->output);
    res->output = NULL;
}

/* ---------------------------------------------------------------------------------- */
/* {{.src}} and {{.dest}}                                                              */

/* If tmpl at i holds "{{ .name }}" (spaces optional) for name src or dest, its length
 * and which one (0 src, 1 dest); else 0. */
static size_t match_field(const char *t, int *which)
{
    size_t i = 2;
    size_t n;

    if (t[0] != '{' || t[1] != '{')
        return 0;
    while (t[i] == ' ' || t[i] == '\t')
        i++;
    if (strncmp(t + i, ".src", 4) == 0) {
        *which = 0;
        n = 4;
    } else if (strncmp(t + i, ".dest", 5) == 0) {
        *which = 1;
        n = 5;
    } else {
        return 0;
    }
    i += n;
    while (t[i] == ' ' || t[i] == '\t')
        i++;
    if (t[i] != '}' || t[i + 1] != '}')
        return 0;
    return i + 2;
}

char *ew_exec_expand(const char *tmpl, const char *src, const char *dest)
{
    size_t i;
    int pass;
    char *out = NULL;

    /* Measure, then write. */
    for (pass = 0; pass < 2; pass++) {
        size_t o = 0;
        for (i = 0; tmpl[i];) {
            int which;
            size_t m = match_field(tmpl + i, &which);
            if (m) {
                const char *v = which ? dest : src;
                size_t vl = strlen(v);
                if (out)
                    memcpy(out + o, v, vl);
                o += vl;
                i += m;
            } else {
                if (out)
                    out[o] = tmpl[i];
                o++;
                i++;
            }
        }
        if (!out) {
            out = malloc(o + 1);
            if (!out)
                return NULL;
        } else {
            out[o] = '\0';
        }
    }
    return out;
}

/* ---------------------------------------------------------------------------------- */
/* Signals                                                                             */

int ew_exec_signal_pidfile(const char *pidfile, int sig, char **err)
{
    char buf[PIDFILE_MAX + 1];
    size_t len = 0;
    ssize_t n;
    char *p;
    char *end;
    long long pid;
    int fd;

    *err = NULL;
    fd = open(pidfile, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            *err = str_printf("pidfile %s: no such file", pidfile);
        else
            *err = str_printf("pidfile %s: %s", pidfile, strerror(errno));
        return -1;
    }
    while (len < PIDFILE_MAX) {
        n = read(fd, buf + len, PIDFILE_MAX - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            *err = str_printf("pidfile %s: %s", pidfile, strerror(e));
            return -1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';

    /* The first line, spaces around it allowed. */
    p = buf;
    while (*p == ' ' || *p == '\t')
        p++;
    errno = 0;
    pid = (*p >= '0' && *p <= '9') ? strtoll(p, &end, 10) : 0;
    if (pid > 0 && errno == 0) {
        while (*end == ' ' || *end == '\t' || *end == '\r')
            end++;
        if (*end != '\n' && *end != '\0')
            pid = 0;
    }
    if (pid <= 0 || pid > INT_MAX || errno != 0) {
        *err = str_printf("pidfile %s: no pid in it", pidfile);
        return -1;
    }
    if (kill((pid_t)pid, sig) < 0) {
        if (errno == ESRCH)
            *err = str_printf("pid %lld: no such process", pid);
        else
            *err = str_printf("pid %lld: %s", pid, strerror(errno));
        return -1;
    }
    return 0;
}

static const struct {
    const char *name;
    int sig;
} signal_names[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP}, {"ABRT", SIGABRT},     {"IOT", SIGABRT},  {"BUS", SIGBUS},
    {"FPE", SIGFPE},   {"KILL", SIGKILL},     {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},     {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},   {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"SYS", SIGSYS},
};

int ew_exec_signal_number(const char *name)
{
    size_t i;
    const char *s = name;

    if (!s || !*s)
        return -1;
    if (*s >= '0' && *s <= '9') {
        char *end;
        long long v;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0 || *end != '\0' || v < 1 || v >= NSIG)
            return -1;
        return (int)v;
    }
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    for (i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++) {
        if (strcasecmp(s, signal_names[i].name) == 0)
            return signal_names[i].sig;
    }
    return -1;
}
