/*
 * libetcd: growable byte buffers with a hard limit.
 */
#include "buf_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etcd/error.h"

static int buf_grow(etcd__buf *buf, size_t need)
{
    size_t cap = buf->cap ? buf->cap : 256;
    char *data;

    while (cap < need) {
        if (cap > ((size_t)-1) / 2)
            return ETCD_ENOMEM;
        cap *= 2;
    }
    data = realloc(buf->data, cap);
    if (!data)
        return ETCD_ENOMEM;
    buf->data = data;
    buf->cap = cap;
    return ETCD_OK;
}

int etcd__buf_append(etcd__buf *buf, const void *bytes, size_t n, size_t limit)
{
    if (n > limit || buf->len > limit - n)
        return ETCD_ETOOBIG;
    if (buf->len + n + 1 > buf->cap) {
        int rc = buf_grow(buf, buf->len + n + 1);
        if (rc)
            return rc;
    }
    if (n)
        memcpy(buf->data + buf->len, bytes, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return ETCD_OK;
}

char *etcd__buf_extend(etcd__buf *buf, size_t n)
{
    char *at;

    if (n > ETCD__BUF_NOLIMIT - 1 - buf->len)
        return NULL;
    if (buf->len + n + 1 > buf->cap && buf_grow(buf, buf->len + n + 1))
        return NULL;
    at = buf->data + buf->len;
    buf->len += n;
    buf->data[buf->len] = '\0';
    return at;
}

int etcd__buf_puts(etcd__buf *buf, const char *s)
{
    return etcd__buf_append(buf, s, strlen(s), ETCD__BUF_NOLIMIT);
}

int etcd__buf_printf(etcd__buf *buf, const char *fmt, ...)
{
    char small[128];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return ETCD_EINVAL;
    if ((size_t)n < sizeof(small))
        return etcd__buf_append(buf, small, (size_t)n, ETCD__BUF_NOLIMIT);

    if (buf->len + (size_t)n + 1 > buf->cap) {
        int rc = buf_grow(buf, buf->len + (size_t)n + 1);
        if (rc)
            return rc;
    }
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return ETCD_OK;
}

int etcd__buf_put_escaped_n(etcd__buf *buf, const char *s, size_t n, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s, *end = p + n;

    for (; p < end; p++) {
        unsigned char ch = *p;
        int plain = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
                    ch == '~' || (keep_slash && ch == '/');
        char enc[3];
        int rc;

        if (plain) {
            rc = etcd__buf_append(buf, p, 1, ETCD__BUF_NOLIMIT);
        } else {
            enc[0] = '%';
            enc[1] = hex[ch >> 4];
            enc[2] = hex[ch & 15];
            rc = etcd__buf_append(buf, enc, 3, ETCD__BUF_NOLIMIT);
        }
        if (rc)
            return rc;
    }
    return ETCD_OK;
}

int etcd__buf_put_escaped(etcd__buf *buf, const char *s, int keep_slash)
{
    return etcd__buf_put_escaped_n(buf, s, strlen(s), keep_slash);
}

void etcd__buf_consume(etcd__buf *buf, size_t n)
{
    if (n >= buf->len) {
        etcd__buf_reset(buf);
        return;
    }
    memmove(buf->data, buf->data + n, buf->len - n);
    buf->len -= n;
    buf->data[buf->len] = '\0';
}

void etcd__buf_reset(etcd__buf *buf)
{
    buf->len = 0;
    if (buf->data)
        buf->data[0] = '\0';
}

char *etcd__buf_steal(etcd__buf *buf)
{
    char *data = buf->data;

    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    return data;
}

void etcd__buf_free(etcd__buf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
}
