/*
 * libetcd internals: a growable byte buffer with a hard limit (curl's dynbuf).
 */
#ifndef ETCD_BUF_INT_H
#define ETCD_BUF_INT_H

#include <stdarg.h>
#include <stddef.h>

/* Always NUL-terminated once anything was appended; data is NULL before. */
typedef struct etcd__buf {
    char *data;
    size_t len;
    size_t cap;
} etcd__buf;

/* No limit beyond memory: for buffers the library fills itself. */
#define ETCD__BUF_NOLIMIT ((size_t)-1)

/* Append n bytes. ETCD_ETOOBIG when len would pass `limit` (nothing is appended),
 * ETCD_ENOMEM. */
int etcd__buf_append(etcd__buf *buf, const void *bytes, size_t n, size_t limit);

/* Make room for n more bytes at the end, count them in len (NUL-terminated after
 * them) and return where they start, for the caller to write; no limit. NULL when out
 * of memory (nothing changes). */
char *etcd__buf_extend(etcd__buf *buf, size_t n);

/* Append a NUL-terminated string; no limit. */
int etcd__buf_puts(etcd__buf *buf, const char *s);

/* Append printf-style; no limit. */
int etcd__buf_printf(etcd__buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append s percent-encoded: every byte but A-Z a-z 0-9 - . _ ~ (and '/' when
 * keep_slash) becomes %XX. Suits both URL paths and form values. */
int etcd__buf_put_escaped(etcd__buf *buf, const char *s, int keep_slash);

/* The same for n bytes that may include NUL. */
int etcd__buf_put_escaped_n(etcd__buf *buf, const char *s, size_t n, int keep_slash);

/* Drop the first n bytes. */
void etcd__buf_consume(etcd__buf *buf, size_t n);

/* Forget the contents, keep the memory. */
void etcd__buf_reset(etcd__buf *buf);

/* Hand the contents to the caller (NULL when empty) and leave buf empty. */
char *etcd__buf_steal(etcd__buf *buf);

void etcd__buf_free(etcd__buf *buf);

#endif /* ETCD_BUF_INT_H */
