/*
 * run.c: from parsed command line to a running service, or a configuration report.
 */
#define _POSIX_C_SOURCE 200809L

#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "render.h"
#include "resource.h"
#include "service.h"

/* Apply the overrides; each bad one is a problem naming its flag. */
static int apply_overrides(ew_config *cfg, const ew_run_args *a, ew_problems *problems)
{
    size_t i;
    int bad = 0;

    for (i = 0; i < a->noverrides; i++) {
        const ew_override *o = &a->overrides[i];
        const char *why = NULL;

        if (ew_config_set(cfg, o->section, o->key, o->value, &why)) {
            ew_problem(problems, "%s %s: %s", o->flag, o->value, why);
            bad = 1;
        }
    }
    if (a->password && !cfg->password_file) {
        free(cfg->password);
        cfg->password = strdup(a->password);
    }
    return bad;
}

static int reapply(ew_config *cfg, void *data)
{
    ew_problems problems = {NULL, 0};
    int bad = apply_overrides(cfg, data, &problems);

    ew_problems_free(&problems);
    return bad;
}

/* The configuration, or NULL with the problems filled in. */
static ew_config *configure(const ew_run_args *a, ew_problems *problems)
{
    ew_config *cfg = calloc(1, sizeof(*cfg));

    if (!cfg || ew_config_init(cfg)) {
        free(cfg);
        ew_problem(problems, "out of memory");
        return NULL;
    }
    ew_config_load(cfg, a->config_path ? a->config_path : EW_DEFAULT_CONFIG,
                   a->config_path == NULL, problems);
    apply_overrides(cfg, a, problems);
    ew_config_read_password(cfg, problems);
    return cfg;
}

static void print_problems(const ew_problems *p)
{
    size_t i;

    for (i = 0; i < p->count; i++)
        fprintf(stderr, "etcdwatch: %s\n", p->items[i] ? p->items[i] : "out of memory");
}

int ew_run(const ew_run_args *a)
{
    ew_problems problems = {NULL, 0};
    ew_config *cfg = configure(a, &problems);

    if (problems.count) {
        print_problems(&problems);
        ew_problems_free(&problems);
        if (cfg) {
            ew_config_cleanup(cfg);
            free(cfg);
        }
        return 1;
    }
    ew_log_setup(cfg->log_level, cfg->log_syslog);
    return ew_service_run(cfg, a->config_path ? a->config_path : EW_DEFAULT_CONFIG,
                          reapply, (void *)a);
}

int ew_check_config(const ew_run_args *a)
{
    ew_problems problems = {NULL, 0};
    ew_config *cfg = configure(a, &problems);
    ew_resources res = {NULL, 0};
    size_t i;
    int status;

    if (cfg) {
        ew_resources_load(cfg, &res, &problems);
        for (i = 0; i < res.count; i++)
            ew_template_check(&res.items[i], &problems);
        if (!problems.count)
            printf("%s: %zu resources, no problems\n",
                   a->config_path ? a->config_path : EW_DEFAULT_CONFIG, res.count);
        ew_resources_free(&res);
        ew_config_cleanup(cfg);
        free(cfg);
    }
    print_problems(&problems);
    status = problems.count ? 1 : 0;
    ew_problems_free(&problems);
    return status;
}
