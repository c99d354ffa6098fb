#include "tmpl_fmt.h"

#include "tmpl_time.h"
#include "tmpl_utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fmt_flags {
    int wid;
    int prec;
    bool wid_present;
    bool prec_present;
    bool minus;
    bool plus;
    bool sharp;
    bool space;
    bool zero;
    bool plus_v;
    bool sharp_v;
} fmt_flags;

static const char ldigits[] = "0123456789abcdefx";
static const char udigits[] = "0123456789ABCDEFX";

/* ---- padding --------------------------------------------------------- */

static int write_padding(tmpl_buf *b, const fmt_flags *f, int n)
{
    if (n <= 0)
        return 0;
    return tmpl_buf_fill(b, f->zero ? '0' : ' ', (size_t)n);
}

/* fmt.pad: width counts runes. */
static int pad(tmpl_buf *b, const fmt_flags *f, const char *s, size_t n)
{
    int width;
    int rc;

    if (!f->wid_present || f->wid == 0)
        return tmpl_buf_add(b, s, n);
    width = f->wid - (int)tmpl_utf8_count(s, n);
    if (!f->minus) {
        rc = write_padding(b, f, width);
        return rc ? rc : tmpl_buf_add(b, s, n);
    }
    rc = tmpl_buf_add(b, s, n);
    if (rc == 0 && width > 0)
        rc = tmpl_buf_fill(b, ' ', (size_t)width);
    return rc;
}

static int pad_no_zero(tmpl_buf *b, const fmt_flags *f, const char *s, size_t n)
{
    fmt_flags g = *f;

    g.zero = false;
    return pad(b, &g, s, n);
}

/* ---- strconv.Quote --------------------------------------------------- */

static const char escaped_chars[] = "\a\b\f\n\r\t\v";
static const char escape_letters[] = "abfnrtv";

char tmpl_escape_letter(int32_t c)
{
    const char *p = c > 0 && c < 0x80 ? strchr(escaped_chars, (int)c) : NULL;

    return p ? escape_letters[p - escaped_chars] : 0;
}

int32_t tmpl_escape_char(char letter)
{
    const char *p = letter ? strchr(escape_letters, letter) : NULL;

    return p ? escaped_chars[p - escape_letters] : -1;
}

static int quote_rune_esc(tmpl_buf *b, int32_t r, int ascii, char quote)
{
    static const char hex[] = "0123456789abcdef";
    char letter = tmpl_escape_letter(r);
    char tmp[12];
    size_t k;

    if (r == quote || r == '\\') {
        tmp[0] = '\\';
        tmp[1] = (char)r;
        return tmpl_buf_add(b, tmp, 2);
    }
    if (ascii ? (r < 0x80 && tmpl_rune_is_print(r)) : tmpl_rune_is_print(r)) {
        k = tmpl_utf8_encode(r, tmp);
        return tmpl_buf_add(b, tmp, k);
    }
    if (letter) {
        tmp[0] = '\\';
        tmp[1] = letter;
        return tmpl_buf_add(b, tmp, 2);
    }
    if (r < ' ' || r == 0x7f) {
        tmp[0] = '\\';
        tmp[1] = 'x';
        tmp[2] = hex[(r >> 4) & 15];
        tmp[3] = hex[r & 15];
        return tmpl_buf_add(b, tmp, 4);
    }
    if (r < 0x10000)
        return tmpl_buf_addf(b, "\\u%04x", (unsigned)r);
    return tmpl_buf_addf(b, "\\U%08x", (unsigned)r);
}

int tmpl_go_quote(tmpl_buf *b, const char *s, size_t n, int ascii)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    int rc = tmpl_buf_addc(b, '"');

    while (i < n && rc == 0) {
        int32_t r;
        size_t w = tmpl_utf8_decode(s + i, n - i, &r);
        if (r == TMPL_RUNE_ERROR && w == 1) {
            char tmp[4] = {'\\', 'x', hex[(unsigned char)s[i] >> 4],
                           hex[(unsigned char)s[i] & 15]};
            rc = tmpl_buf_add(b, tmp, 4);
        } else {
            rc = quote_rune_esc(b, r, ascii, '"');
        }
        i += w;
    }
    return rc ? rc : tmpl_buf_addc(b, '"');
}

static int quote_rune(tmpl_buf *b, int32_t r, int ascii)
{
    int rc = tmpl_buf_addc(b, '\'');

    if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF) || r < 0)
        r = TMPL_RUNE_ERROR;
    rc = rc ? rc : quote_rune_esc(b, r, ascii, '\'');
    return rc ? rc : tmpl_buf_addc(b, '\'');
}

/* ---- floats ---------------------------------------------------------- */

/* Precision beyond this many digits is clamped (Go prints any precision exactly). */
#define MAX_FLOAT_DIGITS 1000

typedef struct decimal {
    char d[MAX_FLOAT_DIGITS + 8];
    int nd; /* digits */
    int dp; /* decimal point position */
    bool neg;
} decimal;

/* Digits of f rounded to prec significant digits, trailing zeros trimmed. */
static void float_digits(double f, int prec, decimal *dec)
{
    char tmp[MAX_FLOAT_DIGITS + 32];
    int k = 0;
    int i;

    if (prec < 1)
        prec = 1;
    if (prec > MAX_FLOAT_DIGITS)
        prec = MAX_FLOAT_DIGITS;
    snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, f);
    i = tmp[0] == '-' ? 1 : 0;
    dec->neg = i == 1;
    for (; tmp[i] && tmp[i] != 'e'; i++) {
        if (tmp[i] != '.')
            dec->d[k++] = tmp[i];
    }
    dec->dp = tmp[i] == 'e' ? (int)strtol(tmp + i + 1, NULL, 10) + 1 : 0;
    while (k > 0 && dec->d[k - 1] == '0')
        k--;
    dec->nd = k;
    if (k == 0)
        dec->dp = 0;
}

static void float_shortest(double f, decimal *dec)
{
    char tmp[64];
    int p;

    for (p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p - 1, f);
        if (strtod(tmp, NULL) == f)
            break;
    }
    float_digits(f, p > 17 ? 17 : p, dec);
}

/* %f with a fixed precision, exactly as the C library rounds it (like Go). */
static int fmt_fixed(tmpl_buf *b, double f, int prec)
{
    size_t n;
    char *tmp;
    int rc;

    if (prec > MAX_FLOAT_DIGITS)
        prec = MAX_FLOAT_DIGITS;
    n = 320 + (size_t)prec;
    tmp = malloc(n);
    if (!tmp)
        return TMPL_BUF_NOMEM;
    snprintf(tmp, n, "%.*f", prec, f);
    rc = tmpl_buf_adds(b, tmp);
    free(tmp);
    return rc;
}

static int fmt_e(tmpl_buf *b, const decimal *d, int prec, char fmt)
{
    int rc = 0;
    int i;
    int exp;
    char ch = d->nd == 0 ? '0' : d->d[0];

    if (d->neg)
        rc = tmpl_buf_addc(b, '-');
    rc = rc ? rc : tmpl_buf_addc(b, ch);
    if (prec > 0) {
        rc = rc ? rc : tmpl_buf_addc(b, '.');
        for (i = 1; i <= prec && rc == 0; i++)
            rc = tmpl_buf_addc(b, i < d->nd ? d->d[i] : '0');
    }
    exp = d->nd == 0 ? 0 : d->dp - 1;
    rc = rc ? rc : tmpl_buf_addc(b, fmt);
    rc = rc ? rc : tmpl_buf_addc(b, exp < 0 ? '-' : '+');
    if (exp < 0)
        exp = -exp;
    return rc ? rc : tmpl_buf_addf(b, "%s%d", exp < 10 ? "0" : "", exp);
}

static int fmt_f(tmpl_buf *b, const decimal *d, int prec)
{
    int rc = 0;
    int i;

    if (d->neg)
        rc = tmpl_buf_addc(b, '-');
    if (d->dp > 0) {
        for (i = 0; i < d->dp && rc == 0; i++)
            rc = tmpl_buf_addc(b, i < d->nd ? d->d[i] : '0');
    } else {
        rc = rc ? rc : tmpl_buf_addc(b, '0');
    }
    if (prec > 0) {
        rc = rc ? rc : tmpl_buf_addc(b, '.');
        for (i = 0; i < prec && rc == 0; i++) {
            int j = d->dp + i;
            rc = tmpl_buf_addc(b, (j < 0 || j >= d->nd) ? '0' : d->d[j]);
        }
    }
    return rc;
}

int tmpl_fmt_float(tmpl_buf *b, double f, char fmt, int prec)
{
    decimal d;
    bool shortest = prec < 0;
    int eprec;
    int exp;

    if (isnan(f))
        return tmpl_buf_adds(b, "NaN");
    if (isinf(f))
        return tmpl_buf_adds(b, f > 0 ? "+Inf" : "-Inf");
    if (fmt == 'f' && !shortest)
        return fmt_fixed(b, f, prec);
    if (shortest) {
        float_shortest(f, &d);
    } else {
        int digits = (fmt == 'e' || fmt == 'E') ? prec + 1 : (prec == 0 ? 1 : prec);
        float_digits(f, digits, &d);
    }
    d.neg = signbit(f) != 0;
    switch (fmt) {
    case 'e':
    case 'E':
        return fmt_e(b, &d, shortest ? (d.nd > 0 ? d.nd - 1 : 0) : prec, fmt);
    case 'f':
        return fmt_f(b, &d, d.nd - d.dp > 0 ? d.nd - d.dp : 0);
    default:
        break;
    }
    if (shortest)
        prec = d.nd;
    else if (prec == 0)
        prec = 1;
    eprec = prec;
    if (eprec > d.nd && d.nd >= d.dp)
        eprec = d.nd;
    if (shortest)
        eprec = 6;
    exp = d.dp - 1;
    if (d.nd == 0)
        exp = 0;
    if (exp < -4 || exp >= eprec) {
        if (prec > d.nd)
            prec = d.nd;
        return fmt_e(b, &d, prec > 0 ? prec - 1 : 0, (char)(fmt + 'e' - 'g'));
    }
    if (prec > d.dp)
        prec = d.nd;
    return fmt_f(b, &d, prec - d.dp > 0 ? prec - d.dp : 0);
}

/* ---- the printer ----------------------------------------------------- */

static int print_value(tmpl_buf *b, const fmt_flags *f, tmpl_value v, int32_t verb,
                       int depth);

/* Go's badVerb: "%!d(string=x)"; the value is printed with the directive's flags. */
static int bad_verb(tmpl_buf *b, const fmt_flags *f, tmpl_value v, int32_t verb)
{
    char enc[4];
    int rc = tmpl_buf_adds(b, "%!");

    rc = rc ? rc : tmpl_buf_add(b, enc, tmpl_utf8_encode(verb, enc));
    rc = rc ? rc : tmpl_buf_addc(b, '(');
    if (v.kind == TV_INVALID || v.kind == TV_NIL) {
        rc = rc ? rc : tmpl_buf_adds(b, "<nil>");
    } else {
        rc = rc ? rc : tmpl_buf_adds(b, tv_type_name(v));
        rc = rc ? rc : tmpl_buf_addc(b, '=');
        rc = rc ? rc : print_value(b, f, v, 'v', 0);
    }
    return rc ? rc : tmpl_buf_addc(b, ')');
}

static int fmt_integer(tmpl_buf *b, const fmt_flags *f, uint64_t u, int base,
                       bool is_signed, int32_t verb, const char *digits)
{
    char buf[256];
    int i = (int)sizeof(buf);
    bool negative = is_signed && (int64_t)u < 0;
    int prec = 0;

    if (negative)
        u = 0 - u;
    if (f->prec_present) {
        prec = f->prec;
        if (prec == 0 && u == 0) {
            fmt_flags g = *f;
            g.zero = false;
            return write_padding(b, &g, f->wid);
        }
    } else if (f->zero && f->wid_present) {
        prec = f->wid;
        if (negative || f->plus || f->space)
            prec--;
    }
    if (prec > 200)
        prec = 200;
    do {
        buf[--i] = digits[u % (uint64_t)base];
        u /= (uint64_t)base;
    } while (u > 0);
    while (i > 4 && prec > (int)sizeof(buf) - i)
        buf[--i] = '0';
    if (f->sharp) {
        if (base == 2) {
            buf[--i] = 'b';
            buf[--i] = '0';
        } else if (base == 8 && buf[i] != '0') {
            buf[--i] = '0';
        } else if (base == 16) {
            buf[--i] = digits[16];
            buf[--i] = '0';
        }
    }
    if (verb == 'O') {
        buf[--i] = 'o';
        buf[--i] = '0';
    }
    if (negative)
        buf[--i] = '-';
    else if (f->plus)
        buf[--i] = '+';
    else if (f->space)
        buf[--i] = ' ';
    return pad_no_zero(b, f, buf + i, sizeof(buf) - (size_t)i);
}

static int fmt_unicode(tmpl_buf *b, const fmt_flags *f, uint64_t u)
{
    char tmp[64];
    int n;

    n = snprintf(tmp, sizeof(tmp), "U+%04llX", (unsigned long long)u);
    if (f->sharp && u <= 0x10FFFF && tmpl_rune_is_print((int32_t)u)) {
        char enc[4];
        size_t k = tmpl_utf8_encode((int32_t)u, enc);
        tmp[n++] = ' ';
        tmp[n++] = '\'';
        memcpy(tmp + n, enc, k);
        n += (int)k;
        tmp[n++] = '\'';
    }
    return pad_no_zero(b, f, tmp, (size_t)n);
}

static int fmt_int_verb(tmpl_buf *b, const fmt_flags *f, tmpl_value v, int32_t verb)
{
    uint64_t u = (uint64_t)v.u.i;
    bool sig = !(v.flags & TV_F_U8);
    tmpl_buf t;
    int rc;
    int32_t r;

    switch (verb) {
    case 'v':
        if (f->sharp_v && !sig) {
            fmt_flags g = *f;
            g.sharp = true;
            return fmt_integer(b, &g, u, 16, sig, verb, ldigits);
        }
        return fmt_integer(b, f, u, 10, sig, verb, ldigits);
    case 'd':
        return fmt_integer(b, f, u, 10, sig, verb, ldigits);
    case 'b':
        return fmt_integer(b, f, u, 2, sig, verb, ldigits);
    case 'o':
    case 'O':
        return fmt_integer(b, f, u, 8, sig, verb, ldigits);
    case 'x':
        return fmt_integer(b, f, u, 16, sig, verb, ldigits);
    case 'X':
        return fmt_integer(b, f, u, 16, sig, verb, udigits);
    case 'c':
    case 'q': {
        char enc[4];
        r = (u > 0x10FFFF) ? TMPL_RUNE_ERROR : (int32_t)u;
        if (verb == 'c')
            return pad(b, f, enc, tmpl_utf8_encode(r, enc));
        tmpl_buf_init(&t, 0);
        rc = quote_rune(&t, r, f->plus);
        rc = rc ? rc : pad(b, f, t.data, t.len);
        tmpl_buf_cleanup(&t);
        return rc;
    }
    case 'U':
        return fmt_unicode(b, f, u);
    default:
        return bad_verb(b, f, v, verb);
    }
}

/* The '#' flag on floats: keep the decimal point and the trailing zeros of %g
 * (Go's fmtFloat). t holds the sign-prefixed number. */
static int float_sharp(tmpl_buf *t, char fc, int prec)
{
    int digits = (fc == 'g' || fc == 'G') ? (prec == -1 ? 6 : prec) : 0;
    bool has_point = false;
    bool nonzero = false;
    char tail[16] = "";
    size_t i;
    size_t end = t->len;
    int rc = 0;

    if (t->data[1] == 'I' || t->data[1] == 'N' || t->data[2] == 'I' || t->data[2] == 'N')
        return 0;
    for (i = 1; i < t->len; i++) {
        char c = t->data[i];
        if (c == '.') {
            has_point = true;
        } else if (c == 'e' || c == 'E') {
            snprintf(tail, sizeof(tail), "%s", t->data + i);
            end = i;
            break;
        } else if (c >= '0' && c <= '9') {
            nonzero = nonzero || c != '0';
            if (nonzero)
                digits--;
        }
    }
    t->len = end;
    if (!has_point) {
        if (t->len == 2 && t->data[1] == '0')
            digits--;
        rc = tmpl_buf_addc(t, '.');
    }
    if (rc == 0 && digits > 0)
        rc = tmpl_buf_fill(t, '0', (size_t)digits);
    return rc ? rc : tmpl_buf_adds(t, tail);
}

/* The end of Go's fmtFloat: num (n bytes) starts with its sign, '+' when positive.
 * Writes it with the sign the flags ask for, zero padding after the sign, and Inf and
 * NaN never padded with zeros. */
static int pad_float(tmpl_buf *b, const fmt_flags *f, char *num, size_t n)
{
    int rc;

    if (f->space && num[0] == '+' && !f->plus)
        num[0] = ' ';
    if (num[1] == 'I' || num[1] == 'N') {
        if (num[1] == 'N' && !f->space && !f->plus)
            return pad_no_zero(b, f, num + 1, n - 1);
        return pad_no_zero(b, f, num, n);
    }
    if (!f->plus && num[0] == '+')
        return pad(b, f, num + 1, n - 1);
    if (f->zero && f->wid_present && f->wid > (int)n) {
        rc = tmpl_buf_addc(b, num[0]);
        rc = rc ? rc : write_padding(b, f, f->wid - (int)n);
        return rc ? rc : tmpl_buf_add(b, num + 1, n - 1);
    }
    return pad(b, f, num, n);
}

static int fmt_float_verb(tmpl_buf *b, const fmt_flags *f, double v, int32_t verb)
{
    tmpl_buf t;
    char fc;
    int prec;
    int rc;
    char *num;

    switch (verb) {
    case 'v':
        fc = 'g';
        prec = -1;
        break;
    case 'g':
    case 'G':
        fc = (char)verb;
        prec = -1;
        break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
        fc = verb == 'F' ? 'f' : (char)verb;
        prec = 6;
        break;
    default:
        return bad_verb(b, f, tv_float(v), verb);
    }
    if (f->prec_present)
        prec = f->prec;
    tmpl_buf_init(&t, 0);
    rc = tmpl_buf_addc(&t, '+'); /* the sign of a positive number */
    rc = rc ? rc : tmpl_fmt_float(&t, v, fc, prec);
    if (rc == 0 && f->sharp)
        rc = float_sharp(&t, fc, prec);
    if (rc == 0) {
        num = t.data[1] == '-' || t.data[1] == '+' ? t.data + 1 : t.data;
        rc = pad_float(b, f, num, t.len - (size_t)(num - t.data));
    }
    tmpl_buf_cleanup(&t);
    return rc;
}

/* Truncates s to the precision in runes. */
static size_t trunc_runes(const fmt_flags *f, const char *s, size_t n)
{
    size_t i = 0;
    int runes = 0;
    int32_t r;

    if (!f->prec_present)
        return n;
    while (i < n && runes < f->prec) {
        i += tmpl_utf8_decode(s + i, n - i, &r);
        runes++;
    }
    return i;
}

static int fmt_hex_bytes(tmpl_buf *b, const fmt_flags *f, const char *s, size_t n,
                         const char *digits)
{
    size_t length = n;
    int width;
    size_t i;
    int rc = 0;

    if (f->prec_present && (size_t)f->prec < length)
        length = (size_t)f->prec;
    width = 2 * (int)length;
    if (width > 0) {
        if (f->space) {
            if (f->sharp)
                width *= 2;
            width += (int)length - 1;
        } else if (f->sharp) {
            width += 2;
        }
    } else {
        return f->wid_present ? write_padding(b, f, f->wid) : 0;
    }
    if (f->wid_present && f->wid > width && !f->minus)
        rc = write_padding(b, f, f->wid - width);
    if (rc == 0 && f->sharp) {
        rc = tmpl_buf_addc(b, '0');
        rc = rc ? rc : tmpl_buf_addc(b, digits[16]);
    }
    for (i = 0; i < length && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if (f->space && i > 0) {
            rc = tmpl_buf_addc(b, ' ');
            if (rc == 0 && f->sharp) {
                rc = tmpl_buf_addc(b, '0');
                rc = rc ? rc : tmpl_buf_addc(b, digits[16]);
            }
        }
        rc = rc ? rc : tmpl_buf_addc(b, digits[c >> 4]);
        rc = rc ? rc : tmpl_buf_addc(b, digits[c & 15]);
    }
    if (rc == 0 && f->wid_present && f->wid > width && f->minus) {
        fmt_flags g = *f;
        g.zero = false;
        rc = write_padding(b, &g, f->wid - width);
    }
    return rc;
}

static int can_backquote(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '`' || c == 0x7f || (c < ' ' && c != '\t'))
            return 0;
    }
    return 1;
}

static int fmt_string_verb(tmpl_buf *b, const fmt_flags *f, tmpl_value v, int32_t verb)
{
    const char *s = v.u.s.p;
    size_t n = v.u.s.n;
    tmpl_buf t;
    int rc;

    switch (verb) {
    case 'v':
        if (f->sharp_v)
            goto quote;
        /* fall through */
    case 's':
        return pad(b, f, s, trunc_runes(f, s, n));
    case 'x':
        return fmt_hex_bytes(b, f, s, n, ldigits);
    case 'X':
        return fmt_hex_bytes(b, f, s, n, udigits);
    case 'q':
    quote:
        n = trunc_runes(f, s, n);
        tmpl_buf_init(&t, 0);
        if (f->sharp && can_backquote(s, n)) {
            rc = tmpl_buf_addc(&t, '`');
            rc = rc ? rc : tmpl_buf_add(&t, s, n);
            rc = rc ? rc : tmpl_buf_addc(&t, '`');
        } else {
            rc = tmpl_go_quote(&t, s, n, f->plus);
        }
        rc = rc ? rc : pad(b, f, t.data, t.len);
        tmpl_buf_cleanup(&t);
        return rc;
    default:
        return bad_verb(b, f, v, verb);
    }
}

static int fmt_bool_verb(tmpl_buf *b, const fmt_flags *f, tmpl_value v, int32_t verb)
{
    if (verb == 't' || verb == 'v')
        return pad(b, f, v.u.b ? "true" : "false", v.u.b ? 4 : 5);
    return bad_verb(b, f, v, verb);
}

static int print_list(tmpl_buf *b, const fmt_flags *f, tmpl_value v, int32_t verb,
                      int depth)
{
    tv_list *l = tv_as_list(v);
    size_t i;
    int rc = 0;

    if (f->sharp_v && l->is_nil) {
        rc = tmpl_buf_adds(b, tv_type_name(v));
        return rc ? rc : tmpl_buf_adds(b, "(nil)");
    }
    if (f->sharp_v) {
        rc = tmpl_buf_adds(b, tv_type_name(v));
        rc = rc ? rc : tmpl_buf_addc(b, '{');
    } else {
        rc = tmpl_buf_addc(b, '[');
    }
    for (i = 0; i < l->len && rc == 0; i++) {
        if (i > 0)
            rc = tmpl_buf_adds(b, f->sharp_v ? ", " : " ");
        rc = rc ? rc : print_value(b, f, l->items[i], verb, depth + 1);
    }
    return rc ? rc : tmpl_buf_addc(b, f->sharp_v ? '}' : ']');
}

static int print_map(tmpl_buf *b, const fmt_flags *f, tmpl_value v, int32_t verb,
                     int depth)
{
    tv_map *m = tv_as_map(v);
    size_t i;
    int rc;

    if (f->sharp_v && m->is_nil)
        return tmpl_buf_adds(b, "map[string]interface {}(nil)");
    rc = tmpl_buf_adds(b, f->sharp_v ? "map[string]interface {}{" : "map[");

    for (i = 0; i < m->len && rc == 0; i++) {
        if (i > 0)
            rc = tmpl_buf_adds(b, f->sharp_v ? ", " : " ");
        rc = rc ? rc : print_value(b, f, m->items[i].key, verb, depth + 1);
        rc = rc ? rc : tmpl_buf_addc(b, ':');
        rc = rc ? rc : print_value(b, f, m->items[i].val, verb, depth + 1);
    }
    return rc ? rc : tmpl_buf_addc(b, f->sharp_v ? '}' : ']');
}

static int print_kv(tmpl_buf *b, const fmt_flags *f, tmpl_value v, int32_t verb,
                    int depth)
{
    const tmpl_kv *kv = v.u.kv;
    bool names = f->plus_v || f->sharp_v;
    int rc = f->sharp_v ? tmpl_buf_adds(b, "memkv.KVPair{") : tmpl_buf_addc(b, '{');

    if (rc == 0 && names)
        rc = tmpl_buf_adds(b, "Key:");
    rc =
        rc ? rc : print_value(b, f, tv_str_borrow(kv->key, kv->key_len), verb, depth + 1);
    rc = rc ? rc : tmpl_buf_adds(b, f->sharp_v ? ", " : " ");
    if (rc == 0 && names)
        rc = tmpl_buf_adds(b, "Value:");
    rc = rc ? rc
            : print_value(b, f, tv_str_borrow(kv->value, kv->value_len), verb, depth + 1);
    return rc ? rc : tmpl_buf_addc(b, '}');
}

/* A *net.SRV as fmt prints it at the top: &{Target Port Priority Weight}. Go prints a
 * nested one as its address, which no output can match; this prints it the same. */
static int print_srv(tmpl_buf *b, const fmt_flags *f, tmpl_value v, int32_t verb,
                     int depth)
{
    tv_srv *s = (tv_srv *)v.ref;
    int rc = tmpl_buf_adds(b, "&{");

    rc = rc ? rc : print_value(b, f, s->target, verb, depth + 1);
    rc = rc ? rc : tmpl_buf_addc(b, ' ');
    rc = rc ? rc : print_value(b, f, tv_int(s->port), verb, depth + 1);
    rc = rc ? rc : tmpl_buf_addc(b, ' ');
    rc = rc ? rc : print_value(b, f, tv_int(s->priority), verb, depth + 1);
    rc = rc ? rc : tmpl_buf_addc(b, ' ');
    rc = rc ? rc : print_value(b, f, tv_int(s->weight), verb, depth + 1);
    return rc ? rc : tmpl_buf_addc(b, '}');
}

static int print_time(tmpl_buf *b, const fmt_flags *f, tmpl_value v, int32_t verb)
{
    tmpl_buf t;
    int rc;

    if (verb != 'v' && verb != 's')
        return bad_verb(b, f, v, verb);
    tmpl_buf_init(&t, 0);
    if (verb == 'v' && f->sharp_v)
        rc = tmpl_time_gostring(&t, &((tv_timeobj *)v.ref)->t);
    else
        rc = tmpl_time_string(&t, &((tv_timeobj *)v.ref)->t);
    rc = rc ? rc : tmpl_buf_add(&t, "", 0);
    rc = rc ? rc : pad(b, f, t.data, t.len);
    tmpl_buf_cleanup(&t);
    return rc;
}

static int print_value(tmpl_buf *b, const fmt_flags *f, tmpl_value v, int32_t verb,
                       int depth)
{
    if (verb == 'T')
        return pad(b, f, tv_type_name(v), strlen(tv_type_name(v)));
    switch (v.kind) {
    case TV_INVALID:
        if (depth == 0)
            return pad(b, f, "<invalid reflect.Value>", 23);
        /* fall through */
    case TV_NIL:
        if (depth > 0 && f->sharp_v)
            return tmpl_buf_adds(b, "interface {}(nil)");
        if (depth > 0 || verb == 'v')
            return pad(b, f, "<nil>", 5);
        return bad_verb(b, f, v, verb);
    case TV_BOOL:
        return fmt_bool_verb(b, f, v, verb);
    case TV_INT:
        return fmt_int_verb(b, f, v, verb);
    case TV_FLOAT:
        return fmt_float_verb(b, f, v.u.f, verb);
    case TV_STRING:
        return fmt_string_verb(b, f, v, verb);
    case TV_LIST:
        return print_list(b, f, v, verb, depth);
    case TV_MAP:
        return print_map(b, f, v, verb, depth);
    case TV_KV:
        return print_kv(b, f, v, verb, depth);
    case TV_SRV:
        return print_srv(b, f, v, verb, depth);
    case TV_TIME:
        return print_time(b, f, v, verb);
    default:
        return 0;
    }
}

int tmpl_fmt_value(tmpl_buf *b, tmpl_value v)
{
    fmt_flags f;

    memset(&f, 0, sizeof(f));
    if (v.kind == TV_INVALID)
        return tmpl_buf_adds(b, "<no value>");
    if (v.kind == TV_SRV) { /* text/template prints what a pointer points to */
        tmpl_buf t;
        int rc;
        tmpl_buf_init(&t, 0);
        rc = print_value(&t, &f, v, 'v', 0);
        rc = rc ? rc : tmpl_buf_add(b, t.data + 1, t.len - 1);
        tmpl_buf_cleanup(&t);
        return rc;
    }
    return print_value(b, &f, v, 'v', 0);
}

static int print_arg(tmpl_buf *b, const fmt_flags *f, tmpl_value v, int32_t verb)
{
    if (v.kind == TV_INVALID)
        v = tv_nil();
    if (v.kind == TV_NIL) {
        if (verb == 'v' || verb == 'T')
            return pad(b, f, "<nil>", 5);
        return bad_verb(b, f, v, verb);
    }
    return print_value(b, f, v, verb, 0);
}

int tmpl_fmt_sprint(tmpl_buf *b, const tmpl_value *args, size_t n)
{
    fmt_flags f;
    size_t i;
    bool prev_string = false;
    int rc = 0;

    memset(&f, 0, sizeof(f));
    for (i = 0; i < n && rc == 0; i++) {
        bool is_string = args[i].kind == TV_STRING;
        if (i > 0 && !is_string && !prev_string)
            rc = tmpl_buf_addc(b, ' ');
        rc = rc ? rc : print_arg(b, &f, args[i], 'v');
        prev_string = is_string;
    }
    return rc;
}

int tmpl_fmt_sprintln(tmpl_buf *b, const tmpl_value *args, size_t n)
{
    fmt_flags f;
    size_t i;
    int rc = 0;

    memset(&f, 0, sizeof(f));
    for (i = 0; i < n && rc == 0; i++) {
        if (i > 0)
            rc = tmpl_buf_addc(b, ' ');
        rc = rc ? rc : print_arg(b, &f, args[i], 'v');
    }
    return rc ? rc : tmpl_buf_addc(b, '\n');
}

/* Go's parsenum: digits at *i (at most 1e6). */
static int parse_num(const char *s, size_t end, size_t *i, int *num)
{
    int n = 0;
    int ok = 0;

    while (*i < end && s[*i] >= '0' && s[*i] <= '9') {
        if (n > 1000000) {
            *num = 0;
            return 0;
        }
        n = n * 10 + (s[*i] - '0');
        (*i)++;
        ok = 1;
    }
    *num = n;
    return ok;
}

/* The state of one Sprintf (Go's pp). */
typedef struct printf_state {
    const char *s;
    size_t end;
    size_t i;
    const tmpl_value *args;
    size_t nargs;
    size_t argnum;
    bool reordered;
    bool good_argnum;
} printf_state;

/* Go's intFromArg: a '*' width or precision. */
static bool int_from_arg(printf_state *ps, int *out)
{
    tmpl_value v;

    *out = 0;
    if (ps->argnum >= ps->nargs)
        return false;
    v = ps->args[ps->argnum++];
    if (v.kind != TV_INT || v.u.i > 1000000 || v.u.i < -1000000)
        return false;
    *out = (int)v.u.i;
    return true;
}

/* Go's argNumber: an explicit "[n]" argument index at ps->i. */
static bool arg_number(printf_state *ps)
{
    size_t k;

    if (ps->i >= ps->end || ps->s[ps->i] != '[')
        return false;
    ps->reordered = true;
    if (ps->end - ps->i < 3) {
        ps->i++;
        ps->good_argnum = false;
        return false;
    }
    for (k = ps->i + 1; k < ps->end; k++) {
        if (ps->s[k] == ']') {
            size_t j = ps->i + 1;
            int index;
            bool ok = parse_num(ps->s, k, &j, &index) && j == k;
            ps->i = k + 1;
            if (ok && index >= 1 && (size_t)index <= ps->nargs) {
                ps->argnum = (size_t)index - 1;
                return true;
            }
            ps->good_argnum = false;
            return ok;
        }
    }
    ps->i++;
    ps->good_argnum = false;
    return false;
}

static void parse_flags(printf_state *ps, fmt_flags *f)
{
    for (; ps->i < ps->end; ps->i++) {
        char c = ps->s[ps->i];
        if (c == '#')
            f->sharp = true;
        else if (c == '0')
            f->zero = !f->minus;
        else if (c == '+')
            f->plus = true;
        else if (c == '-') {
            f->minus = true;
            f->zero = false;
        } else if (c == ' ')
            f->space = true;
        else
            return;
    }
}

/* Width, precision and argument indexes after the flags (Go's doPrintf). */
static int parse_width_prec(tmpl_buf *b, printf_state *ps, fmt_flags *f)
{
    bool after_index = arg_number(ps);
    int rc = 0;

    if (ps->i < ps->end && ps->s[ps->i] == '*') {
        ps->i++;
        f->wid_present = int_from_arg(ps, &f->wid);
        if (!f->wid_present)
            rc = tmpl_buf_adds(b, "%!(BADWIDTH)");
        if (f->wid < 0) {
            f->wid = -f->wid;
            f->minus = true;
            f->zero = false;
        }
        after_index = false;
    } else {
        f->wid_present = parse_num(ps->s, ps->end, &ps->i, &f->wid);
        if (after_index && f->wid_present)
            ps->good_argnum = false;
    }
    if (rc == 0 && ps->i + 1 < ps->end && ps->s[ps->i] == '.') {
        ps->i++;
        if (after_index)
            ps->good_argnum = false;
        after_index = arg_number(ps);
        if (ps->i < ps->end && ps->s[ps->i] == '*') {
            ps->i++;
            f->prec_present = int_from_arg(ps, &f->prec);
            if (f->prec < 0) {
                f->prec = 0;
                f->prec_present = false;
            }
            if (!f->prec_present)
                rc = tmpl_buf_adds(b, "%!(BADPREC)");
            after_index = false;
        } else {
            f->prec_present = parse_num(ps->s, ps->end, &ps->i, &f->prec);
            if (!f->prec_present) {
                f->prec = 0;
                f->prec_present = true;
            }
        }
    }
    if (!after_index)
        arg_number(ps);
    return rc;
}

static int verb_error(tmpl_buf *b, int32_t verb, const char *what)
{
    char enc[4];
    int rc = tmpl_buf_adds(b, "%!");

    rc = rc ? rc : tmpl_buf_add(b, enc, tmpl_utf8_encode(verb, enc));
    return rc ? rc : tmpl_buf_adds(b, what);
}

/* One directive after its '%'. */
static int printf_directive(tmpl_buf *b, printf_state *ps)
{
    fmt_flags f;
    int32_t verb;
    int rc;

    memset(&f, 0, sizeof(f));
    ps->good_argnum = true;
    parse_flags(ps, &f);
    rc = parse_width_prec(b, ps, &f);
    if (rc)
        return rc;
    if (ps->i >= ps->end)
        return tmpl_buf_adds(b, "%!(NOVERB)");
    ps->i += tmpl_utf8_decode(ps->s + ps->i, ps->end - ps->i, &verb);
    if (verb == '%')
        return tmpl_buf_addc(b, '%');
    if (!ps->good_argnum)
        return verb_error(b, verb, "(BADINDEX)");
    if (ps->argnum >= ps->nargs)
        return verb_error(b, verb, "(MISSING)");
    if (verb == 'v') {
        f.sharp_v = f.sharp;
        f.sharp = false;
        f.plus_v = f.plus;
        f.plus = false;
    }
    return print_arg(b, &f, ps->args[ps->argnum++], verb);
}

static int extra_args(tmpl_buf *b, const tmpl_value *args, size_t from, size_t n)
{
    fmt_flags f;
    size_t i;
    int rc = tmpl_buf_adds(b, "%!(EXTRA ");

    memset(&f, 0, sizeof(f));
    for (i = from; i < n && rc == 0; i++) {
        if (i > from)
            rc = tmpl_buf_adds(b, ", ");
        if (args[i].kind == TV_NIL || args[i].kind == TV_INVALID) {
            rc = rc ? rc : tmpl_buf_adds(b, "<nil>");
        } else {
            rc = rc ? rc : tmpl_buf_adds(b, tv_type_name(args[i]));
            rc = rc ? rc : tmpl_buf_addc(b, '=');
            rc = rc ? rc : print_arg(b, &f, args[i], 'v');
        }
    }
    return rc ? rc : tmpl_buf_addc(b, ')');
}

int tmpl_fmt_sprintf(tmpl_buf *b, const char *s, size_t end, const tmpl_value *args,
                     size_t n)
{
    printf_state ps;
    int rc = 0;

    memset(&ps, 0, sizeof(ps));
    ps.s = s;
    ps.end = end;
    ps.args = args;
    ps.nargs = n;
    while (ps.i < end && rc == 0) {
        size_t lasti = ps.i;
        while (ps.i < end && s[ps.i] != '%')
            ps.i++;
        if (ps.i > lasti)
            rc = tmpl_buf_add(b, s + lasti, ps.i - lasti);
        if (rc || ps.i >= end)
            break;
        ps.i++;
        rc = printf_directive(b, &ps);
    }
    if (rc == 0 && !ps.reordered && ps.argnum < n)
        rc = extra_args(b, args, ps.argnum, n);
    return rc;
}
