/*
 * diff.c: unified diffs that match GNU `diff -u` byte for byte.
 *
 * Matching diff's output means making its choices, not just finding some shortest edit
 * script. The steps follow GNU diffutils' documented pipeline:
 *   1. identical texts give nothing;
 *   2. the common leading and trailing lines are set aside, except a horizon of
 *      context lines next to the changes (diff's find_identical_ends);
 *   3. lines become equivalence classes; a line with no match on the other side, and
 *      runs of lines that match very many others, are marked changed up front
 *      (discard_confusing_lines);
 *   4. Myers' O(ND) middle-snake bisection on the remaining lines, with diff's cost
 *      cap for very different inputs;
 *   5. runs of changes slide to merge with neighbours and then as far down as they
 *      can (shift_boundaries);
 *   6. hunks with 3 lines of context, joined when at most 6 unchanged lines separate
 *      two changes.
 * A last line without a newline only equals the other text's last line without one.
 * A text with a NUL byte is binary to diff: it prints one line saying they differ.
 */
#include "diff.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTEXT 3
#define SNAKE_LIMIT 20

typedef ptrdiff_t lin;

typedef struct line {
    const char *p;
    size_t len; /* with its '\n' when it has one */
} line;

typedef struct text {
    const char *data;
    size_t len;
    line *lines;
    lin nlines;
} text;

typedef struct change {
    lin line0, line1; /* first line of the change in each text, 0-based */
    lin deleted, inserted;
} change;

typedef struct outbuf {
    char *data;
    size_t len;
    size_t cap;
    int failed;
} outbuf;

/* ---------------------------------------------------------------------------------- */
/* Output buffer                                                                       */

static void out_add(outbuf *o, const char *p, size_t n)
{
    size_t ncap;
    char *q;

    if (o->failed)
        return;
    if (n > SIZE_MAX / 4 - o->len) {
        o->failed = 1;
        return;
    }
    if (o->len + n + 1 > o->cap) {
        ncap = o->cap ? o->cap : 256;
        while (ncap < o->len + n + 1)
            ncap *= 2;
        q = realloc(o->data, ncap);
        if (!q) {
            o->failed = 1;
            return;
        }
        o->data = q;
        o->cap = ncap;
    }
    memcpy(o->data + o->len, p, n);
    o->len += n;
    o->data[o->len] = '\0';
}

static void out_str(outbuf *o, const char *s)
{
    out_add(o, s, strlen(s));
}

/* ---------------------------------------------------------------------------------- */
/* Lines                                                                               */

static int split_lines(text *t)
{
    lin n = 0;
    lin i = 0;
    size_t k;
    size_t start = 0;

    for (k = 0; k < t->len; k++) {
        if (t->data[k] == '\n')
            n++;
    }
    if (t->len > 0 && t->data[t->len - 1] != '\n')
        n++;
    t->nlines = n;
    t->lines = malloc(((size_t)n + 1) * sizeof *t->lines);
    if (!t->lines)
        return -1;
    for (k = 0; k < t->len; k++) {
        if (t->data[k] == '\n') {
            t->lines[i].p = t->data + start;
            t->lines[i].len = k + 1 - start;
            i++;
            start = k + 1;
        }
    }
    if (start < t->len) {
        t->lines[i].p = t->data + start;
        t->lines[i].len = t->len - start;
    }
    return 0;
}

static int line_eq(const line *a, const line *b)
{
    return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

static int missing_newline(const text *t)
{
    return t->len > 0 && t->data[t->len - 1] != '\n';
}

/* The line that starts at byte offset `off` (a line start, or the end). */
static lin line_at_offset(const text *t, size_t off)
{
    lin lo = 0;
    lin hi = t->nlines;

    while (lo < hi) {
        lin mid = lo + (hi - lo) / 2;
        if ((size_t)(t->lines[mid].p - t->data) < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * The lines to compare: [*first, *end0) of a and [*first, *end1) of b. The common
 * prefix minus CONTEXT lines and the common suffix minus CONTEXT lines (one more when
 * the common bytes start inside a line) stay out, as in diff. The suffix is only set
 * aside when both texts end the same way (both with or both without a newline).
 */
static void find_body(const text *a, const text *b, lin *first, lin *end0, lin *end1)
{
    lin common = 0;
    lin start;
    size_t boff;
    size_t maxs;
    size_t s = 0;
    size_t p0, p1, beg0;
    int extra;
    int i;

    while (common < a->nlines && common < b->nlines &&
           line_eq(&a->lines[common], &b->lines[common]))
        common++;
    start = common > CONTEXT ? common - CONTEXT : 0;
    *first = start;
    *end0 = a->nlines;
    *end1 = b->nlines;
    if (missing_newline(a) != missing_newline(b))
        return;

    boff = start < a->nlines ? (size_t)(a->lines[start].p - a->data) : a->len;
    maxs = (a->len < b->len ? a->len : b->len) - boff;
    while (s < maxs && a->data[a->len - 1 - s] == b->data[b->len - 1 - s])
        s++;
    p0 = a->len - s;
    p1 = b->len - s;
    beg0 = p0;
    extra =
        !((p0 == 0 || a->data[p0 - 1] == '\n') && (p1 == 0 || b->data[p1 - 1] == '\n'));
    for (i = CONTEXT + extra; i > 0 && p0 != a->len; i--) {
        while (p0 < a->len && a->data[p0] != '\n')
            p0++;
        if (p0 < a->len)
            p0++;
    }
    p1 += p0 - beg0;
    *end0 = line_at_offset(a, p0);
    *end1 = line_at_offset(b, p1);
}

/* ---------------------------------------------------------------------------------- */
/* Equivalence classes                                                                 */

static uint64_t line_hash(const line *l)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;

    for (i = 0; i < l->len; i++) {
        h ^= (unsigned char)l->p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Number the distinct lines of both bodies from 1. */
static int classify(const line *l0, lin n0, const line *l1, lin n1, lin *eq0, lin *eq1)
{
    size_t size = 16;
    size_t mask;
    const line **keys;
    lin *ids;
    lin next = 1;
    lin i;
    int f;

    while (size < 2 * ((size_t)n0 + (size_t)n1) + 2)
        size *= 2;
    mask = size - 1;
    keys = calloc(size, sizeof *keys);
    ids = calloc(size, sizeof *ids);
    if (!keys || !ids) {
        free(keys);
        free(ids);
        return -1;
    }
    for (f = 0; f < 2; f++) {
        const line *ls = f ? l1 : l0;
        lin n = f ? n1 : n0;
        lin *eq = f ? eq1 : eq0;
        for (i = 0; i < n; i++) {
            size_t slot = (size_t)line_hash(&ls[i]) & mask;
            while (keys[slot] && !line_eq(keys[slot], &ls[i]))
                slot = (slot + 1) & mask;
            if (!keys[slot]) {
                keys[slot] = &ls[i];
                ids[slot] = next++;
            }
            eq[i] = ids[slot];
        }
    }
    free(keys);
    free(ids);
    return 0;
}

/* ---------------------------------------------------------------------------------- */
/* The comparison proper, on one body                                                  */

typedef struct side {
    lin n;          /* lines in the body */
    const lin *eq;  /* class of each line */
    char *changed;  /* n + 2 flags, index -1 and n are 0 */
    lin *undisc;    /* classes of the lines kept for the comparison */
    lin *realindex; /* their body index */
    lin nundisc;
} side;

/* Lines with no match on the other side are changes for sure; lines matching very many
 * others are set aside too when they sit inside such runs. */
static int discard_confusing(side *s)
{
    lin nclasses_max = 0;
    lin *count[2];
    char *discards[2];
    lin i, j;
    int f;

    for (f = 0; f < 2; f++) {
        for (i = 0; i < s[f].n; i++) {
            if (s[f].eq[i] >= nclasses_max)
                nclasses_max = s[f].eq[i] + 1;
        }
    }
    count[0] = calloc((size_t)nclasses_max * 2 + 1, sizeof(lin));
    discards[0] = calloc((size_t)(s[0].n + s[1].n) + 1, 1);
    if (!count[0] || !discards[0]) {
        free(count[0]);
        free(discards[0]);
        return -1;
    }
    count[1] = count[0] + nclasses_max;
    discards[1] = discards[0] + s[0].n;
    for (f = 0; f < 2; f++) {
        for (i = 0; i < s[f].n; i++)
            count[f][s[f].eq[i]]++;
    }

    for (f = 0; f < 2; f++) {
        lin end = s[f].n;
        char *d = discards[f];
        const lin *other = count[1 - f];
        lin many = 5;
        lin tem = end / 64;

        tem >>= 2;
        while (tem > 0) {
            many *= 2;
            tem >>= 2;
        }
        for (i = 0; i < end; i++) {
            lin nmatch = other[s[f].eq[i]];
            if (nmatch == 0)
                d[i] = 1;
            else if (nmatch > many)
                d[i] = 2;
        }
    }

    for (f = 0; f < 2; f++) {
        lin end = s[f].n;
        char *d = discards[f];

        for (i = 0; i < end; i++) {
            lin length;
            lin provisional = 0;
            lin consec;

            if (d[i] == 2) {
                d[i] = 0;
                continue;
            }
            if (d[i] == 0)
                continue;
            /* A run of discardable lines starting with a sure one. */
            for (j = i; j < end; j++) {
                if (d[j] == 0)
                    break;
                if (d[j] == 2)
                    provisional++;
            }
            while (j > i && d[j - 1] == 2) {
                d[--j] = 0;
                provisional--;
            }
            length = j - i;
            if (provisional * 4 > length) {
                while (j > i) {
                    j--;
                    if (d[j] == 2)
                        d[j] = 0;
                }
            } else {
                lin minimum = 1;
                lin tem = length >> 2;

                tem >>= 2;
                while (tem > 0) {
                    minimum <<= 1;
                    tem >>= 2;
                }
                minimum++;
                /* Cancel sub-runs of `minimum` or more provisional lines. */
                for (j = 0, consec = 0; j < length; j++) {
                    if (d[i + j] != 2) {
                        consec = 0;
                    } else {
                        consec++;
                        if (minimum == consec)
                            j -= consec;
                        else if (minimum < consec)
                            d[i + j] = 0;
                    }
                }
                /* From the start of the run, cancel provisional lines until three
                 * sure ones in a row, or a sure one at least 8 lines in. */
                for (j = 0, consec = 0; j < length; j++) {
                    if (j >= 8 && d[i + j] == 1)
                        break;
                    if (d[i + j] == 2) {
                        consec = 0;
                        d[i + j] = 0;
                    } else if (d[i + j] == 0) {
                        consec = 0;
                    } else {
                        consec++;
                    }
                    if (consec == 3)
                        break;
                }
                i += length - 1;
                /* The same from the end. */
                for (j = 0, consec = 0; j < length; j++) {
                    if (j >= 8 && d[i - j] == 1)
                        break;
                    if (d[i - j] == 2) {
                        consec = 0;
                        d[i - j] = 0;
                    } else if (d[i - j] == 0) {
                        consec = 0;
                    } else {
                        consec++;
                    }
                    if (consec == 3)
                        break;
                }
            }
        }
    }

    for (f = 0; f < 2; f++) {
        j = 0;
        for (i = 0; i < s[f].n; i++) {
            if (discards[f][i] == 0) {
                s[f].undisc[j] = s[f].eq[i];
                s[f].realindex[j] = i;
                j++;
            } else {
                s[f].changed[i] = 1;
            }
        }
        s[f].nundisc = j;
    }
    free(count[0]);
    free(discards[0]);
    return 0;
}

typedef struct ctx {
    const lin *xv, *yv;
    lin *fd, *bd; /* indexed by diagonal */
    lin too_expensive;
} ctx;

typedef struct part {
    lin xmid, ymid;
    int lo_minimal, hi_minimal;
} part;

/* Myers' middle snake: a point on an optimal path through [xoff,xlim) x [yoff,ylim),
 * or, past the cost cap, the furthest point either search reached. */
static void find_middle(const ctx *c, lin xoff, lin xlim, lin yoff, lin ylim, int minimal,
                        part *pt)
{
    lin *const fd = c->fd;
    lin *const bd = c->bd;
    const lin *const xv = c->xv;
    const lin *const yv = c->yv;
    const lin dmin = xoff - ylim;
    const lin dmax = xlim - yoff;
    const lin fmid = xoff - yoff;
    const lin bmid = xlim - ylim;
    lin fmin = fmid, fmax = fmid;
    lin bmin = bmid, bmax = bmid;
    lin cost;
    int odd = (fmid - bmid) & 1;

    fd[fmid] = xoff;
    bd[bmid] = xlim;
    for (cost = 1;; cost++) {
        lin d;

        /* Widen the forward search by one diagonal each side, or narrow it at the
         * edges; the diagonals just outside start unreached. */
        if (fmin > dmin) {
            fmin--;
            fd[fmin - 1] = -1;
        } else {
            fmin++;
        }
        if (fmax < dmax) {
            fmax++;
            fd[fmax + 1] = -1;
        } else {
            fmax--;
        }
        for (d = fmax; d >= fmin; d -= 2) {
            lin tlo = fd[d - 1];
            lin thi = fd[d + 1];
            lin x0 = tlo < thi ? thi : tlo + 1;
            lin x = x0;
            lin y = x0 - d;

            while (x < xlim && y < ylim && xv[x] == yv[y]) {
                x++;
                y++;
            }
            fd[d] = x;
            if (odd && bmin <= d && d <= bmax && bd[d] <= x) {
                pt->xmid = x;
                pt->ymid = y;
                pt->lo_minimal = 1;
                pt->hi_minimal = 1;
                return;
            }
        }

        /* The same for the backward search. */
        if (bmin > dmin) {
            bmin--;
            bd[bmin - 1] = PTRDIFF_MAX;
        } else {
            bmin++;
        }
        if (bmax < dmax) {
            bmax++;
            bd[bmax + 1] = PTRDIFF_MAX;
        } else {
            bmax--;
        }
        for (d = bmax; d >= bmin; d -= 2) {
            lin tlo = bd[d - 1];
            lin thi = bd[d + 1];
            lin x0 = tlo < thi ? tlo : thi - 1;
            lin x = x0;
            lin y = x0 - d;

            while (xoff < x && yoff < y && xv[x - 1] == yv[y - 1]) {
                x--;
                y--;
            }
            bd[d] = x;
            if (!odd && fmin <= d && d <= fmax && x <= fd[d]) {
                pt->xmid = x;
                pt->ymid = y;
                pt->lo_minimal = 1;
                pt->hi_minimal = 1;
                return;
            }
        }

        if (minimal || cost < c->too_expensive)
            continue;

        /* Too expensive: split at the best point reached in either direction. */
        {
            lin fxybest = -1, fxbest = 0;
            lin bxybest = PTRDIFF_MAX, bxbest = 0;

            for (d = fmax; d >= fmin; d -= 2) {
                lin x = fd[d] < xlim ? fd[d] : xlim;
                lin y = x - d;
                if (ylim < y) {
                    x = ylim + d;
                    y = ylim;
                }
                if (fxybest < x + y) {
                    fxybest = x + y;
                    fxbest = x;
                }
            }
            for (d = bmax; d >= bmin; d -= 2) {
                lin x = bd[d] > xoff ? bd[d] : xoff;
                lin y = x - d;
                if (y < yoff) {
                    x = yoff + d;
                    y = yoff;
                }
                if (x + y < bxybest) {
                    bxybest = x + y;
                    bxbest = x;
                }
            }
            if ((xlim + ylim) - bxybest < fxybest - (xoff + yoff)) {
                pt->xmid = fxbest;
                pt->ymid = fxybest - fxbest;
                pt->lo_minimal = 1;
                pt->hi_minimal = 0;
            } else {
                pt->xmid = bxbest;
                pt->ymid = bxybest - bxbest;
                pt->lo_minimal = 0;
                pt->hi_minimal = 1;
            }
            return;
        }
    }
}

typedef struct range {
    lin xoff, xlim, yoff, ylim;
    int minimal;
} range;

/* Mark the changed lines of both sides. Subproblems only set flags, so they are kept
 * on a heap stack instead of recursing (the depth can reach the edit distance). */
static int compare(side *s)
{
    lin nx = s[0].nundisc;
    lin ny = s[1].nundisc;
    lin diags = nx + ny + 3;
    lin *diag;
    range *stack;
    size_t top = 0;
    size_t cap = 64;
    ctx c;

    diag = malloc(2 * (size_t)diags * sizeof *diag);
    stack = malloc(cap * sizeof *stack);
    if (!diag || !stack) {
        free(diag);
        free(stack);
        return -1;
    }
    c.xv = s[0].undisc;
    c.yv = s[1].undisc;
    c.fd = diag + ny + 1;
    c.bd = c.fd + diags;
    /* diff's cost cap: about the square root of the input size, at least 4096. */
    c.too_expensive = 1;
    for (; diags != 0; diags >>= 2)
        c.too_expensive <<= 1;
    if (c.too_expensive < 4096)
        c.too_expensive = 4096;

    stack[top++] = (range){0, nx, 0, ny, 0};
    while (top > 0) {
        range r = stack[--top];
        part pt;

        while (r.xoff < r.xlim && r.yoff < r.ylim && c.xv[r.xoff] == c.yv[r.yoff]) {
            r.xoff++;
            r.yoff++;
        }
        while (r.xoff < r.xlim && r.yoff < r.ylim &&
               c.xv[r.xlim - 1] == c.yv[r.ylim - 1]) {
            r.xlim--;
            r.ylim--;
        }
        if (r.xoff == r.xlim) {
            for (; r.yoff < r.ylim; r.yoff++)
                s[1].changed[s[1].realindex[r.yoff]] = 1;
            continue;
        }
        if (r.yoff == r.ylim) {
            for (; r.xoff < r.xlim; r.xoff++)
                s[0].changed[s[0].realindex[r.xoff]] = 1;
            continue;
        }
        find_middle(&c, r.xoff, r.xlim, r.yoff, r.ylim, r.minimal, &pt);
        if (top + 2 > cap) {
            range *ns = realloc(stack, cap * 2 * sizeof *stack);
            if (!ns) {
                free(diag);
                free(stack);
                return -1;
            }
            stack = ns;
            cap *= 2;
        }
        stack[top++] = (range){pt.xmid, r.xlim, pt.ymid, r.ylim, pt.hi_minimal};
        stack[top++] = (range){r.xoff, pt.xmid, r.yoff, pt.ymid, pt.lo_minimal};
    }
    free(diag);
    free(stack);
    return 0;
}

/* Slide each run of changes to merge it with its neighbours, then as far down as it
 * goes, then back up to line up with a run of changes on the other side. */
static void shift_boundaries(side *s)
{
    int f;

    for (f = 0; f < 2; f++) {
        char *changed = s[f].changed;
        const char *other = s[1 - f].changed;
        const lin *eq = s[f].eq;
        lin i = 0;
        lin j = 0;
        lin i_end = s[f].n;

        for (;;) {
            lin runlength, start, corresponding;

            while (i < i_end && !changed[i]) {
                while (other[j])
                    j++;
                j++;
                i++;
            }
            if (i == i_end)
                break;
            start = i;
            i++;
            while (changed[i])
                i++;
            while (other[j])
                j++;

            do {
                runlength = i - start;
                while (start && eq[start - 1] == eq[i - 1]) {
                    changed[--start] = 1;
                    changed[--i] = 0;
                    while (changed[start - 1])
                        start--;
                    j--;
                    while (other[j])
                        j--;
                }
                corresponding = other[j - 1] ? i : i_end;
                while (i != i_end && eq[start] == eq[i]) {
                    changed[start++] = 0;
                    changed[i++] = 1;
                    while (changed[i])
                        i++;
                    j++;
                    while (other[j]) {
                        corresponding = i;
                        j++;
                    }
                }
            } while (runlength != i - start);

            while (corresponding < i) {
                changed[--start] = 1;
                changed[--i] = 0;
                j--;
                while (other[j])
                    j--;
            }
        }
    }
}

/* ---------------------------------------------------------------------------------- */
/* Output                                                                              */

static void print_range(outbuf *o, lin first, lin last)
{
    char num[64];
    lin a = first + 1;
    lin b = last + 1;

    if (b <= a)
        snprintf(num, sizeof num, b < a ? "%td,0" : "%td", b);
    else
        snprintf(num, sizeof num, "%td,%td", a, b - a + 1);
    out_str(o, num);
}

static void print_line(outbuf *o, char mark, const line *l)
{
    out_add(o, &mark, 1);
    out_add(o, l->p, l->len);
    if (l->len == 0 || l->p[l->len - 1] != '\n')
        out_str(o, "\n\\ No newline at end of file\n");
}

static void print_hunk(outbuf *o, const text *a, const text *b, const change *ch,
                       size_t n)
{
    lin first0 = ch[0].line0;
    lin first1 = ch[0].line1;
    lin last0 = ch[n - 1].line0 + ch[n - 1].deleted - 1;
    lin last1 = ch[n - 1].line1 + ch[n - 1].inserted - 1;
    lin i, j, k;
    size_t next = 0;

    first0 = first0 - CONTEXT > 0 ? first0 - CONTEXT : 0;
    first1 = first1 - CONTEXT > 0 ? first1 - CONTEXT : 0;
    last0 = last0 < a->nlines - CONTEXT ? last0 + CONTEXT : a->nlines - 1;
    last1 = last1 < b->nlines - CONTEXT ? last1 + CONTEXT : b->nlines - 1;

    out_str(o, "@@ -");
    print_range(o, first0, last0);
    out_str(o, " +");
    print_range(o, first1, last1);
    out_str(o, " @@\n");

    i = first0;
    j = first1;
    while (i <= last0 || j <= last1) {
        if (next == n || i < ch[next].line0) {
            print_line(o, ' ', &a->lines[i]);
            i++;
            j++;
            continue;
        }
        for (k = 0; k < ch[next].deleted; k++)
            print_line(o, '-', &a->lines[i++]);
        for (k = 0; k < ch[next].inserted; k++)
            print_line(o, '+', &b->lines[j++]);
        next++;
    }
}

/* Collect the changes (in whole-text line numbers) and print them in hunks. */
static int print_script(outbuf *o, const text *a, const text *b, const side *s,
                        lin offset)
{
    change *ch;
    size_t nch = 0;
    size_t cap = 16;
    size_t h;
    lin i0 = 0;
    lin i1 = 0;

    ch = malloc(cap * sizeof *ch);
    if (!ch)
        return -1;
    while (i0 < s[0].n || i1 < s[1].n) {
        if (s[0].changed[i0] || s[1].changed[i1]) {
            lin start0 = i0;
            lin start1 = i1;
            while (s[0].changed[i0])
                i0++;
            while (s[1].changed[i1])
                i1++;
            if (nch == cap) {
                change *nc = realloc(ch, cap * 2 * sizeof *ch);
                if (!nc) {
                    free(ch);
                    return -1;
                }
                ch = nc;
                cap *= 2;
            }
            ch[nch++] =
                (change){start0 + offset, start1 + offset, i0 - start0, i1 - start1};
        } else {
            i0++;
            i1++;
        }
    }

    for (h = 0; h < nch;) {
        size_t e = h + 1;
        while (e < nch &&
               ch[e].line0 - (ch[e - 1].line0 + ch[e - 1].deleted) < 2 * CONTEXT + 1)
            e++;
        print_hunk(o, a, b, ch + h, e - h);
        h = e;
    }
    free(ch);
    return 0;
}

int ew_diff_unified(const char *old, size_t old_len, const char *old_name,
                    const char *new_text, size_t new_len, const char *new_name,
                    char **out)
{
    text t[2] = {{old, old_len, NULL, 0}, {new_text, new_len, NULL, 0}};
    side s[2];
    outbuf o = {NULL, 0, 0, 0};
    lin first, end0, end1;
    lin *mem = NULL;
    char *flags = NULL;
    int rc = -1;
    int f;

    *out = NULL;
    memset(s, 0, sizeof s);
    if (old_len == new_len && (old_len == 0 || memcmp(old, new_text, old_len) == 0)) {
        *out = calloc(1, 1);
        return *out ? 0 : -1;
    }
    if (memchr(old, '\0', old_len) || memchr(new_text, '\0', new_len)) {
        out_str(&o, "Binary files ");
        out_str(&o, old_name);
        out_str(&o, " and ");
        out_str(&o, new_name);
        out_str(&o, " differ\n");
        if (o.failed)
            goto done;
        *out = o.data;
        return 0;
    }
    if (split_lines(&t[0]) < 0 || split_lines(&t[1]) < 0)
        goto done;

    find_body(&t[0], &t[1], &first, &end0, &end1);
    s[0].n = end0 - first;
    s[1].n = end1 - first;
    /* eq, undisc and realindex for both sides in one block; flags in another. */
    mem = malloc(3 * ((size_t)s[0].n + (size_t)s[1].n + 2) * sizeof *mem);
    flags = calloc((size_t)s[0].n + (size_t)s[1].n + 4, 1);
    if (!mem || !flags)
        goto done;
    {
        lin *p = mem;
        lin *eq0 = p;
        lin *eq1 = eq0 + s[0].n + 1;
        p = eq1 + s[1].n + 1;
        for (f = 0; f < 2; f++) {
            s[f].undisc = p;
            p += s[f].n + 1;
            s[f].realindex = p;
            p += s[f].n + 1;
        }
        s[0].eq = eq0;
        s[1].eq = eq1;
        s[0].changed = flags + 1;
        s[1].changed = flags + s[0].n + 3;
        if (classify(t[0].lines + first, s[0].n, t[1].lines + first, s[1].n, eq0, eq1) <
            0)
            goto done;
    }
    if (discard_confusing(s) < 0)
        goto done;
    if (compare(s) < 0)
        goto done;
    shift_boundaries(s);

    out_str(&o, "--- ");
    out_str(&o, old_name);
    out_str(&o, "\n+++ ");
    out_str(&o, new_name);
    out_str(&o, "\n");
    if (print_script(&o, &t[0], &t[1], s, first) < 0 || o.failed)
        goto done;
    *out = o.data;
    o.data = NULL;
    rc = 0;
done:
    free(o.data);
    free(mem);
    free(flags);
    free(t[0].lines);
    free(t[1].lines);
    return rc;
}
