/*
 * store.h: the watcher's in-memory copy of the keys under its watched prefixes, kept
 * sorted by key so that a prefix is a range. Events update it in place.
 */
#ifndef EW_STORE_H
#define EW_STORE_H

#include <stddef.h>

typedef struct ew_entry {
    size_t key_len;
    size_t value_len;
    const char *value; /* points after the key, inside this allocation */
    char key[];        /* NUL-terminated, then the value, NUL-terminated */
} ew_entry;

typedef struct ew_store {
    ew_entry **items;
    size_t count;
    size_t cap;
} ew_store;

void ew_store_init(ew_store *s);
void ew_store_cleanup(ew_store *s);

/* Set key to value (copied). Returns 0, or -1 when out of memory. */
int ew_store_put(ew_store *s, const char *key, const char *value, size_t value_len);

/* A batch of entries put into a store at once (the read of a prefix): add in any order,
 * then ew_store_batch_commit() sorts the batch and merges it into the store in one pass,
 * where one ew_store_put() per key would move the tail of the store's array each time
 * (quadratic for a read of 10,000 keys in etcd's unsorted order). */
typedef struct ew_store_batch {
    ew_entry **items; /* owned until committed */
    size_t count;
    size_t cap;
} ew_store_batch;

void ew_store_batch_init(ew_store_batch *b);
/* Add key and value (copied). Returns 0, or -1 when out of memory. */
int ew_store_batch_add(ew_store_batch *b, const char *key, const char *value,
                       size_t value_len);
/* Move every entry of b into s; an entry of b replaces the entry of s with the same key,
 * as ew_store_put() does (keys within one batch must be distinct). b is left empty.
 * Returns 0, or -1 when out of memory: s is then unchanged and b still holds its
 * entries (free them with ew_store_batch_cleanup()). */
int ew_store_batch_commit(ew_store *s, ew_store_batch *b);
void ew_store_batch_cleanup(ew_store_batch *b);

/* Remove key and, when it is a directory, everything below it ("key/..."). Returns how
 * many entries went. */
size_t ew_store_remove(ew_store *s, const char *key);

/* Remove exactly `key` (v3 has no directories). Returns 1 if it was there. */
int ew_store_remove_key(ew_store *s, const char *key);

/* The index of the first entry whose key is >= key. */
size_t ew_store_lower_bound(const ew_store *s, const char *key);

/* Whether `key` is `prefix` or below it. */
int ew_store_covers(const char *prefix, const char *key);

/* Call fn for every entry at or below `prefix` ("/": all), in key order; stop early
 * when fn returns nonzero, and return that. */
int ew_store_each(const ew_store *s, const char *prefix,
                  int (*fn)(const ew_entry *e, void *data), void *data);
#endif /* EW_STORE_H */
