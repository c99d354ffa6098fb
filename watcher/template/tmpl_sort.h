/* tmpl_sort: Go 1.19's sort.Sort (pattern-defeating quicksort), step for step, so
 * that unstable sorts (confd's sortByLength, sortKVByLength) order equal elements
 * exactly as confd does. */
#ifndef TMPL_SORT_H
#define TMPL_SORT_H

#include "tmpl_value.h"

#include <stddef.h>

typedef int (*tmpl_less_fn)(const tmpl_value *a, const tmpl_value *b);

void tmpl_go_sort(tmpl_value *items, size_t n, tmpl_less_fn less);

#endif
