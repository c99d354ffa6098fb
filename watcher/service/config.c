/*
 * config.c: the main configuration file, table-driven: each key names its section,
 * its type and where it goes in ew_config.
 */
#define _POSIX_C_SOURCE 200809L

#include "config.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef enum field_type {
    F_STRING,  /* char * */
    F_SECONDS, /* long milliseconds, written in seconds (fractions allowed) */
    F_COUNT,   /* long, a whole number >= 0 */
    F_BOOL,    /* int */
    F_MODE,    /* ew_mode */
    F_LEVEL,   /* ew_log_level */
    F_TARGET,  /* int log_syslog: "stderr" or "syslog" */
    F_API      /* char *: "auto", "v2" or "v3" */
} field_type;

typedef struct field {
    const char *section;
    const char *key;
    field_type type;
    size_t offset;
} field;

#define FIELD(section, key, type, member)                                                \
    {                                                                                    \
        section, key, type, offsetof(ew_config, member)                                  \
    }

static const field fields[] = {
    FIELD("etcd", "endpoints", F_STRING, endpoints),
    FIELD("etcd", "cacert", F_STRING, cacert),
    FIELD("etcd", "cert", F_STRING, cert),
    FIELD("etcd", "key", F_STRING, key),
    FIELD("etcd", "user", F_STRING, user),
    FIELD("etcd", "password_file", F_STRING, password_file),
    FIELD("etcd", "timeout", F_SECONDS, timeout_ms),
    FIELD("etcd", "api", F_API, api),
    FIELD("watcher", "confdir", F_STRING, confdir),
    FIELD("watcher", "mode", F_MODE, mode),
    FIELD("watcher", "interval", F_COUNT, interval_s),
    FIELD("watcher", "prefix", F_STRING, prefix),
    FIELD("watcher", "noop", F_BOOL, noop),
    FIELD("watcher", "sync_only", F_BOOL, sync_only),
    FIELD("watcher", "keep_stage_file", F_BOOL, keep_stage_file),
    FIELD("watcher", "log_level", F_LEVEL, log_level),
    FIELD("watcher", "log_target", F_TARGET, log_syslog),
    FIELD("watcher", "debounce_ms", F_COUNT, debounce_ms),
    FIELD("watcher", "check_timeout", F_SECONDS, check_timeout_ms),
    FIELD("watcher", "reload_timeout", F_SECONDS, reload_timeout_ms),
};

static int set_string(char **slot, const char *value)
{
    char *copy = strdup(value);

    if (!copy)
        return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

int ew_config_init(ew_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->timeout_ms = 5000;
    cfg->mode = EW_MODE_WATCH;
    cfg->interval_s = 600;
    cfg->log_level = EW_LOG_INFO;
    cfg->debounce_ms = 100;
    cfg->check_timeout_ms = 30000;
    cfg->reload_timeout_ms = 30000;
    if (set_string(&cfg->endpoints, EW_DEFAULT_ENDPOINTS) ||
        set_string(&cfg->confdir, EW_DEFAULT_CONFDIR) || set_string(&cfg->api, "auto") ||
        set_string(&cfg->prefix, "")) {
        ew_config_cleanup(cfg);
        return -1;
    }
    return 0;
}

static int parse_bool(const char *v, int *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    size_t i;

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

static int parse_seconds(const char *v, long *ms)
{
    char *end;
    double s;

    errno = 0;
    s = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(s) || s < 0 || s > 86400.0 * 365)
        return -1;
    *ms = (long)(s * 1000.0 + 0.5);
    return 0;
}

static int parse_count(const char *v, long *out)
{
    char *end;
    long long n;

    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < 0 || n > 1000000000LL)
        return -1;
    *out = (long)n;
    return 0;
}

static int set_field(ew_config *cfg, const field *f, const char *value, const char **why)
{
    void *slot = (char *)cfg + f->offset;
    ew_log_level level;

    switch (f->type) {
    case F_STRING:
        *why = "out of memory";
        return set_string(slot, value);
    case F_SECONDS:
        *why = "expected a number of seconds";
        return parse_seconds(value, slot);
    case F_COUNT:
        *why = "expected a whole number";
        return parse_count(value, slot);
    case F_BOOL:
        *why = "expected true or false";
        return parse_bool(value, slot);
    case F_MODE:
        *why = "expected watch, interval or onetime";
        if (strcmp(value, "watch") == 0)
            cfg->mode = EW_MODE_WATCH;
        else if (strcmp(value, "interval") == 0)
            cfg->mode = EW_MODE_INTERVAL;
        else if (strcmp(value, "onetime") == 0)
            cfg->mode = EW_MODE_ONETIME;
        else
            return -1;
        return 0;
    case F_LEVEL:
        *why = "expected debug, info, warn or error";
        if (ew_log_level_parse(value, &level))
            return -1;
        cfg->log_level = level;
        return 0;
    case F_TARGET:
        *why = "expected stderr or syslog";
        if (strcmp(value, "stderr") != 0 && strcmp(value, "syslog") != 0)
            return -1;
        cfg->log_syslog = strcmp(value, "syslog") == 0;
        return 0;
    case F_API:
        *why = "expected auto, v2 or v3";
        if (strcmp(value, "auto") != 0 && strcmp(value, "v2") != 0 &&
            strcmp(value, "v3") != 0)
            return -1;
        return set_string(slot, value);
    }
    return -1;
}

int ew_config_set(ew_config *cfg, const char *section, const char *key, const char *value,
                  const char **why)
{
    size_t i;
    int known_section = 0;

    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (strcmp(fields[i].section, section) != 0)
            continue;
        known_section = 1;
        if (strcmp(fields[i].key, key) == 0)
            return set_field(cfg, &fields[i], value, why);
    }
    *why = known_section ? "unknown key" : "unknown section";
    return -1;
}

/* ---- Reading the file, with line numbers ------------------------------------------- */

typedef struct load_state {
    ew_config *cfg;
    const char *path;
    FILE *file;
    unsigned line; /* the line inih is looking at */
    ew_problems *problems;
    size_t added;
} load_state;

/* inih's reader: fgets that counts lines, so the handler knows where it is. */
static char *read_line(char *str, int num, void *stream)
{
    load_state *st = stream;
    char *got = fgets(str, num, st->file);

    if (got)
        st->line++;
    return got;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
    load_state *st = user;
    const char *why = NULL;

    if (ew_config_set(st->cfg, section, name, value, &why)) {
        if (section[0] == '\0')
            why = "key outside a section ([etcd] or [watcher])";
        ew_problem(st->problems, "%s:%u: %s%s%s: %s", st->path, st->line, section,
                   section[0] ? "." : "", name, why);
        st->added++;
    }
    return 1; /* keep going: report every problem */
}

size_t ew_config_load(ew_config *cfg, const char *path, int optional,
                      ew_problems *problems)
{
    load_state st = {cfg, path, NULL, 0, problems, 0};
    int rc;

    st.file = fopen(path, "r");
    if (!st.file) {
        if (optional && errno == ENOENT)
            return 0;
        ew_problem(problems, "%s: %s", path, strerror(errno));
        return 1;
    }
    rc = ini_parse_stream(read_line, &st, on_entry, &st);
    fclose(st.file);
    if (rc > 0 && st.added == 0) {
        ew_problem(problems, "%s:%d: syntax error", path, rc);
        st.added++;
    }
    return st.added;
}

int ew_config_read_password(ew_config *cfg, ew_problems *problems)
{
    struct stat sb;
    char line[1024];
    size_t n;
    FILE *f;

    if (!cfg->password_file)
        return 0;
    f = fopen(cfg->password_file, "r");
    if (!f) {
        ew_problem(problems, "%s: %s", cfg->password_file, strerror(errno));
        return -1;
    }
    if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & (S_IRWXG | S_IRWXO))) {
        fclose(f);
        ew_problem(problems, "%s: password file is accessible by others; chmod 600 it",
                   cfg->password_file);
        return -1;
    }
    if (!fgets(line, sizeof(line), f))
        line[0] = '\0';
    fclose(f);
    n = strcspn(line, "\r\n");
    line[n] = '\0';
    if (set_string(&cfg->password, line)) {
        ew_problem(problems, "out of memory");
        return -1;
    }
    memset(line, 0, sizeof(line));
    return 0;
}

void ew_config_cleanup(ew_config *cfg)
{
    free(cfg->endpoints);
    free(cfg->cacert);
    free(cfg->cert);
    free(cfg->key);
    free(cfg->user);
    free(cfg->password_file);
    if (cfg->password) {
        memset(cfg->password, 0, strlen(cfg->password));
        free(cfg->password);
    }
    free(cfg->api);
    free(cfg->confdir);
    free(cfg->prefix);
    memset(cfg, 0, sizeof(*cfg));
}
