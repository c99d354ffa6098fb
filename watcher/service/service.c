/*
 * service.c: the watcher.
 *
 * The keys of every resource are gathered into a few distinct prefixes (a key below
 * another is covered by it). Each prefix is read into the store by a source (v2: one
 * recursive GET, v3: ranges at one revision; api = auto picks one with probe.c), then
 * followed by one continuous watch from the read's index or revision + 1; events update
 * the store in place and mark the resources whose keys they touch. Marked resources are
 * rendered at once after an isolated change, or once per debounce window during a
 * burst, in a cycle of render, check, commit and reload (cycle.c). Check and reload
 * commands run on the loop beside all this. Any failure (a read, a watch, a render, a
 * reload) is retried with backoff until it succeeds: the watcher never waits for the
 * next change to repair itself.
 */
#define _POSIX_C_SOURCE 200809L

#include "service.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "service_int.h"

#define ONETIME_READ_TRIES 3

long ew_next_backoff(long *backoff_ms, long max_ms)
{
    long delay = *backoff_ms ? *backoff_ms : BACKOFF_MIN_MS;

    *backoff_ms = delay * 2 > max_ms ? max_ms : delay * 2;
    return delay;
}

/* ---- libetcd on our loop ---------------------------------------------------------- */

static void on_etcd_fd(int fd, int events, void *data)
{
    ew_service *svc = data;
    int ev =
        ((events & EW_IN) ? ETCD_POLL_IN : 0) | ((events & EW_OUT) ? ETCD_POLL_OUT : 0);

    etcd_client_on_fd(svc->client, fd, ev);
}

static void on_etcd_timer(void *data)
{
    ew_service *svc = data;

    etcd_client_on_timer(svc->client);
}

static int hook_watch_fd(void *data, int fd, int events)
{
    ew_service *svc = data;
    int ev =
        ((events & ETCD_POLL_IN) ? EW_IN : 0) | ((events & ETCD_POLL_OUT) ? EW_OUT : 0);

    return ew_loop_watch(&svc->loop, fd, ev, on_etcd_fd, svc);
}

static int hook_set_timer(void *data, long timeout_ms)
{
    ew_service *svc = data;

    if (timeout_ms < 0)
        ew_timer_stop(&svc->loop, &svc->etcd_timer);
    else
        ew_timer_start(&svc->loop, &svc->etcd_timer, timeout_ms);
    return 0;
}

static int client_open(ew_service *svc)
{
    const ew_config *cfg = svc->cfg;
    etcd_loop_hooks hooks = {hook_watch_fd, hook_set_timer, svc};
    etcd_client_opts o;
    int rc;

    etcd_client_opts_init(&o);
    o.endpoints = cfg->endpoints;
    o.ca_file = cfg->cacert;
    o.cert_file = cfg->cert;
    o.key_file = cfg->key;
    o.username = cfg->user;
    o.password = cfg->password;
    o.connect_timeout_ms = cfg->timeout_ms;
    o.request_timeout_ms = cfg->timeout_ms * 3;
    /* api = auto: NULL until probe.c has found the API (ew_svc_api_chosen()). */
    svc->source = strcmp(cfg->api, "v3") == 0   ? &ew_source_v3
                  : strcmp(cfg->api, "v2") == 0 ? &ew_source_v2
                                                : NULL;
    svc->probe.active = 0;
    rc = etcd_client_new(&o, &svc->client);
    if (!rc)
        rc = etcd_client_set_loop(svc->client, &hooks);
    if (rc)
        ew_log(EW_LOG_ERROR, NULL, "etcd client (%s): %s", cfg->endpoints,
               etcd_strerror(rc));
    return rc;
}

/* ---- Reading a prefix
 * ------------------------------------------------------------------- */

static size_t count_read(const ew_service *svc)
{
    size_t i, n = 0;

    for (i = 0; i < svc->nwatched; i++)
        n += svc->watched[i]->read_once || svc->watched[i]->given_up;
    return n;
}

/* A read of w failed (logged with `why`, or by the source when why is NULL): try again
 * after a backoff. Onetime mode gives up after a few tries, renders the resources that
 * do not need w's keys, and stops with status 1, rather than wait for etcd forever. */
static void retry_read(watched *w, const char *why)
{
    ew_service *svc = w->svc;
    long delay;

    if (svc->cfg->mode == EW_MODE_ONETIME && ++w->failed_reads >= ONETIME_READ_TRIES) {
        ew_log(EW_LOG_ERROR, NULL, "read of %s failed%s%s; giving up after %d tries",
               w->prefix, why ? ": " : "", why ? why : "", w->failed_reads);
        w->given_up = 1;
        svc->failed = 1;
        if (count_read(svc) == svc->nwatched) {
            ew_cycle_render_dirty(svc);
            ew_loop_stop(&svc->loop);
        }
        return;
    }
    delay = ew_next_backoff(&w->backoff_ms, BACKOFF_MAX_MS);
    if (why)
        ew_log(EW_LOG_WARN, NULL, "read of %s failed: %s; retrying in %ld ms", w->prefix,
               why, delay);
    ew_timer_start(&svc->loop, &w->retry, delay);
}

static void start_read(watched *w)
{
    /* Under api = auto, nothing is read before the API is known: the probe's end
     * starts every read. */
    if (w->reading || w->deferred || !w->svc->source)
        return;
    if (w->svc->source->read(w))
        retry_read(w, NULL);
}

void ew_svc_read_failed(watched *w, const char *why)
{
    retry_read(w, why);
}

static void start_watch(watched *w)
{
    ew_service *svc = w->svc;

    if (svc->source->watch(w))
        ew_timer_start(&svc->loop, &w->retry,
                       ew_next_backoff(&w->backoff_ms, BACKOFF_MAX_MS));
}

void ew_svc_read_done(watched *w, uint64_t index)
{
    ew_service *svc = w->svc;

    w->backoff_ms = 0;
    w->read_once = 1;
    w->next_index = index + 1;
    ew_log(EW_LOG_DEBUG, NULL, "read %s at %s %llu", w->prefix,
           svc->source == &ew_source_v3 ? "revision" : "index",
           (unsigned long long)index);
    ew_svc_changed(svc, w->prefix);
    if (svc->cfg->mode == EW_MODE_WATCH)
        start_watch(w);
    if (!svc->first_render_done && count_read(svc) == svc->nwatched)
        ew_cycle_render_dirty(svc);
    if (svc->cfg->mode == EW_MODE_ONETIME && count_read(svc) == svc->nwatched)
        ew_loop_stop(&svc->loop);
}

void ew_svc_resync(watched *w, int paused, const char *why)
{
    ew_log(EW_LOG_WARN, NULL, "watch of %s interrupted (%s); re-reading", w->prefix, why);
    w->paused = paused;
    start_read(w);
}

static void on_retry(void *arg)
{
    start_read(arg);
}

/* ---- api = auto ---------------------------------------------------------------------
 */

/* Read every prefix not read yet, or first find the API to read them with. */
static void begin_reading(ew_service *svc)
{
    size_t i;

    if (!svc->source) {
        if (!svc->probe.active && svc->nwatched)
            ew_probe_start(svc);
        return;
    }
    for (i = 0; i < svc->nwatched; i++) {
        watched *w = svc->watched[i];

        if (!w->read_once && !w->watch)
            start_read(w);
    }
}

void ew_svc_api_chosen(ew_service *svc, const ew_source *source, const char *why)
{
    ew_log(EW_LOG_INFO, NULL, "api auto: reading %s with %s: %s", svc->cfg->endpoints,
           source->name, why);
    svc->source = source;
    begin_reading(svc);
}

static void on_probe_retry(void *arg)
{
    ew_service *svc = arg;

    if (!svc->source)
        ew_probe_start(svc);
}

void ew_svc_probe_failed(ew_service *svc, const char *why)
{
    ew_probe *p = &svc->probe;
    size_t i;
    long delay;

    p->tries++;
    if (svc->cfg->mode == EW_MODE_ONETIME && p->tries >= ONETIME_READ_TRIES) {
        /* As when the reads themselves fail: no prefix could be read. */
        for (i = 0; i < svc->nwatched; i++) {
            watched *w = svc->watched[i];

            ew_log(EW_LOG_ERROR, NULL,
                   "read of %s failed: api auto cannot tell which API to use (%s); "
                   "giving up after %d tries",
                   w->prefix, why, p->tries);
            w->given_up = 1;
        }
        svc->failed = 1;
        ew_cycle_render_dirty(svc);
        ew_loop_stop(&svc->loop);
        return;
    }
    p->active = 1; /* waiting for the retry */
    delay = ew_next_backoff(&p->backoff_ms, BACKOFF_MAX_MS);
    ew_log(EW_LOG_WARN, NULL,
           "api auto: cannot tell which API %s serves the keys with (%s); retrying in "
           "%ld ms",
           svc->cfg->endpoints, why, delay);
    ew_timer_start(&svc->loop, &p->retry, delay);
}

/* ---- Prefixes -------------------------------------------------------------------------
 */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static watched *watched_new(ew_service *svc, const char *prefix)
{
    watched *w = calloc(1, sizeof(*w));

    if (!w)
        return NULL;
    w->svc = svc;
    w->prefix = strdup(prefix);
    if (!w->prefix) {
        free(w);
        return NULL;
    }
    w->retry.fire = on_retry;
    w->retry.arg = w;
    return w;
}

static void watched_destroy(watched *w)
{
    free(w->page_key);
    free(w->prefix);
    free(w);
}

/* Stop w and free it; when a read of it is in flight, that read's callback still holds
 * it: w is retired and freed when the read ends (ew_svc_retired()). */
static void watched_free(watched *w)
{
    ew_timer_stop(&w->svc->loop, &w->retry);
    if (w->watch)
        w->svc->source->unwatch(w);
    if (w->reading) {
        w->retired = 1;
        return;
    }
    watched_destroy(w);
}

int ew_svc_retired(watched *w)
{
    if (!w->retired)
        return 0;
    watched_destroy(w);
    return 1;
}

static void watched_free_all(ew_service *svc)
{
    size_t i;

    for (i = 0; i < svc->nwatched; i++)
        watched_free(svc->watched[i]);
    free(svc->watched);
    svc->watched = NULL;
    svc->nwatched = 0;
}

/* The distinct prefixes that cover every key of every resource. */
static int plan_prefixes(ew_service *svc)
{
    size_t total = 0, i, j, n = 0;
    char **keys;

    for (i = 0; i < svc->res.count; i++)
        total += svc->res.items[i].nkeys;
    keys = calloc(total ? total : 1, sizeof(*keys));
    svc->watched = calloc(total ? total : 1, sizeof(*svc->watched));
    if (!keys || !svc->watched) {
        free(keys);
        return -1;
    }
    for (i = 0; i < svc->res.count; i++) {
        for (j = 0; j < svc->res.items[i].nkeys; j++)
            keys[n++] = svc->res.items[i].keys[j];
    }
    /* Sorted, a covering prefix comes before every key it covers. */
    qsort(keys, n, sizeof(*keys), cmp_str);
    for (i = 0; i < n; i++) {
        for (j = 0; j < svc->nwatched; j++) {
            if (ew_store_covers(svc->watched[j]->prefix, keys[i]))
                break;
        }
        if (j < svc->nwatched)
            continue;
        svc->watched[svc->nwatched] = watched_new(svc, keys[i]);
        if (!svc->watched[svc->nwatched]) {
            free(keys);
            return -1;
        }
        svc->nwatched++;
    }
    free(keys);
    return 0;
}

/* ---- Set-up, signals, the interval cycle ------------------------------------------- */

static void on_cycle(void *arg)
{
    ew_service *svc = arg;
    size_t i;

    for (i = 0; i < svc->res.count; i++)
        svc->states[i].dirty = 1;
    for (i = 0; i < svc->nwatched; i++)
        start_read(svc->watched[i]);
    ew_timer_start(&svc->loop, &svc->cycle_timer, svc->cfg->interval_s * 1000);
}

/* Load resources and plan the prefixes from svc->cfg. */
static int load(ew_service *svc)
{
    ew_problems problems = {NULL, 0};
    size_t i;

    ew_resources_load(svc->cfg, &svc->res, &problems);
    for (i = 0; i < problems.count; i++)
        ew_log(EW_LOG_ERROR, NULL, "%s", problems.items[i] ? problems.items[i] : "?");
    if (problems.count && svc->cfg->mode == EW_MODE_ONETIME)
        svc->failed = 1;
    ew_problems_free(&problems);
    if (svc->res.count == 0)
        ew_log(EW_LOG_WARN, NULL, "no template resources in %s/conf.d",
               svc->cfg->confdir);
    if (ew_cycle_states_init(svc) || plan_prefixes(svc)) {
        ew_log(EW_LOG_ERROR, NULL, "out of memory");
        return -1;
    }
    return 0;
}

static int same_string(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Whether two configurations talk to etcd the same way. */
static int same_etcd(const ew_config *a, const ew_config *b)
{
    return same_string(a->endpoints, b->endpoints) && same_string(a->cacert, b->cacert) &&
           same_string(a->cert, b->cert) && same_string(a->key, b->key) &&
           same_string(a->user, b->user) && same_string(a->password, b->password) &&
           a->timeout_ms == b->timeout_ms && same_string(a->api, b->api);
}

/* A new configuration, or NULL (logged) when it has problems. */
static ew_config *read_config(ew_service *svc)
{
    ew_config *fresh = calloc(1, sizeof(*fresh));
    ew_problems problems = {NULL, 0};
    size_t i;

    if (!fresh || ew_config_init(fresh)) {
        free(fresh);
        return NULL;
    }
    if (svc->config_path)
        ew_config_load(fresh, svc->config_path, 0, &problems);
    if (!problems.count && svc->reapply && svc->reapply(fresh, svc->reapply_data))
        ew_problem(&problems, "the command-line options do not apply");
    if (!problems.count)
        ew_config_read_password(fresh, &problems);
    for (i = 0; i < problems.count; i++)
        ew_log(EW_LOG_ERROR, NULL, "%s", problems.items[i] ? problems.items[i] : "?");
    if (problems.count) {
        ew_log(EW_LOG_ERROR, NULL, "configuration not reloaded; keeping the running one");
        ew_config_cleanup(fresh);
        free(fresh);
        fresh = NULL;
    }
    ew_problems_free(&problems);
    return fresh;
}

/* SIGHUP: re-read the configuration and the resources. Prefixes that stay keep their
 * watches and their part of the store; new ones are read; the rest are dropped. */
static void reload_config(ew_service *svc)
{
    ew_config *fresh = read_config(svc);
    watched **old = svc->watched;
    size_t nold = svc->nwatched, nowed, i, j;
    char **owed;
    int new_client;

    if (!fresh)
        return;
    ew_log(EW_LOG_INFO, NULL, "reloading configuration and resources");
    new_client = !same_etcd(svc->cfg, fresh);
    owed = ew_cycle_owed_reloads(svc, &nowed);
    ew_cycle_states_free(svc);
    ew_timer_stop(&svc->loop, &svc->render_timer);
    ew_resources_free(&svc->res);
    ew_config_cleanup(svc->cfg);
    free(svc->cfg);
    svc->cfg = fresh;
    ew_log_setup(fresh->log_level, fresh->log_syslog);
    svc->watched = NULL;
    svc->nwatched = 0;
    if (new_client) {
        for (j = 0; j < nold; j++)
            watched_free(old[j]);
        nold = 0;
        etcd_client_free(svc->client);
        svc->client = NULL;
        ew_store_cleanup(&svc->store);
        ew_timer_stop(&svc->loop, &svc->probe.retry);
        svc->probe.active = 0;
        svc->cut_revision = 0;
    }
    if (load(svc) || (new_client && client_open(svc))) {
        ew_loop_stop(&svc->loop);
        for (j = 0; j < nold; j++)
            watched_free(old[j]);
        free(old);
        for (j = 0; j < nowed; j++)
            free(owed[j]);
        free(owed);
        return;
    }
    ew_cycle_jobs_attach(svc);
    ew_cycle_owe_reloads(svc, owed, nowed);
    for (i = 0; i < svc->nwatched; i++) {
        watched *w = svc->watched[i];

        for (j = 0; j < nold; j++) {
            if (old[j] && strcmp(old[j]->prefix, w->prefix) == 0 && old[j]->read_once)
                break;
        }
        if (j == nold) {
            start_read(w);
            continue;
        }
        /* The same prefix: keep the running watch and what the store holds. */
        svc->watched[i] = old[j];
        old[j] = NULL;
        watched_free(w);
        ew_svc_changed(svc, svc->watched[i]->prefix);
    }
    for (j = 0; j < nold; j++) {
        if (!old[j])
            continue;
        ew_store_remove(&svc->store, old[j]->prefix);
        watched_free(old[j]);
    }
    free(old);
    svc->first_render_done = 0;
    if (!svc->source)
        begin_reading(svc); /* a new client under api = auto: find the API again */
    if (count_read(svc) == svc->nwatched)
        ew_cycle_render_dirty(svc);
}

/* The loop has ended (SIGTERM or SIGINT, onetime's reads done): stop watching, then
 * wait for the commands still running (onetime's checks and reloads; after a signal,
 * the reloads, each within its reload_timeout). Nothing new renders meanwhile. */
static void finish(ew_service *svc)
{
    svc->draining = 1;
    watched_free_all(svc);
    etcd_client_free(svc->client);
    svc->client = NULL;
    ew_timer_stop(&svc->loop, &svc->render_timer);
    if (svc->jobs && svc->stop_signals)
        ew_log(EW_LOG_INFO, NULL,
               "waiting for the running reloads (SIGTERM or SIGINT again kills them)");
    while (svc->jobs) {
        svc->loop.stop = 0;
        ew_loop_run_once(&svc->loop, -1);
    }
}

/* SIGHUP: reload the configuration (not while stopping). SIGTERM, SIGINT: stop
 * watching and kill the running checks; the running reloads may end (finish()). Again:
 * kill them too. */
static void on_signal(int sig, void *data)
{
    ew_service *svc = data;

    if (sig == SIGHUP) {
        if (!svc->stop_signals && !svc->draining)
            reload_config(svc);
        return;
    }
    svc->stop_signals++;
    ew_log(EW_LOG_INFO, NULL, "signal %d%s: stopping", sig,
           svc->stop_signals > 1 ? " again" : "");
    ew_cycle_jobs_cancel(svc, svc->stop_signals > 1);
    ew_loop_stop(&svc->loop);
}

int ew_service_run(ew_config *cfg, const char *config_path,
                   int (*reapply)(ew_config *cfg, void *data), void *reapply_data)
{
    static const int sigs[] = {SIGHUP, SIGTERM, SIGINT};
    ew_service svc;
    int status;

    memset(&svc, 0, sizeof(svc));
    svc.cfg = cfg;
    svc.config_path = config_path;
    svc.reapply = reapply;
    svc.reapply_data = reapply_data;
    ew_store_init(&svc.store);
    ew_loop_init(&svc.loop);
    svc.etcd_timer.fire = on_etcd_timer;
    svc.etcd_timer.arg = &svc;
    svc.render_timer.fire = ew_cycle_render_dirty;
    svc.render_timer.arg = &svc;
    svc.cycle_timer.fire = on_cycle;
    svc.cycle_timer.arg = &svc;
    svc.probe.retry.fire = on_probe_retry;
    svc.probe.retry.arg = &svc;
    signal(SIGPIPE, SIG_IGN);
    if (ew_loop_catch(&svc.loop, sigs, 3, on_signal, &svc) || load(&svc) ||
        client_open(&svc)) {
        status = 1;
        goto out;
    }
    ew_log(EW_LOG_INFO, NULL, "%zu resources over %zu prefixes from %s", svc.res.count,
           svc.nwatched, svc.cfg->endpoints);
    if (svc.nwatched == 0)
        ew_cycle_render_dirty(&svc);
    begin_reading(&svc);
    if (svc.cfg->mode == EW_MODE_INTERVAL)
        ew_timer_start(&svc.loop, &svc.cycle_timer, svc.cfg->interval_s * 1000);
    if (svc.nwatched || svc.cfg->mode != EW_MODE_ONETIME)
        ew_loop_run(&svc.loop);
    finish(&svc);
    ew_cycle_reload_owed(&svc);
    ew_timer_stop(&svc.loop, &svc.probe.retry);
    status = svc.cfg->mode == EW_MODE_ONETIME && svc.failed ? 1 : 0;
out:
    watched_free_all(&svc);
    etcd_client_free(svc.client);
    ew_cycle_states_free(&svc);
    ew_resources_free(&svc.res);
    ew_store_cleanup(&svc.store);
    ew_loop_cleanup(&svc.loop);
    ew_config_cleanup(svc.cfg);
    free(svc.cfg);
    return status;
}
