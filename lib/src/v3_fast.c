/*
 * libetcd: a fast path for the commonest v3 calls, range, put and delete, both ways.
 *
 * Answers: the gateway's flat 2xx answers of those calls,
 *
 *   {"header":{"cluster_id":"1","member_id":"2","revision":"9","raft_term":"2"},
 *    "kvs":[{"key":"L2E=","create_revision":"2","mod_revision":"9","version":"3",
 *            "value":"MQ==","lease":"7"}],"more":true,"count":"1"}
 *
 * with prev_kv, prev_kvs and deleted for put and delete, are read in one pass, keys
 * and values decoded from base64 straight into the response's arena, without a JSON
 * tree. Anything else (a field it does not know, a field twice, an escape, a number
 * that is not a plain decimal string, a base64 error, another shape) makes it give up,
 * and the full decoder (v3_decode.c) runs instead: it is an optimisation, never a second
 * definition of the format, and its result is the full decoder's to the byte.
 *
 * Requests: the bodies of range, put and delete written straight into the request's
 * buffer, byte for byte what json_dumps(JSON_COMPACT) makes of v3.c's JSON objects
 * (the same fields in the same order).
 */
#include "v3_int.h"

#include <stdlib.h>
#include <string.h>

#include "base64_int.h"
#include "scan_int.h"

/* ---- Answers ----------------------------------------------------------------------- */

#define SCRATCH 8 /* key-values kept on the stack before the scratch array grows */

typedef struct scan {
    etcd__scan in;
    etcd_response *resp;
    size_t len;             /* the body's */
    etcd_v3_header *header; /* the block of the header and the text, once needed */
    char *text;             /* where the next decoded key or value goes */
    int nomem;
    etcd_kv *kvs; /* an array being read: `small`, or a heap array once it grew */
    size_t nkvs, cap;
    etcd_kv small[SCRATCH];
} scan;

/* The rest of a string after its opening quote, when it has no escapes or control
 * characters: its raw bytes. The JSON value is then the same bytes; anything else is
 * the full decoder's. */
static int string_rest(scan *s, const char **out, size_t *len)
{
    const char *start = s->in.p;

    while (s->in.p < s->in.end && *s->in.p != '"') {
        if (*s->in.p == '\\' || (unsigned char)*s->in.p < 0x20)
            return 0;
        s->in.p++;
    }
    if (s->in.p >= s->in.end)
        return 0;
    *out = start;
    *len = (size_t)(s->in.p - start);
    s->in.p++;
    return 1;
}

static int raw_string(scan *s, const char **out, size_t *len)
{
    return etcd__scan_char(&s->in, '"') && string_rest(s, out, len);
}

/* A number as the gateway writes 64-bit ones: a string of decimal digits, at most
 * `max`. A sign, a JSON number or an overflow is left to strtoll/strtoull's reading. */
static int digits(scan *s, uint64_t max, uint64_t *out)
{
    const char *p, *start;
    uint64_t v = 0;

    if (!etcd__scan_char(&s->in, '"'))
        return 0;
    start = p = s->in.p;
    while (p < s->in.end && (unsigned)(unsigned char)*p - '0' <= 9) {
        unsigned digit = (unsigned)(unsigned char)*p - '0';

        /* 19 digits always fit in 64 bits: only a 20th can overflow */
        if (p - start >= 19 && (p - start > 19 || v > (UINT64_MAX - digit) / 10))
            return 0;
        v = v * 10 + digit;
        p++;
    }
    if (p == start || p >= s->in.end || *p != '"' || v > max)
        return 0;
    s->in.p = p + 1;
    *out = v;
    return 1;
}

static int int_field(scan *s, int64_t *out)
{
    uint64_t v;

    if (!digits(s, INT64_MAX, &v))
        return 0;
    *out = (int64_t)v;
    return 1;
}

/* One block for the header and every decoded key and value, taken when first needed
 * (an answer of another shape costs nothing): base64 is longer than what it encodes,
 * so the body's length (with its quotes for the NULs) is room enough. */
static int block(scan *s)
{
    if (s->header)
        return 1;
    if (s->len > ((size_t)-1) - sizeof(*s->header) - 1)
        return 0;
    s->header = etcd__response_alloc(s->resp, sizeof(*s->header) + s->len + 1);
    if (!s->header) {
        s->nomem = 1;
        return 0;
    }
    s->text = (char *)(s->header + 1);
    return 1;
}

/* Base64 bytes, decoded into the text block (NUL-terminated). Whole groups of four
 * characters are decoded as they are read, the rest (padding, the last group, whatever
 * stopped them) by etcd__base64_decode(): together exactly what it makes of the whole
 * string, since a group of four is three bytes whatever follows. */
static int bytes_field(scan *s, const char **out, size_t *len)
{
    const unsigned char *t = etcd__base64_sextets;
    const char *p, *tail;
    char *w;
    size_t n, dlen;

    if (!etcd__scan_char(&s->in, '"') || !block(s))
        return 0;
    w = s->text;
    p = s->in.p;
    while (s->in.end - p > 4) {
        unsigned a = t[(unsigned char)p[0]], b = t[(unsigned char)p[1]],
                 c = t[(unsigned char)p[2]], d = t[(unsigned char)p[3]];
        unsigned long v;

        if (!a || !b || !c || !d)
            break;
        v = ((unsigned long)(a - 1) << 18) | ((b - 1) << 12) | ((c - 1) << 6) | (d - 1);
        w[0] = (char)(v >> 16);
        w[1] = (char)(v >> 8);
        w[2] = (char)v;
        w += 3;
        p += 4;
    }
    s->in.p = p;
    if (!string_rest(s, &tail, &n))
        return 0;
    dlen = etcd__base64_decode(tail, n, w);
    if (dlen == (size_t)-1)
        return 0;
    *out = s->text;
    *len = (size_t)(w - s->text) + dlen;
    s->text = w + dlen + 1;
    return 1;
}

/* A field name and its length. */
typedef struct fname {
    const char *name;
    size_t len;
} fname;

/* Which of `names` (ending with a NULL name) `name` is; -1 for none. */
static int field_index(const char *name, size_t len, const fname *names)
{
    int i;

    for (i = 0; names[i].name; i++) {
        if (names[i].len == len && memcmp(names[i].name, name, len) == 0)
            return i;
    }
    return -1;
}

/* Whether the input at s->in.p is `"name"` for names[i] (and then step over it). */
static int name_is(scan *s, const fname *names, int i)
{
    size_t len = names[i].len;

    if (!names[i].name || (size_t)(s->in.end - s->in.p) < len + 2 || s->in.p[0] != '"' ||
        s->in.p[len + 1] != '"' || memcmp(s->in.p + 1, names[i].name, len) != 0)
        return 0;
    s->in.p += len + 2;
    return 1;
}

/* The members of an object, each handed to `field` with its index in `names`; an
 * unknown name, or one seen before, ends the fast path. The gateway writes the fields
 * in one order: the one after the last is tried first. */
static int members(scan *s, const fname *names,
                   int (*field)(scan *s, int which, void *ctx), void *ctx)
{
    unsigned seen = 0;
    const char *name;
    size_t len;
    int which = -1;

    if (!etcd__scan_char(&s->in, '{'))
        return 0;
    if (etcd__scan_char(&s->in, '}'))
        return 1;
    do {
        etcd__scan_ws(&s->in);
        if (name_is(s, names, which + 1)) {
            which++;
        } else {
            if (!raw_string(s, &name, &len))
                return 0;
            which = field_index(name, len, names);
        }
        if (which < 0 || (seen & (1u << which)) || !etcd__scan_char(&s->in, ':') ||
            !field(s, which, ctx))
            return 0;
        seen |= 1u << which;
    } while (etcd__scan_char(&s->in, ','));
    return etcd__scan_char(&s->in, '}');
}

static const fname kv_names[] = {{"key", 3},
                                 {"create_revision", 15},
                                 {"mod_revision", 12},
                                 {"version", 7},
                                 {"value", 5},
                                 {"lease", 5},
                                 {NULL, 0}};

static int kv_field(scan *s, int which, void *ctx)
{
    etcd_kv *kv = ctx;

    switch (which) {
    case 0:
        return bytes_field(s, &kv->key, &kv->key_len);
    case 1:
        return int_field(s, &kv->create_revision);
    case 2:
        return int_field(s, &kv->mod_revision);
    case 3:
        return int_field(s, &kv->version);
    case 4:
        return bytes_field(s, &kv->value, &kv->value_len);
    default:
        return int_field(s, &kv->lease);
    }
}

static int kv_object(scan *s, etcd_kv *kv)
{
    memset(kv, 0, sizeof(*kv));
    kv->key = "";
    kv->value = "";
    return members(s, kv_names, kv_field, kv);
}

/* An array of key-values, moved into the arena in one piece (NULL, 0 when empty). */
static int kv_array(scan *s, const etcd_kv **out, size_t *n)
{
    etcd_kv *kvs;

    s->nkvs = 0;
    if (!etcd__scan_char(&s->in, '['))
        return 0;
    if (!etcd__scan_char(&s->in, ']')) {
        do {
            if (s->nkvs == s->cap) {
                size_t cap = s->cap * 2;
                etcd_kv *grown = s->kvs == s->small ? NULL : s->kvs;

                if (cap > ((size_t)-1) / sizeof(*grown))
                    return 0;
                grown = realloc(grown, cap * sizeof(*grown));
                if (!grown) {
                    s->nomem = 1;
                    return 0;
                }
                if (s->kvs == s->small)
                    memcpy(grown, s->small, sizeof(s->small));
                s->kvs = grown;
                s->cap = cap;
            }
            if (!kv_object(s, &s->kvs[s->nkvs]))
                return 0;
            s->nkvs++;
        } while (etcd__scan_char(&s->in, ','));
        if (!etcd__scan_char(&s->in, ']'))
            return 0;
    }
    *out = NULL;
    *n = 0;
    if (s->nkvs == 0)
        return 1;
    kvs = etcd__response_alloc(s->resp, s->nkvs * sizeof(*kvs));
    if (!kvs) {
        s->nomem = 1;
        return 0;
    }
    memcpy(kvs, s->kvs, s->nkvs * sizeof(*kvs));
    *out = kvs;
    *n = s->nkvs;
    return 1;
}

static const fname header_names[] = {
    {"cluster_id", 10}, {"member_id", 9}, {"revision", 8}, {"raft_term", 9}, {NULL, 0}};

static int header_field(scan *s, int which, void *ctx)
{
    etcd_v3_header *h = ctx;

    switch (which) {
    case 0:
        return digits(s, UINT64_MAX, &h->cluster_id);
    case 1:
        return digits(s, UINT64_MAX, &h->member_id);
    case 2:
        return int_field(s, &h->revision);
    default:
        return digits(s, UINT64_MAX, &h->raft_term);
    }
}

/* In the gateway's order: range answers, then delete's, then put's. */
enum { F_HEADER, F_KVS, F_MORE, F_COUNT, F_DELETED, F_PREV_KVS, F_PREV_KV };

static const fname top_names[] = {{"header", 6},  {"kvs", 3},     {"more", 4},
                                  {"count", 5},   {"deleted", 7}, {"prev_kvs", 8},
                                  {"prev_kv", 7}, {NULL, 0}};

static int top_field(scan *s, int which, void *ctx)
{
    etcd_response *resp = s->resp;
    etcd_v3_result *r = &resp->v3;
    etcd_kv *prev;

    (void)ctx;
    switch (which) {
    case F_HEADER:
        if (!block(s) || !members(s, header_names, header_field, s->header))
            return 0;
        resp->header = s->header;
        return 1;
    case F_KVS:
        return kv_array(s, &r->kvs, &r->nkvs);
    case F_COUNT:
        return int_field(s, &r->count);
    case F_MORE:
        return etcd__scan_bool(&s->in, &r->more);
    case F_PREV_KV:
        /* The full decoder prefers prev_kv to prev_kvs: one of them only here. */
        if (r->prev_kvs)
            return 0;
        prev = etcd__response_alloc(resp, sizeof(*prev));
        if (!prev) {
            s->nomem = 1;
            return 0;
        }
        if (!kv_object(s, prev))
            return 0;
        r->prev_kvs = prev;
        r->nprev_kvs = 1;
        return 1;
    case F_PREV_KVS:
        return !r->prev_kvs && kv_array(s, &r->prev_kvs, &r->nprev_kvs);
    case F_DELETED:
        return int_field(s, &r->deleted);
    default:
        return 0;
    }
}

int etcd__decode_v3_fast(etcd_response *resp, const char *body, size_t len)
{
    scan s;
    int ok;

    s.in.p = body;
    s.in.end = body + len;
    s.resp = resp;
    s.len = len;
    s.header = NULL;
    s.text = NULL;
    s.nomem = 0;
    s.kvs = s.small;
    s.nkvs = 0;
    s.cap = SCRATCH;
    ok = members(&s, top_names, top_field, NULL);
    if (ok) {
        etcd__scan_ws(&s.in);
        ok = s.in.p == s.in.end;
    }
    if (s.kvs != s.small)
        free(s.kvs);
    if (s.nomem)
        return -1;
    if (!ok) {
        resp->header = NULL;
        memset(&resp->v3, 0, sizeof(resp->v3));
    }
    return ok;
}

/* ---- Requests ---------------------------------------------------------------------- */

/* Make room at the end of out for `lead"name":"`, `room` bytes of value and a closing
 * quote; write all but the value and return where it goes (NULL: out of memory). */
static char *put_field(etcd__buf *out, char lead, const char *name, size_t room)
{
    size_t nlen = strlen(name);
    char *at = etcd__buf_extend(out, nlen + room + 6);

    if (!at)
        return NULL;
    *at++ = lead;
    *at++ = '"';
    memcpy(at, name, nlen);
    at += nlen;
    memcpy(at, "\":\"", 3);
    at += 3;
    at[room] = '"';
    return at;
}

/* `,"name":"base64"` (or `{"name":...` for the first field, `lead` '{'). */
static int put_b64(etcd__buf *out, char lead, const char *name, const void *data,
                   size_t n)
{
    char *at;

    if (n > ((size_t)-1) / 2)
        return ETCD_ENOMEM;
    at = put_field(out, lead, name, ETCD__BASE64_LEN(n));
    if (!at)
        return ETCD_ENOMEM;
    etcd__base64_encode_to(at, data ? data : "", n);
    return ETCD_OK;
}

/* `,"name":"123"` when v is not 0 (a 64-bit number is a string on the gateway). */
static int put_int(etcd__buf *out, const char *name, int64_t v)
{
    char digits_rev[20], *at;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n = 0, i;

    if (!v)
        return ETCD_OK;
    do {
        digits_rev[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    at = put_field(out, ',', name, n + (v < 0));
    if (!at)
        return ETCD_ENOMEM;
    if (v < 0)
        *at++ = '-';
    for (i = 0; i < n; i++)
        *at++ = digits_rev[n - 1 - i];
    return ETCD_OK;
}

/* `,"name":"VALUE"` when `cond`. */
static int put_name(etcd__buf *out, int cond, const char *name, const char *value)
{
    if (!cond)
        return ETCD_OK;
    return etcd__buf_printf(out, ",\"%s\":\"%s\"", name, value);
}

/* `,"name":true` when flag is set. */
static int put_true(etcd__buf *out, const char *name, int flag)
{
    if (!flag)
        return ETCD_OK;
    return etcd__buf_printf(out, ",\"%s\":true", name);
}

/* "key" and, for a range, "range_end", as etcd__v3_set_range() sets them. */
static int put_key_range(etcd__buf *out, etcd_bytes key, const etcd_range_end *range)
{
    static const char zero[1] = {0};
    size_t n = etcd__bytes_len(key);
    char *end;
    int rc;

    if (range && range->prefix && n == 0) {
        /* A prefix of nothing: every key. */
        rc = put_b64(out, '{', "key", zero, 1);
        return rc ? rc : put_b64(out, ',', "range_end", zero, 1);
    }
    rc = put_b64(out, '{', "key", key.data, n);
    if (rc || !range)
        return rc;
    if (range->end.data)
        return put_b64(out, ',', "range_end", range->end.data,
                       etcd__bytes_len(range->end));
    if (range->from_key)
        return put_b64(out, ',', "range_end", zero, 1);
    if (!range->prefix)
        return ETCD_OK;
    /* The prefix's end: its last byte below 0xff plus one, cut after it. */
    while (n > 0 && (unsigned char)key.data[n - 1] == 0xff)
        n--;
    if (n == 0)
        return put_b64(out, ',', "range_end", zero, 1);
    end = malloc(n);
    if (!end)
        return ETCD_ENOMEM;
    memcpy(end, key.data, n);
    end[n - 1] = (char)((unsigned char)end[n - 1] + 1);
    rc = put_b64(out, ',', "range_end", end, n);
    free(end);
    return rc;
}

int etcd__v3_write_range(etcd__buf *out, etcd_bytes key, const etcd_range_opts *o)
{
    static const char *const orders[] = {"NONE", "ASCEND", "DESCEND"};
    static const char *const targets[] = {"KEY", "VERSION", "CREATE", "MOD", "VALUE"};
    static const etcd_range_opts none;
    unsigned order, target;
    int rc;

    o = o ? o : &none;
    order = (unsigned)o->sort_order;
    target = (unsigned)o->sort_target;
    rc = put_key_range(out, key, &o->range);
    if (!rc)
        rc = put_int(out, "limit", o->limit);
    if (!rc)
        rc = put_int(out, "revision", o->revision);
    if (!rc)
        rc = put_name(out, order < 3 && order != ETCD_SORT_NONE, "sort_order",
                      orders[order < 3 ? order : 0]);
    if (!rc)
        rc = put_name(out, target < 5 && target != ETCD_SORT_KEY, "sort_target",
                      targets[target < 5 ? target : 0]);
    if (!rc)
        rc = put_true(out, "keys_only", o->keys_only);
    if (!rc)
        rc = put_true(out, "count_only", o->count_only);
    if (!rc)
        rc = put_true(out, "serializable", o->serializable);
    return rc ? rc : etcd__buf_append(out, "}", 1, ETCD__BUF_NOLIMIT);
}

int etcd__v3_write_put(etcd__buf *out, etcd_bytes key, etcd_bytes value,
                       const etcd_put_opts *o)
{
    static const etcd_put_opts none;
    int rc;

    o = o ? o : &none;
    rc = put_key_range(out, key, NULL);
    if (!rc)
        rc = put_b64(out, ',', "value", value.data, etcd__bytes_len(value));
    if (!rc)
        rc = put_int(out, "lease", o->lease);
    if (!rc)
        rc = put_true(out, "prev_kv", o->prev_kv);
    if (!rc)
        rc = put_true(out, "ignore_value", o->ignore_value);
    if (!rc)
        rc = put_true(out, "ignore_lease", o->ignore_lease);
    return rc ? rc : etcd__buf_append(out, "}", 1, ETCD__BUF_NOLIMIT);
}

int etcd__v3_write_delete(etcd__buf *out, etcd_bytes key, const etcd_delete_opts *o)
{
    static const etcd_delete_opts none;
    int rc;

    o = o ? o : &none;
    rc = put_key_range(out, key, &o->range);
    if (!rc)
        rc = put_true(out, "prev_kv", o->prev_kv);
    return rc ? rc : etcd__buf_append(out, "}", 1, ETCD__BUF_NOLIMIT);
}
