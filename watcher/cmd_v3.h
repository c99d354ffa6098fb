/*
 * etcdwatch: what the v3 commands (cmd_v3_*.c) share.
 */
#ifndef ETCDWATCH_CMD_V3_H
#define ETCDWATCH_CMD_V3_H

#include <etcd/v3.h>

#include "cli.h"

/* A command-line argument as a key or value (its bytes up to the NUL). */
etcd_bytes cli_v3_bytes(const char *s);

/* Print the gateway's JSON answer of `resp` as one line on stdout, with every "key",
 * "value" and "range_end" string (and each of a lease's "keys") decoded from base64
 * when it decodes to UTF-8 (a NUL byte becomes \u0000; other binary stays base64, as
 * the gateway sent it), and the 64-bit numbers kept as the gateway's strings. Falls
 * back to the raw body when it is not JSON. */
void cli_v3_print_json(const etcd_response *resp);

/* Decode base64 `in` (standard alphabet, padded) into a new NUL-terminated buffer;
 * *len is its length. NULL when `in` is not base64 or out of memory. */
char *cli_v3_base64_decode(const char *in, size_t *len);

/* A key-value pair as etcdctl v3 prints it under -w simple: the key on one line, the
 * value on the next (empty for a keys-only read, as etcdctl), or only the value. */
void cli_v3_print_kv(const etcd_kv *kv, int value_only);

#endif /* ETCDWATCH_CMD_V3_H */
