/* tmpl_lex: the lexer of Go's text/template (parse/lex.go), run to completion. */
#ifndef TMPL_LEX_H
#define TMPL_LEX_H

#include <stddef.h>

typedef enum tmpl_tok_type {
    TMPL_T_ERROR,
    TMPL_T_BOOL,
    TMPL_T_CHAR, /* printable ASCII character; grab bag for comma etc. */
    TMPL_T_CHARCONST,
    TMPL_T_COMPLEX,
    TMPL_T_ASSIGN,  /* = */
    TMPL_T_DECLARE, /* := */
    TMPL_T_EOF,
    TMPL_T_FIELD,
    TMPL_T_IDENT,
    TMPL_T_LDELIM,
    TMPL_T_LPAREN,
    TMPL_T_NUMBER,
    TMPL_T_PIPE,
    TMPL_T_RAWSTRING,
    TMPL_T_RDELIM,
    TMPL_T_RPAREN,
    TMPL_T_SPACE,
    TMPL_T_STRING,
    TMPL_T_TEXT,
    TMPL_T_VARIABLE,
    /* keywords: everything after TMPL_T_KEYWORD */
    TMPL_T_KEYWORD,
    TMPL_T_BLOCK,
    TMPL_T_BREAK,
    TMPL_T_CONTINUE,
    TMPL_T_DOT,
    TMPL_T_DEFINE,
    TMPL_T_ELSE,
    TMPL_T_END,
    TMPL_T_IF,
    TMPL_T_NIL,
    TMPL_T_RANGE,
    TMPL_T_TEMPLATE,
    TMPL_T_WITH
} tmpl_tok_type;

typedef struct tmpl_token {
    tmpl_tok_type type;
    size_t pos; /* byte offset in the input */
    size_t len; /* value is input[pos, pos+len), or the error message */
    int line;
} tmpl_token;

typedef struct tmpl_lexer {
    const char *input;
    size_t len;
    tmpl_token *toks; /* owned */
    size_t ntoks;
    char *errmsg; /* owned; message of the final TMPL_T_ERROR token, if any */
} tmpl_lexer;

/* Tokenizes text (borrowed; must outlive the lexer). Returns 0, or -1 when
 * out of memory. A lexical error ends the token list with TMPL_T_ERROR. */
int tmpl_lex_run(tmpl_lexer *lx, const char *text, size_t len);
void tmpl_lex_cleanup(tmpl_lexer *lx);

#endif
