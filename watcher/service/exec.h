/*
 * exec.h: running check and reload commands, and signalling a process by pidfile.
 */
#ifndef EW_EXEC_H
#define EW_EXEC_H

#include <stddef.h>

typedef struct ew_exec_result {
    int status;     /* 0: the command ran and exited 0 */
    int exit_code;  /* exit status, or -1 when killed or not started */
    int signal;     /* the signal that ended it, or 0 */
    int timed_out;  /* killed (with its whole process group) after the timeout */
    char *output;   /* new: stdout and stderr together, NUL-terminated: the first
                       64 KiB, then "[...]" when more was cut; never NULL after a run
                       (unless out of memory) */
    double seconds; /* how long it ran */
} ew_exec_result;

/* Run `command` with /bin/sh -c in a new process group, stdin from /dev/null, stdout and
 * stderr captured. After timeout_ms (0: no limit) send SIGTERM to the group, then
 * SIGKILL 2 s later, and reap it. Signals the caller blocks or ignores are restored to
 * default in the child; no descriptor of the caller leaks into it (O_CLOEXEC or close).
 * Returns 0 when the command exited 0 before its timeout, -1 otherwise (res says why;
 * res->output holds "could not start: <reason>" when it did not start). Background
 * processes a command leaves behind are not waited for when it exits by itself. The
 * caller must not ignore SIGCHLD nor reap children it did not start (waitpid(-1)):
 * the status would be lost (then -1, with a note in res->output). Free res with
 * ew_exec_result_cleanup(). */
int ew_exec_run(const char *command, long timeout_ms, ew_exec_result *res);

void ew_exec_result_cleanup(ew_exec_result *res);

/* Replace every "{{.src}}" with src and "{{.dest}}" with dest in `tmpl` (confd's
 * command templates; spaces inside the braces allowed: "{{ .src }}"). The values are
 * inserted as they are, like confd does. Returns a new string or NULL when out of
 * memory. */
char *ew_exec_expand(const char *tmpl, const char *src, const char *dest);

/* Send `sig` to the process whose pid is the first line of `pidfile`. Returns 0, or -1
 * with *err a new message ("pidfile /run/nginx.pid: no such file", "pid 123: no such
 * process", "pidfile ...: no pid in it"). */
int ew_exec_signal_pidfile(const char *pidfile, int sig, char **err);

/* A signal number from its name ("HUP", "SIGHUP", "usr1", "15"), or -1. */
int ew_exec_signal_number(const char *name);

#endif /* EW_EXEC_H */
