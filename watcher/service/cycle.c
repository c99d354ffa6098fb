/*
 * cycle.c: a resource's render cycle, the part of the watcher that turns a change in
 * the store into a file and a reload.
 *
 * A change marks the resources whose keys it touches dirty (ew_svc_changed()); each is
 * rendered at once after an isolated change, or once its debounce window (counted from
 * the end of its last cycle) has passed during a burst. One cycle of a resource:
 *   1. render into a stage file from the store of that moment;
 *   2. when the file changed and the resource has a check_cmd, run it on the loop as a
 *      job; its result commits the stage file over dest, or drops it;
 *   3. when dest changed, reload: a signal at once, or reload_cmd as a job, no sooner
 *      than min_reload_interval after the last reload;
 *   4. the cycle is done: the debounce window starts, and a change that came meanwhile
 *      renders again.
 * A resource whose job runs is busy: changes only mark it dirty. A failed render is
 * retried with backoff (watch mode), a failed reload too (not onetime); a reload still
 * owed when a check ends, at a SIGHUP or at the stop is not forgotten. service.c calls in
 * through the ew_cycle_*() functions of service_int.h at start, SIGHUP, signals and the
 * stop.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "service_int.h"

#define RENDER_RETRY_MAX_MS 60000

/* ---- Which resources a key touches ----------------------------------------------- */

static int key_touches(const ew_resource *r, const char *key)
{
    size_t i;

    for (i = 0; i < r->nkeys; i++) {
        if (ew_store_covers(r->keys[i], key) || ew_store_covers(key, r->keys[i]))
            return 1;
    }
    return 0;
}

/* ---- Rendering ------------------------------------------------------------------------
 *
 * A resource renders into a stage file; its check_cmd and its reload run on the loop
 * as jobs while everything else goes on (other resources render and reload, changes
 * come in). A resource whose command runs is busy: a change marks it dirty, and it
 * renders again, from the store of that moment, once its commands are done.
 */

struct res_job {
    ew_service *svc;
    res_state *st;     /* NULL once detached: a SIGHUP dropped its resource */
    ew_exec *exec;     /* set while it runs */
    ew_staged *staged; /* a check: the stage file it checks */
    ew_command cmd;
    res_job *next; /* svc->jobs */
};

enum { KEYS_READ, KEYS_NOT_YET, KEYS_GIVEN_UP };

/* Whether the store holds every prefix r needs: KEYS_READ; KEYS_NOT_YET while one is
 * still being read for the first time (a prefix new after a SIGHUP); KEYS_GIVEN_UP
 * when onetime mode gave one up. */
static int keys_state(const ew_service *svc, const ew_resource *r)
{
    size_t i;
    int state = KEYS_READ;

    for (i = 0; i < svc->nwatched; i++) {
        const watched *w = svc->watched[i];

        if (!key_touches(r, w->prefix))
            continue;
        if (w->given_up)
            return KEYS_GIVEN_UP;
        if (!w->read_once)
            state = KEYS_NOT_YET;
    }
    return state;
}

/* When st may render next, or 0: nothing to render, or busy (its commands' end looks
 * again). The debounce window starts when a render and its commands are done: counted
 * from its start, a slow check or reload would leave the next render due at once, with
 * no time to take in the changes that came meanwhile, and a burst would be rendered one
 * event at a time, ever further behind etcd. An isolated change renders at once. */
static uint64_t render_due_ms(const ew_service *svc, const res_state *st)
{
    uint64_t due = st->done_ms ? st->done_ms + (uint64_t)svc->cfg->debounce_ms : 1;

    if (st->job)
        return 0;
    if (st->dirty)
        return due;
    /* Failed renders are retried (a template fixed, a directory made writable) without
     * waiting for the next change; onetime mode only tries once. */
    if (st->render_failed && svc->cfg->mode == EW_MODE_WATCH)
        return due > st->retry_ms ? due : st->retry_ms;
    return 0;
}

/* Have ew_cycle_render_dirty() run at `due` at the latest. */
static void render_by(ew_service *svc, uint64_t due)
{
    uint64_t now = ew_now_ms();

    if (svc->render_timer.armed && svc->render_timer.due_ms <= due)
        return;
    ew_timer_start(&svc->loop, &svc->render_timer, due > now ? (long)(due - now) : 0);
}

/* Have st rendered when it is due (nothing before the first render of all). */
static void schedule_render(ew_service *svc, const res_state *st)
{
    uint64_t due;

    if (!svc->first_render_done || svc->in_render || svc->stop_signals || svc->draining)
        return;
    due = render_due_ms(svc, st);
    if (due && keys_state(svc, st->r) != KEYS_NOT_YET)
        render_by(svc, due);
}

void ew_svc_changed(ew_service *svc, const char *key)
{
    size_t i;

    for (i = 0; i < svc->res.count; i++) {
        if (key_touches(&svc->res.items[i], key)) {
            svc->states[i].dirty = 1;
            schedule_render(svc, &svc->states[i]);
        }
    }
}

static void reload_now(res_state *st);

/* st's render and its commands have ended. */
static void cycle_done(res_state *st)
{
    ew_service *svc = st->svc;

    if (st->job)
        return;
    st->done_ms = ew_now_ms();
    if (st->first_cycle) {
        st->first_cycle = 0;
        if (--svc->unready == 0 && svc->first_render_done)
            ew_notify("READY=1");
    }
    /* A reload whose retry came while a check ran (and failed) is still owed. */
    if (st->reload_due && !st->reload_timer.armed)
        reload_now(st);
    schedule_render(svc, st);
}

static void reload_result(res_state *st, int ok)
{
    ew_service *svc = st->svc;
    long wait;

    if (ok) {
        st->reload_due = 0;
        st->reload_backoff_ms = 0;
        st->last_reload_ms = ew_now_ms();
    } else if (svc->cfg->mode == EW_MODE_ONETIME) {
        /* Nothing runs after onetime's render: the failure is its exit status. */
        st->reload_due = 0;
        svc->failed = 1;
    } else if (!svc->stop_signals) { /* stopping: ew_cycle_reload_owed() retries */
        wait = ew_next_backoff(&st->reload_backoff_ms, BACKOFF_MAX_MS);
        ew_log(EW_LOG_WARN, st->r->name, "reload retried in %ld ms", wait);
        ew_timer_start(&svc->loop, &st->reload_timer, wait);
    }
    cycle_done(st);
}

static void render_ended(res_state *st, ew_render_result result)
{
    ew_service *svc = st->svc;
    const ew_resource *r = st->r;

    if (result == EW_RENDER_FAILED) {
        st->render_failed = 1;
        st->retry_ms = ew_now_ms() + (uint64_t)ew_next_backoff(&st->render_backoff_ms,
                                                               RENDER_RETRY_MAX_MS);
        svc->failed = 1;
    } else {
        st->render_failed = 0;
        st->render_backoff_ms = 0;
    }
    if (result == EW_RENDER_UPDATED && !svc->cfg->sync_only &&
        (r->reload_cmd || r->reload_signal > 0)) {
        /* A newer file replaces a reload still waiting for its retry. */
        ew_timer_stop(&svc->loop, &st->reload_timer);
        st->reload_due = 1;
        st->reload_backoff_ms = 0;
        reload_now(st);
    }
    cycle_done(st);
}

/* The check of `staged` passed (ok) or failed: move it over dest, or drop it. */
static void check_result(res_state *st, ew_staged *staged, int ok)
{
    ew_render_result result = ok ? ew_staged_commit(st->r, staged) : EW_RENDER_FAILED;

    ew_staged_free(staged, !ok && st->svc->cfg->keep_stage_file);
    render_ended(st, result);
}

static void job_free(res_job *job)
{
    ew_staged_free(job->staged, 0);
    ew_command_cleanup(&job->cmd);
    free(job);
}

/* A command was cancelled: a check at SIGTERM or SIGHUP (dest untouched; the resource
 * renders again, unless stopping), a reload at a second SIGTERM. */
static void job_cancelled(res_job *job, res_state *st)
{
    const ew_command *c = &job->cmd;

    if (c->reload) {
        ew_log(EW_LOG_ERROR, c->name, "reload of %s (%s) killed: stopping at once",
               c->dest, c->line);
        if (st)
            st->reload_due = 0;
        return;
    }
    ew_log(EW_LOG_WARN, c->name, "check of %s (%s) stopped: %s; %s left untouched",
           c->dest, c->line,
           job->svc->stop_signals ? "stopping" : "configuration reloaded", c->dest);
    job->svc->failed = 1;
    if (st)
        st->dirty = 1;
}

static void job_done(ew_exec_result *res, void *data)
{
    res_job *job = data;
    res_state *st = job->st;
    res_job **pp = &job->svc->jobs;
    int ok;

    while (*pp && *pp != job)
        pp = &(*pp)->next;
    if (*pp)
        *pp = job->next;
    job->exec = NULL;
    if (st)
        st->job = NULL;
    if (res->cancelled) {
        job_cancelled(job, st);
    } else {
        ok = ew_command_log(&job->cmd, res) == 0;
        if (st && job->cmd.reload) {
            reload_result(st, ok);
        } else if (st) {
            ew_staged *staged = job->staged;

            job->staged = NULL;
            check_result(st, staged, ok);
        }
    }
    job_free(job);
}

/* Run st's check of `staged` (taken), or its reload_cmd when staged is NULL, on the
 * loop. A command that cannot start has failed at once. */
static void job_start(res_state *st, ew_staged *staged)
{
    ew_service *svc = st->svc;
    res_job *job = calloc(1, sizeof(*job));
    char oom[] = "could not start: out of memory";
    ew_exec_result res = {.status = -1, .exit_code = -1, .output = oom};
    char *why = NULL;

    if (!job ||
        ew_command_init(&job->cmd, st->r, !staged, staged ? staged->path : NULL)) {
        ew_log(EW_LOG_ERROR, st->r->name, "out of memory: %s of %s not run",
               staged ? "check" : "reload", st->r->dest);
        free(job);
        if (staged)
            check_result(st, staged, 0);
        else
            reload_result(st, 0);
        return;
    }
    job->svc = svc;
    job->st = st;
    job->staged = staged;
    job->exec = ew_exec_start(&svc->loop, job->cmd.line, job->cmd.timeout_ms, job_done,
                              job, &why);
    if (!job->exec) {
        res.output = why ? why : oom;
        job_done(&res, job);
        free(why);
        return;
    }
    job->next = svc->jobs;
    svc->jobs = job;
    st->job = job;
}

/* Kill the running checks (SIGTERM, SIGHUP), or every command (all: a second SIGTERM). */
void ew_cycle_jobs_cancel(ew_service *svc, int all)
{
    for (;;) {
        res_job *job = svc->jobs;

        while (job && !all && job->cmd.reload)
            job = job->next;
        if (!job)
            break;
        ew_exec_cancel(job->exec); /* unlinks it */
    }
}

static void on_reload_timer(void *arg)
{
    reload_now(arg);
}

static void reload_now(res_state *st)
{
    ew_service *svc = st->svc;
    uint64_t now = ew_now_ms();
    long wait = 0;

    /* Busy: its commands' end comes back here. Stopping: ew_cycle_reload_owed() runs
     * it. */
    if (st->job || svc->stop_signals)
        return;
    if (st->last_reload_ms && st->r->min_reload_interval_ms)
        wait = (long)(st->last_reload_ms + (uint64_t)st->r->min_reload_interval_ms) -
               (long)now;
    if (wait > 0) {
        ew_timer_start(&svc->loop, &st->reload_timer, wait);
        return;
    }
    if (st->r->reload_signal > 0)
        reload_result(st, ew_reload_signal(st->r) == 0);
    else if (st->r->reload_cmd)
        job_start(st, NULL);
    else
        reload_result(st, 1);
}

static void render_one(ew_service *svc, res_state *st)
{
    ew_render_opts o = {svc->cfg->noop, svc->cfg->sync_only, svc->cfg->keep_stage_file};
    ew_staged *staged = NULL;
    ew_render_result result;

    st->dirty = 0;
    result = ew_render_stage(st->r, &st->cache, &svc->store, &o, &staged);
    if (result == EW_RENDER_STAGED && !o.sync_only && st->r->check_cmd) {
        job_start(st, staged);
        return;
    }
    if (result == EW_RENDER_STAGED) {
        result = ew_staged_commit(st->r, staged);
        ew_staged_free(staged, 0);
    }
    render_ended(st, result);
}

void ew_cycle_render_dirty(void *arg)
{
    ew_service *svc = arg;
    uint64_t now = ew_now_ms(), next = 0;
    size_t i, rendered = 0, failing = 0;

    svc->in_render = 1;
    for (i = 0; i < svc->res.count; i++) {
        res_state *st = &svc->states[i];
        uint64_t due = render_due_ms(svc, st);

        if (!due || due > now)
            continue;
        /* Rendered from a store without its keys, the file would be wrong (a list
         * of upstreams rendered empty, checked and reloaded): it waits for the read. */
        switch (keys_state(svc, st->r)) {
        case KEYS_NOT_YET:
            continue;
        case KEYS_GIVEN_UP:
            ew_log(EW_LOG_ERROR, st->r->name,
                   "%s not rendered: its keys could not be read", st->r->dest);
            st->dirty = 0;
            svc->failed = 1;
            continue;
        }
        render_one(svc, st);
        rendered++;
        if (!svc->first_render_done && st->job) {
            st->first_cycle = 1;
            svc->unready++;
        }
    }
    svc->in_render = 0;
    /* The next resource due: one waiting for its debounce window or its retry. */
    for (i = 0; i < svc->res.count; i++) {
        const res_state *st = &svc->states[i];
        uint64_t due = render_due_ms(svc, st);

        failing += (size_t)st->render_failed;
        if (due && (!next || due < next) && keys_state(svc, st->r) != KEYS_NOT_YET)
            next = due;
    }
    if (!svc->first_render_done) {
        svc->first_render_done = 1;
        if (!svc->unready)
            ew_notify("READY=1");
    }
    if (rendered)
        ew_notify("STATUS=%zu resources, %zu rendered, %zu failing", svc->res.count,
                  rendered, failing);
    if (next && !svc->stop_signals && !svc->draining)
        render_by(svc, next);
}

/* ---- States, SIGHUP and the stop --------------------------------------------------- */

int ew_cycle_states_init(ew_service *svc)
{
    size_t i;

    svc->states = calloc(svc->res.count ? svc->res.count : 1, sizeof(*svc->states));
    if (!svc->states)
        return -1;
    for (i = 0; i < svc->res.count; i++) {
        res_state *st = &svc->states[i];

        st->svc = svc;
        st->r = &svc->res.items[i];
        st->dirty = 1;
        st->reload_timer.fire = on_reload_timer;
        st->reload_timer.arg = st;
    }
    return 0;
}

/* Free the states. Their running checks are killed (stage files removed, dests
 * untouched); their running reloads go on, detached: a completion touches only its
 * job's own data, or the state ew_cycle_jobs_attach() gives it. */
void ew_cycle_states_free(ew_service *svc)
{
    res_job *job;
    size_t i;

    ew_cycle_jobs_cancel(svc, 0);
    for (job = svc->jobs; job; job = job->next) {
        if (job->st)
            job->st->job = NULL;
        job->st = NULL;
    }
    svc->unready = 0;
    for (i = 0; svc->states && i < svc->res.count; i++) {
        ew_timer_stop(&svc->loop, &svc->states[i].reload_timer);
        ew_template_cache_free(&svc->states[i].cache);
    }
    free(svc->states);
    svc->states = NULL;
}

/* After a SIGHUP: a reload still running belongs to the resource that now writes its
 * dest, if one does (which renders again once it ends, with the retries of that
 * resource); otherwise it ends on its own, logged. */
void ew_cycle_jobs_attach(ew_service *svc)
{
    res_job *job;
    size_t i;

    for (job = svc->jobs; job; job = job->next) {
        for (i = 0; !job->st && i < svc->res.count; i++) {
            if (!svc->states[i].job &&
                strcmp(svc->res.items[i].dest, job->cmd.dest) == 0) {
                job->st = &svc->states[i];
                svc->states[i].job = job;
            }
        }
    }
}

/* The dests whose reload is still owed (it failed and waits for its retry): a SIGHUP
 * must not forget them, since their files are in sync and will not render again. A new
 * array of *n new strings (fewer when out of memory). */
char **ew_cycle_owed_reloads(const ew_service *svc, size_t *n)
{
    char **dests = calloc(svc->res.count ? svc->res.count : 1, sizeof(*dests));
    size_t i;

    *n = 0;
    for (i = 0; dests && i < svc->res.count; i++) {
        if (!svc->states[i].reload_due)
            continue;
        dests[*n] = strdup(svc->res.items[i].dest);
        if (dests[*n])
            (*n)++;
    }
    return dests;
}

/* Retry at once the owed reloads of the resources that still write those dests (with
 * their new reload command or signal), and free `dests`. */
void ew_cycle_owe_reloads(ew_service *svc, char **dests, size_t n)
{
    size_t i, j;

    for (i = 0; i < svc->res.count; i++) {
        for (j = 0; j < n; j++) {
            if (strcmp(svc->res.items[i].dest, dests[j]) == 0) {
                svc->states[i].reload_due = 1;
                ew_timer_start(&svc->loop, &svc->states[i].reload_timer, 0);
            }
        }
    }
    for (j = 0; j < n; j++)
        free(dests[j]);
    free(dests);
}

/* Stopping: a reload still owed (held back by min_reload_interval, or failed and waiting
 * for its retry) runs once now. Its file is already in place: a watcher started again
 * would find it in sync and never reload it. Not after a second signal. */
void ew_cycle_reload_owed(ew_service *svc)
{
    size_t i;

    for (i = 0; svc->states && i < svc->res.count; i++) {
        res_state *st = &svc->states[i];

        if (!st->reload_due)
            continue;
        ew_timer_stop(&svc->loop, &st->reload_timer);
        st->reload_due = 0;
        if (svc->stop_signals > 1 || ew_reload(st->r) != 0)
            ew_log(EW_LOG_ERROR, st->r->name, "stopping with %s not reloaded",
                   st->r->dest);
    }
}
