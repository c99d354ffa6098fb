#include "tmpl_parse.h"

#include "template.h"
#include "tmpl_fmt.h"
#include "tmpl_funcs.h"
#include "tmpl_lex.h"
#include "tmpl_utf8.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    tmpl_set *set;
    tmpl_lexer lx;
    size_t i;  /* next token */
    size_t hi; /* furthest token read: its line goes into errors */
    const tmpl_token **vars;
    size_t nvars;
    size_t vcap;
    int range_depth;
    int action_line;
    int depth;
    char *err;
    int oom;
} parser;

/* ---- errors ---------------------------------------------------------- */

/* Fails the parse with "template: NAME:LINE: " and the message; the first failure
 * stays. */
static void p_fail(parser *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void p_fail(parser *p, const char *fmt, ...)
{
    tmpl_buf b;
    va_list ap;
    int rc;

    if (p->err || p->oom)
        return;
    tmpl_buf_init(&b, 0);
    rc = tmpl_buf_addf(&b, "template: %s:%d: ", p->set->name, p->lx.toks[p->hi].line);
    if (rc == 0) {
        va_start(ap, fmt);
        rc = tmpl_buf_vaddf(&b, fmt, ap);
        va_end(ap);
    }
    if (rc) {
        tmpl_buf_cleanup(&b);
        p->oom = 1;
        return;
    }
    p->err = tmpl_buf_steal(&b, NULL);
}

static void p_oom(parser *p)
{
    p->oom = 1;
}

/* p_fail with the String() of a node as the first %s argument and arg as the
 * second, if fmt has one (else arg is NULL). */
static void p_fail_node(parser *p, const char *fmt, const tmpl_node *n, const char *arg)
{
    tmpl_buf b;

    tmpl_buf_init(&b, 0);
    if (tmpl_node_write(&b, n) != 0 || tmpl_buf_add(&b, "", 0) != 0)
        p_oom(p);
    else
        p_fail(p, fmt, b.data, arg);
    tmpl_buf_cleanup(&b);
}

/* Go's item.String(); returns -1 when out of memory. */
static int tok_string(parser *p, const tmpl_token *t, char *out, size_t n)
{
    const char *v = p->lx.input + t->pos;
    size_t len = t->len;
    tmpl_buf b;
    size_t i = 0;
    size_t runes = 0;
    int32_t r;

    if (t->type == TMPL_T_EOF) {
        snprintf(out, n, "EOF");
        return 0;
    }
    if (t->type > TMPL_T_KEYWORD) {
        snprintf(out, n, "<%.*s>", (int)len, v);
        return 0;
    }
    tmpl_buf_init(&b, 0);
    while (i < len && runes < 10) {
        i += tmpl_utf8_decode(v + i, len - i, &r);
        runes++;
    }
    if (tmpl_go_quote(&b, v, i, 0) != 0) {
        tmpl_buf_cleanup(&b);
        return -1;
    }
    snprintf(out, n, "%s%s", b.data, i < len ? "..." : "");
    tmpl_buf_cleanup(&b);
    return 0;
}

static void p_unexpected(parser *p, const tmpl_token *t, const char *context)
{
    char s[128];

    if (t->type == TMPL_T_ERROR) {
        const char *msg = p->lx.errmsg ? p->lx.errmsg : "";
        size_t ml = strlen(msg);
        if (p->action_line != 0 && p->action_line != t->line) {
            int act = ml >= 7 && strcmp(msg + ml - 7, " action") == 0;
            p_fail(p, "%s%s started at %s:%d", msg, act ? "" : " in action", p->set->name,
                   p->action_line);
            return;
        }
        p_fail(p, "%s", msg);
        return;
    }
    if (tok_string(p, t, s, sizeof(s)) != 0)
        p_oom(p);
    else
        p_fail(p, "unexpected %s in %s", s, context);
}

/* ---- tokens ---------------------------------------------------------- */

static const tmpl_token *p_next(parser *p)
{
    size_t k = p->i < p->lx.ntoks ? p->i : p->lx.ntoks - 1;

    if (k > p->hi)
        p->hi = k;
    p->i++;
    return &p->lx.toks[k];
}

static void p_backup(parser *p)
{
    p->i--;
}

static const tmpl_token *p_next_nonspace(parser *p)
{
    const tmpl_token *t;

    do {
        t = p_next(p);
    } while (t->type == TMPL_T_SPACE);
    return t;
}

static size_t p_mark(parser *p)
{
    return p->i;
}

static void p_reset(parser *p, size_t mark)
{
    p->i = mark;
}

static const tmpl_token *p_peek(parser *p)
{
    size_t m = p_mark(p);
    const tmpl_token *t = p_next(p);

    p_reset(p, m);
    return t;
}

/* Go's peekNonSpace: skips spaces for good, then peeks. */
static const tmpl_token *p_peek_nonspace(parser *p)
{
    const tmpl_token *t = p_next_nonspace(p);

    p_backup(p);
    return t;
}

static const tmpl_token *p_expect(parser *p, tmpl_tok_type type, const char *context)
{
    const tmpl_token *t = p_next_nonspace(p);

    if (t->type != type) {
        p_unexpected(p, t, context);
        return NULL;
    }
    return t;
}

/* ---- nodes ----------------------------------------------------------- */

static tmpl_node *p_node(parser *p, tmpl_node_type type, size_t pos)
{
    tmpl_node *n = calloc(1, sizeof(*n));

    if (!n) {
        p_oom(p);
        return NULL;
    }
    n->type = type;
    n->pos = pos;
    n->next_alloc = p->set->nodes;
    p->set->nodes = n;
    return n;
}

/* Room for one more item in an array of the parser's (see tmpl_array_grow). */
static void *p_grow(parser *p, void *items, size_t len, size_t *cap, size_t size)
{
    void *grown = tmpl_array_grow(items, len, cap, size, 4);

    if (!grown)
        p_oom(p);
    return grown;
}

static int p_append(parser *p, tmpl_node *parent, tmpl_node *kid)
{
    tmpl_node **kids = p_grow(p, parent->kids, parent->nkids, &parent->kcap, sizeof(kid));

    if (!kids)
        return -1;
    parent->kids = kids;
    parent->kids[parent->nkids++] = kid;
    return 0;
}

static int p_add_decl(parser *p, tmpl_node *pipe, tmpl_node *var)
{
    tmpl_node **d = realloc(pipe->decl, (pipe->ndecl + 1) * sizeof(*d));

    if (!d) {
        p_oom(p);
        return -1;
    }
    pipe->decl = d;
    d[pipe->ndecl++] = var;
    return 0;
}

/* A new NUL-terminated copy of the len bytes at s, or NULL (out of memory noted). */
static char *p_strdup(parser *p, const char *s, size_t len)
{
    char *copy = malloc(len + 1);

    if (!copy) {
        p_oom(p);
        return NULL;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

static int p_add_ident(parser *p, tmpl_node *n, const char *s, size_t len)
{
    char **idents = p_grow(p, n->idents, n->nidents, &n->icap, sizeof(char *));
    char *copy;

    if (!idents)
        return -1;
    n->idents = idents;
    copy = p_strdup(p, s, len);
    if (!copy)
        return -1;
    n->idents[n->nidents++] = copy;
    return 0;
}

/* Splits "$x.a.b" or ".a.b" into identifiers. */
static int p_split_idents(parser *p, tmpl_node *n, const char *s, size_t len)
{
    size_t start = 0;
    size_t i;

    if (len > 0 && s[0] == '.')
        start = 1;
    for (i = start; i <= len; i++) {
        if (i == len || s[i] == '.') {
            if (p_add_ident(p, n, s + start, i - start))
                return -1;
            start = i + 1;
        }
    }
    return 0;
}

static tmpl_node *p_var_node(parser *p, size_t pos, const char *s, size_t len)
{
    tmpl_node *n = p_node(p, TMPL_N_VAR, pos);

    if (!n || p_split_idents(p, n, s, len))
        return NULL;
    return n;
}

static int p_push_var(parser *p, const tmpl_token *t)
{
    const tmpl_token **vars = p_grow(p, p->vars, p->nvars, &p->vcap, sizeof(*vars));

    if (!vars)
        return -1;
    p->vars = vars;
    p->vars[p->nvars++] = t;
    return 0;
}

static int p_var_known(parser *p, const char *s, size_t len)
{
    size_t i;

    if (len == 1 && s[0] == '$')
        return 1;
    for (i = 0; i < p->nvars; i++) {
        const tmpl_token *t = p->vars[i];
        if (t->len == len && memcmp(p->lx.input + t->pos, s, len) == 0)
            return 1;
    }
    return 0;
}

/* ---- literals -------------------------------------------------------- */

static int underscore_ok(const char *s, size_t n)
{
    char saw = '^';
    size_t i = 0;
    int hex = 0;

    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        s++;
        n--;
    }
    if (n >= 2 && s[0] == '0' && strchr("xXbBoO", s[1]) && s[1]) {
        hex = s[1] == 'x' || s[1] == 'X';
        i = 2;
        saw = '0';
    }
    for (; i < n; i++) {
        char c = s[i];
        if ((c >= '0' && c <= '9') ||
            (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))) {
            saw = '0';
            continue;
        }
        if (c == '_') {
            if (saw != '0')
                return 0;
            saw = '_';
            continue;
        }
        if (saw == '_')
            return 0;
        saw = '!';
    }
    return saw != '_';
}

/* A copy of s without underscores (they were validated by underscore_ok). */
static char *strip_underscores(const char *s, size_t n)
{
    char *o = malloc(n + 1);
    size_t i;
    size_t k = 0;

    if (!o)
        return NULL;
    for (i = 0; i < n; i++) {
        if (s[i] != '_')
            o[k++] = s[i];
    }
    o[k] = '\0';
    return o;
}

/* strconv.ParseInt/ParseUint with base 0. Returns 0 on success. */
static int parse_go_uint(const char *s, uint64_t *out)
{
    int base = 10;
    const char *d = s;
    char *end;
    unsigned long long v;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        d = s + 2;
    } else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
        base = 8;
        d = s + 2;
    } else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
        d = s + 2;
    } else if (s[0] == '0' && s[1]) {
        base = 8;
        d = s + 1;
    }
    if (*d == '\0' || *d == '+' || *d == '-' || *d == ' ')
        return -1;
    errno = 0;
    v = strtoull(d, &end, base);
    if (errno || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

static int parse_go_int(const char *s, int64_t *out)
{
    uint64_t u;
    int neg = 0;

    if (*s == '+' || *s == '-') {
        neg = *s == '-';
        s++;
    }
    if (parse_go_uint(s, &u))
        return -1;
    if (!neg && u > (uint64_t)INT64_MAX)
        return -1;
    if (neg && u > (uint64_t)INT64_MAX + 1)
        return -1;
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return 0;
}

static int parse_go_float(const char *s, double *out)
{
    char *end;
    double v;
    const char *d = s;

    if (*d == '+' || *d == '-')
        d++;
    if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
        if (!strchr(s, 'p') && !strchr(s, 'P'))
            return -1;
    } else if (strchr(s, 'p') || strchr(s, 'P')) {
        return -1;
    }
    if (!strcmp(d, "inf") || !strcmp(d, "nan") || !strcmp(d, "infinity"))
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (*end != '\0' || end == s)
        return -1;
    if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
        return -1;
    *out = v;
    return 0;
}

static int p_number_from_text(parser *p, tmpl_node *n, const char *clean, size_t len)
{
    uint64_t u = 0;
    int64_t i;
    double f;

    if (len > 0 && clean[len - 1] == 'i') {
        p_fail(p, "complex numbers are not supported: %s", clean);
        return -1;
    }
    if (parse_go_uint(clean, &u) == 0) {
        n->is_uint = true;
        n->uval = u;
    }
    if (parse_go_int(clean, &i) == 0) {
        n->is_int = true;
        n->ival = i;
        if (i == 0) {
            n->is_uint = true;
            n->uval = u;
        }
    }
    if (n->is_int) {
        n->is_float = true;
        n->fval = (double)n->ival;
    } else if (n->is_uint) {
        n->is_float = true;
        n->fval = (double)n->uval;
    } else if (parse_go_float(clean, &f) == 0) {
        if (!tmpl_number_looks_float(n)) {
            p_fail(p, "integer overflow: \"%.*s\"", (int)n->text_len, n->text);
            return -1;
        }
        n->is_float = true;
        n->fval = f;
        if (f >= -9223372036854775808.0 && f < 9223372036854775808.0 &&
            (double)(int64_t)f == f) {
            n->is_int = true;
            n->ival = (int64_t)f;
        }
        if (f >= 0 && f < 18446744073709551616.0 && (double)(uint64_t)f == f) {
            n->is_uint = true;
            n->uval = (uint64_t)f;
        }
    }
    if (!n->is_int && !n->is_uint && !n->is_float) {
        tmpl_buf b;
        tmpl_buf_init(&b, 0);
        if (tmpl_go_quote(&b, n->text, n->text_len, 0) == 0)
            p_fail(p, "illegal number syntax: %s", b.data);
        else
            p_oom(p);
        tmpl_buf_cleanup(&b);
        return -1;
    }
    return 0;
}

/* A character literal whose first character is valid but is followed by more
 * ('ab'): Go's "malformed character constant". -1: out of memory. */
static int char_is_malformed(const char *s, size_t n)
{
    char buf[16];
    size_t unit;
    size_t ul;
    int oom = 0;
    char *u;

    if (n < 4)
        return 0;
    if (s[1] == '\\') {
        static const char *const longer = "xuU01234567";
        const char *k = strchr(longer, s[2]);
        unit = !k || !s[2] ? 2 : s[2] == 'x' ? 4 : s[2] == 'u' ? 6 : s[2] == 'U' ? 10 : 4;
    } else {
        int32_t r;
        unit = tmpl_utf8_decode(s + 1, n - 2, &r);
    }
    if (unit + 2 >= n || unit + 2 > sizeof(buf))
        return 0;
    buf[0] = '\'';
    memcpy(buf + 1, s + 1, unit);
    buf[unit + 1] = '\'';
    u = tmpl_unquote(buf, unit + 2, &ul, NULL, &oom);
    free(u);
    return oom ? -1 : u != NULL;
}

static tmpl_node *p_number(parser *p, const tmpl_token *t)
{
    tmpl_node *n = p_node(p, TMPL_N_NUMBER, t->pos);
    const char *s = p->lx.input + t->pos;
    char *clean;
    int rc;

    if (!n)
        return NULL;
    n->text = s;
    n->text_len = t->len;
    if (t->type == TMPL_T_COMPLEX) {
        p_fail(p, "complex numbers are not supported: %.*s", (int)t->len, s);
        return NULL;
    }
    if (t->type == TMPL_T_CHARCONST) {
        int32_t r;
        size_t ul;
        int oom = 0;
        char *u = tmpl_unquote(s, t->len, &ul, &r, &oom);
        if (!u) {
            int bad = oom ? -1 : char_is_malformed(s, t->len);
            if (bad < 0)
                p_oom(p);
            else if (bad)
                p_fail(p, "malformed character constant: %.*s", (int)t->len, s);
            else
                p_fail(p, "invalid syntax");
            return NULL;
        }
        free(u);
        n->is_int = n->is_uint = n->is_float = true;
        n->ival = r;
        n->uval = (uint64_t)r;
        n->fval = r;
        return n;
    }
    if (!underscore_ok(s, t->len)) {
        n->is_int = n->is_uint = n->is_float = false;
        p_number_from_text(p, n, "", 0);
        return NULL;
    }
    clean = strip_underscores(s, t->len);
    if (!clean) {
        p_oom(p);
        return NULL;
    }
    rc = p_number_from_text(p, n, clean, strlen(clean));
    free(clean);
    return rc ? NULL : n;
}

static tmpl_node *p_string(parser *p, const tmpl_token *t)
{
    tmpl_node *n = p_node(p, TMPL_N_STRING, t->pos);
    int oom = 0;
    size_t len;

    if (!n)
        return NULL;
    n->quoted = p->lx.input + t->pos;
    n->quoted_len = t->len;
    n->owned = tmpl_unquote(n->quoted, t->len, &len, NULL, &oom);
    if (!n->owned) {
        if (oom)
            p_oom(p);
        else
            p_fail(p, "invalid syntax");
        return NULL;
    }
    n->text = n->owned;
    n->text_len = len;
    return n;
}

/* ---- grammar --------------------------------------------------------- */

static tmpl_node *p_pipeline(parser *p, const char *context, tmpl_tok_type end);
static tmpl_node *p_item_list(parser *p, tmpl_node **end_node);

static int p_enter(parser *p)
{
    if (++p->depth > TMPL_MAX_PARSE_DEPTH) {
        p_fail(p, "template nesting deeper than %d levels", TMPL_MAX_PARSE_DEPTH);
        return -1;
    }
    return 0;
}

/* Fills chain with the fields after node; merges them into a FIELD or VAR node
 * the way Go does. Returns the operand, or NULL on error. */
static tmpl_node *p_chain(parser *p, tmpl_node *node, tmpl_node *chain)
{
    tmpl_buf b;

    chain->base = node;
    while (p_peek(p)->type == TMPL_T_FIELD) {
        const tmpl_token *f = p_next(p);
        if (p_split_idents(p, chain, p->lx.input + f->pos, f->len))
            return NULL;
    }
    switch (node->type) {
    case TMPL_N_FIELD:
    case TMPL_N_VAR: {
        tmpl_node *m = p_node(p, node->type, chain->pos);
        size_t k;
        if (!m)
            return NULL;
        for (k = 0; k < node->nidents; k++) {
            if (p_add_ident(p, m, node->idents[k], strlen(node->idents[k])))
                return NULL;
        }
        for (k = 0; k < chain->nidents; k++) {
            if (p_add_ident(p, m, chain->idents[k], strlen(chain->idents[k])))
                return NULL;
        }
        return m;
    }
    case TMPL_N_BOOL:
    case TMPL_N_STRING:
    case TMPL_N_NUMBER:
    case TMPL_N_NIL:
    case TMPL_N_DOT:
        tmpl_buf_init(&b, 0);
        if (tmpl_node_write(&b, node) == 0 && tmpl_buf_add(&b, "", 0) == 0) {
            tmpl_buf q;
            tmpl_buf_init(&q, 0);
            if (tmpl_go_quote(&q, b.data, b.len, 0) == 0)
                p_fail(p, "unexpected . after term %s", q.data);
            else
                p_oom(p);
            tmpl_buf_cleanup(&q);
        } else {
            p_oom(p);
        }
        tmpl_buf_cleanup(&b);
        return NULL;
    default:
        return chain;
    }
}

/* Go's term(): *out is the operand, or NULL when the next token is not one.
 * Returns -1 on error. */
static int p_term(parser *p, tmpl_node **out)
{
    const tmpl_token *t = p_next_nonspace(p);
    const char *s = p->lx.input + t->pos;
    tmpl_node *n = NULL;

    *out = NULL;
    switch (t->type) {
    case TMPL_T_IDENT:
        if (!tmpl_func_lookup(s, t->len)) {
            p_fail(p, "function \"%.*s\" not defined", (int)t->len, s);
            return -1;
        }
        n = p_node(p, TMPL_N_IDENT, t->pos);
        if (n) {
            n->text = s;
            n->text_len = t->len;
        }
        break;
    case TMPL_T_DOT:
        n = p_node(p, TMPL_N_DOT, t->pos);
        break;
    case TMPL_T_NIL:
        n = p_node(p, TMPL_N_NIL, t->pos);
        break;
    case TMPL_T_VARIABLE: {
        size_t k = 0;
        while (k < t->len && s[k] != '.')
            k++;
        if (!p_var_known(p, s, k)) {
            p_fail(p, "undefined variable \"%.*s\"", (int)k, s);
            return -1;
        }
        n = p_var_node(p, t->pos, s, t->len);
        break;
    }
    case TMPL_T_FIELD:
        n = p_node(p, TMPL_N_FIELD, t->pos);
        if (n && p_split_idents(p, n, s, t->len))
            return -1;
        break;
    case TMPL_T_BOOL:
        n = p_node(p, TMPL_N_BOOL, t->pos);
        if (n)
            n->bool_val = t->len == 4;
        break;
    case TMPL_T_CHARCONST:
    case TMPL_T_COMPLEX:
    case TMPL_T_NUMBER:
        n = p_number(p, t);
        break;
    case TMPL_T_LPAREN:
        if (p_enter(p))
            return -1;
        n = p_pipeline(p, "parenthesized pipeline", TMPL_T_RPAREN);
        p->depth--;
        break;
    case TMPL_T_STRING:
    case TMPL_T_RAWSTRING:
        n = p_string(p, t);
        break;
    default:
        p_backup(p);
        return 0;
    }
    *out = n;
    return n ? 0 : -1;
}

/* Go's operand(): a term and the fields after it. Same contract as p_term. */
static int p_operand(parser *p, tmpl_node **out)
{
    tmpl_node *node;
    tmpl_node *chain;

    if (p_term(p, &node))
        return -1;
    *out = node;
    if (!node || p_peek(p)->type != TMPL_T_FIELD)
        return 0;
    chain = p_node(p, TMPL_N_CHAIN, p_peek(p)->pos);
    *out = chain ? p_chain(p, node, chain) : NULL;
    return *out ? 0 : -1;
}

static tmpl_node *p_command(parser *p)
{
    tmpl_node *cmd = p_node(p, TMPL_N_COMMAND, p_peek_nonspace(p)->pos);
    const tmpl_token *t;
    tmpl_node *op;

    if (!cmd)
        return NULL;
    for (;;) {
        p_peek_nonspace(p);
        if (p_operand(p, &op))
            return NULL;
        if (op && p_append(p, cmd, op))
            return NULL;
        t = p_next(p);
        if (t->type == TMPL_T_SPACE)
            continue;
        if (t->type == TMPL_T_RDELIM || t->type == TMPL_T_RPAREN) {
            p_backup(p);
        } else if (t->type != TMPL_T_PIPE) {
            p_unexpected(p, t, "operand");
            return NULL;
        }
        break;
    }
    if (cmd->nkids == 0) {
        p_fail(p, "empty command");
        return NULL;
    }
    return cmd;
}

static int p_check_pipeline(parser *p, tmpl_node *pipe, const char *context)
{
    size_t i;

    if (pipe->nkids == 0) {
        p_fail(p, "missing value for %s", context);
        return -1;
    }
    for (i = 1; i < pipe->nkids; i++) {
        switch (pipe->kids[i]->kids[0]->type) {
        case TMPL_N_BOOL:
        case TMPL_N_DOT:
        case TMPL_N_NIL:
        case TMPL_N_NUMBER:
        case TMPL_N_STRING:
            p_fail(p, "non executable command in pipeline stage %zu", i + 1);
            return -1;
        default:
            break;
        }
    }
    return 0;
}

/* Declarations at the start of a pipeline: "$x :=", "$x =", "$i, $v :=". */
static int p_decls(parser *p, tmpl_node *pipe, const char *context)
{
    for (;;) {
        const tmpl_token *v = p_peek_nonspace(p);
        size_t mark;
        const tmpl_token *next;
        tmpl_node *var;

        if (v->type != TMPL_T_VARIABLE)
            return 0;
        mark = p_mark(p);
        v = p_next_nonspace(p);
        next = p_peek_nonspace(p);
        if (next->type == TMPL_T_ASSIGN || next->type == TMPL_T_DECLARE ||
            (next->type == TMPL_T_CHAR && next->len == 1 &&
             p->lx.input[next->pos] == ',')) {
            p_next_nonspace(p);
            var = p_var_node(p, v->pos, p->lx.input + v->pos, v->len);
            if (!var || p_add_decl(p, pipe, var) || p_push_var(p, v))
                return -1;
            if (next->type == TMPL_T_ASSIGN) {
                pipe->is_assign = true;
                return 0;
            }
            if (next->type == TMPL_T_DECLARE)
                return 0;
            if (strcmp(context, "range") == 0 && pipe->ndecl < 2) {
                tmpl_tok_type pt = p_peek_nonspace(p)->type;
                if (pt == TMPL_T_VARIABLE || pt == TMPL_T_RDELIM || pt == TMPL_T_RPAREN)
                    continue;
                p_fail(p, "range can only initialize variables");
                return -1;
            }
            p_fail(p, "too many declarations in %s", context);
            return -1;
        }
        p_reset(p, mark);
        return 0;
    }
}

static tmpl_node *p_pipeline(parser *p, const char *context, tmpl_tok_type end)
{
    const tmpl_token *t = p_peek_nonspace(p);
    tmpl_node *pipe = p_node(p, TMPL_N_PIPE, t->pos);
    tmpl_node *cmd;

    if (!pipe)
        return NULL;
    if (p_decls(p, pipe, context))
        return NULL;
    for (;;) {
        t = p_next_nonspace(p);
        if (t->type == end) {
            if (p_check_pipeline(p, pipe, context))
                return NULL;
            return pipe;
        }
        switch (t->type) {
        case TMPL_T_BOOL:
        case TMPL_T_CHARCONST:
        case TMPL_T_COMPLEX:
        case TMPL_T_DOT:
        case TMPL_T_FIELD:
        case TMPL_T_IDENT:
        case TMPL_T_NUMBER:
        case TMPL_T_NIL:
        case TMPL_T_RAWSTRING:
        case TMPL_T_STRING:
        case TMPL_T_VARIABLE:
        case TMPL_T_LPAREN:
            p_backup(p);
            cmd = p_command(p);
            if (!cmd || p_append(p, pipe, cmd))
                return NULL;
            break;
        default:
            p_unexpected(p, t, context);
            return NULL;
        }
    }
}

static tmpl_node *p_control(parser *p, tmpl_node_type type, const char *context)
{
    size_t saved_vars = p->nvars;
    tmpl_node *n = NULL;
    tmpl_node *pipe;
    tmpl_node *next = NULL;

    if (p_enter(p))
        return NULL;
    pipe = p_pipeline(p, context, TMPL_T_RDELIM);
    if (!pipe)
        goto out;
    n = p_node(p, type, pipe->pos);
    if (!n)
        goto out;
    n->pipe = pipe;
    if (type == TMPL_N_RANGE)
        p->range_depth++;
    n->list = p_item_list(p, &next);
    if (type == TMPL_N_RANGE)
        p->range_depth--;
    if (!n->list) {
        n = NULL;
        goto out;
    }
    if (next->type == TMPL_N_ELSE) {
        if (type == TMPL_N_IF && p_peek(p)->type == TMPL_T_IF) {
            tmpl_node *inner;
            p_next(p);
            n->else_list = p_node(p, TMPL_N_LIST, next->pos);
            inner = n->else_list ? p_control(p, TMPL_N_IF, "if") : NULL;
            if (!inner || p_append(p, n->else_list, inner))
                n = NULL;
            goto out;
        }
        n->else_list = p_item_list(p, &next);
        if (!n->else_list) {
            n = NULL;
            goto out;
        }
        if (next->type != TMPL_N_END) {
            p_fail_node(p, "expected end; found %s", next, NULL);
            n = NULL;
        }
    }
out:
    p->nvars = saved_vars;
    p->depth--;
    return n;
}

static char *p_template_name(parser *p, const tmpl_token *t, const char *context,
                             size_t *len)
{
    int oom = 0;
    char *s;

    if (t->type != TMPL_T_STRING && t->type != TMPL_T_RAWSTRING) {
        p_unexpected(p, t, context);
        return NULL;
    }
    s = tmpl_unquote(p->lx.input + t->pos, t->len, len, NULL, &oom);
    if (!s) {
        if (oom)
            p_oom(p);
        else
            p_fail(p, "invalid syntax");
    }
    return s;
}

static int p_add_tree(parser *p, const char *name, size_t len, tmpl_node *root);

/* The list of a {{define}} or {{block}} up to its {{end}}, added to the set as the
 * template name. The enclosing template's variables are not visible in it. */
static int p_define_list(parser *p, const char *name, size_t len, const char *context)
{
    size_t saved_vars = p->nvars;
    tmpl_node *root = NULL;
    tmpl_node *end = NULL;

    p->nvars = 0;
    if (p_enter(p) == 0) {
        root = p_item_list(p, &end);
        p->depth--;
    }
    p->nvars = saved_vars;
    if (!root)
        return -1;
    if (end->type != TMPL_N_END) {
        p_fail_node(p, "unexpected %s in %s", end, context);
        return -1;
    }
    return p_add_tree(p, name, len, root);
}

/* A TEMPLATE node named by the next token, a string. */
static tmpl_node *p_template_node(parser *p, const char *context)
{
    const tmpl_token *t = p_next_nonspace(p);
    size_t len;
    char *name = p_template_name(p, t, context, &len);
    tmpl_node *n;

    if (!name)
        return NULL;
    n = p_node(p, TMPL_N_TEMPLATE, t->pos);
    if (!n) {
        free(name);
        return NULL;
    }
    n->owned = name;
    n->text = name;
    n->text_len = len;
    return n;
}

/* {{template "name"}} or {{template "name" pipeline}} */
static tmpl_node *p_template(parser *p)
{
    tmpl_node *n = p_template_node(p, "template clause");

    if (!n)
        return NULL;
    if (p_next_nonspace(p)->type != TMPL_T_RDELIM) {
        p_backup(p);
        n->pipe = p_pipeline(p, "template clause", TMPL_T_RDELIM);
        if (!n->pipe)
            return NULL;
    }
    return n;
}

/* {{block "name" pipeline}} list {{end}}: defines the template and calls it. */
static tmpl_node *p_block(parser *p)
{
    tmpl_node *n = p_template_node(p, "block clause");

    if (!n)
        return NULL;
    n->pipe = p_pipeline(p, "block clause", TMPL_T_RDELIM);
    if (!n->pipe || p_define_list(p, n->text, n->text_len, "block clause"))
        return NULL;
    return n;
}

static tmpl_node *p_break_continue(parser *p, const tmpl_token *kw)
{
    const tmpl_token *t = p_next_nonspace(p);
    int is_break = kw->type == TMPL_T_BREAK;

    if (t->type != TMPL_T_RDELIM) {
        p_unexpected(p, t, is_break ? "{{break}}" : "{{continue}}");
        return NULL;
    }
    if (p->range_depth == 0) {
        p_fail(p, "%s outside {{range}}", is_break ? "{{break}}" : "{{continue}}");
        return NULL;
    }
    return p_node(p, is_break ? TMPL_N_BREAK : TMPL_N_CONTINUE, kw->pos);
}

static tmpl_node *p_action(parser *p)
{
    const tmpl_token *t = p_next_nonspace(p);
    const tmpl_token *peek;
    tmpl_node *n;

    switch (t->type) {
    case TMPL_T_BLOCK:
        return p_block(p);
    case TMPL_T_BREAK:
    case TMPL_T_CONTINUE:
        return p_break_continue(p, t);
    case TMPL_T_ELSE:
        peek = p_peek_nonspace(p);
        if (peek->type == TMPL_T_IF)
            return p_node(p, TMPL_N_ELSE, peek->pos);
        t = p_expect(p, TMPL_T_RDELIM, "else");
        return t ? p_node(p, TMPL_N_ELSE, t->pos) : NULL;
    case TMPL_T_END:
        t = p_expect(p, TMPL_T_RDELIM, "end");
        return t ? p_node(p, TMPL_N_END, t->pos) : NULL;
    case TMPL_T_IF:
        return p_control(p, TMPL_N_IF, "if");
    case TMPL_T_RANGE:
        return p_control(p, TMPL_N_RANGE, "range");
    case TMPL_T_TEMPLATE:
        return p_template(p);
    case TMPL_T_WITH:
        return p_control(p, TMPL_N_WITH, "with");
    default:
        break;
    }
    p_backup(p);
    peek = p_peek(p);
    n = p_node(p, TMPL_N_ACTION, peek->pos);
    if (!n)
        return NULL;
    n->pipe = p_pipeline(p, "command", TMPL_T_RDELIM);
    return n->pipe ? n : NULL;
}

static tmpl_node *p_text_or_action(parser *p)
{
    const tmpl_token *t = p_next_nonspace(p);
    tmpl_node *n;
    int saved;

    switch (t->type) {
    case TMPL_T_TEXT:
        n = p_node(p, TMPL_N_TEXT, t->pos);
        if (n) {
            n->text = p->lx.input + t->pos;
            n->text_len = t->len;
        }
        return n;
    case TMPL_T_LDELIM:
        saved = p->action_line;
        p->action_line = t->line;
        n = p_action(p);
        p->action_line = saved;
        return n;
    default:
        p_unexpected(p, t, "input");
        return NULL;
    }
}

static tmpl_node *p_item_list(parser *p, tmpl_node **end_node)
{
    tmpl_node *list = p_node(p, TMPL_N_LIST, p_peek_nonspace(p)->pos);
    tmpl_node *n;

    if (!list)
        return NULL;
    while (p_peek_nonspace(p)->type != TMPL_T_EOF) {
        n = p_text_or_action(p);
        if (!n)
            return NULL;
        if (n->type == TMPL_N_END || n->type == TMPL_N_ELSE) {
            *end_node = n;
            return list;
        }
        if (p_append(p, list, n))
            return NULL;
    }
    p_next_nonspace(p);
    p_fail(p, "unexpected EOF");
    return NULL;
}

/* parse.IsEmptyTree: only whitespace text. */
static int tree_is_empty(const tmpl_node *list)
{
    size_t i;
    size_t k;

    for (i = 0; i < list->nkids; i++) {
        const tmpl_node *n = list->kids[i];
        if (n->type != TMPL_N_TEXT)
            return 0;
        for (k = 0; k < n->text_len; k++) {
            if (!strchr(" \t\r\n", n->text[k]) || !n->text[k])
                return 0;
        }
    }
    return 1;
}

/* Adds the tree root as the template name (copied). A template defined twice keeps
 * the definition that is not empty; two that are not is an error. */
static int p_add_tree(parser *p, const char *name, size_t len, tmpl_node *root)
{
    tmpl_set *s = p->set;
    tmpl_tree *trees;
    char *copy;
    size_t i;

    for (i = 0; i < s->ntrees; i++) {
        if (strcmp(s->trees[i].name, name) != 0)
            continue;
        if (tree_is_empty(s->trees[i].root)) {
            s->trees[i].root = root;
        } else if (!tree_is_empty(root)) {
            p_fail(p, "template: multiple definition of template \"%s\"", name);
            return -1;
        }
        return 0;
    }
    trees = p_grow(p, s->trees, s->ntrees, &s->tcap, sizeof(*trees));
    if (!trees)
        return -1;
    s->trees = trees;
    copy = p_strdup(p, name, len);
    if (!copy)
        return -1;
    s->trees[s->ntrees].name = copy;
    s->trees[s->ntrees].root = root;
    s->ntrees++;
    return 0;
}

/* {{define "name"}} list {{end}} */
static int p_definition(parser *p)
{
    const tmpl_token *t = p_next_nonspace(p);
    size_t len;
    char *name = p_template_name(p, t, "define clause", &len);
    int rc = -1;

    if (name && p_expect(p, TMPL_T_RDELIM, "define clause"))
        rc = p_define_list(p, name, len, "define clause");
    free(name);
    return rc;
}

static int p_parse(parser *p)
{
    tmpl_node *root = p_node(p, TMPL_N_LIST, p_peek(p)->pos);
    tmpl_node *n;

    if (!root)
        return -1;
    while (p_peek(p)->type != TMPL_T_EOF) {
        if (p_peek(p)->type == TMPL_T_LDELIM) {
            size_t mark = p_mark(p);
            p_next(p);
            if (p_next_nonspace(p)->type == TMPL_T_DEFINE) {
                if (p_definition(p))
                    return -1;
                continue;
            }
            p_reset(p, mark);
        }
        n = p_text_or_action(p);
        if (!n)
            return -1;
        if (n->type == TMPL_N_END || n->type == TMPL_N_ELSE) {
            p_fail_node(p, "unexpected %s", n, NULL);
            return -1;
        }
        if (p_append(p, root, n))
            return -1;
    }
    return p_add_tree(p, p->set->name, strlen(p->set->name), root);
}

int tmpl_set_parse(tmpl_set *set, const char *name, const char *text, size_t len,
                   char **err)
{
    parser p;
    int rc;

    memset(set, 0, sizeof(*set));
    *err = NULL;
    set->name = malloc(strlen(name) + 1);
    set->text = malloc(len + 1);
    if (!set->name || !set->text)
        return TMPL_ENOMEM;
    memcpy(set->name, name, strlen(name) + 1);
    if (len)
        memcpy(set->text, text, len);
    set->text[len] = '\0';
    set->len = len;
    memset(&p, 0, sizeof(p));
    p.set = set;
    if (tmpl_lex_run(&p.lx, set->text, len) != 0)
        return TMPL_ENOMEM;
    rc = p_parse(&p);
    free(p.vars);
    tmpl_lex_cleanup(&p.lx);
    if (rc == 0)
        return TMPL_OK;
    if (p.oom || !p.err) {
        free(p.err);
        return TMPL_ENOMEM;
    }
    *err = p.err;
    return TMPL_EPARSE;
}

const tmpl_tree *tmpl_set_lookup(const tmpl_set *set, const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < set->ntrees; i++) {
        if (strlen(set->trees[i].name) == len &&
            memcmp(set->trees[i].name, name, len) == 0)
            return &set->trees[i];
    }
    return NULL;
}

void tmpl_set_cleanup(tmpl_set *set)
{
    size_t i;

    for (i = 0; i < set->ntrees; i++)
        free(set->trees[i].name);
    free(set->trees);
    tmpl_node_free_all(set->nodes);
    free(set->name);
    free(set->text);
    memset(set, 0, sizeof(*set));
}

/* ---- strconv.Unquote ------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One escape after a backslash at s[*i]; appends to b. Returns -1 on bad syntax,
 * -2 when out of memory. */
static int unquote_escape(const char *s, size_t n, size_t *i, char quote, tmpl_buf *b,
                          int32_t *rune_out)
{
    char c = s[*i];
    int32_t v = 0;
    int digits = 0;
    int k;
    char enc[4];

    (*i)++;
    switch (c) {
    case '\\':
        v = '\\';
        break;
    case '\'':
    case '"':
        if (c != quote)
            return -1;
        v = c;
        break;
    case 'x':
        digits = 2;
        break;
    case 'u':
        digits = 4;
        break;
    case 'U':
        digits = 8;
        break;
    default:
        v = tmpl_escape_char(c); /* \a \b \f \n \r \t \v */
        if (v >= 0)
            break;
        if (c < '0' || c > '7')
            return -1;
        v = c - '0';
        for (k = 0; k < 2; k++) {
            if (*i >= n || s[*i] < '0' || s[*i] > '7')
                return -1;
            v = v * 8 + (s[(*i)++] - '0');
        }
        if (v > 255)
            return -1;
        *rune_out = v;
        return tmpl_buf_addc(b, (char)v) ? -2 : 0;
    }
    if (digits) {
        for (k = 0; k < digits; k++) {
            if (*i >= n || hexval(s[*i]) < 0)
                return -1;
            if (v > 0x10FFFF)
                return -1;
            v = v * 16 + hexval(s[(*i)++]);
        }
        if (c == 'x') {
            *rune_out = v;
            return tmpl_buf_addc(b, (char)v) ? -2 : 0;
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return -1;
    }
    *rune_out = v;
    return tmpl_buf_add(b, enc, tmpl_utf8_encode(v, enc)) ? -2 : 0;
}

char *tmpl_unquote(const char *s, size_t n, size_t *out_len, int32_t *rune, int *oom)
{
    tmpl_buf b;
    char quote;
    size_t i;
    int runes = 0;
    int32_t r = 0;
    int rc;

    if (n < 2 || s[0] != s[n - 1])
        return NULL;
    quote = s[0];
    tmpl_buf_init(&b, 0);
    if (tmpl_buf_add(&b, "", 0))
        goto nomem;
    if (quote == '`') {
        for (i = 1; i < n - 1; i++) {
            if (s[i] == '`')
                goto bad;
            if (s[i] != '\r' && tmpl_buf_addc(&b, s[i]))
                goto nomem;
        }
        goto done;
    }
    if (quote != '"' && quote != '\'')
        goto bad;
    for (i = 1; i < n - 1;) {
        if (s[i] == quote || s[i] == '\n')
            goto bad;
        if (s[i] == '\\') {
            i++;
            if (i >= n - 1)
                goto bad;
            rc = unquote_escape(s, n - 1, &i, quote, &b, &r);
            if (rc == -2)
                goto nomem;
            if (rc)
                goto bad;
        } else {
            size_t w = tmpl_utf8_decode(s + i, n - 1 - i, &r);
            if (quote == '\'' && r == TMPL_RUNE_ERROR && w == 1)
                goto bad;
            if (tmpl_buf_add(&b, s + i, w))
                goto nomem;
            i += w;
        }
        runes++;
    }
    if (quote == '\'' && runes != 1)
        goto bad;
done:
    if (rune)
        *rune = r;
    return tmpl_buf_steal(&b, out_len);
bad:
    tmpl_buf_cleanup(&b);
    return NULL;
nomem:
    tmpl_buf_cleanup(&b);
    *oom = 1;
    return NULL;
}
