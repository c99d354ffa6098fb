/*
 * Integration test of the engine under load against a real etcd: 10,000 concurrent
 * asynchronous gets on one client all complete with the right values, over no more
 * connections than max_connections (default 16). Connections are counted from
 * /proc/net/tcp while the requests run.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "etcd/etcd.h"
#include "itest.h"

static unsigned long etcd_port;

static int suite_init(void)
{
    const char *p;
    char *end;

    if (itest_suite_init() != 0) {
        return -1;
    }
    p = strrchr(itest.endpoint, ':');
    if (p == NULL) {
        return -1;
    }
    errno = 0;
    etcd_port = strtoul(p + 1, &end, 10);
    if (errno != 0 || end == p + 1 || etcd_port == 0 || etcd_port > 65535) {
        fprintf(stderr, "\n  cannot read the port of %s\n", itest.endpoint);
        return -1;
    }
    return 0;
}

/* The inodes of this process's sockets, from /proc/self/fd. */
static size_t own_sockets(unsigned long *inodes, size_t max)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    size_t n = 0;

    if (d == NULL) {
        return 0;
    }
    while ((e = readdir(d)) != NULL && n < max) {
        char path[300];
        char target[64];
        ssize_t len;

        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
        len = readlink(path, target, sizeof(target) - 1);
        if (len <= 0) {
            continue;
        }
        target[len] = '\0';
        if (strncmp(target, "socket:[", 8) == 0) {
            char *end;
            unsigned long ino = strtoul(target + 8, &end, 10);
            if (*end == ']') {
                inodes[n++] = ino;
            }
        }
    }
    closedir(d);
    return n;
}

/* This process's established IPv4 connections to etcd's client port. */
static int count_connections(void)
{
    unsigned long inodes[1024];
    size_t ninodes = own_sockets(inodes, sizeof(inodes) / sizeof(inodes[0]));
    FILE *f = fopen("/proc/net/tcp", "r");
    char line[512];
    int n = 0;

    if (f == NULL) {
        return -1;
    }
    if (fgets(line, sizeof(line), f) == NULL) { /* header */
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
        unsigned int port;
        unsigned int st;
        unsigned long ino;
        size_t i;

        if (sscanf(line, " %*d: %*x:%*x %*x:%x %x %*x:%*x %*x:%*x %*x %*d %*d %lu", &port,
                   &st, &ino) != 3) {
            continue;
        }
        if (port != etcd_port || st != 1) {
            continue;
        }
        for (i = 0; i < ninodes; i++) {
            if (inodes[i] == ino) {
                n++;
                break;
            }
        }
    }
    fclose(f);
    return n;
}

typedef struct load {
    int done;
    int ok;
    int wrong;
    int max_conns;
    int samples;
    int status_seen;
    int sample_every; /* count connections every so many completions */
} load;

typedef struct req {
    load *l;
    int want;
} req;

static void get_cb(etcd_client *c, const etcd_response *resp, void *data)
{
    req *q = data;
    load *l = q->l;
    char want[32];

    (void)c;
    l->done++;
    snprintf(want, sizeof(want), "value-%d", q->want);
    if (resp->status == ETCD_OK && resp->node != NULL && resp->node->value != NULL &&
        strcmp(resp->node->value, want) == 0) {
        l->ok++;
    } else {
        if (l->wrong == 0) {
            itest_dump("a concurrent get", resp);
        }
        l->wrong++;
        l->status_seen = resp->status;
    }
    if (l->done % l->sample_every == 0) {
        int n = count_connections();
        l->samples++;
        if (n > l->max_conns) {
            l->max_conns = n;
        }
    }
}

static void run_load(unsigned max_connections, int total)
{
    enum { KEYS = 100 };
    etcd_client_opts o;
    etcd_client *c;
    const char *prefix = itest_prefix();
    char key[128];
    req *reqs = calloc((size_t)total, sizeof(*reqs));
    load l = {0};
    int64_t t0;
    int i;

    CU_ASSERT_PTR_NOT_NULL_FATAL(reqs);
    l.sample_every = total >= 40 ? total / 40 : 1;
    etcd_client_opts_init(&o);
    o.max_connections = max_connections;
    c = itest_client_opts(&o);
    for (i = 0; i < KEYS; i++) {
        char v[32];
        snprintf(v, sizeof(v), "value-%d", i);
        itest_set(c, itest_key(key, sizeof(key), "%s/k%d", prefix, i), v);
    }
    CU_ASSERT(count_connections() >= 1);
    t0 = itest_now_ms();
    for (i = 0; i < total; i++) {
        reqs[i].l = &l;
        reqs[i].want = i % KEYS;
        itest_key(key, sizeof(key), "%s/k%d", prefix, i % KEYS);
        CU_ASSERT_EQUAL_FATAL(etcd_keys_get(c, key, NULL, get_cb, &reqs[i]), ETCD_OK);
    }
    CU_ASSERT_EQUAL(etcd_client_pending(c), (size_t)total);
    CU_ASSERT(itest_run_until(c, &l.done, total, 300000));
    fprintf(stderr,
            "\n  %d gets, max_connections %u: %d ok in %lld ms, at most %d "
            "connections in %d samples\n",
            total, max_connections, l.ok, (long long)(itest_now_ms() - t0), l.max_conns,
            l.samples);
    CU_ASSERT_EQUAL(l.done, total);
    CU_ASSERT_EQUAL(l.ok, total);
    CU_ASSERT_EQUAL(l.wrong, 0);
    CU_ASSERT_EQUAL(etcd_client_pending(c), 0);
    CU_ASSERT(l.max_conns >= 1);
    CU_ASSERT(l.max_conns <= (int)(max_connections ? max_connections : 16));
    etcd_client_free(c);
    free(reqs);
}

static void test_10000_gets_default(void)
{
    run_load(0, itest_scale(10000));
}

static void test_gets_four_connections(void)
{
    run_load(4, itest_scale(2000));
}

int test_it_load_add(void)
{
    CU_pSuite s = CU_add_suite("it_load", suite_init, NULL);

    if (s == NULL ||
        !CU_add_test(s, "10,000 concurrent gets, default 16 connections",
                     test_10000_gets_default) ||
        !CU_add_test(s, "gets over max_connections 4", test_gets_four_connections)) {
        return -1;
    }
    return 0;
}
