/* libFuzzer harness: parse and execute a template over a fixed snapshot, with
 * every hook stubbed (no clock, no environment, no DNS, no files) and tight
 * limits so that a run is bounded in time and memory. */
#include "template.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[][2] = {
    {"/app/name", "myapp"},
    {"/app/upstream/a1", "10.0.0.1:80"},
    {"/app/upstream/a2", "10.0.0.2:80"},
    {"/services/web/cust1/1", "{\"IP\": \"10.0.0.1\", \"n\": [1, 2.5, null, true]}"},
    {"/services/web/cust2/1", "{\"IP\": \"10.0.0.3\"}"},
    {"/list", "[\"a\", \"b\", {\"c\": 1e6}]"},
    {"/empty", ""},
    {"/flag", "true"},
    {"/num", "42"},
};

static const char *const files[][2] = {
    {"a.tmpl", "[{{.}}]{{include \"b.tmpl\" .}}"},
    {"b.tmpl", "{{if .}}{{include \"a.tmpl\"}}{{end}}"},
    {"c.tmpl", "{{getv \"/app/name\"}}"},
};

static tmpl_snapshot *snap;

static int fixed_now(void *ud, tmpl_time *t)
{
    (void)ud;
    memset(t, 0, sizeof(*t));
    t->unix_sec = 1422048896;
    t->nsec = 93250283;
    t->utc_offset = -8 * 3600;
    snprintf(t->zone, sizeof(t->zone), "PST");
    return 0;
}

static const char *stub_getenv(void *ud, const char *name)
{
    (void)ud;
    return strcmp(name, "HOSTNAME") == 0 ? "fuzzhost" : NULL;
}

static int stub_exists(void *ud, const char *path)
{
    (void)ud;
    return strcmp(path, "/exists") == 0;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n + 1);

    if (p)
        memcpy(p, s, n + 1);
    return p;
}

static int stub_lookup_ip(void *ud, const char *host, char ***addrs, size_t *n)
{
    char **a;

    (void)ud;
    if (strcmp(host, "localhost") != 0)
        return 1;
    a = calloc(2, sizeof(*a));
    if (!a)
        return TMPL_ENOMEM;
    a[0] = dup_str("127.0.0.1");
    a[1] = dup_str("::1");
    *addrs = a;
    *n = 2;
    return 0;
}

static int stub_lookup_srv(void *ud, const char *service, const char *proto,
                           const char *name, tmpl_srv **recs, size_t *n)
{
    (void)ud;
    (void)service;
    (void)proto;
    if (strcmp(name, "example.com") != 0)
        return 1;
    *recs = calloc(1, sizeof(**recs));
    if (!*recs)
        return TMPL_ENOMEM;
    (*recs)[0].target = dup_str("srv.example.com.");
    (*recs)[0].port = 443;
    (*recs)[0].priority = 1;
    (*recs)[0].weight = 5;
    *n = 1;
    return 0;
}

static int stub_load(void *ud, const char *name, char **text, size_t *len, char **err)
{
    size_t i;

    (void)ud;
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        if (strcmp(files[i][0], name) == 0) {
            *text = dup_str(files[i][1]);
            *len = *text ? strlen(*text) : 0;
            return *text ? 0 : TMPL_ENOMEM;
        }
    }
    *err = dup_str("no such template");
    return 1;
}

static void build_snapshot(void)
{
    size_t i;

    snap = tmpl_snapshot_new();
    if (!snap)
        abort();
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        tmpl_snapshot_add(snap, keys[i][0], strlen(keys[i][0]), keys[i][1],
                          strlen(keys[i][1]));
    tmpl_snapshot_finish(snap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tmpl_hooks hooks;
    tmpl_options opts;
    char *out = NULL;
    char *err = NULL;
    size_t out_len = 0;

    if (!snap)
        build_snapshot();
    memset(&hooks, 0, sizeof(hooks));
    hooks.now = fixed_now;
    hooks.getenv = stub_getenv;
    hooks.file_exists = stub_exists;
    hooks.lookup_ip = stub_lookup_ip;
    hooks.lookup_srv = stub_lookup_srv;
    hooks.load = stub_load;
    memset(&opts, 0, sizeof(opts));
    opts.hooks = &hooks;
    opts.max_output = 1 << 16;
    opts.max_depth = 64;
    opts.max_ops = 200000;
    tmpl_render("fuzz.tmpl", (const char *)data, size, snap, &opts, &out, &out_len, &err);
    free(out);
    free(err);
    return 0;
}
