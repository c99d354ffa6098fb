#include "tmpl_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tmpl_buf_init(tmpl_buf *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit;
}

void tmpl_buf_cleanup(tmpl_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

static int buf_reserve(tmpl_buf *b, size_t extra)
{
    size_t need;
    size_t ncap;
    char *p;

    if (b->limit && (extra > b->limit || b->len > b->limit - extra))
        return TMPL_BUF_TOOBIG;
    if (extra > (size_t)-1 / 2 - b->len)
        return TMPL_BUF_NOMEM;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return TMPL_BUF_OK;
    ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap *= 2;
    p = realloc(b->data, ncap);
    if (!p)
        return TMPL_BUF_NOMEM;
    b->data = p;
    b->cap = ncap;
    return TMPL_BUF_OK;
}

int tmpl_buf_add(tmpl_buf *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);

    if (rc != TMPL_BUF_OK)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return TMPL_BUF_OK;
}

int tmpl_buf_addc(tmpl_buf *b, char c)
{
    return tmpl_buf_add(b, &c, 1);
}

int tmpl_buf_adds(tmpl_buf *b, const char *s)
{
    return tmpl_buf_add(b, s, strlen(s));
}

int tmpl_buf_fill(tmpl_buf *b, char c, size_t n)
{
    int rc = buf_reserve(b, n);

    if (rc != TMPL_BUF_OK)
        return rc;
    memset(b->data + b->len, c, n);
    b->len += n;
    b->data[b->len] = '\0';
    return TMPL_BUF_OK;
}

int tmpl_buf_vaddf(tmpl_buf *b, const char *fmt, va_list ap)
{
    va_list again;
    int n;
    int rc;

    va_copy(again, ap);
    n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0) {
        va_end(again);
        return TMPL_BUF_NOMEM;
    }
    rc = buf_reserve(b, (size_t)n);
    if (rc == TMPL_BUF_OK) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
    return rc;
}

int tmpl_buf_addf(tmpl_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = tmpl_buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void *tmpl_array_grow(void *items, size_t len, size_t *cap, size_t size, size_t first)
{
    size_t ncap;
    void *p;

    if (len < *cap)
        return items;
    ncap = *cap ? *cap * 2 : first;
    if (ncap < *cap || ncap > (size_t)-1 / size)
        return NULL;
    p = realloc(items, ncap * size);
    if (p)
        *cap = ncap;
    return p;
}

char *tmpl_buf_steal(tmpl_buf *b, size_t *len)
{
    char *p;

    if (!b->data && tmpl_buf_add(b, "", 0) != TMPL_BUF_OK)
        return NULL;
    p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
