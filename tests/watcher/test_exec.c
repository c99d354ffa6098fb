/* test_exec.c: commands with timeouts and process groups, output capture, signals by
 * pidfile; the same on an ew_loop, several at once, and cancelled. */
#define _POSIX_C_SOURCE 200809L

#include "exec.h"
#include "loop.h"
#include "suites.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[64];

static int suite_init(void)
{
    char *d;

    snprintf(tmpdir, sizeof tmpdir, "/tmp/ew-exec-test.XXXXXX");
    d = mkdtemp(tmpdir);
    return d ? 0 : -1;
}

static int suite_cleanup(void)
{
    char cmd[128];
    ew_exec_result r;

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ew_exec_run(cmd, 10000, &r);
    ew_exec_result_cleanup(&r);
    return 0;
}

static void tmp_path(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", tmpdir, name);
}

/* Alive and not a zombie (an orphan's zombie may wait for a PID 1 that never reaps). */
static int process_alive(pid_t pid)
{
    char path[64];
    char stat[512];
    FILE *f;
    size_t n;
    char *paren;

    if (kill(pid, 0) < 0 && errno == ESRCH)
        return 0;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return 0;
    n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    paren = strrchr(stat, ')');
    return !(paren && paren[1] == ' ' && paren[2] == 'Z');
}

/* Wait up to 1 s for pid to be gone (the kernel needs a moment after a SIGKILL). */
static int process_gone(pid_t pid)
{
    int i;

    for (i = 0; i < 100; i++) {
        if (!process_alive(pid))
            return 1;
        {
            struct timespec ts = {0, 10000000L};
            nanosleep(&ts, NULL);
        }
    }
    return 0;
}

/* The pids, one per line, in file `name` of the temp dir. */
static size_t read_pids(const char *name, pid_t *pids, size_t max)
{
    char path[128];
    char *text;
    char *p;
    size_t n = 0;

    tmp_path(path, sizeof path, name);
    text = tu_read_file(path, NULL);
    if (!text)
        return 0;
    p = text;
    while (*p && n < max) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p)
            break;
        if (v > 0)
            pids[n++] = (pid_t)v;
        p = end;
        while (*p == '\n')
            p++;
    }
    free(text);
    return n;
}

static void kill_pids(const pid_t *pids, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        kill(pids[i], SIGKILL);
}

static int under_valgrind(void)
{
    const char *preload = getenv("LD_PRELOAD");

    return preload && strstr(preload, "vgpreload") != NULL;
}

/* ---------------------------------------------------------------------------------- */

static void test_exit_codes(void)
{
    ew_exec_result r;

    CU_ASSERT_EQUAL(ew_exec_run("true", 5000, &r), 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_EQUAL(r.exit_code, 0);
    CU_ASSERT_EQUAL(r.signal, 0);
    CU_ASSERT_EQUAL(r.timed_out, 0);
    CU_ASSERT_PTR_NOT_NULL(r.output);
    CU_ASSERT_STRING_EQUAL(r.output, "");
    CU_ASSERT(r.seconds >= 0.0 && r.seconds < 5.0);
    ew_exec_result_cleanup(&r);
    CU_ASSERT_PTR_NULL(r.output);

    CU_ASSERT_EQUAL(ew_exec_run("exit 3", 5000, &r), -1);
    CU_ASSERT_EQUAL(r.status, -1);
    CU_ASSERT_EQUAL(r.exit_code, 3);
    CU_ASSERT_EQUAL(r.signal, 0);
    CU_ASSERT_EQUAL(r.timed_out, 0);
    ew_exec_result_cleanup(&r);

    CU_ASSERT_EQUAL(ew_exec_run("kill -USR1 $$", 5000, &r), -1);
    CU_ASSERT_EQUAL(r.exit_code, -1);
    CU_ASSERT_EQUAL(r.signal, SIGUSR1);
    CU_ASSERT_EQUAL(r.timed_out, 0);
    ew_exec_result_cleanup(&r);

    /* A missing program is the shell's exit 127, with its message. */
    CU_ASSERT_EQUAL(ew_exec_run("/nonexistent/reload-me", 5000, &r), -1);
    CU_ASSERT_EQUAL(r.exit_code, 127);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.output, "/nonexistent/reload-me"));
    ew_exec_result_cleanup(&r);

    /* /bin/sh cannot even be started: one argument over the kernel's 128 KiB limit.
     * (valgrind kills a child whose execve() fails, so not under valgrind.) */
    if (!under_valgrind()) {
        size_t n = 200 * 1024;
        char *big = malloc(n + 1);
        CU_ASSERT_FATAL(big != NULL);
        memset(big, '#', n);
        big[n] = '\0';
        CU_ASSERT_EQUAL(ew_exec_run(big, 5000, &r), -1);
        CU_ASSERT_EQUAL(r.exit_code, -1);
        CU_ASSERT_EQUAL(r.signal, 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r.output);
        CU_ASSERT_STRING_EQUAL(r.output,
                               "could not start: /bin/sh: Argument list too long");
        ew_exec_result_cleanup(&r);
        free(big);
    }

    /* No limit. */
    CU_ASSERT_EQUAL(ew_exec_run("sleep 0.1; exit 0", 0, &r), 0);
    CU_ASSERT(r.seconds >= 0.1);
    ew_exec_result_cleanup(&r);

    ew_exec_result_cleanup(NULL);
}

static void test_output(void)
{
    ew_exec_result r;

    CU_ASSERT_EQUAL(ew_exec_run("echo out; echo err >&2; printf 'no newline'", 5000, &r),
                    0);
    CU_ASSERT_STRING_EQUAL(r.output, "out\nerr\nno newline");
    ew_exec_result_cleanup(&r);

    /* stdin is /dev/null: cat ends at once. */
    CU_ASSERT_EQUAL(ew_exec_run("cat; echo after", 5000, &r), 0);
    CU_ASSERT_STRING_EQUAL(r.output, "after\n");
    ew_exec_result_cleanup(&r);

    /* Exactly 64 KiB is kept whole. */
    CU_ASSERT_EQUAL(ew_exec_run("head -c 65536 /dev/zero | tr '\\000' a", 5000, &r), 0);
    CU_ASSERT_EQUAL(strlen(r.output), 65536);
    CU_ASSERT(r.output[65535] == 'a');
    ew_exec_result_cleanup(&r);

    /* More is cut at 64 KiB and marked; the command still runs to its end. */
    CU_ASSERT_EQUAL(
        ew_exec_run("head -c 1000000 /dev/zero | tr '\\000' b; echo done >&2; exit 5",
                    10000, &r),
        -1);
    CU_ASSERT_EQUAL(r.exit_code, 5);
    CU_ASSERT_EQUAL(strlen(r.output), 65536 + 5);
    CU_ASSERT(r.output[0] == 'b' && r.output[65535] == 'b');
    CU_ASSERT_STRING_EQUAL(r.output + 65536, "[...]");
    ew_exec_result_cleanup(&r);
}

static void test_own_process_group(void)
{
    ew_exec_result r;
    char cmd[160];

    /* The shell leads a group of its own: field 5 of /proc/$$/stat is $$. */
    CU_ASSERT_EQUAL(ew_exec_run("read -r a b c d pgid rest < /proc/$$/stat; "
                                "[ \"$pgid\" = \"$$\" ] && echo own || echo shared",
                                5000, &r),
                    0);
    CU_ASSERT_STRING_EQUAL(r.output, "own\n");
    ew_exec_result_cleanup(&r);
    /* ...which is not the caller's group. */
    snprintf(
        cmd, sizeof cmd,
        "read -r a b c d pgid rest < /proc/$$/stat; [ \"$pgid\" != %d ] && echo other",
        (int)getpgrp());
    CU_ASSERT_EQUAL(ew_exec_run(cmd, 5000, &r), 0);
    CU_ASSERT_STRING_EQUAL(r.output, "other\n");
    ew_exec_result_cleanup(&r);
}

static void test_timeout_kills_group(void)
{
    ew_exec_result r;
    char cmd[512];
    char pidfile[128];
    pid_t pids[8];
    size_t n, i;

    tmp_path(pidfile, sizeof pidfile, "children");
    snprintf(cmd, sizeof cmd,
             "sleep 100 & echo $! > %s; sleep 100 & echo $! >> %s; "
             "(sleep 100; echo never) & echo $! >> %s; echo started; wait",
             pidfile, pidfile, pidfile);
    CU_ASSERT_EQUAL(ew_exec_run(cmd, 300, &r), -1);
    CU_ASSERT_EQUAL(r.timed_out, 1);
    CU_ASSERT_EQUAL(r.exit_code, -1);
    CU_ASSERT_EQUAL(r.signal, SIGTERM);
    CU_ASSERT(r.seconds >= 0.29 && r.seconds < 2.0);
    CU_ASSERT_STRING_EQUAL(r.output, "started\n");
    ew_exec_result_cleanup(&r);

    n = read_pids("children", pids, 8);
    CU_ASSERT_EQUAL(n, 3);
    for (i = 0; i < n; i++)
        CU_ASSERT(process_gone(pids[i]));
    kill_pids(pids, n);
}

/* A group that ignores SIGTERM gets SIGKILL 2 s later. */
static void test_timeout_sigkill(void)
{
    ew_exec_result r;
    char cmd[512];
    char pidfile[128];
    pid_t pids[8];
    size_t n, i;

    tmp_path(pidfile, sizeof pidfile, "stubborn");
    snprintf(cmd, sizeof cmd, "trap '' TERM; sleep 100 & echo $! > %s; wait", pidfile);
    CU_ASSERT_EQUAL(ew_exec_run(cmd, 200, &r), -1);
    CU_ASSERT_EQUAL(r.timed_out, 1);
    CU_ASSERT_EQUAL(r.signal, SIGKILL);
    CU_ASSERT(r.seconds >= 2.1 && r.seconds < 4.0);
    ew_exec_result_cleanup(&r);
    n = read_pids("stubborn", pids, 8);
    CU_ASSERT_EQUAL(n, 1);
    for (i = 0; i < n; i++)
        CU_ASSERT(process_gone(pids[i]));
    kill_pids(pids, n);

    /* The shell dies at SIGTERM but a child of it ignores it: killed too. */
    tmp_path(pidfile, sizeof pidfile, "straggler");
    snprintf(cmd, sizeof cmd, "(trap '' TERM; sleep 100) & echo $! > %s; sleep 100",
             pidfile);
    CU_ASSERT_EQUAL(ew_exec_run(cmd, 200, &r), -1);
    CU_ASSERT_EQUAL(r.timed_out, 1);
    CU_ASSERT_EQUAL(r.signal, SIGTERM);
    CU_ASSERT(r.seconds < 4.0);
    ew_exec_result_cleanup(&r);
    n = read_pids("straggler", pids, 8);
    CU_ASSERT_EQUAL(n, 1);
    for (i = 0; i < n; i++)
        CU_ASSERT(process_gone(pids[i]));
    kill_pids(pids, n);
}

/* A command that exits 0 after its timeout trapped SIGTERM still failed. */
static void test_timeout_trapped_exit_zero(void)
{
    ew_exec_result r;

    CU_ASSERT_EQUAL(ew_exec_run("trap 'exit 0' TERM; sleep 5 & wait", 200, &r), -1);
    CU_ASSERT_EQUAL(r.timed_out, 1);
    CU_ASSERT_EQUAL(r.exit_code, 0);
    CU_ASSERT_EQUAL(r.status, -1);
    CU_ASSERT(r.seconds < 4.0);
    ew_exec_result_cleanup(&r);
}

static void test_closes_stdout_early(void)
{
    ew_exec_result r;
    char cmd[256];
    char pidfile[128];
    pid_t pids[4];
    size_t n;

    /* EOF on the pipe is not the end: the exit status still counts. */
    CU_ASSERT_EQUAL(ew_exec_run("echo bye; exec >&- 2>&-; sleep 0.3; exit 4", 5000, &r),
                    -1);
    CU_ASSERT_EQUAL(r.exit_code, 4);
    CU_ASSERT(r.seconds >= 0.3);
    CU_ASSERT_STRING_EQUAL(r.output, "bye\n");
    ew_exec_result_cleanup(&r);

    /* A background process that keeps the pipe open does not hold the caller up (a
     * reload command that starts a daemon), and is left running. */
    tmp_path(pidfile, sizeof pidfile, "daemon");
    snprintf(cmd, sizeof cmd, "sleep 30 & echo $! > %s; echo started", pidfile);
    CU_ASSERT_EQUAL(ew_exec_run(cmd, 5000, &r), 0);
    CU_ASSERT(r.seconds < 1.0);
    CU_ASSERT_STRING_EQUAL(r.output, "started\n");
    ew_exec_result_cleanup(&r);
    n = read_pids("daemon", pids, 4);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT(process_alive(pids[0]));
    kill_pids(pids, n);
}

static void test_sigpipe_and_mask(void)
{
    struct sigaction ign, old_pipe;
    sigset_t block, old_mask;
    ew_exec_result r;

    /* A daemon ignores SIGPIPE; its commands must not: with SIGPIPE ignored, `yes`
     * would get EPIPE and complain instead of dying quietly. */
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old_pipe);
    CU_ASSERT_EQUAL(ew_exec_run("yes | head -n 1", 5000, &r), 0);
    CU_ASSERT_STRING_EQUAL(r.output, "y\n");
    ew_exec_result_cleanup(&r);
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old_mask);
    /* Nothing ignored, nothing blocked in the command. */
    CU_ASSERT_EQUAL(
        ew_exec_run("exec grep -E '^Sig(Ign|Blk)' /proc/self/status", 5000, &r), 0);
    CU_ASSERT_STRING_EQUAL(r.output, "SigBlk:\t0000000000000000\n"
                                     "SigIgn:\t0000000000000000\n");
    ew_exec_result_cleanup(&r);
    sigaction(SIGPIPE, &old_pipe, NULL);

    /* So the timeout's SIGTERM works although the caller blocks it. */
    CU_ASSERT_EQUAL(ew_exec_run("sleep 10", 200, &r), -1);
    CU_ASSERT_EQUAL(r.signal, SIGTERM);
    CU_ASSERT(r.seconds < 1.5);
    ew_exec_result_cleanup(&r);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
}

/* With SIGCHLD ignored the kernel reaps the command: no status to report, and no
 * success claimed. */
static void test_sigchld_ignored(void)
{
    struct sigaction ign, old;
    ew_exec_result r;

    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGCHLD, &ign, &old);
    CU_ASSERT_EQUAL(ew_exec_run("echo hi", 5000, &r), -1);
    CU_ASSERT_EQUAL(r.exit_code, -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.output, "hi\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.output, "exit status unknown"));
    ew_exec_result_cleanup(&r);
    sigaction(SIGCHLD, &old, NULL);
}

static void test_no_fd_leak(void)
{
    ew_exec_result r;
    char cmd[128];
    int fd = open("/dev/null", O_RDONLY); /* deliberately not close-on-exec */

    CU_ASSERT_FATAL(fd >= 0);
    snprintf(cmd, sizeof cmd, "[ -e /proc/$$/fd/%d ] && echo leaked || echo clean", fd);
    CU_ASSERT_EQUAL(ew_exec_run(cmd, 5000, &r), 0);
    CU_ASSERT_STRING_EQUAL(r.output, "clean\n");
    ew_exec_result_cleanup(&r);
    /* Only 0, 1, 2 (and the directory ls reads) are open in the command. */
    CU_ASSERT_EQUAL(ew_exec_run("ls /proc/self/fd | wc -l", 5000, &r), 0);
    CU_ASSERT_STRING_EQUAL(r.output, "4\n");
    ew_exec_result_cleanup(&r);
    close(fd);
}

static void test_expand(void)
{
    struct {
        const char *tmpl, *want;
    } cases[] = {
        {"/usr/sbin/nginx -t -c {{.src}}", "/usr/sbin/nginx -t -c /tmp/.nginx.conf123"},
        {"/usr/sbin/nginx -t -c {{ .src }}", "/usr/sbin/nginx -t -c /tmp/.nginx.conf123"},
        {"cp {{.src}} {{.dest}}.bak", "cp /tmp/.nginx.conf123 /etc/nginx.conf.bak"},
        {"{{.dest}}{{.dest}}", "/etc/nginx.conf/etc/nginx.conf"},
        {"{{\t.dest\t}}", "/etc/nginx.conf"},
        {"no fields", "no fields"},
        {"", ""},
        {"{{.other}} {{.src", "{{.other}} {{.src"},
        {"{{.srcx}} {{ .dest}", "{{.srcx}} {{ .dest}"},
        {"{{{.src}}}", "{/tmp/.nginx.conf123}"},
        {"{{", "{{"},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got =
            ew_exec_expand(cases[i].tmpl, "/tmp/.nginx.conf123", "/etc/nginx.conf");
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        if (strcmp(got, cases[i].want) != 0)
            fprintf(stderr, "\n  expand(%s) = %s\n", cases[i].tmpl, got);
        CU_ASSERT_STRING_EQUAL(got, cases[i].want);
        free(got);
    }
}

/* ---------------------------------------------------------------------------------- */
/* Signals by pidfile                                                                  */

static volatile sig_atomic_t hups;
static int hup_pipe[2] = {-1, -1};

static void on_hup(int sig)
{
    char c = 'H';
    (void)sig;
    hups++;
    if (write(hup_pipe[1], &c, 1) < 0)
        _exit(3);
}

/* A child that answers each SIGHUP with a byte on hup_pipe and dies at SIGTERM. */
static pid_t start_reloadable(void)
{
    int ready[2];
    pid_t pid;
    char c;

    if (pipe(ready) < 0 || pipe(hup_pipe) < 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_hup;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGHUP, &sa, NULL);
        close(ready[0]);
        if (write(ready[1], "r", 1) < 0)
            _exit(2);
        for (;;)
            pause();
    }
    close(ready[1]);
    close(hup_pipe[1]);
    if (pid < 0 || read(ready[0], &c, 1) != 1) {
        close(ready[0]);
        return -1;
    }
    close(ready[0]);
    return pid;
}

static void write_pidfile(const char *path, const char *text)
{
    CU_ASSERT_FATAL(tu_write_file(path, text, strlen(text)) == 0);
}

static void test_signal_pidfile(void)
{
    char path[128];
    char text[64];
    char *err = NULL;
    pid_t pid = start_reloadable();
    int status;
    char c;

    CU_ASSERT_FATAL(pid > 0);
    tmp_path(path, sizeof path, "service.pid");
    snprintf(text, sizeof text, "%d\n", (int)pid);
    write_pidfile(path, text);
    CU_ASSERT_EQUAL(ew_exec_signal_pidfile(path, SIGHUP, &err), 0);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_EQUAL(read(hup_pipe[0], &c, 1), 1);
    CU_ASSERT_EQUAL(c, 'H');
    CU_ASSERT(process_alive(pid));

    /* Spaces around the pid and more lines after it are fine. */
    snprintf(text, sizeof text, "  %d  \nsomething else\n", (int)pid);
    write_pidfile(path, text);
    CU_ASSERT_EQUAL(ew_exec_signal_pidfile(path, SIGHUP, &err), 0);
    CU_ASSERT_EQUAL(read(hup_pipe[0], &c, 1), 1);

    CU_ASSERT_EQUAL(ew_exec_signal_pidfile(path, SIGTERM, &err), 0);
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    close(hup_pipe[0]);

    /* The process is gone now. */
    snprintf(text, sizeof text, "%d\n", (int)pid);
    write_pidfile(path, text);
    CU_ASSERT_EQUAL(ew_exec_signal_pidfile(path, SIGHUP, &err), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    snprintf(text, sizeof text, "pid %d: no such process", (int)pid);
    CU_ASSERT_STRING_EQUAL(err, text);
    free(err);
}

static void test_signal_pidfile_errors(void)
{
    const char *garbage[] = {"",
                             "\n",
                             "abc\n",
                             "12abc\n",
                             "0\n",
                             "-1\n",
                             "+5\n",
                             "99999999999999999999\n",
                             "4294967296\n",
                             " \n123\n",
                             "1 2\n"};
    char path[128];
    char want[256];
    char *err = NULL;
    size_t i;

    tmp_path(path, sizeof path, "missing.pid");
    CU_ASSERT_EQUAL(ew_exec_signal_pidfile(path, SIGHUP, &err), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    snprintf(want, sizeof want, "pidfile %s: no such file", path);
    CU_ASSERT_STRING_EQUAL(err, want);
    free(err);

    tmp_path(path, sizeof path, "garbage.pid");
    snprintf(want, sizeof want, "pidfile %s: no pid in it", path);
    for (i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        err = NULL;
        write_pidfile(path, garbage[i]);
        CU_ASSERT_EQUAL(ew_exec_signal_pidfile(path, SIGHUP, &err), -1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        if (strcmp(err, want) != 0)
            fprintf(stderr, "\n  pidfile \"%s\": %s\n", garbage[i], err);
        CU_ASSERT_STRING_EQUAL(err, want);
        free(err);
    }

    /* A directory is not a pidfile. */
    err = NULL;
    CU_ASSERT_EQUAL(ew_exec_signal_pidfile(tmpdir, SIGHUP, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(err);
    free(err);
}

static void test_signal_names(void)
{
    CU_ASSERT_EQUAL(ew_exec_signal_number("HUP"), SIGHUP);
    CU_ASSERT_EQUAL(ew_exec_signal_number("SIGHUP"), SIGHUP);
    CU_ASSERT_EQUAL(ew_exec_signal_number("sighup"), SIGHUP);
    CU_ASSERT_EQUAL(ew_exec_signal_number("usr1"), SIGUSR1);
    CU_ASSERT_EQUAL(ew_exec_signal_number("SIGUSR2"), SIGUSR2);
    CU_ASSERT_EQUAL(ew_exec_signal_number("TERM"), SIGTERM);
    CU_ASSERT_EQUAL(ew_exec_signal_number("QUIT"), SIGQUIT);
    CU_ASSERT_EQUAL(ew_exec_signal_number("WINCH"), SIGWINCH);
    CU_ASSERT_EQUAL(ew_exec_signal_number("15"), 15);
    CU_ASSERT_EQUAL(ew_exec_signal_number("1"), 1);
    CU_ASSERT_EQUAL(ew_exec_signal_number("0"), -1);
    CU_ASSERT_EQUAL(ew_exec_signal_number("999"), -1);
    CU_ASSERT_EQUAL(ew_exec_signal_number("15x"), -1);
    CU_ASSERT_EQUAL(ew_exec_signal_number("-1"), -1);
    CU_ASSERT_EQUAL(ew_exec_signal_number(""), -1);
    CU_ASSERT_EQUAL(ew_exec_signal_number("SIG"), -1);
    CU_ASSERT_EQUAL(ew_exec_signal_number("RELOAD"), -1);
    CU_ASSERT_EQUAL(ew_exec_signal_number(" HUP"), -1);
    CU_ASSERT_EQUAL(ew_exec_signal_number(NULL), -1);
}

/* ---------------------------------------------------------------------------------- */
/* Commands on a loop                                                                  */

/* What a command's callback saw, and when (its rank among the events of a test). */
typedef struct done_rec {
    int done;
    int rank;
    ew_exec_result res;
    ew_exec *cancel; /* a command to cancel from this callback */
} done_rec;

static int event_rank;

static void on_done(ew_exec_result *res, void *data)
{
    done_rec *d = data;

    d->done++;
    d->rank = ++event_rank;
    d->res = *res;
    res->output = NULL; /* kept */
    if (d->cancel)
        ew_exec_cancel(d->cancel);
}

static void done_cleanup(done_rec *d)
{
    ew_exec_result_cleanup(&d->res);
}

/* Run the loop until *flag is set; gives up after about max_ms (a bound against a
 * hang, not a measure). Returns whether it was set. */
static int run_until(ew_loop *loop, const int *flag, long max_ms)
{
    uint64_t end = ew_now_ms() + (uint64_t)max_ms;

    while (!*flag && ew_now_ms() < end)
        ew_loop_run_once(loop, 50);
    return *flag;
}

static ew_exec *start(ew_loop *loop, const char *cmd, long timeout_ms, done_rec *d)
{
    char *why = NULL;
    ew_exec *x;

    memset(d, 0, sizeof(*d));
    x = ew_exec_start(loop, cmd, timeout_ms, on_done, d, &why);
    CU_ASSERT_PTR_NULL(why);
    free(why);
    return x;
}

/* A command that waits (at most 20 s) for file `name` of the temp dir, then prints
 * `word`. */
static void wait_for_file_cmd(char *cmd, size_t size, const char *name, const char *word)
{
    char path[128];

    tmp_path(path, sizeof path, name);
    unlink(path);
    snprintf(cmd, size,
             "i=0; while [ ! -e %s ] && [ $i -lt 2000 ]; do sleep 0.01; i=$((i+1)); "
             "done; echo %s",
             path, word);
}

static void create_file(const char *name)
{
    char path[128];

    tmp_path(path, sizeof path, name);
    CU_ASSERT_EQUAL(tu_write_file(path, "", 0), 0);
}

static void test_async_two_at_once(void)
{
    ew_loop loop;
    done_rec slow, fast;
    char cmd[512];

    ew_loop_init(&loop);
    wait_for_file_cmd(cmd, sizeof cmd, "release-two", "slow");
    CU_ASSERT_PTR_NOT_NULL_FATAL(start(&loop, cmd, 30000, &slow));
    CU_ASSERT_PTR_NOT_NULL_FATAL(start(&loop, "echo fast; exit 2", 30000, &fast));
    /* The fast one ends while the slow one still runs. */
    CU_ASSERT_FATAL(run_until(&loop, &fast.done, 20000));
    CU_ASSERT_EQUAL(slow.done, 0);
    CU_ASSERT_EQUAL(fast.done, 1);
    CU_ASSERT_EQUAL(fast.res.exit_code, 2);
    CU_ASSERT_EQUAL(fast.res.status, -1);
    CU_ASSERT_STRING_EQUAL(fast.res.output, "fast\n");
    create_file("release-two");
    CU_ASSERT_FATAL(run_until(&loop, &slow.done, 20000));
    CU_ASSERT_EQUAL(slow.done, 1);
    CU_ASSERT_EQUAL(slow.res.status, 0);
    CU_ASSERT_EQUAL(slow.res.cancelled, 0);
    CU_ASSERT_STRING_EQUAL(slow.res.output, "slow\n");
    CU_ASSERT(fast.rank < slow.rank);
    /* Nothing of them is left on the loop. */
    CU_ASSERT_EQUAL(loop.nfds, 0);
    CU_ASSERT_PTR_NULL(loop.timers);
    done_cleanup(&slow);
    done_cleanup(&fast);
    ew_loop_cleanup(&loop);
}

typedef struct tick {
    int fired;
    int rank;
} tick;

static void on_tick(void *arg)
{
    tick *t = arg;

    t->fired = 1;
    t->rank = ++event_rank;
    create_file("release-tick");
}

/* The loop goes on while a command runs: a timer fires (and releases it). */
static void test_async_loop_runs(void)
{
    ew_loop loop;
    ew_timer timer = {0};
    tick t = {0, 0};
    done_rec d;
    char cmd[512];

    ew_loop_init(&loop);
    wait_for_file_cmd(cmd, sizeof cmd, "release-tick", "released");
    CU_ASSERT_PTR_NOT_NULL_FATAL(start(&loop, cmd, 30000, &d));
    timer.fire = on_tick;
    timer.arg = &t;
    ew_timer_start(&loop, &timer, 20);
    CU_ASSERT_FATAL(run_until(&loop, &d.done, 20000));
    CU_ASSERT_EQUAL(t.fired, 1);
    CU_ASSERT(t.rank < d.rank);
    CU_ASSERT_EQUAL(d.res.status, 0);
    CU_ASSERT_STRING_EQUAL(d.res.output, "released\n");
    done_cleanup(&d);
    ew_loop_cleanup(&loop);
}

static void test_async_timeout(void)
{
    ew_loop loop;
    done_rec d, other;
    char cmd[512];
    char pidfile[128];
    pid_t pids[8];
    size_t n, i;

    ew_loop_init(&loop);
    tmp_path(pidfile, sizeof pidfile, "async-children");
    snprintf(cmd, sizeof cmd,
             "sleep 100 & echo $! > %s; (trap '' TERM; sleep 100) & echo $! >> %s; "
             "echo started; wait",
             pidfile, pidfile);
    CU_ASSERT_PTR_NOT_NULL_FATAL(start(&loop, cmd, 200, &d));
    CU_ASSERT_PTR_NOT_NULL_FATAL(start(&loop, "sleep 0.05; echo other", 30000, &other));
    CU_ASSERT_FATAL(run_until(&loop, &d.done, 20000));
    /* The command without a timeout beside it was not disturbed. */
    CU_ASSERT_FATAL(run_until(&loop, &other.done, 20000));
    CU_ASSERT_EQUAL(other.res.status, 0);
    CU_ASSERT_EQUAL(d.res.timed_out, 1);
    CU_ASSERT_EQUAL(d.res.status, -1);
    CU_ASSERT_EQUAL(d.res.signal, SIGTERM);
    CU_ASSERT_EQUAL(d.res.cancelled, 0);
    CU_ASSERT_STRING_EQUAL(d.res.output, "started\n");
    /* The child that ignored SIGTERM got SIGKILL after the grace: none is left. */
    n = read_pids("async-children", pids, 8);
    CU_ASSERT_EQUAL(n, 2);
    for (i = 0; i < n; i++)
        CU_ASSERT(process_gone(pids[i]));
    kill_pids(pids, n);
    done_cleanup(&d);
    done_cleanup(&other);
    ew_loop_cleanup(&loop);
}

static void test_async_output_cap(void)
{
    ew_loop loop;
    done_rec d;

    ew_loop_init(&loop);
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        start(&loop, "head -c 1000000 /dev/zero | tr '\\000' c; echo end >&2; exit 5",
              30000, &d));
    CU_ASSERT_FATAL(run_until(&loop, &d.done, 20000));
    CU_ASSERT_EQUAL(d.res.exit_code, 5);
    CU_ASSERT_EQUAL(strlen(d.res.output), 65536 + 5);
    CU_ASSERT(d.res.output[0] == 'c' && d.res.output[65535] == 'c');
    CU_ASSERT_STRING_EQUAL(d.res.output + 65536, "[...]");
    done_cleanup(&d);
    ew_loop_cleanup(&loop);
}

/* Cancel: the whole group is killed, the callback comes at once with what was written. */
static void test_async_cancel(void)
{
    ew_loop loop;
    done_rec d;
    char cmd[1024];
    char pidfile[128];
    pid_t pids[8];
    size_t n = 0, i;
    int tries;
    ew_exec *x;

    ew_loop_init(&loop);
    tmp_path(pidfile, sizeof pidfile, "cancelled");
    unlink(pidfile);
    snprintf(
        cmd, sizeof cmd,
        "trap '' TERM; echo started; sleep 100 & echo $! > %s.tmp; echo $$ >> %s.tmp; "
        "mv %s.tmp %s; wait",
        pidfile, pidfile, pidfile, pidfile);
    x = start(&loop, cmd, 0, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    for (tries = 0; tries < 400 && n < 2; tries++) {
        ew_loop_run_once(&loop, 50);
        n = read_pids("cancelled", pids, 8);
    }
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(d.done, 0);
    ew_exec_cancel(x);
    CU_ASSERT_EQUAL(d.done, 1);
    CU_ASSERT_EQUAL(d.res.cancelled, 1);
    CU_ASSERT_EQUAL(d.res.status, -1);
    CU_ASSERT_EQUAL(d.res.signal, SIGKILL);
    CU_ASSERT_EQUAL(d.res.timed_out, 0);
    CU_ASSERT_STRING_EQUAL(d.res.output, "started\n");
    for (i = 0; i < n; i++)
        CU_ASSERT(process_gone(pids[i]));
    kill_pids(pids, n);
    CU_ASSERT_EQUAL(loop.nfds, 0);
    CU_ASSERT_PTR_NULL(loop.timers);
    done_cleanup(&d);
    ew_loop_cleanup(&loop);
}

/* A callback may cancel another command (it is called, inside, with cancelled set). */
static void test_async_cancel_from_callback(void)
{
    ew_loop loop;
    done_rec slow, fast;
    char cmd[512];
    ew_exec *x;

    ew_loop_init(&loop);
    wait_for_file_cmd(cmd, sizeof cmd, "never", "never");
    x = start(&loop, cmd, 30000, &slow);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(start(&loop, "echo fast", 30000, &fast));
    fast.cancel = x;
    CU_ASSERT_FATAL(run_until(&loop, &fast.done, 20000));
    CU_ASSERT_EQUAL(slow.done, 1);
    CU_ASSERT_EQUAL(slow.res.cancelled, 1);
    CU_ASSERT(fast.rank < slow.rank);
    CU_ASSERT_EQUAL(fast.res.status, 0);
    CU_ASSERT_EQUAL(loop.nfds, 0);
    done_cleanup(&slow);
    done_cleanup(&fast);
    ew_loop_cleanup(&loop);
}

/* A command that cannot start: NULL with the reason, and no callback. */
static void test_async_start_failure(void)
{
    ew_loop loop;
    done_rec d;
    char *why = NULL;
    size_t n = 200 * 1024;
    char *big;

    if (under_valgrind()) /* valgrind kills a child whose execve() fails */
        return;
    big = malloc(n + 1);
    CU_ASSERT_FATAL(big != NULL);
    memset(big, '#', n);
    big[n] = '\0';
    memset(&d, 0, sizeof d);
    ew_loop_init(&loop);
    CU_ASSERT_PTR_NULL(ew_exec_start(&loop, big, 5000, on_done, &d, &why));
    CU_ASSERT_PTR_NOT_NULL_FATAL(why);
    CU_ASSERT_STRING_EQUAL(why, "could not start: /bin/sh: Argument list too long");
    ew_loop_run_once(&loop, 0);
    CU_ASSERT_EQUAL(d.done, 0);
    CU_ASSERT_EQUAL(loop.nfds, 0);
    free(why);
    free(big);
    ew_loop_cleanup(&loop);
}

/* Where there is no pidfd, a timer re-checks: the exit is still noticed, also while a
 * background process holds the output pipe. (The loop's first table of 16 is filled
 * with idle pipes, and the allocation that would make room for the pidfd fails.) */
static void test_async_no_pidfd(void)
{
    ew_loop loop;
    done_rec d;
    int idle[15][2];
    char cmd[256];
    char pidfile[128];
    pid_t pids[4];
    size_t i;
    ew_exec *x;

    ew_loop_init(&loop);
    for (i = 0; i < 15; i++) {
        CU_ASSERT_FATAL(pipe(idle[i]) == 0);
        CU_ASSERT_FATAL(ew_loop_watch(&loop, idle[i][1], EW_IN, NULL, NULL) == 0);
    }
    tmp_path(pidfile, sizeof pidfile, "holder");
    snprintf(cmd, sizeof cmd, "sleep 30 & echo $! > %s; echo bye; exit 4", pidfile);
    memset(&d, 0, sizeof d);
    tu_fail_alloc(3); /* the ew_exec, its output buffer, then room for the pidfd */
    {
        char *why = NULL;
        x = ew_exec_start(&loop, cmd, 30000, on_done, &d, &why);
        free(why);
    }
    tu_fail_alloc(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_EQUAL(loop.nfds, 16); /* the output pipe, no pidfd */
    CU_ASSERT_FATAL(run_until(&loop, &d.done, 20000));
    CU_ASSERT_EQUAL(d.res.exit_code, 4);
    CU_ASSERT_STRING_EQUAL(d.res.output, "bye\n");
    CU_ASSERT_EQUAL(loop.nfds, 15);
    CU_ASSERT_PTR_NULL(loop.timers);
    CU_ASSERT_EQUAL(read_pids("holder", pids, 4), 1);
    CU_ASSERT(process_alive(pids[0]));
    kill_pids(pids, 1);
    for (i = 0; i < 15; i++) {
        close(idle[i][0]);
        close(idle[i][1]);
    }
    done_cleanup(&d);
    ew_loop_cleanup(&loop);
}

int add_exec_suite(void)
{
    CU_pSuite s = CU_add_suite("exec", suite_init, suite_cleanup);

    if (!s)
        return CU_get_error();
    if (!CU_add_test(s, "exit codes and signals", test_exit_codes) ||
        !CU_add_test(s, "output capture and truncation", test_output) ||
        !CU_add_test(s, "a process group of its own", test_own_process_group) ||
        !CU_add_test(s, "timeout kills the whole group", test_timeout_kills_group) ||
        !CU_add_test(s, "SIGKILL 2 s after an ignored SIGTERM", test_timeout_sigkill) ||
        !CU_add_test(s, "a timed-out command fails even if it exits 0",
                     test_timeout_trapped_exit_zero) ||
        !CU_add_test(s, "closing stdout early; background holders",
                     test_closes_stdout_early) ||
        !CU_add_test(s, "SIGPIPE and blocked signals reset", test_sigpipe_and_mask) ||
        !CU_add_test(s, "SIGCHLD ignored by the caller", test_sigchld_ignored) ||
        !CU_add_test(s, "no descriptor leaks into commands", test_no_fd_leak) ||
        !CU_add_test(s, "{{.src}} and {{.dest}}", test_expand) ||
        !CU_add_test(s, "signal by pidfile", test_signal_pidfile) ||
        !CU_add_test(s, "pidfile errors", test_signal_pidfile_errors) ||
        !CU_add_test(s, "signal names", test_signal_names) ||
        !CU_add_test(s, "loop: two commands at once", test_async_two_at_once) ||
        !CU_add_test(s, "loop: timers fire while a command runs", test_async_loop_runs) ||
        !CU_add_test(s, "loop: timeout kills the group", test_async_timeout) ||
        !CU_add_test(s, "loop: output cut at 64 KiB", test_async_output_cap) ||
        !CU_add_test(s, "loop: cancel kills the group", test_async_cancel) ||
        !CU_add_test(s, "loop: cancel from another's callback",
                     test_async_cancel_from_callback) ||
        !CU_add_test(s, "loop: a command that cannot start", test_async_start_failure) ||
        !CU_add_test(s, "loop: without a pidfd", test_async_no_pidfd))
        return CU_get_error();
    return CUE_SUCCESS;
}
