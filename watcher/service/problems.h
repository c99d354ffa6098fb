/*
 * problems.h: a list of problems found while loading configuration, so that
 * check-config can report every one of them, each with its file:line.
 */
#ifndef EW_PROBLEMS_H
#define EW_PROBLEMS_H

#include <stddef.h>

typedef struct ew_problems {
    char **items;
    size_t count;
} ew_problems;

/* Add a formatted problem. Out of memory drops it (and counts it, so count > 0). */
void ew_problem(ew_problems *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void ew_problems_free(ew_problems *p);

#endif /* EW_PROBLEMS_H */
