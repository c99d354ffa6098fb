/*
 * libetcd: symbol visibility. The library is built with hidden visibility; only
 * declarations marked ETCD_EXPORT are part of its ABI.
 */
#ifndef ETCD_EXPORT_H
#define ETCD_EXPORT_H

#if defined(ETCD_BUILDING_LIBRARY) && defined(__GNUC__)
#define ETCD_EXPORT __attribute__((visibility("default")))
#else
#define ETCD_EXPORT
#endif

#endif /* ETCD_EXPORT_H */
