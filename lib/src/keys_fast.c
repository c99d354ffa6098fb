/*
 * libetcd: a fast decoder for the commonest answers, flat v2 keys answers:
 *
 *   {"action":"set","node":{"key":"/a","value":"1","modifiedIndex":7,"createdIndex":7},
 *    "prevNode":{...}}
 *
 * and directory listings, children nested in "nodes" arrays. One pass over the body,
 * strings unescaped straight into the response's arena, no JSON tree. Anything else (an
 * error object, an escape it does not handle, a field it does not know) makes it give
 * up, and the full decoder runs instead: it is an optimisation, never a second
 * definition of the format.
 */
#include "response_int.h"
#include "scan_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64 /* directories nested deeper go to the full decoder */

typedef struct scan {
    etcd__scan in;
    etcd_response *resp;
    int depth;
} scan;

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        char c = p[i];

        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return 0;
    }
    *out = v;
    return 1;
}

/* A JSON string into the arena: *out NUL-terminated, *len its length. 0 to give up
 * (surrogate pairs, control characters, a NUL escape: the full decoder knows them). */
static int string(scan *s, const char **out, size_t *len)
{
    const char *start;
    char *buf, *w;
    unsigned u;

    if (!etcd__scan_char(&s->in, '"'))
        return 0;
    start = s->in.p;
    while (s->in.p < s->in.end && *s->in.p != '"') {
        if (*s->in.p == '\\' && s->in.end - s->in.p < 2)
            return 0;
        s->in.p += *s->in.p == '\\' ? 2 : 1;
    }
    if (s->in.p >= s->in.end)
        return 0;
    buf = etcd__response_alloc(s->resp, (size_t)(s->in.p - start) + 1);
    if (!buf)
        return 0;
    for (w = buf; start < s->in.p; start++) {
        unsigned char c = (unsigned char)*start;

        if (c < 0x20)
            return 0;
        if (c != '\\') {
            *w++ = (char)c;
            continue;
        }
        c = (unsigned char)*++start;
        switch (c) {
        case '"':
        case '\\':
        case '/':
            *w++ = (char)c;
            break;
        case 'n':
            *w++ = '\n';
            break;
        case 't':
            *w++ = '\t';
            break;
        case 'r':
            *w++ = '\r';
            break;
        case 'b':
            *w++ = '\b';
            break;
        case 'f':
            *w++ = '\f';
            break;
        case 'u':
            if (s->in.p - start < 5 || !hex4(start + 1, &u) || u == 0 ||
                (u >= 0xd800 && u <= 0xdfff))
                return 0;
            start += 4;
            if (u < 0x80) {
                *w++ = (char)u;
            } else if (u < 0x800) {
                *w++ = (char)(0xc0 | (u >> 6));
                *w++ = (char)(0x80 | (u & 0x3f));
            } else {
                *w++ = (char)(0xe0 | (u >> 12));
                *w++ = (char)(0x80 | ((u >> 6) & 0x3f));
                *w++ = (char)(0x80 | (u & 0x3f));
            }
            break;
        default:
            return 0;
        }
    }
    *w = '\0';
    *out = buf;
    *len = (size_t)(w - buf);
    s->in.p++; /* the closing quote */
    return 1;
}

/* A non-negative integer; a sign, a fraction or an exponent means giving up. */
static int number(scan *s, uint64_t *out)
{
    uint64_t v = 0;
    const char *start;

    etcd__scan_ws(&s->in);
    start = s->in.p;
    while (s->in.p < s->in.end && *s->in.p >= '0' && *s->in.p <= '9') {
        uint64_t digit = (uint64_t)(*s->in.p - '0');

        if (v > (UINT64_MAX - digit) / 10)
            return 0;
        v = v * 10 + digit;
        s->in.p++;
    }
    if (s->in.p == start ||
        (s->in.p < s->in.end && (*s->in.p == '.' || *s->in.p == 'e' || *s->in.p == 'E')))
        return 0;
    *out = v;
    return 1;
}

/* The members of an object, each handed to `field` until the closing brace. */
static int members(scan *s, int (*field)(scan *s, const char *name, void *ctx), void *ctx)
{
    const char *name;
    size_t len;

    if (!etcd__scan_char(&s->in, '{'))
        return 0;
    if (etcd__scan_char(&s->in, '}'))
        return 1;
    do {
        if (!string(s, &name, &len) || !etcd__scan_char(&s->in, ':') ||
            !field(s, name, ctx))
            return 0;
    } while (etcd__scan_char(&s->in, ','));
    return etcd__scan_char(&s->in, '}');
}

static int node_field(scan *s, const char *name, void *ctx);

/* A "nodes" array: the children, parsed into a growing scratch array, then moved into
 * the arena in one piece (their own children are already there). */
static int children(scan *s, etcd_node *parent)
{
    etcd_node *tmp = NULL, *grown, *kids;
    size_t n = 0, cap = 0;
    int ok = 0;

    if (++s->depth > MAX_DEPTH || !etcd__scan_char(&s->in, '['))
        return 0;
    if (etcd__scan_char(&s->in, ']')) {
        s->depth--;
        return 1;
    }
    do {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            grown = realloc(tmp, cap * sizeof(*tmp));
            if (!grown)
                goto out;
            tmp = grown;
        }
        memset(&tmp[n], 0, sizeof(*tmp));
        if (!members(s, node_field, &tmp[n]))
            goto out;
        n++;
    } while (etcd__scan_char(&s->in, ','));
    if (!etcd__scan_char(&s->in, ']'))
        goto out;
    kids = etcd__response_alloc(s->resp, n * sizeof(*kids));
    if (!kids)
        goto out;
    memcpy(kids, tmp, n * sizeof(*kids));
    parent->nodes = kids;
    parent->nnodes = n;
    ok = 1;
    s->depth--;
out:
    free(tmp);
    return ok;
}

static int node_field(scan *s, const char *name, void *ctx)
{
    etcd_node *n = ctx;
    uint64_t v;
    size_t len;

    if (strcmp(name, "key") == 0)
        return string(s, &n->key, &len);
    if (strcmp(name, "value") == 0)
        return string(s, &n->value, &n->value_len);
    if (strcmp(name, "expiration") == 0)
        return string(s, &n->expiration, &len);
    if (strcmp(name, "dir") == 0)
        return etcd__scan_bool(&s->in, &n->dir);
    if (strcmp(name, "createdIndex") == 0)
        return number(s, &n->created_index);
    if (strcmp(name, "modifiedIndex") == 0)
        return number(s, &n->modified_index);
    if (strcmp(name, "nodes") == 0 && !n->nodes)
        return children(s, n);
    if (strcmp(name, "ttl") == 0 && number(s, &v) && v <= INT64_MAX) {
        n->ttl = (int64_t)v;
        return 1;
    }
    return 0; /* something new: the full decoder */
}

static int top_field(scan *s, const char *name, void *ctx)
{
    const char *action;
    etcd_node *n;
    size_t len;
    int prev;

    (void)ctx;
    if (strcmp(name, "action") == 0) {
        if (!string(s, &action, &len))
            return 0;
        s->resp->action = etcd__action_from_name(action);
        return 1;
    }
    prev = strcmp(name, "prevNode") == 0;
    if ((!prev && strcmp(name, "node") != 0) ||
        (prev ? s->resp->prev_node : s->resp->node))
        return 0;
    n = etcd__response_alloc(s->resp, sizeof(*n));
    if (!n || !members(s, node_field, n))
        return 0;
    if (prev)
        s->resp->prev_node = n;
    else
        s->resp->node = n;
    return 1;
}

int etcd__decode_keys_fast(etcd_response *resp, const char *body, size_t len)
{
    scan s = {{body, body + len}, resp, 0};

    if (!members(&s, top_field, NULL) || !resp->node)
        return 0;
    etcd__scan_ws(&s.in);
    return s.in.p == s.in.end;
}
