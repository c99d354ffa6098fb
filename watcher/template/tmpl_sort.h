/* tmpl_sort: Go 1.19's sort.Sort (pattern-defeating quicksort), step for step, so
 * that unstable sorts (confd's sortByLength, sortKVByLength) order equal elements
 * exactly as confd does; and a stable merge sort. */
#ifndef TMPL_SORT_H
#define TMPL_SORT_H

#include "tmpl_value.h"

#include <stddef.h>

typedef int (*tmpl_less_fn)(const tmpl_value *a, const tmpl_value *b);

void tmpl_go_sort(tmpl_value *items, size_t n, tmpl_less_fn less);

/* Sorts the n elements of size bytes at base by cmp, keeping equal ones in their
 * order (O(n log n)); tmp has room for n elements. */
void tmpl_merge_sort(void *base, size_t n, size_t size,
                     int (*cmp)(const void *a, const void *b), void *tmp);

#endif
