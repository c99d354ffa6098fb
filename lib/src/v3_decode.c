/*
 * libetcd: decoding the v3 gateway's answers. Numbers of 64 bits come as JSON strings,
 * bytes as base64, and fields with their default value are left out.
 */
#include "v3_int.h"

#include <stdlib.h>
#include <string.h>

#include "base64_int.h"

/* An int64 written as a string or a number; absent is 0. */
int etcd__v3_get_int(json_t *obj, const char *name, int64_t *out)
{
    json_t *v = json_object_get(obj, name);
    const char *s;
    char *end;

    *out = 0;
    if (!v)
        return 1;
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return 1;
    }
    s = json_string_value(v);
    if (!s)
        return 0;
    *out = (int64_t)strtoll(s, &end, 10);
    return end != s && *end == '\0';
}

int etcd__v3_get_uint(json_t *obj, const char *name, uint64_t *out)
{
    json_t *v = json_object_get(obj, name);
    const char *s;
    char *end;

    *out = 0;
    if (!v)
        return 1;
    if (json_is_integer(v)) {
        *out = (uint64_t)json_integer_value(v);
        return 1;
    }
    s = json_string_value(v);
    if (!s || *s == '-')
        return 0;
    *out = (uint64_t)strtoull(s, &end, 10);
    return end != s && *end == '\0';
}

/* Decode base64 field `name` of obj into the arena; absent is "". */
int etcd__v3_get_bytes(etcd__dec *d, json_t *obj, const char *name, const char **out,
                       size_t *len)
{
    json_t *v = json_object_get(obj, name);
    const char *text = v ? json_string_value(v) : "";
    size_t tlen;
    char *buf;

    if (!text)
        return etcd__malformed(d, "expected base64 bytes");
    tlen = strlen(text);
    buf = etcd__response_alloc(d->resp, tlen / 4 * 3 + 4);
    if (!buf)
        return ETCD_ENOMEM;
    *len = etcd__base64_decode(text, tlen, buf);
    if (*len == (size_t)-1)
        return etcd__malformed(d, "invalid base64 in a key or value");
    *out = buf;
    return ETCD_OK;
}

int etcd__v3_fill_kv(etcd__dec *d, json_t *j, etcd_kv *kv)
{
    int rc;

    if (!json_is_object(j))
        return etcd__malformed(d, "expected a key-value object");
    rc = etcd__v3_get_bytes(d, j, "key", &kv->key, &kv->key_len);
    if (!rc)
        rc = etcd__v3_get_bytes(d, j, "value", &kv->value, &kv->value_len);
    if (!rc && (!etcd__v3_get_int(j, "create_revision", &kv->create_revision) ||
                !etcd__v3_get_int(j, "mod_revision", &kv->mod_revision) ||
                !etcd__v3_get_int(j, "version", &kv->version) ||
                !etcd__v3_get_int(j, "lease", &kv->lease)))
        rc = etcd__malformed(d, "malformed number in a key-value");
    return rc;
}

static int kv_array(etcd__dec *d, json_t *arr, const etcd_kv **out, size_t *n)
{
    etcd_kv *kvs;
    size_t i;
    int rc;

    *out = NULL;
    *n = 0;
    if (!arr)
        return ETCD_OK;
    if (!json_is_array(arr))
        return etcd__malformed(d, "expected a list of key-values");
    if (json_array_size(arr) == 0)
        return ETCD_OK;
    kvs = etcd__response_alloc(d->resp, json_array_size(arr) * sizeof(*kvs));
    if (!kvs)
        return ETCD_ENOMEM;
    for (i = 0; i < json_array_size(arr); i++) {
        rc = etcd__v3_fill_kv(d, json_array_get(arr, i), &kvs[i]);
        if (rc)
            return rc;
    }
    *out = kvs;
    *n = i;
    return ETCD_OK;
}

static int decode_header(etcd__dec *d, json_t *root)
{
    json_t *h = json_object_get(root, "header");
    etcd_v3_header *hdr;

    if (!h)
        return ETCD_OK;
    hdr = etcd__response_alloc(d->resp, sizeof(*hdr));
    if (!hdr)
        return ETCD_ENOMEM;
    if (!etcd__v3_get_uint(h, "cluster_id", &hdr->cluster_id) ||
        !etcd__v3_get_uint(h, "member_id", &hdr->member_id) ||
        !etcd__v3_get_int(h, "revision", &hdr->revision) ||
        !etcd__v3_get_uint(h, "raft_term", &hdr->raft_term))
        return etcd__malformed(d, "malformed header");
    d->resp->header = hdr;
    return ETCD_OK;
}

static int decode_events(etcd__dec *d, json_t *arr, etcd_v3_result *r)
{
    etcd_event *events;
    size_t i;
    int rc;

    if (!arr || json_array_size(arr) == 0)
        return ETCD_OK;
    events = etcd__response_alloc(d->resp, json_array_size(arr) * sizeof(*events));
    if (!events)
        return ETCD_ENOMEM;
    for (i = 0; i < json_array_size(arr); i++) {
        json_t *ev = json_array_get(arr, i), *prev = json_object_get(ev, "prev_kv");
        const char *type = json_string_value(json_object_get(ev, "type"));

        events[i].type =
            type && strcmp(type, "DELETE") == 0 ? ETCD_EVENT_DELETE : ETCD_EVENT_PUT;
        rc = etcd__v3_fill_kv(d, json_object_get(ev, "kv"), &events[i].kv);
        if (!rc && prev) {
            etcd_kv *p = etcd__response_alloc(d->resp, sizeof(*p));

            rc = p ? etcd__v3_fill_kv(d, prev, p) : ETCD_ENOMEM;
            events[i].prev_kv = p;
        }
        if (rc)
            return rc;
    }
    r->events = events;
    r->nevents = i;
    return ETCD_OK;
}

static int decode_result(etcd__dec *d, json_t *j, etcd_v3_result *r);

/* A watch the server cancelled says why ("rpc error: code = Unauthenticated desc =
 * etcdserver: invalid auth token"): kept as the error's message, with gRPC's code. */
static void cancel_reason(etcd_response *resp, const char *reason)
{
    static const struct {
        const char *name;
        int code;
    } codes[] = {{"code = InvalidArgument ", 3},  {"code = NotFound ", 5},
                 {"code = PermissionDenied ", 7}, {"code = FailedPrecondition ", 9},
                 {"code = OutOfRange ", 11},      {"code = Unavailable ", 14},
                 {"code = Unauthenticated ", 16}};
    size_t i;

    if (!reason || !*reason)
        return;
    resp->error.message = reason;
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (strstr(reason, codes[i].name))
            resp->error.grpc_code = codes[i].code;
    }
}

/* Lease answers: ID, TTL, grantedTTL, the lease list, a lease's keys. */
static int decode_leases(etcd__dec *d, json_t *j, etcd_v3_result *r)
{
    json_t *leases = json_object_get(j, "leases"), *keys = json_object_get(j, "keys");
    etcd_kv *kvs;
    int64_t *ids;
    size_t i;
    int rc;

    if (!etcd__v3_get_int(j, "ID", &r->id) || !etcd__v3_get_int(j, "TTL", &r->ttl) ||
        !etcd__v3_get_int(j, "grantedTTL", &r->granted_ttl))
        return etcd__malformed(d, "malformed lease numbers");
    if (json_array_size(leases)) {
        ids = etcd__response_alloc(d->resp, json_array_size(leases) * sizeof(*ids));
        if (!ids)
            return ETCD_ENOMEM;
        for (i = 0; i < json_array_size(leases); i++) {
            if (!etcd__v3_get_int(json_array_get(leases, i), "ID", &ids[i]))
                return etcd__malformed(d, "malformed lease list");
        }
        r->leases = ids;
        r->nleases = i;
    }
    if (!json_array_size(keys))
        return ETCD_OK;
    kvs = etcd__response_alloc(d->resp, json_array_size(keys) * sizeof(*kvs));
    if (!kvs)
        return ETCD_ENOMEM;
    for (i = 0; i < json_array_size(keys); i++) {
        json_t *wrap = json_pack("{s:O}", "key", json_array_get(keys, i));

        rc = wrap ? etcd__v3_get_bytes(d, wrap, "key", &kvs[i].key, &kvs[i].key_len)
                  : ETCD_ENOMEM;
        json_decref(wrap);
        if (rc)
            return rc;
        kvs[i].value = "";
    }
    r->kvs = kvs;
    r->nkvs = i;
    return ETCD_OK;
}

static int decode_txn_results(etcd__dec *d, json_t *arr, etcd_v3_result *r)
{
    static const struct {
        const char *field;
        etcd_op_type op;
    } kinds[] = {{"response_range", ETCD_OP_RANGE},
                 {"response_put", ETCD_OP_PUT},
                 {"response_delete_range", ETCD_OP_DELETE},
                 {"response_txn", ETCD_OP_TXN}};
    etcd_v3_result *results;
    size_t i, k;
    int rc;

    if (!arr || json_array_size(arr) == 0)
        return ETCD_OK;
    results = etcd__response_alloc(d->resp, json_array_size(arr) * sizeof(*results));
    if (!results)
        return ETCD_ENOMEM;
    for (i = 0; i < json_array_size(arr); i++) {
        json_t *item = json_array_get(arr, i);

        for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
            json_t *body = json_object_get(item, kinds[k].field);

            if (!body)
                continue;
            results[i].op = (int)kinds[k].op;
            rc = decode_result(d, body, &results[i]);
            if (rc)
                return rc;
            break;
        }
        if (k == sizeof(kinds) / sizeof(kinds[0]))
            return etcd__malformed(d, "unknown transaction response");
    }
    r->results = results;
    r->nresults = i;
    return ETCD_OK;
}

/* The fields of every kind of answer; each kind has its own. */
static int decode_result(etcd__dec *d, json_t *j, etcd_v3_result *r)
{
    json_t *prev = json_object_get(j, "prev_kv");
    int rc;

    if (!etcd__v3_get_int(j, "count", &r->count) ||
        !etcd__v3_get_int(j, "deleted", &r->deleted) ||
        !etcd__v3_get_int(j, "compact_revision", &r->compact_revision))
        return etcd__malformed(d, "malformed number");
    r->more = json_is_true(json_object_get(j, "more"));
    r->succeeded = json_is_true(json_object_get(j, "succeeded"));
    r->canceled = json_is_true(json_object_get(j, "canceled"));
    r->created = json_is_true(json_object_get(j, "created"));
    if (r->canceled)
        cancel_reason(d->resp, json_string_value(json_object_get(j, "cancel_reason")));
    rc = kv_array(d, json_object_get(j, "kvs"), &r->kvs, &r->nkvs);
    if (!rc && prev) {
        etcd_kv *p = etcd__response_alloc(d->resp, sizeof(*p));

        rc = p ? etcd__v3_fill_kv(d, prev, p) : ETCD_ENOMEM;
        r->prev_kvs = p;
        r->nprev_kvs = 1;
    } else if (!rc) {
        rc = kv_array(d, json_object_get(j, "prev_kvs"), &r->prev_kvs, &r->nprev_kvs);
    }
    if (!rc)
        rc = decode_leases(d, j, r);
    if (!rc)
        rc = decode_txn_results(d, json_object_get(j, "responses"), r);
    if (!rc)
        rc = decode_events(d, json_object_get(j, "events"), r);
    return rc;
}

int etcd__decode_v3(etcd_response *resp, etcd__decoder decoder, json_t *root,
                    const char **why)
{
    etcd__dec d = {resp, NULL};
    json_t *result = json_object_get(root, "result");
    int rc;

    /* Streams wrap each message: {"result":{...}}. */
    if (json_is_object(result))
        root = result;
    resp->v3_token = json_string_value(json_object_get(root, "token"));
    rc = decode_header(&d, root);
    if (!rc)
        rc = decode_result(&d, root, &resp->v3);
    *why = d.why;
    if (!rc)
        rc = etcd__decode_v3_admin(resp, decoder, root, why);
    return rc;
}

int etcd__decode_v3_error(etcd_response *resp, json_t *root)
{
    json_t *err = json_object_get(root, "error");
    json_t *code = json_object_get(root, "code"),
           *message = json_object_get(root, "message");

    if (json_is_object(err)) {
        code = json_object_get(err, "grpc_code");
        message = json_object_get(err, "message");
    } else if (!json_is_string(err) && !json_is_integer(code)) {
        return 0;
    }
    resp->error.grpc_code = (int)json_integer_value(code);
    resp->error.message = json_string_value(message);
    if (!resp->error.message)
        resp->error.message = json_is_string(err) ? json_string_value(err) : "";
    resp->status = ETCD_EETCD;
    return 1;
}
