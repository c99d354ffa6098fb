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

/* Each base64 character's value plus one (0: not base64); '-' and '_' are the URL-safe
 * forms of '+' and '/'. */
const unsigned char etcd__base64_sextets[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,
    ['H'] = 8,  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14,
    ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21,
    ['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28,
    ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35,
    ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
    ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
    ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63,
    ['-'] = 63, ['/'] = 64, ['_'] = 64};

size_t etcd__base64_decode(const char *text, size_t len, char *out)
{
    unsigned acc = 0;
    size_t n = 0, i;
    int bits = 0;

    while (len > 0 && text[len - 1] == '=')
        len--;
    for (i = 0; i < len; i++) {
        unsigned v = etcd__base64_sextets[(unsigned char)text[i]];

        if (!v)
            return (size_t)-1;
        acc = (acc << 6) | (v - 1);
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
