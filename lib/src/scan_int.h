/*
 * libetcd internals: a cursor over JSON text, for the one-pass decoders of the
 * commonest answers (keys_fast.c, v3_fast.c). Inline: they run for every byte.
 */
#ifndef ETCD_SCAN_INT_H
#define ETCD_SCAN_INT_H

#include <string.h>

/* The text still to read: [p, end). */
typedef struct etcd__scan {
    const char *p, *end;
} etcd__scan;

/* Step over JSON white space. */
static inline void etcd__scan_ws(etcd__scan *in)
{
    while (in->p < in->end &&
           (*in->p == ' ' || *in->p == '\n' || *in->p == '\r' || *in->p == '\t'))
        in->p++;
}

/* Step over white space and `ch`; 0 (after the white space) when ch is not next. */
static inline int etcd__scan_char(etcd__scan *in, char ch)
{
    etcd__scan_ws(in);
    if (in->p >= in->end || *in->p != ch)
        return 0;
    in->p++;
    return 1;
}

/* A JSON true or false into *out; 0 when neither is next. */
static inline int etcd__scan_bool(etcd__scan *in, int *out)
{
    etcd__scan_ws(in);
    if (in->end - in->p >= 4 && memcmp(in->p, "true", 4) == 0) {
        in->p += 4;
        *out = 1;
        return 1;
    }
    if (in->end - in->p >= 5 && memcmp(in->p, "false", 5) == 0) {
        in->p += 5;
        *out = 0;
        return 1;
    }
    return 0;
}

#endif /* ETCD_SCAN_INT_H */
