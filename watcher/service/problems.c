/*
 * problems.c: the list of configuration problems.
 */
#include "problems.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void ew_problem(ew_problems *p, const char *fmt, ...)
{
    char **grown;
    char *text;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    grown = realloc(p->items, (p->count + 1) * sizeof(*grown));
    if (!grown) {
        free(text);
        return;
    }
    p->items = grown;
    if (text) {
        va_start(ap, fmt);
        vsnprintf(text, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    p->items[p->count++] = text;
}

void ew_problems_free(ew_problems *p)
{
    size_t i;

    for (i = 0; i < p->count; i++)
        free(p->items[i]);
    free(p->items);
    p->items = NULL;
    p->count = 0;
}
