/* suites.h: the watcher unit suites and the helpers they share. */
#ifndef WATCHER_TEST_SUITES_H
#define WATCHER_TEST_SUITES_H

#include <stddef.h>

/* Each adds its suite to the CUnit registry; 0 or a CUnit error code. */
int add_toml_suite(void);
int add_diff_suite(void);
int add_exec_suite(void);
int add_chaos_suite(void);

/* The data directory (tests/watcher/data) joined with rel; new, free(). */
char *tu_data_path(const char *rel);

/* The whole file (new, NUL-terminated, free()) and its length, or NULL. */
char *tu_read_file(const char *path, size_t *len);

/* Write len bytes to path; 0 or -1. */
int tu_write_file(const char *path, const char *data, size_t len);

/* The names in data directory `rel` ending in `suffix`, sorted; new array of new
 * strings, free with tu_free_names(). */
char **tu_list(const char *rel, const char *suffix, size_t *count);
void tu_free_names(char **names, size_t count);

/* Set when EW_TEST_REGEN=1: data-driven suites rewrite their expected files instead
 * of comparing (then review the changes with git diff). */
int tu_regen(void);

/* From now on, the Nth allocation by malloc, calloc or realloc fails (0: none), and
 * tu_alloc_count() counts the allocations made since. */
void tu_fail_alloc(long n);
long tu_alloc_count(void);

#endif
