/*
 * diff.h: unified diffs of two texts, as `diff -u` prints them, for --noop.
 */
#ifndef EW_DIFF_H
#define EW_DIFF_H

#include <stddef.h>

/* Write to *out (new, NUL-terminated; free()) the unified diff of `old` (old_len bytes,
 * labelled old_name) and `new_text` (new_name), with 3 lines of context, exactly as GNU
 * `diff -u` prints it (including "\ No newline at end of file"), but with the header
 * lines "--- old_name" and "+++ new_name" without timestamps. Identical texts give an
 * empty string; texts holding a NUL byte are binary to diff, and give its one line
 * "Binary files old_name and new_name differ\n". Returns 0, or -1 when out of memory.
 * Time and memory stay reasonable for files of 100,000 lines that differ in a few
 * places (Myers' O(ND) algorithm with linear space, or common prefix/suffix trimming
 * plus a bounded fallback). */
int ew_diff_unified(const char *old, size_t old_len, const char *old_name,
                    const char *new_text, size_t new_len, const char *new_name,
                    char **out);

#endif /* EW_DIFF_H */
