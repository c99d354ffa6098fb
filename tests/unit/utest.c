/*
 * Helpers shared by the unit suites: reading the captured server answers.
 */
#include "utest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ETCD_TEST_DATA_DIR
#error "ETCD_TEST_DATA_DIR must name tests/unit/data"
#endif

char *utest_read_file(const char *name, size_t *len)
{
    char path[1024];
    FILE *f;
    char *data = NULL;
    size_t cap = 0;
    size_t n = 0;

    snprintf(path, sizeof(path), "%s/%s", ETCD_TEST_DATA_DIR, name);
    f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "\n  cannot open %s: %s\n", path, strerror(errno));
        CU_FAIL("a captured data file is missing");
        return NULL;
    }
    for (;;) {
        if (n + 4096 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *p = realloc(data, ncap);
            if (p == NULL) {
                free(data);
                fclose(f);
                CU_FAIL("out of memory reading a data file");
                return NULL;
            }
            data = p;
            cap = ncap;
        }
        size_t got = fread(data + n, 1, 4096, f);
        n += got;
        if (got < 4096) {
            break;
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(data);
        fprintf(stderr, "\n  cannot read %s\n", path);
        CU_FAIL("a captured data file cannot be read");
        return NULL;
    }
    data[n] = '\0';
    *len = n;
    return data;
}

long utest_read_status(const char *name, long fallback)
{
    char path[1024];
    char line[32];
    FILE *f;
    long status = fallback;

    snprintf(path, sizeof(path), "%s/%s.status", ETCD_TEST_DATA_DIR, name);
    f = fopen(path, "r");
    if (f == NULL) {
        return fallback;
    }
    if (fgets(line, sizeof(line), f) != NULL) {
        char *end;
        errno = 0;
        long v = strtol(line, &end, 10);
        if (errno == 0 && end != line && (*end == '\n' || *end == '\0') && v >= 100 &&
            v <= 599) {
            status = v;
        }
    }
    fclose(f);
    return status;
}
