/*
 * etcdwatch: what the v3 commands share. The gateway's JSON carries keys and values in
 * base64; -o json prints them decoded so that a person (or jq) can read them.
 */
#include "cmd_v3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

etcd_bytes cli_v3_bytes(const char *s)
{
    etcd_bytes b = {s, s != NULL ? strlen(s) : 0};

    return b;
}

/* The value of base64 digit c, or -1. */
static int b64_digit(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

char *cli_v3_base64_decode(const char *in, size_t *len)
{
    size_t n = strlen(in);
    size_t pad = 0;
    char *out;
    size_t o = 0;

    if (n % 4 != 0)
        return NULL;
    while (pad < 2 && n > pad && in[n - 1 - pad] == '=')
        pad++;
    out = malloc(n / 4 * 3 + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i += 4) {
        int d[4];
        unsigned long v;

        for (int k = 0; k < 4; k++) {
            d[k] = i + k >= n - pad ? 0 : b64_digit((unsigned char)in[i + k]);
            if (d[k] < 0) {
                free(out);
                return NULL;
            }
        }
        v = (unsigned long)d[0] << 18 | (unsigned long)d[1] << 12 |
            (unsigned long)d[2] << 6 | (unsigned long)d[3];
        out[o++] = (char)(v >> 16);
        if (i + 4 < n || pad < 2)
            out[o++] = (char)(v >> 8 & 0xff);
        if (i + 4 < n || pad < 1)
            out[o++] = (char)(v & 0xff);
    }
    out[o] = '\0';
    *len = o;
    return out;
}

/* Whether the member `name` holds base64: a key, a value, a range end, or (a lease's
 * time-to-live) a list of keys. */
static int is_base64_field(const char *name)
{
    return strcmp(name, "key") == 0 || strcmp(name, "value") == 0 ||
           strcmp(name, "range_end") == 0 || strcmp(name, "keys") == 0;
}

/* Replace base64 string `v` by its text; text that is not UTF-8 stays as the gateway
 * sent it. */
static void decode_string(json_t *v)
{
    size_t len;
    char *text = cli_v3_base64_decode(json_string_value(v), &len);

    if (text != NULL)
        json_string_setn(v, text, len);
    free(text);
}

/* Decode the base64 fields of `j` and everything inside it, in place. */
static void decode_fields(json_t *j)
{
    const char *name;
    json_t *v, *item;
    size_t i;

    if (json_is_array(j)) {
        json_array_foreach(j, i, v)
        {
            decode_fields(v);
        }
        return;
    }
    if (!json_is_object(j))
        return;
    json_object_foreach(j, name, v)
    {
        if (!is_base64_field(name))
            decode_fields(v);
        else if (json_is_string(v))
            decode_string(v);
        else if (json_is_array(v)) {
            json_array_foreach(v, i, item)
            {
                if (json_is_string(item))
                    decode_string(item);
            }
        }
    }
}

void cli_v3_print_json(const etcd_response *resp)
{
    json_t *j;
    char *text;

    if (resp->body == NULL || resp->body_len == 0)
        return;
    j = json_loadb(resp->body, resp->body_len, 0, NULL);
    if (j == NULL) {
        cli_print_json(resp);
        return;
    }
    decode_fields(j);
    text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text != NULL)
        printf("%s\n", text);
    else
        cli_print_json(resp);
    free(text);
    json_decref(j);
}

void cli_v3_print_kv(const etcd_kv *kv, int value_only)
{
    if (!value_only)
        cli_print_line(kv->key, kv->key_len);
    cli_print_line(kv->value, kv->value_len);
}
