/*
 * libetcd: base64.
 */
#include "base64_int.h"

#include "etcd/error.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void etcd__base64_encode_to(char *out, const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    size_t i;

    for (i = 0; i + 2 < n; i += 3) {
        *out++ = alphabet[p[i] >> 2];
        *out++ = alphabet[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
        *out++ = alphabet[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
        *out++ = alphabet[p[i + 2] & 63];
    }
    if (i < n) {
        *out++ = alphabet[p[i] >> 2];
        if (i + 1 < n) {
            *out++ = alphabet[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
            *out++ = alphabet[(p[i + 1] & 15) << 2];
        } else {
            *out++ = alphabet[(p[i] & 3) << 4];
            *out++ = '=';
        }
        *out = '=';
    }
}

int etcd__base64_encode(etcd__buf *buf, const void *bytes, size_t n)
{
    char *out;

    if (n > (ETCD__BUF_NOLIMIT - 2) / 4 * 3)
        return ETCD_ENOMEM;
    out = etcd__buf_extend(buf, ETCD__BASE64_LEN(n));
    if (!out)
        return ETCD_ENOMEM;
    etcd__base64_encode_to(out, bytes, n);
    return ETCD_OK;
}

static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

size_t etcd__base64_decode(const char *text, size_t len, char *out)
{
    unsigned acc = 0;
    size_t n = 0, i;
    int bits = 0;

    while (len > 0 && text[len - 1] == '=')
        len--;
    for (i = 0; i < len; i++) {
        int v = sextet(text[i]);

        if (v < 0)
            return (size_t)-1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    if (bits >= 6)
        return (size_t)-1; /* a lone trailing character */
    out[n] = '\0';
    return n;
}
