/*
 * Comparing two v3 responses field by field: shared by tests/unit/test_v3_fast.c and
 * tests/fuzz/fuzz_v3_decode.c, which hold the fast decoder to the full one's results.
 */
#ifndef ETCD_TESTS_V3_SAME_H
#define ETCD_TESTS_V3_SAME_H

#include <stdio.h>
#include <string.h>

#include "etcd/etcd.h"

typedef struct v3_diff {
    char why[200];
} v3_diff;

static int differ(v3_diff *d, const char *what)
{
    snprintf(d->why, sizeof(d->why), "%s", what);
    return 0;
}

static int same_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return strcmp(a, b) == 0;
}

static int same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    if (a == NULL || b == NULL) {
        return a == b && alen == blen;
    }
    /* both NUL-terminated after their length, as users may rely on */
    return alen == blen && memcmp(a, b, alen) == 0 && a[alen] == '\0' && b[blen] == '\0';
}

static int same_kv(const etcd_kv *a, const etcd_kv *b)
{
    return same_bytes(a->key, a->key_len, b->key, b->key_len) &&
           same_bytes(a->value, a->value_len, b->value, b->value_len) &&
           a->create_revision == b->create_revision &&
           a->mod_revision == b->mod_revision && a->version == b->version &&
           a->lease == b->lease;
}

static int same_kvs(const etcd_kv *a, size_t na, const etcd_kv *b, size_t nb)
{
    size_t i;

    if (na != nb || (na == 0 && (a != NULL || b != NULL))) {
        return 0;
    }
    for (i = 0; i < na; i++) {
        if (!same_kv(&a[i], &b[i])) {
            return 0;
        }
    }
    return 1;
}

static int same_result(const etcd_v3_result *a, const etcd_v3_result *b, v3_diff *d);

static int same_results(const etcd_v3_result *a, size_t na, const etcd_v3_result *b,
                        size_t nb, v3_diff *d)
{
    size_t i;

    if (na != nb) {
        return differ(d, "nresults");
    }
    for (i = 0; i < na; i++) {
        if (!same_result(&a[i], &b[i], d)) {
            return 0;
        }
    }
    return 1;
}

static int same_result(const etcd_v3_result *a, const etcd_v3_result *b, v3_diff *d)
{
    size_t i;

    if (a->op != b->op) {
        return differ(d, "op");
    }
    if (!same_kvs(a->kvs, a->nkvs, b->kvs, b->nkvs)) {
        return differ(d, "kvs");
    }
    if (a->more != b->more || a->count != b->count) {
        return differ(d, "more or count");
    }
    if (!same_kvs(a->prev_kvs, a->nprev_kvs, b->prev_kvs, b->nprev_kvs)) {
        return differ(d, "prev_kvs");
    }
    if (a->deleted != b->deleted || a->succeeded != b->succeeded) {
        return differ(d, "deleted or succeeded");
    }
    if (!same_results(a->results, a->nresults, b->results, b->nresults, d)) {
        return 0;
    }
    if (a->nevents != b->nevents) {
        return differ(d, "nevents");
    }
    for (i = 0; i < a->nevents; i++) {
        const etcd_event *x = &a->events[i], *y = &b->events[i];

        if (x->type != y->type || !same_kv(&x->kv, &y->kv) ||
            (x->prev_kv == NULL) != (y->prev_kv == NULL) ||
            (x->prev_kv && !same_kv(x->prev_kv, y->prev_kv))) {
            return differ(d, "events");
        }
    }
    if (a->compact_revision != b->compact_revision || a->created != b->created ||
        a->canceled != b->canceled || a->id != b->id || a->ttl != b->ttl ||
        a->granted_ttl != b->granted_ttl || a->nleases != b->nleases) {
        return differ(d, "watch or lease fields");
    }
    for (i = 0; i < a->nleases; i++) {
        if (a->leases[i] != b->leases[i]) {
            return differ(d, "leases");
        }
    }
    return 1;
}

/* Everything a v3 answer can fill. 1 when a and b are the same; else 0 with d->why. */
static int same_response(const etcd_response *a, const etcd_response *b, v3_diff *d)
{
    if (a == NULL || b == NULL) {
        return a == b ? 1 : differ(d, "one response is NULL");
    }
    if (a->status != b->status || a->http_status != b->http_status) {
        return differ(d, "status");
    }
    if (!same_str(a->reason, b->reason) || !same_str(a->endpoint, b->endpoint)) {
        return differ(d, "reason or endpoint");
    }
    if (!same_bytes(a->body, a->body_len, b->body, b->body_len)) {
        return differ(d, "body");
    }
    if (a->error.code != b->error.code || a->error.grpc_code != b->error.grpc_code ||
        !same_str(a->error.message, b->error.message) ||
        !same_str(a->error.cause, b->error.cause) || a->error.index != b->error.index) {
        return differ(d, "error");
    }
    if ((a->header == NULL) != (b->header == NULL)) {
        return differ(d, "header presence");
    }
    if (a->header != NULL && (a->header->cluster_id != b->header->cluster_id ||
                              a->header->member_id != b->header->member_id ||
                              a->header->revision != b->header->revision ||
                              a->header->raft_term != b->header->raft_term)) {
        return differ(d, "header");
    }
    if (!same_result(&a->v3, &b->v3, d)) {
        return 0;
    }
    if (!same_str(a->v3_token, b->v3_token) ||
        !same_bytes(a->v3_key, a->v3_key_len, b->v3_key, b->v3_key_len) ||
        a->nv3_perms != b->nv3_perms ||
        (a->v3_status == NULL) != (b->v3_status == NULL) ||
        a->nv3_alarms != b->nv3_alarms || a->v3_hash != b->v3_hash ||
        a->v3_hash_compact_revision != b->v3_hash_compact_revision ||
        (a->v3_leader == NULL) != (b->v3_leader == NULL) || a->nusers != b->nusers ||
        a->nroles != b->nroles || a->nmembers != b->nmembers ||
        a->auth_enabled != b->auth_enabled) {
        return differ(d, "admin fields");
    }
    if (a->action != b->action || a->node != NULL || b->node != NULL) {
        return differ(d, "v2 fields");
    }
    return 1;
}

#endif /* ETCD_TESTS_V3_SAME_H */
