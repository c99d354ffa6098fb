/*
 * render.h: rendering one resource into its dest with confd's safe sequence, and
 * reloading what uses it.
 *
 *   render into a stage file beside dest (created 0600, then given dest's final mode
 *   and owner) -> if contents, mode and owner equal dest's, stop -> check_cmd on the
 *   stage file (failure: dest untouched, stage removed) -> fsync, rename over dest
 *   (rewrite in place when dest is a bind mount) -> the caller reloads.
 *
 * The steps are separate, so that the caller runs the commands on its loop (exec.h)
 * and does other work meanwhile: ew_render_stage(), the check (ew_command_init() and
 * ew_exec_start()), ew_staged_commit(), the reload.
 */
#ifndef EW_RENDER_H
#define EW_RENDER_H

#include <sys/types.h>
#include <time.h>

#include "exec.h"
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
    EW_RENDER_FAILED,    /* logged; dest untouched */
    EW_RENDER_STAGED     /* in a stage file, to check and commit */
} ew_render_result;

/* A render waiting in its stage file beside dest. */
typedef struct ew_staged {
    char *path; /* the stage file; NULL once committed */
    char *out;  /* its contents, for a dest rewritten in place */
    size_t len;
    mode_t mode;
} ew_staged;

/* The parsed template of a resource, re-read when its file changes. */
typedef struct ew_template_cache {
    tmpl_template *tmpl;
    struct timespec mtime;
    off_t size;
    ino_t ino;
} ew_template_cache;

void ew_template_cache_free(ew_template_cache *cache);

/* Render resource `r` from `store` into a stage file. EW_RENDER_UNCHANGED when dest
 * already holds it (or, with opts->noop, after printing the diff), EW_RENDER_FAILED
 * (logged), or EW_RENDER_STAGED with *staged (new: ew_staged_free()). */
ew_render_result ew_render_stage(const ew_resource *r, ew_template_cache *cache,
                                 const ew_store *store, const ew_render_opts *opts,
                                 ew_staged **staged);

/* Move the stage file over r's dest: EW_RENDER_UPDATED (logged "updated") or
 * EW_RENDER_FAILED (logged; dest untouched). The stage file is gone either way. */
ew_render_result ew_staged_commit(const ew_resource *r, ew_staged *s);

/* Remove the stage file (unless keep_file) and free s. NULL does nothing. */
void ew_staged_free(ew_staged *s, int keep_file);

/* A check or reload command of a resource, with copies of what its log lines name, so
 * that it outlives the resource (a SIGHUP may drop it while its reload runs). */
typedef struct ew_command {
    char *name; /* the resource */
    char *dest;
    char *line; /* the command, {{.src}} and {{.dest}} replaced */
    long timeout_ms;
    int reload; /* 0: check_cmd on the stage file, 1: reload_cmd */
} ew_command;

/* r's check_cmd on `stage` (reload 0), or its reload_cmd (reload 1). Returns 0, or -1
 * when out of memory. */
int ew_command_init(ew_command *c, const ew_resource *r, int reload, const char *stage);
void ew_command_cleanup(ew_command *c);

/* Log how the command ended, on one line (with its output when it failed). Returns
 * res->status. */
int ew_command_log(const ew_command *c, const ew_exec_result *res);

/* Send r's reload_signal to its pidfile's process. Returns 0, or -1 (logged). */
int ew_reload_signal(const ew_resource *r);

/* Parse r's template, adding a problem (with the template's file:line:col) when it does
 * not parse or cannot be read. Returns 0 or -1. */
int ew_template_check(const ew_resource *r, ew_problems *problems);

/* Reload and wait: reload_signal to the pidfile's process, or reload_cmd. Returns 0
 * when done or nothing to do; -1 (logged) when it failed and should be retried. */
int ew_reload(const ew_resource *r);

/* The keys a resource's template sees: every entry of `store` under each of r's keys,
 * made relative to r's prefix as confd does. New (tmpl_snapshot_free()), or NULL when
 * out of memory. */
tmpl_snapshot *ew_snapshot_for(const ew_resource *r, const ew_store *store);

#endif /* EW_RENDER_H */
