/*
 * curl_floor: the same requests as etcd_bench, sent with bare libcurl (no libetcd, no
 * JSON decoding), to show how much of libetcd's cost is libcurl's own
 * (run-bench.sh -f). Bodies are discarded; only the HTTP status is checked.
 *   get       GETs through one multi handle, -c in flight
 *   set       PUTs of the form body value=VALUE, -c in flight
 *   sync-get  curl_easy_perform() in a loop on one easy handle
 *   range     v3: POST /v3/kv/range {"key":base64}, -c in flight
 *   put       v3: POST /v3/kv/put {"key":base64,"value":base64}, -c in flight
 * The v3 bodies are byte for byte the ones libetcd sends (Jansson's compact form) and
 * carry the same headers (Content-Type: application/json, no Expect).
 * -S drives the asynchronous modes with curl's socket API on epoll
 * (curl_multi_socket_action) instead of curl_multi_poll() and curl_multi_perform().
 */
#define _POSIX_C_SOURCE 200809L

#include <curl/curl.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"

#define DEFAULT_VALUE "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

typedef struct floor_run {
    unsigned long long done, errors;
} floor_run;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_us(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * nmemb;
}

static void count(floor_run *run, CURL *easy, CURLcode rc)
{
    long http = 0;

    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &http);
    run->done++;
    if (rc != CURLE_OK || http < 200 || http > 299) {
        if (run->errors++ < 3)
            fprintf(stderr, "curl_floor: %s, HTTP %ld\n", curl_easy_strerror(rc), http);
    }
}

/* The JSON body of a v3 range (value NULL) or put; NULL when out of memory. */
static char *v3_body(const char *key, const char *value)
{
    size_t klen = strlen(key), vlen = value ? strlen(value) : 0;
    size_t n = BENCH_BASE64_SIZE(klen) + BENCH_BASE64_SIZE(vlen) + 32;
    char *k = malloc(BENCH_BASE64_SIZE(klen)), *v = malloc(BENCH_BASE64_SIZE(vlen));
    char *body = malloc(n);

    if (!k || !v || !body) {
        free(k);
        free(v);
        free(body);
        return NULL;
    }
    bench_base64(key, klen, k);
    if (value) {
        bench_base64(value, vlen, v);
        snprintf(body, n, "{\"key\":\"%s\",\"value\":\"%s\"}", k, v);
    } else {
        snprintf(body, n, "{\"key\":\"%s\"}", k);
    }
    free(k);
    free(v);
    return body;
}

static struct curl_slist *json_headers;

static CURL *new_easy(const char *url, const char *body, int v3)
{
    CURL *e = curl_easy_init();

    if (!e)
        return NULL;
    if (v3) {
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, json_headers);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        return e;
    }
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    if (body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT");
    }
    return e;
}

static int run_multi(floor_run *run, const char *url, const char *body, int v3,
                     long depth, double end)
{
    CURLM *multi = curl_multi_init();
    CURL **easy = calloc((size_t)depth, sizeof(*easy));
    int running = 0, left, rc = 0;
    long i;

    if (!multi || !easy) {
        rc = -1;
        goto out;
    }
    for (i = 0; i < depth; i++) {
        easy[i] = new_easy(url, body, v3);
        if (!easy[i] || curl_multi_add_handle(multi, easy[i]) != CURLM_OK) {
            rc = -1;
            goto out;
        }
    }
    for (;;) {
        CURLMsg *msg;

        curl_multi_perform(multi, &running);
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            count(run, msg->easy_handle, msg->data.result);
            curl_multi_remove_handle(multi, msg->easy_handle);
            if (now_s() < end)
                curl_multi_add_handle(multi, msg->easy_handle);
        }
        if (now_s() >= end && running == 0)
            break;
        curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
out:
    for (i = 0; easy && i < depth; i++) {
        if (easy[i]) {
            curl_multi_remove_handle(multi, easy[i]);
            curl_easy_cleanup(easy[i]);
        }
    }
    free(easy);
    curl_multi_cleanup(multi);
    return rc;
}

/* ---- -S: the same transfers driven by curl's socket API on epoll ---------------------
 * curl_multi_socket_action() on the one socket that is ready, instead of
 * curl_multi_poll() + curl_multi_perform() over every transfer: shows what libcurl costs
 * when driven the way an event loop (libuv, libevent, epoll) drives it. */

typedef struct sock_loop {
    CURLM *multi;
    int ep;
    long timeout_ms; /* curl's timer: -1 none */
} sock_loop;

static int on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    sock_loop *l = userp;
    struct epoll_event ev;

    (void)e;
    (void)socketp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(l->ep, EPOLL_CTL_DEL, s, NULL);
        return 0;
    }
    memset(&ev, 0, sizeof(ev));
    ev.data.fd = s;
    ev.events =
        (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
    if (epoll_ctl(l->ep, EPOLL_CTL_MOD, s, &ev) < 0 && errno == ENOENT)
        epoll_ctl(l->ep, EPOLL_CTL_ADD, s, &ev);
    return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    sock_loop *l = userp;

    (void)multi;
    l->timeout_ms = timeout_ms;
    return 0;
}

static int run_socket(floor_run *run, const char *url, const char *body, int v3,
                      long depth, double end)
{
    sock_loop l = {curl_multi_init(), epoll_create1(EPOLL_CLOEXEC), -1};
    CURL **easy = calloc((size_t)depth, sizeof(*easy));
    int running = 1, left, rc = 0;
    long i;

    if (!l.multi || l.ep < 0 || !easy) {
        rc = -1;
        goto out;
    }
    curl_multi_setopt(l.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(l.multi, CURLMOPT_SOCKETDATA, &l);
    curl_multi_setopt(l.multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(l.multi, CURLMOPT_TIMERDATA, &l);
    for (i = 0; i < depth; i++) {
        easy[i] = new_easy(url, body, v3);
        if (!easy[i] || curl_multi_add_handle(l.multi, easy[i]) != CURLM_OK) {
            rc = -1;
            goto out;
        }
    }
    while (running > 0 || now_s() < end) {
        struct epoll_event evs[64];
        long wait = l.timeout_ms < 0 || l.timeout_ms > 1000 ? 1000 : l.timeout_ms;
        int n = epoll_wait(l.ep, evs, 64, (int)wait), k;
        CURLMsg *msg;

        if (n <= 0) {
            l.timeout_ms = -1;
            curl_multi_socket_action(l.multi, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        for (k = 0; k < n; k++) {
            int flags = (evs[k].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                        (evs[k].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                        (evs[k].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);

            curl_multi_socket_action(l.multi, evs[k].data.fd, flags, &running);
        }
        while ((msg = curl_multi_info_read(l.multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            count(run, msg->easy_handle, msg->data.result);
            curl_multi_remove_handle(l.multi, msg->easy_handle);
            if (now_s() < end) {
                curl_multi_add_handle(l.multi, msg->easy_handle);
                running++;
            }
        }
    }
out:
    for (i = 0; easy && i < depth; i++) {
        if (easy[i]) {
            curl_multi_remove_handle(l.multi, easy[i]);
            curl_easy_cleanup(easy[i]);
        }
    }
    free(easy);
    if (l.ep >= 0)
        close(l.ep);
    curl_multi_cleanup(l.multi);
    return rc;
}

static int run_easy(floor_run *run, const char *url, double end)
{
    CURL *e = new_easy(url, NULL, 0);

    if (!e)
        return -1;
    while (now_s() < end)
        count(run, e, curl_easy_perform(e));
    curl_easy_cleanup(e);
    return 0;
}

int main(int argc, char **argv)
{
    const char *endpoint = "http://127.0.0.1:2379", *key = "/bench/key";
    const char *value = DEFAULT_VALUE, *mode;
    double duration = 5, t0, cpu0, seconds;
    long depth = 16;
    floor_run run = {0, 0};
    char url[1024], *body = NULL, *end;
    int opt, rc, v3, socket_api = 0;

    while ((opt = getopt(argc, argv, "e:k:v:c:d:S")) != -1) {
        errno = 0;
        switch (opt) {
        case 'e':
            endpoint = optarg;
            break;
        case 'k':
            key = optarg;
            break;
        case 'S':
            socket_api = 1;
            break;
        case 'v':
            value = optarg;
            break;
        case 'c':
            depth = strtol(optarg, &end, 10);
            if (errno || *end || depth < 1 || depth > 10000)
                depth = -1;
            break;
        case 'd':
            duration = strtod(optarg, &end);
            if (errno || *end || duration < 0 || duration > 3600)
                duration = -1;
            break;
        default:
            depth = -1;
        }
    }
    if (depth < 0 || duration < 0 || optind + 1 != argc) {
        fprintf(stderr, "usage: curl_floor [-e URL] [-k KEY] [-v VALUE] [-c N] "
                        "[-d SECONDS] [-S] get|set|sync-get|range|put\n");
        return 2;
    }
    mode = argv[optind];
    v3 = strcmp(mode, "range") == 0 || strcmp(mode, "put") == 0;
    if (v3)
        snprintf(url, sizeof(url), "%s/v3/kv/%s", endpoint, mode);
    else
        snprintf(url, sizeof(url), "%s/v2/keys%s", endpoint, key);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    if (v3) {
        body = v3_body(key, strcmp(mode, "put") == 0 ? value : NULL);
        json_headers = curl_slist_append(NULL, "Expect:");
        if (json_headers)
            json_headers =
                curl_slist_append(json_headers, "Content-Type: application/json");
        if (!body || !json_headers)
            return 1;
    } else if (strcmp(mode, "set") == 0) {
        size_t n = strlen("value=") + strlen(value) + 1;

        body = malloc(n);
        if (!body)
            return 1;
        snprintf(body, n, "value=%s", value);
    }

    cpu0 = cpu_us();
    t0 = now_s();
    if (strcmp(mode, "sync-get") == 0) {
        depth = 1;
        rc = run_easy(&run, url, t0 + duration);
    } else if (v3 || strcmp(mode, "get") == 0 || strcmp(mode, "set") == 0) {
        rc = (socket_api ? run_socket : run_multi)(&run, url, body, v3, depth,
                                                   t0 + duration);
    } else {
        fprintf(stderr, "curl_floor: unknown mode \"%s\"\n", mode);
        rc = 2;
    }
    seconds = now_s() - t0;
    if (rc == 0)
        printf("curl%s mode=%s inflight=%ld requests=%llu errors=%llu seconds=%.3f "
               "rps=%.1f cpu_us_per_req=%.1f\n",
               socket_api ? "-socket" : "", mode, depth, run.done, run.errors, seconds,
               seconds > 0 ? (double)run.done / seconds : 0.0,
               run.done ? (cpu_us() - cpu0) / (double)run.done : 0.0);
    free(body);
    curl_slist_free_all(json_headers);
    curl_global_cleanup();
    if (rc)
        return rc < 0 ? 1 : rc;
    return run.errors || !run.done ? 1 : 0;
}
