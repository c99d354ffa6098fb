/*
 * render.h: rendering one resource into its dest with confd's safe sequence, and
 * reloading what uses it.
 *
 *   render into a stage file beside dest (created 0600, then given dest's final mode
 *   and owner) -> if contents, mode and owner equal dest's, stop -> check_cmd on the
 *   stage file (failure: dest untouched, stage removed) -> fsync, rename over dest
 *   (rewrite in place when dest is a bind mount) -> the caller reloads.
 */
#ifndef EW_RENDER_H
#define EW_RENDER_H

#include <sys/types.h>
#include <time.h>

#include "resource.h"
#include "store.h"
#include "template.h"

typedef struct ew_render_opts {
    int noop;            /* print a diff of what would change; touch nothing */
    int sync_only;       /* no check and no reload */
    int keep_stage_file; /* leave the stage file behind */
} ew_render_opts;

typedef enum ew_render_result {
    EW_RENDER_UNCHANGED, /* dest already held exactly this */
    EW_RENDER_UPDATED,   /* dest now holds the new contents: reload */
    EW_RENDER_FAILED     /* logged; dest untouched */
} ew_render_result;

/* The parsed template of a resource, re-read when its file changes. */
typedef struct ew_template_cache {
    tmpl_template *tmpl;
    struct timespec mtime;
    off_t size;
    ino_t ino;
} ew_template_cache;

void ew_template_cache_free(ew_template_cache *cache);

/* Render resource `r` from `store`. Logs what it did. */
ew_render_result ew_render(const ew_resource *r, ew_template_cache *cache,
                           const ew_store *store, const ew_render_opts *opts);

/* Parse r's template, adding a problem (with the template's file:line:col) when it does
 * not parse or cannot be read. Returns 0 or -1. */
int ew_template_check(const ew_resource *r, ew_problems *problems);

/* Reload: reload_signal to the pidfile's process, or reload_cmd. Returns 0 when done
 * or nothing to do; -1 (logged) when it failed and should be retried. */
int ew_reload(const ew_resource *r);

/* The keys a resource's template sees: every entry of `store` under each of r's keys,
 * made relative to r's prefix as confd does. New (tmpl_snapshot_free()), or NULL when
 * out of memory. */
tmpl_snapshot *ew_snapshot_for(const ew_resource *r, const ew_store *store);

#endif /* EW_RENDER_H */
