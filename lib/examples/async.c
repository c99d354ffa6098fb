/*
 * async.c: libetcd's asynchronous API, with 100 requests in flight and a watch.
 *
 * 1. Read the prefix once (asynchronously) to learn etcd's current index.
 * 2. Watch the prefix recursively from that index + 1, so that no change is missed,
 *    and print the first WATCH_EVENTS events; then cancel the watch.
 * 3. Meanwhile set NKEYS keys, then get each one back and check its value, keeping
 *    IN_FLIGHT requests in flight: every callback tops the window up again.
 * 4. Delete the prefix and stop. A deadline cancels whatever is left, so the program
 *    always ends.
 *
 *   cc async.c $(pkg-config --cflags --libs libetcd) -o async
 *   ./async [ENDPOINTS]      (or ETCD_ENDPOINTS=...; default http://127.0.0.1:2379)
 *
 * Needs an etcd started with --enable-v2.
 */
#define _POSIX_C_SOURCE 200809L

#include <etcd/etcd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PREFIX "/examples/async"
#define NKEYS 1000
#define IN_FLIGHT 100
#define WATCH_EVENTS 10
#define DEADLINE_MS 15000

typedef struct app {
    etcd_client *client;
    etcd_watch *watch; /* NULL once it is cancelled */
    int watch_events;

    int set_done[NKEYS]; /* a key is read back only once its set completed */
    int next_set, next_get;
    int completed, inflight, errors;
    int stopping; /* deadline passed or setup failed: start nothing new */
    struct timespec started;
} app;

/* What each request carries to its callback: the app and the key's number. */
typedef struct op {
    app *app;
    int index;
} op;

static op ops[NKEYS];

static double elapsed_s(const struct timespec *since)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) +
           (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

static void key_of(int i, char *buf, size_t size)
{
    snprintf(buf, size, PREFIX "/k%04d", i);
}

static void value_of(int i, char *buf, size_t size)
{
    snprintf(buf, size, "value-%d", i);
}

static void report_error(app *a, const char *what, const etcd_response *resp)
{
    char line[512];

    /* Print a few; count them all. */
    if (a->errors++ < 5)
        fprintf(stderr, "%s: %s\n", what,
                etcd_response_describe(resp, line, sizeof(line)));
}

static void top_up(app *a);

/* ---- The watch ------------------------------------------------------------------- */

/* Called once per event, on errors (the watch reconnects by itself), and a last time
 * with ETCD_ECANCELED. resp is borrowed: copy what you keep. */
static void on_event(etcd_watch *watch, const etcd_response *resp, void *data)
{
    app *a = data;
    char line[512];

    switch (resp->status) {
    case ETCD_OK:
        printf("watch: %-6s %s = %.*s (index %llu)\n", etcd_action_name(resp->action),
               resp->node->key, resp->node->value ? (int)resp->node->value_len : 0,
               resp->node->value ? resp->node->value : "",
               (unsigned long long)resp->node->modified_index);
        if (++a->watch_events == WATCH_EVENTS) {
            printf("watch: %d events seen, cancelling\n", WATCH_EVENTS);
            etcd_watch_cancel(watch); /* allowed from inside the callback */
        }
        break;
    case ETCD_ECANCELED:
        printf("watch: stopped after %d events\n", a->watch_events);
        a->watch = NULL; /* the handle is freed when we return */
        break;
    case ETCD_ECLEARED:
        /* History was cleared: a real program re-reads the keys and resumes with
         * etcd_watch_resume(). Here we just stop. */
        printf("watch: %s; stopping\n", etcd_response_describe(resp, line, sizeof(line)));
        etcd_watch_cancel(watch);
        break;
    default:
        printf("watch: %s (reconnecting)\n",
               etcd_response_describe(resp, line, sizeof(line)));
        break;
    }
}

/* ---- The load: sets, then gets ------------------------------------------------------
 */

static void on_deleted(etcd_client *client, const etcd_response *resp, void *data)
{
    app *a = data;

    (void)client;
    if (resp->status != ETCD_OK)
        report_error(a, "delete " PREFIX, resp);
    printf("deleted %s; %d requests in %.3f s (%.0f/s), %d errors\n", PREFIX,
           a->completed, elapsed_s(&a->started), a->completed / elapsed_s(&a->started),
           a->errors);
}

static void on_set(etcd_client *client, const etcd_response *resp, void *data)
{
    op *o = data;
    app *a = o->app;

    (void)client;
    a->inflight--;
    a->completed++;
    if (resp->status == ETCD_OK)
        a->set_done[o->index] = 1;
    else
        report_error(a, "set", resp);
    top_up(a); /* start new requests from inside the callback */
}

static void on_get(etcd_client *client, const etcd_response *resp, void *data)
{
    op *o = data;
    app *a = o->app;
    char value[32];

    (void)client;
    a->inflight--;
    a->completed++;
    value_of(o->index, value, sizeof(value));
    if (resp->status != ETCD_OK)
        report_error(a, "get", resp);
    else if (!resp->node->value || resp->node->value_len != strlen(value) ||
             memcmp(resp->node->value, value, resp->node->value_len) != 0)
        fprintf(stderr, "get %s: wrong value (error %d)\n", resp->node->key, ++a->errors);
    top_up(a);
}

/* Start requests until IN_FLIGHT are in flight or nothing is left to start. */
static void top_up(app *a)
{
    static const etcd_keys_opts recursive = {.recursive = 1};
    char key[64], value[32];
    int rc;

    while (!a->stopping && a->inflight < IN_FLIGHT) {
        op *o;

        if (a->next_set < NKEYS) {
            o = &ops[a->next_set++];
            key_of(o->index, key, sizeof(key));
            value_of(o->index, value, sizeof(value));
            /* The key and value are copied: they may live on the stack. */
            rc = etcd_keys_set(a->client, key, value, NULL, on_set, o);
        } else if (a->next_get < NKEYS && a->set_done[a->next_get]) {
            o = &ops[a->next_get++];
            key_of(o->index, key, sizeof(key));
            rc = etcd_keys_get(a->client, key, NULL, on_get, o);
        } else if (a->next_get < NKEYS && a->next_get < a->next_set) {
            if (a->inflight > 0)
                return;    /* that key's set is still in flight: wait for it */
            a->next_get++; /* its set failed: nothing to read back */
            continue;
        } else {
            if (a->inflight == 0 && a->next_get == NKEYS) {
                a->next_get++; /* all done: clean up, once */
                rc = etcd_keys_delete(a->client, PREFIX, &recursive, on_deleted, a);
                if (rc != ETCD_OK)
                    fprintf(stderr, "delete: %s\n", etcd_strerror(rc));
            }
            return;
        }
        /* An error here means the callback will never be called. */
        if (rc != ETCD_OK) {
            fprintf(stderr, "cannot start a request: %s\n", etcd_strerror(rc));
            a->errors++;
            a->stopping = 1;
            return;
        }
        a->inflight++;
    }
}

/* ---- Start: read the prefix, then watch from the next index and load ----------------
 */

static void on_first_read(etcd_client *client, const etcd_response *resp, void *data)
{
    app *a = data;
    etcd_watch_opts wopts = {0};
    int rc;

    /* A missing prefix (error 100) is fine: every answer carries X-Etcd-Index. */
    if (resp->status != ETCD_OK &&
        !(resp->status == ETCD_EETCD && resp->error.code == 100)) {
        report_error(a, "read " PREFIX, resp);
        a->stopping = 1;
        return;
    }
    wopts.wait_index = resp->info.etcd_index + 1;
    wopts.recursive = 1;
    rc = etcd_watch_start(client, PREFIX, &wopts, on_event, a, &a->watch);
    if (rc != ETCD_OK)
        fprintf(stderr, "cannot watch %s: %s\n", PREFIX, etcd_strerror(rc));
    printf("watching %s from index %llu; %d sets then %d gets, %d in flight\n", PREFIX,
           (unsigned long long)wopts.wait_index, NKEYS, NKEYS, IN_FLIGHT);
    clock_gettime(CLOCK_MONOTONIC, &a->started);
    top_up(a);
}

int main(int argc, char **argv)
{
    const char *endpoints = argc > 1 ? argv[1] : getenv("ETCD_ENDPOINTS");
    etcd_client_opts opts;
    struct timespec begin;
    static app a;
    int i, rc;

    for (i = 0; i < NKEYS; i++) {
        ops[i].app = &a;
        ops[i].index = i;
    }
    etcd_client_opts_init(&opts);
    opts.endpoints = endpoints && *endpoints ? endpoints : "http://127.0.0.1:2379";
    opts.max_connections = IN_FLIGHT; /* beyond it, requests wait in the client's queue */
    opts.request_timeout_ms = 5000;
    rc = etcd_client_new(&opts, &a.client);
    if (rc != ETCD_OK) {
        fprintf(stderr, "cannot create a client for %s: %s\n", opts.endpoints,
                etcd_strerror(rc));
        return EXIT_FAILURE;
    }

    rc = etcd_keys_get(a.client, PREFIX, NULL, on_first_read, &a);
    if (rc != ETCD_OK) {
        fprintf(stderr, "get %s: %s\n", PREFIX, etcd_strerror(rc));
        etcd_client_free(a.client);
        return EXIT_FAILURE;
    }

    /* The library's own loop, one slice at a time so that we can check the deadline.
     * etcd_client_pending() counts requests and watches not yet completed. */
    clock_gettime(CLOCK_MONOTONIC, &begin);
    while (etcd_client_pending(a.client) > 0) {
        etcd_client_run_once(a.client, 100);
        if (!a.stopping && elapsed_s(&begin) * 1000 > DEADLINE_MS) {
            fprintf(stderr, "deadline of %d ms passed: stopping\n", DEADLINE_MS);
            a.stopping = 1;
            a.errors++;
        }
        /* The watch is cancelled once the load is over, or at the deadline. */
        if (a.watch && (a.stopping || a.next_get > NKEYS))
            etcd_watch_cancel(a.watch);
    }

    etcd_client_free(a.client);
    return a.errors ? EXIT_FAILURE : EXIT_SUCCESS;
}
