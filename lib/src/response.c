/*
 * libetcd: responses, and the decoders that turn etcd's JSON into them.
 *
 * A response owns its body and its parsed JSON tree; node strings point into that tree,
 * so a response is freed as one unit. All nodes of a response (node, prevNode and every
 * child) live in one array.
 */
#include "response_int.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin_int.h"
#include "v3_int.h"

/* Memory a decoder took for the response: freed with it. */
typedef struct arena_block {
    struct arena_block *next;
    max_align_t data[];
} arena_block;

typedef struct response_impl {
    etcd_response pub; /* first: a response_impl is an etcd_response */
    arena_block *arena;
    etcd__decoder decoder;
    json_t *root;
    etcd_node *nodes;
    char *body;
    char *endpoint;
    char *reason;
    char *cluster_id;
    int fast; /* the fast decoders may run (not in etcd__response_parse_full()) */
} response_impl;

/* What a request gets when even its response could not be allocated. */
static const etcd_response oom_response = {.status = ETCD_ENOMEM,
                                           .reason = "out of memory"};

/* The last answer of a watch or a session, when even that could not be allocated. */
static const etcd_response canceled_response = {.status = ETCD_ECANCELED};

etcd_response *etcd__response_oom(void)
{
    return (etcd_response *)&oom_response;
}

/* Whether `resp` is one of the static answers above (not a response_impl). */
static int is_static(const etcd_response *resp)
{
    return resp == &oom_response || resp == &canceled_response;
}

static const char *const action_names[] = {
    [ETCD_ACTION_NONE] = "",
    [ETCD_ACTION_GET] = "get",
    [ETCD_ACTION_SET] = "set",
    [ETCD_ACTION_CREATE] = "create",
    [ETCD_ACTION_UPDATE] = "update",
    [ETCD_ACTION_DELETE] = "delete",
    [ETCD_ACTION_EXPIRE] = "expire",
    [ETCD_ACTION_COMPARE_AND_SWAP] = "compareAndSwap",
    [ETCD_ACTION_COMPARE_AND_DELETE] = "compareAndDelete",
};

const char *etcd_action_name(etcd_action action)
{
    if ((unsigned)action >= sizeof(action_names) / sizeof(action_names[0]))
        return "";
    return action_names[action];
}

etcd_action etcd__action_from_name(const char *name)
{
    size_t i;

    for (i = 1; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
        if (strcmp(name, action_names[i]) == 0)
            return (etcd_action)i;
    }
    return ETCD_ACTION_NONE;
}

static char *dup_string(const char *s)
{
    size_t n;
    char *copy;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    copy = malloc(n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

static response_impl *response_alloc(void)
{
    return calloc(1, sizeof(response_impl));
}

void *etcd__response_alloc(etcd_response *resp, size_t size)
{
    response_impl *r = (response_impl *)resp;
    arena_block *b;

    if (size > SIZE_MAX - sizeof(*b))
        return NULL;
    b = calloc(1, sizeof(*b) + size);
    if (!b)
        return NULL;
    b->next = r->arena;
    r->arena = b;
    return b->data;
}

char *etcd__response_strdup(etcd_response *resp, const char *s)
{
    size_t n;
    char *copy;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    copy = etcd__response_alloc(resp, n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

void etcd_response_free(etcd_response *resp)
{
    response_impl *r = (response_impl *)resp;

    if (!r || is_static(resp))
        return;
    while (r->arena) {
        arena_block *next = r->arena->next;

        free(r->arena);
        r->arena = next;
    }
    json_decref(r->root);
    free(r->nodes);
    free(r->body);
    free(r->endpoint);
    free(r->reason);
    free(r->cluster_id);
    free(r);
}

static int set_reason(response_impl *r, const char *reason)
{
    free(r->reason);
    r->reason = dup_string(reason);
    r->pub.reason = r->reason;
    return r->reason || !reason ? ETCD_OK : ETCD_ENOMEM;
}

int etcd__response_set_endpoint(etcd_response *resp, const char *endpoint)
{
    response_impl *r = (response_impl *)resp;

    free(r->endpoint);
    r->endpoint = dup_string(endpoint);
    r->pub.endpoint = r->endpoint;
    return r->endpoint || !endpoint ? ETCD_OK : ETCD_ENOMEM;
}

etcd_response *etcd__response_new_error(int status, const char *endpoint,
                                        const char *reason)
{
    response_impl *r = response_alloc();

    if (!r)
        return NULL;
    r->pub.status = status;
    if (etcd__response_set_endpoint(&r->pub, endpoint) || set_reason(r, reason)) {
        etcd_response_free(&r->pub);
        return NULL;
    }
    return &r->pub;
}

etcd_response *etcd__response_canceled(const char *why)
{
    etcd_response *resp = etcd__response_new_error(ETCD_ECANCELED, NULL, why);

    return resp ? resp : (etcd_response *)&canceled_response;
}

/* ---- Headers ----------------------------------------------------------------------- */

static int header_is(const char *line, size_t len, const char *name, const char **value,
                     size_t *vlen)
{
    size_t n = strlen(name);
    const char *v, *end = line + len;

    if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0)
        return 0;
    v = line + n + 1;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    *value = v;
    *vlen = (size_t)(end - v);
    return 1;
}

static uint64_t parse_u64(const char *s, size_t len)
{
    uint64_t v = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        uint64_t digit = (uint64_t)(s[i] - '0');

        if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - digit) / 10)
            return 0;
        v = v * 10 + digit;
    }
    return v;
}

void etcd__headers_feed(etcd__headers *h, const char *line, size_t len)
{
    const char *v;
    size_t vlen;

    /* Most lines are neither a status line nor one of ours: one look at the first byte.
     */
    if (len == 0 || (line[0] != 'H' && line[0] != 'X' && line[0] != 'x'))
        return;
    if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        const char *sp = memchr(line, ' ', len);

        memset(h, 0, sizeof(*h));
        if (sp && (size_t)(line + len - sp) > 3)
            h->status = (long)parse_u64(sp + 1, 3);
    } else if (header_is(line, len, "X-Etcd-Index", &v, &vlen)) {
        h->etcd_index = parse_u64(v, vlen);
    } else if (header_is(line, len, "X-Raft-Index", &v, &vlen)) {
        h->raft_index = parse_u64(v, vlen);
    } else if (header_is(line, len, "X-Raft-Term", &v, &vlen)) {
        h->raft_term = parse_u64(v, vlen);
    } else if (header_is(line, len, "X-Etcd-Cluster-Id", &v, &vlen)) {
        if (vlen >= sizeof(h->cluster_id))
            vlen = sizeof(h->cluster_id) - 1;
        memcpy(h->cluster_id, v, vlen);
        h->cluster_id[vlen] = '\0';
    }
}

int etcd__response_set_headers(etcd_response *resp, const etcd__headers *h)
{
    response_impl *r = (response_impl *)resp;

    resp->info.etcd_index = h->etcd_index;
    resp->info.raft_index = h->raft_index;
    resp->info.raft_term = h->raft_term;
    free(r->cluster_id);
    r->cluster_id = NULL;
    if (h->cluster_id[0]) {
        r->cluster_id = dup_string(h->cluster_id);
        if (!r->cluster_id)
            return ETCD_ENOMEM;
    }
    resp->info.cluster_id = r->cluster_id;
    return ETCD_OK;
}

int etcd__json_next_object(const char *buf, size_t len, size_t *start, size_t *end)
{
    size_t i = 0, depth = 0;
    int in_string = 0, escaped = 0;

    while (i < len &&
           (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
        i++;
    if (i == len)
        return 0;
    if (buf[i] != '{')
        return -1;
    *start = i;
    for (; i < len; i++) {
        char ch = buf[i];

        if (in_string) {
            if (escaped)
                escaped = 0;
            else if (ch == '\\')
                escaped = 1;
            else if (ch == '"')
                in_string = 0;
        } else if (ch == '"') {
            in_string = 1;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            if (--depth == 0) {
                *end = i + 1;
                return 1;
            }
        }
    }
    return 0;
}

/* ---- Decoders ---------------------------------------------------------------------- */

int etcd__malformed(etcd__dec *d, const char *why)
{
    d->why = why;
    return ETCD_EPROTO;
}

int etcd__decode_strings(etcd__dec *d, json_t *arr, const char *const **out, size_t *n)
{
    const char **items;
    size_t i;

    *out = NULL;
    *n = 0;
    if (!arr)
        return ETCD_OK;
    if (!json_is_array(arr))
        return etcd__malformed(d, "expected a list of strings");
    if (json_array_size(arr) == 0)
        return ETCD_OK;
    items = etcd__response_alloc(d->resp, json_array_size(arr) * sizeof(*items));
    if (!items)
        return ETCD_ENOMEM;
    for (i = 0; i < json_array_size(arr); i++) {
        items[i] = json_string_value(json_array_get(arr, i));
        if (!items[i])
            return etcd__malformed(d, "expected a list of strings");
    }
    *out = items;
    *n = i;
    return ETCD_OK;
}

/* A protocol error: the response keeps its body, status EPROTO and the reason. */
static int protocol_error(response_impl *r, const char *what)
{
    r->pub.status = ETCD_EPROTO;
    return set_reason(r, what);
}

static int optional_string(json_t *obj, const char *name, const char **out)
{
    json_t *v = json_object_get(obj, name);

    *out = NULL;
    if (!v || json_is_null(v))
        return 1;
    if (!json_is_string(v))
        return 0;
    *out = json_string_value(v);
    return 1;
}

static int optional_uint(json_t *obj, const char *name, uint64_t *out)
{
    json_t *v = json_object_get(obj, name);

    *out = 0;
    if (!v)
        return 1;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return 0;
    *out = (uint64_t)json_integer_value(v);
    return 1;
}

/* etcd's {"errorCode":N,"message":...,"cause":...,"index":N}; also the auth API's
 * {"message":...} refusals. Returns 1 when `root` was an error object. */
static int decode_error_object(response_impl *r, json_t *root)
{
    json_t *code = json_object_get(root, "errorCode");
    json_t *message = json_object_get(root, "message");
    etcd_error_info *e = &r->pub.error;

    if (!json_is_integer(code) && !(r->pub.http_status >= 400 && json_is_string(message)))
        return 0;
    e->code = json_is_integer(code) ? (int)json_integer_value(code) : 0;
    e->message = json_is_string(message) ? json_string_value(message) : "";
    if (!optional_string(root, "cause", &e->cause))
        e->cause = NULL;
    if (!optional_uint(root, "index", &e->index))
        e->index = 0;
    if (e->code == 400 || e->code == 401)
        r->pub.status = ETCD_ECLEARED;
    else if (e->code)
        r->pub.status = ETCD_EETCD;
    else
        r->pub.status = ETCD_EHTTP;
    return 1;
}

static size_t count_nodes(json_t *node)
{
    json_t *kids = json_object_get(node, "nodes");
    size_t n = 1, i;

    if (json_is_array(kids)) {
        for (i = 0; i < json_array_size(kids); i++)
            n += count_nodes(json_array_get(kids, i));
    }
    return n;
}

/* Fill `out` from `node`, taking child slots from pool[*used...]. 0 on a malformed
 * node. */
static int fill_node(json_t *node, etcd_node *out, etcd_node *pool, size_t *used)
{
    json_t *value, *dir, *ttl, *kids;
    etcd_node *children;
    uint64_t index;
    size_t i, n;

    if (!json_is_object(node))
        return 0;
    if (!optional_string(node, "key", &out->key) ||
        !optional_string(node, "expiration", &out->expiration))
        return 0;
    value = json_object_get(node, "value");
    if (value && !json_is_string(value))
        return 0;
    if (value) {
        out->value = json_string_value(value);
        out->value_len = json_string_length(value);
    }
    dir = json_object_get(node, "dir");
    if (dir && !json_is_boolean(dir))
        return 0;
    out->dir = json_is_true(dir);
    ttl = json_object_get(node, "ttl");
    if (ttl && !json_is_integer(ttl))
        return 0;
    out->ttl = ttl ? (int64_t)json_integer_value(ttl) : 0;
    if (!optional_uint(node, "createdIndex", &index))
        return 0;
    out->created_index = index;
    if (!optional_uint(node, "modifiedIndex", &index))
        return 0;
    out->modified_index = index;

    kids = json_object_get(node, "nodes");
    if (!kids)
        return 1;
    if (!json_is_array(kids))
        return 0;
    n = json_array_size(kids);
    if (n == 0)
        return 1;
    children = pool + *used;
    *used += n;
    out->nodes = children;
    out->nnodes = n;
    for (i = 0; i < n; i++) {
        if (!fill_node(json_array_get(kids, i), &children[i], pool, used))
            return 0;
    }
    return 1;
}

static int decode_keys(response_impl *r, json_t *root)
{
    json_t *action, *node, *prev;
    size_t total, used = 0;

    action = json_object_get(root, "action");
    if (!json_is_string(action))
        return protocol_error(r, "keys response without an action");
    r->pub.action = etcd__action_from_name(json_string_value(action));

    node = json_object_get(root, "node");
    prev = json_object_get(root, "prevNode");
    total = (node ? count_nodes(node) : 0) + (prev ? count_nodes(prev) : 0);
    if (total == 0)
        return ETCD_OK;
    r->nodes = calloc(total, sizeof(etcd_node));
    if (!r->nodes)
        return ETCD_ENOMEM;
    if (node) {
        etcd_node *slot = &r->nodes[used++];

        r->pub.node = slot;
        if (!fill_node(node, slot, r->nodes, &used))
            return protocol_error(r, "malformed node in keys response");
    }
    if (prev) {
        etcd_node *slot = &r->nodes[used++];

        r->pub.prev_node = slot;
        if (!fill_node(prev, slot, r->nodes, &used))
            return protocol_error(r, "malformed prevNode in keys response");
    }
    return ETCD_OK;
}

static int decode_health(response_impl *r, json_t *root)
{
    json_t *health = json_object_get(root, "health");

    if (!json_is_string(health) && !json_is_boolean(health))
        return protocol_error(r, "health response without a health field");
    r->pub.health =
        json_is_true(health) ||
        (json_is_string(health) && strcmp(json_string_value(health), "true") == 0);
    return ETCD_OK;
}

static int decode_version(response_impl *r, json_t *root)
{
    if (!optional_string(root, "etcdserver", &r->pub.server_version) ||
        !optional_string(root, "etcdcluster", &r->pub.cluster_version) ||
        !r->pub.server_version)
        return protocol_error(r, "version response without etcdserver");
    return ETCD_OK;
}

/* A body that is not JSON: its first line is the best reason we have. */
static int decode_text(response_impl *r, const json_error_t *jerr)
{
    char reason[256];
    size_t n = 0;

    if (r->pub.http_status >= 300) {
        while (n < r->pub.body_len && n < sizeof(reason) - 1 && r->body[n] != '\n' &&
               r->body[n] != '\r') {
            reason[n] = r->body[n];
            n++;
        }
        reason[n] = '\0';
        r->pub.status = ETCD_EHTTP;
        return set_reason(r, n ? reason : "empty response body");
    }
    snprintf(reason, sizeof(reason), "invalid JSON at position %d: %s", jerr->position,
             jerr->text);
    return protocol_error(r, reason);
}

static int decode_v3(response_impl *r, json_t *root)
{
    const char *why = NULL;
    int rc;

    if (etcd__decode_v3_error(&r->pub, root))
        return ETCD_OK;
    if (r->pub.http_status >= 300) {
        r->pub.status = ETCD_EHTTP;
        return ETCD_OK;
    }
    rc = etcd__decode_v3(&r->pub, r->decoder, root, &why);
    return rc == ETCD_EPROTO ? protocol_error(r, why) : rc;
}

/* Decoders whose successful answer may have no body (204, or a bare 200). */
static int body_optional(etcd__decoder d)
{
    return d != ETCD__DECODE_KEYS && d != ETCD__DECODE_HEALTH &&
           d != ETCD__DECODE_VERSION;
}

static int decode(response_impl *r)
{
    long http = r->pub.http_status;
    const char *why = NULL;
    json_error_t jerr;
    json_t *root;
    int rc;

    /* Enable/disable: 409 "auth: already enabled" means nothing to do; any other 409
     * ("auth: No root user available") is a refusal, decoded below. */
    if (r->decoder == ETCD__DECODE_AUTH_TOGGLE &&
        ((http == 409 && strstr(r->body, "already")) || (http >= 200 && http < 300))) {
        r->pub.auth_changed = http != 409;
        return ETCD_OK;
    }
    if (r->pub.body_len == 0 && http >= 200 && http < 300 && body_optional(r->decoder))
        return ETCD_OK;
    if (r->decoder == ETCD__DECODE_KEYS && http >= 200 && http < 300 && r->fast) {
        if (etcd__decode_keys_fast(&r->pub, r->body, r->pub.body_len))
            return ETCD_OK;
        r->pub.action = ETCD_ACTION_NONE;
        r->pub.node = NULL;
        r->pub.prev_node = NULL;
    }
    if (r->decoder == ETCD__DECODE_V3 && http >= 200 && http < 300 && r->fast) {
        rc = etcd__decode_v3_fast(&r->pub, r->body, r->pub.body_len);
        if (rc)
            return rc > 0 ? ETCD_OK : ETCD_ENOMEM;
    }
    root = json_loadb(r->body, r->pub.body_len, JSON_ALLOW_NUL, &jerr);
    if (!root)
        return decode_text(r, &jerr);
    r->root = root;
    if (!json_is_object(root))
        return protocol_error(r, "expected a JSON object");
    if (r->decoder == ETCD__DECODE_V3 || r->decoder == ETCD__DECODE_V3_USER)
        return decode_v3(r, root);
    if (decode_error_object(r, root))
        return ETCD_OK;
    if (r->decoder == ETCD__DECODE_HEALTH)
        return decode_health(r, root);
    if (http >= 300) {
        r->pub.status = ETCD_EHTTP;
        return ETCD_OK;
    }
    switch (r->decoder) {
    case ETCD__DECODE_KEYS:
        return decode_keys(r, root);
    case ETCD__DECODE_VERSION:
        return decode_version(r, root);
    case ETCD__DECODE_RAW:
        return ETCD_OK;
    default:
        rc = etcd__decode_admin(&r->pub, r->decoder, root, &why);
        if (rc == ETCD_EPROTO)
            return protocol_error(r, why);
        return rc;
    }
}

/* A response that owns `body` (malloc'd, NUL-terminated at len), decoded. */
static etcd_response *parse(etcd__decoder decoder, long http_status, char *body,
                            size_t len, int fast)
{
    response_impl *r = response_alloc();

    if (!r) {
        free(body);
        return NULL;
    }
    r->decoder = decoder;
    r->fast = fast;
    r->pub.http_status = http_status;
    r->body = body;
    r->pub.body = r->body;
    r->pub.body_len = len;
    if (decode(r) == ETCD_ENOMEM) {
        etcd_response_free(&r->pub);
        return NULL;
    }
    return &r->pub;
}

static etcd_response *parse_copy(etcd__decoder decoder, long http_status,
                                 const char *body, size_t len, int fast)
{
    char *copy = malloc(len + 1);

    if (!copy)
        return NULL;
    if (len)
        memcpy(copy, body, len);
    copy[len] = '\0';
    return parse(decoder, http_status, copy, len, fast);
}

etcd_response *etcd__response_parse(etcd__decoder decoder, long http_status,
                                    const char *body, size_t len)
{
    return parse_copy(decoder, http_status, body, len, 1);
}

etcd_response *etcd__response_parse_stolen(etcd__decoder decoder, long http_status,
                                           char *body, size_t len)
{
    return parse(decoder, http_status, body, len, 1);
}

etcd_response *etcd__response_parse_full(etcd__decoder decoder, long http_status,
                                         const char *body, size_t len)
{
    return parse_copy(decoder, http_status, body, len, 0);
}

etcd_response *etcd_response_dup(const etcd_response *resp)
{
    etcd_response *copy;
    etcd__headers h;

    /* Only a response with a body is sure to be a response_impl: the static answers a
     * callback may get (out of memory, a session's "ready") are bare etcd_responses. */
    if (resp->body)
        copy = etcd__response_parse(((const response_impl *)resp)->decoder,
                                    resp->http_status, resp->body, resp->body_len);
    else
        copy = etcd__response_new_error(resp->status, NULL, NULL);
    if (!copy)
        return NULL;
    memset(&h, 0, sizeof(h));
    h.etcd_index = resp->info.etcd_index;
    h.raft_index = resp->info.raft_index;
    h.raft_term = resp->info.raft_term;
    if (resp->info.cluster_id)
        snprintf(h.cluster_id, sizeof(h.cluster_id), "%s", resp->info.cluster_id);
    copy->status = resp->status;
    copy->http_status = resp->http_status;
    if (etcd__response_set_headers(copy, &h) ||
        etcd__response_set_endpoint(copy, resp->endpoint) ||
        set_reason((response_impl *)copy, resp->reason)) {
        etcd_response_free(copy);
        return NULL;
    }
    return copy;
}

const char *etcd_response_describe(const etcd_response *resp, char *buf, size_t size)
{
    const etcd_error_info *e = &resp->error;
    const char *endpoint = resp->endpoint ? resp->endpoint : "etcd";

    if (size == 0)
        return buf;
    if (e->grpc_code) {
        snprintf(buf, size, "%s (gRPC code %d)", e->message ? e->message : "",
                 e->grpc_code);
    } else if (e->code) {
        snprintf(buf, size, "%d: %s (%s) [%" PRIu64 "]", e->code, e->message,
                 e->cause ? e->cause : "", e->index);
    } else if (resp->status == ETCD_EHTTP) {
        snprintf(buf, size, "%s: HTTP %ld: %s", endpoint, resp->http_status,
                 e->message     ? e->message
                 : resp->reason ? resp->reason
                                : "");
    } else if (resp->reason) {
        snprintf(buf, size, "%s: %s", endpoint, resp->reason);
    } else {
        snprintf(buf, size, "%s: %s", endpoint, etcd_strerror(resp->status));
    }
    return buf;
}
