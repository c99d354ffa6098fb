/*
 * Unit tests of lib/src/v3_fast.c: the fast path of v3 range, put and delete.
 *
 * Answers: the gateway's answers captured from a real etcd 3.4 by
 * tests/unit/data/v3/capture.sh are decoded by etcd__response_parse() (the fast
 * decoder, falling back to Jansson) and by etcd__response_parse_full() (Jansson only),
 * and every field of the two responses must be the same. The fast decoder must take the
 * range, put and delete answers itself and leave the others (txn, lease, errors) alone;
 * the values users read are also spelled out. Then every truncation of each answer,
 * single-byte mutations at every position, random edits and hand-made odd shapes must
 * either decode identically or fall back: never crash (ASan, valgrind), never differ.
 *
 * Requests: the bodies written straight into the request buffer must be byte for byte
 * what json_dumps(JSON_COMPACT) makes of v3.c's JSON objects, for every option.
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
#include "v3_int.h"
#include "v3_same.h"

static int failures_shown;

/* Decode body both ways and compare; on a difference, say where (a few times). */
static int check_both(const char *label, long http, const char *body, size_t len)
{
    etcd_response *fast = etcd__response_parse(ETCD__DECODE_V3, http, body, len);
    etcd_response *full = etcd__response_parse_full(ETCD__DECODE_V3, http, body, len);
    v3_diff d = {""};
    int same;

    CU_ASSERT_PTR_NOT_NULL(fast);
    CU_ASSERT_PTR_NOT_NULL(full);
    same = same_response(fast, full, &d);
    CU_ASSERT(same);
    if (!same && failures_shown++ < 10) {
        fprintf(stderr, "\n  %s: fast and full decoders differ (%s) on %.*s\n", label,
                d.why, (int)(len > 300 ? 300 : len), body);
    }
    etcd_response_free(fast);
    etcd_response_free(full);
    return same;
}

/* Whether the fast decoder takes `body` itself (1), leaves it (0) or runs out of
 * memory (-1). */
static int fast_takes(const char *body, size_t len)
{
    etcd_response *r = etcd__response_new_error(ETCD_OK, NULL, NULL);
    int rc;

    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    rc = etcd__decode_v3_fast(r, body, len);
    if (rc != 1) {
        /* what it gives up leaves the response as it was */
        CU_ASSERT_PTR_NULL(r->header);
        CU_ASSERT_EQUAL(r->v3.nkvs, 0);
        CU_ASSERT_PTR_NULL(r->v3.kvs);
        CU_ASSERT_PTR_NULL(r->v3.prev_kvs);
        CU_ASSERT_EQUAL(r->v3.count, 0);
    }
    etcd_response_free(r);
    return rc;
}

/* ---- The captured answers --------------------------------------------------------- */

static const struct {
    const char *name;
    int fast; /* the fast decoder takes it */
} captures[] = {
    {"range_missing", 1},
    {"range_one", 1},
    {"range_many", 1},
    {"range_all", 1},
    {"range_keys_only", 1},
    {"range_count_only", 1},
    {"range_more", 1},
    {"range_descend", 1},
    {"range_old_rev", 1},
    {"range_serializable", 1},
    {"range_binary", 1},
    {"range_empty_value", 1},
    {"put_first", 1},
    {"put_prev_kv", 1},
    {"put_prev_kv_new", 1},
    {"put_binary", 1},
    {"put_empty", 1},
    {"put_lease", 1},
    {"put_lease_prev_kv", 1},
    {"put_many", 1},
    {"delete_missing", 1},
    {"delete_one", 1},
    {"delete_prefix", 1},
    {"delete_prev_kv", 1},
    {"delete_prev_kv_lease", 1},
    {"compact", 1},
    {"txn", 0},
    {"lease_grant", 0},
    {"error_compacted", 0},
    {"error_bad_json", 0},
    {"error_empty_key", 0},
};

#define NCAPTURES (sizeof(captures) / sizeof(captures[0]))

static char *read_capture(size_t i, size_t *len, long *http)
{
    char path[128];

    snprintf(path, sizeof(path), "v3/%s", captures[i].name);
    *http = utest_read_status(path, 0);
    CU_ASSERT(*http >= 200);
    snprintf(path, sizeof(path), "v3/%s.json", captures[i].name);
    return utest_read_file(path, len);
}

static void test_captures(void)
{
    size_t i;

    for (i = 0; i < NCAPTURES; i++) {
        size_t len;
        long http;
        char *body = read_capture(i, &len, &http);

        if (body == NULL) {
            continue;
        }
        check_both(captures[i].name, http, body, len);
        if (http >= 200 && http < 300) {
            int took = fast_takes(body, len);

            CU_ASSERT_EQUAL(took, captures[i].fast);
            if (took != captures[i].fast) {
                fprintf(stderr, "\n  %s: the fast decoder %s it\n", captures[i].name,
                        took == 1 ? "took" : "left");
            }
        }
        free(body);
    }
}

static etcd_response *parse_capture(const char *name)
{
    char path[128];
    size_t len;
    char *body;
    etcd_response *r;

    snprintf(path, sizeof(path), "v3/%s.json", name);
    body = utest_read_file(path, &len);
    if (body == NULL) {
        return NULL;
    }
    r = etcd__response_parse(ETCD__DECODE_V3, 200, body, len);
    free(body);
    CU_ASSERT_PTR_NOT_NULL(r);
    if (r != NULL) {
        CU_ASSERT_EQUAL(r->status, ETCD_OK);
    }
    return r;
}

static void check_kv(const etcd_kv *kv, const char *key, size_t key_len,
                     const char *value, size_t value_len, int64_t create, int64_t mod,
                     int64_t version, int64_t lease)
{
    CU_ASSERT_EQUAL(kv->key_len, key_len);
    CU_ASSERT(memcmp(kv->key, key, key_len) == 0 && kv->key[key_len] == '\0');
    CU_ASSERT_EQUAL(kv->value_len, value_len);
    CU_ASSERT(memcmp(kv->value, value, value_len) == 0 && kv->value[value_len] == '\0');
    CU_ASSERT_EQUAL(kv->create_revision, create);
    CU_ASSERT_EQUAL(kv->mod_revision, mod);
    CU_ASSERT_EQUAL(kv->version, version);
    CU_ASSERT_EQUAL(kv->lease, lease);
}

static void test_known_values(void)
{
    etcd_response *r;

    r = parse_capture("range_one");
    if (r != NULL) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(r->header);
        CU_ASSERT_EQUAL(r->header->cluster_id, UINT64_C(17876557358865351106));
        CU_ASSERT_EQUAL(r->header->member_id, UINT64_C(6120239024577958897));
        CU_ASSERT_EQUAL(r->header->revision, 4);
        CU_ASSERT_EQUAL(r->header->raft_term, 2);
        CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 1);
        check_kv(&r->v3.kvs[0], "/cap/a", 6, "uno", 3, 2, 4, 2, 0);
        CU_ASSERT_EQUAL(r->v3.count, 1);
        CU_ASSERT_EQUAL(r->v3.more, 0);
        CU_ASSERT_EQUAL(r->v3.nprev_kvs, 0);
    }
    etcd_response_free(r);

    r = parse_capture("range_binary");
    if (r != NULL) {
        CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 1);
        check_kv(&r->v3.kvs[0], "/cap/bin\x01", 9, "a\0b\xff\0", 5, 5, 5, 1, 0);
    }
    etcd_response_free(r);

    r = parse_capture("range_empty_value");
    if (r != NULL) {
        CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 1);
        check_kv(&r->v3.kvs[0], "/cap/empty", 10, "", 0, 6, 6, 1, 0);
    }
    etcd_response_free(r);

    r = parse_capture("range_more");
    if (r != NULL) {
        CU_ASSERT_EQUAL(r->v3.nkvs, 3);
        CU_ASSERT_EQUAL(r->v3.more, 1);
        CU_ASSERT_EQUAL(r->v3.count, 17);
    }
    etcd_response_free(r);

    r = parse_capture("range_many");
    if (r != NULL) {
        CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 17);
        check_kv(&r->v3.kvs[4], "/cap/leased", 11, "l2", 2, 7, 8, 2,
                 INT64_C(6048793963027218703));
        check_kv(&r->v3.kvs[16], "/cap/m/9", 8, "v9", 2, 18, 18, 1, 0);
    }
    etcd_response_free(r);

    r = parse_capture("range_keys_only");
    if (r != NULL) {
        CU_ASSERT_EQUAL_FATAL(r->v3.nkvs, 17);
        check_kv(&r->v3.kvs[0], "/cap/a", 6, "", 0, 2, 4, 2, 0);
    }
    etcd_response_free(r);

    r = parse_capture("range_count_only");
    if (r != NULL) {
        CU_ASSERT_EQUAL(r->v3.nkvs, 0);
        CU_ASSERT_PTR_NULL(r->v3.kvs);
        CU_ASSERT_EQUAL(r->v3.count, 17);
    }
    etcd_response_free(r);

    r = parse_capture("range_missing");
    if (r != NULL) {
        CU_ASSERT_PTR_NOT_NULL(r->header);
        CU_ASSERT_EQUAL(r->v3.nkvs, 0);
        CU_ASSERT_EQUAL(r->v3.count, 0);
    }
    etcd_response_free(r);

    r = parse_capture("put_lease_prev_kv");
    if (r != NULL) {
        CU_ASSERT_EQUAL(r->header->revision, 8);
        CU_ASSERT_EQUAL_FATAL(r->v3.nprev_kvs, 1);
        check_kv(&r->v3.prev_kvs[0], "/cap/leased", 11, "l", 1, 7, 7, 1,
                 INT64_C(6048793963027218703));
    }
    etcd_response_free(r);

    r = parse_capture("put_prev_kv_new");
    if (r != NULL) {
        CU_ASSERT_EQUAL(r->v3.nprev_kvs, 0);
        CU_ASSERT_PTR_NULL(r->v3.prev_kvs);
    }
    etcd_response_free(r);

    r = parse_capture("delete_prev_kv");
    if (r != NULL) {
        CU_ASSERT_EQUAL(r->v3.deleted, 4);
        CU_ASSERT_EQUAL_FATAL(r->v3.nprev_kvs, 4);
        check_kv(&r->v3.prev_kvs[3], "/cap/m/2", 8, "v2", 2, 11, 11, 1, 0);
    }
    etcd_response_free(r);

    r = parse_capture("delete_one");
    if (r != NULL) {
        CU_ASSERT_EQUAL(r->v3.deleted, 1);
        CU_ASSERT_EQUAL(r->v3.nprev_kvs, 0);
    }
    etcd_response_free(r);
}

/* ---- Truncated, mutated and odd answers ------------------------------------------- */

static const char *const mutated[] = {"range_one", "range_more", "put_lease_prev_kv",
                                      "delete_prev_kv", "range_empty_value"};

static void test_truncated(void)
{
    size_t i;

    for (i = 0; i < NCAPTURES; i++) {
        size_t len, n;
        long http;
        char *body = read_capture(i, &len, &http);
        int bad = 0;

        if (body == NULL) {
            continue;
        }
        for (n = 0; n < len && bad < 3; n++) {
            bad += !check_both(captures[i].name, http, body, n);
        }
        free(body);
    }
}

static void test_mutated(void)
{
    static const char bytes[] = {'"', '\\', '}', ']', ',',  ':',    '0', '9', 'A',
                                 '=', ' ',  '-', 't', '\0', '\x80', '{', '[', '+'};
    size_t m, pos, b;

    for (m = 0; m < sizeof(mutated) / sizeof(mutated[0]); m++) {
        char path[128];
        size_t len;
        char *body;
        int bad = 0;

        snprintf(path, sizeof(path), "v3/%s.json", mutated[m]);
        body = utest_read_file(path, &len);
        if (body == NULL) {
            continue;
        }
        for (pos = 0; pos < len && bad < 3; pos++) {
            char keep = body[pos];

            for (b = 0; b < sizeof(bytes); b++) {
                if (bytes[b] == keep) {
                    continue;
                }
                body[pos] = bytes[b];
                bad += !check_both(mutated[m], 200, body, len);
            }
            body[pos] = keep;
        }
        free(body);
    }
}

/* Random edits (a fixed seed: the same run every time): bytes replaced, dropped,
 * duplicated, with answers and status codes mixed. */
static void test_random_edits(void)
{
    static const char alphabet[] = "{}[]\":,\\ 0123456789-+.eEAZaz=/trufalsenl\x01\xff";
    uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
    int round, bad = 0;

    for (round = 0; round < 4000 && bad < 3; round++) {
        size_t i = (size_t)(seed >> 33) % NCAPTURES, len, cap, k, edits;
        long http;
        char *orig = read_capture(i, &len, &http);
        char *body;

        if (orig == NULL) {
            return;
        }
        cap = len + 16;
        body = malloc(cap);
        CU_ASSERT_PTR_NOT_NULL_FATAL(body);
        memcpy(body, orig, len);
        free(orig);
        seed = seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        edits = 1 + (size_t)(seed >> 60) % 4;
        for (k = 0; k < edits && len > 0; k++) {
            size_t at;
            unsigned kind;

            seed = seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
            at = (size_t)(seed >> 33) % len;
            kind = (unsigned)(seed >> 20) % 3;
            if (kind == 0) {
                body[at] = alphabet[(seed >> 40) % (sizeof(alphabet) - 1)];
            } else if (kind == 1) {
                memmove(body + at, body + at + 1, len - at - 1);
                len--;
            } else if (len < cap) {
                memmove(body + at + 1, body + at, len - at);
                len++;
            }
        }
        bad += !check_both("random edit", (seed >> 30) % 5 ? http : 400, body, len);
        free(body);
    }
}

static void test_odd_shapes(void)
{
    static const char *const bodies[] = {
        /* what the fast decoder takes */
        "{}",
        " \t\r\n{ \"header\" : { \"revision\" : \"7\" } , \"count\" : \"0\" } \n",
        "{\"kvs\":[],\"prev_kvs\":[]}",
        "{\"kvs\":[{}],\"prev_kv\":{}}",
        "{\"prev_kvs\":[],\"prev_kv\":{\"key\":\"YQ==\"}}",
        "{\"header\":{},\"more\":false,\"deleted\":\"0\"}",
        "{\"count\":\"0009\"}",
        "{\"count\":\"9223372036854775807\"}",
        "{\"header\":{\"cluster_id\":\"18446744073709551615\"}}",
        "{\"kvs\":[{\"key\":\"YWJj\",\"value\":\"\"}]}",
        "{\"kvs\":[{\"key\":\"-_-_\"}]}",
        "{\"kvs\":[{\"key\":\"YQ\"}]}",
        "{\"count\":\"00000000000000000001\"}",
        "{\"header\":{\"member_id\":\"10000000000000000000\"}}",
        /* what it leaves to the full decoder */
        "{\"count\":\"000000000000000000001\"}",
        "{\"header\":{\"member_id\":\"99999999999999999999\"}}",
        "{\"header\":{\"revision\":\"10000000000000000000\"}}",
        "{\"prev_kv\":{},\"prev_kvs\":[]}",
        "{\"prev_kvs\":[{}],\"prev_kv\":{}}",
        "{\"prev_kv\":{\"key\":\"YQ==\"},\"prev_kvs\":\"junk\"}",
        "{\"count\":\"1\",\"count\":\"2\"}",
        "{\"kvs\":[{\"key\":\"YQ==\",\"key\":\"Yg==\"}]}",
        "{\"count\":\"9223372036854775808\"}",
        "{\"count\":\"99999999999999999999999\"}",
        "{\"header\":{\"cluster_id\":\"18446744073709551616\"}}",
        "{\"header\":{\"cluster_id\":\"-1\"}}",
        "{\"header\":{\"revision\":\"-1\"}}",
        "{\"header\":{\"revision\":-1}}",
        "{\"count\":3}",
        "{\"count\":3.5}",
        "{\"count\":\"+3\"}",
        "{\"count\":\" 3\"}",
        "{\"count\":\"3 \"}",
        "{\"count\":\"\"}",
        "{\"count\":null}",
        "{\"count\":true}",
        "{\"more\":\"true\"}",
        "{\"more\":null}",
        "{\"more\":1}",
        "{\"header\":null}",
        "{\"header\":[]}",
        "{\"header\":\"x\"}",
        "{\"kvs\":null}",
        "{\"kvs\":{}}",
        "{\"kvs\":[1]}",
        "{\"kvs\":[null]}",
        "{\"kvs\":[{\"key\":null}]}",
        "{\"kvs\":[{\"key\":\"Y\\/==\"}]}",
        "{\"kvs\":[{\"key\":\"\\u0059Q==\"}]}",
        "{\"kvs\":[{\"key\":\"YQ==\",\"extra\":1}]}",
        "{\"kvs\":[{\"key\":\"Y\"}]}",
        "{\"kvs\":[{\"key\":\"Y=Q=\"}]}",
        "{\"kvs\":[{\"key\":\"Y Q==\"}]}",
        "{\"kvs\":[{\"key\":\"YQ==\"},]}",
        "{\"kvs\":[{\"key\":\"YQ==\"}],}",
        "{\"k\\u0076s\":[]}",
        "{\"result\":{\"header\":{}}}",
        "{\"token\":\"abc\"}",
        "{\"key\":\"YQ==\"}",
        "{\"error\":\"x\",\"code\":2,\"message\":\"x\"}",
        "{\"header\":{}} {}",
        "{\"header\":{}}x",
        "{\"header\":{}",
        "[]",
        "\"x\"",
        "",
        "   ",
        "{\"\xff\":1}",
    };
    static const long statuses[] = {200, 201, 299, 400, 404, 500};
    size_t i, k;

    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        for (k = 0; k < sizeof(statuses) / sizeof(statuses[0]); k++) {
            check_both(bodies[i], statuses[k], bodies[i], strlen(bodies[i]));
        }
    }
    /* the first fourteen are the fast decoder's own; the others are not */
    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        int took = fast_takes(bodies[i], strlen(bodies[i]));

        CU_ASSERT_EQUAL(took, i < 14);
        if (took != (i < 14)) {
            fprintf(stderr, "\n  %s: the fast decoder %s it\n", bodies[i],
                    took == 1 ? "took" : "left");
        }
    }
    /* a NUL inside the body: the full decoder's to refuse */
    check_both("NUL", 200, "{\"count\":\"1\"}\0", 14);
    check_both("NUL in a string", 200, "{\"count\":\"1\0\"}", 14);
    CU_ASSERT_EQUAL(fast_takes("{\"count\":\"1\"}\0", 14), 0);
}

/* ---- Request bodies -----------------------------------------------------------------
 */

static int bodies_checked;

/* The written body and json_dumps() of the JSON object: the same bytes. */
static void compare_body(const char *what, etcd__buf *written, json_t *obj)
{
    char *dumped;

    CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
    dumped = json_dumps(obj, JSON_COMPACT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dumped);
    CU_ASSERT_PTR_NOT_NULL_FATAL(written->data);
    CU_ASSERT_EQUAL(written->len, strlen(written->data));
    CU_ASSERT_STRING_EQUAL(written->data, dumped);
    if (strcmp(written->data, dumped) != 0) {
        fprintf(stderr, "\n  %s:\n    written %s\n    Jansson %s\n", what, written->data,
                dumped);
    }
    bodies_checked++;
    free(dumped);
    json_decref(obj);
    etcd__buf_free(written);
}

static const etcd_bytes keys[] = {
    {"/bench/key", ETCD_STRLEN},
    {"/a", 2},
    {"", 0},
    {NULL, 0},
    {"", ETCD_STRLEN},
    {"a\0b", 3},
    {"\xff", 1},
    {"\xff\xff", 2},
    {"ab\xff", 3},
    {"a\xfe\xff", 3},
    {"xyz", 2}, /* a length shorter than the string */
    {"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", ETCD_STRLEN},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const int64_t numbers[] = {0, 1, 5, -1, 10, 1234567890123, INT64_MAX, INT64_MIN};

static void ranges(etcd_range_end *out, size_t *n)
{
    size_t k = 0;

    memset(out, 0, 6 * sizeof(*out));
    k++; /* none */
    out[k++].prefix = 1;
    out[k++].from_key = 1;
    out[k].end.data = "/z";
    out[k++].end.len = ETCD_STRLEN;
    out[k].end.data = "\0";
    out[k++].end.len = 1;
    out[k].prefix = 1;
    out[k].from_key = 1;
    out[k].end.data = "q";
    out[k++].end.len = 1;
    *n = k;
}

static void test_range_bodies(void)
{
    etcd_range_end rs[6];
    size_t nr, k, r, v;

    ranges(rs, &nr);
    for (k = 0; k < NKEYS; k++) {
        for (r = 0; r < nr; r++) {
            for (v = 0; v < 12; v++) {
                etcd_range_opts o;
                etcd__buf b = {NULL, 0, 0};

                memset(&o, 0, sizeof(o));
                o.range = rs[r];
                o.limit = numbers[v % 8];
                o.revision = numbers[(v + 3) % 8];
                o.sort_order = (etcd_sort_order)((int)v % 5 - 1);   /* -1 .. 3 */
                o.sort_target = (etcd_sort_target)((int)v % 7 - 1); /* -1 .. 5 */
                o.keys_only = v & 1;
                o.count_only = (int)(v & 2) * 3;
                o.serializable = v & 4;
                CU_ASSERT_EQUAL(etcd__v3_write_range(&b, keys[k], &o), ETCD_OK);
                compare_body("range", &b, etcd__v3_range_json(keys[k], &o));
            }
            {
                etcd__buf b = {NULL, 0, 0};

                CU_ASSERT_EQUAL(etcd__v3_write_range(&b, keys[k], NULL), ETCD_OK);
                compare_body("range, no options", &b, etcd__v3_range_json(keys[k], NULL));
            }
        }
    }
}

static void test_put_bodies(void)
{
    size_t k, v, f;

    for (k = 0; k < NKEYS; k++) {
        for (v = 0; v < NKEYS; v++) {
            for (f = 0; f < 16; f++) {
                etcd_put_opts o;
                etcd__buf b = {NULL, 0, 0};

                memset(&o, 0, sizeof(o));
                o.lease = numbers[(k + v + f) % 8];
                o.prev_kv = f & 1;
                o.ignore_value = f & 2;
                o.ignore_lease = f & 4;
                CU_ASSERT_EQUAL(
                    etcd__v3_write_put(&b, keys[k], keys[v], f < 15 ? &o : NULL),
                    ETCD_OK);
                compare_body("put", &b,
                             etcd__v3_put_json(keys[k], keys[v], f < 15 ? &o : NULL));
            }
        }
    }
}

static void test_delete_bodies(void)
{
    etcd_range_end rs[6];
    size_t nr, k, r, f;

    ranges(rs, &nr);
    for (k = 0; k < NKEYS; k++) {
        for (r = 0; r < nr; r++) {
            for (f = 0; f < 3; f++) {
                etcd_delete_opts o;
                etcd__buf b = {NULL, 0, 0};

                memset(&o, 0, sizeof(o));
                o.range = rs[r];
                o.prev_kv = (int)f;
                CU_ASSERT_EQUAL(etcd__v3_write_delete(&b, keys[k], f < 2 ? &o : NULL),
                                ETCD_OK);
                compare_body("delete", &b,
                             etcd__v3_delete_json(keys[k], f < 2 ? &o : NULL));
            }
        }
    }
}

/* The bench's bodies, spelled out (tests/bench/range_v3.lua and put_v3.lua copy them). */
static void test_known_bodies(void)
{
    etcd__buf b = {NULL, 0, 0};
    etcd_bytes key = {"/bench/key", ETCD_STRLEN}, value = {"0123", 4};
    etcd_range_opts ro;
    etcd_delete_opts dopts;

    CU_ASSERT_EQUAL(etcd__v3_write_range(&b, key, NULL), ETCD_OK);
    UTEST_STR_EQ(b.data, "{\"key\":\"L2JlbmNoL2tleQ==\"}");
    etcd__buf_free(&b);
    CU_ASSERT_EQUAL(etcd__v3_write_put(&b, key, value, NULL), ETCD_OK);
    UTEST_STR_EQ(b.data, "{\"key\":\"L2JlbmNoL2tleQ==\",\"value\":\"MDEyMw==\"}");
    etcd__buf_free(&b);
    memset(&ro, 0, sizeof(ro));
    ro.range.prefix = 1;
    ro.limit = 2;
    ro.sort_order = ETCD_SORT_DESCEND;
    ro.keys_only = 1;
    CU_ASSERT_EQUAL(etcd__v3_write_range(&b, (etcd_bytes){"/a/", 3}, &ro), ETCD_OK);
    UTEST_STR_EQ(b.data, "{\"key\":\"L2Ev\",\"range_end\":\"L2Ew\",\"limit\":\"2\","
                         "\"sort_order\":\"DESCEND\",\"keys_only\":true}");
    etcd__buf_free(&b);
    memset(&dopts, 0, sizeof(dopts));
    dopts.range.prefix = 1;
    dopts.prev_kv = 1;
    CU_ASSERT_EQUAL(etcd__v3_write_delete(&b, (etcd_bytes){"", 0}, &dopts), ETCD_OK);
    UTEST_STR_EQ(b.data, "{\"key\":\"AA==\",\"range_end\":\"AA==\",\"prev_kv\":true}");
    etcd__buf_free(&b);
    CU_ASSERT(bodies_checked > 1000);
}

int test_unit_v3_fast_add(void)
{
    CU_pSuite s = CU_add_suite("unit_v3_fast", NULL, NULL);

    if (s == NULL ||
        !CU_add_test(s, "captured answers: fast and full agree", test_captures) ||
        !CU_add_test(s, "values users read", test_known_values) ||
        !CU_add_test(s, "every truncation agrees", test_truncated) ||
        !CU_add_test(s, "every single-byte mutation agrees", test_mutated) ||
        !CU_add_test(s, "random edits agree", test_random_edits) ||
        !CU_add_test(s, "odd shapes: taken or left, never different", test_odd_shapes) ||
        !CU_add_test(s, "range bodies as Jansson writes them", test_range_bodies) ||
        !CU_add_test(s, "put bodies as Jansson writes them", test_put_bodies) ||
        !CU_add_test(s, "delete bodies as Jansson writes them", test_delete_bodies) ||
        !CU_add_test(s, "the bench's bodies", test_known_bodies)) {
        return -1;
    }
    return 0;
}
