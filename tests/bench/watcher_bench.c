/*
 * watcher_bench: the measuring half of watcher-bench.sh (the watcher's benchmarks).
 * It talks to etcd's v2 keys API with bare libcurl and prints figures; it never judges
 * them (the script compares them with the targets).
 *
 *   watcher_bench seed -e URL -p PREFIX -n N [-d DIRS] [-c INFLIGHT] [-t TAG]
 *       PUT N keys: PREFIX/kNNNNN, or PREFIX/dNNN/kNNNNN spread over DIRS directories,
 *       each value a host:port of about 15 bytes, followed by -TAG when given;
 *       INFLIGHT PUTs at a time.
 *
 *   watcher_bench latency -e URL -k KEY -f FILE [-n CHANGES] [-g GAP_MS] [-o CSV]
 *       CHANGES times: start a plain v2 wait (KEY?wait=true&waitIndex=N) and wait for
 *       etcd to answer its headers (the wait is then registered), pause GAP_MS, then PUT
 *       a new value to KEY and time, from just before the PUT is sent, (1) the wait's
 *       answer (the floor) and (2) FILE holding the new value followed by a newline (the
 *       watcher's template is {{getv KEY}} and a newline). FILE is followed with inotify
 *       on its directory (rename over it: IN_MOVED_TO; rewrite in place: IN_CLOSE_WRITE)
 *       and re-read on each event. Both use one timestamp per wake-up of
 *       curl_multi_poll(), so neither side pays for the other's processing. Prints
 *       p50/p99 of both and of their per-change difference; -o writes every sample.
 *
 *   watcher_bench rss-floor -e URL -p PREFIX
 *       The memory floor of any libcurl program on this system: after
 *       curl_global_init() and one recursive GET of PREFIX (body discarded), print this
 *       process's VmHWM, RssAnon and RssFile (kB) from /proc/self/status.
 *
 * With -a v3 every command speaks etcd's v3 gateway instead (the same keys, in v3's
 * keyspace): seed POSTs /v3/kv/put; rss-floor POSTs one /v3/kv/range of the prefix;
 * latency reads the key's revision, then opens ONE raw /v3/watch stream of the key from
 * the next revision (the floor: it stays open for every change, as the watcher's does,
 * and etcd has registered it once it answered "created"), and each change is a
 * /v3/kv/put; the floor's time is when the stream has delivered the whole message
 * (through its newline) holding the new value. Also printed: the PUT's acknowledgement
 * time (put_*), and the file's and the stream's times after that acknowledgement
 * (file_ack_*, floor_ack_*; the stream may see a change before the PUT's answer, so
 * floor_ack can be negative).
 */
#define _GNU_SOURCE /* memmem */

#include <curl/curl.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"

#define BODY_MAX (64u * 1024)
#define STEP_TIMEOUT_US 10000000.0 /* one change: 10 s, then the run fails */

static const char *prog = "watcher_bench";
static int api_v3; /* -a v3: the v3 gateway, not /v2/keys */
static struct curl_slist
    *json_headers; /* v3: Content-Type: application/json, no Expect */

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int parse_ulong(const char *s, unsigned long min, unsigned long max,
                       unsigned long *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = (unsigned long)v;
    return 0;
}

/* ---- A bounded response body --------------------------------------------------------
 */

typedef struct body {
    char buf[BODY_MAX + 1];
    size_t len;
    int too_big;
} body;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *data)
{
    body *b = data;
    size_t n = size * nmemb;

    if (b->len + n > BODY_MAX) {
        b->too_big = 1;
        return 0; /* curl fails the transfer */
    }
    memcpy(b->buf + b->len, ptr, n);
    b->len += n;
    b->buf[b->len] = '\0';
    return n;
}

/* The first "modifiedIndex" of a v2 answer: the node's (it comes before prevNode). */
static uint64_t modified_index(const body *b)
{
    const char *p = strstr(b->buf, "\"modifiedIndex\":");

    return p ? strtoull(p + 16, NULL, 10) : 0;
}

static int http_status(CURL *easy, CURLcode rc, const char *what)
{
    long status = 0;

    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status < 200 || status > 299) {
        fprintf(stderr, "%s: %s: %s, HTTP %ld\n", prog, what, curl_easy_strerror(rc),
                status);
        return -1;
    }
    return 0;
}

/* ---- seed ---------------------------------------------------------------------------
 */

typedef struct seed_slot {
    CURL *easy;
    body resp;
    char url[1024];
    char form[640];
} seed_slot;

/* A v3 put body {"key":base64,"value":base64} of key and value into out. */
static void v3_put_body(char *out, size_t size, const char *key, const char *value)
{
    char k[BENCH_BASE64_SIZE(256)], v[BENCH_BASE64_SIZE(128)];
    size_t klen = strlen(key), vlen = strlen(value);

    if (klen > 256 || vlen > 128) { /* the benchmark's own keys and values never are */
        snprintf(out, size, "{}");
        return;
    }
    bench_base64(key, klen, k);
    bench_base64(value, vlen, v);
    snprintf(out, size, "{\"key\":\"%s\",\"value\":\"%s\"}", k, v);
}

/* v3: POST url with a JSON body on easy. */
static void v3_post(CURL *easy, const char *url, const char *json)
{
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, json_headers);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, json);
}

static void seed_key(const char *endpoint, const char *prefix, const char *tag,
                     unsigned long i, unsigned long dirs, seed_slot *s)
{
    if (api_v3) {
        char key[1024], value[128];

        if (dirs)
            snprintf(key, sizeof(key), "%s/d%03lu/k%05lu", prefix, i % dirs, i);
        else
            snprintf(key, sizeof(key), "%s/k%05lu", prefix, i);
        snprintf(value, sizeof(value), "10.%lu.%lu.%lu:%lu%s%s", (i >> 16) & 255,
                 (i >> 8) & 255, i & 255, 8000 + i % 1000, tag ? "-" : "",
                 tag ? tag : "");
        snprintf(s->url, sizeof(s->url), "%s/v3/kv/put", endpoint);
        v3_put_body(s->form, sizeof(s->form), key, value);
        s->resp.len = 0;
        v3_post(s->easy, s->url, s->form);
        curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, &s->resp);
        curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
        curl_easy_setopt(s->easy, CURLOPT_TIMEOUT, 30L);
        return;
    }
    if (dirs)
        snprintf(s->url, sizeof(s->url), "%s/v2/keys%s/d%03lu/k%05lu", endpoint, prefix,
                 i % dirs, i);
    else
        snprintf(s->url, sizeof(s->url), "%s/v2/keys%s/k%05lu", endpoint, prefix, i);
    snprintf(s->form, sizeof(s->form), "value=10.%lu.%lu.%lu:%lu%s%s", (i >> 16) & 255,
             (i >> 8) & 255, i & 255, 8000 + i % 1000, tag ? "-" : "", tag ? tag : "");
    s->resp.len = 0;
    curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
    curl_easy_setopt(s->easy, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->form);
    curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, &s->resp);
    curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
    curl_easy_setopt(s->easy, CURLOPT_TIMEOUT, 30L);
}

static int cmd_seed(const char *endpoint, const char *prefix, const char *tag,
                    unsigned long n, unsigned long dirs, unsigned long inflight)
{
    CURLM *multi = curl_multi_init();
    seed_slot *slots = calloc(inflight, sizeof(*slots));
    unsigned long next = 0, done = 0, i;
    int running = 0, errors = 0;
    double t0 = now_us();

    if (!multi || !slots) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)inflight);
    for (i = 0; i < inflight && next < n; i++) {
        slots[i].easy = curl_easy_init();
        if (!slots[i].easy)
            return 1;
        seed_key(endpoint, prefix, tag, next++, dirs, &slots[i]);
        curl_multi_add_handle(multi, slots[i].easy);
    }
    while (done < n && !errors) {
        CURLMsg *msg;
        int left;

        curl_multi_perform(multi, &running);
        while ((msg = curl_multi_info_read(multi, &left))) {
            seed_slot *s;

            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            if (http_status(s->easy, msg->data.result, s->url))
                errors++;
            done++;
            curl_multi_remove_handle(multi, s->easy);
            if (next < n) {
                seed_key(endpoint, prefix, tag, next++, dirs, s);
                curl_multi_add_handle(multi, s->easy);
            }
        }
        if (done < n)
            curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    for (i = 0; i < inflight; i++) {
        if (slots[i].easy) {
            curl_multi_remove_handle(multi, slots[i].easy);
            curl_easy_cleanup(slots[i].easy);
        }
    }
    free(slots);
    curl_multi_cleanup(multi);
    if (errors)
        return 1;
    fprintf(stderr, "%s: seeded %lu keys under %s in %.2f s\n", prog, n, prefix,
            (now_us() - t0) / 1e6);
    return 0;
}

/* ---- latency ------------------------------------------------------------------------
 */

typedef struct wait_req {
    CURL *easy;
    body resp;
    int headers_done; /* etcd answered the headers: the wait is registered */
} wait_req;

static size_t on_wait_header(char *ptr, size_t size, size_t nmemb, void *data)
{
    wait_req *w = data;
    size_t n = size * nmemb;

    if (n == 2 && ptr[0] == '\r' && ptr[1] == '\n')
        w->headers_done = 1;
    return n;
}

typedef struct follow {
    int fd;
    char *path;
    const char *base;
} follow;

/* Whether `path` holds exactly `want` (len bytes). */
static int file_holds(const char *path, const char *want, size_t len)
{
    char buf[4096];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t got;

    if (fd < 0)
        return 0;
    got = read(fd, buf, sizeof(buf));
    close(fd);
    return got == (ssize_t)len && memcmp(buf, want, len) == 0;
}

/* Drain f's inotify events; whether one of them was about the file. */
static int file_touched(const follow *f)
{
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    int touched = 0;

    for (;;) {
        ssize_t n = read(f->fd, buf, sizeof(buf)), off = 0;

        if (n <= 0)
            return touched;
        while (off < n) {
            const struct inotify_event *ev = (const struct inotify_event *)(buf + off);

            if (ev->len && strcmp(ev->name, f->base) == 0)
                touched = 1;
            if (ev->mask & IN_Q_OVERFLOW)
                touched = 1;
            off += (ssize_t)(sizeof(*ev) + ev->len);
        }
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The nearest-rank percentile p (0..100) of n sorted values. */
static double percentile(const double *sorted, size_t n, double p)
{
    size_t rank = (size_t)((p / 100.0) * (double)n + 0.999999);

    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static void summary(const char *name, double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    printf(" %s_p50_ms=%.3f %s_p99_ms=%.3f %s_max_ms=%.3f", name,
           percentile(v, n, 50) / 1e3, name, percentile(v, n, 99) / 1e3, name,
           v[n - 1] / 1e3);
}

static void pause_ms(unsigned long ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* The current modifiedIndex of key (0 when it cannot be read), with a GET of its own. */
static uint64_t key_index(const char *url)
{
    body *b = calloc(1, sizeof(*b));
    CURL *easy = curl_easy_init();
    uint64_t index = 0;
    CURLcode rc;

    if (!b || !easy) {
        free(b);
        curl_easy_cleanup(easy);
        return 0;
    }
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, b);
    rc = curl_easy_perform(easy);
    if (!http_status(easy, rc, url))
        index = modified_index(b);
    curl_easy_cleanup(easy);
    free(b);
    return index;
}

/* v3: the current revision (0 when the key cannot be read or does not exist), with a
 * range of its own. */
static int64_t v3_revision(const char *endpoint, const char *key)
{
    body *b = calloc(1, sizeof(*b));
    CURL *easy = curl_easy_init();
    char url[1100], req[BENCH_BASE64_SIZE(1024) + 16], k[BENCH_BASE64_SIZE(1024)];
    const char *p;
    int64_t revision = 0;
    CURLcode rc;

    if (!b || !easy || strlen(key) > 1024) {
        free(b);
        curl_easy_cleanup(easy);
        return 0;
    }
    bench_base64(key, strlen(key), k);
    snprintf(req, sizeof(req), "{\"key\":\"%s\"}", k);
    snprintf(url, sizeof(url), "%s/v3/kv/range", endpoint);
    v3_post(easy, url, req);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, b);
    rc = curl_easy_perform(easy);
    /* The header comes first: its "revision" is the store's. */
    p = strstr(b->buf, "\"revision\":\"");
    if (!http_status(easy, rc, url) && p && strstr(b->buf, "\"kvs\""))
        revision = strtoll(p + 12, NULL, 10);
    curl_easy_cleanup(easy);
    free(b);
    return revision;
}

/* v3: one raw /v3/watch stream, split into its newline-ended messages. */
typedef struct stream {
    CURL *easy;
    char buf[BODY_MAX + 1];
    size_t len;
    char body[800]; /* the create request */
    char want[256]; /* "value":"<base64>" of the change awaited; "" when none */
    int created;    /* etcd answered "created": the watch is registered */
    int seen;       /* a whole message holding `want` arrived */
    int broken;     /* compacted, canceled, or a message too big */
} stream;

static void stream_message(stream *st, const char *msg, size_t len)
{
    if (memmem(msg, len, "\"created\":true", 14))
        st->created = 1;
    if (memmem(msg, len, "\"compact_revision\"", 18) ||
        memmem(msg, len, "\"canceled\":true", 15)) {
        fprintf(stderr, "%s: the watch stream ended: %.*s\n", prog, (int)len, msg);
        st->broken = 1;
    }
    if (st->want[0] && memmem(msg, len, st->want, strlen(st->want)))
        st->seen = 1;
}

/* Accumulate, then hand over each complete message (never a partial one). */
static size_t on_stream(char *ptr, size_t size, size_t nmemb, void *data)
{
    stream *st = data;
    size_t n = size * nmemb, start = 0, i;

    if (st->len + n > BODY_MAX) {
        fprintf(stderr, "%s: a watch message over %u bytes\n", prog, BODY_MAX);
        st->broken = 1;
        return 0;
    }
    memcpy(st->buf + st->len, ptr, n);
    st->len += n;
    for (i = 0; i < st->len; i++) {
        if (st->buf[i] == '\n') {
            stream_message(st, st->buf + start, i - start);
            start = i + 1;
        }
    }
    memmove(st->buf, st->buf + start, st->len - start);
    st->len -= start;
    return n;
}

typedef struct lat_run {
    CURLM *multi;
    wait_req *wait; /* v2: the floor, a one-shot wait armed before each change */
    stream *st;     /* v3: the floor, one stream for every change */
    CURL *put;
    body *put_resp;
    follow file;
    const char *key;
    char key_url[1024]; /* v2: the key's URL; v3: /v3/kv/put */
    char wait_url[1100];
    char form[640]; /* the PUT's body */
    char expect[128];
    size_t expect_len;
} lat_run;

/* Start the wait for index and return once etcd has registered it. */
static int arm_wait(lat_run *r, uint64_t index)
{
    double deadline = now_us() + STEP_TIMEOUT_US;
    int running;

    snprintf(r->wait_url, sizeof(r->wait_url), "%s?wait=true&waitIndex=%llu", r->key_url,
             (unsigned long long)index);
    r->wait->headers_done = 0;
    r->wait->resp.len = 0;
    r->wait->resp.buf[0] = '\0';
    curl_easy_setopt(r->wait->easy, CURLOPT_URL, r->wait_url);
    curl_multi_add_handle(r->multi, r->wait->easy);
    while (!r->wait->headers_done) {
        CURLMsg *msg;
        int left;

        curl_multi_perform(r->multi, &running);
        msg = curl_multi_info_read(r->multi, &left);
        if (msg && msg->msg == CURLMSG_DONE) {
            /* It answered at once: the index is already there (someone else wrote). */
            fprintf(stderr, "%s: the wait for index %llu answered before the PUT\n", prog,
                    (unsigned long long)index);
            return -1;
        }
        if (now_us() > deadline) {
            fprintf(stderr, "%s: etcd did not register the wait in time\n", prog);
            return -1;
        }
        if (!r->wait->headers_done)
            curl_multi_poll(r->multi, NULL, 0, 100, NULL);
    }
    return 0;
}

/* v3: open the stream of r->key from revision on and return once etcd created it. */
static int open_stream(lat_run *r, const char *endpoint, int64_t revision)
{
    stream *st = r->st;
    double deadline = now_us() + STEP_TIMEOUT_US;
    char k[BENCH_BASE64_SIZE(512)];
    int running;

    if (strlen(r->key) > 512)
        return -1;
    bench_base64(r->key, strlen(r->key), k);
    snprintf(st->body, sizeof(st->body),
             "{\"create_request\":{\"key\":\"%s\",\"start_revision\":\"%lld\"}}", k,
             (long long)revision);
    snprintf(r->wait_url, sizeof(r->wait_url), "%s/v3/watch", endpoint);
    v3_post(st->easy, r->wait_url, st->body);
    curl_easy_setopt(st->easy, CURLOPT_WRITEFUNCTION, on_stream);
    curl_easy_setopt(st->easy, CURLOPT_WRITEDATA, st);
    curl_easy_setopt(st->easy, CURLOPT_TCP_NODELAY, 1L);
    curl_multi_add_handle(r->multi, st->easy);
    while (!st->created) {
        CURLMsg *msg;
        int left;

        curl_multi_perform(r->multi, &running);
        msg = curl_multi_info_read(r->multi, &left);
        if (st->broken || (msg && msg->msg == CURLMSG_DONE)) {
            if (msg)
                http_status(st->easy, msg->data.result, "watch stream");
            fprintf(stderr, "%s: the watch stream ended before it was created\n", prog);
            return -1;
        }
        if (now_us() > deadline) {
            fprintf(stderr, "%s: etcd did not create the watch in time\n", prog);
            return -1;
        }
        if (!st->created)
            curl_multi_poll(r->multi, NULL, 0, 100, NULL);
    }
    return 0;
}

/* The times of one change, from just before its PUT is sent, in microseconds. */
typedef struct change_times {
    double floor, file, put;
} change_times;

/* One change: PUT value i; time the floor's sight of it, the file and the PUT's answer.
 */
static int one_change(lat_run *r, unsigned long i, change_times *t, uint64_t *index)
{
    int wait_done = 0, put_done = 0, file_done = 0, running, failed = 0;
    double t0, deadline;
    struct curl_waitfd extra = {r->file.fd, CURL_WAIT_POLLIN, 0};

    memset(t, 0, sizeof(*t));
    snprintf(r->expect, sizeof(r->expect), "v%lu-%ld", i, (long)getpid());
    if (api_v3) {
        char v[BENCH_BASE64_SIZE(sizeof(r->expect))];

        bench_base64(r->expect, strlen(r->expect), v);
        snprintf(r->st->want, sizeof(r->st->want), "\"value\":\"%s\"", v);
        r->st->seen = 0;
        v3_put_body(r->form, sizeof(r->form), r->key, r->expect);
    } else {
        snprintf(r->form, sizeof(r->form), "value=%s", r->expect);
    }
    r->expect_len = strlen(r->expect);
    r->expect[r->expect_len++] = '\n';
    r->expect[r->expect_len] = '\0';
    r->put_resp->len = 0;
    r->put_resp->buf[0] = '\0';
    curl_easy_setopt(r->put, CURLOPT_POSTFIELDS, r->form);
    file_touched(&r->file); /* forget older events */
    curl_multi_add_handle(r->multi, r->put);
    t0 = now_us();
    deadline = t0 + STEP_TIMEOUT_US;
    curl_multi_perform(r->multi, &running);
    while (!failed && !(wait_done && put_done && file_done)) {
        double woke;
        CURLMsg *msg;
        int left;

        extra.revents = 0;
        curl_multi_poll(r->multi, &extra, 1, 100, NULL);
        woke = now_us();
        if (woke > deadline) {
            fprintf(stderr,
                    "%s: change %lu not seen within %.0f s (floor: %s, file %s: %s)\n",
                    prog, i, STEP_TIMEOUT_US / 1e6, wait_done ? "yes" : "no",
                    r->file.path, file_done ? "yes" : "no");
            return -1;
        }
        if (!file_done && (extra.revents & CURL_WAIT_POLLIN) && file_touched(&r->file) &&
            file_holds(r->file.path, r->expect, r->expect_len)) {
            file_done = 1;
            t->file = woke - t0;
        }
        curl_multi_perform(r->multi, &running);
        if (api_v3 && !wait_done && r->st->seen) {
            wait_done = 1;
            t->floor = woke - t0;
        }
        if (api_v3 && r->st->broken)
            failed = 1;
        while ((msg = curl_multi_info_read(r->multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_multi_remove_handle(r->multi, msg->easy_handle);
            if (msg->easy_handle == r->put) {
                put_done = 1;
                t->put = woke - t0;
                if (http_status(r->put, msg->data.result, "PUT"))
                    failed = 1;
                if (!api_v3)
                    *index = modified_index(r->put_resp);
            } else if (api_v3) {
                http_status(msg->easy_handle, msg->data.result, "watch stream");
                fprintf(stderr, "%s: the watch stream ended\n", prog);
                failed = 1;
            } else {
                wait_done = 1;
                t->floor = woke - t0;
                if (http_status(r->wait->easy, msg->data.result, "wait") ||
                    !memmem(r->wait->resp.buf, r->wait->resp.len, r->expect,
                            r->expect_len - 1)) {
                    fprintf(stderr, "%s: the wait did not see value %.*s: '%s'\n", prog,
                            (int)r->expect_len - 1, r->expect, r->wait->resp.buf);
                    failed = 1;
                }
            }
        }
    }
    return failed ? -1 : 0;
}

static int follow_open(follow *f, const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strdup(path) : strdup(".");

    f->fd = -1;
    f->path = strdup(path);
    if (!dir || !f->path) {
        free(dir);
        return -1;
    }
    f->base = slash ? f->path + (slash - path) + 1 : f->path;
    if (slash)
        dir[slash == path ? 1 : slash - path] = '\0'; /* "/x": "/" */
    f->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (f->fd < 0 || inotify_add_watch(f->fd, dir, IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
        fprintf(stderr, "%s: inotify on %s: %s\n", prog, dir, strerror(errno));
        free(dir);
        return -1;
    }
    free(dir);
    return 0;
}

enum { T_FLOOR, T_FILE, T_PUT, T_EXCESS, T_FILE_ACK, T_FLOOR_ACK, T_COUNT };

static int cmd_latency(const char *endpoint, const char *key, const char *path,
                       unsigned long n, unsigned long gap_ms, const char *csv)
{
    static const char *const names[T_COUNT] = {"floor",  "file",     "put",
                                               "excess", "file_ack", "floor_ack"};
    lat_run r;
    double *v = calloc(n * T_COUNT, sizeof(double));
    change_times t;
    uint64_t index = 0;
    int64_t revision = 0;
    unsigned long i;
    FILE *out = NULL;
    int rc = 1, k;

    memset(&r, 0, sizeof(r));
    r.file.fd = -1;
    r.key = key;
    r.put_resp = calloc(1, sizeof(*r.put_resp));
    r.multi = curl_multi_init();
    r.put = curl_easy_init();
    if (!v || !r.put_resp || !r.multi || !r.put || follow_open(&r.file, path))
        goto out;
    curl_easy_setopt(r.put, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(r.put, CURLOPT_WRITEDATA, r.put_resp);
    curl_easy_setopt(r.put, CURLOPT_TCP_NODELAY, 1L);
    if (api_v3) {
        r.st = calloc(1, sizeof(*r.st));
        if (!r.st || !(r.st->easy = curl_easy_init()))
            goto out;
        snprintf(r.key_url, sizeof(r.key_url), "%s/v3/kv/put", endpoint);
        v3_post(r.put, r.key_url, "{}");
        revision = v3_revision(endpoint, key);
        if (!revision) {
            fprintf(stderr, "%s: cannot read %s with the v3 gateway (put it first)\n",
                    prog, key);
            goto out;
        }
        if (open_stream(&r, endpoint, revision + 1))
            goto out;
    } else {
        r.wait = calloc(1, sizeof(*r.wait));
        if (!r.wait || !(r.wait->easy = curl_easy_init()))
            goto out;
        snprintf(r.key_url, sizeof(r.key_url), "%s/v2/keys%s", endpoint, key);
        curl_easy_setopt(r.put, CURLOPT_URL, r.key_url);
        curl_easy_setopt(r.put, CURLOPT_CUSTOMREQUEST, "PUT");
        curl_easy_setopt(r.wait->easy, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(r.wait->easy, CURLOPT_WRITEDATA, &r.wait->resp);
        curl_easy_setopt(r.wait->easy, CURLOPT_HEADERFUNCTION, on_wait_header);
        curl_easy_setopt(r.wait->easy, CURLOPT_HEADERDATA, r.wait);
        curl_easy_setopt(r.wait->easy, CURLOPT_TCP_NODELAY, 1L);
        index = key_index(r.key_url);
        if (!index) {
            fprintf(stderr, "%s: cannot read %s (set it first)\n", prog, r.key_url);
            goto out;
        }
    }
    if (csv) {
        out = fopen(csv, "w");
        if (!out) {
            fprintf(stderr, "%s: %s: %s\n", prog, csv, strerror(errno));
            goto out;
        }
        fprintf(out, "change,floor_us,file_us,put_us\n");
    }
    for (i = 0; i < n; i++) {
        if (!api_v3 && arm_wait(&r, index + 1))
            goto out;
        pause_ms(gap_ms);
        if (one_change(&r, i, &t, &index))
            goto out;
        v[T_FLOOR * n + i] = t.floor;
        v[T_FILE * n + i] = t.file;
        v[T_PUT * n + i] = t.put;
        v[T_EXCESS * n + i] = t.file - t.floor;
        v[T_FILE_ACK * n + i] = t.file - t.put;
        v[T_FLOOR_ACK * n + i] = t.floor - t.put;
        if (out)
            fprintf(out, "%lu,%.1f,%.1f,%.1f\n", i, t.floor, t.file, t.put);
    }
    printf("latency api=%s changes=%lu gap_ms=%lu", api_v3 ? "v3" : "v2", n, gap_ms);
    for (k = 0; k < T_COUNT; k++)
        summary(names[k], v + (size_t)k * n, n);
    printf("\n");
    rc = 0;
out:
    if (out)
        fclose(out);
    if (r.multi) {
        if (r.put)
            curl_multi_remove_handle(r.multi, r.put);
        if (r.wait && r.wait->easy)
            curl_multi_remove_handle(r.multi, r.wait->easy);
        if (r.st && r.st->easy)
            curl_multi_remove_handle(r.multi, r.st->easy);
    }
    if (r.wait)
        curl_easy_cleanup(r.wait->easy);
    if (r.st)
        curl_easy_cleanup(r.st->easy);
    curl_easy_cleanup(r.put);
    curl_multi_cleanup(r.multi);
    if (r.file.fd >= 0)
        close(r.file.fd);
    free(r.file.path);
    free(r.wait);
    free(r.st);
    free(r.put_resp);
    free(v);
    return rc;
}

/* ---- rss-floor ----------------------------------------------------------------------
 */

static size_t discard(char *ptr, size_t size, size_t nmemb, void *data)
{
    (void)ptr;
    (void)data;
    return size * nmemb;
}

/* The value in kB of a "Name:   N kB" line of /proc/self/status, or -1. */
static long status_kb(const char *name)
{
    char line[256];
    size_t n = strlen(name);
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");

    if (!f)
        return -1;
    while (kb < 0 && fgets(line, sizeof(line), f)) {
        if (strncmp(line, name, n) == 0 && line[n] == ':')
            kb = strtol(line + n + 1, NULL, 10);
    }
    fclose(f);
    return kb;
}

static int cmd_rss_floor(const char *endpoint, const char *prefix)
{
    char url[1100];
    CURL *easy = curl_easy_init();
    CURLcode rc;
    char req[2 * BENCH_BASE64_SIZE(1024) + 32], k[BENCH_BASE64_SIZE(1024)];
    char end[BENCH_BASE64_SIZE(1024)], last[1024];
    size_t n = strlen(prefix);

    if (!easy || n == 0 || n > sizeof(last)) {
        curl_easy_cleanup(easy);
        return 1;
    }
    if (api_v3) { /* the prefix's range: [prefix, prefix with its last byte + 1) */
        memcpy(last, prefix, n);
        last[n - 1] = (char)(last[n - 1] + 1);
        bench_base64(prefix, n, k);
        bench_base64(last, n, end);
        snprintf(req, sizeof(req), "{\"key\":\"%s\",\"range_end\":\"%s\"}", k, end);
        snprintf(url, sizeof(url), "%s/v3/kv/range", endpoint);
        v3_post(easy, url, req);
    } else {
        snprintf(url, sizeof(url), "%s/v2/keys%s?recursive=true", endpoint, prefix);
        curl_easy_setopt(easy, CURLOPT_URL, url);
    }
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    rc = curl_easy_perform(easy);
    if (http_status(easy, rc, url)) {
        curl_easy_cleanup(easy);
        return 1;
    }
    printf("rss_floor hwm_kb=%ld anon_kb=%ld file_kb=%ld\n", status_kb("VmHWM"),
           status_kb("RssAnon"), status_kb("RssFile"));
    curl_easy_cleanup(easy);
    return 0;
}

/* ---- main ---------------------------------------------------------------------------
 */

static int usage(void)
{
    fprintf(stderr,
            "usage: %s seed -e URL -p PREFIX -n N [-d DIRS] [-c INFLIGHT] [-t TAG]\n"
            "       %s latency -e URL -k KEY -f FILE [-n CHANGES] [-g GAP_MS] [-o CSV]\n"
            "       %s rss-floor -e URL -p PREFIX\n"
            "  each also takes -a v2|v3: the API (default v2)\n",
            prog, prog, prog);
    return 2;
}

int main(int argc, char **argv)
{
    const char *endpoint = NULL, *prefix = NULL, *key = NULL, *file = NULL, *csv = NULL,
               *tag = NULL;
    unsigned long n = 200, dirs = 0, inflight = 16, gap_ms = 120;
    int i, rc;

    if (argc < 2)
        return usage();
    for (i = 2; i < argc; i += 2) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;

        if (!val || opt[0] != '-' || !opt[1] || opt[2])
            return usage();
        switch (opt[1]) {
        case 'e':
            endpoint = val;
            break;
        case 'p':
            prefix = val;
            break;
        case 'k':
            key = val;
            break;
        case 'f':
            file = val;
            break;
        case 'o':
            csv = val;
            break;
        case 't':
            tag = val;
            break;
        case 'a':
            if (strcmp(val, "v3") == 0)
                api_v3 = 1;
            else if (strcmp(val, "v2") == 0)
                api_v3 = 0;
            else
                bad = 1;
            break;
        case 'n':
            bad = parse_ulong(val, 1, 10000000, &n);
            break;
        case 'd':
            bad = parse_ulong(val, 0, 100000, &dirs);
            break;
        case 'c':
            bad = parse_ulong(val, 1, 1000, &inflight);
            break;
        case 'g':
            bad = parse_ulong(val, 0, 60000, &gap_ms);
            break;
        default:
            return usage();
        }
        if (bad) {
            fprintf(stderr, "%s: bad value '%s' for %s\n", prog, val, opt);
            return 2;
        }
    }
    if (!endpoint)
        return usage();
    if (curl_global_init(CURL_GLOBAL_DEFAULT))
        return 1;
    json_headers = curl_slist_append(NULL, "Expect:");
    if (json_headers)
        json_headers = curl_slist_append(json_headers, "Content-Type: application/json");
    if (!json_headers) {
        curl_global_cleanup();
        return 1;
    }
    if (strcmp(argv[1], "seed") == 0 && prefix)
        rc = cmd_seed(endpoint, prefix, tag, n, dirs, inflight);
    else if (strcmp(argv[1], "latency") == 0 && key && file)
        rc = cmd_latency(endpoint, key, file, n, gap_ms, csv);
    else if (strcmp(argv[1], "rss-floor") == 0 && prefix)
        rc = cmd_rss_floor(endpoint, prefix);
    else
        rc = usage();
    curl_slist_free_all(json_headers);
    curl_global_cleanup();
    return rc;
}
