/*
 * etcdwatch: what the admin commands share. See cmd_admin.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "cmd_admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The longest new password accepted, as the --user prompt's limit. */
#define ADMIN_PASSWORD_MAX 1023

int admin_query(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                cli_query_fn call, etcd_response **resp)
{
    return cli_query(ctx, cmd, argc, argv, call, admin_report, cli_print_json, resp);
}

/* ---- Errors --------------------------------------------------------------------- */

int admin_report(const cli_ctx *ctx, int rc, const etcd_response *resp, const char *hint)
{
    const char *msg;

    if (rc != ETCD_EHTTP || resp == NULL || resp->error.code != 0 ||
        resp->error.message == NULL || resp->error.message[0] == '\0')
        return cli_report(ctx, rc, resp, hint);

    /* {"message":"..."} with an HTTP status: the auth and members APIs' refusals. */
    msg = resp->error.message;
    fflush(stdout);
    if (ctx->output == CLI_OUTPUT_JSON && resp->body != NULL && resp->body[0] == '{') {
        cli_print_json(resp);
        fflush(stdout);
    }
    if (resp->http_status == 401)
        fprintf(stderr,
                "Error:  110: The request requires user authentication (%s) [0]\n", msg);
    else if (resp->http_status >= 500)
        fprintf(stderr, "Error:  %s: HTTP %ld: %s%s%s%s\n",
                resp->endpoint != NULL ? resp->endpoint : "etcd", resp->http_status, msg,
                hint != NULL ? " (" : "", hint != NULL ? hint : "",
                hint != NULL ? ")" : "");
    else
        fprintf(stderr, "Error:  %s\n", msg);
    return CLI_EXIT_ERROR;
}

/* ---- Lists ---------------------------------------------------------------------- */

int admin_list_split(const char *s, admin_list *out)
{
    size_t n = 0;
    char *p;

    memset(out, 0, sizeof(*out));
    out->storage = strdup(s != NULL ? s : "");
    if (out->storage == NULL)
        return -1;
    /* at most one item per comma, plus one */
    for (p = out->storage; *p != '\0'; p++)
        n += *p == ',';
    out->items = calloc(n + 1, sizeof(*out->items));
    if (out->items == NULL) {
        free(out->storage);
        out->storage = NULL;
        return -1;
    }
    p = out->storage;
    for (;;) {
        char *comma = strchr(p, ',');

        if (comma != NULL)
            *comma = '\0';
        if (*p != '\0')
            out->items[out->n++] = p;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return (int)out->n;
}

void admin_list_free(admin_list *l)
{
    free(l->items);
    free(l->storage);
    memset(l, 0, sizeof(*l));
}

int admin_list_arg(cli_ctx *ctx, const cli_command *cmd, const char *text,
                   const char *what, const char *item, admin_list *out)
{
    char reading[128];

    if (admin_list_split(text, out) < 0) {
        snprintf(reading, sizeof(reading), "reading %s", what);
        return cli_report(ctx, ETCD_ENOMEM, NULL, reading);
    }
    if (out->n == 0) {
        admin_list_free(out);
        return cli_usage_error(ctx, cmd, "%s names no %s", what, item);
    }
    return CLI_CONTINUE;
}

char *admin_join(const char *const *items, size_t n, const char *sep)
{
    size_t len = 1;
    size_t seplen = strlen(sep);
    char *out;
    char *p;

    for (size_t i = 0; i < n; i++)
        len += strlen(items[i] != NULL ? items[i] : "") + (i > 0 ? seplen : 0);
    out = malloc(len);
    if (out == NULL)
        return NULL;
    p = out;
    for (size_t i = 0; i < n; i++) {
        const char *item = items[i] != NULL ? items[i] : "";
        size_t l = strlen(item);

        if (i > 0) {
            memcpy(p, sep, seplen);
            p += seplen;
        }
        memcpy(p, item, l);
        p += l;
    }
    *p = '\0';
    return out;
}

/* ---- Tables --------------------------------------------------------------------- */

void admin_table_init(admin_table *t, size_t ncols)
{
    memset(t, 0, sizeof(*t));
    t->ncols = ncols;
}

int admin_table_add(admin_table *t, const char *const *row)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap == 0 ? 8 : t->cap * 2;
        char **cells = realloc(t->cells, cap * t->ncols * sizeof(*cells));

        if (cells == NULL)
            return -1;
        t->cells = cells;
        t->cap = cap;
    }
    for (size_t c = 0; c < t->ncols; c++) {
        char *copy = strdup(row[c] != NULL ? row[c] : "");

        if (copy == NULL) {
            for (size_t k = 0; k < c; k++)
                free(t->cells[t->nrows * t->ncols + k]);
            return -1;
        }
        t->cells[t->nrows * t->ncols + c] = copy;
    }
    t->nrows++;
    return 0;
}

/* Columns a string takes on a terminal: UTF-8 code points, not bytes. */
static size_t display_width(const char *s)
{
    size_t w = 0;

    for (; *s != '\0'; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

void admin_table_print(const admin_table *t)
{
    size_t *width = calloc(t->ncols > 0 ? t->ncols : 1, sizeof(*width));

    if (width == NULL) {
        /* not aligned, but complete */
        for (size_t r = 0; r < t->nrows; r++) {
            for (size_t c = 0; c < t->ncols; c++)
                printf("%s%s", c > 0 ? "  " : "", t->cells[r * t->ncols + c]);
            putchar('\n');
        }
        return;
    }
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            size_t w = display_width(t->cells[r * t->ncols + c]);

            if (w > width[c])
                width[c] = w;
        }
    }
    for (size_t r = 0; r < t->nrows; r++) {
        size_t last = t->ncols;

        /* no trailing blanks: stop after the last non-empty cell */
        while (last > 1 && t->cells[r * t->ncols + last - 1][0] == '\0')
            last--;
        for (size_t c = 0; c < last; c++) {
            const char *cell = t->cells[r * t->ncols + c];

            fputs(cell, stdout);
            if (c + 1 < last)
                printf("%*s", (int)(width[c] - display_width(cell) + 2), "");
        }
        putchar('\n');
    }
    free(width);
}

void admin_table_free(admin_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof(*t));
}

int admin_table_cmd(cli_ctx *ctx, const cli_command *cmd, int argc, char **argv,
                    cli_query_fn call, admin_table_fn fill, size_t ncols)
{
    etcd_response *resp;
    admin_table t;
    int rc;

    rc = admin_query(ctx, cmd, argc, argv, call, &resp);
    if (rc != CLI_CONTINUE)
        return rc;
    admin_table_init(&t, ncols);
    if (fill(&t, resp) != 0) {
        rc = cli_report(ctx, ETCD_ENOMEM, NULL, "building the table");
    } else {
        admin_table_print(&t);
        rc = CLI_EXIT_OK;
    }
    admin_table_free(&t);
    etcd_response_free(resp);
    return rc;
}

/* ---- Members -------------------------------------------------------------------- */

char *admin_initial_cluster(const etcd_member *members, size_t n, const char *id,
                            const char *name)
{
    size_t npairs = 0, k = 0;
    char **pairs;
    char *out;

    for (size_t i = 0; i < n; i++)
        npairs += members[i].npeer_urls;
    pairs = calloc(npairs + 1, sizeof(*pairs));
    if (pairs == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const etcd_member *m = &members[i];
        const char *mname = id != NULL && m->id != NULL && strcmp(m->id, id) == 0
                                ? name
                                : (m->name != NULL ? m->name : "");

        for (size_t u = 0; u < m->npeer_urls; u++) {
            size_t len = strlen(mname) + strlen(m->peer_urls[u]) + 2;

            pairs[k] = malloc(len);
            if (pairs[k] == NULL)
                break;
            snprintf(pairs[k], len, "%s=%s", mname, m->peer_urls[u]);
            k++;
        }
    }
    out = k == npairs ? admin_join((const char *const *)pairs, npairs, ",") : NULL;
    for (size_t i = 0; i < k; i++)
        free(pairs[i]);
    free(pairs);
    return out;
}

/* ---- JSON ----------------------------------------------------------------------- */

int admin_print_json(const cli_ctx *ctx, json_t *json)
{
    char *text;

    if (json == NULL)
        return cli_report(ctx, ETCD_ENOMEM, NULL, "building the JSON output");
    text = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(json);
    if (text == NULL)
        return cli_report(ctx, ETCD_ENOMEM, NULL, "building the JSON output");
    puts(text);
    free(text);
    return CLI_EXIT_OK;
}

json_t *admin_body_json(const etcd_response *resp)
{
    if (resp == NULL || resp->body == NULL || resp->body_len == 0)
        return NULL;
    return json_loadb(resp->body, resp->body_len, JSON_DECODE_ANY, NULL);
}

/* ---- New passwords -------------------------------------------------------------- */

static void wipe(char *s, size_t len)
{
    volatile char *p = s;

    while (len-- > 0)
        *p++ = '\0';
}

/* One line of standard input, its newline dropped. */
static int password_from_stdin(char **out)
{
    char buf[ADMIN_PASSWORD_MAX + 2];
    size_t len = 0;

    *out = NULL;
    /* read(2) byte by byte: no stdio buffer keeps a copy of the secret */
    for (;;) {
        char ch;
        ssize_t n = read(STDIN_FILENO, &ch, 1);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            wipe(buf, len);
            fprintf(stderr, "Error:  reading the password from standard input: %s\n",
                    strerror(errno));
            return CLI_EXIT_ERROR;
        }
        if (n == 0 || ch == '\n')
            break;
        if (len >= ADMIN_PASSWORD_MAX) {
            wipe(buf, len);
            fprintf(stderr,
                    "Error:  the password on standard input is longer than %d bytes\n",
                    ADMIN_PASSWORD_MAX);
            return CLI_EXIT_ERROR;
        }
        buf[len++] = ch;
    }
    if (len > 0 && buf[len - 1] == '\r')
        len--;
    buf[len] = '\0';
    *out = strdup(buf);
    wipe(buf, len);
    if (*out == NULL) {
        fprintf(stderr, "Error:  out of memory\n");
        return CLI_EXIT_ERROR;
    }
    return CLI_CONTINUE;
}

int admin_new_password(const cli_ctx *ctx, int from_stdin, const char *name, char **out)
{
    const char *env = getenv("ETCDWATCH_NEW_PASSWORD");
    char prompt[256];
    char *again;
    int no_tty;
    int rc;

    *out = NULL;
    if (from_stdin) {
        rc = password_from_stdin(out);
        if (rc != CLI_CONTINUE)
            return rc;
    } else if (env != NULL) {
        *out = strdup(env);
        if (*out == NULL)
            return cli_report(ctx, ETCD_ENOMEM, NULL, "copying the password");
    } else {
        snprintf(prompt, sizeof(prompt), "New password for %s: ", name);
        *out = cli_prompt_secret(prompt, &no_tty);
        if (*out == NULL) {
            if (no_tty)
                fprintf(stderr,
                        "Error:  %s: no terminal to ask for the new password on: use "
                        "--password-stdin or set ETCDWATCH_NEW_PASSWORD\n",
                        ctx->path);
            return CLI_EXIT_ERROR;
        }
        if ((*out)[0] != '\0') {
            snprintf(prompt, sizeof(prompt), "Repeat the new password for %s: ", name);
            again = cli_prompt_secret(prompt, &no_tty);
            if (again == NULL) {
                cli_free_secret(*out);
                *out = NULL;
                return CLI_EXIT_ERROR;
            }
            rc = strcmp(again, *out);
            cli_free_secret(again);
            if (rc != 0) {
                cli_free_secret(*out);
                *out = NULL;
                fprintf(stderr, "Error:  the passwords do not match; nothing changed\n");
                return CLI_EXIT_ERROR;
            }
        }
    }
    if ((*out)[0] == '\0') {
        cli_free_secret(*out);
        *out = NULL;
        fprintf(stderr, "Error:  %s: the new password is empty; nothing changed\n",
                ctx->path);
        return CLI_EXIT_ERROR;
    }
    return CLI_CONTINUE;
}
