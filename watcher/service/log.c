/*
 * log.c: the watcher's log and systemd notifications.
 */
#define _POSIX_C_SOURCE 200809L

#include "log.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

static ew_log_level min_level = EW_LOG_INFO;
static int use_syslog;

static const char *const level_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void ew_log_setup(ew_log_level level, int to_syslog)
{
    min_level = level;
    if (to_syslog && !use_syslog)
        openlog("etcdwatch", LOG_PID, LOG_DAEMON);
    else if (!to_syslog && use_syslog)
        closelog();
    use_syslog = to_syslog;
}

int ew_log_level_parse(const char *name, ew_log_level *out)
{
    if (strcasecmp(name, "debug") == 0)
        *out = EW_LOG_DEBUG;
    else if (strcasecmp(name, "info") == 0)
        *out = EW_LOG_INFO;
    else if (strcasecmp(name, "warn") == 0 || strcasecmp(name, "warning") == 0)
        *out = EW_LOG_WARN;
    else if (strcasecmp(name, "error") == 0)
        *out = EW_LOG_ERROR;
    else
        return -1;
    return 0;
}

void ew_log(ew_log_level level, const char *resource, const char *fmt, ...)
{
    static const int priorities[] = {LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR};
    char msg[2048];
    va_list ap;

    if (level < min_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (use_syslog) {
        if (resource)
            syslog(priorities[level], "%s %s: %s", level_names[level], resource, msg);
        else
            syslog(priorities[level], "%s %s", level_names[level], msg);
        return;
    }
    if (resource)
        fprintf(stderr, "%s %s: %s\n", level_names[level], resource, msg);
    else
        fprintf(stderr, "%s %s\n", level_names[level], msg);
}

void ew_notify(const char *fmt, ...)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un addr;
    char msg[512];
    size_t len;
    va_list ap;
    int fd;

    if (!path || (path[0] != '/' && path[0] != '@'))
        return;
    len = strlen(path);
    if (len >= sizeof(addr.sun_path))
        return;
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path, len);
    if (path[0] == '@')
        addr.sun_path[0] = '\0'; /* an abstract socket */
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&addr,
           (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
    close(fd);
}
