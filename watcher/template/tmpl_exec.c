/* tmpl_exec: Go's text/template executor (exec.go) over tmpl_value. */
#include "template.h"
#include "tmpl_buf.h"
#include "tmpl_fmt.h"
#include "tmpl_funcs.h"
#include "tmpl_parse.h"
#include "tmpl_time.h"
#include "tmpl_utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* walk results besides TMPL_OK and the negative errors */
#define WALK_BREAK 1
#define WALK_CONTINUE 2

#define MAX_INCLUDE_DEPTH 32
/* Nested walks, pipelines and calls of one execution, templates and includes
 * together: bounds the C stack whatever the template does. */
#define MAX_NESTING 3000
/* Arguments of a call kept on the stack; more go to the heap. */
#define STACK_ARGS 8
/* Included templates parsed once per execution. */
#define MAX_CACHED_INCLUDES 16

struct tmpl_template {
    tmpl_set set;
};

typedef struct tmpl_var {
    const char *name;
    size_t len;
    tmpl_value v;
} tmpl_var;

struct tmpl_exec {
    const tmpl_set *set;
    const char *tmpl_name;
    const tmpl_snapshot *snap;
    const tmpl_options *opts;
    const tmpl_hooks *hooks;
    tmpl_buf *out;
    tmpl_var *vars;
    size_t nvars;
    size_t vcap;
    size_t var_base;
    const tmpl_node *at;
    unsigned depth;
    unsigned max_depth;
    unsigned nest;                      /* current nesting, see MAX_NESTING */
    size_t ops;                         /* spent budget */
    size_t max_ops;                     /* 0: unlimited */
    char *err;                          /* new: the message of a failed execution */
    char *fn_err;                       /* new: set by tmpl_fn_error */
    tmpl_value recv;                    /* receiver of the method being called */
    tmpl_exec *parent;                  /* include chain */
    tmpl_set *inc[MAX_CACHED_INCLUDES]; /* root only: parsed includes (owned) */
    size_t ninc;
    const char *include_name;
};

/* ---- errors ---------------------------------------------------------- */

static void x_set_err(tmpl_exec *x, tmpl_buf *b, int rc)
{
    if (rc == 0 && !x->err) {
        x->err = tmpl_buf_steal(b, NULL);
        return;
    }
    tmpl_buf_cleanup(b);
}

/* Go's ErrorContext location "name:line:col" and the context <node>. */
static int x_prefix(tmpl_exec *x, tmpl_buf *b)
{
    const tmpl_node *n = x->at;
    tmpl_buf ctx;
    size_t i;
    size_t line_start = 0;
    int line = 1;
    int rc;

    if (!n)
        return tmpl_buf_addf(b, "template: %s: ", x->tmpl_name);
    for (i = 0; i < n->pos && i < x->set->len; i++) {
        if (x->set->text[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    }
    tmpl_buf_init(&ctx, 0);
    rc = tmpl_node_write(&ctx, n);
    rc = rc ? rc : tmpl_buf_add(&ctx, "", 0);
    if (rc) {
        tmpl_buf_cleanup(&ctx);
        return rc;
    }
    rc = tmpl_buf_addf(b, "template: %s:%d:%zu: executing ", x->set->name, line,
                       n->pos - line_start);
    rc = rc ? rc : tmpl_go_quote(b, x->tmpl_name, strlen(x->tmpl_name), 0);
    rc = rc ? rc : tmpl_buf_adds(b, " at <");
    rc = rc ? rc : tmpl_buf_add(b, ctx.data, ctx.len);
    rc = rc ? rc : tmpl_buf_adds(b, ">: ");
    tmpl_buf_cleanup(&ctx);
    return rc;
}

/* Fails the execution with "template: NAME:LINE:COL: executing ... at <NODE>: "
 * and the message; the first failure stays. Returns TMPL_EEXEC (or TMPL_ENOMEM). */
static int x_fail(tmpl_exec *x, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int x_fail(tmpl_exec *x, const char *fmt, ...)
{
    tmpl_buf b;
    va_list ap;
    int rc;

    if (x->err)
        return TMPL_EEXEC;
    tmpl_buf_init(&b, 0);
    rc = x_prefix(x, &b);
    if (rc == 0) {
        va_start(ap, fmt);
        rc = tmpl_buf_vaddf(&b, fmt, ap);
        va_end(ap);
    }
    x_set_err(x, &b, rc);
    return x->err ? TMPL_EEXEC : TMPL_ENOMEM;
}

/* An error "<before><s quoted><after>". */
static int x_fail_quoted(tmpl_exec *x, const char *before, const char *s, size_t n,
                         const char *after)
{
    tmpl_buf q;
    int rc;

    tmpl_buf_init(&q, 0);
    if (tmpl_go_quote(&q, s, n, 0) != 0)
        rc = TMPL_ENOMEM;
    else
        rc = x_fail(x, "%s%s%s", before, q.data, after);
    tmpl_buf_cleanup(&q);
    return rc;
}

/* x_fail with the String() of a node as the first %s argument and arg as the
 * second, if fmt has one (else arg is NULL). */
static int x_fail_node(tmpl_exec *x, const char *fmt, const tmpl_node *n, const char *arg)
{
    tmpl_buf b;
    int rc;

    tmpl_buf_init(&b, 0);
    if (tmpl_node_write(&b, n) != 0 || tmpl_buf_add(&b, "", 0) != 0)
        rc = TMPL_ENOMEM;
    else
        rc = x_fail(x, fmt, b.data, arg);
    tmpl_buf_cleanup(&b);
    return rc;
}

static int x_out(tmpl_exec *x, int buf_rc)
{
    if (buf_rc == TMPL_BUF_OK)
        return TMPL_OK;
    if (buf_rc == TMPL_BUF_TOOBIG) {
        if (!x->err) {
            tmpl_buf b;
            tmpl_buf_init(&b, 0);
            x_set_err(x, &b,
                      tmpl_buf_addf(&b, "template: %s: output larger than %zu bytes",
                                    x->set->name, x->out->limit));
        }
        return TMPL_ETOOBIG;
    }
    return TMPL_ENOMEM;
}

int tmpl_fn_error(tmpl_exec *x, const char *fmt, ...)
{
    tmpl_buf b;
    va_list ap;
    int rc;

    tmpl_buf_init(&b, 0);
    va_start(ap, fmt);
    rc = tmpl_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    rc = rc ? rc : tmpl_buf_add(&b, "", 0);
    free(x->fn_err);
    x->fn_err = rc ? NULL : tmpl_buf_steal(&b, NULL);
    tmpl_buf_cleanup(&b);
    return x->fn_err ? TMPL_EEXEC : TMPL_ENOMEM;
}

/* The outermost execution of an include chain: it holds the budget and the cache. */
static tmpl_exec *exec_root(tmpl_exec *x)
{
    while (x->parent)
        x = x->parent;
    return x;
}

int tmpl_exec_charge(tmpl_exec *x, size_t n)
{
    tmpl_exec *root = exec_root(x);

    if (root->max_ops == 0)
        return TMPL_OK;
    if (n > root->max_ops - root->ops || root->ops > root->max_ops) {
        root->ops = root->max_ops;
        return x_fail(x, "execution exceeded its budget of %zu operations",
                      root->max_ops);
    }
    root->ops += n;
    return TMPL_OK;
}

const tmpl_snapshot *tmpl_exec_snapshot(const tmpl_exec *x)
{
    return x->snap;
}

const tmpl_hooks *tmpl_exec_hooks(const tmpl_exec *x)
{
    return x->hooks;
}

tmpl_value tmpl_exec_receiver(const tmpl_exec *x)
{
    return x->recv;
}

/* ---- variables ------------------------------------------------------- */

static int var_push(tmpl_exec *x, const char *name, size_t len, tmpl_value v)
{
    tmpl_var *vars = tmpl_array_grow(x->vars, x->nvars, &x->vcap, sizeof(*vars), 16);

    if (!vars) {
        tv_release(v);
        return TMPL_ENOMEM;
    }
    x->vars = vars;
    x->vars[x->nvars].name = name;
    x->vars[x->nvars].len = len;
    x->vars[x->nvars].v = v;
    x->nvars++;
    return TMPL_OK;
}

static void var_pop(tmpl_exec *x, size_t mark)
{
    while (x->nvars > mark) {
        x->nvars--;
        tv_release(x->vars[x->nvars].v);
    }
}

static tmpl_var *var_find(tmpl_exec *x, const char *name, size_t len)
{
    size_t i = x->nvars;

    while (i > x->var_base) {
        i--;
        if (x->vars[i].len == len && memcmp(x->vars[i].name, name, len) == 0)
            return &x->vars[i];
    }
    return NULL;
}

static int var_set(tmpl_exec *x, const char *name, tmpl_value v)
{
    tmpl_var *var = var_find(x, name, strlen(name));

    if (!var) {
        tv_release(v);
        return x_fail(x, "undefined variable: %s", name);
    }
    tv_release(var->v);
    var->v = v;
    return TMPL_OK;
}

static void var_set_top(tmpl_exec *x, size_t n, tmpl_value v)
{
    tv_release(x->vars[x->nvars - n].v);
    x->vars[x->nvars - n].v = v;
}

/* ---- evaluation ------------------------------------------------------ */

static int eval_pipeline(tmpl_exec *x, tmpl_value dot, const tmpl_node *pipe,
                         tmpl_value *out);
static int eval_arg(tmpl_exec *x, tmpl_value dot, int ptype, const tmpl_node *n,
                    tmpl_value *out);
static int walk(tmpl_exec *x, tmpl_value dot, const tmpl_node *n);

/* "interface {}" for values whose static type is the empty interface. */
static const char *static_type(tmpl_value v)
{
    return (v.flags & TV_F_IFACE) ? "interface {}" : tv_type_name(v);
}

static int not_a_function(tmpl_exec *x, const tmpl_node *const *args, size_t nargs,
                          const tmpl_value *final)
{
    if (nargs > 1 || final)
        return x_fail_node(x, "can't give argument to non-function %s", args[0], NULL);
    return TMPL_OK;
}

/* Go's isHexInt: a hexadecimal integer literal (a hexadecimal float has a 'p'). */
static bool is_hex_int(const char *s, size_t n)
{
    return n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && !memchr(s, 'p', n) &&
           !memchr(s, 'P', n);
}

/* Go's idealConstant: a number written as a float is a float64, else an int. */
static int ideal_constant(tmpl_exec *x, const tmpl_node *n, tmpl_value *out)
{
    x->at = n;
    if (n->is_float && !is_hex_int(n->text, n->text_len) && n->text[0] != '\'' &&
        tmpl_number_looks_float(n)) {
        *out = tv_float(n->fval);
        return TMPL_OK;
    }
    if (n->is_int) {
        *out = tv_int(n->ival);
        return TMPL_OK;
    }
    if (n->is_uint)
        return x_fail(x, "%.*s overflows int", (int)n->text_len, n->text);
    *out = tv_invalid();
    return TMPL_OK;
}

static int validate_type(tmpl_exec *x, tmpl_value v, int ptype, tmpl_value *out)
{
    const char *want = tmpl_ptype_name((tmpl_ptype)ptype);
    bool ok;

    if (ptype == TP_VALUE) {
        *out = v;
        return TMPL_OK;
    }
    if (v.kind == TV_INVALID) {
        if (ptype == TP_ANY) {
            *out = tv_nil();
            return TMPL_OK;
        }
        if (ptype == TP_STRLIST || ptype == TP_KVLIST) {
            *out = tv_list_new(ptype == TP_STRLIST ? TV_E_STRING : TV_E_KV, 0);
            return out->kind == TV_LIST ? TMPL_OK : TMPL_ENOMEM;
        }
        return x_fail(x, "invalid value; expected %s", want);
    }
    switch (ptype) {
    case TP_ANY:
        ok = true;
        break;
    case TP_STRING:
        ok = v.kind == TV_STRING;
        break;
    case TP_INT:
        ok = v.kind == TV_INT && !(v.flags & TV_F_U8);
        break;
    case TP_BOOL:
        ok = v.kind == TV_BOOL;
        break;
    case TP_STRLIST:
        ok = v.kind == TV_LIST && tv_as_list(v)->elem == TV_E_STRING;
        break;
    default:
        ok = v.kind == TV_LIST && tv_as_list(v)->elem == TV_E_KV;
        break;
    }
    if (!ok || (v.kind == TV_NIL && ptype != TP_ANY)) {
        int rc = x_fail(x, "wrong type for value; expected %s; got %s", want,
                        v.kind == TV_NIL ? "interface {}" : tv_type_name(v));
        tv_release(v);
        return rc;
    }
    v.flags &= (uint8_t)~TV_F_IFACE;
    *out = v;
    return TMPL_OK;
}

static int eval_call(tmpl_exec *x, tmpl_value dot, const tmpl_func *f,
                     const tmpl_node *node, const char *name,
                     const tmpl_node *const *args, size_t nargs, const tmpl_value *final,
                     tmpl_value *out);

/* The field name of a struct value: memkv.KVPair's Key and Value, *net.SRV's Target,
 * Port, Priority and Weight. Returns whether it has one; *out is then new. */
static bool struct_field(tmpl_value v, const char *name, tmpl_value *out)
{
    const tv_srv *s = (const tv_srv *)v.ref;

    if (v.kind == TV_KV && strcmp(name, "Key") == 0)
        *out = tv_str_borrow(v.u.kv->key, v.u.kv->key_len);
    else if (v.kind == TV_KV && strcmp(name, "Value") == 0)
        *out = tv_str_borrow(v.u.kv->value, v.u.kv->value_len);
    else if (v.kind == TV_SRV && strcmp(name, "Target") == 0)
        *out = tv_retain(s->target);
    else if (v.kind == TV_SRV && strcmp(name, "Port") == 0)
        *out = tv_int(s->port);
    else if (v.kind == TV_SRV && strcmp(name, "Priority") == 0)
        *out = tv_int(s->priority);
    else if (v.kind == TV_SRV && strcmp(name, "Weight") == 0)
        *out = tv_int(s->weight);
    else
        return false;
    return true;
}

/* Go's evalField: the field or method name of receiver, a map's key, called with
 * args (args[0] is the field itself) and final, the value piped in. */
static int eval_field(tmpl_exec *x, tmpl_value dot, const char *name,
                      const tmpl_node *node, const tmpl_node *const *args, size_t nargs,
                      const tmpl_value *final, tmpl_value receiver, tmpl_value *out)
{
    bool has_args = nargs > 1 || final;
    const tmpl_value *v;
    const tmpl_func *m;

    if (receiver.kind == TV_INVALID) {
        *out = tv_invalid();
        return TMPL_OK;
    }
    if (receiver.kind == TV_NIL)
        return x_fail(x, "nil pointer evaluating %s.%s", static_type(receiver), name);
    if (receiver.kind == TV_TIME && (m = tmpl_time_method(name)) != NULL) {
        tmpl_value saved = x->recv;
        int rc;
        x->recv = receiver;
        rc = eval_call(x, dot, m, node, name, args, nargs, final, out);
        x->recv = saved;
        return rc;
    }
    if (struct_field(receiver, name, out)) {
        if (!has_args)
            return TMPL_OK;
        tv_release(*out);
        *out = tv_invalid();
        return x_fail(x, "%s has arguments but cannot be invoked as function", name);
    }
    if (receiver.kind != TV_MAP)
        return x_fail(x, "can't evaluate field %s in type %s", name,
                      static_type(receiver));
    if (has_args)
        return x_fail(x, "%s is not a method but has arguments", name);
    v = tv_map_get(receiver, name, strlen(name));
    if (!v) {
        *out = tv_invalid();
        return TMPL_OK;
    }
    *out = tv_retain(*v);
    out->flags |= TV_F_IFACE;
    return TMPL_OK;
}

static int eval_field_chain(tmpl_exec *x, tmpl_value dot, tmpl_value receiver,
                            const tmpl_node *node, char *const *idents, size_t n,
                            const tmpl_node *const *args, size_t nargs,
                            const tmpl_value *final, tmpl_value *out)
{
    tmpl_value cur = tv_retain(receiver);
    tmpl_value next;
    size_t i;
    int rc;

    for (i = 0; i + 1 < n; i++) {
        rc = eval_field(x, dot, idents[i], node, NULL, 0, NULL, cur, &next);
        tv_release(cur);
        if (rc)
            return rc;
        cur = next;
    }
    rc = eval_field(x, dot, idents[n - 1], node, args, nargs, final, cur, out);
    tv_release(cur);
    return rc;
}

static int eval_field_node(tmpl_exec *x, tmpl_value dot, const tmpl_node *field,
                           const tmpl_node *const *args, size_t nargs,
                           const tmpl_value *final, tmpl_value *out)
{
    x->at = field;
    return eval_field_chain(x, dot, dot, field, field->idents, field->nidents, args,
                            nargs, final, out);
}

static int eval_variable_node(tmpl_exec *x, tmpl_value dot, const tmpl_node *var,
                              const tmpl_node *const *args, size_t nargs,
                              const tmpl_value *final, tmpl_value *out)
{
    tmpl_var *v;
    int rc;

    x->at = var;
    v = var_find(x, var->idents[0], strlen(var->idents[0]));
    if (!v)
        return x_fail(x, "undefined variable: %s", var->idents[0]);
    if (var->nidents == 1) {
        rc = not_a_function(x, args, nargs, final);
        if (rc)
            return rc;
        *out = tv_retain(v->v);
        return TMPL_OK;
    }
    return eval_field_chain(x, dot, v->v, var, var->idents + 1, var->nidents - 1, args,
                            nargs, final, out);
}

/* cmd: the node errors of the call point at (the command, or the identifier
 * when the function is an argument). */
static int eval_function(tmpl_exec *x, tmpl_value dot, const tmpl_node *ident,
                         const tmpl_node *cmd, const tmpl_node *const *args, size_t nargs,
                         const tmpl_value *final, tmpl_value *out)
{
    const tmpl_func *f;
    char name[64];

    x->at = ident;
    snprintf(name, sizeof(name), "%.*s", (int)ident->text_len, ident->text);
    f = tmpl_func_lookup(ident->text, ident->text_len);
    if (!f)
        return x_fail(x, "\"%s\" is not a defined function", name);
    return eval_call(x, dot, f, cmd, name, args, nargs, final, out);
}

static int eval_chain_node(tmpl_exec *x, tmpl_value dot, const tmpl_node *chain,
                           const tmpl_node *const *args, size_t nargs,
                           const tmpl_value *final, tmpl_value *out)
{
    tmpl_value base;
    int rc;

    x->at = chain;
    if (chain->base->type == TMPL_N_NIL)
        return x_fail_node(x, "indirection through explicit nil in %s", chain, NULL);
    rc = eval_arg(x, dot, -1, chain->base, &base);
    if (rc)
        return rc;
    rc = eval_field_chain(x, dot, base, chain, chain->idents, chain->nidents, args, nargs,
                          final, out);
    tv_release(base);
    return rc;
}

static int eval_command(tmpl_exec *x, tmpl_value dot, const tmpl_node *cmd,
                        const tmpl_value *final, tmpl_value *out)
{
    const tmpl_node *first = cmd->kids[0];
    const tmpl_node *const *args = (const tmpl_node *const *)cmd->kids;
    int rc = tmpl_exec_charge(x, 1);

    if (rc)
        return rc;

    switch (first->type) {
    case TMPL_N_FIELD:
        return eval_field_node(x, dot, first, args, cmd->nkids, final, out);
    case TMPL_N_CHAIN:
        return eval_chain_node(x, dot, first, args, cmd->nkids, final, out);
    case TMPL_N_IDENT:
        return eval_function(x, dot, first, cmd, args, cmd->nkids, final, out);
    case TMPL_N_PIPE:
        rc = not_a_function(x, args, cmd->nkids, final);
        return rc ? rc : eval_pipeline(x, dot, first, out);
    case TMPL_N_VAR:
        return eval_variable_node(x, dot, first, args, cmd->nkids, final, out);
    default:
        break;
    }
    x->at = first;
    rc = not_a_function(x, args, cmd->nkids, final);
    if (rc)
        return rc;
    switch (first->type) {
    case TMPL_N_BOOL:
        *out = tv_bool(first->bool_val);
        return TMPL_OK;
    case TMPL_N_DOT:
        *out = tv_retain(dot);
        return TMPL_OK;
    case TMPL_N_NIL:
        return x_fail(x, "nil is not a command");
    case TMPL_N_NUMBER:
        return ideal_constant(x, first, out);
    case TMPL_N_STRING:
        *out = tv_str_borrow(first->text, first->text_len);
        return TMPL_OK;
    default:
        return x_fail_node(x, "can't evaluate command %s", first, NULL);
    }
}

static int eval_empty_interface(tmpl_exec *x, const tmpl_node *n, tmpl_value *out)
{
    switch (n->type) {
    case TMPL_N_BOOL:
        *out = tv_bool(n->bool_val);
        return TMPL_OK;
    case TMPL_N_NUMBER:
        return ideal_constant(x, n, out);
    case TMPL_N_STRING:
        *out = tv_str_borrow(n->text, n->text_len);
        return TMPL_OK;
    default:
        return x_fail_node(x, "can't handle %s for arg of type interface {}", n, NULL);
    }
}

/* Go's evalArg for a constant (a bool, number or string node) given for a
 * parameter of type ptype. */
static int eval_constant_arg(tmpl_exec *x, int ptype, const tmpl_node *n, tmpl_value *out)
{
    switch (ptype) {
    case TP_BOOL:
        if (n->type != TMPL_N_BOOL)
            return x_fail_node(x, "expected bool; found %s", n, NULL);
        *out = tv_bool(n->bool_val);
        return TMPL_OK;
    case TP_INT:
        if (n->type != TMPL_N_NUMBER || !n->is_int)
            return x_fail_node(x, "expected integer; found %s", n, NULL);
        *out = tv_int(n->ival);
        return TMPL_OK;
    case TP_STRING:
        if (n->type != TMPL_N_STRING)
            return x_fail_node(x, "expected string; found %s", n, NULL);
        *out = tv_str_borrow(n->text, n->text_len);
        return TMPL_OK;
    case TP_ANY:
    case TP_VALUE:
        return eval_empty_interface(x, n, out);
    default:
        return x_fail_node(x, "can't handle %s for arg of type %s", n,
                           tmpl_ptype_name((tmpl_ptype)ptype));
    }
}

/* Go's evalArg: the argument n for a parameter of type ptype (-1: any type, as for
 * a chain's base). */
static int eval_arg(tmpl_exec *x, tmpl_value dot, int ptype, const tmpl_node *n,
                    tmpl_value *out)
{
    const tmpl_node *self[1] = {n}; /* a field alone: a command of one word */
    tmpl_value v;
    int rc;

    x->at = n;
    switch (n->type) {
    case TMPL_N_DOT:
        v = tv_retain(dot);
        rc = TMPL_OK;
        break;
    case TMPL_N_NIL:
        if (ptype == TP_VALUE) {
            *out = tv_invalid();
            return TMPL_OK;
        }
        if (ptype == TP_ANY) {
            *out = tv_nil();
            return TMPL_OK;
        }
        if (ptype == TP_STRLIST || ptype == TP_KVLIST)
            return validate_type(x, tv_invalid(), ptype, out);
        return x_fail(x, "cannot assign nil to %s",
                      ptype < 0 ? "<nil>" : tmpl_ptype_name((tmpl_ptype)ptype));
    case TMPL_N_FIELD:
        rc = eval_field_node(x, dot, n, self, 1, NULL, &v);
        break;
    case TMPL_N_VAR:
        rc = eval_variable_node(x, dot, n, NULL, 0, NULL, &v);
        break;
    case TMPL_N_PIPE:
        rc = eval_pipeline(x, dot, n, &v);
        break;
    case TMPL_N_IDENT:
        rc = eval_function(x, dot, n, n, NULL, 0, NULL, &v);
        break;
    case TMPL_N_CHAIN:
        rc = eval_chain_node(x, dot, n, NULL, 0, NULL, &v);
        break;
    default:
        return eval_constant_arg(x, ptype, n, out);
    }
    if (rc)
        return rc;
    if (ptype < 0) {
        *out = v;
        return TMPL_OK;
    }
    return validate_type(x, v, ptype, out);
}

static int call_and_or(tmpl_exec *x, tmpl_value dot, const tmpl_func *f,
                       const tmpl_node *const *args, size_t nargs,
                       const tmpl_value *final, tmpl_value *out)
{
    tmpl_value v = tv_invalid();
    size_t i;
    int rc;
    bool is_or = f->special == TMPL_FN_OR;

    for (i = 1; i < nargs; i++) {
        tv_release(v);
        rc = eval_arg(x, dot, TP_VALUE, args[i], &v);
        if (rc)
            return rc;
        if (tv_truth(tv_unwrap_iface(v)) == is_or) {
            *out = v;
            return TMPL_OK;
        }
    }
    if (final) {
        tv_release(v);
        v = tv_retain(*final);
    }
    *out = v;
    return TMPL_OK;
}

static int eval_call(tmpl_exec *x, tmpl_value dot, const tmpl_func *f,
                     const tmpl_node *node, const char *name,
                     const tmpl_node *const *args, size_t nargs, const tmpl_value *final,
                     tmpl_value *out)
{
    size_t given = nargs > 0 ? nargs - 1 : 0;
    size_t num_in = given + (final ? 1 : 0);
    size_t num_fixed = f->variadic ? (size_t)f->nparams - 1 : given;
    tmpl_value stack_argv[STACK_ARGS];
    tmpl_value *argv = stack_argv;
    size_t i;
    int rc = TMPL_OK;

    if (f->variadic && num_in < num_fixed)
        return x_fail(x, "wrong number of args for %s: want at least %d got %zu", name,
                      f->nparams - 1, given);
    if (!f->variadic && num_in != f->nparams)
        return x_fail(x, "wrong number of args for %s: want %d got %zu", name, f->nparams,
                      num_in);
    if (f->special)
        return call_and_or(x, dot, f, args, nargs, final, out);
    if (num_in > STACK_ARGS) {
        argv = malloc(num_in * sizeof(*argv));
        if (!argv)
            return TMPL_ENOMEM;
    }
    for (i = 0; i < given; i++) {
        int pt = i < num_fixed ? f->params[i] : f->params[f->nparams - 1];
        rc = eval_arg(x, dot, pt, args[i + 1], &argv[i]);
        if (rc)
            break;
    }
    if (rc == 0 && final) {
        int pt = f->params[f->nparams - 1];
        if (f->variadic && num_in - 1 < num_fixed)
            pt = f->params[num_in - 1];
        rc = validate_type(x, tv_retain(*final), pt, &argv[i]);
        if (rc == 0)
            i++;
    }
    if (rc == 0) {
        free(x->fn_err);
        x->fn_err = NULL;
        *out = tv_invalid();
        rc = f->fn(x, argv, num_in, out);
        if (rc != TMPL_OK) {
            tv_release(*out);
            *out = tv_invalid();
        }
        if (rc == TMPL_EEXEC && !x->err) {
            x->at = node;
            rc = x_fail(x, "error calling %s: %s", name, x->fn_err ? x->fn_err : "");
        }
    }
    while (i > 0)
        tv_release(argv[--i]);
    if (argv != stack_argv)
        free(argv);
    return rc;
}

static int eval_pipeline_body(tmpl_exec *x, tmpl_value dot, const tmpl_node *pipe,
                              tmpl_value *out)
{
    tmpl_value value = tv_invalid();
    tmpl_value next;
    size_t i;
    int rc;

    *out = tv_invalid();
    if (!pipe)
        return TMPL_OK;
    x->at = pipe;
    for (i = 0; i < pipe->nkids; i++) {
        rc = eval_command(x, dot, pipe->kids[i], i == 0 ? NULL : &value, &next);
        tv_release(value);
        if (rc)
            return rc;
        value = tv_unwrap_iface(next);
    }
    for (i = 0; i < pipe->ndecl; i++) {
        const char *vname = pipe->decl[i]->idents[0];
        if (pipe->is_assign)
            rc = var_set(x, vname, tv_retain(value));
        else
            rc = var_push(x, vname, strlen(vname), tv_retain(value));
        if (rc) {
            tv_release(value);
            return rc;
        }
    }
    *out = value;
    return TMPL_OK;
}

static int enter(tmpl_exec *x)
{
    if (x->nest >= MAX_NESTING)
        return x_fail(x, "exceeded maximum nesting depth (%d)", MAX_NESTING);
    x->nest++;
    return TMPL_OK;
}

static int eval_pipeline(tmpl_exec *x, tmpl_value dot, const tmpl_node *pipe,
                         tmpl_value *out)
{
    int rc = enter(x);

    if (rc) {
        *out = tv_invalid();
        return rc;
    }
    rc = eval_pipeline_body(x, dot, pipe, out);
    x->nest--;
    return rc;
}

/* ---- walking --------------------------------------------------------- */

static int walk_if_or_with(tmpl_exec *x, tmpl_value dot, const tmpl_node *n)
{
    size_t mark = x->nvars;
    tmpl_value val;
    int rc = eval_pipeline(x, dot, n->pipe, &val);

    if (rc == 0) {
        if (tv_truth(val))
            rc = walk(x, n->type == TMPL_N_WITH ? val : dot, n->list);
        else if (n->else_list)
            rc = walk(x, dot, n->else_list);
    }
    tv_release(val);
    var_pop(x, mark);
    return rc;
}

/* One iteration of a range: binds the variables, walks the body. {{continue}} ends
 * the iteration only; WALK_BREAK is passed up to end the range. */
static int range_one(tmpl_exec *x, const tmpl_node *r, tmpl_value index, tmpl_value elem)
{
    const tmpl_node *p = r->pipe;
    size_t mark = x->nvars;
    int rc = TMPL_OK;

    if (p->ndecl > 0) {
        if (p->is_assign)
            rc =
                var_set(x, p->decl[0]->idents[0], tv_retain(p->ndecl > 1 ? index : elem));
        else
            var_set_top(x, 1, tv_retain(elem));
    }
    if (rc == 0 && p->ndecl > 1) {
        if (p->is_assign)
            rc = var_set(x, p->decl[1]->idents[0], tv_retain(elem));
        else
            var_set_top(x, 2, tv_retain(index));
    }
    if (rc == 0)
        rc = walk(x, elem, r->list);
    var_pop(x, mark);
    return rc == WALK_CONTINUE ? TMPL_OK : rc;
}

/* The i-th index (borrowed) and element (new) of a list or a map to range over. */
static void range_item(tmpl_value val, size_t i, tmpl_value *index, tmpl_value *elem)
{
    tv_map *m = tv_as_map(val);

    if (!m) {
        *index = tv_int((int64_t)i);
        *elem = tv_list_item(tv_as_list(val), i);
        return;
    }
    *index = m->items[i].key;
    *elem = tv_retain(m->items[i].val);
    elem->flags |= TV_F_IFACE;
}

/* Ranges over the items of a list or a map, in order. */
static int range_items(tmpl_exec *x, const tmpl_node *r, tmpl_value val)
{
    tmpl_value index;
    tmpl_value elem;
    size_t i;
    int rc;

    for (i = 0; i < (size_t)tv_len(val); i++) {
        range_item(val, i, &index, &elem);
        rc = range_one(x, r, index, elem);
        tv_release(elem);
        if (rc)
            return rc == WALK_BREAK ? TMPL_OK : rc;
    }
    return TMPL_OK;
}

static int walk_range(tmpl_exec *x, tmpl_value dot, const tmpl_node *r)
{
    size_t mark = x->nvars;
    tmpl_value val;
    int rc;
    bool empty = true;

    x->at = r;
    rc = eval_pipeline(x, dot, r->pipe, &val);
    if (rc)
        return rc;
    val = tv_unwrap_iface(val);
    if (val.kind == TV_NIL)
        val = tv_invalid();
    if (val.kind == TV_LIST || val.kind == TV_MAP) {
        empty = tv_len(val) == 0;
        rc = range_items(x, r, val);
    } else if (val.kind != TV_INVALID) {
        tmpl_buf b;
        tmpl_buf_init(&b, 0);
        if (tmpl_fmt_value(&b, val) != 0 || tmpl_buf_add(&b, "", 0) != 0)
            rc = TMPL_ENOMEM;
        else
            rc = x_fail(x, "range can't iterate over %s", b.data);
        tmpl_buf_cleanup(&b);
    }
    if (rc == 0 && empty && r->else_list)
        rc = walk(x, dot, r->else_list);
    tv_release(val);
    var_pop(x, mark);
    return rc;
}

static int walk_template(tmpl_exec *x, tmpl_value dot, const tmpl_node *t)
{
    const tmpl_tree *tree;
    tmpl_value newdot;
    size_t saved_base = x->var_base;
    size_t mark = x->nvars;
    const char *saved_name = x->tmpl_name;
    int rc;

    x->at = t;
    tree = tmpl_set_lookup(x->set, t->text, t->text_len);
    if (!tree)
        return x_fail_quoted(x, "template ", t->text, t->text_len, " not defined");
    if (x->depth >= x->max_depth)
        return x_fail(x, "exceeded maximum template depth (%u)", x->max_depth);
    rc = eval_pipeline(x, dot, t->pipe, &newdot);
    if (rc)
        return rc;
    x->var_base = x->nvars;
    rc = var_push(x, "$", 1, tv_retain(newdot));
    if (rc == 0) {
        x->depth++;
        x->tmpl_name = tree->name;
        rc = walk(x, newdot, tree->root);
        x->tmpl_name = saved_name;
        x->depth--;
    }
    var_pop(x, x->var_base);
    x->var_base = saved_base;
    var_pop(x, mark);
    tv_release(newdot);
    return rc;
}

static int walk_node(tmpl_exec *x, tmpl_value dot, const tmpl_node *n);

static int walk(tmpl_exec *x, tmpl_value dot, const tmpl_node *n)
{
    int rc = enter(x);

    if (rc)
        return rc;
    rc = walk_node(x, dot, n);
    x->nest--;
    return rc;
}

static int walk_node(tmpl_exec *x, tmpl_value dot, const tmpl_node *n)
{
    tmpl_value val;
    size_t i;
    int rc;

    x->at = n;
    rc = tmpl_exec_charge(x, 1);
    if (rc)
        return rc;
    switch (n->type) {
    case TMPL_N_ACTION:
        rc = eval_pipeline(x, dot, n->pipe, &val);
        if (rc)
            return rc;
        if (n->pipe->ndecl == 0) {
            x->at = n;
            rc = x_out(x, tmpl_fmt_value(x->out, val));
        }
        tv_release(val);
        return rc;
    case TMPL_N_BREAK:
        return WALK_BREAK;
    case TMPL_N_CONTINUE:
        return WALK_CONTINUE;
    case TMPL_N_IF:
    case TMPL_N_WITH:
        return walk_if_or_with(x, dot, n);
    case TMPL_N_LIST:
        for (i = 0; i < n->nkids; i++) {
            rc = walk(x, dot, n->kids[i]);
            if (rc)
                return rc;
        }
        return TMPL_OK;
    case TMPL_N_RANGE:
        return walk_range(x, dot, n);
    case TMPL_N_TEMPLATE:
        return walk_template(x, dot, n);
    case TMPL_N_TEXT:
        return x_out(x, tmpl_buf_add(x->out, n->text, n->text_len));
    default:
        return x_fail(x, "unknown node");
    }
}

/* ---- entry points ---------------------------------------------------- */

static int exec_tree(tmpl_exec *x, const tmpl_set *set, tmpl_value dot)
{
    const tmpl_tree *tree = tmpl_set_lookup(set, set->name, strlen(set->name));
    int rc;

    x->set = set;
    x->tmpl_name = set->name;
    if (!tree)
        return x_fail_quoted(x, "", set->name, strlen(set->name),
                             " is an incomplete or empty template");
    rc = var_push(x, "$", 1, tv_retain(dot));
    if (rc == 0)
        rc = walk(x, dot, tree->root);
    var_pop(x, 0);
    if (rc == WALK_BREAK || rc == WALK_CONTINUE)
        rc = TMPL_OK;
    return rc;
}

static void exec_init(tmpl_exec *x, const tmpl_snapshot *snap, const tmpl_options *opts,
                      tmpl_buf *out)
{
    memset(x, 0, sizeof(*x));
    x->snap = snap;
    x->opts = opts;
    x->hooks = opts ? opts->hooks : NULL;
    x->max_depth = opts && opts->max_depth ? opts->max_depth : TMPL_DEFAULT_MAX_DEPTH;
    x->max_ops = opts ? opts->max_ops : 0;
    x->out = out;
}

static void exec_cleanup(tmpl_exec *x)
{
    size_t i;

    var_pop(x, 0);
    free(x->vars);
    free(x->fn_err);
    for (i = 0; i < x->ninc; i++) {
        tmpl_set_cleanup(x->inc[i]);
        free(x->inc[i]);
    }
}

static int include_check(tmpl_exec *x, const char *name)
{
    const tmpl_exec *p;
    unsigned depth = 0;
    const char *s;

    if (name[0] == '\0' || name[0] == '/')
        return tmpl_fn_error(x, "%s: not a relative path in the templates directory",
                             name);
    for (s = name; *s; s++) {
        if ((s == name || s[-1] == '/') && s[0] == '.' && s[1] == '.' &&
            (s[2] == '/' || s[2] == '\0'))
            return tmpl_fn_error(x, "%s: path leaves the templates directory", name);
    }
    for (p = x; p; p = p->parent) {
        if (p->include_name && strcmp(p->include_name, name) == 0)
            return tmpl_fn_error(x, "%s: include cycle", name);
        depth++;
    }
    if (depth > MAX_INCLUDE_DEPTH || x->depth + depth >= x->max_depth)
        return tmpl_fn_error(x, "%s: includes nested too deeply", name);
    return TMPL_OK;
}

/* The parsed template `name` (borrowed from the root's cache, or new in *owned
 * when the cache is full). Returns 0, TMPL_ENOMEM or TMPL_EEXEC. */
static int include_load(tmpl_exec *x, const char *name, tmpl_set **set, tmpl_set **owned)
{
    tmpl_exec *root = exec_root(x);
    char *text = NULL;
    char *err = NULL;
    size_t tlen = 0;
    tmpl_set *s;
    size_t i;
    int rc;

    *owned = NULL;
    for (i = 0; i < root->ninc; i++) {
        if (strcmp(root->inc[i]->name, name) == 0) {
            *set = root->inc[i];
            return TMPL_OK;
        }
    }
    if (!x->hooks || !x->hooks->load)
        return tmpl_fn_error(x, "%s: no template loader", name);
    rc = x->hooks->load(x->hooks->ud, name, &text, &tlen, &err);
    if (rc != 0 && rc != TMPL_ENOMEM)
        rc = tmpl_fn_error(x, "%s: cannot load: %s", name, err ? err : "unknown error");
    free(err);
    err = NULL;
    if (rc != 0)
        return rc;
    s = malloc(sizeof(*s));
    if (!s) {
        free(text);
        return TMPL_ENOMEM;
    }
    rc = tmpl_set_parse(s, name, text, tlen, &err);
    free(text);
    if (rc == TMPL_EPARSE) {
        rc = tmpl_fn_error(x, "%s", err);
        free(err);
    }
    if (rc != TMPL_OK) {
        tmpl_set_cleanup(s);
        free(s);
        return rc;
    }
    if (root->ninc < MAX_CACHED_INCLUDES)
        root->inc[root->ninc++] = s;
    else
        *owned = s;
    *set = s;
    return TMPL_OK;
}

/* Executes an included set into a new string. */
static int include_run(tmpl_exec *x, const tmpl_set *set, const char *name,
                       tmpl_value dot, tmpl_value *out)
{
    size_t used = x->out->len;
    size_t limit = x->out->limit;
    tmpl_exec sub;
    tmpl_buf buf;
    int rc;

    tmpl_buf_init(&buf, limit ? (limit > used ? limit - used : 1) : 0);
    exec_init(&sub, x->snap, x->opts, &buf);
    sub.parent = x;
    sub.include_name = name;
    sub.depth = x->depth + 1;
    sub.max_depth = x->max_depth;
    sub.nest = x->nest;
    rc = exec_tree(&sub, set, dot);
    if (rc == TMPL_OK) {
        size_t n;
        char *s = tmpl_buf_steal(&buf, &n);
        *out = s ? tv_str_take(s, n) : tv_invalid();
        rc = out->kind == TV_STRING ? TMPL_OK : TMPL_ENOMEM;
    } else if (rc == TMPL_ETOOBIG && !x->err) {
        x->err = sub.err;
        sub.err = NULL;
    } else if (sub.err) {
        rc = tmpl_fn_error(x, "%s", sub.err);
    }
    free(sub.err);
    exec_cleanup(&sub);
    tmpl_buf_cleanup(&buf);
    return rc;
}

int tmpl_exec_include(tmpl_exec *x, const char *name, size_t len, tmpl_value dot,
                      tmpl_value *out)
{
    char *cname = malloc(len + 1);
    tmpl_set *set = NULL;
    tmpl_set *owned = NULL;
    int rc;

    if (!cname)
        return TMPL_ENOMEM;
    memcpy(cname, name, len);
    cname[len] = '\0';
    rc = include_check(x, cname);
    if (rc == TMPL_OK)
        rc = include_load(x, cname, &set, &owned);
    if (rc == TMPL_OK)
        rc = include_run(x, set, cname, dot, out);
    if (owned) {
        tmpl_set_cleanup(owned);
        free(owned);
    }
    free(cname);
    return rc;
}

int tmpl_parse(const char *name, const char *text, size_t len, tmpl_template **out,
               char **err)
{
    tmpl_template *t;
    int rc;

    *out = NULL;
    *err = NULL;
    if (!name || (!text && len))
        return TMPL_EINVAL;
    t = calloc(1, sizeof(*t));
    if (!t)
        return TMPL_ENOMEM;
    rc = tmpl_set_parse(&t->set, name, text ? text : "", len, err);
    if (rc != TMPL_OK) {
        tmpl_free(t);
        return rc;
    }
    *out = t;
    return TMPL_OK;
}

int tmpl_execute(const tmpl_template *t, const tmpl_snapshot *snap,
                 const tmpl_options *opts, char **out, size_t *out_len, char **err)
{
    tmpl_exec x;
    tmpl_buf buf;
    int rc;

    *out = NULL;
    *err = NULL;
    if (out_len)
        *out_len = 0;
    if (!t)
        return TMPL_EINVAL;
    tmpl_buf_init(&buf,
                  opts && opts->max_output ? opts->max_output : TMPL_DEFAULT_MAX_OUTPUT);
    exec_init(&x, snap, opts, &buf);
    rc = exec_tree(&x, &t->set, tv_invalid());
    if (rc == TMPL_OK) {
        *out = tmpl_buf_steal(&buf, out_len);
        if (!*out)
            rc = TMPL_ENOMEM;
    } else if (rc != TMPL_ENOMEM) {
        *err = x.err;
        x.err = NULL;
        if (!*err)
            rc = TMPL_ENOMEM;
    }
    free(x.err);
    exec_cleanup(&x);
    tmpl_buf_cleanup(&buf);
    return rc;
}

void tmpl_free(tmpl_template *t)
{
    if (!t)
        return;
    tmpl_set_cleanup(&t->set);
    free(t);
}

int tmpl_render(const char *name, const char *text, size_t len, const tmpl_snapshot *snap,
                const tmpl_options *opts, char **out, size_t *out_len, char **err)
{
    tmpl_template *t;
    int rc = tmpl_parse(name, text, len, &t, err);

    *out = NULL;
    if (rc != TMPL_OK)
        return rc;
    rc = tmpl_execute(t, snap, opts, out, out_len, err);
    tmpl_free(t);
    return rc;
}

const char *tmpl_strerror(int code)
{
    switch (code) {
    case TMPL_OK:
        return "success";
    case TMPL_ENOMEM:
        return "out of memory";
    case TMPL_EPARSE:
        return "template parse error";
    case TMPL_EEXEC:
        return "template execution error";
    case TMPL_ETOOBIG:
        return "template output too large";
    case TMPL_EINVAL:
        return "invalid argument";
    default:
        return "unknown error";
    }
}
