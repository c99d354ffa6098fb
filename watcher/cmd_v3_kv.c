/*
 * etcdwatch: the v3 keys commands (get put del watch txn compaction), named and printed
 * as etcdctl v3 (3.4) does under -w simple; under -o json the gateway's JSON with keys
 * and values decoded (cmd_v3.c).
 *
 * Keys and values are byte strings: everything read from standard input or a txn
 * line keeps its length, and everything printed is written with it.
 */
#define _POSIX_C_SOURCE 200809L

#include "cmd_v3.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Largest txn input. */
#define KV_STDIN_MAX ((size_t)64 * 1024 * 1024)

/* How often the watch loop looks at the signal flag, at most. */
#define KV_WATCH_TICK_MS 200

/* Every v3 keys command's options; each command reads the ones it declares. */
typedef struct kv_args {
    int prefix;
    int from_key;
    int keys_only;
    int print_value_only;
    int count_only;
    int prev_kv;
    int ignore_value;
    int ignore_lease;
    int progress_notify;
    int interactive;
    int physical;
    int64_t limit;
    int64_t rev; /* get --rev, watch --rev; compaction's REV */
    const char *sort_by;
    const char *order;
    const char *consistency;
    const char *lease;
} kv_args;

/* clang-format off */
#define KV_OPT(name, short_name, type, arg, field, help)                                 \
    {name, short_name, type, arg, offsetof(kv_args, field), help}
/* clang-format on */

#define OPT_PREFIX(help) KV_OPT("prefix", 0, CLI_OPT_FLAG, NULL, prefix, help)
#define OPT_FROM_KEY(help) KV_OPT("from-key", 0, CLI_OPT_FLAG, NULL, from_key, help)
#define OPT_PREV_KV(help) KV_OPT("prev-kv", 0, CLI_OPT_FLAG, NULL, prev_kv, help)

static const cli_opt get_opts[] = {
    OPT_PREFIX("every key that starts with KEY"),
    OPT_FROM_KEY("every key >= KEY (byte order)"),
    KV_OPT("limit", 0, CLI_OPT_INT64, "N", limit, "at most N keys (0: no limit)"),
    KV_OPT("rev", 0, CLI_OPT_INT64, "R", rev,
           "read the keys as they were at revision R (0: the newest)"),
    KV_OPT("keys-only", 0, CLI_OPT_FLAG, NULL, keys_only,
           "only the keys (each followed by an empty value line, as etcdctl)"),
    KV_OPT("print-value-only", 0, CLI_OPT_FLAG, NULL, print_value_only,
           "only the values (simple output)"),
    KV_OPT("count-only", 0, CLI_OPT_FLAG, NULL, count_only,
           "only the number of keys in the range"),
    KV_OPT("sort-by", 0, CLI_OPT_STRING, "TARGET", sort_by,
           "sort by KEY, VERSION, CREATE, MODIFY or VALUE (ascending unless --order)"),
    KV_OPT("order", 0, CLI_OPT_STRING, "ORDER", order,
           "ASCEND or DESCEND (by key unless --sort-by)"),
    KV_OPT("consistency", 0, CLI_OPT_STRING, "l|s", consistency,
           "l: linearizable (default); s: serializable, answered by the member asked "
           "without a quorum"),
    {0},
};

static const cli_opt put_opts[] = {
    KV_OPT("lease", 0, CLI_OPT_STRING, "ID", lease,
           "attach the key to lease ID (hex, as 'lease grant' prints it)"),
    OPT_PREV_KV("also print the pair as it was before"),
    KV_OPT("ignore-value", 0, CLI_OPT_FLAG, NULL, ignore_value,
           "keep the current value (give no VALUE): update the lease only"),
    KV_OPT("ignore-lease", 0, CLI_OPT_FLAG, NULL, ignore_lease,
           "keep the current lease: update the value only"),
    {0},
};

static const cli_opt del_opts[] = {
    OPT_PREFIX("every key that starts with KEY"),
    OPT_FROM_KEY("every key >= KEY (byte order)"),
    OPT_PREV_KV("also print the deleted pairs"),
    {0},
};

static const cli_opt watch_opts[] = {
    OPT_PREFIX("every key that starts with KEY"),
    KV_OPT("rev", 0, CLI_OPT_INT64, "R", rev,
           "start at revision R, replaying the history since (0: from now)"),
    OPT_PREV_KV("print the pair as it was before each event, ahead of it"),
    KV_OPT("progress-notify", 0, CLI_OPT_FLAG, NULL, progress_notify,
           "print 'progress notify: REV' when etcd reports progress on a quiet watch"),
    {0},
};

static const cli_opt txn_opts[] = {
    KV_OPT("interactive", 'i', CLI_OPT_FLAG, NULL, interactive,
           "prompt for each section on standard error"),
    {0},
};

static const cli_opt compaction_opts[] = {
    KV_OPT("physical", 0, CLI_OPT_FLAG, NULL, physical,
           "wait until the compaction is applied to the backend"),
    {0},
};

/* ---- Shared helpers ------------------------------------------------------------- */

/* A byte string we own (NUL-terminated for convenience). */
typedef struct kv_buf {
    char *data;
    size_t len;
} kv_buf;

static etcd_bytes buf_bytes(const kv_buf *b)
{
    etcd_bytes out = {b->data, b->len};

    return out;
}

/* Build what `a` and the positionals from `first` (KEY [RANGE_END]) say about the
 * range. Returns NULL or a usage message. */
static const char *build_range(const kv_args *a, int nend, etcd_bytes end,
                               etcd_range_end *r)
{
    memset(r, 0, sizeof(*r));
    if (a->prefix && a->from_key)
        return "--prefix and --from-key cannot be used together";
    if (nend > 0 && (a->prefix || a->from_key))
        return "RANGE_END cannot be given with --prefix or --from-key";
    r->prefix = a->prefix;
    r->from_key = a->from_key;
    if (nend > 0)
        r->end = end;
    return NULL;
}

/* The options of a range read. Returns NULL or a usage message (into msg). */
static const char *build_get(const kv_args *a, etcd_range_opts *o, char *msg, size_t size)
{
    static const struct {
        const char *name;
        etcd_sort_target target;
    } targets[] = {
        {"KEY", ETCD_SORT_KEY},       {"VERSION", ETCD_SORT_VERSION},
        {"CREATE", ETCD_SORT_CREATE}, {"MODIFY", ETCD_SORT_MOD},
        {"VALUE", ETCD_SORT_VALUE},
    };
    size_t i;

    o->limit = a->limit;
    o->revision = a->rev;
    o->keys_only = a->keys_only;
    o->count_only = a->count_only;
    if (a->sort_by != NULL) {
        for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
            if (strcasecmp(a->sort_by, targets[i].name) == 0)
                break;
        }
        if (i == sizeof(targets) / sizeof(targets[0])) {
            snprintf(msg, size,
                     "invalid --sort-by '%s': expected KEY, VERSION, CREATE, MODIFY or "
                     "VALUE",
                     a->sort_by);
            return msg;
        }
        o->sort_target = targets[i].target;
        o->sort_order = ETCD_SORT_ASCEND;
    }
    if (a->order != NULL) {
        if (strcasecmp(a->order, "ASCEND") == 0) {
            o->sort_order = ETCD_SORT_ASCEND;
        } else if (strcasecmp(a->order, "DESCEND") == 0) {
            o->sort_order = ETCD_SORT_DESCEND;
        } else {
            snprintf(msg, size, "invalid --order '%s': expected ASCEND or DESCEND",
                     a->order);
            return msg;
        }
    }
    if (a->consistency != NULL) {
        if (strcmp(a->consistency, "s") == 0) {
            o->serializable = 1;
        } else if (strcmp(a->consistency, "l") != 0) {
            snprintf(msg, size,
                     "invalid --consistency '%s': expected l (linearizable) or s "
                     "(serializable)",
                     a->consistency);
            return msg;
        }
    }
    return NULL;
}

/* The options of a put. Returns NULL or a usage message (into msg). */
static const char *build_put(const kv_args *a, etcd_put_opts *o, char *msg, size_t size)
{
    o->prev_kv = a->prev_kv;
    o->ignore_value = a->ignore_value;
    o->ignore_lease = a->ignore_lease;
    if (a->lease != NULL) {
        char *end;
        unsigned long long id;

        errno = 0;
        id = strtoull(a->lease, &end, 16);
        if (a->lease[0] == '\0' || a->lease[0] == '-' || a->lease[0] == '+' ||
            *end != '\0' || errno != 0 || id > INT64_MAX) {
            snprintf(msg, size, "invalid --lease '%s': expected a lease ID in hex",
                     a->lease);
            return msg;
        }
        if (a->ignore_lease && id != 0)
            return "--lease cannot be given with --ignore-lease";
        o->lease = (int64_t)id;
    }
    return NULL;
}

/* Prints a successful answer under -o simple, as etcdctl does. */
typedef void (*kv_printer)(const etcd_v3_result *r, const kv_args *a);

/* A pair as etcdctl's printKV prints it: the key (unless value_only), the value. */
static void print_range(const etcd_v3_result *r, const kv_args *a)
{
    if (a->count_only) {
        printf("%" PRId64 "\n", r->count);
        return;
    }
    for (size_t i = 0; i < r->nkvs; i++)
        cli_v3_print_kv(&r->kvs[i], a->print_value_only);
}

static void print_put(const etcd_v3_result *r, const kv_args *a)
{
    (void)a;
    printf("OK\n");
    for (size_t i = 0; i < r->nprev_kvs; i++)
        cli_v3_print_kv(&r->prev_kvs[i], 0);
}

static void print_del(const etcd_v3_result *r, const kv_args *a)
{
    (void)a;
    printf("%" PRId64 "\n", r->deleted);
    for (size_t i = 0; i < r->nprev_kvs; i++)
        cli_v3_print_kv(&r->prev_kvs[i], 0);
}

/* Report a failed call on `key` (NULL: the command alone is named), or print its JSON
 * under -o json; CLI_CONTINUE when the caller should print the simple form. Frees
 * nothing. */
static int outcome(cli_ctx *ctx, int rc, const etcd_response *resp, const char *key)
{
    char what[512];

    if (key != NULL)
        snprintf(what, sizeof(what), "%s %s", ctx->path, key);
    else
        snprintf(what, sizeof(what), "%s", ctx->path);
    if (rc != ETCD_OK)
        return cli_report(ctx, rc, resp, what);
    if (resp == NULL)
        return cli_report(ctx, ETCD_EPROTO, NULL, what);
    if (ctx->output == CLI_OUTPUT_JSON) {
        cli_v3_print_json(resp);
        return CLI_EXIT_OK;
    }
    return CLI_CONTINUE;
}

/* The end of a command on `key`: its outcome(), under -o simple the answer as `print`
 * prints it; frees resp. Returns an exit status. */
static int finish(cli_ctx *ctx, int rc, etcd_response *resp, const char *key,
                  kv_printer print, const kv_args *a)
{
    int status = outcome(ctx, rc, resp, key);

    if (status == CLI_CONTINUE) {
        print(&resp->v3, a);
        status = CLI_EXIT_OK;
    }
    etcd_response_free(resp);
    return status;
}

/* Parse a command on KEY [RANGE_END] (get, del) into *a and *range. Returns
 * CLI_CONTINUE or an exit status. */
static int parse_range(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                       kv_args *a, cli_args *pos, etcd_range_end *range)
{
    const char *err;
    int rc;

    rc = cli_parse(ctx, cmd, argc, argv, a, pos, 1, 2);
    if (rc != CLI_CONTINUE)
        return rc;
    err = build_range(a, pos->argc - 1, cli_v3_bytes(pos->argv[pos->argc - 1]), range);
    if (err != NULL)
        return cli_usage_error(ctx, cmd, "%s", err);
    return CLI_CONTINUE;
}

/* ---- get, put, del, compaction -------------------------------------------------- */

static int cmd_get(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_range_opts o = {0};
    etcd_response *resp = NULL;
    etcd_client *client;
    const char *err;
    char msg[256];
    kv_args a = {0};
    cli_args pos;
    int rc;

    rc = parse_range(ctx, cmd, argc, argv, &a, &pos, &o.range);
    if (rc != CLI_CONTINUE)
        return rc;
    err = build_get(&a, &o, msg, sizeof(msg));
    if (err != NULL)
        return cli_usage_error(ctx, cmd, "%s", err);
    rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_v3_range_sync(client, cli_v3_bytes(pos.argv[0]), &o, &resp);
    return finish(ctx, rc, resp, pos.argv[0], print_range, &a);
}

/* put's value into *value (a copy to free): VALUE; all of standard input for VALUE
 * '-', or when VALUE is left out, as etcdctl reads it (then an empty input is a usage
 * error); nothing with --ignore-value. Returns CLI_CONTINUE or an exit status. */
static int put_value(cli_ctx *ctx, const cli_command *cmd, const kv_args *a,
                     const cli_args *pos, kv_buf *value)
{
    int rc;

    value->data = NULL;
    value->len = 0;
    if (a->ignore_value)
        return CLI_CONTINUE;
    if (pos->argc == 2 && strcmp(pos->argv[1], "-") != 0) {
        value->data = strdup(pos->argv[1]);
        if (value->data == NULL)
            return cli_report(ctx, ETCD_ENOMEM, NULL, "copying VALUE");
        value->len = strlen(value->data);
        return CLI_CONTINUE;
    }
    rc = cli_read_stdin(ctx, &value->data, &value->len);
    if (rc == CLI_CONTINUE && pos->argc < 2 && value->len == 0) {
        free(value->data);
        value->data = NULL;
        return cli_usage_error(ctx, cmd,
                               "missing VALUE (none given, and standard input is empty)");
    }
    return rc;
}

static int cmd_put(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_put_opts o = {0};
    etcd_response *resp = NULL;
    etcd_client *client;
    kv_buf value;
    const char *err;
    char msg[256];
    kv_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_parse(ctx, cmd, argc, argv, &a, &pos, 1, 2);
    if (rc != CLI_CONTINUE)
        return rc;
    if (a.ignore_value && pos.argc == 2)
        return cli_usage_error(ctx, cmd, "VALUE cannot be given with --ignore-value");
    rc = put_value(ctx, cmd, &a, &pos, &value);
    if (rc != CLI_CONTINUE)
        return rc;
    err = build_put(&a, &o, msg, sizeof(msg));
    rc = err != NULL ? cli_usage_error(ctx, cmd, "%s", err) : cli_client(ctx, &client);
    if (rc != CLI_CONTINUE) {
        free(value.data);
        return rc;
    }
    rc =
        etcd_v3_put_sync(client, cli_v3_bytes(pos.argv[0]), buf_bytes(&value), &o, &resp);
    free(value.data);
    return finish(ctx, rc, resp, pos.argv[0], print_put, &a);
}

static int cmd_del(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_delete_opts o = {0};
    etcd_response *resp = NULL;
    etcd_client *client;
    kv_args a = {0};
    cli_args pos;
    int rc;

    rc = parse_range(ctx, cmd, argc, argv, &a, &pos, &o.range);
    if (rc == CLI_CONTINUE)
        rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    o.prev_kv = a.prev_kv;
    rc = etcd_v3_delete_sync(client, cli_v3_bytes(pos.argv[0]), &o, &resp);
    return finish(ctx, rc, resp, pos.argv[0], print_del, &a);
}

static void print_compacted(const etcd_v3_result *r, const kv_args *a)
{
    (void)r;
    printf("compacted revision %" PRId64 "\n", a->rev);
}

static int cmd_compaction(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    char rev[32];
    char *end;
    kv_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_parse(ctx, cmd, argc, argv, &a, &pos, 1, 1);
    if (rc != CLI_CONTINUE)
        return rc;
    errno = 0;
    a.rev = strtoll(pos.argv[0], &end, 10);
    if (pos.argv[0][0] < '0' || pos.argv[0][0] > '9' || *end != '\0' || errno != 0 ||
        a.rev <= 0)
        return cli_usage_error(ctx, cmd, "invalid REV '%s': expected a revision > 0",
                               pos.argv[0]);
    rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_v3_compact_sync(client, a.rev, a.physical, &resp);
    snprintf(rev, sizeof(rev), "%" PRId64, a.rev);
    return finish(ctx, rc, resp, rev, print_compacted, &a);
}

/* ---- watch ---------------------------------------------------------------------- */

typedef struct watch_state {
    cli_ctx *ctx;
    const kv_args *a;
    const char *key;
    char **exec_argv; /* the command after "--", or NULL */
    int stopping;     /* etcd_v3_watch_cancel() called */
    int done;         /* the ETCD_ECANCELED callback ran */
    int status;       /* exit status */
} watch_state;

static void watch_stop(watch_state *st, etcd_v3_watch *w, int status)
{
    if (st->stopping)
        return;
    st->stopping = 1;
    st->status = status;
    etcd_v3_watch_cancel(w);
}

/* `len` bytes of `s` as Go's %q quotes them (etcdctl's ETCD_WATCH_* variables), in
 * a new string; NULL when out of memory. */
static char *go_quote(const char *s, size_t len)
{
    size_t cap = len * 4 + 3;
    char *out = malloc(cap);
    size_t o = 0;

    if (out == NULL)
        return NULL;
    out[o++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        switch (c) {
        case '"':
        case '\\':
            out[o++] = '\\';
            out[o++] = (char)c;
            break;
        case '\n':
            memcpy(out + o, "\\n", 2);
            o += 2;
            break;
        case '\t':
            memcpy(out + o, "\\t", 2);
            o += 2;
            break;
        case '\r':
            memcpy(out + o, "\\r", 2);
            o += 2;
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                snprintf(out + o, cap - o, "\\x%02x", c);
                o += 4;
            } else {
                out[o++] = (char)c;
            }
        }
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}

/* Run the watch's command for one event, as etcdctl does: its environment has
 * ETCD_WATCH_REVISION, ETCD_WATCH_EVENT_TYPE, ETCD_WATCH_KEY and ETCD_WATCH_VALUE.
 * Returns 0, or -1 after reporting a failure. */
static int run_command(watch_state *st, int64_t revision, const etcd_event *ev)
{
    char rev[64];
    char *env[3];
    pid_t pid;
    int wstatus;
    int failed = 0;

    snprintf(rev, sizeof(rev), "%" PRId64, revision);
    env[0] = go_quote(ev->type == ETCD_EVENT_PUT ? "PUT" : "DELETE",
                      ev->type == ETCD_EVENT_PUT ? 3 : 6);
    env[1] = go_quote(ev->kv.key, ev->kv.key_len);
    env[2] = go_quote(ev->kv.value, ev->kv.value_len);
    if (env[0] == NULL || env[1] == NULL || env[2] == NULL) {
        for (int i = 0; i < 3; i++)
            free(env[i]);
        cli_report(st->ctx, ETCD_ENOMEM, NULL, "running the watch command");
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        setenv("ETCD_WATCH_REVISION", rev, 1);
        setenv("ETCD_WATCH_EVENT_TYPE", env[0], 1);
        setenv("ETCD_WATCH_KEY", env[1], 1);
        setenv("ETCD_WATCH_VALUE", env[2], 1);
        execvp(st->exec_argv[0], st->exec_argv);
        fprintf(stderr, "Error:  command '%s': %s\n", st->exec_argv[0], strerror(errno));
        _exit(127);
    }
    for (int i = 0; i < 3; i++)
        free(env[i]);
    if (pid < 0) {
        fprintf(stderr, "Error:  command '%s': fork: %s\n", st->exec_argv[0],
                strerror(errno));
        return -1;
    }
    while (waitpid(pid, &wstatus, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "Error:  command '%s': waitpid: %s\n", st->exec_argv[0],
                    strerror(errno));
            return -1;
        }
    }
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != 0) {
        fprintf(stderr, "Error:  command '%s' exited with status %d\n", st->exec_argv[0],
                WEXITSTATUS(wstatus));
        failed = 1;
    } else if (WIFSIGNALED(wstatus)) {
        fprintf(stderr, "Error:  command '%s' was killed by signal %d\n",
                st->exec_argv[0], WTERMSIG(wstatus));
        failed = 1;
    }
    return failed ? -1 : 0;
}

static void watch_events(watch_state *st, etcd_v3_watch *w, const etcd_response *resp)
{
    const etcd_v3_result *r = &resp->v3;
    int64_t revision = resp->header != NULL ? resp->header->revision : 0;

    if (st->ctx->output == CLI_OUTPUT_JSON) {
        cli_v3_print_json(resp);
    } else {
        if (r->nevents == 0 && !r->created && st->a->progress_notify &&
            resp->header != NULL)
            printf("progress notify: %" PRId64 "\n", revision);
        for (size_t i = 0; i < r->nevents; i++) {
            const etcd_event *ev = &r->events[i];

            printf("%s\n", ev->type == ETCD_EVENT_PUT ? "PUT" : "DELETE");
            if (ev->prev_kv != NULL)
                cli_v3_print_kv(ev->prev_kv, 0);
            cli_v3_print_kv(&ev->kv, 0);
        }
    }
    fflush(stdout);
    if (st->exec_argv == NULL)
        return;
    for (size_t i = 0; i < r->nevents && !st->stopping; i++) {
        if (run_command(st, revision, &r->events[i]) != 0)
            watch_stop(st, w, CLI_EXIT_ERROR);
    }
}

static void on_watch(etcd_v3_watch *w, const etcd_response *resp, void *data)
{
    watch_state *st = data;
    char desc[1024];
    int rc;

    if (resp->status == ETCD_ECANCELED) {
        st->done = 1;
        return;
    }
    if (st->stopping)
        return;
    switch (resp->status) {
    case ETCD_OK:
        watch_events(st, w, resp);
        break;
    case ETCD_ECOMPACTED:
        if (st->ctx->output == CLI_OUTPUT_JSON) {
            cli_v3_print_json(resp);
            fflush(stdout);
        }
        cli_warn("watch '%s': revision %" PRId64 " has been compacted (the oldest "
                 "revision left is %" PRId64 "); events before it are lost, watching "
                 "from revision %" PRId64 " on",
                 st->key, etcd_v3_watch_next_revision(w), resp->v3.compact_revision,
                 resp->v3.compact_revision);
        rc = etcd_v3_watch_resume(w, resp->v3.compact_revision);
        if (rc != ETCD_OK) {
            cli_report(st->ctx, rc, NULL, "resuming the watch");
            watch_stop(st, w, CLI_EXIT_ERROR);
        }
        break;
    default:
        etcd_response_describe(resp, desc, sizeof(desc));
        if (desc[0] == '\0')
            snprintf(desc, sizeof(desc), "%s", etcd_strerror(resp->status));
        cli_warn("watch '%s': %s; reconnecting", st->key, desc);
        break;
    }
}

static int cmd_watch(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_v3_watch_opts wo = {0};
    watch_state st = {0};
    etcd_client *client;
    etcd_v3_watch *w = NULL;
    char what[512];
    const char *err;
    kv_args a = {0};
    cli_args pos;
    int split = argc;
    int rc;

    /* "KEY [RANGE_END] -- COMMAND ARGS...": the first "--" starts the command. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            split = i;
            break;
        }
    }
    rc = cli_parse(ctx, cmd, split, argv, &a, &pos, 1, 2);
    if (rc != CLI_CONTINUE)
        return rc;
    if (split < argc && split + 1 >= argc)
        return cli_usage_error(ctx, cmd, "missing COMMAND after '--'");
    err = build_range(&a, pos.argc - 1, cli_v3_bytes(pos.argv[pos.argc - 1]), &wo.range);
    if (err != NULL)
        return cli_usage_error(ctx, cmd, "%s", err);
    rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    wo.start_revision = a.rev;
    wo.prev_kv = a.prev_kv;
    wo.progress_notify = a.progress_notify;
    st.ctx = ctx;
    st.a = &a;
    st.key = pos.argv[0];
    st.exec_argv = split < argc ? argv + split + 1 : NULL;
    st.status = CLI_EXIT_OK;

    cli_catch_signals();
    rc = etcd_v3_watch_start(client, cli_v3_bytes(st.key), &wo, on_watch, &st, &w);
    if (rc != ETCD_OK) {
        snprintf(what, sizeof(what), "watch %s", st.key);
        return cli_report(ctx, rc, NULL, what);
    }
    while (!st.done) {
        if (!st.stopping && cli_interrupted() != 0) {
            watch_stop(&st, w, CLI_EXIT_OK);
            continue;
        }
        rc = etcd_client_run_once(client, KV_WATCH_TICK_MS);
        if (rc != ETCD_OK)
            return cli_report(ctx, rc, NULL, "running the watch");
    }
    return st.status;
}

/* ---- txn ------------------------------------------------------------------------ */

/* Everything a txn owns: the byte strings it parsed, its requests, its compares. */
typedef struct txn_req {
    etcd_op_type type;
    int line;
    kv_args a;
    kv_buf key;
    kv_buf arg2; /* put: VALUE; get, del: RANGE_END */
    int nargs;   /* positionals after the key */
    etcd_range_opts ro;
    etcd_put_opts po;
    etcd_delete_opts dopts;
} txn_req;

typedef struct txn_cmp {
    etcd_compare cmp;
    kv_buf key;
    kv_buf value;
} txn_cmp;

typedef struct txn_state {
    txn_cmp *cmps;
    size_t ncmps, cap_cmps;
    txn_req *reqs[2]; /* success, failure */
    size_t nreqs[2], cap_reqs[2];
    char msg[512]; /* the last parse error */
} txn_state;

static void txn_state_cleanup(txn_state *t)
{
    for (size_t i = 0; i < t->ncmps; i++) {
        free(t->cmps[i].key.data);
        free(t->cmps[i].value.data);
    }
    free(t->cmps);
    for (int b = 0; b < 2; b++) {
        for (size_t i = 0; i < t->nreqs[b]; i++) {
            free(t->reqs[b][i].key.data);
            free(t->reqs[b][i].arg2.data);
        }
        free(t->reqs[b]);
    }
}

/* Grow *arr (of `size`-byte items) to hold one more; returns the new slot (zeroed) or
 * NULL when out of memory. */
static void *grow(void **arr, size_t *n, size_t *cap, size_t size)
{
    char *slot;

    if (*n == *cap) {
        size_t ncap = *cap != 0 ? *cap * 2 : 8;
        void *bigger = realloc(*arr, ncap * size);

        if (bigger == NULL)
            return NULL;
        *arr = bigger;
        *cap = ncap;
    }
    slot = (char *)*arr + *n * size;
    memset(slot, 0, size);
    (*n)++;
    return slot;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Append the UTF-8 encoding of code point cp. */
static size_t put_utf8(char *out, unsigned long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Parse a token at *p: a Go double-quoted string (escapes \" \\ \n \t \r \a \b \f \v
 * \xHH \NNN \uXXXX \UXXXXXXXX), a single-quoted literal, or a bare word up to white
 * space. On success *p is past it and *out owns its bytes. Returns 0, 1 at the end
 * of the line, or -1 (bad token, message in t->msg) or -2 (out of memory). */
static int next_token(txn_state *t, const char **p, kv_buf *out)
{
    const char *s = *p + strspn(*p, " \t");
    size_t o = 0;
    char *buf;

    out->data = NULL;
    out->len = 0;
    if (*s == '\0')
        return 1;
    buf = malloc(strlen(s) + 1);
    if (buf == NULL)
        return -2;
    if (*s == '\'') {
        const char *close = strchr(s + 1, '\'');

        if (close == NULL) {
            free(buf);
            snprintf(t->msg, sizeof(t->msg), "unterminated quote");
            return -1;
        }
        o = (size_t)(close - s - 1);
        memcpy(buf, s + 1, o);
        s = close + 1;
    } else if (*s == '"') {
        s++;
        while (*s != '"') {
            if (*s == '\0') {
                free(buf);
                snprintf(t->msg, sizeof(t->msg), "unterminated quote");
                return -1;
            }
            if (*s != '\\') {
                buf[o++] = *s++;
                continue;
            }
            s++;
            switch (*s) {
            case '"':
            case '\\':
            case '\'':
                buf[o++] = *s++;
                break;
            case 'n':
                buf[o++] = '\n';
                s++;
                break;
            case 't':
                buf[o++] = '\t';
                s++;
                break;
            case 'r':
                buf[o++] = '\r';
                s++;
                break;
            case 'a':
                buf[o++] = '\a';
                s++;
                break;
            case 'b':
                buf[o++] = '\b';
                s++;
                break;
            case 'f':
                buf[o++] = '\f';
                s++;
                break;
            case 'v':
                buf[o++] = '\v';
                s++;
                break;
            case 'x':
                if (hex_digit(s[1]) < 0 || hex_digit(s[2]) < 0)
                    goto bad_escape;
                buf[o++] = (char)(hex_digit(s[1]) * 16 + hex_digit(s[2]));
                s += 3;
                break;
            case 'u':
            case 'U': {
                int n = *s == 'u' ? 4 : 8;
                unsigned long cp = 0;

                for (int i = 1; i <= n; i++) {
                    if (hex_digit(s[i]) < 0)
                        goto bad_escape;
                    cp = cp * 16 + (unsigned long)hex_digit(s[i]);
                }
                if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                    goto bad_escape;
                /* each escape is at least as long as its UTF-8 encoding */
                o += put_utf8(buf + o, cp);
                s += n + 1;
                break;
            }
            default:
                if (s[0] >= '0' && s[0] <= '3' && s[1] >= '0' && s[1] <= '7' &&
                    s[2] >= '0' && s[2] <= '7') {
                    buf[o++] =
                        (char)((s[0] - '0') * 64 + (s[1] - '0') * 8 + (s[2] - '0'));
                    s += 3;
                    break;
                }
                goto bad_escape;
            }
        }
        s++;
    } else {
        size_t n = strcspn(s, " \t");

        memcpy(buf, s, n);
        o = n;
        s += n;
    }
    buf[o] = '\0';
    out->data = buf;
    out->len = o;
    *p = s;
    return 0;
bad_escape:
    free(buf);
    snprintf(t->msg, sizeof(t->msg), "bad escape sequence in a quoted string");
    return -1;
}

/* Parse one compare: TARGET("KEY") OP "VALUE". Returns 0, -1 (t->msg) or -2. */
static int parse_compare(txn_state *t, const char *line)
{
    static const struct {
        const char *name;
        etcd_compare_target target;
    } targets[] = {
        {"ver", ETCD_CMP_VERSION}, {"version", ETCD_CMP_VERSION},
        {"c", ETCD_CMP_CREATE},    {"create", ETCD_CMP_CREATE},
        {"m", ETCD_CMP_MOD},       {"mod", ETCD_CMP_MOD},
        {"val", ETCD_CMP_VALUE},   {"value", ETCD_CMP_VALUE},
        {"lkey", ETCD_CMP_LEASE},  {"lease", ETCD_CMP_LEASE},
    };
    const char *paren = strchr(line, '(');
    const char *p;
    size_t tlen;
    size_t oplen;
    size_t i;
    txn_cmp *c;
    char op[3];
    int rc;

    if (paren == NULL) {
        snprintf(t->msg, sizeof(t->msg), "expected TARGET(\"KEY\") OP \"VALUE\"");
        return -1;
    }
    tlen = (size_t)(paren - line);
    while (tlen > 0 && (line[tlen - 1] == ' ' || line[tlen - 1] == '\t'))
        tlen--;
    for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        if (strlen(targets[i].name) == tlen && strncmp(line, targets[i].name, tlen) == 0)
            break;
    }
    if (i == sizeof(targets) / sizeof(targets[0])) {
        snprintf(t->msg, sizeof(t->msg),
                 "unknown compare target '%.*s' (expected version, create, mod, value or "
                 "lease)",
                 (int)tlen, line);
        return -1;
    }
    c = grow((void **)&t->cmps, &t->ncmps, &t->cap_cmps, sizeof(*c));
    if (c == NULL)
        return -2;
    c->cmp.target = targets[i].target;
    p = paren + 1;
    p += strspn(p, " \t");
    if (*p != '"') {
        snprintf(t->msg, sizeof(t->msg), "expected a quoted KEY after '('");
        return -1;
    }
    rc = next_token(t, &p, &c->key);
    if (rc != 0)
        return rc == 1 ? -1 : rc;
    p += strspn(p, " \t");
    if (*p != ')') {
        snprintf(t->msg, sizeof(t->msg), "expected ')' after the KEY");
        return -1;
    }
    p++;
    p += strspn(p, " \t");
    oplen = strspn(p, "=!<>");
    if (oplen == 0 || oplen > 2) {
        snprintf(t->msg, sizeof(t->msg), "expected an operator: =, !=, < or >");
        return -1;
    }
    memcpy(op, p, oplen);
    op[oplen] = '\0';
    p += oplen;
    if (strcmp(op, "=") == 0 || strcmp(op, "==") == 0) {
        c->cmp.result = ETCD_CMP_EQUAL;
    } else if (strcmp(op, "!=") == 0) {
        c->cmp.result = ETCD_CMP_NOT_EQUAL;
    } else if (strcmp(op, "<") == 0) {
        c->cmp.result = ETCD_CMP_LESS;
    } else if (strcmp(op, ">") == 0) {
        c->cmp.result = ETCD_CMP_GREATER;
    } else {
        snprintf(t->msg, sizeof(t->msg), "unknown operator '%s' (expected =, !=, < or >)",
                 op);
        return -1;
    }
    p += strspn(p, " \t");
    if (*p != '"') {
        snprintf(t->msg, sizeof(t->msg), "expected a quoted VALUE after '%s'", op);
        return -1;
    }
    rc = next_token(t, &p, &c->value);
    if (rc != 0)
        return rc == 1 ? -1 : rc;
    if (p[strspn(p, " \t")] != '\0') {
        snprintf(t->msg, sizeof(t->msg), "unexpected text after the VALUE");
        return -1;
    }
    c->cmp.key.data = c->key.data;
    c->cmp.key.len = c->key.len;
    if (c->cmp.target == ETCD_CMP_VALUE) {
        c->cmp.value.data = c->value.data;
        c->cmp.value.len = c->value.len;
    } else {
        int lease = c->cmp.target == ETCD_CMP_LEASE;
        char *end;
        long long v;

        errno = 0;
        v = lease ? (long long)strtoull(c->value.data, &end, 16)
                  : strtoll(c->value.data, &end, 10);
        if (c->value.len == 0 || strlen(c->value.data) != c->value.len || *end != '\0' ||
            errno != 0 || v < 0 || c->value.data[0] == '-' || c->value.data[0] == '+') {
            snprintf(t->msg, sizeof(t->msg), "'%s' is not %s", c->value.data,
                     lease ? "a lease ID in hex" : "a whole number >= 0");
            return -1;
        }
        c->cmp.number = (int64_t)v;
    }
    return 0;
}

/* Apply one "--name[=value]" of a request line against `opts`. `next` is the token
 * after it (for a value), *used set when it was consumed. Returns 0 or -1 (t->msg). */
static int request_option(txn_state *t, const cli_opt *opts, kv_args *a,
                          const kv_buf *tok, const kv_buf *next, int *used)
{
    const char *name = tok->data + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
    const char *val;
    const cli_opt *o;

    *used = 0;
    o = cli_find_opt(opts, name, len);
    if (o == NULL) {
        snprintf(t->msg, sizeof(t->msg), "unknown option '%.*s'", (int)len + 2,
                 tok->data);
        return -1;
    }
    if (o->type == CLI_OPT_FLAG) {
        if (eq != NULL && strcmp(eq + 1, "true") != 0) {
            snprintf(t->msg, sizeof(t->msg), "option --%s takes no value", o->name);
            return -1;
        }
        *(int *)(void *)((char *)a + o->offset) = 1;
        return 0;
    }
    if (eq != NULL) {
        val = eq + 1;
    } else if (next != NULL) {
        val = next->data;
        *used = 1;
    } else {
        snprintf(t->msg, sizeof(t->msg), "option --%s needs a value (%s)", o->name,
                 o->arg_name);
        return -1;
    }
    if (o->type == CLI_OPT_STRING) {
        *(const char **)(void *)((char *)a + o->offset) = val;
    } else if (cli_parse_int64(val, (int64_t *)(void *)((char *)a + o->offset)) != 0) {
        snprintf(t->msg, sizeof(t->msg),
                 "invalid --%s '%s': expected a whole number >= 0", o->name, val);
        return -1;
    }
    return 0;
}

/* Parse one request line into branch b: put|get|del [options] KEY [ARG]. Returns 0,
 * -1 (t->msg) or -2. */
static int parse_request(txn_state *t, int b, const char *line, int lineno)
{
    kv_buf toks[16];
    size_t ntoks = 0;
    const cli_opt *opts;
    const char *err = NULL;
    txn_req *r;
    kv_buf *pos[3];
    int npos = 0;
    int rc = 0;

    while (ntoks < sizeof(toks) / sizeof(toks[0])) {
        rc = next_token(t, &line, &toks[ntoks]);
        if (rc != 0)
            break;
        ntoks++;
    }
    if (rc == 0) {
        snprintf(t->msg, sizeof(t->msg), "too many words");
        rc = -1;
        goto out;
    }
    if (rc < 0)
        goto out;
    rc = -1;
    if (ntoks == 0)
        goto out;
    r = grow((void **)&t->reqs[b], &t->nreqs[b], &t->cap_reqs[b], sizeof(*r));
    if (r == NULL) {
        rc = -2;
        goto out;
    }
    r->line = lineno;
    if (strcmp(toks[0].data, "put") == 0) {
        r->type = ETCD_OP_PUT;
        opts = put_opts;
    } else if (strcmp(toks[0].data, "get") == 0) {
        r->type = ETCD_OP_RANGE;
        opts = get_opts;
    } else if (strcmp(toks[0].data, "del") == 0) {
        r->type = ETCD_OP_DELETE;
        opts = del_opts;
    } else {
        snprintf(t->msg, sizeof(t->msg),
                 "unknown request '%s' (expected get, put or del)", toks[0].data);
        goto out;
    }
    for (size_t i = 1; i < ntoks; i++) {
        int used;

        if (toks[i].len > 2 && strncmp(toks[i].data, "--", 2) == 0) {
            if (request_option(t, opts, &r->a, &toks[i],
                               i + 1 < ntoks ? &toks[i + 1] : NULL, &used) != 0)
                goto out;
            i += (size_t)used;
            continue;
        }
        if (npos == 2) {
            snprintf(t->msg, sizeof(t->msg), "too many arguments");
            goto out;
        }
        pos[npos++] = &toks[i];
    }
    if (npos == 0) {
        snprintf(t->msg, sizeof(t->msg), "missing KEY");
        goto out;
    }
    /* the strings options point to must outlive the tokens: only --lease, --sort-by,
     * --order and --consistency are strings, and they are used right below */
    r->nargs = npos - 1;
    switch (r->type) {
    case ETCD_OP_PUT:
        if (r->a.ignore_value && npos == 2)
            err = "VALUE cannot be given with --ignore-value";
        else if (!r->a.ignore_value && npos < 2)
            err = "missing VALUE";
        else
            err = build_put(&r->a, &r->po, t->msg, sizeof(t->msg));
        break;
    case ETCD_OP_RANGE:
        err = build_range(&r->a, npos - 1, (etcd_bytes){NULL, 0}, &r->ro.range);
        if (err == NULL)
            err = build_get(&r->a, &r->ro, t->msg, sizeof(t->msg));
        break;
    default:
        err = build_range(&r->a, npos - 1, (etcd_bytes){NULL, 0}, &r->dopts.range);
        r->dopts.prev_kv = r->a.prev_kv;
        break;
    }
    /* the kv_args strings borrowed token memory: clear them now */
    r->a.lease = r->a.sort_by = r->a.order = r->a.consistency = NULL;
    if (err != NULL) {
        if (err != t->msg)
            snprintf(t->msg, sizeof(t->msg), "%s", err);
        goto out;
    }
    /* steal the positional tokens */
    r->key = *pos[0];
    pos[0]->data = NULL;
    if (npos == 2) {
        r->arg2 = *pos[1];
        pos[1]->data = NULL;
    }
    rc = 0;
out:
    for (size_t i = 0; i < ntoks; i++)
        free(toks[i].data);
    return rc;
}

/* Read one line of standard input (without its newline, white space trimmed at both
 * ends) into *line. Returns 1 for a line, 0 at the end of input, -1 on an error. */
static int read_line(char **line, size_t *cap, size_t *total)
{
    ssize_t n = getline(line, cap, stdin);
    char *s;
    size_t len;

    if (n < 0)
        return ferror(stdin) ? -1 : 0;
    *total += (size_t)n;
    if (*total > KV_STDIN_MAX) {
        errno = EFBIG;
        return -1;
    }
    s = *line;
    len = (size_t)n;
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' ' ||
                       s[len - 1] == '\t'))
        len--;
    s[len] = '\0';
    len = strspn(s, " \t");
    if (len > 0)
        memmove(s, s + len, strlen(s + len) + 1);
    return 1;
}

/* Fill the etcd_op array of branch b from its parsed requests. */
static void fill_ops(txn_state *t, int b, etcd_op *ops)
{
    for (size_t i = 0; i < t->nreqs[b]; i++) {
        txn_req *r = &t->reqs[b][i];
        etcd_op *op = &ops[i];

        memset(op, 0, sizeof(*op));
        op->type = r->type;
        op->key = buf_bytes(&r->key);
        switch (r->type) {
        case ETCD_OP_PUT:
            op->value = buf_bytes(&r->arg2);
            op->put = &r->po;
            break;
        case ETCD_OP_RANGE:
            if (r->nargs > 0)
                r->ro.range.end = buf_bytes(&r->arg2);
            op->range = &r->ro;
            break;
        default:
            if (r->nargs > 0)
                r->dopts.range.end = buf_bytes(&r->arg2);
            op->del = &r->dopts;
            break;
        }
    }
}

static void print_txn(const etcd_response *resp, const txn_req *reqs, size_t nreqs)
{
    const etcd_v3_result *r = &resp->v3;

    printf("%s\n", r->succeeded ? "SUCCESS" : "FAILURE");
    for (size_t i = 0; i < r->nresults; i++) {
        const etcd_v3_result *res = &r->results[i];
        static const kv_args none = {0};

        printf("\n");
        switch (res->op) {
        case ETCD_OP_PUT:
            print_put(res, &none);
            break;
        case ETCD_OP_DELETE:
            print_del(res, &none);
            break;
        case ETCD_OP_RANGE:
            print_range(res, i < nreqs ? &reqs[i].a : &none);
            break;
        default:
            printf("unexpected response of type %d\n", res->op);
            break;
        }
    }
}

static int cmd_txn(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    static const char *const prompts[3] = {
        "compares:",
        "success requests (get, put, del):",
        "failure requests (get, put, del):",
    };
    txn_state t = {0};
    etcd_txn txn = {0};
    etcd_op *ops[2] = {NULL, NULL};
    etcd_compare *cmps = NULL;
    etcd_response *resp = NULL;
    etcd_client *client;
    char *line = NULL;
    size_t cap = 0;
    size_t total = 0;
    int lineno = 0;
    int section = 0;
    int status;
    kv_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 0, 0, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    if (a.interactive)
        fprintf(stderr, "%s\n", prompts[0]);
    /* compares, a blank line, success requests, a blank line, failure requests; the
     * end of input ends the section being read */
    while (section < 3) {
        rc = read_line(&line, &cap, &total);
        if (rc < 0) {
            fprintf(stderr, "Error:  txn: reading standard input: %s\n", strerror(errno));
            status = CLI_EXIT_ERROR;
            goto done;
        }
        if (rc == 0)
            break;
        lineno++;
        if (line[0] == '\0') {
            section++;
            if (a.interactive && section < 3)
                fprintf(stderr, "%s\n", prompts[section]);
            continue;
        }
        rc = section == 0 ? parse_compare(&t, line)
                          : parse_request(&t, section - 1, line, lineno);
        if (rc == -2) {
            status = cli_report(ctx, ETCD_ENOMEM, NULL, "txn");
            goto done;
        }
        if (rc != 0) {
            status = cli_usage_error(ctx, cmd, "line %d: %s: %s", lineno, t.msg, line);
            goto done;
        }
    }

    cmps = calloc(t.ncmps + 1, sizeof(*cmps));
    ops[0] = calloc(t.nreqs[0] + 1, sizeof(etcd_op));
    ops[1] = calloc(t.nreqs[1] + 1, sizeof(etcd_op));
    if (cmps == NULL || ops[0] == NULL || ops[1] == NULL) {
        status = cli_report(ctx, ETCD_ENOMEM, NULL, "txn");
        goto done;
    }
    for (size_t i = 0; i < t.ncmps; i++)
        cmps[i] = t.cmps[i].cmp;
    fill_ops(&t, 0, ops[0]);
    fill_ops(&t, 1, ops[1]);
    txn.compare = cmps;
    txn.ncompare = t.ncmps;
    txn.success = ops[0];
    txn.nsuccess = t.nreqs[0];
    txn.failure = ops[1];
    txn.nfailure = t.nreqs[1];
    rc = etcd_v3_txn_sync(client, &txn, &resp);
    status = outcome(ctx, rc, resp, NULL);
    if (status == CLI_CONTINUE) {
        int b = resp->v3.succeeded ? 0 : 1;

        print_txn(resp, t.reqs[b], t.nreqs[b]);
        status = CLI_EXIT_OK;
    }
done:
    etcd_response_free(resp);
    free(cmps);
    free(ops[0]);
    free(ops[1]);
    free(line);
    txn_state_cleanup(&t);
    return status;
}

/* ---- The table ------------------------------------------------------------------ */

const cli_command cli_v3_kv_commands[] = {
    {"get", CLI_API_V3, "KEY [RANGE_END]", "read a key or a range of keys (v3)",
     "Read KEY, or the keys in [KEY, RANGE_END), or with --prefix every key starting "
     "with KEY, or with --from-key every key >= KEY. Prints each key and its value on "
     "a line of its own, as 'etcdctl get' does (nothing when no key matches); under "
     "-o json the gateway's RangeResponse with keys and values decoded. Exit status 0 "
     "even when nothing matches.",
     get_opts, cmd_get, NULL},
    {"put", CLI_API_V3, "KEY [VALUE]", "write a key (v3)",
     "Set KEY to VALUE and print OK (with --prev-kv also the previous key and value). "
     "Without VALUE, as etcdctl, the value is all of standard input, byte exact: a "
     "trailing newline is kept, NUL bytes too ('cat FILE | etcdwatch --api v3 put "
     "KEY'); empty input is then a usage error. VALUE '-' also reads standard input, "
     "where empty input stores an empty value. Put '--' before a VALUE that starts with "
     "'-'. With --ignore-value give no VALUE: the key keeps its value and only its "
     "lease changes.",
     put_opts, cmd_put, NULL},
    {"del", CLI_API_V3, "KEY [RANGE_END]", "delete a key or a range of keys (v3)",
     "Delete KEY, or the keys in [KEY, RANGE_END), or with --prefix every key starting "
     "with KEY, or with --from-key every key >= KEY. Prints the number of keys "
     "deleted, then with --prev-kv each deleted key and value.",
     del_opts, cmd_del, NULL},
    {"watch", CLI_API_V3, "KEY [RANGE_END] [-- COMMAND ARGS...]",
     "watch a key or a range for changes (v3)",
     "Print every change to KEY (or the range, or with --prefix every key starting "
     "with KEY) as etcdctl does: PUT or DELETE, then the key and its value (with "
     "--prev-kv the previous key and value first). Runs until SIGINT or SIGTERM (exit "
     "status 0), reconnecting by itself after a dropped connection without losing or "
     "repeating an event. When the next revision has been compacted away, a warning "
     "names the compact revision and the watch goes on from it (the events in between "
     "are lost). After '--', COMMAND runs once per event with ETCD_WATCH_REVISION, "
     "ETCD_WATCH_EVENT_TYPE, ETCD_WATCH_KEY and ETCD_WATCH_VALUE (quoted as etcdctl "
     "quotes them) in its environment; if it fails the watch ends with status 1. "
     "Under -o json each message of the stream is printed as one JSON object.",
     watch_opts, cmd_watch, NULL},
    {"txn", CLI_API_V3, NULL, "run a transaction read from standard input (v3)",
     "Read a transaction in etcdctl's format from standard input: compares, one per "
     "line, such as mod(\"key1\") > \"0\", value(\"key1\") = \"v\", version(\"k\") = "
     "\"3\", "
     "create(\"k\") = \"0\" or lease(\"k\") = \"694d71ddacfda227\" (operators =, !=, <, "
     ">); "
     "a blank line; the requests to run when every compare holds, one per line as "
     "commands (put KEY VALUE, get KEY [--prefix ...], del KEY [...] with their "
     "options); a blank line; the requests to run otherwise. The end of input ends "
     "the section being read. Prints SUCCESS or FAILURE, then a blank line and the "
     "output of each request as the command alone prints it. A line that does not "
     "parse is a usage error naming its number and text.",
     txn_opts, cmd_txn, NULL},
    {"compaction", CLI_API_V3, "REV", "compact the key history up to a revision (v3)",
     "Discard the history of every key before revision REV and print 'compacted "
     "revision REV'. Watches and reads at older revisions then fail as compacted.",
     compaction_opts, cmd_compaction, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
