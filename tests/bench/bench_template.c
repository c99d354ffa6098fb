/*
 * bench_template: rendering cost of the template engine over 1k, 10k and 100k
 * keys. The template ranges over every key twice (gets with .Key/.Value, getvs),
 * looks each key up again with getv, and lists the directory with ls, which is
 * what confd templates for load balancers do. Prints keys/s per size, the cost
 * per key (it should stay flat: rendering is linear), and peak memory.
 *
 * Times are the best of REPEATS renders, in CPU time of this process (so that other
 * load on the machine does not count), after one warm-up render.
 *
 *   bench_template [REPEATS]
 */
#define _POSIX_C_SOURCE 200809L

#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char bench_tmpl[] =
    "upstream app {\n"
    "{{- range gets \"/app/upstream/*\"}}\n"
    "    server {{.Value}}; # {{base .Key}}\n"
    "{{- end}}\n"
    "}\n"
    "{{range getvs \"/app/upstream/*\"}}{{.}},{{end}}\n"
    "{{range gets \"/app/upstream/*\"}}{{getv .Key}}{{end}}\n"
    "{{len (ls \"/app/upstream\")}} {{getv \"/app/name\"}}\n";

static double cpu_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static tmpl_snapshot *make_snapshot(size_t n)
{
    tmpl_snapshot *s = tmpl_snapshot_new();
    char key[64];
    char val[64];
    size_t i;

    if (!s)
        return NULL;
    for (i = 0; i < n; i++) {
        int kl = snprintf(key, sizeof(key), "/app/upstream/host%07zu", i);
        int vl = snprintf(val, sizeof(val), "10.%zu.%zu.%zu:80", (i >> 16) & 255,
                          (i >> 8) & 255, i & 255);
        if (tmpl_snapshot_add(s, key, (size_t)kl, val, (size_t)vl) != TMPL_OK)
            goto fail;
    }
    if (tmpl_snapshot_add(s, "/app/name", 9, "bench", 5) != TMPL_OK ||
        tmpl_snapshot_finish(s) != TMPL_OK)
        goto fail;
    return s;
fail:
    tmpl_snapshot_free(s);
    return NULL;
}

static int render_once(const tmpl_template *t, const tmpl_snapshot *s, size_t *out_len)
{
    char *out = NULL;
    char *err = NULL;
    int rc = tmpl_execute(t, s, NULL, &out, out_len, &err);

    if (rc != TMPL_OK) {
        fprintf(stderr, "bench_template: %s\n", err ? err : tmpl_strerror(rc));
        free(err);
        return -1;
    }
    free(out);
    return 0;
}

/* The best CPU time of `repeats` renders after a warm-up, or a negative value. */
static double bench_one(const tmpl_template *t, const tmpl_snapshot *s, int repeats,
                        size_t *out_len)
{
    double best = -1;
    int r;

    if (render_once(t, s, out_len) != 0)
        return -1;
    for (r = 0; r < repeats; r++) {
        double start = cpu_sec();
        double sec;
        if (render_once(t, s, out_len) != 0)
            return -1;
        sec = cpu_sec() - start;
        if (best < 0 || sec < best)
            best = sec;
    }
    return best;
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = {1000, 10000, 100000};
    int repeats = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 5;
    tmpl_template *t = NULL;
    char *err = NULL;
    double per_key[3];
    struct rusage ru;
    size_t i;

    if (repeats < 1)
        repeats = 1;
    if (tmpl_parse("bench.tmpl", bench_tmpl, sizeof(bench_tmpl) - 1, &t, &err) !=
        TMPL_OK) {
        fprintf(stderr, "bench_template: %s\n", err ? err : "parse failed");
        free(err);
        return 1;
    }
    printf("%-8s %12s %14s %12s %12s\n", "keys", "ms/render", "keys/s", "ns/key",
           "output");
    for (i = 0; i < 3; i++) {
        tmpl_snapshot *s = make_snapshot(sizes[i]);
        size_t out_len = 0;
        double sec;
        if (!s) {
            fprintf(stderr, "bench_template: out of memory\n");
            tmpl_free(t);
            return 1;
        }
        sec = bench_one(t, s, repeats, &out_len);
        tmpl_snapshot_free(s);
        if (sec < 0) {
            tmpl_free(t);
            return 1;
        }
        per_key[i] = sec / (double)sizes[i];
        printf("%-8zu %12.2f %14.0f %12.1f %11zuB\n", sizes[i], sec * 1e3,
               (double)sizes[i] / sec, per_key[i] * 1e9, out_len);
    }
    tmpl_free(t);
    getrusage(RUSAGE_SELF, &ru);
    printf("cost per key, 100k vs 1k: %.2fx (1.0 is linear)\n", per_key[2] / per_key[0]);
    printf("peak memory (ru_maxrss): %ld KiB\n", ru.ru_maxrss);
    return 0;
}
