/* render_cmd: the `etcdwatch render` subcommand. */
#define _POSIX_C_SOURCE 200809L

#include "render_cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TEMPLATE_FILE ((size_t)16 * 1024 * 1024)

typedef struct render_opts {
    const char *template_path;
    const char *keys_path;
    const char *prefix;
    const char *templates_dir;
    const char *out_path;
    int help;
} render_opts;

static const char usage[] =
    "usage: etcdwatch render TEMPLATE [--keys FILE.json] [--prefix P]\n"
    "                        [--templates-dir D] [-o OUT]\n"
    "\n"
    "Renders TEMPLATE (Go text/template with confd's functions) once.\n"
    "  --keys FILE.json     JSON object of absolute keys to string values; etcd is\n"
    "                       not contacted\n"
    "  --prefix P           key prefix the template's keys are relative to (default /)\n"
    "  --templates-dir D    directory `include` reads from (default: TEMPLATE's)\n"
    "  -o OUT               write to OUT (replaced atomically) instead of stdout\n"
    "  --help               show this help\n";

/* Prints "render: <message>" on stderr; returns the exit status 1. */
static int fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

static int fail(const char *fmt, ...)
{
    va_list ap;

    fputs("render: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

/* Matches "--name VALUE" and "--name=VALUE"; returns 1 when matched. */
static int take_opt(int argc, char **argv, int *i, const char *name, const char **val,
                    int *err)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0)
        return 0;
    if (argv[*i][n] == '=') {
        *val = argv[*i] + n + 1;
        return 1;
    }
    if (argv[*i][n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        fail("%s needs a value", name);
        *err = 1;
        return 1;
    }
    *val = argv[++*i];
    return 1;
}

static int parse_args(int argc, char **argv, render_opts *o)
{
    int i;
    int err = 0;

    memset(o, 0, sizeof(*o));
    o->prefix = "/";
    for (i = 1; i < argc && !err; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            o->help = 1;
            return 0;
        }
        if (take_opt(argc, argv, &i, "--keys", &o->keys_path, &err) ||
            take_opt(argc, argv, &i, "--prefix", &o->prefix, &err) ||
            take_opt(argc, argv, &i, "--templates-dir", &o->templates_dir, &err) ||
            take_opt(argc, argv, &i, "-o", &o->out_path, &err) ||
            take_opt(argc, argv, &i, "--output", &o->out_path, &err))
            continue;
        if (a[0] == '-' && a[1] != '\0')
            return fail("unknown option %s (see --help)", a);
        if (o->template_path)
            return fail("more than one TEMPLATE: %s and %s", o->template_path, a);
        o->template_path = a;
    }
    if (err)
        return 1;
    if (!o->template_path)
        return fail("TEMPLATE is required (see --help)");
    return 0;
}

/* Reads a whole file (new, NUL-terminated). Returns 0 or an errno value. */
static int read_file(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0;
    size_t cap = 0;
    int e;

    if (!f)
        return errno;
    for (;;) {
        size_t got;
        if (n == cap) {
            char *p;
            cap = cap ? cap * 2 : 4096;
            if (cap > MAX_TEMPLATE_FILE + 1) {
                e = EFBIG;
                goto fail;
            }
            p = realloc(buf, cap + 1);
            if (!p) {
                e = ENOMEM;
                goto fail;
            }
            buf = p;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        e = EIO;
        goto fail;
    }
    fclose(f);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
fail:
    fclose(f);
    free(buf);
    return e;
}

static char *join_path(const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    size_t nl = strlen(name);
    char *p = malloc(dl + nl + 2);

    if (!p)
        return NULL;
    memcpy(p, dir, dl);
    p[dl] = '/';
    memcpy(p + dl + 1, name, nl + 1);
    return p;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n + 1);

    if (p)
        memcpy(p, s, n + 1);
    return p;
}

/* The include loader: files under the templates directory. */
static int load_template(void *ud, const char *name, char **text, size_t *len, char **err)
{
    char *path = join_path((const char *)ud, name);
    int e;

    if (!path)
        return TMPL_ENOMEM;
    e = read_file(path, text, len);
    if (e && e != ENOMEM) {
        size_t n = strlen(path) + 64;
        *err = malloc(n);
        if (*err)
            snprintf(*err, n, "%s: %s", path, strerror(e));
    }
    free(path);
    return e == ENOMEM ? TMPL_ENOMEM : e ? 1 : 0;
}

static int has_prefix(const char *key, const char *prefix)
{
    return strncmp(key, prefix, strlen(prefix)) == 0;
}

static int add_relative(tmpl_snapshot *snap, const char *key, const char *prefix,
                        const char *val, size_t vlen)
{
    char *rel;
    int rc;

    if (!has_prefix(key, prefix))
        return 0;
    rel = tmpl_key_relative(key, prefix);
    if (!rel)
        return TMPL_ENOMEM;
    rc = tmpl_snapshot_add(snap, rel, strlen(rel), val, vlen);
    free(rel);
    return rc;
}

static int load_keys_json(const render_opts *o, tmpl_snapshot *snap)
{
    json_error_t jerr;
    json_t *root = json_load_file(o->keys_path, JSON_REJECT_DUPLICATES, &jerr);
    const char *key;
    json_t *val;
    int rc = 0;

    if (!root)
        return fail("%s:%d: %s", o->keys_path, jerr.line, jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return fail("%s: want a JSON object of key: \"value\"", o->keys_path);
    }
    json_object_foreach(root, key, val)
    {
        if (!json_is_string(val))
            rc = fail("%s: key %s: the value is not a string", o->keys_path, key);
        else if (add_relative(snap, key, o->prefix, json_string_value(val),
                              json_string_length(val)) != 0)
            rc = fail("%s: out of memory", o->keys_path);
        if (rc)
            break;
    }
    json_decref(root);
    return rc;
}

/* Keys from etcd: the hook adds absolute keys; they are made relative here. */
static int load_keys_etcd(const render_opts *o, tmpl_snapshot *snap,
                          etcdwatch_render_fetch_fn fetch, void *ud)
{
    tmpl_snapshot *raw = tmpl_snapshot_new();
    char *err = NULL;
    size_t i;
    int rc = 0;

    if (!raw)
        return fail("out of memory");
    if (fetch(ud, o->prefix, raw, &err) != 0) {
        rc = fail("%s", err ? err : "cannot read keys from etcd");
        free(err);
        tmpl_snapshot_free(raw);
        return rc;
    }
    if (tmpl_snapshot_finish(raw) != TMPL_OK)
        rc = fail("out of memory");
    for (i = 0; i < tmpl_snapshot_count(raw) && rc == 0; i++) {
        const tmpl_kv *kv = tmpl_snapshot_at(raw, i);
        if (add_relative(snap, kv->key, o->prefix, kv->value, kv->value_len))
            rc = fail("out of memory");
    }
    tmpl_snapshot_free(raw);
    return rc;
}

static int write_all(FILE *f, const char *p, size_t n)
{
    return fwrite(p, 1, n, f) == n && fflush(f) == 0 ? 0 : -1;
}

/* OUT keeps its mode when it exists; a new one gets 0666 less the umask. */
static mode_t out_mode(const char *path)
{
    struct stat st;
    mode_t mask;

    if (stat(path, &st) == 0)
        return st.st_mode & 07777;
    mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

/* Writes OUT through a temporary file in the same directory and a rename. */
static int write_output(const char *path, const char *data, size_t n)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    FILE *f;
    int fd;

    if (!tmp)
        return fail("%s: out of memory", path);
    snprintf(tmp, pl + 16, "%s.tmp-XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return fail("%s: %s", path, strerror(errno));
    }
    f = fdopen(fd, "wb");
    if (!f || fchmod(fd, out_mode(path)) != 0 || write_all(f, data, n) != 0 ||
        fsync(fd) != 0) {
        int e = errno;
        if (f)
            fclose(f);
        else
            close(fd);
        unlink(tmp);
        free(tmp);
        return fail("%s: %s", path, strerror(e));
    }
    fclose(f);
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return fail("%s: %s", path, strerror(e));
    }
    free(tmp);
    return 0;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *d;

    if (!slash)
        return dup_str(".");
    if (slash == path)
        return dup_str("/");
    d = malloc((size_t)(slash - path) + 1);
    if (d) {
        memcpy(d, path, (size_t)(slash - path));
        d[slash - path] = '\0';
    }
    return d;
}

static int render(const render_opts *o, tmpl_snapshot *snap)
{
    const char *base = strrchr(o->template_path, '/');
    char *dir = o->templates_dir ? dup_str(o->templates_dir) : dir_of(o->template_path);
    char *text = NULL;
    char *out = NULL;
    char *err = NULL;
    size_t len = 0;
    size_t out_len = 0;
    tmpl_hooks hooks;
    tmpl_options opts;
    int rc;
    int e;

    if (!dir)
        return fail("out of memory");
    e = read_file(o->template_path, &text, &len);
    if (e) {
        free(dir);
        return fail("%s: %s", o->template_path, strerror(e));
    }
    memset(&hooks, 0, sizeof(hooks));
    hooks.ud = dir;
    hooks.load = load_template;
    memset(&opts, 0, sizeof(opts));
    opts.hooks = &hooks;
    rc = tmpl_render(base ? base + 1 : o->template_path, text, len, snap, &opts, &out,
                     &out_len, &err);
    free(text);
    free(dir);
    if (rc != TMPL_OK) {
        fprintf(stderr, "%s\n", err ? err : tmpl_strerror(rc));
        free(err);
        return 1;
    }
    if (o->out_path)
        rc = write_output(o->out_path, out, out_len);
    else if (write_all(stdout, out, out_len) != 0)
        rc = fail("stdout: %s", strerror(errno));
    free(out);
    return rc;
}

int etcdwatch_render_main(int argc, char **argv, etcdwatch_render_fetch_fn fetch,
                          void *fetch_ud)
{
    render_opts o;
    tmpl_snapshot *snap;
    char *prefix;
    int rc;

    if (parse_args(argc, argv, &o) != 0)
        return 1;
    if (o.help) {
        fputs(usage, stdout);
        return 0;
    }
    if (!o.keys_path && !fetch)
        return fail("--keys is required");
    /* confd's prefix is path.Join("/", prefix): "app/" is "/app" */
    prefix = tmpl_key_relative(o.prefix, "");
    snap = tmpl_snapshot_new();
    if (!snap || !prefix) {
        tmpl_snapshot_free(snap);
        free(prefix);
        return fail("out of memory");
    }
    o.prefix = prefix;
    rc = o.keys_path ? load_keys_json(&o, snap)
                     : load_keys_etcd(&o, snap, fetch, fetch_ud);
    if (rc == 0 && tmpl_snapshot_finish(snap) != TMPL_OK)
        rc = fail("out of memory");
    if (rc == 0)
        rc = render(&o, snap);
    tmpl_snapshot_free(snap);
    free(prefix);
    return rc;
}
