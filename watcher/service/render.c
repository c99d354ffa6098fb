/*
 * render.c: one resource, from store to dest, the safe way.
 */
#define _GNU_SOURCE /* mkostemp */

#include "render.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diff.h"
#include "exec.h"
#include "log.h"

#define MAX_TEMPLATE_BYTES (16u << 20)

/* ---- The snapshot a template sees ------------------------------------------------- */

typedef struct snap_fill {
    tmpl_snapshot *snap;
    const char *prefix;
    size_t prefix_len;
} snap_fill;

/* Whether p is an absolute path that Go's path.Clean leaves as it is: "/" followed by
 * elements that are neither empty, "." nor "..", and no trailing "/". */
static int clean_absolute(const char *p)
{
    if (p[0] != '/' || p[1] == '\0')
        return 0; /* "/" alone: the slow path makes it */
    while (*p == '/') {
        const char *elem = ++p;

        while (*p && *p != '/')
            p++;
        if (p == elem || (p - elem == 1 && elem[0] == '.') ||
            (p - elem == 2 && elem[0] == '.' && elem[1] == '.'))
            return 0;
    }
    return 1;
}

static int add_entry(const ew_entry *e, void *data)
{
    snap_fill *f = data;
    const char *rel = e->key;
    char *made;
    int rc;

    /* The key relative to the prefix, as tmpl_key_relative() makes it; without a
     * copy when cutting the prefix leaves a clean path already (nearly always), as
     * this runs for every key of every render. */
    if (f->prefix_len && strncmp(rel, f->prefix, f->prefix_len) == 0)
        rel += f->prefix_len;
    if (clean_absolute(rel))
        return tmpl_snapshot_add(f->snap, rel, e->key_len - (size_t)(rel - e->key),
                                 e->value, e->value_len)
                   ? -1
                   : 0;
    made = tmpl_key_relative(e->key, f->prefix);
    if (!made)
        return -1;
    rc = tmpl_snapshot_add(f->snap, made, strlen(made), e->value, e->value_len);
    free(made);
    return rc ? -1 : 0;
}

tmpl_snapshot *ew_snapshot_for(const ew_resource *r, const ew_store *store)
{
    snap_fill f = {tmpl_snapshot_new(), r->prefix, r->prefix ? strlen(r->prefix) : 0};
    size_t i;

    if (!f.snap)
        return NULL;
    for (i = 0; i < r->nkeys; i++) {
        if (ew_store_each(store, r->keys[i], add_entry, &f))
            break;
    }
    if (i < r->nkeys || tmpl_snapshot_finish(f.snap)) {
        tmpl_snapshot_free(f.snap);
        return NULL;
    }
    return f.snap;
}

/* ---- The template, re-read when its file changes ----------------------------------- */

void ew_template_cache_free(ew_template_cache *cache)
{
    tmpl_free(cache->tmpl);
    memset(cache, 0, sizeof(*cache));
}

static int same_file(const ew_template_cache *c, const struct stat *sb)
{
    return c->tmpl && c->size == sb->st_size && c->ino == sb->st_ino &&
           c->mtime.tv_sec == sb->st_mtim.tv_sec &&
           c->mtime.tv_nsec == sb->st_mtim.tv_nsec;
}

/* Read and parse r's template (whose stat is `sb`, read through fd). Returns the
 * template, or NULL with *err (new) saying why. */
static tmpl_template *parse_file(const ew_resource *r, int fd, const struct stat *sb,
                                 char **err)
{
    tmpl_template *t = NULL;
    const char *name = strrchr(r->src, '/');
    char *text, msg[512];
    ssize_t got;
    int rc;

    *err = NULL;
    if (sb->st_size > MAX_TEMPLATE_BYTES) {
        snprintf(msg, sizeof(msg), "template %s: larger than %u bytes", r->src,
                 MAX_TEMPLATE_BYTES);
        *err = strdup(msg);
        return NULL;
    }
    text = malloc((size_t)sb->st_size + 1);
    got = text ? read(fd, text, (size_t)sb->st_size) : -1;
    if (got != sb->st_size) {
        snprintf(msg, sizeof(msg), "template %s: cannot read it", r->src);
        *err = strdup(msg);
        free(text);
        return NULL;
    }
    text[got] = '\0';
    rc = tmpl_parse(name ? name + 1 : r->src, text, (size_t)got, &t, err);
    free(text);
    if (rc && !*err)
        *err = strdup(tmpl_strerror(rc));
    return rc ? NULL : t;
}

static int open_template(const ew_resource *r, struct stat *sb, char **err)
{
    char msg[512];
    int fd = open(r->src, O_RDONLY | O_CLOEXEC);

    if (fd >= 0 && fstat(fd, sb) == 0)
        return fd;
    snprintf(msg, sizeof(msg), "template %s: %s", r->src, strerror(errno));
    *err = strdup(msg);
    if (fd >= 0)
        close(fd);
    return -1;
}

/* The parsed template, or NULL (logged). */
static const tmpl_template *load_template(const ew_resource *r, ew_template_cache *cache)
{
    tmpl_template *t = NULL;
    struct stat sb;
    char *err = NULL;
    int fd = open_template(r, &sb, &err);

    if (fd >= 0 && same_file(cache, &sb)) {
        close(fd);
        return cache->tmpl;
    }
    if (fd >= 0) {
        t = parse_file(r, fd, &sb, &err);
        close(fd);
    }
    if (!t) {
        ew_log(EW_LOG_ERROR, r->name, "%s; %s left untouched",
               err ? err : "out of memory", r->dest);
        free(err);
        return NULL;
    }
    ew_template_cache_free(cache);
    cache->tmpl = t;
    cache->size = sb.st_size;
    cache->ino = sb.st_ino;
    cache->mtime = sb.st_mtim;
    return t;
}

int ew_template_check(const ew_resource *r, ew_problems *problems)
{
    tmpl_template *t = NULL;
    struct stat sb;
    char *err = NULL;
    int fd = open_template(r, &sb, &err);

    if (fd >= 0) {
        t = parse_file(r, fd, &sb, &err);
        close(fd);
    }
    if (!t)
        ew_problem(problems, "%s: %s", r->file, err ? err : "out of memory");
    free(err);
    tmpl_free(t);
    return t ? 0 : -1;
}

/* The `include` extension's loader: `name` under the templates directory (the engine
 * refuses names that would leave it). */
static int load_include(void *ud, const char *name, char **text, size_t *len, char **err)
{
    size_t n = strlen(ud) + strlen(name) + 2;
    char *path = malloc(n), msg[512];
    struct stat sb;
    ssize_t got = -1;
    int fd;

    *text = NULL;
    if (!path)
        return TMPL_ENOMEM;
    snprintf(path, n, "%s/%s", (const char *)ud, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && fstat(fd, &sb) == 0 && sb.st_size <= MAX_TEMPLATE_BYTES) {
        *text = malloc((size_t)sb.st_size + 1);
        got = *text ? read(fd, *text, (size_t)sb.st_size) : -1;
    }
    if (fd < 0 || got != sb.st_size) {
        snprintf(msg, sizeof(msg), "%s: %s", path,
                 fd < 0 ? strerror(errno) : "cannot read");
        *err = strdup(msg);
        free(*text);
        *text = NULL;
    } else {
        (*text)[got] = '\0';
        *len = (size_t)got;
    }
    if (fd >= 0)
        close(fd);
    free(path);
    return *text ? 0 : 1;
}

/* ---- Files --------------------------------------------------------------------- */

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* dest's contents, or NULL when it does not exist (*exists = 0) or cannot be read. */
static char *read_dest(const char *dest, size_t size)
{
    int fd = open(dest, O_RDONLY | O_CLOEXEC);
    char *buf;
    size_t got = 0;

    if (fd < 0)
        return NULL;
    buf = malloc(size + 1);
    while (buf && got < size) {
        ssize_t n = read(fd, buf + got, size - got);

        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (buf && got != size) {
        free(buf);
        return NULL;
    }
    if (buf)
        buf[size] = '\0';
    return buf;
}

/* Whether dest holds exactly `out` with this mode and owner. */
static int dest_matches(const ew_resource *r, const struct stat *sb, mode_t mode,
                        const char *out, size_t len)
{
    char *cur;
    int same;

    if ((size_t)sb->st_size != len || (sb->st_mode & 07777) != mode ||
        sb->st_uid != r->uid || sb->st_gid != r->gid)
        return 0;
    cur = read_dest(r->dest, len);
    same = cur && memcmp(cur, out, len) == 0;
    free(cur);
    return same;
}

static void print_diff(const ew_resource *r, int exists, const struct stat *sb,
                       const char *out, size_t len)
{
    char *cur = exists ? read_dest(r->dest, (size_t)sb->st_size) : NULL;
    char *diff = NULL;

    if (ew_diff_unified(cur ? cur : "", cur ? (size_t)sb->st_size : 0, r->dest, out, len,
                        r->dest, &diff) == 0 &&
        diff[0]) {
        fputs(diff, stdout);
        fflush(stdout);
    }
    ew_log(EW_LOG_WARN, r->name, "noop: %s would change; not modified", r->dest);
    free(diff);
    free(cur);
}

/* Write `out` to a new stage file beside dest with the final mode and owner. Returns
 * its fd (the path in stage), or -1 (logged). */
static int write_stage(const ew_resource *r, mode_t mode, const char *out, size_t len,
                       char **stage)
{
    char *copy = strdup(r->dest), *dir, *base, *path;
    size_t n;
    int fd;

    *stage = NULL;
    if (!copy)
        return -1;
    dir = dirname(copy);
    base = strrchr(r->dest, '/');
    base = base ? base + 1 : r->dest;
    n = strlen(dir) + strlen(base) + 10;
    path = malloc(n);
    if (!path) {
        free(copy);
        return -1;
    }
    snprintf(path, n, "%s/.%sXXXXXX", dir, base);
    free(copy);
    fd = mkostemp(path, O_CLOEXEC); /* 0600 */
    if (fd < 0) {
        ew_log(EW_LOG_ERROR, r->name, "cannot create a stage file beside %s: %s", r->dest,
               strerror(errno));
        free(path);
        return -1;
    }
    if (write_all(fd, out, len) < 0 || fchmod(fd, mode) < 0 ||
        ((geteuid() != r->uid || getegid() != r->gid) &&
         fchown(fd, r->uid, r->gid) < 0) ||
        fsync(fd) < 0) {
        ew_log(EW_LOG_ERROR, r->name, "stage file %s: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        free(path);
        return -1;
    }
    *stage = path;
    return fd;
}

/* Rewrite dest in place: for a dest that cannot be renamed over (a bind mount). */
static int rewrite_in_place(const ew_resource *r, mode_t mode, const char *out,
                            size_t len)
{
    int fd = open(r->dest, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, mode);
    int rc;

    if (fd < 0)
        return -1;
    rc = write_all(fd, out, len) || fchmod(fd, mode) || fsync(fd) ? -1 : 0;
    if (!rc && (geteuid() != r->uid || getegid() != r->gid))
        rc = fchown(fd, r->uid, r->gid);
    close(fd);
    return rc;
}

static void sync_dir(const char *dest)
{
    char *copy = strdup(dest);
    int fd;

    if (!copy)
        return;
    fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

/* Why a command failed, on one line (a log line is one event): "timed out after 1 s
 * (killed)", "exit status 3", "killed by signal 9", then its output, if any, with its
 * lines joined by " | ". New, or NULL when out of memory. */
static char *describe_failure(const ew_exec_result *res, long timeout_ms)
{
    const char *out = res->output ? res->output : "";
    size_t len = strlen(out), n = 0, cap, i;
    char *text, how[96];

    if (res->timed_out)
        snprintf(how, sizeof(how), "timed out after %g s (killed)", timeout_ms / 1000.0);
    else if (res->signal)
        snprintf(how, sizeof(how), "killed by signal %d", res->signal);
    else if (res->exit_code >= 0)
        snprintf(how, sizeof(how), "exit status %d", res->exit_code);
    else
        how[0] = '\0'; /* did not start: the output says why */
    while (len > 0 &&
           (out[len - 1] == '\n' || out[len - 1] == '\r' || out[len - 1] == ' '))
        len--;
    cap = strlen(how) + 2 + len * 3 + 1; /* each newline becomes " | " */
    text = malloc(cap);
    if (!text)
        return NULL;
    n = (size_t)snprintf(text, cap, "%s%s", how, how[0] && len ? ": " : "");
    for (i = 0; i < len; i++) {
        if (out[i] == '\r')
            continue;
        if (out[i] == '\n') {
            memcpy(text + n, " | ", 3);
            n += 3;
        } else {
            text[n++] = out[i];
        }
    }
    text[n] = '\0';
    return text;
}

int ew_command_init(ew_command *c, const ew_resource *r, int reload, const char *stage)
{
    memset(c, 0, sizeof(*c));
    c->reload = reload;
    c->timeout_ms = reload ? r->reload_timeout_ms : r->check_timeout_ms;
    c->name = strdup(r->name);
    c->dest = strdup(r->dest);
    c->line = reload ? ew_exec_expand(r->reload_cmd, r->src, r->dest)
                     : ew_exec_expand(r->check_cmd, stage, r->dest);
    if (!c->name || !c->dest || !c->line) {
        ew_command_cleanup(c);
        return -1;
    }
    return 0;
}

void ew_command_cleanup(ew_command *c)
{
    free(c->name);
    free(c->dest);
    free(c->line);
    memset(c, 0, sizeof(*c));
}

int ew_command_log(const ew_command *c, const ew_exec_result *res)
{
    char *why;

    if (res->status == 0) {
        if (c->reload)
            ew_log(EW_LOG_INFO, c->name, "reloaded: %s", c->line);
        else
            ew_log(EW_LOG_DEBUG, c->name, "check passed: %s", c->line);
        return 0;
    }
    why = describe_failure(res, c->timeout_ms);
    if (c->reload)
        ew_log(EW_LOG_ERROR, c->name, "reload of %s failed (%s): %s", c->dest, c->line,
               why ? why : "out of memory");
    else
        ew_log(EW_LOG_ERROR, c->name, "check failed for %s (%s): %s; %s left untouched",
               c->dest, c->line, why ? why : "out of memory", c->dest);
    free(why);
    return res->status;
}

void ew_staged_free(ew_staged *s, int keep_file)
{
    if (!s)
        return;
    if (s->path && !keep_file)
        unlink(s->path);
    free(s->path);
    free(s->out);
    free(s);
}

ew_render_result ew_staged_commit(const ew_resource *r, ew_staged *s)
{
    int err = rename(s->path, r->dest) < 0 ? errno : 0;

    if (err) {
        /* A dest that cannot be renamed over (a bind mount) is rewritten in place. */
        if ((err == EBUSY || err == EXDEV) &&
            rewrite_in_place(r, s->mode, s->out, s->len) == 0)
            err = 0;
        unlink(s->path);
    }
    free(s->path);
    s->path = NULL;
    if (err) {
        ew_log(EW_LOG_ERROR, r->name, "cannot replace %s: %s", r->dest, strerror(err));
        return EW_RENDER_FAILED;
    }
    sync_dir(r->dest);
    ew_log(EW_LOG_INFO, r->name, "%s updated", r->dest);
    return EW_RENDER_UPDATED;
}

/* Write the stage file; on success it owns `out`. */
static ew_render_result stage(const ew_resource *r, mode_t mode, char *out, size_t len,
                              ew_staged **staged)
{
    ew_staged *s = calloc(1, sizeof(*s));
    int fd = s ? write_stage(r, mode, out, len, &s->path) : -1;

    if (fd < 0) {
        if (!s)
            ew_log(EW_LOG_ERROR, r->name, "out of memory; %s left untouched", r->dest);
        free(s);
        free(out);
        return EW_RENDER_FAILED;
    }
    close(fd);
    s->out = out;
    s->len = len;
    s->mode = mode;
    *staged = s;
    return EW_RENDER_STAGED;
}

ew_render_result ew_render_stage(const ew_resource *r, ew_template_cache *cache,
                                 const ew_store *store, const ew_render_opts *opts,
                                 ew_staged **staged)
{
    const tmpl_template *t = load_template(r, cache);
    tmpl_options topts = {0};
    tmpl_hooks hooks = {0};
    tmpl_snapshot *snap;
    struct stat sb;
    char *out = NULL, *err = NULL;
    size_t len = 0;
    mode_t mode;
    int exists, rc;

    *staged = NULL;
    if (!t)
        return EW_RENDER_FAILED;
    snap = ew_snapshot_for(r, store);
    if (!snap) {
        ew_log(EW_LOG_ERROR, r->name, "out of memory");
        return EW_RENDER_FAILED;
    }
    hooks.ud = r->templates_dir;
    hooks.load = load_include;
    topts.hooks = &hooks;
    rc = tmpl_execute(t, snap, &topts, &out, &len, &err);
    tmpl_snapshot_free(snap);
    if (rc) {
        ew_log(EW_LOG_ERROR, r->name, "%s; %s left untouched",
               err ? err : tmpl_strerror(rc), r->dest);
        free(err);
        return EW_RENDER_FAILED;
    }
    exists = stat(r->dest, &sb) == 0;
    mode = r->has_mode ? r->mode : exists ? (sb.st_mode & 07777) : 0644;
    if (exists && dest_matches(r, &sb, mode, out, len)) {
        ew_log(EW_LOG_DEBUG, r->name, "%s in sync", r->dest);
    } else if (opts->noop) {
        print_diff(r, exists, &sb, out, len);
    } else {
        return stage(r, mode, out, len, staged);
    }
    free(out);
    return EW_RENDER_UNCHANGED;
}

int ew_reload_signal(const ew_resource *r)
{
    char *err = NULL;
    int rc = ew_exec_signal_pidfile(r->pidfile, r->reload_signal, &err);

    if (rc)
        ew_log(EW_LOG_ERROR, r->name, "reload of %s failed: %s", r->dest, err);
    else
        ew_log(EW_LOG_INFO, r->name, "reloaded (signal %d to %s)", r->reload_signal,
               r->pidfile);
    free(err);
    return rc;
}

int ew_reload(const ew_resource *r)
{
    ew_exec_result res;
    ew_command c;
    int rc;

    if (r->reload_signal > 0)
        return ew_reload_signal(r);
    if (!r->reload_cmd)
        return 0;
    if (ew_command_init(&c, r, 1, NULL))
        return -1;
    ew_exec_run(c.line, c.timeout_ms, &res);
    rc = ew_command_log(&c, &res);
    ew_exec_result_cleanup(&res);
    ew_command_cleanup(&c);
    return rc;
}
