/*
 * etcd_bench: libetcd's side of the throughput benchmark (tests/bench/run-bench.sh).
 *
 * For a fixed time it sends one kind of request to one key, checks every answer and
 * prints one line of results:
 *   get       asynchronous GETs, keeping -c requests in flight (max_connections -c)
 *   set       asynchronous PUTs of the same form body (value=...), -c in flight
 *   sync-get  etcd_keys_get_sync() in a loop, one connection
 *   range     v3: asynchronous etcd_v3_range() of the key (POST /v3/kv/range
 *             {"key":base64}), -c in flight
 *   put       v3: asynchronous etcd_v3_put() of the key and value (POST /v3/kv/put
 *             {"key":base64,"value":base64}), -c in flight
 * Before measuring it sets the key to the value (v2 or v3, as the mode), so that every
 * read can be checked. It exits 0 when every request succeeded and every read returned
 * the value, 1 otherwise.
 */
#define _POSIX_C_SOURCE 200809L

#include <etcd/etcd.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_KEY "/bench/key"
/* 64 bytes that need no escaping, so the form body is the same for wrk. */
#define DEFAULT_VALUE "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define MAX_SHOWN_ERRORS 3

typedef enum bench_mode {
    MODE_GET,
    MODE_SET,
    MODE_SYNC_GET,
    MODE_RANGE, /* v3 */
    MODE_PUT    /* v3 */
} bench_mode;

static const char *const mode_names[] = {"get", "set", "sync-get", "range", "put"};

typedef struct bench {
    etcd_client *client;
    bench_mode mode;
    const char *key;
    const char *value;
    size_t value_len;
    long depth; /* requests to keep in flight */
    uint64_t deadline_ns;
    long inflight;
    unsigned long long done, errors;
    int stop;
} bench;

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time (user + system) this process used so far, in microseconds. */
static double cpu_us(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: etcd_bench [-e URL] [-k KEY] [-v VALUE] [-c N] [-d SECONDS] "
            "[-w SECONDS] get|set|sync-get|range|put\n"
            "  -e URL      endpoint (default $ETCD_ENDPOINTS, else "
            "http://127.0.0.1:2379)\n"
            "  -k KEY      key (default " DEFAULT_KEY ")\n"
            "  -v VALUE    value to set and expect (default 64 bytes)\n"
            "  -c N        requests in flight and max_connections (default 16; "
            "sync-get: 1)\n"
            "  -d SECONDS  measured duration (default 5)\n"
            "  -w SECONDS  warm-up on the same client before measuring (default 0)\n");
}

static int parse_number(const char *text, const char *what, double min, double max,
                        double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(text, &end);
    if (errno || end == text || *end || v < min || v > max) {
        fprintf(stderr, "etcd_bench: %s must be a number from %g to %g, not \"%s\"\n",
                what, min, max, text);
        return -1;
    }
    *out = v;
    return 0;
}

static int is_v3(bench_mode mode)
{
    return mode == MODE_RANGE || mode == MODE_PUT;
}

static etcd_bytes bytes(const char *s, size_t len)
{
    etcd_bytes b = {s, len};

    return b;
}

/* Why a successful v3 answer is wrong, or NULL: a range holds exactly the pair, a put
 * has a header with a revision. */
static const char *check_v3(const bench *b, const etcd_response *resp)
{
    const etcd_kv *kv = resp->v3.kvs;

    if (!resp->header || resp->header->revision <= 0)
        return "no header or revision in the answer";
    if (b->mode == MODE_PUT)
        return NULL;
    if (resp->v3.nkvs != 1 || !kv)
        return "not exactly one pair in the range";
    if (kv->key_len != strlen(b->key) || memcmp(kv->key, b->key, kv->key_len) != 0)
        return "wrong key";
    if (!kv->value || kv->value_len != b->value_len ||
        memcmp(kv->value, b->value, b->value_len) != 0)
        return "wrong or missing value";
    return NULL;
}

/* Count an answer; show the first few failures with etcd's or curl's reason. */
static void check(bench *b, const etcd_response *resp)
{
    const etcd_node *n = resp->node;
    char line[512];
    const char *why = NULL;

    if (resp->status != ETCD_OK)
        why = etcd_response_describe(resp, line, sizeof(line));
    else if (is_v3(b->mode))
        why = check_v3(b, resp);
    else if (b->mode == MODE_SET && resp->action != ETCD_ACTION_SET)
        why = "action is not set";
    else if (!n || !n->value || n->value_len != b->value_len ||
             memcmp(n->value, b->value, b->value_len) != 0)
        why = "wrong or missing value";
    b->done++;
    if (!why)
        return;
    if (b->errors++ < MAX_SHOWN_ERRORS)
        fprintf(stderr, "etcd_bench: %s %s: %s\n", mode_names[b->mode], b->key, why);
}

static void issue(bench *b);

static void on_response(etcd_client *client, const etcd_response *resp, void *data)
{
    bench *b = data;

    (void)client;
    b->inflight--;
    check(b, resp);
    issue(b);
}

/* Keep b->depth requests in flight until the deadline. */
static void issue(bench *b)
{
    int rc;

    while (!b->stop && b->inflight < b->depth) {
        if (now_ns() >= b->deadline_ns) {
            b->stop = 1;
            break;
        }
        switch (b->mode) {
        case MODE_SET:
            rc = etcd_keys_set(b->client, b->key, b->value, NULL, on_response, b);
            break;
        case MODE_RANGE:
            rc = etcd_v3_range(b->client, bytes(b->key, ETCD_STRLEN), NULL, on_response,
                               b);
            break;
        case MODE_PUT:
            rc = etcd_v3_put(b->client, bytes(b->key, ETCD_STRLEN),
                             bytes(b->value, b->value_len), NULL, on_response, b);
            break;
        default:
            rc = etcd_keys_get(b->client, b->key, NULL, on_response, b);
            break;
        }
        if (rc != ETCD_OK) {
            fprintf(stderr, "etcd_bench: cannot start a request: %s\n",
                    etcd_strerror(rc));
            b->errors++;
            b->stop = 1;
            break;
        }
        b->inflight++;
    }
}

static void run_async(bench *b, double seconds)
{
    b->stop = 0;
    b->deadline_ns = now_ns() + (uint64_t)(seconds * 1e9);
    issue(b);
    etcd_client_run(b->client);
}

static void run_sync(bench *b, double seconds)
{
    etcd_response *resp;

    b->deadline_ns = now_ns() + (uint64_t)(seconds * 1e9);
    while (now_ns() < b->deadline_ns) {
        etcd_keys_get_sync(b->client, b->key, NULL, &resp);
        if (resp) {
            check(b, resp);
            etcd_response_free(resp);
        } else {
            b->done++;
            b->errors++;
        }
    }
}

static void run(bench *b, double seconds)
{
    if (b->mode == MODE_SYNC_GET)
        run_sync(b, seconds);
    else
        run_async(b, seconds);
}

int main(int argc, char **argv)
{
    const char *endpoints = getenv("ETCD_ENDPOINTS");
    double duration = 5, warmup = 0, depth = 16, seconds;
    etcd_client_opts opts;
    etcd_response *resp = NULL;
    bench b;
    uint64_t t0;
    double cpu0, cpu;
    char line[512];
    size_t i;
    int opt, rc;

    memset(&b, 0, sizeof(b));
    b.key = DEFAULT_KEY;
    b.value = DEFAULT_VALUE;
    while ((opt = getopt(argc, argv, "e:k:v:c:d:w:h")) != -1) {
        switch (opt) {
        case 'e':
            endpoints = optarg;
            break;
        case 'k':
            b.key = optarg;
            break;
        case 'v':
            b.value = optarg;
            break;
        case 'c':
            if (parse_number(optarg, "-c", 1, 10000, &depth))
                return 2;
            break;
        case 'd':
            if (parse_number(optarg, "-d", 0, 3600, &duration))
                return 2;
            break;
        case 'w':
            if (parse_number(optarg, "-w", 0, 3600, &warmup))
                return 2;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind + 1 != argc) {
        usage(stderr);
        return 2;
    }
    for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
        if (strcmp(argv[optind], mode_names[i]) == 0)
            break;
    }
    if (i == sizeof(mode_names) / sizeof(mode_names[0])) {
        fprintf(stderr, "etcd_bench: unknown mode \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    b.mode = (bench_mode)i;
    if (b.mode == MODE_SYNC_GET)
        depth = 1;
    b.depth = (long)depth;
    b.value_len = strlen(b.value);

    etcd_client_opts_init(&opts);
    opts.endpoints = endpoints && *endpoints ? endpoints : "http://127.0.0.1:2379";
    opts.max_connections = (unsigned)b.depth;
    opts.request_timeout_ms = 10000; /* a stuck request ends the run, not hangs it */
    rc = etcd_client_new(&opts, &b.client);
    if (rc != ETCD_OK) {
        fprintf(stderr, "etcd_bench: cannot create a client for %s: %s\n", opts.endpoints,
                etcd_strerror(rc));
        return 1;
    }

    /* The key every read reads; also checks that etcd answers at all. */
    if (is_v3(b.mode))
        rc = etcd_v3_put_sync(b.client, bytes(b.key, ETCD_STRLEN),
                              bytes(b.value, b.value_len), NULL, &resp);
    else
        rc = etcd_keys_set_sync(b.client, b.key, b.value, NULL, &resp);
    if (rc != ETCD_OK) {
        fprintf(stderr, "etcd_bench: set %s on %s failed: %s\n", b.key, opts.endpoints,
                resp ? etcd_response_describe(resp, line, sizeof(line))
                     : etcd_strerror(rc));
        etcd_response_free(resp);
        etcd_client_free(b.client);
        return 1;
    }
    etcd_response_free(resp);

    if (warmup > 0) {
        run(&b, warmup);
        b.done = 0;
        b.errors = 0;
    }
    cpu0 = cpu_us();
    t0 = now_ns();
    run(&b, duration);
    seconds = (double)(now_ns() - t0) / 1e9;
    cpu = cpu_us() - cpu0;

    /* cpu_us_per_req: the client's own CPU time (user + system) per request. */
    printf("libetcd mode=%s inflight=%ld requests=%llu errors=%llu seconds=%.3f "
           "rps=%.1f cpu_us_per_req=%.1f\n",
           mode_names[b.mode], b.depth, b.done, b.errors, seconds,
           seconds > 0 ? (double)b.done / seconds : 0.0,
           b.done ? cpu / (double)b.done : 0.0);
    etcd_client_free(b.client);
    return b.errors || !b.done ? 1 : 0;
}
