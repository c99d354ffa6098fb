/* A port of Go 1.19's sort/zsortinterface.go (pdqsort) over a tmpl_value array.
 * Recursion is on the smaller partition only, so its depth is O(log n). */
#include "tmpl_sort.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct sorter {
    tmpl_value *v;
    tmpl_less_fn less_fn;
} sorter;

enum { UNKNOWN_HINT, INCREASING_HINT, DECREASING_HINT };

static bool less(const sorter *s, long i, long j)
{
    return s->less_fn(&s->v[i], &s->v[j]) != 0;
}

static void swap(const sorter *s, long i, long j)
{
    tmpl_value t = s->v[i];

    s->v[i] = s->v[j];
    s->v[j] = t;
}

static int bits_len(unsigned long x)
{
    int n = 0;

    while (x) {
        n++;
        x >>= 1;
    }
    return n;
}

static void insertion_sort(const sorter *s, long a, long b)
{
    long i;
    long j;

    for (i = a + 1; i < b; i++) {
        for (j = i; j > a && less(s, j, j - 1); j--)
            swap(s, j, j - 1);
    }
}

static void sift_down(const sorter *s, long lo, long hi, long first)
{
    long root = lo;

    for (;;) {
        long child = 2 * root + 1;
        if (child >= hi)
            return;
        if (child + 1 < hi && less(s, first + child, first + child + 1))
            child++;
        if (!less(s, first + root, first + child))
            return;
        swap(s, first + root, first + child);
        root = child;
    }
}

static void heap_sort(const sorter *s, long a, long b)
{
    long first = a;
    long hi = b - a;
    long i;

    for (i = (hi - 1) / 2; i >= 0; i--)
        sift_down(s, i, hi, first);
    for (i = hi - 1; i >= 0; i--) {
        swap(s, first, first + i);
        sift_down(s, 0, i, first);
    }
}

/* Partitions [a, b) around the element at pivot; *already: nothing had to move. */
static long partition(const sorter *s, long a, long b, long pivot, bool *already)
{
    long i = a + 1;
    long j = b - 1;

    swap(s, a, pivot);
    *already = true;
    for (;;) {
        while (i <= j && less(s, i, a))
            i++;
        while (i <= j && !less(s, j, a))
            j--;
        if (i > j)
            break;
        swap(s, i, j);
        *already = false;
        i++;
        j--;
    }
    swap(s, j, a);
    return j;
}

static long partition_equal(const sorter *s, long a, long b, long pivot)
{
    long i = a + 1;
    long j = b - 1;

    swap(s, a, pivot);
    for (;;) {
        while (i <= j && !less(s, a, i))
            i++;
        while (i <= j && less(s, a, j))
            j--;
        if (i > j)
            break;
        swap(s, i, j);
        i++;
        j--;
    }
    return i;
}

static bool partial_insertion_sort(const sorter *s, long a, long b)
{
    long i = a + 1;
    int step;
    long j;

    for (step = 0; step < 5; step++) {
        while (i < b && !less(s, i, i - 1))
            i++;
        if (i == b)
            return true;
        if (b - a < 50)
            return false;
        swap(s, i, i - 1);
        if (i - a >= 2) {
            for (j = i - 1; j >= 1; j--) {
                if (!less(s, j, j - 1))
                    break;
                swap(s, j, j - 1);
            }
        }
        if (b - i >= 2) {
            for (j = i + 1; j < b; j++) {
                if (!less(s, j, j - 1))
                    break;
                swap(s, j, j - 1);
            }
        }
    }
    return false;
}

static void break_patterns(const sorter *s, long a, long b)
{
    long length = b - a;
    uint64_t random = (uint64_t)length;
    unsigned long modulus = 1UL << bits_len((unsigned long)length);
    long idx;

    if (length < 8)
        return;
    for (idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
        long other;
        random ^= random << 13;
        random ^= random >> 17;
        random ^= random << 5;
        other = (long)((unsigned long)random & (modulus - 1));
        if (other >= length)
            other -= length;
        swap(s, idx, a + other);
    }
}

static void order2(const sorter *s, long *a, long *b, int *swaps)
{
    if (less(s, *b, *a)) {
        long t = *a;
        (*swaps)++;
        *a = *b;
        *b = t;
    }
}

static long median(const sorter *s, long a, long b, long c, int *swaps)
{
    order2(s, &a, &b, swaps);
    order2(s, &b, &c, swaps);
    order2(s, &a, &b, swaps);
    return b;
}

static long median_adjacent(const sorter *s, long a, int *swaps)
{
    return median(s, a - 1, a, a + 1, swaps);
}

static long choose_pivot(const sorter *s, long a, long b, int *hint)
{
    long l = b - a;
    int swaps = 0;
    long i = a + l / 4 * 1;
    long j = a + l / 4 * 2;
    long k = a + l / 4 * 3;

    if (l >= 8) {
        if (l >= 50) {
            i = median_adjacent(s, i, &swaps);
            j = median_adjacent(s, j, &swaps);
            k = median_adjacent(s, k, &swaps);
        }
        j = median(s, i, j, k, &swaps);
    }
    *hint = swaps == 0 ? INCREASING_HINT : swaps == 12 ? DECREASING_HINT : UNKNOWN_HINT;
    return j;
}

static void reverse_range(const sorter *s, long a, long b)
{
    long i = a;
    long j = b - 1;

    while (i < j) {
        swap(s, i, j);
        i++;
        j--;
    }
}

static void pdqsort(const sorter *s, long a, long b, int limit)
{
    bool was_balanced = true;
    bool was_partitioned = true;

    for (;;) {
        long length = b - a;
        long pivot;
        long mid;
        int hint;
        bool already;

        if (length <= 12) {
            insertion_sort(s, a, b);
            return;
        }
        if (limit == 0) {
            heap_sort(s, a, b);
            return;
        }
        if (!was_balanced) {
            break_patterns(s, a, b);
            limit--;
        }
        pivot = choose_pivot(s, a, b, &hint);
        if (hint == DECREASING_HINT) {
            reverse_range(s, a, b);
            pivot = (b - 1) - (pivot - a);
            hint = INCREASING_HINT;
        }
        if (was_balanced && was_partitioned && hint == INCREASING_HINT &&
            partial_insertion_sort(s, a, b))
            return;
        if (a > 0 && !less(s, a - 1, pivot)) {
            a = partition_equal(s, a, b, pivot);
            continue;
        }
        mid = partition(s, a, b, pivot, &already);
        was_partitioned = already;
        if (mid - a < b - mid) {
            was_balanced = mid - a >= length / 8;
            pdqsort(s, a, mid, limit);
            a = mid + 1;
        } else {
            was_balanced = b - mid >= length / 8;
            pdqsort(s, mid + 1, b, limit);
            b = mid;
        }
    }
}

/* A stable sort: equal elements keep their order. tmp has room for n elements. */
static void merge_sort(void *base, size_t n, size_t size,
                       int (*cmp)(const void *a, const void *b), void *tmp)
{
    char *a = base;
    char *t = tmp;
    size_t mid = n / 2;
    size_t i = 0;
    size_t j = mid;
    size_t k = 0;

    if (n < 2)
        return;
    merge_sort(a, mid, size, cmp, tmp);
    merge_sort(a + mid * size, n - mid, size, cmp, tmp);
    if (cmp(a + (mid - 1) * size, a + mid * size) <= 0)
        return; /* in order already, as a snapshot's keys mostly come */
    while (i < mid && j < n) {
        if (cmp(a + j * size, a + i * size) < 0)
            memcpy(t + k++ * size, a + j++ * size, size);
        else
            memcpy(t + k++ * size, a + i++ * size, size);
    }
    memcpy(t + k * size, a + i * size, (mid - i) * size);
    memcpy(a, t, (k + mid - i) * size); /* what is left from j on is in place */
}

int tmpl_sort_unique(void *base, size_t *n, size_t size,
                     int (*cmp)(const void *a, const void *b), void (*drop)(void *elem))
{
    char *a = base;
    void *tmp;
    size_t out = 0;
    size_t i;

    if (*n < 2)
        return 0;
    tmp = malloc(*n * size);
    if (!tmp)
        return -1;
    merge_sort(a, *n, size, cmp, tmp);
    free(tmp);
    for (i = 0; i < *n; i++) {
        char *e = a + i * size;
        if (i + 1 < *n && cmp(e, e + size) == 0) {
            drop(e);
            continue;
        }
        if (out < i)
            memcpy(a + out * size, e, size);
        out++;
    }
    *n = out;
    return 0;
}

void tmpl_go_sort(tmpl_value *items, size_t n, tmpl_less_fn less_fn)
{
    sorter s;

    if (n <= 1)
        return;
    s.v = items;
    s.less_fn = less_fn;
    pdqsort(&s, 0, (long)n, bits_len((unsigned long)n));
}
