/* test_chaos.c: every allocation of the units, failed in turn, gives a clean error
 * (and, under ASan or valgrind, no leak). */
#define _POSIX_C_SOURCE 200809L

#include "diff.h"
#include "exec.h"
#include "suites.h"
#include "toml.h"

#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUNDS 100000

static void chaos_toml_file(const char *rel)
{
    char *path = tu_data_path(rel);
    size_t len = 0;
    char *text = path ? tu_read_file(path, &len) : NULL;
    long n;
    int ok_seen = 0;

    free(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (n = 1; n < MAX_ROUNDS && !ok_seen; n++) {
        ew_toml *doc = NULL;
        char *err = NULL;
        int rc;

        tu_fail_alloc(n);
        rc = ew_toml_parse(rel, text, len, &doc, &err);
        ok_seen = tu_alloc_count() < n; /* nothing failed: the last round */
        tu_fail_alloc(0);
        if (rc == 0) {
            CU_ASSERT_PTR_NOT_NULL(doc);
            CU_ASSERT_PTR_NULL(err);
        } else {
            CU_ASSERT_PTR_NULL(doc);
        }
        ew_toml_free(doc);
        free(err);
    }
    CU_ASSERT(ok_seen);
    free(text);
}

static void test_toml_chaos(void)
{
    chaos_toml_file("toml/valid/confd-template-resources.toml");
    chaos_toml_file("toml/valid/strings.toml");
    chaos_toml_file("toml/valid/tables.toml");
    chaos_toml_file("toml/invalid/duplicate-key.toml");
    chaos_toml_file("toml/invalid/table-clashes-key.toml");
}

static void test_diff_chaos(void)
{
    const char *old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\no\np\nq";
    const char *new_text = "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nM\nn\no\np\nq\n";
    const char *want = "--- old\n+++ new\n"
                       "@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n"
                       "@@ -10,8 +10,8 @@\n j\n k\n l\n-m\n+M\n n\n o\n p\n"
                       "-q\n\\ No newline at end of file\n+q\n";
    long n;
    int ok_seen = 0;

    for (n = 1; n < MAX_ROUNDS && !ok_seen; n++) {
        char *out = (char *)1;
        int rc;

        tu_fail_alloc(n);
        rc = ew_diff_unified(old, strlen(old), "old", new_text, strlen(new_text), "new",
                             &out);
        ok_seen = tu_alloc_count() < n;
        tu_fail_alloc(0);
        if (rc == 0) {
            CU_ASSERT_PTR_NOT_NULL_FATAL(out);
            CU_ASSERT_STRING_EQUAL(out, want);
        } else {
            CU_ASSERT_EQUAL(rc, -1);
            CU_ASSERT_PTR_NULL(out);
        }
        free(out);
    }
    CU_ASSERT(ok_seen);
}

static void test_exec_chaos(void)
{
    long n;
    int ok_seen = 0;

    for (n = 1; n < MAX_ROUNDS && !ok_seen; n++) {
        char *s;
        char *err = NULL;
        ew_exec_result r;
        int rc;

        tu_fail_alloc(n);
        s = ew_exec_expand("check {{.src}} {{ .dest }}", "/a", "/b");
        rc = ew_exec_signal_pidfile("/nonexistent/x.pid", SIGHUP, &err);
        ew_exec_run("echo hi", 5000, &r);
        ok_seen = tu_alloc_count() < n;
        tu_fail_alloc(0);
        CU_ASSERT(s == NULL || strcmp(s, "check /a /b") == 0);
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT(err == NULL ||
                  strcmp(err, "pidfile /nonexistent/x.pid: no such file") == 0);
        CU_ASSERT(r.output == NULL || strcmp(r.output, "hi\n") == 0);
        free(s);
        free(err);
        ew_exec_result_cleanup(&r);
    }
    CU_ASSERT(ok_seen);
}

int add_chaos_suite(void)
{
    CU_pSuite s = CU_add_suite("failed allocations", NULL, NULL);

    if (!s)
        return CU_get_error();
    if (!CU_add_test(s, "toml", test_toml_chaos) ||
        !CU_add_test(s, "diff", test_diff_chaos) ||
        !CU_add_test(s, "exec", test_exec_chaos))
        return CU_get_error();
    return CUE_SUCCESS;
}
