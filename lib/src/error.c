/*
 * libetcd: the error table.
 */
#include "etcd/error.h"

const char *etcd_strerror(int err)
{
    switch (err) {
    case ETCD_OK:
        return "success";
#define ETCD__ERR_DESC(name, value, desc)                                                \
    case ETCD_##name:                                                                    \
        return desc;
        ETCD_ERRNO_MAP(ETCD__ERR_DESC)
#undef ETCD__ERR_DESC
    }
    return "unknown error";
}

const char *etcd_err_name(int err)
{
    switch (err) {
    case ETCD_OK:
        return "OK";
#define ETCD__ERR_NAME(name, value, desc)                                                \
    case ETCD_##name:                                                                    \
        return #name;
        ETCD_ERRNO_MAP(ETCD__ERR_NAME)
#undef ETCD__ERR_NAME
    }
    return "UNKNOWN";
}
