/* tmpl_fmt: Go's fmt and strconv formatting of template values. */
#ifndef TMPL_FMT_H
#define TMPL_FMT_H

#include "tmpl_buf.h"
#include "tmpl_value.h"

#include <stddef.h>

/* fmt.Fprint(v): how an action prints a value. Returns a TMPL_BUF_ code. */
int tmpl_fmt_value(tmpl_buf *b, tmpl_value v);
/* fmt.Sprint / Sprintln / Sprintf over args. */
int tmpl_fmt_sprint(tmpl_buf *b, const tmpl_value *args, size_t n);
int tmpl_fmt_sprintln(tmpl_buf *b, const tmpl_value *args, size_t n);
int tmpl_fmt_sprintf(tmpl_buf *b, const char *format, size_t flen, const tmpl_value *args,
                     size_t n);
/* strconv's one-letter escapes \a \b \f \n \r \t \v: the letter of control
 * character c (0: none), and the character of a letter (-1: none). */
char tmpl_escape_letter(int32_t c);
int32_t tmpl_escape_char(char letter);
/* strconv.Quote (ascii: QuoteToASCII). */
int tmpl_go_quote(tmpl_buf *b, const char *s, size_t n, int ascii);
/* strconv.FormatFloat(f, fmt, prec, 64) for fmt in e E f g G; prec -1: shortest. */
int tmpl_fmt_float(tmpl_buf *b, double f, char fmt, int prec);

#endif
