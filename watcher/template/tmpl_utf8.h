/* tmpl_utf8: the few pieces of Go's unicode/utf8 the engine needs. */
#ifndef TMPL_UTF8_H
#define TMPL_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define TMPL_RUNE_ERROR 0xFFFD

/* Decodes one rune from s (n > 0 bytes); returns its size (1 for invalid). */
size_t tmpl_utf8_decode(const char *s, size_t n, int32_t *r);
/* Encodes r into out (4 bytes); returns its size. Invalid runes become U+FFFD. */
size_t tmpl_utf8_encode(int32_t r, char *out);
/* Number of runes in s, counting each invalid byte as one. */
size_t tmpl_utf8_count(const char *s, size_t n);
/* unicode.IsLetter, IsDigit, IsPrint (Go 1.19's tables). */
int tmpl_rune_is_letter(int32_t r);
int tmpl_rune_is_digit(int32_t r);
int tmpl_rune_is_print(int32_t r);
/* unicode.ToUpper / ToLower. */
int32_t tmpl_rune_upper(int32_t r);
int32_t tmpl_rune_lower(int32_t r);

#endif
