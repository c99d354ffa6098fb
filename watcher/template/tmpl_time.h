/* tmpl_time: Go's time.Time.Format on a tmpl_time. */
#ifndef TMPL_TIME_H
#define TMPL_TIME_H

#include "template.h"
#include "tmpl_buf.h"

/* time.Time.Format(layout). Returns a TMPL_BUF_ code. */
int tmpl_time_format(tmpl_buf *b, const tmpl_time *t, const char *layout, size_t len);
/* time.Time.String(). */
int tmpl_time_string(tmpl_buf *b, const tmpl_time *t);

#endif
