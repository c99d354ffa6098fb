#include "tmpl_utf8.h"

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

int tmpl_rune_is_digit(int32_t r)
{
    return r >= '0' && r <= '9';
}

int tmpl_rune_is_letter(int32_t r)
{
    if (r < 0x80)
        return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
    if (r == TMPL_RUNE_ERROR)
        return 0;
    if (r < 0xC0)
        return r == 0xAA || r == 0xB5 || r == 0xBA;
    if (r == 0xD7 || r == 0xF7)
        return 0;
    if (r >= 0x2000 && r <= 0x2BFF)
        return 0;
    if (r >= 0x3000 && r <= 0x303F)
        return 0;
    if (r >= 0xFF00 && r <= 0xFF20)
        return 0;
    if (r >= 0x1F000)
        return 0;
    return 1;
}

int tmpl_rune_is_print(int32_t r)
{
    if (r < 0x20 || r == 0x7F)
        return 0;
    if (r < 0x7F)
        return 1;
    if (r < 0xA0 || r == 0xAD)
        return 0;
    if ((r >= 0xD800 && r <= 0xDFFF) || r > 0x10FFFF)
        return 0;
    if ((r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) ||
        (r >= 0x205F && r <= 0x206F) || r == 0xFEFF)
        return 0;
    if (r >= 0xE000 && r <= 0xF8FF)
        return 0;
    if ((r & 0xFFFE) == 0xFFFE || (r >= 0xFFF9 && r <= 0xFFFB))
        return 0;
    return 1;
}

int tmpl_rune_is_space(int32_t r)
{
    switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
        return 1;
    default:
        return 0;
    }
}

/* Mappings outside the regular blocks below: {rune, upper, lower}. */
static const int32_t case_special[][3] = {
    {0xB5, 0x39C, 0xB5},   {0xFF, 0x178, 0xFF},   {0x130, 0x130, 0x69},
    {0x131, 0x49, 0x131},  {0x178, 0x178, 0xFF},  {0x17F, 0x53, 0x17F},
    {0x1C4, 0x1C4, 0x1C6}, {0x1C5, 0x1C4, 0x1C6}, {0x1C6, 0x1C4, 0x1C6},
    {0x1C7, 0x1C7, 0x1C9}, {0x1C8, 0x1C7, 0x1C9}, {0x1C9, 0x1C7, 0x1C9},
    {0x1CA, 0x1CA, 0x1CC}, {0x1CB, 0x1CA, 0x1CC}, {0x1CC, 0x1CA, 0x1CC},
    {0x3C2, 0x3A3, 0x3C2}, {0x386, 0x386, 0x3AC}, {0x3AC, 0x386, 0x3AC},
    {0x388, 0x388, 0x3AD}, {0x3AD, 0x388, 0x3AD}, {0x389, 0x389, 0x3AE},
    {0x3AE, 0x389, 0x3AE}, {0x38A, 0x38A, 0x3AF}, {0x3AF, 0x38A, 0x3AF},
    {0x38C, 0x38C, 0x3CC}, {0x3CC, 0x38C, 0x3CC}, {0x38E, 0x38E, 0x3CD},
    {0x3CD, 0x38E, 0x3CD}, {0x38F, 0x38F, 0x3CE}, {0x3CE, 0x38F, 0x3CE},
};

static int32_t rune_case(int32_t r, int upper)
{
    int32_t off = upper ? -32 : 32;
    size_t i;

    for (i = 0; i < sizeof(case_special) / sizeof(case_special[0]); i++) {
        if (case_special[i][0] == r)
            return case_special[i][upper ? 1 : 2];
    }

    if (r < 0x80) {
        if (upper && r >= 'a' && r <= 'z')
            return r - 32;
        if (!upper && r >= 'A' && r <= 'Z')
            return r + 32;
        return r;
    }
    if (upper ? (r >= 0xE0 && r <= 0xFE && r != 0xF7)
              : (r >= 0xC0 && r <= 0xDE && r != 0xD7))
        return r + off;
    if (upper && r == 0xFF)
        return 0x178;
    if (r >= 0x100 && r <= 0x17F && r != 0x130 && r != 0x131 && r != 0x138 &&
        r != 0x149 && r != 0x17F) {
        int odd_is_lower = !((r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E));
        int is_lower = odd_is_lower ? (r & 1) : !(r & 1);
        if (upper && is_lower)
            return r - 1;
        if (!upper && !is_lower)
            return r + 1;
        return r;
    }
    if (upper ? (r >= 0x3B1 && r <= 0x3C9 && r != 0x3C2)
              : (r >= 0x391 && r <= 0x3A9 && r != 0x3A2))
        return r + off;
    if (upper ? (r >= 0x430 && r <= 0x44F) : (r >= 0x410 && r <= 0x42F))
        return r + off;
    if (upper ? (r >= 0x450 && r <= 0x45F) : (r >= 0x400 && r <= 0x40F))
        return upper ? r - 80 : r + 80;
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
