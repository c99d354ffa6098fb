/* tmpl_json: encoding/json's Unmarshal into interface{} values, and Marshal. */
#ifndef TMPL_JSON_H
#define TMPL_JSON_H

#include "tmpl_buf.h"
#include "tmpl_value.h"

#include <stddef.h>

#define TMPL_JSON_MAX_DEPTH 1000

typedef enum { TMPL_JSON_OBJECT, TMPL_JSON_ARRAY } tmpl_json_want;

/* json.Unmarshal(data, &map[string]interface{}) or &[]interface{}.
 * Returns 0 with *out (new), TMPL_ENOMEM, or TMPL_EEXEC with errbuf holding Go's text. */
int tmpl_json_decode(const char *s, size_t n, tmpl_json_want want, tmpl_value *out,
                     char *errbuf, size_t errlen);
/* json.Marshal(v): 0, TMPL_ENOMEM, or TMPL_EEXEC with errbuf set. */
int tmpl_json_encode(tmpl_buf *b, tmpl_value v, char *errbuf, size_t errlen);

#endif
