/*
 * run.h: `etcdwatch run` and `etcdwatch check-config` once their command lines are
 * parsed: load the configuration, apply the command-line overrides, then run the
 * service or report every problem.
 */
#ifndef EW_RUN_H
#define EW_RUN_H

#include <stddef.h>

/* One command-line override: section.key = value, as in the configuration file.
 * `flag` names the option it came from, for messages. */
typedef struct ew_override {
    const char *flag;
    const char *section;
    const char *key;
    const char *value;
} ew_override;

typedef struct ew_run_args {
    const char *config_path; /* NULL: the default path, used only when it exists */
    const ew_override *overrides;
    size_t noverrides;
    const char *password; /* from the environment or a prompt; NULL: none */
} ew_run_args;

/* Run the watcher. Returns the exit status. */
int ew_run(const ew_run_args *args);

/* Load everything, parse every template, print each problem with file:line to stderr.
 * Returns 0 when there is none, 1 otherwise. */
int ew_check_config(const ew_run_args *args);

#endif /* EW_RUN_H */
