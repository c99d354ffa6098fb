/*
 * etcdwatch: `etcdwatch render TEMPLATE [...]`. The template engine parses its own
 * options (its `-o` names an output file, so global options must come before
 * `render`); this file supplies the keys under --prefix from etcd.
 */
#define _POSIX_C_SOURCE 200809L

#include "cmd_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_cmd.h"

/* Add every key below `node` to the snapshot. Returns 0 or a TMPL_ error. */
static int add_nodes(const etcd_node *node, tmpl_snapshot *snap)
{
    int rc;

    if (!node->dir) {
        if (node->key == NULL)
            return 0;
        return tmpl_snapshot_add(snap, node->key, strlen(node->key),
                                 node->value != NULL ? node->value : "",
                                 node->value != NULL ? node->value_len : 0);
    }
    for (size_t i = 0; i < node->nnodes; i++) {
        rc = add_nodes(&node->nodes[i], snap);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static char *format_error(const char *fmt, const char *a, const char *b)
{
    size_t len = strlen(fmt) + strlen(a) + strlen(b) + 1;
    char *msg = malloc(len);

    if (msg != NULL)
        snprintf(msg, len, fmt, a, b);
    return msg;
}

/* etcdwatch_render_fetch_fn: one recursive, sorted get of `prefix`. A prefix that
 * does not exist holds no keys, as for confd. */
static int fetch_keys(void *ud, const char *prefix, tmpl_snapshot *snap, char **err)
{
    cli_ctx *ctx = ud;
    etcd_keys_opts o = {0};
    etcd_response *resp = NULL;
    etcd_client *client;
    char desc[1024];
    int rc;

    *err = NULL;
    rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE) {
        *err = format_error("etcd: %s%s", "cannot set up the client (see above)", "");
        return 1;
    }
    o.recursive = 1;
    o.sorted = 1;
    rc = etcd_keys_get_sync(client, prefix, &o, &resp);
    if (rc == ETCD_EETCD && resp != NULL && resp->error.code == 100) {
        rc = 0;
    } else if (rc != ETCD_OK) {
        if (resp != NULL)
            etcd_response_describe(resp, desc, sizeof(desc));
        else
            snprintf(desc, sizeof(desc), "%s", etcd_strerror(rc));
        *err = format_error("etcd: %s (get %s)", desc, prefix);
        rc = 1;
    } else if (resp->node != NULL) {
        rc = add_nodes(resp->node, snap);
        if (rc != 0)
            *err = format_error("%s%s", "out of memory", "");
    }
    etcd_response_free(resp);
    return rc != 0;
}

int cmd_render(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    int rc;

    (void)cmd;
    rc = cli_finish_globals(ctx);
    if (rc != CLI_CONTINUE)
        return rc;
    return etcdwatch_render_main(argc, argv, fetch_keys, ctx);
}
