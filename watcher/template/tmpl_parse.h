/* tmpl_parse: Go's text/template parser. A set holds the trees of one text:
 * the main template and everything it defines. */
#ifndef TMPL_PARSE_H
#define TMPL_PARSE_H

#include "tmpl_node.h"

#include <stddef.h>

/* Deepest nesting of control structures and parentheses. */
#define TMPL_MAX_PARSE_DEPTH 200

typedef struct tmpl_tree {
    char *name;      /* owned */
    tmpl_node *root; /* LIST node, owned by the set's node chain */
} tmpl_tree;

typedef struct tmpl_set {
    char *name; /* owned: the name errors report (Go's ParseName) */
    char *text; /* owned copy of the template text */
    size_t len;
    tmpl_node *nodes; /* allocation chain */
    tmpl_tree *trees;
    size_t ntrees;
    size_t tcap;
} tmpl_set;

/* Parses text into set. Returns TMPL_OK, TMPL_ENOMEM, or TMPL_EPARSE with *err (new)
 * holding Go's message, e.g. "template: x.tmpl:3: unexpected EOF". The set must be
 * cleaned up either way. */
int tmpl_set_parse(tmpl_set *set, const char *name, const char *text, size_t len,
                   char **err);
const tmpl_tree *tmpl_set_lookup(const tmpl_set *set, const char *name, size_t len);
void tmpl_set_cleanup(tmpl_set *set);

/* Go's strconv.Unquote for "..." `...` and '...' literals; returns a new string
 * (and its length), or NULL on a syntax error (or no memory: *oom set). For
 * character literals *rune receives the value. */
char *tmpl_unquote(const char *s, size_t n, size_t *out_len, int32_t *rune, int *oom);

#endif
