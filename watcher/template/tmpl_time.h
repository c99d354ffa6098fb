/* tmpl_time: Go's time.Time.Format on a tmpl_time. */
#ifndef TMPL_TIME_H
#define TMPL_TIME_H

#include "template.h"
#include "tmpl_buf.h"

typedef struct tmpl_civil {
    int64_t year;
    int month; /* 1..12 */
    int day;
    int yday; /* 1..366 */
    int wday; /* 0 = Sunday */
    int hour;
    int min;
    int sec;
} tmpl_civil;

/* The calendar fields of t in its own zone. */
void tmpl_time_civil(const tmpl_time *t, tmpl_civil *c);
const char *tmpl_time_month_name(int month);
const char *tmpl_time_weekday_name(int wday);
/* time.Time.Format(layout). Returns a TMPL_BUF_ code. */
int tmpl_time_format(tmpl_buf *b, const tmpl_time *t, const char *layout, size_t len);
/* time.Time.GoString() (%#v); a zone other than UTC prints as time.Location("ZONE"). */
int tmpl_time_gostring(tmpl_buf *b, const tmpl_time *t);
/* time.Time.String(). */
int tmpl_time_string(tmpl_buf *b, const tmpl_time *t);

#endif
