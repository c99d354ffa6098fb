/* The watcher units' test runner: every suite in one CUnit registry. */
#define _POSIX_C_SOURCE 200809L

#include "suites.h"

#include <CUnit/Basic.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef WATCHER_TEST_DATA
#error "WATCHER_TEST_DATA must name tests/watcher/data"
#endif

char *tu_data_path(const char *rel)
{
    size_t n = strlen(WATCHER_TEST_DATA) + strlen(rel) + 2;
    char *p = malloc(n);

    if (p)
        snprintf(p, n, "%s/%s", WATCHER_TEST_DATA, rel);
    return p;
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0;
    size_t n = 0;

    if (!f)
        return NULL;
    for (;;) {
        size_t got;
        if (n + 4096 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got < 4096)
            break;
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int tu_write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int rc = 0;

    if (!f)
        return -1;
    if (fwrite(data, 1, len, f) != len)
        rc = -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **tu_list(const char *rel, const char *suffix, size_t *count)
{
    char *dir = tu_data_path(rel);
    DIR *d = dir ? opendir(dir) : NULL;
    char **names = NULL;
    size_t n = 0;
    size_t cap = 0;
    struct dirent *e;

    *count = 0;
    free(dir);
    if (!d)
        return NULL;
    for (e = readdir(d); e; e = readdir(d)) {
        if (!ends_with(e->d_name, suffix))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **nn = realloc(names, ncap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
            cap = ncap;
        }
        names[n] = malloc(strlen(e->d_name) + 1);
        if (!names[n])
            break;
        memcpy(names[n], e->d_name, strlen(e->d_name) + 1);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    *count = n;
    return names;
}

void tu_free_names(char **names, size_t count)
{
    size_t i;

    for (i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

int tu_regen(void)
{
    const char *v = getenv("EW_TEST_REGEN");
    return v && strcmp(v, "1") == 0;
}

int main(void)
{
    unsigned failed;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (add_toml_suite() != CUE_SUCCESS || add_diff_suite() != CUE_SUCCESS ||
        add_exec_suite() != CUE_SUCCESS || add_chaos_suite() != CUE_SUCCESS) {
        fprintf(stderr, "test registry: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
             CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
