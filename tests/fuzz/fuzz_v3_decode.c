/*
 * libFuzzer harness for libetcd's v3 answer decoders: each input is decoded as a 2xx
 * v3 answer by etcd__response_parse() (the fast decoder of lib/src/v3_fast.c, falling
 * back to Jansson) and by etcd__response_parse_full() (Jansson only). The two responses
 * must be the same in every field (tests/unit/v3_same.h); a difference aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "response_int.h"
#include "v3_same.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    long http = 200;
    etcd_response *fast, *full;
    v3_diff d = {""};

    /* The first byte picks the status now and then, for the error paths. */
    if (size > 0 && data[0] == '#') {
        http = 400;
        body++;
        size--;
    }
    fast = etcd__response_parse(ETCD__DECODE_V3, http, body, size);
    full = etcd__response_parse_full(ETCD__DECODE_V3, http, body, size);
    if (!fast || !full) {
        /* out of memory: nothing to compare */
        etcd_response_free(fast);
        etcd_response_free(full);
        return 0;
    }
    if (!same_response(fast, full, &d)) {
        fprintf(stderr, "fast and full decoders differ: %s\n", d.why);
        abort();
    }
    etcd_response_free(fast);
    etcd_response_free(full);
    return 0;
}
