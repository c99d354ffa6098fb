/*
 * etcdwatch: v2 auth commands: auth enable|disable|status, user ..., role ...
 *
 * Under -o simple they print etcdctl v2's lines ("User rkt created") and aligned tables
 * for the lists; under -o json the server's answer, or an object built here when the
 * server answers with no body (remove) or the answer is composite (enable, disable).
 *
 * etcd's v2 auth API has two traps that etcdctl falls into and these commands do not:
 * a PUT of a user is "create or replace", so `user add` of an existing user would
 * silently reset its password and `user passwd` of a missing user would create it; and
 * granting a role that does not exist succeeds. Both are checked first here.
 */
#define _POSIX_C_SOURCE 200809L

#include "cmd_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- auth enable, disable, status ----------------------------------------------- */

/* Report a refusal of enable/disable (etcd's 409 "auth: No root user available, please
 * create one"): etcd's message, and under -o json its object. Returns 1. */
static int refusal(const cli_ctx *ctx, const etcd_response *resp)
{
    json_t *body = admin_body_json(resp);
    const char *msg = json_string_value(json_object_get(body, "message"));

    fflush(stdout);
    if (ctx->output == CLI_OUTPUT_JSON)
        cli_print_json(resp);
    fflush(stdout);
    fprintf(stderr, "Error:  %s\n", msg != NULL ? msg : "refused by etcd");
    json_decref(body);
    return CLI_EXIT_ERROR;
}

static int auth_toggle(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                       int enable)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    admin_args a = {0};
    cli_args pos;
    int status;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 0, 0, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = enable ? etcd_auth_enable_sync(client, &resp)
                : etcd_auth_disable_sync(client, &resp);
    if (rc == ETCD_EHTTP && resp != NULL && resp->http_status == 409) {
        status = refusal(ctx, resp);
    } else if (rc != ETCD_OK) {
        status = admin_report(ctx, rc, resp, ctx->path);
    } else if (ctx->output == CLI_OUTPUT_JSON) {
        status = admin_print_json(ctx, json_pack("{s:b,s:b}", "enabled", enable,
                                                 "changed", resp->auth_changed != 0));
    } else {
        if (resp->auth_changed)
            printf("Authentication %s\n", enable ? "Enabled" : "Disabled");
        else
            printf("Authentication already %s\n", enable ? "enabled" : "disabled");
        status = CLI_EXIT_OK;
    }
    etcd_response_free(resp);
    return status;
}

int cmd_auth_enable(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return auth_toggle(ctx, cmd, argc, argv, 1);
}

int cmd_auth_disable(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return auth_toggle(ctx, cmd, argc, argv, 0);
}

int cmd_auth_status(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    admin_args a = {0};
    cli_args pos;
    int status = CLI_EXIT_OK;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 0, 0, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_auth_status_sync(client, &resp);
    if (rc != ETCD_OK)
        status = admin_report(ctx, rc, resp, ctx->path);
    else if (ctx->output == CLI_OUTPUT_JSON)
        status = admin_print_json(ctx, json_pack("{s:b}", "enabled", resp->auth_enabled));
    else
        printf("Authentication is %s\n", resp->auth_enabled ? "enabled" : "disabled");
    etcd_response_free(resp);
    return status;
}

/* ---- Shared by user and role ---------------------------------------------------- */

/* Print the server's JSON answer, or `simple` as a line; free resp. */
static int finish_line(cli_ctx *ctx, int rc, etcd_response *resp, const char *simple)
{
    int status = CLI_EXIT_OK;

    if (rc != ETCD_OK) {
        status = admin_report(ctx, rc, resp, ctx->path);
    } else if (ctx->output == CLI_OUTPUT_JSON) {
        /* the server's answer as it came; an object in any case */
        if (resp->body != NULL && resp->body_len > 0 && resp->body[0] == '{')
            cli_print_json(resp);
        else
            puts("{}");
    } else {
        printf("%s\n", simple);
    }
    etcd_response_free(resp);
    return status;
}

/* user remove, role remove: `call` on NAME; `field` and `kind` name what it removes
 * ("user", "User"). The server answers 200 with no body: -o json prints {field: NAME,
 * "removed": true}, simple output "User NAME removed". */
static int remove_cmd(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                      cli_name_fn call, const char *field, const char *kind)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    admin_args a = {0};
    cli_args pos;
    char line[512];
    int status = CLI_EXIT_OK;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = call(client, pos.argv[0], &resp);
    snprintf(line, sizeof(line), "%s %s removed", kind, pos.argv[0]);
    if (rc != ETCD_OK)
        status = admin_report(ctx, rc, resp, ctx->path);
    else if (ctx->output == CLI_OUTPUT_JSON)
        status = admin_print_json(
            ctx, json_pack("{s:s,s:b}", field, pos.argv[0], "removed", 1));
    else
        printf("%s\n", line);
    etcd_response_free(resp);
    return status;
}

/* A role's paths as one cell, comma-separated ("" for none). */
static char *paths_cell(const char *const *paths, size_t n)
{
    return admin_join(paths, n, ",");
}

/* Add a row ROLE READ WRITE for `role`. Returns 0 or -1 (out of memory). */
static int add_role_row(admin_table *t, const etcd_role *role)
{
    char *read = paths_cell(role->read, role->nread);
    char *write = paths_cell(role->write, role->nwrite);
    const char *row[3] = {role->name, read, write};
    int rc = -1;

    if (read != NULL && write != NULL)
        rc = admin_table_add(t, row);
    free(read);
    free(write);
    return rc;
}

/* The table ROLE READ WRITE of `n` roles. Returns 0 or -1 (out of memory). */
static int add_role_table(admin_table *t, const etcd_role *roles, size_t n)
{
    int failed = admin_table_add(t, (const char *[]){"ROLE", "READ", "WRITE"});

    for (size_t i = 0; i < n && !failed; i++)
        failed |= add_role_row(t, &roles[i]);
    return failed;
}

static int print_table(cli_ctx *ctx, admin_table *t, int failed)
{
    if (failed) {
        admin_table_free(t);
        return cli_report(ctx, ETCD_ENOMEM, NULL, "building the table");
    }
    admin_table_print(t);
    admin_table_free(t);
    return CLI_EXIT_OK;
}

/* Fail with etcd's own error unless user `name` exists (want_exists) or does not
 * (!want_exists). Returns CLI_CONTINUE or an exit status. */
static int check_user(cli_ctx *ctx, etcd_client *client, const char *name,
                      int want_exists)
{
    etcd_response *resp = NULL;
    int rc = etcd_user_get_sync(client, name, &resp);
    int status = CLI_CONTINUE;

    if (rc == ETCD_OK && !want_exists) {
        char msg[512];

        /* in the words etcd uses for a role */
        snprintf(msg, sizeof(msg), "auth: User %s already exists.", name);
        fflush(stdout);
        if (ctx->output == CLI_OUTPUT_JSON)
            admin_print_json(ctx, json_pack("{s:s}", "message", msg));
        fflush(stdout);
        fprintf(stderr, "Error:  %s\n", msg);
        status = CLI_EXIT_ERROR;
    } else if (rc != ETCD_OK &&
               (want_exists || resp == NULL || resp->http_status != 404)) {
        status = admin_report(ctx, rc, resp, ctx->path);
    }
    etcd_response_free(resp);
    return status;
}

/* Fail with etcd's own error ("auth: Role x does not exist.") unless every role of
 * `roles` exists: etcd grants a missing role without a word. */
static int check_roles(cli_ctx *ctx, etcd_client *client, const admin_list *roles)
{
    for (size_t i = 0; i < roles->n; i++) {
        etcd_response *resp = NULL;
        int rc = etcd_role_get_sync(client, roles->items[i], &resp);

        if (rc != ETCD_OK) {
            rc = admin_report(ctx, rc, resp, ctx->path);
            etcd_response_free(resp);
            return rc;
        }
        etcd_response_free(resp);
    }
    return CLI_CONTINUE;
}

/* --roles R1,R2 into *roles; `required`: a missing or empty list is a usage error. */
static int parse_roles(cli_ctx *ctx, const cli_command *cmd, const admin_args *a,
                       int required, admin_list *roles)
{
    memset(roles, 0, sizeof(*roles));
    if (a->roles == NULL && !required)
        return CLI_CONTINUE;
    if (a->roles == NULL)
        return cli_usage_error(ctx, cmd, "missing --roles R1,R2");
    return admin_list_arg(ctx, cmd, a->roles, "--roles", "role", roles);
}

/* ---- user ------------------------------------------------------------------------ */

/* user list: USER and ROLES, the roles comma-separated. */
static int fill_users(admin_table *t, const etcd_response *resp)
{
    int failed = admin_table_add(t, (const char *[]){"USER", "ROLES"});

    for (size_t i = 0; i < resp->nusers && !failed; i++) {
        const etcd_user *u = &resp->users[i];
        const char **names = calloc(u->nroles + 1, sizeof(*names));
        char *roles;

        if (names == NULL)
            return -1;
        for (size_t r = 0; r < u->nroles; r++)
            names[r] = u->roles[r].name;
        roles = admin_join(names, u->nroles, ",");
        free(names);
        if (roles == NULL)
            return -1;
        failed |= admin_table_add(t, (const char *[]){u->name, roles});
        free(roles);
    }
    return failed;
}

int cmd_user_list(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return admin_table_cmd(ctx, cmd, argc, argv, etcd_user_list_sync, fill_users, 2);
}

int cmd_user_get(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    const etcd_user *u;
    admin_table t;
    admin_args a = {0};
    cli_args pos;
    int status;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_user_get_sync(client, pos.argv[0], &resp);
    if (rc != ETCD_OK || ctx->output == CLI_OUTPUT_JSON || resp->nusers == 0)
        return finish_line(ctx, rc, resp, "");

    u = &resp->users[0];
    printf("User: %s\n", u->name != NULL ? u->name : pos.argv[0]);
    if (u->nroles == 0) {
        printf("Roles: (none)\n");
        etcd_response_free(resp);
        return CLI_EXIT_OK;
    }
    printf("Roles:");
    for (size_t r = 0; r < u->nroles; r++)
        printf(" %s", u->roles[r].name);
    printf("\n\n");
    admin_table_init(&t, 3);
    status = print_table(ctx, &t, add_role_table(&t, u->roles, u->nroles));
    etcd_response_free(resp);
    return status;
}

int cmd_user_add(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_user_change change = {0};
    etcd_response *resp = NULL;
    etcd_client *client;
    admin_list roles;
    admin_args a = {0};
    cli_args pos;
    char line[512];
    char *password = NULL;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = parse_roles(ctx, cmd, &a, 0, &roles);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = check_user(ctx, client, pos.argv[0], 0);
    if (rc == CLI_CONTINUE)
        rc = check_roles(ctx, client, &roles);
    if (rc == CLI_CONTINUE)
        rc = admin_new_password(ctx, a.password_stdin, pos.argv[0], &password);
    if (rc != CLI_CONTINUE) {
        admin_list_free(&roles);
        return rc;
    }
    change.password = password;
    change.grant = roles.items;
    change.ngrant = roles.n;
    rc = etcd_user_create_sync(client, pos.argv[0], &change, &resp);
    cli_free_secret(password);
    admin_list_free(&roles);
    snprintf(line, sizeof(line), "User %s created", pos.argv[0]);
    return finish_line(ctx, rc, resp, line);
}

int cmd_user_remove(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return remove_cmd(ctx, cmd, argc, argv, etcd_user_delete_sync, "user", "User");
}

int cmd_user_passwd(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_user_change change = {0};
    etcd_response *resp = NULL;
    etcd_client *client;
    admin_args a = {0};
    cli_args pos;
    char *password = NULL;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    /* a PUT with a password creates a missing user */
    rc = check_user(ctx, client, pos.argv[0], 1);
    if (rc == CLI_CONTINUE)
        rc = admin_new_password(ctx, a.password_stdin, pos.argv[0], &password);
    if (rc != CLI_CONTINUE)
        return rc;
    change.password = password;
    rc = etcd_user_update_sync(client, pos.argv[0], &change, &resp);
    cli_free_secret(password);
    return finish_line(ctx, rc, resp, "Password updated");
}

static int user_roles(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                      int grant)
{
    etcd_user_change change = {0};
    etcd_response *resp = NULL;
    etcd_client *client;
    admin_list roles;
    admin_args a = {0};
    cli_args pos;
    char line[512];
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = parse_roles(ctx, cmd, &a, 1, &roles);
    if (rc != CLI_CONTINUE)
        return rc;
    if (grant) {
        rc = check_roles(ctx, client, &roles);
        if (rc != CLI_CONTINUE) {
            admin_list_free(&roles);
            return rc;
        }
        change.grant = roles.items;
        change.ngrant = roles.n;
    } else {
        change.revoke = roles.items;
        change.nrevoke = roles.n;
    }
    rc = etcd_user_update_sync(client, pos.argv[0], &change, &resp);
    admin_list_free(&roles);
    snprintf(line, sizeof(line), "User %s updated", pos.argv[0]);
    return finish_line(ctx, rc, resp, line);
}

int cmd_user_grant(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return user_roles(ctx, cmd, argc, argv, 1);
}

int cmd_user_revoke(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return user_roles(ctx, cmd, argc, argv, 0);
}

/* ---- role ------------------------------------------------------------------------ */

/* role list: ROLE, READ and WRITE, the paths comma-separated. */
static int fill_roles(admin_table *t, const etcd_response *resp)
{
    return add_role_table(t, resp->roles, resp->nroles);
}

int cmd_role_list(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return admin_table_cmd(ctx, cmd, argc, argv, etcd_role_list_sync, fill_roles, 3);
}

/* etcdctl's form: "Role: NAME", then "KV Read:" and "KV Write:", a path per line. */
int cmd_role_get(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    const etcd_role *role;
    admin_args a = {0};
    cli_args pos;
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_role_get_sync(client, pos.argv[0], &resp);
    if (rc != ETCD_OK || ctx->output == CLI_OUTPUT_JSON || resp->nroles == 0)
        return finish_line(ctx, rc, resp, "");
    role = &resp->roles[0];
    printf("Role: %s\n", role->name != NULL ? role->name : pos.argv[0]);
    printf("KV Read:\n");
    for (size_t i = 0; i < role->nread; i++)
        printf("\t%s\n", role->read[i]);
    printf("KV Write:\n");
    for (size_t i = 0; i < role->nwrite; i++)
        printf("\t%s\n", role->write[i]);
    etcd_response_free(resp);
    return CLI_EXIT_OK;
}

int cmd_role_add(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    admin_args a = {0};
    cli_args pos;
    char line[512];
    int rc;

    rc = cli_start(ctx, cmd, argc, argv, &a, &pos, 1, 1, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = etcd_role_create_sync(client, pos.argv[0], NULL, &resp);
    snprintf(line, sizeof(line), "Role %s created", pos.argv[0]);
    return finish_line(ctx, rc, resp, line);
}

int cmd_role_remove(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return remove_cmd(ctx, cmd, argc, argv, etcd_role_delete_sync, "role", "Role");
}

static int role_paths(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                      int grant)
{
    etcd_response *resp = NULL;
    etcd_client *client;
    etcd_paths paths = {0};
    const char *path[1];
    admin_args a = {0};
    cli_args pos;
    char line[512];
    int read, write;
    int rc;

    rc = cli_parse(ctx, cmd, argc, argv, &a, &pos, 1, 1);
    if (rc != CLI_CONTINUE)
        return rc;
    if (a.read + a.write + a.readwrite > 1)
        return cli_usage_error(ctx, cmd,
                               "give at most one of --read, --write and --readwrite");
    if (a.path == NULL || a.path[0] == '\0')
        return cli_usage_error(ctx, cmd, "missing --path PATH");
    rc = cli_client(ctx, &client);
    if (rc != CLI_CONTINUE)
        return rc;
    /* none of them: both, as --readwrite */
    read = a.read || a.readwrite || !a.write;
    write = a.write || a.readwrite || !a.read;
    path[0] = a.path;
    if (read) {
        paths.read = path;
        paths.nread = 1;
    }
    if (write) {
        paths.write = path;
        paths.nwrite = 1;
    }
    rc = etcd_role_update_sync(client, pos.argv[0], grant ? &paths : NULL,
                               grant ? NULL : &paths, &resp);
    snprintf(line, sizeof(line), "Role %s updated", pos.argv[0]);
    return finish_line(ctx, rc, resp, line);
}

int cmd_role_grant(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return role_paths(ctx, cmd, argc, argv, 1);
}

int cmd_role_revoke(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    return role_paths(ctx, cmd, argc, argv, 0);
}
