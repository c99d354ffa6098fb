/* tmpl_path: Go's path package: Clean, Base, Dir and Match (the glob of gets/getvs). */
#ifndef TMPL_PATH_H
#define TMPL_PATH_H

#include "tmpl_buf.h"

#include <stddef.h>

/* Append path.Clean / path.Base / path.Dir of p to b. Return a TMPL_BUF_ code. */
int tmpl_path_clean(tmpl_buf *b, const char *p, size_t n);
int tmpl_path_base(tmpl_buf *b, const char *p, size_t n);
int tmpl_path_dir(tmpl_buf *b, const char *p, size_t n);

/* path.Match: 1 match, 0 no match, -1 ErrBadPattern ("syntax error in pattern"). */
int tmpl_path_match(const char *pat, size_t pn, const char *name, size_t nn);
/* Length of the pattern's literal prefix (before any * ? [ or \). */
size_t tmpl_path_literal_prefix(const char *pat, size_t pn);

#endif
