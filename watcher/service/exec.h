/*
 * exec.h: running check and reload commands, and signalling a process by pidfile.
 */
#ifndef EW_EXEC_H
#define EW_EXEC_H

#include <stddef.h>

#include "loop.h"

typedef struct ew_exec_result {
    int status;     /* 0: the command ran and exited 0 */
    int exit_code;  /* exit status, or -1 when killed or not started */
    int signal;     /* the signal that ended it, or 0 */
    int timed_out;  /* killed (with its whole process group) after the timeout */
    char *output;   /* new: stdout and stderr together, NUL-terminated: the first
                       64 KiB, then "[...]" when more was cut; never NULL after a run
                       (unless out of memory) */
    double seconds; /* how long it ran */
    int cancelled;  /* ended by ew_exec_cancel() (then killed with SIGKILL) */
} ew_exec_result;

/* A command running on an ew_loop. */
typedef struct ew_exec ew_exec;

/* Called once when the command has ended. res is borrowed for the call; the callback
 * may keep res->output (new) by setting it to NULL. */
typedef void (*ew_exec_cb)(ew_exec_result *res, void *data);

/* Start `command` with /bin/sh -c in a new process group, stdin from /dev/null, stdout
 * and stderr captured, and follow it on `loop`: its output pipe and a pidfd (where the
 * kernel has none, a re-check every few milliseconds), the timeout and the kill grace
 * as timers. After timeout_ms (0: no limit) SIGTERM goes to the group, then SIGKILL 2 s
 * later; a group whose shell died at SIGTERM gets what is left of those 2 s, then
 * SIGKILL. Signals the caller blocks or ignores are restored to default in the child;
 * no descriptor of the caller leaks into it (O_CLOEXEC or close). Background processes
 * a command leaves behind are not waited for when it exits by itself. The caller must
 * not ignore SIGCHLD nor reap children it did not start (waitpid(-1)): the status would
 * be lost (then -1, with a note in the output).
 *
 * Returns the running command (the loop's until `cb` returns: do not touch it after),
 * and cb is called exactly once, from the loop or from ew_exec_cancel(), with status 0
 * when the command exited 0 before its timeout. Returns NULL when it did not start:
 * cb is never called, and *why (new) says why ("could not start: fork: ...", "could
 * not start: /bin/sh: ..."), or is NULL when out of memory. */
ew_exec *ew_exec_start(ew_loop *loop, const char *command, long timeout_ms, ew_exec_cb cb,
                       void *data, char **why);

/* Kill x's process group (SIGKILL), reap the shell and call x's callback at once, with
 * res->cancelled set and what the command wrote so far. */
void ew_exec_cancel(ew_exec *x);

/* ew_exec_start() on a loop of its own, waited for: res as the callback's (free it with
 * ew_exec_result_cleanup()), or, when the command did not start, exit_code -1 and
 * res->output "could not start: <reason>" (NULL when out of memory). Returns 0 when the
 * command exited 0 before its timeout, -1 otherwise. */
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
