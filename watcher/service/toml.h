/*
 * toml.h: the subset of TOML that confd's template resource files use.
 *
 * confd reads the conf.d/NAME.toml files, with one table, [template], holding strings
 * (basic
 * "..." with escapes, and literal '...'; multi-line forms too), integers (decimal, 0o
 * octal, 0x hex, with _), booleans, and arrays of strings (possibly spread over lines,
 * trailing comma allowed), with # comments. Other tables are parsed and kept too.
 * Anything else (dates, floats, inline tables, arrays of tables) is an error naming
 * file:line:column.
 */
#ifndef EW_TOML_H
#define EW_TOML_H

#include <stddef.h>
#include <stdint.h>

typedef enum ew_toml_type {
    EW_TOML_STRING,
    EW_TOML_INTEGER,
    EW_TOML_BOOL,
    EW_TOML_STRING_ARRAY
} ew_toml_type;

typedef struct ew_toml_value {
    const char *table; /* "template"; "" for keys before any table */
    const char *key;
    ew_toml_type type;
    const char *string;         /* EW_TOML_STRING */
    int64_t integer;            /* EW_TOML_INTEGER, EW_TOML_BOOL (0/1) */
    const char *const *strings; /* EW_TOML_STRING_ARRAY */
    size_t nstrings;
    unsigned line; /* where the key stands, 1-based */
} ew_toml_value;

typedef struct ew_toml ew_toml;

/* Parse `text` (len bytes) read from `path` (used in messages). On success *out is new
 * (free with ew_toml_free()) and 0 is returned; on error -1 and *err is a new string
 * "path:line:col: what is wrong" (free()). A key defined twice in one table is an
 * error, as in TOML. */
int ew_toml_parse(const char *path, const char *text, size_t len, ew_toml **out,
                  char **err);

/* The values in file order. Borrowed; valid until ew_toml_free(). */
size_t ew_toml_count(const ew_toml *doc);
const ew_toml_value *ew_toml_at(const ew_toml *doc, size_t i);

/* The value of table.key, or NULL. */
const ew_toml_value *ew_toml_get(const ew_toml *doc, const char *table, const char *key);

void ew_toml_free(ew_toml *doc);

#endif /* EW_TOML_H */
