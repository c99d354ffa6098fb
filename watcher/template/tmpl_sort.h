/* tmpl_sort: Go 1.19's sort.Sort (pattern-defeating quicksort), step for step, so
 * that unstable sorts (confd's sortByLength, sortKVByLength) order equal elements
 * exactly as confd does; and a stable merge sort. */
#ifndef TMPL_SORT_H
#define TMPL_SORT_H

#include "tmpl_value.h"

#include <stddef.h>

typedef int (*tmpl_less_fn)(const tmpl_value *a, const tmpl_value *b);

void tmpl_go_sort(tmpl_value *items, size_t n, tmpl_less_fn less);

/* Sorts the *n elements of size bytes at base by cmp (O(n log n)) and keeps, of
 * elements that compare equal, only the one that came last; drop releases the
 * others and *n becomes the number kept. Returns 0, or -1 when out of memory
 * (nothing changed). */
int tmpl_sort_unique(void *base, size_t *n, size_t size,
                     int (*cmp)(const void *a, const void *b), void (*drop)(void *elem));

#endif
