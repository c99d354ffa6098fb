/*
 * log.h: the watcher's log, one line per event, to stderr or syslog; and systemd's
 * readiness protocol.
 */
#ifndef EW_LOG_H
#define EW_LOG_H

typedef enum ew_log_level {
    EW_LOG_DEBUG,
    EW_LOG_INFO,
    EW_LOG_WARN,
    EW_LOG_ERROR
} ew_log_level;

/* Log at `level` and above, to syslog (daemon facility) or stderr. */
void ew_log_setup(ew_log_level level, int to_syslog);

/* "debug", "info", "warn"/"warning", "error" (any case). Returns 0, or -1. */
int ew_log_level_parse(const char *name, ew_log_level *out);

/* One line: "LEVEL resource: message" (resource may be NULL). */
void ew_log(ew_log_level level, const char *resource, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Tell systemd (NOTIFY_SOCKET) a state line such as "READY=1" or "STATUS=...". Does
 * nothing when the variable is not set. */
void ew_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* EW_LOG_H */
