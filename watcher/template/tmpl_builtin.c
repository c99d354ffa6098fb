/* tmpl_builtin: Go's text/template builtins (funcs.go). */
#include "tmpl_fmt.h"
#include "tmpl_funcs.h"
#include "tmpl_utf8.h"

#include <stdlib.h>
#include <string.h>

typedef enum { K_INVALID, K_BOOL, K_INT, K_UINT, K_FLOAT, K_STRING } basic_kind;

static basic_kind basic(tmpl_value v)
{
    switch (v.kind) {
    case TV_BOOL:
        return K_BOOL;
    case TV_INT:
        return (v.flags & TV_F_U8) ? K_UINT : K_INT;
    case TV_FLOAT:
        return K_FLOAT;
    case TV_STRING:
        return K_STRING;
    default:
        return K_INVALID;
    }
}

static int str_cmp(tmpl_value a, tmpl_value b)
{
    return tv_str_cmp(&a, &b);
}

static bool is_nilish(tmpl_value v)
{
    return v.kind == TV_INVALID || v.kind == TV_NIL;
}

/* Returns 1 true, 0 false, or a negative code. */
static int eq2(tmpl_exec *x, tmpl_value a, tmpl_value b)
{
    basic_kind k1 = basic(a);
    basic_kind k2 = basic(b);

    if (k1 != k2) {
        if (k1 == K_INT && k2 == K_UINT)
            return a.u.i >= 0 && a.u.i == b.u.i;
        if (k1 == K_UINT && k2 == K_INT)
            return b.u.i >= 0 && a.u.i == b.u.i;
        if (a.kind != TV_INVALID && b.kind != TV_INVALID)
            return tmpl_fn_error(x, "incompatible types for comparison");
        return 0;
    }
    switch (k1) {
    case K_BOOL:
        return a.u.b == b.u.b;
    case K_FLOAT:
        return a.u.f == b.u.f;
    case K_INT:
    case K_UINT:
        return a.u.i == b.u.i;
    case K_STRING:
        return str_cmp(a, b) == 0;
    default:
        break;
    }
    if (a.kind != b.kind && a.kind != TV_INVALID && b.kind != TV_INVALID)
        return tmpl_fn_error(x, "non-comparable types");
    if (is_nilish(a) || is_nilish(b))
        return is_nilish(a) == is_nilish(b);
    if (a.kind == TV_KV)
        return a.u.kv == b.u.kv ||
               (a.u.kv->key_len == b.u.kv->key_len &&
                a.u.kv->value_len == b.u.kv->value_len &&
                !memcmp(a.u.kv->key, b.u.kv->key, a.u.kv->key_len) &&
                !memcmp(a.u.kv->value, b.u.kv->value, a.u.kv->value_len));
    return tmpl_fn_error(x, "non-comparable type %s", tv_type_name(b));
}

static int fn_eq(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    tmpl_value a = tv_unwrap_iface(args[0]);
    size_t i;
    int r;

    if (n < 2)
        return tmpl_fn_error(x, "missing argument for comparison");
    for (i = 1; i < n; i++) {
        r = eq2(x, a, tv_unwrap_iface(args[i]));
        if (r < 0)
            return r;
        if (r) {
            *out = tv_bool(true);
            return 0;
        }
    }
    *out = tv_bool(false);
    return 0;
}

static int fn_ne(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    int r = eq2(x, tv_unwrap_iface(args[0]), tv_unwrap_iface(args[1]));

    (void)n;
    if (r < 0)
        return r;
    *out = tv_bool(!r);
    return 0;
}

/* Returns 1 true, 0 false, or a negative code. */
static int lt2(tmpl_exec *x, tmpl_value a, tmpl_value b)
{
    basic_kind k1 = basic(a);
    basic_kind k2 = basic(b);

    if (k1 == K_INVALID || k2 == K_INVALID)
        return tmpl_fn_error(x, "invalid type for comparison");
    if (k1 != k2) {
        if (k1 == K_INT && k2 == K_UINT)
            return a.u.i < 0 || a.u.i < b.u.i;
        if (k1 == K_UINT && k2 == K_INT)
            return b.u.i >= 0 && a.u.i < b.u.i;
        return tmpl_fn_error(x, "incompatible types for comparison");
    }
    switch (k1) {
    case K_BOOL:
        return tmpl_fn_error(x, "invalid type for comparison");
    case K_FLOAT:
        return a.u.f < b.u.f;
    case K_STRING:
        return str_cmp(a, b) < 0;
    default:
        return a.u.i < b.u.i;
    }
}

static int cmp_result(int r, bool negate, tmpl_value *out)
{
    if (r < 0)
        return r;
    *out = tv_bool(negate ? !r : r != 0);
    return 0;
}

static int fn_lt(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    (void)n;
    return cmp_result(lt2(x, tv_unwrap_iface(args[0]), tv_unwrap_iface(args[1])), false,
                      out);
}

static int le2(tmpl_exec *x, tmpl_value a, tmpl_value b)
{
    int r = lt2(x, a, b);

    if (r != 0)
        return r;
    return eq2(x, a, b);
}

static int fn_le(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    (void)n;
    return cmp_result(le2(x, tv_unwrap_iface(args[0]), tv_unwrap_iface(args[1])), false,
                      out);
}

static int fn_gt(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    (void)n;
    return cmp_result(le2(x, tv_unwrap_iface(args[0]), tv_unwrap_iface(args[1])), true,
                      out);
}

static int fn_ge(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    (void)n;
    return cmp_result(lt2(x, tv_unwrap_iface(args[0]), tv_unwrap_iface(args[1])), true,
                      out);
}

static int fn_not(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    (void)x;
    (void)n;
    *out = tv_bool(!tv_truth(tv_unwrap_iface(args[0])));
    return 0;
}

static int fn_len(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    tmpl_value v = args[0];
    int64_t len;

    (void)n;
    if (v.kind == TV_NIL && (v.flags & TV_F_IFACE))
        return tmpl_fn_error(x, "len of nil pointer");
    v = tv_unwrap_iface(v);
    len = tv_len(v);
    if (len < 0) {
        if (v.kind == TV_INVALID)
            return tmpl_fn_error(x, "reflect: call of reflect.Value.Type on zero Value");
        return tmpl_fn_error(x, "len of type %s", tv_type_name(v));
    }
    *out = tv_int(len);
    return 0;
}

static int index_arg(tmpl_exec *x, tmpl_value idx, int64_t cap, int64_t *out)
{
    idx = tv_unwrap_iface(idx);
    if (idx.kind == TV_INVALID || idx.kind == TV_NIL)
        return tmpl_fn_error(x, "cannot index slice/array with nil");
    if (idx.kind != TV_INT)
        return tmpl_fn_error(x, "cannot index slice/array with type %s",
                             tv_type_name(idx));
    if (idx.u.i < 0 || idx.u.i > cap)
        return tmpl_fn_error(x, "index out of range: %lld", (long long)idx.u.i);
    *out = idx.u.i;
    return 0;
}

static int index_one(tmpl_exec *x, tmpl_value item, tmpl_value idx, tmpl_value *out)
{
    int64_t i = 0;
    int rc;

    if (item.kind == TV_NIL)
        return tmpl_fn_error(x, "index of nil pointer");
    if (item.kind == TV_STRING || item.kind == TV_LIST) {
        int64_t len = tv_len(item);
        rc = index_arg(x, idx, len, &i);
        if (rc)
            return rc;
        if (i == len)
            return tmpl_fn_error(x, "reflect: %s index out of range",
                                 item.kind == TV_STRING ? "string" : "slice");
        if (item.kind == TV_STRING) {
            *out = tv_int((unsigned char)item.u.s.p[i]);
            out->flags |= TV_F_U8;
        } else {
            *out = tv_list_item(tv_as_list(item), (size_t)i);
        }
        return 0;
    }
    if (item.kind == TV_MAP) {
        const tmpl_value *v;
        idx = tv_unwrap_iface(idx);
        if (idx.kind == TV_INVALID || idx.kind == TV_NIL) {
            *out = tv_nil();
            out->flags |= TV_F_IFACE;
            return 0;
        }
        if (idx.kind != TV_STRING)
            return tmpl_fn_error(x, "value has type %s; should be string",
                                 tv_type_name(idx));
        v = tv_map_get(item, idx.u.s.p, idx.u.s.n);
        *out = v ? tv_retain(*v) : tv_nil();
        out->flags |= TV_F_IFACE;
        return 0;
    }
    return tmpl_fn_error(x, "can't index item of type %s", tv_type_name(item));
}

static int fn_index(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    tmpl_value item = tv_retain(tv_unwrap_iface(args[0]));
    tmpl_value next;
    size_t i;
    int rc;

    if (item.kind == TV_INVALID)
        return tmpl_fn_error(x, "index of untyped nil");
    for (i = 1; i < n; i++) {
        tmpl_value cur = tv_unwrap_iface(item);
        if ((item.flags & TV_F_IFACE) && item.kind == TV_NIL) {
            tv_release(item);
            return tmpl_fn_error(x, "index of nil pointer");
        }
        rc = index_one(x, cur, args[i], &next);
        tv_release(item);
        if (rc)
            return rc;
        item = next;
    }
    *out = item;
    return 0;
}

static int slice_list(tmpl_value item, int64_t lo, int64_t hi, tmpl_value *out)
{
    tv_list *l = tv_as_list(item);
    int64_t i;

    *out = tv_list_new((tv_elem)l->elem, (size_t)(hi - lo));
    if (out->kind != TV_LIST)
        return TMPL_ENOMEM;
    out->flags = item.flags & TV_F_KVPAIRS;
    for (i = lo; i < hi; i++) {
        if (tv_list_push(*out, tv_retain(l->items[i])))
            return TMPL_ENOMEM;
    }
    return 0;
}

static int fn_slice(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    tmpl_value item = tv_unwrap_iface(args[0]);
    int64_t idx[3] = {0, 0, 0};
    int64_t cap;
    size_t i;
    int rc;

    if (item.kind == TV_INVALID || item.kind == TV_NIL)
        return tmpl_fn_error(x, "slice of untyped nil");
    if (n - 1 > 3)
        return tmpl_fn_error(x, "too many slice indexes: %zu", n - 1);
    if (item.kind == TV_STRING) {
        if (n - 1 == 3)
            return tmpl_fn_error(x, "cannot 3-index slice a string");
    } else if (item.kind != TV_LIST) {
        return tmpl_fn_error(x, "can't slice item of type %s", tv_type_name(item));
    }
    cap = tv_len(item);
    idx[1] = cap;
    for (i = 1; i < n; i++) {
        rc = index_arg(x, args[i], cap, &idx[i - 1]);
        if (rc)
            return rc;
    }
    if (idx[0] > idx[1])
        return tmpl_fn_error(x, "invalid slice index: %lld > %lld", (long long)idx[0],
                             (long long)idx[1]);
    if (n - 1 == 3 && idx[1] > idx[2])
        return tmpl_fn_error(x, "invalid slice index: %lld > %lld", (long long)idx[1],
                             (long long)idx[2]);
    if (item.kind == TV_STRING) {
        *out = tv_retain(item);
        out->u.s.p += idx[0];
        out->u.s.n = (size_t)(idx[1] - idx[0]);
        return 0;
    }
    return slice_list(item, idx[0], idx[1], out);
}

static int fn_print(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    tmpl_buf b;

    tmpl_buf_init(&b, 0);
    return tmpl_fn_string(x, &b, tmpl_fmt_sprint(&b, args, n), out);
}

static int fn_println(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    tmpl_buf b;

    tmpl_buf_init(&b, 0);
    return tmpl_fn_string(x, &b, tmpl_fmt_sprintln(&b, args, n), out);
}

static int fn_printf(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    tmpl_buf b;

    tmpl_buf_init(&b, 0);
    return tmpl_fn_string(
        x, &b, tmpl_fmt_sprintf(&b, args[0].u.s.p, args[0].u.s.n, args + 1, n - 1), out);
}

/* evalArgs: one string argument as is, else fmt.Sprint with nil as "<no value>". */
static int eval_args(tmpl_buf *b, const tmpl_value *args, size_t n)
{
    tmpl_value *tmp;
    size_t i;
    int rc;

    if (n == 1 && args[0].kind == TV_STRING)
        return tmpl_buf_add(b, args[0].u.s.p, args[0].u.s.n);
    tmp = malloc((n ? n : 1) * sizeof(*tmp));
    if (!tmp)
        return TMPL_BUF_NOMEM;
    for (i = 0; i < n; i++) {
        tmp[i] = args[i];
        if (is_nilish(args[i]))
            tmp[i] = tv_str_borrow("<no value>", 10);
    }
    rc = tmpl_fmt_sprint(b, tmp, n);
    free(tmp);
    return rc;
}

/* Go's HTMLEscape: what replaces one byte, or NULL to keep it. */
static const char *html_replacement(char c)
{
    switch (c) {
    case '\0':
        return "\xef\xbf\xbd";
    case '"':
        return "&#34;";
    case '\'':
        return "&#39;";
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    default:
        return NULL;
    }
}

static int html_escape(tmpl_buf *b, const char *s, size_t n)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < n && rc == 0; i++) {
        const char *rep = html_replacement(s[i]);
        rc = rep ? tmpl_buf_adds(b, rep) : tmpl_buf_addc(b, s[i]);
    }
    return rc;
}

/* Go's JSEscape: what replaces one ASCII character, or NULL. */
static const char *js_replacement(int32_t r)
{
    switch (r) {
    case '\\':
        return "\\\\";
    case '\'':
        return "\\'";
    case '"':
        return "\\\"";
    case '<':
        return "\\u003C";
    case '>':
        return "\\u003E";
    case '&':
        return "\\u0026";
    case '=':
        return "\\u003D";
    default:
        return NULL;
    }
}

static int js_escape(tmpl_buf *b, const char *s, size_t n)
{
    size_t i = 0;
    int rc = 0;

    while (i < n && rc == 0) {
        int32_t r;
        size_t w = tmpl_utf8_decode(s + i, n - i, &r);
        const char *rep = js_replacement(r);
        if (rep)
            rc = tmpl_buf_adds(b, rep);
        else if (r < ' ' || (r >= 0x80 && !tmpl_rune_is_print(r)))
            rc = tmpl_buf_addf(b, "\\u%04X", (unsigned)r);
        else
            rc = tmpl_buf_add(b, s + i, w);
        i += w;
    }
    return rc;
}

/* url.QueryEscape. */
static int query_escape(tmpl_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;
    int rc = 0;

    for (i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            rc = tmpl_buf_addc(b, (char)c);
        } else if (c == ' ') {
            rc = tmpl_buf_addc(b, '+');
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = tmpl_buf_add(b, e, 3);
        }
    }
    return rc;
}

/* html, js and urlquery: the text of evalArgs, escaped into a new string. */
static int escape_args(tmpl_exec *x, const tmpl_value *args, size_t n,
                       int (*escape)(tmpl_buf *b, const char *s, size_t n),
                       tmpl_value *out)
{
    tmpl_buf in;
    tmpl_buf b;
    int rc;

    tmpl_buf_init(&in, 0);
    tmpl_buf_init(&b, 0);
    rc = eval_args(&in, args, n);
    rc = rc ? rc : escape(&b, in.data ? in.data : "", in.len);
    tmpl_buf_cleanup(&in);
    return tmpl_fn_string(x, &b, rc, out);
}

static int fn_html(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    return escape_args(x, args, n, html_escape, out);
}

static int fn_js(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    return escape_args(x, args, n, js_escape, out);
}

static int fn_urlquery(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    return escape_args(x, args, n, query_escape, out);
}

static int fn_call(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out)
{
    tmpl_value f = tv_unwrap_iface(args[0]);

    (void)n;
    (void)out;
    if (is_nilish(f))
        return tmpl_fn_error(x, "call of nil");
    return tmpl_fn_error(x, "non-function of type %s", tv_type_name(f));
}

#define V TP_VALUE
#define A TP_ANY
#define S TP_STRING

const tmpl_func tmpl_builtin_funcs[] = {
    {"and", NULL, 2, 1, TMPL_FN_AND, {V, V}},
    {"call", fn_call, 2, 1, 0, {V, V}},
    {"eq", fn_eq, 2, 1, 0, {V, V}},
    {"ge", fn_ge, 2, 0, 0, {V, V}},
    {"gt", fn_gt, 2, 0, 0, {V, V}},
    {"html", fn_html, 1, 1, 0, {A}},
    {"index", fn_index, 2, 1, 0, {V, V}},
    {"js", fn_js, 1, 1, 0, {A}},
    {"le", fn_le, 2, 0, 0, {V, V}},
    {"len", fn_len, 1, 0, 0, {V}},
    {"lt", fn_lt, 2, 0, 0, {V, V}},
    {"ne", fn_ne, 2, 0, 0, {V, V}},
    {"not", fn_not, 1, 0, 0, {V}},
    {"or", NULL, 2, 1, TMPL_FN_OR, {V, V}},
    {"print", fn_print, 1, 1, 0, {A}},
    {"printf", fn_printf, 2, 1, 0, {S, A}},
    {"println", fn_println, 1, 1, 0, {A}},
    {"slice", fn_slice, 2, 1, 0, {V, V}},
    {"urlquery", fn_urlquery, 1, 1, 0, {A}},
};
const size_t tmpl_builtin_nfuncs =
    sizeof(tmpl_builtin_funcs) / sizeof(tmpl_builtin_funcs[0]);
