/* test_toml.c: confd's resource files, every TOML form they use, and the errors. */
#define _POSIX_C_SOURCE 200809L

#include "suites.h"
#include "toml.h"

#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------- */
/* A readable dump of a document, for the data-driven cases                           */

typedef struct dump {
    char *d;
    size_t len;
    size_t cap;
} dump;

static void dump_add(dump *b, const char *s, size_t n)
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
    memcpy(b->d + b->len, s, n);
    b->len += n;
    b->d[b->len] = '\0';
}

static void dump_str(dump *b, const char *s)
{
    dump_add(b, s, strlen(s));
}

/* A string in double quotes with \" \\ \n \r \t and \u00XX for other controls. */
static void dump_quoted(dump *b, const char *s)
{
    dump_str(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            dump_add(b, esc, 2);
        } else if (c == '\n') {
            dump_str(b, "\\n");
        } else if (c == '\r') {
            dump_str(b, "\\r");
        } else if (c == '\t') {
            dump_str(b, "\\t");
        } else if (c < 0x20 || c == 0x7F) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            dump_str(b, esc);
        } else {
            dump_add(b, s, 1);
        }
    }
    dump_str(b, "\"");
}

/* One line per value: "<line> [<table>] <key> = <value>". */
static char *dump_doc(const ew_toml *doc)
{
    dump b = {NULL, 0, 0};
    size_t i, j;

    dump_str(&b, "");
    for (i = 0; i < ew_toml_count(doc); i++) {
        const ew_toml_value *v = ew_toml_at(doc, i);
        char num[64];
        snprintf(num, sizeof num, "%u [", v->line);
        dump_str(&b, num);
        dump_str(&b, v->table);
        dump_str(&b, "] ");
        dump_str(&b, v->key);
        dump_str(&b, " = ");
        switch (v->type) {
        case EW_TOML_STRING:
            dump_quoted(&b, v->string);
            break;
        case EW_TOML_INTEGER:
            snprintf(num, sizeof num, "%" PRId64, v->integer);
            dump_str(&b, num);
            break;
        case EW_TOML_BOOL:
            dump_str(&b, v->integer ? "true" : "false");
            break;
        case EW_TOML_STRING_ARRAY:
            dump_str(&b, "[");
            for (j = 0; j < v->nstrings; j++) {
                if (j)
                    dump_str(&b, ", ");
                dump_quoted(&b, v->strings[j]);
            }
            dump_str(&b, "]");
            break;
        }
        dump_str(&b, "\n");
    }
    return b.d;
}

/* Parse a data file; the path in messages is "<dir>/<name>". */
static int parse_data_file(const char *dir, const char *name, ew_toml **doc, char **err)
{
    char rel[512];
    char *path;
    char *text;
    size_t len;
    int rc;

    snprintf(rel, sizeof rel, "%s/%s", dir, name);
    path = tu_data_path(rel);
    CU_ASSERT_FATAL(path != NULL);
    text = tu_read_file(path, &len);
    free(path);
    CU_ASSERT_FATAL(text != NULL);
    rc = ew_toml_parse(rel, text, len, doc, err);
    free(text);
    return rc;
}

/* Compare `got` with the data file rel (or rewrite it in regen mode). */
static void check_expected(const char *rel, const char *got)
{
    char *path = tu_data_path(rel);
    char *want;

    CU_ASSERT_FATAL(path != NULL);
    if (tu_regen()) {
        CU_ASSERT(tu_write_file(path, got, strlen(got)) == 0);
        free(path);
        return;
    }
    want = tu_read_file(path, NULL);
    if (!want)
        fprintf(stderr, "\n  missing expected file %s\n", rel);
    CU_ASSERT_PTR_NOT_NULL(want);
    if (want && strcmp(want, got) != 0) {
        fprintf(stderr, "\n  %s differs:\n--- want\n%s--- got\n%s---\n", rel, want, got);
        CU_FAIL("output differs from the expected file");
    }
    free(want);
    free(path);
}

static void test_valid_files(void)
{
    size_t n, i;
    char **names = tu_list("toml/valid", ".toml", &n);

    CU_ASSERT_FATAL(n >= 19);
    for (i = 0; i < n; i++) {
        ew_toml *doc = NULL;
        char *err = NULL;
        char rel[512];
        char *got;

        if (parse_data_file("toml/valid", names[i], &doc, &err) != 0) {
            fprintf(stderr, "\n  %s: %s\n", names[i], err ? err : "(no message)");
            CU_FAIL("a valid file did not parse");
            free(err);
            continue;
        }
        CU_ASSERT_PTR_NULL(err);
        got = dump_doc(doc);
        snprintf(rel, sizeof rel, "toml/valid/%.*s.expected", (int)(strlen(names[i]) - 5),
                 names[i]);
        check_expected(rel, got);
        free(got);
        ew_toml_free(doc);
    }
    tu_free_names(names, n);
}

static void test_invalid_files(void)
{
    size_t n, i;
    char **names = tu_list("toml/invalid", ".toml", &n);

    CU_ASSERT_FATAL(n >= 40);
    for (i = 0; i < n; i++) {
        ew_toml *doc = NULL;
        char *err = NULL;
        char rel[512];
        char *line;

        if (parse_data_file("toml/invalid", names[i], &doc, &err) == 0) {
            fprintf(stderr, "\n  %s parsed but must not\n", names[i]);
            CU_FAIL("an invalid file parsed");
            ew_toml_free(doc);
            continue;
        }
        CU_ASSERT_PTR_NULL(doc);
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        line = malloc(strlen(err) + 2);
        CU_ASSERT_FATAL(line != NULL);
        snprintf(line, strlen(err) + 2, "%s\n", err);
        snprintf(rel, sizeof rel, "toml/invalid/%.*s.err", (int)(strlen(names[i]) - 5),
                 names[i]);
        check_expected(rel, line);
        free(line);
        free(err);
    }
    tu_free_names(names, n);
}

/* ---------------------------------------------------------------------------------- */
/* The API                                                                             */

static ew_toml *parse_ok(const char *text)
{
    ew_toml *doc = NULL;
    char *err = NULL;

    if (ew_toml_parse("t.toml", text, strlen(text), &doc, &err) != 0)
        fprintf(stderr, "\n  unexpected error: %s\n", err ? err : "(none)");
    CU_ASSERT_PTR_NULL(err);
    free(err);
    return doc;
}

/* A string literal and its length, embedded NULs included. */
#define LIT(s) (s), (sizeof(s) - 1)

static char *parse_err(const char *text, size_t len)
{
    ew_toml *doc = (ew_toml *)1;
    char *err = NULL;

    CU_ASSERT_EQUAL(ew_toml_parse("t.toml", text, len, &doc, &err), -1);
    CU_ASSERT_PTR_NULL(doc);
    CU_ASSERT_PTR_NOT_NULL(err);
    return err;
}

static void test_resource_lookup(void)
{
    const char *text = "[template]\n"
                       "src = \"nginx.conf.tmpl\"\n"
                       "dest = \"/etc/nginx/nginx.conf\"\n"
                       "mode = \"0644\"\n"
                       "uid = 0\n"
                       "keys = [\n  \"/nginx\",\n  \"/upstreams\",\n]\n"
                       "check_cmd = \"/usr/sbin/nginx -t -c {{.src}}\"\n";
    ew_toml *doc = parse_ok(text);
    const ew_toml_value *v;

    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_EQUAL(ew_toml_count(doc), 6);
    v = ew_toml_get(doc, "template", "src");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->type, EW_TOML_STRING);
    CU_ASSERT_STRING_EQUAL(v->string, "nginx.conf.tmpl");
    CU_ASSERT_STRING_EQUAL(v->table, "template");
    CU_ASSERT_EQUAL(v->line, 2);
    v = ew_toml_get(doc, "template", "keys");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->type, EW_TOML_STRING_ARRAY);
    CU_ASSERT_EQUAL_FATAL(v->nstrings, 2);
    CU_ASSERT_STRING_EQUAL(v->strings[0], "/nginx");
    CU_ASSERT_STRING_EQUAL(v->strings[1], "/upstreams");
    CU_ASSERT_EQUAL(v->line, 6);
    v = ew_toml_get(doc, "template", "uid");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->type, EW_TOML_INTEGER);
    CU_ASSERT_EQUAL(v->integer, 0);
    v = ew_toml_get(doc, "template", "check_cmd");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->line, 10);
    CU_ASSERT_PTR_NULL(ew_toml_get(doc, "template", "owner"));
    CU_ASSERT_PTR_NULL(ew_toml_get(doc, "", "src"));
    CU_ASSERT_PTR_NULL(ew_toml_get(doc, "other", "src"));
    CU_ASSERT_PTR_NULL(ew_toml_at(doc, 6));
    CU_ASSERT_PTR_EQUAL(ew_toml_at(doc, 0), ew_toml_get(doc, "template", "src"));
    ew_toml_free(doc);
}

static void test_values(void)
{
    ew_toml *doc = parse_ok("top = 1\n"
                            "[template]\n"
                            "mode = 0o755\n"
                            "big = 0x7fff_ffff_ffff_ffff\n"
                            "on = true\n"
                            "off = false\n"
                            "esc = \"a\\u0041\\U0001F600\\\\\"\n"
                            "lit = 'no\\escape'\n"
                            "empty = []\n"
                            "[a.\"b.c\"]\n"
                            "k = 'x'\n");
    const ew_toml_value *v;

    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    v = ew_toml_get(doc, "", "top");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(v->table, "");
    CU_ASSERT_EQUAL(v->integer, 1);
    v = ew_toml_get(doc, "template", "mode");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->integer, 0755);
    v = ew_toml_get(doc, "template", "big");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->integer, INT64_MAX);
    v = ew_toml_get(doc, "template", "on");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->type, EW_TOML_BOOL);
    CU_ASSERT_EQUAL(v->integer, 1);
    v = ew_toml_get(doc, "template", "off");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->type, EW_TOML_BOOL);
    CU_ASSERT_EQUAL(v->integer, 0);
    v = ew_toml_get(doc, "template", "esc");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(v->string, "aA\xF0\x9F\x98\x80\\");
    v = ew_toml_get(doc, "template", "lit");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(v->string, "no\\escape");
    v = ew_toml_get(doc, "template", "empty");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->type, EW_TOML_STRING_ARRAY);
    CU_ASSERT_EQUAL(v->nstrings, 0);
    CU_ASSERT_PTR_NOT_NULL(v->strings);
    v = ew_toml_get(doc, "a.b.c", "k");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(v->string, "x");
    ew_toml_free(doc);
}

static void test_errors_name_position(void)
{
    char *err;

    /* The column counts characters, not bytes. */
    err = parse_err(LIT("[template]\nsrc = \"\xC3\xA9\" ?\n"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_STRING_EQUAL(err, "t.toml:2:11: unexpected '?' after a value (expected the "
                                "end of the line)");
    free(err);
    err = parse_err(LIT("a = 1\nb = 2\na = 3\n"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_STRING_EQUAL(err,
                           "t.toml:3:1: key \"a\" is defined twice (first on line 1)");
    free(err);
    /* An embedded NUL is refused, not taken for the end. */
    err = parse_err(LIT("a = \"x\0y\"\n"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_STRING_EQUAL(err, "t.toml:1:7: NUL byte in the file");
    free(err);
}

static void test_free_null(void)
{
    ew_toml_free(NULL);
    CU_ASSERT_EQUAL(ew_toml_count(NULL), 0);
    CU_ASSERT_PTR_NULL(ew_toml_at(NULL, 0));
    CU_ASSERT_PTR_NULL(ew_toml_get(NULL, "template", "src"));
}

/* Every prefix of a valid file either parses or fails cleanly (no leak, no crash,
 * a message with a position). */
static void test_truncations(void)
{
    char *path = tu_data_path("toml/valid/strings.toml");
    size_t len = 0;
    size_t i;
    char *text = path ? tu_read_file(path, &len) : NULL;

    free(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (i = 0; i <= len; i++) {
        ew_toml *doc = NULL;
        char *err = NULL;
        char *copy = malloc(i + 1);
        CU_ASSERT_FATAL(copy != NULL);
        memcpy(copy, text, i);
        copy[i] = '\0';
        if (ew_toml_parse("t.toml", copy, i, &doc, &err) == 0) {
            CU_ASSERT_PTR_NOT_NULL(doc);
            ew_toml_free(doc);
        } else {
            CU_ASSERT_PTR_NOT_NULL(err);
            CU_ASSERT(err && strncmp(err, "t.toml:", 7) == 0);
            free(err);
        }
        free(copy);
    }
    free(text);
}

int add_toml_suite(void)
{
    CU_pSuite s = CU_add_suite("toml", NULL, NULL);

    if (!s)
        return CU_get_error();
    if (!CU_add_test(s, "confd's documented resources and other valid files",
                     test_valid_files) ||
        !CU_add_test(s, "invalid files: path:line:col and the reason",
                     test_invalid_files) ||
        !CU_add_test(s, "a resource: lookup, types, lines", test_resource_lookup) ||
        !CU_add_test(s, "integers, booleans, escapes, empty arrays, dotted tables",
                     test_values) ||
        !CU_add_test(s, "error positions count characters", test_errors_name_position) ||
        !CU_add_test(s, "NULL documents", test_free_null) ||
        !CU_add_test(s, "every truncation fails cleanly or parses", test_truncations))
        return CU_get_error();
    return CUE_SUCCESS;
}
