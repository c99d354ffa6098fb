#include "tmpl_path.h"

#include "tmpl_utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int tmpl_path_clean(tmpl_buf *b, const char *p, size_t n)
{
    char *out;
    size_t w = 0;
    size_t r = 0;
    size_t dotdot = 0;
    bool rooted;
    int rc;

    if (n == 0)
        return tmpl_buf_addc(b, '.');
    out = malloc(n + 2);
    if (!out)
        return TMPL_BUF_NOMEM;
    rooted = p[0] == '/';
    if (rooted) {
        out[w++] = '/';
        r = 1;
        dotdot = 1;
    }
    while (r < n) {
        if (p[r] == '/') {
            r++;
        } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
            r++;
        } else if (p[r] == '.' && r + 1 < n && p[r + 1] == '.' &&
                   (r + 2 == n || p[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) {
                w--;
                while (w > dotdot && out[w] != '/')
                    w--;
            } else if (!rooted) {
                if (w > 0)
                    out[w++] = '/';
                out[w++] = '.';
                out[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0))
                out[w++] = '/';
            for (; r < n && p[r] != '/'; r++)
                out[w++] = p[r];
        }
    }
    rc = w == 0 ? tmpl_buf_addc(b, '.') : tmpl_buf_add(b, out, w);
    free(out);
    return rc;
}

int tmpl_path_base(tmpl_buf *b, const char *p, size_t n)
{
    size_t i;

    if (n == 0)
        return tmpl_buf_addc(b, '.');
    while (n > 0 && p[n - 1] == '/')
        n--;
    for (i = n; i > 0; i--) {
        if (p[i - 1] == '/')
            break;
    }
    if (i == n)
        return n == 0 ? tmpl_buf_addc(b, '/') : tmpl_buf_add(b, p, n);
    return tmpl_buf_add(b, p + i, n - i);
}

int tmpl_path_dir(tmpl_buf *b, const char *p, size_t n)
{
    size_t i = n;

    while (i > 0 && p[i - 1] != '/')
        i--;
    return tmpl_path_clean(b, p, i);
}

/* ---- path.Match ------------------------------------------------------ */

typedef struct str {
    const char *p;
    size_t n;
} str;

static void adv(str *s, size_t k)
{
    s->p += k;
    s->n -= k;
}

static void scan_chunk(str *pat, bool *star, str *chunk)
{
    bool inrange = false;
    size_t i;

    *star = false;
    while (pat->n > 0 && pat->p[0] == '*') {
        adv(pat, 1);
        *star = true;
    }
    for (i = 0; i < pat->n; i++) {
        char c = pat->p[i];
        if (c == '\\') {
            if (i + 1 < pat->n)
                i++;
        } else if (c == '[') {
            inrange = true;
        } else if (c == ']') {
            inrange = false;
        } else if (c == '*' && !inrange) {
            break;
        }
    }
    chunk->p = pat->p;
    chunk->n = i;
    adv(pat, i);
}

/* getEsc: 0 ok, -1 bad pattern. */
static int get_esc(str *chunk, int32_t *r)
{
    size_t w;

    if (chunk->n == 0 || chunk->p[0] == '-' || chunk->p[0] == ']')
        return -1;
    if (chunk->p[0] == '\\') {
        adv(chunk, 1);
        if (chunk->n == 0)
            return -1;
    }
    w = tmpl_utf8_decode(chunk->p, chunk->n, r);
    if (*r == TMPL_RUNE_ERROR && w == 1)
        return -1;
    adv(chunk, w);
    if (chunk->n == 0)
        return -1;
    return 0;
}

static int match_class(str *chunk, str *s, bool *failed)
{
    int32_t r = 0;
    bool negated = false;
    bool match = false;
    int nrange = 0;

    if (!*failed) {
        size_t w = tmpl_utf8_decode(s->p, s->n, &r);
        adv(s, w);
    }
    adv(chunk, 1);
    if (chunk->n > 0 && chunk->p[0] == '^') {
        negated = true;
        adv(chunk, 1);
    }
    for (;;) {
        int32_t lo;
        int32_t hi;
        if (chunk->n > 0 && chunk->p[0] == ']' && nrange > 0) {
            adv(chunk, 1);
            break;
        }
        if (get_esc(chunk, &lo))
            return -1;
        hi = lo;
        if (chunk->p[0] == '-') {
            adv(chunk, 1);
            if (get_esc(chunk, &hi))
                return -1;
        }
        if (lo <= r && r <= hi)
            match = true;
        nrange++;
    }
    if (match == negated)
        *failed = true;
    return 0;
}

/* matchChunk: 1 ok (rest in *rest), 0 no match, -1 bad pattern. */
static int match_chunk(str chunk, str s, str *rest)
{
    bool failed = false;

    while (chunk.n > 0) {
        if (!failed && s.n == 0)
            failed = true;
        switch (chunk.p[0]) {
        case '[':
            if (match_class(&chunk, &s, &failed))
                return -1;
            break;
        case '?':
            if (!failed) {
                int32_t r;
                if (s.p[0] == '/')
                    failed = true;
                adv(&s, tmpl_utf8_decode(s.p, s.n, &r));
            }
            adv(&chunk, 1);
            break;
        case '\\':
            adv(&chunk, 1);
            if (chunk.n == 0)
                return -1;
            /* fall through */
        default:
            if (!failed) {
                if (chunk.p[0] != s.p[0])
                    failed = true;
                adv(&s, 1);
            }
            adv(&chunk, 1);
            break;
        }
    }
    if (failed)
        return 0;
    *rest = s;
    return 1;
}

static int validate_rest(str pat)
{
    bool star;
    str chunk;
    str rest;

    while (pat.n > 0) {
        scan_chunk(&pat, &star, &chunk);
        if (match_chunk(chunk, (str){"", 0}, &rest) < 0)
            return -1;
    }
    return 0;
}

int tmpl_path_match(const char *pp, size_t pn, const char *np, size_t nn)
{
    str pat = {pp, pn};
    str name = {np, nn};

    while (pat.n > 0) {
        bool star;
        str chunk;
        str t;
        int ok;
        scan_chunk(&pat, &star, &chunk);
        if (star && chunk.n == 0)
            return memchr(name.p, '/', name.n) == NULL;
        ok = match_chunk(chunk, name, &t);
        if (ok == 1 && (t.n == 0 || pat.n > 0)) {
            name = t;
            continue;
        }
        if (ok < 0)
            return -1;
        if (star) {
            size_t i;
            bool found = false;
            for (i = 0; i < name.n && name.p[i] != '/'; i++) {
                str sub = {name.p + i + 1, name.n - i - 1};
                ok = match_chunk(chunk, sub, &t);
                if (ok == 1) {
                    if (pat.n == 0 && t.n > 0)
                        continue;
                    name = t;
                    found = true;
                    break;
                }
                if (ok < 0)
                    return -1;
            }
            if (found)
                continue;
        }
        return validate_rest(pat) ? -1 : 0;
    }
    return name.n == 0;
}

size_t tmpl_path_literal_prefix(const char *pat, size_t pn)
{
    size_t i;

    for (i = 0; i < pn; i++) {
        if (pat[i] == '*' || pat[i] == '?' || pat[i] == '[' || pat[i] == '\\')
            break;
    }
    return i;
}
