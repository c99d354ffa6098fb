/*
 * etcdwatch: the v3 lease commands: lease grant|revoke|timetolive|list|keep-alive,
 * printing what etcdctl v3 prints ("lease 694d5765fc71500b granted with TTL(10s)").
 * Lease IDs are hex both ways.
 */
#define _POSIX_C_SOURCE 200809L

#include "cmd_v3_admin.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How often the keep-alive loop looks at the signal flag, at most. */
#define KEEPALIVE_TICK_MS 200

/* A lease ID argument (hex, as etcdctl takes it). */
static int lease_id_arg(cli_ctx *ctx, const cli_command *cmd, const char *arg,
                        int64_t *id)
{
    uint64_t v;

    if (v3adm_parse_hex(arg, &v) != 0 || v > (uint64_t)INT64_MAX)
        return cli_usage_error(ctx, cmd, "bad lease ID arg (%s), expecting ID in Hex",
                               arg);
    *id = (int64_t)v;
    return CLI_CONTINUE;
}

/* Parse a lease command whose one argument is a lease ID (options into *a, which the
 * caller initialised), and get the client. */
static int lease_start(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                       v3adm_args *a, int64_t *id, etcd_client **client)
{
    cli_args pos;
    int rc;

    rc = cli_parse(ctx, cmd, argc, argv, a, &pos, 1, 1);
    if (rc == CLI_CONTINUE)
        rc = lease_id_arg(ctx, cmd, pos.argv[0], id);
    if (rc == CLI_CONTINUE)
        rc = cli_client(ctx, client);
    return rc;
}

static int v3_lease_grant(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    long long ttl;
    v3adm_args a = {0};
    cli_args pos;
    char line[128] = "";
    char *end;
    int rc;

    rc = cli_parse(ctx, cmd, argc, argv, &a, &pos, 1, 1);
    if (rc != CLI_CONTINUE)
        return rc;
    ttl = strtoll(pos.argv[0], &end, 10);
    if (pos.argv[0][0] == '\0' || *end != '\0' || ttl <= 0)
        return cli_usage_error(ctx, cmd, "bad TTL (%s): expected seconds, above 0",
                               pos.argv[0]);
    rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_v3_lease_grant_sync(client, ttl, 0, &resp);
    if (rc == ETCD_OK)
        snprintf(line, sizeof(line),
                 "lease %016" PRIx64 " granted with TTL(%" PRId64 "s)",
                 (uint64_t)resp->v3.id, resp->v3.ttl);
    return v3adm_finish(ctx, rc, resp, line);
}

static int v3_lease_revoke(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    v3adm_args a = {0};
    char line[128];
    int64_t id = 0;
    int rc;

    rc = lease_start(ctx, cmd, argc, argv, &a, &id, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_v3_lease_revoke_sync(client, id, &resp);
    snprintf(line, sizeof(line), "lease %016" PRIx64 " revoked", (uint64_t)id);
    return v3adm_finish(ctx, rc, resp, line);
}

static int v3_lease_timetolive(cli_ctx *ctx, const cli_command *cmd, int argc,
                               char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    const etcd_v3_result *r;
    v3adm_args a = {0};
    int64_t id = 0;
    int rc;

    rc = lease_start(ctx, cmd, argc, argv, &a, &id, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_v3_lease_timetolive_sync(client, id, a.keys, &resp);
    if (rc != ETCD_OK || ctx->output == CLI_OUTPUT_JSON)
        return v3adm_finish(ctx, rc, resp, "");
    r = &resp->v3;
    if (r->id != 0)
        id = r->id;
    if (r->granted_ttl == 0 && r->ttl == -1) {
        printf("lease %016" PRIx64 " already expired\n", (uint64_t)id);
    } else {
        printf("lease %016" PRIx64 " granted with TTL(%" PRId64 "s), remaining(%" PRId64
               "s)",
               (uint64_t)id, r->granted_ttl, r->ttl);
        if (a.keys) {
            /* Go's %v of a []string: [k1 k2] */
            fputs(", attached keys([", stdout);
            for (size_t i = 0; i < r->nkvs; i++) {
                if (i > 0)
                    putchar(' ');
                fwrite(r->kvs[i].key, 1, r->kvs[i].key_len, stdout);
            }
            fputs("])", stdout);
        }
        putchar('\n');
    }
    etcd_response_free(resp);
    return CLI_EXIT_OK;
}

static int v3_lease_list(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp;
    int rc;

    rc = v3adm_query(ctx, cmd, argc, argv, etcd_v3_lease_list_sync, &resp);
    if (rc != CLI_CONTINUE)
        return rc;
    printf("found %zu leases\n", resp->v3.nleases);
    for (size_t i = 0; i < resp->v3.nleases; i++)
        printf("%016" PRIx64 "\n", (uint64_t)resp->v3.leases[i]);
    etcd_response_free(resp);
    return CLI_EXIT_OK;
}

/* ---- keep-alive ----------------------------------------------------------------- */

typedef struct keepalive_state {
    cli_ctx *ctx;
    int64_t id;
    int stopping; /* etcd_v3_keepalive_cancel() called */
    int done;     /* the ETCD_ECANCELED callback ran */
    int status;   /* exit status */
} keepalive_state;

static void keepalive_stop(keepalive_state *st, etcd_v3_keepalive *ka)
{
    if (st->stopping)
        return;
    st->stopping = 1;
    etcd_v3_keepalive_cancel(ka);
}

static void print_keepalived(const cli_ctx *ctx, int64_t id, const etcd_response *resp)
{
    if (ctx->output == CLI_OUTPUT_JSON)
        cli_v3_print_json(resp);
    else
        printf("lease %016" PRIx64 " keepalived with TTL(%" PRId64 ")\n", (uint64_t)id,
               resp->v3.ttl);
    fflush(stdout);
}

/* The lease is gone: etcdctl's last line, and exit status 1. */
static int report_lost(const cli_ctx *ctx, int64_t id)
{
    if (ctx->output == CLI_OUTPUT_JSON) {
        fflush(stdout);
        fprintf(stderr, "Error:  lease %016" PRIx64 " expired or revoked\n",
                (uint64_t)id);
    } else {
        printf("lease %016" PRIx64 " expired or revoked.\n", (uint64_t)id);
        fflush(stdout);
    }
    return CLI_EXIT_ERROR;
}

static void on_keepalive(etcd_v3_keepalive *ka, const etcd_response *resp, void *data)
{
    keepalive_state *st = data;
    char desc[1024];

    if (resp->status == ETCD_ECANCELED) {
        st->done = 1;
        return;
    }
    if (st->stopping)
        return;
    switch (resp->status) {
    case ETCD_OK:
        print_keepalived(st->ctx, st->id, resp);
        break;
    case ETCD_ENOTFOUND:
        st->status = report_lost(st->ctx, st->id);
        keepalive_stop(st, ka);
        break;
    default:
        /* the library retries within the lease's TTL */
        etcd_response_describe(resp, desc, sizeof(desc));
        cli_warn("lease keep-alive %016" PRIx64 ": %s; retrying", (uint64_t)st->id, desc);
        break;
    }
}

static int keepalive_once(cli_ctx *ctx, etcd_client *client, int64_t id)
{
    etcd_response *resp = NULL;
    int rc = etcd_v3_lease_keepalive_once_sync(client, id, &resp);

    if (rc == ETCD_OK && resp->v3.ttl <= 0) {
        /* what the gateway answers for a lease that is gone */
        fflush(stdout);
        if (ctx->output == CLI_OUTPUT_JSON)
            cli_v3_print_json(resp);
        fflush(stdout);
        fprintf(stderr, "Error:  etcdserver: requested lease not found\n");
        rc = CLI_EXIT_ERROR;
    } else if (rc != ETCD_OK) {
        rc = cli_report(ctx, rc, resp, ctx->path);
    } else {
        print_keepalived(ctx, id, resp);
        rc = CLI_EXIT_OK;
    }
    etcd_response_free(resp);
    return rc;
}

static int v3_lease_keepalive(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    keepalive_state st = {0};
    etcd_v3_keepalive *ka = NULL;
    etcd_client *client;
    v3adm_args a = {0};
    int64_t id = 0;
    int rc;

    rc = lease_start(ctx, cmd, argc, argv, &a, &id, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    if (a.once)
        return keepalive_once(ctx, client, id);

    st.ctx = ctx;
    st.id = id;
    st.status = CLI_EXIT_OK;
    cli_catch_signals();
    /* TTL 0: the first refresh goes out at once, and tells the TTL */
    rc = etcd_v3_keepalive_start(client, id, 0, on_keepalive, &st, &ka);
    if (rc != ETCD_OK)
        return cli_report(ctx, rc, NULL, "starting the keep-alive");
    while (!st.done) {
        if (!st.stopping && cli_interrupted() != 0) {
            keepalive_stop(&st, ka);
            continue;
        }
        rc = etcd_client_run_once(client, KEEPALIVE_TICK_MS);
        if (rc != ETCD_OK)
            return cli_report(ctx, rc, NULL, "running the keep-alive");
    }
    return st.status;
}

/* ---- The table ------------------------------------------------------------------ */

static const cli_opt timetolive_opts[] = {
    V3ADM_OPT("keys", CLI_OPT_FLAG, NULL, keys,
              "also list the keys attached to the lease"),
    {0},
};

static const cli_opt keepalive_opts[] = {
    V3ADM_OPT("once", CLI_OPT_FLAG, NULL, once, "refresh the lease once and exit"),
    {0},
};

const cli_command v3adm_lease_cmds[] = {
    {"grant", CLI_API_V3, "TTL", "grant a lease",
     "Grant a lease of TTL seconds and print 'lease ID granted with TTL(TTLs)', the ID "
     "in hex. Attach keys to it with put --lease ID; they are deleted when it expires "
     "or is revoked.",
     NULL, v3_lease_grant, NULL},
    {"revoke", CLI_API_V3, "ID", "revoke a lease and delete its keys",
     "Revoke lease ID (hex): every key attached to it is deleted. Prints 'lease ID "
     "revoked'.",
     NULL, v3_lease_revoke, NULL},
    {"timetolive", CLI_API_V3, "ID", "show a lease's TTL and remaining time",
     "Print 'lease ID granted with TTL(Ns), remaining(Ms)', with --keys followed by ', "
     "attached keys([k1 k2])'; 'lease ID already expired' for a lease that is gone "
     "(exit status 0, as etcdctl).",
     timetolive_opts, v3_lease_timetolive, NULL},
    {"list", CLI_API_V3, NULL, "list the leases",
     "Print 'found N leases', then one lease ID (hex) per line.", NULL, v3_lease_list,
     NULL},
    {"keep-alive", CLI_API_V3, "ID", "keep a lease alive until interrupted",
     "Keep lease ID alive: refresh it at once, then a third of its TTL after each "
     "refresh, printing 'lease ID keepalived with TTL(N)' each time, until SIGINT or "
     "SIGTERM (exit status 0). Failed refreshes are retried within the TTL with a "
     "warning. When the lease expires or is revoked, prints 'lease ID expired or "
     "revoked.' and exits with status 1. With --once, refresh it once.",
     keepalive_opts, v3_lease_keepalive, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
