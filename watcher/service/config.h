/*
 * config.h: the watcher's main configuration (INI, read with inih).
 *
 *   [etcd]    endpoints cacert cert key user password_file timeout api
 *   [watcher] confdir mode interval prefix noop sync_only keep_stage_file log_level
 *             log_target debounce_ms check_timeout reload_timeout
 *
 * Command-line flags set the same fields through ew_config_set() after the file is
 * read, so they win. Unknown sections and keys are errors naming file:line.
 */
#ifndef EW_CONFIG_H
#define EW_CONFIG_H

#include "log.h"
#include "problems.h"

#define EW_DEFAULT_CONFIG "/etc/etcdwatch/etcdwatch.conf"
#define EW_DEFAULT_CONFDIR "/etc/etcdwatch"
#define EW_DEFAULT_ENDPOINTS "http://127.0.0.1:2379"

typedef enum ew_mode { EW_MODE_WATCH, EW_MODE_INTERVAL, EW_MODE_ONETIME } ew_mode;

typedef struct ew_config {
    /* [etcd] */
    char *endpoints;
    char *cacert;
    char *cert;
    char *key;
    char *user;
    char *password_file;
    char *password; /* read from password_file, or the environment by the caller */
    long timeout_ms;
    char *api; /* "auto" (the default: see probe.c), "v2", "v3" */

    /* [watcher] */
    char *confdir;
    ew_mode mode;
    long interval_s;
    char *prefix;
    int noop;
    int sync_only;
    int keep_stage_file;
    ew_log_level log_level;
    int log_syslog;
    long debounce_ms;
    long check_timeout_ms;
    long reload_timeout_ms;
} ew_config;

/* Defaults. Returns 0, or -1 when out of memory. */
int ew_config_init(ew_config *cfg);

/* Set section.key from text, as in the file. Returns 0, or -1 with *why (static text)
 * saying what is wrong with the value or that the key is unknown. */
int ew_config_set(ew_config *cfg, const char *section, const char *key, const char *value,
                  const char **why);

/* Read `path` into cfg, adding every problem (file:line: ...) to `problems`. A missing
 * file is a problem unless `optional`. Returns the number of problems added. */
size_t ew_config_load(ew_config *cfg, const char *path, int optional,
                      ew_problems *problems);

/* Read the password from cfg->password_file (first line), refusing a file that others
 * can read. Returns 0, or -1 with a problem added. */
int ew_config_read_password(ew_config *cfg, ew_problems *problems);

void ew_config_cleanup(ew_config *cfg);

#endif /* EW_CONFIG_H */
