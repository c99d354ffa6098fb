/* libFuzzer harness: the template parser (lexer, parser, node printing). */
#include "template.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tmpl_template *t = NULL;
    char *err = NULL;

    if (tmpl_parse("fuzz.tmpl", (const char *)data, size, &t, &err) == TMPL_OK)
        tmpl_free(t);
    free(err);
    return 0;
}
