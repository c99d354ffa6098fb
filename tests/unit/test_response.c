/*
 * Unit tests of lib/src/response.c: the decoders, fed the answers of a real etcd 3.4
 * captured by tests/unit/data/capture.sh. Every decoded field is compared with what
 * Jansson reads from the same file, and the values users rely on are also spelled out.
 * Each body is also fed byte by byte (and split at every position) through the bounded
 * buffer before it is decoded, as the network delivers it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <jansson.h>

#include "etcd/etcd.h"
#include "response_int.h"
#include "utest.h"

/* ---- Comparing a decoded response with the JSON it came from -------------------- */

static void check_node(const etcd_node *n, json_t *j, int depth)
{
    json_t *v;

    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    CU_ASSERT_FATAL(json_is_object(j));
    CU_ASSERT_FATAL(depth < 64);

    v = json_object_get(j, "key");
    if (v != NULL) {
        UTEST_STR_EQ(n->key, json_string_value(v));
    } else if (n->key != NULL) {
        CU_ASSERT_STRING_EQUAL(n->key, "/");
    }
    v = json_object_get(j, "value");
    if (v != NULL) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(n->value);
        CU_ASSERT_EQUAL(n->value_len, json_string_length(v));
        CU_ASSERT(memcmp(n->value, json_string_value(v), json_string_length(v)) == 0);
        CU_ASSERT_EQUAL(n->value[n->value_len], '\0');
    } else {
        CU_ASSERT_PTR_NULL(n->value);
    }
    CU_ASSERT_EQUAL(n->dir != 0, json_is_true(json_object_get(j, "dir")));
    v = json_object_get(j, "ttl");
    CU_ASSERT_EQUAL(n->ttl, v ? json_integer_value(v) : 0);
    v = json_object_get(j, "expiration");
    UTEST_STR_EQ(n->expiration, v ? json_string_value(v) : NULL);
    v = json_object_get(j, "createdIndex");
    CU_ASSERT_EQUAL(n->created_index, v ? (uint64_t)json_integer_value(v) : 0);
    v = json_object_get(j, "modifiedIndex");
    CU_ASSERT_EQUAL(n->modified_index, v ? (uint64_t)json_integer_value(v) : 0);

    v = json_object_get(j, "nodes");
    if (v != NULL && json_array_size(v) > 0) {
        size_t i;
        CU_ASSERT_EQUAL_FATAL(n->nnodes, json_array_size(v));
        CU_ASSERT_PTR_NOT_NULL_FATAL(n->nodes);
        for (i = 0; i < n->nnodes; i++) {
            check_node(&n->nodes[i], json_array_get(v, i), depth + 1);
        }
    } else {
        CU_ASSERT_EQUAL(n->nnodes, 0);
    }
}

/* Everything the decoder produced matches the body, read independently. */
static void check_against_json(const etcd_response *r, const char *body, size_t len)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    json_t *v;

    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT_EQUAL(r->body_len, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->body);
    CU_ASSERT(memcmp(r->body, body, len) == 0);
    CU_ASSERT_EQUAL(r->body[r->body_len], '\0');

    v = json_object_get(root, "errorCode");
    if (v != NULL) {
        CU_ASSERT_EQUAL(r->error.code, json_integer_value(v));
        UTEST_STR_EQ(r->error.message,
                     json_string_value(json_object_get(root, "message")));
        UTEST_STR_EQ(r->error.cause, json_string_value(json_object_get(root, "cause")));
        CU_ASSERT_EQUAL(r->error.index,
                        (uint64_t)json_integer_value(json_object_get(root, "index")));
        CU_ASSERT_PTR_NULL(r->node);
        CU_ASSERT_EQUAL(r->action, ETCD_ACTION_NONE);
        json_decref(root);
        return;
    }
    CU_ASSERT_EQUAL(r->error.code, 0);
    v = json_object_get(root, "action");
    if (v != NULL) {
        CU_ASSERT_STRING_EQUAL(etcd_action_name(r->action), json_string_value(v));
    }
    v = json_object_get(root, "node");
    if (v != NULL) {
        check_node(r->node, v, 0);
    } else {
        CU_ASSERT_PTR_NULL(r->node);
    }
    v = json_object_get(root, "prevNode");
    if (v != NULL) {
        check_node(r->prev_node, v, 0);
    } else {
        CU_ASSERT_PTR_NULL(r->prev_node);
    }
    json_decref(root);
}

/* ---- The captured answers -------------------------------------------------------- */

typedef struct capture {
    const char *name;
    etcd__decoder decoder;
    int status; /* expected resp->status */
    etcd_action action;
    int error_code; /* etcd's errorCode, 0 for none */
} capture;

static const capture captures[] = {
    {"get_root_empty", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_GET, 0},
    {"get_root", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_GET, 0},
    {"get_key", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_GET, 0},
    {"get_dir_sorted", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_GET, 0},
    {"get_dir_recursive", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_GET, 0},
    {"get_dir_ttl", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_GET, 0},
    {"set_ttl", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_SET, 0},
    {"set_plain", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_SET, 0},
    {"set_replace", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_SET, 0},
    {"set_utf8", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_SET, 0},
    {"set_expiring", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_SET, 0},
    {"mkdir_empty", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_SET, 0},
    {"create", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_CREATE, 0},
    {"create_in_order", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_CREATE, 0},
    {"create_dir", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_CREATE, 0},
    {"update", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_UPDATE, 0},
    {"update_dir_ttl", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_UPDATE, 0},
    {"update_dir_on_key", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_UPDATE, 0},
    {"refresh", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_UPDATE, 0},
    {"cas", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_COMPARE_AND_SWAP, 0},
    {"cad", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_COMPARE_AND_DELETE, 0},
    {"delete", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_DELETE, 0},
    {"delete_dir", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_DELETE, 0},
    {"delete_recursive", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_DELETE, 0},
    {"watch_expire", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_EXPIRE, 0},
    {"watch_history", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_SET, 0},
    {"watch_recursive", ETCD__DECODE_KEYS, ETCD_OK, ETCD_ACTION_SET, 0},
    {"get_missing", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 100},
    {"update_missing", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 100},
    {"cas_failed", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 101},
    {"cas_index_failed", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 101},
    {"cad_index_failed", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 101},
    {"set_on_dir", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 102},
    {"set_dir_existing", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 102},
    {"in_order_under_key", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 104},
    {"set_under_key", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 104},
    {"create_exists", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 105},
    {"root_readonly", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 107},
    {"dir_not_empty", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 108},
    {"prevvalue_required", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 201},
    {"ttl_nan", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 202},
    {"index_nan", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 203},
    {"invalid_field", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 209},
    {"refresh_with_value", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 211},
    {"refresh_without_ttl", ETCD__DECODE_KEYS, ETCD_EETCD, ETCD_ACTION_NONE, 212},
    {"watch_cleared", ETCD__DECODE_KEYS, ETCD_ECLEARED, ETCD_ACTION_NONE, 401},
};

#define NCAPTURES (sizeof(captures) / sizeof(captures[0]))

static char *load(const char *name, size_t *len, long *http_status)
{
    char file[256];

    snprintf(file, sizeof(file), "%s.json", name);
    *http_status = utest_read_status(name, 200);
    return utest_read_file(file, len);
}

static void check_capture(const capture *c, const etcd_response *r, const char *body,
                          size_t len, long http_status)
{
    CU_ASSERT_EQUAL(r->status, c->status);
    if (r->status != c->status) {
        fprintf(stderr, "\n  %s: status %s, expected %s (reason: %s)\n", c->name,
                etcd_err_name(r->status), etcd_err_name(c->status),
                r->reason ? r->reason : "none");
    }
    CU_ASSERT_EQUAL(r->http_status, http_status);
    CU_ASSERT_EQUAL(r->action, c->action);
    CU_ASSERT_EQUAL(r->error.code, c->error_code);
    check_against_json(r, body, len);
}

/* Every captured answer decodes to what it says. */
static void test_captures(void)
{
    size_t i;

    for (i = 0; i < NCAPTURES; i++) {
        const capture *c = &captures[i];
        size_t len;
        long http_status;
        char *body = load(c->name, &len, &http_status);
        etcd_response *r;

        if (body == NULL) {
            continue;
        }
        r = etcd__response_parse(c->decoder, http_status, body, len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        check_capture(c, r, body, len, http_status);
        etcd_response_free(r);
        free(body);
    }
}

/* The network delivers a body in arbitrary pieces: fed one byte at a time, or in two
 * pieces split anywhere, into the bounded buffer and decoded once complete, every
 * capture gives the same result. */
static void test_captures_split(void)
{
    size_t i;

    for (i = 0; i < NCAPTURES; i++) {
        const capture *c = &captures[i];
        size_t len;
        size_t k;
        long http_status;
        char *body = load(c->name, &len, &http_status);
        etcd__buf buf = {0};
        etcd_response *r;

        if (body == NULL) {
            continue;
        }
        for (k = 0; k < len; k++) {
            CU_ASSERT_EQUAL_FATAL(etcd__buf_append(&buf, body + k, 1, len), ETCD_OK);
        }
        CU_ASSERT_EQUAL(buf.len, len);
        r = etcd__response_parse(c->decoder, http_status, buf.data, buf.len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        check_capture(c, r, body, len, http_status);
        etcd_response_free(r);

        for (k = 1; k < len; k += 7) {
            etcd__buf_reset(&buf);
            CU_ASSERT_EQUAL(etcd__buf_append(&buf, body, k, len), ETCD_OK);
            CU_ASSERT_EQUAL(etcd__buf_append(&buf, body + k, len - k, len), ETCD_OK);
            r = etcd__response_parse(c->decoder, http_status, buf.data, buf.len);
            CU_ASSERT_PTR_NOT_NULL_FATAL(r);
            CU_ASSERT_EQUAL(r->status, c->status);
            CU_ASSERT_EQUAL(r->action, c->action);
            CU_ASSERT_EQUAL(r->error.code, c->error_code);
            etcd_response_free(r);
        }
        etcd__buf_free(&buf);
        free(body);
    }
}

/* A body larger than the limit is refused by the buffer with ETCD_ETOOBIG. */
static void test_oversized(void)
{
    size_t len;
    long http_status;
    char *body = load("get_dir_recursive", &len, &http_status);
    etcd__buf buf = {0};
    size_t k;
    int rc = ETCD_OK;

    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    for (k = 0; k < len && rc == ETCD_OK; k++) {
        rc = etcd__buf_append(&buf, body + k, 1, len - 1);
    }
    CU_ASSERT_EQUAL(rc, ETCD_ETOOBIG);
    CU_ASSERT_EQUAL(k, len);
    CU_ASSERT_EQUAL(buf.len, len - 1);
    etcd__buf_free(&buf);
    free(body);
}

/* Values users read, spelled out (not only compared with Jansson). */
static void test_known_values(void)
{
    size_t len;
    long http_status;
    char *body;
    etcd_response *r;

    body = load("set_ttl", &len, &http_status);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    r = etcd__response_parse(ETCD__DECODE_KEYS, http_status, body, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->http_status, 201);
    CU_ASSERT_EQUAL(r->action, ETCD_ACTION_SET);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT_STRING_EQUAL(r->node->key, "/cap/ttlkey");
    CU_ASSERT_STRING_EQUAL(r->node->value, "hello");
    CU_ASSERT_EQUAL(r->node->value_len, 5);
    CU_ASSERT_EQUAL(r->node->ttl, 60);
    CU_ASSERT_PTR_NOT_NULL(r->node->expiration);
    CU_ASSERT_EQUAL(r->node->dir, 0);
    CU_ASSERT_EQUAL(r->node->created_index, 4);
    CU_ASSERT_EQUAL(r->node->modified_index, 4);
    CU_ASSERT_PTR_NULL(r->prev_node);
    etcd_response_free(r);
    free(body);

    /* the root: a directory with no key and no indexes */
    body = load("get_root", &len, &http_status);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    r = etcd__response_parse(ETCD__DECODE_KEYS, http_status, body, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT(r->node->dir);
    CU_ASSERT_EQUAL(r->node->created_index, 0);
    CU_ASSERT_EQUAL(r->node->modified_index, 0);
    CU_ASSERT_EQUAL_FATAL(r->node->nnodes, 1);
    CU_ASSERT_STRING_EQUAL(r->node->nodes[0].key, "/cap");
    CU_ASSERT(r->node->nodes[0].dir);
    etcd_response_free(r);
    free(body);

    /* recursive: /cap/tree holds a, b, empty and sub/deep, sorted */
    body = load("get_dir_recursive", &len, &http_status);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    r = etcd__response_parse(ETCD__DECODE_KEYS, http_status, body, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT_EQUAL_FATAL(r->node->nnodes, 4);
    CU_ASSERT_STRING_EQUAL(r->node->nodes[0].key, "/cap/tree/a");
    CU_ASSERT_STRING_EQUAL(r->node->nodes[0].value, "A");
    CU_ASSERT_STRING_EQUAL(r->node->nodes[1].key, "/cap/tree/b");
    CU_ASSERT_STRING_EQUAL(r->node->nodes[2].key, "/cap/tree/empty");
    CU_ASSERT(r->node->nodes[2].dir);
    CU_ASSERT_EQUAL(r->node->nodes[2].nnodes, 0);
    CU_ASSERT_PTR_NULL(r->node->nodes[2].value);
    CU_ASSERT_EQUAL_FATAL(r->node->nodes[3].nnodes, 1);
    CU_ASSERT_STRING_EQUAL(r->node->nodes[3].nodes[0].key, "/cap/tree/sub/deep");
    CU_ASSERT_STRING_EQUAL(r->node->nodes[3].nodes[0].value, "D");
    etcd_response_free(r);
    free(body);

    /* UTF-8 and the characters that need escaping come back decoded */
    body = load("set_utf8", &len, &http_status);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    r = etcd__response_parse(ETCD__DECODE_KEYS, http_status, body, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT_STRING_EQUAL(r->node->key, "/cap/sp\xc3\xa4"
                                         "ce ?#%+&");
    CU_ASSERT_STRING_EQUAL(r->node->value, "gr\xc3\xbc\xc3\x9f");
    etcd_response_free(r);
    free(body);

    /* an etcd error: code, message, cause, index */
    body = load("create_exists", &len, &http_status);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    r = etcd__response_parse(ETCD__DECODE_KEYS, http_status, body, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_EETCD);
    CU_ASSERT_EQUAL(r->http_status, 412);
    CU_ASSERT_EQUAL(r->error.code, 105);
    UTEST_STR_EQ(r->error.message, "Key already exists");
    UTEST_STR_EQ(r->error.cause, "/cap/created");
    CU_ASSERT_EQUAL(r->error.index, 5);
    etcd_response_free(r);
    free(body);

    /* 401: reported distinctly, with the current index to resume from */
    body = load("watch_cleared", &len, &http_status);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    r = etcd__response_parse(ETCD__DECODE_KEYS, http_status, body, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_ECLEARED);
    CU_ASSERT_EQUAL(r->error.code, 401);
    UTEST_STR_EQ(r->error.message,
                 "The event in requested index is outdated and cleared");
    CU_ASSERT_EQUAL(r->error.index, 1129);
    etcd_response_free(r);
    free(body);
}

/* etcd error 400 (watchers cleared by a recovery) is ECLEARED as well. */
static void test_error_400(void)
{
    static const char body[] = "{\"errorCode\":400,\"message\":\"watcher is cleared due "
                               "to etcd recovery\",\"cause\":\"\",\"index\":77}";
    etcd_response *r = etcd__response_parse(ETCD__DECODE_KEYS, 400, body, strlen(body));

    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_ECLEARED);
    CU_ASSERT_EQUAL(r->error.code, 400);
    CU_ASSERT_EQUAL(r->error.index, 77);
    etcd_response_free(r);
}

static void test_health_and_version(void)
{
    size_t len;
    long http_status;
    char *body;
    etcd_response *r;
    static const char unhealthy[] =
        "{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}";

    body = load("health", &len, &http_status);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    r = etcd__response_parse(ETCD__DECODE_HEALTH, http_status, body, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_OK);
    CU_ASSERT(r->health);
    etcd_response_free(r);
    free(body);

    r = etcd__response_parse(ETCD__DECODE_HEALTH, 503, unhealthy, strlen(unhealthy));
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->health, 0);
    etcd_response_free(r);
    r = etcd__response_parse(ETCD__DECODE_HEALTH, 200, unhealthy, strlen(unhealthy));
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->health, 0);
    etcd_response_free(r);

    body = load("version", &len, &http_status);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    r = etcd__response_parse(ETCD__DECODE_VERSION, http_status, body, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_OK);
    UTEST_STR_EQ(r->server_version, "3.4.23");
    UTEST_STR_EQ(r->cluster_version, "3.4.0");
    etcd_response_free(r);
    free(body);
}

/* Malformed, truncated and non-JSON bodies are clean errors with a reason. */
static void test_malformed(void)
{
    static const char *const files[] = {"truncated.json", "invalid.json", "garbage.json"};
    static const char *const bodies[] = {
        "",
        "[1,2,3]",
        "\"just a string\"",
        "{\"action\":\"get\",\"node\":{\"key\":\"/a\",\"value\":\"b\"}} trailing",
        "{\"action\":\"get\",\"node\":{\"key\":7}}",
        "{\"action\":\"get\",\"node\":\"not an object\"}",
        "{\"action\":\"get\",\"node\":{\"key\":\"/d\",\"dir\":true,\"nodes\":7}}",
        "{\"action\":\"get\",\"node\":{\"key\":\"/d\",\"dir\":true,\"nodes\":[1]}}",
        "{\"action\":\"get\",\"node\":{\"key\":\"/a\",\"value\":\"b\",\"ttl\":\"x\"}}",
        "{\"action\":\"get\",\"node\":{\"key\":\"/a\",\"modifiedIndex\":\"12\"}}",
        "{\"errorCode\":\"100\",\"message\":\"Key not found\"}",
        "{\"action\":\"get\",\"node\":{\"key\":\"/a\",\"value\":\"\\ud800\"}}",
    };
    size_t i;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        size_t len;
        char *body = utest_read_file(files[i], &len);
        etcd_response *r;

        if (body == NULL) {
            continue;
        }
        r = etcd__response_parse(ETCD__DECODE_KEYS, 200, body, len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(r->status, ETCD_EPROTO);
        CU_ASSERT_PTR_NOT_NULL(r->reason);
        CU_ASSERT_PTR_NULL(r->node);
        /* a truncated body is still truncated when it arrives byte by byte */
        etcd_response_free(r);
        free(body);
    }
    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        etcd_response *r =
            etcd__response_parse(ETCD__DECODE_KEYS, 200, bodies[i], strlen(bodies[i]));
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(r->status, ETCD_EPROTO);
        if (r->status != ETCD_EPROTO) {
            fprintf(stderr, "\n  body %zu (%s) gave %s\n", i, bodies[i],
                    etcd_err_name(r->status));
        }
        CU_ASSERT_PTR_NOT_NULL(r->reason);
        etcd_response_free(r);
    }
}

/* The decoder reads exactly len bytes: no NUL needed, none read past. */
static void test_not_nul_terminated(void)
{
    static const char text[] =
        "{\"action\":\"get\",\"node\":{\"key\":\"/a\",\"value\":\"b\","
        "\"modifiedIndex\":3,\"createdIndex\":2}}";
    size_t len = strlen(text);
    char *exact = malloc(len);
    etcd_response *r;

    CU_ASSERT_PTR_NOT_NULL_FATAL(exact);
    memcpy(exact, text, len); /* no NUL: ASan and valgrind see any over-read */
    r = etcd__response_parse(ETCD__DECODE_KEYS, 200, exact, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT_STRING_EQUAL(r->node->value, "b");
    CU_ASSERT_EQUAL(r->node->modified_index, 3);
    CU_ASSERT_EQUAL(r->node->created_index, 2);
    CU_ASSERT_EQUAL(r->body_len, len);
    CU_ASSERT_EQUAL(r->body[len], '\0');
    etcd_response_free(r);
    free(exact);
}

/* A value holding NUL bytes keeps its true length. */
static void test_value_with_nul(void)
{
    static const char body[] = "{\"action\":\"get\",\"node\":{\"key\":\"/n\",\"value\":"
                               "\"a\\u0000b\",\"modifiedIndex\":1,\"createdIndex\":1}}";
    etcd_response *r = etcd__response_parse(ETCD__DECODE_KEYS, 200, body, strlen(body));

    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->node);
    CU_ASSERT_EQUAL(r->node->value_len, 3);
    CU_ASSERT(memcmp(r->node->value, "a\0b", 3) == 0);
    etcd_response_free(r);
}

/* Non-JSON answers with an HTTP error status (a proxy, a wrong path) are ETCD_EHTTP
 * with the status kept. */
static void test_http_errors(void)
{
    static const char notfound[] = "404 page not found\n";
    static const char gateway[] = "<html><body>502 Bad Gateway</body></html>";
    etcd_response *r;

    r = etcd__response_parse(ETCD__DECODE_KEYS, 404, notfound, strlen(notfound));
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_EHTTP);
    CU_ASSERT_EQUAL(r->http_status, 404);
    CU_ASSERT_PTR_NOT_NULL(r->reason);
    etcd_response_free(r);

    r = etcd__response_parse(ETCD__DECODE_KEYS, 502, gateway, strlen(gateway));
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_EHTTP);
    CU_ASSERT_EQUAL(r->http_status, 502);
    etcd_response_free(r);

    r = etcd__response_parse(ETCD__DECODE_KEYS, 500, "", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_EHTTP);
    CU_ASSERT_EQUAL(r->http_status, 500);
    etcd_response_free(r);

    r = etcd__response_parse(ETCD__DECODE_RAW, 200, "{\"any\":[1]}", 11);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_OK);
    CU_ASSERT_EQUAL(r->body_len, 11);
    CU_ASSERT_STRING_EQUAL(r->body, "{\"any\":[1]}");
    etcd_response_free(r);

    /* RAW still reports etcd's own error objects */
    r = etcd__response_parse(ETCD__DECODE_RAW, 404,
                             "{\"errorCode\":100,\"message\":\"Key not found\"}", 43);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_EETCD);
    CU_ASSERT_EQUAL(r->error.code, 100);
    etcd_response_free(r);
}

/* A duplicate is deep and independent of the original. */
static void test_dup(void)
{
    size_t len;
    long http_status;
    char *body = load("get_dir_recursive", &len, &http_status);
    etcd_response *r;
    etcd_response *d;

    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    r = etcd__response_parse(ETCD__DECODE_KEYS, http_status, body, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(etcd__response_set_endpoint(r, "http://127.0.0.1:2379"), ETCD_OK);
    d = etcd_response_dup(r);
    etcd_response_free(r); /* the copy must not point into the original */
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->status, ETCD_OK);
    CU_ASSERT_EQUAL(d->http_status, 200);
    UTEST_STR_EQ(d->endpoint, "http://127.0.0.1:2379");
    check_against_json(d, body, len);
    etcd_response_free(d);

    free(body);
    body = load("create_exists", &len, &http_status);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    r = etcd__response_parse(ETCD__DECODE_KEYS, http_status, body, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    d = etcd_response_dup(r);
    etcd_response_free(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->status, ETCD_EETCD);
    check_against_json(d, body, len);
    etcd_response_free(d);
    free(body);

    etcd_response_free(NULL);
    etcd_response_free(etcd__response_oom()); /* ignored */
    CU_ASSERT_EQUAL(etcd__response_oom()->status, ETCD_ENOMEM);
}

/* The answers a callback may get without a response of their own (out of memory, a
 * session's "ready") are plain etcd_responses: a copy takes their public fields. */
static void test_dup_static(void)
{
    const etcd_response ready = {.status = ETCD_OK};
    etcd_response *d;

    d = etcd_response_dup(etcd__response_oom());
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_PTR_NOT_EQUAL(d, etcd__response_oom());
    CU_ASSERT_EQUAL(d->status, ETCD_ENOMEM);
    UTEST_STR_EQ(d->reason, "out of memory");
    etcd_response_free(d);

    d = etcd_response_dup(&ready);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->status, ETCD_OK);
    CU_ASSERT_PTR_NULL(d->body);
    CU_ASSERT_PTR_NULL(d->reason);
    etcd_response_free(d);

    d = etcd__response_canceled("watch cancelled");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->status, ETCD_ECANCELED);
    UTEST_STR_EQ(d->reason, "watch cancelled");
    etcd_response_free(d);
}

/* etcdctl's one-line form of an error. */
static void test_describe(void)
{
    size_t len;
    long http_status;
    char *body = load("get_missing", &len, &http_status);
    char line[256];
    char tiny[8];
    etcd_response *r;

    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    r = etcd__response_parse(ETCD__DECODE_KEYS, http_status, body, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(etcd_response_describe(r, line, sizeof(line)),
                           "100: Key not found (/cap/nothing) [18]");
    /* truncated to the buffer, still terminated */
    CU_ASSERT_STRING_EQUAL(etcd_response_describe(r, tiny, sizeof(tiny)), "100: Ke");
    etcd_response_free(r);
    free(body);

    r = etcd__response_new_error(ETCD_ETRANSPORT, "http://127.0.0.1:1",
                                 "Connection refused");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->status, ETCD_ETRANSPORT);
    UTEST_STR_EQ(r->endpoint, "http://127.0.0.1:1");
    UTEST_STR_EQ(r->reason, "Connection refused");
    CU_ASSERT_STRING_EQUAL(etcd_response_describe(r, line, sizeof(line)),
                           "http://127.0.0.1:1: Connection refused");
    etcd_response_free(r);
}

int test_unit_response_add(void)
{
    CU_pSuite s = CU_add_suite("unit_response", NULL, NULL);

    if (s == NULL || !CU_add_test(s, "captured answers decode", test_captures) ||
        !CU_add_test(s, "captured answers split byte by byte", test_captures_split) ||
        !CU_add_test(s, "oversized body is ETOOBIG", test_oversized) ||
        !CU_add_test(s, "values users read", test_known_values) ||
        !CU_add_test(s, "error 400 is ECLEARED", test_error_400) ||
        !CU_add_test(s, "health and version", test_health_and_version) ||
        !CU_add_test(s, "malformed bodies are EPROTO", test_malformed) ||
        !CU_add_test(s, "body need not be NUL-terminated", test_not_nul_terminated) ||
        !CU_add_test(s, "value with NUL bytes", test_value_with_nul) ||
        !CU_add_test(s, "non-JSON HTTP errors", test_http_errors) ||
        !CU_add_test(s, "dup is deep", test_dup) ||
        !CU_add_test(s, "dup of a static answer", test_dup_static) ||
        !CU_add_test(s, "describe in etcdctl's form", test_describe)) {
        return -1;
    }
    return 0;
}
