/*
 * Unit tests of the header half of lib/src/response.c: X-Etcd-Cluster-Id,
 * X-Etcd-Index, X-Raft-Index and X-Raft-Term gathered line by line as curl hands them
 * over, from header blocks captured from a real etcd.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <CUnit/CUnit.h>

#include "etcd/etcd.h"
#include "response_int.h"
#include "utest.h"

/* What the captured block says, read by the test itself. */
typedef struct expected {
    char cluster_id[64];
    uint64_t etcd_index;
    uint64_t raft_index;
    uint64_t raft_term;
} expected;

static uint64_t number_after_colon(const char *line)
{
    const char *p = strchr(line, ':');
    char *end;
    unsigned long long v;

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    errno = 0;
    v = strtoull(p + 1, &end, 10);
    CU_ASSERT_EQUAL(errno, 0);
    CU_ASSERT(end != p + 1);
    return (uint64_t)v;
}

/* Feed every line of a captured block (CRLF-terminated, as curl delivers them). */
static void feed_block(etcd__headers *h, const char *block, size_t len, expected *e)
{
    size_t start = 0;

    memset(e, 0, sizeof(*e));
    while (start < len) {
        const char *nl = memchr(block + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - block) + 1 : len;
        char line[512];
        size_t n = end - start;

        etcd__headers_feed(h, block + start, n);
        if (n < sizeof(line)) {
            memcpy(line, block + start, n);
            line[n] = '\0';
            if (strncasecmp(line, "X-Etcd-Cluster-Id:", 18) == 0) {
                const char *v = line + 18;
                size_t k = 0;
                while (*v == ' ') {
                    v++;
                }
                while (v[k] != '\0' && v[k] != '\r' && v[k] != '\n' &&
                       k < sizeof(e->cluster_id) - 1) {
                    e->cluster_id[k] = v[k];
                    k++;
                }
                e->cluster_id[k] = '\0';
            } else if (strncasecmp(line, "X-Etcd-Index:", 13) == 0) {
                e->etcd_index = number_after_colon(line);
            } else if (strncasecmp(line, "X-Raft-Index:", 13) == 0) {
                e->raft_index = number_after_colon(line);
            } else if (strncasecmp(line, "X-Raft-Term:", 12) == 0) {
                e->raft_term = number_after_colon(line);
            }
        }
        start = end;
    }
}

static void test_captured_blocks(void)
{
    static const char *const files[] = {"get_key.headers", "set_plain.headers",
                                        "get_root_empty.headers"};
    size_t i;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        size_t len;
        char *block = utest_read_file(files[i], &len);
        etcd__headers h;
        expected e;
        etcd_response *r;

        if (block == NULL) {
            continue;
        }
        memset(&h, 0x5a, sizeof(h)); /* the status line must clear it */
        feed_block(&h, block, len, &e);
        CU_ASSERT_STRING_EQUAL(e.cluster_id, "d1cfaf999eb97a2a");
        CU_ASSERT(e.etcd_index > 0);
        CU_ASSERT(e.raft_term > 0);
        CU_ASSERT_STRING_EQUAL(h.cluster_id, e.cluster_id);
        CU_ASSERT_EQUAL(h.etcd_index, e.etcd_index);
        CU_ASSERT_EQUAL(h.raft_index, e.raft_index);
        CU_ASSERT_EQUAL(h.raft_term, e.raft_term);

        r = etcd__response_parse(ETCD__DECODE_KEYS, 200, "{\"action\":\"get\"}", 16);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(etcd__response_set_headers(r, &h), ETCD_OK);
        UTEST_STR_EQ(r->info.cluster_id, "d1cfaf999eb97a2a");
        CU_ASSERT_EQUAL(r->info.etcd_index, e.etcd_index);
        CU_ASSERT_EQUAL(r->info.raft_index, e.raft_index);
        CU_ASSERT_EQUAL(r->info.raft_term, e.raft_term);
        etcd_response_free(r);
        free(block);
    }
}

/* Known values of one captured block, spelled out. */
static void test_known_block(void)
{
    size_t len;
    char *block = utest_read_file("get_key.headers", &len);
    etcd__headers h;
    expected e;

    CU_ASSERT_PTR_NOT_NULL_FATAL(block);
    memset(&h, 0, sizeof(h));
    feed_block(&h, block, len, &e);
    CU_ASSERT_STRING_EQUAL(h.cluster_id, "d1cfaf999eb97a2a");
    CU_ASSERT_EQUAL(h.etcd_index, 18);
    CU_ASSERT_EQUAL(h.raft_index, 24);
    CU_ASSERT_EQUAL(h.raft_term, 2);
    free(block);
}

/* Names are case-insensitive, values may lack CRLF, a status line starts over. */
static void test_lines(void)
{
    etcd__headers h;
    static const char *const lines[] = {
        "HTTP/1.1 200 OK\r\n",
        "x-etcd-index: 42\r\n",
        "X-RAFT-INDEX:7",
        "X-Raft-Term: 3\n",
        "X-Etcd-Cluster-Id: abc\r\n",
        "Content-Type: application/json\r\n",
        "\r\n",
    };
    size_t i;

    memset(&h, 0, sizeof(h));
    for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        etcd__headers_feed(&h, lines[i], strlen(lines[i]));
    }
    CU_ASSERT_EQUAL(h.etcd_index, 42);
    CU_ASSERT_EQUAL(h.raft_index, 7);
    CU_ASSERT_EQUAL(h.raft_term, 3);
    CU_ASSERT_STRING_EQUAL(h.cluster_id, "abc");

    /* a redirect or "100 Continue" is followed by a new answer with new headers */
    etcd__headers_feed(&h, "HTTP/1.1 200 OK\r\n", 17);
    CU_ASSERT_EQUAL(h.etcd_index, 0);
    CU_ASSERT_EQUAL(h.raft_index, 0);
    CU_ASSERT_EQUAL(h.raft_term, 0);
    CU_ASSERT_STRING_EQUAL(h.cluster_id, "");
    etcd__headers_feed(&h, "X-Etcd-Index: 43\r\n", 18);
    CU_ASSERT_EQUAL(h.etcd_index, 43);
}

/* The line is read within its length: no NUL, no over-read. */
static void test_not_nul_terminated(void)
{
    etcd__headers h;
    static const char text[] = "X-Etcd-Index: 1234";
    char *exact = malloc(sizeof(text) - 1);

    CU_ASSERT_PTR_NOT_NULL_FATAL(exact);
    memcpy(exact, text, sizeof(text) - 1);
    memset(&h, 0, sizeof(h));
    etcd__headers_feed(&h, exact, sizeof(text) - 1);
    CU_ASSERT_EQUAL(h.etcd_index, 1234);
    /* only "X-Etcd-Index: 12" of it */
    etcd__headers_feed(&h, exact, sizeof(text) - 3);
    CU_ASSERT_EQUAL(h.etcd_index, 12);
    free(exact);
}

/* Hostile values: not numbers, too long, huge. Never a crash, never garbage. */
static void test_hostile_values(void)
{
    etcd__headers h;
    char longid[300];

    memset(&h, 0, sizeof(h));
    etcd__headers_feed(&h, "X-Etcd-Index: abc\r\n", 19);
    CU_ASSERT_EQUAL(h.etcd_index, 0);
    etcd__headers_feed(&h, "X-Etcd-Index: -5\r\n", 18);
    CU_ASSERT_EQUAL(h.etcd_index, 0);
    etcd__headers_feed(&h, "X-Raft-Term: 18446744073709551615\r\n", 35);
    CU_ASSERT_EQUAL(h.raft_term, UINT64_C(18446744073709551615));
    etcd__headers_feed(&h, "X-Raft-Index: 99999999999999999999999\r\n", 39);
    CU_ASSERT(h.raft_index == 0 || h.raft_index == UINT64_MAX);
    etcd__headers_feed(&h, "X-Etcd-Index:", 13);
    etcd__headers_feed(&h, "", 0);

    memcpy(longid, "X-Etcd-Cluster-Id: ", 19);
    memset(longid + 19, 'f', sizeof(longid) - 19);
    etcd__headers_feed(&h, longid, sizeof(longid));
    CU_ASSERT(strlen(h.cluster_id) < sizeof(h.cluster_id));
}

int test_unit_headers_add(void)
{
    CU_pSuite s = CU_add_suite("unit_headers", NULL, NULL);

    if (s == NULL || !CU_add_test(s, "captured header blocks", test_captured_blocks) ||
        !CU_add_test(s, "known values of a block", test_known_block) ||
        !CU_add_test(s, "line forms", test_lines) ||
        !CU_add_test(s, "line need not be NUL-terminated", test_not_nul_terminated) ||
        !CU_add_test(s, "hostile values", test_hostile_values)) {
        return -1;
    }
    return 0;
}
