/*
 * libetcd internals: base64 (RFC 4648, with padding), as the v3 gateway uses it for
 * keys and values.
 */
#ifndef ETCD_BASE64_INT_H
#define ETCD_BASE64_INT_H

#include <stddef.h>

#include "buf_int.h"

/* Append the base64 form of n bytes to buf. ETCD_OK or ETCD_ENOMEM. */
int etcd__base64_encode(etcd__buf *buf, const void *bytes, size_t n);

/* The length of the base64 form of n bytes (with padding). */
#define ETCD__BASE64_LEN(n) (((n) + 2) / 3 * 4)

/* Write the base64 form of n bytes to out (ETCD__BASE64_LEN(n) bytes, no NUL). */
void etcd__base64_encode_to(char *out, const void *bytes, size_t n);

/* Each base64 character's value plus one, 0 for any other byte (the URL-safe '-' and
 * '_' count as '+' and '/'). */
extern const unsigned char etcd__base64_sextets[256];

/* Decode `text` (len characters) into out (room for at least len / 4 * 3 + 1 bytes);
 * out is NUL-terminated. Returns the decoded length, or (size_t)-1 when text is not
 * valid base64. */
size_t etcd__base64_decode(const char *text, size_t len, char *out);

#endif /* ETCD_BASE64_INT_H */
