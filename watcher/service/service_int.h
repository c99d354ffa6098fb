/*
 * service_int.h: the watcher's state, shared by service.c, the render cycle of a resource
 * (cycle.c), the sources of keys (source_v2.c, source_v3.c), which read and watch
 * prefixes with one API each, and probe.c, which picks the source for `api = auto`.
 */
#ifndef EW_SERVICE_INT_H
#define EW_SERVICE_INT_H

#include <etcd/etcd.h>
#include <stdint.h>

#include "loop.h"
#include "render.h"
#include "resource.h"
#include "store.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

typedef struct ew_service ew_service;

/* One distinct watched prefix. */
typedef struct watched {
    ew_service *svc;
    char *prefix;
    void *watch;         /* the source's watch handle, or NULL */
    uint64_t next_index; /* v2 index or v3 revision where the watch goes on */
    int reading;         /* a read is in flight */
    int read_once;       /* the store holds this prefix */
    int paused;          /* the watch waits for a re-read (history moved past it) */
    int deferred;        /* v3: the first read waits for the others' revision */
    char *page_key;      /* v3: where the next page of a long read starts */
    size_t page_key_len;
    ew_timer retry; /* backoff before the next read */
    long backoff_ms;
    int failed_reads; /* onetime: reads that failed in a row */
    int given_up;     /* onetime: no more tries; its resources are not rendered */
    int retired;      /* dropped (SIGHUP) while its read was in flight */
} watched;

/* How a source reads and watches. Each call reports back through ew_svc_*() below. */
typedef struct ew_source {
    const char *name;
    /* Start reading w->prefix. Returns 0, or -1 (logged) when it could not start. */
    int (*read)(watched *w);
    /* Watch w->prefix from w->next_index; resume a paused watch. 0 or -1 (logged). */
    int (*watch)(watched *w);
    /* Stop w's watch. */
    void (*unwatch)(watched *w);
} ew_source;

extern const ew_source ew_source_v2;
extern const ew_source ew_source_v3;

/* api = auto: finding which API to read with (probe.c), once per client. */
typedef struct ew_probe {
    int active;           /* a round is in flight or waits for its retry */
    int stage;            /* 3: counting keys in v3, 2: looking in v2 */
    size_t pending;       /* requests of this stage in flight */
    int64_t v3_keys;      /* keys under the watched prefixes in v3 */
    size_t v2_keys;       /* prefixes with a node in v2 */
    int no_v3;            /* the server has no v3 gateway (404) */
    int no_v2;            /* the server has no v2 API (404) */
    char v3_refused[256]; /* v3 answered, but refused to read (auth): why */
    char why[256];        /* why this round cannot decide ("" when it can) */
    ew_timer retry;
    long backoff_ms;
    int tries; /* rounds that failed in a row */
} ew_probe;

/* A check or reload command running for a resource (cycle.c). */
typedef struct res_job res_job;

/* The runtime state of one resource. */
typedef struct res_state {
    ew_service *svc;
    ew_resource *r;
    ew_template_cache cache;
    int dirty; /* a change to render (kept while its command runs) */
    int render_failed;
    long render_backoff_ms;
    uint64_t retry_ms; /* a failed render is tried again from then (watch mode) */
    uint64_t done_ms;  /* when its last render and commands ended (0: never) */
    int first_cycle;   /* the commands of the first render still run: READY=1 waits */
    res_job *job;      /* its check or reload running, or NULL */
    int reload_due;
    long reload_backoff_ms;
    uint64_t last_reload_ms;
    ew_timer reload_timer;
} res_state;

struct ew_service {
    ew_config *cfg;
    const char *config_path;
    int (*reapply)(ew_config *cfg, void *data);
    void *reapply_data;
    const ew_source *source;

    ew_resources res;
    res_state *states;
    watched **watched; /* each allocated alone: a watch's callback data stays put */
    size_t nwatched;

    ew_loop loop;
    etcd_client *client;
    ew_timer etcd_timer;
    ew_store store;

    ew_timer render_timer;
    ew_timer cycle_timer; /* interval mode */
    int first_render_done;
    size_t unready;       /* resources whose first render's commands still run */
    int in_render;        /* ew_cycle_render_dirty() is running */
    res_job *jobs;        /* every command running, its resource's or detached */
    int stop_signals;     /* SIGTERMs and SIGINTs so far */
    int draining;         /* the loop has ended: the running commands are waited for */
    int failed;           /* onetime: some resource failed */
    int64_t cut_revision; /* v3: the revision every prefix is first read at */
    ew_probe probe;       /* api = auto: svc->source is NULL until it decides */
};

/* A read of w->prefix succeeded: the store now holds what it found, at `index` (v2) or
 * revision (v3). Renders and starts or resumes the watch. */
void ew_svc_read_done(watched *w, uint64_t index);

/* A read of w ended (any status, ECANCELED included): returns 1 when w was dropped
 * meanwhile, after freeing it; the source then must not touch w again. Call it first,
 * once w->reading is cleared. */
int ew_svc_retired(watched *w);

/* A read failed: log `why` and try again after a backoff. */
void ew_svc_read_failed(watched *w, const char *why);

/* The store changed at `key`: render the resources it touches. */
void ew_svc_changed(ew_service *svc, const char *key);

/* The watch of w cannot go on (history cleared or compacted, connection lost): re-read
 * w->prefix, then watch again from where the read ended. `paused`: the source keeps its
 * watch paused and resumes it in watch(). */
void ew_svc_resync(watched *w, int paused, const char *why);

/* api = auto: find the API (svc->source is NULL meanwhile) for svc's prefixes, then
 * call ew_svc_api_chosen(), or ew_svc_probe_failed() when this round cannot tell. */
void ew_probe_start(ew_service *svc);

/* The API to read with is known: start every read. `why` says why (logged once). */
void ew_svc_api_chosen(ew_service *svc, const ew_source *source, const char *why);

/* A round of the probe could not tell (etcd unreachable, no leader): try again after a
 * backoff; onetime mode gives up after a few rounds. */
void ew_svc_probe_failed(ew_service *svc, const char *why);

/* The delay before the next try: *backoff_ms (BACKOFF_MIN_MS at first), which doubles up
 * to max_ms. */
long ew_next_backoff(long *backoff_ms, long max_ms);

/* ---- The render cycle (cycle.c) ---- */

/* Render every resource due now, then arm svc->render_timer for the next (its callback).
 */
void ew_cycle_render_dirty(void *svc);

/* Set up svc->states for svc->res, every resource dirty. 0, or -1 when out of memory. */
int ew_cycle_states_init(ew_service *svc);

/* Free svc->states: kill their running checks, detach their running reloads. */
void ew_cycle_states_free(ew_service *svc);

/* Kill the running checks (SIGTERM, SIGHUP), or every command (all: a second SIGTERM). */
void ew_cycle_jobs_cancel(ew_service *svc, int all);

/* After a SIGHUP: give each detached reload to the resource that now writes its dest. */
void ew_cycle_jobs_attach(ew_service *svc);

/* Before a SIGHUP: the dests whose reload is owed, a new array of *n new strings. */
char **ew_cycle_owed_reloads(const ew_service *svc, size_t *n);

/* After a SIGHUP: retry at once the owed reloads of `dests` (from above, freed). */
void ew_cycle_owe_reloads(ew_service *svc, char **dests, size_t n);

/* Stopping: run once each reload still owed (none after a second signal). */
void ew_cycle_reload_owed(ew_service *svc);

#endif /* EW_SERVICE_INT_H */
