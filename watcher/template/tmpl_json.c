#include "tmpl_json.h"

#include "tmpl_fmt.h"
#include "tmpl_utf8.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct jp {
    const char *s;
    size_t n;
    size_t i;
    int depth;
    char *err;
    size_t errlen;
    int failed; /* TMPL_EEXEC or TMPL_ENOMEM */
} jp;

/* encoding/json's quoteChar: the byte as a quoted rune, without allocating. */
static void quote_char(char *out, size_t n, unsigned char c)
{
    char letter = tmpl_escape_letter(c);

    if (c == '\'')
        snprintf(out, n, "'\\''");
    else if (c == '"')
        snprintf(out, n, "'\"'");
    else if (c == '\\')
        snprintf(out, n, "'\\\\'");
    else if (letter)
        snprintf(out, n, "'\\%c'", letter);
    else if (c < 0x20 || c == 0x7f)
        snprintf(out, n, "'\\x%02x'", c);
    else if (c < 0x80)
        snprintf(out, n, "'%c'", c);
    else if (c < 0xA0 || c == 0xAD)
        snprintf(out, n, "'\\u%04x'", c);
    else
        snprintf(out, n, "'%c%c'", (char)(0xC0 | (c >> 6)), (char)(0x80 | (c & 0x3F)));
}

static int jp_fail(jp *p, const char *ctx)
{
    char q[32];

    if (p->failed)
        return -1;
    p->failed = TMPL_EEXEC;
    if (p->i >= p->n) {
        snprintf(p->err, p->errlen, "unexpected end of JSON input");
        return -1;
    }
    quote_char(q, sizeof(q), (unsigned char)p->s[p->i]);
    snprintf(p->err, p->errlen, "invalid character %s %s", q, ctx);
    return -1;
}

static int jp_nomem(jp *p)
{
    p->failed = TMPL_ENOMEM;
    return -1;
}

static void skip_ws(jp *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
                           p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

/* Consumes c when it comes next. */
static bool jp_accept(jp *p, char c)
{
    if (p->i < p->n && p->s[p->i] == c) {
        p->i++;
        return true;
    }
    return false;
}

static int jp_value(jp *p, tmpl_value *out);

/* The value of the hexadecimal digits at s, at most 4 of the n bytes; returns how
 * many there are. */
static size_t hex4(const char *s, size_t n, int32_t *r)
{
    size_t k;

    *r = 0;
    for (k = 0; k < 4 && k < n; k++) {
        char c = s[k];
        int v = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (v < 0)
            break;
        *r = *r * 16 + v;
    }
    return k;
}

/* The 4 hex digits after "\u" at p->i; a surrogate pair joins into one rune, a
 * lone surrogate becomes U+FFFD. */
static int jp_unicode_escape(jp *p, tmpl_buf *b)
{
    int32_t r;
    int32_t r2;
    char enc[4];
    size_t k = hex4(p->s + p->i, p->n - p->i, &r);

    p->i += k;
    if (k < 4)
        return jp_fail(p, "in \\u hexadecimal character escape");
    if (r >= 0xD800 && r < 0xDC00) {
        if (p->n - p->i >= 6 && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u' &&
            hex4(p->s + p->i + 2, 4, &r2) == 4 && r2 >= 0xDC00 && r2 < 0xE000) {
            r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
            p->i += 6;
        } else {
            r = TMPL_RUNE_ERROR;
        }
    } else if (r >= 0xDC00 && r < 0xE000) {
        r = TMPL_RUNE_ERROR;
    }
    return tmpl_buf_add(b, enc, tmpl_utf8_encode(r, enc)) ? jp_nomem(p) : 0;
}

/* An escape at p->i (on the backslash). */
static int jp_escape(jp *p, tmpl_buf *b)
{
    char c;

    p->i++;
    if (p->i >= p->n)
        return jp_fail(p, "");
    switch (p->s[p->i]) {
    case '"':
    case '\\':
    case '/':
        c = p->s[p->i];
        break;
    case 'b':
        c = '\b';
        break;
    case 'f':
        c = '\f';
        break;
    case 'n':
        c = '\n';
        break;
    case 'r':
        c = '\r';
        break;
    case 't':
        c = '\t';
        break;
    case 'u':
        p->i++;
        return jp_unicode_escape(p, b);
    default:
        return jp_fail(p, "in string escape code");
    }
    p->i++;
    return tmpl_buf_addc(b, c) ? jp_nomem(p) : 0;
}

/* One unescaped character at p->i; an invalid UTF-8 byte becomes U+FFFD. */
static int jp_plain(jp *p, tmpl_buf *b)
{
    int32_t r;
    size_t w = tmpl_utf8_decode(p->s + p->i, p->n - p->i, &r);
    int rc = (r == TMPL_RUNE_ERROR && w == 1) ? tmpl_buf_adds(b, "\xef\xbf\xbd")
                                              : tmpl_buf_add(b, p->s + p->i, w);

    p->i += w;
    return rc ? jp_nomem(p) : 0;
}

/* A string literal at p->i (on the opening quote). */
static int jp_string(jp *p, tmpl_value *out)
{
    tmpl_buf b;
    size_t len;
    char *s;
    int rc = 0;

    tmpl_buf_init(&b, 0);
    if (tmpl_buf_add(&b, "", 0))
        return jp_nomem(p);
    p->i++;
    while (rc == 0 && !jp_accept(p, '"')) {
        if (p->i >= p->n)
            rc = jp_fail(p, "");
        else if ((unsigned char)p->s[p->i] < 0x20)
            rc = jp_fail(p, "in string literal");
        else if (p->s[p->i] == '\\')
            rc = jp_escape(p, &b);
        else
            rc = jp_plain(p, &b);
    }
    if (rc) {
        tmpl_buf_cleanup(&b);
        return -1;
    }
    s = tmpl_buf_steal(&b, &len);
    *out = tv_str_take(s, len);
    return out->kind == TV_STRING ? 0 : jp_nomem(p);
}

static int is_digit(jp *p)
{
    return p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9';
}

static int jp_number(jp *p, tmpl_value *out)
{
    size_t start = p->i;
    char tmp[512];
    char *end;
    double v;

    if (p->s[p->i] == '-') {
        p->i++;
        if (!is_digit(p))
            return jp_fail(p, "in numeric literal");
    }
    if (p->s[p->i] == '0') {
        p->i++;
    } else {
        while (is_digit(p))
            p->i++;
    }
    if (p->i < p->n && p->s[p->i] == '.') {
        p->i++;
        if (!is_digit(p))
            return jp_fail(p, "after decimal point in numeric literal");
        while (is_digit(p))
            p->i++;
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
            p->i++;
        if (!is_digit(p))
            return jp_fail(p, "in exponent of numeric literal");
        while (is_digit(p))
            p->i++;
    }
    if (p->i - start >= sizeof(tmp)) {
        p->failed = TMPL_EEXEC;
        snprintf(p->err, p->errlen, "json: number too long");
        return -1;
    }
    memcpy(tmp, p->s + start, p->i - start);
    tmp[p->i - start] = '\0';
    errno = 0;
    v = strtod(tmp, &end);
    if (errno == ERANGE && isinf(v)) {
        p->failed = TMPL_EEXEC;
        snprintf(p->err, p->errlen,
                 "json: cannot unmarshal number %s into Go value of type float64", tmp);
        return -1;
    }
    *out = tv_float(v);
    return 0;
}

static int jp_literal(jp *p, const char *word, tmpl_value v, tmpl_value *out)
{
    size_t k;
    char ctx[64];

    for (k = 0; word[k]; k++) {
        if (p->i >= p->n)
            return jp_fail(p, "");
        if (p->s[p->i] != word[k]) {
            snprintf(ctx, sizeof(ctx), "in literal %s (expecting '%c')", word, word[k]);
            return jp_fail(p, ctx);
        }
        p->i++;
    }
    *out = v;
    return 0;
}

static int jp_enter(jp *p)
{
    if (++p->depth > TMPL_JSON_MAX_DEPTH) {
        p->failed = TMPL_EEXEC;
        snprintf(p->err, p->errlen, "exceeded max depth");
        return -1;
    }
    return 0;
}

/* After an array element or an object member: 0 when a ',' announces another, 1
 * at the closing bracket, -1 (failed) otherwise. */
static int jp_next(jp *p, char close, const char *ctx)
{
    skip_ws(p);
    if (jp_accept(p, ','))
        return 0;
    if (jp_accept(p, close))
        return 1;
    return jp_fail(p, ctx);
}

static int jp_array(jp *p, tmpl_value *out)
{
    tmpl_value list;
    tmpl_value item;
    int end;

    if (jp_enter(p))
        return -1;
    list = tv_list_new(TV_E_ANY, 0);
    if (list.kind != TV_LIST)
        return jp_nomem(p);
    p->i++;
    skip_ws(p);
    end = jp_accept(p, ']');
    while (!end) {
        if (jp_value(p, &item))
            goto fail;
        if (tv_list_push(list, item)) {
            jp_nomem(p);
            goto fail;
        }
        end = jp_next(p, ']', "after array element");
        if (end < 0)
            goto fail;
    }
    p->depth--;
    *out = list;
    return 0;
fail:
    tv_release(list);
    return -1;
}

/* One "key": value member of an object at p->i, added to map. */
static int jp_member(jp *p, tmpl_value map)
{
    tmpl_value key;
    tmpl_value val;

    skip_ws(p);
    if (p->i >= p->n || p->s[p->i] != '"')
        return jp_fail(p, "looking for beginning of object key string");
    if (jp_string(p, &key))
        return -1;
    skip_ws(p);
    if (!jp_accept(p, ':')) {
        tv_release(key);
        return jp_fail(p, "after object key");
    }
    if (jp_value(p, &val)) {
        tv_release(key);
        return -1;
    }
    return tv_map_push(map, key, val) ? jp_nomem(p) : 0;
}

static int jp_object(jp *p, tmpl_value *out)
{
    tmpl_value map;
    int end;

    if (jp_enter(p))
        return -1;
    map = tv_map_new(0);
    if (map.kind != TV_MAP)
        return jp_nomem(p);
    p->i++;
    skip_ws(p);
    end = jp_accept(p, '}');
    while (!end) {
        if (jp_member(p, map))
            goto fail;
        end = jp_next(p, '}', "after object key:value pair");
        if (end < 0)
            goto fail;
    }
    p->depth--;
    if (tv_map_sort(map)) {
        jp_nomem(p);
        goto fail;
    }
    *out = map;
    return 0;
fail:
    tv_release(map);
    return -1;
}

static int jp_value(jp *p, tmpl_value *out)
{
    skip_ws(p);
    if (p->i >= p->n)
        return jp_fail(p, "");
    switch (p->s[p->i]) {
    case '{':
        return jp_object(p, out);
    case '[':
        return jp_array(p, out);
    case '"':
        return jp_string(p, out);
    case 't':
        return jp_literal(p, "true", tv_bool(true), out);
    case 'f':
        return jp_literal(p, "false", tv_bool(false), out);
    case 'n':
        return jp_literal(p, "null", tv_nil(), out);
    default:
        if (p->s[p->i] == '-' || (p->s[p->i] >= '0' && p->s[p->i] <= '9'))
            return jp_number(p, out);
        return jp_fail(p, "looking for beginning of value");
    }
}

static const char *json_kind(tmpl_value v)
{
    switch (v.kind) {
    case TV_MAP:
        return "object";
    case TV_LIST:
        return "array";
    case TV_STRING:
        return "string";
    case TV_FLOAT:
        return "number";
    case TV_BOOL:
        return "bool";
    default:
        return "null";
    }
}

int tmpl_json_decode(const char *s, size_t n, tmpl_json_want want, tmpl_value *out,
                     char *errbuf, size_t errlen)
{
    jp p;
    tmpl_value v;

    memset(&p, 0, sizeof(p));
    p.s = s;
    p.n = n;
    p.err = errbuf;
    p.errlen = errlen;
    if (jp_value(&p, &v))
        return p.failed;
    skip_ws(&p);
    if (p.i < p.n) {
        tv_release(v);
        jp_fail(&p, "after top-level value");
        return p.failed;
    }
    if (v.kind == TV_NIL) {
        v = want == TMPL_JSON_OBJECT ? tv_map_new(0) : tv_list_new(TV_E_ANY, 0);
        if (v.kind == TV_INVALID)
            return TMPL_ENOMEM;
        if (v.kind == TV_MAP)
            tv_as_map(v)->is_nil = true;
        else
            tv_as_list(v)->is_nil = true;
    }
    if ((want == TMPL_JSON_OBJECT && v.kind != TV_MAP) ||
        (want == TMPL_JSON_ARRAY && v.kind != TV_LIST)) {
        snprintf(errbuf, errlen, "json: cannot unmarshal %s into Go value of type %s",
                 json_kind(v),
                 want == TMPL_JSON_OBJECT ? "map[string]interface {}" : "[]interface {}");
        tv_release(v);
        return TMPL_EEXEC;
    }
    *out = v;
    return 0;
}

/* ---- encoding -------------------------------------------------------- */

static int enc_string(tmpl_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    int rc = tmpl_buf_addc(b, '"');

    while (i < n && rc == 0) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
                rc = tmpl_buf_addc(b, (char)c);
            } else if (c == '"' || c == '\\') {
                rc = tmpl_buf_addc(b, '\\');
                rc = rc ? rc : tmpl_buf_addc(b, (char)c);
            } else if (c == '\n') {
                rc = tmpl_buf_adds(b, "\\n");
            } else if (c == '\r') {
                rc = tmpl_buf_adds(b, "\\r");
            } else if (c == '\t') {
                rc = tmpl_buf_adds(b, "\\t");
            } else {
                char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                rc = tmpl_buf_add(b, e, 6);
            }
            i++;
            continue;
        }
        {
            int32_t r;
            size_t w = tmpl_utf8_decode(s + i, n - i, &r);
            if (r == TMPL_RUNE_ERROR && w == 1)
                rc = tmpl_buf_adds(b, "\\ufffd");
            else if (r == 0x2028 || r == 0x2029)
                rc = tmpl_buf_addf(b, "\\u%04x", (unsigned)r);
            else
                rc = tmpl_buf_add(b, s + i, w);
            i += w;
        }
    }
    return rc ? rc : tmpl_buf_addc(b, '"');
}

static int enc_float(tmpl_buf *b, double f)
{
    double a = fabs(f);
    char fmt = 'f';
    tmpl_buf t;
    int rc;
    size_t n;

    if (a != 0 && (a < 1e-6 || a >= 1e21))
        fmt = 'e';
    tmpl_buf_init(&t, 0);
    rc = tmpl_fmt_float(&t, f, fmt, -1);
    if (rc == 0 && fmt == 'e') {
        n = t.len;
        if (n >= 4 && t.data[n - 4] == 'e' && t.data[n - 3] == '-' &&
            t.data[n - 2] == '0') {
            t.data[n - 2] = t.data[n - 1];
            t.len--;
        }
    }
    rc = rc ? rc : tmpl_buf_add(b, t.data, t.len);
    tmpl_buf_cleanup(&t);
    return rc;
}

static int enc_value(tmpl_buf *b, tmpl_value v, char *err, size_t errlen, int depth);

static int enc_list(tmpl_buf *b, const tv_list *l, char *err, size_t errlen, int depth)
{
    size_t i;
    int rc;

    if (l->is_nil)
        return tmpl_buf_adds(b, "null") ? TMPL_ENOMEM : 0;
    if (tmpl_buf_addc(b, '['))
        return TMPL_ENOMEM;
    for (i = 0; i < l->len; i++) {
        if (i > 0 && tmpl_buf_addc(b, ','))
            return TMPL_ENOMEM;
        rc = enc_value(b, l->items[i], err, errlen, depth + 1);
        if (rc)
            return rc;
    }
    return tmpl_buf_addc(b, ']') ? TMPL_ENOMEM : 0;
}

static int enc_map(tmpl_buf *b, const tv_map *m, char *err, size_t errlen, int depth)
{
    size_t i;
    int rc;

    if (m->is_nil)
        return tmpl_buf_adds(b, "null") ? TMPL_ENOMEM : 0;
    if (tmpl_buf_addc(b, '{'))
        return TMPL_ENOMEM;
    for (i = 0; i < m->len; i++) {
        const tmpl_value *key = &m->items[i].key;
        if (i > 0 && tmpl_buf_addc(b, ','))
            return TMPL_ENOMEM;
        if (enc_string(b, key->u.s.p, key->u.s.n) || tmpl_buf_addc(b, ':'))
            return TMPL_ENOMEM;
        rc = enc_value(b, m->items[i].val, err, errlen, depth + 1);
        if (rc)
            return rc;
    }
    return tmpl_buf_addc(b, '}') ? TMPL_ENOMEM : 0;
}

static int enc_value(tmpl_buf *b, tmpl_value v, char *err, size_t errlen, int depth)
{
    int rc;

    if (depth > TMPL_JSON_MAX_DEPTH) {
        snprintf(err, errlen, "json: nesting too deep");
        return TMPL_EEXEC;
    }
    switch (v.kind) {
    case TV_INVALID:
    case TV_NIL:
        return tmpl_buf_adds(b, "null") ? TMPL_ENOMEM : 0;
    case TV_BOOL:
        return tmpl_buf_adds(b, v.u.b ? "true" : "false") ? TMPL_ENOMEM : 0;
    case TV_INT:
        return tmpl_buf_addf(b, "%lld", (long long)v.u.i) ? TMPL_ENOMEM : 0;
    case TV_FLOAT:
        if (isnan(v.u.f) || isinf(v.u.f)) {
            snprintf(err, errlen, "json: unsupported value: %s",
                     isnan(v.u.f) ? "NaN"
                     : v.u.f > 0  ? "+Inf"
                                  : "-Inf");
            return TMPL_EEXEC;
        }
        return enc_float(b, v.u.f) ? TMPL_ENOMEM : 0;
    case TV_STRING:
        return enc_string(b, v.u.s.p, v.u.s.n) ? TMPL_ENOMEM : 0;
    case TV_KV:
        rc = tmpl_buf_adds(b, "{\"Key\":");
        rc = rc ? rc : enc_string(b, v.u.kv->key, v.u.kv->key_len);
        rc = rc ? rc : tmpl_buf_adds(b, ",\"Value\":");
        rc = rc ? rc : enc_string(b, v.u.kv->value, v.u.kv->value_len);
        rc = rc ? rc : tmpl_buf_addc(b, '}');
        return rc ? TMPL_ENOMEM : 0;
    case TV_LIST:
        return enc_list(b, tv_as_list(v), err, errlen, depth);
    case TV_MAP:
        return enc_map(b, tv_as_map(v), err, errlen, depth);
    default:
        snprintf(err, errlen, "json: unsupported type: %s", tv_type_name(v));
        return TMPL_EEXEC;
    }
}

int tmpl_json_encode(tmpl_buf *b, tmpl_value v, char *errbuf, size_t errlen)
{
    return enc_value(b, v, errbuf, errlen, 0);
}
