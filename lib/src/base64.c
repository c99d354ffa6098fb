/*
 * libetcd: base64.
 */
#include "base64_int.h"

#include "etcd/error.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int etcd__base64_encode(etcd__buf *buf, const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    char quad[4];
    size_t i;
    int rc;

    for (i = 0; i + 2 < n; i += 3) {
        quad[0] = alphabet[p[i] >> 2];
        quad[1] = alphabet[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
        quad[2] = alphabet[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
        quad[3] = alphabet[p[i + 2] & 63];
        rc = etcd__buf_append(buf, quad, 4, ETCD__BUF_NOLIMIT);
        if (rc)
            return rc;
    }
    if (i < n) {
        quad[0] = alphabet[p[i] >> 2];
        if (i + 1 < n) {
            quad[1] = alphabet[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
            quad[2] = alphabet[(p[i + 1] & 15) << 2];
        } else {
            quad[1] = alphabet[(p[i] & 3) << 4];
            quad[2] = '=';
        }
        quad[3] = '=';
        return etcd__buf_append(buf, quad, 4, ETCD__BUF_NOLIMIT);
    }
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
