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
    static const char esc[] = "\a\b\f\n\r\t\v";
    static const char letters[] = "abfnrtv";
    const char *e = c ? strchr(esc, c) : NULL;

    if (c == '\'')
        snprintf(out, n, "'\\''");
    else if (c == '"')
        snprintf(out, n, "'\"'");
    else if (c == '\\')
        snprintf(out, n, "'\\\\'");
    else if (e)
        snprintf(out, n, "'\\%c'", letters[e - esc]);
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

static int jp_value(jp *p, tmpl_value *out);

static int hex4(const char *s, int32_t *r)
{
    int k;

    *r = 0;
    for (k = 0; k < 4; k++) {
        char c = s[k];
        int v = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (v < 0)
            return k;
        *r = *r * 16 + v;
    }
    return 4;
}

static int jp_escape(jp *p, tmpl_buf *b)
{
    char c;
    int32_t r;
    int32_t r2;
    char enc[4];
    int k;

    p->i++;
    if (p->i >= p->n)
        return jp_fail(p, "");
    c = p->s[p->i];
    switch (c) {
    case '"':
    case '\\':
    case '/':
        p->i++;
        return tmpl_buf_addc(b, c) ? jp_nomem(p) : 0;
    case 'b':
        p->i++;
        return tmpl_buf_addc(b, '\b') ? jp_nomem(p) : 0;
    case 'f':
        p->i++;
        return tmpl_buf_addc(b, '\f') ? jp_nomem(p) : 0;
    case 'n':
        p->i++;
        return tmpl_buf_addc(b, '\n') ? jp_nomem(p) : 0;
    case 'r':
        p->i++;
        return tmpl_buf_addc(b, '\r') ? jp_nomem(p) : 0;
    case 't':
        p->i++;
        return tmpl_buf_addc(b, '\t') ? jp_nomem(p) : 0;
    case 'u':
        p->i++;
        if (p->n - p->i < 4) {
            k = hex4(p->s + p->i, &r);
            if ((size_t)k < p->n - p->i) {
                p->i += (size_t)k;
                return jp_fail(p, "in \\u hexadecimal character escape");
            }
            p->i = p->n;
            return jp_fail(p, "");
        }
        k = hex4(p->s + p->i, &r);
        if (k < 4) {
            p->i += (size_t)k;
            return jp_fail(p, "in \\u hexadecimal character escape");
        }
        p->i += 4;
        if (r >= 0xD800 && r < 0xDC00) {
            if (p->n - p->i >= 6 && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u' &&
                hex4(p->s + p->i + 2, &r2) == 4 && r2 >= 0xDC00 && r2 < 0xE000) {
                r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
                p->i += 6;
            } else {
                r = TMPL_RUNE_ERROR;
            }
        } else if (r >= 0xDC00 && r < 0xE000) {
            r = TMPL_RUNE_ERROR;
        }
        return tmpl_buf_add(b, enc, tmpl_utf8_encode(r, enc)) ? jp_nomem(p) : 0;
    default:
        return jp_fail(p, "in string escape code");
    }
}

/* A string literal at p->i (on the opening quote). */
static int jp_string(jp *p, tmpl_value *out)
{
    tmpl_buf b;
    size_t len;
    char *s;

    tmpl_buf_init(&b, 0);
    if (tmpl_buf_add(&b, "", 0))
        return jp_nomem(p);
    p->i++;
    for (;;) {
        unsigned char c;
        if (p->i >= p->n) {
            tmpl_buf_cleanup(&b);
            return jp_fail(p, "");
        }
        c = (unsigned char)p->s[p->i];
        if (c == '"') {
            p->i++;
            break;
        }
        if (c < 0x20) {
            tmpl_buf_cleanup(&b);
            return jp_fail(p, "in string literal");
        }
        if (c == '\\') {
            if (jp_escape(p, &b)) {
                tmpl_buf_cleanup(&b);
                return -1;
            }
            continue;
        }
        if (c >= 0x80) {
            int32_t r;
            size_t w = tmpl_utf8_decode(p->s + p->i, p->n - p->i, &r);
            int rc = (r == TMPL_RUNE_ERROR && w == 1) ? tmpl_buf_adds(&b, "\xef\xbf\xbd")
                                                      : tmpl_buf_add(&b, p->s + p->i, w);
            if (rc) {
                tmpl_buf_cleanup(&b);
                return jp_nomem(p);
            }
            p->i += w;
            continue;
        }
        if (tmpl_buf_addc(&b, (char)c)) {
            tmpl_buf_cleanup(&b);
            return jp_nomem(p);
        }
        p->i++;
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

static int jp_array(jp *p, tmpl_value *out)
{
    tmpl_value list;
    tmpl_value item;

    if (jp_enter(p))
        return -1;
    list = tv_list_new(TV_E_ANY, 0);
    if (list.kind != TV_LIST)
        return jp_nomem(p);
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == ']') {
        p->i++;
        goto done;
    }
    for (;;) {
        skip_ws(p);
        if (jp_value(p, &item))
            goto fail;
        if (tv_list_push(list, item)) {
            jp_nomem(p);
            goto fail;
        }
        skip_ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->s[p->i] == ']') {
            p->i++;
            break;
        }
        jp_fail(p, "after array element");
        goto fail;
    }
done:
    p->depth--;
    *out = list;
    return 0;
fail:
    tv_release(list);
    return -1;
}

static int jp_object(jp *p, tmpl_value *out)
{
    tmpl_value map;
    tmpl_value key;
    tmpl_value val;

    if (jp_enter(p))
        return -1;
    map = tv_map_new(0);
    if (map.kind != TV_MAP)
        return jp_nomem(p);
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == '}') {
        p->i++;
        goto done;
    }
    for (;;) {
        skip_ws(p);
        if (p->i >= p->n || p->s[p->i] != '"') {
            jp_fail(p, "looking for beginning of object key string");
            goto fail;
        }
        if (jp_string(p, &key))
            goto fail;
        skip_ws(p);
        if (p->i >= p->n || p->s[p->i] != ':') {
            tv_release(key);
            jp_fail(p, "after object key");
            goto fail;
        }
        p->i++;
        skip_ws(p);
        if (jp_value(p, &val)) {
            tv_release(key);
            goto fail;
        }
        if (tv_map_push(map, key, val)) {
            jp_nomem(p);
            goto fail;
        }
        skip_ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->s[p->i] == '}') {
            p->i++;
            break;
        }
        jp_fail(p, "after object key:value pair");
        goto fail;
    }
done:
    p->depth--;
    tv_map_sort(map);
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

static int enc_value(tmpl_buf *b, tmpl_value v, char *err, size_t errlen, int depth)
{
    size_t i;
    int rc = 0;

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
            tmpl_buf t;
            tmpl_buf_init(&t, 0);
            tmpl_fmt_float(&t, v.u.f, 'g', -1);
            snprintf(err, errlen, "json: unsupported value: %s", t.data ? t.data : "");
            tmpl_buf_cleanup(&t);
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
    case TV_LIST: {
        tv_list *l = tv_as_list(v);
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
    case TV_MAP: {
        tv_map *m = tv_as_map(v);
        if (m->is_nil)
            return tmpl_buf_adds(b, "null") ? TMPL_ENOMEM : 0;
        if (tmpl_buf_addc(b, '{'))
            return TMPL_ENOMEM;
        for (i = 0; i < m->len; i++) {
            if (i > 0 && tmpl_buf_addc(b, ','))
                return TMPL_ENOMEM;
            if (enc_string(b, m->keys[i].u.s.p, m->keys[i].u.s.n) ||
                tmpl_buf_addc(b, ':'))
                return TMPL_ENOMEM;
            rc = enc_value(b, m->vals[i], err, errlen, depth + 1);
            if (rc)
                return rc;
        }
        return tmpl_buf_addc(b, '}') ? TMPL_ENOMEM : 0;
    }
    default:
        snprintf(err, errlen, "json: unsupported type: %s", tv_type_name(v));
        return TMPL_EEXEC;
    }
}

int tmpl_json_encode(tmpl_buf *b, tmpl_value v, char *errbuf, size_t errlen)
{
    return enc_value(b, v, errbuf, errlen, 0);
}
