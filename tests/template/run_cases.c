/*
 * run_cases: the data-driven template suite. Reads cases.txt (templates, keys,
 * environment, include files) and expected.json (what Go's text/template with
 * confd's functions produced, see gen/), renders every case with the C engine
 * and compares byte for byte. Also checks the engine's own limits.
 *
 *   run_cases [CASES [EXPECTED]]     prints "template: N passed, M failed"
 */
#define _POSIX_C_SOURCE 200809L

#include "render_cmd.h"
#include "template.h"
#include <arpa/inet.h>
#include "tmpl_parse.h"

#include <jansson.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXISTING_FILE "/tmp/etcdwatch-template-test-file"
#define MAX_ITEMS 64

typedef struct tcase {
    char *name;
    char *tmpl;
    char *keys; /* lines "KEY VALUE" */
    char *env[MAX_ITEMS];
    size_t nenv;
    char *file_names[MAX_ITEMS];
    char *file_texts[MAX_ITEMS];
    size_t nfiles;
    int prefix_only; /* opts: error-prefix */
} tcase;

static int passed;
static int failed;

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);

    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void case_free(tcase *c)
{
    size_t i;

    free(c->name);
    free(c->tmpl);
    free(c->keys);
    for (i = 0; i < c->nenv; i++)
        free(c->env[i]);
    for (i = 0; i < c->nfiles; i++) {
        free(c->file_names[i]);
        free(c->file_texts[i]);
    }
    memset(c, 0, sizeof(*c));
}

/* ---- hooks ----------------------------------------------------------- */

static int fixed_now(void *ud, tmpl_time *t)
{
    (void)ud;
    memset(t, 0, sizeof(*t));
    t->unix_sec = 1422048896; /* 2015-01-23 13:34:56 -0800 */
    t->nsec = 93250283;
    t->utc_offset = -8 * 3600;
    snprintf(t->zone, sizeof(t->zone), "PST");
    return 0;
}

/* A resolver that never touches the network: IP literals resolve to themselves,
 * "localhost" to 127.0.0.1 (as /etc/hosts has it where gen/ ran), anything else to
 * nothing. The libc path is checked separately with a literal. */
static int fake_lookup_ip(void *ud, const char *host, char ***addrs, size_t *n)
{
    unsigned char buf[16];
    const char *addr = NULL;

    (void)ud;
    if (strcmp(host, "localhost") == 0)
        addr = "127.0.0.1";
    else if (inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1)
        addr = host;
    if (!addr)
        return 1;
    *addrs = malloc(sizeof(**addrs));
    if (!*addrs)
        return TMPL_ENOMEM;
    (*addrs)[0] = malloc(strlen(addr) + 1);
    if (!(*addrs)[0]) {
        free(*addrs);
        return TMPL_ENOMEM;
    }
    memcpy((*addrs)[0], addr, strlen(addr) + 1);
    *n = 1;
    return 0;
}

static int fake_lookup_srv(void *ud, const char *service, const char *proto,
                           const char *name, tmpl_srv **recs, size_t *n)
{
    (void)ud;
    (void)service;
    (void)proto;
    (void)name;
    (void)recs;
    (void)n;
    return 1;
}

static int case_load(void *ud, const char *name, char **text, size_t *len, char **err)
{
    const tcase *c = ud;
    size_t i;

    for (i = 0; i < c->nfiles; i++) {
        if (strcmp(c->file_names[i], name) == 0) {
            *len = strlen(c->file_texts[i]);
            *text = malloc(*len + 1);
            if (!*text)
                return TMPL_ENOMEM;
            memcpy(*text, c->file_texts[i], *len + 1);
            return 0;
        }
    }
    *err = malloc(32);
    if (!*err)
        return TMPL_ENOMEM;
    snprintf(*err, 32, "no such template");
    return 1;
}

/* ---- running a case -------------------------------------------------- */

static char *unquote_value(const char *v, size_t n)
{
    size_t len;
    int oom = 0;
    char *u = tmpl_unquote(v, n, &len, NULL, &oom);

    if (!u) {
        fprintf(stderr, "bad quoted value %.*s\n", (int)n, v);
        exit(2);
    }
    return u;
}

static tmpl_snapshot *build_snapshot(const tcase *c)
{
    tmpl_snapshot *s = tmpl_snapshot_new();
    const char *p = c->keys ? c->keys : "";

    while (s && *p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        const char *sp = memchr(p, ' ', n);
        size_t kl = sp ? (size_t)(sp - p) : n;
        const char *v = sp ? sp + 1 : p + n;
        size_t vl = sp ? n - kl - 1 : 0;
        if (n > 0) {
            if (vl > 0 && v[0] == '"') {
                char *u = unquote_value(v, vl);
                tmpl_snapshot_add(s, p, kl, u, strlen(u));
                free(u);
            } else {
                tmpl_snapshot_add(s, p, kl, v, vl);
            }
        }
        p += n + (eol ? 1 : 0);
    }
    if (!s || tmpl_snapshot_finish(s) != TMPL_OK) {
        fprintf(stderr, "cannot build snapshot\n");
        exit(2);
    }
    return s;
}

static void set_env(const tcase *c, int set)
{
    size_t i;

    for (i = 0; i < c->nenv; i++) {
        char *eq = strchr(c->env[i], '=');
        char *name = dup_n(c->env[i], eq ? (size_t)(eq - c->env[i]) : strlen(c->env[i]));
        if (set)
            setenv(name, eq ? eq + 1 : "", 1);
        else
            unsetenv(name);
        free(name);
    }
}

/* "template: t.tmpl:3:7:" (or ":3:") of an error message. */
static size_t location_len(const char *s)
{
    const char *p = strstr(s, ".tmpl:");
    size_t n;

    if (!p)
        return strlen(s);
    p += 6;
    while (*p && *p != ' ')
        p++;
    n = (size_t)(p - s);
    return n;
}

static int report(const tcase *c, const char *what, const char *want, size_t wl,
                  const char *got, size_t gl)
{
    failed++;
    printf("FAIL %s: %s\n  want: %.*s\n  got:  %.*s\n", c->name, what, (int)wl, want,
           (int)gl, got);
    return 0;
}

/* Renders case c over snap with the runner's hooks. */
static int render_case(const tcase *c, const tmpl_snapshot *snap, char **out,
                       size_t *out_len, char **err)
{
    tmpl_hooks hooks;
    tmpl_options opts;
    int rc;

    memset(&hooks, 0, sizeof(hooks));
    hooks.ud = (void *)c;
    hooks.now = fixed_now;
    hooks.load = case_load;
    hooks.lookup_ip = fake_lookup_ip;
    hooks.lookup_srv = fake_lookup_srv;
    memset(&opts, 0, sizeof(opts));
    opts.hooks = &hooks;
    rc = tmpl_render("t.tmpl", c->tmpl ? c->tmpl : "", c->tmpl ? strlen(c->tmpl) : 0,
                     snap, &opts, out, out_len, err);
    return rc;
}

/* Compares a result with Go's; returns 1 when they agree (else reports why). */
static int compare(const tcase *c, json_t *e, int rc, const char *out, size_t out_len,
                   const char *err)
{
    json_t *want_out = json_object_get(e, "output");
    json_t *want_err = json_object_get(e, "error");
    const char *w = json_string_value(want_out ? want_out : want_err);
    size_t wl = json_string_length(want_out ? want_out : want_err);

    if (want_out) {
        if (rc != TMPL_OK)
            return report(c, "unexpected error", w, wl, err ? err : "?",
                          err ? strlen(err) : 1);
        if (wl != out_len || memcmp(w, out, wl) != 0)
            return report(c, "output differs", w, wl, out, out_len);
        return 1;
    }
    if (rc == TMPL_OK)
        return report(c, "expected an error", w, wl, out, out_len);
    if (c->prefix_only) {
        size_t pl = location_len(w);
        if (strlen(err) < pl || memcmp(err, w, pl) != 0)
            return report(c, "error location differs", w, wl, err, strlen(err));
        return 1;
    }
    if (strlen(err) != wl || memcmp(err, w, wl) != 0)
        return report(c, "error differs", w, wl, err, strlen(err));
    return 1;
}

static void chaos_case(const tcase *c, json_t *e, const tmpl_snapshot *snap);

static void run_case(const tcase *c, json_t *expected)
{
    json_t *e = json_object_get(expected, c->name);
    tmpl_snapshot *snap;
    char *out = NULL;
    char *err = NULL;
    size_t out_len = 0;
    int rc;

    if (!e) {
        failed++;
        printf("FAIL %s: no expected result (run gen/)\n", c->name);
        return;
    }
    snap = build_snapshot(c);
    set_env(c, 1);
    rc = render_case(c, snap, &out, &out_len, &err);
    if (compare(c, e, rc, out, out_len, err))
        passed++;
    free(out);
    free(err);
    chaos_case(c, e, snap);
    set_env(c, 0);
    tmpl_snapshot_free(snap);
}

#ifdef TMPL_CHAOS
/*
 * Chaos mode (the template_chaos program): every allocation of the process goes
 * through these wrappers (ELF interposition over glibc's), which count live blocks
 * and fail the Nth allocation on demand. Each case is rendered once per allocation
 * it makes, failing that one: the render must report TMPL_ENOMEM (or succeed with
 * Go's result when the failure had a fallback) and free everything it took.
 */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static long chaos_countdown = -1; /* fail when it reaches 0; -1: never */
static long chaos_allocs;
static long chaos_live;

static int chaos_fail(void)
{
    chaos_allocs++;
    if (chaos_countdown < 0 || chaos_countdown-- > 0)
        return 0;
    return 1;
}

void *malloc(size_t n)
{
    void *p = chaos_fail() ? NULL : __libc_malloc(n);

    chaos_live += p != NULL;
    return p;
}

void *calloc(size_t n, size_t size)
{
    void *p = chaos_fail() ? NULL : __libc_calloc(n, size);

    chaos_live += p != NULL;
    return p;
}

void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    return chaos_fail() ? NULL : __libc_realloc(p, n);
}

void free(void *p)
{
    chaos_live -= p != NULL;
    __libc_free(p);
}

static void chaos_case(const tcase *c, json_t *e, const tmpl_snapshot *snap)
{
    long total;
    long k;

    chaos_allocs = 0;
    {
        char *out = NULL;
        char *err = NULL;
        size_t n;
        render_case(c, snap, &out, &n, &err);
        free(out);
        free(err);
    }
    total = chaos_allocs;
    for (k = 0; k < total; k++) {
        char *out = NULL;
        char *err = NULL;
        size_t out_len = 0;
        long live = chaos_live;
        int rc;
        int same;
        chaos_countdown = k;
        rc = render_case(c, snap, &out, &out_len, &err);
        chaos_countdown = -1;
        same = rc == TMPL_ENOMEM || compare(c, e, rc, out, out_len, err);
        free(out);
        free(err);
        if (!same)
            return;
        if (chaos_live != live) {
            printf("FAIL %s: %ld blocks leaked when allocation %ld failed\n", c->name,
                   chaos_live - live, k + 1);
            failed++;
            return;
        }
    }
    passed++;
}
#else
static void chaos_case(const tcase *c, json_t *e, const tmpl_snapshot *snap)
{
    (void)c;
    (void)e;
    (void)snap;
}
#endif

/* ---- the cases file -------------------------------------------------- */

static char **section_target(tcase *c, const char *sec)
{
    if (!strcmp(sec, "template"))
        return &c->tmpl;
    if (!strcmp(sec, "keys"))
        return &c->keys;
    if (!strncmp(sec, "file: ", 6) && c->nfiles < MAX_ITEMS) {
        c->file_names[c->nfiles] = dup_n(sec + 6, strlen(sec + 6));
        c->file_texts[c->nfiles] = NULL;
        return &c->file_texts[c->nfiles++];
    }
    fprintf(stderr, "%s: unknown section %s\n", c->name, sec);
    exit(2);
}

static void run_file(char *text, json_t *expected)
{
    tcase c;
    char **target = NULL;
    char *line = text;
    size_t start_len = 0;
    const char *start = NULL;
    int have = 0;

    memset(&c, 0, sizeof(c));
    for (;;) {
        char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) : strlen(line);
        int at_end = *line == '\0';
        int is_case = !at_end && n >= 4 && !strncmp(line, "=== ", 4);
        int is_sec = !at_end && n >= 4 && !strncmp(line, "--- ", 4);
        if (at_end || is_case || is_sec) {
            if (target) {
                *target = dup_n(start ? start : "", start ? start_len : 0);
                if (start_len > 0 && (*target)[start_len - 1] == '\n')
                    (*target)[start_len - 1] = '\0';
            }
            target = NULL;
            start = NULL;
            start_len = 0;
        }
        if (at_end || is_case) {
            if (have)
                run_case(&c, expected);
            case_free(&c);
            have = 0;
        }
        if (at_end)
            break;
        if (is_case) {
            c.name = dup_n(line + 4, n - 4);
            have = 1;
        } else if (is_sec) {
            char *sec = dup_n(line + 4, n - 4);
            if (!strncmp(sec, "env: ", 5) && c.nenv < MAX_ITEMS)
                c.env[c.nenv++] = dup_n(sec + 5, strlen(sec + 5));
            else if (!strncmp(sec, "opts: ", 6))
                c.prefix_only = strstr(sec, "error-prefix") != NULL;
            else
                target = section_target(&c, sec);
            free(sec);
        } else if (target) {
            if (!start)
                start = line;
            start_len = (size_t)(line + n - start) + (eol ? 1 : 0);
        }
        line += n + (eol ? 1 : 0);
    }
}

/* ---- the engine's own limits (not comparable with Go) ----------------- */

static void check(int ok, const char *name, const char *detail)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL %s: %s\n", name, detail ? detail : "");
}

/* s repeated n times (new). */
static char *repeat(const char *s, size_t n)
{
    size_t len = strlen(s);
    char *p = malloc(len * n + 1);
    size_t i;

    if (!p)
        exit(2);
    for (i = 0; i < n; i++)
        memcpy(p + i * len, s, len);
    p[len * n] = '\0';
    return p;
}

/* Renders text without keys under the limits o; checks the result code and that the
 * output is want (on success) or the error contains want. */
static void check_render(const char *name, const char *text, const tmpl_options *o,
                         int want_rc, const char *want)
{
    char *out = NULL;
    char *err = NULL;
    size_t n;
    int rc = tmpl_render("t.tmpl", text, strlen(text), NULL, o, &out, &n, &err);
    const char *got = rc == TMPL_OK ? out : err;
    int ok = rc == want_rc && got &&
             (rc == TMPL_OK ? strcmp(got, want) == 0 : strstr(got, want) != NULL);

    check(ok, name, got);
    free(out);
    free(err);
}

static void limit_checks(void)
{
    char *deep;
    char *k;

    check_render("limit_output", "{{range seq 1 100}}x{{end}}",
                 &(tmpl_options){.max_output = 10}, TMPL_ETOOBIG,
                 "output larger than 10 bytes");
    check_render("limit_template_depth",
                 "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\"}}",
                 &(tmpl_options){.max_depth = 50}, TMPL_EEXEC,
                 "exceeded maximum template depth (50)");
    deep = repeat("(", 5000);
    deep[0] = '{';
    deep[1] = '{';
    check_render("limit_paren_depth", deep, NULL, TMPL_EPARSE, "nesting deeper than");
    free(deep);
    deep = repeat("{{if true}}", 1000);
    check_render("limit_if_depth", deep, NULL, TMPL_EPARSE, "nesting deeper than");
    free(deep);
    check_render("limit_nesting",
                 "{{define \"r\"}}{{if 1}}{{with 2}}{{range seq 1 1}}{{template \"r\"}}"
                 "{{end}}{{end}}{{end}}{{end}}{{template \"r\"}}",
                 NULL, TMPL_EEXEC, "exceeded maximum nesting depth");
    check_render("limit_value_depth",
                 "{{$m := map}}{{range seq 1 5000}}{{$m = map \"a\" $m}}{{end}}{{$m}}",
                 NULL, TMPL_EEXEC, "nested more than");
    check_render("limit_seq", "{{seq 1 100000000}}", NULL, TMPL_EEXEC, "seq: more than");
    check_render("include_no_loader", "{{include \"x.tmpl\"}}", NULL, TMPL_EEXEC,
                 "no template loader");
    check_render("lookup_ip_libc", "{{lookupIP \"127.0.0.1\"}} {{lookupIPV6 \"::1\"}}",
                 NULL, TMPL_OK, "[127.0.0.1] [::1]");
    check_render("limit_ops", "{{range seq 1 100}}{{range seq 1 100}}x{{end}}{{end}}",
                 &(tmpl_options){.max_ops = 1000}, TMPL_EEXEC,
                 "budget of 1000 operations");

    k = tmpl_key_relative("/app/upstream//a1/", "/app");
    check(k && strcmp(k, "/upstream/a1") == 0, "key_relative", k);
    free(k);
    k = tmpl_key_relative("/application/x", "/app");
    check(k && strcmp(k, "/lication/x") == 0, "key_relative_confd_quirk", k);
    free(k);
}

/* ---- etcdwatch render ------------------------------------------------ */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
}

static int file_equals(const char *path, const char *want)
{
    size_t len;
    char *got;
    int eq;

    if (access(path, R_OK) != 0)
        return 0;
    got = read_all(path, &len);
    eq = len == strlen(want) && memcmp(got, want, len) == 0;
    free(got);
    return eq;
}

/* Runs the subcommand with stdout and stderr sent to /dev/null. */
static int run_render(int argc, char **argv, etcdwatch_render_fetch_fn fetch)
{
    int saved_out = dup(1);
    int saved_err = dup(2);
    int null = open("/dev/null", O_WRONLY);
    int rc;

    fflush(stdout);
    dup2(null, 1);
    dup2(null, 2);
    rc = etcdwatch_render_main(argc, argv, fetch, NULL);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    close(null);
    return rc;
}

static int fake_fetch(void *ud, const char *prefix, tmpl_snapshot *snap, char **err)
{
    (void)ud;
    (void)err;
    if (strcmp(prefix, "/app") != 0)
        return -1;
    tmpl_snapshot_add(snap, "/app/upstream/a", 15, "10.0.0.1", 8);
    tmpl_snapshot_add(snap, "/other/x", 8, "no", 2);
    return 0;
}

static void render_checks(void)
{
    char dir[] = "/tmp/etcdwatch-render-XXXXXX";
    char tmpl[128];
    char keys[128];
    char out[128];
    char bad[128];
    char inc[128];

    if (!mkdtemp(dir)) {
        fprintf(stderr, "mkdtemp failed\n");
        exit(2);
    }
    snprintf(tmpl, sizeof(tmpl), "%s/app.tmpl", dir);
    snprintf(keys, sizeof(keys), "%s/keys.json", dir);
    snprintf(out, sizeof(out), "%s/app.conf", dir);
    snprintf(bad, sizeof(bad), "%s/bad.tmpl", dir);
    snprintf(inc, sizeof(inc), "%s/part.tmpl", dir);
    write_file(tmpl, "{{range gets \"/upstream/*\"}}{{.Key}}={{.Value}};{{end}}"
                     "{{include \"part.tmpl\"}}");
    write_file(inc, "[{{getv \"/name\"}}]");
    write_file(keys,
               "{\"/app/upstream/a\": \"10.0.0.1\", \"/app/upstream/b\": \"10.0.0.2\","
               " \"/app/name\": \"web\", \"/elsewhere\": \"x\"}");
    write_file(bad, "{{getv \"/missing\"}}");
    {
        char *argv[] = {"render", tmpl, "--keys", keys, "--prefix",
                        "app/",   "-o", out,      NULL};
        int rc = run_render(8, argv, NULL);
        mode_t mask = umask(0);
        struct stat st;

        umask(mask);
        check(rc == 0 &&
                  file_equals(out, "/upstream/a=10.0.0.1;/upstream/b=10.0.0.2;[web]"),
              "render_keys_file", "rendered output differs");
        check(stat(out, &st) == 0 && (st.st_mode & 0777) == (0666 & ~mask),
              "render_out_mode", "OUT should get 0666 less the umask");
    }
    {
        char *argv[] = {"render", tmpl, "--prefix=/app", NULL};
        check(run_render(3, argv, NULL) == 1, "render_needs_keys", "want exit 1");
    }
    {
        char *argv[] = {"render", bad, "--keys", keys, "-o", bad, NULL};
        unlink(out);
        check(run_render(6, argv, NULL) == 1 && file_equals(bad, "{{getv \"/missing\"}}"),
              "render_error_leaves_dest", "want exit 1 and OUT untouched");
    }
    {
        char *argv[] = {"render", "--help", NULL};
        check(run_render(2, argv, NULL) == 0, "render_help", "want exit 0");
    }
    {
        char *argv[] = {"render", tmpl, "--bogus", NULL};
        check(run_render(3, argv, NULL) == 1, "render_bad_option", "want exit 1");
    }
    write_file(tmpl, "{{range gets \"/*/*\"}}{{.Key}}={{.Value}}{{end}}");
    {
        char *argv[] = {"render", tmpl, "--prefix", "/app", "-o", out, NULL};
        int rc = run_render(6, argv, fake_fetch);
        check(rc == 0 && file_equals(out, "/upstream/a=10.0.0.1"), "render_fetch_hook",
              "fetched keys not relative to the prefix");
    }
    unlink(tmpl);
    unlink(keys);
    unlink(out);
    unlink(bad);
    unlink(inc);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    const char *cases = argc > 1 ? argv[1] : "cases.txt";
    const char *exp_path = argc > 2 ? argv[2] : "expected.json";
    json_error_t jerr;
    json_t *expected;
    size_t len;
    char *text;
    FILE *f = fopen(EXISTING_FILE, "w");

    if (!f || fputs("x", f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot create %s\n", EXISTING_FILE);
        return 2;
    }
    expected = json_load_file(exp_path, 0, &jerr);
    if (!expected) {
        fprintf(stderr, "%s:%d: %s\n", exp_path, jerr.line, jerr.text);
        return 2;
    }
    text = read_all(cases, &len);
    run_file(text, expected);
    limit_checks();
    render_checks();
    free(text);
    json_decref(expected);
#ifdef TMPL_CHAOS
    printf("template chaos: %d passed, %d failed\n", passed, failed);
#else
    printf("template: %d passed, %d failed\n", passed, failed);
#endif
    return failed ? 1 : 0;
}
