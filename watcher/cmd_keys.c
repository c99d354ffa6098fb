/*
 * etcdwatch: the v2 keys commands. Under -o simple each prints what etcdctl v2 prints;
 * under -o json the server's JSON answer, one object per line.
 */
#define _POSIX_C_SOURCE 200809L

#include "cmd_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints a successful response under -o simple; returns an exit status. */
typedef int (*simple_printer)(const cli_ctx *ctx, const etcd_response *resp);

static const char *node_key(const etcd_node *node)
{
    return node != NULL && node->key != NULL ? node->key : "/";
}

/* The value, as etcdctl prints a key it got, set or created. */
static int print_value(const cli_ctx *ctx, const etcd_response *resp)
{
    (void)ctx;
    if (resp->node != NULL)
        cli_print_line(resp->node->value, resp->node->value_len);
    else
        cli_print_line(NULL, 0);
    return CLI_EXIT_OK;
}

/* etcdctl's printResponseKey: the value, or the previous value after a delete. */
static int print_result(const cli_ctx *ctx, const etcd_response *resp)
{
    const etcd_node *prev = resp->prev_node;

    if (resp->action != ETCD_ACTION_DELETE)
        return print_value(ctx, resp);
    fputs("PrevNode.Value: ", stdout);
    if (prev != NULL)
        cli_print_line(prev->value, prev->value_len);
    else
        cli_print_line(NULL, 0);
    return CLI_EXIT_OK;
}

/* The dir commands print nothing in simple mode, as etcdctl. */
static int print_nothing(const cli_ctx *ctx, const etcd_response *resp)
{
    (void)ctx;
    (void)resp;
    return CLI_EXIT_OK;
}

/* rm and rmdir: nothing when a directory went, else as printResponseKey. */
static int print_removed(const cli_ctx *ctx, const etcd_response *resp)
{
    if (resp->node != NULL && resp->node->dir)
        return CLI_EXIT_OK;
    return print_result(ctx, resp);
}

static int print_get(const cli_ctx *ctx, const etcd_response *resp)
{
    if (resp->node != NULL && resp->node->dir) {
        fflush(stdout);
        fprintf(stderr, "%s: is a directory\n", node_key(resp->node));
        return CLI_EXIT_ERROR;
    }
    return print_value(ctx, resp);
}

static void print_tree(const etcd_node *node, int slash)
{
    for (size_t i = 0; i < node->nnodes; i++) {
        const etcd_node *child = &node->nodes[i];

        if (child->dir && slash)
            printf("%s/\n", node_key(child));
        else
            printf("%s\n", node_key(child));
        print_tree(child, slash);
    }
}

/* ls: the key itself when it is not a directory, then the children, depth first. */
static int print_ls(const cli_ctx *ctx, const etcd_response *resp, int slash)
{
    (void)ctx;
    if (resp->node == NULL)
        return CLI_EXIT_OK;
    if (!resp->node->dir)
        printf("%s\n", node_key(resp->node));
    print_tree(resp->node, slash);
    return CLI_EXIT_OK;
}

static int print_ls_plain(const cli_ctx *ctx, const etcd_response *resp)
{
    return print_ls(ctx, resp, 0);
}

static int print_ls_slash(const cli_ctx *ctx, const etcd_response *resp)
{
    return print_ls(ctx, resp, 1);
}

/* Print or report the outcome of a blocking call, and free the response. */
static int finish(cli_ctx *ctx, int rc, etcd_response *resp, const char *key,
                  simple_printer print)
{
    char what[512];
    int status;

    if (rc != ETCD_OK) {
        snprintf(what, sizeof(what), "%s %s", ctx->path, key);
        status = cli_report(ctx, rc, resp, what);
    } else if (resp == NULL) {
        status = cli_report(ctx, ETCD_EPROTO, NULL, key);
    } else if (ctx->output == CLI_OUTPUT_JSON) {
        cli_print_json(resp);
        status = CLI_EXIT_OK;
    } else {
        status = print(ctx, resp);
    }
    etcd_response_free(resp);
    return status;
}

/* ---- get, set, mk, update ------------------------------------------------------- */

int cmd_keys_get(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_keys_opts o = {0};
    etcd_response *resp = NULL;
    etcd_client *client;
    keys_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    o.quorum = a.quorum;
    rc = etcd_keys_get_sync(client, pos.argv[0], &o, &resp);
    return finish(ctx, rc, resp, pos.argv[0], print_get);
}

/* set, mk and update: KEY VALUE ('-': standard input), --ttl, and the call each picks
 * from its options; the new value printed. */
typedef int (*value_call)(etcd_client *client, const char *key, const char *value,
                          const etcd_keys_opts *opts, etcd_response **out);

static int value_command(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                         value_call (*pick)(const keys_args *a))
{
    etcd_keys_opts o = {0};
    etcd_response *resp = NULL;
    etcd_client *client;
    keys_args a = {0};
    cli_args pos;
    char *value;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 2, 2, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = cli_value_arg(ctx, pos.argv[1], &value);
    if (rc != CLI_CONTINUE)
        return rc;
    o.ttl = a.ttl;
    o.prev_value = a.swap_value;
    o.prev_index = a.swap_index;
    rc = pick(&a)(client, pos.argv[0], value, &o, &resp);
    free(value);
    return finish(ctx, rc, resp, pos.argv[0], print_value);
}

static value_call pick_set(const keys_args *a)
{
    if (a->swap_value != NULL || a->swap_index != 0)
        return etcd_keys_compare_and_swap_sync;
    return etcd_keys_set_sync;
}

static value_call pick_mk(const keys_args *a)
{
    return a->in_order ? etcd_keys_create_in_order_sync : etcd_keys_create_sync;
}

static value_call pick_update(const keys_args *a)
{
    (void)a;
    return etcd_keys_update_sync;
}

int cmd_keys_set(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return value_command(ctx, cmd, argc, argv, pick_set);
}

int cmd_keys_mk(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return value_command(ctx, cmd, argc, argv, pick_mk);
}

int cmd_keys_update(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return value_command(ctx, cmd, argc, argv, pick_update);
}

/* ---- rm, mkdir, setdir, updatedir, rmdir ---------------------------------------- */

int cmd_keys_rm(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_keys_opts o = {0};
    etcd_response *resp = NULL;
    etcd_client *client;
    keys_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    o.recursive = a.recursive;
    o.prev_value = a.with_value;
    o.prev_index = a.with_index;
    if (a.with_value != NULL || a.with_index != 0)
        rc = etcd_keys_compare_and_delete_sync(client, pos.argv[0], &o, &resp);
    else if (a.dir && !a.recursive)
        rc = etcd_keys_delete_dir_sync(client, pos.argv[0], &o, &resp);
    else
        rc = etcd_keys_delete_sync(client, pos.argv[0], &o, &resp);
    return finish(ctx, rc, resp, pos.argv[0], print_removed);
}

/* mkdir, setdir and updatedir: KEY and --ttl, nothing printed. */
typedef int (*dir_call)(etcd_client *client, const char *key, const etcd_keys_opts *opts,
                        etcd_response **out);

static int dir_command(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                       dir_call call)
{
    etcd_keys_opts o = {0};
    etcd_response *resp = NULL;
    etcd_client *client;
    keys_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    o.ttl = a.ttl;
    rc = call(client, pos.argv[0], &o, &resp);
    return finish(ctx, rc, resp, pos.argv[0], print_nothing);
}

int cmd_keys_mkdir(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return dir_command(ctx, cmd, argc, argv, etcd_keys_create_dir_sync);
}

int cmd_keys_setdir(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return dir_command(ctx, cmd, argc, argv, etcd_keys_set_dir_sync);
}

int cmd_keys_updatedir(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return dir_command(ctx, cmd, argc, argv, etcd_keys_update_dir_sync);
}

int cmd_keys_rmdir(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    keys_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_keys_delete_dir_sync(client, pos.argv[0], NULL, &resp);
    return finish(ctx, rc, resp, pos.argv[0], print_removed);
}

/* ---- ls ------------------------------------------------------------------------- */

int cmd_keys_ls(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_keys_opts o = {0};
    etcd_response *resp = NULL;
    etcd_client *client;
    const char *key;
    keys_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 0, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    key = pos.argc > 0 ? pos.argv[0] : "/";
    o.recursive = a.recursive;
    o.sorted = a.sort;
    rc = etcd_keys_get_sync(client, key, &o, &resp);
    return finish(ctx, rc, resp, key, a.slash ? print_ls_slash : print_ls_plain);
}

/* ---- watch ---------------------------------------------------------------------- */

/* How often the watch loop looks at the signal flag, at most. */
#define WATCH_TICK_MS 200

typedef struct watch_state {
    cli_ctx *ctx;
    const char *key;
    int forever;
    int recursive;
    int stopping; /* etcd_watch_cancel() called */
    int done;     /* the ETCD_ECANCELED callback ran */
    int status;   /* exit status */
    int events;   /* events printed */
} watch_state;

static void watch_stop(watch_state *st, etcd_watch *w)
{
    if (st->stopping)
        return;
    st->stopping = 1;
    etcd_watch_cancel(w);
}

static void watch_print(watch_state *st, const etcd_response *resp)
{
    if (st->ctx->output == CLI_OUTPUT_JSON) {
        cli_print_json(resp);
    } else {
        if (st->recursive)
            printf("[%s] %s\n", etcd_action_name(resp->action), node_key(resp->node));
        print_result(st->ctx, resp);
    }
    fflush(stdout);
    st->events++;
}

static void on_watch_event(etcd_watch *w, const etcd_response *resp, void *data)
{
    watch_state *st = data;
    char what[512];
    char desc[1024];
    uint64_t index;
    int rc;

    if (resp->status == ETCD_ECANCELED) {
        st->done = 1;
        return;
    }
    if (st->stopping)
        return;
    snprintf(what, sizeof(what), "watch %s", st->key);
    switch (resp->status) {
    case ETCD_OK:
        /* etcdctl skips directory events in simple mode; JSON shows them all. */
        if (st->ctx->output == CLI_OUTPUT_SIMPLE && resp->node != NULL && resp->node->dir)
            break;
        watch_print(st, resp);
        if (!st->forever) {
            st->status = CLI_EXIT_OK;
            watch_stop(st, w);
        }
        break;
    case ETCD_ECLEARED:
        if (!st->forever) {
            st->status = cli_report(st->ctx, resp->status, resp, what);
            watch_stop(st, w);
            break;
        }
        index = resp->info.etcd_index != 0 ? resp->info.etcd_index : resp->error.index;
        etcd_response_describe(resp, desc, sizeof(desc));
        cli_warn("watch %s: %s; events up to index %llu may have been missed, watching "
                 "from %llu on",
                 st->key, desc, (unsigned long long)index, (unsigned long long)index + 1);
        rc = etcd_watch_resume(w, index + 1);
        if (rc != ETCD_OK) {
            st->status = cli_report(st->ctx, rc, NULL, "resuming the watch");
            watch_stop(st, w);
        }
        break;
    default:
        if (!st->forever) {
            st->status = cli_report(st->ctx, resp->status, resp, what);
            watch_stop(st, w);
            break;
        }
        etcd_response_describe(resp, desc, sizeof(desc));
        cli_warn("watch %s: %s; reconnecting", st->key, desc);
        break;
    }
}

int cmd_keys_watch(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_watch_opts wo = {0};
    watch_state st = {0};
    etcd_client *client;
    etcd_watch *w = NULL;
    keys_args a = {0};
    cli_args pos;
    int sig = 0;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    st.ctx = ctx;
    st.key = pos.argv[0];
    st.forever = a.forever;
    st.recursive = a.recursive;
    st.status = CLI_EXIT_OK;
    /* etcdctl's --after-index N waits for index N + 1. */
    wo.wait_index =
        a.after_index != 0 && a.after_index < UINT64_MAX ? a.after_index + 1 : 0;
    wo.recursive = a.recursive;

    cli_catch_signals();
    rc = etcd_watch_start(client, st.key, &wo, on_watch_event, &st, &w);
    if (rc != ETCD_OK) {
        char what[512];

        snprintf(what, sizeof(what), "watch %s", st.key);
        return cli_report(ctx, rc, NULL, what);
    }
    while (!st.done) {
        if (sig == 0 && cli_interrupted() != 0) {
            sig = cli_interrupted();
            watch_stop(&st, w);
            continue;
        }
        rc = etcd_client_run_once(client, WATCH_TICK_MS);
        if (rc != ETCD_OK)
            return cli_report(ctx, rc, NULL, "running the watch");
    }
    /* Interrupted: --forever ends normally; a one-shot watch that saw nothing exits
     * as a shell reports the signal. */
    if (sig != 0 && !st.forever && st.events == 0)
        return 128 + sig;
    return st.status;
}
