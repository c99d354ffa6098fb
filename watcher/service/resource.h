/*
 * resource.h: template resources, one per file in <confdir>/conf.d: our own
 * *.conf files (libconfig syntax) and confd's *.toml files ([template] table).
 *
 *   src = "nginx.tmpl";                 # under <confdir>/templates
 *   dest = "/etc/nginx/conf.d/app.conf";
 *   keys = ["/upstreams"];
 *   prefix = "/myapp";                   # joined after the global prefix
 *   owner = "www-data"; group = "www-data";  # or uid = 33; gid = 33;
 *   mode = "0644";
 *   check_cmd = "nginx -t -c {{.src}}";
 *   reload_cmd = "systemctl reload nginx";   # or:
 *   reload_signal = "HUP"; pidfile = "/run/nginx.pid";
 *   check_timeout = 10; reload_timeout = 10; min_reload_interval = 2;
 */
#ifndef EW_RESOURCE_H
#define EW_RESOURCE_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "problems.h"

typedef struct ew_resource {
    char *name;          /* the resource file's name, "nginx.toml" */
    char *file;          /* its path */
    char *src;           /* the template's path */
    char *templates_dir; /* where `include` finds templates: <confdir>/templates */
    char *dest;
    char **keys; /* absolute: prefix joined with each key of the file */
    size_t nkeys;
    char *prefix; /* "/" or "/a/b": what the template's keys are relative to */
    uid_t uid;
    gid_t gid;
    int has_mode;
    mode_t mode;
    char *check_cmd;
    char *reload_cmd;
    int reload_signal; /* 0: none */
    char *pidfile;
    long check_timeout_ms;
    long reload_timeout_ms;
    long min_reload_interval_ms;
} ew_resource;

typedef struct ew_resources {
    ew_resource *items;
    size_t count;
} ew_resources;

/* Load every resource file of cfg->confdir/conf.d, in name order. Each problem (with
 * file:line) is added to `problems`; resources with problems are left out. Two
 * resources with the same dest are a problem. Returns 0, or -1 when the directory
 * cannot be read (also a problem). */
int ew_resources_load(const ew_config *cfg, ew_resources *out, ew_problems *problems);

void ew_resources_free(ew_resources *res);

/* confd's path.Join("/", a, b): one leading slash, no trailing slash, no "//", "."
 * or "..". Returns a new string or NULL. */
char *ew_path_join(const char *a, const char *b);

#endif /* EW_RESOURCE_H */
