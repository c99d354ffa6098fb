#include "tmpl_utf8.h"

#include "tmpl_unicode_tables.h"

size_t tmpl_utf8_decode(const char *s, size_t n, int32_t *r)
{
    const unsigned char *u = (const unsigned char *)s;
    int32_t c;
    size_t need;
    size_t i;

    if (u[0] < 0x80) {
        *r = u[0];
        return 1;
    }
    if (u[0] >= 0xC2 && u[0] <= 0xDF) {
        need = 2;
        c = u[0] & 0x1F;
    } else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
        need = 3;
        c = u[0] & 0x0F;
    } else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
        need = 4;
        c = u[0] & 0x07;
    } else {
        *r = TMPL_RUNE_ERROR;
        return 1;
    }
    if (n < need) {
        *r = TMPL_RUNE_ERROR;
        return 1;
    }
    for (i = 1; i < need; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *r = TMPL_RUNE_ERROR;
            return 1;
        }
        c = (c << 6) | (u[i] & 0x3F);
    }
    if ((need == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
        (need == 4 && (c < 0x10000 || c > 0x10FFFF))) {
        *r = TMPL_RUNE_ERROR;
        return 1;
    }
    *r = c;
    return need;
}

size_t tmpl_utf8_encode(int32_t r, char *out)
{
    unsigned char *o = (unsigned char *)out;

    if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        r = TMPL_RUNE_ERROR;
    if (r < 0x80) {
        o[0] = (unsigned char)r;
        return 1;
    }
    if (r < 0x800) {
        o[0] = (unsigned char)(0xC0 | (r >> 6));
        o[1] = (unsigned char)(0x80 | (r & 0x3F));
        return 2;
    }
    if (r < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (r >> 12));
        o[1] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (r & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (r >> 18));
    o[1] = (unsigned char)(0x80 | ((r >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (r & 0x3F));
    return 4;
}

size_t tmpl_utf8_count(const char *s, size_t n)
{
    size_t i = 0;
    size_t count = 0;
    int32_t r;

    while (i < n) {
        i += tmpl_utf8_decode(s + i, n - i, &r);
        count++;
    }
    return count;
}

/* Whether r lies in one of n sorted ranges. */
static int in_ranges(const uint32_t (*ranges)[2], size_t n, int32_t r)
{
    size_t lo = 0;
    size_t hi = n;

    if (r < 0)
        return 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uint32_t)r < ranges[mid][0])
            hi = mid;
        else if ((uint32_t)r > ranges[mid][1])
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

#define IN_TABLE(table, r) in_ranges(table, sizeof(table) / sizeof(table[0]), r)

int tmpl_rune_is_digit(int32_t r)
{
    if (r < 0x80)
        return r >= '0' && r <= '9';
    return IN_TABLE(tmpl_digit_ranges, r);
}

int tmpl_rune_is_letter(int32_t r)
{
    if (r < 0x80)
        return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
    return IN_TABLE(tmpl_letter_ranges, r);
}

int tmpl_rune_is_print(int32_t r)
{
    if (r < 0x80)
        return r >= 0x20 && r < 0x7F;
    return IN_TABLE(tmpl_print_ranges, r);
}

/* unicode.To: the case mapping of Go's CaseRanges (upper: 1 for upper case). */
static int32_t rune_case(int32_t r, int upper)
{
    size_t lo = 0;
    size_t hi = sizeof(tmpl_case_ranges) / sizeof(tmpl_case_ranges[0]);

    if (r < 0x80) {
        if (upper && r >= 'a' && r <= 'z')
            return r - 32;
        if (!upper && r >= 'A' && r <= 'Z')
            return r + 32;
        return r;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const int32_t *cr = tmpl_case_ranges[mid];
        if (r < cr[0]) {
            hi = mid;
        } else if (r > cr[1]) {
            lo = mid + 1;
        } else {
            int32_t delta = cr[upper ? 2 : 3];
            if (delta > 0x10FFFF) /* alternating Upper/Lower sequence */
                return cr[0] + (((r - cr[0]) & ~1) | (upper ? 0 : 1));
            return r + delta;
        }
    }
    return r;
}

int32_t tmpl_rune_upper(int32_t r)
{
    return rune_case(r, 1);
}

int32_t tmpl_rune_lower(int32_t r)
{
    return rune_case(r, 0);
}
