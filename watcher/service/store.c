/*
 * store.c: a sorted array of entries, each key and value in one allocation.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

void ew_store_init(ew_store *s)
{
    memset(s, 0, sizeof(*s));
}

void ew_store_cleanup(ew_store *s)
{
    size_t i;

    for (i = 0; i < s->count; i++)
        free(s->items[i]);
    free(s->items);
    ew_store_init(s);
}

size_t ew_store_lower_bound(const ew_store *s, const char *key)
{
    size_t lo = 0, hi = s->count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(s->items[mid]->key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int ew_store_covers(const char *prefix, const char *key)
{
    size_t n = strlen(prefix);

    if (n == 1 && prefix[0] == '/')
        return key[0] == '/';
    return strncmp(key, prefix, n) == 0 && (key[n] == '\0' || key[n] == '/');
}

static ew_entry *entry_new(const char *key, const char *value, size_t value_len)
{
    size_t key_len = strlen(key);
    ew_entry *e = malloc(sizeof(*e) + key_len + 1 + value_len + 1);

    if (!e)
        return NULL;
    e->key_len = key_len;
    e->value_len = value_len;
    memcpy(e->key, key, key_len + 1);
    memcpy(e->key + key_len + 1, value, value_len);
    e->key[key_len + 1 + value_len] = '\0';
    e->value = e->key + key_len + 1;
    return e;
}

int ew_store_put(ew_store *s, const char *key, const char *value, size_t value_len)
{
    size_t at = ew_store_lower_bound(s, key);
    ew_entry *e = entry_new(key, value, value_len);

    if (!e)
        return -1;
    if (at < s->count && strcmp(s->items[at]->key, key) == 0) {
        free(s->items[at]);
        s->items[at] = e;
        return 0;
    }
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        ew_entry **items = realloc(s->items, cap * sizeof(*items));

        if (!items) {
            free(e);
            return -1;
        }
        s->items = items;
        s->cap = cap;
    }
    memmove(&s->items[at + 1], &s->items[at], (s->count - at) * sizeof(*s->items));
    s->items[at] = e;
    s->count++;
    return 0;
}

/* ---- Batches ---------------------------------------------------------------------- */

void ew_store_batch_init(ew_store_batch *b)
{
    memset(b, 0, sizeof(*b));
}

void ew_store_batch_cleanup(ew_store_batch *b)
{
    size_t i;

    for (i = 0; i < b->count; i++)
        free(b->items[i]);
    free(b->items);
    ew_store_batch_init(b);
}

int ew_store_batch_add(ew_store_batch *b, const char *key, const char *value,
                       size_t value_len)
{
    ew_entry *e;

    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        ew_entry **items = realloc(b->items, cap * sizeof(*items));

        if (!items)
            return -1;
        b->items = items;
        b->cap = cap;
    }
    e = entry_new(key, value, value_len);
    if (!e)
        return -1;
    b->items[b->count++] = e;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp((*(ew_entry *const *)a)->key, (*(ew_entry *const *)b)->key);
}

/* Sort b by key, keeping one entry of each key. */
static void batch_sort(ew_store_batch *b)
{
    size_t i, n = 1;

    for (i = 1; i < b->count; i++) {
        if (strcmp(b->items[i - 1]->key, b->items[i]->key) >= 0)
            break;
    }
    if (i == b->count)
        return; /* already strictly increasing: v3 pages, or a sorted etcd answer */
    qsort(b->items, b->count, sizeof(*b->items), cmp_entry);
    for (i = 1; i < b->count; i++) {
        if (strcmp(b->items[n - 1]->key, b->items[i]->key) == 0) {
            free(b->items[n - 1]); /* not expected from etcd; keep one */
            b->items[n - 1] = b->items[i];
        } else {
            b->items[n++] = b->items[i];
        }
    }
    b->count = n;
}

int ew_store_batch_commit(ew_store *s, ew_store_batch *b)
{
    size_t need, i, j, k, equal = 0;

    if (b->count == 0)
        return 0;
    batch_sort(b); /* etcd's v2 answers come in its map's order */
    need = s->count + b->count;
    /* Grow the store's own array (not a second, merged one: 100 prefixes read one by
     * one would leave the heap strewn with freed arrays of every size). */
    if (need > s->cap) {
        size_t cap = s->cap * 2 > need ? s->cap * 2 : need;
        ew_entry **items = realloc(s->items, cap * sizeof(*items));

        if (!items)
            return -1;
        s->items = items;
        s->cap = cap;
    }
    /* Merge from the back into items[0, need): the next write, at k - 1 with
     * k = i + j + equal, never overwrites a store entry not yet moved. A key in both
     * takes one slot: the merged run then starts at items[equal]. */
    i = s->count;
    j = b->count;
    k = need;
    while (j > 0) {
        int c = i ? strcmp(s->items[i - 1]->key, b->items[j - 1]->key) : -1;

        if (c > 0) {
            s->items[--k] = s->items[--i];
            continue;
        }
        if (c == 0) { /* the batch's entry replaces the store's */
            free(s->items[--i]);
            equal++;
        }
        s->items[--k] = b->items[--j];
    }
    if (equal)
        memmove(&s->items[i], &s->items[i + equal],
                (need - equal - i) * sizeof(*s->items));
    s->count = need - equal;
    free(b->items);
    ew_store_batch_init(b);
    return 0;
}

/* Remove items[from, to). */
static void remove_range(ew_store *s, size_t from, size_t to)
{
    size_t i;

    if (from == to)
        return; /* also when the store is still empty (items NULL) */
    for (i = from; i < to; i++)
        free(s->items[i]);
    memmove(&s->items[from], &s->items[to], (s->count - to) * sizeof(*s->items));
    s->count -= to - from;
}

int ew_store_remove_key(ew_store *s, const char *key)
{
    size_t at = ew_store_lower_bound(s, key);

    if (at >= s->count || strcmp(s->items[at]->key, key) != 0)
        return 0;
    remove_range(s, at, at + 1);
    return 1;
}

size_t ew_store_remove(ew_store *s, const char *key)
{
    size_t removed = 0, n = strlen(key), at, end;
    char *dir;

    if (n == 1 && key[0] == '/') {
        removed = s->count;
        remove_range(s, 0, s->count);
        return removed;
    }
    at = ew_store_lower_bound(s, key);
    if (at < s->count && strcmp(s->items[at]->key, key) == 0) {
        remove_range(s, at, at + 1);
        removed++;
    }
    /* Everything below it is contiguous from the first key >= "key/". */
    dir = malloc(n + 2);
    if (!dir)
        return removed;
    memcpy(dir, key, n);
    dir[n] = '/';
    dir[n + 1] = '\0';
    at = ew_store_lower_bound(s, dir);
    for (end = at; end < s->count && strncmp(s->items[end]->key, dir, n + 1) == 0; end++)
        ;
    free(dir);
    remove_range(s, at, end);
    return removed + (end - at);
}

int ew_store_each(const ew_store *s, const char *prefix,
                  int (*fn)(const ew_entry *e, void *data), void *data)
{
    size_t n = strlen(prefix), at;
    int rc;

    if (n == 1 && prefix[0] == '/') {
        for (at = 0; at < s->count; at++) {
            rc = fn(s->items[at], data);
            if (rc)
                return rc;
        }
        return 0;
    }
    at = ew_store_lower_bound(s, prefix);
    if (at < s->count && strcmp(s->items[at]->key, prefix) == 0) {
        rc = fn(s->items[at], data);
        if (rc)
            return rc;
        at++;
    }
    /* Skip keys such as "prefix-x" that sort between "prefix" and "prefix/". */
    while (at < s->count && strncmp(s->items[at]->key, prefix, n) == 0 &&
           s->items[at]->key[n] < '/')
        at++;
    for (; at < s->count && ew_store_covers(prefix, s->items[at]->key); at++) {
        rc = fn(s->items[at], data);
        if (rc)
            return rc;
    }
    return 0;
}
