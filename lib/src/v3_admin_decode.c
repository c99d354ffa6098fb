/*
 * libetcd: decoding the v3 admin and concurrency answers.
 */
#include "v3_int.h"

int etcd__decode_v3_admin(etcd_response *resp, json_t *root, const char **why)
{
    (void)resp;
    (void)root;
    (void)why;
    return ETCD_OK;
}
