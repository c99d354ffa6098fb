/* tmpl_buf: a growable byte buffer with a hard upper bound (curl's dynbuf), and
 * the growth of the engine's arrays. */
#ifndef TMPL_BUF_H
#define TMPL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct tmpl_buf {
    char *data; /* owned; always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t limit; /* 0: no limit */
} tmpl_buf;

/* Result codes of the append functions. */
#define TMPL_BUF_OK 0
#define TMPL_BUF_NOMEM (-1)
#define TMPL_BUF_TOOBIG (-2)

void tmpl_buf_init(tmpl_buf *b, size_t limit);
void tmpl_buf_cleanup(tmpl_buf *b);
int tmpl_buf_add(tmpl_buf *b, const void *p, size_t n);
int tmpl_buf_addc(tmpl_buf *b, char c);
int tmpl_buf_adds(tmpl_buf *b, const char *s);
int tmpl_buf_fill(tmpl_buf *b, char c, size_t n);
/* printf-style append. */
int tmpl_buf_vaddf(tmpl_buf *b, const char *fmt, va_list ap);
int tmpl_buf_addf(tmpl_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Hands the contents over (new, NUL-terminated); the buffer is reset. */
char *tmpl_buf_steal(tmpl_buf *b, size_t *len);

/* Room for one more item in an array of *cap items of size bytes that holds len:
 * returns the array (moved, maybe), or NULL when out of memory and the array is
 * unchanged. The capacity doubles, from first. */
void *tmpl_array_grow(void *items, size_t len, size_t *cap, size_t size, size_t first);

#endif
