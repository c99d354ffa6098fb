/*
 * toml.c: a strict reader for the TOML subset of confd's resource files.
 *
 * One pass over the text; every error names path:line:column (columns count UTF-8
 * characters from 1). What TOML allows but confd's files never use (floats, dates,
 * inline tables, arrays of tables, dotted keys, arrays of anything but strings) is
 * refused with a message saying so, never misread.
 */
#include "toml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOML_MAX_TEXT (16u * 1024 * 1024)
#define TOML_MAX_VALUES 10000
#define TOML_MAX_TABLES 1000
#define TOML_MAX_ARRAY 10000

struct ew_toml {
    ew_toml_value *vals;
    size_t nvals;
    size_t cap;
    char **tables; /* names of the tables defined with [name], owned */
    size_t ntables;
    size_t tcap;
};

typedef struct parser {
    const char *path;
    const char *s;
    size_t len;
    size_t pos;
    char *err;
    ew_toml *doc;
    const char *table; /* current table: "" or a name owned by doc->tables */
    size_t line_pos;   /* line_no is the line of byte line_pos */
    unsigned line_no;
} parser;

typedef struct sbuf {
    char *d;
    size_t len;
    size_t cap;
} sbuf;

/* ---------------------------------------------------------------------------------- */
/* Small helpers                                                                       */

static int sb_add(sbuf *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 32;
        char *q;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        q = realloc(b->d, ncap);
        if (!q)
            return -1;
        b->d = q;
        b->cap = ncap;
    }
    memcpy(b->d + b->len, p, n);
    b->len += n;
    b->d[b->len] = '\0';
    return 0;
}

static int sb_addc(sbuf *b, char c)
{
    return sb_add(b, &c, 1);
}

static char *str_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* The 1-based line and column (in characters) of byte `pos`. */
static void locate(const parser *p, size_t pos, unsigned *line, unsigned *col)
{
    size_t i;
    unsigned l = 1;
    unsigned c = 1;

    for (i = 0; i < pos && i < p->len; i++) {
        unsigned char ch = (unsigned char)p->s[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Record the first error, at byte `pos`. Always returns -1. */
static int fail_at(parser *p, size_t pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail_at(parser *p, size_t pos, const char *fmt, ...)
{
    char msg[512];
    unsigned line, col;
    size_t n;
    va_list ap;

    if (p->err)
        return -1;
    locate(p, pos, &line, &col);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    n = strlen(p->path) + strlen(msg) + 64;
    p->err = malloc(n);
    if (p->err)
        snprintf(p->err, n, "%s:%u:%u: %s", p->path, line, col, msg);
    return -1;
}

static int fail_nomem(parser *p)
{
    return fail_at(p, p->pos, "out of memory");
}

static unsigned line_of(parser *p, size_t pos)
{
    size_t i;

    if (pos < p->line_pos) {
        p->line_pos = 0;
        p->line_no = 1;
    }
    for (i = p->line_pos; i < pos; i++) {
        if (p->s[i] == '\n')
            p->line_no++;
    }
    p->line_pos = pos;
    return p->line_no;
}

static int at_end(const parser *p)
{
    return p->pos >= p->len;
}

static int peek(const parser *p, size_t ahead)
{
    return p->pos + ahead < p->len ? (unsigned char)p->s[p->pos + ahead] : -1;
}

/* A control character TOML forbids in strings and comments (tab is allowed). */
static int is_control(int c)
{
    return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7F;
}

/* A character for a message: "'x'" when printable ASCII, else what kind it is. */
static const char *char_desc(int c, char buf[8])
{
    if (c < 0)
        return "the end of the file";
    if (c > 0x20 && c < 0x7F) {
        snprintf(buf, 8, "'%c'", c);
        return buf;
    }
    if (c == ' ' || c == '\t')
        return "a space";
    if (c == '\n' || c == '\r')
        return "the end of the line";
    return c < 0x80 ? "a control character" : "a non-ASCII character";
}

static int is_bare_key_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* The length of the valid UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned long cp;
    size_t len, i;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        cp = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        cp = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static int check_encoding(parser *p)
{
    const unsigned char *s = (const unsigned char *)p->s;
    size_t i = 0;

    while (i < p->len) {
        size_t n = 0;
        if (s[i] == 0)
            return fail_at(p, i, "NUL byte in the file");
        if (s[i] == '\r' && (i + 1 >= p->len || s[i + 1] != '\n'))
            return fail_at(p, i, "carriage return without a line feed");
        n = utf8_len(s + i, p->len - i);
        if (n == 0)
            return fail_at(p, i, "invalid UTF-8");
        i += n;
    }
    return 0;
}

static void skip_ws(parser *p)
{
    while (!at_end(p) && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
        p->pos++;
}

/* Consume a newline ("\n" or "\r\n"); 1 when there was one. */
static int eat_newline(parser *p)
{
    if (peek(p, 0) == '\n') {
        p->pos++;
        return 1;
    }
    if (peek(p, 0) == '\r' && peek(p, 1) == '\n') {
        p->pos += 2;
        return 1;
    }
    return 0;
}

static int skip_comment(parser *p)
{
    if (peek(p, 0) != '#')
        return 0;
    while (!at_end(p) && p->s[p->pos] != '\n' && p->s[p->pos] != '\r') {
        if (is_control((unsigned char)p->s[p->pos]))
            return fail_at(p, p->pos, "control character in a comment");
        p->pos++;
    }
    return 0;
}

/* After a value or a table header: spaces, an optional comment, then the line ends. */
static int expect_eol(parser *p, const char *after)
{
    char cb[8];
    skip_ws(p);
    if (skip_comment(p) < 0)
        return -1;
    if (at_end(p) || eat_newline(p))
        return 0;
    return fail_at(p, p->pos, "unexpected %s after %s (expected the end of the line)",
                   char_desc(peek(p, 0), cb), after);
}

/* ---------------------------------------------------------------------------------- */
/* Strings                                                                             */

static int put_codepoint(sbuf *b, unsigned long cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return sb_add(b, u, n);
}

/* An escape sequence; p->pos is at the backslash. */
static int parse_escape(parser *p, sbuf *b)
{
    size_t start = p->pos;
    int c = peek(p, 1);
    size_t digits = 0;
    unsigned long cp = 0;
    size_t i;
    char out;

    switch (c) {
    case 'b':
        out = '\b';
        break;
    case 't':
        out = '\t';
        break;
    case 'n':
        out = '\n';
        break;
    case 'f':
        out = '\f';
        break;
    case 'r':
        out = '\r';
        break;
    case '"':
        out = '"';
        break;
    case '\\':
        out = '\\';
        break;
    case 'u':
        digits = 4;
        break;
    case 'U':
        digits = 8;
        break;
    default:
        return fail_at(p, start, "invalid escape sequence in a string");
    }
    if (digits == 0) {
        p->pos += 2;
        return sb_addc(b, out) < 0 ? fail_nomem(p) : 0;
    }
    for (i = 0; i < digits; i++) {
        int h = peek(p, 2 + i);
        int v;
        if (h >= '0' && h <= '9')
            v = h - '0';
        else if (h >= 'a' && h <= 'f')
            v = h - 'a' + 10;
        else if (h >= 'A' && h <= 'F')
            v = h - 'A' + 10;
        else
            return fail_at(p, start, "\\%c needs %zu hex digits", c, digits);
        cp = cp * 16 + (unsigned long)v;
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return fail_at(p, start, "escape is not a Unicode scalar value");
    if (cp == 0)
        return fail_at(p, start, "NUL characters are not supported in strings");
    p->pos += 2 + digits;
    return put_codepoint(b, cp) < 0 ? fail_nomem(p) : 0;
}

/* Count the quote characters q at p->pos. */
static size_t quote_run(const parser *p, char q)
{
    size_t n = 0;

    while (p->pos + n < p->len && p->s[p->pos + n] == q)
        n++;
    return n;
}

/* A string in any of TOML's four forms; p->pos is at the opening quote. On success *out
 * is new. `multiline_ok` is 0 for keys. */
static int parse_string(parser *p, char **out, int multiline_ok)
{
    size_t start = p->pos;
    char q = p->s[p->pos];
    int basic = q == '"';
    int multi = quote_run(p, q) >= 3;
    sbuf b = {NULL, 0, 0};

    *out = NULL;
    if (multi && !multiline_ok)
        return fail_at(p, start, "a key cannot be a multi-line string");
    if (multi) {
        p->pos += 3;
        eat_newline(p); /* a newline right after the opening quotes is trimmed */
    } else {
        p->pos += 1;
    }
    if (sb_add(&b, "", 0) < 0)
        return fail_nomem(p);

    for (;;) {
        int c = peek(p, 0);

        if (c < 0) {
            free(b.d);
            return fail_at(p, start, "string is not closed");
        }
        if (c == (unsigned char)q) {
            size_t run = multi ? quote_run(p, q) : 1;
            if (!multi) {
                p->pos++;
                break;
            }
            if (run >= 3) {
                if (run > 5) {
                    free(b.d);
                    return fail_at(p, p->pos + 5,
                                   "too many quotes at the end of a string");
                }
                if (sb_add(&b, p->s + p->pos, run - 3) < 0)
                    goto nomem;
                p->pos += run;
                break;
            }
            if (sb_add(&b, p->s + p->pos, run) < 0)
                goto nomem;
            p->pos += run;
            continue;
        }
        if (c == '\n' || c == '\r') {
            if (!multi) {
                free(b.d);
                return fail_at(p, p->pos, "newline in a single-line string");
            }
            eat_newline(p);
            if (sb_addc(&b, '\n') < 0)
                goto nomem;
            continue;
        }
        if (c == '\\' && basic) {
            size_t k = p->pos + 1;
            if (multi) {
                /* A backslash ending a line trims the whitespace that follows. */
                while (k < p->len && (p->s[k] == ' ' || p->s[k] == '\t'))
                    k++;
                if (k < p->len && (p->s[k] == '\n' || p->s[k] == '\r')) {
                    p->pos = k;
                    for (;;) {
                        skip_ws(p);
                        if (!eat_newline(p))
                            break;
                    }
                    continue;
                }
            }
            if (parse_escape(p, &b) < 0) {
                free(b.d);
                return -1;
            }
            continue;
        }
        if (is_control(c)) {
            free(b.d);
            return fail_at(p, p->pos, "control character in a string (escape it)");
        }
        if (sb_addc(&b, (char)c) < 0)
            goto nomem;
        p->pos++;
    }
    *out = b.d;
    return 0;
nomem:
    free(b.d);
    return fail_nomem(p);
}

/* ---------------------------------------------------------------------------------- */
/* Keys, numbers, arrays                                                               */

static int parse_key(parser *p, char **out)
{
    char cb[8];
    size_t start = p->pos;
    int c = peek(p, 0);

    *out = NULL;
    if (c == '"' || c == '\'')
        return parse_string(p, out, 0);
    while (!at_end(p) && is_bare_key_char((unsigned char)p->s[p->pos]))
        p->pos++;
    if (p->pos == start) {
        if (c < 0)
            return fail_at(p, start, "expected a key, found the end of the file");
        return fail_at(p, start, "expected a key, found %s", char_desc(c, cb));
    }
    *out = malloc(p->pos - start + 1);
    if (!*out)
        return fail_nomem(p);
    memcpy(*out, p->s + start, p->pos - start);
    (*out)[p->pos - start] = '\0';
    return 0;
}

static int digit_value(int c, int base)
{
    int v;

    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    else
        return -1;
    return v < base ? v : -1;
}

static int all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return 1;
}

/* An integer, or a clear refusal of what looks like a float or a date. */
static int parse_number(parser *p, int64_t *out)
{
    char cb[8];
    size_t start = p->pos;
    const char *t = p->s + start;
    size_t n = 0;
    size_t i = 0;
    int neg = 0;
    int base = 10;
    uint64_t v = 0;
    uint64_t limit;
    int prev_digit = 0;
    size_t ndigits = 0;

    while (start + n < p->len) {
        char c = t[n];
        if (!(is_bare_key_char((unsigned char)c) || c == '+' || c == '.' || c == ':'))
            break;
        n++;
    }
    if (n == 0) {
        int c = peek(p, 0);
        if (c == '{')
            return fail_at(p, start, "inline tables are not supported");
        if (c < 0 || c == '\n' || c == '\r' || c == '#')
            return fail_at(p, start, "expected a value");
        return fail_at(p, start, "expected a value, found %s", char_desc(c, cb));
    }
    if ((n >= 5 && all_digits(t, 4) && t[4] == '-') ||
        (n >= 3 && all_digits(t, 2) && t[2] == ':'))
        return fail_at(p, start, "dates and times are not supported");
    if (t[0] == '+' || t[0] == '-') {
        neg = t[0] == '-';
        i = 1;
    }
    if (i >= n || ((t[i] < '0' || t[i] > '9') && t[i] != '_')) {
        if (n - i == 3 && (memcmp(t + i, "inf", 3) == 0 || memcmp(t + i, "nan", 3) == 0))
            return fail_at(p, start,
                           "floats are not supported (write an integer or a string)");
        return fail_at(p, start, "expected a value (strings need quotes)");
    }
    if (n - i >= 2 && t[i] == '0' &&
        (t[i + 1] == 'x' || t[i + 1] == 'o' || t[i + 1] == 'b')) {
        if (i == 1)
            return fail_at(p, start, "a sign is not allowed before 0x, 0o or 0b");
        base = t[i + 1] == 'x' ? 16 : t[i + 1] == 'o' ? 8 : 2;
        i += 2;
    } else if (memchr(t, '.', n) || memchr(t + i, 'e', n - i) ||
               memchr(t + i, 'E', n - i)) {
        return fail_at(p, start,
                       "floats are not supported (write an integer or a string)");
    }
    if (base == 10 && n - i > 1 && t[i] == '0')
        return fail_at(p, start, "leading zeros are not allowed in a decimal integer");
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        int d;
        if (t[i] == '_') {
            if (!prev_digit || i + 1 >= n || digit_value(t[i + 1], base) < 0)
                return fail_at(p, start + i, "'_' must stand between two digits");
            prev_digit = 0;
            continue;
        }
        d = digit_value(t[i], base);
        if (d < 0)
            return fail_at(p, start + i, "invalid character %s in an integer",
                           char_desc((unsigned char)t[i], cb));
        if (v > (limit - (uint64_t)d) / (uint64_t)base)
            return fail_at(p, start, "integer does not fit in 64 bits");
        v = v * (uint64_t)base + (uint64_t)d;
        prev_digit = 1;
        ndigits++;
    }
    if (ndigits == 0)
        return fail_at(p, start, "integer has no digits");
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    p->pos += n;
    return 0;
}

/* Whitespace, newlines and comments between array elements. */
static int skip_array_space(parser *p)
{
    for (;;) {
        skip_ws(p);
        if (skip_comment(p) < 0)
            return -1;
        if (!eat_newline(p))
            return 0;
    }
}

static void free_strings(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int parse_array(parser *p, char ***out, size_t *count)
{
    char cb[8];
    size_t start = p->pos;
    char **v = NULL;
    size_t n = 0;
    size_t cap = 0;

    p->pos++;
    for (;;) {
        int c;
        char *s;

        if (skip_array_space(p) < 0)
            goto fail;
        c = peek(p, 0);
        if (c < 0) {
            fail_at(p, start, "array is not closed");
            goto fail;
        }
        if (c == ']') {
            p->pos++;
            break;
        }
        if (c != '"' && c != '\'') {
            if (c == ',')
                fail_at(p, p->pos, "unexpected ',' in an array");
            else
                fail_at(p, p->pos, "arrays may only hold strings here");
            goto fail;
        }
        if (n == TOML_MAX_ARRAY) {
            fail_at(p, p->pos, "more than %d elements in an array", TOML_MAX_ARRAY);
            goto fail;
        }
        if (parse_string(p, &s, 1) < 0)
            goto fail;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            char **nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                free(s);
                fail_nomem(p);
                goto fail;
            }
            v = nv;
            cap = ncap;
        }
        v[n++] = s;
        if (skip_array_space(p) < 0)
            goto fail;
        c = peek(p, 0);
        if (c == ',') {
            p->pos++;
            continue;
        }
        if (c == ']') {
            p->pos++;
            break;
        }
        if (c < 0)
            fail_at(p, start, "array is not closed");
        else
            fail_at(p, p->pos, "expected ',' or ']' in an array, found %s",
                    char_desc(c, cb));
        goto fail;
    }
    if (!v) {
        v = malloc(sizeof *v);
        if (!v)
            return fail_nomem(p);
    }
    *out = v;
    *count = n;
    return 0;
fail:
    free_strings(v, n);
    return -1;
}

/* ---------------------------------------------------------------------------------- */
/* Tables and values                                                                   */

/* Whether `name` is `full`, or a table above it ("a" above "a.b"). */
static int is_prefix_path(const char *name, const char *full)
{
    size_t n = strlen(name);

    return strncmp(name, full, n) == 0 && (full[n] == '\0' || full[n] == '.');
}

/* table.key as one dotted name, into buf; 0 when it does not fit. */
static int full_name(const char *table, const char *key, char *buf, size_t size)
{
    int n;

    if (table[0])
        n = snprintf(buf, size, "%s.%s", table, key);
    else
        n = snprintf(buf, size, "%s", key);
    return n >= 0 && (size_t)n < size;
}

static int parse_table_header(parser *p)
{
    size_t start = p->pos;
    sbuf name = {NULL, 0, 0};
    char **nt;
    size_t i;

    if (peek(p, 1) == '[')
        return fail_at(p, start, "arrays of tables ([[...]]) are not supported");
    p->pos++;
    if (sb_add(&name, "", 0) < 0)
        return fail_nomem(p);
    for (;;) {
        char *part;
        skip_ws(p);
        if (parse_key(p, &part) < 0)
            goto fail;
        if ((name.len && sb_addc(&name, '.') < 0) ||
            sb_add(&name, part, strlen(part)) < 0) {
            free(part);
            fail_nomem(p);
            goto fail;
        }
        free(part);
        skip_ws(p);
        if (peek(p, 0) == '.') {
            p->pos++;
            continue;
        }
        if (peek(p, 0) == ']') {
            p->pos++;
            break;
        }
        fail_at(p, p->pos, "expected '.' or ']' in a table header");
        goto fail;
    }
    for (i = 0; i < p->doc->ntables; i++) {
        if (strcmp(p->doc->tables[i], name.d) == 0) {
            fail_at(p, start, "table [%.100s] is defined twice", name.d);
            goto fail;
        }
    }
    for (i = 0; i < p->doc->nvals; i++) {
        const ew_toml_value *v = &p->doc->vals[i];
        char full[1024];
        if (full_name(v->table, v->key, full, sizeof full) &&
            is_prefix_path(full, name.d)) {
            fail_at(p, start, "table [%.100s] clashes with key \"%.100s\" on line %u",
                    name.d, v->key, v->line);
            goto fail;
        }
    }
    if (p->doc->ntables == TOML_MAX_TABLES) {
        fail_at(p, start, "more than %d tables", TOML_MAX_TABLES);
        goto fail;
    }
    if (p->doc->ntables == p->doc->tcap) {
        size_t ncap = p->doc->tcap ? p->doc->tcap * 2 : 4;
        nt = realloc(p->doc->tables, ncap * sizeof *nt);
        if (!nt) {
            fail_nomem(p);
            goto fail;
        }
        p->doc->tables = nt;
        p->doc->tcap = ncap;
    }
    p->doc->tables[p->doc->ntables++] = name.d;
    p->table = name.d;
    return expect_eol(p, "a table header");
fail:
    free(name.d);
    return -1;
}

static int parse_keyval(parser *p)
{
    size_t start = p->pos;
    ew_toml_value v;
    const ew_toml_value *old;
    char *key = NULL;
    char **strings = NULL;
    size_t i;
    int c;

    memset(&v, 0, sizeof v);
    if (parse_key(p, &key) < 0)
        return -1;
    skip_ws(p);
    if (peek(p, 0) == '.') {
        fail_at(p, p->pos, "dotted keys are not supported (use a [table] header)");
        goto fail;
    }
    if (peek(p, 0) != '=') {
        fail_at(p, p->pos, "expected '=' after the key \"%.100s\"", key);
        goto fail;
    }
    old = ew_toml_get(p->doc, p->table, key);
    if (old) {
        fail_at(p, start, "key \"%.100s\" is defined twice (first on line %u)", key,
                old->line);
        goto fail;
    }
    {
        char full[1024];
        if (full_name(p->table, key, full, sizeof full)) {
            for (i = 0; i < p->doc->ntables; i++) {
                if (is_prefix_path(full, p->doc->tables[i])) {
                    fail_at(p, start, "key \"%.100s\" clashes with table [%.100s]", key,
                            p->doc->tables[i]);
                    goto fail;
                }
            }
        }
    }
    if (p->doc->nvals == TOML_MAX_VALUES) {
        fail_at(p, start, "more than %d keys", TOML_MAX_VALUES);
        goto fail;
    }
    p->pos++;
    skip_ws(p);

    c = peek(p, 0);
    if (c == '"' || c == '\'') {
        char *s;
        if (parse_string(p, &s, 1) < 0)
            goto fail;
        v.type = EW_TOML_STRING;
        v.string = s;
    } else if (c == '[') {
        size_t n = 0;
        if (parse_array(p, &strings, &n) < 0)
            goto fail;
        v.type = EW_TOML_STRING_ARRAY;
        v.strings = (const char *const *)strings;
        v.nstrings = n;
    } else if (c == 't' || c == 'f') {
        const char *word = c == 't' ? "true" : "false";
        size_t n = strlen(word);
        if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0 ||
            (p->pos + n < p->len && is_bare_key_char((unsigned char)p->s[p->pos + n]))) {
            fail_at(p, p->pos, "expected a value (strings need quotes)");
            goto fail;
        }
        p->pos += n;
        v.type = EW_TOML_BOOL;
        v.integer = c == 't';
    } else {
        if (parse_number(p, &v.integer) < 0)
            goto fail;
        v.type = EW_TOML_INTEGER;
    }

    v.table = p->table;
    v.key = key;
    v.line = line_of(p, start);
    if (p->doc->nvals == p->doc->cap) {
        size_t ncap = p->doc->cap ? p->doc->cap * 2 : 16;
        ew_toml_value *nv = realloc(p->doc->vals, ncap * sizeof *nv);
        if (!nv) {
            fail_nomem(p);
            goto fail_value;
        }
        p->doc->vals = nv;
        p->doc->cap = ncap;
    }
    p->doc->vals[p->doc->nvals++] = v;
    return expect_eol(p, "a value");
fail_value:
    free((char *)v.string);
    free_strings(strings, v.nstrings);
fail:
    free(key);
    return -1;
}

int ew_toml_parse(const char *path, const char *text, size_t len, ew_toml **out,
                  char **err)
{
    parser p;

    *out = NULL;
    *err = NULL;
    memset(&p, 0, sizeof p);
    p.path = path;
    p.s = text;
    p.len = len;
    p.table = "";
    p.line_no = 1;
    p.doc = calloc(1, sizeof *p.doc);
    if (!p.doc) {
        *err = str_dup("out of memory");
        return -1;
    }
    if (len > TOML_MAX_TEXT) {
        fail_at(&p, 0, "file is larger than %u bytes", TOML_MAX_TEXT);
        goto fail;
    }
    if (check_encoding(&p) < 0)
        goto fail;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p.pos = 3;

    while (!at_end(&p)) {
        int c;
        skip_ws(&p);
        if (skip_comment(&p) < 0)
            goto fail;
        if (at_end(&p) || eat_newline(&p))
            continue;
        c = peek(&p, 0);
        if (c == '[') {
            if (parse_table_header(&p) < 0)
                goto fail;
        } else if (parse_keyval(&p) < 0) {
            goto fail;
        }
    }
    *out = p.doc;
    return 0;
fail:
    ew_toml_free(p.doc);
    *err = p.err ? p.err : str_dup("out of memory");
    return -1;
}

size_t ew_toml_count(const ew_toml *doc)
{
    return doc ? doc->nvals : 0;
}

const ew_toml_value *ew_toml_at(const ew_toml *doc, size_t i)
{
    return doc && i < doc->nvals ? &doc->vals[i] : NULL;
}

const ew_toml_value *ew_toml_get(const ew_toml *doc, const char *table, const char *key)
{
    size_t i;

    if (!doc)
        return NULL;
    for (i = 0; i < doc->nvals; i++) {
        if (strcmp(doc->vals[i].table, table) == 0 && strcmp(doc->vals[i].key, key) == 0)
            return &doc->vals[i];
    }
    return NULL;
}

void ew_toml_free(ew_toml *doc)
{
    size_t i;

    if (!doc)
        return;
    for (i = 0; i < doc->nvals; i++) {
        ew_toml_value *v = &doc->vals[i];
        free((char *)v->key);
        free((char *)v->string);
        free_strings((char **)v->strings, v->nstrings);
    }
    for (i = 0; i < doc->ntables; i++)
        free(doc->tables[i]);
    free(doc->vals);
    free(doc->tables);
    free(doc);
}
