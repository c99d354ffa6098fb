/*
 * libetcd: its own version and those of the libraries under it.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "etcd/client.h"

const char *etcd_library_version(void)
{
    return ETCD_VERSION_STRING;
}

static etcd_versions versions;
static pthread_once_t versions_once = PTHREAD_ONCE_INIT;

static void versions_init(void)
{
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    const char *ssl = info && info->ssl_version ? info->ssl_version : "";

    versions.libetcd = ETCD_VERSION_STRING;
    versions.curl = info && info->version ? info->version : "";
    versions.curl_built = LIBCURL_VERSION;
    versions.curl_ssl = ssl;
    versions.jansson = jansson_version_str();
    versions.jansson_built = JANSSON_VERSION;
    versions.openssl = strncmp(ssl, "OpenSSL/", 8) == 0 ? ssl + 8 : "";
}

const etcd_versions *etcd_library_versions(void)
{
    pthread_once(&versions_once, versions_init);
    return &versions;
}
