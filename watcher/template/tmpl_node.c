#include "tmpl_node.h"

#include <stdlib.h>
#include <string.h>

bool tmpl_number_looks_float(const tmpl_node *n)
{
    const char *c;

    for (c = ".eEpP"; *c; c++) {
        if (memchr(n->text, *c, n->text_len))
            return true;
    }
    return false;
}

static int write_kids(tmpl_buf *b, tmpl_node *const *kids, size_t n, const char *sep)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < n && rc == 0; i++) {
        if (i > 0)
            rc = tmpl_buf_adds(b, sep);
        if (rc == 0)
            rc = tmpl_node_write(b, kids[i]);
    }
    return rc;
}

static int write_idents(tmpl_buf *b, const tmpl_node *n, int leading_dot)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < n->nidents && rc == 0; i++) {
        if (i > 0 || leading_dot)
            rc = tmpl_buf_addc(b, '.');
        if (rc == 0)
            rc = tmpl_buf_adds(b, n->idents[i]);
    }
    return rc;
}

static int write_pipe(tmpl_buf *b, const tmpl_node *n)
{
    int rc = 0;

    if (n->ndecl > 0) {
        rc = write_kids(b, n->decl, n->ndecl, ", ");
        if (rc == 0)
            rc = tmpl_buf_adds(b, n->is_assign ? " = " : " := ");
    }
    if (rc == 0)
        rc = write_kids(b, n->kids, n->nkids, " | ");
    return rc;
}

static int write_command(tmpl_buf *b, const tmpl_node *n)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < n->nkids && rc == 0; i++) {
        if (i > 0)
            rc = tmpl_buf_addc(b, ' ');
        if (rc)
            break;
        if (n->kids[i]->type == TMPL_N_PIPE) {
            rc = tmpl_buf_addc(b, '(');
            rc = rc ? rc : write_pipe(b, n->kids[i]);
            rc = rc ? rc : tmpl_buf_addc(b, ')');
        } else {
            rc = tmpl_node_write(b, n->kids[i]);
        }
    }
    return rc;
}

static int write_branch(tmpl_buf *b, const tmpl_node *n, const char *name)
{
    int rc = tmpl_buf_addf(b, "{{%s ", name);

    rc = rc ? rc : write_pipe(b, n->pipe);
    rc = rc ? rc : tmpl_buf_adds(b, "}}");
    rc = rc ? rc : tmpl_node_write(b, n->list);
    if (rc == 0 && n->else_list) {
        rc = tmpl_buf_adds(b, "{{else}}");
        rc = rc ? rc : tmpl_node_write(b, n->else_list);
    }
    return rc ? rc : tmpl_buf_adds(b, "{{end}}");
}

static int write_quoted_name(tmpl_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;
    int rc = tmpl_buf_addc(b, '"');

    for (i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            rc = tmpl_buf_addc(b, '\\');
            rc = rc ? rc : tmpl_buf_addc(b, (char)c);
        } else if (c < 0x20 || c == 0x7f) {
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            rc = tmpl_buf_add(b, e, 4);
        } else {
            rc = tmpl_buf_addc(b, (char)c);
        }
    }
    return rc ? rc : tmpl_buf_addc(b, '"');
}

static int write_chain(tmpl_buf *b, const tmpl_node *n)
{
    int rc;

    if (n->base->type == TMPL_N_PIPE) {
        rc = tmpl_buf_addc(b, '(');
        rc = rc ? rc : write_pipe(b, n->base);
        rc = rc ? rc : tmpl_buf_addc(b, ')');
    } else {
        rc = tmpl_node_write(b, n->base);
    }
    return rc ? rc : write_idents(b, n, 1);
}

int tmpl_node_write(tmpl_buf *b, const tmpl_node *n)
{
    int rc;

    switch (n->type) {
    case TMPL_N_LIST:
        return write_kids(b, n->kids, n->nkids, "");
    case TMPL_N_TEXT:
    case TMPL_N_NUMBER:
    case TMPL_N_IDENT:
        return tmpl_buf_add(b, n->text, n->text_len);
    case TMPL_N_STRING:
        return tmpl_buf_add(b, n->quoted, n->quoted_len);
    case TMPL_N_ACTION:
        rc = tmpl_buf_adds(b, "{{");
        rc = rc ? rc : write_pipe(b, n->pipe);
        return rc ? rc : tmpl_buf_adds(b, "}}");
    case TMPL_N_PIPE:
        return write_pipe(b, n);
    case TMPL_N_COMMAND:
        return write_command(b, n);
    case TMPL_N_VAR:
        return write_idents(b, n, 0);
    case TMPL_N_FIELD:
        return write_idents(b, n, 1);
    case TMPL_N_CHAIN:
        return write_chain(b, n);
    case TMPL_N_DOT:
        return tmpl_buf_addc(b, '.');
    case TMPL_N_NIL:
        return tmpl_buf_adds(b, "nil");
    case TMPL_N_BOOL:
        return tmpl_buf_adds(b, n->bool_val ? "true" : "false");
    case TMPL_N_IF:
        return write_branch(b, n, "if");
    case TMPL_N_RANGE:
        return write_branch(b, n, "range");
    case TMPL_N_WITH:
        return write_branch(b, n, "with");
    case TMPL_N_TEMPLATE:
        rc = tmpl_buf_adds(b, "{{template ");
        rc = rc ? rc : write_quoted_name(b, n->text, n->text_len);
        if (rc == 0 && n->pipe) {
            rc = tmpl_buf_addc(b, ' ');
            rc = rc ? rc : write_pipe(b, n->pipe);
        }
        return rc ? rc : tmpl_buf_adds(b, "}}");
    case TMPL_N_BREAK:
        return tmpl_buf_adds(b, "{{break}}");
    case TMPL_N_CONTINUE:
        return tmpl_buf_adds(b, "{{continue}}");
    case TMPL_N_END:
        return tmpl_buf_adds(b, "{{end}}");
    case TMPL_N_ELSE:
        return tmpl_buf_adds(b, "{{else}}");
    }
    return 0;
}

void tmpl_node_free_all(tmpl_node *first)
{
    tmpl_node *n = first;
    tmpl_node *next;
    size_t i;

    while (n) {
        next = n->next_alloc;
        for (i = 0; i < n->nidents; i++)
            free(n->idents[i]);
        free(n->idents);
        free(n->kids);
        free(n->decl);
        free(n->owned);
        free(n);
        n = next;
    }
}
