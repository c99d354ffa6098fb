/* tmpl_node: the parse tree of a template (Go's text/template/parse nodes). */
#ifndef TMPL_NODE_H
#define TMPL_NODE_H

#include "tmpl_buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum tmpl_node_type {
    TMPL_N_LIST,
    TMPL_N_TEXT,
    TMPL_N_ACTION,
    TMPL_N_PIPE,
    TMPL_N_COMMAND,
    TMPL_N_IDENT,
    TMPL_N_VAR,
    TMPL_N_DOT,
    TMPL_N_NIL,
    TMPL_N_FIELD,
    TMPL_N_CHAIN,
    TMPL_N_BOOL,
    TMPL_N_NUMBER,
    TMPL_N_STRING,
    TMPL_N_IF,
    TMPL_N_RANGE,
    TMPL_N_WITH,
    TMPL_N_TEMPLATE,
    TMPL_N_BREAK,
    TMPL_N_CONTINUE,
    TMPL_N_END,
    TMPL_N_ELSE
} tmpl_node_type;

typedef struct tmpl_node tmpl_node;

struct tmpl_node {
    tmpl_node_type type;
    size_t pos; /* byte offset in the template text: errors derive line:col from it */
    tmpl_node *next_alloc; /* chain of every node of a template, for freeing */

    /* LIST items, PIPE commands, COMMAND args */
    tmpl_node **kids;
    size_t nkids;
    size_t kcap;
    /* PIPE declarations (VAR nodes) */
    tmpl_node **decl;
    size_t ndecl;
    bool is_assign;

    /* FIELD / VAR: identifiers ("$x" "a" "b" or "a" "b"); CHAIN: fields */
    char **idents;
    size_t nidents;
    size_t icap;

    /* IF/RANGE/WITH/TEMPLATE/ACTION: pipe; CHAIN: base node */
    tmpl_node *pipe;
    tmpl_node *list;
    tmpl_node *else_list;
    tmpl_node *base;

    /* TEXT: borrowed from the template text; STRING: unquoted value (owned);
     * NUMBER, IDENT: literal text (owned); TEMPLATE: name (owned). */
    const char *text;
    size_t text_len;
    char *owned;
    /* STRING: the quoted form as written (borrowed) */
    const char *quoted;
    size_t quoted_len;

    bool bool_val;
    bool is_int;
    bool is_uint;
    bool is_float;
    int64_t ival;
    uint64_t uval;
    double fval;
};

/* Whether a NUMBER node is written like a float: with a '.', an exponent or a 'p'
 * (Go's strings.ContainsAny(text, ".eEpP"); a hexadecimal integer may match too). */
bool tmpl_number_looks_float(const tmpl_node *n);
/* Appends Go's String() of n to b (used in error messages). */
int tmpl_node_write(tmpl_buf *b, const tmpl_node *n);
/* Frees every node of an allocation chain. */
void tmpl_node_free_all(tmpl_node *first);

#endif
