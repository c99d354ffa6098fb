#include "tmpl_lex.h"

#include "tmpl_buf.h"
#include "tmpl_fmt.h"
#include "tmpl_utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEX_EOF (-1)
#define SPACE_CHARS " \t\r\n"

typedef struct lex_state {
    tmpl_lexer *lx;
    size_t pos;
    size_t start;
    int line; /* line at start */
    int paren_depth;
    size_t cap;
    int failed; /* out of memory */
    int done;
} lex_state;

static int lex_push(lex_state *l, tmpl_tok_type type, size_t pos, size_t len, int line)
{
    tmpl_lexer *lx = l->lx;
    tmpl_token *toks = tmpl_array_grow(lx->toks, lx->ntoks, &l->cap, sizeof(*toks), 64);

    if (!toks) {
        l->failed = 1;
        return -1;
    }
    lx->toks = toks;
    lx->toks[lx->ntoks].type = type;
    lx->toks[lx->ntoks].pos = pos;
    lx->toks[lx->ntoks].len = len;
    lx->toks[lx->ntoks].line = line;
    lx->ntoks++;
    return 0;
}

static int count_lines(const char *s, size_t n)
{
    int c = 0;
    size_t i;

    for (i = 0; i < n; i++)
        c += s[i] == '\n';
    return c;
}

/* Skips the input between start and pos. */
static void lex_ignore(lex_state *l)
{
    l->line += count_lines(l->lx->input + l->start, l->pos - l->start);
    l->start = l->pos;
}

/* Makes a token of the input between start and pos. */
static void lex_emit(lex_state *l, tmpl_tok_type type)
{
    lex_push(l, type, l->start, l->pos - l->start, l->line);
    lex_ignore(l);
}

static void lex_error(lex_state *l, const char *fmt, const char *arg)
{
    tmpl_buf b;

    tmpl_buf_init(&b, 0);
    if (tmpl_buf_addf(&b, fmt, arg) != 0 || tmpl_buf_add(&b, "", 0) != 0) {
        tmpl_buf_cleanup(&b);
        l->failed = 1;
        return;
    }
    l->lx->errmsg = tmpl_buf_steal(&b, NULL);
    lex_push(l, TMPL_T_ERROR, l->start, strlen(l->lx->errmsg), l->line);
    l->done = 1;
}

/* Formats a rune like Go's %#U: U+0041 'A'. */
static void fmt_rune_u(char *out, size_t n, int32_t r)
{
    char enc[5];
    size_t k;

    if (tmpl_rune_is_print(r)) {
        k = tmpl_utf8_encode(r, enc);
        enc[k] = '\0';
        snprintf(out, n, "U+%04X '%s'", (unsigned)r, enc);
    } else {
        snprintf(out, n, "U+%04X", (unsigned)r);
    }
}

static void lex_error_rune(lex_state *l, const char *fmt, int32_t r)
{
    char u[32];

    fmt_rune_u(u, sizeof(u), r);
    lex_error(l, fmt, u);
}

static int32_t lex_peek_rune(lex_state *l, size_t at, size_t *w)
{
    int32_t r;

    if (at >= l->lx->len) {
        *w = 0;
        return LEX_EOF;
    }
    *w = tmpl_utf8_decode(l->lx->input + at, l->lx->len - at, &r);
    return r;
}

static int32_t lex_next(lex_state *l, size_t *w)
{
    int32_t r = lex_peek_rune(l, l->pos, w);

    l->pos += *w;
    return r;
}

static int32_t lex_peek(lex_state *l)
{
    size_t w;

    return lex_peek_rune(l, l->pos, &w);
}

static int has_prefix(lex_state *l, size_t at, const char *p)
{
    size_t n = strlen(p);

    return at <= l->lx->len && l->lx->len - at >= n &&
           memcmp(l->lx->input + at, p, n) == 0;
}

static int is_space(int32_t r)
{
    return r == ' ' || r == '\t' || r == '\r' || r == '\n';
}

static int is_alnum(int32_t r)
{
    return r == '_' || tmpl_rune_is_letter(r) || tmpl_rune_is_digit(r);
}

static int has_left_trim(lex_state *l, size_t at)
{
    return at + 1 < l->lx->len && l->lx->input[at] == '-' &&
           is_space(l->lx->input[at + 1]);
}

static int has_right_trim(lex_state *l, size_t at)
{
    return at + 1 < l->lx->len && is_space(l->lx->input[at]) &&
           l->lx->input[at + 1] == '-';
}

/* atRightDelim: reports a closing delimiter at pos, and whether it is " -}}". */
static int at_right_delim(lex_state *l, int *trim)
{
    *trim = 0;
    if (has_right_trim(l, l->pos) && has_prefix(l, l->pos + 2, "}}")) {
        *trim = 1;
        return 1;
    }
    return has_prefix(l, l->pos, "}}");
}

static size_t left_trim_len(lex_state *l, size_t at)
{
    size_t i = at;

    while (i < l->lx->len && strchr(SPACE_CHARS, l->lx->input[i]) && l->lx->input[i])
        i++;
    return i - at;
}

static size_t right_trim_len(const char *s, size_t n)
{
    size_t i = n;

    while (i > 0 && s[i - 1] && strchr(SPACE_CHARS, s[i - 1]))
        i--;
    return n - i;
}

typedef enum { ST_TEXT, ST_LDELIM, ST_COMMENT, ST_INSIDE, ST_RDELIM } lex_st;

static lex_st lex_text(lex_state *l)
{
    const char *in = l->lx->input;
    const char *hit = NULL;
    size_t i;
    size_t trim = 0;

    for (i = l->pos; i + 1 < l->lx->len; i++) {
        if (in[i] == '{' && in[i + 1] == '{') {
            hit = in + i;
            break;
        }
    }
    if (!hit) {
        l->pos = l->lx->len;
        if (l->pos > l->start)
            lex_emit(l, TMPL_T_TEXT);
        lex_emit(l, TMPL_T_EOF);
        l->done = 1;
        return ST_TEXT;
    }
    if (i > l->pos) {
        l->pos = i;
        if (has_left_trim(l, l->pos + 2))
            trim = right_trim_len(in + l->start, l->pos - l->start);
        l->pos -= trim;
        if (l->pos > l->start)
            lex_emit(l, TMPL_T_TEXT);
        l->pos += trim;
        lex_ignore(l);
    }
    return ST_LDELIM;
}

static lex_st lex_left_delim(lex_state *l)
{
    size_t after = 0;

    l->pos += 2;
    if (has_left_trim(l, l->pos))
        after = 2;
    if (has_prefix(l, l->pos + after, "/*")) {
        l->pos += after;
        lex_ignore(l);
        return ST_COMMENT;
    }
    lex_emit(l, TMPL_T_LDELIM);
    l->pos += after;
    lex_ignore(l);
    l->paren_depth = 0;
    return ST_INSIDE;
}

static lex_st lex_comment(lex_state *l)
{
    size_t i;
    int trim;

    l->pos += 2;
    for (i = l->pos; i + 1 < l->lx->len; i++) {
        if (l->lx->input[i] == '*' && l->lx->input[i + 1] == '/')
            break;
    }
    if (i + 1 >= l->lx->len) {
        lex_error(l, "%s", "unclosed comment");
        return ST_TEXT;
    }
    l->pos = i + 2;
    if (!at_right_delim(l, &trim)) {
        lex_error(l, "%s", "comment ends before closing delimiter");
        return ST_TEXT;
    }
    if (trim)
        l->pos += 2;
    l->pos += 2;
    if (trim)
        l->pos += left_trim_len(l, l->pos);
    lex_ignore(l);
    return ST_TEXT;
}

static lex_st lex_right_delim(lex_state *l)
{
    int trim;

    at_right_delim(l, &trim);
    if (trim) {
        l->pos += 2;
        lex_ignore(l);
    }
    l->pos += 2;
    lex_emit(l, TMPL_T_RDELIM);
    if (trim) {
        l->pos += left_trim_len(l, l->pos);
        lex_ignore(l);
    }
    return ST_TEXT;
}

static int at_terminator(lex_state *l)
{
    int32_t r = lex_peek(l);

    if (is_space(r))
        return 1;
    switch (r) {
    case LEX_EOF:
    case '.':
    case ',':
    case '|':
    case ':':
    case ')':
    case '(':
        return 1;
    default:
        return has_prefix(l, l->pos, "}}");
    }
}

static void lex_space(lex_state *l)
{
    int spaces = 0;
    size_t w;

    while (is_space(lex_peek(l))) {
        lex_next(l, &w);
        spaces++;
    }
    if (has_right_trim(l, l->pos - 1) && has_prefix(l, l->pos + 1, "}}")) {
        l->pos--;
        if (spaces == 1)
            return; /* on the delimiter */
    }
    lex_emit(l, TMPL_T_SPACE);
}

static const struct {
    const char *word;
    tmpl_tok_type type;
} lex_keywords[] = {
    {".", TMPL_T_DOT},
    {"block", TMPL_T_BLOCK},
    {"break", TMPL_T_BREAK},
    {"continue", TMPL_T_CONTINUE},
    {"define", TMPL_T_DEFINE},
    {"else", TMPL_T_ELSE},
    {"end", TMPL_T_END},
    {"if", TMPL_T_IF},
    {"range", TMPL_T_RANGE},
    {"nil", TMPL_T_NIL},
    {"template", TMPL_T_TEMPLATE},
    {"with", TMPL_T_WITH},
};

static tmpl_tok_type word_type(const char *w, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof(lex_keywords) / sizeof(lex_keywords[0]); i++) {
        if (strlen(lex_keywords[i].word) == n && memcmp(lex_keywords[i].word, w, n) == 0)
            return lex_keywords[i].type;
    }
    if (w[0] == '.')
        return TMPL_T_FIELD;
    if ((n == 4 && memcmp(w, "true", 4) == 0) || (n == 5 && memcmp(w, "false", 5) == 0))
        return TMPL_T_BOOL;
    return TMPL_T_IDENT;
}

/* Scans the alphanumeric run of a word; returns 0 (after reporting it) when the
 * word ends in a character that cannot end it. */
static int lex_word(lex_state *l)
{
    size_t w;
    int32_t r;

    do {
        r = lex_next(l, &w);
    } while (is_alnum(r));
    l->pos -= w;
    if (!at_terminator(l)) {
        lex_error_rune(l, "bad character %s", r);
        return 0;
    }
    return 1;
}

static void lex_identifier(lex_state *l)
{
    if (lex_word(l))
        lex_emit(l, word_type(l->lx->input + l->start, l->pos - l->start));
}

/* A field (".x") or a variable ("$x"); a bare "." or "$" when nothing follows. */
static void lex_field_or_var(lex_state *l, tmpl_tok_type type)
{
    if (at_terminator(l))
        lex_emit(l, type == TMPL_T_VARIABLE ? TMPL_T_VARIABLE : TMPL_T_DOT);
    else if (lex_word(l))
        lex_emit(l, type);
}

/* Scans a quoted string or character constant; returns 0 when unterminated. */
static int lex_quoted(lex_state *l, char quote)
{
    size_t w;
    int32_t r;

    for (;;) {
        r = lex_next(l, &w);
        if (r == '\\') {
            r = lex_next(l, &w);
            if (r != LEX_EOF && r != '\n')
                continue;
            return 0;
        }
        if (r == LEX_EOF || r == '\n')
            return 0;
        if (r == quote)
            return 1;
    }
}

static int lex_accept(lex_state *l, const char *valid)
{
    if (l->pos < l->lx->len && l->lx->input[l->pos] &&
        strchr(valid, l->lx->input[l->pos])) {
        l->pos++;
        return 1;
    }
    return 0;
}

static void lex_accept_run(lex_state *l, const char *valid)
{
    while (lex_accept(l, valid))
        ;
}

static int scan_number(lex_state *l)
{
    const char *digits = "0123456789_";
    size_t w;

    lex_accept(l, "+-");
    if (lex_accept(l, "0")) {
        if (lex_accept(l, "xX"))
            digits = "0123456789abcdefABCDEF_";
        else if (lex_accept(l, "oO"))
            digits = "01234567_";
        else if (lex_accept(l, "bB"))
            digits = "01_";
    }
    lex_accept_run(l, digits);
    if (lex_accept(l, "."))
        lex_accept_run(l, digits);
    if (strlen(digits) == 11 && lex_accept(l, "eE")) {
        lex_accept(l, "+-");
        lex_accept_run(l, "0123456789_");
    }
    if (strlen(digits) == 23 && lex_accept(l, "pP")) {
        lex_accept(l, "+-");
        lex_accept_run(l, "0123456789_");
    }
    lex_accept(l, "i");
    if (is_alnum(lex_peek(l))) {
        lex_next(l, &w);
        return 0;
    }
    return 1;
}

static void lex_number_error(lex_state *l)
{
    tmpl_buf b;

    tmpl_buf_init(&b, 0);
    if (tmpl_go_quote(&b, l->lx->input + l->start, l->pos - l->start, 0) != 0)
        l->failed = 1;
    else
        lex_error(l, "bad number syntax: %s", b.data);
    tmpl_buf_cleanup(&b);
}

static void lex_number(lex_state *l)
{
    int32_t sign;

    if (!scan_number(l)) {
        lex_number_error(l);
        return;
    }
    sign = lex_peek(l);
    if (sign == '+' || sign == '-') {
        if (!scan_number(l) || l->lx->input[l->pos - 1] != 'i') {
            lex_number_error(l);
            return;
        }
        lex_emit(l, TMPL_T_COMPLEX);
        return;
    }
    lex_emit(l, TMPL_T_NUMBER);
}

static lex_st lex_inside_punct(lex_state *l, int32_t r)
{
    size_t w;

    switch (r) {
    case '=':
        lex_emit(l, TMPL_T_ASSIGN);
        break;
    case ':':
        if (lex_next(l, &w) != '=') {
            lex_error(l, "%s", "expected :=");
            break;
        }
        lex_emit(l, TMPL_T_DECLARE);
        break;
    case '|':
        lex_emit(l, TMPL_T_PIPE);
        break;
    case '"':
        if (!lex_quoted(l, '"'))
            lex_error(l, "%s", "unterminated quoted string");
        else
            lex_emit(l, TMPL_T_STRING);
        break;
    case '`':
        do {
            r = lex_next(l, &w);
        } while (r != LEX_EOF && r != '`');
        if (r == LEX_EOF)
            lex_error(l, "%s", "unterminated raw quoted string");
        else
            lex_emit(l, TMPL_T_RAWSTRING);
        break;
    case '\'':
        if (!lex_quoted(l, '\''))
            lex_error(l, "%s", "unterminated character constant");
        else
            lex_emit(l, TMPL_T_CHARCONST);
        break;
    case '(':
        l->paren_depth++;
        lex_emit(l, TMPL_T_LPAREN);
        break;
    case ')':
        lex_emit(l, TMPL_T_RPAREN);
        l->paren_depth--;
        if (l->paren_depth < 0)
            lex_error_rune(l, "unexpected right paren %s", r);
        break;
    default:
        if (r < 0x80 && tmpl_rune_is_print(r))
            lex_emit(l, TMPL_T_CHAR);
        else
            lex_error_rune(l, "unrecognized character in action: %s", r);
    }
    return ST_INSIDE;
}

static lex_st lex_inside(lex_state *l)
{
    int trim;
    size_t w;
    int32_t r;

    if (at_right_delim(l, &trim)) {
        if (l->paren_depth == 0)
            return ST_RDELIM;
        lex_error(l, "%s", "unclosed left paren");
        return ST_INSIDE;
    }
    r = lex_next(l, &w);
    if (r == LEX_EOF) {
        lex_error(l, "%s", "unclosed action");
    } else if (is_space(r)) {
        l->pos -= w;
        lex_space(l);
    } else if (r == '$') {
        lex_field_or_var(l, TMPL_T_VARIABLE);
    } else if (r == '.' && l->pos < l->lx->len &&
               (l->lx->input[l->pos] < '0' || l->lx->input[l->pos] > '9')) {
        lex_field_or_var(l, TMPL_T_FIELD);
    } else if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
        l->pos -= w;
        lex_number(l);
    } else if (is_alnum(r)) {
        l->pos -= w;
        lex_identifier(l);
    } else {
        return lex_inside_punct(l, r);
    }
    return ST_INSIDE;
}

int tmpl_lex_run(tmpl_lexer *lx, const char *text, size_t len)
{
    lex_state l;
    lex_st st = ST_TEXT;

    memset(lx, 0, sizeof(*lx));
    lx->input = text;
    lx->len = len;
    memset(&l, 0, sizeof(l));
    l.lx = lx;
    l.line = 1;
    while (!l.done && !l.failed) {
        switch (st) {
        case ST_TEXT:
            st = lex_text(&l);
            break;
        case ST_LDELIM:
            st = lex_left_delim(&l);
            break;
        case ST_COMMENT:
            st = lex_comment(&l);
            break;
        case ST_INSIDE:
            st = lex_inside(&l);
            break;
        case ST_RDELIM:
            st = lex_right_delim(&l);
            break;
        }
    }
    if (l.failed) {
        tmpl_lex_cleanup(lx);
        return -1;
    }
    return 0;
}

void tmpl_lex_cleanup(tmpl_lexer *lx)
{
    free(lx->toks);
    free(lx->errmsg);
    lx->toks = NULL;
    lx->errmsg = NULL;
    lx->ntoks = 0;
}
