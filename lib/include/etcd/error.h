/*
 * libetcd: error codes.
 *
 * Every libetcd function that can fail returns 0 (ETCD_OK) or one of the negative
 * constants below. The same value is passed as the status of a callback. The details
 * of a failure (etcd's errorCode, message, cause and index; or the endpoint and reason
 * of a transport failure) travel with the response, never through a global.
 */
#ifndef ETCD_ERROR_H
#define ETCD_ERROR_H

#include "etcd/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* XX(name, value, description) */
#define ETCD_ERRNO_MAP(XX)                                                               \
    XX(ENOMEM, -1, "out of memory")                                                      \
    XX(EINVAL, -2, "invalid argument")                                                   \
    XX(ETRANSPORT, -3, "no endpoint could be reached")                                   \
    XX(ETIMEDOUT, -4, "request timed out")                                               \
    XX(ETLS, -5, "TLS handshake or certificate error")                                   \
    XX(EPROTO, -6, "malformed response from server")                                     \
    XX(ETOOBIG, -7, "response exceeds the configured size limit")                        \
    XX(EETCD, -8, "etcd returned an error")                                              \
    XX(EHTTP, -9, "unexpected HTTP status from server")                                  \
    XX(ECANCELED, -10, "request cancelled")                                              \
    XX(ECLEARED, -11, "watch index is outdated and cleared; re-read and resume")         \
    XX(EBUSY, -12, "operation not possible in the current state")                        \
    XX(ECOMPACTED, -13, "watch revision has been compacted; re-read and resume")         \
    XX(ENOTFOUND, -14, "no such entry")

typedef enum etcd_errno {
    ETCD_OK = 0,
#define ETCD__ERR_ENUM(name, value, desc) ETCD_##name = (value),
    ETCD_ERRNO_MAP(ETCD__ERR_ENUM)
#undef ETCD__ERR_ENUM
} etcd_errno;

/* A static, human-readable description of `err` ("etcd returned an error").
 * Unknown values give "unknown error". */
ETCD_EXPORT const char *etcd_strerror(int err);

/* The constant's name without the prefix ("EETCD"), or "UNKNOWN". */
ETCD_EXPORT const char *etcd_err_name(int err);

#ifdef __cplusplus
}
#endif

#endif /* ETCD_ERROR_H */
