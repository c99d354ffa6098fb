#include "tmpl_time.h"

#include <stdio.h>
#include <string.h>

enum {
    STD_NONE,
    STD_LONG_MONTH,
    STD_MONTH,
    STD_NUM_MONTH,
    STD_ZERO_MONTH,
    STD_LONG_WEEKDAY,
    STD_WEEKDAY,
    STD_DAY,
    STD_UNDER_DAY,
    STD_ZERO_DAY,
    STD_UNDER_YDAY,
    STD_ZERO_YDAY,
    STD_HOUR,
    STD_HOUR12,
    STD_ZERO_HOUR12,
    STD_MINUTE,
    STD_ZERO_MINUTE,
    STD_SECOND,
    STD_ZERO_SECOND,
    STD_LONG_YEAR,
    STD_YEAR,
    STD_PM,
    STD_PM_LOWER,
    STD_TZ,
    STD_ISO_TZ, /* Z0700 family: 'Z' for UTC */
    STD_NUM_TZ, /* -0700 family */
    STD_FRAC0,
    STD_FRAC9
};

typedef struct std_chunk {
    int code;
    size_t start; /* of the chunk in the layout */
    size_t len;
    int colons; /* TZ: 0 "-0700", 1 "-07:00", 2 "-07:00:00" */
    int secs;   /* TZ: with seconds */
    int hours_only;
    int digits; /* fractional seconds */
    char sep;
} std_chunk;

typedef tmpl_civil civil;

static const char *const months[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};
static const char *const weekdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};

static int has(const char *s, size_t n, size_t i, const char *p)
{
    size_t k = strlen(p);

    return n - i >= k && memcmp(s + i, p, k) == 0;
}

static int is_lower(const char *s, size_t n, size_t i)
{
    return i < n && s[i] >= 'a' && s[i] <= 'z';
}

/* Fills in the code and length of the chunk found at c->start; returns 1. */
static int found(std_chunk *c, int code, size_t len)
{
    c->code = code;
    c->len = len;
    return 1;
}

/* A numeric zone ("-0700", "Z07:00", ...) at i, on its '-' or 'Z'. */
static int tz_chunk(const char *s, size_t n, size_t i, std_chunk *c, int iso)
{
    static const struct {
        const char *p;
        int colons;
        int secs;
        int hours;
    } forms[] = {{"070000", 0, 1, 0},
                 {"07:00:00", 1, 1, 0},
                 {"0700", 0, 0, 0},
                 {"07:00", 1, 0, 0},
                 {"07", 0, 0, 1}};
    size_t k;

    for (k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
        if (has(s, n, i + 1, forms[k].p)) {
            c->colons = forms[k].colons;
            c->secs = forms[k].secs;
            c->hours_only = forms[k].hours;
            return found(c, iso ? STD_ISO_TZ : STD_NUM_TZ, 1 + strlen(forms[k].p));
        }
    }
    return 0;
}

/* Fractional seconds (".000" or ",999") at i, on the separator; not when a digit
 * follows the run. */
static int frac_chunk(const char *s, size_t n, size_t i, std_chunk *c)
{
    char ch;
    size_t j;

    if (i + 1 >= n || (s[i + 1] != '0' && s[i + 1] != '9'))
        return 0;
    ch = s[i + 1];
    for (j = i + 1; j < n && s[j] == ch; j++)
        ;
    if (j < n && s[j] >= '0' && s[j] <= '9')
        return 0;
    c->digits = (int)(j - i - 1);
    c->sep = s[i];
    return found(c, ch == '0' ? STD_FRAC0 : STD_FRAC9, j - i);
}

/* Go's nextStdChunk: finds the chunk at position i, if any. */
static int std_at(const char *s, size_t n, size_t i, std_chunk *c)
{
    memset(c, 0, sizeof(*c));
    c->start = i;
    switch (s[i]) {
    case 'J':
        if (has(s, n, i, "January"))
            return found(c, STD_LONG_MONTH, 7);
        if (has(s, n, i, "Jan") && !is_lower(s, n, i + 3))
            return found(c, STD_MONTH, 3);
        return 0;
    case 'M':
        if (has(s, n, i, "Monday"))
            return found(c, STD_LONG_WEEKDAY, 6);
        if (has(s, n, i, "Mon") && !is_lower(s, n, i + 3))
            return found(c, STD_WEEKDAY, 3);
        if (has(s, n, i, "MST"))
            return found(c, STD_TZ, 3);
        return 0;
    case '0':
        if (i + 1 < n && s[i + 1] >= '1' && s[i + 1] <= '6') {
            static const int codes[] = {STD_ZERO_MONTH,  STD_ZERO_DAY,    STD_ZERO_HOUR12,
                                        STD_ZERO_MINUTE, STD_ZERO_SECOND, STD_YEAR};
            return found(c, codes[s[i + 1] - '1'], 2);
        }
        if (has(s, n, i, "002"))
            return found(c, STD_ZERO_YDAY, 3);
        return 0;
    case '1':
        return has(s, n, i, "15") ? found(c, STD_HOUR, 2) : found(c, STD_NUM_MONTH, 1);
    case '2':
        return has(s, n, i, "2006") ? found(c, STD_LONG_YEAR, 4) : found(c, STD_DAY, 1);
    case '_':
        if (has(s, n, i, "_2006")) {
            c->start = i + 1; /* the '_' stays as it is */
            return found(c, STD_LONG_YEAR, 4);
        }
        if (has(s, n, i, "_2"))
            return found(c, STD_UNDER_DAY, 2);
        if (has(s, n, i, "__2"))
            return found(c, STD_UNDER_YDAY, 3);
        return 0;
    case '3':
        return found(c, STD_HOUR12, 1);
    case '4':
        return found(c, STD_MINUTE, 1);
    case '5':
        return found(c, STD_SECOND, 1);
    case 'P':
        return has(s, n, i, "PM") ? found(c, STD_PM, 2) : 0;
    case 'p':
        return has(s, n, i, "pm") ? found(c, STD_PM_LOWER, 2) : 0;
    case '-':
        return tz_chunk(s, n, i, c, 0);
    case 'Z':
        return tz_chunk(s, n, i, c, 1);
    case '.':
    case ',':
        return frac_chunk(s, n, i, c);
    default:
        return 0;
    }
}

void tmpl_time_civil(const tmpl_time *t, tmpl_civil *c)
{
    int64_t secs = t->unix_sec + t->utc_offset;
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    int64_t z;
    int64_t era;
    int64_t doe;
    int64_t yoe;
    int64_t doy;
    int64_t mp;
    static const int cum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int leap;

    if (rem < 0) {
        rem += 86400;
        days--;
    }
    c->hour = (int)(rem / 3600);
    c->min = (int)(rem % 3600 / 60);
    c->sec = (int)(rem % 60);
    c->wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    z = days + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    c->year = yoe + era * 400 + (c->month <= 2);
    leap = (c->year % 4 == 0 && c->year % 100 != 0) || c->year % 400 == 0;
    c->yday = cum[c->month - 1] + c->day + (leap && c->month > 2);
}

static int put_int(tmpl_buf *b, int64_t v, int width)
{
    if (v < 0) {
        if (tmpl_buf_addc(b, '-'))
            return TMPL_BUF_NOMEM;
        v = -v;
    }
    return tmpl_buf_addf(b, "%0*lld", width, (long long)v);
}

static int put_tz(tmpl_buf *b, const tmpl_time *t, const std_chunk *c)
{
    int zone = t->utc_offset / 60;
    int absoff = t->utc_offset;
    int rc;

    if (c->code == STD_ISO_TZ && t->utc_offset == 0)
        return tmpl_buf_addc(b, 'Z');
    if (zone < 0) {
        rc = tmpl_buf_addc(b, '-');
        zone = -zone;
        absoff = -absoff;
    } else {
        rc = tmpl_buf_addc(b, '+');
    }
    rc = rc ? rc : put_int(b, zone / 60, 2);
    if (c->hours_only)
        return rc;
    if (rc == 0 && c->colons)
        rc = tmpl_buf_addc(b, ':');
    rc = rc ? rc : put_int(b, zone % 60, 2);
    if (c->secs) {
        if (rc == 0 && c->colons)
            rc = tmpl_buf_addc(b, ':');
        rc = rc ? rc : put_int(b, absoff % 60, 2);
    }
    return rc;
}

static int put_frac(tmpl_buf *b, const tmpl_time *t, const std_chunk *c)
{
    char digs[10];
    int n = c->digits > 9 ? 9 : c->digits;
    int rc;

    snprintf(digs, sizeof(digs), "%09d", (int)t->nsec);
    if (c->code == STD_FRAC9) {
        while (n > 0 && digs[n - 1] == '0')
            n--;
        if (n == 0)
            return 0;
    }
    rc = tmpl_buf_addc(b, c->sep);
    return rc ? rc : tmpl_buf_add(b, digs, (size_t)n);
}

static int put_chunk(tmpl_buf *b, const tmpl_time *t, const civil *cv, const std_chunk *c)
{
    int h12 = cv->hour % 12 == 0 ? 12 : cv->hour % 12;

    switch (c->code) {
    case STD_YEAR:
        return put_int(b, ((cv->year % 100) + 100) % 100, 2);
    case STD_LONG_YEAR:
        return put_int(b, cv->year, 4);
    case STD_MONTH:
        return tmpl_buf_add(b, months[cv->month - 1], 3);
    case STD_LONG_MONTH:
        return tmpl_buf_adds(b, months[cv->month - 1]);
    case STD_NUM_MONTH:
        return put_int(b, cv->month, 0);
    case STD_ZERO_MONTH:
        return put_int(b, cv->month, 2);
    case STD_WEEKDAY:
        return tmpl_buf_add(b, weekdays[cv->wday], 3);
    case STD_LONG_WEEKDAY:
        return tmpl_buf_adds(b, weekdays[cv->wday]);
    case STD_DAY:
        return put_int(b, cv->day, 0);
    case STD_UNDER_DAY:
        return tmpl_buf_addf(b, "%2d", cv->day);
    case STD_ZERO_DAY:
        return put_int(b, cv->day, 2);
    case STD_UNDER_YDAY:
        return tmpl_buf_addf(b, "%3d", cv->yday);
    case STD_ZERO_YDAY:
        return put_int(b, cv->yday, 3);
    case STD_HOUR:
        return put_int(b, cv->hour, 2);
    case STD_HOUR12:
        return put_int(b, h12, 0);
    case STD_ZERO_HOUR12:
        return put_int(b, h12, 2);
    case STD_MINUTE:
        return put_int(b, cv->min, 0);
    case STD_ZERO_MINUTE:
        return put_int(b, cv->min, 2);
    case STD_SECOND:
        return put_int(b, cv->sec, 0);
    case STD_ZERO_SECOND:
        return put_int(b, cv->sec, 2);
    case STD_PM:
        return tmpl_buf_adds(b, cv->hour >= 12 ? "PM" : "AM");
    case STD_PM_LOWER:
        return tmpl_buf_adds(b, cv->hour >= 12 ? "pm" : "am");
    case STD_TZ:
        if (t->zone[0])
            return tmpl_buf_adds(b, t->zone);
        {
            std_chunk g = *c;
            g.code = STD_NUM_TZ;
            return put_tz(b, t, &g);
        }
    case STD_ISO_TZ:
    case STD_NUM_TZ:
        return put_tz(b, t, c);
    case STD_FRAC0:
    case STD_FRAC9:
        return put_frac(b, t, c);
    default:
        return 0;
    }
}

int tmpl_time_format(tmpl_buf *b, const tmpl_time *t, const char *layout, size_t n)
{
    civil cv;
    size_t i = 0;
    size_t lit = 0;
    std_chunk c;
    int rc = 0;

    tmpl_time_civil(t, &cv);
    while (i < n && rc == 0) {
        if (!std_at(layout, n, i, &c)) {
            i++;
            continue;
        }
        rc = tmpl_buf_add(b, layout + lit, c.start - lit);
        rc = rc ? rc : put_chunk(b, t, &cv, &c);
        i = c.start + c.len;
        lit = i;
    }
    return rc ? rc : tmpl_buf_add(b, layout + lit, n - lit);
}

const char *tmpl_time_month_name(int month)
{
    return months[(month - 1) % 12];
}

const char *tmpl_time_weekday_name(int wday)
{
    return weekdays[wday % 7];
}

int tmpl_time_string(tmpl_buf *b, const tmpl_time *t)
{
    static const char layout[] = "2006-01-02 15:04:05.999999999 -0700 MST";

    return tmpl_time_format(b, t, layout, sizeof(layout) - 1);
}

int tmpl_time_gostring(tmpl_buf *b, const tmpl_time *t)
{
    tmpl_civil c;
    int rc;

    tmpl_time_civil(t, &c);
    rc = tmpl_buf_addf(b, "time.Date(%lld, time.%s, %d, %d, %d, %d, %d, ",
                       (long long)c.year, months[c.month - 1], c.day, c.hour, c.min,
                       c.sec, (int)t->nsec);
    if (rc == 0 && t->utc_offset == 0 && strcmp(t->zone, "UTC") == 0)
        rc = tmpl_buf_adds(b, "time.UTC)");
    else if (rc == 0)
        rc = tmpl_buf_addf(b, "time.Location(\"%s\"))", t->zone);
    return rc;
}
