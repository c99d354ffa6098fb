/*
 * etcdwatch: v3 auth commands: auth enable|disable|status, user ..., role ..., printing
 * what etcdctl v3 prints ("User bob created", "Role r updated").
 *
 * New passwords come from standard input (--password-stdin), env
 * ETCDWATCH_NEW_PASSWORD or a prompt without echo, as for the v2 commands: never from
 * the command line.
 */
#define _POSIX_C_SOURCE 200809L

#include "cmd_v3_admin.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "cmd_admin.h"

/* A command on one NAME that prints "<kind> NAME <done>": user delete, role add and
 * role delete. */
static int name_cmd(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                    cli_name_fn call, const char *kind, const char *done)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    v3adm_args a = {0};
    cli_args pos;
    char line[512];
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = call(client, pos.argv[0], &resp);
    snprintf(line, sizeof(line), "%s %s %s", kind, pos.argv[0], done);
    return v3adm_finish(ctx, rc, resp, line);
}

/* user list and role list: one name a line. */
static int names_list(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                      int roles)
{
    etcd_response *resp;
    int rc;

    rc = v3adm_query(ctx, cmd, argc, argv,
                     roles ? etcd_v3_role_list_sync : etcd_v3_user_list_sync, &resp);
    if (rc != CLI_CONTINUE)
        return rc;
    for (size_t i = 0; i < (roles ? resp->nroles : resp->nusers); i++)
        printf("%s\n", roles ? resp->roles[i].name : resp->users[i].name);
    etcd_response_free(resp);
    return CLI_EXIT_OK;
}

static int v3_user_list(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return names_list(ctx, cmd, argc, argv, 0);
}

static int v3_user_delete(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return name_cmd(ctx, cmd, argc, argv, etcd_v3_user_delete_sync, "User", "deleted");
}

static int v3_role_add(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return name_cmd(ctx, cmd, argc, argv, etcd_v3_role_add_sync, "Role", "created");
}

static int v3_role_list(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return names_list(ctx, cmd, argc, argv, 1);
}

static int v3_role_delete(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return name_cmd(ctx, cmd, argc, argv, etcd_v3_role_delete_sync, "Role", "deleted");
}

/* ---- auth ----------------------------------------------------------------------- */

/* etcd's refusal when the root user lacks the root role. */
#define NO_ROOT_ROLE "root user does not have root role"

static int is_refusal(int rc, const etcd_response *resp, const char *what)
{
    return rc == ETCD_EETCD && resp != NULL && resp->error.message != NULL &&
           strstr(resp->error.message, what) != NULL;
}

/* As etcdctl: a root user without the root role gets it (the role is created when
 * missing), then enable is asked again. */
static int give_root_role(etcd_client *client, etcd_response **failed)
{
    etcd_response *resp = NULL;
    int rc = etcd_v3_role_add_sync(client, "root", &resp);

    if (rc != ETCD_OK && !is_refusal(rc, resp, "role name already exists")) {
        *failed = resp;
        return rc;
    }
    etcd_response_free(resp);
    resp = NULL;
    rc = etcd_v3_user_grant_sync(client, "root", "root", &resp);
    if (rc != ETCD_OK) {
        *failed = resp;
        return rc;
    }
    etcd_response_free(resp);
    return ETCD_OK;
}

static int v3_auth_enable(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    v3adm_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 0, 0, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_v3_auth_enable_sync(client, &resp);
    if (is_refusal(rc, resp, NO_ROOT_ROLE)) {
        etcd_response_free(resp);
        resp = NULL;
        rc = give_root_role(client, &resp);
        if (rc == ETCD_OK)
            rc = etcd_v3_auth_enable_sync(client, &resp);
    }
    return v3adm_finish(ctx, rc, resp, "Authentication Enabled");
}

static int v3_auth_disable(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    v3adm_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 0, 0, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_v3_auth_disable_sync(client, &resp);
    return v3adm_finish(ctx, rc, resp, "Authentication Disabled");
}

static int v3_auth_status(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp;
    json_t *body;
    json_t *rev;
    int rc;

    rc = v3adm_query(ctx, cmd, argc, argv, etcd_v3_auth_status_sync, &resp);
    if (rc != CLI_CONTINUE)
        return rc;
    printf("Authentication Status: %s\n", resp->auth_enabled ? "true" : "false");
    /* etcd 3.5's answer tells the auth revision; 3.4 has no such call */
    body = admin_body_json(resp);
    rev = json_object_get(body, "authRevision");
    if (rev == NULL)
        rev = json_object_get(body, "auth_revision");
    if (json_is_string(rev))
        printf("AuthRevision: %s\n", json_string_value(rev));
    else if (json_is_integer(rev))
        printf("AuthRevision: %" JSON_INTEGER_FORMAT "\n", json_integer_value(rev));
    json_decref(body);
    etcd_response_free(resp);
    return CLI_EXIT_OK;
}

/* ---- user ----------------------------------------------------------------------- */

static int v3_user_add(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    char *password = NULL;
    v3adm_args a = {0};
    cli_args pos;
    char line[512];
    int rc;

    rc = cli_parse(ctx, cmd, argc, argv, &a, &pos, 1, 1);
    if (rc != CLI_CONTINUE)
        return rc;
    if (strchr(pos.argv[0], ':') != NULL)
        return cli_usage_error(ctx, cmd,
                               "NAME:PASSWORD: a password is never taken from the "
                               "command line (use --password-stdin, env "
                               "ETCDWATCH_NEW_PASSWORD or the prompt)");
    if (a.no_password && a.password_stdin)
        return cli_usage_error(ctx, cmd, "--no-password and --password-stdin conflict");
    rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    if (!a.no_password) {
        rc = admin_new_password(ctx, a.password_stdin, pos.argv[0], &password);
        if (rc != CLI_CONTINUE)
            return rc;
    }
    /* NULL with --no-password: a user that authenticates by TLS common name only */
    rc = etcd_v3_user_add_sync(client, pos.argv[0], password, &resp);
    cli_free_secret(password);
    snprintf(line, sizeof(line), "User %s created", pos.argv[0]);
    return v3adm_finish(ctx, rc, resp, line);
}

/* Role get's lines (etcdctl's RoleGet), for role get and user get --detail. */
static void print_role(const char *name, const etcd_response *resp);

static int v3_user_get(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    const etcd_user *u;
    v3adm_args a = {0};
    cli_args pos;
    int status = CLI_EXIT_OK;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_v3_user_get_sync(client, pos.argv[0], &resp);
    if (rc != ETCD_OK || (ctx->output == CLI_OUTPUT_JSON && !a.detail))
        return v3adm_finish(ctx, rc, resp, "");
    u = resp->nusers > 0 ? &resp->users[0] : NULL;
    if (ctx->output == CLI_OUTPUT_JSON) {
        cli_v3_print_json(resp);
    } else if (!a.detail) {
        printf("User: %s\nRoles:", pos.argv[0]);
        for (size_t r = 0; u != NULL && r < u->nroles; r++)
            printf(" %s", u->roles[r].name);
        putchar('\n');
        etcd_response_free(resp);
        return CLI_EXIT_OK;
    } else {
        printf("User: %s\n", pos.argv[0]);
    }
    /* --detail: each role as role get prints it */
    for (size_t r = 0; u != NULL && r < u->nroles; r++) {
        etcd_response *role = NULL;

        rc = etcd_v3_role_get_sync(client, u->roles[r].name, &role);
        if (rc != ETCD_OK) {
            status = cli_report(ctx, rc, role, ctx->path);
            etcd_response_free(role);
            break;
        }
        if (ctx->output == CLI_OUTPUT_JSON) {
            cli_v3_print_json(role);
        } else {
            putchar('\n');
            print_role(u->roles[r].name, role);
        }
        etcd_response_free(role);
    }
    etcd_response_free(resp);
    return status;
}

static int v3_user_passwd(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    char *password = NULL;
    v3adm_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    /* a missing user is refused before any password is asked for */
    rc = etcd_v3_user_get_sync(client, pos.argv[0], &resp);
    if (rc != ETCD_OK)
        return v3adm_finish(ctx, rc, resp, "");
    etcd_response_free(resp);
    resp = NULL;
    rc = admin_new_password(ctx, a.password_stdin, pos.argv[0], &password);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_v3_user_passwd_sync(client, pos.argv[0], password, &resp);
    cli_free_secret(password);
    return v3adm_finish(ctx, rc, resp, "Password updated");
}

static int user_role_cmd(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                         int grant)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    v3adm_args a = {0};
    cli_args pos;
    char line[512];
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 2, 2, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    if (grant) {
        rc = etcd_v3_user_grant_sync(client, pos.argv[0], pos.argv[1], &resp);
        snprintf(line, sizeof(line), "Role %s is granted to user %s", pos.argv[1],
                 pos.argv[0]);
    } else {
        rc = etcd_v3_user_revoke_sync(client, pos.argv[0], pos.argv[1], &resp);
        snprintf(line, sizeof(line), "Role %s is revoked from user %s", pos.argv[1],
                 pos.argv[0]);
    }
    return v3adm_finish(ctx, rc, resp, line);
}

static int v3_user_grant_role(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return user_role_cmd(ctx, cmd, argc, argv, 1);
}

static int v3_user_revoke_role(cli_ctx *ctx, const cli_command *cmd, int argc,
                               char **argv)
{
    return user_role_cmd(ctx, cmd, argc, argv, 0);
}

/* ---- role ----------------------------------------------------------------------- */

/* The end of the range of every key starting with key (clientv3's
 * GetPrefixRangeEnd): the last byte below 0xff incremented, what follows it dropped;
 * "\0" (every key) when there is none. *len is its length. A new buffer. */
static char *prefix_end(const char *key, size_t key_len, size_t *len)
{
    char *end = malloc(key_len + 1);
    size_t n = key_len;

    if (end == NULL)
        return NULL;
    memcpy(end, key, key_len);
    while (n > 0 && (unsigned char)end[n - 1] == 0xff)
        n--;
    if (n == 0) {
        end[0] = '\0';
        *len = 1;
        return end;
    }
    end[n - 1] = (char)((unsigned char)end[n - 1] + 1);
    *len = n;
    return end;
}

static int is_open_end(const char *end, size_t len)
{
    return len == 1 && end[0] == '\0';
}

static void print_bytes(const char *s, size_t len)
{
    fwrite(s, 1, len, stdout);
}

/* One permission's line under KV Read: or KV Write:, as etcdctl. */
static void print_perm(const etcd_v3_perm *p)
{
    size_t plen = 0;
    char *pend;

    if (p->range_end_len == 0) {
        putchar('\t');
        print_bytes(p->key, p->key_len);
        putchar('\n');
        return;
    }
    fputs("\t[", stdout);
    print_bytes(p->key, p->key_len);
    fputs(", ", stdout);
    if (!is_open_end(p->range_end, p->range_end_len)) {
        print_bytes(p->range_end, p->range_end_len);
        putchar(')');
    } else {
        fputs("<open ended>", stdout);
    }
    pend = prefix_end(p->key, p->key_len, &plen);
    if (pend != NULL && plen == p->range_end_len &&
        memcmp(pend, p->range_end, plen) == 0) {
        fputs(" (prefix ", stdout);
        print_bytes(p->key, p->key_len);
        putchar(')');
    }
    free(pend);
    putchar('\n');
}

static void print_role(const char *name, const etcd_response *resp)
{
    printf("Role %s\nKV Read:\n", name);
    for (size_t i = 0; i < resp->nv3_perms; i++) {
        if (resp->v3_perms[i].type == ETCD_PERM_READ ||
            resp->v3_perms[i].type == ETCD_PERM_READWRITE)
            print_perm(&resp->v3_perms[i]);
    }
    printf("KV Write:\n");
    for (size_t i = 0; i < resp->nv3_perms; i++) {
        if (resp->v3_perms[i].type == ETCD_PERM_WRITE ||
            resp->v3_perms[i].type == ETCD_PERM_READWRITE)
            print_perm(&resp->v3_perms[i]);
    }
}

static int v3_role_get(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    v3adm_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_v3_role_get_sync(client, pos.argv[0], &resp);
    if (rc != ETCD_OK || ctx->output == CLI_OUTPUT_JSON)
        return v3adm_finish(ctx, rc, resp, "");
    print_role(pos.argv[0], resp);
    etcd_response_free(resp);
    return CLI_EXIT_OK;
}

/* KEY [RANGE_END] with --prefix or --from-key into *range. */
static int perm_range(cli_ctx *ctx, const cli_command *cmd, const v3adm_args *a,
                      const char *end, etcd_range_end *range)
{
    memset(range, 0, sizeof(*range));
    if (a->prefix && a->from_key)
        return cli_usage_error(ctx, cmd,
                               "--from-key and --prefix flags are mutually "
                               "exclusive");
    if (end != NULL && (a->prefix || a->from_key))
        return cli_usage_error(ctx, cmd, "RANGE_END cannot be given with --%s",
                               a->prefix ? "prefix" : "from-key");
    range->prefix = a->prefix;
    range->from_key = a->from_key;
    if (end != NULL)
        range->end = cli_v3_bytes(end);
    return CLI_CONTINUE;
}

static int v3_role_grant(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    etcd_range_end range;
    etcd_perm_type type;
    v3adm_args a = {0};
    cli_args pos;
    char line[512];
    int rc;

    rc = cli_parse(ctx, cmd, argc, argv, &a, &pos, 3, 4);
    if (rc != CLI_CONTINUE)
        return rc;
    if (strcasecmp(pos.argv[1], "read") == 0)
        type = ETCD_PERM_READ;
    else if (strcasecmp(pos.argv[1], "write") == 0)
        type = ETCD_PERM_WRITE;
    else if (strcasecmp(pos.argv[1], "readwrite") == 0)
        type = ETCD_PERM_READWRITE;
    else
        return cli_usage_error(ctx, cmd,
                               "invalid permission type %s: read, write or readwrite",
                               pos.argv[1]);
    rc = perm_range(ctx, cmd, &a, pos.argc > 3 ? pos.argv[3] : NULL, &range);
    if (rc == CLI_CONTINUE)
        rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_v3_role_grant_sync(client, pos.argv[0], type, cli_v3_bytes(pos.argv[2]),
                                 &range, &resp);
    snprintf(line, sizeof(line), "Role %s updated", pos.argv[0]);
    return v3adm_finish(ctx, rc, resp, line);
}

static int v3_role_revoke(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    etcd_range_end range;
    const char *key;
    char *end = NULL;
    size_t end_len = 0;
    v3adm_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_parse(ctx, cmd, argc, argv, &a, &pos, 2, 3);
    if (rc != CLI_CONTINUE)
        return rc;
    key = pos.argv[1];
    rc = perm_range(ctx, cmd, &a, pos.argc > 2 ? pos.argv[2] : NULL, &range);
    if (rc == CLI_CONTINUE)
        rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_v3_role_revoke_sync(client, pos.argv[0], cli_v3_bytes(key), &range, &resp);
    if (rc != ETCD_OK || ctx->output == CLI_OUTPUT_JSON)
        return v3adm_finish(ctx, rc, resp, "");
    /* etcdctl's line names the range revoked */
    if (a.prefix) {
        end = prefix_end(key, strlen(key), &end_len);
    } else if (a.from_key) {
        end = strdup("");
        end_len = 1;
    } else if (pos.argc > 2) {
        end = strdup(pos.argv[2]);
        end_len = strlen(pos.argv[2]);
    }
    if (end_len == 0) {
        printf("Permission of key %s is revoked from role %s\n", key, pos.argv[0]);
    } else if (end != NULL && !is_open_end(end, end_len)) {
        printf("Permission of range [%s, ", key);
        print_bytes(end, end_len);
        printf(") is revoked from role %s\n", pos.argv[0]);
    } else if (end != NULL) {
        printf("Permission of range [%s, <open ended> is revoked from role %s\n", key,
               pos.argv[0]);
    }
    free(end);
    etcd_response_free(resp);
    if (end_len > 0 && end == NULL)
        return cli_report(ctx, ETCD_ENOMEM, NULL, "printing the range");
    return CLI_EXIT_OK;
}

/* ---- The tables ----------------------------------------------------------------- */

#define OPT_PASSWORD_STDIN                                                               \
    V3ADM_OPT("password-stdin", CLI_OPT_FLAG, NULL, password_stdin,                      \
              ADMIN_PASSWORD_STDIN_HELP)

static const cli_opt user_add_opts[] = {
    OPT_PASSWORD_STDIN,
    V3ADM_OPT("no-password", CLI_OPT_FLAG, NULL, no_password,
              "create a user without a password (it authenticates by its TLS client "
              "certificate's common name only)"),
    {0},
};

static const cli_opt user_passwd_opts[] = {
    OPT_PASSWORD_STDIN,
    {0},
};

static const cli_opt user_get_opts[] = {
    V3ADM_OPT("detail", CLI_OPT_FLAG, NULL, detail,
              "also show each role's permissions, as role get"),
    {0},
};

static const cli_opt perm_opts[] = {
    V3ADM_OPT("prefix", CLI_OPT_FLAG, NULL, prefix,
              "the permission covers every key "
              "starting with KEY"),
    V3ADM_OPT("from-key", CLI_OPT_FLAG, NULL, from_key,
              "the permission covers every key from KEY on (KEY and above)"),
    {0},
};

const cli_command v3adm_auth_cmds[] = {
    {"enable", CLI_API_V3, NULL, "enable authentication",
     "Enable v3 authentication and print 'Authentication Enabled'. etcd wants a user "
     "named root first (user add root); as etcdctl, a root user without the root role "
     "gets it (the role is created when missing).",
     NULL, v3_auth_enable, NULL},
    {"disable", CLI_API_V3, NULL, "disable authentication",
     "Disable v3 authentication (as root: give --user root) and print 'Authentication "
     "Disabled'.",
     NULL, v3_auth_disable, NULL},
    {"status", CLI_API_V3, NULL, "tell whether authentication is enabled",
     "Print 'Authentication Status: true' or 'false', then 'AuthRevision: N' when the "
     "server tells it (etcd 3.5 and later; etcd 3.4 has no status call and is asked "
     "with an authenticate request without credentials instead). -o json: the "
     "server's answer, {\"enabled\":...} on etcd 3.4.",
     NULL, v3_auth_status, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

const cli_command v3adm_user_cmds[] = {
    {"add", CLI_API_V3, "NAME", "add a user",
     "Add user NAME and print 'User NAME created'. The password comes from standard "
     "input with --password-stdin, else from env ETCDWATCH_NEW_PASSWORD, else from a "
     "prompt without echo on the terminal (asked twice); never from the command line "
     "(NAME:PASSWORD is refused).",
     user_add_opts, v3_user_add, NULL},
    {"get", CLI_API_V3, "NAME", "show a user's roles",
     "Print 'User: NAME' and 'Roles: R1 R2'; with --detail, each role's permissions as "
     "role get prints them instead of the Roles line. -o json: the gateway's answer "
     "(with --detail, then each role's answer, one per line).",
     user_get_opts, v3_user_get, NULL},
    {"list", CLI_API_V3, NULL, "list the users", "Print every user's name, one per line.",
     NULL, v3_user_list, NULL},
    {"delete", CLI_API_V3, "NAME", "delete a user", "Delete user NAME.", NULL,
     v3_user_delete, NULL},
    {"passwd", CLI_API_V3, "NAME", "change a user's password",
     "Change the password of user NAME (which must exist) and print 'Password "
     "updated'. The new password comes as for user add: --password-stdin, env "
     "ETCDWATCH_NEW_PASSWORD or a prompt.",
     user_passwd_opts, v3_user_passwd, NULL},
    {"grant-role", CLI_API_V3, "NAME ROLE", "grant a role to a user",
     "Grant role ROLE to user NAME and print 'Role ROLE is granted to user NAME'.", NULL,
     v3_user_grant_role, NULL},
    {"revoke-role", CLI_API_V3, "NAME ROLE", "revoke a role from a user",
     "Revoke role ROLE from user NAME and print 'Role ROLE is revoked from user NAME'.",
     NULL, v3_user_revoke_role, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

const cli_command v3adm_role_cmds[] = {
    {"add", CLI_API_V3, "NAME", "add a role", "Add role NAME with no permissions.", NULL,
     v3_role_add, NULL},
    {"get", CLI_API_V3, "NAME", "show a role's permissions",
     "Print 'Role NAME', then under 'KV Read:' and 'KV Write:' one permission per line "
     "as etcdctl does: a key, '[KEY, END)' for a range with ' (prefix KEY)' when it is "
     "a prefix, or '[KEY, <open ended>' for --from-key.",
     NULL, v3_role_get, NULL},
    {"list", CLI_API_V3, NULL, "list the roles", "Print every role's name, one per line.",
     NULL, v3_role_list, NULL},
    {"delete", CLI_API_V3, "NAME", "delete a role", "Delete role NAME.", NULL,
     v3_role_delete, NULL},
    {"grant-permission", CLI_API_V3, "NAME read|write|readwrite KEY [RANGE_END]",
     "grant a role a permission on a key or range",
     "Grant role NAME read, write or readwrite permission on KEY, on [KEY, RANGE_END), "
     "on every key starting with KEY (--prefix) or on every key from KEY on "
     "(--from-key). Prints 'Role NAME updated'.",
     perm_opts, v3_role_grant, NULL},
    {"revoke-permission", CLI_API_V3, "NAME KEY [RANGE_END]",
     "revoke a role's permission on a key or range",
     "Revoke role NAME's permission on KEY, [KEY, RANGE_END), a prefix (--prefix) or "
     "KEY and above (--from-key): the same key and range as granted (etcd refuses "
     "anything else with 'permission is not granted to the role'). Prints etcdctl's "
     "'Permission of key KEY is revoked from role NAME' or 'Permission of range [KEY, "
     "END) is revoked from role NAME'.",
     perm_opts, v3_role_revoke, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
