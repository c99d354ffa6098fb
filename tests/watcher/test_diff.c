/* test_diff.c: ew_diff_unified() against GNU `diff -u` outputs checked in under
 * data/diff (made by data/diff/gen-diff-cases.py), and the diff applied back. */
#define _POSIX_C_SOURCE 200809L

#include "diff.h"
#include "suites.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------------------------- */
/* Applying a unified diff, to check any output is a correct patch                     */

typedef struct buf {
    char *d;
    size_t len;
    size_t cap;
} buf;

static void buf_add(buf *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 256;
        char *q;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        q = realloc(b->d, ncap);
        CU_ASSERT_FATAL(q != NULL);
        b->d = q;
        b->cap = ncap;
    }
    memcpy(b->d + b->len, p, n);
    b->len += n;
    b->d[b->len] = '\0';
}

/* The line of t starting at *pos (with its '\n' if any); advances *pos. */
static size_t next_line(const char *t, size_t len, size_t *pos, const char **start)
{
    size_t s = *pos;
    const char *nl;

    *start = t + s;
    if (s >= len)
        return 0;
    nl = memchr(t + s, '\n', len - s);
    *pos = nl ? (size_t)(nl - t) + 1 : len;
    return *pos - s;
}

static size_t body_len(const char *l, size_t n)
{
    return n && l[n - 1] == '\n' ? n - 1 : n;
}

/* Apply `diff` to old; 0 and *out (new) on success, -1 when the diff does not fit. */
static int apply_diff(const char *old, size_t old_len, const char *diff, buf *out)
{
    size_t dpos = 0;
    size_t opos = 0;
    size_t dlen = strlen(diff);
    size_t oline = 0; /* lines of old consumed */
    const char *l;
    size_t n;
    char last = 0;

    out->len = 0;
    buf_add(out, "", 0);
    if (dlen == 0) {
        buf_add(out, old, old_len);
        return 0;
    }
    n = next_line(diff, dlen, &dpos, &l);
    if (n < 4 || strncmp(l, "--- ", 4) != 0)
        return -1;
    n = next_line(diff, dlen, &dpos, &l);
    if (n < 4 || strncmp(l, "+++ ", 4) != 0)
        return -1;
    for (;;) {
        n = next_line(diff, dlen, &dpos, &l);
        if (n == 0)
            break;
        if (l[0] == '@') {
            long a, b = 1, c, d = 1;
            size_t first;
            char tail[8];
            if (sscanf(l, "@@ -%ld,%ld +%ld,%ld @@%7s", &a, &b, &c, &d, tail) < 4 &&
                sscanf(l, "@@ -%ld +%ld,%ld @@", &a, &c, &d) < 3 &&
                sscanf(l, "@@ -%ld,%ld +%ld @@", &a, &b, &c) < 3 &&
                sscanf(l, "@@ -%ld +%ld @@", &a, &c) < 2)
                return -1;
            first = b == 0 ? (size_t)a : (size_t)a - 1;
            while (oline < first) {
                const char *ol;
                size_t on = next_line(old, old_len, &opos, &ol);
                if (on == 0)
                    return -1;
                buf_add(out, ol, on);
                oline++;
            }
            last = 0;
            continue;
        }
        if (l[0] == '\\') {
            if (last == '+' || last == ' ') {
                if (out->len == 0 || out->d[out->len - 1] != '\n')
                    return -1;
                out->d[--out->len] = '\0';
            }
            continue;
        }
        if (l[0] == ' ' || l[0] == '-') {
            const char *ol;
            size_t on = next_line(old, old_len, &opos, &ol);
            if (on == 0 || body_len(ol, on) != body_len(l + 1, n - 1) ||
                memcmp(ol, l + 1, body_len(ol, on)) != 0)
                return -1;
            oline++;
            if (l[0] == ' ')
                buf_add(out, l + 1, n - 1);
        } else if (l[0] == '+') {
            buf_add(out, l + 1, n - 1);
        } else {
            return -1;
        }
        last = l[0];
    }
    buf_add(out, old + opos, old_len - opos);
    return 0;
}

/* ---------------------------------------------------------------------------------- */
/* The checked-in cases                                                                */

/* Read "<tag> N\n" then N bytes and "\n" at *pos. */
static int read_block(const char *t, size_t len, size_t *pos, const char *tag,
                      const char **data, size_t *n)
{
    size_t tl = strlen(tag);
    char *end;
    long long v;

    if (*pos + tl + 1 > len || strncmp(t + *pos, tag, tl) != 0 || t[*pos + tl] != ' ')
        return -1;
    v = strtoll(t + *pos + tl + 1, &end, 10);
    if (*end != '\n' || v < 0)
        return -1;
    *pos = (size_t)(end - t) + 1;
    if ((size_t)v > len - *pos || *pos + (size_t)v >= len || t[*pos + (size_t)v] != '\n')
        return -1;
    *data = t + *pos;
    *n = (size_t)v;
    *pos += (size_t)v + 1;
    return 0;
}

static int run_case_file(const char *name)
{
    char rel[256];
    char *path;
    char *text;
    size_t len;
    size_t pos = 0;
    int count = 0;
    buf applied = {NULL, 0, 0};

    snprintf(rel, sizeof rel, "diff/%s", name);
    path = tu_data_path(rel);
    CU_ASSERT_FATAL(path != NULL);
    text = tu_read_file(path, &len);
    free(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    while (pos < len) {
        const char *old, *new_text, *want;
        size_t old_len, new_len, want_len;
        char case_name[128];
        const char *nl = memchr(text + pos, '\n', len - pos);
        char *got = NULL;

        CU_ASSERT_FATAL(nl != NULL && strncmp(text + pos, "case ", 5) == 0);
        snprintf(case_name, sizeof case_name, "%.*s", (int)(nl - text - pos - 5),
                 text + pos + 5);
        pos = (size_t)(nl - text) + 1;
        CU_ASSERT_FATAL(read_block(text, len, &pos, "old", &old, &old_len) == 0);
        CU_ASSERT_FATAL(read_block(text, len, &pos, "new", &new_text, &new_len) == 0);
        CU_ASSERT_FATAL(read_block(text, len, &pos, "diff", &want, &want_len) == 0);

        CU_ASSERT_FATAL(
            ew_diff_unified(old, old_len, "old", new_text, new_len, "new", &got) == 0);
        if (strlen(got) != want_len || memcmp(got, want, want_len) != 0) {
            fprintf(stderr, "\n  %s/%s: differs from GNU diff\n--- want\n%.*s--- got\n%s",
                    name, case_name, (int)want_len, want, got);
            CU_FAIL("output differs from GNU diff -u");
        }
        /* Cases with NUL bytes cannot go through the string-based applier. */
        if (!memchr(old, '\0', old_len) && !memchr(new_text, '\0', new_len)) {
            CU_ASSERT(apply_diff(old, old_len, got, &applied) == 0);
            CU_ASSERT(applied.len == new_len &&
                      memcmp(applied.d, new_text, new_len) == 0);
        }
        free(got);
        count++;
    }
    free(applied.d);
    free(text);
    return count;
}

static void test_edge_cases(void)
{
    CU_ASSERT(run_case_file("edge.cases") >= 30);
}

static void test_random_cases(void)
{
    int n = 0;

    n += run_case_file("random-small.cases");
    n += run_case_file("random-unrelated.cases");
    n += run_case_file("random-config.cases");
    n += run_case_file("random-moves.cases");
    n += run_case_file("random-endings.cases");
    CU_ASSERT(n >= 300);
}

/* Past diff's cost cap both must give up at the same point. */
static void test_expensive_cases(void)
{
    CU_ASSERT(run_case_file("expensive.cases") == 2);
}

/* ---------------------------------------------------------------------------------- */
/* The rest                                                                            */

static void test_identical(void)
{
    char *out = NULL;

    CU_ASSERT_EQUAL(ew_diff_unified("a\nb\n", 4, "x", "a\nb\n", 4, "y", &out), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out, "");
    free(out);
    CU_ASSERT_EQUAL(ew_diff_unified("", 0, "x", "", 0, "y", &out), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out, "");
    free(out);
    /* Only a length argument makes the texts differ. */
    CU_ASSERT_EQUAL(ew_diff_unified("a\nb\n", 2, "x", "a\nb\n", 4, "y", &out), 0);
    CU_ASSERT_STRING_EQUAL(out, "--- x\n+++ y\n@@ -1 +1,2 @@\n a\n+b\n");
    free(out);
}

static void test_labels(void)
{
    char *out = NULL;

    CU_ASSERT_EQUAL(ew_diff_unified("a\n", 2, "/etc/nginx/nginx.conf", "b\n", 2,
                                    "/etc/nginx/.nginx.conf123 (new)", &out),
                    0);
    CU_ASSERT_STRING_EQUAL(out, "--- /etc/nginx/nginx.conf\n"
                                "+++ /etc/nginx/.nginx.conf123 (new)\n"
                                "@@ -1 +1 @@\n-a\n+b\n");
    free(out);
}

/* Must match large_text() in data/diff/gen-diff-cases.py. */
static char *large_text(int changed, size_t *len)
{
    buf b = {NULL, 0, 0};
    char line[64];
    int i;

    buf_add(&b, "", 0);
    for (i = 0; i < 100000; i++) {
        if (changed && i == 10) {
            buf_add(&b, "changed line 10\n", 16);
            continue;
        }
        if (changed && i == 50000)
            continue;
        snprintf(line, sizeof line, "line %d\n", i);
        buf_add(&b, line, strlen(line));
        if (changed && i == 99990)
            buf_add(&b, "inserted after 99990\n", 21);
    }
    *len = b.len;
    return b.d;
}

static double elapsed(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_large_few_changes(void)
{
    size_t old_len, new_len;
    size_t want_len = 0;
    char *old = large_text(0, &old_len);
    char *new_text = large_text(1, &new_len);
    char *path = tu_data_path("diff/large.diff");
    char *want = path ? tu_read_file(path, &want_len) : NULL;
    char *out = NULL;
    struct timespec t0;

    free(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL_FATAL(
        ew_diff_unified(old, old_len, "old", new_text, new_len, "new", &out), 0);
    /* Linear in practice: well under a second even in a sanitizer build. */
    CU_ASSERT(elapsed(&t0) < 5.0);
    CU_ASSERT_STRING_EQUAL(out, want);
    free(out);
    free(want);
    free(old);
    free(new_text);
}

/* Two long texts with no structure in common: diff's cost cap keeps this bounded, and
 * the result is still a correct patch. */
static void test_large_unrelated(void)
{
    buf a = {NULL, 0, 0}, b = {NULL, 0, 0}, applied = {NULL, 0, 0};
    unsigned long long x = 88172645463325252ULL;
    char *out = NULL;
    struct timespec t0;
    int i;

    for (i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf_add(&a, (x & 1) ? "a\n" : "b\n", 2);
        buf_add(&b, (x & 2) ? "a\n" : "b\n", 2);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL_FATAL(ew_diff_unified(a.d, a.len, "old", b.d, b.len, "new", &out), 0);
    CU_ASSERT(elapsed(&t0) < 20.0);
    CU_ASSERT(apply_diff(a.d, a.len, out, &applied) == 0);
    CU_ASSERT(applied.len == b.len && memcmp(applied.d, b.d, b.len) == 0);
    free(out);
    free(a.d);
    free(b.d);
    free(applied.d);
}

int add_diff_suite(void)
{
    CU_pSuite s = CU_add_suite("diff", NULL, NULL);

    if (!s)
        return CU_get_error();
    if (!CU_add_test(s, "edge cases equal GNU diff -u", test_edge_cases) ||
        !CU_add_test(s, "generated cases equal GNU diff -u", test_random_cases) ||
        !CU_add_test(s, "past the cost cap, as GNU diff", test_expensive_cases) ||
        !CU_add_test(s, "identical texts give an empty string", test_identical) ||
        !CU_add_test(s, "labels in the header", test_labels) ||
        !CU_add_test(s, "100,000 lines, a few changes", test_large_few_changes) ||
        !CU_add_test(s, "20,000 unrelated lines stay bounded", test_large_unrelated))
        return CU_get_error();
    return CUE_SUCCESS;
}
