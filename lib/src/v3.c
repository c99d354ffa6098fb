/*
 * libetcd: the v3 key-value calls through the JSON gateway: range, put, delete,
 * compaction and transactions.
 */
#include "v3_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_int.h"
#include "base64_int.h"

#define MAX_TXN_DEPTH 16

size_t etcd__bytes_len(etcd_bytes b)
{
    if (!b.data)
        return 0;
    return b.len == ETCD_STRLEN ? strlen(b.data) : b.len;
}

char *etcd__bytes_dup(etcd_bytes b, size_t *len)
{
    size_t n = etcd__bytes_len(b);
    char *copy = malloc(n + 1);

    if (!copy)
        return NULL;
    if (n)
        memcpy(copy, b.data, n);
    copy[n] = '\0';
    *len = n;
    return copy;
}

json_t *etcd__v3_bytes(etcd_bytes b)
{
    etcd__buf buf = {NULL, 0, 0};
    json_t *s;

    if (etcd__base64_encode(&buf, b.data ? b.data : "", etcd__bytes_len(b)) ||
        etcd__buf_puts(&buf, "")) {
        etcd__buf_free(&buf);
        return NULL;
    }
    s = json_string(buf.data);
    etcd__buf_free(&buf);
    return s;
}

json_t *etcd__v3_int(int64_t v)
{
    char num[24];

    snprintf(num, sizeof(num), "%" PRId64, v);
    return json_string(num);
}

/* "key", and for a range "range_end": the prefix's end, "\0" for every key from key on,
 * or the given end. */
int etcd__v3_set_range(json_t *obj, etcd_bytes key, const etcd_range_end *range)
{
    static const char zero[1] = {0};
    size_t n = etcd__bytes_len(key);
    char *end;
    etcd_bytes e;
    int rc;

    if (range && range->prefix && n == 0) {
        /* A prefix of nothing: every key. */
        e.data = zero;
        e.len = 1;
        return json_object_set_new(obj, "key", etcd__v3_bytes(e)) ||
               json_object_set_new(obj, "range_end", etcd__v3_bytes(e));
    }
    if (json_object_set_new(obj, "key", etcd__v3_bytes(key)))
        return -1;
    if (!range)
        return 0;
    if (range->end.data)
        return json_object_set_new(obj, "range_end", etcd__v3_bytes(range->end));
    if (range->from_key) {
        e.data = zero;
        e.len = 1;
        return json_object_set_new(obj, "range_end", etcd__v3_bytes(e));
    }
    if (!range->prefix)
        return 0;
    /* The prefix's end: its last byte below 0xff plus one, cut after it. */
    end = malloc(n);
    if (!end)
        return -1;
    memcpy(end, key.data, n);
    while (n > 0 && (unsigned char)end[n - 1] == 0xff)
        n--;
    if (n == 0) {
        e.data = zero;
        e.len = 1;
    } else {
        end[n - 1] = (char)((unsigned char)end[n - 1] + 1);
        e.data = end;
        e.len = n;
    }
    rc = json_object_set_new(obj, "range_end", etcd__v3_bytes(e));
    free(end);
    return rc;
}

int etcd__v3_request(etcd_client *client, const char *path, json_t *body, unsigned flags,
                     etcd__req **out)
{
    return etcd__v3_request_as(client, path, body, flags, ETCD__DECODE_V3, out);
}

int etcd__v3_request_as(etcd_client *client, const char *path, json_t *body,
                        unsigned flags, etcd__decoder decoder, etcd__req **out)
{
    int rc = etcd__v3_request_new(client, path, flags, decoder, out);

    if (rc) {
        json_decref(body);
        return rc;
    }
    rc = etcd__req_set_json(*out, body);
    if (rc) {
        etcd__req_free(*out);
        *out = NULL;
    }
    return rc;
}

int etcd__v3_call(etcd_client *client, const char *path, json_t *body, unsigned flags,
                  etcd__sink sink)
{
    etcd__req *req;
    int rc = etcd__v3_request(client, path, body, flags, &req);

    return etcd__req_dispatch(rc, req, sink);
}

int etcd__v3_request_new(etcd_client *client, const char *path, unsigned flags,
                         etcd__decoder decoder, etcd__req **out)
{
    etcd__req *req;
    int rc;

    *out = NULL;
    if (!client)
        return ETCD_EINVAL;
    req =
        etcd__req_new(client, ETCD__POST, decoder, ETCD__REQ_JSON | ETCD__REQ_V3 | flags);
    if (!req)
        return ETCD_ENOMEM;
    rc = etcd__buf_puts(etcd__req_path(req), path);
    if (rc) {
        etcd__req_free(req);
        return rc;
    }
    *out = req;
    return ETCD_OK;
}

/* ---- Request bodies ------------------------------------------------------------------
 */

static int set_true(json_t *obj, const char *name, int flag)
{
    return flag ? json_object_set_new(obj, name, json_true()) : 0;
}

static int set_int(json_t *obj, const char *name, int64_t v)
{
    return v ? json_object_set_new(obj, name, etcd__v3_int(v)) : 0;
}

json_t *etcd__v3_range_json(etcd_bytes key, const etcd_range_opts *o)
{
    static const char *const orders[] = {"NONE", "ASCEND", "DESCEND"};
    static const char *const targets[] = {"KEY", "VERSION", "CREATE", "MOD", "VALUE"};
    static const etcd_range_opts none;
    json_t *body = json_object();

    o = o ? o : &none;
    if (!body || etcd__v3_set_range(body, key, &o->range) ||
        set_int(body, "limit", o->limit) || set_int(body, "revision", o->revision) ||
        ((unsigned)o->sort_order < 3 && o->sort_order != ETCD_SORT_NONE &&
         json_object_set_new(body, "sort_order", json_string(orders[o->sort_order]))) ||
        ((unsigned)o->sort_target < 5 && o->sort_target != ETCD_SORT_KEY &&
         json_object_set_new(body, "sort_target",
                             json_string(targets[o->sort_target]))) ||
        set_true(body, "keys_only", o->keys_only) ||
        set_true(body, "count_only", o->count_only) ||
        set_true(body, "serializable", o->serializable)) {
        json_decref(body);
        return NULL;
    }
    return body;
}

json_t *etcd__v3_put_json(etcd_bytes key, etcd_bytes value, const etcd_put_opts *o)
{
    static const etcd_put_opts none;
    json_t *body = json_object();

    o = o ? o : &none;
    if (!body || etcd__v3_set_range(body, key, NULL) ||
        json_object_set_new(body, "value", etcd__v3_bytes(value)) ||
        set_int(body, "lease", o->lease) || set_true(body, "prev_kv", o->prev_kv) ||
        set_true(body, "ignore_value", o->ignore_value) ||
        set_true(body, "ignore_lease", o->ignore_lease)) {
        json_decref(body);
        return NULL;
    }
    return body;
}

json_t *etcd__v3_delete_json(etcd_bytes key, const etcd_delete_opts *o)
{
    static const etcd_delete_opts none;
    json_t *body = json_object();

    o = o ? o : &none;
    if (!body || etcd__v3_set_range(body, key, &o->range) ||
        set_true(body, "prev_kv", o->prev_kv)) {
        json_decref(body);
        return NULL;
    }
    return body;
}

/* Whether a transaction can be sent: known compare results, targets and operation
 * types, an array for every count, a transaction for every nested one, at most
 * MAX_TXN_DEPTH levels. */
/* A byte string that cannot be sent: a length without its data. */
static int bytes_bad(etcd_bytes b)
{
    return !b.data && b.len;
}

static int txn_valid(const etcd_txn *txn, int depth);

static int ops_valid(const etcd_op *ops, size_t n, int depth)
{
    size_t i;

    if (n && !ops)
        return 0;
    for (i = 0; i < n; i++) {
        if ((unsigned)ops[i].type > ETCD_OP_TXN || bytes_bad(ops[i].key) ||
            (ops[i].type == ETCD_OP_PUT && bytes_bad(ops[i].value)))
            return 0;
        if (ops[i].type == ETCD_OP_TXN &&
            (!ops[i].txn || !txn_valid(ops[i].txn, depth + 1)))
            return 0;
    }
    return 1;
}

static int txn_valid(const etcd_txn *txn, int depth)
{
    size_t i;

    if (depth > MAX_TXN_DEPTH || (txn->ncompare && !txn->compare))
        return 0;
    for (i = 0; i < txn->ncompare; i++) {
        const etcd_compare *c = &txn->compare[i];

        if ((unsigned)c->result > ETCD_CMP_NOT_EQUAL ||
            (unsigned)c->target > ETCD_CMP_LEASE || bytes_bad(c->key) ||
            (c->target == ETCD_CMP_VALUE && bytes_bad(c->value)))
            return 0;
    }
    return ops_valid(txn->success, txn->nsuccess, depth) &&
           ops_valid(txn->failure, txn->nfailure, depth);
}

/* The JSON of a valid transaction (txn_valid()); NULL when out of memory. */
static json_t *txn_body(const etcd_txn *txn);

static json_t *compare_json(const etcd_compare *c)
{
    static const char *const results[] = {"EQUAL", "GREATER", "LESS", "NOT_EQUAL"};
    static const char *const targets[] = {"VERSION", "CREATE", "MOD", "VALUE", "LEASE"};
    static const char *const fields[] = {"version", "create_revision", "mod_revision",
                                         "value", "lease"};
    json_t *obj = json_object();

    if (!obj || etcd__v3_set_range(obj, c->key, &c->range) ||
        json_object_set_new(obj, "result", json_string(results[c->result])) ||
        json_object_set_new(obj, "target", json_string(targets[c->target])) ||
        json_object_set_new(obj, fields[c->target],
                            c->target == ETCD_CMP_VALUE ? etcd__v3_bytes(c->value)
                                                        : etcd__v3_int(c->number))) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static json_t *op_json(const etcd_op *op)
{
    switch (op->type) {
    case ETCD_OP_RANGE:
        return json_pack("{s:o}", "request_range",
                         etcd__v3_range_json(op->key, op->range));
    case ETCD_OP_PUT:
        return json_pack("{s:o}", "request_put",
                         etcd__v3_put_json(op->key, op->value, op->put));
    case ETCD_OP_DELETE:
        return json_pack("{s:o}", "request_delete_range",
                         etcd__v3_delete_json(op->key, op->del));
    default:
        return json_pack("{s:o}", "request_txn", txn_body(op->txn));
    }
}

/* Set "compare" to the list of n compares, when there are any. */
static int set_compares(json_t *body, const etcd_compare *cmps, size_t n)
{
    json_t *arr = n ? json_array() : NULL;
    size_t i;

    for (i = 0; arr && i < n; i++) {
        if (json_array_append_new(arr, compare_json(&cmps[i]))) {
            json_decref(arr);
            return -1;
        }
    }
    return n ? json_object_set_new(body, "compare", arr) : 0;
}

/* Set `name` ("success", "failure") to the list of n operations, when there are any. */
static int set_ops(json_t *body, const char *name, const etcd_op *ops, size_t n)
{
    json_t *arr = n ? json_array() : NULL;
    size_t i;

    for (i = 0; arr && i < n; i++) {
        if (json_array_append_new(arr, op_json(&ops[i]))) {
            json_decref(arr);
            return -1;
        }
    }
    return n ? json_object_set_new(body, name, arr) : 0;
}

static json_t *txn_body(const etcd_txn *txn)
{
    json_t *body = json_object();

    if (!body || set_compares(body, txn->compare, txn->ncompare) ||
        set_ops(body, "success", txn->success, txn->nsuccess) ||
        set_ops(body, "failure", txn->failure, txn->nfailure)) {
        json_decref(body);
        return NULL;
    }
    return body;
}

/* ---- The calls
 * -------------------------------------------------------------------------- */

/* A range, put or delete: its body written straight into the request (v3_fast.c). */
typedef struct kv_call {
    const char *path;
    unsigned flags;
    etcd_bytes key;
    etcd_bytes value;
    const etcd_range_opts *range;
    const etcd_put_opts *put;
    const etcd_delete_opts *del;
} kv_call;

static int kv_send(etcd_client *client, const kv_call *c, etcd__sink sink)
{
    etcd__req *req;
    etcd__buf *body;
    int rc;

    if (bytes_bad(c->key) || bytes_bad(c->value))
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    rc = etcd__v3_request_new(client, c->path, c->flags, ETCD__DECODE_V3, &req);
    if (rc)
        return etcd__req_dispatch(rc, NULL, sink);
    body = etcd__req_body(req);
    if (c->put)
        rc = etcd__v3_write_put(body, c->key, c->value, c->put);
    else if (c->del)
        rc = etcd__v3_write_delete(body, c->key, c->del);
    else
        rc = etcd__v3_write_range(body, c->key, c->range);
    if (rc) {
        etcd__req_free(req);
        req = NULL;
    }
    return etcd__req_dispatch(rc, req, sink);
}

static int range_call(etcd_client *client, etcd_bytes key, const etcd_range_opts *opts,
                      etcd__sink sink)
{
    static const etcd_range_opts none;
    kv_call c = {"/v3/kv/range", ETCD__REQ_IDEMPOTENT, key, {NULL, 0}, opts, NULL, NULL};

    c.range = opts ? opts : &none;
    return kv_send(client, &c, sink);
}

int etcd_v3_range(etcd_client *client, etcd_bytes key, const etcd_range_opts *opts,
                  etcd_response_cb cb, void *data)
{
    return range_call(client, key, opts, etcd__async(cb, data));
}

int etcd_v3_range_sync(etcd_client *client, etcd_bytes key, const etcd_range_opts *opts,
                       etcd_response **out)
{
    return range_call(client, key, opts, etcd__sync(out));
}

static int put_call(etcd_client *client, etcd_bytes key, etcd_bytes value,
                    const etcd_put_opts *opts, etcd__sink sink)
{
    static const etcd_put_opts none;
    kv_call c = {"/v3/kv/put", 0, key, value, NULL, opts, NULL};

    c.put = opts ? opts : &none;
    return kv_send(client, &c, sink);
}

int etcd_v3_put(etcd_client *client, etcd_bytes key, etcd_bytes value,
                const etcd_put_opts *opts, etcd_response_cb cb, void *data)
{
    return put_call(client, key, value, opts, etcd__async(cb, data));
}

int etcd_v3_put_sync(etcd_client *client, etcd_bytes key, etcd_bytes value,
                     const etcd_put_opts *opts, etcd_response **out)
{
    return put_call(client, key, value, opts, etcd__sync(out));
}

static int delete_call(etcd_client *client, etcd_bytes key, const etcd_delete_opts *opts,
                       etcd__sink sink)
{
    static const etcd_delete_opts none;
    kv_call c = {"/v3/kv/deleterange", 0, key, {NULL, 0}, NULL, NULL, opts};

    c.del = opts ? opts : &none;
    return kv_send(client, &c, sink);
}

int etcd_v3_delete(etcd_client *client, etcd_bytes key, const etcd_delete_opts *opts,
                   etcd_response_cb cb, void *data)
{
    return delete_call(client, key, opts, etcd__async(cb, data));
}

int etcd_v3_delete_sync(etcd_client *client, etcd_bytes key, const etcd_delete_opts *opts,
                        etcd_response **out)
{
    return delete_call(client, key, opts, etcd__sync(out));
}

static json_t *compact_body(int64_t revision, int physical)
{
    json_t *body = json_pack("{s:o}", "revision", etcd__v3_int(revision));

    if (body && set_true(body, "physical", physical)) {
        json_decref(body);
        return NULL;
    }
    return body;
}

int etcd_v3_compact(etcd_client *client, int64_t revision, int physical,
                    etcd_response_cb cb, void *data)
{
    return etcd__v3_call(client, "/v3/kv/compaction", compact_body(revision, physical), 0,
                         etcd__async(cb, data));
}

int etcd_v3_compact_sync(etcd_client *client, int64_t revision, int physical,
                         etcd_response **out)
{
    return etcd__v3_call(client, "/v3/kv/compaction", compact_body(revision, physical), 0,
                         etcd__sync(out));
}

static int txn_call(etcd_client *client, const etcd_txn *txn, etcd__sink sink)
{
    if (!txn || !txn_valid(txn, 0))
        return etcd__req_dispatch(ETCD_EINVAL, NULL, sink);
    return etcd__v3_call(client, "/v3/kv/txn", txn_body(txn), 0, sink);
}

int etcd_v3_txn(etcd_client *client, const etcd_txn *txn, etcd_response_cb cb, void *data)
{
    return txn_call(client, txn, etcd__async(cb, data));
}

int etcd_v3_txn_sync(etcd_client *client, const etcd_txn *txn, etcd_response **out)
{
    return txn_call(client, txn, etcd__sync(out));
}
