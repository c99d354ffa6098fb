/*
 * base64.h: standard base64 (with padding) for the benchmarks' v3 gateway bodies, where
 * keys and values travel base64-encoded. Header only: each helper program includes it
 * once.
 */
#ifndef BENCH_BASE64_H
#define BENCH_BASE64_H

#include <stddef.h>

/* The size of the encoding of len bytes, its terminating NUL included. */
#define BENCH_BASE64_SIZE(len) (((len) + 2) / 3 * 4 + 1)

/* Encode len bytes of in into out (BENCH_BASE64_SIZE(len) bytes), NUL-terminated;
 * returns the encoding's length. */
static size_t bench_base64(const char *in, size_t len, char *out)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)in;
    char *start = out;
    size_t i;

    for (i = 0; i + 2 < len; i += 3) {
        unsigned long v =
            (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];

        *out++ = digits[v >> 18 & 63];
        *out++ = digits[v >> 12 & 63];
        *out++ = digits[v >> 6 & 63];
        *out++ = digits[v & 63];
    }
    if (i < len) {
        unsigned long v = (unsigned long)p[i] << 16;

        if (i + 1 < len)
            v |= (unsigned long)p[i + 1] << 8;
        *out++ = digits[v >> 18 & 63];
        *out++ = digits[v >> 12 & 63];
        *out++ = i + 1 < len ? digits[v >> 6 & 63] : '=';
        *out++ = '=';
    }
    *out = '\0';
    return (size_t)(out - start);
}

#endif /* BENCH_BASE64_H */
