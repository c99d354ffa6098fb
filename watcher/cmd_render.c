/*
 * etcdwatch: `etcdwatch render TEMPLATE [...]`. The template engine parses its own
 * options (its `-o` names an output file, so global options must come before
 * `render`); this file supplies the keys under --prefix from etcd, with the v2 API or,
 * after `--api v3`, the v3 one.
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

static char *describe_failure(int rc, const etcd_response *resp, const char *prefix)
{
    char desc[1024];

    if (resp != NULL)
        etcd_response_describe(resp, desc, sizeof(desc));
    else
        snprintf(desc, sizeof(desc), "%s", etcd_strerror(rc));
    return format_error("etcd: %s (get %s)", desc, prefix);
}

/* Whether `key` is `prefix` or below it ("/a" covers "/a" and "/a/b", not "/ab"). */
static int covers(const char *prefix, const char *key)
{
    size_t n = strlen(prefix);

    if (n > 0 && prefix[n - 1] == '/')
        return strncmp(key, prefix, n) == 0;
    return strncmp(key, prefix, n) == 0 && (key[n] == '\0' || key[n] == '/');
}

#define V3_PAGE 5000

/* The v3 form: the keys of the range of `prefix`, read in pages of V3_PAGE at the
 * first page's revision (one consistent cut). */
static int fetch_keys_v3(etcd_client *client, const char *prefix, tmpl_snapshot *snap,
                         char **err)
{
    size_t plen = strlen(prefix);
    char *end = malloc(plen + 1);
    char *from = NULL;
    size_t from_len = 0;
    int64_t revision = 0;
    int rc = 0;

    if (end == NULL || plen == 0) {
        free(end);
        *err = format_error("%s%s", plen ? "out of memory" : "empty prefix", "");
        return 1;
    }
    /* [prefix, prefix with its last byte + 1): every key that starts with it */
    memcpy(end, prefix, plen + 1);
    end[plen - 1] = (char)(end[plen - 1] + 1);
    for (;;) {
        etcd_range_opts o;
        etcd_response *resp = NULL;
        etcd_bytes key = {from ? from : prefix, from ? from_len : plen};
        const etcd_kv *last = NULL;
        size_t i;

        memset(&o, 0, sizeof(o));
        o.limit = V3_PAGE;
        o.revision = revision;
        o.range.end.data = end;
        o.range.end.len = plen;
        rc = etcd_v3_range_sync(client, key, &o, &resp);
        if (rc != ETCD_OK) {
            *err = describe_failure(rc, resp, prefix);
            etcd_response_free(resp);
            rc = 1;
            break;
        }
        revision = resp->header ? resp->header->revision : 0;
        for (i = 0; i < resp->v3.nkvs && rc == 0; i++) {
            const etcd_kv *kv = &resp->v3.kvs[i];

            /* keys with NUL bytes cannot be template keys */
            if (strlen(kv->key) == kv->key_len && covers(prefix, kv->key))
                rc = tmpl_snapshot_add(snap, kv->key, kv->key_len, kv->value,
                                       kv->value_len);
        }
        if (resp->v3.nkvs)
            last = &resp->v3.kvs[resp->v3.nkvs - 1];
        if (rc == 0 && resp->v3.more && last != NULL) {
            /* the next page starts right after the last key: that key + "\0" */
            char *next = malloc(last->key_len + 1);

            if (next != NULL) {
                memcpy(next, last->key, last->key_len);
                next[last->key_len] = '\0';
            }
            free(from);
            from = next;
            from_len = last->key_len + 1;
            rc = next == NULL;
        }
        if (rc != 0)
            *err = format_error("%s%s", "out of memory", "");
        if (rc != 0 || !resp->v3.more || last == NULL) {
            etcd_response_free(resp);
            break;
        }
        etcd_response_free(resp);
    }
    free(from);
    free(end);
    return rc != 0;
}

/* etcdwatch_render_fetch_fn: one recursive, sorted get of `prefix` (v2), or its range
 * (v3). A prefix that does not exist holds no keys, as for confd. */
static int fetch_keys(void *ud, const char *prefix, tmpl_snapshot *snap, char **err)
{
    cli_ctx *ctx = ud;
    etcd_keys_opts o = {0};
    etcd_response *resp = NULL;
    etcd_client *client;
    int rc;

    *err = NULL;
    rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE) {
        *err = format_error("etcd: %s%s", "cannot set up the client (see above)", "");
        return 1;
    }
    if (ctx->api == CLI_API_V3)
        return fetch_keys_v3(client, prefix, snap, err);
    o.recursive = 1;
    o.sorted = 1;
    rc = etcd_keys_get_sync(client, prefix, &o, &resp);
    if (rc == ETCD_EETCD && resp != NULL && resp->error.code == 100) {
        rc = 0;
    } else if (rc != ETCD_OK) {
        *err = describe_failure(rc, resp, prefix);
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
