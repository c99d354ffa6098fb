/*
 * resource.c: loading template resources from conf.d. Both file formats are read into
 * the same (key, value, line) triples and go through one set of rules.
 */
#define _DEFAULT_SOURCE

#include "resource.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <libconfig.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec.h"
#include "toml.h"

/* ---- Paths ---------------------------------------------------------------------- */

char *ew_path_join(const char *a, const char *b)
{
    size_t cap = strlen(a) + strlen(b) + 3, len = 0;
    char *joined = malloc(cap), *out = malloc(cap);
    const char *p;

    if (!joined || !out) {
        free(joined);
        free(out);
        return NULL;
    }
    snprintf(joined, cap, "/%s/%s", a, b);
    /* Clean: walk the segments, dropping "" and ".", popping on "..". */
    for (p = joined; *p;) {
        const char *seg;
        size_t n;

        while (*p == '/')
            p++;
        seg = p;
        while (*p && *p != '/')
            p++;
        n = (size_t)(p - seg);
        if (n == 0 || (n == 1 && seg[0] == '.'))
            continue;
        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--;
            continue;
        }
        out[len++] = '/';
        memcpy(out + len, seg, n);
        len += n;
    }
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    free(joined);
    return out;
}

/* ---- One value of a resource file, whatever its format ------------------------------
 */

typedef enum rtype { R_STRING, R_INT, R_LIST } rtype;

typedef struct rvalue {
    rtype type;
    const char *string;
    long long integer;
    const char *const *list;
    size_t nlist;
} rvalue;

/* What a resource file said, before it is checked and turned into a resource. */
typedef struct draft {
    ew_resource r;
    char *prefix; /* the file's own prefix */
    char **keys;  /* as written */
    size_t nkeys;
    char *owner, *group, *mode, *signal;
    long long uid, gid;
    /* where the settings checked after reading were given, for their problems */
    unsigned dest_line, keys_line, owner_line, group_line, mode_line, signal_line,
        cmd_line;
    const char *path;
    ew_problems *problems;
    size_t bad;
    int unparsed; /* a syntax error: nothing more to say about the file */
} draft;

/* A problem with `key`; line 0 when the problem is the file's as a whole. */
static void bad(draft *d, unsigned line, const char *key, const char *what)
{
    if (line)
        ew_problem(d->problems, "%s:%u: %s: %s", d->path, line, key, what);
    else
        ew_problem(d->problems, "%s: %s: %s", d->path, key, what);
    d->bad++;
}

static int take_string(draft *d, unsigned line, const char *key, const rvalue *v,
                       char **slot)
{
    if (v->type != R_STRING) {
        bad(d, line, key, "expected a string");
        return -1;
    }
    free(*slot);
    *slot = strdup(v->string);
    if (!*slot)
        bad(d, line, key, "out of memory");
    return 0;
}

static void take_seconds(draft *d, unsigned line, const char *key, const rvalue *v,
                         long *ms)
{
    if (v->type != R_INT || v->integer < 0 || v->integer > 86400) {
        bad(d, line, key, "expected a number of seconds (0 to 86400)");
        return;
    }
    *ms = (long)v->integer * 1000;
}

static void take_keys(draft *d, unsigned line, const rvalue *v)
{
    size_t i;

    if (v->type != R_LIST) {
        bad(d, line, "keys", "expected a list of strings");
        return;
    }
    d->keys = calloc(v->nlist ? v->nlist : 1, sizeof(*d->keys));
    if (!d->keys) {
        bad(d, line, "keys", "out of memory");
        return;
    }
    for (i = 0; i < v->nlist; i++) {
        d->keys[i] = strdup(v->list[i]);
        if (!d->keys[i]) {
            bad(d, line, "keys", "out of memory");
            return;
        }
        d->nkeys++;
    }
}

static void take_id(draft *d, unsigned line, const char *key, const rvalue *v,
                    long long *slot)
{
    if (v->type != R_INT || v->integer < 0 || v->integer > 0x7fffffffLL) {
        bad(d, line, key, "expected a non-negative number");
        return;
    }
    *slot = v->integer;
}

static void set_value(draft *d, unsigned line, const char *key, const rvalue *v)
{
    ew_resource *r = &d->r;

    /* Settings checked once the whole file is read: remember their lines. */
    if (strcmp(key, "dest") == 0)
        d->dest_line = line;
    else if (strcmp(key, "keys") == 0)
        d->keys_line = line;
    else if (strcmp(key, "owner") == 0)
        d->owner_line = line;
    else if (strcmp(key, "group") == 0)
        d->group_line = line;
    else if (strcmp(key, "mode") == 0)
        d->mode_line = line;
    else if (strcmp(key, "reload_signal") == 0)
        d->signal_line = line;
    else if (strcmp(key, "reload_cmd") == 0)
        d->cmd_line = line;

    if (strcmp(key, "src") == 0)
        take_string(d, line, key, v, &r->src);
    else if (strcmp(key, "dest") == 0)
        take_string(d, line, key, v, &r->dest);
    else if (strcmp(key, "keys") == 0)
        take_keys(d, line, v);
    else if (strcmp(key, "prefix") == 0)
        take_string(d, line, key, v, &d->prefix);
    else if (strcmp(key, "owner") == 0)
        take_string(d, line, key, v, &d->owner);
    else if (strcmp(key, "group") == 0)
        take_string(d, line, key, v, &d->group);
    else if (strcmp(key, "uid") == 0)
        take_id(d, line, key, v, &d->uid);
    else if (strcmp(key, "gid") == 0)
        take_id(d, line, key, v, &d->gid);
    else if (strcmp(key, "mode") == 0)
        take_string(d, line, key, v, &d->mode);
    else if (strcmp(key, "check_cmd") == 0)
        take_string(d, line, key, v, &r->check_cmd);
    else if (strcmp(key, "reload_cmd") == 0)
        take_string(d, line, key, v, &r->reload_cmd);
    else if (strcmp(key, "reload_signal") == 0)
        take_string(d, line, key, v, &d->signal);
    else if (strcmp(key, "pidfile") == 0)
        take_string(d, line, key, v, &r->pidfile);
    else if (strcmp(key, "check_timeout") == 0)
        take_seconds(d, line, key, v, &r->check_timeout_ms);
    else if (strcmp(key, "reload_timeout") == 0)
        take_seconds(d, line, key, v, &r->reload_timeout_ms);
    else if (strcmp(key, "min_reload_interval") == 0)
        take_seconds(d, line, key, v, &r->min_reload_interval_ms);
    else
        bad(d, line, key, "unknown setting");
}

/* ---- The two formats ----------------------------------------------------------------
 */

static void read_toml(draft *d, const char *text, size_t len)
{
    ew_toml *doc = NULL;
    char *err = NULL;
    size_t i;

    if (ew_toml_parse(d->path, text, len, &doc, &err)) {
        ew_problem(d->problems, "%s", err ? err : "out of memory");
        d->bad++;
        d->unparsed = 1;
        free(err);
        return;
    }
    for (i = 0; i < ew_toml_count(doc); i++) {
        const ew_toml_value *tv = ew_toml_at(doc, i);
        rvalue v = {R_STRING, tv->string, tv->integer, tv->strings, tv->nstrings};

        if (strcmp(tv->table, "template") != 0) {
            bad(d, tv->line, tv->key, "outside the [template] table");
            continue;
        }
        if (tv->type == EW_TOML_INTEGER)
            v.type = R_INT;
        else if (tv->type == EW_TOML_STRING_ARRAY)
            v.type = R_LIST;
        else if (tv->type == EW_TOML_BOOL)
            v.type = R_INT;
        set_value(d, tv->line, tv->key, &v);
    }
    ew_toml_free(doc);
}

static void read_libconfig_setting(draft *d, config_setting_t *s)
{
    const char *name = config_setting_name(s);
    unsigned line = config_setting_source_line(s);
    rvalue v = {R_STRING, NULL, 0, NULL, 0};
    const char **list = NULL;
    int i, n;

    switch (config_setting_type(s)) {
    case CONFIG_TYPE_STRING:
        v.string = config_setting_get_string(s);
        break;
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        v.type = R_INT;
        v.integer = config_setting_get_int64(s);
        break;
    case CONFIG_TYPE_ARRAY:
    case CONFIG_TYPE_LIST:
        n = config_setting_length(s);
        list = calloc(n > 0 ? (size_t)n : 1, sizeof(*list));
        if (!list) {
            bad(d, line, name, "out of memory");
            return;
        }
        for (i = 0; i < n; i++) {
            list[i] = config_setting_get_string_elem(s, i);
            if (!list[i]) {
                bad(d, line, name, "expected a list of strings");
                free(list);
                return;
            }
        }
        v.type = R_LIST;
        v.list = list;
        v.nlist = (size_t)n;
        break;
    default:
        bad(d, line, name, "expected a string, a number or a list of strings");
        return;
    }
    set_value(d, line, name, &v);
    free(list);
}

static void read_libconfig(draft *d, const char *text)
{
    config_setting_t *root;
    config_t cf;
    int i;

    config_init(&cf);
    if (!config_read_string(&cf, text)) {
        ew_problem(d->problems, "%s:%d: %s", d->path, config_error_line(&cf),
                   config_error_text(&cf));
        d->bad++;
        d->unparsed = 1;
        config_destroy(&cf);
        return;
    }
    root = config_root_setting(&cf);
    for (i = 0; i < config_setting_length(root); i++)
        read_libconfig_setting(d, config_setting_get_elem(root, i));
    config_destroy(&cf);
}

/* ---- Checks and defaults ------------------------------------------------------------
 */

static void resolve_owner(draft *d)
{
    ew_resource *r = &d->r;

    r->uid = geteuid();
    r->gid = getegid();
    if (d->uid >= 0)
        r->uid = (uid_t)d->uid;
    if (d->gid >= 0)
        r->gid = (gid_t)d->gid;
    if (d->owner) {
        struct passwd *pw = getpwnam(d->owner);

        if (pw)
            r->uid = pw->pw_uid;
        else
            bad(d, d->owner_line, "owner", "no such user");
    }
    if (d->group) {
        struct group *gr = getgrnam(d->group);

        if (gr)
            r->gid = gr->gr_gid;
        else
            bad(d, d->group_line, "group", "no such group");
    }
}

static void finish_draft(draft *d, const ew_config *cfg)
{
    ew_resource *r = &d->r;
    char *src;
    size_t i;

    if (!r->src)
        bad(d, 0, "src", "missing (the template, relative to the templates directory)");
    if (!r->dest)
        bad(d, 0, "dest", "missing (the file to write)");
    if (d->keys_line == 0)
        bad(d, 0, "keys", "missing");
    else if (d->keys && d->nkeys == 0)
        bad(d, d->keys_line, "keys", "empty: name at least one key");
    if (d->mode) {
        char *end;
        unsigned long m = strtoul(d->mode, &end, 0);

        if (end == d->mode || *end || m > 07777)
            bad(d, d->mode_line, "mode", "expected an octal mode such as \"0644\"");
        r->has_mode = 1;
        r->mode = (mode_t)m;
    }
    if (d->signal) {
        r->reload_signal = ew_exec_signal_number(d->signal);
        if (r->reload_signal <= 0)
            bad(d, d->signal_line, "reload_signal", "unknown signal");
        if (!r->pidfile)
            bad(d, d->signal_line, "reload_signal", "needs a pidfile");
    }
    if (r->reload_signal > 0 && r->reload_cmd)
        bad(d, d->cmd_line, "reload_cmd",
            "give either reload_cmd or reload_signal, not both");
    resolve_owner(d);
    if (!r->check_timeout_ms)
        r->check_timeout_ms = cfg->check_timeout_ms;
    if (!r->reload_timeout_ms)
        r->reload_timeout_ms = cfg->reload_timeout_ms;
    if (d->bad)
        return;

    r->prefix = ew_path_join(cfg->prefix, d->prefix ? d->prefix : "");
    r->keys = calloc(d->nkeys, sizeof(*r->keys));
    src = malloc(strlen(cfg->confdir) + strlen(r->src) + 12);
    if (!r->prefix || !r->keys || !src) {
        free(src);
        bad(d, 0, "resource", "out of memory");
        return;
    }
    for (i = 0; i < d->nkeys; i++) {
        r->keys[i] = ew_path_join(r->prefix, d->keys[i]);
        if (!r->keys[i]) {
            bad(d, 0, "keys", "out of memory");
            break;
        }
        r->nkeys++;
    }
    snprintf(src, strlen(cfg->confdir) + strlen(r->src) + 12, "%s/templates/%s",
             cfg->confdir, r->src);
    free(r->src);
    r->src = src;
    r->templates_dir = malloc(strlen(cfg->confdir) + sizeof("/templates"));
    if (!r->templates_dir) {
        bad(d, 0, "resource", "out of memory");
        return;
    }
    snprintf(r->templates_dir, strlen(cfg->confdir) + sizeof("/templates"),
             "%s/templates", cfg->confdir);
}

static void resource_cleanup(ew_resource *r)
{
    size_t i;

    free(r->name);
    free(r->file);
    free(r->src);
    free(r->templates_dir);
    free(r->dest);
    for (i = 0; i < r->nkeys; i++)
        free(r->keys[i]);
    free(r->keys);
    free(r->prefix);
    free(r->check_cmd);
    free(r->reload_cmd);
    free(r->pidfile);
    memset(r, 0, sizeof(*r));
}

static void draft_cleanup(draft *d)
{
    size_t i;

    for (i = 0; i < d->nkeys; i++)
        free(d->keys[i]);
    free(d->keys);
    free(d->prefix);
    free(d->owner);
    free(d->group);
    free(d->mode);
    free(d->signal);
}

/* ---- Loading the directory ------------------------------------------------------------
 */

static char *read_file(const char *path, size_t *len, ew_problems *problems)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long size;

    if (!f) {
        ew_problem(problems, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && size < (1L << 24) &&
        fseek(f, 0, SEEK_SET) == 0) {
        text = malloc((size_t)size + 1);
        if (text && fread(text, 1, (size_t)size, f) == (size_t)size) {
            text[size] = '\0';
            *len = (size_t)size;
        } else {
            free(text);
            text = NULL;
        }
    }
    fclose(f);
    if (!text)
        ew_problem(problems, "%s: cannot read (too large or unreadable)", path);
    return text;
}

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);

    return n > s && strcmp(name + n - s, suffix) == 0;
}

/* Load one file; on success the resource is appended to `out`. */
static void load_one(const ew_config *cfg, const char *dir, const char *name,
                     ew_resources *out, ew_problems *problems)
{
    draft d;
    size_t len = 0, i;
    char *text, *path = malloc(strlen(dir) + strlen(name) + 2);

    if (!path)
        return;
    snprintf(path, strlen(dir) + strlen(name) + 2, "%s/%s", dir, name);
    memset(&d, 0, sizeof(d));
    d.uid = d.gid = -1;
    d.path = path;
    d.problems = problems;
    text = read_file(path, &len, problems);
    if (!text) {
        free(path);
        return;
    }
    if (has_suffix(name, ".toml"))
        read_toml(&d, text, len);
    else
        read_libconfig(&d, text);
    free(text);
    if (!d.unparsed)
        finish_draft(&d, cfg);
    for (i = 0; !d.bad && i < out->count; i++) {
        if (strcmp(out->items[i].dest, d.r.dest) == 0) {
            ew_problem(problems, "%s:%u: dest %s is also the dest of %s", path,
                       d.dest_line, d.r.dest, out->items[i].file);
            d.bad++;
        }
    }
    d.r.file = path;
    d.r.name = strdup(name);
    if (!d.bad && d.r.name) {
        out->items[out->count++] = d.r;
    } else {
        resource_cleanup(&d.r);
    }
    draft_cleanup(&d);
}

static int is_resource_file(const struct dirent *e)
{
    return e->d_name[0] != '.' &&
           (has_suffix(e->d_name, ".toml") || has_suffix(e->d_name, ".conf"));
}

int ew_resources_load(const ew_config *cfg, ew_resources *out, ew_problems *problems)
{
    struct dirent **names = NULL;
    size_t dirlen = strlen(cfg->confdir) + sizeof("/conf.d");
    char *dir = malloc(dirlen);
    int n, i;

    out->items = NULL;
    out->count = 0;
    if (!dir)
        return -1;
    snprintf(dir, dirlen, "%s/conf.d", cfg->confdir);
    n = scandir(dir, &names, is_resource_file, alphasort);
    if (n < 0) {
        ew_problem(problems, "%s: %s", dir, strerror(errno));
        free(dir);
        return -1;
    }
    out->items = calloc(n > 0 ? (size_t)n : 1, sizeof(*out->items));
    for (i = 0; i < n; i++) {
        if (out->items)
            load_one(cfg, dir, names[i]->d_name, out, problems);
        free(names[i]);
    }
    free(names);
    free(dir);
    if (!out->items) {
        ew_problem(problems, "out of memory");
        return -1;
    }
    return 0;
}

void ew_resources_free(ew_resources *res)
{
    size_t i;

    for (i = 0; i < res->count; i++)
        resource_cleanup(&res->items[i]);
    free(res->items);
    res->items = NULL;
    res->count = 0;
}
